/* sm.c — the Secrets Manager table, secret resolution, sealed versions and
 * staging labels. */
#include "services/sm/sm_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "base/utf8.h"
#include "services/kms/kms.h"
#include "storage/db.h"
#include "storage/envelope.h"

#define COLS                                                                                       \
    "arn, name, account, region, description, kms_key_id, type, created, last_changed, "           \
    "last_accessed, deleted_date, rotation_enabled, rotation_lambda, rotation_rules, "             \
    "last_rotated, next_rotation, primary_region, owning_service, policy"

int sm_internal(svc_req_t *r)
{
    db_rollback(r->emu->db);
    return svc_error(r, 500, "InternalServiceError", "An error occurred on the server side.");
}

void sm_secret_clear(sm_secret_t *s)
{
    free(s->description);
    free(s->kms_key_id);
    free(s->type);
    free(s->rotation_lambda);
    free(s->rotation_rules);
    free(s->owning_service);
    free(s->policy);
    memset(s, 0, sizeof *s);
}

static char *dup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *v = sqlite3_column_text(st, col);

    return sqlite3_column_type(st, col) == SQLITE_NULL || v == NULL ? NULL
                                                                    : strdup((const char *)v);
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);

    snprintf(dst, n, "%s", v ? (const char *)v : "");
}

static void fill(sqlite3_stmt *st, sm_secret_t *s)
{
    copy_col(st, 0, s->arn, sizeof s->arn);
    copy_col(st, 1, s->name, sizeof s->name);
    copy_col(st, 2, s->account, sizeof s->account);
    copy_col(st, 3, s->region, sizeof s->region);
    s->description = dup_col(st, 4);
    s->kms_key_id = dup_col(st, 5);
    s->type = dup_col(st, 6);
    s->created = sqlite3_column_double(st, 7);
    s->last_changed = sqlite3_column_double(st, 8);
    s->last_accessed = sqlite3_column_double(st, 9);
    s->deleted_date = sqlite3_column_double(st, 10);
    s->rotation_enabled = sqlite3_column_int(st, 11);
    s->rotation_lambda = dup_col(st, 12);
    s->rotation_rules = dup_col(st, 13);
    s->last_rotated = sqlite3_column_double(st, 14);
    s->next_rotation = sqlite3_column_double(st, 15);
    copy_col(st, 16, s->primary_region, sizeof s->primary_region);
    s->owning_service = dup_col(st, 17);
    s->policy = dup_col(st, 18);
}

static int delete_secret_row(svc_req_t *r, const char *arn)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "DELETE FROM sm_secrets WHERE arn=?1");
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

void sm_purge_due(svc_req_t *r)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "DELETE FROM sm_secrets WHERE account=?1 AND region=?2 "
                                           "AND deleted_date IS NOT NULL AND deleted_date<=?3");

    if (st == NULL)
        return;
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, r->now);
    sqlite3_step(st);
    sqlite3_reset(st);
}

static int not_found(svc_req_t *r)
{
    return svc_error(r, 400, "ResourceNotFoundException",
                     "Secrets Manager can't find the specified secret.");
}

/* Looks a secret up by one column (arn or name); 1 found, 0 not, -1 error. */
static int lookup(svc_req_t *r, int by_arn, const char *key, sm_secret_t *out)
{
    static const char by_arn_sql[] = "SELECT " COLS " FROM sm_secrets WHERE arn=?1 AND account=?2 "
                                     "AND region=?3";
    static const char by_name_sql[] = "SELECT " COLS " FROM sm_secrets WHERE name=?1 AND "
                                      "account=?2 AND region=?3";
    sqlite3_stmt *st = db_stmt(r->emu->db, by_arn ? by_arn_sql : by_name_sql);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->region, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        fill(st, out);
        sqlite3_reset(st);
        return 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int sm_resolve(svc_req_t *r, const char *id, sm_secret_t *out)
{
    char prefix[200];
    size_t plen;
    int rc;

    memset(out, 0, sizeof *out);
    plen = (size_t)snprintf(prefix, sizeof prefix,
                            "arn:aws:secretsmanager:%s:%s:secret:", r->region, r->account);
    if (!strncmp(id, "arn:", 4)) {
        if (strncmp(id, prefix, plen) != 0)
            return not_found(r);
        rc = lookup(r, 1, id, out); /* full ARN */
        if (rc == 0)
            rc = lookup(r, 0, id + plen, out); /* partial ARN: the name */
    } else {
        rc = lookup(r, 0, id, out);
    }
    if (rc < 0)
        return sm_internal(r);
    if (rc == 0)
        return not_found(r);
    if (out->deleted_date > 0 && out->deleted_date <= r->now) {
        delete_secret_row(r, out->arn);
        sm_secret_clear(out);
        return not_found(r);
    }
    return 0;
}

/* A SecretId that names no secret: in enforce mode the caller learns that
 * only when allowed the operation on it, as AWS authorizes before it looks
 * (the resource is the id as an ARN). Returns -1 with AccessDenied or the
 * ResourceNotFoundException already on r. */
static int not_found_authorized(svc_req_t *r, const char *id)
{
    char arn[SM_ARN_MAX + 2048], code[sizeof r->err_code], msg[sizeof r->err_msg];
    int status = r->err_status;

    if (!r->emu->cfg->iam_enforce || strcmp(r->err_code, "ResourceNotFoundException") != 0)
        return -1;
    if (!strncmp(id, "arn:", 4))
        snprintf(arn, sizeof arn, "%s", id);
    else
        snprintf(arn, sizeof arn, "arn:aws:secretsmanager:%s:%s:secret:%s", r->region, r->account,
                 id);
    memcpy(code, r->err_code, sizeof code);
    memcpy(msg, r->err_msg, sizeof msg);
    r->err_code[0] = '\0';
    if (sm_authorize(r, NULL, arn, NULL) != 0)
        return -1;
    memcpy(r->err_code, code, sizeof code);
    memcpy(r->err_msg, msg, sizeof msg);
    r->err_status = status;
    return -1;
}

int sm_req_secret(svc_req_t *r, const cJSON *in, sm_secret_t *out)
{
    const char *id = NULL;

    memset(out, 0, sizeof *out);
    if (json_str(r, in, "SecretId", 1, 1, 2048, &id) != 0)
        return -1;
    if (sm_resolve(r, id, out) != 0)
        return not_found_authorized(r, id);
    if (sm_authorize(r, NULL, out->arn, out->policy) != 0) {
        sm_secret_clear(out);
        return -1;
    }
    return 0;
}

int sm_require_live(svc_req_t *r, const sm_secret_t *s, const char *what)
{
    if (s->deleted_date > 0)
        return svc_error(r, 400, "InvalidRequestException",
                         "You can't perform this operation on the secret because it was marked "
                         "for deletion.%s%s",
                         what ? " " : "", what ? what : "");
    return 0;
}

/* ---- sealed versions --------------------------------------------------- */

static int store_sealed(svc_req_t *r, const sm_secret_t *s, const char *version_id,
                        const uint8_t *value, size_t n, int is_binary);
static int drop_placeholder(svc_req_t *r, const char *arn, const char *version_id);

static cJSON *version_context(const char *arn, const char *version_id)
{
    cJSON *ctx = cJSON_CreateObject();

    cJSON_AddStringToObject(ctx, "SecretARN", arn);
    cJSON_AddStringToObject(ctx, "SecretVersionId", version_id);
    return ctx;
}

/* The AAD of a sealed value: the secret ARN and version id. */
static void value_aad(buf_t *b, const char *arn, const char *version_id)
{
    buf_adds(b, "awsemu:secretsmanager:");
    buf_add(b, arn, strlen(arn) + 1);
    buf_adds(b, version_id);
}

/* KMS's errors, as Secrets Manager reports them. */
int sm_kms_failure(svc_req_t *r, int encrypting)
{
    char why[300];

    if (!strcmp(r->err_code, "AccessDeniedException"))
        return svc_error(r, 400, "AccessDeniedException", "Access to KMS is not allowed");
    snprintf(why, sizeof why, "%.60s: %.230s", r->err_code, r->err_msg);
    if (encrypting)
        return svc_error(r, 400, "EncryptionFailure",
                         "Secrets Manager can't encrypt the protected secret text using the "
                         "provided KMS key. Check that the KMS key is available, enabled, and not "
                         "in an invalid state. (%s)",
                         why);
    return svc_error(r, 400, "DecryptionFailure",
                     "Secrets Manager can't decrypt the protected secret text using the provided "
                     "KMS key. (%s)",
                     why);
}

int sm_store_version(svc_req_t *r, const sm_secret_t *s, const char *version_id,
                     const uint8_t *value, size_t n, int is_binary)
{
    if (drop_placeholder(r, s->arn, version_id) < 0)
        return -1;
    return store_sealed(r, s, version_id, value, n, is_binary);
}

static int store_sealed(svc_req_t *r, const sm_secret_t *s, const char *version_id,
                        const uint8_t *value, size_t n, int is_binary)
{
    uint8_t dk[32], *wrapped = NULL, *sealed = NULL;
    size_t wlen = 0;
    char key_arn[160], managed[37];
    const char *key_ref = s->kms_key_id;
    cJSON *ctx = version_context(s->arn, version_id);
    buf_t aad;
    sqlite3_stmt *st;
    int rc = -1;

    buf_init(&aad, 0);
    if (key_ref == NULL || key_ref[0] == '\0') {
        if (kms_managed_key(r, "secretsmanager", managed) != 0) {
            sm_kms_failure(r, 1);
            goto out;
        }
        key_ref = managed;
    }
    if (kms_data_key(r, key_ref, ctx, dk, sizeof dk, &wrapped, &wlen, key_arn) != 0) {
        sm_kms_failure(r, 1);
        goto out;
    }
    value_aad(&aad, s->arn, version_id);
    if ((sealed = malloc(n + ENVELOPE_OVERHEAD)) == NULL ||
        envelope_seal(dk, (const uint8_t *)aad.data, aad.len, value, n, sealed) != 0) {
        sm_internal(r);
        goto out;
    }
    st = db_stmt(r->emu->db, "INSERT INTO sm_versions (arn, version_id, is_binary, sealed, "
                             "wrapped_key, kms_key_arn, created, seq) VALUES (?1, ?2, ?3, ?4, ?5, "
                             "?6, ?7, (SELECT IFNULL(MAX(seq), 0) + 1 FROM sm_versions))");
    if (st == NULL) {
        sm_internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, s->arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, is_binary);
    sqlite3_bind_blob(st, 4, sealed, (int)(n + ENVELOPE_OVERHEAD), SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, wrapped, (int)wlen, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, key_arn, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 7, r->now);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sm_internal(r);
    sqlite3_reset(st);
out:
    OPENSSL_cleanse(dk, sizeof dk);
    free(wrapped);
    free(sealed);
    buf_free(&aad);
    cJSON_Delete(ctx);
    return rc;
}

int sm_load_version(svc_req_t *r, const sm_secret_t *s, const char *version_id, uint8_t **value,
                    size_t *n, int *is_binary, double *created)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT is_binary, sealed, wrapped_key, created FROM "
                                           "sm_versions WHERE arn=?1 AND version_id=?2");
    uint8_t dk[32], *out = NULL, *sealed = NULL, *wrapped = NULL;
    size_t slen, wlen;
    char key_arn[160];
    cJSON *ctx = NULL;
    buf_t aad;
    int rc = -1;

    buf_init(&aad, 0);
    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, s->arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return svc_error(r, 400, "ResourceNotFoundException",
                         "Secrets Manager can't find the specified secret value for VersionId: %s",
                         version_id);
    }
    *is_binary = sqlite3_column_int(st, 0);
    if (*is_binary < 0) {
        /* the AWSPENDING placeholder of a rotation not yet given a value */
        sqlite3_reset(st);
        return svc_error(r, 400, "ResourceNotFoundException",
                         "Secrets Manager can't find the specified secret value for VersionId: %s",
                         version_id);
    }
    slen = (size_t)sqlite3_column_bytes(st, 1);
    wlen = (size_t)sqlite3_column_bytes(st, 2);
    sealed = malloc(slen + 1);
    wrapped = malloc(wlen + 1);
    if (sealed && wrapped) {
        memcpy(sealed, sqlite3_column_blob(st, 1), slen);
        memcpy(wrapped, sqlite3_column_blob(st, 2), wlen);
    }
    if (created)
        *created = sqlite3_column_double(st, 3);
    sqlite3_reset(st);
    if (sealed == NULL || wrapped == NULL || slen < ENVELOPE_OVERHEAD) {
        sm_internal(r);
        goto out;
    }
    ctx = version_context(s->arn, version_id);
    if (kms_unwrap(r, wrapped, wlen, ctx, dk, sizeof dk, key_arn) != 0) {
        sm_kms_failure(r, 0);
        goto out;
    }
    value_aad(&aad, s->arn, version_id);
    if ((out = malloc(slen - ENVELOPE_OVERHEAD + 1)) == NULL ||
        envelope_open(dk, (const uint8_t *)aad.data, aad.len, sealed, slen, out) != 0) {
        free(out);
        out = NULL;
        svc_error(r, 400, "DecryptionFailure",
                  "Secrets Manager can't decrypt the protected secret text using the provided "
                  "KMS key.");
        goto out;
    }
    *n = slen - ENVELOPE_OVERHEAD;
    out[*n] = '\0';
    *value = out;
    rc = 0;
out:
    OPENSSL_cleanse(dk, sizeof dk);
    free(sealed);
    free(wrapped);
    buf_free(&aad);
    cJSON_Delete(ctx);
    return rc;
}

int sm_placeholder(svc_req_t *r, const char *arn, const char *version_id)
{
    sqlite3_stmt *st =
        db_stmt(r->emu->db, "INSERT OR IGNORE INTO sm_versions (arn, version_id, is_binary, "
                            "sealed, wrapped_key, kms_key_arn, created, seq) VALUES (?1, ?2, -1, "
                            "x'', x'', '', ?3, (SELECT IFNULL(MAX(seq), 0) + 1 FROM sm_versions))");
    int rc;

    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, r->now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sm_internal(r);
    return sm_set_stage(r, arn, "AWSPENDING", version_id);
}

/* Removes version_id if it is only a placeholder; 1 when it was one. */
static int drop_placeholder(svc_req_t *r, const char *arn, const char *version_id)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "DELETE FROM sm_versions WHERE arn=?1 AND "
                                           "version_id=?2 AND is_binary < 0");
    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_reset(st);
    return sqlite3_changes(db_handle(r->emu->db)) > 0;
}

int sm_version_exists(svc_req_t *r, const char *arn, const char *version_id)
{
    sqlite3_stmt *st =
        db_stmt(r->emu->db, "SELECT 1 FROM sm_versions WHERE arn=?1 AND version_id=?2");
    int rc;

    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return rc;
}

int sm_stage_version(svc_req_t *r, const char *arn, const char *stage, char *out, size_t n)
{
    sqlite3_stmt *st =
        db_stmt(r->emu->db, "SELECT version_id FROM sm_stages WHERE arn=?1 AND stage=?2");
    int found;

    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, stage, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        copy_col(st, 0, out, n);
    sqlite3_reset(st);
    return found;
}

int sm_set_stage(svc_req_t *r, const char *arn, const char *stage, const char *version_id)
{
    sqlite3_stmt *st;
    int rc;

    if (version_id == NULL) {
        st = db_stmt(r->emu->db, "DELETE FROM sm_stages WHERE arn=?1 AND stage=?2");
        if (st == NULL)
            return sm_internal(r);
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, stage, -1, SQLITE_STATIC);
    } else {
        st = db_stmt(r->emu->db, "INSERT OR REPLACE INTO sm_stages (arn, stage, version_id) "
                                 "VALUES (?1, ?2, ?3)");
        if (st == NULL)
            return sm_internal(r);
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, stage, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, version_id, -1, SQLITE_STATIC);
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sm_internal(r);
}

int sm_make_current(svc_req_t *r, const char *arn, const char *version_id)
{
    char old[80];
    int have = sm_stage_version(r, arn, "AWSCURRENT", old, sizeof old);

    if (have < 0)
        return -1;
    if (have && strcmp(old, version_id) == 0)
        return 0;
    if (have && sm_set_stage(r, arn, "AWSPREVIOUS", old) != 0)
        return -1;
    return sm_set_stage(r, arn, "AWSCURRENT", version_id);
}

int sm_prune_versions(svc_req_t *r, const char *arn)
{
    sqlite3_stmt *st = db_stmt(
        r->emu->db,
        "DELETE FROM sm_versions WHERE arn=?1 AND version_id IN (SELECT v.version_id FROM "
        "sm_versions v WHERE v.arn=?1 AND NOT EXISTS (SELECT 1 FROM sm_stages s WHERE s.arn=?1 "
        "AND s.version_id=v.version_id) ORDER BY v.seq LIMIT max(0, (SELECT count(*) FROM "
        "sm_versions WHERE arn=?1) - ?2))");
    int rc;

    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, SM_MAX_VERSIONS);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sm_internal(r);
}

cJSON *sm_version_stages(svc_req_t *r, const char *arn, const char *version_id)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT stage FROM sm_stages WHERE arn=?1 AND "
                                           "version_id=?2 ORDER BY stage");
    cJSON *list = cJSON_CreateArray();

    if (st == NULL)
        return list;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(list, cJSON_CreateString((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    return list;
}

int sm_touch(svc_req_t *r, const char *arn)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "UPDATE sm_secrets SET last_changed=?2 WHERE arn=?1");
    int rc;

    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 2, r->now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sm_internal(r);
}

char **sm_strings(sqlite3_stmt *st, size_t *n)
{
    char **v = NULL;

    *n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char **nv = realloc(v, (*n + 1) * sizeof *v);
        if (nv == NULL)
            break;
        v = nv;
        v[(*n)++] = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_reset(st);
    return v;
}

void sm_strings_free(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- request members ------------------------------------------------------ */

int sm_req_value(svc_req_t *r, const cJSON *in, uint8_t **value, size_t *n, int *is_binary)
{
    const char *str = NULL;
    uint8_t *bin = NULL;
    size_t blen = 0, len = 0;

    *value = NULL;
    *n = 0;
    *is_binary = 0;
    /* the value's exact bytes, U+0000 included (json_strn: a C string
     * would cut it short and store a different secret) */
    if (json_strn(r, in, "SecretString", 0, 1, SM_MAX_VALUE, &str, &len) != 0 ||
        json_blob(r, in, "SecretBinary", 0, 1, SM_MAX_VALUE, &bin, &blen) != 0)
        return -1;
    if (str && bin) {
        OPENSSL_cleanse(bin, blen);
        free(bin);
        return svc_error(r, 400, "InvalidParameterException",
                         "You can't specify both a binary secret value and a string secret value "
                         "in the same secret.");
    }
    if (str) {
        if (len > SM_MAX_VALUE)
            return svc_error(r, 400, "InvalidParameterException",
                             "The secret value exceeds the maximum size of 65536 bytes.");
        if ((*value = malloc(len + 1)) == NULL)
            return sm_internal(r);
        memcpy(*value, str, len + 1);
        *n = len;
    } else if (bin) {
        *value = bin;
        *n = blen;
        *is_binary = 1;
    }
    return 0;
}

int sm_req_token(svc_req_t *r, const cJSON *in, char out[65])
{
    const char *tok = NULL;

    if (json_str(r, in, "ClientRequestToken", 0, 32, 64, &tok) != 0)
        return -1;
    if (tok)
        snprintf(out, 65, "%s", tok);
    else
        codec_uuid(out);
    return 0;
}

int sm_put_tags(svc_req_t *r, const char *arn, const cJSON *tags)
{
    const cJSON *t;
    sqlite3_stmt *st;
    int n;

    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
        if (!cJSON_IsObject(t) || !cJSON_IsString(k) || (v && !cJSON_IsString(v)))
            return svc_error(r, 400, "InvalidParameterException",
                             "Tags must be a list of {Key, Value} pairs of strings.");
        /* characters, as AWS counts them */
        if (jsonlen_str(k) < 1 || utf8_count(k->valuestring, jsonlen_str(k)) > 128 ||
            (v && utf8_count(v->valuestring, jsonlen_str(v)) > 256))
            return svc_error(r, 400, "InvalidParameterException",
                             "Tag keys must be 1 to 128 characters and values at most 256.");
        if (!strncmp(k->valuestring, "aws:", 4))
            return svc_error(r, 400, "InvalidParameterException",
                             "Invalid tag key: the aws: prefix is reserved for AWS use.");
    }
    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
        st = db_stmt(r->emu->db,
                     "INSERT INTO sm_tags (arn, tag_key, tag_value, seq) VALUES (?1, ?2, ?3, "
                     "(SELECT IFNULL(MAX(seq), 0) + 1 FROM sm_tags)) ON CONFLICT (arn, tag_key) "
                     "DO UPDATE SET tag_value=excluded.tag_value");
        if (st == NULL)
            return sm_internal(r);
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
            db_bind_str(st, 2, k->valuestring, jsonlen_str(k));
            db_bind_str(st, 3, v ? v->valuestring : "", v ? jsonlen_str(v) : 0);
        }
        n = sqlite3_step(st);
        sqlite3_reset(st);
        if (n != SQLITE_DONE)
            return sm_internal(r);
    }
    st = db_stmt(r->emu->db, "SELECT count(*) FROM sm_tags WHERE arn=?1");
    if (st == NULL)
        return sm_internal(r);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (n > 50)
        return svc_error(r, 400, "LimitExceededException", "A secret can have at most 50 tags.");
    return 0;
}

int sm_check_policy(svc_req_t *r, const char *doc)
{
    cJSON *p = cJSON_Parse(doc);
    const cJSON *stmts, *s;
    int rc = 0;

    if (p == NULL || !cJSON_IsObject(p)) {
        cJSON_Delete(p);
        return svc_error(r, 400, "MalformedPolicyDocumentException",
                         "This resource policy contains an unsupported format: it is not a JSON "
                         "object.");
    }
    stmts = cJSON_GetObjectItemCaseSensitive(p, "Statement");
    if (stmts == NULL || (!cJSON_IsArray(stmts) && !cJSON_IsObject(stmts))) {
        rc = svc_error(r, 400, "MalformedPolicyDocumentException",
                       "This resource policy contains an unsupported format: Statement is "
                       "missing.");
        goto out;
    }
    if (cJSON_IsObject(stmts)) {
        s = stmts;
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "Effect")))
            rc = svc_error(r, 400, "MalformedPolicyDocumentException",
                           "This resource policy contains an unsupported format: a statement "
                           "has no Effect.");
        goto out;
    }
    cJSON_ArrayForEach(s, stmts)
    {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "Effect");
        if (!cJSON_IsObject(s) || !cJSON_IsString(e) ||
            (strcmp(e->valuestring, "Allow") && strcmp(e->valuestring, "Deny"))) {
            rc = svc_error(r, 400, "MalformedPolicyDocumentException",
                           "This resource policy contains an unsupported format: each statement "
                           "needs an Effect of Allow or Deny.");
            break;
        }
    }
out:
    cJSON_Delete(p);
    return rc;
}

int sm_token_parse(svc_req_t *r, const cJSON *in, long *offset)
{
    const char *t = NULL;
    char *end;
    long v;

    *offset = 0;
    if (json_str(r, in, "NextToken", 0, 1, 4096, &t) != 0)
        return -1;
    if (t == NULL)
        return 0;
    if (strncmp(t, "awsemu-", 7) != 0 || (v = strtol(t + 7, &end, 10)) < 0 || *end != '\0')
        return svc_error(r, 400, "InvalidNextTokenException", "The NextToken value is invalid.");
    *offset = v;
    return 0;
}

void sm_token_put(cJSON *out, long next_offset, int more)
{
    char t[32];

    if (!more)
        return;
    snprintf(t, sizeof t, "awsemu-%ld", next_offset);
    cJSON_AddStringToObject(out, "NextToken", t);
}

/* ---- the table ------------------------------------------------------------- */

static const svc_op_t ops[] = {
    SVC_OP("BatchGetSecretValue", json, sm_op_batch_get_secret_value,
           "secretsmanager:BatchGetSecretValue", NULL, OP_KEY_MATERIAL),
    SVC_OP("CancelRotateSecret", json, sm_op_cancel_rotate_secret,
           "secretsmanager:CancelRotateSecret", NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("CreateSecret", json, sm_op_create_secret, "secretsmanager:CreateSecret", NULL,
           OP_MUTATES | OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("DeleteResourcePolicy", json, sm_op_delete_resource_policy,
           "secretsmanager:DeleteResourcePolicy", NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("DeleteSecret", json, sm_op_delete_secret, "secretsmanager:DeleteSecret", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("DescribeSecret", json, sm_op_describe_secret, "secretsmanager:DescribeSecret", NULL,
           OP_AUTHZ_SELF),
    SVC_OP("GetRandomPassword", json, sm_op_get_random_password, "secretsmanager:GetRandomPassword",
           NULL, 0),
    SVC_OP("GetResourcePolicy", json, sm_op_get_resource_policy, "secretsmanager:GetResourcePolicy",
           NULL, OP_AUTHZ_SELF),
    SVC_OP("GetSecretValue", json, sm_op_get_secret_value, "secretsmanager:GetSecretValue", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("ListSecretVersionIds", json, sm_op_list_secret_version_ids,
           "secretsmanager:ListSecretVersionIds", NULL, OP_AUTHZ_SELF),
    SVC_OP("ListSecrets", json, sm_op_list_secrets, "secretsmanager:ListSecrets", NULL, 0),
    SVC_OP("PutResourcePolicy", json, sm_op_put_resource_policy, "secretsmanager:PutResourcePolicy",
           NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("PutSecretValue", json, sm_op_put_secret_value, "secretsmanager:PutSecretValue", NULL,
           OP_MUTATES | OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("RemoveRegionsFromReplication", json, sm_op_remove_regions_from_replication,
           "secretsmanager:RemoveRegionsFromReplication", NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("ReplicateSecretToRegions", json, sm_op_replicate_secret_to_regions,
           "secretsmanager:ReplicateSecretToRegions", NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("RestoreSecret", json, sm_op_restore_secret, "secretsmanager:RestoreSecret", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("RotateSecret", json, sm_op_rotate_secret, "secretsmanager:RotateSecret", NULL,
           OP_MUTATES | OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("StopReplicationToReplica", json, sm_op_stop_replication_to_replica,
           "secretsmanager:StopReplicationToReplica", NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("TagResource", json, sm_op_tag_resource, "secretsmanager:TagResource", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("UntagResource", json, sm_op_untag_resource, "secretsmanager:UntagResource", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("UpdateSecret", json, sm_op_update_secret, "secretsmanager:UpdateSecret", NULL,
           OP_MUTATES | OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("UpdateSecretVersionStage", json, sm_op_update_secret_version_stage,
           "secretsmanager:UpdateSecretVersionStage", NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("ValidateResourcePolicy", json, sm_op_validate_resource_policy,
           "secretsmanager:ValidateResourcePolicy", NULL, 0),
};

static const char *const signing_names[] = {"secretsmanager", NULL};

const svc_def_t sm_def = {
    .name = "secretsmanager",
    .signing_names = signing_names,
    .proto = SVC_JSON,
    .target = "secretsmanager",
    .ops = ops,
    .nops = sizeof ops / sizeof ops[0],
    .tick = sm_tick,
};
