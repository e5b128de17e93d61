/* fuzz_b64.c — fuzz target for codec base64: decodes the input into an
 * exact-size buffer of the documented bound; an accepted input re-encodes to
 * itself (modulo padding, the URL-safe digits and the unused low bits of the
 * last digit) and decodes again to the same bytes; arbitrary bytes encode
 * into the standard alphabet and decode back. */
#include "base/codec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_b64:%d: invariant failed: %s\n", __LINE__,   \
                    #c);                                                       \
            abort();                                                           \
        }                                                                      \
    } while (0)

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t unpadded(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == '=')
        n--;
    return n;
}

static char canon(char c)
{
    return c == '-' ? '+' : c == '_' ? '/' : c;
}

/* Encodes p (n bytes) and checks the text: length, alphabet, NUL. Caller
 * frees. */
static char *encode(const uint8_t *p, size_t n, size_t *len)
{
    size_t el = codec_b64_enclen(n), i;
    char *e = malloc(el + 1);

    FUZZ_CHECK(e);
    *len = codec_b64_encode(p, n, e);
    FUZZ_CHECK(*len == el && el % 4 == 0 && e[el] == '\0');
    for (i = 0; i < el; i++)
        FUZZ_CHECK(strchr(alphabet, e[i]) != NULL || (e[i] == '=' && i + 2 >= el));
    return e;
}

/* Decodes s (n bytes) into an exact-size buffer of the documented bound.
 * Caller frees *out. */
static long decode(const char *s, size_t n, uint8_t **out)
{
    long r;

    *out = malloc((n / 4 + 1) * 3);
    FUZZ_CHECK(*out);
    r = codec_b64_decode(s, n, *out);
    FUZZ_CHECK(r >= -1);
    FUZZ_CHECK(r <= (long)(n / 4 + 1) * 3);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1), *enc;
    uint8_t *dec, *dec2;
    size_t el, u_in, u_enc, i;
    long r, r2;

    FUZZ_CHECK(in);
    memcpy(in, data, size);

    /* decode -> encode -> decode */
    r = decode(in, size, &dec);
    if (r >= 0) {
        u_in = unpadded(in, size);
        FUZZ_CHECK(u_in % 4 != 1);
        FUZZ_CHECK((size_t)r == u_in * 6 / 8);
        enc = encode(dec, (size_t)r, &el);
        u_enc = unpadded(enc, el);
        FUZZ_CHECK(u_enc == u_in);
        for (i = 0; i + 1 < u_in; i++)
            FUZZ_CHECK(canon(in[i]) == enc[i]);
        r2 = decode(enc, el, &dec2);
        FUZZ_CHECK(r2 == r && memcmp(dec, dec2, (size_t)r) == 0);
        free(dec2);
        free(enc);
    }
    free(dec);

    /* arbitrary bytes: encode -> decode */
    enc = encode(data, size, &el);
    r = decode(enc, el, &dec);
    FUZZ_CHECK(r == (long)size && memcmp(dec, data, size) == 0);
    free(dec);
    free(enc);
    free(in);
    return 0;
}
