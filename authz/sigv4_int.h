/* sigv4_int.h — what sigv4.c (parsing, keys, verification) and
 * sigv4_canon.c (the canonical request and the string to sign) share.
 * Internal: include only from those two files. */
#ifndef AWSEMU_SIGV4_INT_H
#define AWSEMU_SIGV4_INT_H

#include <stddef.h>

#include "authz/sigv4.h"
#include "authz/sigv_text.h"

#define CANON_MAX ((size_t)1 << 20) /* cap on a canonical request */
#define CANON_STACK 2048                /* a typical one never leaves the stack */
#define STS_MAX 512                     /* a string to sign: fixed parts + scope + hash */
#define SECRET_MAX 256
#define ALGORITHM "AWS4-HMAC-SHA256"
#define EMPTY_SHA256                                                           \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Canonical query variants tried by sigv4_verify. */
#define Q_PLUS_SPACE 1 /* '+' in the raw query decodes to ' ' */

/* ---- small helpers ---------------------------------------------------- */

static inline int is_unreserved(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static inline void to_hex(const unsigned char *in, size_t n, char *out /* OUT */)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- growable output buffer, capped at CANON_MAX ------------------------ */

/* Appends byte c URI-encoded (unreserved bytes, and '/' when keep_slash,
 * as they are; everything else %XX uppercase). */
static inline void buf_enc(buf_t *b, unsigned char c, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    char e[3];
    if (is_unreserved(c) || (keep_slash && c == '/')) {
        buf_addc(b, (char)c);
        return;
    }
    e[0] = '%';
    e[1] = digits[c >> 4];
    e[2] = digits[c & 15];
    buf_add(b, e, 3);
}

/* Returns the malloc'd string, or NULL (and frees) on error. */
static inline char *buf_finish(buf_t *b)
{
    if (b->err || !b->p) {
        free(b->p);
        return NULL;
    }
    return b->p;
}

static inline void trim(const char **s, size_t *n)
{
    while (*n && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

typedef struct {
    const char *k, *v;
    size_t klen, vlen;
} qparam_t;

/* Iterates the '&'-separated parameters of q[*pos..n), skipping empty
 * ones. Returns 1 with *p filled, or 0 at the end. */
static inline int query_next(const char *q, size_t n, size_t *pos, qparam_t *p /* OUT */)
{
    while (*pos < n) {
        size_t start = *pos, end = start, eqpos;
        while (end < n && q[end] != '&')
            end++;
        *pos = end < n ? end + 1 : n;
        if (end == start)
            continue;
        for (eqpos = start; eqpos < end && q[eqpos] != '='; eqpos++)
            ;
        p->k = q + start;
        p->klen = eqpos - start;
        p->v = eqpos < end ? q + eqpos + 1 : q + end;
        p->vlen = eqpos < end ? end - eqpos - 1 : 0;
        return 1;
    }
    return 0;
}

/* The canonical request of req into b (variant: Q_* flags). */
void sigv4_canon_into(buf_t *b, const sigv4_request_t *req, const sigv4_auth_t *auth,
                      int path_rules, const char *payload_hash, int variant);
/* The string to sign for canon[0..clen) into out (size bytes): its length,
 * or 0 when it does not fit. */
size_t sigv4_sts_into(const sigv4_auth_t *auth, const char *canon, size_t clen, char *out,
                      size_t size);

#endif
