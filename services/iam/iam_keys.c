/* iam_keys.c — IAM users' access keys: CreateAccessKey, ListAccessKeys,
 * UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed. The secret is
 * sealed under the master key (AAD: the access key id) and shown once. */
#include "services/iam/iam_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "base/codec.h"
#include "storage/db.h"
#include "storage/keyring.h"

#define SECRET_LEN 40

/* The user an operation is about: UserName, else the calling IAM user.
 * The root user's own keys are configuration, not IAM rows. */
static int key_user(svc_req_t *r, const qform_t *in, char canon[IAM_NAME_MAX])
{
    const char *name = NULL;

    if (iam_name(r, in, "UserName", 0, 128, &name))
        return -1;
    if (name == NULL) {
        if (r->caller.kind == PRINCIPAL_USER || r->caller.kind == PRINCIPAL_USER_SESSION)
            name = r->caller.name;
        else if (r->caller.kind == PRINCIPAL_ROOT)
            return svc_error(r, 400, "InvalidInput",
                             "awsemu does not manage the root user's access keys: specify "
                             "UserName.");
        else
            return svc_error(r, 400, "ValidationError",
                             "Must specify userName when calling with non-User credentials");
    }
    return iam_find(r, &IAM_USER, name, canon, NULL, NULL);
}

int iam_op_create_access_key(svc_req_t *r, const qform_t *in, buf_t *out)
{
    char user[IAM_NAME_MAX], key_id[32], secret[SECRET_LEN + 1];
    uint8_t sealed[SECRET_LEN + ENVELOPE_OVERHEAD];
    sqlite3_stmt *st;
    long count = 0;
    int rc = -1;

    if (key_user(r, in, user))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = iam_stmt(r,
                  "SELECT COUNT(*) FROM iam_access_keys WHERE account = ?1 AND "
                  "user_name = ?2",
                  "ss", r->account, user);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (count >= IAM_MAX_KEYS) {
        db_rollback(r->emu->db);
        return svc_error(r, 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d",
                         IAM_MAX_KEYS);
    }
    iam_new_id("AKIA", key_id);
    iam_new_secret(secret);
    if (keyring_seal(r->emu->master_key, KEYRING_IAM_SECRET_KEY, key_id, strlen(key_id),
                     (const uint8_t *)secret, SECRET_LEN, sealed)) {
        iam_internal(r);
        goto out;
    }
    st = db_stmt(r->emu->db, "INSERT INTO iam_access_keys (access_key_id, account, user_name, "
                             "secret_sealed, status, created) VALUES (?1, ?2, ?3, ?4, 'Active', ?5)");
    if (st == NULL) {
        iam_internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, sealed, sizeof sealed, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, r->now);
    if (sqlite3_step(st) != SQLITE_DONE || db_commit(r->emu->db)) {
        iam_internal(r);
        goto out;
    }
    xml_open(out, "AccessKey");
    xml_elem(out, "UserName", user);
    xml_elem(out, "AccessKeyId", key_id);
    xml_elem(out, "Status", "Active");
    xml_elem(out, "SecretAccessKey", secret);
    iam_xml_time(out, "CreateDate", r->now);
    xml_close(out, "AccessKey");
    rc = 0;
out:
    OPENSSL_cleanse(secret, sizeof secret);
    return rc;
}

/* A <member> of ListAccessKeys; ctx: the user's name. */
static int key_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    xml_open(out, "member");
    xml_elem(out, "UserName", ctx);
    xml_elem(out, "AccessKeyId", iam_col(st, 0));
    xml_elem(out, "Status", iam_col(st, 1));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 2));
    return xml_close(out, "member");
}

int iam_op_list_access_keys(svc_req_t *r, const qform_t *in, buf_t *out)
{
    char user[IAM_NAME_MAX];
    iam_page_t pg;

    if (key_user(r, in, user) || iam_page_init(r, in, &pg))
        return -1;
    return iam_list_page(r, out,
                         iam_stmt(r,
                                  "SELECT access_key_id, status, created FROM iam_access_keys "
                                  "WHERE account = ?1 AND user_name = ?2 ORDER BY created, "
                                  "access_key_id",
                                  "ss", r->account, user),
                         "AccessKeyMetadata", &pg, key_member, user);
}

static int key_not_found(svc_req_t *r, const char *id)
{
    return svc_error(r, 404, "NoSuchEntity", "The Access Key with id %s cannot be found.", id);
}

static int read_key_id(svc_req_t *r, const qform_t *in, const char **id)
{
    const char *v = NULL;

    if (q_str(r, in, "AccessKeyId", 1, 16, 128, &v) ||
        q_charset(r, "AccessKeyId", v, "_", "[\\w]+"))
        return -1;
    *id = v;
    return 0;
}

int iam_op_update_access_key(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *id = NULL, *status = NULL;
    char user[IAM_NAME_MAX];

    (void)out;
    if (read_key_id(r, in, &id) || q_str(r, in, "Status", 1, 0, 0, &status))
        return -1;
    if (strcmp(status, "Active") && strcmp(status, "Inactive") && strcmp(status, "Expired"))
        return svc_error(r, 400, "ValidationError",
                         "1 validation error detected: Value '%.64s' at 'status' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [Active, "
                         "Expired, Inactive]", status);
    if (!strcmp(status, "Expired"))
        return svc_error(r, 400, "InvalidInput", "Invalid status: Expired.");
    if (key_user(r, in, user))
        return -1;
    if (iam_exec(r,
                 "UPDATE iam_access_keys SET status = ?4 WHERE access_key_id = ?1 AND "
                 "account = ?2 AND user_name = ?3",
                 "ssss", id, r->account, user, status))
        return -1;
    return sqlite3_changes(db_handle(r->emu->db)) ? 0 : key_not_found(r, id);
}

int iam_op_delete_access_key(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *id = NULL;
    char user[IAM_NAME_MAX];

    (void)out;
    if (read_key_id(r, in, &id) || key_user(r, in, user) ||
        iam_exec(r,
                 "DELETE FROM iam_access_keys WHERE access_key_id = ?1 AND account = ?2 AND "
                 "user_name = ?3",
                 "sss", id, r->account, user))
        return -1;
    return sqlite3_changes(db_handle(r->emu->db)) ? 0 : key_not_found(r, id);
}

int iam_op_get_access_key_last_used(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *id = NULL;
    sqlite3_stmt *st;
    int rc;

    if (read_key_id(r, in, &id))
        return -1;
    st = iam_stmt(r,
                  "SELECT user_name, last_used, last_used_service, last_used_region "
                  "FROM iam_access_keys WHERE access_key_id = ?1 AND account = ?2",
                  "ss", id, r->account);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? key_not_found(r, id) : iam_internal(r);
    }
    xml_elem(out, "UserName", iam_col(st, 0));
    xml_open(out, "AccessKeyLastUsed");
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
        iam_xml_time(out, "LastUsedDate", sqlite3_column_double(st, 1));
        xml_elem(out, "ServiceName", iam_col(st, 2));
        xml_elem(out, "Region", iam_col(st, 3));
    } else {
        xml_elem(out, "ServiceName", "N/A");
        xml_elem(out, "Region", "N/A");
    }
    xml_close(out, "AccessKeyLastUsed");
    sqlite3_reset(st);
    return 0;
}
