/* s3_notify.c — event notifications: the NotificationConfiguration a
 * bucket keeps (Topic, Queue, CloudFunction and EventBridge entries,
 * checked as S3 checks them), and the delivery of object events to the
 * Lambda destinations: AWS's S3 event JSON, POSTed asynchronously to the
 * local handler --lambda-endpoint maps the function's name to. awsemu has
 * no SNS, SQS or EventBridge: those entries are kept and answered, not
 * delivered. */
#include "services/s3/s3_int.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/codec.h"
#include "base/log.h"
#include "base/partition.h"
#include "base/xml.h"
#include "emulator/config.h"

#define MAX_INFLIGHT 64   /* deliveries under way; more are dropped (logged) */
#define DELIVERY_TIMEOUT_S 10

/* The event types of S3's notifications (AWS docs "Supported event
 * types for SQS, SNS, and Lambda"). */
static const char *const events[] = {
    "s3:TestEvent", "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition",
    "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put", NULL};

static const struct {
    const char *entry, *arn, *service;
} kinds[] = {
    {"TopicConfiguration", "Topic", "sns"},
    {"QueueConfiguration", "Queue", "sqs"},
    {"CloudFunctionConfiguration", "CloudFunction", "lambda"},
};

/* ---- the configuration ---------------------------------------------------------- */

/* 1 when a and b name events one of which includes the other. */
static int events_overlap(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (!strcmp(a, b))
        return 1;
    if (la > 1 && a[la - 1] == '*' && !strncmp(a, b, la - 1))
        return 1;
    return lb > 1 && b[lb - 1] == '*' && !strncmp(a, b, lb - 1);
}

/* The entry's prefix and suffix filter values ("" none). */
static void entry_filter(const xml_node_t *e, const char **prefix, const char **suffix)
{
    const xml_node_t *r;

    *prefix = *suffix = "";
    for (r = xml_child(xml_child(xml_child(e, "Filter"), "S3Key"), "FilterRule"); r;
         r = xml_next(r, "FilterRule")) {
        if (!strcasecmp(xml_text(xml_child(r, "Name")), "prefix"))
            *prefix = xml_text(xml_child(r, "Value"));
        else
            *suffix = xml_text(xml_child(r, "Value"));
    }
}

/* 1 when both entries can match one key: each prefix begins the other or
 * is begun by it, and so do the suffixes from the end. */
static int filters_overlap(const xml_node_t *a, const xml_node_t *b)
{
    const char *pa, *sa, *pb, *sb;
    size_t n;

    entry_filter(a, &pa, &sa);
    entry_filter(b, &pb, &sb);
    n = strlen(pa) < strlen(pb) ? strlen(pa) : strlen(pb);
    if (strncmp(pa, pb, n) != 0)
        return 0;
    n = strlen(sa) < strlen(sb) ? strlen(sa) : strlen(sb);
    return !strcmp(sa + strlen(sa) - n, sb + strlen(sb) - n);
}

/* "arn:<partition>:<service>:<region>:<12 digits>:<name...>" (Lambda:
 * function:NAME). */
static int arn_ok(const char *arn, const char *service)
{
    const char *p, *acct, *svc;
    size_t i, n = partition_arn_prefix(arn);

    if (n == 0 || strlen(arn) > 2048)
        return 0;
    svc = arn + n;
    if (strncmp(svc, service, strlen(service)) != 0 || svc[strlen(service)] != ':')
        return 0;
    svc += strlen(service) + 1;
    p = strchr(svc, ':'); /* after the region */
    if (p == NULL || p == svc)
        return 0;
    acct = p + 1;
    for (i = 0; i < 12; i++)
        if (acct[i] < '0' || acct[i] > '9')
            return 0;
    if (acct[12] != ':' || acct[13] == '\0')
        return 0;
    return strcmp(service, "lambda") != 0 || (!strncmp(acct + 13, "function:", 9) && acct[22]);
}

/* The function's name in a Lambda ARN (its qualifier left off). */
static void function_name(const char *arn, char out[128])
{
    const char *p = strstr(arn, ":function:");
    size_t n;

    p = p ? p + 10 : arn;
    n = strcspn(p, ":");
    snprintf(out, 128, "%.*s", (int)(n < 127 ? n : 127), p);
}

/* One entry checked: its ARN, events and filter. 0 or -1 (error set). */
static int check_entry(s3_req_t *s, const xml_node_t *e, size_t kind)
{
    const char *arn = xml_text(xml_child(e, kinds[kind].arn));
    const xml_node_t *ev, *r;
    int np = 0, ns = 0;
    size_t i;

    if (xml_child(e, kinds[kind].arn) == NULL || xml_count(e, "Event") == 0)
        return s3_fail(s, S3_E_MALFORMED_XML);
    if (!arn_ok(arn, kinds[kind].service))
        return s3_error_arg(s, 400, "InvalidArgument", kinds[kind].arn, arn,
                            "The ARN is not well formed");
    for (ev = xml_child(e, "Event"); ev; ev = xml_next(ev, "Event")) {
        int ok = 0;
        for (i = 0; events[i]; i++)
            ok |= !strcmp(events[i], xml_text(ev));
        if (!ok)
            return s3_error_arg(s, 400, "InvalidArgument", "Event", xml_text(ev),
                                "The event is not supported for notifications");
    }
    for (r = xml_child(xml_child(xml_child(e, "Filter"), "S3Key"), "FilterRule"); r;
         r = xml_next(r, "FilterRule")) {
        const char *name = xml_text(xml_child(r, "Name"));
        if (!strcasecmp(name, "prefix"))
            np++;
        else if (!strcasecmp(name, "suffix"))
            ns++;
        else
            return s3_error_arg(s, 400, "InvalidArgument", "FilterRule.Name", name,
                                "filter rule name must be either prefix or suffix");
        if (np > 1 || ns > 1)
            return s3_error_arg(s, 400, "InvalidArgument", "FilterRule.Name", name,
                                "Cannot specify more than one %s rule in a filter.",
                                np > 1 ? "prefix" : "suffix");
    }
    /* a Lambda destination awsemu cannot invoke is one S3 cannot validate */
    if (!strcmp(kinds[kind].service, "lambda")) {
        char fn[128];
        function_name(arn, fn);
        if (config_lambda_url(s->r->emu->cfg, fn) == NULL)
            return s3_error_arg(s, 400, "InvalidArgument", arn,
                                "The destination Lambda function does not exist",
                                "Unable to validate the following destination configurations");
    }
    return 0;
}

/* The entry's kind (index of kinds[]), or -1 for another element. */
static int entry_kind(const xml_node_t *e)
{
    size_t i;

    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(xml_name(e), kinds[i].entry))
            return (int)i;
    return -1;
}

/* No two entries share an event type for keys both filters match (S3:
 * "Configurations overlap..."). */
static int check_overlaps(s3_req_t *s, const xml_node_t *doc)
{
    const xml_node_t *a, *b, *ea, *eb;

    for (a = xml_child(doc, NULL); a; a = xml_next(a, NULL)) {
        if (entry_kind(a) < 0)
            continue;
        for (b = xml_next(a, NULL); b; b = xml_next(b, NULL)) {
            if (entry_kind(b) < 0 || !filters_overlap(a, b))
                continue;
            for (ea = xml_child(a, "Event"); ea; ea = xml_next(ea, "Event"))
                for (eb = xml_child(b, "Event"); eb; eb = xml_next(eb, "Event"))
                    if (events_overlap(xml_text(ea), xml_text(eb)))
                        return s3_error(s, 400, "InvalidArgument",
                                        "Configurations overlap. Configurations on the same "
                                        "bucket cannot share a common event type.");
        }
    }
    return 0;
}

/* Writes an entry as S3 answers it: an Id (made up when left out), the
 * ARN, the events and the filter. */
static void copy_entry(buf_t *b, const xml_node_t *e, size_t kind)
{
    const xml_node_t *c;
    const char *prefix, *suffix;
    char id[40];

    xml_open(b, kinds[kind].entry);
    if (xml_text(xml_child(e, "Id"))[0]) {
        xml_elem(b, "Id", xml_text(xml_child(e, "Id")));
    } else {
        codec_uuid(id);
        xml_elem(b, "Id", id);
    }
    xml_elem(b, kinds[kind].arn, xml_text(xml_child(e, kinds[kind].arn)));
    for (c = xml_child(e, "Event"); c; c = xml_next(c, "Event"))
        xml_elem(b, "Event", xml_text(c));
    entry_filter(e, &prefix, &suffix);
    if (xml_child(e, "Filter")) {
        xml_open(b, "Filter");
        xml_open(b, "S3Key");
        for (c = xml_child(xml_child(xml_child(e, "Filter"), "S3Key"), "FilterRule"); c;
             c = xml_next(c, "FilterRule")) {
            int pre = !strcasecmp(xml_text(xml_child(c, "Name")), "prefix");
            xml_open(b, "FilterRule");
            xml_elem(b, "Name", pre ? "Prefix" : "Suffix");
            xml_elem(b, "Value", xml_text(xml_child(c, "Value")));
            xml_close(b, "FilterRule");
        }
        xml_close(b, "S3Key");
        xml_close(b, "Filter");
    }
    xml_close(b, kinds[kind].entry);
}

int s3_notify_check(s3_req_t *s, const xml_node_t *doc, buf_t *body)
{
    const xml_node_t *e;
    int k, any = 0;

    for (e = xml_child(doc, NULL); e; e = xml_next(e, NULL)) {
        if (!strcmp(xml_name(e), "EventBridgeConfiguration")) {
            if (xml_child(e, NULL) || xml_count(doc, "EventBridgeConfiguration") > 1)
                return s3_fail(s, S3_E_MALFORMED_XML);
            continue;
        }
        if ((k = entry_kind(e)) < 0 || check_entry(s, e, (size_t)k) != 0)
            return k < 0 ? s3_fail(s, S3_E_MALFORMED_XML) : -1;
    }
    if (check_overlaps(s, doc) != 0)
        return -1;
    for (e = xml_child(doc, NULL); e; e = xml_next(e, NULL)) {
        if ((k = entry_kind(e)) >= 0)
            copy_entry(body, e, (size_t)k);
        any = 1;
    }
    if (xml_child(doc, "EventBridgeConfiguration"))
        buf_adds(body, "<EventBridgeConfiguration></EventBridgeConfiguration>");
    return any ? 0 : 1; /* an empty configuration turns notifications off */
}

/* ---- delivery ---------------------------------------------------------------------- */

typedef struct {
    struct evhttp_connection *conn;
} delivery_t;

static int inflight;

static void delivery_free_cb(evutil_socket_t fd, short what, void *arg)
{
    delivery_t *d = arg;

    (void)fd;
    (void)what;
    evhttp_connection_free(d->conn);
    free(d);
    inflight--;
}

static void on_delivered(struct evhttp_request *req, void *arg)
{
    delivery_t *d = arg;
    int code = req ? evhttp_request_get_response_code(req) : 0;

    if (code < 200 || code > 299)
        log_msg("s3 notification: the Lambda handler answered HTTP %d", code);
    /* libevent is still in this request: free the connection after */
    if (event_base_once(evhttp_connection_get_base(d->conn), -1, EV_TIMEOUT, delivery_free_cb, d,
                        NULL) != 0)
        log_msg("s3 notification: connection left open");
}

/* POSTs body to url without waiting. */
static void post_event(emu_t *emu, const char *url, const char *body)
{
    struct evhttp_uri *uri = evhttp_uri_parse(url);
    struct evhttp_request *req = NULL;
    const char *host, *path;
    char hostport[300];
    delivery_t *d;
    int port;

    if (uri == NULL || (host = evhttp_uri_get_host(uri)) == NULL || inflight >= MAX_INFLIGHT ||
        (d = calloc(1, sizeof *d)) == NULL) {
        log_msg("s3 notification to %s dropped", url);
        if (uri)
            evhttp_uri_free(uri);
        return;
    }
    port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
    path = evhttp_uri_get_path(uri);
    if (path == NULL || path[0] == '\0')
        path = "/";
    d->conn = evhttp_connection_base_new(emu->base, NULL, host, (unsigned short)port);
    if (d->conn) {
        evhttp_connection_set_timeout(d->conn, DELIVERY_TIMEOUT_S);
        req = evhttp_request_new(on_delivered, d);
    }
    if (req == NULL) {
        if (d->conn)
            evhttp_connection_free(d->conn);
        free(d);
        evhttp_uri_free(uri);
        return;
    }
    snprintf(hostport, sizeof hostport, "%s:%d", host, port);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Host", hostport);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_add_header(evhttp_request_get_output_headers(req), "X-Amz-Invocation-Type", "Event");
    evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
    /* on failure libevent has freed req and calls nothing back */
    if (evhttp_make_request(d->conn, req, EVHTTP_REQ_POST, path) == 0) {
        inflight++;
    } else {
        evhttp_connection_free(d->conn);
        free(d);
    }
    evhttp_uri_free(uri);
}

/* AWS's S3 event message (AWS docs "Event message structure", version
 * 2.1): one record, the key URL-encoded as S3 encodes it. */
static char *event_json(s3_req_t *s, const char *event, const char *config_id,
                        const s3_event_obj_t *o)
{
    cJSON *root = cJSON_CreateObject(), *recs = cJSON_AddArrayToObject(root, "Records");
    cJSON *rec = cJSON_CreateObject(), *x, *s3, *b, *obj;
    char when[32], owner[65], seq[24], arn[96], *text;
    buf_t key;

    cJSON_AddItemToArray(recs, rec);
    cJSON_AddStringToObject(rec, "eventVersion", "2.1");
    cJSON_AddStringToObject(rec, "eventSource", "aws:s3");
    cJSON_AddStringToObject(rec, "awsRegion", s->r->region[0] ? s->r->region : "us-east-1");
    clock_iso8601(s->r->now, when);
    cJSON_AddStringToObject(rec, "eventTime", when);
    cJSON_AddStringToObject(rec, "eventName", event + 3); /* without "s3:" */
    x = cJSON_AddObjectToObject(rec, "userIdentity");
    cJSON_AddStringToObject(x, "principalId", s->r->caller.arn[0] ? s->r->caller.arn : s->r->account);
    x = cJSON_AddObjectToObject(rec, "requestParameters");
    cJSON_AddStringToObject(x, "sourceIPAddress", "127.0.0.1");
    x = cJSON_AddObjectToObject(rec, "responseElements");
    cJSON_AddStringToObject(x, "x-amz-request-id", s->r->request_id);
    cJSON_AddStringToObject(x, "x-amz-id-2", s->r->request_id);
    s3 = cJSON_AddObjectToObject(rec, "s3");
    cJSON_AddStringToObject(s3, "s3SchemaVersion", "1.0");
    cJSON_AddStringToObject(s3, "configurationId", config_id);
    b = cJSON_AddObjectToObject(s3, "bucket");
    cJSON_AddStringToObject(b, "name", s->bucket);
    s3_canonical_id(s->r->account, owner);
    x = cJSON_AddObjectToObject(b, "ownerIdentity");
    cJSON_AddStringToObject(x, "principalId", owner);
    snprintf(arn, sizeof arn, "arn:%s:s3:::%s", partition_name(s->r->region), s->bucket);
    cJSON_AddStringToObject(b, "arn", arn);
    obj = cJSON_AddObjectToObject(s3, "object");
    buf_init(&key, 0);
    s3_url_encode(&key, o->key);
    cJSON_AddStringToObject(obj, "key", key.data ? key.data : "");
    buf_free(&key);
    if (o->etag) {
        char etag[80];
        snprintf(etag, sizeof etag, "%.*s", (int)strlen(o->etag) - 2, o->etag + 1);
        cJSON_AddNumberToObject(obj, "size", (double)o->size);
        cJSON_AddStringToObject(obj, "eTag", etag);
    }
    if (o->version_id && o->version_id[0])
        cJSON_AddStringToObject(obj, "versionId", o->version_id);
    snprintf(seq, sizeof seq, "%016llX", (unsigned long long)(s->r->now * 1e6));
    cJSON_AddStringToObject(obj, "sequencer", seq);
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

/* 1 when the entry asks for event on key. */
static int entry_wants(const xml_node_t *e, const char *event, const char *key)
{
    const xml_node_t *ev;
    const char *prefix, *suffix;
    size_t kl = strlen(key);

    entry_filter(e, &prefix, &suffix);
    if (strncmp(key, prefix, strlen(prefix)) != 0 || strlen(suffix) > kl ||
        strcmp(key + kl - strlen(suffix), suffix) != 0)
        return 0;
    for (ev = xml_child(e, "Event"); ev; ev = xml_next(ev, "Event"))
        if (events_overlap(xml_text(ev), event))
            return 1;
    return 0;
}

void s3_notify(s3_req_t *s, const char *event, const s3_event_obj_t *o)
{
    xml_node_t *doc = s3_config_doc(s, s->bucket, "notification");
    const xml_node_t *e;

    for (e = xml_child(doc, "CloudFunctionConfiguration"); e;
         e = xml_next(e, "CloudFunctionConfiguration")) {
        char fn[128], *body;
        const char *url;
        if (!entry_wants(e, event, o->key))
            continue;
        function_name(xml_text(xml_child(e, "CloudFunction")), fn);
        if ((url = config_lambda_url(s->r->emu->cfg, fn)) == NULL) {
            log_msg("s3 notification: no --lambda-endpoint for %s", fn);
            continue;
        }
        if ((body = event_json(s, event, xml_text(xml_child(e, "Id")), o)) != NULL)
            post_event(s->r->emu, url, body);
        free(body);
    }
    xml_free(doc);
}
