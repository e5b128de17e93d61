/* config.c — flags and their environment twins. */
#include "emulator/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum opt_kind {
    OPT_STR,
    OPT_PORT,
    OPT_BOOL,
    OPT_IAM,
    OPT_LOG,
    OPT_ONOFF,
    OPT_ACCOUNT,
    OPT_INT,
    OPT_LAMBDA,
    OPT_CONNS,
    OPT_RATE,
    OPT_OIDC
};

typedef struct {
    const char *flag;
    const char *env;
    enum opt_kind kind;
    size_t off;
    size_t size;
    const char *help;
} opt_t;

#define F(field) offsetof(config_t, field), sizeof(((config_t *)0)->field)

static const opt_t opts[] = {
    {"--host", "AWSEMU_HOST", OPT_STR, F(host), "address to listen on (127.0.0.1)"},
    {"--port", "AWSEMU_PORT", OPT_PORT, F(port), "TCP port (4566)"},
    {"--data-dir", "AWSEMU_DATA_DIR", OPT_STR, F(data_dir),
     "state directory: SQLite store, master key, blobs (./data)"},
    {"--ephemeral", "AWSEMU_EPHEMERAL", OPT_BOOL, F(ephemeral),
     "keep everything in memory; nothing is written to disk"},
    {"--account-id", "AWSEMU_ACCOUNT_ID", OPT_ACCOUNT, F(account_id),
     "12-digit AWS account id (000000000000)"},
    {"--region", "AWSEMU_REGION", OPT_STR, F(region),
     "default region when a request names none (us-east-1)"},
    {"--iam", "AWSEMU_IAM", OPT_IAM, F(iam_enforce),
     "off | enforce: verify signatures and authorize requests (off)"},
    {"--log-format", "AWSEMU_LOG_FORMAT", OPT_LOG, F(log_json),
     "text | json access-log lines on stdout (text)"},
    {"--fsync", "AWSEMU_FSYNC", OPT_ONOFF, F(fsync),
     "on | off: fsync every write so it survives power loss (off)"},
    {"--access-key", "AWSEMU_ACCESS_KEY", OPT_STR, F(access_key),
     "root access key id checked in enforce mode (test)"},
    {"--secret-key", "AWSEMU_SECRET_KEY", OPT_STR, F(secret_key), "root secret access key (test)"},
    {"--idle-timeout", "AWSEMU_IDLE_TIMEOUT", OPT_INT, F(idle_timeout),
     "seconds before an idle or stalled connection is closed (60)"},
    {"--max-connections", "AWSEMU_MAX_CONNECTIONS", OPT_CONNS, F(max_connections),
     "connections open at once; the longest-idle one is closed to admit another (default: from "
     "ulimit -n, (n - 64) / 2)"},
    {"--min-rate", "AWSEMU_MIN_RATE", OPT_RATE, F(min_rate),
     "bytes/s a request body must average after --idle-timeout seconds, else RequestTimeout; 0: "
     "off (500)"},
    {"--lambda-endpoint", "AWSEMU_LAMBDA_ENDPOINTS", OPT_LAMBDA, F(nlambda),
     "NAME=URL: a local HTTP handler that receives Lambda NAME's invocations (repeatable; env: "
     "comma-separated)"},
    {"--oidc-jwks", "AWSEMU_OIDC_JWKS", OPT_OIDC, F(noidc),
     "ISSUER=FILE: the JWK Set that verifies web identity tokens of OIDC issuer ISSUER "
     "(repeatable; env: comma-separated)"},
    {"--s3-legacy-defaults", "AWSEMU_S3_LEGACY_DEFAULTS", OPT_BOOL, F(s3_legacy_defaults),
     "new S3 buckets get the pre-April-2023 defaults: ObjectWriter ownership (ACLs on), no public "
     "access block"},
};

void config_defaults(config_t *c)
{
    memset(c, 0, offsetof(config_t, lambda)); /* not the tables: config.h */
    strcpy(c->host, "127.0.0.1");
    c->port = 4566;
    strcpy(c->data_dir, "./data");
    strcpy(c->account_id, "000000000000");
    strcpy(c->region, "us-east-1");
    strcpy(c->access_key, "test");
    strcpy(c->secret_key, "test");
    c->max_body = 16u << 20;
    c->max_head = 64u << 10;
    c->idle_timeout = 60;
    c->min_rate = 500;
}

int config_max_connections(long long nofile)
{
    long long n = (nofile - 64) / 2;

    if (n > 1000000)
        n = 1000000;
    return n < 1 ? 1 : (int)n;
}

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: awsemu [options]\n\n"
               "A local, offline AWS emulator: KMS, Secrets Manager, S3, IAM and STS\n"
               "on one port, state in SQLite, data sealed with AES-256-GCM.\n\n"
               "options (each has an environment twin; the flag wins):\n");
    for (i = 0; i < sizeof opts / sizeof opts[0]; i++)
        fprintf(f, "  %-17s %-22s %s\n", opts[i].flag, opts[i].env, opts[i].help);
    fprintf(f, "  %-17s %-22s %s\n", "--help", "", "print this help and exit");
    fprintf(f, "  %-17s %-22s %s\n", "--version", "", "print the version and exit");
    fprintf(f, "  %-17s %-22s %s\n", "--list-operations", "",
            "print every operation row of every service and exit");
    fprintf(f, "  %-40s %s\n  %-40s %s\n", "--health-check[=PID] [options]",
            "probe the awsemu these options and the environment describe (with PID:",
            "", "after the flags PID was started with) on /_awsemu/health; exit 0 or 1");
}

/* The next NAME=VALUE of the comma-separated list at *p, moving *p past
 * it; an empty VALUE only when empty_ok. 1 for a pair, 0 at the end, -1
 * when malformed. */
static int next_pair(const char **p, int empty_ok, const char **name, size_t *nl,
                     const char **v, size_t *vl)
{
    const char *comma, *eq;
    size_t len;

    if (**p == '\0')
        return 0;
    comma = strchr(*p, ',');
    eq = strchr(*p, '=');
    len = comma ? (size_t)(comma - *p) : strlen(*p);
    if (eq == NULL || eq > *p + len || eq == *p || (!empty_ok && eq + 1 == *p + len))
        return -1;
    *name = *p;
    *nl = (size_t)(eq - *p);
    *v = eq + 1;
    *vl = len - *nl - 1;
    *p += len;
    if (**p == ',')
        (*p)++;
    return 1;
}

static void copy_field(char *dst, const char *src, size_t n)
{
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ISSUER=FILE[,ISSUER=FILE...]: appends to c->oidc; 0 or -1 (printed). */
static int add_oidc(config_t *c, const char *value, const char *src, FILE *err)
{
    const char *p = value, *name, *v;
    size_t nl, vl;
    int rc;

    while ((rc = next_pair(&p, 0, &name, &nl, &v, &vl)) == 1) {
        if (c->noidc == (int)(sizeof c->oidc / sizeof c->oidc[0]) ||
            nl >= sizeof c->oidc[0].issuer || vl >= sizeof c->oidc[0].jwks) {
            fprintf(err, "awsemu: %s: too many issuers, or a name too long\n", src);
            return -1;
        }
        copy_field(c->oidc[c->noidc].issuer, name, nl);
        copy_field(c->oidc[c->noidc].jwks, v, vl);
        c->noidc++;
    }
    if (rc < 0)
        fprintf(err, "awsemu: %s: expected ISSUER=FILE, got '%s'\n", src, value);
    return rc;
}

/* NAME=URL[,NAME=URL...]: appends to c->lambda; 0 or -1 (printed). */
static int add_lambda(config_t *c, const char *value, const char *src, FILE *err)
{
    const char *p = value, *name, *v;
    size_t nl, vl;
    int rc;

    while ((rc = next_pair(&p, 1, &name, &nl, &v, &vl)) == 1) {
        if (c->nlambda == (int)(sizeof c->lambda / sizeof c->lambda[0]) ||
            nl >= sizeof c->lambda[0].name || vl >= sizeof c->lambda[0].url ||
            strncmp(v, "http://", 7) != 0) {
            fprintf(err, "awsemu: %s: bad or too many endpoints (NAME=http://host:port/path)\n", src);
            return -1;
        }
        copy_field(c->lambda[c->nlambda].name, name, nl);
        copy_field(c->lambda[c->nlambda].url, v, vl);
        c->nlambda++;
    }
    if (rc < 0)
        fprintf(err, "awsemu: %s: expected NAME=URL, got '%s'\n", src, value);
    return rc;
}

const char *config_oidc_jwks(const config_t *c, const char *issuer)
{
    int i;

    for (i = 0; i < c->noidc; i++)
        if (!strcmp(c->oidc[i].issuer, issuer))
            return c->oidc[i].jwks;
    return NULL;
}

/* Stores value into the option's field; returns 0 or -1 (message printed). */
static int apply(config_t *c, const opt_t *o, const char *value, const char *src, FILE *err)
{
    char *field = (char *)c + o->off;
    char *end;
    long v;
    size_t i;

    switch (o->kind) {
    case OPT_STR:
        if (strlen(value) >= o->size || value[0] == '\0') {
            fprintf(err, "awsemu: %s: value must be 1..%zu characters\n", src, o->size - 1);
            return -1;
        }
        strcpy(field, value);
        return 0;
    case OPT_ACCOUNT:
        for (i = 0; value[i]; i++)
            if (!isdigit((unsigned char)value[i]))
                break;
        if (i != 12 || value[i]) {
            fprintf(err, "awsemu: %s: an account id is 12 digits, got '%s'\n", src, value);
            return -1;
        }
        strcpy(field, value);
        return 0;
    case OPT_PORT:
    case OPT_INT:
        v = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v < (o->kind == OPT_PORT ? 0 : 1) ||
            v > (o->kind == OPT_PORT ? 65535 : 86400)) {
            fprintf(err, "awsemu: %s: invalid number '%s'\n", src, value);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    case OPT_CONNS:
    case OPT_RATE: {
        long lo = o->kind == OPT_CONNS ? 1 : 0, hi = o->kind == OPT_CONNS ? 1000000 : 1L << 30;
        errno = 0;
        v = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
            fprintf(err, "awsemu: %s: invalid number '%s' (%ld..%ld)\n", src, value, lo, hi);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    }
    case OPT_BOOL:
    case OPT_ONOFF:
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "on") || !strcmp(value, "yes")) {
            *(int *)field = 1;
        } else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "off") || !strcmp(value, "no")) {
            *(int *)field = 0;
        } else {
            fprintf(err, "awsemu: %s: expected on or off, got '%s'\n", src, value);
            return -1;
        }
        return 0;
    case OPT_IAM:
        if (!strcmp(value, "off") || !strcmp(value, "enforce")) {
            *(int *)field = !strcmp(value, "enforce");
            return 0;
        }
        fprintf(err, "awsemu: %s: expected off or enforce, got '%s'\n", src, value);
        return -1;
    case OPT_LAMBDA:
        return add_lambda(c, value, src, err);
    case OPT_OIDC:
        return add_oidc(c, value, src, err);
    case OPT_LOG:
        if (!strcmp(value, "text") || !strcmp(value, "json")) {
            *(int *)field = !strcmp(value, "json");
            return 0;
        }
        fprintf(err, "awsemu: %s: expected text or json, got '%s'\n", src, value);
        return -1;
    }
    return -1;
}

const char *config_lambda_url(const config_t *c, const char *name)
{
    int i;

    for (i = 0; i < c->nlambda; i++)
        if (!strcmp(c->lambda[i].name, name))
            return c->lambda[i].url;
    return NULL;
}

int config_parse(config_t *c, int argc, char **argv, FILE *out, FILE *err)
{
    size_t i, n = sizeof opts / sizeof opts[0];
    int a;

    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
            usage(out);
            return 1;
        }
        if (!strcmp(argv[a], "--version")) {
            fprintf(out, "awsemu %s\n", CONFIG_VERSION);
            return 1;
        }
    }
    for (i = 0; i < n; i++) {
        const char *v = getenv(opts[i].env);
        if (v && *v && apply(c, &opts[i], v, opts[i].env, err) != 0)
            return -1;
    }
    for (a = 1; a < argc; a++) {
        const char *arg = argv[a], *eq = strchr(arg, '=');
        size_t flen = eq ? (size_t)(eq - arg) : strlen(arg);
        const opt_t *o = NULL;
        const char *value;

        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(out);
            return 1;
        }
        if (!strcmp(arg, "--version")) {
            fprintf(out, "awsemu %s\n", CONFIG_VERSION);
            return 1;
        }
        for (i = 0; i < n; i++)
            if (strlen(opts[i].flag) == flen && !strncmp(opts[i].flag, arg, flen))
                o = &opts[i];
        if (o == NULL) {
            fprintf(err, "awsemu: unknown option '%s' (see awsemu --help)\n", arg);
            return -1;
        }
        if (eq) {
            value = eq + 1;
        } else if (o->kind == OPT_BOOL) {
            value = "on";
        } else if (a + 1 < argc) {
            value = argv[++a];
        } else {
            fprintf(err, "awsemu: option '%s' needs a value (see awsemu --help)\n", arg);
            return -1;
        }
        if (apply(c, o, value, o->flag, err) != 0)
            return -1;
    }
    return 0;
}
