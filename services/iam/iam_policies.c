/* iam_policies.c — managed policies (customer rows and the built-in AWS
 * ones) and their versions: CreatePolicy, GetPolicy, DeletePolicy,
 * ListPolicies, policy versions and policy tags; the lookups enforcement
 * and the other IAM files use. */
#include "services/iam/iam_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/clock.h"
#include "storage/db.h"

/* One managed policy as listings show it. */
typedef struct {
    char name[IAM_NAME_MAX], id[32], arn[IAM_ARN_MAX], path[520], version[32];
    char created[32], updated[32];
    char *description; /* owned */
    long attachments, boundary_uses;
    int aws;
} pol_t;

static void pol_from_aws(svc_req_t *r, const authz_aws_policy_t *a, pol_t *p)
{
    memset(p, 0, sizeof *p);
    str_copy(p->name, sizeof p->name, a->name);
    str_copy(p->id, sizeof p->id, a->id);
    str_copy(p->arn, sizeof p->arn, a->arn);
    str_copy(p->path, sizeof p->path, a->path);
    str_copy(p->version, sizeof p->version, a->version);
    str_copy(p->created, sizeof p->created, a->created);
    str_copy(p->updated, sizeof p->updated, a->created);
    p->description = strdup(a->description);
    p->attachments = iam_policy_attachments(r, a->arn);
    p->boundary_uses = iam_policy_boundary_uses(r, a->arn);
    p->aws = 1;
}

#define POL_COLS                                                                                  \
    "SELECT p.name, p.id, p.arn, p.path, p.default_version, p.description, p.created, "           \
    "p.updated, (SELECT COUNT(*) FROM iam_attachments a WHERE a.account = p.account AND "         \
    "a.policy_arn = p.arn), (SELECT COUNT(*) FROM iam_users u WHERE u.account = p.account AND "   \
    "u.boundary = p.arn) + (SELECT COUNT(*) FROM iam_roles o WHERE o.account = p.account AND "    \
    "o.boundary = p.arn) FROM iam_policies p "

static void pol_from_row(sqlite3_stmt *st, pol_t *p)
{
    memset(p, 0, sizeof *p);
    str_copy(p->name, sizeof p->name, iam_col(st, 0));
    str_copy(p->id, sizeof p->id, iam_col(st, 1));
    str_copy(p->arn, sizeof p->arn, iam_col(st, 2));
    str_copy(p->path, sizeof p->path, iam_col(st, 3));
    str_copy(p->version, sizeof p->version, iam_col(st, 4));
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
        p->description = strdup(iam_col(st, 5));
    clock_iso8601(sqlite3_column_double(st, 6), p->created);
    clock_iso8601(sqlite3_column_double(st, 7), p->updated);
    p->attachments = sqlite3_column_int64(st, 8);
    p->boundary_uses = sqlite3_column_int64(st, 9);
}

static void pol_clear(pol_t *p)
{
    free(p->description);
    p->description = NULL;
}

/* Loads arn (AWS or r's account): 1 found, 0 not, -1 error (set). */
static int pol_load(svc_req_t *r, const char *arn, pol_t *p)
{
    const authz_aws_policy_t *a = authz_aws_policy(arn);
    sqlite3_stmt *st;
    int rc;

    if (a) {
        pol_from_aws(r, a, p);
        return 1;
    }
    st = iam_stmt(r, POL_COLS "WHERE p.arn = ?1 AND p.account = ?2", "ss", arn, r->account);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        pol_from_row(st, p);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : iam_internal(r);
}

static void pol_xml(buf_t *out, const pol_t *p, int with_desc)
{
    xml_elem(out, "PolicyName", p->name);
    xml_elem(out, "PolicyId", p->id);
    xml_elem(out, "Arn", p->arn);
    xml_elem(out, "Path", p->path);
    xml_elem(out, "DefaultVersionId", p->version);
    xml_elem_int(out, "AttachmentCount", p->attachments);
    xml_elem_int(out, "PermissionsBoundaryUsageCount", p->boundary_uses);
    xml_elem(out, "IsAttachable", "true");
    if (with_desc && p->description)
        xml_elem(out, "Description", p->description);
    xml_elem(out, "CreateDate", p->created);
    xml_elem(out, "UpdateDate", p->updated);
}

int iam_policy_fields(svc_req_t *r, buf_t *out, const char *arn, int with_tags)
{
    pol_t p;
    int rc = pol_load(r, arn, &p);

    if (rc < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
    pol_xml(out, &p, 1);
    rc = 0;
    if (with_tags && !p.aws)
        rc = iam_tags_xml(r, out, "policy", p.arn);
    pol_clear(&p);
    return rc;
}

int iam_policy_exists(svc_req_t *r, const char *arn, char *name, char *path)
{
    const authz_aws_policy_t *a = authz_aws_policy(arn);
    sqlite3_stmt *st;
    int rc;

    if (a) {
        if (name)
            snprintf(name, IAM_NAME_MAX, "%s", a->name);
        if (path)
            snprintf(path, 520, "%s", a->path);
        return 1;
    }
    st = iam_stmt(r, "SELECT name, path FROM iam_policies WHERE arn = ?1 AND account = ?2", "ss",
                  arn, r->account);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (name)
            snprintf(name, IAM_NAME_MAX, "%s", iam_col(st, 0));
        if (path)
            snprintf(path, 520, "%s", iam_col(st, 1));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_policy_document(svc_req_t *r, const char *arn, char **doc)
{
    if (authz_managed_document(r->emu, r->account, arn, doc) == 0)
        return 0;
    return svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
}

static long count_q(svc_req_t *r, const char *sql, const char *arn)
{
    sqlite3_stmt *st = db_query(r->emu->db, sql, "ss", r->account, arn);
    long n = 0;

    if (db_row(st) == 1)
        n = sqlite3_column_int64(st, 0);
    db_done(st);
    return n;
}

long iam_policy_attachments(svc_req_t *r, const char *arn)
{
    return count_q(r, "SELECT COUNT(*) FROM iam_attachments WHERE account = ?1 AND policy_arn = ?2",
                   arn);
}

long iam_policy_boundary_uses(svc_req_t *r, const char *arn)
{
    return count_q(r, "SELECT (SELECT COUNT(*) FROM iam_users WHERE account = ?1 AND boundary = ?2)"
                      " + (SELECT COUNT(*) FROM iam_roles WHERE account = ?1 AND boundary = ?2)",
                   arn);
}

static void version_xml(buf_t *out, const char *doc, const char *vid, int is_default,
                        const char *created_iso)
{
    if (doc)
        iam_xml_doc(out, "Document", doc);
    xml_elem(out, "VersionId", vid);
    xml_elem(out, "IsDefaultVersion", is_default ? "true" : "false");
    xml_elem(out, "CreateDate", created_iso);
}

#define VERSIONS_SQL                                                                         \
    "SELECT v.version_id, v.document, v.created, v.version_id = p.default_version FROM "     \
    "iam_policy_versions v JOIN iam_policies p ON p.arn = v.policy_arn WHERE v.policy_arn = " \
    "?1 AND p.account = ?2 ORDER BY CAST(substr(v.version_id, 2) AS INTEGER) DESC"

int iam_policy_versions_xml(svc_req_t *r, buf_t *out, const char *arn)
{
    const authz_aws_policy_t *a = authz_aws_policy(arn);
    sqlite3_stmt *st;
    int rc;

    xml_open(out, "PolicyVersionList");
    if (a) {
        xml_open(out, "member");
        version_xml(out, a->document, a->version, 1, a->created);
        xml_close(out, "member");
        return xml_close(out, "PolicyVersionList");
    }
    st = iam_stmt(r, VERSIONS_SQL, "ss", arn, r->account);
    if (st == NULL)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char iso[32];
        clock_iso8601(sqlite3_column_double(st, 2), iso);
        xml_open(out, "member");
        version_xml(out, iam_col(st, 1), iam_col(st, 0), sqlite3_column_int(st, 3), iso);
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return iam_internal(r);
    return xml_close(out, "PolicyVersionList");
}

/* ---- operations ---------------------------------------------------------- */

static int policy_path(svc_req_t *r, const qform_t *in, const char **out)
{
    const char *v = NULL;
    const unsigned char *p;
    size_t n;

    if (q_str(r, in, "Path", 0, 1, 512, &v))
        return -1;
    if (v == NULL) {
        *out = "/";
        return 0;
    }
    n = strlen(v);
    if (v[0] != '/' || v[n - 1] != '/' || strstr(v, "//"))
        goto bad;
    for (p = (const unsigned char *)v; *p; p++)
        if (!isalnum(*p) && !strchr("/.,+@=_-", *p))
            goto bad;
    *out = v;
    return 0;
bad:
    return svc_error(r, IAM_E_VALIDATION_ERROR,
                     "1 validation error detected: Value '%.200s' at 'path' failed to satisfy "
                     "constraint: Member must satisfy regular expression pattern: "
                     "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/",
                     v);
}

static int managed_size(svc_req_t *r, const char *doc)
{
    if (iam_doc_size(doc) > IAM_POLICY_SIZE)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED, "Cannot exceed quota for PolicySize: %d",
                         IAM_POLICY_SIZE);
    return 0;
}

static int insert_version(svc_req_t *r, const char *arn, const char *vid, const char *doc)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "INSERT INTO iam_policy_versions (policy_arn, "
                                "version_id, document, created) VALUES (?1, ?2, ?3, ?4)",
                                "sssd", arn, vid, doc, r->now);

    if (st == NULL)
        return -1;
    return sqlite3_step(st) == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_op_create_policy(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name = NULL, *path = "/", *doc = NULL, *desc = NULL;
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0;
    char id[32], arn[IAM_ARN_MAX];
    sqlite3_stmt *st;
    int rc;

    if (iam_name(r, in, "PolicyName", 1, 128, &name) || policy_path(r, in, &path) ||
        q_str(r, in, "Description", 0, 0, 1000, &desc) || iam_tags_read(r, in, tags, &ntags) ||
        iam_stored_document(r, in, "PolicyDocument", &doc) || managed_size(r, doc))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = iam_stmt(r, "SELECT 1 FROM iam_policies WHERE account = ?1 AND name = ?2", "ss",
                  r->account, name);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        if (rc != SQLITE_ROW)
            return iam_internal(r);
        db_rollback(r->emu->db);
        return svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS,
                         "A policy called %s already exists. Duplicate names are not allowed.",
                         name);
    }
    iam_new_id("ANPA", id);
    snprintf(arn, sizeof arn, "arn:%s:iam::%s:policy%s%s", IAM_PARTITION(r), r->account, path,
             name);
    st = iam_stmt(r,
                  "INSERT INTO iam_policies (arn, account, name, id, path, "
                  "description, created, updated, default_version, next_version, seq) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 'v1', 2, "
                  "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_policies))",
                  "ssssssd", arn, r->account, name, id, path, desc, r->now);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    if (insert_version(r, arn, "v1", doc) ||
        iam_tags_store(r, "policy", arn, "TagsPerPolicy", tags, ntags))
        return -1;
    if (db_commit(r->emu->db))
        return iam_internal(r);
    xml_open(out, "Policy");
    if (iam_policy_fields(r, out, arn, 1))
        return -1;
    return xml_close(out, "Policy");
}

static int read_policy_arn(svc_req_t *r, const qform_t *in, const char **arn)
{
    return iam_arn(r, in, "PolicyArn", 1, arn);
}

int iam_op_get_policy(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL;

    if (read_policy_arn(r, in, &arn))
        return -1;
    xml_open(out, "Policy");
    if (iam_policy_fields(r, out, arn, 1))
        return -1;
    return xml_close(out, "Policy");
}

/* Resolves a customer managed policy of r's account (AWS ones are not
 * modifiable): 0 or an error. */
static int customer_policy(svc_req_t *r, const char *arn, const char *action)
{
    int rc;

    if (authz_aws_policy(arn))
        return svc_error(r, IAM_E_ACCESS_DENIED,
                         "User: %s is not authorized to perform: iam:%s on resource: policy %s",
                         r->caller.arn[0] ? r->caller.arn : "root", action, arn);
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
    return 0;
}

int iam_op_delete_policy(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL;
    sqlite3_stmt *st;
    long versions;

    (void)out;
    if (read_policy_arn(r, in, &arn) || customer_policy(r, arn, "DeletePolicy"))
        return -1;
    if (iam_policy_attachments(r, arn) > 0)
        return svc_error(r, IAM_E_DELETE_CONFLICT, "Cannot delete a policy attached to entities.");
    versions = count_q(r, "SELECT COUNT(*) FROM iam_policy_versions v JOIN iam_policies p ON "
                          "p.arn = v.policy_arn WHERE p.account = ?1 AND v.policy_arn = ?2",
                       arn);
    if (versions > 1)
        return svc_error(r, IAM_E_DELETE_CONFLICT,
                         "This policy has more than one version. Before you delete a policy, you "
                         "must delete the policy's versions. The default version is deleted with "
                         "the policy.");
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = iam_stmt(r, "DELETE FROM iam_policy_versions WHERE policy_arn = ?1", "s", arn);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_DONE)
        return iam_internal(r);
    st = iam_stmt(r, "DELETE FROM iam_policies WHERE arn = ?1 AND account = ?2", "ss", arn,
                  r->account);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_DONE || iam_tags_drop(r, "policy", arn))
        return iam_internal(r);
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_op_list_policies(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *scope = "All", *prefix = "/", *usage = NULL;
    int only_attached = 0, rc = SQLITE_DONE, t, want_aws, want_local, have_row = 0;
    size_t ai = 0;
    sqlite3_stmt *st = NULL;
    iam_page_t pg;

    if (q_str(r, in, "Scope", 0, 0, 0, &scope) || q_bool(r, in, "OnlyAttached", &only_attached, NULL) ||
        iam_path_prefix(r, in, 1, &prefix) || q_str(r, in, "PolicyUsageFilter", 0, 0, 0, &usage) ||
        iam_page_init(r, in, &pg))
        return -1;
    if (strcmp(scope, "All") && strcmp(scope, "AWS") && strcmp(scope, "Local"))
        return svc_error(r, IAM_E_VALIDATION_ERROR,
                         "1 validation error detected: Value '%.64s' at 'scope' failed to satisfy "
                         "constraint: Member must satisfy enum value set: [All, AWS, Local]",
                         scope);
    if (usage && strcmp(usage, "PermissionsPolicy") && strcmp(usage, "PermissionsBoundary"))
        return svc_error(r, IAM_E_USAGE_FILTER, usage);
    want_aws = strcmp(scope, "Local") != 0;
    want_local = strcmp(scope, "AWS") != 0;
    if (want_local) {
        st = iam_stmt(r,
                      POL_COLS "WHERE p.account = ?1 AND substr(p.path, 1, "
                               "length(?2)) = ?2 ORDER BY p.name",
                      "ss", r->account, prefix);
        if (st == NULL)
            return -1;
        rc = sqlite3_step(st);
        have_row = rc == SQLITE_ROW;
    }
    xml_open(out, "Policies");
    for (;;) {
        const authz_aws_policy_t *a = NULL;
        pol_t p;
        while (want_aws && ai < authz_aws_npolicies &&
               strncmp(authz_aws_policies[ai].path, prefix, strlen(prefix)) != 0)
            ai++;
        if (want_aws && ai < authz_aws_npolicies)
            a = &authz_aws_policies[ai];
        if (a && (!have_row || strcasecmp(a->name, iam_col(st, 0)) <= 0)) {
            pol_from_aws(r, a, &p);
            ai++;
        } else if (have_row) {
            pol_from_row(st, &p);
            rc = sqlite3_step(st);
            have_row = rc == SQLITE_ROW;
        } else {
            break;
        }
        if ((only_attached && p.attachments == 0) ||
            (usage && !strcmp(usage, "PermissionsPolicy") && p.attachments == 0) ||
            (usage && !strcmp(usage, "PermissionsBoundary") && p.boundary_uses == 0)) {
            pol_clear(&p);
            continue;
        }
        t = iam_page_take(&pg);
        if (t > 0) {
            xml_open(out, "member");
            pol_xml(out, &p, 0);
            xml_close(out, "member");
        }
        pol_clear(&p);
        if (t < 0)
            break;
    }
    if (st)
        sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return iam_internal(r);
    xml_close(out, "Policies");
    return iam_page_end(out, &pg);
}

static int read_version_id(svc_req_t *r, const qform_t *in, const char **vid)
{
    const char *v = NULL;
    const char *p;

    if (q_str(r, in, "VersionId", 1, 0, 0, &v))
        return -1;
    p = v;
    if (*p++ != 'v' || *p < '1' || *p > '9')
        goto bad;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        for (p++; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '-')
                goto bad;
    }
    if (*p)
        goto bad;
    *vid = v;
    return 0;
bad:
    return svc_error(r, IAM_E_VALIDATION_ERROR,
                     "1 validation error detected: Value '%.64s' at 'versionId' failed to "
                     "satisfy constraint: Member must satisfy regular expression pattern: "
                     "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
                     v);
}

static int no_version(svc_req_t *r, const char *arn, const char *vid)
{
    return svc_error(r, IAM_E_NO_SUCH_ENTITY,
                     "Policy %s version %s does not exist or is not attachable.", arn, vid);
}

static int set_default(svc_req_t *r, const char *arn, const char *vid)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "UPDATE iam_policies SET default_version = ?3, "
                                "updated = ?4 WHERE arn = ?1 AND account = ?2",
                                "sssd", arn, r->account, vid, r->now);

    if (st == NULL)
        return -1;
    return sqlite3_step(st) == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_op_create_policy_version(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL, *doc = NULL;
    int set_as_default = 0;
    char vid[32], iso[32];
    sqlite3_stmt *st;
    long next = 0, versions;

    if (read_policy_arn(r, in, &arn) || q_bool(r, in, "SetAsDefault", &set_as_default, NULL) ||
        customer_policy(r, arn, "CreatePolicyVersion") ||
        iam_stored_document(r, in, "PolicyDocument", &doc) || managed_size(r, doc))
        return -1;
    versions = count_q(r, "SELECT COUNT(*) FROM iam_policy_versions v JOIN iam_policies p ON "
                          "p.arn = v.policy_arn WHERE p.account = ?1 AND v.policy_arn = ?2",
                       arn);
    if (versions >= IAM_MAX_VERSIONS)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "A managed policy can have up to %d versions. Before you create a new "
                         "version, you must delete an existing version.",
                         IAM_MAX_VERSIONS);
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = iam_stmt(r, "SELECT next_version FROM iam_policies WHERE arn = ?1 AND account = ?2", "ss",
                  arn, r->account);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        next = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    snprintf(vid, sizeof vid, "v%ld", next);
    st = iam_stmt(r,
                  "UPDATE iam_policies SET next_version = next_version + 1 WHERE "
                  "arn = ?1 AND account = ?2",
                  "ss", arn, r->account);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_DONE || insert_version(r, arn, vid, doc) ||
        (set_as_default && set_default(r, arn, vid)) || db_commit(r->emu->db))
        return iam_internal(r);
    clock_iso8601(r->now, iso);
    xml_open(out, "PolicyVersion");
    version_xml(out, NULL, vid, set_as_default, iso);
    return xml_close(out, "PolicyVersion");
}

int iam_op_get_policy_version(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL, *vid = NULL;
    const authz_aws_policy_t *a;
    sqlite3_stmt *st;
    int rc;

    if (read_policy_arn(r, in, &arn) || read_version_id(r, in, &vid))
        return -1;
    a = authz_aws_policy(arn);
    if (a) {
        if (strcmp(vid, a->version) != 0)
            return no_version(r, arn, vid);
        xml_open(out, "PolicyVersion");
        version_xml(out, a->document, a->version, 1, a->created);
        return xml_close(out, "PolicyVersion");
    }
    st = iam_stmt(r,
                  "SELECT v.version_id, v.document, v.created, v.version_id = "
                  "p.default_version FROM iam_policy_versions v JOIN iam_policies p "
                  "ON p.arn = v.policy_arn WHERE v.policy_arn = ?1 AND p.account = ?2 "
                  "AND v.version_id = ?3",
                  "sss", arn, r->account, vid);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char iso[32];
        clock_iso8601(sqlite3_column_double(st, 2), iso);
        xml_open(out, "PolicyVersion");
        version_xml(out, iam_col(st, 1), iam_col(st, 0), sqlite3_column_int(st, 3), iso);
        xml_close(out, "PolicyVersion");
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? no_version(r, arn, vid) : iam_internal(r);
}

int iam_op_list_policy_versions(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL;
    const authz_aws_policy_t *a;
    sqlite3_stmt *st;
    iam_page_t pg;
    int rc, t;

    if (read_policy_arn(r, in, &arn) || iam_page_init(r, in, &pg))
        return -1;
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc <= 0)
        return rc < 0 ? -1 : svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
    xml_open(out, "Versions");
    a = authz_aws_policy(arn);
    if (a) {
        if (iam_page_take(&pg) > 0) {
            xml_open(out, "member");
            version_xml(out, NULL, a->version, 1, a->created);
            xml_close(out, "member");
        }
    } else {
        st = iam_stmt(r, VERSIONS_SQL, "ss", arn, r->account);
        if (st == NULL)
            return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            char iso[32];
            if ((t = iam_page_take(&pg)) < 0)
                break;
            if (t == 0)
                continue;
            clock_iso8601(sqlite3_column_double(st, 2), iso);
            xml_open(out, "member");
            version_xml(out, NULL, iam_col(st, 0), sqlite3_column_int(st, 3), iso);
            xml_close(out, "member");
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return iam_internal(r);
    }
    xml_close(out, "Versions");
    return iam_page_end(out, &pg);
}

/* 1 when vid is the default, 0 when another version, or NoSuchEntity. */
static int version_state(svc_req_t *r, const char *arn, const char *vid)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "SELECT v.version_id = p.default_version FROM "
                                "iam_policy_versions v JOIN iam_policies p ON p.arn = "
                                "v.policy_arn WHERE v.policy_arn = ?1 AND p.account = "
                                "?2 AND v.version_id = ?3",
                                "sss", arn, r->account, vid);
    int rc, def = 0;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        def = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return def;
    return rc == SQLITE_DONE ? no_version(r, arn, vid) : iam_internal(r);
}

int iam_op_delete_policy_version(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL, *vid = NULL;
    int rc;

    (void)out;
    if (read_policy_arn(r, in, &arn) || read_version_id(r, in, &vid) ||
        customer_policy(r, arn, "DeletePolicyVersion"))
        return -1;
    rc = version_state(r, arn, vid);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return svc_error(r, IAM_E_DELETE_CONFLICT,
                         "Cannot delete the default version of a policy.");
    return iam_exec(r,
                    "DELETE FROM iam_policy_versions WHERE policy_arn = ?1 AND "
                    "version_id = ?2",
                    "ss", arn, vid);
}

int iam_op_set_default_policy_version(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL, *vid = NULL;

    (void)out;
    if (read_policy_arn(r, in, &arn) || read_version_id(r, in, &vid) ||
        customer_policy(r, arn, "SetDefaultPolicyVersion") || version_state(r, arn, vid) < 0)
        return -1;
    return set_default(r, arn, vid);
}

int iam_op_tag_policy(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL;

    (void)out;
    if (read_policy_arn(r, in, &arn) || customer_policy(r, arn, "TagPolicy"))
        return -1;
    return iam_tag_apply(r, in, "policy", arn, "TagsPerPolicy");
}

int iam_op_untag_policy(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL;

    (void)out;
    if (read_policy_arn(r, in, &arn) || customer_policy(r, arn, "UntagPolicy"))
        return -1;
    return iam_untag_apply(r, in, "policy", arn);
}

int iam_op_list_policy_tags(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *arn = NULL;
    int rc;

    if (read_policy_arn(r, in, &arn))
        return -1;
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc <= 0)
        return rc < 0 ? -1 : svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
    return iam_tags_list(r, in, out, "policy", arn);
}
