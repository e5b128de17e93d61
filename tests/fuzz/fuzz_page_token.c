/* fuzz_page_token.c — fuzz target for page tokens (storage/page): any input
 * read as a NextToken is refused with no key, or, when accepted (a token
 * this master key made for this scope), makes the same token again; and
 * keys built from the input make a token that reads back to them. */
#include "storage/page.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_page_token:%d: invariant failed: %s\n", __LINE__, #c);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The corpus's valid tokens were made with this key and scope. */
static const uint8_t master[ENVELOPE_KEY_LEN] = {
    0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
static const char scope[] = "fuzz:List:000000000000";

static int same_keys(const page_key_t *a, const page_key_t *b)
{
    int i;

    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++) {
        if (a->k[i].type != b->k[i].type)
            return 0;
        if (a->k[i].type == 'l' && a->k[i].l != b->k[i].l)
            return 0;
        if (a->k[i].type == 'd' && memcmp(&a->k[i].d, &b->k[i].d, sizeof(double)) != 0)
            return 0;
        if (a->k[i].type == 't' &&
            (a->k[i].len != b->k[i].len ||
             memcmp(a->text + a->k[i].off, b->text + b->k[i].off, a->k[i].len) != 0))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char again[PAGE_TOKEN_MAX];
    static page_key_t k, back;
    size_t p = 0;
    int rc, i;

    /* the input as a token */
    rc = page_token_read(master, scope, (const char *)data, size, &k);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        FUZZ_CHECK(k.n >= 1 && k.n <= PAGE_MAX_KEYS);
        FUZZ_CHECK(page_token_make(master, scope, &k, again) == 0);
        FUZZ_CHECK(strlen(again) == size && memcmp(again, data, size) == 0);
    } else {
        FUZZ_CHECK(k.n == 0);
    }

    /* the input as keys: a type byte, then 8 bytes or a length byte and text */
    page_key_init(&k);
    for (i = 0; i < PAGE_MAX_KEYS && p < size; i++) {
        uint8_t t = data[p++];
        if (t % 3 == 0 || t % 3 == 1) {
            uint64_t v = 0;
            size_t j;
            for (j = 0; j < 8 && p < size; j++)
                v = v << 8 | data[p++];
            if (t % 3 == 0) {
                FUZZ_CHECK(page_key_int(&k, (long long)v) == 0);
            } else {
                double d;
                memcpy(&d, &v, sizeof d);
                FUZZ_CHECK(page_key_real(&k, d) == 0);
            }
        } else {
            size_t len = p < size ? data[p++] : 0;
            if (len > size - p)
                len = size - p;
            FUZZ_CHECK(page_key_text(&k, (const char *)data + p, len) == 0);
            p += len;
        }
    }
    if (k.n == 0)
        return 0;
    FUZZ_CHECK(page_token_make(master, scope, &k, again) == 0);
    FUZZ_CHECK(strlen(again) < PAGE_TOKEN_MAX);
    FUZZ_CHECK(page_token_read(master, scope, again, strlen(again), &back) == 0);
    FUZZ_CHECK(same_keys(&k, &back));
    FUZZ_CHECK(page_token_read(master, "fuzz:List:000000000001", again, strlen(again), &back) ==
               -1);
    return 0;
}
