/* kms_grant_rules.h — what a KMS grant allows, as AWS documents it: whom
 * its principal ARNs name, the operations it lists, its encryption-context
 * constraints, and how narrow a grant made through a grant's CreateGrant
 * must be. Pure: no I/O, no globals. */
#ifndef AWSEMU_KMS_GRANT_RULES_H
#define AWSEMU_KMS_GRANT_RULES_H

#include <cjson/cJSON.h>

#include "services/iam/iam.h"

/* How principal (a grant's GranteePrincipal or RetiringPrincipal: an ARN,
 * or a 12-digit account id) names a caller: AUTHZ_GRANT_CALLER when it is
 * caller_arn itself (an IAM user, a role session's session ARN, the root
 * user), AUTHZ_GRANT_ROLE when it is role_arn (the role of a session; NULL
 * for other callers), AUTHZ_GRANT_ACCOUNT when it is the caller's account
 * (arn:aws:iam::<account>:root or <account>), else AUTHZ_GRANT_NONE. ARNs
 * compare exactly. */
enum authz_grant kms_grant_names(const char *principal, const char *caller_arn,
                                 const char *role_arn, const char *account);

/* 1 when op ("Decrypt") is one a grant can allow (CreateGrant's
 * GrantOperation values), else 0. */
int kms_grant_operation(const char *op);

/* 1 when ops (a grant's Operations: a JSON array of strings) lists op
 * ("Decrypt"), else 0. */
int kms_grant_lists(const cJSON *ops, const char *op);

/* 1 when grant constraints apply to op: the operations that take an
 * encryption context (Encrypt, Decrypt, ReEncryptFrom, ReEncryptTo,
 * GenerateDataKey*, GenerateDataKeyPair*); not DescribeKey, RetireGrant,
 * CreateGrant (see kms_grant_within), GetPublicKey, Sign, Verify, MACs. */
int kms_grant_constrained(const char *op);

/* 1 when the request's encryption context ctx (a JSON object of strings, or
 * NULL for none) satisfies cons (a grant's Constraints object, or NULL):
 * EncryptionContextEquals — the context is exactly these pairs;
 * EncryptionContextSubset — the context holds at least these pairs. Keys
 * compare case-insensitively and values case-sensitively, as AWS documents
 * for grant constraints, and both by their byte lengths (jsonlen_key,
 * jsonlen_str: a key or value may hold U+0000, so both trees must come
 * from a request or from jsonlen_record). Malformed constraints are not
 * satisfied. */
int kms_grant_context_ok(const cJSON *cons, const cJSON *ctx);

/* 1 when a grant (ops, cons) allows op with the request's context ctx: ops
 * lists op, and cons is satisfied when it applies to op. */
int kms_grant_allows(const cJSON *ops, const cJSON *cons, const char *op, const cJSON *ctx);

/* 1 when a new grant (ops, cons: the CreateGrant request's Operations and
 * Constraints, cons NULL when none) is within a parent grant (pops, pcons)
 * that lists CreateGrant: every operation is one of the parent's, and the
 * constraints are at least as strict — a parent Subset needs a Subset or
 * Equals holding all its pairs, a parent Equals the same Equals. Malformed
 * input is not within. */
int kms_grant_within(const cJSON *pops, const cJSON *pcons, const cJSON *ops, const cJSON *cons);

#endif
