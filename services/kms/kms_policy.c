/* kms_policy.c — key policies (the default one, validation, GetKeyPolicy,
 * PutKeyPolicy, ListKeyPolicies) and tags (TagResource, UntagResource,
 * ListResourceTags). */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "storage/db.h"

static int internal(svc_req_t *r)
{
    return kms_internal(r);
}

typedef struct {
    kms_args_t h;
    const char *text;  /* Policy */
    const cJSON *list; /* Tags, TagKeys */
    int bypass;
} update_args_t;

char *kms_default_policy(const char *account, const char *region)
{
    buf_t b;

    buf_init(&b, 0);
    buf_printf(&b,
               "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
               "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
               "    \"Effect\" : \"Allow\",\n"
               "    \"Principal\" : {\n      \"AWS\" : \"arn:%s:iam::%s:root\"\n    },\n"
               "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}",
               partition_name(region), account);
    return buf_steal(&b, NULL);
}

static int policy_err(svc_req_t *r, const char *why)
{
    return svc_error(r, KMS_E_MALFORMED_POLICY, why);
}

static int check_statement(svc_req_t *r, const cJSON *s)
{
    const cJSON *v;

    if (!cJSON_IsObject(s))
        return policy_err(r, "A policy statement is not a JSON object.");
    v = cJSON_GetObjectItemCaseSensitive(s, "Effect");
    if (!cJSON_IsString(v) || (strcmp(v->valuestring, "Allow") && strcmp(v->valuestring, "Deny")))
        return policy_err(r, "Policy statement Effect must be Allow or Deny.");
    if (!cJSON_GetObjectItemCaseSensitive(s, "Principal") &&
        !cJSON_GetObjectItemCaseSensitive(s, "NotPrincipal"))
        return policy_err(r, "Policy contains a statement with no principal.");
    if (!cJSON_GetObjectItemCaseSensitive(s, "Action") &&
        !cJSON_GetObjectItemCaseSensitive(s, "NotAction"))
        return policy_err(r, "Policy contains a statement with no action.");
    if (!cJSON_GetObjectItemCaseSensitive(s, "Resource") &&
        !cJSON_GetObjectItemCaseSensitive(s, "NotResource"))
        return policy_err(r, "Policy contains a statement with no resource.");
    return 0;
}

int kms_check_policy(svc_req_t *r, const char *doc)
{
    cJSON *p = cJSON_Parse(doc);
    const cJSON *stmts, *s, *v;
    int rc = 0;

    if (p == NULL || !cJSON_IsObject(p)) {
        cJSON_Delete(p);
        return policy_err(r, "The policy is not a valid JSON object.");
    }
    v = cJSON_GetObjectItemCaseSensitive(p, "Version");
    stmts = cJSON_GetObjectItemCaseSensitive(p, "Statement");
    if (v && (!cJSON_IsString(v) ||
              (strcmp(v->valuestring, "2012-10-17") && strcmp(v->valuestring, "2008-10-17"))))
        rc = policy_err(r, "Policy Version is invalid.");
    else if (cJSON_IsObject(stmts))
        rc = check_statement(r, stmts);
    else if (!cJSON_IsArray(stmts) || cJSON_GetArraySize(stmts) == 0)
        rc = policy_err(r, "Policy is missing required element - Statement.");
    else
        cJSON_ArrayForEach(s, stmts) if (rc == 0) rc = check_statement(r, s);
    cJSON_Delete(p);
    return rc;
}

int kms_put_tags(svc_req_t *r, const char *key_id, const cJSON *tags)
{
    const cJSON *t;
    sqlite3_stmt *st;
    int n;

    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "TagKey");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "TagValue");
        if (!cJSON_IsObject(t) || !cJSON_IsString(k) || !cJSON_IsString(v))
            return svc_error(r, KMS_E_TAG_KEY_NULL);
        /* characters, as AWS counts them */
        if (jsonlen_str(k) < 1 || utf8_count(k->valuestring, jsonlen_str(k)) > 128 ||
            utf8_count(v->valuestring, jsonlen_str(v)) > 256)
            return svc_error(r, KMS_E_TAG_LENGTH);
        if (!strncmp(k->valuestring, "aws:", 4))
            return svc_error(r, KMS_E_TAG_RESERVED);
    }
    kms_attrs_changed();
    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "TagKey");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "TagValue");
        if (db_run(r->emu->db,
                   "INSERT OR REPLACE INTO kms_tags (key_id, tag_key, tag_value) VALUES (?1, ?2, "
                   "?3)",
                   "stt", key_id, k->valuestring, jsonlen_str(k), v->valuestring,
                   jsonlen_str(v)) != 0)
            return svc_error(r, KMS_E_DB);
    }
    st = db_query(r->emu->db, "SELECT count(*) FROM kms_tags WHERE key_id=?1", "s", key_id);
    n = db_row(st) == 1 ? sqlite3_column_int(st, 0) : 0;
    db_done(st);
    if (n > 50)
        return svc_error(r, KMS_E_TAG_LIMIT);
    return 0;
}

/* ---- tags ------------------------------------------------------------------ */

static int tag_parse(svc_req_t *r, const cJSON *in, void *args)
{
    update_args_t *v = args;

    return json_list(r, in, "Tags", 1, 0, 0, &v->list) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref)
               ? -1
               : 0;
}

static int untag_parse(svc_req_t *r, const cJSON *in, void *args)
{
    update_args_t *v = args;

    return json_list(r, in, "TagKeys", 1, 0, 0, &v->list) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref)
               ? -1
               : 0;
}

static const kms_input_t tag_input = {sizeof(update_args_t), tag_parse, NULL, 0};
static const kms_input_t untag_input = {sizeof(update_args_t), untag_parse, NULL, 0};

/* The key, then the request's tags as condition keys. */
static int tags_resource(svc_req_t *r, const void *in, struct authz *a, const kms_input_t *spec,
                         int untag)
{
    const update_args_t *v;
    kms_authz_t *z;

    if (kms_key_resource(r, in, a, spec) != 0)
        return -1;
    if (!r->emu->cfg->iam_enforce)
        return 0;
    if ((v = kms_input(r, in, spec)) == NULL || (z = kms_request_authz(r)) == NULL)
        return -1;
    return kms_authz_request_tags(r, z, untag ? NULL : v->list, untag ? v->list : NULL, a);
}

int kms_res_tag(svc_req_t *r, const void *in, struct authz *a)
{
    return tags_resource(r, in, a, &tag_input, 0);
}

int kms_res_untag(svc_req_t *r, const void *in, struct authz *a)
{
    return tags_resource(r, in, a, &untag_input, 1);
}

int kms_op_tag_resource(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const update_args_t *v = kms_input(r, in, &tag_input);
    kms_key_t *k;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) ||
        kms_not_aws_managed(r, k, "TagResource"))
        return -1;
    if (db_begin(r->emu->db) != 0)
        return internal(r);
    if (kms_put_tags(r, k->key_id, v->list) != 0) {
        db_rollback(r->emu->db);
        return -1;
    }
    return db_commit(r->emu->db) == 0 ? 0 : internal(r);
}

int kms_op_untag_resource(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const update_args_t *v = kms_input(r, in, &untag_input);
    const cJSON *t;
    kms_key_t *k;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) ||
        kms_not_aws_managed(r, k, "UntagResource"))
        return -1;
    cJSON_ArrayForEach(t, v->list)
    {
        if (!cJSON_IsString(t))
            return svc_error(r, KMS_E_TAG_KEYS_TYPE);
        /* a key that is not there is no error */
        (void)db_run(r->emu->db, "DELETE FROM kms_tags WHERE key_id=?1 AND tag_key=?2", "st",
                     k->key_id, t->valuestring, jsonlen_str(t));
        kms_attrs_changed();
    }
    return 0;
}

static int list_tags_parse(svc_req_t *r, const cJSON *in, void *args)
{
    kms_page_args_t *v = args;

    return kms_page_parse(r, in, v, 50, 50) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   kms_page_check(r, v, &v->h.key_ref, 1)
               ? -1
               : 0;
}

static const kms_input_t list_tags_input = {sizeof(kms_page_args_t), list_tags_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_list_tags, list_tags_input)

static void tag_row(svc_req_t *r, sqlite3_stmt *st, cJSON *list, const void *ctx)
{
    cJSON *e = cJSON_CreateObject();

    (void)r;
    (void)ctx;
    cJSON_AddStringToObject(e, "TagKey", db_text(st, 0));
    cJSON_AddStringToObject(e, "TagValue", db_text(st, 1));
    cJSON_AddItemToArray(list, e);
}

int kms_op_list_resource_tags(svc_req_t *r, const cJSON *in, cJSON *out)
{
    /* by tag key, unique in a key (the primary key (key_id, tag_key)) */
#define TAGS "SELECT tag_key, tag_value FROM kms_tags WHERE key_id=?1"
    static const char *const sql[2] = {
        TAGS PAGE_ORDER1("tag_key"),
        TAGS " AND " PAGE_NEXT1("tag_key") PAGE_ORDER1("tag_key"),
    };
#undef TAGS
    const kms_page_args_t *v = kms_input(r, in, &list_tags_input);
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    return kms_page_run(r, db_query(r->emu->db, sql[v->after.n > 0], "s", k->key_id), v, 0,
                        cJSON_AddArrayToObject(out, "Tags"), tag_row, NULL, out);
}

/* ---- key policies ---------------------------------------------------------- */

static int policy_name(svc_req_t *r, const cJSON *in, int required)
{
    const char *name = NULL;

    if (json_str(r, in, "PolicyName", required, 1, 128, &name) != 0)
        return -1;
    if (name && strcmp(name, "default") != 0)
        return svc_error(r, KMS_E_POLICY_NAME, name);
    return 0;
}

static int get_policy_parse(svc_req_t *r, const cJSON *in, void *args)
{
    kms_args_t *v = args;

    return policy_name(r, in, 0) || json_str(r, in, "KeyId", 1, 1, 2048, &v->key_ref) ? -1 : 0;
}

static const kms_input_t get_policy_input = {sizeof(kms_args_t), get_policy_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_get_policy, get_policy_input)

int kms_op_get_key_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k;
    sqlite3_stmt *st;

    if (kms_input(r, in, &get_policy_input) == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    st = db_query(r->emu->db, "SELECT policy FROM kms_keys WHERE key_id=?1", "s", k->key_id);
    if (st == NULL)
        return internal(r);
    if (db_row(st) == 1)
        cJSON_AddStringToObject(out, "Policy", (const char *)sqlite3_column_text(st, 0));
    db_done(st);
    cJSON_AddStringToObject(out, "PolicyName", "default");
    return 0;
}

static int put_policy_parse(svc_req_t *r, const cJSON *in, void *args)
{
    update_args_t *v = args;

    return policy_name(r, in, 0) || json_str(r, in, "Policy", 1, 1, 32768, &v->text) ||
                   json_bool(r, in, "BypassPolicyLockoutSafetyCheck", &v->bypass, NULL) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref)
               ? -1
               : 0;
}

static const kms_input_t put_policy_input = {sizeof(update_args_t), put_policy_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_put_policy, put_policy_input)

int kms_op_put_key_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const update_args_t *v = kms_input(r, in, &put_policy_input);
    kms_key_t *k;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) ||
        kms_not_aws_managed(r, k, "PutKeyPolicy") || kms_check_policy(r, v->text))
        return -1;
    return kms_key_update(r, "UPDATE kms_keys SET policy=?2 WHERE key_id=?1", k->key_id, v->text);
}

static int list_policies_parse(svc_req_t *r, const cJSON *in, void *args)
{
    kms_page_args_t *v = args;

    return kms_page_parse(r, in, v, 100, 1000) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   kms_page_check(r, v, &v->h.key_ref, 1)
               ? -1
               : 0;
}

static const kms_input_t list_policies_input = {sizeof(kms_page_args_t), list_policies_parse, NULL,
                                                0};
KMS_KEY_RESOURCE(kms_res_list_policies, list_policies_input)

int kms_op_list_key_policies(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const kms_page_args_t *v = kms_input(r, in, &list_policies_input);
    cJSON *names;

    if (v == NULL || kms_key(r, in) == NULL)
        return -1;
    /* one policy, never a second page: no Marker is ever made, so
     * kms_page_check refused any */
    names = cJSON_AddArrayToObject(out, "PolicyNames");
    cJSON_AddItemToArray(names, cJSON_CreateString("default"));
    kms_page_end(out, NULL);
    return 0;
}
