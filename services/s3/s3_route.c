/* s3_route.c — which S3 operation a request names: the routes (method,
 * bucket/key presence, sub-resource, distinguishing header) to the rows of
 * s3_ops (s3.c), and
 * S3's sub-resources. A request whose query names a sub-resource is served
 * by the row of exactly that sub-resource or refused; it never reaches a
 * plain object or bucket operation. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <string.h>

#include "emulator/http.h"
#include "emulator/proto_query.h"

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

/* ---- routes: which row a request names ------------------------------------------ */

typedef struct {
    const char *method;
    int has_key;        /* -1: no bucket, 0: bucket, 1: bucket + key */
    const char *sub;    /* the sub-resource that selects the operation, NULL none */
    const char *header; /* a header that selects it (x-amz-copy-source) */
    const char *param;  /* a query parameter and value that select it ("list-type=2") */
    const char *name;   /* its row in s3_ops (s3.c); NULL: the CORS preflight */
    int (*head)(s3_req_t *s); /* OP_STREAMS rows: the head-time preparation */
} route_t;

/* First match wins: a route with a header or parameter before the same
 * route without. */
/* clang-format off */
#define CFG(sub, put, get, del)                                                                    \
    {"PUT", 0, sub, NULL, NULL, put, NULL}, {"GET", 0, sub, NULL, NULL, get, NULL},                \
        {"DELETE", 0, sub, NULL, NULL, del, NULL}
/* a configuration kept by id: GET without ?id= lists them */
#define IDCFG(sub, kind)                                                                           \
    {"PUT", 0, sub, NULL, NULL, "PutBucket" kind "Configuration", NULL},                           \
        {"GET", 0, sub, NULL, "id", "GetBucket" kind "Configuration", NULL},                       \
        {"GET", 0, sub, NULL, NULL, "ListBucket" kind "Configurations", NULL},                     \
        {"DELETE", 0, sub, NULL, NULL, "DeleteBucket" kind "Configuration", NULL}
#define B(method, sub, name) {method, 0, sub, NULL, NULL, name, NULL}
#define K(method, sub, name) {method, 1, sub, NULL, NULL, name, NULL}
/* clang-format on */

static const route_t routes[] = {
    {"GET", -1, NULL, NULL, NULL, "ListBuckets", NULL},
    B("PUT", "encryption", "PutBucketEncryption"),
    B("PUT", "policy", "PutBucketPolicy"),
    B("PUT", "acl", "PutBucketAcl"),
    B("PUT", "versioning", "PutBucketVersioning"),
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
    B("PUT", "accelerate", "PutBucketAccelerateConfiguration"),
    B("GET", "accelerate", "GetBucketAccelerateConfiguration"),
    B("PUT", "requestPayment", "PutBucketRequestPayment"),
    B("GET", "requestPayment", "GetBucketRequestPayment"),
    B("PUT", "logging", "PutBucketLogging"),
    B("GET", "logging", "GetBucketLogging"),
    B("PUT", "object-lock", "PutObjectLockConfiguration"),
    B("GET", "object-lock", "GetObjectLockConfiguration"),
    B("PUT", NULL, "CreateBucket"),
    B("GET", "location", "GetBucketLocation"),
    B("GET", "encryption", "GetBucketEncryption"),
    B("GET", "policyStatus", "GetBucketPolicyStatus"),
    B("GET", "policy", "GetBucketPolicy"),
    B("GET", "acl", "GetBucketAcl"),
    B("GET", "versioning", "GetBucketVersioning"),
    B("GET", "versions", "ListObjectVersions"),
    B("GET", "uploads", "ListMultipartUploads"),
    {"GET", 0, NULL, NULL, "list-type=2", "ListObjectsV2", NULL},
    B("GET", NULL, "ListObjects"),
    B("HEAD", NULL, "HeadBucket"),
    B("DELETE", "encryption", "DeleteBucketEncryption"),
    B("DELETE", "policy", "DeleteBucketPolicy"),
    B("DELETE", NULL, "DeleteBucket"),
    B("POST", "delete", "DeleteObjects"),
    /* a browser form's upload (s3_post.c): no operation of the model */
    {"POST", 0, NULL, "Content-Type", NULL, "PostObject", NULL},
    B("OPTIONS", NULL, NULL),
    K("OPTIONS", NULL, NULL),
    K("PUT", "acl", "PutObjectAcl"),
    K("GET", "acl", "GetObjectAcl"),
    K("PUT", "tagging", "PutObjectTagging"),
    K("PUT", "retention", "PutObjectRetention"),
    K("PUT", "legal-hold", "PutObjectLegalHold"),
    {"PUT", 1, "uploadId", "x-amz-copy-source", NULL, "UploadPartCopy", NULL},
    {"PUT", 1, "uploadId", NULL, NULL, "UploadPart", s3_part_head},
    {"PUT", 1, NULL, "x-amz-copy-source", NULL, "CopyObject", NULL},
    {"PUT", 1, NULL, NULL, NULL, "PutObject", s3_upload_head},
    K("GET", "tagging", "GetObjectTagging"),
    K("GET", "retention", "GetObjectRetention"),
    K("GET", "legal-hold", "GetObjectLegalHold"),
    K("GET", "uploadId", "ListParts"),
    K("GET", "attributes", "GetObjectAttributes"),
    K("GET", NULL, "GetObject"),
    K("HEAD", NULL, "HeadObject"),
    K("DELETE", "tagging", "DeleteObjectTagging"),
    K("DELETE", "uploadId", "AbortMultipartUpload"),
    K("DELETE", NULL, "DeleteObject"),
    K("POST", "uploads", "CreateMultipartUpload"),
    K("POST", "uploadId", "CompleteMultipartUpload"),
    /* operations awsemu does not serve: their rows answer NotImplemented */
    B("POST", "metadataConfiguration", "CreateBucketMetadataConfiguration"),
    B("GET", "metadataConfiguration", "GetBucketMetadataConfiguration"),
    B("DELETE", "metadataConfiguration", "DeleteBucketMetadataConfiguration"),
    B("POST", "metadataTable", "CreateBucketMetadataTableConfiguration"),
    B("GET", "metadataTable", "GetBucketMetadataTableConfiguration"),
    B("DELETE", "metadataTable", "DeleteBucketMetadataTableConfiguration"),
    B("PUT", "metadataInventoryTable", "UpdateBucketMetadataInventoryTableConfiguration"),
    B("PUT", "metadataJournalTable", "UpdateBucketMetadataJournalTableConfiguration"),
    B("GET", "session", "CreateSession"),
    IDCFG("analytics", "Analytics"),
    IDCFG("intelligent-tiering", "IntelligentTiering"),
    IDCFG("inventory", "Inventory"),
    IDCFG("metrics", "Metrics"),
    B("GET", "abac", "GetBucketAbac"),
    B("PUT", "abac", "PutBucketAbac"),
    B("GET", "notification", "GetBucketNotificationConfiguration"),
    B("PUT", "notification", "PutBucketNotificationConfiguration"),
    K("GET", "torrent", "GetObjectTorrent"),
    K("PUT", "renameObject", "RenameObject"),
    K("POST", "restore", "RestoreObject"),
    K("POST", "select", "SelectObjectContent"),
    K("PUT", "encryption", "UpdateObjectEncryption"),
};

#define NROUTES (sizeof routes / sizeof routes[0])

/* The row a route names, looked up once (event-loop thread only). */
static const svc_op_t *route_row(const route_t *rt)
{
    static const svc_op_t *rows[NROUTES];
    const svc_op_t **row = &rows[rt - routes];

    if (*row != NULL)
        return *row;
    if (rt->name == NULL)
        *row = &s3_preflight_op;
    else if (!strcmp(rt->name, "PostObject"))
        *row = &s3_post_object_op;
    else
        *row = svc_find_op(&s3_def, rt->name, strlen(rt->name));
    return *row;
}

int s3_route_check(char *err, size_t errlen)
{
    size_t i;

    for (i = 1; i < s3_def.nops; i++)
        if (strcmp(s3_ops[i - 1].name, s3_ops[i].name) >= 0) {
            snprintf(err, errlen, "s3_ops: %s out of order", s3_ops[i].name);
            return -1;
        }
    for (i = 0; i < NROUTES; i++)
        if (route_row(&routes[i]) == NULL) {
            snprintf(err, errlen, "s3 route %s names no row", routes[i].name);
            return -1;
        }
    return 0;
}

/* 1 when the query has the parameter "name=value" of nv with that value. */
static int param_is(const http_req_t *h, const char *nv)
{
    const char *eq = strchr(nv, '=');
    char name[32], v[32];

    snprintf(name, sizeof name, "%.*s", (int)(eq - nv), nv);
    return proto_query_param(h->query, strlen(h->query), name, v, sizeof v) >= 0 &&
           !strcmp(v, eq + 1);
}

/* 1 when the query has the parameter name (any value). */
static int param_has(const http_req_t *h, const char *name)
{
    const char *p = h->query;
    size_t n = strlen(name);

    while (p && *p) {
        if (!strncmp(p, name, n) && (p[n] == '=' || p[n] == '&' || p[n] == '\0'))
            return 1;
        p = strchr(p, '&');
        p = p ? p + 1 : NULL;
    }
    return 0;
}

/* The route of method at has_key for sub-resource sub (NULL: none), or NULL. */
static const route_t *find_route(const http_req_t *h, int has_key, const char *sub)
{
    size_t i;

    for (i = 0; i < NROUTES; i++) {
        const route_t *o = &routes[i];
        /* the integer tests and first letters before any strcmp */
        if (o->has_key != has_key || (o->sub == NULL) != (sub == NULL) ||
            o->method[0] != h->method[0] || strcmp(o->method, h->method) != 0)
            continue;
        if (sub && (o->sub[0] != sub[0] || strcmp(o->sub, sub) != 0))
            continue;
        if (o->header && !http_header(h, o->header, NULL))
            continue;
        if (o->param && !(strchr(o->param, '=') ? param_is(h, o->param) : param_has(h, o->param)))
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
    return s3_fail(s, S3_E_METHOD_NOT_ALLOWED);
}

int s3_route(s3_req_t *s, int has_key)
{
    http_req_t *h = s->r->http;
    const subres_t *sel[MAX_SELECTED], *sr;
    const char *allowed;
    const route_t *o;
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
    o = find_route(h, has_key, sr ? sr->name : NULL);
    if (o == NULL && sr && has_key == 1 && sr->object == NULL && !strcmp(h->method, "GET")) {
        /* a bucket's sub-resource at a key's path: the bucket's operation
         * where S3 answers with it (one awsemu serves), its own refusals
         * where S3 has them */
        for (i = 0; key_bucket_gets[i]; i++)
            if (!strcmp(key_bucket_gets[i], sr->name))
                o = find_route(h, 0, sr->name);
        if (o && (route_row(o)->flags & OP_UNSUPPORTED))
            o = NULL;
        if (o == NULL && !strcmp(sr->name, "logging"))
            return s3_error(s, 400, "NoLoggingStatusForKey",
                            "There is no such thing as the ?logging sub-resource for a key");
        if (o == NULL && !strcmp(sr->name, "versions"))
            return s3_error(s, 400, "InvalidRequest",
                            "There is no such thing as the ?versions sub-resource for a key");
    }
    if (o != NULL) {
        s->r->op = route_row(o);
        s->r->operation = s->r->op->name;
        s->head = o->head;
        s->sub = o->sub;
        return svc_unsupported(s->r);
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
