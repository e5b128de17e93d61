/* authz.c — the authorization of a request in --iam enforce mode: gathers
 * the caller's policies (inline, attached managed, groups', permissions
 * boundary, session policies), the resource's policy and the request's
 * condition keys, and lets the policy engine decide as AWS does. Parsed
 * policies are cached: a caller's set until IAM changes, resource policies
 * by their text. */
#include "authz/authz.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/store.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "storage/keyring.h"

#define DOC_SLOTS 128

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

unsigned authz_fnv(const char *s, size_t n, unsigned h)
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

/* The cache owns what it returns. */
const policy_t *authz_resource_policy(const char *owner, const char *doc, enum policy_kind kind)
{
    size_t n = strlen(doc), on = strlen(owner);
    doc_slot_t *d = &docs[authz_fnv(owner, on, 2166136261u + (unsigned)kind) % DOC_SLOTS];
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

void authz_reset(void)
{
    size_t i;

    authz_store_reset();
    for (i = 0; i < DOC_SLOTS; i++)
        doc_clear(&docs[i]);
    authz_creds_reset();
}

/* A JSON string member that may hold U+0000: cJSON prints strings up to
 * their first NUL, so a raw node holds the escaped text. */
static void put_strn(cJSON *out, const char *member, const char *s, size_t n)
{
    buf_t b;
    cJSON *raw = NULL;

    buf_init(&b, 0);
    if (buf_adds(&b, "\"") == 0 && buf_add_json_escaped(&b, s, n) == 0 && buf_adds(&b, "\"") == 0)
        raw = cJSON_CreateRaw(b.data);
    OPENSSL_cleanse(b.data, b.len);
    buf_free(&b);
    if (raw && !cJSON_AddItemToObject(out, member, raw))
        cJSON_Delete(raw);
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
                      const authz_set_t *s)
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
    const authz_set_t *s = NULL;
    int anon = who->kind == PRINCIPAL_ANONYMOUS;

    /* the anonymous caller has no identity side: no policies, no tags */
    if (!anon)
        s = authz_store_caller(r->emu, who, r->access_key, r->account);
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
        set.resource = authz_resource_policy(q.resource, a->resource_policy,
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
        put_strn(e, "key", c->ctx[i].key, c->ctx[i].keylen ? c->ctx[i].keylen
                                                                 : strlen(c->ctx[i].key));
        vals = cJSON_AddArrayToObject(cJSON_AddObjectToObject(e, "values"), "items");
        for (j = 0; j < c->ctx[i].nvalues; j++) {
            cJSON *v = cJSON_CreateObject();
            const char *s = c->ctx[i].values[j] ? c->ctx[i].values[j] : "";
            put_strn(v, "value", s, c->ctx[i].lens ? c->ctx[i].lens[j] : strlen(s));
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
    /* the shape of the caller's service: JSON services answer
     * AccessDeniedException 400 and REST-XML (S3) quotes its resources */
    enum svc_proto proto = r->def ? r->def->proto : SVC_QUERY;
    int ok;

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
            policy_public(authz_resource_policy(res, a->resource_policy, POLICY_RESOURCE)))
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
        snprintf(on, sizeof on,
                 proto == SVC_REST_XML && !strncmp(a->action, "s3:", 3) ? " on resource: \"%s\""
                                                                        : " on resource: %s",
                 res);
    /* kms: actions are denied in KMS's shape, whichever service asks */
    if (proto == SVC_JSON || !strncmp(a->action, "kms:", 4))
        return svc_error(r, 400, "AccessDeniedException",
                         "User: %s is not authorized to perform: %s%s %s", r->caller.arn,
                         a->action, on, why);
    return svc_error(r, 403, "AccessDenied", "User: %s is not authorized to perform: %s%s %s",
                     r->caller.arn, a->action, on, why);
}

