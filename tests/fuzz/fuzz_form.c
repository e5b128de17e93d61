/* fuzz_form.c — fuzz target for the Query protocol form decoding. The first
 * input byte picks the output size and the parameter name (a prefix of the
 * rest, or a fixed one); the rest is the form, held in an exact-size buffer.
 * proto_query_param must agree with a plain reference search, write only
 * inside out[0..n) and NUL-terminate; proto_query_unescape must stay within
 * n + 1 bytes and NUL-terminate. */
#include "emulator/proto_query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_form:%d: invariant failed: %s\n", __LINE__,  \
                    #c);                                                       \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* The reference: the first key equal to name; its raw value in *v, *vl.
 * Returns 0, or -1 when absent. */
static int ref_find(const char *form, size_t len, const char *name, const char **v, size_t *vl)
{
    size_t nl = strlen(name), i = 0;

    while (i < len) {
        const char *seg = form + i, *amp = memchr(seg, '&', len - i), *eq;
        size_t sl = amp ? (size_t)(amp - seg) : len - i, kl;
        eq = memchr(seg, '=', sl);
        kl = eq ? (size_t)(eq - seg) : sl;
        if (kl == nl && memcmp(seg, name, nl) == 0) {
            *v = eq ? eq + 1 : seg + sl;
            *vl = eq ? sl - kl - 1 : 0;
            return 0;
        }
        i += sl + 1;
    }
    return -1;
}

static void check_unescape(const char *s, size_t n, int plus_space)
{
    char *out = malloc(n + 1);
    long r;

    FUZZ_CHECK(out);
    r = proto_query_unescape(s, n, plus_space, out);
    FUZZ_CHECK(r == -1 || (r >= 0 && (size_t)r <= n));
    if (r >= 0) {
        FUZZ_CHECK(out[r] == '\0');
        if (memchr(s, '%', n) == NULL) {
            FUZZ_CHECK((size_t)r == n);
            if (!plus_space)
                FUZZ_CHECK(memcmp(out, s, n) == 0);
        }
    }
    free(out);
}

static void check_param(const char *form, size_t len, const char *name, size_t n)
{
    char *out = malloc(n), *want = malloc(len + 1);
    const char *v = NULL;
    size_t vl = 0;
    long r, wl = -1;

    FUZZ_CHECK(out && want);
    r = proto_query_param(form, len, name, out, n);
    FUZZ_CHECK(r >= -1);
    if (ref_find(form, len, name, &v, &vl) == 0)
        wl = proto_query_unescape(v, vl, 1, want);
    if (r >= 0) {
        FUZZ_CHECK((size_t)r < n && out[r] == '\0');
        FUZZ_CHECK(wl == r && memcmp(out, want, (size_t)r) == 0);
    } else {
        /* absent, a bad escape, or too long for out */
        FUZZ_CHECK(wl < 0 || (size_t)wl >= n || vl >= n);
    }
    free(out);
    free(want);
}

/* qform_parse decodes each pair as proto_query_unescape does, in order,
 * and qform_get finds the first pair of each name. */
static void check_qform(const char *form, size_t len)
{
    qform_t f;
    size_t i;

    if (qform_parse(&f, form, len) != 0)
        return;
    FUZZ_CHECK(f.n <= len + 1 && f.n <= QFORM_MAX_PARAMS);
    for (i = 0; i < f.n; i++) {
        const char *first = qform_get(&f, f.p[i].name);
        FUZZ_CHECK(f.p[i].value[f.p[i].len] == '\0');
        FUZZ_CHECK(first != NULL);
    }
    qform_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"Action", "Version", "A", "UserName", ""};
    size_t n, nl, len, i;
    char *form, name[16];

    if (size == 0)
        return 0;
    n = (size_t)(data[0] & 0x3f) + 1;   /* output sizes 1..64 */
    if (data[0] & 0x40)
        n = 4096;
    nl = (size_t)(data[0] >> 7) * 8;    /* 0 or up to 8 name bytes */
    data++;
    size--;

    len = size;
    form = malloc(len ? len : 1);
    FUZZ_CHECK(form);
    memcpy(form, data, len);

    check_unescape(form, len, 0);
    check_unescape(form, len, 1);
    check_qform(form, len);
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        check_param(form, len, names[i], n);
    /* a name taken from the input itself (up to the first '=' or '&') */
    if (nl) {
        for (i = 0; i < nl && i < len && form[i] != '=' && form[i] != '&' && form[i]; i++)
            name[i] = form[i];
        name[i] = '\0';
        check_param(form, len, name, n);
    }
    free(form);
    return 0;
}
