/* test_payload.c — payload_check_s3 and payload_check_declared: a buffered
 * body against x-amz-content-sha256, Content-MD5, x-amz-checksum-* and the
 * aws-chunked encoding. Digests computed independently (known vectors). */
#include <stdlib.h>
#include <string.h>

#include "emulator/payload.h"
#include "unit.h"

/* A request whose head is `head` (header lines only, CRLF-separated, no
 * request line) and whose buffered body is body[0..n). */
typedef struct {
    char raw[4096];
    http_req_t req;
} fake_t;

static void fake(fake_t *f, const char *head, const void *body, size_t n)
{
    memset(f, 0, sizeof *f);
    snprintf(f->raw, sizeof f->raw, "PUT /b?tagging HTTP/1.1\r\nHost: x\r\n%s\r\n", head);
    CHECK(httpparse_head(f->raw, strlen(f->raw), &f->req.head) > 0);
    buf_init(&f->req.body, 1 << 20);
    if (n)
        buf_add(&f->req.body, body, n);
}

static int check(const char *head, const char *body, const char *want_code)
{
    fake_t f;
    payload_err_t e;
    int rc;

    memset(&e, 0, sizeof e);
    fake(&f, head, body, strlen(body));
    rc = payload_check_s3(&f.req, NULL, &e);
    buf_free(&f.req.body);
    if (want_code == NULL)
        return rc == 0;
    if (rc == 0 || strcmp(e.code, want_code) != 0) {
        fprintf(stderr, "  head [%s]: got %s, want %s\n", head, rc ? e.code : "ok", want_code);
        return 0;
    }
    return 1;
}

/* sha256("abc"), md5("abc"), crc32("abc") = 0x352441c2, sha1("abc") */
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MD5_ABC "kAFQmDzST7DWlj99KOF/cg=="
#define CRC32_ABC "NSRBwg=="
#define SHA1_ABC "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="

int main(void)
{
    /* declarations */
    CHECK(payload_declared(NULL, 0) == PAYLOAD_NONE);
    CHECK(payload_declared(SHA_ABC, 64) == PAYLOAD_SHA256);
    CHECK(payload_declared("UNSIGNED-PAYLOAD", 16) == PAYLOAD_UNSIGNED);
    CHECK(payload_declared("unsigned-payload", 16) == PAYLOAD_INVALID);
    CHECK(payload_declared("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 34) == PAYLOAD_STREAMING);
    CHECK(payload_declared("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", 42) == PAYLOAD_STREAMING);
    CHECK(payload_declared("STREAMING-UNSIGNED-PAYLOAD-TRAILER", 34) == PAYLOAD_STREAMING_UNSIGNED);
    CHECK(payload_declared("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", 40) == PAYLOAD_STREAMING_ECDSA);
    CHECK(payload_declared(SHA_ABC, 63) == PAYLOAD_INVALID);
    CHECK(payload_declared("", 0) == PAYLOAD_INVALID);

    /* x-amz-content-sha256 */
    CHECK(check("x-amz-content-sha256: " SHA_ABC "\r\n", "abc", NULL));
    CHECK(check("x-amz-content-sha256: " SHA_ABC "\r\n", "abd", "XAmzContentSHA256Mismatch"));
    CHECK(check("x-amz-content-sha256: " SHA_ABC "\r\n", "", "XAmzContentSHA256Mismatch"));
    CHECK(check("x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n", "anything", NULL));
    CHECK(check("x-amz-content-sha256: sha256-please\r\n", "abc", "InvalidArgument"));
    CHECK(check("x-amz-content-sha256: STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD\r\n", "abc",
                "NotImplemented"));
    CHECK(check("", "no header at all", NULL));

    /* Content-MD5 */
    CHECK(check("Content-MD5: " MD5_ABC "\r\n", "abc", NULL));
    CHECK(check("Content-MD5: " MD5_ABC "\r\n", "abcd", "BadDigest"));
    CHECK(check("Content-MD5: kAFQmDzST7DWlj99KOF\r\n", "abc", "InvalidDigest"));
    CHECK(check("Content-MD5: !!!!!!!!!!!!!!!!!!!!!!!!\r\n", "abc", "InvalidDigest"));

    /* x-amz-checksum-* */
    CHECK(check("x-amz-checksum-crc32: " CRC32_ABC "\r\n", "abc", NULL));
    CHECK(check("x-amz-checksum-crc32: " CRC32_ABC "\r\n", "abC", "BadDigest"));
    CHECK(check("x-amz-checksum-sha1: " SHA1_ABC "\r\n", "abc", NULL));
    CHECK(check("x-amz-checksum-sha1: " CRC32_ABC "\r\n", "abc", "InvalidRequest"));
    CHECK(check("x-amz-checksum-crc32: " CRC32_ABC "\r\nx-amz-checksum-sha1: " SHA1_ABC "\r\n",
                "abc", "InvalidRequest"));
    /* every check must pass, not just the first */
    CHECK(check("x-amz-content-sha256: " SHA_ABC "\r\nContent-MD5: " MD5_ABC
                "\r\nx-amz-checksum-crc32: AAAAAA==\r\n",
                "abc", "BadDigest"));

    /* aws-chunked, unsigned with a trailer: decoded in place */
    {
        const char *head = "x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n"
                           "Content-Encoding: aws-chunked\r\nx-amz-decoded-content-length: 3\r\n"
                           "x-amz-trailer: x-amz-checksum-crc32\r\n";
        const char *enc = "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:" CRC32_ABC "\r\n\r\n";
        fake_t f;
        payload_err_t e;
        fake(&f, head, enc, strlen(enc));
        CHECK(payload_check_s3(&f.req, NULL, &e) == 0);
        CHECK(f.req.body.len == 3 && memcmp(f.req.body.data, "abc", 3) == 0);
        buf_free(&f.req.body);

        CHECK(check(head, "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", "BadDigest"));
    }
    /* CompleteMultipartUpload's x-amz-checksum-* names the object, not the body */
    {
        fake_t f;
        payload_err_t e;
        payload_sig_t sig;
        memset(&sig, 0, sizeof sig);
        sig.object_checksum = 1;
        fake(&f, "x-amz-checksum-crc32: AAAAAA==\r\n", "abc", 3);
        CHECK(payload_check_s3(&f.req, &sig, &e) == 0);
        sig.object_checksum = 0;
        CHECK(payload_check_s3(&f.req, &sig, &e) == -1 && !strcmp(e.code, "BadDigest"));
        buf_free(&f.req.body);
    }
    {
        const char *head = "x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n"
                           "Content-Encoding: aws-chunked\r\nx-amz-decoded-content-length: 3\r\n"
                           "x-amz-trailer: x-amz-checksum-crc32\r\n";
        CHECK(check(head, "3\r\nabc\r\n0\r\n\r\n", "MalformedTrailerError"));
        CHECK(check(head, "3\r\nab", "IncompleteBody"));
        CHECK(check(head, "4\r\nabcd\r\n0\r\nx-amz-checksum-crc32:" CRC32_ABC "\r\n\r\n",
                    "IncompleteBody"));
        CHECK(check(head, "zz\r\nabc\r\n", "IncompleteBody"));
    }

    /* signed chunks without a signing key are refused, never trusted */
    {
        const char *head = "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n"
                           "Content-Encoding: aws-chunked\r\n";
        const char *enc = "3;chunk-signature=0000000000000000000000000000000000000000000000000000000000000000"
                          "\r\nabc\r\n0;chunk-signature=00000000000000000000000000000000000000000000"
                          "00000000000000000000\r\n\r\n";
        fake_t f;
        payload_err_t e;
        payload_sig_t sig;
        memset(&sig, 0, sizeof sig);
        sig.verify = 1;
        snprintf(sig.amz_date, sizeof sig.amz_date, "20260101T000000Z");
        snprintf(sig.scope, sizeof sig.scope, "20260101/us-east-1/s3/aws4_request");
        memset(sig.seed_sig, 'a', 64);
        fake(&f, head, enc, strlen(enc));
        CHECK(payload_check_s3(&f.req, &sig, &e) == -1);
        CHECK_STR(e.code, "SignatureDoesNotMatch");
        buf_free(&f.req.body);
    }
    return unit_report("payload");
}
