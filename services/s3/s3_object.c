/* s3_object.c — object records (load, store), request metadata, PutObject,
 * GetObject/HeadObject (streamed, ranged). DeleteObject(s) are in
 * s3_delete.c, CopyObject in s3_copy.c; object tagging, GetObjectAttributes and the envelope
 * inspector in s3_object_meta.c. */
#include "services/s3/s3_int.h"

#include <event2/buffer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "emulator/proto_query.h"
#include "base/utf8.h"
#include "base/xml.h"

/* ---- object records ------------------------------------------------------ */

#define OBJ_COLS S3_OBJ_COLS

static char *dup_text(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? NULL
               : strdup((const char *)sqlite3_column_text(st, col));
}

int s3_object_from_row(sqlite3_stmt *st, int c, s3_object_t *o)
{
    memset(o, 0, sizeof *o);
    str_copy(o->blob_id, sizeof o->blob_id, (const char *)sqlite3_column_text(st, c + 0));
    o->size = (uint64_t)sqlite3_column_int64(st, c + 1);
    str_copy(o->etag, sizeof o->etag, (const char *)sqlite3_column_text(st, c + 2));
    o->last_modified = sqlite3_column_double(st, c + 3);
    o->meta = dup_text(st, c + 4);
    str_copy(o->sse.alg, sizeof o->sse.alg, (const char *)sqlite3_column_text(st, c + 5));
    if (sqlite3_column_type(st, c + 6) != SQLITE_NULL)
        snprintf(o->sse.kms_key_arn, sizeof o->sse.kms_key_arn, "%s",
                 (const char *)sqlite3_column_text(st, c + 6));
    o->sse.bucket_key = sqlite3_column_int(st, c + 7);
    o->sse.context = dup_text(st, c + 8);
    if (sqlite3_column_type(st, c + 9) != SQLITE_NULL) {
        o->sse.wlen = (size_t)sqlite3_column_bytes(st, c + 9);
        o->sse.wrapped = malloc(o->sse.wlen + 1);
        if (o->sse.wrapped)
            memcpy(o->sse.wrapped, sqlite3_column_blob(st, c + 9), o->sse.wlen);
    }
    if (sqlite3_column_bytes(st, c + 10) == sizeof o->sse.salt)
        memcpy(o->sse.salt, sqlite3_column_blob(st, c + 10), sizeof o->sse.salt);
    if (sqlite3_column_bytes(st, c + 11) == sizeof o->sse.hmac)
        memcpy(o->sse.hmac, sqlite3_column_blob(st, c + 11), sizeof o->sse.hmac);
    o->frame_size = (uint32_t)sqlite3_column_int(st, c + 12);
    if (sqlite3_column_type(st, c + 13) != SQLITE_NULL)
        snprintf(o->checksum_alg, sizeof o->checksum_alg, "%s",
                 (const char *)sqlite3_column_text(st, c + 13));
    if (sqlite3_column_type(st, c + 14) != SQLITE_NULL)
        str_copy(o->checksum, sizeof o->checksum, (const char *)sqlite3_column_text(st, c + 14));
    if (sqlite3_column_type(st, c + 15) != SQLITE_NULL)
        snprintf(o->checksum_type, sizeof o->checksum_type, "%s",
                 (const char *)sqlite3_column_text(st, c + 15));
    o->parts = dup_text(st, c + 16);
    o->tags = dup_text(st, c + 17);
    if (sqlite3_column_type(st, c + 18) == SQLITE_BLOB && sqlite3_column_bytes(st, c + 18) > 0) {
        o->body_len = (size_t)sqlite3_column_bytes(st, c + 18);
        o->body = malloc(o->body_len);
        if (o->body == NULL) {
            s3_object_clear(o);
            return -1;
        }
        memcpy(o->body, sqlite3_column_blob(st, c + 18), o->body_len);
    }
    o->acl = dup_text(st, c + 19);
    if (sqlite3_column_type(st, c + 20) != SQLITE_NULL) {
        snprintf(o->lock.mode, sizeof o->lock.mode, "%s",
                 (const char *)sqlite3_column_text(st, c + 20));
        o->lock.until = sqlite3_column_double(st, c + 21);
    }
    if (sqlite3_column_type(st, c + 22) != SQLITE_NULL)
        o->lock.hold = sqlite3_column_int(st, c + 22) ? S3_HOLD_ON : S3_HOLD_OFF;
    if (sqlite3_column_type(st, c + 23) != SQLITE_NULL)
        snprintf(o->storage_class, sizeof o->storage_class, "%s",
                 (const char *)sqlite3_column_text(st, c + 23));
    o->restore_ready = sqlite3_column_double(st, c + 24);
    o->restore_until = sqlite3_column_double(st, c + 25);
    return 0;
}

int s3_object_load(s3_req_t *s, const char *bucket, const char *key, s3_object_t *o)
{
    sqlite3_stmt *st = db_query(s->r->emu->db, "SELECT " OBJ_COLS ", version_id FROM s3_objects "
                                               "WHERE bucket=?1 AND key=?2", "ss", bucket, key);
    int rc;

    memset(o, 0, sizeof *o);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_done(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    rc = s3_object_from_row(st, 0, o);
    if (rc == 0 && sqlite3_column_type(st, S3_OBJ_NCOLS) != SQLITE_NULL)
        snprintf(o->version_id, sizeof o->version_id, "%s",
                 (const char *)sqlite3_column_text(st, S3_OBJ_NCOLS));
    db_done(st);
    return rc == 0 ? 1 : -1;
}

void s3_object_clear(s3_object_t *o)
{
    free(o->meta);
    free(o->parts);
    free(o->tags);
    free(o->body);
    free(o->acl);
    s3_sse_clear(&o->sse);
    memset(o, 0, sizeof *o);
}

void s3_drop_body(s3_req_t *s, s3_old_body_t *old)
{
    char (*ids)[BLOB_ID_LEN + 1];
    size_t n, i, max = S3_MAX_PARTS + 1;

    if ((ids = malloc(max * sizeof *ids)) != NULL) {
        n = s3_object_blobs(old->blob_id, old->parts, ids, max);
        for (i = 0; i < n; i++)
            blob_delete(s->r->emu->blobs, ids[i]);
        free(ids);
    }
    free(old->parts);
    memset(old, 0, sizeof *old);
}

int s3_object_store(s3_req_t *s, const char *bucket, const char *key, s3_object_t *o,
                    s3_old_body_t *old)
{
    sqlite3_stmt *st;
    int rc, exists = 0, versioning = S3_VERSIONING_OFF, cur_null = 1;

    memset(old, 0, sizeof *old);
    o->version_id[0] = '\0';
    /* the bucket's versioning and the current row, in one look-up */
    st = db_query(s->r->emu->db, "SELECT b.versioning, o.blob_id, o.parts, o.version_id, "
                                "o.key IS NOT NULL FROM s3_buckets b LEFT JOIN s3_objects o ON "
                                "o.bucket=b.name AND o.key=?2 WHERE b.name=?1", "ss", bucket, key);
    if (st == NULL)
        return -1;
    if (db_row(st) == 1) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        versioning = v == NULL ? S3_VERSIONING_OFF
                     : !strcmp(v, "Enabled") ? S3_VERSIONING_ENABLED : S3_VERSIONING_SUSPENDED;
        exists = sqlite3_column_int(st, 4);
        if (exists) {
            str_copy(old->blob_id, sizeof old->blob_id, (const char *)sqlite3_column_text(st, 1));
            old->parts = dup_text(st, 2);
            cur_null = sqlite3_column_type(st, 3) == SQLITE_NULL;
        }
    }
    db_done(st);
    if (versioning == S3_VERSIONING_ENABLED)
        s3_version_new(o->version_id);
    if (exists && (versioning == S3_VERSIONING_ENABLED || !cur_null)) {
        /* the current version stays, noncurrent, with its body */
        free(old->parts);
        memset(old, 0, sizeof *old);
        if (s3_version_archive(s, bucket, key) != 0)
            return -1;
    }
    if (versioning == S3_VERSIONING_SUSPENDED && !(exists && cur_null)) {
        /* the new object is the null version: a noncurrent one goes */
        st = db_query(s->r->emu->db, "DELETE FROM s3_versions WHERE bucket=?1 AND key=?2 AND "
                                    "version_id='null' RETURNING blob_id, parts", "ss", bucket, key);
        if (st == NULL)
            return -1;
        if (db_row(st) == 1) {
            free(old->parts);
            str_copy(old->blob_id, sizeof old->blob_id, (const char *)sqlite3_column_text(st, 0));
            old->parts = dup_text(st, 1);
            while (db_row(st) == 1)
                ;
        }
        db_done(st);
    }
    /* an overwrite updates the row in place: the key index is left alone,
     * where INSERT OR REPLACE would delete and re-insert both */
    st = db_query(s->r->emu->db,
                 exists ? "UPDATE s3_objects SET blob_id=?3, size=?4, etag=?5, last_modified=?6, "
                          "meta=?7, sse=?8, kms_key_arn=?9, bucket_key=?10, context=?11, "
                          "wrapped_key=?12, ssec_salt=?13, ssec_hmac=?14, frame_size=?15, "
                          "checksum_alg=?16, checksum=?17, checksum_type=?18, parts=?19, tags=?20, "
                          "body=?21, acl=?22, version_id=?23, lock_mode=?24, lock_until=?25, "
                          "legal_hold=?26, storage_class=?27, restore_ready=NULL, "
                          "restore_until=NULL WHERE bucket=?1 AND key=?2"
                        : "INSERT INTO s3_objects (bucket, key, " OBJ_COLS ", version_id) VALUES "
                          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                          "?17, ?18, ?19, ?20, ?21, ?22, ?24, ?25, ?26, ?27, NULL, NULL, ?23)", "ssslsdss", bucket, key, o->blob_id, (long long)o->size, o->etag, o->last_modified, o->meta ? o->meta : "{}", o->sse.alg);
    if (st == NULL)
        return -1;
    if (o->sse.kms_key_arn[0])
        sqlite3_bind_text(st, 9, o->sse.kms_key_arn, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, o->sse.bucket_key);
    if (o->sse.context)
        sqlite3_bind_text(st, 11, o->sse.context, -1, SQLITE_STATIC);
    if (o->sse.wrapped)
        sqlite3_bind_blob(st, 12, o->sse.wrapped, (int)o->sse.wlen, SQLITE_STATIC);
    if (!strcmp(o->sse.alg, "SSE-C")) {
        sqlite3_bind_blob(st, 13, o->sse.salt, sizeof o->sse.salt, SQLITE_STATIC);
        sqlite3_bind_blob(st, 14, o->sse.hmac, sizeof o->sse.hmac, SQLITE_STATIC);
    }
    sqlite3_bind_int(st, 15, (int)o->frame_size);
    if (o->checksum_alg[0]) {
        sqlite3_bind_text(st, 16, o->checksum_alg, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 17, o->checksum, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 18, o->checksum_type[0] ? o->checksum_type : "FULL_OBJECT", -1,
                          SQLITE_STATIC);
    }
    if (o->parts)
        sqlite3_bind_text(st, 19, o->parts, -1, SQLITE_STATIC);
    if (o->tags)
        sqlite3_bind_text(st, 20, o->tags, -1, SQLITE_STATIC);
    if (o->body)
        sqlite3_bind_blob(st, 21, o->body, (int)o->body_len, SQLITE_STATIC);
    if (o->acl)
        sqlite3_bind_text(st, 22, o->acl, -1, SQLITE_STATIC);
    if (o->version_id[0])
        sqlite3_bind_text(st, 23, o->version_id, -1, SQLITE_STATIC);
    if (o->lock.mode[0]) {
        sqlite3_bind_text(st, 24, o->lock.mode, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 25, o->lock.until);
    }
    if (o->lock.hold != S3_HOLD_NONE)
        sqlite3_bind_int(st, 26, o->lock.hold == S3_HOLD_ON);
    if (o->storage_class[0])
        sqlite3_bind_text(st, 27, o->storage_class, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE) {
        free(old->parts);
        memset(old, 0, sizeof *old);
        return -1;
    }
    return 0;
}

/* ---- metadata ------------------------------------------------------------- */

static const char *const content_headers[] = {"Content-Type", "Content-Encoding",
                                              "Content-Disposition", "Content-Language",
                                              "Cache-Control", "Expires",
                                              "x-amz-website-redirect-location", NULL};

/* A stored header's value as UTF-8 text (caller frees), as S3 keeps it:
 * an RFC 2047 encoded-word ("=?UTF-8?B?...?=", "=?UTF-8?Q?...?=") decoded
 * first, as S3 documents for user metadata; bytes that are not UTF-8 read
 * as ISO-8859-1 (what HTTP/1.1 header bytes are). Never stores bytes a
 * JSON or XML reader would choke on. NULL when out of memory. */
static char *header_text(const char *v, size_t n)
{
    char *out = NULL;
    size_t i, o = 0;

    if (n > 12 && v[0] == '=' && v[1] == '?' && v[n - 2] == '?' && v[n - 1] == '=') {
        /* =?charset?enc?data?= with charset UTF-8 (any case) */
        const char *cs = v + 2, *q1 = memchr(cs, '?', n - 4);
        if (q1 && (size_t)(q1 - cs) == 5 && !strncasecmp(cs, "UTF-8", 5) && q1 + 3 < v + n - 2 &&
            q1[2] == '?') {
            const char *data = q1 + 3;
            size_t dn = (size_t)(v + n - 2 - data);
            char enc = (char)(q1[1] | 0x20);
            out = malloc(dn + 4);
            if (out == NULL)
                return NULL;
            if (enc == 'b') {
                long r = codec_b64_decode(data, dn, (uint8_t *)out);
                o = r < 0 ? (size_t)-1 : (size_t)r;
            } else if (enc == 'q') {
                for (i = 0; i < dn; i++) {
                    if (data[i] == '_') {
                        out[o++] = ' ';
                    } else if (data[i] == '=' && i + 2 < dn && codec_hexval(data[i + 1]) >= 0 &&
                               codec_hexval(data[i + 2]) >= 0) {
                        out[o++] = (char)(codec_hexval(data[i + 1]) * 16 + codec_hexval(data[i + 2]));
                        i += 2;
                    } else {
                        out[o++] = data[i];
                    }
                }
            } else {
                o = (size_t)-1;
            }
            if (o != (size_t)-1 && utf8_valid(out, o) && memchr(out, '\0', o) == NULL) {
                out[o] = '\0';
                return out;
            }
            free(out);
            out = NULL;
            o = 0;
        }
    }
    if (utf8_valid(v, n))
        return strndup(v, n);
    if ((out = malloc(2 * n + 1)) == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x80) {
            out[o++] = (char)c;
        } else {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
    return out;
}

/* Adds a stored header to the response: a value with characters beyond
 * US-ASCII goes out RFC 2047-encoded ("=?UTF-8?B?...?="), as S3 returns
 * user metadata, so no client has to guess a header's charset. */
static void add_text_header(http_req_t *h, const char *name, const char *value)
{
    const unsigned char *p;
    char *b64;
    size_t n = strlen(value);

    for (p = (const unsigned char *)value; *p && *p < 0x80; p++)
        ;
    if (*p == '\0') {
        http_add_header(h, name, value);
        return;
    }
    b64 = malloc(codec_b64_enclen(n) + 16);
    if (b64 == NULL)
        return;
    memcpy(b64, "=?UTF-8?B?", 10);
    codec_b64_encode((const uint8_t *)value, n, b64 + 10);
    strcat(b64, "?=");
    http_add_header(h, name, b64);
    free(b64);
}

/* The object's stored headers from the request: content headers and
 * x-amz-meta-*. Returns JSON text (caller frees) or NULL (error set). */
char *s3_request_meta(s3_req_t *s)
{
    http_req_t *h = s->r->http;
    cJSON *m = cJSON_CreateObject();
    size_t i, user = 0;
    char *text;

    for (i = 0; content_headers[i]; i++) {
        char v[2048], *t;
        size_t vn;
        const char *raw = http_header(h, content_headers[i], &vn);
        if (raw == NULL)
            continue;
        if ((t = header_text(raw, vn < sizeof v ? vn : sizeof v - 1)) == NULL)
            continue;
        str_copy(v, sizeof v, t);
        free(t);
        if (!strcmp(content_headers[i], "Content-Encoding")) {
            /* aws-chunked is transport framing, not the object's encoding */
            char out[2048] = "", *tok, *save = NULL;
            for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                while (*tok == ' ')
                    tok++;
                if (!strcasecmp(tok, "aws-chunked") || !*tok)
                    continue;
                snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", out[0] ? "," : "", tok);
            }
            if (!out[0])
                continue;
            str_copy(v, sizeof v, out);
        }
        cJSON_AddStringToObject(m, content_headers[i], v);
    }
    if (!cJSON_GetObjectItemCaseSensitive(m, "Content-Type"))
        cJSON_AddStringToObject(m, "Content-Type", "binary/octet-stream");
    for (i = 0; i < h->head.nheaders; i++) {
        const http_header_t *hd = &h->head.headers[i];
        char name[300], *p;
        if (hd->name_len <= 11 || hd->name_len >= sizeof name || strncasecmp(hd->name, "x-amz-meta-", 11))
            continue;
        memcpy(name, hd->name, hd->name_len);
        name[hd->name_len] = '\0';
        for (p = name; *p; p++)
            *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        user += hd->name_len - 11 + hd->value_len;
        {
            char *v = header_text(hd->value, hd->value_len);
            if (v)
                cJSON_AddStringToObject(m, name, v);
            free(v);
        }
    }
    if (user > 2048) {
        cJSON_Delete(m);
        s3_error(s, 400, "MetadataTooLarge",
                 "Your metadata headers exceed the maximum allowed metadata size.");
        return NULL;
    }
    text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    return text;
}

/* Tags from an x-amz-tagging header ("k=v&k2=v2") or POST Object's
 * tagging field as a JSON object text; NULL when absent; -1 in *bad on
 * error. */
char *s3_request_tags(s3_req_t *s, int *bad)
{
    char hdr[4096];
    cJSON *t;
    char *text, *p, *save = NULL;
    int n = 0;

    *bad = 0;
    if (s->form_tags) /* POST Object's tagging field, checked (s3_post.c) */
        return strdup(s->form_tags);
    if (!s3_header(s, "x-amz-tagging", hdr, sizeof hdr))
        return NULL;
    t = cJSON_CreateObject();
    for (p = strtok_r(hdr, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(p, '='), k[300], v[600];
        if (eq)
            *eq = '\0';
        /* a key or value that is not text (NUL, invalid UTF-8, too long)
         * is an invalid tag, as a TagSet's would be */
        if (strlen(p) >= sizeof k || proto_query_unescape_text(p, strlen(p), 1, k) < 0) {
            s3_fail(s, S3_E_TAG_KEY);
            *bad = 3;
            break;
        }
        if (eq && (strlen(eq + 1) >= sizeof v ||
                   proto_query_unescape_text(eq + 1, strlen(eq + 1), 1, v) < 0)) {
            s3_fail(s, S3_E_TAG_VALUE);
            *bad = 3;
            break;
        }
        if (!eq)
            v[0] = '\0';
        if (++n > 10) {
            *bad = 2;
            break;
        }
        if (k[0] == '\0' || cJSON_GetObjectItemCaseSensitive(t, k)) {
            *bad = 1;
            break;
        }
        if (s3_tag_check(s, t, k, v) != 0) {
            *bad = 3;
            break;
        }
        cJSON_AddStringToObject(t, k, v);
    }
    if (*bad) {
        cJSON_Delete(t);
        if (*bad == 1)
            s3_error(s, 400, "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as "
                     "UTF-8 then URLEncoded URL query parameters without tag name duplicates.");
        else if (*bad == 2)
            s3_error(s, 400, "BadRequest", "Object tags cannot be greater than 10");
        *bad = 1;
        return NULL;
    }
    text = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    return text;
}

void s3_http_date(double t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* An ETag: the MD5 for SSE-S3 single-part bodies, else an opaque value. */
void s3_make_etag(const s3_sse_t *sse, const uint8_t md5[16], char etag[80])
{
    char hex[65];
    uint8_t rnd[16];

    if (!strcmp(sse->alg, "AES256")) {
        codec_hex(md5, 16, hex);
    } else {
        codec_random(rnd, sizeof rnd);
        codec_hex(rnd, sizeof rnd, hex);
    }
    str_join(etag, 80, "\"", hex, "\"", (char *)NULL);
}

/* ---- PutObject ------------------------------------------------------------- */

int s3_upload_head(s3_req_t *s)
{
    buf_t aad;
    int rc;

    if (s3_require_bucket(s) != 0)
        return -1;
    if (s3_write_preconditions(s) != 0 || s3_storage_class_request(s, s->storage_class) != 0 ||
        s3_lock_request(s, 1) != 0 ||
        s3_sse_prepare(s, s->bucket, s->key) != 0)
        return -1;
    buf_init(&aad, 0);
    s3_object_arn(s->bucket, s->key, &aad);
    rc = s3_upload_begin(s, aad.data, 0);
    buf_free(&aad);
    return rc;
}

/* Deletes a blob the database no longer references (after the commit). */
void s3_drop_blob(s3_req_t *s, const char *blob_id)
{
    if (blob_id && blob_id[0])
        blob_delete(s->r->emu->blobs, blob_id);
}

int s3_op_put_object(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    s3_object_t o;
    uint8_t md5[16];
    char checksum[64];
    s3_old_body_t old;
    int bad = 0, rc = -1;

    memset(&o, 0, sizeof o);
    if (s->up == NULL)
        return s3_error(s, 500, "InternalError", "The upload was not prepared.");
    if ((o.meta = s3_request_meta(s)) == NULL)
        return -1;
    o.tags = s3_request_tags(s, &bad);
    if (bad) {
        free(o.meta);
        return -1;
    }
    if (s3_acl_from_headers(s, 0, &o.acl) != 0) {
        free(o.meta);
        free(o.tags);
        return -1;
    }
    if (s3_upload_finish(s, o.blob_id, &o.body, &o.body_len, md5, checksum) != 0)
        goto out;
    o.size = s->up->size;
    o.last_modified = s->r->now;
    o.frame_size = FRAMES_DEFAULT_FRAME;
    o.sse = s->sse;
    memcpy(o.storage_class, s->storage_class, sizeof o.storage_class);
    s3_lock_for_new(s, &s->lock, o.last_modified, &o.lock);
    s3_make_etag(&o.sse, md5, o.etag);
    if (checksum[0]) {
        str_copy(o.checksum_alg, sizeof o.checksum_alg, checksum_alg_name(s->up->ck_alg));
        str_copy(o.checksum, sizeof o.checksum, checksum);
        snprintf(o.checksum_type, sizeof o.checksum_type, "FULL_OBJECT");
    }
    if (db_begin(s->r->emu->db) != 0 || s3_object_store(s, s->bucket, s->key, &o, &old) != 0 ||
        db_commit(s->r->emu->db) != 0) {
        db_rollback(s->r->emu->db);
        s3_drop_blob(s, o.blob_id);
        s3_fail(s, S3_E_INTERNAL);
        goto out;
    }
    s3_drop_body(s, &old);
    http_add_header(s->r->http, "ETag", o.etag);
    if (o.version_id[0])
        http_add_header(s->r->http, "x-amz-version-id", o.version_id);
    s3_expiration_header(s, s->key, o.last_modified, (long long)o.size, o.tags);
    {
        s3_event_obj_t ev = {s->key, o.size, o.etag, o.version_id};
        /* a browser-form POST upload is a Post event */
        s3_notify(s, s->respond ? "s3:ObjectCreated:Post" : "s3:ObjectCreated:Put", &ev);
    }
    s3_sse_headers(s, &o.sse);
    if (checksum[0])
        http_add_header(s->r->http, checksum_header_name(s->up->ck_alg), checksum);
    if (s->respond)
        s->respond(s, &o); /* POST Object's answer (s3_post.c) */
    else
        s3_send_empty(s, 200);
    rc = 0;
out:
    /* the sse fields were shared with s->sse, which s3_req_free clears */
    memset(&o.sse, 0, sizeof o.sse);
    s3_object_clear(&o);
    return rc;
}

/* ---- GetObject / HeadObject -------------------------------------------------- */

static void stream_free(void *arg)
{
    s3_body_close(arg);
}

static int stream_pull(void *arg, struct evbuffer *out, size_t want)
{
    s3_body_t *b = arg;
    size_t added = 0;

    while (added < want) {
        const uint8_t *p;
        size_t n;
        int rc = s3_body_view(b, &p, &n);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 1;
        if (evbuffer_add(out, p, n) != 0)
            return -1;
        added += n;
    }
    return s3_body_remaining(b) == 0 ? 1 : 0;
}

/* Parses "bytes=a-b", "bytes=a-", "bytes=-n" for a body of size bytes.
 * Returns 1 with [first, last], 0 to serve the whole body (absent or not a
 * single byte range), -1 when unsatisfiable. */
static int parse_range(const char *v, uint64_t size, uint64_t *first, uint64_t *last)
{
    unsigned long long a = 0, b = 0;
    const char *p;
    char *end;

    if (strncmp(v, "bytes=", 6) != 0 || strchr(v, ','))
        return 0;
    p = v + 6;
    if (*p == '-') {
        b = strtoull(p + 1, &end, 10);
        if (end == p + 1 || *end)
            return 0;
        if (b == 0 || size == 0)
            return -1;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return 1;
    }
    a = strtoull(p, &end, 10);
    if (end == p || *end != '-')
        return 0;
    p = end + 1;
    if (*p == '\0') {
        b = size ? size - 1 : 0;
    } else {
        b = strtoull(p, &end, 10);
        if (*end || b < a)
            return 0;
    }
    if (a >= size)
        return -1;
    *first = a;
    *last = b >= size ? size - 1 : b;
    return 1;
}

/* If-Match / If-None-Match / If-(Un)Modified-Since: 0 to serve, or the
 * status (304 / 412) already recorded. */
int s3_preconditions(s3_req_t *s, const s3_object_t *o, int *status, const char *pfx)
{
    char v[256], name[64];
    int have_match, have_none;
    time_t since;
    struct tm tm;

#define H(n) (snprintf(name, sizeof name, "%s%s", pfx, n), name)
    *status = 0;
    have_match = s3_header(s, H("If-Match"), v, sizeof v);
    if (have_match && strcmp(v, "*") && !strstr(v, o->etag)) {
        char bare[80];
        snprintf(bare, sizeof bare, "%.*s", (int)strlen(o->etag) - 2, o->etag + 1);
        if (!strstr(v, bare)) {
            *status = 412;
            return s3_precondition_failed(s, name);
        }
    }
    if (!have_match && s3_header(s, H("If-Unmodified-Since"), v, sizeof v)) {
        memset(&tm, 0, sizeof tm);
        if (strptime(v, "%a, %d %b %Y %H:%M:%S", &tm) && (since = timegm(&tm)) > 0 &&
            (time_t)o->last_modified > since) {
            *status = 412;
            return s3_precondition_failed(s, name);
        }
    }
    have_none = s3_header(s, H("If-None-Match"), v, sizeof v);
    if (have_none) {
        char bare[80];
        snprintf(bare, sizeof bare, "%.*s", (int)strlen(o->etag) - 2, o->etag + 1);
        if (!strcmp(v, "*") || strstr(v, bare)) {
            *status = 304;
            return -1;
        }
    }
    if (!have_none && s3_header(s, H("If-Modified-Since"), v, sizeof v)) {
        memset(&tm, 0, sizeof tm);
        if (strptime(v, "%a, %d %b %Y %H:%M:%S", &tm) && (since = timegm(&tm)) > 0 &&
            (time_t)o->last_modified <= since) {
            *status = 304;
            return -1;
        }
    }
#undef H
    return 0;
}

/* The byte range of part number pn of o ([first, last]); -1 if none. */
static int part_range(const s3_object_t *o, long pn, uint64_t *first, uint64_t *last, int *count)
{
    cJSON *parts = o->parts ? cJSON_Parse(o->parts) : NULL, *e;
    uint64_t off = 0;
    long i = 0;
    int rc = -1;

    *count = parts ? cJSON_GetArraySize(parts) : 1;
    if (parts == NULL) {
        if (pn == 1 && o->size > 0) {
            *first = 0;
            *last = o->size - 1;
            return 0;
        }
        return -1;
    }
    cJSON_ArrayForEach(e, parts) {
        const cJSON *nj = cJSON_GetObjectItemCaseSensitive(e, "n");
        uint64_t n = cJSON_IsNumber(nj) ? (uint64_t)nj->valuedouble : 0;
        if (++i == pn && n > 0) {
            *first = off;
            *last = off + n - 1;
            rc = 0;
        }
        off += n;
    }
    cJSON_Delete(parts);
    return rc;
}

/* Adds the object's stored headers (with response-* overrides). */
static void object_headers(s3_req_t *s, const s3_object_t *o)
{
    static const struct {
        const char *header, *param;
    } overrides[] = {
        {"Content-Type", "response-content-type"},
        {"Content-Language", "response-content-language"},
        {"Expires", "response-expires"},
        {"Cache-Control", "response-cache-control"},
        {"Content-Disposition", "response-content-disposition"},
        {"Content-Encoding", "response-content-encoding"},
    };
    http_req_t *h = s->r->http;
    cJSON *m = o->meta ? cJSON_Parse(o->meta) : NULL, *e;
    char date[64];
    size_t i;

    cJSON_ArrayForEach(e, m) {
        char ov[1024];
        int overridden = 0;
        for (i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
            if (!strcmp(e->string, overrides[i].header) && s3_query(s, overrides[i].param, ov, sizeof ov))
                overridden = 1;
        if (!overridden && cJSON_IsString(e) && strcmp(e->string, "Content-Type") != 0)
            add_text_header(h, e->string, e->valuestring);
    }
    for (i = 0; i < sizeof overrides / sizeof overrides[0]; i++) {
        char ov[1024];
        if (s3_query(s, overrides[i].param, ov, sizeof ov) && strcmp(overrides[i].header, "Content-Type") != 0)
            http_add_header(h, overrides[i].header, ov);
    }
    cJSON_Delete(m);
    s3_http_date(o->last_modified, date, sizeof date);
    http_add_header(h, "Last-Modified", date);
    http_add_header(h, "ETag", o->etag);
    http_add_header(h, "Accept-Ranges", "bytes");
    if (o->tags) {
        cJSON *t = cJSON_Parse(o->tags);
        char n[16];
        snprintf(n, sizeof n, "%d", t ? cJSON_GetArraySize(t) : 0);
        if (t && cJSON_GetArraySize(t) > 0)
            http_add_header(h, "x-amz-tagging-count", n);
        cJSON_Delete(t);
    }
}

/* The Content-Type to answer with (a response-content-type override wins). */
static char *content_type(s3_req_t *s, const s3_object_t *o)
{
    char ov[1024];
    cJSON *m;
    const cJSON *ct;
    char *v;

    if (s3_query(s, "response-content-type", ov, sizeof ov))
        return strdup(ov);
    m = o->meta ? cJSON_Parse(o->meta) : NULL;
    ct = m ? cJSON_GetObjectItemCaseSensitive(m, "Content-Type") : NULL;
    v = strdup(cJSON_IsString(ct) ? ct->valuestring : "binary/octet-stream");
    cJSON_Delete(m);
    return v;
}

/* GetObject's answer when the version asked for is a delete marker (rc 2,
 * o filled) or there is no object (rc 0): 405 for a marker, NoSuchVersion,
 * AccessDenied for the anonymous caller without s3:ListBucket, or
 * NoSuchKey (naming the latest delete marker). Returns -1 (error set). */
static int not_an_object(s3_req_t *s, int rc, const char *vid, s3_object_t *o)
{
    http_req_t *h = s->r->http;
    char marker[S3_VERSION_ID_LEN + 1];
    double lm;

    if (rc == 2) {
        /* a delete marker asked for by its version id */
        char date[64];
        s3_http_date(o->last_modified, date, sizeof date);
        http_add_header(h, "x-amz-delete-marker", "true");
        http_add_header(h, "x-amz-version-id", vid);
        http_add_header(h, "Last-Modified", date);
        http_add_header(h, "Allow", "DELETE");
        s3_object_clear(o);
        s->err_marker = 1;
        return s3_fail(s, S3_E_METHOD_NOT_ALLOWED);
    }
    if (vid[0])
        return s3_fail(s, S3_E_NO_SUCH_VERSION);
    /* without s3:ListBucket a missing key is not told apart from a
     * forbidden one (AWS answers every caller so; here the anonymous) */
    if (s->r->caller.kind == PRINCIPAL_ANONYMOUS && !s3_may_list(s, s->bucket)) {
        strncat(s->r->authz_note, "; no such key, and s3:ListBucket is not allowed",
                sizeof s->r->authz_note - strlen(s->r->authz_note) - 1);
        return s3_fail(s, S3_E_ACCESS_DENIED);
    }
    if (s->versioning && s3_latest_marker(s, s->bucket, s->key, marker, &lm) == 1) {
        http_add_header(h, "x-amz-delete-marker", "true");
        http_add_header(h, "x-amz-version-id", marker);
    }
    return s3_fail(s, S3_E_NO_SUCH_KEY);
}

/* The bytes a GET serves of o: partNumber's part, the Range, or all
 * ([*first, *last]; *pn and *parts_count for a part). Returns the status
 * (200, 206), or -1 with the error set (416 with Content-Range). */
static int served_range(s3_req_t *s, const s3_object_t *o, uint64_t *first, uint64_t *last,
                        long *pn, int *parts_count)
{
    char v[256], part[16];

    *first = *last = 0;
    if (s3_query(s, "partNumber", part, sizeof part)) {
        if (s3_part_number_param(s, pn) != 0)
            return -1;
        if (part_range(o, *pn, first, last, parts_count) != 0)
            return s3_error(s, 416, "InvalidPartNumber", "The requested partnumber is not satisfiable");
        return 206;
    }
    if (s3_header(s, "Range", v, sizeof v)) {
        int pr = parse_range(v, o->size, first, last);
        if (pr < 0) {
            char cr[64];
            snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)o->size);
            http_add_header(s->r->http, "Content-Range", cr);
            return s3_error(s, 416, "InvalidRange", "The requested range is not satisfiable");
        }
        if (pr)
            return 206;
    }
    if (o->size) {
        *first = 0;
        *last = o->size - 1;
    }
    return 200;
}

int s3_op_get_object(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    int head = !strcmp(h->method, "HEAD"), status = 0, parts_count = 0, rc;
    uint64_t first = 0, last = 0, len;
    char v[256], *ctype = NULL;
    long pn = 0;
    char vid[S3_VERSION_ID_LEN + 1];
    s3_object_t o;
    buf_t arn;
    s3_body_t *body = NULL;

    if (s3_require_bucket(s) != 0)
        return -1;
    rc = s3_version_param(s, vid);
    if (rc < 0)
        return -1;
    rc = rc ? s3_version_load(s, s->bucket, s->key, vid, &o) : s3_object_load(s, s->bucket, s->key, &o);
    if (rc < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (rc == 0 || rc == 2)
        return not_an_object(s, rc, vid, &o);
    /* SSE-KMS objects: HEAD as well as GET */
    if (!strncmp(o.sse.alg, "aws:kms", 7) && s3_kms_allowed(s) != 0) {
        s3_object_clear(&o);
        return -1;
    }
    if (s->versioning)
        http_add_header(h, "x-amz-version-id", o.version_id[0] ? o.version_id : "null");
    buf_init(&arn, 0);
    s3_object_arn(s->bucket, s->key, &arn);
    rc = -1;
    if (s3_preconditions(s, &o, &status, "") != 0) {
        if (status == 304) {
            object_headers(s, &o);
            http_respond(h, 304, NULL, NULL, 0);
            rc = 0;
        }
        goto out;
    }
    if (strcmp(o.sse.alg, "SSE-C") != 0 &&
        http_header(h, "x-amz-server-side-encryption-customer-algorithm", NULL)) {
        s3_error(s, 400, "InvalidRequest",
                 "The encryption parameters are not applicable to this object.");
        goto out;
    }
    /* SSE-C needs the customer's key for HEAD too; the others decrypt only for GET */
    if ((!strcmp(o.sse.alg, "SSE-C") || !head) && s3_sse_open(s, &o.sse, arn.data, 1) != 0)
        goto out;
    /* an archived object's bytes: only once restored (HEAD always) */
    if (!head && s3_archive_check(s, &o) != 0)
        goto out;
    if ((status = served_range(s, &o, &first, &last, &pn, &parts_count)) < 0)
        goto out;
    len = o.size == 0 ? 0 : last - first + 1;
    object_headers(s, &o);
    s3_storage_headers(s, &o);
    if (!vid[0]) /* the current version's; noncurrent ones are not told */
        s3_expiration_header(s, s->key, o.last_modified, (long long)o.size, o.tags);
    s3_lock_headers(s, &o);
    s3_sse_headers(s, &o.sse);
    if (status == 206) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)first,
                 (unsigned long long)last, (unsigned long long)o.size);
        http_add_header(h, "Content-Range", cr);
    }
    if (pn) {
        char n[16];
        snprintf(n, sizeof n, "%d", parts_count);
        http_add_header(h, "x-amz-mp-parts-count", n);
    }
    if (o.checksum_alg[0] && s3_header(s, "x-amz-checksum-mode", v, sizeof v) &&
        !strcasecmp(v, "ENABLED") && status == 200) {
        http_add_header(h, checksum_header_name(checksum_alg_parse(o.checksum_alg)), o.checksum);
        http_add_header(h, "x-amz-checksum-type", o.checksum_type[0] ? o.checksum_type : "FULL_OBJECT");
    }
    http_add_header(h, "x-amz-request-id", s->r->request_id);
    ctype = content_type(s, &o);
    if (head || len == 0) {
        http_respond_stream(h, status, ctype, len, NULL, NULL, NULL);
        rc = 0;
        goto out;
    }
    if (s3_body_open(s, &o, o.sse.dk, arn.data, first, last, &body) != 0) {
        s3_error(s, 500, "InternalError", "The object's stored body cannot be read.");
        goto out;
    }
    http_respond_stream(h, status, ctype, len, stream_pull, body, stream_free);
    rc = 0;
out:
    free(ctype);
    buf_free(&arn);
    s3_object_clear(&o);
    return rc;
}
