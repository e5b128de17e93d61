/* kms_int.h — what the KMS source files share: the key record, key
 * resolution, key material and the ciphertext format. Not for other modules. */
#ifndef AWSEMU_KMS_INT_H
#define AWSEMU_KMS_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/partition.h"
#include "emulator/proto_json.h"
#include "emulator/service.h"
#include "services/kms/kms.h"
#include "storage/page.h"

#define KMS_MATERIAL_LEN 32
#define KMS_MAX_PLAINTEXT 4096
#define KMS_MAX_CIPHERTEXT 6144
#define KMS_ID_LEN 36
/* A key's row id in kms_keys: its key id, and for a multi-Region key
 * "@<region>" after it, as the replicas of one key share its id (one row
 * per region; kms_mrk.c). SQL takes the row id, responses the key id. */
#define KMS_ROW_LEN (KMS_ID_LEN + 1 + 63)
#define KMS_ALIAS_LEN 256 /* alias/... names, as AWS caps them */
/* A key ARN, "arn:<partition>:kms:<region>:<account>:key/<id>", with
 * r->region's 63 characters at most: 137 bytes; 160 as kms.h's callers
 * hold it. */
#define KMS_ARN_BUF 160
_Static_assert(sizeof "arn::kms:" - 1 + PARTITION_NAME_MAX + 63 + 1 + 12 + sizeof ":key/" - 1 +
                       KMS_ID_LEN + 1 <=
                   KMS_ARN_BUF,
               "KMS_ARN_BUF holds a key ARN");

typedef struct {
    char key_id[KMS_ROW_LEN + 1]; /* the row id (KMS_ROW_LEN) */
    char id[KMS_ID_LEN + 1];      /* the key id responses show */
    char arn[KMS_ARN_BUF];
    char account[13];
    char region[64];
    char *description; /* owned */
    char key_usage[32];
    char key_spec[32];
    char origin[32];
    char key_manager[16]; /* CUSTOMER | AWS */
    char state[32];       /* Enabled | Disabled | PendingDeletion */
    double created;
    double deletion_date; /* 0 when not pending */
    int pending_window;
    int rotation_enabled;
    int rotation_period;
    double next_rotation;
    int multi_region;
    int current_version;
    int ondemand_count;
    char *policy;                  /* owned */
    char alias[KMS_ALIAS_LEN + 1]; /* the alias the request named the key by
                              ("alias/x", for kms:RequestAlias), or "" */
} kms_key_t;

/* Resolution flags */
#define KMS_ALLOW_ALIAS 1

struct authz;

/* 1 when s (n bytes) is a key id: a UUID, or "mrk-" and 32 hex digits. */
int kms_is_key_id(const char *s, size_t n);

/* Finds the key named by ref (key id, key ARN, and with KMS_ALLOW_ALIAS an
 * alias name or alias ARN) in r's account and region, applying lazy
 * maintenance first (deletion after the window, automatic rotation).
 * Returns 0, or svc_error(NotFoundException). Caller calls kms_key_clear. */
int kms_resolve(svc_req_t *r, const char *ref, int flags, kms_key_t *out /* OUT */);
/* Loads a key by id in r's scope; 1 found, 0 not found, -1 error (set). */
int kms_load(svc_req_t *r, const char *key_id, kms_key_t *out /* OUT */);
/* kms_load, then what time has brought (deletion after the window,
 * automatic rotation): 1 the key lives, 0 it does not (k cleared), -1. */
int kms_load_live(svc_req_t *r, const char *key_id, kms_key_t *out /* OUT */);
void kms_key_clear(kms_key_t *k);

/* ---- authorization (kms_authz.c) ------------------------------------------
 *
 * The kms_authz_* functions fill an authz_t for one KMS request: the key
 * ARN, the key policy (which must allow, itself or by delegating to IAM),
 * the key's grants (asked only when no policy allows: one indexed query)
 * and the condition keys. What the authz_t points to lives in a
 * kms_authz_t until kms_authz_free. Each returns 0, or -1 with the error
 * set (KMSInternalException; LimitExceededException or TagException for
 * more than 50 request tags). */
typedef struct kms_authz kms_authz_t;

kms_authz_t *kms_authz_new(void); /* NULL when out of memory */
void kms_authz_free(kms_authz_t *z);

/* action on k: action NULL is the row's action for KMS's own requests, and
 * kms:Decrypt when another service (r->service is not "kms") opens a
 * ciphertext; other services' calls get kms:ViaService and
 * kms:CallerAccount. ctx: the encryption context (NULL: the request's
 * EncryptionContext, DestinationEncryptionContext for ReEncryptTo, for
 * KMS's own requests). The key's tags (aws:ResourceTag/<key>) and aliases
 * (kms:ResourceAliases) come from a cache; kms:RequestAlias is k->alias.
 * k must outlive a. */
int kms_authz_key(svc_req_t *r, kms_authz_t *z, const kms_key_t *k, const char *action,
                  const cJSON *ctx, struct authz *a /* OUT */);
/* Adds to a (filled by kms_authz_key) the request's tags: TagResource's
 * Tags list (tags: aws:RequestTag/<key> and aws:TagKeys;
 * LimitExceededException for more than 50) or UntagResource's TagKeys
 * (keys: aws:TagKeys). */
int kms_authz_request_tags(svc_req_t *r, kms_authz_t *z, const cJSON *tags, const cJSON *keys,
                           struct authz *a);
/* Adds to a (filled by kms_authz_key) one more condition key of the
 * request, name = value (both outlive a): kms:ReplicaRegion,
 * kms:WrappingAlgorithm... z: kms_request_authz(r). */
int kms_authz_extra(svc_req_t *r, kms_authz_t *z, const char *name, const char *value,
                    struct authz *a);
/* Adds to a (filled by kms_authz_key) CreateGrant's kms:GrantOperations,
 * kms:GranteePrincipal, kms:RetiringPrincipal, kms:GrantConstraintType and
 * kms:GrantIsForAWSResource from the request in, and lets a grant of the
 * caller allow it when the new grant is within it. */
int kms_authz_create_grant(svc_req_t *r, kms_authz_t *z, const cJSON *in, struct authz *a);

/* CreateKey (resource "*", IAM policies only) with its condition keys:
 * kms:CallerAccount, kms:KeySpec, kms:KeyUsage, kms:KeyOrigin,
 * kms:MultiRegion, kms:BypassPolicyLockoutSafetyCheck, and for tags (the
 * request's Tags list, or NULL) aws:RequestTag/<key> and aws:TagKeys. */
int kms_authz_create_key(svc_req_t *r, kms_authz_t *z, const char *spec, const char *usage,
                         const char *origin, int multi_region, int bypass, const cJSON *tags,
                         struct authz *a /* OUT */);

/* RetireGrant of one grant of k (grant_id, its grantee, its retiring
 * principal or NULL, its Operations as JSON text): allowed for the grant's
 * retiring principal, its grantee when it lists RetireGrant, the account's
 * root user, and principals whose IAM policies allow kms:RetireGrant on k
 * (the key policy does not count); an explicit deny in IAM policies wins.
 * The strings must outlive a. */
int kms_authz_retire(svc_req_t *r, kms_authz_t *z, const kms_key_t *k, const char *grant_id,
                     const char *grantee, const char *retiring, const char *operations,
                     struct authz *a /* OUT */);

/* kms_authz_key and authz_check at once, for what the row's resource
 * function cannot name: other services' calls (kms_data_key, kms_unwrap),
 * ReEncrypt's two keys, ListAliases' KeyId. With --iam off, 0 at once.
 * Returns 0 or -1 with AccessDeniedException (or the errors above) set. */
int kms_authorize(svc_req_t *r, const kms_key_t *k, const char *action, const cJSON *ctx);

/* ---- the request (kms_request.c) -------------------------------------------
 *
 * A KMS request's rows name their key through a resource function, which
 * the router calls before the handler (--iam enforce): it validates the
 * request's members (kms_input, so errors keep AWS's order: validation,
 * then NotFoundException, then AccessDeniedException), resolves the key
 * once and fills the authz_t. The handler then takes the key with
 * kms_key. Both live in r->svc_ctx until the request ends. */

/* The first member of every row's arguments struct. */
typedef struct {
    const char *key_ref; /* the member naming the key, or NULL */
} kms_args_t;

/* How a row reads its request: parse validates the members, in AWS's
 * order, into args (a zeroed struct of size bytes beginning with a
 * kms_args_t); 0 or -1 with the error set. */
typedef struct {
    size_t size;
    int (*parse)(svc_req_t *r, const cJSON *in, void *args);
    void (*drop)(void *args); /* frees what parse allocated, or NULL */
    int flags;                /* kms_resolve flags for key_ref */
} kms_input_t;

/* r's arguments as spec parses them, parsed once per request (the
 * resource function, then the handler, ask); NULL with the error set. */
void *kms_input(svc_req_t *r, const cJSON *in, const kms_input_t *spec);

/* The resource function of rows that act on the key args->key_ref names:
 * parses the input, resolves the key (NotFoundException) and fills a for
 * the row's action (kms_authz_key). */
int kms_key_resource(svc_req_t *r, const void *in, struct authz *a, const kms_input_t *spec);

/* Defines resource function fn for rows whose input is spec. */
#define KMS_KEY_RESOURCE(fn, spec)                                                                 \
    int fn(svc_req_t *r, const void *in, struct authz *a)                                          \
    {                                                                                              \
        return kms_key_resource(r, in, a, &spec);                                                  \
    }

/* Installs k as r's resolved key (moved: k is left empty) and returns it
 * (NULL with the error set); z gets the request's kms_authz_t to fill the
 * router's authz_t from, NULL with --iam off (nothing to fill). For
 * resource functions that find their key their own way (Decrypt's
 * ciphertext, RetireGrant's grant). */
kms_key_t *kms_set_key(svc_req_t *r, kms_key_t *k, kms_authz_t **z /* OUT */);
/* The request's (empty) key record, to look the key up into before
 * kms_set_key (which then moves nothing); NULL with the error set. */
kms_key_t *kms_key_slot(svc_req_t *r);

/* The request's kms_authz_t (for resource functions on no key); NULL with
 * the error set. */
kms_authz_t *kms_request_authz(svc_req_t *r);

/* The key the row's resource function resolved (owned by the request).
 * When the router did not call it (--iam off), calls it now, and in
 * --iam enforce mode checks it (fail closed). NULL with the error set. */
kms_key_t *kms_key(svc_req_t *r, const cJSON *in);

/* The input of rows naming their key by a required KeyId: key id, key
 * ARN, and with ..._alias, alias name or alias ARN. */
extern const kms_input_t kms_key_id_input, kms_key_id_alias_input;
int kms_res_key_id(svc_req_t *r, const void *in, struct authz *a);
int kms_res_key_id_alias(svc_req_t *r, const void *in, struct authz *a);
/* The other rows' resource functions, each beside its handler. CreateKey's
 * names no key: "*" with the requested key's condition keys. */
int kms_res_create_key(svc_req_t *r, const void *in, struct authz *a);
int kms_res_encrypt(svc_req_t *r, const void *in, struct authz *a);
int kms_res_decrypt(svc_req_t *r, const void *in, struct authz *a);
int kms_res_data_key(svc_req_t *r, const void *in, struct authz *a);
int kms_res_data_key_np(svc_req_t *r, const void *in, struct authz *a);
int kms_res_schedule_deletion(svc_req_t *r, const void *in, struct authz *a);
int kms_res_enable_rotation(svc_req_t *r, const void *in, struct authz *a);
int kms_res_list_rotations(svc_req_t *r, const void *in, struct authz *a);
int kms_res_update_description(svc_req_t *r, const void *in, struct authz *a);
int kms_res_tag(svc_req_t *r, const void *in, struct authz *a);
int kms_res_untag(svc_req_t *r, const void *in, struct authz *a);
int kms_res_list_tags(svc_req_t *r, const void *in, struct authz *a);
int kms_res_get_policy(svc_req_t *r, const void *in, struct authz *a);
int kms_res_put_policy(svc_req_t *r, const void *in, struct authz *a);
int kms_res_list_policies(svc_req_t *r, const void *in, struct authz *a);
int kms_res_alias_target(svc_req_t *r, const void *in, struct authz *a);
int kms_res_update_alias(svc_req_t *r, const void *in, struct authz *a);
int kms_res_delete_alias(svc_req_t *r, const void *in, struct authz *a);
int kms_res_create_grant(svc_req_t *r, const void *in, struct authz *a);
int kms_res_list_grants(svc_req_t *r, const void *in, struct authz *a);
int kms_res_retire_grant(svc_req_t *r, const void *in, struct authz *a);
int kms_res_revoke_grant(svc_req_t *r, const void *in, struct authz *a);

/* Records that some key's tags or aliases changed: their cached copies are
 * read again. Call on every write of kms_tags or kms_aliases. */
void kms_attrs_changed(void);
/* Frees the cached tags and aliases (reset, shutdown). */
void kms_attrs_reset(void);

/* ---- multi-Region keys and imported material (kms_mrk.c, kms_import.c) ---- */

struct evp_pkey_st;
/* CreateKey's row of key spec and usage for a multi-Region key (multi) or
 * an EXTERNAL origin key (no material, PendingImport); pkey: the pair of
 * an asymmetric AWS_KMS key. key_id gets the row id. */
int kms_insert_key_ext(svc_req_t *r, const char *spec, const char *usage, const char *desc,
                       const char *policy, const char *origin, int multi,
                       struct evp_pkey_st *pkey, char key_id[KMS_ROW_LEN + 1] /* OUT */);
/* What time has brought to k's key in other regions (replicas deleted:
 * a primary's PendingReplicaDeletion ends); k's state reread. 0 or -1. */
int kms_mrk_maintain(svc_req_t *r, kms_key_t *k);
/* What time has brought to k's imported material (ValidTo passed: the
 * material is deleted, PendingImport). 0 or -1. */
int kms_import_maintain(svc_req_t *r, kms_key_t *k);
/* Copies material version of k (a primary; else nothing) to its replicas,
 * which take it as their current version: rotation. 0 or -1. */
int kms_mrk_propagate(svc_req_t *r, const kms_key_t *k, int version);
/* DescribeKey's MultiRegionConfiguration; ValidTo and ExpirationModel. */
void kms_mrk_metadata(svc_req_t *r, const kms_key_t *k, cJSON *m);
void kms_import_metadata(svc_req_t *r, const kms_key_t *k, cJSON *m);
/* ListKeyRotations' ImportState (imported: the material is there, not
 * deleted or expired), ExpirationModel and ValidTo of an EXTERNAL key's
 * material version. */
void kms_import_rotation(svc_req_t *r, const kms_key_t *k, int version, int imported, cJSON *e);
/* RotateKeyOnDemand of a symmetric EXTERNAL key: its material pending
 * rotation becomes current (ValidationException when there is none). */
int kms_import_rotate(svc_req_t *r, kms_key_t *k);
int kms_res_delete_import(svc_req_t *r, const void *in, struct authz *a);
/* ScheduleKeyDeletion of a primary with replicas: PendingReplicaDeletion
 * and out filled (1); 0 when k is not such a key; -1 on error. */
int kms_mrk_schedule_deletion(svc_req_t *r, const kms_key_t *k, int days, cJSON *out);
int kms_res_replicate(svc_req_t *r, const void *in, struct authz *a);
int kms_res_update_primary(svc_req_t *r, const void *in, struct authz *a);
int kms_res_get_import_params(svc_req_t *r, const void *in, struct authz *a);
int kms_res_import(svc_req_t *r, const void *in, struct authz *a);
int kms_op_replicate_key(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_update_primary_region(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_get_parameters_for_import(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_import_key_material(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_delete_imported_key_material(svc_req_t *r, const cJSON *in, cJSON *out);

/* Deletes the keys in r's scope whose deletion window has passed. */
void kms_purge_due(svc_req_t *r);

/* Errors for keys that are not in a usable state for cryptography:
 * DisabledException, KMSInvalidStateException. Returns 0 when Enabled. */
int kms_require_enabled(svc_req_t *r, const kms_key_t *k);
/* KMSInvalidStateException when the key is pending deletion. */
int kms_require_not_pending(svc_req_t *r, const kms_key_t *k);
/* A DryRun that would succeed: DryRunOperationException. in: the request. */
int kms_dry_run(svc_req_t *r, const cJSON *in);

/* Inserts a new symmetric key row and its first material (inside the
 * caller's transaction); key_id gets the new id. */
int kms_insert_key(svc_req_t *r, const char *desc, const char *policy, const char *manager,
                   char key_id[37] /* OUT */);

/* Adds a new material version (rotation). type: "AUTOMATIC" | "ON_DEMAND".
 * Returns 0 or -1 (error set). Runs inside the caller's transaction if any. */
int kms_add_material(svc_req_t *r, kms_key_t *k, const char *type);
/* Creates the first material of a new key row. */
int kms_new_material(svc_req_t *r, const char *key_id, const char *arn, double now);

/* Drops cached material of one key (disable, delete). */
void kms_cache_forget(const char *key_id);
/* Wipes all cached material (reset); release: frees the cache (exit). */
void kms_material_drop(int release);

/* Seals pt under the key's current material and ctx: a ciphertext blob
 * (caller frees, wipes nothing: it is not secret). */
int kms_seal(svc_req_t *r, const kms_key_t *k, const cJSON *ctx, const uint8_t *pt, size_t n,
             uint8_t **blob /* OUT */, size_t *blen /* OUT */);
/* Opens a blob: kms_open_key, kms_authorize for action on the key, then
 * kms_open_with. For other services' calls and ReEncrypt. */
int kms_open(svc_req_t *r, const uint8_t *blob, size_t blen, const cJSON *ctx,
             const char *expect_key, const char *action, kms_key_t *k /* OUT */,
             uint8_t **pt /* OUT */, size_t *ptlen /* OUT */, char material_id[65] /* OUT */);
/* The key of a blob (loaded into k, caller clears): InvalidCiphertextException
 * when the blob is not one or its key is gone. expect_key: a KeyId the caller
 * named (IncorrectKeyException when it is another key; its alias becomes
 * k->alias), or NULL. */
int kms_open_key(svc_req_t *r, const uint8_t *blob, size_t blen, const char *expect_key,
                 kms_key_t *k /* OUT */);
/* Decrypts a blob of k (from kms_open_key) once the key's state allows:
 * *pt is malloc'd; the caller wipes and frees it. material_id gets the
 * material's id. */
int kms_open_with(svc_req_t *r, const kms_key_t *k, const uint8_t *blob, size_t blen,
                  const cJSON *ctx, uint8_t **pt /* OUT */, size_t *ptlen /* OUT */,
                  char material_id[65] /* OUT */);

/* The material id of a key's current version ("" if unknown). */
void kms_current_material_id(svc_req_t *r, const kms_key_t *k, char out[65] /* OUT */);

/* DescribeKey's KeyMetadata for k. */
cJSON *kms_metadata(svc_req_t *r, const kms_key_t *k);

/* The default key policy (account root, kms:*); caller frees. */
char *kms_default_policy(const char *account, const char *region);
/* Validates a key policy document; 0 or MalformedPolicyDocumentException. */
int kms_check_policy(svc_req_t *r, const char *doc);

/* Tags: validates a Tags list [{TagKey, TagValue}] and writes it for key_id
 * (inside the caller's transaction). */
int kms_put_tags(svc_req_t *r, const char *key_id, const cJSON *tags);

/* KMSInternalException for a database error (an open transaction is rolled
 * back); returns -1. */
int kms_internal(svc_req_t *r);
/* Runs a one-statement update on a key: sql with ?1 = key_id and, when
 * text is not NULL, ?2 = text. 0 or kms_internal. */
int kms_key_update(svc_req_t *r, const char *sql, const char *key_id, const char *text);
/* UnsupportedOperationException when k is an AWS managed key (op: the
 * operation's name). */
int kms_not_aws_managed(svc_req_t *r, const kms_key_t *k, const char *op);

/* ---- listings (kms_page.c) ------------------------------------------------
 *
 * A Marker is a storage/page.h token for the listing's scope: r's
 * operation, account and region, and the request's filters. Each listing
 * has two statements (page.h): the first page, and the rows after the
 * Marker's key (PAGE_NEXT1 on its ORDER BY, unique). */

/* The input of List* rows: Limit (1..max, default dflt) and Marker, read
 * by kms_page_parse; their parse functions add KeyId and the rest, then
 * kms_page_check the Marker against those filters. */
typedef struct {
    kms_args_t h;
    long limit;
    const char *marker;  /* the request's, NULL on the first page */
    const char *include; /* ListKeyRotations' IncludeKeyMaterial */
    page_key_t after;    /* the Marker's key (kms_page_check); n 0: none */
    char scope[160];     /* "kms:<op>:<account>:<region>:<sha256 of filters hex>" */
} kms_page_args_t;
int kms_page_parse(svc_req_t *r, const cJSON *in, kms_page_args_t *v /* OUT */, long dflt,
                   long max);
/* Reads v's Marker for the listing that filters[0..n) (NULL: absent)
 * select into v->after; 0, or InvalidMarkerException for a Marker that
 * is not one this listing made (forged, altered, another listing's). */
int kms_page_check(svc_req_t *r, kms_page_args_t *v, const char *const *filters, int n);

/* Emits one row of a listing into list. */
typedef void kms_row_fn(svc_req_t *r, sqlite3_stmt *st, cJSON *list, const void *ctx);
/* One page: binds st's page parameters from v (st: the statement for
 * v->after, sql[v->after.n > 0]), emits up to v->limit rows with row(),
 * the sort key in column key_col, then Truncated and NextMarker into out.
 * Finishes st in any case. 0 or KMSInternalException. */
int kms_page_run(svc_req_t *r, sqlite3_stmt *st, const kms_page_args_t *v, int key_col,
                 cJSON *list, kms_row_fn *row, const void *ctx, cJSON *out);
/* Truncated (marker != NULL) and NextMarker. */
void kms_page_end(cJSON *out, const char *marker);

/* Operation handlers, one per file group. */
int kms_op_create_key(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_describe_key(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_list_keys(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_enable_key(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_disable_key(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_schedule_key_deletion(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_cancel_key_deletion(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_enable_key_rotation(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_disable_key_rotation(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_get_key_rotation_status(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_get_key_last_usage(svc_req_t *r, const cJSON *in, cJSON *out);

/* A successful cryptographic use of key_id by r (sealing: it encrypted;
 * else it decrypted), for GetKeyLastUsage (kms_usage.c). */
void kms_note_use(svc_req_t *r, const char *key_id, int sealing);
/* Forgets the unwritten uses (an admin reset). */
void kms_usage_forget(void);
int kms_op_rotate_key_on_demand(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_list_key_rotations(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_update_key_description(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_tag_resource(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_untag_resource(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_list_resource_tags(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_get_key_policy(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_put_key_policy(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_list_key_policies(svc_req_t *r, const cJSON *in, cJSON *out);

int kms_op_encrypt(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_decrypt(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_re_encrypt(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_generate_data_key(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_generate_data_key_without_plaintext(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_generate_random(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_get_public_key(svc_req_t *r, const cJSON *in, cJSON *out);

int kms_op_create_alias(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_update_alias(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_delete_alias(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_list_aliases(svc_req_t *r, const cJSON *in, cJSON *out);

int kms_op_create_grant(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_list_grants(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_list_retirable_grants(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_retire_grant(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_revoke_grant(svc_req_t *r, const cJSON *in, cJSON *out);

int kms_op_describe_custom_key_stores(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_create_custom_key_store(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_custom_key_store(svc_req_t *r, const cJSON *in, cJSON *out);

#endif
