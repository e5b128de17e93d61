/* sigv2.h — AWS Signature Version 2 as S3 verifies it: parse the
 * "Authorization: AWS AK:signature" header or the AWSAccessKeyId /
 * Signature / Expires query, rebuild the StringToSign, verify the
 * HMAC-SHA1. S3 only; no global state; sigv2_parse does not allocate. */
#ifndef AWSEMU_SIGV2_H
#define AWSEMU_SIGV2_H

#include <stddef.h>

#include "authz/sigv4.h" /* sigv4_request_t, SIGV4_TOKEN_MAX */

/* Error codes (negative). */
#define SIGV2_ENOAUTH (-1)     /* no SigV2 credentials in the request */
#define SIGV2_EMALFORMED (-2)  /* header not "AWS AK:sig", query parameters
                                  missing, repeated or invalid */
#define SIGV2_EMISSINGDATE (-3) /* header auth without a valid Date or
                                   x-amz-date */
#define SIGV2_EMISMATCH (-4)   /* SignatureDoesNotMatch */
#define SIGV2_EEXPIRED (-5)    /* query auth past Expires */
#define SIGV2_ETOOLONG (-6)    /* a field is over its cap */
#define SIGV2_EINTERNAL (-7)   /* out of memory / crypto failure */

#define SIGV2_AUTH_HEADER_MAX 1024 /* bytes of an "AWS AK:sig" value */
#define SIGV2_AMZ_HEADERS_MAX 128  /* x-amz-* headers and parameters signed */
#define SIGV2_SUBRESOURCES_MAX 64  /* sub-resource parameters signed */

/* Parsed credentials; strings NUL-terminated and decoded. */
typedef struct {
    int presigned;          /* 1: query auth, 0: Authorization header */
    char access_key[129];
    char signature[65];     /* base64, as sent */
    long long expires;      /* query auth: Expires (epoch seconds); -1 */
    char security_token[SIGV4_TOKEN_MAX + 1]; /* x-amz-security-token
                                                 header, else query; "" */
} sigv2_auth_t;

/* Finds SigV2 credentials in req: an Authorization header "AWS AK:sig", or
 * the query parameters AWSAccessKeyId, Signature and Expires (all three,
 * once each). Syntax only; more than SIGV2_AMZ_HEADERS_MAX x-amz-* headers
 * or SIGV2_SUBRESOURCES_MAX sub-resources is SIGV2_ETOOLONG. Returns 0, SIGV2_ENOAUTH (none, or SigV4 ones),
 * SIGV2_EMALFORMED or SIGV2_ETOOLONG. Does not allocate. */
int sigv2_parse(const sigv4_request_t *req, sigv2_auth_t *out /* OUT */);

/* The StringToSign: METHOD \n Content-MD5 \n Content-Type \n (Expires |
 * Date, "" when x-amz-date is sent) \n CanonicalizedAmzHeaders
 * CanonicalizedResource. bucket: the bucket of a virtual-hosted request
 * (the resource is "/" bucket + raw path), NULL for path-style (a
 * bucket-only path "/b" signs as "/b/", as botocore does). Returns a
 * string the caller frees with free(), or NULL (out of memory, over the
 * caps sigv2_parse checks, over 1 MiB). */
char *sigv2_string_to_sign(const sigv4_request_t *req, const sigv2_auth_t *auth,
                           const char *bucket);

/* b64 = base64 HMAC-SHA1(secret, msg). Returns 0 or SIGV2_EINTERNAL. */
int sigv2_sign(const char *secret, const char *msg, size_t len, char b64[29] /* OUT */);

/* Header auth: the request time from x-amz-date, else Date (RFC 1123,
 * "GMT", "UTC" or "+0000"), as epoch seconds. Returns 0 or
 * SIGV2_EMISSINGDATE. */
int sigv2_request_time(const sigv4_request_t *req, long long *t /* OUT */);

/* 1 when query auth is past its Expires at now (epoch seconds). */
int sigv2_expired(const sigv2_auth_t *auth, long long now);

/* Whole check: expiry first (query auth), then the signature recomputed
 * with secret, compared in constant time. Returns 0, SIGV2_EEXPIRED,
 * SIGV2_EMISMATCH or SIGV2_EINTERNAL. */
int sigv2_verify(const sigv4_request_t *req, const sigv2_auth_t *auth,
                 const char *secret, const char *bucket, long long now);

#endif
