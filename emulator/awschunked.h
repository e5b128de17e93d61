/* awschunked.h — resumable decoder of the aws-chunked content encoding that
 * current SDKs use for S3 uploads: "<hex size>[;chunk-signature=<64 hex>]\r\n
 * <data>\r\n" ... "0[;chunk-signature=...]\r\n" then optional trailer lines
 * ("x-amz-checksum-crc32:<b64>\r\n", "x-amz-trailer-signature:<hex>\r\n")
 * and a final "\r\n". Non-allocating; input may be split anywhere. */
#ifndef AWSEMU_AWSCHUNKED_H
#define AWSEMU_AWSCHUNKED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AWSCHUNKED_ERROR (-1)   /* malformed framing */
#define AWSCHUNKED_BADSIG (-2)  /* a chunk or trailer signature did not verify */
#define AWSCHUNKED_TOOBIG (-3)  /* a line or the trailer section over its cap */

#define AWSCHUNKED_MAX_TRAILERS 8

typedef struct {
    /* configuration, set before the first feed */
    int verify;                      /* 1: check chunk signatures (signed payloads) */
    unsigned char signing_key[32];   /* sigv4_signing_key for the request's scope */
    char amz_date[17];
    char scope[160];                 /* date/region/service/aws4_request */
    char prev_sig[65];               /* seed: the request's header signature */

    /* results, valid when done */
    int done;
    uint64_t decoded_len;            /* payload bytes emitted so far */
    struct {
        char name[64];               /* lower-case, e.g. "x-amz-checksum-crc32" */
        char value[160];
    } trailers[AWSCHUNKED_MAX_TRAILERS];
    int ntrailers;

    /* internal state */
    int state;
    uint64_t remaining;
    char line[512];
    size_t line_len;
    char chunk_sig[65];
    void *sha;                       /* running SHA-256 of the current chunk (verify) */
} awschunked_t;

/* Zeroes st; the caller then fills the configuration fields. */
void awschunked_init(awschunked_t *st);
/* Releases what feed allocated (the running hash), also on errors. */
void awschunked_free(awschunked_t *st);

/* Decodes in into emit(arg, payload, n) calls (payload bytes only).
 * Returns the number of input bytes consumed (all of them unless the
 * encoding ended: then the rest belongs to nobody and is an error for the
 * caller to decide), or a negative AWSCHUNKED_* code; emit's non-zero
 * return stops decoding and is returned. st->done is set after the final
 * CRLF. */
ssize_t awschunked_feed(awschunked_t *st, const uint8_t *in, size_t n,
                        int (*emit)(void *arg, const uint8_t *p, size_t n), void *arg);

/* The value of trailer name (lower-case) or NULL. */
const char *awschunked_trailer(const awschunked_t *st, const char *name);

#endif
