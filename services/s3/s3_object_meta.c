/* s3_object_meta.c — what is about an object rather than its body: object
 * tagging, GetObjectAttributes, and the envelope inspector. */
#include "services/s3/s3_int.h"

#include "emulator/proto_query.h"

#include <event2/buffer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/buf.h"

#include "base/clock.h"
#include "base/codec.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "base/xml.h"

/* ---- tagging ---------------------------------------------------------------- */

static int load_existing(s3_req_t *s, s3_object_t *o)
{
    int rc;

    if (s3_require_bucket(s) != 0)
        return -1;
    rc = s3_object_load(s, s->bucket, s->key, o);
    if (rc < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (rc == 0)
        return s3_fail(s, S3_E_NO_SUCH_KEY);
    return 0;
}

static int set_tags(s3_req_t *s, const char *json)
{
    sqlite3_stmt *st;
    int rc;

    st = db_query(s->r->emu->db, "UPDATE s3_objects SET tags=?3 WHERE bucket=?1 AND key=?2", "sss", s->bucket, s->key, json);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? 0 : s3_fail(s, S3_E_INTERNAL);
}

int s3_op_put_object_tagging(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    s3_object_t o;
    char *text;
    int rc;

    if (load_existing(s, &o) != 0)
        return -1;
    s3_object_clear(&o);
    if ((text = s3_tags_from_xml(s, h->body.data, h->body.len)) == NULL)
        return -1;
    rc = set_tags(s, text);
    free(text);
    if (rc != 0)
        return -1;
    {
        s3_event_obj_t ev = {s->key, 0, NULL, NULL};
        s3_notify(s, "s3:ObjectTagging:Put", &ev);
    }
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_get_object_tagging(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    s3_object_t o;
    cJSON *tags, *e;
    buf_t out;

    if (load_existing(s, &o) != 0)
        return -1;
    tags = o.tags ? cJSON_Parse(o.tags) : NULL;
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "Tagging", XML_NS_S3);
    xml_open(&out, "TagSet");
    cJSON_ArrayForEach(e, tags) {
        xml_open(&out, "Tag");
        xml_elem(&out, "Key", e->string);
        xml_elem(&out, "Value", cJSON_IsString(e) ? e->valuestring : "");
        xml_close(&out, "Tag");
    }
    xml_close(&out, "TagSet");
    xml_close(&out, "Tagging");
    cJSON_Delete(tags);
    s3_object_clear(&o);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

int s3_op_delete_object_tagging(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    s3_object_t o;

    if (load_existing(s, &o) != 0)
        return -1;
    s3_object_clear(&o);
    if (set_tags(s, NULL) != 0)
        return -1;
    {
        s3_event_obj_t ev = {s->key, 0, NULL, NULL};
        s3_notify(s, "s3:ObjectTagging:Delete", &ev);
    }
    s3_send_empty(s, 204);
    return 0;
}

/* ---- GetObjectAttributes ----------------------------------------------------- */

int s3_op_get_object_attributes(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char want[512], date[64];
    s3_object_t o;
    buf_t out;
    buf_t arn;

    if (!s3_header(s, "x-amz-object-attributes", want, sizeof want))
        return s3_fail(s, S3_E_ATTRIBUTE_NAME);
    {
        static const char *const names[] = {"ETag", "Checksum", "ObjectParts", "StorageClass",
                                            "ObjectSize", NULL};
        char copy[512], *tok, *save = NULL;
        str_copy(copy, sizeof copy, want);
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            size_t i;
            int ok = 0;
            while (*tok == ' ')
                tok++;
            for (i = 0; names[i]; i++)
                ok |= !strcmp(tok, names[i]);
            if (!ok)
                return s3_fail(s, S3_E_ATTRIBUTE_NAME);
        }
    }
    if (load_existing(s, &o) != 0)
        return -1;
    buf_init(&arn, 0);
    s3_object_arn(s->bucket, s->key, &arn);
    if (!strcmp(o.sse.alg, "SSE-C") && s3_sse_open(s, &o.sse, arn.data, 1) != 0) {
        buf_free(&arn);
        s3_object_clear(&o);
        return -1;
    }
    buf_free(&arn);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "GetObjectAttributesResponse", XML_NS_S3);
    if (strstr(want, "ETag")) {
        char bare[80];
        snprintf(bare, sizeof bare, "%.*s", (int)strlen(o.etag) - 2, o.etag + 1);
        xml_elem(&out, "ETag", bare);
    }
    if (strstr(want, "Checksum"))
        s3_attributes_checksum(&out, &o);
    if (strstr(want, "ObjectParts")) {
        char v[32];
        long max = 1000, marker = 0;
        if (s3_header(s, "x-amz-max-parts", v, sizeof v))
            max = strtol(v, NULL, 10) > 0 && strtol(v, NULL, 10) < 1000 ? strtol(v, NULL, 10) : 1000;
        if (s3_header(s, "x-amz-part-number-marker", v, sizeof v))
            marker = strtol(v, NULL, 10) > 0 ? strtol(v, NULL, 10) : 0;
        s3_attributes_parts(&out, &o, max, marker);
    }
    if (strstr(want, "StorageClass"))
        xml_elem(&out, "StorageClass", s3_storage_class(o.storage_class));
    if (strstr(want, "ObjectSize"))
        xml_elem_int(&out, "ObjectSize", (long long)o.size);
    xml_close(&out, "GetObjectAttributesResponse");
    s3_http_date(o.last_modified, date, sizeof date);
    http_add_header(s->r->http, "Last-Modified", date);
    s3_object_clear(&o);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

/* ---- the envelope inspector --------------------------------------------------- */

static void inspect_error(svc_req_t *r, int status, const char *msg)
{
    cJSON *doc = cJSON_CreateObject();
    char *text;

    cJSON_AddStringToObject(doc, "error", msg);
    text = cJSON_PrintUnformatted(doc);
    if (text)
        http_respond(r->http, status, "application/json", text, strlen(text));
    else
        http_respond(r->http, 500, "text/plain", "out of memory\n", 14);
    free(text);
    cJSON_Delete(doc);
}

static void inspect_object(svc_req_t *r, const char *bucket, const char *key);

/* GET /_awsemu/inspect/s3/<bucket>/<key, percent-encoded>: rest is what
 * follows "s3/". */
void s3_inspect(svc_req_t *r, const char *rest)
{
    const char *slash = strchr(rest, '/');
    char bucket[64], *key;

    r->operation = "InspectObject";
    if (slash == NULL || slash == rest || (size_t)(slash - rest) >= sizeof bucket) {
        inspect_error(r, 400, "use /_awsemu/inspect/s3/<bucket>/<key>");
        return;
    }
    memcpy(bucket, rest, (size_t)(slash - rest));
    bucket[slash - rest] = '\0';
    key = malloc(strlen(slash + 1) + 1);
    if (key == NULL || proto_query_unescape(slash + 1, strlen(slash + 1), 0, key) < 0) {
        free(key);
        inspect_error(r, 400, "bad key encoding");
        return;
    }
    inspect_object(r, bucket, key);
    free(key);
}

static void inspect_object(svc_req_t *r, const char *bucket, const char *key)
{
    s3_req_t s;
    s3_object_t o;
    cJSON *doc;
    char *text, *b64;
    int64_t stored;
    int rc;

    memset(&s, 0, sizeof s);
    s.r = r;
    str_copy(s.bucket, sizeof s.bucket, bucket);
    rc = s3_object_load(&s, bucket, key, &o);
    doc = cJSON_CreateObject();
    if (rc != 1) {
        cJSON_AddStringToObject(doc, "error", "no such object");
        text = cJSON_PrintUnformatted(doc);
        http_respond(r->http, 404, "application/json", text, strlen(text));
        free(text);
        cJSON_Delete(doc);
        return;
    }
    {
        char (*ids)[BLOB_ID_LEN + 1] = malloc((S3_MAX_PARTS + 1) * sizeof *ids);
        size_t n = ids ? s3_object_blobs(o.blob_id, o.parts, ids, S3_MAX_PARTS + 1) : 0, i;
        stored = 0;
        for (i = 0; i < n; i++)
            stored += blob_size(r->emu->blobs, ids[i]);
        stored += (int64_t)o.body_len;
        cJSON_AddNumberToObject(doc, "blob_count", (double)n);
        /* where the sealed bytes are: the database row, one file, or parts' files */
        cJSON_AddStringToObject(doc, "stored_in",
                                o.body ? "inline" : o.parts ? "parts" : "blob");
        free(ids);
    }
    cJSON_AddStringToObject(doc, "bucket", bucket);
    cJSON_AddStringToObject(doc, "key", key);
    cJSON_AddStringToObject(doc, "algorithm", !strcmp(o.sse.alg, "SSE-C") ? "SSE-C" : o.sse.alg);
    cJSON_AddStringToObject(doc, "cipher", "AES-256-GCM, framed");
    if (o.sse.kms_key_arn[0])
        cJSON_AddStringToObject(doc, "kms_key_arn", o.sse.kms_key_arn);
    if (o.sse.context) {
        cJSON *c = cJSON_Parse(o.sse.context);
        if (c)
            cJSON_AddItemToObject(doc, "encryption_context", c);
    }
    cJSON_AddBoolToObject(doc, "bucket_key_enabled", o.sse.bucket_key);
    if (o.sse.wrapped && (b64 = malloc(codec_b64_enclen(o.sse.wlen) + 1)) != NULL) {
        codec_b64_encode(o.sse.wrapped, o.sse.wlen, b64);
        cJSON_AddStringToObject(doc, "wrapped_data_key", b64);
        cJSON_AddStringToObject(doc, "data_key_wrapped_by",
                                !strcmp(o.sse.alg, "AES256") ? "awsemu master key (SSE-S3)"
                                                             : "AWS KMS key");
        free(b64);
    }
    if (!strcmp(o.sse.alg, "SSE-C"))
        cJSON_AddStringToObject(doc, "customer_key", "not stored; only a salted HMAC-SHA256 of it");
    cJSON_AddNumberToObject(doc, "frame_size", o.frame_size);
    {
        /* each blob: full frames plus a final (possibly empty) one */
        double frames = 0;
        cJSON *parts = o.parts ? cJSON_Parse(o.parts) : NULL, *e;
        if (parts == NULL) {
            frames = (double)(o.size / o.frame_size + 1);
        } else {
            cJSON_ArrayForEach(e, parts) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "n");
                frames += (double)((uint64_t)(cJSON_IsNumber(n) ? n->valuedouble : 0) / o.frame_size + 1);
            }
            cJSON_Delete(parts);
        }
        cJSON_AddNumberToObject(doc, "frame_count", frames);
    }
    cJSON_AddNumberToObject(doc, "plaintext_bytes", (double)o.size);
    cJSON_AddNumberToObject(doc, "stored_bytes", (double)stored);
    if (o.blob_id[0])
        cJSON_AddStringToObject(doc, "blob_id", o.blob_id);
    text = cJSON_PrintUnformatted(doc);
    http_respond(r->http, 200, "application/json", text, strlen(text));
    free(text);
    cJSON_Delete(doc);
    s3_object_clear(&o);
}
