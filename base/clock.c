/* clock.c — wall clock plus a forward-only offset. */
#include "base/clock.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double offset;

double clock_real(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_now(void)
{
    return clock_real() + offset;
}

int clock_advance_ok(double seconds)
{
    return isfinite(seconds) && seconds >= 0 && clock_now() + seconds <= CLOCK_MAX_TIME;
}

double clock_advance(double seconds)
{
    if (seconds > 0 && clock_advance_ok(seconds))
        offset += seconds;
    return offset;
}

double clock_offset(void)
{
    return offset;
}

void clock_reset(void)
{
    offset = 0;
}

void clock_iso8601(double t, char out[32])
{
    time_t s = (time_t)t;
    struct tm tm;
    int ms = (int)((t - (double)s) * 1000);

    gmtime_r(&s, &tm);
    char tmp[64];

    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, ms % 1000);
    memcpy(out, tmp, 32);
    out[31] = '\0';
}
