/* test_blobs.c — unit tests for blobs: write/commit/read back (with and
 * without fsync), the on-disk layout and modes, abort and failed commits
 * leave nothing, delete, ids refused before they become paths, the start-up
 * sweep (orphans and temps go, known blobs and foreign files stay, a failing
 * known() removes nothing more), a body committed before kill -9 survives,
 * ephemeral stores leave nothing behind. */
#include "storage/blobs.h"
#include "base/codec.h"
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[64];  /* a fresh directory per run */
static char data[128]; /* root/data: the data directory */

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

/* Removes path and everything under it. */
static void rm_rf(const char *path)
{
    char sub[1024];
    struct dirent *e;
    DIR *d = opendir(path);

    if (d == NULL) {
        unlink(path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        rm_rf(sub);
    }
    closedir(d);
    rmdir(path);
}

/* Counts regular files under path (recursively). */
static int count_files(const char *path)
{
    char sub[1024];
    struct dirent *e;
    struct stat sb;
    DIR *d = opendir(path);
    int n = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (lstat(sub, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            n += count_files(sub);
        else
            n++;
    }
    closedir(d);
    return n;
}

static int count_entries(const char *path)
{
    struct dirent *e;
    DIR *d = opendir(path);
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int mode_of(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0 ? (int)(sb.st_mode & (S_IFMT | 07777)) : -1;
}

static void blob_file(char *out, size_t n, const char *id)
{
    snprintf(out, n, "%s/blobs/%.2s/%s", data, id, id);
}

/* Writes p (n bytes) as a new blob in chunks of chunk bytes; id gets its id.
 * Returns blob_commit's result. */
static int put(blob_store_t *bs, const uint8_t *p, size_t n, size_t chunk, char id[37])
{
    blob_writer_t *w = blob_begin(bs);
    size_t off, c;

    if (w == NULL)
        return -100;
    for (off = 0; off < n; off += c) {
        c = n - off < chunk ? n - off : chunk;
        if (blob_write(w, p + off, c) != 0) {
            blob_abort(w);
            return -101;
        }
    }
    if (blob_written(w) != n) {
        blob_abort(w);
        return -102;
    }
    return blob_commit(w, id);
}

/* Reads blob id whole and compares it with want. */
static int same_as(blob_store_t *bs, const char *id, const uint8_t *want, size_t n)
{
    uint8_t *got = malloc(n + 1);
    int fd = blob_open(bs, id), ok;
    ssize_t r;
    size_t off = 0;

    if (fd < 0) {
        free(got);
        return 0;
    }
    while ((r = read(fd, got + off, n + 1 - off)) > 0)
        off += (size_t)r;
    ok = off == n && memcmp(got, want, n) == 0 && blob_size(bs, id) == (int64_t)n;
    close(fd);
    free(got);
    return ok;
}

static void test_ids(void)
{
    char id[37];

    codec_uuid(id);
    CHECK(blob_id_valid(id));
    CHECK(blob_id_valid("00000000-0000-0000-0000-000000000000"));
    CHECK(!blob_id_valid(NULL));
    CHECK(!blob_id_valid(""));
    CHECK(!blob_id_valid("0123456789abcdef"));
    CHECK(!blob_id_valid("0000000A-0000-0000-0000-000000000000")); /* uppercase */
    CHECK(!blob_id_valid("00000000-0000-0000-0000-0000000000000"));
    CHECK(!blob_id_valid("00000000-0000-0000-0000-00000000000"));
    CHECK(!blob_id_valid("00000000_0000-0000-0000-000000000000"));
    CHECK(!blob_id_valid("../../../../../../../../../etc/passwd"));
    CHECK(!blob_id_valid("00/00000000-0000-0000-0000-00000000"));
    CHECK(!blob_id_valid("tmp/0000-0000-0000-0000-000000000000"));
}

static void test_write_read(void)
{
    static const size_t sizes[] = {0, 1, 4095, 4096, 65552, (3u << 20) + 17};
    char err[256], id[37], ids[6][37], path[512];
    size_t n = (3u << 20) + 17, i;
    uint8_t *p = malloc(n);
    blob_store_t *bs;
    int fsync_on;

    fill(p, n, 3);
    for (fsync_on = 0; fsync_on <= 1; fsync_on++) {
        err[0] = '\0';
        bs = blob_store_open(data, fsync_on, err, sizeof err);
        CHECK(bs != NULL);
        CHECK_STR(err, "");
        if (bs == NULL)
            continue;
        snprintf(path, sizeof path, "%s/blobs", data);
        CHECK(mode_of(path) == (S_IFDIR | 0700));
        snprintf(path, sizeof path, "%s/blobs/tmp", data);
        CHECK(mode_of(path) == (S_IFDIR | 0700));
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            CHECK(put(bs, p, sizes[i], 1000 + i * 33333, ids[i]) == 0);
            CHECK(blob_id_valid(ids[i]));
            CHECK(same_as(bs, ids[i], p, sizes[i]));
            blob_file(path, sizeof path, ids[i]);
            CHECK(mode_of(path) == (S_IFREG | 0600));
            snprintf(path, sizeof path, "%s/blobs/%.2s", data, ids[i]);
            CHECK(mode_of(path) == (S_IFDIR | 0700));
        }
        CHECK(strcmp(ids[0], ids[1]) != 0);
        snprintf(path, sizeof path, "%s/blobs/tmp", data);
        CHECK(count_entries(path) == 0); /* no temp left */
        blob_store_close(bs);

        /* survives a reopen; delete */
        bs = blob_store_open(data, fsync_on, err, sizeof err);
        CHECK(bs != NULL);
        if (bs == NULL)
            continue;
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            CHECK(same_as(bs, ids[i], p, sizes[i]));
            CHECK(blob_delete(bs, ids[i]) == 0);
            CHECK(blob_open(bs, ids[i]) == BLOB_ENOENT);
            CHECK(blob_size(bs, ids[i]) == BLOB_ENOENT);
            CHECK(blob_delete(bs, ids[i]) == BLOB_ENOENT);
        }
        snprintf(path, sizeof path, "%s/blobs", data);
        CHECK(count_files(path) == 0);
        blob_store_close(bs);
    }

    /* a temp file in progress is a 0600 file under blobs/tmp */
    bs = blob_store_open(data, 0, err, sizeof err);
    {
        blob_writer_t *w = blob_begin(bs);
        CHECK(w != NULL);
        CHECK(blob_write(w, "abc", 3) == 0);
        snprintf(path, sizeof path, "%s/blobs/tmp", data);
        CHECK(count_entries(path) == 1);
        CHECK(blob_commit(w, id) == 0);
        snprintf(path, sizeof path, "%s/blobs/tmp", data);
        CHECK(count_entries(path) == 0);
        CHECK(same_as(bs, id, (const uint8_t *)"abc", 3));
        CHECK(blob_delete(bs, id) == 0);
    }
    blob_store_close(bs);
    blob_store_close(NULL);
    free(p);
}

static void test_abort(void)
{
    char err[256], path[512], id[37] = "";
    blob_store_t *bs = blob_store_open(data, 1, err, sizeof err);
    blob_writer_t *w;
    uint8_t buf[10000];

    fill(buf, sizeof buf, 5);
    w = blob_begin(bs);
    CHECK(w != NULL);
    CHECK(blob_write(w, buf, sizeof buf) == 0);
    blob_abort(w);
    blob_abort(NULL);
    snprintf(path, sizeof path, "%s/blobs", data);
    CHECK(count_files(path) == 0);

    /* a failed write is sticky and the commit then fails, leaving nothing */
    w = blob_begin(bs);
    CHECK(w != NULL);
    CHECK(blob_write(w, buf, 100) == 0);
    {
        /* make the next write fail: swap the fd for a read-only one */
        int ro = open("/dev/null", O_RDONLY), wfd = -1, fd;
        for (fd = 3; fd < 1024; fd++) {
            char l[64], t[600];
            ssize_t k;
            snprintf(l, sizeof l, "/proc/self/fd/%d", fd);
            if ((k = readlink(l, t, sizeof t - 1)) > 0) {
                t[k] = '\0';
                if (strstr(t, "/blobs/tmp/") != NULL)
                    wfd = fd;
            }
        }
        CHECK(wfd >= 0);
        if (wfd >= 0 && ro >= 0) {
            CHECK(dup2(ro, wfd) == wfd);
            CHECK(blob_write(w, buf, 100) == BLOB_EIO);
            CHECK(blob_write(w, buf, 1) == BLOB_EIO);
            CHECK(blob_commit(w, id) == BLOB_EIO);
            CHECK(id[0] == '\0');
        } else {
            blob_abort(w);
        }
        if (ro >= 0)
            close(ro);
    }
    CHECK(count_files(path) == 0);
    blob_store_close(bs);
}

static void test_bad_ids(void)
{
    static const char *bad[] = {"",
                                "..",
                                "../master.key",
                                "tmp",
                                "/etc/passwd",
                                "00000000-0000-0000-0000-00000000000/",
                                "0000000A-0000-0000-0000-000000000000",
                                "00000000-0000-0000-0000-000000000000\n"};
    char err[256], path[512], victim[512];
    blob_store_t *bs = blob_store_open(data, 0, err, sizeof err);
    size_t i;
    int fd;

    /* a file a path traversal would reach */
    snprintf(victim, sizeof victim, "%s/victim", data);
    fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(blob_open(bs, bad[i]) == BLOB_EINVAL);
        CHECK(blob_size(bs, bad[i]) == BLOB_EINVAL);
        CHECK(blob_delete(bs, bad[i]) == BLOB_EINVAL);
    }
    CHECK(blob_open(bs, NULL) == BLOB_EINVAL);
    CHECK(blob_delete(bs, "../victim") == BLOB_EINVAL);
    CHECK(access(victim, F_OK) == 0);
    CHECK(unlink(victim) == 0);
    /* a well-formed id that is not there */
    CHECK(blob_open(bs, "00000000-0000-4000-8000-000000000000") == BLOB_ENOENT);
    /* a symlink planted where a blob would be is not followed */
    snprintf(path, sizeof path, "%s/blobs/ab", data);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/blobs/ab/abababab-0000-4000-8000-000000000000", data);
    CHECK(symlink("/etc/passwd", path) == 0);
    CHECK(blob_open(bs, "abababab-0000-4000-8000-000000000000") < 0);
    CHECK(unlink(path) == 0);
    blob_store_close(bs);
}

/* known(): the ids in a NULL-terminated list; "fail" in the list makes it
 * return -7. */
static int known_in(const char *id, void *arg)
{
    const char **l = arg;

    for (; *l; l++) {
        if (!strcmp(*l, "fail"))
            return -7;
        if (!strcmp(*l, id))
            return 1;
    }
    return 0;
}

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd >= 0) {
        if (write(fd, "x", 1) != 1)
            unit_failed++;
        close(fd);
    }
}

static void test_sweep(void)
{
    char err[256], a[37], b[37], c[37], d[37], path[512], tmpd[512], stray[512], foreign[512];
    blob_store_t *bs = blob_store_open(data, 0, err, sizeof err);
    blob_writer_t *w;
    const char *keep[4], *fail_list[2] = {"fail", NULL};
    int n;

    CHECK(put(bs, (const uint8_t *)"aaaa", 4, 4, a) == 0);
    CHECK(put(bs, (const uint8_t *)"bbbb", 4, 4, b) == 0);
    CHECK(put(bs, (const uint8_t *)"cccc", 4, 4, c) == 0);
    CHECK(put(bs, (const uint8_t *)"dddd", 4, 4, d) == 0);
    /* a writer that never finished (the process died) */
    w = blob_begin(bs);
    CHECK(w != NULL && blob_write(w, "partial", 7) == 0);
    snprintf(tmpd, sizeof tmpd, "%s/blobs/tmp/leftover", data);
    touch(tmpd);
    /* a failing known() stops the sweep: the temps are gone, no blob is */
    n = blob_sweep(bs, known_in, fail_list);
    CHECK(n == -7);
    CHECK(same_as(bs, a, (const uint8_t *)"aaaa", 4));
    CHECK(same_as(bs, b, (const uint8_t *)"bbbb", 4));
    CHECK(same_as(bs, c, (const uint8_t *)"cccc", 4));
    CHECK(same_as(bs, d, (const uint8_t *)"dddd", 4));
    CHECK(access(tmpd, F_OK) != 0);

    w = (blob_abort(w), blob_begin(bs)); /* another unfinished temp */
    CHECK(w != NULL);
    /* a UUID in the wrong fan-out directory (never reachable); a file that
     * is not ours */
    snprintf(stray, sizeof stray, "%s/blobs/%c%c/%s", data, a[0] == 'f' ? '0' : 'f', a[1], a);
    snprintf(path, sizeof path, "%s/blobs/%c%c", data, a[0] == 'f' ? '0' : 'f', a[1]);
    mkdir(path, 0700);
    touch(stray);
    snprintf(foreign, sizeof foreign, "%s/blobs/%.2s/README", data, b);
    touch(foreign);
    keep[0] = a;
    keep[1] = c;
    keep[2] = NULL;
    n = blob_sweep(bs, known_in, keep);
    if (n != 4)
        fprintf(stderr, "sweep removed %d\n", n);
    CHECK(n == 4); /* b, d, the stray, the temp */
    CHECK(same_as(bs, a, (const uint8_t *)"aaaa", 4));
    CHECK(same_as(bs, c, (const uint8_t *)"cccc", 4));
    CHECK(blob_open(bs, b) == BLOB_ENOENT);
    CHECK(blob_open(bs, d) == BLOB_ENOENT);
    CHECK(access(stray, F_OK) != 0);
    CHECK(access(tmpd, F_OK) != 0);
    CHECK(access(foreign, F_OK) == 0);
    snprintf(path, sizeof path, "%s/blobs/tmp", data);
    CHECK(count_entries(path) == 0);
    CHECK(blob_sweep(bs, known_in, keep) == 0); /* idempotent */
    blob_abort(w);                              /* its temp is already gone: harmless */
    CHECK(unlink(foreign) == 0);
    CHECK(blob_delete(bs, a) == 0);
    CHECK(blob_delete(bs, c) == 0);
    snprintf(path, sizeof path, "%s/blobs", data);
    CHECK(count_files(path) == 0);
    blob_store_close(bs);
}

/* A body acknowledged before kill -9 is there after a restart; the temp of
 * one in progress is swept. */
static void test_killed(void)
{
    char err[256], id[37] = "", path[512];
    int pipefd[2], status = 0;
    uint8_t body[70000];
    blob_store_t *bs;
    pid_t pid;

    fill(body, sizeof body, 9);
    CHECK(pipe(pipefd) == 0);
    pid = fork();
    if (pid == 0) {
        blob_store_t *cs = blob_store_open(data, 0, err, sizeof err);
        blob_writer_t *w;
        close(pipefd[0]);
        if (cs == NULL || put(cs, body, sizeof body, 4096, id) != 0)
            _exit(1);
        w = blob_begin(cs);
        if (w == NULL || blob_write(w, body, 1000) != 0)
            _exit(1);
        /* acknowledged; then killed from outside mid-write */
        if (write(pipefd[1], id, 37) != 37)
            _exit(1);
        for (;;)
            pause();
    }
    close(pipefd[1]);
    CHECK(pid > 0);
    CHECK(read(pipefd[0], id, 37) == 37);
    close(pipefd[0]);
    kill(pid, SIGKILL);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    bs = blob_store_open(data, 0, err, sizeof err);
    {
        const char *keep[2] = {id, NULL};
        snprintf(path, sizeof path, "%s/blobs/tmp", data);
        CHECK(count_entries(path) == 1);
        CHECK(blob_sweep(bs, known_in, keep) == 1);
        CHECK(count_entries(path) == 0);
    }
    CHECK(same_as(bs, id, body, sizeof body));
    CHECK(blob_delete(bs, id) == 0);
    blob_store_close(bs);
}

static void test_ephemeral(void)
{
    char err[256], tmp[128], id[37], saved[512] = "";
    const char *old = getenv("TMPDIR");
    blob_store_t *bs;
    blob_writer_t *w;
    uint8_t body[5000];

    snprintf(tmp, sizeof tmp, "%s/tmpdir", root);
    CHECK(mkdir(tmp, 0700) == 0);
    if (old)
        snprintf(saved, sizeof saved, "%s", old);
    setenv("TMPDIR", tmp, 1);
    fill(body, sizeof body, 1);
    bs = blob_store_open(NULL, 1, err, sizeof err);
    CHECK(bs != NULL);
    CHECK(count_entries(tmp) == 1); /* its private directory */
    CHECK(put(bs, body, sizeof body, 999, id) == 0);
    CHECK(same_as(bs, id, body, sizeof body));
    CHECK(count_files(tmp) == 1);
    w = blob_begin(bs); /* a temp still there at close */
    CHECK(w != NULL && blob_write(w, body, 10) == 0);
    blob_abort(w);
    w = blob_begin(bs);
    CHECK(count_files(tmp) == 2);
    blob_abort(w);
    blob_store_close(bs);
    CHECK(count_entries(tmp) == 0); /* nothing left behind */

    /* two ephemeral stores do not share a directory */
    {
        blob_store_t *x = blob_store_open(NULL, 0, err, sizeof err);
        blob_store_t *y = blob_store_open(NULL, 0, err, sizeof err);
        CHECK(x && y);
        CHECK(put(x, body, 10, 10, id) == 0);
        CHECK(blob_open(y, id) == BLOB_ENOENT);
        blob_store_close(x);
        blob_store_close(y);
        CHECK(count_entries(tmp) == 0);
    }
    if (old)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    CHECK(rmdir(tmp) == 0);
}

static void test_open_errors(void)
{
    char err[256] = "", path[256];

    snprintf(path, sizeof path, "%s/no/such/dir", root);
    CHECK(blob_store_open(path, 0, err, sizeof err) == NULL);
    CHECK(strstr(err, "no/such/dir") != NULL);
    /* blobs exists but is a file */
    snprintf(path, sizeof path, "%s/odd", root);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof path, "%s/odd/blobs", root);
    touch(path);
    err[0] = '\0';
    snprintf(path, sizeof path, "%s/odd", root);
    CHECK(blob_store_open(path, 0, err, sizeof err) == NULL);
    CHECK(strstr(err, "blobs") != NULL);
    rm_rf(path);
}

/* Pins: a pinned blob outlives blob_delete until its last unpin; many pins
 * at once (the table grows, entries move back when others leave) keep
 * each blob's own count. */
static void test_pins(void)
{
    enum { N = 700 };
    char err[256], (*ids)[37] = calloc(N, 37), path[512];
    uint8_t b[16];
    blob_store_t *bs = blob_store_open(data, 0, err, sizeof err);
    size_t i;
    int ok = 1;

    CHECK(bs != NULL && ids != NULL);
    if (bs == NULL || ids == NULL) {
        free(ids);
        return;
    }
    fill(b, sizeof b, 9);
    CHECK(put(bs, b, sizeof b, 16, ids[0]) == 0);
    CHECK(blob_pin(bs, ids[0]) == 0);
    CHECK(blob_pin(bs, ids[0]) == 0);
    CHECK(blob_delete(bs, ids[0]) == 0);
    CHECK(same_as(bs, ids[0], b, sizeof b)); /* still there: pinned twice */
    blob_unpin(bs, ids[0]);
    CHECK(same_as(bs, ids[0], b, sizeof b)); /* one pin left */
    blob_unpin(bs, ids[0]);
    blob_file(path, sizeof path, ids[0]);
    CHECK(access(path, F_OK) != 0); /* the last unpin deleted it */
    blob_unpin(bs, ids[0]);         /* an unpinned id: nothing happens */
    CHECK(blob_pin(bs, "not-an-id") == -1);
    /* unpinned, a delete is at once; pinned and never deleted, unpin keeps it */
    CHECK(put(bs, b, sizeof b, 16, ids[1]) == 0);
    CHECK(blob_pin(bs, ids[1]) == 0);
    blob_unpin(bs, ids[1]);
    CHECK(same_as(bs, ids[1], b, sizeof b));
    CHECK(blob_delete(bs, ids[1]) == 0);
    CHECK(!same_as(bs, ids[1], b, sizeof b));
    /* many: pin all, delete all, unpin in an order unlike the pinning */
    for (i = 0; i < N; i++)
        if (put(bs, b, sizeof b, 16, ids[i]) != 0 || blob_pin(bs, ids[i]) != 0 ||
            blob_delete(bs, ids[i]) != 0)
            ok = 0;
    for (i = 0; i < N; i++)
        if (!same_as(bs, ids[i], b, sizeof b))
            ok = 0;
    for (i = 0; i < N; i++) {
        size_t k = (i * 389) % N; /* 389 is prime to 700: every index once */
        blob_unpin(bs, ids[k]);
        blob_file(path, sizeof path, ids[k]);
        if (access(path, F_OK) == 0)
            ok = 0;
        /* a later one is still pinned and still there */
        if (i + 1 < N && !same_as(bs, ids[((i + 1) * 389) % N], b, sizeof b))
            ok = 0;
    }
    CHECK(ok);
    blob_store_close(bs);
    free(ids);
}

/* Deferred deletes (group commit): held until blob_deferred, then done
 * (committed) or forgotten (rolled back); many at once; a held pinned
 * blob still waits for its last unpin. */
static void test_deferred(void)
{
    enum { N = 300 };
    char err[256], (*ids)[37] = calloc(N, 37);
    uint8_t b[16];
    blob_store_t *bs = blob_store_open(data, 0, err, sizeof err);
    size_t i;
    int ok = 1;

    CHECK(bs != NULL && ids != NULL);
    if (bs == NULL || ids == NULL) {
        free(ids);
        return;
    }
    fill(b, sizeof b, 11);
    blob_defer(bs, 1);
    CHECK(put(bs, b, sizeof b, 16, ids[0]) == 0);
    CHECK(blob_delete(bs, ids[0]) == 0);
    CHECK(same_as(bs, ids[0], b, sizeof b)); /* held */
    blob_deferred(bs, 0);                    /* rolled back: kept */
    CHECK(same_as(bs, ids[0], b, sizeof b));
    blob_deferred(bs, 1); /* nothing held any more */
    CHECK(same_as(bs, ids[0], b, sizeof b));
    CHECK(blob_delete(bs, ids[0]) == 0);
    blob_deferred(bs, 1); /* committed: gone */
    CHECK(!same_as(bs, ids[0], b, sizeof b));
    /* still deferring after blob_deferred */
    CHECK(put(bs, b, sizeof b, 16, ids[1]) == 0);
    CHECK(blob_delete(bs, ids[1]) == 0);
    CHECK(same_as(bs, ids[1], b, sizeof b));
    /* a pinned one waits for its unpin after the commit too */
    CHECK(blob_pin(bs, ids[1]) == 0);
    blob_deferred(bs, 1);
    CHECK(same_as(bs, ids[1], b, sizeof b));
    blob_unpin(bs, ids[1]);
    CHECK(!same_as(bs, ids[1], b, sizeof b));
    /* many held at once (the list grows) */
    for (i = 0; i < N; i++)
        if (put(bs, b, sizeof b, 16, ids[i]) != 0 || blob_delete(bs, ids[i]) != 0)
            ok = 0;
    for (i = 0; i < N; i++)
        if (!same_as(bs, ids[i], b, sizeof b))
            ok = 0;
    blob_deferred(bs, 1);
    for (i = 0; i < N; i++)
        if (same_as(bs, ids[i], b, sizeof b))
            ok = 0;
    CHECK(ok);
    /* off: at once */
    blob_defer(bs, 0);
    CHECK(put(bs, b, sizeof b, 16, ids[0]) == 0);
    CHECK(blob_delete(bs, ids[0]) == 0);
    CHECK(!same_as(bs, ids[0], b, sizeof b));
    blob_store_close(bs);
    free(ids);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/test_blobs.XXXXXX");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(data, sizeof data, "%s/data", root);
    umask(022);
    test_ids();
    test_write_read();
    test_abort();
    test_bad_ids();
    test_sweep();
    test_killed();
    test_ephemeral();
    test_open_errors();
    test_pins();
    test_deferred();
    rm_rf(root);
    return unit_report("blobs");
}
