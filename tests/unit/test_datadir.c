/* test_datadir.c — datadir_claim: the lock file names the holder's pid, a
 * second claim is refused with it, a closed claim frees the directory, and
 * a path that is not a directory or cannot be made is said so plainly. */
#include "emulator/datadir.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char tmpl[] = "/tmp/awsemu-datadir-XXXXXX", path[128], want[512], err[512], buf[32];
    FILE *f;
    int fd, fd2;
    size_t n;

    CHECK(mkdtemp(tmpl) != NULL);
    snprintf(path, sizeof path, "%s/data", tmpl);
    fd = datadir_claim(path, err, sizeof err);
    CHECK(fd >= 0);

    /* the lock file holds our pid */
    snprintf(want, sizeof want, "%s/" DATADIR_LOCK, path);
    f = fopen(want, "r");
    CHECK(f != NULL);
    n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    CHECK(atol(buf) == (long)getpid());

    /* flock is per open file: a second claim in this process conflicts too */
    fd2 = datadir_claim(path, err, sizeof err);
    CHECK(fd2 == -1);
    snprintf(want, sizeof want, "%s is in use by another awsemu (pid %ld): pick another "
             "--data-dir or use --ephemeral", path, (long)getpid());
    CHECK_STR(err, want);

    close(fd);
    fd = datadir_claim(path, err, sizeof err);
    CHECK(fd >= 0);
    close(fd);

    snprintf(path, sizeof path, "%s/data/" DATADIR_LOCK, tmpl);  /* a file */
    CHECK(datadir_claim(path, err, sizeof err) == -1);
    snprintf(want, sizeof want, "%s is not a directory: pick another --data-dir or use --ephemeral", path);
    CHECK_STR(err, want);

    snprintf(path, sizeof path, "%s/no/such", tmpl);
    CHECK(datadir_claim(path, err, sizeof err) == -1);
    CHECK(strstr(err, "cannot create") != NULL && strstr(err, "No such file") != NULL);

    snprintf(want, sizeof want, "rm -rf %s", tmpl);
    CHECK(system(want) == 0);
    return unit_report("datadir");
}
