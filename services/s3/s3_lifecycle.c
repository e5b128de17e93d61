/* s3_lifecycle.c — a bucket's lifecycle rules at work on the emulator
 * clock: the checks S3 makes of a rule beyond its shape, the
 * x-amz-expiration header of PUT, HEAD and GET, and the sweep (S3's tick)
 * that expires current and noncurrent versions, transitions them to
 * another class and aborts incomplete multipart uploads, a bounded number
 * of actions per tick. The configuration document itself is stored by
 * s3_config.c. The rule checks of replication, S3's other rule-based
 * configuration, are here too, and the tick's other timed event: restores
 * that completed (ObjectRestore:Completed). */
#include "services/s3/s3_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xml.h"
#include "emulator/http.h"
#include "storage/db.h"

#define DAY 86400.0
#define SWEEP_MAX 256 /* actions per tick, so a large bucket never stalls the loop */
#define MAX_RULE_TAGS 10

/* One rule as the sweep and the header use it. */
typedef struct {
    char id[256];
    char prefix[S3_MAX_KEY + 1];
    struct {
        char k[129], v[257];
    } tags[MAX_RULE_TAGS];
    int ntags;
    long long size_gt, size_lt; /* -1: none */
    long exp_days;              /* 0: none */
    double exp_date;            /* 0: none */
    int exp_marker;             /* ExpiredObjectDeleteMarker true */
    long tr_days;               /* -1: none */
    double tr_date;
    char tr_class[24];
    long nc_days;               /* 0: none */
    long nct_days;              /* -1: none */
    long nc_newer, nct_newer;   /* NewerNoncurrentVersions kept (0: none) */
    char nct_class[24];
    long abort_days;            /* 0: none */
} lc_rule_t;

/* S3 counts a lifecycle day from the object's time, rounded up to the
 * next midnight UTC (AWS docs "Lifecycle configuration elements": "...
 * adding the number of days specified in the rule to the object creation
 * time and rounding the resulting time to the next day midnight UTC"). */
static double due_after(double t, long days)
{
    return (floor((t + days * DAY) / DAY) + 1) * DAY;
}

static int midnight(double t)
{
    return fmod(t, DAY) == 0;
}

static long num(const xml_node_t *n, long dflt)
{
    char *end;
    long v;

    if (n == NULL)
        return dflt;
    v = strtol(xml_text(n), &end, 10);
    return *end || xml_text(n)[0] == '\0' ? -2 : v;
}

/* The filter part of a rule: Prefix (of the rule, or Filter's, or
 * Filter/And's), Tag(s), ObjectSizeGreaterThan / ObjectSizeLessThan. */
static void parse_filter(const xml_node_t *rule, lc_rule_t *lr)
{
    const xml_node_t *f = xml_child(rule, "Filter"), *and = xml_child(f, "And"), *t;
    const xml_node_t *scope = and ? and : f;

    snprintf(lr->prefix, sizeof lr->prefix, "%s",
             xml_text(xml_child(rule, "Prefix"))[0] ? xml_text(xml_child(rule, "Prefix"))
                                                    : xml_text(xml_child(scope, "Prefix")));
    lr->size_gt = num(xml_child(scope, "ObjectSizeGreaterThan"), -1);
    lr->size_lt = num(xml_child(scope, "ObjectSizeLessThan"), -1);
    for (t = xml_child(scope, "Tag"); t && lr->ntags < MAX_RULE_TAGS; t = xml_next(t, "Tag")) {
        str_copy(lr->tags[lr->ntags].k, sizeof lr->tags[0].k, xml_text(xml_child(t, "Key")));
        str_copy(lr->tags[lr->ntags].v, sizeof lr->tags[0].v, xml_text(xml_child(t, "Value")));
        lr->ntags++;
    }
}

static void parse_rule(const xml_node_t *rule, lc_rule_t *lr)
{
    const xml_node_t *exp = xml_child(rule, "Expiration"), *tr = xml_child(rule, "Transition");
    const xml_node_t *nct = xml_child(rule, "NoncurrentVersionTransition");
    double d;

    memset(lr, 0, sizeof *lr);
    str_copy(lr->id, sizeof lr->id, xml_text(xml_child(rule, "ID")));
    parse_filter(rule, lr);
    lr->exp_days = num(xml_child(exp, "Days"), 0);
    lr->exp_marker = !strcmp(xml_text(xml_child(exp, "ExpiredObjectDeleteMarker")), "true");
    if (xml_child(exp, "Date") && s3_lock_parse_date(xml_text(xml_child(exp, "Date")), &d) == 0)
        lr->exp_date = d;
    lr->tr_days = num(xml_child(tr, "Days"), -1);
    lr->tr_date = 0;
    if (xml_child(tr, "Date") && s3_lock_parse_date(xml_text(xml_child(tr, "Date")), &d) == 0)
        lr->tr_date = d;
    str_copy(lr->tr_class, sizeof lr->tr_class, xml_text(xml_child(tr, "StorageClass")));
    lr->nc_days = num(xml_child(xml_child(rule, "NoncurrentVersionExpiration"), "NoncurrentDays"), 0);
    lr->nct_days = num(xml_child(nct, "NoncurrentDays"), -1);
    lr->nc_newer = num(xml_child(xml_child(rule, "NoncurrentVersionExpiration"),
                                 "NewerNoncurrentVersions"), 0);
    lr->nct_newer = num(xml_child(nct, "NewerNoncurrentVersions"), 0);
    str_copy(lr->nct_class, sizeof lr->nct_class, xml_text(xml_child(nct, "StorageClass")));
    lr->abort_days = num(xml_child(xml_child(rule, "AbortIncompleteMultipartUpload"),
                                   "DaysAfterInitiation"), 0);
}

/* The enabled rules of a stored configuration (caller frees); *n set. */
static lc_rule_t *load_rules(const char *doc_text, size_t *n)
{
    char err[128];
    xml_node_t *doc = doc_text ? xml_parse(doc_text, strlen(doc_text), NULL, err, sizeof err) : NULL;
    const xml_node_t *r;
    lc_rule_t *rules;
    size_t i = 0;

    *n = 0;
    if (doc == NULL)
        return NULL;
    rules = calloc(xml_count(doc, "Rule") + 1, sizeof *rules);
    for (r = xml_child(doc, "Rule"); rules && r; r = xml_next(r, "Rule"))
        if (!strcmp(xml_text(xml_child(r, "Status")), "Enabled"))
            parse_rule(r, &rules[i++]);
    xml_free(doc);
    *n = i;
    return rules;
}

/* 1 when the object (key, size, tags JSON) is in the rule's scope. */
static int matches(const lc_rule_t *lr, const char *key, long long size, const char *tags)
{
    cJSON *t;
    int i, ok = 1;

    if (strncmp(key, lr->prefix, strlen(lr->prefix)) != 0)
        return 0;
    if ((lr->size_gt >= 0 && size <= lr->size_gt) || (lr->size_lt >= 0 && size >= lr->size_lt))
        return 0;
    if (lr->ntags == 0)
        return 1;
    t = tags ? cJSON_Parse(tags) : NULL;
    for (i = 0; i < lr->ntags && ok; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, lr->tags[i].k);
        ok = cJSON_IsString(v) && !strcmp(v->valuestring, lr->tags[i].v);
    }
    cJSON_Delete(t);
    return ok;
}

/* When the rule expires a current object made at lm (0: it does not). */
static double expiry_of(const lc_rule_t *lr, double lm)
{
    if (lr->exp_days > 0)
        return due_after(lm, lr->exp_days);
    return lr->exp_date > 0 ? lr->exp_date : 0;
}

/* ---- validation ------------------------------------------------------------------ */

/* Messages as S3 answered them (recorded by other S3 implementers against
 * AWS; s3-tests' test_lifecycle_*). */
int s3_lifecycle_check_rule(s3_req_t *s, const xml_node_t *rule)
{
    static const char *const classes[] = {"GLACIER", "STANDARD_IA", "ONEZONE_IA",
                                          "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR", NULL};
    const xml_node_t *f = xml_child(rule, "Filter"), *and = xml_child(f, "And");
    const xml_node_t *scope = and ? and : f, *exp = xml_child(rule, "Expiration"), *t, *t2;
    int tags = xml_child(scope, "Tag") != NULL, sizes, dated = 0, counted = 0;
    long gt = num(xml_child(scope, "ObjectSizeGreaterThan"), -1);
    long lt = num(xml_child(scope, "ObjectSizeLessThan"), -1);
    double d;

    sizes = gt != -1 || lt != -1;
    if (gt < -1 || (xml_child(scope, "ObjectSizeGreaterThan") && gt < 0))
        return s3_error(s, 400, "InvalidRequest",
                        "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000.");
    if (lt < -1 || (xml_child(scope, "ObjectSizeLessThan") && lt < 1))
        return s3_error(s, 400, "InvalidRequest",
                        "'ObjectSizeLessThan' should be between 1 and 1099511627776000.");
    if (gt >= 0 && lt >= 0 && lt <= gt)
        return s3_error(s, 400, "InvalidRequest",
                        "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
    for (t = xml_child(scope, "Tag"); t; t = xml_next(t, "Tag"))
        for (t2 = xml_next(t, "Tag"); t2; t2 = xml_next(t2, "Tag"))
            if (!strcmp(xml_text(xml_child(t, "Key")), xml_text(xml_child(t2, "Key"))))
                return s3_error(s, 400, "InvalidRequest", "Duplicate Tag Keys are not allowed.");
    if (xml_child(exp, "Date")) {
        if (s3_lock_parse_date(xml_text(xml_child(exp, "Date")), &d) != 0)
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (!midnight(d))
            return s3_error(s, 400, "InvalidArgument", "'Date' must be at midnight GMT");
        dated = 1;
    }
    counted = xml_child(exp, "Days") != NULL;
    if (xml_child(exp, "ExpiredObjectDeleteMarker") && tags)
        return s3_error(s, 400, "InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags.");
    if (xml_child(exp, "ExpiredObjectDeleteMarker") && sizes)
        return s3_error(s, 400, "InvalidRequest",
                        "ExpiredObjectDeleteMarker cannot be specified with Object Size.");
    if (xml_child(rule, "AbortIncompleteMultipartUpload") && tags)
        return s3_error(s, 400, "InvalidRequest",
                        "AbortIncompleteMultipartUpload cannot be specified with Tags.");
    if (xml_child(rule, "AbortIncompleteMultipartUpload") && sizes)
        return s3_error(s, 400, "InvalidRequest",
                        "AbortIncompleteMultipartUpload cannot be specified with Object Size.");
    for (t = xml_child(rule, "Transition"); t; t = xml_next(t, "Transition")) {
        const char *cls = xml_text(xml_child(t, "StorageClass"));
        const xml_node_t *dn = xml_child(t, "Days"), *dt = xml_child(t, "Date");
        size_t i;
        int known = 0;
        for (i = 0; classes[i]; i++)
            known |= !strcmp(cls, classes[i]);
        if (!known || (dn != NULL) == (dt != NULL) || (dn && num(dn, 0) < -1))
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (dn && num(dn, 0) < 0)
            return s3_error(s, 400, "InvalidArgument", "'Days' in Transition action must be nonnegative");
        if (dn && num(dn, 0) < 30 && (!strcmp(cls, "STANDARD_IA") || !strcmp(cls, "ONEZONE_IA")))
            return s3_error(s, 400, "InvalidArgument",
                            "'Days' in Transition action must be greater than or equal to 30 for "
                            "storageClass '%s'", cls);
        if (dt && (s3_lock_parse_date(xml_text(dt), &d) != 0 || !midnight(d)))
            return s3_error(s, 400, "InvalidArgument", "'Date' must be at midnight GMT");
        dated |= dt != NULL;
        counted |= dn != NULL;
        for (t2 = xml_next(t, "Transition"); t2; t2 = xml_next(t2, "Transition"))
            if (!strcmp(cls, xml_text(xml_child(t2, "StorageClass"))))
                return s3_error(s, 400, "InvalidRequest",
                                "'StorageClass' must be different for 'Transition' actions in same "
                                "'Rule'");
    }
    if (dated && counted)
        return s3_error(s, 400, "InvalidRequest",
                        "Found mixed 'Date' and 'Days' based Expiration and Transition actions in "
                        "lifecycle rule");
    return 0;
}

/* Messages as S3 answered them (recorded by other S3 implementers checked
 * against AWS: OpenIO's s3api replication tests; terraform users' logs). */
int s3_replication_check_rule(s3_req_t *s, const xml_node_t *doc, const xml_node_t *rule)
{
    static const char *const classes[] = {"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA",
                                          "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                                          "DEEP_ARCHIVE", "GLACIER_IR", NULL};
    const xml_node_t *pri = xml_child(rule, "Priority"), *r2;
    const char *cls = xml_text(xml_child(xml_child(rule, "Destination"), "StorageClass"));
    size_t i;
    int known = cls[0] == '\0';

    if (strlen(xml_text(xml_child(rule, "ID"))) > 255)
        return s3_error_arg(s, 400, "InvalidArgument", "ID", xml_text(xml_child(rule, "ID")),
                            "The maximum value is 255 characters.");
    for (i = 0; classes[i]; i++)
        known |= !strcmp(cls, classes[i]);
    if (!known)
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (xml_child(rule, "Filter") == NULL)
        return 0; /* the first schema: a Prefix, no priorities */
    if (pri == NULL)
        return s3_error(s, 400, "InvalidRequest",
                        "Priority must be specified for this version of Cross Region Replication "
                        "configuration schema. Please refer to S3 Developer Guide for more "
                        "information.");
    if (xml_child(rule, "DeleteMarkerReplication") == NULL)
        return s3_error(s, 400, "InvalidRequest",
                        "DeleteMarkerReplication must be specified for this version of Cross "
                        "Region Replication configuration schema. Please refer to S3 Developer "
                        "Guide for more information.");
    for (r2 = xml_child(doc, "Rule"); r2 && r2 != rule; r2 = xml_next(r2, "Rule"))
        if (!strcmp(xml_text(xml_child(r2, "Priority")), xml_text(pri)))
            return s3_error(s, 400, "InvalidRequest", "Found duplicate priority %s. Priority "
                            "numbers must be unique.", xml_text(pri));
    return 0;
}

/* ---- x-amz-expiration --------------------------------------------------------- */

void s3_expiration_header(s3_req_t *s, const char *key, double lm, long long size, const char *tags)
{
    char *doc = s3_config_get(s, s->bucket, "lifecycle");
    lc_rule_t *rules, *best = NULL;
    double when = 0;
    size_t n, i;

    if (doc == NULL)
        return;
    rules = load_rules(doc, &n);
    free(doc);
    for (i = 0; rules && i < n; i++) {
        double e = expiry_of(&rules[i], lm);
        if (e > 0 && matches(&rules[i], key, size, tags) && (best == NULL || e < when)) {
            best = &rules[i];
            when = e;
        }
    }
    if (best) {
        char date[64], v[400];
        s3_http_date(when, date, sizeof date);
        snprintf(v, sizeof v, "expiry-date=\"%s\", rule-id=\"%s\"", date, best->id);
        http_add_header(s->r->http, "x-amz-expiration", v);
    }
    free(rules);
}

/* ---- the sweep ---------------------------------------------------------------- */

/* A request of the tick's own, for the functions that act on a bucket. */
typedef struct {
    svc_req_t r;
    s3_req_t s;
} bg_req_t;

static void bg_init(bg_req_t *b, emu_t *emu, const char *bucket, const char *account)
{
    memset(b, 0, sizeof *b);
    b->r.emu = emu;
    b->r.service = "s3";
    b->r.operation = "Lifecycle";
    b->r.now = clock_now();
    str_copy(b->r.account, sizeof b->r.account, account);
    b->r.svc_ctx = &b->s;
    b->s.r = &b->r;
    str_copy(b->s.bucket, sizeof b->s.bucket, bucket);
    b->s.versioning = s3_bucket_versioning(&b->s, bucket);
}

typedef struct {
    char key[S3_MAX_KEY + 1];
    char vid[S3_VERSION_ID_LEN + 1];
} lc_item_t;

/* Current objects under the rule the rule expires or transitions now. */
static int sweep_current(bg_req_t *b, const lc_rule_t *lr, int budget)
{
    sqlite3_stmt *st = db_query(b->r.emu->db,
                                "SELECT key, last_modified, size, tags, storage_class FROM "
                                "s3_objects WHERE bucket=?1 AND key>=?2 ORDER BY key",
                                "ss", b->s.bucket, lr->prefix);
    lc_item_t *exp = calloc((size_t)budget, sizeof *exp), *tr = calloc((size_t)budget, sizeof *tr);
    int ne = 0, nt = 0, i;
    double now = b->r.now;

    while (st && exp && tr && ne + nt < budget && db_row(st) == 1) {
        const char *key = db_text(st, 0), *cls = db_text(st, 4);
        double lm = sqlite3_column_double(st, 1), e = expiry_of(lr, lm), t;
        if (strncmp(key, lr->prefix, strlen(lr->prefix)) != 0)
            break;
        if (!matches(lr, key, sqlite3_column_int64(st, 2), db_text(st, 3)))
            continue;
        t = lr->tr_days >= 0 ? due_after(lm, lr->tr_days) : lr->tr_date;
        if (e > 0 && e <= now)
            str_copy(exp[ne++].key, sizeof exp[0].key, key);
        else if (lr->tr_class[0] && t > 0 && t <= now && strcmp(cls ? cls : "", lr->tr_class))
            str_copy(tr[nt++].key, sizeof tr[0].key, key);
    }
    if (st)
        db_done(st);
    for (i = 0; i < nt; i++)
        db_run(b->r.emu->db, "UPDATE s3_objects SET storage_class=?3, restore_ready=NULL, "
                             "restore_until=NULL WHERE bucket=?1 AND key=?2", "sss",
               b->s.bucket, tr[i].key, lr->tr_class);
    for (i = 0; i < ne; i++) {
        s3_deleted_t out;
        s3_event_obj_t ev = {exp[i].key, 0, NULL, NULL};
        if (s3_delete_key(&b->s, exp[i].key, NULL, 0, &out) < 0) {
            log_msg("lifecycle: %s/%s not expired", b->s.bucket, exp[i].key);
            continue;
        }
        ev.version_id = out.version_id;
        s3_notify(&b->s, out.marker ? "s3:LifecycleExpiration:DeleteMarkerCreated"
                                    : "s3:LifecycleExpiration:Delete", &ev);
    }
    free(exp);
    free(tr);
    return ne + nt;
}

/* Noncurrent versions: expired (removed for good) or transitioned, counted
 * from when they became noncurrent (the next newer version's time). */
static int sweep_noncurrent(bg_req_t *b, const lc_rule_t *lr, int budget)
{
    sqlite3_stmt *st = db_query(
        b->r.emu->db,
        "SELECT v.key, v.version_id, v.size, v.tags, v.storage_class, coalesce("
        "(SELECT w.last_modified FROM s3_versions w WHERE w.bucket=v.bucket AND w.key=v.key AND "
        "w.id>v.id ORDER BY w.id LIMIT 1), (SELECT o.last_modified FROM s3_objects o WHERE "
        "o.bucket=v.bucket AND o.key=v.key)), v.marker, "
        /* how many noncurrent versions are newer (a newest marker is current) */
        "(SELECT count(*) FROM s3_versions w WHERE w.bucket=v.bucket AND w.key=v.key AND "
        "w.id>v.id) - NOT EXISTS (SELECT 1 FROM s3_objects o WHERE o.bucket=v.bucket AND "
        "o.key=v.key) FROM s3_versions v WHERE v.bucket=?1 AND v.key>=?2 ORDER BY v.key, v.id",
        "ss", b->s.bucket, lr->prefix);
    lc_item_t *exp = calloc((size_t)budget, sizeof *exp), *tr = calloc((size_t)budget, sizeof *tr);
    int ne = 0, nt = 0, i;

    while (st && exp && tr && ne + nt < budget && db_row(st) == 1) {
        const char *key = db_text(st, 0), *cls = db_text(st, 4);
        double since = sqlite3_column_double(st, 5);
        long newer;
        if (strncmp(key, lr->prefix, strlen(lr->prefix)) != 0)
            break;
        if (since <= 0 || !matches(lr, key, sqlite3_column_int64(st, 2), db_text(st, 3)))
            continue;
        newer = (long)sqlite3_column_int64(st, 7);
        if (lr->nc_days > 0 && due_after(since, lr->nc_days) <= b->r.now &&
            newer >= lr->nc_newer) {
            str_copy(exp[ne].key, sizeof exp[0].key, key);
            str_copy(exp[ne++].vid, sizeof exp[0].vid, db_text(st, 1));
        } else if (lr->nct_days >= 0 && !sqlite3_column_int(st, 6) &&
                   due_after(since, lr->nct_days) <= b->r.now && newer >= lr->nct_newer &&
                   strcmp(cls ? cls : "", lr->nct_class)) {
            str_copy(tr[nt].key, sizeof tr[0].key, key);
            str_copy(tr[nt++].vid, sizeof tr[0].vid, db_text(st, 1));
        }
    }
    if (st)
        db_done(st);
    for (i = 0; i < nt; i++)
        db_run(b->r.emu->db, "UPDATE s3_versions SET storage_class=?4 WHERE bucket=?1 AND key=?2 "
                             "AND version_id=?3", "ssss", b->s.bucket, tr[i].key, tr[i].vid,
               lr->nct_class);
    for (i = 0; i < ne; i++) {
        s3_deleted_t out;
        s3_event_obj_t ev = {exp[i].key, 0, NULL, exp[i].vid};
        if (s3_delete_key(&b->s, exp[i].key, exp[i].vid, 0, &out) < 0)
            log_msg("lifecycle: %s/%s version %s not expired", b->s.bucket, exp[i].key, exp[i].vid);
        else
            s3_notify(&b->s, "s3:LifecycleExpiration:Delete", &ev);
    }
    free(exp);
    free(tr);
    return ne + nt;
}

/* Aborts one upload: its rows go (the parts with it), then its blobs. */
static void abort_upload(bg_req_t *b, const char *upload_id)
{
    sqlite3_stmt *st = db_query(b->r.emu->db, "SELECT blob_id FROM s3_parts WHERE upload_id=?1",
                                "s", upload_id);
    char (*blobs)[BLOB_ID_LEN + 1] = NULL;
    size_t n = 0, i;

    while (st && db_row(st) == 1) {
        char (*nb)[BLOB_ID_LEN + 1] = realloc(blobs, (n + 1) * sizeof *blobs);
        if (nb == NULL)
            break;
        blobs = nb;
        snprintf(blobs[n++], BLOB_ID_LEN + 1, "%s", db_text(st, 0));
    }
    if (st)
        db_done(st);
    if (db_run(b->r.emu->db, "DELETE FROM s3_parts WHERE upload_id=?1", "s", upload_id) == 0 &&
        db_run(b->r.emu->db, "DELETE FROM s3_uploads WHERE upload_id=?1", "s", upload_id) == 0)
        for (i = 0; i < n; i++)
            s3_drop_blob(&b->s, blobs[i]); /* no row names them any more */
    free(blobs);
}

/* Expired object delete markers: a marker that is a key's only version
 * left (AWS docs "Removing expired object delete markers"). */
static int sweep_markers(bg_req_t *b, const lc_rule_t *lr, int budget)
{
    sqlite3_stmt *st = db_query(
        b->r.emu->db,
        "SELECT v.key, v.version_id FROM s3_versions v WHERE v.bucket=?1 AND v.key>=?2 AND "
        "v.marker=1 AND NOT EXISTS (SELECT 1 FROM s3_objects o WHERE o.bucket=v.bucket AND "
        "o.key=v.key) AND NOT EXISTS (SELECT 1 FROM s3_versions w WHERE w.bucket=v.bucket AND "
        "w.key=v.key AND w.id<>v.id) ORDER BY v.key",
        "ss", b->s.bucket, lr->prefix);
    lc_item_t *m = calloc((size_t)budget, sizeof *m);
    int n = 0, i;

    while (st && m && n < budget && db_row(st) == 1) {
        if (strncmp(db_text(st, 0), lr->prefix, strlen(lr->prefix)) != 0)
            break;
        str_copy(m[n].key, sizeof m[0].key, db_text(st, 0));
        str_copy(m[n++].vid, sizeof m[0].vid, db_text(st, 1));
    }
    if (st)
        db_done(st);
    for (i = 0; i < n; i++) {
        s3_deleted_t out;
        if (s3_delete_key(&b->s, m[i].key, m[i].vid, 0, &out) < 0)
            log_msg("lifecycle: %s/%s delete marker not removed", b->s.bucket, m[i].key);
    }
    free(m);
    return n;
}

/* Incomplete multipart uploads started DaysAfterInitiation ago. */
static int sweep_uploads(bg_req_t *b, const lc_rule_t *lr, int budget)
{
    sqlite3_stmt *st = db_query(b->r.emu->db,
                                "SELECT upload_id, initiated, key FROM s3_uploads WHERE bucket=?1 "
                                "AND key>=?2 ORDER BY key", "ss", b->s.bucket, lr->prefix);
    lc_item_t *ids = calloc((size_t)budget, sizeof *ids);
    int n = 0, i;

    while (st && ids && n < budget && db_row(st) == 1) {
        if (strncmp(db_text(st, 2), lr->prefix, strlen(lr->prefix)) != 0)
            break;
        if (due_after(sqlite3_column_double(st, 1), lr->abort_days) <= b->r.now)
            str_copy(ids[n++].key, sizeof ids[0].key, db_text(st, 0));
    }
    if (st)
        db_done(st);
    for (i = 0; i < n; i++)
        abort_upload(b, ids[i].key);
    free(ids);
    return n;
}

/* A sweep reads every key under a rule's prefix, so it runs when there can
 * be new work: the emulator clock was moved, the last sweep ran out of
 * budget, or a minute passed (lifecycle days are coarse; AWS itself acts
 * once a day). */
#define SWEEP_EVERY 60.0

static int pending = 1; /* the next tick sweeps whatever the clock did */

void s3_lifecycle_wake(void)
{
    pending = 1;
}

static int sweep_due(void)
{
    static double last_offset, last_real;
    double off = clock_offset(), real = clock_real();

    if (!pending && off == last_offset && real - last_real < SWEEP_EVERY)
        return 0;
    last_offset = off;
    last_real = real;
    pending = 0;
    return 1;
}

/* ObjectRestore:Completed for the restores that completed since the last
 * tick (a process looks back no further than its own start: a restart
 * does not repeat events). */
static double restores_seen; /* restores completed up to here were told */

void s3_lifecycle_start(void)
{
    restores_seen = clock_now();
}

static void restores_completed(emu_t *emu)
{
    double now = clock_now(), last = restores_seen;
    sqlite3_stmt *st;
    bg_req_t *b;
    int told = 0;

    if (now <= last) {
        restores_seen = now; /* the clock was reset */
        return;
    }
    if ((b = malloc(sizeof *b)) == NULL)
        return;
    st = db_query(emu->db,
                  "SELECT o.bucket, o.key, o.size, o.etag, o.version_id, bk.account, "
                  "o.restore_ready FROM s3_objects o JOIN s3_buckets bk ON bk.name=o.bucket "
                  "WHERE o.restore_ready>?1 AND o.restore_ready<=?2 UNION ALL SELECT v.bucket, "
                  "v.key, v.size, v.etag, v.version_id, bk.account, v.restore_ready FROM "
                  "s3_versions v JOIN s3_buckets bk ON bk.name=v.bucket WHERE "
                  "v.restore_ready>?1 AND v.restore_ready<=?2 ORDER BY 7 LIMIT ?3",
                  "ddi", last, now, SWEEP_MAX);
    while (st && db_row(st) == 1) {
        /* a full page: the next tick goes on from the last one told */
        if (++told == SWEEP_MAX)
            now = sqlite3_column_double(st, 6);
        s3_event_obj_t ev = {db_text(st, 1), (uint64_t)sqlite3_column_int64(st, 2), db_text(st, 3),
                             db_text(st, 4)};
        bg_init(b, emu, db_text(st, 0), db_text(st, 5));
        s3_notify(&b->s, "s3:ObjectRestore:Completed", &ev);
    }
    if (st)
        db_done(st);
    free(b);
    restores_seen = now;
}

void s3_lifecycle_tick(emu_t *emu)
{
    sqlite3_stmt *st;
    struct lc_bucket {
        char name[64], account[13];
        char *doc;
    } *bs = NULL;
    size_t nb = 0, i, j, n;
    int budget = SWEEP_MAX;

    restores_completed(emu);
    if (!sweep_due())
        return;
    st = db_query(emu->db, "SELECT c.bucket, b.account, c.doc FROM s3_bucket_configs c JOIN "
                           "s3_buckets b ON b.name=c.bucket WHERE c.name='lifecycle'", "");
    while (st && db_row(st) == 1) {
        struct lc_bucket *nbs = realloc(bs, (nb + 1) * sizeof *bs);
        if (nbs == NULL)
            break;
        bs = nbs;
        str_copy(bs[nb].name, sizeof bs[nb].name, db_text(st, 0));
        str_copy(bs[nb].account, sizeof bs[nb].account, db_text(st, 1));
        bs[nb++].doc = strdup(db_text(st, 2));
    }
    if (st)
        db_done(st);
    for (i = 0; i < nb; i++) {
        lc_rule_t *rules = load_rules(bs[i].doc, &n);
        bg_req_t *b = malloc(sizeof *b);
        for (j = 0; b && rules && j < n && budget > 0; j++) {
            bg_init(b, emu, bs[i].name, bs[i].account);
            if (rules[j].exp_days > 0 || rules[j].exp_date > 0 || rules[j].tr_class[0])
                budget -= sweep_current(b, &rules[j], budget);
            if (budget > 0 && (rules[j].nc_days > 0 || rules[j].nct_class[0]))
                budget -= sweep_noncurrent(b, &rules[j], budget);
            if (budget > 0 && rules[j].exp_marker)
                budget -= sweep_markers(b, &rules[j], budget);
            if (budget > 0 && rules[j].abort_days > 0)
                budget -= sweep_uploads(b, &rules[j], budget);
        }
        free(b);
        free(rules);
        free(bs[i].doc);
    }
    free(bs);
    if (budget <= 0)
        s3_lifecycle_wake();
}
