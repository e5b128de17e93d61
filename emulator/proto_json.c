/* proto_json.c — AWS JSON 1.1: requests, validation, responses, errors. */
#include "emulator/proto_json.h"

#include <ctype.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz.h"
#include "base/buf.h"
#include "base/codec.h"
#include "base/jsonlen.h"
#include "base/utf8.h"

#define JSON_CT "application/x-amz-json-1.1"

static int json_refuse_nul(svc_req_t *r, const cJSON *in);

/* SerializationException for a body that is not UTF-8, p[0..n) from the
 * first ill-formed sequence on, in the words of Jackson (the parser of
 * AWS's JSON services): "Invalid UTF-8 start byte 0xff" when the lead byte
 * cannot start a sequence, "Invalid UTF-8 middle byte 0x41" for the first
 * byte after it that does not continue one. */
static int utf8_error(svc_req_t *r, const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4, i;

    if (p[0] < 0xc2 || p[0] > 0xf4)
        return svc_error(r, 400, "SerializationException", "Invalid UTF-8 start byte 0x%02x", p[0]);
    for (i = 1; i < len && i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            break;
    if (i == n)
        return svc_error(r, 400, "SerializationException",
                         "Unexpected end-of-input in the middle of a UTF-8 sequence");
    /* every byte continues: an overlong form or a surrogate, its second
     * byte out of range */
    return svc_error(r, 400, "SerializationException", "Invalid UTF-8 middle byte 0x%02x",
                     p[i < len ? i : 1]);
}

void proto_json_send_error(svc_req_t *r)
{
    buf_t b;

    buf_init(&b, 0);
    buf_adds(&b, "{\"__type\":\"");
    buf_add_json_escaped(&b, r->err_code, strlen(r->err_code));
    buf_adds(&b, "\",\"message\":\"");
    buf_add_json_escaped(&b, r->err_msg, strlen(r->err_msg));
    buf_adds(&b, "\"}");
    http_add_header(r->http, "x-amzn-RequestId", r->request_id);
    http_add_header(r->http, "x-amzn-query-error", r->err_code);
    http_respond(r->http, r->err_status ? r->err_status : 500, JSON_CT, b.data, b.len);
    buf_free(&b);
}

void proto_json_serve(svc_req_t *r, const svc_op_t *op)
{
    http_req_t *h = r->http;
    cJSON *in = NULL, *out = NULL;
    char *text = NULL;
    int rc;

    r->op = op;
    if (h->body_error) {
        svc_error(r, 413, "ValidationException",
                  "Request body of %zu bytes or more is not accepted.", h->body_cap);
        goto error;
    }
    if (op == NULL) {
        svc_error(r, 400, "UnknownOperationException", "%s", "");
        goto error;
    }

    if (h->body.len == 0) {
        in = cJSON_CreateObject();
    } else {
        size_t bad = utf8_check(h->body.data, h->body.len), nuls = 0;
        if (bad != h->body.len) {
            utf8_error(r, (const unsigned char *)h->body.data + bad, h->body.len - bad);
            goto error;
        }
        in = cJSON_ParseWithLengthOpts(h->body.data, h->body.len, NULL, 0);
        if (in && jsonlen_record(in, h->body.data, h->body.len, &nuls) != JSONLEN_OK) {
            cJSON_Delete(in);
            in = NULL;
        }
        if (in && nuls && json_refuse_nul(r, in) != 0)
            goto error;
    }
    if (in == NULL || !cJSON_IsObject(in)) {
        svc_error(r, 400, "SerializationException",
                  in ? "Start of structure or map expected."
                     : "Malformed JSON in the request body.");
        goto error;
    }
    out = cJSON_CreateObject();
    if (out == NULL) {
        svc_error(r, 500, "InternalFailure", "Out of memory.");
        goto error;
    }
    r->input = in;
    if (authz_request(r, in) != 0 || svc_unsupported(r) != 0)
        goto error;
    rc = op->fn.json(r, in, out);
    if (rc == SVC_DEFERRED && r->deferred) {
        r->pending_in = in; /* proto_json_finish answers */
        r->pending_out = out;
        return;
    }
    if (rc != 0)
        goto error;
    text = cJSON_PrintUnformatted(out);
    if (text == NULL) {
        svc_error(r, 500, "InternalFailure", "Out of memory.");
        goto error;
    }
    http_add_header(h, "x-amzn-RequestId", r->request_id);
    http_respond(h, 200, JSON_CT, text, strlen(text));
    /* responses may hold plaintext (Decrypt, GenerateDataKey) */
    OPENSSL_cleanse(text, strlen(text));
    free(text);
    cJSON_Delete(in);
    cJSON_Delete(out);
    return;
error:
    cJSON_Delete(in);
    cJSON_Delete(out);
    proto_json_send_error(r);
}

void proto_json_abandon(svc_req_t *r)
{
    cJSON_Delete(r->pending_in);
    cJSON_Delete(r->pending_out);
    r->pending_in = r->pending_out = NULL;
    r->input = NULL;
}

void proto_json_finish(svc_req_t *r, int rc)
{
    char *text = NULL;

    if (rc == 0 && (text = cJSON_PrintUnformatted(r->pending_out)) == NULL)
        rc = svc_error(r, 500, "InternalFailure", "Out of memory.");
    if (rc == 0) {
        http_add_header(r->http, "x-amzn-RequestId", r->request_id);
        http_respond(r->http, 200, JSON_CT, text, strlen(text));
        OPENSSL_cleanse(text, strlen(text));
        free(text);
    } else {
        proto_json_send_error(r);
    }
    proto_json_abandon(r);
    if (r->done)
        r->done(r);
}

/* ---- validation ---------------------------------------------------------- */

/* AWS names members in messages with a lowercase first letter. */
static const char *mname(const char *member, char *tmp, size_t n)
{
    snprintf(tmp, n, "%s", member);
    tmp[0] = (char)tolower((unsigned char)tmp[0]);
    return tmp;
}

/* Members whose values AWS marks sensitive: never echoed in errors. */
static int sensitive(const char *member)
{
    static const char *const names[] = {"SecretString",   "SecretBinary",   "Plaintext",
                                        "CiphertextBlob", "ResourcePolicy", NULL};
    size_t i;

    for (i = 0; names[i]; i++)
        if (!strcmp(names[i], member))
            return 1;
    return 0;
}

static int verr(svc_req_t *r, const char *member, const char *value, const char *constraint, ...)
{
    char tmp[128], cons[512];
    va_list ap;

    va_start(ap, constraint);
    vsnprintf(cons, sizeof cons, constraint, ap);
    va_end(ap);
    if (value && sensitive(member))
        return svc_error(r, 400, "ValidationException",
                         "1 validation error detected: Value at '%s' failed to satisfy "
                         "constraint: %s",
                         mname(member, tmp, sizeof tmp), cons);
    if (value)
        return svc_error(r, 400, "ValidationException",
                         "1 validation error detected: Value '%.200s' at '%s' failed to satisfy "
                         "constraint: %s",
                         value, mname(member, tmp, sizeof tmp), cons);
    return svc_error(r, 400, "ValidationException",
                     "1 validation error detected: Value null at '%s' failed to satisfy "
                     "constraint: %s",
                     mname(member, tmp, sizeof tmp), cons);
}

/* ---- U+0000 ---------------------------------------------------------------- */

/* The members whose strings keep U+0000: their bytes matter exactly (an
 * encryption context is authenticated data and a condition-key value; a
 * secret is what the caller stored), and every reader of them takes the
 * length (jsonlen_str / jsonlen_key, json_strn). Maps: names and values of
 * the map's entries; "Constraints": the entries of its two context maps. */
static const char *const nul_maps[] = {"EncryptionContext", "SourceEncryptionContext",
                                       "DestinationEncryptionContext", NULL};
static const char *const nul_strings[] = {"SecretString", NULL};
static const char *const nul_constraints[] = {"EncryptionContextEquals", "EncryptionContextSubset",
                                              NULL};

/* Does v's member name (with its recorded length) equal one of names? */
static int named(const cJSON *v, const char *const *names)
{
    size_t kl = jsonlen_key(v), i;

    for (i = 0; v->string && names[i]; i++)
        if (strlen(names[i]) == kl && memcmp(names[i], v->string, kl) == 0)
            return 1;
    return 0;
}

/* The first node at or under v (v itself included) whose string value or
 * member name holds U+0000, or NULL. */
static const cJSON *find_nul(const cJSON *v)
{
    const cJSON *c, *hit;

    if (jsonlen_has_nul(v))
        return v;
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        for (c = v->child; c; c = c->next)
            if ((hit = find_nul(c)) != NULL)
                return hit;
    return NULL;
}

/* What AWS answers for a member whose value breaks its model pattern, for
 * the members of KMS and Secrets Manager that have one (botocore's models)
 * and Secrets Manager's secret names (its own message). */
static const struct {
    const char *service, *member, *pattern;
} patterns[] = {
    {"kms", "AliasName", "^[a-zA-Z0-9:/_-]+$"},
    {"kms", "Name", "^[a-zA-Z0-9:/_-]+$"},
    {"kms", "GranteePrincipal", "^[\\w+=,.@:/-]+$"},
    {"kms", "RetiringPrincipal", "^[\\w+=,.@:/-]+$"},
    {"kms", "Policy", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"kms", "PolicyName", "[\\w]+"},
    {"kms", "Marker", "[\\u0020-\\u00FF]*"},
    {"kms", "CloudHsmClusterId", "cluster-[2-7a-zA-Z]{11,16}"},
    {"kms", "KeyMaterialDescription", "^[a-zA-Z0-9:/_\\s.-]+$"},
    {"kms", "KeyMaterialId", "^[a-f0-9]+$"},
    {"kms", "PrimaryRegion", "^([a-z]+-){2,3}\\d+$"},
    {"kms", "ReplicaRegion", "^([a-z]+-){2,3}\\d+$"},
    {"kms", "XksKeyId", "^[a-zA-Z0-9-_.]+$"},
    {"kms", "XksProxyUriEndpoint", "^https://[a-zA-Z0-9.-]+$"},
    {"kms", "XksProxyVpcEndpointServiceOwner", "[0-9]{12}"},
    {"kms", "AccessKeyId", "^[A-Z2-7]+$"},
    {"secretsmanager", "Duration", "[0-9]+h"},
    {"secretsmanager", "Region", "^([a-z]+-)+\\d+$"},
    {"secretsmanager", "RotationToken", "^[a-zA-Z0-9\\-]+$"},
    {"secretsmanager", "ScheduleExpression", "[0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+"},
};

/* The error for bad, a string (or member name) holding U+0000 where
 * awsemu keeps C strings: its member's pattern error where the model has
 * a pattern (which U+0000 never satisfies), Secrets Manager's own message
 * for secret names, else a ValidationException saying what is wrong. A
 * NUL is never stored truncated. */
static int nul_error(svc_req_t *r, const cJSON *bad, const char *member)
{
    const char *svc = r->service ? r->service : "";
    size_t i;

    if (bad->string && jsonlen_key(bad) != strlen(bad->string))
        return svc_error(r, 400, "SerializationException",
                         "Member names must not contain the character U+0000.");
    if (!strcmp(svc, "secretsmanager") && !strcmp(member, "Name"))
        return svc_error(r, 400, "InvalidParameterException",
                         "Invalid name. Must be a valid name containing alphanumeric "
                         "characters, or any of the following: -/_+=.@!");
    for (i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (!strcmp(patterns[i].service, svc) && !strcmp(patterns[i].member, member))
            return verr(r, member, cJSON_IsString(bad) ? bad->valuestring : NULL,
                        "Member must satisfy regular expression pattern: %s", patterns[i].pattern);
    return verr(r, member, cJSON_IsString(bad) ? bad->valuestring : NULL,
                "Member must not contain the character U+0000");
}

/* In a map whose entries may hold U+0000 (names and string values), the
 * first node of a non-string entry that holds one, or NULL. */
static const cJSON *nul_in_map(const cJSON *map)
{
    const cJSON *e, *hit;

    cJSON_ArrayForEach(e, map) if (!cJSON_IsString(e) && (hit = find_nul(e)) != NULL) return hit;
    return NULL;
}

/* Refuses a request one of whose strings holds U+0000 outside the members
 * that keep it (see nul_maps). Returns 0 or the error. */
static int json_refuse_nul(svc_req_t *r, const cJSON *in)
{
    const cJSON *m, *e, *bad;

    cJSON_ArrayForEach(m, in)
    {
        if (jsonlen_key(m) != strlen(m->string))
            return nul_error(r, m, m->string);
        if (named(m, nul_strings) && cJSON_IsString(m))
            continue;
        if (named(m, nul_maps) && cJSON_IsObject(m)) {
            if ((bad = nul_in_map(m)) != NULL)
                return nul_error(r, bad, bad->string ? bad->string : m->string);
            continue;
        }
        if (!strcmp(m->string, "Constraints") && cJSON_IsObject(m)) {
            cJSON_ArrayForEach(e, m)
            {
                if (named(e, nul_constraints) && cJSON_IsObject(e)) {
                    if ((bad = nul_in_map(e)) != NULL)
                        return nul_error(r, bad, bad->string ? bad->string : e->string);
                    continue;
                }
                if ((bad = find_nul(e)) != NULL)
                    return nul_error(r, bad, bad->string ? bad->string : "Constraints");
            }
            continue;
        }
        if ((bad = find_nul(m)) != NULL) {
            /* the innermost named member (a list element: its list) */
            return nul_error(r, bad, bad->string ? bad->string : m->string);
        }
    }
    return 0;
}

static int serr(svc_req_t *r, const char *member)
{
    return svc_error(r, 400, "SerializationException", "Unexpected value type for member '%s'.",
                     member);
}

static const cJSON *get(const cJSON *in, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, member);

    return v && !cJSON_IsNull(v) ? v : NULL;
}

int json_str(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
             size_t max, const char **out)
{
    const cJSON *v = get(in, member);
    size_t n;

    if (v == NULL)
        return required ? verr(r, member, NULL, "Member must not be null") : 0;
    if (!cJSON_IsString(v))
        return serr(r, member);
    if (jsonlen_has_nul(v))
        return nul_error(r, v, member);
    n = utf8_count(v->valuestring, jsonlen_str(v));
    if (n < min)
        return verr(r, member, v->valuestring,
                    "Member must have length greater than or equal to %zu", min);
    if (max && n > max)
        return verr(r, member, v->valuestring, "Member must have length less than or equal to %zu",
                    max);
    *out = v->valuestring;
    return 0;
}

int json_strn(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
              size_t max, const char **out, size_t *len)
{
    const cJSON *v = get(in, member);
    size_t n, bytes;

    if (v == NULL)
        return required ? verr(r, member, NULL, "Member must not be null") : 0;
    if (!cJSON_IsString(v))
        return serr(r, member);
    bytes = jsonlen_str(v);
    n = utf8_count(v->valuestring, bytes);
    if (n < min)
        return verr(r, member, v->valuestring,
                    "Member must have length greater than or equal to %zu", min);
    if (max && n > max)
        return verr(r, member, v->valuestring, "Member must have length less than or equal to %zu",
                    max);
    *out = v->valuestring;
    *len = bytes;
    return 0;
}

int json_int(svc_req_t *r, const cJSON *in, const char *member, int required, long min, long max,
             long *out, int *present)
{
    const cJSON *v = get(in, member);
    char num[32];
    double d;

    if (present)
        *present = 0;
    if (v == NULL)
        return required ? verr(r, member, NULL, "Member must not be null") : 0;
    if (!cJSON_IsNumber(v))
        return serr(r, member);
    d = v->valuedouble;
    if (d != floor(d) || d > 9.2e18 || d < -9.2e18)
        return serr(r, member);
    snprintf(num, sizeof num, "%.0f", d);
    if (d < (double)min)
        return verr(r, member, num, "Member must have value greater than or equal to %ld", min);
    if (d > (double)max)
        return verr(r, member, num, "Member must have value less than or equal to %ld", max);
    *out = (long)d;
    if (present)
        *present = 1;
    return 0;
}

int json_bool(svc_req_t *r, const cJSON *in, const char *member, int *out, int *present)
{
    const cJSON *v = get(in, member);

    if (present)
        *present = 0;
    if (v == NULL)
        return 0;
    if (!cJSON_IsBool(v))
        return serr(r, member);
    *out = cJSON_IsTrue(v);
    if (present)
        *present = 1;
    return 0;
}

int json_enum(svc_req_t *r, const cJSON *in, const char *member, int required,
              const char *const *values, const char **out)
{
    const char *s = NULL;
    size_t i;
    buf_t set;
    int rc;

    if (json_str(r, in, member, required, 0, 0, &s) != 0)
        return -1;
    if (s == NULL)
        return 0;
    for (i = 0; values[i]; i++) {
        if (strcmp(values[i], s) == 0) {
            *out = values[i];
            return 0;
        }
    }
    buf_init(&set, 0);
    for (i = 0; values[i]; i++)
        buf_printf(&set, "%s%s", i ? ", " : "", values[i]);
    rc = verr(r, member, s, "Member must satisfy enum value set: [%s]", set.data ? set.data : "");
    buf_free(&set);
    return rc;
}

int json_blob(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
              size_t max, uint8_t **out, size_t *len)
{
    const cJSON *v = get(in, member);
    size_t slen;
    uint8_t *p;
    long n;

    if (v == NULL)
        return required ? verr(r, member, NULL, "Member must not be null") : 0;
    if (!cJSON_IsString(v))
        return serr(r, member);
    slen = jsonlen_str(v);
    if ((p = malloc(slen / 4 * 3 + 4)) == NULL)
        return svc_error(r, 500, "InternalFailure", "Out of memory.");
    n = codec_b64_decode(v->valuestring, slen, p);
    if (n < 0) {
        free(p);
        return svc_error(r, 400, "SerializationException",
                         "Value for member '%s' is not valid base64.", member);
    }
    if ((size_t)n < min || (max && (size_t)n > max)) {
        OPENSSL_cleanse(p, (size_t)n);
        free(p);
        /* AWS does not echo binary values */
        return verr(r, member, "java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]",
                    (size_t)n < min ? "Member must have length greater than or equal to %zu"
                                    : "Member must have length less than or equal to %zu",
                    (size_t)n < min ? min : max);
    }
    *out = p;
    *len = (size_t)n;
    return 0;
}

int json_map(svc_req_t *r, const cJSON *in, const char *member, const cJSON **out)
{
    const cJSON *v = get(in, member), *e;

    *out = NULL;
    if (v == NULL)
        return 0;
    if (!cJSON_IsObject(v))
        return serr(r, member);
    cJSON_ArrayForEach(e, v) if (!cJSON_IsString(e)) return serr(r, member);
    *out = v;
    return 0;
}

int json_list(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
              size_t max, const cJSON **out)
{
    const cJSON *v = get(in, member);
    size_t n;

    *out = NULL;
    if (v == NULL)
        return required ? verr(r, member, NULL, "Member must not be null") : 0;
    if (!cJSON_IsArray(v))
        return serr(r, member);
    n = (size_t)cJSON_GetArraySize(v);
    if (n < min)
        return verr(r, member, "[]", "Member must have length greater than or equal to %zu", min);
    if (max && n > max)
        return verr(r, member, "[...]", "Member must have length less than or equal to %zu", max);
    *out = v;
    return 0;
}

int json_charset(svc_req_t *r, const char *member, const char *value, const char *extra,
                 const char *pattern)
{
    const char *s;

    for (s = value; *s; s++)
        if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
            return verr(r, member, value, "Member must satisfy regular expression pattern: %s",
                        pattern);
    return 0;
}

void json_put_blob(cJSON *out, const char *member, const uint8_t *p, size_t n)
{
    char *s = malloc(codec_b64_enclen(n) + 1);

    if (s == NULL)
        return;
    codec_b64_encode(p, n, s);
    cJSON_AddStringToObject(out, member, s);
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

int json_put_strn(cJSON *out, const char *member, const char *s, size_t n)
{
    buf_t b;
    cJSON *raw = NULL;

    /* cJSON prints strings up to their first NUL: a raw node holds the
     * string already escaped, "\u0000" and all, and prints as it is */
    buf_init(&b, 0);
    if (buf_adds(&b, "\"") == 0 && buf_add_json_escaped(&b, s, n) == 0 && buf_adds(&b, "\"") == 0)
        raw = cJSON_CreateRaw(b.data);
    OPENSSL_cleanse(b.data, b.len);
    buf_free(&b);
    if (raw == NULL || !cJSON_AddItemToObject(out, member, raw)) {
        cJSON_Delete(raw);
        return -1;
    }
    return 0;
}

void json_put_time(cJSON *out, const char *member, double t)
{
    /* millisecond precision, as AWS sends */
    cJSON_AddNumberToObject(out, member, floor(t * 1000.0) / 1000.0);
}
