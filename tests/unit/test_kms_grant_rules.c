/* test_kms_grant_rules.c — unit tests for what a KMS grant allows: whom a
 * principal ARN names, the operations a grant lists, encryption-context
 * constraints (Equals, Subset; keys case-insensitive, values case-sensitive)
 * and the grants a CreateGrant permission from a grant may create.
 *
 * JSON is written with ' for " to keep the tables readable. */
#include "services/kms/kms_grant_rules.h"
#include "base/jsonlen.h"
#include "unit.h"

#include <stdlib.h>

static cJSON *js(const char *s)
{
    size_t n, i;
    char *j;
    cJSON *v;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    j = malloc(n + 1);
    for (i = 0; i <= n; i++)
        j[i] = s[i] == '\'' ? '"' : s[i];
    v = cJSON_Parse(j);
    /* with string lengths, as a request's tree has them */
    if (v == NULL || jsonlen_record(v, j, n, NULL) != JSONLEN_OK)
        fprintf(stderr, "bad JSON in test: %s\n", s);
    free(j);
    return v;
}

#define ACCT "111122223333"
#define USER "arn:aws:iam::" ACCT ":user/team/alice"
#define ROLE "arn:aws:iam::" ACCT ":role/app/R"
#define SESS "arn:aws:sts::" ACCT ":assumed-role/R/s1"
#define ROOT "arn:aws:iam::" ACCT ":root"

static void test_names(void)
{
    static const struct {
        const char *principal, *caller, *role;
        enum authz_grant want;
    } cases[] = {
        {USER, USER, NULL, AUTHZ_GRANT_CALLER},
        {"arn:aws:iam::" ACCT ":user/alice", USER, NULL, AUTHZ_GRANT_NONE}, /* path matters */
        {"arn:aws:iam::" ACCT ":user/team/Alice", USER, NULL, AUTHZ_GRANT_NONE},
        {ROLE, SESS, ROLE, AUTHZ_GRANT_ROLE},
        {SESS, SESS, ROLE, AUTHZ_GRANT_CALLER},
        {"arn:aws:sts::" ACCT ":assumed-role/R/s2", SESS, ROLE, AUTHZ_GRANT_NONE},
        {ROLE, USER, NULL, AUTHZ_GRANT_NONE},
        {"arn:aws:iam::" ACCT ":role/R", SESS, ROLE, AUTHZ_GRANT_NONE},
        {ROOT, USER, NULL, AUTHZ_GRANT_ACCOUNT},
        {ROOT, SESS, ROLE, AUTHZ_GRANT_ACCOUNT},
        {ROOT, ROOT, NULL, AUTHZ_GRANT_CALLER},
        {ACCT, USER, NULL, AUTHZ_GRANT_ACCOUNT},
        {"arn:aws:iam::444455556666:root", USER, NULL, AUTHZ_GRANT_NONE},
        {"arn:aws:iam::" ACCT ":rootx", USER, NULL, AUTHZ_GRANT_NONE},
        {"arn:aws:iam::" ACCT, USER, NULL, AUTHZ_GRANT_NONE},
        {"444455556666", USER, NULL, AUTHZ_GRANT_NONE},
        {"", USER, NULL, AUTHZ_GRANT_NONE},
        {NULL, USER, NULL, AUTHZ_GRANT_NONE},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum authz_grant got =
            kms_grant_names(cases[i].principal, cases[i].caller, cases[i].role, ACCT);
        if (got != cases[i].want)
            fprintf(stderr, "names %zu: got %d want %d\n", i, (int)got, (int)cases[i].want);
        CHECK(got == cases[i].want);
    }
    CHECK(kms_grant_names(ROOT, USER, NULL, NULL) == AUTHZ_GRANT_NONE);
    CHECK(kms_grant_names(ROOT, USER, NULL, "") == AUTHZ_GRANT_NONE);
}

static void test_operations(void)
{
    cJSON *ops = js("['Decrypt','DescribeKey']"), *bad = js("{'Decrypt':1}");
    cJSON *mixed = js("[1,'Encrypt',null]");

    CHECK(kms_grant_operation("Decrypt"));
    CHECK(kms_grant_operation("DeriveSharedSecret"));
    CHECK(kms_grant_operation("RetireGrant"));
    CHECK(!kms_grant_operation("RevokeGrant"));
    CHECK(!kms_grant_operation("ListGrants"));
    CHECK(!kms_grant_operation("decrypt"));
    CHECK(!kms_grant_operation(NULL));
    CHECK(kms_grant_lists(ops, "Decrypt"));
    CHECK(kms_grant_lists(ops, "DescribeKey"));
    CHECK(!kms_grant_lists(ops, "Encrypt"));
    CHECK(!kms_grant_lists(ops, "decrypt"));
    CHECK(!kms_grant_lists(bad, "Decrypt"));
    CHECK(!kms_grant_lists(NULL, "Decrypt"));
    CHECK(!kms_grant_lists(ops, NULL));
    CHECK(kms_grant_lists(mixed, "Encrypt"));
    CHECK(kms_grant_constrained("Encrypt"));
    CHECK(kms_grant_constrained("ReEncryptTo"));
    CHECK(kms_grant_constrained("GenerateDataKeyPairWithoutPlaintext"));
    CHECK(!kms_grant_constrained("DescribeKey"));
    CHECK(!kms_grant_constrained("RetireGrant"));
    CHECK(!kms_grant_constrained("CreateGrant"));
    CHECK(!kms_grant_constrained("Sign"));
    cJSON_Delete(ops);
    cJSON_Delete(bad);
    cJSON_Delete(mixed);
}

static const struct {
    const char *cons, *ctx;
    int want;
} contexts[] = {
    /* no constraint */
    {NULL, NULL, 1},
    {NULL, "{'a':'1'}", 1},
    {"{}", "{'a':'1'}", 1},
    /* Equals: exactly these pairs */
    {"{'EncryptionContextEquals':{'a':'1'}}", "{'a':'1'}", 1},
    {"{'EncryptionContextEquals':{'a':'1','b':'2'}}", "{'b':'2','a':'1'}", 1},
    {"{'EncryptionContextEquals':{'a':'1'}}", "{'a':'1','b':'2'}", 0},
    {"{'EncryptionContextEquals':{'a':'1','b':'2'}}", "{'a':'1'}", 0},
    {"{'EncryptionContextEquals':{'a':'1'}}", NULL, 0},
    {"{'EncryptionContextEquals':{'a':'1'}}", "{}", 0},
    {"{'EncryptionContextEquals':{'a':'1'}}", "{'a':'2'}", 0},
    {"{'EncryptionContextEquals':{}}", NULL, 1},
    /* an empty map is absent, as CreateGrant takes it (Terraform sends the
     * unused constraint as {}: issue 15) */
    {"{'EncryptionContextEquals':{}}", "{'a':'1'}", 1},
    {"{'EncryptionContextEquals':{},'EncryptionContextSubset':{'a':'1'}}", "{'a':'1','b':'2'}", 1},
    /* keys case-insensitive, values case-sensitive */
    {"{'EncryptionContextEquals':{'Dept':'IT'}}", "{'dept':'IT'}", 1},
    {"{'EncryptionContextEquals':{'Dept':'IT'}}", "{'Dept':'it'}", 0},
    {"{'EncryptionContextEquals':{'a':'1','b':'2'}}", "{'a':'1','A':'1'}", 0},
    {"{'EncryptionContextEquals':{'a':'1','A':'1'}}", "{'a':'1','b':'2'}", 0},
    /* Subset: at least these pairs */
    {"{'EncryptionContextSubset':{'a':'1'}}", "{'a':'1'}", 1},
    {"{'EncryptionContextSubset':{'a':'1'}}", "{'a':'1','b':'2'}", 1},
    {"{'EncryptionContextSubset':{'a':'1','b':'2'}}", "{'a':'1'}", 0},
    {"{'EncryptionContextSubset':{'a':'1'}}", "{'a':'2','b':'1'}", 0},
    {"{'EncryptionContextSubset':{'a':'1'}}", NULL, 0},
    {"{'EncryptionContextSubset':{}}", NULL, 1},
    {"{'EncryptionContextSubset':{'Dept':'IT'}}", "{'DEPT':'IT','x':'y'}", 1},
    {"{'EncryptionContextSubset':{'Dept':'IT'}}", "{'Dept':'It'}", 0},
    {"{'EncryptionContextSubset':{'a':''}}", "{'a':''}", 1},
    /* keys and values compare by their byte lengths: U+0000 is a byte */
    {"{'EncryptionContextEquals':{'owner':'alice'}}", "{'owner':'alice\\u0000bob'}", 0},
    {"{'EncryptionContextEquals':{'owner':'alice'}}", "{'owner\\u0000x':'alice'}", 0},
    {"{'EncryptionContextEquals':{'owner':'alice\\u0000bob'}}", "{'owner':'alice'}", 0},
    {"{'EncryptionContextEquals':{'owner':'alice\\u0000bob'}}", "{'owner':'alice\\u0000bob'}", 1},
    {"{'EncryptionContextEquals':{'OWNER\\u0000x':'v'}}", "{'owner\\u0000x':'v'}", 1},
    {"{'EncryptionContextEquals':{'owner\\u0000x':'v'}}", "{'owner\\u0000y':'v'}", 0},
    {"{'EncryptionContextSubset':{'owner':'alice'}}", "{'owner':'alice\\u0000','x':'y'}", 0},
    {"{'EncryptionContextSubset':{'owner':'alice'}}", "{'owner\\u0000':'alice','x':'y'}", 0},
    {"{'EncryptionContextSubset':{'owner':''}}", "{'owner':'\\u0000'}", 0},
    {"{'EncryptionContextSubset\\u0000':{'owner':'alice'}}", "{'owner':'alice'}", 0},
    /* malformed constraints or context allow nothing */
    {"{'EncryptionContextSubsets':{'a':'1'}}", "{'a':'1'}", 0},
    {"{'EncryptionContextSubset':['a']}", "{'a':'1'}", 0},
    {"{'EncryptionContextSubset':{'a':1}}", "{'a':'1'}", 0},
    {"['EncryptionContextSubset']", "{'a':'1'}", 0},
    {"{'EncryptionContextSubset':{'a':'1'}}", "{'a':1}", 0},
    {"{'EncryptionContextSubset':{'a':'1'}}", "['a']", 0},
};

static void test_contexts(void)
{
    size_t i;

    for (i = 0; i < sizeof contexts / sizeof contexts[0]; i++) {
        cJSON *cons = js(contexts[i].cons), *ctx = js(contexts[i].ctx);
        int got = kms_grant_context_ok(cons, ctx);
        if (got != contexts[i].want)
            fprintf(stderr, "context %zu: %s with %s: got %d\n", i,
                    contexts[i].cons ? contexts[i].cons : "(none)",
                    contexts[i].ctx ? contexts[i].ctx : "(none)", got);
        CHECK(got == contexts[i].want);
        cJSON_Delete(cons);
        cJSON_Delete(ctx);
    }
}

static void test_allows(void)
{
    cJSON *ops = js("['Decrypt','DescribeKey','RetireGrant']");
    cJSON *cons = js("{'EncryptionContextEquals':{'app':'x'}}");
    cJSON *good = js("{'app':'x'}"), *other = js("{'app':'y'}");

    CHECK(kms_grant_allows(ops, cons, "Decrypt", good));
    CHECK(!kms_grant_allows(ops, cons, "Decrypt", other));
    CHECK(!kms_grant_allows(ops, cons, "Decrypt", NULL));
    CHECK(!kms_grant_allows(ops, cons, "Encrypt", good));
    /* constraints do not apply to DescribeKey and RetireGrant */
    CHECK(kms_grant_allows(ops, cons, "DescribeKey", NULL));
    CHECK(kms_grant_allows(ops, cons, "RetireGrant", other));
    CHECK(kms_grant_allows(ops, NULL, "Decrypt", other));
    CHECK(!kms_grant_allows(NULL, NULL, "Decrypt", NULL));
    cJSON_Delete(ops);
    cJSON_Delete(cons);
    cJSON_Delete(good);
    cJSON_Delete(other);
}

static const struct {
    const char *pops, *pcons, *ops, *cons;
    int want;
} withins[] = {
    /* operations: a subset of the parent's, which must list CreateGrant */
    {"['Decrypt','CreateGrant']", NULL, "['Decrypt']", NULL, 1},
    {"['Decrypt','CreateGrant']", NULL, "['Decrypt','CreateGrant']", NULL, 1},
    {"['Decrypt','CreateGrant']", NULL, "['Decrypt','Encrypt']", NULL, 0},
    {"['Decrypt','CreateGrant']", NULL, "['RetireGrant']", NULL, 0},
    {"['Decrypt']", NULL, "['Decrypt']", NULL, 0},
    {"['Decrypt','CreateGrant']", NULL, "[]", NULL, 1},
    {"['Decrypt','CreateGrant']", NULL, "['Decrypt',1]", NULL, 0},
    {"['Decrypt','CreateGrant']", NULL, "'Decrypt'", NULL, 0},
    {"['Decrypt','CreateGrant']", NULL, NULL, NULL, 0},
    /* no parent constraint: any new constraint */
    {"['Decrypt','CreateGrant']", NULL, "['Decrypt']", "{'EncryptionContextSubset':{'a':'1'}}", 1},
    /* a parent Subset: a Subset or Equals holding its pairs */
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextSubset':{'a':'1'}}", 1},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextSubset':{'a':'1','b':'2'}}", 1},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextEquals':{'a':'1','b':'2'}}", 1},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextSubset':{'A':'1'}}", 1},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{'a':'1'}}", "['Decrypt']", NULL,
     0},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextSubset':{'b':'2'}}", 0},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextEquals':{'a':'2'}}", 0},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextSubset':{}}", "['Decrypt']", NULL, 1},
    /* a parent Equals: the same Equals */
    {"['Decrypt','CreateGrant']", "{'EncryptionContextEquals':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextEquals':{'a':'1'}}", 1},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextEquals':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextEquals':{'a':'1','b':'2'}}", 0},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextEquals':{'a':'1'}}", "['Decrypt']",
     "{'EncryptionContextSubset':{'a':'1'}}", 0},
    {"['Decrypt','CreateGrant']", "{'EncryptionContextEquals':{'a':'1'}}", "['Decrypt']", NULL,
     0},
    /* malformed */
    {"['Decrypt','CreateGrant']", NULL, "['Decrypt']", "{'Other':{}}", 0},
    {"['Decrypt','CreateGrant']", "{'Other':{}}", "['Decrypt']", NULL, 0},
};

static void test_within(void)
{
    size_t i;

    for (i = 0; i < sizeof withins / sizeof withins[0]; i++) {
        cJSON *pops = js(withins[i].pops), *pcons = js(withins[i].pcons);
        cJSON *ops = js(withins[i].ops), *cons = js(withins[i].cons);
        int got = kms_grant_within(pops, pcons, ops, cons);
        if (got != withins[i].want)
            fprintf(stderr, "within %zu: got %d\n", i, got);
        CHECK(got == withins[i].want);
        cJSON_Delete(pops);
        cJSON_Delete(pcons);
        cJSON_Delete(ops);
        cJSON_Delete(cons);
    }
}

int main(void)
{
    test_names();
    test_operations();
    test_contexts();
    test_allows();
    test_within();
    return unit_report("kms_grant_rules");
}
