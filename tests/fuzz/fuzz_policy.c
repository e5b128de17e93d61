/* fuzz_policy.c — fuzz target for the IAM policy engine. The input is a
 * policy document; it is parsed as each kind (identity, resource, trust),
 * and every policy that parses is evaluated against fixed requests (a user,
 * a role session, an anonymous caller; context keys for variables, IPs,
 * dates, numbers and multivalued keys) and put through policy_decide in
 * every slot. A refused document must come with a message; the results
 * must be in range and the deciding statement consistent with the effect. */
#include "authz/policy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_policy:%d: invariant failed: %s\n", __LINE__, \
                    #c);                                                       \
            abort();                                                           \
        }                                                                      \
    } while (0)

static const char *const v_user[] = {"alice"};
static const char *const v_ip[] = {"203.0.113.7"};
static const char *const v_ip6[] = {"2001:db8::1"};
static const char *const v_time[] = {"2026-01-01T00:00:00Z"};
static const char *const v_num[] = {"10"};
static const char *const v_bool[] = {"true"};
static const char *const v_tags[] = {"env", "team", "cost"};
static const char *const v_arn[] = {"arn:aws:iam::111122223333:user/alice"};
static const char *const v_prefix[] = {"home/alice/"};
static const char *const v_nul[] = {"alice\0bob"};
static const size_t l_nul[] = {9};

static const policy_ctx_t ctx[] = {
    {"aws:username", v_user, 1, NULL, 0},        {"aws:SourceIp", v_ip, 1, NULL, 0},
    {"aws:CurrentTime", v_time, 1, NULL, 0},     {"s3:max-keys", v_num, 1, NULL, 0},
    {"aws:SecureTransport", v_bool, 1, NULL, 0}, {"aws:TagKeys", v_tags, 3, NULL, 0},
    {"aws:PrincipalArn", v_arn, 1, NULL, 0},     {"s3:prefix", v_prefix, 1, NULL, 0},
    {"aws:VpcSourceIp", v_ip6, 1, NULL, 0},      {"aws:empty", NULL, 0, NULL, 0},
    /* a context key and value holding U+0000: compared by length */
    {"kms:EncryptionContext:owner\0x", v_nul, 1, l_nul, 29},
};

/* Keys the request does not carry: any s3:ExistingObjectTag/ one reads "public". */
static const char *const v_tag[] = {"public"};

static const policy_ctx_t *resolve(void *arg, const char *key)
{
    static policy_ctx_t c;

    (void)arg;
    if (strncasecmp(key, "s3:ExistingObjectTag/", 21) != 0)
        return NULL;
    c.key = key;
    c.values = v_tag;
    c.nvalues = 1;
    return &c;
}

static const policy_request_t reqs[] = {
    {"s3:GetObject", "arn:aws:s3:::bucket/home/alice/x", "arn:aws:iam::111122223333:user/alice",
     NULL, "111122223333", NULL, ctx, sizeof ctx / sizeof ctx[0], NULL, NULL},
    {"sts:AssumeRole", "arn:aws:iam::111122223333:role/R",
     "arn:aws:sts::111122223333:assumed-role/R/s1", "arn:aws:iam::111122223333:role/R",
     "111122223333", NULL, ctx, sizeof ctx / sizeof ctx[0], NULL, NULL},
    {"kms:Encrypt", "*", NULL, NULL, NULL, "ec2.amazonaws.com", NULL, 0, NULL, NULL},
    /* the anonymous caller, with a resolver */
    {"s3:GetObject", "arn:aws:s3:::bucket/k", NULL, NULL, NULL, NULL, ctx,
     sizeof ctx / sizeof ctx[0], resolve, NULL},
};

static void check_eval(const policy_t *p, const policy_request_t *q, enum policy_kind kind)
{
    policy_match_t m;
    enum policy_effect e = policy_eval(p, q, &m);

    FUZZ_CHECK(e == POLICY_NONE || e == POLICY_ALLOW || e == POLICY_DENY);
    FUZZ_CHECK(m.effect == e);
    FUZZ_CHECK((e == POLICY_NONE) == (m.statement == -1));
    FUZZ_CHECK(memchr(m.sid, '\0', sizeof m.sid) != NULL);
    if (kind == POLICY_IDENTITY || e == POLICY_NONE)
        FUZZ_CHECK(m.principal == POLICY_PRINCIPAL_NONE);
    else
        FUZZ_CHECK(m.principal != POLICY_PRINCIPAL_NONE);
    FUZZ_CHECK(policy_eval(p, q, NULL) == e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum policy_kind kinds[] = {POLICY_IDENTITY, POLICY_RESOURCE, POLICY_TRUST};
    policy_t *p[3] = {NULL, NULL, NULL};
    char *doc = malloc(size ? size : 1);
    size_t k, r;

    FUZZ_CHECK(doc);
    memcpy(doc, data, size); /* exact size: no NUL after the document */
    {
        /* IAM's ordered grammar: 0, or -1 with a message */
        char err[256];
        int g;
        memset(err, 'X', sizeof err);
        g = policy_iam_grammar(doc, size, err, sizeof err);
        FUZZ_CHECK(g == 0 || (g == -1 && memchr(err, '\0', sizeof err) && err[0]));
    }
    for (k = 0; k < 3; k++) {
        char err[256];
        memset(err, 'X', sizeof err);
        p[k] = policy_parse(doc, size, kinds[k], err, sizeof err);
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        if (p[k] == NULL) {
            FUZZ_CHECK(err[0] != '\0');
            continue;
        }
        for (r = 0; r < sizeof reqs / sizeof reqs[0]; r++)
            check_eval(p[k], &reqs[r], kinds[k]);
        {
            int pub = policy_public(p[k]);
            FUZZ_CHECK(pub == 0 || pub == 1);
            FUZZ_CHECK(kinds[k] != POLICY_IDENTITY || pub == 0);
        }
    }
    if (p[0] || p[1]) {
        const policy_t *id[1] = {p[0]};
        const char *const names[1] = {"fuzz"};
        policy_set_t s;
        policy_decision_t d;
        char text[256];
        memset(&s, 0, sizeof s);
        s.identity = id;
        s.identity_names = names;
        s.nidentity = 1;
        s.resource = p[1];
        s.boundary = p[0];
        s.session = id;
        s.nsession = p[0] ? 1 : 0;
        for (r = 0; r < sizeof reqs / sizeof reqs[0]; r++) {
            int allowed;
            s.resource_required = (int)(r & 1);
            s.is_root = r == 2;
            s.no_identity = r == 3;
            s.resource_allow_off = r == 3 && policy_public(p[1]);
            s.other_allow = r == 3 && (size & 1) ? "object ACL" : NULL;
            allowed = policy_decide(&s, &reqs[r], &d);
            FUZZ_CHECK(allowed == (d.reason == POLICY_ALLOWED));
            policy_reason_text(&d, reqs[r].action, text, sizeof text);
            FUZZ_CHECK(strlen(text) < sizeof text);
        }
    }
    for (k = 0; k < 3; k++)
        policy_free(p[k]);
    free(doc);
    return 0;
}
