/* datadir.h — claiming the data directory: one awsemu per directory. */
#ifndef AWSEMU_DATADIR_H
#define AWSEMU_DATADIR_H

#include <stddef.h>

#define DATADIR_LOCK "awsemu.lock"

/* Creates dir (0700) when missing and takes the exclusive lock on
 * dir/awsemu.lock, which then holds this process's pid. Returns the lock's
 * descriptor (keep it open: the kernel drops the lock when the process
 * exits, so a crash never leaves a stale one), or -1 with a message for a
 * person in err: the directory is in use by another awsemu (and its pid),
 * is not writable, or is not a directory. */
int datadir_claim(const char *dir, char *err, size_t errlen);

#endif
