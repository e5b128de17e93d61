/* fuzz_sigv4.c — fuzz target for the SigV4 Authorization-header and
 * presigned-query parser, and the canonicalisation that follows it.
 * Input: up to five '\n'-separated fields:
 *   Authorization value (empty: no header) \n query \n path \n
 *   X-Amz-Date value (empty: no header) \n X-Amz-Security-Token value
 * Seeds: tests/fuzz/corpus/fuzz_sigv4/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz/sigv4.h"

#define NFIELDS 5

static void check_auth(const sigv4_auth_t *a)
{
    /* every field NUL-terminated inside its buffer */
    if (strnlen(a->access_key, sizeof a->access_key) == sizeof a->access_key ||
        strnlen(a->date, sizeof a->date) != 8 ||
        strnlen(a->region, sizeof a->region) == sizeof a->region ||
        strnlen(a->service, sizeof a->service) == sizeof a->service ||
        strnlen(a->amz_date, sizeof a->amz_date) != 16 ||
        strnlen(a->signed_headers, sizeof a->signed_headers) ==
            sizeof a->signed_headers ||
        strnlen(a->signature, sizeof a->signature) != 64 ||
        strnlen(a->security_token, sizeof a->security_token) ==
            sizeof a->security_token ||
        (a->presigned ? (a->expires < 0 || a->expires > SIGV4_EXPIRES_MAX)
                      : a->expires != -1))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *f[NFIELDS] = {"", "", "/", "", ""};
    size_t flen[NFIELDS] = {0, 0, 1, 0, 0};
    const char *p = (const char *)data, *end = p + size;
    http_header_t h[4];
    sigv4_request_t req;
    sigv4_auth_t auth;
    size_t i, nh = 0;
    int rc, rules;

    for (i = 0; i < NFIELDS && p <= end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        f[i] = p;
        flen[i] = (size_t)(e - p);
        if (!nl)
            break;
        p = nl + 1;
    }

    h[nh++] = (http_header_t){"Host", 4, "example.amazonaws.com", 21};
    if (flen[0])
        h[nh++] = (http_header_t){"Authorization", 13, f[0], flen[0]};
    if (flen[3])
        h[nh++] = (http_header_t){"X-Amz-Date", 10, f[3], flen[3]};
    if (flen[4])
        h[nh++] = (http_header_t){"X-Amz-Security-Token", 20, f[4], flen[4]};
    req = (sigv4_request_t){"GET", 3, f[2], flen[2], f[1], flen[1], h, nh};

    rc = sigv4_parse(&req, &auth);
    if (rc != 0) {
        if (rc < SIGV4_ETOOLONG || rc > SIGV4_ENOAUTH || rc == SIGV4_EMISMATCH ||
            rc == SIGV4_EEXPIRED)
            abort();
        return 0;
    }
    check_auth(&auth);
    for (rules = SIGV4_PATH_NORMALIZED; rules <= SIGV4_PATH_UNNORMALIZED;
         rules++) {
        char *c = sigv4_canonical_request(&req, &auth, rules, "UNSIGNED-PAYLOAD");
        char *s = c ? sigv4_string_to_sign(&auth, c) : NULL;
        free(c);
        free(s);
    }
    rc = sigv4_verify(&req, &auth, "secret", SIGV4_PATH_S3, "UNSIGNED-PAYLOAD",
                      1440938160L);
    if (rc == 0) /* a random signature does not verify */
        abort();
    return 0;
}
