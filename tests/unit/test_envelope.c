/* test_envelope.c — unit tests for envelope: AES-256-GCM seal/open (round
 * trips, the IV | ciphertext | tag layout checked against OpenSSL directly,
 * every tampering refused and the output wiped) and envelope_master_load
 * (file creation, mode and size checks, AWSEMU_MASTER_KEY, ephemeral keys;
 * start-up's draws never reach OpenSSL's RNG). */
/* RAND_set_rand_method: deprecated in OpenSSL 3, the one way to see every
 * RAND_bytes call */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "storage/envelope.h"
#include "base/codec.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t key1[ENVELOPE_KEY_LEN] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

static const uint8_t key2[ENVELOPE_KEY_LEN] = {
    0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a,
    0x4b, 0x3c, 0x2d, 0x1e, 0x0f, 0x10, 0x21, 0x32, 0x43, 0x54, 0x65,
    0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};

static const char aad1[] = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab#1";

static int all_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Decrypts a sealed buffer with OpenSSL directly, reading the documented
 * layout IV | ciphertext | tag. Returns 0 when the tag verifies. */
static int evp_open(const uint8_t *key, const uint8_t *aad, size_t aadlen, const uint8_t *in,
                    size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    size_t ctlen = n - ENVELOPE_OVERHEAD;
    int len, rc = -1;

    if (ctx == NULL)
        return -1;
    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, ENVELOPE_IV_LEN, NULL) != 1 ||
        EVP_DecryptInit_ex(ctx, NULL, NULL, key, in) != 1)
        goto fail;
    if (aadlen && EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
        goto fail;
    if (ctlen && EVP_DecryptUpdate(ctx, out, &len, in + ENVELOPE_IV_LEN, (int)ctlen) != 1)
        goto fail;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, ENVELOPE_TAG_LEN,
                            (void *)(in + n - ENVELOPE_TAG_LEN)) != 1)
        goto fail;
    if (EVP_DecryptFinal_ex(ctx, out + ctlen, &len) != 1)
        goto fail;
    rc = 0;
fail:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static void test_roundtrip(void)
{
    static const size_t lens[] = {0, 1, 15, 16, 17, 31, 32, 33, 100, 4096, 65537, 1u << 20};
    size_t i, k;

    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        uint8_t *pt = malloc(n + 1), *sealed = malloc(n + ENVELOPE_OVERHEAD);
        uint8_t *back = malloc(n + 1), *back2 = malloc(n + 1);
        int a;

        for (k = 0; k < n; k++)
            pt[k] = (uint8_t)(k * 31 + i);
        for (a = 0; a < 2; a++) {
            const uint8_t *aad = a ? (const uint8_t *)aad1 : NULL;
            size_t aadlen = a ? sizeof aad1 - 1 : 0;

            CHECK(envelope_seal(key1, aad, aadlen, pt, n, sealed) == 0);
            /* plaintext does not appear as-is (for lengths where that means
             * something) */
            if (n >= 16)
                CHECK(memcmp(sealed + ENVELOPE_IV_LEN, pt, 16) != 0);
            memset(back, 0xAA, n + 1);
            CHECK(envelope_open(key1, aad, aadlen, sealed, n + ENVELOPE_OVERHEAD, back) == 0);
            CHECK(memcmp(back, pt, n) == 0);
            CHECK(back[n] == 0xAA); /* exactly n bytes written */
            /* the layout is standard AES-256-GCM: IV | ciphertext | tag */
            CHECK(evp_open(key1, aad, aadlen, sealed, n + ENVELOPE_OVERHEAD, back2) == 0);
            CHECK(memcmp(back2, pt, n) == 0);
        }
        free(pt);
        free(sealed);
        free(back);
        free(back2);
    }

    /* sealing in place over a copy is not part of the contract; opening into
     * a separate buffer with an empty but non-NULL aad matches a NULL aad */
    {
        uint8_t sealed[5 + ENVELOPE_OVERHEAD], back[5];
        CHECK(envelope_seal(key1, NULL, 0, (const uint8_t *)"hello", 5, sealed) == 0);
        CHECK(envelope_open(key1, (const uint8_t *)"", 0, sealed, sizeof sealed, back) == 0);
        CHECK(memcmp(back, "hello", 5) == 0);
    }
}

static void test_fresh_iv(void)
{
    const uint8_t pt[32] = {0};
    uint8_t a[32 + ENVELOPE_OVERHEAD], b[32 + ENVELOPE_OVERHEAD];
    uint8_t e1[ENVELOPE_OVERHEAD], e2[ENVELOPE_OVERHEAD];

    CHECK(envelope_seal(key1, (const uint8_t *)aad1, 5, pt, sizeof pt, a) == 0);
    CHECK(envelope_seal(key1, (const uint8_t *)aad1, 5, pt, sizeof pt, b) == 0);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(memcmp(a, b, ENVELOPE_IV_LEN) != 0);                     /* IVs */
    CHECK(memcmp(a + ENVELOPE_IV_LEN, b + ENVELOPE_IV_LEN, 32) != 0); /* ciphertexts */
    CHECK(!all_zero(a, ENVELOPE_IV_LEN));

    /* empty plaintexts too */
    CHECK(envelope_seal(key1, NULL, 0, NULL, 0, e1) == 0);
    CHECK(envelope_seal(key1, NULL, 0, NULL, 0, e2) == 0);
    CHECK(memcmp(e1, e2, sizeof e1) != 0);
}

/* Every single-bit flip (IV, ciphertext, tag) is refused and out wiped. */
static void test_tamper(void)
{
    uint8_t pt[20], sealed[20 + ENVELOPE_OVERHEAD], bad[sizeof sealed], out[20];
    uint8_t other[ENVELOPE_KEY_LEN];
    size_t i, n = sizeof sealed;
    int bit, ok_rc = 1, ok_wipe = 1;

    for (i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(0x41 + i);
    CHECK(envelope_seal(key1, (const uint8_t *)aad1, sizeof aad1 - 1, pt, sizeof pt, sealed) == 0);

    for (i = 0; i < n; i++) {
        for (bit = 0; bit < 8; bit++) {
            memcpy(bad, sealed, n);
            bad[i] ^= (uint8_t)(1u << bit);
            memset(out, 0xAA, sizeof out);
            if (envelope_open(key1, (const uint8_t *)aad1, sizeof aad1 - 1, bad, n, out) != -1)
                ok_rc = 0;
            if (!all_zero(out, sizeof out))
                ok_wipe = 0;
        }
    }
    CHECK(ok_rc);
    CHECK(ok_wipe);

    /* wrong aad: different, missing, extra, a prefix */
    memset(out, 0xAA, sizeof out);
    CHECK(envelope_open(key1, (const uint8_t *)"arn:other", 9, sealed, n, out) == -1);
    CHECK(all_zero(out, sizeof out));
    CHECK(envelope_open(key1, NULL, 0, sealed, n, out) == -1);
    CHECK(envelope_open(key1, (const uint8_t *)aad1, sizeof aad1 - 2, sealed, n, out) == -1);
    CHECK(envelope_open(key1, (const uint8_t *)aad1, sizeof aad1, sealed, n, out) == -1);
    {
        char aad2[sizeof aad1];
        memcpy(aad2, aad1, sizeof aad1);
        aad2[sizeof aad1 - 2] ^= 1; /* the version digit */
        CHECK(envelope_open(key1, (const uint8_t *)aad2, sizeof aad1 - 1, sealed, n, out) == -1);
    }
    /* a sealing without aad does not open with one */
    {
        uint8_t s2[sizeof sealed];
        CHECK(envelope_seal(key1, NULL, 0, pt, sizeof pt, s2) == 0);
        CHECK(envelope_open(key1, (const uint8_t *)"x", 1, s2, n, out) == -1);
        CHECK(envelope_open(key1, NULL, 0, s2, n, out) == 0);
    }

    /* wrong key: every single-bit difference */
    ok_rc = 1;
    for (i = 0; i < ENVELOPE_KEY_LEN; i++) {
        memcpy(other, key1, sizeof other);
        other[i] ^= 0x80;
        memset(out, 0xAA, sizeof out);
        if (envelope_open(other, (const uint8_t *)aad1, sizeof aad1 - 1, sealed, n, out) != -1 ||
            !all_zero(out, sizeof out))
            ok_rc = 0;
    }
    CHECK(ok_rc);

    /* truncated at every length, and one byte too long */
    ok_rc = 1;
    for (i = 0; i < n; i++) {
        if (envelope_open(key1, (const uint8_t *)aad1, sizeof aad1 - 1, sealed, i, out) != -1)
            ok_rc = 0;
    }
    CHECK(ok_rc);
    {
        uint8_t longer[sizeof sealed + 1], out2[sizeof pt + 1];
        memcpy(longer, sealed, n);
        longer[n] = 0;
        CHECK(envelope_open(key1, (const uint8_t *)aad1, sizeof aad1 - 1, longer, n + 1, out2) ==
              -1);
    }
    /* a tag moved: swap ciphertext halves */
    {
        uint8_t sw[sizeof sealed];
        memcpy(sw, sealed, n);
        memcpy(sw + ENVELOPE_IV_LEN, sealed + ENVELOPE_IV_LEN + 10, 10);
        memcpy(sw + ENVELOPE_IV_LEN + 10, sealed + ENVELOPE_IV_LEN, 10);
        CHECK(envelope_open(key1, (const uint8_t *)aad1, sizeof aad1 - 1, sw, n, out) == -1);
    }
    /* still opens untouched */
    CHECK(envelope_open(key1, (const uint8_t *)aad1, sizeof aad1 - 1, sealed, n, out) == 0);
    CHECK(memcmp(out, pt, sizeof pt) == 0);

    /* a big sealing: flips at the first, middle and last byte */
    {
        size_t bn = 1u << 20, pos[3];
        uint8_t *big = calloc(1, bn), *bs = malloc(bn + ENVELOPE_OVERHEAD), *bo = malloc(bn);
        size_t j;
        pos[0] = 0;
        pos[1] = ENVELOPE_IV_LEN + bn / 2;
        pos[2] = bn + ENVELOPE_OVERHEAD - 1;
        CHECK(envelope_seal(key1, NULL, 0, big, bn, bs) == 0);
        for (j = 0; j < 3; j++) {
            bs[pos[j]] ^= 4;
            memset(bo, 0xAA, bn);
            CHECK(envelope_open(key1, NULL, 0, bs, bn + ENVELOPE_OVERHEAD, bo) == -1);
            CHECK(all_zero(bo, bn));
            bs[pos[j]] ^= 4;
        }
        CHECK(envelope_open(key1, NULL, 0, bs, bn + ENVELOPE_OVERHEAD, bo) == 0);
        CHECK(all_zero(bo, bn));
        free(big);
        free(bs);
        free(bo);
    }
}

/* ---- envelope_master_load ------------------------------------------------ */

static char tmpdir[64];

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

/* Removes every entry of tmpdir (files, a symlink, an empty directory). */
static void empty_dir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char p[64 + 256 + 2];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        path_of(p, sizeof p, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
}

static int count_entries(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int write_file(const char *name, const void *p, size_t n, mode_t mode)
{
    char path[256];
    int fd, ok;

    path_of(path, sizeof path, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    ok = write(fd, p, n) == (ssize_t)n;
    close(fd);
    return chmod(path, mode) == 0 && ok ? 0 : -1;
}

static void test_master_file(void)
{
    uint8_t k1[ENVELOPE_KEY_LEN], k2[ENVELOPE_KEY_LEN], disk[64];
    char err[512], path[256];
    struct stat sb;
    int fd;
    ssize_t got;

    /* first call creates master.key: 32 bytes, mode 0600 */
    err[0] = '\0';
    memset(k1, 0, sizeof k1);
    CHECK(envelope_master_load(tmpdir, k1, err, sizeof err) == 0);
    CHECK_STR(err, "");
    CHECK(!all_zero(k1, sizeof k1));
    path_of(path, sizeof path, "master.key");
    CHECK(stat(path, &sb) == 0);
    CHECK(S_ISREG(sb.st_mode));
    CHECK((sb.st_mode & 0777) == 0600);
    CHECK(sb.st_size == ENVELOPE_KEY_LEN);
    fd = open(path, O_RDONLY);
    got = fd >= 0 ? read(fd, disk, sizeof disk) : -1;
    if (fd >= 0)
        close(fd);
    CHECK(got == ENVELOPE_KEY_LEN);
    CHECK(memcmp(disk, k1, sizeof k1) == 0);
    CHECK(count_entries() == 1); /* no temporary file left behind */

    /* second call loads the same key */
    memset(k2, 0, sizeof k2);
    CHECK(envelope_master_load(tmpdir, k2, err, sizeof err) == 0);
    CHECK(memcmp(k1, k2, sizeof k1) == 0);
    CHECK(count_entries() == 1);

    /* a key sealed under it opens with the reloaded key */
    {
        uint8_t s[3 + ENVELOPE_OVERHEAD], o[3];
        CHECK(envelope_seal(k1, NULL, 0, (const uint8_t *)"abc", 3, s) == 0);
        CHECK(envelope_open(k2, NULL, 0, s, sizeof s, o) == 0);
    }

    /* owner read-only is fine */
    CHECK(chmod(path, 0400) == 0);
    CHECK(envelope_master_load(tmpdir, k2, err, sizeof err) == 0);
    CHECK(memcmp(k1, k2, sizeof k1) == 0);

    /* readable by group or others: refused */
    {
        static const mode_t modes[] = {0644, 0640, 0604, 0660, 0606, 0610, 0601};
        size_t i;
        for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
            CHECK(chmod(path, modes[i]) == 0);
            err[0] = '\0';
            memset(k2, 0x55, sizeof k2);
            CHECK(envelope_master_load(tmpdir, k2, err, sizeof err) == -1);
            CHECK(strstr(err, "master.key") != NULL);
            CHECK(strstr(err, "chmod 600") != NULL);
            CHECK(memcmp(k1, k2, sizeof k1) != 0); /* the key is not handed out */
        }
    }
    CHECK(chmod(path, 0600) == 0);

    /* wrong sizes: empty, short */
    {
        static const size_t sizes[] = {0, 1, 16, 31};
        size_t i;
        memset(disk, 0x5a, sizeof disk);
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            CHECK(write_file("master.key", disk, sizes[i], 0600) == 0);
            err[0] = '\0';
            CHECK(envelope_master_load(tmpdir, k2, err, sizeof err) == -1);
            CHECK(strstr(err, "expected 32 bytes") != NULL);
            CHECK(all_zero(k2, sizeof k2)); /* partial key material wiped */
        }
    }

    /* not a regular file */
    CHECK(unlink(path) == 0);
    CHECK(mkdir(path, 0700) == 0);
    err[0] = '\0';
    CHECK(envelope_master_load(tmpdir, k2, err, sizeof err) == -1);
    CHECK(err[0] != '\0');
    CHECK(rmdir(path) == 0);

    /* a symlink is not followed */
    {
        char target[256];
        path_of(target, sizeof target, "real.key");
        CHECK(write_file("real.key", k1, sizeof k1, 0600) == 0);
        CHECK(symlink(target, path) == 0);
        err[0] = '\0';
        CHECK(envelope_master_load(tmpdir, k2, err, sizeof err) == -1);
        CHECK(err[0] != '\0');
        CHECK(unlink(path) == 0);
        CHECK(unlink(target) == 0);
    }

    /* a directory that does not exist */
    {
        char missing[256];
        path_of(missing, sizeof missing, "no/such/dir");
        err[0] = '\0';
        CHECK(envelope_master_load(missing, k2, err, sizeof err) == -1);
        CHECK(strstr(err, "cannot create") != NULL);
    }
    empty_dir();
}

static void test_master_env(void)
{
    static const char hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
    static const char *const bad[] = {
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",   /* 63 */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0", /* 65 */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",  /* g */
        "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",  /* 0x */
        " 00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",  /* space */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",                     /* base64 */
        "not a key",
    };
    uint8_t k[ENVELOPE_KEY_LEN];
    char err[512];
    size_t i;

    /* the variable wins over the directory, which is left alone */
    setenv("AWSEMU_MASTER_KEY", hex, 1);
    memset(k, 0, sizeof k);
    CHECK(envelope_master_load(tmpdir, k, err, sizeof err) == 0);
    CHECK(memcmp(k, key1, sizeof k) == 0);
    CHECK(count_entries() == 0);
    CHECK(write_file("master.key", "short", 5, 0644) == 0); /* would fail if read */
    CHECK(envelope_master_load(tmpdir, k, err, sizeof err) == 0);
    CHECK(memcmp(k, key1, sizeof k) == 0);
    empty_dir();
    /* and over ephemeral mode */
    memset(k, 0, sizeof k);
    CHECK(envelope_master_load(NULL, k, err, sizeof err) == 0);
    CHECK(memcmp(k, key1, sizeof k) == 0);

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("AWSEMU_MASTER_KEY", bad[i], 1);
        err[0] = '\0';
        CHECK(envelope_master_load(tmpdir, k, err, sizeof err) == -1);
        CHECK(strstr(err, "AWSEMU_MASTER_KEY must be 64 hex characters") != NULL);
        CHECK(envelope_master_load(NULL, k, err, sizeof err) == -1);
    }
    CHECK(count_entries() == 0);

    /* empty counts as unset */
    setenv("AWSEMU_MASTER_KEY", "", 1);
    CHECK(envelope_master_load(tmpdir, k, err, sizeof err) == 0);
    CHECK(count_entries() == 1);
    empty_dir();
    unsetenv("AWSEMU_MASTER_KEY");
}

static void test_master_ephemeral(void)
{
    uint8_t a[ENVELOPE_KEY_LEN], b[ENVELOPE_KEY_LEN];
    char err[256];

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(envelope_master_load(NULL, a, err, sizeof err) == 0);
    CHECK(envelope_master_load(NULL, b, err, sizeof err) == 0);
    CHECK(!all_zero(a, sizeof a));
    CHECK(memcmp(a, b, sizeof a) != 0);
}

/* What a server does before it is idle draws its randomness from the
 * kernel, not RAND_bytes: a fresh master.key, an ephemeral master key, the
 * request ids (UUIDs) of its first requests (the health check). OpenSSL's
 * first RAND_bytes loads its default provider, ~1.9 MiB resident that an
 * idle server never uses (bench: idle RSS 8.4 -> 6.5 MiB). A RAND_METHOD
 * that counts its calls (and serves them from getrandom) stands in for
 * OpenSSL's; codec_random's large draws still go to it, which shows the
 * count sees RAND_bytes and that keys and IVs still come from OpenSSL, and
 * once a thread's codec_random pool is filled its UUIDs come from it too. */
static int rand_calls;

static int counting_bytes(unsigned char *buf, int n)
{
    rand_calls++;
    return n >= 0 && codec_os_random(buf, (size_t)n) == 0;
}

static int counting_status(void)
{
    return 1;
}

/* The draws, on a thread of their own: its codec pools start empty, as a
 * fresh process's do. */
static void *start_draws(void *arg)
{
    uint8_t a[ENVELOPE_KEY_LEN], b[ENVELOPE_KEY_LEN], big[1024], z[sizeof big];
    char err[256], path[256], ids[40][37];
    struct stat sb;
    int i, distinct = 1;

    (void)arg;
    rand_calls = 0;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(envelope_master_load(tmpdir, a, err, sizeof err) == 0); /* creates master.key */
    path_of(path, sizeof path, "master.key");
    CHECK(stat(path, &sb) == 0 && sb.st_size == ENVELOPE_KEY_LEN && (sb.st_mode & 0777) == 0600);
    CHECK(!all_zero(a, sizeof a));
    CHECK(envelope_master_load(NULL, b, err, sizeof err) == 0);
    CHECK(!all_zero(b, sizeof b) && memcmp(a, b, sizeof a) != 0);
    for (i = 0; i < 40; i++) /* more than one refill of the UUID pool */
        codec_uuid(ids[i]);
    for (i = 0; i < 40; i++)
        if (!codec_is_uuid(ids[i], 36) || (i > 0 && strcmp(ids[i], ids[i - 1]) == 0))
            distinct = 0;
    CHECK(distinct);
    CHECK(rand_calls == 0);

    memset(big, 0, sizeof big);
    memset(z, 0, sizeof z);
    codec_random(big, sizeof big); /* past the pool: one RAND_bytes */
    CHECK(rand_calls == 1);
    CHECK(memcmp(big, z, sizeof big) != 0);
    codec_random(big, 16); /* the empty pool's refill: another */
    CHECK(rand_calls == 2);
    /* from now on UUIDs share that pool (4096 bytes: 255 more UUIDs), and
     * its next refill is RAND_bytes's */
    for (i = 0; i < 255; i++)
        codec_uuid(ids[0]);
    CHECK(rand_calls == 2);
    codec_uuid(ids[1]);
    CHECK(rand_calls == 3);
    CHECK(codec_is_uuid(ids[0], 36) && codec_is_uuid(ids[1], 36) && strcmp(ids[0], ids[1]) != 0);
    return NULL;
}

static void test_start_draws_without_drbg(void)
{
    static const RAND_METHOD counting = {NULL, counting_bytes, NULL, NULL, counting_bytes,
                                         counting_status};
    const RAND_METHOD *prev = RAND_get_rand_method();
    pthread_t th;

    empty_dir();
    unsetenv("AWSEMU_MASTER_KEY");
    CHECK(RAND_set_rand_method(&counting) == 1);
    CHECK(pthread_create(&th, NULL, start_draws, NULL) == 0);
    CHECK(pthread_join(th, NULL) == 0);
    CHECK(RAND_set_rand_method(prev) == 1);
    empty_dir();
}

/* The kept contexts (envelope_*_kept): interchangeable with the fresh
 * ones in both directions, re-keyed when the key changes (so key2 never
 * seals with key1's schedule), failures as envelope_open's, and the
 * context still good after a failed open. Also from a second thread. */
static void test_kept(void)
{
    static const uint8_t aad[] = "awsemu:s3:sse-s3:arn:aws:s3:::b/k";
    uint8_t pt[32], s1[32 + ENVELOPE_OVERHEAD], s2[32 + ENVELOPE_OVERHEAD], back[32];
    int round;

    memset(pt, 0x5C, sizeof pt);
    for (round = 0; round < 3; round++) {
        const uint8_t *k = round == 1 ? key2 : key1, *other = round == 1 ? key1 : key2;
        CHECK(envelope_seal_kept(k, aad, sizeof aad, pt, sizeof pt, s1) == 0);
        CHECK(envelope_open(k, aad, sizeof aad, s1, sizeof s1, back) == 0);
        CHECK(memcmp(back, pt, sizeof pt) == 0);
        CHECK(envelope_open(other, aad, sizeof aad, s1, sizeof s1, back) != 0);
        CHECK(envelope_seal(k, aad, sizeof aad, pt, sizeof pt, s2) == 0);
        memset(back, 0, sizeof back);
        CHECK(envelope_open_kept(k, aad, sizeof aad, s2, sizeof s2, back) == 0);
        CHECK(memcmp(back, pt, sizeof pt) == 0);
        CHECK(envelope_open_kept(other, aad, sizeof aad, s2, sizeof s2, back) != 0);
        CHECK(all_zero(back, sizeof back));
        s2[ENVELOPE_IV_LEN] ^= 1; /* a tampered one fails, the next opens */
        CHECK(envelope_open_kept(k, aad, sizeof aad, s2, sizeof s2, back) != 0);
        s2[ENVELOPE_IV_LEN] ^= 1;
        CHECK(envelope_open_kept(k, aad, sizeof aad - 1, s2, sizeof s2, back) != 0);
        CHECK(envelope_open_kept(k, aad, sizeof aad, s2, sizeof s2, back) == 0);
        CHECK(memcmp(back, pt, sizeof pt) == 0);
        /* two kept seals: fresh IVs */
        CHECK(envelope_seal_kept(k, aad, sizeof aad, pt, sizeof pt, s2) == 0);
        CHECK(memcmp(s1, s2, ENVELOPE_IV_LEN) != 0);
    }
}

static void *kept_thread(void *arg)
{
    (void)arg;
    test_kept();
    return NULL;
}

int main(void)
{
    unsetenv("AWSEMU_MASTER_KEY");
    test_roundtrip();
    test_fresh_iv();
    test_tamper();
    test_kept();
    {
        pthread_t th;
        CHECK(pthread_create(&th, NULL, kept_thread, NULL) == 0);
        CHECK(pthread_join(th, NULL) == 0);
    }

    snprintf(tmpdir, sizeof tmpdir, "/tmp/awsemu-envelope-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_master_file();
    test_master_env();
    test_master_ephemeral();
    test_start_draws_without_drbg();
    empty_dir();
    CHECK(rmdir(tmpdir) == 0);
    return unit_report("envelope");
}
