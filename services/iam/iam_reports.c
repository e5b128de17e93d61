/* iam_reports.c — reports and policy introspection: the credential report
 * (CSV with AWS's columns from our users, keys, login profiles, MFA
 * devices and signing certificates), service-last-accessed jobs (the
 * services the entity's policies grant, never accessed as far as we
 * track), ListPoliciesGrantingServiceAccess and the GetContextKeysFor*
 * operations (the condition keys the policies' Condition blocks use). */
#include "services/iam/iam_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/codec.h"
#include "storage/db.h"

#define REPORT_TTL (4 * 3600.0) /* a report expires four hours after generation */
#define REPORT_MAX ((size_t)8 << 20)
#define MAX_NAMESPACES 200
#define MAX_KEYS 512

/* ---- credential report --------------------------------------------------- */

IAM_OP(iam_op_generate_credential_report)
{
    char t[32];

    (void)in;
    snprintf(t, sizeof t, "%.3f", r->now);
    if (iam_setting_put(r, "credential-report", t))
        return -1;
    return xml_elem(out, "State", "COMPLETE");
}

/* ",<t as ISO 8601 with +00:00>", as the report writes times. */
static void csv_iso(buf_t *b, double t)
{
    char iso[32];
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    buf_printf(b, ",%s", iso);
}

/* Column col of st as a report time, or none when NULL. */
static void csv_time(buf_t *b, sqlite3_stmt *st, int col, const char *none)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        buf_printf(b, ",%s", none);
    else
        csv_iso(b, sqlite3_column_double(st, col));
}

static const char REPORT_HEAD[] =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n";

/* The columns per user: user, arn, created, profile changed (NULL: none),
 * MFA count, max password age (NULL: none). Keys and certs come from
 * their own statements. */
static int report_user(svc_req_t *r, buf_t *b, sqlite3_stmt *u)
{
    const char *name = iam_col(u, 0);
    sqlite3_stmt *st;
    int i, rc;

    buf_printf(b, "%s,%s", name, iam_col(u, 1));
    csv_time(b, u, 2, "N/A");
    buf_printf(b, ",%s,N/A", sqlite3_column_type(u, 3) != SQLITE_NULL ? "true" : "false");
    csv_time(b, u, 3, "N/A");
    if (sqlite3_column_type(u, 3) != SQLITE_NULL && sqlite3_column_type(u, 5) != SQLITE_NULL) {
        csv_iso(b, sqlite3_column_double(u, 3) + sqlite3_column_double(u, 5) * 86400);
    } else {
        buf_adds(b, ",N/A");
    }
    buf_printf(b, ",%s", sqlite3_column_int(u, 4) > 0 ? "true" : "false");
    st = iam_stmt(r,
                  "SELECT status, created, last_used, last_used_region, last_used_service FROM "
                  "iam_access_keys WHERE account = ?1 AND user_name = ?2 ORDER BY created, "
                  "access_key_id",
                  "ss", r->account, name);
    if (st == NULL)
        return -1;
    for (i = 0; i < 2; i++) {
        if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            buf_printf(b, ",%s", !strcmp(iam_col(st, 0), "Active") ? "true" : "false");
            csv_time(b, st, 1, "N/A");
            csv_time(b, st, 2, "N/A");
            buf_printf(b, ",%s,%s", sqlite3_column_type(st, 3) ? iam_col(st, 3) : "N/A",
                       sqlite3_column_type(st, 4) ? iam_col(st, 4) : "N/A");
        } else {
            buf_adds(b, ",false,N/A,N/A,N/A,N/A");
        }
    }
    sqlite3_reset(st);
    st = iam_stmt(r,
                  "SELECT status, uploaded FROM iam_signing_certs WHERE account = ?1 AND "
                  "user_name = ?2 ORDER BY uploaded, cert_id",
                  "ss", r->account, name);
    if (st == NULL)
        return -1;
    for (i = 0; i < 2; i++) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            buf_printf(b, ",%s", !strcmp(iam_col(st, 0), "Active") ? "true" : "false");
            csv_time(b, st, 1, "N/A");
        } else {
            buf_adds(b, ",false,N/A");
        }
    }
    sqlite3_reset(st);
    return buf_adds(b, "\n");
}

IAM_OP(iam_op_get_credential_report)
{
    char t[32];
    double gen;
    sqlite3_stmt *u;
    buf_t b;
    char *enc = NULL;
    int rc;

    (void)in;
    if ((rc = iam_setting(r, "credential-report", t, sizeof t)) < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, IAM_E_REPORT_NOT_PRESENT,
                         "Credential report not present. Use GenerateCredentialReport to "
                         "generate a report.");
    gen = strtod(t, NULL);
    if (r->now - gen > REPORT_TTL)
        return svc_error(r, IAM_E_REPORT_EXPIRED,
                         "Credential report expired. Use GenerateCredentialReport to generate a "
                         "new report.");
    buf_init(&b, 4096);
    buf_adds(&b, REPORT_HEAD);
    buf_printf(&b,
               "<root_account>,arn:%s:iam::%s:root,2020-01-01T00:00:00+00:00,not_supported,"
               "N/A,not_supported,not_supported,false,true,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,"
               "N/A,false,N/A,false,N/A\n",
               IAM_PARTITION(r), r->account);
    u = iam_stmt(r,
                 "SELECT u.name, u.arn, u.created, p.changed, (SELECT COUNT(*) FROM "
                 "iam_mfa_devices m WHERE m.account = u.account AND m.user_name = u.name), "
                 "(SELECT max_age FROM iam_password_policy WHERE account = u.account) FROM "
                 "iam_users u LEFT JOIN iam_login_profiles p ON p.account = u.account AND "
                 "p.user_name = u.name WHERE u.account = ?1 ORDER BY u.name",
                 "s", r->account);
    rc = -1;
    if (u == NULL)
        goto out;
    while (sqlite3_step(u) == SQLITE_ROW && b.len < REPORT_MAX)
        if (report_user(r, &b, u)) {
            sqlite3_reset(u);
            goto out;
        }
    sqlite3_reset(u);
    if ((enc = malloc(codec_b64_enclen(b.len) + 1)) == NULL) {
        iam_internal(r);
        goto out;
    }
    codec_b64_encode((const uint8_t *)b.data, b.len, enc);
    xml_elem(out, "Content", enc);
    xml_elem(out, "ReportFormat", "text/csv");
    rc = iam_xml_time(out, "GeneratedTime", gen);
out:
    free(enc);
    buf_free(&b);
    return rc;
}

/* ---- the policies of an entity ------------------------------------------- */

/* Calls fn for every policy document that applies to the entity (kind
 * 'user' | 'group' | 'role', name): attached managed policies, inline
 * policies, and for a user those of its groups. */
typedef int (*doc_fn)(svc_req_t *r, const char *doc, const char *pname, const char *parn,
                      const char *ekind, const char *ename, void *ctx);

static int each_doc(svc_req_t *r, const char *kind, const char *name, doc_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    char **arns = NULL;
    size_t n = 0, i;
    int rc = 0;

    /* inline: the rows are copied into each callback's arguments */
    st = iam_stmt(r,
                  "SELECT policy_name, document FROM iam_inline_policies WHERE account = ?1 AND "
                  "kind = ?2 AND name = ?3 ORDER BY policy_name",
                  "sss", r->account, kind, name);
    if (st == NULL)
        return -1;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        char *pn = strdup(iam_col(st, 0)), *doc = strdup(iam_col(st, 1));
        rc = pn && doc ? fn(r, doc, pn, NULL, kind, name, ctx) : iam_internal(r);
        free(pn);
        free(doc);
    }
    sqlite3_reset(st);
    st = iam_stmt(r,
                  "SELECT policy_arn FROM iam_attachments WHERE account = ?1 AND kind = ?2 AND "
                  "name = ?3 ORDER BY policy_arn",
                  "sss", r->account, kind, name);
    if (st == NULL)
        return -1;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW && n < 64) {
        char **a = realloc(arns, (n + 1) * sizeof *a);
        if (a == NULL)
            break;
        arns = a;
        arns[n++] = strdup(iam_col(st, 0));
    }
    sqlite3_reset(st);
    for (i = 0; i < n; i++) {
        char *doc = NULL;
        const char *slash = arns[i] ? strrchr(arns[i], '/') : NULL;
        if (rc == 0 && arns[i] && iam_policy_document(r, arns[i], &doc) == 0)
            rc = fn(r, doc, slash ? slash + 1 : arns[i], arns[i], kind, name, ctx);
        free(doc);
        free(arns[i]);
    }
    free(arns);
    if (rc == 0 && !strcmp(kind, "user")) {
        char groups[16][IAM_NAME_MAX];
        size_t g = 0;
        st = iam_stmt(r,
                      "SELECT group_name FROM iam_group_members WHERE account = ?1 AND "
                      "user_name = ?2 ORDER BY group_name",
                      "ss", r->account, name);
        if (st == NULL)
            return -1;
        while (sqlite3_step(st) == SQLITE_ROW && g < 16)
            snprintf(groups[g++], IAM_NAME_MAX, "%s", iam_col(st, 0));
        sqlite3_reset(st);
        for (i = 0; i < g && rc == 0; i++)
            rc = each_doc(r, "group", groups[i], fn, ctx);
    }
    return rc;
}

/* Resolves an entity ARN (user, group or role) into kind and name. */
static int entity_of(svc_req_t *r, const char *arn, const char **kind, char name[IAM_NAME_MAX])
{
    static const struct {
        const char *type;
        const iam_kind_t *k;
    } types[] = {{":user/", &IAM_USER}, {":group/", &IAM_GROUP}, {":role/", &IAM_ROLE}};
    const char *slash = strrchr(arn, '/');
    size_t i;

    for (i = 0; i < 3 && slash; i++)
        if (strstr(arn, types[i].type)) {
            *kind = types[i].k->kind;
            if (strlen(slash + 1) >= IAM_NAME_MAX)
                break;
            return iam_find(r, types[i].k, slash + 1, name, NULL, NULL);
        }
    return svc_error(r, IAM_E_BAD_ARN, arn);
}

/* The statements of doc (an array, or one object) with Effect Allow. */
static void allow_namespaces(const char *doc, char ns[][64], size_t *n, size_t max)
{
    cJSON *root = cJSON_Parse(doc), *stmts, *s, *a, *v;

    if (root == NULL)
        return;
    stmts = cJSON_GetObjectItemCaseSensitive(root, "Statement");
    for (s = cJSON_IsArray(stmts) ? stmts->child : stmts; s; s = cJSON_IsArray(stmts) ? s->next
                                                                                        : NULL) {
        cJSON *eff = cJSON_GetObjectItemCaseSensitive(s, "Effect");
        if (!cJSON_IsString(eff) || strcmp(eff->valuestring, "Allow") != 0)
            continue;
        a = cJSON_GetObjectItemCaseSensitive(s, "Action");
        if (a == NULL)
            a = cJSON_GetObjectItemCaseSensitive(s, "NotAction");
        for (v = cJSON_IsArray(a) ? a->child : a; v; v = cJSON_IsArray(a) ? v->next : NULL) {
            const char *c;
            size_t i, len;
            if (!cJSON_IsString(v))
                continue;
            c = strchr(v->valuestring, ':');
            len = c ? (size_t)(c - v->valuestring) : strlen(v->valuestring);
            if (len == 0 || len >= 64)
                continue;
            for (i = 0; i < *n; i++)
                if (strlen(ns[i]) == len && !strncasecmp(ns[i], v->valuestring, len))
                    break;
            if (i == *n && *n < max) {
                snprintf(ns[*n], 64, "%.*s", (int)len, v->valuestring);
                for (char *p = ns[*n]; *p; p++)
                    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
                (*n)++;
            }
        }
    }
    cJSON_Delete(root);
}

/* ---- service last accessed ----------------------------------------------- */

IAM_OP(iam_op_generate_service_last_accessed_details)
{
    static const char *const gran[] = {"SERVICE_LEVEL", "ACTION_LEVEL", NULL};
    const char *arn = NULL, *g = "SERVICE_LEVEL", *kind;
    char name[IAM_NAME_MAX], id[37];
    int rc;

    if (iam_arn(r, in, "Arn", 1, &arn) || iam_enum(r, in, "Granularity", 0, gran, &g))
        return -1;
    if (strstr(arn, ":policy/")) {
        if ((rc = iam_policy_exists(r, arn, NULL, NULL)) <= 0)
            return rc < 0
                       ? -1
                       : svc_error(r, IAM_E_NO_SUCH_ENTITY, "Policy %.200s does not exist.", arn);
    } else if (entity_of(r, arn, &kind, name)) {
        return -1;
    }
    iam_uuid(id);
    if (iam_exec(r,
                 "INSERT INTO iam_jobs (id, account, kind, subject, detail, created) VALUES "
                 "(?1, ?2, 'last-accessed', ?3, ?4, ?5)",
                 "ssssd", id, r->account, arn, g, r->now))
        return -1;
    return xml_elem(out, "JobId", id);
}

typedef struct {
    char ns[MAX_NAMESPACES][64];
    size_t n;
} ns_set_t;

static int collect_ns(svc_req_t *r, const char *doc, const char *pname, const char *parn,
                      const char *ekind, const char *ename, void *ctx)
{
    ns_set_t *s = ctx;

    (void)r, (void)pname, (void)parn, (void)ekind, (void)ename;
    allow_namespaces(doc, s->ns, &s->n, MAX_NAMESPACES);
    return 0;
}

/* Reads JobId and the job: its subject ARN and granularity. */
static int read_job(svc_req_t *r, const qform_t *in, char arn[IAM_ARN_MAX], char gran[32],
                    double *created)
{
    const char *id = NULL;
    sqlite3_stmt *st;

    if (q_str(r, in, "JobId", 1, 36, 36, &id) || iam_job_created(r, "last-accessed", id, created))
        return -1;
    st = iam_stmt(r, "SELECT subject, IFNULL(detail, '') FROM iam_jobs WHERE id = ?1", "s", id);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(arn, IAM_ARN_MAX, "%s", iam_col(st, 0));
        snprintf(gran, 32, "%s", iam_col(st, 1));
    }
    sqlite3_reset(st);
    return 0;
}

IAM_OP(iam_op_get_service_last_accessed_details)
{
    char arn[IAM_ARN_MAX] = "", gran[32] = "", name[IAM_NAME_MAX];
    const char *kind;
    ns_set_t *s;
    double created = 0;
    iam_page_t pg;
    size_t i;
    int rc = -1;

    if (iam_page_init(r, in, &pg) || read_job(r, in, arn, gran, &created))
        return -1;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return iam_internal(r);
    if (strstr(arn, ":policy/")) {
        char *doc = NULL;
        if (iam_policy_document(r, arn, &doc) == 0)
            allow_namespaces(doc, s->ns, &s->n, MAX_NAMESPACES);
        free(doc);
    } else if (entity_of(r, arn, &kind, name) == 0) {
        if (each_doc(r, kind, name, collect_ns, s))
            goto out;
    }
    xml_elem(out, "JobStatus", "COMPLETED");
    xml_elem(out, "JobType", gran);
    iam_xml_time(out, "JobCreationDate", created);
    xml_open(out, "ServicesLastAccessed");
    for (i = 0; i < s->n; i++) {
        if (iam_page_take(&pg) <= 0)
            continue;
        xml_open(out, "member");
        xml_elem(out, "ServiceName", s->ns[i]);
        xml_elem(out, "ServiceNamespace", s->ns[i]);
        xml_elem_int(out, "TotalAuthenticatedEntities", 0);
        xml_close(out, "member");
    }
    xml_close(out, "ServicesLastAccessed");
    iam_xml_time(out, "JobCompletionDate", created);
    rc = iam_page_end(out, &pg);
out:
    free(s);
    return rc;
}

IAM_OP(iam_op_get_service_last_accessed_details_with_entities)
{
    char arn[IAM_ARN_MAX], gran[32];
    const char *ns = NULL;
    double created = 0;
    iam_page_t pg;

    if (q_str(r, in, "ServiceNamespace", 1, 1, 64, &ns) || iam_page_init(r, in, &pg) ||
        read_job(r, in, arn, gran, &created))
        return -1;
    xml_elem(out, "JobStatus", "COMPLETED");
    iam_xml_time(out, "JobCreationDate", created);
    iam_xml_time(out, "JobCompletionDate", created);
    xml_open(out, "EntityDetailsList");
    xml_close(out, "EntityDetailsList");
    return xml_elem(out, "IsTruncated", "false");
}

/* ---- ListPoliciesGrantingServiceAccess ----------------------------------- */

typedef struct {
    const char *ns;
    buf_t *out;
} grant_ctx_t;

static int grant_policy(svc_req_t *r, const char *doc, const char *pname, const char *parn,
                        const char *ekind, const char *ename, void *ctx)
{
    grant_ctx_t *g = ctx;
    char ns[MAX_NAMESPACES][64];
    size_t n = 0, i;

    (void)r;
    allow_namespaces(doc, ns, &n, MAX_NAMESPACES);
    for (i = 0; i < n; i++)
        if (!strcmp(ns[i], g->ns) || !strcmp(ns[i], "*"))
            break;
    if (i == n)
        return 0;
    xml_open(g->out, "member");
    xml_elem(g->out, "PolicyName", pname);
    xml_elem(g->out, "PolicyType", parn ? "MANAGED" : "INLINE");
    if (parn)
        xml_elem(g->out, "PolicyArn", parn);
    else {
        xml_elem(g->out, "EntityType", !strcmp(ekind, "user")    ? "USER"
                                       : !strcmp(ekind, "group") ? "GROUP"
                                                                 : "ROLE");
        xml_elem(g->out, "EntityName", ename);
    }
    return xml_close(g->out, "member");
}

IAM_OP(iam_op_list_policies_granting_service_access)
{
    const char *arn = NULL, *kind;
    char name[IAM_NAME_MAX];
    size_t i, cnt;

    if (iam_arn(r, in, "Arn", 1, &arn) ||
        q_list_count(r, in, "ServiceNamespaces", NULL, MAX_NAMESPACES, &cnt))
        return -1;
    if (cnt == 0)
        return iam_null(r, "ServiceNamespaces");
    if (entity_of(r, arn, &kind, name))
        return -1;
    xml_open(out, "PoliciesGrantingServiceAccess");
    for (i = 0; i < cnt; i++) {
        char m[48];
        const char *ns = NULL;
        grant_ctx_t g;
        snprintf(m, sizeof m, "ServiceNamespaces.member.%zu", i + 1);
        if (q_str(r, in, m, 1, 1, 64, &ns) || q_charset(r, m, ns, "_-", "[\\w-]*"))
            return -1;
        xml_open(out, "member");
        xml_elem(out, "ServiceNamespace", ns);
        xml_open(out, "Policies");
        g.ns = ns;
        g.out = out;
        if (each_doc(r, kind, name, grant_policy, &g))
            return -1;
        xml_close(out, "Policies");
        xml_close(out, "member");
    }
    xml_close(out, "PoliciesGrantingServiceAccess");
    return xml_elem(out, "IsTruncated", "false");
}

/* ---- context keys -------------------------------------------------------- */

typedef struct {
    char *keys[MAX_KEYS];
    size_t n;
} keyset_t;

/* Adds the condition keys of doc's statements (case-insensitively unique). */
static void doc_keys(const char *doc, keyset_t *ks)
{
    cJSON *root = cJSON_Parse(doc), *stmts, *s, *cond, *op, *k;

    if (root == NULL)
        return;
    stmts = cJSON_GetObjectItemCaseSensitive(root, "Statement");
    for (s = cJSON_IsArray(stmts) ? stmts->child : stmts; s; s = cJSON_IsArray(stmts) ? s->next
                                                                                        : NULL) {
        cond = cJSON_GetObjectItemCaseSensitive(s, "Condition");
        for (op = cJSON_IsObject(cond) ? cond->child : NULL; op; op = op->next)
            for (k = cJSON_IsObject(op) ? op->child : NULL; k; k = k->next) {
                size_t i;
                for (i = 0; i < ks->n; i++)
                    if (!strcasecmp(ks->keys[i], k->string))
                        break;
                if (i == ks->n && ks->n < MAX_KEYS)
                    ks->keys[ks->n++] = strdup(k->string);
            }
    }
    cJSON_Delete(root);
}

static int keys_cb(svc_req_t *r, const char *doc, const char *pname, const char *parn,
                   const char *ekind, const char *ename, void *ctx)
{
    (void)r, (void)pname, (void)parn, (void)ekind, (void)ename;
    doc_keys(doc, ctx);
    return 0;
}

/* Adds the keys of PolicyInputList.member.N (each a valid policy). */
static int input_keys(svc_req_t *r, const qform_t *in, int required, keyset_t *ks)
{
    size_t i, cnt;

    if (q_list_count(r, in, "PolicyInputList", NULL, 1000, &cnt))
        return -1;
    if (cnt == 0 && required)
        return iam_null(r, "PolicyInputList");
    for (i = 0; i < cnt; i++) {
        char m[48];
        const char *doc = NULL;
        snprintf(m, sizeof m, "PolicyInputList.member.%zu", i + 1);
        if (iam_document(r, in, m, POLICY_IDENTITY, &doc))
            return -1;
        doc_keys(doc, ks);
    }
    return 0;
}

static int keys_answer(buf_t *out, keyset_t *ks)
{
    size_t i;

    xml_open(out, "ContextKeyNames");
    for (i = 0; i < ks->n; i++) {
        if (ks->keys[i])
            xml_elem(out, "member", ks->keys[i]);
        free(ks->keys[i]);
    }
    ks->n = 0;
    return xml_close(out, "ContextKeyNames");
}

static void keys_free(keyset_t *ks)
{
    size_t i;

    for (i = 0; i < ks->n; i++)
        free(ks->keys[i]);
    ks->n = 0;
}

IAM_OP(iam_op_get_context_keys_for_custom_policy)
{
    keyset_t *ks = calloc(1, sizeof *ks);
    int rc;

    if (ks == NULL)
        return iam_internal(r);
    rc = input_keys(r, in, 1, ks);
    rc = rc ? rc : keys_answer(out, ks);
    keys_free(ks);
    free(ks);
    return rc;
}

IAM_OP(iam_op_get_context_keys_for_principal_policy)
{
    const char *arn = NULL, *kind;
    char name[IAM_NAME_MAX];
    keyset_t *ks;
    int rc;

    if (iam_arn(r, in, "PolicySourceArn", 1, &arn) || entity_of(r, arn, &kind, name))
        return -1;
    if ((ks = calloc(1, sizeof *ks)) == NULL)
        return iam_internal(r);
    rc = each_doc(r, kind, name, keys_cb, ks);
    rc = rc ? rc : input_keys(r, in, 0, ks);
    rc = rc ? rc : keys_answer(out, ks);
    keys_free(ks);
    free(ks);
    return rc;
}
