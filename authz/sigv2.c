/* sigv2.c — AWS Signature Version 2 for S3 (see sigv2.h). The string to
 * sign follows S3's documentation and what botocore's HmacV1Auth /
 * HmacV1QueryAuth send. */
#include "authz/sigv2.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"
#include "authz/sigv_text.h"

#define STS_MAX (1u << 20) /* cap of a string to sign */

/* Sub-resources that belong to the CanonicalizedResource: botocore's
 * HmacV1Auth.QSAOfInterest. Matched case-sensitively on the raw name. */
static const char *const subresources[] = {
    "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber",
    "policy", "requestPayment", "torrent", "versioning", "versionId", "versions", "website",
    "uploads", "uploadId", "response-content-type", "response-content-language",
    "response-expires", "response-cache-control", "response-content-disposition",
    "response-content-encoding", "delete", "lifecycle", "tagging", "restore", "storageClass",
    "notification", "replication", "analytics", "metrics", "inventory", "select",
    "select-type", "object-lock", NULL};

/* ---- small helpers ---------------------------------------------------- */

/* Case-insensitive prefix test of s[0..n). */
static int iprefix(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    size_t i;
    if (n < l)
        return 0;
    for (i = 0; i < l; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)lit[i]))
            return 0;
    return 1;
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static const http_header_t *find_header(const sigv4_request_t *req, const char *name,
                                        int *count /* OUT */)
{
    const http_header_t *first = NULL;
    size_t i;
    int c = 0;
    for (i = 0; i < req->nheaders; i++)
        if (ieq(req->headers[i].name, req->headers[i].name_len, name)) {
            if (!first)
                first = &req->headers[i];
            c++;
        }
    if (count)
        *count = c;
    return first;
}

typedef struct {
    const char *k, *v;
    size_t klen, vlen;
    int has_eq;
} qparam_t;

/* Iterates the '&'-separated parameters of q[*pos..n), skipping empty
 * ones. Returns 1 with *p filled, or 0 at the end. */
static int query_next(const char *q, size_t n, size_t *pos, qparam_t *p /* OUT */)
{
    while (q && *pos < n) {
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
        p->has_eq = eqpos < end;
        p->v = eqpos < end ? q + eqpos + 1 : q + end;
        p->vlen = eqpos < end ? end - eqpos - 1 : 0;
        return 1;
    }
    return 0;
}

/* ---- parsing ------------------------------------------------------------ */

/* Copies s[0..n) into dst[cap]: non-empty, no control bytes or spaces, and
 * no byte in the string bad. */
static int copy_field(const char *s, size_t n, char *dst, size_t cap, const char *bad)
{
    size_t i;
    if (n == 0)
        return SIGV2_EMALFORMED;
    if (n >= cap)
        return SIGV2_ETOOLONG;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f || strchr(bad, s[i]))
            return SIGV2_EMALFORMED;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* "AWS AK:signature" (v[0..n) trimmed). */
static int parse_header(const char *v, size_t n, sigv2_auth_t *out /* OUT */)
{
    const char *colon;
    int rc;
    if (n > SIGV2_AUTH_HEADER_MAX)
        return SIGV2_ETOOLONG;
    v += 3;
    n -= 3;
    trim(&v, &n);
    colon = memchr(v, ':', n);
    if (!colon)
        return SIGV2_EMALFORMED;
    rc = copy_field(v, (size_t)(colon - v), out->access_key, sizeof out->access_key, ":");
    if (rc == 0)
        rc = copy_field(colon + 1, n - (size_t)(colon - v) - 1, out->signature,
                        sizeof out->signature, ":");
    return rc;
}

/* Copies a decoded parameter value into dst[cap], once. */
static int query_value(const qparam_t *p, char *dst, size_t cap, int *seen)
{
    char tmp[SIGV4_TOKEN_MAX + 1];
    int rc;
    if ((*seen)++)
        return SIGV2_EMALFORMED;
    if (cap > sizeof tmp)
        cap = sizeof tmp;
    rc = pct_decode(p->v, p->vlen, tmp, cap);
    if (rc != 0)
        return rc;
    return copy_field(tmp, strlen(tmp), dst, cap, "");
}

static int parse_query(const sigv4_request_t *req, sigv2_auth_t *out /* OUT */)
{
    char exp_s[32];
    int s_ak = 0, s_sig = 0, s_exp = 0, rc = 0;
    size_t pos = 0, i;
    qparam_t p;

    while (rc == 0 && query_next(req->query, req->query_len, &pos, &p)) {
        if (eq(p.k, p.klen, "AWSAccessKeyId"))
            rc = query_value(&p, out->access_key, sizeof out->access_key, &s_ak);
        else if (eq(p.k, p.klen, "Signature"))
            rc = query_value(&p, out->signature, sizeof out->signature, &s_sig);
        else if (eq(p.k, p.klen, "Expires"))
            rc = query_value(&p, exp_s, sizeof exp_s, &s_exp);
    }
    if (rc != 0)
        return rc;
    if (!s_ak || !s_sig || !s_exp)
        return SIGV2_EMALFORMED;
    if (strlen(exp_s) > 18)
        return SIGV2_EMALFORMED;
    out->expires = 0;
    for (i = 0; exp_s[i]; i++) {
        if (!is_digit((unsigned char)exp_s[i]))
            return SIGV2_EMALFORMED;
        out->expires = out->expires * 10 + (exp_s[i] - '0');
    }
    out->presigned = 1;
    return 0;
}

/* The session token: x-amz-security-token header, else query parameter. */
static int parse_token(const sigv4_request_t *req, sigv2_auth_t *out /* OUT */)
{
    const http_header_t *h = find_header(req, "x-amz-security-token", NULL);
    size_t pos = 0;
    qparam_t p;

    if (h) {
        const char *v = h->value;
        size_t n = h->value_len;
        trim(&v, &n);
        if (n >= sizeof out->security_token)
            return SIGV2_ETOOLONG;
        if (memchr(v, '\0', n))
            return SIGV2_EMALFORMED;
        memcpy(out->security_token, v, n);
        out->security_token[n] = '\0';
        return 0;
    }
    while (query_next(req->query, req->query_len, &pos, &p))
        if (ieq(p.k, p.klen, "x-amz-security-token")) {
            if (p.vlen >= 3 * sizeof out->security_token)
                return SIGV2_ETOOLONG;
            return pct_decode(p.v, p.vlen, out->security_token, sizeof out->security_token);
        }
    return 0;
}

static int is_subresource(const char *k, size_t n);

/* How many x-amz-* headers (and, presigned, parameters) the request has. */
static size_t count_amz(const sigv4_request_t *req, int presigned)
{
    size_t i, n = 0, pos = 0;
    qparam_t p;
    for (i = 0; i < req->nheaders; i++)
        n += iprefix(req->headers[i].name, req->headers[i].name_len, "x-amz-");
    while (presigned && query_next(req->query, req->query_len, &pos, &p))
        n += iprefix(p.k, p.klen, "x-amz-");
    return n;
}

static size_t count_subresources(const sigv4_request_t *req)
{
    size_t n = 0, pos = 0;
    qparam_t p;
    while (query_next(req->query, req->query_len, &pos, &p))
        n += is_subresource(p.k, p.klen);
    return n;
}

int sigv2_parse(const sigv4_request_t *req, sigv2_auth_t *out /* OUT */)
{
    const http_header_t *auth;
    int nauth, rc, in_query = 0, sigv4_query = 0;
    size_t pos = 0;
    qparam_t p;

    memset(out, 0, sizeof *out);
    out->expires = -1;
    while (query_next(req->query, req->query_len, &pos, &p)) {
        if (eq(p.k, p.klen, "AWSAccessKeyId") || eq(p.k, p.klen, "Signature") ||
            eq(p.k, p.klen, "Expires"))
            in_query = 1;
        if (iprefix(p.k, p.klen, "X-Amz-Algorithm") || iprefix(p.k, p.klen, "X-Amz-Credential") ||
            iprefix(p.k, p.klen, "X-Amz-Signature"))
            sigv4_query = 1;
    }
    auth = find_header(req, "authorization", &nauth);
    if (auth) {
        const char *v = auth->value;
        size_t n = auth->value_len;
        trim(&v, &n);
        if (n < 3 || memcmp(v, "AWS", 3) != 0 || (n > 3 && v[3] != ' '))
            return SIGV2_ENOAUTH; /* SigV4 or another scheme: not ours */
    }
    if (sigv4_query || (!auth && !in_query))
        return SIGV2_ENOAUTH;
    if ((auth && in_query) || nauth > 1)
        rc = SIGV2_EMALFORMED;
    else if (auth) {
        const char *v = auth->value;
        size_t n = auth->value_len;
        trim(&v, &n);
        rc = parse_header(v, n, out);
    } else {
        rc = parse_query(req, out);
    }
    if (rc == 0)
        rc = parse_token(req, out);
    if (rc == 0 && (count_amz(req, !auth) > SIGV2_AMZ_HEADERS_MAX ||
                    count_subresources(req) > SIGV2_SUBRESOURCES_MAX))
        rc = SIGV2_ETOOLONG;
    if (rc != 0) {
        int presigned = !auth;
        memset(out, 0, sizeof *out);
        out->expires = -1;
        out->presigned = presigned; /* which syntax failed: for the error */
        return rc;
    }
    return 0;
}

/* ---- dates -------------------------------------------------------------- */

static long long days_from_civil(long long y, int m, int d)
{
    long long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads 1..max digits at s[*i]; returns the value or -1. */
static int digits(const char *s, size_t n, size_t *i, int min, int max)
{
    int v = 0, k = 0;
    while (*i < n && k < max && is_digit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    return k >= min ? v : -1;
}

/* "[Ddd, ]DD Mon YYYY HH:MM:SS GMT|UTC|Z|+0000" -> epoch seconds. */
static int rfc1123(const char *s, size_t n, long long *t /* OUT */)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    size_t i = 0;
    int d, m, y, hh, mm, ss;
    const char *zone;
    size_t zlen;

    trim(&s, &n);
    if (n > 4 && s[3] == ',') {
        i = 4;
        while (i < n && s[i] == ' ')
            i++;
    }
    if ((d = digits(s, n, &i, 1, 2)) < 1 || d > 31 || i + 5 > n || s[i] != ' ')
        return -1;
    for (m = 0; m < 12; m++)
        if (memcmp(months + 3 * m, s + i + 1, 3) == 0)
            break;
    if (m == 12 || s[i + 4] != ' ')
        return -1;
    i += 5;
    if ((y = digits(s, n, &i, 4, 4)) < 0 || i >= n || s[i++] != ' ')
        return -1;
    if ((hh = digits(s, n, &i, 2, 2)) < 0 || hh > 23 || i >= n || s[i++] != ':' ||
        (mm = digits(s, n, &i, 2, 2)) < 0 || mm > 59 || i >= n || s[i++] != ':' ||
        (ss = digits(s, n, &i, 2, 2)) < 0 || ss > 60 || i >= n || s[i++] != ' ')
        return -1;
    zone = s + i;
    zlen = n - i;
    if (!eq(zone, zlen, "GMT") && !eq(zone, zlen, "UTC") && !eq(zone, zlen, "Z") &&
        !eq(zone, zlen, "+0000"))
        return -1;
    *t = days_from_civil(y, m + 1, d) * 86400LL + hh * 3600 + mm * 60 + ss;
    return 0;
}

int sigv2_request_time(const sigv4_request_t *req, long long *t /* OUT */)
{
    const http_header_t *h = find_header(req, "x-amz-date", NULL);
    if (!h)
        h = find_header(req, "date", NULL);
    if (!h || rfc1123(h->value, h->value_len, t) != 0)
        return SIGV2_EMISSINGDATE;
    return 0;
}

int sigv2_expired(const sigv2_auth_t *auth, long long now)
{
    return auth->presigned && now > auth->expires;
}

/* ---- string to sign ----------------------------------------------------- */

/* Appends s[0..n) percent-decoded (Python unquote). */
static void buf_decoded(buf_t *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && !b->err)
        buf_addc(b, (char)pct_next(s, n, &i, 0));
}

/* Appends the trimmed value of the first header named name, if any. */
static void buf_header(buf_t *b, const sigv4_request_t *req, const char *name)
{
    const http_header_t *h = find_header(req, name, NULL);
    const char *v;
    size_t n;
    if (!h)
        return;
    v = h->value;
    n = h->value_len;
    trim(&v, &n);
    buf_add(b, v, n);
}

/* One x-amz-* header (or, for query auth, x-amz-* parameter). */
typedef struct {
    const char *name, *val;
    size_t nlen, vlen;
    int encoded; /* from the query: the value is percent-encoded */
} amz_t;

static int amz_cmp(const amz_t *a, const amz_t *b)
{
    size_t i, n = a->nlen < b->nlen ? a->nlen : b->nlen;
    for (i = 0; i < n; i++) {
        int ca = lower((unsigned char)a->name[i]), cb = lower((unsigned char)b->name[i]);
        if (ca != cb)
            return ca - cb;
    }
    return a->nlen < b->nlen ? -1 : a->nlen > b->nlen;
}

/* The x-amz-* headers (and query parameters for query auth), lowercased,
 * sorted, repeated names joined by ',', each "name:value\n". Returns 0 or
 * -1 (more than SIGV2_AMZ_HEADERS_MAX). */
static int canon_amz_headers(buf_t *b, const sigv4_request_t *req, const sigv2_auth_t *auth)
{
    amz_t e[SIGV2_AMZ_HEADERS_MAX], t;
    size_t n = 0, i, j, pos = 0;
    qparam_t p;

    for (i = 0; i < req->nheaders; i++) {
        const http_header_t *h = &req->headers[i];
        if (!iprefix(h->name, h->name_len, "x-amz-"))
            continue;
        if (n == SIGV2_AMZ_HEADERS_MAX)
            return -1;
        e[n++] = (amz_t){h->name, h->value, h->name_len, h->value_len, 0};
    }
    while (auth->presigned && query_next(req->query, req->query_len, &pos, &p)) {
        if (!iprefix(p.k, p.klen, "x-amz-"))
            continue;
        if (n == SIGV2_AMZ_HEADERS_MAX)
            return -1;
        e[n++] = (amz_t){p.k, p.v, p.klen, p.vlen, 1};
    }
    for (i = 1; i < n; i++) { /* stable insertion sort: values keep order */
        t = e[i];
        for (j = i; j > 0 && amz_cmp(&e[j - 1], &t) > 0; j--)
            e[j] = e[j - 1];
        e[j] = t;
    }
    for (i = 0; i < n; i = j) {
        for (j = 0; j < e[i].nlen; j++)
            buf_addc(b, (char)lower((unsigned char)e[i].name[j]));
        buf_addc(b, ':');
        for (j = i; j < n && amz_cmp(&e[i], &e[j]) == 0; j++) {
            const char *v = e[j].val;
            size_t vl = e[j].vlen;
            if (j > i)
                buf_addc(b, ',');
            trim(&v, &vl);
            if (e[j].encoded)
                buf_decoded(b, v, vl);
            else
                buf_add(b, v, vl);
        }
        buf_addc(b, '\n');
    }
    return 0;
}

static int is_subresource(const char *k, size_t n)
{
    size_t i;
    for (i = 0; subresources[i]; i++)
        if (eq(k, n, subresources[i]))
            return 1;
    return 0;
}

static int span_cmp(const qparam_t *a, const qparam_t *b)
{
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->k, b->k, n);
    if (c)
        return c;
    return a->klen < b->klen ? -1 : a->klen > b->klen;
}

/* "/bucket" (virtual-hosted) + raw path + "?sub&sub=decoded-value"; a
 * bucket-only path ends in '/'. */
static void canon_resource(buf_t *b, const sigv4_request_t *req, const char *bucket)
{
    qparam_t q[SIGV2_SUBRESOURCES_MAX], t;
    size_t n = 0, i, j, pos = 0;

    if (bucket) {
        buf_addc(b, '/');
        buf_add(b, bucket, strlen(bucket));
    }
    buf_add(b, req->path, req->path_len);
    /* path-style "/bucket" signs as "/bucket/", as virtual-hosted does */
    if (!bucket && req->path_len > 1 && !memchr(req->path + 1, '/', req->path_len - 1))
        buf_addc(b, '/');
    while (query_next(req->query, req->query_len, &pos, &t)) {
        if (!is_subresource(t.k, t.klen))
            continue;
        if (n == sizeof q / sizeof q[0]) {
            b->err = 1;
            return;
        }
        q[n++] = t;
    }
    for (i = 1; i < n; i++) {
        t = q[i];
        for (j = i; j > 0 && span_cmp(&q[j - 1], &t) > 0; j--)
            q[j] = q[j - 1];
        q[j] = t;
    }
    for (i = 0; i < n; i++) {
        buf_addc(b, i ? '&' : '?');
        buf_add(b, q[i].k, q[i].klen);
        if (q[i].has_eq) {
            buf_addc(b, '=');
            buf_decoded(b, q[i].v, q[i].vlen);
        }
    }
}

char *sigv2_string_to_sign(const sigv4_request_t *req, const sigv2_auth_t *auth,
                           const char *bucket)
{
    buf_t b = {NULL, 0, 0, 0, STS_MAX, NULL};
    size_t pos = 0;
    qparam_t p;

    buf_add(&b, req->method, req->method_len);
    buf_addc(&b, '\n');
    buf_header(&b, req, "content-md5");
    buf_addc(&b, '\n');
    buf_header(&b, req, "content-type");
    buf_addc(&b, '\n');
    if (auth->presigned) {
        while (query_next(req->query, req->query_len, &pos, &p))
            if (eq(p.k, p.klen, "Expires")) {
                buf_decoded(&b, p.v, p.vlen);
                break;
            }
    } else if (!find_header(req, "x-amz-date", NULL)) {
        buf_header(&b, req, "date");
    }
    buf_addc(&b, '\n');
    if (canon_amz_headers(&b, req, auth) != 0)
        b.err = 1;
    canon_resource(&b, req, bucket);
    if (b.err || !b.p) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int sigv2_sign(const char *secret, const char *msg, size_t len, char b64[29] /* OUT */)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (!HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)msg, len, md,
              &mdlen) ||
        mdlen != 20)
        return SIGV2_EINTERNAL;
    codec_b64_encode(md, 20, b64);
    OPENSSL_cleanse(md, sizeof md);
    return 0;
}

int sigv2_verify(const sigv4_request_t *req, const sigv2_auth_t *auth, const char *secret,
                 const char *bucket, long long now)
{
    char want[29];
    char *sts;
    int rc;

    if (sigv2_expired(auth, now))
        return SIGV2_EEXPIRED;
    sts = sigv2_string_to_sign(req, auth, bucket);
    if (!sts)
        return SIGV2_EINTERNAL;
    rc = sigv2_sign(secret, sts, strlen(sts), want);
    free(sts);
    if (rc != 0)
        return rc;
    if (strlen(auth->signature) != 28 || CRYPTO_memcmp(want, auth->signature, 28) != 0)
        return SIGV2_EMISMATCH;
    return 0;
}
