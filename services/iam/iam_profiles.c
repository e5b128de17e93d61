/* iam_profiles.c — instance profiles (at most one role each):
 * Create/Get/Delete/ListInstanceProfiles, Add/RemoveRoleToInstanceProfile,
 * ListInstanceProfilesForRole and instance profile tags. */
#include "iam_int.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

#define PROFILE_COLS "SELECT name, id, path, arn, created, role_name FROM iam_instance_profiles "

/* Writes the profile in st's current row (PROFILE_COLS). */
static int profile_row(svc_req_t *r, buf_t *out, sqlite3_stmt *st, int with_tags)
{
    char name[IAM_NAME_MAX], role[IAM_NAME_MAX];

    snprintf(name, sizeof name, "%s", iam_col(st, 0));
    snprintf(role, sizeof role, "%s", iam_col(st, 5));
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

int iam_profile_fields(svc_req_t *r, buf_t *out, const char *name, int with_tags)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, PROFILE_COLS "WHERE account = ?1 AND name = ?2");
    int rc;

    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? iam_no_such(r, &IAM_PROFILE, name) : iam_internal(r);
    }
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
    sqlite3_stmt *st;
    int rc;

    if (iam_name(r, in, "InstanceProfileName", 1, 128, &name) || iam_path(r, in, "Path", &path) ||
        iam_tags_read(r, in, tags, &ntags))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    rc = iam_exists(r, &IAM_PROFILE, name);
    if (rc != 0) {
        db_rollback(r->emu->db);
        return rc < 0 ? -1
                      : svc_error(r, 409, "EntityAlreadyExists",
                                  "Instance Profile %s already exists.", name);
    }
    iam_new_id("AIPA", id);
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:instance-profile%s%s", r->account, path, name);
    st = db_stmt(r->emu->db, "INSERT INTO iam_instance_profiles (account, name, id, path, arn, "
                             "created, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                             "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_instance_profiles))");
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
    if (iam_tags_store(r, "instance-profile", name, IAM_PROFILE.tag_quota, tags, ntags))
        return -1;
    if (db_commit(r->emu->db))
        return iam_internal(r);
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
    const char *name = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    int rc;

    (void)out;
    if (iam_name(r, in, "InstanceProfileName", 1, 128, &name) ||
        iam_find(r, &IAM_PROFILE, name, canon, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db, "SELECT 1 FROM iam_instance_profiles WHERE account = ?1 AND "
                             "name = ?2 AND role_name IS NOT NULL");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return svc_error(r, 409, "DeleteConflict",
                         "Cannot delete entity, must remove roles from instance profile first.");
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = db_stmt(r->emu->db, "DELETE FROM iam_instance_profiles WHERE account = ?1 AND name = ?2");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE || iam_tags_drop(r, "instance-profile", canon))
        return iam_internal(r);
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

static int list_profiles(svc_req_t *r, const qform_t *in, buf_t *out, const char *sql,
                         const char *arg)
{
    sqlite3_stmt *st;
    iam_page_t pg;
    int rc, t;

    if (iam_page_init(r, in, &pg))
        return -1;
    st = db_stmt(r->emu->db, sql);
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, arg, -1, SQLITE_STATIC);
    xml_open(out, "InstanceProfiles");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((t = iam_page_take(&pg)) < 0)
            break;
        if (t == 0)
            continue;
        xml_open(out, "member");
        if (profile_row(r, out, st, 0)) {
            sqlite3_reset(st);
            return -1;
        }
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_internal(r);
    xml_close(out, "InstanceProfiles");
    return iam_page_end(out, &pg);
}

int iam_op_list_instance_profiles(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *prefix = "/";

    if (iam_path_prefix(r, in, 0, &prefix))
        return -1;
    return list_profiles(r, in, out, PROFILE_COLS "WHERE account = ?1 AND substr(path, 1, "
                                                  "length(?2)) = ?2 ORDER BY name", prefix);
}

int iam_op_list_instance_profiles_for_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *role = NULL;
    char canon[IAM_NAME_MAX];

    if (iam_name(r, in, "RoleName", 1, 64, &role) ||
        iam_find(r, &IAM_ROLE, role, canon, NULL, NULL))
        return -1;
    return list_profiles(r, in, out, PROFILE_COLS "WHERE account = ?1 AND role_name = ?2 "
                                                  "ORDER BY name", canon);
}

int iam_op_add_role_to_instance_profile(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *role = NULL;
    char p[IAM_NAME_MAX], ro[IAM_NAME_MAX];
    sqlite3_stmt *st;

    (void)out;
    if (iam_name(r, in, "InstanceProfileName", 1, 128, &name) ||
        iam_name(r, in, "RoleName", 1, 64, &role) ||
        iam_find(r, &IAM_PROFILE, name, p, NULL, NULL) ||
        iam_find(r, &IAM_ROLE, role, ro, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db, "UPDATE iam_instance_profiles SET role_name = ?3 WHERE "
                             "account = ?1 AND name = ?2 AND role_name IS NULL");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ro, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    if (sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, 409, "LimitExceeded",
                         "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    return 0;
}

int iam_op_remove_role_from_instance_profile(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *role = NULL;
    char p[IAM_NAME_MAX], ro[IAM_NAME_MAX];
    sqlite3_stmt *st;

    (void)out;
    if (iam_name(r, in, "InstanceProfileName", 1, 128, &name) ||
        iam_name(r, in, "RoleName", 1, 64, &role) ||
        iam_find(r, &IAM_PROFILE, name, p, NULL, NULL) ||
        iam_find(r, &IAM_ROLE, role, ro, NULL, NULL))
        return -1;
    st = db_stmt(r->emu->db, "UPDATE iam_instance_profiles SET role_name = NULL WHERE "
                             "account = ?1 AND name = ?2 AND role_name = ?3");
    if (st == NULL)
        return iam_internal(r);
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ro, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    if (sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, 404, "NoSuchEntity", "The role with name %s cannot be found.", role);
    return 0;
}

int iam_op_tag_instance_profile(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_tag_entity(r, in, &IAM_PROFILE);
}

int iam_op_untag_instance_profile(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)out;
    return iam_untag_entity(r, in, &IAM_PROFILE);
}

int iam_op_list_instance_profile_tags(svc_req_t *r, const qform_t *in, buf_t *out)
{
    return iam_list_entity_tags(r, in, out, &IAM_PROFILE);
}
