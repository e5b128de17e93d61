/* router.c — request -> (service, operation), authentication, dispatch,
 * the access-log line. */
#include "emulator/router.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "authz/authz.h"
#include "authz/sigv2.h"
#include "authz/sigv4.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "base/log.h"
#include "base/partition.h"
#include "emulator/admin.h"
#include "emulator/payload.h"
#include "emulator/proto_json.h"
#include "emulator/proto_query.h"
#include "emulator/proto_xml.h"

/* Signed requests may be this far from our clock, as in AWS. */
#define MAX_SKEW_SECONDS (15 * 60)

enum proto { P_ADMIN, P_JSON, P_QUERY, P_REST_XML };

struct router {
    emu_t *emu;
};

static int is_form(const http_req_t *h)
{
    size_t n;
    const char *ct = http_header(h, "Content-Type", &n);

    return ct && n >= 33 && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* One request's routing state, from its head to its end. */
typedef struct {
    svc_req_t r;
    sigv4_request_t sreq;
    int prc;   /* sigv4_parse's result */
    int sigv2; /* 1: an S3 request with SigV2 credentials (v2, v2rc) */
    int v2rc;  /* sigv2_parse's result, when sigv2 */
    int crc; /* authz_credentials' result (AUTHZ_CRED_*), when prc == 0 */
    authz_cred_t cred;
    enum proto p;
    char opbuf[128];
    /* last, and not zeroed by route_new: each parse zeroes its own */
    sigv4_auth_t auth; /* sigv4_parse's, on every request */
    sigv2_auth_t v2;   /* sigv2_parse's, when sigv2 */
} route_t;

/* A zeroed route but for what is filled before it is read: the parses'
 * outputs and the authorization note past its first byte (16 KiB of the
 * 22 that calloc would clear on every request). */
static route_t *route_new(void)
{
    route_t *rt = malloc(sizeof *rt);
    size_t note = offsetof(route_t, r.authz_note), end = note + sizeof rt->r.authz_note;

    if (rt == NULL)
        return NULL;
    memset(rt, 0, note + 1);
    memset((char *)rt + end, 0, offsetof(route_t, auth) - end);
    return rt;
}

static void route_free(void *arg)
{
    route_t *rt = arg;

    if (rt->r.svc_ctx_free)
        rt->r.svc_ctx_free(rt->r.svc_ctx);
    if (rt->r.deferred)
        proto_json_abandon(&rt->r); /* its connection closed first */
    OPENSSL_cleanse(&rt->cred, sizeof rt->cred);
    if (rt->sigv2)
        OPENSSL_cleanse(&rt->v2, sizeof rt->v2);
    free(rt);
}

/* The first service of protocol p (whose X-Amz-Target prefix is
 * target[0..tlen) for JSON), or NULL. */
static const svc_def_t *find_proto(enum svc_proto p, const char *target, size_t tlen)
{
    size_t i;

    for (i = 0; svc_registry[i]; i++) {
        const svc_def_t *d = svc_registry[i];
        if (d->proto != p)
            continue;
        if (p == SVC_JSON && (strlen(d->target) != tlen || memcmp(d->target, target, tlen) != 0))
            continue;
        return d;
    }
    return NULL;
}

/* 1 when def signs as name (a SigV4 credential scope's service). */
static int signs_as(const svc_def_t *def, const char *name)
{
    const char *const *s;

    for (s = def->signing_names; s && *s; s++)
        if (!strcmp(*s, name))
            return 1;
    return 0;
}

/* Picks the protocol and service from the head alone; for JSON fills
 * the operation. A Query request's Action may be in its body: see
 * query_action. */
static enum proto classify(route_t *rt)
{
    svc_req_t *r = &rt->r;
    http_req_t *h = r->http;
    size_t n;
    const char *target = http_header(h, "X-Amz-Target", &n);

    if (admin_match(h->path)) {
        r->service = "admin";
        return P_ADMIN;
    }
    if (target && !strcmp(h->method, "POST")) {
        const char *dot = memchr(target, '.', n);
        size_t plen = dot ? (size_t)(dot - target) : n, olen = dot ? n - plen - 1 : 0;
        r->def = find_proto(SVC_JSON, target, plen);
        r->service = r->def ? r->def->name : "unknown";
        if (olen >= sizeof rt->opbuf)
            olen = sizeof rt->opbuf - 1;
        memcpy(rt->opbuf, dot ? dot + 1 : "", olen);
        rt->opbuf[olen] = '\0';
        r->operation = rt->opbuf;
        return P_JSON;
    }
    /* Query: a form POST to /, or Action in the query string of / */
    if (!strcmp(h->path, "/") &&
        ((!strcmp(h->method, "POST") && is_form(h)) ||
         ((!strcmp(h->method, "GET") || !strcmp(h->method, "POST")) &&
          proto_query_param(h->query, strlen(h->query), "Action", rt->opbuf, sizeof rt->opbuf) >=
              0)) &&
        (r->def = find_proto(SVC_QUERY, NULL, 0)) != NULL) {
        r->service = r->def->name;
        return P_QUERY;
    }
    r->def = find_proto(SVC_REST_XML, NULL, 0);
    r->service = r->def ? r->def->name : "unknown";
    return P_REST_XML;
}

/* The Action of a Query request (form body first, then the query string)
 * and its service: the one its credential scope names, else the one whose
 * rows have the Action, else the first Query service (which answers
 * InvalidAction). */
static void query_action(route_t *rt)
{
    svc_req_t *r = &rt->r;
    http_req_t *h = r->http;
    const svc_def_t *by_action = NULL;
    long alen = -1;
    size_t i;

    if (!strcmp(h->method, "POST") && is_form(h))
        alen = proto_query_param(h->body.data ? h->body.data : "", h->body.len, "Action", rt->opbuf,
                                 sizeof rt->opbuf);
    if (alen < 0)
        alen = proto_query_param(h->query, strlen(h->query), "Action", rt->opbuf, sizeof rt->opbuf);
    if (alen < 0) {
        rt->opbuf[0] = '\0';
        alen = 0;
    }
    r->operation = rt->opbuf[0] ? rt->opbuf : "-";
    for (i = 0; svc_registry[i]; i++) {
        const svc_def_t *d = svc_registry[i];
        if (d->proto == SVC_QUERY && rt->prc == 0 && signs_as(d, rt->auth.service)) {
            r->def = d;
            break;
        }
        if (d->proto == SVC_QUERY && by_action == NULL &&
            svc_find_op(d, rt->opbuf, (size_t)alen)) /* a NUL selects nothing */
            by_action = d;
    }
    if (svc_registry[i] == NULL && by_action)
        r->def = by_action;
    r->service = r->def->name;
}

static void send_error(svc_req_t *r, enum proto p)
{
    switch (p) {
    case P_JSON:
        proto_json_send_error(r);
        break;
    case P_QUERY:
        proto_query_send_error(r);
        break;
    default:
        proto_xml_send_error(r, r->http->path);
        break;
    }
}

/* A presigned URL past its expiry fails in every mode (on the emulator's
 * clock, so tests can move past it). Returns 0, or -1 with the error set. */
static int check_presign_expiry(route_t *rt)
{
    if (rt->sigv2) {
        if (rt->v2rc != 0 || !sigv2_expired(&rt->v2, (long long)clock_now()))
            return 0;
        return svc_error(&rt->r, 403, "AccessDenied", "Request has expired");
    }
    if (rt->prc != 0)
        return 0;
    if (sigv4_presign_not_yet_valid(&rt->auth, (long)clock_now()))
        return svc_error(&rt->r, 403, "AccessDenied", "Request is not yet valid");
    if (!sigv4_presign_expired(&rt->auth, (long)clock_now()))
        return 0;
    return svc_error(&rt->r, 403, "AccessDenied", "Request has expired");
}

/* S3's (REST-XML's) answer to credentials authz_credentials did not accept (crc), or 0
 * when it did; token: the request carried a session token. */
static int rest_cred_error(svc_req_t *r, int crc, int token)
{
    if (crc == AUTHZ_CRED_OK)
        return 0;
    if (crc == AUTHZ_CRED_EXPIRED)
        return svc_error(r, 400, "ExpiredToken", "The provided token has expired.");
    if (crc == AUTHZ_CRED_BADTOKEN && token)
        return svc_error(r, 400, "InvalidToken",
                         "The provided token is malformed or otherwise invalid.");
    return svc_error(r, 403, "InvalidAccessKeyId",
                     "The AWS Access Key Id you provided does not exist in our records.");
}

/* SigV2 (S3 only) in enforce mode: as S3 answers. Returns 0, or -1 with
 * the error set. */
static int authenticate_v2(route_t *rt)
{
    svc_req_t *r = &rt->r;
    const sigv2_auth_t *auth = &rt->v2;
    char host[300], bucket[256];
    long long t;
    int rc;

    if (rt->v2rc != 0) {
        if (auth->presigned)
            return svc_error(r, 403, "AccessDenied",
                             "Query-string authentication requires the Signature, Expires "
                             "and AWSAccessKeyId parameters");
        return svc_error(r, 400, "InvalidArgument",
                         "AWS authorization header is invalid.  Expected "
                         "AwsAccessKeyId:signature");
    }
    if (rest_cred_error(r, rt->crc, auth->security_token[0] != '\0') != 0)
        return -1;
    if (!auth->presigned) {
        double now = clock_real();
        if (sigv2_request_time(&rt->sreq, &t) != 0)
            return svc_error(r, 403, "AccessDenied",
                             "AWS authentication requires a valid Date or x-amz-date header");
        if ((double)t < now - MAX_SKEW_SECONDS || (double)t > now + MAX_SKEW_SECONDS)
            return svc_error(r, 403, "RequestTimeTooSkewed",
                             "The difference between the request time and the current time "
                             "is too large.");
    }
    if (!http_header_copy(r->http, "Host", host, sizeof host) ||
        !r->def->vhost(host, bucket, sizeof bucket))
        bucket[0] = '\0';
    rc = sigv2_verify(&rt->sreq, auth, rt->cred.secret, bucket[0] ? bucket : NULL,
                      (long long)clock_now());
    if (rc == 0)
        return 0;
    if (rc == SIGV2_EEXPIRED)
        return svc_error(r, 403, "AccessDenied", "Request has expired");
    if (rc == SIGV2_EINTERNAL)
        return svc_error(r, 500, "InternalError",
                         "We encountered an internal error. Please try again.");
    return svc_error(r, 403, "SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided. Check your key and signing method.");
}

/* A malformed SigV4 presigned S3 URL: AWS's AuthorizationQueryParametersError
 * (400) set on r and 1, or 0 when the request is not presigned. */
static int presigned_malformed(svc_req_t *r)
{
    const char *q = r->http->query;
    char v[32];
    long n;

    if (proto_query_param(q, strlen(q), "X-Amz-Algorithm", v, sizeof v) < 0 &&
        proto_query_param(q, strlen(q), "X-Amz-Credential", v, sizeof v) < 0)
        return 0;
    n = proto_query_param(q, strlen(q), "X-Amz-Expires", v, sizeof v);
    if (n > 0) {
        char *end;
        long long e = strtoll(v, &end, 10);
        if (*end || e < 0)
            svc_error(r, 400, "AuthorizationQueryParametersError",
                      "X-Amz-Expires should be a number");
        else if (e > SIGV4_EXPIRES_MAX)
            svc_error(r, 400, "AuthorizationQueryParametersError",
                      "X-Amz-Expires must be less than a week (in seconds) that is 604800");
        if (r->err_code[0])
            return 1;
    }
    svc_error(r, 400, "AuthorizationQueryParametersError",
              "Query-string authentication version 4 requires the X-Amz-Algorithm, "
              "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
              "X-Amz-Expires parameters.");
    return 1;
}

/* 1, with the caller anonymous, when rt's Query operation is a row AWS
 * takes unsigned (OP_UNSIGNED: STS's web-identity and SAML calls). */
static int unsigned_row(route_t *rt)
{
    svc_req_t *r = &rt->r;
    const svc_op_t *op = r->def ? svc_find_op(r->def, rt->opbuf, strlen(rt->opbuf)) : NULL;

    if (op == NULL || !(op->flags & OP_UNSIGNED))
        return 0;
    authz_anonymous_principal(&r->caller);
    r->caller_secret = NULL;
    return 1;
}

/* SigV4 in enforce mode (SigV2 for S3 requests that carry it). Returns 0,
 * or -1 with the protocol's error set. */
static int authenticate(route_t *rt)
{
    svc_req_t *r = &rt->r;
    enum proto p = rt->p;
    const sigv4_request_t *sreq = &rt->sreq;
    const sigv4_auth_t *auth = &rt->auth;
    int prc = rt->prc;
    char hash[65];
    unsigned char md[SHA256_DIGEST_LENGTH];
    const char *payload;
    size_t n;
    int rc;

    if (rt->sigv2)
        return authenticate_v2(rt);
    if (prc == SIGV4_ENOAUTH && p == P_REST_XML) {
        /* unsigned S3: the anonymous caller, whom only bucket policies
         * and ACLs can allow */
        authz_anonymous_principal(&r->caller);
        r->caller_secret = NULL;
        return 0;
    }
    if (prc == SIGV4_ENOAUTH && p == P_QUERY && unsigned_row(rt))
        return 0;
    if (prc == SIGV4_ENOAUTH) {
        if (p == P_JSON)
            return svc_error(r, 400, "MissingAuthenticationTokenException",
                             "Missing Authentication Token");
        return svc_error(r, 403, "MissingAuthenticationToken",
                         "Request is missing Authentication Token");
    }
    if (prc != 0) {
        if (p == P_JSON)
            return svc_error(r, 400, "IncompleteSignatureException",
                             "Authorization header requires 'Credential', 'Signature' and "
                             "'SignedHeaders' parameters, and a valid X-Amz-Date.");
        if (p == P_QUERY)
            return svc_error(r, 400, "IncompleteSignature",
                             "The request signature does not conform to AWS standards.");
        if (p == P_REST_XML && presigned_malformed(r))
            return -1;
        return svc_error(r, 400, "AuthorizationHeaderMalformed",
                         "The authorization header is malformed.");
    }
    if (rt->crc == AUTHZ_CRED_EXPIRED) {
        if (p == P_JSON)
            return svc_error(r, 400, "ExpiredTokenException",
                             "The security token included in the request is expired");
        if (p == P_QUERY)
            return svc_error(r, 403, "ExpiredToken",
                             "The security token included in the request is expired");
        return svc_error(r, 400, "ExpiredToken", "The provided token has expired.");
    }
    if (rt->crc == AUTHZ_CRED_BADTOKEN && p == P_REST_XML && auth->security_token[0])
        return svc_error(r, 400, "InvalidToken",
                         "The provided token is malformed or otherwise invalid.");
    if (rt->crc != AUTHZ_CRED_OK) {
        if (p == P_JSON)
            return svc_error(r, 400, "UnrecognizedClientException",
                             "The security token included in the request is invalid.");
        if (p == P_QUERY)
            return svc_error(r, 403, "InvalidClientTokenId",
                             "The security token included in the request is invalid.");
        return svc_error(r, 403, "InvalidAccessKeyId",
                         "The AWS Access Key Id you provided does not exist in our records.");
    }
    if (!auth->presigned) {
        /* header-signed requests must be within 15 minutes of real time */
        long long t;
        if (sigv4_request_time(auth, &t) == 0) {
            double now = clock_real();
            if ((double)t < now - MAX_SKEW_SECONDS || (double)t > now + MAX_SKEW_SECONDS) {
                if (p == P_JSON)
                    return svc_error(r, 400, "InvalidSignatureException",
                                     "Signature expired: %s is now earlier or later than the "
                                     "allowed 15 minutes of the server time.",
                                     auth->amz_date);
                if (p == P_QUERY)
                    return svc_error(r, 400, "SignatureDoesNotMatch",
                                     "Signature expired: %s is outside the allowed 15 minutes.",
                                     auth->amz_date);
                return svc_error(r, 403, "RequestTimeTooSkewed",
                                 "The difference between the request time and the current time "
                                 "is too large.");
            }
        }
    }
    payload = http_header(r->http, "x-amz-content-sha256", &n);
    if (p == P_REST_XML && !payload && !auth->presigned)
        return svc_error(r, 400, "InvalidRequest",
                         "Missing required header for this request: x-amz-content-sha256");
    if (p == P_REST_XML && payload && n < sizeof hash) {
        memcpy(hash, payload, n);
        hash[n] = '\0';
    } else if (p == P_REST_XML && auth->presigned) {
        strcpy(hash, "UNSIGNED-PAYLOAD");
    } else {
        codec_sha256(r->http->body.data, r->http->body.len, md);
        codec_hex(md, sizeof md, hash);
    }
    rc = sigv4_verify(sreq, auth, rt->cred.secret,
                      p == P_REST_XML ? SIGV4_PATH_S3 : SIGV4_PATH_NORMALIZED, hash,
                      (long)clock_now());
    if (rc == 0)
        return 0;
    if (rc == SIGV4_EEXPIRED)
        return svc_error(r, 403, "AccessDenied", "Request has expired");
    if (rc == SIGV4_ENOTYET)
        return svc_error(r, 403, "AccessDenied", "Request is not yet valid");
    if (p == P_JSON)
        return svc_error(r, 400, "InvalidSignatureException",
                         "The request signature we calculated does not match the signature you "
                         "provided. Check your AWS Secret Access Key and signing method. Consult "
                         "the service documentation for details.");
    return svc_error(r, 403, "SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided. Check your key and signing method.");
}

/* Records a payload check's failure on r. */
static int payload_error(svc_req_t *r, const payload_err_t *e)
{
    return svc_error(r, e->status, e->code, "%s", e->msg);
}

/* A buffered S3 body (an upload's streams through its own sink and is
 * checked there) must match everything its head declares before any
 * operation sees it: x-amz-content-sha256 (aws-chunked bodies decoded, their
 * chunk signatures verified in enforce mode), Content-MD5, x-amz-checksum-*.
 * Returns 1 when it does, else 0 with the error set. */
static int rest_body_ok(route_t *rt)
{
    svc_req_t *r = &rt->r;
    http_req_t *h = r->http;
    payload_sig_t sig;
    payload_err_t e;
    int rc;

    if (!http_body_buffered(h) || h->responded || h->body_error)
        return 1;
    memset(&sig, 0, sizeof sig);
    if (r->emu->cfg->iam_enforce && rt->prc == 0 && r->caller_secret &&
        sigv4_signing_key(r->caller_secret, rt->auth.date, rt->auth.region, rt->auth.service,
                          sig.signing_key) == 0 &&
        sigv4_scope(&rt->auth, sig.scope, sizeof sig.scope) == 0) {
        sig.verify = 1;
        str_copy(sig.amz_date, sizeof sig.amz_date, rt->auth.amz_date);
        str_copy(sig.seed_sig, sizeof sig.seed_sig, rt->auth.signature);
    }
    sig.object_checksum = r->op && (r->op->flags & OP_OBJECT_CHECKSUM);
    rc = payload_check_s3(h, &sig, &e);
    OPENSSL_cleanse(&sig, sizeof sig);
    if (rc == 0)
        return 1;
    payload_error(r, &e);
    return 0;
}

/* Admin endpoints other than health under --iam enforce: a request signed
 * with the account's long-term root credentials, else 403. Returns 0, or
 * -1 with the error set. */
static int admin_authenticate(route_t *rt)
{
    svc_req_t *r = &rt->r;

    r->service = "admin";
    if (r->err_code[0] || authenticate(rt) != 0) {
        r->err_status = 403;
        return -1;
    }
    if (r->caller.kind != PRINCIPAL_ROOT || r->caller.temporary)
        return svc_error(r, 403, "AccessDenied",
                         "User: %s is not authorized to use the awsemu admin endpoints: under "
                         "--iam enforce they take a request signed with the root credentials",
                         r->caller.arn);
    return 0;
}

static int reset_all(emu_t *emu)
{
    int rc;

    size_t i;

    clock_reset();
    authz_reset();
    rc = db_reset(emu->db);
    /* then each service drops what no row references any more (cached
     * key material, blobs) */
    for (i = 0; svc_registry[i]; i++)
        if (svc_registry[i]->reset)
            svc_registry[i]->reset(emu);
    return rc;
}

/* The access-log line of a finished request. */
static void log_request(svc_req_t *r)
{
    http_req_t *h = r->http;
    log_access_t e;

    memset(&e, 0, sizeof e);
    e.method = h->method;
    e.service = r->service ? r->service : "-";
    e.operation = r->operation ? r->operation : "-";
    e.status = h->status;
    e.latency_ms = (http_monotonic() - h->start) * 1000.0;
    e.request_id = r->request_id;
    e.remote = h->remote_addr;
    e.error = r->err_code[0] ? r->err_code : NULL;
    if (r->emu->cfg->iam_enforce)
        e.principal = r->caller.arn;
    e.authz = r->authz_note[0] ? r->authz_note : NULL;
    log_access(&e);
}

/* The end of a deferred request (proto_json_finish): its log line, then
 * the connection goes on (r is freed). */
static void deferred_done(svc_req_t *r)
{
    log_request(r);
    http_resume(r->http);
}

static void on_head(http_req_t *h, void *arg)
{
    router_t *router = arg;
    route_t *rt = route_new();
    svc_req_t *r;

    if (rt == NULL) {
        http_respond(h, 503, "text/plain", "out of memory\n", 14);
        return;
    }
    h->ctx = rt;
    h->ctx_free = route_free;
    r = &rt->r;
    r->emu = router->emu;
    r->http = h;
    r->operation = "-";
    r->now = clock_now();
    codec_uuid(r->request_id);
    str_copy(r->account, sizeof r->account, router->emu->cfg->account_id);
    str_copy(r->region, sizeof r->region, router->emu->cfg->region);

    rt->sreq.method = h->method;
    rt->sreq.method_len = strlen(h->method);
    rt->sreq.path = h->path;
    rt->sreq.path_len = strlen(h->path);
    rt->sreq.query = h->query;
    rt->sreq.query_len = strlen(h->query);
    rt->sreq.headers = h->head.headers;
    rt->sreq.nheaders = h->head.nheaders;
    rt->prc = sigv4_parse(&rt->sreq, &rt->auth);
    rt->crc = AUTHZ_CRED_UNKNOWN;
    rt->p = classify(rt);
    /* S3 also takes SigV2: "Authorization: AWS AK:sig" or AWSAccessKeyId,
     * Signature and Expires in the query */
    if (rt->prc != 0 && rt->p == P_REST_XML && r->def && r->def->vhost) {
        int v2rc = sigv2_parse(&rt->sreq, &rt->v2);
        if (v2rc != SIGV2_ENOAUTH) {
            rt->sigv2 = 1;
            rt->v2rc = v2rc;
        }
    }
    if (rt->prc == 0) {
        if (rt->auth.region[0])
            str_copy(r->region, sizeof r->region, rt->auth.region);
        str_copy(r->access_key, sizeof r->access_key, rt->auth.access_key);
        rt->crc = authz_credentials(r->emu, rt->auth.access_key, rt->auth.security_token, r->now,
                                    &rt->cred);
    } else if (rt->sigv2 && rt->v2rc == 0) {
        str_copy(r->access_key, sizeof r->access_key, rt->v2.access_key);
        rt->crc =
            authz_credentials(r->emu, rt->v2.access_key, rt->v2.security_token, r->now, &rt->cred);
    }
    /* with --iam off, whoever is not known signs as the account's root */
    if (rt->crc == AUTHZ_CRED_OK) {
        r->caller = rt->cred.who;
        r->caller_secret = rt->cred.secret;
        /* the root user's ARN names the partition of the signing region */
        if (r->caller.kind == PRINCIPAL_ROOT)
            authz_root_principal(r->account, r->region, &r->caller);
    } else {
        authz_root_principal(r->account, r->region, &r->caller);
    }
    /* S3 object bodies stream through a sink instead of the buffer; its
     * requests are authenticated from the head alone (the body's hash is
     * in x-amz-content-sha256, checked as the body streams) */
    if (rt->p == P_REST_XML) {
        /* a CORS preflight (OPTIONS) is never signed: S3 answers it from the
         * bucket's CORS rules alone */
        if (strcmp(h->method, "OPTIONS") != 0 &&
            (r->emu->cfg->iam_enforce || check_presign_expiry(rt) != 0)) {
            if (r->err_code[0] || authenticate(rt) != 0) {
                send_error(r, rt->p);
                log_request(r);
                return;
            }
            authz_note_key_use(r);
        }
        if (strcmp(h->method, "OPTIONS") != 0) {
            payload_err_t e;
            if (payload_check_declared(h, &e) != 0) {
                payload_error(r, &e);
                send_error(r, rt->p);
                log_request(r);
                return;
            }
        }
        if (r->def && r->def->head)
            r->def->head(r);
        else
            http_respond(h, 404, "text/plain", "no such service\n", 16);
        if (h->responded)
            log_request(r); /* answered before the body: no on_request */
    }
}

static void on_request(http_req_t *h, void *arg)
{
    route_t *rt = h->ctx;
    svc_req_t *r;

    (void)arg;
    if (rt == NULL)
        return; /* on_head answered: out of memory */
    r = &rt->r;
    if (h->body_error == HTTP_ETIMEDOUT) {
        /* the body stalled or trickled: S3's words; the JSON services'
         * front end answers 408 RequestTimeoutException (botocore retries
         * both, retries/standard.py) */
        if (rt->p == P_JSON)
            svc_error(r, 408, "RequestTimeoutException", "%s", http_timeout_message);
        else
            svc_error(r, 400, "RequestTimeout", "%s", http_timeout_message);
        send_error(r, rt->p);
        goto done;
    }
    if (rt->p == P_ADMIN) {
        if (r->emu->cfg->iam_enforce && !admin_open(h->path) && admin_authenticate(rt) != 0) {
            admin_send_error(r);
            goto done;
        }
        admin_serve(r, reset_all);
        goto done;
    }
    if (rt->p == P_QUERY)
        query_action(rt);
    if (h->body_error && rt->p != P_REST_XML) {
        svc_error(r, 413, "RequestEntityTooLarge",
                  "Your request body exceeds the maximum allowed size of %zu bytes.", h->body_cap);
        send_error(r, rt->p);
        goto done;
    }
    if ((r->emu->cfg->iam_enforce || check_presign_expiry(rt) != 0) && rt->p != P_REST_XML) {
        if (r->err_code[0] || authenticate(rt) != 0) {
            send_error(r, rt->p);
            goto done;
        }
        authz_note_key_use(r);
    }
    if (rt->p == P_JSON) {
        r->done = deferred_done;
        proto_json_serve(r, r->def ? svc_find_op(r->def, rt->opbuf, strlen(rt->opbuf)) : NULL);
        if (r->deferred && !h->responded)
            return; /* logged when it ends */
    } else if (rt->p == P_QUERY) {
        proto_query_serve(r, r->def);
        /* a changed user, key, policy or role: cached decisions are stale */
        if (h->status == 200 && (r->def->flags & SVC_AUTHZ_STATE) && r->op &&
            (r->op->flags & OP_MUTATES))
            authz_changed();
    } else if (rest_body_ok(rt)) {
        r->def->serve(r);
    } else {
        send_error(r, rt->p);
    }
done:
    log_request(r);
}

static void on_reject(const char *remote, int status, const char *why, void *arg)
{
    log_access_t e;

    (void)arg;
    memset(&e, 0, sizeof e);
    e.method = "-";
    e.service = "-";
    e.operation = "-";
    e.status = status;
    e.remote = remote;
    e.error = why;
    log_access(&e);
}

router_t *router_new(emu_t *emu)
{
    router_t *rt = calloc(1, sizeof *rt);

    if (rt)
        rt->emu = emu;
    return rt;
}

void router_free(router_t *rt)
{
    free(rt);
}

http_handler_t router_handler(router_t *rt)
{
    http_handler_t h;

    h.on_head = on_head;
    h.on_request = on_request;
    h.on_reject = on_reject;
    h.arg = rt;
    return h;
}
