/* s3_version.c — S3 versioning: the bucket's state, version ids, noncurrent
 * versions and delete markers (s3_versions), DeleteObject's versioned
 * semantics and ListObjectVersions. The current version of a key lives in
 * s3_objects (as for unversioned buckets), so reads and writes of
 * unversioned buckets never touch s3_versions. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "base/xml.h"

#define VCOLS S3_OBJ_COLS

void s3_version_new(char out[S3_VERSION_ID_LEN + 1])
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t rnd[S3_VERSION_ID_LEN];
    size_t i;

    codec_random(rnd, sizeof rnd);
    for (i = 0; i < S3_VERSION_ID_LEN; i++)
        out[i] = alpha[rnd[i] % 62];
    out[S3_VERSION_ID_LEN] = '\0';
}

static int valid_version_id(const char *v)
{
    size_t i;

    if (!strcmp(v, "null"))
        return 1;
    if (strlen(v) != S3_VERSION_ID_LEN)
        return 0;
    for (i = 0; i < S3_VERSION_ID_LEN; i++)
        if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z') ||
              (v[i] >= '0' && v[i] <= '9')))
            return 0;
    return 1;
}

int s3_version_param(s3_req_t *s, char vid[S3_VERSION_ID_LEN + 1])
{
    char v[256];

    vid[0] = '\0';
    if (!s3_query(s, "versionId", NULL, 0))
        return 0;
    if (!s3_query(s, "versionId", v, sizeof v) || !valid_version_id(v))
        return s3_fail(s, S3_E_VERSION_ID);
    memcpy(vid, v, strlen(v) + 1); /* valid: at most S3_VERSION_ID_LEN */
    return 1;
}

int s3_version_load(s3_req_t *s, const char *bucket, const char *key, const char *vid,
                    s3_object_t *o)
{
    sqlite3_stmt *st;
    int rc;

    memset(o, 0, sizeof *o);
    rc = s3_object_load(s, bucket, key, o);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        if (!strcmp(o->version_id[0] ? o->version_id : "null", vid))
            return 1;
        s3_object_clear(o);
    }
    st = db_query(s->r->emu->db, "SELECT " VCOLS ", marker FROM s3_versions WHERE bucket=?1 AND "
                                "key=?2 AND version_id=?3", "sss", bucket, key, vid);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_done(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    rc = s3_object_from_row(st, 0, o) == 0 ? 1 : -1;
    if (rc == 1 && sqlite3_column_int(st, S3_OBJ_NCOLS))
        rc = 2;
    if (rc > 0 && strcmp(vid, "null") != 0)
        str_copy(o->version_id, sizeof o->version_id, vid);
    db_done(st);
    return rc;
}

int s3_latest_marker(s3_req_t *s, const char *bucket, const char *key,
                     char vid[S3_VERSION_ID_LEN + 1], double *last_modified)
{
    sqlite3_stmt *st;
    int rc = 0;

    st = db_query(s->r->emu->db, "SELECT version_id, marker, last_modified FROM "
                                              "s3_versions WHERE bucket=?1 AND key=?2 ORDER BY id "
                                              "DESC LIMIT 1", "ss", bucket, key);
    if (st == NULL)
        return 0;
    if (db_row(st) == 1 && sqlite3_column_int(st, 1)) {
        snprintf(vid, S3_VERSION_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
        *last_modified = sqlite3_column_double(st, 2);
        rc = 1;
    }
    db_done(st);
    return rc;
}

/* Runs a prepared statement of one bucket/key to completion. */
static int exec_key(s3_req_t *s, const char *sql, const char *bucket, const char *key)
{
    sqlite3_stmt *st;
    int rc;

    st = db_query(s->r->emu->db, sql, "ss", bucket, key);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int s3_version_archive(s3_req_t *s, const char *bucket, const char *key)
{
    return exec_key(s, "INSERT INTO s3_versions (bucket, key, version_id, marker, " VCOLS ") "
                       "SELECT bucket, key, coalesce(version_id, 'null'), 0, " VCOLS " FROM "
                       "s3_objects WHERE bucket=?1 AND key=?2",
                    bucket, key);
}

/* A delete marker as the newest version of key. */
static int add_marker(s3_req_t *s, const char *key, const char *vid)
{
    sqlite3_stmt *st;
    int rc;

    st = db_query(s->r->emu->db, "INSERT INTO s3_versions (bucket, key, version_id, "
                                              "marker, last_modified) VALUES (?1, ?2, ?3, 1, ?4)", "sssd", s->bucket, key, vid, s->r->now);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Runs a DELETE ... RETURNING blob_id, parts[, marker] of one row; the
 * body (if any) into old. 1 deleted, 0 none, -1 error. */
static int delete_returning(s3_req_t *s, const char *sql, const char *key, const char *vid,
                            s3_old_body_t *old, int *marker)
{
    sqlite3_stmt *st;
    int rc, found = 0;

    /* the statements with a version name ?3; DEL_CURRENT has none */
    st = db_query(s->r->emu->db, sql, "ss", s->bucket, key);
    if (st == NULL)
        return -1;
    if (vid)
        sqlite3_bind_text(st, 3, vid, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        found = 1;
        free(old->parts);
        str_copy(old->blob_id, sizeof old->blob_id, (const char *)sqlite3_column_text(st, 0));
        old->parts = sqlite3_column_type(st, 1) == SQLITE_NULL
                         ? NULL
                         : strdup((const char *)sqlite3_column_text(st, 1));
        if (marker)
            *marker = sqlite3_column_int(st, 2);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
    }
    db_done(st);
    return rc == SQLITE_DONE ? found : -1;
}

/* With no current object left, the newest remaining version becomes current
 * unless it is a delete marker. */
static int promote(s3_req_t *s, const char *key)
{
    sqlite3_stmt *st;
    sqlite3_int64 id = 0;
    int rc, marker = 1;

    st = db_query(s->r->emu->db, "SELECT id, marker FROM s3_versions WHERE bucket=?1 AND key=?2 "
                                "AND NOT EXISTS (SELECT 1 FROM s3_objects WHERE bucket=?1 AND "
                                "key=?2) ORDER BY id DESC LIMIT 1", "ss", s->bucket, key);
    if (st == NULL)
        return -1;
    if (db_row(st) == 1) {
        id = sqlite3_column_int64(st, 0);
        marker = sqlite3_column_int(st, 1);
    }
    db_done(st);
    if (marker)
        return 0;
    st = db_query(s->r->emu->db, "INSERT INTO s3_objects (bucket, key, version_id, " VCOLS ") "
                                "SELECT bucket, key, nullif(version_id, 'null'), " VCOLS " FROM "
                                "s3_versions WHERE id=?1", "l", (long long)id);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE)
        return -1;
    st = db_query(s->r->emu->db, "DELETE FROM s3_versions WHERE id=?1", "l", (long long)id);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

#define DEL_CURRENT "DELETE FROM s3_objects WHERE bucket=?1 AND key=?2 RETURNING blob_id, parts"
#define DEL_CURRENT_NULL                                                                       \
    "DELETE FROM s3_objects WHERE bucket=?1 AND key=?2 AND version_id IS NULL RETURNING "       \
    "blob_id, parts"
#define DEL_CURRENT_VID                                                                        \
    "DELETE FROM s3_objects WHERE bucket=?1 AND key=?2 AND version_id=?3 RETURNING blob_id, "   \
    "parts"
#define DEL_VERSION                                                                            \
    "DELETE FROM s3_versions WHERE bucket=?1 AND key=?2 AND version_id=?3 RETURNING blob_id, "  \
    "parts, marker"

int s3_delete_key(s3_req_t *s, const char *key, const char *vid, int bypass, s3_deleted_t *out)
{
    db_t *db = s->r->emu->db;
    s3_old_body_t old;
    int rc = 0, marker = 0;

    memset(out, 0, sizeof *out);
    memset(&old, 0, sizeof old);
    /* only a version named is ever removed for good: Object Lock decides */
    if (vid && s3_lock_may_delete(s, key, vid, bypass) != 0)
        return S3_DELETE_REFUSED;
    db_reserve_use(db); /* a delete must work on a full disk: it frees space */
    if (vid == NULL && s->versioning == S3_VERSIONING_OFF) {
        /* unversioned: one statement */
        if (delete_returning(s, DEL_CURRENT, key, NULL, &old, NULL) < 0)
            return -1;
        s3_drop_body(s, &old);
        return 0;
    }
    if (db_begin(db) != 0)
        return -1;
    if (vid == NULL && s->versioning == S3_VERSIONING_ENABLED) {
        s3_version_new(out->version_id);
        out->marker = 1;
        if (s3_version_archive(s, s->bucket, key) != 0 ||
            exec_key(s, "DELETE FROM s3_objects WHERE bucket=?1 AND key=?2", s->bucket, key) != 0 ||
            add_marker(s, key, out->version_id) != 0)
            rc = -1;
    } else if (vid == NULL) {
        /* suspended: the null version goes, a null delete marker is newest */
        int r1;
        snprintf(out->version_id, sizeof out->version_id, "null");
        out->marker = 1;
        r1 = delete_returning(s, DEL_CURRENT_NULL, key, NULL, &old, NULL);
        if (r1 < 0 ||
            (r1 == 0 && (s3_version_archive(s, s->bucket, key) != 0 ||
                         exec_key(s, "DELETE FROM s3_objects WHERE bucket=?1 AND key=?2",
                                  s->bucket, key) != 0)) ||
            (r1 == 0 && delete_returning(s, DEL_VERSION, key, "null", &old, &marker) < 0) ||
            add_marker(s, key, "null") != 0)
            rc = -1;
    } else {
        int r1;
        str_copy(out->version_id, sizeof out->version_id, vid);
        r1 = !strcmp(vid, "null") ? delete_returning(s, DEL_CURRENT_NULL, key, NULL, &old, NULL)
                                  : delete_returning(s, DEL_CURRENT_VID, key, vid, &old, NULL);
        if (r1 == 0)
            r1 = delete_returning(s, DEL_VERSION, key, vid, &old, &out->marker);
        if (r1 < 0 || promote(s, key) != 0)
            rc = -1;
    }
    if (rc != 0 || db_commit(db) != 0) {
        db_rollback(db);
        free(old.parts);
        return -1;
    }
    s3_drop_body(s, &old);
    return 0;
}

/* ---- PutBucketVersioning / GetBucketVersioning ------------------------------ */

int s3_op_put_bucket_versioning(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    xml_node_t *doc;
    char err[256], status[16];
    char *lock;
    sqlite3_stmt *st;
    int rc;

    if (s3_require_bucket(s) != 0)
        return -1;
    doc = xml_parse(h->body.data ? h->body.data : "", h->body.len, NULL, err, sizeof err);
    if (doc == NULL || strcmp(xml_name(doc), "VersioningConfiguration") != 0) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    str_copy(status, sizeof status, xml_text(xml_child(doc, "Status")));
    if (xml_child(doc, "Status") == NULL) {
        xml_free(doc);
        s3_send_empty(s, 200); /* nothing to change */
        return 0;
    }
    xml_free(doc);
    if (strcmp(status, "Enabled") && strcmp(status, "Suspended"))
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (!strcmp(status, "Suspended") && (lock = s3_config_get(s, s->bucket, "object-lock")) != NULL) {
        free(lock);
        return s3_error(s, 409, "InvalidBucketState",
                        "An Object Lock configuration is present on this bucket, so the "
                        "versioning state cannot be changed.");
    }
    st = db_query(s->r->emu->db, "UPDATE s3_buckets SET versioning=?2 WHERE name=?1", "ss", s->bucket, status);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_get_bucket_versioning(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    buf_t out;

    if (s3_require_bucket(s) != 0)
        return -1;
    /* never enabled: an empty configuration */
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "VersioningConfiguration", XML_NS_S3);
    if (s->versioning != S3_VERSIONING_OFF)
        xml_elem(&out, "Status", s->versioning == S3_VERSIONING_ENABLED ? "Enabled" : "Suspended");
    xml_close(&out, "VersioningConfiguration");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

/* ---- ListObjectVersions ------------------------------------------------------ */

/* One <Version> or <DeleteMarker> of ListObjectVersions from the row st
 * (key, version id, marker, size, etag, last_modified, ..., storage_class 8,
 * checksum_alg 9, checksum_type 10). */
static void version_entry(buf_t *b, sqlite3_stmt *st, int url, int latest, const char *owner)
{
    int marker = sqlite3_column_int(st, 2);
    char date[32];

    xml_open(b, marker ? "DeleteMarker" : "Version");
    s3_elem_key(b, "Key", (const char *)sqlite3_column_text(st, 0), url);
    xml_elem(b, "VersionId", (const char *)sqlite3_column_text(st, 1));
    xml_elem(b, "IsLatest", latest ? "true" : "false");
    clock_iso8601(sqlite3_column_double(st, 5), date);
    xml_elem(b, "LastModified", date);
    if (!marker) {
        xml_elem(b, "ETag", (const char *)sqlite3_column_text(st, 4));
        if (sqlite3_column_type(st, 9) == SQLITE_TEXT && sqlite3_column_bytes(st, 9) > 0) {
            xml_elem(b, "ChecksumAlgorithm", (const char *)sqlite3_column_text(st, 9));
            xml_elem(b, "ChecksumType", sqlite3_column_type(st, 10) == SQLITE_TEXT
                                            ? (const char *)sqlite3_column_text(st, 10)
                                            : "FULL_OBJECT");
        }
        xml_elem_int(b, "Size", sqlite3_column_int64(st, 3));
        xml_elem(b, "StorageClass", s3_storage_class((const char *)sqlite3_column_text(st, 8)));
    }
    xml_open(b, "Owner");
    xml_elem(b, "DisplayName", "awsemu");
    xml_elem(b, "ID", owner);
    xml_close(b, "Owner");
    xml_close(b, marker ? "DeleteMarker" : "Version");
}

/* Current and noncurrent rows from ?2 (the higher of the key marker and
 * the prefix, or past a common prefix: one bound, as SQLite seeks an index
 * by one and only filters by a second): key, newest first. */
static const char versions_sql[] =
    "SELECT key, coalesce(version_id, 'null'), 0, size, etag, last_modified, 1, 0, "
    "storage_class, checksum_alg, checksum_type FROM s3_objects WHERE bucket=?1 AND key>=?2 "
    "UNION ALL SELECT key, version_id, marker, size, etag, last_modified, 0, id, storage_class, "
    "checksum_alg, checksum_type FROM "
    "s3_versions WHERE bucket=?1 AND key>=?2 ORDER BY 1, 7 DESC, 8 DESC";

/* Done with st; the listing again from past every key under the common
 * prefix cp (one index seek, not a read of each version it rolls up) with
 * from[1100] its bound. NULL when nothing sorts after cp, or on an error
 * (*failed). */
static sqlite3_stmt *versions_past(s3_req_t *s, sqlite3_stmt *st, const char *cp,
                                   const char *kmarker, char *from, int *failed)
{
    db_done(st);
    if (s3_prefix_successor(cp, from, 1100) != 0)
        return NULL;
    if (strcmp(kmarker, from) > 0)
        snprintf(from, 1100, "%s", kmarker);
    st = db_query(s->r->emu->db, versions_sql, "ss", s->bucket, from);
    *failed = st == NULL;
    return st;
}

/* long: one pass over current and noncurrent rows merged by the query,
 * the paging state (the key-marker skip, common prefixes, truncation) in
 * locals the answer then reads; s3_op_list_objects is its twin. */
int s3_op_list_object_versions(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char prefix[1100] = "", delim[64] = "", kmarker[1100] = "", vmarker[256] = "";
    char enc[16] = "", owner[65];
    char last_key[1100] = "", last_vid[S3_VERSION_ID_LEN + 1] = "", from[1100];
    char prev_key[1100] = "";
    long max = 1000;
    int url, truncated = 0, count = 0, have_prev = 0, skipping, failed = 0;
    sqlite3_stmt *st;
    buf_t out, items, cps;
    size_t plen;

    if (s3_require_bucket(s) != 0)
        return -1;
    s3_query(s, "prefix", prefix, sizeof prefix);
    s3_query(s, "delimiter", delim, sizeof delim);
    s3_query(s, "key-marker", kmarker, sizeof kmarker);
    s3_query(s, "version-id-marker", vmarker, sizeof vmarker);
    s3_query(s, "encoding-type", enc, sizeof enc);
    if (enc[0] && strcmp(enc, "url"))
        return s3_fail(s, S3_E_ENCODING_TYPE);
    url = !strcmp(enc, "url");
    if (vmarker[0] && !kmarker[0])
        return s3_error(s, 400, "InvalidArgument",
                        "A version-id marker cannot be specified without a key marker.");
    if (vmarker[0] && !valid_version_id(vmarker))
        return s3_fail(s, S3_E_VERSION_ID);
    if (s3_max_keys(s, &max) != 0)
        return -1;
    s3_canonical_id(s->r->account, owner);
    str_copy(from, sizeof from, strcmp(kmarker, prefix) > 0 ? kmarker : prefix);
    st = db_query(s->r->emu->db, versions_sql, "ss", s->bucket, from);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    buf_init(&items, 0);
    buf_init(&cps, 0);
    plen = strlen(prefix);
    /* key-marker alone: past all of its versions; with a version-id marker:
     * past that version of it */
    skipping = kmarker[0] != 0;
    while (db_row(st) == 1) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *vid = (const char *)sqlite3_column_text(st, 1);
        int latest;
        const char *d;

        if (strncmp(key, prefix, plen) != 0)
            break;
        latest = !have_prev || strcmp(prev_key, key) != 0;
        str_copy(prev_key, sizeof prev_key, key);
        have_prev = 1;
        if (skipping) {
            if (!strcmp(key, kmarker)) {
                if (vmarker[0] && !strcmp(vid, vmarker))
                    skipping = 0; /* resume after this one */
                continue;
            }
            skipping = 0;
        }
        d = delim[0] ? strstr(key + plen, delim) : NULL;
        if (d) {
            size_t cplen = (size_t)(d - key) + strlen(delim);
            char cp[1100];
            if (cplen >= sizeof cp)
                continue;
            memcpy(cp, key, cplen);
            cp[cplen] = '\0';
            if (!kmarker[0] || strncmp(kmarker, cp, cplen)) { /* else returned already */
                if (count == max) {
                    truncated = 1;
                    break;
                }
                str_copy(last_key, sizeof last_key, cp);
                last_vid[0] = '\0';
                xml_open(&cps, "CommonPrefixes");
                s3_elem_key(&cps, "Prefix", cp, url);
                xml_close(&cps, "CommonPrefixes");
                count++;
            }
            if ((st = versions_past(s, st, cp, kmarker, from, &failed)) == NULL)
                break;
            continue;
        }
        if (count == max) {
            truncated = 1;
            break;
        }
        str_copy(last_key, sizeof last_key, key);
        str_copy(last_vid, sizeof last_vid, vid);
        version_entry(&items, st, url, latest, owner);
        count++;
    }
    db_done(st);
    if (failed) {
        buf_free(&items);
        buf_free(&cps);
        return s3_fail(s, S3_E_INTERNAL);
    }
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "ListVersionsResult", XML_NS_S3);
    xml_elem(&out, "Name", s->bucket);
    s3_elem_key(&out, "Prefix", prefix, url);
    s3_elem_key(&out, "KeyMarker", kmarker, url);
    xml_elem(&out, "VersionIdMarker", vmarker);
    if (truncated) {
        s3_elem_key(&out, "NextKeyMarker", last_key, url);
        if (last_vid[0])
            xml_elem(&out, "NextVersionIdMarker", last_vid);
    }
    xml_elem_int(&out, "MaxKeys", max);
    if (delim[0])
        s3_elem_key(&out, "Delimiter", delim, url);
    xml_elem(&out, "IsTruncated", truncated ? "true" : "false");
    if (url)
        xml_elem(&out, "EncodingType", "url");
    if (items.len)
        buf_add(&out, items.data, items.len);
    if (cps.len)
        buf_add(&out, cps.data, cps.len);
    xml_close(&out, "ListVersionsResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    buf_free(&items);
    buf_free(&cps);
    return 0;
}

int s3_copy_source_load(s3_req_t *s, const char *bucket, const char *key, s3_object_t *o)
{
    char v[4096], vid[S3_VERSION_ID_LEN + 1] = "";
    const char *q;
    int rc, versioning;

    memset(o, 0, sizeof *o);
    if (s3_header(s, "x-amz-copy-source", v, sizeof v) && (q = strstr(v, "?versionId=")) != NULL) {
        q += 11;
        if (!valid_version_id(q))
            return s3_fail(s, S3_E_VERSION_ID);
        memcpy(vid, q, strlen(q) + 1);
    }
    rc = vid[0] ? s3_version_load(s, bucket, key, vid, o) : s3_object_load(s, bucket, key, o);
    if (rc < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (rc == 2) {
        s3_object_clear(o);
        return s3_error(s, 400, "InvalidRequest",
                        "The source of a copy request may not specifically refer to a delete "
                        "marker by version id.");
    }
    if (rc == 0)
        return vid[0] ? s3_fail(s, S3_E_NO_SUCH_VERSION)
                      : s3_fail(s, S3_E_NO_SUCH_KEY);
    versioning = s3_bucket_versioning(s, bucket);
    if (vid[0] || versioning > 0)
        http_add_header(s->r->http, "x-amz-copy-source-version-id",
                        o->version_id[0] ? o->version_id : "null");
    return 0;
}
