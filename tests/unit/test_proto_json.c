/* test_proto_json.c — unit tests for the AWS JSON 1.1 member validators
 * (json_str, json_int, json_bool, json_enum, json_blob, json_map, json_list)
 * with AWS's exact error messages, the output helpers, svc_error and
 * svc_find_op. The validators only touch r's err_* fields. */
#include "emulator/proto_json.h"
#include "unit.h"

#include <stdlib.h>

#define VE "ValidationException"
#define SE "SerializationException"
#define PRE "1 validation error detected: "

static svc_req_t req;

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);

    if (j == NULL)
        fprintf(stderr, "test bug: bad JSON %s\n", s);
    return j;
}

static void reset(void)
{
    memset(&req, 0, sizeof req);
}

/* rc 0 and no error recorded */
#define CHECK_OK(rc)                                                           \
    do {                                                                       \
        CHECK((rc) == 0);                                                      \
        CHECK(req.err_status == 0 && req.err_code[0] == '\0');                 \
    } while (0)

/* rc -1 with status 400, code and message */
#define CHECK_ERR(rc, code, msg)                                               \
    do {                                                                       \
        CHECK((rc) == -1);                                                     \
        CHECK(req.err_status == 400);                                          \
        CHECK_STR(req.err_code, code);                                         \
        CHECK_STR(req.err_msg, msg);                                           \
    } while (0)

struct str_case {
    const char *json;
    int required;
    size_t min, max;
    int rc;
    const char *want; /* the value on success, or the error code */
    const char *msg;  /* the error message */
};

static const struct str_case str_cases[] = {
    {"{\"KeyId\":\"abc\"}", 1, 1, 10, 0, "abc", NULL},
    {"{\"KeyId\":\"abc\"}", 1, 3, 3, 0, "abc", NULL},
    {"{\"KeyId\":\"\"}", 0, 0, 0, 0, "", NULL},
    {"{\"KeyId\":\"anything long at all\"}", 1, 0, 0, 0, "anything long at all", NULL},
    /* characters, not bytes: 3 two-byte and a three-byte character */
    {"{\"KeyId\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac\"}", 1, 4, 4, 0,
     "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac", NULL},
    {"{\"KeyId\":\"\\u00e9\\ud83d\\ude00\"}", 1, 2, 2, 0, "\xc3\xa9\xf0\x9f\x98\x80", NULL},
    /* absent or null: fine unless required */
    {"{}", 0, 1, 10, 0, NULL, NULL},
    {"{\"KeyId\":null}", 0, 1, 10, 0, NULL, NULL},
    {"{\"keyId\":\"x\"}", 0, 1, 10, 0, NULL, NULL}, /* names are case-sensitive */
    {"{}", 1, 1, 10, -1, VE, PRE "Value null at 'keyId' failed to satisfy constraint: "
                             "Member must not be null"},
    {"{\"KeyId\":null}", 1, 1, 10, -1, VE,
     PRE "Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
    {"{\"KeyId\":\"\"}", 1, 1, 2048, -1, VE,
     PRE "Value '' at 'keyId' failed to satisfy constraint: Member must have length "
         "greater than or equal to 1"},
    {"{\"KeyId\":\"ab\"}", 1, 3, 5, -1, VE,
     PRE "Value 'ab' at 'keyId' failed to satisfy constraint: Member must have length "
         "greater than or equal to 3"},
    {"{\"KeyId\":\"abcdef\"}", 1, 3, 5, -1, VE,
     PRE "Value 'abcdef' at 'keyId' failed to satisfy constraint: Member must have length "
         "less than or equal to 5"},
    {"{\"KeyId\":\"\xc3\xa9\xc3\xa9\"}", 1, 3, 5, -1, VE,
     PRE "Value '\xc3\xa9\xc3\xa9' at 'keyId' failed to satisfy constraint: Member must have "
         "length greater than or equal to 3"},
    /* wrong types */
    {"{\"KeyId\":1}", 1, 1, 10, -1, SE, "Unexpected value type for member 'KeyId'."},
    {"{\"KeyId\":true}", 0, 1, 10, -1, SE, "Unexpected value type for member 'KeyId'."},
    {"{\"KeyId\":[\"a\"]}", 0, 1, 10, -1, SE, "Unexpected value type for member 'KeyId'."},
    {"{\"KeyId\":{}}", 0, 1, 10, -1, SE, "Unexpected value type for member 'KeyId'."},
};

static void test_str(void)
{
    size_t i;

    for (i = 0; i < sizeof str_cases / sizeof str_cases[0]; i++) {
        const struct str_case *c = &str_cases[i];
        cJSON *in = parse(c->json);
        const char *out = "untouched";
        int rc;

        reset();
        rc = json_str(&req, in, "KeyId", c->required, c->min, c->max, &out);
        if (rc != c->rc)
            fprintf(stderr, "str case %zu (%s): rc %d, msg \"%s\"\n", i, c->json, rc,
                    req.err_msg);
        if (c->rc == 0) {
            CHECK_OK(rc);
            CHECK_STR(out, c->want ? c->want : "untouched");
        } else {
            CHECK_ERR(rc, c->want, c->msg);
            CHECK_STR(out, "untouched");
        }
        cJSON_Delete(in);
    }

    /* the echoed value is cut at 200 bytes */
    {
        char json[600], want[400];
        const char *out = NULL;
        cJSON *in;
        snprintf(json, sizeof json, "{\"Name\":\"%0300d\"}", 0);
        in = parse(json);
        reset();
        CHECK(json_str(&req, in, "Name", 1, 1, 256, &out) == -1);
        snprintf(want, sizeof want,
                 PRE "Value '%0200d' at 'name' failed to satisfy constraint: Member must have "
                     "length less than or equal to 256",
                 0);
        CHECK_STR(req.err_msg, want);
        cJSON_Delete(in);
    }
}

struct int_case {
    const char *json;
    int required;
    long min, max;
    int rc;
    long want;
    int present;
    const char *code, *msg;
};

static const struct int_case int_cases[] = {
    {"{\"Limit\":1}", 1, 1, 1000, 0, 1, 1, NULL, NULL},
    {"{\"Limit\":1000}", 1, 1, 1000, 0, 1000, 1, NULL, NULL},
    {"{\"Limit\":-5}", 1, -10, 10, 0, -5, 1, NULL, NULL},
    {"{\"Limit\":2.0}", 1, 1, 10, 0, 2, 1, NULL, NULL},
    {"{\"Limit\":1e3}", 1, 1, 1000, 0, 1000, 1, NULL, NULL},
    {"{\"Limit\":4294967296}", 1, 0, 9000000000000000000L, 0, 4294967296L, 1, NULL, NULL},
    {"{}", 0, 1, 10, 0, 77, 0, NULL, NULL},
    {"{\"Limit\":null}", 0, 1, 10, 0, 77, 0, NULL, NULL},
    {"{}", 1, 1, 10, -1, 77, 0, VE,
     PRE "Value null at 'limit' failed to satisfy constraint: Member must not be null"},
    {"{\"Limit\":0}", 1, 1, 1000, -1, 77, 0, VE,
     PRE "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
         "than or equal to 1"},
    {"{\"Limit\":1001}", 0, 1, 1000, -1, 77, 0, VE,
     PRE "Value '1001' at 'limit' failed to satisfy constraint: Member must have value less "
         "than or equal to 1000"},
    {"{\"Limit\":-11}", 0, -10, 10, -1, 77, 0, VE,
     PRE "Value '-11' at 'limit' failed to satisfy constraint: Member must have value greater "
         "than or equal to -10"},
    {"{\"Limit\":1.5}", 0, 1, 10, -1, 77, 0, SE, "Unexpected value type for member 'Limit'."},
    {"{\"Limit\":\"5\"}", 0, 1, 10, -1, 77, 0, SE, "Unexpected value type for member 'Limit'."},
    {"{\"Limit\":true}", 0, 1, 10, -1, 77, 0, SE, "Unexpected value type for member 'Limit'."},
    {"{\"Limit\":1e19}", 0, 1, 10, -1, 77, 0, SE, "Unexpected value type for member 'Limit'."},
    {"{\"Limit\":-1e19}", 0, 1, 10, -1, 77, 0, SE, "Unexpected value type for member 'Limit'."},
    {"{\"Limit\":1e999}", 0, 1, 10, -1, 77, 0, SE, "Unexpected value type for member 'Limit'."},
};

static void test_int(void)
{
    size_t i;

    for (i = 0; i < sizeof int_cases / sizeof int_cases[0]; i++) {
        const struct int_case *c = &int_cases[i];
        cJSON *in = parse(c->json);
        long out = 77;
        int present = 42, rc;

        reset();
        rc = json_int(&req, in, "Limit", c->required, c->min, c->max, &out, &present);
        if (rc != c->rc)
            fprintf(stderr, "int case %zu (%s): rc %d, msg \"%s\"\n", i, c->json, rc,
                    req.err_msg);
        if (c->rc == 0)
            CHECK_OK(rc);
        else
            CHECK_ERR(rc, c->code, c->msg);
        CHECK(out == c->want);
        CHECK(present == c->present);
        /* present may be NULL */
        reset();
        out = 77;
        CHECK(json_int(&req, in, "Limit", c->required, c->min, c->max, &out, NULL) == c->rc);
        CHECK(out == c->want);
        cJSON_Delete(in);
    }
}

static void test_bool(void)
{
    static const struct {
        const char *json;
        int rc, want, present;
    } cases[] = {
        {"{\"Enabled\":true}", 0, 1, 1},
        {"{\"Enabled\":false}", 0, 0, 1},
        {"{}", 0, 7, 0},
        {"{\"Enabled\":null}", 0, 7, 0},
        {"{\"Enabled\":\"true\"}", -1, 7, 0},
        {"{\"Enabled\":1}", -1, 7, 0},
        {"{\"Enabled\":[]}", -1, 7, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *in = parse(cases[i].json);
        int out = 7, present = 42, rc;

        reset();
        rc = json_bool(&req, in, "Enabled", &out, &present);
        if (cases[i].rc == 0)
            CHECK_OK(rc);
        else
            CHECK_ERR(rc, SE, "Unexpected value type for member 'Enabled'.");
        CHECK(out == cases[i].want);
        CHECK(present == cases[i].present);
        reset();
        out = 7;
        CHECK(json_bool(&req, in, "Enabled", &out, NULL) == cases[i].rc);
        CHECK(out == cases[i].want);
        cJSON_Delete(in);
    }
}

static void test_enum(void)
{
    static const char *const usages[] = {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC",
                                         NULL};
    static const char *const one[] = {"ONLY", NULL};
    const char *out;
    cJSON *in;

    in = parse("{\"KeyUsage\":\"SIGN_VERIFY\"}");
    reset();
    out = NULL;
    CHECK_OK(json_enum(&req, in, "KeyUsage", 1, usages, &out));
    CHECK(out == usages[1]); /* points into the table, not the request */
    cJSON_Delete(in);

    in = parse("{\"KeyUsage\":\"sign_verify\"}");
    reset();
    out = "untouched";
    CHECK_ERR(json_enum(&req, in, "KeyUsage", 0, usages, &out), VE,
              PRE "Value 'sign_verify' at 'keyUsage' failed to satisfy constraint: Member must "
                  "satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC]");
    CHECK_STR(out, "untouched");
    cJSON_Delete(in);

    in = parse("{\"Mode\":\"\"}");
    reset();
    CHECK_ERR(json_enum(&req, in, "Mode", 0, one, &out), VE,
              PRE "Value '' at 'mode' failed to satisfy constraint: Member must satisfy enum "
                  "value set: [ONLY]");
    cJSON_Delete(in);

    in = parse("{}");
    reset();
    out = "untouched";
    CHECK_OK(json_enum(&req, in, "KeyUsage", 0, usages, &out));
    CHECK_STR(out, "untouched");
    reset();
    CHECK_ERR(json_enum(&req, in, "KeyUsage", 1, usages, &out), VE,
              PRE "Value null at 'keyUsage' failed to satisfy constraint: Member must not be "
                  "null");
    cJSON_Delete(in);

    in = parse("{\"KeyUsage\":3}");
    reset();
    CHECK_ERR(json_enum(&req, in, "KeyUsage", 1, usages, &out), SE,
              "Unexpected value type for member 'KeyUsage'.");
    cJSON_Delete(in);
}

struct blob_case {
    const char *json;
    int required;
    size_t min, max;
    int rc;
    const char *want; /* decoded bytes (len wlen), or the error code */
    size_t wlen;
    const char *msg;
};

/* Plaintext is sensitive: its value is never echoed, not even as a buffer */

static const struct blob_case blob_cases[] = {
    {"{\"Plaintext\":\"Zm9vYmFy\"}", 1, 1, 4096, 0, "foobar", 6, NULL},
    {"{\"Plaintext\":\"Zg==\"}", 1, 1, 1, 0, "f", 1, NULL},
    {"{\"Plaintext\":\"AAEC/w==\"}", 1, 4, 4, 0, "\x00\x01\x02\xff", 4, NULL},
    {"{\"Plaintext\":\"\"}", 0, 0, 10, 0, "", 0, NULL},
    /* limits count decoded bytes: 8 base64 characters, 6 bytes */
    {"{\"Plaintext\":\"Zm9vYmFy\"}", 1, 1, 6, 0, "foobar", 6, NULL},
    {"{\"Plaintext\":\"Zm9vYmFy\"}", 1, 1, 5, -1, VE, 0,
     PRE "Value at 'plaintext' failed to satisfy constraint: Member must have length "
         "less than or equal to 5"},
    {"{\"Plaintext\":\"Zm9vYmFy\"}", 1, 7, 0, -1, VE, 0,
     PRE "Value at 'plaintext' failed to satisfy constraint: Member must have length "
         "greater than or equal to 7"},
    {"{\"Plaintext\":\"\"}", 1, 1, 4096, -1, VE, 0,
     PRE "Value at 'plaintext' failed to satisfy constraint: Member must have length "
         "greater than or equal to 1"},
    {"{\"Plaintext\":\"Zm9vYmFy\"}", 1, 1, 0, 0, "foobar", 6, NULL}, /* max 0: no max */
    /* absent */
    {"{}", 0, 1, 10, 0, NULL, 0, NULL},
    {"{\"Plaintext\":null}", 0, 1, 10, 0, NULL, 0, NULL},
    {"{}", 1, 1, 10, -1, VE, 0,
     PRE "Value null at 'plaintext' failed to satisfy constraint: Member must not be null"},
    /* not base64 */
    {"{\"Plaintext\":\"Zm9v!\"}", 1, 0, 0, -1, SE, 0,
     "Value for member 'Plaintext' is not valid base64."},
    {"{\"Plaintext\":\"Z\"}", 1, 0, 0, -1, SE, 0,
     "Value for member 'Plaintext' is not valid base64."},
    {"{\"Plaintext\":\"Zg=\"}", 1, 0, 0, -1, SE, 0,
     "Value for member 'Plaintext' is not valid base64."},
    {"{\"Plaintext\":\"Zm9v YmFy\"}", 1, 0, 0, -1, SE, 0,
     "Value for member 'Plaintext' is not valid base64."},
    {"{\"Plaintext\":\"Zg==Zg==\"}", 1, 0, 0, -1, SE, 0,
     "Value for member 'Plaintext' is not valid base64."},
    /* wrong type */
    {"{\"Plaintext\":12}", 1, 0, 0, -1, SE, 0, "Unexpected value type for member 'Plaintext'."},
    {"{\"Plaintext\":[\"Zg==\"]}", 1, 0, 0, -1, SE, 0,
     "Unexpected value type for member 'Plaintext'."},
};

static void test_blob(void)
{
    size_t i;

    for (i = 0; i < sizeof blob_cases / sizeof blob_cases[0]; i++) {
        const struct blob_case *c = &blob_cases[i];
        cJSON *in = parse(c->json);
        uint8_t *out = (uint8_t *)"untouched";
        size_t len = 12345;
        int rc;

        reset();
        rc = json_blob(&req, in, "Plaintext", c->required, c->min, c->max, &out, &len);
        if (rc != c->rc)
            fprintf(stderr, "blob case %zu (%s): rc %d, msg \"%s\"\n", i, c->json, rc,
                    req.err_msg);
        if (c->rc == 0 && c->want) {
            CHECK_OK(rc);
            CHECK(len == c->wlen);
            CHECK(out != NULL && memcmp(out, c->want, c->wlen) == 0);
            if (rc == 0)
                free(out);
        } else if (c->rc == 0) {
            CHECK_OK(rc);
            CHECK(len == 12345);
            CHECK_STR((const char *)out, "untouched");
        } else {
            CHECK_ERR(rc, c->want, c->msg);
            CHECK(len == 12345);
            CHECK_STR((const char *)out, "untouched");
        }
        cJSON_Delete(in);
    }

    /* a large blob decodes whole */
    {
        size_t n = 4096 * 3, k;
        char *json = malloc(n / 3 * 4 + 32), *p;
        uint8_t *out = NULL;
        size_t len = 0;
        cJSON *in;
        int ok = 1;

        p = json + sprintf(json, "{\"Plaintext\":\"");
        for (k = 0; k < n / 3; k++)
            p += sprintf(p, "/+/+");
        sprintf(p, "\"}");
        in = parse(json);
        reset();
        CHECK_OK(json_blob(&req, in, "Plaintext", 1, 1, n, &out, &len));
        CHECK(len == n);
        for (k = 0; out && k < n; k++)
            if (out[k] != (k % 3 == 0 ? 0xff : k % 3 == 1 ? 0xef : 0xfe))
                ok = 0;
        CHECK(ok);
        free(out);
        out = NULL;
        reset();
        CHECK(json_blob(&req, in, "Plaintext", 1, 1, n - 1, &out, &len) == -1);
        CHECK(out == NULL);
        cJSON_Delete(in);
        free(json);
    }
}

static void test_map(void)
{
    static const struct {
        const char *json;
        int rc, present;
    } cases[] = {
        {"{\"EncryptionContext\":{\"a\":\"1\",\"b\":\"\"}}", 0, 1},
        {"{\"EncryptionContext\":{}}", 0, 1},
        {"{}", 0, 0},
        {"{\"EncryptionContext\":null}", 0, 0},
        {"{\"EncryptionContext\":{\"a\":\"1\",\"b\":2}}", -1, 0},
        {"{\"EncryptionContext\":{\"a\":null}}", -1, 0},
        {"{\"EncryptionContext\":{\"a\":{\"b\":\"c\"}}}", -1, 0},
        {"{\"EncryptionContext\":{\"a\":[\"x\"]}}", -1, 0},
        {"{\"EncryptionContext\":{\"a\":true}}", -1, 0},
        {"{\"EncryptionContext\":[\"a\"]}", -1, 0},
        {"{\"EncryptionContext\":\"a=b\"}", -1, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *in = parse(cases[i].json);
        const cJSON *out = (const cJSON *)&req; /* any non-NULL */
        int rc;

        reset();
        rc = json_map(&req, in, "EncryptionContext", &out);
        if (cases[i].rc == 0)
            CHECK_OK(rc);
        else
            CHECK_ERR(rc, SE, "Unexpected value type for member 'EncryptionContext'.");
        if (cases[i].present)
            CHECK(out == cJSON_GetObjectItemCaseSensitive(in, "EncryptionContext"));
        else
            CHECK(out == NULL);
        cJSON_Delete(in);
    }
}

static void test_list(void)
{
    static const struct {
        const char *json;
        int required;
        size_t min, max;
        int rc, present;
        const char *code, *msg;
    } cases[] = {
        {"{\"Tags\":[1,2,3]}", 1, 1, 3, 0, 1, NULL, NULL},
        {"{\"Tags\":[]}", 0, 0, 3, 0, 1, NULL, NULL},
        {"{\"Tags\":[1,2,3,4,5]}", 0, 0, 0, 0, 1, NULL, NULL},
        {"{}", 0, 1, 3, 0, 0, NULL, NULL},
        {"{\"Tags\":null}", 0, 1, 3, 0, 0, NULL, NULL},
        {"{}", 1, 1, 3, -1, 0, VE,
         PRE "Value null at 'tags' failed to satisfy constraint: Member must not be null"},
        {"{\"Tags\":[]}", 1, 1, 3, -1, 0, VE,
         PRE "Value '[]' at 'tags' failed to satisfy constraint: Member must have length "
             "greater than or equal to 1"},
        {"{\"Tags\":[1,2,3,4]}", 1, 1, 3, -1, 0, VE,
         PRE "Value '[...]' at 'tags' failed to satisfy constraint: Member must have length "
             "less than or equal to 3"},
        {"{\"Tags\":{}}", 0, 0, 3, -1, 0, SE, "Unexpected value type for member 'Tags'."},
        {"{\"Tags\":\"a\"}", 0, 0, 3, -1, 0, SE, "Unexpected value type for member 'Tags'."},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *in = parse(cases[i].json);
        const cJSON *out = (const cJSON *)&req;
        int rc;

        reset();
        rc = json_list(&req, in, "Tags", cases[i].required, cases[i].min, cases[i].max, &out);
        if (rc != cases[i].rc)
            fprintf(stderr, "list case %zu (%s): rc %d\n", i, cases[i].json, rc);
        if (cases[i].rc == 0)
            CHECK_OK(rc);
        else
            CHECK_ERR(rc, cases[i].code, cases[i].msg);
        if (cases[i].present)
            CHECK(out == cJSON_GetObjectItemCaseSensitive(in, "Tags"));
        else
            CHECK(out == NULL);
        cJSON_Delete(in);
    }
}

static void test_put(void)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *v;
    char *text;

    json_put_blob(out, "CiphertextBlob", (const uint8_t *)"foobar", 6);
    json_put_blob(out, "Empty", (const uint8_t *)"", 0);
    json_put_blob(out, "Bin", (const uint8_t *)"\x00\xff\xfe", 3);
    json_put_time(out, "CreationDate", 1700000000.123456);
    json_put_time(out, "Whole", 1700000000.0);
    json_put_time(out, "Small", 12.3456);

    v = cJSON_GetObjectItemCaseSensitive(out, "CiphertextBlob");
    CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "Zm9vYmFy") == 0);
    v = cJSON_GetObjectItemCaseSensitive(out, "Empty");
    CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "") == 0);
    v = cJSON_GetObjectItemCaseSensitive(out, "Bin");
    CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "AP/+") == 0);
    v = cJSON_GetObjectItemCaseSensitive(out, "CreationDate");
    CHECK(cJSON_IsNumber(v) && v->valuedouble > 1700000000.1229 &&
          v->valuedouble < 1700000000.1231);
    v = cJSON_GetObjectItemCaseSensitive(out, "Whole");
    CHECK(cJSON_IsNumber(v) && v->valuedouble == 1700000000.0);
    v = cJSON_GetObjectItemCaseSensitive(out, "Small");
    CHECK(cJSON_IsNumber(v) && v->valuedouble == 12.345);

    text = cJSON_PrintUnformatted(out);
    CHECK(text && strstr(text, "\"Whole\":1700000000,") != NULL);
    CHECK(text && strstr(text, "\"CreationDate\":1700000000.123") != NULL);
    CHECK(text && strstr(text, "\"Small\":12.345") != NULL);
    free(text);

    /* the round trip through json_blob */
    {
        uint8_t *blob = NULL;
        size_t len = 0;
        reset();
        CHECK_OK(json_blob(&req, out, "Bin", 1, 1, 0, &blob, &len));
        CHECK(len == 3 && blob && memcmp(blob, "\x00\xff\xfe", 3) == 0);
        free(blob);
    }
    cJSON_Delete(out);
}

static int op_a(svc_req_t *r, const cJSON *in, cJSON *out)
{
    (void)r, (void)in, (void)out;
    return 0;
}

static void test_find_and_error(void)
{
    /* sorted by name, strcmp order (the header's contract) */
    static const svc_op_t ops[] = {
        SVC_OP("CreateAlias", json, op_a, NULL, NULL, 0), SVC_OP("CreateKey", json, op_a, NULL, NULL, 0),    SVC_OP("Decrypt", json, op_a, NULL, NULL, 0),
        SVC_OP("Encrypt", json, op_a, NULL, NULL, 0),     SVC_OP("EncryptDecrypt", json, op_a, NULL, NULL, 0), SVC_OP("GenerateDataKey", json, op_a, NULL, NULL, 0),
        SVC_OP("GenerateDataKeyPair", json, op_a, NULL, NULL, 0), SVC_OP("GenerateDataKeyWithoutPlaintext", json, op_a, NULL, NULL, 0),
        SVC_OP("ListKeys", json, op_a, NULL, NULL, 0),    SVC_OP("Sign", json, op_a, NULL, NULL, 0),
    };
    static const size_t nops = sizeof ops / sizeof ops[0];
    static const char *const absent[] = {
        "", "A", "Create", "CreateAliasX", "CreateK", "Crea", "Decrypt ", "Encryp",
        "EncryptD", "GenerateDataKeyP", "ListKey", "ListKeysX", "Sign2", "Z", "encrypt",
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
    };
    svc_def_t svc = {.name = "kms", .proto = SVC_JSON, .target = "TrentService", .ops = ops, .nops = nops};
    char big[2000];
    size_t i, k;
    int ok = 1;

    /* every table size from 0 to nops finds exactly its own names */
    for (k = 0; k <= nops; k++) {
        svc.nops = k;
        for (i = 0; i < nops; i++) {
            const svc_op_t *f = svc_find_op(&svc, ops[i].name, strlen(ops[i].name));
            if (f != (i < k ? &ops[i] : NULL))
                ok = 0;
        }
        for (i = 0; i < sizeof absent / sizeof absent[0]; i++)
            if (svc_find_op(&svc, absent[i], strlen(absent[i])) != NULL)
                ok = 0;
    }
    CHECK(ok);
    svc.nops = nops;
    CHECK(svc_find_op(&svc, "DecryptXYZ", 7) == &ops[2]); /* len bounds the name */
    CHECK(svc_find_op(&svc, "SignXYZ", 4) == &ops[9]);
    CHECK(svc_find_op(&svc, "Sign", 3) == NULL);
    CHECK(svc_find_op(&svc, "Encrypt\0", 8) == NULL);

    reset();
    CHECK(svc_error(&req, 404, "NotFoundException", "Key '%s' does not exist", "k1") == -1);
    CHECK(req.err_status == 404);
    CHECK_STR(req.err_code, "NotFoundException");
    CHECK_STR(req.err_msg, "Key 'k1' does not exist");

    /* long messages and codes are cut, NUL-terminated */
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    reset();
    CHECK(svc_error(&req, 400, big, "%s", big) == -1);
    CHECK(strlen(req.err_code) == sizeof req.err_code - 1);
    CHECK(strlen(req.err_msg) == sizeof req.err_msg - 1);
}

/* ---- U+0000: json_str refuses it, json_strn and json_put_strn carry it ----- */

static cJSON *parse_rec(const char *s)
{
    cJSON *j = cJSON_Parse(s);

    if (j == NULL || jsonlen_record(j, s, strlen(s), NULL) != JSONLEN_OK)
        fprintf(stderr, "test bug: bad JSON %s\n", s);
    return j;
}

static void test_nul(void)
{
    cJSON *in = parse_rec("{\"AliasName\":\"alias/a\\u0000b\",\"KeyId\":\"k\\u0000\","
                          "\"SecretString\":\"a\\u0000b\\u0000\",\"Plaintext\":\"QUJD\\u0000\","
                          "\"Name\":\"n\\u0000\"}");
    const char *s = NULL;
    size_t n = 0;
    uint8_t *blob = NULL;
    cJSON *out;
    char *text;

    /* a member with a model pattern: its pattern error */
    reset();
    req.service = "kms";
    CHECK_ERR(json_str(&req, in, "AliasName", 1, 1, 256, &s), VE,
              PRE "Value 'alias/a' at 'aliasName' failed to satisfy constraint: Member must "
                  "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
    /* without one: said plainly */
    reset();
    req.service = "kms";
    CHECK_ERR(json_str(&req, in, "KeyId", 1, 1, 2048, &s), VE,
              PRE "Value 'k' at 'keyId' failed to satisfy constraint: Member must not contain "
                  "the character U+0000");
    /* Secrets Manager's names: its own message */
    reset();
    req.service = "secretsmanager";
    CHECK(json_str(&req, in, "Name", 1, 1, 512, &s) == -1);
    CHECK_STR(req.err_code, "InvalidParameterException");
    /* a base64 blob is read to its true end */
    reset();
    CHECK_ERR(json_blob(&req, in, "Plaintext", 1, 1, 4096, &blob, &n), SE,
              "Value for member 'Plaintext' is not valid base64.");
    CHECK(blob == NULL);
    /* json_strn: every byte, and the length */
    reset();
    s = NULL;
    CHECK_OK(json_strn(&req, in, "SecretString", 1, 1, 10, &s, &n));
    CHECK(s && n == 4 && memcmp(s, "a\0b\0", 4) == 0);
    /* lengths count characters, U+0000 among them */
    reset();
    CHECK(json_strn(&req, in, "SecretString", 1, 6, 0, &s, &n) == -1);

    /* json_put_strn writes what json_strn reads */
    out = cJSON_CreateObject();
    CHECK(json_put_strn(out, "V", "x\0y\"\n\xc3\xa9", 7) == 0);
    CHECK(json_put_strn(out, "E", "", 0) == 0);
    text = cJSON_PrintUnformatted(out);
    CHECK_STR(text, "{\"V\":\"x\\u0000y\\\"\\n\xc3\xa9\",\"E\":\"\"}");
    {
        cJSON *back = text ? parse_rec(text) : NULL;
        reset();
        CHECK_OK(json_strn(&req, back, "V", 1, 0, 0, &s, &n));
        CHECK(n == 7 && memcmp(s, "x\0y\"\n\xc3\xa9", 7) == 0);
        cJSON_Delete(back);
    }
    free(text);
    cJSON_Delete(out);
    cJSON_Delete(in);
}

int main(void)
{
    test_str();
    test_int();
    test_bool();
    test_enum();
    test_blob();
    test_map();
    test_list();
    test_put();
    test_find_and_error();
    test_nul();
    return unit_report("proto_json");
}
