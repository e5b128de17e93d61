/* store.h — the identity-policy store the decision reads: a principal's
 * policies (inline, attached managed, its groups', permissions boundary,
 * session policies) and tags, read from IAM's tables and parsed once until
 * IAM changes (authz_changed); the AWS managed policies; and the
 * evaluation SimulatePrincipalPolicy runs over the same sets. IAM writes
 * those tables; for decisions only authz/ reads them. */
#ifndef AWSEMU_AUTHZ_STORE_H
#define AWSEMU_AUTHZ_STORE_H

#include <stddef.h>

#include "authz/policy.h"
#include "emulator/service.h"

#define AUTHZ_MAX_POLICIES 64 /* per caller: AWS's quotas keep it far lower */
#define AUTHZ_MAX_TAGS 50     /* IAM's limit per user or role, and per session */

/* A principal's parsed policies and tags. The store owns it; it stays
 * valid until the next authz_store_caller call. */
typedef struct {
    int used;
    unsigned gen;
    char arn[sizeof(((principal_t *)0)->arn)];       /* the principal's */
    char akid[sizeof(((svc_req_t *)0)->access_key)]; /* temporary credentials' */
    policy_t *identity[AUTHZ_MAX_POLICIES];
    char *names[AUTHZ_MAX_POLICIES];
    size_t nidentity;
    policy_t *boundary;
    policy_t *session[AUTHZ_MAX_POLICIES];
    size_t nsession;
    int session_scoped;                  /* temporary credentials with session policies */
    char *tag_keys[AUTHZ_MAX_TAGS];      /* "aws:PrincipalTag/<key>" */
    char *tag_vals[AUTHZ_MAX_TAGS];
    size_t ntags;
} authz_set_t;

/* The policies and tags of who (akid: the access key of temporary
 * credentials, whose session policies and tags apply) in account. */
const authz_set_t *authz_store_caller(emu_t *emu, const principal_t *who, const char *akid,
                                      const char *account);
/* Drops every cached set. */
void authz_store_reset(void);

/* The default version's document of a managed policy (AWS's, or one of
 * account's): 0 with *doc malloc'd (caller frees), or -1 when there is none
 * (no error is set: authorization looks documents up quietly). */
int authz_managed_document(emu_t *emu, const char *account, const char *arn, char **doc /* OUT */);

/* The parsed form of doc, owner's resource policy, or NULL when it does not
 * parse (then it grants nothing). Cached by owner and text (authz.c). */
const policy_t *authz_resource_policy(const char *owner, const char *doc, enum policy_kind kind);

/* FNV-1a of s[0..n) from h (2166136261u to start): the caches' slots. */
unsigned authz_fnv(const char *s, size_t n, unsigned h);

/* Counts IAM changes (authz_changed): cached sets compare it (creds.c). */
unsigned authz_generation(void);
/* Empties the credentials cache (creds.c). */
void authz_creds_reset(void);

/* ---- AWS managed policies (awspol.c) ------------------------------------- */

typedef struct {
    const char *name, *id, *arn, *path, *description, *version, *document;
    const char *created; /* ISO 8601 */
} authz_aws_policy_t;

/* The built-in table, sorted by name. */
extern const authz_aws_policy_t authz_aws_policies[];
extern const size_t authz_aws_npolicies;
/* The AWS managed policy arn names (arn:aws:iam::aws:policy/...), or NULL. */
const authz_aws_policy_t *authz_aws_policy(const char *arn);
/* Its default version's document, or NULL. Static. */
const char *authz_aws_policy_document(const char *arn);

/* ---- simulation ---------------------------------------------------------- */

/* What SimulatePrincipalPolicy / SimulateCustomPolicy evaluate: the
 * policies of a user, group or role (source_kind NULL: none), extra
 * identity documents, a permissions boundary and a resource policy. */
typedef struct {
    const char *source_kind; /* "user" | "group" | "role" | NULL */
    const char *source_name;
    const char *const *docs; /* PolicyInputList */
    size_t ndocs;
    const char *boundary;    /* a boundary document, or NULL (the user's or
                                role's own boundary otherwise applies) */
    const char *resource_policy;
} authz_sim_t;

/* Decides q as the request evaluator does (the same policy_decide). 1
 * allowed, 0 denied; *boundary_allows: 1/0, or -1 without a boundary.
 * d->policy_name stays valid until the next call. */
int authz_simulate(emu_t *emu, const char *account, const authz_sim_t *sim,
                   const policy_request_t *q, policy_decision_t *d /* OUT */,
                   int *boundary_allows /* OUT, may be NULL */);

#endif
