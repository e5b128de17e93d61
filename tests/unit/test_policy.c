/* test_policy.c — unit tests for the IAM policy engine: tables of (policy,
 * request, expected effect) for actions, resources, variables, principals
 * and every condition operator; malformed documents with IAM's messages;
 * and policy_decide's reasons and precedence rules.
 *
 * Policies are written with ' for JSON's " (and ` for a literal ') to keep
 * the tables readable; jq() turns them into JSON. */
#include "authz/policy.h"
#include "unit.h"

#include <stdlib.h>
#include <strings.h>

/* ---- helpers -------------------------------------------------------------- */

static char *jq(const char *s)
{
    size_t n = strlen(s), i;
    char *o = malloc(n + 1);

    for (i = 0; i <= n; i++)
        o[i] = s[i] == '\'' ? '"' : s[i] == '`' ? '\'' : s[i];
    return o;
}

static policy_t *parse(const char *doc, enum policy_kind kind, char *err, size_t errlen)
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

static void set_who(policy_request_t *q, enum who w)
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

static size_t make_ctx(const char *spec)
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

static void make_req(policy_request_t *q, enum who w, const char *action, const char *resource,
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

/* ---- policy_glob ---------------------------------------------------------- */

static const struct {
    const char *pat, *s;
    int icase, want;
} globs[] = {
    {"", "", 0, 1},          {"", "a", 0, 0},           {"*", "", 0, 1},
    {"*", "anything", 0, 1}, {"?", "", 0, 0},           {"?", "a", 0, 1},
    {"??", "a", 0, 0},       {"a*", "abc", 0, 1},       {"*c", "abc", 0, 1},
    {"a*c", "ac", 0, 1},     {"a*c", "abdc", 0, 1},     {"a*c", "abd", 0, 0},
    {"a?c", "abc", 0, 1},    {"a?c", "ac", 0, 0},       {"*a*b*", "xxaxxbxx", 0, 1},
    {"*a*b", "ab ab b", 0, 1}, {"**", "x", 0, 1},       {"a**b", "ab", 0, 1},
    {"ABC", "abc", 0, 0},    {"ABC", "abc", 1, 1},      {"s3:Get*", "S3:GETOBJECT", 1, 1},
    {"s3:Get*", "S3:GETOBJECT", 0, 0}, {"*x", "xxxxxxxxxxy", 0, 0},
    {"*?*?*", "ab", 0, 1},   {"*?*?*", "a", 0, 0},      {"abc", "abcd", 0, 0},
    {"abcd", "abc", 0, 0},   {"*/*", "a/b", 0, 1},      {"*/*", "ab", 0, 0},
};

static void test_glob(void)
{
    size_t i;

    for (i = 0; i < sizeof globs / sizeof globs[0]; i++) {
        int got = policy_glob(globs[i].pat, globs[i].s, globs[i].icase);
        if (got != globs[i].want)
            fprintf(stderr, "glob %zu: \"%s\" vs \"%s\" got %d\n", i, globs[i].pat, globs[i].s,
                    got);
        CHECK(got == globs[i].want);
    }
}

/* ---- actions, resources, variables, statements ---------------------------- */

#define V12(st) "{'Version':'2012-10-17','Statement':[" st "]}"
#define V08(st) "{'Version':'2008-10-17','Statement':[" st "]}"
#define ALLOW_AR(a, r) "{'Effect':'Allow','Action':" a ",'Resource':" r "}"
#define BKEY "arn:aws:s3:::bucket/key"

static const struct {
    const char *doc, *action, *resource, *ctx;
    enum policy_effect want;
} evals[] = {
    /* actions */
    {V12(ALLOW_AR("'s3:GetObject'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:GetObject'", "'*'")), "s3:PutObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'S3:getobject'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:GetObject'", "'*'")), "S3:GETOBJECT", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:Get*'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:Get*'", "'*'")), "s3:PutObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'s3:*'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:*'", "'*'")), "s3x:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'*'")), "kms:Encrypt", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:Get?bject'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:?etObject'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:?etObject'", "'*'")), "s3:etObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'s3:Get'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'s3:GetObject'", "'*'")), "s3:GetObjectAcl", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'kms:*'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*:GetObject'", "'*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:*Object*'", "'*'")), "s3:GetObjectAcl", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("['kms:Encrypt','s3:GetObject']", "'*'")), "s3:GetObject", BKEY, NULL,
     POLICY_ALLOW},
    {V12(ALLOW_AR("['kms:Encrypt','kms:Decrypt']", "'*'")), "s3:GetObject", BKEY, NULL,
     POLICY_NONE},
    /* NotAction */
    {V12("{'Effect':'Allow','NotAction':'s3:PutObject','Resource':'*'}"), "s3:GetObject", BKEY,
     NULL, POLICY_ALLOW},
    {V12("{'Effect':'Allow','NotAction':'s3:PutObject','Resource':'*'}"), "s3:PutObject", BKEY,
     NULL, POLICY_NONE},
    {V12("{'Effect':'Allow','NotAction':'s3:*','Resource':'*'}"), "s3:GetObject", BKEY, NULL,
     POLICY_NONE},
    {V12("{'Effect':'Allow','NotAction':'S3:GET*','Resource':'*'}"), "s3:GetObject", BKEY, NULL,
     POLICY_NONE},
    {V12("{'Effect':'Allow','NotAction':['kms:*','iam:*'],'Resource':'*'}"), "s3:GetObject",
     BKEY, NULL, POLICY_ALLOW},
    {V12("{'Effect':'Allow','NotAction':['kms:*','iam:*'],'Resource':'*'}"), "iam:GetUser",
     BKEY, NULL, POLICY_NONE},
    {V12("{'Effect':'Deny','NotAction':'iam:*','Resource':'*'}"), "s3:GetObject", BKEY, NULL,
     POLICY_DENY},
    {V12("{'Effect':'Deny','NotAction':'iam:*','Resource':'*'}"), "iam:GetUser", BKEY, NULL,
     POLICY_NONE},
    /* resources */
    {V12(ALLOW_AR("'*'", "'" BKEY "'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/*'")), "s3:GetObject", "arn:aws:s3:::bucket",
     NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/k?y'")), "s3:GetObject", BKEY, NULL,
     POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::Bucket/key'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/KEY'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::*/key'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:kms:*:*:key/*'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'" BKEY "'")), "s3:ListBuckets", "*", NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'*'")), "s3:ListBuckets", "*", NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "['arn:aws:s3:::a/*','arn:aws:s3:::bucket/*']")), "s3:GetObject", BKEY,
     NULL, POLICY_ALLOW},
    /* the literal, prefix and match-all shapes against near misses */
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/ke'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/keyy'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/key*'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/keyy*'")), "s3:GetObject", BKEY, NULL,
     POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::BUCKET/*'")), "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'**'")), "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'*'")), "s3:GetObject", "", NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'a*b*'")), "s3:GetObject", "ab", NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'S3:GET*'", "'*'")), "s3:getobject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'S3:GET*'", "'*'")), "s3:ge", BKEY, NULL, POLICY_NONE},
    {V12(ALLOW_AR("'s3:*'", "'*'")), "s3:", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'s3:*'", "'*'")), "s3", BKEY, NULL, POLICY_NONE},
    /* NotResource */
    {V12("{'Effect':'Allow','Action':'*','NotResource':'arn:aws:s3:::other/*'}"), "s3:GetObject",
     BKEY, NULL, POLICY_ALLOW},
    {V12("{'Effect':'Allow','Action':'*','NotResource':'arn:aws:s3:::bucket/*'}"),
     "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12("{'Effect':'Allow','Action':'*','NotResource':['arn:aws:s3:::x','" BKEY "']}"),
     "s3:GetObject", BKEY, NULL, POLICY_NONE},
    {V12("{'Effect':'Deny','Action':'*','NotResource':'arn:aws:s3:::other/*'}"), "s3:GetObject",
     BKEY, NULL, POLICY_DENY},
    /* NotAction and NotResource together */
    {V12("{'Effect':'Allow','NotAction':'iam:*','NotResource':'arn:aws:s3:::x/*'}"),
     "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
    /* policy variables in Resource */
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", "aws:username=alice", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", "aws:username=bob", POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", NULL, POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", "AWS:UserName=alice", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${AWS:USERNAME}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", "aws:username=alice", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", "aws:username=*", POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/*/x", "aws:username=*", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", "aws:username=alice|bob", POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username, `guest`}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/guest/x", NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username,`guest`}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice/x", "aws:username=alice", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username, `guest`}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/guest/x", "aws:username=alice", POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username, ``}x'")), "s3:GetObject",
     "arn:aws:s3:::bucket/x", NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*'")), "s3:GetObject",
     "arn:aws:s3:::bucket/dev/x", "aws:principaltag/team=dev", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:userid}'")), "s3:GetObject",
     "arn:aws:s3:::bucket/AIDAEXAMPLE", "aws:userid=AIDAEXAMPLE", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::${aws:username}-${aws:userid}/*'")), "s3:GetObject",
     "arn:aws:s3:::alice-AID/x", "aws:username=alice;aws:userid=AID", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::${aws:username}-${aws:userid}/*'")), "s3:GetObject",
     "arn:aws:s3:::alice-AID/x", "aws:username=alice", POLICY_NONE},
    /* ${*} ${?} ${$}: literal characters */
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${*}'")), "s3:GetObject", "arn:aws:s3:::bucket/*",
     NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${*}'")), "s3:GetObject", BKEY, NULL,
     POLICY_NONE},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::b/${$}x${?}'")), "s3:GetObject", "arn:aws:s3:::b/$x?",
     NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::b/${$}x${?}'")), "s3:GetObject", "arn:aws:s3:::b/$xy",
     NULL, POLICY_NONE},
    /* not a variable: no closing brace */
    {V12(ALLOW_AR("'*'", "'arn:aws:s3:::b/${aws:username'")), "s3:GetObject",
     "arn:aws:s3:::b/${aws:username", NULL, POLICY_ALLOW},
    /* Version 2008-10-17 and no Version: no variables */
    {V08(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}'")), "s3:GetObject",
     "arn:aws:s3:::bucket/${aws:username}", NULL, POLICY_ALLOW},
    {V08(ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}'")), "s3:GetObject",
     "arn:aws:s3:::bucket/alice", "aws:username=alice", POLICY_NONE},
    {"{'Statement':" ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}'") "}",
     "s3:GetObject", "arn:aws:s3:::bucket/alice", "aws:username=alice", POLICY_NONE},
    {"{'Statement':" ALLOW_AR("'*'", "'arn:aws:s3:::bucket/${aws:username}'") "}",
     "s3:GetObject", "arn:aws:s3:::bucket/${aws:username}", "aws:username=alice", POLICY_ALLOW},
    /* statements: one object, several, deny beats allow */
    {"{'Version':'2012-10-17','Statement':" ALLOW_AR("'s3:*'", "'*'") "}", "s3:GetObject", BKEY,
     NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'kms:*'", "'*'") "," ALLOW_AR("'s3:*'", "'*'")), "s3:GetObject", BKEY, NULL,
     POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'*'") ",{'Effect':'Deny','Action':'s3:GetObject','Resource':'*'}"),
     "s3:GetObject", BKEY, NULL, POLICY_DENY},
    {V12("{'Effect':'Deny','Action':'s3:GetObject','Resource':'*'}," ALLOW_AR("'*'", "'*'")),
     "s3:GetObject", BKEY, NULL, POLICY_DENY},
    {V12(ALLOW_AR("'*'", "'*'") ",{'Effect':'Deny','Action':'s3:GetObject','Resource':'*'}"),
     "s3:PutObject", BKEY, NULL, POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'*'") ",{'Effect':'Deny','Action':'*','Resource':'*','Condition':{"
                                "'Bool':{'aws:SecureTransport':'false'}}}"),
     "s3:GetObject", BKEY, "aws:SecureTransport=true", POLICY_ALLOW},
    {V12(ALLOW_AR("'*'", "'*'") ",{'Effect':'Deny','Action':'*','Resource':'*','Condition':{"
                                "'Bool':{'aws:SecureTransport':'false'}}}"),
     "s3:GetObject", BKEY, "aws:SecureTransport=false", POLICY_DENY},
    {V12("{'Effect':'Deny','Action':'s3:*','Resource':'arn:aws:s3:::other/*'}"), "s3:GetObject",
     BKEY, NULL, POLICY_NONE},
    {V12("{'Sid':'A','Effect':'Allow','Action':'s3:*','Resource':'*'},"
         "{'Sid':'B','Effect':'Allow','Action':'s3:*','Resource':'*'}"),
     "s3:GetObject", BKEY, NULL, POLICY_ALLOW},
};

static void test_evals(void)
{
    size_t i;

    for (i = 0; i < sizeof evals / sizeof evals[0]; i++) {
        char err[256];
        policy_request_t q;
        policy_t *p = parse(evals[i].doc, POLICY_IDENTITY, err, sizeof err);
        enum policy_effect got;
        CHECK(p != NULL);
        if (p == NULL) {
            fprintf(stderr, "eval %zu: parse failed: %s\n", i, err);
            continue;
        }
        make_req(&q, ALICE, evals[i].action, evals[i].resource, evals[i].ctx);
        got = policy_eval(p, &q, NULL);
        if (got != evals[i].want)
            fprintf(stderr, "eval %zu: %s on %s: got %s, want %s\n", i, evals[i].action,
                    evals[i].resource, effect_names[got], effect_names[evals[i].want]);
        CHECK(got == evals[i].want);
        policy_free(p);
    }
}

/* ---- conditions ----------------------------------------------------------- */

#define C(cond) V12("{'Effect':'Allow','Action':'*','Resource':'*','Condition':{" cond "}}")
#define C08(cond) V08("{'Effect':'Allow','Action':'*','Resource':'*','Condition':{" cond "}}")

static const struct {
    const char *doc, *ctx;
    int want;
} conds[] = {
    /* StringEquals */
    {C("'StringEquals':{'aws:username':'alice'}"), "aws:username=alice", 1},
    {C("'StringEquals':{'aws:username':'alice'}"), "aws:username=Alice", 0},
    {C("'StringEquals':{'aws:username':'alice'}"), "aws:username=alice2", 0},
    {C("'StringEquals':{'aws:username':'alice'}"), NULL, 0},
    {C("'StringEquals':{'aws:username':'alice'}"), "aws:userid=alice", 0},
    {C("'StringEquals':{'aws:username':['bob','alice']}"), "aws:username=alice", 1},
    {C("'StringEquals':{'aws:username':['bob','carol']}"), "aws:username=alice", 0},
    {C("'StringEquals':{'AWS:UserName':'alice'}"), "aws:username=alice", 1},
    {C("'StringEquals':{'aws:username':'alice'}"), "AWS:USERNAME=alice", 1},
    {C("'StringEquals':{'aws:username':'a*'}"), "aws:username=a*", 1},
    {C("'StringEquals':{'aws:username':'a*'}"), "aws:username=abc", 0},
    {C("'StringEquals':{'aws:username':''}"), "aws:username=", 1},
    {C("'StringEquals':{'s3:max-keys':10}"), "s3:max-keys=10", 1},
    {C("'StringEquals':{'s3:max-keys':[10,20]}"), "s3:max-keys=20", 1},
    {C("'StringEquals':{'s3:max-keys':1.5}"), "s3:max-keys=1.5", 1},
    {C("'StringEquals':{'aws:SecureTransport':true}"), "aws:SecureTransport=true", 1},
    {C("'StringEquals':{'aws:SecureTransport':false}"), "aws:SecureTransport=true", 0},
    {C("'StringEquals':{'aws:x':[]}"), "aws:x=a", 0},
    /* StringNotEquals */
    {C("'StringNotEquals':{'aws:username':'bob'}"), "aws:username=alice", 1},
    {C("'StringNotEquals':{'aws:username':'alice'}"), "aws:username=alice", 0},
    {C("'StringNotEquals':{'aws:username':['bob','alice']}"), "aws:username=alice", 0},
    {C("'StringNotEquals':{'aws:username':['bob','carol']}"), "aws:username=alice", 1},
    {C("'StringNotEquals':{'aws:username':'Alice'}"), "aws:username=alice", 1},
    {C("'StringNotEquals':{'aws:username':'alice'}"), NULL, 1}, /* missing key: not matched */
    {C("'StringNotEquals':{'aws:x':[]}"), "aws:x=a", 1},
    /* IfExists */
    {C("'StringEqualsIfExists':{'aws:username':'alice'}"), NULL, 1},
    {C("'StringEqualsIfExists':{'aws:username':'alice'}"), "aws:username=alice", 1},
    {C("'StringEqualsIfExists':{'aws:username':'alice'}"), "aws:username=bob", 0},
    {C("'StringNotEqualsIfExists':{'aws:username':'alice'}"), NULL, 1},
    {C("'StringNotEqualsIfExists':{'aws:username':'alice'}"), "aws:username=alice", 0},
    {C("'StringNotEqualsIfExists':{'aws:username':'alice'}"), "aws:username=bob", 1},
    /* IgnoreCase */
    {C("'StringEqualsIgnoreCase':{'aws:username':'ALICE'}"), "aws:username=alice", 1},
    {C("'StringEqualsIgnoreCase':{'aws:username':'ALICE'}"), "aws:username=aLiCe", 1},
    {C("'StringEqualsIgnoreCase':{'aws:username':'ALICE'}"), "aws:username=bob", 0},
    {C("'StringEqualsIgnoreCase':{'aws:username':'ALICE'}"), NULL, 0},
    {C("'StringEqualsIgnoreCaseIfExists':{'aws:username':'ALICE'}"), NULL, 1},
    {C("'StringNotEqualsIgnoreCase':{'aws:username':'ALICE'}"), "aws:username=alice", 0},
    {C("'StringNotEqualsIgnoreCase':{'aws:username':'bob'}"), "aws:username=alice", 1},
    {C("'StringNotEqualsIgnoreCase':{'aws:username':'bob'}"), NULL, 1},
    {C("'StringEqualsIgnoreCase':{'aws:username':'a*'}"), "aws:username=A*", 1},
    {C("'StringEqualsIgnoreCase':{'aws:username':'a*'}"), "aws:username=Ab", 0},
    /* StringLike */
    {C("'StringLike':{'aws:username':'al*'}"), "aws:username=alice", 1},
    {C("'StringLike':{'aws:username':'a?ice'}"), "aws:username=alice", 1},
    {C("'StringLike':{'aws:username':'a?ice'}"), "aws:username=aice", 0},
    {C("'StringLike':{'aws:username':'A*'}"), "aws:username=alice", 0},
    {C("'StringLike':{'aws:username':'*'}"), "aws:username=alice", 1},
    {C("'StringLike':{'aws:username':'*'}"), "aws:username=", 1},
    {C("'StringLike':{'aws:username':'*'}"), NULL, 0},
    {C("'StringLike':{'aws:username':'b*'}"), "aws:username=alice", 0},
    {C("'StringLike':{'aws:username':['b*','*ce']}"), "aws:username=alice", 1},
    {C("'StringLike':{'s3:prefix':'home/*/docs/*'}"), "s3:prefix=home/alice/docs/a.txt", 1},
    {C("'StringLike':{'s3:prefix':'home/*/docs/*'}"), "s3:prefix=home/alice/pics/a.txt", 0},
    {C("'StringLikeIfExists':{'s3:prefix':'home/*'}"), NULL, 1},
    {C("'StringLikeIfExists':{'s3:prefix':'home/*'}"), "s3:prefix=tmp/", 0},
    {C("'StringNotLike':{'aws:username':'b*'}"), "aws:username=alice", 1},
    {C("'StringNotLike':{'aws:username':'a*'}"), "aws:username=alice", 0},
    {C("'StringNotLike':{'aws:username':['b*','a*']}"), "aws:username=alice", 0},
    {C("'StringNotLike':{'aws:username':'a*'}"), NULL, 1},
    {C("'StringNotLikeIfExists':{'aws:username':'a*'}"), NULL, 1},
    {C("'StringNotLikeIfExists':{'aws:username':'a*'}"), "aws:username=alice", 0},
    /* several keys (AND) and several operators (AND) */
    {C("'StringEquals':{'aws:username':'alice','s3:prefix':'home/'}"),
     "aws:username=alice;s3:prefix=home/", 1},
    {C("'StringEquals':{'aws:username':'alice','s3:prefix':'home/'}"), "aws:username=alice", 0},
    {C("'StringEquals':{'aws:username':'alice','s3:prefix':'home/'}"),
     "aws:username=alice;s3:prefix=tmp/", 0},
    {C("'StringEquals':{'aws:username':'alice'},'StringLike':{'s3:prefix':'home/*'}"),
     "aws:username=alice;s3:prefix=home/x", 1},
    {C("'StringEquals':{'aws:username':'alice'},'StringLike':{'s3:prefix':'home/*'}"),
     "aws:username=alice;s3:prefix=tmp/x", 0},
    {C("'StringEquals':{'aws:username':'alice'},'StringLike':{'s3:prefix':'home/*'}"),
     "aws:username=bob;s3:prefix=home/x", 0},
    {C("'StringEquals':{'aws:username':'alice'},'NumericLessThan':{'s3:max-keys':'10'},"
       "'Bool':{'aws:SecureTransport':'true'}"),
     "aws:username=alice;s3:max-keys=5;aws:SecureTransport=true", 1},
    {C("'StringEquals':{'aws:username':'alice'},'NumericLessThan':{'s3:max-keys':'10'},"
       "'Bool':{'aws:SecureTransport':'true'}"),
     "aws:username=alice;s3:max-keys=50;aws:SecureTransport=true", 0},
    {C(""), NULL, 1},
    /* variables in condition values */
    {C("'StringEquals':{'s3:prefix':'home/${aws:username}/'}"),
     "aws:username=alice;s3:prefix=home/alice/", 1},
    {C("'StringEquals':{'s3:prefix':'home/${aws:username}/'}"),
     "aws:username=alice;s3:prefix=home/bob/", 0},
    {C("'StringEquals':{'s3:prefix':'home/${aws:username}/'}"), "s3:prefix=home//", 0},
    {C("'StringEquals':{'s3:prefix':'home/${aws:username}/'}"),
     "s3:prefix=home/${aws:username}/", 0},
    {C("'StringEquals':{'s3:prefix':'home/${aws:username, `anon`}/'}"), "s3:prefix=home/anon/",
     1},
    {C("'StringNotEquals':{'s3:prefix':'home/${aws:username}/'}"), "s3:prefix=home/x/", 1},
    {C("'StringLike':{'s3:prefix':'home/${aws:username}/*'}"),
     "aws:username=alice;s3:prefix=home/alice/docs", 1},
    {C("'StringLike':{'s3:prefix':'home/${aws:username}/*'}"),
     "aws:username=al*;s3:prefix=home/alice/docs", 0},
    {C("'StringLike':{'aws:x':'a${*}'}"), "aws:x=a*", 1},
    {C("'StringLike':{'aws:x':'a${*}'}"), "aws:x=ab", 0},
    {C("'StringLike':{'aws:x':'a${?}'}"), "aws:x=a?", 1},
    {C("'StringLike':{'aws:x':'a${?}'}"), "aws:x=ab", 0},
    {C("'StringEquals':{'aws:x':'${$}{x}'}"), "aws:x=${x}", 1},
    {C("'StringEqualsIgnoreCase':{'aws:x':'${aws:username}'}"), "aws:username=ALICE;aws:x=alice",
     1},
    {C("'StringEquals':{'aws:ResourceTag/owner':'${aws:PrincipalTag/owner}'}"),
     "aws:ResourceTag/owner=t1;aws:PrincipalTag/owner=t1", 1},
    {C("'StringEquals':{'aws:ResourceTag/owner':'${aws:PrincipalTag/owner}'}"),
     "aws:ResourceTag/owner=t1;aws:PrincipalTag/owner=t2", 0},
    {C08("'StringEquals':{'s3:prefix':'${aws:username}'}"), "s3:prefix=${aws:username}", 1},
    {C08("'StringEquals':{'s3:prefix':'${aws:username}'}"), "aws:username=alice;s3:prefix=alice",
     0},
    /* Numeric */
    {C("'NumericEquals':{'s3:max-keys':'10'}"), "s3:max-keys=10", 1},
    {C("'NumericEquals':{'s3:max-keys':'10'}"), "s3:max-keys=10.0", 1},
    {C("'NumericEquals':{'s3:max-keys':'10'}"), "s3:max-keys=010", 1},
    {C("'NumericEquals':{'s3:max-keys':'10'}"), "s3:max-keys=11", 0},
    {C("'NumericEquals':{'s3:max-keys':'10'}"), "s3:max-keys=abc", 0},
    {C("'NumericEquals':{'s3:max-keys':'10'}"), "s3:max-keys=1e1", 0},
    {C("'NumericEquals':{'s3:max-keys':'10'}"), "s3:max-keys=", 0},
    {C("'NumericEquals':{'s3:max-keys':'10'}"), NULL, 0},
    {C("'NumericEquals':{'s3:max-keys':10}"), "s3:max-keys=10", 1},
    {C("'NumericEquals':{'s3:max-keys':'1.5'}"), "s3:max-keys=1.50", 1},
    {C("'NumericEquals':{'s3:max-keys':'-3'}"), "s3:max-keys=-3", 1},
    {C("'NumericEquals':{'s3:max-keys':'x'}"), "s3:max-keys=10", 0},
    {C("'NumericEquals':{'s3:max-keys':['5','10']}"), "s3:max-keys=10", 1},
    {C("'NumericNotEquals':{'s3:max-keys':'10'}"), "s3:max-keys=11", 1},
    {C("'NumericNotEquals':{'s3:max-keys':'10'}"), "s3:max-keys=10", 0},
    {C("'NumericNotEquals':{'s3:max-keys':['10','11']}"), "s3:max-keys=11", 0},
    {C("'NumericNotEquals':{'s3:max-keys':'10'}"), NULL, 1},
    {C("'NumericLessThan':{'s3:max-keys':'10'}"), "s3:max-keys=9", 1},
    {C("'NumericLessThan':{'s3:max-keys':'10'}"), "s3:max-keys=9.99", 1},
    {C("'NumericLessThan':{'s3:max-keys':'10'}"), "s3:max-keys=-5", 1},
    {C("'NumericLessThan':{'s3:max-keys':'10'}"), "s3:max-keys=10", 0},
    {C("'NumericLessThan':{'s3:max-keys':'10'}"), "s3:max-keys=11", 0},
    {C("'NumericLessThan':{'s3:max-keys':100}"), "s3:max-keys=99", 1},
    {C("'NumericLessThan':{'s3:max-keys':'10'}"), NULL, 0},
    {C("'NumericLessThanIfExists':{'s3:max-keys':'10'}"), NULL, 1},
    {C("'NumericLessThanIfExists':{'s3:max-keys':'10'}"), "s3:max-keys=20", 0},
    {C("'NumericLessThanEquals':{'s3:max-keys':'10'}"), "s3:max-keys=10", 1},
    {C("'NumericLessThanEquals':{'s3:max-keys':'10'}"), "s3:max-keys=11", 0},
    {C("'NumericGreaterThan':{'s3:max-keys':'10'}"), "s3:max-keys=11", 1},
    {C("'NumericGreaterThan':{'s3:max-keys':'10'}"), "s3:max-keys=10", 0},
    {C("'NumericGreaterThan':{'s3:max-keys':'10'}"), "s3:max-keys=10.5", 1},
    {C("'NumericGreaterThanEquals':{'s3:max-keys':'10'}"), "s3:max-keys=10", 1},
    {C("'NumericGreaterThanEquals':{'s3:max-keys':'10'}"), "s3:max-keys=9", 0},
    {C("'NumericGreaterThanEqualsIfExists':{'s3:max-keys':'10'}"), NULL, 1},
    /* Date */
    {C("'DateGreaterThan':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-06-01T12:00:00Z", 1},
    {C("'DateGreaterThan':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2025-12-31T23:59:59Z", 0},
    {C("'DateGreaterThan':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-01-01T00:00:00Z", 0},
    {C("'DateGreaterThan':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-01-01T00:00:00.5Z", 1},
    {C("'DateGreaterThanEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-01-01T00:00:00Z", 1},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"),
     "aws:CurrentTime=2025-12-31T23:59:59Z", 1},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=2026-01-01T00:00:00Z",
     0},
    {C("'DateLessThanEquals':{'aws:CurrentTime':'2026-01-01'}"),
     "aws:CurrentTime=2026-01-01T00:00:00Z", 1},
    {C("'DateLessThanEquals':{'aws:CurrentTime':'2026-01-01'}"),
     "aws:CurrentTime=2026-01-01T00:00:01Z", 0},
    {C("'DateEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"), "aws:CurrentTime=2026-01-01",
     1},
    {C("'DateEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-01-01T00:00:00.000Z", 1},
    {C("'DateEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"), "aws:CurrentTime=1767225600",
     1},
    {C("'DateEquals':{'aws:CurrentTime':'1767225600'}"), "aws:CurrentTime=2026-01-01T00:00Z", 1},
    {C("'DateEquals':{'aws:CurrentTime':'2026-01-01T01:00:00+01:00'}"),
     "aws:CurrentTime=2026-01-01T00:00:00Z", 1},
    {C("'DateEquals':{'aws:CurrentTime':'2025-12-31T19:00:00-0500'}"),
     "aws:CurrentTime=2026-01-01T00:00:00Z", 1},
    {C("'DateEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-01-01T00:00:01Z", 0},
    {C("'DateNotEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-01-01T00:00:01Z", 1},
    {C("'DateNotEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"),
     "aws:CurrentTime=2026-01-01T00:00:00Z", 0},
    {C("'DateNotEquals':{'aws:CurrentTime':'2026-01-01T00:00:00Z'}"), NULL, 1},
    {C("'DateLessThan':{'aws:CurrentTime':1767225600}"), "aws:CurrentTime=2025-06-01T00:00:00Z",
     1},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=yesterday", 0},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=2025-02-30", 0},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=2024-02-29", 1},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=2025-02-29", 0},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=2025-13-01", 0},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=2025-12-31T25:00Z",
     0},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), "aws:CurrentTime=1999-12-31T23:59Z",
     1},
    {C("'DateLessThan':{'aws:CurrentTime':'not a date'}"), "aws:CurrentTime=1999-12-31", 0},
    {C("'DateLessThan':{'aws:CurrentTime':'2026-01-01'}"), NULL, 0},
    {C("'DateGreaterThanIfExists':{'aws:CurrentTime':'2026-01-01'}"), NULL, 1},
    {C("'DateGreaterThanIfExists':{'aws:CurrentTime':'2026-01-01'}"),
     "aws:CurrentTime=2020-01-01", 0},
    {C("'DateGreaterThan':{'aws:TokenIssueTime':'2026-01-01T00:00:00.250Z'}"),
     "aws:TokenIssueTime=2026-01-01T00:00:00.5Z", 1},
    /* Bool */
    {C("'Bool':{'aws:SecureTransport':'true'}"), "aws:SecureTransport=true", 1},
    {C("'Bool':{'aws:SecureTransport':'true'}"), "aws:SecureTransport=TRUE", 1},
    {C("'Bool':{'aws:SecureTransport':'true'}"), "aws:SecureTransport=false", 0},
    {C("'Bool':{'aws:SecureTransport':'true'}"), "aws:SecureTransport=yes", 0},
    {C("'Bool':{'aws:SecureTransport':'true'}"), NULL, 0},
    {C("'Bool':{'aws:SecureTransport':true}"), "aws:SecureTransport=true", 1},
    {C("'Bool':{'aws:SecureTransport':'False'}"), "aws:SecureTransport=false", 1},
    {C("'Bool':{'aws:SecureTransport':false}"), "aws:SecureTransport=true", 0},
    {C("'Bool':{'aws:SecureTransport':'maybe'}"), "aws:SecureTransport=true", 0},
    {C("'BoolIfExists':{'aws:MultiFactorAuthPresent':'true'}"), NULL, 1},
    {C("'BoolIfExists':{'aws:MultiFactorAuthPresent':'true'}"),
     "aws:MultiFactorAuthPresent=false", 0},
    /* BinaryEquals */
    {C("'BinaryEquals':{'aws:x':'QmluYXJ5'}"), "aws:x=QmluYXJ5", 1},
    {C("'BinaryEquals':{'aws:x':'QmluYXJ5'}"), "aws:x=QmluYXJz", 0},
    {C("'BinaryEquals':{'aws:x':'QmluYXJ5'}"), NULL, 0},
    {C("'BinaryEqualsIfExists':{'aws:x':'QmluYXJ5'}"), NULL, 1},
    /* IpAddress / NotIpAddress */
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.113.7", 1},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.114.7", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/25'}"), "aws:SourceIp=203.0.113.200", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.128/25'}"), "aws:SourceIp=203.0.113.200", 1},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.7'}"), "aws:SourceIp=203.0.113.7", 1},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.7'}"), "aws:SourceIp=203.0.113.8", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.7/32'}"), "aws:SourceIp=203.0.113.7", 1},
    {C("'IpAddress':{'aws:SourceIp':'0.0.0.0/0'}"), "aws:SourceIp=8.8.8.8", 1},
    {C("'IpAddress':{'aws:SourceIp':'0.0.0.0/0'}"), "aws:SourceIp=::1", 0},
    {C("'IpAddress':{'aws:SourceIp':['10.0.0.0/8','192.168.0.0/16']}"),
     "aws:SourceIp=192.168.5.5", 1},
    {C("'IpAddress':{'aws:SourceIp':['10.0.0.0/8','192.168.0.0/16']}"),
     "aws:SourceIp=172.16.0.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'10.1.2.3/20'}"), "aws:SourceIp=10.1.0.1", 1},
    {C("'IpAddress':{'aws:SourceIp':'10.1.2.3/20'}"), "aws:SourceIp=10.1.16.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'2001:DB8::/32'}"), "aws:SourceIp=2001:db8::1", 1},
    {C("'IpAddress':{'aws:SourceIp':'2001:DB8::/32'}"), "aws:SourceIp=2001:db9::1", 0},
    {C("'IpAddress':{'aws:SourceIp':'2001:db8:1234::/48'}"),
     "aws:SourceIp=2001:db8:1234:ffff::1", 1},
    {C("'IpAddress':{'aws:SourceIp':'2001:db8:1234::/47'}"), "aws:SourceIp=2001:db8:1235::1",
     1},
    {C("'IpAddress':{'aws:SourceIp':'2001:db8:1234::/48'}"), "aws:SourceIp=2001:db8:1235::1",
     0},
    {C("'IpAddress':{'aws:SourceIp':'::/0'}"), "aws:SourceIp=fe80::1", 1},
    {C("'IpAddress':{'aws:SourceIp':'::/0'}"), "aws:SourceIp=1.2.3.4", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=not-an-ip", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.113", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.113.7.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.113.07", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.113.256", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.113.", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203..113.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=203.0.113.1 ", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=", 0},
    {C("'IpAddress':{'aws:SourceIp':'0.0.0.0/0'}"), "aws:SourceIp=0.0.0.0", 1},
    {C("'IpAddress':{'aws:SourceIp':'0.0.0.0/0'}"), "aws:SourceIp=255.255.255.255", 1},
    {C("'IpAddress':{'aws:SourceIp':'::ffff:10.0.0.0/104'}"), "aws:SourceIp=::ffff:10.1.2.3", 1},
    {C("'IpAddress':{'aws:SourceIp':'10.0.0.0/'}"), "aws:SourceIp=10.0.0.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'10.0.0.0/0008'}"), "aws:SourceIp=10.0.0.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/33'}"), "aws:SourceIp=203.0.113.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/x'}"), "aws:SourceIp=203.0.113.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'bogus'}"), "aws:SourceIp=203.0.113.1", 0},
    {C("'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}"), NULL, 0},
    {C("'IpAddressIfExists':{'aws:SourceIp':'203.0.113.0/24'}"), NULL, 1},
    {C("'IpAddressIfExists':{'aws:SourceIp':'203.0.113.0/24'}"), "aws:SourceIp=10.0.0.1", 0},
    {C("'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}"), "aws:SourceIp=192.168.1.1", 1},
    {C("'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}"), "aws:SourceIp=10.1.1.1", 0},
    {C("'NotIpAddress':{'aws:SourceIp':['10.0.0.0/8','192.168.0.0/16']}"),
     "aws:SourceIp=192.168.1.1", 0},
    {C("'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}"), NULL, 1},
    {C("'NotIpAddressIfExists':{'aws:SourceIp':'10.0.0.0/8'}"), NULL, 1},
    {C("'NotIpAddressIfExists':{'aws:SourceIp':'10.0.0.0/8'}"), "aws:SourceIp=10.0.0.1", 0},
    /* Arn */
    {C("'ArnEquals':{'aws:SourceArn':'arn:aws:sns:us-east-1:111122223333:topic'}"),
     "aws:SourceArn=arn:aws:sns:us-east-1:111122223333:topic", 1},
    {C("'ArnEquals':{'aws:SourceArn':'arn:aws:sns:us-east-1:111122223333:topic'}"),
     "aws:SourceArn=arn:aws:sns:us-east-1:111122223333:Topic", 0},
    {C("'ArnEquals':{'aws:SourceArn':'arn:aws:sns:us-east-1:111122223333:topic'}"),
     "aws:SourceArn=arn:aws:sns:us-east-1:111122223333:topic2", 0},
    {C("'ArnEquals':{'aws:SourceArn':'arn:aws:sns:us-east-1:*:topic'}"),
     "aws:SourceArn=arn:aws:sns:us-east-1:444455556666:topic", 1},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:s3:::bucket/*'}"),
     "aws:SourceArn=arn:aws:s3:::bucket/a/b", 1},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:s3:::bucket/*'}"),
     "aws:SourceArn=arn:aws:s3:::other/a", 0},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:iam::*:role/R'}"),
     "aws:SourceArn=arn:aws:iam::444455556666:role/R", 1},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:*:us-east-1:*:*'}"),
     "aws:SourceArn=arn:aws:sqs:us-east-1:111122223333:q", 1},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:*:us-east-1:*:*'}"),
     "aws:SourceArn=arn:aws:sqs:eu-west-1:111122223333:q", 0},
    /* components are matched separately: '*' does not span a colon */
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:*:111122223333:q'}"),
     "aws:SourceArn=arn:aws:sqs:us-east-1:111122223333:q", 0},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:sqs:us-east-1:111122223333:q:*'}"),
     "aws:SourceArn=arn:aws:sqs:us-east-1:111122223333:q:x", 1},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:sqs:us-east-1:111122223333:*'}"),
     "aws:SourceArn=arn:aws:sqs:us-east-1:111122223333:q:x:y", 1},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:s3:::*'}"), "aws:SourceArn=not-an-arn", 0},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:s3:::*'}"), "aws:SourceArn=arn:aws:s3", 0},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:s?:::b'}"), "aws:SourceArn=arn:aws:s3:::b", 1},
    {C("'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/${aws:username}'}"),
     "aws:username=alice;aws:PrincipalArn=arn:aws:iam::111122223333:user/alice", 1},
    {C("'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/${aws:username}'}"),
     "aws:username=bob;aws:PrincipalArn=arn:aws:iam::111122223333:user/alice", 0},
    {C("'ArnLike':{'aws:SourceArn':'arn:aws:s3:::bucket/*'}"), NULL, 0},
    {C("'ArnLikeIfExists':{'aws:SourceArn':'arn:aws:s3:::bucket/*'}"), NULL, 1},
    {C("'ArnEqualsIfExists':{'aws:SourceArn':'arn:aws:s3:::bucket'}"),
     "aws:SourceArn=arn:aws:s3:::other", 0},
    {C("'ArnNotEquals':{'aws:SourceArn':'arn:aws:s3:::bucket'}"),
     "aws:SourceArn=arn:aws:s3:::other", 1},
    {C("'ArnNotEquals':{'aws:SourceArn':'arn:aws:s3:::bucket'}"),
     "aws:SourceArn=arn:aws:s3:::bucket", 0},
    {C("'ArnNotEquals':{'aws:SourceArn':'arn:aws:s3:::bucket'}"), NULL, 1},
    {C("'ArnNotLike':{'aws:SourceArn':'arn:aws:s3:::bucket*'}"),
     "aws:SourceArn=arn:aws:s3:::bucket2", 0},
    {C("'ArnNotLike':{'aws:SourceArn':'arn:aws:s3:::bucket*'}"),
     "aws:SourceArn=arn:aws:s3:::other", 1},
    {C("'ArnNotLike':{'aws:SourceArn':'arn:aws:s3:::bucket*'}"), NULL, 1},
    {C("'ArnNotLikeIfExists':{'aws:SourceArn':'arn:aws:s3:::bucket*'}"),
     "aws:SourceArn=arn:aws:s3:::bucket1", 0},
    /* Null */
    {C("'Null':{'aws:TokenIssueTime':'true'}"), NULL, 1},
    {C("'Null':{'aws:TokenIssueTime':'true'}"), "aws:TokenIssueTime=2026-01-01", 0},
    {C("'Null':{'aws:TokenIssueTime':'false'}"), "aws:TokenIssueTime=2026-01-01", 1},
    {C("'Null':{'aws:TokenIssueTime':'false'}"), NULL, 0},
    {C("'Null':{'aws:TokenIssueTime':true}"), NULL, 1},
    {C("'Null':{'aws:TokenIssueTime':'TRUE'}"), NULL, 1},
    {C("'Null':{'aws:TokenIssueTime':'true'}"), "aws:TokenIssueTime", 1},
    {C("'Null':{'aws:TokenIssueTime':'true'}"), "AWS:TOKENISSUETIME=x", 0},
    {C("'Null':{'aws:TokenIssueTime':'true'}"), "aws:TokenIssueTime=", 0},
    {C("'Null':{'aws:a':'true','aws:b':'false'}"), "aws:b=1", 1},
    {C("'Null':{'aws:a':'true','aws:b':'false'}"), "aws:a=1;aws:b=1", 0},
    {C("'Null':{'aws:a':'maybe'}"), NULL, 0},
    /* ForAllValues */
    {C("'ForAllValues:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys=env|team", 1},
    {C("'ForAllValues:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys=env", 1},
    {C("'ForAllValues:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys=env|cost", 0},
    {C("'ForAllValues:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys=cost", 0},
    {C("'ForAllValues:StringEquals':{'aws:TagKeys':['env','team']}"), NULL, 1},
    {C("'ForAllValues:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys", 1},
    {C("'ForAllValues:StringLike':{'aws:TagKeys':'env*'}"), "aws:TagKeys=env1|env2", 1},
    {C("'ForAllValues:StringLike':{'aws:TagKeys':'env*'}"), "aws:TagKeys=env1|team", 0},
    {C("'ForAllValues:StringNotEquals':{'aws:TagKeys':'secret'}"), "aws:TagKeys=env|team", 1},
    {C("'ForAllValues:StringNotEquals':{'aws:TagKeys':'secret'}"), "aws:TagKeys=env|secret", 0},
    {C("'ForAllValues:StringNotEquals':{'aws:TagKeys':'secret'}"), NULL, 1},
    {C("'ForAllValues:StringEqualsIgnoreCase':{'aws:TagKeys':'ENV'}"), "aws:TagKeys=env|Env", 1},
    {C("'ForAllValues:NumericLessThan':{'aws:x':'10'}"), "aws:x=5|20", 0},
    {C("'ForAllValues:NumericLessThan':{'aws:x':'10'}"), "aws:x=5|2", 1},
    {C("'ForAllValues:StringEqualsIfExists':{'aws:TagKeys':'env'}"), NULL, 1},
    {C("'ForAllValues:IpAddress':{'aws:x':'10.0.0.0/8'}"), "aws:x=10.0.0.1|10.2.0.1", 1},
    {C("'ForAllValues:IpAddress':{'aws:x':'10.0.0.0/8'}"), "aws:x=10.0.0.1|11.2.0.1", 0},
    {C("'ForAllValues:ArnLike':{'aws:x':'arn:aws:s3:::b/*'}"),
     "aws:x=arn:aws:s3:::b/1|arn:aws:s3:::b/2", 1},
    /* ForAnyValue */
    {C("'ForAnyValue:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys=cost|env", 1},
    {C("'ForAnyValue:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys=cost", 0},
    {C("'ForAnyValue:StringEquals':{'aws:TagKeys':['env','team']}"), NULL, 0},
    {C("'ForAnyValue:StringEquals':{'aws:TagKeys':['env','team']}"), "aws:TagKeys", 0},
    {C("'ForAnyValue:StringEqualsIfExists':{'aws:TagKeys':'env'}"), NULL, 1},
    {C("'ForAnyValue:StringEqualsIfExists':{'aws:TagKeys':'env'}"), "aws:TagKeys=cost", 0},
    {C("'ForAnyValue:StringLike':{'aws:TagKeys':'e*'}"), "aws:TagKeys=cost|env", 1},
    {C("'ForAnyValue:StringNotEquals':{'aws:TagKeys':'secret'}"), "aws:TagKeys=secret", 0},
    {C("'ForAnyValue:StringNotEquals':{'aws:TagKeys':'secret'}"), "aws:TagKeys=secret|env", 1},
    {C("'ForAnyValue:StringNotEquals':{'aws:TagKeys':'secret'}"), NULL, 0},
    {C("'ForAnyValue:NumericLessThan':{'aws:x':'10'}"), "aws:x=5|20", 1},
    {C("'ForAnyValue:NumericLessThan':{'aws:x':'10'}"), "aws:x=50|20", 0},
    {C("'ForAnyValue:DateGreaterThan':{'aws:x':'2026-01-01'}"), "aws:x=2020-01-01|2027-01-01",
     1},
    {C("'ForAnyValue:Bool':{'aws:x':'true'}"), "aws:x=false|true", 1},
    {C("'ForAnyValue:NotIpAddress':{'aws:x':'10.0.0.0/8'}"), "aws:x=10.0.0.1|11.0.0.1", 1},
    {C("'ForAnyValue:ArnNotLike':{'aws:x':'arn:aws:s3:::b/*'}"), "aws:x=arn:aws:s3:::b/1", 0},
    /* single-valued operators on several values: any matches; negated: none */
    {C("'StringEquals':{'aws:TagKeys':'env'}"), "aws:TagKeys=cost|env", 1},
    {C("'StringNotEquals':{'aws:TagKeys':'env'}"), "aws:TagKeys=cost|env", 0},
    {C("'StringNotEquals':{'aws:TagKeys':'env'}"), "aws:TagKeys=cost|team", 1},
    /* a key present with no values counts as missing */
    {C("'StringEquals':{'aws:x':'a'}"), "aws:x", 0},
    {C("'StringEqualsIfExists':{'aws:x':'a'}"), "aws:x", 1},
};

static void test_conditions(void)
{
    size_t i;

    for (i = 0; i < sizeof conds / sizeof conds[0]; i++) {
        char err[256];
        policy_request_t q;
        policy_t *p = parse(conds[i].doc, POLICY_IDENTITY, err, sizeof err);
        enum policy_effect got;
        CHECK(p != NULL);
        if (p == NULL) {
            fprintf(stderr, "cond %zu: parse failed: %s\n", i, err);
            continue;
        }
        make_req(&q, ALICE, "s3:GetObject", BKEY, conds[i].ctx);
        got = policy_eval(p, &q, NULL);
        if ((got == POLICY_ALLOW) != conds[i].want)
            fprintf(stderr, "cond %zu: %s with ctx %s: got %s\n", i, conds[i].doc,
                    conds[i].ctx ? conds[i].ctx : "(none)", effect_names[got]);
        CHECK((got == POLICY_ALLOW) == conds[i].want);
        policy_free(p);
    }
}

/* ---- principals ----------------------------------------------------------- */

#define R(pr) V12("{'Effect':'Allow','Principal':" pr ",'Action':'s3:GetObject','Resource':'*'}")
#define NR(pr)                                                                                 \
    V12("{'Effect':'Allow','NotPrincipal':" pr ",'Action':'s3:GetObject','Resource':'*'}")
#define N POLICY_PRINCIPAL_NONE
#define A POLICY_PRINCIPAL_ACCOUNT
#define D POLICY_PRINCIPAL_DIRECT

static const struct {
    const char *doc;
    enum who who;
    enum policy_effect want;
    enum policy_principal_match pm;
    int via_role, stmt;
} princs[] = {
    {R("'*'"), ALICE, POLICY_ALLOW, D, 0, 0},
    {R("'*'"), ANON, POLICY_ALLOW, D, 0, 0},
    {R("'*'"), SERVICE, POLICY_ALLOW, D, 0, 0},
    {R("'*'"), SESSION, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':'*'}"), ALICE, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':'*'}"), BOB, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':'" ACCT "'}"), ALICE, POLICY_ALLOW, A, 0, 0},
    {R("{'AWS':'" ACCT "'}"), SESSION, POLICY_ALLOW, A, 0, 0},
    {R("{'AWS':'" ACCT "'}"), ROOT, POLICY_ALLOW, A, 0, 0},
    {R("{'AWS':'" ACCT "'}"), BOB, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'" ACCT "'}"), ANON, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'" ACCT "'}"), SERVICE, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'arn:aws:iam::" ACCT ":root'}"), ALICE, POLICY_ALLOW, A, 0, 0},
    {R("{'AWS':'arn:aws:iam::" ACCT ":root'}"), ROOT, POLICY_ALLOW, A, 0, 0},
    {R("{'AWS':'arn:aws:iam::" ACCT ":root'}"), BOB, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'arn:aws:iam::" OTHER ":root'}"), BOB, POLICY_ALLOW, A, 0, 0},
    {R("{'AWS':'" ALICE_ARN "'}"), ALICE, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':'" ALICE_ARN "'}"), BOB, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'" ALICE_ARN "'}"), SESSION, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'arn:aws:iam::" ACCT ":user/Alice'}"), ALICE, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'" ROLE_ARN "'}"), SESSION, POLICY_ALLOW, D, 1, 0},
    {R("{'AWS':'" ROLE_ARN "'}"), ALICE, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'arn:aws:iam::" ACCT ":role/R2'}"), SESSION, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'" SESSION_ARN "'}"), SESSION, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':'arn:aws:sts::" ACCT ":assumed-role/R/s2'}"), SESSION, POLICY_NONE, N, 0, -1},
    {R("{'AWS':['" ROLE_ARN "','" SESSION_ARN "']}"), SESSION, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':['" ACCT "','" ROLE_ARN "']}"), SESSION, POLICY_ALLOW, D, 1, 0},
    {R("{'AWS':['" OTHER "','" ALICE_ARN "']}"), ALICE, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':['" OTHER "','" ALICE_ARN "']}"), BOB, POLICY_ALLOW, A, 0, 0},
    {R("{'Service':'ec2.amazonaws.com'}"), SERVICE, POLICY_ALLOW, D, 0, 0},
    {R("{'Service':'ec2.amazonaws.com'}"), ALICE, POLICY_NONE, N, 0, -1},
    {R("{'Service':['lambda.amazonaws.com','ec2.amazonaws.com']}"), SERVICE, POLICY_ALLOW, D, 0,
     0},
    {R("{'Service':'lambda.amazonaws.com'}"), SERVICE, POLICY_NONE, N, 0, -1},
    {R("{'AWS':'" ALICE_ARN "','Service':'ec2.amazonaws.com'}"), SERVICE, POLICY_ALLOW, D, 0, 0},
    {R("{'AWS':'" ALICE_ARN "','Service':'ec2.amazonaws.com'}"), ALICE, POLICY_ALLOW, D, 0, 0},
    {R("{'Federated':'" SAML_ARN "'}"), FED, POLICY_ALLOW, D, 0, 0},
    {R("{'Federated':'" SAML_ARN "'}"), ALICE, POLICY_NONE, N, 0, -1},
    {R("{'CanonicalUser':'" CANON_ID "'}"), CANON, POLICY_ALLOW, D, 0, 0},
    {R("{'CanonicalUser':'" CANON_ID "'}"), ALICE, POLICY_NONE, N, 0, -1},
    /* NotPrincipal */
    {NR("{'AWS':'" ALICE_ARN "'}"), ALICE, POLICY_NONE, N, 0, -1},
    {NR("{'AWS':'" ALICE_ARN "'}"), BOB, POLICY_ALLOW, D, 0, 0},
    {NR("{'AWS':'" ALICE_ARN "'}"), ANON, POLICY_ALLOW, D, 0, 0},
    {NR("{'AWS':'" ACCT "'}"), ALICE, POLICY_NONE, N, 0, -1},
    {NR("{'AWS':'" ACCT "'}"), BOB, POLICY_ALLOW, D, 0, 0},
    {NR("{'AWS':'" ROLE_ARN "'}"), SESSION, POLICY_NONE, N, 0, -1},
    {NR("{'Service':'ec2.amazonaws.com'}"), SERVICE, POLICY_NONE, N, 0, -1},
    {NR("{'Service':'ec2.amazonaws.com'}"), ALICE, POLICY_ALLOW, D, 0, 0},
    /* the strongest principal match among Allow statements */
    {V12("{'Effect':'Allow','Principal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Principal':{'AWS':'" ALICE_ARN "'},'Action':'*','Resource':'*'}"),
     ALICE, POLICY_ALLOW, D, 0, 1},
    {V12("{'Effect':'Allow','Principal':{'AWS':'" ALICE_ARN "'},'Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Principal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'}"),
     ALICE, POLICY_ALLOW, D, 0, 0},
    {V12("{'Effect':'Allow','Principal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Principal':{'AWS':'" ROLE_ARN "'},'Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Principal':{'AWS':'" SESSION_ARN "'},'Action':'*','Resource':'*'}"),
     SESSION, POLICY_ALLOW, D, 0, 2},
    {V12("{'Effect':'Allow','Principal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Principal':{'AWS':'" ROLE_ARN "'},'Action':'*','Resource':'*'}"),
     SESSION, POLICY_ALLOW, D, 1, 1},
    {V12("{'Effect':'Allow','Principal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Principal':{'AWS':'" ALICE_ARN "'},'Action':'kms:*','Resource':'*'}"),
     ALICE, POLICY_ALLOW, A, 0, 0},
    /* deny */
    {V12("{'Effect':'Allow','Principal':{'AWS':'" ALICE_ARN "'},'Action':'*','Resource':'*'},"
         "{'Effect':'Deny','Principal':'*','Action':'s3:GetObject','Resource':'*'}"),
     ALICE, POLICY_DENY, D, 0, 1},
    {V12("{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'},"
         "{'Effect':'Deny','Principal':{'AWS':'" BOB_ARN "'},'Action':'*','Resource':'*'}"),
     ALICE, POLICY_ALLOW, D, 0, 0},
    {V12("{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'},"
         "{'Effect':'Deny','Principal':{'AWS':'" BOB_ARN "'},'Action':'*','Resource':'*'}"),
     BOB, POLICY_DENY, D, 0, 1},
    {V12("{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'},"
         "{'Effect':'Deny','NotPrincipal':{'AWS':'" ALICE_ARN "'},'Action':'*','Resource':'*'}"),
     ALICE, POLICY_ALLOW, D, 0, 0},
    {V12("{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'},"
         "{'Effect':'Deny','NotPrincipal':{'AWS':'" ALICE_ARN "'},'Action':'*','Resource':'*'}"),
     BOB, POLICY_DENY, D, 0, 1},
    {V12("{'Effect':'Deny','Principal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'}"), ALICE,
     POLICY_DENY, A, 0, 0},
};

static void test_principals(void)
{
    size_t i;

    for (i = 0; i < sizeof princs / sizeof princs[0]; i++) {
        char err[256];
        policy_request_t q;
        policy_match_t m;
        policy_t *p = parse(princs[i].doc, POLICY_RESOURCE, err, sizeof err);
        enum policy_effect got;
        CHECK(p != NULL);
        if (p == NULL) {
            fprintf(stderr, "principal %zu: parse failed: %s\n", i, err);
            continue;
        }
        make_req(&q, princs[i].who, "s3:GetObject", BKEY, NULL);
        memset(&m, 0x5a, sizeof m);
        got = policy_eval(p, &q, &m);
        if (got != princs[i].want || m.principal != princs[i].pm ||
            m.via_role != princs[i].via_role || m.statement != princs[i].stmt)
            fprintf(stderr, "principal %zu: got %s match %d via_role %d statement %d\n", i,
                    effect_names[got], (int)m.principal, m.via_role, m.statement);
        CHECK(got == princs[i].want);
        CHECK(m.effect == got);
        CHECK(m.principal == princs[i].pm);
        CHECK(m.via_role == princs[i].via_role);
        CHECK(m.statement == princs[i].stmt);
        policy_free(p);
    }
}

static void test_trust(void)
{
    static const char *doc =
        V12("{'Effect':'Allow','Principal':{'Service':'ec2.amazonaws.com'},"
            "'Action':'sts:AssumeRole'},"
            "{'Effect':'Allow','Principal':{'AWS':'" ACCT "'},"
            "'Action':['sts:AssumeRole','sts:TagSession'],"
            "'Condition':{'StringEquals':{'sts:ExternalId':'xyz'}}}");
    char err[256];
    policy_request_t q;
    policy_match_t m;
    policy_t *p = parse(doc, POLICY_TRUST, err, sizeof err);

    CHECK(p != NULL);
    if (p == NULL)
        return;
    make_req(&q, SERVICE, "sts:AssumeRole", ROLE_ARN, NULL);
    CHECK(policy_eval(p, &q, &m) == POLICY_ALLOW);
    CHECK(m.statement == 0 && m.principal == POLICY_PRINCIPAL_DIRECT);
    make_req(&q, SERVICE, "sts:TagSession", ROLE_ARN, NULL);
    CHECK(policy_eval(p, &q, NULL) == POLICY_NONE);
    make_req(&q, ALICE, "sts:AssumeRole", ROLE_ARN, NULL);
    CHECK(policy_eval(p, &q, NULL) == POLICY_NONE);
    make_req(&q, ALICE, "sts:AssumeRole", ROLE_ARN, "sts:ExternalId=xyz");
    CHECK(policy_eval(p, &q, &m) == POLICY_ALLOW);
    CHECK(m.statement == 1 && m.principal == POLICY_PRINCIPAL_ACCOUNT);
    make_req(&q, BOB, "sts:AssumeRole", ROLE_ARN, "sts:ExternalId=xyz");
    CHECK(policy_eval(p, &q, NULL) == POLICY_NONE);
    policy_free(p);
}

/* Sids, statement indexes and the match of identity policies. */
static void test_match_details(void)
{
    static const char *doc =
        V12("{'Sid':'AllowS3','Effect':'Allow','Action':'s3:*','Resource':'*'},"
            "{'Effect':'Allow','Action':'kms:*','Resource':'*'},"
            "{'Sid':'DenyPut','Effect':'Deny','Action':'s3:PutObject','Resource':'*'}");
    char err[256], longsid[300], *longdoc;
    policy_request_t q;
    policy_match_t m;
    policy_t *p = parse(doc, POLICY_IDENTITY, err, sizeof err);

    CHECK(p != NULL);
    if (p == NULL)
        return;
    make_req(&q, ALICE, "s3:GetObject", BKEY, NULL);
    CHECK(policy_eval(p, &q, &m) == POLICY_ALLOW);
    CHECK(m.effect == POLICY_ALLOW && m.statement == 0);
    CHECK_STR(m.sid, "AllowS3");
    CHECK(m.principal == POLICY_PRINCIPAL_NONE);
    make_req(&q, ALICE, "kms:Encrypt", BKEY, NULL);
    CHECK(policy_eval(p, &q, &m) == POLICY_ALLOW);
    CHECK(m.statement == 1);
    CHECK_STR(m.sid, "");
    make_req(&q, ALICE, "s3:PutObject", BKEY, NULL);
    CHECK(policy_eval(p, &q, &m) == POLICY_DENY);
    CHECK(m.effect == POLICY_DENY && m.statement == 2);
    CHECK_STR(m.sid, "DenyPut");
    make_req(&q, ALICE, "iam:GetUser", BKEY, NULL);
    CHECK(policy_eval(p, &q, &m) == POLICY_NONE);
    CHECK(m.effect == POLICY_NONE && m.statement == -1);
    CHECK_STR(m.sid, "");
    policy_free(p);

    /* a Sid longer than the match's buffer is truncated */
    memset(longsid, 'S', sizeof longsid);
    longsid[sizeof longsid - 1] = '\0';
    longdoc = malloc(1024);
    snprintf(longdoc, 1024,
             "{\"Statement\":{\"Sid\":\"%s\",\"Effect\":\"Allow\",\"Action\":\"*\","
             "\"Resource\":\"*\"}}",
             longsid);
    p = policy_parse(longdoc, strlen(longdoc), POLICY_IDENTITY, err, sizeof err);
    CHECK(p != NULL);
    if (p) {
        CHECK(policy_eval(p, &q, &m) == POLICY_ALLOW);
        CHECK(strlen(m.sid) == sizeof m.sid - 1);
        policy_free(p);
    }
    free(longdoc);

    /* NULL policy and NULL request fields */
    memset(&q, 0, sizeof q);
    CHECK(policy_eval(NULL, &q, &m) == POLICY_NONE);
    CHECK(m.statement == -1);
    p = parse(V12(ALLOW_AR("'*'", "'*'")), POLICY_IDENTITY, err, sizeof err);
    CHECK(p && policy_eval(p, &q, &m) == POLICY_ALLOW);
    policy_free(p);
    p = parse(R("'*'"), POLICY_RESOURCE, err, sizeof err);
    q.action = "s3:GetObject";
    CHECK(p && policy_eval(p, &q, &m) == POLICY_ALLOW);
    policy_free(p);
    policy_free(NULL);
}

/* ---- validation ----------------------------------------------------------- */

#define SYNTAX "Syntax errors in policy."
#define VENDOR "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
#define NOACT "Policy statement must contain actions."
#define NORES "Policy statement must contain resources."
#define BADP "Invalid principal in policy"
#define I POLICY_IDENTITY
#define RS POLICY_RESOURCE
#define T POLICY_TRUST

static const struct {
    const char *doc;
    enum policy_kind kind;
    const char *msg;
} bad[] = {
    {"", I, SYNTAX},
    {"not json", I, SYNTAX},
    {"[]", I, SYNTAX},
    {"'x'", I, SYNTAX},
    {"42", I, SYNTAX},
    {"null", I, SYNTAX},
    {"{", I, SYNTAX},
    {"{'Version':'2012-10-17','Statement':" ALLOW_AR("'*'", "'*'"), I, SYNTAX},
    {V12(ALLOW_AR("'*'", "'*'")) " x", I, SYNTAX},
    {V12(ALLOW_AR("'*'", "'*'")) "{}", I, SYNTAX},
    {"{'Version':'2012-10-17'}", I, "Missing required field Statement"},
    {"{}", I, "Missing required field Statement"},
    {"{'Version':'2012-10-17','Statement':[]}", I, SYNTAX},
    {"{'Version':'2012-10-17','Statement':'x'}", I, SYNTAX},
    {"{'Version':'2012-10-17','Statement':null}", I, SYNTAX},
    {"{'Version':'2012-10-17','Statement':[1]}", I, SYNTAX},
    {"{'Version':'2012-10-17','Statement':[" ALLOW_AR("'*'", "'*'") ",'x']}", I, SYNTAX},
    {"{'Version':'2012-10-17','Foo':1,'Statement':" ALLOW_AR("'*'", "'*'") "}", I,
     "Unknown field Foo"},
    {"{'version':'2012-10-17','Statement':" ALLOW_AR("'*'", "'*'") "}", I,
     "Unknown field version"},
    {"{'Version':'2013-01-01','Statement':" ALLOW_AR("'*'", "'*'") "}", I,
     "The policy failed legacy parsing"},
    {"{'Version':'','Statement':" ALLOW_AR("'*'", "'*'") "}", I,
     "The policy failed legacy parsing"},
    {"{'Version':2012,'Statement':" ALLOW_AR("'*'", "'*'") "}", I,
     "The policy failed legacy parsing"},
    {"{'Id':5,'Statement':" ALLOW_AR("'*'", "'*'") "}", I, SYNTAX},
    /* Effect */
    {V12("{'Action':'*','Resource':'*'}"), I, "Missing required field Effect"},
    {V12("{'Effect':'Maybe','Action':'*','Resource':'*'}"), I, "Invalid effect: Maybe"},
    {V12("{'Effect':'allow','Action':'*','Resource':'*'}"), I, "Invalid effect: allow"},
    {V12("{'Effect':'','Action':'*','Resource':'*'}"), I, "Invalid effect: "},
    {V12("{'Effect':1,'Action':'*','Resource':'*'}"), I, SYNTAX},
    {V12("{'Effect':['Allow'],'Action':'*','Resource':'*'}"), I, SYNTAX},
    /* statement fields */
    {V12("{'Effect':'Allow','Actions':'*','Resource':'*'}"), I, "Unknown field Actions"},
    {V12("{'Effect':'Allow','Action':'*','Resource':'*','Foo':{}}"), I, "Unknown field Foo"},
    {V12("{'Foo':1}"), I, "Unknown field Foo"},
    {V12("{'Sid':'a','Effect':'Allow','Action':'*','Resource':'*'},"
         "{'Sid':'a','Effect':'Allow','Action':'*','Resource':'*'}"),
     I, "Statement IDs (SID) in a single policy must be unique"},
    {V12("{'Sid':'a','Effect':'Allow','Action':'*','Resource':'*'},"
         "{'Sid':'b','Effect':'Allow','Action':'*','Resource':'*'},"
         "{'Sid':'b','Effect':'Deny','Action':'*','Resource':'*'}"),
     I, "Statement IDs (SID) in a single policy must be unique"},
    {V12("{'Sid':5,'Effect':'Allow','Action':'*','Resource':'*'}"), I, SYNTAX},
    /* Action */
    {V12("{'Effect':'Allow','Resource':'*'}"), I, NOACT},
    {V12("{'Effect':'Allow','Action':[],'Resource':'*'}"), I, NOACT},
    {V12("{'Effect':'Allow','NotAction':[],'Resource':'*'}"), I, NOACT},
    {V12("{'Effect':'Allow','Action':'*','NotAction':'s3:*','Resource':'*'}"), I, SYNTAX},
    {V12("{'Effect':'Allow','Action':'GetObject','Resource':'*'}"), I, VENDOR},
    {V12("{'Effect':'Allow','Action':':GetObject','Resource':'*'}"), I, VENDOR},
    {V12("{'Effect':'Allow','Action':'','Resource':'*'}"), I, VENDOR},
    {V12("{'Effect':'Allow','Action':['s3:GetObject','PutObject'],'Resource':'*'}"), I, VENDOR},
    {V12("{'Effect':'Allow','Action':[1],'Resource':'*'}"), I, SYNTAX},
    {V12("{'Effect':'Allow','Action':5,'Resource':'*'}"), I, SYNTAX},
    {V12("{'Effect':'Allow','Action':{'a':'b'},'Resource':'*'}"), I, SYNTAX},
    /* Resource */
    {V12("{'Effect':'Allow','Action':'*'}"), I, NORES},
    {V12("{'Effect':'Allow','Action':'*','Resource':[]}"), I, NORES},
    {V12("{'Effect':'Allow','Action':'*','Resource':'*','NotResource':'*'}"), I, SYNTAX},
    {V12("{'Effect':'Allow','Action':'*','Resource':5}"), I, SYNTAX},
    {V12("{'Effect':'Allow','Action':'*','Resource':['*',null]}"), I, SYNTAX},
    {V12("{'Effect':'Allow','Principal':'*','Action':'*'}"), RS, NORES},
    /* Principal */
    {V12("{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'}"), I,
     "Policy document should not specify a principal."},
    {V12("{'Effect':'Allow','Principal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'}"), I,
     "Policy document should not specify a principal."},
    {V12("{'Effect':'Allow','NotPrincipal':'*','Action':'*','Resource':'*'}"), I,
     "Has prohibited field NotPrincipal"},
    {V12("{'Effect':'Allow','Action':'*','Resource':'*'}"), RS, "Missing required field Principal"},
    {V12("{'Effect':'Allow','Action':'sts:AssumeRole'}"), T, "Missing required field Principal"},
    {V12("{'Effect':'Allow','Principal':'*','NotPrincipal':'*','Action':'*','Resource':'*'}"), RS,
     SYNTAX},
    {V12("{'Effect':'Allow','Principal':'alice','Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{'Foo':'x'},'Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{'aws':'*'},'Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{'AWS':'alice'},'Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{'AWS':'12345'},'Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam'},'Action':'*','Resource':'*'}"), RS,
     BADP},
    {V12("{'Effect':'Allow','Principal':{'AWS':[]},'Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{},'Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{'Service':''},'Action':'*','Resource':'*'}"), RS, BADP},
    {V12("{'Effect':'Allow','Principal':{'AWS':5},'Action':'*','Resource':'*'}"), RS, SYNTAX},
    {V12("{'Effect':'Allow','Principal':5,'Action':'*','Resource':'*'}"), RS, SYNTAX},
    {V12("{'Effect':'Allow','Principal':['*'],'Action':'*','Resource':'*'}"), RS, SYNTAX},
    /* trust policies: STS actions only */
    {V12("{'Effect':'Allow','Principal':'*','Action':'s3:GetObject'}"), T,
     "AssumeRole policy may only specify STS AssumeRole actions."},
    {V12("{'Effect':'Allow','Principal':'*','Action':'*'}"), T,
     "AssumeRole policy may only specify STS AssumeRole actions."},
    {V12("{'Effect':'Allow','Principal':'*','Action':['sts:AssumeRole','iam:*']}"), T,
     "AssumeRole policy may only specify STS AssumeRole actions."},
    /* Condition */
    {C("'StringEqual':{'aws:x':'a'}"), I, "Invalid Condition type : StringEqual"},
    {C("'stringequals':{'aws:x':'a'}"), I, "Invalid Condition type : stringequals"},
    {C("'NullIfExists':{'aws:x':'true'}"), I, "Invalid Condition type : NullIfExists"},
    {C("'ForAllValues:Null':{'aws:x':'true'}"), I, "Invalid Condition type : ForAllValues:Null"},
    {C("'ForAllValues:Foo':{'aws:x':'a'}"), I, "Invalid Condition type : ForAllValues:Foo"},
    {C("'ForAnyValues:StringEquals':{'aws:x':'a'}"), I,
     "Invalid Condition type : ForAnyValues:StringEquals"},
    {C("'IfExists':{'aws:x':'a'}"), I, "Invalid Condition type : IfExists"},
    {C("'StringEqualsIfExistsIfExists':{'aws:x':'a'}"), I,
     "Invalid Condition type : StringEqualsIfExistsIfExists"},
    {C("'':{'aws:x':'a'}"), I, "Invalid Condition type : "},
    {V12("{'Effect':'Allow','Action':'*','Resource':'*','Condition':'x'}"), I, SYNTAX},
    {V12("{'Effect':'Allow','Action':'*','Resource':'*','Condition':[]}"), I, SYNTAX},
    {C("'StringEquals':'x'"), I, SYNTAX},
    {C("'StringEquals':['aws:x']"), I, SYNTAX},
    {C("'StringEquals':{'aws:x':null}"), I, SYNTAX},
    {C("'StringEquals':{'aws:x':{'a':1}}"), I, SYNTAX},
    {C("'StringEquals':{'aws:x':[[1]]}"), I, SYNTAX},
    {C("'StringEquals':{'aws:x':['a',null]}"), I, SYNTAX},
    {C("'StringEquals':{'username':'a'}"), I, VENDOR},
    {C("'StringEquals':{':username':'a'}"), I, VENDOR},
};

static void test_malformed(void)
{
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256];
        policy_t *p;
        memset(err, 'X', sizeof err);
        p = parse(bad[i].doc, bad[i].kind, err, sizeof err);
        if (p != NULL || strcmp(err, bad[i].msg) != 0)
            fprintf(stderr, "malformed %zu: %s\n", i, bad[i].doc);
        CHECK(p == NULL);
        CHECK_STR(err, bad[i].msg);
        policy_free(p);
    }
}

static const struct {
    const char *doc;
    enum policy_kind kind;
} good[] = {
    {V12(ALLOW_AR("'*'", "'*'")), I},
    {V08(ALLOW_AR("'*'", "'*'")), I},
    {"{'Statement':" ALLOW_AR("'*'", "'*'") "}", I},
    {"{'Version':'2012-10-17','Id':'p1','Statement':" ALLOW_AR("'*'", "'*'") "}", I},
    {"  \n" V12(ALLOW_AR("'*'", "'*'")) " \r\n\t", I},
    {V12("{'Sid':'','Effect':'Allow','Action':'*','Resource':'*'}"), I},
    {V12("{'Sid':'a','Effect':'Allow','Action':'*','Resource':'*'},"
         "{'Sid':'A','Effect':'Allow','Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Action':'*','Resource':'*'},"
         "{'Effect':'Allow','Action':'*','Resource':'*'}"),
     I},
    {V12("{'Effect':'Allow','Action':'*','Resource':'*','Condition':{}}"), I},
    {C("'StringEquals':{}"), I},
    {C("'StringEquals':{'aws:x':[]}"), I},
    {C("'NumericLessThan':{'aws:x':[1,2.5,-3]},'Bool':{'aws:y':[true,false]}"), I},
    {C("'ForAllValues:StringLikeIfExists':{'aws:x':'a'}"), I},
    {C("'ForAnyValue:NotIpAddressIfExists':{'aws:x':'10.0.0.0/8'}"), I},
    {V12("{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'}"), RS},
    {V12("{'Effect':'Allow','NotPrincipal':{'AWS':'" ACCT "'},'Action':'*','Resource':'*'}"), RS},
    {V12("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::" ACCT
         ":user/a/b/c'},'Action':'*','Resource':'*'}"),
     RS},
    {V12("{'Effect':'Allow','Principal':{'AWS':'arn:aws-cn:iam::" ACCT
         ":root'},'Action':'*','Resource':'*'}"),
     RS},
    {V12("{'Effect':'Allow','Principal':{'Service':'s3.amazonaws.com'},'Action':'sts:AssumeRole'}"),
     T},
    {V12("{'Effect':'Allow','Principal':'*','NotAction':'sts:TagSession'}"), T},
    {V12("{'Effect':'Allow','Principal':'*','Action':'STS:AssumeRole','Resource':'*'}"), T},
};

static void test_good(void)
{
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        char err[256];
        policy_t *p = parse(good[i].doc, good[i].kind, err, sizeof err);
        if (p == NULL)
            fprintf(stderr, "good %zu: %s: %s\n", i, good[i].doc, err);
        CHECK(p != NULL);
        policy_free(p);
    }
}

/* Length bound, small or absent error buffers. */
static void test_parse_edges(void)
{
    const char *doc = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"
                      "garbage";
    char err[8];
    policy_t *p;

    /* only len bytes are read */
    p = policy_parse(doc, strlen(doc) - strlen("garbage"), POLICY_IDENTITY, NULL, 0);
    CHECK(p != NULL);
    policy_free(p);
    p = policy_parse(doc, strlen(doc), POLICY_IDENTITY, err, sizeof err);
    CHECK(p == NULL);
    CHECK_STR(err, "Syntax ");
    p = policy_parse(doc, 10, POLICY_IDENTITY, NULL, 0);
    CHECK(p == NULL);
    p = policy_parse(NULL, 0, POLICY_IDENTITY, err, sizeof err);
    CHECK(p == NULL);
    /* an embedded NUL inside the length */
    p = policy_parse("{\"Statement\":{}}\0x", 18, POLICY_IDENTITY, err, sizeof err);
    CHECK(p == NULL);
}

/* ---- policy_decide -------------------------------------------------------- */

#define ID_ALLOW_S3 V12(ALLOW_AR("'s3:*'", "'*'"))
#define ID_ALLOW_GET V12("{'Sid':'AllowGet','Effect':'Allow','Action':'s3:GetObject','Resource':'*'}")
#define ID_DENY_GET                                                                            \
    V12(ALLOW_AR("'*'", "'*'") ",{'Sid':'DenyGet','Effect':'Deny','Action':'s3:GetObject',"    \
                               "'Resource':'*'}")
#define ID_ALLOW_KMS V12(ALLOW_AR("'kms:*'", "'*'"))
#define ID_IAM V12(ALLOW_AR("'iam:*'", "'*'"))
#define BND_S3 V12(ALLOW_AR("'s3:*'", "'*'"))
#define BND_KMS V12(ALLOW_AR("'kms:*'", "'*'"))
#define BND_DENY V12(ALLOW_AR("'*'", "'*'") ",{'Effect':'Deny','Action':'s3:GetObject','Resource':'*'}")
#define SES_GET V12(ALLOW_AR("'s3:GetObject'", "'*'"))
#define SES_KMS V12(ALLOW_AR("'kms:*'", "'*'"))
#define SES_DENY V12(ALLOW_AR("'*'", "'*'") ",{'Effect':'Deny','Action':'s3:*','Resource':'*'}")
#define RP(pr, act) "{'Effect':'Allow','Principal':" pr ",'Action':" act ",'Resource':'*'}"
#define RES_ALICE V12(RP("{'AWS':'" ALICE_ARN "'}", "'s3:GetObject'"))
#define RES_ACCOUNT V12(RP("{'AWS':'arn:aws:iam::" ACCT ":root'}", "'s3:*'"))
#define RES_ROLE V12(RP("{'AWS':'" ROLE_ARN "'}", "'s3:*'"))
#define RES_SESSION V12(RP("{'AWS':'" SESSION_ARN "'}", "'s3:*'"))
#define RES_STAR V12(RP("'*'", "'s3:*'"))
#define RES_SERVICE V12(RP("{'Service':'ec2.amazonaws.com'}", "'s3:*'"))
#define RES_DENY                                                                               \
    V12(RP("'*'", "'s3:*'") ",{'Sid':'NoGet','Effect':'Deny','Principal':'*','Action':"         \
                            "'s3:GetObject','Resource':'*'}")
#define KEY_ACCOUNT V12(RP("{'AWS':'arn:aws:iam::" ACCT ":root'}", "'kms:*'"))
#define KEY_OTHER V12(RP("{'AWS':'arn:aws:iam::" OTHER ":root'}", "'kms:*'"))
#define KEY_ALICE V12(RP("{'AWS':'" ALICE_ARN "'}", "'kms:Encrypt'"))
#define KEY_ROLE V12(RP("{'AWS':'" ROLE_ARN "'}", "'kms:*'"))
#define KEY_DENY                                                                               \
    V12(RP("{'AWS':'" ACCT "'}", "'kms:*'") ",{'Effect':'Deny','Principal':{'AWS':'" ALICE_ARN  \
                                          "'},'Action':'kms:Encrypt','Resource':'*'}")

#define GET "s3:GetObject"
#define ENC "kms:Encrypt"
#define NAMES0 "id0"
#define NAMES1 "id1"
#define RBP "resource-based policy"
#define PB "permissions boundary"
#define SP "session policy"

static const struct {
    enum who who;
    const char *action;
    const char *id[3], *res, *bnd, *ses[2];
    int is_root, required, want;
    enum policy_reason reason;
    const char *name, *text;
    int stmt;
} decides[] = {
    /* identity policies */
    {ALICE, GET, {ID_ALLOW_GET}, NULL, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, NAMES0,
     "because an identity-based policy allows the s3:GetObject action", 0},
    {ALICE, GET, {NULL}, NULL, NULL, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL,
     "because no identity-based policy allows the s3:GetObject action", -1},
    {ALICE, GET, {ID_IAM}, NULL, NULL, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL,
     "because no identity-based policy allows the s3:GetObject action", -1},
    {ALICE, GET, {ID_IAM, ID_ALLOW_S3}, NULL, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, NAMES1, NULL,
     0},
    {ALICE, GET, {ID_ALLOW_S3, ID_DENY_GET}, NULL, NULL, {NULL}, 0, 0, 0, POLICY_DENY_IDENTITY,
     NAMES1, "with an explicit deny in an identity-based policy", 1},
    {ALICE, "s3:PutObject", {ID_DENY_GET}, NULL, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, NAMES0,
     NULL, 0},
    /* resource policies */
    {ALICE, GET, {ID_ALLOW_S3}, RES_DENY, NULL, {NULL}, 0, 0, 0, POLICY_DENY_RESOURCE, RBP,
     "with an explicit deny in a resource-based policy", 1},
    {ALICE, GET, {NULL}, RES_ALICE, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, RBP,
     "because a resource-based policy allows the s3:GetObject action", 0},
    {ALICE, "s3:PutObject", {NULL}, RES_ALICE, NULL, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL,
     NULL, -1},
    {ALICE, GET, {NULL}, RES_ACCOUNT, NULL, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL,
     "because no identity-based policy allows the s3:GetObject action", -1},
    {ALICE, GET, {ID_ALLOW_GET}, RES_ACCOUNT, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, NAMES0, NULL,
     0},
    {ALICE, GET, {NULL}, RES_STAR, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {ALICE, GET, {NULL}, RES_ROLE, NULL, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL, NULL, -1},
    {SERVICE, GET, {NULL}, RES_SERVICE, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {ANON, GET, {NULL}, RES_ALICE, NULL, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL, NULL, -1},
    /* a deny anywhere beats an allow anywhere */
    {ALICE, GET, {ID_DENY_GET}, RES_ALICE, NULL, {NULL}, 0, 0, 0, POLICY_DENY_IDENTITY, NAMES0,
     NULL, 1},
    {ALICE, GET, {ID_DENY_GET}, RES_DENY, BND_DENY, {NULL}, 0, 0, 0, POLICY_DENY_IDENTITY, NAMES0,
     NULL, 1},
    {ALICE, GET, {ID_ALLOW_S3}, RES_DENY, BND_DENY, {NULL}, 0, 0, 0, POLICY_DENY_RESOURCE, RBP,
     NULL, 1},
    {SESSION, GET, {ID_ALLOW_S3}, RES_STAR, BND_DENY, {SES_DENY}, 0, 0, 0, POLICY_DENY_BOUNDARY,
     PB, NULL, 1},
    {SESSION, GET, {ID_ALLOW_S3}, RES_SESSION, NULL, {SES_DENY}, 0, 0, 0, POLICY_DENY_SESSION, SP,
     NULL, 1},
    /* permissions boundary */
    {ALICE, GET, {ID_ALLOW_S3}, NULL, BND_KMS, {NULL}, 0, 0, 0, POLICY_NO_BOUNDARY, PB,
     "because no permissions boundary allows the s3:GetObject action", -1},
    {ALICE, GET, {ID_ALLOW_S3}, NULL, BND_S3, {NULL}, 0, 0, 1, POLICY_ALLOWED, NAMES0, NULL, 0},
    {ALICE, GET, {ID_ALLOW_S3}, NULL, BND_DENY, {NULL}, 0, 0, 0, POLICY_DENY_BOUNDARY, PB,
     "with an explicit deny in a permissions boundary", 1},
    {ALICE, GET, {NULL}, NULL, BND_S3, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL, NULL, -1},
    {ALICE, GET, {NULL}, RES_ALICE, BND_KMS, {NULL}, 0, 0, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {ALICE, GET, {NULL}, RES_ALICE, BND_DENY, {NULL}, 0, 0, 0, POLICY_DENY_BOUNDARY, PB, NULL, 1},
    {ALICE, GET, {ID_ALLOW_S3}, RES_ACCOUNT, BND_KMS, {NULL}, 0, 0, 0, POLICY_NO_BOUNDARY, PB,
     NULL, -1},
    {ALICE, GET, {NULL}, RES_STAR, BND_KMS, {NULL}, 0, 0, 1, POLICY_ALLOWED, RBP, NULL, 0},
    /* session policies */
    {SESSION, GET, {ID_ALLOW_S3}, NULL, NULL, {SES_GET}, 0, 0, 1, POLICY_ALLOWED, NAMES0, NULL, 0},
    {SESSION, GET, {ID_ALLOW_S3}, NULL, NULL, {SES_KMS}, 0, 0, 0, POLICY_NO_SESSION, SP,
     "because no session policy allows the s3:GetObject action", -1},
    {SESSION, GET, {ID_ALLOW_S3}, NULL, NULL, {SES_KMS, SES_GET}, 0, 0, 1, POLICY_ALLOWED, NAMES0,
     NULL, 0},
    {SESSION, GET, {ID_ALLOW_S3}, NULL, NULL, {SES_GET, SES_DENY}, 0, 0, 0, POLICY_DENY_SESSION,
     SP, "with an explicit deny in a session policy", 1},
    {SESSION, GET, {NULL}, NULL, NULL, {SES_GET}, 0, 0, 0, POLICY_NO_IDENTITY, NULL, NULL, -1},
    {SESSION, GET, {ID_ALLOW_S3}, NULL, BND_KMS, {SES_KMS}, 0, 0, 0, POLICY_NO_BOUNDARY, PB, NULL,
     -1},
    {SESSION, GET, {ID_ALLOW_S3}, NULL, BND_S3, {SES_KMS}, 0, 0, 0, POLICY_NO_SESSION, SP, NULL,
     -1},
    {SESSION, GET, {ID_ALLOW_S3}, NULL, BND_S3, {SES_GET}, 0, 0, 1, POLICY_ALLOWED, NAMES0, NULL,
     0},
    /* a resource policy naming the session skips the limits; naming the role does not */
    {SESSION, GET, {NULL}, RES_SESSION, BND_KMS, {SES_KMS}, 0, 0, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {SESSION, GET, {NULL}, RES_ROLE, NULL, {SES_KMS}, 0, 0, 0, POLICY_NO_SESSION, SP, NULL, -1},
    {SESSION, GET, {NULL}, RES_ROLE, NULL, {SES_GET}, 0, 0, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {SESSION, GET, {NULL}, RES_ROLE, BND_KMS, {NULL}, 0, 0, 0, POLICY_NO_BOUNDARY, PB, NULL, -1},
    {SESSION, GET, {NULL}, RES_ROLE, NULL, {NULL}, 0, 0, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {SESSION, GET, {NULL}, RES_ACCOUNT, NULL, {NULL}, 0, 0, 0, POLICY_NO_IDENTITY, NULL, NULL, -1},
    {SESSION, GET, {ID_ALLOW_GET}, RES_ROLE, NULL, {SES_GET}, 0, 0, 1, POLICY_ALLOWED, NAMES0,
     NULL, 0},
    /* the root user */
    {ROOT, GET, {NULL}, NULL, NULL, {NULL}, 1, 0, 1, POLICY_ALLOWED, NULL, NULL, -1},
    {ROOT, GET, {ID_DENY_GET}, NULL, NULL, {NULL}, 1, 0, 0, POLICY_DENY_IDENTITY, NAMES0, NULL, 1},
    {ROOT, GET, {NULL}, RES_DENY, NULL, {NULL}, 1, 0, 0, POLICY_DENY_RESOURCE, RBP, NULL, 1},
    {ROOT, GET, {NULL}, RES_ACCOUNT, NULL, {NULL}, 1, 0, 1, POLICY_ALLOWED, NULL, NULL, -1},
    /* KMS: the key policy must allow */
    {ALICE, ENC, {ID_ALLOW_KMS}, KEY_ACCOUNT, NULL, {NULL}, 0, 1, 1, POLICY_ALLOWED, NAMES0, NULL,
     0},
    {ALICE, ENC, {NULL}, KEY_ACCOUNT, NULL, {NULL}, 0, 1, 0, POLICY_NO_IDENTITY, NULL,
     "because no identity-based policy allows the kms:Encrypt action", -1},
    {ALICE, ENC, {ID_ALLOW_KMS}, KEY_OTHER, NULL, {NULL}, 0, 1, 0, POLICY_NO_RESOURCE, RBP,
     "because no resource-based policy allows the kms:Encrypt action", -1},
    {ALICE, ENC, {ID_ALLOW_KMS}, NULL, NULL, {NULL}, 0, 1, 0, POLICY_NO_RESOURCE, RBP, NULL, -1},
    {ALICE, ENC, {NULL}, KEY_OTHER, NULL, {NULL}, 0, 1, 0, POLICY_NO_RESOURCE, RBP, NULL, -1},
    {ALICE, ENC, {NULL}, KEY_ALICE, NULL, {NULL}, 0, 1, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {ALICE, "kms:Decrypt", {NULL}, KEY_ALICE, NULL, {NULL}, 0, 1, 0, POLICY_NO_RESOURCE, RBP, NULL,
     -1},
    {ALICE, ENC, {NULL}, KEY_ALICE, BND_S3, {NULL}, 0, 1, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {SESSION, ENC, {NULL}, KEY_ROLE, NULL, {NULL}, 0, 1, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {SESSION, ENC, {NULL}, KEY_ROLE, NULL, {SES_GET}, 0, 1, 0, POLICY_NO_SESSION, SP, NULL, -1},
    {SESSION, ENC, {NULL}, KEY_ROLE, NULL, {SES_KMS}, 0, 1, 1, POLICY_ALLOWED, RBP, NULL, 0},
    {SESSION, ENC, {ID_ALLOW_KMS}, KEY_ACCOUNT, NULL, {SES_GET}, 0, 1, 0, POLICY_NO_SESSION, SP,
     NULL, -1},
    {ROOT, ENC, {NULL}, KEY_ACCOUNT, NULL, {NULL}, 1, 1, 1, POLICY_ALLOWED, NULL, NULL, -1},
    {ROOT, ENC, {NULL}, NULL, NULL, {NULL}, 1, 1, 0, POLICY_NO_RESOURCE, RBP, NULL, -1},
    {ROOT, ENC, {NULL}, KEY_OTHER, NULL, {NULL}, 1, 1, 0, POLICY_NO_RESOURCE, RBP, NULL, -1},
    {ALICE, ENC, {ID_ALLOW_KMS}, KEY_DENY, NULL, {NULL}, 0, 1, 0, POLICY_DENY_RESOURCE, RBP, NULL,
     1},
    {ALICE, ENC, {ID_ALLOW_KMS}, KEY_ACCOUNT, BND_S3, {NULL}, 0, 1, 0, POLICY_NO_BOUNDARY, PB,
     NULL, -1},
    {ALICE, ENC, {ID_ALLOW_KMS}, KEY_ACCOUNT, BND_KMS, {NULL}, 0, 1, 1, POLICY_ALLOWED, NAMES0,
     NULL, 0},
};

static void test_decide(void)
{
    static const char *const names[] = {NAMES0, NAMES1, "id2"};
    size_t i, k;

    for (i = 0; i < sizeof decides / sizeof decides[0]; i++) {
        char err[256], text[160];
        const policy_t *id[3] = {NULL}, *ses[2] = {NULL};
        policy_t *res = NULL, *bnd = NULL;
        policy_set_t s;
        policy_request_t q;
        policy_decision_t d;
        int got, ok = 1;

        memset(&s, 0, sizeof s);
        for (k = 0; k < 3 && decides[i].id[k]; k++) {
            id[k] = parse(decides[i].id[k], POLICY_IDENTITY, err, sizeof err);
            ok &= id[k] != NULL;
        }
        s.identity = id;
        s.identity_names = names;
        s.nidentity = k;
        for (k = 0; k < 2 && decides[i].ses[k]; k++) {
            ses[k] = parse(decides[i].ses[k], POLICY_IDENTITY, err, sizeof err);
            ok &= ses[k] != NULL;
        }
        s.session = ses;
        s.nsession = k;
        if (decides[i].res) {
            res = parse(decides[i].res, POLICY_RESOURCE, err, sizeof err);
            ok &= res != NULL;
        }
        if (decides[i].bnd) {
            bnd = parse(decides[i].bnd, POLICY_IDENTITY, err, sizeof err);
            ok &= bnd != NULL;
        }
        s.resource = res;
        s.boundary = bnd;
        s.is_root = decides[i].is_root;
        s.resource_required = decides[i].required;
        CHECK(ok);

        make_req(&q, decides[i].who, decides[i].action,
                 strncmp(decides[i].action, "kms:", 4) == 0
                     ? "arn:aws:kms:us-east-1:" ACCT ":key/k1"
                     : BKEY,
                 NULL);
        memset(&d, 0x5a, sizeof d);
        got = policy_decide(&s, &q, &d);
        if (got != decides[i].want || d.reason != decides[i].reason)
            fprintf(stderr, "decide %zu: got %d reason %d, want %d reason %d\n", i, got,
                    (int)d.reason, decides[i].want, (int)decides[i].reason);
        CHECK(got == decides[i].want);
        CHECK(d.reason == decides[i].reason);
        if (decides[i].name)
            CHECK_STR(d.policy_name, decides[i].name);
        else
            CHECK(d.policy_name == NULL);
        CHECK(d.match.statement == decides[i].stmt);
        CHECK(d.match.effect ==
              (got ? POLICY_ALLOW : decides[i].reason <= POLICY_DENY_SESSION ? POLICY_DENY
                                                                             : POLICY_NONE));
        policy_reason_text(&d, decides[i].action, text, sizeof text);
        if (decides[i].text)
            CHECK_STR(text, decides[i].text);
        CHECK(policy_decide(&s, &q, NULL) == got);

        for (k = 0; k < 3; k++)
            policy_free((policy_t *)id[k]);
        for (k = 0; k < 2; k++)
            policy_free((policy_t *)ses[k]);
        policy_free(res);
        policy_free(bnd);
    }
}

/* KMS grants: an allow outside any policy document that counts as the key
 * policy would with the same principal match, and never beats a deny. */
enum grant { G_NONE, G_ACCOUNT, G_ROLE, G_CALLER };

static const struct {
    enum who who;
    const char *id, *res, *bnd, *ses;
    int is_root;
    enum grant grant;
    int want;
    enum policy_reason reason;
    const char *name;
} grant_decides[] = {
    /* the key policy delegates, the caller has no IAM policy: a grant naming it allows */
    {ALICE, NULL, KEY_ACCOUNT, NULL, NULL, 0, G_NONE, 0, POLICY_NO_IDENTITY, NULL},
    {ALICE, NULL, KEY_ACCOUNT, NULL, NULL, 0, G_CALLER, 1, POLICY_ALLOWED, "grant"},
    /* the key policy allows nothing: a grant stands in for it */
    {ALICE, NULL, KEY_OTHER, NULL, NULL, 0, G_CALLER, 1, POLICY_ALLOWED, "grant"},
    {ALICE, NULL, NULL, NULL, NULL, 0, G_CALLER, 1, POLICY_ALLOWED, "grant"},
    /* a grant to the account: the identity side must allow */
    {ALICE, NULL, KEY_OTHER, NULL, NULL, 0, G_ACCOUNT, 0, POLICY_NO_IDENTITY, NULL},
    {ALICE, ID_ALLOW_KMS, KEY_OTHER, NULL, NULL, 0, G_NONE, 0, POLICY_NO_RESOURCE, RBP},
    {ALICE, ID_ALLOW_KMS, KEY_OTHER, NULL, NULL, 0, G_ACCOUNT, 1, POLICY_ALLOWED, NAMES0},
    {ROOT, NULL, KEY_OTHER, NULL, NULL, 1, G_ACCOUNT, 1, POLICY_ALLOWED, NULL},
    {ALICE, ID_ALLOW_KMS, KEY_OTHER, BND_S3, NULL, 0, G_ACCOUNT, 0, POLICY_NO_BOUNDARY, PB},
    /* a grant naming the caller skips the boundary, as a key policy naming it does */
    {ALICE, NULL, KEY_OTHER, BND_S3, NULL, 0, G_CALLER, 1, POLICY_ALLOWED, "grant"},
    /* a grant naming the session's role: limited by session policies and boundary */
    {SESSION, NULL, KEY_OTHER, NULL, NULL, 0, G_ROLE, 1, POLICY_ALLOWED, "grant"},
    {SESSION, NULL, KEY_OTHER, NULL, SES_GET, 0, G_ROLE, 0, POLICY_NO_SESSION, SP},
    {SESSION, NULL, KEY_OTHER, NULL, SES_KMS, 0, G_ROLE, 1, POLICY_ALLOWED, "grant"},
    {SESSION, NULL, KEY_OTHER, BND_S3, NULL, 0, G_ROLE, 0, POLICY_NO_BOUNDARY, PB},
    {SESSION, NULL, KEY_OTHER, BND_S3, SES_GET, 0, G_CALLER, 1, POLICY_ALLOWED, "grant"},
    /* explicit denies beat every grant */
    {ALICE, ID_DENY_GET, NULL, NULL, NULL, 0, G_CALLER, 1, POLICY_ALLOWED, "grant"},
    {ALICE, V12("{'Effect':'Deny','Action':'kms:Encrypt','Resource':'*'}"), KEY_ACCOUNT, NULL,
     NULL, 0, G_CALLER, 0, POLICY_DENY_IDENTITY, NAMES0},
    {ALICE, ID_ALLOW_KMS, KEY_DENY, NULL, NULL, 0, G_CALLER, 0, POLICY_DENY_RESOURCE, RBP},
    {ALICE, NULL, KEY_ACCOUNT, V12("{'Effect':'Deny','Action':'kms:*','Resource':'*'}"), NULL, 0,
     G_CALLER, 0, POLICY_DENY_BOUNDARY, PB},
    {SESSION, NULL, KEY_ACCOUNT, NULL, V12("{'Effect':'Deny','Action':'kms:*','Resource':'*'}"),
     0, G_CALLER, 0, POLICY_DENY_SESSION, SP},
    /* an allow of the key policy or IAM still names its statement */
    {ALICE, NULL, KEY_ALICE, NULL, NULL, 0, G_CALLER, 1, POLICY_ALLOWED, RBP},
    {ALICE, ID_ALLOW_KMS, KEY_ACCOUNT, NULL, NULL, 0, G_ACCOUNT, 1, POLICY_ALLOWED, NAMES0},
};

static void test_decide_grants(void)
{
    static const char *const names[] = {NAMES0};
    size_t i;

    for (i = 0; i < sizeof grant_decides / sizeof grant_decides[0]; i++) {
        char err[256], text[160];
        const policy_t *id[1] = {NULL}, *ses[1] = {NULL};
        policy_t *res = NULL, *bnd = NULL;
        policy_set_t s;
        policy_request_t q;
        policy_decision_t d;
        int got;

        memset(&s, 0, sizeof s);
        if (grant_decides[i].id)
            id[0] = parse(grant_decides[i].id, POLICY_IDENTITY, err, sizeof err);
        if (grant_decides[i].ses)
            ses[0] = parse(grant_decides[i].ses, POLICY_IDENTITY, err, sizeof err);
        if (grant_decides[i].res)
            res = parse(grant_decides[i].res, POLICY_RESOURCE, err, sizeof err);
        if (grant_decides[i].bnd)
            bnd = parse(grant_decides[i].bnd, POLICY_IDENTITY, err, sizeof err);
        CHECK((id[0] != NULL) == (grant_decides[i].id != NULL));
        CHECK((ses[0] != NULL) == (grant_decides[i].ses != NULL));
        CHECK((res != NULL) == (grant_decides[i].res != NULL));
        CHECK((bnd != NULL) == (grant_decides[i].bnd != NULL));
        s.identity = id;
        s.identity_names = names;
        s.nidentity = id[0] ? 1 : 0;
        s.session = ses;
        s.nsession = ses[0] ? 1 : 0;
        s.resource = res;
        s.boundary = bnd;
        s.is_root = grant_decides[i].is_root;
        s.resource_required = 1;
        s.grant = grant_decides[i].grant == G_NONE      ? POLICY_PRINCIPAL_NONE
                  : grant_decides[i].grant == G_ACCOUNT ? POLICY_PRINCIPAL_ACCOUNT
                                                        : POLICY_PRINCIPAL_DIRECT;
        s.grant_via_role = grant_decides[i].grant == G_ROLE;
        make_req(&q, grant_decides[i].who, ENC, "arn:aws:kms:us-east-1:" ACCT ":key/k1", NULL);
        memset(&d, 0x5a, sizeof d);
        got = policy_decide(&s, &q, &d);
        if (got != grant_decides[i].want || d.reason != grant_decides[i].reason)
            fprintf(stderr, "grant decide %zu: got %d reason %d, want %d reason %d\n", i, got,
                    (int)d.reason, grant_decides[i].want, (int)grant_decides[i].reason);
        CHECK(got == grant_decides[i].want);
        CHECK(d.reason == grant_decides[i].reason);
        if (grant_decides[i].name)
            CHECK_STR(d.policy_name, grant_decides[i].name);
        else
            CHECK(d.policy_name == NULL);
        CHECK(d.match.effect ==
              (got ? POLICY_ALLOW
                   : grant_decides[i].reason <= POLICY_DENY_SESSION ? POLICY_DENY : POLICY_NONE));
        if (got && grant_decides[i].name && !strcmp(grant_decides[i].name, "grant")) {
            CHECK(d.match.statement == -1);
            CHECK_STR(policy_reason_text(&d, ENC, text, sizeof text),
                      "because a grant allows the kms:Encrypt action");
        }
        CHECK(policy_decide(&s, &q, NULL) == got);
        policy_free((policy_t *)id[0]);
        policy_free((policy_t *)ses[0]);
        policy_free(res);
        policy_free(bnd);
    }
}

/* No names, NULL slots, an empty set. */
static void test_decide_edges(void)
{
    char err[256];
    policy_t *allow = parse(ID_ALLOW_S3, POLICY_IDENTITY, err, sizeof err);
    policy_t *deny = parse(ID_DENY_GET, POLICY_IDENTITY, err, sizeof err);
    const policy_t *id[3] = {NULL, allow, deny};
    policy_set_t s;
    policy_request_t q;
    policy_decision_t d;

    memset(&s, 0, sizeof s);
    make_req(&q, ALICE, GET, BKEY, NULL);
    CHECK(policy_decide(&s, &q, &d) == 0);
    CHECK(d.reason == POLICY_NO_IDENTITY && d.policy_name == NULL && d.match.statement == -1);
    s.identity = id;
    s.nidentity = 2;
    CHECK(policy_decide(&s, &q, &d) == 1);
    CHECK(d.reason == POLICY_ALLOWED && d.policy_name == NULL && d.match.statement == 0);
    s.nidentity = 3;
    CHECK(policy_decide(&s, &q, &d) == 0);
    CHECK(d.reason == POLICY_DENY_IDENTITY && d.policy_name == NULL);
    CHECK_STR(d.match.sid, "DenyGet");
    s.session = id;
    s.nsession = 1; /* a NULL session policy allows nothing */
    s.nidentity = 2;
    CHECK(policy_decide(&s, &q, &d) == 0);
    CHECK(d.reason == POLICY_NO_SESSION);
    CHECK(policy_decide(&s, &q, NULL) == 0);
    policy_free(allow);
    policy_free(deny);
}

/* Each reason's phrase, and truncation. */
static void test_reason_text(void)
{
    static const struct {
        enum policy_reason r;
        const char *text;
    } texts[] = {
        {POLICY_DENY_IDENTITY, "with an explicit deny in an identity-based policy"},
        {POLICY_DENY_RESOURCE, "with an explicit deny in a resource-based policy"},
        {POLICY_DENY_BOUNDARY, "with an explicit deny in a permissions boundary"},
        {POLICY_DENY_SESSION, "with an explicit deny in a session policy"},
        {POLICY_NO_IDENTITY, "because no identity-based policy allows the kms:Encrypt action"},
        {POLICY_NO_RESOURCE, "because no resource-based policy allows the kms:Encrypt action"},
        {POLICY_NO_BOUNDARY, "because no permissions boundary allows the kms:Encrypt action"},
        {POLICY_NO_SESSION, "because no session policy allows the kms:Encrypt action"},
    };
    policy_decision_t d;
    char out[128], small[16];
    size_t i;

    memset(&d, 0, sizeof d);
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        d.reason = texts[i].r;
        CHECK(policy_reason_text(&d, "kms:Encrypt", out, sizeof out) == out);
        CHECK_STR(out, texts[i].text);
    }
    d.reason = POLICY_NO_IDENTITY;
    policy_reason_text(&d, "kms:Encrypt", small, sizeof small);
    CHECK_STR(small, "because no iden");
    d.reason = POLICY_ALLOWED;
    d.policy_name = NULL;
    CHECK_STR(policy_reason_text(&d, "s3:GetObject", out, sizeof out),
              "because an identity-based policy allows the s3:GetObject action");
}

/* One policy evaluated under many requests: the result must not depend on
 * earlier evaluations (no hidden state), and identical requests agree. */
static void test_repeatable(void)
{
    char err[256];
    policy_request_t q;
    policy_t *p = parse(C("'StringLike':{'s3:prefix':'home/${aws:username}/*'},"
                          "'IpAddress':{'aws:SourceIp':'10.0.0.0/8'}"),
                        POLICY_IDENTITY, err, sizeof err);
    int i;

    CHECK(p != NULL);
    if (p == NULL)
        return;
    for (i = 0; i < 50; i++) {
        make_req(&q, ALICE, GET, BKEY,
                 i % 2 ? "aws:username=alice;s3:prefix=home/alice/x;aws:SourceIp=10.1.1.1"
                       : "aws:username=bob;s3:prefix=home/alice/x;aws:SourceIp=10.1.1.1");
        CHECK(policy_eval(p, &q, NULL) == (i % 2 ? POLICY_ALLOW : POLICY_NONE));
    }
    policy_free(p);
}

/* ---- the anonymous caller, S3's extra allow and restricted policies ------ */

static void test_decide_anonymous(void)
{
    char err[256];
    policy_t *star = parse(RES_STAR, POLICY_RESOURCE, err, sizeof err);
    policy_t *alice = parse(RES_ALICE, POLICY_RESOURCE, err, sizeof err);
    policy_t *denies = parse(RES_DENY, POLICY_RESOURCE, err, sizeof err);
    policy_t *notp = parse(V12("{'Effect':'Allow','NotPrincipal':{'AWS':'" ALICE_ARN "'},"
                               "'Action':'s3:*','Resource':'*'}"),
                           POLICY_RESOURCE, err, sizeof err);
    policy_t *fed = parse(V12(RP("{'Federated':'anonymous'}", "'s3:*'")), POLICY_RESOURCE, err,
                          sizeof err);
    const policy_t *id[1];
    policy_set_t s;
    policy_request_t q;
    policy_decision_t d;
    char text[160];

    CHECK(star && alice && denies && notp && fed);
    memset(&s, 0, sizeof s);
    s.no_identity = 1;
    make_req(&q, ANON, GET, BKEY, NULL);
    /* nothing applies: the reason names the resource policy */
    CHECK(policy_decide(&s, &q, &d) == 0);
    CHECK(d.reason == POLICY_NO_RESOURCE && d.match.statement == -1);
    CHECK_STR(policy_reason_text(&d, GET, text, sizeof text),
              "because no resource-based policy allows the s3:GetObject action");
    /* only "*" (and NotPrincipal) reach the anonymous caller */
    s.resource = star;
    CHECK(policy_decide(&s, &q, &d) == 1);
    CHECK_STR(d.policy_name, "resource-based policy");
    s.resource = notp;
    CHECK(policy_decide(&s, &q, &d) == 1);
    s.resource = alice;
    CHECK(policy_decide(&s, &q, &d) == 0 && d.reason == POLICY_NO_RESOURCE);
    s.resource = fed; /* a principal value that happens to read "anonymous" */
    CHECK(policy_decide(&s, &q, &d) == 0);
    /* resource_allow_off: the allows go, the denies stay */
    s.resource = star;
    s.resource_allow_off = 1;
    CHECK(policy_decide(&s, &q, &d) == 0 && d.reason == POLICY_NO_RESOURCE);
    s.resource = denies;
    CHECK(policy_decide(&s, &q, &d) == 0 && d.reason == POLICY_DENY_RESOURCE);
    CHECK_STR(d.match.sid, "NoGet");
    /* other_allow (an ACL) allows unless a policy denies */
    s.resource_allow_off = 0;
    s.resource = NULL;
    s.other_allow = "object ACL";
    CHECK(policy_decide(&s, &q, &d) == 1);
    CHECK_STR(d.policy_name, "object ACL");
    CHECK(d.match.statement == -1 && d.match.effect == POLICY_ALLOW);
    CHECK(policy_decide(&s, &q, NULL) == 1);
    s.resource = denies;
    CHECK(policy_decide(&s, &q, &d) == 0 && d.reason == POLICY_DENY_RESOURCE);
    make_req(&q, ANON, "s3:PutObject", BKEY, NULL); /* RES_DENY allows s3:* to "*" */
    CHECK(policy_decide(&s, &q, &d) == 1);
    CHECK_STR(d.policy_name, "resource-based policy");
    /* an identity deny still beats other_allow (for callers that have one) */
    id[0] = parse(ID_DENY_GET, POLICY_IDENTITY, err, sizeof err);
    s.identity = id;
    s.nidentity = 1;
    s.no_identity = 0;
    s.resource = NULL;
    make_req(&q, ALICE, GET, BKEY, NULL);
    CHECK(policy_decide(&s, &q, &d) == 0 && d.reason == POLICY_DENY_IDENTITY);
    policy_free((policy_t *)id[0]);
    policy_free(star);
    policy_free(alice);
    policy_free(denies);
    policy_free(notp);
    policy_free(fed);
}

/* ---- keys asked of the resolver ------------------------------------------- */

static int resolver_calls;
static const char *const tag_public[] = {"public"};
static const policy_ctx_t resolved = {"s3:ExistingObjectTag/class", tag_public, 1, NULL, 0};

static const policy_ctx_t *resolver(void *arg, const char *key)
{
    resolver_calls++;
    CHECK(arg == &resolver_calls);
    return strcasecmp(key, "s3:ExistingObjectTag/class") == 0 ? &resolved : NULL;
}

static void test_resolve(void)
{
    static const struct {
        const char *cond, *ctx;
        enum policy_effect want;
        int asks; /* the resolver is asked */
    } cases[] = {
        {"'StringEquals':{'s3:ExistingObjectTag/class':'public'}", NULL, POLICY_ALLOW, 1},
        {"'StringEquals':{'S3:EXISTINGOBJECTTAG/CLASS':'public'}", NULL, POLICY_ALLOW, 1},
        {"'StringEquals':{'s3:ExistingObjectTag/class':'secret'}", NULL, POLICY_NONE, 1},
        {"'StringEquals':{'s3:ExistingObjectTag/other':'public'}", NULL, POLICY_NONE, 1},
        {"'Null':{'s3:ExistingObjectTag/other':'true'}", NULL, POLICY_ALLOW, 1},
        {"'StringNotEqualsIfExists':{'s3:ExistingObjectTag/other':'x'}", NULL, POLICY_ALLOW, 1},
        /* the request's own keys come first: the resolver is not asked */
        {"'StringEquals':{'s3:ExistingObjectTag/class':'ctx'}",
         "s3:ExistingObjectTag/class=ctx", POLICY_ALLOW, 0},
        {"'StringEquals':{'aws:username':'alice'}", "aws:username=alice", POLICY_ALLOW, 0},
        /* a variable is resolved too */
        {"'StringEquals':{'aws:username':'${s3:ExistingObjectTag/class}'}", "aws:username=public",
         POLICY_ALLOW, 1},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256], doc[512];
        policy_t *p;
        policy_request_t q;
        snprintf(doc, sizeof doc, C("%s"), cases[i].cond);
        p = parse(doc, POLICY_IDENTITY, err, sizeof err);
        CHECK(p != NULL);
        if (p == NULL)
            continue;
        make_req(&q, ALICE, GET, BKEY, cases[i].ctx);
        q.resolve = resolver;
        q.resolve_arg = &resolver_calls;
        resolver_calls = 0;
        if (policy_eval(p, &q, NULL) != cases[i].want)
            fprintf(stderr, "resolve %zu: wrong effect\n", i);
        CHECK(policy_eval(p, &q, NULL) == cases[i].want);
        CHECK((resolver_calls > 0) == cases[i].asks);
        /* without a resolver the key is absent */
        q.resolve = NULL;
        if (cases[i].asks && cases[i].want == POLICY_ALLOW && !strstr(cases[i].cond, "Null") &&
            !strstr(cases[i].cond, "IfExists"))
            CHECK(policy_eval(p, &q, NULL) == POLICY_NONE);
        policy_free(p);
    }
}

/* ---- public policies (S3 Block Public Access) ----------------------------- */

#define PUB(pr, cond) V12("{'Effect':'Allow','Principal':" pr ",'Action':'s3:GetObject',"    \
                          "'Resource':'*'" cond "}")
#define COND(c) ",'Condition':{" c "}"

static void test_public(void)
{
    static const struct {
        const char *doc;
        int want;
    } cases[] = {
        {PUB("'*'", ""), 1},
        {PUB("{'AWS':'*'}", ""), 1},
        {PUB("{'AWS':['" ALICE_ARN "','*']}", ""), 1},
        {PUB("{'AWS':'" ALICE_ARN "'}", ""), 0},
        {PUB("{'AWS':'" ACCT "'}", ""), 0},
        {PUB("{'Service':'cloudfront.amazonaws.com'}", ""), 0},
        {V12("{'Effect':'Allow','NotPrincipal':{'AWS':'" ALICE_ARN "'},'Action':'s3:*',"
             "'Resource':'*'}"), 1},
        {V12("{'Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'*'}"), 0},
        /* source ranges: /8 or narrower (IPv4), /32 or narrower (IPv6) */
        {PUB("'*'", COND("'IpAddress':{'aws:SourceIp':'127.0.0.1/32'}")), 0},
        {PUB("'*'", COND("'IpAddress':{'aws:SourceIp':'203.0.113.7'}")), 0},
        {PUB("'*'", COND("'IpAddress':{'aws:SourceIp':'10.0.0.0/8'}")), 0},
        {PUB("'*'", COND("'IpAddress':{'aws:SourceIp':'10.0.0.0/7'}")), 1},
        {PUB("'*'", COND("'IpAddress':{'aws:SourceIp':['10.0.0.0/8','0.0.0.0/0']}")), 1},
        {PUB("'*'", COND("'IpAddress':{'aws:SourceIp':'2001:db8::/32'}")), 0},
        {PUB("'*'", COND("'IpAddress':{'aws:SourceIp':'2001:db8::/31'}")), 1},
        {PUB("'*'", COND("'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}")), 1},
        {PUB("'*'", COND("'IpAddressIfExists':{'aws:SourceIp':'10.0.0.0/8'}")), 1},
        {PUB("'*'", COND("'IpAddress':{'aws:sourceip':'10.0.0.0/8'}")), 0},
        /* fixed values of the keys that confine a request */
        {PUB("'*'", COND("'StringEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}")), 0},
        {PUB("'*'", COND("'StringEquals':{'aws:SourceVpce':'vpce-1a2b3c4d'}")), 0},
        {PUB("'*'", COND("'StringEquals':{'aws:SourceAccount':'" ACCT "'}")), 0},
        {PUB("'*'", COND("'ArnEquals':{'aws:SourceArn':'arn:aws:cloudfront::" ACCT
                         ":distribution/E1'}")), 0},
        {PUB("'*'", COND("'ArnLike':{'aws:SourceArn':'arn:aws:cloudfront::" ACCT ":*'}")), 1},
        {PUB("'*'", COND("'StringEquals':{'aws:PrincipalOrgID':'o-abc'}")), 0},
        {PUB("'*'", COND("'StringLike':{'aws:SourceVpc':'vpc-*'}")), 1},
        {PUB("'*'", COND("'StringEquals':{'aws:SourceVpc':'vpc-*'}")), 1},
        {PUB("'*'", COND("'StringLike':{'aws:SourceVpc':'vpc-?'}")), 1},
        {PUB("'*'", COND("'StringEquals':{'aws:userid':'${aws:username}'}")), 1},
        {PUB("'*'", COND("'StringNotEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}")), 1},
        {PUB("'*'", COND("'StringEqualsIfExists':{'aws:SourceVpc':'vpc-1a2b3c4d'}")), 1},
        {PUB("'*'", COND("'ForAnyValue:StringEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}")), 1},
        {PUB("'*'", COND("'StringEquals':{'s3:x-amz-server-side-encryption-aws-kms-key-id':"
                         "'arn:aws:kms:us-east-1:" ACCT ":key/k'}")), 0},
        /* keys that confine nothing */
        {PUB("'*'", COND("'StringEquals':{'s3:prefix':'home/'}")), 1},
        {PUB("'*'", COND("'Bool':{'aws:SecureTransport':'true'}")), 1},
        /* one public statement makes the policy public */
        {V12("{'Effect':'Allow','Principal':{'AWS':'" ALICE_ARN "'},'Action':'s3:*',"
             "'Resource':'*'},{'Effect':'Allow','Principal':'*','Action':'s3:GetObject',"
             "'Resource':'*'}"), 1},
    };
    size_t i;
    char err[256];
    policy_t *id;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        policy_t *p = parse(cases[i].doc, POLICY_RESOURCE, err, sizeof err);
        CHECK(p != NULL);
        if (p == NULL) {
            fprintf(stderr, "public %zu: %s\n", i, err);
            continue;
        }
        if (policy_public(p) != cases[i].want)
            fprintf(stderr, "public %zu: got %d\n", i, policy_public(p));
        CHECK(policy_public(p) == cases[i].want);
        policy_free(p);
    }
    CHECK(policy_public(NULL) == 0);
    id = parse(ID_ALLOW_S3, POLICY_IDENTITY, err, sizeof err);
    CHECK(id && policy_public(id) == 0);
    policy_free(id);
}

/* ---- values and keys holding U+0000: compared by length -------------------- */

/* One condition over the request key k (kn bytes) with the values v (each
 * vl bytes), as a KMS encryption context or its key list is offered. */
#define C1(op, key, val)                                                                       \
    V12("{'Effect':'Allow','Action':'kms:Decrypt','Resource':'*','Condition':{'" op           \
        "':{'" key "':" val "}}}")

static const struct {
    const char *doc;
    const char *key;
    size_t keylen;
    const char *vals[3];
    size_t lens[3];
    size_t nvals;
    int want;
} nul_cases[] = {
    /* StringEquals: "alice\0bob" is not "alice"; nor is the key "owner\0x" "owner" */
    {C1("StringEquals", "kms:EncryptionContext:owner", "'alice'"), "kms:EncryptionContext:owner",
     27, {"alice"}, {5}, 1, 1},
    {C1("StringEquals", "kms:EncryptionContext:owner", "'alice'"), "kms:EncryptionContext:owner",
     27, {"alice\0bob"}, {9}, 1, 0},
    {C1("StringEquals", "kms:EncryptionContext:owner", "'alice'"), "kms:EncryptionContext:owner",
     27, {"alice\0"}, {6}, 1, 0},
    {C1("StringEquals", "kms:EncryptionContext:owner", "'alice'"),
     "kms:EncryptionContext:owner\0x", 29, {"alice"}, {5}, 1, 0},
    /* ... in every string operator */
    {C1("StringEqualsIgnoreCase", "kms:EncryptionContext:owner", "'ALICE'"),
     "kms:EncryptionContext:owner", 27, {"Alice"}, {5}, 1, 1},
    {C1("StringEqualsIgnoreCase", "kms:EncryptionContext:owner", "'ALICE'"),
     "kms:EncryptionContext:owner", 27, {"Alice\0"}, {6}, 1, 0},
    {C1("StringNotEquals", "kms:EncryptionContext:owner", "'mallory'"),
     "kms:EncryptionContext:owner", 27, {"mallory\0x"}, {9}, 1, 1},
    {C1("StringNotEquals", "kms:EncryptionContext:owner", "'mallory'"),
     "kms:EncryptionContext:owner", 27, {"mallory"}, {7}, 1, 0},
    {C1("StringNotEqualsIgnoreCase", "kms:EncryptionContext:owner", "'MALLORY'"),
     "kms:EncryptionContext:owner", 27, {"mallory\0"}, {8}, 1, 1},
    {C1("StringLike", "kms:EncryptionContext:owner", "'ali?e'"), "kms:EncryptionContext:owner",
     27, {"alice\0"}, {6}, 1, 0},
    {C1("StringLike", "kms:EncryptionContext:owner", "'ali?e'"), "kms:EncryptionContext:owner",
     27, {"ali\0e"}, {5}, 1, 1}, /* U+0000 is one character */
    {C1("StringLike", "kms:EncryptionContext:owner", "'alice'"), "kms:EncryptionContext:owner",
     27, {"alice\0bob"}, {9}, 1, 0},
    {C1("StringLike", "kms:EncryptionContext:owner", "'alice*'"), "kms:EncryptionContext:owner",
     27, {"alice\0bob"}, {9}, 1, 1},
    {C1("StringNotLike", "kms:EncryptionContext:owner", "'alice'"), "kms:EncryptionContext:owner",
     27, {"alice\0bob"}, {9}, 1, 1},
    {C1("ArnEquals", "aws:SourceArn", "'arn:aws:s3:::b'"), "aws:SourceArn", 13,
     {"arn:aws:s3:::b\0x"}, {16}, 1, 0},
    {C1("ArnLike", "aws:SourceArn", "'arn:aws:s3:::b'"), "aws:SourceArn", 13,
     {"arn:aws:s3:::b"}, {14}, 1, 1},
    {C1("ArnNotLike", "aws:SourceArn", "'arn:aws:s3:::b'"), "aws:SourceArn", 13,
     {"arn:aws:s3:::b\0"}, {15}, 1, 1},
    {C1("BinaryEquals", "kms:EncryptionContext:b", "'QUJD'"), "kms:EncryptionContext:b", 23,
     {"QUJD\0"}, {5}, 1, 0},
    /* multivalued keys: each value by its length */
    {C1("ForAnyValue:StringEquals", "kms:EncryptionContextKeys", "['owner']"),
     "kms:EncryptionContextKeys", 25, {"owner\0x"}, {7}, 1, 0},
    {C1("ForAnyValue:StringEquals", "kms:EncryptionContextKeys", "['owner']"),
     "kms:EncryptionContextKeys", 25, {"x", "owner"}, {1, 5}, 2, 1},
    {C1("ForAllValues:StringEquals", "kms:EncryptionContextKeys", "['owner']"),
     "kms:EncryptionContextKeys", 25, {"owner", "owner\0x"}, {5, 7}, 2, 0},
    {C1("ForAllValues:StringLike", "kms:EncryptionContextKeys", "['own*']"),
     "kms:EncryptionContextKeys", 25, {"owner", "own\0"}, {5, 4}, 2, 1},
    /* a value with U+0000 is never a number, date, boolean or address */
    {C1("NumericEquals", "kms:EncryptionContext:n", "'5'"), "kms:EncryptionContext:n", 23,
     {"5\0"}, {2}, 1, 0},
    {C1("NumericEquals", "kms:EncryptionContext:n", "'5'"), "kms:EncryptionContext:n", 23,
     {"5"}, {1}, 1, 1},
    {C1("DateLessThan", "kms:EncryptionContext:d", "'2030-01-01T00:00:00Z'"),
     "kms:EncryptionContext:d", 23, {"2020-01-01T00:00:00Z\0"}, {21}, 1, 0},
    {C1("Bool", "kms:EncryptionContext:b", "'true'"), "kms:EncryptionContext:b", 23,
     {"true\0"}, {5}, 1, 0},
    {C1("IpAddress", "aws:SourceIp", "'10.0.0.0/8'"), "aws:SourceIp", 12, {"10.1.2.3\0"}, {9},
     1, 0},
    /* Null: present is present */
    {C1("Null", "kms:EncryptionContext:owner", "'false'"), "kms:EncryptionContext:owner", 27,
     {"\0"}, {1}, 1, 1},
    /* an empty value is empty, not "unknown length" */
    {C1("StringEquals", "kms:EncryptionContext:owner", "''"), "kms:EncryptionContext:owner", 27,
     {""}, {0}, 1, 1},
    {C1("StringEquals", "kms:EncryptionContext:owner", "''"), "kms:EncryptionContext:owner", 27,
     {"\0"}, {1}, 1, 0},
    {C1("StringEquals", "kms:EncryptionContext:owner", "''"), "kms:EncryptionContext:owner", 27,
     {"x"}, {1}, 1, 0}, /* an empty pattern is not "anything" */
    {C1("StringLike", "kms:EncryptionContext:owner", "''"), "kms:EncryptionContext:owner", 27,
     {"x"}, {1}, 1, 0},
};

static void test_nul_lengths(void)
{
    size_t i;

    for (i = 0; i < sizeof nul_cases / sizeof nul_cases[0]; i++) {
        char err[256];
        policy_ctx_t c;
        policy_request_t q;
        policy_t *p = parse(nul_cases[i].doc, POLICY_IDENTITY, err, sizeof err);
        enum policy_effect got;
        CHECK(p != NULL);
        if (p == NULL) {
            fprintf(stderr, "nul case %zu: parse failed: %s\n", i, err);
            continue;
        }
        memset(&q, 0, sizeof q);
        set_who(&q, ALICE);
        q.action = "kms:Decrypt";
        q.resource = "arn:aws:kms:us-east-1:" ACCT ":key/k";
        c = (policy_ctx_t){nul_cases[i].key, nul_cases[i].vals, nul_cases[i].nvals,
                           nul_cases[i].lens, nul_cases[i].keylen};
        q.ctx = &c;
        q.nctx = 1;
        got = policy_eval(p, &q, NULL);
        if ((got == POLICY_ALLOW) != nul_cases[i].want)
            fprintf(stderr, "nul case %zu: %s: got %s\n", i, nul_cases[i].doc,
                    effect_names[got]);
        CHECK((got == POLICY_ALLOW) == nul_cases[i].want);
        policy_free(p);
    }

    /* a policy variable takes the whole value, U+0000 included */
    {
        static const char *const owner[] = {"a\0b"}, *const same[] = {"a\0b"},
                                 *const cut[] = {"a"};
        static const size_t l3[] = {3}, l1[] = {1};
        char err[256];
        policy_t *p = parse(C1("StringEquals", "kms:EncryptionContext:copy",
                               "'${kms:EncryptionContext:owner}'"),
                            POLICY_IDENTITY, err, sizeof err);
        policy_ctx_t c[2] = {{"kms:EncryptionContext:owner", owner, 1, l3, 0},
                             {"kms:EncryptionContext:copy", same, 1, l3, 0}};
        policy_request_t q;
        CHECK(p != NULL);
        memset(&q, 0, sizeof q);
        set_who(&q, ALICE);
        q.action = "kms:Decrypt";
        q.resource = "*";
        q.ctx = c;
        q.nctx = 2;
        CHECK(p && policy_eval(p, &q, NULL) == POLICY_ALLOW);
        c[1].values = cut;
        c[1].lens = l1;
        CHECK(p && policy_eval(p, &q, NULL) == POLICY_NONE);
        policy_free(p);
    }

    /* documents with U+0000 or ill-formed UTF-8 anywhere are refused: a
     * condition key or value cut at a NUL would change the policy */
    {
        static const char *const bad[] = {
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:username\":\"a\\u0000b\"}}}}",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:username\\u0000x\":\"a\"}}}}",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\\u0000\","
            "\"Resource\":\"*\"}}",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"arn:aws:s3:::b\xff\"}}",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"arn:aws:s3:::b\x01\"}}",
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"arn:aws:s3:::\\u00zz\"}}",
        };
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char err[256] = "";
            policy_t *p = policy_parse(bad[i], strlen(bad[i]), POLICY_IDENTITY, err, sizeof err);
            CHECK(p == NULL);
            CHECK_STR(err, "Syntax errors in policy.");
            policy_free(p);
        }
    }
}

int main(void)
{
    test_glob();
    test_evals();
    test_conditions();
    test_principals();
    test_trust();
    test_match_details();
    test_malformed();
    test_good();
    test_parse_edges();
    test_decide();
    test_decide_edges();
    test_decide_grants();
    test_reason_text();
    test_repeatable();
    test_decide_anonymous();
    test_resolve();
    test_public();
    test_nul_lengths();
    return unit_report("policy");
}
