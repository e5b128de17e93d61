/* proto_query.c — AWS Query protocol: forms and XML errors. */
#include "emulator/proto_query.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/authz.h"
#include "base/buf.h"
#include "base/codec.h"
#include "base/utf8.h"
#include "base/xml.h"

long proto_query_unescape(const char *s, size_t n, int plus_space, char *out)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return -1;
            hi = codec_hexval(s[i + 1]);
            lo = codec_hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '+' && plus_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return (long)o;
}

long proto_query_unescape_text(const char *s, size_t n, int plus_space, char *out)
{
    long len = proto_query_unescape(s, n, plus_space, out);

    if (len < 0)
        return -1;
    if (memchr(out, '\0', (size_t)len) != NULL || !utf8_valid(out, (size_t)len))
        return -2;
    return len;
}

long proto_query_param(const char *form, size_t len, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name), i = 0;

    while (i < len) {
        size_t j = i, eq;
        while (j < len && form[j] != '&')
            j++;
        eq = i;
        while (eq < j && form[eq] != '=')
            eq++;
        if (eq - i == nl && memcmp(form + i, name, nl) == 0) {
            size_t vl = eq < j ? j - eq - 1 : 0;
            char *tmp = malloc(vl + 1);
            long dl;
            if (tmp == NULL)
                return -1;
            dl = proto_query_unescape(form + eq + 1, vl, 1, tmp);
            if (dl < 0 || (size_t)dl >= n) {
                free(tmp);
                return -1;
            }
            memcpy(out, tmp, (size_t)dl + 1);
            free(tmp);
            return dl;
        }
        i = j + 1;
    }
    return -1;
}

void proto_query_send_error(svc_req_t *r)
{
    buf_t b;
    const char *ns = strcmp(r->service, "sts") == 0 ? "https://sts.amazonaws.com/doc/2011-06-15/"
                                                    : "https://iam.amazonaws.com/doc/2010-05-08/";

    buf_init(&b, 0);
    buf_printf(&b, "<ErrorResponse xmlns=\"%s\">\n  <Error>\n    <Type>%s</Type>\n    <Code>", ns,
               r->err_status >= 500 ? "Receiver" : "Sender");
    buf_add_xml_escaped(&b, r->err_code, strlen(r->err_code));
    buf_adds(&b, "</Code>\n    <Message>");
    buf_add_xml_escaped(&b, r->err_msg, strlen(r->err_msg));
    buf_printf(&b, "</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n",
               r->request_id);
    http_add_header(r->http, "x-amzn-RequestId", r->request_id);
    http_respond(r->http, r->err_status ? r->err_status : 500, "text/xml", b.data, b.len);
    buf_free(&b);
}

/* ---- forms --------------------------------------------------------------- */

int qform_parse(qform_t *f, const char *form, size_t len)
{
    size_t i = 0, n = 0, o = 0;
    char *st;

    memset(f, 0, sizeof *f);
    for (i = 0; i < len; i++)
        if (form[i] == '&')
            n++;
    n++;
    if (n > QFORM_MAX_PARAMS)
        return -1;
    /* every decoded name and value fits in its encoded length + NUL */
    f->store = st = malloc(len + 2 * n + 1);
    f->p = calloc(n, sizeof *f->p);
    if (st == NULL || f->p == NULL) {
        qform_free(f);
        return -1;
    }
    i = 0;
    while (i < len) {
        const char *seg = form + i, *amp = memchr(seg, '&', len - i), *eq;
        size_t sl = amp ? (size_t)(amp - seg) : len - i, kl;
        long dl;
        eq = memchr(seg, '=', sl);
        kl = eq ? (size_t)(eq - seg) : sl;
        if (sl > 0) {
            qparam_t *q = &f->p[f->n++];
            dl = proto_query_unescape(seg, kl, 1, st + o);
            if (dl < 0)
                goto bad;
            q->name = st + o;
            q->name_len = (size_t)dl;
            o += (size_t)dl + 1;
            dl = proto_query_unescape(eq ? eq + 1 : seg + sl, eq ? sl - kl - 1 : 0, 1, st + o);
            if (dl < 0)
                goto bad;
            q->value = st + o;
            q->len = (size_t)dl;
            o += (size_t)dl + 1;
        }
        i += sl + 1;
    }
    return 0;
bad:
    qform_free(f);
    return -1;
}

void qform_free(qform_t *f)
{
    free(f->p);
    free(f->store);
    memset(f, 0, sizeof *f);
}

const char *qform_get(const qform_t *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (!strcmp(f->p[i].name, name))
            return f->p[i].value;
    return NULL;
}

const char *qform_getf(const qform_t *f, const char *fmt, ...)
{
    char name[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof name)
        return NULL;
    return qform_get(f, name);
}

/* ---- validation ---------------------------------------------------------- */

/* The member's path as AWS names it in validation messages: each segment
 * starts lower case and a list index comes before "member"
 * ("Tags.member.1.Key" is 'tags.1.member.key'). */
const char *q_member_path(const char *member, char *tmp, size_t n)
{
    size_t o = 0;
    const char *p = member;

    while (*p && o + 1 < n) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p), dl;
        if (len == 6 && !strncmp(p, "member", 6) && dot && isdigit((unsigned char)dot[1])) {
            dl = strspn(dot + 1, "0123456789"); /* "member.N" -> "N.member" */
            o += (size_t)snprintf(tmp + o, n - o, "%s%.*s.member", o ? "." : "", (int)dl, dot + 1);
            p = dot + 1 + dl;
        } else {
            o += (size_t)snprintf(tmp + o, n - o, "%s%c%.*s", o ? "." : "",
                                  tolower((unsigned char)*p), len ? (int)len - 1 : 0,
                                  len ? p + 1 : p);
            p += len;
        }
        if (o >= n)
            break;
        if (*p == '.')
            p++;
    }
    if (o >= n)
        o = n - 1;
    tmp[o] = '\0';
    return tmp;
}

/* Members never echoed in messages. */
static int sensitive(const char *member)
{
    return !strcmp(member, "PolicyDocument") || !strcmp(member, "AssumeRolePolicyDocument") ||
           !strcmp(member, "Policy") || !strcmp(member, "SAMLAssertion") ||
           !strcmp(member, "WebIdentityToken") || !strcmp(member, "EncodedMessage") ||
           !strcmp(member, "TokenCode");
}

static int verr(svc_req_t *r, const char *member, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int verr(svc_req_t *r, const char *member, const char *value, const char *fmt, ...)
{
    char tmp[128], cons[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cons, sizeof cons, fmt, ap);
    va_end(ap);
    q_member_path(member, tmp, sizeof tmp);
    if (value == NULL)
        return svc_error(r, 400, "ValidationError",
                         "1 validation error detected: Value null at '%s' failed to satisfy "
                         "constraint: %s",
                         tmp, cons);
    if (sensitive(member))
        return svc_error(r, 400, "ValidationError",
                         "1 validation error detected: Value at '%s' failed to satisfy "
                         "constraint: %s",
                         tmp, cons);
    return svc_error(r, 400, "ValidationError",
                     "1 validation error detected: Value '%.200s' at '%s' failed to satisfy "
                     "constraint: %s",
                     value, tmp, cons);
}

int q_str(svc_req_t *r, const qform_t *in, const char *member, int required, size_t min, size_t max,
          const char **out)
{
    const char *v = qform_get(in, member);
    size_t n;

    if (v == NULL)
        return required ? verr(r, member, NULL, "Member must not be null") : 0;
    n = codec_utf8_len(v);
    if (n < min)
        return verr(r, member, v, "Member must have length greater than or equal to %zu", min);
    if (max && n > max)
        return verr(r, member, v, "Member must have length less than or equal to %zu", max);
    *out = v;
    return 0;
}

int q_int(svc_req_t *r, const qform_t *in, const char *member, int required, long min, long max,
          long *out, int *present)
{
    const char *v = qform_get(in, member);
    char *end;
    long x;

    if (present)
        *present = 0;
    if (v == NULL)
        return required ? verr(r, member, NULL, "Member must not be null") : 0;
    errno = 0;
    x = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno == ERANGE || isspace((unsigned char)*v))
        return svc_error(r, 400, "MalformedInput", "Invalid value for parameter %s: %.64s", member,
                         v);
    if (x < min)
        return verr(r, member, v, "Member must have value greater than or equal to %ld", min);
    if (x > max)
        return verr(r, member, v, "Member must have value less than or equal to %ld", max);
    *out = x;
    if (present)
        *present = 1;
    return 0;
}

int q_bool(svc_req_t *r, const qform_t *in, const char *member, int *out, int *present)
{
    const char *v = qform_get(in, member);

    if (present)
        *present = 0;
    if (v == NULL)
        return 0;
    if (!strcasecmp(v, "true"))
        *out = 1;
    else if (!strcasecmp(v, "false"))
        *out = 0;
    else
        return svc_error(r, 400, "MalformedInput", "Invalid value for parameter %s: %.64s", member,
                         v);
    if (present)
        *present = 1;
    return 0;
}

int q_charset(svc_req_t *r, const char *member, const char *value, const char *extra,
              const char *pattern)
{
    const unsigned char *p = (const unsigned char *)value;
    size_t n = strlen(value), i = 0, len;
    unsigned long cp;

    while (i < n) {
        if (extra == NULL) {
            /* [\u0009\u000A\u000D\u0020-\u00FF]: code points, not bytes
             * (the value is UTF-8: proto_query_serve saw to it) */
            if ((len = utf8_decode(p + i, n - i, &cp)) != 0 &&
                ((cp >= 0x20 && cp <= 0xff) || cp == '\t' || cp == '\n' || cp == '\r')) {
                i += len;
                continue;
            }
        } else if (isalnum(p[i]) || (p[i] < 0x80 && strchr(extra, p[i]))) {
            i++;
            continue;
        }
        return verr(r, member, value, "Member must satisfy regular expression pattern: %s",
                    pattern);
    }
    return 0;
}

int q_list_count(svc_req_t *r, const qform_t *in, const char *prefix, const char *suffix,
                 size_t max, size_t *count)
{
    size_t n = 0;

    while (
        qform_getf(in, "%s.member.%zu%s%s", prefix, n + 1, suffix ? "." : "", suffix ? suffix : ""))
        if (++n > max)
            return verr(r, prefix, "[...]", "Member must have length less than or equal to %zu",
                        max);
    *count = n;
    return 0;
}

/* ---- text ------------------------------------------------------------------ */

/* IAM's and STS's model patterns (botocore) by member name, for the error
 * on a value no pattern admits; where one name has several patterns, the
 * one of its most common use. */
static const struct {
    const char *member, *pattern;
} patterns[] = {
    {"AWSServiceName", "[\\w+=,.@-]+"},
    {"AccessKeyId", "[\\w]+"},
    {"AccountAlias", "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"},
    {"AddPrivateKey", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"AssumeRolePolicyDocument", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"AuthenticationCode1", "[\\d]+"},
    {"AuthenticationCode2", "[\\d]+"},
    {"CertificateBody", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"CertificateChain", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"CertificateId", "[\\w]+"},
    {"CustomSuffix", "[\\w+=,.@-]+"},
    {"Description", "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"},
    {"ExternalId", "[\\w+=,.@:\\/-]*"},
    {"GroupName", "[\\w+=,.@-]+"},
    {"InstanceProfileName", "[\\w+=,.@-]+"},
    {"Key", "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"},
    {"Marker", "[\\u0020-\\u00FF]+"},
    {"Name", "[\\w._-]+"},
    {"NewGroupName", "[\\w+=,.@-]+"},
    {"NewPassword", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"NewPath", "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"},
    {"NewServerCertificateName", "[\\w+=,.@-]+"},
    {"NewUserName", "[\\w+=,.@-]+"},
    {"OldPassword", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"Password", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"Path", "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"},
    {"PathPrefix", "\\u002F[\\u0021-\\u007F]*"},
    {"Policy", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"PolicyDocument", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"PolicyName", "[\\w+=,.@-]+"},
    {"PrivateKey", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"RoleName", "[\\w+=,.@-]+"},
    {"RoleSessionName", "[\\w+=,.@-]*"},
    {"SSHPublicKeyBody", "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
    {"SSHPublicKeyId", "[\\w]+"},
    {"SerialNumber", "[\\w+=/:,.@-]+"},
    {"ServerCertificateName", "[\\w+=,.@-]+"},
    {"ServiceSpecificCredentialId", "[\\w]+"},
    {"SourceIdentity", "[\\w+=,.@-]*"},
    {"TokenCode", "[\\d]*"},
    {"UserName", "[\\w+=,.@-]+"},
    {"Value", "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"},
    {"VersionId", "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"},
    {"VirtualMFADeviceName", "[\\w+=,.@-]+"},
};

/* The member a parameter name stands for: its last dotted part that is not
 * a list index or "member" ("Tags.member.2.Key" -> "Key"). */
static const char *leaf(const char *name, char *tmp, size_t n)
{
    const char *end = name + strlen(name), *p = end, *best = name;
    size_t len;

    while (p > name) {
        const char *q = p;
        while (q > name && q[-1] != '.')
            q--;
        len = (size_t)(p - q);
        if (len && !(len == 6 && !strncmp(q, "member", 6)) && strspn(q, "0123456789") < len) {
            best = q;
            break;
        }
        p = q > name ? q - 1 : name;
    }
    len = strcspn(best, ".");
    if (len >= n)
        len = n - 1;
    memcpy(tmp, best, len);
    tmp[len] = '\0';
    return tmp;
}

/* Refuses a form whose names or values are not UTF-8 text without U+0000
 * (see proto_query_serve). Returns 0 or -1 with the error set. */
static int check_text(svc_req_t *r, const qform_t *in)
{
    size_t i, k;

    for (i = 0; i < in->n; i++) {
        const qparam_t *q = &in->p[i];
        char member[128], lower[128];
        const char *pattern = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]*";
        if (memchr(q->name, '\0', q->name_len) || !utf8_valid(q->name, q->name_len))
            return svc_error(r, 400, "MalformedQueryString", "The query string is malformed.");
        if (!memchr(q->value, '\0', q->len) && utf8_valid(q->value, q->len))
            continue;
        leaf(q->name, member, sizeof member);
        for (k = 0; k < sizeof patterns / sizeof patterns[0]; k++)
            if (!strcmp(patterns[k].member, member))
                pattern = patterns[k].pattern;
        q_member_path(member, lower, sizeof lower);
        /* the value is not echoed: it is not text a response may carry */
        return svc_error(r, 400, "ValidationError",
                         "1 validation error detected: Value at '%s' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: %s",
                         lower, pattern);
    }
    return 0;
}

/* ---- serving ------------------------------------------------------------- */

void proto_query_serve(svc_req_t *r, const svc_def_t *def)
{
    http_req_t *h = r->http;
    const svc_op_t *op;
    qform_t in;
    buf_t out, b;
    int rc;

    if (!strcmp(h->method, "POST") && h->body.len)
        rc = qform_parse(&in, h->body.data, h->body.len);
    else
        rc = qform_parse(&in, h->query, strlen(h->query));
    if (rc != 0) {
        svc_error(r, 400, "MalformedQueryString", "The query string is malformed.");
        proto_query_send_error(r);
        return;
    }
    if (check_text(r, &in) != 0) {
        qform_free(&in);
        proto_query_send_error(r);
        return;
    }
    op = r->op = svc_find_op(def, r->operation, strlen(r->operation));
    if (op == NULL) {
        if (!strcmp(r->operation, "-"))
            svc_error(r, 400, "MissingAction", "Missing Action");
        else
            svc_error(r, 400, "InvalidAction", "Could not find operation %s for version %s",
                      r->operation, def->version);
        qform_free(&in);
        proto_query_send_error(r);
        return;
    }
    if (authz_request(r, &in) != 0 || svc_unsupported(r) != 0) {
        qform_free(&in);
        proto_query_send_error(r);
        return;
    }
    buf_init(&out, 0);
    rc = op->fn.query(r, &in, &out);
    qform_free(&in);
    if (rc != 0) {
        buf_free(&out);
        proto_query_send_error(r);
        return;
    }
    /* compact first, then indented as AWS prints it (see xml_indent) */
    buf_init(&b, 0);
    buf_printf(&b, "<%sResponse xmlns=\"%s\">", op->name, def->xmlns);
    if (out.len)
        buf_printf(&b, "<%sResult>", op->name);
    buf_add(&b, out.data, out.len);
    if (out.len)
        buf_printf(&b, "</%sResult>", op->name);
    buf_printf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>",
               r->request_id, op->name);
    out.len = 0;
    xml_indent(&out, b.data, b.len);
    buf_free(&b);
    b = out;
    buf_init(&out, 0);
    http_add_header(h, "x-amzn-RequestId", r->request_id);
    http_respond(h, 200, "text/xml", b.data, b.len);
    buf_free(&out);
    buf_free(&b);
}
