/* test_policy_parse.c — the IAM policy grammar: malformed documents answer
 * IAM's MalformedPolicyDocument messages, good ones parse, edges. */
#include "authz/policy.h"
#include "policy_util.h"
#include "unit.h"

#include <stdlib.h>
#include <strings.h>

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

int main(void)
{
    test_malformed();
    test_good();
    test_parse_edges();
    return unit_report("policy-parse");
}
