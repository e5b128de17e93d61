/* test_proto_query.c — unit tests for the Query protocol form decoding:
 * proto_query_unescape (%XX, '+', bad escapes) and proto_query_param (first
 * match, absent, empty, too long for the output). */
#include "emulator/proto_query.h"
#include "unit.h"

#include <stdlib.h>

struct unescape_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    int plus_space;
    long rc;
    const char *want;
    size_t wlen;
};

static const struct unescape_case unescape_cases[] = {
    {"", 0, 1, 0, "", 0},
    {"abc", 0, 1, 3, "abc", 3},
    {"a+b", 0, 1, 3, "a b", 3},
    {"a+b", 0, 0, 3, "a+b", 3},
    {"%41%42%43", 0, 1, 3, "ABC", 3},
    {"%2b%2B", 0, 1, 2, "++", 2},
    {"%2B", 0, 0, 1, "+", 1},
    {"%20+%20", 0, 1, 3, "   ", 3},
    {"%e2%82%ac", 0, 1, 3, "\xe2\x82\xac", 3},
    {"%00x", 0, 1, 2, "\0x", 2},
    {"%ff%FF%fF", 0, 1, 3, "\xff\xff\xff", 3},
    {"100%25", 0, 1, 4, "100%", 4},
    {"%25%32%35", 0, 1, 3, "%25", 3}, /* decoded once only */
    {"arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr", 0, 1, 32,
     "arn:aws:iam::123456789012:role/r", 32},
    {"%41", 2, 1, -1, NULL, 0}, /* n bounds the input */
    {"%", 0, 1, -1, NULL, 0},
    {"%4", 0, 1, -1, NULL, 0},
    {"ab%", 0, 1, -1, NULL, 0},
    {"ab%4", 0, 1, -1, NULL, 0},
    {"%G1", 0, 1, -1, NULL, 0},
    {"%1G", 0, 1, -1, NULL, 0},
    {"%%41", 0, 1, -1, NULL, 0},
    {"%-1", 0, 1, -1, NULL, 0},
    {"% 1", 0, 1, -1, NULL, 0},
    {"%\0" "1", 3, 1, -1, NULL, 0},
};

static void test_unescape(void)
{
    size_t i;

    for (i = 0; i < sizeof unescape_cases / sizeof unescape_cases[0]; i++) {
        const struct unescape_case *c = &unescape_cases[i];
        size_t n = c->len ? c->len : strlen(c->in);
        char *out = malloc(n + 1); /* exactly what the contract asks for */
        long rc = proto_query_unescape(c->in, n, c->plus_space, out);

        if (rc != c->rc)
            fprintf(stderr, "unescape case %zu (\"%s\"): rc %ld, want %ld\n", i, c->in, rc,
                    c->rc);
        CHECK(rc == c->rc);
        if (rc >= 0) {
            CHECK(memcmp(out, c->want, c->wlen) == 0);
            CHECK(out[rc] == '\0');
        }
        free(out);
    }
}

struct param_case {
    const char *form;
    const char *name;
    size_t n; /* output size */
    long rc;
    const char *want;
};

static const struct param_case param_cases[] = {
    {"Action=GetCallerIdentity&Version=2011-06-15", "Action", 64, 17, "GetCallerIdentity"},
    {"Action=GetCallerIdentity&Version=2011-06-15", "Version", 64, 10, "2011-06-15"},
    {"Version=2011-06-15&Action=ListUsers", "Action", 64, 9, "ListUsers"},
    {"UserName=a+b%2Bc%26d%3De", "UserName", 64, 9, "a b+c&d=e"},
    {"Path=%2F", "Path", 64, 1, "/"},
    /* first match wins */
    {"A=1&A=2", "A", 8, 1, "1"},
    /* names match whole keys only */
    {"ActionX=1&Action=2", "Action", 8, 1, "2"},
    {"XAction=1&Action=2", "Action", 8, 1, "2"},
    {"Action=1", "Actio", 8, -1, NULL},
    {"action=1", "Action", 8, -1, NULL},
    /* empty and value-less */
    {"Action=&B=1", "Action", 8, 0, ""},
    {"Action&B=1", "Action", 8, 0, ""},
    {"B=1&Action", "Action", 8, 0, ""},
    {"A=x=y", "A", 8, 3, "x=y"},
    {"&&A=1&&", "A", 8, 1, "1"},
    /* absent */
    {"", "Action", 8, -1, NULL},
    {"B=1&C=2", "Action", 8, -1, NULL},
    {"=Action", "Action", 8, -1, NULL},
    /* the decoded value must fit n - 1 */
    {"A=1234567", "A", 8, 7, "1234567"},
    {"A=12345678", "A", 8, -1, NULL},
    {"A=1", "A", 1, -1, NULL},
    {"A=", "A", 1, 0, ""},
    /* bad escapes */
    {"A=%4", "A", 8, -1, NULL},
    {"A=%ZZ&B=1", "A", 8, -1, NULL},
    {"A=%&B=1", "A", 8, -1, NULL},
    /* a bad escape in another parameter does not matter */
    {"B=%ZZ&A=ok", "A", 8, 2, "ok"},
};

static void test_param(void)
{
    size_t i;

    for (i = 0; i < sizeof param_cases / sizeof param_cases[0]; i++) {
        const struct param_case *c = &param_cases[i];
        char out[80];
        long rc;

        memset(out, 'Z', sizeof out);
        rc = proto_query_param(c->form, strlen(c->form), c->name, out, c->n);
        if (rc != c->rc)
            fprintf(stderr, "param case %zu (\"%s\" / %s): rc %ld, want %ld\n", i, c->form,
                    c->name, rc, c->rc);
        CHECK(rc == c->rc);
        if (rc >= 0)
            CHECK_STR(out, c->want);
        /* nothing is written past n */
        CHECK(out[c->n] == 'Z');
    }

    /* len, not the NUL, bounds the form */
    {
        const char *form = "A=12&B=34";
        char out[8];
        CHECK(proto_query_param(form, 4, "A", out, sizeof out) == 2);
        CHECK_STR(out, "12");
        CHECK(proto_query_param(form, 4, "B", out, sizeof out) == -1);
        CHECK(proto_query_param(form, 7, "B", out, sizeof out) == 0);
        CHECK(proto_query_param(form, 8, "B", out, sizeof out) == 1);
        CHECK_STR(out, "3");
        CHECK(proto_query_param(form, 0, "A", out, sizeof out) == -1);
    }

    /* a value that fills a large output buffer */
    {
        size_t vl = 3000;
        char *form = malloc(vl + 3), *out = malloc(vl + 1);
        long rc;
        memcpy(form, "V=", 2);
        memset(form + 2, 'v', vl);
        form[vl + 2] = '\0';
        rc = proto_query_param(form, vl + 2, "V", out, vl + 1);
        CHECK(rc == (long)vl);
        CHECK(rc == (long)vl && out[vl] == '\0' && out[0] == 'v' && out[vl - 1] == 'v');
        CHECK(proto_query_param(form, vl + 2, "V", out, vl) == -1);
        free(form);
        free(out);
    }
}

/* qform_parse: every pair decoded once, in order; empty segments skipped;
 * names and values may be empty; a bad escape anywhere fails the form. */
static void test_qform(void)
{
    qform_t f;
    static const char form[] = "Action=CreateUser&UserName=a%2Bb+c&&Empty=&Bare&Tags.member.1.Key=k"
                               "&Tags.member.1.Value=v&Tags.member.2.Key=k2&Tags.member.2.Value="
                               "&UserName=second";

    CHECK(qform_parse(&f, form, strlen(form)) == 0);
    CHECK(f.n == 9);
    CHECK_STR(qform_get(&f, "Action"), "CreateUser");
    CHECK_STR(qform_get(&f, "UserName"), "a+b c"); /* the first one */
    CHECK_STR(qform_get(&f, "Empty"), "");
    CHECK_STR(qform_get(&f, "Bare"), "");
    CHECK(qform_get(&f, "Missing") == NULL);
    CHECK(qform_get(&f, "action") == NULL); /* names are case-sensitive */
    CHECK_STR(qform_getf(&f, "Tags.member.%d.Key", 2), "k2");
    CHECK_STR(qform_getf(&f, "Tags.member.%d.Value", 2), "");
    CHECK(qform_getf(&f, "Tags.member.%d.Key", 3) == NULL);
    qform_free(&f);

    CHECK(qform_parse(&f, "", 0) == 0 && f.n == 0);
    qform_free(&f);
    CHECK(qform_parse(&f, "A=%zz", 5) == -1);
    CHECK(qform_parse(&f, "A=1&B=%4", 8) == -1);
    CHECK(qform_parse(&f, "A=%00B", 6) == 0 && f.n == 1 && f.p[0].len == 2);
    qform_free(&f);
    /* len bounds the form, not a NUL */
    CHECK(qform_parse(&f, "A=12&B=34", 4) == 0 && f.n == 1);
    CHECK_STR(qform_get(&f, "A"), "12");
    qform_free(&f);
    /* the pair cap */
    {
        size_t n = QFORM_MAX_PARAMS + 1, i;
        char *big = malloc(n * 4);
        for (i = 0; i < n; i++)
            memcpy(big + 4 * i, "a=1&", 4);
        CHECK(qform_parse(&f, big, n * 4 - 1) == -1);
        CHECK(qform_parse(&f, big, (n - 1) * 4 - 1) == 0 && f.n == n - 1);
        qform_free(&f);
        free(big);
    }
}

/* The member readers and their AWS messages. */
static void test_readers(void)
{
    static const char form[] = "UserName=alice&Long=abcdefghij&Num=42&Neg=-3&Bad=4x&T=TRUE&F=false"
                               "&B=maybe&Uni=%C3%A9%C3%A9&L.member.1=a&L.member.2=b&L.member.4=d"
                               "&Doc=secret-doc&PolicyDocument=xyz";
    svc_req_t r;
    qform_t f;
    const char *v = NULL;
    long n = 0;
    int b = -1, present = -1;
    size_t cnt = 0;

    memset(&r, 0, sizeof r);
    CHECK(qform_parse(&f, form, strlen(form)) == 0);
    CHECK(q_str(&r, &f, "UserName", 1, 1, 64, &v) == 0);
    CHECK_STR(v, "alice");
    CHECK(q_str(&r, &f, "Missing", 0, 1, 64, &v) == 0);
    CHECK_STR(v, "alice"); /* untouched */
    CHECK(q_str(&r, &f, "Missing", 1, 1, 64, &v) == -1);
    CHECK(r.err_status == 400);
    CHECK_STR(r.err_code, "ValidationError");
    CHECK_STR(r.err_msg, "1 validation error detected: Value null at 'missing' failed to satisfy "
                         "constraint: Member must not be null");
    CHECK(q_str(&r, &f, "Long", 1, 1, 5, &v) == -1);
    CHECK_STR(r.err_msg, "1 validation error detected: Value 'abcdefghij' at 'long' failed to "
                         "satisfy constraint: Member must have length less than or equal to 5");
    CHECK(q_str(&r, &f, "Uni", 1, 1, 2, &v) == 0); /* two characters, four bytes */
    CHECK(q_str(&r, &f, "Uni", 1, 3, 0, &v) == -1);
    /* sensitive members are never echoed */
    CHECK(q_str(&r, &f, "PolicyDocument", 1, 5, 0, &v) == -1);
    CHECK(strstr(r.err_msg, "xyz") == NULL);
    CHECK(q_int(&r, &f, "Num", 1, 0, 100, &n, &present) == 0 && n == 42 && present == 1);
    CHECK(q_int(&r, &f, "Num", 1, 0, 10, &n, NULL) == -1);
    CHECK_STR(r.err_msg, "1 validation error detected: Value '42' at 'num' failed to satisfy "
                         "constraint: Member must have value less than or equal to 10");
    CHECK(q_int(&r, &f, "Neg", 1, 0, 10, &n, NULL) == -1);
    CHECK(q_int(&r, &f, "Bad", 1, 0, 10, &n, NULL) == -1);
    CHECK_STR(r.err_code, "MalformedInput");
    CHECK(q_int(&r, &f, "Absent", 0, 0, 10, &n, &present) == 0 && present == 0);
    CHECK(q_bool(&r, &f, "T", &b, &present) == 0 && b == 1 && present == 1);
    CHECK(q_bool(&r, &f, "F", &b, NULL) == 0 && b == 0);
    CHECK(q_bool(&r, &f, "B", &b, NULL) == -1);
    CHECK(q_charset(&r, "UserName", "a_b+c=d,e.f@g-h", "_+=,.@-", "[\\w+=,.@-]+") == 0);
    CHECK(q_charset(&r, "UserName", "a b", "_+=,.@-", "[\\w+=,.@-]+") == -1);
    CHECK(strstr(r.err_msg, "Member must satisfy regular expression pattern") != NULL);
    CHECK(q_charset(&r, "Doc", "tab\tok", NULL, "any") == 0);
    CHECK(q_charset(&r, "Doc", "bell\a", NULL, "any") == -1);
    /* lists stop at the first gap */
    CHECK(q_list_count(&r, &f, "L", NULL, 10, &cnt) == 0 && cnt == 2);
    CHECK(q_list_count(&r, &f, "L", NULL, 1, &cnt) == -1);
    CHECK(q_list_count(&r, &f, "None", NULL, 1, &cnt) == 0 && cnt == 0);
    qform_free(&f);
}

/* Text checks: proto_query_unescape_text, name lengths, q_charset by code
 * point. */
static void test_text(void)
{
    char out[64];
    qform_t f;
    svc_req_t r;

    CHECK(proto_query_unescape_text("a%C3%A9b", 8, 0, out) == 4);
    CHECK_STR(out, "a\xc3\xa9" "b");
    CHECK(proto_query_unescape_text("victim%00.txt", 13, 0, out) == -2);
    CHECK(proto_query_unescape_text("%FF", 3, 0, out) == -2);
    CHECK(proto_query_unescape_text("%C0%AF", 6, 0, out) == -2);      /* overlong '/' */
    CHECK(proto_query_unescape_text("%ED%A0%80", 9, 0, out) == -2);   /* surrogate */
    CHECK(proto_query_unescape_text("%F4%90%80%80", 12, 0, out) == -2); /* past U+10FFFF */
    CHECK(proto_query_unescape_text("%E2%82", 6, 0, out) == -2);      /* cut short */
    CHECK(proto_query_unescape_text("%G0", 3, 0, out) == -1);
    CHECK(proto_query_unescape_text("", 0, 0, out) == 0);

    CHECK(qform_parse(&f, "Na%00me=v&Ok=1", 14) == 0 && f.n == 2);
    CHECK(f.p[0].name_len == 5 && f.p[1].name_len == 2);
    qform_free(&f);

    memset(&r, 0, sizeof r);
    /* [\u0009\u000A\u000D\u0020-\u00FF]: code points, not bytes */
    CHECK(q_charset(&r, "Doc", "caf\xc3\xa9 \xc2\xa0\xc3\xbf", NULL, "p") == 0);
    CHECK(q_charset(&r, "Doc", "\xe4\xb8\xad", NULL, "p") == -1);      /* U+4E2D */
    CHECK(q_charset(&r, "Doc", "\xf0\x9f\x98\x80", NULL, "p") == -1);  /* U+1F600 */
    CHECK(q_charset(&r, "Doc", "\xc4\x80", NULL, "p") == -1);          /* U+0100 */
    CHECK(q_charset(&r, "Doc", "a\x01", NULL, "p") == -1);
}

/* AWS's member paths in validation messages: 'tags.1.member.key' is what
 * IAM writes for Tags.member.1.Key (AWS-verified IAM compatibility tests). */
static void test_member_path(void)
{
    static const char *const cases[][2] = {
        {"Tags.member.1.Key", "tags.1.member.key"},
        {"Tags.member.12.Value", "tags.12.member.value"},
        {"ClientIDList.member.1", "clientIDList.1.member"},
        {"UserName", "userName"},
        {"PolicyInputList.member.3", "policyInputList.3.member"},
        {"member", "member"},
        {"", ""},
    };
    char tmp[64], small[8];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(q_member_path(cases[i][0], tmp, sizeof tmp), cases[i][1]);
    CHECK_STR(q_member_path("Tags.member.1.Key", small, sizeof small), "tags.1.");
}

int main(void)
{
    test_unescape();
    test_param();
    test_qform();
    test_readers();
    test_text();
    test_member_path();
    return unit_report("proto_query");
}
