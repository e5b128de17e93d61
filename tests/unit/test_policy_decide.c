/* test_policy_decide.c — policy_decide: explicit deny, resource policy,
 * identity policy, boundaries, session policies, KMS grants, the anonymous
 * caller, keys asked of the resolver, public policies; reasons and their
 * text. */
#include "authz/policy.h"
#include "policy_util.h"
#include "unit.h"

#include <stdlib.h>
#include <strings.h>

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

int main(void)
{
    test_decide();
    test_decide_edges();
    test_decide_grants();
    test_reason_text();
    test_repeatable();
    test_decide_anonymous();
    test_resolve();
    test_public();
    return unit_report("policy-decide");
}
