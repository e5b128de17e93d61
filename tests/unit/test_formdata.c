/* test_formdata.c — the multipart/form-data parser (base/formdata.c):
 * boundaries from Content-Type values, parts with and without file names,
 * a preamble, and the malformed bodies it must refuse. Table-driven. */
#include "base/formdata.h"

#include "unit.h"

static void test_boundary(void)
{
    static const struct {
        const char *ct, *want; /* want NULL: refused */
    } cases[] = {
        {"multipart/form-data; boundary=abc", "abc"},
        {"Multipart/Form-Data;boundary=\"a b:c\"", "a b:c"},
        {"multipart/form-data; boundary=\"a;b\"", NULL}, /* not an RFC 2046 bchar */
        {"multipart/form-data; charset=utf-8; boundary=x1", "x1"},
        {"multipart/form-data; boundary=", NULL},
        {"multipart/form-data", NULL},
        {"text/plain; boundary=abc", NULL},
        {"multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789X",
         NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[FORMDATA_BOUNDARY_MAX + 1];
        int rc = formdata_boundary(cases[i].ct, strlen(cases[i].ct), out);
        if (cases[i].want) {
            CHECK(rc == 0);
            CHECK_STR(rc == 0 ? out : "", cases[i].want);
        } else {
            CHECK(rc == -1);
        }
    }
}

static void test_parts(void)
{
    static const char body[] =
        "preamble\r\n--XX\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk/${filename}\r\n"
        "--XX\r\ncontent-disposition: form-data; name=plain\r\n\r\n\r\n"
        "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.txt\"\r\n"
        "Content-Type: text/plain \r\n\r\nline1\r\n--X\r\n--XX--\r\n";
    size_t pos = 0, len = sizeof body - 1;
    formdata_part_t p;

    CHECK(formdata_next(body, len, "XX", &pos, &p) == 1);
    CHECK(p.name_len == 3 && !memcmp(p.name, "key", 3));
    CHECK(p.filename == NULL);
    CHECK(p.len == 13 && !memcmp(p.data, "k/${filename}", 13));
    CHECK(formdata_next(body, len, "XX", &pos, &p) == 1);
    CHECK(p.name_len == 5 && !memcmp(p.name, "plain", 5) && p.len == 0);
    CHECK(formdata_next(body, len, "XX", &pos, &p) == 1);
    CHECK(p.name_len == 4 && p.filename_len == 7 && !memcmp(p.filename, "a;b.txt", 7));
    CHECK(p.ctype_len == 10 && !memcmp(p.ctype, "text/plain", 10));
    CHECK(p.len == 10 && !memcmp(p.data, "line1\r\n--X", 10)); /* a prefix is data */
    CHECK(formdata_next(body, len, "XX", &pos, &p) == 0);
}

static void test_malformed(void)
{
    static const char *const bodies[] = {
        "no delimiter at all",
        "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
        "--XX\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XX--",
        "--XX\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XX--",
        "--XX\r\nno colon here\r\n\r\nx\r\n--XX--",
        "--XXjunk\r\n",
    };
    size_t i;

    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        size_t pos = 0;
        formdata_part_t p;
        CHECK(formdata_next(bodies[i], strlen(bodies[i]), "XX", &pos, &p) == -1);
    }
}

int main(void)
{
    test_boundary();
    test_parts();
    test_malformed();
    return unit_report("formdata");
}
