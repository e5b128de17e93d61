/* log.h — the access log (one line per request on stdout, text or JSON) and
 * process messages on stderr. Never pass a secret, plaintext or key here. */
#ifndef AWSEMU_LOG_H
#define AWSEMU_LOG_H

typedef struct {
    const char *method;
    const char *service;   /* "kms", "s3", ... or "-" */
    const char *operation; /* "Encrypt", ... or "-" */
    int status;
    double latency_ms;
    const char *request_id;
    const char *remote;
    const char *error;     /* AWS error code or NULL */
    const char *principal; /* caller ARN (--iam enforce) or NULL */
    const char *authz;     /* the authorization decision and its statement, or NULL */
} log_access_t;

void log_init(int json);
void log_access(const log_access_t *e);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_flush(void);

#endif
