/* test_buf.c — unit tests for buf: growth, the hard cap (exactly at the cap
 * fits, one byte more is BUF_ETOOBIG and changes nothing), printf, steal, and
 * JSON / XML escaping. */
#include "unit.h"

#include <stdlib.h>

#include "base/buf.h"

static void test_add_grow(void)
{
    buf_t b;
    char big[5000];
    size_t i;
    int ok = 1;

    buf_init(&b, 0);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
    CHECK(buf_add(&b, "", 0) == 0);
    CHECK(b.data != NULL && b.len == 0 && b.data[0] == '\0');
    CHECK(buf_adds(&b, "abc") == 0);
    CHECK(buf_add(&b, "de\0f", 4) == 0);
    CHECK(b.len == 7 && memcmp(b.data, "abcde\0f", 8) == 0);

    for (i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    for (i = 0; i < 10; i++)
        if (buf_add(&b, big, sizeof big) != 0)
            ok = 0;
    CHECK(ok);
    CHECK(b.len == 7 + 10 * sizeof big);
    CHECK(b.alloc > b.len && b.data[b.len] == '\0');
    CHECK(memcmp(b.data + 7 + 9 * sizeof big, big, sizeof big) == 0);

    buf_reset(&b);
    CHECK(b.len == 0 && b.data[0] == '\0');
    CHECK(buf_adds(&b, "x") == 0);
    CHECK_STR(b.data, "x");
    buf_free(&b);
    CHECK(b.data == NULL && b.len == 0);
    buf_free(&b); /* twice is harmless */
    buf_reset(&b); /* reset of a freed buffer too */
}

static void test_cap(void)
{
    buf_t b;
    char blk[100];

    memset(blk, 'z', sizeof blk);

    /* reaching the cap exactly is fine; one byte past is not */
    buf_init(&b, 10);
    CHECK(buf_add(&b, "0123456789", 10) == 0);
    CHECK(b.len == 10 && b.data[10] == '\0');
    CHECK(buf_add(&b, "", 0) == 0);
    CHECK(buf_add(&b, "a", 1) == BUF_ETOOBIG);
    CHECK(b.len == 10);
    CHECK_STR(b.data, "0123456789");
    CHECK(buf_adds(&b, "a") == BUF_ETOOBIG);
    CHECK(buf_printf(&b, "%d", 1) == BUF_ETOOBIG);
    CHECK(buf_add_json_escaped(&b, "a", 1) == BUF_ETOOBIG);
    CHECK(buf_add_xml_escaped(&b, "a", 1) == BUF_ETOOBIG);
    CHECK(b.len == 10);
    buf_reset(&b);
    CHECK(buf_add(&b, blk, 10) == 0);
    buf_free(&b);

    /* one add over the cap is refused whole, not truncated */
    buf_init(&b, 10);
    CHECK(buf_add(&b, "abcd", 4) == 0);
    CHECK(buf_add(&b, blk, 7) == BUF_ETOOBIG);
    CHECK(b.len == 4);
    CHECK_STR(b.data, "abcd");
    CHECK(buf_add(&b, blk, 6) == 0);
    CHECK(b.len == 10);
    buf_free(&b);

    /* a first add above the cap fails before allocating */
    buf_init(&b, 3);
    CHECK(buf_add(&b, "abcd", 4) == BUF_ETOOBIG);
    CHECK(b.len == 0);
    CHECK(buf_printf(&b, "%s", "abcd") == BUF_ETOOBIG);
    CHECK(buf_printf(&b, "%s", "abc") == 0);
    CHECK_STR(b.data, "abc");
    buf_free(&b);

    /* an escape that would cross the cap is refused */
    buf_init(&b, 5);
    CHECK(buf_add_json_escaped(&b, "ab\"", 3) == 0); /* ab\" = 4 */
    CHECK(b.len == 4);
    CHECK(buf_add_json_escaped(&b, "\"", 1) == BUF_ETOOBIG);
    buf_free(&b);
    buf_init(&b, 5);
    CHECK(buf_add_xml_escaped(&b, "&", 1) == 0); /* &amp; = 5 */
    CHECK(buf_add_xml_escaped(&b, "", 0) == 0);
    CHECK(buf_add_xml_escaped(&b, "<", 1) == BUF_ETOOBIG);
    CHECK_STR(b.data, "&amp;");
    buf_free(&b);

    /* cap bigger than the first allocation */
    buf_init(&b, 1000);
    CHECK(buf_add(&b, blk, 100) == 0);
    {
        int i, ok = 1;
        for (i = 1; i < 10; i++)
            if (buf_add(&b, blk, 100) != 0)
                ok = 0;
        CHECK(ok);
    }
    CHECK(b.len == 1000);
    CHECK(buf_add(&b, blk, 1) == BUF_ETOOBIG);
    buf_free(&b);
}

static void test_printf(void)
{
    buf_t b;
    char long_s[1000];

    buf_init(&b, 0);
    CHECK(buf_printf(&b, "%s", "") == 0);
    CHECK(b.len == 0 && b.data && b.data[0] == '\0');
    CHECK(buf_printf(&b, "%d-%s", 42, "x") == 0);
    CHECK(buf_printf(&b, "|%05.1f", 3.5) == 0);
    CHECK_STR(b.data, "42-x|003.5");
    CHECK(b.len == strlen(b.data));
    memset(long_s, 'q', sizeof long_s - 1);
    long_s[sizeof long_s - 1] = '\0';
    CHECK(buf_printf(&b, "[%s]", long_s) == 0);
    CHECK(b.len == 10 + 1001 && b.data[b.len - 1] == ']' && b.data[b.len] == '\0');
    buf_free(&b);
}

static void test_steal(void)
{
    buf_t b;
    size_t n = 99;
    char *p;

    buf_init(&b, 0);
    buf_adds(&b, "hello");
    p = buf_steal(&b, &n);
    CHECK(n == 5);
    CHECK_STR(p, "hello");
    CHECK(b.data == NULL && b.len == 0 && b.alloc == 0);
    free(p);

    /* an empty buffer gives an empty, freeable string */
    p = buf_steal(&b, &n);
    CHECK(p != NULL && n == 0 && p[0] == '\0');
    free(p);
    p = buf_steal(&b, NULL);
    CHECK(p != NULL && p[0] == '\0');
    free(p);

    /* reusable after a steal */
    CHECK(buf_adds(&b, "again") == 0);
    CHECK_STR(b.data, "again");
    buf_free(&b);
}

struct esc_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *json;
    const char *xml;
};

static const struct esc_case esc_cases[] = {
    {"", 0, "", ""},
    {"plain text 123", 0, "plain text 123", "plain text 123"},
    {"\"quoted\"", 0, "\\\"quoted\\\"", "&quot;quoted&quot;"},
    {"it's", 0, "it's", "it&apos;s"},
    {"a\\b", 0, "a\\\\b", "a\\b"},
    {"<a href=\"x\">&amp;</a>", 0, "<a href=\\\"x\\\">&amp;</a>",
     "&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;"},
    {"l1\nl2\r\n\tx", 0, "l1\\nl2\\r\\n\\tx", "l1&#10;l2&#13;&#10;\tx"},
    {"\x01\x1f", 0, "\\u0001\\u001f", NULL},
    {"\b\f", 0, "\\u0008\\u000c", NULL},
    {"a\0b", 3, "a\\u0000b", NULL},
    {"\x7f", 0, "\x7f", "\x7f"},
    {"caf\xc3\xa9 \xe2\x82\xac", 0, "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
    {"]]>", 0, "]]>", "]]&gt;"},
};

static void test_escape(void)
{
    size_t i;

    for (i = 0; i < sizeof esc_cases / sizeof esc_cases[0]; i++) {
        const struct esc_case *c = &esc_cases[i];
        size_t n = c->len ? c->len : strlen(c->in);
        buf_t b;

        buf_init(&b, 0);
        CHECK(buf_adds(&b, "<") == 0);
        CHECK(buf_add_json_escaped(&b, c->in, n) == 0);
        CHECK(buf_adds(&b, ">") == 0);
        CHECK(b.len >= 2 && b.data[0] == '<' && b.data[b.len - 1] == '>');
        b.data[b.len - 1] = '\0';
        CHECK_STR(b.data + 1, c->json);
        buf_free(&b);

        if (c->xml == NULL)
            continue;
        buf_init(&b, 0);
        CHECK(buf_add_xml_escaped(&b, c->in, n) == 0);
        CHECK(b.len == strlen(c->xml));
        CHECK_STR(b.data ? b.data : "", c->xml);
        buf_free(&b);
    }

    /* XML output never carries a raw markup character or a raw control
     * character (other than tab). */
    {
        char all[256];
        buf_t b;
        size_t k;
        int ok = 1;

        for (k = 0; k < 256; k++)
            all[k] = (char)k;
        buf_init(&b, 0);
        CHECK(buf_add_xml_escaped(&b, all, sizeof all) == 0);
        for (k = 0; k < b.len; k++) {
            unsigned char ch = (unsigned char)b.data[k];
            if (ch == '<' || ch == '>' || ch == '"' || ch == '\'' || (ch < 0x20 && ch != '\t'))
                ok = 0;
        }
        CHECK(ok);
        buf_free(&b);

        /* JSON output: no raw control characters, every quote escaped */
        buf_init(&b, 0);
        CHECK(buf_add_json_escaped(&b, all, sizeof all) == 0);
        ok = 1;
        for (k = 0; k < b.len; k++) {
            unsigned char ch = (unsigned char)b.data[k];
            if (ch < 0x20)
                ok = 0;
            if (ch == '"' && (k == 0 || b.data[k - 1] != '\\'))
                ok = 0;
        }
        CHECK(ok);
        buf_free(&b);
    }
}

/* str_copy and str_join cut and terminate exactly as snprintf "%s" would,
 * NULL copies as "" (snprintf would print "(null)"). */
static void test_str(void)
{
    char d[8], ref[8];
    static const char *srcs[] = {"", "a", "1234567", "12345678", "123456789abc"};
    size_t i, n;

    for (i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        for (n = 1; n <= sizeof d; n++) {
            memset(d, 'X', sizeof d);
            memset(ref, 'X', sizeof ref);
            CHECK(str_copy(d, n, srcs[i]) == strlen(srcs[i]) || strlen(srcs[i]) >= n);
            snprintf(ref, n, "%s", srcs[i]);
            CHECK(memcmp(d, ref, sizeof d) == 0);
            memset(d, 'X', sizeof d);
            memset(ref, 'X', sizeof ref);
            str_join(d, n, "<", srcs[i], ">", (char *)NULL);
            snprintf(ref, n, "<%s>", srcs[i]);
            CHECK(memcmp(d, ref, sizeof d) == 0);
        }
    }
    CHECK(str_copy(d, sizeof d, NULL) == 0 && d[0] == '\0');
    CHECK(str_join(d, sizeof d, (char *)NULL) == 0 && d[0] == '\0');
    CHECK(str_join(d, sizeof d, "ab", "", "cd", (char *)NULL) == 4 && strcmp(d, "abcd") == 0);
    CHECK(str_join(d, 3, "ab", "cd", (char *)NULL) == 2 && strcmp(d, "ab") == 0);
}

int main(void)
{
    test_add_grow();
    test_cap();
    test_printf();
    test_steal();
    test_escape();
    test_str();
    return unit_report("buf");
}
