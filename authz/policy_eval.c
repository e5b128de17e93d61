/* policy_eval.c — evaluating a compiled policy against a request without
 * allocating, and combining the policies of a request into AWS's decision. */
#include "authz/policy_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- evaluation ----------------------------------------------------------- */

static int cmp_num(double a, double b, int cmp)
{
    switch (cmp) {
    case CMP_LT:
        return a < b;
    case CMP_LE:
        return a <= b;
    case CMP_GT:
        return a > b;
    case CMP_GE:
        return a >= b;
    default:
        return a == b;
    }
}

/* Does request value s[0..sn) (NUL-terminated at sn) match any of the
 * condition's values (positively)? Compared by length: a value holding
 * U+0000 is never a number, date, boolean or address, and matches a string
 * pattern only byte for byte. */
static int cond_value_matches(const struct cond *cd, const policy_request_t *q, const char *s,
                              size_t sn)
{
    size_t i;
    double num = 0;
    struct cidr ip;
    int b;

    if ((cd->cls == C_NUM || cd->cls == C_DATE || cd->cls == C_BOOL || cd->cls == C_IP) &&
        memchr(s, '\0', sn) != NULL)
        return 0;
    switch (cd->cls) {
    case C_NUM:
        if (pol_parse_num(s, &num) != 0)
            return 0;
        break;
    case C_DATE:
        if (pol_parse_date(s, &num) != 0)
            return 0;
        break;
    case C_BOOL:
        if ((b = pol_parse_bool(s)) < 0)
            return 0;
        num = b;
        break;
    case C_IP:
        if (pol_parse_cidr(s, &ip) != 0)
            return 0;
        break;
    default:
        break;
    }
    for (i = 0; i < cd->nvals; i++) {
        const struct cval *v = &cd->vals[i];
        if (!v->ok)
            continue;
        switch (cd->cls) {
        case C_STR:
        case C_BIN:
        case C_LIKE:
            if (pol_pat_match(&v->pat, q, s, sn, 0))
                return 1;
            break;
        case C_STR_IC:
            if (pol_pat_match(&v->pat, q, s, sn, 1))
                return 1;
            break;
        case C_ARN:
            if (pol_arn_match(&v->pat, q, s, sn))
                return 1;
            break;
        case C_NUM:
        case C_DATE:
            /* the request value compared with the policy's */
            if (cmp_num(num, v->num, cd->cmp))
                return 1;
            break;
        case C_BOOL:
            if (num == v->num)
                return 1;
            break;
        case C_IP:
            if (pol_cidr_contains(&v->ip, &ip))
                return 1;
            break;
        default:
            break;
        }
    }
    return 0;
}

static int cond_matches(const struct cond *cd, const policy_request_t *q)
{
    const policy_ctx_t *c = pol_ctx_find(q, cd->key);
    int present = c && c->nvalues > 0;
    size_t i;

    if (cd->cls == C_NULL) {
        for (i = 0; i < cd->nvals; i++)
            if (cd->vals[i].ok && (cd->vals[i].num != 0) != present)
                return 1;
        return 0;
    }
    if (!present) {
        if (cd->ifexists || cd->set == SET_ALL)
            return 1;
        if (cd->set == SET_ANY)
            return 0;
        return cd->neg; /* a negated operator's key is "not matched" */
    }
    if (cd->set == SET_ALL) {
        for (i = 0; i < c->nvalues; i++) {
            const char *s = c->values[i] ? c->values[i] : "";
            if (cond_value_matches(cd, q, s, pol_ctx_len(c, i)) == cd->neg)
                return 0;
        }
        return 1;
    }
    if (cd->set == SET_ANY) {
        for (i = 0; i < c->nvalues; i++) {
            const char *s = c->values[i] ? c->values[i] : "";
            if (cond_value_matches(cd, q, s, pol_ctx_len(c, i)) != cd->neg)
                return 1;
        }
        return 0;
    }
    /* single-valued: any value matches; negated: no value matches */
    for (i = 0; i < c->nvalues; i++) {
        const char *s = c->values[i] ? c->values[i] : "";
        if (cond_value_matches(cd, q, s, pol_ctx_len(c, i)))
            return !cd->neg;
    }
    return cd->neg;
}

/* Principal match strength: 0 none, 1 account, 2 direct via the role of a
 * session, 3 direct. */
static int princ_rank(const struct princ *p, const policy_request_t *q)
{
    switch (p->type) {
    case P_ANY:
        return 3;
    case P_ACCOUNT:
        return q->account && strcmp(q->account, p->s) == 0 ? 1 : 0;
    case P_ARN:
        if (q->principal_arn && strcmp(q->principal_arn, p->s) == 0)
            return 3;
        if (q->role_arn && strcmp(q->role_arn, p->s) == 0)
            return 2;
        return 0;
    case P_SERVICE:
        return q->service_principal && strcmp(q->service_principal, p->s) == 0 ? 3 : 0;
    default:
        return q->principal_arn && strcmp(q->principal_arn, p->s) == 0 ? 3 : 0;
    }
}

/* The statement's principal rank for q (3 when the policy has none). */
static int stmt_principal(const struct stmt *st, const policy_request_t *q)
{
    size_t i;
    int best = 0, r;

    if (st->nprincs == 0)
        return 3;
    for (i = 0; i < st->nprincs; i++) {
        r = princ_rank(&st->princs[i], q);
        if (r > best)
            best = r;
    }
    if (st->not_principal)
        return best ? 0 : 3;
    return best;
}

static int stmt_matches(const struct stmt *st, const policy_request_t *q, const char *action,
                        size_t an, const char *resource, size_t rn)
{
    size_t i;
    int hit = 0;

    for (i = 0; i < st->nactions && !hit; i++)
        hit = pol_pat_match(&st->actions[i], q, action, an, 1);
    if (hit == st->not_action)
        return 0;
    if (st->has_resource) {
        hit = 0;
        for (i = 0; i < st->nresources && !hit; i++)
            hit = pol_pat_match(&st->resources[i], q, resource, rn, 0);
        if (hit == st->not_resource)
            return 0;
    }
    for (i = 0; i < st->nconds; i++)
        if (!cond_matches(&st->conds[i], q))
            return 0;
    return 1;
}

static void fill_match(policy_match_t *m, const policy_t *p, long idx, enum policy_effect eff,
                       int rank)
{
    if (m == NULL)
        return;
    memset(m, 0, sizeof *m);
    m->effect = eff;
    m->statement = (int)idx;
    if (idx >= 0)
        memcpy(m->sid, p->stmts[idx].sid, sizeof m->sid);
    if (p && p->kind != POLICY_IDENTITY && idx >= 0) {
        m->principal = rank == 1   ? POLICY_PRINCIPAL_ACCOUNT
                       : rank >= 2 ? POLICY_PRINCIPAL_DIRECT
                                   : POLICY_PRINCIPAL_NONE;
        m->via_role = rank == 2;
    }
}

enum policy_effect policy_eval(const policy_t *p, const policy_request_t *q,
                               policy_match_t *m /* OUT */)
{
    const char *action = q->action ? q->action : "";
    const char *resource = q->resource ? q->resource : "*";
    size_t an = strlen(action), rn = strlen(resource);
    long best = -1;
    int best_rank = 0;
    size_t i;

    if (p == NULL) {
        fill_match(m, NULL, -1, POLICY_NONE, 0);
        return POLICY_NONE;
    }
    for (i = 0; i < p->nstmts; i++) {
        const struct stmt *st = &p->stmts[i];
        int rank = 3;
        if (st->effect == POLICY_ALLOW && best_rank == 3)
            continue; /* nothing stronger to find */
        if (p->kind != POLICY_IDENTITY && (rank = stmt_principal(st, q)) == 0)
            continue;
        if (!stmt_matches(st, q, action, an, resource, rn))
            continue;
        if (st->effect == POLICY_DENY) {
            fill_match(m, p, (long)i, POLICY_DENY, rank);
            return POLICY_DENY;
        }
        if (rank > best_rank) {
            best = (long)i;
            best_rank = rank;
        }
    }
    fill_match(m, p, best, best >= 0 ? POLICY_ALLOW : POLICY_NONE, best_rank);
    return best >= 0 ? POLICY_ALLOW : POLICY_NONE;
}

/* ---- decision ------------------------------------------------------------- */

static void decided(policy_decision_t *d, enum policy_reason r, const char *name,
                    const policy_match_t *m)
{
    if (d == NULL)
        return;
    d->reason = r;
    d->policy_name = name;
    if (m) {
        d->match = *m;
    } else {
        memset(&d->match, 0, sizeof d->match);
        d->match.statement = -1;
    }
}

int policy_decide(const policy_set_t *s, const policy_request_t *q,
                  policy_decision_t *d /* OUT */)
{
    policy_match_t m, id_m, res_m, bnd_m, ses_m;
    const char *id_name = NULL;
    enum policy_effect res = POLICY_NONE, bnd = POLICY_NONE;
    int id_allow = 0, ses_allow = 0, res_direct, res_role, res_account, base;
    int grant_direct, grant_role, grant_account;
    size_t i;

    memset(&id_m, 0, sizeof id_m);
    id_m.statement = -1;
    memset(&ses_m, 0, sizeof ses_m);
    ses_m.statement = -1;

    /* 1. explicit denies, in the order identity, resource, boundary, session */
    for (i = 0; i < s->nidentity; i++) {
        enum policy_effect e;
        if (s->identity[i] == NULL)
            continue;
        e = policy_eval(s->identity[i], q, &m);
        if (e == POLICY_DENY) {
            decided(d, POLICY_DENY_IDENTITY, s->identity_names ? s->identity_names[i] : NULL,
                    &m);
            return 0;
        }
        if (e == POLICY_ALLOW && !id_allow) {
            id_allow = 1;
            id_m = m;
            id_name = s->identity_names ? s->identity_names[i] : NULL;
        }
    }
    if (s->resource) {
        res = policy_eval(s->resource, q, &res_m);
        if (res == POLICY_DENY) {
            decided(d, POLICY_DENY_RESOURCE, "resource-based policy", &res_m);
            return 0;
        }
    }
    if (s->boundary) {
        bnd = policy_eval(s->boundary, q, &bnd_m);
        if (bnd == POLICY_DENY) {
            decided(d, POLICY_DENY_BOUNDARY, "permissions boundary", &bnd_m);
            return 0;
        }
    }
    for (i = 0; i < s->nsession; i++) {
        enum policy_effect e;
        if (s->session[i] == NULL)
            continue;
        e = policy_eval(s->session[i], q, &m);
        if (e == POLICY_DENY) {
            decided(d, POLICY_DENY_SESSION, "session policy", &m);
            return 0;
        }
        if (e == POLICY_ALLOW && !ses_allow) {
            ses_allow = 1;
            ses_m = m;
        }
    }

    /* 2. allows */
    if (s->resource_allow_off && res == POLICY_ALLOW)
        res = POLICY_NONE;
    res_direct = res == POLICY_ALLOW && res_m.principal == POLICY_PRINCIPAL_DIRECT &&
                 !res_m.via_role;
    res_role = res == POLICY_ALLOW && res_m.principal == POLICY_PRINCIPAL_DIRECT &&
               res_m.via_role;
    res_account = res == POLICY_ALLOW && res_m.principal == POLICY_PRINCIPAL_ACCOUNT;
    grant_direct = s->grant == POLICY_PRINCIPAL_DIRECT && !s->grant_via_role;
    grant_role = s->grant == POLICY_PRINCIPAL_DIRECT && s->grant_via_role;
    grant_account = s->grant == POLICY_PRINCIPAL_ACCOUNT;
    if (res_direct) {
        decided(d, POLICY_ALLOWED, "resource-based policy", &res_m);
        return 1;
    }
    if (grant_direct || s->other_allow) {
        decided(d, POLICY_ALLOWED, grant_direct ? "grant" : s->other_allow, NULL);
        if (d)
            d->match.effect = POLICY_ALLOW;
        return 1;
    }
    if (s->resource_required && !res_role && !res_account && !grant_role && !grant_account) {
        decided(d, POLICY_NO_RESOURCE, "resource-based policy", NULL);
        return 0;
    }
    base = s->is_root || id_allow || res_role || grant_role;
    if (!base && s->no_identity) {
        decided(d, POLICY_NO_RESOURCE, "resource-based policy", NULL);
        return 0;
    }
    if (!base) {
        decided(d, POLICY_NO_IDENTITY, NULL, NULL);
        return 0;
    }

    /* 3. limits on an identity-side (or role-named resource) allow */
    if (s->boundary && bnd != POLICY_ALLOW) {
        decided(d, POLICY_NO_BOUNDARY, "permissions boundary", NULL);
        return 0;
    }
    if (s->nsession && !ses_allow) {
        decided(d, POLICY_NO_SESSION, "session policy", NULL);
        return 0;
    }
    if (id_allow) {
        decided(d, POLICY_ALLOWED, id_name, &id_m);
    } else if (res_role) {
        decided(d, POLICY_ALLOWED, "resource-based policy", &res_m);
    } else if (grant_role) {
        decided(d, POLICY_ALLOWED, "grant", NULL);
        if (d)
            d->match.effect = POLICY_ALLOW;
    } else {
        decided(d, POLICY_ALLOWED, NULL, NULL); /* root */
        if (d)
            d->match.effect = POLICY_ALLOW;
    }
    return 1;
}

/* ---- public policies (S3 Block Public Access) ------------------------------ */

/* Keys whose fixed values make a statement to everyone non-public. */
static const char *const fixing_keys[] = {
    "aws:SourceArn",     "aws:SourceVpc",         "aws:SourceVpce",       "aws:SourceOwner",
    "aws:SourceAccount", "aws:PrincipalOrgID",    "aws:PrincipalArn",     "aws:PrincipalAccount",
    "aws:userid",        "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id", NULL};

/* A value with neither wildcard nor variable (a '*' or '?' is one even where
 * the operator compares it literally). */
static int pat_fixed(const struct pat *p)
{
    size_t i;

    if (p->nvars || p->n == 0)
        return 0;
    for (i = 0; i < p->n; i++)
        if (p->t[i] >= 0x100 || p->t[i] == '*' || p->t[i] == '?')
            return 0;
    return 1;
}

/* Does cd hold every request it lets through to fixed values of a key
 * Block Public Access counts? */
static int cond_fixes(const struct cond *cd)
{
    size_t i;
    int known = 0;

    if (cd->neg || cd->ifexists || cd->set != SET_NONE || cd->nvals == 0)
        return 0;
    if (strcasecmp(cd->key, "aws:SourceIp") == 0) {
        if (cd->cls != C_IP)
            return 0;
        for (i = 0; i < cd->nvals; i++) {
            const struct cidr *c = &cd->vals[i].ip;
            if (!cd->vals[i].ok || c->family == 0 || c->prefix < (c->family == 4 ? 8 : 32))
                return 0;
        }
        return 1;
    }
    for (i = 0; fixing_keys[i] && !known; i++)
        known = strcasecmp(cd->key, fixing_keys[i]) == 0;
    if (!known || (cd->cls != C_STR && cd->cls != C_STR_IC && cd->cls != C_LIKE && cd->cls != C_ARN))
        return 0;
    for (i = 0; i < cd->nvals; i++)
        if (!cd->vals[i].ok || !pat_fixed(&cd->vals[i].pat))
            return 0;
    return 1;
}

int policy_public(const policy_t *p)
{
    size_t i, j;

    if (p == NULL || p->kind == POLICY_IDENTITY)
        return 0;
    for (i = 0; i < p->nstmts; i++) {
        const struct stmt *st = &p->stmts[i];
        int everyone = st->not_principal, fixed = 0;
        if (st->effect != POLICY_ALLOW)
            continue;
        for (j = 0; j < st->nprincs && !everyone; j++)
            everyone = st->princs[j].type == P_ANY;
        for (j = 0; j < st->nconds && !fixed; j++)
            fixed = cond_fixes(&st->conds[j]);
        if (everyone && !fixed)
            return 1;
    }
    return 0;
}

const char *policy_reason_text(const policy_decision_t *d, const char *action, char *out,
                               size_t n)
{
    const char *what = NULL, *deny = NULL;

    if (out == NULL || n == 0)
        return out;
    if (action == NULL)
        action = "";
    switch (d->reason) {
    case POLICY_ALLOWED:
        snprintf(out, n, "because %s allows the %s action",
                 d->policy_name && strcmp(d->policy_name, "resource-based policy") == 0
                     ? "a resource-based policy"
                 : d->policy_name && strcmp(d->policy_name, "grant") == 0
                     ? "a grant"
                     : "an identity-based policy",
                 action);
        return out;
    case POLICY_DENY_IDENTITY:
        deny = "an identity-based policy";
        break;
    case POLICY_DENY_RESOURCE:
        deny = "a resource-based policy";
        break;
    case POLICY_DENY_BOUNDARY:
        deny = "a permissions boundary";
        break;
    case POLICY_DENY_SESSION:
        deny = "a session policy";
        break;
    case POLICY_NO_IDENTITY:
        what = "identity-based policy";
        break;
    case POLICY_NO_RESOURCE:
        what = "resource-based policy";
        break;
    case POLICY_NO_BOUNDARY:
        what = "permissions boundary";
        break;
    case POLICY_NO_SESSION:
        what = "session policy";
        break;
    }
    if (deny)
        snprintf(out, n, "with an explicit deny in %s", deny);
    else if (what)
        snprintf(out, n, "because no %s allows the %s action", what, action);
    else
        out[0] = '\0';
    return out;
}
