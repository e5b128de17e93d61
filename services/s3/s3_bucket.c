/* s3_bucket.c — CreateBucket, DeleteBucket, HeadBucket, ListBuckets,
 * GetBucketLocation, bucket default encryption. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/clock.h"
#include "storage/db.h"
#include "emulator/http.h"
#include "base/xml.h"

static int internal(s3_req_t *s)
{
    db_rollback(s->r->emu->db);
    return s3_fail(s, S3_E_INTERNAL);
}

/* The Regions a LocationConstraint may name. */
static int known_region(const char *r)
{
    static const char *const regions[] = {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
        "ap-east-2", "ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
        "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1",
        "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1",
        "sa-east-1", "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1", NULL};
    size_t i;

    for (i = 0; regions[i]; i++)
        if (!strcmp(regions[i], r))
            return 1;
    return 0;
}

/* S3's bucket naming rules (general purpose buckets). */
static int valid_bucket_name(const char *b)
{
    size_t n = strlen(b), i, dots = 0;
    static const char *const bad_prefix[] = {"xn--", "sthree-", "amzn-s3-demo-", NULL};
    static const char *const bad_suffix[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3", NULL};
    int all_digits_dots = 1;

    if (n < 3 || n > 63)
        return 0;
    if (!(islower((unsigned char)b[0]) || isdigit((unsigned char)b[0])) ||
        !(islower((unsigned char)b[n - 1]) || isdigit((unsigned char)b[n - 1])))
        return 0;
    for (i = 0; i < n; i++) {
        char c = b[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '.' || c == '-'))
            return 0;
        if (c == '.') {
            dots++;
            if (i + 1 < n && b[i + 1] == '.')
                return 0;
        }
        if (!isdigit((unsigned char)c) && c != '.')
            all_digits_dots = 0;
    }
    if (all_digits_dots && dots == 3)
        return 0; /* formatted as an IP address */
    for (i = 0; bad_prefix[i]; i++)
        if (!strncmp(b, bad_prefix[i], strlen(bad_prefix[i])))
            return 0;
    for (i = 0; bad_suffix[i]; i++) {
        size_t l = strlen(bad_suffix[i]);
        if (n >= l && !strcmp(b + n - l, bad_suffix[i]))
            return 0;
    }
    return 1;
}

/* The region CreateBucket asks for (its CreateBucketConfiguration's
 * LocationConstraint, else the endpoint's) into region, checked as S3
 * checks it against the endpoint's region. 0 or -1 (error set). */
static int requested_region(s3_req_t *s, char region[64])
{
    http_req_t *h = s->r->http;
    char err[256];

    snprintf(region, 64, "%s", s->r->region);
    if (h->body.len > 0) {
        xml_node_t *doc = xml_parse(h->body.data, h->body.len, NULL, err, sizeof err);
        const xml_node_t *lc = xml_child(doc, "LocationConstraint");
        if (doc == NULL || strcmp(xml_name(doc), "CreateBucketConfiguration") != 0) {
            xml_free(doc);
            return s3_fail(s, S3_E_MALFORMED_XML);
        }
        if (lc) {
            char given[64];
            const char *v = given;
            str_copy(given, sizeof given, xml_text(lc));
            if (!strcmp(v, "EU"))
                v = "eu-west-1";
            if (v[0] == '\0' || !strcmp(v, "us-east-1") || !known_region(v)) {
                xml_free(doc);
                return s3_error(s, 400, "InvalidLocationConstraint",
                                "The specified location-constraint is not valid");
            }
            if (strcmp(v, s->r->region) != 0 && strcmp(s->r->region, "us-east-1") != 0) {
                xml_free(doc);
                return s3_error(s, 400, "IllegalLocationConstraintException",
                                "The %s location constraint is incompatible for the region "
                                "specific endpoint this request was sent to.",
                                v);
            }
            snprintf(region, 64, "%s", v);
        }
        xml_free(doc);
    } else if (strcmp(s->r->region, "us-east-1") != 0) {
        /* outside us-east-1 a bucket needs its region named */
        return s3_error(s, 400, "IllegalLocationConstraintException",
                        "The unspecified location constraint is incompatible for the region "
                        "specific endpoint this request was sent to.");
    }
    return 0;
}

/* CreateBucket's ACL headers into *acl (s3_acl_from_headers); *canned_private
 * 1 when the request's ACL is the "private" canned ACL alone. S3 ignores
 * the bucket-owner-full-control canned ACL on CreateBucket (aws CLI
 * create-bucket --acl bucket-owner-full-control succeeds): it names no
 * grant beyond the owner's. 0 or -1 (error set). */
static int create_acl(s3_req_t *s, char **acl, int *canned_private)
{
    static const char *const grants[] = {"x-amz-grant-full-control", "x-amz-grant-read",
                                         "x-amz-grant-read-acp", "x-amz-grant-write",
                                         "x-amz-grant-write-acp", NULL};
    char name[64];
    size_t i;
    int any_grant = 0;

    *acl = NULL;
    for (i = 0; grants[i]; i++)
        any_grant |= http_header(s->r->http, grants[i], NULL) != NULL;
    if (!any_grant && s3_header(s, "x-amz-acl", name, sizeof name)) {
        if (!strcmp(name, "bucket-owner-full-control"))
            return 0;
        *canned_private = !strcmp(name, "private");
    }
    return s3_acl_from_headers(s, 1, acl);
}

int s3_op_create_bucket(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    char region[64], existing[64], own[32] = "", lock[16] = "";
    char *acl = NULL;
    sqlite3_stmt *st;
    int rc, canned_private = 0, legacy;

    if (!valid_bucket_name(s->bucket))
        return s3_fail(s, S3_E_INVALID_BUCKET_NAME);
    if (s3_header(s, "x-amz-object-ownership", own, sizeof own) &&
        strcmp(own, "BucketOwnerPreferred") && strcmp(own, "ObjectWriter") &&
        strcmp(own, "BucketOwnerEnforced"))
        return s3_error(s, 400, "InvalidArgument", "Invalid x-amz-object-ownership header: %s", own);
    s3_header(s, "x-amz-bucket-object-lock-enabled", lock, sizeof lock);
    if (requested_region(s, region) != 0)
        return -1;
    rc = s3_bucket_region(s, s->bucket, existing);
    if (rc < 0)
        return internal(s);
    if (rc == 2)
        return s3_error(s, 409, "BucketAlreadyExists",
                        "The requested bucket name is not available. The bucket namespace is "
                        "shared by all users of the system. Please select a different name and "
                        "try again.");
    if (rc == 1) {
        if (!strcmp(existing, "us-east-1") && !strcmp(region, "us-east-1")) {
            /* us-east-1's legacy answer to re-creating one's own bucket */
            http_add_header(h, "Location", "/");
            http_respond(h, 200, NULL, NULL, 0);
            return 0;
        }
        return s3_error(s, 409, "BucketAlreadyOwnedByYou",
                        "Your previous request to create the named bucket succeeded and you "
                        "already own it.");
    }
    if (create_acl(s, &acl, &canned_private) != 0)
        return -1;
    /* AWS's defaults for new buckets (April 2023): ACLs disabled unless the
     * request enables them, and every public access block setting on. Both
     * are stored as the bucket's configuration, so a bucket created before
     * (no rows) keeps the old behaviour. A bucket asked for with the
     * "private" canned ACL alone is BucketOwnerPreferred (versitygw#1869,
     * pinned against AWS: what lets rclone's mkdir-then-copy work). With
     * --s3-legacy-defaults: the defaults before April 2023. */
    legacy = s->r->emu->cfg->s3_legacy_defaults;
    if (own[0] == '\0')
        snprintf(own, sizeof own, "%s",
                 legacy ? "ObjectWriter"
                        : canned_private ? "BucketOwnerPreferred" : "BucketOwnerEnforced");
    if (acl && !strcmp(own, "BucketOwnerEnforced")) {
        free(acl);
        return s3_fail(s, S3_E_ACL_OWNERSHIP);
    }
    if (acl && s3_acl_is_public(acl) && !legacy) {
        free(acl);
        return s3_error(s, 400, "InvalidBucketAclWithBlockPublicAccessError",
                        "Bucket cannot have public ACLs set with BlockPublicAccess enabled");
    }
    if (db_begin(s->r->emu->db) != 0) {
        free(acl);
        return internal(s);
    }
    st = db_query(s->r->emu->db, "INSERT INTO s3_buckets (name, account, region, created, acl, "
                                 "versioning) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                  "sssdss", s->bucket, s->r->account, region, s->r->now, acl,
                  /* object lock needs versions */
                  !strcasecmp(lock, "true") ? "Enabled" : NULL);
    if (st == NULL) {
        free(acl);
        return internal(s);
    }
    rc = sqlite3_step(st);
    db_done(st);
    free(acl);
    if (rc != SQLITE_DONE)
        return internal(s);
    {
        char doc[256];
        snprintf(doc, sizeof doc, "<OwnershipControls xmlns=\"%s\"><Rule><ObjectOwnership>%s"
                                  "</ObjectOwnership></Rule></OwnershipControls>", XML_NS_S3, own);
        if (s3_config_set(s, s->bucket, "ownershipControls", doc) != 0 ||
            (!legacy && s3_config_set(s, s->bucket, "publicAccessBlock",
                          "<PublicAccessBlockConfiguration xmlns=\"" XML_NS_S3 "\">"
                          "<BlockPublicAcls>true</BlockPublicAcls>"
                          "<IgnorePublicAcls>true</IgnorePublicAcls>"
                          "<BlockPublicPolicy>true</BlockPublicPolicy>"
                          "<RestrictPublicBuckets>true</RestrictPublicBuckets>"
                          "</PublicAccessBlockConfiguration>") != 0))
            return internal(s);
    }
    if (!strcasecmp(lock, "true") &&
        s3_config_set(s, s->bucket, "object-lock",
                      "<ObjectLockConfiguration xmlns=\"" XML_NS_S3 "\"><ObjectLockEnabled>"
                      "Enabled</ObjectLockEnabled></ObjectLockConfiguration>") != 0)
        return internal(s);
    if (db_commit(s->r->emu->db) != 0)
        return internal(s);
    {
        char loc[96]; /* arn:aws-us-gov:s3::: + a 63-byte name */
        snprintf(loc, sizeof loc, "/%s", s->bucket);
        http_add_header(h, "Location", loc);
        /* BucketArn of botocore's CreateBucketOutput */
        snprintf(loc, sizeof loc, "arn:%s:s3:::%s", partition_name(region), s->bucket);
        http_add_header(h, "x-amz-bucket-arn", loc);
    }
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_delete_bucket(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    sqlite3_stmt *st;
    int rc, n;

    if (s3_require_bucket(s) != 0)
        return -1;
    st = db_query(s->r->emu->db, "SELECT EXISTS (SELECT 1 FROM s3_objects WHERE bucket=?1) OR "
                                "EXISTS (SELECT 1 FROM s3_versions WHERE bucket=?1)", "s", s->bucket);
    if (st == NULL)
        return internal(s);
    n = db_row(st) == 1 ? sqlite3_column_int(st, 0) : 0;
    db_done(st);
    if (n > 0)
        return s3_error(s, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
    db_reserve_use(s->r->emu->db); /* a delete must work on a full disk */
    /* in-progress uploads go with the bucket, and so do their parts' blobs */
    st = db_query(s->r->emu->db, "SELECT p.blob_id FROM s3_parts p JOIN s3_uploads u USING "
                                "(upload_id) WHERE u.bucket=?1", "s", s->bucket);
    if (st) {
        while (db_row(st) == 1)
            s3_drop_blob(s, (const char *)sqlite3_column_text(st, 0));
        db_done(st);
    }
    st = db_query(s->r->emu->db, "DELETE FROM s3_buckets WHERE name=?1", "s", s->bucket);
    if (st == NULL)
        return internal(s);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE)
        return internal(s);
    s3_send_empty(s, 204);
    return 0;
}

int s3_op_head_bucket(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char region[64];
    int rc = s3_bucket_region(s, s->bucket, region);

    if (rc < 0)
        return internal(s);
    if (rc == 0)
        return s3_fail(s, S3_E_NO_SUCH_BUCKET);
    http_add_header(s->r->http, "x-amz-bucket-region", region);
    if (rc == 2)
        return s3_fail(s, S3_E_ACCESS_DENIED);
    http_add_header(s->r->http, "x-amz-access-point-alias", "false");
    /* S3's HeadBucket answer names application/xml though it has no body
     * (a real bucket's headers, recorded in moto issue 6042) */
    http_add_header(s->r->http, "x-amz-request-id", s->r->request_id);
    http_respond(s->r->http, 200, "application/xml", NULL, 0);
    return 0;
}

int s3_op_list_buckets(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    sqlite3_stmt *st = db_query(s->r->emu->db, "SELECT name, created, region FROM s3_buckets WHERE "
                                               "account=?1 ORDER BY name", "s", s->r->account);
    char date[32];
    buf_t out;

    if (st == NULL)
        return internal(s);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "ListAllMyBucketsResult", XML_NS_S3);
    xml_open(&out, "Owner");
    {
        char owner[65];
        s3_canonical_id(s->r->account, owner);
        xml_elem(&out, "ID", owner);
    }
    xml_elem(&out, "DisplayName", "awsemu");
    xml_close(&out, "Owner");
    xml_open(&out, "Buckets");
    while (db_row(st) == 1) {
        xml_open(&out, "Bucket");
        xml_elem(&out, "Name", (const char *)sqlite3_column_text(st, 0));
        clock_iso8601(sqlite3_column_double(st, 1), date);
        xml_elem(&out, "CreationDate", date);
        xml_elem(&out, "BucketRegion", (const char *)sqlite3_column_text(st, 2));
        xml_close(&out, "Bucket");
    }
    db_done(st);
    xml_close(&out, "Buckets");
    xml_close(&out, "ListAllMyBucketsResult");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

int s3_op_get_bucket_location(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char region[64];
    buf_t out;

    if (s3_require_bucket(s) != 0)
        return -1;
    s3_bucket_region(s, s->bucket, region);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "LocationConstraint", XML_NS_S3);
    if (strcmp(region, "us-east-1") != 0)
        xml_escape(&out, region, strlen(region));
    xml_close(&out, "LocationConstraint");
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

static int set_encryption(s3_req_t *s, const char *json)
{
    sqlite3_stmt *st;
    int rc;

    st = db_query(s->r->emu->db, "UPDATE s3_buckets SET encryption=?2 WHERE name=?1", "ss", s->bucket, json);
    if (st == NULL)
        return internal(s);
    s3_bucket_changed(s);
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? 0 : internal(s);
}

int s3_op_put_bucket_encryption(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    xml_node_t *doc;
    const xml_node_t *rule, *def;
    const char *alg, *key, *bk;
    char err[256], *text;
    cJSON *j;
    int rc;

    if (s3_require_bucket(s) != 0)
        return -1;
    doc = xml_parse(h->body.data ? h->body.data : "", h->body.len, NULL, err, sizeof err);
    rule = xml_child(doc, "Rule");
    def = xml_child(rule, "ApplyServerSideEncryptionByDefault");
    if (doc == NULL || strcmp(xml_name(doc), "ServerSideEncryptionConfiguration") != 0 ||
        def == NULL || xml_count(doc, "Rule") != 1) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    alg = xml_text(xml_child(def, "SSEAlgorithm"));
    key = xml_text(xml_child(def, "KMSMasterKeyID"));
    bk = xml_text(xml_child(rule, "BucketKeyEnabled"));
    if (strcmp(alg, "AES256") && strcmp(alg, "aws:kms") && strcmp(alg, "aws:kms:dsse")) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    if (key[0] && !strcmp(alg, "AES256")) {
        xml_free(doc);
        return s3_error(s, 400, "InvalidArgument",
                        "a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                        "aws:kms or aws:kms:dsse");
    }
    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "SSEAlgorithm", alg);
    if (key[0])
        cJSON_AddStringToObject(j, "KMSMasterKeyID", key);
    cJSON_AddBoolToObject(j, "BucketKeyEnabled", !strcmp(bk, "true"));
    xml_free(doc);
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    rc = set_encryption(s, text);
    free(text);
    if (rc != 0)
        return -1;
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_get_bucket_encryption(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char *enc;
    cJSON *j;
    const cJSON *a, *k, *b;
    buf_t out;

    if (s3_require_bucket(s) != 0)
        return -1;
    /* every bucket has a default: SSE-S3 unless configured otherwise */
    enc = s3_bucket_encryption(s, s->bucket);
    j = enc ? cJSON_Parse(enc) : NULL;
    a = j ? cJSON_GetObjectItemCaseSensitive(j, "SSEAlgorithm") : NULL;
    k = j ? cJSON_GetObjectItemCaseSensitive(j, "KMSMasterKeyID") : NULL;
    b = j ? cJSON_GetObjectItemCaseSensitive(j, "BucketKeyEnabled") : NULL;
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "ServerSideEncryptionConfiguration", XML_NS_S3);
    xml_open(&out, "Rule");
    xml_open(&out, "ApplyServerSideEncryptionByDefault");
    xml_elem(&out, "SSEAlgorithm", cJSON_IsString(a) ? a->valuestring : "AES256");
    if (cJSON_IsString(k))
        xml_elem(&out, "KMSMasterKeyID", k->valuestring);
    xml_close(&out, "ApplyServerSideEncryptionByDefault");
    xml_elem(&out, "BucketKeyEnabled", cJSON_IsTrue(b) ? "true" : "false");
    xml_close(&out, "Rule");
    xml_close(&out, "ServerSideEncryptionConfiguration");
    cJSON_Delete(j);
    free(enc);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

int s3_op_delete_bucket_encryption(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;

    if (s3_require_bucket(s) != 0 || set_encryption(s, NULL) != 0)
        return -1;
    s3_send_empty(s, 204);
    return 0;
}
