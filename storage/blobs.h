/* blobs.h — object-body files under <data-dir>/blobs/: streamed into a temp
 * file, renamed into place under a random UUID id, read back by fd, swept of
 * orphans at start-up. Callers store only sealed bytes here (frames.h). */
#ifndef AWSEMU_BLOBS_H
#define AWSEMU_BLOBS_H

#include <stddef.h>
#include <stdint.h>

/* Layout: <data-dir>/blobs/tmp/<id> while written, then
 * <data-dir>/blobs/<first 2 hex digits of id>/<id>. Ids are lowercase v4
 * UUIDs made here; an id is checked to be one before it becomes a path
 * component, so nothing a client sends ever names a file. Directories are
 * 0700, files 0600. A store's only mutable state is its pins, under a
 * mutex: its functions may be called from several threads. */

typedef struct blob_store blob_store_t;
typedef struct blob_writer blob_writer_t;

#define BLOB_ID_LEN 36

/* Error codes (all negative; errno is kept for BLOB_EIO). */
#define BLOB_EIO (-1)    /* a system call failed (ENOSPC, EIO, ...) */
#define BLOB_EINVAL (-2) /* not a blob id */
#define BLOB_ENOENT (-3) /* no such blob */

/* Opens (creating as needed) <data_dir>/blobs and blobs/tmp. data_dir NULL
 * (ephemeral): a private 0700 directory under $TMPDIR (or /tmp), removed with
 * everything in it at close; fsync is then off. fsync_on: commits fsync the
 * file and its directory, so an acknowledged body survives power loss (a
 * killed process is survived either way). Returns NULL with a message in
 * err. */
blob_store_t *blob_store_open(const char *data_dir, int fsync_on, char *err, size_t errlen);
/* Closes bs (all writers must be finished first). NULL is fine. */
void blob_store_close(blob_store_t *bs);

/* ---- writing ------------------------------------------------------------ */

/* Starts a blob: creates blobs/tmp/<new id> (O_CREAT|O_EXCL, 0600). Returns
 * NULL on failure (errno set). Finish with blob_commit or blob_abort. */
blob_writer_t *blob_begin(blob_store_t *bs);
/* Appends n bytes. Returns 0 or BLOB_EIO; after a failure every later write
 * and the commit fail. */
int blob_write(blob_writer_t *w, const void *p, size_t n);
/* blob_write in the shape of a frames_emit_fn (arg is the writer). */
int blob_write_cb(void *w, const uint8_t *p, size_t n);
/* Bytes written so far. */
uint64_t blob_written(const blob_writer_t *w);
/* Makes the blob durable (fsync when on), renames it to blobs/xx/<id>
 * (fsync of the directory when on) and writes its id. Commit the row that
 * refers to id only after this returns 0; a crash in between leaves an
 * orphan that blob_sweep removes. Frees w whatever the outcome; on failure
 * nothing is left behind. Returns 0 or BLOB_EIO. */
int blob_commit(blob_writer_t *w, char id[BLOB_ID_LEN + 1] /* OUT */);
/* Unlinks the temp file and frees w. NULL is fine. */
void blob_abort(blob_writer_t *w);

/* ---- reading, deleting -------------------------------------------------- */

/* Opens blob id read-only. Returns an fd (caller closes), BLOB_EINVAL,
 * BLOB_ENOENT or BLOB_EIO. */
int blob_open(blob_store_t *bs, const char *id);
/* The size of blob id in bytes, or BLOB_EINVAL, BLOB_ENOENT, BLOB_EIO. */
int64_t blob_size(blob_store_t *bs, const char *id);
/* Removes blob id. Returns 0, BLOB_EINVAL, BLOB_ENOENT or BLOB_EIO. Delete
 * the row first: a crash in between leaves an orphan for blob_sweep, never a
 * row without its body. A pinned blob is removed when its last pin goes
 * (0 at once). */
int blob_delete(blob_store_t *bs, const char *id);
/* With the database's group commit (db_set_group) a deleted row is gone
 * only once the group commits: blob_defer(bs, 1) makes blob_delete hold
 * the id instead, and blob_deferred, after each db_group_commit, deletes
 * what was held (committed) or forgets it (rolled back: the rows naming
 * those blobs are back). One thread (the event loop's) calls these. */
void blob_defer(blob_store_t *bs, int on);
void blob_deferred(blob_store_t *bs, int committed);

/* A reader pins the blobs it will read before it answers, so that a delete
 * in between (an overwrite committed while a GET streams, or before the GET
 * opened its next part) cannot take the body from under it: blob_delete of
 * a pinned blob is done by its last blob_unpin. Pins are counted; memory
 * only (a crash leaves what blob_sweep removes). blob_pin returns 0, or -1
 * (not an id, out of memory). */
int blob_pin(blob_store_t *bs, const char *id);
void blob_unpin(blob_store_t *bs, const char *id);

/* For start-up, before any writer: removes every temp file, and every blob
 * for which known(id, arg) returns 0 (1: keep it). A negative from known
 * stops the sweep, which then returns that value, having removed no blob
 * after it. Files in fan-out directories whose names are not lowercase
 * UUIDs are not ours and are left alone; a UUID in the wrong fan-out
 * directory can never be opened and is removed. Returns the number of files
 * removed, or negative. */
int blob_sweep(blob_store_t *bs, int (*known)(const char *id, void *arg), void *arg);

/* Is id a blob id (a lowercase UUID)? */
int blob_id_valid(const char *id);

#endif
