/* envelope.c — master key and AES-256-GCM seal/open. */
#include "storage/envelope.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/codec.h"
#include "base/evp.h"

int envelope_master_load(const char *dir, uint8_t key[ENVELOPE_KEY_LEN], char *err, size_t errlen)
{
    const char *env = getenv("AWSEMU_MASTER_KEY");
    char path[4200];
    struct stat sb;
    int fd = -1, i;
    ssize_t n;

    if (env && *env) {
        if (strlen(env) != 2 * ENVELOPE_KEY_LEN)
            goto badenv;
        for (i = 0; i < ENVELOPE_KEY_LEN; i++) {
            int hi = codec_hexval(env[2 * i]), lo = codec_hexval(env[2 * i + 1]);
            if (hi < 0 || lo < 0)
                goto badenv;
            key[i] = (uint8_t)(hi << 4 | lo);
        }
        return 0;
    }
    /* a new master key comes from the kernel's CSPRNG (getrandom), not
     * RAND_bytes: the same entropy OpenSSL's DRBG is seeded from, without
     * loading the default provider at start (codec_os_random) */
    if (dir == NULL) {
        if (codec_os_random(key, ENVELOPE_KEY_LEN) == 0)
            return 0;
        snprintf(err, errlen, "the kernel's CSPRNG failed: %s", strerror(errno));
        return -1;
    }

    snprintf(path, sizeof path, "%s/master.key", dir);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) {
        uint8_t fresh[ENVELOPE_KEY_LEN];
        char tmp[4300];
        int wfd;

        if (codec_os_random(fresh, sizeof fresh) != 0) {
            snprintf(err, errlen, "the kernel's CSPRNG failed: %s", strerror(errno));
            return -1;
        }
        snprintf(tmp, sizeof tmp, "%s/.master.key.%d", dir, (int)getpid());
        wfd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (wfd < 0 || write(wfd, fresh, sizeof fresh) != (ssize_t)sizeof fresh ||
            fsync(wfd) != 0 || close(wfd) != 0 || link(tmp, path) != 0) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            if (wfd >= 0)
                unlink(tmp);
            OPENSSL_cleanse(fresh, sizeof fresh);
            return -1;
        }
        unlink(tmp);
        memcpy(key, fresh, sizeof fresh);
        OPENSSL_cleanse(fresh, sizeof fresh);
        return 0;
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        goto fail;
    }
    if (sb.st_mode & 077) {
        snprintf(err, errlen, "%s is accessible by group or others (mode %03o); chmod 600 it",
                 path, (unsigned)(sb.st_mode & 0777));
        goto fail;
    }
    n = sb.st_size == ENVELOPE_KEY_LEN ? read(fd, key, ENVELOPE_KEY_LEN) : -1;
    if (n != ENVELOPE_KEY_LEN) {
        snprintf(err, errlen, "%s: expected %d bytes", path, ENVELOPE_KEY_LEN);
        goto fail;
    }
    close(fd);
    return 0;
fail:
    close(fd);
    OPENSSL_cleanse(key, ENVELOPE_KEY_LEN);
    return -1;
badenv:
    snprintf(err, errlen, "AWSEMU_MASTER_KEY must be %d hex characters", 2 * ENVELOPE_KEY_LEN);
    return -1;
}

/* ---- sealing ------------------------------------------------------------- */

/* Per thread, one context per direction keyed with the last key the
 * envelope_*_kept calls used (the master key): a GCM key schedule and its
 * GHASH table cost more than sealing a 32-byte data key, which SSE-S3 does
 * on every PutObject. Freed, key wiped, when the thread ends. */
typedef struct {
    EVP_CIPHER_CTX *ctx[2]; /* [0] decrypt, [1] encrypt */
    int keyed[2];
    uint8_t key[2][ENVELOPE_KEY_LEN];
} kept_t;

static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;
static int kept_ok;

static void kept_free(void *arg)
{
    kept_t *k = arg;

    EVP_CIPHER_CTX_free(k->ctx[0]);
    EVP_CIPHER_CTX_free(k->ctx[1]);
    OPENSSL_cleanse(k, sizeof *k);
    free(k);
}

static void kept_init(void)
{
    kept_ok = pthread_key_create(&kept_key, kept_free) == 0;
}

/* This thread's context for direction enc keyed with key, or NULL (the
 * caller then uses a fresh one). */
static EVP_CIPHER_CTX *kept_ctx(const uint8_t key[ENVELOPE_KEY_LEN], int enc)
{
    kept_t *k;

    pthread_once(&kept_once, kept_init);
    if (!kept_ok)
        return NULL;
    if ((k = pthread_getspecific(kept_key)) == NULL) {
        if ((k = calloc(1, sizeof *k)) == NULL || pthread_setspecific(kept_key, k) != 0) {
            free(k);
            return NULL;
        }
    }
    if (k->ctx[enc] == NULL && (k->ctx[enc] = EVP_CIPHER_CTX_new()) == NULL)
        return NULL;
    if (k->keyed[enc] && CRYPTO_memcmp(k->key[enc], key, ENVELOPE_KEY_LEN) == 0)
        return k->ctx[enc];
    k->keyed[enc] = 0;
    if (EVP_CipherInit_ex(k->ctx[enc], evp_aes_256_gcm(), NULL, key, NULL, enc) != 1)
        return NULL;
    memcpy(k->key[enc], key, ENVELOPE_KEY_LEN);
    k->keyed[enc] = 1;
    return k->ctx[enc];
}

/* Seals with ctx: keyed (only the IV is set) or fresh (key and IV). */
static int seal(EVP_CIPHER_CTX *ctx, int keyed, const uint8_t key[ENVELOPE_KEY_LEN],
                const uint8_t *aad, size_t aadlen, const uint8_t *pt, size_t n, uint8_t *out)
{
    int len;

    if (n > (size_t)INT32_MAX || aadlen > (size_t)INT32_MAX)
        return -1;
    codec_random(out, ENVELOPE_IV_LEN); /* aborts rather than fail */
    if (EVP_EncryptInit_ex(ctx, keyed ? NULL : evp_aes_256_gcm(), NULL, keyed ? NULL : key,
                           out) != 1)
        return -1;
    if (aadlen && EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
        return -1;
    if (n && EVP_EncryptUpdate(ctx, out + ENVELOPE_IV_LEN, &len, pt, (int)n) != 1)
        return -1;
    if (EVP_EncryptFinal_ex(ctx, out + ENVELOPE_IV_LEN + n, &len) != 1)
        return -1;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, ENVELOPE_TAG_LEN,
                            out + ENVELOPE_IV_LEN + n) != 1)
        return -1;
    return 0;
}

/* Opens with ctx, keyed or fresh as seal. */
static int open_(EVP_CIPHER_CTX *ctx, int keyed, const uint8_t key[ENVELOPE_KEY_LEN],
                 const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t n, uint8_t *out)
{
    size_t ctlen;
    int len, rc = -1;

    if (n < ENVELOPE_OVERHEAD || n > (size_t)INT32_MAX || aadlen > (size_t)INT32_MAX)
        return -1;
    ctlen = n - ENVELOPE_OVERHEAD;
    if (EVP_DecryptInit_ex(ctx, keyed ? NULL : evp_aes_256_gcm(), NULL, keyed ? NULL : key,
                           in) != 1)
        goto fail;
    if (aadlen && EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
        goto fail;
    if (ctlen && EVP_DecryptUpdate(ctx, out, &len, in + ENVELOPE_IV_LEN, (int)ctlen) != 1)
        goto fail;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, ENVELOPE_TAG_LEN,
                            (void *)(in + ENVELOPE_IV_LEN + ctlen)) != 1)
        goto fail;
    if (EVP_DecryptFinal_ex(ctx, out + ctlen, &len) != 1)
        goto fail;
    rc = 0;
fail:
    if (rc != 0 && ctlen)
        OPENSSL_cleanse(out, ctlen);
    return rc;
}

int envelope_seal(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                  const uint8_t *pt, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int rc = ctx ? seal(ctx, 0, key, aad, aadlen, pt, n, out) : -1;

    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int envelope_open(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                  const uint8_t *in, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int rc;

    if (ctx == NULL) {
        if (n > ENVELOPE_OVERHEAD && n <= (size_t)INT32_MAX)
            OPENSSL_cleanse(out, n - ENVELOPE_OVERHEAD);
        return -1;
    }
    rc = open_(ctx, 0, key, aad, aadlen, in, n, out);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int envelope_seal_kept(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                       const uint8_t *pt, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = kept_ctx(key, 1);

    return ctx ? seal(ctx, 1, key, aad, aadlen, pt, n, out)
               : envelope_seal(key, aad, aadlen, pt, n, out);
}

int envelope_open_kept(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                       const uint8_t *in, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = kept_ctx(key, 0);

    return ctx ? open_(ctx, 1, key, aad, aadlen, in, n, out)
               : envelope_open(key, aad, aadlen, in, n, out);
}
