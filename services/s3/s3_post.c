/* s3_post.c — POST Object: a browser form's upload (multipart/form-data)
 * with a policy document. The policy (base64 JSON: expiration and
 * conditions eq / starts-with / content-length-range) is checked in both
 * --iam modes; its signature (SigV4: x-amz-signature, hex HMAC-SHA256 of
 * the base64 policy under the derived key; SigV2: signature, base64
 * HMAC-SHA1 under the secret) is verified with --iam enforce, where the
 * upload is then authorized as s3:PutObject for the policy's signer. The
 * form's fields become the object's headers (Content-Type, x-amz-meta-*,
 * SSE, checksums, acl), its tagging field (a Tagging XML document) its
 * tags, and the upload goes through PutObject's pipeline.
 * AWS's rules: "Browser-Based Uploads Using POST" and "Creating a POST
 * Policy" (S3 API Reference, sigv4-HTTPPOSTConstructPolicy,
 * RESTObjectPOST). The body is buffered, so a POST upload is capped at the
 * buffered body size (16 MiB by default), not S3's 5 GiB. */
#include "services/s3/s3_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/authz.h"
#include "authz/sigv2.h"
#include "authz/sigv4.h"
#include "base/buf.h"
#include "base/codec.h"
#include "base/formdata.h"
#include "base/utf8.h"
#include "base/xml.h"
#include "emulator/http.h"

#define POST_MAX_FIELDS 64
/* S3's cap on the fields before the file (MaxPostPreDataLengthExceeded). */
#define POST_PRE_DATA_MAX (20 << 10)

typedef struct {
    const char *name, *v; /* into the request's body */
    size_t nl, vl;
    int covered;          /* a policy condition names it */
} post_field_t;

typedef struct {
    post_field_t f[POST_MAX_FIELDS];
    size_t n;
    const char *file, *filename;
    size_t file_len, filename_len;
    int have_file;
} post_form_t;

const svc_op_t s3_post_object_op =
    SVC_OP("PostObject", rest, s3_op_post_object, "s3:PutObject", NULL, OP_MUTATES | OP_AUTHZ_SELF);

static post_field_t *field(post_form_t *f, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; i < f->n; i++)
        if (f->f[i].nl == n && strncasecmp(f->f[i].name, name, n) == 0)
            return &f->f[i];
    return NULL;
}

/* The value of field name into out (NUL-terminated); 1 present, 0 not
 * (out ""), -1 longer than n - 1. */
static int field_str(post_form_t *f, const char *name, char *out, size_t n)
{
    const post_field_t *p = field(f, name);

    out[0] = '\0';
    if (p == NULL)
        return 0;
    if (p->vl >= n)
        return -1;
    memcpy(out, p->v, p->vl);
    out[p->vl] = '\0';
    return 1;
}

/* The form's fields up to the file (those after it are ignored, as S3
 * ignores them). 0 or -1 (error set). */
static int parse_form(s3_req_t *s, post_form_t *f)
{
    http_req_t *h = s->r->http;
    char boundary[FORMDATA_BOUNDARY_MAX + 1];
    const char *ct;
    size_t ctl, pos = 0, pre = 0;
    formdata_part_t p;
    int rc;

    ct = http_header(h, "Content-Type", &ctl);
    if (ct == NULL || formdata_boundary(ct, ctl, boundary) != 0) {
        s3_precondition_failed(s, "Bucket POST must be of the enclosure-type multipart/form-data");
        return -1;
    }
    while ((rc = formdata_next(h->body.data ? h->body.data : "", h->body.len, boundary, &pos,
                               &p)) == 1) {
        if (p.name_len == 4 && strncasecmp(p.name, "file", 4) == 0) {
            f->have_file = 1;
            f->file = p.data;
            f->file_len = p.len;
            f->filename = p.filename ? p.filename : "";
            f->filename_len = p.filename ? p.filename_len : 0;
            return 0;
        }
        pre += p.name_len + p.len;
        if (pre > POST_PRE_DATA_MAX)
            return s3_error(s, 400, "MaxPostPreDataLengthExceeded",
                            "Your POST request fields preceding the upload file were too large.");
        if (f->n == POST_MAX_FIELDS)
            return s3_error(s, 400, "MalformedPOSTRequest",
                            "The body of your POST request is not well-formed multipart/form-data.");
        f->f[f->n].name = p.name;
        f->f[f->n].nl = p.name_len;
        f->f[f->n].v = p.data;
        f->f[f->n].vl = p.len;
        f->f[f->n].covered = 0;
        f->n++;
    }
    if (rc < 0)
        return s3_error(s, 400, "MalformedPOSTRequest",
                        "The body of your POST request is not well-formed multipart/form-data.");
    return s3_error_arg(s, 400, "InvalidArgument", "file", "0",
                        "POST requires exactly one file upload per request.");
}

/* The key field with ${filename} replaced by the file's name into s->key.
 * 0 or -1 (error set). */
static int post_key(s3_req_t *s, post_form_t *f)
{
    const post_field_t *k = field(f, "key");
    const char *sub;
    buf_t b;

    if (k == NULL || k->vl == 0)
        return s3_error_arg(s, 400, "InvalidArgument", "key", "",
                            "Bucket POST must contain a field named 'key'.  If it is specified, "
                            "please check the order of the fields.");
    buf_init(&b, 0);
    buf_add(&b, k->v, k->vl);
    buf_adds(&b, "");
    if ((sub = b.data ? strstr(b.data, "${filename}") : NULL) != NULL) {
        buf_t o;
        buf_init(&o, 0);
        buf_add(&o, b.data, (size_t)(sub - b.data));
        buf_add(&o, f->filename, f->filename_len);
        buf_adds(&o, sub + 11);
        buf_free(&b);
        b = o;
    }
    if (b.data == NULL || b.len > S3_MAX_KEY) {
        buf_free(&b);
        return s3_error(s, 400, "KeyTooLongError", "Your key is too long");
    }
    /* an object key is UTF-8 text without U+0000, as a path's must be */
    if (memchr(b.data, '\0', b.len) || !utf8_valid(b.data, b.len)) {
        buf_free(&b);
        return s3_error_arg(s, 400, "InvalidArgument", "key", NULL,
                            "Object key is not valid UTF-8 text.");
    }
    free(s->key);
    s->key = b.data; /* the buffer's memory; s3_req_free frees it */
    return 0;
}

/* ---- the policy -------------------------------------------------------------- */

static int policy_failed(s3_req_t *s, const char *why)
{
    return s3_error(s, 403, "AccessDenied", "Invalid according to Policy: %s", why);
}

/* The value a condition's "$name" compares: the bucket, the key (after
 * ${filename}), or the field; NULL when the form has no such field. */
static const char *cond_value(s3_req_t *s, post_form_t *f, const char *name, char *tmp, size_t n)
{
    post_field_t *p;

    if (!strcasecmp(name, "bucket"))
        return s->bucket;
    if ((p = field(f, name)) == NULL)
        return NULL;
    p->covered = 1;
    if (!strcasecmp(name, "key"))
        return s->key;
    snprintf(tmp, n, "%.*s", (int)p->vl, p->v);
    return tmp;
}

/* One condition; 0 or -1 (error set). */
static int check_condition(s3_req_t *s, post_form_t *f, const cJSON *c)
{
    char tmp[4096], why[512];
    const char *op, *name, *want, *got;

    if (cJSON_IsObject(c) && cJSON_GetArraySize(c) == 1 && cJSON_IsString(c->child)) {
        op = "eq";
        name = c->child->string;
        want = c->child->valuestring;
    } else if (cJSON_IsArray(c) && cJSON_GetArraySize(c) == 3 &&
               cJSON_IsString(cJSON_GetArrayItem(c, 0))) {
        op = cJSON_GetArrayItem(c, 0)->valuestring;
        if (!strcasecmp(op, "content-length-range")) {
            const cJSON *lo = cJSON_GetArrayItem(c, 1), *hi = cJSON_GetArrayItem(c, 2);
            if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi))
                return s3_error(s, 400, "InvalidPolicyDocument",
                                "Invalid Policy: Invalid content-length-range condition.");
            if ((double)f->file_len < lo->valuedouble)
                return s3_error(s, 400, "EntityTooSmall",
                                "Your proposed upload is smaller than the minimum allowed size");
            if ((double)f->file_len > hi->valuedouble)
                return s3_error(s, 400, "EntityTooLarge",
                                "Your proposed upload exceeds the maximum allowed size");
            return 0;
        }
        if (!cJSON_IsString(cJSON_GetArrayItem(c, 1)) || !cJSON_IsString(cJSON_GetArrayItem(c, 2)) ||
            cJSON_GetArrayItem(c, 1)->valuestring[0] != '$' ||
            (strcasecmp(op, "eq") && strcasecmp(op, "starts-with")))
            return s3_error(s, 400, "InvalidPolicyDocument",
                            "Invalid Policy: Invalid Simple-Condition: a condition must be an "
                            "object of one field, or eq, starts-with or content-length-range.");
        name = cJSON_GetArrayItem(c, 1)->valuestring + 1;
        want = cJSON_GetArrayItem(c, 2)->valuestring;
    } else {
        return s3_error(s, 400, "InvalidPolicyDocument",
                        "Invalid Policy: Invalid Simple-Condition: a condition must be an object "
                        "of one field, or eq, starts-with or content-length-range.");
    }
    got = cond_value(s, f, name, tmp, sizeof tmp);
    if (got && (!strcasecmp(op, "eq") ? !strcmp(got, want) : !strncmp(got, want, strlen(want))))
        return 0;
    snprintf(why, sizeof why, "Policy Condition failed: [\"%s\", \"$%s\", \"%s\"]",
             !strcasecmp(op, "eq") ? "eq" : "starts-with", name, want);
    return policy_failed(s, why);
}

/* Fields a policy need not name (S3 API Reference, POST policy). */
static int exempt(const post_field_t *p)
{
    static const char *const names[] = {"policy", "x-amz-signature", "signature",
                                        "awsaccesskeyid", "file", NULL};
    size_t i;

    if (p->nl >= 9 && strncasecmp(p->name, "x-ignore-", 9) == 0)
        return 1;
    for (i = 0; names[i]; i++)
        if (p->nl == strlen(names[i]) && strncasecmp(p->name, names[i], p->nl) == 0)
            return 1;
    return 0;
}

/* The policy document (base64 JSON): expiration, every condition, and no
 * field it does not name. 0 or -1 (error set). */
static int check_policy(s3_req_t *s, post_form_t *f, const post_field_t *pol)
{
    uint8_t *raw = malloc(pol->vl / 4 * 3 + 4);
    long rl = raw ? codec_b64_decode(pol->v, pol->vl, raw) : -1;
    cJSON *doc = rl > 0 ? cJSON_ParseWithLength((const char *)raw, (size_t)rl) : NULL;
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(doc, "expiration");
    const cJSON *conds = cJSON_GetObjectItemCaseSensitive(doc, "conditions"), *c;
    double until;
    size_t i;
    int rc = -1;

    free(raw);
    if (doc == NULL || !cJSON_IsObject(doc)) {
        s3_error(s, 400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
        goto out;
    }
    if (!cJSON_IsString(exp) || s3_lock_parse_date(exp->valuestring, &until) != 0) {
        s3_error(s, 400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.");
        goto out;
    }
    if (!cJSON_IsArray(conds)) {
        s3_error(s, 400, "InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.");
        goto out;
    }
    if (until < s->r->now) {
        policy_failed(s, "Policy expired.");
        goto out;
    }
    cJSON_ArrayForEach(c, conds) {
        if (check_condition(s, f, c) != 0)
            goto out;
    }
    for (i = 0; i < f->n; i++)
        if (!f->f[i].covered && !exempt(&f->f[i])) {
            char why[200];
            snprintf(why, sizeof why, "Extra input fields: %.*s", (int)f->f[i].nl, f->f[i].name);
            policy_failed(s, why);
            goto out;
        }
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

/* ---- the signer ------------------------------------------------------------- */

/* The policy's signature (SigV4 or SigV2 fields) verified, and the signer
 * made the request's caller. 0 or -1 (error set). */
static int verify_signer(s3_req_t *s, post_form_t *f, const post_field_t *pol)
{
    char ak[129], cred[512], sig[130], token[2048], want[65], date[16], region[64], svc[16];
    authz_cred_t c;
    unsigned char key[32];
    int v4 = field(f, "x-amz-signature") != NULL, rc, ok;

    if (field_str(f, "x-amz-security-token", token, sizeof token) < 0)
        return s3_error(s, 400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
    if (v4) {
        char alg[32];
        if (field_str(f, "x-amz-algorithm", alg, sizeof alg) != 1 || strcmp(alg, "AWS4-HMAC-SHA256"))
            return s3_error_arg(s, 400, "InvalidArgument", "x-amz-algorithm", alg,
                                "Bucket POST must contain a field named 'x-amz-algorithm'.  If it "
                                "is specified, please check the order of the fields.");
        if (field_str(f, "x-amz-credential", cred, sizeof cred) != 1 ||
            sscanf(cred, "%128[^/]/%15[^/]/%63[^/]/%15[^/]/aws4_request", ak, date, region, svc) != 4)
            return s3_error_arg(s, 400, "InvalidArgument", "x-amz-credential", cred,
                                "Bucket POST must contain a field named 'x-amz-credential'.  If "
                                "it is specified, please check the order of the fields.");
        field_str(f, "x-amz-signature", sig, sizeof sig);
    } else {
        if (field_str(f, "awsaccesskeyid", ak, sizeof ak) != 1)
            return s3_error_arg(s, 400, "InvalidArgument", "AWSAccessKeyId", "",
                                "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it "
                                "is specified, please check the order of the fields.");
        if (field_str(f, "signature", sig, sizeof sig) != 1)
            return s3_error_arg(s, 400, "InvalidArgument", "Signature", "",
                                "Bucket POST must contain a field named 'Signature'.  If it is "
                                "specified, please check the order of the fields.");
    }
    rc = authz_credentials(s->r->emu, ak, token, s->r->now, &c);
    if (rc == AUTHZ_CRED_EXPIRED)
        return s3_error(s, 400, "ExpiredToken", "The provided token has expired.");
    if (rc != AUTHZ_CRED_OK)
        return s3_error(s, 403, "InvalidAccessKeyId",
                        "The AWS Access Key Id you provided does not exist in our records.");
    if (v4) {
        ok = sigv4_signing_key(c.secret, date, region, svc, key) == 0 &&
             sigv4_hex_hmac(key, pol->v, pol->vl, want) == 0 && strlen(sig) == 64 &&
             CRYPTO_memcmp(want, sig, 64) == 0;
        OPENSSL_cleanse(key, sizeof key);
    } else {
        char b64[29];
        ok = sigv2_sign(c.secret, pol->v, pol->vl, b64) == 0 && strlen(sig) == strlen(b64) &&
             CRYPTO_memcmp(b64, sig, strlen(b64)) == 0;
    }
    OPENSSL_cleanse(c.secret, sizeof c.secret);
    if (!ok)
        return s3_error(s, 403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you "
                        "provided. Check your key and signing method.");
    s->r->caller = c.who;
    s->r->caller_secret = NULL;
    str_copy(s->r->access_key, sizeof s->r->access_key, ak);
    return 0;
}

/* ---- the upload ------------------------------------------------------------- */

/* The tagging field (a Tagging document, as PutObjectTagging's body) checked
 * as S3 checks tags and kept for PutObject in s->form_tags. 0 or -1 (error
 * set). */
static int form_tags(s3_req_t *s, post_form_t *f)
{
    const post_field_t *t = field(f, "tagging");

    if (t == NULL)
        return 0;
    free(s->form_tags);
    s->form_tags = s3_tags_from_xml(s, t->v, t->vl);
    return s->form_tags ? 0 : -1;
}

/* The request's headers become the form's: the object's headers and
 * S3's x-amz-* request headers from their fields (acl as x-amz-acl), Host
 * and Origin kept; the HTTP body's own (Content-Type, Content-Length,
 * x-amz-content-sha256) dropped. Names and values point into the body. */
static void form_headers(s3_req_t *s, post_form_t *f)
{
    static const char *const plain[] = {"content-type", "cache-control", "content-disposition",
                                        "content-encoding", "content-language", "expires",
                                        "content-md5", "success_action_status",
                                        "success_action_redirect", "redirect", NULL};
    static const char *const auth[] = {"x-amz-signature", "x-amz-credential", "x-amz-algorithm",
                                       "x-amz-date", "x-amz-security-token", NULL};
    httpparse_head_t *hd = &s->r->http->head;
    size_t i, k, n = 0;

    for (i = 0; i < hd->nheaders; i++)
        if ((hd->headers[i].name_len == 4 && !strncasecmp(hd->headers[i].name, "Host", 4)) ||
            (hd->headers[i].name_len == 6 && !strncasecmp(hd->headers[i].name, "Origin", 6)))
            hd->headers[n++] = hd->headers[i];
    for (i = 0; i < f->n && n < HTTPPARSE_MAX_HEADERS; i++) {
        const post_field_t *p = &f->f[i];
        int keep = p->nl > 6 && !strncasecmp(p->name, "x-amz-", 6);
        for (k = 0; plain[k]; k++)
            keep |= p->nl == strlen(plain[k]) && !strncasecmp(p->name, plain[k], p->nl);
        for (k = 0; auth[k]; k++)
            keep &= !(p->nl == strlen(auth[k]) && !strncasecmp(p->name, auth[k], p->nl));
        if (p->nl == 3 && !strncasecmp(p->name, "acl", 3)) {
            hd->headers[n].name = "x-amz-acl";
            hd->headers[n].name_len = 9;
        } else if (keep) {
            hd->headers[n].name = p->name;
            hd->headers[n].name_len = p->nl;
        } else {
            continue;
        }
        hd->headers[n].value = p->v;
        hd->headers[n].value_len = p->vl;
        n++;
    }
    hd->nheaders = n;
}

/* The answer: success_action_redirect (303 to it with bucket, key and
 * ETag), else success_action_status 200, 201 (a PostResponse document) or
 * 204 (the default). */
static void post_respond(s3_req_t *s, const s3_object_t *o)
{
    http_req_t *h = s->r->http;
    char status[8] = "", host[256] = "localhost";
    buf_t loc, doc;
    const char *red;
    size_t rl;
    int st;

    http_header_copy(h, "Host", host, sizeof host);
    buf_init(&loc, 0);
    buf_printf(&loc, "http://%s/%s/", host, s->bucket);
    s3_url_encode(&loc, s->key);
    red = http_header(h, "success_action_redirect", &rl);
    if (red == NULL)
        red = http_header(h, "redirect", &rl);
    if (red && rl > 7 && (!strncmp(red, "http://", 7) || !strncmp(red, "https://", 8))) {
        buf_t to;
        buf_init(&to, 0);
        buf_add(&to, red, rl);
        buf_printf(&to, "%sbucket=%s&key=", memchr(red, '?', rl) ? "&" : "?", s->bucket);
        s3_url_encode(&to, s->key);
        buf_adds(&to, "&etag=");
        s3_url_encode(&to, o->etag);
        http_add_header(h, "Location", to.data);
        buf_free(&to);
        buf_free(&loc);
        s3_send_empty(s, 303);
        return;
    }
    http_add_header(h, "Location", loc.data);
    http_header_copy(h, "success_action_status", status, sizeof status);
    st = !strcmp(status, "200") ? 200 : !strcmp(status, "201") ? 201 : 204;
    if (st != 201) {
        buf_free(&loc);
        s3_send_empty(s, st);
        return;
    }
    buf_init(&doc, 0);
    xml_decl(&doc);
    xml_open(&doc, "PostResponse");
    xml_elem(&doc, "Location", loc.data);
    xml_elem(&doc, "Bucket", s->bucket);
    xml_elem(&doc, "Key", s->key);
    xml_elem(&doc, "ETag", o->etag);
    xml_close(&doc, "PostResponse");
    s3_send_xml(s, 201, &doc);
    buf_free(&doc);
    buf_free(&loc);
}

int s3_op_post_object(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    post_form_t *f = calloc(1, sizeof *f);
    const post_field_t *pol;
    buf_t aad;
    int rc = -1;

    if (f == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    if (parse_form(s, f) != 0 || post_key(s, f) != 0 || s3_require_bucket(s) != 0)
        goto out;
    if ((pol = field(f, "policy")) != NULL) {
        /* the signature first: a forged form learns nothing of the policy */
        if ((r->emu->cfg->iam_enforce && verify_signer(s, f, pol) != 0) ||
            check_policy(s, f, pol) != 0)
            goto out;
    }
    if (s3_authorize_object(s, "s3:PutObject", s->bucket, s->key) != 0 || form_tags(s, f) != 0)
        goto out;
    form_headers(s, f);
    if (s3_lock_request(s, 0) != 0 || s3_sse_prepare(s, s->bucket, s->key) != 0)
        goto out;
    buf_init(&aad, 0);
    s3_object_arn(s->bucket, s->key, &aad);
    rc = s3_upload_begin(s, aad.data, 0);
    buf_free(&aad);
    if (rc != 0)
        goto out;
    if (f->file_len)
        r->http->sink(r->http, f->file, f->file_len);
    s->respond = post_respond;
    rc = s3_op_put_object(r);
out:
    free(f);
    return rc;
}
