/* s3_tags.c — what S3 checks of an object's tags, from PutObjectTagging's
 * TagSet or an x-amz-tagging header: at most 10; a key of 1 to 128 and a
 * value of up to 256 characters; no key twice; none of the aws: prefix
 * (AWS docs "Categorizing your storage using tags"; messages as S3
 * answered them, recorded by other implementers checked against AWS). The documented character set
 * is not enforced: whether S3 refuses others for object tags is not
 * pinned, and clients rely on them. The same checks serve a TagSet
 * document (PutObjectTagging's body, POST Object's tagging field). */
#include "services/s3/s3_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/xml.h"

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

char *s3_tags_from_xml(s3_req_t *s, const char *xml, size_t len)
{
    char err[256], *text;
    xml_node_t *doc = xml_parse(xml ? xml : "", len, NULL, err, sizeof err);
    const xml_node_t *set = xml_child(doc, "TagSet"), *t;
    cJSON *tags;

    if (doc == NULL || strcmp(xml_name(doc), "Tagging") != 0 || set == NULL) {
        xml_free(doc);
        s3_fail(s, S3_E_MALFORMED_XML);
        return NULL;
    }
    if (xml_count(set, "Tag") > 10) {
        xml_free(doc);
        s3_error(s, 400, "BadRequest", "Object tags cannot be greater than 10");
        return NULL;
    }
    if ((tags = cJSON_CreateObject()) == NULL) {
        xml_free(doc);
        s3_fail(s, S3_E_INTERNAL);
        return NULL;
    }
    for (t = xml_child(set, "Tag"); t; t = xml_next(t, "Tag")) {
        const char *k = xml_text(xml_child(t, "Key")), *v = xml_text(xml_child(t, "Value"));
        if (xml_child(t, "Key") == NULL || xml_child(t, "Value") == NULL ||
            s3_tag_check(s, tags, k, v) != 0) {
            cJSON_Delete(tags);
            xml_free(doc);
            if (!s->r->err_code[0])
                s3_fail(s, S3_E_MALFORMED_XML);
            return NULL;
        }
        cJSON_AddStringToObject(tags, k, v);
    }
    xml_free(doc);
    text = cJSON_PrintUnformatted(tags);
    cJSON_Delete(tags);
    if (text == NULL)
        s3_fail(s, S3_E_INTERNAL);
    return text;
}
