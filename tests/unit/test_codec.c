/* test_codec.c — unit tests for codec: base64 against the RFC 4648 section 10
 * vectors and strict-decoding rejects, hex, UUID format and v4 bits. */
#include "base/codec.h"
#include "unit.h"

#include <stdlib.h>

struct b64_case {
    const char *plain;
    const char *b64;
};

/* RFC 4648, section 10 */
static const struct b64_case rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

/* Inputs a strict decoder refuses. */
static const char *const b64_bad[] = {
    "Z",          /* length % 4 == 1 */
    "Zm9vY",      /* length % 4 == 1 */
    "Zm9vYmFyZ",  /* length % 4 == 1 */
    "Zg=",        /* padding short of a 4-byte boundary */
    "Zg===",      /* three pad characters */
    "Zm9=v",      /* padding inside */
    "Zg==Zg==",   /* padding inside */
    "Zm8==",      /* padding past the boundary */
    "Zm9vYmFy=",  /* padding after a full group */
    "=",
    "==",
    "===",
    "====",
    "Zm9v!",      /* bad characters */
    "Zm9 v",
    "Zm9v\n",
    " Zm9v",
    "Zm9v\tYg==",
    "Zm9\x80",
    "Zm.v",
    "Zm*v",
};

static void test_b64_vectors(void)
{
    size_t i;

    for (i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const struct b64_case *c = &rfc4648[i];
        size_t pn = strlen(c->plain), bn = strlen(c->b64);
        char enc[32];
        uint8_t dec[32];
        long dl;

        CHECK(codec_b64_enclen(pn) == bn);
        memset(enc, 'X', sizeof enc);
        CHECK(codec_b64_encode((const uint8_t *)c->plain, pn, enc) == bn);
        CHECK_STR(enc, c->b64);

        memset(dec, 0xAA, sizeof dec);
        dl = codec_b64_decode(c->b64, bn, dec);
        CHECK(dl == (long)pn);
        CHECK(dl >= 0 && memcmp(dec, c->plain, pn) == 0);
    }
}

static void test_b64_bad(void)
{
    size_t i;

    for (i = 0; i < sizeof b64_bad / sizeof b64_bad[0]; i++) {
        const char *s = b64_bad[i];
        uint8_t dec[64];
        long dl = codec_b64_decode(s, strlen(s), dec);
        if (dl != -1)
            fprintf(stderr, "b64 bad case %zu (\"%s\") decoded to %ld bytes\n", i, s, dl);
        CHECK(dl == -1);
    }
    /* a NUL byte inside the counted length is not base64 */
    {
        uint8_t dec[16];
        CHECK(codec_b64_decode("Zm\0v", 4, dec) == -1);
        /* the length argument, not the NUL, bounds the input */
        CHECK(codec_b64_decode("Zm9vYmFy", 4, dec) == 3 && memcmp(dec, "foo", 3) == 0);
    }
}

/* Every byte value and every length up to 300 round-trips; the decoded
 * length never exceeds the documented (n / 4 + 1) * 3 bound. */
static void test_b64_roundtrip(void)
{
    uint8_t in[300], dec[(400 / 4 + 1) * 3];
    char enc[401];
    size_t n, i;
    int ok = 1;

    for (i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 7 + 3);
    for (n = 0; n <= sizeof in; n++) {
        size_t el = codec_b64_encode(in, n, enc);
        long dl;
        if (el != codec_b64_enclen(n) || el % 4 != 0 || enc[el] != '\0')
            ok = 0;
        for (i = 0; i < el; i++)
            if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
                        enc[i]))
                ok = 0;
        dl = codec_b64_decode(enc, el, dec);
        if (dl != (long)n || memcmp(dec, in, n) != 0)
            ok = 0;
        if ((size_t)dl > (el / 4 + 1) * 3)
            ok = 0;
    }
    CHECK(ok);

    /* all 256 byte values in one go, including the '+' and '/' digits */
    {
        uint8_t all[256], back[(344 / 4 + 1) * 3];
        char e[345];
        for (i = 0; i < 256; i++)
            all[i] = (uint8_t)i;
        CHECK(codec_b64_encode(all, 256, e) == 344);
        CHECK(strchr(e, '+') != NULL && strchr(e, '/') != NULL);
        CHECK(codec_b64_decode(e, 344, back) == 256 && memcmp(all, back, 256) == 0);
    }
    /* 0xfb 0xff encodes with both high digits */
    {
        const uint8_t hi[] = {0xfb, 0xff, 0xbf};
        char e[5];
        codec_b64_encode(hi, 3, e);
        CHECK_STR(e, "+/+/");
    }
}

static void test_hex(void)
{
    const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
    char out[2 * sizeof in + 1];

    memset(out, 'X', sizeof out);
    codec_hex(in, sizeof in, out);
    CHECK_STR(out, "00017f80abcdefff");
    memset(out, 'X', sizeof out);
    codec_hex(in, 0, out);
    CHECK_STR(out, "");
    codec_hex(in + 4, 1, out);
    CHECK_STR(out, "ab");
}

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void test_uuid(void)
{
    char a[37], b[37];
    int i, k, ok = 1;

    for (k = 0; k < 64; k++) {
        memset(a, 'X', sizeof a);
        codec_uuid(a);
        if (strlen(a) != 36 || !codec_is_uuid(a, 36))
            ok = 0;
        for (i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (a[i] != '-')
                    ok = 0;
            } else if (!is_lower_hex(a[i])) {
                ok = 0;
            }
        }
        if (a[14] != '4')                 /* version 4 */
            ok = 0;
        if (!strchr("89ab", a[19]))       /* RFC 4122 variant */
            ok = 0;
    }
    CHECK(ok);
    codec_uuid(a);
    codec_uuid(b);
    CHECK(strcmp(a, b) != 0);

    /* codec_is_uuid */
    CHECK(codec_is_uuid("1234abcd-12ab-4cde-8f00-0123456789ab", 36));
    CHECK(codec_is_uuid("1234ABCD-12AB-4CDE-8F00-0123456789AB", 36));
    CHECK(codec_is_uuid("00000000-0000-0000-0000-000000000000", 36));
    CHECK(!codec_is_uuid("1234abcd-12ab-4cde-8f00-0123456789ab", 35));
    CHECK(!codec_is_uuid("1234abcd-12ab-4cde-8f00-0123456789abc", 37));
    CHECK(!codec_is_uuid("1234abcd-12ab-4cde-8f00-0123456789ag", 36));
    CHECK(!codec_is_uuid("1234abcd_12ab-4cde-8f00-0123456789ab", 36));
    CHECK(!codec_is_uuid("1234abcd-12ab-4cde-8f00+0123456789ab", 36));
    CHECK(!codec_is_uuid("1234abcd112ab-4cde-8f00-0123456789a", 36));
    CHECK(!codec_is_uuid("-1234abc-12ab-4cde-8f00-0123456789ab", 36));
    CHECK(!codec_is_uuid("1234abcd-12ab-4cde-8f00-0123456789a\0", 36));
    CHECK(!codec_is_uuid("", 0));
    CHECK(!codec_is_uuid("alias/my-key-000000000000000000000000", 36));
}

static void test_random(void)
{
    uint8_t a[32], b[32], z[32] = {0};

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    codec_random(a, sizeof a);
    codec_random(b, sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(memcmp(a, z, sizeof a) != 0);
    codec_random(a, 0); /* a zero-length request is fine */
}

/* FIPS 180-2 and RFC 4231 (HMAC-SHA-256 test cases 1, 2, 4, 6, 7: short,
 * ASCII, 25-byte, and keys longer than the block). */
static void test_sha256_hmac(void)
{
    static const struct {
        const char *key; size_t klen; const char *msg; size_t mlen; const char *want;
    } macs[] = {
        {"\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b", 20,
         "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"Jefe", 4, "what do ya want for nothing?", 28,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19",
         25, NULL, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {NULL, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    };
    uint8_t md[32], key[131], msg[50];
    char hex[65];
    size_t i;

    CHECK(codec_sha256("abc", 3, md) == 0);
    codec_hex(md, 32, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(codec_sha256(NULL, 0, md) == 0);
    codec_hex(md, 32, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    memset(key, 0xaa, sizeof key);
    memset(msg, 0xcd, sizeof msg);
    for (i = 0; i < sizeof macs / sizeof macs[0]; i++) {
        CHECK(codec_hmac_sha256(macs[i].key ? (const void *)macs[i].key : key, macs[i].klen,
                                macs[i].msg ? (const void *)macs[i].msg : msg, macs[i].mlen,
                                md) == 0);
        codec_hex(md, 32, hex);
        CHECK_STR(hex, macs[i].want);
    }
}

int main(void)
{
    test_sha256_hmac();
    test_b64_vectors();
    test_b64_bad();
    test_b64_roundtrip();
    test_hex();
    test_uuid();
    test_random();
    return unit_report("codec");
}
