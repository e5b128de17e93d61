/* sm_secrets.c — CreateSecret, UpdateSecret, DescribeSecret, ListSecrets,
 * DeleteSecret, RestoreSecret, tags and resource policies. */
#include "services/sm/sm_int.h"

#include <ctype.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/codec.h"
#include "storage/db.h"
#include "services/kms/kms.h"

#define DAY 86400.0

static int valid_name(svc_req_t *r, const char *name)
{
    const char *p;

    for (p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/_+=.@-!", c)))
            return svc_error(r, 400, "InvalidParameterException",
                             "Invalid name. Must be a valid name containing alphanumeric "
                             "characters, or any of the following: -/_+=.@!");
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

static int insert_secret(svc_req_t *r, const char *arn, const char *name, const char *desc,
                         const char *kms, const char *type, const char *primary_region)
{
    sqlite3_stmt *st = db_stmt(
        r->emu->db, "INSERT INTO sm_secrets (arn, account, region, name, description, kms_key_id, "
                    "type, created, last_changed, primary_region, seq) VALUES (?1, ?2, ?3, ?4, "
                    "?5, ?6, ?7, ?8, ?8, ?9, (SELECT IFNULL(MAX(seq), 0) + 1 FROM sm_secrets))");
    int rc;

    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
    if (desc)
        sqlite3_bind_text(st, 5, desc, -1, SQLITE_STATIC);
    if (kms && kms[0])
        sqlite3_bind_text(st, 6, kms, -1, SQLITE_STATIC);
    if (type)
        sqlite3_bind_text(st, 7, type, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 8, r->now);
    if (primary_region)
        sqlite3_bind_text(st, 9, primary_region, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sm_internal(r);
}

int sm_create_in_region(svc_req_t *r, const char *arn, const char *name, const char *desc,
                        const char *kms, const char *type, const char *primary_region)
{
    return insert_secret(r, arn, name, desc, kms, type, primary_region);
}

int sm_op_create_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *name = NULL, *desc = NULL, *kms = NULL, *type = NULL;
    const cJSON *tags = NULL, *replicas = NULL;
    uint8_t *value = NULL;
    size_t n = 0;
    int is_binary = 0, force = 0, rc = -1;
    char token[65], arn[SM_ARN_MAX], suffix[7];
    sm_secret_t s;

    memset(&s, 0, sizeof s);
    if (json_str(r, in, "Name", 1, 1, 512, &name) || json_str(r, in, "Description", 0, 0, 2048, &desc) ||
        json_str(r, in, "KmsKeyId", 0, 0, 2048, &kms) || json_str(r, in, "Type", 0, 0, 256, &type) ||
        json_list(r, in, "Tags", 0, 0, 0, &tags) ||
        json_list(r, in, "AddReplicaRegions", 0, 1, 0, &replicas) ||
        json_bool(r, in, "ForceOverwriteReplicaSecret", &force, NULL) || sm_req_token(r, in, token) ||
        valid_name(r, name) || sm_req_value(r, in, &value, &n, &is_binary))
        goto out;
    {
        static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        uint8_t rnd[6];
        int i;
        codec_random(rnd, sizeof rnd);
        for (i = 0; i < 6; i++)
            suffix[i] = chars[rnd[i] % 62];
        suffix[6] = '\0';
    }
    snprintf(arn, sizeof arn, "arn:aws:secretsmanager:%s:%s:secret:%s-%s", r->region, r->account,
             name, suffix);
    /* authorized before anything is looked up: a caller not allowed to
     * create the secret learns nothing of what exists */
    if (sm_authorize(r, NULL, arn, NULL) != 0)
        goto out;
    {
        sm_secret_t old;
        rc = sm_resolve(r, name, &old);
        if (rc == 0 && old.deleted_date == 0 && value &&
            sm_version_exists(r, old.arn, token) == 1) {
            /* a retry: the same token with the same value is answered again
             * (a different value: the version may not change) */
            int created = 0;
            rc = sm_authorize(r, NULL, old.arn, old.policy) != 0 ||
                         sm_new_version(r, &old, token, value, n, is_binary, NULL, &created) != 0
                     ? -1 : 0;
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
                svc_error(r, 400, "InvalidRequestException",
                          "You can't create this secret because a secret with this name is "
                          "already scheduled for deletion.");
            else
                svc_error(r, 400, "ResourceExistsException",
                          "The operation failed because the secret %s already exists.", name);
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
    if (check_key(r, kms) || insert_secret(r, arn, name, desc, kms, type, NULL) ||
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
int sm_new_version(svc_req_t *r, sm_secret_t *s, const char *token, const uint8_t *value,
                   size_t n, int is_binary, const cJSON *stages, int *created)
{
    int exists = sm_version_exists(r, s->arn, token);
    const cJSON *st;

    *created = 0;
    if (exists < 0)
        return -1;
    if (exists) {
        uint8_t *old = NULL;
        sqlite3_stmt *ph = db_stmt(r->emu->db, "SELECT is_binary < 0 FROM sm_versions WHERE "
                                               "arn=?1 AND version_id=?2");
        int placeholder = 0;
        if (ph) {
            sqlite3_bind_text(ph, 1, s->arn, -1, SQLITE_STATIC);
            sqlite3_bind_text(ph, 2, token, -1, SQLITE_STATIC);
            placeholder = sqlite3_step(ph) == SQLITE_ROW && sqlite3_column_int(ph, 0);
            sqlite3_reset(ph);
        }
        if (placeholder)
            goto store;
        size_t on = 0;
        int ob = 0, same;
        if (sm_load_version(r, s, token, &old, &on, &ob, NULL) != 0)
            return -1;
        same = on == n && ob == is_binary && CRYPTO_memcmp(old, value, n) == 0;
        codec_wipe_free(old, on);
        if (!same)
            return svc_error(r, 400, "ResourceExistsException",
                             "You can't modify an existing version, you can only create new "
                             "versions.");
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
        cJSON_ArrayForEach(st, stages) {
            char cur[80];
            if (!cJSON_IsString(st) || strlen(st->valuestring) < 1 || strlen(st->valuestring) > 256)
                return svc_error(r, 400, "InvalidParameterException",
                                 "VersionStages must be strings of 1 to 256 characters.");
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
    if (sm_touch(r, s->arn) || sm_prune_versions(r, s->arn) ||
        sm_replicate_version(r, s, token))
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
    sqlite3_stmt *st;

    memset(&s, 0, sizeof s);
    if (json_str(r, in, "Description", 0, 0, 2048, &desc) || json_str(r, in, "KmsKeyId", 0, 0, 2048, &kms) ||
        json_str(r, in, "Type", 0, 0, 256, &type) || sm_req_token(r, in, token) ||
        sm_req_value(r, in, &value, &n, &is_binary) || sm_req_secret(r, in, &s) ||
        sm_require_live(r, &s, NULL))
        goto out;
    if (s.primary_region[0]) {
        svc_error(r, 400, "InvalidRequestException",
                  "Operation is not permitted on a replica secret. Call it on the primary secret "
                  "in %s.", s.primary_region);
        goto out;
    }
    if (db_begin(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    if (kms && check_key(r, kms) != 0)
        goto rollback;
    st = db_stmt(r->emu->db, "UPDATE sm_secrets SET description=IFNULL(?2, description), "
                             "kms_key_id=CASE WHEN ?3 IS NULL THEN kms_key_id WHEN ?3='' THEN NULL "
                             "ELSE ?3 END, type=IFNULL(?4, type), last_changed=?5 WHERE arn=?1");
    if (st == NULL) {
        sm_internal(r);
        goto rollback;
    }
    sqlite3_bind_text(st, 1, s.arn, -1, SQLITE_STATIC);
    if (desc)
        sqlite3_bind_text(st, 2, desc, -1, SQLITE_STATIC);
    if (kms)
        sqlite3_bind_text(st, 3, kms, -1, SQLITE_STATIC);
    if (type)
        sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, r->now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = sm_internal(r);
        goto rollback;
    }
    rc = -1;
    if (desc) {
        /* replicas follow the primary's description */
        st = db_stmt(r->emu->db, "UPDATE sm_secrets SET description=?4, last_changed=?5 WHERE "
                                 "account=?1 AND name=?2 AND primary_region=?3");
        if (st == NULL) {
            sm_internal(r);
            goto rollback;
        }
        sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, s.name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->region, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, desc, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 5, r->now);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
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
    sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT tag_key, tag_value FROM sm_tags WHERE arn=?1 "
                                           "ORDER BY seq");
    cJSON *list = cJSON_CreateArray();

    if (st == NULL)
        return list;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "Key", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(t, "Value", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddItemToArray(list, t);
    }
    sqlite3_reset(st);
    return list;
}

/* The metadata DescribeSecret and ListSecrets share; versions_member names
 * the versions map ("VersionIdsToStages" / "SecretVersionsToStages"). */
static void secret_json(svc_req_t *r, const sm_secret_t *s, cJSON *o, const char *versions_member)
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
    st = db_stmt(r->emu->db, "SELECT DISTINCT version_id FROM sm_stages WHERE arn=?1 ORDER BY "
                             "version_id");
    if (st) {
        sqlite3_bind_text(st, 1, s->arn, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *vid = (const char *)sqlite3_column_text(st, 0);
            cJSON_AddItemToObject(map, vid, sm_version_stages(r, s->arn, vid));
        }
        sqlite3_reset(st);
    }
    if (s->owning_service)
        cJSON_AddStringToObject(o, "OwningService", s->owning_service);
    json_put_time(o, "CreatedDate", s->created);
    cJSON_AddStringToObject(o, "PrimaryRegion", s->primary_region[0] ? s->primary_region : s->region);
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
    secret_json(r, &s, out, "VersionIdsToStages");
    sm_secret_clear(&s);
    return 0;
}

/* ---- ListSecrets ------------------------------------------------------------ */

static int prefix(const char *s, const char *p)
{
    return s && strncmp(s, p, strlen(p)) == 0;
}

static int iprefix(const char *s, const char *p)
{
    return s && strncasecmp(s, p, strlen(p)) == 0;
}

/* Does a word of s (split at non-alphanumerics) start with p, ignoring
 * case? What the "all" filter matches on. */
static int word_match(const char *s, const char *p)
{
    const char *w;

    if (s == NULL)
        return 0;
    for (w = s; *w; w++)
        if ((w == s || !isalnum((unsigned char)w[-1])) && iprefix(w, p))
            return 1;
    return 0;
}

/* Does any tag of arn have a key (or value) matching p: a case-sensitive
 * prefix, or with words set the "all" filter's case-insensitive word match? */
static int tag_match(svc_req_t *r, const char *arn, const char *p, int values, int words)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT tag_key, tag_value FROM sm_tags WHERE arn=?1");
    int hit = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    while (!hit && sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, values ? 1 : 0);
        hit = words ? word_match(v, p) : prefix(v, p);
    }
    sqlite3_reset(st);
    return hit;
}

/* Filter semantics as AWS documents them: name, tag-key, tag-value,
 * primary-region and owning-service are case-sensitive prefix matches;
 * description is a case-insensitive prefix match; all breaks the value into
 * words and matches each, case-insensitively, against every attribute. */
static int filter_value_match(svc_req_t *r, const sm_secret_t *s, const char *key, const char *v)
{
    const char *region = s->primary_region[0] ? s->primary_region : s->region;
    char word[520];
    const char *p = v;

    if (!strcmp(key, "name"))
        return prefix(s->name, v);
    if (!strcmp(key, "description"))
        return iprefix(s->description, v);
    if (!strcmp(key, "tag-key"))
        return tag_match(r, s->arn, v, 0, 0);
    if (!strcmp(key, "tag-value"))
        return tag_match(r, s->arn, v, 1, 0);
    if (!strcmp(key, "primary-region"))
        return prefix(region, v);
    if (!strcmp(key, "owning-service"))
        return prefix(s->owning_service, v);
    while (*p) {
        size_t n;
        while (*p == ' ')
            p++;
        n = strcspn(p, " ");
        if (n == 0)
            break;
        if (n >= sizeof word)
            n = sizeof word - 1;
        memcpy(word, p, n);
        word[n] = '\0';
        p += n;
        if (!(word_match(s->name, word) || word_match(s->description, word) ||
              tag_match(r, s->arn, word, 0, 1) || tag_match(r, s->arn, word, 1, 1) ||
              word_match(region, word) || word_match(s->owning_service, word)))
            return 0;
    }
    return 1;
}

static const char *const filter_keys[] = {"description", "name", "tag-key", "tag-value",
                                          "primary-region", "owning-service", "all", NULL};

/* Validates Filters; 0 or InvalidParameterException. */
int sm_check_filters(svc_req_t *r, const cJSON *filters)
{
    const cJSON *f;

    cJSON_ArrayForEach(f, filters) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(f, "Key");
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(f, "Values"), *v;
        size_t i;
        int ok = 0;
        if (!cJSON_IsObject(f) || !cJSON_IsString(k))
            return svc_error(r, 400, "InvalidParameterException", "Each filter needs a Key.");
        for (i = 0; filter_keys[i]; i++)
            ok |= !strcmp(filter_keys[i], k->valuestring);
        if (!ok)
            return svc_error(r, 400, "ValidationException",
                             "1 validation error detected: Value '%s' at 'filters.1.member.key' "
                             "failed to satisfy constraint: Member must satisfy enum value set: "
                             "[all, name, tag-key, description, tag-value, primary-region, "
                             "owning-service]",
                             k->valuestring);
        if (vals && !cJSON_IsArray(vals))
            return svc_error(r, 400, "InvalidParameterException", "Filter Values must be a list.");
        if (vals && cJSON_GetArraySize(vals) > 10)
            return svc_error(r, 400, "InvalidParameterException",
                             "A filter can have at most 10 values.");
        cJSON_ArrayForEach(v, vals) if (!cJSON_IsString(v) || strlen(v->valuestring) > 512)
            return svc_error(r, 400, "InvalidParameterException",
                             "Filter values must be strings of at most 512 characters.");
    }
    return 0;
}

/* Filters AND together; a filter's values OR together; "!" negates. */
int sm_filters_match(svc_req_t *r, const sm_secret_t *s, const cJSON *filters)
{
    const cJSON *f;

    cJSON_ArrayForEach(f, filters) {
        const char *key = cJSON_GetObjectItemCaseSensitive(f, "Key")->valuestring;
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(f, "Values"), *v;
        int any = 0, has_positive = 0, excluded = 0;
        cJSON_ArrayForEach(v, vals) {
            const char *val = v->valuestring;
            if (val[0] == '!') {
                if (filter_value_match(r, s, key, val + 1))
                    excluded = 1;
            } else {
                has_positive = 1;
                if (filter_value_match(r, s, key, val))
                    any = 1;
            }
        }
        if (excluded || (has_positive && !any))
            return 0;
    }
    return 1;
}

int sm_op_list_secrets(svc_req_t *r, const cJSON *in, cJSON *out)
{
    static const char *const orders[] = {"asc", "desc", NULL};
    static const char *const sorts[] = {"created-date", "last-accessed-date", "last-changed-date",
                                        "name", NULL};
    static const char *const sql[] = {
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY created ASC, seq ASC",
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY created DESC, seq DESC",
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY IFNULL(last_accessed, 0) ASC, seq ASC",
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY IFNULL(last_accessed, 0) DESC, seq DESC",
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY last_changed ASC, seq ASC",
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY last_changed DESC, seq DESC",
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY name ASC",
        "SELECT arn FROM sm_secrets WHERE account=?1 AND region=?2 ORDER BY name DESC",
    };
    const char *order = "asc", *sort = "created-date";
    const cJSON *filters = NULL;
    long max = 100, offset, seen = 0, emitted = 0;
    int planned = 0, more = 0, si = 0;
    cJSON *list;
    char **arns = NULL;
    size_t narns = 0, i;
    sqlite3_stmt *st;

    if (json_bool(r, in, "IncludePlannedDeletion", &planned, NULL) ||
        json_int(r, in, "MaxResults", 0, 1, 100, &max, NULL) || sm_token_parse(r, in, &offset) ||
        json_list(r, in, "Filters", 0, 0, 10, &filters) ||
        json_enum(r, in, "SortOrder", 0, orders, &order) || json_enum(r, in, "SortBy", 0, sorts, &sort) ||
        (filters && sm_check_filters(r, filters)))
        return -1;
    sm_purge_due(r);
    for (i = 0; sorts[i]; i++)
        if (!strcmp(sorts[i], sort))
            si = (int)i;
    st = db_stmt(r->emu->db, sql[si * 2 + (strcmp(order, "desc") == 0)]);
    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    arns = sm_strings(st, &narns);
    list = cJSON_AddArrayToObject(out, "SecretList");
    for (i = 0; i < narns; i++) {
        sm_secret_t s;
        if (arns[i] == NULL || sm_resolve(r, arns[i], &s) != 0)
            continue;
        if ((planned || s.deleted_date == 0) && (filters == NULL || sm_filters_match(r, &s, filters))) {
            if (seen++ >= offset) {
                if (emitted == max) {
                    more = 1;
                } else {
                    cJSON *o = cJSON_CreateObject();
                    secret_json(r, &s, o, "SecretVersionsToStages");
                    cJSON_AddItemToArray(list, o);
                    emitted++;
                }
            }
        }
        sm_secret_clear(&s);
        if (more)
            break;
    }
    r->err_code[0] = '\0';
    r->err_status = 0;
    sm_strings_free(arns, narns);
    sm_token_put(out, offset + max, more);
    return 0;
}

/* ---- deletion ------------------------------------------------------------ */

int sm_op_delete_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    long days = 30;
    int have_days = 0, force = 0, rc = -1;
    sm_secret_t s;
    sqlite3_stmt *st;
    double when;

    if (json_int(r, in, "RecoveryWindowInDays", 0, -1000000, 1000000, &days, &have_days) ||
        json_bool(r, in, "ForceDeleteWithoutRecovery", &force, NULL))
        return -1;
    if (force && have_days)
        return svc_error(r, 400, "InvalidParameterException",
                         "You can't use ForceDeleteWithoutRecovery in conjunction with "
                         "RecoveryWindowInDays.");
    if (have_days && (days < 7 || days > 30))
        return svc_error(r, 400, "InvalidParameterException",
                         "The RecoveryWindowInDays value must be between 7 and 30 days "
                         "(inclusive).");
    db_reserve_use(r->emu->db); /* a delete must work on a full disk */
    if (sm_req_secret(r, in, &s) != 0) {
        const char *id = NULL;
        /* forcing the deletion of a secret that does not exist (or is
         * already gone) is not an error */
        if (!force || strcmp(r->err_code, "ResourceNotFoundException") != 0 ||
            json_str(r, in, "SecretId", 1, 1, 2048, &id) != 0)
            return -1;
        r->err_code[0] = '\0';
        r->err_status = 0;
        cJSON_AddStringToObject(out, !strncmp(id, "arn:", 4) ? "ARN" : "Name", id);
        json_put_time(out, "DeletionDate", r->now);
        return 0;
    }
    if (!force && s.deleted_date > 0) {
        svc_error(r, 400, "InvalidRequestException",
                  "You can't perform this operation on the secret because it was already "
                  "scheduled for deletion.");
        goto out;
    }
    if (!s.primary_region[0]) {
        cJSON *repl = sm_replication_status(r, s.arn);
        int n = cJSON_GetArraySize(repl);
        cJSON_Delete(repl);
        if (n > 0) {
            svc_error(r, 400, "InvalidRequestException",
                      "You can't delete secret %s while it has replicas. Remove the replica "
                      "Regions first.", s.name);
            goto out;
        }
    }
    if (force) {
        when = r->now;
        st = db_stmt(r->emu->db, "DELETE FROM sm_secrets WHERE arn=?1");
    } else {
        when = r->now + (double)days * DAY;
        st = db_stmt(r->emu->db, "UPDATE sm_secrets SET deleted_date=?2 WHERE arn=?1");
    }
    if (st == NULL) {
        rc = sm_internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, s.arn, -1, SQLITE_STATIC);
    if (!force)
        sqlite3_bind_double(st, 2, when);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -2;
    sqlite3_reset(st);
    if (rc != 0) {
        rc = sm_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    json_put_time(out, "DeletionDate", when);
out:
    sm_secret_clear(&s);
    return rc;
}

/* Resolves SecretId, runs sql (?1 = the secret's ARN) and answers with the
 * ARN and Name. */
static int update_secret(svc_req_t *r, const cJSON *in, cJSON *out, const char *sql)
{
    sm_secret_t s;
    sqlite3_stmt *st;
    int rc;

    if (sm_req_secret(r, in, &s) != 0)
        return -1;
    st = db_stmt(r->emu->db, sql);
    if (st == NULL) {
        sm_secret_clear(&s);
        return sm_internal(r);
    }
    sqlite3_bind_text(st, 1, s.arn, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sm_internal(r);
    sqlite3_reset(st);
    if (rc == 0) {
        cJSON_AddStringToObject(out, "ARN", s.arn);
        cJSON_AddStringToObject(out, "Name", s.name);
    }
    sm_secret_clear(&s);
    return rc;
}

int sm_op_restore_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    return update_secret(r, in, out, "UPDATE sm_secrets SET deleted_date=NULL WHERE arn=?1");
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
    if (sm_require_live(r, &s, NULL) == 0 && db_begin(r->emu->db) == 0) {
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
    if (sm_require_live(r, &s, NULL) != 0) {
        sm_secret_clear(&s);
        return -1;
    }
    cJSON_ArrayForEach(k, keys) {
        sqlite3_stmt *st;
        if (!cJSON_IsString(k)) {
            rc = svc_error(r, 400, "InvalidParameterException", "TagKeys must be strings.");
            break;
        }
        st = db_stmt(r->emu->db, "DELETE FROM sm_tags WHERE arn=?1 AND tag_key=?2");
        if (st == NULL) {
            rc = sm_internal(r);
            break;
        }
        sqlite3_bind_text(st, 1, s.arn, -1, SQLITE_STATIC);
        db_bind_str(st, 2, k->valuestring, jsonlen_str(k));
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sm_secret_clear(&s);
    return rc;
}

/* ---- resource policies ---------------------------------------------------- */

int sm_op_get_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    sm_secret_t s;

    if (sm_req_secret(r, in, &s) != 0)
        return -1;
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    if (s.policy)
        cJSON_AddStringToObject(out, "ResourcePolicy", s.policy);
    sm_secret_clear(&s);
    return 0;
}

/* A statement that allows everyone, unconditionally. */
static int is_public(const char *doc)
{
    cJSON *p = cJSON_Parse(doc), *stmts, *s;
    int pub = 0;

    stmts = p ? cJSON_GetObjectItemCaseSensitive(p, "Statement") : NULL;
    if (cJSON_IsObject(stmts)) {
        cJSON *arr = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, cJSON_Duplicate(stmts, 1));
        cJSON_ReplaceItemInObjectCaseSensitive(p, "Statement", arr);
        stmts = arr;
    }
    cJSON_ArrayForEach(s, stmts) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "Effect");
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(s, "Principal");
        const cJSON *aws = cJSON_IsObject(pr) ? cJSON_GetObjectItemCaseSensitive(pr, "AWS") : pr;
        if (cJSON_IsString(e) && !strcmp(e->valuestring, "Allow") &&
            !cJSON_GetObjectItemCaseSensitive(s, "Condition") && cJSON_IsString(aws) &&
            !strcmp(aws->valuestring, "*"))
            pub = 1;
    }
    cJSON_Delete(p);
    return pub;
}

int sm_op_put_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *policy = NULL;
    int block = 0, rc = -1;
    sm_secret_t s;
    sqlite3_stmt *st;

    if (json_str(r, in, "ResourcePolicy", 1, 1, 20480, &policy) ||
        json_bool(r, in, "BlockPublicPolicy", &block, NULL) || sm_check_policy(r, policy) ||
        sm_req_secret(r, in, &s))
        return -1;
    if (sm_require_live(r, &s, NULL) != 0)
        goto out;
    if (block && is_public(policy)) {
        svc_error(r, 400, "PublicPolicyException",
                  "The BlockPublicPolicy parameter is set to true, and the resource policy did "
                  "not prevent broad access to the secret.");
        goto out;
    }
    st = db_stmt(r->emu->db, "UPDATE sm_secrets SET policy=?2 WHERE arn=?1");
    if (st == NULL) {
        rc = sm_internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, s.arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, policy, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sm_internal(r);
    sqlite3_reset(st);
    if (rc == 0) {
        cJSON_AddStringToObject(out, "ARN", s.arn);
        cJSON_AddStringToObject(out, "Name", s.name);
    }
out:
    sm_secret_clear(&s);
    return rc;
}

int sm_op_delete_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    return update_secret(r, in, out, "UPDATE sm_secrets SET policy=NULL WHERE arn=?1");
}

int sm_op_validate_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *policy = NULL, *id = NULL;
    cJSON *errs;

    if (json_str(r, in, "ResourcePolicy", 1, 1, 20480, &policy) ||
        json_str(r, in, "SecretId", 0, 1, 2048, &id) || sm_check_policy(r, policy))
        return -1;
    if (id) {
        sm_secret_t s;
        if (sm_resolve(r, id, &s) != 0)
            return -1;
        sm_secret_clear(&s);
    }
    errs = cJSON_AddArrayToObject(out, "ValidationErrors");
    if (is_public(policy)) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "CheckName", "BLOCK_PUBLIC_POLICY");
        cJSON_AddStringToObject(e, "ErrorMessage",
                                "The resource policy grants broad access to the secret.");
        cJSON_AddItemToArray(errs, e);
    }
    cJSON_AddBoolToObject(out, "PolicyValidationPassed", cJSON_GetArraySize(errs) == 0);
    return 0;
}
