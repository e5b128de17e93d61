/* service.h — the contract between the router and a service module: the
 * process state a handler may use and the request it serves. */
#ifndef AWSEMU_SERVICE_H
#define AWSEMU_SERVICE_H

#include <stdint.h>

#include "emulator/config.h"
#include "storage/db.h"
#include "emulator/http.h"

struct event_base;
struct blob_store;

typedef struct {
    const config_t *cfg;
    db_t *db;
    uint8_t master_key[32];
    struct event_base *base;   /* for work that outlives a request (rotation) */
    struct blob_store *blobs;  /* object bodies (S3) */
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

typedef struct {
    emu_t *emu;
    http_req_t *http;
    const char *service;   /* "kms", "secretsmanager", "s3", "iam", "sts" */
    const char *operation; /* as the protocol names it, or "-" */
    char account[13];
    char region[64];
    char request_id[37];
    char access_key[129];
    principal_t caller;
    const char *caller_secret; /* the caller's secret access key, or NULL when
                                  unknown (chunk signatures chain from it) */
    char authz_note[8192];   /* the authorization decision, for the access log (with the
                                encoded message of a denial) */
    double now;            /* the emulator clock at the start of the request */
    void *svc_ctx;         /* a service's per-request state (S3 uploads) */
    const void *input;     /* JSON services: the request's cJSON object */
    void (*svc_ctx_free)(void *ctx);

    /* set by svc_error */
    int err_status;
    char err_code[64];
    char err_msg[1024];
} svc_req_t;

/* Records an AWS error on r (status, code, printf-style message) and
 * returns -1, so handlers can `return svc_error(...)`. */
int svc_error(svc_req_t *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
