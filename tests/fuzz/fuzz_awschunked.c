/* fuzz_awschunked.c — fuzz target for the aws-chunked decoder. Input: byte 0
 * bit 0 = verify signatures (key, date and scope of the S3 documentation's
 * example, seed = its seed signature), bytes 0-1 seed the split pattern; the
 * rest is the body. The body is decoded in one feed and again in
 * data-derived pieces (some empty); both runs must agree on the result code,
 * bytes consumed, payload, done flag and trailers. Invariants: decoded bytes
 * <= consumed <= input, decoded_len == bytes emitted, trailers NUL-terminated
 * and lower-case, never a crash or leak. */
#include "emulator/awschunked.h"
#include "authz/sigv4.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_awschunked:%d: invariant failed: %s\n",      \
                    __LINE__, #c);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

#define SEED "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"

typedef struct {
    uint8_t *p;
    size_t len, cap;
} sink_t;

static int emit(void *arg, const uint8_t *p, size_t n)
{
    sink_t *s = arg;
    FUZZ_CHECK(n > 0);
    FUZZ_CHECK(s->len + n <= s->cap); /* decoded <= input */
    memcpy(s->p + s->len, p, n);
    s->len += n;
    return 0;
}

static unsigned char key[32];
static int have_key;

static void setup(awschunked_t *st, int verify)
{
    awschunked_init(st);
    if (!verify)
        return;
    if (!have_key) {
        FUZZ_CHECK(sigv4_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                     "20130524", "us-east-1", "s3", key) == 0);
        have_key = 1;
    }
    st->verify = 1;
    memcpy(st->signing_key, key, sizeof key);
    strcpy(st->amz_date, "20130524T000000Z");
    strcpy(st->scope, "20130524/us-east-1/s3/aws4_request");
    strcpy(st->prev_sig, SEED);
}

/* Feeds body in pieces from the xorshift state rng (0: one piece). Returns
 * the first negative code or the bytes consumed. */
static long run(awschunked_t *st, const uint8_t *body, size_t n, uint32_t rng,
                sink_t *out)
{
    size_t off = 0;
    long total = 0;
    do {
        size_t step = n - off;
        ssize_t r;
        if (rng) {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            step = (rng & 3) == 0 ? 0 : (rng >> 2) % ((rng & 0x100) ? 200 : 7);
            if (step > n - off)
                step = n - off;
        }
        r = awschunked_feed(st, body + off, step, emit, out);
        if (r < 0) {
            FUZZ_CHECK(r == AWSCHUNKED_ERROR || r == AWSCHUNKED_BADSIG ||
                       r == AWSCHUNKED_TOOBIG);
            FUZZ_CHECK(!st->done);
            /* errors are sticky */
            FUZZ_CHECK(awschunked_feed(st, body, n, emit, out) == AWSCHUNKED_ERROR);
            return (long)r;
        }
        FUZZ_CHECK((size_t)r <= step);
        total += r;
        if ((size_t)r < step) {
            FUZZ_CHECK(st->done);
            return total;
        }
        off += step;
        if (st->done)
            return total;
    } while (off < n);
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    awschunked_t a, b;
    sink_t oa = {NULL, 0, 0}, ob = {NULL, 0, 0};
    const uint8_t *body;
    size_t n;
    long ra, rb;
    int verify, i;
    uint32_t rng;

    if (size < 2)
        return 0;
    verify = data[0] & 1;
    rng = ((uint32_t)data[0] << 8 | data[1]) * 2654435761u + 1;
    body = data + 2;
    n = size - 2;
    oa.cap = ob.cap = n;
    oa.p = malloc(n ? n : 1);
    ob.p = malloc(n ? n : 1);
    FUZZ_CHECK(oa.p && ob.p);

    setup(&a, verify);
    setup(&b, verify);
    ra = run(&a, body, n, 0, &oa);
    rb = run(&b, body, n, rng ? rng : 1, &ob);

    FUZZ_CHECK(ra == rb);
    FUZZ_CHECK(a.done == b.done);
    FUZZ_CHECK(oa.len == ob.len && memcmp(oa.p, ob.p, oa.len) == 0);
    FUZZ_CHECK(a.decoded_len == oa.len && b.decoded_len == ob.len);
    if (ra >= 0) {
        FUZZ_CHECK((size_t)ra <= n);
        FUZZ_CHECK(oa.len <= (size_t)ra);
        FUZZ_CHECK(a.done || (size_t)ra == n);
    }
    FUZZ_CHECK(a.ntrailers == b.ntrailers);
    FUZZ_CHECK(a.ntrailers >= 0 && a.ntrailers <= AWSCHUNKED_MAX_TRAILERS);
    for (i = 0; i < a.ntrailers; i++) {
        const char *nm = a.trailers[i].name;
        FUZZ_CHECK(memchr(nm, '\0', sizeof a.trailers[i].name) != NULL);
        FUZZ_CHECK(memchr(a.trailers[i].value, '\0', sizeof a.trailers[i].value) != NULL);
        FUZZ_CHECK(nm[0] != '\0');
        for (; *nm; nm++)
            FUZZ_CHECK(!(*nm >= 'A' && *nm <= 'Z'));
        FUZZ_CHECK(strcmp(a.trailers[i].name, b.trailers[i].name) == 0);
        FUZZ_CHECK(strcmp(a.trailers[i].value, b.trailers[i].value) == 0);
        FUZZ_CHECK(awschunked_trailer(&a, a.trailers[i].name) == a.trailers[i].value);
    }
    if (a.done && verify)
        FUZZ_CHECK(strlen(a.prev_sig) == 64);

    awschunked_free(&a);
    awschunked_free(&b);
    free(oa.p);
    free(ob.p);
    return 0;
}
