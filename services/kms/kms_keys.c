/* kms_keys.c — key lifecycle: create, describe, list, enable/disable,
 * deletion, rotation, description, tags and key policies. */
#include "services/kms/kms_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "base/limits.h"
#include "storage/db.h"

static const char *const key_usages[] = {"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC",
                                         "KEY_AGREEMENT", NULL};
static const char *const key_specs[] = {
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
    "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
    "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519", NULL};
static const char *const cmk_specs[] = {
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
    "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
    "SM2", NULL};
static const char *const origins[] = {"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE",
                                      NULL};

#define DAY 86400.0

/* The key usages AWS allows for each key spec. */
static int usage_fits(const char *usage, const char *spec)
{
    static const struct {
        const char *prefix;
        const char *usages;
    } fits[] = {
        {"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"},
        {"RSA_", "ENCRYPT_DECRYPT SIGN_VERIFY"},
        {"ECC_NIST_EDWARDS25519", "SIGN_VERIFY"},
        {"ECC_NIST_", "SIGN_VERIFY KEY_AGREEMENT"},
        {"ECC_SECG_", "SIGN_VERIFY"},
        {"HMAC_", "GENERATE_VERIFY_MAC"},
        {"SM2", "ENCRYPT_DECRYPT SIGN_VERIFY KEY_AGREEMENT"},
        {"ML_DSA_", "SIGN_VERIFY"},
    };
    size_t i;

    for (i = 0; i < sizeof fits / sizeof fits[0]; i++)
        if (!strncmp(spec, fits[i].prefix, strlen(fits[i].prefix)))
            return strstr(fits[i].usages, usage) != NULL;
    return 0;
}

static int internal(svc_req_t *r)
{
    db_rollback(r->emu->db);
    return svc_error(r, 500, "KMSInternalException", "Internal database error.");
}

/* Runs a one-statement update on a key: sql with ?1 = key_id and, when
 * text is not NULL, ?2 = text. */
static int key_update(svc_req_t *r, const char *sql, const char *key_id, const char *text)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, sql);
    int rc;

    if (st == NULL)
        return internal(r);
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : internal(r);
}

static int not_aws_managed(svc_req_t *r, const kms_key_t *k, const char *op)
{
    if (!strcmp(k->key_manager, "AWS"))
        return svc_error(r, 400, "UnsupportedOperationException",
                         "%s is an AWS managed key; %s is not supported on AWS managed keys.",
                         k->arn, op);
    return 0;
}

/* Resolves the request's KeyId member (required). */
static int req_key(svc_req_t *r, const cJSON *in, int flags, kms_key_t *k)
{
    const char *ref = NULL;

    if (json_str(r, in, "KeyId", 1, 1, 2048, &ref) != 0)
        return -1;
    return kms_resolve(r, ref, flags, k);
}

int kms_insert_key(svc_req_t *r, const char *desc, const char *policy, const char *manager,
                   char key_id[37])
{
    char arn[AWS_ARN_BUF];
    sqlite3_stmt *st;
    int rc;

    codec_uuid(key_id);
    snprintf(arn, sizeof arn, "arn:aws:kms:%s:%s:key/%s", r->region, r->account, key_id);
    st = db_stmt(r->emu->db,
                 "INSERT INTO kms_keys (key_id, account, region, arn, description, key_usage, "
                 "key_spec, origin, key_manager, state, created, policy, seq) VALUES (?1, ?2, ?3, "
                 "?4, ?5, 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT', 'AWS_KMS', ?6, 'Enabled', ?7, ?8, "
                 "(SELECT IFNULL(MAX(seq), 0) + 1 FROM kms_keys))");
    if (st == NULL)
        return internal(r);
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, desc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, manager, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, r->now);
    sqlite3_bind_text(st, 8, policy, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
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
        return svc_error(r, 500, "KMSInternalException", "No managed key for %s.", service);
    snprintf(alias, sizeof alias, "alias/aws/%s", service);
    st = db_stmt(r->emu->db, "SELECT key_id FROM kms_aliases WHERE account=?1 AND region=?2 AND name=?3");
    if (st == NULL)
        return internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, alias, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(key_id, 37, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);

    snprintf(desc, sizeof desc, "Default key that protects my %s when no other key is defined", what);
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
                   "\"%s\",\"kms:ViaService\":\"%s.%s.amazonaws.com\"}}},{\"Sid\":\"Allow direct "
                   "access to key metadata to the account\",\"Effect\":\"Allow\",\"Principal\":"
                   "{\"AWS\":\"arn:aws:iam::%s:root\"},\"Action\":[\"kms:Describe*\",\"kms:Get*\","
                   "\"kms:List*\",\"kms:RevokeGrant\"],\"Resource\":\"*\"}]}",
                   service, what, r->account, service, r->region, r->account);
        policy = buf_steal(&b, NULL);
    }
    own_tx = sqlite3_get_autocommit(db_handle(r->emu->db));
    if (own_tx && db_begin(r->emu->db) != 0) {
        free(policy);
        return internal(r);
    }
    rc = kms_insert_key(r, desc, policy, "AWS", key_id);
    free(policy);
    if (rc == 0) {
        st = db_stmt(r->emu->db, "INSERT INTO kms_aliases (account, region, name, key_id, "
                                 "created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
        rc = st ? 0 : -1;
        if (st) {
            sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, alias, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, key_id, -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 5, r->now);
            rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
            sqlite3_reset(st);
            kms_attrs_changed();
        }
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

int kms_op_create_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *policy = NULL, *desc = "", *usage = "ENCRYPT_DECRYPT", *spec = NULL,
               *cmkspec = NULL, *origin = "AWS_KMS", *store = NULL;
    const cJSON *tags = NULL;
    char key_id[37];
    char *defpolicy = NULL;
    int multi = 0, bypass = 0, rc = -1;
    kms_key_t k;

    if (json_str(r, in, "Policy", 0, 1, 32768, &policy) || json_str(r, in, "Description", 0, 0, 8192, &desc) ||
        json_enum(r, in, "KeyUsage", 0, key_usages, &usage) ||
        json_enum(r, in, "KeySpec", 0, key_specs, &spec) ||
        json_enum(r, in, "CustomerMasterKeySpec", 0, cmk_specs, &cmkspec) ||
        json_enum(r, in, "Origin", 0, origins, &origin) ||
        json_str(r, in, "CustomKeyStoreId", 0, 1, 64, &store) ||
        json_bool(r, in, "BypassPolicyLockoutSafetyCheck", &bypass, NULL) ||
        json_list(r, in, "Tags", 0, 0, 0, &tags) || json_bool(r, in, "MultiRegion", &multi, NULL))
        return -1;
    if (kms_authorize_create_key(r, spec ? spec : cmkspec ? cmkspec : "SYMMETRIC_DEFAULT", usage,
                                 origin, multi, bypass, tags) != 0)
        return -1;
    if (spec && cmkspec)
        return svc_error(r, 400, "ValidationException",
                         "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                         "CustomerMasterKeySpec is deprecated.");
    if (spec == NULL)
        spec = cmkspec ? cmkspec : "SYMMETRIC_DEFAULT";
    if (!usage_fits(usage, spec))
        return svc_error(r, 400, "ValidationException",
                         "KeyUsage %s is not compatible with KeySpec %s", usage, spec);
    if (strcmp(spec, "SYMMETRIC_DEFAULT") != 0)
        return svc_error(r, 400, "UnsupportedOperationException",
                         "KeySpec %s is not supported by awsemu yet; only SYMMETRIC_DEFAULT keys "
                         "can be created.", spec);
    if (store || !strcmp(origin, "AWS_CLOUDHSM") || !strcmp(origin, "EXTERNAL_KEY_STORE")) {
        if (store == NULL)
            return svc_error(r, 400, "ValidationException",
                             "Origin %s requires a CustomKeyStoreId.", origin);
        return svc_error(r, 400, "CustomKeyStoreNotFoundException",
                         "Custom key store %s does not exist.", store);
    }
    if (strcmp(origin, "AWS_KMS") != 0)
        return svc_error(r, 400, "UnsupportedOperationException",
                         "Origin %s (imported key material) is not supported by awsemu yet.", origin);
    if (multi)
        return svc_error(r, 400, "UnsupportedOperationException",
                         "Multi-Region keys are not supported by awsemu yet.");
    if (policy && kms_check_policy(r, policy) != 0)
        return -1;
    if (tags && cJSON_GetArraySize(tags) > 50)
        return svc_error(r, 400, "TagException", "A KMS key can have at most 50 tags.");
    if (policy == NULL && (defpolicy = kms_default_policy(r->account)) == NULL)
        return svc_error(r, 500, "KMSInternalException", "Out of memory.");

    if (db_begin(r->emu->db) != 0) {
        rc = internal(r);
        goto out;
    }
    if (kms_insert_key(r, desc, policy ? policy : defpolicy, "CUSTOMER", key_id) != 0 ||
        (tags && kms_put_tags(r, key_id, tags) != 0)) {
        db_rollback(r->emu->db);
        rc = -1;
        goto out;
    }
    if (db_commit(r->emu->db) != 0) {
        rc = internal(r);
        goto out;
    }
    if (kms_load(r, key_id, &k) != 1) {
        rc = -1;
        goto out;
    }
    cJSON_AddItemToObject(out, "KeyMetadata", kms_metadata(r, &k));
    kms_key_clear(&k);
    rc = 0;
out:
    free(defpolicy);
    return rc;
}

int kms_op_describe_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t k;

    if (req_key(r, in, KMS_ALLOW_ALIAS, &k) != 0)
        return -1;
    cJSON_AddItemToObject(out, "KeyMetadata", kms_metadata(r, &k));
    kms_key_clear(&k);
    return 0;
}

int kms_op_list_keys(svc_req_t *r, const cJSON *in, cJSON *out)
{
    long limit = 100, offset, n = 0;
    cJSON *keys;
    sqlite3_stmt *st;

    if (json_int(r, in, "Limit", 0, 1, 1000, &limit, NULL) || kms_marker_parse(r, in, &offset))
        return -1;
    kms_purge_due(r);
    st = db_stmt(r->emu->db, "SELECT key_id, arn FROM kms_keys WHERE account=?1 AND region=?2 "
                             "ORDER BY seq LIMIT ?3 OFFSET ?4");
    if (st == NULL)
        return internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, limit + 1);
    sqlite3_bind_int64(st, 4, offset);
    keys = cJSON_AddArrayToObject(out, "Keys");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *e;
        if (n == limit) {
            n++;
            break;
        }
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "KeyId", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(e, "KeyArn", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddItemToArray(keys, e);
        n++;
    }
    sqlite3_reset(st);
    kms_marker_put(out, offset + limit, n > limit);
    return 0;
}

static int set_state(svc_req_t *r, const cJSON *in, const char *state, const char *op)
{
    kms_key_t k;
    int rc = -1;

    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (kms_require_not_pending(r, &k) || not_aws_managed(r, &k, op))
        goto out;
    rc = key_update(r, !strcmp(state, "Enabled")
                           ? "UPDATE kms_keys SET state='Enabled' WHERE key_id=?1"
                           : "UPDATE kms_keys SET state='Disabled' WHERE key_id=?1",
                    k.key_id, NULL);
    if (rc == 0 && strcmp(state, "Enabled") != 0)
        kms_cache_forget(k.key_id);
out:
    kms_key_clear(&k);
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

int kms_op_schedule_key_deletion(svc_req_t *r, const cJSON *in, cJSON *out)
{
    long days = 30;
    kms_key_t k;
    sqlite3_stmt *st;
    double when;
    int rc = -1;

    if (json_int(r, in, "PendingWindowInDays", 0, 1, 365, &days, NULL) != 0)
        return -1;
    if (days < 7 || days > 30)
        return svc_error(r, 400, "ValidationException",
                         "1 validation error detected: Value '%ld' at 'pendingWindowInDays' failed "
                         "to satisfy constraint: Member must have value %s",
                         days, days < 7 ? "greater than or equal to 7" : "less than or equal to 30");
    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (kms_require_not_pending(r, &k) || not_aws_managed(r, &k, "ScheduleKeyDeletion"))
        goto out;
    when = r->now + (double)days * DAY;
    st = db_stmt(r->emu->db, "UPDATE kms_keys SET state='PendingDeletion', deletion_date=?2, "
                             "pending_window=?3 WHERE key_id=?1");
    if (st == NULL) {
        rc = internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, k.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 2, when);
    sqlite3_bind_int(st, 3, (int)days);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -2;
    sqlite3_reset(st);
    if (rc != 0) {
        rc = internal(r);
        goto out;
    }
    kms_cache_forget(k.key_id);
    cJSON_AddStringToObject(out, "KeyId", k.arn);
    json_put_time(out, "DeletionDate", when);
    cJSON_AddStringToObject(out, "KeyState", "PendingDeletion");
    cJSON_AddNumberToObject(out, "PendingWindowInDays", (double)days);
out:
    kms_key_clear(&k);
    return rc;
}

int kms_op_cancel_key_deletion(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t k;
    int rc = -1;

    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (strcmp(k.state, "PendingDeletion") != 0) {
        svc_error(r, 400, "KMSInvalidStateException", "%s is not pending deletion.", k.arn);
        goto out;
    }
    rc = key_update(r, "UPDATE kms_keys SET state='Disabled', deletion_date=NULL, "
                       "pending_window=NULL WHERE key_id=?1",
                    k.key_id, NULL);
    if (rc == 0)
        cJSON_AddStringToObject(out, "KeyId", k.arn);
out:
    kms_key_clear(&k);
    return rc;
}

/* Rotation applies to symmetric customer managed keys with AWS_KMS
 * material. */
static int rotation_allowed(svc_req_t *r, const kms_key_t *k, const char *op)
{
    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_spec, "SYMMETRIC_DEFAULT") != 0 || strcmp(k->origin, "AWS_KMS") != 0)
        return svc_error(r, 400, "UnsupportedOperationException",
                         "%s key spec is %s and origin %s, which is not valid for %s.", k->arn,
                         k->key_spec, k->origin, op);
    return not_aws_managed(r, k, op);
}

int kms_op_enable_key_rotation(svc_req_t *r, const cJSON *in, cJSON *out)
{
    long period = 365;
    kms_key_t k;
    sqlite3_stmt *st;
    int rc = -1;

    (void)out;
    if (json_int(r, in, "RotationPeriodInDays", 0, 90, 2560, &period, NULL) != 0)
        return -1;
    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (rotation_allowed(r, &k, "EnableKeyRotation") != 0)
        goto out;
    st = db_stmt(r->emu->db, "UPDATE kms_keys SET rotation_enabled=1, rotation_period=?2, "
                             "next_rotation=?3 WHERE key_id=?1");
    if (st == NULL) {
        rc = internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, k.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)period);
    sqlite3_bind_double(st, 3, r->now + (double)period * DAY);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -2;
    sqlite3_reset(st);
    if (rc != 0)
        rc = internal(r);
out:
    kms_key_clear(&k);
    return rc;
}

int kms_op_disable_key_rotation(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t k;
    int rc = -1;

    (void)out;
    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (rotation_allowed(r, &k, "DisableKeyRotation") == 0)
        rc = key_update(r, "UPDATE kms_keys SET rotation_enabled=0, next_rotation=NULL "
                           "WHERE key_id=?1",
                        k.key_id, NULL);
    kms_key_clear(&k);
    return rc;
}

int kms_op_get_key_rotation_status(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t k;

    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (kms_require_not_pending(r, &k) != 0) {
        kms_key_clear(&k);
        return -1;
    }
    cJSON_AddBoolToObject(out, "KeyRotationEnabled", k.rotation_enabled);
    cJSON_AddStringToObject(out, "KeyId", k.arn);
    if (k.rotation_enabled) {
        cJSON_AddNumberToObject(out, "RotationPeriodInDays", k.rotation_period);
        json_put_time(out, "NextRotationDate", k.next_rotation);
    }
    kms_key_clear(&k);
    return 0;
}

#define MAX_ON_DEMAND_ROTATIONS 25

int kms_op_rotate_key_on_demand(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t k;
    int rc = -1;

    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (rotation_allowed(r, &k, "RotateKeyOnDemand") != 0)
        goto out;
    if (k.ondemand_count >= MAX_ON_DEMAND_ROTATIONS) {
        svc_error(r, 400, "LimitExceededException",
                  "%s has reached the limit of %d on-demand rotations.", k.arn,
                  MAX_ON_DEMAND_ROTATIONS);
        goto out;
    }
    if (db_begin(r->emu->db) != 0) {
        rc = internal(r);
        goto out;
    }
    if (kms_add_material(r, &k, "ON_DEMAND") != 0) {
        db_rollback(r->emu->db);
        goto out;
    }
    if (db_commit(r->emu->db) != 0) {
        rc = internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "KeyId", k.key_id);
    rc = 0;
out:
    kms_key_clear(&k);
    return rc;
}

int kms_op_list_key_rotations(svc_req_t *r, const cJSON *in, cJSON *out)
{
    static const char *const include[] = {"ALL_KEY_MATERIAL", "ROTATIONS_ONLY", NULL};
    const char *inc = "ROTATIONS_ONLY";
    long limit = 100, offset, n = 0;
    kms_key_t k;
    cJSON *list;
    sqlite3_stmt *st;

    if (json_int(r, in, "Limit", 0, 1, 1000, &limit, NULL) || kms_marker_parse(r, in, &offset) ||
        json_enum(r, in, "IncludeKeyMaterial", 0, include, &inc))
        return -1;
    if (req_key(r, in, 0, &k) != 0)
        return -1;
    if (kms_require_not_pending(r, &k) != 0 ||
        (strcmp(k.key_spec, "SYMMETRIC_DEFAULT") != 0 &&
         svc_error(r, 400, "UnsupportedOperationException",
                   "%s key spec is %s, which is not valid for ListKeyRotations.", k.arn,
                   k.key_spec))) {
        kms_key_clear(&k);
        return -1;
    }
    st = db_stmt(r->emu->db, "SELECT version, material_id, created, rotation_type FROM "
                             "kms_key_material WHERE key_id=?1 AND (?2 OR rotation_type IS NOT "
                             "NULL) ORDER BY version LIMIT ?3 OFFSET ?4");
    if (st == NULL) {
        kms_key_clear(&k);
        return internal(r);
    }
    sqlite3_bind_text(st, 1, k.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, !strcmp(inc, "ALL_KEY_MATERIAL"));
    sqlite3_bind_int64(st, 3, limit + 1);
    sqlite3_bind_int64(st, 4, offset);
    list = cJSON_AddArrayToObject(out, "Rotations");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *e;
        if (n == limit) {
            n++;
            break;
        }
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "KeyId", k.key_id);
        cJSON_AddStringToObject(e, "KeyMaterialId", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddStringToObject(e, "KeyMaterialState",
                                sqlite3_column_int(st, 0) == k.current_version ? "CURRENT"
                                                                               : "NON_CURRENT");
        json_put_time(e, "RotationDate", sqlite3_column_double(st, 2));
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            cJSON_AddStringToObject(e, "RotationType", (const char *)sqlite3_column_text(st, 3));
        cJSON_AddItemToArray(list, e);
        n++;
    }
    sqlite3_reset(st);
    kms_marker_put(out, offset + limit, n > limit);
    kms_key_clear(&k);
    return 0;
}

int kms_op_update_key_description(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *desc = NULL;
    kms_key_t k;
    int rc = -1;

    (void)out;
    if (json_str(r, in, "Description", 1, 0, 8192, &desc) != 0 || req_key(r, in, 0, &k) != 0)
        return -1;
    if (kms_require_not_pending(r, &k) || not_aws_managed(r, &k, "UpdateKeyDescription"))
        goto out;
    rc = key_update(r, "UPDATE kms_keys SET description=?2 WHERE key_id=?1", k.key_id, desc);
out:
    kms_key_clear(&k);
    return rc;
}

/* ---- tags ------------------------------------------------------------------ */

int kms_op_tag_resource(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *tags;
    kms_key_t k;
    int rc = -1;

    (void)out;
    if (json_list(r, in, "Tags", 1, 0, 0, &tags) != 0 || req_key(r, in, 0, &k) != 0)
        return -1;
    if (kms_require_not_pending(r, &k) || not_aws_managed(r, &k, "TagResource"))
        goto out;
    if (db_begin(r->emu->db) != 0) {
        rc = internal(r);
        goto out;
    }
    if (kms_put_tags(r, k.key_id, tags) != 0) {
        db_rollback(r->emu->db);
        goto out;
    }
    rc = db_commit(r->emu->db) == 0 ? 0 : internal(r);
out:
    kms_key_clear(&k);
    return rc;
}

int kms_op_untag_resource(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *keys, *t;
    kms_key_t k;
    int rc = -1;

    (void)out;
    if (json_list(r, in, "TagKeys", 1, 0, 0, &keys) != 0 || req_key(r, in, 0, &k) != 0)
        return -1;
    if (kms_require_not_pending(r, &k) || not_aws_managed(r, &k, "UntagResource"))
        goto out;
    cJSON_ArrayForEach(t, keys) {
        sqlite3_stmt *st;
        if (!cJSON_IsString(t)) {
            svc_error(r, 400, "SerializationException", "TagKeys must be strings.");
            goto out;
        }
        st = db_stmt(r->emu->db, "DELETE FROM kms_tags WHERE key_id=?1 AND tag_key=?2");
        if (st == NULL) {
            rc = internal(r);
            goto out;
        }
        sqlite3_bind_text(st, 1, k.key_id, -1, SQLITE_STATIC);
        db_bind_str(st, 2, t->valuestring, jsonlen_str(t));
        sqlite3_step(st);
        sqlite3_reset(st);
        kms_attrs_changed();
    }
    rc = 0;
out:
    kms_key_clear(&k);
    return rc;
}

int kms_op_list_resource_tags(svc_req_t *r, const cJSON *in, cJSON *out)
{
    long limit = 50, offset, n = 0;
    kms_key_t k;
    cJSON *tags;
    sqlite3_stmt *st;

    if (json_int(r, in, "Limit", 0, 1, 50, &limit, NULL) || kms_marker_parse(r, in, &offset))
        return -1;
    if (req_key(r, in, 0, &k) != 0)
        return -1;
    st = db_stmt(r->emu->db, "SELECT tag_key, tag_value FROM kms_tags WHERE key_id=?1 "
                             "ORDER BY tag_key LIMIT ?2 OFFSET ?3");
    if (st == NULL) {
        kms_key_clear(&k);
        return internal(r);
    }
    sqlite3_bind_text(st, 1, k.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit + 1);
    sqlite3_bind_int64(st, 3, offset);
    tags = cJSON_AddArrayToObject(out, "Tags");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *e;
        if (n == limit) {
            n++;
            break;
        }
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "TagKey", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(e, "TagValue", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddItemToArray(tags, e);
        n++;
    }
    sqlite3_reset(st);
    kms_marker_put(out, offset + limit, n > limit);
    kms_key_clear(&k);
    return 0;
}

/* ---- key policies ---------------------------------------------------------- */

static int policy_name(svc_req_t *r, const cJSON *in, int required)
{
    const char *name = NULL;

    if (json_str(r, in, "PolicyName", required, 1, 128, &name) != 0)
        return -1;
    if (name && strcmp(name, "default") != 0)
        return svc_error(r, 400, "NotFoundException",
                         "No such policy exists: %s. The only valid policy name is default.",
                         name);
    return 0;
}

int kms_op_get_key_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t k;
    sqlite3_stmt *st;

    if (policy_name(r, in, 0) != 0 || req_key(r, in, 0, &k) != 0)
        return -1;
    st = db_stmt(r->emu->db, "SELECT policy FROM kms_keys WHERE key_id=?1");
    if (st == NULL) {
        kms_key_clear(&k);
        return internal(r);
    }
    sqlite3_bind_text(st, 1, k.key_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddStringToObject(out, "Policy", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    cJSON_AddStringToObject(out, "PolicyName", "default");
    kms_key_clear(&k);
    return 0;
}

int kms_op_put_key_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *policy = NULL;
    int bypass = 0, rc = -1;
    kms_key_t k;

    (void)out;
    if (policy_name(r, in, 0) || json_str(r, in, "Policy", 1, 1, 32768, &policy) ||
        json_bool(r, in, "BypassPolicyLockoutSafetyCheck", &bypass, NULL) ||
        req_key(r, in, 0, &k))
        return -1;
    if (kms_require_not_pending(r, &k) || not_aws_managed(r, &k, "PutKeyPolicy") ||
        kms_check_policy(r, policy))
        goto out;
    rc = key_update(r, "UPDATE kms_keys SET policy=?2 WHERE key_id=?1", k.key_id, policy);
out:
    kms_key_clear(&k);
    return rc;
}

int kms_op_list_key_policies(svc_req_t *r, const cJSON *in, cJSON *out)
{
    long limit = 100, offset;
    kms_key_t k;
    cJSON *names;

    if (json_int(r, in, "Limit", 0, 1, 1000, &limit, NULL) || kms_marker_parse(r, in, &offset) ||
        req_key(r, in, 0, &k))
        return -1;
    names = cJSON_AddArrayToObject(out, "PolicyNames");
    if (offset == 0)
        cJSON_AddItemToArray(names, cJSON_CreateString("default"));
    cJSON_AddBoolToObject(out, "Truncated", 0);
    kms_key_clear(&k);
    return 0;
}
