/* utf8.h — UTF-8 validation and counting (RFC 3629), without allocation:
 * what every text member of a request passes before awsemu stores it. */
#ifndef AWSEMU_UTF8_H
#define AWSEMU_UTF8_H

#include <stddef.h>

/* Returns n when s[0..n) is well-formed UTF-8 as RFC 3629 and Unicode's
 * table 3-7 define it, else the offset of the first byte of the first
 * ill-formed sequence. Ill-formed: a continuation byte without a lead byte,
 * a lead byte C0, C1 or F5..FF, a sequence cut short (also at the end of
 * the input), an overlong form (E0 80..9F, F0 80..8F), a UTF-16 surrogate
 * (ED A0..BF: U+D800..U+DFFF) and anything above U+10FFFF (F4 90..BF). NUL
 * and other control characters are well-formed; callers refuse them where
 * they must. ASCII runs are checked a word at a time. */
size_t utf8_check(const void *s, size_t n);

/* 1 when s[0..n) is well-formed UTF-8 (utf8_check(s, n) == n), else 0. */
int utf8_valid(const void *s, size_t n);

/* The code points of s[0..n), as AWS length constraints count characters.
 * For ill-formed input it counts the bytes that are not continuation bytes
 * (a bound, never more than n). */
size_t utf8_count(const void *s, size_t n);

/* Decodes the well-formed sequence at s[0..n) (n >= 1): returns its length
 * in bytes (1..4) with the code point in *cp, or 0 when it is ill-formed. */
size_t utf8_decode(const void *s, size_t n, unsigned long *cp /* OUT */);

#endif
