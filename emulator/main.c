/* main.c — flags and environment -> config; open the store; start the
 * server; handle signals. Nothing else lives here. */
#include <errno.h>
#include <event2/event.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "emulator/config.h"
#include "emulator/datadir.h"
#include "emulator/healthcheck.h"
#include "emulator/http.h"
#include "emulator/router.h"
#include "emulator/service.h"
#include "storage/blobs.h"
#include "storage/db.h"
#include "storage/envelope.h"

typedef struct {
    struct event_base *base;
    http_server_t *server;
    struct event *sigint, *sigterm, *flush;
} app_t;

/* Group commit: the writes of one event-loop turn commit together, once,
 * before any response of that turn is written (so each acknowledged write
 * is a committed one); then the blob files their deletes freed go. 0, or
 * -1 when the commit failed: the turn's responses are not sent. */
static int group_commit(emu_t *emu)
{
    int rc = db_group_commit(emu->db);

    if (emu->blobs)
        blob_deferred(emu->blobs, rc == 0);
    if (rc != 0)
        log_msg("group commit failed: the writes of this turn are rolled back and its "
                "responses not sent (their connections close)");
    return rc;
}

/* The before-write hook: the turn's commit, then its access-log lines (out
 * before the responses: none is lost with the process once a client has
 * its answer). */
static int before_write(void *arg)
{
    int rc = group_commit(arg);

    log_flush();
    return rc;
}

static void on_drained(void *arg)
{
    app_t *a = arg;

    event_base_loopexit(a->base, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    app_t *a = arg;

    (void)what;
    log_msg("signal %d: finishing in-flight requests, then exiting", (int)sig);
    http_server_shutdown(a->server, 10.0, on_drained, a);
}

/* Once a second: start rotations that came due (and flush what they
 * logged); make the store's disk reserve again once there is room. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    emu_t *emu = arg;
    size_t i;

    (void)fd;
    (void)what;
    group_commit(emu); /* a turn that wrote without answering */
    for (i = 0; svc_registry[i]; i++)
        if (svc_registry[i]->tick)
            svc_registry[i]->tick(emu);
    group_commit(emu);
    db_reserve_tick(emu->db);
    log_flush();
}

/* One warning when the data directory lets group or others in: what it
 * holds is sealed, but its master.key opens everything. */
static void check_data_dir_mode(const char *path)
{
    struct stat sb;

    if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0)
        log_msg("warning: data directory %s is mode %04o: group or others can reach the master "
                "key and the store; fix it with: chmod 700 %s",
                path, (unsigned)(sb.st_mode & 07777), path);
}

/* The connection cap: the flag's, else what RLIMIT_NOFILE leaves room for
 * (config_max_connections); a flag beyond that is warned about once (accepting
 * then pauses whenever descriptors run out). */
static int connection_cap(const config_t *cfg)
{
    struct rlimit rl;
    long long nofile = 1024;
    int fit;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        nofile = rl.rlim_cur == RLIM_INFINITY ? (1LL << 30) : (long long)rl.rlim_cur;
    fit = config_max_connections(nofile);
    if (cfg->max_connections == 0)
        return fit;
    if (cfg->max_connections > fit)
        log_msg("warning: --max-connections %d is more than the open-file limit (%lld) leaves "
                "room for (%d): raise it (ulimit -n) or expect accepting to pause when "
                "descriptors run out",
                cfg->max_connections, nofile, fit);
    return cfg->max_connections;
}

/* awsemu --list-operations: every row of every service, one a line:
 * "<service> <operation> <action|-> <flags>" (scripts/check-coverage.py
 * compares them with botocore's models). */
static int list_operations(void)
{
    size_t i, k;

    for (i = 0; svc_registry[i]; i++) {
        const svc_def_t *d = svc_registry[i];
        for (k = 0; k < d->nops; k++) {
            const svc_op_t *o = &d->ops[k];
            printf("%s %s %s %s%s%s%s%s%s\n", d->name, o->name, o->action ? o->action : "-",
                   o->flags & OP_UNSUPPORTED ? "unsupported:" : "handler",
                   o->flags & OP_UNSUPPORTED ? o->err_code : "",
                   o->flags & OP_MUTATES ? ",mutates" : "", o->flags & OP_STREAMS ? ",streams" : "",
                   o->flags & OP_KEY_MATERIAL ? ",key-material" : "",
                   o->flags & OP_AUTHZ_SELF ? ",authz-self" : "");
        }
    }
    return 0;
}

/* The listening server, its limits from the configuration, and group
 * commit: each turn's writes commit together before any answer is written. */
static int start_server(app_t *app, emu_t *emu, router_t *rt)
{
    const config_t *cfg = emu->cfg;
    http_handler_t h = router_handler(rt);
    http_limits_t lim;

    lim.max_head = cfg->max_head;
    lim.max_body = cfg->max_body;
    lim.idle_timeout = cfg->idle_timeout;
    lim.max_conns = connection_cap(cfg);
    lim.min_rate = cfg->min_rate;
    app->server = http_server_new(app->base, &lim, &h);
    if (app->server == NULL || http_server_listen(app->server, cfg->host, cfg->port) != 0)
        return -1;
    http_server_set_before_write(app->server, before_write, emu);
    db_set_group(emu->db, 1);
    if (emu->blobs)
        blob_defer(emu->blobs, 1);
    return 0;
}

int main(int argc, char **argv)
{
    config_t cfg;
    emu_t emu;
    app_t app;
    router_t *rt = NULL;
    char err[512], dbpath[4200];
    struct timeval second = {1, 0};
    int rc, status = 1, lock_fd = -1;
    size_t i;

    if (argc == 2 && !strcmp(argv[1], "--list-operations"))
        return list_operations();
    if ((rc = healthcheck_main(argc, argv, stdout, stderr)) >= 0)
        return rc;
    config_defaults(&cfg);
    rc = config_parse(&cfg, argc, argv, stdout, stderr);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    /* everything created from here on (master.key, the store, its WAL,
     * blobs, temp files) is the owner's alone */
    umask(077);
    signal(SIGPIPE, SIG_IGN);
    /* no openssl.cnf: awsemu configures nothing through it, and reading it
     * loads the config modules (start-up time and resident pages) */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    log_init(cfg.log_json);

    memset(&emu, 0, sizeof emu);
    memset(&app, 0, sizeof app);
    emu.cfg = &cfg;
    if (!cfg.ephemeral) {
        /* held until exit: the kernel releases it even after a crash */
        if ((lock_fd = datadir_claim(cfg.data_dir, err, sizeof err)) < 0) {
            fprintf(stderr, "awsemu: %s\n", err);
            return 1;
        }
        check_data_dir_mode(cfg.data_dir);
    }
    if (envelope_master_load(cfg.ephemeral ? NULL : cfg.data_dir, emu.master_key, err,
                             sizeof err) != 0) {
        fprintf(stderr, "awsemu: master key: %s\n", err);
        return 1;
    }
    snprintf(dbpath, sizeof dbpath, "%s/awsemu.db", cfg.data_dir);
    emu.db = db_open(cfg.ephemeral ? NULL : dbpath, cfg.fsync, err, sizeof err);
    if (emu.db == NULL) {
        fprintf(stderr, "awsemu: database: %s\n", err);
        goto out;
    }

    for (i = 0; svc_registry[i]; i++)
        if (svc_registry[i]->init && svc_registry[i]->init(&emu, err, sizeof err) != 0) {
            fprintf(stderr, "awsemu: %s: %s\n", svc_registry[i]->name, err);
            goto out;
        }
    app.base = event_base_new();
    emu.base = app.base;
    rt = router_new(&emu);
    if (app.base == NULL || rt == NULL)
        goto out;
    if (start_server(&app, &emu, rt) != 0)
        goto out;
    app.sigint = evsignal_new(app.base, SIGINT, on_signal, &app);
    app.sigterm = evsignal_new(app.base, SIGTERM, on_signal, &app);
    app.flush = event_new(app.base, -1, EV_PERSIST, on_tick, &emu);
    evsignal_add(app.sigint, NULL);
    evsignal_add(app.sigterm, NULL);
    evtimer_add(app.flush, &second);
    log_msg("awsemu %s listening on %s:%d (%s, iam %s, account %s, region %s)", CONFIG_VERSION,
            cfg.host, http_server_port(app.server), cfg.ephemeral ? "ephemeral" : cfg.data_dir,
            cfg.iam_enforce ? "enforce" : "off", cfg.account_id, cfg.region);
    /* start-up (migrations, the blob sweep) leaves pages the idle server
     * never needs: hand them back before serving */
    sqlite3_db_release_memory(db_handle(emu.db));
    malloc_trim(0);
    /* ... and then keep what requests free: with glibc's defaults a
     * request's ~23 KiB of state could land at the top of the heap, be
     * trimmed when freed and faulted in again by the next request (five
     * page faults a request, a quarter of the throughput, whenever the
     * heap happened to be laid out so). Fixed thresholds also end glibc's
     * moving mmap threshold. */
    mallopt(M_TRIM_THRESHOLD, 8 << 20);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    event_base_dispatch(app.base);
    log_msg("stopped");
    status = 0;
out:
    log_flush();
    if (app.sigint)
        event_free(app.sigint);
    if (app.sigterm)
        event_free(app.sigterm);
    if (app.flush)
        event_free(app.flush);
    http_server_free(app.server);
    router_free(rt);
    if (emu.db)
        group_commit(&emu);
    for (i = 0; svc_registry[i]; i++)
        if (svc_registry[i]->shutdown)
            svc_registry[i]->shutdown(&emu);
    db_close(emu.db);
    if (lock_fd >= 0)
        close(lock_fd);  /* the data dir is free once the store is closed */
    if (app.base)
        event_base_free(app.base);
    OPENSSL_cleanse(emu.master_key, sizeof emu.master_key);
    return status;
}
