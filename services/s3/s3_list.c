/* s3_list.c — ListObjects and ListObjectsV2: prefix, delimiter (common
 * prefixes), paging, encoding-type=url. Keys sort by UTF-8 bytes, as S3. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        uint8_t raw[1200];
        long n = codec_b64_decode(token, strlen(token), raw);
        if (n < 0 || n >= 1100)
            return s3_error(s, 400, "InvalidArgument", "The continuation token provided is incorrect");
        memcpy(marker, raw, (size_t)n);
        marker[n] = '\0';
    } else if (s3_query(s, "start-after", start_after, 1100)) {
        snprintf(marker, 1100, "%s", start_after);
    }
    return 0;
}

/* One <Contents> of a listing from the row st (key, size, etag,
 * last_modified, checksum_alg). */
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
        xml_elem(b, "ChecksumType", sqlite3_column_type(st, 5) != SQLITE_NULL
                                        ? (const char *)sqlite3_column_text(st, 5)
                                        : "FULL_OBJECT");
    }
    xml_elem_int(b, "Size", sqlite3_column_int64(st, 1));
    if (fetch_owner) {
        char owner[65];
        xml_open(b, "Owner");
        s3_canonical_id(s->r->account, owner);
        xml_elem(b, "ID", owner);
        xml_elem(b, "DisplayName", "awsemu");
        xml_close(b, "Owner");
    }
    xml_elem(b, "StorageClass", "STANDARD");
    xml_close(b, "Contents");
}

int s3_op_list_objects(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char prefix[1100] = "", delim[64] = "", marker[1100] = "", token[1600] = "", start_after[1100] = "";
    char enc[16] = "", tmp[32], owner[8] = "";
    long max = 1000;
    int v2, url, fetch_owner, truncated = 0, count = 0;
    const char *resume;
    char last[1100] = "", last_cp[1100] = "";
    sqlite3_stmt *st;
    buf_t out, cps;

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
    resume = marker;

    buf_init(&out, 0);
    buf_init(&cps, 0);
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

    st = db_query(s->r->emu->db, "SELECT key, size, etag, last_modified, checksum_alg, checksum_type FROM "
                                "s3_objects WHERE bucket=?1 AND key>?2 AND key>=?3 ORDER BY key", "sss", s->bucket, resume, prefix);
    if (st == NULL) {
        buf_free(&out);
        buf_free(&cps);
        return s3_fail(s, S3_E_INTERNAL);
    }
    {
        buf_t contents;
        size_t plen = strlen(prefix);
        buf_init(&contents, 0);
        while (max > 0 && db_row(st) == 1) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            const char *d;
            if (strncmp(key, prefix, plen) != 0)
                break; /* past the prefix range */
            d = delim[0] ? strstr(key + plen, delim) : NULL;
            if (d) {
                size_t cplen = (size_t)(d - key) + strlen(delim);
                char cp[1100];
                if (cplen >= sizeof cp)
                    continue;
                memcpy(cp, key, cplen);
                cp[cplen] = '\0';
                /* a common prefix counts once, and the marker may sit inside it */
                if (!strcmp(cp, last_cp) || (resume[0] && !strncmp(resume, cp, cplen) && strlen(resume) >= cplen))
                    continue;
                if (count == max) {
                    truncated = 1;
                    break;
                }
                snprintf(last_cp, sizeof last_cp, "%s", cp);
                snprintf(last, sizeof last, "%s", cp);
                xml_open(&cps, "CommonPrefixes");
                s3_elem_key(&cps, "Prefix", cp, url);
                xml_close(&cps, "CommonPrefixes");
                count++;
                continue;
            }
            if (count == max) {
                truncated = 1;
                break;
            }
            snprintf(last, sizeof last, "%s", key);
            contents_entry(s, &contents, st, key, url, fetch_owner);
            count++;
        }
        db_done(st);
        if (v2)
            xml_elem_int(&out, "KeyCount", count);
        xml_elem_int(&out, "MaxKeys", max);
        if (delim[0])
            s3_elem_key(&out, "Delimiter", delim, url);
        xml_elem(&out, "IsTruncated", truncated ? "true" : "false");
        if (truncated && v2) {
            char b64[1600];
            codec_b64_encode((const uint8_t *)last, strlen(last), b64);
            xml_elem(&out, "NextContinuationToken", b64);
        } else if (truncated && delim[0]) {
            s3_elem_key(&out, "NextMarker", last, url);
        }
        if (url)
            xml_elem(&out, "EncodingType", "url");
        if (contents.len)
            buf_add(&out, contents.data, contents.len);
        if (cps.len)
            buf_add(&out, cps.data, cps.len);
        buf_free(&contents);
    }
    xml_close(&out, "ListBucketResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    buf_free(&cps);
    return 0;
}
