/* iam_inline.c — inline policies of users, groups and roles:
 * Put/Get/Delete/List{User,Group,Role}Policy (names unique per entity,
 * case-insensitively; aggregate size quotas per entity kind). */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>

#include "storage/db.h"

int iam_has_inline(svc_req_t *r, const iam_kind_t *k, const char *name)
{
    return iam_any(r,
                   "SELECT 1 FROM iam_inline_policies WHERE account = ?1 AND kind = ?2 AND "
                   "name = ?3",
                   "sss", r->account, k->kind, name);
}

int iam_inline_xml(svc_req_t *r, buf_t *out, const iam_kind_t *k, const char *name,
                   const char *elem)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "SELECT policy_name, document FROM iam_inline_policies WHERE "
                                "account = ?1 AND kind = ?2 AND name = ?3 ORDER BY policy_name",
                                "sss", r->account, k->kind, name);
    int rc;

    if (st == NULL)
        return -1;
    xml_open(out, elem);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xml_open(out, "member");
        xml_elem(out, "PolicyName", iam_col(st, 0));
        iam_xml_doc(out, "PolicyDocument", iam_col(st, 1));
        xml_close(out, "member");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return iam_internal(r);
    return xml_close(out, elem);
}

static const char SQL_DELETE[] = "DELETE FROM iam_inline_policies WHERE account = ?1 AND "
                                 "kind = ?2 AND name = ?3 AND policy_name = ?4";

/* Reads k's member and PolicyName and resolves the entity. */
static int read_target(svc_req_t *r, const qform_t *in, const iam_kind_t *k,
                       char canon[IAM_NAME_MAX], const char **pname)
{
    const char *name = NULL;

    if (iam_name(r, in, k->member, 1, k->name_max, &name) ||
        iam_name(r, in, "PolicyName", 1, 128, pname) || iam_find(r, k, name, canon, NULL, NULL))
        return -1;
    return 0;
}

static int put_policy(svc_req_t *r, const qform_t *in, const iam_kind_t *k)
{
    const char *name = NULL, *pname = NULL, *doc = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    size_t total;
    int rc;

    if (iam_name(r, in, k->member, 1, k->name_max, &name) ||
        iam_name(r, in, "PolicyName", 1, 128, &pname) ||
        iam_stored_document(r, in, "PolicyDocument", &doc) ||
        iam_find(r, k, name, canon, NULL, NULL))
        return -1;
    total = iam_doc_size(doc);
    if (db_begin(r->emu->db))
        return iam_internal(r);
    st = iam_stmt(r,
                  "SELECT document FROM iam_inline_policies WHERE account = ?1 AND "
                  "kind = ?2 AND name = ?3 AND policy_name <> ?4",
                  "ssss", r->account, k->kind, canon, pname);
    if (st == NULL)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        total += iam_doc_size(iam_col(st, 0));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return iam_internal(r);
    if (total > k->inline_max) {
        db_rollback(r->emu->db);
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "Maximum policy size of %zu bytes exceeded for %s %s", k->inline_max,
                         k->noun, canon);
    }
    if (iam_exec(r, SQL_DELETE, "ssss", r->account, k->kind, canon, pname) ||
        iam_exec(r,
                 "INSERT INTO iam_inline_policies (account, kind, name, policy_name, "
                 "document, seq) VALUES (?1, ?2, ?3, ?4, ?5, (SELECT IFNULL(MAX(seq), "
                 "0) + 1 FROM iam_inline_policies))",
                 "sssss", r->account, k->kind, canon, pname, doc))
        return -1;
    return db_commit(r->emu->db) ? iam_internal(r) : 0;
}

static int no_policy(svc_req_t *r, const iam_kind_t *k, const char *pname)
{
    return svc_error(r, IAM_E_NO_SUCH_ENTITY, "The %s policy with name %s cannot be found.",
                     k->noun, pname);
}

static int get_policy(svc_req_t *r, const qform_t *in, buf_t *out, const iam_kind_t *k)
{
    const char *pname = NULL;
    char canon[IAM_NAME_MAX];
    sqlite3_stmt *st;
    int rc;

    if (read_target(r, in, k, canon, &pname))
        return -1;
    st = iam_stmt(r,
                  "SELECT policy_name, document FROM iam_inline_policies WHERE "
                  "account = ?1 AND kind = ?2 AND name = ?3 AND policy_name = ?4",
                  "ssss", r->account, k->kind, canon, pname);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        xml_elem(out, k->member, canon);
        xml_elem(out, "PolicyName", iam_col(st, 0));
        iam_xml_doc(out, "PolicyDocument", iam_col(st, 1));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? no_policy(r, k, pname) : iam_internal(r);
}

static int delete_policy(svc_req_t *r, const qform_t *in, const iam_kind_t *k)
{
    const char *pname = NULL;
    char canon[IAM_NAME_MAX];

    if (read_target(r, in, k, canon, &pname) ||
        iam_exec(r, SQL_DELETE, "ssss", r->account, k->kind, canon, pname))
        return -1;
    return sqlite3_changes(db_handle(r->emu->db)) ? 0 : no_policy(r, k, pname);
}

static int name_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    (void)ctx;
    return xml_elem(out, "member", iam_col(st, 0));
}

static int list_policies(svc_req_t *r, const qform_t *in, buf_t *out, const iam_kind_t *k)
{
    const char *name = NULL;
    char canon[IAM_NAME_MAX];
    iam_page_t pg;

    if (iam_name(r, in, k->member, 1, k->name_max, &name) || iam_page_init(r, in, &pg) ||
        iam_find(r, k, name, canon, NULL, NULL))
        return -1;
    return iam_list_page(r, out,
                         iam_stmt(r,
                                  "SELECT policy_name FROM iam_inline_policies WHERE "
                                  "account = ?1 AND kind = ?2 AND name = ?3 ORDER BY "
                                  "policy_name",
                                  "sss", r->account, k->kind, canon),
                         "PolicyNames", &pg, name_member, NULL);
}

IAM_OP_CALL(iam_op_put_user_policy, put_policy(r, in, &IAM_USER))
IAM_OP_CALL(iam_op_put_group_policy, put_policy(r, in, &IAM_GROUP))
IAM_OP_CALL(iam_op_put_role_policy, put_policy(r, in, &IAM_ROLE))
IAM_OP_CALL(iam_op_get_user_policy, get_policy(r, in, out, &IAM_USER))
IAM_OP_CALL(iam_op_get_group_policy, get_policy(r, in, out, &IAM_GROUP))
IAM_OP_CALL(iam_op_get_role_policy, get_policy(r, in, out, &IAM_ROLE))
IAM_OP_CALL(iam_op_delete_user_policy, delete_policy(r, in, &IAM_USER))
IAM_OP_CALL(iam_op_delete_group_policy, delete_policy(r, in, &IAM_GROUP))
IAM_OP_CALL(iam_op_delete_role_policy, delete_policy(r, in, &IAM_ROLE))
IAM_OP_CALL(iam_op_list_user_policies, list_policies(r, in, out, &IAM_USER))
IAM_OP_CALL(iam_op_list_group_policies, list_policies(r, in, out, &IAM_GROUP))
IAM_OP_CALL(iam_op_list_role_policies, list_policies(r, in, out, &IAM_ROLE))
