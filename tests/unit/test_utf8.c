/* test_utf8.c — unit tests for utf8: the vectors of Markus Kuhn's "UTF-8
 * decoder capability and stress test" (UTF-8-test.txt, sections 1-5; the
 * section numbers are his), first-bad offsets, and an exhaustive comparison
 * of every one-, two- and three-byte input (and every four-byte one whose
 * lead byte is F0..F4 with a sample of continuations) with a slow reference
 * decoder written from RFC 3629's rules. */
#include "unit.h"
#include "base/utf8.h"

#include <stdint.h>
#include <stdlib.h>

struct vec {
    const char *what;
    const char *s;
    size_t n;       /* 0: strlen(s) */
    int valid;
    size_t bad_at;  /* when invalid: utf8_check's answer */
};

static const struct vec vecs[] = {
    /* 1 some correct UTF-8 text */
    {"1 kosme", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 0, 1, 0},
    /* 2.1 first possible sequence of a certain length */
    {"2.1.1 U+0000", "\0", 1, 1, 0},
    {"2.1.2 U+0080", "\xc2\x80", 0, 1, 0},
    {"2.1.3 U+0800", "\xe0\xa0\x80", 0, 1, 0},
    {"2.1.4 U+10000", "\xf0\x90\x80\x80", 0, 1, 0},
    {"2.1.5 five bytes", "\xf8\x88\x80\x80\x80", 0, 0, 0},
    {"2.1.6 six bytes", "\xfc\x84\x80\x80\x80\x80", 0, 0, 0},
    /* 2.2 last possible sequence of a certain length */
    {"2.2.1 U+007F", "\x7f", 0, 1, 0},
    {"2.2.2 U+07FF", "\xdf\xbf", 0, 1, 0},
    {"2.2.3 U+FFFF", "\xef\xbf\xbf", 0, 1, 0},
    {"2.2.4 U+1FFFFF", "\xf7\xbf\xbf\xbf", 0, 0, 0},
    {"2.2.5 five bytes", "\xfb\xbf\xbf\xbf\xbf", 0, 0, 0},
    {"2.2.6 six bytes", "\xfd\xbf\xbf\xbf\xbf\xbf", 0, 0, 0},
    /* 2.3 other boundary conditions */
    {"2.3.1 U+D7FF", "\xed\x9f\xbf", 0, 1, 0},
    {"2.3.2 U+E000", "\xee\x80\x80", 0, 1, 0},
    {"2.3.3 U+FFFD", "\xef\xbf\xbd", 0, 1, 0},
    {"2.3.4 U+10FFFF", "\xf4\x8f\xbf\xbf", 0, 1, 0},
    {"2.3.5 U+110000", "\xf4\x90\x80\x80", 0, 0, 0},
    /* 3.1 unexpected continuation bytes */
    {"3.1.1 first continuation byte", "\x80", 0, 0, 0},
    {"3.1.2 last continuation byte", "\xbf", 0, 0, 0},
    {"3.1.3 two continuation bytes", "\x80\xbf", 0, 0, 0},
    {"3.1.9 all 64 continuation bytes",
     "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
     "\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
     "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf"
     "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf", 0, 0, 0},
    /* 3.2 lonely start characters, each followed by a space */
    {"3.2.1 two-byte lead then space", "\xc2 ", 0, 0, 0},
    {"3.2.2 three-byte lead then space", "\xe0 ", 0, 0, 0},
    {"3.2.3 four-byte lead then space", "\xf0 ", 0, 0, 0},
    {"3.2.4 five-byte lead then space", "\xf8 ", 0, 0, 0},
    {"3.2.5 six-byte lead then space", "\xfc ", 0, 0, 0},
    /* 3.3 sequences with the last continuation byte missing */
    {"3.3.1 C0", "\xc0", 0, 0, 0},
    {"3.3.2 E0 80", "\xe0\x80", 0, 0, 0},
    {"3.3.3 F0 80 80", "\xf0\x80\x80", 0, 0, 0},
    {"3.3.6 DF", "\xdf", 0, 0, 0},
    {"3.3.7 EF BF", "\xef\xbf", 0, 0, 0},
    {"3.3.8 F7 BF BF", "\xf7\xbf\xbf", 0, 0, 0},
    {"3.3 U+0800 cut after one byte", "ab\xe0", 0, 0, 2},
    {"3.3 U+10000 cut after three bytes", "abc\xf0\x90\x80", 0, 0, 3},
    /* 3.4 concatenation of incomplete sequences */
    {"3.4 concatenated", "\xc0\xe0\x80\xf0\x80\x80\xdf\xef\xbf\xf7\xbf\xbf", 0, 0, 0},
    /* 3.5 impossible bytes */
    {"3.5.1 FE", "\xfe", 0, 0, 0},
    {"3.5.2 FF", "\xff", 0, 0, 0},
    {"3.5.3 FE FE FF FF", "\xfe\xfe\xff\xff", 0, 0, 0},
    /* 4.1 overlong ASCII '/' */
    {"4.1.1 C0 AF", "\xc0\xaf", 0, 0, 0},
    {"4.1.2 E0 80 AF", "\xe0\x80\xaf", 0, 0, 0},
    {"4.1.3 F0 80 80 AF", "\xf0\x80\x80\xaf", 0, 0, 0},
    {"4.1.4 F8 80 80 80 AF", "\xf8\x80\x80\x80\xaf", 0, 0, 0},
    /* 4.2 maximum overlong sequences */
    {"4.2.1 C1 BF", "\xc1\xbf", 0, 0, 0},
    {"4.2.2 E0 9F BF", "\xe0\x9f\xbf", 0, 0, 0},
    {"4.2.3 F0 8F BF BF", "\xf0\x8f\xbf\xbf", 0, 0, 0},
    /* 4.3 overlong NUL */
    {"4.3.1 C0 80", "\xc0\x80", 0, 0, 0},
    {"4.3.2 E0 80 80", "\xe0\x80\x80", 0, 0, 0},
    {"4.3.3 F0 80 80 80", "\xf0\x80\x80\x80", 0, 0, 0},
    /* 5.1 single UTF-16 surrogates */
    {"5.1.1 U+D800", "\xed\xa0\x80", 0, 0, 0},
    {"5.1.2 U+DB7F", "\xed\xad\xbf", 0, 0, 0},
    {"5.1.3 U+DB80", "\xed\xae\x80", 0, 0, 0},
    {"5.1.4 U+DBFF", "\xed\xaf\xbf", 0, 0, 0},
    {"5.1.5 U+DC00", "\xed\xb0\x80", 0, 0, 0},
    {"5.1.6 U+DF80", "\xed\xbe\x80", 0, 0, 0},
    {"5.1.7 U+DFFF", "\xed\xbf\xbf", 0, 0, 0},
    /* 5.2 paired UTF-16 surrogates */
    {"5.2.1 U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80", 0, 0, 0},
    {"5.2.8 U+DBFF U+DFFF", "\xed\xaf\xbf\xed\xbf\xbf", 0, 0, 0},
    /* 5.3 noncharacters are well-formed */
    {"5.3.1 U+FFFE", "\xef\xbf\xbe", 0, 1, 0},
    {"5.3.2 U+FFFF", "\xef\xbf\xbf", 0, 1, 0},
    {"5.3.4 U+10FFFE", "\xf4\x8f\xbf\xbe", 0, 1, 0},
    /* first-bad offsets past the ASCII fast path */
    {"bad after 8 ASCII", "abcdefgh\xff", 0, 0, 8},
    {"bad after 17 ASCII", "abcdefghijklmnopq\x80rest", 0, 0, 17},
    {"bad after a good sequence", "a\xc3\xa9z\xed\xa0\x80", 0, 0, 4},
    {"description \\xff\\xfe", "{\"Description\":\"\xff\xfe\"}", 0, 0, 16},
    {"long valid mix", "0123456789abcdef\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 0123456789abcdef", 0,
     1, 0},
};

/* RFC 3629 from first principles: decode, then judge the code point. */
static size_t ref_check(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned long cp;
        size_t len, k;
        unsigned char c = p[i];
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

static void exhaustive(void)
{
    unsigned char b[8];
    unsigned long x, mismatches = 0;
    unsigned a, c;

    for (x = 0; x < 0x1000000; x++) {
        size_t n = x < 0x100 ? 1 : x < 0x10000 ? 2 : 3, k;
        for (k = 0; k < n; k++)
            b[k] = (unsigned char)(x >> (8 * (n - 1 - k)));
        if (utf8_check(b, n) != ref_check(b, n))
            mismatches++;
    }
    /* four-byte leads F0..F4 against continuations and their neighbours */
    for (a = 0xf0; a <= 0xf4; a++) {
        for (c = 0x70; c <= 0xc5; c++) {
            static const unsigned char tails[] = {0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0};
            size_t t, u;
            for (t = 0; t < sizeof tails; t++)
                for (u = 0; u < sizeof tails; u++) {
                    b[0] = (unsigned char)a;
                    b[1] = (unsigned char)c;
                    b[2] = tails[t];
                    b[3] = tails[u];
                    if (utf8_check(b, 4) != ref_check(b, 4))
                        mismatches++;
                }
        }
    }
    CHECK(mismatches == 0);
    if (mismatches)
        fprintf(stderr, "exhaustive: %lu inputs differ from the reference\n", mismatches);
}

static void decode_and_count(void)
{
    unsigned long cp = 0;

    CHECK(utf8_decode("A", 1, &cp) == 1 && cp == 'A');
    CHECK(utf8_decode("\xc3\xa9", 2, &cp) == 2 && cp == 0xe9);
    CHECK(utf8_decode("\xe2\x82\xac", 3, &cp) == 3 && cp == 0x20ac);
    CHECK(utf8_decode("\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1f600);
    CHECK(utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp) == 4 && cp == 0x10ffff);
    CHECK(utf8_decode("\xed\xa0\x80", 3, &cp) == 0);
    CHECK(utf8_decode("\xc3", 1, &cp) == 0);
    CHECK(utf8_decode("", 0, &cp) == 0);
    CHECK(utf8_count("", 0) == 0);
    CHECK(utf8_count("abc", 3) == 3);
    CHECK(utf8_count("a\0b", 3) == 3);
    CHECK(utf8_count("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11) == 5);
    CHECK(utf8_count("\xf0\x9f\x98\x80", 4) == 1);
}

int main(void)
{
    size_t i;

    for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        const struct vec *v = &vecs[i];
        size_t n = v->n ? v->n : strlen(v->s), got = utf8_check(v->s, n);
        int ok = v->valid ? got == n : got == v->bad_at;
        CHECK(ok);
        CHECK(utf8_valid(v->s, n) == v->valid);
        CHECK(ref_check((const unsigned char *)v->s, n) == (v->valid ? n : v->bad_at));
        if (!ok)
            fprintf(stderr, "  vector %s: utf8_check gave %zu\n", v->what, got);
    }
    CHECK(utf8_check("", 0) == 0 && utf8_valid("", 0));
    exhaustive();
    decode_and_count();
    return unit_report("utf8");
}
