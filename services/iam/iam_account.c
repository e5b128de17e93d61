/* iam_account.c — GetAccountAuthorizationDetails: every user, group, role
 * and managed policy of the account with their policies, paged as one
 * sequence (users, groups, roles, policies). */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/db.h"

enum { F_USER = 1, F_ROLE = 2, F_GROUP = 4, F_LOCAL = 8, F_AWS = 16 };

static int read_filter(svc_req_t *r, const qform_t *in, int *mask)
{
    static const struct {
        const char *name;
        int bit;
    } kinds[] = {{"User", F_USER}, {"Role", F_ROLE}, {"Group", F_GROUP},
                 {"LocalManagedPolicy", F_LOCAL}, {"AWSManagedPolicy", F_AWS}};
    size_t i, j, n;

    if (q_list_count(r, in, "Filter", NULL, 5, &n))
        return -1;
    *mask = n ? 0 : F_USER | F_ROLE | F_GROUP | F_LOCAL | F_AWS;
    for (i = 0; i < n; i++) {
        const char *v = qform_getf(in, "Filter.member.%zu", i + 1);
        for (j = 0; j < sizeof kinds / sizeof kinds[0]; j++)
            if (!strcmp(v, kinds[j].name))
                break;
        if (j == sizeof kinds / sizeof kinds[0])
            return svc_error(r, IAM_E_VALIDATION_ERROR,
                             "1 validation error detected: Value '[%.64s]' at 'filter' failed to "
                             "satisfy constraint: Member must satisfy constraint: [Member must "
                             "satisfy enum value set: [User, Role, Group, LocalManagedPolicy, "
                             "AWSManagedPolicy]]",
                             v);
        *mask |= kinds[j].bit;
    }
    return 0;
}

/* Collects the names a query (?1 account) returns; *names malloc'd. */
typedef struct {
    char (*v)[IAM_NAME_MAX];
    size_t n;
} names_t;

static int names_of(svc_req_t *r, const char *sql, const char *arg, names_t *out)
{
    sqlite3_stmt *st = iam_stmt(r, sql, "ss", r->account, arg);
    size_t cap = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if (st == NULL)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            void *nv = realloc(out->v, (cap = cap ? cap * 2 : 16) * sizeof *out->v);
            if (nv == NULL)
                break;
            out->v = nv;
        }
        snprintf(out->v[out->n++], IAM_NAME_MAX, "%s", iam_col(st, 0));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(out->v);
        memset(out, 0, sizeof *out);
        return iam_internal(r);
    }
    return 0;
}

static int user_detail(svc_req_t *r, buf_t *out, const char *name)
{
    names_t g;
    size_t i;

    if (iam_user_fields(r, out, name, 1) ||
        iam_inline_xml(r, out, &IAM_USER, name, "UserPolicyList") ||
        names_of(r, "SELECT g.name FROM iam_group_members m JOIN iam_groups g ON g.account = "
                    "m.account AND g.name = m.group_name WHERE m.account = ?1 AND m.user_name = "
                    "?2 ORDER BY g.name", name, &g))
        return -1;
    xml_open(out, "GroupList");
    for (i = 0; i < g.n; i++)
        xml_elem(out, "member", g.v[i]);
    xml_close(out, "GroupList");
    free(g.v);
    return iam_attached_xml(r, out, &IAM_USER, name, "AttachedManagedPolicies");
}

static int group_detail(svc_req_t *r, buf_t *out, const char *name)
{
    if (iam_group_fields(r, out, name) ||
        iam_inline_xml(r, out, &IAM_GROUP, name, "GroupPolicyList"))
        return -1;
    return iam_attached_xml(r, out, &IAM_GROUP, name, "AttachedManagedPolicies");
}

static int role_detail(svc_req_t *r, buf_t *out, const char *name)
{
    names_t p;
    size_t i;
    int rc = 0;

    if (iam_role_fields(r, out, name, 1) ||
        names_of(r, "SELECT name FROM iam_instance_profiles WHERE account = ?1 AND role_name = ?2 "
                    "ORDER BY name", name, &p))
        return -1;
    xml_open(out, "InstanceProfileList");
    for (i = 0; i < p.n && rc == 0; i++) {
        xml_open(out, "member");
        rc = iam_profile_fields(r, out, p.v[i], 1);
        xml_close(out, "member");
    }
    xml_close(out, "InstanceProfileList");
    free(p.v);
    if (rc || iam_inline_xml(r, out, &IAM_ROLE, name, "RolePolicyList"))
        return -1;
    return iam_attached_xml(r, out, &IAM_ROLE, name, "AttachedManagedPolicies");
}

static int policy_detail(svc_req_t *r, buf_t *out, const char *arn)
{
    if (iam_policy_fields(r, out, arn, 0))
        return -1;
    return iam_policy_versions_xml(r, out, arn);
}

typedef int (*detail_fn)(svc_req_t *r, buf_t *out, const char *key);

/* One section: <elem><member>detail</member>...</elem> over names. */
static int section(svc_req_t *r, buf_t *out, const char *elem, names_t *keys, detail_fn fn,
                   iam_page_t *pg)
{
    size_t i;
    int t, rc = 0;

    xml_open(out, elem);
    for (i = 0; i < keys->n && rc == 0; i++) {
        if ((t = iam_page_take(pg)) < 0)
            break;
        if (t == 0)
            continue;
        xml_open(out, "member");
        rc = fn(r, out, keys->v[i]);
        xml_close(out, "member");
    }
    free(keys->v);
    memset(keys, 0, sizeof *keys);
    if (rc)
        return -1;
    return xml_close(out, elem);
}

int iam_op_get_account_authorization_details(svc_req_t *r, const qform_t *in, buf_t *out)
{
    names_t k;
    iam_page_t pg;
    int mask;
    size_t i;

    if (read_filter(r, in, &mask) || iam_page_init(r, in, &pg))
        return -1;
    if (mask & F_USER) {
        if (names_of(r, "SELECT name FROM iam_users WHERE account = ?1 ORDER BY name", NULL, &k) ||
            section(r, out, "UserDetailList", &k, user_detail, &pg))
            return -1;
    }
    if (mask & F_GROUP) {
        if (names_of(r, "SELECT name FROM iam_groups WHERE account = ?1 ORDER BY name", NULL, &k) ||
            section(r, out, "GroupDetailList", &k, group_detail, &pg))
            return -1;
    }
    if (mask & F_ROLE) {
        if (names_of(r, "SELECT name FROM iam_roles WHERE account = ?1 ORDER BY name", NULL, &k) ||
            section(r, out, "RoleDetailList", &k, role_detail, &pg))
            return -1;
    }
    if (mask & (F_LOCAL | F_AWS)) {
        /* policies are keyed by ARN, longer than names */
        sqlite3_stmt *st;
        char (*arns)[IAM_ARN_MAX] = NULL;
        size_t n = 0, cap = 0;
        int rc = SQLITE_DONE, t, err = 0;
        if (mask & F_AWS)
            for (i = 0; i < authz_aws_npolicies; i++) {
                if (iam_policy_attachments(r, authz_aws_policies[i].arn) == 0 &&
                    iam_policy_boundary_uses(r, authz_aws_policies[i].arn) == 0)
                    continue;
                if (n == cap) {
                    void *nv = realloc(arns, (cap = cap ? cap * 2 : 16) * sizeof *arns);
                    if (nv == NULL) {
                        free(arns);
                        return iam_internal(r);
                    }
                    arns = nv;
                }
                snprintf(arns[n++], IAM_ARN_MAX, "%s", authz_aws_policies[i].arn);
            }
        if (mask & F_LOCAL) {
            st = iam_stmt(r, "SELECT arn FROM iam_policies WHERE account = ?1 ORDER BY name", "s",
                          r->account);
            if (st == NULL) {
                free(arns);
                return -1;
            }
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == cap) {
                    void *nv = realloc(arns, (cap = cap ? cap * 2 : 16) * sizeof *arns);
                    if (nv == NULL)
                        break;
                    arns = nv;
                }
                snprintf(arns[n++], IAM_ARN_MAX, "%s", iam_col(st, 0));
            }
            sqlite3_reset(st);
        }
        if (rc != SQLITE_DONE) {
            free(arns);
            return iam_internal(r);
        }
        xml_open(out, "Policies");
        for (i = 0; i < n && !err; i++) {
            if ((t = iam_page_take(&pg)) < 0)
                break;
            if (t == 0)
                continue;
            xml_open(out, "member");
            err = policy_detail(r, out, arns[i]);
            xml_close(out, "member");
        }
        free(arns);
        if (err)
            return -1;
        xml_close(out, "Policies");
    }
    return iam_page_end(out, &pg);
}
