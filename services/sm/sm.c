/* sm.c — the Secrets Manager table (one row per operation of the model)
 * and the secret record: resolution by name, full or partial ARN. */
#include "services/sm/sm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "storage/db.h"

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
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL : strdup(db_text(st, col));
}

void sm_fill_secret(sqlite3_stmt *st, sm_secret_t *s)
{
    str_copy(s->arn, sizeof s->arn, db_text(st, 0));
    str_copy(s->name, sizeof s->name, db_text(st, 1));
    str_copy(s->account, sizeof s->account, db_text(st, 2));
    str_copy(s->region, sizeof s->region, db_text(st, 3));
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
    str_copy(s->primary_region, sizeof s->primary_region, db_text(st, 16));
    s->owning_service = dup_col(st, 17);
    s->policy = dup_col(st, 18);
}

void sm_purge_due(svc_req_t *r)
{
    db_run(r->emu->db,
           "DELETE FROM sm_secrets WHERE account=?1 AND region=?2 AND deleted_date IS NOT NULL "
           "AND deleted_date<=?3",
           "ssd", r->account, r->region, r->now);
}

/* Looks a secret up by one column (arn or name); 1 found, 0 not, -1 error. */
static int lookup(svc_req_t *r, int by_arn, const char *key, sm_secret_t *out)
{
    static const char by_arn_sql[] =
        "SELECT " SM_COLS " FROM sm_secrets WHERE arn=?1 AND account=?2 AND region=?3";
    static const char by_name_sql[] =
        "SELECT " SM_COLS " FROM sm_secrets WHERE name=?1 AND account=?2 AND region=?3";
    sqlite3_stmt *st =
        db_query(r->emu->db, by_arn ? by_arn_sql : by_name_sql, "sss", key, r->account, r->region);
    int rc = db_row(st);

    if (rc == 1)
        sm_fill_secret(st, out);
    db_done(st);
    return rc;
}

int sm_resolve(svc_req_t *r, const char *id, sm_secret_t *out)
{
    char prefix[200];
    size_t plen;
    int rc;

    memset(out, 0, sizeof *out);
    plen = (size_t)snprintf(prefix, sizeof prefix,
                            "arn:%s:secretsmanager:%s:%s:secret:", partition_name(r->region),
                            r->region, r->account);
    if (!strncmp(id, "arn:", 4)) {
        if (strncmp(id, prefix, plen) != 0)
            return sm_fail(r, SM_E_NOT_FOUND, NULL, NULL);
        rc = lookup(r, 1, id, out); /* full ARN */
        if (rc == 0)
            rc = lookup(r, 0, id + plen, out); /* partial ARN: the name */
    } else {
        rc = lookup(r, 0, id, out);
    }
    if (rc < 0)
        return sm_internal(r);
    if (rc == 0)
        return sm_fail(r, SM_E_NOT_FOUND, NULL, NULL);
    if (out->deleted_date > 0 && out->deleted_date <= r->now) {
        /* its recovery window has passed: gone */
        db_run(r->emu->db, "DELETE FROM sm_secrets WHERE arn=?1", "s", out->arn);
        sm_secret_clear(out);
        return sm_fail(r, SM_E_NOT_FOUND, NULL, NULL);
    }
    return 0;
}

int sm_require_live(svc_req_t *r, const sm_secret_t *s)
{
    return s->deleted_date > 0 ? sm_fail(r, SM_E_MARKED_FOR_DELETION, NULL, NULL) : 0;
}

/* ---- the table -------------------------------------------------------------
 *
 * Each row: the operation, its handler, its IAM action, the resource the
 * router authorizes it on (sm_secret_resource: the secret SecretId names;
 * sm_create_resource: the new secret; NULL: "*"), flags. */

#define SECRET sm_secret_resource

static const svc_op_t ops[] = {
    /* on "*"; the handler then checks secretsmanager:GetSecretValue on each
     * secret it returns (AWS's two-action contract for this operation) */
    SVC_OP("BatchGetSecretValue", json, sm_op_batch_get_secret_value,
           "secretsmanager:BatchGetSecretValue", NULL, OP_KEY_MATERIAL),
    SVC_OP("CancelRotateSecret", json, sm_op_cancel_rotate_secret,
           "secretsmanager:CancelRotateSecret", SECRET, OP_MUTATES),
    SVC_OP("CreateSecret", json, sm_op_create_secret, "secretsmanager:CreateSecret",
           sm_create_resource, OP_MUTATES | OP_KEY_MATERIAL),
    SVC_OP("DeleteResourcePolicy", json, sm_op_delete_resource_policy,
           "secretsmanager:DeleteResourcePolicy", SECRET, OP_MUTATES),
    SVC_OP("DeleteSecret", json, sm_op_delete_secret, "secretsmanager:DeleteSecret", SECRET,
           OP_MUTATES),
    SVC_OP("DescribeSecret", json, sm_op_describe_secret, "secretsmanager:DescribeSecret", SECRET,
           0),
    SVC_OP("GetRandomPassword", json, sm_op_get_random_password, "secretsmanager:GetRandomPassword",
           NULL, 0),
    SVC_OP("GetResourcePolicy", json, sm_op_get_resource_policy, "secretsmanager:GetResourcePolicy",
           SECRET, 0),
    SVC_OP("GetSecretValue", json, sm_op_get_secret_value, "secretsmanager:GetSecretValue", SECRET,
           OP_KEY_MATERIAL),
    SVC_OP("ListSecretVersionIds", json, sm_op_list_secret_version_ids,
           "secretsmanager:ListSecretVersionIds", SECRET, 0),
    SVC_OP("ListSecrets", json, sm_op_list_secrets, "secretsmanager:ListSecrets", NULL, 0),
    SVC_OP("PutResourcePolicy", json, sm_op_put_resource_policy, "secretsmanager:PutResourcePolicy",
           SECRET, OP_MUTATES),
    SVC_OP("PutSecretValue", json, sm_op_put_secret_value, "secretsmanager:PutSecretValue", SECRET,
           OP_MUTATES | OP_KEY_MATERIAL),
    SVC_OP("RemoveRegionsFromReplication", json, sm_op_remove_regions_from_replication,
           "secretsmanager:RemoveRegionsFromReplication", SECRET, OP_MUTATES),
    SVC_OP("ReplicateSecretToRegions", json, sm_op_replicate_secret_to_regions,
           "secretsmanager:ReplicateSecretToRegions", SECRET, OP_MUTATES),
    SVC_OP("RestoreSecret", json, sm_op_restore_secret, "secretsmanager:RestoreSecret", SECRET,
           OP_MUTATES),
    SVC_OP("RotateSecret", json, sm_op_rotate_secret, "secretsmanager:RotateSecret", SECRET,
           OP_MUTATES | OP_KEY_MATERIAL),
    SVC_OP("StopReplicationToReplica", json, sm_op_stop_replication_to_replica,
           "secretsmanager:StopReplicationToReplica", SECRET, OP_MUTATES),
    SVC_OP("TagResource", json, sm_op_tag_resource, "secretsmanager:TagResource", SECRET,
           OP_MUTATES),
    SVC_OP("UntagResource", json, sm_op_untag_resource, "secretsmanager:UntagResource", SECRET,
           OP_MUTATES),
    SVC_OP("UpdateSecret", json, sm_op_update_secret, "secretsmanager:UpdateSecret", SECRET,
           OP_MUTATES | OP_KEY_MATERIAL),
    SVC_OP("UpdateSecretVersionStage", json, sm_op_update_secret_version_stage,
           "secretsmanager:UpdateSecretVersionStage", SECRET, OP_MUTATES),
    /* on "*" as before; its SecretId is optional and only checked to exist */
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
