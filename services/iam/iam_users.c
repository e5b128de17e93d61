/* iam_users.c — IAM users: CreateUser, GetUser, UpdateUser, DeleteUser,
 * ListUsers, user tags and permissions boundaries. */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "storage/db.h"

/* The root user has no IAM row; GetUser answers with the account's root
 * identity (no UserName or Path, UserId = the account id). */
#define ROOT_CREATED 1577836800.0 /* 2020-01-01T00:00:00Z */

/* The <User> fields of st's row (columns: name, id, path, arn, created). */
static void user_row(buf_t *out, sqlite3_stmt *st)
{
    xml_elem(out, "Path", iam_col(st, 2));
    xml_elem(out, "UserName", iam_col(st, 0));
    xml_elem(out, "UserId", iam_col(st, 1));
    xml_elem(out, "Arn", iam_col(st, 3));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 4));
}

int iam_user_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    (void)ctx;
    xml_open(out, "member");
    user_row(out, st);
    return xml_close(out, "member");
}

int iam_user_fields(svc_req_t *r, buf_t *out, const char *name, int full)
{
    sqlite3_stmt *st = iam_find_row(r, &IAM_USER,
                                    "SELECT name, id, path, arn, created, boundary FROM "
                                    "iam_users WHERE account = ?1 AND name = ?2",
                                    name);
    char canon[IAM_NAME_MAX], boundary[IAM_ARN_MAX];

    if (st == NULL)
        return -1;
    str_copy(canon, sizeof canon, iam_col(st, 0));
    str_copy(boundary, sizeof boundary, iam_col(st, 5));
    user_row(out, st);
    sqlite3_reset(st);
    if (full) {
        iam_xml_boundary(out, boundary);
        return iam_tags_xml(r, out, "user", canon);
    }
    return 0;
}

static int answer_user(svc_req_t *r, buf_t *out, const char *name)
{
    xml_open(out, "User");
    if (iam_user_fields(r, out, name, 1))
        return -1;
    return xml_close(out, "User");
}

int iam_boundary_check(svc_req_t *r, const char *arn)
{
    int rc;

    if (strncmp(arn, "arn:", 4) != 0)
        return svc_error(r, IAM_E_INVALID_INPUT, "ARN %s is not valid.", arn);
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY,
                         "Scope ARN: %s does not exist or is not attachable.", arn);
    return 0;
}

int iam_op_create_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *path = "/", *boundary = NULL;
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0;
    char id[32], arn[IAM_ARN_MAX];

    if (iam_name(r, in, "UserName", 1, 64, &name) || iam_path(r, in, "Path", &path) ||
        iam_arn(r, in, "PermissionsBoundary", 0, &boundary) ||
        iam_tags_read(r, in, tags, &ntags))
        return -1;
    if (boundary && iam_boundary_check(r, boundary))
        return -1;
    if (iam_new_entity(r, &IAM_USER, name, path, id, arn) ||
        iam_exec(r,
                 "INSERT INTO iam_users (account, name, id, path, arn, created, boundary, seq) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                 "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_users))",
                 "sssssds", r->account, name, id, path, arn, r->now, boundary) ||
        iam_new_entity_end(r, &IAM_USER, name, tags, ntags))
        return -1;
    return answer_user(r, out, name);
}

int iam_op_get_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;

    if (iam_name(r, in, "UserName", 0, 128, &name))
        return -1;
    if (name == NULL) {
        if (r->caller.kind == PRINCIPAL_USER)
            name = r->caller.name;
        else if (r->caller.kind != PRINCIPAL_ROOT)
            return svc_error(r, IAM_E_USER_NAME_NEEDED);
    }
    if (name != NULL)
        return answer_user(r, out, name);
    xml_open(out, "User");
    xml_elem(out, "UserId", r->account);
    if (r->caller.arn[0])
        xml_elem(out, "Arn", r->caller.arn);
    else
        buf_printf(out, "<Arn>arn:%s:iam::%s:root</Arn>", IAM_PARTITION(r), r->account);
    iam_xml_time(out, "CreateDate", ROOT_CREATED);
    return xml_close(out, "User");
}

/* Renames a user everywhere its name is a key. Inside a transaction. */
static int rename_user(svc_req_t *r, const char *from, const char *to)
{
    static const char *const moves[] = {
        "UPDATE iam_login_profiles SET user_name = ?3 WHERE account = ?1 AND user_name = ?2",
        "UPDATE iam_mfa_devices SET user_name = ?3 WHERE account = ?1 AND user_name = ?2",
        "UPDATE iam_ssh_keys SET user_name = ?3 WHERE account = ?1 AND user_name = ?2",
        "UPDATE iam_signing_certs SET user_name = ?3 WHERE account = ?1 AND user_name = ?2",
        "UPDATE iam_service_creds SET user_name = ?3 WHERE account = ?1 AND user_name = ?2",
    };
    size_t i;

    if (iam_exec(r,
                 "UPDATE iam_group_members SET user_name = ?3 WHERE account = ?1 AND "
                 "user_name = ?2",
                 "sss", r->account, from, to) ||
        iam_exec(r,
                 "UPDATE iam_access_keys SET user_name = ?3 WHERE account = ?1 AND "
                 "user_name = ?2",
                 "sss", r->account, from, to) ||
        iam_policies_rename(r, &IAM_USER, from, to) || iam_tags_rename(r, "user", from, to))
        return -1;
    for (i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (iam_exec(r, moves[i], "sss", r->account, from, to))
            return -1;
    return 0;
}

int iam_op_update_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_update_entity(r, in, &IAM_USER, "NewUserName", 64,
                             "UPDATE iam_users SET name = ?3, path = ?4, arn = ?5 WHERE "
                             "account = ?1 AND name = ?2",
                             rename_user);
}

int iam_op_delete_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    static const iam_check_t checks[] = {
        {"SELECT 1 FROM iam_access_keys WHERE account = ?1 AND user_name = ?2", NULL,
         "Cannot delete entity, must delete access keys first."},
        IAM_CHECK_INLINE,
        IAM_CHECK_ATTACHED,
        {"SELECT 1 FROM iam_group_members WHERE account = ?1 AND user_name = ?2", NULL,
         "Cannot delete entity, must remove user from all groups first."},
        {"SELECT 1 FROM iam_login_profiles WHERE account = ?1 AND user_name = ?2", NULL,
         "Cannot delete entity, must delete login profile first."},
        {"SELECT 1 FROM iam_mfa_devices WHERE account = ?1 AND user_name = ?2", NULL,
         "Cannot delete entity, must delete MFA device first."},
        {"SELECT 1 FROM iam_ssh_keys WHERE account = ?1 AND user_name = ?2", NULL,
         "Cannot delete entity, must delete SSH public keys first."},
        {"SELECT 1 FROM iam_signing_certs WHERE account = ?1 AND user_name = ?2", NULL,
         "Cannot delete entity, must delete signing certificates first."},
        {"SELECT 1 FROM iam_service_creds WHERE account = ?1 AND user_name = ?2", NULL,
         "Cannot delete entity, must delete service specific credentials first."},
    };

    (void)out;
    return iam_delete_checked(r, in, &IAM_USER, checks, sizeof checks / sizeof checks[0]);
}

int iam_op_list_users(svc_req_t *r, const qform_t *in, buf_t *out)
{
    return iam_list_by_path(r, in, out,
                            "SELECT name, id, path, arn, created FROM iam_users WHERE "
                            "account = ?1 AND substr(path, 1, length(?2)) = ?2 ORDER BY name",
                            "Users", iam_user_member);
}

/* Sets (arn) or clears (NULL) the boundary of a user or role. */
static int set_boundary(svc_req_t *r, const qform_t *in, const iam_kind_t *k, int set)
{
    const char *name = NULL, *arn = NULL;
    char canon[IAM_NAME_MAX];

    if (iam_name(r, in, k->member, 1, k->name_max, &name) ||
        (set && iam_arn(r, in, "PermissionsBoundary", 1, &arn)) ||
        iam_find(r, k, name, canon, NULL, NULL) || (set && iam_boundary_check(r, arn)))
        return -1;
    return iam_exec(r,
                    k == &IAM_USER
                        ? "UPDATE iam_users SET boundary = ?3 WHERE account = ?1 AND name = ?2"
                        : "UPDATE iam_roles SET boundary = ?3 WHERE account = ?1 AND name = ?2",
                    "sss", r->account, canon, arn);
}

IAM_OP_CALL(iam_op_put_user_permissions_boundary, set_boundary(r, in, &IAM_USER, 1))
IAM_OP_CALL(iam_op_delete_user_permissions_boundary, set_boundary(r, in, &IAM_USER, 0))
IAM_OP_CALL(iam_op_put_role_permissions_boundary, set_boundary(r, in, &IAM_ROLE, 1))
IAM_OP_CALL(iam_op_delete_role_permissions_boundary, set_boundary(r, in, &IAM_ROLE, 0))
