/* s3_route.c — which S3 operation a request names: the operation rows
 * (method, bucket/key presence, sub-resource, distinguishing header) and
 * S3's sub-resources. A request whose query names a sub-resource is served
 * by the row of exactly that sub-resource or refused; it never reaches a
 * plain object or bucket operation. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <string.h>

#include "emulator/http.h"

/* ---- S3's sub-resources ---------------------------------------------------------
 *
 * Every literal query key of an operation's requestUri in botocore's S3
 * model (data/s3/2006-03-01/service-2.json), with the methods the model
 * gives it at a bucket's path and at an object's (NULL: none there), plus
 * uploadId, which the model carries as a required query member of the
 * multipart operations. The historic sub-resources of S3's SigV2
 * documentation (acl, lifecycle, location, logging, notification,
 * partNumber, policy, requestPayment, torrent, uploadId, uploads, versionId,
 * versioning, versions, website) are among them, but for partNumber and
 * versionId, which qualify an operation and select none. list-type is not
 * one either: ListObjectsV2 is the listing with another shape (s3_list.c).
 * Names match exactly, case and all, and whatever the value: S3 lists a
 * bucket for ?Versioning (measured by brekkylab/backlot#118 against S3).
 * tests/e2e/test_s3_object_lock.py checks this table against the model. */
typedef struct {
    const char *name;
    const char *bucket; /* the methods at a bucket's path, as Allow lists them */
    const char *object; /* ... at an object's */
} subres_t;

static const subres_t subresources[] = {
    {"abac", "GET, PUT", NULL},
    {"accelerate", "GET, PUT", NULL},
    {"acl", "GET, PUT", "GET, PUT"},
    {"analytics", "DELETE, GET, PUT", NULL},
    {"attributes", NULL, "GET"},
    {"cors", "DELETE, GET, PUT", NULL},
    {"delete", "POST", NULL},
    {"encryption", "DELETE, GET, PUT", "PUT"},
    {"intelligent-tiering", "DELETE, GET, PUT", NULL},
    {"inventory", "DELETE, GET, PUT", NULL},
    {"legal-hold", NULL, "GET, PUT"},
    {"lifecycle", "DELETE, GET, PUT", NULL},
    {"location", "GET", NULL},
    {"logging", "GET, PUT", NULL},
    {"metadataConfiguration", "DELETE, GET, POST", NULL},
    {"metadataInventoryTable", "PUT", NULL},
    {"metadataJournalTable", "PUT", NULL},
    {"metadataTable", "DELETE, GET, POST", NULL},
    {"metrics", "DELETE, GET, PUT", NULL},
    {"notification", "GET, PUT", NULL},
    {"object-lock", "GET, PUT", NULL},
    {"ownershipControls", "DELETE, GET, PUT", NULL},
    {"policy", "DELETE, GET, PUT", NULL},
    {"policyStatus", "GET", NULL},
    {"publicAccessBlock", "DELETE, GET, PUT", NULL},
    {"renameObject", NULL, "PUT"},
    {"replication", "DELETE, GET, PUT", NULL},
    {"requestPayment", "GET, PUT", NULL},
    {"restore", NULL, "POST"},
    {"retention", NULL, "GET, PUT"},
    {"select", NULL, "POST"},
    {"select-type", NULL, "POST"}, /* with select: SelectObjectContent */
    {"session", "GET", NULL},
    {"tagging", "DELETE, GET, PUT", "DELETE, GET, PUT"},
    {"torrent", NULL, "GET"},
    {"uploadId", NULL, "DELETE, GET, POST, PUT"},
    {"uploads", "GET", "POST"},
    {"versioning", "GET, PUT", NULL},
    {"versions", "GET", NULL},
    {"website", "DELETE, GET, PUT", NULL},
};

#define NSUBRES (sizeof subresources / sizeof subresources[0])

/* Bucket sub-resources S3 answers with the bucket's operation on a GET at
 * a key's path too, the key ignored (measured against S3, see
 * brekkylab/backlot#267 and its fix: "real answered each of these but
 * ?logging and ?versions on a GET at a key with the bucket's answer"). */
static const char *const key_bucket_gets[] = {
    "accelerate", "cors",        "inventory",      "lifecycle",  "location", "notification",
    "policy",     "replication", "requestPayment", "versioning", "website",  NULL};

static const subres_t *subres_find(const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < NSUBRES; i++)
        if (strlen(subresources[i].name) == n && !memcmp(subresources[i].name, name, n))
            return &subresources[i];
    return NULL;
}

/* ---- operation rows ------------------------------------------------------------- */

typedef struct {
    const char *method;
    int has_key;        /* -1: no bucket, 0: bucket, 1: bucket + key */
    const char *sub;    /* the sub-resource that selects the operation, NULL none */
    const char *header; /* a header that selects it (x-amz-copy-source) */
    const char *name;
    int (*fn)(void *s);
} op_t;

/* First match wins: a row with a header before the same row without. */
/* clang-format off */
#define CFG(sub, put, get, del)                                                                \
    {"PUT", 0, sub, NULL, put, s3_op_config_put}, {"GET", 0, sub, NULL, get, s3_op_config_get},    \
        {"DELETE", 0, sub, NULL, del, s3_op_config_delete}
/* clang-format on */

static const op_t ops[] = {
    {"GET", -1, NULL, NULL, "ListBuckets", s3_op_list_buckets},
    {"PUT", 0, "encryption", NULL, "PutBucketEncryption", s3_op_put_bucket_encryption},
    {"PUT", 0, "policy", NULL, "PutBucketPolicy", s3_op_put_bucket_policy},
    {"PUT", 0, "acl", NULL, "PutBucketAcl", s3_op_put_bucket_acl},
    {"PUT", 0, "versioning", NULL, "PutBucketVersioning", s3_op_put_bucket_versioning},
    CFG("cors", "PutBucketCors", "GetBucketCors", "DeleteBucketCors"),
    CFG("website", "PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite"),
    CFG("lifecycle", "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration",
        "DeleteBucketLifecycle"),
    CFG("replication", "PutBucketReplication", "GetBucketReplication", "DeleteBucketReplication"),
    CFG("tagging", "PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging"),
    CFG("publicAccessBlock", "PutPublicAccessBlock", "GetPublicAccessBlock",
        "DeletePublicAccessBlock"),
    CFG("ownershipControls", "PutBucketOwnershipControls", "GetBucketOwnershipControls",
        "DeleteBucketOwnershipControls"),
    {"PUT", 0, "accelerate", NULL, "PutBucketAccelerateConfiguration", s3_op_config_put},
    {"GET", 0, "accelerate", NULL, "GetBucketAccelerateConfiguration", s3_op_config_get},
    {"PUT", 0, "requestPayment", NULL, "PutBucketRequestPayment", s3_op_config_put},
    {"GET", 0, "requestPayment", NULL, "GetBucketRequestPayment", s3_op_config_get},
    {"PUT", 0, "logging", NULL, "PutBucketLogging", s3_op_config_put},
    {"GET", 0, "logging", NULL, "GetBucketLogging", s3_op_config_get},
    {"PUT", 0, "object-lock", NULL, "PutObjectLockConfiguration", s3_op_config_put},
    {"GET", 0, "object-lock", NULL, "GetObjectLockConfiguration", s3_op_config_get},
    {"PUT", 0, NULL, NULL, "CreateBucket", s3_op_create_bucket},
    {"GET", 0, "location", NULL, "GetBucketLocation", s3_op_get_bucket_location},
    {"GET", 0, "encryption", NULL, "GetBucketEncryption", s3_op_get_bucket_encryption},
    {"GET", 0, "policyStatus", NULL, "GetBucketPolicyStatus", s3_op_get_bucket_policy_status},
    {"GET", 0, "policy", NULL, "GetBucketPolicy", s3_op_get_bucket_policy},
    {"GET", 0, "acl", NULL, "GetBucketAcl", s3_op_get_bucket_acl},
    {"GET", 0, "versioning", NULL, "GetBucketVersioning", s3_op_get_bucket_versioning},
    {"GET", 0, "versions", NULL, "ListObjectVersions", s3_op_list_object_versions},
    {"GET", 0, "uploads", NULL, "ListMultipartUploads", s3_op_list_multipart_uploads},
    {"GET", 0, NULL, NULL, "ListObjects", s3_op_list_objects},
    {"HEAD", 0, NULL, NULL, "HeadBucket", s3_op_head_bucket},
    {"DELETE", 0, "encryption", NULL, "DeleteBucketEncryption", s3_op_delete_bucket_encryption},
    {"DELETE", 0, "policy", NULL, "DeleteBucketPolicy", s3_op_delete_bucket_policy},
    {"DELETE", 0, NULL, NULL, "DeleteBucket", s3_op_delete_bucket},
    {"POST", 0, "delete", NULL, "DeleteObjects", s3_op_delete_objects},
    {"OPTIONS", 0, NULL, NULL, "PreflightRequest", s3_op_cors_preflight},
    {"OPTIONS", 1, NULL, NULL, "PreflightRequest", s3_op_cors_preflight},
    {"PUT", 1, "acl", NULL, "PutObjectAcl", s3_op_put_object_acl},
    {"GET", 1, "acl", NULL, "GetObjectAcl", s3_op_get_object_acl},
    {"PUT", 1, "tagging", NULL, "PutObjectTagging", s3_op_put_object_tagging},
    {"PUT", 1, "retention", NULL, "PutObjectRetention", s3_op_put_object_retention},
    {"PUT", 1, "legal-hold", NULL, "PutObjectLegalHold", s3_op_put_object_legal_hold},
    {"PUT", 1, "uploadId", "x-amz-copy-source", "UploadPartCopy", s3_op_upload_part_copy},
    {"PUT", 1, "uploadId", NULL, "UploadPart", s3_op_upload_part},
    {"PUT", 1, NULL, "x-amz-copy-source", "CopyObject", s3_op_copy_object},
    {"PUT", 1, NULL, NULL, "PutObject", s3_op_put_object},
    {"GET", 1, "tagging", NULL, "GetObjectTagging", s3_op_get_object_tagging},
    {"GET", 1, "retention", NULL, "GetObjectRetention", s3_op_get_object_retention},
    {"GET", 1, "legal-hold", NULL, "GetObjectLegalHold", s3_op_get_object_legal_hold},
    {"GET", 1, "uploadId", NULL, "ListParts", s3_op_list_parts},
    {"GET", 1, "attributes", NULL, "GetObjectAttributes", s3_op_get_object_attributes},
    {"GET", 1, NULL, NULL, "GetObject", s3_op_get_object},
    {"HEAD", 1, NULL, NULL, "HeadObject", s3_op_get_object},
    {"DELETE", 1, "tagging", NULL, "DeleteObjectTagging", s3_op_delete_object_tagging},
    {"DELETE", 1, "uploadId", NULL, "AbortMultipartUpload", s3_op_abort_multipart_upload},
    {"DELETE", 1, NULL, NULL, "DeleteObject", s3_op_delete_object},
    {"POST", 1, "uploads", NULL, "CreateMultipartUpload", s3_op_create_multipart_upload},
    {"POST", 1, "uploadId", NULL, "CompleteMultipartUpload", s3_op_complete_multipart_upload},
};

/* The row of method at has_key for sub-resource sub (NULL: none), or NULL. */
static const op_t *find_row(const http_req_t *h, int has_key, const char *sub)
{
    size_t i;

    for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const op_t *o = &ops[i];
        if (strcmp(o->method, h->method) != 0 || o->has_key != has_key)
            continue;
        if ((o->sub == NULL) != (sub == NULL) || (sub && strcmp(o->sub, sub) != 0))
            continue;
        if (o->header && !http_header(h, o->header, NULL))
            continue;
        return o;
    }
    return NULL;
}

/* 1 when the comma-separated method list allowed names method. */
static int allows(const char *allowed, const char *method)
{
    size_t n = strlen(method);
    const char *p = allowed;

    while (p && (p = strstr(p, method)) != NULL) {
        if ((p == allowed || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

/* The sub-resources the raw query q names, sorted by name, without repeats,
 * at most MAX_SELECTED (more than one is refused whatever their number).
 * select-type beside select is part of SelectObjectContent's select. */
#define MAX_SELECTED 8

static size_t selected_subresources(const char *q, const subres_t *out[MAX_SELECTED])
{
    size_t n = 0, i, j, len = strlen(q), k = 0;
    int have_select = 0;

    while (k < len) {
        size_t e = k, nl;
        const subres_t *sr;
        while (e < len && q[e] != '&')
            e++;
        for (nl = 0; k + nl < e && q[k + nl] != '='; nl++)
            ;
        sr = nl ? subres_find(q + k, nl) : NULL;
        k = e + 1;
        if (sr == NULL)
            continue;
        for (i = 0; i < n && out[i] != sr; i++)
            ;
        if (i < n || n == MAX_SELECTED)
            continue;
        have_select |= !strcmp(sr->name, "select");
        out[n++] = sr;
    }
    if (have_select) {
        for (i = j = 0; i < n; i++)
            if (strcmp(out[i]->name, "select-type") != 0)
                out[j++] = out[i];
        n = j;
    }
    /* sorted by name, as S3 names them in its conflict message */
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && strcmp(out[j - 1]->name, out[j]->name) > 0; j--) {
            const subres_t *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

size_t s3_query_subresources(const char *query, const char *names[], size_t max)
{
    const subres_t *sel[MAX_SELECTED];
    size_t n = selected_subresources(query, sel), i;

    for (i = 0; i < n && i < max; i++)
        names[i] = sel[i]->name;
    return n;
}

static int not_allowed(s3_req_t *s, const char *allowed)
{
    if (allowed)
        http_add_header(s->r->http, "Allow", allowed);
    return s3_error(s, 405, "MethodNotAllowed",
                    "The specified method is not allowed against this resource.");
}

int s3_route(s3_req_t *s, int has_key)
{
    http_req_t *h = s->r->http;
    const subres_t *sel[MAX_SELECTED], *sr;
    const char *allowed;
    const op_t *o;
    size_t n = 0, i;

    /* the service root and CORS preflights (which carry the query of the
     * request they ask for) select by method alone */
    if (has_key >= 0 && strcmp(h->method, "OPTIONS") != 0)
        n = selected_subresources(h->query, sel);
    if (n > 1) {
        /* "Conflicting query string parameters: acl, versioning", as
         * InvalidArgument naming the first (measured, brekkylab/backlot#118) */
        char msg[256] = "Conflicting query string parameters: ";
        for (i = 0; i < n; i++)
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "%s%s", i ? ", " : "",
                     sel[i]->name);
        return s3_error_arg(s, 400, "InvalidArgument", "ResourceType", sel[0]->name, "%s", msg);
    }
    sr = n ? sel[0] : NULL;
    allowed = sr ? (has_key == 1 ? sr->object : sr->bucket) : NULL;
    if (sr && !strcmp(h->method, "HEAD"))
        return not_allowed(s, allowed); /* no sub-resource has a HEAD form */
    o = find_row(h, has_key, sr ? sr->name : NULL);
    if (o == NULL && sr && has_key == 1 && sr->object == NULL && !strcmp(h->method, "GET")) {
        /* a bucket's sub-resource at a key's path: the bucket's operation
         * where S3 answers with it, its own refusals where S3 has them */
        for (i = 0; key_bucket_gets[i]; i++)
            if (!strcmp(key_bucket_gets[i], sr->name))
                o = find_row(h, 0, sr->name);
        if (o == NULL && !strcmp(sr->name, "logging"))
            return s3_error(s, 400, "NoLoggingStatusForKey",
                            "There is no such thing as the ?logging sub-resource for a key");
        if (o == NULL && !strcmp(sr->name, "versions"))
            return s3_error(s, 400, "InvalidRequest",
                            "There is no such thing as the ?versions sub-resource for a key");
    }
    if (o != NULL) {
        s->opname = o->name;
        s->op = o->fn;
        s->r->operation = o->name;
        return 0;
    }
    if (sr == NULL)
        return not_allowed(s, NULL);
    if (has_key == 0 && sr->bucket == NULL && !strcmp(sr->name, "uploadId"))
        return s3_error(s, 400, "InvalidRequest", "A key must be specified");
    if ((has_key == 0 && sr->bucket == NULL) || (allowed && !allows(allowed, h->method)))
        return not_allowed(s, allowed);
    /* a sub-resource S3 serves and awsemu does not: never another operation */
    return s3_error(s, 501, "NotImplemented",
                    "The requested resource is not implemented: %s ?%s on %s", h->method, sr->name,
                    has_key == 1 ? "an object" : "a bucket");
}
