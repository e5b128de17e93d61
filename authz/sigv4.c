/* sigv4.c — AWS Signature Version 4 parsing, signing keys and
 * verification (the canonical request: sigv4_canon.c). See sigv4.h for
 * the contracts. */
#include "authz/sigv4_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

/* ---- dates -------------------------------------------------------------- */

static int digits_at(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    size_t i;
    for (i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
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

/* Validates YYYYMMDDTHHMMSSZ; on success stores the unix time in *t. */
static int amz_date_time(const char *s, size_t n, long long *t /* OUT */)
{
    int mo, d, h, mi, se;
    if (n != 16 || !digits_at(s, 8) || s[8] != 'T' || !digits_at(s + 9, 6) ||
        s[15] != 'Z')
        return -1;
    mo = num(s + 4, 2);
    d = num(s + 6, 2);
    h = num(s + 9, 2);
    mi = num(s + 11, 2);
    se = num(s + 13, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    *t = days_from_civil(num(s, 4), mo, d) * 86400LL + h * 3600 + mi * 60 + se;
    return 0;
}

/* Converts an IMF-fixdate "Sun, 30 Aug 2015 12:36:00 GMT" to
 * YYYYMMDDTHHMMSSZ. Returns 0 or -1. */
static int http_date(const char *s, size_t n, char out[17] /* OUT */)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int m;
    long long t;
    if (n != 29 || s[3] != ',' || s[4] != ' ' || !digits_at(s + 5, 2) ||
        s[7] != ' ' || s[11] != ' ' || !digits_at(s + 12, 4) || s[16] != ' ' ||
        !digits_at(s + 17, 2) || s[19] != ':' || !digits_at(s + 20, 2) ||
        s[22] != ':' || !digits_at(s + 23, 2) || memcmp(s + 25, " GMT", 4) != 0)
        return -1;
    for (m = 0; m < 12; m++)
        if (memcmp(months + 3 * m, s + 8, 3) == 0)
            break;
    if (m == 12)
        return -1;
    memcpy(out, s + 12, 4);
    out[4] = (char)('0' + (m + 1) / 10);
    out[5] = (char)('0' + (m + 1) % 10);
    memcpy(out + 6, s + 5, 2);
    out[8] = 'T';
    memcpy(out + 9, s + 17, 2);
    memcpy(out + 11, s + 20, 2);
    memcpy(out + 13, s + 23, 2);
    out[15] = 'Z';
    out[16] = '\0';
    return amz_date_time(out, 16, &t);
}

/* ---- request access ----------------------------------------------------- */

/* First header named name (case-insensitive); *count gets how many. */
static const http_header_t *find_header(const sigv4_request_t *req,
                                        const char *name, int *count /* OUT */)
{
    const http_header_t *first = NULL;
    size_t i;
    int c = 0;
    for (i = 0; i < req->nheaders; i++) {
        const http_header_t *h = &req->headers[i];
        if (ieq(h->name, h->name_len, name)) {
            if (!first)
                first = h;
            c++;
        }
    }
    if (count)
        *count = c;
    return first;
}

/* Does the decoded key k[0..klen) equal name? (Names are unreserved-only,
 * so their encoded and decoded forms match.) */
static int qkey_is(const qparam_t *p, const char *name)
{
    char dec[64];
    if (p->klen >= 3 * sizeof dec)
        return 0;
    if (pct_decode(p->k, p->klen, dec, sizeof dec) != 0)
        return 0;
    return strcmp(dec, name) == 0;
}

static int query_has(const sigv4_request_t *req, const char *name)
{
    size_t pos = 0;
    qparam_t p;
    while (req->query && query_next(req->query, req->query_len, &pos, &p))
        if (qkey_is(&p, name))
            return 1;
    return 0;
}

/* ---- parsing ------------------------------------------------------------ */

/* Copies s[0..n) into dst[cap] when it fits and has no control bytes. */
static int copy_field(const char *s, size_t n, char *dst, size_t cap)
{
    size_t i;
    if (n == 0)
        return SIGV4_EMALFORMED;
    if (n >= cap)
        return SIGV4_ETOOLONG;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
            return SIGV4_EMALFORMED;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* "AK/YYYYMMDD/region/service/aws4_request" (decoded). */
static int parse_credential(const char *s, size_t n, sigv4_auth_t *out /* OUT */)
{
    const char *part[5];
    size_t len[5], i, np = 0, start = 0;
    int rc;
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (np == 5)
                return SIGV4_EMALFORMED;
            part[np] = s + start;
            len[np] = i - start;
            np++;
            start = i + 1;
        }
    }
    if (np != 5)
        return SIGV4_EMALFORMED;
    if ((rc = copy_field(part[0], len[0], out->access_key, sizeof out->access_key)))
        return rc;
    if (len[1] != 8 || !digits_at(part[1], 8))
        return SIGV4_EMALFORMED;
    memcpy(out->date, part[1], 8);
    out->date[8] = '\0';
    if ((rc = copy_field(part[2], len[2], out->region, sizeof out->region)))
        return rc;
    if ((rc = copy_field(part[3], len[3], out->service, sizeof out->service)))
        return rc;
    if (!eq(part[4], len[4], "aws4_request"))
        return SIGV4_EMALFORMED;
    return 0;
}

static int is_tchar(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* "host;x-amz-date": non-empty token names separated by ';', host among
 * them. */
static int parse_signed_headers(const char *s, size_t n,
                                sigv4_auth_t *out /* OUT */)
{
    size_t i, start = 0;
    int has_host = 0;
    if (n == 0)
        return SIGV4_EMALFORMED;
    if (n >= sizeof out->signed_headers)
        return SIGV4_ETOOLONG;
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == ';') {
            if (i == start)
                return SIGV4_EMALFORMED;
            if (ieq(s + start, i - start, "host"))
                has_host = 1;
            start = i + 1;
        } else if (!is_tchar((unsigned char)s[i])) {
            return SIGV4_EMALFORMED;
        }
    }
    if (!has_host)
        return SIGV4_EMALFORMED;
    memcpy(out->signed_headers, s, n);
    out->signed_headers[n] = '\0';
    return 0;
}

static int parse_signature(const char *s, size_t n, sigv4_auth_t *out /* OUT */)
{
    size_t i;
    if (n != 64)
        return SIGV4_EMALFORMED;
    for (i = 0; i < n; i++) {
        if (codec_hexval((char)s[i]) < 0)
            return SIGV4_EMALFORMED;
        out->signature[i] = (char)lower((unsigned char)s[i]);
    }
    out->signature[64] = '\0';
    return 0;
}

/* Parses the Authorization header value v[0..n). */
static int parse_auth_header(const char *v, size_t n, sigv4_auth_t *out /* OUT */)
{
    const size_t alen = sizeof ALGORITHM - 1;
    int seen_cred = 0, seen_sh = 0, seen_sig = 0, rc;
    size_t pos;
    if (n > SIGV4_AUTH_HEADER_MAX)
        return SIGV4_ETOOLONG;
    if (n <= alen || memcmp(v, ALGORITHM, alen) != 0 || !is_space((unsigned char)v[alen]))
        return SIGV4_EMALFORMED;
    pos = alen;
    for (;;) { /* one "Key=Value" component per iteration */
        const char *c;
        size_t end = pos, clen, eqpos;
        while (end < n && v[end] != ',')
            end++;
        c = v + pos;
        clen = end - pos;
        trim(&c, &clen);
        if (clen == 0)
            return SIGV4_EMALFORMED;
        for (eqpos = 0; eqpos < clen && c[eqpos] != '='; eqpos++)
            ;
        if (eqpos == clen)
            return SIGV4_EMALFORMED;
        if (eq(c, eqpos, "Credential")) {
            if (seen_cred++)
                return SIGV4_EMALFORMED;
            rc = parse_credential(c + eqpos + 1, clen - eqpos - 1, out);
        } else if (eq(c, eqpos, "SignedHeaders")) {
            if (seen_sh++)
                return SIGV4_EMALFORMED;
            rc = parse_signed_headers(c + eqpos + 1, clen - eqpos - 1, out);
        } else if (eq(c, eqpos, "Signature")) {
            if (seen_sig++)
                return SIGV4_EMALFORMED;
            rc = parse_signature(c + eqpos + 1, clen - eqpos - 1, out);
        } else {
            rc = SIGV4_EMALFORMED;
        }
        if (rc)
            return rc;
        if (end == n)
            break;
        pos = end + 1;
    }
    if (!seen_cred || !seen_sh || !seen_sig)
        return SIGV4_EMALFORMED;
    return 0;
}

/* The request date for header auth: X-Amz-Date, else Date. */
static int header_date(const sigv4_request_t *req, sigv4_auth_t *out /* OUT */)
{
    const http_header_t *h = find_header(req, "x-amz-date", NULL);
    const char *s;
    size_t n;
    long long t;
    if (h) {
        s = h->value;
        n = h->value_len;
        trim(&s, &n);
        if (amz_date_time(s, n, &t) != 0)
            return SIGV4_EMISSINGDATE;
        memcpy(out->amz_date, s, 16);
        out->amz_date[16] = '\0';
        return 0;
    }
    h = find_header(req, "date", NULL);
    if (!h)
        return SIGV4_EMISSINGDATE;
    s = h->value;
    n = h->value_len;
    trim(&s, &n);
    return http_date(s, n, out->amz_date) == 0 ? 0 : SIGV4_EMISSINGDATE;
}

/* Decodes a presigned parameter value into dst[cap]. */
static int query_field(const qparam_t *p, char *dst, size_t cap, int *seen)
{
    if ((*seen)++)
        return SIGV4_EMALFORMED;
    return pct_decode(p->v, p->vlen, dst, cap);
}

static int parse_presigned(const sigv4_request_t *req, sigv4_auth_t *out /* OUT */)
{
    char alg[64], cred[512], sh[sizeof out->signed_headers];
    char sig[80], exp_s[16];
    int s_alg = 0, s_cred = 0, s_date = 0, s_exp = 0, s_sh = 0, s_sig = 0;
    int s_tok = 0, rc = 0;
    size_t pos = 0, i;
    long long t;
    qparam_t p;
    while (query_next(req->query, req->query_len, &pos, &p)) {
        if (qkey_is(&p, "X-Amz-Algorithm"))
            rc = query_field(&p, alg, sizeof alg, &s_alg);
        else if (qkey_is(&p, "X-Amz-Credential"))
            rc = query_field(&p, cred, sizeof cred, &s_cred);
        else if (qkey_is(&p, "X-Amz-Date"))
            rc = query_field(&p, out->amz_date, sizeof out->amz_date, &s_date);
        else if (qkey_is(&p, "X-Amz-Expires"))
            rc = query_field(&p, exp_s, sizeof exp_s, &s_exp);
        else if (qkey_is(&p, "X-Amz-SignedHeaders"))
            rc = query_field(&p, sh, sizeof sh, &s_sh);
        else if (qkey_is(&p, "X-Amz-Signature"))
            rc = query_field(&p, sig, sizeof sig, &s_sig);
        else if (qkey_is(&p, "X-Amz-Security-Token"))
            rc = query_field(&p, out->security_token,
                             sizeof out->security_token, &s_tok);
        if (rc)
            return rc;
    }
    if (!s_alg || strcmp(alg, ALGORITHM) != 0 || !s_cred || !s_exp || !s_sh ||
        !s_sig)
        return SIGV4_EMALFORMED;
    if (!s_date)
        return SIGV4_EMISSINGDATE;
    if (amz_date_time(out->amz_date, strlen(out->amz_date), &t) != 0)
        return SIGV4_EMISSINGDATE;
    if ((rc = parse_credential(cred, strlen(cred), out)) ||
        (rc = parse_signed_headers(sh, strlen(sh), out)) ||
        (rc = parse_signature(sig, strlen(sig), out)))
        return rc;
    if (exp_s[0] == '\0' || strlen(exp_s) > 7)
        return SIGV4_EMALFORMED;
    out->expires = 0;
    for (i = 0; exp_s[i]; i++) {
        if (!is_digit((unsigned char)exp_s[i]))
            return SIGV4_EMALFORMED;
        out->expires = out->expires * 10 + (exp_s[i] - '0');
    }
    if (out->expires > SIGV4_EXPIRES_MAX)
        return SIGV4_EMALFORMED;
    out->presigned = 1;
    return 0;
}

int sigv4_parse(const sigv4_request_t *req, sigv4_auth_t *out /* OUT */)
{
    const http_header_t *auth, *tok;
    int nauth, rc;
    int in_query = req->query &&
                   (query_has(req, "X-Amz-Algorithm") ||
                    query_has(req, "X-Amz-Credential") ||
                    query_has(req, "X-Amz-Signature"));
    memset(out, 0, sizeof *out);
    out->expires = -1;
    auth = find_header(req, "authorization", &nauth);
    if (!auth && !in_query)
        return SIGV4_ENOAUTH;
    if ((auth && in_query) || nauth > 1)
        return SIGV4_EMALFORMED;
    if (in_query) {
        rc = parse_presigned(req, out);
    } else {
        const char *v = auth->value;
        size_t n = auth->value_len;
        if (n > SIGV4_AUTH_HEADER_MAX)
            return SIGV4_ETOOLONG;
        trim(&v, &n);
        rc = parse_auth_header(v, n, out);
        if (rc == 0)
            rc = header_date(req, out);
        if (rc == 0 && (tok = find_header(req, "x-amz-security-token", NULL))) {
            v = tok->value;
            n = tok->value_len;
            trim(&v, &n);
            if (n >= sizeof out->security_token)
                rc = SIGV4_ETOOLONG;
            else if (memchr(v, '\0', n))
                rc = SIGV4_EMALFORMED;
            else {
                memcpy(out->security_token, v, n);
                out->security_token[n] = '\0';
            }
        }
    }
    if (rc == 0 && memcmp(out->date, out->amz_date, 8) != 0)
        rc = SIGV4_EMALFORMED;
    if (rc != 0) {
        int keep = rc;
        memset(out, 0, sizeof *out);
        out->expires = -1;
        return keep;
    }
    return 0;
}

/* ---- crypto ------------------------------------------------------------- */

static int hmac(const unsigned char *key, size_t klen, const void *msg,
                size_t len, unsigned char out[32] /* OUT */)
{
    return codec_hmac_sha256(key, klen, msg, len, out) == 0 ? 0 : SIGV4_EINTERNAL;
}

/* Derived signing keys, by their inputs: one per credential, day, region
 * and service, so a busy client costs one HMAC per request instead of
 * five. Entries hold a secret as the credentials cache does (memory only). */
#define KEY_SLOTS 16

static struct {
    int used;
    char secret[SECRET_MAX + 1], date[9], region[64], service[64];
    unsigned char key[32];
} key_cache[KEY_SLOTS];

static unsigned key_slot(const char *secret, const char *date, const char *region,
                         const char *service)
{
    const char *parts[4] = {secret, date, region, service};
    unsigned h = 2166136261u;
    size_t i;

    for (i = 0; i < 4; i++) {
        const char *p;
        for (p = parts[i]; *p; p++)
            h = (h ^ (unsigned char)*p) * 16777619u;
        h = (h ^ 0xff) * 16777619u;
    }
    return h % KEY_SLOTS;
}

static int derive_key(const char *secret, const char *date, const char *region,
                      const char *service, unsigned char key[32])
{
    unsigned char k[SECRET_MAX + 4], a[32], b[32];
    size_t sl = strlen(secret);
    int rc = SIGV4_ETOOLONG;
    if (sl > SECRET_MAX)
        return rc;
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, sl);
    if ((rc = hmac(k, sl + 4, date, strlen(date), a)) ||
        (rc = hmac(a, 32, region, strlen(region), b)) ||
        (rc = hmac(b, 32, service, strlen(service), a)) ||
        (rc = hmac(a, 32, "aws4_request", 12, key)))
        goto fail;
fail:
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
    return rc;
}

int sigv4_signing_key(const char *secret, const char *date,
                      const char *region, const char *service,
                      unsigned char key[32] /* OUT */)
{
    unsigned i;
    int rc;

    if (strlen(secret) > SECRET_MAX || strlen(date) >= sizeof key_cache[0].date ||
        strlen(region) >= sizeof key_cache[0].region ||
        strlen(service) >= sizeof key_cache[0].service)
        return derive_key(secret, date, region, service, key);
    i = key_slot(secret, date, region, service);
    if (key_cache[i].used && !strcmp(key_cache[i].secret, secret) &&
        !strcmp(key_cache[i].date, date) && !strcmp(key_cache[i].region, region) &&
        !strcmp(key_cache[i].service, service)) {
        memcpy(key, key_cache[i].key, 32);
        return 0;
    }
    if ((rc = derive_key(secret, date, region, service, key)) != 0)
        return rc;
    OPENSSL_cleanse(&key_cache[i], sizeof key_cache[i]);
    strcpy(key_cache[i].secret, secret);
    strcpy(key_cache[i].date, date);
    strcpy(key_cache[i].region, region);
    strcpy(key_cache[i].service, service);
    memcpy(key_cache[i].key, key, 32);
    key_cache[i].used = 1;
    return 0;
}

int sigv4_hex_hmac(const unsigned char key[32], const char *msg, size_t len,
                   char hex[65] /* OUT */)
{
    unsigned char md[32];
    int rc = hmac(key, 32, msg, len, md);
    if (rc == 0)
        to_hex(md, sizeof md, hex);
    return rc;
}

/* Signs "<kind>\n<amz_date>\n<scope>\n<prev_sig>\n<middle><hex sha256(data)>". */
static int chained_signature(const unsigned char key[32], const char *kind,
                             const char *amz_date, const char *scope,
                             const char *prev_sig, const char *middle,
                             const void *data, size_t len, char hex[65] /* OUT */)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    char dh[65], sts[768];
    int n;
    if (strlen(amz_date) > 32 || strlen(scope) > 256 || strlen(prev_sig) > 128)
        return SIGV4_ETOOLONG;
    if (codec_sha256(data, len, md) != 0)
        return SIGV4_EINTERNAL;
    to_hex(md, sizeof md, dh);
    n = snprintf(sts, sizeof sts, "%s\n%s\n%s\n%s\n%s%s", kind, amz_date, scope,
                 prev_sig, middle, dh);
    if (n < 0 || (size_t)n >= sizeof sts)
        return SIGV4_ETOOLONG;
    return sigv4_hex_hmac(key, sts, (size_t)n, hex);
}

int sigv4_chunk_signature(const unsigned char key[32], const char *amz_date,
                          const char *scope, const char *prev_sig,
                          const unsigned char *chunk, size_t chunk_len,
                          char hex[65] /* OUT */)
{
    return chained_signature(key, ALGORITHM "-PAYLOAD", amz_date, scope,
                             prev_sig, EMPTY_SHA256 "\n", chunk, chunk_len, hex);
}

int sigv4_trailer_signature(const unsigned char key[32], const char *amz_date,
                            const char *scope, const char *prev_sig,
                            const char *trailer, size_t trailer_len,
                            char hex[65] /* OUT */)
{
    return chained_signature(key, ALGORITHM "-TRAILER", amz_date, scope,
                             prev_sig, "", trailer, trailer_len, hex);
}

/* ---- verification ------------------------------------------------------- */

int sigv4_request_time(const sigv4_auth_t *auth, long long *t)
{
    return amz_date_time(auth->amz_date, strlen(auth->amz_date), t);
}

int sigv4_presign_expired(const sigv4_auth_t *auth, long now)
{
    long long t0;

    if (!auth->presigned || amz_date_time(auth->amz_date, strlen(auth->amz_date), &t0) != 0)
        return 0;
    return (long long)now > t0 + auth->expires;
}

int sigv4_presign_not_yet_valid(const sigv4_auth_t *auth, long now)
{
    long long t0;

    if (!auth->presigned || amz_date_time(auth->amz_date, strlen(auth->amz_date), &t0) != 0)
        return 0;
    return t0 > (long long)now + SIGV4_PRESIGN_SKEW;
}

int sigv4_verify(const sigv4_request_t *req, const sigv4_auth_t *auth,
                 const char *secret, int path_rules, const char *payload_hash,
                 long now)
{
    unsigned char key[32];
    char hex[65], cstore[CANON_STACK], sts[STS_MAX];
    buf_t canon;
    size_t n;
    int rc, variant, has_plus;
    if (strlen(auth->signature) != 64)
        return SIGV4_EMALFORMED;
    if (auth->presigned) {
        long long t0;
        if (auth->expires < 0 || auth->expires > SIGV4_EXPIRES_MAX)
            return SIGV4_EMALFORMED;
        if (amz_date_time(auth->amz_date, strlen(auth->amz_date), &t0) != 0)
            return SIGV4_EMISSINGDATE;
        if (sigv4_presign_not_yet_valid(auth, now))
            return SIGV4_ENOTYET;
        if (sigv4_presign_expired(auth, now))
            return SIGV4_EEXPIRED;
    }
    has_plus = req->query && memchr(req->query, '+', req->query_len) != NULL;
    if ((rc = sigv4_signing_key(secret, auth->date, auth->region,
                                auth->service, key)))
        goto fail;
    rc = SIGV4_EMISMATCH;
    for (variant = 0; variant < 2; variant++) {
        if ((variant & Q_PLUS_SPACE) && !has_plus)
            continue;
        buf_on_stack(&canon, cstore, sizeof cstore, CANON_MAX);
        sigv4_canon_into(&canon, req, auth, path_rules, payload_hash, variant);
        n = canon.err ? 0 : sigv4_sts_into(auth, canon.p, canon.len, sts, sizeof sts);
        buf_release(&canon);
        if (n == 0) {
            rc = SIGV4_EINTERNAL;
            goto fail;
        }
        if ((rc = sigv4_hex_hmac(key, sts, n, hex)))
            goto fail;
        if (CRYPTO_memcmp(hex, auth->signature, 64) == 0) {
            rc = 0;
            goto fail;
        }
        rc = SIGV4_EMISMATCH;
    }
fail:
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(hex, sizeof hex);
    return rc;
}
