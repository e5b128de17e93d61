/* test_db.c — unit tests for db: migrations on open (memory and file), the
 * schema version kept across reopen, WAL and synchronous pragmas, the
 * statement cache, transactions, db_reset and ON DELETE CASCADE, and the
 * build-time schema snapshot against the migrations it comes from. */
#include "storage/db.h"
#include "unit.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static int n_migrations(void)
{
    int n = 0;

    while (db_migrations[n])
        n++;
    return n;
}

/* The first column of the first row of sql as an int (-1: no row). */
static int q_int(db_t *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
        return -2;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* ... as text into out */
static void q_text(db_t *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static int insert_key(db_t *db, const char *id)
{
    char sql[512];

    snprintf(sql, sizeof sql,
             "INSERT INTO kms_keys (key_id, account, region, arn, key_usage, key_spec, origin, "
             "key_manager, state, created, policy, seq) VALUES ('%s', '000000000000', "
             "'us-east-1', 'arn:aws:kms:us-east-1:000000000000:key/%s', 'ENCRYPT_DECRYPT', "
             "'SYMMETRIC_DEFAULT', 'AWS_KMS', 'CUSTOMER', 'Enabled', 1700000000.0, '{}', 1)",
             id, id);
    return db_exec(db, sql);
}

static int insert_material(db_t *db, const char *id, int version)
{
    char sql[512];

    snprintf(sql, sizeof sql,
             "INSERT INTO kms_key_material (key_id, version, material_id, wrapped, created) "
             "VALUES ('%s', %d, 'm%d', x'00112233', 1700000000.0)",
             id, version, version);
    return db_exec(db, sql);
}

static void test_open_memory(void)
{
    char err[256] = "";
    db_t *db = db_open(NULL, 0, err, sizeof err);
    int n = n_migrations();

    CHECK(db != NULL);
    if (db == NULL) {
        fprintf(stderr, "db_open: %s\n", err);
        return;
    }
    CHECK(n >= 1);
    CHECK(db_schema_version(db) == n);
    CHECK(db_handle(db) != NULL);
    /* the first migration's tables exist */
    CHECK(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                    "('kms_keys','kms_key_material','kms_aliases','kms_tags','kms_grants')") ==
          5);
    CHECK(q_int(db, "PRAGMA foreign_keys") == 1);
    CHECK(q_int(db, "PRAGMA synchronous") == 1); /* NORMAL */
    db_close(db);

    db = db_open(NULL, 1, err, sizeof err);
    CHECK(db != NULL);
    if (db) {
        CHECK(q_int(db, "PRAGMA synchronous") == 2); /* FULL */
        CHECK(db_schema_version(db) == n);
    }
    db_close(db);
    db_close(NULL); /* harmless */
}

static void test_open_file(void)
{
    char path[128], err[256] = "", mode[32];
    int n = n_migrations();
    db_t *db;

    snprintf(path, sizeof path, "%s/awsemu.db", tmpdir);
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL);
    if (db == NULL) {
        fprintf(stderr, "db_open: %s\n", err);
        return;
    }
    CHECK(db_schema_version(db) == n);
    q_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    CHECK_STR(mode, "wal");
    CHECK(q_int(db, "PRAGMA foreign_keys") == 1);
    CHECK(insert_key(db, "k-persist") == 0);
    CHECK(insert_material(db, "k-persist", 1) == 0);
    db_close(db);
    CHECK(access(path, F_OK) == 0);

    /* reopen: no migration runs again, the version and the data stay */
    err[0] = '\0';
    db = db_open(path, 1, err, sizeof err);
    CHECK(db != NULL);
    if (db == NULL) {
        fprintf(stderr, "db_open (again): %s\n", err);
        return;
    }
    CHECK_STR(err, "");
    CHECK(db_schema_version(db) == n);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id='k-persist'") == 1);
    CHECK(q_int(db, "SELECT count(*) FROM kms_key_material WHERE key_id='k-persist'") == 1);
    q_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    CHECK_STR(mode, "wal");
    CHECK(q_int(db, "PRAGMA synchronous") == 2);
    db_close(db);

    /* a third time for good measure */
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL && db_schema_version(db) == n);

    /* locked exclusively: a second opener of the same file is refused while
     * the first one has it, and gets it once it is closed */
    {
        db_t *db2;
        err[0] = '\0';
        db2 = db_open(path, 0, err, sizeof err);
        CHECK(db2 == NULL);
        CHECK(err[0] != '\0');
        db_close(db2);
        db_close(db);
        db = db_open(path, 0, err, sizeof err);
        CHECK(db != NULL && db_schema_version(db) == n);
    }
    db_close(db);

    /* unopenable paths fail with a message */
    {
        char bad[160];
        snprintf(bad, sizeof bad, "%s/no/such/dir/x.db", tmpdir);
        err[0] = '\0';
        CHECK(db_open(bad, 0, err, sizeof err) == NULL);
        CHECK(err[0] != '\0');
        err[0] = '\0';
        CHECK(db_open(tmpdir, 0, err, sizeof err) == NULL); /* a directory */
        CHECK(err[0] != '\0');
    }

    /* a file that is not a database */
    {
        char junk[128];
        FILE *f;
        snprintf(junk, sizeof junk, "%s/junk.db", tmpdir);
        f = fopen(junk, "wb");
        CHECK(f != NULL);
        if (f) {
            fputs("this is not an SQLite database, just some text of enough length........"
                  "..............................................................",
                  f);
            fclose(f);
        }
        err[0] = '\0';
        CHECK(db_open(junk, 0, err, sizeof err) == NULL);
        CHECK(err[0] != '\0');
    }
}

/* Everything that defines a schema, as one text: sqlite_master's rows and
 * every table's columns (name, type, not null, default, key). */
static char *schema_text(sqlite3 *h)
{
    static const char *const sql[] = {
        "SELECT type || '|' || name || '|' || tbl_name || '|' || coalesce(sql, '') "
        "FROM sqlite_master ORDER BY type, name",
        "SELECT m.name || '|' || p.cid || '|' || p.name || '|' || p.type || '|' || p.\"notnull\" "
        "|| '|' || coalesce(p.dflt_value, '-') || '|' || p.pk FROM sqlite_master m, "
        "pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid",
        "SELECT m.name || '|' || l.name || '|' || l.\"unique\" || '|' || l.partial "
        "FROM sqlite_master m, pragma_index_list(m.name) l WHERE m.type = 'table' "
        "ORDER BY m.name, l.name"};
    size_t len = 0, i;
    char *out = calloc(1, 1);

    for (i = 0; out && i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, sql[i], -1, &st, NULL) != SQLITE_OK) {
            free(out);
            return NULL;
        }
        while (out && sqlite3_step(st) == SQLITE_ROW) {
            const char *row = (const char *)sqlite3_column_text(st, 0);
            size_t n = row ? strlen(row) : 0;
            char *p = realloc(out, len + n + 2);
            if (p == NULL) {
                free(out);
                out = NULL;
                break;
            }
            out = p;
            memcpy(out + len, row ? row : "", n);
            len += n;
            out[len++] = '\n';
            out[len] = '\0';
        }
        sqlite3_finalize(st);
    }
    return out;
}

/* Applies the first n migrations one by one, as an older awsemu did. */
static int apply_migrations(sqlite3 *h, int n)
{
    char pragma[64];
    int i;

    for (i = 0; i < n; i++)
        if (sqlite3_exec(h, db_migrations[i], NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", n);
    return sqlite3_exec(h, pragma, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* A fresh store is created from the build-time snapshot of the schema: it
 * must be exactly what replaying every migration gives, and a store left
 * at any older version must upgrade to the same. */
static void test_schema_snapshot(void)
{
    char err[256] = "", path[128];
    int n = n_migrations(), k;
    sqlite3 *h = NULL;
    char *want, *got;
    db_t *db;

    CHECK(db_schema_latest_version == n);
    CHECK(strstr(db_schema_latest, "CREATE TABLE") != NULL);
    CHECK(sqlite3_open(":memory:", &h) == SQLITE_OK);
    CHECK(apply_migrations(h, n) == 0);
    want = schema_text(h);
    sqlite3_close(h);
    CHECK(want != NULL && strlen(want) > 1000);

    db = db_open(NULL, 0, err, sizeof err);
    CHECK(db != NULL);
    got = db ? schema_text(db_handle(db)) : NULL;
    CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
    CHECK(db && db_schema_version(db) == n);
    free(got);
    db_close(db);

    /* from every older version (files, as users keep them) */
    for (k = 1; k < n; k++) {
        snprintf(path, sizeof path, "%s/v%d.db", tmpdir, k);
        CHECK(sqlite3_open(path, &h) == SQLITE_OK);
        CHECK(apply_migrations(h, k) == 0);
        sqlite3_close(h);
        db = db_open(path, 0, err, sizeof err);
        CHECK(db != NULL);
        got = db ? schema_text(db_handle(db)) : NULL;
        CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
        if (got && want && strcmp(got, want) != 0)
            fprintf(stderr, "upgrade from version %d differs from the fresh schema\n", k);
        CHECK(db && db_schema_version(db) == n);
        free(got);
        db_close(db);
    }
    free(want);
}

/* Migration 022 notes on each bucket's row which of the lifecycle and
 * notification documents it already has (an upgraded store's PutObject
 * must still find them: x-amz-expiration, notifications). */
static void test_bucket_docs_upgrade(void)
{
    char err[256] = "", path[128];
    int n = n_migrations(), k = -1, i;
    sqlite3 *h = NULL;
    db_t *db;

    for (i = 0; i < n; i++)
        if (strstr(db_migrations[i], "ADD COLUMN docs"))
            k = i;
    CHECK(k > 0);
    if (k <= 0)
        return;
    snprintf(path, sizeof path, "%s/docs.db", tmpdir);
    CHECK(sqlite3_open(path, &h) == SQLITE_OK);
    CHECK(apply_migrations(h, k) == 0);
    CHECK(sqlite3_exec(h,
                       "INSERT INTO s3_buckets (name, account, region, created) VALUES "
                       "('b-none', '000000000000', 'us-east-1', 0), "
                       "('b-life', '000000000000', 'us-east-1', 0), "
                       "('b-note', '000000000000', 'us-east-1', 0), "
                       "('b-both', '000000000000', 'us-east-1', 0);"
                       "INSERT INTO s3_bucket_configs (bucket, name, doc) VALUES "
                       "('b-none', 'cors', '<x/>'), ('b-life', 'lifecycle', '<x/>'), "
                       "('b-note', 'notification', '<x/>'), ('b-both', 'lifecycle', '<x/>'), "
                       "('b-both', 'notification', '<x/>'), ('b-both', 'cors', '<x/>');",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(h);
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(q_int(db, "SELECT docs FROM s3_buckets WHERE name='b-none'") == 0);
    CHECK(q_int(db, "SELECT docs FROM s3_buckets WHERE name='b-life'") == 1);
    CHECK(q_int(db, "SELECT docs FROM s3_buckets WHERE name='b-note'") == 2);
    CHECK(q_int(db, "SELECT docs FROM s3_buckets WHERE name='b-both'") == 3);
    db_close(db);
}

static void test_stmt_cache(void)
{
    static const char sel[] = "SELECT ?1";
    static const char keys[] = "SELECT key_id FROM kms_keys";
    char err[256];
    db_t *db = db_open(NULL, 0, err, sizeof err);
    sqlite3_stmt *a, *b, *c;

    CHECK(db != NULL);
    if (db == NULL)
        return;
    a = db_stmt(db, "SELECT count(*) FROM kms_keys");
    b = db_stmt(db, "SELECT count(*) FROM kms_keys WHERE state = ?1");
    CHECK(a != NULL && b != NULL && a != b);
    /* the same literal (same address) gives the same statement */
    CHECK(db_stmt(db, sel) == db_stmt(db, sel));
    c = db_stmt(db, sel);
    CHECK(c != NULL && c != a && c != b);

    /* handed back reset, with bindings cleared */
    CHECK(sqlite3_bind_int(c, 1, 42) == SQLITE_OK);
    CHECK(sqlite3_step(c) == SQLITE_ROW);
    CHECK(sqlite3_column_int(c, 0) == 42);
    CHECK(db_stmt(db, sel) == c);
    CHECK(sqlite3_step(c) == SQLITE_ROW);
    CHECK(sqlite3_column_type(c, 0) == SQLITE_NULL);
    CHECK(sqlite3_step(c) == SQLITE_DONE);

    /* a statement left mid-result is reset by the next db_stmt: it starts
     * again from the first row */
    CHECK(insert_key(db, "k1") == 0 && insert_key(db, "k2") == 0);
    a = db_stmt(db, keys);
    CHECK(a != NULL && sqlite3_step(a) == SQLITE_ROW);
    CHECK(db_stmt(db, keys) == a);
    CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_step(a) == SQLITE_ROW);
    CHECK(sqlite3_step(a) == SQLITE_DONE);
    CHECK(db_stmt(db, keys) == a);
    CHECK(db_exec(db, "DELETE FROM kms_keys") == 0);

    /* bad SQL: NULL, and the cache stays usable */
    CHECK(db_stmt(db, "SELEKT nonsense") == NULL);
    CHECK(db_stmt(db, "SELECT * FROM no_such_table") == NULL);
    CHECK(db_stmt(db, sel) == c);

    /* many distinct statements */
    {
        static char sqls[100][32];
        sqlite3_stmt *first[100];
        int i, ok = 1;
        for (i = 0; i < 100; i++) {
            snprintf(sqls[i], sizeof sqls[i], "SELECT %d", i);
            first[i] = db_stmt(db, sqls[i]);
            if (first[i] == NULL)
                ok = 0;
        }
        for (i = 0; i < 100 && ok; i++) {
            sqlite3_stmt *s = db_stmt(db, sqls[i]);
            if (s != first[i] || sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 0) != i)
                ok = 0;
        }
        CHECK(ok);
    }
    db_close(db); /* finalizes everything cached (valgrind checks) */
}

static void test_transactions(void)
{
    char err[256];
    db_t *db = db_open(NULL, 0, err, sizeof err);

    CHECK(db != NULL);
    if (db == NULL)
        return;

    /* commit keeps */
    CHECK(db_begin(db) == 0);
    CHECK(sqlite3_get_autocommit(db_handle(db)) == 0);
    CHECK(insert_key(db, "kc") == 0);
    CHECK(db_commit(db) == 0);
    CHECK(sqlite3_get_autocommit(db_handle(db)) != 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id='kc'") == 1);

    /* rollback drops */
    CHECK(db_begin(db) == 0);
    CHECK(insert_key(db, "kr") == 0);
    CHECK(insert_material(db, "kc", 2) == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id='kr'") == 1);
    db_rollback(db);
    CHECK(sqlite3_get_autocommit(db_handle(db)) != 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id='kr'") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_key_material") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys") == 1);

    /* rollback outside a transaction is harmless */
    db_rollback(db);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys") == 1);

    /* no nesting: a second begin fails, the first stays open */
    CHECK(db_begin(db) == 0);
    CHECK(db_begin(db) == -1);
    CHECK(sqlite3_get_autocommit(db_handle(db)) == 0);
    CHECK(insert_key(db, "kn") == 0);
    CHECK(db_commit(db) == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys") == 2);

    /* commit without a transaction fails */
    CHECK(db_commit(db) == -1);
    CHECK(sqlite3_get_autocommit(db_handle(db)) != 0);

    /* a failed statement inside a transaction, then rollback */
    CHECK(db_begin(db) == 0);
    CHECK(insert_key(db, "kx") == 0);
    CHECK(insert_key(db, "kx") == -1); /* primary key */
    db_rollback(db);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id='kx'") == 0);

    /* transactions work repeatedly (cached BEGIN/COMMIT statements) */
    {
        int i, ok = 1;
        for (i = 0; i < 50; i++) {
            char id[16];
            snprintf(id, sizeof id, "loop%d", i);
            if (db_begin(db) != 0 || insert_key(db, id) != 0)
                ok = 0;
            if (i % 2)
                db_rollback(db);
            else if (db_commit(db) != 0)
                ok = 0;
        }
        CHECK(ok);
        CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id LIKE 'loop%'") == 25);
    }

    CHECK(db_exec(db, "SELECT 1; SELECT 2") == 0);
    CHECK(db_exec(db, "NOT SQL") == -1);
    db_close(db);
}

static void test_reset(void)
{
    char err[256];
    db_t *db = db_open(NULL, 0, err, sizeof err);
    int tables_before, n = n_migrations();

    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(db_reset(db) == 0); /* empty is fine */
    CHECK(insert_key(db, "a") == 0 && insert_key(db, "b") == 0);
    CHECK(insert_material(db, "a", 1) == 0 && insert_material(db, "b", 1) == 0);
    CHECK(db_exec(db, "INSERT INTO kms_aliases VALUES ('000000000000','us-east-1','alias/a','a',1,1)") == 0);
    CHECK(db_exec(db, "INSERT INTO kms_tags VALUES ('a','k','v')") == 0);
    tables_before = q_int(db, "SELECT count(*) FROM sqlite_master");

    CHECK(db_reset(db) == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_key_material") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_aliases") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_tags") == 0);
    /* the schema, the version and the pragmas stay */
    CHECK(q_int(db, "SELECT count(*) FROM sqlite_master") == tables_before);
    CHECK(db_schema_version(db) == n);
    CHECK(q_int(db, "PRAGMA foreign_keys") == 1);
    CHECK(sqlite3_get_autocommit(db_handle(db)) != 0);
    /* usable afterwards, constraints still enforced */
    CHECK(insert_key(db, "a") == 0);
    CHECK(insert_material(db, "nope", 1) == -1);
    db_close(db);

    /* on a file database too */
    {
        char path[128];
        snprintf(path, sizeof path, "%s/reset.db", tmpdir);
        db = db_open(path, 0, err, sizeof err);
        CHECK(db != NULL);
        if (db) {
            CHECK(insert_key(db, "f") == 0);
            CHECK(db_reset(db) == 0);
            CHECK(q_int(db, "SELECT count(*) FROM kms_keys") == 0);
            CHECK(db_schema_version(db) == n);
        }
        db_close(db);
        db = db_open(path, 0, err, sizeof err);
        CHECK(db != NULL && q_int(db, "SELECT count(*) FROM kms_keys") == 0);
        db_close(db);
    }
}

static void test_cascade(void)
{
    char err[256];
    db_t *db = db_open(NULL, 0, err, sizeof err);

    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(insert_key(db, "k1") == 0);
    CHECK(insert_key(db, "k2") == 0);
    CHECK(insert_material(db, "k1", 1) == 0);
    CHECK(insert_material(db, "k1", 2) == 0);
    CHECK(insert_material(db, "k2", 1) == 0);
    CHECK(db_exec(db, "INSERT INTO kms_aliases VALUES ('000000000000','us-east-1','alias/k1','k1',1,1)") == 0);
    CHECK(db_exec(db, "INSERT INTO kms_tags VALUES ('k1','t','v')") == 0);
    CHECK(db_exec(db, "INSERT INTO kms_grants (grant_id, key_id, grantee, operations, token, "
                      "created, issuing, seq) VALUES ('g1','k1','p','[]','tok',1,'i',1)") == 0);

    CHECK(db_exec(db, "DELETE FROM kms_keys WHERE key_id='k1'") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_key_material WHERE key_id='k1'") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_aliases") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_tags") == 0);
    CHECK(q_int(db, "SELECT count(*) FROM kms_grants") == 0);
    /* the other key's material is untouched */
    CHECK(q_int(db, "SELECT count(*) FROM kms_key_material WHERE key_id='k2'") == 1);

    /* references are enforced: no material for a missing key */
    CHECK(insert_material(db, "k1", 1) == -1);
    /* duplicate (key_id, version) refused */
    CHECK(insert_material(db, "k2", 1) == -1);
    db_close(db);
}

static void rm_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char p[64 + 256 + 2];

    if (d) {
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    CHECK(rmdir(tmpdir) == 0);
}

/* The disk reserve: made by the first tick beside a file store (allocated, 0600),
 * kept by db_reserve_use while there is room, kept across a reopen; none
 * for a store in memory. (Its release on a full disk is an e2e test:
 * test_adversarial_http.FullDiskTests, which mounts a small tmpfs.) */
static void test_reserve(void)
{
    char path[128], rpath[128], err[256] = "";
    struct stat sb;
    db_t *db;

    db = db_open(NULL, 0, err, sizeof err);
    CHECK(db != NULL && !db_reserve_held(db));
    db_reserve_use(db);
    db_reserve_tick(db);
    CHECK(db != NULL && !db_reserve_held(db));
    db_close(db);

    snprintf(path, sizeof path, "%s/reserve.db", tmpdir);
    snprintf(rpath, sizeof rpath, "%s/awsemu.reserve", tmpdir);
    unlink(rpath);
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(!db_reserve_held(db) && access(rpath, F_OK) != 0); /* made by the tick */
    db_reserve_tick(db);
    CHECK(db_reserve_held(db));
    CHECK(stat(rpath, &sb) == 0);
    CHECK(S_ISREG(sb.st_mode) && (sb.st_mode & 0777) == 0600);
    CHECK(sb.st_size == DB_RESERVE_BYTES);
    CHECK((long long)sb.st_blocks * 512 >= DB_RESERVE_BYTES); /* allocated, not sparse */
    db_reserve_use(db); /* plenty free here: kept */
    CHECK(db_reserve_held(db) && access(rpath, F_OK) == 0);
    db_close(db);
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL && db_reserve_held(db));
    CHECK(stat(rpath, &sb) == 0 && sb.st_size == DB_RESERVE_BYTES);
    db_close(db);
    unlink(rpath);
}

/* db_query binds every type letter; db_row / db_text / db_done / db_run. */
static void test_query_binder(void)
{
    static const char create[] = "CREATE TABLE q (k INTEGER PRIMARY KEY, s, t, i, l, d, b, n)";
    static const char ins[] = "INSERT INTO q (k, s, t, i, l, d, b, n) VALUES (?1, ?2, ?3, ?4, ?5, "
                              "?6, ?7, ?8)";
    static const char sel[] = "SELECT typeof(s), s, typeof(t), length(CAST(t AS BLOB)), "
                              "hex(CAST(t AS BLOB)), typeof(i), i, typeof(l), l, typeof(d), d, "
                              "typeof(b), hex(b), typeof(n) FROM q WHERE k = ?1";
    static const char one[] = "SELECT ?1";
    static const char two[] = "SELECT ?1, ?2";
    static const char upd[] = "UPDATE q SET i = i + 1 WHERE k >= ?1";
    static const char bad_sql[] = "SELEKT nothing";
    static const char dup[] = "INSERT INTO q (k) VALUES (?1)";
    char err[256] = "", text[] = {'a', '\0', 'b', 'c'};
    const uint8_t blob[] = {0x00, 0xff, 0x10};
    db_t *db = db_open(NULL, 0, err, sizeof err);
    sqlite3_stmt *st;

    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(db_exec(db, create) == 0);
    CHECK(db_run(db, ins, "istildbn", 1, "plain", text, sizeof text, -7, 5000000000LL, 2.5,
                 (const void *)blob, sizeof blob) == 0);
    CHECK(db_changes(db) == 1);
    st = db_query(db, sel, "i", 1);
    CHECK(st != NULL);
    CHECK(db_row(st) == 1);
    CHECK_STR(db_text(st, 0), "text");
    CHECK_STR(db_text(st, 1), "plain");
    CHECK_STR(db_text(st, 2), "text");
    CHECK(sqlite3_column_int(st, 3) == 4); /* the U+0000 kept: bound by length */
    CHECK_STR(db_text(st, 4), "61006263");
    CHECK_STR(db_text(st, 5), "integer");
    CHECK(sqlite3_column_int(st, 6) == -7);
    CHECK_STR(db_text(st, 7), "integer");
    CHECK(sqlite3_column_int64(st, 8) == 5000000000LL);
    CHECK_STR(db_text(st, 9), "real");
    CHECK(sqlite3_column_double(st, 10) == 2.5);
    CHECK_STR(db_text(st, 11), "blob");
    CHECK_STR(db_text(st, 12), "00FF10");
    CHECK_STR(db_text(st, 13), "null");
    CHECK(db_row(st) == 0);
    db_done(st);

    /* NULL pointers bind SQL NULL; an empty blob / text stays non-NULL */
    CHECK(db_run(db, ins, "isttbbnn", 2, (const char *)NULL, (const char *)NULL, (size_t)3, "",
                 (size_t)0, (const void *)NULL, (size_t)9, (const void *)blob, (size_t)0) == 0);
    st = db_query(db, "SELECT typeof(s), typeof(t), typeof(i), length(i), typeof(l), typeof(d), "
                      "length(d), typeof(b) FROM q WHERE k = 2",
                  "");
    CHECK(st != NULL && db_row(st) == 1);
    if (st) {
        CHECK_STR(db_text(st, 0), "null");
        CHECK_STR(db_text(st, 1), "null");
        CHECK_STR(db_text(st, 2), "text"); /* 't' "" with n 0 */
        CHECK(sqlite3_column_int(st, 3) == 0);
        CHECK_STR(db_text(st, 4), "null");
        CHECK_STR(db_text(st, 5), "blob"); /* 'b' with n 0 */
        CHECK(sqlite3_column_int(st, 6) == 0);
        CHECK_STR(db_text(st, 7), "null");
    }
    db_done(st);
    st = db_query(db, one, "n");
    CHECK(st != NULL && db_row(st) == 1);
    CHECK(st && sqlite3_column_type(st, 0) == SQLITE_NULL);
    CHECK(st && sqlite3_column_text(st, 0) == NULL);
    CHECK_STR(db_text(st, 0), ""); /* NULL reads as "" */
    db_done(st);

    /* the cache: the same statement again, earlier bindings cleared */
    st = db_query(db, two, "s", "x");
    CHECK(st != NULL && db_row(st) == 1);
    CHECK_STR(db_text(st, 0), "x");
    CHECK(st && sqlite3_column_type(st, 1) == SQLITE_NULL);
    db_done(st);
    CHECK(db_query(db, two, "ss", "p", "q") == st);
    CHECK(db_row(st) == 1);
    CHECK_STR(db_text(st, 1), "q");
    db_done(st);

    /* db_changes counts what db_run changed */
    CHECK(db_run(db, upd, "i", 1) == 0);
    CHECK(db_changes(db) == 2);
    CHECK(db_run(db, upd, "i", 100) == 0);
    CHECK(db_changes(db) == 0);

    /* errors: bad SQL, an unknown letter, more letters than parameters, a
     * step that fails (primary key taken), db_row of NULL */
    CHECK(db_query(db, bad_sql, "") == NULL);
    CHECK(db_run(db, bad_sql, "") == -1);
    CHECK(db_query(db, one, "x", 1) == NULL);
    CHECK(db_query(db, one, "ss", "a", "b") == NULL);
    st = db_query(db, one, "s", "again"); /* still usable after a failed bind */
    CHECK(st != NULL && db_row(st) == 1);
    CHECK_STR(db_text(st, 0), "again");
    db_done(st);
    CHECK(db_run(db, dup, "i", 1) == -1);
    CHECK(db_run(db, dup, "i", 3) == 0);
    CHECK(db_row(NULL) == -1);
    db_done(NULL); /* harmless */
    st = db_query(db, dup, "i", 3);
    CHECK(db_row(st) == -1); /* the constraint fails at the step */
    db_done(st);
    db_close(db);
}

/* db_copy cuts to fit and gives "" for NULL; db_dup gives NULL for NULL. */
static void test_column_copies(void)
{
    static const char sel[] = "SELECT 'abcdef', NULL, ''";
    char err[256] = "", small[4], big[16];
    db_t *db = db_open(NULL, 0, err, sizeof err);
    sqlite3_stmt *st;
    char *d;

    CHECK(db != NULL);
    if (db == NULL)
        return;
    st = db_query(db, sel, "");
    CHECK(st != NULL && db_row(st) == 1);
    if (st) {
        db_copy(st, 0, small, sizeof small);
        CHECK_STR(small, "abc");
        db_copy(st, 0, big, sizeof big);
        CHECK_STR(big, "abcdef");
        strcpy(big, "x");
        db_copy(st, 1, big, sizeof big);
        CHECK_STR(big, "");
        d = db_dup(st, 0);
        CHECK(d != NULL && !strcmp(d, "abcdef"));
        free(d);
        CHECK(db_dup(st, 1) == NULL);
        d = db_dup(st, 2);
        CHECK(d != NULL && d[0] == '\0');
        free(d);
        db_done(st);
    }
    db_close(db);
}

/* Group commit: requests' transactions are savepoints in the turn's one
 * transaction; a request's rollback undoes its own writes only; nothing is
 * committed before db_group_commit; a file store keeps it after reopening. */
static void test_group_commit(void)
{
    char err[256], path[256];
    db_t *db;

    snprintf(path, sizeof path, "%s/group.db", tmpdir);
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL);
    if (db == NULL)
        return;
    db_set_group(db, 1);
    CHECK(db_group_commit(db) == 0); /* nothing open: nothing to do */
    CHECK(!db_in_tx(db));
    CHECK(db_begin(db) == 0);
    CHECK(db_in_tx(db));
    CHECK(insert_key(db, "g1") == 0);
    CHECK(db_commit(db) == 0);
    CHECK(!db_in_tx(db));
    CHECK(sqlite3_get_autocommit(db_handle(db)) == 0); /* the turn's, still open */
    CHECK(db_begin(db) == 0);
    CHECK(insert_key(db, "g2") == 0);
    db_rollback(db); /* g2 only */
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id IN ('g1','g2')") == 1);
    db_rollback(db); /* no request open: the turn's writes stay */
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id='g1'") == 1);
    CHECK(db_begin(db) == 0); /* nested, as KMS's own_tx callers do */
    CHECK(db_begin(db) == 0);
    CHECK(insert_key(db, "g3") == 0);
    CHECK(db_commit(db) == 0);
    CHECK(db_in_tx(db));
    CHECK(db_commit(db) == 0);
    CHECK(db_group_commit(db) == 0);
    CHECK(sqlite3_get_autocommit(db_handle(db)) != 0);
    CHECK(db_group_commit(db) == 0);
    /* SQLite ended the turn's transaction by itself: the commit fails */
    CHECK(db_begin(db) == 0 && insert_key(db, "g4") == 0 && db_commit(db) == 0);
    CHECK(db_exec(db, "ROLLBACK") == 0);
    CHECK(db_begin(db) == 0 && insert_key(db, "g5") == 0 && db_commit(db) == 0);
    CHECK(db_group_commit(db) == -1);
    CHECK(db_group_commit(db) == 0); /* the next turn is fine */
    db_close(db);
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id IN ('g1','g3')") == 2);
    CHECK(q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id IN ('g2','g4','g5')") == 0);
    /* closing commits what is open */
    db_set_group(db, 1);
    CHECK(db_begin(db) == 0 && insert_key(db, "g6") == 0 && db_commit(db) == 0);
    db_close(db);
    db = db_open(path, 0, err, sizeof err);
    CHECK(db != NULL && q_int(db, "SELECT count(*) FROM kms_keys WHERE key_id='g6'") == 1);
    db_close(db);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/awsemu-db-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_open_memory();
    test_open_file();
    test_schema_snapshot();
    test_bucket_docs_upgrade();
    test_stmt_cache();
    test_transactions();
    test_group_commit();
    test_reset();
    test_cascade();
    test_reserve();
    test_query_binder();
    test_column_copies();
    rm_tmpdir();
    return unit_report("db");
}
