/* sm_replication.c — replica secrets in other Regions: a replica is a
 * secret row in its own Region (same name and suffix, PrimaryRegion set)
 * whose versions are re-sealed there under the replica's KMS key, so it is
 * readable in that Region and follows every change of the primary. */
#include "services/sm/sm_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "storage/db.h"

/* r with another region (errors stay on the copy). */
static void in_region(svc_req_t *dst, const svc_req_t *r, const char *region)
{
    *dst = *r;
    str_copy(dst->region, sizeof dst->region, region);
    dst->err_code[0] = '\0';
    dst->err_msg[0] = '\0';
    dst->err_status = 0;
}

/* The ARN of s in another region. */
static void replica_arn(const sm_secret_t *s, const char *region, char *out, size_t n)
{
    const char *rest = strstr(s->arn, ":secret:");

    snprintf(out, n, "arn:%s:secretsmanager:%s:%s%s", partition_name(region), region, s->account,
             rest ? rest : "");
}

static int valid_region(const char *region)
{
    size_t i, n = strlen(region);

    if (n < 4 || n > 32)
        return 0;
    for (i = 0; i < n; i++)
        if (!((region[i] >= 'a' && region[i] <= 'z') || (region[i] >= '0' && region[i] <= '9') ||
              region[i] == '-'))
            return 0;
    return 1;
}

/* Copies stages of the primary to the replica (replacing the replica's). */
static int copy_stages(svc_req_t *r, const char *from_arn, const char *to_arn)
{
    if (db_run(r->emu->db, "DELETE FROM sm_stages WHERE arn=?1", "s", to_arn) != 0 ||
        db_run(r->emu->db,
               "INSERT INTO sm_stages (arn, stage, version_id) SELECT ?2, stage, version_id FROM "
               "sm_stages WHERE arn=?1 AND version_id IN (SELECT version_id FROM sm_versions WHERE "
               "arn=?2)",
               "ss", from_arn, to_arn) != 0)
        return sm_internal(r);
    return 0;
}

/* Copies version vid of primary p into replica q (region of rr) unless it
 * is there already. */
static int copy_version(svc_req_t *r, svc_req_t *rr, const sm_secret_t *p, const sm_secret_t *q,
                        const char *vid)
{
    uint8_t *value = NULL;
    size_t n = 0;
    int is_binary = 0, rc, have = sm_version_exists(rr, q->arn, vid);

    if (have != 0)
        return have < 0 ? -1 : 0;
    if (sm_load_version(r, p, vid, &value, &n, &is_binary, NULL) != 0)
        return -1;
    rc = sm_store_version(rr, q, vid, value, n, is_binary);
    OPENSSL_cleanse(value, n);
    free(value);
    return rc;
}

static int set_status(svc_req_t *r, const char *arn, const char *region, const char *kms,
                      const char *status, const char *msg)
{
    if (db_run(r->emu->db,
               "INSERT OR REPLACE INTO sm_replicas (arn, region, kms_key_id, status, message) "
               "VALUES (?1, ?2, ?3, ?4, ?5)",
               "sssss", arn, region, kms, status, msg) != 0)
        return sm_internal(r);
    return 0;
}

/* Creates (or refreshes) the replica of s in region with all versions. */
static int make_replica(svc_req_t *r, const sm_secret_t *s, const char *region, const char *kms,
                        int force, char *why, size_t whylen)
{
    svc_req_t rr;
    sm_secret_t q;
    char arn[SM_ARN_MAX];
    sqlite3_stmt *st;
    int rc;

    in_region(&rr, r, region);
    replica_arn(s, region, arn, sizeof arn);
    rc = sm_resolve(&rr, s->name, &q);
    if (rc == 0) {
        int ours = !strcmp(q.arn, arn) && !strcmp(q.primary_region, s->region);
        sm_secret_clear(&q);
        if (!ours && !force) {
            snprintf(why, whylen,
                     "Replication failed: Secret name already exists in the "
                     "destination Region %s.",
                     region);
            return 1;
        }
        if (db_run(r->emu->db, "DELETE FROM sm_secrets WHERE account=?1 AND region=?2 AND name=?3",
                   "sss", r->account, region, s->name) != 0)
            return sm_internal(r);
    }
    if (sm_create_in_region(&rr, arn, s->name, s->description, kms, s->type, s->region) != 0 ||
        sm_resolve(&rr, arn, &q) != 0) {
        snprintf(why, whylen, "Replication failed: %.500s", rr.err_msg);
        return 1;
    }
    st = db_query(r->emu->db,
                  "SELECT version_id FROM sm_versions WHERE arn=?1 AND is_binary >= 0 AND "
                  "version_id IN (SELECT version_id FROM sm_stages WHERE arn=?1) ORDER BY seq",
                  "s", s->arn);
    rc = st ? 0 : -1;
    if (st) {
        char **vids = NULL;
        size_t nv = 0, i;
        vids = sm_strings(st, &nv);
        for (i = 0; i < nv && rc == 0; i++)
            if (vids[i])
                rc = copy_version(r, &rr, s, &q, vids[i]);
        sm_strings_free(vids, nv);
    }
    if (rc == 0)
        rc = copy_stages(r, s->arn, q.arn);
    sm_secret_clear(&q);
    if (rc != 0) {
        snprintf(why, whylen, "Replication failed: %.500s",
                 rr.err_msg[0] ? rr.err_msg : r->err_msg);
        return 1;
    }
    return 0;
}

int sm_add_replicas(svc_req_t *r, const sm_secret_t *s, const cJSON *regions, int force, cJSON *out)
{
    const cJSON *e;

    if (s->primary_region[0])
        return sm_fail(r, SM_E_REPLICA_OF_REPLICA, NULL, NULL);
    cJSON_ArrayForEach(e, regions)
    {
        const cJSON *reg = cJSON_GetObjectItemCaseSensitive(e, "Region");
        const cJSON *kms = cJSON_GetObjectItemCaseSensitive(e, "KmsKeyId");
        if (!cJSON_IsObject(e) || !cJSON_IsString(reg) || !valid_region(reg->valuestring) ||
            (kms && !cJSON_IsNull(kms) && !cJSON_IsString(kms)))
            return sm_fail(r, SM_E_REPLICA_REGION, NULL, NULL);
        if (!strcmp(reg->valuestring, s->region))
            return sm_fail(r, SM_E_REPLICA_PRIMARY, reg->valuestring, NULL);
    }
    cJSON_ArrayForEach(e, regions)
    {
        const char *region = cJSON_GetObjectItemCaseSensitive(e, "Region")->valuestring;
        const cJSON *kj = cJSON_GetObjectItemCaseSensitive(e, "KmsKeyId");
        const char *kms = cJSON_IsString(kj) ? kj->valuestring : NULL;
        char why[600];
        int rc = make_replica(r, s, region, kms, force, why, sizeof why);
        if (rc < 0)
            return -1;
        if (set_status(r, s->arn, region, kms, rc == 0 ? "InSync" : "Failed",
                       rc == 0 ? "Replication succeeded" : why) != 0)
            return -1;
    }
    cJSON_AddItemToObject(out, "ReplicationStatus", sm_replication_status(r, s->arn));
    return 0;
}

cJSON *sm_replication_status(svc_req_t *r, const char *arn)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT region, kms_key_id, status, message FROM sm_replicas WHERE "
                                "arn=?1 ORDER BY region",
                                "s", arn);
    cJSON *list = cJSON_CreateArray();

    while (db_row(st) == 1) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "Region", db_text(st, 0));
        cJSON_AddStringToObject(e, "KmsKeyId",
                                sqlite3_column_type(st, 1) == SQLITE_NULL
                                    ? "alias/aws/secretsmanager"
                                    : db_text(st, 1));
        cJSON_AddStringToObject(e, "Status", db_text(st, 2));
        cJSON_AddStringToObject(e, "StatusMessage", db_text(st, 3));
        cJSON_AddItemToArray(list, e);
    }
    db_done(st);
    return list;
}

int sm_replicate_version(svc_req_t *r, const sm_secret_t *s, const char *version_id)
{
    sqlite3_stmt *st;
    char regions[16][64];
    int n = 0, i, rc = 0;

    if (s->primary_region[0])
        return 0;
    st = db_query(r->emu->db, "SELECT region FROM sm_replicas WHERE arn=?1 AND status='InSync'",
                  "s", s->arn);
    if (st == NULL)
        return sm_internal(r);
    while (n < 16 && db_row(st) == 1)
        str_copy(regions[n++], sizeof regions[0], db_text(st, 0));
    db_done(st);
    for (i = 0; i < n && rc == 0; i++) {
        svc_req_t rr;
        sm_secret_t q;
        char arn[SM_ARN_MAX];
        in_region(&rr, r, regions[i]);
        replica_arn(s, regions[i], arn, sizeof arn);
        if (sm_resolve(&rr, arn, &q) != 0)
            continue; /* the replica was removed behind our back */
        if (version_id)
            rc = copy_version(r, &rr, s, &q, version_id);
        if (rc == 0)
            rc = copy_stages(r, s->arn, q.arn);
        sm_secret_clear(&q);
        if (rc != 0 && !r->err_code[0])
            svc_error(r, 400, rr.err_code[0] ? rr.err_code : "InternalServiceError", "%s",
                      rr.err_msg);
    }
    return rc;
}

int sm_op_replicate_secret_to_regions(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *regions;
    int force = 0, rc = -1;
    sm_secret_t s;

    if (json_list(r, in, "AddReplicaRegions", 1, 1, 0, &regions) ||
        json_bool(r, in, "ForceOverwriteReplicaSecret", &force, NULL) || sm_req_secret(r, in, &s))
        return -1;
    if (sm_require_live(r, &s) == 0 && db_begin(r->emu->db) == 0) {
        if (sm_add_replicas(r, &s, regions, force, out) == 0)
            rc = db_commit(r->emu->db) == 0 ? 0 : sm_internal(r);
        else
            db_rollback(r->emu->db);
    }
    if (rc == 0)
        cJSON_AddStringToObject(out, "ARN", s.arn);
    sm_secret_clear(&s);
    return rc;
}

int sm_op_remove_regions_from_replication(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const cJSON *regions, *e;
    sm_secret_t s;
    int rc = -1;

    if (json_list(r, in, "RemoveReplicaRegions", 1, 1, 0, &regions) || sm_req_secret(r, in, &s))
        return -1;
    if (s.primary_region[0]) {
        sm_fail(r, SM_E_ON_REPLICA, s.primary_region, NULL);
        goto out;
    }
    cJSON_ArrayForEach(e, regions)
    {
        if (!cJSON_IsString(e) || !valid_region(e->valuestring)) {
            sm_fail(r, SM_E_REMOVE_REGION, NULL, NULL);
            goto out;
        }
    }
    if (db_begin(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    cJSON_ArrayForEach(e, regions)
    {
        char arn[SM_ARN_MAX];
        db_run(r->emu->db, "DELETE FROM sm_replicas WHERE arn=?1 AND region=?2", "st", s.arn,
               e->valuestring, jsonlen_str(e));
        replica_arn(&s, e->valuestring, arn, sizeof arn);
        db_run(r->emu->db, "DELETE FROM sm_secrets WHERE arn=?1 AND primary_region IS NOT NULL",
               "s", arn);
    }
    if (db_commit(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddItemToObject(out, "ReplicationStatus", sm_replication_status(r, s.arn));
    rc = 0;
out:
    sm_secret_clear(&s);
    return rc;
}

int sm_op_stop_replication_to_replica(svc_req_t *r, const cJSON *in, cJSON *out)
{
    sm_secret_t s;
    char primary_arn[SM_ARN_MAX];
    int rc = -1;

    if (sm_req_secret(r, in, &s) != 0)
        return -1;
    if (!s.primary_region[0]) {
        sm_fail(r, SM_E_NOT_A_REPLICA, NULL, NULL);
        goto out;
    }
    replica_arn(&s, s.primary_region, primary_arn, sizeof primary_arn);
    if (db_begin(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    db_run(r->emu->db, "DELETE FROM sm_replicas WHERE arn=?1 AND region=?2", "ss", primary_arn,
           s.region);
    db_run(r->emu->db, "UPDATE sm_secrets SET primary_region=NULL WHERE arn=?1", "s", s.arn);
    if (db_commit(r->emu->db) != 0) {
        sm_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", s.arn);
    rc = 0;
out:
    sm_secret_clear(&s);
    return rc;
}
