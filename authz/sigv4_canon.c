/* sigv4_canon.c — SigV4's canonical request (method, path under the
 * service's rules, sorted query, signed headers, payload hash) and the
 * string to sign. See sigv4.h for the contracts. */
#include "authz/sigv4_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

/* ---- canonical request -------------------------------------------------- */

/* Path per the non-S3 normalization (RFC 3986 remove_dot_segments plus
 * empty segments dropped; a trailing '/' kept when anything is left),
 * encoded once more. */
static void canon_path_normalized(buf_t *b, const char *p, size_t n)
{
    size_t small[64], *seg = small; /* start offsets in b of the kept segments */
    size_t nseg = 0, i = 0, base = b->len;
    if (n == 0) {
        buf_addc(b, '/');
        return;
    }
    if (n / 2 + 1 > sizeof small / sizeof small[0])
        seg = malloc((n / 2 + 1) * sizeof *seg);
    if (!seg) {
        b->err = 1;
        return;
    }
    while (i <= n) {
        size_t start = i, len;
        while (i < n && p[i] != '/')
            i++;
        len = i - start;
        i++;
        if (len == 0 || (len == 1 && p[start] == '.'))
            continue;
        if (len == 2 && p[start] == '.' && p[start + 1] == '.') {
            if (nseg > 0 && !b->err)
                b->len = seg[--nseg];
            continue;
        }
        seg[nseg++] = b->len;
        buf_addc(b, '/');
        for (size_t j = start; j < start + len; j++)
            buf_enc(b, (unsigned char)p[j], 0);
    }
    if (nseg > 0 && p[n - 1] == '/')
        buf_addc(b, '/');
    if (!b->err && b->len == base)
        buf_addc(b, '/');
    if (!b->err && b->p)
        b->p[b->len] = '\0';
    if (seg != small)
        free(seg);
}

static void canon_path(buf_t *b, const char *p, size_t n, int rules)
{
    size_t i = 0;
    if (n == 0) {
        buf_addc(b, '/');
        return;
    }
    switch (rules) {
    case SIGV4_PATH_S3:
        while (i < n)
            buf_enc(b, pct_next(p, n, &i, 0), 1);
        break;
    case SIGV4_PATH_UNNORMALIZED:
        for (i = 0; i < n; i++)
            buf_enc(b, (unsigned char)p[i], 1);
        break;
    default:
        canon_path_normalized(b, p, n);
        break;
    }
}

typedef struct {
    size_t k, klen, v, vlen; /* offsets into the encoded text */
} qent_t;

/* qsort has no context argument, so each entry carries the text base. */
typedef struct {
    const char *text;
    qent_t e;
} qsort_ent_t;

static int cmp_span(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int qent_cmp(const void *pa, const void *pb)
{
    const qsort_ent_t *a = pa, *b = pb;
    int c = cmp_span(a->text + a->e.k, a->e.klen, b->text + b->e.k, b->e.klen);
    if (c)
        return c;
    return cmp_span(a->text + a->e.v, a->e.vlen, b->text + b->e.v, b->e.vlen);
}

/* Canonical query: every parameter decoded and re-encoded, sorted by key
 * then value, "k=v" joined by '&'. */
static void canon_query(buf_t *out, const sigv4_request_t *req,
                        const sigv4_auth_t *auth, int qflags)
{
    buf_t text = {NULL, 0, 0, 0, CANON_MAX, NULL};
    qsort_ent_t *ents = NULL;
    size_t n = 0, cnt = 0, pos = 0, i;
    qparam_t p;
    if (!req->query || req->query_len == 0)
        return;
    while (query_next(req->query, req->query_len, &pos, &p))
        cnt++;
    if (cnt == 0)
        return;
    ents = malloc(cnt * sizeof *ents);
    if (!ents) {
        out->err = 1;
        return;
    }
    pos = 0;
    while (query_next(req->query, req->query_len, &pos, &p)) {
        qent_t e;
        size_t j = 0;
        e.k = text.len;
        while (j < p.klen)
            buf_enc(&text, pct_next(p.k, p.klen, &j, qflags & Q_PLUS_SPACE), 0);
        e.klen = text.len - e.k;
        e.v = text.len;
        j = 0;
        while (j < p.vlen)
            buf_enc(&text, pct_next(p.v, p.vlen, &j, qflags & Q_PLUS_SPACE), 0);
        e.vlen = text.len - e.v;
        if (text.err)
            break;
        if (auth->presigned &&
            eq(text.p + e.k, e.klen, "X-Amz-Signature"))
            continue;
        ents[n++].e = e;
    }
    if (text.err) {
        out->err = 1;
        goto done;
    }
    for (i = 0; i < n; i++)
        ents[i].text = text.p;
    qsort(ents, n, sizeof *ents, qent_cmp);
    for (i = 0; i < n; i++) {
        if (i)
            buf_addc(out, '&');
        buf_add(out, text.p + ents[i].e.k, ents[i].e.klen);
        buf_addc(out, '=');
        buf_add(out, text.p + ents[i].e.v, ents[i].e.vlen);
    }
done:
    free(ents);
    free(text.p);
}

/* Appends a header value trimmed, runs of whitespace collapsed to one ' '. */
static void canon_value(buf_t *b, const char *v, size_t n)
{
    size_t i = 0, run;
    trim(&v, &n);
    while (i < n) {
        for (run = i; run < n && !is_space((unsigned char)v[run]); run++)
            ;
        buf_add(b, v + i, run - i);
        if (run == n)
            break;
        while (is_space((unsigned char)v[run]))
            run++; /* trimmed: a space run always ends before n */
        buf_addc(b, ' ');
        i = run;
    }
}

/* One "name:v1,v2\n" line per signed header, in SignedHeaders order. */
static void canon_headers(buf_t *b, const sigv4_request_t *req,
                          const char *signed_headers)
{
    const char *s = signed_headers;
    while (*s) {
        size_t len = strcspn(s, ";"), i, j;
        int first = 1;
        for (j = 0; j < len && lower((unsigned char)s[j]) == (unsigned char)s[j]; j++)
            ;
        buf_add(b, s, j); /* clients send them lowercase already */
        for (; j < len; j++)
            buf_addc(b, (char)lower((unsigned char)s[j]));
        buf_addc(b, ':');
        for (i = 0; i < req->nheaders; i++) {
            const http_header_t *h = &req->headers[i];
            if (h->name_len != len || strncasecmp(h->name, s, len) != 0)
                continue;
            if (!first)
                buf_addc(b, ',');
            first = 0;
            canon_value(b, h->value, h->value_len);
        }
        buf_addc(b, '\n');
        s += len;
        if (*s == ';')
            s++;
    }
}

void sigv4_canon_into(buf_t *b, const sigv4_request_t *req, const sigv4_auth_t *auth,
                      int path_rules, const char *payload_hash, int qflags)
{
    buf_add(b, req->method, req->method_len);
    buf_addc(b, '\n');
    canon_path(b, req->path, req->path_len, path_rules);
    buf_addc(b, '\n');
    canon_query(b, req, auth, qflags);
    buf_addc(b, '\n');
    canon_headers(b, req, auth->signed_headers);
    buf_addc(b, '\n');
    buf_adds(b, auth->signed_headers);
    buf_addc(b, '\n');
    buf_adds(b, payload_hash);
}

char *sigv4_canonical_request(const sigv4_request_t *req,
                              const sigv4_auth_t *auth, int path_rules,
                              const char *payload_hash)
{
    buf_t b = {NULL, 0, 0, 0, CANON_MAX, NULL};

    sigv4_canon_into(&b, req, auth, path_rules, payload_hash, 0);
    return buf_finish(&b);
}

int sigv4_scope(const sigv4_auth_t *auth, char *buf /* OUT */, size_t size)
{
    int n = snprintf(buf, size, "%s/%s/%s/aws4_request", auth->date,
                     auth->region, auth->service);
    return (n < 0 || (size_t)n >= size) ? SIGV4_ETOOLONG : 0;
}

/* "AWS4-HMAC-SHA256\n<amz-date>\n<scope>\n<hex sha256(canonical)>" into
 * out; returns its length, or 0 when it does not fit or hashing fails. */
size_t sigv4_sts_into(const sigv4_auth_t *auth, const char *canon, size_t clen, char *out,
                      size_t size)
{
    static const char alg[] = ALGORITHM "\n";
    const char *parts[7] = {auth->amz_date, "\n", auth->date, "/", auth->region, "/",
                            auth->service};
    unsigned char md[SHA256_DIGEST_LENGTH];
    size_t n = sizeof alg - 1, i, l;

    if (codec_sha256(canon, clen, md) != 0 || size < n)
        return 0;
    memcpy(out, alg, n);
    for (i = 0; i < 7; i++) {
        l = strlen(parts[i]);
        if (l >= size - n)
            return 0;
        memcpy(out + n, parts[i], l);
        n += l;
    }
    if (size - n < sizeof "/aws4_request\n" - 1 + 2 * sizeof md + 1)
        return 0;
    memcpy(out + n, "/aws4_request\n", sizeof "/aws4_request\n" - 1);
    n += sizeof "/aws4_request\n" - 1;
    to_hex(md, sizeof md, out + n);
    return n + 2 * sizeof md;
}

char *sigv4_string_to_sign(const sigv4_auth_t *auth, const char *canonical_request)
{
    char sts[STS_MAX];
    size_t n = sigv4_sts_into(auth, canonical_request, strlen(canonical_request), sts,
                              sizeof sts);

    return n ? strndup(sts, n) : NULL;
}

