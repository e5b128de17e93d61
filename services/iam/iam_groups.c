/* iam_groups.c — IAM groups and their members: CreateGroup, GetGroup,
 * UpdateGroup, DeleteGroup, ListGroups, AddUserToGroup,
 * RemoveUserFromGroup, ListGroupsForUser. */
#include "iam_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "db.h"

static void group_row(buf_t *out, sqlite3_stmt *st)
{
    /* columns: name, id, path, arn, created */
    xml_elem(out, "Path", iam_col(st, 2));
    xml_elem(out, "GroupName", iam_col(st, 0));
    xml_elem(out, "GroupId", iam_col(st, 1));
    xml_elem(out, "Arn", iam_col(st, 3));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 4));
}

static int group_elem(svc_req_t *r, buf_t *out, const char *name)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT name, id, path, arn, created FROM iam_groups "
                                           "WHERE account = ?1 AND name = ?2");
    int rc;

    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        xml_open(out, "Group");
        group_row(out, st);
        xml_close(out, "Group");
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? iam_no_such(r, &IAM_GROUP, name) : iam_internal(r);
}

int iam_op_create_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *path = "/";
    char id[32], arn[IAM_ARN_MAX];
    sqlite3_stmt *st;
    int rc;

    if (iam_name(r, in, "GroupName", 1, 128, &name) || iam_path(r, in, "Path", &path))
        return -1;
    rc = iam_exists(r, &IAM_GROUP, name);
    if (rc != 0)
        return rc < 0 ? -1
                      : svc_error(r, 409, "EntityAlreadyExists",
                                  "Group with name %s already exists.", name);
    iam_new_id("AGPA", id);
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:group%s%s", r->account, path, name);
    st = db_stmt(r->emu->db, "INSERT INTO iam_groups (account, name, id, path, arn, created, seq) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                             "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_groups))");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, arn, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, r->now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    return group_elem(r, out, name);
}

int iam_op_get_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    iam_page_t pg;
    int rc, t;

    if (iam_name(r, in, "GroupName", 1, 128, &name) || iam_page_init(r, in, &pg) ||
        iam_find(r, &IAM_GROUP, name, canon, NULL, NULL) || group_elem(r, out, canon))
        return -1;
    st = db_stmt(r->emu->db, "SELECT u.name, u.id, u.path, u.arn, u.created FROM "
                             "iam_group_members m JOIN iam_users u ON u.account = m.account AND "
                             "u.name = m.user_name WHERE m.account = ?1 AND m.group_name = ?2 "
                             "ORDER BY u.name");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
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

int iam_op_update_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *new_name = NULL, *new_path = NULL, *p2;
    char canon[IAM_NAME_MAX], path[520], arn[IAM_ARN_MAX];
    sqlite3_stmt *st;

    (void)out;
    if (iam_name(r, in, "GroupName", 1, 128, &name) ||
        iam_name(r, in, "NewGroupName", 0, 128, &new_name))
        return -1;
    if (qform_get(in, "NewPath") && iam_path(r, in, "NewPath", &new_path))
        return -1;
    if (iam_find(r, &IAM_GROUP, name, canon, NULL, path))
        return -1;
    if (new_name && strcasecmp(new_name, canon) != 0) {
        int rc = iam_exists(r, &IAM_GROUP, new_name);
        if (rc != 0)
            return rc < 0 ? -1
                          : svc_error(r, 409, "EntityAlreadyExists",
                                      "Group with name %s already exists.", new_name);
    }
    if (new_name == NULL)
        new_name = canon;
    p2 = new_path ? new_path : path;
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:group%s%s", r->account, p2, new_name);
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = db_stmt(r->emu->db, "UPDATE iam_groups SET name = ?3, path = ?4, arn = ?5 WHERE "
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
    if (strcmp(canon, new_name) != 0) {
        st = db_stmt(r->emu->db, "UPDATE iam_group_members SET group_name = ?3 WHERE "
                                 "account = ?1 AND group_name = ?2");
        if (st == NULL)
            return iam_internal(r);
        sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, new_name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return iam_internal(r);
        if (iam_policies_rename(r, &IAM_GROUP, canon, new_name))
            return -1;
    }
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_op_delete_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    int rc;

    (void)out;
    if (iam_name(r, in, "GroupName", 1, 128, &name) ||
        iam_find(r, &IAM_GROUP, name, canon, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db, "SELECT 1 FROM iam_group_members WHERE account = ?1 AND "
                             "group_name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return svc_error(r, 409, "DeleteConflict",
                         "Cannot delete entity, must remove users from group first.");
    rc = iam_has_inline(r, &IAM_GROUP, canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must delete policies first.");
    rc = iam_has_attached(r, &IAM_GROUP, canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must detach all policies first.");
    st = db_stmt(r->emu->db, "DELETE FROM iam_groups WHERE account = ?1 AND name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_op_list_groups(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *prefix = "/";
    sqlite3_stmt *st;
    iam_page_t pg;
    int rc, t;

    if (iam_path_prefix(r, in, 0, &prefix) || iam_page_init(r, in, &pg))
        return -1;
    st = db_stmt(r->emu->db, "SELECT name, id, path, arn, created FROM iam_groups WHERE "
                             "account = ?1 AND substr(path, 1, length(?2)) = ?2 ORDER BY name");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    xml_open(out, "Groups");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((t = iam_page_take(&pg)) < 0)
            break;
        if (t == 0)
            continue;
        xml_open(out, "member");
        group_row(out, st);
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_internal(r);
    xml_close(out, "Groups");
    return iam_page_end(out, &pg);
}

static int membership(svc_req_t *r, const qform_t *in, int add)
{
    const char *group = NULL, *user = NULL;
    char g[IAM_NAME_MAX], u[IAM_NAME_MAX];
    sqlite3_stmt *st;

    if (iam_name(r, in, "GroupName", 1, 128, &group) ||
        iam_name(r, in, "UserName", 1, 128, &user) ||
        iam_find(r, &IAM_GROUP, group, g, NULL, NULL) ||
        iam_find(r, &IAM_USER, user, u, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db,
                 add ? "INSERT OR IGNORE INTO iam_group_members (account, group_name, user_name, "
                       "seq) VALUES (?1, ?2, ?3, (SELECT IFNULL(MAX(seq), 0) + 1 FROM "
                       "iam_group_members))"
                     : "DELETE FROM iam_group_members WHERE account = ?1 AND group_name = ?2 "
                       "AND user_name = ?3");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, g, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, u, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    if (!add && sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, 404, "NoSuchEntity", "The user with name %s cannot be found.", user);
    return 0;
}

int iam_op_add_user_to_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return membership(r, in, 1);
}

int iam_op_remove_user_from_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return membership(r, in, 0);
}

int iam_op_list_groups_for_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *user = NULL;
    char u[IAM_NAME_MAX];
    sqlite3_stmt *st;
    iam_page_t pg;
    int rc, t;

    if (iam_name(r, in, "UserName", 1, 128, &user) || iam_page_init(r, in, &pg) ||
        iam_find(r, &IAM_USER, user, u, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db, "SELECT g.name, g.id, g.path, g.arn, g.created FROM "
                             "iam_group_members m JOIN iam_groups g ON g.account = m.account AND "
                             "g.name = m.group_name WHERE m.account = ?1 AND m.user_name = ?2 "
                             "ORDER BY g.name");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u, -1, SQLITE_STATIC);
    xml_open(out, "Groups");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((t = iam_page_take(&pg)) < 0)
            break;
        if (t == 0)
            continue;
        xml_open(out, "member");
        group_row(out, st);
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_internal(r);
    xml_close(out, "Groups");
    return iam_page_end(out, &pg);
}
