/* test_s3_lock.c — S3 Object Lock's retain-until dates (ISO 8601 as S3
 * takes them) and the sub-resources a query string names (the routing
 * table): table-driven. */
#include "services/s3/s3_int.h"

#include <math.h>

#include "unit.h"

static void test_dates(void)
{
    static const struct {
        const char *text;
        int ok;
        double want;
    } cases[] = {
        {"2030-01-01T00:00:00Z", 1, 1893456000},
        {"2030-01-01T00:00:00.000Z", 1, 1893456000},
        {"2030-01-01T00:00:00.5Z", 1, 1893456000.5},
        {"2030-01-01", 1, 1893456000},
        {"2030-01-01T02:00:00+02:00", 1, 1893456000},
        {"2030-01-01T02:00:00+0200", 1, 1893456000},
        {"2029-12-31T19:00:00-05:00", 1, 1893456000},
        {"2030-01-01T00:00Z", 1, 1893456000},
        {"2028-02-29T00:00:00Z", 1, 1835395200},
        {"1970-01-01T00:00:00Z", 1, 0},
        {"2029-02-29T00:00:00Z", 0, 0}, /* not a leap year */
        {"2030-13-01T00:00:00Z", 0, 0},
        {"2030-01-32T00:00:00Z", 0, 0},
        {"2030-01-01T24:00:00Z", 0, 0},
        {"2030-01-01T00:60:00Z", 0, 0},
        {"2030-01-01T00:00:00.Z", 0, 0},
        {"2030-01-01T00:00:00Zjunk", 0, 0},
        {"2030-01-01T00:00:00+2", 0, 0},
        {"2030-1-01", 0, 0},
        {"Tue, 01 Dec 2030 10:00:00 GMT", 0, 0},
        {"tomorrow", 0, 0},
        {"", 0, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double t = -1;
        int rc = s3_lock_parse_date(cases[i].text, &t);
        if ((rc == 0) != cases[i].ok)
            fprintf(stderr, "date %s: rc %d\n", cases[i].text, rc);
        CHECK((rc == 0) == cases[i].ok);
        if (cases[i].ok)
            CHECK(fabs(t - cases[i].want) < 1e-6);
    }
}

/* The names s3_query_subresources finds, joined by ",". */
static void subs(const char *query, char *out, size_t n)
{
    const char *names[8];
    size_t k = s3_query_subresources(query, names, 8), i;

    out[0] = '\0';
    for (i = 0; i < k && i < 8; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", names[i]);
}

static void test_subresources(void)
{
    static const struct {
        const char *query, *want;
    } cases[] = {
        {"", ""},
        {"retention", "retention"},
        {"legal-hold=", "legal-hold"},
        {"versionId=abc&retention", "retention"},
        {"versioning&acl", "acl,versioning"},
        {"acl&acl=1", "acl"},
        {"select&select-type=2", "select"},
        {"select-type=2", "select-type"},
        {"uploadId=x&partNumber=1", "uploadId"},
        /* qualifiers and the listing's parameters select nothing */
        {"versionId=1&partNumber=2&response-content-type=a&x-id=GetObject", ""},
        {"list-type=2&prefix=a&delimiter=%2F&max-keys=5&continuation-token=x", ""},
        {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00", ""},
        /* names match exactly: S3 lists a bucket for ?Versioning */
        {"Versioning&TORRENT&retentio&retentionx", ""},
        {"torrent&&=&tagging", "tagging,torrent"},
    };
    char got[256];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        subs(cases[i].query, got, sizeof got);
        CHECK_STR(got, cases[i].want);
    }
}

int main(void)
{
    test_dates();
    test_subresources();
    return unit_report("s3_lock");
}
