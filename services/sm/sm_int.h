/* sm_int.h — what the Secrets Manager source files share: the secret record,
 * resolution by name / ARN / partial ARN, sealed versions and staging
 * labels. Not for other modules. */
#ifndef AWSEMU_SM_INT_H
#define AWSEMU_SM_INT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/partition.h"
#include "emulator/proto_json.h"
#include "emulator/service.h"
#include "services/sm/secretsmanager.h"
#include "storage/page.h"

#define SM_MAX_VALUE 65536
#define SM_MAX_VERSIONS 100
/* a secret's ARN: "arn:<partition>:secretsmanager:<region>:<account>:secret:"
 * + a name of AWS_SM_NAME_MAX + "-" + 6 */
#define SM_ARN_MAX AWS_ARN_BUF
_Static_assert(SM_ARN_MAX > sizeof "arn::secretsmanager:" + PARTITION_NAME_MAX + 64 + 12 +
                                sizeof ":secret:" + AWS_SM_NAME_MAX + 7,
               "SM_ARN_MAX holds a secret's ARN");

/* The columns of sm_secrets that sm_fill_secret reads, in its order. */
#define SM_COLS                                                                                    \
    "arn, name, account, region, description, kms_key_id, type, created, last_changed, "           \
    "last_accessed, deleted_date, rotation_enabled, rotation_lambda, rotation_rules, "             \
    "last_rotated, next_rotation, primary_region, owning_service, policy"
#define SM_NCOLS 19

typedef struct {
    char arn[SM_ARN_MAX];
    char name[AWS_SM_NAME_MAX + 1];
    char account[13];
    char region[64];
    char *description; /* owned; NULL when never set */
    char *kms_key_id;  /* owned; as given; NULL: the AWS managed key */
    char *type;        /* owned */
    double created, last_changed, last_accessed, deleted_date;
    int rotation_enabled;
    char *rotation_lambda; /* owned */
    char *rotation_rules;  /* owned JSON */
    double last_rotated, next_rotation;
    char primary_region[64]; /* "" on a primary */
    char *owning_service;    /* owned */
    char *policy;            /* owned */
} sm_secret_t;

/* ---- errors (sm_errors.c: each code, status and message written once) ---- */

enum sm_err {
    SM_E_INTERNAL,
    SM_E_NOT_FOUND,
    SM_E_VERSION_NOT_FOUND,
    SM_E_STAGE_NOT_FOUND,
    SM_E_STAGE_NOT_ON_VERSION,
    SM_E_LAMBDA_NOT_FOUND,
    SM_E_MARKED_FOR_DELETION,
    SM_E_ALREADY_SCHEDULED,
    SM_E_NAME_SCHEDULED,
    SM_E_HAS_REPLICAS,
    SM_E_ON_REPLICA,
    SM_E_REPLICA_OF_REPLICA,
    SM_E_NOT_A_REPLICA,
    SM_E_NO_ROTATION_LAMBDA,
    SM_E_ROTATION_PENDING,
    SM_E_LAMBDA_INVOKE,
    SM_E_ROTATION_NOT_ENABLED,
    SM_E_EXISTS,
    SM_E_VERSION_EXISTS,
    SM_E_KMS_DENIED,
    SM_E_ENCRYPTION,
    SM_E_DECRYPTION_KMS,
    SM_E_DECRYPTION,
    SM_E_BAD_NAME,
    SM_E_STRING_AND_BINARY,
    SM_E_VALUE_TOO_BIG,
    SM_E_NO_VALUE,
    SM_E_BAD_TAGS,
    SM_E_TAG_LENGTH,
    SM_E_TAG_AWS_PREFIX,
    SM_E_TAG_KEYS,
    SM_E_TOO_MANY_TAGS,
    SM_E_POLICY_NOT_OBJECT,
    SM_E_POLICY_NO_STATEMENT,
    SM_E_POLICY_NO_EFFECT,
    SM_E_POLICY_BAD_EFFECT,
    SM_E_PUBLIC_POLICY,
    SM_E_BAD_TOKEN,
    SM_E_VERSION_STAGES,
    SM_E_FILTER_KEY,
    SM_E_FILTER_ENUM,
    SM_E_FILTER_VALUES,
    SM_E_FILTER_TOO_MANY,
    SM_E_FILTER_EMPTY,
    SM_E_FILTER_VALUE,
    SM_E_FORCE_AND_WINDOW,
    SM_E_WINDOW_RANGE,
    SM_E_BATCH_EITHER,
    SM_E_BATCH_MAX,
    SM_E_BATCH_ID,
    SM_E_NO_SUCH_VERSION,
    SM_E_STAGE_NOT_ATTACHED,
    SM_E_REMOVE_FROM_NEEDED,
    SM_E_CURRENT_STAYS,
    SM_E_PASSWORD_NO_CHARS,
    SM_E_PASSWORD_SHORT,
    SM_E_RULES_TYPE,
    SM_E_RULES_BOTH,
    SM_E_RULES_SCHEDULE,
    SM_E_REPLICA_REGION,
    SM_E_REPLICA_PRIMARY,
    SM_E_REMOVE_REGION,
};

/* Sets error e on r, its message's "%s" replaced by a then b (NULL: "");
 * SM_E_INTERNAL also rolls back the open transaction. Returns -1. */
int sm_fail(svc_req_t *r, enum sm_err e, const char *a, const char *b);
/* sm_fail(r, SM_E_INTERNAL, ...). */
int sm_internal(svc_req_t *r);

/* ---- resolution and authorization (sm_authz.c) ---------------------------- */

struct authz;
/* r's per-request state (r->svc_ctx): the secret a row's resource function
 * resolved, and the request's condition keys. */
typedef struct sm_ctx sm_ctx_t;

/* Resource functions of the rows. sm_secret_resource: the secret SecretId
 * names (its ARN and resource policy; a missing secret is the id as an ARN,
 * its ResourceNotFoundException left for the handler, so only a caller
 * allowed the action learns it); sm_create_resource: the ARN CreateSecret
 * will give the new secret. Both fill the condition keys. */
int sm_secret_resource(svc_req_t *r, const void *in, struct authz *a);
int sm_create_resource(svc_req_t *r, const void *in, struct authz *a);

/* Finds a secret by name, full ARN or partial ARN (without the 6-character
 * suffix) in r's account and region; purges it first when its recovery
 * window has passed. ResourceNotFoundException when absent. Caller clears. */
int sm_resolve(svc_req_t *r, const char *secret_id, sm_secret_t *out /* OUT */);
/* The secret the request's SecretId names: the one the row's resource
 * function resolved (handed over once), else resolved now. Caller clears. */
int sm_req_secret(svc_req_t *r, const cJSON *in, sm_secret_t *out /* OUT */);
void sm_secret_clear(sm_secret_t *s);
/* Fills s from the current row of a SELECT of SM_COLS. Clear s after. */
void sm_fill_secret(sqlite3_stmt *st, sm_secret_t *s /* OUT */);
/* The ARN CreateSecret gives a new secret named name (the one its resource
 * function authorized, else a fresh suffix) into out (n bytes). */
void sm_new_arn(svc_req_t *r, const char *name, char *out, size_t n);

/* --iam enforce: authorizes r's caller for action on secret s, under its
 * resource policy, with the condition keys of request in (NULL: the
 * secret's only). For checks the row's cannot make: each secret of a batch,
 * the secret a retried CreateSecret answers with. Returns 0 or -1 with
 * AccessDeniedException set. */
int sm_authorize(svc_req_t *r, const char *action, const sm_secret_t *s, const cJSON *in);
/* InvalidRequestException while scheduled for deletion. */
int sm_require_live(svc_req_t *r, const sm_secret_t *s);
/* Deletes secrets in r's scope whose recovery window has passed. */
void sm_purge_due(svc_req_t *r);

/* Seals value as version_id of s (KMS data key under s's key, context
 * {SecretARN, SecretVersionId}) and inserts the version row. Inside the
 * caller's transaction. EncryptionFailure on KMS trouble. */
int sm_store_version(svc_req_t *r, const sm_secret_t *s, const char *version_id,
                     const uint8_t *value, size_t n, int is_binary);
/* Restates the KMS error on r as Secrets Manager's EncryptionFailure or
 * DecryptionFailure; returns -1. */
int sm_kms_failure(svc_req_t *r, int encrypting);
/* Decrypts version_id of s. *value is malloc'd (caller wipes and frees).
 * DecryptionFailure on KMS trouble; ResourceNotFoundException if absent. */
int sm_load_version(svc_req_t *r, const sm_secret_t *s, const char *version_id,
                    uint8_t **value /* OUT */, size_t *n /* OUT */, int *is_binary /* OUT */,
                    double *created /* OUT */);
/* The AWSPENDING version RotateSecret creates before it invokes the
 * function: listed, labelled, but without a value until PutSecretValue. */
int sm_placeholder(svc_req_t *r, const char *arn, const char *version_id);
/* 1 when the version exists, 0 when not, -1 on error (set). */
int sm_version_exists(svc_req_t *r, const char *arn, const char *version_id);
/* 1 when version_id is RotateSecret's placeholder (no value yet), else 0. */
int sm_version_placeholder(svc_req_t *r, const char *arn, const char *version_id);
/* The version holding stage, into out (37+ bytes); 1 found, 0 not. */
int sm_stage_version(svc_req_t *r, const char *arn, const char *stage, char *out, size_t n);
/* Attaches stage to version_id (moving it from any other version), or
 * detaches it when version_id is NULL. */
int sm_set_stage(svc_req_t *r, const char *arn, const char *stage, const char *version_id);
/* Makes version_id AWSCURRENT; the previous current becomes AWSPREVIOUS. */
int sm_make_current(svc_req_t *r, const char *arn, const char *version_id);
/* Drops the oldest unlabelled versions beyond SM_MAX_VERSIONS. */
int sm_prune_versions(svc_req_t *r, const char *arn);
/* Stages of a version as a JSON array. */
cJSON *sm_version_stages(svc_req_t *r, const char *arn, const char *version_id);
/* Marks the secret changed now. */
int sm_touch(svc_req_t *r, const char *arn);
/* Copies the new version to every replica of s (same id and stages). */
int sm_replicate_version(svc_req_t *r, const sm_secret_t *s, const char *version_id);

/* Value members of a request: SecretString or SecretBinary (one at most).
 * *value NULL when neither; caller wipes and frees. */
int sm_req_value(svc_req_t *r, const cJSON *in, uint8_t **value /* OUT */, size_t *n /* OUT */,
                 int *is_binary /* OUT */);
/* ClientRequestToken, or a fresh UUID when absent, into out (65 bytes). */
int sm_req_token(svc_req_t *r, const cJSON *in, char out[65] /* OUT */);
/* Validates a Tags list [{Key, Value}] and writes it for arn. */
int sm_put_tags(svc_req_t *r, const char *arn, const cJSON *tags);
/* Keyset paging (sm_list.c over storage/page.h). sm_page_scope: the scope
 * of a listing's tokens (op, r's account and region, what else decides the
 * listing, the Filters), caller frees, NULL when out of memory;
 * sm_page_read: NextToken (if any) into after (after->n 0: the first page),
 * InvalidNextTokenException for a token not made for scope; sm_page_put:
 * NextToken for the rows after last. */
char *sm_page_scope(svc_req_t *r, const char *op, const char *what, const cJSON *filters);
int sm_page_read(svc_req_t *r, const cJSON *in, const char *scope, page_key_t *after /* OUT */);
void sm_page_put(svc_req_t *r, cJSON *out, const char *scope, const page_key_t *last);
/* The metadata DescribeSecret and ListSecrets share into o; versions_member
 * names the versions map ("VersionIdsToStages" / "SecretVersionsToStages"). */
void sm_secret_json(svc_req_t *r, const sm_secret_t *s, cJSON *o, const char *versions_member);

/* Steps a bound statement and collects its first column (entries may be
 * NULL when out of memory); reset after. Free with sm_strings_free. */
char **sm_strings(sqlite3_stmt *st, size_t *n /* OUT */);
void sm_strings_free(char **v, size_t n);

/* Adds a value as a new version, with AWS's ClientRequestToken
 * idempotency; stages NULL means AWSCURRENT. *created: 1 if added. */
int sm_new_version(svc_req_t *r, sm_secret_t *s, const char *token, const uint8_t *value, size_t n,
                   int is_binary, const cJSON *stages, int *created /* OUT */);
/* Inserts a secret row in r's region (replicas pass primary_region). */
int sm_create_in_region(svc_req_t *r, const char *arn, const char *name, const char *desc,
                        const char *kms, const char *type, const char *primary_region);
/* ListSecrets-style Filters: validation and matching. */
int sm_check_filters(svc_req_t *r, const cJSON *filters);
int sm_filters_match(svc_req_t *r, const sm_secret_t *s, const cJSON *filters);

/* Operations */
int sm_op_create_secret(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_update_secret(svc_req_t *r, const cJSON *in, cJSON *out);
/* Resolves SecretId, runs sql (?1 = the secret's ARN) and answers with the
 * ARN and Name (RestoreSecret, DeleteResourcePolicy). */
int sm_run_on_secret(svc_req_t *r, const cJSON *in, cJSON *out, const char *sql);
int sm_op_describe_secret(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_list_secrets(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_delete_secret(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_restore_secret(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_tag_resource(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_untag_resource(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_get_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_put_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_delete_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_validate_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out);

int sm_op_get_secret_value(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_batch_get_secret_value(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_put_secret_value(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_update_secret_version_stage(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_list_secret_version_ids(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_get_random_password(svc_req_t *r, const cJSON *in, cJSON *out);

int sm_op_rotate_secret(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_cancel_rotate_secret(svc_req_t *r, const cJSON *in, cJSON *out);

int sm_op_replicate_secret_to_regions(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_remove_regions_from_replication(svc_req_t *r, const cJSON *in, cJSON *out);
int sm_op_stop_replication_to_replica(svc_req_t *r, const cJSON *in, cJSON *out);
/* Adds replicas for regions ([{Region, KmsKeyId}]) of s and fills
 * ReplicationStatus into out. */
int sm_add_replicas(svc_req_t *r, const sm_secret_t *s, const cJSON *regions, int force,
                    cJSON *out);
/* ReplicationStatus list of s. */
cJSON *sm_replication_status(svc_req_t *r, const char *arn);

#endif
