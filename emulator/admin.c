/* admin.c — health, reset and clock endpoints. */
#include "emulator/admin.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "emulator/proto_query.h"

static const char *const services[] = {"kms", "secretsmanager", "s3", "iam", "sts", NULL};

int admin_match(const char *path)
{
    return strncmp(path, "/_awsemu/", 9) == 0 || strncmp(path, "/_localstack/", 13) == 0 ||
           strncmp(path, "/moto-api/", 10) == 0;
}

static void send_json(svc_req_t *r, int status, cJSON *doc)
{
    char *text = cJSON_PrintUnformatted(doc);

    http_respond(r->http, status, "application/json", text, text ? strlen(text) : 0);
    free(text);
    cJSON_Delete(doc);
}

static void send_status(svc_req_t *r, int status, const char *msg)
{
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddStringToObject(doc, status < 300 ? "status" : "error", msg);
    send_json(r, status, doc);
}

static void health(svc_req_t *r)
{
    cJSON *doc = cJSON_CreateObject(), *svc = cJSON_AddObjectToObject(doc, "services");
    const config_t *c = r->emu->cfg;
    size_t i;

    /* KMS, Secrets Manager and S3 serve today; IAM and STS answer with their
     * protocol's errors until their modules land */
    for (i = 0; services[i]; i++)
        cJSON_AddStringToObject(svc, services[i], i < 3 ? "running" : "available");
    cJSON_AddStringToObject(doc, "status", "ok");
    cJSON_AddStringToObject(doc, "version", CONFIG_VERSION);
    cJSON_AddStringToObject(doc, "edition", "awsemu");
    cJSON_AddStringToObject(doc, "region", c->region);
    cJSON_AddStringToObject(doc, "account_id", c->account_id);
    cJSON_AddBoolToObject(doc, "persistent", !c->ephemeral);
    cJSON_AddStringToObject(doc, "iam", c->iam_enforce ? "enforce" : "off");
    cJSON_AddNumberToObject(doc, "clock_offset_seconds", clock_offset());
    send_json(r, 200, doc);
}

/* POST /_awsemu/clock: {"advance_seconds": N} or ?advance_seconds=N moves
 * the clock forward; {"reset": true} puts it back. GET shows it. */
static void clock_ep(svc_req_t *r)
{
    http_req_t *h = r->http;
    cJSON *doc;
    char tmp[64], iso[32];
    double adv = 0;

    if (strcmp(h->method, "POST") == 0) {
        cJSON *in = h->body.len ? cJSON_ParseWithLength(h->body.data, h->body.len) : NULL;
        const cJSON *v;
        if (h->body.len && (in == NULL || !cJSON_IsObject(in))) {
            cJSON_Delete(in);
            send_status(r, 400, "body must be a JSON object");
            return;
        }
        if (in && (v = cJSON_GetObjectItem(in, "reset")) && cJSON_IsTrue(v))
            clock_reset();
        if (in && (v = cJSON_GetObjectItem(in, "advance_seconds")) && cJSON_IsNumber(v))
            adv = v->valuedouble;
        else if (in && (v = cJSON_GetObjectItem(in, "advance_days")) && cJSON_IsNumber(v))
            adv = v->valuedouble * 86400.0;
        else if (proto_query_param(h->query, strlen(h->query), "advance_seconds", tmp, sizeof tmp) >
                 0) {
            char *end;
            adv = strtod(tmp, &end);
            if (*end != '\0')
                adv = NAN;
        }
        cJSON_Delete(in);
        if (adv < 0) {
            send_status(r, 400, "the clock only moves forward");
            return;
        }
        if (!clock_advance_ok(adv)) {
            send_status(r, 400,
                        "advance_seconds must be a finite number that keeps the clock at "
                        "or before 9999-12-31T23:59:59Z");
            return;
        }
        clock_advance(adv);
    }
    doc = cJSON_CreateObject();
    clock_iso8601(clock_now(), iso);
    cJSON_AddNumberToObject(doc, "offset_seconds", clock_offset());
    cJSON_AddStringToObject(doc, "now", iso);
    send_json(r, 200, doc);
}

int admin_open(const char *path)
{
    return !strcmp(path, "/_awsemu/health") || !strcmp(path, "/_localstack/health") ||
           !strcmp(path, "/_awsemu/health/");
}

void admin_send_error(svc_req_t *r)
{
    cJSON *doc = cJSON_CreateObject();

    cJSON_AddStringToObject(doc, "error", r->err_msg);
    cJSON_AddStringToObject(doc, "code", r->err_code);
    send_json(r, r->err_status ? r->err_status : 500, doc);
}

void admin_serve(svc_req_t *r, int (*reset_fn)(emu_t *emu))
{
    const char *p = r->http->path, *m = r->http->method;

    if (admin_open(p)) {
        r->operation = "Health";
        health(r);
    } else if (!strcmp(p, "/_awsemu/reset") || !strcmp(p, "/moto-api/reset") ||
               !strcmp(p, "/_localstack/state/reset")) {
        r->operation = "Reset";
        if (strcmp(m, "POST") != 0)
            send_status(r, 405, "use POST");
        else if (reset_fn(r->emu) != 0)
            send_status(r, 500, "reset failed");
        else
            send_status(r, 200, "reset");
    } else if (!strncmp(p, "/_awsemu/inspect/", 17) && !strcmp(m, "GET")) {
        /* /_awsemu/inspect/<service>/<what the service's inspector reads> */
        const char *name = p + 17, *slash = strchr(name, '/');
        char svc[32];
        const svc_def_t *def = NULL;
        r->operation = "Inspect";
        if (slash && (size_t)(slash - name) < sizeof svc) {
            memcpy(svc, name, (size_t)(slash - name));
            svc[slash - name] = '\0';
            def = svc_find(svc);
        }
        if (def == NULL || def->inspect == NULL)
            send_status(r, 404, "no such inspector: use /_awsemu/inspect/s3/<bucket>/<key>");
        else
            def->inspect(r, slash + 1);
    } else if (!strcmp(p, "/_awsemu/clock")) {
        r->operation = "Clock";
        clock_ep(r);
    } else {
        send_status(r, 404, "no such admin endpoint");
    }
}
