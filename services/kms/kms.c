/* kms.c — the KMS operation table, key records and their resolution
 * (by key id, key ARN, alias name or alias ARN, with lazy deletion and
 * rotation), and what other services call: envelope data keys. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#include "base/codec.h"
#include "storage/db.h"

void kms_reset(emu_t *emu)
{
    (void)emu;
    kms_material_drop(0);
    kms_asym_drop();
    kms_attrs_reset();
    kms_usage_forget();
}

void kms_shutdown(void)
{
    kms_material_drop(1);
    kms_asym_drop();
    kms_attrs_reset();
}

/* ---- key records ----------------------------------------------------------- */

void kms_key_clear(kms_key_t *k)
{
    free(k->description);
    k->description = NULL;
    free(k->policy);
    k->policy = NULL;
}

int kms_load(svc_req_t *r, const char *key_id, kms_key_t *k)
{
#define KEY_COLS                                                                          \
    "SELECT key_id, arn, account, region, description, key_usage, key_spec, origin, "     \
    "key_manager, state, created, deletion_date, pending_window, rotation_enabled, "      \
    "rotation_period, next_rotation, multi_region, current_version, ondemand_count, "     \
    "policy FROM kms_keys "
    /* the id itself, or a multi-Region key's row in this region, first found
     * first: two searches of the primary key ("key_id IN (?1, ...)" built
     * an ephemeral table of its list each time, a fifth of the look-up) */
    static const char sql[] = KEY_COLS "WHERE key_id=?1 AND account=?2 AND region=?3 "
                              "UNION ALL " KEY_COLS
                              "WHERE key_id=?1 || '@' || ?3 AND account=?2 AND region=?3";
#undef KEY_COLS
    sqlite3_stmt *st = db_query(r->emu->db, sql, "sss", key_id, r->account, r->region);
    int rc = db_row(st);

    memset(k, 0, sizeof *k);
    if (rc <= 0) {
        db_done(st);
        return rc == 0 ? 0 : svc_error(r, KMS_E_DB);
    }
    db_copy(st, 0, k->key_id, sizeof k->key_id);
    db_copy(st, 0, k->id, sizeof k->id); /* the row id's first KMS_ID_LEN */
    db_copy(st, 1, k->arn, sizeof k->arn);
    db_copy(st, 2, k->account, sizeof k->account);
    db_copy(st, 3, k->region, sizeof k->region);
    k->description = strdup((const char *)sqlite3_column_text(st, 4));
    db_copy(st, 5, k->key_usage, sizeof k->key_usage);
    db_copy(st, 6, k->key_spec, sizeof k->key_spec);
    db_copy(st, 7, k->origin, sizeof k->origin);
    db_copy(st, 8, k->key_manager, sizeof k->key_manager);
    db_copy(st, 9, k->state, sizeof k->state);
    k->created = sqlite3_column_double(st, 10);
    k->deletion_date = sqlite3_column_double(st, 11);
    k->pending_window = sqlite3_column_int(st, 12);
    k->rotation_enabled = sqlite3_column_int(st, 13);
    k->rotation_period = sqlite3_column_int(st, 14);
    k->next_rotation = sqlite3_column_double(st, 15);
    k->multi_region = sqlite3_column_int(st, 16);
    k->current_version = sqlite3_column_int(st, 17);
    k->ondemand_count = sqlite3_column_int(st, 18);
    /* the key policy decides every request in --iam enforce mode */
    if (r->emu->cfg->iam_enforce && sqlite3_column_text(st, 19) != NULL &&
        (k->policy = strdup((const char *)sqlite3_column_text(st, 19))) == NULL) {
        db_done(st);
        kms_key_clear(k);
        return svc_error(r, KMS_E_OOM);
    }
    db_done(st);
    if (k->description == NULL) {
        kms_key_clear(k);
        return svc_error(r, KMS_E_OOM);
    }
    return 1;
}

/* Applies what time has brought: deletion after the window, automatic
 * rotation. Returns 1 when the key still exists, 0 when it was deleted. */
static int maintain(svc_req_t *r, kms_key_t *k)
{
    if ((k->multi_region && kms_mrk_maintain(r, k) != 0) || kms_import_maintain(r, k) != 0)
        return 1; /* a database error: the key stays as it was */
    if (!strcmp(k->state, "PendingDeletion") && k->deletion_date <= r->now) {
        db_run(r->emu->db, "DELETE FROM kms_keys WHERE key_id=?1", "s", k->key_id);
        kms_cache_forget(k->key_id);
        return 0;
    }
    if (k->rotation_enabled && !strcmp(k->state, "Enabled") && k->next_rotation > 0 &&
        k->next_rotation <= r->now && k->rotation_period > 0) {
        int n = 0;
        double when = k->next_rotation, now = r->now;
        while (when <= now && n++ < 64) {
            r->now = when; /* the rotation happened when it was due */
            if (kms_add_material(r, k, "AUTOMATIC") != 0)
                break;
            when += (double)k->rotation_period * 86400.0;
        }
        r->now = now;
        k->next_rotation = when;
        db_run(r->emu->db, "UPDATE kms_keys SET next_rotation=?2 WHERE key_id=?1", "sd", k->key_id,
               when);
    }
    return 1;
}

int kms_load_live(svc_req_t *r, const char *key_id, kms_key_t *k)
{
    int rc = kms_load(r, key_id, k);

    if (rc == 1 && !maintain(r, k)) {
        kms_key_clear(k);
        rc = 0;
    }
    return rc;
}

/* dst (a kms_key_t's alias) = src, cut to fit. */
static void set_alias(char dst[KMS_ALIAS_LEN + 1], const char *src)
{
    size_t n = strlen(src);

    if (n > KMS_ALIAS_LEN)
        n = KMS_ALIAS_LEN;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int not_found_key(svc_req_t *r, const char *key_id)
{
    return svc_error(r, KMS_E_KEY_NOT_FOUND, partition_name(r->region), r->region, r->account,
                     key_id);
}

int kms_resolve(svc_req_t *r, const char *ref, int flags, kms_key_t *out)
{
    char key_id[KMS_ID_LEN + 1], alias[AWS_KMS_KEY_ID_MAX + 1], prefix[AWS_ARN_BUF];
    const char *id = NULL;
    size_t plen;
    int rc;

    memset(out, 0, sizeof *out);
    alias[0] = '\0';
    plen = (size_t)snprintf(prefix, sizeof prefix, "arn:%s:kms:%s:%s:", partition_name(r->region),
                            r->region, r->account);
    if (kms_is_key_id(ref, strlen(ref))) {
        id = ref;
    } else if (!strncmp(ref, "arn:", 4)) {
        if (strncmp(ref, prefix, plen) != 0) {
            /* another region or account: not visible from here */
            if (strstr(ref, ":key/") || strstr(ref, ":alias/"))
                return svc_error(r, KMS_E_FOREIGN_KEY, ref);
            return svc_error(r, KMS_E_INVALID_ARN, ref);
        }
        if (!strncmp(ref + plen, "key/", 4) &&
            kms_is_key_id(ref + plen + 4, strlen(ref + plen + 4)))
            id = ref + plen + 4;
        else if (!strncmp(ref + plen, "alias/", 6) && (flags & KMS_ALLOW_ALIAS))
            str_copy(alias, sizeof alias, ref + plen);
        else
            return svc_error(r, KMS_E_INVALID_ARN, ref);
    } else if (!strncmp(ref, "alias/", 6) && (flags & KMS_ALLOW_ALIAS)) {
        str_copy(alias, sizeof alias, ref);
    } else {
        return svc_error(r, KMS_E_INVALID_KEY_ID, ref);
    }
    if (alias[0]) {
        sqlite3_stmt *st = db_query(r->emu->db,
                                    "SELECT key_id FROM kms_aliases WHERE account=?1 AND "
                                    "region=?2 AND name=?3",
                                    "sss", r->account, r->region, alias);
        int found = db_row(st);
        if (found == 1)
            db_copy(st, 0, key_id, sizeof key_id);
        db_done(st);
        if (found < 0)
            return svc_error(r, KMS_E_DB);
        if (found == 0)
            return svc_error(r, KMS_E_ALIAS_NOT_FOUND, partition_name(r->region), r->region,
                             r->account, alias);
        id = key_id;
    }
    /* key ids are case-insensitive hex; we store lowercase */
    {
        char low[KMS_ID_LEN + 1];
        size_t i;
        for (i = 0; i < KMS_ID_LEN; i++)
            low[i] = (char)((id[i] >= 'A' && id[i] <= 'F') ? id[i] + 32 : id[i]);
        low[KMS_ID_LEN] = '\0';
        rc = kms_load_live(r, low, out);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return not_found_key(r, low);
    }
    set_alias(out->alias, alias);
    return 0;
}

int kms_require_enabled(svc_req_t *r, const kms_key_t *k)
{
    if (!strcmp(k->state, "Enabled"))
        return 0;
    if (!strcmp(k->state, "Disabled"))
        return svc_error(r, KMS_E_DISABLED, k->arn);
    if (!strcmp(k->state, "PendingDeletion") || !strcmp(k->state, "PendingReplicaDeletion"))
        return svc_error(r, KMS_E_PENDING_DELETION, k->arn);
    if (!strcmp(k->state, "PendingImport"))
        return svc_error(r, KMS_E_PENDING_IMPORT, k->arn);
    return svc_error(r, KMS_E_INVALID_STATE, k->arn, k->state);
}

int kms_require_not_pending(svc_req_t *r, const kms_key_t *k)
{
    if (!strcmp(k->state, "PendingDeletion") || !strcmp(k->state, "PendingReplicaDeletion"))
        return svc_error(r, KMS_E_PENDING_DELETION, k->arn);
    return 0;
}

int kms_dry_run(svc_req_t *r, const cJSON *in)
{
    int dry = 0;

    if (json_bool(r, in, "DryRun", &dry, NULL) != 0)
        return -1;
    if (dry)
        return svc_error(r, KMS_E_DRY_RUN);
    return 0;
}

void kms_purge_due(svc_req_t *r)
{
    db_run(r->emu->db,
           "DELETE FROM kms_keys WHERE account=?1 AND region=?2 AND state='PendingDeletion' "
           "AND deletion_date<=?3",
           "ssd", r->account, r->region, r->now);
}

/* ---- shared pieces ------------------------------------------------------- */

cJSON *kms_metadata(svc_req_t *r, const kms_key_t *k)
{
    cJSON *m = cJSON_CreateObject();
    char mid[65];

    cJSON_AddStringToObject(m, "AWSAccountId", k->account);
    cJSON_AddStringToObject(m, "KeyId", k->id);
    cJSON_AddStringToObject(m, "Arn", k->arn);
    json_put_time(m, "CreationDate", k->created);
    cJSON_AddBoolToObject(m, "Enabled", !strcmp(k->state, "Enabled"));
    cJSON_AddStringToObject(m, "Description", k->description ? k->description : "");
    cJSON_AddStringToObject(m, "KeyUsage", k->key_usage);
    cJSON_AddStringToObject(m, "KeyState", k->state);
    if (!strcmp(k->state, "PendingDeletion")) {
        json_put_time(m, "DeletionDate", k->deletion_date);
        cJSON_AddNumberToObject(m, "PendingDeletionWindowInDays", k->pending_window);
    }
    cJSON_AddStringToObject(m, "Origin", k->origin);
    cJSON_AddStringToObject(m, "KeyManager", k->key_manager);
    cJSON_AddStringToObject(m, "CustomerMasterKeySpec", k->key_spec);
    cJSON_AddStringToObject(m, "KeySpec", k->key_spec);
    kms_spec_algorithms(m, k);
    cJSON_AddBoolToObject(m, "MultiRegion", k->multi_region);
    mid[0] = '\0';
    if (!kms_is_asym(k)) /* AWS names material of symmetric keys only */
        kms_current_material_id(r, k, mid);
    if (mid[0])
        cJSON_AddStringToObject(m, "CurrentKeyMaterialId", mid);
    kms_mrk_metadata(r, k, m);
    kms_import_metadata(r, k, m);
    return m;
}

int kms_internal(svc_req_t *r)
{
    db_rollback(r->emu->db);
    return svc_error(r, KMS_E_DB);
}

int kms_key_update(svc_req_t *r, const char *sql, const char *key_id, const char *text)
{
    int rc =
        text ? db_run(r->emu->db, sql, "ss", key_id, text) : db_run(r->emu->db, sql, "s", key_id);

    return rc == 0 ? 0 : kms_internal(r);
}

int kms_not_aws_managed(svc_req_t *r, const kms_key_t *k, const char *op)
{
    if (!strcmp(k->key_manager, "AWS"))
        return svc_error(r, KMS_E_AWS_MANAGED, k->arn, op);
    return 0;
}

/* ---- for other services -------------------------------------------------- */

int kms_data_key(svc_req_t *r, const char *key_ref, const cJSON *ctx, uint8_t *dk, size_t n,
                 uint8_t **blob, size_t *blen, char key_arn[160])
{
    kms_key_t k;
    int rc = -1;

    if (kms_resolve(r, key_ref, KMS_ALLOW_ALIAS, &k) != 0)
        return -1;
    if (kms_authorize(r, &k, "kms:GenerateDataKey", ctx) != 0) {
        kms_key_clear(&k);
        return -1;
    }
    /* S3 and Secrets Manager take symmetric encryption keys only: others
     * answer as KMS's GenerateDataKey would, which those services relay */
    if (kms_require_enabled(r, &k) != 0)
        ;
    else if (strcmp(k.key_usage, "ENCRYPT_DECRYPT") != 0)
        svc_error(r, KMS_E_KEY_USAGE, k.arn, k.key_usage, "GenerateDataKey");
    else if (kms_is_asym(&k))
        svc_error(r, KMS_E_SPEC_USAGE_OP, k.arn, k.key_spec, "GenerateDataKey");
    else {
        codec_random(dk, n);
        rc = kms_seal(r, &k, ctx, dk, n, blob, blen);
        if (rc == 0)
            snprintf(key_arn, KMS_ARN_BUF, "%s", k.arn);
        else
            OPENSSL_cleanse(dk, n);
    }
    kms_key_clear(&k);
    return rc;
}

int kms_unwrap(svc_req_t *r, const uint8_t *blob, size_t blen, const cJSON *ctx, uint8_t *dk,
               size_t n, char key_arn[160])
{
    kms_key_t k;
    uint8_t *pt = NULL;
    size_t ptlen = 0;
    char mid[65];
    int rc;

    rc = kms_open(r, blob, blen, ctx, NULL, "kms:Decrypt", &k, &pt, &ptlen, mid);
    if (rc == 0 && ptlen != n)
        rc = svc_error(r, KMS_E_INVALID_CIPHERTEXT, "");
    if (rc == 0) {
        memcpy(dk, pt, n);
        snprintf(key_arn, KMS_ARN_BUF, "%s", k.arn);
    }
    if (pt) {
        OPENSSL_cleanse(pt, ptlen);
        free(pt);
    }
    kms_key_clear(&k);
    return rc;
}

/* ---- the table ------------------------------------------------------------- */

/* One row per operation of KMS's model. Rows on a key name it through their
 * resource function (kms_res_*: validate the members, resolve the key once,
 * fill the key policy, grants and kms:* condition keys), so the router
 * authorizes before the handler runs; the handler takes the key with
 * kms_key. Rows without one act on "*" (IAM policies only). */
#define KEY_OP(name, fn, res, flags) SVC_OP(name, json, fn, "kms:" name, res, flags)
static const svc_op_t ops[] = {
    KEY_OP("CancelKeyDeletion", kms_op_cancel_key_deletion, kms_res_key_id, OP_MUTATES),
    KEY_OP("ConnectCustomKeyStore", kms_op_custom_key_store, NULL, OP_MUTATES),
    KEY_OP("CreateAlias", kms_op_create_alias, kms_res_alias_target, OP_MUTATES),
    KEY_OP("CreateCustomKeyStore", kms_op_create_custom_key_store, NULL, OP_MUTATES),
    KEY_OP("CreateGrant", kms_op_create_grant, kms_res_create_grant, OP_MUTATES),
    KEY_OP("CreateKey", kms_op_create_key, kms_res_create_key, OP_MUTATES),
    KEY_OP("Decrypt", kms_op_decrypt, kms_res_decrypt, OP_KEY_MATERIAL),
    KEY_OP("DeleteAlias", kms_op_delete_alias, kms_res_delete_alias, OP_MUTATES),
    KEY_OP("DeleteCustomKeyStore", kms_op_custom_key_store, NULL, OP_MUTATES),
    KEY_OP("DeleteImportedKeyMaterial", kms_op_delete_imported_key_material, kms_res_delete_import,
           OP_MUTATES),
    KEY_OP("DeriveSharedSecret", kms_op_derive_shared_secret, kms_res_derive, OP_KEY_MATERIAL),
    KEY_OP("DescribeCustomKeyStores", kms_op_describe_custom_key_stores, NULL, 0),
    KEY_OP("DescribeKey", kms_op_describe_key, kms_res_key_id_alias, 0),
    KEY_OP("DisableKey", kms_op_disable_key, kms_res_key_id, OP_MUTATES),
    KEY_OP("DisableKeyRotation", kms_op_disable_key_rotation, kms_res_key_id, OP_MUTATES),
    KEY_OP("DisconnectCustomKeyStore", kms_op_custom_key_store, NULL, OP_MUTATES),
    KEY_OP("EnableKey", kms_op_enable_key, kms_res_key_id, OP_MUTATES),
    KEY_OP("EnableKeyRotation", kms_op_enable_key_rotation, kms_res_enable_rotation, OP_MUTATES),
    KEY_OP("Encrypt", kms_op_encrypt, kms_res_encrypt, OP_KEY_MATERIAL),
    KEY_OP("GenerateDataKey", kms_op_generate_data_key, kms_res_data_key, OP_KEY_MATERIAL),
    KEY_OP("GenerateDataKeyPair", kms_op_generate_data_key_pair, kms_res_data_key_pair,
           OP_KEY_MATERIAL),
    KEY_OP("GenerateDataKeyPairWithoutPlaintext", kms_op_generate_data_key_pair_np,
           kms_res_data_key_pair_np, OP_KEY_MATERIAL),
    KEY_OP("GenerateDataKeyWithoutPlaintext", kms_op_generate_data_key_without_plaintext,
           kms_res_data_key_np, OP_KEY_MATERIAL),
    KEY_OP("GenerateMac", kms_op_generate_mac, kms_res_generate_mac, OP_KEY_MATERIAL),
    KEY_OP("GenerateRandom", kms_op_generate_random, NULL, 0),
    KEY_OP("GetKeyLastUsage", kms_op_get_key_last_usage, kms_res_key_id, 0),
    KEY_OP("GetKeyPolicy", kms_op_get_key_policy, kms_res_get_policy, 0),
    KEY_OP("GetKeyRotationStatus", kms_op_get_key_rotation_status, kms_res_key_id, 0),
    KEY_OP("GetParametersForImport", kms_op_get_parameters_for_import, kms_res_get_import_params,
           OP_MUTATES | OP_KEY_MATERIAL),
    KEY_OP("GetPublicKey", kms_op_get_public_key, kms_res_key_id_alias, OP_KEY_MATERIAL),
    KEY_OP("ImportKeyMaterial", kms_op_import_key_material, kms_res_import,
           OP_MUTATES | OP_KEY_MATERIAL),
    /* resource "*"; a KeyId filter is authorized under its key policy by
     * the handler (kms_authorize) */
    KEY_OP("ListAliases", kms_op_list_aliases, NULL, 0),
    KEY_OP("ListGrants", kms_op_list_grants, kms_res_list_grants, 0),
    KEY_OP("ListKeyPolicies", kms_op_list_key_policies, kms_res_list_policies, 0),
    KEY_OP("ListKeyRotations", kms_op_list_key_rotations, kms_res_list_rotations, 0),
    KEY_OP("ListKeys", kms_op_list_keys, NULL, 0),
    KEY_OP("ListResourceTags", kms_op_list_resource_tags, kms_res_list_tags, 0),
    KEY_OP("ListRetirableGrants", kms_op_list_retirable_grants, NULL, 0),
    KEY_OP("PutKeyPolicy", kms_op_put_key_policy, kms_res_put_policy, OP_MUTATES),
    /* two keys, each under its own key policy (kms:ReEncryptFrom on the
     * ciphertext's, kms:ReEncryptTo on the destination): one authz_t
     * cannot say both, so the handler authorizes each (kms_authorize) */
    KEY_OP("ReEncrypt", kms_op_re_encrypt, NULL, OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    KEY_OP("ReplicateKey", kms_op_replicate_key, kms_res_replicate, OP_MUTATES),
    KEY_OP("RetireGrant", kms_op_retire_grant, kms_res_retire_grant, OP_MUTATES),
    KEY_OP("RevokeGrant", kms_op_revoke_grant, kms_res_revoke_grant, OP_MUTATES),
    KEY_OP("RotateKeyOnDemand", kms_op_rotate_key_on_demand, kms_res_key_id, OP_MUTATES),
    KEY_OP("ScheduleKeyDeletion", kms_op_schedule_key_deletion, kms_res_schedule_deletion,
           OP_MUTATES),
    KEY_OP("Sign", kms_op_sign, kms_res_sign, OP_KEY_MATERIAL),
    KEY_OP("TagResource", kms_op_tag_resource, kms_res_tag, OP_MUTATES),
    KEY_OP("UntagResource", kms_op_untag_resource, kms_res_untag, OP_MUTATES),
    KEY_OP("UpdateAlias", kms_op_update_alias, kms_res_update_alias, OP_MUTATES),
    KEY_OP("UpdateCustomKeyStore", kms_op_custom_key_store, NULL, OP_MUTATES),
    KEY_OP("UpdateKeyDescription", kms_op_update_key_description, kms_res_update_description,
           OP_MUTATES),
    KEY_OP("UpdatePrimaryRegion", kms_op_update_primary_region, kms_res_update_primary,
           OP_MUTATES),
    KEY_OP("Verify", kms_op_verify, kms_res_verify, OP_KEY_MATERIAL),
    KEY_OP("VerifyMac", kms_op_verify_mac, kms_res_verify_mac, OP_KEY_MATERIAL),
};
#undef KEY_OP

static void kms_stop(emu_t *emu)
{
    kms_worker_stop();
    kms_pool_stop();
    kms_usage_flush(emu);
    kms_shutdown();
}

static const char *const signing_names[] = {"kms", NULL};

const svc_def_t kms_def = {
    .name = "kms",
    .signing_names = signing_names,
    .proto = SVC_JSON,
    .target = "TrentService",
    .ops = ops,
    .nops = sizeof ops / sizeof ops[0],
    .reset = kms_reset,
    .shutdown = kms_stop,
};
