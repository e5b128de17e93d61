/* iam_attach.c — managed policies attached to users, groups and roles:
 * Attach/Detach{User,Group,Role}Policy, ListAttached{User,Group,Role}Policies,
 * ListEntitiesForPolicy. */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>

#include "storage/db.h"

int iam_has_attached(svc_req_t *r, const iam_kind_t *k, const char *name)
{
    return iam_any(r,
                   "SELECT 1 FROM iam_attachments WHERE account = ?1 AND kind = ?2 AND "
                   "name = ?3",
                   "sss", r->account, k->kind, name);
}

int iam_policies_rename(svc_req_t *r, const iam_kind_t *k, const char *from, const char *to)
{
    return iam_exec(r,
                    "UPDATE iam_attachments SET name = ?4 WHERE account = ?1 AND kind = ?2 AND "
                    "name = ?3",
                    "ssss", r->account, k->kind, from, to) ||
                   iam_exec(r,
                            "UPDATE iam_inline_policies SET name = ?4 WHERE account = ?1 AND "
                            "kind = ?2 AND name = ?3",
                            "ssss", r->account, k->kind, from, to)
               ? -1
               : 0;
}

static int not_attachable(svc_req_t *r, const char *arn)
{
    return svc_error(r, IAM_E_NO_SUCH_ENTITY, "Policy %s does not exist or is not attachable.",
                     arn);
}

static int attach(svc_req_t *r, const qform_t *in, const iam_kind_t *k)
{
    const char *name = NULL, *arn = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    long count = 0;
    int rc, already;

    if (iam_name(r, in, k->member, 1, k->name_max, &name) ||
        iam_arn(r, in, "PolicyArn", 1, &arn) || iam_find(r, k, name, canon, NULL, NULL))
        return -1;
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc <= 0)
        return rc < 0 ? -1 : not_attachable(r, arn);
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = iam_stmt(r,
                  "SELECT COUNT(*), SUM(policy_arn = ?4) FROM iam_attachments WHERE "
                  "account = ?1 AND kind = ?2 AND name = ?3",
                  "ssss", r->account, k->kind, canon, arn);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        count = sqlite3_column_int64(st, 0);
        already = sqlite3_column_int(st, 1) > 0;
    } else {
        already = 0;
    }
    sqlite3_reset(st);
    if (already) {
        db_rollback(r->emu->db);
        return 0;
    }
    if (count >= IAM_MAX_ATTACHED) {
        db_rollback(r->emu->db);
        return svc_error(r, IAM_E_LIMIT_EXCEEDED, "Cannot exceed quota for %s: %d", k->quota,
                         IAM_MAX_ATTACHED);
    }
    if (iam_exec(r,
                 "INSERT INTO iam_attachments (account, kind, name, policy_arn, seq) "
                 "VALUES (?1, ?2, ?3, ?4, (SELECT IFNULL(MAX(seq), 0) + 1 FROM "
                 "iam_attachments))",
                 "ssss", r->account, k->kind, canon, arn))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

static int detach(svc_req_t *r, const qform_t *in, const iam_kind_t *k)
{
    const char *name = NULL, *arn = NULL;
    char canon[IAM_NAME_MAX];

    if (iam_name(r, in, k->member, 1, k->name_max, &name) || iam_arn(r, in, "PolicyArn", 1, &arn) ||
        iam_find(r, k, name, canon, NULL, NULL) ||
        iam_exec(r,
                 "DELETE FROM iam_attachments WHERE account = ?1 AND kind = ?2 AND "
                 "name = ?3 AND policy_arn = ?4",
                 "ssss", r->account, k->kind, canon, arn))
        return -1;
    if (sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
    return 0;
}

/* Writes <elem> with the policies attached to (k, name), filtered by path
 * prefix and paged when pg is set. */
static int attached_list(svc_req_t *r, buf_t *out, const iam_kind_t *k, const char *name,
                         const char *elem, const char *prefix, iam_page_t *pg)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "SELECT a.policy_arn, p.name, p.path FROM iam_attachments a "
                                "LEFT JOIN iam_policies p ON p.arn = a.policy_arn WHERE "
                                "a.account = ?1 AND a.kind = ?2 AND a.name = ?3 ORDER BY a.seq",
                                "sss", r->account, k->kind, name);
    int rc, t = 0;

    if (st == NULL)
        return -1;
    xml_open(out, elem);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *arn = iam_col(st, 0), *pname = iam_col(st, 1), *path = iam_col(st, 2);
        const authz_aws_policy_t *a = authz_aws_policy(arn);
        if (a) {
            pname = a->name;
            path = a->path;
        }
        if (prefix && strncmp(path, prefix, strlen(prefix)) != 0)
            continue;
        if (pg && (t = iam_page_take(pg)) <= 0) {
            if (t < 0)
                break;
            continue;
        }
        xml_open(out, "member");
        xml_elem(out, "PolicyName", pname);
        xml_elem(out, "PolicyArn", arn);
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_internal(r);
    return xml_close(out, elem);
}

int iam_attached_xml(svc_req_t *r, buf_t *out, const iam_kind_t *k, const char *name,
                     const char *elem)
{
    return attached_list(r, out, k, name, elem, NULL, NULL);
}

static int list_attached(svc_req_t *r, const qform_t *in, buf_t *out, const iam_kind_t *k)
{
    const char *name = NULL, *prefix = "/";
    char canon[IAM_NAME_MAX];
    iam_page_t pg;

    if (iam_name(r, in, k->member, 1, k->name_max, &name) ||
        iam_path_prefix(r, in, 1, &prefix) || iam_page_init(r, in, &pg) ||
        iam_find(r, k, name, canon, NULL, NULL) ||
        attached_list(r, out, k, canon, "AttachedPolicies", prefix, &pg))
        return -1;
    return iam_page_end(out, &pg);
}

IAM_OP_CALL(iam_op_attach_user_policy, attach(r, in, &IAM_USER))
IAM_OP_CALL(iam_op_attach_group_policy, attach(r, in, &IAM_GROUP))
IAM_OP_CALL(iam_op_attach_role_policy, attach(r, in, &IAM_ROLE))
IAM_OP_CALL(iam_op_detach_user_policy, detach(r, in, &IAM_USER))
IAM_OP_CALL(iam_op_detach_group_policy, detach(r, in, &IAM_GROUP))
IAM_OP_CALL(iam_op_detach_role_policy, detach(r, in, &IAM_ROLE))
IAM_OP_CALL(iam_op_list_attached_user_policies, list_attached(r, in, out, &IAM_USER))
IAM_OP_CALL(iam_op_list_attached_group_policies, list_attached(r, in, out, &IAM_GROUP))
IAM_OP_CALL(iam_op_list_attached_role_policies, list_attached(r, in, out, &IAM_ROLE))

/* One section of ListEntitiesForPolicy. by_boundary: users/roles whose
 * permissions boundary is the policy, instead of attachments. */
/* A <member> of ListEntitiesForPolicy: ctx names its two elements. */
static int entity_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    const char *const *el = ctx;

    (void)r;
    xml_open(out, "member");
    xml_elem(out, el[0], iam_col(st, 0));
    xml_elem(out, el[1], iam_col(st, 1));
    return xml_close(out, "member");
}

/* One section of ListEntitiesForPolicy: sql (?1 account, ?2 policy ARN,
 * ?3 path prefix) yields the entities' names and ids. */
static int entities(svc_req_t *r, buf_t *out, const char *sql, const char *arn,
                    const char *prefix, const char *elem, const char *name_el,
                    const char *id_el, iam_page_t *pg)
{
    const char *const el[] = {name_el, id_el};

    return iam_list_rows(r, out, iam_stmt(r, sql, "sss", r->account, arn, prefix), elem, pg,
                         entity_member, el);
}

#define ATT_SQL(table, kind)                                                                   \
    "SELECT e.name, e.id FROM iam_attachments a JOIN " table " e ON e.account = a.account AND " \
    "e.name = a.name WHERE a.account = ?1 AND a.kind = '" kind "' AND a.policy_arn = ?2 AND "   \
    "substr(e.path, 1, length(?3)) = ?3 ORDER BY e.name"
#define BND_SQL(table)                                                                         \
    "SELECT name, id FROM " table " WHERE account = ?1 AND boundary = ?2 AND "                 \
    "substr(path, 1, length(?3)) = ?3 ORDER BY name"

int iam_op_list_entities_for_policy(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL, *filter = NULL, *prefix = "/", *usage = NULL;
    int boundary, rc;
    iam_page_t pg;

    if (iam_arn(r, in, "PolicyArn", 1, &arn) || q_str(r, in, "EntityFilter", 0, 0, 0, &filter) ||
        iam_path_prefix(r, in, 0, &prefix) ||
        q_str(r, in, "PolicyUsageFilter", 0, 0, 0, &usage) || iam_page_init(r, in, &pg))
        return -1;
    if (filter && strcmp(filter, "User") && strcmp(filter, "Role") && strcmp(filter, "Group") &&
        strcmp(filter, "LocalManagedPolicy") && strcmp(filter, "AWSManagedPolicy"))
        return svc_error(r, IAM_E_VALIDATION_ERROR,
                         "1 validation error detected: Value '%.64s' at 'entityFilter' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [User, Role, "
                         "Group, LocalManagedPolicy, AWSManagedPolicy]",
                         filter);
    if (usage && strcmp(usage, "PermissionsPolicy") && strcmp(usage, "PermissionsBoundary"))
        return svc_error(r, IAM_E_USAGE_FILTER, usage);
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc <= 0)
        return rc < 0 ? -1 : svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
    boundary = usage && !strcmp(usage, "PermissionsBoundary");
    /* groups cannot have boundaries; policies are never entities here */
    if (!filter || !strcmp(filter, "Group")) {
        if (boundary) {
            xml_open(out, "PolicyGroups");
            xml_close(out, "PolicyGroups");
        } else if (entities(r, out, ATT_SQL("iam_groups", "group"), arn, prefix, "PolicyGroups",
                            "GroupName", "GroupId", &pg)) {
            return -1;
        }
    }
    if (!filter || !strcmp(filter, "User"))
        if (entities(r, out, boundary ? BND_SQL("iam_users") : ATT_SQL("iam_users", "user"), arn,
                     prefix, "PolicyUsers", "UserName", "UserId", &pg))
            return -1;
    if (!filter || !strcmp(filter, "Role"))
        if (entities(r, out, boundary ? BND_SQL("iam_roles") : ATT_SQL("iam_roles", "role"), arn,
                     prefix, "PolicyRoles", "RoleName", "RoleId", &pg))
            return -1;
    return iam_page_end(out, &pg);
}
