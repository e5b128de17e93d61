/* s3_analytics.c — the configurations a bucket keeps by id: analytics,
 * inventory, metrics and S3 Intelligent-Tiering (Put, Get, Delete, List
 * with ?id=). Each is checked as S3 checks it and kept as the canonical
 * document S3 answers with, in s3_bucket_configs under "<kind>:<id>".
 * Nothing is computed from them: awsemu makes no reports. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xml.h"
#include "emulator/http.h"
#include "storage/db.h"

#define MAX_CONFIGS 1000 /* of each kind per bucket (S3's limit) */
#define LIST_PAGE 100    /* configurations per List page, as S3 pages them */

typedef int (*idcheck_fn)(s3_req_t *s, const xml_node_t *doc);

static int one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(v, *set))
            return 1;
    return 0;
}

static int s3_bucket_dest(s3_req_t *s, const xml_node_t *dest, const char *const *formats)
{
    const char *arn = xml_text(xml_child(dest, "Bucket"));
    size_t p;

    if (dest == NULL || !one_of(xml_text(xml_child(dest, "Format")), formats) || !arn[0])
        return s3_fail(s, S3_E_MALFORMED_XML);
    p = partition_arn_prefix(arn); /* arn:<any partition>:s3:::bucket */
    if (p == 0 || strncmp(arn + p, "s3:::", 5) != 0 || arn[p + 5] == '\0')
        return s3_error(s, 400, "InvalidArgument", "Invalid bucket ARN.");
    return 0;
}

static int check_analytics(s3_req_t *s, const xml_node_t *doc)
{
    static const char *const csv[] = {"CSV", NULL};
    const xml_node_t *sca = xml_child(doc, "StorageClassAnalysis");
    const xml_node_t *exp = xml_child(sca, "DataExport");

    if (sca == NULL)
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (exp && (strcmp(xml_text(xml_child(exp, "OutputSchemaVersion")), "V_1") != 0 ||
                s3_bucket_dest(s, xml_child(xml_child(exp, "Destination"), "S3BucketDestination"),
                               csv) != 0))
        return s->r->err_code[0] ? -1 : s3_fail(s, S3_E_MALFORMED_XML);
    return 0;
}

static int check_inventory(s3_req_t *s, const xml_node_t *doc)
{
    static const char *const formats[] = {"CSV", "ORC", "Parquet", NULL};
    static const char *const bools[] = {"true", "false", NULL};
    static const char *const versions[] = {"All", "Current", NULL};
    static const char *const freq[] = {"Daily", "Weekly", NULL};

    if (!one_of(xml_text(xml_child(doc, "IsEnabled")), bools) ||
        !one_of(xml_text(xml_child(doc, "IncludedObjectVersions")), versions) ||
        !one_of(xml_text(xml_child(xml_child(doc, "Schedule"), "Frequency")), freq))
        return s3_fail(s, S3_E_MALFORMED_XML);
    return s3_bucket_dest(s, xml_child(xml_child(doc, "Destination"), "S3BucketDestination"),
                          formats);
}

static int check_metrics(s3_req_t *s, const xml_node_t *doc)
{
    const xml_node_t *f = xml_child(doc, "Filter");

    /* a filter names one condition, or And of them */
    if (f && xml_count(f, NULL) != 1)
        return s3_fail(s, S3_E_MALFORMED_XML);
    return 0;
}

/* Archive tiers and the days S3 allows for them (AWS docs "Using S3
 * Intelligent-Tiering": Archive Access 90 to 730 days, Deep Archive Access
 * 180 to 730). */
static int check_tiering(s3_req_t *s, const xml_node_t *doc)
{
    static const char *const st[] = {"Enabled", "Disabled", NULL};
    const xml_node_t *t;

    if (!one_of(xml_text(xml_child(doc, "Status")), st) || xml_count(doc, "Tiering") == 0)
        return s3_fail(s, S3_E_MALFORMED_XML);
    for (t = xml_child(doc, "Tiering"); t; t = xml_next(t, "Tiering")) {
        const char *tier = xml_text(xml_child(t, "AccessTier"));
        long days = strtol(xml_text(xml_child(t, "Days")), NULL, 10);
        int deep = !strcmp(tier, "DEEP_ARCHIVE_ACCESS");
        if (!deep && strcmp(tier, "ARCHIVE_ACCESS"))
            return s3_fail(s, S3_E_MALFORMED_XML);
        if (days < (deep ? 180 : 90) || days > 730)
            return s3_error(s, 400, "InvalidArgument",
                            "%s days must be between %d and 730 days", deep ? "Deep Archive Access"
                                                                             : "Archive Access",
                            deep ? 180 : 90);
    }
    return 0;
}

typedef struct {
    const char *sub, *root, *list_root;
    idcheck_fn check;
} idcfg_t;

static const idcfg_t idcfgs[] = {
    {"analytics", "AnalyticsConfiguration", "ListBucketAnalyticsConfigurationResult",
     check_analytics},
    {"inventory", "InventoryConfiguration", "ListInventoryConfigurationsResult", check_inventory},
    {"metrics", "MetricsConfiguration", "ListMetricsConfigurationsResult", check_metrics},
    {"intelligent-tiering", "IntelligentTieringConfiguration",
     "ListBucketIntelligentTieringConfigurationsOutput", check_tiering},
};

static const idcfg_t *find_idcfg(const s3_req_t *s)
{
    size_t i;

    for (i = 0; s->sub && i < sizeof idcfgs / sizeof idcfgs[0]; i++)
        if (!strcmp(idcfgs[i].sub, s->sub))
            return &idcfgs[i];
    return NULL;
}

/* The bucket, the configuration kind and ?id= (required when need_id):
 * name gets "<kind>:<id>". 0 or -1 (error set). */
static int request_id(s3_req_t *s, const idcfg_t **c, char id[80], char name[128])
{
    *c = find_idcfg(s);
    if (*c == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (s3_require_bucket(s) != 0)
        return -1;
    if (!s3_query(s, "id", id, 80) || id[0] == '\0')
        return s3_error(s, 400, "InvalidArgument", "Missing required parameter: id");
    snprintf(name, 128, "%s:%s", (*c)->sub, id);
    return 0;
}

static int count_configs(s3_req_t *s, const char *sub)
{
    sqlite3_stmt *st = db_query(s->r->emu->db, "SELECT count(*) FROM s3_bucket_configs WHERE "
                                               "bucket=?1 AND name>?2 AND name<?2 || ';'",
                                "ss", s->bucket, sub);
    int n = -1;

    if (st && db_row(st) == 1)
        n = sqlite3_column_int(st, 0);
    if (st)
        db_done(st);
    return n;
}

int s3_op_idconfig_put(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = r->http;
    const idcfg_t *c;
    char id[80], name[128], err[128], *old;
    xml_node_t *doc;
    buf_t out;
    int rc;

    if (request_id(s, &c, id, name) != 0)
        return -1;
    doc = h->body.len ? xml_parse(h->body.data, h->body.len, NULL, err, sizeof err) : NULL;
    if (doc == NULL || strcmp(xml_name(doc), c->root) != 0 || xml_child(doc, "Id") == NULL) {
        xml_free(doc);
        return h->body.len ? s3_fail(s, S3_E_MALFORMED_XML) : s3_fail(s, S3_E_MISSING_BODY);
    }
    if (strcmp(xml_text(xml_child(doc, "Id")), id) != 0) {
        xml_free(doc);
        return s3_error(s, 400, "InvalidArgument",
                        "The Id in the configuration does not match the id in the request.");
    }
    if (c->check(s, doc) != 0) {
        xml_free(doc);
        return -1;
    }
    old = s3_config_get(s, s->bucket, name);
    if (old == NULL && count_configs(s, c->sub) >= MAX_CONFIGS) {
        xml_free(doc);
        return s3_error(s, 400, "TooManyConfigurations",
                        "You are attempting to create a new configuration but have already "
                        "reached the 1,000-configuration limit.");
    }
    free(old);
    /* kept as S3 answers it: the elements given, in S3's namespace */
    buf_init(&out, 0);
    s3_xml_copy_doc(&out, doc, c->root);
    xml_free(doc);
    rc = s3_config_set(s, s->bucket, name, out.data);
    buf_free(&out);
    if (rc != 0)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, 200);
    return 0;
}

int s3_op_idconfig_get(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    const idcfg_t *c;
    char id[80], name[128], *doc;
    buf_t out;

    if (request_id(s, &c, id, name) != 0)
        return -1;
    if ((doc = s3_config_get(s, s->bucket, name)) == NULL)
        return s3_error(s, 404, "NoSuchConfiguration", "The specified configuration does not exist.");
    buf_init(&out, 0);
    xml_decl(&out);
    buf_adds(&out, doc);
    free(doc);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}

int s3_op_idconfig_delete(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    const idcfg_t *c;
    char id[80], name[128], *doc;

    if (request_id(s, &c, id, name) != 0)
        return -1;
    if ((doc = s3_config_get(s, s->bucket, name)) == NULL)
        return s3_error(s, 404, "NoSuchConfiguration", "The specified configuration does not exist.");
    free(doc);
    if (s3_config_set(s, s->bucket, name, NULL) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    s3_send_empty(s, 204);
    return 0;
}

/* A page of the kind's configurations, by id, after continuation-token
 * (the last id of the page before). */
int s3_op_idconfig_list(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    const idcfg_t *c = find_idcfg(s);
    char token[128] = "", from[160], last[128] = "";
    sqlite3_stmt *st;
    buf_t out, items;
    int n = 0, more = 0;

    if (c == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (s3_require_bucket(s) != 0)
        return -1;
    s3_query(s, "continuation-token", token, sizeof token);
    snprintf(from, sizeof from, "%s:%s", c->sub, token);
    st = db_query(r->emu->db, "SELECT name, doc FROM s3_bucket_configs WHERE bucket=?1 AND "
                              "name>?2 AND name<?3 || ';' ORDER BY name LIMIT ?4",
                  "sssi", s->bucket, from, c->sub, LIST_PAGE + 1);
    if (st == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    buf_init(&items, 0);
    while (db_row(st) == 1) {
        const char *doc = db_text(st, 1), *gt = strchr(doc, '>');
        if (n == LIST_PAGE) {
            more = 1;
            break;
        }
        /* the stored document without its namespace declaration */
        str_copy(last, sizeof last, db_text(st, 0) + strlen(c->sub) + 1);
        xml_open(&items, c->root);
        if (gt)
            buf_adds(&items, gt + 1);
        n++;
    }
    db_done(st);
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, c->list_root, XML_NS_S3);
    xml_elem(&out, "IsTruncated", more ? "true" : "false");
    if (token[0])
        xml_elem(&out, "ContinuationToken", token);
    if (more)
        xml_elem(&out, "NextContinuationToken", last);
    if (items.len)
        buf_add(&out, items.data, items.len);
    xml_close(&out, c->list_root);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    buf_free(&items);
    return 0;
}
