/* db.c — SQLite store with migrations and a statement cache. */
#include "storage/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define STMT_SLOTS 512 /* open addressing; more statements than this is a bug */

struct db {
    sqlite3 *h;
    char *dir;          /* the database's directory; NULL in memory */
    char *reserve;      /* <dir>/awsemu.reserve; NULL in memory */
    int have_reserve;   /* the reserve file is in place, allocated */
    int group;          /* db_commit waits for db_group_commit */
    int outer;          /* the group's transaction is open */
    int depth;          /* db_begin savepoints open inside it */
    int lost;           /* the group's transaction ended without a COMMIT */
    int solo;           /* group mode, but this transaction commits alone */
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[STMT_SLOTS];
};

static int migrate(db_t *db, char *err, size_t errlen)
{
    int have = db_schema_version(db), i = 0, known = 0;
    char *msg = NULL;

    while (db_migrations[known])
        known++;
    if (have > known) {
        snprintf(err, errlen, "the database's schema version %d is newer than this awsemu "
                              "knows (%d): use a newer awsemu", have, known);
        return -1;
    }

    /* every pending migration in one transaction: an upgrade is all or
     * nothing, and a fresh store commits (and syncs) once */
    if (have == known)
        return 0;
    if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    i = have;
    if (have == 0 && db_schema_latest_version == known) {
        /* a fresh store: the schema the migrations leave, in one step
         * (their ALTER TABLEs each re-read the whole schema) */
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", known);
        if (sqlite3_exec(db->h, db_schema_latest, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db->h, pragma, NULL, NULL, &msg) != SQLITE_OK)
            goto fail;
        i = known;
    }
    for (; db_migrations[i]; i++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", i + 1);
        if (sqlite3_exec(db->h, db_migrations[i], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db->h, pragma, NULL, NULL, &msg) != SQLITE_OK)
            goto fail;
    }
    if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "migration %d: %s", i + 1, msg ? msg : "failed");
    sqlite3_free(msg);
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* ---- the reserve ---------------------------------------------------------- */

/* Sets db->dir and db->reserve from the database's path. 0 or -1. */
static int reserve_paths(db_t *db, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) : 1;

    if ((db->dir = malloc(dlen + 1)) == NULL ||
        (db->reserve = malloc(dlen + sizeof "/awsemu.reserve")) == NULL)
        return -1;
    if (slash == NULL)
        strcpy(db->dir, ".");
    else if (dlen == 0)
        strcpy(db->dir, "/");
    else {
        memcpy(db->dir, path, dlen);
        db->dir[dlen] = '\0';
    }
    snprintf(db->reserve, dlen + sizeof "/awsemu.reserve", "%s/awsemu.reserve", db->dir);
    return 0;
}

/* Bytes free for us where the database lives, or -1. */
static long long free_bytes(const db_t *db)
{
    struct statvfs v;

    if (statvfs(db->dir, &v) != 0)
        return -1;
    return (long long)v.f_bavail * (long long)v.f_frsize;
}

/* Makes the reserve file (or keeps one already whole). 0, or -1 with
 * nothing left behind. */
static int reserve_make(db_t *db)
{
    struct stat sb;
    int fd = open(db->reserve, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600), rc;

    if (fd < 0)
        return -1;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= DB_RESERVE_BYTES &&
        (long long)sb.st_blocks * 512 >= DB_RESERVE_BYTES) {
        close(fd);
        return 0;
    }
    /* allocated, not sparse: the blocks are ours until unlinked */
    rc = posix_fallocate(fd, 0, DB_RESERVE_BYTES);
    close(fd);
    if (rc != 0) {
        unlink(db->reserve);
        return -1;
    }
    return 0;
}

void db_reserve_use(db_t *db)
{
    long long f;

    if (db == NULL || !db->have_reserve || (f = free_bytes(db)) < 0 || f >= DB_RESERVE_LOW)
        return;
    if (unlink(db->reserve) == 0 || errno == ENOENT) {
        db->have_reserve = 0;
        fprintf(stderr, "awsemu: disk nearly full (%lld bytes free in %s): released the %d MiB "
                        "reserve so that deletes can free space\n",
                f, db->dir, DB_RESERVE_BYTES >> 20);
    }
}

void db_reserve_tick(db_t *db)
{
    long long f;

    if (db == NULL || db->reserve == NULL || db->have_reserve)
        return;
    if (access(db->reserve, F_OK) != 0 &&
        ((f = free_bytes(db)) < 0 || f < DB_RESERVE_BYTES + DB_RESERVE_SLACK))
        return;
    db->have_reserve = reserve_make(db) == 0;
}

int db_reserve_held(const db_t *db)
{
    return db != NULL && db->have_reserve;
}

/* ---- opening ---------------------------------------------------------------- */

db_t *db_open(const char *path, int fsync_full, char *err, size_t errlen)
{
    db_t *db = calloc(1, sizeof *db);
    char *msg = NULL;

    /* SQLite counts every allocation under a global mutex unless told not
     * to: some 80 lock pairs a PutObject, for statistics nothing reads.
     * Only before SQLite initialises (a later call is refused, harmlessly). */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

    if (db == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path ? path : ":memory:", &db->h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path ? path : ":memory:",
                 db->h ? sqlite3_errmsg(db->h) : "cannot open");
        goto fail;
    }
    /* synchronous before journal_mode: it also governs the switch to WAL of
     * a new file (one sync fewer at a fresh start) */
    if (sqlite3_exec(db->h, path ? "PRAGMA locking_mode=EXCLUSIVE;" : "", NULL, NULL, &msg) !=
            SQLITE_OK ||
        sqlite3_exec(db->h, fsync_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;",
                     NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db->h,
                     path ? "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                            "PRAGMA busy_timeout=1000;"
                          : "PRAGMA foreign_keys=ON;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : "pragma failed");
        sqlite3_free(msg);
        goto fail;
    }
    if (migrate(db, err, errlen) != 0)
        goto fail;
    if (path && reserve_paths(db, path) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* a reserve already in place counts at once; a new one is made by the
     * first tick, off the start-up path (allocating 4 MiB writes zeros on
     * file systems without fallocate) */
    if (db->reserve) {
        struct stat sb;
        db->have_reserve = stat(db->reserve, &sb) == 0 && S_ISREG(sb.st_mode) &&
                           sb.st_size >= DB_RESERVE_BYTES &&
                           (long long)sb.st_blocks * 512 >= DB_RESERVE_BYTES;
    }
    return db;
fail:
    db_close(db);
    return NULL;
}

void db_close(db_t *db)
{
    int i;

    if (db == NULL)
        return;
    db_group_commit(db);
    for (i = 0; i < STMT_SLOTS; i++)
        if (db->cache[i].st)
            sqlite3_finalize(db->cache[i].st);
    if (db->h)
        sqlite3_close(db->h);
    free(db->dir);
    free(db->reserve);
    free(db);
}

sqlite3 *db_handle(db_t *db)
{
    return db->h;
}

int db_schema_version(db_t *db)
{
    sqlite3_stmt *st;
    int v = -1;

    if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

sqlite3_stmt *db_stmt(db_t *db, const char *sql)
{
    size_t h = ((size_t)(uintptr_t)sql >> 3) * 2654435761u;
    size_t i, n;

    for (n = 0; n < STMT_SLOTS; n++) {
        i = (h + n) % STMT_SLOTS;
        if (db->cache[i].sql == sql) {
            sqlite3_reset(db->cache[i].st);
            sqlite3_clear_bindings(db->cache[i].st);
            return db->cache[i].st;
        }
        if (db->cache[i].sql == NULL) {
            if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &db->cache[i].st,
                                   NULL) != SQLITE_OK) {
                fprintf(stderr, "awsemu: SQL prepare failed: %s\n", sqlite3_errmsg(db->h));
                return NULL;
            }
            db->cache[i].sql = sql;
            return db->cache[i].st;
        }
    }
    fprintf(stderr, "awsemu: statement cache full\n");
    return NULL;
}

/* Binds one parameter per letter of types; 0, or -1 at the first failure. */
static int bind_all(sqlite3_stmt *st, const char *types, va_list ap)
{
    int i, rc = SQLITE_OK;

    for (i = 0; types[i] && rc == SQLITE_OK; i++) {
        switch (types[i]) {
        case 's': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(st, i + 1);
            break;
        }
        case 't': {
            const char *v = va_arg(ap, const char *);
            size_t n = va_arg(ap, size_t);
            rc = v ? db_bind_str(st, i + 1, v, n) : sqlite3_bind_null(st, i + 1);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
            break;
        case 'l':
            rc = sqlite3_bind_int64(st, i + 1, (sqlite3_int64)va_arg(ap, long long));
            break;
        case 'd':
            rc = sqlite3_bind_double(st, i + 1, va_arg(ap, double));
            break;
        case 'b': {
            const void *v = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            /* a pointer with n 0 is the empty blob, not NULL */
            rc = v ? sqlite3_bind_blob64(st, i + 1, v, (sqlite3_uint64)n, SQLITE_STATIC)
                   : sqlite3_bind_null(st, i + 1);
            break;
        }
        case 'n':
            rc = sqlite3_bind_null(st, i + 1);
            break;
        default:
            fprintf(stderr, "awsemu: db_query: unknown type '%c'\n", types[i]);
            return -1;
        }
    }
    if (rc != SQLITE_OK) {
        fprintf(stderr, "awsemu: db_query: binding parameter %d: %s\n", i, sqlite3_errstr(rc));
        return -1;
    }
    return 0;
}

sqlite3_stmt *db_vquery(db_t *db, const char *sql, const char *types, va_list ap)
{
    sqlite3_stmt *st = db_stmt(db, sql);

    if (st == NULL)
        return NULL;
    if (bind_all(st, types, ap) != 0) {
        sqlite3_clear_bindings(st); /* drop pointers into the caller's memory */
        return NULL;
    }
    return st;
}

sqlite3_stmt *db_query(db_t *db, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, types);
    st = db_vquery(db, sql, types, ap);
    va_end(ap);
    return st;
}

int db_run(db_t *db, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int rc;

    va_start(ap, types);
    st = db_vquery(db, sql, types, ap);
    va_end(ap);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int db_changes(db_t *db)
{
    return sqlite3_changes(db->h);
}

int db_row(sqlite3_stmt *st)
{
    int rc = st ? sqlite3_step(st) : SQLITE_MISUSE;

    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : -1;
}

const char *db_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return t ? (const char *)t : "";
}

void db_copy(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    size_t len = v ? (size_t)sqlite3_column_bytes(st, col) : 0;

    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, v, len);
    dst[len] = '\0';
}

char *db_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *v = sqlite3_column_text(st, col);

    return v ? strdup((const char *)v) : NULL;
}

void db_done(sqlite3_stmt *st)
{
    if (st)
        sqlite3_reset(st);
}

int db_exec(db_t *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "awsemu: SQL failed: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* In group mode: the turn's transaction, begun by its first db_begin. A
 * transaction SQLite ended by itself (an I/O error or a full disk rolls
 * back) takes the group's earlier writes with it: db_group_commit fails. */
static int group_open(db_t *db)
{
    sqlite3_stmt *st;

    if (db->outer && !sqlite3_get_autocommit(db->h))
        return 0;
    if (db->outer)
        db->lost = 1;
    st = db_stmt(db, "BEGIN IMMEDIATE");
    if (st == NULL || sqlite3_step(st) != SQLITE_DONE)
        return -1;
    db->outer = 1;
    db->depth = 0;
    return 0;
}

/* Room for a turn's writes: on a nearly full disk the commit would fail
 * for the whole turn (its connections closed unanswered) where a request
 * committing alone gets its own error, as AWS answers. In memory: always. */
static int group_room(const db_t *db)
{
    long long f;

    if (db->dir == NULL)
        return 1;
    f = free_bytes(db);
    return f < 0 || f >= DB_GROUP_MIN_FREE;
}

int db_begin(db_t *db)
{
    sqlite3_stmt *st;

    if (db->group && !db->outer && !db->solo && !group_room(db))
        db->solo = 1;
    if (!db->group || db->solo) {
        st = db_stmt(db, "BEGIN IMMEDIATE");
        return st && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    }
    if (group_open(db) != 0)
        return -1;
    st = db_stmt(db, "SAVEPOINT req");
    if (st == NULL || sqlite3_step(st) != SQLITE_DONE)
        return -1;
    db->depth++;
    return 0;
}

int db_commit(db_t *db)
{
    sqlite3_stmt *st;

    if (db->group && !db->solo && db->depth > 0) {
        /* the request's writes join the group's transaction */
        st = db_stmt(db, "RELEASE req");
        if (st && sqlite3_step(st) == SQLITE_DONE && !sqlite3_get_autocommit(db->h)) {
            db->depth--;
            return 0;
        }
        db_rollback(db);
        return -1;
    }
    st = db_stmt(db, "COMMIT");
    if (st && sqlite3_step(st) == SQLITE_DONE) {
        db->outer = 0; /* a COMMIT with no db_begin of its own ends the group's */
        db->solo = 0;
        return 0;
    }
    db_rollback(db);
    return -1;
}

void db_rollback(db_t *db)
{
    if (db->group && !db->solo) {
        /* only the request's own savepoint: the group's other writes stay */
        if (db->depth > 0 && !sqlite3_get_autocommit(db->h)) {
            sqlite3_exec(db->h, "ROLLBACK TO req; RELEASE req", NULL, NULL, NULL);
            db->depth--;
        }
        return;
    }
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    db->solo = 0;
}

int db_in_tx(const db_t *db)
{
    return db->group && !db->solo ? db->depth > 0 : !sqlite3_get_autocommit(db->h);
}

void db_set_group(db_t *db, int on)
{
    db_group_commit(db);
    db->group = on != 0;
}

int db_group_commit(db_t *db)
{
    sqlite3_stmt *st;
    int lost = db->lost;

    db->lost = 0;
    if (!db->outer)
        return lost ? -1 : 0;
    db->outer = 0;
    db->depth = 0;
    if (sqlite3_get_autocommit(db->h))
        return -1; /* SQLite rolled it back */
    st = lost ? NULL : db_stmt(db, "COMMIT"); /* lost: none of the turn's answers go */
    if (st && sqlite3_step(st) == SQLITE_DONE)
        return 0;
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int db_reset(db_t *db)
{
    sqlite3_stmt *st;
    char **names = NULL;
    size_t n = 0, i;
    int rc = 0;

    db_reserve_use(db); /* a reset frees space: it must work on a full disk */
    if (db_group_commit(db) != 0)
        return -1;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (nn == NULL)
            break;
        names = nn;
        names[n++] = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (db_exec(db, "PRAGMA foreign_keys=OFF; BEGIN IMMEDIATE") != 0)
        rc = -1;
    for (i = 0; i < n && rc == 0; i++) {
        char sql[512];
        if (names[i] == NULL)
            continue;
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", names[i]);
        rc = db_exec(db, sql);
    }
    if (rc == 0)
        rc = db_exec(db, "COMMIT");
    else
        db_rollback(db);
    db_exec(db, "PRAGMA foreign_keys=ON");
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}
