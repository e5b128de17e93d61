/* log.c — access log on stdout, messages on stderr. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"

static int json_lines;

void log_init(int json)
{
    static char outbuf[1 << 16];

    json_lines = json;
    /* fully buffered: the server flushes once per event-loop turn, before
     * that turn's responses are written (http_server_set_before_write),
     * and at exit */
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
}

static void json_field(buf_t *b, const char *name, const char *v, int comma)
{
    buf_printf(b, "%s\"%s\":\"", comma ? "," : "", name);
    buf_add_json_escaped(b, v, strlen(v));
    buf_add(b, "\"", 1);
}

/* "2026-11-26T07:09:09.123Z" for now; the part up to the seconds is
 * formatted once per second. */
static void timestamp(char out[32])
{
    static long cached_sec = -1;
    static char prefix[24];
    double now = clock_real();
    long sec = (long)now;
    int ms = (int)((now - (double)sec) * 1000.0);

    if (sec != cached_sec) {
        char full[32];
        clock_iso8601((double)sec, full);
        memcpy(prefix, full, 20); /* through the seconds and the '.' */
        prefix[20] = '\0';
        cached_sec = sec;
    }
    memcpy(out, prefix, 20);
    out[20] = (char)('0' + ms / 100 % 10);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
    out[24] = '\0';
}

/* A line being built in a fixed buffer: what does not fit is cut. */
typedef struct {
    char *p;
    size_t len, cap;
} line_t;

static void put(line_t *l, const char *a, const char *b)
{
    const char *s[2] = {a, b};
    int i;

    for (i = 0; i < 2; i++) {
        size_t n = s[i] ? strlen(s[i]) : 0;
        if (n > l->cap - l->len)
            n = l->cap - l->len;
        memcpy(l->p + l->len, s[i] ? s[i] : "", n);
        l->len += n;
    }
}

static void put_long(line_t *l, long v, const char *after)
{
    char d[24], *q = d + sizeof d;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

    *--q = '\0';
    do
        *--q = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--q = '-';
    put(l, q, after);
}

void log_access(const log_access_t *e)
{
    char ts[32], line[16384];

    timestamp(ts);
    if (json_lines) {
        buf_t b;
        buf_init(&b, 0);
        buf_add(&b, "{", 1);
        json_field(&b, "time", ts, 0);
        json_field(&b, "method", e->method, 1);
        json_field(&b, "service", e->service, 1);
        json_field(&b, "operation", e->operation, 1);
        buf_printf(&b, ",\"status\":%d,\"latency_ms\":%.3f", e->status, e->latency_ms);
        json_field(&b, "request_id", e->request_id ? e->request_id : "-", 1);
        json_field(&b, "remote", e->remote ? e->remote : "-", 1);
        if (e->error)
            json_field(&b, "error", e->error, 1);
        if (e->principal)
            json_field(&b, "principal", e->principal, 1);
        if (e->authz)
            json_field(&b, "authz", e->authz, 1);
        buf_add(&b, "}\n", 2);
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        return;
    }
    /* built by hand, as this is written for every request; latency in
     * microseconds as an integer (no floating-point formatting) */
    {
        line_t l = {line, 0, sizeof line - 1};
        put(&l, ts, " ");
        put(&l, e->method, " ");
        put(&l, e->service, " ");
        put(&l, e->operation, " ");
        put_long(&l, e->status, " ");
        put_long(&l, (long)(e->latency_ms * 1000.0), "us ");
        put(&l, e->request_id ? e->request_id : "-", NULL);
        if (e->error)
            put(&l, " ", e->error);
        if (e->principal)
            put(&l, " ", e->principal);
        if (e->authz)
            put(&l, " ", e->authz);
        line[l.len++] = '\n'; /* the room kept for it: a cut line is still one line */
        fwrite(line, 1, l.len, stdout);
    }
}

void log_msg(const char *fmt, ...)
{
    va_list ap;
    char ts[32];

    clock_iso8601(clock_real(), ts);
    fprintf(stderr, "%s awsemu: ", ts);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void log_flush(void)
{
    fflush(stdout);
}
