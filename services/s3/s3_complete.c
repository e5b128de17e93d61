/* s3_complete.c — CompleteMultipartUpload's answer, and its replay: a
 * completion is recorded (s3_completed) with the parts it listed, and the
 * same request made again gets the same answer, as on AWS (adobe/S3Mock#2586
 * and minio#13318 show S3 answering a repeated Complete with 200; moto#9209:
 * the repeat succeeds even with If-None-Match: *). Also the partNumber
 * parameter's check. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xml.h"
#include "emulator/http.h"
#include "storage/db.h"

/* How long a completion can be replayed, seconds on the emulator clock. */
#define REPLAY_WINDOW 86400.0

int s3_part_number_param(s3_req_t *s, long *out)
{
    char v[32], *end;

    if (!s3_query(s, "partNumber", v, sizeof v))
        return s3_error_arg(s, 400, "InvalidArgument", "partNumber", "",
                            "%s", s3_err_msg(S3_E_PART_NUMBER));
    *out = strtol(v, &end, 10);
    if (v[0] == '\0' || *end || *out < 1 || *out > S3_MAX_PARTS)
        return s3_error_arg(s, 400, "InvalidArgument", "partNumber", v,
                            "%s", s3_err_msg(S3_E_PART_NUMBER));
    return 0;
}

char *s3_complete_parts_sig(const xml_node_t *doc)
{
    const xml_node_t *p;
    buf_t b;

    buf_init(&b, 0);
    for (p = xml_child(doc, "Part"); p; p = xml_next(p, "Part")) {
        const char *etag = xml_text(xml_child(p, "ETag"));
        size_t n = strlen(etag);
        /* the ETag with or without its quotes */
        if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"')
            buf_printf(&b, "%s:%.*s,", xml_text(xml_child(p, "PartNumber")), (int)n - 2, etag + 1);
        else
            buf_printf(&b, "%s:%s,", xml_text(xml_child(p, "PartNumber")), etag);
    }
    return b.data ? b.data : strdup(""); /* the buffer's memory, caller frees */
}

void s3_send_completed(s3_req_t *s, const s3_object_t *o)
{
    buf_t out, loc;

    if (o->version_id[0])
        http_add_header(s->r->http, "x-amz-version-id", o->version_id);
    s3_sse_headers(s, &o->sse);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "CompleteMultipartUploadResult", XML_NS_S3);
    buf_init(&loc, 0);
    buf_printf(&loc, "http://%s/%s", s->bucket, s->key);
    xml_elem(&out, "Location", loc.data);
    buf_free(&loc);
    xml_elem(&out, "Bucket", s->bucket);
    xml_elem(&out, "Key", s->key);
    xml_elem(&out, "ETag", o->etag);
    s3_checksum_elems(&out, o);
    xml_close(&out, "CompleteMultipartUploadResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
}

int s3_complete_record(s3_req_t *s, const s3_object_t *o, const char *sig)
{
    cJSON *j = cJSON_CreateObject();
    sqlite3_stmt *st;
    char *text;
    int rc;

    if (j == NULL)
        return -1;
    cJSON_AddStringToObject(j, "etag", o->etag);
    cJSON_AddStringToObject(j, "vid", o->version_id);
    cJSON_AddStringToObject(j, "alg", o->checksum_alg);
    cJSON_AddStringToObject(j, "ck", o->checksum);
    cJSON_AddStringToObject(j, "type", o->checksum_type);
    cJSON_AddStringToObject(j, "sse", o->sse.alg);
    cJSON_AddStringToObject(j, "kms", o->sse.kms_key_arn);
    cJSON_AddBoolToObject(j, "bk", o->sse.bucket_key);
    cJSON_AddStringToObject(j, "md5", o->sse.customer_md5);
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (text == NULL)
        return -1;
    st = db_query(s->r->emu->db, "DELETE FROM s3_completed WHERE completed < ?1", "d",
                  s->r->now - REPLAY_WINDOW);
    if (st) {
        sqlite3_step(st);
        db_done(st);
    }
    st = db_query(s->r->emu->db, "INSERT OR REPLACE INTO s3_completed (upload_id, bucket, key, "
                                 "completed, parts, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                  "sssdss", s->upload_id, s->bucket, s->key, s->r->now, sig, text);
    if (st == NULL) {
        free(text);
        return -1;
    }
    rc = sqlite3_step(st); /* text is bound static: freed after the step */
    db_done(st);
    free(text);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void copy_member(const cJSON *j, const char *name, char *out, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

    snprintf(out, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

int s3_complete_replay(s3_req_t *s, const char *sig)
{
    sqlite3_stmt *st = db_query(s->r->emu->db,
                                "SELECT parts, result FROM s3_completed WHERE upload_id=?1 AND "
                                "bucket=?2 AND key=?3 AND completed >= ?4",
                                "sssd", s->upload_id, s->bucket, s->key,
                                s->r->now - REPLAY_WINDOW);
    s3_object_t o;
    cJSON *j = NULL;
    int hit = 0;

    if (st == NULL)
        return -1;
    if (db_row(st) == 1 && !strcmp((const char *)sqlite3_column_text(st, 0), sig))
        j = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
    db_done(st);
    if (j == NULL)
        return 0;
    memset(&o, 0, sizeof o);
    copy_member(j, "etag", o.etag, sizeof o.etag);
    copy_member(j, "vid", o.version_id, sizeof o.version_id);
    copy_member(j, "alg", o.checksum_alg, sizeof o.checksum_alg);
    copy_member(j, "ck", o.checksum, sizeof o.checksum);
    copy_member(j, "type", o.checksum_type, sizeof o.checksum_type);
    copy_member(j, "sse", o.sse.alg, sizeof o.sse.alg);
    copy_member(j, "kms", o.sse.kms_key_arn, sizeof o.sse.kms_key_arn);
    copy_member(j, "md5", o.sse.customer_md5, sizeof o.sse.customer_md5);
    o.sse.bucket_key = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "bk"));
    cJSON_Delete(j);
    if (o.etag[0]) {
        s3_send_completed(s, &o);
        hit = 1;
    }
    return hit;
}
