/* datadir.c — one awsemu per data directory. A second one on the same
 * store would only meet SQLite's "database is locked" (or worse, two
 * processes sweeping one blobs/ folder), so the directory is claimed first
 * with flock on awsemu.lock, which names the holder's pid. */
#include "emulator/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define HINT "pick another --data-dir or use --ephemeral"

static int unwritable(const char *dir, int e, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s is not writable (%s): awsemu keeps its store there; "
             "make it writable, " HINT, dir, strerror(e));
    return -1;
}

/* The holder's pid as written in the lock file; 0 when not (yet) there. */
static long holder_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    long pid;

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    pid = strtol(buf, NULL, 10);
    return pid > 0 ? pid : 0;
}

static int in_use(const char *dir, int fd, char *err, size_t errlen)
{
    long pid = holder_pid(fd);

    if (pid > 0)
        snprintf(err, errlen, "%s is in use by another awsemu (pid %ld): " HINT, dir, pid);
    else
        snprintf(err, errlen, "%s is in use by another awsemu: " HINT, dir);
    return -1;
}

int datadir_claim(const char *dir, char *err, size_t errlen)
{
    char path[4200], pid[32];
    struct stat sb;
    int fd, n;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s (%s): " HINT, dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a directory: " HINT, dir);
        return -1;
    }
    /* access() sees a read-only mount and, for anyone but root, the mode */
    if (access(dir, W_OK | X_OK) != 0)
        return unwritable(dir, errno, err, errlen);
    snprintf(path, sizeof path, "%s/" DATADIR_LOCK, dir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return unwritable(dir, errno, err, errlen);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK)
            in_use(dir, fd, err, errlen);
        else
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
        close(fd);
        return -1;
    }
    n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        unwritable(dir, errno, err, errlen);
        close(fd);
        return -1;
    }
    return fd;
}
