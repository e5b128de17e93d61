/* sm_secrets.c — CreateSecret, UpdateSecret, DescribeSecret, DeleteSecret,
 * RestoreSecret and tags. */
#include "services/sm/sm_int.h"

#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"
#include "base/jsonlen.h"
#include "services/kms/kms.h"
#include "storage/db.h"

#define DAY 86400.0

static int valid_name(svc_req_t *r, const char *name)
{
    const char *p;

    for (p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/_+=.@-!", c)))
            return sm_fail(r, SM_E_BAD_NAME, NULL, NULL);
    }
    return 0;
}

/* Checks that a KMS key can be used for this secret's values (the value
 * itself may come later). */
static int check_key(svc_req_t *r, const char *key_ref)
{
    uint8_t dk[32], *blob = NULL;
    size_t blen;
    char arn[160];
    int rc;

    if (key_ref == NULL || key_ref[0] == '\0')
        return 0;
    rc = kms_data_key(r, key_ref, NULL, dk, sizeof dk, &blob, &blen, arn);
    OPENSSL_cleanse(dk, sizeof dk);
    free(blob);
    if (rc != 0)
        return sm_kms_failure(r, 1);
    return 0;
}

int sm_create_in_region(svc_req_t *r, const char *arn, const char *name, const char *desc,
                        const char *kms, const char *type, const char *primary_region)
{
    if (db_run(r->emu->db,
               "INSERT INTO sm_secrets (arn, account, region, name, description, kms_key_id, "
               "type, created, last_changed, primary_region, seq) VALUES (?1, ?2, ?3, ?4, ?5, "
               "?6, ?7, ?8, ?8, ?9, (SELECT IFNULL(MAX(seq), 0) + 1 FROM sm_secrets))",
               "sssssssds", arn, r->account, r->region, name, desc, kms && kms[0] ? kms : NULL,
               type, r->now, primary_region) != 0)
        return sm_internal(r);
    return 0;
}

int sm_op_create_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *name = NULL, *desc = NULL, *kms = NULL, *type = NULL;
    const cJSON *tags = NULL, *replicas = NULL;
    uint8_t *value = NULL;
    size_t n = 0;
    int is_binary = 0, force = 0, rc = -1;
    char token[65], arn[SM_ARN_MAX];
    sm_secret_t s;

    memset(&s, 0, sizeof s);
    if (json_str(r, in, "Name", 1, 1, AWS_SM_NAME_MAX, &name) ||
        json_str(r, in, "Description", 0, 0, AWS_SM_DESCRIPTION_MAX, &desc) ||
        json_str(r, in, "KmsKeyId", 0, 0, AWS_KMS_KEY_ID_MAX, &kms) ||
        json_str(r, in, "Type", 0, 0, 256, &type) || json_list(r, in, "Tags", 0, 0, 0, &tags) ||
        json_list(r, in, "AddReplicaRegions", 0, 1, 0, &replicas) ||
        json_bool(r, in, "ForceOverwriteReplicaSecret", &force, NULL) ||
        sm_req_token(r, in, token) || valid_name(r, name) ||
        sm_req_value(r, in, &value, &n, &is_binary))
        goto out;
    /* the row authorized this ARN before anything was looked up: a caller
     * not allowed to create the secret learns nothing of what exists */
    sm_new_arn(r, name, arn, sizeof arn);
    {
        sm_secret_t old;
        rc = sm_resolve(r, name, &old);
        if (rc == 0 && old.deleted_date == 0 && value &&
            sm_version_exists(r, old.arn, token) == 1) {
            /* a retry: the same token with the same value is answered again
             * (a different value: the version may not change), if the
             * caller may create the secret that exists */
            int created = 0;
            rc = sm_authorize(r, "secretsmanager:CreateSecret", &old, in) != 0 ||
                         sm_new_version(r, &old, token, value, n, is_binary, NULL, &created) != 0
                     ? -1
                     : 0;
            if (rc == 0) {
                cJSON_AddStringToObject(out, "ARN", old.arn);
                cJSON_AddStringToObject(out, "Name", old.name);
                cJSON_AddStringToObject(out, "VersionId", token);
            }
            sm_secret_clear(&old);
            goto out;
        }
        if (rc == 0) {
            if (old.deleted_date > 0)
                sm_fail(r, SM_E_NAME_SCHEDULED, NULL, NULL);
            else
                sm_fail(r, SM_E_EXISTS, name, NULL);
            sm_secret_clear(&old);
            rc = -1;
            goto out;
        }
        if (strcmp(r->err_code, "ResourceNotFoundException") != 0)
            goto out;
        r->err_code[0] = '\0';
        r->err_status = 0;
        rc = -1;
    }
    if (db_begin(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    if (check_key(r, kms) || sm_create_in_region(r, arn, name, desc, kms, type, NULL) ||
        (tags && sm_put_tags(r, arn, tags)))
        goto rollback;
    if (sm_resolve(r, arn, &s) != 0)
        goto rollback;
    if (value) {
        if (sm_store_version(r, &s, token, value, n, is_binary) ||
            sm_set_stage(r, arn, "AWSCURRENT", token))
            goto rollback;
    }
    if (replicas && sm_add_replicas(r, &s, replicas, force, out) != 0)
        goto rollback;
    if (db_commit(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", arn);
    cJSON_AddStringToObject(out, "Name", name);
    if (value)
        cJSON_AddStringToObject(out, "VersionId", token);
    rc = 0;
    goto out;
rollback:
    db_rollback(r->emu->db);
out:
    codec_wipe_free(value, n);
    sm_secret_clear(&s);
    return rc;
}

/* Adds value as a new version (ClientRequestToken idempotency as AWS: the
 * same token and value again is a no-op; another value is an error).
 * stages: a JSON list, or NULL for AWSCURRENT. *created: 1 if a version was
 * added. */
int sm_new_version(svc_req_t *r, sm_secret_t *s, const char *token, const uint8_t *value, size_t n,
                   int is_binary, const cJSON *stages, int *created)
{
    int exists = sm_version_exists(r, s->arn, token);
    const cJSON *st;

    *created = 0;
    if (exists < 0)
        return -1;
    if (exists) {
        uint8_t *old = NULL;
        size_t on = 0;
        int ob = 0, same;
        if (sm_version_placeholder(r, s->arn, token))
            goto store;
        if (sm_load_version(r, s, token, &old, &on, &ob, NULL) != 0)
            return -1;
        same = on == n && ob == is_binary && CRYPTO_memcmp(old, value, n) == 0;
        codec_wipe_free(old, on);
        if (!same)
            return sm_fail(r, SM_E_VERSION_EXISTS, token, s->arn);
        return 0;
    }
store:
    if (sm_store_version(r, s, token, value, n, is_binary) != 0)
        return -1;
    *created = 1;
    if (stages == NULL) {
        if (sm_make_current(r, s->arn, token) != 0)
            return -1;
    } else {
        char cur[80];
        /* a secret's first version is AWSCURRENT whatever stages it asks
         * for (PutSecretValue API reference, VersionStages: the first
         * version of a secret gets AWSCURRENT automatically) */
        int first = sm_stage_version(r, s->arn, "AWSCURRENT", cur, sizeof cur);
        if (first < 0 || (first == 0 && sm_make_current(r, s->arn, token) != 0))
            return -1;
        cJSON_ArrayForEach(st, stages)
        {
            if (!cJSON_IsString(st) || strlen(st->valuestring) < 1 || strlen(st->valuestring) > 256)
                return sm_fail(r, SM_E_VERSION_STAGES, NULL, NULL);
            if (!strcmp(st->valuestring, "AWSCURRENT")) {
                if (sm_make_current(r, s->arn, token) != 0)
                    return -1;
                continue;
            }
            if (sm_stage_version(r, s->arn, st->valuestring, cur, sizeof cur) < 0)
                return -1;
            if (sm_set_stage(r, s->arn, st->valuestring, token) != 0)
                return -1;
        }
    }
    if (sm_touch(r, s->arn) || sm_prune_versions(r, s->arn) || sm_replicate_version(r, s, token))
        return -1;
    return 0;
}

int sm_op_update_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *desc = NULL, *kms = NULL, *type = NULL;
    uint8_t *value = NULL;
    size_t n = 0;
    int is_binary = 0, created = 0, rc = -1;
    char token[65];
    sm_secret_t s;

    memset(&s, 0, sizeof s);
    if (json_str(r, in, "Description", 0, 0, AWS_SM_DESCRIPTION_MAX, &desc) ||
        json_str(r, in, "KmsKeyId", 0, 0, AWS_KMS_KEY_ID_MAX, &kms) ||
        json_str(r, in, "Type", 0, 0, 256, &type) || sm_req_token(r, in, token) ||
        sm_req_value(r, in, &value, &n, &is_binary) || sm_req_secret(r, in, &s) ||
        sm_require_live(r, &s))
        goto out;
    if (s.primary_region[0]) {
        sm_fail(r, SM_E_ON_REPLICA, s.primary_region, NULL);
        goto out;
    }
    if (db_begin(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    if (kms && check_key(r, kms) != 0)
        goto rollback;
    if (db_run(r->emu->db,
               "UPDATE sm_secrets SET description=IFNULL(?2, description), kms_key_id=CASE WHEN "
               "?3 IS NULL THEN kms_key_id WHEN ?3='' THEN NULL ELSE ?3 END, type=IFNULL(?4, "
               "type), last_changed=?5 WHERE arn=?1",
               "ssssd", s.arn, desc, kms, type, r->now) != 0) {
        sm_internal(r);
        goto rollback;
    }
    /* replicas follow the primary's description */
    if (desc)
        db_run(r->emu->db,
               "UPDATE sm_secrets SET description=?4, last_changed=?5 WHERE account=?1 AND "
               "name=?2 AND primary_region=?3",
               "ssssd", r->account, s.name, r->region, desc, r->now);
    if (value) {
        sm_secret_t fresh;
        if (sm_resolve(r, s.arn, &fresh) != 0)
            goto rollback;
        rc = sm_new_version(r, &fresh, token, value, n, is_binary, NULL, &created);
        sm_secret_clear(&fresh);
        if (rc != 0)
            goto rollback;
    }
    if (db_commit(r->emu->db) != 0) {
        rc = sm_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    if (value)
        cJSON_AddStringToObject(out, "VersionId", token);
    rc = 0;
    goto out;
rollback:
    db_rollback(r->emu->db);
    rc = -1;
out:
    codec_wipe_free(value, n);
    sm_secret_clear(&s);
    return rc;
}

/* Secrets Manager reports access dates at day granularity. */
static double day_of(double t)
{
    return floor(t / DAY) * DAY;
}

static cJSON *tags_json(svc_req_t *r, const char *arn)
{
    sqlite3_stmt *st = db_query(
        r->emu->db, "SELECT tag_key, tag_value FROM sm_tags WHERE arn=?1 ORDER BY seq", "s", arn);
    cJSON *list = cJSON_CreateArray();

    while (db_row(st) == 1) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "Key", db_text(st, 0));
        cJSON_AddStringToObject(t, "Value", db_text(st, 1));
        cJSON_AddItemToArray(list, t);
    }
    db_done(st);
    return list;
}

/* The metadata DescribeSecret and ListSecrets share; versions_member names
 * the versions map ("VersionIdsToStages" / "SecretVersionsToStages"). */
void sm_secret_json(svc_req_t *r, const sm_secret_t *s, cJSON *o, const char *versions_member)
{
    sqlite3_stmt *st;
    cJSON *tags, *map, *repl;

    cJSON_AddStringToObject(o, "ARN", s->arn);
    cJSON_AddStringToObject(o, "Name", s->name);
    if (s->type)
        cJSON_AddStringToObject(o, "Type", s->type);
    if (s->description)
        cJSON_AddStringToObject(o, "Description", s->description);
    if (s->kms_key_id)
        cJSON_AddStringToObject(o, "KmsKeyId", s->kms_key_id);
    if (s->rotation_enabled || s->rotation_lambda)
        cJSON_AddBoolToObject(o, "RotationEnabled", s->rotation_enabled);
    if (s->rotation_lambda)
        cJSON_AddStringToObject(o, "RotationLambdaARN", s->rotation_lambda);
    if (s->rotation_rules) {
        cJSON *rules = cJSON_Parse(s->rotation_rules);
        if (rules)
            cJSON_AddItemToObject(o, "RotationRules", rules);
    }
    if (s->last_rotated > 0)
        json_put_time(o, "LastRotatedDate", s->last_rotated);
    json_put_time(o, "LastChangedDate", s->last_changed);
    if (s->last_accessed > 0)
        json_put_time(o, "LastAccessedDate", day_of(s->last_accessed));
    if (s->deleted_date > 0)
        json_put_time(o, "DeletedDate", s->deleted_date);
    if (s->rotation_enabled && s->next_rotation > 0)
        json_put_time(o, "NextRotationDate", s->next_rotation);
    tags = tags_json(r, s->arn);
    if (cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(o, "Tags", tags);
    else
        cJSON_Delete(tags);
    map = cJSON_AddObjectToObject(o, versions_member);
    st = db_query(r->emu->db,
                  "SELECT DISTINCT version_id FROM sm_stages WHERE arn=?1 ORDER BY version_id", "s",
                  s->arn);
    while (db_row(st) == 1) {
        const char *vid = db_text(st, 0);
        cJSON_AddItemToObject(map, vid, sm_version_stages(r, s->arn, vid));
    }
    db_done(st);
    if (s->owning_service)
        cJSON_AddStringToObject(o, "OwningService", s->owning_service);
    json_put_time(o, "CreatedDate", s->created);
    cJSON_AddStringToObject(o, "PrimaryRegion",
                            s->primary_region[0] ? s->primary_region : s->region);
    repl = s->primary_region[0] ? NULL : sm_replication_status(r, s->arn);
    if (repl && cJSON_GetArraySize(repl) > 0)
        cJSON_AddItemToObject(o, "ReplicationStatus", repl);
    else
        cJSON_Delete(repl);
}

int sm_op_describe_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    sm_secret_t s;

    if (sm_req_secret(r, in, &s) != 0)
        return -1;
    sm_secret_json(r, &s, out, "VersionIdsToStages");
    sm_secret_clear(&s);
    return 0;
}

/* ---- deletion ------------------------------------------------------------ */

int sm_op_delete_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    long days = 30;
    int have_days = 0, force = 0, rc = -1;
    sm_secret_t s;
    double when;

    if (json_int(r, in, "RecoveryWindowInDays", 0, -1000000, 1000000, &days, &have_days) ||
        json_bool(r, in, "ForceDeleteWithoutRecovery", &force, NULL))
        return -1;
    if (force && have_days)
        return sm_fail(r, SM_E_FORCE_AND_WINDOW, NULL, NULL);
    if (have_days && (days < 7 || days > 30))
        return sm_fail(r, SM_E_WINDOW_RANGE, NULL, NULL);
    db_reserve_use(r->emu->db); /* a delete must work on a full disk */
    if (sm_req_secret(r, in, &s) != 0) {
        const char *id = NULL;
        /* forcing the deletion of a secret that does not exist (or is
         * already gone) is not an error */
        if (!force || strcmp(r->err_code, "ResourceNotFoundException") != 0 ||
            json_str(r, in, "SecretId", 1, 1, AWS_SM_SECRET_ID_MAX, &id) != 0)
            return -1;
        r->err_code[0] = '\0';
        r->err_status = 0;
        cJSON_AddStringToObject(out, !strncmp(id, "arn:", 4) ? "ARN" : "Name", id);
        json_put_time(out, "DeletionDate", r->now);
        return 0;
    }
    if (!force && s.deleted_date > 0) {
        sm_fail(r, SM_E_ALREADY_SCHEDULED, NULL, NULL);
        goto out;
    }
    if (!s.primary_region[0]) {
        cJSON *repl = sm_replication_status(r, s.arn);
        int n = cJSON_GetArraySize(repl);
        cJSON_Delete(repl);
        if (n > 0) {
            sm_fail(r, SM_E_HAS_REPLICAS, s.name, NULL);
            goto out;
        }
    }
    when = force ? r->now : r->now + (double)days * DAY;
    if ((force ? db_run(r->emu->db, "DELETE FROM sm_secrets WHERE arn=?1", "s", s.arn)
               : db_run(r->emu->db, "UPDATE sm_secrets SET deleted_date=?2 WHERE arn=?1", "sd",
                        s.arn, when)) != 0) {
        rc = sm_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    json_put_time(out, "DeletionDate", when);
    rc = 0;
out:
    sm_secret_clear(&s);
    return rc;
}

int sm_run_on_secret(svc_req_t *r, const cJSON *in, cJSON *out, const char *sql)
{
    sm_secret_t s;
    int rc;

    if (sm_req_secret(r, in, &s) != 0)
        return -1;
    rc = db_run(r->emu->db, sql, "s", s.arn) == 0 ? 0 : sm_internal(r);
    if (rc == 0) {
        cJSON_AddStringToObject(out, "ARN", s.arn);
        cJSON_AddStringToObject(out, "Name", s.name);
    }
    sm_secret_clear(&s);
    return rc;
}

int sm_op_restore_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    return sm_run_on_secret(r, in, out, "UPDATE sm_secrets SET deleted_date=NULL WHERE arn=?1");
}

/* ---- tags ------------------------------------------------------------------ */

int sm_op_tag_resource(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *tags;
    sm_secret_t s;
    int rc = -1;

    (void)out;
    if (json_list(r, in, "Tags", 1, 0, 0, &tags) || sm_req_secret(r, in, &s))
        return -1;
    if (sm_require_live(r, &s) == 0 && db_begin(r->emu->db) == 0) {
        if (sm_put_tags(r, s.arn, tags) == 0)
            rc = db_commit(r->emu->db) == 0 ? 0 : sm_internal(r);
        else
            db_rollback(r->emu->db);
    }
    sm_secret_clear(&s);
    return rc;
}

int sm_op_untag_resource(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *keys, *k;
    sm_secret_t s;
    int rc = 0;

    (void)out;
    if (json_list(r, in, "TagKeys", 1, 0, 0, &keys) || sm_req_secret(r, in, &s))
        return -1;
    if (sm_require_live(r, &s) != 0) {
        sm_secret_clear(&s);
        return -1;
    }
    cJSON_ArrayForEach(k, keys)
    {
        if (!cJSON_IsString(k)) {
            rc = sm_fail(r, SM_E_TAG_KEYS, NULL, NULL);
            break;
        }
        db_run(r->emu->db, "DELETE FROM sm_tags WHERE arn=?1 AND tag_key=?2", "st", s.arn,
               k->valuestring, jsonlen_str(k));
    }
    sm_secret_clear(&s);
    return rc;
}
