/* fuzz_s3_query.c — fuzz target for what S3 reads from a request's text
 * before any operation runs: the sub-resources a query string names
 * (s3_query_subresources: each name found is one of the routing table's and
 * appears in the query as a parameter name; sorted; no repeats) and the
 * retain-until dates of Object Lock (s3_lock_parse_date: an accepted date is
 * a finite time that its canonical form, clock_iso8601, gives back). */
#include "services/s3/s3_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_s3_query:%d: invariant failed: %s\n", __LINE__, #c);             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* 1 when name is a parameter name of the raw query q. */
static int names_param(const char *q, const char *name)
{
    size_t n = strlen(name);
    const char *p = q;

    for (;;) {
        if (!strncmp(p, name, n) && (p[n] == '\0' || p[n] == '&' || p[n] == '='))
            return 1;
        if ((p = strchr(p, '&')) == NULL)
            return 0;
        p++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    const char *names[8];
    size_t n, i;
    double t;

    FUZZ_CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0'; /* a query or header value is text up to its NUL */

    n = s3_query_subresources(text, names, 8);
    FUZZ_CHECK(n <= 8);
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(names[i] && names_param(text, names[i]));
        if (i > 0)
            FUZZ_CHECK(strcmp(names[i - 1], names[i]) < 0);
    }

    if (s3_lock_parse_date(text, &t) == 0) {
        char canon[32];
        double t2;
        FUZZ_CHECK(isfinite(t));
        clock_iso8601(t, canon);
        /* times from 1970 to the year 9999 round-trip to the millisecond
         * (a retain-until date is always ahead of the clock) */
        if (t >= 0 && t < 253402300800.0) {
            FUZZ_CHECK(s3_lock_parse_date(canon, &t2) == 0);
            FUZZ_CHECK(fabs(t2 - floor(t * 1000) / 1000) < 0.002);
        }
    }
    free(text);
    return 0;
}
