/* iam_groups.c — IAM groups and their members: CreateGroup, GetGroup,
 * UpdateGroup, DeleteGroup, ListGroups, AddUserToGroup,
 * RemoveUserFromGroup, ListGroupsForUser. */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "storage/db.h"

static void group_row(buf_t *out, sqlite3_stmt *st)
{
    /* columns: name, id, path, arn, created */
    xml_elem(out, "Path", iam_col(st, 2));
    xml_elem(out, "GroupName", iam_col(st, 0));
    xml_elem(out, "GroupId", iam_col(st, 1));
    xml_elem(out, "Arn", iam_col(st, 3));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 4));
}

static int group_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    (void)ctx;
    xml_open(out, "member");
    group_row(out, st);
    return xml_close(out, "member");
}

int iam_group_fields(svc_req_t *r, buf_t *out, const char *name)
{
    sqlite3_stmt *st = iam_find_row(r, &IAM_GROUP,
                                    "SELECT name, id, path, arn, created FROM iam_groups "
                                    "WHERE account = ?1 AND name = ?2",
                                    name);

    if (st == NULL)
        return -1;
    group_row(out, st);
    sqlite3_reset(st);
    return 0;
}

static int group_elem(svc_req_t *r, buf_t *out, const char *name)
{
    xml_open(out, "Group");
    if (iam_group_fields(r, out, name))
        return -1;
    return xml_close(out, "Group");
}

int iam_op_create_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *path = "/";
    char id[32], arn[IAM_ARN_MAX];

    if (iam_name(r, in, "GroupName", 1, 128, &name) || iam_path(r, in, "Path", &path) ||
        iam_new_entity(r, &IAM_GROUP, name, path, id, arn) ||
        iam_exec(r,
                 "INSERT INTO iam_groups (account, name, id, path, arn, created, seq) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                 "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_groups))",
                 "sssssd", r->account, name, id, path, arn, r->now) ||
        iam_new_entity_end(r, &IAM_GROUP, name, NULL, 0))
        return -1;
    return group_elem(r, out, name);
}

int iam_op_get_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;
    char canon[IAM_NAME_MAX];
    iam_page_t pg;

    if (iam_name(r, in, "GroupName", 1, 128, &name) || iam_page_init(r, in, &pg) ||
        iam_find(r, &IAM_GROUP, name, canon, NULL, NULL) || group_elem(r, out, canon))
        return -1;
    return iam_list_page(r, out,
                         iam_stmt(r,
                                  "SELECT u.name, u.id, u.path, u.arn, u.created FROM "
                                  "iam_group_members m JOIN iam_users u ON u.account = "
                                  "m.account AND u.name = m.user_name WHERE m.account = ?1 "
                                  "AND m.group_name = ?2 ORDER BY u.name",
                                  "ss", r->account, canon),
                         "Users", &pg, iam_user_member, NULL);
}

/* Renames a group everywhere its name is a key. Inside a transaction. */
static int rename_group(svc_req_t *r, const char *from, const char *to)
{
    if (iam_exec(r,
                 "UPDATE iam_group_members SET group_name = ?3 WHERE account = ?1 AND "
                 "group_name = ?2",
                 "sss", r->account, from, to))
        return -1;
    return iam_policies_rename(r, &IAM_GROUP, from, to);
}

int iam_op_update_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_update_entity(r, in, &IAM_GROUP, "NewGroupName", 128,
                             "UPDATE iam_groups SET name = ?3, path = ?4, arn = ?5 WHERE "
                             "account = ?1 AND name = ?2",
                             rename_group);
}

int iam_op_delete_group(svc_req_t *r, const qform_t *in, buf_t *out)
{
    static const iam_check_t checks[] = {
        {"SELECT 1 FROM iam_group_members WHERE account = ?1 AND group_name = ?2", NULL,
         "Cannot delete entity, must remove users from group first."},
        IAM_CHECK_INLINE,
        IAM_CHECK_ATTACHED,
    };

    (void)out;
    return iam_delete_checked(r, in, &IAM_GROUP, checks, sizeof checks / sizeof checks[0]);
}

int iam_op_list_groups(svc_req_t *r, const qform_t *in, buf_t *out)
{
    return iam_list_by_path(r, in, out,
                            "SELECT name, id, path, arn, created FROM iam_groups WHERE "
                            "account = ?1 AND substr(path, 1, length(?2)) = ?2 ORDER BY name",
                            "Groups", group_member);
}

static int membership(svc_req_t *r, const qform_t *in, int add)
{
    const char *group = NULL, *user = NULL;
    char g[IAM_NAME_MAX], u[IAM_NAME_MAX];

    if (iam_name(r, in, "GroupName", 1, 128, &group) ||
        iam_name(r, in, "UserName", 1, 128, &user) ||
        iam_find(r, &IAM_GROUP, group, g, NULL, NULL) ||
        iam_find(r, &IAM_USER, user, u, NULL, NULL) ||
        iam_exec(r,
                 add ? "INSERT OR IGNORE INTO iam_group_members (account, group_name, "
                       "user_name, seq) VALUES (?1, ?2, ?3, (SELECT IFNULL(MAX(seq), 0) + 1 "
                       "FROM iam_group_members))"
                     : "DELETE FROM iam_group_members WHERE account = ?1 AND group_name = ?2 "
                       "AND user_name = ?3",
                 "sss", r->account, g, u))
        return -1;
    if (!add && sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY, "The user with name %s cannot be found.", user);
    return 0;
}

IAM_OP_CALL(iam_op_add_user_to_group, membership(r, in, 1))
IAM_OP_CALL(iam_op_remove_user_from_group, membership(r, in, 0))

int iam_op_list_groups_for_user(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *user = NULL;
    char u[IAM_NAME_MAX];
    iam_page_t pg;

    if (iam_name(r, in, "UserName", 1, 128, &user) || iam_page_init(r, in, &pg) ||
        iam_find(r, &IAM_USER, user, u, NULL, NULL))
        return -1;
    return iam_list_page(r, out,
                         iam_stmt(r,
                                  "SELECT g.name, g.id, g.path, g.arn, g.created FROM "
                                  "iam_group_members m JOIN iam_groups g ON g.account = "
                                  "m.account AND g.name = m.group_name WHERE m.account = ?1 "
                                  "AND m.user_name = ?2 ORDER BY g.name",
                                  "ss", r->account, u),
                         "Groups", &pg, group_member, NULL);
}
