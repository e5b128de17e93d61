/* s3_checksum.c — S3's x-amz-checksum rules beyond the digest itself:
 * which checksum types a multipart upload may ask for with each algorithm,
 * and the Checksum* elements of the responses that carry an object's
 * value. AWS's rules: "Checking object integrity in Amazon S3" (S3 User
 * Guide, "Using full object checksums for multipart upload"): CRC64NVME is
 * full-object only, CRC32 and CRC32C are either, SHA1 and SHA256 composite
 * only. */
#include "services/s3/s3_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xml.h"

void s3_checksum_elems(buf_t *out, const s3_object_t *o)
{
    char tag[32];

    if (!o->checksum_alg[0] || !o->checksum[0])
        return;
    snprintf(tag, sizeof tag, "Checksum%s", o->checksum_alg);
    xml_elem(out, tag, o->checksum);
    xml_elem(out, "ChecksumType", o->checksum_type[0] ? o->checksum_type : "FULL_OBJECT");
}

int s3_checksum_type_check(s3_req_t *s, checksum_alg_t alg, char type[32])
{
    int full_only = alg == CHECKSUM_CRC64NVME;
    int comp_only = alg == CHECKSUM_SHA1 || alg == CHECKSUM_SHA256;

    if (type[0] == '\0') {
        /* the default: full-object for CRC64NVME, composite for the rest */
        if (alg != CHECKSUM_NONE)
            snprintf(type, 32, "%s", full_only ? "FULL_OBJECT" : "COMPOSITE");
        return 0;
    }
    if (strcmp(type, "COMPOSITE") && strcmp(type, "FULL_OBJECT"))
        return s3_error_arg(s, 400, "InvalidRequest", "x-amz-checksum-type", type,
                            "Value for x-amz-checksum-type header is invalid.");
    if (alg == CHECKSUM_NONE)
        return s3_error(s, 400, "InvalidRequest",
                        "The x-amz-checksum-type header can only be used with the "
                        "x-amz-checksum-algorithm header.");
    if ((full_only && !strcmp(type, "COMPOSITE")) || (comp_only && !strcmp(type, "FULL_OBJECT")))
        return s3_error(s, 400, "InvalidRequest",
                        "The %s checksum type cannot be used with the %s checksum algorithm.",
                        !strcmp(type, "COMPOSITE") ? "COMPOSITE" : "FULL_OBJECT",
                        checksum_alg_name(alg));
    return 0;
}

/* A composite value without its "-N" part count (GetObjectAttributes
 * shows it so: floci#3083, checked against S3). */
static void bare_value(const char *v, char out[64])
{
    const char *dash = strrchr(v, '-');

    snprintf(out, 64, "%.*s", dash ? (int)(dash - v) : (int)strlen(v), v);
}

void s3_attributes_checksum(buf_t *out, const s3_object_t *o)
{
    char tag[32], v[64];

    if (!o->checksum_alg[0] || !o->checksum[0])
        return;
    snprintf(tag, sizeof tag, "Checksum%s", o->checksum_alg);
    bare_value(o->checksum, v);
    xml_open(out, "Checksum");
    xml_elem(out, tag, v);
    xml_elem(out, "ChecksumType", o->checksum_type[0] ? o->checksum_type : "FULL_OBJECT");
    xml_close(out, "Checksum");
}

void s3_attributes_parts(buf_t *out, const s3_object_t *o, long max, long marker)
{
    cJSON *p = o->parts ? cJSON_Parse(o->parts) : NULL;
    const cJSON *e;
    char tag[32];
    long n = 0, shown = 0, last = marker;
    int truncated = 0;

    if (p == NULL)
        return;
    snprintf(tag, sizeof tag, "Checksum%s", o->checksum_alg);
    xml_open(out, "ObjectParts");
    if (!o->checksum_alg[0]) {
        /* no part values to list: the count alone, as before */
        xml_elem_int(out, "PartsCount", cJSON_GetArraySize(p));
        xml_close(out, "ObjectParts");
        cJSON_Delete(p);
        return;
    }
    cJSON_ArrayForEach(e, p) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "c");
        const cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "n");
        if (++n <= marker)
            continue;
        /* parts are listed where they carry checksums */
        if (!cJSON_IsString(c) || !o->checksum_alg[0])
            continue;
        if (shown == max) {
            truncated = 1;
            break;
        }
        xml_open(out, "Part");
        xml_elem(out, tag, c->valuestring);
        xml_elem_int(out, "PartNumber", n);
        xml_elem_int(out, "Size", cJSON_IsNumber(sz) ? (long long)sz->valuedouble : 0);
        xml_close(out, "Part");
        shown++;
        last = n;
    }
    xml_elem(out, "IsTruncated", truncated ? "true" : "false");
    xml_elem_int(out, "MaxParts", max);
    xml_elem_int(out, "NextPartNumberMarker", last);
    xml_elem_int(out, "PartNumberMarker", marker);
    xml_elem_int(out, "PartsCount", cJSON_GetArraySize(p));
    xml_close(out, "ObjectParts");
    cJSON_Delete(p);
}

int s3_complete_checksum_check(s3_req_t *s, const s3_object_t *o, checksum_alg_t alg,
                               const char *type)
{
    char v[80], want[64], got[64], lower[16];
    size_t k;

    if (s3_header(s, "x-amz-checksum-type", v, sizeof v) && type[0] && strcmp(v, type) != 0)
        return s3_error(s, 400, "BadDigest",
                        "The upload was created using the %s checksum mode. The complete request "
                        "must use the same checksum mode.", type);
    if (alg == CHECKSUM_NONE || !s3_header(s, checksum_header_name(alg), v, sizeof v))
        return 0;
    /* a composite value may come with or without its "-N" */
    bare_value(o->checksum, want);
    bare_value(v, got);
    if (!strcmp(got, want))
        return 0;
    for (k = 0; k < sizeof lower - 1 && checksum_alg_name(alg)[k]; k++)
        lower[k] = (char)tolower((unsigned char)checksum_alg_name(alg)[k]);
    lower[k] = '\0';
    return s3_error(s, 400, "BadDigest", "The %s you specified did not match the calculated checksum.",
                    lower);
}
