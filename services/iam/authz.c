/* authz.c — the authorization of a request in --iam enforce mode: gathers
 * the caller's policies (inline, attached managed, groups', permissions
 * boundary, session policies), the resource's policy and the request's
 * condition keys, and lets the policy engine decide as AWS does. Parsed
 * policies are cached: a caller's set until IAM changes, resource policies
 * by their text. */
#include "services/iam/iam_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/codec.h"
#include "storage/keyring.h"
#include "storage/db.h"
#include "base/log.h"
#include "authz/policy.h"
#include "emulator/proto_json.h"

#define MAX_POLICIES 64     /* per caller: AWS's quotas keep it far lower */
#define SET_SLOTS 64
#define DOC_SLOTS 128
#define MAX_TAGS 50         /* IAM's limit per user or role, and per session */

/* Policies that allow everything and nothing. */
#define ALLOW_ALL "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
                  "\"Action\":\"*\",\"Resource\":\"*\"}]}"
#define ALLOW_NOTHING "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
                      "\"NotAction\":\"*\",\"Resource\":\"*\"}]}"

/* ---- parsed resource policies, by resource -------------------------------- */

/* Each resource's policy is parsed once and kept with its text: a request
 * finds it by the resource's ARN and compares the text it read (a
 * changed policy is parsed again). */
typedef struct {
    char *owner;  /* the resource ARN */
    char *text;
    size_t len;
    int kind;
    policy_t *p;
} doc_slot_t;

static doc_slot_t docs[DOC_SLOTS];

static unsigned fnv(const char *s, size_t n, unsigned h)
{
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void doc_clear(doc_slot_t *d)
{
    policy_free(d->p);
    free(d->owner);
    free(d->text);
    memset(d, 0, sizeof *d);
}

/* The parsed form of doc (owner's policy), or NULL when it does not parse
 * (then it grants nothing). The cache owns it. */
static const policy_t *resource_policy(const char *owner, const char *doc, enum policy_kind kind)
{
    size_t n = strlen(doc), on = strlen(owner);
    doc_slot_t *d = &docs[fnv(owner, on, 2166136261u + (unsigned)kind) % DOC_SLOTS];
    char err[256];

    if (d->text && d->kind == (int)kind && d->len == n && !memcmp(d->text, doc, n) &&
        !strcmp(d->owner, owner))
        return d->p;
    doc_clear(d);
    d->owner = strdup(owner);
    d->text = strdup(doc);
    if (d->owner == NULL || d->text == NULL) {
        doc_clear(d);
        return NULL;
    }
    d->len = n;
    d->kind = (int)kind;
    d->p = policy_parse(doc, n, kind, err, sizeof err);
    return d->p;
}

/* ---- a caller's policies ------------------------------------------------- */

typedef struct {
    int used;
    unsigned gen;
    char arn[sizeof(((principal_t *)0)->arn)];   /* the principal's */
    char akid[sizeof(((svc_req_t *)0)->access_key)]; /* temporary credentials' */
    policy_t *identity[MAX_POLICIES];
    char *names[MAX_POLICIES];
    size_t nidentity;
    policy_t *boundary;
    policy_t *session[MAX_POLICIES];
    size_t nsession;
    int session_scoped;            /* temporary credentials with session policies */
    char *tag_keys[MAX_TAGS];      /* "aws:PrincipalTag/<key>" */
    char *tag_vals[MAX_TAGS];
    size_t ntags;
} set_slot_t;

static set_slot_t sets[SET_SLOTS];
static unsigned set_gen = 1;

static void slot_clear(set_slot_t *s)
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

void authz_reset(void)
{
    size_t i;

    for (i = 0; i < SET_SLOTS; i++)
        slot_clear(&sets[i]);
    for (i = 0; i < DOC_SLOTS; i++)
        doc_clear(&docs[i]);
    iam_creds_reset();
    set_gen++;
}

static void add_identity(set_slot_t *s, const char *doc, const char *name)
{
    char err[256];
    policy_t *p;

    if (s->nidentity >= MAX_POLICIES || doc == NULL)
        return;
    p = policy_parse(doc, strlen(doc), POLICY_IDENTITY, err, sizeof err);
    if (p == NULL)
        return;
    s->identity[s->nidentity] = p;
    s->names[s->nidentity] = strdup(name);
    s->nidentity++;
}

static void add_managed(emu_t *emu, set_slot_t *s, const char *account, const char *arn)
{
    char *doc;

    if (iam_managed_document(emu, account, arn, &doc) == 0)
        add_identity(s, doc, arn);
    free(doc);
}

/* The inline and attached policies of one user, group or role. */
static void add_entity(emu_t *emu, set_slot_t *s, const char *account, const char *kind,
                       const char *name)
{
    sqlite3_stmt *st;
    char label[400];
    char *arns[MAX_POLICIES];
    size_t n = 0, i;

    st = db_stmt(emu->db, "SELECT policy_name, document FROM iam_inline_policies WHERE "
                          "account=?1 AND kind=?2 AND name=?3 ORDER BY seq");
    if (st) {
        sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(label, sizeof label, "%s/%s inline policy %s", kind, name,
                     (const char *)sqlite3_column_text(st, 0));
            add_identity(s, (const char *)sqlite3_column_text(st, 1), label);
        }
        sqlite3_reset(st);
    }
    /* collect first: add_managed reuses statements */
    st = db_stmt(emu->db, "SELECT policy_arn FROM iam_attachments WHERE account=?1 AND kind=?2 "
                          "AND name=?3 ORDER BY seq");
    if (st) {
        sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        while (n < MAX_POLICIES && sqlite3_step(st) == SQLITE_ROW)
            if ((arns[n] = strdup((const char *)sqlite3_column_text(st, 0))) != NULL)
                n++;
        sqlite3_reset(st);
    }
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
static void load_boundary(emu_t *emu, set_slot_t *s, const char *account, const char *name,
                          const char *sql)
{
    sqlite3_stmt *st = db_stmt(emu->db, sql);
    char *arn = NULL, *doc, err[256];

    if (st) {
        sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            arn = column_dup(st, 0);
        sqlite3_reset(st);
    }
    if (arn == NULL)
        return;
    if (iam_managed_document(emu, account, arn, &doc) == 0) {
        s->boundary = policy_parse(doc, strlen(doc), POLICY_IDENTITY, err, sizeof err);
        free(doc);
    }
    if (s->boundary == NULL)
        s->boundary = policy_parse(ALLOW_NOTHING, sizeof ALLOW_NOTHING - 1, POLICY_IDENTITY, err,
                                   sizeof err);
    free(arn);
}

static void load_user(emu_t *emu, set_slot_t *s, const char *account, const char *user)
{
    sqlite3_stmt *st;
    char *groups[MAX_POLICIES];
    size_t n = 0, i;

    add_entity(emu, s, account, "user", user);
    st = db_stmt(emu->db, "SELECT group_name FROM iam_group_members WHERE account=?1 AND "
                          "user_name=?2 ORDER BY seq");
    if (st) {
        sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
        while (n < MAX_POLICIES && sqlite3_step(st) == SQLITE_ROW)
            if ((groups[n] = column_dup(st, 0)) != NULL)
                n++;
        sqlite3_reset(st);
    }
    for (i = 0; i < n; i++) {
        add_entity(emu, s, account, "group", groups[i]);
        free(groups[i]);
    }
    load_boundary(emu, s, account, user,
                  "SELECT boundary FROM iam_users WHERE account=?1 AND name=?2");
}

static void load_role(emu_t *emu, set_slot_t *s, const char *account, const char *role)
{
    add_entity(emu, s, account, "role", role);
    load_boundary(emu, s, account, role,
                  "SELECT boundary FROM iam_roles WHERE account=?1 AND name=?2");
}

/* Session policies of STS credentials: the inline one and the managed ARNs. */
static void load_session(emu_t *emu, set_slot_t *s, const char *account, const char *akid)
{
    sqlite3_stmt *st = db_stmt(emu->db, "SELECT policy, policy_arns FROM sts_sessions WHERE "
                                        "access_key_id=?1");
    char *inl = NULL, *arns = NULL, err[256];

    if (st == NULL)
        return;
    sqlite3_bind_text(st, 1, akid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        inl = column_dup(st, 0);
        arns = column_dup(st, 1);
    }
    sqlite3_reset(st);
    if (inl || arns)
        s->session_scoped = 1;
    if (inl && s->nsession < MAX_POLICIES) {
        policy_t *p = policy_parse(inl, strlen(inl), POLICY_IDENTITY, err, sizeof err);
        if (p)
            s->session[s->nsession++] = p;
    }
    if (arns) {
        /* a JSON array of strings, written by AssumeRole */
        char *p = arns;
        while ((p = strchr(p, '"')) != NULL && s->nsession < MAX_POLICIES) {
            char *end = strchr(p + 1, '"'), *doc;
            if (end == NULL)
                break;
            *end = '\0';
            if (iam_managed_document(emu, account, p + 1, &doc) == 0) {
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

static void add_tag(set_slot_t *s, const char *key, const char *value)
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
    if (s->ntags < MAX_TAGS) {
        s->tag_keys[s->ntags] = strdup(name);
        s->tag_vals[s->ntags] = strdup(value);
        if (s->tag_keys[s->ntags] && s->tag_vals[s->ntags])
            s->ntags++;
    }
}

/* The principal's tags: the user's or role's, then a session's own. */
static void load_tags(emu_t *emu, set_slot_t *s, const char *account, const char *kind,
                      const char *name, const char *akid)
{
    sqlite3_stmt *st = db_stmt(emu->db, "SELECT key, value FROM iam_tags WHERE account=?1 AND "
                                        "kind=?2 AND name=?3 ORDER BY seq");

    if (st) {
        sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            add_tag(s, (const char *)sqlite3_column_text(st, 0),
                    (const char *)sqlite3_column_text(st, 1));
        sqlite3_reset(st);
    }
    if (akid == NULL)
        return;
    st = db_stmt(emu->db, "SELECT tags FROM sts_sessions WHERE access_key_id=?1");
    if (st) {
        sqlite3_bind_text(st, 1, akid, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            cJSON *tags = cJSON_Parse((const char *)sqlite3_column_text(st, 0)), *t;
            cJSON_ArrayForEach(t, tags) {
                if (cJSON_IsString(t))
                    add_tag(s, t->string, t->valuestring);
            }
            cJSON_Delete(tags);
        }
        sqlite3_reset(st);
    }
}

static const set_slot_t *caller_set(emu_t *emu, const principal_t *who, const char *akid,
                                    const char *account)
{
    size_t an = strlen(who->arn), kn = who->temporary ? strlen(akid) : 0;
    unsigned gen = set_gen + iam_generation();
    set_slot_t *s;

    if (!who->temporary)
        akid = "";
    s = &sets[fnv(akid, kn, fnv(who->arn, an, 2166136261u)) % SET_SLOTS];
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

/* ---- the request context ------------------------------------------------- */

#define MAX_CTX 320 /* global keys, 50 principal tags, a service's keys (KMS: 64 context
                        pairs, 50 resource tags, 50 request tags, ...) */

typedef struct {
    policy_ctx_t ctx[MAX_CTX];
    const char *vals[MAX_CTX];
    size_t n;
    char now_iso[32], epoch[32];
} ctx_t;

static void put(ctx_t *c, const char *key, const char *value)
{
    if (c->n >= MAX_CTX || value == NULL)
        return;
    c->vals[c->n] = value;
    c->ctx[c->n] = (policy_ctx_t){key, &c->vals[c->n], 1, NULL, 0};
    c->n++;
}

static void build_ctx(ctx_t *c, svc_req_t *r, const principal_t *who, const authz_t *a,
                      const set_slot_t *s)
{
    size_t i;

    c->n = 0;
    {
        /* formatted once a second */
        static long sec = -1;
        static char iso[32], epoch[32];
        if ((long)r->now != sec) {
            sec = (long)r->now;
            clock_iso8601((double)sec, iso);
            iso[19] = 'Z'; /* seconds precision, as AWS compares dates */
            iso[20] = '\0';
            snprintf(epoch, sizeof epoch, "%ld", sec);
        }
        memcpy(c->now_iso, iso, sizeof iso);
        memcpy(c->epoch, epoch, sizeof epoch);
    }

    if (who->kind == PRINCIPAL_ANONYMOUS) {
        /* no ARN, account or name: "anonymous" and "Anonymous" alone */
        put(c, "aws:PrincipalType", "Anonymous");
        put(c, "aws:userid", "anonymous");
    } else {
        put(c, "aws:PrincipalArn",
            who->kind == PRINCIPAL_ROLE_SESSION ? who->role_arn : who->arn);
        put(c, "aws:PrincipalAccount", r->account);
        /* GetSessionToken credentials act as their user */
        put(c, "aws:PrincipalType", who->kind == PRINCIPAL_ROOT           ? "Account"
                                    : who->kind == PRINCIPAL_ROLE_SESSION ? "AssumedRole"
                                    : who->kind == PRINCIPAL_FEDERATED    ? "FederatedUser"
                                                                          : "User");
        put(c, "aws:userid", who->user_id);
    }
    if (who->kind == PRINCIPAL_USER || who->kind == PRINCIPAL_USER_SESSION)
        put(c, "aws:username", who->name);
    put(c, "aws:SourceIp", r->http ? r->http->remote_addr : NULL);
    put(c, "aws:SecureTransport", "false");
    put(c, "aws:CurrentTime", c->now_iso);
    put(c, "aws:EpochTime", c->epoch);
    put(c, "aws:RequestedRegion", r->region);
    put(c, "aws:PrincipalIsAWSService", "false");
    put(c, "aws:ViaAWSService", a->via_service ? "true" : "false");
    if (a->via_service)
        put(c, "aws:CalledVia", a->via_service);
    if (who->temporary)
        put(c, "aws:MultiFactorAuthPresent", "false");
    for (i = 0; s && i < s->ntags; i++)
        put(c, s->tag_keys[i], s->tag_vals[i]);
    /* whole entries: their lengths come along (a context value may hold
     * U+0000) */
    for (i = 0; i < a->nkeys && c->n < MAX_CTX; i++)
        c->ctx[c->n++] = a->keys[i];
}

/* ---- the decision -------------------------------------------------------- */

static int decide(svc_req_t *r, const principal_t *who, const authz_t *a, enum authz_grant g,
                  policy_decision_t *d, ctx_t *c)
{
    policy_request_t q;
    policy_set_t set;
    const set_slot_t *s = NULL;
    int anon = who->kind == PRINCIPAL_ANONYMOUS;

    /* the anonymous caller has no identity side: no policies, no tags */
    if (!anon)
        s = caller_set(r->emu, who, r->access_key, r->account);
    build_ctx(c, r, who, a, s);
    memset(&q, 0, sizeof q);
    q.action = a->action;
    q.resource = a->resource ? a->resource : "*";
    q.principal_arn = anon ? NULL : who->arn;
    q.role_arn = who->kind == PRINCIPAL_ROLE_SESSION ? who->role_arn : NULL;
    q.account = anon ? NULL : r->account;
    q.ctx = c->ctx;
    q.nctx = c->n;
    q.resolve = a->resolve;
    q.resolve_arg = a->resolve_arg;

    memset(&set, 0, sizeof set);
    if (s) {
        set.identity = (const policy_t *const *)s->identity;
        set.identity_names = (const char *const *)s->names;
        set.nidentity = s->nidentity;
        set.boundary = s->boundary;
        set.session = (const policy_t *const *)s->session;
        set.nsession = s->session_scoped ? s->nsession : 0;
    }
    set.is_root = who->kind == PRINCIPAL_ROOT;
    set.no_identity = anon;
    set.resource_required = a->resource_required;
    set.grant = g == AUTHZ_GRANT_NONE      ? POLICY_PRINCIPAL_NONE
                : g == AUTHZ_GRANT_ACCOUNT ? POLICY_PRINCIPAL_ACCOUNT
                                           : POLICY_PRINCIPAL_DIRECT;
    set.grant_via_role = g == AUTHZ_GRANT_ROLE;
    set.other_allow = anon ? a->other_allow : NULL;
    if (a->resource_policy && a->resource_policy[0])
        set.resource = resource_policy(q.resource, a->resource_policy,
                                       a->resource_trust ? POLICY_TRUST : POLICY_RESOURCE);
    set.resource_allow_off = anon && a->restrict_public && policy_public(set.resource);
    return policy_decide(&set, &q, d);
}

/* After a denial d for lack of an allow (never an explicit deny), asks a's
 * grants and decides again with the strongest that names who. Returns 1
 * when a grant allows (its id in gid); d gets the new decision whenever a
 * grant applied. Only denied requests come here. */
static int decide_grant(svc_req_t *r, const principal_t *who, const authz_t *a,
                        policy_decision_t *d, ctx_t *c, char *gid, size_t gidlen)
{
    enum authz_grant g;

    gid[0] = '\0';
    if (a->grant == NULL || d->reason < POLICY_NO_IDENTITY)
        return 0;
    g = a->grant(r, who, a->grant_arg, gid, gidlen);
    if (g == AUTHZ_GRANT_NONE)
        return 0;
    return decide(r, who, a, g, d, c);
}

/* The encoded authorization message of a denial (sts
 * decode-authorization-message reads it): the decision and its context as
 * AWS shapes it, sealed under the master key, base64. */
static void encode_denial(svc_req_t *r, const authz_t *a, const policy_decision_t *d,
                          const ctx_t *c, char *out, size_t n)
{
    cJSON *doc = cJSON_CreateObject(), *items, *ctx, *pr, *conds;
    uint8_t *sealed = NULL;
    char *text;
    size_t i, j, len;

    out[0] = '\0';
    if (doc == NULL)
        return;
    cJSON_AddBoolToObject(doc, "allowed", 0);
    cJSON_AddBoolToObject(doc, "explicitDeny", d->reason >= POLICY_DENY_IDENTITY &&
                                                    d->reason <= POLICY_DENY_SESSION);
    items = cJSON_AddArrayToObject(cJSON_AddObjectToObject(doc, "matchedStatements"), "items");
    if (d->match.statement >= 0) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "statementId", d->match.sid);
        cJSON_AddStringToObject(m, "effect", "DENY");
        cJSON_AddStringToObject(m, "policy", d->policy_name ? d->policy_name : "");
        cJSON_AddItemToArray(items, m);
    }
    cJSON_AddArrayToObject(cJSON_AddObjectToObject(doc, "failures"), "items");
    ctx = cJSON_AddObjectToObject(doc, "context");
    pr = cJSON_AddObjectToObject(ctx, "principal");
    cJSON_AddStringToObject(pr, "id", r->caller.user_id);
    if (r->caller.name[0])
        cJSON_AddStringToObject(pr, "name", r->caller.name);
    cJSON_AddStringToObject(pr, "arn", r->caller.arn);
    cJSON_AddStringToObject(ctx, "action", a->action);
    cJSON_AddStringToObject(ctx, "resource", a->resource ? a->resource : "*");
    conds = cJSON_AddArrayToObject(cJSON_AddObjectToObject(ctx, "conditions"), "items");
    for (i = 0; i < c->n; i++) {
        cJSON *e = cJSON_CreateObject(), *vals;
        json_put_strn(e, "key", c->ctx[i].key, c->ctx[i].keylen ? c->ctx[i].keylen
                                                                 : strlen(c->ctx[i].key));
        vals = cJSON_AddArrayToObject(cJSON_AddObjectToObject(e, "values"), "items");
        for (j = 0; j < c->ctx[i].nvalues; j++) {
            cJSON *v = cJSON_CreateObject();
            const char *s = c->ctx[i].values[j] ? c->ctx[i].values[j] : "";
            json_put_strn(v, "value", s, c->ctx[i].lens ? c->ctx[i].lens[j] : strlen(s));
            cJSON_AddItemToArray(vals, v);
        }
        cJSON_AddItemToArray(conds, e);
    }
    text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (text == NULL)
        return;
    len = strlen(text);
    if (codec_b64_enclen(len + ENVELOPE_OVERHEAD) < n &&
        (sealed = malloc(len + ENVELOPE_OVERHEAD)) != NULL &&
        keyring_seal(r->emu->master_key, KEYRING_AUTHZ_MESSAGE, NULL, 0, (const uint8_t *)text, len,
                     sealed) == 0)
        out[codec_b64_encode(sealed, len + ENVELOPE_OVERHEAD, out)] = '\0';
    free(sealed);
    free(text);
}

int authz_allowed(svc_req_t *r, const principal_t *who, const authz_t *a, char *why,
                  size_t whylen)
{
    policy_decision_t d;
    ctx_t c;
    char gid[80];
    int ok = decide(r, who, a, AUTHZ_GRANT_NONE, &d, &c);

    if (!ok)
        ok = decide_grant(r, who, a, &d, &c, gid, sizeof gid);
    if (why)
        policy_reason_text(&d, a->action, why, whylen);
    return ok;
}

/* "allow <action> as root" or "allow <action> by <policy> statement <n>
 * (<sid>)": every allowed request writes one, so it is put together
 * without printf. */
static void note_allow(char *out, size_t size, const char *action, const policy_decision_t *d)
{
    char num[24], *p = num + sizeof num;
    const char *parts[8];
    size_t n = 0, len = 0, i, l;
    unsigned v = d->match.statement < 0 ? 0u : (unsigned)d->match.statement;

    *--p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    parts[n++] = "allow ";
    parts[n++] = action;
    if (d->policy_name == NULL) {
        parts[n++] = " as root";
    } else if (d->match.statement < 0) {
        parts[n++] = " by "; /* an ACL */
        parts[n++] = d->policy_name;
    } else {
        parts[n++] = " by ";
        parts[n++] = d->policy_name;
        parts[n++] = " statement ";
        parts[n++] = p;
        if (d->match.sid[0]) {
            parts[n++] = " (";
            parts[n++] = d->match.sid;
        }
    }
    for (i = 0; i < n; i++) {
        l = strlen(parts[i]);
        if (l > size - 2 - len)
            l = size - 2 - len;
        memcpy(out + len, parts[i], l);
        len += l;
    }
    if (d->policy_name && d->match.statement >= 0 && d->match.sid[0])
        out[len++] = ')';
    out[len] = '\0';
}

int authz_check(svc_req_t *r, const authz_t *a)
{
    policy_decision_t d;
    ctx_t c;
    char why[256], on[600] = "", encoded[6144], gid[80];
    const char *res = a->resource ? a->resource : "*";
    int ok, s3 = !strcmp(r->service, "s3");

    if (!r->emu->cfg->iam_enforce)
        return 0;
    ok = decide(r, &r->caller, a, AUTHZ_GRANT_NONE, &d, &c);
    if (ok) {
        /* the resource is the request's own: the note names the policy */
        note_allow(r->authz_note, sizeof r->authz_note, a->action, &d);
        return 0;
    }
    if (decide_grant(r, &r->caller, a, &d, &c, gid, sizeof gid)) {
        snprintf(r->authz_note, sizeof r->authz_note, "allow %s by grant %s", a->action, gid);
        return 0;
    }
    policy_reason_text(&d, a->action, why, sizeof why);
    snprintf(r->authz_note, sizeof r->authz_note, "deny %s on %s %s%s%s%s%s", a->action, res, why,
             d.policy_name ? " (" : "", d.policy_name ? d.policy_name : "",
             d.match.sid[0] ? ", Sid " : "", d.match.sid[0] ? d.match.sid : "");
    if (d.policy_name)
        strncat(r->authz_note, ")", sizeof r->authz_note - strlen(r->authz_note) - 1);
    if (r->caller.kind == PRINCIPAL_ANONYMOUS) {
        if (a->restrict_public && a->resource_policy && a->resource_policy[0] &&
            policy_public(resource_policy(res, a->resource_policy, POLICY_RESOURCE)))
            strncat(r->authz_note, " (RestrictPublicBuckets: the public policy's allows do not apply)",
                    sizeof r->authz_note - strlen(r->authz_note) - 1);
        return svc_error(r, 403, "AccessDenied", "Access Denied");
    }
    encode_denial(r, a, &d, &c, encoded, sizeof encoded);
    if (encoded[0]) {
        strncat(r->authz_note, " encoded=", sizeof r->authz_note - strlen(r->authz_note) - 1);
        strncat(r->authz_note, encoded, sizeof r->authz_note - strlen(r->authz_note) - 1);
    }
    if (strcmp(res, "*") != 0)
        snprintf(on, sizeof on, s3 && !strncmp(a->action, "s3:", 3) ? " on resource: \"%s\""
                                                                     : " on resource: %s", res);
    if (!strcmp(r->service, "kms") || !strcmp(r->service, "secretsmanager") || !strncmp(a->action, "kms:", 4))
        return svc_error(r, 400, "AccessDeniedException",
                         "User: %s is not authorized to perform: %s%s %s", r->caller.arn,
                         a->action, on, why);
    return svc_error(r, 403, "AccessDenied", "User: %s is not authorized to perform: %s%s %s",
                     r->caller.arn, a->action, on, why);
}

/* ---- simulation ---------------------------------------------------------- */

int authz_simulate(emu_t *emu, const char *account, const authz_sim_t *sim,
                   const policy_request_t *q, policy_decision_t *d, int *boundary_allows)
{
    set_slot_t s;
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
        resource = resource_policy(q->resource ? q->resource : "*", sim->resource_policy,
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
        snprintf(name, sizeof name, "%s", d->policy_name);
        d->policy_name = name;
    }
    slot_clear(&s);
    return ok;
}
