/* sm_versions.c — a secret's versions: each value sealed under a fresh KMS
 * data key (context {SecretARN, SecretVersionId}), and the staging labels
 * that point at them. */
#include "services/sm/sm_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "services/kms/kms.h"
#include "storage/db.h"
#include "storage/envelope.h"

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
        return sm_fail(r, SM_E_KMS_DENIED, NULL, NULL);
    snprintf(why, sizeof why, "%.60s: %.230s", r->err_code, r->err_msg);
    return sm_fail(r, encrypting ? SM_E_ENCRYPTION : SM_E_DECRYPTION_KMS, why, NULL);
}

/* Removes version_id if it is only a placeholder. */
static int drop_placeholder(svc_req_t *r, const char *arn, const char *version_id)
{
    if (db_run(r->emu->db,
               "DELETE FROM sm_versions WHERE arn=?1 AND version_id=?2 AND is_binary < 0", "ss",
               arn, version_id) != 0)
        return sm_internal(r);
    return 0;
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
    if (db_run(r->emu->db,
               "INSERT INTO sm_versions (arn, version_id, is_binary, sealed, wrapped_key, "
               "kms_key_arn, created, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT "
               "IFNULL(MAX(seq), 0) + 1 FROM sm_versions))",
               "ssibbsd", s->arn, version_id, is_binary, sealed, n + ENVELOPE_OVERHEAD, wrapped,
               wlen, key_arn, r->now) != 0) {
        sm_internal(r);
        goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(dk, sizeof dk);
    free(wrapped);
    free(sealed);
    buf_free(&aad);
    cJSON_Delete(ctx);
    return rc;
}

int sm_store_version(svc_req_t *r, const sm_secret_t *s, const char *version_id,
                     const uint8_t *value, size_t n, int is_binary)
{
    if (drop_placeholder(r, s->arn, version_id) < 0)
        return -1;
    return store_sealed(r, s, version_id, value, n, is_binary);
}

/* Copies out the sealed value and wrapped key of version_id of arn (caller
 * frees both). 1 found, 0 absent or a placeholder, -1 error (set). */
static int read_sealed(svc_req_t *r, const char *arn, const char *version_id, uint8_t **sealed,
                       size_t *slen, uint8_t **wrapped, size_t *wlen, int *is_binary,
                       double *created)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT is_binary, sealed, wrapped_key, created FROM sm_versions "
                                "WHERE arn=?1 AND version_id=?2",
                                "ss", arn, version_id);
    int rc = db_row(st);

    /* is_binary < 0: the AWSPENDING placeholder of a rotation not yet
     * given a value */
    if (rc == 1 && sqlite3_column_int(st, 0) < 0)
        rc = 0;
    if (rc == 1) {
        *is_binary = sqlite3_column_int(st, 0);
        *slen = (size_t)sqlite3_column_bytes(st, 1);
        *wlen = (size_t)sqlite3_column_bytes(st, 2);
        *sealed = malloc(*slen + 1);
        *wrapped = malloc(*wlen + 1);
        if (*sealed && *wrapped) {
            memcpy(*sealed, sqlite3_column_blob(st, 1), *slen);
            memcpy(*wrapped, sqlite3_column_blob(st, 2), *wlen);
        }
        if (created)
            *created = sqlite3_column_double(st, 3);
    }
    db_done(st);
    if (rc < 0)
        return sm_internal(r);
    return rc;
}

int sm_load_version(svc_req_t *r, const sm_secret_t *s, const char *version_id, uint8_t **value,
                    size_t *n, int *is_binary, double *created)
{
    uint8_t dk[32], *out = NULL, *sealed = NULL, *wrapped = NULL;
    size_t slen = 0, wlen = 0;
    char key_arn[160];
    cJSON *ctx = NULL;
    buf_t aad;
    int rc = -1, found;

    buf_init(&aad, 0);
    *is_binary = 0;
    found = read_sealed(r, s->arn, version_id, &sealed, &slen, &wrapped, &wlen, is_binary, created);
    if (found <= 0) {
        if (found == 0)
            sm_fail(r, SM_E_VERSION_NOT_FOUND, version_id, NULL);
        goto out;
    }
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
        sm_fail(r, SM_E_DECRYPTION, NULL, NULL);
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
    if (db_run(r->emu->db,
               "INSERT OR IGNORE INTO sm_versions (arn, version_id, is_binary, sealed, "
               "wrapped_key, kms_key_arn, created, seq) VALUES (?1, ?2, -1, x'', x'', '', ?3, "
               "(SELECT IFNULL(MAX(seq), 0) + 1 FROM sm_versions))",
               "ssd", arn, version_id, r->now) != 0)
        return sm_internal(r);
    return sm_set_stage(r, arn, "AWSPENDING", version_id);
}

int sm_version_exists(svc_req_t *r, const char *arn, const char *version_id)
{
    sqlite3_stmt *st =
        db_query(r->emu->db, "SELECT 1 FROM sm_versions WHERE arn=?1 AND version_id=?2", "ss", arn,
                 version_id);
    int rc = db_row(st);

    db_done(st);
    return rc < 0 ? sm_internal(r) : rc;
}

int sm_version_placeholder(svc_req_t *r, const char *arn, const char *version_id)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT is_binary < 0 FROM sm_versions WHERE arn=?1 AND "
                                "version_id=?2",
                                "ss", arn, version_id);
    int rc = db_row(st) == 1 && sqlite3_column_int(st, 0);

    db_done(st);
    return rc;
}

int sm_stage_version(svc_req_t *r, const char *arn, const char *stage, char *out, size_t n)
{
    sqlite3_stmt *st = db_query(
        r->emu->db, "SELECT version_id FROM sm_stages WHERE arn=?1 AND stage=?2", "ss", arn, stage);
    int found = db_row(st);

    if (found == 1)
        snprintf(out, n, "%s", db_text(st, 0));
    db_done(st);
    return found < 0 ? sm_internal(r) : found;
}

int sm_set_stage(svc_req_t *r, const char *arn, const char *stage, const char *version_id)
{
    int rc;

    if (version_id == NULL)
        rc =
            db_run(r->emu->db, "DELETE FROM sm_stages WHERE arn=?1 AND stage=?2", "ss", arn, stage);
    else
        rc = db_run(r->emu->db,
                    "INSERT OR REPLACE INTO sm_stages (arn, stage, version_id) VALUES (?1, ?2, ?3)",
                    "sss", arn, stage, version_id);
    return rc == 0 ? 0 : sm_internal(r);
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
    if (db_run(r->emu->db,
               "DELETE FROM sm_versions WHERE arn=?1 AND version_id IN (SELECT v.version_id FROM "
               "sm_versions v WHERE v.arn=?1 AND NOT EXISTS (SELECT 1 FROM sm_stages s WHERE "
               "s.arn=?1 AND s.version_id=v.version_id) ORDER BY v.seq LIMIT max(0, (SELECT "
               "count(*) FROM sm_versions WHERE arn=?1) - ?2))",
               "si", arn, SM_MAX_VERSIONS) != 0)
        return sm_internal(r);
    return 0;
}

cJSON *sm_version_stages(svc_req_t *r, const char *arn, const char *version_id)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT stage FROM sm_stages WHERE arn=?1 AND version_id=?2 ORDER "
                                "BY stage",
                                "ss", arn, version_id);
    cJSON *list = cJSON_CreateArray();

    while (db_row(st) == 1)
        cJSON_AddItemToArray(list, cJSON_CreateString(db_text(st, 0)));
    db_done(st);
    return list;
}

int sm_touch(svc_req_t *r, const char *arn)
{
    if (db_run(r->emu->db, "UPDATE sm_secrets SET last_changed=?2 WHERE arn=?1", "sd", arn,
               r->now) != 0)
        return sm_internal(r);
    return 0;
}

char **sm_strings(sqlite3_stmt *st, size_t *n)
{
    char **v = NULL;

    *n = 0;
    while (db_row(st) == 1) {
        char **nv = realloc(v, (*n + 1) * sizeof *v);
        if (nv == NULL)
            break;
        v = nv;
        v[(*n)++] = strdup(db_text(st, 0));
    }
    db_done(st);
    return v;
}

void sm_strings_free(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
