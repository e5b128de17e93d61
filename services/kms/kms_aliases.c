/* kms_aliases.c — CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <stdio.h>
#include <string.h>

#include "storage/db.h"

static int internal(svc_req_t *r)
{
    return svc_error(r, KMS_E_DB);
}

/* Validates an alias name as AWS does; reserved: alias/aws/ unless
 * allow_reserved. */
static int alias_name(svc_req_t *r, const cJSON *in, const char **name)
{
    if (json_str(r, in, "AliasName", 1, 1, 256, name) != 0)
        return -1;
    if (strncmp(*name, "alias/", 6) != 0)
        return svc_error(r, KMS_E_ALIAS_PREFIX);
    if (json_charset(r, "AliasName", *name, ":/_-", "^[a-zA-Z0-9:/_-]+$") != 0)
        return -1;
    if (strlen(*name) == 6)
        return svc_error(r, KMS_E_ALIAS_EMPTY);
    /* the model's pattern takes ':', AWS does not (moto's AWS-pinned
     * test__create_alias__raises_if_alias_has_colon_character) */
    if (strchr(*name, ':'))
        return svc_error(r, KMS_E_ALIAS_COLON, *name);
    if (strncmp(*name, "alias/aws/", 10) == 0)
        return svc_error(r, KMS_E_ALIAS_RESERVED, *name);
    return 0;
}

/* 1 when the alias exists in r's scope (key_id filled), 0 when not. */
static int alias_lookup(svc_req_t *r, const char *name, char key_id[37])
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT key_id FROM kms_aliases WHERE account=?1 AND region=?2 "
                                "AND name=?3",
                                "sss", r->account, r->region, name);
    int found = db_row(st);

    if (found == 1 && key_id)
        snprintf(key_id, 37, "%s", db_text(st, 0));
    db_done(st);
    return found;
}

static int alias_not_found(svc_req_t *r, const char *name)
{
    return svc_error(r, KMS_E_ALIAS_NOT_FOUND, partition_name(r->region), r->region, r->account,
                     name);
}

typedef struct {
    kms_args_t h; /* TargetKeyId; DeleteAlias: the alias's key id */
    const char *name;
    char key_id[KMS_ID_LEN + 1];
} alias_args_t;

/* TargetKeyId: a key id or key ARN, not an alias. */
static int target_parse(svc_req_t *r, const cJSON *in, alias_args_t *v)
{
    const char *ref;

    if (json_str(r, in, "TargetKeyId", 1, 1, 2048, &v->h.key_ref) != 0)
        return -1;
    ref = v->h.key_ref;
    if (!strncmp(ref, "alias/", 6) || strstr(ref, ":alias/"))
        return svc_error(r, KMS_E_TARGET_IS_ALIAS, ref);
    return 0;
}

static int create_parse(svc_req_t *r, const cJSON *in, void *args)
{
    alias_args_t *v = args;

    return alias_name(r, in, &v->name) || target_parse(r, in, v) ? -1 : 0;
}

/* UpdateAlias: the alias must exist before its new target is looked at. */
static int update_parse(svc_req_t *r, const cJSON *in, void *args)
{
    alias_args_t *v = args;
    int rc;

    if (alias_name(r, in, &v->name) != 0)
        return -1;
    rc = alias_lookup(r, v->name, v->key_id);
    if (rc < 0)
        return internal(r);
    if (rc == 0)
        return alias_not_found(r, v->name);
    return target_parse(r, in, v);
}

/* DeleteAlias acts on the key the alias points to. */
static int delete_parse(svc_req_t *r, const cJSON *in, void *args)
{
    alias_args_t *v = args;
    int rc;

    if (alias_name(r, in, &v->name) != 0)
        return -1;
    rc = alias_lookup(r, v->name, v->key_id);
    if (rc < 0)
        return internal(r);
    if (rc == 0)
        return alias_not_found(r, v->name);
    v->h.key_ref = v->key_id;
    return 0;
}

static const kms_input_t create_input = {sizeof(alias_args_t), create_parse, NULL, 0};
static const kms_input_t update_input = {sizeof(alias_args_t), update_parse, NULL, 0};
static const kms_input_t delete_input = {sizeof(alias_args_t), delete_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_alias_target, create_input)
KMS_KEY_RESOURCE(kms_res_update_alias, update_input)
KMS_KEY_RESOURCE(kms_res_delete_alias, delete_input)

/* The target key must not be pending deletion and must be customer
 * managed. */
static kms_key_t *target_key(svc_req_t *r, const cJSON *in)
{
    kms_key_t *k = kms_key(r, in);

    if (k == NULL || kms_require_not_pending(r, k) != 0)
        return NULL;
    if (!strcmp(k->key_manager, "AWS")) {
        svc_error(r, KMS_E_ALIAS_TO_AWS_KEY);
        return NULL;
    }
    return k;
}

int kms_op_create_alias(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const alias_args_t *v = kms_input(r, in, &create_input);
    kms_key_t *k;
    int rc;

    (void)out;
    if (v == NULL || (k = target_key(r, in)) == NULL)
        return -1;
    rc = alias_lookup(r, v->name, NULL);
    if (rc != 0)
        return rc < 0 ? internal(r)
                      : svc_error(r, KMS_E_ALIAS_EXISTS, partition_name(r->region), r->region,
                                  r->account, v->name);
    rc = db_run(r->emu->db,
                "INSERT INTO kms_aliases (account, region, name, key_id, created, updated) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                "ssssd", r->account, r->region, v->name, k->key_id, r->now);
    kms_attrs_changed();
    return rc == 0 ? 0 : internal(r);
}

int kms_op_update_alias(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const alias_args_t *v = kms_input(r, in, &update_input);
    kms_key_t *k;
    int rc;

    (void)out;
    if (v == NULL || (k = target_key(r, in)) == NULL)
        return -1;
    rc = db_run(r->emu->db,
                "UPDATE kms_aliases SET key_id=?4, updated=?5 WHERE account=?1 AND region=?2 "
                "AND name=?3",
                "ssssd", r->account, r->region, v->name, k->key_id, r->now);
    kms_attrs_changed();
    return rc == 0 ? 0 : internal(r);
}

int kms_op_delete_alias(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const alias_args_t *v = kms_input(r, in, &delete_input);
    int rc;

    (void)out;
    if (v == NULL || kms_key(r, in) == NULL)
        return -1;
    rc = db_run(r->emu->db, "DELETE FROM kms_aliases WHERE account=?1 AND region=?2 AND name=?3",
                "sss", r->account, r->region, v->name);
    kms_attrs_changed();
    if (rc != 0)
        return internal(r);
    if (db_changes(r->emu->db) == 0)
        return alias_not_found(r, v->name);
    return 0;
}

static void alias_row(svc_req_t *r, sqlite3_stmt *st, cJSON *list, const void *ctx)
{
    char arn[AWS_ARN_BUF];
    cJSON *e = cJSON_CreateObject();

    (void)ctx;
    snprintf(arn, sizeof arn, "arn:%s:kms:%s:%s:%s", partition_name(r->region), r->region,
             r->account, db_text(st, 0));
    cJSON_AddStringToObject(e, "AliasName", db_text(st, 0));
    cJSON_AddStringToObject(e, "AliasArn", arn);
    /* a predefined AWS alias not yet associated has only its name and ARN */
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
        cJSON_AddStringToObject(e, "TargetKeyId", db_text(st, 1));
        json_put_time(e, "CreationDate", sqlite3_column_double(st, 2));
        json_put_time(e, "LastUpdatedDate", sqlite3_column_double(st, 3));
    }
    cJSON_AddItemToArray(list, e);
}

int kms_op_list_aliases(svc_req_t *r, const cJSON *in, cJSON *out)
{
    /* by name, unique in an account and region (the primary key), with
     * the aliases AWS predefines in every account and region until a
     * service associates them (ListAliases API reference: "aliases that
     * have no TargetKeyId field ... predefined aliases"; the names as
     * moto lists them) */
#define ALIASES                                                                                    \
    "SELECT name, substr(key_id, 1, 36), created, updated FROM (SELECT name, key_id, created, "    \
    "updated FROM kms_aliases WHERE account=?1 AND region=?2 UNION ALL SELECT column1, NULL, "     \
    "NULL, NULL FROM "                                                                             \
    "(VALUES ('alias/aws/acm'), ('alias/aws/dynamodb'), ('alias/aws/ebs'), "                       \
    "('alias/aws/elasticfilesystem'), ('alias/aws/es'), ('alias/aws/glue'), "                      \
    "('alias/aws/kinesisvideo'), ('alias/aws/lambda'), ('alias/aws/rds'), "                        \
    "('alias/aws/redshift'), ('alias/aws/s3'), ('alias/aws/secretsmanager'), ('alias/aws/ssm'), "  \
    "('alias/aws/xray')) WHERE column1 NOT IN (SELECT name FROM kms_aliases WHERE account=?1 AND " \
    "region=?2)) WHERE (?3 IS NULL OR key_id=?3)"
    static const char *const sql[2] = {
        ALIASES PAGE_ORDER1("name"),
        ALIASES " AND " PAGE_NEXT1("name") PAGE_ORDER1("name"),
    };
#undef ALIASES
    kms_page_args_t v;
    const char *ref = NULL;
    kms_key_t k;
    int rc;

    memset(&k, 0, sizeof k);
    if (json_str(r, in, "KeyId", 0, 1, 2048, &ref) || kms_page_parse(r, in, &v, 50, 100) ||
        kms_page_check(r, &v, &ref, 1))
        return -1;
    /* the row authorizes kms:ListAliases on "*"; a KeyId is a second
     * resource, authorized under its key policy here */
    if (ref && (kms_resolve(r, ref, 0, &k) != 0 || kms_authorize(r, &k, NULL, NULL) != 0)) {
        kms_key_clear(&k);
        return -1;
    }
    /* keys past their deletion window take their aliases with them */
    kms_purge_due(r);
    rc = kms_page_run(r,
                      db_query(r->emu->db, sql[v.after.n > 0], "sss", r->account, r->region,
                               ref ? k.key_id : NULL),
                      &v, 0, cJSON_AddArrayToObject(out, "Aliases"), alias_row, NULL, out);
    kms_key_clear(&k);
    return rc;
}
