/* s3_cors.c — CORS: the preflight (OPTIONS) answered from the bucket's
 * rules, and the Access-Control-* headers of ordinary responses. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/xml.h"
#include "emulator/http.h"

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
            str_copy(copy, sizeof copy, headers);
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
        return s3_fail(s, S3_E_NO_SUCH_BUCKET);
    doc = s3_config_doc(s, s->bucket, "cors");
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
    if ((doc = s3_config_doc(s, s->bucket, "cors")) == NULL)
        return;
    rule = cors_match(doc, origin, s->r->http->method, NULL, &allowed);
    if (rule)
        cors_rule_headers(s, rule, origin, allowed);
    xml_free(doc);
}
