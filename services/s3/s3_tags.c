/* s3_tags.c — what S3 checks of an object's tags, from PutObjectTagging's
 * TagSet or an x-amz-tagging header: at most 10; a key of 1 to 128 and a
 * value of up to 256 characters; no key twice; none of the aws: prefix
 * (AWS docs "Categorizing your storage using tags"; messages as S3
 * answered them, recorded by other implementers checked against AWS). The documented character set
 * is not enforced: whether S3 refuses others for object tags is not
 * pinned, and clients rely on them. */
#include "services/s3/s3_int.h"

#include <string.h>

/* Characters (UTF-8 sequences count once) of s if at most max, else -1. */
static long tag_text(const char *s, long max)
{
    const unsigned char *p;
    long n = 0;

    for (p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue; /* a continuation byte: beyond ASCII is a letter here */
        if (++n > max)
            return -1;
    }
    return n;
}

int s3_tag_check(s3_req_t *s, const cJSON *seen, const char *k, const char *v)
{
    if (tag_text(k, 128) < 1)
        return s3_fail(s, S3_E_TAG_KEY);
    if (tag_text(v, 256) < 0)
        return s3_fail(s, S3_E_TAG_VALUE);
    if (cJSON_GetObjectItemCaseSensitive(seen, k))
        return s3_error(s, 400, "InvalidTag", "Cannot provide multiple Tags with the same key");
    if (!strncmp(k, "aws:", 4))
        return s3_error(s, 400, "InvalidTag", "Your TagKey cannot be prefixed with aws:");
    return 0;
}
