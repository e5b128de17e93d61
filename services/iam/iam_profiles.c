/* iam_profiles.c — instance profiles (at most one role each):
 * Create/Get/Delete/ListInstanceProfiles, Add/RemoveRoleToInstanceProfile,
 * ListInstanceProfilesForRole and instance profile tags. */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "storage/db.h"

#define PROFILE_COLS "SELECT name, id, path, arn, created, role_name FROM iam_instance_profiles "

/* Writes the profile in st's current row (PROFILE_COLS). */
static int profile_row(svc_req_t *r, buf_t *out, sqlite3_stmt *st, int with_tags)
{
    char name[IAM_NAME_MAX], role[IAM_NAME_MAX];

    str_copy(name, sizeof name, iam_col(st, 0));
    str_copy(role, sizeof role, iam_col(st, 5));
    xml_elem(out, "Path", iam_col(st, 2));
    xml_elem(out, "InstanceProfileName", name);
    xml_elem(out, "InstanceProfileId", iam_col(st, 1));
    xml_elem(out, "Arn", iam_col(st, 3));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 4));
    xml_open(out, "Roles");
    if (role[0]) {
        xml_open(out, "member");
        if (iam_role_fields(r, out, role, 0))
            return -1;
        xml_close(out, "member");
    }
    xml_close(out, "Roles");
    return with_tags ? iam_tags_xml(r, out, "instance-profile", name) : 0;
}

static int profile_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)ctx;
    xml_open(out, "member");
    if (profile_row(r, out, st, 0))
        return -1;
    return xml_close(out, "member");
}

int iam_profile_fields(svc_req_t *r, buf_t *out, const char *name, int with_tags)
{
    sqlite3_stmt *st =
        iam_find_row(r, &IAM_PROFILE, PROFILE_COLS "WHERE account = ?1 AND name = ?2", name);
    int rc;

    if (st == NULL)
        return -1;
    rc = profile_row(r, out, st, with_tags);
    sqlite3_reset(st);
    return rc;
}

static int answer_profile(svc_req_t *r, buf_t *out, const char *name)
{
    xml_open(out, "InstanceProfile");
    if (iam_profile_fields(r, out, name, 1))
        return -1;
    return xml_close(out, "InstanceProfile");
}

int iam_op_create_instance_profile(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *path = "/";
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0;
    char id[32], arn[IAM_ARN_MAX];

    if (iam_name(r, in, "InstanceProfileName", 1, 128, &name) || iam_path(r, in, "Path", &path) ||
        iam_tags_read(r, in, tags, &ntags) ||
        iam_new_entity(r, &IAM_PROFILE, name, path, id, arn) ||
        iam_exec(r,
                 "INSERT INTO iam_instance_profiles (account, name, id, path, arn, created, "
                 "seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                 "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_instance_profiles))",
                 "sssssd", r->account, name, id, path, arn, r->now) ||
        iam_new_entity_end(r, &IAM_PROFILE, name, tags, ntags))
        return -1;
    return answer_profile(r, out, name);
}

int iam_op_get_instance_profile(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL;

    if (iam_name(r, in, "InstanceProfileName", 1, 128, &name))
        return -1;
    return answer_profile(r, out, name);
}

int iam_op_delete_instance_profile(svc_req_t *r, const qform_t *in, buf_t *out)
{
    static const iam_check_t checks[] = {
        {"SELECT 1 FROM iam_instance_profiles WHERE account = ?1 AND name = ?2 AND "
         "role_name IS NOT NULL",
         NULL, "Cannot delete entity, must remove roles from instance profile first."},
    };

    (void)out;
    return iam_delete_checked(r, in, &IAM_PROFILE, checks, 1);
}

int iam_op_list_instance_profiles(svc_req_t *r, const qform_t *in, buf_t *out)
{
    return iam_list_by_path(r, in, out,
                            PROFILE_COLS "WHERE account = ?1 AND substr(path, 1, length(?2)) = "
                                         "?2 ORDER BY name",
                            "InstanceProfiles", profile_member);
}

int iam_op_list_instance_profiles_for_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    char canon[IAM_NAME_MAX];
    iam_page_t pg;

    if (iam_named(r, in, &IAM_ROLE, canon) || iam_page_init(r, in, &pg))
        return -1;
    return iam_list_page(
        r, out,
        iam_stmt(r, PROFILE_COLS "WHERE account = ?1 AND role_name = ?2 ORDER BY name", "ss",
                 r->account, canon),
        "InstanceProfiles", &pg, profile_member, NULL);
}

/* AddRoleToInstanceProfile (add) / RemoveRoleFromInstanceProfile. */
static int profile_role(svc_req_t *r, const qform_t *in, int add)
{
    const char *name = NULL, *role = NULL;
    char p[IAM_NAME_MAX], ro[IAM_NAME_MAX];

    if (iam_name(r, in, "InstanceProfileName", 1, 128, &name) ||
        iam_name(r, in, "RoleName", 1, 64, &role) ||
        iam_find(r, &IAM_PROFILE, name, p, NULL, NULL) ||
        iam_find(r, &IAM_ROLE, role, ro, NULL, NULL) ||
        iam_exec(r,
                 add ? "UPDATE iam_instance_profiles SET role_name = ?3 WHERE "
                       "account = ?1 AND name = ?2 AND role_name IS NULL"
                     : "UPDATE iam_instance_profiles SET role_name = NULL WHERE "
                       "account = ?1 AND name = ?2 AND role_name = ?3",
                 "sss", r->account, p, ro))
        return -1;
    if (sqlite3_changes(db_handle(r->emu->db)) != 0)
        return 0;
    if (add)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    return svc_error(r, IAM_E_NO_SUCH_ENTITY, "The role with name %s cannot be found.", role);
}

IAM_OP_CALL(iam_op_add_role_to_instance_profile, profile_role(r, in, 1))
IAM_OP_CALL(iam_op_remove_role_from_instance_profile, profile_role(r, in, 0))
