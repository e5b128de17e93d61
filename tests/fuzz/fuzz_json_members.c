/* fuzz_json_members.c — fuzz target for the JSON 1.1 member validators: the
 * input is parsed with cJSON; when it is an object, every json_* reader runs
 * over a fixed set of member names plus the object's own first member names,
 * with a zeroed svc_req_t. Each result must be 0 with no error recorded, or
 * -1 with a 400 ValidationException / SerializationException and a
 * NUL-terminated message; outputs must be consistent with the limits. */
#include "emulator/proto_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_json_members:%d: invariant failed: %s\n",    \
                    __LINE__, #c);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

static void check_result(const svc_req_t *r, int rc)
{
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(memchr(r->err_msg, '\0', sizeof r->err_msg) != NULL);
    FUZZ_CHECK(memchr(r->err_code, '\0', sizeof r->err_code) != NULL);
    if (rc == 0) {
        FUZZ_CHECK(r->err_status == 0 && r->err_code[0] == '\0');
    } else {
        FUZZ_CHECK(r->err_status == 400);
        FUZZ_CHECK(strcmp(r->err_code, "ValidationException") == 0 ||
                   strcmp(r->err_code, "SerializationException") == 0);
        FUZZ_CHECK(r->err_msg[0] != '\0');
    }
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static void run_member(const cJSON *in, const char *m)
{
    static const char *const values[] = {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "", "a", NULL};
    static const struct {
        size_t min, max;
    } lims[] = {{0, 0}, {1, 2048}, {3, 5}, {0, 1}};
    svc_req_t r;
    size_t i;
    int rc, req;

    for (req = 0; req < 2; req++) {
        for (i = 0; i < sizeof lims / sizeof lims[0]; i++) {
            size_t min = lims[i].min, max = lims[i].max;
            const char *s = NULL;
            uint8_t *blob = NULL;
            size_t blen = 0;
            const cJSON *obj = NULL;
            long l = 0;
            int present = 0, b = 0;

            memset(&r, 0, sizeof r);
            rc = json_str(&r, in, m, req, min, max, &s);
            check_result(&r, rc);
            if (rc == 0 && s) {
                size_t n = utf8_chars(s);
                FUZZ_CHECK(n >= min && (max == 0 || n <= max));
            }
            if (rc == 0 && req)
                FUZZ_CHECK(s != NULL);

            memset(&r, 0, sizeof r);
            rc = json_int(&r, in, m, req, (long)min - 3, (long)max * 1000, &l, &present);
            check_result(&r, rc);
            if (rc == 0 && present)
                FUZZ_CHECK(l >= (long)min - 3 && l <= (long)max * 1000);
            if (rc != 0)
                FUZZ_CHECK(present == 0);
            memset(&r, 0, sizeof r);
            rc = json_int(&r, in, m, req, -9000000000000000000L, 9000000000000000000L, &l, NULL);
            check_result(&r, rc);

            memset(&r, 0, sizeof r);
            rc = json_bool(&r, in, m, &b, &present);
            check_result(&r, rc);
            if (rc == 0 && present)
                FUZZ_CHECK(b == 0 || b == 1);

            memset(&r, 0, sizeof r);
            s = NULL;
            rc = json_enum(&r, in, m, req, values, &s);
            check_result(&r, rc);
            if (rc == 0 && s) {
                size_t k;
                int found = 0;
                for (k = 0; values[k]; k++)
                    found |= s == values[k];
                FUZZ_CHECK(found);
            }

            memset(&r, 0, sizeof r);
            rc = json_blob(&r, in, m, req, min, max, &blob, &blen);
            check_result(&r, rc);
            if (rc == 0 && blob) {
                cJSON *o = cJSON_CreateObject();
                uint8_t *back = NULL;
                size_t blen2 = 0;
                FUZZ_CHECK(blen >= min && (max == 0 || blen <= max));
                /* json_put_blob writes what json_blob reads */
                FUZZ_CHECK(o);
                json_put_blob(o, "B", blob, blen);
                memset(&r, 0, sizeof r);
                FUZZ_CHECK(json_blob(&r, o, "B", 1, 0, 0, &back, &blen2) == 0);
                FUZZ_CHECK(blen2 == blen && memcmp(back, blob, blen) == 0);
                free(back);
                cJSON_Delete(o);
            }
            if (rc != 0)
                FUZZ_CHECK(blob == NULL);
            free(blob);

            memset(&r, 0, sizeof r);
            rc = json_map(&r, in, m, &obj);
            check_result(&r, rc);
            if (rc == 0 && obj) {
                const cJSON *e;
                FUZZ_CHECK(cJSON_IsObject(obj));
                cJSON_ArrayForEach(e, obj)
                    FUZZ_CHECK(cJSON_IsString(e));
            }
            if (rc != 0)
                FUZZ_CHECK(obj == NULL);

            memset(&r, 0, sizeof r);
            obj = NULL;
            rc = json_list(&r, in, m, req, min, max, &obj);
            check_result(&r, rc);
            if (rc == 0 && obj) {
                size_t n = (size_t)cJSON_GetArraySize(obj);
                FUZZ_CHECK(cJSON_IsArray(obj));
                FUZZ_CHECK(n >= min && (max == 0 || n <= max));
            }
            if (rc != 0)
                FUZZ_CHECK(obj == NULL);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const members[] = {
        "KeyId", "Limit", "Enabled", "Plaintext", "EncryptionContext", "Tags", "KeyUsage", "",
    };
    cJSON *in = cJSON_ParseWithLength((const char *)data, size);
    const cJSON *e;
    size_t i;
    int k = 0;

    if (in == NULL)
        return 0;
    if (cJSON_IsObject(in)) {
        for (i = 0; i < sizeof members / sizeof members[0]; i++)
            run_member(in, members[i]);
        cJSON_ArrayForEach(e, in) {
            if (e->string && k++ < 4)
                run_member(in, e->string);
        }
        /* a response built from the request serializes */
        {
            cJSON *out = cJSON_CreateObject();
            char *text;
            json_put_time(out, "T", (double)size * 1000.5);
            json_put_blob(out, "B", data, size);
            text = cJSON_PrintUnformatted(out);
            FUZZ_CHECK(text != NULL);
            free(text);
            cJSON_Delete(out);
        }
    }
    cJSON_Delete(in);
    return 0;
}
