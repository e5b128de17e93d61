/* db.h — the SQLite store: open (WAL), schema migrations, cached prepared
 * statements, transactions, reset. One connection, used by the event loop. */
#ifndef AWSEMU_DB_H
#define AWSEMU_DB_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>

typedef struct db db_t;

/* The migrations compiled in (storage/migrations/NNN_*.sql), NULL-ended. */
extern const char *const db_migrations[];
/* The schema every migration together leaves (generated at build time from
 * them), and how many migrations that is: a fresh store runs this once. */
extern const char db_schema_latest[];
extern const int db_schema_latest_version;

/* Opens path (NULL: an in-memory database) and applies pending migrations.
 * A file database is locked exclusively: one awsemu per data directory.
 * fsync_full selects synchronous=FULL. Returns NULL with a message in err. */
db_t *db_open(const char *path, int fsync_full, char *err, size_t errlen);
void db_close(db_t *db);
sqlite3 *db_handle(db_t *db);
int db_schema_version(db_t *db);

/* Returns the statement for sql, prepared once and cached by the address of
 * sql (pass string literals), reset with bindings cleared. NULL on error. */
sqlite3_stmt *db_stmt(db_t *db, const char *sql);

/* Binds text s[0..n) to parameter i of st by its byte length, never as a
 * C string (-1): text from a request is bound with the length its decoder
 * gave (jsonlen_str, a form value's len), so a U+0000 inside it is kept or
 * was refused, never a silent end. s must stay valid until the statement
 * is reset (SQLITE_STATIC). Returns SQLite's result code. */
static inline int db_bind_str(sqlite3_stmt *st, int i, const char *s, size_t n)
{
    return sqlite3_bind_text64(st, i, s, (sqlite3_uint64)n, SQLITE_STATIC, SQLITE_UTF8);
}

/* db_stmt(sql) with its parameters ?1.. bound from the variadic arguments,
 * one per letter of types:
 *   s  const char *            text up to its NUL (NULL binds SQL NULL)
 *   t  const char *, size_t    text by length, as db_bind_str (NULL: SQL NULL)
 *   i  int
 *   l  long long               int64: pass a (long long) cast
 *   d  double
 *   b  const void *, size_t    blob (NULL binds SQL NULL)
 *   n  (no argument)           SQL NULL
 * Strings and blobs are bound SQLITE_STATIC: they must outlive the statement
 * until db_done or the next db_stmt of the same sql. Returns the statement,
 * or NULL (statement reset) when sql does not prepare, a letter is unknown
 * or a bind fails (say, more letters than parameters).
 * IAM's iam_stmt is the subset s / i (long) / d: its 'i' becomes 'l' here. */
sqlite3_stmt *db_query(db_t *db, const char *sql, const char *types, ...);
/* db_query with its arguments as a va_list (for a service's wrapper that
 * adds its own error, as IAM's iam_stmt). */
sqlite3_stmt *db_vquery(db_t *db, const char *sql, const char *types, va_list ap);
/* db_query, stepped once, expecting SQLITE_DONE, then reset. Returns 0 or
 * -1; the rows it changed are then db_changes(db). */
int db_run(db_t *db, const char *sql, const char *types, ...);
/* The rows the last INSERT / UPDATE / DELETE changed (sqlite3_changes). */
int db_changes(db_t *db);
/* Steps st: 1 a row, 0 done, -1 an error (st NULL is an error). */
int db_row(sqlite3_stmt *st);
/* Column col of the current row as text; "" for NULL (never NULL). */
const char *db_text(sqlite3_stmt *st, int col);
/* Column col copied into dst (n bytes, n > 0), cut to fit; "" for NULL.
 * No printf: requests read a dozen of these. */
void db_copy(sqlite3_stmt *st, int col, char *dst, size_t n);
/* Column col as a malloc'd string, or NULL (SQL NULL, out of memory). */
char *db_dup(sqlite3_stmt *st, int col);
/* Resets st (keeping nothing locked); NULL is fine. */
void db_done(sqlite3_stmt *st);

int db_exec(db_t *db, const char *sql);
/* A transaction. Returns 0 or -1; a failed db_commit has rolled back. */
int db_begin(db_t *db);
int db_commit(db_t *db);
void db_rollback(db_t *db);
/* 1 inside a db_begin not yet committed or rolled back. */
int db_in_tx(const db_t *db);

/* Group commit (one SQLite commit for the writes of one event-loop turn).
 * With it on, the first db_begin of a turn opens a transaction that stays
 * open: each db_begin / db_commit is a savepoint inside it (db_rollback
 * undoes the request's own writes only), and statements outside any
 * db_begin join it too. db_group_commit commits it: the caller writes no
 * response of the turn before that returned 0, so an acknowledged write is
 * a committed one; on -1 the turn's writes are gone (rolled back) and none
 * of its responses may be sent. Turning it off commits first. On a file
 * store with less than DB_GROUP_MIN_FREE bytes free a turn's requests
 * commit one by one instead (a full disk fails each write with its own
 * error, not a whole turn's). */
#define DB_GROUP_MIN_FREE (64LL << 20)
void db_set_group(db_t *db, int on);
int db_group_commit(db_t *db);

/* Deletes every row of every table (schema kept). Returns 0 or -1. */
int db_reset(db_t *db);

/* Room for deletes on a full disk. A file store keeps a reserve file,
 * awsemu.reserve (DB_RESERVE_BYTES, allocated, 0600) beside the database.
 * Writes that free space (deletes of objects, buckets, secrets) call
 * db_reserve_use first: when less than DB_RESERVE_LOW is free it unlinks
 * the reserve, so that the delete's WAL frames find room and the delete
 * then frees what it deletes. db_reserve_tick (once a second) makes the
 * reserve, first or again, once DB_RESERVE_BYTES + DB_RESERVE_SLACK is
 * free; db_open only takes one already in place (start-up stays fast).
 * In-memory stores have none. */
#define DB_RESERVE_BYTES (4 << 20) /* SQLite's WAL at its auto-checkpoint size */
#define DB_RESERVE_LOW (1 << 20)
#define DB_RESERVE_SLACK (2 << 20)
void db_reserve_use(db_t *db);
void db_reserve_tick(db_t *db);
/* 1 when the reserve file is in place. */
int db_reserve_held(const db_t *db);

#endif
