/* sigv4.h — AWS Signature Version 4: parse the Authorization header or a
 * presigned query, rebuild the canonical request, and verify signatures
 * (including aws-chunked chunk and trailer signatures). No global state;
 * sigv4_parse does not allocate. */
#ifndef AWSEMU_SIGV4_H
#define AWSEMU_SIGV4_H

#include <stddef.h>

#include "base/httpparse.h"

/* Error codes (negative). */
#define SIGV4_ENOAUTH (-1)     /* no credentials at all: anonymous request */
#define SIGV4_EMALFORMED (-2)  /* Authorization / X-Amz-* params malformed:
                                  IncompleteSignature,
                                  AuthorizationHeaderMalformed,
                                  AuthorizationQueryParametersError */
#define SIGV4_EMISSINGDATE (-3) /* no (valid) X-Amz-Date or Date */
#define SIGV4_EMISMATCH (-4)   /* SignatureDoesNotMatch */
#define SIGV4_EEXPIRED (-5)    /* presigned URL expired */
#define SIGV4_ETOOLONG (-6)    /* a field is over its cap */
#define SIGV4_EINTERNAL (-7)   /* out of memory / crypto failure */
#define SIGV4_ENOTYET (-8)     /* presigned URL dated in the future */

#define SIGV4_AUTH_HEADER_MAX 8192 /* bytes of Authorization value */
#define SIGV4_TOKEN_MAX 4096       /* bytes of a (decoded) session token */
#define SIGV4_EXPIRES_MAX 604800   /* 7 days, the X-Amz-Expires limit */
#define SIGV4_PRESIGN_SKEW 900     /* a presigned X-Amz-Date may be this far
                                      ahead of the clock (15 minutes, the
                                      skew header-signed requests get) */

/* Path rules for the canonical URI. */
#define SIGV4_PATH_NORMALIZED 0   /* every service but S3: remove "." / ".."
                                     segments and empty segments, then
                                     URI-encode the wire path again */
#define SIGV4_PATH_S3 1           /* S3: decode the wire path, re-encode it
                                     once; no normalization */
#define SIGV4_PATH_UNNORMALIZED 2 /* non-S3 encoding without normalization */

/* The parts of a request SigV4 looks at; all pointers borrow the caller's
 * buffers (typically the httpparse_head_t and its buffer). */
typedef struct {
    const char *method;
    size_t method_len;
    const char *path;  /* raw path as on the wire (percent-encoded), no query */
    size_t path_len;
    const char *query; /* raw query string without '?', may be empty/NULL */
    size_t query_len;
    const http_header_t *headers;
    size_t nheaders;
} sigv4_request_t;

/* Parsed credentials; every string NUL-terminated, decoded. */
typedef struct {
    int presigned;            /* 1 when they came from X-Amz-* query params */
    char access_key[129];
    char date[9];             /* YYYYMMDD from the credential scope */
    char region[64];
    char service[64];
    char amz_date[17];        /* YYYYMMDDTHHMMSSZ: X-Amz-Date or from Date */
    char signed_headers[1024];/* "host;x-amz-date", as sent */
    char signature[65];       /* lowercase hex */
    long expires;             /* presigned X-Amz-Expires, -1 otherwise */
    char security_token[SIGV4_TOKEN_MAX + 1]; /* "" when absent */
} sigv4_auth_t;

/* Finds the credentials of req: an "Authorization: AWS4-HMAC-SHA256
 * Credential=AK/YYYYMMDD/region/service/aws4_request, SignedHeaders=...,
 * Signature=..." header, or the presigned query parameters X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
 * X-Amz-Signature (and X-Amz-Security-Token). Checks the syntax only (host
 * must be signed, scope date must match the request date, Expires in
 * 0..SIGV4_EXPIRES_MAX). Returns 0, SIGV4_ENOAUTH, SIGV4_EMALFORMED,
 * SIGV4_EMISSINGDATE or SIGV4_ETOOLONG. Does not allocate. */
int sigv4_parse(const sigv4_request_t *req, sigv4_auth_t *out /* OUT */);

/* The canonical request text. path_rules: SIGV4_PATH_*. payload_hash: hex
 * SHA-256 of the body, "UNSIGNED-PAYLOAD", or what x-amz-content-sha256
 * says. For presigned auth the X-Amz-Signature parameter is left out of the
 * canonical query. Returns a string the caller frees with free(), or NULL
 * (out of memory, over 1 MiB). */
char *sigv4_canonical_request(const sigv4_request_t *req,
                              const sigv4_auth_t *auth, int path_rules,
                              const char *payload_hash);

/* "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical)>".
 * Caller frees; NULL when out of memory. */
char *sigv4_string_to_sign(const sigv4_auth_t *auth,
                           const char *canonical_request);

/* Writes "date/region/service/aws4_request" into buf. Returns 0 or
 * SIGV4_ETOOLONG when it does not fit in size bytes. */
int sigv4_scope(const sigv4_auth_t *auth, char *buf /* OUT */, size_t size);

/* kSigning = HMAC chain over "AWS4"+secret, date, region, service,
 * "aws4_request". Returns 0, SIGV4_ETOOLONG (secret over 256 bytes) or
 * SIGV4_EINTERNAL. The caller wipes key (OPENSSL_cleanse) after use. */
int sigv4_signing_key(const char *secret, const char *date,
                      const char *region, const char *service,
                      unsigned char key[32] /* OUT */);

/* hex = lowercase hex HMAC-SHA256(key, msg). Returns 0 or SIGV4_EINTERNAL. */
int sigv4_hex_hmac(const unsigned char key[32], const char *msg, size_t len,
                   char hex[65] /* OUT */);

/* Whole check: recomputes the signature with secret and compares it in
 * constant time. For presigned auth also rejects when now (unix seconds)
 * is past X-Amz-Date + X-Amz-Expires; now is unused for header auth.
 * A presigned URL dated more than SIGV4_PRESIGN_SKEW ahead of now is not
 * yet valid; its expiry counts from its own date, never more than
 * SIGV4_EXPIRES_MAX. Every query parameter but X-Amz-Signature is signed:
 * one added after signing (an X-Amz-Security-Token, say) fails. One client
 * quirk is tolerated, tried only after the strict form failed: '+' in the
 * raw query meant as a space. Returns 0, SIGV4_EMISMATCH, SIGV4_EEXPIRED,
 * SIGV4_ENOTYET, SIGV4_EMALFORMED, SIGV4_ETOOLONG or SIGV4_EINTERNAL. */
/* The request's X-Amz-Date as epoch seconds: 0, or -1 when it does not
 * parse. */
int sigv4_request_time(const sigv4_auth_t *auth, long long *t /* OUT */);

/* 1 when presigned auth is past X-Amz-Date + X-Amz-Expires at now. */
int sigv4_presign_expired(const sigv4_auth_t *auth, long now);
/* 1 when presigned auth is dated more than SIGV4_PRESIGN_SKEW after now. */
int sigv4_presign_not_yet_valid(const sigv4_auth_t *auth, long now);

int sigv4_verify(const sigv4_request_t *req, const sigv4_auth_t *auth,
                 const char *secret, int path_rules, const char *payload_hash,
                 long now);

/* aws-chunked: signature of one chunk, chained from prev_sig (the seed
 * signature for the first chunk): HMAC over "AWS4-HMAC-SHA256-PAYLOAD\n"
 * amz_date "\n" scope "\n" prev_sig "\n" sha256("") "\n" sha256(chunk).
 * The final, empty chunk is chunk_len 0. Returns 0, SIGV4_ETOOLONG
 * (amz_date/scope/prev_sig too long) or SIGV4_EINTERNAL. */
int sigv4_chunk_signature(const unsigned char key[32], const char *amz_date,
                          const char *scope, const char *prev_sig,
                          const unsigned char *chunk, size_t chunk_len,
                          char hex[65] /* OUT */);

/* aws-chunked trailer: HMAC over "AWS4-HMAC-SHA256-TRAILER\n" amz_date "\n"
 * scope "\n" prev_sig "\n" sha256(trailer), where trailer is the trailing
 * headers, each as "name:value\n" (LF, not the wire's CRLF), e.g.
 * "x-amz-checksum-crc32:AAAAAA==\n"; prev_sig is the final chunk's
 * signature. Returns as sigv4_chunk_signature. */
int sigv4_trailer_signature(const unsigned char key[32], const char *amz_date,
                            const char *scope, const char *prev_sig,
                            const char *trailer, size_t trailer_len,
                            char hex[65] /* OUT */);

#endif
