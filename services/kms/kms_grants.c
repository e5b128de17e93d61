/* kms_grants.c — CreateGrant, ListGrants, ListRetirableGrants, RetireGrant,
 * RevokeGrant. */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "services/kms/kms_grant_rules.h"
#include "storage/db.h"

/* operations a symmetric encryption key can be granted */
static const char *const symmetric_ops[] = {"Decrypt",
                                            "Encrypt",
                                            "GenerateDataKey",
                                            "GenerateDataKeyWithoutPlaintext",
                                            "ReEncryptFrom",
                                            "ReEncryptTo",
                                            "CreateGrant",
                                            "RetireGrant",
                                            "DescribeKey",
                                            "GenerateDataKeyPair",
                                            "GenerateDataKeyPairWithoutPlaintext",
                                            NULL};

/* the other keys' (AWS's "Grant operations" table), besides CreateGrant,
 * DescribeKey and RetireGrant */
static const char *const asym_crypt_ops[] = {"Decrypt", "Encrypt", "GetPublicKey",
                                             "ReEncryptFrom", "ReEncryptTo", NULL};
static const char *const sign_ops[] = {"Sign", "Verify", "GetPublicKey", NULL};
static const char *const agree_ops[] = {"DeriveSharedSecret", "GetPublicKey", NULL};
static const char *const mac_ops[] = {"GenerateMac", "VerifyMac", NULL};

static int internal(svc_req_t *r)
{
    return svc_error(r, KMS_E_DB);
}

static int in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (!strcmp(*l, s))
            return 1;
    return 0;
}

/* 1 when k can be granted op. */
static int grantable(const kms_key_t *k, const char *op)
{
    const char *u = k->key_usage;

    if (!strcmp(k->key_spec, "SYMMETRIC_DEFAULT"))
        return in_list(symmetric_ops, op);
    if (!strcmp(op, "CreateGrant") || !strcmp(op, "DescribeKey") || !strcmp(op, "RetireGrant"))
        return 1;
    return in_list(!strcmp(u, "ENCRYPT_DECRYPT") ? asym_crypt_ops
                   : !strcmp(u, "SIGN_VERIFY")   ? sign_ops
                   : !strcmp(u, "KEY_AGREEMENT") ? agree_ops
                                                 : mac_ops,
                   op);
}

/* Validates Operations for k; returns the canonical JSON text (caller
 * frees). */
static char *operations(svc_req_t *r, const cJSON *ops, const kms_key_t *k)
{
    const cJSON *o;
    cJSON *copy;
    char *text;

    cJSON_ArrayForEach(o, ops)
    {
        if (!cJSON_IsString(o)) {
            svc_error(r, KMS_E_GRANT_OPS_TYPE);
            return NULL;
        }
        if (!kms_grant_operation(o->valuestring)) {
            svc_error(r, KMS_E_GRANT_OP_ENUM, o->valuestring);
            return NULL;
        }
        if (!grantable(k, o->valuestring)) {
            if (!strcmp(k->key_spec, "SYMMETRIC_DEFAULT"))
                svc_error(r, KMS_E_GRANT_OP_SYMMETRIC, o->valuestring);
            else
                svc_error(r, KMS_E_GRANT_OP_KEY, o->valuestring, k->key_spec, k->key_usage);
            return NULL;
        }
    }
    copy = cJSON_Duplicate(ops, 1);
    text = copy ? cJSON_PrintUnformatted(copy) : NULL;
    cJSON_Delete(copy);
    if (text == NULL)
        svc_error(r, KMS_E_OOM);
    return text;
}

/* 1 when m is absent or a map without members. */
static int empty_map(const cJSON *m)
{
    return m == NULL || (cJSON_IsObject(m) && m->child == NULL);
}

/* Validates Constraints; returns its JSON text without its empty maps, ""
 * when absent or only empty maps (caller frees), NULL on error. */
static char *constraints(svc_req_t *r, const cJSON *in)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(in, "Constraints"), *m;
    char *text;

    if (c == NULL || cJSON_IsNull(c))
        return strdup("");
    if (!cJSON_IsObject(c)) {
        svc_error(r, KMS_E_CONSTRAINTS_TYPE);
        return NULL;
    }
    cJSON_ArrayForEach(m, c)
    {
        const cJSON *v;
        if (strcmp(m->string, "EncryptionContextSubset") != 0 &&
            strcmp(m->string, "EncryptionContextEquals") != 0) {
            svc_error(r, KMS_E_CONSTRAINTS_MEMBER, m->string);
            return NULL;
        }
        if (!cJSON_IsObject(m)) {
            svc_error(r, KMS_E_CONSTRAINT_MAP, m->string);
            return NULL;
        }
        cJSON_ArrayForEach(v, m) if (!cJSON_IsString(v))
        {
            svc_error(r, KMS_E_CONSTRAINT_VALUES, m->string);
            return NULL;
        }
    }
    /* an empty map is absent, as AWS takes it (Terraform's aws_kms_grant
     * sends the unused constraint as {}) */
    if (!empty_map(cJSON_GetObjectItemCaseSensitive(c, "EncryptionContextSubset")) &&
        !empty_map(cJSON_GetObjectItemCaseSensitive(c, "EncryptionContextEquals"))) {
        svc_error(r, KMS_E_CONSTRAINTS_BOTH);
        return NULL;
    }
    /* written by hand: cJSON prints a string only up to its first NUL, and
     * a context key or value may hold U+0000 (read back with
     * jsonlen_record, so it compares by length) */
    {
        buf_t b;
        int bad = 0;
        const char *sep = "\"";
        buf_init(&b, 0);
        bad |= buf_adds(&b, "{");
        cJSON_ArrayForEach(m, c)
        {
            const cJSON *v;
            if (empty_map(m))
                continue;
            bad |= buf_adds(&b, sep);
            sep = ",\"";
            bad |= buf_add_json_escaped(&b, m->string, strlen(m->string));
            bad |= buf_adds(&b, "\":{");
            cJSON_ArrayForEach(v, m)
            {
                bad |= buf_adds(&b, v == m->child ? "\"" : ",\"");
                bad |= buf_add_json_escaped(&b, v->string, jsonlen_key(v));
                bad |= buf_adds(&b, "\":\"");
                bad |= buf_add_json_escaped(&b, v->valuestring, jsonlen_str(v));
                bad |= buf_adds(&b, "\"");
            }
            bad |= buf_adds(&b, "}");
        }
        bad |= buf_adds(&b, "}");
        if (bad)
            text = NULL;
        else if (b.len == 2) /* nothing but empty maps: no constraints */
            text = strdup("");
        else
            text = buf_steal(&b, NULL);
        buf_free(&b);
    }
    if (text == NULL)
        svc_error(r, KMS_E_OOM);
    return text;
}

typedef struct {
    kms_args_t h;
    const char *grantee, *retiring, *name;
    const cJSON *ops;
} create_args_t;

static int create_parse(svc_req_t *r, const cJSON *in, void *args)
{
    create_args_t *v = args;
    const cJSON *tokens;

    return json_str(r, in, "GranteePrincipal", 1, 1, 256, &v->grantee) ||
                   json_str(r, in, "RetiringPrincipal", 0, 1, 256, &v->retiring) ||
                   json_list(r, in, "Operations", 1, 0, 0, &v->ops) ||
                   json_list(r, in, "GrantTokens", 0, 0, 10, &tokens) ||
                   json_str(r, in, "Name", 0, 1, 256, &v->name) ||
                   (v->name && json_charset(r, "Name", v->name, ":/_-", "^[a-zA-Z0-9:/_-]+$")) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref)
               ? -1
               : 0;
}

static const kms_input_t create_input = {sizeof(create_args_t), create_parse, NULL, 0};

/* The key, then the new grant's condition keys (kms:Grant*). */
int kms_res_create_grant(svc_req_t *r, const void *in, struct authz *a)
{
    kms_authz_t *z;

    if (kms_key_resource(r, in, a, &create_input) != 0)
        return -1;
    if (!r->emu->cfg->iam_enforce)
        return 0;
    if ((z = kms_request_authz(r)) == NULL)
        return -1;
    return kms_authz_create_grant(r, z, in, a);
}

int kms_op_create_grant(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const create_args_t *v = kms_input(r, in, &create_input);
    const char *grantee, *retiring, *name;
    char *opstext = NULL, *constext = NULL, grant_id[65], token[200], issuing[AWS_ARN_BUF];
    uint8_t rnd[96];
    kms_key_t *k;
    sqlite3_stmt *st;
    int rc = -1;

    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) != 0)
        return -1;
    grantee = v->grantee;
    retiring = v->retiring;
    name = v->name;
    if ((opstext = operations(r, v->ops, k)) == NULL || (constext = constraints(r, in)) == NULL)
        goto out;
    if (kms_dry_run(r, in) != 0)
        goto out;
    /* the same Name and parameters again: the same grant (idempotent) */
    if (name) {
        st = db_query(r->emu->db,
                      "SELECT grant_id, token FROM kms_grants WHERE key_id=?1 AND name=?2 AND "
                      "grantee=?3 AND IFNULL(retiring, '')=?4 AND operations=?5 AND "
                      "IFNULL(constraints, '')=?6",
                      "ssssss", k->key_id, name, grantee, retiring ? retiring : "", opstext,
                      constext);
        rc = db_row(st);
        if (rc == 1) {
            cJSON_AddStringToObject(out, "GrantToken", db_text(st, 1));
            cJSON_AddStringToObject(out, "GrantId", db_text(st, 0));
        }
        db_done(st);
        if (rc != 0) {
            rc = rc == 1 ? 0 : internal(r);
            goto out;
        }
    }
    codec_random(rnd, 32);
    codec_hex(rnd, 32, grant_id);
    codec_random(rnd, sizeof rnd);
    codec_b64_encode(rnd, sizeof rnd, token);
    snprintf(issuing, sizeof issuing, "arn:%s:iam::%s:root", partition_name(r->region), r->account);
    if (db_run(r->emu->db,
               "INSERT INTO kms_grants (grant_id, key_id, name, grantee, retiring, operations, "
               "constraints, token, created, issuing, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
               "?8, ?9, ?10, (SELECT IFNULL(MAX(seq), 0) + 1 FROM kms_grants))",
               "ssssssssds", grant_id, k->key_id, name, grantee, retiring, opstext,
               constext[0] ? constext : NULL, token, r->now, issuing) != 0) {
        rc = internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "GrantToken", token);
    cJSON_AddStringToObject(out, "GrantId", grant_id);
    rc = 0;
out:
    free(opstext);
    free(constext);
    return rc;
}

#define GRANT_COLS                                                                                 \
    "g.grant_id, k.arn, g.name, g.created, g.grantee, g.retiring, g.issuing, g.operations, "       \
    "g.constraints"

static cJSON *grant_json(sqlite3_stmt *st)
{
    cJSON *g = cJSON_CreateObject(), *v;

    cJSON_AddStringToObject(g, "KeyId", (const char *)sqlite3_column_text(st, 1));
    cJSON_AddStringToObject(g, "GrantId", (const char *)sqlite3_column_text(st, 0));
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        cJSON_AddStringToObject(g, "Name", (const char *)sqlite3_column_text(st, 2));
    json_put_time(g, "CreationDate", sqlite3_column_double(st, 3));
    cJSON_AddStringToObject(g, "GranteePrincipal", (const char *)sqlite3_column_text(st, 4));
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
        cJSON_AddStringToObject(g, "RetiringPrincipal", (const char *)sqlite3_column_text(st, 5));
    cJSON_AddStringToObject(g, "IssuingAccount", (const char *)sqlite3_column_text(st, 6));
    if ((v = cJSON_Parse((const char *)sqlite3_column_text(st, 7))) != NULL)
        cJSON_AddItemToObject(g, "Operations", v);
    /* as stored (JSON that constraints() wrote): through a cJSON tree a
     * context value holding U+0000 would print cut short */
    if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        cJSON_AddRawToObject(g, "Constraints", (const char *)sqlite3_column_text(st, 8));
    return g;
}

static void grant_row(svc_req_t *r, sqlite3_stmt *st, cJSON *list, const void *ctx)
{
    (void)r;
    (void)ctx;
    cJSON_AddItemToArray(list, grant_json(st));
}

typedef struct {
    kms_page_args_t p; /* first: begins with kms_args_t */
    const char *gid, *grantee;
} grant_list_args_t;

static int list_parse(svc_req_t *r, const cJSON *in, void *args)
{
    grant_list_args_t *v = args;

    return json_str(r, in, "KeyId", 1, 1, 2048, &v->p.h.key_ref) ||
                   kms_page_parse(r, in, &v->p, 50, 100) ||
                   json_str(r, in, "GrantId", 0, 1, 128, &v->gid) ||
                   json_str(r, in, "GranteePrincipal", 0, 1, 256, &v->grantee) ||
                   kms_page_check(r, &v->p,
                                  (const char *const[]){v->p.h.key_ref, v->gid, v->grantee}, 3)
               ? -1
               : 0;
}

static const kms_input_t list_input = {sizeof(grant_list_args_t), list_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_list_grants, list_input)

/* Grants page by seq (MAX + 1 when inserted: unique), in creation order. */
#define GRANTS "SELECT " GRANT_COLS ", g.seq FROM kms_grants g JOIN kms_keys k USING (key_id) WHERE "
#define GRANT_SEQ_COL 9

int kms_op_list_grants(svc_req_t *r, const cJSON *in, cJSON *out)
{
    /* kms_grants_key (key_id, seq) */
#define KEY_GRANTS                                                                                 \
    GRANTS "g.key_id=?1 AND (?2 IS NULL OR g.grant_id=?2) AND (?3 IS NULL OR g.grantee=?3)"
    static const char *const sql[2] = {
        KEY_GRANTS PAGE_ORDER1("g.seq"),
        KEY_GRANTS " AND " PAGE_NEXT1("g.seq") PAGE_ORDER1("g.seq"),
    };
#undef KEY_GRANTS
    const grant_list_args_t *v = kms_input(r, in, &list_input);
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    return kms_page_run(
        r, db_query(r->emu->db, sql[v->p.after.n > 0], "sss", k->key_id, v->gid, v->grantee),
        &v->p, GRANT_SEQ_COL, cJSON_AddArrayToObject(out, "Grants"), grant_row, NULL, out);
}

int kms_op_list_retirable_grants(svc_req_t *r, const cJSON *in, cJSON *out)
{
#define RETIRABLE GRANTS "k.account=?1 AND k.region=?2 AND g.retiring=?3"
    static const char *const sql[2] = {
        RETIRABLE PAGE_ORDER1("g.seq"),
        RETIRABLE " AND " PAGE_NEXT1("g.seq") PAGE_ORDER1("g.seq"),
    };
#undef RETIRABLE
    const char *retiring = NULL;
    kms_page_args_t v;

    if (json_str(r, in, "RetiringPrincipal", 1, 1, 256, &retiring) ||
        kms_page_parse(r, in, &v, 50, 100) || kms_page_check(r, &v, &retiring, 1))
        return -1;
    return kms_page_run(
        r, db_query(r->emu->db, sql[v.after.n > 0], "sss", r->account, r->region, retiring), &v,
        GRANT_SEQ_COL, cJSON_AddArrayToObject(out, "Grants"), grant_row, NULL, out);
}

static int valid_grant_id(const char *g)
{
    size_t i;

    if (strlen(g) != 64)
        return 0;
    for (i = 0; i < 64; i++)
        if (!((g[i] >= '0' && g[i] <= '9') || (g[i] >= 'a' && g[i] <= 'f')))
            return 0;
    return 1;
}

static int delete_grant(svc_req_t *r, const char *key_id, const char *gid)
{
    if (db_run(r->emu->db, "DELETE FROM kms_grants WHERE key_id=?1 AND grant_id=?2", "ss", key_id,
               gid) != 0)
        return internal(r);
    if (db_changes(r->emu->db) == 0)
        return svc_error(r, KMS_E_GRANT_NOT_FOUND, gid);
    return 0;
}

/* A column's text, malloc'd (NULL for SQL NULL; *oom set when out of
 * memory). */
static char *col_dup(sqlite3_stmt *st, int col, int *oom)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    char *s;

    if (v == NULL)
        return NULL;
    if ((s = strdup((const char *)v)) == NULL)
        *oom = 1;
    return s;
}

typedef struct {
    kms_args_t h;
    const char *token, *gid;
    char id[65];                    /* the grant, once found */
    char *grantee, *retiring, *ops; /* its columns */
} retire_args_t;

static int retire_parse(svc_req_t *r, const cJSON *in, void *args)
{
    retire_args_t *v = args;

    return json_str(r, in, "GrantToken", 0, 1, 8192, &v->token) ||
                   json_str(r, in, "KeyId", 0, 1, 2048, &v->h.key_ref) ||
                   json_str(r, in, "GrantId", 0, 1, 128, &v->gid)
               ? -1
               : 0;
}

static void retire_drop(void *args)
{
    retire_args_t *v = args;

    free(v->grantee);
    free(v->retiring);
    free(v->ops);
}

static const kms_input_t retire_input = {sizeof(retire_args_t), retire_parse, retire_drop, 0};

/* The key and grant id a GrantToken names (InvalidGrantTokenException). */
static int token_grant(svc_req_t *r, retire_args_t *v, kms_key_t *k)
{
    char kid[KMS_ID_LEN + 1];
    sqlite3_stmt *st;
    int rc;

    st = db_query(r->emu->db,
                  "SELECT g.key_id, g.grant_id FROM kms_grants g JOIN kms_keys k USING "
                  "(key_id) WHERE g.token=?1 AND k.account=?2 AND k.region=?3",
                  "sss", v->token, r->account, r->region);
    rc = db_row(st);
    if (rc == 1) {
        str_copy(kid, sizeof kid, db_text(st, 0));
        str_copy(v->id, sizeof v->id, db_text(st, 1));
    }
    db_done(st);
    if (rc < 0)
        return internal(r);
    if (rc == 0)
        return svc_error(r, KMS_E_GRANT_TOKEN);
    rc = kms_load(r, kid, k);
    if (rc <= 0)
        return rc < 0 ? -1 : svc_error(r, KMS_E_GRANT_TOKEN);
    return 0;
}

/* The grant's grantee, retiring principal and operations into v. */
static int grant_columns(svc_req_t *r, const char *key_id, retire_args_t *v)
{
    sqlite3_stmt *st;
    int oom = 0;

    int rc;

    st = db_query(r->emu->db,
                  "SELECT grantee, retiring, operations FROM kms_grants WHERE key_id=?1 AND "
                  "grant_id=?2",
                  "ss", key_id, v->id);
    if ((rc = db_row(st)) == 1) {
        v->grantee = col_dup(st, 0, &oom);
        v->retiring = col_dup(st, 1, &oom);
        v->ops = col_dup(st, 2, &oom);
    }
    db_done(st);
    if (rc < 0)
        return internal(r);
    if (rc == 0)
        return svc_error(r, KMS_E_GRANT_NOT_FOUND, v->id);
    if (oom || v->grantee == NULL || v->ops == NULL)
        return svc_error(r, KMS_E_OOM);
    return 0;
}

/* RetireGrant names its key by a grant token or KeyId and GrantId; the
 * grant, not the key policy, decides (kms_authz_retire). */
int kms_res_retire_grant(svc_req_t *r, const void *in, struct authz *a)
{
    retire_args_t *v = kms_input(r, in, &retire_input);
    kms_authz_t *z;
    kms_key_t k, *key;

    if (v == NULL)
        return -1;
    memset(&k, 0, sizeof k);
    if (v->token) {
        if (token_grant(r, v, &k) != 0)
            return -1;
    } else {
        if (v->h.key_ref == NULL || v->gid == NULL)
            return svc_error(r, KMS_E_RETIRE_ARGS);
        if (!valid_grant_id(v->gid))
            return svc_error(r, KMS_E_GRANT_ID, v->gid);
        if (kms_resolve(r, v->h.key_ref, 0, &k) != 0)
            return -1;
        str_copy(v->id, sizeof v->id, v->gid);
    }
    if ((key = kms_set_key(r, &k, &z)) == NULL || grant_columns(r, key->key_id, v) != 0)
        return -1;
    return z ? kms_authz_retire(r, z, key, v->id, v->grantee, v->retiring, v->ops, a) : 0;
}

int kms_op_retire_grant(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const retire_args_t *v = kms_input(r, in, &retire_input);
    kms_key_t *k;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_dry_run(r, in) != 0)
        return -1;
    return delete_grant(r, k->key_id, v->id);
}

typedef struct {
    kms_args_t h;
    const char *gid;
} revoke_args_t;

static int revoke_parse(svc_req_t *r, const cJSON *in, void *args)
{
    revoke_args_t *v = args;

    return json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   json_str(r, in, "GrantId", 1, 1, 128, &v->gid)
               ? -1
               : 0;
}

static const kms_input_t revoke_input = {sizeof(revoke_args_t), revoke_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_revoke_grant, revoke_input)

int kms_op_revoke_grant(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const revoke_args_t *v = kms_input(r, in, &revoke_input);
    kms_key_t *k;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    if (!valid_grant_id(v->gid))
        return svc_error(r, KMS_E_GRANT_ID, v->gid);
    return kms_dry_run(r, in) == 0 ? delete_grant(r, k->key_id, v->gid) : -1;
}
