/* healthcheck.c — the Docker HEALTHCHECK's probe. A HEALTHCHECK command
 * runs beside the server and sees the container's environment but not
 * the flags `docker run` appended, so --health-check=1 reads them from
 * /proc/1/cmdline: `docker run ... awsemu --port 5000` is probed on 5000. */
#include "emulator/healthcheck.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "emulator/config.h"

#define MAX_CMDLINE (64 << 10)
#define MAX_ARGS 256
#define TIMEOUT_S 3

/* Appends to av the arguments PID was started with after its awsemu
 * program name (the first argument whose last path element starts with
 * "awsemu": PID may be an init such as docker-init running it). The
 * strings point into *mem (caller frees). Returns the count or -1. */
static int pid_args(const char *pid, char **av, int max, char **mem, FILE *err)
{
    char path[64];
    FILE *f;
    size_t n, i;
    int ac = 0, found = 0;

    snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
    f = fopen(path, "rb");
    *mem = malloc(MAX_CMDLINE + 1);
    if (f == NULL || *mem == NULL) {
        fprintf(err, "awsemu: --health-check=%s: cannot read %s\n", pid, path);
        if (f)
            fclose(f);
        return -1;
    }
    n = fread(*mem, 1, MAX_CMDLINE, f);
    fclose(f);
    (*mem)[n] = '\0';
    for (i = 0; i < n; i += strlen(*mem + i) + 1) {
        const char *a = *mem + i, *base = strrchr(a, '/');
        if (found && ac < max)
            av[ac++] = *mem + i;
        else if (!found && !strncmp(base ? base + 1 : a, "awsemu", 6))
            found = 1;
    }
    if (!found) {
        fprintf(err, "awsemu: --health-check=%s: process %s is not an awsemu\n", pid, pid);
        return -1;
    }
    return ac;
}

/* GET /_awsemu/health on the configured address: 0 when it answers 200. */
static int probe(const config_t *c, FILE *out, FILE *err)
{
    const char *host = c->host;
    struct addrinfo hints, *ai = NULL, *p;
    struct timeval tv = {TIMEOUT_S, 0};
    char port[16], req[512], resp[512];
    ssize_t got = 0, n;
    int fd = -1, rc;

    /* a wildcard listener is reached on the loopback of its family */
    if (!strcmp(host, "0.0.0.0"))
        host = "127.0.0.1";
    else if (!strcmp(host, "::") || !strcmp(host, "[::]"))
        host = "::1";
    snprintf(port, sizeof port, "%d", c->port);
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        fprintf(err, "awsemu: health check %s:%s: %s\n", host, port, gai_strerror(rc));
        return 1;
    }
    for (p = ai; p && fd < 0; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  /* bounds connect too */
        if (connect(fd, p->ai_addr, p->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        fprintf(err, "awsemu: health check: nothing answers on %s:%s\n", host, port);
        return 1;
    }
    n = snprintf(req, sizeof req, "GET /_awsemu/health HTTP/1.1\r\nHost: %s:%s\r\n"
                 "Connection: close\r\n\r\n", host, port);
    rc = write(fd, req, (size_t)n) == n ? 0 : 1;
    while (rc == 0 && got < (ssize_t)sizeof resp - 1 &&
           (n = read(fd, resp + got, sizeof resp - 1 - (size_t)got)) > 0)
        got += n;
    close(fd);
    resp[got] = '\0';
    if (rc == 0 && !strncmp(resp, "HTTP/1.1 200 ", 13)) {
        fprintf(out, "awsemu on %s:%s: healthy\n", host, port);
        return 0;
    }
    fprintf(err, "awsemu: health check %s:%s: %s\n", host, port,
            got ? "no 200 from /_awsemu/health" : "no answer");
    return 1;
}

int healthcheck_main(int argc, char **argv, FILE *out, FILE *err)
{
    char *av[MAX_ARGS + 2], *mem = NULL;
    const char *pid = NULL;
    int ac = 1, i, k, found = 0, rc;
    config_t cfg;

    for (i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--health-check", 14) &&
            (argv[i][14] == '\0' || argv[i][14] == '=')) {
            found = 1;
            pid = argv[i][14] == '=' ? argv[i] + 15 : NULL;
        }
    if (!found)
        return -1;
    av[0] = argv[0];
    if (pid) {
        if (*pid == '\0' || strspn(pid, "0123456789") != strlen(pid)) {
            fprintf(err, "awsemu: --health-check=PID: a process id, got '%s'\n", pid);
            return 2;
        }
        k = pid_args(pid, av + 1, MAX_ARGS, &mem, err);
        if (k < 0) {
            free(mem);
            return 1;
        }
        ac += k;
    }
    for (i = 1; i < argc && ac <= MAX_ARGS; i++)
        if (strncmp(argv[i], "--health-check", 14) != 0)
            av[ac++] = argv[i];
    av[ac] = NULL;
    config_defaults(&cfg);
    rc = config_parse(&cfg, ac, av, out, err);
    free(mem);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    return probe(&cfg, out, err);
}
