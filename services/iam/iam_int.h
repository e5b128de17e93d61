/* iam_int.h — shared by the IAM and STS source files. */
#ifndef AWSEMU_IAM_INT_H
#define AWSEMU_IAM_INT_H

#include "buf.h"
#include "iam.h"
#include "policy.h"
#include "proto_query.h"
#include "xml.h"

#define IAM_XMLNS "https://iam.amazonaws.com/doc/2010-05-08/"
#define STS_XMLNS "https://sts.amazonaws.com/doc/2011-06-15/"



/* A new IAM id: prefix + random [A-Z2-7] (21 characters, access keys 20). */
void iam_random_id(const char *prefix, char out[32] /* OUT */);
/* A new 40-character secret access key. */
void iam_random_secret(char out[41] /* OUT */);

/* --iam enforce: authorizes an IAM request as iam:<Operation> on the
 * entity it names (iam_service's authorize hook). */
int iam_authorize(svc_req_t *r, const qform_t *in);

/* What SimulatePrincipalPolicy / SimulateCustomPolicy evaluate: the
 * policies of a user, group or role (source_kind NULL: none), extra
 * identity documents, a permissions boundary and a resource policy. */
typedef struct {
    const char *source_kind;   /* "user" | "group" | "role" | NULL */
    const char *source_name;
    const char *const *docs;   /* PolicyInputList */
    size_t ndocs;
    const char *boundary;      /* a boundary document, or NULL (the user's or
                                  role's own boundary otherwise applies) */
    const char *resource_policy;
} authz_sim_t;

/* Decides q as the request evaluator does (the same policy_decide). 1
 * allowed, 0 denied; *boundary_allows: 1/0, or -1 without a boundary.
 * d->policy_name stays valid until the next call. */
int authz_simulate(emu_t *emu, const char *account, const authz_sim_t *sim,
                   const policy_request_t *q, policy_decision_t *d /* OUT */,
                   int *boundary_allows /* OUT, may be NULL */);

int iam_op_simulate_principal_policy(svc_req_t *r, const qform_t *in, buf_t *out);
int iam_op_simulate_custom_policy(svc_req_t *r, const qform_t *in, buf_t *out);

/* Empties the credentials cache (reset). */
void iam_creds_reset(void);
/* Counts IAM changes (iam_changed); caches compare it. */
unsigned iam_generation(void);

/* The document of an AWS managed policy (arn:aws:iam::aws:policy/...), or
 * NULL when arn is not one. */
const char *iam_aws_policy_document(const char *arn);
/* The default version's document of any managed policy (AWS or customer):
 * 0 with *doc malloc'd, or -1 when there is no such policy. */
int iam_managed_document(emu_t *emu, const char *arn, char **doc /* OUT */);

#endif
