/* s3.c — Amazon S3 as the contract (emulator/service.h) sees it: one row per
 * operation of botocore's model, the registry entry, the two entry points
 * (s3_head at the request's head: bucket and key from a path-style or
 * virtual-hosted request, then its row; s3_serve once the body is in) and
 * the blob store's life cycle. Which row a request names: s3_route.c. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz.h"
#include "base/buf.h"
#include "emulator/http.h"
#include "emulator/proto_query.h"
#include "emulator/proto_xml.h"
#include "storage/db.h"

/* ---- operations ---------------------------------------------------------------
 *
 * Every operation of botocore's S3 model (scripts/check-coverage.py), sorted
 * by name. The resource functions (s3_authz.c) name the bucket or object ARN,
 * the bucket policy and the s3: condition keys for authz_request. Operations
 * awsemu does not serve answer what s3_route always answered for their
 * request: 501 NotImplemented naming the method and sub-resource. */
#define OP(name, fn, action, res, flags) SVC_OP(name, rest, fn, action, res, flags)
#define BUCKET_OP(name, fn, action, flags) OP(name, fn, action, s3_res_bucket, flags)
#define OBJECT_OP(name, fn, action, flags) OP(name, fn, action, s3_res_object, flags)
#define NOT_IMPLEMENTED(name, action, method, sub, where)                                          \
    SVC_UNSUPPORTED(name, action, 501, "NotImplemented",                                           \
                    "The requested resource is not implemented: " method " ?" sub " on " where)
#define BUCKET_NI(name, action, method, sub) NOT_IMPLEMENTED(name, action, method, sub, "a bucket")
#define OBJECT_NI(name, action, method, sub) NOT_IMPLEMENTED(name, action, method, sub, "an object")

enum { W = OP_MUTATES };

/* clang-format off */
const svc_op_t s3_ops[] = {
    OBJECT_OP("AbortMultipartUpload", s3_op_abort_multipart_upload, "s3:AbortMultipartUpload", W),
    OBJECT_OP("CompleteMultipartUpload", s3_op_complete_multipart_upload, "s3:PutObject",
              W | OP_OBJECT_CHECKSUM),
    OBJECT_OP("CopyObject", s3_op_copy_object, "s3:PutObject", W | S3_OP_NEW_OBJECT | S3_OP_COPY),
    BUCKET_OP("CreateBucket", s3_op_create_bucket, "s3:CreateBucket", W),
    BUCKET_NI("CreateBucketMetadataConfiguration", "s3:CreateBucketMetadataTableConfiguration",
              "POST", "metadataConfiguration"),
    BUCKET_NI("CreateBucketMetadataTableConfiguration",
              "s3:CreateBucketMetadataTableConfiguration", "POST", "metadataTable"),
    OBJECT_OP("CreateMultipartUpload", s3_op_create_multipart_upload, "s3:PutObject",
              W | S3_OP_NEW_OBJECT),
    BUCKET_NI("CreateSession", "s3express:CreateSession", "GET", "session"),
    BUCKET_OP("DeleteBucket", s3_op_delete_bucket, "s3:DeleteBucket", W),
    BUCKET_OP("DeleteBucketAnalyticsConfiguration", s3_op_idconfig_delete,
              "s3:PutAnalyticsConfiguration", W),
    BUCKET_OP("DeleteBucketCors", s3_op_config_delete, "s3:PutBucketCORS", W),
    BUCKET_OP("DeleteBucketEncryption", s3_op_delete_bucket_encryption,
              "s3:PutEncryptionConfiguration", W),
    BUCKET_OP("DeleteBucketIntelligentTieringConfiguration", s3_op_idconfig_delete,
              "s3:PutIntelligentTieringConfiguration", W),
    BUCKET_OP("DeleteBucketInventoryConfiguration", s3_op_idconfig_delete,
              "s3:PutInventoryConfiguration", W),
    BUCKET_OP("DeleteBucketLifecycle", s3_op_config_delete, "s3:PutLifecycleConfiguration", W),
    BUCKET_NI("DeleteBucketMetadataConfiguration", "s3:DeleteBucketMetadataTableConfiguration",
              "DELETE", "metadataConfiguration"),
    BUCKET_NI("DeleteBucketMetadataTableConfiguration",
              "s3:DeleteBucketMetadataTableConfiguration", "DELETE", "metadataTable"),
    BUCKET_OP("DeleteBucketMetricsConfiguration", s3_op_idconfig_delete,
              "s3:PutMetricsConfiguration", W),
    BUCKET_OP("DeleteBucketOwnershipControls", s3_op_config_delete,
              "s3:PutBucketOwnershipControls", W),
    BUCKET_OP("DeleteBucketPolicy", s3_op_delete_bucket_policy, "s3:DeleteBucketPolicy", W),
    BUCKET_OP("DeleteBucketReplication", s3_op_config_delete, "s3:PutReplicationConfiguration",
              W),
    BUCKET_OP("DeleteBucketTagging", s3_op_config_delete, "s3:PutBucketTagging", W),
    BUCKET_OP("DeleteBucketWebsite", s3_op_config_delete, "s3:DeleteBucketWebsite", W),
    /* s3:DeleteObjectVersion with a versionId (s3_res_object) */
    OBJECT_OP("DeleteObject", s3_op_delete_object, "s3:DeleteObject", W),
    OBJECT_OP("DeleteObjectTagging", s3_op_delete_object_tagging, "s3:DeleteObjectTagging", W),
    /* OP_AUTHZ_SELF: S3 authorizes each key of the body (s3:DeleteObject or
     * s3:DeleteObjectVersion) and answers a denied key in <Error> beside
     * the others' <Deleted>; the request as a whole is not refused */
    BUCKET_OP("DeleteObjects", s3_op_delete_objects, "s3:DeleteObject", W | OP_AUTHZ_SELF),
    BUCKET_OP("DeletePublicAccessBlock", s3_op_config_delete, "s3:PutBucketPublicAccessBlock", W),
    BUCKET_NI("GetBucketAbac", "s3:GetBucketABAC", "GET", "abac"),
    BUCKET_OP("GetBucketAccelerateConfiguration", s3_op_config_get,
              "s3:GetAccelerateConfiguration", 0),
    BUCKET_OP("GetBucketAcl", s3_op_get_bucket_acl, "s3:GetBucketAcl", 0),
    BUCKET_OP("GetBucketAnalyticsConfiguration", s3_op_idconfig_get,
              "s3:GetAnalyticsConfiguration", 0),
    BUCKET_OP("GetBucketCors", s3_op_config_get, "s3:GetBucketCORS", 0),
    BUCKET_OP("GetBucketEncryption", s3_op_get_bucket_encryption,
              "s3:GetEncryptionConfiguration", 0),
    BUCKET_OP("GetBucketIntelligentTieringConfiguration", s3_op_idconfig_get,
              "s3:GetIntelligentTieringConfiguration", 0),
    BUCKET_OP("GetBucketInventoryConfiguration", s3_op_idconfig_get,
              "s3:GetInventoryConfiguration", 0),
    /* deprecated: its request is GetBucketLifecycleConfiguration's, which
     * s3_route picks; the row answers as that one */
    BUCKET_OP("GetBucketLifecycle", s3_op_config_get, "s3:GetLifecycleConfiguration", 0),
    BUCKET_OP("GetBucketLifecycleConfiguration", s3_op_config_get,
              "s3:GetLifecycleConfiguration", 0),
    BUCKET_OP("GetBucketLocation", s3_op_get_bucket_location, "s3:GetBucketLocation", 0),
    BUCKET_OP("GetBucketLogging", s3_op_config_get, "s3:GetBucketLogging", 0),
    BUCKET_NI("GetBucketMetadataConfiguration", "s3:GetBucketMetadataTableConfiguration", "GET",
              "metadataConfiguration"),
    BUCKET_NI("GetBucketMetadataTableConfiguration", "s3:GetBucketMetadataTableConfiguration",
              "GET", "metadataTable"),
    BUCKET_OP("GetBucketMetricsConfiguration", s3_op_idconfig_get, "s3:GetMetricsConfiguration", 0),
    /* deprecated: the same request as GetBucketNotificationConfiguration */
    BUCKET_NI("GetBucketNotification", "s3:GetBucketNotification", "GET", "notification"),
    BUCKET_OP("GetBucketNotificationConfiguration", s3_op_config_get, "s3:GetBucketNotification", 0),
    BUCKET_OP("GetBucketOwnershipControls", s3_op_config_get, "s3:GetBucketOwnershipControls", 0),
    BUCKET_OP("GetBucketPolicy", s3_op_get_bucket_policy, "s3:GetBucketPolicy", 0),
    BUCKET_OP("GetBucketPolicyStatus", s3_op_get_bucket_policy_status, "s3:GetBucketPolicyStatus",
              0),
    BUCKET_OP("GetBucketReplication", s3_op_config_get, "s3:GetReplicationConfiguration", 0),
    BUCKET_OP("GetBucketRequestPayment", s3_op_config_get, "s3:GetBucketRequestPayment", 0),
    BUCKET_OP("GetBucketTagging", s3_op_config_get, "s3:GetBucketTagging", 0),
    BUCKET_OP("GetBucketVersioning", s3_op_get_bucket_versioning, "s3:GetBucketVersioning", 0),
    BUCKET_OP("GetBucketWebsite", s3_op_config_get, "s3:GetBucketWebsite", 0),
    /* s3:GetObjectVersion with a versionId (s3_res_object) */
    OBJECT_OP("GetObject", s3_op_get_object, "s3:GetObject", 0),
    OBJECT_OP("GetObjectAcl", s3_op_get_object_acl, "s3:GetObjectAcl", 0),
    OBJECT_OP("GetObjectAttributes", s3_op_get_object_attributes, "s3:GetObjectAttributes", 0),
    OBJECT_OP("GetObjectLegalHold", s3_op_get_object_legal_hold, "s3:GetObjectLegalHold", 0),
    BUCKET_OP("GetObjectLockConfiguration", s3_op_config_get,
              "s3:GetBucketObjectLockConfiguration", 0),
    OBJECT_OP("GetObjectRetention", s3_op_get_object_retention, "s3:GetObjectRetention", 0),
    OBJECT_OP("GetObjectTagging", s3_op_get_object_tagging, "s3:GetObjectTagging", 0),
    OBJECT_NI("GetObjectTorrent", "s3:GetObjectTorrent", "GET", "torrent"),
    BUCKET_OP("GetPublicAccessBlock", s3_op_config_get, "s3:GetBucketPublicAccessBlock", 0),
    BUCKET_OP("HeadBucket", s3_op_head_bucket, "s3:ListBucket", 0),
    OBJECT_OP("HeadObject", s3_op_get_object, "s3:GetObject", 0),
    /* the List* configurations share the request of their Get* (without
     * an id), which s3_route picks: the same answer */
    BUCKET_OP("ListBucketAnalyticsConfigurations", s3_op_idconfig_list,
              "s3:GetAnalyticsConfiguration", 0),
    BUCKET_OP("ListBucketIntelligentTieringConfigurations", s3_op_idconfig_list,
              "s3:GetIntelligentTieringConfiguration", 0),
    BUCKET_OP("ListBucketInventoryConfigurations", s3_op_idconfig_list,
              "s3:GetInventoryConfiguration", 0),
    BUCKET_OP("ListBucketMetricsConfigurations", s3_op_idconfig_list,
              "s3:GetMetricsConfiguration", 0),
    OP("ListBuckets", s3_op_list_buckets, "s3:ListAllMyBuckets", s3_res_account, 0),
    /* directory buckets (S3 Express) have no general purpose endpoint: a
     * GET / is ListBuckets (s3_route), which answers this row's request */
    OP("ListDirectoryBuckets", s3_op_list_buckets, "s3express:ListAllMyDirectoryBuckets",
       s3_res_account, 0),
    BUCKET_OP("ListMultipartUploads", s3_op_list_multipart_uploads,
              "s3:ListBucketMultipartUploads", 0),
    BUCKET_OP("ListObjectVersions", s3_op_list_object_versions, "s3:ListBucketVersions", 0),
    BUCKET_OP("ListObjects", s3_op_list_objects, "s3:ListBucket", 0),
    /* list-type=2 (s3_route): the same handler, V2's shape */
    BUCKET_OP("ListObjectsV2", s3_op_list_objects, "s3:ListBucket", 0),
    OBJECT_OP("ListParts", s3_op_list_parts, "s3:ListMultipartUploadParts", 0),
    BUCKET_NI("PutBucketAbac", "s3:PutBucketABAC", "PUT", "abac"),
    BUCKET_OP("PutBucketAccelerateConfiguration", s3_op_config_put,
              "s3:PutAccelerateConfiguration", W),
    BUCKET_OP("PutBucketAcl", s3_op_put_bucket_acl, "s3:PutBucketAcl", W),
    BUCKET_OP("PutBucketAnalyticsConfiguration", s3_op_idconfig_put,
              "s3:PutAnalyticsConfiguration", W),
    BUCKET_OP("PutBucketCors", s3_op_config_put, "s3:PutBucketCORS", W),
    BUCKET_OP("PutBucketEncryption", s3_op_put_bucket_encryption, "s3:PutEncryptionConfiguration",
              W),
    BUCKET_OP("PutBucketIntelligentTieringConfiguration", s3_op_idconfig_put,
              "s3:PutIntelligentTieringConfiguration", W),
    BUCKET_OP("PutBucketInventoryConfiguration", s3_op_idconfig_put,
              "s3:PutInventoryConfiguration", W),
    /* deprecated: its request is PutBucketLifecycleConfiguration's, which
     * s3_route picks; the row answers as that one */
    BUCKET_OP("PutBucketLifecycle", s3_op_config_put, "s3:PutLifecycleConfiguration", W),
    BUCKET_OP("PutBucketLifecycleConfiguration", s3_op_config_put, "s3:PutLifecycleConfiguration",
              W),
    BUCKET_OP("PutBucketLogging", s3_op_config_put, "s3:PutBucketLogging", W),
    BUCKET_OP("PutBucketMetricsConfiguration", s3_op_idconfig_put, "s3:PutMetricsConfiguration", W),
    /* deprecated: the same request as PutBucketNotificationConfiguration */
    BUCKET_NI("PutBucketNotification", "s3:PutBucketNotification", "PUT", "notification"),
    BUCKET_OP("PutBucketNotificationConfiguration", s3_op_config_put, "s3:PutBucketNotification", W),
    BUCKET_OP("PutBucketOwnershipControls", s3_op_config_put, "s3:PutBucketOwnershipControls", W),
    BUCKET_OP("PutBucketPolicy", s3_op_put_bucket_policy, "s3:PutBucketPolicy", W),
    BUCKET_OP("PutBucketReplication", s3_op_config_put, "s3:PutReplicationConfiguration", W),
    BUCKET_OP("PutBucketRequestPayment", s3_op_config_put, "s3:PutBucketRequestPayment", W),
    BUCKET_OP("PutBucketTagging", s3_op_config_put, "s3:PutBucketTagging", W),
    BUCKET_OP("PutBucketVersioning", s3_op_put_bucket_versioning, "s3:PutBucketVersioning", W),
    BUCKET_OP("PutBucketWebsite", s3_op_config_put, "s3:PutBucketWebsite", W),
    OBJECT_OP("PutObject", s3_op_put_object, "s3:PutObject", W | OP_STREAMS | S3_OP_NEW_OBJECT),
    /* s3:PutObjectVersionAcl with a versionId (s3_res_object) */
    OBJECT_OP("PutObjectAcl", s3_op_put_object_acl, "s3:PutObjectAcl", W),
    OBJECT_OP("PutObjectLegalHold", s3_op_put_object_legal_hold, "s3:PutObjectLegalHold", W),
    BUCKET_OP("PutObjectLockConfiguration", s3_op_config_put,
              "s3:PutBucketObjectLockConfiguration", W),
    OBJECT_OP("PutObjectRetention", s3_op_put_object_retention, "s3:PutObjectRetention", W),
    OBJECT_OP("PutObjectTagging", s3_op_put_object_tagging, "s3:PutObjectTagging", W),
    BUCKET_OP("PutPublicAccessBlock", s3_op_config_put, "s3:PutBucketPublicAccessBlock", W),
    /* directory buckets only, authorized by the session CreateSession made */
    OBJECT_NI("RenameObject", "s3express:CreateSession", "PUT", "renameObject"),
    OBJECT_OP("RestoreObject", s3_op_restore_object, "s3:RestoreObject", W),
    OBJECT_NI("SelectObjectContent", "s3:GetObject", "POST", "select"),
    BUCKET_NI("UpdateBucketMetadataInventoryTableConfiguration",
              "s3:UpdateBucketMetadataInventoryTableConfiguration", "PUT", "metadataInventoryTable"),
    BUCKET_NI("UpdateBucketMetadataJournalTableConfiguration",
              "s3:UpdateBucketMetadataJournalTableConfiguration", "PUT", "metadataJournalTable"),
    OBJECT_NI("UpdateObjectEncryption", "s3:UpdateObjectEncryption", "PUT", "encryption"),
    OBJECT_OP("UploadPart", s3_op_upload_part, "s3:PutObject", W | OP_STREAMS),
    OBJECT_OP("UploadPartCopy", s3_op_upload_part_copy, "s3:PutObject", W | S3_OP_COPY),
    /* S3 Object Lambda's endpoint; here a POST on a bucket of that name,
     * which S3 refuses as it refuses a POST on any bucket */
    SVC_UNSUPPORTED("WriteGetObjectResponse", "s3-object-lambda:WriteGetObjectResponse", 405,
                    "MethodNotAllowed", "The specified method is not allowed against this resource."),
};
/* clang-format on */

/* A CORS preflight (OPTIONS) is no operation of the model (so not a row of
 * s3_ops): S3 answers it from the bucket's CORS rules, unauthenticated. */
const svc_op_t s3_preflight_op =
    SVC_OP("PreflightRequest", rest, s3_op_cors_preflight, NULL, NULL, OP_NO_AUTHZ);

/* ---- addressing ------------------------------------------------------------ */

/* Percent-decodes a path piece into an object key (malloc'd, caller
 * frees); S3 keys are exact bytes (no '+' to space). NULL for a bad escape,
 * and for a key that decodes to U+0000 or to ill-formed UTF-8: an object
 * key is UTF-8 text, and as a C string "victim%00.txt" would name "victim"
 * (S3 answers InvalidURI for a key it cannot read; ceph's s3-tests expect
 * a NUL key to fail). */
static char *unescape_path(const char *p, size_t n)
{
    char *out = malloc(n + 1);

    if (out && proto_query_unescape_text(p, n, 0, out) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Host "bucket.localhost[:port]", "bucket.s3[.region].amazonaws.com" or
 * "bucket.s3.<anything>": the bucket, virtual-hosted. */
static int host_bucket(const char *host, char *bucket, size_t n)
{
    char h[300];
    char *colon, *dot;
    size_t len;

    str_copy(h, sizeof h, host);
    if ((colon = strrchr(h, ':')) != NULL && strchr(h, ']') == NULL)
        *colon = '\0';
    for (dot = h; *dot; dot++)
        *dot = (char)tolower((unsigned char)*dot);
    len = strlen(h);
    if (len > 10 && !strcmp(h + len - 10, ".localhost")) {
        h[len - 10] = '\0';
    } else if ((dot = strstr(h, ".s3.")) != NULL || (dot = strstr(h, ".s3-")) != NULL) {
        *dot = '\0';
    } else {
        return 0;
    }
    len = strlen(h);
    if (len == 0 || len >= n)
        return 0;
    memcpy(bucket, h, len + 1);
    return 1;
}

int s3_host_bucket(const char *host, char *bucket /* OUT */, size_t n)
{
    return host_bucket(host, bucket, n);
}

static void s3_req_free(void *arg)
{
    s3_req_t *s = arg;

    if (s == NULL)
        return;
    s3_upload_free(s->up);
    s3_bucket_changed(s);
    s3_sse_clear(&s->sse);
    s3_authz_free(s->az);
    free(s->key);
    free(s->form_tags);
    free(s);
}

/* 1 when every name and value of the raw query q decodes to UTF-8 without
 * U+0000, so that the C strings s3_query hands out are the whole values
 * (a prefix, a version id, a response-content-disposition). */
static int query_is_text(const char *q)
{
    size_t len = strlen(q), i = 0;
    char stack[512], *tmp;

    while (i < len) {
        size_t j = i;
        long rc;
        while (j < len && q[j] != '&')
            j++;
        tmp = j - i < sizeof stack ? stack : malloc(j - i + 1);
        if (tmp == NULL)
            return 0;
        rc = proto_query_unescape_text(q + i, j - i, 1, tmp);
        if (tmp != stack)
            free(tmp);
        if (rc < 0)
            return 0;
        i = j + 1;
    }
    return 1;
}

/* Parses bucket and key (path-style or virtual-hosted). Returns the
 * request, or NULL with the error set. */
static s3_req_t *parse(svc_req_t *r)
{
    http_req_t *h = r->http;
    s3_req_t *s = calloc(1, sizeof *s);
    char host[300];
    const char *path = h->path, *slash;

    if (s == NULL)
        return NULL;
    s->r = r;
    r->svc_ctx = s;
    r->svc_ctx_free = s3_req_free;
    if (path[0] != '/') {
        s3_fail(s, S3_E_INVALID_URI);
        return NULL;
    }
    path++;
    if (http_header_copy(h, "Host", host, sizeof host) && host_bucket(host, s->bucket, sizeof s->bucket)) {
        if (*path && (s->key = unescape_path(path, strlen(path))) == NULL) {
            s3_fail(s, S3_E_INVALID_URI);
            return NULL;
        }
    } else if (*path) {
        size_t blen;
        slash = strchr(path, '/');
        blen = slash ? (size_t)(slash - path) : strlen(path);
        if (blen >= sizeof s->bucket) {
            s3_fail(s, S3_E_INVALID_BUCKET_NAME);
            return NULL;
        }
        memcpy(s->bucket, path, blen);
        s->bucket[blen] = '\0';
        if (slash && slash[1])
            s->key = unescape_path(slash + 1, strlen(slash + 1));
        if (slash && slash[1] && s->key == NULL) {
            s3_fail(s, S3_E_INVALID_URI);
            return NULL;
        }
    }
    if (s->key && strlen(s->key) > S3_MAX_KEY) {
        s3_error(s, 400, "KeyTooLongError", "Your key is too long");
        return NULL;
    }
    if (!query_is_text(h->query)) {
        s3_fail(s, S3_E_INVALID_URI);
        return NULL;
    }
    return s;
}

/* ---- entry points ---------------------------------------------------------------- */

void s3_head(svc_req_t *r)
{
    s3_req_t *s = parse(r);

    if (s != NULL && s3_route(s, s->bucket[0] == '\0' ? -1 : s->key != NULL) != 0)
        s = NULL;
    if (s == NULL) {
        if (r->svc_ctx)
            s3_send_error(r->svc_ctx);
        else
            proto_xml_send_error(r, r->http->path);
        return;
    }
    if (r->op->flags & OP_STREAMS) {
        /* uploads stream: authorize and prepare now, finish in s3_serve */
        if (s3_authorize(s) != 0 || s->head(s) != 0)
            s3_send_error(s);
    }
}

void s3_serve(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;

    if (s == NULL || r->op == NULL) {
        if (!r->http->responded)
            proto_xml_send_error(r, r->http->path);
        return;
    }
    if (r->http->body_error && s->up == NULL) {
        s3_error(s, 400, "MaxMessageLengthExceeded", "Your request was too big.");
        s3_send_error(s);
        return;
    }
    /* the preflight (OPTIONS) answers its CORS headers itself */
    if (http_header(r->http, "Origin", NULL) && strcmp(r->http->method, "OPTIONS") != 0)
        s3_cors_headers(s);
    if ((s3_authorize(s) != 0 || r->op->fn.rest(r) != 0) && !r->http->responded)
        s3_send_error(s);
}

/* ---- blob store lifecycle ---------------------------------------------------- */

static int blob_known(const char *id, void *arg)
{
    emu_t *emu = arg;
    sqlite3_stmt *st;
    int known = 1;

    st = db_query(emu->db, "SELECT 1 FROM s3_objects WHERE blob_id=?1 UNION ALL "
                                        "SELECT 1 FROM s3_parts WHERE blob_id=?1 UNION ALL "
                                        "SELECT 1 FROM s3_objects WHERE parts IS NOT NULL AND "
                                        "instr(parts, ?1) > 0 UNION ALL "
                                        "SELECT 1 FROM s3_versions WHERE blob_id=?1 UNION ALL "
                                        "SELECT 1 FROM s3_versions WHERE parts IS NOT NULL AND "
                                        "instr(parts, ?1) > 0 LIMIT 1", "s", id);
    if (st == NULL)
        return 1; /* when in doubt, keep */
    known = db_row(st) == 1;
    db_done(st);
    return known;
}

int s3_init(emu_t *emu, char *err, size_t errlen)
{
    if (s3_route_check(err, errlen) != 0)
        return -1;
    emu->blobs = blob_store_open(emu->cfg->ephemeral ? NULL : emu->cfg->data_dir, emu->cfg->fsync,
                                 err, errlen);
    if (emu->blobs == NULL)
        return -1;
    blob_sweep(emu->blobs, blob_known, emu);
    s3_lifecycle_start();
    return 0;
}

void s3_shutdown(emu_t *emu)
{
    if (emu->blobs)
        blob_store_close(emu->blobs);
    emu->blobs = NULL;
}

void s3_reset(emu_t *emu)
{
    if (emu->blobs)
        blob_sweep(emu->blobs, blob_known, emu);
}

static const char *const signing_names[] = {"s3", NULL};

/* S3's operations are routed by s3_head (s3_route.c) from the method, the
 * path and the query, not by a name. */
const svc_def_t s3_def = {
    .name = "s3",
    .signing_names = signing_names,
    .proto = SVC_REST_XML,
    .ops = s3_ops,
    .nops = sizeof s3_ops / sizeof s3_ops[0],
    .init = s3_init,
    .reset = s3_reset,
    .tick = s3_lifecycle_tick,
    .shutdown = s3_shutdown,
    .head = s3_head,
    .serve = s3_serve,
    .vhost = s3_host_bucket,
    .inspect = s3_inspect,
};
