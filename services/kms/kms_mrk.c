/* kms_mrk.c — multi-Region keys: mrk- key ids, ReplicateKey,
 * UpdatePrimaryRegion, DescribeKey's MultiRegionConfiguration, and the
 * deletion of a primary that still has replicas; the rows of keys that
 * CreateKey does not make the plain way (multi-Region, EXTERNAL origin).
 *
 * One row per region: a multi-Region key's row id is "<mrk id>@<region>"
 * (KMS_ROW_LEN), so each region's copy has its own description, policy,
 * tags, aliases, grants and state, while the key id and the material are
 * the same everywhere: a ciphertext names the key id and the material
 * version, and opens in any region holding the key. multi_region is 1 in
 * the primary's row and 2 in a replica's. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#include "authz/authz.h"
#include "base/codec.h"
#include "base/partition.h"
#include "storage/db.h"
#include "storage/envelope.h"
#include "storage/keyring.h"

#define DAY 86400.0
#define MRK_PRIMARY 1
#define MRK_REPLICA 2

/* The rows of multi-Region key id ?1 in account ?2 (every region): the
 * row ids "<id>@...", a range of the primary key's index. */
#define GROUP "key_id > ?1 || '@' AND key_id < ?1 || 'A' AND account=?2"

int kms_is_key_id(const char *s, size_t n)
{
    size_t i;

    if (codec_is_uuid(s, n))
        return 1;
    if (n != KMS_ID_LEN || memcmp(s, "mrk-", 4) != 0)
        return 0;
    for (i = 4; i < n; i++)
        if (codec_hexval(s[i]) < 0)
            return 0;
    return 1;
}

static void row_id(char out[KMS_ROW_LEN + 1], const char *id, const char *region)
{
    snprintf(out, KMS_ROW_LEN + 1, "%s@%s", id, region);
}

int kms_insert_key_ext(svc_req_t *r, const char *spec, const char *usage, const char *desc,
                       const char *policy, const char *origin, int multi, EVP_PKEY *pkey,
                       char key_id[KMS_ROW_LEN + 1])
{
    const kms_spec_t *s = kms_spec(spec);
    char id[KMS_ID_LEN + 1], arn[KMS_ARN_BUF];
    int external = !strcmp(origin, "EXTERNAL");

    if (multi) {
        uint8_t rnd[16];
        codec_random(rnd, sizeof rnd);
        memcpy(id, "mrk-", 4);
        codec_hex(rnd, sizeof rnd, id + 4);
        row_id(key_id, id, r->region);
    } else {
        codec_uuid(id);
        snprintf(key_id, KMS_ROW_LEN + 1, "%s", id);
    }
    snprintf(arn, sizeof arn, "arn:%s:kms:%s:%s:key/%s", partition_name(r->region), r->region,
             r->account, id);
    if (db_run(r->emu->db,
               "INSERT INTO kms_keys (key_id, account, region, arn, description, key_usage, "
               "key_spec, origin, key_manager, state, created, policy, multi_region, seq) VALUES "
               "(?1, ?2, ?3, ?4, ?5, ?11, ?12, ?6, 'CUSTOMER', ?7, ?8, ?9, ?10, "
               "(SELECT IFNULL(MAX(seq), 0) + 1 FROM kms_keys))",
               "sssssssdsiss", key_id, r->account, r->region, arn, desc, origin,
               external ? "PendingImport" : "Enabled", r->now, policy,
               multi ? MRK_PRIMARY : 0, usage, s->name) != 0)
        return kms_internal(r);
    /* an EXTERNAL key has no material until ImportKeyMaterial */
    if (external)
        return 0;
    if (s->kind == KMS_KIND_SYMMETRIC)
        return kms_new_material(r, key_id, arn, r->now);
    return kms_asym_material(r, s, key_id, arn, pkey);
}

/* ---- the other regions' rows ---------------------------------------------- */

/* Deletes the rows of k's key in other regions whose deletion window has
 * passed (each region deletes its own lazily; a primary must not wait for
 * a region nobody calls), then rereads k's state, which the trigger
 * kms_mrk_replica_gone may have moved on. */
int kms_mrk_maintain(svc_req_t *r, kms_key_t *k)
{
    sqlite3_stmt *st;

    if (!k->multi_region)
        return 0;
    if (db_run(r->emu->db,
               "DELETE FROM kms_keys WHERE " GROUP " AND key_id != ?3 AND "
               "state='PendingDeletion' AND deletion_date <= ?4",
               "sssd", k->id, k->account, k->key_id, r->now) != 0)
        return -1;
    if (sqlite3_changes(db_handle(r->emu->db)) == 0)
        return 0;
    st = db_query(r->emu->db, "SELECT state, deletion_date FROM kms_keys WHERE key_id=?1", "s",
                  k->key_id);
    if (db_row(st) == 1) {
        db_copy(st, 0, k->state, sizeof k->state);
        k->deletion_date = sqlite3_column_double(st, 1);
    }
    db_done(st);
    return 0;
}

/* The number of replicas of k's key (k a primary); -1 on error. */
static int replica_count(svc_req_t *r, const kms_key_t *k)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT COUNT(*) FROM kms_keys WHERE " GROUP " AND multi_region=2",
                                "ss", k->id, k->account);
    int n = db_row(st) == 1 ? sqlite3_column_int(st, 0) : -1;

    db_done(st);
    return n;
}

void kms_mrk_metadata(svc_req_t *r, const kms_key_t *k, cJSON *m)
{
    cJSON *cfg, *list, *e;
    sqlite3_stmt *st;

    if (!k->multi_region)
        return;
    cfg = cJSON_AddObjectToObject(m, "MultiRegionConfiguration");
    cJSON_AddStringToObject(cfg, "MultiRegionKeyType",
                            k->multi_region == MRK_PRIMARY ? "PRIMARY" : "REPLICA");
    list = cJSON_CreateArray();
    st = db_query(r->emu->db,
                  "SELECT arn, region, multi_region FROM kms_keys WHERE " GROUP " ORDER BY region",
                  "ss", k->id, k->account);
    while (db_row(st) == 1) {
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "Arn", db_text(st, 0));
        cJSON_AddStringToObject(e, "Region", db_text(st, 1));
        if (sqlite3_column_int(st, 2) == MRK_PRIMARY)
            cJSON_AddItemToObject(cfg, "PrimaryKey", e);
        else
            cJSON_AddItemToArray(list, e);
    }
    db_done(st);
    cJSON_AddItemToObject(cfg, "ReplicaKeys", list);
    if (!strcmp(k->state, "PendingReplicaDeletion"))
        cJSON_AddNumberToObject(m, "PendingDeletionWindowInDays", k->pending_window);
}

int kms_mrk_schedule_deletion(svc_req_t *r, const kms_key_t *k, int days, cJSON *out)
{
    int n;

    if (k->multi_region != MRK_PRIMARY)
        return 0;
    if ((n = replica_count(r, k)) < 0)
        return kms_internal(r);
    if (n == 0)
        return 0;
    /* the window starts when the last replica is deleted
     * (kms_mrk_replica_gone); until then no DeletionDate */
    if (db_run(r->emu->db,
               "UPDATE kms_keys SET state='PendingReplicaDeletion', deletion_date=NULL, "
               "pending_window=?2 WHERE key_id=?1",
               "si", k->key_id, days) != 0)
        return kms_internal(r);
    kms_cache_forget(k->key_id);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    cJSON_AddStringToObject(out, "KeyState", "PendingReplicaDeletion");
    cJSON_AddNumberToObject(out, "PendingWindowInDays", days);
    return 1;
}

#define MAX_REPLICAS 64 /* AWS has fewer regions */

static int copy_material(svc_req_t *r, const kms_key_t *src, const char *dst_row,
                         const char *dst_arn, int only);

int kms_mrk_propagate(svc_req_t *r, const kms_key_t *k, int version)
{
    char rows[MAX_REPLICAS][KMS_ROW_LEN + 1], arns[MAX_REPLICAS][KMS_ARN_BUF];
    sqlite3_stmt *st;
    int n = 0, i;

    if (k->multi_region != MRK_PRIMARY)
        return 0;
    st = db_query(r->emu->db, "SELECT key_id, arn FROM kms_keys WHERE " GROUP " AND multi_region=2",
                  "ss", k->id, k->account);
    while (n < MAX_REPLICAS && db_row(st) == 1) {
        db_copy(st, 0, rows[n], sizeof rows[n]);
        db_copy(st, 1, arns[n], sizeof arns[n]);
        n++;
    }
    db_done(st);
    for (i = 0; i < n; i++)
        if (copy_material(r, k, rows[i], arns[i], version) != 0 ||
            db_run(r->emu->db, "UPDATE kms_keys SET current_version=?2 WHERE key_id=?1", "si",
                   rows[i], version) != 0)
            return -1;
    return 0;
}

/* ---- ReplicateKey --------------------------------------------------------- */

typedef struct {
    kms_args_t h;
    const char *region, *policy, *desc;
    const cJSON *tags;
    int bypass;
} replicate_args_t;

/* RegionType: ^([a-z]+-){2,3}\d+$ */
static int region_ok(const char *s)
{
    int dashes = 0, digits = 0;
    const char *p = s;

    while (*p) {
        const char *w = p;
        while (*p >= 'a' && *p <= 'z')
            p++;
        if (p == w || *p != '-')
            break;
        p++;
        dashes++;
    }
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    return *p == '\0' && digits > 0 && dashes >= 2 && dashes <= 3;
}

static int check_region(svc_req_t *r, const char *member, const char *region)
{
    if (region_ok(region))
        return 0;
    return svc_error(r, KMS_E_REGION_PATTERN, region, member);
}

static int replicate_parse(svc_req_t *r, const cJSON *in, void *args)
{
    replicate_args_t *v = args;

    v->desc = "";
    if (json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
        json_str(r, in, "ReplicaRegion", 1, 1, 32, &v->region) ||
        json_str(r, in, "Policy", 0, 1, 32768, &v->policy) ||
        json_bool(r, in, "BypassPolicyLockoutSafetyCheck", &v->bypass, NULL) ||
        json_str(r, in, "Description", 0, 0, 8192, &v->desc) ||
        json_list(r, in, "Tags", 0, 0, 0, &v->tags))
        return -1;
    return check_region(r, "replicaRegion", v->region);
}

static const kms_input_t replicate_input = {sizeof(replicate_args_t), replicate_parse, NULL, 0};

int kms_res_replicate(svc_req_t *r, const void *in, struct authz *a)
{
    const replicate_args_t *v = kms_input(r, in, &replicate_input);

    if (v == NULL || kms_key_resource(r, in, a, &replicate_input) != 0)
        return -1;
    return kms_authz_extra(r, kms_request_authz(r), "kms:ReplicaRegion", v->region, a);
}

/* Copies material version only (0: every version) of src into the row
 * dst_row (ARN dst_arn), sealed for its ARN: same bytes, same version
 * numbers, same ids. */
static int copy_material(svc_req_t *r, const kms_key_t *src, const char *dst_row,
                         const char *dst_arn, int only)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT version, material_id, wrapped, created, rotation_type "
                                "FROM kms_key_material WHERE key_id=?1 AND (?2 = 0 OR version=?2)",
                                "si", src->key_id, only);
    char ref[KMS_ARN_BUF + 16];
    uint8_t m[8192], w[8192 + ENVELOPE_OVERHEAD];
    int rc, ok = 0;

    while ((rc = db_row(st)) == 1) {
        int v = sqlite3_column_int(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 2);
        if (n < ENVELOPE_OVERHEAD || n > sizeof w)
            break;
        snprintf(ref, sizeof ref, "%s:%d", src->arn, v);
        if (keyring_open(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref),
                         sqlite3_column_blob(st, 2), n, m) != 0)
            break;
        snprintf(ref, sizeof ref, "%s:%d", dst_arn, v);
        ok = keyring_seal(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref), m,
                          n - ENVELOPE_OVERHEAD, w) == 0 &&
             db_run(r->emu->db,
                    "INSERT INTO kms_key_material (key_id, version, material_id, wrapped, "
                    "created, rotation_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    "sisbds", dst_row, v, db_text(st, 1), w, n, sqlite3_column_double(st, 3),
                    sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : db_text(st, 4)) == 0;
        OPENSSL_cleanse(m, sizeof m);
        if (!ok)
            break;
    }
    db_done(st);
    if (rc != 0)
        return svc_error(r, KMS_E_STORE_MATERIAL);
    return 0;
}

/* The replica's row: k's key settings, the request's description and
 * policy, Enabled (an EXTERNAL key's replica waits for its import). */
static int insert_replica(svc_req_t *r, const kms_key_t *k, const replicate_args_t *v,
                          const char *policy, const char *row, const char *arn)
{
    const char *state = !strcmp(k->origin, "EXTERNAL") ? "PendingImport" : k->state;

    if (db_run(r->emu->db,
               "INSERT INTO kms_keys (key_id, account, region, arn, description, key_usage, "
               "key_spec, origin, key_manager, state, created, policy, multi_region, "
               "current_version, import_id, seq) SELECT ?1, account, ?2, ?3, ?4, key_usage, "
               "key_spec, origin, key_manager, ?5, ?6, ?7, 2, current_version, import_id, "
               "(SELECT IFNULL(MAX(seq), 0) + 1 FROM kms_keys) "
               "FROM kms_keys WHERE key_id=?8",
               "sssssdss", row, v->region, arn, v->desc, state, r->now, policy, k->key_id) != 0)
        return kms_internal(r);
    if (strcmp(k->origin, "EXTERNAL") != 0 && copy_material(r, k, row, arn, 0) != 0)
        return -1;
    return v->tags ? kms_put_tags(r, row, v->tags) : 0;
}

/* Runs the request as if in region (or back home): KMS scopes every key
 * by r's region. */
static void in_region(svc_req_t *r, const char *region, char home[64])
{
    if (home[0] == '\0')
        memcpy(home, r->region, sizeof r->region);
    str_copy(r->region, sizeof r->region, region);
}

/* ReplicateKey creates a key in the replica's region: kms:CreateKey there
 * too, under IAM policies (--iam enforce). */
static int authorize_replica(svc_req_t *r, const kms_key_t *k, const replicate_args_t *v)
{
    char home[64] = "";
    kms_authz_t *z;
    authz_t a;
    int rc;

    if (!r->emu->cfg->iam_enforce)
        return 0;
    if ((z = kms_authz_new()) == NULL)
        return svc_error(r, KMS_E_OOM);
    in_region(r, v->region, home);
    rc = kms_authz_create_key(r, z, k->key_spec, k->key_usage, k->origin, 1, v->bypass, v->tags,
                              &a);
    if (rc == 0)
        rc = authz_check(r, &a);
    in_region(r, home, home);
    kms_authz_free(z);
    return rc;
}

/* ReplicateKey's answer: the replica as its region describes it. */
static int replica_answer(svc_req_t *r, const char *row, const char *region, const cJSON *tags,
                          const char *policy, cJSON *out)
{
    char home[64] = "";
    kms_key_t rk;
    int rc;

    in_region(r, region, home);
    rc = kms_load(r, row, &rk);
    if (rc == 1)
        cJSON_AddItemToObject(out, "ReplicaKeyMetadata", kms_metadata(r, &rk));
    in_region(r, home, home);
    if (rc != 1)
        return rc < 0 ? -1 : svc_error(r, KMS_E_NO_KEY);
    cJSON_AddStringToObject(out, "ReplicaPolicy", policy);
    cJSON_AddItemToObject(out, "ReplicaTags",
                          tags ? cJSON_Duplicate(tags, 1) : cJSON_CreateArray());
    kms_key_clear(&rk);
    return 0;
}

int kms_op_replicate_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const replicate_args_t *v = kms_input(r, in, &replicate_input);
    char row[KMS_ROW_LEN + 1], arn[KMS_ARN_BUF], *defpolicy = NULL;
    const char *policy;
    kms_key_t *k;
    sqlite3_stmt *st;
    int rc;

    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) != 0)
        return -1;
    if (!k->multi_region)
        return svc_error(r, KMS_E_NOT_MULTI_REGION, k->arn);
    if (k->multi_region != MRK_PRIMARY)
        return svc_error(r, KMS_E_NOT_PRIMARY, k->arn, "ReplicateKey");
    if (!strcmp(k->state, "Disabled")) /* the model's DisabledException */
        return svc_error(r, KMS_E_DISABLED, k->arn);
    if (!strcmp(v->region, r->region))
        return svc_error(r, KMS_E_REPLICA_SAME_REGION, v->region, k->arn);
    if (strcmp(partition_name(v->region), partition_name(r->region)) != 0)
        return svc_error(r, KMS_E_REPLICA_PARTITION, v->region, k->arn);
    if (v->policy && kms_check_policy(r, v->policy) != 0)
        return -1;
    if (v->tags && cJSON_GetArraySize(v->tags) > 50)
        return svc_error(r, KMS_E_CREATE_TAG_LIMIT);
    row_id(row, k->id, v->region);
    st = db_query(r->emu->db, "SELECT 1 FROM kms_keys WHERE key_id=?1", "s", row);
    rc = db_row(st);
    db_done(st);
    if (rc != 0)
        return rc < 0 ? kms_internal(r) : svc_error(r, KMS_E_REPLICA_EXISTS, k->arn, v->region);
    snprintf(arn, sizeof arn, "arn:%s:kms:%s:%s:key/%s", partition_name(v->region), v->region,
             k->account, k->id);
    policy = v->policy;
    if (policy == NULL && (policy = defpolicy = kms_default_policy(k->account, v->region)) == NULL)
        return svc_error(r, KMS_E_OOM);
    if (db_begin(r->emu->db) != 0) {
        free(defpolicy);
        return kms_internal(r);
    }
    rc = authorize_replica(r, k, v);
    if (rc == 0)
        rc = insert_replica(r, k, v, policy, row, arn);
    if (rc == 0 && db_commit(r->emu->db) != 0)
        rc = kms_internal(r);
    else if (rc != 0)
        db_rollback(r->emu->db);
    if (rc == 0)
        rc = replica_answer(r, row, v->region, v->tags, policy, out);
    free(defpolicy);
    return rc;
}

/* ---- UpdatePrimaryRegion ---------------------------------------------------- */

typedef struct {
    kms_args_t h;
    const char *region;
} primary_args_t;

static int primary_parse(svc_req_t *r, const cJSON *in, void *args)
{
    primary_args_t *v = args;

    if (json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
        json_str(r, in, "PrimaryRegion", 1, 1, 32, &v->region))
        return -1;
    return check_region(r, "primaryRegion", v->region);
}

static const kms_input_t primary_input = {sizeof(primary_args_t), primary_parse, NULL, 0};

int kms_res_update_primary(svc_req_t *r, const void *in, struct authz *a)
{
    const primary_args_t *v = kms_input(r, in, &primary_input);

    if (v == NULL || kms_key_resource(r, in, a, &primary_input) != 0)
        return -1;
    return kms_authz_extra(r, kms_request_authz(r), "kms:PrimaryRegion", v->region, a);
}

/* UpdatePrimaryRegion changes the replica too: kms:UpdatePrimaryRegion on
 * it, in its region (--iam enforce). A missing replica is the handler's
 * NotFoundException. */
static int authorize_other(svc_req_t *r, const char *row, const char *region)
{
    char home[64] = "";
    kms_authz_t *z;
    kms_key_t rk;
    authz_t a;
    int rc;

    if (!r->emu->cfg->iam_enforce)
        return 0;
    if ((z = kms_authz_new()) == NULL)
        return svc_error(r, KMS_E_OOM);
    in_region(r, region, home);
    if ((rc = kms_load(r, row, &rk)) == 1) {
        rc = kms_authz_key(r, z, &rk, "kms:UpdatePrimaryRegion", NULL, &a) ||
                     kms_authz_extra(r, z, "kms:PrimaryRegion", region, &a) ||
                     authz_check(r, &a)
                 ? -1
                 : 0;
        kms_key_clear(&rk);
    }
    in_region(r, home, home);
    kms_authz_free(z);
    return rc < 0 ? -1 : 0;
}

int kms_op_update_primary_region(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const primary_args_t *v = kms_input(r, in, &primary_input);
    char row[KMS_ROW_LEN + 1];
    kms_key_t *k;
    int rc;

    (void)out;
    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_not_pending(r, k) != 0)
        return -1;
    if (!k->multi_region)
        return svc_error(r, KMS_E_NOT_MULTI_REGION, k->arn);
    if (k->multi_region != MRK_PRIMARY)
        return svc_error(r, KMS_E_NOT_PRIMARY, k->arn, "UpdatePrimaryRegion");
    if (!strcmp(k->state, "PendingImport"))
        return svc_error(r, KMS_E_INVALID_STATE, k->arn, k->state);
    if (!strcmp(v->region, r->region))
        return 0; /* already the primary: nothing changes */
    row_id(row, k->id, v->region);
    if (authorize_other(r, row, v->region) != 0)
        return -1;
    if (db_begin(r->emu->db) != 0)
        return kms_internal(r);
    /* the rotation schedule moves with the primary */
    rc = db_run(r->emu->db,
                "UPDATE kms_keys SET multi_region=1, (rotation_enabled, rotation_period, "
                "next_rotation) = (SELECT rotation_enabled, rotation_period, next_rotation FROM "
                "kms_keys WHERE key_id=?2) WHERE key_id=?1 AND multi_region=2 AND state NOT IN "
                "('PendingDeletion', 'PendingReplicaDeletion')",
                "ss", row, k->key_id);
    if (rc == 0 && sqlite3_changes(db_handle(r->emu->db)) == 0) {
        db_rollback(r->emu->db);
        return svc_error(r, KMS_E_NO_REPLICA_IN, k->arn, v->region);
    }
    if (rc == 0)
        rc = db_run(r->emu->db,
                    "UPDATE kms_keys SET multi_region=2, rotation_enabled=0, next_rotation=NULL "
                    "WHERE key_id=?1",
                    "s", k->key_id);
    if (rc != 0 || db_commit(r->emu->db) != 0)
        return kms_internal(r);
    return 0;
}
