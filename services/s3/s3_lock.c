/* s3_lock.c — S3 Object Lock: a bucket's default retention, each version's
 * retention (GOVERNANCE or COMPLIANCE until a date on the emulator clock)
 * and legal hold, the x-amz-object-lock-* headers of the writes that create
 * versions and of GET/HEAD, PutObjectRetention, GetObjectRetention,
 * PutObjectLegalHold, GetObjectLegalHold, and the refusal of deletes of
 * locked versions.
 *
 * What S3 answers, as pinned by implementers that recorded it against AWS
 * (adobe/S3Mock's @S3VerifiedSuccess tests, ceph s3-tests' test_object_lock_*
 * and their Java port, moto, and emulators' recorded answers): messages
 * below are S3's. The bucket side (enabled, default retention) is the
 * bucket's 'object-lock' configuration document (s3_config.c). */
#include "services/s3/s3_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "base/xml.h"

#define H_MODE "x-amz-object-lock-mode"
#define H_UNTIL "x-amz-object-lock-retain-until-date"
#define H_HOLD "x-amz-object-lock-legal-hold"
#define H_BYPASS "x-amz-bypass-governance-retention"
#define NOT_ENABLED "Bucket is missing Object Lock Configuration"
#define LOCKED "Access Denied because object protected by object lock."
#define DAY 86400.0

/* ---- dates -------------------------------------------------------------------------- */

static int digits(const char **p, int n, int *out)
{
    int v = 0;

    while (n-- > 0) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return 0;
}

int s3_lock_parse_date(const char *s, double *out)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0, leap;
    double frac = 0, scale = 0.1;
    time_t t;

    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
        return -1;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -1;
    if (*p == 'T' || *p == 't') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return -1;
            if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                    return -1;
                while (*p >= '0' && *p <= '9') {
                    frac += (*p++ - '0') * scale;
                    scale /= 10;
                }
            }
        }
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            sign = *p++ == '+' ? 1 : -1;
            if (digits(&p, 2, &oh))
                return -1;
            if (*p == ':')
                p++;
            if (digits(&p, 2, &om) || oh > 23 || om > 59)
                return -1;
        }
    }
    if (*p != '\0')
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    *out = (double)t + frac - sign * (oh * 3600.0 + om * 60.0);
    return 0;
}

/* ---- the bucket --------------------------------------------------------------------- */

int s3_lock_bucket(s3_req_t *s, const char *bucket, s3_lock_t *def, double *seconds)
{
    char *text = s3_config_get(s, bucket, "object-lock"), err[128];
    xml_node_t *doc;
    const xml_node_t *dr;
    int enabled;

    memset(def, 0, sizeof *def);
    *seconds = 0;
    if (text == NULL)
        return 0;
    doc = xml_parse(text, strlen(text), NULL, err, sizeof err);
    free(text);
    if (doc == NULL)
        return -1;
    enabled = !strcmp(xml_text(xml_child(doc, "ObjectLockEnabled")), "Enabled");
    dr = xml_child(xml_child(doc, "Rule"), "DefaultRetention");
    if (enabled && dr) {
        const char *mode = xml_text(xml_child(dr, "Mode"));
        const xml_node_t *days = xml_child(dr, "Days"), *years = xml_child(dr, "Years");
        /* a year of retention is 365 days */
        double n = strtod(xml_text(days ? days : years), NULL);
        if ((!strcmp(mode, "GOVERNANCE") || !strcmp(mode, "COMPLIANCE")) && n > 0) {
            str_copy(def->mode, sizeof def->mode, mode);
            *seconds = n * DAY * (days ? 1 : 365);
        }
    }
    xml_free(doc);
    return enabled;
}

/* ---- new versions ------------------------------------------------------------------- */

/* A lock header into out (n bytes): 1 present, 0 absent, -1 present and
 * longer than any value S3 takes (out holds its start, for the error). */
static int lock_header(s3_req_t *s, const char *name, char *out, size_t n)
{
    size_t len;

    if (http_header(s->r->http, name, &len) == NULL) {
        out[0] = '\0';
        return 0;
    }
    s3_header(s, name, out, n);
    return len < n ? 1 : -1;
}

/* 1 when the request carries Content-MD5 or an x-amz-checksum-* (as a
 * header or an announced trailer). */
static int has_integrity(s3_req_t *s)
{
    char trailer[80] = "";
    checksum_alg_t a;

    if (http_header(s->r->http, "Content-MD5", NULL))
        return 1;
    s3_header(s, "x-amz-trailer", trailer, sizeof trailer);
    for (a = CHECKSUM_CRC32; a <= CHECKSUM_SHA256; a++)
        if (http_header(s->r->http, checksum_header_name(a), NULL) ||
            !strcasecmp(trailer, checksum_header_name(a)))
            return 1;
    return 0;
}

int s3_lock_request(s3_req_t *s, int body)
{
    char mode[64] = "", until[64] = "", hold[64] = "";
    int have_mode, have_until, have_hold, enabled = 0, long_mode, long_until, long_hold;

    memset(&s->lock, 0, sizeof s->lock);
    long_mode = (have_mode = lock_header(s, H_MODE, mode, sizeof mode)) < 0;
    long_until = (have_until = lock_header(s, H_UNTIL, until, sizeof until)) < 0;
    long_hold = (have_hold = lock_header(s, H_HOLD, hold, sizeof hold)) < 0;
    have_mode = have_mode != 0;
    have_until = have_until != 0;
    have_hold = have_hold != 0;
    /* a bucket with Object Lock has versioning enabled: others skip the look-up */
    if (s->versioning == S3_VERSIONING_ENABLED &&
        (enabled = s3_lock_bucket(s, s->bucket, &s->lock_default, &s->lock_default_seconds)) < 0)
        return s3_fail(s, S3_E_INTERNAL);
    /* S3's order: both or neither of mode and date; the date's form, then
     * that it is ahead; the legal hold; the mode; then the bucket */
    if (have_mode != have_until)
        return s3_error_arg(s, 400, "InvalidArgument", have_mode ? H_UNTIL : H_MODE, NULL,
                            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must "
                            "both be supplied");
    if (have_until) {
        if (long_until || s3_lock_parse_date(until, &s->lock.until) != 0)
            return s3_error_arg(s, 400, "InvalidArgument", H_UNTIL, until,
                                "The retain until date must be provided in ISO 8601 format");
        if (s->lock.until <= s->r->now)
            return s3_error_arg(s, 400, "InvalidArgument", H_UNTIL, until,
                                "The retain until date must be in the future!");
    }
    if (have_hold) {
        if (long_hold || (strcmp(hold, "ON") && strcmp(hold, "OFF")))
            return s3_error_arg(s, 400, "InvalidArgument", H_HOLD, hold,
                                "Legal Hold must be either of 'ON' or 'OFF'");
        s->lock.hold = !strcmp(hold, "ON") ? S3_HOLD_ON : S3_HOLD_OFF;
    }
    if (have_mode) {
        if (long_mode || (strcmp(mode, "GOVERNANCE") && strcmp(mode, "COMPLIANCE")))
            return s3_error_arg(s, 400, "InvalidArgument", H_MODE, mode,
                                "Unknown wormMode directive.");
        snprintf(s->lock.mode, sizeof s->lock.mode, "%s",
                 !strcmp(mode, "GOVERNANCE") ? "GOVERNANCE" : "COMPLIANCE");
    }
    if ((have_mode || have_hold) && enabled != 1)
        return s3_error(s, 400, "InvalidRequest", "Bucket is missing ObjectLockConfiguration");
    if (!body || !(have_mode || have_hold || s->lock_default.mode[0]))
        return 0;
    /* an upload that makes a locked version */
    if (!has_integrity(s))
        return s3_error(s, 400, "InvalidRequest",
                        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object "
                        "requests with Object Lock parameters");
    if (s->r->caller.kind == PRINCIPAL_ANONYMOUS)
        return s3_error_arg(s, 400, "InvalidArgument", "Authorization", NULL,
                            "Put Object requests with Object Lock parameters require AWS "
                            "Signature Version 4");
    return 0;
}

void s3_lock_for_new(const s3_req_t *s, const s3_lock_t *asked, double created, s3_lock_t *out)
{
    memset(out, 0, sizeof *out);
    if (asked->mode[0]) {
        memcpy(out->mode, asked->mode, sizeof out->mode);
        out->until = asked->until;
    } else if (s->lock_default.mode[0]) {
        /* "adding the specified duration to the object version's creation
         * timestamp" */
        memcpy(out->mode, s->lock_default.mode, sizeof out->mode);
        out->until = created + s->lock_default_seconds;
    }
    out->hold = asked->hold;
}

int s3_lock_part_check(s3_req_t *s, const s3_lock_t *asked)
{
    s3_lock_t def;
    double secs;
    int locked = asked->mode[0] || asked->hold != S3_HOLD_NONE;

    if (!locked && s->versioning == S3_VERSIONING_ENABLED &&
        s3_lock_bucket(s, s->bucket, &def, &secs) == 1)
        locked = def.mode[0] != '\0';
    if (locked && !has_integrity(s))
        return s3_error(s, 400, "InvalidRequest",
                        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part "
                        "requests with Object Lock parameters");
    return 0;
}

/* ---- a version's lock ------------------------------------------------------------- */

/* The lock of key's version vid (NULL: the current one) into *lock;
 * *current tells whether it is the s3_objects row. 1 an object, 2 a delete
 * marker, 0 none, -1 error. */
static int version_lock(s3_req_t *s, const char *key, const char *vid, s3_lock_t *lock,
                        int *current)
{
    sqlite3_stmt *st;
    int rc;

    memset(lock, 0, sizeof *lock);
    *current = 0;
    st = db_query(s->r->emu->db, "SELECT lock_mode, lock_until, legal_hold, 0 FROM s3_objects WHERE "
                                "bucket=?1 AND key=?2 AND (?3 IS NULL OR coalesce(version_id, "
                                "'null')=?3) UNION ALL SELECT lock_mode, lock_until, legal_hold, "
                                "1 + marker FROM s3_versions WHERE ?3 IS NOT NULL AND bucket=?1 "
                                "AND key=?2 AND version_id=?3 LIMIT 1", "sss", s->bucket, key, vid);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_done(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        str_copy(lock->mode, sizeof lock->mode, (const char *)sqlite3_column_text(st, 0));
        lock->until = sqlite3_column_double(st, 1);
    }
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        lock->hold = sqlite3_column_int(st, 2) ? S3_HOLD_ON : S3_HOLD_OFF;
    rc = sqlite3_column_int(st, 3);
    db_done(st);
    *current = rc == 0;
    return rc == 2 ? 2 : 1;
}

/* Writes the retention (set_mode) or the legal hold of key's version vid
 * (current: the s3_objects row). 0 or -1. */
static int version_set(s3_req_t *s, const char *vid, int current, int set_mode,
                       const s3_lock_t *lock)
{
    sqlite3_stmt *st;
    int rc;

    if (set_mode)
        st = db_query(s->r->emu->db,
                      current ? "UPDATE s3_objects SET lock_mode=?4, lock_until=?5 WHERE bucket=?1 "
                                "AND key=?2"
                              : "UPDATE s3_versions SET lock_mode=?4, lock_until=?5 WHERE bucket=?1 "
                                "AND key=?2 AND version_id=?3",
                      "ss", s->bucket, s->key);
    else
        st =
            db_query(s->r->emu->db,
                     current ? "UPDATE s3_objects SET legal_hold=?6 WHERE bucket=?1 AND key=?2"
                             : "UPDATE s3_versions SET legal_hold=?6 WHERE bucket=?1 AND key=?2 AND "
                               "version_id=?3",
                     "ss", s->bucket, s->key);
    if (st == NULL)
        return -1;
    if (!current)
        sqlite3_bind_text(st, 3, vid, -1, SQLITE_STATIC);
    if (set_mode && lock->mode[0]) {
        sqlite3_bind_text(st, 4, lock->mode, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 5, lock->until);
    }
    if (!set_mode)
        sqlite3_bind_int(st, 6, lock->hold == S3_HOLD_ON);
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int s3_lock_bypass(s3_req_t *s)
{
    char v[16] = "";
    s3_lock_t def;
    double secs;
    int enabled;

    if (!s3_header(s, H_BYPASS, v, sizeof v))
        return 0;
    enabled = s3_lock_bucket(s, s->bucket, &def, &secs);
    if (enabled < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (!enabled)
        return s3_error_arg(s, 400, "InvalidArgument", H_BYPASS, NULL,
                            "x-amz-bypass-governance-retention is only applicable to Object Lock "
                            "enabled buckets.");
    return !strcasecmp(v, "true");
}

/* The caller may bypass GOVERNANCE retention of key (--iam enforce:
 * s3:BypassGovernanceRetention, the version's lock as its condition keys).
 * 0 or -1 (error set). */
static int bypass_allowed(s3_req_t *s, const char *key, const s3_lock_t *lock)
{
    s3_lock_t saved = s->lock;
    int rc;

    s->lock = *lock;
    rc = s3_authorize_object(s, "s3:BypassGovernanceRetention", s->bucket, key);
    s->lock = saved;
    return rc;
}

int s3_lock_may_delete(s3_req_t *s, const char *key, const char *vid, int bypass)
{
    s3_lock_t lock;
    int current, rc = version_lock(s, key, vid, &lock, &current);

    if (rc < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (rc != 1)
        return 0;
    if (lock.hold == S3_HOLD_ON)
        return s3_error(s, 403, "AccessDenied", LOCKED); /* no bypass for a legal hold */
    if (!lock.mode[0] || lock.until <= s->r->now)
        return 0;
    if (!strcmp(lock.mode, "COMPLIANCE") || !bypass)
        return s3_error(s, 403, "AccessDenied", LOCKED);
    return bypass_allowed(s, key, &lock);
}

/* ---- response headers and condition keys --------------------------------------------- */

void s3_lock_headers(s3_req_t *s, const s3_object_t *o)
{
    const char *vid = o->version_id[0] ? o->version_id : NULL;

    if (o->lock.mode[0] && s3_may_object(s, "s3:GetObjectRetention", s->bucket, s->key, vid)) {
        char date[32];
        clock_iso8601(o->lock.until, date);
        http_add_header(s->r->http, H_MODE, o->lock.mode);
        http_add_header(s->r->http, H_UNTIL, date);
    }
    if (o->lock.hold != S3_HOLD_NONE &&
        s3_may_object(s, "s3:GetObjectLegalHold", s->bucket, s->key, vid))
        http_add_header(s->r->http, H_HOLD, o->lock.hold == S3_HOLD_ON ? "ON" : "OFF");
}

/* The request document of PutObjectRetention / PutObjectLegalHold (NULL
 * when it does not parse; caller frees). */
static xml_node_t *body_doc(s3_req_t *s, const char *root)
{
    http_req_t *h = s->r->http;
    char err[128];
    xml_node_t *doc;

    if (h->body.len == 0)
        return NULL;
    doc = xml_parse(h->body.data, h->body.len, NULL, err, sizeof err);
    if (doc && strcmp(xml_name(doc), root) != 0) {
        xml_free(doc);
        doc = NULL;
    }
    return doc;
}

static void retention_keys(s3_req_t *s, const char *mode, double until, char out_mode[16],
                           char out_until[40], char days[24])
{
    double left = ceil((until - s->r->now) / DAY);

    snprintf(out_mode, 16, "%s", mode);
    clock_iso8601(until, out_until);
    snprintf(days, 24, "%.0f", left > 0 ? left : 0);
}

void s3_lock_condition_keys(s3_req_t *s, const char *action, char mode[16], char until[40],
                            char days[24], char hold[8])
{
    int retention =
        !strcmp(action, "s3:PutObjectRetention") ||
        (!strcmp(action, "s3:BypassGovernanceRetention") &&
         !strcmp(s->r->op->action, "s3:PutObjectRetention"));

    mode[0] = until[0] = days[0] = hold[0] = '\0';
    if (retention) {
        /* the retention the request sets */
        xml_node_t *doc = body_doc(s, "Retention");
        const char *m = xml_text(xml_child(doc, "Mode"));
        double t;
        if (doc && (!strcmp(m, "GOVERNANCE") || !strcmp(m, "COMPLIANCE")) &&
            s3_lock_parse_date(xml_text(xml_child(doc, "RetainUntilDate")), &t) == 0)
            retention_keys(s, m, t, mode, until, days);
        xml_free(doc);
    } else if (!strcmp(action, "s3:BypassGovernanceRetention")) {
        /* a delete: the lock of the version (s3_lock_may_delete) */
        if (s->lock.mode[0])
            retention_keys(s, s->lock.mode, s->lock.until, mode, until, days);
    } else if (!strcmp(action, "s3:PutObjectLegalHold")) {
        xml_node_t *doc = body_doc(s, "LegalHold");
        const char *st = xml_text(xml_child(doc, "Status"));
        if (!strcmp(st, "ON") || !strcmp(st, "OFF"))
            snprintf(hold, 8, "%s", st);
        xml_free(doc);
    } else if (!strcmp(action, "s3:PutObject") && (s->r->op->flags & S3_OP_NEW_OBJECT)) {
        /* the lock the write's headers ask for */
        char m[16] = "", u[64] = "", hd[8] = "";
        double t;
        if (lock_header(s, H_MODE, m, sizeof m) == 1 && lock_header(s, H_UNTIL, u, sizeof u) == 1 &&
            s3_lock_parse_date(u, &t) == 0)
            retention_keys(s, m, t, mode, until, days);
        if (lock_header(s, H_HOLD, hd, sizeof hd) == 1)
            snprintf(hold, 8, "%s", hd);
    }
}

/* ---- the operations ------------------------------------------------------------- */

/* The bucket (with Object Lock) and the version the request names: its
 * lock, version id (for an update) and whether it is current. 0, or -1
 * with the error set. */
static int lock_target(s3_req_t *s, char vid[S3_VERSION_ID_LEN + 1], s3_lock_t *lock, int *current)
{
    s3_lock_t def;
    double secs;
    int rc;

    if (s3_require_bucket(s) != 0 || (rc = s3_version_param(s, vid)) < 0)
        return -1;
    if ((rc = s3_lock_bucket(s, s->bucket, &def, &secs)) <= 0)
        return rc < 0 ? s3_fail(s, S3_E_INTERNAL)
                      : s3_error(s, 400, "InvalidRequest", NOT_ENABLED);
    rc = version_lock(s, s->key, vid[0] ? vid : NULL, lock, current);
    if (rc < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (rc == 2) {
        s->err_marker = 1;
        http_add_header(s->r->http, "x-amz-delete-marker", "true");
        return s3_fail(s, S3_E_METHOD_NOT_ALLOWED);
    }
    if (rc == 0)
        return vid[0] ? s3_fail(s, S3_E_NO_SUCH_VERSION)
                      : s3_fail(s, S3_E_NO_SUCH_KEY);
    return 0;
}

int s3_op_put_object_retention(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1];
    const xml_node_t *m, *d;
    s3_lock_t cur, want;
    xml_node_t *doc;
    int current, bypass, allowed;

    memset(&want, 0, sizeof want);
    if (s3_require_bucket(s) != 0)
        return -1;
    if (s->r->http->body.len == 0)
        return s3_fail(s, S3_E_MISSING_BODY);
    if ((doc = body_doc(s, "Retention")) == NULL)
        return s3_fail(s, S3_E_MALFORMED_XML);
    m = xml_child(doc, "Mode");
    d = xml_child(doc, "RetainUntilDate");
    /* <Retention/> asks for no retention; else both, a mode S3 knows and a date */
    if ((m != NULL) != (d != NULL) ||
        (m && strcmp(xml_text(m), "GOVERNANCE") && strcmp(xml_text(m), "COMPLIANCE")) ||
        (d && s3_lock_parse_date(xml_text(d), &want.until) != 0)) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    if (m)
        str_copy(want.mode, sizeof want.mode, xml_text(m));
    if (d && want.until <= s->r->now) {
        char text[64];
        str_copy(text, sizeof text, xml_text(d));
        xml_free(doc);
        return s3_error_arg(s, 400, "InvalidArgument", "RetainUntilDate", text,
                            "The retain until date must be in the future!");
    }
    xml_free(doc);
    if (lock_target(s, vid, &cur, &current) != 0 || (bypass = s3_lock_bypass(s)) < 0)
        return -1;
    /* a retention in force is only ever extended in its mode; COMPLIANCE
     * by no one, GOVERNANCE with the bypass for anything else */
    allowed = !cur.mode[0] || cur.until <= s->r->now ||
              (!strcmp(want.mode, cur.mode) && want.until >= cur.until);
    if (!allowed && (!strcmp(cur.mode, "COMPLIANCE") || !bypass))
        return s3_fail(s, S3_E_ACCESS_DENIED);
    if (!allowed && bypass_allowed(s, s->key, &cur) != 0)
        return -1;
    if (version_set(s, vid, current, 1, &want) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_get_object_retention(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1], date[32];
    s3_lock_t cur;
    int current;
    buf_t out;

    if (lock_target(s, vid, &cur, &current) != 0)
        return -1;
    if (!cur.mode[0])
        return s3_fail(s, S3_E_NO_LOCK_CONFIG);
    clock_iso8601(cur.until, date);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "Retention", XML_NS_S3);
    xml_elem(&out, "Mode", cur.mode);
    xml_elem(&out, "RetainUntilDate", date);
    xml_close(&out, "Retention");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

int s3_op_put_object_legal_hold(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1];
    const char *status;
    s3_lock_t cur, want;
    xml_node_t *doc;
    int current;

    memset(&want, 0, sizeof want);
    if (s3_require_bucket(s) != 0)
        return -1;
    if (s->r->http->body.len == 0)
        return s3_fail(s, S3_E_MISSING_BODY);
    doc = body_doc(s, "LegalHold");
    status = xml_text(xml_child(doc, "Status"));
    if (doc == NULL || (strcmp(status, "ON") && strcmp(status, "OFF"))) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    want.hold = !strcmp(status, "ON") ? S3_HOLD_ON : S3_HOLD_OFF;
    xml_free(doc);
    if (lock_target(s, vid, &cur, &current) != 0)
        return -1;
    if (version_set(s, vid, current, 0, &want) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_get_object_legal_hold(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1];
    s3_lock_t cur;
    int current;
    buf_t out;

    if (lock_target(s, vid, &cur, &current) != 0)
        return -1;
    if (cur.hold == S3_HOLD_NONE)
        return s3_fail(s, S3_E_NO_LOCK_CONFIG);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "LegalHold", XML_NS_S3);
    xml_elem(&out, "Status", cur.hold == S3_HOLD_ON ? "ON" : "OFF");
    xml_close(&out, "LegalHold");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}
