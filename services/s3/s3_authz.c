/* s3_authz.c — S3 requests as IAM sees them (Service Authorization
 * Reference): each operation's action, the bucket or object ARN, the
 * bucket policy, and the condition keys s3:prefix, s3:delimiter,
 * s3:max-keys, s3:x-amz-server-side-encryption(-aws-kms-key-id),
 * s3:x-amz-content-sha256, s3:x-amz-copy-source, s3:x-amz-metadata-directive,
 * s3:authType, s3:signatureversion, s3:ResourceAccount, s3:object-lock-mode,
 * s3:object-lock-retain-until-date, s3:object-lock-remaining-retention-days,
 * s3:object-lock-legal-hold (s3_lock.c), and (read only when
 * a policy names them) s3:ExistingObjectTag/<key>, s3:RequestObjectTag/<key>,
 * s3:RequestObjectTagKeys. The anonymous caller (an unsigned request) is
 * allowed by the bucket policy or a public ACL, as Block Public Access
 * lets them. Also the bucket policy operations. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/limits.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "authz/authz.h"
#include "services/iam/iam.h"
#include "authz/policy.h"
#include "emulator/proto_query.h"
#include "base/xml.h"

/* a bucket's policy (s3_bucket_col: NULL when it has none) */
static const char POLICY_SQL[] = "SELECT policy FROM s3_buckets WHERE name=?1";

enum { RES_NONE, RES_BUCKET, RES_OBJECT };

static char *column_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t =
        sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : sqlite3_column_text(st, i);

    return t ? strdup((const char *)t) : NULL;
}

/* The tags and ACL (JSON, malloc'd, NULL when none) of the current object
 * key, or of its version vid ("null": the null version). 1 found, 0 not. */
static int object_meta(s3_req_t *s, const char *bucket, const char *key, const char *vid,
                       char **tags, char **acl)
{
    sqlite3_stmt *st = db_query(s->r->emu->db, "SELECT tags, acl, version_id FROM s3_objects "
                                               "WHERE bucket=?1 AND key=?2", "ss", bucket, key);
    int found = 0;

    *tags = *acl = NULL;
    if (st == NULL)
        return 0;
    if (db_row(st) == 1) {
        const unsigned char *v = sqlite3_column_text(st, 2);
        const char *cur = v && v[0] ? (const char *)v : "null";
        if (vid == NULL || !strcmp(vid, cur)) {
            *tags = column_dup(st, 0);
            *acl = column_dup(st, 1);
            found = 1;
        }
    }
    db_done(st);
    if (found || vid == NULL)
        return found;
    st = db_query(s->r->emu->db, "SELECT tags, acl FROM s3_versions WHERE bucket=?1 AND key=?2 "
                                "AND version_id=?3 AND marker=0", "sss", bucket, key, vid);
    if (st == NULL)
        return 0;
    if (db_row(st) == 1) {
        *tags = column_dup(st, 0);
        *acl = column_dup(st, 1);
        found = 1;
    }
    db_done(st);
    return found;
}

/* ---- object tags as condition keys ---------------------------------------- */

#define MAX_TAGS 10 /* S3's limit per object */
#define TAG_KEY_MAX 128
#define TAG_VALUE_MAX 256
#define TAGGING_HEADER_MAX (16u << 10) /* x-amz-tagging: 10 tags, escaped */
#define EXISTING_TAG "s3:ExistingObjectTag/"
#define REQUEST_TAG "s3:RequestObjectTag/"
#define REQUEST_TAG_KEYS "s3:RequestObjectTagKeys"

/* One set of tags as condition keys: "<prefix><tag key>" -> value. */
typedef struct {
    int state; /* 0 not read, 1 read, -1 unreadable (over S3's limits, malformed) */
    size_t n;
    char name[MAX_TAGS][sizeof EXISTING_TAG + TAG_KEY_MAX];
    char value[MAX_TAGS][TAG_VALUE_MAX + 1];
    const char *vals[MAX_TAGS];
    const char *tag_keys[MAX_TAGS]; /* into name, past the prefix */
    authz_key_t keys[MAX_TAGS];
    authz_key_t all_keys; /* s3:RequestObjectTagKeys */
} tagset_t;

/* What the resolver may read, fixed before the decision; the tag sets are
 * allocated on first use (most requests never name a tag key). */
typedef struct {
    s3_req_t *s;
    const char *bucket, *key, *vid; /* the object of s3:ExistingObjectTag/ */
    int existing;                   /* the action takes s3:ExistingObjectTag/ */
    int request;                    /* 1 x-amz-tagging, 2 the PutObjectTagging body, 0 none */
    struct {
        tagset_t existing, request;
    } *t;
} lazy_t;

/* Actions whose requests carry the object's current tags (Service
 * Authorization Reference; not PutObject or DeleteObject*: "you cannot
 * create a policy to grant or deny a user permissions to delete or
 * overwrite an object based on its existing tags"). */
static const char *const existing_tag_actions[] = {
    "s3:GetObject",           "s3:GetObjectVersion",
    "s3:GetObjectAcl",        "s3:GetObjectVersionAcl",
    "s3:GetObjectTagging",    "s3:GetObjectVersionTagging",
    "s3:PutObjectAcl",        "s3:PutObjectVersionAcl",
    "s3:PutObjectTagging",    "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
    NULL};

static int tag_add(tagset_t *t, const char *prefix, const char *k, size_t kn, const char *v,
                   size_t vn)
{
    size_t pn = strlen(prefix);

    if (t->n >= MAX_TAGS || kn < 1 || kn > TAG_KEY_MAX || vn > TAG_VALUE_MAX)
        return -1;
    memcpy(t->name[t->n], prefix, pn);
    memcpy(t->name[t->n] + pn, k, kn);
    t->name[t->n][pn + kn] = '\0';
    memcpy(t->value[t->n], v, vn);
    t->value[t->n][vn] = '\0';
    t->vals[t->n] = t->value[t->n];
    t->tag_keys[t->n] = t->name[t->n] + pn;
    t->keys[t->n] = (authz_key_t){t->name[t->n], &t->vals[t->n], 1, NULL, 0};
    t->n++;
    return 0;
}

/* The stored tags (a JSON object) of the object the request names. */
static void read_existing(lazy_t *l, tagset_t *t)
{
    char *tags = NULL, *acl = NULL;
    cJSON *doc;
    const cJSON *e;

    t->state = 1;
    if (!object_meta(l->s, l->bucket, l->key, l->vid, &tags, &acl))
        return;
    doc = tags ? cJSON_Parse(tags) : NULL;
    cJSON_ArrayForEach(e, doc) {
        if (cJSON_IsString(e) &&
            tag_add(t, EXISTING_TAG, e->string, strlen(e->string), e->valuestring,
                    strlen(e->valuestring)) != 0)
            t->state = -1;
    }
    cJSON_Delete(doc);
    free(tags);
    free(acl);
}

/* x-amz-tagging: "k=v&k2=v2", URL-encoded ('+' a space). */
static void read_tagging_header(lazy_t *l, tagset_t *t)
{
    size_t n, i = 0;
    const char *h = http_header(l->s->r->http, "x-amz-tagging", &n);
    char k[3 * TAG_KEY_MAX + 1], v[3 * TAG_VALUE_MAX + 1];

    t->state = 1;
    if (h == NULL || n > TAGGING_HEADER_MAX) {
        t->state = h ? -1 : 1;
        return;
    }
    while (i < n) {
        const char *seg = h + i, *amp = memchr(seg, '&', n - i), *eq;
        size_t sn = amp ? (size_t)(amp - seg) : n - i, kn, vn;
        long kl, vl = 0;
        i += sn + 1;
        if (sn == 0)
            continue; /* "a=1&&b=2": as the operation reads it */
        eq = memchr(seg, '=', sn);
        kn = eq ? (size_t)(eq - seg) : sn;
        vn = eq ? sn - kn - 1 : 0;
        if (kn >= sizeof k || vn >= sizeof v || (kl = proto_query_unescape(seg, kn, 1, k)) < 0 ||
            (eq && (vl = proto_query_unescape(eq + 1, vn, 1, v)) < 0) ||
            tag_add(t, REQUEST_TAG, k, (size_t)kl, v, (size_t)vl) != 0) {
            t->state = -1;
            return;
        }
    }
}

/* The PutObjectTagging body: <Tagging><TagSet><Tag><Key/><Value/>... */
static void read_tagging_body(lazy_t *l, tagset_t *t)
{
    http_req_t *h = l->s->r->http;
    char err[128];
    xml_node_t *doc = xml_parse(h->body.data ? h->body.data : "", h->body.len, NULL, err, sizeof err);
    const xml_node_t *g;

    t->state = doc && !strcmp(xml_name(doc), "Tagging") ? 1 : -1;
    for (g = xml_child(xml_child(doc, "TagSet"), "Tag"); g && t->state == 1; g = xml_next(g, "Tag")) {
        const xml_node_t *k = xml_child(g, "Key"), *v = xml_child(g, "Value");
        if (k == NULL || tag_add(t, REQUEST_TAG, xml_text(k), xml_text_len(k), xml_text(v),
                                 v ? xml_text_len(v) : 0) != 0)
            t->state = -1;
    }
    xml_free(doc);
}

static const authz_key_t *tag_find(const tagset_t *t, const char *name, size_t pn)
{
    size_t i;

    if (t->state != 1)
        return NULL;
    /* the prefix compares as key names do (any case), the tag key exactly */
    for (i = 0; i < t->n; i++)
        if (!strcmp(t->tag_keys[i], name + pn))
            return &t->keys[i];
    return NULL;
}

/* The resolver of authz_t: s3:ExistingObjectTag/<key>,
 * s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys, read on first use.
 * Tags over S3's limits or malformed leave the keys absent: the operation
 * refuses such tags itself. */
static const authz_key_t *resolve(void *arg, const char *key)
{
    lazy_t *l = arg;
    size_t ep = sizeof EXISTING_TAG - 1, rp = sizeof REQUEST_TAG - 1;
    int existing = !strncasecmp(key, EXISTING_TAG, ep);
    int request = !existing && (!strncasecmp(key, REQUEST_TAG, rp) || !strcasecmp(key, REQUEST_TAG_KEYS));

    if ((existing && !l->existing) || (request && !l->request) || (!existing && !request))
        return NULL;
    if (l->t == NULL) {
        if ((l->t = malloc(sizeof *l->t)) == NULL)
            return NULL;
        l->t->existing.state = l->t->request.state = 0;
        l->t->existing.n = l->t->request.n = 0;
    }
    if (existing) {
        if (l->t->existing.state == 0)
            read_existing(l, &l->t->existing);
        return tag_find(&l->t->existing, key, ep);
    }
    if (l->t->request.state == 0) {
        if (l->request == 1)
            read_tagging_header(l, &l->t->request);
        else
            read_tagging_body(l, &l->t->request);
    }
    if (strcasecmp(key, REQUEST_TAG_KEYS) == 0) {
        tagset_t *t = &l->t->request;
        if (t->state != 1 || t->n == 0)
            return NULL;
        t->all_keys = (authz_key_t){REQUEST_TAG_KEYS, t->tag_keys, t->n, NULL, 0};
        return &t->all_keys;
    }
    return tag_find(&l->t->request, key, rp);
}

/* ---- the anonymous caller: bucket policy, ACLs, Block Public Access ------- */

/* The ACL permission that grants an action to the AllUsers group, and
 * whose ACL holds it (S3's mapping of ACL permissions to actions). */
static const struct {
    const char *action, *perm;
    int on_object;
} acl_perms[] = {
    {"s3:ListBucket", "READ", 0},
    {"s3:ListBucketVersions", "READ", 0},
    {"s3:ListBucketMultipartUploads", "READ", 0},
    {"s3:GetBucketAcl", "READ_ACP", 0},
    {"s3:PutBucketAcl", "WRITE_ACP", 0},
    {"s3:PutObject", "WRITE", 0},
    {"s3:GetObject", "READ", 1},
    {"s3:GetObjectVersion", "READ", 1},
    {"s3:GetObjectAcl", "READ_ACP", 1},
    {"s3:GetObjectVersionAcl", "READ_ACP", 1},
    {"s3:PutObjectAcl", "WRITE_ACP", 1},
    {"s3:PutObjectVersionAcl", "WRITE_ACP", 1},
};

/* For the anonymous caller: the bucket's policy (*policy, caller frees),
 * its Block Public Access settings, and whether a public ACL grants the
 * action (a->other_allow). Returns 0, or -1 with NoSuchBucket set. */
static int anonymous_sources(s3_req_t *s, const char *action, const char *bucket,
                             const char *key, const char *vid, authz_t *a, char **policy)
{
    sqlite3_stmt *st =
        db_query(s->r->emu->db, "SELECT policy, acl FROM s3_buckets WHERE name=?1", "s", bucket);
    char *bucket_acl = NULL, *tags = NULL, *object_acl = NULL;
    int found = 0, pab;
    size_t i;

    *policy = NULL;
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (db_row(st) == 1) {
        found = 1;
        *policy = column_dup(st, 0);
        bucket_acl = column_dup(st, 1);
    }
    db_done(st);
    if (!found)
        return strcmp(action, "s3:CreateBucket") == 0
                   ? 0
                   : s3_fail(s, S3_E_NO_SUCH_BUCKET);
    pab = s3_pab_flags(s, bucket);
    a->restrict_public = (pab & S3_PAB_RESTRICT) != 0;
    for (i = 0; i < sizeof acl_perms / sizeof acl_perms[0]; i++)
        if (!strcmp(acl_perms[i].action, action))
            break;
    if (i < sizeof acl_perms / sizeof acl_perms[0] && !(pab & S3_PAB_IGNORE_ACLS) &&
        !s3_acls_disabled(s, bucket)) {
        if (!acl_perms[i].on_object) {
            if (s3_acl_grants_all_users(bucket_acl, acl_perms[i].perm))
                a->other_allow = "bucket ACL";
        } else if (key && object_meta(s, bucket, key, vid, &tags, &object_acl) &&
                   s3_acl_grants_all_users(object_acl, acl_perms[i].perm)) {
            a->other_allow = "object ACL";
        }
    }
    free(bucket_acl);
    free(tags);
    free(object_acl);
    return 0;
}

/* ---- the check ---------------------------------------------------------------- */

#define NKEYS 16

typedef struct {
    authz_key_t keys[NKEYS];
    const char *vals[NKEYS];
    char store[NKEYS][1100];
    size_t n;
} keys_t;

static void key_from(keys_t *k, const char *name, const char *value)
{
    if (k->n >= NKEYS || value == NULL)
        return;
    str_copy(k->store[k->n], sizeof k->store[k->n], value);
    k->vals[k->n] = k->store[k->n];
    k->keys[k->n] = (authz_key_t){name, &k->vals[k->n], 1, NULL, 0};
    k->n++;
}

static void key_header(keys_t *k, s3_req_t *s, const char *name, const char *header)
{
    char v[1100];

    if (http_header_copy(s->r->http, header, v, sizeof v))
        key_from(k, name, v);
}

static void key_query(keys_t *k, s3_req_t *s, const char *name, const char *param)
{
    char v[1100];

    if (s3_query(s, param, v, sizeof v))
        key_from(k, name, v);
}

/* Where the request's own tags are, for s3:RequestObjectTag/ (lazy_t.request):
 * the PutObjectTagging body, or x-amz-tagging of a write that makes an
 * object from the request's headers (a copy only with
 * x-amz-tagging-directive: REPLACE). */
static int request_tags_source(s3_req_t *s, const char *action)
{
    unsigned flags = s->r->op ? s->r->op->flags : 0;
    char v[16];

    if (!strcmp(action, "s3:PutObjectTagging") || !strcmp(action, "s3:PutObjectVersionTagging"))
        return 2;
    if (strcmp(action, "s3:PutObject") != 0 || !http_header(s->r->http, "x-amz-tagging", NULL) ||
        !(flags & S3_OP_NEW_OBJECT))
        return 0;
    if ((flags & S3_OP_COPY) &&
        (!s3_header(s, "x-amz-tagging-directive", v, sizeof v) || strcmp(v, "REPLACE") != 0))
        return 0;
    return 1;
}

/* What one decision reads, alive until it is made: the resource ARN, the
 * bucket policy, the condition keys and the lazy tag keys. */
struct s3_authz_state {
    char arn[AWS_ARN_BUF];
    char *policy; /* owned */
    char vid[1100];
    keys_t k;
    lazy_t lz;
};

void s3_authz_free(struct s3_authz_state *st)
{
    if (st == NULL)
        return;
    free(st->policy);
    free(st->lz.t);
    free(st);
}

/* The s3: condition keys of the request for action on res. */
static void request_keys(s3_req_t *s, const char *action, int res, keys_t *k)
{
    k->n = 0;
    if (!strcmp(action, "s3:ListBucket")) {
        key_query(k, s, "s3:prefix", "prefix");
        key_query(k, s, "s3:delimiter", "delimiter");
        key_query(k, s, "s3:max-keys", "max-keys");
    }
    key_header(k, s, "s3:x-amz-server-side-encryption", "x-amz-server-side-encryption");
    key_header(k, s, "s3:x-amz-server-side-encryption-aws-kms-key-id",
               "x-amz-server-side-encryption-aws-kms-key-id");
    key_header(k, s, "s3:x-amz-content-sha256", "x-amz-content-sha256");
    key_header(k, s, "s3:x-amz-copy-source", "x-amz-copy-source");
    key_header(k, s, "s3:x-amz-metadata-directive", "x-amz-metadata-directive");
    key_header(k, s, "s3:x-amz-acl", "x-amz-acl");
    if (s->r->caller.kind != PRINCIPAL_ANONYMOUS) {
        /* how the request was signed: an unsigned one has neither */
        size_t n;
        const char *az = http_header(s->r->http, "Authorization", &n);
        /* SigV2: "Authorization: AWS AK:sig" or AWSAccessKeyId in the query */
        int v2 = az ? (n >= 4 && !memcmp(az, "AWS ", 4)) : s3_query(s, "AWSAccessKeyId", NULL, 0);
        key_from(k, "s3:authType", az ? "REST-HEADER" : "REST-QUERY-STRING");
        key_from(k, "s3:signatureversion", v2 ? "AWS" : "AWS4-HMAC-SHA256");
    }
    key_from(k, "s3:ResourceAccount", s->r->account);
    if (res == RES_OBJECT &&
        (!strcmp(action, "s3:PutObject") || !strcmp(action, "s3:PutObjectRetention") ||
         !strcmp(action, "s3:PutObjectLegalHold") ||
         !strcmp(action, "s3:BypassGovernanceRetention"))) {
        char mode[16], until[40], days[24], hold[8];
        s3_lock_condition_keys(s, action, mode, until, days, hold);
        key_from(k, "s3:object-lock-mode", mode[0] ? mode : NULL);
        key_from(k, "s3:object-lock-retain-until-date", until[0] ? until : NULL);
        key_from(k, "s3:object-lock-remaining-retention-days", days[0] ? days : NULL);
        key_from(k, "s3:object-lock-legal-hold", hold[0] ? hold : NULL);
    }
}

/* Fills a for action on the bucket or object (vid: the version named, NULL
 * for the current one), st holding what a points to. Returns 0, or -1 with
 * NoSuchBucket set (the anonymous caller, a bucket that does not exist). */
static int fill(s3_req_t *s, struct s3_authz_state *st, const char *action, const char *bucket,
                const char *key, const char *vid, int res, authz_t *a)
{
    lazy_t *lz = &st->lz;
    size_t i;

    if (res == RES_NONE)
        snprintf(st->arn, sizeof st->arn, "*");
    else if (res == RES_BUCKET)
        snprintf(st->arn, sizeof st->arn, "arn:%s:s3:::%s", partition_name(s->r->region), bucket);
    else
        snprintf(st->arn, sizeof st->arn, "arn:%s:s3:::%s/%s", partition_name(s->r->region), bucket,
                 key ? key : "");
    request_keys(s, action, res, &st->k);
    lz->s = s;
    lz->bucket = bucket;
    lz->key = key;
    lz->vid = vid;
    lz->existing = 0;
    lz->t = NULL;
    for (i = 0; res == RES_OBJECT && key && existing_tag_actions[i] && !lz->existing; i++)
        lz->existing = !strcmp(existing_tag_actions[i], action);
    lz->request = res == RES_OBJECT ? request_tags_source(s, action) : 0;
    if (lz->existing || lz->request) {
        a->resolve = resolve;
        a->resolve_arg = lz;
    }
    st->policy = NULL;
    if (s->r->caller.kind == PRINCIPAL_ANONYMOUS && res != RES_NONE) {
        if (anonymous_sources(s, action, bucket, key, vid, a, &st->policy) != 0)
            return -1;
    } else if (res != RES_NONE) {
        st->policy = s3_bucket_col(s, POLICY_SQL, bucket);
    }
    a->action = action;
    a->resource = st->arn;
    a->resource_policy = st->policy;
    a->keys = st->k.keys;
    a->nkeys = st->k.n;
    return 0;
}

/* Authorizes action on the bucket or object, for what an operation learns
 * while serving (a copy source, each key of DeleteObjects). quiet: decide
 * only, leaving r's error and log note alone. Returns 0 allowed, or -1
 * (with the error set unless quiet). */
static int check(s3_req_t *s, const char *action, const char *bucket, const char *key,
                 const char *vid, int res, int quiet)
{
    struct s3_authz_state *st = calloc(1, sizeof *st);
    authz_t a;
    int rc;

    if (st == NULL)
        return quiet ? -1 : s3_fail(s, S3_E_INTERNAL);
    memset(&a, 0, sizeof a);
    if (fill(s, st, action, bucket, key, vid, res, &a) != 0) {
        if (quiet) {
            s->r->err_code[0] = '\0';
            s->r->err_status = 0;
        }
        s3_authz_free(st);
        return -1;
    }
    if (quiet)
        rc = authz_allowed(s->r, &s->r->caller, &a, NULL, 0) ? 0 : -1;
    else
        rc = authz_check(s->r, &a);
    s3_authz_free(st);
    return rc;
}

/* A version named (versionId): the *Version action of the row's. */
static const char *version_action(const char *action)
{
    static const char *const ver[][2] = {{"s3:GetObject", "s3:GetObjectVersion"},
                                         {"s3:DeleteObject", "s3:DeleteObjectVersion"},
                                         {"s3:GetObjectAcl", "s3:GetObjectVersionAcl"},
                                         {"s3:PutObjectAcl", "s3:PutObjectVersionAcl"}};
    size_t i;

    for (i = 0; i < sizeof ver / sizeof ver[0]; i++)
        if (!strcmp(ver[i][0], action))
            return ver[i][1];
    return action;
}

/* The resource functions of the rows: a->action is the row's. The state
 * lives in the request (s->az) until the decision is made. */
static int resource(svc_req_t *r, authz_t *a, int res)
{
    s3_req_t *s = r->svc_ctx;
    const char *vid = NULL;
    char v[1100];

    s3_authz_free(s->az);
    if ((s->az = calloc(1, sizeof *s->az)) == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (s3_query(s, "versionId", NULL, 0)) {
        if (s3_query(s, "versionId", v, sizeof v))
            vid = v;
        if (res == RES_OBJECT)
            a->action = version_action(a->action);
    }
    /* vid is read by the lazy tag keys during the decision: kept in the state */
    if (vid) {
        str_copy(s->az->vid, sizeof s->az->vid, vid);
        vid = s->az->vid;
    }
    return fill(s, s->az, a->action, s->bucket, s->key, vid, res, a);
}

int s3_res_account(svc_req_t *r, const void *in, authz_t *a)
{
    (void)in;
    return resource(r, a, RES_NONE);
}

int s3_res_bucket(svc_req_t *r, const void *in, authz_t *a)
{
    (void)in;
    return resource(r, a, RES_BUCKET);
}

int s3_res_object(svc_req_t *r, const void *in, authz_t *a)
{
    (void)in;
    return resource(r, a, RES_OBJECT);
}

int s3_authorize(s3_req_t *s)
{
    if (!s->r->emu->cfg->iam_enforce || s->authorized)
        return 0;
    s->authorized = 1;
    return authz_request(s->r, NULL);
}

int s3_authorize_object(s3_req_t *s, const char *action, const char *bucket, const char *key)
{
    if (!s->r->emu->cfg->iam_enforce)
        return 0;
    return check(s, action, bucket, key, NULL, RES_OBJECT, 0);
}

int s3_may_list(s3_req_t *s, const char *bucket)
{
    if (!s->r->emu->cfg->iam_enforce)
        return 1;
    return check(s, "s3:ListBucket", bucket, NULL, NULL, RES_BUCKET, 1) == 0;
}

int s3_may_object(s3_req_t *s, const char *action, const char *bucket, const char *key,
                  const char *vid)
{
    if (!s->r->emu->cfg->iam_enforce)
        return 1;
    return check(s, action, bucket, key, vid, RES_OBJECT, 1) == 0;
}

int s3_kms_allowed(s3_req_t *s)
{
    /* KMS decrypts and encrypts only for SigV4 callers */
    if (s->r->caller.kind == PRINCIPAL_ANONYMOUS)
        return s3_error(s, 400, "InvalidArgument",
                        "Requests specifying Server Side Encryption with AWS KMS managed keys "
                        "require AWS Signature Version 4.");
    return 0;
}

/* ---- bucket policy operations -------------------------------------------- */

int s3_op_put_bucket_policy(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    char err[256];
    policy_t *p;
    sqlite3_stmt *st;
    int rc, pub;

    if (s3_require_bucket(s) != 0)
        return -1;
    if (h->body.len == 0)
        return s3_error(s, 400, "MalformedPolicy", "Policies must be valid JSON and the first "
                                                   "byte must be '{'");
    if (h->body.len > 20480)
        return s3_error(s, 400, "PolicyTooLarge", "Policy exceeds the maximum allowed document "
                                                  "size.");
    p = policy_parse(h->body.data, h->body.len, POLICY_RESOURCE, err, sizeof err);
    if (p == NULL)
        return s3_error(s, 400, "MalformedPolicy", "%s", err);
    pub = policy_public(p);
    policy_free(p);
    if (pub && s3_pab_flag(s, s->bucket, "BlockPublicPolicy"))
        return s3_fail(s, S3_E_ACCESS_DENIED);
    st = db_query(s->r->emu->db, "UPDATE s3_buckets SET policy=?2 WHERE name=?1", "st", s->bucket, h->body.data, (size_t)h->body.len);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, 204);
    return 0;
}

static int no_policy(s3_req_t *s)
{
    return s3_error(s, 404, "NoSuchBucketPolicy", "The bucket policy does not exist");
}

int s3_op_get_bucket_policy(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char *policy;

    if (s3_require_bucket(s) != 0)
        return -1;
    if ((policy = s3_bucket_col(s, POLICY_SQL, s->bucket)) == NULL)
        return no_policy(s);
    http_add_header(s->r->http, "x-amz-request-id", s->r->request_id);
    http_respond(s->r->http, 200, "application/json", policy, strlen(policy));
    free(policy);
    return 0;
}

int s3_op_delete_bucket_policy(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    sqlite3_stmt *st;

    if (s3_require_bucket(s) != 0)
        return -1;
    st = db_query(s->r->emu->db, "UPDATE s3_buckets SET policy=NULL WHERE name=?1", "s", s->bucket);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    sqlite3_step(st);
    db_done(st);
    s3_send_empty(s, 204);
    return 0;
}

int s3_op_get_bucket_policy_status(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char *policy, err[256];
    policy_t *p;
    int pub;
    buf_t out;

    if (s3_require_bucket(s) != 0)
        return -1;
    if ((policy = s3_bucket_col(s, POLICY_SQL, s->bucket)) == NULL)
        return no_policy(s);
    p = policy_parse(policy, strlen(policy), POLICY_RESOURCE, err, sizeof err);
    pub = policy_public(p);
    policy_free(p);
    free(policy);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "PolicyStatus", XML_NS_S3);
    xml_elem(&out, "IsPublic", pub ? "true" : "false");
    xml_close(&out, "PolicyStatus");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}
