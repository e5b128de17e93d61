/* sigv_text.h — the text helpers both request-signing modules use
 * (sigv4.c, sigv2.c): byte classes, case-insensitive compares, percent
 * decoding as AWS's canonicalisation does it, and a growable output buffer
 * with a hard cap. Internal: include only from those two files. */
#ifndef AWSEMU_SIGV_TEXT_H
#define AWSEMU_SIGV_TEXT_H

#include <stdlib.h>
#include <string.h>

#include "base/codec.h"
#include "authz/sigv4.h"

static inline int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Case-insensitive: does s[0..n) equal the NUL-terminated lit? */
static inline int ieq(const char *s, size_t n, const char *lit)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (lit[i] == '\0' || lower((unsigned char)s[i]) != lower((unsigned char)lit[i]))
            return 0;
    return lit[n] == '\0';
}

/* Case-sensitive: does s[0..n) equal lit? */
static inline int eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Decodes one byte of a percent-encoded string at s[*i], advancing *i.
 * An invalid escape stands for a literal '%'; '+' is a space only when
 * plus_space. */
static inline unsigned char pct_next(const char *s, size_t n, size_t *i, int plus_space)
{
    unsigned char c = (unsigned char)s[*i];
    if (c == '%' && *i + 2 < n && codec_hexval((char)s[*i + 1]) >= 0 &&
        codec_hexval((char)s[*i + 2]) >= 0) {
        c = (unsigned char)(codec_hexval((char)s[*i + 1]) * 16 +
                            codec_hexval((char)s[*i + 2]));
        *i += 3;
        return c;
    }
    (*i)++;
    return (plus_space && c == '+') ? ' ' : c;
}

/* Percent-decodes s[0..n) into dst (cap bytes incl. NUL). Returns 0,
 * SIGV4_ETOOLONG, or SIGV4_EMALFORMED when the result holds a NUL (the
 * SIGV2_ codes have the same values). */
static inline int pct_decode(const char *s, size_t n, char *dst /* OUT */, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned char c = pct_next(s, n, &i, 0);
        if (c == '\0')
            return SIGV4_EMALFORMED;
        if (o + 1 >= cap)
            return SIGV4_ETOOLONG;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return 0;
}

/* A growable output buffer that fails (err) past max bytes. It may start
 * in caller storage (buf_on_stack): the text of a typical request then
 * never touches the heap; it moves to the heap only when it outgrows it. */
typedef struct {
    char *p;
    size_t len, cap;
    int err;
    size_t max;
    char *stack; /* the caller's storage p starts in, or NULL */
} buf_t;

static inline void buf_on_stack(buf_t *b, char *storage, size_t size, size_t max)
{
    b->p = storage;
    b->len = 0;
    b->cap = size;
    b->err = 0;
    b->max = max;
    b->stack = storage;
    storage[0] = '\0';
}

/* Frees what buf_add allocated (never the caller's storage). */
static inline void buf_release(buf_t *b)
{
    if (b->p != b->stack)
        free(b->p);
    b->p = NULL;
}

static inline void buf_add(buf_t *b, const char *s, size_t n)
{
    if (b->err)
        return;
    if (n > b->max - b->len) {
        b->err = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        char *np;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        if (b->p != NULL && b->p == b->stack) {
            if ((np = malloc(ncap)) != NULL)
                memcpy(np, b->p, b->len);
        } else {
            np = realloc(b->p, ncap);
        }
        if (!np) {
            b->err = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void buf_addc(buf_t *b, char c)
{
    buf_add(b, &c, 1);
}

static inline void buf_adds(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

#endif
