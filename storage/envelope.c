/* envelope.c — master key and AES-256-GCM seal/open. */
#include "storage/envelope.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
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
    if (dir == NULL)
        return RAND_bytes(key, ENVELOPE_KEY_LEN) == 1 ? 0 : -1;

    snprintf(path, sizeof path, "%s/master.key", dir);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) {
        uint8_t fresh[ENVELOPE_KEY_LEN];
        char tmp[4300];
        int wfd;

        if (RAND_bytes(fresh, sizeof fresh) != 1) {
            snprintf(err, errlen, "the CSPRNG failed");
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

int envelope_seal(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                  const uint8_t *pt, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = NULL;
    int len, rc = -1;

    if (n > (size_t)INT32_MAX || aadlen > (size_t)INT32_MAX)
        return -1;
    codec_random(out, ENVELOPE_IV_LEN); /* aborts rather than fail */
    if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
        goto fail;
    if (EVP_EncryptInit_ex(ctx, evp_aes_256_gcm(), NULL, key, out) != 1)
        goto fail;
    if (aadlen && EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
        goto fail;
    if (n && EVP_EncryptUpdate(ctx, out + ENVELOPE_IV_LEN, &len, pt, (int)n) != 1)
        goto fail;
    if (EVP_EncryptFinal_ex(ctx, out + ENVELOPE_IV_LEN + n, &len) != 1)
        goto fail;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, ENVELOPE_TAG_LEN,
                            out + ENVELOPE_IV_LEN + n) != 1)
        goto fail;
    rc = 0;
fail:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int envelope_open(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                  const uint8_t *in, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = NULL;
    size_t ctlen;
    int len, rc = -1;

    if (n < ENVELOPE_OVERHEAD || n > (size_t)INT32_MAX || aadlen > (size_t)INT32_MAX)
        return -1;
    ctlen = n - ENVELOPE_OVERHEAD;
    if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
        goto fail;
    if (EVP_DecryptInit_ex(ctx, evp_aes_256_gcm(), NULL, key, in) != 1)
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
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}
