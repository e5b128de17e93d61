/* fuzz_sigv2.c — fuzz target for the SigV2 (S3) parser and the string to
 * sign that follows it. Input: up to six '\n'-separated fields:
 *   Authorization value (empty: no header) \n query \n path \n
 *   Date value \n x-amz-* header "name:value" \n bucket (empty: path-style)
 * Seeds: tests/fuzz/corpus/fuzz_sigv2/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz/sigv2.h"

#define NFIELDS 6

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *f[NFIELDS] = {"", "", "/", "", "", ""};
    size_t flen[NFIELDS] = {0, 0, 1, 0, 0, 0};
    const char *p = (const char *)data, *end = p + size;
    char bucket[64];
    http_header_t h[5];
    sigv4_request_t req;
    sigv2_auth_t auth;
    size_t i, nh = 0;
    char *sts;
    int rc;

    for (i = 0; i < NFIELDS && p <= end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        f[i] = p;
        flen[i] = (size_t)(e - p);
        if (!nl)
            break;
        p = nl + 1;
    }
    h[nh++] = (http_header_t){"Host", 4, "example.s3.amazonaws.com", 24};
    if (flen[0])
        h[nh++] = (http_header_t){"Authorization", 13, f[0], flen[0]};
    if (flen[3])
        h[nh++] = (http_header_t){"Date", 4, f[3], flen[3]};
    if (flen[4]) {
        const char *colon = memchr(f[4], ':', flen[4]);
        size_t nl = colon ? (size_t)(colon - f[4]) : flen[4];
        h[nh++] = (http_header_t){f[4], nl, colon ? colon + 1 : "", colon ? flen[4] - nl - 1 : 0};
        h[nh++] = (http_header_t){"X-Amz-Meta-Seed", 15, "v", 1};
    }
    req = (sigv4_request_t){"GET", 3, f[2], flen[2], f[1], flen[1], h, nh};
    i = flen[5] < sizeof bucket - 1 ? flen[5] : sizeof bucket - 1;
    memcpy(bucket, f[5], i);
    bucket[i] = '\0';
    if (memchr(bucket, '\0', i))
        bucket[0] = '\0';

    {
        long long t;
        rc = sigv2_request_time(&req, &t);
        if (rc != 0 && rc != SIGV2_EMISSINGDATE)
            abort();
    }
    rc = sigv2_parse(&req, &auth);
    if (rc != 0) {
        if (rc != SIGV2_ENOAUTH && rc != SIGV2_EMALFORMED && rc != SIGV2_ETOOLONG)
            abort();
        return 0;
    }
    /* every field NUL-terminated inside its buffer */
    if (strnlen(auth.access_key, sizeof auth.access_key) == sizeof auth.access_key ||
        !auth.access_key[0] || !auth.signature[0] ||
        strnlen(auth.signature, sizeof auth.signature) == sizeof auth.signature ||
        strnlen(auth.security_token, sizeof auth.security_token) == sizeof auth.security_token ||
        (auth.presigned ? auth.expires < 0 : auth.expires != -1))
        abort();
    sts = sigv2_string_to_sign(&req, &auth, bucket[0] ? bucket : NULL);
    if (sts && strncmp(sts, "GET\n", 4) != 0)
        abort();
    free(sts);
    rc = sigv2_verify(&req, &auth, "secret", bucket[0] ? bucket : NULL, 0);
    if (rc == 0 && strlen(auth.signature) == 28) {
        /* a random signature does not verify (unless it is the right one) */
        char *s2 = sigv2_string_to_sign(&req, &auth, bucket[0] ? bucket : NULL);
        char want[29];
        if (!s2 || sigv2_sign("secret", s2, strlen(s2), want) != 0 ||
            strcmp(want, auth.signature) != 0)
            abort();
        free(s2);
    } else if (rc == 0) {
        abort();
    }
    return 0;
}
