/* test_awschunked.c — the aws-chunked decoder: the two signed PUT Object
 * examples of the S3 documentation (plain and with a trailing checksum)
 * verified in one piece, byte by byte and in random splits; tampered
 * signatures and data; the unsigned bodies botocore and the AWS SDK for
 * JavaScript v3 send; a table of malformed framing, each case also fed byte
 * by byte. Run from the repo root. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "emulator/awschunked.h"
#include "base/checksum.h"
#include "authz/sigv4.h"
#include "unit.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define SCOPE "20130524/us-east-1/s3/aws4_request"
#define AMZ_DATE "20130524T000000Z"

/* "Transferring Payload in Multiple Chunks": seed and chunk signatures */
#define SEED "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
#define SIG1 "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
#define SIG2 "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
#define SIG3 "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
/* "Including Trailing Headers": the same data with x-amz-checksum-crc32c */
#define TSEED "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
#define TSIG1 "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
#define TSIG2 "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"
#define TSIG3 "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
#define TRSIG "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static unsigned char key[32];

/* ---- a growable output sink and a driver -------------------------------- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
    int fail_at; /* emit call number that fails (-5), or -1 */
    int calls;
} sink_t;

static int sink_emit(void *arg, const uint8_t *p, size_t n)
{
    sink_t *s = arg;
    if (s->fail_at >= 0 && s->calls++ == s->fail_at)
        return -5;
    if (s->len + n > s->cap) {
        size_t cap = (s->len + n) * 2;
        uint8_t *q = realloc(s->p, cap);
        if (!q)
            return -6;
        s->p = q;
        s->cap = cap;
    }
    memcpy(s->p + s->len, p, n);
    s->len += n;
    return 0;
}

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define SPLIT_ONE 0    /* one feed */
#define SPLIT_BYTES 1  /* one byte per feed */
#define SPLIT_RANDOM 2 /* random pieces, some empty */

/* Sets up st for verify with seed (NULL: no verification). */
static void setup(awschunked_t *st, const char *seed)
{
    awschunked_init(st);
    if (!seed)
        return;
    st->verify = 1;
    memcpy(st->signing_key, key, 32);
    strcpy(st->amz_date, AMZ_DATE);
    strcpy(st->scope, SCOPE);
    strcpy(st->prev_sig, seed);
}

/* Feeds body[0..n) to st in the given way. Returns the first negative code,
 * else the total consumed. Output lands in out. */
static long run(awschunked_t *st, const uint8_t *body, size_t n, int split, sink_t *out)
{
    size_t off = 0;
    long total = 0;
    do {
        size_t step = split == SPLIT_ONE ? n - off
                      : split == SPLIT_BYTES ? (n - off ? 1 : 0)
                                             : (size_t)(rnd() % 4 == 0 ? 0 : rnd() % 9000);
        ssize_t r;
        if (step > n - off)
            step = n - off;
        r = awschunked_feed(st, body + off, step, sink_emit, out);
        if (r < 0)
            return (long)r;
        if ((size_t)r > step)
            return -100; /* never: more consumed than given */
        total += r;
        if ((size_t)r < step || st->done)
            return total;
        off += step;
    } while (off < n);
    return total;
}

/* Decodes body (n bytes) with verification from seed (or none) and returns
 * the result code, filling *out (caller frees out->p). */
static long decode(const uint8_t *body, size_t n, const char *seed, int split,
                   sink_t *out, awschunked_t *st)
{
    long r;
    memset(out, 0, sizeof *out);
    out->fail_at = -1;
    setup(st, seed);
    r = run(st, body, n, split, out);
    awschunked_free(st);
    return r;
}

/* ---- bodies ------------------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t len;
} body_t;

static void put(body_t *b, const void *p, size_t n)
{
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void puts_(body_t *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_a(body_t *b, size_t n)
{
    memset(b->p + b->len, 'a', n);
    b->len += n;
}

/* The documentation's 65536 + 1024 bytes of 'a', signed with sig1..sig3,
 * then trailers (may be NULL) and the final CRLF. */
static body_t doc_body(const char *sig1, const char *sig2, const char *sig3,
                       const char *trailers)
{
    body_t b = {malloc(70000), 0};
    if (!b.p)
        return b;
    puts_(&b, "10000;chunk-signature=");
    puts_(&b, sig1);
    puts_(&b, "\r\n");
    put_a(&b, 65536);
    puts_(&b, "\r\n400;chunk-signature=");
    puts_(&b, sig2);
    puts_(&b, "\r\n");
    put_a(&b, 1024);
    puts_(&b, "\r\n0;chunk-signature=");
    puts_(&b, sig3);
    puts_(&b, "\r\n");
    if (trailers)
        puts_(&b, trailers);
    puts_(&b, "\r\n");
    return b;
}

static int all_a(const sink_t *s, size_t n)
{
    size_t i;
    if (s->len != n)
        return 0;
    for (i = 0; i < n; i++)
        if (s->p[i] != 'a')
            return 0;
    return 1;
}

/* ---- tests -------------------------------------------------------------- */

static void test_signed_example(void)
{
    body_t b = doc_body(SIG1, SIG2, SIG3, NULL);
    awschunked_t st;
    sink_t out;
    int split, round;

    CHECK(b.p != NULL);
    if (!b.p)
        return;
    CHECK(b.len == 66824); /* the example's Content-Length */
    for (split = SPLIT_ONE; split <= SPLIT_RANDOM; split++)
        for (round = 0; round < (split == SPLIT_RANDOM ? 20 : 1); round++) {
            CHECK(decode(b.p, b.len, SEED, split, &out, &st) == (long)b.len);
            CHECK(st.done == 1);
            CHECK(st.decoded_len == 66560);
            CHECK(all_a(&out, 66560));
            CHECK_STR(st.prev_sig, SIG3);
            CHECK(st.ntrailers == 0);
            CHECK(st.sha == NULL);
            free(out.p);
        }
    /* the chunk signatures are sigv4_chunk_signature's */
    {
        char c1[65];
        CHECK(sigv4_chunk_signature(key, AMZ_DATE, SCOPE, SEED, b.p + 88, 65536, c1) == 0);
        CHECK_STR(c1, SIG1);
    }
    /* without verification the same body decodes */
    CHECK(decode(b.p, b.len, NULL, SPLIT_ONE, &out, &st) == (long)b.len);
    CHECK(st.done && all_a(&out, 66560));
    free(out.p);
    /* bytes after the end are not consumed */
    {
        uint8_t *more = malloc(b.len + 5);
        if (more) {
            memcpy(more, b.p, b.len);
            memcpy(more + b.len, "extra", 5);
            CHECK(decode(more, b.len + 5, SEED, SPLIT_ONE, &out, &st) == (long)b.len);
            CHECK(st.done);
            free(out.p);
            free(more);
        }
    }
    free(b.p);
}

static void test_signed_tampered(void)
{
    static const char *flips[3][3] = {
        {"bd80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", SIG2, SIG3},
        {SIG1, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5496", SIG3},
        {SIG1, SIG2, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df8"},
    };
    awschunked_t st;
    sink_t out;
    size_t i;

    for (i = 0; i < 3; i++) {
        body_t b = doc_body(flips[i][0], flips[i][1], flips[i][2], NULL);
        if (!b.p)
            continue;
        CHECK(decode(b.p, b.len, SEED, SPLIT_ONE, &out, &st) == AWSCHUNKED_BADSIG);
        CHECK(!st.done);
        free(out.p);
        CHECK(decode(b.p, b.len, SEED, SPLIT_BYTES, &out, &st) == AWSCHUNKED_BADSIG);
        free(out.p);
        /* unverified, the signatures are only syntax */
        CHECK(decode(b.p, b.len, NULL, SPLIT_ONE, &out, &st) == (long)b.len);
        free(out.p);
        free(b.p);
    }
    {
        body_t b = doc_body(SIG1, SIG2, SIG3, NULL);
        if (b.p) {
            /* a wrong seed fails the first chunk */
            CHECK(decode(b.p, b.len, SIG1, SPLIT_ONE, &out, &st) == AWSCHUNKED_BADSIG);
            CHECK(out.len == 65536);
            free(out.p);
            /* one changed data byte in the second chunk */
            b.p[88 + 65536 + 2 + 86 + 10] = 'b';
            CHECK(decode(b.p, b.len, SEED, SPLIT_RANDOM, &out, &st) == AWSCHUNKED_BADSIG);
            free(out.p);
            /* errors are sticky */
            setup(&st, SEED);
            out.p = NULL, out.len = out.cap = 0, out.fail_at = -1;
            CHECK(awschunked_feed(&st, b.p, b.len, sink_emit, &out) == AWSCHUNKED_BADSIG);
            CHECK(awschunked_feed(&st, (const uint8_t *)"0\r\n\r\n", 5, sink_emit, &out) ==
                  AWSCHUNKED_ERROR);
            awschunked_free(&st);
            free(out.p);
            free(b.p);
        }
    }
}

static void test_signed_trailer_example(void)
{
    static const char trailers[] = "x-amz-checksum-crc32c:sOO8/Q==\r\n"
                                   "x-amz-trailer-signature:" TRSIG "\r\n";
    body_t b = doc_body(TSIG1, TSIG2, TSIG3, trailers);
    awschunked_t st;
    sink_t out;
    int split;

    if (!b.p)
        return;
    CHECK(b.len == 66946);
    for (split = SPLIT_ONE; split <= SPLIT_RANDOM; split++) {
        CHECK(decode(b.p, b.len, TSEED, split, &out, &st) == (long)b.len);
        CHECK(st.done && all_a(&out, 66560));
        CHECK(st.ntrailers == 1);
        CHECK_STR(awschunked_trailer(&st, "x-amz-checksum-crc32c"), "sOO8/Q==");
        CHECK(awschunked_trailer(&st, "x-amz-trailer-signature") == NULL);
        CHECK(awschunked_trailer(&st, "x-amz-checksum-crc32") == NULL);
        CHECK_STR(st.prev_sig, TSIG3);
        free(out.p);
    }
    /* the decoded data matches the trailer */
    {
        uint8_t d[CHECKSUM_MAX_DIGEST];
        char b64[45];
        size_t len;
        checksum_t c;
        CHECK(decode(b.p, b.len, TSEED, SPLIT_ONE, &out, &st) == (long)b.len);
        CHECK(checksum_init(&c, CHECKSUM_CRC32C) == 0);
        checksum_update(&c, out.p, out.len);
        checksum_final(&c, d, &len);
        checksum_b64(d, len, b64);
        CHECK_STR(b64, awschunked_trailer(&st, "x-amz-checksum-crc32c"));
        free(out.p);
    }
    free(b.p);

    /* a changed trailer value, a changed or missing trailer signature */
    b = doc_body(TSIG1, TSIG2, TSIG3,
                 "x-amz-checksum-crc32c:sOO8/Q=A\r\nx-amz-trailer-signature:" TRSIG "\r\n");
    if (b.p) {
        CHECK(decode(b.p, b.len, TSEED, SPLIT_BYTES, &out, &st) == AWSCHUNKED_BADSIG);
        free(out.p);
        CHECK(decode(b.p, b.len, NULL, SPLIT_ONE, &out, &st) == (long)b.len);
        free(out.p);
        free(b.p);
    }
    b = doc_body(TSIG1, TSIG2, TSIG3,
                 "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:" HEX64 "\r\n");
    if (b.p) {
        CHECK(decode(b.p, b.len, TSEED, SPLIT_ONE, &out, &st) == AWSCHUNKED_BADSIG);
        free(out.p);
        free(b.p);
    }
    b = doc_body(TSIG1, TSIG2, TSIG3, "x-amz-checksum-crc32c:sOO8/Q==\r\n");
    if (b.p) {
        CHECK(decode(b.p, b.len, TSEED, SPLIT_ONE, &out, &st) == AWSCHUNKED_BADSIG);
        free(out.p);
        CHECK(decode(b.p, b.len, NULL, SPLIT_ONE, &out, &st) == (long)b.len);
        CHECK_STR(awschunked_trailer(&st, "x-amz-checksum-crc32c"), "sOO8/Q==");
        free(out.p);
        free(b.p);
    }
}

/* STREAMING-UNSIGNED-PAYLOAD-TRAILER as the SDKs send it. */
static void test_unsigned(void)
{
    /* botocore, byte for byte */
    static const char boto[] = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    awschunked_t st;
    sink_t out;
    int split;

    for (split = SPLIT_ONE; split <= SPLIT_RANDOM; split++) {
        CHECK(decode((const uint8_t *)boto, sizeof boto - 1, NULL, split, &out, &st) ==
              (long)sizeof boto - 1);
        CHECK(st.done && out.len == 11 && memcmp(out.p, "hello world", 11) == 0);
        CHECK(st.decoded_len == 11);
        CHECK_STR(awschunked_trailer(&st, "x-amz-checksum-crc32"), "DUoRhQ==");
        free(out.p);
    }

    /* the AWS SDK for JavaScript v3 (getAwsChunkedEncodingStream): one
       "<hex>\r\n<data>\r\n" per stream chunk, "0\r\n", the checksum line,
       "\r\n" */
    {
        size_t n = 200000, i, len;
        uint8_t *data = malloc(n), d[CHECKSUM_MAX_DIGEST];
        char *body = malloc(n + 256), b64[45];
        size_t bl = 0;
        checksum_t c;
        if (data && body) {
            for (i = 0; i < n; i++)
                data[i] = (uint8_t)rnd();
            CHECK(checksum_init(&c, CHECKSUM_CRC32) == 0);
            checksum_update(&c, data, n);
            checksum_final(&c, d, &len);
            checksum_b64(d, len, b64);
            /* Node streams hand over 64 KiB pieces */
            for (i = 0; i < n; i += 65536) {
                size_t k = n - i < 65536 ? n - i : 65536;
                bl += (size_t)sprintf(body + bl, "%zx\r\n", k);
                memcpy(body + bl, data + i, k);
                bl += k;
                memcpy(body + bl, "\r\n", 2);
                bl += 2;
            }
            bl += (size_t)sprintf(body + bl, "0\r\nx-amz-checksum-crc32:%s\r\n\r\n", b64);
            for (split = SPLIT_ONE; split <= SPLIT_RANDOM; split++) {
                CHECK(decode((uint8_t *)body, bl, NULL, split, &out, &st) == (long)bl);
                CHECK(st.done && out.len == n && memcmp(out.p, data, n) == 0);
                CHECK_STR(awschunked_trailer(&st, "x-amz-checksum-crc32"), b64);
                free(out.p);
            }
        }
        free(data);
        free(body);
    }
}

/* emit's error stops decoding and comes back; the decoder stays failed. */
static void test_emit_error(void)
{
    static const char body[] = "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";
    awschunked_t st;
    sink_t out = {NULL, 0, 0, 1, 0};
    setup(&st, NULL);
    CHECK(awschunked_feed(&st, (const uint8_t *)body, sizeof body - 1, sink_emit, &out) == -5);
    CHECK(out.len == 3);
    CHECK(awschunked_feed(&st, (const uint8_t *)"0\r\n\r\n", 5, sink_emit, &out) ==
          AWSCHUNKED_ERROR);
    awschunked_free(&st);
    free(out.p);
    /* a NULL emit discards */
    setup(&st, NULL);
    CHECK(awschunked_feed(&st, (const uint8_t *)body, sizeof body - 1, NULL, NULL) ==
          (ssize_t)sizeof body - 1);
    CHECK(st.done && st.decoded_len == 6);
    /* done: nothing more is consumed */
    CHECK(awschunked_feed(&st, (const uint8_t *)"5\r\n", 3, NULL, NULL) == 0);
    awschunked_free(&st);
}

#define OK 0           /* done, all consumed */
#define MORE 1         /* all consumed, not done */

static void test_framing(void)
{
    static char long_line[700], long_value[300], long_name[200], many[600];
    static const struct {
        const char *body;
        long want;       /* OK, MORE or an AWSCHUNKED_* code */
        const char *out; /* decoded payload when not an error */
        int verify;
    } cases[] = {
        {"5\r\nhello\r\n0\r\n\r\n", OK, "hello", 0},
        {"5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", OK, "helloabc", 0},
        {"0\r\n\r\n", OK, "", 0},
        {"00\r\n\r\n", OK, "", 0},
        {"A\r\n0123456789\r\n0\r\n\r\n", OK, "0123456789", 0},
        {"a\r\n0123456789\r\n0\r\n\r\n", OK, "0123456789", 0},
        {"5\r\nhello\r\n0\r\n", MORE, "hello", 0},
        {"5\r\nhel", MORE, "hel", 0},
        {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n", MORE, "hello", 0},
        {"10000000000\r\n", MORE, "", 0}, /* 2^40 exactly */
        {"5;chunk-signature=" HEX64 "\r\nhello\r\n0;chunk-signature=" HEX64 "\r\n\r\n", OK,
         "hello", 0},
        {"5\r\nhello\r\n0\r\nX-Amz-Checksum-CRC32: \tAAAAAA== \r\n\r\n", OK, "hello", 0},
        {"5\r\nhello\r\n0\r\nx-amz-meta-a:\r\n\r\n", OK, "hello", 0},
        {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:" HEX64
         "\r\n\r\n",
         OK, "hello", 0},
        /* bare LF or CR anywhere */
        {"5\nhello\r\n0\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\n0\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\r\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\r\n0\r\n\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\r\n0\r\n\rx", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\r\n0\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\rhello", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        /* the data is not its announced size */
        {"5\r\nhelloX\r\n0\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhell\r\n0\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        /* size lines */
        {"\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {" 5\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5 \r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"+5\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"-5\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0x5\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"g\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\0\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5;\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5;foo=bar\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5;chunk-signature=\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5;chunk-signature=abc\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5;chunk-signature=" HEX64 "0\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5;chunk-signature=" HEX64 ";x=y\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5;chunk-signature=0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
         "\r\nhello\r\n",
         AWSCHUNKED_ERROR, NULL, 0},
        {"5;Chunk-Signature=" HEX64 "\r\nhello\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"10000000001\r\n", AWSCHUNKED_TOOBIG, NULL, 0},
        {"ffffffffffffffff\r\n", AWSCHUNKED_TOOBIG, NULL, 0},
        {"00000000000000005\r\n", AWSCHUNKED_TOOBIG, NULL, 0},
        /* signed and unsigned chunks mixed; verify wants signatures */
        {"5;chunk-signature=" HEX64 "\r\nhello\r\n0\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\r\n0;chunk-signature=" HEX64 "\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"5\r\nhello\r\n0\r\n\r\n", AWSCHUNKED_ERROR, NULL, 1},
        {"0\r\n\r\n", AWSCHUNKED_ERROR, NULL, 1},
        {"5;chunk-signature=" HEX64 "\r\nhello\r\n", AWSCHUNKED_BADSIG, NULL, 1},
        /* trailers */
        {"0\r\nx-amz-checksum-crc32\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\n:AAAAAA==\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\n x-amz-checksum-crc32:AAAAAA==\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx-amz-checksum-crc32 :AAAAAA==\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx amz:1\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx-amz-a:1\x01\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx-amz-a:\xc3\xa9\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx-amz-a:1\r\nX-AMZ-A:2\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx-amz-trailer-signature:abc\r\n\r\n", AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx-amz-trailer-signature:" HEX64 "\r\nx-amz-a:1\r\n\r\n", AWSCHUNKED_ERROR,
         NULL, 0},
        {"0\r\nx-amz-trailer-signature:" HEX64 "\r\nx-amz-trailer-signature:" HEX64
         "\r\n\r\n",
         AWSCHUNKED_ERROR, NULL, 0},
        {"0\r\nx-amz-a:1\r\nx-amz-b:2\r\nx-amz-c:3\r\nx-amz-d:4\r\nx-amz-e:5\r\nx-amz-f:6\r\n"
         "x-amz-g:7\r\nx-amz-h:8\r\n\r\n",
         OK, "", 0},
        {many, AWSCHUNKED_TOOBIG, NULL, 0},
        {long_value, AWSCHUNKED_TOOBIG, NULL, 0},
        {long_name, AWSCHUNKED_TOOBIG, NULL, 0},
        {long_line, AWSCHUNKED_TOOBIG, NULL, 0},
    };
    size_t i;
    int split;

    strcpy(many, "0\r\nx-amz-a:1\r\nx-amz-b:2\r\nx-amz-c:3\r\nx-amz-d:4\r\nx-amz-e:5\r\n"
                 "x-amz-f:6\r\nx-amz-g:7\r\nx-amz-h:8\r\nx-amz-i:9\r\n\r\n");
    strcpy(long_value, "0\r\nx-amz-checksum-sha256:");
    memset(long_value + strlen(long_value), 'A', 160);
    strcat(long_value, "\r\n\r\n");
    strcpy(long_name, "0\r\nx-amz-");
    memset(long_name + strlen(long_name), 'n', 60);
    strcat(long_name, ":1\r\n\r\n");
    strcpy(long_line, "5;chunk-signature=");
    memset(long_line + strlen(long_line), '0', 600);

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* "5\0\r\n" holds a NUL: its length is written out */
        size_t n = cases[i].body[0] == '5' && cases[i].body[1] == '\0'
                       ? 11
                       : strlen(cases[i].body);
        for (split = SPLIT_ONE; split <= SPLIT_BYTES; split++) {
            awschunked_t st;
            sink_t out;
            long r = decode((const uint8_t *)cases[i].body, n,
                            cases[i].verify ? SEED : NULL, split, &out, &st);
            int ok;
            if (cases[i].want < 0)
                ok = r == cases[i].want && !st.done;
            else
                ok = r == (long)n && st.done == (cases[i].want == OK) &&
                     out.len == strlen(cases[i].out) &&
                     memcmp(out.p ? (const char *)out.p : "", cases[i].out, out.len) == 0;
            if (!ok)
                fprintf(stderr, "framing case %zu (split %d): got %ld, done %d\n", i,
                        split, r, st.done);
            CHECK(ok);
            free(out.p);
        }
    }
}

int main(void)
{
    CHECK(sigv4_signing_key(SECRET, "20130524", "us-east-1", "s3", key) == 0);
    test_signed_example();
    test_signed_tampered();
    test_signed_trailer_example();
    test_unsigned();
    test_emit_error();
    test_framing();
    OPENSSL_cleanse(key, sizeof key);
    return unit_report("awschunked");
}
