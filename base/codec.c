/* codec.c — base64, hex, UUIDs and CSPRNG bytes. */
/* SHA256_Init and friends: deprecated in OpenSSL 3, kept, and faster here
 * than EVP (see codec_sha256) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "base/codec.h"

#include <openssl/evp.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t codec_b64_enclen(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t codec_b64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t i, o = 0;

    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = b64chars[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long codec_b64_decode(const char *in, size_t n, uint8_t *out)
{
    size_t i, o = 0, pad = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (n % 4 != 0)
        return -1; /* padding is required */
    while (n > 0 && in[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    for (i = 0; i < n; i++) {
        int v = b64val((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* the bits left over by padding must be zero (canonical encoding) */
    if (bits && (acc & ((1u << bits) - 1)) != 0)
        return -1;
    return (long)o;
}

int codec_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void codec_hex(const uint8_t *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void codec_wipe_free(void *p, size_t n)
{
    if (p) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

/* codec_random draws from a per-thread pool of CSPRNG bytes, refilled by
 * one RAND_bytes call per CODEC_POOL bytes: RAND_bytes costs a lock, a
 * getpid() and a DRBG step per call, and a request needs several small
 * draws (request id, data key, IVs). Bytes handed out are wiped from the
 * pool; a forked child forgets the pool (pthread_atfork) so it never
 * repeats its parent's bytes. Large draws bypass the pool.
 *
 * codec_uuid draws from the same pool once this thread has filled it, and
 * until then from a small pool refilled from the kernel (getrandom): every
 * request's id is a UUID, the health check's too, and OpenSSL's first
 * RAND_bytes loads its default provider (~1.9 MiB of libcrypto resident)
 * that an idle server otherwise never needs. The kernel's generator is as
 * strong but dearer per byte (about 110 ns a UUID from 256-byte refills,
 * against 6 from the DRBG's pool), hence only until OpenSSL's is up. */
#define CODEC_POOL 4096
#define CODEC_UUID_POOL 256 /* 16 UUIDs a getrandom call; <= 256: never short */

static _Thread_local struct {
    uint8_t b[CODEC_POOL];
    uint8_t u[CODEC_UUID_POOL];
    size_t pos;  /* the next unused byte of b; CODEC_POOL when empty */
    size_t upos; /* of u; CODEC_UUID_POOL when empty */
    int init;
    int drbg;    /* b has been filled: UUIDs come from b */
} pool;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_forget(void)
{
    OPENSSL_cleanse(&pool, sizeof pool);
    pool.pos = CODEC_POOL;
    pool.upos = CODEC_UUID_POOL;
    pool.init = 1;
}

static void pool_atfork(void)
{
    pthread_atfork(NULL, NULL, pool_forget);
}

static void pool_init(void)
{
    if (!pool.init) {
        pthread_once(&pool_once, pool_atfork);
        pool.pos = CODEC_POOL;
        pool.upos = CODEC_UUID_POOL;
        pool.init = 1;
    }
}

static void die_rng(void)
{
    fprintf(stderr, "awsemu: the CSPRNG failed; refusing to continue\n");
    abort();
}

static void rand_or_die(void *buf, size_t n)
{
    if (RAND_bytes(buf, (int)n) != 1)
        die_rng();
}

void codec_random(void *buf, size_t n)
{
    pool_init();
    if (n > CODEC_POOL / 8) {
        rand_or_die(buf, n);
        return;
    }
    if (n > CODEC_POOL - pool.pos) {
        rand_or_die(pool.b, CODEC_POOL);
        pool.pos = 0;
        pool.drbg = 1;
    }
    memcpy(buf, pool.b + pool.pos, n);
    OPENSSL_cleanse(pool.b + pool.pos, n);
    pool.pos += n;
}

int codec_os_random(void *buf, size_t n)
{
    uint8_t *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* 16 bytes for a UUID: the DRBG's pool once this thread has it, else the
 * kernel-fed one (see codec_random). */
static void uuid_bytes(uint8_t b[16])
{
    pool_init();
    if (pool.drbg) {
        codec_random(b, 16);
        return;
    }
    if (16 > CODEC_UUID_POOL - pool.upos) {
        if (codec_os_random(pool.u, CODEC_UUID_POOL) != 0)
            die_rng();
        pool.upos = 0;
    }
    memcpy(b, pool.u + pool.upos, 16);
    OPENSSL_cleanse(pool.u + pool.upos, 16);
    pool.upos += 16;
}

void codec_uuid(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    size_t i, o = 0;

    uuid_bytes(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

int codec_is_uuid(const char *s, size_t n)
{
    size_t i;

    if (n != 36)
        return 0;
    for (i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                     (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

size_t codec_utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* SHA-256 and HMAC-SHA-256 through OpenSSL's SHA-256 functions themselves:
 * every request hashes its body and canonical request and computes an
 * HMAC, and the EVP layer's provider dispatch (an algorithm context
 * allocated per digest) cost more than the hashing; OpenSSL 3 marks these
 * functions deprecated but keeps them, with the same assembly underneath. */
int codec_sha256(const void *p, size_t n, uint8_t out[32])
{
    SHA256_CTX c;

    if (SHA256_Init(&c) != 1 || SHA256_Update(&c, n ? p : "", n) != 1 ||
        SHA256_Final(out, &c) != 1)
        return -1;
    return 0;
}

int codec_hmac_sha256(const void *key, size_t klen, const void *msg, size_t n, uint8_t out[32])
{
    uint8_t k[64], pad[64], inner[32];
    SHA256_CTX c;
    size_t i;
    int rc = -1;

    memset(k, 0, sizeof k);
    if (klen > sizeof k) {
        if (codec_sha256(key, klen, k) != 0)
            return -1;
    } else if (klen) {
        memcpy(k, key, klen);
    }
    for (i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    if (SHA256_Init(&c) != 1 || SHA256_Update(&c, pad, 64) != 1 ||
        SHA256_Update(&c, n ? msg : "", n) != 1 || SHA256_Final(inner, &c) != 1)
        goto out;
    for (i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    if (SHA256_Init(&c) != 1 || SHA256_Update(&c, pad, 64) != 1 ||
        SHA256_Update(&c, inner, 32) != 1 || SHA256_Final(out, &c) != 1)
        goto out;
    rc = 0;
out:
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(&c, sizeof c);
    return rc;
}
