/* test_config.c — unit tests for config_parse: defaults, every flag in both
 * "--flag value" and "--flag=value" forms, environment twins (the flag wins),
 * --help / --version, and the errors (-1 with a message on err). */
#include "emulator/config.h"
#include "unit.h"

#include <stdlib.h>

static const char *const env_names[] = {
    "AWSEMU_HOST",
    "AWSEMU_PORT",
    "AWSEMU_DATA_DIR",
    "AWSEMU_EPHEMERAL",
    "AWSEMU_ACCOUNT_ID",
    "AWSEMU_REGION",
    "AWSEMU_IAM",
    "AWSEMU_LOG_FORMAT",
    "AWSEMU_FSYNC",
    "AWSEMU_ACCESS_KEY",
    "AWSEMU_SECRET_KEY",
    "AWSEMU_IDLE_TIMEOUT",
    "AWSEMU_LAMBDA_ENDPOINTS",
    "AWSEMU_MAX_CONNECTIONS",
    "AWSEMU_MIN_RATE",
    "AWSEMU_OIDC_JWKS",
    "AWSEMU_S3_LEGACY_DEFAULTS",
};

static void clear_env(void)
{
    size_t i;

    for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
}

#define MAXARGS 8

/* Runs config_parse on defaults with argv = {"awsemu", args...}; the printed
 * output and errors land in *out / *err (caller frees). */
static int run(config_t *c, const char *const *args, char **out, char **err)
{
    char *argv[MAXARGS + 2];
    size_t olen, elen;
    FILE *fo, *fe;
    int argc = 0, rc;

    argv[argc++] = "awsemu";
    while (args && argc <= MAXARGS && args[argc - 1]) {
        argv[argc] = (char *)args[argc - 1];
        argc++;
    }
    argv[argc] = NULL;
    *out = *err = NULL;
    fo = open_memstream(out, &olen);
    fe = open_memstream(err, &elen);
    config_defaults(c);
    rc = config_parse(c, argc, argv, fo, fe);
    fclose(fo);
    fclose(fe);
    return rc;
}

static void test_defaults(void)
{
    config_t c;
    char *out, *err;

    CHECK(run(&c, NULL, &out, &err) == 0);
    CHECK_STR(out, "");
    CHECK_STR(err, "");
    CHECK_STR(c.host, "127.0.0.1");
    CHECK(c.port == 4566);
    CHECK_STR(c.data_dir, "./data");
    CHECK(c.ephemeral == 0);
    CHECK_STR(c.account_id, "000000000000");
    CHECK_STR(c.region, "us-east-1");
    CHECK(c.iam_enforce == 0);
    CHECK(c.log_json == 0);
    CHECK(c.fsync == 0);
    CHECK_STR(c.access_key, "test");
    CHECK_STR(c.secret_key, "test");
    CHECK(c.max_body == 16u << 20);
    CHECK(c.max_head == 64u << 10);
    CHECK(c.idle_timeout == 60);
    CHECK(c.max_connections == 0); /* derived from RLIMIT_NOFILE at start */
    CHECK(c.min_rate == 500);
    CHECK(c.s3_legacy_defaults == 0);
    free(out);
    free(err);
}

/* All flags set, in "--flag value" form (sep 0) or "--flag=value" (sep 1). */
static void check_all_set(const config_t *c)
{
    CHECK_STR(c->host, "0.0.0.0");
    CHECK(c->port == 1234);
    CHECK_STR(c->data_dir, "/tmp/awsemu-data");
    CHECK(c->ephemeral == 1);
    CHECK_STR(c->account_id, "123456789012");
    CHECK_STR(c->region, "eu-west-3");
    CHECK(c->iam_enforce == 1);
    CHECK(c->log_json == 1);
    CHECK(c->fsync == 1);
    CHECK_STR(c->access_key, "AKIAEXAMPLE");
    CHECK_STR(c->secret_key, "s3cr3t/key+");
    CHECK(c->idle_timeout == 5);
    CHECK(c->max_connections == 77);
    CHECK(c->min_rate == 0);
}

static void test_each_flag(void)
{
    static const char *const groups[][2] = {
        {"--host", "0.0.0.0"},
        {"--port", "1234"},
        {"--data-dir", "/tmp/awsemu-data"},
        {"--account-id", "123456789012"},
        {"--region", "eu-west-3"},
        {"--iam", "enforce"},
        {"--log-format", "json"},
        {"--fsync", "on"},
        {"--access-key", "AKIAEXAMPLE"},
        {"--secret-key", "s3cr3t/key+"},
        {"--idle-timeout", "5"},
        {"--max-connections", "77"},
        {"--min-rate", "0"},
    };
    size_t ng = sizeof groups / sizeof groups[0], i;
    char *argv[2 * 13 + 3], eqs[13][64];
    size_t olen, elen;
    char *out = NULL, *err = NULL;
    FILE *fo, *fe;
    config_t c;
    int argc;

    /* "--flag value" */
    argc = 0;
    argv[argc++] = "awsemu";
    for (i = 0; i < ng; i++) {
        argv[argc++] = (char *)groups[i][0];
        argv[argc++] = (char *)groups[i][1];
    }
    argv[argc++] = "--ephemeral";
    argv[argc] = NULL;
    fo = open_memstream(&out, &olen);
    fe = open_memstream(&err, &elen);
    config_defaults(&c);
    CHECK(config_parse(&c, argc, argv, fo, fe) == 0);
    fclose(fo);
    fclose(fe);
    CHECK_STR(err, "");
    check_all_set(&c);
    free(out);
    free(err);

    /* "--flag=value" */
    argc = 0;
    argv[argc++] = "awsemu";
    argv[argc++] = "--ephemeral=yes";
    for (i = 0; i < ng; i++) {
        snprintf(eqs[i], sizeof eqs[i], "%s=%s", groups[i][0], groups[i][1]);
        argv[argc++] = eqs[i];
    }
    argv[argc] = NULL;
    fo = open_memstream(&out, &olen);
    fe = open_memstream(&err, &elen);
    config_defaults(&c);
    CHECK(config_parse(&c, argc, argv, fo, fe) == 0);
    fclose(fo);
    fclose(fe);
    CHECK_STR(err, "");
    check_all_set(&c);
    free(out);
    free(err);
}

struct ok_case {
    const char *args[MAXARGS];
    int (*check)(const config_t *c);
};

static int port_max(const config_t *c) { return c->port == 65535; }
static int port1(const config_t *c) { return c->port == 1; }
static int eph_off(const config_t *c) { return c->ephemeral == 0; }
static int eph_on(const config_t *c) { return c->ephemeral == 1; }
static int fsync_off(const config_t *c) { return c->fsync == 0; }
static int fsync_on(const config_t *c) { return c->fsync == 1; }
static int legacy_on(const config_t *c) { return c->s3_legacy_defaults == 1; }
static int legacy_off(const config_t *c) { return c->s3_legacy_defaults == 0; }
static int iam_off(const config_t *c) { return c->iam_enforce == 0; }
static int log_text(const config_t *c) { return c->log_json == 0; }
static int idle_max(const config_t *c) { return c->idle_timeout == 86400; }
static int conns_max(const config_t *c) { return c->max_connections == 1000000; }
static int conns_min(const config_t *c) { return c->max_connections == 1; }
static int rate_max(const config_t *c) { return c->min_rate == 1 << 30; }
static int last_wins(const config_t *c) { return c->port == 2 && strcmp(c->region, "b") == 0; }
static int value_with_eq(const config_t *c) { return strcmp(c->secret_key, "a=b==") == 0; }
static int region_dash(const config_t *c) { return strcmp(c->region, "--port") == 0 && c->port == 4566; }

static const struct ok_case ok_cases[] = {
    {{"--port", "65535"}, port_max},
    {{"--port=1"}, port1},
    {{"--ephemeral=off"}, eph_off},
    {{"--ephemeral=0"}, eph_off},
    {{"--ephemeral=false"}, eph_off},
    {{"--ephemeral=no"}, eph_off},
    {{"--ephemeral=true"}, eph_on},
    {{"--ephemeral=1"}, eph_on},
    {{"--fsync", "off"}, fsync_off},
    {{"--fsync", "yes"}, fsync_on},
    {{"--fsync=1"}, fsync_on},
    {{"--s3-legacy-defaults"}, legacy_on},
    {{"--s3-legacy-defaults=off"}, legacy_off},
    {{"--iam", "off"}, iam_off},
    {{"--log-format", "text"}, log_text},
    {{"--idle-timeout", "86400"}, idle_max},
    {{"--max-connections", "1000000"}, conns_max},
    {{"--max-connections=1"}, conns_min},
    {{"--min-rate", "1073741824"}, rate_max},
    {{"--port", "1", "--region", "a", "--port=2", "--region=b"}, last_wins},
    {{"--secret-key=a=b=="}, value_with_eq},
    {{"--region", "--port"}, region_dash}, /* a value may look like a flag */
};

static void test_ok_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
        config_t c;
        char *out, *err;
        int rc = run(&c, ok_cases[i].args, &out, &err);
        if (rc != 0 || !ok_cases[i].check(&c))
            fprintf(stderr, "ok case %zu (%s): rc %d, err \"%s\"\n", i, ok_cases[i].args[0], rc,
                    err);
        CHECK(rc == 0);
        CHECK(ok_cases[i].check(&c));
        CHECK_STR(err, "");
        free(out);
        free(err);
    }
}

struct bad_case {
    const char *args[MAXARGS];
    const char *msg; /* a substring of the error */
};

static const struct bad_case bad_cases[] = {
    {{"--port", "65536"}, "--port: invalid number '65536'"},
    {{"--port", "-1"}, "invalid number '-1'"},
    {{"--port", "abc"}, "invalid number 'abc'"},
    {{"--port", "80x"}, "invalid number '80x'"},
    {{"--port="}, "invalid number ''"},
    {{"--port", "99999999999999999999999"}, "invalid number"},
    {{"--idle-timeout", "0"}, "--idle-timeout: invalid number '0'"},
    {{"--idle-timeout", "86401"}, "invalid number '86401'"},
    {{"--max-connections", "0"}, "--max-connections: invalid number '0' (1..1000000)"},
    {{"--max-connections", "1000001"}, "invalid number '1000001'"},
    {{"--max-connections", "12x"}, "invalid number '12x'"},
    {{"--max-connections", "99999999999999999999"}, "invalid number"},
    {{"--min-rate", "-1"}, "--min-rate: invalid number '-1' (0..1073741824)"},
    {{"--min-rate", "1073741825"}, "invalid number '1073741825'"},
    {{"--min-rate="}, "invalid number ''"},
    {{"--account-id", "12345"}, "--account-id: an account id is 12 digits, got '12345'"},
    {{"--account-id", "1234567890123"}, "12 digits"},
    {{"--account-id", "12345678901a"}, "12 digits"},
    {{"--account-id", "-12345678901"}, "12 digits"},
    {{"--account-id="}, "12 digits"},
    {{"--iam", "on"}, "--iam: expected off or enforce, got 'on'"},
    {{"--iam=ENFORCE"}, "expected off or enforce"},
    {{"--log-format", "xml"}, "--log-format: expected text or json, got 'xml'"},
    {{"--log-format", "JSON"}, "expected text or json"},
    {{"--fsync", "maybe"}, "--fsync: expected on or off, got 'maybe'"},
    {{"--ephemeral=2"}, "--ephemeral: expected on or off, got '2'"},
    {{"--host="}, "--host: value must be 1..255 characters"},
    {{"--region", ""}, "--region: value must be 1..63 characters"},
    {{"--region",
      "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"}, /* 64 */
     "value must be 1..63 characters"},
    {{"--nope"}, "unknown option '--nope'"},
    {{"--port-number=1"}, "unknown option '--port-number=1'"},
    {{"--por", "1"}, "unknown option '--por'"},
    {{"port"}, "unknown option 'port'"},
    {{"--port"}, "option '--port' needs a value"},
    {{"--host", "h", "--region"}, "option '--region' needs a value"},
};

static void test_bad_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        config_t c;
        char *out, *err;
        int rc = run(&c, bad_cases[i].args, &out, &err);
        int found = err && strstr(err, bad_cases[i].msg) != NULL;
        if (rc != -1 || !found)
            fprintf(stderr, "bad case %zu (%s): rc %d, err \"%s\", want \"%s\"\n", i,
                    bad_cases[i].args[0], rc, err, bad_cases[i].msg);
        CHECK(rc == -1);
        CHECK(found);
        CHECK(err && strncmp(err, "awsemu: ", 8) == 0);
        CHECK_STR(out, "");
        free(out);
        free(err);
    }
}

/* string fields take up to their size - 1 characters */
static void test_str_lengths(void)
{
    char v255[256], v256[257], *out, *err;
    const char *args[3] = {"--host", NULL, NULL};
    config_t c;

    memset(v255, 'h', 255);
    v255[255] = '\0';
    memset(v256, 'h', 256);
    v256[256] = '\0';
    args[1] = v255;
    CHECK(run(&c, args, &out, &err) == 0);
    CHECK(strlen(c.host) == 255);
    free(out);
    free(err);
    args[1] = v256;
    CHECK(run(&c, args, &out, &err) == -1);
    CHECK(strstr(err, "--host: value must be 1..255 characters") != NULL);
    CHECK_STR(c.host, "127.0.0.1");
    free(out);
    free(err);
    args[0] = "--secret-key";
    CHECK(run(&c, args, &out, &err) == -1);
    CHECK(strstr(err, "--secret-key: value must be 1..128 characters") != NULL);
    free(out);
    free(err);
    v256[128] = '\0';
    CHECK(run(&c, args, &out, &err) == 0);
    CHECK(strlen(c.secret_key) == 128);
    free(out);
    free(err);
}

static void test_help_version(void)
{
    static const char *const help[] = {"--help", NULL};
    static const char *const h[] = {"-h", NULL};
    static const char *const help_late[] = {"--port", "1", "--help", "--bogus", NULL};
    static const char *const ver[] = {"--version", NULL};
    static const char *const bad_then_help[] = {"--bogus", "--help", NULL};
    config_t c;
    char *out, *err;

    CHECK(run(&c, help, &out, &err) == 1);
    CHECK(strstr(out, "usage: awsemu") != NULL);
    CHECK(strstr(out, "--port") && strstr(out, "AWSEMU_PORT"));
    CHECK(strstr(out, "--idle-timeout") && strstr(out, "AWSEMU_IDLE_TIMEOUT"));
    CHECK(strstr(out, "--max-connections") && strstr(out, "AWSEMU_MAX_CONNECTIONS"));
    CHECK(strstr(out, "--min-rate") && strstr(out, "AWSEMU_MIN_RATE"));
    CHECK_STR(err, "");
    free(out);
    free(err);

    CHECK(run(&c, h, &out, &err) == 1);
    CHECK(strstr(out, "usage: awsemu") != NULL);
    free(out);
    free(err);

    /* arguments after --help are not looked at */
    CHECK(run(&c, help_late, &out, &err) == 1);
    CHECK(strstr(out, "usage: awsemu") != NULL);
    CHECK_STR(err, "");
    free(out);
    free(err);

    CHECK(run(&c, ver, &out, &err) == 1);
    CHECK_STR(out, "awsemu " CONFIG_VERSION "\n");
    CHECK_STR(err, "");
    free(out);
    free(err);

    /* --help anywhere wins, even after a bad flag or a bad environment */
    CHECK(run(&c, bad_then_help, &out, &err) == 1);
    CHECK(strstr(out, "usage: awsemu") != NULL);
    free(out);
    free(err);
}

static void test_env(void)
{
    static const char *const none[] = {NULL};
    static const char *const port_flag[] = {"--port", "7000", "--iam=off", NULL};
    config_t c;
    char *out, *err;

    setenv("AWSEMU_HOST", "10.0.0.1", 1);
    setenv("AWSEMU_PORT", "5000", 1);
    setenv("AWSEMU_DATA_DIR", "/var/lib/awsemu", 1);
    setenv("AWSEMU_EPHEMERAL", "1", 1);
    setenv("AWSEMU_ACCOUNT_ID", "111122223333", 1);
    setenv("AWSEMU_REGION", "ap-south-1", 1);
    setenv("AWSEMU_IAM", "enforce", 1);
    setenv("AWSEMU_LOG_FORMAT", "json", 1);
    setenv("AWSEMU_FSYNC", "on", 1);
    setenv("AWSEMU_ACCESS_KEY", "envak", 1);
    setenv("AWSEMU_SECRET_KEY", "envsk", 1);
    setenv("AWSEMU_IDLE_TIMEOUT", "7", 1);
    setenv("AWSEMU_MAX_CONNECTIONS", "300", 1);
    setenv("AWSEMU_MIN_RATE", "1000", 1);
    setenv("AWSEMU_S3_LEGACY_DEFAULTS", "on", 1);
    CHECK(run(&c, none, &out, &err) == 0);
    CHECK(c.s3_legacy_defaults == 1);
    CHECK_STR(err, "");
    CHECK_STR(c.host, "10.0.0.1");
    CHECK(c.port == 5000);
    CHECK_STR(c.data_dir, "/var/lib/awsemu");
    CHECK(c.ephemeral == 1);
    CHECK_STR(c.account_id, "111122223333");
    CHECK_STR(c.region, "ap-south-1");
    CHECK(c.iam_enforce == 1);
    CHECK(c.log_json == 1);
    CHECK(c.fsync == 1);
    CHECK_STR(c.access_key, "envak");
    CHECK_STR(c.secret_key, "envsk");
    CHECK(c.idle_timeout == 7);
    CHECK(c.max_connections == 300);
    CHECK(c.min_rate == 1000);
    free(out);
    free(err);

    /* the flag wins over its twin */
    CHECK(run(&c, port_flag, &out, &err) == 0);
    CHECK(c.port == 7000);
    CHECK(c.iam_enforce == 0);
    CHECK_STR(c.host, "10.0.0.1");
    free(out);
    free(err);
    clear_env();

    /* an empty variable counts as unset */
    setenv("AWSEMU_PORT", "", 1);
    CHECK(run(&c, none, &out, &err) == 0);
    CHECK(c.port == 4566);
    free(out);
    free(err);

    /* a bad twin is an error naming the variable, even if a flag would
     * override it */
    setenv("AWSEMU_PORT", "http", 1);
    CHECK(run(&c, port_flag, &out, &err) == -1);
    CHECK(strstr(err, "AWSEMU_PORT: invalid number 'http'") != NULL);
    free(out);
    free(err);
    clear_env();

    setenv("AWSEMU_ACCOUNT_ID", "42", 1);
    CHECK(run(&c, none, &out, &err) == -1);
    CHECK(strstr(err, "AWSEMU_ACCOUNT_ID: an account id is 12 digits") != NULL);
    free(out);
    free(err);
    clear_env();

    setenv("AWSEMU_IAM", "yes", 1);
    CHECK(run(&c, none, &out, &err) == -1);
    CHECK(strstr(err, "AWSEMU_IAM: expected off or enforce") != NULL);
    free(out);
    free(err);
    clear_env();

    setenv("AWSEMU_LOG_FORMAT", "yaml", 1);
    CHECK(run(&c, none, &out, &err) == -1);
    CHECK(strstr(err, "AWSEMU_LOG_FORMAT: expected text or json") != NULL);
    free(out);
    free(err);
    clear_env();
}

/* The default connection cap: a socket and a blob file per connection,
 * 64 descriptors kept back; at least 1, at most 1000000. */
/* --oidc-jwks ISSUER=FILE: repeatable, the environment's list first, and
 * an issuer URL keeps its ':' and '/' (only the first '=' splits). */
static void test_oidc_jwks(void)
{
    static const char *const ok[] = {
        "--oidc-jwks", "https://token.actions.githubusercontent.com=/k/gh.json",
        "--oidc-jwks=https://oidc.eks.us-east-1.amazonaws.com/id/X=/k/e=ks.json", NULL};
    static const char *const bad1[] = {"--oidc-jwks", "no-equals", NULL};
    static const char *const bad2[] = {"--oidc-jwks", "https://x=", NULL};
    char *out, *err;
    config_t c;

    clear_env();
    setenv("AWSEMU_OIDC_JWKS", "https://a.example=/a.json,https://b.example=/b.json", 1);
    CHECK(run(&c, ok, &out, &err) == 0);
    CHECK_STR(err, "");
    CHECK(c.noidc == 4);
    CHECK_STR(config_oidc_jwks(&c, "https://a.example"), "/a.json");
    CHECK_STR(config_oidc_jwks(&c, "https://b.example"), "/b.json");
    CHECK_STR(config_oidc_jwks(&c, "https://token.actions.githubusercontent.com"), "/k/gh.json");
    CHECK_STR(config_oidc_jwks(&c, "https://oidc.eks.us-east-1.amazonaws.com/id/X"),
              "/k/e=ks.json");
    CHECK(config_oidc_jwks(&c, "https://c.example") == NULL);
    free(out);
    free(err);
    clear_env();
    CHECK(run(&c, bad1, &out, &err) == -1);
    CHECK(strstr(err, "ISSUER=FILE") != NULL);
    free(out);
    free(err);
    CHECK(run(&c, bad2, &out, &err) == -1);
    free(out);
    free(err);
}

static void test_max_connections(void)
{
    static const struct {
        long long nofile;
        int want;
    } cases[] = {
        {1024, 480},   {65536, 32736}, {1048576, 524256}, {128, 32},
        {66, 1},       {64, 1},        {10, 1},           {0, 1},
        {1LL << 30, 1000000},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = config_max_connections(cases[i].nofile);
        if (got != cases[i].want)
            fprintf(stderr, "nofile %lld: got %d, want %d\n", cases[i].nofile, got, cases[i].want);
        CHECK(got == cases[i].want);
    }
}

int main(void)
{
    clear_env();
    test_oidc_jwks();
    test_max_connections();
    test_defaults();
    test_each_flag();
    test_ok_cases();
    test_bad_cases();
    test_str_lengths();
    test_help_version();
    test_env();
    return unit_report("config");
}
