/* sm_values.c — GetSecretValue, BatchGetSecretValue, PutSecretValue,
 * UpdateSecretVersionStage, ListSecretVersionIds, GetRandomPassword. */
#include "services/sm/sm_int.h"

#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "storage/db.h"

#define DAY 86400.0

/* Records the access day (one write a day, not one per read). */
static void note_access(svc_req_t *r, const sm_secret_t *s)
{
    double today = floor(r->now / DAY) * DAY;

    if (s->last_accessed < today)
        db_run(r->emu->db, "UPDATE sm_secrets SET last_accessed=?2 WHERE arn=?1", "sd", s->arn,
               today);
}

/* Fills out with the value of s selected by version id and/or stage
 * (default AWSCURRENT), as GetSecretValue answers. */
static int get_value(svc_req_t *r, const sm_secret_t *s, const char *vid, const char *stage,
                     cJSON *out)
{
    char found[80];
    uint8_t *value = NULL;
    size_t n = 0;
    int is_binary = 0, have;
    double created = 0;

    if (sm_require_live(r, s) != 0)
        return -1;
    if (vid) {
        have = sm_version_exists(r, s->arn, vid);
        if (have < 0)
            return -1;
        if (!have)
            return sm_fail(r, SM_E_VERSION_NOT_FOUND, vid, NULL);
        if (stage) {
            have = sm_stage_version(r, s->arn, stage, found, sizeof found);
            if (have < 0)
                return -1;
            if (!have || strcmp(found, vid) != 0)
                return sm_fail(r, SM_E_STAGE_NOT_ON_VERSION, NULL, NULL);
        }
        str_copy(found, sizeof found, vid);
    } else {
        const char *want = stage ? stage : "AWSCURRENT";
        have = sm_stage_version(r, s->arn, want, found, sizeof found);
        if (have < 0)
            return -1;
        if (!have)
            return sm_fail(r, SM_E_STAGE_NOT_FOUND, want, NULL);
    }
    if (sm_load_version(r, s, found, &value, &n, &is_binary, &created) != 0)
        return -1;
    cJSON_AddStringToObject(out, "ARN", s->arn);
    cJSON_AddStringToObject(out, "Name", s->name);
    cJSON_AddStringToObject(out, "VersionId", found);
    if (is_binary)
        json_put_blob(out, "SecretBinary", value, n);
    else
        json_put_strn(out, "SecretString", (const char *)value, n);
    cJSON_AddItemToObject(out, "VersionStages", sm_version_stages(r, s->arn, found));
    json_put_time(out, "CreatedDate", created);
    codec_wipe_free(value, n);
    note_access(r, s);
    return 0;
}

int sm_op_get_secret_value(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *vid = NULL, *stage = NULL;
    sm_secret_t s;
    int rc;

    if (json_str(r, in, "VersionId", 0, 32, 64, &vid) ||
        json_str(r, in, "VersionStage", 0, 1, 256, &stage) || sm_req_secret(r, in, &s))
        return -1;
    rc = get_value(r, &s, vid, stage, out);
    sm_secret_clear(&s);
    return rc;
}

static void batch_error(cJSON *errs, const char *id, svc_req_t *r)
{
    cJSON *e = cJSON_CreateObject();

    cJSON_AddStringToObject(e, "SecretId", id);
    cJSON_AddStringToObject(e, "ErrorCode", r->err_code);
    cJSON_AddStringToObject(e, "Message", r->err_msg);
    cJSON_AddItemToArray(errs, e);
    r->err_code[0] = '\0';
    r->err_msg[0] = '\0';
    r->err_status = 0;
}

/* Adds the current value of s to vals, or its error to errs. */
static void batch_one(svc_req_t *r, const sm_secret_t *s, const char *id, cJSON *vals, cJSON *errs)
{
    cJSON *v = cJSON_CreateObject();

    if (get_value(r, s, NULL, NULL, v) != 0) {
        cJSON_Delete(v);
        batch_error(errs, id, r);
    } else {
        cJSON_AddItemToArray(vals, v);
    }
}

static int batch_by_ids(svc_req_t *r, const cJSON *ids, cJSON *vals, cJSON *errs)
{
    const cJSON *id;

    cJSON_ArrayForEach(id, ids)
    {
        sm_secret_t s;
        if (!cJSON_IsString(id) || strlen(id->valuestring) < 1 ||
            strlen(id->valuestring) > AWS_SM_SECRET_ID_MAX)
            return sm_fail(r, SM_E_BATCH_ID, NULL, NULL);
        if (sm_resolve(r, id->valuestring, &s) != 0) {
            batch_error(errs, id->valuestring, r);
            continue;
        }
        if (sm_authorize(r, "secretsmanager:GetSecretValue", &s, NULL) != 0)
            batch_error(errs, id->valuestring, r);
        else
            batch_one(r, &s, id->valuestring, vals, errs);
        sm_secret_clear(&s);
    }
    return 0;
}

/* The secrets Filters match that the caller may read, in creation order,
 * max a page after the key *last (the seq of the last secret returned),
 * moving it. */
static int batch_by_filters(svc_req_t *r, const cJSON *filters, long max, page_key_t *last,
                            cJSON *vals, cJSON *errs, int *more)
{
    static const char *const sql[2] = {
        "SELECT " SM_COLS ", seq FROM sm_secrets WHERE account=?1 AND region=?2 AND deleted_date "
        "IS NULL" PAGE_ORDER1("seq"),
        "SELECT " SM_COLS ", seq FROM sm_secrets WHERE account=?1 AND region=?2 AND deleted_date "
        "IS NULL AND " PAGE_NEXT1("seq") PAGE_ORDER1("seq"),
    };
    long emitted = 0;
    page_key_t scan = *last;

    *more = 0;
    for (;;) {
        sqlite3_stmt *st = db_query(r->emu->db, sql[scan.n > 0], "ss", r->account, r->region);
        long rows = 0;
        int rc = 0;

        if (st == NULL || page_bind(st, &scan, (int)max) != 0) {
            db_done(st);
            return sm_internal(r);
        }
        while (!*more && rc >= 0 && (rc = db_row(st)) == 1) {
            sm_secret_t s;
            rows++;
            memset(&s, 0, sizeof s);
            sm_fill_secret(st, &s);
            if (page_key_row(&scan, st, SM_NCOLS, 1) != 0) {
                rc = -1;
            } else if (sm_filters_match(r, &s, filters) &&
                       sm_authorize(r, "secretsmanager:GetSecretValue", &s, NULL) == 0) {
                if (emitted == max) {
                    *more = 1;
                } else {
                    batch_one(r, &s, s.arn, vals, errs);
                    emitted++;
                    *last = scan;
                }
            }
            sm_secret_clear(&s);
        }
        db_done(st);
        /* a denied secret is skipped, not an error of the request */
        r->err_code[0] = '\0';
        r->err_status = 0;
        if (!*more && rc < 0)
            return sm_internal(r);
        if (*more || rows <= max)
            return 0;
    }
}

int sm_op_batch_get_secret_value(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *ids = NULL, *filters = NULL;
    long max = 20;
    int have_max = 0, more = 0, rc = -1;
    cJSON *vals, *errs;
    char *scope = NULL;
    page_key_t last;

    if (json_list(r, in, "SecretIdList", 0, 1, 20, &ids) ||
        json_list(r, in, "Filters", 0, 0, 10, &filters) ||
        json_int(r, in, "MaxResults", 0, 1, 20, &max, &have_max))
        return -1;
    if ((scope = sm_page_scope(r, "BatchGetSecretValue", "", filters)) == NULL)
        return sm_internal(r);
    if (sm_page_read(r, in, scope, &last) != 0)
        goto out;
    if ((ids == NULL) == (filters == NULL)) {
        sm_fail(r, SM_E_BATCH_EITHER, NULL, NULL);
        goto out;
    }
    if (ids && have_max) {
        sm_fail(r, SM_E_BATCH_MAX, NULL, NULL);
        goto out;
    }
    vals = cJSON_AddArrayToObject(out, "SecretValues");
    errs = cJSON_AddArrayToObject(out, "Errors");
    if (ids) {
        rc = batch_by_ids(r, ids, vals, errs);
        goto out;
    }
    if (sm_check_filters(r, filters) != 0)
        goto out;
    sm_purge_due(r);
    if (batch_by_filters(r, filters, max, &last, vals, errs, &more) != 0)
        goto out;
    if (more)
        sm_page_put(r, out, scope, &last);
    rc = 0;
out:
    free(scope);
    return rc;
}

int sm_op_put_secret_value(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *stages = NULL;
    const char *rot = NULL;
    uint8_t *value = NULL;
    size_t n = 0;
    int is_binary = 0, created = 0, rc = -1;
    char token[65];
    sm_secret_t s;

    memset(&s, 0, sizeof s);
    if (json_list(r, in, "VersionStages", 0, 1, 20, &stages) ||
        json_str(r, in, "RotationToken", 0, 36, 256, &rot) || sm_req_token(r, in, token) ||
        sm_req_value(r, in, &value, &n, &is_binary))
        goto out;
    if (value == NULL) {
        sm_fail(r, SM_E_NO_VALUE, NULL, NULL);
        goto out;
    }
    if (sm_req_secret(r, in, &s) || sm_require_live(r, &s))
        goto out;
    if (s.primary_region[0]) {
        sm_fail(r, SM_E_ON_REPLICA, s.primary_region, NULL);
        goto out;
    }
    if (db_begin(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    if (sm_new_version(r, &s, token, value, n, is_binary, stages, &created) != 0) {
        db_rollback(r->emu->db);
        goto out;
    }
    if (db_commit(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    cJSON_AddStringToObject(out, "VersionId", token);
    cJSON_AddItemToObject(out, "VersionStages", sm_version_stages(r, s.arn, token));
    rc = 0;
out:
    codec_wipe_free(value, n);
    sm_secret_clear(&s);
    return rc;
}

int sm_op_update_secret_version_stage(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *stage = NULL, *from = NULL, *to = NULL;
    char cur[80];
    int have, rc = -1;
    sm_secret_t s;

    if (json_str(r, in, "VersionStage", 1, 1, 256, &stage) ||
        json_str(r, in, "RemoveFromVersionId", 0, 32, 64, &from) ||
        json_str(r, in, "MoveToVersionId", 0, 32, 64, &to) || sm_req_secret(r, in, &s))
        return -1;
    if (sm_require_live(r, &s) != 0)
        goto out;
    have = sm_stage_version(r, s.arn, stage, cur, sizeof cur);
    if (have < 0)
        goto out;
    if (to) {
        int exists = sm_version_exists(r, s.arn, to);
        if (exists < 0)
            goto out;
        if (!exists) {
            sm_fail(r, SM_E_NO_SUCH_VERSION, to, NULL);
            goto out;
        }
    }
    if (from && (!have || strcmp(cur, from) != 0)) {
        sm_fail(r, SM_E_STAGE_NOT_ATTACHED, stage, from);
        goto out;
    }
    if (to && have && strcmp(cur, to) != 0 && from == NULL) {
        sm_fail(r, SM_E_REMOVE_FROM_NEEDED, stage, cur);
        goto out;
    }
    if (!to && !strcmp(stage, "AWSCURRENT")) {
        sm_fail(r, SM_E_CURRENT_STAYS, NULL, NULL);
        goto out;
    }
    if (db_begin(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    if (to && !strcmp(stage, "AWSCURRENT"))
        rc = sm_make_current(r, s.arn, to);
    else
        rc = sm_set_stage(r, s.arn, stage, to);
    if (rc == 0)
        rc = sm_touch(r, s.arn);
    if (rc == 0 && db_commit(r->emu->db) != 0)
        rc = sm_internal(r);
    else if (rc != 0)
        db_rollback(r->emu->db);
    if (rc == 0) {
        cJSON_AddStringToObject(out, "ARN", s.arn);
        cJSON_AddStringToObject(out, "Name", s.name);
    }
out:
    sm_secret_clear(&s);
    return rc;
}

int sm_op_list_secret_version_ids(svc_req_t *r, const cJSON *in, cJSON *out)
{
    /* newest first; after a key, the versions older than its seq */
    static const char *const sql[2] = {
        "SELECT v.version_id, v.created, v.last_accessed, v.kms_key_arn, v.seq FROM sm_versions "
        "v WHERE v.arn=?1 AND (?2 OR EXISTS (SELECT 1 FROM sm_stages s WHERE s.arn=?1 AND "
        "s.version_id=v.version_id))" PAGE_ORDER1_DESC("v.seq"),
        "SELECT v.version_id, v.created, v.last_accessed, v.kms_key_arn, v.seq FROM sm_versions "
        "v WHERE v.arn=?1 AND (?2 OR EXISTS (SELECT 1 FROM sm_stages s WHERE s.arn=?1 AND "
        "s.version_id=v.version_id)) AND " PAGE_PREV1("v.seq") PAGE_ORDER1_DESC("v.seq"),
    };
    long max = 100, n = 0;
    int deprecated = 0, rc = -1;
    char what[SM_ARN_MAX + 16], *scope = NULL;
    sm_secret_t s;
    page_key_t last;
    cJSON *list;
    sqlite3_stmt *st;

    memset(&s, 0, sizeof s);
    if (json_int(r, in, "MaxResults", 0, 1, 100, &max, NULL) ||
        json_bool(r, in, "IncludeDeprecated", &deprecated, NULL) || sm_req_secret(r, in, &s))
        goto out;
    snprintf(what, sizeof what, "%s:%d", s.arn, deprecated);
    if ((scope = sm_page_scope(r, "ListSecretVersionIds", what, NULL)) == NULL) {
        sm_internal(r);
        goto out;
    }
    if (sm_page_read(r, in, scope, &last) != 0)
        goto out;
    st = db_query(r->emu->db, sql[last.n > 0], "si", s.arn, deprecated);
    if (st == NULL || page_bind(st, &last, (int)max) != 0) {
        db_done(st);
        sm_internal(r);
        goto out;
    }
    list = cJSON_AddArrayToObject(out, "Versions");
    while ((rc = db_row(st)) == 1) {
        cJSON *v, *keys;
        char vid[80];
        if (n++ == max)
            break;
        v = cJSON_CreateObject();
        str_copy(vid, sizeof vid, db_text(st, 0));
        cJSON_AddStringToObject(v, "VersionId", vid);
        cJSON_AddItemToObject(v, "VersionStages", sm_version_stages(r, s.arn, vid));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            json_put_time(v, "LastAccessedDate", sqlite3_column_double(st, 2));
        json_put_time(v, "CreatedDate", sqlite3_column_double(st, 1));
        keys = cJSON_AddArrayToObject(v, "KmsKeyIds");
        if (sqlite3_column_bytes(st, 3) > 0)
            cJSON_AddItemToArray(keys, cJSON_CreateString(db_text(st, 3)));
        cJSON_AddItemToArray(list, v);
        if (page_key_row(&last, st, 4, 1) != 0) {
            rc = -1;
            break;
        }
    }
    db_done(st);
    if (rc < 0) {
        rc = sm_internal(r);
        goto out;
    }
    if (n > max)
        sm_page_put(r, out, scope, &last);
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    rc = 0;
out:
    free(scope);
    sm_secret_clear(&s);
    return rc;
}

/* ---- GetRandomPassword ------------------------------------------------- */

#define PUNCTUATION "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

/* A uniformly random index below n (rejection sampling over a CSPRNG). */
static size_t uniform(size_t n)
{
    uint32_t x, limit = UINT32_MAX - UINT32_MAX % (uint32_t)n;

    do
        codec_random(&x, sizeof x);
    while (x >= limit);
    return x % n;
}

int sm_op_get_random_password(svc_req_t *r, const cJSON *in, cJSON *out)
{
    static const char *const classes[] = {
        "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", PUNCTUATION, " "};
    const char *exclude = "";
    long len = 32;
    int ex_num = 0, ex_punct = 0, ex_upper = 0, ex_lower = 0, space = 0, require = 1;
    char pool[5][64], all[160], *pw;
    size_t npool[5] = {0}, nall = 0, i, k;
    int use[5], nclasses = 0;

    if (json_int(r, in, "PasswordLength", 0, 1, 4096, &len, NULL) ||
        json_str(r, in, "ExcludeCharacters", 0, 0, 4096, &exclude) ||
        json_bool(r, in, "ExcludeNumbers", &ex_num, NULL) ||
        json_bool(r, in, "ExcludePunctuation", &ex_punct, NULL) ||
        json_bool(r, in, "ExcludeUppercase", &ex_upper, NULL) ||
        json_bool(r, in, "ExcludeLowercase", &ex_lower, NULL) ||
        json_bool(r, in, "IncludeSpace", &space, NULL) ||
        json_bool(r, in, "RequireEachIncludedType", &require, NULL))
        return -1;
    use[0] = !ex_lower;
    use[1] = !ex_upper;
    use[2] = !ex_num;
    use[3] = !ex_punct;
    use[4] = space;
    for (i = 0; i < 5; i++) {
        const char *c;
        if (!use[i])
            continue;
        for (c = classes[i]; *c; c++)
            if (strchr(exclude, *c) == NULL) {
                pool[i][npool[i]++] = *c;
                all[nall++] = *c;
            }
        if (npool[i] == 0)
            use[i] = 0; /* every character of the class excluded */
        else if (i < 4)
            nclasses++; /* the space is allowed, never required */
    }
    if (nall == 0)
        return sm_fail(r, SM_E_PASSWORD_NO_CHARS, NULL, NULL);
    if (require && len < nclasses)
        return sm_fail(r, SM_E_PASSWORD_SHORT, NULL, NULL);
    if ((pw = malloc((size_t)len + 1)) == NULL)
        return sm_internal(r);
    for (i = 0; i < (size_t)len; i++)
        pw[i] = all[uniform(nall)];
    if (require) {
        /* put one of each included class at distinct random positions */
        size_t *pos = malloc((size_t)len * sizeof *pos);
        if (pos == NULL) {
            free(pw);
            return sm_internal(r);
        }
        for (i = 0; i < (size_t)len; i++)
            pos[i] = i;
        for (i = 0; i < (size_t)len; i++) { /* Fisher-Yates */
            size_t j = i + uniform((size_t)len - i), t = pos[i];
            pos[i] = pos[j];
            pos[j] = t;
        }
        /* RequireEachIncludedType names letters of both cases, numbers and
         * punctuation (API reference): not the space */
        for (i = 0, k = 0; i < 4; i++)
            if (use[i])
                pw[pos[k++]] = pool[i][uniform(npool[i])];
        free(pos);
    }
    pw[len] = '\0';
    cJSON_AddStringToObject(out, "RandomPassword", pw);
    OPENSSL_cleanse(pw, (size_t)len);
    free(pw);
    return 0;
}
