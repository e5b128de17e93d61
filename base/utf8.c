/* utf8.c — UTF-8 validation and counting without allocation.
 *
 * The validator is the classic byte-class check of Unicode's table 3-7 with
 * an ASCII fast path: request bodies are mostly ASCII, and eight bytes with
 * no high bit are tested with one load and one mask. */
#include "base/utf8.h"

#include <stdint.h>
#include <string.h>

#define HIGH_BITS 0x8080808080808080ull

/* Length of the well-formed sequence at p[0..n) (n >= 1), or 0. The second
 * byte's range depends on the lead byte (table 3-7); the rest are 80..BF. */
static size_t seq_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t len, i;

    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0; /* continuation byte, or C0/C1 (overlong two-byte forms) */
    if (c < 0xe0) {
        len = 2;
    } else if (c < 0xf0) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong below U+0800 */
        else if (c == 0xed)
            hi = 0x9f; /* U+D800..U+DFFF: surrogates */
    } else if (c < 0xf5) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

size_t utf8_check(const void *s, size_t n)
{
    const unsigned char *p = s;
    size_t i = 0, len;

    while (i < n) {
        if (p[i] < 0x80) {
            uint64_t w;
            /* skip ASCII eight bytes at a time */
            while (n - i >= 8) {
                memcpy(&w, p + i, 8);
                if (w & HIGH_BITS)
                    break;
                i += 8;
            }
            while (i < n && p[i] < 0x80)
                i++;
            if (i == n)
                break;
        }
        if ((len = seq_len(p + i, n - i)) == 0)
            return i;
        i += len;
    }
    return n;
}

int utf8_valid(const void *s, size_t n)
{
    return utf8_check(s, n) == n;
}

size_t utf8_count(const void *s, size_t n)
{
    const unsigned char *p = s;
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        k += (p[i] & 0xc0) != 0x80;
    return k;
}

size_t utf8_decode(const void *s, size_t n, unsigned long *cp)
{
    const unsigned char *p = s;
    size_t len = n ? seq_len(p, n) : 0, i;
    unsigned long v;

    if (len == 0)
        return 0;
    v = len == 1 ? p[0] : (unsigned long)(p[0] & (0x7f >> len));
    for (i = 1; i < len; i++)
        v = v << 6 | (p[i] & 0x3f);
    *cp = v;
    return len;
}
