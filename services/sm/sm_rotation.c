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

#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "base/log.h"
#include "storage/db.h"

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
    int days;                          /* the schedule, 0 when none */
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
    str_copy(r->account, sizeof r->account, rot->account);
    str_copy(r->region, sizeof r->region, rot->region);
    codec_uuid(r->request_id);
}

/* After finishSecret: the rotation is done when the token is AWSCURRENT;
 * AWSPENDING comes off it and the schedule moves on. */
static void rotation_done(rotation_t *rot)
{
    svc_req_t r;
    char cur[80], pend[80];

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
    db_run(r.emu->db,
           "UPDATE sm_secrets SET last_rotated=?2, last_changed=?2, next_rotation=CASE WHEN ?3 > "
           "0 THEN ?2 + ?3 ELSE next_rotation END WHERE arn=?1",
           "sdd", rot->arn, r.now, rot->days * DAY);
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
    rot->conn[rot->step] =
        evhttp_connection_base_new(rot->emu->base, NULL, host, (unsigned short)port);
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
    str_copy(rot->account, sizeof rot->account, account);
    str_copy(rot->region, sizeof rot->region, region);
    str_copy(rot->arn, sizeof rot->arn, arn);
    str_copy(rot->token, sizeof rot->token, token);
    str_copy(rot->url, sizeof rot->url, url);
    str_copy(rot->function, sizeof rot->function, fn);
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
        sm_fail(r, SM_E_RULES_TYPE, NULL, NULL);
        return NULL;
    }
    if (json_int(r, rules, "AutomaticallyAfterDays", 0, 1, 1000, &after, &have_after) ||
        json_str(r, rules, "Duration", 0, 2, 3, &dur) ||
        json_str(r, rules, "ScheduleExpression", 0, 1, 256, &sched))
        return NULL;
    if (have_after && sched) {
        sm_fail(r, SM_E_RULES_BOTH, NULL, NULL);
        return NULL;
    }
    if (have_after) {
        *days = (int)after;
    } else if (sched) {
        int nd;
        if (sscanf(sched, "rate(%d day", &nd) == 1 && nd > 0) {
            *days = nd;
        } else if (strncmp(sched, "rate(", 5) != 0 && strncmp(sched, "cron(", 5) != 0) {
            sm_fail(r, SM_E_RULES_SCHEDULE, NULL, NULL);
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

    memset(&s, 0, sizeof s);
    if (json_str(r, in, "RotationLambdaARN", 0, 0, AWS_ARN_MAX, &lambda) ||
        json_bool(r, in, "RotateImmediately", &immediately, NULL) || sm_req_token(r, in, token) ||
        sm_req_secret(r, in, &s) || sm_require_live(r, &s))
        goto out;
    rules = cJSON_GetObjectItemCaseSensitive(in, "RotationRules");
    if (rules && !cJSON_IsNull(rules) && (rules_text = rotation_rules(r, rules, &days)) == NULL)
        goto out;
    if (s.primary_region[0]) {
        sm_fail(r, SM_E_ON_REPLICA, s.primary_region, NULL);
        goto out;
    }
    if (lambda == NULL || lambda[0] == '\0')
        lambda = s.rotation_lambda;
    if (lambda == NULL) {
        sm_fail(r, SM_E_NO_ROTATION_LAMBDA, NULL, NULL);
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
        sm_fail(r, SM_E_LAMBDA_NOT_FOUND, lambda, fn);
        goto out;
    }
    if (immediately && sm_stage_version(r, s.arn, "AWSPENDING", pend, sizeof pend) == 1 &&
        strcmp(pend, token) != 0) {
        char cur[80];
        if (sm_stage_version(r, s.arn, "AWSCURRENT", cur, sizeof cur) != 1 ||
            strcmp(cur, pend) != 0) {
            sm_fail(r, SM_E_ROTATION_PENDING, NULL, NULL);
            goto out;
        }
    }
    if (db_run(r->emu->db,
               "UPDATE sm_secrets SET rotation_enabled=1, rotation_lambda=?2, "
               "rotation_rules=IFNULL(?3, rotation_rules), next_rotation=CASE WHEN ?4 > 0 THEN ?5 "
               "+ ?4 ELSE NULL END WHERE arn=?1",
               "sssdd", s.arn, lambda, rules_text, days * DAY, r->now) != 0) {
        sm_internal(r);
        goto out;
    }
    if (immediately &&
        start_rotation(r->emu, r->account, r->region, s.arn, token, url, fn, days) != 0) {
        sm_fail(r, SM_E_LAMBDA_INVOKE, lambda, NULL);
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
    char pend[80];
    int rc = -1, have_pending;

    if (sm_req_secret(r, in, &s) != 0)
        return -1;
    if (sm_require_live(r, &s) != 0)
        goto out;
    if (!s.rotation_enabled) {
        sm_fail(r, SM_E_ROTATION_NOT_ENABLED, NULL, NULL);
        goto out;
    }
    if (db_run(r->emu->db,
               "UPDATE sm_secrets SET rotation_enabled=0, next_rotation=NULL WHERE arn=?1", "s",
               s.arn) != 0) {
        rc = sm_internal(r);
        goto out;
    }
    rc = 0;
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
    sqlite3_stmt *st;
    struct {
        char arn[SM_ARN_MAX], account[13], region[64], lambda[300], rules[400];
    } due[16];
    double now = clock_now();
    int n = 0, i;

    st = db_query(emu->db, sql, "d", now);
    while (n < 16 && db_row(st) == 1) {
        str_copy(due[n].arn, sizeof due[n].arn, db_text(st, 0));
        str_copy(due[n].account, sizeof due[n].account, db_text(st, 1));
        str_copy(due[n].region, sizeof due[n].region, db_text(st, 2));
        str_copy(due[n].lambda, sizeof due[n].lambda, db_text(st, 3));
        snprintf(due[n].rules, sizeof due[n].rules, "%s",
                 sqlite3_column_type(st, 4) == SQLITE_NULL ? "{}" : db_text(st, 4));
        n++;
    }
    db_done(st);
    for (i = 0; i < n; i++) {
        svc_req_t r;
        rotation_t tmp;
        char fn[128], token[37];
        const char *url;
        int days = 0;
        cJSON *rules = cJSON_Parse(due[i].rules);
        char *text = NULL;

        memset(&tmp, 0, sizeof tmp);
        tmp.emu = emu;
        str_copy(tmp.account, sizeof tmp.account, due[i].account);
        str_copy(tmp.region, sizeof tmp.region, due[i].region);
        background_req(&r, &tmp);
        if (rules)
            text = rotation_rules(&r, rules, &days);
        free(text);
        cJSON_Delete(rules);
        /* the schedule moves on whether or not this rotation succeeds */
        db_run(emu->db,
               "UPDATE sm_secrets SET next_rotation=CASE WHEN ?2 > 0 THEN ?3 + ?2 ELSE NULL END "
               "WHERE arn=?1",
               "sdd", due[i].arn, days * DAY, now);
        function_name(due[i].lambda, fn, sizeof fn);
        if ((url = config_lambda_url(emu->cfg, fn)) == NULL) {
            log_msg("scheduled rotation of %s: no --lambda-endpoint for %s", due[i].arn, fn);
            continue;
        }
        codec_uuid(token);
        if (start_rotation(emu, due[i].account, due[i].region, due[i].arn, token, url, fn, days) !=
            0)
            log_msg("scheduled rotation of %s: cannot invoke %s", due[i].arn, fn);
    }
}
