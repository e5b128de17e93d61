/* httpparse.c — resumable, non-allocating HTTP/1.1 request-head parser and
 * chunked transfer-coding decoder (see httpparse.h).
 *
 * Line endings. In the request head a bare LF is accepted as a line end
 * (RFC 9112 §2.2 "MAY", as picohttpparser does); a CR not followed by LF is
 * an error. In the chunked framing (size lines, data terminators, trailers)
 * only CRLF is accepted: lenient terminators there are a known request-
 * smuggling vector, and every real client sends CRLF.
 *
 * Grammar accepted (RFC 9110/9112):
 *   request-line = method SP request-target SP "HTTP/1." DIGIT
 *   method, field-name = 1*tchar
 *   request-target = 1*( %x21-7E / obs-text )
 *   field-line = field-name ":" OWS field-value OWS   (no space before ':')
 *   field-value bytes = HTAB / SP / VCHAR / obs-text
 * A line starting with SP or HTAB (obs-fold, or whitespace before the first
 * header) is an error. httpparse_head fills *out only as far as it got: its
 * contents are meaningful only when the return value is > 0. */
#include "base/httpparse.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Character classes, indexed by byte value. */
#define C_TCHAR 1  /* RFC 9110 tchar */
#define C_TARGET 2 /* request-target byte: %x21-7E / obs-text */
#define C_VALUE 4  /* field-value byte: HTAB / SP / VCHAR / obs-text */

static const unsigned char cls[256] = {
    0,0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,7,6,7,7,7,7,7,6,6,7,7,6,7,7,6,7,7,7,7,7,7,7,7,7,7,6,6,6,6,6,6,
    6,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,6,6,6,7,7,
    7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,6,7,6,7,0,
    6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,
    6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,
    6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,
    6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,
};

/* Word-at-a-time scanning for the long runs (target, field values): is any
 * byte of x below n (n <= 128), or equal to DEL? Exact, no false positives. */
#define ONES ((uint64_t)0x0101010101010101u)
#define HAS_LESS(x, n) (((x) - ONES * (n)) & ~(x) & (ONES * 0x80))
#define HAS_DEL(x) HAS_LESS((x) ^ (ONES * 0x7f), 1)

/* Advances p by 8-byte words while every byte is >= lo and not DEL; the byte
 * loop that follows handles the rest (including HTAB in values). */
#define SKIP_WORDS(lo)                                                         \
    do {                                                                       \
        uint64_t x_;                                                           \
        while (end - p >= 8) {                                                 \
            memcpy(&x_, p, 8);                                                 \
            if (HAS_LESS(x_, lo) | HAS_DEL(x_))                                \
                break;                                                         \
            p += 8;                                                            \
        }                                                                      \
    } while (0)

/* Consumes a line end at p: CRLF or bare LF. On anything else jumps to
 * `partial` (input exhausted) or returns HTTPPARSE_ERROR. */
#define EAT_EOL()                                                              \
    do {                                                                       \
        if (*p == '\r') {                                                      \
            if (++p == end)                                                    \
                goto partial;                                                  \
            if (*p != '\n')                                                    \
                return HTTPPARSE_ERROR;                                        \
        } else if (*p != '\n') {                                               \
            return HTTPPARSE_ERROR;                                            \
        }                                                                      \
        p++;                                                                   \
    } while (0)

/* Advances p over bytes of class k; jumps to `partial` at the end of input. */
#define SKIP_CLASS(k)                                                          \
    do {                                                                       \
        while (p != end && (cls[*p] & (k)))                                    \
            p++;                                                               \
        if (p == end)                                                          \
            goto partial;                                                      \
    } while (0)

int httpparse_head(const char *buf, size_t len, httpparse_head_t *out /* OUT */)
{
    static const char version[] = "HTTP/1.";
    const unsigned char *start = (const unsigned char *)buf;
    const unsigned char *p = start, *end, *tok, *vend;
    int clamped = 0;
    size_t i;

    /* The result is an int: a head that has not ended within INT_MAX bytes
     * is an error rather than forever PARTIAL. */
    if (len > INT_MAX) {
        len = INT_MAX;
        clamped = 1;
    }
    end = start + len;
    out->nheaders = 0;

    /* Empty lines before the request line (RFC 9112 §2.2). */
    for (;;) {
        if (p == end)
            goto partial;
        if (*p != '\r' && *p != '\n')
            break;
        EAT_EOL();
    }

    /* method SP */
    tok = p;
    SKIP_CLASS(C_TCHAR);
    if (*p != ' ' || p == tok)
        return HTTPPARSE_ERROR;
    out->method = (const char *)tok;
    out->method_len = (size_t)(p - tok);
    p++;

    /* request-target SP */
    tok = p;
    SKIP_WORDS(0x21);
    SKIP_CLASS(C_TARGET);
    if (*p != ' ' || p == tok)
        return HTTPPARSE_ERROR;
    out->target = (const char *)tok;
    out->target_len = (size_t)(p - tok);
    p++;

    /* "HTTP/1." DIGIT EOL */
    for (i = 0; i < sizeof version - 1; i++, p++) {
        if (p == end)
            goto partial;
        if (*p != (unsigned char)version[i])
            return HTTPPARSE_ERROR;
    }
    if (p == end)
        goto partial;
    if (*p < '0' || *p > '9')
        return HTTPPARSE_ERROR;
    out->minor_version = *p - '0';
    if (++p == end)
        goto partial;
    EAT_EOL();

    /* field-lines, then the empty line */
    for (;;) {
        http_header_t *h;

        if (p == end)
            goto partial;
        if (*p == '\r' || *p == '\n') {
            EAT_EOL();
            break;
        }
        if (out->nheaders == HTTPPARSE_MAX_HEADERS)
            return HTTPPARSE_TOOMANY;

        /* field-name ":" — a leading SP/HTAB (obs-fold) fails here too */
        tok = p;
        SKIP_CLASS(C_TCHAR);
        if (*p != ':' || p == tok)
            return HTTPPARSE_ERROR;
        h = &out->headers[out->nheaders];
        h->name = (const char *)tok;
        h->name_len = (size_t)(p - tok);
        p++;

        /* OWS field-value OWS EOL */
        while (p != end && (*p == ' ' || *p == '\t'))
            p++;
        tok = p;
        SKIP_WORDS(0x20);
        SKIP_CLASS(C_VALUE);
        vend = p;
        EAT_EOL();
        while (vend != tok && (vend[-1] == ' ' || vend[-1] == '\t'))
            vend--;
        h->value = (const char *)tok;
        h->value_len = (size_t)(vend - tok);
        out->nheaders++;
    }
    return (int)(p - start);

partial:
    return clamped ? HTTPPARSE_ERROR : HTTPPARSE_PARTIAL;
}

const http_header_t *httpparse_find(const httpparse_head_t *h, const char *name)
{
    size_t n = strlen(name), i, j;

    for (i = 0; i < h->nheaders; i++) {
        const http_header_t *hd = &h->headers[i];
        if (hd->name_len != n)
            continue;
        for (j = 0; j < n; j++) {
            unsigned char a = (unsigned char)hd->name[j];
            unsigned char b = (unsigned char)name[j];
            if ((unsigned)(a - 'A') < 26u)
                a |= 0x20;
            if ((unsigned)(b - 'A') < 26u)
                b |= 0x20;
            if (a != b)
                break;
        }
        if (j == n)
            return hd;
    }
    return NULL;
}

/* Chunked decoder states. CH_SIZE must be 0 so a zeroed struct is valid. */
enum {
    CH_SIZE = 0,      /* chunk-size hex digits */
    CH_SIZE_BWS,      /* whitespace after the size, before ';' or CR */
    CH_EXT,           /* chunk extensions, discarded up to CR */
    CH_SIZE_LF,       /* LF ending the size line */
    CH_DATA,          /* chunk-data, `remaining` bytes left */
    CH_DATA_CR,       /* CR after chunk-data */
    CH_DATA_LF,       /* LF after chunk-data */
    CH_TRAILER_START, /* start of a trailer line or the final CRLF */
    CH_TRAILER_NAME,  /* trailer field-name */
    CH_TRAILER_VALUE, /* trailer field-value, discarded up to CR */
    CH_TRAILER_LF,    /* LF ending a trailer line */
    CH_END_LF,        /* LF ending the chunked body */
    CH_DONE,          /* body complete; further input is all leftover */
    CH_ERROR          /* sticky */
};

#define CHUNK_LINE_MAX 4096 /* bytes in a size or trailer line, sans CRLF */
#if SIZE_MAX > 0x0fffffffffffffffu
#define CHUNK_SIZE_MAX ((size_t)1 << 60)
#else
#define CHUNK_SIZE_MAX SIZE_MAX
#endif

static inline unsigned hexval(unsigned char c)
{
    if ((unsigned)(c - '0') < 10u)
        return (unsigned)(c - '0');
    c |= 0x20;
    if ((unsigned)(c - 'a') < 6u)
        return (unsigned)(c - 'a') + 10u;
    return 16;
}

void httpparse_chunked_init(httpparse_chunked_t *st)
{
    memset(st, 0, sizeof *st);
}

/* long: one state machine over the buffer, as picohttpparser's
 * phr_decode_chunked is; split into functions, each state would hand its
 * position and the buffer back and forth on every byte. */
ssize_t httpparse_chunked(httpparse_chunked_t *st, char *buf, size_t *len /* IN/OUT */)
{
    size_t n = *len, src = 0, dst = 0, left;
    int state = st->state;

    if (state == CH_ERROR)
        goto fail;
    while (src != n) {
        unsigned char c;
        unsigned v;

        if (state == CH_DATA) {
            size_t take = n - src;
            if (take > st->remaining)
                take = st->remaining;
            if (dst != src)
                memmove(buf + dst, buf + src, take);
            dst += take;
            src += take;
            st->remaining -= take;
            if (st->remaining == 0)
                state = CH_DATA_CR;
            continue;
        }
        if (state == CH_DONE)
            break;

        c = (unsigned char)buf[src++];
        switch (state) {
        case CH_SIZE:
            v = hexval(c);
            if (v < 16) {
                if (st->remaining > (CHUNK_SIZE_MAX - v) / 16)
                    goto fail;
                st->remaining = st->remaining * 16 + v;
                st->hex_digits++;
            } else if (st->hex_digits == 0) {
                goto fail;
            } else if (c == '\r') {
                state = CH_SIZE_LF;
                break;
            } else if (c == ';') {
                state = CH_EXT;
            } else if (c == ' ' || c == '\t') {
                state = CH_SIZE_BWS;
            } else {
                goto fail;
            }
            if (++st->line_len > CHUNK_LINE_MAX)
                goto fail;
            break;
        case CH_SIZE_BWS:
            if (c == '\r') {
                state = CH_SIZE_LF;
                break;
            }
            if (c == ';')
                state = CH_EXT;
            else if (c != ' ' && c != '\t')
                goto fail;
            if (++st->line_len > CHUNK_LINE_MAX)
                goto fail;
            break;
        case CH_EXT:
            if (c == '\r') {
                state = CH_SIZE_LF;
                break;
            }
            if (!(cls[c] & C_VALUE) || ++st->line_len > CHUNK_LINE_MAX)
                goto fail;
            break;
        case CH_SIZE_LF:
            if (c != '\n')
                goto fail;
            st->line_len = 0;
            st->hex_digits = 0;
            state = st->remaining ? CH_DATA : CH_TRAILER_START;
            break;
        case CH_DATA_CR:
            if (c != '\r')
                goto fail;
            state = CH_DATA_LF;
            break;
        case CH_DATA_LF:
            if (c != '\n')
                goto fail;
            state = CH_SIZE;
            break;
        case CH_TRAILER_START:
            if (c == '\r') {
                state = CH_END_LF;
            } else if (cls[c] & C_TCHAR) {
                st->line_len = 1;
                state = CH_TRAILER_NAME;
            } else {
                goto fail;
            }
            break;
        case CH_TRAILER_NAME:
            if (c == ':')
                state = CH_TRAILER_VALUE;
            else if (!(cls[c] & C_TCHAR))
                goto fail;
            if (++st->line_len > CHUNK_LINE_MAX)
                goto fail;
            break;
        case CH_TRAILER_VALUE:
            if (c == '\r') {
                state = CH_TRAILER_LF;
                break;
            }
            if (!(cls[c] & C_VALUE) || ++st->line_len > CHUNK_LINE_MAX)
                goto fail;
            break;
        case CH_TRAILER_LF:
            if (c != '\n')
                goto fail;
            state = CH_TRAILER_START;
            break;
        case CH_END_LF:
            if (c != '\n')
                goto fail;
            state = CH_DONE;
            break;
        default: /* CH_ERROR */
            goto fail;
        }
    }

    st->state = state;
    *len = dst;
    if (state != CH_DONE)
        return HTTPPARSE_PARTIAL;
    left = n - src;
    if (left && dst != src)
        memmove(buf + dst, buf + src, left);
    return (ssize_t)left;

fail:
    st->state = CH_ERROR;
    *len = dst;
    return HTTPPARSE_ERROR;
}
