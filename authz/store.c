/* store.c — the identity-policy store (authz/store.h): a principal's
 * policies and tags read from IAM's tables (users, roles, groups, inline
 * and attached policies, boundaries, STS sessions), parsed once and kept
 * until IAM changes; managed policy documents; policy simulation. */
#include "authz/store.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "storage/db.h"

#define SET_SLOTS 64

/* Policies that allow everything and nothing. */
#define ALLOW_ALL "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
                  "\"Action\":\"*\",\"Resource\":\"*\"}]}"
#define ALLOW_NOTHING "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
                      "\"NotAction\":\"*\",\"Resource\":\"*\"}]}"

/* ---- a caller's policies ------------------------------------------------- */


static authz_set_t sets[SET_SLOTS];
static unsigned set_gen = 1;

static void slot_clear(authz_set_t *s)
{
    size_t i;

    for (i = 0; i < s->nidentity; i++) {
        policy_free(s->identity[i]);
        free(s->names[i]);
    }
    for (i = 0; i < s->nsession; i++)
        policy_free(s->session[i]);
    for (i = 0; i < s->ntags; i++) {
        free(s->tag_keys[i]);
        free(s->tag_vals[i]);
    }
    policy_free(s->boundary);
    memset(s, 0, sizeof *s);
}

void authz_store_reset(void)
{
    size_t i;

    for (i = 0; i < SET_SLOTS; i++)
        slot_clear(&sets[i]);
    set_gen++;
}

static void add_identity(authz_set_t *s, const char *doc, const char *name)
{
    char err[256];
    policy_t *p;

    if (s->nidentity >= AUTHZ_MAX_POLICIES || doc == NULL)
        return;
    p = policy_parse(doc, strlen(doc), POLICY_IDENTITY, err, sizeof err);
    if (p == NULL)
        return;
    s->identity[s->nidentity] = p;
    s->names[s->nidentity] = strdup(name);
    s->nidentity++;
}

static void add_managed(emu_t *emu, authz_set_t *s, const char *account, const char *arn)
{
    char *doc;

    if (authz_managed_document(emu, account, arn, &doc) == 0)
        add_identity(s, doc, arn);
    free(doc);
}

/* The inline and attached policies of one user, group or role. */
static void add_entity(emu_t *emu, authz_set_t *s, const char *account, const char *kind,
                       const char *name)
{
    sqlite3_stmt *st;
    char label[400];
    char *arns[AUTHZ_MAX_POLICIES];
    size_t n = 0, i;

    st = db_query(emu->db, "SELECT policy_name, document FROM iam_inline_policies WHERE "
                           "account=?1 AND kind=?2 AND name=?3 ORDER BY seq",
                  "sss", account, kind, name);
    while (db_row(st) == 1) {
        snprintf(label, sizeof label, "%s/%s inline policy %s", kind, name, db_text(st, 0));
        add_identity(s, (const char *)sqlite3_column_text(st, 1), label);
    }
    db_done(st);
    /* collect first: add_managed reuses statements */
    st = db_query(emu->db, "SELECT policy_arn FROM iam_attachments WHERE account=?1 AND kind=?2 "
                           "AND name=?3 ORDER BY seq",
                  "sss", account, kind, name);
    while (n < AUTHZ_MAX_POLICIES && db_row(st) == 1)
        if ((arns[n] = strdup(db_text(st, 0))) != NULL)
            n++;
    db_done(st);
    for (i = 0; i < n; i++) {
        add_managed(emu, s, account, arns[i]);
        free(arns[i]);
    }
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? strdup((const char *)t) : NULL;
}

/* The permissions boundary of a user or role (sql selects its ARN). A
 * boundary whose policy cannot be read allows nothing. */
static void load_boundary(emu_t *emu, authz_set_t *s, const char *account, const char *name,
                          const char *sql)
{
    sqlite3_stmt *st = db_query(emu->db, sql, "ss", account, name);
    char *arn = NULL, *doc, err[256];

    if (db_row(st) == 1)
        arn = column_dup(st, 0);
    db_done(st);
    if (arn == NULL)
        return;
    if (authz_managed_document(emu, account, arn, &doc) == 0) {
        s->boundary = policy_parse(doc, strlen(doc), POLICY_IDENTITY, err, sizeof err);
        free(doc);
    }
    if (s->boundary == NULL)
        s->boundary = policy_parse(ALLOW_NOTHING, sizeof ALLOW_NOTHING - 1, POLICY_IDENTITY, err,
                                   sizeof err);
    free(arn);
}

static void load_user(emu_t *emu, authz_set_t *s, const char *account, const char *user)
{
    sqlite3_stmt *st;
    char *groups[AUTHZ_MAX_POLICIES];
    size_t n = 0, i;

    add_entity(emu, s, account, "user", user);
    st = db_query(emu->db, "SELECT group_name FROM iam_group_members WHERE account=?1 AND "
                           "user_name=?2 ORDER BY seq",
                  "ss", account, user);
    while (n < AUTHZ_MAX_POLICIES && db_row(st) == 1)
        if ((groups[n] = column_dup(st, 0)) != NULL)
            n++;
    db_done(st);
    for (i = 0; i < n; i++) {
        add_entity(emu, s, account, "group", groups[i]);
        free(groups[i]);
    }
    load_boundary(emu, s, account, user,
                  "SELECT boundary FROM iam_users WHERE account=?1 AND name=?2");
}

static void load_role(emu_t *emu, authz_set_t *s, const char *account, const char *role)
{
    add_entity(emu, s, account, "role", role);
    load_boundary(emu, s, account, role,
                  "SELECT boundary FROM iam_roles WHERE account=?1 AND name=?2");
}

/* Session policies of STS credentials: the inline one and the managed ARNs. */
static void load_session(emu_t *emu, authz_set_t *s, const char *account, const char *akid)
{
    sqlite3_stmt *st = db_query(emu->db, "SELECT policy, policy_arns FROM sts_sessions WHERE "
                                         "access_key_id=?1",
                                "s", akid);
    char *inl = NULL, *arns = NULL, err[256];

    if (db_row(st) == 1) {
        inl = column_dup(st, 0);
        arns = column_dup(st, 1);
    }
    db_done(st);
    if (inl || arns)
        s->session_scoped = 1;
    if (inl && s->nsession < AUTHZ_MAX_POLICIES) {
        policy_t *p = policy_parse(inl, strlen(inl), POLICY_IDENTITY, err, sizeof err);
        if (p)
            s->session[s->nsession++] = p;
    }
    if (arns) {
        /* a JSON array of strings, written by AssumeRole */
        char *p = arns;
        while ((p = strchr(p, '"')) != NULL && s->nsession < AUTHZ_MAX_POLICIES) {
            char *end = strchr(p + 1, '"'), *doc;
            if (end == NULL)
                break;
            *end = '\0';
            if (authz_managed_document(emu, account, p + 1, &doc) == 0) {
                policy_t *q = policy_parse(doc, strlen(doc), POLICY_IDENTITY, err, sizeof err);
                if (q)
                    s->session[s->nsession++] = q;
            }
            free(doc);
            p = end + 1;
        }
    }
    free(inl);
    free(arns);
}

static void add_tag(authz_set_t *s, const char *key, const char *value)
{
    char name[200];
    size_t i;

    if (key == NULL || value == NULL)
        return;
    snprintf(name, sizeof name, "aws:PrincipalTag/%s", key);
    for (i = 0; i < s->ntags; i++)
        if (!strcasecmp(s->tag_keys[i], name)) { /* session tags override */
            free(s->tag_vals[i]);
            s->tag_vals[i] = strdup(value);
            return;
        }
    if (s->ntags < AUTHZ_MAX_TAGS) {
        s->tag_keys[s->ntags] = strdup(name);
        s->tag_vals[s->ntags] = strdup(value);
        if (s->tag_keys[s->ntags] && s->tag_vals[s->ntags])
            s->ntags++;
    }
}

/* The principal's tags: the user's or role's, then a session's own. */
static void load_tags(emu_t *emu, authz_set_t *s, const char *account, const char *kind,
                      const char *name, const char *akid)
{
    sqlite3_stmt *st = db_query(emu->db, "SELECT key, value FROM iam_tags WHERE account=?1 AND "
                                         "kind=?2 AND name=?3 ORDER BY seq",
                                "sss", account, kind, name);

    while (db_row(st) == 1)
        add_tag(s, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1));
    db_done(st);
    if (akid == NULL)
        return;
    st = db_query(emu->db, "SELECT tags FROM sts_sessions WHERE access_key_id=?1", "s", akid);
    if (db_row(st) == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        cJSON *tags = cJSON_Parse(db_text(st, 0)), *t;
        cJSON_ArrayForEach(t, tags) {
            if (cJSON_IsString(t))
                add_tag(s, t->string, t->valuestring);
        }
        cJSON_Delete(tags);
    }
    db_done(st);
}

const authz_set_t *authz_store_caller(emu_t *emu, const principal_t *who, const char *akid,
                                      const char *account)
{
    size_t an = strlen(who->arn), kn = who->temporary ? strlen(akid) : 0;
    unsigned gen = set_gen + authz_generation();
    authz_set_t *s;

    if (!who->temporary)
        akid = "";
    s = &sets[authz_fnv(akid, kn, authz_fnv(who->arn, an, 2166136261u)) % SET_SLOTS];
    if (s->used && s->gen == gen && !strcmp(s->arn, who->arn) && !strcmp(s->akid, akid))
        return s;
    slot_clear(s);
    if (an >= sizeof s->arn || kn >= sizeof s->akid)
        return s; /* cannot be: both come from buffers of these sizes */
    s->used = 1;
    s->gen = gen;
    memcpy(s->arn, who->arn, an + 1);
    memcpy(s->akid, akid, kn + 1);
    switch (who->kind) {
    case PRINCIPAL_USER:
    case PRINCIPAL_USER_SESSION:
        load_user(emu, s, account, who->name);
        load_tags(emu, s, account, "user", who->name, NULL);
        break;
    case PRINCIPAL_ROLE_SESSION:
        load_role(emu, s, account, who->name);
        load_session(emu, s, account, akid);
        load_tags(emu, s, account, "role", who->name, akid);
        break;
    case PRINCIPAL_FEDERATED:
        /* what the IAM user (or root) who asked may do, limited by the
         * session policies; without any, nothing (AWS) */
        if (who->name[0])
            load_user(emu, s, account, who->name);
        else
            add_identity(s, ALLOW_ALL, "the root user's permissions");
        load_session(emu, s, account, akid);
        if (s->nsession == 0) {
            char err[256];
            policy_t *p = policy_parse(ALLOW_NOTHING, sizeof ALLOW_NOTHING - 1, POLICY_IDENTITY,
                                       err, sizeof err);
            if (p)
                s->session[s->nsession++] = p;
        }
        s->session_scoped = 1;
        load_tags(emu, s, account, "federated-user", "", akid);
        break;
    default:
        break;
    }
    return s;
}


/* ---- managed policy documents -------------------------------------------- */

int authz_managed_document(emu_t *emu, const char *account, const char *arn, char **doc)
{
    const char *aws = authz_aws_policy_document(arn);
    sqlite3_stmt *st;

    *doc = NULL;
    if (aws) {
        *doc = strdup(aws);
        return *doc ? 0 : -1;
    }
    st = db_query(emu->db, "SELECT v.document FROM iam_policies p JOIN iam_policy_versions v "
                           "ON v.policy_arn = p.arn AND v.version_id = p.default_version "
                           "WHERE p.arn = ?1 AND p.account = ?2",
                  "ss", arn, account);
    if (db_row(st) == 1)
        *doc = strdup(db_text(st, 0));
    db_done(st);
    return *doc ? 0 : -1;
}

/* ---- simulation ---------------------------------------------------------- */

int authz_simulate(emu_t *emu, const char *account, const authz_sim_t *sim,
                   const policy_request_t *q, policy_decision_t *d, int *boundary_allows)
{
    authz_set_t s;
    const policy_t *resource = NULL;
    policy_set_t set;
    char err[256], label[64];
    size_t i;
    int ok;

    memset(&s, 0, sizeof s);
    if (sim->source_kind && !strcmp(sim->source_kind, "user"))
        load_user(emu, &s, account, sim->source_name);
    else if (sim->source_kind && !strcmp(sim->source_kind, "role"))
        load_role(emu, &s, account, sim->source_name);
    else if (sim->source_kind)
        add_entity(emu, &s, account, sim->source_kind, sim->source_name);
    for (i = 0; i < sim->ndocs; i++) {
        snprintf(label, sizeof label, "PolicyInputList.%zu", i + 1);
        add_identity(&s, sim->docs[i], label);
    }
    if (sim->boundary) {
        policy_free(s.boundary);
        s.boundary = policy_parse(sim->boundary, strlen(sim->boundary), POLICY_IDENTITY, err,
                                  sizeof err);
    }
    if (sim->resource_policy)
        resource = authz_resource_policy(q->resource ? q->resource : "*", sim->resource_policy,
                                   POLICY_RESOURCE);
    memset(&set, 0, sizeof set);
    set.identity = (const policy_t *const *)s.identity;
    set.identity_names = (const char *const *)s.names;
    set.nidentity = s.nidentity;
    set.boundary = s.boundary;
    set.resource = resource;
    ok = policy_decide(&set, q, d);
    if (boundary_allows)
        *boundary_allows = s.boundary ? policy_eval(s.boundary, q, NULL) == POLICY_ALLOW : -1;
    /* the decision names policies of s: copy the name before s goes */
    if (d->policy_name) {
        static char name[400];
        str_copy(name, sizeof name, d->policy_name);
        d->policy_name = name;
    }
    slot_clear(&s);
    return ok;
}
