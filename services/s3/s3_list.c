/* s3_list.c — ListObjects, ListObjectsV2 and ListMultipartUploads: prefix,
 * delimiter (common prefixes, each passed with one index seek), paging,
 * encoding-type=url. Keys sort by UTF-8 bytes, as S3. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "storage/db.h"
#include "base/xml.h"

/* URL-encodes as S3 does for encoding-type=url (space as '+'). */
void s3_url_encode(buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/') {
            buf_add(b, p, 1);
        } else if (*p == ' ') {
            buf_add(b, "+", 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_add(b, e, 3);
        }
    }
}

void s3_elem_key(buf_t *out, const char *name, const char *v, int url)
{
    if (url) {
        buf_t e;
        buf_init(&e, 0);
        s3_url_encode(&e, v);
        xml_elem(out, name, e.data ? e.data : "");
        buf_free(&e);
    } else {
        xml_elem(out, name, v);
    }
}

int s3_prefix_successor(const char *p, char *out, size_t n)
{
    size_t len = strlen(p);

    while (len > 0 && (unsigned char)p[len - 1] == 0xFF)
        len--;
    if (len == 0 || len >= n)
        return -1;
    memcpy(out, p, len);
    out[len - 1] = (char)((unsigned char)out[len - 1] + 1);
    out[len] = '\0';
    return 0;
}

int s3_max_keys(s3_req_t *s, long *max)
{
    char tmp[32], *end;

    *max = 1000;
    if (!s3_query(s, "max-keys", tmp, sizeof tmp))
        return 0;
    *max = strtol(tmp, &end, 10);
    if (*end || *max < 0)
        return s3_fail(s, S3_E_MAX_KEYS);
    if (*max > 1000)
        *max = 1000;
    return 0;
}

/* Where a listing resumes (marker[1100]): ListObjects' marker, or V2's
 * continuation-token (into token[1600], decoded) or start-after (into
 * start_after[1100]). 0 or -1 (error set). */
static int list_marker(s3_req_t *s, int v2, char *marker, char *token, char *start_after)
{
    if (!v2) {
        s3_query(s, "marker", marker, 1100);
        return 0;
    }
    if (s3_query(s, "continuation-token", token, 1600)) {
        if (s3_list_token_read(s, token, marker) != 0)
            return -1;
    } else if (s3_query(s, "start-after", start_after, 1100)) {
        snprintf(marker, 1100, "%s", start_after);
    }
    return 0;
}

/* <RestoreStatus> of a listed object a restore was asked for and whose
 * copy has not expired (x-amz-optional-object-attributes: RestoreStatus;
 * ListObjectsV2 API reference). Columns 7, 8: restore_ready, _until. */
static void restore_status(s3_req_t *s, buf_t *b, sqlite3_stmt *st)
{
    double ready = sqlite3_column_double(st, 7), until = sqlite3_column_double(st, 8);
    char date[32];

    if (ready <= 0 || s->r->now >= until)
        return;
    xml_open(b, "RestoreStatus");
    xml_elem(b, "IsRestoreInProgress", s->r->now < ready ? "true" : "false");
    if (s->r->now >= ready) {
        clock_iso8601(until, date);
        xml_elem(b, "RestoreExpiryDate", date);
    }
    xml_close(b, "RestoreStatus");
}

/* One <Contents> of a listing from the row st (key, size, etag,
 * last_modified, checksum_alg, storage_class, checksum_type,
 * restore_ready, restore_until); fetch_owner: 1 Owner, 2 RestoreStatus
 * (bits). */
static void contents_entry(s3_req_t *s, buf_t *b, sqlite3_stmt *st, const char *key, int url,
                           int fetch_owner)
{
    char date[32];

    xml_open(b, "Contents");
    s3_elem_key(b, "Key", key, url);
    clock_iso8601(sqlite3_column_double(st, 3), date);
    xml_elem(b, "LastModified", date);
    xml_elem(b, "ETag", (const char *)sqlite3_column_text(st, 2));
    if (sqlite3_column_type(st, 4) != SQLITE_NULL && sqlite3_column_bytes(st, 4) > 0) {
        xml_elem(b, "ChecksumAlgorithm", (const char *)sqlite3_column_text(st, 4));
        xml_elem(b, "ChecksumType", sqlite3_column_type(st, 6) != SQLITE_NULL
                                        ? (const char *)sqlite3_column_text(st, 6)
                                        : "FULL_OBJECT");
    }
    xml_elem_int(b, "Size", sqlite3_column_int64(st, 1));
    if (fetch_owner & 1) {
        char owner[65];
        xml_open(b, "Owner");
        s3_canonical_id(s->r->account, owner);
        xml_elem(b, "ID", owner);
        xml_elem(b, "DisplayName", "awsemu");
        xml_close(b, "Owner");
    }
    xml_elem(b, "StorageClass", s3_storage_class((const char *)sqlite3_column_text(st, 5)));
    if (fetch_owner & 2)
        restore_status(s, b, st);
    xml_close(b, "Contents");
}

/* Keys after the marker, or from a bound at or above the prefix (the
 * prefix, or past a common prefix), in S3's order: one lower bound, as
 * SQLite seeks the key index by one and only filters by a second. */
static const char list_after_sql[] = "SELECT key, size, etag, last_modified, checksum_alg, storage_class, "
                                     "checksum_type, restore_ready, restore_until FROM "
                                     "s3_objects WHERE bucket=?1 AND key>?2 ORDER BY key";
static const char list_from_sql[] = "SELECT key, size, etag, last_modified, checksum_alg, storage_class, "
                                    "checksum_type, restore_ready, restore_until FROM "
                                    "s3_objects WHERE bucket=?1 AND key>=?2 ORDER BY key";

/* One page of a listing: what the query asks, and what the scan found. */
typedef struct {
    const char *prefix, *delim, *resume;
    long max;
    int url, fetch_owner; /* fetch_owner: bits, as contents_entry takes them */
    buf_t contents, cps; /* <Contents>, <CommonPrefixes> */
    int count, truncated;
    char last[1100]; /* the last key or common prefix returned */
} list_page_t;

/* The keys from the higher of the marker (exclusive) and from (inclusive). */
static sqlite3_stmt *list_query(s3_req_t *s, const list_page_t *pg, const char *from)
{
    if (strcmp(pg->resume, from) >= 0)
        return db_query(s->r->emu->db, list_after_sql, "ss", s->bucket, pg->resume);
    return db_query(s->r->emu->db, list_from_sql, "ss", s->bucket, from);
}

/* A common prefix of the page, once: after it the scan seeks past every
 * key under it, so the cost grows with the page, not with the keys a
 * prefix rolls up. Returns the next statement (NULL: nothing sorts after
 * cp, or the page is full: pg->truncated), st done; *failed on an error. */
static sqlite3_stmt *list_common_prefix(s3_req_t *s, list_page_t *pg, sqlite3_stmt *st,
                                        const char *cp, size_t cplen, char *from, int *failed)
{
    const char *m = pg->resume;

    /* the marker may sit inside it: then it was returned already */
    if (!m[0] || strncmp(m, cp, cplen) || strlen(m) < cplen) {
        if (pg->count == pg->max) {
            pg->truncated = 1;
            db_done(st);
            return NULL;
        }
        str_copy(pg->last, sizeof pg->last, cp);
        xml_open(&pg->cps, "CommonPrefixes");
        s3_elem_key(&pg->cps, "Prefix", cp, pg->url);
        xml_close(&pg->cps, "CommonPrefixes");
        pg->count++;
    }
    db_done(st);
    if (s3_prefix_successor(cp, from, 1100) != 0)
        return NULL;
    st = list_query(s, pg, from);
    *failed = st == NULL;
    return st;
}

/* Fills pg from the store. 0 or -1 (a store error). */
static int list_scan(s3_req_t *s, list_page_t *pg)
{
    size_t plen = strlen(pg->prefix);
    char from[1100];
    int failed = 0;
    sqlite3_stmt *st;

    str_copy(from, sizeof from, pg->prefix);
    st = list_query(s, pg, from);
    if (st == NULL)
        return -1;
    while (pg->max > 0 && db_row(st) == 1) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *d;
        if (strncmp(key, pg->prefix, plen) != 0)
            break; /* past the prefix range */
        d = pg->delim[0] ? strstr(key + plen, pg->delim) : NULL;
        if (d) {
            size_t cplen = (size_t)(d - key) + strlen(pg->delim);
            char cp[1100];
            if (cplen >= sizeof cp)
                continue;
            memcpy(cp, key, cplen);
            cp[cplen] = '\0';
            st = list_common_prefix(s, pg, st, cp, cplen, from, &failed);
            if (st == NULL)
                break;
            continue;
        }
        if (pg->count == pg->max) {
            pg->truncated = 1;
            break;
        }
        str_copy(pg->last, sizeof pg->last, key);
        contents_entry(s, &pg->contents, st, key, pg->url, pg->fetch_owner);
        pg->count++;
    }
    db_done(st);
    return failed ? -1 : 0;
}

int s3_op_list_objects(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char prefix[1100] = "", delim[64] = "", marker[1100] = "", token[1600] = "", start_after[1100] = "";
    char enc[16] = "", tmp[32], owner[8] = "";
    long max = 1000;
    int v2, url, fetch_owner;
    list_page_t pg;
    buf_t out;

    if (s3_require_bucket(s) != 0)
        return -1;
    v2 = s3_query(s, "list-type", tmp, sizeof tmp) && !strcmp(tmp, "2");
    s3_query(s, "prefix", prefix, sizeof prefix);
    s3_query(s, "delimiter", delim, sizeof delim);
    s3_query(s, "encoding-type", enc, sizeof enc);
    if (enc[0] && strcmp(enc, "url"))
        return s3_fail(s, S3_E_ENCODING_TYPE);
    url = !strcmp(enc, "url");
    fetch_owner = !v2 || (s3_query(s, "fetch-owner", owner, sizeof owner) && !strcmp(owner, "true"));
    if (s3_max_keys(s, &max) != 0)
        return -1;
    if (list_marker(s, v2, marker, token, start_after) != 0)
        return -1;

    memset(&pg, 0, sizeof pg);
    pg.prefix = prefix;
    pg.delim = delim;
    pg.resume = marker;
    pg.max = max;
    pg.url = url;
    pg.fetch_owner = fetch_owner;
    {
        char opt[128];
        if (s3_header(s, "x-amz-optional-object-attributes", opt, sizeof opt) &&
            strstr(opt, "RestoreStatus"))
            pg.fetch_owner |= 2;
    }
    buf_init(&pg.contents, 0);
    buf_init(&pg.cps, 0);
    if (list_scan(s, &pg) != 0) {
        buf_free(&pg.contents);
        buf_free(&pg.cps);
        return s3_fail(s, S3_E_INTERNAL);
    }

    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "ListBucketResult", XML_NS_S3);
    xml_elem(&out, "Name", s->bucket);
    s3_elem_key(&out, "Prefix", prefix, url);
    if (!v2)
        s3_elem_key(&out, "Marker", marker, url);
    if (v2 && token[0])
        xml_elem(&out, "ContinuationToken", token);
    if (v2 && start_after[0] && !token[0])
        s3_elem_key(&out, "StartAfter", start_after, url);
    if (v2)
        xml_elem_int(&out, "KeyCount", pg.count);
    xml_elem_int(&out, "MaxKeys", max);
    if (delim[0])
        s3_elem_key(&out, "Delimiter", delim, url);
    xml_elem(&out, "IsTruncated", pg.truncated ? "true" : "false");
    if (pg.truncated && v2) {
        char b64[1600];
        s3_list_token_make(s, pg.last, b64);
        xml_elem(&out, "NextContinuationToken", b64);
    } else if (pg.truncated && delim[0]) {
        s3_elem_key(&out, "NextMarker", pg.last, url);
    }
    if (url)
        xml_elem(&out, "EncodingType", "url");
    if (pg.contents.len)
        buf_add(&out, pg.contents.data, pg.contents.len);
    if (pg.cps.len)
        buf_add(&out, pg.cps.data, pg.cps.len);
    buf_free(&pg.contents);
    buf_free(&pg.cps);
    xml_close(&out, "ListBucketResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

/* ---- ListMultipartUploads --------------------------------------------------- */

/* Uploads from ?2 on (the higher of the key marker and the prefix, or past
 * a common prefix: one bound, as SQLite seeks the (bucket, key, initiated)
 * index by one), by key, then by initiation as S3 lists a key's uploads. */
static const char uploads_sql[] =
    "SELECT key, upload_id, initiated, storage_class, checksum_alg, checksum_type FROM "
    "s3_uploads WHERE bucket=?1 AND key>=?2 ORDER BY key, initiated, upload_id";

/* One page of ListMultipartUploads: what the query asks, what the scan found. */
typedef struct {
    const char *prefix, *delim, *km, *um; /* key-marker, upload-id-marker */
    double um_at;                         /* the marker upload's initiation */
    int um_known;                         /* it still exists (else: ids compare) */
    long max;
    int url;
    buf_t ups, cps; /* <Upload>, <CommonPrefixes> */
    long count;
    int truncated;
    char next_key[1100], next_id[128]; /* the last upload or common prefix returned */
} uploads_page_t;

/* 1 when the row (key, id, at) sorts at or before the markers: key-marker
 * alone passes every upload of that key; with upload-id-marker, only those
 * up to that upload (S3 API Reference, ListMultipartUploads: "any multipart
 * uploads for a key equal to the key-marker might be included ... only if
 * they have an upload ID lexicographically greater"; the key's uploads
 * sort by initiation, so the marker upload's own time places it). */
static int upload_before_marker(const uploads_page_t *pg, const char *key, const char *id, double at)
{
    if (!pg->km[0] || strcmp(key, pg->km) != 0)
        return 0;
    if (!pg->um[0])
        return 1;
    if (!pg->um_known)
        return strcmp(id, pg->um) <= 0;
    return at < pg->um_at || (at == pg->um_at && strcmp(id, pg->um) <= 0);
}

static void upload_entry(s3_req_t *s, uploads_page_t *pg, sqlite3_stmt *st, const char *key)
{
    const char *ck = (const char *)sqlite3_column_text(st, 4);
    const char *ckt = (const char *)sqlite3_column_text(st, 5);
    char date[32];

    xml_open(&pg->ups, "Upload");
    s3_elem_key(&pg->ups, "Key", key, pg->url);
    xml_elem(&pg->ups, "UploadId", (const char *)sqlite3_column_text(st, 1));
    xml_open(&pg->ups, "Initiator");
    xml_elem(&pg->ups, "ID", s->r->account);
    xml_close(&pg->ups, "Initiator");
    xml_open(&pg->ups, "Owner");
    xml_elem(&pg->ups, "ID", s->r->account);
    xml_close(&pg->ups, "Owner");
    xml_elem(&pg->ups, "StorageClass", s3_storage_class((const char *)sqlite3_column_text(st, 3)));
    clock_iso8601(sqlite3_column_double(st, 2), date);
    xml_elem(&pg->ups, "Initiated", date);
    if (ck && ck[0]) { /* as ListParts answers them (s3_multipart.c) */
        xml_elem(&pg->ups, "ChecksumAlgorithm", ck);
        xml_elem(&pg->ups, "ChecksumType", ckt && ckt[0] ? ckt : "COMPOSITE");
    }
    xml_close(&pg->ups, "Upload");
}

/* Fills pg from the store: uploads under the prefix after the markers, a
 * key holding the delimiter past the prefix rolled up into its common
 * prefix, which counts once against max-uploads, is returned once (not
 * when the key-marker lies inside it: a page ended there), and is passed
 * with one seek, so the cost grows with the page, not with the uploads it
 * rolls up. 0 or -1 (a store error). */
static int uploads_scan(s3_req_t *s, uploads_page_t *pg)
{
    size_t plen = strlen(pg->prefix);
    char from[1100];
    sqlite3_stmt *st;
    int failed = 0;

    str_copy(from, sizeof from, strcmp(pg->km, pg->prefix) > 0 ? pg->km : pg->prefix);
    if ((st = db_query(s->r->emu->db, uploads_sql, "ss", s->bucket, from)) == NULL)
        return -1;
    while (pg->max > 0 && db_row(st) == 1) { /* max-uploads 0: an empty page, as ListObjects */
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        const char *d;

        if (strncmp(key, pg->prefix, plen) != 0)
            break; /* past the prefix range */
        if (upload_before_marker(pg, key, id, sqlite3_column_double(st, 2)))
            continue;
        d = pg->delim[0] ? strstr(key + plen, pg->delim) : NULL;
        if (d) {
            size_t cplen = (size_t)(d - key) + strlen(pg->delim);
            char cp[1100];
            if (cplen >= sizeof cp)
                continue;
            memcpy(cp, key, cplen);
            cp[cplen] = '\0';
            if (!pg->km[0] || strncmp(pg->km, cp, cplen) != 0) { /* else returned already */
                if (pg->count == pg->max) {
                    pg->truncated = 1;
                    break;
                }
                str_copy(pg->next_key, sizeof pg->next_key, cp);
                pg->next_id[0] = '\0';
                xml_open(&pg->cps, "CommonPrefixes");
                s3_elem_key(&pg->cps, "Prefix", cp, pg->url);
                xml_close(&pg->cps, "CommonPrefixes");
                pg->count++;
            }
            db_done(st);
            st = NULL;
            if (s3_prefix_successor(cp, from, sizeof from) != 0)
                break; /* nothing sorts after it */
            if (strcmp(pg->km, from) > 0)
                str_copy(from, sizeof from, pg->km);
            if ((st = db_query(s->r->emu->db, uploads_sql, "ss", s->bucket, from)) == NULL) {
                failed = 1;
                break;
            }
            continue;
        }
        if (pg->count == pg->max) {
            pg->truncated = 1;
            break;
        }
        str_copy(pg->next_key, sizeof pg->next_key, key);
        str_copy(pg->next_id, sizeof pg->next_id, id);
        upload_entry(s, pg, st, key);
        pg->count++;
    }
    db_done(st);
    return failed ? -1 : 0;
}

/* Where the upload-id-marker's upload sits among its key's (um_at), when it
 * still exists. */
static void upload_marker_time(s3_req_t *s, uploads_page_t *pg)
{
    sqlite3_stmt *st;

    if (!pg->km[0] || !pg->um[0])
        return;
    st = db_query(s->r->emu->db, "SELECT initiated FROM s3_uploads WHERE upload_id=?1 AND "
                                 "bucket=?2 AND key=?3", "sss", pg->um, s->bucket, pg->km);
    if (st && db_row(st) == 1) {
        pg->um_at = sqlite3_column_double(st, 0);
        pg->um_known = 1;
    }
    db_done(st);
}

/* max-uploads into *max (1000 absent, and at most 1000): digits within an
 * int32, else InvalidArgument with S3's two messages, one for a negative
 * int32 and one for the rest (recorded against S3 by other implementers:
 * versitygw#1794, brekkylab/backlot#176). 0 or -1 (error set). */
static int max_uploads(s3_req_t *s, long *max)
{
    char v[64], *end;
    long long n;
    int neg;

    *max = 1000;
    if (!s3_query(s, "max-uploads", v, sizeof v)) {
        if (!s3_query(s, "max-uploads", NULL, 0))
            return 0; /* absent */
        return s3_error_arg(s, 400, "InvalidArgument", "max-uploads", NULL,
                            "Provided max-uploads not an integer or within integer range");
    }
    neg = v[0] == '-';
    n = (v[neg] >= '0' && v[neg] <= '9') ? strtoll(v, &end, 10) : 0;
    if (!(v[neg] >= '0' && v[neg] <= '9') || *end || n > 2147483647LL || n < -2147483648LL)
        return s3_error_arg(s, 400, "InvalidArgument", "max-uploads", v,
                            "Provided max-uploads not an integer or within integer range");
    if (n < 0)
        return s3_error_arg(s, 400, "InvalidArgument", "max-uploads", v,
                            "Argument max-uploads must be an integer between 0 and 2147483647");
    *max = n < 1000 ? (long)n : 1000;
    return 0;
}

int s3_op_list_multipart_uploads(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char prefix[1100] = "", delim[64] = "", v[32], km[1100] = "", um[128] = "";
    uploads_page_t pg;
    buf_t out;

    if (s3_require_bucket(s) != 0)
        return -1;
    memset(&pg, 0, sizeof pg);
    s3_query(s, "prefix", prefix, sizeof prefix);
    s3_query(s, "delimiter", delim, sizeof delim);
    if (s3_query(s, "encoding-type", v, sizeof v) && (pg.url = 1) && strcmp(v, "url"))
        return s3_fail(s, S3_E_ENCODING_TYPE);
    if (max_uploads(s, &pg.max) != 0)
        return -1;
    s3_query(s, "key-marker", km, sizeof km);
    s3_query(s, "upload-id-marker", um, sizeof um); /* ignored without key-marker */
    pg.prefix = prefix;
    pg.delim = delim;
    pg.km = km;
    pg.um = km[0] ? um : "";
    upload_marker_time(s, &pg);
    buf_init(&pg.ups, 0);
    buf_init(&pg.cps, 0);
    if (uploads_scan(s, &pg) != 0) {
        buf_free(&pg.ups);
        buf_free(&pg.cps);
        return s3_fail(s, S3_E_INTERNAL);
    }
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "ListMultipartUploadsResult", XML_NS_S3);
    xml_elem(&out, "Bucket", s->bucket);
    s3_elem_key(&out, "KeyMarker", km, pg.url);
    xml_elem(&out, "UploadIdMarker", um);
    if (pg.truncated) {
        s3_elem_key(&out, "NextKeyMarker", pg.next_key, pg.url);
        if (pg.next_id[0]) /* none after a common prefix: the key marker passes it */
            xml_elem(&out, "NextUploadIdMarker", pg.next_id);
    }
    s3_elem_key(&out, "Prefix", prefix, pg.url);
    if (delim[0])
        s3_elem_key(&out, "Delimiter", delim, pg.url);
    if (pg.url)
        xml_elem(&out, "EncodingType", "url");
    xml_elem_int(&out, "MaxUploads", pg.max);
    xml_elem(&out, "IsTruncated", pg.truncated ? "true" : "false");
    if (pg.ups.len)
        buf_add(&out, pg.ups.data, pg.ups.len);
    if (pg.cps.len)
        buf_add(&out, pg.cps.data, pg.cps.len);
    buf_free(&pg.ups);
    buf_free(&pg.cps);
    xml_close(&out, "ListMultipartUploadsResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}
