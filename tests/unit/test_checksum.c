/* test_checksum.c — checksum: CRC check values ("123456789"), base64 values
 * published by AWS and the SDKs, SHA1/SHA256/MD5 vectors (FIPS 180, RFC
 * 1321), the tables against a bit-at-a-time reference, streaming in odd
 * pieces, CRC combination, names; prints CRC throughput. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/checksum.h"
#include "unit.h"

/* Digest of p[0..n) in one update; returns its length. */
static size_t digest(checksum_alg_t alg, const void *p, size_t n,
                     uint8_t out[CHECKSUM_MAX_DIGEST])
{
    checksum_t c;
    size_t len = 0;
    if (checksum_init(&c, alg) != 0)
        return 0;
    checksum_update(&c, p, n);
    checksum_final(&c, out, &len);
    return len;
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    out[2 * n] = '\0';
}

static const char *hex_of(checksum_alg_t alg, const void *p, size_t n)
{
    static char hex[2 * CHECKSUM_MAX_DIGEST + 1];
    uint8_t d[CHECKSUM_MAX_DIGEST];
    size_t len = digest(alg, p, n, d);
    to_hex(d, len, hex);
    return hex;
}

static const char *b64_of(checksum_alg_t alg, const void *p, size_t n)
{
    static char b64[45];
    uint8_t d[CHECKSUM_MAX_DIGEST];
    size_t len = digest(alg, p, n, d);
    checksum_b64(d, len, b64);
    return b64;
}

/* The CRC value (not the bytes) of p, from the big-endian digest. */
static uint64_t crc_of(checksum_alg_t alg, const void *p, size_t n)
{
    uint8_t d[CHECKSUM_MAX_DIGEST];
    size_t len = digest(alg, p, n, d), i;
    uint64_t v = 0;
    for (i = 0; i < len; i++)
        v = v << 8 | d[i];
    return v;
}

/* Bit-at-a-time reference: reflected, init = xorout = all ones. */
static uint64_t crc_ref(checksum_alg_t alg, const uint8_t *p, size_t n)
{
    uint64_t rpoly, mask, c;
    int k;
    switch (alg) {
    case CHECKSUM_CRC32:
        rpoly = 0xEDB88320u, mask = 0xFFFFFFFFu;
        break;
    case CHECKSUM_CRC32C:
        rpoly = 0x82F63B78u, mask = 0xFFFFFFFFu;
        break;
    default:
        rpoly = 0x9A6C9329AC4BC9B5ull, mask = ~(uint64_t)0;
        break;
    }
    c = mask;
    while (n--) {
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ rpoly : c >> 1;
    }
    return c ^ mask;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const checksum_alg_t crcs[] = {CHECKSUM_CRC32, CHECKSUM_CRC32C,
                                      CHECKSUM_CRC64NVME};
static const checksum_alg_t all[] = {CHECKSUM_CRC32,  CHECKSUM_CRC32C,
                                     CHECKSUM_CRC64NVME, CHECKSUM_SHA1,
                                     CHECKSUM_SHA256, CHECKSUM_MD5};

static void test_check_values(void)
{
    static const char nine[] = "123456789";
    CHECK(crc_of(CHECKSUM_CRC32, nine, 9) == 0xCBF43926u);
    CHECK(crc_of(CHECKSUM_CRC32C, nine, 9) == 0xE3069283u);
    CHECK(crc_of(CHECKSUM_CRC64NVME, nine, 9) == 0xAE8B14860A799888ull);
    CHECK_STR(hex_of(CHECKSUM_CRC32, nine, 9), "cbf43926");
    CHECK_STR(hex_of(CHECKSUM_CRC32C, nine, 9), "e3069283");
    CHECK_STR(hex_of(CHECKSUM_CRC64NVME, nine, 9), "ae8b14860a799888");
    /* the empty string */
    CHECK_STR(b64_of(CHECKSUM_CRC32, "", 0), "AAAAAA==");
    CHECK_STR(b64_of(CHECKSUM_CRC32C, "", 0), "AAAAAA==");
    CHECK_STR(b64_of(CHECKSUM_CRC64NVME, "", 0), "AAAAAAAAAAA=");
}

static void test_aws_examples(void)
{
    char *buf = malloc(66560);
    CHECK(buf != NULL);
    if (!buf)
        return;
    /* S3 docs, "Signature Calculations ... Including Trailing Headers":
       65536 + 1024 bytes of 'a', trailer x-amz-checksum-crc32c:sOO8/Q== */
    memset(buf, 'a', 66560);
    CHECK_STR(b64_of(CHECKSUM_CRC32C, buf, 66560), "sOO8/Q==");
    /* the SDKs' checksum tests (aws-sdk-go-v2, botocore, aws-sdk-ruby) */
    CHECK_STR(b64_of(CHECKSUM_CRC32, "hello world", 11), "DUoRhQ==");
    CHECK_STR(b64_of(CHECKSUM_CRC32, "hello ", 6), "7YH59g==");
    CHECK_STR(b64_of(CHECKSUM_CRC32, "Hello world", 11), "i9aeUg==");
    CHECK_STR(b64_of(CHECKSUM_CRC32C, "hello world", 11), "yZRlqg==");
    CHECK_STR(b64_of(CHECKSUM_SHA1, "hello world", 11), "Kq5sNclPz7QV2+lfQIuc6R7oRu0=");
    CHECK_STR(b64_of(CHECKSUM_SHA256, "hello world", 11),
              "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
    CHECK_STR(b64_of(CHECKSUM_MD5, "hello world", 11), "XrY7u+Ae7tCTyyK7j1rNww==");
    CHECK_STR(b64_of(CHECKSUM_MD5, "", 0), "1B2M2Y8AsgTpgAmY7PhCfg==");
    /* ceph s3-tests test_object_checksum_*: 1 KiB of 'A' */
    memset(buf, 'A', 1024);
    CHECK_STR(b64_of(CHECKSUM_CRC64NVME, buf, 1024), "Qeh8oXvGiSo=");
    CHECK_STR(b64_of(CHECKSUM_SHA256, buf, 1024),
              "arcu6553sHVAiX4MjW0j7I7vD4w6R+Gz9Ok0Q9lTa+0=");
    free(buf);
}

static void test_digest_vectors(void)
{
    static const char abc448[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char *million = malloc(1000000);
    /* FIPS 180-2 appendices */
    CHECK_STR(hex_of(CHECKSUM_SHA1, "abc", 3), "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK_STR(hex_of(CHECKSUM_SHA1, abc448, 56), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK_STR(hex_of(CHECKSUM_SHA1, "", 0), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK_STR(hex_of(CHECKSUM_SHA256, "abc", 3),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_STR(hex_of(CHECKSUM_SHA256, abc448, 56),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK_STR(hex_of(CHECKSUM_SHA256, "", 0),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    if (million) {
        memset(million, 'a', 1000000);
        CHECK_STR(hex_of(CHECKSUM_SHA1, million, 1000000),
                  "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        CHECK_STR(hex_of(CHECKSUM_SHA256, million, 1000000),
                  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    free(million);
    /* RFC 1321 test suite */
    CHECK_STR(hex_of(CHECKSUM_MD5, "", 0), "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_STR(hex_of(CHECKSUM_MD5, "a", 1), "0cc175b9c0f1b6a831c399e269772661");
    CHECK_STR(hex_of(CHECKSUM_MD5, "abc", 3), "900150983cd24fb0d6963f7d28e17f72");
    CHECK_STR(hex_of(CHECKSUM_MD5, "message digest", 14), "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK_STR(hex_of(CHECKSUM_MD5,
                     "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                     80),
              "57edf4a22be3c955ac49da2e2107b67a");
}

/* The table and folding code against the bit-at-a-time reference, at
 * every length 0..300 (both sides of the folding threshold, every tail) and
 * some long ones, at random offsets. */
static void test_reference(void)
{
    size_t cap = 70016, i, n, a, k, bad = 0;
    uint8_t *buf = malloc(cap);
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (i = 0; i < cap; i++)
        buf[i] = (uint8_t)rnd();
    for (a = 0; a < sizeof crcs / sizeof crcs[0]; a++) {
        for (n = 0; n <= 300; n++) {
            size_t off = rnd() % 16;
            if (crc_of(crcs[a], buf + off, n) != crc_ref(crcs[a], buf + off, n))
                bad++;
        }
        for (k = 0; k < 8; k++) {
            size_t off = rnd() % 16;
            n = k == 0 ? 70000 : 301 + rnd() % (70000 - 301);
            if (crc_of(crcs[a], buf + off, n) != crc_ref(crcs[a], buf + off, n))
                bad++;
        }
    }
    CHECK(bad == 0);
    free(buf);
}

/* Feeding the bytes in random odd pieces gives the one-shot digest. */
static void test_streaming(void)
{
    size_t n = 100003, a, round;
    uint8_t *buf = malloc(n);
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (a = 0; a < n; a++)
        buf[a] = (uint8_t)rnd();
    for (a = 0; a < sizeof all / sizeof all[0]; a++) {
        uint8_t want[CHECKSUM_MAX_DIGEST];
        size_t wlen = digest(all[a], buf, n, want);
        CHECK(wlen == checksum_len(all[a]));
        for (round = 0; round < 4; round++) {
            uint8_t got[CHECKSUM_MAX_DIGEST];
            size_t glen = 0, off = 0;
            checksum_t c;
            CHECK(checksum_init(&c, all[a]) == 0);
            while (off < n) {
                size_t step = round == 0 ? 1 : 1 + rnd() % (round == 1 ? 17 : 9000);
                if (step > n - off)
                    step = n - off;
                checksum_update(&c, buf + off, step);
                checksum_update(&c, buf + off, 0);
                off += step;
            }
            checksum_final(&c, got, &glen);
            CHECK(glen == wlen && memcmp(got, want, wlen) == 0);
        }
    }
    free(buf);
}

/* combine(crc(a), crc(b), len(b)) == crc(a||b), for random splits. */
static void test_combine(void)
{
    size_t n = 70001, a, round, bad = 0;
    uint8_t *buf = malloc(n);
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (a = 0; a < n; a++)
        buf[a] = (uint8_t)rnd();
    for (a = 0; a < sizeof crcs / sizeof crcs[0]; a++) {
        uint64_t whole = crc_of(crcs[a], buf, n);
        for (round = 0; round < 40; round++) {
            size_t cut = round == 0 ? 0 : round == 1 ? n : rnd() % (n + 1);
            uint64_t ca = crc_of(crcs[a], buf, cut);
            uint64_t cb = crc_of(crcs[a], buf + cut, n - cut);
            if (checksum_crc_combine(crcs[a], ca, cb, n - cut) != whole)
                bad++;
        }
        /* three parts, left to right, as a multipart full-object CRC */
        {
            size_t c1 = 1 + rnd() % (n / 2), c2 = c1 + rnd() % (n - c1);
            uint64_t acc = crc_of(crcs[a], buf, c1);
            acc = checksum_crc_combine(crcs[a], acc, crc_of(crcs[a], buf + c1, c2 - c1),
                                       c2 - c1);
            acc = checksum_crc_combine(crcs[a], acc, crc_of(crcs[a], buf + c2, n - c2),
                                       n - c2);
            CHECK(acc == whole);
        }
        /* appending nothing changes nothing */
        CHECK(checksum_crc_combine(crcs[a], whole, 0, 0) == whole);
    }
    CHECK(bad == 0);
    /* "1234" + "56789" */
    CHECK(checksum_crc_combine(CHECKSUM_CRC64NVME, crc_of(CHECKSUM_CRC64NVME, "1234", 4),
                               crc_of(CHECKSUM_CRC64NVME, "56789", 5), 5) ==
          0xAE8B14860A799888ull);
    /* huge lengths terminate (5 GiB of zeros after "123456789") and agree
       with combining in two steps */
    {
        uint64_t z = 0; /* CRC of n zero bytes is not 0, but combine is linear */
        uint64_t g = 5ull << 30;
        uint64_t one = checksum_crc_combine(CHECKSUM_CRC32, 0xCBF43926u, z, g);
        uint64_t two = checksum_crc_combine(
            CHECKSUM_CRC32, checksum_crc_combine(CHECKSUM_CRC32, 0xCBF43926u, z, g / 2), z,
            g / 2);
        CHECK(one == two);
        CHECK(checksum_crc_combine(CHECKSUM_CRC64NVME, 1, 0, UINT64_MAX) != 0);
    }
    CHECK(checksum_crc_combine(CHECKSUM_SHA256, 1, 2, 3) == 0);
    free(buf);
}

static void test_names(void)
{
    size_t i;
    CHECK(checksum_alg_parse("CRC32") == CHECKSUM_CRC32);
    CHECK(checksum_alg_parse("crc32c") == CHECKSUM_CRC32C);
    CHECK(checksum_alg_parse("Crc64Nvme") == CHECKSUM_CRC64NVME);
    CHECK(checksum_alg_parse("sha1") == CHECKSUM_SHA1);
    CHECK(checksum_alg_parse("SHA256") == CHECKSUM_SHA256);
    CHECK(checksum_alg_parse("MD5") == CHECKSUM_NONE);
    CHECK(checksum_alg_parse("CRC32 ") == CHECKSUM_NONE);
    CHECK(checksum_alg_parse("") == CHECKSUM_NONE);
    CHECK(checksum_alg_parse(NULL) == CHECKSUM_NONE);
    CHECK_STR(checksum_alg_name(CHECKSUM_CRC64NVME), "CRC64NVME");
    CHECK(checksum_alg_name(CHECKSUM_MD5) == NULL);
    CHECK(checksum_alg_name(CHECKSUM_NONE) == NULL);
    CHECK_STR(checksum_header_name(CHECKSUM_CRC32C), "x-amz-checksum-crc32c");
    CHECK_STR(checksum_header_name(CHECKSUM_SHA256), "x-amz-checksum-sha256");
    CHECK(checksum_header_name(CHECKSUM_MD5) == NULL);
    CHECK(checksum_len(CHECKSUM_CRC32) == 4 && checksum_len(CHECKSUM_CRC32C) == 4 &&
          checksum_len(CHECKSUM_CRC64NVME) == 8 && checksum_len(CHECKSUM_SHA1) == 20 &&
          checksum_len(CHECKSUM_SHA256) == 32 && checksum_len(CHECKSUM_MD5) == 16 &&
          checksum_len(CHECKSUM_NONE) == 0);
    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i] != CHECKSUM_MD5)
            CHECK(checksum_alg_parse(checksum_alg_name(all[i])) == all[i]);
    /* NONE digests nothing; free without final releases the EVP context
       (valgrind checks) */
    {
        checksum_t c;
        uint8_t d[CHECKSUM_MAX_DIGEST];
        size_t len = 99;
        CHECK(checksum_init(&c, CHECKSUM_NONE) == 0);
        checksum_update(&c, "x", 1);
        checksum_final(&c, d, &len);
        CHECK(len == 0);
        CHECK(checksum_init(&c, CHECKSUM_SHA256) == 0);
        checksum_update(&c, "x", 1);
        checksum_free(&c);
        checksum_free(&c);
        CHECK(checksum_init(&c, (checksum_alg_t)99) == -1);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Prints MB/s for each CRC over an 8 MiB buffer (not a pass/fail check:
   sanitizers and valgrind are slow). */
static void bench(void)
{
    size_t n = 8u << 20, a, i;
    uint8_t *buf = malloc(n);
    if (!buf)
        return;
    for (i = 0; i < n; i++)
        buf[i] = (uint8_t)i;
    for (a = 0; a < sizeof crcs / sizeof crcs[0]; a++) {
        double t0 = now_s(), t;
        size_t reps = 0;
        uint64_t sink = 0;
        do {
            sink ^= crc_of(crcs[a], buf, n);
            reps++;
            t = now_s() - t0;
        } while (t < 0.25 && reps < 64);
        printf("checksum %-9s %8.0f MB/s (%llx)\n", checksum_alg_name(crcs[a]),
               (double)n * reps / t / 1e6, (unsigned long long)(sink & 0xf));
    }
    free(buf);
}

int main(void)
{
    test_check_values();
    test_aws_examples();
    test_digest_vectors();
    test_reference();
    test_streaming();
    test_combine();
    test_names();
    bench();
    return unit_report("checksum");
}
