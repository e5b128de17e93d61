/* policy.c — IAM policy documents: parse and validate with cJSON into a
 * precompiled form held in one arena (patterns compiled here, matched by
 * policy_match.c; evaluation and the decision in policy_eval.c). */
#include "authz/policy_int.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/jsonlen.h"
#include "base/utf8.h"

/* ---- arena ---------------------------------------------------------------- */

/* Zeroed memory for n bytes that lives as long as the arena, or NULL. */
static void *arena_alloc(struct arena *a, size_t n)
{
    struct blk *b = a->head;
    void *p;

    n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (n == 0)
        n = ARENA_ALIGN;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->cap = cap;
        b->used = 0;
        if (a->head && n > ARENA_BLOCK) {
            /* a large one-off block goes behind the current one */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static char *arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(a, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void arena_free(struct arena *a)
{
    struct blk *b = a->head, *next;

    while (b) {
        next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- compiled patterns ---------------------------------------------------- */

/* Parses the inside of ${...} (s[0..n)): a key, optionally ", 'default'".
 * Returns 0 with *key and *def (arena strings; *def NULL without default), -1
 * when it is not a well-formed variable. */
static int parse_var(struct arena *a, const char *s, size_t n, const char **key, const char **def)
{
    size_t i = 0, kb, ke, db, de;
    char *k, *d = NULL;

    while (i < n && s[i] == ' ')
        i++;
    kb = i;
    while (i < n && s[i] != ',' && s[i] != ' ' && s[i] != '\'')
        i++;
    ke = i;
    while (i < n && s[i] == ' ')
        i++;
    if (ke == kb)
        return -1;
    if (i < n) {
        if (s[i] != ',')
            return -1;
        i++;
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n || s[i] != '\'')
            return -1;
        db = ++i;
        while (i < n && s[i] != '\'')
            i++;
        if (i >= n)
            return -1;
        de = i++;
        while (i < n && s[i] == ' ')
            i++;
        if (i != n)
            return -1;
        d = arena_alloc(a, de - db + 1);
        if (d == NULL)
            return -1;
        memcpy(d, s + db, de - db);
    }
    k = arena_alloc(a, ke - kb + 1);
    if (k == NULL)
        return -1;
    memcpy(k, s + kb, ke - kb);
    *key = k;
    *def = d;
    return 0;
}

/* Compiles s: with vars, ${...} are policy variables (${*}, ${?}, ${$} the
 * literal characters); with wild, * and ? are wildcards. Returns 0 or -1
 * (out of memory). */
static int pat_compile(struct arena *a, const char *s, int vars, int wild, struct pat *p /* OUT */)
{
    size_t len = strlen(s), i, n = 0, nv = 0, cap_v = 0;
    uint16_t *t = arena_alloc(a, (len + 1) * sizeof *t);
    struct pvar *v = NULL;

    if (t == NULL)
        return -1;
    if (vars) {
        const char *q = s;
        while ((q = strstr(q, "${")) != NULL) {
            cap_v++;
            q += 2;
        }
        if (cap_v > MAX_VARS)
            cap_v = MAX_VARS;
        if (cap_v && (v = arena_alloc(a, cap_v * sizeof *v)) == NULL)
            return -1;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (vars && c == '$' && s[i + 1] == '{') {
            const char *end = strchr(s + i + 2, '}');
            if (end) {
                size_t in = (size_t)(end - (s + i + 2));
                const char *body = s + i + 2;
                if (in == 1 && (body[0] == '*' || body[0] == '?' || body[0] == '$')) {
                    t[n++] = (unsigned char)body[0];
                    i += 3;
                    continue;
                }
                if (nv < cap_v && parse_var(a, body, in, &v[nv].key, &v[nv].def) == 0) {
                    t[n++] = (uint16_t)(TOK_VAR | nv);
                    nv++;
                    i += 2 + in;
                    continue;
                }
            }
        }
        if (wild && c == '*')
            t[n++] = TOK_STAR;
        else if (wild && c == '?')
            t[n++] = TOK_QMARK;
        else
            t[n++] = c;
    }
    p->t = t;
    p->n = n;
    p->vars = v;
    p->nvars = nv;
    p->kind = PK_GLOB;
    if (nv == 0) {
        size_t stars = 0, other = 0, k;
        for (k = 0; k < n; k++) {
            if (t[k] == TOK_STAR)
                stars++;
            else if (t[k] >= 0x100)
                other++;
        }
        if (n > 0 && stars == n) {
            p->kind = PK_ANY; /* (an empty pattern is the empty literal) */
        } else if (other == 0 && (stars == 0 || (stars == 1 && t[n - 1] == TOK_STAR))) {
            char *lit = arena_alloc(a, n + 1);
            if (lit == NULL)
                return -1;
            for (k = 0; k < n - stars; k++)
                lit[k] = (char)t[k];
            p->lit = lit;
            p->litn = n - stars;
            p->kind = stars ? PK_PREFIX : PK_LIT;
        }
    }
    return 0;
}

/* ---- conditions ----------------------------------------------------------- */

static const struct opdef ops[] = {
    {"StringEquals", C_STR, CMP_EQ, 0},
    {"StringNotEquals", C_STR, CMP_EQ, 1},
    {"StringEqualsIgnoreCase", C_STR_IC, CMP_EQ, 0},
    {"StringNotEqualsIgnoreCase", C_STR_IC, CMP_EQ, 1},
    {"StringLike", C_LIKE, CMP_EQ, 0},
    {"StringNotLike", C_LIKE, CMP_EQ, 1},
    {"NumericEquals", C_NUM, CMP_EQ, 0},
    {"NumericNotEquals", C_NUM, CMP_EQ, 1},
    {"NumericLessThan", C_NUM, CMP_LT, 0},
    {"NumericLessThanEquals", C_NUM, CMP_LE, 0},
    {"NumericGreaterThan", C_NUM, CMP_GT, 0},
    {"NumericGreaterThanEquals", C_NUM, CMP_GE, 0},
    {"DateEquals", C_DATE, CMP_EQ, 0},
    {"DateNotEquals", C_DATE, CMP_EQ, 1},
    {"DateLessThan", C_DATE, CMP_LT, 0},
    {"DateLessThanEquals", C_DATE, CMP_LE, 0},
    {"DateGreaterThan", C_DATE, CMP_GT, 0},
    {"DateGreaterThanEquals", C_DATE, CMP_GE, 0},
    {"Bool", C_BOOL, CMP_EQ, 0},
    {"BinaryEquals", C_BIN, CMP_EQ, 0},
    {"IpAddress", C_IP, CMP_EQ, 0},
    {"NotIpAddress", C_IP, CMP_EQ, 1},
    {"ArnEquals", C_ARN, CMP_EQ, 0},
    {"ArnLike", C_ARN, CMP_EQ, 0},
    {"ArnNotEquals", C_ARN, CMP_EQ, 1},
    {"ArnNotLike", C_ARN, CMP_EQ, 1},
    {"Null", C_NULL, CMP_EQ, 0},
};


/* ---- parsing -------------------------------------------------------------- */

struct pctx {
    struct arena *a;
    enum policy_kind kind;
    int v2012;
    char *err;
    size_t errlen;
};

static int perr(struct pctx *c, const char *fmt, const char *arg)
{
    if (c->err && c->errlen) {
        if (arg)
            snprintf(c->err, c->errlen, fmt, arg);
        else
            snprintf(c->err, c->errlen, "%s", fmt);
    }
    return -1;
}

#define SYNTAX "Syntax errors in policy."
#define OOM "Out of memory."
#define VENDOR "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."

/* The strings of a string-or-array element in *out (arena array of
 * pointers into the JSON). Returns the count, or -1 (syntax error set). */
static long str_list(struct pctx *c, const cJSON *j, const char ***out /* OUT */)
{
    const cJSON *e;
    const char **v;
    long n = 0;

    if (cJSON_IsString(j)) {
        v = arena_alloc(c->a, sizeof *v);
        if (v == NULL)
            return perr(c, OOM, NULL);
        v[0] = j->valuestring;
        *out = v;
        return 1;
    }
    if (!cJSON_IsArray(j))
        return perr(c, SYNTAX, NULL);
    cJSON_ArrayForEach(e, j) {
        if (!cJSON_IsString(e))
            return perr(c, SYNTAX, NULL);
        n++;
    }
    v = arena_alloc(c->a, (size_t)(n ? n : 1) * sizeof *v);
    if (v == NULL)
        return perr(c, OOM, NULL);
    n = 0;
    cJSON_ArrayForEach(e, j) v[n++] = e->valuestring;
    *out = v;
    return n;
}

static int has_vendor(const char *s)
{
    const char *colon = strchr(s, ':');
    return colon && colon != s;
}

static int parse_actions(struct pctx *c, const cJSON *j, struct stmt *st)
{
    const char **v;
    long n = str_list(c, j, &v), i;

    if (n < 0)
        return -1;
    if (n == 0)
        return perr(c, "Policy statement must contain actions.", NULL);
    st->actions = arena_alloc(c->a, (size_t)n * sizeof *st->actions);
    if (st->actions == NULL)
        return perr(c, OOM, NULL);
    for (i = 0; i < n; i++) {
        if (strcmp(v[i], "*") != 0 && !has_vendor(v[i]))
            return perr(c, VENDOR, NULL);
        if (c->kind == POLICY_TRUST && strncasecmp(v[i], "sts:", 4) != 0)
            return perr(c, "AssumeRole policy may only specify STS AssumeRole actions.", NULL);
        if (pat_compile(c->a, v[i], 0, 1, &st->actions[i]) != 0)
            return perr(c, OOM, NULL);
    }
    st->nactions = (size_t)n;
    return 0;
}

static int parse_resources(struct pctx *c, const cJSON *j, struct stmt *st)
{
    const char **v;
    long n = str_list(c, j, &v), i;

    if (n < 0)
        return -1;
    if (n == 0)
        return perr(c, "Policy statement must contain resources.", NULL);
    st->resources = arena_alloc(c->a, (size_t)n * sizeof *st->resources);
    if (st->resources == NULL)
        return perr(c, OOM, NULL);
    for (i = 0; i < n; i++)
        if (pat_compile(c->a, v[i], c->v2012, 1, &st->resources[i]) != 0)
            return perr(c, OOM, NULL);
    st->nresources = (size_t)n;
    st->has_resource = 1;
    return 0;
}

static int all_digits(const char *s, size_t n)
{
    size_t i;

    if (strlen(s) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* One "AWS" principal value. Returns 0 or -1. */
static int parse_aws_principal(struct pctx *c, const char *s, struct princ *p)
{
    size_t n = strlen(s);

    if (strcmp(s, "*") == 0) {
        p->type = P_ANY;
        return 0;
    }
    if (all_digits(s, 12)) {
        p->type = P_ACCOUNT;
        p->s = arena_strdup(c->a, s);
        return p->s ? 0 : perr(c, OOM, NULL);
    }
    if (strncmp(s, "arn:", 4) == 0) {
        /* arn:PARTITION:iam::ACCOUNT:root */
        const char *q = s + 4, *acct;
        int colons = 0;
        while (*q && colons < 3)
            if (*q++ == ':')
                colons++;
        acct = q;
        if (colons == 3 && n - (size_t)(acct - s) == 17 && strcmp(acct + 12, ":root") == 0) {
            char a[13];
            memcpy(a, acct, 12);
            a[12] = '\0';
            if (all_digits(a, 12) && strstr(s, ":iam::") != NULL) {
                p->type = P_ACCOUNT;
                p->s = arena_strdup(c->a, a);
                return p->s ? 0 : perr(c, OOM, NULL);
            }
        }
        if (colons == 3 && strchr(acct, ':') != NULL) {
            p->type = P_ARN;
            p->s = arena_strdup(c->a, s);
            return p->s ? 0 : perr(c, OOM, NULL);
        }
    }
    return perr(c, "Invalid principal in policy", NULL);
}

static int parse_principal(struct pctx *c, const cJSON *j, struct stmt *st)
{
    static const struct {
        const char *name;
        enum ptype type;
    } kinds[] = {{"AWS", P_ARN}, {"Service", P_SERVICE}, {"Federated", P_FEDERATED},
                 {"CanonicalUser", P_CANONICAL}};
    const cJSON *e;
    size_t total = 0, k;

    if (cJSON_IsString(j)) {
        if (strcmp(j->valuestring, "*") != 0)
            return perr(c, "Invalid principal in policy", NULL);
        st->princs = arena_alloc(c->a, sizeof *st->princs);
        if (st->princs == NULL)
            return perr(c, OOM, NULL);
        st->princs[0].type = P_ANY;
        st->nprincs = 1;
        return 0;
    }
    if (!cJSON_IsObject(j))
        return perr(c, SYNTAX, NULL);
    cJSON_ArrayForEach(e, j) {
        const char **v;
        long n;
        for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (strcmp(e->string, kinds[k].name) == 0)
                break;
        if (k == sizeof kinds / sizeof kinds[0])
            return perr(c, "Invalid principal in policy", NULL);
        if ((n = str_list(c, e, &v)) < 0)
            return -1;
        total += (size_t)n;
    }
    if (total == 0)
        return perr(c, "Invalid principal in policy", NULL);
    st->princs = arena_alloc(c->a, total * sizeof *st->princs);
    if (st->princs == NULL)
        return perr(c, OOM, NULL);
    cJSON_ArrayForEach(e, j) {
        const char **v;
        long n, i;
        for (k = 0; strcmp(e->string, kinds[k].name) != 0; k++)
            ;
        n = str_list(c, e, &v);
        for (i = 0; i < n; i++) {
            struct princ *p = &st->princs[st->nprincs++];
            if (kinds[k].type == P_ARN) {
                if (parse_aws_principal(c, v[i], p) != 0)
                    return -1;
                continue;
            }
            if (v[i][0] == '\0')
                return perr(c, "Invalid principal in policy", NULL);
            p->type = (uint8_t)kinds[k].type;
            p->s = arena_strdup(c->a, v[i]);
            if (p->s == NULL)
                return perr(c, OOM, NULL);
        }
    }
    return 0;
}

/* The text of a condition value: strings as they are, numbers and
 * booleans as JSON writes them (in tmp). NULL for other types. */
static const char *cval_text(const cJSON *j, char *tmp, size_t n)
{
    if (cJSON_IsString(j))
        return j->valuestring;
    if (cJSON_IsBool(j))
        return cJSON_IsTrue(j) ? "true" : "false";
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        snprintf(tmp, n, "%.15g", d);
        if (strtod(tmp, NULL) != d)
            snprintf(tmp, n, "%.17g", d);
        return tmp;
    }
    return NULL;
}

static int compile_cval(struct pctx *c, const struct cond *cd, const char *s, struct cval *v)
{
    switch (cd->cls) {
    case C_STR:
    case C_STR_IC:
        v->ok = 1;
        return pat_compile(c->a, s, c->v2012, 0, &v->pat);
    case C_LIKE:
    case C_ARN:
        v->ok = 1;
        return pat_compile(c->a, s, c->v2012, 1, &v->pat);
    case C_BIN:
        v->ok = 1;
        return pat_compile(c->a, s, 0, 0, &v->pat);
    case C_NUM:
        v->ok = pol_parse_num(s, &v->num) == 0;
        return 0;
    case C_DATE:
        v->ok = pol_parse_date(s, &v->num) == 0;
        return 0;
    case C_BOOL:
    case C_NULL: {
        int b = pol_parse_bool(s);
        v->ok = b >= 0;
        v->num = b > 0;
        return 0;
    }
    case C_IP:
        v->ok = pol_parse_cidr(s, &v->ip) == 0;
        return 0;
    }
    return 0;
}

/* Finds the operator named name (with its ForAllValues:/ForAnyValue: and
 * IfExists parts) into cd. Returns 0 or -1. */
static int lookup_op(const char *name, struct cond *cd)
{
    size_t n, i, ifx = strlen("IfExists");

    if (strncmp(name, "ForAllValues:", 13) == 0) {
        cd->set = SET_ALL;
        name += 13;
    } else if (strncmp(name, "ForAnyValue:", 12) == 0) {
        cd->set = SET_ANY;
        name += 12;
    }
    n = strlen(name);
    if (n > ifx && strcmp(name + n - ifx, "IfExists") == 0) {
        cd->ifexists = 1;
        n -= ifx;
    }
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strlen(ops[i].name) == n && strncmp(ops[i].name, name, n) == 0) {
            if (ops[i].cls == C_NULL && (cd->ifexists || cd->set))
                return -1;
            cd->cls = ops[i].cls;
            cd->cmp = ops[i].cmp;
            cd->neg = ops[i].neg;
            return 0;
        }
    }
    return -1;
}

static int parse_conditions(struct pctx *c, const cJSON *j, struct stmt *st)
{
    const cJSON *op, *key, *e;
    size_t n = 0;

    if (!cJSON_IsObject(j))
        return perr(c, SYNTAX, NULL);
    cJSON_ArrayForEach(op, j) {
        struct cond probe;
        memset(&probe, 0, sizeof probe);
        /* IAM accepts an unknown operator with an empty block, and a key
         * without a vendor with no values (moto's AWS-verified cases) */
        if (lookup_op(op->string, &probe) != 0 && !(cJSON_IsObject(op) && op->child == NULL))
            return perr(c, "Invalid Condition type : %s", op->string);
        if (!cJSON_IsObject(op))
            return perr(c, SYNTAX, NULL);
        cJSON_ArrayForEach(key, op) {
            if (!has_vendor(key->string) && !(cJSON_IsArray(key) && key->child == NULL))
                return perr(c, VENDOR, NULL);
            if (cJSON_IsArray(key)) {
                cJSON_ArrayForEach(e, key) {
                    char tmp[40];
                    if (cval_text(e, tmp, sizeof tmp) == NULL)
                        return perr(c, SYNTAX, NULL);
                }
            } else {
                char tmp[40];
                if (cval_text(key, tmp, sizeof tmp) == NULL)
                    return perr(c, SYNTAX, NULL);
            }
            n++;
        }
    }
    if (n == 0)
        return 0;
    st->conds = arena_alloc(c->a, n * sizeof *st->conds);
    if (st->conds == NULL)
        return perr(c, OOM, NULL);
    cJSON_ArrayForEach(op, j) {
        cJSON_ArrayForEach(key, op) {
            struct cond *cd = &st->conds[st->nconds++];
            size_t nv = cJSON_IsArray(key) ? (size_t)cJSON_GetArraySize(key) : 1, i = 0;
            lookup_op(op->string, cd);
            cd->key = arena_strdup(c->a, key->string);
            cd->vals = arena_alloc(c->a, (nv ? nv : 1) * sizeof *cd->vals);
            if (cd->key == NULL || cd->vals == NULL)
                return perr(c, OOM, NULL);
            if (cJSON_IsArray(key)) {
                cJSON_ArrayForEach(e, key) {
                    char tmp[40];
                    if (compile_cval(c, cd, cval_text(e, tmp, sizeof tmp), &cd->vals[i++]) != 0)
                        return perr(c, OOM, NULL);
                }
            } else {
                char tmp[40];
                if (compile_cval(c, cd, cval_text(key, tmp, sizeof tmp), &cd->vals[i++]) != 0)
                    return perr(c, OOM, NULL);
            }
            cd->nvals = i;
        }
    }
    return 0;
}

static int parse_statement(struct pctx *c, const cJSON *j, struct stmt *st)
{
    static const char *const fields[] = {"Sid",         "Effect",    "Action",
                                         "NotAction",   "Resource",  "NotResource",
                                         "Principal",   "NotPrincipal", "Condition"};
    const cJSON *e, *sid, *eff, *act, *nact, *res, *nres, *pr, *npr, *cond;
    size_t k;

    if (!cJSON_IsObject(j))
        return perr(c, SYNTAX, NULL);
    cJSON_ArrayForEach(e, j) {
        for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
            if (strcmp(e->string, fields[k]) == 0)
                break;
        if (k == sizeof fields / sizeof fields[0])
            return perr(c, "Unknown field %s", e->string);
    }
    sid = cJSON_GetObjectItemCaseSensitive(j, "Sid");
    eff = cJSON_GetObjectItemCaseSensitive(j, "Effect");
    act = cJSON_GetObjectItemCaseSensitive(j, "Action");
    nact = cJSON_GetObjectItemCaseSensitive(j, "NotAction");
    res = cJSON_GetObjectItemCaseSensitive(j, "Resource");
    nres = cJSON_GetObjectItemCaseSensitive(j, "NotResource");
    pr = cJSON_GetObjectItemCaseSensitive(j, "Principal");
    npr = cJSON_GetObjectItemCaseSensitive(j, "NotPrincipal");
    cond = cJSON_GetObjectItemCaseSensitive(j, "Condition");

    if (sid) {
        if (!cJSON_IsString(sid))
            return perr(c, SYNTAX, NULL);
        str_copy(st->sid, sizeof st->sid, sid->valuestring);
        if ((st->full_sid = arena_strdup(c->a, sid->valuestring)) == NULL)
            return perr(c, OOM, NULL);
    }
    if (eff == NULL)
        return perr(c, "Missing required field Effect", NULL);
    if (!cJSON_IsString(eff))
        return perr(c, SYNTAX, NULL);
    if (strcmp(eff->valuestring, "Allow") == 0)
        st->effect = POLICY_ALLOW;
    else if (strcmp(eff->valuestring, "Deny") == 0)
        st->effect = POLICY_DENY;
    else
        return perr(c, "Invalid effect: %s", eff->valuestring);

    if (c->kind == POLICY_IDENTITY) {
        if (pr)
            return perr(c, "Policy document should not specify a principal.", NULL);
        if (npr)
            return perr(c, "Has prohibited field NotPrincipal", NULL);
    } else {
        if (pr && npr)
            return perr(c, SYNTAX, NULL);
        if (!pr && !npr)
            return perr(c, "Missing required field Principal", NULL);
        if (parse_principal(c, pr ? pr : npr, st) != 0)
            return -1;
        st->not_principal = npr != NULL;
    }

    if (act && nact)
        return perr(c, SYNTAX, NULL);
    if (!act && !nact)
        return perr(c, "Policy statement must contain actions.", NULL);
    if (parse_actions(c, act ? act : nact, st) != 0)
        return -1;
    st->not_action = nact != NULL;

    if (res && nres)
        return perr(c, SYNTAX, NULL);
    if (!res && !nres) {
        if (c->kind != POLICY_TRUST)
            return perr(c, "Policy statement must contain resources.", NULL);
    } else {
        if (parse_resources(c, res ? res : nres, st) != 0)
            return -1;
        st->not_resource = nres != NULL;
    }

    if (cond && parse_conditions(c, cond, st) != 0)
        return -1;
    return 0;
}

policy_t *policy_parse(const char *json, size_t len, enum policy_kind kind, char *err,
                       size_t errlen)
{
    struct arena a = {NULL};
    struct pctx c = {&a, kind, 0, err, errlen};
    policy_t *p = NULL;
    cJSON *root = NULL;
    const cJSON *e, *ver, *stmts;
    const char *end = NULL;
    char *copy = NULL;
    size_t i, n, nuls = 0;

    if (err && errlen)
        err[0] = '\0';
    if (json == NULL || len == 0) {
        perr(&c, SYNTAX, NULL);
        goto fail;
    }
    /* a NUL-terminated copy: cJSON may look one byte past the length */
    copy = malloc(len + 1);
    if (copy == NULL) {
        perr(&c, OOM, NULL);
        goto fail;
    }
    memcpy(copy, json, len);
    copy[len] = '\0';
    /* Text first: UTF-8, strict JSON (jsonlen_record refuses what cJSON
     * lets through) and no U+0000 in any name or string, so that every
     * string below is the C string it looks like: a condition key or value
     * cut at a NUL would widen or narrow the policy its author wrote. */
    if (!utf8_valid(copy, len) || (root = cJSON_ParseWithLengthOpts(copy, len, &end, 0)) == NULL ||
        jsonlen_record(root, copy, len, &nuls) != JSONLEN_OK || nuls != 0 ||
        !cJSON_IsObject(root)) {
        perr(&c, SYNTAX, NULL);
        goto fail;
    }
    cJSON_ArrayForEach(e, root) {
        if (strcmp(e->string, "Version") != 0 && strcmp(e->string, "Id") != 0 &&
            strcmp(e->string, "Statement") != 0) {
            perr(&c, "Unknown field %s", e->string);
            goto fail;
        }
    }
    ver = cJSON_GetObjectItemCaseSensitive(root, "Version");
    if (ver) {
        if (!cJSON_IsString(ver) || (strcmp(ver->valuestring, "2012-10-17") != 0 &&
                                     strcmp(ver->valuestring, "2008-10-17") != 0)) {
            perr(&c, "The policy failed legacy parsing", NULL);
            goto fail;
        }
        c.v2012 = strcmp(ver->valuestring, "2012-10-17") == 0;
    }
    e = cJSON_GetObjectItemCaseSensitive(root, "Id");
    if (e && !cJSON_IsString(e)) {
        perr(&c, SYNTAX, NULL);
        goto fail;
    }
    stmts = cJSON_GetObjectItemCaseSensitive(root, "Statement");
    if (stmts == NULL) {
        perr(&c, "Missing required field Statement", NULL);
        goto fail;
    }
    if (cJSON_IsObject(stmts)) {
        n = 1;
    } else if (cJSON_IsArray(stmts) && cJSON_GetArraySize(stmts) > 0) {
        n = (size_t)cJSON_GetArraySize(stmts);
    } else {
        perr(&c, SYNTAX, NULL);
        goto fail;
    }

    p = arena_alloc(&a, sizeof *p);
    if (p == NULL || (p->stmts = arena_alloc(&a, n * sizeof *p->stmts)) == NULL) {
        perr(&c, OOM, NULL);
        goto fail;
    }
    p->kind = kind;
    p->v2012 = c.v2012;
    p->nstmts = n;
    if (cJSON_IsObject(stmts)) {
        if (parse_statement(&c, stmts, &p->stmts[0]) != 0)
            goto fail;
    } else {
        i = 0;
        cJSON_ArrayForEach(e, stmts) {
            if (parse_statement(&c, e, &p->stmts[i++]) != 0)
                goto fail;
        }
    }
    /* Sids must be unique */
    for (i = 1; i < n; i++) {
        size_t k;
        if (p->stmts[i].full_sid == NULL)
            continue;
        for (k = 0; k < i; k++) {
            if (p->stmts[k].full_sid && strcmp(p->stmts[i].full_sid, p->stmts[k].full_sid) == 0) {
                perr(&c, "Statement IDs (SID) in a single policy must be unique", NULL);
                goto fail;
            }
        }
    }
    cJSON_Delete(root);
    free(copy);
    p->arena = a;
    return p;
fail:
    cJSON_Delete(root);
    free(copy);
    arena_free(&a);
    return NULL;
}

void policy_free(policy_t *p)
{
    struct arena a;

    if (p == NULL)
        return;
    a = p->arena; /* p lives in its own arena */
    arena_free(&a);
}

