/* s3_upload.c — the streaming upload pipeline of PutObject and UploadPart:
 * the HTTP layer's body sink (aws-chunked decoding, chunk signatures),
 * digests (MD5, x-amz-content-sha256, x-amz-checksum-*), the framed cipher,
 * and where sealed bytes go (memory, spilling to a blob file). */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/sigv4.h"
#include "base/buf.h"
#include "base/codec.h"
#include "emulator/http.h"


size_t s3_inline_cap(void)
{
    return (size_t)frames_sealed_size(S3_INLINE_MAX, FRAMES_DEFAULT_FRAME);
}

int s3_sealed_init(s3_sealed_t *out, blob_store_t *bs, size_t cap, size_t hint)
{
    memset(out, 0, sizeof *out);
    out->bs = bs;
    out->cap = cap;
    if (cap == 0)
        return (out->bw = blob_begin(bs)) != NULL ? 0 : -1;
    if (hint > 0 && hint <= cap) {
        if ((out->mem = malloc(hint)) == NULL)
            return -1;
        out->alloc = hint;
    }
    return 0;
}

/* Moves what memory holds into a new blob file. */
static int spill(s3_sealed_t *out)
{
    if ((out->bw = blob_begin(out->bs)) == NULL)
        return -1;
    if (out->len && blob_write(out->bw, out->mem, out->len) != 0)
        return -1;
    free(out->mem);
    out->mem = NULL;
    out->len = out->alloc = 0;
    return 0;
}

int s3_sealed_write(void *arg, const uint8_t *p, size_t n)
{
    s3_sealed_t *out = arg;

    if (out->err)
        return -1;
    if (out->bw == NULL && n > out->cap - out->len && spill(out) != 0)
        return out->err = -1;
    if (out->bw)
        return blob_write(out->bw, p, n) == 0 ? 0 : (out->err = -1);
    if (out->len + n > out->alloc) {
        size_t want = out->alloc ? out->alloc * 2 : 8192;
        uint8_t *m;
        while (want < out->len + n)
            want *= 2;
        if (want > out->cap)
            want = out->cap;
        if ((m = realloc(out->mem, want)) == NULL)
            return out->err = -1;
        out->mem = m;
        out->alloc = want;
    }
    memcpy(out->mem + out->len, p, n);
    out->len += n;
    return 0;
}

int s3_sealed_finish(s3_sealed_t *out, char blob_id[BLOB_ID_LEN + 1], uint8_t **body,
                     size_t *body_len)
{
    int rc = -1;

    blob_id[0] = '\0';
    *body = NULL;
    *body_len = 0;
    if (out->err) {
        s3_sealed_abort(out);
        return -1;
    }
    if (out->bw) {
        rc = blob_commit(out->bw, blob_id) == 0 ? 0 : -1;
        out->bw = NULL;
    } else if (out->len > 0) {
        *body = out->mem;
        *body_len = out->len;
        out->mem = NULL;
        rc = 0;
    }
    s3_sealed_abort(out);
    return rc;
}

void s3_sealed_abort(s3_sealed_t *out)
{
    if (out->bw)
        blob_abort(out->bw);
    free(out->mem);
    out->bw = NULL;
    out->mem = NULL;
    out->len = out->alloc = 0;
}

/* ---- the streaming upload pipeline ------------------------------------------ */

void s3_upload_free(s3_upload_t *up)
{
    if (up == NULL)
        return;
    if (up->fs)
        frames_seal_abort(up->fs);
    s3_sealed_abort(&up->out);
    checksum_free(&up->md5);
    checksum_free(&up->sha);
    checksum_free(&up->ck);
    if (up->ac) {
        awschunked_free(up->ac);
        free(up->ac);
    }
    free(up);
}

static int up_fail(s3_upload_t *up, int status, const char *code, const char *msg)
{
    if (!up->failed) {
        up->failed = 1;
        up->fail_status = status;
        str_copy(up->fail_code, sizeof up->fail_code, code);
        str_copy(up->fail_msg, sizeof up->fail_msg, msg);
    }
    return -1;
}

/* Decoded payload bytes: digests, then the cipher into the blob. */
static int payload(void *arg, const uint8_t *p, size_t n)
{
    s3_upload_t *up = arg;

    if (up->size + n > S3_MAX_PUT)
        return up_fail(up, 400, "EntityTooLarge",
                       "Your proposed upload exceeds the maximum allowed size");
    up->size += n;
    if (up->md5_on)
        checksum_update(&up->md5, p, n);
    if (up->sha_on)
        checksum_update(&up->sha, p, n);
    if (up->ck_alg != CHECKSUM_NONE)
        checksum_update(&up->ck, p, n);
    if (frames_seal_update(up->fs, p, n, s3_sealed_write, &up->out) != 0)
        return up_fail(up, 500, "InternalError", "We encountered an internal error writing the object.");
    return 0;
}

/* The HTTP layer's body sink for uploads. */
static int upload_sink(http_req_t *h, const char *data, size_t len)
{
    {
        s3_upload_t *up = h->sink_arg;

        if (up->failed)
            return 0; /* keep draining; the error is answered at the end */
        if (up->ac) {
            ssize_t rc = awschunked_feed(up->ac, (const uint8_t *)data, len, payload, up);
            if (rc == AWSCHUNKED_BADSIG)
                up_fail(up, 403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you "
                        "provided.");
            else if (rc < 0 && !up->failed)
                up_fail(up, 400, "IncompleteBody",
                        "The request body's aws-chunked encoding is malformed.");
            return 0;
        }
        payload(up, (const uint8_t *)data, len);
        return 0;
    }
}

int s3_upload_begin(s3_req_t *s, const char *aad, int part)
{
    http_req_t *h = s->r->http;
    s3_upload_t *up = calloc(1, sizeof *up);
    char sha[80] = "", alg[32] = "", enc[128] = "", dlen[32] = "", trailer[80] = "";
    char name[64];
    checksum_alg_t a;

    if (up == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    s->up = up;
    up->expect_size = UINT64_MAX;
    /* MD5 runs slower than the cipher: compute it only where it is the ETag
     * (SSE-S3 objects, every part) or Content-MD5 asks for it */
    up->md5_on = !strcmp(s->sse.alg, "AES256") || part ||
                 http_header(h, "Content-MD5", NULL) != NULL;
    if (up->md5_on && checksum_init(&up->md5, CHECKSUM_MD5) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    s3_header(s, "x-amz-content-sha256", sha, sizeof sha);
    s3_header(s, "Content-Encoding", enc, sizeof enc);
    s3_header(s, "x-amz-decoded-content-length", dlen, sizeof dlen);
    s3_header(s, "x-amz-trailer", trailer, sizeof trailer);
    if (strlen(sha) == 64) {
        up->sha_on = 1;
        if (checksum_init(&up->sha, CHECKSUM_SHA256) != 0)
            return s3_fail(s, S3_E_INTERNAL);
    }
    /* the checksum algorithm: a header value, the SDK's declaration, or a trailer */
    up->ck_alg = CHECKSUM_NONE;
    for (a = CHECKSUM_CRC32; a <= CHECKSUM_SHA256; a++) {
        str_copy(name, sizeof name, checksum_header_name(a));
        if (http_header(h, name, NULL) || !strcasecmp(trailer, name)) {
            if (up->ck_alg != CHECKSUM_NONE)
                return s3_error(s, 400, "InvalidRequest",
                                "Expecting a single x-amz-checksum- header. Multiple checksum "
                                "Types are not allowed.");
            up->ck_alg = a;
        }
    }
    if (up->ck_alg == CHECKSUM_NONE && s3_header(s, "x-amz-sdk-checksum-algorithm", alg, sizeof alg))
        up->ck_alg = checksum_alg_parse(alg);
    if (up->ck_alg == CHECKSUM_NONE && s3_header(s, "x-amz-checksum-algorithm", alg, sizeof alg))
        up->ck_alg = checksum_alg_parse(alg);
    if (up->ck_alg != CHECKSUM_NONE && checksum_init(&up->ck, up->ck_alg) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (!strncmp(sha, "STREAMING-", 10) || strstr(enc, "aws-chunked")) {
        up->ac = malloc(sizeof *up->ac);
        if (up->ac == NULL)
            return s3_fail(s, S3_E_INTERNAL);
        awschunked_init(up->ac);
        if (dlen[0]) {
            char *end;
            up->expect_size = strtoull(dlen, &end, 10);
            if (*end)
                return s3_error(s, 400, "InvalidArgument", "Invalid x-amz-decoded-content-length.");
        } else if (strncmp(sha, "STREAMING-UNSIGNED", 18) != 0 && !strstr(enc, "aws-chunked")) {
            return s3_fail(s, S3_E_MISSING_LENGTH);
        }
        if (s->r->emu->cfg->iam_enforce && !strncmp(sha, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 34)) {
            /* chunk signatures chain from the request's own signature */
            sigv4_request_t sreq;
            sigv4_auth_t auth;
            memset(&sreq, 0, sizeof sreq);
            sreq.method = h->method;
            sreq.method_len = strlen(h->method);
            sreq.path = h->path;
            sreq.path_len = strlen(h->path);
            sreq.query = h->query;
            sreq.query_len = strlen(h->query);
            sreq.headers = h->head.headers;
            sreq.nheaders = h->head.nheaders;
            if (sigv4_parse(&sreq, &auth) == 0 && s->r->caller_secret) {
                up->ac->verify = 1;
                sigv4_signing_key(s->r->caller_secret, auth.date, auth.region,
                                  auth.service, up->ac->signing_key);
                str_copy(up->ac->amz_date, sizeof up->ac->amz_date, auth.amz_date);
                sigv4_scope(&auth, up->ac->scope, sizeof up->ac->scope);
                str_copy(up->ac->prev_sig, sizeof up->ac->prev_sig, auth.signature);
            }
        }
    } else if (h->content_length < 0 && !h->chunked) {
        return s3_fail(s, S3_E_MISSING_LENGTH);
    }
    if ((uint64_t)(h->content_length > 0 ? h->content_length : 0) > S3_MAX_PUT + (1u << 20))
        return s3_error(s, 400, "EntityTooLarge",
                        "Your proposed upload exceeds the maximum allowed size");
    {
        /* the body's size, when the head tells it, picks memory or a file now */
        uint64_t known = up->ac ? up->expect_size
                                : (!h->chunked && h->content_length >= 0 ? (uint64_t)h->content_length
                                                                         : UINT64_MAX);
        size_t cap = !part && (known == UINT64_MAX || known <= S3_INLINE_MAX) ? s3_inline_cap() : 0;
        size_t hint = cap && known != UINT64_MAX ? (size_t)frames_sealed_size(known, FRAMES_DEFAULT_FRAME) : 0;
        if (s3_sealed_init(&up->out, s->r->emu->blobs, cap, hint) != 0)
            return s3_fail(s, S3_E_INTERNAL);
    }
    up->fs = frames_seal_begin(s->sse.dk, (const uint8_t *)aad, strlen(aad), FRAMES_DEFAULT_FRAME);
    if (up->fs == NULL)
        return s3_fail(s, S3_E_INTERNAL);
    h->sink = upload_sink;
    h->sink_arg = up;
    return 0;
}

int s3_upload_finish(s3_req_t *s, char blob_id[BLOB_ID_LEN + 1], uint8_t **body,
                     size_t *body_len, uint8_t md5[16], char checksum[64])
{
    s3_upload_t *up = s->up;
    http_req_t *h = s->r->http;
    uint8_t dig[CHECKSUM_MAX_DIGEST];
    size_t dlen;
    char hdr[128];

    checksum[0] = '\0';
    blob_id[0] = '\0';
    *body = NULL;
    *body_len = 0;
    if (up->failed)
        return s3_error(s, up->fail_status, up->fail_code, "%s", up->fail_msg);
    if (h->body_error)
        return s3_error(s, 400, "IncompleteBody", "The request body was not received whole.");
    if (up->ac && !up->ac->done)
        return s3_error(s, 400, "IncompleteBody",
                        "You did not provide the number of bytes specified by the Content-Length "
                        "HTTP header.");
    if (up->expect_size != UINT64_MAX && up->expect_size != up->size)
        return s3_error(s, 400, "IncompleteBody",
                        "You did not provide the number of bytes specified by the "
                        "x-amz-decoded-content-length HTTP header.");
    if (up->md5_on) {
        checksum_final(&up->md5, dig, &dlen);
        memcpy(md5, dig, 16);
    } else {
        memset(md5, 0, 16);
    }
    if (s3_header(s, "Content-MD5", hdr, sizeof hdr)) {
        char b64[32];
        codec_b64_encode(md5, 16, b64);
        if (strcmp(b64, hdr) != 0) {
            uint8_t raw[64];
            return s3_error(s, 400, codec_b64_decode(hdr, strlen(hdr), raw) == 16 ? "BadDigest"
                                                                                    : "InvalidDigest",
                            "The Content-MD5 you specified did not match what we received.");
        }
    }
    if (up->sha_on) {
        char hex[65];
        checksum_final(&up->sha, dig, &dlen);
        codec_hex(dig, 32, hex);
        s3_header(s, "x-amz-content-sha256", hdr, sizeof hdr);
        if (strcasecmp(hex, hdr) != 0)
            return s3_error(s, 400, "XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what was "
                            "computed.");
    }
    if (up->ck_alg != CHECKSUM_NONE) {
        const char *want;
        checksum_final(&up->ck, dig, &dlen);
        checksum_b64(dig, dlen, checksum);
        if (s3_header(s, checksum_header_name(up->ck_alg), hdr, sizeof hdr)) {
            want = hdr;
        } else {
            want = up->ac ? awschunked_trailer(up->ac, checksum_header_name(up->ck_alg)) : NULL;
            if (want == NULL && s3_header(s, "x-amz-trailer", hdr, sizeof hdr))
                return s3_error(s, 400, "MalformedTrailerError",
                                "The request contained trailing data that was not well-formed "
                                "or did not conform to our published schema.");
        }
        if (want && strcmp(want, checksum) != 0)
            return s3_error(s, 400, "BadDigest", "The %s you specified did not match the "
                                                 "calculated checksum.",
                            checksum_alg_name(up->ck_alg));
    }
    if (frames_seal_final(up->fs, s3_sealed_write, &up->out) != 0) {
        up->fs = NULL;
        return s3_fail(s, S3_E_INTERNAL);
    }
    up->fs = NULL;
    if (s3_sealed_finish(&up->out, blob_id, body, body_len) != 0)
        return s3_fail(s, S3_E_INTERNAL);
    return 0;
}

