/* test_policy.c — unit tests for the IAM policy engine's matching: tables
 * of (policy, request, expected effect) for actions, resources, variables,
 * principals and trust policies, and values holding U+0000. Conditions are
 * in test_policy_conditions.c, malformed documents in test_policy_parse.c,
 * policy_decide in test_policy_decide.c.
 *
 * Policies are written with ' for JSON's " (and ` for a literal ') to keep
 * the tables readable; jq() (policy_util.h) turns them into JSON. */
#include "authz/policy.h"
#include "policy_util.h"
#include "unit.h"

#include <stdlib.h>
#include <strings.h>

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
    test_principals();
    test_trust();
    test_match_details();
    test_nul_lengths();
    return unit_report("policy");
}
