/* sm_authz.c — Secrets Manager requests as IAM sees them: the rows'
 * resource functions (the secret a request names, resolved once and handed
 * to its handler through r->svc_ctx; its ARN and resource policy) and the
 * condition keys AWS documents for the service: secretsmanager:SecretId,
 * VersionId, VersionStage, Name, Description, KmsKeyId, RotationLambdaARN,
 * AddReplicaRegions, ForceDeleteWithoutRecovery, ForceOverwriteReplicaSecret,
 * RecoveryWindowInDays, BlockPublicPolicy, RotateImmediately from the
 * request; secretsmanager:resource/AllowRotationLambdaArn and the secret's
 * tags (secretsmanager:ResourceTag/<key>, aws:ResourceTag/<key>);
 * aws:RequestTag/<key> and aws:TagKeys from the request's tags. Tag keys
 * are gathered only when a policy names them. */
#include "services/sm/sm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/authz.h"
#include "base/buf.h"
#include "base/codec.h"
#include "base/jsonlen.h"
#include "storage/db.h"

#define MAX_KEYS 16
#define MAX_TAGS 50 /* a secret's tags (sm_put_tags caps them) */
#define MAX_LIST 64 /* values of a multivalued request key */

enum ctx_state {
    CTX_NONE = 0, /* no resource function ran (--iam off) */
    CTX_FOUND,    /* secret holds what SecretId names */
    CTX_TAKEN,    /* ...and the handler took it */
    CTX_MISSING,  /* SecretId names no secret: ResourceNotFoundException */
    CTX_NEW,      /* CreateSecret: arn is the new secret's */
};

/* A list of tags as condition keys, read on first demand. */
typedef struct {
    int read;
    size_t n;
    authz_key_t keys[2 * MAX_LIST]; /* two names per tag (resource tags) */
    char *names[2 * MAX_LIST];      /* owned */
    const char *vals[MAX_LIST];
    size_t lens[MAX_LIST];
    char *store[MAX_LIST]; /* owned copies of values read from the store */
    authz_key_t all;       /* aws:TagKeys */
    const char *tag_keys[MAX_LIST];
    size_t tag_key_lens[MAX_LIST];
} tagset_t;

struct sm_ctx {
    enum ctx_state state;
    sm_secret_t secret;
    const cJSON *in;                             /* the request (NULL: no request keys) */
    char arn[SM_ARN_MAX + AWS_SM_SECRET_ID_MAX]; /* the resource: the secret's ARN, the new
                                    secret's, or the SecretId as an ARN */
    const char *lambda;                          /* the secret's rotation function, or NULL */
    authz_key_t keys[MAX_KEYS];
    const char *vals[MAX_KEYS];
    size_t lens[MAX_KEYS];
    const char *regions[MAX_LIST]; /* AddReplicaRegions */
    char days[24];                 /* RecoveryWindowInDays */
    size_t nkeys;
    tagset_t resource_tags, request_tags;
    authz_key_t lambda_key; /* secretsmanager:resource/AllowRotationLambdaArn */
    svc_req_t *r;           /* for resolve */
};

static void tagset_free(tagset_t *t)
{
    size_t i;

    for (i = 0; i < MAX_LIST; i++)
        free(t->store[i]);
    for (i = 0; i < 2 * MAX_LIST; i++)
        free(t->names[i]);
}

static void ctx_free(void *arg)
{
    sm_ctx_t *c = arg;

    if (c == NULL)
        return;
    sm_secret_clear(&c->secret);
    tagset_free(&c->resource_tags);
    tagset_free(&c->request_tags);
    free(c);
}

/* r's context, created on first use; NULL when out of memory. */
static sm_ctx_t *ctx_of(svc_req_t *r)
{
    sm_ctx_t *c = r->svc_ctx;

    if (c)
        return c;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return NULL;
    r->svc_ctx = c;
    r->svc_ctx_free = ctx_free;
    return c;
}

/* ---- condition keys ----------------------------------------------------- */

static void add_key(sm_ctx_t *c, const char *key, const char *val, size_t len)
{
    size_t i = c->nkeys;

    if (i == MAX_KEYS)
        return;
    c->vals[i] = val;
    c->lens[i] = len;
    c->keys[i] = (authz_key_t){key, &c->vals[i], 1, &c->lens[i], 0};
    c->nkeys++;
}

/* The request members that are condition keys: strings as given, booleans
 * as "true"/"false", RecoveryWindowInDays in decimal, AddReplicaRegions as
 * its regions. */
static void request_keys(sm_ctx_t *c, const cJSON *in)
{
    static const char *const strs[][2] = {
        {"SecretId", "secretsmanager:SecretId"},
        {"VersionId", "secretsmanager:VersionId"},
        {"VersionStage", "secretsmanager:VersionStage"},
        {"Name", "secretsmanager:Name"},
        {"KmsKeyId", "secretsmanager:KmsKeyId"},
        {"Description", "secretsmanager:Description"},
        {"RotationLambdaARN", "secretsmanager:RotationLambdaARN"},
    };
    static const char *const bools[][2] = {
        {"ForceDeleteWithoutRecovery", "secretsmanager:ForceDeleteWithoutRecovery"},
        {"ForceOverwriteReplicaSecret", "secretsmanager:ForceOverwriteReplicaSecret"},
        {"BlockPublicPolicy", "secretsmanager:BlockPublicPolicy"},
        {"RotateImmediately", "secretsmanager:RotateImmediately"},
    };
    const cJSON *v, *e;
    size_t i, nr = 0;

    for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        v = cJSON_GetObjectItemCaseSensitive(in, strs[i][0]);
        if (cJSON_IsString(v))
            add_key(c, strs[i][1], v->valuestring, jsonlen_str(v));
    }
    for (i = 0; i < sizeof bools / sizeof bools[0]; i++) {
        v = cJSON_GetObjectItemCaseSensitive(in, bools[i][0]);
        if (cJSON_IsBool(v))
            add_key(c, bools[i][1], cJSON_IsTrue(v) ? "true" : "false", cJSON_IsTrue(v) ? 4 : 5);
    }
    v = cJSON_GetObjectItemCaseSensitive(in, "RecoveryWindowInDays");
    if (cJSON_IsNumber(v)) {
        snprintf(c->days, sizeof c->days, "%.0f", v->valuedouble);
        add_key(c, "secretsmanager:RecoveryWindowInDays", c->days, strlen(c->days));
    }
    v = cJSON_GetObjectItemCaseSensitive(in, "AddReplicaRegions");
    if (!cJSON_IsArray(v))
        v = NULL;
    cJSON_ArrayForEach(e, v)
    {
        const cJSON *reg = cJSON_GetObjectItemCaseSensitive(e, "Region");
        if (cJSON_IsString(reg) && nr < MAX_LIST)
            c->regions[nr++] = reg->valuestring;
    }
    if (nr > 0 && c->nkeys < MAX_KEYS)
        c->keys[c->nkeys++] =
            (authz_key_t){"secretsmanager:AddReplicaRegions", c->regions, nr, NULL, 0};
}

/* prefix + k[0..klen) as a condition key name (caller frees), or NULL. */
static char *key_name(const char *prefix, const char *k, size_t klen)
{
    size_t pn = strlen(prefix);
    char *s = malloc(pn + klen + 1);

    if (s) {
        memcpy(s, prefix, pn);
        memcpy(s + pn, k, klen);
        s[pn + klen] = '\0';
    }
    return s;
}

/* Adds tag k=v to t under the key names prefix1<k> (and prefix2<k>). */
static void tagset_add(tagset_t *t, const char *prefix1, const char *prefix2, const char *k,
                       size_t klen, const char *v, size_t vlen)
{
    size_t i = t->n, j = t->n * 2;

    if (i == MAX_LIST)
        return;
    t->vals[i] = v;
    t->lens[i] = vlen;
    t->tag_keys[i] = k;
    t->tag_key_lens[i] = klen;
    if ((t->names[j] = key_name(prefix1, k, klen)) != NULL)
        t->keys[j] =
            (authz_key_t){t->names[j], &t->vals[i], 1, &t->lens[i], strlen(prefix1) + klen};
    if (prefix2 && (t->names[j + 1] = key_name(prefix2, k, klen)) != NULL)
        t->keys[j + 1] =
            (authz_key_t){t->names[j + 1], &t->vals[i], 1, &t->lens[i], strlen(prefix2) + klen};
    t->n++;
}

/* The secret's tags, as secretsmanager:ResourceTag/<k> and aws:ResourceTag/<k>. */
static void read_resource_tags(svc_req_t *r, sm_ctx_t *c)
{
    tagset_t *t = &c->resource_tags;
    sqlite3_stmt *st;

    t->read = 1;
    st = db_query(r->emu->db, "SELECT tag_key, tag_value FROM sm_tags WHERE arn=?1 ORDER BY seq",
                  "s", c->arn);
    while (t->n < MAX_TAGS && db_row(st) == 1) {
        size_t kn = (size_t)sqlite3_column_bytes(st, 0), vn = (size_t)sqlite3_column_bytes(st, 1);
        char *kv = malloc(kn + vn + 2);
        if (kv == NULL)
            break;
        memcpy(kv, db_text(st, 0), kn);
        kv[kn] = '\0';
        memcpy(kv + kn + 1, db_text(st, 1), vn);
        kv[kn + 1 + vn] = '\0';
        t->store[t->n] = kv;
        tagset_add(t, "secretsmanager:ResourceTag/", "aws:ResourceTag/", kv, kn, kv + kn + 1, vn);
    }
    db_done(st);
}

/* The request's tags (Tags [{Key, Value}], or UntagResource's TagKeys). */
static void read_request_tags(sm_ctx_t *c)
{
    tagset_t *t = &c->request_tags;
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(c->in, "Tags"), *e;
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(c->in, "TagKeys");

    t->read = 1;
    if (!cJSON_IsArray(tags))
        tags = NULL;
    if (!cJSON_IsArray(keys))
        keys = NULL;
    cJSON_ArrayForEach(e, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "Value");
        if (cJSON_IsString(k))
            tagset_add(t, "aws:RequestTag/", NULL, k->valuestring, jsonlen_str(k),
                       cJSON_IsString(v) ? v->valuestring : "",
                       cJSON_IsString(v) ? jsonlen_str(v) : 0);
    }
    cJSON_ArrayForEach(e, keys)
    {
        if (cJSON_IsString(e) && t->n < MAX_LIST) {
            t->tag_keys[t->n] = e->valuestring;
            t->tag_key_lens[t->n++] = jsonlen_str(e);
        }
    }
}

static const authz_key_t *tag_find(const tagset_t *t, const char *key)
{
    size_t i, n = strlen(key);

    /* as the policy engine compares keys: by length, ignoring case */
    for (i = 0; i < 2 * t->n; i++)
        if (t->keys[i].key && t->keys[i].keylen == n && !strncasecmp(t->names[i], key, n))
            return &t->keys[i];
    return NULL;
}

/* authz_t.resolve: the keys costly to gather (tags), on demand. */
static const authz_key_t *resolve(void *arg, const char *key)
{
    sm_ctx_t *c = arg;

    if (!strncasecmp(key, "secretsmanager:ResourceTag/", 27) ||
        !strncasecmp(key, "aws:ResourceTag/", 16)) {
        if (c->state != CTX_FOUND && c->state != CTX_TAKEN)
            return NULL;
        if (!c->resource_tags.read)
            read_resource_tags(c->r, c);
        return tag_find(&c->resource_tags, key);
    }
    if (!strncasecmp(key, "aws:RequestTag/", 15) || !strcasecmp(key, "aws:TagKeys")) {
        tagset_t *t = &c->request_tags;
        if (c->in == NULL)
            return NULL;
        if (!t->read)
            read_request_tags(c);
        if (key[4] == 'R' || key[4] == 'r')
            return tag_find(t, key);
        if (t->n == 0)
            return NULL;
        t->all = (authz_key_t){"aws:TagKeys", t->tag_keys, t->n, t->tag_key_lens, 0};
        return &t->all;
    }
    if (!strcasecmp(key, "secretsmanager:resource/AllowRotationLambdaArn") && c->lambda) {
        c->lambda_key =
            (authz_key_t){"secretsmanager:resource/AllowRotationLambdaArn", &c->lambda, 1, NULL, 0};
        return &c->lambda_key;
    }
    return NULL;
}

/* Fills a with c's resource, policy and keys (c outlives the decision). */
static void fill(svc_req_t *r, sm_ctx_t *c, const char *policy, authz_t *a)
{
    c->nkeys = 0;
    if (c->in)
        request_keys(c, c->in);
    c->r = r;
    a->resource = c->arn;
    a->resource_policy = policy;
    a->keys = c->keys;
    a->nkeys = c->nkeys;
    a->resolve = resolve;
    a->resolve_arg = c;
}

/* ---- resource functions ------------------------------------------------- */

int sm_secret_resource(svc_req_t *r, const void *in, authz_t *a)
{
    sm_ctx_t *c = ctx_of(r);
    const char *id = NULL;

    if (c == NULL)
        return sm_internal(r);
    if (json_str(r, in, "SecretId", 1, 1, AWS_SM_SECRET_ID_MAX, &id) != 0)
        return -1;
    c->in = in;
    if (sm_resolve(r, id, &c->secret) == 0) {
        c->state = CTX_FOUND;
        str_copy(c->arn, sizeof c->arn, c->secret.arn);
        c->lambda = c->secret.rotation_lambda;
        fill(r, c, c->secret.policy, a);
        return 0;
    }
    if (strcmp(r->err_code, "ResourceNotFoundException") != 0)
        return -1;
    /* a caller learns that the secret does not exist only when allowed the
     * action on it, as AWS authorizes before it looks: the resource is the
     * id as an ARN */
    r->err_code[0] = '\0';
    r->err_msg[0] = '\0';
    r->err_status = 0;
    c->state = CTX_MISSING;
    if (!strncmp(id, "arn:", 4))
        str_copy(c->arn, sizeof c->arn, id);
    else
        snprintf(c->arn, sizeof c->arn, "arn:%s:secretsmanager:%s:%s:secret:%s",
                 partition_name(r->region), r->region, r->account, id);
    fill(r, c, NULL, a);
    return 0;
}

/* The ARN of a new secret named name: its name and a random suffix of 6. */
static void new_arn(svc_req_t *r, const char *name, char *out, size_t n)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char suffix[7];
    uint8_t rnd[6];
    int i;

    codec_random(rnd, sizeof rnd);
    for (i = 0; i < 6; i++)
        suffix[i] = chars[rnd[i] % 62];
    suffix[6] = '\0';
    snprintf(out, n, "arn:%s:secretsmanager:%s:%s:secret:%s-%s", partition_name(r->region),
             r->region, r->account, name, suffix);
}

int sm_create_resource(svc_req_t *r, const void *in, authz_t *a)
{
    sm_ctx_t *c = ctx_of(r);
    const char *name = NULL;

    if (c == NULL)
        return sm_internal(r);
    if (json_str(r, in, "Name", 1, 1, AWS_SM_NAME_MAX, &name) != 0)
        return -1;
    c->in = in;
    c->state = CTX_NEW;
    new_arn(r, name, c->arn, sizeof c->arn);
    fill(r, c, NULL, a);
    return 0;
}

/* ---- what handlers use ---------------------------------------------------- */

int sm_req_secret(svc_req_t *r, const cJSON *in, sm_secret_t *out)
{
    sm_ctx_t *c = r->svc_ctx;
    const char *id = NULL;

    memset(out, 0, sizeof *out);
    if (c && c->state == CTX_FOUND) {
        *out = c->secret; /* the handler owns it now */
        memset(&c->secret, 0, sizeof c->secret);
        c->lambda = NULL;
        c->state = CTX_TAKEN;
        return 0;
    }
    if (c && c->state == CTX_MISSING)
        return sm_fail(r, SM_E_NOT_FOUND, NULL, NULL);
    if (json_str(r, in, "SecretId", 1, 1, AWS_SM_SECRET_ID_MAX, &id) != 0)
        return -1;
    return sm_resolve(r, id, out);
}

void sm_new_arn(svc_req_t *r, const char *name, char *out, size_t n)
{
    sm_ctx_t *c = r->svc_ctx;

    if (c && c->state == CTX_NEW)
        snprintf(out, n, "%s", c->arn);
    else
        new_arn(r, name, out, n);
}

int sm_authorize(svc_req_t *r, const char *action, const sm_secret_t *s, const cJSON *in)
{
    sm_ctx_t *c;
    authz_t a;
    int rc;

    if (!r->emu->cfg->iam_enforce)
        return 0;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return sm_internal(r);
    c->state = CTX_FOUND;
    c->in = in;
    str_copy(c->arn, sizeof c->arn, s->arn);
    c->lambda = s->rotation_lambda;
    memset(&a, 0, sizeof a);
    a.action = action;
    fill(r, c, s->policy, &a);
    rc = authz_check(r, &a);
    ctx_free(c);
    return rc;
}
