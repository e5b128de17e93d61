/* s3_acl.c — bucket and object ACLs: canned ACLs and x-amz-grant-*
 * headers, AccessControlPolicy documents, the stored grants as JSON, what
 * they give the AllUsers group, and Object Ownership (BucketOwnerEnforced
 * disables ACLs). */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xml.h"
#include "emulator/http.h"
#include "storage/db.h"

#define XSI "http://www.w3.org/2001/XMLSchema-instance"
#define ALL_USERS "http://acs.amazonaws.com/groups/global/AllUsers"
#define AUTH_USERS "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
#define LOG_DELIVERY "http://acs.amazonaws.com/groups/s3/LogDelivery"

static void ownership(s3_req_t *s, const char *bucket, char out[32])
{
    xml_node_t *doc = s3_config_doc(s, bucket, "ownershipControls");

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
                return s3_fail(s, S3_E_ARGUMENT_FORMAT);
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
                return s3_fail(s, S3_E_ARGUMENT_FORMAT);
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
        return s3_fail(s, S3_E_ACLS_NOT_SUPPORTED);
    }
    if (acl_is_default(a, owner)) {
        cJSON_Delete(a);
        return 0;
    }
    if (acl_public(a) && s3_pab_flag(s, bucket, "BlockPublicAcls")) {
        cJSON_Delete(a);
        return s3_fail(s, S3_E_ACCESS_DENIED);
    }
    *json = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return *json ? 0 : s3_fail(s, S3_E_INTERNAL);
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
        /* AWS names the argument but leaves <Message> empty (versitygw#1367
         * quotes its answer), which crashes the aws CLI v1 and v2 reading
         * it: never an empty message here */
        if ((a = canned(name, owner, for_bucket)) == NULL)
            return s3_error_arg(s, 400, "InvalidArgument", "x-amz-acl", name,
                                "The canned ACL %s is not valid for this request", name);
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
        return s3_fail(s, S3_E_MALFORMED_ACL);
    }
    if (strcmp(xml_text(xml_child(xml_child(doc, "Owner"), "ID")), owner) != 0) {
        xml_free(doc);
        return s3_fail(s, S3_E_ACCESS_DENIED);
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
            return s3_fail(s, S3_E_MALFORMED_ACL);
        }
        if (xml_child(ge, "ID"))
            rc = grantee(s, a, "CanonicalUser", xml_text(xml_child(ge, "ID")), perm);
        else if (xml_child(ge, "URI"))
            rc = grantee(s, a, "Group", xml_text(xml_child(ge, "URI")), perm);
        else if (xml_child(ge, "EmailAddress"))
            rc = grantee(s, a, "EmailAddress", "", perm);
        else
            rc = s3_fail(s, S3_E_MALFORMED_ACL);
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
            return s3_fail(s, S3_E_ACLS_NOT_SUPPORTED);
        }
        text = cJSON_PrintUnformatted(a);
        cJSON_Delete(a);
        *json = text;
        return text ? 0 : s3_fail(s, S3_E_INTERNAL);
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
    st = db_query(s->r->emu->db, "UPDATE s3_buckets SET acl=?2 WHERE name=?1", "ss", s->bucket,
                  json);
    if (st == NULL) {
        free(json);
        return s3_fail(s, S3_E_INTERNAL);
    }
    rc = sqlite3_step(st);
    db_done(st);
    free(json);
    if (rc != SQLITE_DONE)
        return s3_fail(s, S3_E_INTERNAL);
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
    st = db_query(s->r->emu->db, "SELECT acl FROM s3_buckets WHERE name=?1", "s", s->bucket);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (db_row(st) == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
        json = strdup((const char *)sqlite3_column_text(st, 0));
    db_done(st);
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
        return s3_fail(s, S3_E_INTERNAL);
    if (rc == 2) {
        s3_object_clear(o);
        s->err_marker = 1;
        http_add_header(s->r->http, "x-amz-delete-marker", "true");
        return s3_fail(s, S3_E_METHOD_NOT_ALLOWED);
    }
    if (rc == 0)
        return vid[0] ? s3_fail(s, S3_E_NO_SUCH_VERSION)
                      : s3_fail(s, S3_E_NO_SUCH_KEY);
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
    st = db_query(s->r->emu->db,
                 current ? "UPDATE s3_objects SET acl=?3 WHERE bucket=?1 AND key=?2"
                         : "UPDATE s3_versions SET acl=?3 WHERE bucket=?1 AND key=?2 AND version_id=?4",
                  "sss", s->bucket, s->key, json);
    if (st == NULL) {
        free(json);
        return s3_fail(s, S3_E_INTERNAL);
    }
    if (!current)
        sqlite3_bind_text(st, 4, vid, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    db_done(st);
    free(json);
    if (rc != SQLITE_DONE)
        return s3_fail(s, S3_E_INTERNAL);
    {
        s3_event_obj_t ev = {s->key, 0, NULL, NULL};
        s3_notify(s, "s3:ObjectAcl:Put", &ev);
    }
    s3_send_empty(s, 200);
    return 0;
}
