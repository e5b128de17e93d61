/* payload.c — a buffered body checked against its head before use. */
#include "emulator/payload.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "emulator/awschunked.h"
#include "base/checksum.h"
#include "base/codec.h"

/* AWS's text for a value it does not know (as S3 answers it). */
#define BAD_DECL                                                                                   \
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "          \
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "             \
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "  \
    "or a valid sha256 value."

static int fail(payload_err_t *err, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(payload_err_t *err, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    err->status = status;
    str_copy(err->code, sizeof err->code, code);
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_hex64(const char *v, size_t n)
{
    size_t i;

    if (n != 64)
        return 0;
    for (i = 0; i < n; i++)
        if (codec_hexval(v[i]) < 0)
            return 0;
    return 1;
}

static int is(const char *v, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(v, lit, n) == 0;
}

enum payload_decl payload_declared(const char *v, size_t n)
{
    if (v == NULL)
        return PAYLOAD_NONE;
    if (is_hex64(v, n))
        return PAYLOAD_SHA256;
    if (is(v, n, "UNSIGNED-PAYLOAD"))
        return PAYLOAD_UNSIGNED;
    if (is(v, n, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") ||
        is(v, n, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"))
        return PAYLOAD_STREAMING;
    if (is(v, n, "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
        return PAYLOAD_STREAMING_UNSIGNED;
    if (is(v, n, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") ||
        is(v, n, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"))
        return PAYLOAD_STREAMING_ECDSA;
    return PAYLOAD_INVALID;
}

int payload_check_declared(const http_req_t *h, payload_err_t *err)
{
    size_t n = 0;
    const char *v = http_header(h, "x-amz-content-sha256", &n);

    switch (payload_declared(v, n)) {
    case PAYLOAD_INVALID:
        return fail(err, 400, "InvalidArgument", "%s", BAD_DECL);
    case PAYLOAD_STREAMING_ECDSA:
        /* SigV4a (multi-Region access points): nothing here can verify it */
        return fail(err, 501, "NotImplemented",
                    "The AWS4-ECDSA-P256-SHA256 streaming signature (SigV4a) is not implemented.");
    default:
        return 0;
    }
}

static int collect(void *arg, const uint8_t *p, size_t n)
{
    return buf_add(arg, p, n) == 0 ? 0 : -1;
}

/* Decodes an aws-chunked body into a new buffer that replaces h->body. */
static int dechunk(http_req_t *h, const payload_sig_t *sig, awschunked_t *ac, payload_err_t *err)
{
    buf_t out;
    ssize_t rc;

    buf_init(&out, h->body.cap);
    awschunked_init(ac);
    if (sig && sig->verify) {
        ac->verify = 1;
        memcpy(ac->signing_key, sig->signing_key, sizeof ac->signing_key);
        str_copy(ac->amz_date, sizeof ac->amz_date, sig->amz_date);
        str_copy(ac->scope, sizeof ac->scope, sig->scope);
        str_copy(ac->prev_sig, sizeof ac->prev_sig, sig->seed_sig);
    }
    rc = awschunked_feed(ac, (const uint8_t *)(h->body.data ? h->body.data : ""), h->body.len,
                         collect, &out);
    OPENSSL_cleanse(ac->signing_key, sizeof ac->signing_key);
    if (rc == AWSCHUNKED_BADSIG) {
        buf_free(&out);
        return fail(err, 403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your key and signing method.");
    }
    if (rc < 0 || !ac->done || (size_t)rc != h->body.len) {
        buf_free(&out);
        return fail(err, 400, "IncompleteBody",
                    "The request body's aws-chunked encoding is malformed or incomplete.");
    }
    {
        char dlen[32];
        if (http_header_copy(h, "x-amz-decoded-content-length", dlen, sizeof dlen)) {
            char *end;
            unsigned long long want = strtoull(dlen, &end, 10);
            if (*end || end == dlen || want != (unsigned long long)out.len) {
                buf_free(&out);
                return fail(err, 400, "IncompleteBody",
                            "You did not provide the number of bytes specified by the "
                            "x-amz-decoded-content-length HTTP header.");
            }
        }
    }
    buf_free(&h->body);
    h->body = out;
    return 0;
}

/* Content-MD5, when given: base64 of 16 bytes matching the body's MD5. */
static int check_md5(const http_req_t *h, payload_err_t *err)
{
    char want[64], got[32];
    uint8_t raw[64], md[CHECKSUM_MAX_DIGEST];
    size_t mdlen;
    checksum_t c;

    if (!http_header_copy(h, "Content-MD5", want, sizeof want))
        return 0;
    if (strlen(want) != 24 || codec_b64_decode(want, 24, raw) != 16)
        return fail(err, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
    if (checksum_init(&c, CHECKSUM_MD5) != 0)
        return fail(err, 500, "InternalError", "We encountered an internal error. Please try again.");
    checksum_update(&c, h->body.data ? h->body.data : "", h->body.len);
    checksum_final(&c, md, &mdlen);
    codec_b64_encode(md, 16, got);
    if (strcmp(got, want) != 0)
        return fail(err, 400, "BadDigest",
                    "The Content-MD5 you specified did not match what we received.");
    return 0;
}

/* Compares the body's digest under alg with want (base64); what names the
 * value in the error text ("header", "trailing header"). */
static int compare_checksum(const http_req_t *h, checksum_alg_t alg, const char *want,
                            const char *what, payload_err_t *err)
{
    uint8_t raw[64], md[CHECKSUM_MAX_DIGEST];
    char got[48];
    size_t mdlen;
    checksum_t c;

    if (strlen(want) > 60 || codec_b64_decode(want, strlen(want), raw) != (long)checksum_len(alg))
        return fail(err, 400, "InvalidRequest", "Value for %s %s is invalid.",
                    checksum_header_name(alg), what);
    if (checksum_init(&c, alg) != 0)
        return fail(err, 500, "InternalError", "We encountered an internal error. Please try again.");
    checksum_update(&c, h->body.data ? h->body.data : "", h->body.len);
    checksum_final(&c, md, &mdlen);
    checksum_b64(md, mdlen, got);
    if (strcmp(got, want) != 0)
        return fail(err, 400, "BadDigest",
                    "The %s you specified did not match the calculated checksum.",
                    checksum_alg_name(alg));
    return 0;
}

/* The x-amz-checksum-* value, from a header or the aws-chunked trailer
 * (ac: the decoder, NULL when the body was not aws-chunked). */
static int check_checksum(const http_req_t *h, const awschunked_t *ac, payload_err_t *err)
{
    checksum_alg_t a, alg = CHECKSUM_NONE;
    char trailer[80] = "", value[160];
    int from_head = 0;

    http_header_copy(h, "x-amz-trailer", trailer, sizeof trailer);
    for (a = CHECKSUM_CRC32; a <= CHECKSUM_SHA256; a++) {
        const char *name = checksum_header_name(a);
        int in_head = http_header(h, name, NULL) != NULL;
        if (!in_head && strcasecmp(trailer, name) != 0)
            continue;
        if (alg != CHECKSUM_NONE)
            return fail(err, 400, "InvalidRequest",
                        "Expecting a single x-amz-checksum- header. Multiple checksum Types are "
                        "not allowed.");
        alg = a;
        from_head = in_head;
    }
    if (alg == CHECKSUM_NONE)
        return 0;
    if (from_head) {
        http_header_copy(h, checksum_header_name(alg), value, sizeof value);
        return compare_checksum(h, alg, value, "header", err);
    }
    {
        const char *want = ac ? awschunked_trailer(ac, checksum_header_name(alg)) : NULL;
        if (want == NULL)
            return fail(err, 400, "MalformedTrailerError",
                        "The request contained trailing data that was not well-formed or did not "
                        "conform to our published schema.");
        return compare_checksum(h, alg, want, "trailing header", err);
    }
}

int payload_check_s3(http_req_t *h, const payload_sig_t *sig, payload_err_t *err)
{
    size_t n = 0;
    const char *v = http_header(h, "x-amz-content-sha256", &n);
    enum payload_decl d = payload_declared(v, n);
    char enc[128] = "";
    awschunked_t ac;
    int chunked, rc = 0;

    memset(&ac, 0, sizeof ac);
    if (payload_check_declared(h, err) != 0)
        return -1;
    http_header_copy(h, "Content-Encoding", enc, sizeof enc);
    chunked = d == PAYLOAD_STREAMING || d == PAYLOAD_STREAMING_UNSIGNED || strstr(enc, "aws-chunked");
    if (chunked) {
        rc = dechunk(h, d == PAYLOAD_STREAMING ? sig : NULL, &ac, err);
        awschunked_free(&ac);
        if (rc != 0)
            return -1;
    } else if (d == PAYLOAD_SHA256) {
        uint8_t md[32];
        char hex[65];
        codec_sha256(h->body.data ? h->body.data : "", h->body.len, md);
        codec_hex(md, sizeof md, hex);
        if (strncasecmp(hex, v, 64) != 0)
            return fail(err, 400, "XAmzContentSHA256Mismatch",
                        "The provided 'x-amz-content-sha256' header does not match what was "
                        "computed.");
    }
    if (check_md5(h, err) != 0 ||
        ((sig == NULL || !sig->object_checksum) && check_checksum(h, chunked ? &ac : NULL, err) != 0))
        return -1;
    return 0;
}
