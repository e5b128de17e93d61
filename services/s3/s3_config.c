/* s3_config.c — a bucket's configuration sub-resources (CORS, website,
 * lifecycle, replication, tagging, accelerate, request payment, logging,
 * object lock, public access block, ownership controls), kept as the
 * canonical documents S3 answers with. ACLs are in s3_acl.c, the CORS
 * preflight and headers in s3_cors.c. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/codec.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "base/xml.h"


void s3_canonical_id(const char *account, char out[65])
{
    /* the last account's id, per thread: every PUT and listing asks */
    static _Thread_local char last_account[32], last_id[65];
    uint8_t md[SHA256_DIGEST_LENGTH];
    char in[128];

    if (last_id[0] && !strcmp(account, last_account)) {
        memcpy(out, last_id, 65);
        return;
    }
    snprintf(in, sizeof in, "awsemu canonical user %s", account);
    SHA256((const uint8_t *)in, strlen(in), md);
    codec_hex(md, sizeof md, out);
    if (strlen(account) < sizeof last_account) {
        memcpy(last_account, account, strlen(account) + 1);
        memcpy(last_id, out, 65);
    }
}

/* ---- storage ---------------------------------------------------------------- */

int s3_config_set(s3_req_t *s, const char *bucket, const char *name, const char *doc)
{
    sqlite3_stmt *st;
    int rc;

    st = db_query(s->r->emu->db,
                               doc ? "INSERT OR REPLACE INTO s3_bucket_configs (bucket, name, doc) "
                                     "VALUES (?1, ?2, ?3)"
                                   : "DELETE FROM s3_bucket_configs WHERE bucket=?1 AND name=?2", "ss", bucket, name);
    if (st == NULL)
        return -1;
    if (doc)
        sqlite3_bind_text(st, 3, doc, -1, SQLITE_STATIC);
    if (!strcmp(bucket, s->bucket))
        s3_bucket_changed(s);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE)
        return -1;
    if (!strcmp(name, "lifecycle") || !strcmp(name, "notification")) {
        /* the bucket row's note of which it has (022), in the same transaction */
        int bit = name[0] == 'l' ? 1 : 2;
        if (db_run(s->r->emu->db, "UPDATE s3_buckets SET docs = (docs & ~?2) | ?3 WHERE name=?1",
                   "sii", bucket, bit, doc ? bit : 0) != 0)
            return -1;
    }
    return 0;
}

char *s3_config_get(s3_req_t *s, const char *bucket, const char *name)
{
    sqlite3_stmt *st;
    char *v = NULL;

    if (s3_bucket_kept_config(s, bucket, name, &v))
        return v;
    st = db_query(s->r->emu->db, "SELECT doc FROM s3_bucket_configs WHERE bucket=?1 "
                                              "AND name=?2", "ss", bucket, name);
    if (st == NULL)
        return NULL;
    if (db_row(st) == 1)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    db_done(st);
    return v;
}

/* The stored document parsed (caller frees), or NULL. */
xml_node_t *s3_config_doc(s3_req_t *s, const char *bucket, const char *name)
{
    char *text = s3_config_get(s, bucket, name), err[128];
    xml_node_t *doc = text ? xml_parse(text, strlen(text), NULL, err, sizeof err) : NULL;

    free(text);
    return doc;
}

/* ---- canonical documents ------------------------------------------------------ */

/* Writes n (elements and their text; a leaf's text, an inner element's
 * children) as S3 would answer it. */
static void copy_children(buf_t *b, const xml_node_t *n);

static void copy_node(buf_t *b, const xml_node_t *n)
{
    if (xml_child(n, NULL) == NULL) {
        xml_elem_n(b, xml_name(n), xml_text(n), xml_text_len(n));
        return;
    }
    xml_open(b, xml_name(n));
    copy_children(b, n);
    xml_close(b, xml_name(n));
}

static void copy_children(buf_t *b, const xml_node_t *n)
{
    const xml_node_t *c;

    for (c = xml_child(n, NULL); c; c = xml_next(c, NULL))
        copy_node(b, c);
}

void s3_xml_copy_doc(buf_t *b, const xml_node_t *doc, const char *root)
{
    xml_open_ns(b, root, XML_NS_S3);
    copy_children(b, doc);
    xml_close(b, root);
}

/* Rules that need an ID get a random one when the request left it out. */
static void copy_rules_with_ids(buf_t *b, const xml_node_t *doc)
{
    const xml_node_t *c;

    for (c = xml_child(doc, NULL); c; c = xml_next(c, NULL)) {
        if (strcmp(xml_name(c), "Rule") != 0 || xml_child(c, "ID") != NULL) {
            copy_node(b, c);
            continue;
        }
        {
            uint8_t rnd[12];
            char id[25];
            codec_random(rnd, sizeof rnd);
            codec_hex(rnd, sizeof rnd, id);
            xml_open(b, "Rule");
            xml_elem(b, "ID", id);
            copy_children(b, c);
            xml_close(b, "Rule");
        }
    }
}

static int is_int(const char *v, long *out)
{
    char *end;

    if (!*v)
        return 0;
    *out = strtol(v, &end, 10);
    return *end == '\0';
}

/* ---- validation of each configuration ----------------------------------------- */

/* Each check validates doc and writes the stored document's children into
 * body (left empty: a plain copy of doc), or sets the error and returns -1;
 * 1 means "store nothing" (an empty configuration). */
typedef int (*check_fn)(s3_req_t *s, const xml_node_t *doc, buf_t *body);

static const char *const cors_methods[] = {"GET", "PUT", "HEAD", "POST", "DELETE", NULL};

static int check_cors(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const xml_node_t *r, *c;
    size_t n = xml_count(doc, "CORSRule");

    (void)body;
    if (n == 0 || n > 100 || xml_count(doc, NULL) != n)
        return s3_fail(s, S3_E_MALFORMED_XML);
    for (r = xml_child(doc, "CORSRule"); r; r = xml_next(r, "CORSRule")) {
        long v;
        if (xml_count(r, "AllowedMethod") == 0 || xml_count(r, "AllowedOrigin") == 0)
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (xml_child(r, "ID") && strlen(xml_text(xml_child(r, "ID"))) > 255)
            return s3_error(s, 400, "InvalidArgument", "Rule ID length should not exceed allowed limit of 255");
        for (c = xml_child(r, "AllowedMethod"); c; c = xml_next(c, "AllowedMethod")) {
            size_t i;
            int ok = 0;
            for (i = 0; cors_methods[i]; i++)
                ok |= !strcmp(xml_text(c), cors_methods[i]);
            if (!ok)
                return s3_error(s, 400, "InvalidRequest",
                                "Found unsupported HTTP method in CORS config. Unsupported method "
                                "is %s",
                                xml_text(c));
        }
        for (c = xml_child(r, "AllowedOrigin"); c; c = xml_next(c, "AllowedOrigin")) {
            const char *star = strchr(xml_text(c), '*');
            if (star && strchr(star + 1, '*'))
                return s3_error(s, 400, "InvalidRequest",
                                "AllowedOrigin \"%s\" can not have more than one wildcard.",
                                xml_text(c));
        }
        for (c = xml_child(r, "AllowedHeader"); c; c = xml_next(c, "AllowedHeader")) {
            const char *star = strchr(xml_text(c), '*');
            if (star && strchr(star + 1, '*'))
                return s3_error(s, 400, "InvalidRequest",
                                "AllowedHeader \"%s\" can not have more than one wildcard.",
                                xml_text(c));
        }
        if (xml_child(r, "MaxAgeSeconds") && !is_int(xml_text(xml_child(r, "MaxAgeSeconds")), &v))
            return s3_fail(s, S3_E_MALFORMED_XML);
    }
    return 0;
}

static int check_website(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const xml_node_t *redir = xml_child(doc, "RedirectAllRequestsTo");
    const xml_node_t *idx = xml_child(doc, "IndexDocument"), *rules, *r;
    const char *suffix;

    (void)body;
    if (redir) {
        if (xml_text(xml_child(redir, "HostName"))[0] == '\0')
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (idx || xml_child(doc, "ErrorDocument") || xml_child(doc, "RoutingRules"))
            return s3_error(s, 400, "InvalidRequest",
                            "RedirectAllRequestsTo cannot be provided in conjunction with other "
                            "Routing Rules.");
        return 0;
    }
    if (idx == NULL)
        return s3_error(s, 400, "InvalidArgument",
                        "A value for IndexDocument Suffix must be provided if "
                        "RedirectAllRequestsTo is empty");
    suffix = xml_text(xml_child(idx, "Suffix"));
    if (suffix[0] == '\0' || strchr(suffix, '/'))
        return s3_error(s, 400, "InvalidArgument", "The IndexDocument Suffix is not well formed");
    if (xml_child(doc, "ErrorDocument") && xml_text(xml_child(xml_child(doc, "ErrorDocument"), "Key"))[0] == '\0')
        return s3_error(s, 400, "InvalidArgument", "The ErrorDocument Key is not well formed");
    rules = xml_child(doc, "RoutingRules");
    for (r = xml_child(rules, "RoutingRule"); r; r = xml_next(r, "RoutingRule"))
        if (xml_child(r, "Redirect") == NULL)
            return s3_fail(s, S3_E_MALFORMED_XML);
    return 0;
}

static int check_lifecycle(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    static const char *const actions[] = {"Expiration", "Transition", "NoncurrentVersionExpiration",
                                          "NoncurrentVersionTransition",
                                          "AbortIncompleteMultipartUpload", NULL};
    const xml_node_t *r, *r2;
    size_t n = xml_count(doc, "Rule");

    if (n == 0 || n > 1000)
        return s3_fail(s, S3_E_MALFORMED_XML);
    for (r = xml_child(doc, "Rule"); r; r = xml_next(r, "Rule")) {
        const char *status = xml_text(xml_child(r, "Status"));
        const xml_node_t *exp = xml_child(r, "Expiration");
        size_t i;
        int acts = 0;
        long v;
        if (strcmp(status, "Enabled") && strcmp(status, "Disabled"))
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (xml_child(r, "Filter") && xml_child(r, "Prefix"))
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (xml_child(r, "ID") && strlen(xml_text(xml_child(r, "ID"))) > 255)
            return s3_error(s, 400, "InvalidArgument", "ID length should not exceed allowed limit of 255");
        if (xml_child(r, "ID"))
            for (r2 = xml_next(r, "Rule"); r2; r2 = xml_next(r2, "Rule"))
                if (xml_child(r2, "ID") && !strcmp(xml_text(xml_child(r, "ID")), xml_text(xml_child(r2, "ID"))))
                    return s3_error(s, 400, "InvalidArgument",
                                    "Rule ID must be unique. Found same ID for more than one rule");
        for (i = 0; actions[i]; i++)
            acts += xml_child(r, actions[i]) != NULL;
        if (acts == 0)
            return s3_error(s, 400, "InvalidRequest", "At least one action needs to be specified in a rule");
        if (s3_lifecycle_check_rule(s, r) != 0)
            return -1;
        if (exp) {
            int nexp = (xml_child(exp, "Days") != NULL) + (xml_child(exp, "Date") != NULL) +
                       (xml_child(exp, "ExpiredObjectDeleteMarker") != NULL);
            if (nexp != 1)
                return s3_fail(s, S3_E_MALFORMED_XML);
            if (xml_child(exp, "Days") && (!is_int(xml_text(xml_child(exp, "Days")), &v) || v <= 0))
                return s3_error(s, 400, "InvalidArgument",
                                "'Days' for Expiration action must be a positive integer");
        }
        if (xml_child(r, "NoncurrentVersionExpiration")) {
            const char *d = xml_text(xml_child(xml_child(r, "NoncurrentVersionExpiration"), "NoncurrentDays"));
            if (!is_int(d, &v) || v <= 0)
                return s3_error(s, 400, "InvalidArgument",
                                "'NoncurrentDays' for NoncurrentVersionExpiration action must be a "
                                "positive integer");
        }
        if (xml_child(r, "AbortIncompleteMultipartUpload")) {
            const char *d = xml_text(xml_child(xml_child(r, "AbortIncompleteMultipartUpload"),
                                               "DaysAfterInitiation"));
            if (!is_int(d, &v) || v <= 0)
                return s3_error(s, 400, "InvalidArgument",
                                "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action "
                                "must be a positive integer");
        }
    }
    copy_rules_with_ids(body, doc);
    return 0;
}

static int check_replication(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const xml_node_t *r;

    if (s->versioning != S3_VERSIONING_ENABLED)
        return s3_error(s, 400, "InvalidRequest",
                        "Versioning must be 'Enabled' on the bucket to apply a replication "
                        "configuration");
    if (xml_text(xml_child(doc, "Role"))[0] == '\0' || xml_count(doc, "Rule") == 0 ||
        xml_count(doc, "Rule") > 1000)
        return s3_fail(s, S3_E_MALFORMED_XML);
    for (r = xml_child(doc, "Rule"); r; r = xml_next(r, "Rule")) {
        const char *status = xml_text(xml_child(r, "Status"));
        const char *dest = xml_text(xml_child(xml_child(r, "Destination"), "Bucket"));
        char region[64];
        size_t p;
        int v;
        if ((strcmp(status, "Enabled") && strcmp(status, "Disabled")) || dest[0] == '\0')
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (s3_replication_check_rule(s, doc, r) != 0)
            return -1;
        p = partition_arn_prefix(dest);
        if (p == 0 || strncmp(dest + p, "s3:::", 5) != 0)
            return s3_error(s, 400, "InvalidArgument", "Invalid bucket ARN.");
        if (s3_bucket_region(s, dest + p + 5, region) != 1)
            return s3_error(s, 400, "InvalidRequest", "Destination bucket must exist.");
        v = s3_bucket_versioning(s, dest + p + 5);
        if (v != S3_VERSIONING_ENABLED)
            return s3_error(s, 400, "InvalidRequest", "Destination bucket must have versioning enabled.");
    }
    copy_rules_with_ids(body, doc);
    return 0;
}

static int check_tagging(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const xml_node_t *set = xml_child(doc, "TagSet"), *t, *t2;

    (void)body;
    if (set == NULL)
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (xml_count(set, "Tag") > 50)
        return s3_error(s, 400, "InvalidTag", "Bucket tag count cannot be greater than 50");
    for (t = xml_child(set, "Tag"); t; t = xml_next(t, "Tag")) {
        const char *k = xml_text(xml_child(t, "Key")), *v = xml_text(xml_child(t, "Value"));
        if (xml_child(t, "Key") == NULL || xml_child(t, "Value") == NULL)
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (strlen(k) < 1 || strlen(k) > 128)
            return s3_fail(s, S3_E_TAG_KEY);
        if (strlen(v) > 256)
            return s3_fail(s, S3_E_TAG_VALUE);
        if (!strncasecmp(k, "aws:", 4))
            return s3_error(s, 400, "InvalidTag", "System tags cannot be added/updated by requester");
        for (t2 = xml_next(t, "Tag"); t2; t2 = xml_next(t2, "Tag"))
            if (!strcmp(k, xml_text(xml_child(t2, "Key"))))
                return s3_error(s, 400, "InvalidTag", "Cannot provide multiple Tags with the same key");
    }
    return xml_count(set, "Tag") == 0 ? 1 : 0;
}

static int check_accelerate(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const char *st = xml_text(xml_child(doc, "Status"));

    (void)body;
    if (strcmp(st, "Enabled") && strcmp(st, "Suspended"))
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (strchr(s->bucket, '.'))
        return s3_error(s, 400, "InvalidRequest",
                        "S3 Transfer Acceleration is not supported for buckets with periods (.) in "
                        "their names");
    return 0;
}

static int check_payment(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const char *p = xml_text(xml_child(doc, "Payer"));

    (void)body;
    if (strcmp(p, "BucketOwner") && strcmp(p, "Requester"))
        return s3_fail(s, S3_E_MALFORMED_XML);
    return 0;
}

static int check_logging(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const xml_node_t *le = xml_child(doc, "LoggingEnabled");
    const char *target = xml_text(xml_child(le, "TargetBucket"));
    char region[64];

    (void)body;
    if (le == NULL)
        return 1; /* logging off */
    if (target[0] == '\0' || xml_child(le, "TargetPrefix") == NULL)
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (s3_bucket_region(s, target, region) != 1)
        return s3_error(s, 400, "InvalidTargetBucketForLogging",
                        "The target bucket for logging does not exist");
    return 0;
}

static int check_object_lock(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const xml_node_t *dr = xml_child(xml_child(doc, "Rule"), "DefaultRetention");
    long v;

    (void)body;
    if (strcmp(xml_text(xml_child(doc, "ObjectLockEnabled")), "Enabled") != 0)
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (s->versioning != S3_VERSIONING_ENABLED)
        return s3_error(s, 409, "InvalidBucketState",
                        "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                        "configuration");
    if (xml_child(doc, "Rule")) {
        const char *mode = xml_text(xml_child(dr, "Mode"));
        const xml_node_t *d = xml_child(dr, "Days"), *y = xml_child(dr, "Years");
        if (dr == NULL || (strcmp(mode, "GOVERNANCE") && strcmp(mode, "COMPLIANCE")) ||
            (d != NULL) == (y != NULL))
            return s3_fail(s, S3_E_MALFORMED_XML);
        /* at most 100 years (36500 days), S3's longest retention */
        if (!is_int(xml_text(d ? d : y), &v) || v <= 0)
            return s3_error_arg(s, 400, "InvalidArgument", d ? "Days" : "Years", NULL,
                                "Default retention period must be a positive integer value.");
        if (v > (d ? 36500 : 100))
            return s3_error_arg(s, 400, "InvalidArgument", d ? "Days" : "Years", NULL,
                                "Default retention period too large.");
    }
    return 0;
}

static const char *const pab_fields[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                         "RestrictPublicBuckets", NULL};

static int check_pab(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    size_t i;

    for (i = 0; pab_fields[i]; i++) {
        const xml_node_t *f = xml_child(doc, pab_fields[i]);
        const char *v = xml_text(f);
        if (f && strcmp(v, "true") && strcmp(v, "false"))
            return s3_fail(s, S3_E_MALFORMED_XML);
        xml_elem(body, pab_fields[i], !strcmp(v, "true") ? "true" : "false");
    }
    return 0;
}

static int check_ownership(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const char *o = xml_text(xml_child(xml_child(doc, "Rule"), "ObjectOwnership"));

    (void)body;
    if (xml_count(doc, "Rule") != 1 ||
        (strcmp(o, "BucketOwnerPreferred") && strcmp(o, "ObjectWriter") &&
         strcmp(o, "BucketOwnerEnforced")))
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (!strcmp(o, "BucketOwnerEnforced")) {
        /* ACLs off: the bucket's own ACL must be the owner's alone */
        sqlite3_stmt *st;
        int has = 0;
        st = db_query(s->r->emu->db, "SELECT acl IS NOT NULL FROM s3_buckets WHERE name=?1", "s", s->bucket);
        if (st) {
            if (db_row(st) == 1)
                has = sqlite3_column_int(st, 0);
            db_done(st);
        }
        if (has)
            return s3_fail(s, S3_E_ACL_OWNERSHIP);
    }
    return 0;
}

typedef struct {
    const char *name;               /* s3_bucket_configs.name, the sub-resource */
    const char *root;
    int nf_status;                  /* Get when not configured: this error... */
    const char *nf_code, *nf_msg;
    const char *def;                /* ...or (nf_code NULL) this document's children */
    int put_status;
    check_fn check;
} cfg_t;

/* clang-format off */
static const cfg_t cfgs[] = {
    {"cors", "CORSConfiguration", 404, "NoSuchCORSConfiguration",
     "The CORS configuration does not exist", NULL, 200, check_cors},
    {"website", "WebsiteConfiguration", 404, "NoSuchWebsiteConfiguration",
     "The specified bucket does not have a website configuration", NULL, 200, check_website},
    {"lifecycle", "LifecycleConfiguration", 404, "NoSuchLifecycleConfiguration",
     "The lifecycle configuration does not exist", NULL, 200, check_lifecycle},
    {"replication", "ReplicationConfiguration", 404, "ReplicationConfigurationNotFoundError",
     "The replication configuration was not found", NULL, 200, check_replication},
    {"tagging", "Tagging", 404, "NoSuchTagSet", "The TagSet does not exist", NULL, 204,
     check_tagging},
    {"accelerate", "AccelerateConfiguration", 0, NULL, NULL, "", 200, check_accelerate},
    {"requestPayment", "RequestPaymentConfiguration", 0, NULL, NULL,
     "<Payer>BucketOwner</Payer>", 200, check_payment},
    {"logging", "BucketLoggingStatus", 0, NULL, NULL, "", 200, check_logging},
    {"object-lock", "ObjectLockConfiguration", 404, "ObjectLockConfigurationNotFoundError",
     "Object Lock configuration does not exist for this bucket", NULL, 200, check_object_lock},
    {"publicAccessBlock", "PublicAccessBlockConfiguration", 404,
     "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found",
     NULL, 200, check_pab},
    {"ownershipControls", "OwnershipControls", 404, "OwnershipControlsNotFoundError",
     "The bucket ownership controls were not found", NULL, 200, check_ownership},
    {"notification", "NotificationConfiguration", 0, NULL, NULL, "", 200, s3_notify_check},
};
/* clang-format on */

/* The configuration the request's sub-resource names (the route picked
 * a row of s3_op_config_* for it), or NULL. */
static const cfg_t *find_cfg(const s3_req_t *s)
{
    size_t i;

    for (i = 0; s->sub && i < sizeof cfgs / sizeof cfgs[0]; i++)
        if (!strcmp(cfgs[i].name, s->sub))
            return &cfgs[i];
    return NULL;
}

/* The lifecycle answers name the minimum object size for transitions. */
static void lifecycle_header(s3_req_t *s, const cfg_t *c)
{
    if (!strcmp(c->name, "lifecycle"))
        http_add_header(s->r->http, "x-amz-transition-default-minimum-object-size",
                        "all_storage_classes_128K");
}

int s3_op_config_put(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    const cfg_t *c = find_cfg(s);
    xml_node_t *doc;
    char err[256];
    buf_t body, stored;
    int rc;

    if (c == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (s3_require_bucket(s) != 0)
        return -1;
    if (h->body.len == 0)
        return s3_fail(s, S3_E_MISSING_BODY);
    doc = xml_parse(h->body.data, h->body.len, NULL, err, sizeof err);
    if (doc == NULL || strcmp(xml_name(doc), c->root) != 0) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    buf_init(&body, 0);
    rc = c->check(s, doc, &body);
    if (rc < 0) {
        xml_free(doc);
        buf_free(&body);
        return -1;
    }
    buf_init(&stored, 0);
    xml_open_ns(&stored, c->root, XML_NS_S3);
    if (body.len)
        buf_add(&stored, body.data, body.len);
    else
        copy_children(&stored, doc);
    xml_close(&stored, c->root);
    xml_free(doc);
    buf_free(&body);
    rc = s3_config_set(s, s->bucket, c->name, rc == 1 ? NULL : stored.data);
    buf_free(&stored);
    if (rc != 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (!strcmp(c->name, "lifecycle"))
        s3_lifecycle_wake();
    lifecycle_header(s, c);
    s3_send_empty(s, c->put_status);
    return 0;
}

int s3_op_config_get(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    const cfg_t *c = find_cfg(s);
    char *doc;
    buf_t out;

    if (c == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (s3_require_bucket(s) != 0)
        return -1;
    doc = s3_config_get(s, s->bucket, c->name);
    if (doc == NULL && c->nf_code)
        return s3_error(s, c->nf_status, c->nf_code, "%s", c->nf_msg);
    buf_init(&out, 0);
    xml_decl(&out);
    if (doc) {
        buf_adds(&out, doc);
    } else {
        xml_open_ns(&out, c->root, XML_NS_S3);
        buf_adds(&out, c->def);
        xml_close(&out, c->root);
    }
    free(doc);
    lifecycle_header(s, c);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

int s3_op_config_delete(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    const cfg_t *c = find_cfg(s);

    if (c == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (s3_require_bucket(s) != 0)
        return -1;
    if (s3_config_set(s, s->bucket, c->name, NULL) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, 204);
    return 0;
}

/* 1 when the bucket's public access block sets field to true. */
int s3_pab_flag(s3_req_t *s, const char *bucket, const char *field)
{
    xml_node_t *doc = s3_config_doc(s, bucket, "publicAccessBlock");
    int on = !strcmp(xml_text(xml_child(doc, field)), "true");

    xml_free(doc);
    return on;
}

int s3_pab_flags(s3_req_t *s, const char *bucket)
{
    xml_node_t *doc = s3_config_doc(s, bucket, "publicAccessBlock");
    int bits = 0, i;

    for (i = 0; pab_fields[i]; i++)
        if (!strcmp(xml_text(xml_child(doc, pab_fields[i])), "true"))
            bits |= 1 << i;
    xml_free(doc);
    return bits;
}

/* The bucket's object ownership setting ("" when none). */
