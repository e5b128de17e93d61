/* kms_keys.c — key lifecycle: create, describe, list, enable/disable,
 * deletion, rotation, description (tags and key policies: kms_policy.c). */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "base/limits.h"
#include "storage/db.h"

static const char *const key_usages[] = {"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC",
                                         "KEY_AGREEMENT", NULL};
/* the model's enums, a few to a line */
/* clang-format off */
static const char *const key_specs[] = {
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
    "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
    "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519", NULL};
static const char *const cmk_specs[] = {
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
    "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
    "SM2", NULL};
/* clang-format on */
static const char *const origins[] = {"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE",
                                      NULL};

#define DAY 86400.0

static int internal(svc_req_t *r)
{
    return kms_internal(r);
}

/* The key of a row whose only member before the key is KeyId. */
static kms_key_t *req_key(svc_req_t *r, const cJSON *in)
{
    if (kms_input(r, in, &kms_key_id_input) == NULL)
        return NULL;
    return kms_key(r, in);
}

int kms_insert_key(svc_req_t *r, const char *desc, const char *policy, const char *manager,
                   char key_id[37])
{
    char arn[AWS_ARN_BUF];
    int rc;

    codec_uuid(key_id);
    snprintf(arn, sizeof arn, "arn:%s:kms:%s:%s:key/%s", partition_name(r->region), r->region,
             r->account, key_id);
    rc = db_run(r->emu->db,
                "INSERT INTO kms_keys (key_id, account, region, arn, description, key_usage, "
                "key_spec, origin, key_manager, state, created, policy, seq) VALUES (?1, ?2, ?3, "
                "?4, ?5, 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT', 'AWS_KMS', ?6, 'Enabled', ?7, ?8, "
                "(SELECT IFNULL(MAX(seq), 0) + 1 FROM kms_keys))",
                "ssssssds", key_id, r->account, r->region, arn, desc, manager, r->now, policy);
    if (rc != 0)
        return internal(r);
    return kms_new_material(r, key_id, arn, r->now);
}

/* What AWS calls the managed keys' owners in their descriptions. */
static const struct {
    const char *service, *what;
} managed[] = {
    {"secretsmanager", "Secrets Manager data"},
    {"s3", "S3 objects"},
};

int kms_managed_key(svc_req_t *r, const char *service, char key_id[37])
{
    char alias[64], desc[160], *policy = NULL;
    const char *what = NULL;
    sqlite3_stmt *st;
    size_t i;
    int rc, own_tx;

    for (i = 0; i < sizeof managed / sizeof managed[0]; i++)
        if (!strcmp(managed[i].service, service))
            what = managed[i].what;
    if (what == NULL)
        return svc_error(r, KMS_E_NO_MANAGED_KEY, service);
    snprintf(alias, sizeof alias, "alias/aws/%s", service);
    st = db_query(r->emu->db,
                  "SELECT key_id FROM kms_aliases WHERE account=?1 AND region=?2 AND name=?3",
                  "sss", r->account, r->region, alias);
    if ((rc = db_row(st)) == 1)
        snprintf(key_id, 37, "%s", db_text(st, 0));
    db_done(st);
    if (rc != 0)
        return rc == 1 ? 0 : internal(r);

    snprintf(desc, sizeof desc, "Default key that protects my %s when no other key is defined",
             what);
    {
        buf_t b;
        buf_init(&b, 0);
        buf_printf(&b,
                   "{\"Version\":\"2012-10-17\",\"Id\":\"auto-%s-2\",\"Statement\":[{\"Sid\":"
                   "\"Allow access through %s for all principals in the account that are "
                   "authorized to use it\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
                   "\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:ReEncrypt*\","
                   "\"kms:GenerateDataKey*\",\"kms:CreateGrant\",\"kms:DescribeKey\"],"
                   "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":"
                   "\"%s\",\"kms:ViaService\":\"%s.%s.%s\"}}},{\"Sid\":\"Allow direct "
                   "access to key metadata to the account\",\"Effect\":\"Allow\",\"Principal\":"
                   "{\"AWS\":\"arn:%s:iam::%s:root\"},\"Action\":[\"kms:Describe*\",\"kms:Get*\","
                   "\"kms:List*\",\"kms:RevokeGrant\"],\"Resource\":\"*\"}]}",
                   service, what, r->account, service, r->region,
                   partition_of(r->region)->dns_suffix, partition_name(r->region), r->account);
        policy = buf_steal(&b, NULL);
    }
    own_tx = !db_in_tx(r->emu->db);
    if (own_tx && db_begin(r->emu->db) != 0) {
        free(policy);
        return internal(r);
    }
    rc = kms_insert_key(r, desc, policy, "AWS", key_id);
    free(policy);
    if (rc == 0) {
        rc = db_run(r->emu->db,
                    "INSERT INTO kms_aliases (account, region, name, key_id, created, updated) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    "ssssd", r->account, r->region, alias, key_id, r->now);
        kms_attrs_changed();
        if (rc != 0)
            internal(r);
    }
    if (own_tx) {
        if (rc == 0 && db_commit(r->emu->db) != 0)
            rc = internal(r);
        else if (rc != 0)
            db_rollback(r->emu->db);
    }
    return rc;
}

typedef struct {
    kms_args_t h;
    const char *policy, *desc, *usage, *spec, *cmkspec, *origin, *store;
    const cJSON *tags;
    int multi, bypass;
} create_key_args_t;

static int create_key_parse(svc_req_t *r, const cJSON *in, void *args)
{
    create_key_args_t *v = args;

    v->desc = "";
    v->usage = "ENCRYPT_DECRYPT";
    v->origin = "AWS_KMS";
    return json_str(r, in, "Policy", 0, 1, 32768, &v->policy) ||
                   json_str(r, in, "Description", 0, 0, 8192, &v->desc) ||
                   json_enum(r, in, "KeyUsage", 0, key_usages, &v->usage) ||
                   json_enum(r, in, "KeySpec", 0, key_specs, &v->spec) ||
                   json_enum(r, in, "CustomerMasterKeySpec", 0, cmk_specs, &v->cmkspec) ||
                   json_enum(r, in, "Origin", 0, origins, &v->origin) ||
                   json_str(r, in, "CustomKeyStoreId", 0, 1, 64, &v->store) ||
                   json_bool(r, in, "BypassPolicyLockoutSafetyCheck", &v->bypass, NULL) ||
                   json_list(r, in, "Tags", 0, 0, 0, &v->tags) ||
                   json_bool(r, in, "MultiRegion", &v->multi, NULL)
               ? -1
               : 0;
}

static const kms_input_t create_key_input = {sizeof(create_key_args_t), create_key_parse, NULL, 0};

/* Resource "*" with the requested key's condition keys. */
int kms_res_create_key(svc_req_t *r, const void *in, struct authz *a)
{
    const create_key_args_t *v = kms_input(r, in, &create_key_input);
    kms_authz_t *z;

    if (v == NULL || (z = kms_request_authz(r)) == NULL)
        return -1;
    return kms_authz_create_key(r, z,
                                v->spec      ? v->spec
                                : v->cmkspec ? v->cmkspec
                                             : "SYMMETRIC_DEFAULT",
                                v->usage, v->origin, v->multi, v->bypass, v->tags, a);
}

/* The key's row, its material (pkey: an asymmetric key's pair, or NULL)
 * and tags, in one transaction; then KeyMetadata into out. */
static int create_insert(svc_req_t *r, const create_key_args_t *v, const char *spec,
                         EVP_PKEY *pkey, cJSON *out)
{
    char key_id[KMS_ROW_LEN + 1], *defpolicy = NULL;
    const char *policy = v->policy;
    kms_key_t k;
    int rc;

    if (policy == NULL && (policy = defpolicy = kms_default_policy(r->account, r->region)) == NULL)
        return svc_error(r, KMS_E_OOM);
    if (db_begin(r->emu->db) != 0) {
        free(defpolicy);
        return internal(r);
    }
    if (v->multi || strcmp(v->origin, "AWS_KMS") != 0) /* kms_mrk.c */
        rc = kms_insert_key_ext(r, spec, v->usage, v->desc, policy, v->origin, v->multi, pkey,
                                key_id);
    else
        rc = strcmp(spec, "SYMMETRIC_DEFAULT") != 0
                 ? kms_insert_asym_key(r, kms_spec(spec), v->usage, v->desc, policy, pkey, key_id)
                 : kms_insert_key(r, v->desc, policy, "CUSTOMER", key_id);
    free(defpolicy);
    if (rc != 0 || (v->tags && kms_put_tags(r, key_id, v->tags) != 0)) {
        db_rollback(r->emu->db);
        return -1;
    }
    if (db_commit(r->emu->db) != 0)
        return internal(r);
    if (kms_load(r, key_id, &k) != 1)
        return -1;
    cJSON_AddItemToObject(out, "KeyMetadata", kms_metadata(r, &k));
    kms_key_clear(&k);
    return 0;
}

/* A slow key pair is ready (kms_keygen_async): the key is created now. */
static void create_generated(svc_req_t *r, EVP_PKEY *pkey, void *arg)
{
    const create_key_args_t *v = kms_input(r, r->input, &create_key_input);
    int rc = -1;

    (void)arg;
    if (v == NULL)
        ;
    else if (pkey == NULL)
        svc_error(r, KMS_E_KEYGEN);
    else
        rc = create_insert(r, v, v->spec ? v->spec : v->cmkspec, pkey, r->pending_out);
    EVP_PKEY_free(pkey);
    proto_json_finish(r, rc); /* r is gone after it */
}

int kms_op_create_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const create_key_args_t *v = kms_input(r, in, &create_key_input);
    const char *policy, *usage, *spec, *cmkspec, *origin, *store;
    const kms_spec_t *s;
    const cJSON *tags;
    EVP_PKEY *pkey = NULL;
    int rc, external;

    if (v == NULL)
        return -1;
    policy = v->policy;
    usage = v->usage;
    spec = v->spec;
    cmkspec = v->cmkspec;
    origin = v->origin;
    store = v->store;
    tags = v->tags;
    if (spec && cmkspec)
        return svc_error(r, KMS_E_SPEC_AND_CMKSPEC);
    if (spec == NULL)
        spec = cmkspec ? cmkspec : "SYMMETRIC_DEFAULT";
    if (kms_spec_check(r, spec, usage) != 0)
        return -1;
    if (store || !strcmp(origin, "AWS_CLOUDHSM") || !strcmp(origin, "EXTERNAL_KEY_STORE")) {
        if (store == NULL)
            return svc_error(r, KMS_E_ORIGIN_STORE, origin);
        return svc_error(r, KMS_E_NO_KEY_STORE, store);
    }
    if (policy && kms_check_policy(r, policy) != 0)
        return -1;
    if (tags && cJSON_GetArraySize(tags) > 50)
        return svc_error(r, KMS_E_CREATE_TAG_LIMIT);

    s = kms_spec(spec);
    external = !strcmp(origin, "EXTERNAL"); /* its material comes by import */
    /* RSA takes seconds: generated off the loop, the key created after */
    if (!external && kms_keygen_slow(s))
        return kms_keygen_async(r, s, create_generated, NULL) == 0 ? svc_defer(r) : -1;
    if (!external && s->kind != KMS_KIND_SYMMETRIC && s->kind != KMS_KIND_HMAC &&
        (pkey = kms_keygen(s)) == NULL)
        return svc_error(r, KMS_E_KEYGEN);
    rc = create_insert(r, v, spec, pkey, out);
    EVP_PKEY_free(pkey);
    return rc;
}

int kms_op_describe_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k;

    if (kms_input(r, in, &kms_key_id_alias_input) == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    cJSON_AddItemToObject(out, "KeyMetadata", kms_metadata(r, k));
    return 0;
}

static void key_row(svc_req_t *r, sqlite3_stmt *st, cJSON *list, const void *ctx)
{
    cJSON *e = cJSON_CreateObject();

    (void)r;
    (void)ctx;
    cJSON_AddStringToObject(e, "KeyId", db_text(st, 0));
    cJSON_AddStringToObject(e, "KeyArn", db_text(st, 1));
    cJSON_AddItemToArray(list, e);
}

int kms_op_list_keys(svc_req_t *r, const cJSON *in, cJSON *out)
{
    /* in creation order: seq (MAX + 1 when inserted) is unique, and
     * kms_keys_scope (account, region, seq) the index of both statements */
#define KEYS "SELECT substr(key_id, 1, 36), arn, seq FROM kms_keys WHERE account=?1 AND region=?2"
    static const char *const sql[2] = {
        KEYS PAGE_ORDER1("seq"),
        KEYS " AND " PAGE_NEXT1("seq") PAGE_ORDER1("seq"),
    };
#undef KEYS
    kms_page_args_t v;

    if (kms_page_parse(r, in, &v, 100, 1000) || kms_page_check(r, &v, NULL, 0))
        return -1;
    kms_purge_due(r);
    return kms_page_run(r, db_query(r->emu->db, sql[v.after.n > 0], "ss", r->account, r->region),
                        &v, 2, cJSON_AddArrayToObject(out, "Keys"), key_row, NULL, out);
}

static int set_state(svc_req_t *r, const cJSON *in, const char *state, const char *op)
{
    kms_key_t *k = req_key(r, in);
    int rc;

    if (k == NULL || kms_require_not_pending(r, k) || kms_not_aws_managed(r, k, op))
        return -1;
    if (!strcmp(k->state, "PendingImport"))
        return svc_error(r, KMS_E_PENDING_IMPORT, k->arn);
    rc = kms_key_update(r,
                        !strcmp(state, "Enabled")
                            ? "UPDATE kms_keys SET state='Enabled' WHERE key_id=?1"
                            : "UPDATE kms_keys SET state='Disabled' WHERE key_id=?1",
                        k->key_id, NULL);
    if (rc == 0 && strcmp(state, "Enabled") != 0)
        kms_cache_forget(k->key_id);
    return rc;
}

int kms_op_enable_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    (void)out;
    return set_state(r, in, "Enabled", "EnableKey");
}

int kms_op_disable_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    (void)out;
    return set_state(r, in, "Disabled", "DisableKey");
}

typedef struct {
    kms_args_t h;
    long days;
} schedule_args_t;

static int schedule_parse(svc_req_t *r, const cJSON *in, void *args)
{
    schedule_args_t *v = args;

    v->days = 30;
    if (json_int(r, in, "PendingWindowInDays", 0, 1, 365, &v->days, NULL) != 0)
        return -1;
    if (v->days < 7 || v->days > 30)
        return svc_error(r, KMS_E_PENDING_WINDOW, v->days,
                         v->days < 7 ? "greater than or equal to 7" : "less than or equal to 30");
    return json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref);
}

static const kms_input_t schedule_input = {sizeof(schedule_args_t), schedule_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_schedule_deletion, schedule_input)

int kms_op_schedule_key_deletion(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const schedule_args_t *v = kms_input(r, in, &schedule_input);
    kms_key_t *k;
    double when;
    int rc;

    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) ||
        kms_not_aws_managed(r, k, "ScheduleKeyDeletion"))
        return -1;
    if ((rc = kms_mrk_schedule_deletion(r, k, (int)v->days, out)) != 0)
        return rc < 0 ? -1 : 0; /* a primary waiting for its replicas */
    when = r->now + (double)v->days * DAY;
    if (db_run(r->emu->db,
               "UPDATE kms_keys SET state='PendingDeletion', deletion_date=?2, pending_window=?3 "
               "WHERE key_id=?1",
               "sdi", k->key_id, when, (int)v->days) != 0)
        return internal(r);
    kms_cache_forget(k->key_id);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    json_put_time(out, "DeletionDate", when);
    cJSON_AddStringToObject(out, "KeyState", "PendingDeletion");
    cJSON_AddNumberToObject(out, "PendingWindowInDays", (double)v->days);
    return 0;
}

int kms_op_cancel_key_deletion(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k = req_key(r, in);

    if (k == NULL)
        return -1;
    if (strcmp(k->state, "PendingDeletion") != 0 && strcmp(k->state, "PendingReplicaDeletion") != 0)
        return svc_error(r, KMS_E_NOT_PENDING, k->arn);
    if (kms_key_update(r,
                       "UPDATE kms_keys SET state='Disabled', deletion_date=NULL, "
                       "pending_window=NULL WHERE key_id=?1",
                       k->key_id, NULL) != 0)
        return -1;
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    return 0;
}

/* Rotation applies to symmetric customer managed keys with AWS_KMS
 * material. */
static int rotation_allowed(svc_req_t *r, const kms_key_t *k, const char *op)
{
    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_spec, "SYMMETRIC_DEFAULT") != 0 || strcmp(k->origin, "AWS_KMS") != 0)
        return svc_error(r, KMS_E_ROTATION_KEY, k->arn, k->key_spec, k->origin, op);
    if (k->multi_region == 2) /* the primary's rotation reaches it */
        return svc_error(r, KMS_E_NOT_PRIMARY, k->arn, op);
    return kms_not_aws_managed(r, k, op);
}

typedef struct {
    kms_args_t h;
    long period;
} rotation_args_t;

static int rotation_parse(svc_req_t *r, const cJSON *in, void *args)
{
    rotation_args_t *v = args;

    v->period = 365;
    return json_int(r, in, "RotationPeriodInDays", 0, 90, 2560, &v->period, NULL) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref)
               ? -1
               : 0;
}

static const kms_input_t rotation_input = {sizeof(rotation_args_t), rotation_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_enable_rotation, rotation_input)

int kms_op_enable_key_rotation(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const rotation_args_t *v = kms_input(r, in, &rotation_input);
    kms_key_t *k;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL ||
        rotation_allowed(r, k, "EnableKeyRotation") != 0)
        return -1;
    if (db_run(r->emu->db,
               "UPDATE kms_keys SET rotation_enabled=1, rotation_period=?2, next_rotation=?3 "
               "WHERE key_id=?1",
               "sid", k->key_id, (int)v->period, r->now + (double)v->period * DAY) != 0)
        return internal(r);
    return 0;
}

int kms_op_disable_key_rotation(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k = req_key(r, in);

    (void)out;
    if (k == NULL || rotation_allowed(r, k, "DisableKeyRotation") != 0)
        return -1;
    return kms_key_update(r,
                          "UPDATE kms_keys SET rotation_enabled=0, next_rotation=NULL "
                          "WHERE key_id=?1",
                          k->key_id, NULL);
}

int kms_op_get_key_rotation_status(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k = req_key(r, in);

    if (k == NULL || kms_require_not_pending(r, k) != 0)
        return -1;
    cJSON_AddBoolToObject(out, "KeyRotationEnabled", k->rotation_enabled);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    if (k->rotation_enabled) {
        cJSON_AddNumberToObject(out, "RotationPeriodInDays", k->rotation_period);
        json_put_time(out, "NextRotationDate", k->next_rotation);
    }
    return 0;
}

#define MAX_ON_DEMAND_ROTATIONS 25

int kms_op_rotate_key_on_demand(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k = req_key(r, in);
    int imported;

    if (k == NULL)
        return -1;
    /* a symmetric EXTERNAL key rotates to its imported material pending rotation */
    imported = !strcmp(k->origin, "EXTERNAL") && !strcmp(k->key_spec, "SYMMETRIC_DEFAULT");
    if (imported ? kms_require_enabled(r, k) : rotation_allowed(r, k, "RotateKeyOnDemand"))
        return -1;
    if (k->ondemand_count >= MAX_ON_DEMAND_ROTATIONS)
        return svc_error(r, KMS_E_ROTATION_LIMIT, k->arn, MAX_ON_DEMAND_ROTATIONS);
    if (db_begin(r->emu->db) != 0)
        return internal(r);
    if ((imported ? kms_import_rotate(r, k) : kms_add_material(r, k, "ON_DEMAND")) != 0) {
        db_rollback(r->emu->db);
        return -1;
    }
    if (db_commit(r->emu->db) != 0)
        return internal(r);
    cJSON_AddStringToObject(out, "KeyId", k->id);
    return 0;
}

static int rotations_parse(svc_req_t *r, const cJSON *in, void *args)
{
    static const char *const include[] = {"ALL_KEY_MATERIAL", "ROTATIONS_ONLY", NULL};
    kms_page_args_t *v = args;

    v->include = "ROTATIONS_ONLY";
    return kms_page_parse(r, in, v, 100, 1000) ||
                   json_enum(r, in, "IncludeKeyMaterial", 0, include, &v->include) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   kms_page_check(r, v, (const char *const[]){v->h.key_ref, v->include}, 2)
               ? -1
               : 0;
}

static const kms_input_t rotations_input = {sizeof(kms_page_args_t), rotations_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_list_rotations, rotations_input)

static void rotation_row(svc_req_t *r, sqlite3_stmt *st, cJSON *list, const void *ctx)
{
    const kms_key_t *k = ctx;
    cJSON *e = cJSON_CreateObject();

    (void)r;
    cJSON_AddStringToObject(e, "KeyId", k->id);
    cJSON_AddStringToObject(e, "KeyMaterialId", db_text(st, 1));
    if (sqlite3_column_int(st, 0) > k->current_version) { /* imported, awaiting rotation */
        cJSON_AddStringToObject(e, "KeyMaterialState", "PENDING_ROTATION");
        kms_import_rotation(r, k, sqlite3_column_int(st, 0), sqlite3_column_int(st, 4), e);
        cJSON_AddItemToArray(list, e);
        return;
    }
    cJSON_AddStringToObject(e, "KeyMaterialState",
                            sqlite3_column_int(st, 0) == k->current_version ? "CURRENT"
                                                                            : "NON_CURRENT");
    json_put_time(e, "RotationDate", sqlite3_column_double(st, 2));
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
        cJSON_AddStringToObject(e, "RotationType", db_text(st, 3));
    kms_import_rotation(r, k, sqlite3_column_int(st, 0), sqlite3_column_int(st, 4), e);
    cJSON_AddItemToArray(list, e);
}

int kms_op_list_key_rotations(svc_req_t *r, const cJSON *in, cJSON *out)
{
    /* by version, unique in a key (the primary key (key_id, version)) */
#define ROTATIONS                                                                                  \
    "SELECT version, material_id, created, rotation_type, length(wrapped) > 0 FROM "               \
    "kms_key_material WHERE key_id=?1 "                                                            \
    "AND (?2 OR IFNULL(rotation_type, 'PENDING') <> 'PENDING')"
    static const char *const sql[2] = {
        ROTATIONS PAGE_ORDER1("version"),
        ROTATIONS " AND " PAGE_NEXT1("version") PAGE_ORDER1("version"),
    };
#undef ROTATIONS
    const kms_page_args_t *v = kms_input(r, in, &rotations_input);
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) != 0)
        return -1;
    if (strcmp(k->key_spec, "SYMMETRIC_DEFAULT") != 0)
        return svc_error(r, KMS_E_ROTATIONS_SPEC, k->arn, k->key_spec);
    return kms_page_run(r,
                        db_query(r->emu->db, sql[v->after.n > 0], "si", k->key_id,
                                 !strcmp(v->include, "ALL_KEY_MATERIAL")),
                        v, 0, cJSON_AddArrayToObject(out, "Rotations"), rotation_row, k, out);
}

typedef struct {
    kms_args_t h;
    const char *text; /* Description */
} update_args_t;

static int description_parse(svc_req_t *r, const cJSON *in, void *args)
{
    update_args_t *v = args;

    return json_str(r, in, "Description", 1, 0, 8192, &v->text) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref)
               ? -1
               : 0;
}

static const kms_input_t description_input = {sizeof(update_args_t), description_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_update_description, description_input)

int kms_op_update_key_description(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const update_args_t *v = kms_input(r, in, &description_input);
    kms_key_t *k;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) ||
        kms_not_aws_managed(r, k, "UpdateKeyDescription"))
        return -1;
    return kms_key_update(r, "UPDATE kms_keys SET description=?2 WHERE key_id=?1", k->key_id,
                          v->text);
}
