/* policy_util.h — what the policy engine's unit tests share
 * (test_policy*.c): jq() for readable policies, the callers, request
 * contexts from "key=v1|v2;key2" specs. */
#ifndef AWSEMU_POLICY_UTIL_H
#define AWSEMU_POLICY_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/policy.h"

static inline char *jq(const char *s)
{
    size_t n = strlen(s), i;
    char *o = malloc(n + 1);

    for (i = 0; i <= n; i++)
        o[i] = s[i] == '\'' ? '"' : s[i] == '`' ? '\'' : s[i];
    return o;
}

static inline policy_t *parse(const char *doc, enum policy_kind kind, char *err, size_t errlen)
{
    char *j = jq(doc);
    policy_t *p = policy_parse(j, strlen(j), kind, err, errlen);

    free(j);
    return p;
}

/* Who is calling. */
enum who { ALICE, SESSION, ROOT, BOB, SERVICE, ANON, FED, CANON };

#define ACCT "111122223333"
#define OTHER "444455556666"
#define ALICE_ARN "arn:aws:iam::" ACCT ":user/alice"
#define ROLE_ARN "arn:aws:iam::" ACCT ":role/R"
#define SESSION_ARN "arn:aws:sts::" ACCT ":assumed-role/R/s1"
#define BOB_ARN "arn:aws:iam::" OTHER ":user/bob"
#define SAML_ARN "arn:aws:iam::" ACCT ":saml-provider/idp"
#define CANON_ID "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"

static inline void set_who(policy_request_t *q, enum who w)
{
    q->principal_arn = NULL;
    q->role_arn = NULL;
    q->account = NULL;
    q->service_principal = NULL;
    switch (w) {
    case ALICE:
        q->principal_arn = ALICE_ARN;
        q->account = ACCT;
        break;
    case SESSION:
        q->principal_arn = SESSION_ARN;
        q->role_arn = ROLE_ARN;
        q->account = ACCT;
        break;
    case ROOT:
        q->principal_arn = "arn:aws:iam::" ACCT ":root";
        q->account = ACCT;
        break;
    case BOB:
        q->principal_arn = BOB_ARN;
        q->account = OTHER;
        break;
    case SERVICE:
        q->service_principal = "ec2.amazonaws.com";
        break;
    case ANON:
        break;
    case FED:
        q->principal_arn = SAML_ARN;
        break;
    case CANON:
        q->principal_arn = CANON_ID;
        break;
    }
}

/* A request context from "key=v1|v2;key2=v" ("key" alone: present with no
 * values). Storage is static: one context at a time. */
#define MAXK 16
#define MAXV 16
static char ctx_buf[1024];
static policy_ctx_t ctx_keys[MAXK];
static const char *ctx_vals[MAXK][MAXV];

static inline size_t make_ctx(const char *spec)
{
    size_t nk = 0;
    char *p, *save = NULL, *kv;

    if (spec == NULL)
        return 0;
    snprintf(ctx_buf, sizeof ctx_buf, "%s", spec);
    for (kv = strtok_r(ctx_buf, ";", &save); kv && nk < MAXK; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        size_t nv = 0;
        ctx_keys[nk].key = kv;
        if (eq) {
            *eq = '\0';
            p = eq + 1;
            for (;;) {
                char *bar = strchr(p, '|');
                if (bar)
                    *bar = '\0';
                if (nv < MAXV)
                    ctx_vals[nk][nv++] = p;
                if (!bar)
                    break;
                p = bar + 1;
            }
        }
        ctx_keys[nk].values = ctx_vals[nk];
        ctx_keys[nk].nvalues = nv;
        nk++;
    }
    return nk;
}

static inline void make_req(policy_request_t *q, enum who w, const char *action, const char *resource,
                     const char *ctx)
{
    memset(q, 0, sizeof *q);
    set_who(q, w);
    q->action = action;
    q->resource = resource;
    q->nctx = make_ctx(ctx);
    q->ctx = ctx_keys;
}

static const char *const effect_names[] = {"NONE", "ALLOW", "DENY"};

/* a policy document (2012 or 2008 grammar) of statements st */
#define V12(st) "{'Version':'2012-10-17','Statement':[" st "]}"
#define V08(st) "{'Version':'2008-10-17','Statement':[" st "]}"
#define ALLOW_AR(a, r) "{'Effect':'Allow','Action':" a ",'Resource':" r "}"
#define BKEY "arn:aws:s3:::bucket/key"
/* ... of one statement allowing everything under condition cond */
#define C(cond) V12("{'Effect':'Allow','Action':'*','Resource':'*','Condition':{" cond "}}")
#define C08(cond) V08("{'Effect':'Allow','Action':'*','Resource':'*','Condition':{" cond "}}")

#endif
