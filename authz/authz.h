/* authz.h — the authorization layer: the credentials a request is signed
 * with, the principal it acts as, and the decision on an action and a
 * resource (identity, resource, boundary and session policies, KMS grants),
 * with the denial text and the access-log note. The router calls it once per
 * request with the row's action and resource (emulator/router.c); services
 * call authz_check for what they learn only while serving (cross-service
 * calls: S3 and Secrets Manager to KMS). Implemented by authz.c (the
 * decision), creds.c (credentials), request.c (the router's call) and
 * store.c (the policies a principal holds: authz/store.h). */
#ifndef AWSEMU_AUTHZ_H
#define AWSEMU_AUTHZ_H

#include <stddef.h>

#include "authz/policy.h"
#include "emulator/service.h"

/* ---- credentials --------------------------------------------------------- */

typedef struct {
    char secret[129];      /* the secret access key (wipe after use) */
    principal_t who;
    double expires;        /* STS credentials: expiry (emulator clock); else 0 */
} authz_cred_t;

enum {
    AUTHZ_CRED_OK = 0,
    AUTHZ_CRED_UNKNOWN = -1,  /* no such access key, or it is inactive */
    AUTHZ_CRED_EXPIRED = -2,  /* STS credentials past their expiry */
    AUTHZ_CRED_BADTOKEN = -3, /* STS credentials without their session token */
};

/* Resolves access_key (with token, the X-Amz-Security-Token, "" when none)
 * at emulator time now: the root pair from the configuration, an IAM user's
 * active access key, or STS session credentials. Returns AUTHZ_CRED_*. */
int authz_credentials(emu_t *emu, const char *access_key, const char *token, double now,
                    authz_cred_t *out /* OUT */);

/* The root user of r's account as a principal. */
void authz_root_principal(const char *account, const char *region, principal_t *out /* OUT */);

/* The anonymous caller (an unsigned S3 request in --iam enforce mode) as a
 * principal: ARN and user id "anonymous". */
void authz_anonymous_principal(principal_t *out /* OUT */);

/* Records that IAM state changed (users, keys, policies, sessions): cached
 * credentials and policies are dropped. */
void authz_changed(void);

/* Marks an access key as used (GetAccessKeyLastUsed). Cheap; batched. */
void authz_note_key_use(svc_req_t *r);

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

typedef struct authz {
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

/* The router's one authorization call: with --iam enforce, authorizes r's
 * caller for the action of r->op on the resource its row's resource
 * function names from the request `in` ("*" without one). Rows marked
 * OP_AUTHZ_SELF (the handler authorizes once it has the resource) or
 * OP_NO_AUTHZ pass. Returns 0, or -1 with the error set (the denial, or
 * the resource function's NotFound). */
int authz_request(svc_req_t *r, const void *in);

/* Drops cached policies and credentials (reset, shutdown). */
void authz_reset(void);

#endif
