/* service.h — the contract between the core and a service: the process
 * state a handler may use, the request it serves, one row per operation and
 * one registry entry per service. The router and main.c know services only
 * through svc_registry (services/registry.c); adding a service or an
 * operation touches no core file (docs/architecture.md). Modelled on
 * redis's command table and h2o's on_req handlers. */
#ifndef AWSEMU_SERVICE_H
#define AWSEMU_SERVICE_H

#include <stdint.h>

#include "emulator/config.h"
#include "emulator/http.h"
#include "storage/db.h"

struct event_base;
struct blob_store;

typedef struct {
    const config_t *cfg;
    db_t *db;
    uint8_t master_key[32];
    struct event_base *base;  /* for work that outlives a request (rotation) */
    struct blob_store *blobs; /* object bodies (S3) */
} emu_t;

/* Who made a request (authentication fills it; with --iam off an unknown
 * access key, or none, is the account's root user). */
enum principal_kind {
    PRINCIPAL_ROOT = 0,
    PRINCIPAL_USER,         /* an IAM user's access key */
    PRINCIPAL_ROLE_SESSION, /* STS AssumeRole credentials */
    PRINCIPAL_USER_SESSION, /* STS GetSessionToken credentials of a user */
    PRINCIPAL_FEDERATED,    /* STS GetFederationToken credentials */
    PRINCIPAL_ANONYMOUS     /* an unsigned S3 request (--iam enforce) */
};

typedef struct {
    enum principal_kind kind;
    char arn[512];          /* arn:aws:iam::A:root | user/path/name |
                               arn:aws:sts::A:assumed-role/R/S |
                               arn:aws:sts::A:federated-user/N */
    char user_id[256];      /* A | AIDA... | AROA...:S | A:N */
    char name[128];         /* user name, or role name for role sessions;
                               federated users: the IAM user who asked ("" root) */
    char session_name[128]; /* role sessions; federated users: N */
    char role_arn[512];     /* role sessions: the role's ARN (with path) */
    int temporary;          /* STS credentials: session policies may apply */
} principal_t;

struct svc_def;
struct svc_op;
struct cJSON;
struct qform;
struct buf;

typedef struct svc_req {
    emu_t *emu;
    http_req_t *http;
    const struct svc_def *def; /* the service serving it (NULL: admin, unknown) */
    const struct svc_op *op;   /* its operation's row, once known */
    const char *service;       /* "kms", "secretsmanager", "s3", "iam", "sts" */
    const char *operation;     /* as the protocol names it, or "-" */
    char account[13];
    char region[64];
    char request_id[37];
    char access_key[129];
    principal_t caller;
    const char *caller_secret; /* the caller's secret access key, or NULL when
                                  unknown (chunk signatures chain from it) */
    char authz_note[8192];     /* the authorization decision, for the access log (with the
                                  encoded message of a denial) */
    double now;                /* the emulator clock at the start of the request */
    void *svc_ctx;             /* a service's per-request state (S3 uploads) */
    const void *input;         /* JSON services: the request's cJSON object */
    void (*svc_ctx_free)(void *ctx);
    /* A handler that answers later (svc_defer): the protocol keeps the
     * request's input and output until the service calls its finish
     * (proto_json_finish), which answers, then the router's done (the
     * access log, the connection going on). */
    int deferred;
    void *pending_in, *pending_out;
    void (*done)(struct svc_req *r);

    /* set by svc_error */
    int err_status;
    char err_code[64];
    char err_msg[1024];
} svc_req_t;

/* ---- operations ----------------------------------------------------------
 *
 * One row per operation of a service's model (botocore's service-2.json),
 * sorted by name; scripts/check-coverage.py fails `make test` when a model
 * operation has no row. */

/* Row flags. */
enum {
    OP_MUTATES = 1 << 0,      /* changes state: for a service with
                                 SVC_AUTHZ_STATE a success drops cached
                                 credentials and policies */
    OP_STREAMS = 1 << 1,      /* the body streams through the service's sink
                                 (checked there), never buffered whole */
    OP_KEY_MATERIAL = 1 << 2, /* reads or uses key material */
    OP_UNSUPPORTED = 1 << 3,  /* answered as AWS answers an account without
                                 the feature: err_status, err_code, err_msg */
    OP_AUTHZ_SELF = 1 << 4,   /* the handler authorizes (through authz_check)
                                 once it has looked the resource up */
    OP_NO_AUTHZ = 1 << 5,     /* no IAM action applies (STS
                                 GetCallerIdentity, S3 CORS preflight) */
    OP_UNSIGNED = 1 << 6,     /* AWS takes the call unsigned, enforce mode
                                 too (STS AssumeRoleWithWebIdentity and
                                 AssumeRoleWithSAML: the token is the proof) */
    OP_OBJECT_CHECKSUM = 1 << 7, /* x-amz-checksum-* is the value of the object
                                    the request makes (S3
                                    CompleteMultipartUpload), not of its body:
                                    the handler checks it */
};

/* Handlers, typed by protocol: JSON 1.1 reads `in` and fills `out`; Query
 * reads the decoded form and appends the inner XML of <OpResult>; REST
 * reads r->http and sends its own response. Each returns 0 or
 * svc_error(...). */
typedef int (*svc_json_fn)(svc_req_t *r, const struct cJSON *in, struct cJSON *out);
typedef int (*svc_query_fn)(svc_req_t *r, const struct qform *in, struct buf *out);
typedef int (*svc_rest_fn)(svc_req_t *r);

struct authz;

typedef struct svc_op {
    const char *name; /* "Encrypt", as the model names it */
    union {
        svc_json_fn json;
        svc_query_fn query;
        svc_rest_fn rest;
    } fn;
    const char *action; /* the IAM action ("kms:Encrypt"), NULL: OP_NO_AUTHZ */
    /* The resource action applies to, for the router's one authorization
     * call: fills a (resource ARN, resource policy, condition keys) from the
     * request `in` (the protocol's input: cJSON object, qform_t) and
     * returns 0, or svc_error (NotFound...). NULL: resource "*". */
    int (*resource)(svc_req_t *r, const void *in, struct authz *a);
    unsigned flags;
    int err_status; /* OP_UNSUPPORTED: AWS's answer */
    const char *err_code;
    const char *err_msg;
} svc_op_t;

/* Rows are written with these (name, protocol member json/query/rest,
 * handler, action, resource function, flags):
 *     SVC_OP("Encrypt", json, kms_op_encrypt, "kms:Encrypt", kms_key_resource,
 *            OP_KEY_MATERIAL),
 *     SVC_UNSUPPORTED("X", "svc:X", 400, "UnsupportedOperationException", "...") */
#define SVC_OP(name, proto, handler, action, resource, flags)                                      \
    {                                                                                              \
        name, {.proto = handler}, action, resource, flags, 0, NULL, NULL                           \
    }
#define SVC_UNSUPPORTED(name, action, status, code, msg)                                           \
    {                                                                                              \
        name, {NULL}, action, NULL, OP_UNSUPPORTED, status, code, msg                              \
    }

/* ---- services -------------------------------------------------------------- */

enum svc_proto {
    SVC_JSON,     /* AWS JSON 1.1: POST with X-Amz-Target: <target>.<Op> */
    SVC_QUERY,    /* AWS Query: Action=<Op> in the form or query string of / */
    SVC_REST_XML, /* REST-XML: everything else (S3) */
};

/* Service flags. */
enum {
    SVC_AUTHZ_STATE = 1 << 0, /* its state is identities and policies (IAM):
                                 an OP_MUTATES success invalidates caches */
};

typedef struct svc_def {
    const char *name;                 /* "kms": logs, IAM action prefix */
    const char *const *signing_names; /* SigV4 scope names, NULL-ended */
    enum svc_proto proto;
    const char *target;          /* JSON: X-Amz-Target prefix */
    const char *version, *xmlns; /* Query: API version, namespace */
    const svc_op_t *ops;         /* sorted by name */
    size_t nops;
    unsigned flags;
    /* Life cycle, each optional: init after the store opens (0, or -1 with
     * err), reset after every row was wiped, tick about once a second,
     * shutdown before the store closes (also after a failed init). */
    int (*init)(emu_t *emu, char *err, size_t errlen);
    void (*reset)(emu_t *emu);
    void (*tick)(emu_t *emu);
    void (*shutdown)(emu_t *emu);
    /* REST services: head resolves the operation from the request head
     * (and may install a body sink or answer early); serve runs it once
     * the body is in and the request authenticated. */
    void (*head)(svc_req_t *r);
    void (*serve)(svc_req_t *r);
    /* SigV2's canonical resource: the bucket a virtual-hosted Host names
     * (1 with it in out[n]), or NULL when the service takes no SigV2. */
    int (*vhost)(const char *host, char *out, size_t n);
    /* GET /_awsemu/inspect/<name>/<rest>: what the store holds, as JSON
     * without secrets; NULL: nothing to inspect. */
    void (*inspect)(svc_req_t *r, const char *rest);
} svc_def_t;

/* Every service, NULL-ended (services/registry.c). */
extern const svc_def_t *const svc_registry[];

/* The row named name[0..len) of def, or NULL (binary search). */
const svc_op_t *svc_find_op(const svc_def_t *def, const char *name, size_t len);
/* The service named name ("kms"), or NULL. */
const svc_def_t *svc_find(const char *name);

/* A handler's return when it answers later: svc_defer(r) marks r and
 * returns it; the service then calls the protocol's finish on the loop's
 * thread (JSON: proto_json_finish). Only for JSON rows. */
#define SVC_DEFERRED 1
int svc_defer(svc_req_t *r);

/* r->op's answer when it is OP_UNSUPPORTED: -1 with its error set; else 0. */
int svc_unsupported(svc_req_t *r);

/* Records an AWS error on r (status, code, printf-style message) and
 * returns -1, so handlers can `return svc_error(...)`. */
int svc_error(svc_req_t *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
