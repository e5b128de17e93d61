/* plugin.c — finds and dlopen()s <exe>-NAME.so at its first use. */
#include "base/plugin.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

/* The running binary's path into exe (n >= PATH_MAX): /proc/self/exe
 * (" (deleted)" dropped, as after a rebuild while it runs), else, without
 * /proc, the path it was executed by (AT_EXECFN) made absolute. 0 or -1. */
static int self_exe(char *exe, size_t n)
{
    static const char deleted[] = " (deleted)";
    ssize_t len = readlink("/proc/self/exe", exe, n - 1);
    size_t d = sizeof deleted - 1;
    const char *execfn;

    if (len <= 0 || (size_t)len >= n - 1) {
        execfn = (const char *)getauxval(AT_EXECFN);
        return execfn && realpath(execfn, exe) ? 0 : -1;
    }
    exe[len] = '\0';
    if ((size_t)len > d && strcmp(exe + len - d, deleted) == 0)
        exe[len - d] = '\0';
    return 0;
}

/* The plugin's candidate paths, in order, into a and b. 0 or -1. */
static int candidates(const char *name, char a[PATH_MAX], char b[PATH_MAX])
{
    char exe[PATH_MAX];
    const char *base;
    int n, m;

    if (self_exe(exe, sizeof exe) != 0)
        return -1;
    base = strrchr(exe, '/');
    if (base == NULL)
        return -1;
    n = snprintf(a, PATH_MAX, "%s-%s.so", exe, name);
    m = snprintf(b, PATH_MAX, "%.*s/../lib/awsemu/%s-%s.so", (int)(base - exe), exe, base + 1,
                 name);
    return n > 0 && n < PATH_MAX && m > 0 && m < PATH_MAX ? 0 : -1;
}

void *plugin_sym(const char *name, const char *sym, char *why, size_t whylen)
{
    char a[PATH_MAX], b[PATH_MAX];
    const char *path = NULL, *err;
    struct stat st;
    void *h, *p;

    if (candidates(name, a, b) != 0) {
        snprintf(why, whylen, "the running binary's path is unknown (no /proc/self/exe)");
        return NULL;
    }
    if (stat(a, &st) == 0)
        path = a;
    else if (stat(b, &st) == 0)
        path = b;
    if (path == NULL) {
        snprintf(why, whylen, "neither %s nor %s exists", a, b);
        return NULL;
    }
    /* RTLD_LOCAL: the plugin's libraries never stand in for the binary's */
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        err = dlerror();
        snprintf(why, whylen, "%s", err ? err : path);
        return NULL;
    }
    dlerror();
    p = dlsym(h, sym);
    if (p == NULL) {
        err = dlerror();
        snprintf(why, whylen, "%s: %s", path, err ? err : "no such symbol");
        dlclose(h);
    }
    return p;
}

const void *plugin_table(const void **cache, const char *name, const char *sym, int abi,
                         const char *what)
{
    const int *p;
    char why[1024];

    if (*cache)
        return *cache;
    if ((p = plugin_sym(name, sym, why, sizeof why)) == NULL) {
        log_msg("%s unavailable: %s", what, why);
        return NULL;
    }
    if (*p != abi) {
        log_msg("%s unavailable: the %s plugin is of another build (ABI %d, this binary's %d): "
                "rebuild it with the binary",
                what, name, *p, abi);
        return NULL;
    }
    return *cache = p;
}
