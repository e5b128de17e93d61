/* config.h — the process configuration: flags, each with an environment
 * twin (the flag wins). */
#ifndef AWSEMU_CONFIG_H
#define AWSEMU_CONFIG_H

#include <stdio.h>

typedef struct {
    char host[256];
    int port;
    char data_dir[4096];
    int ephemeral;
    char account_id[13];
    char region[64];
    int iam_enforce;
    int log_json;
    int fsync;
    char access_key[129];   /* the root credentials checked in enforce mode */
    char secret_key[129];
    size_t max_body;        /* cap on a buffered (non-streamed) request body */
    size_t max_head;        /* cap on a request head */
    int idle_timeout;       /* seconds */
    int max_connections;    /* 0: derived from RLIMIT_NOFILE (config_max_connections) */
    int min_rate;           /* bytes/s a request body must average; 0: off */
    int nlambda;            /* entries of lambda[] */
    int noidc;              /* entries of oidc[] */
    int s3_legacy_defaults; /* new buckets: ObjectWriter, no public access block */
    /* The tables last: config_defaults() leaves them untouched (42 KiB of
     * main's stack never faulted in unless flags fill them); only the
     * first nlambda / noidc entries are set. */
    struct {
        char name[65];      /* Lambda function name */
        char url[512];      /* local handler that gets the invoke payload */
    } lambda[32];           /* --lambda-endpoint NAME=URL, repeatable */
    struct {
        char issuer[512]; /* a token's "iss", as the IdP writes it */
        char jwks[1024];  /* the file holding its JWK Set */
    } oidc[16];           /* --oidc-jwks ISSUER=FILE, repeatable */
} config_t;

#define CONFIG_VERSION "0.1.0"

/* The defaults, no Lambda endpoints or OIDC issuers (the tables' entries
 * are left as they were: read only the first nlambda / noidc). */
void config_defaults(config_t *c);
/* Applies the environment, then argv. Returns 0 to run, 1 when --help or
 * --version was printed (exit 0), or -1 after printing an error to err
 * (exit 2). */
int config_parse(config_t *c, int argc, char **argv, FILE *out, FILE *err);

/* The default connection cap for an RLIMIT_NOFILE of nofile descriptors:
 * each connection may hold its socket and one blob file (an upload's temp
 * file or a GET's body), and 64 are kept for the store, the listener, the
 * event loop and rotation calls. At least 1. */
int config_max_connections(long long nofile);

/* The JWK Set file registered for an OIDC issuer, or NULL. */
const char *config_oidc_jwks(const config_t *c, const char *issuer);

/* The handler URL for a Lambda function name, or NULL. */
const char *config_lambda_url(const config_t *c, const char *name);

#endif
