/* s3_copy.c — CopyObject: the source named by x-amz-copy-source (its
 * version, its preconditions, s3:GetObject on it), its bytes re-sealed under
 * the destination's encryption (s3_reseal, also UploadPartCopy's). */
#include "services/s3/s3_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "base/xml.h"
#include "emulator/http.h"
#include "emulator/proto_query.h"
#include "storage/db.h"
#include "base/evp.h"

/* ---- CopyObject --------------------------------------------------------------- */

/* 1 when x-amz-copy-source names a version (?versionId=). */
static int http_header_contains_version(s3_req_t *s)
{
    char v[4096];

    return s3_header(s, "x-amz-copy-source", v, sizeof v) && strstr(v, "?versionId=") != NULL;
}

/* "bucket/key" or "/bucket/key" (URL-encoded; ?versionId= is read by
 * s3_copy_source_load). */
int s3_copy_source(s3_req_t *s, char bucket[64], char **key)
{
    char v[4096], *q, *slash, *p = v;

    *key = NULL;
    if (!s3_header(s, "x-amz-copy-source", v, sizeof v))
        return s3_fail(s, S3_E_COPY_SOURCE);
    if ((q = strchr(v, '?')) != NULL)
        *q = '\0';
    if (*p == '/')
        p++;
    slash = strchr(p, '/');
    if (slash == NULL || slash == p || (size_t)(slash - p) >= 64 || !slash[1])
        return s3_fail(s, S3_E_COPY_SOURCE);
    memcpy(bucket, p, (size_t)(slash - p));
    bucket[slash - p] = '\0';
    *key = malloc(strlen(slash + 1) + 1);
    if (*key == NULL || proto_query_unescape_text(slash + 1, strlen(slash + 1), 0, *key) < 0) {
        free(*key);
        *key = NULL;
        return s3_error(s, 400, "InvalidArgument", "Invalid copy source encoding.");
    }
    if (s3_authorize_object(s, "s3:GetObject", bucket, *key) != 0) {
        free(*key);
        *key = NULL;
        return -1;
    }
    return 0;
}

/* Re-seals the body [first, last] of src (data key src_dk) into a new blob
 * under s->sse for dst_aad. md5 of the copied bytes out. */
int s3_reseal(s3_req_t *s, const s3_object_t *src, const uint8_t *src_dk, const char *src_aad,
              uint64_t first, uint64_t last, const char *dst_aad, char blob_id[BLOB_ID_LEN + 1],
              uint8_t **out_body, size_t *out_len, uint8_t md5[16], checksum_t *ck)
{
    s3_body_t *body = NULL;
    frames_sealer_t *fs = NULL;
    s3_sealed_t out;
    uint8_t *mem = NULL;
    size_t mlen = 0;
    uint64_t n_plain = src->size ? last - first + 1 : 0;
    checksum_t m;
    uint8_t dig[CHECKSUM_MAX_DIGEST];
    size_t dl;
    int rc;

    if (checksum_init(&m, CHECKSUM_MD5) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    blob_id[0] = '\0';
    if (out_body) {
        *out_body = NULL;
        *out_len = 0;
    }
    memset(&out, 0, sizeof out);
    if (out_body && n_plain <= S3_INLINE_MAX) {
        size_t sealed = (size_t)frames_sealed_size(n_plain, FRAMES_DEFAULT_FRAME);
        if (s3_sealed_init(&out, s->r->emu->blobs, sealed, sealed) != 0)
            goto fail;
    } else if (s3_sealed_init(&out, s->r->emu->blobs, 0, 0) != 0) {
        goto fail;
    }
    fs = frames_seal_begin(s->sse.dk, (const uint8_t *)dst_aad, strlen(dst_aad), FRAMES_DEFAULT_FRAME);
    if (fs == NULL)
        goto fail;
    if (src->size > 0) {
        if (s3_body_open(s, src, src_dk, src_aad, first, last, &body) != 0)
            goto fail;
        for (;;) {
            const uint8_t *p;
            size_t n;
            int r2 = s3_body_view(body, &p, &n);
            if (r2 < 0)
                goto fail;
            if (r2 == 0)
                break;
            checksum_update(&m, p, n);
            if (ck)
                checksum_update(ck, p, n);
            if (frames_seal_update(fs, p, n, s3_sealed_write, &out) != 0)
                goto fail;
        }
        s3_body_close(body);
        body = NULL;
    }
    rc = frames_seal_final(fs, s3_sealed_write, &out);
    fs = NULL;
    if (rc != 0 || s3_sealed_finish(&out, blob_id, &mem, &mlen) != 0)
        goto fail;
    if (out_body) {
        *out_body = mem;
        *out_len = mlen;
    }
    checksum_final(&m, dig, &dl);
    memcpy(md5, dig, 16);
    return 0;
fail:
    checksum_free(&m);
    s3_body_close(body);
    if (fs)
        frames_seal_abort(fs);
    s3_sealed_abort(&out);
    return s3_error(s, 500, "InternalError", "The source object's body cannot be copied.");
}

/* The copy source's data key into src->sse.dk: SSE-C from the
 * x-amz-copy-source-server-side-encryption-customer-* headers (ssec gets
 * them), checked against the stored HMAC; else opened as a GET opens it.
 * 0 or -1 (error set). */
static int source_data_key(s3_req_t *s, s3_object_t *src, s3_sse_t *ssec, const char *arn)
{
    uint8_t mac[32];
    int prc;

    if (strcmp(src->sse.alg, "SSE-C") != 0)
        return s3_sse_open(s, &src->sse, arn, 0);
    prc = s3_ssec_parse(s, "copy-source-", ssec);
    if (prc <= 0)
        return prc == 0 ? s3_fail(s, S3_E_SSE_REQUIRED) : -1;
    HMAC(evp_sha256(), src->sse.salt, sizeof src->sse.salt, ssec->dk, 32, mac, NULL);
    if (CRYPTO_memcmp(mac, src->sse.hmac, sizeof mac) != 0)
        return s3_fail(s, S3_E_ACCESS_DENIED);
    memcpy(src->sse.dk, ssec->dk, 32);
    return 0;
}

/* The website redirect is each object's own: a COPY directive does not
 * carry the source's, the request's header sets it (CopyObject API
 * reference, WebsiteRedirectLocation). */
static void copy_redirect(s3_req_t *s, char **meta)
{
    cJSON *m = cJSON_Parse(*meta);
    char v[2048];
    char *text;

    if (m == NULL)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(m, "x-amz-website-redirect-location");
    if (s3_header(s, "x-amz-website-redirect-location", v, sizeof v))
        cJSON_AddStringToObject(m, "x-amz-website-redirect-location", v);
    if ((text = cJSON_PrintUnformatted(m)) != NULL) {
        free(*meta);
        *meta = text;
    }
    cJSON_Delete(m);
}

/* A copy onto itself must change something (restoring a version by id is
 * a change): -1 with InvalidRequest when it changes nothing, else 0. */
static int copy_onto_itself(s3_req_t *s, const char *sbucket, const char *skey,
                            const char *directive)
{
    if (!strcmp(sbucket, s->bucket) && !strcmp(skey, s->key) && !strcmp(directive, "COPY") &&
        !http_header_contains_version(s) &&
        !http_header(s->r->http, "x-amz-server-side-encryption", NULL) &&
        !http_header(s->r->http, "x-amz-server-side-encryption-customer-algorithm", NULL) &&
        !http_header(s->r->http, "x-amz-storage-class", NULL) &&
        !http_header(s->r->http, "x-amz-website-redirect-location", NULL))
        return s3_error(s, 400, "InvalidRequest",
                        "This copy request is illegal because it is trying to copy an object to "
                        "itself without changing the object's metadata, storage class, website "
                        "redirect location or encryption attributes.");
    return 0;
}

/* The checksum a copy computes: x-amz-checksum-algorithm, else the
 * source's algorithm when its value is composite (a multipart source: the
 * copy is one part, so its value is the whole object's); CHECKSUM_NONE
 * when the source's value is carried over as it is (AWS: "if the source
 * object has a checksum, that checksum value will be copied to the new
 * object by default", CopyObject's x-amz-checksum-algorithm, S3 API
 * Reference). CHECKSUM_MD5 (no such S3 algorithm) with the error set. */
static checksum_alg_t copy_checksum_alg(s3_req_t *s, const s3_object_t *src)
{
    char v[32];
    checksum_alg_t alg;

    if (s3_header(s, "x-amz-checksum-algorithm", v, sizeof v)) {
        alg = checksum_alg_parse(v);
        if (alg == CHECKSUM_NONE || alg == CHECKSUM_MD5) {
            s3_error_arg(s, 400, "InvalidRequest", "x-amz-checksum-algorithm", v,
                         "Checksum algorithm provided is unsupported. Please try again with any "
                         "of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
            return CHECKSUM_MD5;
        }
        return alg;
    }
    if (src->checksum_alg[0] && !strcmp(src->checksum_type, "COMPOSITE"))
        return checksum_alg_parse(src->checksum_alg);
    return CHECKSUM_NONE;
}

/* The source's bytes resealed into dst's body (md5 of them), and the
 * checksum alg (CHECKSUM_NONE: none) of them computed into dst. 0 or -1
 * (error set). */
static int copy_body(s3_req_t *s, s3_object_t *src, const char *src_arn, const char *dst_arn,
                     checksum_alg_t alg, s3_object_t *dst, uint8_t md5[16])
{
    checksum_t ck;
    int rc;

    if (alg != CHECKSUM_NONE && checksum_init(&ck, alg) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    rc = s3_reseal(s, src, src->sse.dk, src_arn, 0, src->size ? src->size - 1 : 0, dst_arn,
                   dst->blob_id, &dst->body, &dst->body_len, md5, alg != CHECKSUM_NONE ? &ck : NULL);
    if (alg != CHECKSUM_NONE) {
        uint8_t dig[CHECKSUM_MAX_DIGEST];
        size_t dl;
        checksum_final(&ck, dig, &dl);
        checksum_b64(dig, dl, dst->checksum);
        str_copy(dst->checksum_alg, sizeof dst->checksum_alg, checksum_alg_name(alg));
        snprintf(dst->checksum_type, sizeof dst->checksum_type, "FULL_OBJECT");
    }
    return rc;
}

/* What a stored copy tells: its event, its lifecycle expiration. */
static void copied(s3_req_t *s, const s3_object_t *dst)
{
    s3_event_obj_t ev = {s->key, dst->size, dst->etag, dst->version_id};

    s3_notify(s, "s3:ObjectCreated:Copy", &ev);
    s3_expiration_header(s, s->key, dst->last_modified, (long long)dst->size, dst->tags);
}

int s3_op_copy_object(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char sbucket[64], region[64], directive[32] = "COPY", tdirective[32] = "COPY";
    char *skey = NULL, date[64];
    s3_old_body_t old;
    s3_object_t src, dst;
    s3_sse_t src_sse_c;
    buf_t src_arn, dst_arn, out;
    uint8_t md5[16];
    int rc = -1, found, bad = 0;
    checksum_alg_t ck_alg = CHECKSUM_NONE;

    memset(&src, 0, sizeof src);
    memset(&dst, 0, sizeof dst);
    memset(&src_sse_c, 0, sizeof src_sse_c);
    buf_init(&src_arn, 0);
    buf_init(&dst_arn, 0);
    if (s3_require_bucket(s) != 0 || s3_copy_source(s, sbucket, &skey) != 0)
        goto out;
    found = s3_bucket_region(s, sbucket, region);
    if (found != 1) {
        s3_fail(s, found == 2 ? S3_E_ACCESS_DENIED : S3_E_NO_SUCH_BUCKET);
        goto out;
    }
    if (s3_copy_source_load(s, sbucket, skey, &src) != 0)
        goto out;
    {
        char v[32];
        if (s3_header(s, "x-amz-metadata-directive", v, sizeof v))
            str_copy(directive, sizeof directive, v);
        if (s3_header(s, "x-amz-tagging-directive", v, sizeof v))
            str_copy(tdirective, sizeof tdirective, v);
    }
    if (strcmp(directive, "COPY") && strcmp(directive, "REPLACE")) {
        s3_error(s, 400, "InvalidArgument", "Unknown metadata directive.");
        goto out;
    }
    {
        /* x-amz-copy-source-if-*: a 304 of GET is a 412 for a copy */
        int st;
        if (s3_preconditions(s, &src, &st, "x-amz-copy-source-") != 0) {
            if (st == 304)
                s3_fail(s, S3_E_PRECONDITION);
            goto out;
        }
    }
    s3_object_arn(sbucket, skey, &src_arn);
    /* the source's data key: SSE-C from the copy-source customer headers */
    if (source_data_key(s, &src, &src_sse_c, src_arn.data) != 0 ||
        copy_onto_itself(s, sbucket, skey, directive) != 0 ||
        s3_storage_class_request(s, s->storage_class) != 0 || s3_archive_check(s, &src) != 0)
        goto out;
    if (s3_write_preconditions(s) != 0 || s3_lock_request(s, 0) != 0 ||
        (ck_alg = copy_checksum_alg(s, &src)) == CHECKSUM_MD5 ||
        s3_sse_prepare(s, s->bucket, s->key) != 0)
        goto out;
    s3_object_arn(s->bucket, s->key, &dst_arn);
    if (copy_body(s, &src, src_arn.data, dst_arn.data, ck_alg, &dst, md5) != 0)
        goto out;
    dst.size = src.size;
    dst.last_modified = s->r->now;
    /* the copy's own lock: the source's is not copied */
    s3_lock_for_new(s, &s->lock, dst.last_modified, &dst.lock);
    dst.frame_size = FRAMES_DEFAULT_FRAME;
    dst.sse = s->sse;
    /* the copy's class is the request's (STANDARD when absent), not the source's */
    memcpy(dst.storage_class, s->storage_class, sizeof dst.storage_class);
    dst.meta = !strcmp(directive, "REPLACE") ? s3_request_meta(s) : (src.meta ? strdup(src.meta) : NULL);
    dst.tags = !strcmp(tdirective, "REPLACE") ? s3_request_tags(s, &bad) : (src.tags ? strdup(src.tags) : NULL);
    if (!bad && s3_acl_from_headers(s, 0, &dst.acl) != 0)
        bad = 1;
    if (!strcmp(directive, "COPY") && dst.meta)
        copy_redirect(s, &dst.meta);
    if ((!strcmp(directive, "REPLACE") && dst.meta == NULL) || bad) {
        s3_drop_blob(s, dst.blob_id);
        goto out_dst;
    }
    if (ck_alg == CHECKSUM_NONE && src.checksum_alg[0]) {
        memcpy(dst.checksum_alg, src.checksum_alg, sizeof dst.checksum_alg);
        memcpy(dst.checksum, src.checksum, sizeof dst.checksum);
        memcpy(dst.checksum_type, src.checksum_type, sizeof dst.checksum_type);
    }
    s3_make_etag(&dst.sse, md5, dst.etag);
    if (db_begin(s->r->emu->db) != 0 || s3_object_store(s, s->bucket, s->key, &dst, &old) != 0 ||
        db_commit(s->r->emu->db) != 0) {
        db_rollback(s->r->emu->db);
        s3_drop_blob(s, dst.blob_id);
        s3_fail(s, S3_E_INTERNAL);
        goto out_dst;
    }
    s3_drop_body(s, &old);
    copied(s, &dst);
    if (dst.version_id[0])
        http_add_header(s->r->http, "x-amz-version-id", dst.version_id);
    s3_sse_headers(s, &dst.sse);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "CopyObjectResult", XML_NS_S3);
    xml_elem(&out, "ETag", dst.etag);
    clock_iso8601(dst.last_modified, date);
    xml_elem(&out, "LastModified", date);
    s3_checksum_elems(&out, &dst);
    xml_close(&out, "CopyObjectResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    rc = 0;
out_dst:
    memset(&dst.sse, 0, sizeof dst.sse);
    s3_object_clear(&dst);
out:
    OPENSSL_cleanse(src_sse_c.dk, sizeof src_sse_c.dk);
    s3_object_clear(&src);
    buf_free(&src_arn);
    buf_free(&dst_arn);
    free(skey);
    return rc;
}
