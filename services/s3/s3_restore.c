/* s3_restore.c — storage classes and RestoreObject. An object keeps the
 * class it was written with (x-amz-storage-class, a lifecycle transition);
 * the archive classes (GLACIER, DEEP_ARCHIVE) cannot be read until a
 * restore, timed on the emulator clock, has made a temporary copy. */
#include "services/s3/s3_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/xml.h"
#include "emulator/http.h"
#include "storage/db.h"

/* The classes a general purpose bucket takes (botocore's StorageClass
 * enum, less those of other kinds of storage: OUTPOSTS, SNOW, FSX_*, and
 * EXPRESS_ONEZONE of directory buckets, which S3 refuses as
 * InvalidStorageClass; AWS docs "Using Amazon S3 storage classes"). */
static const char *const classes[] = {"STANDARD",   "REDUCED_REDUNDANCY", "STANDARD_IA",
                                      "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                                      "DEEP_ARCHIVE", "GLACIER_IR",        NULL};

int s3_storage_class_request(s3_req_t *s, char out[24])
{
    char v[64];
    size_t i;

    out[0] = '\0';
    if (!s3_header(s, "x-amz-storage-class", v, sizeof v))
        return 0;
    for (i = 0; classes[i]; i++)
        if (!strcmp(v, classes[i])) {
            if (i > 0)
                strcpy(out, classes[i]); /* at most 19 bytes */
            return 0;
        }
    return s3_error(s, 400, "InvalidStorageClass", "The storage class you specified is not valid");
}

const char *s3_storage_class(const char *stored)
{
    return stored && stored[0] ? stored : "STANDARD";
}

int s3_upload_class_set(s3_req_t *s, const char *upload_id)
{
    if (!s->storage_class[0])
        return 0;
    return db_run(s->r->emu->db, "UPDATE s3_uploads SET storage_class=?2 WHERE upload_id=?1", "ss",
                  upload_id, s->storage_class);
}

void s3_upload_class(s3_req_t *s, const char *upload_id, char out[24])
{
    sqlite3_stmt *st = db_query(s->r->emu->db,
                                "SELECT storage_class FROM s3_uploads WHERE upload_id=?1", "s", upload_id);

    out[0] = '\0';
    if (st == NULL)
        return;
    if (db_row(st) == 1)
        db_copy(st, 0, out, 24);
    db_done(st);
}

static int archived(const s3_object_t *o)
{
    return !strcmp(o->storage_class, "GLACIER") || !strcmp(o->storage_class, "DEEP_ARCHIVE");
}

/* 1 while a restored copy of o is readable at now. */
static int restored(const s3_object_t *o, double now)
{
    return o->restore_ready > 0 && o->restore_ready <= now && now < o->restore_until;
}

int s3_archive_check(s3_req_t *s, const s3_object_t *o)
{
    if (!archived(o) || restored(o, s->r->now))
        return 0;
    str_copy(s->err_class, sizeof s->err_class, o->storage_class);
    return s3_error(s, 403, "InvalidObjectState",
                    "The operation is not valid for the object's storage class");
}

void s3_storage_headers(s3_req_t *s, const s3_object_t *o)
{
    http_req_t *h = s->r->http;
    char v[128], date[64];

    /* S3 leaves the header out for STANDARD */
    if (o->storage_class[0])
        http_add_header(h, "x-amz-storage-class", o->storage_class);
    if (o->restore_ready <= 0 || s->r->now >= o->restore_until)
        return;
    if (s->r->now < o->restore_ready) {
        http_add_header(h, "x-amz-restore", "ongoing-request=\"true\"");
        return;
    }
    s3_http_date(o->restore_until, date, sizeof date);
    snprintf(v, sizeof v, "ongoing-request=\"false\", expiry-date=\"%s\"", date);
    http_add_header(h, "x-amz-restore", v);
}

/* How long a restore takes: the longest time AWS documents for the tier
 * ("Understanding archive retrieval options": Flexible Retrieval
 * Expedited 1-5 minutes, Standard 3-5 hours, Bulk 5-12 hours; Deep
 * Archive Standard within 12 hours, Bulk within 48 hours). -1: the tier
 * is not offered for the class. */
static double restore_seconds(const char *cls, const char *tier)
{
    int deep = !strcmp(cls, "DEEP_ARCHIVE");

    if (!strcmp(tier, "Expedited"))
        return deep ? -1 : 5 * 60;
    if (!strcmp(tier, "Standard"))
        return (deep ? 12 : 5) * 3600.0;
    if (!strcmp(tier, "Bulk"))
        return (deep ? 48 : 12) * 3600.0;
    return -1;
}

/* S3 rounds a restored copy's expiry up to the next midnight UTC (AWS
 * docs "Restoring an archived object": "...rounding the resulting time to
 * the next day midnight UTC"). */
static double next_midnight(double t)
{
    return (floor(t / 86400.0) + 1) * 86400.0;
}

/* The RestoreRequest body: Days (*days) and the tier. 0 or -1 (error set). */
static int parse_request(s3_req_t *s, long *days, char tier[16])
{
    http_req_t *h = s->r->http;
    xml_node_t *doc;
    const xml_node_t *d, *t;
    char err[128], *end;
    int rc = 0;

    snprintf(tier, 16, "Standard");
    if (h->body.len == 0)
        return s3_fail(s, S3_E_MISSING_BODY);
    doc = xml_parse(h->body.data, h->body.len, NULL, err, sizeof err);
    if (doc == NULL || strcmp(xml_name(doc), "RestoreRequest") != 0) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    d = xml_child(doc, "Days");
    t = xml_child(xml_child(doc, "GlacierJobParameters"), "Tier");
    if (t)
        snprintf(tier, 16, "%s", xml_text(t));
    *days = d ? strtol(xml_text(d), &end, 10) : 0;
    if (d == NULL || *end || xml_text(d)[0] == '\0' || restore_seconds("GLACIER", tier) < 0)
        rc = s3_fail(s, S3_E_MALFORMED_XML);
    else if (*days < 1)
        rc = s3_error(s, 400, "InvalidArgument", "The Days value must be greater than 0");
    xml_free(doc);
    return rc;
}

/* Records the restore's times on the version vid of s->key. 0 or -1. */
static int save_restore(s3_req_t *s, const char *vid, double ready, double until)
{
    db_t *db = s->r->emu->db;

    if (db_run(db, "UPDATE s3_objects SET restore_ready=?4, restore_until=?5 WHERE bucket=?1 "
                   "AND key=?2 AND coalesce(version_id, 'null')=?3", "sssdd",
               s->bucket, s->key, vid, ready, until) != 0)
        return -1;
    if (db_changes(db) > 0)
        return 0;
    return db_run(db, "UPDATE s3_versions SET restore_ready=?4, restore_until=?5 WHERE bucket=?1 "
                      "AND key=?2 AND version_id=?3", "sssdd",
                  s->bucket, s->key, vid, ready, until);
}

int s3_op_restore_object(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1], tier[16];
    double now = r->now, took;
    long days = 0;
    s3_object_t o;
    int rc, status;

    if (s3_require_bucket(s) != 0)
        return -1;
    if ((rc = s3_version_param(s, vid)) < 0)
        return -1;
    rc = rc ? s3_version_load(s, s->bucket, s->key, vid, &o) : s3_object_load(s, s->bucket, s->key, &o);
    if (rc < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (rc != 1) {
        if (rc == 2)
            s3_object_clear(&o);
        return s3_fail(s, vid[0] ? S3_E_NO_SUCH_VERSION : S3_E_NO_SUCH_KEY);
    }
    if (!archived(&o)) {
        s3_object_clear(&o);
        return s3_error(s, 403, "InvalidObjectState",
                        "Restore is not allowed for the object's current storage class");
    }
    if (parse_request(s, &days, tier) != 0 || (took = restore_seconds(o.storage_class, tier)) < 0) {
        s3_object_clear(&o);
        return r->err_code[0] ? -1 : s3_fail(s, S3_E_MALFORMED_XML);
    }
    if (o.restore_ready > now) {
        s3_object_clear(&o);
        return s3_error(s, 409, "RestoreAlreadyInProgress", "Object restore is already in progress");
    }
    str_copy(vid, sizeof vid, o.version_id[0] ? o.version_id : "null");
    if (restored(&o, now)) {
        /* a restored copy: its expiry moves, counted from now (200) */
        status = 200;
        rc = save_restore(s, vid, o.restore_ready, next_midnight(now + days * 86400.0));
    } else {
        status = 202;
        rc = save_restore(s, vid, now + took, next_midnight(now + took + days * 86400.0));
    }
    if (rc == 0 && status == 202) {
        s3_event_obj_t ev = {s->key, o.size, o.etag, o.version_id};
        s3_notify(s, "s3:ObjectRestore:Post", &ev);
    }
    s3_object_clear(&o);
    if (rc != 0)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, status);
    return 0;
}
