/* test_sigv4.c — SigV4 against the AWS test vectors (aws-c-auth v4 suite in
 * tests/unit/sigv4-vectors/), plus parser edge cases, S3 path rules and the
 * aws-chunked example from the S3 documentation. Run from the repo root. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "authz/sigv4.h"
#include "unit.h"

#define VEC_DIR "tests/unit/sigv4-vectors/"
#define MAX_HDRS 32

static const char *const vectors[] = {
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-relative-normalized",
    "get-relative-relative-normalized",
    "get-relative-relative-unnormalized",
    "get-relative-unnormalized",
    "get-slash-dot-slash-normalized",
    "get-slash-dot-slash-unnormalized",
    "get-slash-normalized",
    "get-slash-pointless-dot-normalized",
    "get-slash-pointless-dot-unnormalized",
    "get-slash-unnormalized",
    "get-slashes-normalized",
    "get-slashes-unnormalized",
    "get-space-normalized",
    "get-space-unnormalized",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-header-after",
    "post-sts-header-before",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
};

/* A raw HTTP request file split into the pieces sigv4 wants. */
typedef struct {
    char *buf;
    size_t len;
    sigv4_request_t req;
    http_header_t headers[MAX_HDRS];
    const char *body;
    size_t body_len;
} rawreq_t;

/* Reads a whole file, NUL-terminated; caller frees. NULL when missing. */
static char *slurp(const char *dir, const char *name, size_t *len /* OUT */)
{
    char path[512];
    FILE *f;
    char *buf = NULL;
    long n;
    snprintf(path, sizeof path, VEC_DIR "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            if (len)
                *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

/* Splits the request line (the target may contain spaces), headers
 * (continuation lines extend the previous value) and body. */
static int parse_raw(rawreq_t *r)
{
    char *p = r->buf, *end = r->buf + r->len, *eol, *sp1, *sp2, *q;
    size_t n = 0;
    eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        eol = end;
    sp1 = memchr(p, ' ', (size_t)(eol - p));
    for (sp2 = eol - 1; sp2 > p && *sp2 != ' '; sp2--)
        ;
    if (!sp1 || sp2 <= sp1)
        return -1;
    r->req.method = p;
    r->req.method_len = (size_t)(sp1 - p);
    r->req.path = sp1 + 1;
    q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
    r->req.path_len = (size_t)((q ? q : sp2) - (sp1 + 1));
    r->req.query = q ? q + 1 : "";
    r->req.query_len = q ? (size_t)(sp2 - q - 1) : 0;
    p = eol < end ? eol + 1 : end;
    while (p < end) {
        char *colon, *v;
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol == p) { /* blank line: body follows */
            p++;
            break;
        }
        if ((*p == ' ' || *p == '\t') && n > 0) {
            http_header_t *h = &r->headers[n - 1];
            h->value_len = (size_t)(eol - h->value);
        } else {
            colon = memchr(p, ':', (size_t)(eol - p));
            if (!colon || n == MAX_HDRS)
                return -1;
            v = colon + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            r->headers[n].name = p;
            r->headers[n].name_len = (size_t)(colon - p);
            r->headers[n].value = v;
            r->headers[n].value_len = (size_t)(eol - v);
            n++;
        }
        while (r->headers[n - 1].value_len &&
               (r->headers[n - 1].value[r->headers[n - 1].value_len - 1] == ' ' ||
                r->headers[n - 1].value[r->headers[n - 1].value_len - 1] == '\r'))
            r->headers[n - 1].value_len--;
        p = eol < end ? eol + 1 : end;
    }
    r->req.headers = r->headers;
    r->req.nheaders = n;
    r->body = p;
    r->body_len = (size_t)(end - p);
    return 0;
}

static int load_raw(const char *dir, const char *name, rawreq_t *r /* OUT */)
{
    memset(r, 0, sizeof *r);
    r->buf = slurp(dir, name, &r->len);
    if (!r->buf)
        return -1;
    return parse_raw(r);
}

/* Minimal context.json reader: the string value of "key", or NULL. */
static int json_str(const char *json, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p, *e;
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    p = strstr(json, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    e = strchr(p, '"');
    if (!e || (size_t)(e - p) >= cap)
        return -1;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return 0;
}

static int json_true(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": true", key);
    return strstr(json, pat) != NULL;
}

static long json_long(const char *json, const char *key)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    p = strstr(json, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

static void sha256_hex(const void *data, size_t len, char hex[65] /* OUT */)
{
    unsigned char md[32];
    size_t i;
    SHA256(len ? data : (const void *)"", len, md);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* Computes the signature the way a client would. */
static void sign(const sigv4_request_t *req, const sigv4_auth_t *auth,
                 const char *secret, int rules, const char *payload,
                 char hex[65] /* OUT */)
{
    unsigned char key[32];
    char *c = sigv4_canonical_request(req, auth, rules, payload);
    char *s = c ? sigv4_string_to_sign(auth, c) : NULL;
    hex[0] = '\0';
    if (s && sigv4_signing_key(secret, auth->date, auth->region, auth->service,
                               key) == 0)
        sigv4_hex_hmac(key, s, strlen(s), hex);
    OPENSSL_cleanse(key, sizeof key);
    free(c);
    free(s);
}

/* Copies query without its X-Amz-Security-Token parameter; caller frees. */
static char *strip_token(const char *q, size_t n, size_t *out_len /* OUT */)
{
    static const char tok[] = "X-Amz-Security-Token=";
    char *out = malloc(n + 1);
    size_t i = 0, o = 0;
    if (!out)
        return NULL;
    while (i < n) {
        size_t e = i;
        while (e < n && q[e] != '&')
            e++;
        if (!(e - i >= sizeof tok - 1 && memcmp(q + i, tok, sizeof tok - 1) == 0)) {
            if (o)
                out[o++] = '&';
            memcpy(out + o, q + i, e - i);
            o += e - i;
        }
        i = e + 1;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* One form (header or query) of one vector. omit_token: the signer added
 * the session token after signing (the canonical query lacks it). */
static void check_form(const char *dir, const char *form, const char *secret,
                       const char *token, int omit_token, int rules,
                       const char *payload, long ts, long expires,
                       const rawreq_t *orig)
{
    char name[64], hex[65];
    char *want_canon, *want_sts, *want_sig, *canon = NULL, *sts = NULL;
    char *stripped = NULL;
    rawreq_t r;
    sigv4_request_t creq;
    sigv4_auth_t auth;
    unsigned char key[32];
    int presigned = strcmp(form, "query") == 0;

    snprintf(name, sizeof name, "%s-signed-request.txt", form);
    CHECK(load_raw(dir, name, &r) == 0);
    snprintf(name, sizeof name, "%s-canonical-request.txt", form);
    want_canon = slurp(dir, name, NULL);
    snprintf(name, sizeof name, "%s-string-to-sign.txt", form);
    want_sts = slurp(dir, name, NULL);
    snprintf(name, sizeof name, "%s-signature.txt", form);
    want_sig = slurp(dir, name, NULL);
    CHECK(want_canon && want_sts && want_sig && r.buf);
    if (!want_canon || !want_sts || !want_sig || !r.buf)
        goto done;

    /* the signed request is request.txt plus the signing additions */
    CHECK(r.req.method_len == orig->req.method_len &&
          memcmp(r.req.method, orig->req.method, r.req.method_len) == 0 &&
          r.req.path_len == orig->req.path_len &&
          memcmp(r.req.path, orig->req.path, r.req.path_len) == 0);

    CHECK(sigv4_parse(&r.req, &auth) == 0);
    CHECK(auth.presigned == presigned);
    CHECK(auth.expires == (presigned ? expires : -1));
    CHECK_STR(auth.access_key, "AKIDEXAMPLE");
    CHECK_STR(auth.signature, want_sig);
    if (token)
        CHECK_STR(auth.security_token, token);
    else
        CHECK_STR(auth.security_token, "");

    creq = r.req;
    if (presigned && omit_token) {
        /* the token added after signing is a query parameter outside the
         * signature: refused (the request without it verifies) */
        CHECK(sigv4_verify(&r.req, &auth, secret, rules, payload, ts) == SIGV4_EMISMATCH);
        stripped = strip_token(r.req.query, r.req.query_len, &creq.query_len);
        creq.query = stripped;
        CHECK(stripped && creq.query_len < r.req.query_len);
        CHECK(sigv4_verify(&creq, &auth, secret, rules, payload, ts) == 0);
        r.req = creq;
    }
    canon = sigv4_canonical_request(&creq, &auth, rules, payload);
    CHECK_STR(canon, want_canon);
    if (canon)
        sts = sigv4_string_to_sign(&auth, canon);
    CHECK_STR(sts, want_sts);
    CHECK(sigv4_signing_key(secret, auth.date, auth.region, auth.service, key) == 0);
    hex[0] = '\0';
    if (sts)
        CHECK(sigv4_hex_hmac(key, sts, strlen(sts), hex) == 0);
    CHECK_STR(hex, want_sig);
    OPENSSL_cleanse(key, sizeof key);

    CHECK(sigv4_verify(&r.req, &auth, secret, rules, payload, ts + 1) == 0);
    CHECK(sigv4_verify(&r.req, &auth, "wrong-secret", rules, payload, ts + 1) ==
          SIGV4_EMISMATCH);
    if (presigned) {
        CHECK(sigv4_verify(&r.req, &auth, secret, rules, payload,
                           ts + expires) == 0);
        CHECK(sigv4_verify(&r.req, &auth, secret, rules, payload,
                           ts + expires + 1) == SIGV4_EEXPIRED);
    }
    auth.signature[17] = auth.signature[17] == '0' ? '1' : '0';
    CHECK(sigv4_verify(&r.req, &auth, secret, rules, payload, ts + 1) ==
          SIGV4_EMISMATCH);
done:
    free(stripped);
    free(canon);
    free(sts);
    free(want_canon);
    free(want_sts);
    free(want_sig);
    free(r.buf);
}

static void run_vector(const char *dir)
{
    char secret[128], token[1024], region[64], service[64], stamp[32];
    char payload[65];
    char *ctx = slurp(dir, "context.json", NULL);
    rawreq_t orig;
    struct tm tm;
    long ts, expires;
    int rules, has_token, omit;

    CHECK(ctx != NULL);
    if (!ctx)
        return;
    CHECK(load_raw(dir, "request.txt", &orig) == 0);
    CHECK(json_str(ctx, "secret_access_key", secret, sizeof secret) == 0);
    CHECK(json_str(ctx, "region", region, sizeof region) == 0);
    CHECK(json_str(ctx, "service", service, sizeof service) == 0);
    CHECK(json_str(ctx, "timestamp", stamp, sizeof stamp) == 0);
    has_token = json_str(ctx, "token", token, sizeof token) == 0;
    rules = json_true(ctx, "normalize") ? SIGV4_PATH_NORMALIZED
                                        : SIGV4_PATH_UNNORMALIZED;
    expires = json_long(ctx, "expiration_in_seconds");
    memset(&tm, 0, sizeof tm);
    CHECK(strptime(stamp, "%Y-%m-%dT%H:%M:%SZ", &tm) != NULL);
    ts = (long)timegm(&tm);
    sha256_hex(orig.body, orig.body_len, payload);

    omit = json_true(ctx, "omit_session_token");
    check_form(dir, "header", secret, has_token ? token : NULL, omit, rules,
               payload, ts, expires, &orig);
    check_form(dir, "query", secret, has_token ? token : NULL, omit, rules,
               payload, ts, expires, &orig);
    free(orig.buf);
    free(ctx);
}

/* ---- parser cases ------------------------------------------------------- */

#define AUTH_OK                                                                \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"          \
    "aws4_request, SignedHeaders=host;x-amz-date, Signature="                  \
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

static int parse_with(const char *authz, const char *date_name,
                      const char *date, const char *query,
                      sigv4_auth_t *out /* OUT */)
{
    http_header_t h[3];
    sigv4_request_t req = {"GET", 3, "/", 1, query, strlen(query), h, 0};
    h[req.nheaders++] = (http_header_t){"Host", 4, "example.amazonaws.com", 21};
    if (date)
        h[req.nheaders++] =
            (http_header_t){date_name, strlen(date_name), date, strlen(date)};
    if (authz)
        h[req.nheaders++] =
            (http_header_t){"Authorization", 13, authz, strlen(authz)};
    return sigv4_parse(&req, out);
}

static int parse_auth(const char *authz)
{
    sigv4_auth_t a;
    return parse_with(authz, "X-Amz-Date", "20150830T123600Z", "", &a);
}

static int parse_query(const char *query)
{
    sigv4_auth_t a;
    return parse_with(NULL, NULL, NULL, query, &a);
}

static void test_parse_header(void)
{
    static const struct {
        const char *authz;
        int rc;
    } cases[] = {
        {AUTH_OK, 0},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request,SignedHeaders=host;x-amz-date,Signature="
         "5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31",
         0},
        {"AWS4-HMAC-SHA256   Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31 , "
         "SignedHeaders=host , Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request",
         0},
        {"", SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256", SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 ", SIGV4_EMALFORMED},
        {"AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
         "iam/aws4_request, SignedHeaders=host, Signature=00",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request, SignedHeaders=host;x-amz-date",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_reques, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015083/us-east-1/iam/"
         "aws4_request, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
         "aws4_request, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/x/"
         "aws4_request, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/iam/aws4_request, "
         "SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830//iam/aws4_request,"
         " SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf3",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf3g",
         SIGV4_EMALFORMED},
        {AUTH_OK ", Signature="
                 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {AUTH_OK ", Foo=bar", SIGV4_EMALFORMED},
        {AUTH_OK ",", SIGV4_EMALFORMED},
        {AUTH_OK ", Credential", SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request, SignedHeaders=x-amz-date, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request, SignedHeaders=host;;x-amz-date, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
         "aws4_request, SignedHeaders=host;x amz, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
        /* scope date differs from X-Amz-Date */
        {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/iam/"
         "aws4_request, SignedHeaders=host, Signature="
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
         SIGV4_EMALFORMED},
    };
    sigv4_auth_t a;
    char big[SIGV4_AUTH_HEADER_MAX + 64], field[2048];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_auth(cases[i].authz);
        if (rc != cases[i].rc)
            fprintf(stderr, "auth case %zu: got %d want %d\n", i, rc,
                    cases[i].rc);
        CHECK(rc == cases[i].rc);
    }

    CHECK(parse_with(AUTH_OK, "X-Amz-Date", "20150830T123600Z", "", &a) == 0);
    CHECK(a.presigned == 0);
    CHECK(a.expires == -1);
    CHECK_STR(a.access_key, "AKIDEXAMPLE");
    CHECK_STR(a.date, "20150830");
    CHECK_STR(a.region, "us-east-1");
    CHECK_STR(a.service, "iam");
    CHECK_STR(a.amz_date, "20150830T123600Z");
    CHECK_STR(a.signed_headers, "host;x-amz-date");
    CHECK_STR(a.signature,
              "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    CHECK_STR(a.security_token, "");

    /* uppercase hex is stored lowercase */
    CHECK(parse_auth(cases[1].authz) == 0);

    /* no credentials */
    CHECK(parse_with(NULL, "X-Amz-Date", "20150830T123600Z", "", &a) ==
          SIGV4_ENOAUTH);
    CHECK(parse_with(NULL, NULL, NULL, "list-type=2&prefix=a", &a) ==
          SIGV4_ENOAUTH);
    /* dates */
    CHECK(parse_with(AUTH_OK, NULL, NULL, "", &a) == SIGV4_EMISSINGDATE);
    CHECK(parse_with(AUTH_OK, "X-Amz-Date", "2015-08-30T12:36:00Z", "", &a) ==
          SIGV4_EMISSINGDATE);
    CHECK(parse_with(AUTH_OK, "X-Amz-Date", "20151330T123600Z", "", &a) ==
          SIGV4_EMISSINGDATE);
    CHECK(parse_with(AUTH_OK, "Date", "Sun, 30 Aug 2015 12:36:00 GMT", "", &a) ==
          0);
    CHECK_STR(a.amz_date, "20150830T123600Z");
    CHECK(parse_with(AUTH_OK, "Date", "Sun, 30 Aug 2015 12:36:00 CET", "", &a) ==
          SIGV4_EMISSINGDATE);
    CHECK(parse_with(AUTH_OK, "Date", "Sun, 30 Foo 2015 12:36:00 GMT", "", &a) ==
          SIGV4_EMISSINGDATE);
    /* header and query auth together; a failed parse leaves out zeroed */
    CHECK(parse_with(AUTH_OK, "X-Amz-Date", "20150830T123600Z",
                     "X-Amz-Algorithm=AWS4-HMAC-SHA256", &a) ==
          SIGV4_EMALFORMED);
    CHECK(a.access_key[0] == '\0' && a.expires == -1);

    /* two Authorization headers */
    {
        http_header_t h[3] = {{"Host", 4, "h", 1},
                              {"Authorization", 13, AUTH_OK, strlen(AUTH_OK)},
                              {"authorization", 13, AUTH_OK, strlen(AUTH_OK)}};
        sigv4_request_t req = {"GET", 3, "/", 1, "", 0, h, 3};
        CHECK(sigv4_parse(&req, &a) == SIGV4_EMALFORMED);
    }

    /* caps */
    memset(big, 0, sizeof big);
    snprintf(big, sizeof big, "%s, ", AUTH_OK);
    memset(big + strlen(big), ' ', SIGV4_AUTH_HEADER_MAX - strlen(big) + 1);
    CHECK(strlen(big) == SIGV4_AUTH_HEADER_MAX + 1);
    CHECK(parse_auth(big) == SIGV4_ETOOLONG);
    big[SIGV4_AUTH_HEADER_MAX] = '\0'; /* exactly at the cap: trailing ", " */
    CHECK(parse_auth(big) == SIGV4_EMALFORMED);

    memset(field, 'A', 129);
    field[129] = '\0';
    snprintf(big, sizeof big,
             "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/iam/"
             "aws4_request, SignedHeaders=host, Signature=%064d",
             field, 0);
    CHECK(parse_auth(big) == SIGV4_ETOOLONG);
    field[128] = '\0';
    snprintf(big, sizeof big,
             "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/iam/"
             "aws4_request, SignedHeaders=host, Signature=%064d",
             field, 0);
    CHECK(parse_auth(big) == 0);

    memset(field, 'r', 64);
    field[64] = '\0';
    snprintf(big, sizeof big,
             "AWS4-HMAC-SHA256 Credential=AK/20150830/%s/iam/"
             "aws4_request, SignedHeaders=host, Signature=%064d",
             field, 0);
    CHECK(parse_auth(big) == SIGV4_ETOOLONG);
    snprintf(big, sizeof big,
             "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/%s/"
             "aws4_request, SignedHeaders=host, Signature=%064d",
             field, 0);
    CHECK(parse_auth(big) == SIGV4_ETOOLONG);

    memcpy(field, "host;", 5);
    memset(field + 5, 'x', 1019);
    field[1024] = '\0';
    snprintf(big, sizeof big,
             "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam/"
             "aws4_request, SignedHeaders=%s, Signature=%064d",
             field, 0);
    CHECK(parse_auth(big) == SIGV4_ETOOLONG);
    field[1023] = '\0';
    snprintf(big, sizeof big,
             "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam/"
             "aws4_request, SignedHeaders=%s, Signature=%064d",
             field, 0);
    CHECK(parse_auth(big) == 0);

    /* session token header over its cap */
    {
        char *tok = malloc(SIGV4_TOKEN_MAX + 2);
        http_header_t h[4] = {{"Host", 4, "h", 1},
                              {"X-Amz-Date", 10, "20150830T123600Z", 16},
                              {"Authorization", 13, AUTH_OK, strlen(AUTH_OK)},
                              {"X-Amz-Security-Token", 20, tok, 0}};
        sigv4_request_t req = {"GET", 3, "/", 1, "", 0, h, 4};
        if (tok) {
            memset(tok, 'T', SIGV4_TOKEN_MAX + 1);
            h[3].value_len = SIGV4_TOKEN_MAX + 1;
            CHECK(sigv4_parse(&req, &a) == SIGV4_ETOOLONG);
            h[3].value_len = SIGV4_TOKEN_MAX;
            CHECK(sigv4_parse(&req, &a) == 0);
            CHECK(strlen(a.security_token) == SIGV4_TOKEN_MAX);
        }
        free(tok);
    }
}

#define Q_ALG "X-Amz-Algorithm=AWS4-HMAC-SHA256"
#define Q_CRED "X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request"
#define Q_DATE "X-Amz-Date=20150830T123600Z"
#define Q_EXP "X-Amz-Expires=3600"
#define Q_SH "X-Amz-SignedHeaders=host"
#define Q_SIG                                                                  \
    "X-Amz-Signature="                                                         \
    "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"
#define Q_ALL Q_ALG "&" Q_CRED "&" Q_DATE "&" Q_EXP "&" Q_SH "&" Q_SIG

static void test_parse_query(void)
{
    static const struct {
        const char *query;
        int rc;
    } cases[] = {
        {Q_ALL, 0},
        {"a=1&&" Q_ALL "&", 0},
        {Q_CRED "&" Q_DATE "&" Q_EXP "&" Q_SH "&" Q_SIG, SIGV4_EMALFORMED},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA1&" Q_CRED "&" Q_DATE "&" Q_EXP "&" Q_SH
         "&" Q_SIG,
         SIGV4_EMALFORMED},
        {Q_ALG "&" Q_DATE "&" Q_EXP "&" Q_SH "&" Q_SIG, SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_EXP "&" Q_SH "&" Q_SIG, SIGV4_EMISSINGDATE},
        {Q_ALG "&" Q_CRED "&X-Amz-Date=2015&" Q_EXP "&" Q_SH "&" Q_SIG,
         SIGV4_EMISSINGDATE},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&" Q_SH "&" Q_SIG, SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&" Q_EXP "&" Q_SIG, SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&" Q_EXP "&" Q_SH, SIGV4_EMALFORMED},
        {Q_ALL "&" Q_SIG, SIGV4_EMALFORMED},
        {Q_ALL "&" Q_EXP, SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&X-Amz-Expires=604801&" Q_SH "&" Q_SIG,
         SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&X-Amz-Expires=604800&" Q_SH "&" Q_SIG, 0},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&X-Amz-Expires=-1&" Q_SH "&" Q_SIG,
         SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&X-Amz-Expires=&" Q_SH "&" Q_SIG,
         SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&X-Amz-Expires=99999999999999999999&" Q_SH
         "&" Q_SIG,
         SIGV4_ETOOLONG},
        {Q_ALG "&X-Amz-Credential=AK%00%2F20150830%2Fus-east-1%2Fs3%2Faws4_"
         "request&" Q_DATE "&" Q_EXP "&" Q_SH "&" Q_SIG,
         SIGV4_EMALFORMED},
        {Q_ALG "&X-Amz-Credential=AK/20150830/us-east-1/s3/aws4_request&" Q_DATE
         "&" Q_EXP "&" Q_SH "&" Q_SIG,
         0},
        {Q_ALG "&X-Amz-Credential=AK%2F20150829%2Fus-east-1%2Fs3%2Faws4_"
         "request&" Q_DATE "&" Q_EXP "&" Q_SH "&" Q_SIG,
         SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&" Q_EXP "&X-Amz-SignedHeaders=x-amz-date&"
         Q_SIG,
         SIGV4_EMALFORMED},
        {Q_ALG "&" Q_CRED "&" Q_DATE "&" Q_EXP "&" Q_SH "&X-Amz-Signature=abc",
         SIGV4_EMALFORMED},
        /* only the signature looks like auth: still a presigned attempt */
        {Q_SIG, SIGV4_EMALFORMED},
        {"x-amz-algorithm=AWS4-HMAC-SHA256", SIGV4_ENOAUTH},
    };
    sigv4_auth_t a;
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_query(cases[i].query);
        if (rc != cases[i].rc)
            fprintf(stderr, "query case %zu: got %d want %d\n", i, rc,
                    cases[i].rc);
        CHECK(rc == cases[i].rc);
    }

    CHECK(parse_with(NULL, NULL, NULL,
                     Q_ALL "&X-Amz-Security-Token=a%2Bb%2F%3D%3D", &a) == 0);
    CHECK(a.presigned == 1);
    CHECK(a.expires == 3600);
    CHECK_STR(a.access_key, "AKIDEXAMPLE");
    CHECK_STR(a.service, "s3");
    CHECK_STR(a.amz_date, "20150830T123600Z");
    CHECK_STR(a.signed_headers, "host");
    CHECK_STR(a.security_token, "a+b/==");

    {
        size_t n = SIGV4_TOKEN_MAX + 1;
        char *q = malloc(strlen(Q_ALL) + 32 + n);
        if (q) {
            int off = sprintf(q, "%s&X-Amz-Security-Token=", Q_ALL);
            memset(q + off, 't', n);
            q[off + (int)n] = '\0';
            CHECK(parse_query(q) == SIGV4_ETOOLONG);
            q[off + (int)n - 1] = '\0';
            CHECK(parse_query(q) == 0);
        }
        free(q);
    }
}

/* ---- canonicalisation details ------------------------------------------- */

/* Line `line` (0-based) of the canonical request of path/query. */
static void canon_line(const char *path, const char *query, int rules,
                       int line, char *out, size_t cap)
{
    http_header_t h[1] = {{"Host", 4, "h", 1}};
    sigv4_request_t req = {"GET", 3, path, strlen(path), query, strlen(query),
                           h, 1};
    sigv4_auth_t a;
    char *c, *p;
    int i;
    memset(&a, 0, sizeof a);
    strcpy(a.signed_headers, "host");
    out[0] = '\0';
    c = sigv4_canonical_request(&req, &a, rules, "UNSIGNED-PAYLOAD");
    if (!c)
        return;
    for (p = c, i = 0; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (p) {
        size_t n = strcspn(p, "\n");
        if (n < cap) {
            memcpy(out, p, n);
            out[n] = '\0';
        }
    }
    free(c);
}

static void test_canonical(void)
{
    static const struct {
        const char *path;
        int rules;
        const char *want;
    } paths[] = {
        {"/bucket/a%20b/../c+d/%7e//x", SIGV4_PATH_S3, "/bucket/a%20b/../c%2Bd/~//x"},
        {"/bucket/a%20b/../c+d/%7e//x", SIGV4_PATH_NORMALIZED, "/bucket/c%2Bd/%257e/x"},
        {"/bucket/a%20b/../c+d/%7e//x", SIGV4_PATH_UNNORMALIZED,
         "/bucket/a%2520b/../c%2Bd/%257e//x"},
        {"/b/k%2Fey%zz%4", SIGV4_PATH_S3, "/b/k/ey%25zz%254"},
        {"/b/\xe1\x88\xb4 x", SIGV4_PATH_S3, "/b/%E1%88%B4%20x"},
        {"", SIGV4_PATH_S3, "/"},
        {"", SIGV4_PATH_NORMALIZED, "/"},
        {"/a/.", SIGV4_PATH_NORMALIZED, "/a"},
        {"/a/./", SIGV4_PATH_NORMALIZED, "/a/"},
        {"/a/b/../../..", SIGV4_PATH_NORMALIZED, "/"},
        {"/../a", SIGV4_PATH_NORMALIZED, "/a"},
        {"/a/..b/.c", SIGV4_PATH_NORMALIZED, "/a/..b/.c"},
    };
    static const struct {
        const char *query;
        const char *want;
    } queries[] = {
        {"", ""},
        {"b=2&a=1&a=0&c&d=", "a=0&a=1&b=2&c=&d="},
        {"k=a+b", "k=a%2Bb"},
        {"k=a%20b&k=a b", "k=a%20b&k=a%20b"},
        {"%zz=1&%2f=%2F", "%25zz=1&%2F=%2F"}, /* '5' < 'F' */
        {"&&=v&", "=v"},
        {"a=b=c", "a=b%3Dc"},
        {"Z=1&a=1&_=1&~=1&-=1", "-=1&Z=1&_=1&a=1&~=1"},
        {"uploads", "uploads="},
    };
    char got[256];
    size_t i;

    for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        canon_line(paths[i].path, "", paths[i].rules, 1, got, sizeof got);
        CHECK_STR(got, paths[i].want);
    }
    for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        canon_line("/", queries[i].query, SIGV4_PATH_S3, 2, got, sizeof got);
        CHECK_STR(got, queries[i].want);
    }

    /* headers: absent signed header, case-insensitive names, value folding */
    {
        http_header_t h[4] = {{"HOST", 4, " h ", 3},
                              {"X-A", 3, "a\t \tb", 5},
                              {"x-a", 3, "", 0},
                              {"x-b", 3, "ignored", 7}};
        sigv4_request_t req = {"PUT", 3, "/", 1, "", 0, h, 4};
        sigv4_auth_t a;
        char *c;
        memset(&a, 0, sizeof a);
        strcpy(a.signed_headers, "host;x-a;x-c");
        c = sigv4_canonical_request(&req, &a, SIGV4_PATH_S3, "UNSIGNED-PAYLOAD");
        CHECK_STR(c, "PUT\n/\n\nhost:h\nx-a:a b,\nx-c:\n\nhost;x-a;x-c\n"
                     "UNSIGNED-PAYLOAD");
        free(c);
    }
}

/* A client that sent '+' for a space in the query but signed %20. */
static void test_plus_as_space(void)
{
    http_header_t h[2] = {{"Host", 4, "h", 1},
                          {"X-Amz-Date", 10, "20150830T123600Z", 16}};
    sigv4_request_t req = {"GET", 3, "/b/k", 4, "prefix=a%20b", 12, h, 2};
    sigv4_auth_t a;
    memset(&a, 0, sizeof a);
    strcpy(a.date, "20150830");
    strcpy(a.region, "us-east-1");
    strcpy(a.service, "s3");
    strcpy(a.amz_date, "20150830T123600Z");
    strcpy(a.signed_headers, "host;x-amz-date");
    a.expires = -1;
    sign(&req, &a, "secret", SIGV4_PATH_S3, "UNSIGNED-PAYLOAD", a.signature);
    CHECK(sigv4_verify(&req, &a, "secret", SIGV4_PATH_S3, "UNSIGNED-PAYLOAD",
                       0) == 0);
    req.query = "prefix=a+b";
    req.query_len = 10;
    CHECK(sigv4_verify(&req, &a, "secret", SIGV4_PATH_S3, "UNSIGNED-PAYLOAD",
                       0) == 0);
    req.query = "prefix=a+c";
    CHECK(sigv4_verify(&req, &a, "secret", SIGV4_PATH_S3, "UNSIGNED-PAYLOAD",
                       0) == SIGV4_EMISMATCH);
    /* payload hash and method are covered */
    req.query = "prefix=a+b";
    CHECK(sigv4_verify(&req, &a, "secret", SIGV4_PATH_S3,
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                       0) == SIGV4_EMISMATCH);
    req.method = "PUT";
    CHECK(sigv4_verify(&req, &a, "secret", SIGV4_PATH_S3, "UNSIGNED-PAYLOAD",
                       0) == SIGV4_EMISMATCH);
}

/* ---- keys and aws-chunked ------------------------------------------------ */

static void test_keys(void)
{
    unsigned char key[32];
    char hex[65], longsecret[300];
    size_t i;
    /* "Examples of how to derive a signing key for Signature Version 4" */
    CHECK(sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                            "20120215", "us-east-1", "iam", key) == 0);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    CHECK_STR(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    memset(longsecret, 's', 257);
    longsecret[257] = '\0';
    CHECK(sigv4_signing_key(longsecret, "20120215", "us-east-1", "iam", key) ==
          SIGV4_ETOOLONG);
    longsecret[256] = '\0';
    CHECK(sigv4_signing_key(longsecret, "20120215", "us-east-1", "iam", key) == 0);
}

/* "Signature Calculations for the Authorization Header: Transferring Payload
 * in Multiple Chunks" — the PUT Object example of the S3 documentation. */
static void test_chunked(void)
{
    static const char secret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static const char authz[] =
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/"
        "s3/aws4_request,SignedHeaders=content-encoding;content-length;host;"
        "x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
        "x-amz-storage-class,Signature="
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    http_header_t h[] = {
        {"Host", 4, "s3.amazonaws.com", 16},
        {"x-amz-date", 10, "20130524T000000Z", 16},
        {"x-amz-storage-class", 19, "REDUCED_REDUNDANCY", 18},
        {"Authorization", 13, authz, sizeof authz - 1},
        {"x-amz-content-sha256", 20, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 34},
        {"Content-Encoding", 16, "aws-chunked", 11},
        {"x-amz-decoded-content-length", 28, "66560", 5},
        {"Content-Length", 14, "66824", 5},
    };
    sigv4_request_t req = {"PUT", 3, "/examplebucket/chunkObject.txt", 30, "",
                           0, h, sizeof h / sizeof h[0]};
    sigv4_auth_t a;
    unsigned char key[32], *data = malloc(65536);
    char scope[128], seed[65], c1[65], c2[65], c3[65], tr[65], want[65];
    char sts[512];

    CHECK(data != NULL);
    if (!data)
        return;
    memset(data, 'a', 65536);
    CHECK(sigv4_parse(&req, &a) == 0);
    sign(&req, &a, secret, SIGV4_PATH_S3, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
         seed);
    CHECK_STR(seed, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
    CHECK(sigv4_verify(&req, &a, secret, SIGV4_PATH_S3,
                       "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 0) == 0);
    CHECK(sigv4_scope(&a, scope, sizeof scope) == 0);
    CHECK_STR(scope, "20130524/us-east-1/s3/aws4_request");
    CHECK(sigv4_scope(&a, scope, 10) == SIGV4_ETOOLONG);
    CHECK(sigv4_scope(&a, scope, sizeof scope) == 0);
    CHECK(sigv4_signing_key(secret, a.date, a.region, a.service, key) == 0);

    CHECK(sigv4_chunk_signature(key, a.amz_date, scope, seed, data, 65536, c1) == 0);
    CHECK_STR(c1, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
    CHECK(sigv4_chunk_signature(key, a.amz_date, scope, c1, data, 1024, c2) == 0);
    CHECK_STR(c2, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
    CHECK(sigv4_chunk_signature(key, a.amz_date, scope, c2, NULL, 0, c3) == 0);
    CHECK_STR(c3, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");

    /* trailer: the string to sign written out by hand */
    CHECK(sigv4_trailer_signature(key, a.amz_date, scope, c3,
                                  "x-amz-checksum-crc32c:sOO8/Q==\n", 31, tr) == 0);
    {
        char th[65];
        sha256_hex("x-amz-checksum-crc32c:sOO8/Q==\n", 31, th);
        snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256-TRAILER\n%s\n%s\n%s\n%s",
                 a.amz_date, scope, c3, th);
        CHECK(sigv4_hex_hmac(key, sts, strlen(sts), want) == 0);
        CHECK_STR(tr, want);
    }
    CHECK(sigv4_chunk_signature(key, a.amz_date, scope,
                                "0123456789012345678901234567890123456789012345678901234567890123"
                                "0123456789012345678901234567890123456789012345678901234567890123"
                                "x",
                                data, 1, c1) == SIGV4_ETOOLONG);
    OPENSSL_cleanse(key, sizeof key);
    free(data);
}

int main(void)
{
    size_t i;
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
        run_vector(vectors[i]);
    test_parse_header();
    test_parse_query();
    test_canonical();
    test_plus_as_space();
    test_keys();
    test_chunked();
    return unit_report("sigv4");
}
