/* iam_login.c — console passwords: login profiles (Create/Get/Update/
 * DeleteLoginProfile, ChangePassword) and the account password policy
 * (Get/Update/DeleteAccountPasswordPolicy). Passwords are kept only as
 * salted PBKDF2 hashes (iam_crypto.h), never logged. Also the small
 * member helpers the newer IAM files share. */
#include "services/iam/iam_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "storage/db.h"
#include "services/iam/iam_crypto.h"

/* ---- shared helpers ------------------------------------------------------ */

int iam_user_or_caller(svc_req_t *r, const qform_t *in, const char *member, size_t max,
                       char canon[IAM_NAME_MAX])
{
    const char *name = NULL;

    if (iam_name(r, in, member, 0, max, &name))
        return -1;
    if (name == NULL) {
        if (r->caller.kind == PRINCIPAL_USER || r->caller.kind == PRINCIPAL_USER_SESSION)
            name = r->caller.name;
        else
            return svc_error(r, IAM_E_USER_NAME_NEEDED);
    }
    return iam_find(r, &IAM_USER, name, canon, NULL, NULL);
}

int iam_null(svc_req_t *r, const char *member)
{
    char m[64];

    str_copy(m, sizeof m, member);
    m[0] = (char)tolower((unsigned char)m[0]);
    return svc_error(r, IAM_E_VALIDATION_ERROR,
                     "1 validation error detected: Value null at '%s' failed to satisfy "
                     "constraint: Member must not be null",
                     m);
}

int iam_enum(svc_req_t *r, const qform_t *in, const char *member, int required,
             const char *const *values, const char **out)
{
    const char *v = NULL;
    char set[256] = "", m[64];
    size_t i;

    if (q_str(r, in, member, required, 0, 0, &v))
        return -1;
    if (v == NULL)
        return 0;
    for (i = 0; values[i]; i++) {
        if (!strcmp(values[i], v)) {
            *out = v;
            return 0;
        }
        snprintf(set + strlen(set), sizeof set - strlen(set), "%s%s", i ? ", " : "", values[i]);
    }
    str_copy(m, sizeof m, member);
    m[0] = (char)tolower((unsigned char)m[0]);
    return svc_error(r, IAM_E_VALIDATION_ERROR,
                     "1 validation error detected: Value '%.64s' at '%s' failed to satisfy "
                     "constraint: Member must satisfy enum value set: [%s]",
                     v, m, set);
}

int iam_status(svc_req_t *r, const qform_t *in, const char **out)
{
    static const char *const st[] = {"Active", "Expired", "Inactive", NULL};

    if (iam_enum(r, in, "Status", 1, st, out))
        return -1;
    if (!strcmp(*out, "Expired"))
        return svc_error(r, IAM_E_STATUS_EXPIRED);
    return 0;
}

int iam_xml_bool(buf_t *out, const char *name, int v)
{
    return xml_elem(out, name, v ? "true" : "false");
}

void iam_uuid(char out[37])
{
    uint8_t b[16];

    codec_random(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

int iam_delete_tagged(svc_req_t *r, const char *sql_delete, const char *kind, const char *key)
{
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if (iam_exec(r, sql_delete, "s", key) || iam_tags_drop(r, kind, key))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_setting(svc_req_t *r, const char *key, char *value, size_t n)
{
    sqlite3_stmt *st = iam_stmt(r, "SELECT value FROM iam_settings WHERE account = ?1 AND key = ?2",
                                "ss", r->account, key);
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(value, n, "%s", iam_col(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_setting_put(svc_req_t *r, const char *key, const char *value)
{
    if (value == NULL)
        return iam_exec(r, "DELETE FROM iam_settings WHERE account = ?1 AND key = ?2", "ss",
                        r->account, key);
    return iam_exec(r, "INSERT OR REPLACE INTO iam_settings (account, key, value) VALUES (?1, ?2, ?3)",
                    "sss", r->account, key, value);
}

/* ---- the password policy ------------------------------------------------- */

#define POL_COLS                                                                                   \
    "SELECT min_length, symbols, numbers, uppercase, lowercase, allow_change, max_age, reuse, "    \
    "hard_expiry FROM iam_password_policy WHERE account = ?1"

/* The account's policy (AWS's default one when none is set). */
static int load_policy(svc_req_t *r, iam_pw_policy_t *pol)
{
    sqlite3_stmt *st = iam_stmt(r, POL_COLS, "s", r->account);
    int rc;

    *pol = (iam_pw_policy_t){8, 0, 0, 0, 0, 3};
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *pol = (iam_pw_policy_t){sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
                                 sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
                                 sqlite3_column_int(st, 4), 0};
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : iam_internal(r);
}

/* Reads the Password member (1..128 of the model's pattern), checks it
 * against the policy and hashes it into hash. */
static int new_password(svc_req_t *r, const qform_t *in, const char *member,
                        char hash[IAM_PW_HASH_MAX])
{
    const char *pw = NULL;
    iam_pw_policy_t pol;
    char msg[256];

    if (q_str(r, in, member, 1, 1, 128, &pw) ||
        q_charset(r, member, pw, NULL, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+") ||
        load_policy(r, &pol))
        return -1;
    if (iam_pw_check(&pol, pw, msg, sizeof msg))
        return svc_error(r, IAM_E_PASSWORD_POLICY_VIOLATION, "%s", msg);
    if (iam_pw_hash(pw, hash))
        return iam_internal(r);
    return 0;
}

IAM_OP(iam_op_get_account_password_policy)
{
    sqlite3_stmt *st = iam_stmt(r, POL_COLS, "s", r->account);
    int rc;

    (void)in;
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return iam_internal(r);
        return svc_error(r, IAM_E_NO_SUCH_ENTITY,
                         "The Password Policy with domain name %s cannot be found.", r->account);
    }
    xml_open(out, "PasswordPolicy");
    xml_elem_int(out, "MinimumPasswordLength", sqlite3_column_int(st, 0));
    iam_xml_bool(out, "RequireSymbols", sqlite3_column_int(st, 1));
    iam_xml_bool(out, "RequireNumbers", sqlite3_column_int(st, 2));
    iam_xml_bool(out, "RequireUppercaseCharacters", sqlite3_column_int(st, 3));
    iam_xml_bool(out, "RequireLowercaseCharacters", sqlite3_column_int(st, 4));
    iam_xml_bool(out, "AllowUsersToChangePassword", sqlite3_column_int(st, 5));
    iam_xml_bool(out, "ExpirePasswords", sqlite3_column_type(st, 6) != SQLITE_NULL);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        xml_elem_int(out, "MaxPasswordAge", sqlite3_column_int(st, 6));
    if (sqlite3_column_type(st, 7) != SQLITE_NULL)
        xml_elem_int(out, "PasswordReusePrevention", sqlite3_column_int(st, 7));
    if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        iam_xml_bool(out, "HardExpiry", sqlite3_column_int(st, 8));
    sqlite3_reset(st);
    return xml_close(out, "PasswordPolicy");
}

IAM_OP(iam_op_update_account_password_policy)
{
    static const char *const flags[] = {"RequireSymbols", "RequireNumbers",
                                        "RequireUppercaseCharacters",
                                        "RequireLowercaseCharacters",
                                        "AllowUsersToChangePassword", "HardExpiry"};
    long min_len = 6, max_age = 0, reuse = 0;
    int f[6] = {0}, has_age = 0, has_reuse = 0, has_hard = 0;
    size_t i;

    (void)out;
    if (q_int(r, in, "MinimumPasswordLength", 0, 6, 128, &min_len, NULL) ||
        q_int(r, in, "MaxPasswordAge", 0, 1, 1095, &max_age, &has_age) ||
        q_int(r, in, "PasswordReusePrevention", 0, 1, 24, &reuse, &has_reuse))
        return -1;
    for (i = 0; i < 6; i++)
        if (q_bool(r, in, flags[i], &f[i], i == 5 ? &has_hard : NULL))
            return -1;
    /* an absent MaxPasswordAge, PasswordReusePrevention or HardExpiry is
     * stored as NULL (?11..?13 say which are present) */
    return iam_exec(r,
                    "INSERT OR REPLACE INTO iam_password_policy (account, min_length, symbols, "
                    "numbers, uppercase, lowercase, allow_change, max_age, reuse, hard_expiry) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?11 THEN ?8 END, "
                    "CASE WHEN ?12 THEN ?9 END, CASE WHEN ?13 THEN ?10 END)",
                    "sliiiiilliiii", r->account, (long long)min_len, f[0], f[1], f[2], f[3],
                    f[4], (long long)max_age, (long long)reuse, f[5], has_age, has_reuse,
                    has_hard);
}

IAM_OP(iam_op_delete_account_password_policy)
{
    (void)in;
    (void)out;
    if (iam_exec(r, "DELETE FROM iam_password_policy WHERE account = ?1", "s", r->account))
        return -1;
    if (sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY,
                         "The account policy with name PasswordPolicy cannot be found.");
    return 0;
}

/* ---- login profiles ------------------------------------------------------ */

static int no_profile(svc_req_t *r, const char *user)
{
    return svc_error(r, IAM_E_NO_SUCH_ENTITY, "Login Profile for User %s cannot be found.", user);
}

static int profile_xml(svc_req_t *r, buf_t *out, const char *user)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "SELECT created, reset_required FROM iam_login_profiles WHERE "
                                "account = ?1 AND user_name = ?2",
                                "ss", r->account, user);
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        xml_open(out, "LoginProfile");
        xml_elem(out, "UserName", user);
        iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 0));
        iam_xml_bool(out, "PasswordResetRequired", sqlite3_column_int(st, 1));
        xml_close(out, "LoginProfile");
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? no_profile(r, user) : iam_internal(r);
}

IAM_OP(iam_op_create_login_profile)
{
    char user[IAM_NAME_MAX], hash[IAM_PW_HASH_MAX];
    int reset = 0, rc;

    if (iam_user_or_caller(r, in, "UserName", 64, user) || q_bool(r, in, "PasswordResetRequired",
                                                                 &reset, NULL))
        return -1;
    rc = iam_any(r, "SELECT 1 FROM iam_login_profiles WHERE account = ?1 AND user_name = ?2",
                 "ss", r->account, user);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS,
                         "Login Profile for user %s already exists.", user);
    if (new_password(r, in, "Password", hash))
        return -1;
    rc = iam_exec(r,
                  "INSERT INTO iam_login_profiles (account, user_name, pw_hash, reset_required, "
                  "created, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                  "sssld", r->account, user, hash, (long long)reset, r->now);
    OPENSSL_cleanse(hash, sizeof hash);
    return rc ? -1 : profile_xml(r, out, user);
}

IAM_OP(iam_op_get_login_profile)
{
    char user[IAM_NAME_MAX];

    if (iam_user_or_caller(r, in, "UserName", 64, user))
        return -1;
    return profile_xml(r, out, user);
}

IAM_OP(iam_op_update_login_profile)
{
    char user[IAM_NAME_MAX], hash[IAM_PW_HASH_MAX];
    int reset = 0, has_reset = 0, rc;

    (void)out;
    if (iam_user_or_caller(r, in, "UserName", 64, user) ||
        q_bool(r, in, "PasswordResetRequired", &reset, &has_reset))
        return -1;
    rc = iam_any(r, "SELECT 1 FROM iam_login_profiles WHERE account = ?1 AND user_name = ?2",
                 "ss", r->account, user);
    if (rc <= 0)
        return rc < 0 ? -1 : no_profile(r, user);
    if (qform_get(in, "Password")) {
        if (new_password(r, in, "Password", hash))
            return -1;
        rc = iam_exec(r,
                      "UPDATE iam_login_profiles SET pw_hash = ?3, changed = ?4 WHERE "
                      "account = ?1 AND user_name = ?2",
                      "sssd", r->account, user, hash, r->now);
        OPENSSL_cleanse(hash, sizeof hash);
        if (rc)
            return -1;
    }
    if (has_reset)
        return iam_exec(r,
                        "UPDATE iam_login_profiles SET reset_required = ?3 WHERE account = ?1 "
                        "AND user_name = ?2",
                        "ssl", r->account, user, (long long)reset);
    return 0;
}

IAM_OP(iam_op_delete_login_profile)
{
    char user[IAM_NAME_MAX];

    (void)out;
    if (iam_user_or_caller(r, in, "UserName", 64, user) ||
        iam_exec(r, "DELETE FROM iam_login_profiles WHERE account = ?1 AND user_name = ?2", "ss",
                 r->account, user))
        return -1;
    return sqlite3_changes(db_handle(r->emu->db)) ? 0 : no_profile(r, user);
}

/* The caller's own password. Only IAM users have one: the root user and
 * role sessions get InvalidUserType; a wrong OldPassword is refused with
 * AccessDenied (nothing about the stored password is revealed). */
IAM_OP(iam_op_change_password)
{
    const char *old = NULL, *old_new = NULL;
    char hash[IAM_PW_HASH_MAX], stored[IAM_PW_HASH_MAX];
    sqlite3_stmt *st;
    int rc, ok = 0;

    (void)out;
    if (q_str(r, in, "OldPassword", 1, 1, 128, &old) ||
        q_str(r, in, "NewPassword", 1, 1, 128, &old_new))
        return -1;
    if (r->caller.kind != PRINCIPAL_USER)
        return svc_error(r, IAM_E_INVALID_USER_TYPE,
                         "Only IAM Users can change their own password.");
    st = iam_stmt(r, "SELECT pw_hash FROM iam_login_profiles WHERE account = ?1 AND user_name = ?2",
                  "ss", r->account, r->caller.name);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        str_copy(stored, sizeof stored, iam_col(st, 0));
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? no_profile(r, r->caller.name) : iam_internal(r);
    ok = iam_pw_verify(old, stored);
    OPENSSL_cleanse(stored, sizeof stored);
    if (!ok)
        return svc_error(r, IAM_E_ACCESS_DENIED, "The old password is incorrect.");
    if (new_password(r, in, "NewPassword", hash))
        return -1;
    rc = iam_exec(r,
                  "UPDATE iam_login_profiles SET pw_hash = ?3, changed = ?4, reset_required = 0 "
                  "WHERE account = ?1 AND user_name = ?2",
                  "sssd", r->account, r->caller.name, hash, r->now);
    OPENSSL_cleanse(hash, sizeof hash);
    return rc;
}
