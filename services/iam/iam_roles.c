/* iam_roles.c — IAM roles: CreateRole, GetRole, UpdateRole,
 * UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole, ListRoles and
 * role tags (boundaries: iam_users.c). */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "storage/db.h"

#define ROLE_COLS                                                                              \
    "SELECT name, id, path, arn, created, assume_policy, description, max_session, boundary, " \
    "last_used, last_used_region FROM iam_roles "

/* Writes the role in st's current row (ROLE_COLS). */
static int role_row(svc_req_t *r, buf_t *out, sqlite3_stmt *st, int full)
{
    char name[IAM_NAME_MAX];

    str_copy(name, sizeof name, iam_col(st, 0));
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

static int role_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)ctx;
    xml_open(out, "member");
    if (role_row(r, out, st, 0))
        return -1;
    return xml_close(out, "member");
}

int iam_role_fields(svc_req_t *r, buf_t *out, const char *name, int full)
{
    sqlite3_stmt *st =
        iam_find_row(r, &IAM_ROLE, ROLE_COLS "WHERE account = ?1 AND name = ?2", name);
    int rc;

    if (st == NULL)
        return -1;
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
        return svc_error(r, IAM_E_LIMIT_EXCEEDED, "Cannot exceed quota for ACLSizePerRole: %d",
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
    if (iam_new_entity(r, &IAM_ROLE, name, path, id, arn) ||
        iam_exec(r,
                 "INSERT INTO iam_roles (account, name, id, path, arn, created, "
                 "assume_policy, description, max_session, boundary, seq) VALUES "
                 "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                 "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_roles))",
                 "sssssdssls", r->account, name, id, path, arn, r->now, doc, desc,
                 (long long)max_session,
                 boundary) ||
        iam_new_entity_end(r, &IAM_ROLE, name, tags, ntags))
        return -1;
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

    if (iam_find(r, &IAM_ROLE, name, canon, NULL, NULL))
        return -1;
    if (is_num)
        return iam_exec(r, sql, "ssl", r->account, canon, (long long)num);
    return iam_exec(r, sql, "sss", r->account, canon, text);
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
        return svc_error(r, IAM_E_VALIDATION_ERROR,
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
    static const iam_check_t checks[] = {
        {"SELECT 1 FROM iam_instance_profiles WHERE account = ?1 AND role_name = ?2", NULL,
         "Cannot delete entity, must remove roles from instance profile first."},
        IAM_CHECK_ATTACHED,
        IAM_CHECK_INLINE,
    };

    (void)out;
    return iam_delete_checked(r, in, &IAM_ROLE, checks, sizeof checks / sizeof checks[0]);
}

int iam_op_list_roles(svc_req_t *r, const qform_t *in, buf_t *out)
{
    return iam_list_by_path(r, in, out,
                            ROLE_COLS "WHERE account = ?1 AND substr(path, 1, length(?2)) = ?2 "
                                      "ORDER BY name",
                            "Roles", role_member);
}
