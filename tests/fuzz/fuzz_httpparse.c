/* fuzz_httpparse.c — fuzz target for httpparse: parses a request head, then
 * runs the rest of the input (or all of it, when there is no complete head)
 * through the chunked decoder one-shot, split at a data-derived point and
 * byte by byte, and checks that all three agree. */
#include "base/httpparse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_httpparse:%d: invariant failed: %s\n",       \
                    __LINE__, #c);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

static int inside(const char *p, size_t n, const char *buf, size_t len)
{
    return p >= buf && n <= len && p - buf <= (ptrdiff_t)(len - n);
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static void check_head(const httpparse_head_t *h, const char *buf, size_t len)
{
    size_t i, j;

    FUZZ_CHECK(h->method_len > 0 && inside(h->method, h->method_len, buf, len));
    FUZZ_CHECK(h->target_len > 0 && inside(h->target, h->target_len, buf, len));
    FUZZ_CHECK(h->method + h->method_len < h->target);
    FUZZ_CHECK(h->minor_version >= 0 && h->minor_version <= 9);
    FUZZ_CHECK(h->nheaders <= HTTPPARSE_MAX_HEADERS);
    for (i = 0; i < h->nheaders; i++) {
        const http_header_t *hd = &h->headers[i], *f;
        FUZZ_CHECK(hd->name_len > 0 && inside(hd->name, hd->name_len, buf, len));
        FUZZ_CHECK(inside(hd->value, hd->value_len, buf, len));
        FUZZ_CHECK(hd->name > h->target);
        FUZZ_CHECK(!i || hd->name > h->headers[i - 1].value);
        if (hd->value_len) {
            FUZZ_CHECK(!is_ows(hd->value[0]) && !is_ows(hd->value[hd->value_len - 1]));
        }
        for (j = 0; j < hd->value_len; j++)
            FUZZ_CHECK(hd->value[j] != '\r' && hd->value[j] != '\n' && hd->value[j] != 0);
        if (hd->name_len < 64) {
            char name[64];
            memcpy(name, hd->name, hd->name_len);
            name[hd->name_len] = 0;
            f = httpparse_find(h, name);
            FUZZ_CHECK(f && f <= hd && f->name_len == hd->name_len);
        }
    }
}

/* Decodes in[0..n) fed as pieces: `first` bytes, then `step`-byte pieces
 * (0: the rest), each from an exact-size heap copy. Decoded bytes go to out,
 * leftover bytes (returned plus never fed) to left. Returns the last result
 * with the leftover count totalled. */
static ssize_t feed(const char *in, size_t n, size_t first, size_t step, char *out,
                    size_t *out_len, char *left, size_t *left_len)
{
    httpparse_chunked_t st;
    size_t pos = 0, piece = first;
    ssize_t r;

    httpparse_chunked_init(&st);
    *out_len = *left_len = 0;
    do {
        size_t got;
        char *b;
        if (piece > n - pos)
            piece = n - pos;
        got = piece;
        b = malloc(piece ? piece : 1);
        FUZZ_CHECK(b);
        memcpy(b, in + pos, piece);
        pos += piece;
        r = httpparse_chunked(&st, b, &got);
        FUZZ_CHECK(r >= 0 || r == HTTPPARSE_PARTIAL || r == HTTPPARSE_ERROR);
        FUZZ_CHECK(got <= piece);
        memcpy(out + *out_len, b, got);
        *out_len += got;
        if (r >= 0) {
            FUZZ_CHECK((size_t)r <= piece - got);
            memcpy(left, b + got, (size_t)r);
            memcpy(left + r, in + pos, n - pos);
            *left_len = (size_t)r + n - pos;
            r = (ssize_t)*left_len;
        }
        free(b);
        piece = step ? step : n - pos;
    } while (r == HTTPPARSE_PARTIAL && pos < n);
    return r;
}

static void check_chunked(const char *in, size_t n, size_t split)
{
    char *out1 = malloc(n + 1), *left1 = malloc(n + 1);
    char *out2 = malloc(n + 1), *left2 = malloc(n + 1);
    size_t out1_len, left1_len, out2_len, left2_len;
    ssize_t r1, r2;

    FUZZ_CHECK(out1 && left1 && out2 && left2);
    r1 = feed(in, n, n, 0, out1, &out1_len, left1, &left1_len);
    FUZZ_CHECK(out1_len + left1_len <= n);
    if (r1 >= 0)
        FUZZ_CHECK(memcmp(left1, in + n - left1_len, left1_len) == 0);

    r2 = feed(in, n, split, 0, out2, &out2_len, left2, &left2_len);
    FUZZ_CHECK(r1 == r2 && out1_len == out2_len && left1_len == left2_len);
    FUZZ_CHECK(memcmp(out1, out2, out1_len) == 0 && memcmp(left1, left2, left1_len) == 0);

    r2 = feed(in, n, 1, 1, out2, &out2_len, left2, &left2_len);
    FUZZ_CHECK(r1 == r2 && out1_len == out2_len && left1_len == left2_len);
    FUZZ_CHECK(memcmp(out1, out2, out1_len) == 0 && memcmp(left1, left2, left1_len) == 0);

    free(out1);
    free(left1);
    free(out2);
    free(left2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static httpparse_head_t h, h2;
    char *buf = malloc(size ? size : 1), *pre;
    size_t rest = 0, split;
    int r;

    FUZZ_CHECK(buf);
    memcpy(buf, data, size);
    r = httpparse_head(buf, size, &h);
    FUZZ_CHECK(r > 0 || r == HTTPPARSE_PARTIAL || r == HTTPPARSE_ERROR ||
               r == HTTPPARSE_TOOMANY);
    if (r > 0) {
        FUZZ_CHECK((size_t)r <= size);
        check_head(&h, buf, (size_t)r);
        /* The head alone parses the same; one byte less is PARTIAL. */
        pre = malloc((size_t)r);
        FUZZ_CHECK(pre);
        memcpy(pre, buf, (size_t)r);
        FUZZ_CHECK(httpparse_head(pre, (size_t)r, &h2) == r);
        FUZZ_CHECK(h2.nheaders == h.nheaders && h2.target_len == h.target_len);
        FUZZ_CHECK(httpparse_head(pre, (size_t)r - 1, &h2) == HTTPPARSE_PARTIAL);
        free(pre);
        rest = (size_t)r;
    }

    split = size ? ((size_t)data[size - 1] * 131 + size) % (size - rest + 1) : 0;
    check_chunked(buf + rest, size - rest, split);
    free(buf);
    return 0;
}
