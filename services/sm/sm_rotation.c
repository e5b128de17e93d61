/* sm_rotation.c — RotateSecret and CancelRotateSecret. Rotation runs the
 * four-step Lambda protocol (createSecret, setSecret, testSecret,
 * finishSecret) asynchronously, POSTing the same event JSON a Lambda gets to
 * the local handler mapped to the function name (--lambda-endpoint), so the
 * handler can call back into awsemu while the steps run. */
#include "services/sm/sm_int.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/codec.h"
#include "storage/db.h"
#include "base/log.h"

#define DAY 86400.0
#define STEP_TIMEOUT_S 30

static const char *const steps[] = {"createSecret", "setSecret", "testSecret", "finishSecret"};

typedef struct {
    emu_t *emu;
    char account[13], region[64];
    char arn[SM_ARN_MAX];
    char token[65];
    char rotation_token[37];
    char url[512];
    char function[128];
    int step;
    int days; /* the schedule, 0 when none */
    struct evhttp_connection *conn[4]; /* one per step, freed with the rotation */
} rotation_t;

static void rotation_free(rotation_t *rot)
{
    int i;

    for (i = 0; i < 4; i++)
        if (rot->conn[i])
            evhttp_connection_free(rot->conn[i]);
    free(rot);
}

/* A request context for work outside any client request. */
static void background_req(svc_req_t *r, rotation_t *rot)
{
    memset(r, 0, sizeof *r);
    r->emu = rot->emu;
    r->service = "secretsmanager";
    r->operation = "RotateSecret";
    r->now = clock_now();
    snprintf(r->account, sizeof r->account, "%s", rot->account);
    snprintf(r->region, sizeof r->region, "%s", rot->region);
    codec_uuid(r->request_id);
}

/* After finishSecret: the rotation is done when the token is AWSCURRENT;
 * AWSPENDING comes off it and the schedule moves on. */
static void rotation_done(rotation_t *rot)
{
    svc_req_t r;
    char cur[80], pend[80];
    sqlite3_stmt *st;

    background_req(&r, rot);
    if (sm_stage_version(&r, rot->arn, "AWSCURRENT", cur, sizeof cur) != 1 ||
        strcmp(cur, rot->token) != 0) {
        log_msg("rotation of %s: finishSecret did not make version %s AWSCURRENT", rot->arn,
                rot->token);
        return;
    }
    if (sm_stage_version(&r, rot->arn, "AWSPENDING", pend, sizeof pend) == 1 &&
        strcmp(pend, rot->token) == 0)
        sm_set_stage(&r, rot->arn, "AWSPENDING", NULL);
    st = db_stmt(r.emu->db, "UPDATE sm_secrets SET last_rotated=?2, last_changed=?2, "
                            "next_rotation=CASE WHEN ?3 > 0 THEN ?2 + ?3 ELSE next_rotation END "
                            "WHERE arn=?1");
    if (st) {
        sqlite3_bind_text(st, 1, rot->arn, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 2, r.now);
        sqlite3_bind_double(st, 3, rot->days * DAY);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    {
        sm_secret_t s;
        if (sm_resolve(&r, rot->arn, &s) == 0) {
            sm_replicate_version(&r, &s, rot->token);
            sm_secret_clear(&s);
        }
    }
}

static int send_step(rotation_t *rot);

/* Frees a rotation from the event loop, once libevent is done with the
 * request whose callback decided it. */
static void free_later_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rotation_free(arg);
}

static void free_later(rotation_t *rot)
{
    if (event_base_once(rot->emu->base, -1, EV_TIMEOUT, free_later_cb, rot, NULL) != 0)
        rotation_free(rot);
}

static void on_step_done(struct evhttp_request *req, void *arg)
{
    rotation_t *rot = arg;
    int code = req ? evhttp_request_get_response_code(req) : 0;

    if (code < 200 || code > 299) {
        log_msg("rotation of %s: Lambda %s failed step %s (HTTP %d); AWSPENDING stays for a retry",
                rot->arn, rot->function, steps[rot->step], code);
        /* free after libevent is done with this request */
        free_later(rot);
        return;
    }
    rot->step++;
    if (rot->step == 4) {
        rotation_done(rot);
        free_later(rot);
        return;
    }
    if (send_step(rot) != 0)
        free_later(rot);
}

static int send_step(rotation_t *rot)
{
    struct evhttp_uri *uri = evhttp_uri_parse(rot->url);
    struct evhttp_request *req;
    const char *host, *path;
    char body[1200], hostport[300];
    int port, n;

    if (uri == NULL || (host = evhttp_uri_get_host(uri)) == NULL) {
        log_msg("rotation: bad handler URL for %s", rot->function);
        if (uri)
            evhttp_uri_free(uri);
        return -1;
    }
    port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
    path = evhttp_uri_get_path(uri);
    if (path == NULL || path[0] == '\0')
        path = "/";
    /* a fresh connection per step: handlers may close after each answer */
    rot->conn[rot->step] = evhttp_connection_base_new(rot->emu->base, NULL, host, (unsigned short)port);
    if (rot->conn[rot->step])
        evhttp_connection_set_timeout(rot->conn[rot->step], STEP_TIMEOUT_S);
    req = rot->conn[rot->step] ? evhttp_request_new(on_step_done, rot) : NULL;
    if (req == NULL) {
        evhttp_uri_free(uri);
        return -1;
    }
    n = snprintf(body, sizeof body,
                 "{\"Step\":\"%s\",\"SecretId\":\"%s\",\"ClientRequestToken\":\"%s\","
                 "\"RotationToken\":\"%s\"}",
                 steps[rot->step], rot->arn, rot->token, rot->rotation_token);
    snprintf(hostport, sizeof hostport, "%s:%d", host, port);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Host", hostport);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_add_header(evhttp_request_get_output_headers(req), "X-Amz-Invocation-Type",
                      "RequestResponse");
    evbuffer_add(evhttp_request_get_output_buffer(req), body, (size_t)n);
    n = evhttp_make_request(rot->conn[rot->step], req, EVHTTP_REQ_POST, path);
    evhttp_uri_free(uri);
    return n == 0 ? 0 : -1;
}

/* Starts the four steps for version token of arn; 0 or -1. */
static int start_rotation(emu_t *emu, const char *account, const char *region, const char *arn,
                          const char *token, const char *url, const char *fn, int days)
{
    rotation_t *rot = calloc(1, sizeof *rot);
    svc_req_t r;

    if (rot == NULL)
        return -1;
    rot->emu = emu;
    snprintf(rot->account, sizeof rot->account, "%s", account);
    snprintf(rot->region, sizeof rot->region, "%s", region);
    snprintf(rot->arn, sizeof rot->arn, "%s", arn);
    snprintf(rot->token, sizeof rot->token, "%s", token);
    snprintf(rot->url, sizeof rot->url, "%s", url);
    snprintf(rot->function, sizeof rot->function, "%s", fn);
    codec_uuid(rot->rotation_token);
    rot->days = days;
    /* as AWS: the AWSPENDING version exists before createSecret runs */
    background_req(&r, rot);
    if (sm_version_exists(&r, arn, token) == 0 && sm_placeholder(&r, arn, token) != 0) {
        rotation_free(rot);
        return -1;
    }
    if (send_step(rot) != 0) {
        rotation_free(rot);
        return -1;
    }
    return 0;
}

/* The function name in a Lambda ARN (or a bare name). */
static void function_name(const char *arn, char *out, size_t n)
{
    const char *f = strstr(arn, ":function:");
    const char *name = f ? f + 10 : arn;
    size_t len = strcspn(name, ":");

    if (len >= n)
        len = n - 1;
    memcpy(out, name, len);
    out[len] = '\0';
}

/* Parses RotationRules; days gets AutomaticallyAfterDays or the N of a
 * rate(N days) schedule (0 for cron schedules). Returns the rules' JSON
 * text (caller frees), NULL on error (set). */
static char *rotation_rules(svc_req_t *r, const cJSON *rules, int *days)
{
    long after = 0;
    int have_after = 0;
    const char *dur = NULL, *sched = NULL;
    cJSON *copy;
    char *text;

    *days = 0;
    if (!cJSON_IsObject(rules)) {
        svc_error(r, 400, "SerializationException", "RotationRules must be a structure.");
        return NULL;
    }
    if (json_int(r, rules, "AutomaticallyAfterDays", 0, 1, 1000, &after, &have_after) ||
        json_str(r, rules, "Duration", 0, 2, 3, &dur) ||
        json_str(r, rules, "ScheduleExpression", 0, 1, 256, &sched))
        return NULL;
    if (have_after && sched) {
        svc_error(r, 400, "InvalidParameterException",
                  "You can't specify both AutomaticallyAfterDays and ScheduleExpression.");
        return NULL;
    }
    if (have_after) {
        *days = (int)after;
    } else if (sched) {
        int nd;
        if (sscanf(sched, "rate(%d day", &nd) == 1 && nd > 0) {
            *days = nd;
        } else if (strncmp(sched, "rate(", 5) != 0 && strncmp(sched, "cron(", 5) != 0) {
            svc_error(r, 400, "InvalidParameterException",
                      "ScheduleExpression must be a rate() or cron() expression.");
            return NULL;
        }
    }
    copy = cJSON_Duplicate(rules, 1);
    text = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    return text;
}

int sm_op_rotate_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *lambda = NULL;
    const cJSON *rules = NULL;
    int immediately = 1, days = 0, rc = -1;
    char token[65], fn[128], pend[80], *rules_text = NULL;
    const char *url;
    sm_secret_t s;
    sqlite3_stmt *st;
    memset(&s, 0, sizeof s);
    if (json_str(r, in, "RotationLambdaARN", 0, 0, 2048, &lambda) ||
        json_bool(r, in, "RotateImmediately", &immediately, NULL) || sm_req_token(r, in, token) ||
        sm_req_secret(r, in, &s) || sm_require_live(r, &s, NULL))
        goto out;
    rules = cJSON_GetObjectItemCaseSensitive(in, "RotationRules");
    if (rules && !cJSON_IsNull(rules) && (rules_text = rotation_rules(r, rules, &days)) == NULL)
        goto out;
    if (s.primary_region[0]) {
        svc_error(r, 400, "InvalidRequestException",
                  "Operation is not permitted on a replica secret. Call it on the primary secret "
                  "in %s.", s.primary_region);
        goto out;
    }
    if (lambda == NULL || lambda[0] == '\0')
        lambda = s.rotation_lambda;
    if (lambda == NULL) {
        svc_error(r, 400, "InvalidRequestException",
                  "No Lambda rotation function ARN is associated with this secret.");
        goto out;
    }
    if (rules_text == NULL && s.rotation_rules) {
        cJSON *old = cJSON_Parse(s.rotation_rules);
        if (old)
            rules_text = rotation_rules(r, old, &days);
        cJSON_Delete(old);
    }
    function_name(lambda, fn, sizeof fn);
    if ((url = config_lambda_url(r->emu->cfg, fn)) == NULL) {
        svc_error(r, 400, "ResourceNotFoundException",
                  "Secrets Manager can't find the specified Lambda function %s (no "
                  "--lambda-endpoint %s=URL is configured).",
                  lambda, fn);
        goto out;
    }
    if (immediately && sm_stage_version(r, s.arn, "AWSPENDING", pend, sizeof pend) == 1 &&
        strcmp(pend, token) != 0) {
        char cur[80];
        if (sm_stage_version(r, s.arn, "AWSCURRENT", cur, sizeof cur) != 1 || strcmp(cur, pend) != 0) {
            svc_error(r, 400, "InvalidRequestException",
                      "A previous rotation isn't complete. That rotation will be reattempted.");
            goto out;
        }
    }
    st = db_stmt(r->emu->db, "UPDATE sm_secrets SET rotation_enabled=1, rotation_lambda=?2, "
                             "rotation_rules=IFNULL(?3, rotation_rules), next_rotation=CASE WHEN "
                             "?4 > 0 THEN ?5 + ?4 ELSE NULL END WHERE arn=?1");
    if (st == NULL) {
        sm_internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, s.arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lambda, -1, SQLITE_TRANSIENT);
    if (rules_text)
        sqlite3_bind_text(st, 3, rules_text, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, days * DAY);
    sqlite3_bind_double(st, 5, r->now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = sm_internal(r);
        goto out;
    }
    rc = -1;
    if (immediately && start_rotation(r->emu, r->account, r->region, s.arn, token, url, fn, days) != 0) {
        svc_error(r, 400, "InvalidRequestException",
                  "Secrets Manager cannot invoke the specified Lambda function %s.", lambda);
        goto out;
    }
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    if (immediately)
        cJSON_AddStringToObject(out, "VersionId", token);
    rc = 0;
out:
    free(rules_text);
    sm_secret_clear(&s);
    return rc;
}

int sm_op_cancel_rotate_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    sm_secret_t s;
    sqlite3_stmt *st;
    char pend[80];
    int rc = -1, have_pending;

    if (sm_req_secret(r, in, &s) != 0)
        return -1;
    if (sm_require_live(r, &s, NULL) != 0)
        goto out;
    if (!s.rotation_enabled) {
        svc_error(r, 400, "InvalidRequestException",
                  "Secrets Manager can't cancel rotation because rotation is not enabled for "
                  "this secret.");
        goto out;
    }
    st = db_stmt(r->emu->db, "UPDATE sm_secrets SET rotation_enabled=0, next_rotation=NULL "
                             "WHERE arn=?1");
    if (st == NULL) {
        rc = sm_internal(r);
        goto out;
    }
    sqlite3_bind_text(st, 1, s.arn, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sm_internal(r);
    sqlite3_reset(st);
    if (rc != 0)
        goto out;
    cJSON_AddStringToObject(out, "ARN", s.arn);
    cJSON_AddStringToObject(out, "Name", s.name);
    have_pending = sm_stage_version(r, s.arn, "AWSPENDING", pend, sizeof pend);
    if (have_pending == 1)
        cJSON_AddStringToObject(out, "VersionId", pend);
out:
    sm_secret_clear(&s);
    return rc;
}

void sm_tick(emu_t *emu)
{
    static const char sql[] =
        "SELECT arn, account, region, rotation_lambda, rotation_rules FROM sm_secrets WHERE "
        "rotation_enabled=1 AND next_rotation IS NOT NULL AND next_rotation<=?1 AND "
        "deleted_date IS NULL AND primary_region IS NULL LIMIT 16";
    sqlite3_stmt *st = db_stmt(emu->db, sql);
    struct {
        char arn[SM_ARN_MAX], account[13], region[64], lambda[300], rules[400];
    } due[16];
    double now = clock_now();
    int n = 0, i;

    if (st == NULL)
        return;
    sqlite3_bind_double(st, 1, now);
    while (n < 16 && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *rules = sqlite3_column_text(st, 4);
        snprintf(due[n].arn, sizeof due[n].arn, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(due[n].account, sizeof due[n].account, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(due[n].region, sizeof due[n].region, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(due[n].lambda, sizeof due[n].lambda, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(due[n].rules, sizeof due[n].rules, "%s", rules ? (const char *)rules : "{}");
        n++;
    }
    sqlite3_reset(st);
    for (i = 0; i < n; i++) {
        svc_req_t r;
        rotation_t tmp;
        char fn[128], token[37];
        const char *url;
        int days = 0;
        cJSON *rules = cJSON_Parse(due[i].rules);
        char *text = NULL;
        sqlite3_stmt *up;

        memset(&tmp, 0, sizeof tmp);
        tmp.emu = emu;
        snprintf(tmp.account, sizeof tmp.account, "%s", due[i].account);
        snprintf(tmp.region, sizeof tmp.region, "%s", due[i].region);
        background_req(&r, &tmp);
        if (rules)
            text = rotation_rules(&r, rules, &days);
        free(text);
        cJSON_Delete(rules);
        /* the schedule moves on whether or not this rotation succeeds */
        up = db_stmt(emu->db, "UPDATE sm_secrets SET next_rotation=CASE WHEN ?2 > 0 THEN ?3 + ?2 "
                              "ELSE NULL END WHERE arn=?1");
        if (up) {
            sqlite3_bind_text(up, 1, due[i].arn, -1, SQLITE_STATIC);
            sqlite3_bind_double(up, 2, days * DAY);
            sqlite3_bind_double(up, 3, now);
            sqlite3_step(up);
            sqlite3_reset(up);
        }
        function_name(due[i].lambda, fn, sizeof fn);
        if ((url = config_lambda_url(emu->cfg, fn)) == NULL) {
            log_msg("scheduled rotation of %s: no --lambda-endpoint for %s", due[i].arn, fn);
            continue;
        }
        codec_uuid(token);
        if (start_rotation(emu, due[i].account, due[i].region, due[i].arn, token, url, fn, days) != 0)
            log_msg("scheduled rotation of %s: cannot invoke %s", due[i].arn, fn);
    }
}
