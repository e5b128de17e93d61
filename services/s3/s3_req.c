/* s3_req.c — what every S3 operation uses, depending on no other S3 file:
 * the error table and the error document, query and header access, the
 * empty and XML answers, and bucket lookups. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xml.h"
#include "emulator/http.h"
#include "emulator/proto_query.h"
#include "storage/db.h"

/* ---- errors and small helpers ------------------------------------------- */

/* clang-format off */
static const struct {
    int status;
    const char *code, *msg;
} s3_errors[] = {
    [S3_E_INTERNAL] = {500, "InternalError", "We encountered an internal error. Please try again."},
    [S3_E_ACCESS_DENIED] = {403, "AccessDenied", "Access Denied"},
    [S3_E_MALFORMED_XML] = {400, "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published "
        "schema"},
    [S3_E_MALFORMED_ACL] = {400, "MalformedACLError",
        "The XML you provided was not well-formed or did not validate against our published "
        "schema"},
    [S3_E_NO_SUCH_BUCKET] = {404, "NoSuchBucket", "The specified bucket does not exist"},
    [S3_E_NO_SUCH_KEY] = {404, "NoSuchKey", "The specified key does not exist."},
    [S3_E_NO_SUCH_VERSION] = {404, "NoSuchVersion", "The specified version does not exist."},
    [S3_E_NO_LOCK_CONFIG] = {404, "NoSuchObjectLockConfiguration",
        "The specified object does not have a ObjectLock configuration"},
    [S3_E_PRECONDITION] = {412, "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold"},
    [S3_E_METHOD_NOT_ALLOWED] = {405, "MethodNotAllowed",
        "The specified method is not allowed against this resource."},
    [S3_E_INVALID_URI] = {400, "InvalidURI", "Couldn't parse the specified URI."},
    [S3_E_INVALID_BUCKET_NAME] = {400, "InvalidBucketName", "The specified bucket is not valid."},
    [S3_E_MISSING_BODY] = {400, "MissingRequestBodyError", "Request Body is empty"},
    [S3_E_MISSING_LENGTH] = {411, "MissingContentLength",
        "You must provide the Content-Length HTTP header."},
    [S3_E_PART_NUMBER] = {400, "InvalidArgument",
        "Part number must be an integer between 1 and 10000, inclusive"},
    [S3_E_VERSION_ID] = {400, "InvalidArgument", "Invalid version id specified"},
    [S3_E_COPY_SOURCE] = {400, "InvalidArgument",
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"},
    [S3_E_ARGUMENT_FORMAT] = {400, "InvalidArgument", "Argument format not recognized"},
    [S3_E_ENCODING_TYPE] = {400, "InvalidArgument", "Invalid Encoding Method specified in Request"},
    [S3_E_MAX_KEYS] = {400, "InvalidArgument",
        "Provided max-keys not an integer or within integer range"},
    [S3_E_ATTRIBUTE_NAME] = {400, "InvalidArgument", "Invalid attribute name specified."},
    [S3_E_INVALID_PART] = {400, "InvalidPart",
        "One or more of the specified parts could not be found. The part may not have been "
        "uploaded, or the specified entity tag may not match the part's entity tag."},
    [S3_E_SSE_REQUIRED] = {400, "InvalidRequest",
        "The object was stored using a form of Server Side Encryption. The correct parameters "
        "must be provided to retrieve the object."},
    [S3_E_ACLS_NOT_SUPPORTED] = {400, "AccessControlListNotSupported",
        "The bucket does not allow ACLs"},
    [S3_E_ACL_OWNERSHIP] = {400, "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
    [S3_E_TAG_KEY] = {400, "InvalidTag", "The TagKey you have provided is invalid"},
    [S3_E_TAG_VALUE] = {400, "InvalidTag", "The TagValue you have provided is invalid"},
};
/* clang-format on */

const char *s3_err_code(enum s3_err e)
{
    return s3_errors[e].code;
}

const char *s3_err_msg(enum s3_err e)
{
    return s3_errors[e].msg;
}

/* Never an empty <Message>: AWS's message for the code, else a generic one. */
static void no_empty_message(svc_req_t *r)
{
    const char *m;

    if (r->err_msg[0] != '\0')
        return;
    m = s3_code_message(r->err_code);
    str_copy(r->err_msg, sizeof r->err_msg, m ? m : "The request could not be served.");
}

int s3_fail(s3_req_t *s, enum s3_err e)
{
    return s3_error(s, s3_errors[e].status, s3_errors[e].code, "%s", s3_errors[e].msg);
}

/* The error's status, code and message on the request (never an empty
 * message). */
static void set_error(s3_req_t *s, int status, const char *code, const char *fmt, va_list ap)
{
    svc_req_t *r = s->r;

    r->err_status = status;
    str_copy(r->err_code, sizeof r->err_code, code);
    vsnprintf(r->err_msg, sizeof r->err_msg, fmt, ap);
    no_empty_message(r);
}

int s3_error(s3_req_t *s, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_error(s, status, code, fmt, ap);
    va_end(ap);
    s->arg_name[0] = '\0';
    s->condition[0] = '\0';
    return -1;
}

int s3_error_arg(s3_req_t *s, int status, const char *code, const char *name, const char *value,
                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_error(s, status, code, fmt, ap);
    va_end(ap);
    str_copy(s->arg_name, sizeof s->arg_name, name);
    s->arg_value_set = value != NULL;
    str_copy(s->arg_value, sizeof s->arg_value, value ? value : "");
    return -1;
}

void s3_send_error(s3_req_t *s)
{
    svc_req_t *r = s->r;
    buf_t b;

    /* S3's error document, with the element that names what was missing */
    buf_init(&b, 0);
    xml_decl(&b);
    xml_open(&b, "Error");
    xml_elem(&b, "Code", r->err_code);
    xml_elem(&b, "Message", r->err_msg);
    if (s->err_class[0] && !strcmp(r->err_code, "InvalidObjectState"))
        xml_elem(&b, "StorageClass", s->err_class);
    if (s->arg_name[0]) {
        xml_elem(&b, "ArgumentName", s->arg_name);
        if (s->arg_value_set)
            xml_elem(&b, "ArgumentValue", s->arg_value);
    }
    if (s->condition[0] && !strcmp(r->err_code, "PreconditionFailed"))
        xml_elem(&b, "Condition", s->condition);
    if (!strcmp(r->err_code, "NoSuchBucket") || !strcmp(r->err_code, "BucketNotEmpty") ||
        !strcmp(r->err_code, "BucketAlreadyOwnedByYou") || !strcmp(r->err_code, "BucketAlreadyExists") ||
        (!strncmp(r->err_code, "NoSuch", 6) && strstr(r->err_code, "Configuration") &&
         strcmp(r->err_code, "NoSuchObjectLockConfiguration") != 0) ||
        strstr(r->err_code, "NotFoundError") || !strcmp(r->err_code, "NoSuchTagSet") ||
        !strcmp(r->err_code, "NoSuchBucketPolicy"))
        xml_elem(&b, "BucketName", s->bucket);
    if ((!strcmp(r->err_code, "NoSuchKey") || !strcmp(r->err_code, "KeyTooLongError") ||
         !strcmp(r->err_code, "NoSuchVersion") ||
         !strcmp(r->err_code, "NoSuchObjectLockConfiguration")) && s->key)
        xml_elem(&b, "Key", s->key);
    if (!strcmp(r->err_code, "NoSuchVersion")) {
        char vid[1100];
        if (s3_query(s, "versionId", vid, sizeof vid))
            xml_elem(&b, "VersionId", vid);
    }
    if (!strcmp(r->err_code, "MethodNotAllowed") && s->err_marker) {
        xml_elem(&b, "Method", r->http->method);
        xml_elem(&b, "ResourceType", "DeleteMarker");
    }
    if (!strcmp(r->err_code, "NoSuchUpload"))
        xml_elem(&b, "UploadId", s->upload_id);
    {
        buf_t res;
        buf_init(&res, 0);
        buf_printf(&res, "/%s%s%s", s->bucket, s->key ? "/" : "", s->key ? s->key : "");
        xml_elem(&b, "Resource", res.data);
        buf_free(&res);
    }
    xml_elem(&b, "RequestId", r->request_id);
    xml_close(&b, "Error");
    http_add_header(r->http, "x-amz-request-id", r->request_id);
    http_respond(r->http, r->err_status ? r->err_status : 500, "application/xml", b.data, b.len);
    buf_free(&b);
}

int s3_query(const s3_req_t *s, const char *name, char *out, size_t n)
{
    const char *q = s->r->http->query;
    char tmp[8];

    if (out == NULL) {
        out = tmp;
        n = sizeof tmp;
        /* presence only: a long value still counts */
        {
            size_t nl = strlen(name), i = 0, len = strlen(q);
            while (i < len) {
                size_t j = i;
                while (j < len && q[j] != '&')
                    j++;
                if ((j - i == nl || (j - i > nl && q[i + nl] == '=')) && !strncmp(q + i, name, nl))
                    return 1;
                i = j + 1;
            }
            return 0;
        }
    }
    return proto_query_param(q, strlen(q), name, out, n) >= 0;
}

int s3_header(const s3_req_t *s, const char *name, char *out, size_t n)
{
    return http_header_copy(s->r->http, name, out, n);
}

void s3_send_empty(s3_req_t *s, int status)
{
    http_add_header(s->r->http, "x-amz-request-id", s->r->request_id);
    http_respond(s->r->http, status, NULL, NULL, 0);
}

void s3_send_xml(s3_req_t *s, int status, buf_t *doc)
{
    http_add_header(s->r->http, "x-amz-request-id", s->r->request_id);
    http_respond(s->r->http, status ? status : 200, "application/xml", doc->data, doc->len);
}

void s3_object_arn(const char *bucket, const char *key, buf_t *out)
{
    buf_adds(out, "arn:aws:s3:::");
    buf_adds(out, bucket);
    buf_add(out, "/", 1);
    buf_adds(out, key ? key : "");
}

int s3_bucket_region(s3_req_t *s, const char *bucket, char region[64])
{
    sqlite3_stmt *st;
    int found = 0;

    st = db_query(s->r->emu->db, "SELECT region, account FROM s3_buckets WHERE name=?1", "s", bucket);
    if (st == NULL)
        return -1;
    if (db_row(st) == 1) {
        snprintf(region, 64, "%s", (const char *)sqlite3_column_text(st, 0));
        found = strcmp((const char *)sqlite3_column_text(st, 1), s->r->account) == 0 ? 1 : 2;
    }
    db_done(st);
    return found;
}

static int versioning_of(const char *v)
{
    return v == NULL ? S3_VERSIONING_OFF
           : !strcmp(v, "Enabled") ? S3_VERSIONING_ENABLED : S3_VERSIONING_SUSPENDED;
}

void s3_bucket_changed(s3_req_t *s)
{
    free(s->bk.encryption);
    free(s->bk.lifecycle);
    free(s->bk.notification);
    memset(&s->bk, 0, sizeof s->bk);
}

int s3_require_bucket(s3_req_t *s)
{
    sqlite3_stmt *st;
    int rc = 0, docs = 0;

    /* what an object write reads of its bucket, in one row look-up: the
     * owner and versioning here, the default encryption (s3_sse.c), and
     * which of the lifecycle (x-amz-expiration) and notification documents
     * it has; those are read only when it has them */
    s3_bucket_changed(s);
    st = db_query(s->r->emu->db,
                  "SELECT account, versioning, encryption, docs FROM s3_buckets WHERE name=?1", "s",
                  s->bucket);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (db_row(st) == 1) {
        rc = strcmp((const char *)sqlite3_column_text(st, 0), s->r->account) == 0 ? 1 : 2;
        s->versioning = versioning_of((const char *)sqlite3_column_text(st, 1));
        s->bk.encryption = db_dup(st, 2);
        docs = sqlite3_column_int(st, 3);
    }
    db_done(st);
    /* the documents themselves only where the bucket has them (022) */
    if (rc == 1 && docs) {
        st = db_query(s->r->emu->db, "SELECT name, doc FROM s3_bucket_configs WHERE bucket=?1 AND "
                                     "name IN ('lifecycle', 'notification')", "s", s->bucket);
        if (st == NULL)
            return s3_fail(s, S3_E_INTERNAL);
        while (db_row(st) == 1) {
            const char *name = db_text(st, 0);
            if (!strcmp(name, "lifecycle"))
                s->bk.lifecycle = db_dup(st, 1);
            else
                s->bk.notification = db_dup(st, 1);
        }
        db_done(st);
    }
    s->bk.loaded = rc == 1;
    if (rc == 0)
        return s3_fail(s, S3_E_NO_SUCH_BUCKET);
    if (rc == 2)
        return s3_fail(s, S3_E_ACCESS_DENIED);
    return 0;
}

/* The look-up s3_require_bucket kept of bucket's field (a copy, or NULL
 * for none), in *v; 0 when it has none for that bucket. */
static int bucket_kept(s3_req_t *s, const char *bucket, const char *field, char **v)
{
    if (!s->bk.loaded || strcmp(bucket, s->bucket) != 0)
        return 0;
    *v = field ? strdup(field) : NULL;
    return 1;
}

int s3_bucket_versioning(s3_req_t *s, const char *bucket)
{
    sqlite3_stmt *st;
    int v = S3_VERSIONING_OFF;

    st = db_query(s->r->emu->db, "SELECT versioning FROM s3_buckets WHERE name=?1", "s", bucket);
    if (st == NULL)
        return -1;
    if (db_row(st) == 1)
        v = versioning_of((const char *)sqlite3_column_text(st, 0));
    db_done(st);
    return v;
}

char *s3_bucket_col(s3_req_t *s, const char *sql, const char *bucket)
{
    sqlite3_stmt *st = db_query(s->r->emu->db, sql, "s", bucket);
    char *v = NULL;

    if (st == NULL)
        return NULL;
    if (db_row(st) == 1)
        v = db_dup(st, 0);
    db_done(st);
    return v;
}

char *s3_bucket_encryption(s3_req_t *s, const char *bucket)
{
    char *v;

    if (bucket_kept(s, bucket, s->bk.encryption, &v))
        return v;
    return s3_bucket_col(s, "SELECT encryption FROM s3_buckets WHERE name=?1", bucket);
}

int s3_bucket_kept_config(s3_req_t *s, const char *bucket, const char *name, char **v)
{
    if (!strcmp(name, "lifecycle"))
        return bucket_kept(s, bucket, s->bk.lifecycle, v);
    if (!strcmp(name, "notification"))
        return bucket_kept(s, bucket, s->bk.notification, v);
    return 0;
}
