/* policy_match.c — the policy engine's matching and value parsing, shared
 * by parsing and evaluation: compiled patterns against ARNs, actions and
 * context values (with ${...} variables expanded from the request), and
 * the numbers, dates, booleans and CIDR blocks conditions compare. */
#include "authz/policy_int.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"

static inline int lc(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* a[0..n) and b[0..n) equal, ASCII letters case-insensitively (bytes, so
 * a 0 byte is an ordinary byte). */
static int mem_ieq(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
            return 0;
    return 1;
}

size_t pol_ctx_len(const policy_ctx_t *c, size_t i)
{
    if (c->values[i] == NULL)
        return 0;
    return c->lens ? c->lens[i] : strlen(c->values[i]);
}

size_t pol_ctx_keylen(const policy_ctx_t *c)
{
    return c->keylen ? c->keylen : strlen(c->key);
}

/* key: a policy's condition key or variable name (no U+0000: policy_parse
 * refuses it); compared with each request key by length. */
const policy_ctx_t *pol_ctx_find(const policy_request_t *q, const char *key)
{
    size_t i, kn = strlen(key);

    for (i = 0; i < q->nctx; i++)
        if (q->ctx[i].key && pol_ctx_keylen(&q->ctx[i]) == kn && mem_ieq(q->ctx[i].key, key, kn))
            return &q->ctx[i];
    return q->resolve ? q->resolve(q->resolve_arg, key) : NULL;
}

/* The pattern with its variables substituted (as literal bytes) in buf
 * (EXPAND_MAX tokens), or p->t itself when it has none. Returns the tokens
 * and their count in *n, or NULL when a variable has no value and no
 * default, or the result is too long. */
static const uint16_t *pat_expand(const struct pat *p, const policy_request_t *q, uint16_t *buf,
                                  size_t *n /* OUT */)
{
    size_t i, o = 0;

    if (p->nvars == 0) {
        *n = p->n;
        return p->t;
    }
    for (i = 0; i < p->n; i++) {
        uint16_t tk = p->t[i];
        if (tk & TOK_VAR) {
            const struct pvar *v = &p->vars[tk & ~TOK_VAR];
            const policy_ctx_t *c = pol_ctx_find(q, v->key);
            const char *val = NULL;
            size_t vn, k;
            if (c && c->nvalues == 1 && c->values[0]) {
                val = c->values[0];
                vn = pol_ctx_len(c, 0);
            } else if (v->def) {
                val = v->def;
                vn = strlen(val);
            } else {
                return NULL;
            }
            /* substituted as literal bytes, U+0000 included */
            for (k = 0; k < vn; k++) {
                if (o >= EXPAND_MAX)
                    return NULL;
                buf[o++] = (unsigned char)val[k];
            }
        } else {
            if (o >= EXPAND_MAX)
                return NULL;
            buf[o++] = tk;
        }
    }
    *n = o;
    return buf;
}

/* Glob over tokens p[0..pn) against s[0..sn). */
static int tok_glob(const uint16_t *p, size_t pn, const char *s, size_t sn, int icase)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

    while (si < sn) {
        if (pi < pn && p[pi] == TOK_STAR) {
            star = pi++;
            mark = si;
            continue;
        }
        if (pi < pn &&
            (p[pi] == TOK_QMARK ||
             (p[pi] < 0x100 && (icase ? lc(p[pi]) == lc((unsigned char)s[si])
                                      : p[pi] == (unsigned char)s[si])))) {
            pi++;
            si++;
            continue;
        }
        if (star == (size_t)-1)
            return 0;
        pi = star + 1;
        si = ++mark;
    }
    while (pi < pn && p[pi] == TOK_STAR)
        pi++;
    return pi == pn;
}

int policy_glob(const char *pattern, const char *s, int icase)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    size_t pn = strlen(pattern), sn = strlen(s);

    while (si < sn) {
        if (pi < pn && pattern[pi] == '*') {
            star = pi++;
            mark = si;
            continue;
        }
        if (pi < pn && (pattern[pi] == '?' ||
                        (icase ? lc((unsigned char)pattern[pi]) == lc((unsigned char)s[si])
                               : pattern[pi] == s[si]))) {
            pi++;
            si++;
            continue;
        }
        if (star == (size_t)-1)
            return 0;
        pi = star + 1;
        si = ++mark;
    }
    while (pi < pn && pattern[pi] == '*')
        pi++;
    return pi == pn;
}

/* Matches the compiled pattern against s[0..sn) (variables substituted). */
int pol_pat_match(const struct pat *p, const policy_request_t *q, const char *s, size_t sn,
                     int icase)
{
    uint16_t buf[EXPAND_MAX];
    const uint16_t *t;
    size_t n;

    switch (p->kind) {
    case PK_ANY:
        return 1;
    case PK_LIT:
        if (sn != p->litn)
            return 0;
        /* fall through */
    case PK_PREFIX:
        if (sn < p->litn)
            return 0;
        return icase ? mem_ieq(p->lit, s, p->litn) : memcmp(p->lit, s, p->litn) == 0;
    default:
        t = pat_expand(p, q, buf, &n);
        return t ? tok_glob(t, n, s, sn, icase) : 0;
    }
}

/* ARN comparison: each of the first five colon-delimited components is
 * globbed separately; the pattern's last component takes the rest. */
int pol_arn_match(const struct pat *p, const policy_request_t *q, const char *s, size_t sn)
{
    uint16_t buf[EXPAND_MAX];
    size_t n, pi = 0, si = 0, comp;
    const uint16_t *t = pat_expand(p, q, buf, &n);

    if (t == NULL || sn < 4 || memcmp(s, "arn:", 4) != 0)
        return 0;
    for (comp = 0;; comp++) {
        size_t pe = pi, se = si;
        int plast, slast;
        while (pe < n && t[pe] != ':')
            pe++;
        while (se < sn && s[se] != ':')
            se++;
        plast = pe >= n || comp == 5;
        slast = se >= sn || comp == 5;
        if (plast)
            return tok_glob(t + pi, n - pi, s + si, sn - si, 0);
        if (slast)
            return 0;
        if (!tok_glob(t + pi, pe - pi, s + si, se - si, 0))
            return 0;
        pi = pe + 1;
        si = se + 1;
    }
}

/* ---- value parsers -------------------------------------------------------- */

/* Integers and decimals: [+-]digits[.digits]. Returns 0 or -1. */
int pol_parse_num(const char *s, double *out /* OUT */)
{
    const char *p = s;
    int digits = 0;
    char *end;

    if (*p == '+' || *p == '-')
        p++;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (*p || !digits)
        return -1;
    *out = strtod(s, &end);
    return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Reads exactly n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
    int i, r = 0;

    for (i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        r = r * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = r;
    return 0;
}

/* ISO 8601 (date, optional time with optional seconds and fraction, Z or
 * +hh:mm / -hh:mm or none = UTC) or epoch seconds, as seconds since the
 * epoch. Returns 0 or -1. */
int pol_parse_date(const char *s, double *out /* OUT */)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, leap;
    double frac = 0, scale = 0.1;
    int64_t secs;

    if (pol_parse_num(s, out) == 0) /* epoch seconds */
        return 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -1;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -1;
    if (*p == 'T' || *p == 't') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return -1;
            if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                    return -1;
                while (*p >= '0' && *p <= '9') {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
        if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec || frac > 0)))
            return -1;
    }
    secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '+' ? 1 : -1;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        secs -= sign * (oh * 3600 + om * 60);
    }
    if (*p)
        return -1;
    *out = (double)secs + frac;
    return 0;
}

/* "true"/"false", case-insensitive: 1, 0, or -1. */
int pol_parse_bool(const char *s)
{
    if (strcasecmp(s, "true") == 0)
        return 1;
    if (strcasecmp(s, "false") == 0)
        return 0;
    return -1;
}


/* Dotted-quad IPv4 s[0..n) (no leading zeros, as inet_pton) into out. */
static int parse_ipv4(const char *s, size_t n, uint8_t *out)
{
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        unsigned v = 0, nd = 0;
        if (part && (i >= n || s[i++] != '.'))
            return -1;
        while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 4) {
            if (nd == 1 && v == 0)
                return -1;
            v = v * 10 + (unsigned)(s[i++] - '0');
            nd++;
        }
        if (nd == 0 || v > 255)
            return -1;
        out[part] = (uint8_t)v;
    }
    return i == n ? 0 : -1;
}

/* "a.b.c.d[/n]" or an IPv6 address "[/n]". Returns 0 or -1. */
int pol_parse_cidr(const char *s, struct cidr *c /* OUT */)
{
    char tmp[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    int max, pre;

    memset(c, 0, sizeof *c);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (parse_ipv4(tmp, n, c->addr) == 0) {
        c->family = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, tmp, c->addr) == 1) {
        c->family = 6;
        max = 128;
    } else {
        return -1;
    }
    pre = max;
    if (slash) {
        const char *p = slash + 1;
        if (*p == '\0' || strlen(p) > 3)
            goto bad;
        pre = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                goto bad;
            pre = pre * 10 + (*p - '0');
        }
        if (pre > max)
            goto bad;
    }
    c->prefix = (uint8_t)pre;
    return 0;
bad:
    c->family = 0;
    return -1;
}

int pol_cidr_contains(const struct cidr *net, const struct cidr *ip)
{
    int full = net->prefix / 8, rest = net->prefix % 8;

    if (net->family == 0 || net->family != ip->family)
        return 0;
    if (memcmp(net->addr, ip->addr, (size_t)full) != 0)
        return 0;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((net->addr[full] & mask) != (ip->addr[full] & mask))
            return 0;
    }
    return 1;
}

