/* iam.h — AWS Identity and Access Management and the Security Token
 * Service (Query protocol), the credentials every request is signed with,
 * and the authorization of every request in --iam enforce mode. */
#ifndef AWSEMU_IAM_H
#define AWSEMU_IAM_H

#include <stddef.h>

#include "authz/policy.h"
#include "emulator/proto_query.h"
#include "emulator/service.h"

extern const query_service_t iam_service;
extern const query_service_t sts_service;

/* ---- credentials --------------------------------------------------------- */

typedef struct {
    char secret[129];      /* the secret access key (wipe after use) */
    principal_t who;
    double expires;        /* STS credentials: expiry (emulator clock); else 0 */
} iam_cred_t;

enum {
    IAM_CRED_OK = 0,
    IAM_CRED_UNKNOWN = -1,  /* no such access key, or it is inactive */
    IAM_CRED_EXPIRED = -2,  /* STS credentials past their expiry */
    IAM_CRED_BADTOKEN = -3, /* STS credentials without their session token */
};

/* Resolves access_key (with token, the X-Amz-Security-Token, "" when none)
 * at emulator time now: the root pair from the configuration, an IAM user's
 * active access key, or STS session credentials. Returns IAM_CRED_*. */
int iam_credentials(emu_t *emu, const char *access_key, const char *token, double now,
                    iam_cred_t *out /* OUT */);

/* The root user of r's account as a principal. */
void iam_root_principal(const char *account, principal_t *out /* OUT */);

/* The anonymous caller (an unsigned S3 request in --iam enforce mode) as a
 * principal: ARN and user id "anonymous". */
void iam_anonymous_principal(principal_t *out /* OUT */);

/* Records that IAM state changed (users, keys, policies, sessions): cached
 * credentials and policies are dropped. */
void iam_changed(void);

/* Marks an access key as used (GetAccessKeyLastUsed). Cheap; batched. */
void iam_note_key_use(svc_req_t *r);

/* ---- authorization ------------------------------------------------------- */

/* One extra condition key of a request (service keys such as s3:prefix,
 * kms:EncryptionContext:Purpose); several values for multivalued keys:
 * {key, values, nvalues}, as the policy engine takes them. */
typedef policy_ctx_t authz_key_t;

/* How a KMS grant names the caller (strongest first wins): by its own ARN
 * (an IAM user, a role session's session ARN, the root user), by the role
 * of its session (boundary and session policies still limit it), or by its
 * account (then its identity policies must allow too, as when a key policy
 * delegates to the account). */
enum authz_grant {
    AUTHZ_GRANT_NONE = 0,
    AUTHZ_GRANT_ACCOUNT,
    AUTHZ_GRANT_ROLE,
    AUTHZ_GRANT_CALLER,
};

/* Looks up the grants that would allow the request for who; returns the
 * strongest match and writes that grant's id to id (idlen bytes). */
typedef enum authz_grant (*authz_grant_fn)(svc_req_t *r, const principal_t *who, const void *arg,
                                           char *id, size_t idlen);

typedef struct {
    const char *action;          /* "kms:Encrypt" */
    const char *resource;        /* the resource ARN, or "*" */
    const char *resource_policy; /* the resource's policy (JSON), or NULL */
    int resource_required;       /* KMS key policies, trust policies: must allow */
    int resource_trust;          /* resource_policy is a role's trust policy */
    const authz_key_t *keys;     /* service condition keys */
    size_t nkeys;
    const char *via_service;     /* "s3.amazonaws.com" when a service calls
                                    another on the caller's behalf */
    authz_grant_fn grant;        /* KMS grants, or NULL: asked only when no
                                    policy allows the request (never on an
                                    explicit deny, never when allowed) */
    const void *grant_arg;       /* passed to grant */
    /* Keys costly to gather, asked for only when a policy names them (see
     * policy_request_t.resolve); NULL: none. */
    const authz_key_t *(*resolve)(void *arg, const char *key);
    void *resolve_arg;
    const char *other_allow;     /* an allow from outside the policies (an S3
                                    ACL granting the anonymous caller: "object
                                    ACL"), or NULL; explicit denies still win */
    int restrict_public;         /* S3 RestrictPublicBuckets: when the resource
                                    policy is public (policy_public), its
                                    allows do not count for the anonymous
                                    caller */
} authz_t;

/* Authorizes r's caller for a. With --iam off, returns 0 at once. Returns 0
 * when allowed, or -1 with the denial set on r in its service's shape (KMS
 * and Secrets Manager: AccessDeniedException 400; S3, IAM, STS:
 * AccessDenied 403): "User: <arn> is not authorized to perform: <action> on
 * resource: <arn> because no identity-based policy allows the <action>
 * action"; the anonymous caller gets S3's plain "Access Denied" (no
 * identity policy applies to it: only resource policies naming "*" and
 * other_allow can allow). The access log gets the decision and the
 * deciding statement ("allow kms:Decrypt by grant <id>" when a grant
 * decided). */
int authz_check(svc_req_t *r, const authz_t *a);

/* The same decision without touching r's error (for SimulatePrincipalPolicy
 * and checks that pick among several errors), grants included: 1 allowed,
 * 0 denied; why (may be NULL) gets the reason phrase. */
int authz_allowed(svc_req_t *r, const principal_t *who, const authz_t *a, char *why,
                  size_t whylen);

/* Drops cached policies and credentials (reset, shutdown). */
void authz_reset(void);

#endif
