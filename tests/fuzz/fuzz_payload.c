/* fuzz_payload.c — fuzz target for payload_check_s3: the buffered body of an
 * S3 request against its declared digests. Input: a block of header lines
 * (up to the first blank line "\n\n"), then the body. Byte 0's low bit asks
 * for chunk-signature verification with a fixed key. Invariants: never a
 * crash or leak; on success with an aws-chunked declaration the body did
 * not grow; on failure the error has a status, a code and a message. */
#include "emulator/payload.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_payload:%d: invariant failed: %s\n",         \
                    __LINE__, #c);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char head[8192];
    const uint8_t *sep = NULL;
    size_t hlen, i, o = 0;
    http_req_t req;
    payload_sig_t sig;
    payload_err_t err;
    int rc;

    if (size < 1)
        return 0;
    for (i = 1; i + 1 < size; i++)
        if (data[i] == '\n' && data[i + 1] == '\n') {
            sep = data + i;
            break;
        }
    hlen = sep ? (size_t)(sep - data) - 1 : 0;
    o = (size_t)snprintf(head, sizeof head, "PUT /b?tagging HTTP/1.1\r\nHost: x\r\n");
    /* header lines: "\n"-separated in the input, CRLF on the wire */
    for (i = 0; i < hlen && o + 4 < sizeof head; i++) {
        uint8_t c = data[1 + i];
        if (c == '\n') {
            head[o++] = '\r';
            head[o++] = '\n';
        } else if (c != '\r' && c != '\0') {
            head[o++] = (char)c;
        }
    }
    if (o + 5 >= sizeof head)
        return 0;
    memcpy(head + o, "\r\n\r\n", 4);
    o += 4;
    memset(&req, 0, sizeof req);
    if (httpparse_head(head, o, &req.head) <= 0)
        return 0;
    buf_init(&req.body, 1 << 20);
    if (sep && buf_add(&req.body, sep + 2, size - (size_t)(sep + 2 - data)) != 0) {
        buf_free(&req.body);
        return 0;
    }
    memset(&sig, 0, sizeof sig);
    if (data[0] & 1) {
        sig.verify = 1;
        memset(sig.signing_key, 7, sizeof sig.signing_key);
        snprintf(sig.amz_date, sizeof sig.amz_date, "20130524T000000Z");
        snprintf(sig.scope, sizeof sig.scope, "20130524/us-east-1/s3/aws4_request");
        memset(sig.seed_sig, 'a', 64);
    }
    {
        size_t before = req.body.len;
        rc = payload_check_s3(&req, &sig, &err);
        if (rc == 0)
            FUZZ_CHECK(req.body.len <= before);
        else
            FUZZ_CHECK(err.status >= 400 && err.code[0] && err.msg[0]);
    }
    buf_free(&req.body);
    return 0;
}
