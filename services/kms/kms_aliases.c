/* kms_aliases.c — CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
#include "services/kms/kms_int.h"

#include <stdio.h>
#include <string.h>

#include "storage/db.h"

static int internal(svc_req_t *r)
{
    return svc_error(r, 500, "KMSInternalException", "Internal database error.");
}

/* Validates an alias name as AWS does; reserved: alias/aws/ unless
 * allow_reserved. */
static int alias_name(svc_req_t *r, const cJSON *in, const char **name)
{
    if (json_str(r, in, "AliasName", 1, 1, 256, name) != 0)
        return -1;
    if (strncmp(*name, "alias/", 6) != 0)
        return svc_error(r, 400, "ValidationException",
                         "Alias must start with the prefix \"alias/\". Please see "
                         "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
    if (json_charset(r, "AliasName", *name, ":/_-", "^[a-zA-Z0-9:/_-]+$") != 0)
        return -1;
    if (strlen(*name) == 6)
        return svc_error(r, 400, "ValidationException", "Alias name must not be empty after alias/.");
    if (strncmp(*name, "alias/aws/", 10) == 0)
        return svc_error(r, 400, "NotAuthorizedException",
                         "%s: the alias/aws/ prefix is reserved for AWS managed keys.", *name);
    return 0;
}

/* Resolves TargetKeyId (key id or key ARN, not an alias); the key must not
 * be pending deletion and must be customer managed. */
static int target_key(svc_req_t *r, const cJSON *in, kms_key_t *k)
{
    const char *ref = NULL;

    if (json_str(r, in, "TargetKeyId", 1, 1, 2048, &ref) != 0)
        return -1;
    if (!strncmp(ref, "alias/", 6) || strstr(ref, ":alias/"))
        return svc_error(r, 400, "ValidationException",
                         "TargetKeyId must be a key ID or key ARN, not an alias: %s", ref);
    if (kms_resolve(r, ref, 0, k) != 0)
        return -1;
    if (kms_require_not_pending(r, k) != 0) {
        kms_key_clear(k);
        return -1;
    }
    if (!strcmp(k->key_manager, "AWS")) {
        kms_key_clear(k);
        return svc_error(r, 400, "NotAuthorizedException",
                         "An alias cannot point to an AWS managed key.");
    }
    return 0;
}

/* 1 when the alias exists in r's scope (key_id filled), 0 when not. */
static int alias_lookup(svc_req_t *r, const char *name, char key_id[37])
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT key_id FROM kms_aliases WHERE account=?1 AND "
                                           "region=?2 AND name=?3");
    int found;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found && key_id)
        snprintf(key_id, 37, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return found;
}

int kms_op_create_alias(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *name;
    kms_key_t k;
    sqlite3_stmt *st;
    int rc;

    (void)out;
    if (alias_name(r, in, &name) != 0 || target_key(r, in, &k) != 0)
        return -1;
    rc = alias_lookup(r, name, NULL);
    if (rc != 0) {
        kms_key_clear(&k);
        if (rc < 0)
            return internal(r);
        return svc_error(r, 400, "AlreadyExistsException",
                         "An alias with the name arn:aws:kms:%s:%s:%s already exists", r->region,
                         r->account, name);
    }
    st = db_stmt(r->emu->db, "INSERT INTO kms_aliases (account, region, name, key_id, created, "
                             "updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
    if (st == NULL) {
        kms_key_clear(&k);
        return internal(r);
    }
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, r->now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    kms_key_clear(&k);
    kms_attrs_changed();
    return rc == SQLITE_DONE ? 0 : internal(r);
}

int kms_op_update_alias(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *name;
    char old[37];
    kms_key_t k;
    sqlite3_stmt *st;
    int rc;

    (void)out;
    if (alias_name(r, in, &name) != 0)
        return -1;
    rc = alias_lookup(r, name, old);
    if (rc < 0)
        return internal(r);
    if (rc == 0)
        return svc_error(r, 400, "NotFoundException", "Alias arn:aws:kms:%s:%s:%s is not found.",
                         r->region, r->account, name);
    if (target_key(r, in, &k) != 0)
        return -1;
    st = db_stmt(r->emu->db, "UPDATE kms_aliases SET key_id=?4, updated=?5 WHERE account=?1 AND "
                             "region=?2 AND name=?3");
    if (st == NULL) {
        kms_key_clear(&k);
        return internal(r);
    }
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, r->now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    kms_key_clear(&k);
    kms_attrs_changed();
    return rc == SQLITE_DONE ? 0 : internal(r);
}

int kms_op_delete_alias(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *name;
    sqlite3_stmt *st;
    int rc;

    (void)out;
    if (alias_name(r, in, &name) != 0)
        return -1;
    st = db_stmt(r->emu->db, "DELETE FROM kms_aliases WHERE account=?1 AND region=?2 AND name=?3");
    if (st == NULL)
        return internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    kms_attrs_changed();
    if (rc != SQLITE_DONE)
        return internal(r);
    if (sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, 400, "NotFoundException", "Alias arn:aws:kms:%s:%s:%s is not found.",
                         r->region, r->account, name);
    return 0;
}

int kms_op_list_aliases(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *ref = NULL;
    long limit = 50, offset, n = 0;
    kms_key_t k;
    cJSON *list;
    sqlite3_stmt *st;

    memset(&k, 0, sizeof k);
    if (json_str(r, in, "KeyId", 0, 1, 2048, &ref) || json_int(r, in, "Limit", 0, 1, 100, &limit, NULL) ||
        kms_marker_parse(r, in, &offset))
        return -1;
    if (ref && kms_resolve(r, ref, 0, &k) != 0)
        return -1;
    /* keys past their deletion window take their aliases with them */
    kms_purge_due(r);
    st = db_stmt(r->emu->db, "SELECT name, key_id, created, updated FROM kms_aliases WHERE "
                             "account=?1 AND region=?2 AND (?3 IS NULL OR key_id=?3) "
                             "ORDER BY name LIMIT ?4 OFFSET ?5");
    if (st == NULL) {
        kms_key_clear(&k);
        return internal(r);
    }
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    if (ref)
        sqlite3_bind_text(st, 3, k.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, limit + 1);
    sqlite3_bind_int64(st, 5, offset);
    list = cJSON_AddArrayToObject(out, "Aliases");
    while (sqlite3_step(st) == SQLITE_ROW) {
        char arn[400];
        cJSON *e;
        if (n == limit) {
            n++;
            break;
        }
        e = cJSON_CreateObject();
        snprintf(arn, sizeof arn, "arn:aws:kms:%s:%s:%s", r->region, r->account,
                 (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(e, "AliasName", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(e, "AliasArn", arn);
        cJSON_AddStringToObject(e, "TargetKeyId", (const char *)sqlite3_column_text(st, 1));
        json_put_time(e, "CreationDate", sqlite3_column_double(st, 2));
        json_put_time(e, "LastUpdatedDate", sqlite3_column_double(st, 3));
        cJSON_AddItemToArray(list, e);
        n++;
    }
    sqlite3_reset(st);
    kms_marker_put(out, offset + limit, n > limit);
    kms_key_clear(&k);
    return 0;
}
