/* s3_authz.c — S3 requests as IAM sees them (Service Authorization
 * Reference): each operation's action, the bucket or object ARN, the
 * bucket policy, and the condition keys s3:prefix, s3:delimiter,
 * s3:max-keys, s3:x-amz-server-side-encryption(-aws-kms-key-id),
 * s3:x-amz-content-sha256, s3:x-amz-copy-source, s3:x-amz-metadata-directive,
 * s3:authType, s3:signatureversion, s3:ResourceAccount. Also the bucket
 * policy operations. */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "iam.h"
#include "iam/policy.h"
#include "xml.h"

enum { RES_NONE, RES_BUCKET, RES_OBJECT };

static const struct {
    const char *op, *action;
    int res;
} actions[] = {
    {"AbortMultipartUpload", "s3:AbortMultipartUpload", RES_OBJECT},
    {"CompleteMultipartUpload", "s3:PutObject", RES_OBJECT},
    {"CopyObject", "s3:PutObject", RES_OBJECT},
    {"CreateBucket", "s3:CreateBucket", RES_BUCKET},
    {"CreateMultipartUpload", "s3:PutObject", RES_OBJECT},
    {"DeleteBucket", "s3:DeleteBucket", RES_BUCKET},
    {"DeleteBucketCors", "s3:PutBucketCORS", RES_BUCKET},
    {"DeleteBucketEncryption", "s3:PutEncryptionConfiguration", RES_BUCKET},
    {"DeleteBucketLifecycle", "s3:PutLifecycleConfiguration", RES_BUCKET},
    {"DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls", RES_BUCKET},
    {"DeleteBucketPolicy", "s3:DeleteBucketPolicy", RES_BUCKET},
    {"DeleteBucketReplication", "s3:PutReplicationConfiguration", RES_BUCKET},
    {"DeleteBucketTagging", "s3:PutBucketTagging", RES_BUCKET},
    {"DeleteBucketWebsite", "s3:DeleteBucketWebsite", RES_BUCKET},
    {"DeleteObject", "s3:DeleteObject", RES_OBJECT}, /* s3:DeleteObjectVersion with versionId */
    {"DeleteObjectTagging", "s3:DeleteObjectTagging", RES_OBJECT},
    {"DeleteObjects", NULL, RES_BUCKET}, /* s3:DeleteObject(Version) per key */
    {"DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock", RES_BUCKET},
    {"GetBucketAccelerateConfiguration", "s3:GetAccelerateConfiguration", RES_BUCKET},
    {"GetBucketAcl", "s3:GetBucketAcl", RES_BUCKET},
    {"GetBucketCors", "s3:GetBucketCORS", RES_BUCKET},
    {"GetBucketEncryption", "s3:GetEncryptionConfiguration", RES_BUCKET},
    {"GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration", RES_BUCKET},
    {"GetBucketLocation", "s3:GetBucketLocation", RES_BUCKET},
    {"GetBucketLogging", "s3:GetBucketLogging", RES_BUCKET},
    {"GetBucketOwnershipControls", "s3:GetBucketOwnershipControls", RES_BUCKET},
    {"GetBucketPolicy", "s3:GetBucketPolicy", RES_BUCKET},
    {"GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", RES_BUCKET},
    {"GetBucketReplication", "s3:GetReplicationConfiguration", RES_BUCKET},
    {"GetBucketRequestPayment", "s3:GetBucketRequestPayment", RES_BUCKET},
    {"GetBucketTagging", "s3:GetBucketTagging", RES_BUCKET},
    {"GetBucketVersioning", "s3:GetBucketVersioning", RES_BUCKET},
    {"GetBucketWebsite", "s3:GetBucketWebsite", RES_BUCKET},
    {"GetObject", "s3:GetObject", RES_OBJECT}, /* s3:GetObjectVersion with versionId */
    {"GetObjectAcl", "s3:GetObjectAcl", RES_OBJECT},
    {"GetObjectAttributes", "s3:GetObjectAttributes", RES_OBJECT},
    {"GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", RES_BUCKET},
    {"GetObjectTagging", "s3:GetObjectTagging", RES_OBJECT},
    {"GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", RES_BUCKET},
    {"HeadBucket", "s3:ListBucket", RES_BUCKET},
    {"HeadObject", "s3:GetObject", RES_OBJECT},
    {"ListBuckets", "s3:ListAllMyBuckets", RES_NONE},
    {"ListMultipartUploads", "s3:ListBucketMultipartUploads", RES_BUCKET},
    {"ListObjectVersions", "s3:ListBucketVersions", RES_BUCKET},
    {"ListObjects", "s3:ListBucket", RES_BUCKET},
    {"ListParts", "s3:ListMultipartUploadParts", RES_OBJECT},
    {"PreflightRequest", NULL, RES_BUCKET}, /* unauthenticated, as in S3 */
    {"PutBucketAccelerateConfiguration", "s3:PutAccelerateConfiguration", RES_BUCKET},
    {"PutBucketAcl", "s3:PutBucketAcl", RES_BUCKET},
    {"PutBucketCors", "s3:PutBucketCORS", RES_BUCKET},
    {"PutBucketEncryption", "s3:PutEncryptionConfiguration", RES_BUCKET},
    {"PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration", RES_BUCKET},
    {"PutBucketLogging", "s3:PutBucketLogging", RES_BUCKET},
    {"PutBucketOwnershipControls", "s3:PutBucketOwnershipControls", RES_BUCKET},
    {"PutBucketPolicy", "s3:PutBucketPolicy", RES_BUCKET},
    {"PutBucketReplication", "s3:PutReplicationConfiguration", RES_BUCKET},
    {"PutBucketRequestPayment", "s3:PutBucketRequestPayment", RES_BUCKET},
    {"PutBucketTagging", "s3:PutBucketTagging", RES_BUCKET},
    {"PutBucketVersioning", "s3:PutBucketVersioning", RES_BUCKET},
    {"PutBucketWebsite", "s3:PutBucketWebsite", RES_BUCKET},
    {"PutObject", "s3:PutObject", RES_OBJECT},
    {"PutObjectAcl", "s3:PutObjectAcl", RES_OBJECT},
    {"PutObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", RES_BUCKET},
    {"PutObjectTagging", "s3:PutObjectTagging", RES_OBJECT},
    {"PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock", RES_BUCKET},
    {"UploadPart", "s3:PutObject", RES_OBJECT},
    {"UploadPartCopy", "s3:PutObject", RES_OBJECT},
};

/* The bucket's policy (malloc'd) or NULL. */
static char *bucket_policy(s3_req_t *s, const char *bucket)
{
    sqlite3_stmt *st = db_stmt(s->r->emu->db, "SELECT policy FROM s3_buckets WHERE name=?1");
    char *v = NULL;

    if (st == NULL)
        return NULL;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return v;
}

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
    snprintf(k->store[k->n], sizeof k->store[k->n], "%s", value);
    k->vals[k->n] = k->store[k->n];
    k->keys[k->n] = (authz_key_t){name, &k->vals[k->n], 1};
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

static int check(s3_req_t *s, const char *action, const char *bucket, const char *key, int res)
{
    char arn[1200];
    char *policy = NULL;
    keys_t k;
    authz_t a;
    int rc;

    k.n = 0;
    if (res == RES_NONE)
        snprintf(arn, sizeof arn, "*");
    else if (res == RES_BUCKET)
        snprintf(arn, sizeof arn, "arn:aws:s3:::%s", bucket);
    else
        snprintf(arn, sizeof arn, "arn:aws:s3:::%s/%s", bucket, key ? key : "");
    if (!strcmp(action, "s3:ListBucket")) {
        key_query(&k, s, "s3:prefix", "prefix");
        key_query(&k, s, "s3:delimiter", "delimiter");
        key_query(&k, s, "s3:max-keys", "max-keys");
    }
    key_header(&k, s, "s3:x-amz-server-side-encryption", "x-amz-server-side-encryption");
    key_header(&k, s, "s3:x-amz-server-side-encryption-aws-kms-key-id",
               "x-amz-server-side-encryption-aws-kms-key-id");
    key_header(&k, s, "s3:x-amz-content-sha256", "x-amz-content-sha256");
    key_header(&k, s, "s3:x-amz-copy-source", "x-amz-copy-source");
    key_header(&k, s, "s3:x-amz-metadata-directive", "x-amz-metadata-directive");
    key_header(&k, s, "s3:x-amz-acl", "x-amz-acl");
    key_from(&k, "s3:authType",
             http_header(s->r->http, "Authorization", NULL) ? "REST-HEADER" : "REST-QUERY-STRING");
    {
        size_t n;
        const char *az = http_header(s->r->http, "Authorization", &n);
        /* SigV2: "Authorization: AWS AK:sig" or AWSAccessKeyId in the query */
        int v2 = az ? (n >= 4 && !memcmp(az, "AWS ", 4)) : s3_query(s, "AWSAccessKeyId", NULL, 0);
        key_from(&k, "s3:signatureversion", v2 ? "AWS" : "AWS4-HMAC-SHA256");
    }
    key_from(&k, "s3:ResourceAccount", s->r->account);
    if (res != RES_NONE)
        policy = bucket_policy(s, bucket);
    memset(&a, 0, sizeof a);
    a.action = action;
    a.resource = arn;
    a.resource_policy = policy;
    a.keys = k.keys;
    a.nkeys = k.n;
    rc = authz_check(s->r, &a);
    free(policy);
    return rc;
}

int s3_authorize(s3_req_t *s)
{
    size_t i;

    if (!s->r->emu->cfg->iam_enforce || s->authorized)
        return 0;
    s->authorized = 1;
    for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (!strcmp(actions[i].op, s->opname))
            break;
    if (i == sizeof actions / sizeof actions[0])
        return s3_error(s, 403, "AccessDenied", "Access Denied"); /* unmapped: never allowed */
    if (actions[i].action == NULL)
        return 0; /* the operation authorizes each item */
    if (s3_query(s, "versionId", NULL, 0)) {
        /* a version named: the *Version actions */
        static const struct {
            const char *op, *action;
        } ver[] = {{"GetObject", "s3:GetObjectVersion"},
                   {"HeadObject", "s3:GetObjectVersion"},
                   {"DeleteObject", "s3:DeleteObjectVersion"},
                   {"GetObjectAcl", "s3:GetObjectVersionAcl"},
                   {"PutObjectAcl", "s3:PutObjectVersionAcl"}};
        size_t j;
        for (j = 0; j < sizeof ver / sizeof ver[0]; j++)
            if (!strcmp(ver[j].op, s->opname))
                return check(s, ver[j].action, s->bucket, s->key, actions[i].res);
    }
    return check(s, actions[i].action, s->bucket, s->key, actions[i].res);
}

int s3_authorize_object(s3_req_t *s, const char *action, const char *bucket, const char *key)
{
    if (!s->r->emu->cfg->iam_enforce)
        return 0;
    return check(s, action, bucket, key, RES_OBJECT);
}

/* ---- bucket policy operations -------------------------------------------- */

static int statement_public(const cJSON *st);

/* 1 when the policy document grants anything to everyone. */
static int policy_public(const char *text, size_t len)
{
    cJSON *doc = cJSON_ParseWithLength(text, len), *stmts, *st;
    int pub = 0;

    stmts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    if (cJSON_IsObject(stmts))
        pub = statement_public(stmts);
    else if (cJSON_IsArray(stmts))
        cJSON_ArrayForEach(st, stmts) pub |= statement_public(st);
    cJSON_Delete(doc);
    return pub;
}

int s3_op_put_bucket_policy(void *arg)
{
    s3_req_t *s = arg;
    http_req_t *h = s->r->http;
    char err[256];
    policy_t *p;
    sqlite3_stmt *st;
    int rc;

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
    policy_free(p);
    if (policy_public(h->body.data, h->body.len) && s3_pab_flag(s, s->bucket, "BlockPublicPolicy"))
        return s3_error(s, 403, "AccessDenied", "Access Denied");
    st = db_stmt(s->r->emu->db, "UPDATE s3_buckets SET policy=?2 WHERE name=?1");
    if (st == NULL)
        return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    sqlite3_bind_text(st, 1, s->bucket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, h->body.data, (int)h->body.len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    s3_send_empty(s, 204);
    return 0;
}

static int no_policy(s3_req_t *s)
{
    return s3_error(s, 404, "NoSuchBucketPolicy", "The bucket policy does not exist");
}

int s3_op_get_bucket_policy(void *arg)
{
    s3_req_t *s = arg;
    char *policy;

    if (s3_require_bucket(s) != 0)
        return -1;
    if ((policy = bucket_policy(s, s->bucket)) == NULL)
        return no_policy(s);
    http_add_header(s->r->http, "x-amz-request-id", s->r->request_id);
    http_respond(s->r->http, 200, "application/json", policy, strlen(policy));
    free(policy);
    return 0;
}

int s3_op_delete_bucket_policy(void *arg)
{
    s3_req_t *s = arg;
    sqlite3_stmt *st;

    if (s3_require_bucket(s) != 0)
        return -1;
    st = db_stmt(s->r->emu->db, "UPDATE s3_buckets SET policy=NULL WHERE name=?1");
    if (st == NULL)
        return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    sqlite3_bind_text(st, 1, s->bucket, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_reset(st);
    s3_send_empty(s, 204);
    return 0;
}

/* Public, as S3 judges it here: an Allow statement without a Condition
 * whose principal is "*" or {"AWS": "*"}. */
static int statement_public(const cJSON *st)
{
    const cJSON *eff = cJSON_GetObjectItemCaseSensitive(st, "Effect");
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(st, "Principal");
    const cJSON *aws = cJSON_IsObject(pr) ? cJSON_GetObjectItemCaseSensitive(pr, "AWS") : NULL;

    if (!cJSON_IsString(eff) || strcmp(eff->valuestring, "Allow") != 0 ||
        cJSON_GetObjectItemCaseSensitive(st, "Condition"))
        return 0;
    return (cJSON_IsString(pr) && !strcmp(pr->valuestring, "*")) ||
           (cJSON_IsString(aws) && !strcmp(aws->valuestring, "*"));
}

int s3_op_get_bucket_policy_status(void *arg)
{
    s3_req_t *s = arg;
    char *policy;
    cJSON *doc, *stmts, *st;
    int pub = 0;
    buf_t out;

    if (s3_require_bucket(s) != 0)
        return -1;
    if ((policy = bucket_policy(s, s->bucket)) == NULL)
        return no_policy(s);
    doc = cJSON_Parse(policy);
    stmts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    if (cJSON_IsObject(stmts))
        pub = statement_public(stmts);
    else if (cJSON_IsArray(stmts))
        cJSON_ArrayForEach(st, stmts) pub |= statement_public(st);
    cJSON_Delete(doc);
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
