/* sm_policy.c — a secret's resource policy: GetResourcePolicy,
 * PutResourcePolicy, DeleteResourcePolicy, ValidateResourcePolicy. */
#include "services/sm/sm_int.h"

#include <string.h>

#include "storage/db.h"

/* Validates a resource policy document: MalformedPolicyDocumentException. */
static int check_policy(svc_req_t *r, const char *doc)
{
    cJSON *p = cJSON_Parse(doc);
    const cJSON *stmts, *s;
    int rc = 0;

    if (p == NULL || !cJSON_IsObject(p)) {
        cJSON_Delete(p);
        return sm_fail(r, SM_E_POLICY_NOT_OBJECT, NULL, NULL);
    }
    stmts = cJSON_GetObjectItemCaseSensitive(p, "Statement");
    if (stmts == NULL || (!cJSON_IsArray(stmts) && !cJSON_IsObject(stmts))) {
        rc = sm_fail(r, SM_E_POLICY_NO_STATEMENT, NULL, NULL);
        goto out;
    }
    if (cJSON_IsObject(stmts)) {
        s = stmts;
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "Effect")))
            rc = sm_fail(r, SM_E_POLICY_NO_EFFECT, NULL, NULL);
        goto out;
    }
    cJSON_ArrayForEach(s, stmts)
    {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "Effect");
        if (!cJSON_IsObject(s) || !cJSON_IsString(e) ||
            (strcmp(e->valuestring, "Allow") && strcmp(e->valuestring, "Deny"))) {
            rc = sm_fail(r, SM_E_POLICY_BAD_EFFECT, NULL, NULL);
            break;
        }
    }
out:
    cJSON_Delete(p);
    return rc;
}

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
    cJSON_ArrayForEach(s, stmts)
    {
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

    if (json_str(r, in, "ResourcePolicy", 1, 1, 20480, &policy) ||
        json_bool(r, in, "BlockPublicPolicy", &block, NULL) || check_policy(r, policy) ||
        sm_req_secret(r, in, &s))
        return -1;
    if (sm_require_live(r, &s) != 0)
        goto out;
    if (block && is_public(policy)) {
        sm_fail(r, SM_E_PUBLIC_POLICY, NULL, NULL);
        goto out;
    }
    rc =
        db_run(r->emu->db, "UPDATE sm_secrets SET policy=?2 WHERE arn=?1", "ss", s.arn, policy) == 0
            ? 0
            : sm_internal(r);
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
    return sm_run_on_secret(r, in, out, "UPDATE sm_secrets SET policy=NULL WHERE arn=?1");
}

int sm_op_validate_resource_policy(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *policy = NULL, *id = NULL;
    cJSON *errs;

    if (json_str(r, in, "ResourcePolicy", 1, 1, 20480, &policy) ||
        json_str(r, in, "SecretId", 0, 1, AWS_SM_SECRET_ID_MAX, &id) || check_policy(r, policy))
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
