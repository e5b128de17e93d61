/* log.c — access log on stdout, messages on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "clock.h"

static int json_lines;

void log_init(int json)
{
    static char outbuf[1 << 16];

    json_lines = json;
    /* fully buffered: the server flushes on a timer and at exit */
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
}

static void json_field(buf_t *b, const char *name, const char *v, int comma)
{
    buf_printf(b, "%s\"%s\":\"", comma ? "," : "", name);
    buf_add_json_escaped(b, v, strlen(v));
    buf_add(b, "\"", 1);
}

void log_access(const log_access_t *e)
{
    char ts[32];

    clock_iso8601(clock_real(), ts);
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
        buf_add(&b, "}\n", 2);
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        return;
    }
    printf("%s %s %s %s %d %.3fms %s%s%s\n", ts, e->method, e->service, e->operation,
           e->status, e->latency_ms, e->request_id ? e->request_id : "-",
           e->error ? " " : "", e->error ? e->error : "");
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
