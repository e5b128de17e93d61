/* s3_token.c — ListObjectsV2's continuation token: where the listing
 * resumes (the last key returned) with a tag tied to the bucket, so that a
 * token S3 did not hand out for this bucket is refused as S3 refuses it
 * ("The continuation token provided is incorrect") rather than read as a
 * key. The tag checks form, not secrecy: the key is no secret to the
 * caller who listed it. */
#include "services/s3/s3_int.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "base/codec.h"

#define TAG_LEN 8

static void token_tag(const char *bucket, const uint8_t *key, size_t n, uint8_t tag[TAG_LEN])
{
    static const char domain[] = "awsemu list token";
    uint8_t in[sizeof domain + 64 + S3_MAX_KEY + 1], md[SHA256_DIGEST_LENGTH];
    size_t bl = strlen(bucket) < 63 ? strlen(bucket) : 63, len = 0;

    memcpy(in, domain, sizeof domain);
    len += sizeof domain;
    memcpy(in + len, bucket, bl);
    len += bl;
    in[len++] = '\0';
    memcpy(in + len, key, n);
    SHA256(in, len + n, md);
    memcpy(tag, md, TAG_LEN);
}

void s3_list_token_make(const s3_req_t *s, const char *last, char out[1600])
{
    uint8_t raw[S3_MAX_KEY + TAG_LEN];
    size_t n = strlen(last);

    if (n > S3_MAX_KEY)
        n = S3_MAX_KEY;
    memcpy(raw, last, n);
    token_tag(s->bucket, raw, n, raw + n);
    codec_b64_encode(raw, n + TAG_LEN, out);
}

int s3_list_token_read(s3_req_t *s, const char *token, char marker[1100])
{
    uint8_t raw[1200], tag[TAG_LEN];
    long n = strlen(token) < 1600 ? codec_b64_decode(token, strlen(token), raw) : -1;

    if (n >= TAG_LEN && n - TAG_LEN <= S3_MAX_KEY) {
        token_tag(s->bucket, raw, (size_t)n - TAG_LEN, tag);
        if (memcmp(tag, raw + n - TAG_LEN, TAG_LEN) == 0 &&
            memchr(raw, '\0', (size_t)n - TAG_LEN) == NULL) {
            memcpy(marker, raw, (size_t)n - TAG_LEN);
            marker[n - TAG_LEN] = '\0';
            return 0;
        }
    }
    return s3_error_arg(s, 400, "InvalidArgument", "continuation-token", token,
                        "The continuation token provided is incorrect");
}
