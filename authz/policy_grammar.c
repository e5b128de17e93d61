/* policy_grammar.c — IAM's checks of an identity policy it stores, in the
 * order IAM makes them, so each class of mistake gets IAM's own
 * MalformedPolicyDocument text: syntax, then the version, then "legacy
 * parsing" (Effect's case, Date values, ARN shapes), SID uniqueness,
 * actions present, the last resource format error found, the action
 * vendors, and last resources present.
 *
 * The order and texts are those of CreatePolicy as moto's AWS-verified
 * cases record them (tests/test_iam/test_iam_policies.py,
 * moto/iam/policy_validation.py); policy_parse then checks what the engine
 * needs (Principal refused, condition operators). */
#include "authz/policy.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SYNTAX "Syntax errors in policy."
#define LEGACY "The policy failed legacy parsing"

static const char *const cond_ops[] = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
    "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
    "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
    "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
    "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
};

static const char *const partitions[] = {
    "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
};

static const char *const iam_paths[] = {
    "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
    "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/",
    "access-report/",
};

typedef struct {
    const cJSON *st[256]; /* IAM caps documents well below 256 statements */
    size_t n;
    char *err;
    size_t errlen;
    char res_err[512]; /* the first resource format error, reported late */
} gctx_t;

static int fail(gctx_t *g, const char *msg)
{
    snprintf(g->err, g->errlen, "%s", msg);
    return -1;
}

/* ---- syntax --------------------------------------------------------------- */

static int is_str_or_strs(const cJSON *j)
{
    const cJSON *e;

    if (j == NULL || cJSON_IsString(j))
        return 1;
    if (!cJSON_IsArray(j))
        return 0;
    cJSON_ArrayForEach(e, j) if (!cJSON_IsString(e)) return 0;
    return 1;
}

/* The operator without ForAnyValue:/ForAllValues: and IfExists. */
static int known_op(const char *op)
{
    char buf[128];
    size_t n, i;

    if (!strncmp(op, "ForAnyValue:", 12))
        op += 12;
    else if (!strncmp(op, "ForAllValues:", 13))
        op += 13;
    n = strlen(op);
    if (n >= 8 && !strcmp(op + n - 8, "IfExists"))
        n -= 8;
    if (n >= sizeof buf)
        return 0;
    memcpy(buf, op, n);
    buf[n] = '\0';
    for (i = 0; i < sizeof cond_ops / sizeof cond_ops[0]; i++)
        if (!strcmp(buf, cond_ops[i]))
            return 1;
    return 0;
}

static int condition_syntax(const cJSON *c)
{
    const cJSON *op, *k, *v;

    if (c == NULL)
        return 1;
    if (!cJSON_IsObject(c))
        return 0;
    cJSON_ArrayForEach(op, c) {
        if (!cJSON_IsObject(op))
            return 0;
        cJSON_ArrayForEach(k, op) {
            if (cJSON_IsArray(k)) {
                cJSON_ArrayForEach(v, k) if (cJSON_IsObject(v) || cJSON_IsArray(v)) return 0;
            } else if (cJSON_IsObject(k) || cJSON_IsNull(k)) {
                return 0;
            }
        }
        if (!known_op(op->string) && op->child != NULL)
            return 0; /* an unknown operator only with an empty block */
    }
    return 1;
}

static int statement_syntax(const cJSON *s)
{
    static const char *const fields[] = {"Sid",      "Effect",      "Action",    "NotAction",
                                         "Resource", "NotResource", "Condition", "Principal",
                                         "NotPrincipal"};
    const cJSON *e, *eff;
    size_t k;

    if (!cJSON_IsObject(s))
        return 0;
    cJSON_ArrayForEach(e, s) {
        for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
            if (!strcmp(e->string, fields[k]))
                break;
        if (k == sizeof fields / sizeof fields[0])
            return 0;
    }
#define GET(n) cJSON_GetObjectItemCaseSensitive(s, n)
    if ((GET("Resource") && GET("NotResource")) || (GET("Action") && GET("NotAction")))
        return 0;
    eff = GET("Effect");
    if (!cJSON_IsString(eff) ||
        (strcasecmp(eff->valuestring, "Allow") && strcasecmp(eff->valuestring, "Deny")))
        return 0;
    if (!is_str_or_strs(GET("Action")) || !is_str_or_strs(GET("NotAction")) ||
        !is_str_or_strs(GET("Resource")) || !is_str_or_strs(GET("NotResource")))
        return 0;
    if (GET("Sid") && !cJSON_IsString(GET("Sid")))
        return 0;
    return condition_syntax(GET("Condition"));
#undef GET
}

static int syntax(gctx_t *g, const cJSON *root)
{
    const cJSON *e, *v = cJSON_GetObjectItemCaseSensitive(root, "Version"),
                    *id = cJSON_GetObjectItemCaseSensitive(root, "Id"),
                    *sts = cJSON_GetObjectItemCaseSensitive(root, "Statement");

    if (!cJSON_IsObject(root))
        return 0;
    cJSON_ArrayForEach(e, root) if (strcmp(e->string, "Version") && strcmp(e->string, "Id") &&
                                    strcmp(e->string, "Statement")) return 0;
    if (v && (!cJSON_IsString(v) ||
              (strcmp(v->valuestring, "2008-10-17") && strcmp(v->valuestring, "2012-10-17"))))
        return 0;
    if (id && !cJSON_IsString(id))
        return 0;
    if (cJSON_IsObject(sts)) {
        g->st[g->n++] = sts;
    } else if (cJSON_IsArray(sts)) {
        cJSON_ArrayForEach(e, sts) {
            if (g->n == sizeof g->st / sizeof g->st[0])
                return 0;
            g->st[g->n++] = e;
        }
    }
    if (g->n == 0)
        return 0;
    for (size_t i = 0; i < g->n; i++)
        if (!statement_syntax(g->st[i]))
            return 0;
    return 1;
}

/* ---- legacy parsing ------------------------------------------------------- */

/* A number of digits in [lo, hi] of s[0..n), or -1. */
static long num_in(const char *s, size_t n, long lo, long hi)
{
    char buf[24], *end;
    long v;

    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    v = strtol(buf, &end, 10);
    if (*end || errno || v < lo || v > hi)
        return -1;
    return v;
}

/* IAM's date grammar: ISO 8601 (year[-month[-day]][Thh[:mm[:ss[.f][Z|+hh[:mm]]]]])
 * or epoch seconds 0 .. 2^63-1. */
static int date_ok(const char *v)
{
    const char *t = strpbrk(v, "tT"), *p, *q;
    size_t dlen;
    int part = 0;

    if (t == NULL && strchr(v, '-') == NULL) {
        char *end;
        errno = 0;
        if (*v == '\0' || *v == '-' || (strtoull(v, &end, 10), *end) || errno ||
            strtoull(v, NULL, 10) > 9223372036854775807ULL)
            return 0;
        return 1;
    }
    dlen = t ? (size_t)(t - v) : strlen(v);
    p = v + (v[0] == '-');
    for (; p < v + dlen; p = q + 1, part++) {
        static const long lo[] = {-292275054, 1, 1}, hi[] = {292278993, 12, 31};
        q = memchr(p, '-', (size_t)(v + dlen - p));
        if (q == NULL)
            q = v + dlen;
        if (part > 2 || num_in(p, (size_t)(q - p), part ? lo[part] : 0, hi[part]) < 0)
            return 0;
        if (q == v + dlen)
            break;
    }
    if (t == NULL || t[1] == '\0')
        return 1;
    /* hh[:mm[:ss[.fraction][z|+hh[:mm]]]] */
    p = t + 1;
    {
        static const long hi[] = {23, 59, 59};
        for (part = 0; part < 3; part++) {
            size_t n = strspn(p, "0123456789");
            if (num_in(p, n, 0, hi[part]) < 0)
                return 0;
            p += n;
            if (*p != ':')
                break;
            p++;
        }
    }
    if (*p == '.') {
        size_t n = strspn(++p, "0123456789");
        if (num_in(p, n, 0, 999999999) < 0)
            return 0;
        p += n;
    }
    if (*p == 'z' || *p == 'Z')
        return p[1] == '\0';
    if (*p == '+') {
        if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) ||
            num_in(p + 1, 2, 0, 23) < 0)
            return 0;
        p += 3;
        if (*p == ':')
            return strlen(p + 1) == 2 && num_in(p + 1, 2, 0, 59) >= 0;
        return *p == '\0';
    }
    return *p == '\0';
}

static int legacy_conditions(const cJSON *c)
{
    const cJSON *op, *k, *v;

    cJSON_ArrayForEach(op, c) {
        const char *name = op->string;
        if (!strncmp(name, "ForAnyValue:", 12))
            name += 12;
        else if (!strncmp(name, "ForAllValues:", 13))
            name += 13;
        if (strncmp(name, "Date", 4))
            continue;
        cJSON_ArrayForEach(k, op) {
            if (cJSON_IsString(k) && !date_ok(k->valuestring))
                return 0;
            if (cJSON_IsArray(k))
                cJSON_ArrayForEach(v, k) if (cJSON_IsString(v) && !date_ok(v->valuestring)) return 0;
        }
    }
    return 1;
}

static int count_char(const char *s, char c)
{
    int n = 0;

    for (; *s; s++)
        n += *s == c;
    return n;
}

/* The third ':'-field (service) of r is not empty; ARNs with "::" have all
 * six fields. */
static int legacy_resource(const char *r)
{
    const char *p;

    if (!strcmp(r, "*"))
        return 1;
    if (count_char(r, ':') < 5 && strstr(r, "::"))
        return 0;
    p = strchr(r, ':');
    p = p ? strchr(p + 1, ':') : NULL;
    return p == NULL || (p[1] != ':' && p[1] != '\0');
}

/* Records in g->res_err the format error of resource r, replacing an
 * earlier one: IAM reports the last it finds. */
static void resource_format(gctx_t *g, const char *r)
{
    const char *f[6] = {0};
    size_t len[6] = {0}, nf = 0, i;
    const char *p = r;

    if (!strcmp(r, "*"))
        return;
    if (strchr(r, ':') == NULL) {
        snprintf(g->res_err, sizeof g->res_err, "Resource %s must be in ARN format or \"*\".", r);
        return;
    }
    /* fields: arn, partition, service, region, account, rest */
    while (nf < 6) {
        const char *c = nf < 5 ? strchr(p, ':') : NULL;
        f[nf] = p;
        len[nf] = c ? (size_t)(c - p) : strlen(p);
        nf++;
        if (c == NULL)
            break;
        p = c + 1;
    }
    for (i = 0; i < sizeof partitions / sizeof partitions[0]; i++)
        if (strlen(partitions[i]) == len[1] && !strncmp(f[1], partitions[i], len[1]))
            break;
    if (i == sizeof partitions / sizeof partitions[0] && !(len[1] == 1 && f[1][0] == '*')) {
        /* the fields after the partition, "*" for those missing */
        int has1 = nf > 3 || (nf > 2 && len[2]);
        snprintf(g->res_err, sizeof g->res_err,
                 "Partition \"%.*s\" is not valid for resource \"arn:%.*s:%.*s:%.*s:%.*s:%s\".",
                 (int)len[1], f[1], (int)len[1], f[1], has1 ? (int)len[2] : 1,
                 has1 ? f[2] : "*", nf > 3 ? (int)len[3] : 1, nf > 3 ? f[3] : "*",
                 nf > 4 ? (int)len[4] : 1, nf > 4 ? f[4] : "*", nf > 5 ? f[5] : "*");
        return;
    }
    if (nf < 3) {
        snprintf(g->res_err, sizeof g->res_err,
                 "Resource vendor must be fully qualified and cannot contain regexes.");
        return;
    }
    if ((nf == 3 || len[3]) &&
        ((len[2] == 3 && !strncmp(f[2], "iam", 3)) || (len[2] == 2 && !strncmp(f[2], "s3", 2)))) {
        snprintf(g->res_err, sizeof g->res_err,
                 len[2] == 3 ? "IAM resource %s cannot contain region information."
                             : "Resource %s can not contain region information.",
                 r);
        return;
    }
    if (len[2] == 3 && !strncmp(f[2], "iam", 3)) {
        const char *rest = nf > 5 ? f[5] : "";
        for (i = 0; i < sizeof iam_paths / sizeof iam_paths[0]; i++)
            if (!strncmp(rest, iam_paths[i], strlen(iam_paths[i])))
                return;
        snprintf(g->res_err, sizeof g->res_err,
                 "IAM resource path must either be \"*\" or start with user/, federated-user/, "
                 "role/, group/, instance-profile/, mfa/, server-certificate/, policy/, "
                 "sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.");
    }
}

static int cmp_desc(const void *a, const void *b)
{
    return strcmp(*(const char *const *)b, *(const char *const *)a);
}

/* Format errors recorded (a list in descending order, so the least one
 * is what IAM reports), then the legacy shape of each, unless one was
 * found. */
static int resources_legacy(gctx_t *g, const cJSON *j)
{
    const char **v;
    const cJSON *e;
    size_t n = 0, i;
    int ok = 1;

    if (j == NULL)
        return 1;
    if (cJSON_IsString(j)) {
        resource_format(g, j->valuestring);
        return g->res_err[0] || legacy_resource(j->valuestring);
    }
    if ((v = malloc(((size_t)cJSON_GetArraySize(j) + 1) * sizeof *v)) == NULL)
        return 0;
    cJSON_ArrayForEach(e, j) v[n++] = e->valuestring;
    qsort(v, n, sizeof *v, cmp_desc);
    for (i = 0; i < n; i++)
        resource_format(g, v[i]);
    for (i = 0; i < n && !g->res_err[0] && ok; i++)
        ok = legacy_resource(v[i]);
    free(v);
    return ok;
}

static int legacy(gctx_t *g)
{
    size_t i;

    for (i = 0; i < g->n; i++) {
        const cJSON *s = g->st[i], *eff = cJSON_GetObjectItemCaseSensitive(s, "Effect");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(s, "Condition");
        if (strcmp(eff->valuestring, "Allow") && strcmp(eff->valuestring, "Deny"))
            return 0;
        if (c && !legacy_conditions(c))
            return 0;
    }
    for (i = 0; i < g->n; i++)
        if (!resources_legacy(g, cJSON_GetObjectItemCaseSensitive(g->st[i], "Resource")) ||
            !resources_legacy(g, cJSON_GetObjectItemCaseSensitive(g->st[i], "NotResource")))
            return 0;
    return 1;
}

/* ---- the later checks ----------------------------------------------------- */

static int sids_unique(gctx_t *g)
{
    size_t i, k;

    for (i = 0; i < g->n; i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(g->st[i], "Sid");
        if (a == NULL || a->valuestring[0] == '\0')
            continue;
        for (k = 0; k < i; k++) {
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(g->st[k], "Sid");
            if (b && !strcmp(a->valuestring, b->valuestring))
                return 0;
        }
    }
    return 1;
}

/* Every statement has member a or b, and a list there is not empty. */
static int all_have(gctx_t *g, const char *a, const char *b)
{
    size_t i;

    for (i = 0; i < g->n; i++) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(g->st[i], a);
        if (j == NULL)
            j = cJSON_GetObjectItemCaseSensitive(g->st[i], b);
        if (j == NULL || (cJSON_IsArray(j) && j->child == NULL))
            return 0;
    }
    return 1;
}

static int action_vendor(gctx_t *g, const char *a)
{
    const char *colon = strchr(a, ':');
    size_t i;

    if (colon == NULL)
        return strcmp(a, "*") ? fail(g, "Actions/Conditions must be prefaced by a vendor, e.g., "
                                        "iam, sdb, ec2, etc.")
                              : 0;
    if (strchr(colon + 1, ':'))
        return fail(g, "Actions/Condition can contain only one colon.");
    if (colon - a == 1 && a[0] == '*')
        return 0;
    for (i = 0; a + i < colon; i++) {
        if (!isalnum((unsigned char)a[i]) && a[i] != '-' && a[i] != '.') {
            snprintf(g->err, g->errlen, "Vendor %.*s is not valid", (int)(colon - a), a);
            return -1;
        }
    }
    return 0;
}

static int vendors(gctx_t *g, const char *member)
{
    size_t i;

    for (i = 0; i < g->n; i++) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(g->st[i], member), *e;
        if (cJSON_IsString(j) && action_vendor(g, j->valuestring))
            return -1;
        if (cJSON_IsArray(j))
            cJSON_ArrayForEach(e, j) if (action_vendor(g, e->valuestring)) return -1;
    }
    return 0;
}

int policy_iam_grammar(const char *json, size_t len, char *err, size_t errlen)
{
    gctx_t *g = calloc(1, sizeof *g);
    cJSON *root = NULL;
    const cJSON *v;
    int rc = -1;

    if (g == NULL) {
        snprintf(err, errlen, "Out of memory.");
        return -1;
    }
    g->err = err;
    g->errlen = errlen;
    root = cJSON_ParseWithLength(json, len);
    if (root == NULL || !syntax(g, root)) {
        fail(g, SYNTAX);
        goto out;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "Version");
    if (v == NULL || strcmp(v->valuestring, "2012-10-17")) {
        fail(g, "Policy document must be version 2012-10-17 or greater.");
        goto out;
    }
    if (!legacy(g))
        fail(g, LEGACY);
    else if (!sids_unique(g))
        fail(g, "Statement IDs (SID) in a single policy must be unique.");
    else if (!all_have(g, "Action", "NotAction"))
        fail(g, "Policy statement must contain actions.");
    else if (g->res_err[0])
        fail(g, g->res_err);
    else if (vendors(g, "Action") || vendors(g, "NotAction"))
        ;
    else if (!all_have(g, "Resource", "NotResource"))
        fail(g, "Policy statement must contain resources.");
    else
        rc = 0;
out:
    cJSON_Delete(root);
    free(g);
    return rc;
}
