/* fuzz_text.c — fuzz target for the text checks every request passes:
 * utf8_check against a reference decoder written from RFC 3629, jsonlen
 * over whatever cJSON accepts (every recorded length must be the decoded
 * string's: bytes up to it readable, a NUL right after it, U+0000 counted
 * exactly), the U+0000 refusal of proto_json's member readers, and
 * proto_query_unescape_text. Any violated invariant aborts. */
#include "base/jsonlen.h"
#include "emulator/proto_json.h"
#include "emulator/proto_query.h"
#include "base/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_text:%d: invariant failed: %s\n", __LINE__,  \
                    #c);                                                       \
            abort();                                                           \
        }                                                                      \
    } while (0)

static size_t ref_check(const uint8_t *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned long cp;
        size_t len, k;
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            len = 2, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            len = 3, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            len = 4, cp = c & 0x07;
        else
            return i;
        if (n - i < len)
            return i;
        for (k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return i;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return i;
        i += len;
    }
    return n;
}

/* Walks the tree: checks each recorded length, counts strings with U+0000. */
static size_t check_tree(const cJSON *v)
{
    size_t nuls = 0;
    const cJSON *c;

    if (cJSON_IsString(v)) {
        size_t n = jsonlen_str(v), sl = strlen(v->valuestring);
        FUZZ_CHECK(n >= sl);
        FUZZ_CHECK(v->valuestring[n] == '\0');
        FUZZ_CHECK((n != sl) == (memchr(v->valuestring, '\0', n) != NULL));
        nuls += n != sl;
    }
    if (v->string && !cJSON_IsNumber(v)) {
        size_t n = jsonlen_key(v), sl = strlen(v->string);
        FUZZ_CHECK(n >= sl);
        FUZZ_CHECK(v->string[n] == '\0');
        nuls += n != sl;
    }
    FUZZ_CHECK(jsonlen_has_nul(v) == (int)((cJSON_IsString(v) &&
                                            jsonlen_str(v) != strlen(v->valuestring)) ||
                                           (v->string && !cJSON_IsNumber(v) &&
                                            jsonlen_key(v) != strlen(v->string))));
    for (c = v->child; c; c = c->next)
        nuls += check_tree(c);
    return nuls;
}

/* json_str never hands out a string holding U+0000; json_strn hands out
 * all of it. */
static void check_readers(const cJSON *in)
{
    const cJSON *e;
    int k = 0;

    cJSON_ArrayForEach(e, in) {
        svc_req_t r;
        const char *s = NULL;
        size_t n = 0;
        int rc;
        if (e->string == NULL || k++ >= 8)
            break;
        memset(&r, 0, sizeof r);
        r.service = "kms";
        rc = json_str(&r, in, e->string, 0, 0, 0, &s);
        FUZZ_CHECK(rc == 0 || rc == -1);
        if (rc == 0 && s)
            FUZZ_CHECK(!jsonlen_has_nul(cJSON_GetObjectItemCaseSensitive(in, e->string)));
        memset(&r, 0, sizeof r);
        s = NULL;
        rc = json_strn(&r, in, e->string, 0, 0, 0, &s, &n);
        FUZZ_CHECK(rc == 0 || rc == -1);
        if (rc == 0 && s)
            FUZZ_CHECK(s[n] == '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t bad = utf8_check(data, size), nuls = 0;
    cJSON *j;
    char *out;
    long n;

    FUZZ_CHECK(bad == ref_check(data, size));
    FUZZ_CHECK(utf8_valid(data, size) == (bad == size));
    FUZZ_CHECK(utf8_count(data, size) <= size);

    j = cJSON_ParseWithLength((const char *)data, size);
    if (j) {
        int rc = jsonlen_record(j, (const char *)data, size, &nuls);
        FUZZ_CHECK(rc <= 0 && rc >= JSONLEN_EMISMATCH);
        if (rc == JSONLEN_OK) {
            FUZZ_CHECK(check_tree(j) == nuls);
            if (cJSON_IsObject(j))
                check_readers(j);
        }
        cJSON_Delete(j);
    }

    if ((out = malloc(size + 1)) != NULL) {
        n = proto_query_unescape_text((const char *)data, size, size & 1, out);
        FUZZ_CHECK(n >= -2 && n <= (long)size);
        if (n >= 0) {
            FUZZ_CHECK(out[n] == '\0' && strlen(out) == (size_t)n);
            FUZZ_CHECK(utf8_valid(out, (size_t)n));
        }
        free(out);
    }
    return 0;
}
