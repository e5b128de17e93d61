/* s3_config.c — a bucket's configuration subresources (CORS, website,
 * lifecycle, replication, tagging, accelerate, request payment, logging,
 * object lock, public access block, ownership controls), kept as the
 * canonical documents S3 answers with; bucket and object ACLs; CORS
 * preflight and the CORS headers of ordinary responses. */
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

#define MALFORMED                                                                              \
    "The XML you provided was not well-formed or did not validate against our published schema"
#define XSI "http://www.w3.org/2001/XMLSchema-instance"
#define ALL_USERS "http://acs.amazonaws.com/groups/global/AllUsers"
#define AUTH_USERS "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
#define LOG_DELIVERY "http://acs.amazonaws.com/groups/s3/LogDelivery"

static int malformed(s3_req_t *s)
{
    return s3_error(s, 400, "MalformedXML", MALFORMED);
}

static int internal(s3_req_t *s)
{
    return s3_error(s, 500, "InternalError", "We encountered an internal error. Please try again.");
}

void s3_canonical_id(const char *account, char out[65])
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    char in[128];

    snprintf(in, sizeof in, "awsemu canonical user %s", account);
    SHA256((const uint8_t *)in, strlen(in), md);
    codec_hex(md, sizeof md, out);
}

/* ---- storage ---------------------------------------------------------------- */

int s3_config_set(s3_req_t *s, const char *bucket, const char *name, const char *doc)
{
    sqlite3_stmt *st = db_stmt(s->r->emu->db,
                               doc ? "INSERT OR REPLACE INTO s3_bucket_configs (bucket, name, doc) "
                                     "VALUES (?1, ?2, ?3)"
                                   : "DELETE FROM s3_bucket_configs WHERE bucket=?1 AND name=?2");
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (doc)
        sqlite3_bind_text(st, 3, doc, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

char *s3_config_get(s3_req_t *s, const char *bucket, const char *name)
{
    sqlite3_stmt *st = db_stmt(s->r->emu->db, "SELECT doc FROM s3_bucket_configs WHERE bucket=?1 "
                                              "AND name=?2");
    char *v = NULL;

    if (st == NULL)
        return NULL;
    sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return v;
}

/* The stored document parsed (caller frees), or NULL. */
static xml_node_t *config_doc(s3_req_t *s, const char *bucket, const char *name)
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
        return malformed(s);
    for (r = xml_child(doc, "CORSRule"); r; r = xml_next(r, "CORSRule")) {
        long v;
        if (xml_count(r, "AllowedMethod") == 0 || xml_count(r, "AllowedOrigin") == 0)
            return malformed(s);
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
            return malformed(s);
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
            return malformed(s);
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
            return malformed(s);
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
        return malformed(s);
    for (r = xml_child(doc, "Rule"); r; r = xml_next(r, "Rule")) {
        const char *status = xml_text(xml_child(r, "Status"));
        const xml_node_t *exp = xml_child(r, "Expiration");
        size_t i;
        int acts = 0;
        long v;
        if (strcmp(status, "Enabled") && strcmp(status, "Disabled"))
            return malformed(s);
        if (xml_child(r, "Filter") && xml_child(r, "Prefix"))
            return malformed(s);
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
        if (exp) {
            int nexp = (xml_child(exp, "Days") != NULL) + (xml_child(exp, "Date") != NULL) +
                       (xml_child(exp, "ExpiredObjectDeleteMarker") != NULL);
            if (nexp != 1)
                return malformed(s);
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
        return malformed(s);
    for (r = xml_child(doc, "Rule"); r; r = xml_next(r, "Rule")) {
        const char *status = xml_text(xml_child(r, "Status"));
        const char *dest = xml_text(xml_child(xml_child(r, "Destination"), "Bucket"));
        char region[64];
        int v;
        if ((strcmp(status, "Enabled") && strcmp(status, "Disabled")) || dest[0] == '\0')
            return malformed(s);
        if (strncmp(dest, "arn:aws:s3:::", 13) != 0)
            return s3_error(s, 400, "InvalidArgument", "Invalid bucket ARN.");
        if (s3_bucket_region(s, dest + 13, region) != 1)
            return s3_error(s, 400, "InvalidRequest", "Destination bucket must exist.");
        v = s3_bucket_versioning(s, dest + 13);
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
        return malformed(s);
    if (xml_count(set, "Tag") > 50)
        return s3_error(s, 400, "InvalidTag", "Bucket tag count cannot be greater than 50");
    for (t = xml_child(set, "Tag"); t; t = xml_next(t, "Tag")) {
        const char *k = xml_text(xml_child(t, "Key")), *v = xml_text(xml_child(t, "Value"));
        if (xml_child(t, "Key") == NULL || xml_child(t, "Value") == NULL)
            return malformed(s);
        if (strlen(k) < 1 || strlen(k) > 128)
            return s3_error(s, 400, "InvalidTag", "The TagKey you have provided is invalid");
        if (strlen(v) > 256)
            return s3_error(s, 400, "InvalidTag", "The TagValue you have provided is invalid");
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
        return malformed(s);
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
        return malformed(s);
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
        return malformed(s);
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
        return malformed(s);
    if (s->versioning != S3_VERSIONING_ENABLED)
        return s3_error(s, 409, "InvalidBucketState",
                        "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                        "configuration");
    if (xml_child(doc, "Rule")) {
        const char *mode = xml_text(xml_child(dr, "Mode"));
        const xml_node_t *d = xml_child(dr, "Days"), *y = xml_child(dr, "Years");
        if (dr == NULL || (strcmp(mode, "GOVERNANCE") && strcmp(mode, "COMPLIANCE")) ||
            (d != NULL) == (y != NULL))
            return malformed(s);
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
            return malformed(s);
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
        return malformed(s);
    if (!strcmp(o, "BucketOwnerEnforced")) {
        /* ACLs off: the bucket's own ACL must be the owner's alone */
        sqlite3_stmt *st = db_stmt(s->r->emu->db, "SELECT acl IS NOT NULL FROM s3_buckets WHERE name=?1");
        int has = 0;
        if (st) {
            sqlite3_bind_text(st, 1, s->bucket, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                has = sqlite3_column_int(st, 0);
            sqlite3_reset(st);
        }
        if (has)
            return s3_error(s, 400, "InvalidBucketAclWithObjectOwnership",
                            "Bucket cannot have ACLs set with ObjectOwnership's "
                            "BucketOwnerEnforced setting");
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
        return internal(s);
    if (s3_require_bucket(s) != 0)
        return -1;
    if (h->body.len == 0)
        return s3_error(s, 400, "MissingRequestBodyError", "Request Body is empty");
    doc = xml_parse(h->body.data, h->body.len, NULL, err, sizeof err);
    if (doc == NULL || strcmp(xml_name(doc), c->root) != 0) {
        xml_free(doc);
        return malformed(s);
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
        return internal(s);
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
        return internal(s);
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
        return internal(s);
    if (s3_require_bucket(s) != 0)
        return -1;
    if (s3_config_set(s, s->bucket, c->name, NULL) != 0)
        return internal(s);
    s3_send_empty(s, 204);
    return 0;
}

/* 1 when the bucket's public access block sets field to true. */
int s3_pab_flag(s3_req_t *s, const char *bucket, const char *field)
{
    xml_node_t *doc = config_doc(s, bucket, "publicAccessBlock");
    int on = !strcmp(xml_text(xml_child(doc, field)), "true");

    xml_free(doc);
    return on;
}

int s3_pab_flags(s3_req_t *s, const char *bucket)
{
    xml_node_t *doc = config_doc(s, bucket, "publicAccessBlock");
    int bits = 0, i;

    for (i = 0; pab_fields[i]; i++)
        if (!strcmp(xml_text(xml_child(doc, pab_fields[i])), "true"))
            bits |= 1 << i;
    xml_free(doc);
    return bits;
}

/* The bucket's object ownership setting ("" when none). */
static void ownership(s3_req_t *s, const char *bucket, char out[32])
{
    xml_node_t *doc = config_doc(s, bucket, "ownershipControls");

    snprintf(out, 32, "%s", xml_text(xml_child(xml_child(doc, "Rule"), "ObjectOwnership")));
    xml_free(doc);
}

/* ---- ACLs ---------------------------------------------------------------------- */

static const char *const permissions[] = {"FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP",
                                          NULL};

static void add_grant(cJSON *a, const char *type, const char *who, const char *perm)
{
    cJSON *g = cJSON_CreateObject();

    cJSON_AddStringToObject(g, "t", type);
    cJSON_AddStringToObject(g, !strcmp(type, "Group") ? "uri" : "id", who);
    cJSON_AddStringToObject(g, "p", perm);
    cJSON_AddItemToArray(a, g);
}

/* The grants of a canned ACL; NULL when the name is unknown. "private" and
 * the bucket-owner ones are the default (an empty array). */
static cJSON *canned(const char *name, const char *owner, int for_bucket)
{
    cJSON *a;

    if (strcmp(name, "private") && strcmp(name, "public-read") && strcmp(name, "public-read-write") &&
        strcmp(name, "authenticated-read") && strcmp(name, "aws-exec-read") &&
        strcmp(name, "log-delivery-write") &&
        (for_bucket || (strcmp(name, "bucket-owner-read") && strcmp(name, "bucket-owner-full-control"))))
        return NULL;
    a = cJSON_CreateArray();
    if (!strcmp(name, "private") || !strcmp(name, "bucket-owner-read") ||
        !strcmp(name, "bucket-owner-full-control"))
        return a;
    add_grant(a, "CanonicalUser", owner, "FULL_CONTROL");
    if (!strcmp(name, "public-read") || !strcmp(name, "public-read-write"))
        add_grant(a, "Group", ALL_USERS, "READ");
    if (!strcmp(name, "public-read-write"))
        add_grant(a, "Group", ALL_USERS, "WRITE");
    if (!strcmp(name, "authenticated-read"))
        add_grant(a, "Group", AUTH_USERS, "READ");
    if (!strcmp(name, "log-delivery-write")) {
        add_grant(a, "Group", LOG_DELIVERY, "WRITE");
        add_grant(a, "Group", LOG_DELIVERY, "READ_ACP");
    }
    return a;
}

static int valid_group(const char *uri)
{
    return !strcmp(uri, ALL_USERS) || !strcmp(uri, AUTH_USERS) || !strcmp(uri, LOG_DELIVERY);
}

static int valid_canonical(const char *id)
{
    size_t i;

    if (strlen(id) != 64)
        return 0;
    for (i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)id[i]))
            return 0;
    return 1;
}

/* Adds the grantee of one grant; 0 or -1 (error set). */
static int grantee(s3_req_t *s, cJSON *a, const char *type, const char *who, const char *perm)
{
    if (!strcmp(type, "EmailAddress"))
        return s3_error(s, 400, "UnresolvableGrantByEmailAddress",
                        "The e-mail address you provided does not match any account on record.");
    if (!strcmp(type, "Group") && !valid_group(who))
        return s3_error(s, 400, "InvalidArgument", "Invalid group uri");
    if (!strcmp(type, "CanonicalUser") && !valid_canonical(who))
        return s3_error(s, 400, "InvalidArgument", "Invalid id");
    add_grant(a, type, who, perm);
    return 0;
}

/* x-amz-grant-* headers into a; 1 if any, 0 none, -1 error. */
static int header_grants(s3_req_t *s, cJSON *a)
{
    static const struct {
        const char *h, *p;
    } hs[] = {{"x-amz-grant-full-control", "FULL_CONTROL"},
              {"x-amz-grant-read", "READ"},
              {"x-amz-grant-read-acp", "READ_ACP"},
              {"x-amz-grant-write", "WRITE"},
              {"x-amz-grant-write-acp", "WRITE_ACP"}};
    size_t i;
    int any = 0;

    for (i = 0; i < sizeof hs / sizeof hs[0]; i++) {
        char v[2048], *tok, *save = NULL;
        if (!s3_header(s, hs[i].h, v, sizeof v))
            continue;
        any = 1;
        for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *eq, *val, *end;
            while (*tok == ' ')
                tok++;
            if ((eq = strchr(tok, '=')) == NULL)
                return s3_error(s, 400, "InvalidArgument", "Argument format not recognized");
            *eq = '\0';
            val = eq + 1;
            while (*val == ' ' || *val == '"')
                val++;
            end = val + strlen(val);
            while (end > val && (end[-1] == ' ' || end[-1] == '"'))
                *--end = '\0';
            if (!strcasecmp(tok, "id")) {
                if (grantee(s, a, "CanonicalUser", val, hs[i].p) != 0)
                    return -1;
            } else if (!strcasecmp(tok, "uri")) {
                if (grantee(s, a, "Group", val, hs[i].p) != 0)
                    return -1;
            } else if (!strcasecmp(tok, "emailAddress")) {
                return grantee(s, a, "EmailAddress", val, hs[i].p);
            } else {
                return s3_error(s, 400, "InvalidArgument", "Argument format not recognized");
            }
        }
    }
    return any;
}

int s3_acls_disabled(s3_req_t *s, const char *bucket)
{
    char own[32];

    ownership(s, bucket, own);
    return !strcmp(own, "BucketOwnerEnforced");
}

int s3_acl_grants_all_users(const char *json, const char *perm)
{
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    const cJSON *g;
    int hit = 0;

    cJSON_ArrayForEach(g, a) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(g, "uri");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(g, "p");
        if (cJSON_IsString(u) && !strcmp(u->valuestring, ALL_USERS) && cJSON_IsString(p) &&
            (!strcmp(p->valuestring, perm) || !strcmp(p->valuestring, "FULL_CONTROL")))
            hit = 1;
    }
    cJSON_Delete(a);
    return hit;
}

/* True when the grants give anything to everyone or every AWS user. */
static int acl_public(const cJSON *a)
{
    const cJSON *g;

    cJSON_ArrayForEach(g, a) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(g, "uri");
        if (cJSON_IsString(u) && (!strcmp(u->valuestring, ALL_USERS) || !strcmp(u->valuestring, AUTH_USERS)))
            return 1;
    }
    return 0;
}

/* Only the owner's FULL_CONTROL: stored as the default (NULL). */
static int acl_is_default(const cJSON *a, const char *owner)
{
    const cJSON *g = cJSON_GetArrayItem(a, 0);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(g, "id");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(g, "p");

    if (cJSON_GetArraySize(a) == 0)
        return 1;
    return cJSON_GetArraySize(a) == 1 && cJSON_IsString(id) && !strcmp(id->valuestring, owner) &&
           cJSON_IsString(p) && !strcmp(p->valuestring, "FULL_CONTROL");
}

/* Checks a to be set on bucket (the ACL of bucket or of one of its objects)
 * and turns it into the stored JSON (*json, NULL for the default); takes a.
 * canned_name is the x-amz-acl the grants came from, NULL for explicit
 * grants. With ACLs disabled (BucketOwnerEnforced) only the bucket owner's
 * full control is accepted: the bucket-owner-full-control canned ACL or the
 * same grant spelled out; even "private" is refused, as S3 does. */
static int acl_finish(s3_req_t *s, const char *bucket, cJSON *a, const char *canned_name,
                      char **json)
{
    char owner[65], own[32];
    int owner_only;

    s3_canonical_id(s->r->account, owner);
    *json = NULL;
    owner_only = canned_name ? !strcmp(canned_name, "bucket-owner-full-control")
                             : cJSON_GetArraySize(a) > 0 && acl_is_default(a, owner);
    ownership(s, bucket, own);
    if (!strcmp(own, "BucketOwnerEnforced") && !owner_only) {
        cJSON_Delete(a);
        return s3_error(s, 400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
    }
    if (acl_is_default(a, owner)) {
        cJSON_Delete(a);
        return 0;
    }
    if (acl_public(a) && s3_pab_flag(s, bucket, "BlockPublicAcls")) {
        cJSON_Delete(a);
        return s3_error(s, 403, "AccessDenied", "Access Denied");
    }
    *json = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return *json ? 0 : internal(s);
}

int s3_acl_is_public(const char *json)
{
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    int pub = acl_public(a);

    cJSON_Delete(a);
    return pub;
}

int s3_acl_from_headers(s3_req_t *s, int for_bucket, char **json)
{
    char name[64], owner[65];
    cJSON *a;
    int rc, have_canned;

    *json = NULL;
    s3_canonical_id(s->r->account, owner);
    have_canned = s3_header(s, "x-amz-acl", name, sizeof name);
    a = cJSON_CreateArray();
    rc = header_grants(s, a);
    if (rc < 0) {
        cJSON_Delete(a);
        return -1;
    }
    if (have_canned && rc == 1) {
        cJSON_Delete(a);
        return s3_error(s, 400, "InvalidRequest",
                        "Specifying both Canned ACLs and Header Grants is not allowed");
    }
    if (have_canned) {
        cJSON_Delete(a);
        if ((a = canned(name, owner, for_bucket)) == NULL)
            return s3_error(s, 400, "InvalidArgument", "%s", "");
    } else if (rc == 0) {
        cJSON_Delete(a);
        return 0;
    }
    return acl_finish(s, s->bucket, a, have_canned ? name : NULL, json);
}

/* The ACL of the request: canned header, grant headers or an
 * AccessControlPolicy body. 0 or -1 (error set). */
static int acl_from_request(s3_req_t *s, int for_bucket, char **json)
{
    http_req_t *h = s->r->http;
    char owner[65], err[256];
    xml_node_t *doc;
    const xml_node_t *g;
    cJSON *a;

    *json = NULL;
    if (h->body.len == 0) {
        if (!http_header(h, "x-amz-acl", NULL) && !http_header(h, "x-amz-grant-read", NULL) &&
            !http_header(h, "x-amz-grant-write", NULL) && !http_header(h, "x-amz-grant-read-acp", NULL) &&
            !http_header(h, "x-amz-grant-write-acp", NULL) &&
            !http_header(h, "x-amz-grant-full-control", NULL))
            return s3_error(s, 400, "MissingSecurityHeader", "Your request was missing a required header");
        return s3_acl_from_headers(s, for_bucket, json);
    }
    if (http_header(h, "x-amz-acl", NULL))
        return s3_error(s, 400, "UnexpectedContent", "This request does not support content");
    s3_canonical_id(s->r->account, owner);
    doc = xml_parse(h->body.data, h->body.len, NULL, err, sizeof err);
    if (doc == NULL || strcmp(xml_name(doc), "AccessControlPolicy") != 0 ||
        xml_child(xml_child(doc, "Owner"), "ID") == NULL) {
        xml_free(doc);
        return s3_error(s, 400, "MalformedACLError", MALFORMED);
    }
    if (strcmp(xml_text(xml_child(xml_child(doc, "Owner"), "ID")), owner) != 0) {
        xml_free(doc);
        return s3_error(s, 403, "AccessDenied", "Access Denied");
    }
    a = cJSON_CreateArray();
    for (g = xml_child(xml_child(doc, "AccessControlList"), "Grant"); g; g = xml_next(g, "Grant")) {
        const xml_node_t *ge = xml_child(g, "Grantee");
        const char *perm = xml_text(xml_child(g, "Permission"));
        size_t i;
        int ok = 0, rc;
        for (i = 0; permissions[i]; i++)
            ok |= !strcmp(perm, permissions[i]);
        if (!ok || ge == NULL) {
            xml_free(doc);
            cJSON_Delete(a);
            return s3_error(s, 400, "MalformedACLError", MALFORMED);
        }
        if (xml_child(ge, "ID"))
            rc = grantee(s, a, "CanonicalUser", xml_text(xml_child(ge, "ID")), perm);
        else if (xml_child(ge, "URI"))
            rc = grantee(s, a, "Group", xml_text(xml_child(ge, "URI")), perm);
        else if (xml_child(ge, "EmailAddress"))
            rc = grantee(s, a, "EmailAddress", "", perm);
        else
            rc = s3_error(s, 400, "MalformedACLError", MALFORMED);
        if (rc != 0) {
            xml_free(doc);
            cJSON_Delete(a);
            return -1;
        }
    }
    xml_free(doc);
    if (cJSON_GetArraySize(a) == 0) {
        /* an empty list takes every grant away, the owner's included */
        char *text;
        if (s3_acls_disabled(s, s->bucket)) {
            cJSON_Delete(a);
            return s3_error(s, 400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
        }
        text = cJSON_PrintUnformatted(a);
        cJSON_Delete(a);
        *json = text;
        return text ? 0 : internal(s);
    }
    return acl_finish(s, s->bucket, a, NULL, json);
}

/* Sends the AccessControlPolicy of json (NULL: the default). */
static void send_acl(s3_req_t *s, const char *json)
{
    char owner[65];
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    const cJSON *g;
    buf_t out;

    s3_canonical_id(s->r->account, owner);
    if (a == NULL) {
        a = cJSON_CreateArray();
        if (json == NULL)
            add_grant(a, "CanonicalUser", owner, "FULL_CONTROL");
    }
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "AccessControlPolicy", XML_NS_S3);
    xml_open(&out, "Owner");
    xml_elem(&out, "ID", owner);
    xml_elem(&out, "DisplayName", "awsemu");
    xml_close(&out, "Owner");
    xml_open(&out, "AccessControlList");
    cJSON_ArrayForEach(g, a) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(g, "t");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(g, "p");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(g, "id");
        const cJSON *uri = cJSON_GetObjectItemCaseSensitive(g, "uri");
        const char *type = cJSON_IsString(t) ? t->valuestring : "CanonicalUser";
        xml_open(&out, "Grant");
        buf_printf(&out, "<Grantee xmlns:xsi=\"" XSI "\" xsi:type=\"%s\">", type);
        if (cJSON_IsString(uri)) {
            xml_elem(&out, "URI", uri->valuestring);
        } else if (cJSON_IsString(id)) {
            xml_elem(&out, "ID", id->valuestring);
            if (!strcmp(id->valuestring, owner))
                xml_elem(&out, "DisplayName", "awsemu");
        }
        xml_close(&out, "Grantee");
        xml_elem(&out, "Permission", cJSON_IsString(p) ? p->valuestring : "READ");
        xml_close(&out, "Grant");
    }
    xml_close(&out, "AccessControlList");
    xml_close(&out, "AccessControlPolicy");
    cJSON_Delete(a);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
}

int s3_op_put_bucket_acl(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    sqlite3_stmt *st;
    char *json = NULL;
    int rc;

    if (s3_require_bucket(s) != 0 || acl_from_request(s, 1, &json) != 0)
        return -1;
    st = db_stmt(s->r->emu->db, "UPDATE s3_buckets SET acl=?2 WHERE name=?1");
    if (st == NULL) {
        free(json);
        return internal(s);
    }
    sqlite3_bind_text(st, 1, s->bucket, -1, SQLITE_STATIC);
    if (json)
        sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(json);
    if (rc != SQLITE_DONE)
        return internal(s);
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_get_bucket_acl(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    sqlite3_stmt *st;
    char *json = NULL;

    if (s3_require_bucket(s) != 0)
        return -1;
    st = db_stmt(s->r->emu->db, "SELECT acl FROM s3_buckets WHERE name=?1");
    if (st == NULL)
        return internal(s);
    sqlite3_bind_text(st, 1, s->bucket, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        json = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    send_acl(s, json);
    free(json);
    return 0;
}

/* The object (or its version) the ACL request names: 1 found, else -1
 * with NoSuchKey / NoSuchVersion / MethodNotAllowed set. */
static int acl_object(s3_req_t *s, char vid[S3_VERSION_ID_LEN + 1], s3_object_t *o)
{
    int rc;

    if (s3_require_bucket(s) != 0 || (rc = s3_version_param(s, vid)) < 0)
        return -1;
    rc = rc ? s3_version_load(s, s->bucket, s->key, vid, o) : s3_object_load(s, s->bucket, s->key, o);
    if (rc < 0)
        return internal(s);
    if (rc == 2) {
        s3_object_clear(o);
        s->err_marker = 1;
        http_add_header(s->r->http, "x-amz-delete-marker", "true");
        return s3_error(s, 405, "MethodNotAllowed",
                        "The specified method is not allowed against this resource.");
    }
    if (rc == 0)
        return vid[0] ? s3_error(s, 404, "NoSuchVersion", "The specified version does not exist.")
                      : s3_error(s, 404, "NoSuchKey", "The specified key does not exist.");
    if (s->versioning)
        http_add_header(s->r->http, "x-amz-version-id", o->version_id[0] ? o->version_id : "null");
    return 1;
}

int s3_op_get_object_acl(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1];
    s3_object_t o;

    if (acl_object(s, vid, &o) != 1)
        return -1;
    send_acl(s, o.acl);
    s3_object_clear(&o);
    return 0;
}

int s3_op_put_object_acl(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1], *json = NULL;
    const char *cur;
    s3_object_t o;
    sqlite3_stmt *st;
    int rc, current;

    if (acl_object(s, vid, &o) != 1)
        return -1;
    cur = o.version_id[0] ? o.version_id : "null";
    current = !vid[0];
    if (!current) {
        /* the version named may be the current one */
        s3_object_t c;
        if (s3_object_load(s, s->bucket, s->key, &c) == 1) {
            current = !strcmp(c.version_id[0] ? c.version_id : "null", cur);
            s3_object_clear(&c);
        }
    }
    s3_object_clear(&o);
    if (acl_from_request(s, 0, &json) != 0)
        return -1;
    st = db_stmt(s->r->emu->db,
                 current ? "UPDATE s3_objects SET acl=?3 WHERE bucket=?1 AND key=?2"
                         : "UPDATE s3_versions SET acl=?3 WHERE bucket=?1 AND key=?2 AND version_id=?4");
    if (st == NULL) {
        free(json);
        return internal(s);
    }
    sqlite3_bind_text(st, 1, s->bucket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->key, -1, SQLITE_STATIC);
    if (json)
        sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
    if (!current)
        sqlite3_bind_text(st, 4, vid, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(json);
    if (rc != SQLITE_DONE)
        return internal(s);
    s3_send_empty(s, 200);
    return 0;
}

/* ---- CORS ------------------------------------------------------------------------ */

/* Glob with at most one '*' (as the rules allow), case-sensitive or not. */
static int glob_match(const char *pat, const char *s, int nocase)
{
    const char *star = strchr(pat, '*');
    size_t pl, sl = strlen(s), tail;

    if (star == NULL)
        return nocase ? !strcasecmp(pat, s) : !strcmp(pat, s);
    pl = (size_t)(star - pat);
    tail = strlen(star + 1);
    if (sl < pl + tail)
        return 0;
    if (nocase)
        return !strncasecmp(pat, s, pl) && !strcasecmp(star + 1, s + sl - tail);
    return !strncmp(pat, s, pl) && !strcmp(star + 1, s + sl - tail);
}

/* The first rule allowing origin and method (and every header of the
 * comma-separated list headers, if given); *allowed_origin is the origin
 * pattern that matched. */
static const xml_node_t *cors_match(const xml_node_t *doc, const char *origin, const char *method,
                                    const char *headers, const char **allowed_origin)
{
    const xml_node_t *r, *c;

    for (r = xml_child(doc, "CORSRule"); r; r = xml_next(r, "CORSRule")) {
        const char *matched = NULL;
        int ok = 0;
        for (c = xml_child(r, "AllowedOrigin"); c && !matched; c = xml_next(c, "AllowedOrigin"))
            if (glob_match(xml_text(c), origin, 0))
                matched = xml_text(c);
        if (!matched)
            continue;
        for (c = xml_child(r, "AllowedMethod"); c; c = xml_next(c, "AllowedMethod"))
            ok |= !strcmp(xml_text(c), method);
        if (!ok)
            continue;
        if (headers && *headers) {
            char copy[2048], *tok, *save = NULL;
            snprintf(copy, sizeof copy, "%s", headers);
            for (tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
                char *end;
                int hit = 0;
                while (*tok == ' ')
                    tok++;
                end = tok + strlen(tok);
                while (end > tok && end[-1] == ' ')
                    *--end = '\0';
                if (!*tok)
                    continue;
                for (c = xml_child(r, "AllowedHeader"); c && !hit; c = xml_next(c, "AllowedHeader"))
                    hit = glob_match(xml_text(c), tok, 1);
                ok = hit;
            }
            if (!ok)
                continue;
        }
        *allowed_origin = matched;
        return r;
    }
    return NULL;
}

/* Joins the text of r's children called name with ", " into b. */
static void join(buf_t *b, const xml_node_t *r, const char *name)
{
    const xml_node_t *c;

    for (c = xml_child(r, name); c; c = xml_next(c, name)) {
        if (b->len)
            buf_adds(b, ", ");
        buf_adds(b, xml_text(c));
    }
}

static void cors_rule_headers(s3_req_t *s, const xml_node_t *rule, const char *origin,
                              const char *allowed_origin)
{
    http_req_t *h = s->r->http;
    buf_t b;

    if (!strcmp(allowed_origin, "*")) {
        http_add_header(h, "Access-Control-Allow-Origin", "*");
    } else {
        http_add_header(h, "Access-Control-Allow-Origin", origin);
        http_add_header(h, "Access-Control-Allow-Credentials", "true");
    }
    buf_init(&b, 0);
    join(&b, rule, "AllowedMethod");
    http_add_header(h, "Access-Control-Allow-Methods", b.data ? b.data : "");
    buf_free(&b);
    buf_init(&b, 0);
    join(&b, rule, "ExposeHeader");
    if (b.len)
        http_add_header(h, "Access-Control-Expose-Headers", b.data);
    buf_free(&b);
    if (xml_child(rule, "MaxAgeSeconds"))
        http_add_header(h, "Access-Control-Max-Age", xml_text(xml_child(rule, "MaxAgeSeconds")));
    http_add_header(h, "Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

int s3_op_cors_preflight(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char origin[1024], method[32], headers[2048] = "", region[64];
    const char *allowed = NULL;
    const xml_node_t *rule;
    xml_node_t *doc;

    if (!s3_header(s, "Origin", origin, sizeof origin))
        return s3_error(s, 400, "BadRequest", "Insufficient information. Origin request header needed.");
    if (!s3_header(s, "Access-Control-Request-Method", method, sizeof method))
        return s3_error(s, 400, "BadRequest", "Invalid Access-Control-Request-Method: null");
    if (strcmp(method, "GET") && strcmp(method, "PUT") && strcmp(method, "HEAD") &&
        strcmp(method, "POST") && strcmp(method, "DELETE"))
        return s3_error(s, 400, "BadRequest", "Invalid Access-Control-Request-Method: %s", method);
    s3_header(s, "Access-Control-Request-Headers", headers, sizeof headers);
    if (s3_bucket_region(s, s->bucket, region) == 0)
        return s3_error(s, 404, "NoSuchBucket", "The specified bucket does not exist");
    doc = config_doc(s, s->bucket, "cors");
    if (doc == NULL)
        return s3_error(s, 403, "CORSResponse", "CORS is not enabled for this bucket.");
    rule = cors_match(doc, origin, method, headers, &allowed);
    if (rule == NULL) {
        xml_free(doc);
        return s3_error(s, 403, "CORSResponse",
                        "This CORS request is not allowed. This is usually because the evalution "
                        "of Origin, request method / Access-Control-Request-Method or "
                        "Access-Control-Request-Headers are not whitelisted by the resource's "
                        "CORS spec.");
    }
    cors_rule_headers(s, rule, origin, allowed);
    if (headers[0])
        http_add_header(s->r->http, "Access-Control-Allow-Headers", headers);
    xml_free(doc);
    s3_send_empty(s, 200);
    return 0;
}

void s3_cors_headers(s3_req_t *s)
{
    char origin[1024];
    const char *allowed = NULL;
    const xml_node_t *rule;
    xml_node_t *doc;

    if (!s3_header(s, "Origin", origin, sizeof origin) || s->bucket[0] == '\0')
        return;
    if ((doc = config_doc(s, s->bucket, "cors")) == NULL)
        return;
    rule = cors_match(doc, origin, s->r->http->method, NULL, &allowed);
    if (rule)
        cors_rule_headers(s, rule, origin, allowed);
    xml_free(doc);
}
