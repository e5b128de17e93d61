/* s3.c — S3 addressing (the operation: s3_route.c), errors, the blob store's lifecycle,
 * body encryption and the streaming upload pipeline. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/codec.h"
#include "storage/db.h"
#include "storage/keyring.h"
#include "emulator/http.h"
#include "services/kms/kms.h"
#include "emulator/proto_query.h"
#include "emulator/proto_xml.h"
#include "authz/sigv4.h"
#include "base/xml.h"

/* ---- errors and small helpers ------------------------------------------- */

int s3_error(s3_req_t *s, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    svc_req_t *r = s->r;

    r->err_status = status;
    snprintf(r->err_code, sizeof r->err_code, "%s", code);
    va_start(ap, fmt);
    vsnprintf(r->err_msg, sizeof r->err_msg, fmt, ap);
    va_end(ap);
    s->arg_name[0] = '\0';
    return -1;
}

int s3_error_arg(s3_req_t *s, int status, const char *code, const char *name, const char *value,
                 const char *fmt, ...)
{
    va_list ap;
    svc_req_t *r = s->r;

    r->err_status = status;
    snprintf(r->err_code, sizeof r->err_code, "%s", code);
    va_start(ap, fmt);
    vsnprintf(r->err_msg, sizeof r->err_msg, fmt, ap);
    va_end(ap);
    snprintf(s->arg_name, sizeof s->arg_name, "%s", name);
    s->arg_value_set = value != NULL;
    snprintf(s->arg_value, sizeof s->arg_value, "%s", value ? value : "");
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
    if (s->arg_name[0]) {
        xml_elem(&b, "ArgumentName", s->arg_name);
        if (s->arg_value_set)
            xml_elem(&b, "ArgumentValue", s->arg_value);
    }
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
    buf_printf(out, "arn:aws:s3:::%s/%s", bucket, key ? key : "");
}

int s3_bucket_region(s3_req_t *s, const char *bucket, char region[64])
{
    sqlite3_stmt *st = db_stmt(s->r->emu->db, "SELECT region, account FROM s3_buckets WHERE name=?1");
    int found = 0;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(region, 64, "%s", (const char *)sqlite3_column_text(st, 0));
        found = strcmp((const char *)sqlite3_column_text(st, 1), s->r->account) == 0 ? 1 : 2;
    }
    sqlite3_reset(st);
    return found;
}

static int versioning_of(const char *v)
{
    return v == NULL ? S3_VERSIONING_OFF
           : !strcmp(v, "Enabled") ? S3_VERSIONING_ENABLED : S3_VERSIONING_SUSPENDED;
}

int s3_require_bucket(s3_req_t *s)
{
    sqlite3_stmt *st = db_stmt(s->r->emu->db, "SELECT account, versioning FROM s3_buckets WHERE name=?1");
    int rc = 0;

    if (st == NULL)
        return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    sqlite3_bind_text(st, 1, s->bucket, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        rc = strcmp((const char *)sqlite3_column_text(st, 0), s->r->account) == 0 ? 1 : 2;
        s->versioning = versioning_of((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc == 0)
        return s3_error(s, 404, "NoSuchBucket", "The specified bucket does not exist");
    if (rc == 2)
        return s3_error(s, 403, "AccessDenied", "Access Denied");
    return 0;
}

int s3_bucket_versioning(s3_req_t *s, const char *bucket)
{
    sqlite3_stmt *st = db_stmt(s->r->emu->db, "SELECT versioning FROM s3_buckets WHERE name=?1");
    int v = S3_VERSIONING_OFF;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = versioning_of((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return v;
}

char *s3_bucket_encryption(s3_req_t *s, const char *bucket)
{
    sqlite3_stmt *st = db_stmt(s->r->emu->db, "SELECT encryption FROM s3_buckets WHERE name=?1");
    char *v = NULL;

    if (st == NULL)
        return NULL;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return v;
}

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

    snprintf(h, sizeof h, "%s", host);
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
    s3_sse_clear(&s->sse);
    free(s->key);
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

/* Parses bucket and key (path-style or virtual-hosted) and picks the
 * operation. Returns the request, or NULL after answering an error. */
static s3_req_t *parse(svc_req_t *r)
{
    http_req_t *h = r->http;
    s3_req_t *s = calloc(1, sizeof *s);
    char host[300];
    const char *path = h->path, *slash;
    int has_key;

    if (s == NULL)
        return NULL;
    s->r = r;
    r->svc_ctx = s;
    r->svc_ctx_free = s3_req_free;
    if (path[0] != '/') {
        s3_error(s, 400, "InvalidURI", "Couldn't parse the specified URI.");
        return NULL;
    }
    path++;
    if (http_header_copy(h, "Host", host, sizeof host) && host_bucket(host, s->bucket, sizeof s->bucket)) {
        if (*path && (s->key = unescape_path(path, strlen(path))) == NULL) {
            s3_error(s, 400, "InvalidURI", "Couldn't parse the specified URI.");
            return NULL;
        }
    } else if (*path) {
        size_t blen;
        slash = strchr(path, '/');
        blen = slash ? (size_t)(slash - path) : strlen(path);
        if (blen >= sizeof s->bucket) {
            s3_error(s, 400, "InvalidBucketName", "The specified bucket is not valid.");
            return NULL;
        }
        memcpy(s->bucket, path, blen);
        s->bucket[blen] = '\0';
        if (slash && slash[1])
            s->key = unescape_path(slash + 1, strlen(slash + 1));
        if (slash && slash[1] && s->key == NULL) {
            s3_error(s, 400, "InvalidURI", "Couldn't parse the specified URI.");
            return NULL;
        }
    }
    if (s->key && strlen(s->key) > S3_MAX_KEY) {
        s3_error(s, 400, "KeyTooLongError", "Your key is too long");
        return NULL;
    }
    if (!query_is_text(h->query)) {
        s3_error(s, 400, "InvalidURI", "Couldn't parse the specified URI.");
        return NULL;
    }
    has_key = s->bucket[0] == '\0' ? -1 : s->key != NULL;
    return s3_route(s, has_key) == 0 ? s : NULL;
}

void s3_head(svc_req_t *r)
{
    s3_req_t *s = parse(r);

    if (s == NULL) {
        if (r->svc_ctx)
            s3_send_error(r->svc_ctx);
        else
            proto_xml_send_error(r, r->http->path);
        return;
    }
    if (s->op == s3_op_put_object || s->op == s3_op_upload_part) {
        /* uploads stream: authorize and prepare now, finish in s3_serve */
        if (s3_authorize(s) != 0 || s3_upload_head(s) != 0)
            s3_send_error(s);
    }
}

void s3_serve(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;

    if (s == NULL || s->op == NULL) {
        if (!r->http->responded)
            proto_xml_send_error(r, r->http->path);
        return;
    }
    if (r->http->body_error && s->up == NULL) {
        s3_error(s, 400, "MaxMessageLengthExceeded", "Your request was too big.");
        s3_send_error(s);
        return;
    }
    if (http_header(r->http, "Origin", NULL) && s->op != s3_op_cors_preflight)
        s3_cors_headers(s);
    if ((s3_authorize(s) != 0 || s->op(s) != 0) && !r->http->responded)
        s3_send_error(s);
}

/* ---- blob store lifecycle ---------------------------------------------------- */

static int blob_known(const char *id, void *arg)
{
    emu_t *emu = arg;
    sqlite3_stmt *st = db_stmt(emu->db, "SELECT 1 FROM s3_objects WHERE blob_id=?1 UNION ALL "
                                        "SELECT 1 FROM s3_parts WHERE blob_id=?1 UNION ALL "
                                        "SELECT 1 FROM s3_objects WHERE parts IS NOT NULL AND "
                                        "instr(parts, ?1) > 0 UNION ALL "
                                        "SELECT 1 FROM s3_versions WHERE blob_id=?1 UNION ALL "
                                        "SELECT 1 FROM s3_versions WHERE parts IS NOT NULL AND "
                                        "instr(parts, ?1) > 0 LIMIT 1");
    int known = 1;

    if (st == NULL)
        return 1; /* when in doubt, keep */
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    known = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return known;
}

int s3_init(emu_t *emu, char *err, size_t errlen)
{
    emu->blobs = blob_store_open(emu->cfg->ephemeral ? NULL : emu->cfg->data_dir, emu->cfg->fsync,
                                 err, errlen);
    if (emu->blobs == NULL)
        return -1;
    blob_sweep(emu->blobs, blob_known, emu);
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

/* S3's operations are routed by s3_head (s3_route.c), not by a name. */
const svc_def_t s3_def = {
    .name = "s3",
    .signing_names = signing_names,
    .proto = SVC_REST_XML,
    .init = s3_init,
    .reset = s3_reset,
    .shutdown = s3_shutdown,
    .head = s3_head,
    .serve = s3_serve,
    .vhost = s3_host_bucket,
    .inspect = s3_inspect,
};

/* ---- encryption -------------------------------------------------------------- */

void s3_sse_clear(s3_sse_t *sse)
{
    OPENSSL_cleanse(sse->dk, sizeof sse->dk);
    free(sse->context);
    free(sse->wrapped);
    sse->context = NULL;
    sse->wrapped = NULL;
}

int s3_ssec_parse(s3_req_t *s, const char *prefix, s3_sse_t *sse)
{
    char name[128], alg[32], key[80], md5[40];
    uint8_t raw[64], digest[16];
    unsigned int dl = 0;
    long n;
    int have_alg, have_key, have_md5;

    snprintf(name, sizeof name, "x-amz-%sserver-side-encryption-customer-algorithm", prefix);
    have_alg = s3_header(s, name, alg, sizeof alg);
    snprintf(name, sizeof name, "x-amz-%sserver-side-encryption-customer-key", prefix);
    have_key = s3_header(s, name, key, sizeof key);
    snprintf(name, sizeof name, "x-amz-%sserver-side-encryption-customer-key-MD5", prefix);
    have_md5 = s3_header(s, name, md5, sizeof md5);
    if (!have_alg && !have_key && !have_md5)
        return 0;
    if (!have_alg || !have_key || !have_md5)
        return s3_error(s, 400, "InvalidArgument",
                        "Requests specifying Server Side Encryption with Customer provided keys "
                        "must provide the algorithm, the key and the key's MD5.");
    if (strcmp(alg, "AES256") != 0)
        return s3_error(s, 400, "InvalidEncryptionAlgorithmError",
                        "The encryption request you specified is not valid. The valid value is "
                        "AES256.");
    n = codec_b64_decode(key, strlen(key), raw);
    if (n != 32)
        return s3_error(s, 400, "InvalidArgument",
                        "The secret key was invalid for the specified algorithm.");
    EVP_Digest(raw, 32, digest, &dl, EVP_md5(), NULL);
    {
        char b64[32];
        codec_b64_encode(digest, 16, b64);
        if (strcmp(b64, md5) != 0) {
            OPENSSL_cleanse(raw, sizeof raw);
            return s3_error(s, 400, "InvalidArgument",
                            "The calculated MD5 hash of the key did not match the hash that was "
                            "provided.");
        }
        snprintf(sse->customer_md5, sizeof sse->customer_md5, "%s", b64);
    }
    snprintf(sse->alg, sizeof sse->alg, "SSE-C");
    memcpy(sse->dk, raw, 32);
    OPENSSL_cleanse(raw, sizeof raw);
    return 1;
}

/* KMS's errors as S3 reports them (KMS.<code>, 400; AccessDenied 403). */
static int kms_error(s3_req_t *s)
{
    char code[96], msg[sizeof s->r->err_msg];

    snprintf(msg, sizeof msg, "%s", s->r->err_msg);
    if (!strcmp(s->r->err_code, "AccessDeniedException"))
        return s3_error(s, 403, "AccessDenied", "%s", msg);
    snprintf(code, sizeof code, "KMS.%s", s->r->err_code);
    return s3_error(s, 400, code, "%.600s", msg);
}

/* The encryption context for an object: the caller's (base64 JSON header)
 * plus {"aws:s3:arn": <object or, with a bucket key, bucket ARN>}. */
static int kms_context(s3_req_t *s, const char *bucket, const char *key, int bucket_key,
                       cJSON **ctx)
{
    char hdr[4096];
    buf_t arn;

    *ctx = NULL;
    if (s3_header(s, "x-amz-server-side-encryption-context", hdr, sizeof hdr)) {
        uint8_t *raw = malloc(strlen(hdr) + 4);
        long n = raw ? codec_b64_decode(hdr, strlen(hdr), raw) : -1;
        cJSON *c = n >= 0 ? cJSON_ParseWithLength((const char *)raw, (size_t)n) : NULL;
        const cJSON *e;
        free(raw);
        if (!cJSON_IsObject(c)) {
            cJSON_Delete(c);
            return s3_error(s, 400, "InvalidArgument",
                            "The header 'x-amz-server-side-encryption-context' shall be Base64-"
                            "encoded UTF-8 string holding JSON which represents a string-string "
                            "map");
        }
        cJSON_ArrayForEach(e, c) if (!cJSON_IsString(e))
        {
            cJSON_Delete(c);
            return s3_error(s, 400, "InvalidArgument",
                            "The encryption context must be a map of strings.");
        }
        *ctx = c;
    } else {
        *ctx = cJSON_CreateObject();
    }
    if (!cJSON_GetObjectItemCaseSensitive(*ctx, "aws:s3:arn")) {
        buf_init(&arn, 0);
        if (bucket_key)
            buf_printf(&arn, "arn:aws:s3:::%s", bucket);
        else
            s3_object_arn(bucket, key, &arn);
        cJSON_AddStringToObject(*ctx, "aws:s3:arn", arn.data);
        buf_free(&arn);
    }
    return 0;
}

int s3_sse_prepare(s3_req_t *s, const char *bucket, const char *key)
{
    s3_sse_t *sse = &s->sse;
    char alg[32] = "", key_id[2048] = "", bk[16] = "";
    int have_alg, rc;
    buf_t arn;

    rc = s3_ssec_parse(s, "", sse);
    if (rc < 0)
        return -1;
    have_alg = s3_header(s, "x-amz-server-side-encryption", alg, sizeof alg);
    if (rc == 1) {
        if (have_alg)
            return s3_error(s, 400, "InvalidArgument",
                            "Server Side Encryption with Customer provided key is incompatible "
                            "with the encryption method specified");
        codec_random(sse->salt, sizeof sse->salt);
        HMAC(EVP_sha256(), sse->salt, sizeof sse->salt, sse->dk, 32, sse->hmac, NULL);
        return 0;
    }
    s3_header(s, "x-amz-server-side-encryption-aws-kms-key-id", key_id, sizeof key_id);
    s3_header(s, "x-amz-server-side-encryption-bucket-key-enabled", bk, sizeof bk);
    if (!have_alg) {
        /* the bucket's default, else SSE-S3 */
        char *enc = s3_bucket_encryption(s, bucket);
        cJSON *doc = enc ? cJSON_Parse(enc) : NULL;
        const cJSON *a = doc ? cJSON_GetObjectItemCaseSensitive(doc, "SSEAlgorithm") : NULL;
        const cJSON *k = doc ? cJSON_GetObjectItemCaseSensitive(doc, "KMSMasterKeyID") : NULL;
        const cJSON *b = doc ? cJSON_GetObjectItemCaseSensitive(doc, "BucketKeyEnabled") : NULL;
        snprintf(alg, sizeof alg, "%s", cJSON_IsString(a) ? a->valuestring : "AES256");
        if (cJSON_IsString(k) && key_id[0] == '\0')
            snprintf(key_id, sizeof key_id, "%s", k->valuestring);
        if (cJSON_IsTrue(b) && bk[0] == '\0')
            snprintf(bk, sizeof bk, "true");
        cJSON_Delete(doc);
        free(enc);
    } else if (strcmp(alg, "AES256") && strcmp(alg, "aws:kms") && strcmp(alg, "aws:kms:dsse")) {
        return s3_error(s, 400, "InvalidArgument",
                        "The encryption method specified is not supported");
    }
    if (!strcmp(alg, "AES256") && key_id[0] && have_alg)
        return s3_error(s, 400, "InvalidArgument",
                        "Server Side Encryption with AWS KMS managed key requires HTTP header "
                        "x-amz-server-side-encryption : aws:kms");
    snprintf(sse->alg, sizeof sse->alg, "%.15s", alg);
    sse->bucket_key = !strcasecmp(bk, "true");
    buf_init(&arn, 0);
    s3_object_arn(bucket, key, &arn);
    if (!strcmp(alg, "AES256")) {
        /* SSE-S3: a data key sealed under the master key, bound to the object */
        codec_random(sse->dk, sizeof sse->dk);
        sse->wlen = sizeof sse->dk + ENVELOPE_OVERHEAD;
        sse->wrapped = malloc(sse->wlen);
        rc = sse->wrapped &&
                     keyring_seal(s->r->emu->master_key, KEYRING_S3_SSE_DATA_KEY, arn.data,
                                  strlen(arn.data), sse->dk, sizeof sse->dk, sse->wrapped) == 0
                 ? 0
                 : s3_error(s, 500, "InternalError", "We encountered an internal error.");
    } else if ((rc = s3_kms_allowed(s)) == 0) {
        cJSON *ctx = NULL;
        char managed[37];
        const char *ref = key_id;
        rc = kms_context(s, bucket, key, sse->bucket_key, &ctx);
        if (rc == 0 && ref[0] == '\0') {
            if (kms_managed_key(s->r, "s3", managed) != 0)
                rc = kms_error(s);
            ref = managed;
        }
        if (rc == 0 && kms_data_key(s->r, ref, ctx, sse->dk, sizeof sse->dk, &sse->wrapped,
                                    &sse->wlen, sse->kms_key_arn) != 0)
            rc = kms_error(s);
        if (rc == 0)
            sse->context = cJSON_PrintUnformatted(ctx);
        cJSON_Delete(ctx);
    }
    buf_free(&arn);
    return rc;
}

int s3_sse_open(s3_req_t *s, s3_sse_t *sse, const char *arn, int sse_c_required)
{
    if (!strcmp(sse->alg, "SSE-C")) {
        s3_sse_t given;
        uint8_t mac[32];
        int rc;
        memset(&given, 0, sizeof given);
        rc = s3_ssec_parse(s, "", &given);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return s3_error(s, 400, "InvalidRequest",
                            "The object was stored using a form of Server Side Encryption. The "
                            "correct parameters must be provided to retrieve the object.");
        HMAC(EVP_sha256(), sse->salt, sizeof sse->salt, given.dk, 32, mac, NULL);
        if (CRYPTO_memcmp(mac, sse->hmac, sizeof mac) != 0) {
            OPENSSL_cleanse(given.dk, sizeof given.dk);
            return s3_error(s, 403, "AccessDenied", "Access Denied");
        }
        memcpy(sse->dk, given.dk, 32);
        snprintf(sse->customer_md5, sizeof sse->customer_md5, "%s", given.customer_md5);
        OPENSSL_cleanse(given.dk, sizeof given.dk);
        return 0;
    }
    (void)sse_c_required;
    if (!strcmp(sse->alg, "AES256")) {
        int rc = sse->wlen == sizeof sse->dk + ENVELOPE_OVERHEAD &&
                         keyring_open(s->r->emu->master_key, KEYRING_S3_SSE_DATA_KEY, arn,
                                      strlen(arn), sse->wrapped, sse->wlen, sse->dk) == 0
                     ? 0
                     : s3_error(s, 500, "InternalError", "The object's data key cannot be opened.");
        return rc;
    }
    if (s3_kms_allowed(s) != 0)
        return -1;
    {
        cJSON *ctx = sse->context ? cJSON_Parse(sse->context) : NULL;
        char arn_out[160];
        int rc = kms_unwrap(s->r, sse->wrapped, sse->wlen, ctx, sse->dk, sizeof sse->dk, arn_out);
        cJSON_Delete(ctx);
        return rc == 0 ? 0 : kms_error(s);
    }
}

void s3_sse_headers(s3_req_t *s, const s3_sse_t *sse)
{
    http_req_t *h = s->r->http;

    if (!strcmp(sse->alg, "SSE-C")) {
        http_add_header(h, "x-amz-server-side-encryption-customer-algorithm", "AES256");
        http_add_header(h, "x-amz-server-side-encryption-customer-key-MD5", sse->customer_md5);
        return;
    }
    http_add_header(h, "x-amz-server-side-encryption", sse->alg);
    if (strncmp(sse->alg, "aws:kms", 7) == 0) {
        http_add_header(h, "x-amz-server-side-encryption-aws-kms-key-id", sse->kms_key_arn);
        if (sse->bucket_key)
            http_add_header(h, "x-amz-server-side-encryption-bucket-key-enabled", "true");
        if (sse->context && strcmp(h->method, "GET") && strcmp(h->method, "HEAD")) {
            char *b64 = malloc(codec_b64_enclen(strlen(sse->context)) + 1);
            if (b64) {
                codec_b64_encode((const uint8_t *)sse->context, strlen(sse->context), b64);
                http_add_header(h, "x-amz-server-side-encryption-context", b64);
                free(b64);
            }
        }
    }
}

/* ---- sealed output: memory, spilling to a blob file --------------------------- */

size_t s3_inline_cap(void)
{
    return (size_t)frames_sealed_size(S3_INLINE_MAX, FRAMES_DEFAULT_FRAME);
}

int s3_sealed_init(s3_sealed_t *out, blob_store_t *bs, size_t cap, size_t hint)
{
    memset(out, 0, sizeof *out);
    out->bs = bs;
    out->cap = cap;
    if (cap == 0)
        return (out->bw = blob_begin(bs)) != NULL ? 0 : -1;
    if (hint > 0 && hint <= cap) {
        if ((out->mem = malloc(hint)) == NULL)
            return -1;
        out->alloc = hint;
    }
    return 0;
}

/* Moves what memory holds into a new blob file. */
static int spill(s3_sealed_t *out)
{
    if ((out->bw = blob_begin(out->bs)) == NULL)
        return -1;
    if (out->len && blob_write(out->bw, out->mem, out->len) != 0)
        return -1;
    free(out->mem);
    out->mem = NULL;
    out->len = out->alloc = 0;
    return 0;
}

int s3_sealed_write(void *arg, const uint8_t *p, size_t n)
{
    s3_sealed_t *out = arg;

    if (out->err)
        return -1;
    if (out->bw == NULL && n > out->cap - out->len && spill(out) != 0)
        return out->err = -1;
    if (out->bw)
        return blob_write(out->bw, p, n) == 0 ? 0 : (out->err = -1);
    if (out->len + n > out->alloc) {
        size_t want = out->alloc ? out->alloc * 2 : 8192;
        uint8_t *m;
        while (want < out->len + n)
            want *= 2;
        if (want > out->cap)
            want = out->cap;
        if ((m = realloc(out->mem, want)) == NULL)
            return out->err = -1;
        out->mem = m;
        out->alloc = want;
    }
    memcpy(out->mem + out->len, p, n);
    out->len += n;
    return 0;
}

int s3_sealed_finish(s3_sealed_t *out, char blob_id[BLOB_ID_LEN + 1], uint8_t **body,
                     size_t *body_len)
{
    int rc = -1;

    blob_id[0] = '\0';
    *body = NULL;
    *body_len = 0;
    if (out->err) {
        s3_sealed_abort(out);
        return -1;
    }
    if (out->bw) {
        rc = blob_commit(out->bw, blob_id) == 0 ? 0 : -1;
        out->bw = NULL;
    } else if (out->len > 0) {
        *body = out->mem;
        *body_len = out->len;
        out->mem = NULL;
        rc = 0;
    }
    s3_sealed_abort(out);
    return rc;
}

void s3_sealed_abort(s3_sealed_t *out)
{
    if (out->bw)
        blob_abort(out->bw);
    free(out->mem);
    out->bw = NULL;
    out->mem = NULL;
    out->len = out->alloc = 0;
}

/* ---- the streaming upload pipeline ------------------------------------------ */

void s3_upload_free(s3_upload_t *up)
{
    if (up == NULL)
        return;
    if (up->fs)
        frames_seal_abort(up->fs);
    s3_sealed_abort(&up->out);
    checksum_free(&up->md5);
    checksum_free(&up->sha);
    checksum_free(&up->ck);
    if (up->ac) {
        awschunked_free(up->ac);
        free(up->ac);
    }
    free(up);
}

static int up_fail(s3_upload_t *up, int status, const char *code, const char *msg)
{
    if (!up->failed) {
        up->failed = 1;
        up->fail_status = status;
        snprintf(up->fail_code, sizeof up->fail_code, "%s", code);
        snprintf(up->fail_msg, sizeof up->fail_msg, "%s", msg);
    }
    return -1;
}

/* Decoded payload bytes: digests, then the cipher into the blob. */
static int payload(void *arg, const uint8_t *p, size_t n)
{
    s3_upload_t *up = arg;

    if (up->size + n > S3_MAX_PUT)
        return up_fail(up, 400, "EntityTooLarge",
                       "Your proposed upload exceeds the maximum allowed size");
    up->size += n;
    if (up->md5_on)
        checksum_update(&up->md5, p, n);
    if (up->sha_on)
        checksum_update(&up->sha, p, n);
    if (up->ck_alg != CHECKSUM_NONE)
        checksum_update(&up->ck, p, n);
    if (frames_seal_update(up->fs, p, n, s3_sealed_write, &up->out) != 0)
        return up_fail(up, 500, "InternalError", "We encountered an internal error writing the object.");
    return 0;
}

/* The HTTP layer's body sink for uploads. */
static int upload_sink(http_req_t *h, const char *data, size_t len)
{
    {
        s3_upload_t *up = h->sink_arg;

        if (up->failed)
            return 0; /* keep draining; the error is answered at the end */
        if (up->ac) {
            ssize_t rc = awschunked_feed(up->ac, (const uint8_t *)data, len, payload, up);
            if (rc == AWSCHUNKED_BADSIG)
                up_fail(up, 403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you "
                        "provided.");
            else if (rc < 0 && !up->failed)
                up_fail(up, 400, "IncompleteBody",
                        "The request body's aws-chunked encoding is malformed.");
            return 0;
        }
        payload(up, (const uint8_t *)data, len);
        return 0;
    }
}

int s3_upload_begin(s3_req_t *s, const char *aad, int inline_ok)
{
    http_req_t *h = s->r->http;
    s3_upload_t *up = calloc(1, sizeof *up);
    char sha[80] = "", alg[32] = "", enc[128] = "", dlen[32] = "", trailer[80] = "";
    char name[64];
    checksum_alg_t a;

    if (up == NULL)
        return s3_error(s, 500, "InternalError", "Out of memory.");
    s->up = up;
    up->expect_size = UINT64_MAX;
    /* MD5 runs slower than the cipher: compute it only where it is the ETag
     * (SSE-S3 objects, every part) or Content-MD5 asks for it */
    up->md5_on = !strcmp(s->sse.alg, "AES256") || s->op == s3_op_upload_part ||
                 http_header(h, "Content-MD5", NULL) != NULL;
    if (up->md5_on && checksum_init(&up->md5, CHECKSUM_MD5) != 0)
        return s3_error(s, 500, "InternalError", "Out of memory.");
    s3_header(s, "x-amz-content-sha256", sha, sizeof sha);
    s3_header(s, "Content-Encoding", enc, sizeof enc);
    s3_header(s, "x-amz-decoded-content-length", dlen, sizeof dlen);
    s3_header(s, "x-amz-trailer", trailer, sizeof trailer);
    if (strlen(sha) == 64) {
        up->sha_on = 1;
        if (checksum_init(&up->sha, CHECKSUM_SHA256) != 0)
            return s3_error(s, 500, "InternalError", "Out of memory.");
    }
    /* the checksum algorithm: a header value, the SDK's declaration, or a trailer */
    up->ck_alg = CHECKSUM_NONE;
    for (a = CHECKSUM_CRC32; a <= CHECKSUM_SHA256; a++) {
        snprintf(name, sizeof name, "%s", checksum_header_name(a));
        if (http_header(h, name, NULL) || !strcasecmp(trailer, name)) {
            if (up->ck_alg != CHECKSUM_NONE)
                return s3_error(s, 400, "InvalidRequest",
                                "Expecting a single x-amz-checksum- header. Multiple checksum "
                                "Types are not allowed.");
            up->ck_alg = a;
        }
    }
    if (up->ck_alg == CHECKSUM_NONE && s3_header(s, "x-amz-sdk-checksum-algorithm", alg, sizeof alg))
        up->ck_alg = checksum_alg_parse(alg);
    if (up->ck_alg == CHECKSUM_NONE && s3_header(s, "x-amz-checksum-algorithm", alg, sizeof alg))
        up->ck_alg = checksum_alg_parse(alg);
    if (up->ck_alg != CHECKSUM_NONE && checksum_init(&up->ck, up->ck_alg) != 0)
        return s3_error(s, 500, "InternalError", "Out of memory.");
    if (!strncmp(sha, "STREAMING-", 10) || strstr(enc, "aws-chunked")) {
        up->ac = malloc(sizeof *up->ac);
        if (up->ac == NULL)
            return s3_error(s, 500, "InternalError", "Out of memory.");
        awschunked_init(up->ac);
        if (dlen[0]) {
            char *end;
            up->expect_size = strtoull(dlen, &end, 10);
            if (*end)
                return s3_error(s, 400, "InvalidArgument", "Invalid x-amz-decoded-content-length.");
        } else if (strncmp(sha, "STREAMING-UNSIGNED", 18) != 0 && !strstr(enc, "aws-chunked")) {
            return s3_error(s, 411, "MissingContentLength",
                            "You must provide the Content-Length HTTP header.");
        }
        if (s->r->emu->cfg->iam_enforce && !strncmp(sha, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 34)) {
            /* chunk signatures chain from the request's own signature */
            sigv4_request_t sreq;
            sigv4_auth_t auth;
            memset(&sreq, 0, sizeof sreq);
            sreq.method = h->method;
            sreq.method_len = strlen(h->method);
            sreq.path = h->path;
            sreq.path_len = strlen(h->path);
            sreq.query = h->query;
            sreq.query_len = strlen(h->query);
            sreq.headers = h->head.headers;
            sreq.nheaders = h->head.nheaders;
            if (sigv4_parse(&sreq, &auth) == 0 && s->r->caller_secret) {
                up->ac->verify = 1;
                sigv4_signing_key(s->r->caller_secret, auth.date, auth.region,
                                  auth.service, up->ac->signing_key);
                snprintf(up->ac->amz_date, sizeof up->ac->amz_date, "%s", auth.amz_date);
                sigv4_scope(&auth, up->ac->scope, sizeof up->ac->scope);
                snprintf(up->ac->prev_sig, sizeof up->ac->prev_sig, "%s", auth.signature);
            }
        }
    } else if (h->content_length < 0 && !h->chunked) {
        return s3_error(s, 411, "MissingContentLength",
                        "You must provide the Content-Length HTTP header.");
    }
    if ((uint64_t)(h->content_length > 0 ? h->content_length : 0) > S3_MAX_PUT + (1u << 20))
        return s3_error(s, 400, "EntityTooLarge",
                        "Your proposed upload exceeds the maximum allowed size");
    {
        /* the body's size, when the head tells it, picks memory or a file now */
        uint64_t known = up->ac ? up->expect_size
                                : (!h->chunked && h->content_length >= 0 ? (uint64_t)h->content_length
                                                                         : UINT64_MAX);
        size_t cap = inline_ok && (known == UINT64_MAX || known <= S3_INLINE_MAX) ? s3_inline_cap() : 0;
        size_t hint = cap && known != UINT64_MAX ? (size_t)frames_sealed_size(known, FRAMES_DEFAULT_FRAME) : 0;
        if (s3_sealed_init(&up->out, s->r->emu->blobs, cap, hint) != 0)
            return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    }
    up->fs = frames_seal_begin(s->sse.dk, (const uint8_t *)aad, strlen(aad), FRAMES_DEFAULT_FRAME);
    if (up->fs == NULL)
        return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    h->sink = upload_sink;
    h->sink_arg = up;
    return 0;
}

int s3_upload_finish(s3_req_t *s, char blob_id[BLOB_ID_LEN + 1], uint8_t **body,
                     size_t *body_len, uint8_t md5[16], char checksum[64])
{
    s3_upload_t *up = s->up;
    http_req_t *h = s->r->http;
    uint8_t dig[CHECKSUM_MAX_DIGEST];
    size_t dlen;
    char hdr[128];

    checksum[0] = '\0';
    blob_id[0] = '\0';
    *body = NULL;
    *body_len = 0;
    if (up->failed)
        return s3_error(s, up->fail_status, up->fail_code, "%s", up->fail_msg);
    if (h->body_error)
        return s3_error(s, 400, "IncompleteBody", "The request body was not received whole.");
    if (up->ac && !up->ac->done)
        return s3_error(s, 400, "IncompleteBody",
                        "You did not provide the number of bytes specified by the Content-Length "
                        "HTTP header.");
    if (up->expect_size != UINT64_MAX && up->expect_size != up->size)
        return s3_error(s, 400, "IncompleteBody",
                        "You did not provide the number of bytes specified by the "
                        "x-amz-decoded-content-length HTTP header.");
    if (up->md5_on) {
        checksum_final(&up->md5, dig, &dlen);
        memcpy(md5, dig, 16);
    } else {
        memset(md5, 0, 16);
    }
    if (s3_header(s, "Content-MD5", hdr, sizeof hdr)) {
        char b64[32];
        codec_b64_encode(md5, 16, b64);
        if (strcmp(b64, hdr) != 0) {
            uint8_t raw[64];
            return s3_error(s, 400, codec_b64_decode(hdr, strlen(hdr), raw) == 16 ? "BadDigest"
                                                                                    : "InvalidDigest",
                            "The Content-MD5 you specified did not match what we received.");
        }
    }
    if (up->sha_on) {
        char hex[65];
        checksum_final(&up->sha, dig, &dlen);
        codec_hex(dig, 32, hex);
        s3_header(s, "x-amz-content-sha256", hdr, sizeof hdr);
        if (strcasecmp(hex, hdr) != 0)
            return s3_error(s, 400, "XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what was "
                            "computed.");
    }
    if (up->ck_alg != CHECKSUM_NONE) {
        const char *want;
        checksum_final(&up->ck, dig, &dlen);
        checksum_b64(dig, dlen, checksum);
        if (s3_header(s, checksum_header_name(up->ck_alg), hdr, sizeof hdr)) {
            want = hdr;
        } else {
            want = up->ac ? awschunked_trailer(up->ac, checksum_header_name(up->ck_alg)) : NULL;
            if (want == NULL && s3_header(s, "x-amz-trailer", hdr, sizeof hdr))
                return s3_error(s, 400, "MalformedTrailerError",
                                "The request contained trailing data that was not well-formed "
                                "or did not conform to our published schema.");
        }
        if (want && strcmp(want, checksum) != 0)
            return s3_error(s, 400, "BadDigest", "The %s you specified did not match the "
                                                 "calculated checksum.",
                            checksum_alg_name(up->ck_alg));
    }
    if (frames_seal_final(up->fs, s3_sealed_write, &up->out) != 0) {
        up->fs = NULL;
        return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    }
    up->fs = NULL;
    if (s3_sealed_finish(&up->out, blob_id, body, body_len) != 0)
        return s3_error(s, 500, "InternalError", "We encountered an internal error.");
    return 0;
}
