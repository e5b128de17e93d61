/* s3_multipart.c — CreateMultipartUpload, UploadPart, UploadPartCopy,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts
 * (ListMultipartUploads is in s3_list.c). Parts are sealed under the
 * upload's data key; completion re-seals them, in order, into the
 * object's one body. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "emulator/proto_query.h"
#include "base/xml.h"

static int internal(s3_req_t *s)
{
    db_rollback(s->r->emu->db);
    return s3_fail(s, S3_E_INTERNAL);
}

static void part_aad(const char *bucket, const char *key, const char *upload_id, long pn, buf_t *aad)
{
    s3_object_arn(bucket, key, aad);
    buf_printf(aad, "#upload=%s#part=%ld", upload_id, pn);
}

/* The upload's row into u (meta, tags, checksum settings, the Object Lock
 * asked for, in the object shape); 1 found, 0 not (NoSuchUpload recorded), -1 error. */
static int load_upload(s3_req_t *s, const char *upload_id, s3_object_t *u, char ck_alg[16])
{
    sqlite3_stmt *st = db_query(s->r->emu->db,
                                "SELECT meta, sse, kms_key_arn, bucket_key, context, wrapped_key, "
                                "ssec_salt, ssec_hmac, checksum_alg, checksum_type, tags, "
                                "lock_mode, lock_until, legal_hold FROM s3_uploads WHERE "
                                "upload_id=?1 AND bucket=?2 AND key=?3",
                                "sss", upload_id, s->bucket, s->key);
    int rc;

    memset(u, 0, sizeof *u);
    ck_alg[0] = '\0';
    if (st == NULL)
        return internal(s);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_done(st);
        if (rc != SQLITE_DONE)
            return internal(s);
        s3_error(s, 404, "NoSuchUpload",
                 "The specified upload does not exist. The upload ID may be invalid, or the "
                 "upload may have been aborted or completed.");
        return 0;
    }
    u->meta = strdup((const char *)sqlite3_column_text(st, 0));
    str_copy(u->sse.alg, sizeof u->sse.alg, (const char *)sqlite3_column_text(st, 1));
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        snprintf(u->sse.kms_key_arn, sizeof u->sse.kms_key_arn, "%s",
                 (const char *)sqlite3_column_text(st, 2));
    u->sse.bucket_key = sqlite3_column_int(st, 3);
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        u->sse.context = strdup((const char *)sqlite3_column_text(st, 4));
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        u->sse.wlen = (size_t)sqlite3_column_bytes(st, 5);
        u->sse.wrapped = malloc(u->sse.wlen + 1);
        if (u->sse.wrapped)
            memcpy(u->sse.wrapped, sqlite3_column_blob(st, 5), u->sse.wlen);
    }
    if (sqlite3_column_bytes(st, 6) == sizeof u->sse.salt)
        memcpy(u->sse.salt, sqlite3_column_blob(st, 6), sizeof u->sse.salt);
    if (sqlite3_column_bytes(st, 7) == sizeof u->sse.hmac)
        memcpy(u->sse.hmac, sqlite3_column_blob(st, 7), sizeof u->sse.hmac);
    if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        snprintf(ck_alg, 16, "%s", (const char *)sqlite3_column_text(st, 8));
    if (sqlite3_column_type(st, 9) != SQLITE_NULL)
        snprintf(u->checksum_type, sizeof u->checksum_type, "%s",
                 (const char *)sqlite3_column_text(st, 9));
    if (sqlite3_column_type(st, 10) != SQLITE_NULL)
        u->tags = strdup((const char *)sqlite3_column_text(st, 10));
    if (sqlite3_column_type(st, 11) != SQLITE_NULL) {
        snprintf(u->lock.mode, sizeof u->lock.mode, "%s",
                 (const char *)sqlite3_column_text(st, 11));
        u->lock.until = sqlite3_column_double(st, 12);
    }
    if (sqlite3_column_type(st, 13) != SQLITE_NULL)
        u->lock.hold = sqlite3_column_int(st, 13) ? S3_HOLD_ON : S3_HOLD_OFF;
    db_done(st);
    return 1;
}

static int upload_id_param(s3_req_t *s)
{
    if (!s3_query(s, "uploadId", s->upload_id, sizeof s->upload_id) || !s->upload_id[0])
        return s3_error(s, 404, "NoSuchUpload", "The specified upload does not exist.");
    return 0;
}

static int part_number_param(s3_req_t *s)
{
    return s3_part_number_param(s, &s->part_number);
}

int s3_op_create_multipart_upload(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char id[80], ck[32] = "", cktype[32] = "", *meta = NULL, *tags = NULL;
    char *acl = NULL;
    uint8_t rnd[36];
    sqlite3_stmt *st;
    buf_t out;
    int rc, bad = 0;

    if (s3_require_bucket(s) != 0 || s3_lock_request(s, 0) != 0 ||
        s3_storage_class_request(s, s->storage_class) != 0)
        return -1;
    /* the ACL headers are checked (ACLs disabled, public ACLs blocked) but
     * not kept: the completed object gets the default ACL */
    if (s3_acl_from_headers(s, 0, &acl) != 0)
        return -1;
    free(acl);
    if ((meta = s3_request_meta(s)) == NULL)
        return -1;
    if (s3_sse_prepare(s, s->bucket, s->key) != 0) {
        free(meta);
        return -1;
    }
    s3_header(s, "x-amz-checksum-algorithm", ck, sizeof ck);
    s3_header(s, "x-amz-checksum-type", cktype, sizeof cktype);
    if (ck[0] && (checksum_alg_parse(ck) == CHECKSUM_NONE || checksum_alg_parse(ck) == CHECKSUM_MD5)) {
        free(meta);
        return s3_error(s, 400, "InvalidRequest", "Checksum algorithm provided is unsupported.");
    }
    if (s3_checksum_type_check(s, ck[0] ? checksum_alg_parse(ck) : CHECKSUM_NONE, cktype) != 0) {
        free(meta);
        return -1;
    }
    tags = s3_request_tags(s, &bad);
    if (bad) {
        free(meta);
        return -1;
    }
    codec_random(rnd, sizeof rnd);
    codec_b64_encode(rnd, sizeof rnd, id);
    for (char *p = id; *p; p++) /* URL-safe */
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
    st = db_query(s->r->emu->db, "INSERT INTO s3_uploads (upload_id, bucket, key, initiated, meta, "
                                "sse, kms_key_arn, bucket_key, context, wrapped_key, ssec_salt, "
                                "ssec_hmac, checksum_alg, checksum_type, tags, lock_mode, "
                                "lock_until, legal_hold) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)", "sssdss", id, s->bucket, s->key, s->r->now, meta, s->sse.alg);
    if (st == NULL) {
        free(meta);
        free(tags);
        return internal(s);
    }
    if (s->sse.kms_key_arn[0])
        sqlite3_bind_text(st, 7, s->sse.kms_key_arn, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, s->sse.bucket_key);
    if (s->sse.context)
        sqlite3_bind_text(st, 9, s->sse.context, -1, SQLITE_STATIC);
    if (s->sse.wrapped)
        sqlite3_bind_blob(st, 10, s->sse.wrapped, (int)s->sse.wlen, SQLITE_STATIC);
    if (!strcmp(s->sse.alg, "SSE-C")) {
        sqlite3_bind_blob(st, 11, s->sse.salt, sizeof s->sse.salt, SQLITE_STATIC);
        sqlite3_bind_blob(st, 12, s->sse.hmac, sizeof s->sse.hmac, SQLITE_STATIC);
    }
    if (ck[0]) {
        sqlite3_bind_text(st, 13, checksum_alg_name(checksum_alg_parse(ck)), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, cktype, -1, SQLITE_STATIC);
    }
    if (tags)
        sqlite3_bind_text(st, 15, tags, -1, SQLITE_STATIC);
    if (s->lock.mode[0]) {
        sqlite3_bind_text(st, 16, s->lock.mode, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 17, s->lock.until);
    }
    if (s->lock.hold != S3_HOLD_NONE)
        sqlite3_bind_int(st, 18, s->lock.hold == S3_HOLD_ON);
    rc = sqlite3_step(st);
    db_done(st);
    free(meta);
    free(tags);
    if (rc != SQLITE_DONE || s3_upload_class_set(s, id) != 0)
        return internal(s);
    s3_sse_headers(s, &s->sse);
    if (ck[0]) {
        http_add_header(s->r->http, "x-amz-checksum-algorithm", checksum_alg_name(checksum_alg_parse(ck)));
        http_add_header(s->r->http, "x-amz-checksum-type", cktype);
    }
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "InitiateMultipartUploadResult", XML_NS_S3);
    xml_elem(&out, "Bucket", s->bucket);
    xml_elem(&out, "Key", s->key);
    xml_elem(&out, "UploadId", id);
    xml_close(&out, "InitiateMultipartUploadResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

/* The data key of an upload (into s->sse) for its parts. */
static int upload_key(s3_req_t *s, s3_object_t *u)
{
    buf_t arn;
    int rc;

    buf_init(&arn, 0);
    s3_object_arn(s->bucket, s->key, &arn);
    rc = s3_sse_open(s, &u->sse, arn.data, 1);
    buf_free(&arn);
    if (rc != 0 && !strcmp(s->r->err_code, "AccessDenied"))
        return s3_error(s, 400, "InvalidArgument",
                        "The provided encryption parameters did not match the ones used "
                        "originally.");
    if (rc != 0)
        return -1;
    s3_sse_clear(&s->sse);
    s->sse = u->sse;
    memset(&u->sse, 0, sizeof u->sse); /* now owned by s->sse */
    return 0;
}

/* A part of an upload created with a checksum algorithm: a part that
 * names another algorithm, or (composite) none, is refused as S3 refuses it
 * (floci#3093, row 22, against S3); without one, a full-object upload's
 * part gets the upload's algorithm computed, so that Complete can combine
 * the parts' CRCs. 0 or -1 (error set). */
static int part_checksum_alg(s3_req_t *s, checksum_alg_t want, const char *type)
{
    s3_upload_t *up = s->up;
    char w[16], got[16];
    size_t k;

    if (up->ck_alg == want)
        return 0;
    if (up->ck_alg == CHECKSUM_NONE && !strcmp(type, "FULL_OBJECT")) {
        if (checksum_init(&up->ck, want) != 0)
            return s3_fail(s, S3_E_INTERNAL);
        up->ck_alg = want;
        return 0;
    }
    str_copy(w, sizeof w, checksum_alg_name(want));
    str_copy(got, sizeof got, up->ck_alg == CHECKSUM_NONE ? "null" : checksum_alg_name(up->ck_alg));
    for (k = 0; w[k]; k++)
        w[k] = (char)tolower((unsigned char)w[k]);
    for (k = 0; got[k]; k++)
        got[k] = (char)tolower((unsigned char)got[k]);
    return s3_error(s, 400, "InvalidRequest",
                    "Checksum Type mismatch occurred, expected checksum Type: %s, actual "
                    "checksum Type: %s", w, got);
}

int s3_part_head(s3_req_t *s)
{
    s3_object_t u;
    char ck[16];
    buf_t aad;
    int rc;

    if (s3_require_bucket(s) != 0 || upload_id_param(s) || part_number_param(s))
        return -1;
    rc = load_upload(s, s->upload_id, &u, ck);
    if (rc != 1)
        return -1;
    rc = s3_lock_part_check(s, &u.lock) != 0 ? -1 : upload_key(s, &u);
    if (rc != 0) {
        s3_object_clear(&u);
        return -1;
    }
    buf_init(&aad, 0);
    part_aad(s->bucket, s->key, s->upload_id, s->part_number, &aad);
    rc = s3_upload_begin(s, aad.data, 1);
    buf_free(&aad);
    if (rc == 0 && ck[0])
        rc = part_checksum_alg(s, checksum_alg_parse(ck), u.checksum_type);
    s3_object_clear(&u);
    return rc;
}

/* Records part pn (replacing any earlier one) and answers. */
static int store_part(s3_req_t *s, const char *blob_id, uint64_t size, const uint8_t md5[16],
                      const char *checksum)
{
    sqlite3_stmt *st;
    char etag[80], hex[33], old[BLOB_ID_LEN + 1] = "";
    int rc;

    codec_hex(md5, 16, hex);
    snprintf(etag, sizeof etag, "\"%s\"", hex);
    st = db_query(s->r->emu->db, "SELECT blob_id FROM s3_parts WHERE upload_id=?1 AND part_number=?2", "sl", s->upload_id, (long long)s->part_number);
    if (st == NULL)
        return internal(s);
    if (db_row(st) == 1)
        str_copy(old, sizeof old, (const char *)sqlite3_column_text(st, 0));
    db_done(st);
    st = db_query(s->r->emu->db, "INSERT OR REPLACE INTO s3_parts (upload_id, part_number, blob_id, "
                                "size, etag, md5, checksum, last_modified) VALUES (?1, ?2, ?3, ?4, "
                                "?5, ?6, ?7, ?8)", "slslsb", s->upload_id, (long long)s->part_number, blob_id, (long long)size, etag, md5, (size_t)16);
    if (st == NULL)
        return internal(s);
    if (checksum && checksum[0])
        sqlite3_bind_text(st, 7, checksum, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 8, s->r->now);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE) {
        s3_drop_blob(s, blob_id);
        return internal(s);
    }
    if (old[0])
        s3_drop_blob(s, old);
    http_add_header(s->r->http, "ETag", etag);
    return 0;
}

int s3_op_upload_part(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char blob[BLOB_ID_LEN + 1], checksum[64];
    uint8_t md5[16];
    s3_object_t u;
    char ck[16];

    if (s->up == NULL)
        return s3_error(s, 500, "InternalError", "The upload was not prepared.");
    {
        uint8_t *body = NULL; /* parts are always files (cap 0): never set */
        size_t blen = 0;
        if (s3_upload_finish(s, blob, &body, &blen, md5, checksum) != 0)
            return -1;
        free(body);
    }
    /* the upload may have been completed or aborted meanwhile */
    if (load_upload(s, s->upload_id, &u, ck) != 1) {
        s3_drop_blob(s, blob);
        return -1;
    }
    s3_object_clear(&u);
    if (store_part(s, blob, s->up->size, md5, checksum) != 0)
        return -1;
    s3_sse_headers(s, &s->sse);
    if (checksum[0])
        http_add_header(s->r->http, checksum_header_name(s->up->ck_alg), checksum);
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_upload_part_copy(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char sbucket[64] = "", range[128], ck[16], blob[BLOB_ID_LEN + 1], date[32], *skey = NULL;
    char ckv[64] = "";
    checksum_alg_t ck_alg;
    checksum_t cks;
    s3_object_t u, o;
    uint64_t first = 0, last = 0;
    uint8_t md5[16];
    buf_t sarn, aad, out;
    int rc = -1;

    memset(&o, 0, sizeof o);
    if (s3_require_bucket(s) || upload_id_param(s) || part_number_param(s))
        return -1;
    if (load_upload(s, s->upload_id, &u, ck) != 1)
        return -1;
    ck_alg = ck[0] ? checksum_alg_parse(ck) : CHECKSUM_NONE;
    rc = upload_key(s, &u);
    s3_object_clear(&u);
    if (rc != 0)
        return -1;
    rc = -1;
    if (s3_copy_source(s, sbucket, &skey) != 0)
        return -1;
    buf_init(&sarn, 0);
    buf_init(&aad, 0);
    if (s3_copy_source_load(s, sbucket, skey, &o) != 0 || s3_archive_check(s, &o) != 0)
        goto out;
    s3_object_arn(sbucket, skey, &sarn);
    if (!strcmp(o.sse.alg, "SSE-C")) {
        s3_error(s, 400, "InvalidRequest", "Copying an SSE-C source into a part is not supported by awsemu.");
        goto out;
    }
    if (s3_sse_open(s, &o.sse, sarn.data, 0) != 0)
        goto out;
    if (o.size)
        last = o.size - 1;
    if (s3_header(s, "x-amz-copy-source-range", range, sizeof range)) {
        unsigned long long a, b;
        if (sscanf(range, "bytes=%llu-%llu", &a, &b) != 2 || b < a || b >= o.size) {
            s3_error(s, 400, "InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
            goto out;
        }
        first = a;
        last = b;
    }
    part_aad(s->bucket, s->key, s->upload_id, s->part_number, &aad);
    /* the part gets the upload's checksum algorithm, computed over the copy */
    if (ck_alg != CHECKSUM_NONE && checksum_init(&cks, ck_alg) != 0) {
        s3_fail(s, S3_E_INTERNAL);
        goto out;
    }
    rc = s3_reseal(s, &o, o.sse.dk, sarn.data, first, last, aad.data, blob, NULL, NULL, md5,
                   ck_alg != CHECKSUM_NONE ? &cks : NULL);
    if (ck_alg != CHECKSUM_NONE) {
        uint8_t dig[CHECKSUM_MAX_DIGEST];
        size_t dl;
        checksum_final(&cks, dig, &dl);
        checksum_b64(dig, dl, ckv);
    }
    if (rc != 0)
        goto out;
    rc = -1;
    if (store_part(s, blob, o.size ? last - first + 1 : 0, md5, ckv) != 0)
        goto out;
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "CopyPartResult", XML_NS_S3);
    {
        char hex[33], etag[40];
        codec_hex(md5, 16, hex);
        snprintf(etag, sizeof etag, "\"%s\"", hex);
        xml_elem(&out, "ETag", etag);
    }
    clock_iso8601(s->r->now, date);
    xml_elem(&out, "LastModified", date);
    if (ckv[0]) {
        char tag[32];
        snprintf(tag, sizeof tag, "Checksum%s", checksum_alg_name(ck_alg));
        xml_elem(&out, tag, ckv);
    }
    xml_close(&out, "CopyPartResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    rc = 0;
out:
    s3_object_clear(&o);
    buf_free(&sarn);
    buf_free(&aad);
    free(skey);
    return rc;
}

/* ---- completion ------------------------------------------------------------- */

typedef struct {
    long number;
    char blob_id[BLOB_ID_LEN + 1];
    uint64_t size;
    uint8_t md5[16];
    char checksum[64];
} part_t;

/* The parts the CompleteMultipartUpload body lists (ascending, each
 * uploaded with that ETag, all but the last at least S3_MIN_PART bytes)
 * into *out (caller frees), *n of them. 0 or -1 (error set). */
static int listed_parts(s3_req_t *s, const xml_node_t *doc, part_t **out, size_t *n)
{
    const xml_node_t *p;
    part_t *parts = calloc(xml_count(doc, "Part"), sizeof *parts);
    long prev = 0;
    size_t i;

    *out = parts;
    *n = 0;
    if (parts == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    for (p = xml_child(doc, "Part"); p; p = xml_next(p, "Part")) {
        const char *num = xml_text(xml_child(p, "PartNumber")), *etag = xml_text(xml_child(p, "ETag"));
        char *end, want[80];
        sqlite3_stmt *st;
        long pn = strtol(num, &end, 10);
        if (*end || pn < 1 || pn > S3_MAX_PARTS)
            return s3_fail(s, S3_E_PART_NUMBER);
        if (pn <= prev)
            return s3_error(s, 400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
        prev = pn;
        st = db_query(s->r->emu->db, "SELECT blob_id, size, etag, md5, checksum FROM s3_parts WHERE upload_id=?1 AND part_number=?2", "sl", s->upload_id, (long long)pn);
        if (st == NULL)
            return internal(s);
        if (db_row(st) != 1) {
            db_done(st);
            return s3_fail(s, S3_E_INVALID_PART);
        }
        str_copy(want, sizeof want, (const char *)sqlite3_column_text(st, 2));
        /* the ETag may come with or without quotes */
        if (strcmp(etag, want) != 0 && !(strlen(want) == strlen(etag) + 2 && !strncmp(want + 1, etag, strlen(etag)))) {
            db_done(st);
            return s3_fail(s, S3_E_INVALID_PART);
        }
        parts[*n].number = pn;
        str_copy(parts[*n].blob_id, sizeof parts[*n].blob_id, (const char *)sqlite3_column_text(st, 0));
        parts[*n].size = (uint64_t)sqlite3_column_int64(st, 1);
        memcpy(parts[*n].md5, sqlite3_column_blob(st, 3), 16);
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            str_copy(parts[*n].checksum, sizeof parts[*n].checksum, (const char *)sqlite3_column_text(st, 4));
        db_done(st);
        (*n)++;
    }
    for (i = 0; i + 1 < *n; i++)
        if (parts[i].size < S3_MIN_PART)
            return s3_error(s, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
    return 0;
}

/* The per-part checksums a Complete body lists (Checksum{ALG} in each
 * Part): each must be the one its part was uploaded with (InvalidPart);
 * with a composite checksum every part needs one (InvalidRequest, AWS's
 * text as floci#3093 records it against S3). 0 or -1 (error set). */
static int part_checksums(s3_req_t *s, const xml_node_t *doc, checksum_alg_t alg,
                          const char *type, const part_t *parts, size_t n)
{
    const xml_node_t *p;
    char tag[32], lower[16];
    size_t i = 0, k;

    if (alg == CHECKSUM_NONE)
        return 0;
    snprintf(tag, sizeof tag, "Checksum%s", checksum_alg_name(alg));
    for (k = 0; k < sizeof lower - 1 && checksum_alg_name(alg)[k]; k++)
        lower[k] = (char)tolower((unsigned char)checksum_alg_name(alg)[k]);
    lower[k] = '\0';
    for (p = xml_child(doc, "Part"); p && i < n; p = xml_next(p, "Part"), i++) {
        const xml_node_t *c = xml_child(p, tag);
        if (c == NULL && !strcmp(type, "COMPOSITE"))
            return s3_error(s, 400, "InvalidRequest",
                            "The upload was created using a %s checksum. The complete request "
                            "must include the checksum for each part. It was missing for part "
                            "%ld in the request.", lower, parts[i].number);
        if (c && strcmp(xml_text(c), parts[i].checksum) != 0)
            return s3_fail(s, S3_E_INVALID_PART);
    }
    return 0;
}

/* The object the parts make (u: the upload, alg its checksum algorithm):
 * its body is the parts' blobs, in order (nothing is rewritten), its size,
 * ETag (MD5 of the parts' MD5s, "-n") and checksum (FULL_OBJECT: the CRCs
 * combined; COMPOSITE: the checksum of the parts' checksums, "-n") into o.
 * 0 or -1 (error set). */
static int assemble(s3_req_t *s, const s3_object_t *u, checksum_alg_t alg, const part_t *parts,
                    size_t n, s3_object_t *o)
{
    checksum_t md5s, comp;
    cJSON *arr = NULL;
    uint64_t crc = 0;
    int crc_ok = alg == CHECKSUM_CRC32 || alg == CHECKSUM_CRC32C || alg == CHECKSUM_CRC64NVME;
    int have_comp = 0, rc = -1;
    uint8_t dig[CHECKSUM_MAX_DIGEST];
    size_t i, dl;
    char hex[33];

    memset(&md5s, 0, sizeof md5s);
    if (checksum_init(&md5s, CHECKSUM_MD5) != 0 || (arr = cJSON_CreateArray()) == NULL) {
        s3_fail(s, S3_E_INTERNAL);
        goto out;
    }
    if (alg != CHECKSUM_NONE && strcmp(u->checksum_type, "FULL_OBJECT") && checksum_init(&comp, alg) == 0)
        have_comp = 1;
    for (i = 0; i < n; i++) {
        buf_t aad;
        cJSON *e = cJSON_CreateObject();
        uint8_t raw[64];
        long rl = parts[i].checksum[0]
                      ? codec_b64_decode(parts[i].checksum, strlen(parts[i].checksum), raw)
                      : -1;
        checksum_update(&md5s, parts[i].md5, 16);
        if (have_comp && rl > 0)
            checksum_update(&comp, raw, (size_t)rl);
        if (crc_ok && rl == (long)checksum_len(alg)) {
            uint64_t v = 0;
            long k;
            for (k = 0; k < rl; k++)
                v = v << 8 | raw[k];
            crc = i == 0 ? v : checksum_crc_combine(alg, crc, v, parts[i].size);
        } else {
            crc_ok = 0;
        }
        buf_init(&aad, 0);
        part_aad(s->bucket, s->key, s->upload_id, parts[i].number, &aad);
        cJSON_AddStringToObject(e, "b", parts[i].blob_id);
        cJSON_AddNumberToObject(e, "n", (double)parts[i].size);
        cJSON_AddStringToObject(e, "a", aad.data);
        if (parts[i].checksum[0]) /* GetObjectAttributes lists it */
            cJSON_AddStringToObject(e, "c", parts[i].checksum);
        cJSON_AddItemToArray(arr, e);
        buf_free(&aad);
        o->size += parts[i].size;
    }
    if ((o->parts = cJSON_PrintUnformatted(arr)) == NULL) {
        s3_fail(s, S3_E_INTERNAL);
        goto out;
    }
    if (alg != CHECKSUM_NONE && !strcmp(u->checksum_type, "FULL_OBJECT") && crc_ok) {
        size_t k, len = checksum_len(alg);
        for (k = 0; k < len; k++)
            dig[k] = (uint8_t)(crc >> (8 * (len - 1 - k)));
        checksum_b64(dig, len, o->checksum);
        snprintf(o->checksum_type, sizeof o->checksum_type, "FULL_OBJECT");
        str_copy(o->checksum_alg, sizeof o->checksum_alg, checksum_alg_name(alg));
    }
    checksum_final(&md5s, dig, &dl);
    codec_hex(dig, 16, hex);
    snprintf(o->etag, sizeof o->etag, "\"%s-%zu\"", hex, n);
    if (have_comp) {
        char b64[64];
        checksum_final(&comp, dig, &dl);
        checksum_b64(dig, dl, b64);
        have_comp = 0;
        snprintf(o->checksum, sizeof o->checksum, "%.52s-%d", b64, (int)n);
        snprintf(o->checksum_type, sizeof o->checksum_type, "COMPOSITE");
        str_copy(o->checksum_alg, sizeof o->checksum_alg, checksum_alg_name(alg));
    }
    rc = 0;
out:
    cJSON_Delete(arr);
    if (have_comp)
        checksum_free(&comp);
    checksum_free(&md5s);
    return rc;
}

/* The blobs of parts uploaded but not listed (they go with the upload):
 * *out (caller frees each and the array), *nout of them. */
static void unlisted_parts(s3_req_t *s, const part_t *parts, size_t n, char ***out, size_t *nout)
{
    sqlite3_stmt *st = db_query(s->r->emu->db, "SELECT blob_id FROM s3_parts WHERE upload_id=?1",
                                "s", s->upload_id);
    size_t nu = 0, k;
    char **unl = NULL;

    *out = NULL;
    *nout = 0;
    if (st == NULL)
        return;
    while (db_row(st) == 1) {
        const char *b = (const char *)sqlite3_column_text(st, 0);
        int listed = 0;
        for (k = 0; k < n && !listed; k++)
            listed = !strcmp(parts[k].blob_id, b);
        if (!listed) {
            char **nu2 = realloc(unl, (nu + 1) * sizeof *unl);
            if (nu2) {
                unl = nu2;
                unl[nu++] = strdup(b);
            }
        }
    }
    db_done(st);
    *out = unl;
    *nout = nu;
}

int s3_op_complete_multipart_upload(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    xml_node_t *doc = NULL;
    part_t *parts = NULL;
    size_t n = 0, i;
    s3_object_t u, o;
    char ck[16], err[256];
    s3_old_body_t old;
    checksum_alg_t alg;
    int rc = -1;
    char **unlisted = NULL, *sig = NULL;
    size_t nunlisted = 0;

    memset(&o, 0, sizeof o);
    if (s3_require_bucket(s) || upload_id_param(s))
        return -1;
    doc = xml_parse(h->body.data ? h->body.data : "", h->body.len, NULL, err, sizeof err);
    if ((rc = load_upload(s, s->upload_id, &u, ck)) != 1) {
        /* completed already: the same parts get the same answer */
        sig = rc == 0 && doc ? s3_complete_parts_sig(doc) : NULL;
        rc = sig ? s3_complete_replay(s, sig) : 0;
        free(sig);
        xml_free(doc);
        if (rc < 0)
            return s3_fail(s, S3_E_INTERNAL);
        return rc == 1 ? 0 : -1; /* else NoSuchUpload, as load_upload set it */
    }
    rc = -1;
    /* the parts are already sealed: completing needs no data key (and so no
     * SSE-C customer key), only the upload's envelope */
    s3_sse_clear(&s->sse);
    s->sse = u.sse;
    memset(&u.sse, 0, sizeof u.sse);
    alg = ck[0] ? checksum_alg_parse(ck) : CHECKSUM_NONE;
    if (doc == NULL || strcmp(xml_name(doc), "CompleteMultipartUpload") != 0 ||
        xml_count(doc, "Part") == 0 || xml_count(doc, "Part") > S3_MAX_PARTS) {
        s3_fail(s, S3_E_MALFORMED_XML);
        goto out;
    }
    if (s3_write_preconditions(s) != 0 || listed_parts(s, doc, &parts, &n) != 0 ||
        part_checksums(s, doc, alg, u.checksum_type, parts, n) != 0 ||
        assemble(s, &u, alg, parts, n, &o) != 0 ||
        s3_complete_checksum_check(s, &o, alg, u.checksum_type) != 0 ||
        (sig = s3_complete_parts_sig(doc)) == NULL)
        goto out_o;
    o.last_modified = s->r->now;
    /* the lock asked for at creation, else the bucket's default as of now */
    if (s->versioning == S3_VERSIONING_ENABLED &&
        s3_lock_bucket(s, s->bucket, &s->lock_default, &s->lock_default_seconds) < 0) {
        internal(s);
        goto out_o;
    }
    s3_lock_for_new(s, &u.lock, o.last_modified, &o.lock);
    o.meta = u.meta;
    u.meta = NULL;
    o.tags = u.tags;
    u.tags = NULL;
    o.frame_size = FRAMES_DEFAULT_FRAME;
    o.sse = s->sse;
    s3_upload_class(s, s->upload_id, o.storage_class);
    unlisted_parts(s, parts, n, &unlisted, &nunlisted);
    if (db_begin(s->r->emu->db) != 0 || s3_object_store(s, s->bucket, s->key, &o, &old) != 0) {
        db_rollback(s->r->emu->db);
        internal(s);
        goto out_o;
    }
    {
        sqlite3_stmt *st;
        st = db_query(s->r->emu->db, "DELETE FROM s3_uploads WHERE upload_id=?1", "s", s->upload_id);
        if (st) {
            sqlite3_step(st);
            db_done(st);
        }
    }
    if (s3_complete_record(s, &o, sig) != 0) {
        db_rollback(s->r->emu->db);
        internal(s);
        goto out_o;
    }
    if (db_commit(s->r->emu->db) != 0) {
        internal(s);
        goto out_o;
    }
    s3_drop_body(s, &old);
    for (i = 0; i < nunlisted; i++)
        s3_drop_blob(s, unlisted[i]);
    {
        s3_event_obj_t ev = {s->key, o.size, o.etag, o.version_id};
        s3_notify(s, "s3:ObjectCreated:CompleteMultipartUpload", &ev);
    }
    s3_expiration_header(s, s->key, o.last_modified, (long long)o.size, o.tags);
    s3_send_completed(s, &o);
    rc = 0;
out_o:
    memset(&o.sse, 0, sizeof o.sse); /* shared with s->sse */
    s3_object_clear(&o);
out:
    for (i = 0; i < nunlisted; i++)
        free(unlisted[i]);
    free(unlisted);
    free(parts);
    free(sig);
    xml_free(doc);
    s3_object_clear(&u);
    return rc;
}

int s3_op_abort_multipart_upload(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    s3_object_t u;
    char ck[16];
    sqlite3_stmt *st;

    if (s3_require_bucket(s) || upload_id_param(s))
        return -1;
    db_reserve_use(s->r->emu->db); /* an abort must work on a full disk: it frees space */
    if (load_upload(s, s->upload_id, &u, ck) != 1)
        return -1;
    s3_object_clear(&u);
    st = db_query(s->r->emu->db, "SELECT blob_id FROM s3_parts WHERE upload_id=?1", "s",
                  s->upload_id);
    if (st) {
        size_t nb = 0, i;
        char **blobs = NULL;
        while (db_row(st) == 1) {
            char **nbl = realloc(blobs, (nb + 1) * sizeof *blobs);
            if (nbl == NULL)
                break;
            blobs = nbl;
            blobs[nb++] = strdup((const char *)sqlite3_column_text(st, 0));
        }
        db_done(st);
        st = db_query(s->r->emu->db, "DELETE FROM s3_uploads WHERE upload_id=?1", "s", s->upload_id);
        if (st) {
            sqlite3_step(st);
            db_done(st);
        }
        for (i = 0; i < nb; i++) {
            s3_drop_blob(s, blobs[i]);
            free(blobs[i]);
        }
        free(blobs);
    }
    s3_send_empty(s, 204);
    return 0;
}

int s3_op_list_parts(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    s3_object_t u;
    char ck[16], v[32], date[32];
    long max = 1000, marker = 0, count = 0, last = 0;
    int truncated = 0;
    sqlite3_stmt *st;
    buf_t out;

    if (s3_require_bucket(s) || upload_id_param(s))
        return -1;
    if (load_upload(s, s->upload_id, &u, ck) != 1)
        return -1;
    if (s3_query(s, "max-parts", v, sizeof v))
        max = strtol(v, NULL, 10) > 0 && strtol(v, NULL, 10) < 1000 ? strtol(v, NULL, 10) : 1000;
    if (s3_query(s, "part-number-marker", v, sizeof v))
        marker = strtol(v, NULL, 10);
    st = db_query(s->r->emu->db, "SELECT part_number, last_modified, etag, size, checksum FROM "
                                 "s3_parts WHERE upload_id=?1 AND part_number>?2 ORDER BY part_number",
                  "sl", s->upload_id, (long long)marker);
    if (st == NULL) {
        s3_object_clear(&u);
        return internal(s);
    }
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "ListPartsResult", XML_NS_S3);
    xml_elem(&out, "Bucket", s->bucket);
    xml_elem(&out, "Key", s->key);
    xml_elem(&out, "UploadId", s->upload_id);
    xml_elem_int(&out, "PartNumberMarker", marker);
    {
        buf_t partsx;
        buf_init(&partsx, 0);
        while (db_row(st) == 1) {
            if (count == max) {
                truncated = 1;
                break;
            }
            last = sqlite3_column_int(st, 0);
            xml_open(&partsx, "Part");
            xml_elem_int(&partsx, "PartNumber", last);
            clock_iso8601(sqlite3_column_double(st, 1), date);
            xml_elem(&partsx, "LastModified", date);
            xml_elem(&partsx, "ETag", (const char *)sqlite3_column_text(st, 2));
            xml_elem_int(&partsx, "Size", sqlite3_column_int64(st, 3));
            if (ck[0] && sqlite3_column_type(st, 4) != SQLITE_NULL) {
                char tag[32];
                snprintf(tag, sizeof tag, "Checksum%s", ck);
                xml_elem(&partsx, tag, (const char *)sqlite3_column_text(st, 4));
            }
            xml_close(&partsx, "Part");
            count++;
        }
        db_done(st);
        xml_elem_int(&out, "NextPartNumberMarker", last);
        xml_elem_int(&out, "MaxParts", max);
        xml_elem(&out, "IsTruncated", truncated ? "true" : "false");
        if (partsx.len)
            buf_add(&out, partsx.data, partsx.len);
        buf_free(&partsx);
    }
    xml_open(&out, "Initiator");
    xml_elem(&out, "ID", s->r->account);
    xml_elem(&out, "DisplayName", "awsemu");
    xml_close(&out, "Initiator");
    xml_open(&out, "Owner");
    xml_elem(&out, "ID", s->r->account);
    xml_elem(&out, "DisplayName", "awsemu");
    xml_close(&out, "Owner");
    {
        char cls[24];
        s3_upload_class(s, s->upload_id, cls);
        xml_elem(&out, "StorageClass", s3_storage_class(cls));
    }
    if (ck[0]) {
        xml_elem(&out, "ChecksumAlgorithm", ck);
        xml_elem(&out, "ChecksumType", u.checksum_type[0] ? u.checksum_type : "COMPOSITE");
    }
    xml_close(&out, "ListPartsResult");
    s3_object_clear(&u);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}
