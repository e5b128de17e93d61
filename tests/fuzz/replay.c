/* replay.c — a plain main() for fuzz targets: feeds every file named on the
 * command line (directories recursively) to LLVMFuzzerTestOneInput once, so
 * `make test` replays the committed corpus without libFuzzer. Exits non-zero
 * when a path cannot be read; a crash in the target aborts as usual. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replays one file; returns 0 or -1 (unreadable). */
static int replay_file(const char *path)
{
    FILE *f = NULL;
    uint8_t *data = NULL;
    long size;
    int rc = -1;

    f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0)
        goto fail;
    data = malloc(size ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
        goto fail;
    LLVMFuzzerTestOneInput(data, (size_t)size);
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "replay: cannot read %s\n", path);
    free(data);
    if (f)
        fclose(f);
    return rc;
}

/* Replays path (a file, or a directory's files recursively), counting inputs
 * in *count. Returns 0 or -1 when something could not be read. */
static int replay_path(const char *path, size_t *count /* IN/OUT */)
{
    struct stat sb;
    struct dirent *e;
    DIR *d = NULL;
    char *sub = NULL;
    int rc = 0;

    if (stat(path, &sb) != 0) {
        fprintf(stderr, "replay: no such file or directory: %s\n", path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (!S_ISREG(sb.st_mode))
            return 0;
        if (replay_file(path) != 0)
            return -1;
        (*count)++;
        return 0;
    }
    d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t n;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n = strlen(path) + strlen(e->d_name) + 2;
        sub = malloc(n);
        if (!sub) {
            rc = -1;
            break;
        }
        snprintf(sub, n, "%s/%s", path, e->d_name);
        if (replay_path(sub, count) != 0)
            rc = -1;
        free(sub);
        sub = NULL;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/');
    size_t count = 0;
    int i, rc = 0;

    name = name ? name + 1 : argv[0];
    for (i = 1; i < argc; i++)
        if (replay_path(argv[i], &count) != 0)
            rc = 1;
    printf("fuzz %s: %zu inputs replayed\n", name, count);
    return rc;
}
