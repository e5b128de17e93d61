/* policy.h — IAM policy documents: parse and validate them with IAM's
 * grammar and messages, evaluate one against a request, and combine the
 * policies that apply to a request into AWS's decision (explicit deny
 * first, then allow from identity or resource policy, limited by
 * permissions boundary and session policies). Pure: no I/O, no globals. */
#ifndef AWSEMU_POLICY_H
#define AWSEMU_POLICY_H

#include <stddef.h>

/* What a document is for; decides which elements it may or must have. */
enum policy_kind {
    POLICY_IDENTITY, /* user/group/role inline, managed, boundary, session:
                        Principal/NotPrincipal refused */
    POLICY_RESOURCE, /* bucket, key, secret policy: Principal or
                        NotPrincipal required in every statement */
    POLICY_TRUST     /* a role's assume-role policy: as RESOURCE, and the
                        actions must be sts:* */
};

typedef struct policy policy_t;

/* Parses and validates a JSON policy document (at most len bytes; IAM caps
 * documents well below 64 KiB, callers enforce their service's size limit).
 * Returns the parsed policy (free with policy_free) or NULL with IAM's
 * MalformedPolicyDocument message in err, e.g. "Syntax errors in policy.",
 * "Missing required field Effect", "Policy document should not specify a
 * principal.", "Has prohibited field Principal", "Unknown field Foo",
 * "Invalid effect: Maybe", "Policy statement must contain actions.",
 * "Policy statement must contain resources.", "Actions/Conditions must be
 * prefaced by a vendor, e.g., iam, sdb, ec2, etc.", "The policy failed
 * legacy parsing" (bad Version), "Statement IDs (SID) in a single policy
 * must be unique". */
policy_t *policy_parse(const char *json, size_t len, enum policy_kind kind, char *err,
                       size_t errlen);
void policy_free(policy_t *p);
/* IAM's checks of an identity policy it stores (CreatePolicy,
 * CreatePolicyVersion, Put*Policy), in IAM's order, before policy_parse:
 * 0, or -1 with IAM's MalformedPolicyDocument text in err ("Syntax errors
 * in policy.", "Policy document must be version 2012-10-17 or greater.",
 * "The policy failed legacy parsing", "Resource x must be in ARN format or
 * \"*\".", "Statement IDs (SID) in a single policy must be unique.", ...). */
int policy_iam_grammar(const char *json, size_t len, char *err, size_t errlen);

/* One request context key (aws:SourceIp, s3:prefix, kms:EncryptionContext:
 * Purpose, ...) with its values (several for multivalued keys such as
 * aws:TagKeys or kms:EncryptionContextKeys). Keys compare case-insensitively,
 * values as the operator says; both by their byte length, never as C
 * strings: an encryption context's key or value may hold U+0000, and
 * "alice\0bob" must not equal "alice". lens and keylen are left 0/NULL
 * (as positional initializers {key, values, n} do) for text without
 * U+0000, whose length is strlen. */
typedef struct {
    const char *key;
    const char *const *values;  /* each also NUL-terminated at its length */
    size_t nvalues;
    const size_t *lens;         /* byte length of each value, or NULL: strlen */
    size_t keylen;              /* byte length of key, or 0: strlen */
} policy_ctx_t;

/* The request as policies see it. */
typedef struct {
    const char *action;         /* "kms:Encrypt" (service prefix lower case) */
    const char *resource;       /* the resource ARN, or "*" for none */
    const char *principal_arn;  /* caller: arn:aws:iam::A:user/path/name,
                                   arn:aws:sts::A:assumed-role/R/session,
                                   arn:aws:iam::A:root; NULL with account
                                   NULL: the anonymous caller, whom only
                                   Principal "*" (and NotPrincipal) match */
    const char *role_arn;       /* for assumed-role sessions, the role's ARN
                                   (Principal {"AWS": role ARN} matches them);
                                   else NULL */
    const char *account;        /* caller's account id, "000000000000" */
    const char *service_principal; /* Principal {"Service": ...} matching (a
                                   service calling, e.g. "ec2.amazonaws.com"),
                                   usually NULL */
    const policy_ctx_t *ctx;    /* condition keys and policy variables */
    size_t nctx;
    /* Keys not in ctx are asked of resolve (may be NULL) with resolve_arg:
     * the key's entry, valid until the request is decided, or NULL when
     * the request has no such key. For values costly to gather that few
     * policies name (an S3 object's tags): only a condition or variable
     * naming the key asks. Keys compare as in ctx. */
    const policy_ctx_t *(*resolve)(void *arg, const char *key);
    void *resolve_arg;
} policy_request_t;

enum policy_effect { POLICY_NONE = 0, POLICY_ALLOW = 1, POLICY_DENY = 2 };

/* How a resource/trust policy's Principal matched the caller. */
enum policy_principal_match {
    POLICY_PRINCIPAL_NONE = 0,
    POLICY_PRINCIPAL_ACCOUNT, /* via the account: "A", arn:aws:iam::A:root */
    POLICY_PRINCIPAL_DIRECT,  /* the caller by its ARN (user, role, session), "*",
                                 or a service principal */
};

/* Which statement decided. */
typedef struct {
    enum policy_effect effect;
    int statement;              /* 0-based index, -1 when none matched */
    char sid[128];              /* the statement's Sid, "" when it has none */
    enum policy_principal_match principal; /* for RESOURCE/TRUST */
    int via_role;               /* DIRECT only because the statement names
                                   q->role_arn (the session's role, not the
                                   session): boundary and session policies
                                   still limit such an allow */
} policy_match_t;

/* Evaluates p against q: POLICY_DENY when any matching Deny statement,
 * else POLICY_ALLOW when any matching Allow (for RESOURCE/TRUST kinds the
 * one with the strongest principal match), else POLICY_NONE. A statement
 * matches when Action/NotAction, Resource/NotResource, Principal/NotPrincipal
 * (resource and trust kinds) and every Condition match. Wildcards * and ?
 * in actions (case-insensitive) and resources (case-sensitive); policy
 * variables ${aws:username}, ${aws:userid}, ${aws:PrincipalTag/x}, ${*},
 * ${?}, ${$} and ${key, 'default'} in Resource and in condition values
 * (Version 2012-10-17 only). Condition operators: String{Equals,NotEquals,
 * EqualsIgnoreCase,NotEqualsIgnoreCase,Like,NotLike}, Numeric{Equals,
 * NotEquals,LessThan,LessThanEquals,GreaterThan,GreaterThanEquals},
 * Date{same six}, Bool, BinaryEquals, IpAddress, NotIpAddress (IPv4 and
 * IPv6 CIDR), Arn{Equals,Like,NotEquals,NotLike}, Null; every one with
 * ...IfExists (not Null) and ForAllValues:/ForAnyValue: prefixes. Missing
 * keys: the operator does not match, except the negated ones with
 * IfExists, ForAllValues (matches when the key is missing) and Null. m (may
 * be NULL) gets the deciding statement. */
enum policy_effect policy_eval(const policy_t *p, const policy_request_t *q,
                               policy_match_t *m /* OUT */);

/* Everything that applies to one request. Arrays may be empty. */
typedef struct {
    const policy_t *const *identity;  /* user/role inline and attached, groups' */
    const char *const *identity_names;/* name of each, for explanations
                                         ("arn:aws:iam::aws:policy/X",
                                         "user/alice inline policy p1") */
    size_t nidentity;
    const policy_t *resource;         /* bucket/key/secret policy, or NULL */
    const policy_t *boundary;         /* permissions boundary, or NULL */
    const policy_t *const *session;   /* STS session policies */
    size_t nsession;
    int is_root;            /* the account's root user: identity side allows */
    int resource_required;  /* KMS: the key policy must allow, directly or by
                               delegating to the account (then identity must
                               allow too) */
    enum policy_principal_match grant; /* KMS: a grant (an allow outside any
                               policy document) names the caller: DIRECT by
                               its ARN, ACCOUNT by its account; NONE: no grant.
                               It counts as the resource policy would with
                               that match, and never beats an explicit deny */
    int grant_via_role;     /* DIRECT only through q->role_arn: boundary and
                               session policies still limit the grant */
    int resource_allow_off; /* the resource policy's allows do not count, its
                               denies do (S3 RestrictPublicBuckets on a public
                               bucket policy, for callers outside the owner's
                               account) */
    const char *other_allow;/* an allow from outside the policies, by its name
                               (an S3 ACL granting the request: "object ACL"),
                               or NULL: it allows as a resource policy naming
                               the caller would; explicit denies still win */
    int no_identity;        /* the caller has no identity side (the anonymous
                               caller): without an allow the reason is
                               POLICY_NO_RESOURCE */
} policy_set_t;

enum policy_reason {
    POLICY_ALLOWED = 0,
    POLICY_DENY_IDENTITY,      /* explicit deny in an identity-based policy */
    POLICY_DENY_RESOURCE,      /* explicit deny in a resource-based policy */
    POLICY_DENY_BOUNDARY,      /* explicit deny in a permissions boundary */
    POLICY_DENY_SESSION,       /* explicit deny in a session policy */
    POLICY_NO_IDENTITY,        /* no identity-based policy allows */
    POLICY_NO_RESOURCE,        /* no resource-based policy allows (KMS) */
    POLICY_NO_BOUNDARY,        /* no permissions boundary allows */
    POLICY_NO_SESSION,         /* no session policy allows */
};

typedef struct {
    enum policy_reason reason;
    const char *policy_name;   /* the deciding policy (identity_names[i],
                                  "resource-based policy", "permissions
                                  boundary", "session policy", "grant"), or
                                  NULL */
    policy_match_t match;      /* the deciding statement */
} policy_decision_t;

/* AWS's evaluation logic for a principal and resource in one account:
 *   1. any explicit Deny in any policy -> denied (that policy named);
 *   2. allowed when the resource policy (or a grant) allows with a DIRECT
 *      principal match (for an IAM user, or a role session by its session
 *      ARN, this skips boundary and session limits; a resource policy not
 *      with resource_allow_off), or by other_allow, or when the identity
 *      side allows (is_root, or an identity policy allows) and, when
 *      resource_required, the resource policy or a grant allows at least via
 *      the ACCOUNT;
 *   3. an identity-side allow is further limited: with a boundary it must
 *      also allow; with session policies one of them must also allow;
 *      (a resource-policy or grant allow that names the role ARN, not the
 *      session, is also limited by them);
 *   otherwise the first missing allow is the reason, in the order
 *   resource (when required), identity, boundary, session.
 * Returns 1 when allowed, 0 when denied; d (may be NULL) says why. */
int policy_decide(const policy_set_t *s, const policy_request_t *q,
                  policy_decision_t *d /* OUT */);

/* 1 when p (a RESOURCE policy) is public as S3 Block Public Access judges
 * a bucket policy: some Allow statement applies to every principal
 * (Principal "*", {"AWS": "*"}, or NotPrincipal) and none of its conditions
 * holds the request to fixed values (no wildcard, no policy variable) of
 * aws:SourceIp (IpAddress, no range broader than /8 for IPv4 or /32 for
 * IPv6), aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
 * aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalArn,
 * aws:PrincipalAccount, aws:userid, s3:DataAccessPointArn,
 * s3:DataAccessPointAccount or s3:x-amz-server-side-encryption-aws-kms-key-id
 * (StringEquals, StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike;
 * not ...IfExists or a set operator, which a request without the key
 * passes). 0 for NULL. */
int policy_public(const policy_t *p);

/* The standard phrase for d, for error messages and logs:
 * "because no identity-based policy allows the kms:Encrypt action",
 * "with an explicit deny in a resource-based policy", ... Writes at most n
 * bytes (NUL-terminated) to out and returns out. */
const char *policy_reason_text(const policy_decision_t *d, const char *action, char *out,
                               size_t n);

/* Matches s against pattern with * (any run) and ? (one character);
 * icase for case-insensitive. Exposed for action tables and tests. Both
 * are C strings (names and ARNs, which never hold U+0000). */
int policy_glob(const char *pattern, const char *s, int icase);

#endif
