/* iam_common.c — IAM's shared pieces: entity kinds and lookups, member
 * validation with IAM's constraints, document encoding, tags and paging. */
#include "services/iam/iam_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/codec.h"
#include "storage/db.h"

const iam_kind_t IAM_USER = {
    .kind = "user",
    .noun = "user",
    .member = "UserName",
    .name_max = 128,
    .sql_find = "SELECT name, arn, path, id FROM iam_users WHERE account = ?1 AND name = ?2",
    .inline_max = 2048,
    .quota = "PoliciesPerUser",
    .tag_quota = "TagsPerUser",
    .id_prefix = "AIDA",
    .exists = "User with name %s already exists.",
    .sql_delete = "DELETE FROM iam_users WHERE account = ?1 AND name = ?2",
};
const iam_kind_t IAM_GROUP = {
    .kind = "group",
    .noun = "group",
    .member = "GroupName",
    .name_max = 128,
    .sql_find = "SELECT name, arn, path, id FROM iam_groups WHERE account = ?1 AND name = ?2",
    .inline_max = 5120,
    .quota = "PoliciesPerGroup",
    .tag_quota = "TagsPerGroup",
    .id_prefix = "AGPA",
    .exists = "Group with name %s already exists.",
    .sql_delete = "DELETE FROM iam_groups WHERE account = ?1 AND name = ?2",
};
const iam_kind_t IAM_ROLE = {
    .kind = "role",
    .noun = "role",
    .member = "RoleName",
    .name_max = 64,
    .sql_find = "SELECT name, arn, path, id FROM iam_roles WHERE account = ?1 AND name = ?2",
    .inline_max = 10240,
    .quota = "PoliciesPerRole",
    .tag_quota = "TagsPerRole",
    .id_prefix = "AROA",
    .exists = "Role with name %s already exists.",
    .sql_delete = "DELETE FROM iam_roles WHERE account = ?1 AND name = ?2",
};
const iam_kind_t IAM_PROFILE = {
    .kind = "instance-profile",
    .noun = "instance profile",
    .member = "InstanceProfileName",
    .name_max = 128,
    .sql_find =
        "SELECT name, arn, path, id FROM iam_instance_profiles WHERE account = ?1 AND name = ?2",
    .inline_max = 0,
    .quota = "",
    .tag_quota = "TagsPerInstanceProfile",
    .id_prefix = "AIPA",
    .exists = "Instance Profile %s already exists.",
    .sql_delete = "DELETE FROM iam_instance_profiles WHERE account = ?1 AND name = ?2",
};

int iam_internal(svc_req_t *r)
{
    db_rollback(r->emu->db);
    return svc_error(r, IAM_E_UNKNOWN_FAILURE);
}

int iam_no_such(svc_req_t *r, const iam_kind_t *k, const char *name)
{
    if (k == &IAM_PROFILE)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY, "Instance Profile %s cannot be found.", name);
    return svc_error(r, IAM_E_ENTITY_NOT_FOUND, k->noun, name);
}

/* ---- statements ---------------------------------------------------------- */

/* Shared helpers pass one argument list to statements that use fewer of
 * them (user_count's optional filter, names_of's optional name): letters
 * past the statement's last parameter are dropped, as IAM's binder always
 * did, and their arguments left unread. */
static sqlite3_stmt *vstmt(svc_req_t *r, const char *sql, const char *types, va_list ap)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, sql);
    char fit[16];
    size_t n = strlen(types);
    int max;

    if (st != NULL && (max = sqlite3_bind_parameter_count(st)) >= 0 && n > (size_t)max &&
        (size_t)max < sizeof fit) {
        n = (size_t)max;
        memcpy(fit, types, n);
        fit[n] = '\0';
        types = fit;
    }
    st = st ? db_vquery(r->emu->db, sql, types, ap) : NULL;
    if (st == NULL)
        iam_internal(r);
    return st;
}

sqlite3_stmt *iam_stmt(svc_req_t *r, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, types);
    st = vstmt(r, sql, types, ap);
    va_end(ap);
    return st;
}

int iam_exec(svc_req_t *r, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, types);
    st = vstmt(r, sql, types, ap);
    va_end(ap);
    if (st == NULL)
        return -1;
    return sqlite3_step(st) == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_any(svc_req_t *r, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int rc;

    va_start(ap, types);
    st = vstmt(r, sql, types, ap);
    va_end(ap);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_check_new(svc_req_t *r, const iam_kind_t *k, const char *name)
{
    int rc = iam_exists(r, k, name);

    if (rc == 0)
        return 0;
    db_rollback(r->emu->db);
    return rc < 0 ? -1 : svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS, k->exists, name);
}

/* DeleteConflict with msg when rc (an iam_any answer) is 1; -1 when rc is
 * -1; 0 when rc is 0. */
static int iam_conflict(svc_req_t *r, int rc, const char *msg)
{
    if (rc <= 0)
        return rc;
    return svc_error(r, IAM_E_DELETE_CONFLICT, "%s", msg);
}

int iam_delete_entity(svc_req_t *r, const iam_kind_t *k, const char *canon)
{
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if (iam_exec(r, k->sql_delete, "ss", r->account, canon) || iam_tags_drop(r, k->kind, canon))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_new_entity(svc_req_t *r, const iam_kind_t *k, const char *name, const char *path,
                   char id[32], char arn[IAM_ARN_MAX])
{
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if (iam_check_new(r, k, name))
        return -1;
    iam_new_id(k->id_prefix, id);
    snprintf(arn, IAM_ARN_MAX, "arn:%s:iam::%s:%s%s%s", IAM_PARTITION(r), r->account, k->kind, path,
             name);
    return 0;
}

int iam_new_entity_end(svc_req_t *r, const iam_kind_t *k, const char *name, const iam_tag_t *tags,
                       size_t ntags)
{
    if (iam_tags_store(r, k->kind, name, k->tag_quota, tags, ntags))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_update_entity(svc_req_t *r, const qform_t *in, const iam_kind_t *k, const char *new_member,
                      size_t new_max, const char *sql_update,
                      int (*rename)(svc_req_t *r, const char *from, const char *to))
{
    const char *name = NULL, *new_name = NULL, *new_path = NULL, *p2;
    char canon[IAM_NAME_MAX], path[520], arn[IAM_ARN_MAX];

    if (iam_name(r, in, k->member, 1, k->name_max, &name) ||
        iam_name(r, in, new_member, 0, new_max, &new_name))
        return -1;
    if (qform_get(in, "NewPath") && iam_path(r, in, "NewPath", &new_path))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if (iam_find(r, k, name, canon, NULL, path)) {
        db_rollback(r->emu->db);
        return -1;
    }
    if (new_name && strcasecmp(new_name, canon) != 0 && iam_check_new(r, k, new_name))
        return -1;
    if (new_name == NULL)
        new_name = canon;
    p2 = new_path ? new_path : path;
    snprintf(arn, sizeof arn, "arn:%s:iam::%s:%s%s%s", IAM_PARTITION(r), r->account, k->kind, p2,
             new_name);
    if (iam_exec(r, sql_update, "sssss", r->account, canon, new_name, p2, arn))
        return -1;
    if (strcmp(canon, new_name) != 0 && rename(r, canon, new_name))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_delete_checked(svc_req_t *r, const qform_t *in, const iam_kind_t *k,
                       const iam_check_t *checks, size_t n)
{
    char canon[IAM_NAME_MAX];
    size_t i;

    if (iam_named(r, in, k, canon))
        return -1;
    for (i = 0; i < n; i++) {
        int rc = checks[i].sql ? iam_any(r, checks[i].sql, "ss", r->account, canon)
                               : checks[i].has(r, k, canon);
        if (iam_conflict(r, rc, checks[i].msg))
            return -1;
    }
    return iam_delete_entity(r, k, canon);
}

sqlite3_stmt *iam_find_row(svc_req_t *r, const iam_kind_t *k, const char *sql, const char *name)
{
    sqlite3_stmt *st = iam_stmt(r, sql, "ss", r->account, name);
    int rc;

    if (st == NULL)
        return NULL;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return st;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        iam_no_such(r, k, name);
    else
        iam_internal(r);
    return NULL;
}

void iam_new_id(const char *prefix, char out[32])
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char rnd[17];
    size_t i, n = strlen(prefix);
    size_t len = !strcmp(prefix, "AKIA") || !strcmp(prefix, "ASIA") ? 16 : 17;

    codec_random(rnd, len);
    memcpy(out, prefix, n);
    for (i = 0; i < len; i++)
        out[n + i] = alpha[rnd[i] & 31];
    out[n + len] = '\0';
}

void iam_new_secret(char out[41])
{
    static const char alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char rnd[40];
    size_t i;

    codec_random(rnd, sizeof rnd);
    for (i = 0; i < 40; i++)
        out[i] = alpha[rnd[i] & 63];
    out[40] = '\0';
    OPENSSL_cleanse(rnd, sizeof rnd);
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int i)
{
    if (dst)
        snprintf(dst, n, "%s", iam_col(st, i));
}

int iam_find(svc_req_t *r, const iam_kind_t *k, const char *name, char canon[IAM_NAME_MAX],
             char arn[IAM_ARN_MAX], char path[520])
{
    sqlite3_stmt *st = iam_stmt(r, k->sql_find, "ss", r->account, name);
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        copy_col(canon, IAM_NAME_MAX, st, 0);
        copy_col(arn, IAM_ARN_MAX, st, 1);
        copy_col(path, 520, st, 2);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return iam_internal(r);
    return iam_no_such(r, k, name);
}

int iam_exists(svc_req_t *r, const iam_kind_t *k, const char *name)
{
    return iam_any(r, k->sql_find, "ss", r->account, name);
}

const char *iam_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* ---- member readers ------------------------------------------------------ */

static int verr_pattern(svc_req_t *r, const char *member, const char *value,
                        const char *pattern)
{
    char m[128];

    q_member_path(member, m, sizeof m);
    return svc_error(r, IAM_E_VALIDATION_ERROR,
                     "1 validation error detected: Value '%.200s' at '%s' failed to satisfy "
                     "constraint: Member must satisfy regular expression pattern: %s",
                     value, m, pattern);
}

int iam_name(svc_req_t *r, const qform_t *in, const char *member, int required, size_t max,
             const char **out)
{
    const char *v = NULL;

    if (q_str(r, in, member, required, 1, max, &v))
        return -1;
    if (v == NULL)
        return 0;
    if (q_charset(r, member, v, "_+=,.@-", "[\\w+=,.@-]+"))
        return -1;
    *out = v;
    return 0;
}

int iam_path(svc_req_t *r, const qform_t *in, const char *member, const char **out)
{
    const char *v = NULL;
    const unsigned char *p;
    size_t n;

    if (q_str(r, in, member, 0, 1, 512, &v))
        return -1;
    if (v == NULL) {
        *out = "/";
        return 0;
    }
    n = strlen(v);
    if (v[0] != '/' || v[n - 1] != '/' || (n == 2))
        goto bad;
    for (p = (const unsigned char *)v; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            goto bad;
    *out = v;
    return 0;
bad:
    return verr_pattern(r, member, v, "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
}

int iam_path_prefix(svc_req_t *r, const qform_t *in, int policy, const char **out)
{
    const char *v = NULL;
    const unsigned char *p;

    if (q_str(r, in, "PathPrefix", 0, 1, 512, &v))
        return -1;
    if (v == NULL) {
        *out = "/";
        return 0;
    }
    if (policy) {
        size_t n = strlen(v);
        if (v[0] != '/' || v[n - 1] != '/' || strstr(v, "//"))
            goto badp;
        for (p = (const unsigned char *)v; *p; p++)
            if (!isalnum(*p) && !strchr("/.,+@=_-", *p))
                goto badp;
    } else {
        if (v[0] != '/')
            goto bad;
        for (p = (const unsigned char *)v; *p; p++)
            if (*p < 0x21 || *p > 0x7f)
                goto bad;
    }
    *out = v;
    return 0;
bad:
    return verr_pattern(r, "PathPrefix", v, "\\u002F[\\u0021-\\u007F]*");
badp:
    return verr_pattern(r, "PathPrefix", v, "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
}

int iam_document(svc_req_t *r, const qform_t *in, const char *member, enum policy_kind kind,
                 const char **out)
{
    const char *v = NULL;
    char err[512];
    policy_t *p;

    if (q_str(r, in, member, 1, 1, 131072, &v) ||
        q_charset(r, member, v, NULL, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"))
        return -1;
    err[0] = '\0';
    p = policy_parse(v, strlen(v), kind, err, sizeof err);
    if (p == NULL)
        return svc_error(r, IAM_E_MALFORMED_POLICY_DOCUMENT, "%s",
                         err[0] ? err : "Syntax errors in policy.");
    policy_free(p);
    *out = v;
    return 0;
}

int iam_stored_document(svc_req_t *r, const qform_t *in, const char *member, const char **out)
{
    const char *v = NULL;
    char err[512];

    /* the model's length and pattern first: ValidationError before MalformedPolicyDocument */
    if (q_str(r, in, member, 1, 1, 131072, &v) ||
        q_charset(r, member, v, NULL, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"))
        return -1;
    if (policy_iam_grammar(v, strlen(v), err, sizeof err) != 0)
        return svc_error(r, IAM_E_MALFORMED_POLICY_DOCUMENT, "%s", err);
    return iam_document(r, in, member, POLICY_IDENTITY, out);
}

int iam_arn(svc_req_t *r, const qform_t *in, const char *member, int required,
            const char **out)
{
    return q_str(r, in, member, required, 20, 2048, out);
}

size_t iam_doc_size(const char *doc)
{
    size_t n = 0;

    for (; *doc; doc++)
        if (!isspace((unsigned char)*doc) && ((unsigned char)*doc & 0xc0) != 0x80)
            n++;
    return n;
}

/* ---- XML ----------------------------------------------------------------- */

int iam_xml_time(buf_t *out, const char *name, double t)
{
    char iso[32];

    clock_iso8601(t, iso);
    return xml_elem(out, name, iso);
}

int iam_xml_doc(buf_t *out, const char *name, const char *doc)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_t enc;
    const unsigned char *p;
    int rc;

    buf_init(&enc, 0);
    for (p = (const unsigned char *)doc; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            buf_add(&enc, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_add(&enc, e, 3);
        }
    }
    rc = xml_elem_n(out, name, enc.data ? enc.data : "", enc.len);
    buf_free(&enc);
    return rc;
}

int iam_xml_boundary(buf_t *out, const char *arn)
{
    if (arn == NULL || arn[0] == '\0')
        return 0;
    xml_open(out, "PermissionsBoundary");
    xml_elem(out, "PermissionsBoundaryType", "PermissionsBoundaryPolicy");
    xml_elem(out, "PermissionsBoundaryArn", arn);
    return xml_close(out, "PermissionsBoundary");
}

/* ---- tags ---------------------------------------------------------------- */

/* [\p{L}\p{Z}\p{N}_.:/=+\-@]: ASCII checked, other characters let through. */
static int tag_chars(svc_req_t *r, const char *member, const char *v, int key)
{
    const unsigned char *p;

    for (p = (const unsigned char *)v; *p; p++)
        if (*p < 0x80 && !isalnum(*p) && !strchr(" _.:/=+-@", *p))
            return verr_pattern(r, member, v,
                                key ? "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
                                    : "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    return 0;
}

int iam_tags_read(svc_req_t *r, const qform_t *in, iam_tag_t tags[IAM_MAX_TAGS], size_t *n)
{
    size_t i, j, cnt;

    if (q_list_count(r, in, "Tags", "Key", IAM_MAX_TAGS, &cnt))
        return -1;
    for (i = 0; i < cnt; i++) {
        char km[64], vm[64];
        const char *k = NULL, *v = NULL;
        snprintf(km, sizeof km, "Tags.member.%zu.Key", i + 1);
        snprintf(vm, sizeof vm, "Tags.member.%zu.Value", i + 1);
        if (q_str(r, in, km, 1, 1, 128, &k) || q_str(r, in, vm, 1, 0, 256, &v) ||
            tag_chars(r, km, k, 1) || tag_chars(r, vm, v, 0))
            return -1;
        for (j = 0; j < i; j++)
            if (!strcasecmp(tags[j].key, k))
                return svc_error(r, IAM_E_INVALID_INPUT,
                                 "Duplicate tag keys found. Please note that Tag keys are "
                                 "case insensitive.");
        tags[i].key = k;
        tags[i].value = v;
    }
    *n = cnt;
    return 0;
}

static const char SQL_UNTAG[] = "DELETE FROM iam_tags WHERE account = ?1 AND kind = ?2 AND "
                                "name = ?3 AND key = ?4 COLLATE NOCASE";
static const char SQL_TAGS[] = "SELECT key, value FROM iam_tags WHERE account = ?1 AND kind = ?2 "
                               "AND name = ?3 ORDER BY seq";

int iam_tags_store(svc_req_t *r, const char *kind, const char *name, const char *quota,
                   const iam_tag_t *tags, size_t n)
{
    db_t *db = r->emu->db;
    sqlite3_stmt *st;
    size_t i;
    long count = 0;

    for (i = 0; i < n; i++)
        if (iam_exec(r, SQL_UNTAG, "ssss", r->account, kind, name, tags[i].key) ||
            iam_exec(r,
                     "INSERT INTO iam_tags (account, kind, name, key, value, seq) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, (SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_tags))",
                     "sssss", r->account, kind, name, tags[i].key, tags[i].value))
            return -1;
    st = iam_stmt(r, "SELECT COUNT(*) FROM iam_tags WHERE account = ?1 AND kind = ?2 AND name = ?3",
                  "sss", r->account, kind, name);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (count > IAM_MAX_TAGS) {
        db_rollback(db);
        return svc_error(r, IAM_E_LIMIT_EXCEEDED, "Cannot exceed quota for %s: %d.", quota,
                         IAM_MAX_TAGS);
    }
    return 0;
}

int iam_tags_xml(svc_req_t *r, buf_t *out, const char *kind, const char *name)
{
    sqlite3_stmt *st = iam_stmt(r, SQL_TAGS, "sss", r->account, kind, name);
    int rc, any = 0;

    if (st == NULL)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!any++)
            xml_open(out, "Tags");
        xml_open(out, "member");
        xml_elem(out, "Key", iam_col(st, 0));
        xml_elem(out, "Value", iam_col(st, 1));
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (any)
        xml_close(out, "Tags");
    return rc == SQLITE_DONE ? 0 : iam_internal(r);
}

int iam_tags_drop(svc_req_t *r, const char *kind, const char *name)
{
    return iam_exec(r, "DELETE FROM iam_tags WHERE account = ?1 AND kind = ?2 AND name = ?3", "sss",
                    r->account, kind, name);
}

int iam_tags_rename(svc_req_t *r, const char *kind, const char *from, const char *to)
{
    return iam_exec(r,
                    "UPDATE iam_tags SET name = ?4 WHERE account = ?1 AND kind = ?2 AND name = ?3",
                    "ssss", r->account, kind, from, to);
}

int iam_tag_apply(svc_req_t *r, const qform_t *in, const char *kind, const char *name,
                  const char *quota)
{
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t n = 0;

    if (!qform_get(in, "Tags.member.1.Key") && !qform_get(in, "Tags"))
        return svc_error(r, IAM_E_VALIDATION_ERROR,
                         "1 validation error detected: Value null at 'tags' failed to satisfy "
                         "constraint: Member must not be null");
    if (iam_tags_read(r, in, tags, &n))
        return -1;
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if (iam_tags_store(r, kind, name, quota, tags, n))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

int iam_untag_apply(svc_req_t *r, const qform_t *in, const char *kind, const char *name)
{
    size_t i, cnt;

    if (q_list_count(r, in, "TagKeys", NULL, IAM_MAX_TAGS, &cnt))
        return -1;
    if (cnt == 0 && !qform_get(in, "TagKeys"))
        return svc_error(r, IAM_E_VALIDATION_ERROR,
                         "1 validation error detected: Value null at 'tagKeys' failed to "
                         "satisfy constraint: Member must not be null");
    for (i = 0; i < cnt; i++) {
        char km[48];
        const char *k = NULL;
        snprintf(km, sizeof km, "TagKeys.member.%zu", i + 1);
        if (q_str(r, in, km, 1, 1, 128, &k) || tag_chars(r, km, k, 1) ||
            iam_exec(r, SQL_UNTAG, "ssss", r->account, kind, name, k))
            return -1;
    }
    return 0;
}

static int tag_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    (void)ctx;
    xml_open(out, "member");
    xml_elem(out, "Key", iam_col(st, 0));
    xml_elem(out, "Value", iam_col(st, 1));
    return xml_close(out, "member");
}

int iam_tags_list(svc_req_t *r, const qform_t *in, buf_t *out, const char *kind,
                  const char *name)
{
    iam_page_t pg;

    if (iam_page_init(r, in, &pg))
        return -1;
    return iam_list_page(r, out, iam_stmt(r, SQL_TAGS, "sss", r->account, kind, name), "Tags", &pg,
                         tag_member, NULL);
}

int iam_named(svc_req_t *r, const qform_t *in, const iam_kind_t *k, char canon[IAM_NAME_MAX])
{
    const char *name = NULL;

    if (iam_name(r, in, k->member, 1, k->name_max, &name))
        return -1;
    return iam_find(r, k, name, canon, NULL, NULL);
}

int iam_tag_entity(svc_req_t *r, const qform_t *in, const iam_kind_t *k)
{
    char canon[IAM_NAME_MAX];

    if (iam_named(r, in, k, canon))
        return -1;
    return iam_tag_apply(r, in, k->kind, canon, k->tag_quota);
}

int iam_untag_entity(svc_req_t *r, const qform_t *in, const iam_kind_t *k)
{
    char canon[IAM_NAME_MAX];

    if (iam_named(r, in, k, canon))
        return -1;
    return iam_untag_apply(r, in, k->kind, canon);
}

int iam_list_entity_tags(svc_req_t *r, const qform_t *in, buf_t *out, const iam_kind_t *k)
{
    char canon[IAM_NAME_MAX];

    if (iam_named(r, in, k, canon))
        return -1;
    return iam_tags_list(r, in, out, k->kind, canon);
}

/* ---- paging -------------------------------------------------------------- */

/* Markers are opaque to clients: "AWSEMU" + the offset, base64-encoded. */
int iam_page_init(svc_req_t *r, const qform_t *in, iam_page_t *p)
{
    const char *m = NULL;
    long max = 100;

    memset(p, 0, sizeof *p);
    if (q_int(r, in, "MaxItems", 0, 1, 1000, &max, NULL) || q_str(r, in, "Marker", 0, 1, 320, &m))
        return -1;
    p->max = max;
    if (m) {
        uint8_t dec[256];
        long n = strlen(m) <= 300 ? codec_b64_decode(m, strlen(m), dec) : -1;
        char *end;
        if (n < 7 || memcmp(dec, "AWSEMU", 6) != 0)
            return svc_error(r, IAM_E_BAD_MARKER, m);
        dec[n] = '\0';
        p->skip = strtol((char *)dec + 6, &end, 10);
        if (*end != '\0' || p->skip < 0)
            return svc_error(r, IAM_E_BAD_MARKER, m);
    }
    return 0;
}

int iam_page_take(iam_page_t *p)
{
    if (p->seen < p->skip) {
        p->seen++;
        return 0;
    }
    if (p->emitted >= p->max) {
        p->truncated = 1;
        return -1;
    }
    p->seen++;
    p->emitted++;
    return 1;
}

int iam_page_end(buf_t *out, const iam_page_t *p)
{
    if (p->truncated) {
        char raw[32], enc[64];
        int n = snprintf(raw, sizeof raw, "AWSEMU%ld", p->skip + p->emitted);
        codec_b64_encode((const uint8_t *)raw, (size_t)n, enc);
        xml_elem(out, "IsTruncated", "true");
        return xml_elem(out, "Marker", enc);
    }
    return xml_elem(out, "IsTruncated", "false");
}

int iam_list_rows(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const char *elem, iam_page_t *pg,
                  iam_row_fn row, const void *ctx)
{
    int rc, t;

    if (st == NULL)
        return -1;
    xml_open(out, elem);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((t = iam_page_take(pg)) < 0)
            break;
        if (t > 0 && row(r, out, st, ctx)) {
            sqlite3_reset(st);
            return -1;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return iam_internal(r);
    return xml_close(out, elem);
}

int iam_list_page(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const char *elem, iam_page_t *pg,
                  iam_row_fn row, const void *ctx)
{
    if (iam_list_rows(r, out, st, elem, pg, row, ctx))
        return -1;
    return iam_page_end(out, pg);
}

/* ---- tag operations of users, roles and instance profiles ---------------- */

#define TAG_OPS(k, tag_fn, untag_fn, list_fn)                                                      \
    IAM_OP_CALL(tag_fn, iam_tag_entity(r, in, k))                                                  \
    IAM_OP_CALL(untag_fn, iam_untag_entity(r, in, k))                                              \
    IAM_OP_CALL(list_fn, iam_list_entity_tags(r, in, out, k))

TAG_OPS(&IAM_USER, iam_op_tag_user, iam_op_untag_user, iam_op_list_user_tags)
TAG_OPS(&IAM_ROLE, iam_op_tag_role, iam_op_untag_role, iam_op_list_role_tags)
TAG_OPS(&IAM_PROFILE, iam_op_tag_instance_profile, iam_op_untag_instance_profile,
        iam_op_list_instance_profile_tags)

/* ---- listing by path prefix --------------------------------------------- */

int iam_list_by_path(svc_req_t *r, const qform_t *in, buf_t *out, const char *sql, const char *elem,
                     iam_row_fn row)
{
    const char *prefix = "/";
    iam_page_t pg;

    if (iam_path_prefix(r, in, 0, &prefix) || iam_page_init(r, in, &pg))
        return -1;
    return iam_list_page(r, out, iam_stmt(r, sql, "ss", r->account, prefix), elem, &pg, row, NULL);
}
