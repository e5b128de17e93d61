/* payload.h — checks a buffered request body against what the request's head
 * declares, before any operation sees it: S3's x-amz-content-sha256 (a hex
 * SHA-256, UNSIGNED-PAYLOAD, or an aws-chunked STREAMING-* body, decoded here
 * with its chunk signatures verified when a signing key is given),
 * Content-MD5 and x-amz-checksum-*. A body that fails is never handed on. */
#ifndef AWSEMU_PAYLOAD_H
#define AWSEMU_PAYLOAD_H

#include <stddef.h>

#include "emulator/http.h"

/* What a failed check answers (S3's codes and messages). */
typedef struct {
    int status;
    char code[48];
    char msg[320];
} payload_err_t;

/* Chunk-signature verification of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD
 * body: the request's signing key, date, scope and header signature. */
typedef struct {
    int verify;
    unsigned char signing_key[32];
    char amz_date[17];
    char scope[160];
    char seed_sig[65];
    int object_checksum; /* x-amz-checksum-* names the object the request
                            makes, not this body (OP_OBJECT_CHECKSUM) */
} payload_sig_t;

/* Kinds of x-amz-content-sha256 value. */
enum payload_decl {
    PAYLOAD_NONE = 0,     /* header absent */
    PAYLOAD_SHA256,       /* 64 hex digits */
    PAYLOAD_UNSIGNED,     /* UNSIGNED-PAYLOAD */
    PAYLOAD_STREAMING,    /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] */
    PAYLOAD_STREAMING_UNSIGNED, /* STREAMING-UNSIGNED-PAYLOAD-TRAILER */
    PAYLOAD_STREAMING_ECDSA,    /* STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER] */
    PAYLOAD_INVALID       /* anything else: S3 refuses it */
};

/* Classifies an x-amz-content-sha256 value (v: n bytes, NULL when absent). */
enum payload_decl payload_declared(const char *v, size_t n);

/* Head-time check of an S3 request's x-amz-content-sha256 value. Returns 0,
 * or -1 with err set (InvalidArgument for a value S3 does not know,
 * NotImplemented for SigV4a's ECDSA streams). */
int payload_check_declared(const http_req_t *h, payload_err_t *err /* OUT */);

/* Checks the buffered body of an S3 request (h->body, complete) against its
 * head: aws-chunked bodies are decoded in place (h->body then holds the
 * payload; sig, when non-NULL and verify is set, checks chunk and trailer
 * signatures), then x-amz-content-sha256, Content-MD5 and the
 * x-amz-checksum-* header or trailer are compared with the bytes. Returns
 * 0, or -1 with err set: XAmzContentSHA256Mismatch, BadDigest,
 * InvalidDigest, InvalidRequest, IncompleteBody, SignatureDoesNotMatch. */
int payload_check_s3(http_req_t *h, const payload_sig_t *sig, payload_err_t *err /* OUT */);

#endif
