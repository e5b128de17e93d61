/* test_jsonlen.c — unit tests for jsonlen: the decoded lengths of string
 * values and member names (U+0000, escapes, surrogate pairs, multi-byte
 * UTF-8), the JSON rules cJSON does not enforce, the U+0000 count, and the
 * fallbacks for nodes that were never recorded. */
#include "base/jsonlen.h"
#include "unit.h"

#include <stdlib.h>

/* Parses text[0..n) with cJSON and records lengths; returns the tree (or
 * NULL when cJSON refused it) and the record result in *rc. */
static cJSON *load(const char *text, size_t n, int *rc, size_t *nuls)
{
    cJSON *j = cJSON_ParseWithLength(text, n);

    *rc = j ? jsonlen_record(j, text, n, nuls) : 99;
    return j;
}

#define LOAD(lit, rcp, nulsp) load(lit, sizeof lit - 1, rcp, nulsp)

static void test_lengths(void)
{
    size_t nuls = 7;
    int rc;
    cJSON *j = LOAD("{\"owner\":\"alice\\u0000bob\",\"k\\u0000x\":\"v\",\"plain\":\"abc\","
                    "\"esc\":\"a\\n\\\"\\\\\\/\\b\\f\\r\\t\",\"uni\":\"\\u00e9\\u20ac\\ud83d\\ude00\","
                    "\"raw\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"empty\":\"\","
                    "\"nul\":\"\\u0000\",\"n\":5,\"t\":true,\"o\":{\"in\\u0000ner\":[\"x\\u0000\"]}}",
                    &rc, &nuls);
    const cJSON *e;

    CHECK(j != NULL && rc == JSONLEN_OK);
    if (j == NULL)
        return;
    CHECK(nuls == 5); /* "alice\0bob", "k\0x", "\0", "in\0ner", "x\0" */
    e = cJSON_GetObjectItemCaseSensitive(j, "owner");
    CHECK(jsonlen_str(e) == 9 && memcmp(e->valuestring, "alice\0bob", 9) == 0);
    CHECK(jsonlen_key(e) == 5);
    CHECK(jsonlen_has_nul(e));
    e = e->next; /* "k\0x" (cJSON finds it as "k") */
    CHECK(jsonlen_key(e) == 3 && memcmp(e->string, "k\0x", 3) == 0);
    CHECK(jsonlen_str(e) == 1);
    CHECK(jsonlen_has_nul(e));
    e = cJSON_GetObjectItemCaseSensitive(j, "plain");
    CHECK(jsonlen_str(e) == 3 && jsonlen_key(e) == 5 && !jsonlen_has_nul(e));
    e = cJSON_GetObjectItemCaseSensitive(j, "esc");
    CHECK(jsonlen_str(e) == 9 && strcmp(e->valuestring, "a\n\"\\/\b\f\r\t") == 0);
    e = cJSON_GetObjectItemCaseSensitive(j, "uni");
    CHECK(jsonlen_str(e) == 2 + 3 + 4 && strlen(e->valuestring) == 9);
    e = cJSON_GetObjectItemCaseSensitive(j, "raw");
    CHECK(jsonlen_str(e) == 9);
    e = cJSON_GetObjectItemCaseSensitive(j, "empty");
    CHECK(jsonlen_str(e) == 0 && !jsonlen_has_nul(e));
    e = cJSON_GetObjectItemCaseSensitive(j, "nul");
    CHECK(jsonlen_str(e) == 1 && jsonlen_has_nul(e));
    e = cJSON_GetObjectItemCaseSensitive(j, "n");
    CHECK(jsonlen_str(e) == 0 && jsonlen_key(e) == 1 && e->valuedouble == 5);
    e = cJSON_GetObjectItemCaseSensitive(j, "t");
    CHECK(jsonlen_key(e) == 1 && cJSON_IsTrue(e));
    e = cJSON_GetObjectItemCaseSensitive(j, "o");
    CHECK(e && e->child && jsonlen_key(e->child) == 6 && jsonlen_has_nul(e->child));
    CHECK(e && e->child && e->child->child && jsonlen_str(e->child->child) == 2);
    cJSON_Delete(j);
}

static void test_refusals(void)
{
    static const struct {
        const char *text;
        size_t n;
        int rc;
    } cases[] = {
        /* raw control characters inside strings (cJSON copies them) */
        {"{\"a\":\"x\x01y\"}", 0, JSONLEN_ECTL},
        {"{\"a\":\"x\ty\"}", 0, JSONLEN_ECTL},
        {"{\"a\\u0000\":\"x\x1f\"}", 0, JSONLEN_ECTL},
        {"{\"a\x0a\":1}", 0, JSONLEN_ECTL},
        {"{\"a\":\"x\0y\"}", 12, JSONLEN_ECTL},
        /* bytes <= 0x20 that cJSON skips but JSON does not call whitespace */
        {"{\x01\"a\":1}", 0, JSONLEN_ESPACE},
        {"{\"a\":1\x0b}", 0, JSONLEN_ESPACE},
        {"\x0c{\"a\":1}", 0, JSONLEN_ESPACE},
        {"{\"a\":1}\x00", 8, JSONLEN_ESPACE},
        /* \u escapes cJSON reads as 0 */
        {"{\"a\":\"\\u00zz\"}", 0, JSONLEN_EESCAPE},
        {"{\"a\":\"\\uzzzz\"}", 0, JSONLEN_EESCAPE},
        /* a number member has no room for its name's length */
        {"{\"a\\u0000\":1}", 0, JSONLEN_ENULKEY},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].n ? cases[i].n : strlen(cases[i].text), nuls = 9;
        int rc;
        cJSON *j = load(cases[i].text, n, &rc, &nuls);
        /* cJSON itself may refuse some; when it accepts, jsonlen must not */
        if (j != NULL) {
            CHECK(rc == cases[i].rc);
            if (rc != cases[i].rc)
                fprintf(stderr, "refusal case %zu: got %d want %d\n", i, rc, cases[i].rc);
            CHECK(nuls == 0);
        }
        cJSON_Delete(j);
    }
}

static void test_accepts(void)
{
    static const char *const ok[] = {
        "{}", "[]", "\"s\"", "1", "-1.5e+3", "true", "null", " \t\r\n{ \"a\" : [ 1 , \"b\" , "
        "{ } , [ ] , null ] } \n",
        "\xef\xbb\xbf{\"bom\":1}", "[\"\\ud83d\\ude00\"]", "{\"a\":{\"b\":{\"c\":[[[\"d\"]]]}}}",
    };
    size_t i;

    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int rc;
        size_t nuls = 9;
        cJSON *j = load(ok[i], strlen(ok[i]), &rc, &nuls);
        CHECK(j != NULL);
        CHECK(rc == JSONLEN_OK);
        if (rc != JSONLEN_OK)
            fprintf(stderr, "accept case %zu: rc %d\n", i, rc);
        CHECK(nuls == 0);
        cJSON_Delete(j);
    }
}

static void test_mismatch_and_fallbacks(void)
{
    cJSON *j = cJSON_Parse("{\"a\":\"bc\"}"), *made;
    size_t nuls;

    /* the text must be the tree's own */
    CHECK(jsonlen_record(j, "{\"a\":\"bcd\",\"x\":1}", 17, &nuls) == JSONLEN_EMISMATCH);
    CHECK(jsonlen_record(j, "[\"bc\"]", 6, &nuls) == JSONLEN_EMISMATCH);
    CHECK(jsonlen_record(j, "{\"a\":\"bc\"} x", 12, &nuls) == JSONLEN_EMISMATCH);
    CHECK(jsonlen_record(j, "{\"a\":\"bc\"}", 10, &nuls) == JSONLEN_OK);
    CHECK(jsonlen_record(NULL, "{}", 2, &nuls) == JSONLEN_EMISMATCH);
    cJSON_Delete(j);

    /* nodes built in code: strlen */
    made = cJSON_CreateObject();
    cJSON_AddStringToObject(made, "key", "value");
    cJSON_AddNumberToObject(made, "num", 12345);
    CHECK(jsonlen_str(made->child) == 5 && jsonlen_key(made->child) == 3);
    CHECK(jsonlen_key(made->child->next) == 3);
    CHECK(!jsonlen_has_nul(made->child));
    CHECK(jsonlen_str(made) == 0 && jsonlen_key(made) == 0 && !jsonlen_has_nul(NULL));
    cJSON_Delete(made);
}

int main(void)
{
    test_lengths();
    test_refusals();
    test_accepts();
    test_mismatch_and_fallbacks();
    return unit_report("jsonlen");
}
