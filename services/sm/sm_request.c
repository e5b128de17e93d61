/* sm_request.c — request members several operations share: a secret value,
 * ClientRequestToken, Tags. */
#include "services/sm/sm_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"
#include "base/jsonlen.h"
#include "base/utf8.h"
#include "storage/db.h"

int sm_req_value(svc_req_t *r, const cJSON *in, uint8_t **value, size_t *n, int *is_binary)
{
    const char *str = NULL;
    uint8_t *bin = NULL;
    size_t blen = 0, len = 0;

    *value = NULL;
    *n = 0;
    *is_binary = 0;
    /* the value's exact bytes, U+0000 included (json_strn: a C string
     * would cut it short and store a different secret) */
    if (json_strn(r, in, "SecretString", 0, 1, SM_MAX_VALUE, &str, &len) != 0 ||
        json_blob(r, in, "SecretBinary", 0, 1, SM_MAX_VALUE, &bin, &blen) != 0)
        return -1;
    if (str && bin) {
        OPENSSL_cleanse(bin, blen);
        free(bin);
        return sm_fail(r, SM_E_STRING_AND_BINARY, NULL, NULL);
    }
    if (str) {
        if (len > SM_MAX_VALUE)
            return sm_fail(r, SM_E_VALUE_TOO_BIG, NULL, NULL);
        if ((*value = malloc(len + 1)) == NULL)
            return sm_internal(r);
        memcpy(*value, str, len + 1);
        *n = len;
    } else if (bin) {
        *value = bin;
        *n = blen;
        *is_binary = 1;
    }
    return 0;
}

int sm_req_token(svc_req_t *r, const cJSON *in, char out[65])
{
    const char *tok = NULL;

    if (json_str(r, in, "ClientRequestToken", 0, 32, 64, &tok) != 0)
        return -1;
    if (tok)
        snprintf(out, 65, "%s", tok);
    else
        codec_uuid(out);
    return 0;
}

int sm_put_tags(svc_req_t *r, const char *arn, const cJSON *tags)
{
    const cJSON *t;
    sqlite3_stmt *st;
    int n;

    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
        if (!cJSON_IsObject(t) || !cJSON_IsString(k) || (v && !cJSON_IsString(v)))
            return sm_fail(r, SM_E_BAD_TAGS, NULL, NULL);
        /* characters, as AWS counts them */
        if (jsonlen_str(k) < 1 || utf8_count(k->valuestring, jsonlen_str(k)) > 128 ||
            (v && utf8_count(v->valuestring, jsonlen_str(v)) > 256))
            return sm_fail(r, SM_E_TAG_LENGTH, NULL, NULL);
        if (!strncmp(k->valuestring, "aws:", 4))
            return sm_fail(r, SM_E_TAG_AWS_PREFIX, NULL, NULL);
    }
    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
        if (db_run(r->emu->db,
                   "INSERT INTO sm_tags (arn, tag_key, tag_value, seq) VALUES (?1, ?2, ?3, "
                   "(SELECT IFNULL(MAX(seq), 0) + 1 FROM sm_tags)) ON CONFLICT (arn, tag_key) DO "
                   "UPDATE SET tag_value=excluded.tag_value",
                   "stt", arn, k->valuestring, jsonlen_str(k), v ? v->valuestring : "",
                   v ? jsonlen_str(v) : (size_t)0) != 0)
            return sm_internal(r);
    }
    st = db_query(r->emu->db, "SELECT count(*) FROM sm_tags WHERE arn=?1", "s", arn);
    n = db_row(st) == 1 ? sqlite3_column_int(st, 0) : 0;
    db_done(st);
    if (n > 50)
        return sm_fail(r, SM_E_TOO_MANY_TAGS, NULL, NULL);
    return 0;
}
