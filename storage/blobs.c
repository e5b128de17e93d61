/* blobs.c — object-body files: temp file, rename into a fan-out directory,
 * read by fd, start-up sweep. Every path is relative to the blobs directory
 * fd and built from a validated id. */
#include "storage/blobs.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/codec.h"

/* A pinned blob: an open-addressing table keyed by id (linear probing,
 * deletion by backward shift, so no tombstones). */
typedef struct {
    char id[BLOB_ID_LEN + 1]; /* "" when the slot is free */
    unsigned pins;
    int doomed; /* blob_delete came while pinned */
} pin_t;

struct blob_store {
    int root; /* <data-dir>/blobs, O_DIRECTORY */
    int fsync_on;
    char *ephemeral; /* the private directory removed at close, or NULL */
    unsigned char have_dir[256]; /* fan-out directories known to exist */
    pthread_mutex_t lock;        /* the pins */
    pin_t *pins;
    size_t npins, cap;           /* cap: a power of two, or 0 */
    int defer;                   /* deletes wait for blob_deferred */
    char (*held)[BLOB_ID_LEN + 1];
    size_t nheld, heldcap;
};

struct blob_writer {
    blob_store_t *bs;
    int fd;
    int err; /* sticky failure */
    uint64_t written;
    char id[BLOB_ID_LEN + 1];
    char tmp[4 + BLOB_ID_LEN + 1]; /* "tmp/<id>" */
};

#define FANOUT_PATH_LEN (3 + BLOB_ID_LEN + 1) /* "xx/<id>" + NUL */

int blob_id_valid(const char *id)
{
    size_t i;

    if (id == NULL || strnlen(id, BLOB_ID_LEN + 1) != BLOB_ID_LEN ||
        !codec_is_uuid(id, BLOB_ID_LEN))
        return 0;
    for (i = 0; i < BLOB_ID_LEN; i++)
        if (id[i] >= 'A' && id[i] <= 'F')
            return 0;
    return 1;
}

static int is_fanout_name(const char *s)
{
    return strlen(s) == 2 && codec_hexval(s[0]) >= 0 && codec_hexval(s[1]) >= 0 &&
           !(s[0] >= 'A' && s[0] <= 'F') && !(s[1] >= 'A' && s[1] <= 'F');
}

/* "xx/<id>" for a valid id. */
static void fanout_path(const char *id, char out[FANOUT_PATH_LEN])
{
    snprintf(out, FANOUT_PATH_LEN, "%.2s/%s", id, id);
}

/* mkdirat (under at) that accepts an existing directory. Returns 1 (made), 0 (existed)
 * or -1. */
static int mkdir_at(int at, const char *name)
{
    if (mkdirat(at, name, 0700) == 0)
        return 1;
    return errno == EEXIST ? 0 : -1;
}

/* fsyncs the directory name under at. Returns 0 or -1. */
static int fsync_dir_at(int at, const char *name)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* Removes name under at and, for a directory, what it holds, at most
 * depth levels down (the store's tree is three levels deep). */
static void remove_tree(int at, const char *name, int depth)
{
    struct dirent *e;
    struct stat sb;
    DIR *d;
    int fd;

    if (fstatat(at, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (!S_ISDIR(sb.st_mode)) {
        unlinkat(at, name, 0);
        return;
    }
    if (depth > 0 &&
        (fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) >= 0) {
        if ((d = fdopendir(fd)) == NULL) {
            close(fd);
        } else {
            while ((e = readdir(d)) != NULL)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                    remove_tree(dirfd(d), e->d_name, depth - 1);
            closedir(d);
        }
    }
    unlinkat(at, name, AT_REMOVEDIR);
}

/* Ephemeral stores of processes that died without closing (kill -9) are
 * litter (their key died with them): remove them. The owner's pid is in the
 * name: awsemu-eph-<pid>-XXXXXX. */
static void sweep_dead_ephemeral(const char *tmpdir)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        long pid;
        char *end;
        if (strncmp(e->d_name, "awsemu-eph-", 11) != 0)
            continue;
        pid = strtol(e->d_name + 11, &end, 10);
        if (pid <= 0 || *end != '-' || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
            remove_tree(dirfd(d), e->d_name, 3);
    }
    closedir(d);
}

blob_store_t *blob_store_open(const char *data_dir, int fsync_on, char *err, size_t errlen)
{
    blob_store_t *bs = NULL;
    const char *base, *what = "blobs";
    int basefd = -1, made_blobs = 0, made_tmp = 0;

    if ((bs = calloc(1, sizeof *bs)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bs->root = -1;
    bs->fsync_on = fsync_on;
    pthread_mutex_init(&bs->lock, NULL);
    if (data_dir == NULL) {
        const char *t = getenv("TMPDIR");
        size_t n;

        if (t == NULL || *t == '\0')
            t = "/tmp";
        sweep_dead_ephemeral(t);
        n = strlen(t) + sizeof "/awsemu-eph--XXXXXX" + 12;
        if ((bs->ephemeral = malloc(n)) == NULL) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        snprintf(bs->ephemeral, n, "%s/awsemu-eph-%ld-XXXXXX", t, (long)getpid());
        if (mkdtemp(bs->ephemeral) == NULL) {
            snprintf(err, errlen, "cannot make a temporary directory in %s: %s", t,
                     strerror(errno));
            free(bs->ephemeral);
            bs->ephemeral = NULL;
            goto fail;
        }
        bs->fsync_on = 0;
        base = bs->ephemeral;
    } else {
        base = data_dir;
        if (mkdir(base, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", base, strerror(errno));
            goto fail;
        }
    }
    if ((basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        (made_blobs = mkdir_at(basefd, "blobs")) < 0 ||
        (bs->root = openat(basefd, "blobs", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        (what = "blobs/tmp", made_tmp = mkdir_at(bs->root, "tmp")) < 0 ||
        (bs->fsync_on && made_blobs && fsync(basefd) != 0) ||
        (bs->fsync_on && made_tmp && fsync(bs->root) != 0)) {
        snprintf(err, errlen, "cannot open %s/%s: %s", base, what, strerror(errno));
        goto fail;
    }
    close(basefd);
    return bs;
fail:
    if (basefd >= 0)
        close(basefd);
    blob_store_close(bs);
    return NULL;
}

void blob_store_close(blob_store_t *bs)
{
    if (bs == NULL)
        return;
    if (bs->root >= 0)
        close(bs->root);
    if (bs->ephemeral) {
        /* <tmp>/awsemu-X / blobs / {tmp, xx} / files */
        remove_tree(AT_FDCWD, bs->ephemeral, 3);
        free(bs->ephemeral);
    }
    free(bs->pins);
    free(bs->held);
    pthread_mutex_destroy(&bs->lock);
    free(bs);
}

/* ---- writing ------------------------------------------------------------ */

blob_writer_t *blob_begin(blob_store_t *bs)
{
    blob_writer_t *w = calloc(1, sizeof *w);

    if (w == NULL)
        return NULL;
    w->bs = bs;
    codec_uuid(w->id);
    snprintf(w->tmp, sizeof w->tmp, "tmp/%s", w->id);
    w->fd = openat(bs->root, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (w->fd < 0) {
        int e = errno;
        free(w);
        errno = e;
        return NULL;
    }
    return w;
}

int blob_write(blob_writer_t *w, const void *p, size_t n)
{
    const char *c = p;
    ssize_t got;

    if (w->err)
        return w->err;
    while (n > 0) {
        got = write(w->fd, c, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0)
                errno = EIO;
            return w->err = BLOB_EIO;
        }
        c += got;
        n -= (size_t)got;
        w->written += (uint64_t)got;
    }
    return 0;
}

int blob_write_cb(void *w, const uint8_t *p, size_t n)
{
    return blob_write(w, p, n);
}

uint64_t blob_written(const blob_writer_t *w)
{
    return w->written;
}

int blob_commit(blob_writer_t *w, char id[BLOB_ID_LEN + 1])
{
    blob_store_t *bs = w->bs;
    char final[FANOUT_PATH_LEN], dir[3];
    int made, renamed = 0, rc = BLOB_EIO, e;

    if (w->err)
        goto fail;
    if (bs->fsync_on && fsync(w->fd) != 0)
        goto fail;
    e = close(w->fd);
    w->fd = -1;
    if (e != 0)
        goto fail;
    fanout_path(w->id, final);
    memcpy(dir, w->id, 2);
    dir[2] = '\0';
    {
        /* one mkdir per fan-out directory per process, not one per blob */
        int slot = codec_hexval(dir[0]) * 16 + codec_hexval(dir[1]);
        made = 0;
        if (slot < 0 || !bs->have_dir[slot]) {
            if ((made = mkdir_at(bs->root, dir)) < 0)
                goto fail;
            if (slot >= 0)
                bs->have_dir[slot] = 1;
        }
        if (made && bs->fsync_on && fsync(bs->root) != 0)
            goto fail;
        if (renameat(bs->root, w->tmp, bs->root, final) != 0) {
            /* the directory went away behind our back: make it again */
            if (errno != ENOENT || mkdir_at(bs->root, dir) < 0 ||
                renameat(bs->root, w->tmp, bs->root, final) != 0)
                goto fail;
        }
    }
    renamed = 1;
    if (bs->fsync_on && fsync_dir_at(bs->root, dir) != 0)
        goto fail;
    memcpy(id, w->id, BLOB_ID_LEN + 1);
    rc = 0;
fail:
    if (rc != 0) {
        e = errno;
        if (w->fd >= 0)
            close(w->fd);
        unlinkat(bs->root, renamed ? final : w->tmp, 0);
        errno = e;
    }
    free(w);
    return rc;
}

void blob_abort(blob_writer_t *w)
{
    if (w == NULL)
        return;
    close(w->fd);
    unlinkat(w->bs->root, w->tmp, 0);
    free(w);
}

/* ---- reading, deleting -------------------------------------------------- */

static int sys_error(void)
{
    return errno == ENOENT ? BLOB_ENOENT : BLOB_EIO;
}

int blob_open(blob_store_t *bs, const char *id)
{
    char path[FANOUT_PATH_LEN];
    int fd;

    if (!blob_id_valid(id))
        return BLOB_EINVAL;
    fanout_path(id, path);
    fd = openat(bs->root, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    return fd >= 0 ? fd : sys_error();
}

int64_t blob_size(blob_store_t *bs, const char *id)
{
    char path[FANOUT_PATH_LEN];
    struct stat sb;

    if (!blob_id_valid(id))
        return BLOB_EINVAL;
    fanout_path(id, path);
    if (fstatat(bs->root, path, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return sys_error();
    if (!S_ISREG(sb.st_mode))
        return BLOB_EIO;
    return (int64_t)sb.st_size;
}

static int unlink_blob(blob_store_t *bs, const char *id)
{
    char path[FANOUT_PATH_LEN];

    fanout_path(id, path);
    return unlinkat(bs->root, path, 0) == 0 ? 0 : sys_error();
}

/* ---- pins ---------------------------------------------------------------- */

static size_t pin_hash(const char *id)
{
    size_t h = 2166136261u;

    while (*id)
        h = (h ^ (unsigned char)*id++) * 16777619u;
    return h;
}

/* The slot of id, or of the free slot where it would go. cap > 0. */
static size_t pin_slot(const blob_store_t *bs, const char *id)
{
    size_t i = pin_hash(id) & (bs->cap - 1);

    while (bs->pins[i].id[0] && strcmp(bs->pins[i].id, id) != 0)
        i = (i + 1) & (bs->cap - 1);
    return i;
}

static int pin_grow(blob_store_t *bs)
{
    size_t i, oldcap = bs->cap, cap = bs->cap ? bs->cap * 2 : 64;
    pin_t *old = bs->pins, *t = calloc(cap, sizeof *t);

    if (t == NULL)
        return -1;
    bs->pins = t;
    bs->cap = cap;
    for (i = 0; i < oldcap; i++)
        if (old[i].id[0])
            t[pin_slot(bs, old[i].id)] = old[i];
    free(old);
    return 0;
}

/* Frees slot i, moving later entries of its probe run back (no tombstones). */
static void pin_remove(blob_store_t *bs, size_t i)
{
    size_t j = i, mask = bs->cap - 1;

    bs->pins[i].id[0] = '\0';
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (!bs->pins[j].id[0])
            break;
        home = pin_hash(bs->pins[j].id) & mask;
        /* j's entry may move to i when i lies on its probe path home..j */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            bs->pins[i] = bs->pins[j];
            bs->pins[j].id[0] = '\0';
            i = j;
        }
    }
    bs->npins--;
}

int blob_pin(blob_store_t *bs, const char *id)
{
    size_t i;
    int rc = 0;

    if (!blob_id_valid(id))
        return -1;
    pthread_mutex_lock(&bs->lock);
    if ((bs->npins + 1) * 2 > bs->cap && pin_grow(bs) != 0) {
        rc = -1;
    } else {
        i = pin_slot(bs, id);
        if (!bs->pins[i].id[0]) {
            memcpy(bs->pins[i].id, id, BLOB_ID_LEN + 1);
            bs->pins[i].pins = 0;
            bs->pins[i].doomed = 0;
            bs->npins++;
        }
        bs->pins[i].pins++;
    }
    pthread_mutex_unlock(&bs->lock);
    return rc;
}

void blob_unpin(blob_store_t *bs, const char *id)
{
    size_t i;
    int doomed = 0;

    if (!blob_id_valid(id))
        return;
    pthread_mutex_lock(&bs->lock);
    if (bs->cap) {
        i = pin_slot(bs, id);
        if (bs->pins[i].id[0] && --bs->pins[i].pins == 0) {
            doomed = bs->pins[i].doomed;
            pin_remove(bs, i);
        }
    }
    pthread_mutex_unlock(&bs->lock);
    if (doomed)
        unlink_blob(bs, id);
}

/* Holds id for blob_deferred (bs->lock held). Out of memory it is
 * forgotten: an orphan file for the next start's sweep, never a row
 * without its body. */
static void hold(blob_store_t *bs, const char *id)
{
    if (bs->nheld == bs->heldcap) {
        size_t cap = bs->heldcap ? 2 * bs->heldcap : 64;
        void *t = realloc(bs->held, cap * sizeof *bs->held);
        if (t == NULL)
            return;
        bs->held = t;
        bs->heldcap = cap;
    }
    memcpy(bs->held[bs->nheld++], id, BLOB_ID_LEN + 1);
}

void blob_defer(blob_store_t *bs, int on)
{
    pthread_mutex_lock(&bs->lock);
    bs->defer = on != 0;
    pthread_mutex_unlock(&bs->lock);
}

void blob_deferred(blob_store_t *bs, int committed)
{
    size_t i, n;
    int was;

    pthread_mutex_lock(&bs->lock);
    n = bs->nheld;
    bs->nheld = 0;
    was = bs->defer;
    bs->defer = 0; /* blob_delete below deletes */
    pthread_mutex_unlock(&bs->lock);
    for (i = 0; committed && i < n; i++)
        blob_delete(bs, bs->held[i]);
    pthread_mutex_lock(&bs->lock);
    bs->defer = was;
    if (bs->heldcap > 1024 && bs->nheld == 0) { /* a burst's list goes */
        free(bs->held);
        bs->held = NULL;
        bs->heldcap = 0;
    }
    pthread_mutex_unlock(&bs->lock);
}

int blob_delete(blob_store_t *bs, const char *id)
{
    int pinned = 0;

    if (!blob_id_valid(id))
        return BLOB_EINVAL;
    pthread_mutex_lock(&bs->lock);
    if (bs->defer) {
        hold(bs, id);
        pthread_mutex_unlock(&bs->lock);
        return 0;
    }
    if (bs->cap) {
        size_t i = pin_slot(bs, id);
        if (bs->pins[i].id[0]) {
            bs->pins[i].doomed = 1;
            pinned = 1;
        }
    }
    pthread_mutex_unlock(&bs->lock);
    return pinned ? 0 : unlink_blob(bs, id);
}

/* Opens the directory name under at for listing. NULL when it cannot. */
static DIR *open_dir_at(int at, const char *name)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    DIR *d;

    if (fd < 0)
        return NULL;
    if ((d = fdopendir(fd)) == NULL)
        close(fd);
    return d;
}

int blob_sweep(blob_store_t *bs, int (*known)(const char *id, void *arg), void *arg)
{
    DIR *top = NULL, *sub = NULL;
    struct dirent *e, *f;
    int removed = 0, rc = BLOB_EIO, k;

    /* temps: everything in blobs/tmp that is not a directory */
    if ((sub = open_dir_at(bs->root, "tmp")) == NULL)
        goto fail;
    while ((e = readdir(sub)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            unlinkat(dirfd(sub), e->d_name, 0) == 0)
            removed++;
    closedir(sub);
    sub = NULL;

    /* blobs: blobs/xx/<id> */
    if ((top = open_dir_at(bs->root, ".")) == NULL)
        goto fail;
    while ((e = readdir(top)) != NULL) {
        if (!is_fanout_name(e->d_name))
            continue;
        if ((sub = open_dir_at(dirfd(top), e->d_name)) == NULL)
            continue; /* not a directory */
        while ((f = readdir(sub)) != NULL) {
            if (!blob_id_valid(f->d_name))
                continue;
            k = memcmp(f->d_name, e->d_name, 2) == 0 ? known(f->d_name, arg) : 0;
            if (k < 0) {
                rc = k;
                goto fail;
            }
            if (k == 0 && unlinkat(dirfd(sub), f->d_name, 0) == 0)
                removed++;
        }
        closedir(sub);
        sub = NULL;
    }
    rc = removed;
fail:
    if (sub)
        closedir(sub);
    if (top)
        closedir(top);
    return rc;
}
