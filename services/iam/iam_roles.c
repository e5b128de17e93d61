/* iam_roles.c — IAM roles: CreateRole, GetRole, UpdateRole,
 * UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole, ListRoles and
 * role tags (boundaries: iam_users.c). */
#include "iam_int.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

#define ROLE_COLS                                                                              \
    "SELECT name, id, path, arn, created, assume_policy, description, max_session, boundary, " \
    "last_used, last_used_region FROM iam_roles "

/* Writes the role in st's current row (ROLE_COLS). */
static int role_row(svc_req_t *r, buf_t *out, sqlite3_stmt *st, int full)
{
    char name[IAM_NAME_MAX];

    snprintf(name, sizeof name, "%s", iam_col(st, 0));
    xml_elem(out, "Path", iam_col(st, 2));
    xml_elem(out, "RoleName", name);
    xml_elem(out, "RoleId", iam_col(st, 1));
    xml_elem(out, "Arn", iam_col(st, 3));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 4));
    iam_xml_doc(out, "AssumeRolePolicyDocument", iam_col(st, 5));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        xml_elem(out, "Description", iam_col(st, 6));
    xml_elem_int(out, "MaxSessionDuration", sqlite3_column_int64(st, 7));
    if (!full)
        return 0;
    iam_xml_boundary(out, iam_col(st, 8));
    if (iam_tags_xml(r, out, "role", name))
        return -1;
    xml_open(out, "RoleLastUsed");
    if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
        iam_xml_time(out, "LastUsedDate", sqlite3_column_double(st, 9));
        xml_elem(out, "Region", iam_col(st, 10));
    }
    return xml_close(out, "RoleLastUsed");
}

int iam_role_fields(svc_req_t *r, buf_t *out, const char *name, int full)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, ROLE_COLS "WHERE account = ?1 AND name = ?2");
    int rc;

    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? iam_no_such(r, &IAM_ROLE, name) : iam_internal(r);
    }
    rc = role_row(r, out, st, full);
    sqlite3_reset(st);
    return rc;
}

static int answer_role(svc_req_t *r, buf_t *out, const char *name)
{
    xml_open(out, "Role");
    if (iam_role_fields(r, out, name, 1))
        return -1;
    return xml_close(out, "Role");
}

static int trust_size(svc_req_t *r, const char *doc)
{
    if (iam_doc_size(doc) > IAM_TRUST_SIZE)
        return svc_error(r, 409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d",
                         IAM_TRUST_SIZE);
    return 0;
}

static int read_description(svc_req_t *r, const qform_t *in, const char **desc)
{
    if (q_str(r, in, "Description", 0, 0, 1000, desc))
        return -1;
    if (*desc && q_charset(r, "Description", *desc, NULL,
                           "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"))
        return -1;
    return 0;
}

int iam_op_create_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *path = "/", *doc = NULL, *desc = NULL, *boundary = NULL;
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0;
    long max_session = 3600;
    char id[32], arn[IAM_ARN_MAX];
    sqlite3_stmt *st;
    int rc;

    if (iam_name(r, in, "RoleName", 1, 64, &name) || iam_path(r, in, "Path", &path) ||
        read_description(r, in, &desc) ||
        q_int(r, in, "MaxSessionDuration", 0, 3600, 43200, &max_session, NULL) ||
        iam_arn(r, in, "PermissionsBoundary", 0, &boundary) ||
        iam_tags_read(r, in, tags, &ntags) ||
        iam_document(r, in, "AssumeRolePolicyDocument", POLICY_TRUST, &doc) ||
        trust_size(r, doc))
        return -1;
    if (boundary && iam_boundary_check(r, boundary))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    rc = iam_exists(r, &IAM_ROLE, name);
    if (rc != 0) {
        db_rollback(r->emu->db);
        return rc < 0 ? -1
                      : svc_error(r, 409, "EntityAlreadyExists", "Role with name %s already exists.",
                                  name);
    }
    iam_new_id("AROA", id);
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:role%s%s", r->account, path, name);
    st = db_stmt(r->emu->db, "INSERT INTO iam_roles (account, name, id, path, arn, created, "
                             "assume_policy, description, max_session, boundary, seq) VALUES "
                             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                             "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_roles))");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, arn, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, r->now);
    sqlite3_bind_text(st, 7, doc, -1, SQLITE_STATIC);
    if (desc)
        sqlite3_bind_text(st, 8, desc, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, max_session);
    if (boundary)
        sqlite3_bind_text(st, 10, boundary, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    if (iam_tags_store(r, "role", name, IAM_ROLE.tag_quota, tags, ntags))
        return -1;
    if (db_commit(r->emu->db))
        return iam_internal(r);
    return answer_role(r, out, name);
}

int iam_op_get_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;

    if (iam_name(r, in, "RoleName", 1, 64, &name))
        return -1;
    return answer_role(r, out, name);
}

/* Updates one column of a role (?3) after resolving RoleName. */
static int update_col(svc_req_t *r, const char *sql, const char *name, const char *text,
                      long num, int is_num)
{
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;

    if (iam_find(r, &IAM_ROLE, name, canon, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db, sql);
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    if (is_num)
        sqlite3_bind_int64(st, 3, num);
    else if (text)
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : iam_internal(r);
}

static const char SQL_DESC[] =
    "UPDATE iam_roles SET description = ?3 WHERE account = ?1 AND name = ?2";
static const char SQL_MAXS[] =
    "UPDATE iam_roles SET max_session = ?3 WHERE account = ?1 AND name = ?2";
static const char SQL_TRUST[] =
    "UPDATE iam_roles SET assume_policy = ?3 WHERE account = ?1 AND name = ?2";

int iam_op_update_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *desc = NULL;
    long max_session = 0;
    int has_max = 0;

    if (iam_name(r, in, "RoleName", 1, 64, &name) || read_description(r, in, &desc) ||
        q_int(r, in, "MaxSessionDuration", 0, 3600, 43200, &max_session, &has_max))
        return -1;
    if (iam_find(r, &IAM_ROLE, name, NULL, NULL, NULL))
        return -1;
    if (desc && update_col(r, SQL_DESC, name, desc, 0, 0))
        return -1;
    if (has_max && update_col(r, SQL_MAXS, name, NULL, max_session, 1))
        return -1;
    /* UpdateRole's output is an empty <UpdateRoleResult> (SDKs require it) */
    return buf_adds(out, "\n");
}

int iam_op_update_role_description(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *desc = NULL;

    if (iam_name(r, in, "RoleName", 1, 64, &name) || read_description(r, in, &desc))
        return -1;
    if (desc == NULL)
        return svc_error(r, 400, "ValidationError",
                         "1 validation error detected: Value null at 'description' failed to "
                         "satisfy constraint: Member must not be null");
    if (update_col(r, SQL_DESC, name, desc, 0, 0))
        return -1;
    return answer_role(r, out, name);
}

int iam_op_update_assume_role_policy(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *doc = NULL;

    (void)out;
    if (iam_name(r, in, "RoleName", 1, 64, &name) ||
        iam_find(r, &IAM_ROLE, name, NULL, NULL, NULL) ||
        iam_document(r, in, "PolicyDocument", POLICY_TRUST, &doc) || trust_size(r, doc))
        return -1;
    return update_col(r, SQL_TRUST, name, doc, 0, 0);
}

int iam_op_delete_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    int rc;

    (void)out;
    if (iam_name(r, in, "RoleName", 1, 64, &name) ||
        iam_find(r, &IAM_ROLE, name, canon, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db, "SELECT 1 FROM iam_instance_profiles WHERE account = ?1 AND "
                             "role_name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return svc_error(r, 409, "DeleteConflict",
                         "Cannot delete entity, must remove roles from instance profile first.");
    rc = iam_has_attached(r, &IAM_ROLE, canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must detach all policies first.");
    rc = iam_has_inline(r, &IAM_ROLE, canon);
    if (rc)
        return rc < 0 ? -1
                      : svc_error(r, 409, "DeleteConflict",
                                  "Cannot delete entity, must delete policies first.");
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = db_stmt(r->emu->db, "DELETE FROM iam_roles WHERE account = ?1 AND name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE || iam_tags_drop(r, "role", canon))
        return iam_internal(r);
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_op_list_roles(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *prefix = "/";
    sqlite3_stmt *st;
    iam_page_t pg;
    int rc, t;

    if (iam_path_prefix(r, in, 0, &prefix) || iam_page_init(r, in, &pg))
        return -1;
    st = db_stmt(r->emu->db, ROLE_COLS "WHERE account = ?1 AND substr(path, 1, length(?2)) = ?2 "
                                       "ORDER BY name");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    xml_open(out, "Roles");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((t = iam_page_take(&pg)) < 0)
            break;
        if (t == 0)
            continue;
        xml_open(out, "member");
        role_row(r, out, st, 0);
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_internal(r);
    xml_close(out, "Roles");
    return iam_page_end(out, &pg);
}

int iam_op_tag_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_tag_entity(r, in, &IAM_ROLE);
}

int iam_op_untag_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_untag_entity(r, in, &IAM_ROLE);
}

int iam_op_list_role_tags(svc_req_t *r, const qform_t *in, buf_t *out)
{
    return iam_list_entity_tags(r, in, out, &IAM_ROLE);
}
