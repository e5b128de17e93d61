/* iam_users.c — IAM users: CreateUser, GetUser, UpdateUser, DeleteUser,
 * ListUsers, user tags and permissions boundaries. */
#include "iam_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "db.h"

/* The root user has no IAM row; GetUser answers with the account's root
 * identity (no UserName or Path, UserId = the account id). */
#define ROOT_CREATED 1577836800.0 /* 2020-01-01T00:00:00Z */

int iam_user_fields(svc_req_t *r, buf_t *out, const char *name, int full)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT name, id, path, arn, created, boundary FROM "
                                           "iam_users WHERE account = ?1 AND name = ?2");
    char canon[IAM_NAME_MAX], boundary[IAM_ARN_MAX];
    int rc;

    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? iam_no_such(r, &IAM_USER, name) : iam_internal(r);
    }
    snprintf(canon, sizeof canon, "%s", iam_col(st, 0));
    snprintf(boundary, sizeof boundary, "%s", iam_col(st, 5));
    xml_elem(out, "Path", iam_col(st, 2));
    xml_elem(out, "UserName", canon);
    xml_elem(out, "UserId", iam_col(st, 1));
    xml_elem(out, "Arn", iam_col(st, 3));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 4));
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
        return svc_error(r, 400, "InvalidInput", "ARN %s is not valid.", arn);
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, 404, "NoSuchEntity",
                         "Scope ARN: %s does not exist or is not attachable.", arn);
    return 0;
}

int iam_op_create_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *path = "/", *boundary = NULL;
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0;
    char id[32], arn[IAM_ARN_MAX];
    sqlite3_stmt *st;
    int rc;

    if (iam_name(r, in, "UserName", 1, 64, &name) || iam_path(r, in, "Path", &path) ||
        iam_arn(r, in, "PermissionsBoundary", 0, &boundary) ||
        iam_tags_read(r, in, tags, &ntags))
        return -1;
    if (boundary && iam_boundary_check(r, boundary))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    rc = iam_exists(r, &IAM_USER, name);
    if (rc != 0) {
        db_rollback(r->emu->db);
        return rc < 0 ? -1
                      : svc_error(r, 409, "EntityAlreadyExists", "User with name %s already exists.",
                                  name);
    }
    iam_new_id("AIDA", id);
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:user%s%s", r->account, path, name);
    st = db_stmt(r->emu->db, "INSERT INTO iam_users (account, name, id, path, arn, created, "
                             "boundary, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                             "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_users))");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, arn, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, r->now);
    if (boundary)
        sqlite3_bind_text(st, 7, boundary, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    if (iam_tags_store(r, "user", name, IAM_USER.tag_quota, tags, ntags))
        return -1;
    if (db_commit(r->emu->db))
        return iam_internal(r);
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
            return svc_error(r, 400, "ValidationError",
                             "Must specify userName when calling with non-User credentials");
    }
    if (name != NULL)
        return answer_user(r, out, name);
    xml_open(out, "User");
    xml_elem(out, "UserId", r->account);
    if (r->caller.arn[0])
        xml_elem(out, "Arn", r->caller.arn);
    else
        buf_printf(out, "<Arn>arn:aws:iam::%s:root</Arn>", r->account);
    iam_xml_time(out, "CreateDate", ROOT_CREATED);
    return xml_close(out, "User");
}

/* Renames a user everywhere its name is a key. Inside a transaction. */
static int rename_user(svc_req_t *r, const char *from, const char *to)
{
    static const char *const sql[] = {
        "UPDATE iam_group_members SET user_name = ?3 WHERE account = ?1 AND user_name = ?2",
        "UPDATE iam_access_keys SET user_name = ?3 WHERE account = ?1 AND user_name = ?2",
    };
    size_t i;

    for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st = db_stmt(r->emu->db, sql[i]);
        if (st == NULL)
            return iam_internal(r);
        sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return iam_internal(r);
    }
    if (iam_policies_rename(r, &IAM_USER, from, to) || iam_tags_rename(r, "user", from, to))
        return -1;
    return 0;
}

int iam_op_update_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *new_name = NULL, *new_path = NULL, *p2;
    char canon[IAM_NAME_MAX], path[520], arn[IAM_ARN_MAX];
    sqlite3_stmt *st;

    (void)out;
    if (iam_name(r, in, "UserName", 1, 128, &name) ||
        iam_name(r, in, "NewUserName", 0, 64, &new_name))
        return -1;
    if (qform_get(in, "NewPath") && iam_path(r, in, "NewPath", &new_path))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if (iam_find(r, &IAM_USER, name, canon, NULL, path)) {
        db_rollback(r->emu->db);
        return -1;
    }
    if (new_name && strcasecmp(new_name, canon) != 0) {
        int rc = iam_exists(r, &IAM_USER, new_name);
        if (rc != 0) {
            db_rollback(r->emu->db);
            return rc < 0 ? -1
                          : svc_error(r, 409, "EntityAlreadyExists",
                                      "User with name %s already exists.", new_name);
        }
    }
    if (new_name == NULL)
        new_name = canon;
    p2 = new_path ? new_path : path;
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:user%s%s", r->account, p2, new_name);
    st = db_stmt(r->emu->db, "UPDATE iam_users SET name = ?3, path = ?4, arn = ?5 WHERE "
                             "account = ?1 AND name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, new_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p2, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, arn, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    if (strcmp(canon, new_name) != 0 && rename_user(r, canon, new_name))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

/* 1 when a row matches (?1 account, ?2 name), 0 when not, -1 on error. */
static int any_row(svc_req_t *r, const char *sql, const char *name)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, sql);
    int rc;

    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_op_delete_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    int rc;

    (void)out;
    if (iam_name(r, in, "UserName", 1, 128, &name) ||
        iam_find(r, &IAM_USER, name, canon, NULL, NULL))
        return -1;
    rc = any_row(r, "SELECT 1 FROM iam_access_keys WHERE account = ?1 AND user_name = ?2", canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must delete access keys first.");
    rc = iam_has_inline(r, &IAM_USER, canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must delete policies first.");
    rc = iam_has_attached(r, &IAM_USER, canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must detach all policies first.");
    rc = any_row(r, "SELECT 1 FROM iam_group_members WHERE account = ?1 AND user_name = ?2",
                 canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must remove user from all groups first.");
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = db_stmt(r->emu->db, "DELETE FROM iam_users WHERE account = ?1 AND name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE || iam_tags_drop(r, "user", canon))
        return iam_internal(r);
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_op_list_users(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *prefix = "/";
    sqlite3_stmt *st;
    iam_page_t pg;
    int rc, t;

    if (iam_path_prefix(r, in, 0, &prefix) || iam_page_init(r, in, &pg))
        return -1;
    st = db_stmt(r->emu->db, "SELECT name, id, path, arn, created FROM iam_users WHERE "
                             "account = ?1 AND substr(path, 1, length(?2)) = ?2 ORDER BY name");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    xml_open(out, "Users");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((t = iam_page_take(&pg)) < 0)
            break;
        if (t == 0)
            continue;
        xml_open(out, "member");
        xml_elem(out, "Path", iam_col(st, 2));
        xml_elem(out, "UserName", iam_col(st, 0));
        xml_elem(out, "UserId", iam_col(st, 1));
        xml_elem(out, "Arn", iam_col(st, 3));
        iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 4));
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_internal(r);
    xml_close(out, "Users");
    return iam_page_end(out, &pg);
}

int iam_op_tag_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_tag_entity(r, in, &IAM_USER);
}

int iam_op_untag_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_untag_entity(r, in, &IAM_USER);
}

int iam_op_list_user_tags(svc_req_t *r, const qform_t *in, buf_t *out)
{
    return iam_list_entity_tags(r, in, out, &IAM_USER);
}

/* Sets (arn) or clears (NULL) the boundary of a user or role. */
static int set_boundary(svc_req_t *r, const qform_t *in, const iam_kind_t *k, int set)
{
    const char *name = NULL, *arn = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;

    if (iam_name(r, in, k->member, 1, k->name_max, &name) ||
        (set && iam_arn(r, in, "PermissionsBoundary", 1, &arn)) ||
        iam_find(r, k, name, canon, NULL, NULL) || (set && iam_boundary_check(r, arn)))
        return -1;
    st = db_stmt(r->emu->db, k == &IAM_USER
                                 ? "UPDATE iam_users SET boundary = ?3 WHERE account = ?1 AND name = ?2"
                                 : "UPDATE iam_roles SET boundary = ?3 WHERE account = ?1 AND name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    if (arn)
        sqlite3_bind_text(st, 3, arn, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_op_put_user_permissions_boundary(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return set_boundary(r, in, &IAM_USER, 1);
}

int iam_op_delete_user_permissions_boundary(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return set_boundary(r, in, &IAM_USER, 0);
}

int iam_op_put_role_permissions_boundary(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return set_boundary(r, in, &IAM_ROLE, 1);
}

int iam_op_delete_role_permissions_boundary(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return set_boundary(r, in, &IAM_ROLE, 0);
}
