/* codec.h — base64, hex, UUIDs and CSPRNG bytes. */
#ifndef AWSEMU_CODEC_H
#define AWSEMU_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Base64 (standard alphabet, padded). out needs codec_b64_enclen(n) + 1
 * bytes; returns the length written (NUL-terminated). */
size_t codec_b64_enclen(size_t n);
size_t codec_b64_encode(const uint8_t *in, size_t n, char *out /* OUT */);
/* Strict decode: standard alphabet, padding required (n a multiple of 4),
 * no whitespace, zero leftover bits. out needs (n / 4 + 1) * 3 bytes.
 * Returns the decoded length, or -1 on invalid input. */
long codec_b64_decode(const char *in, size_t n, uint8_t *out /* OUT */);

/* The value of one hex digit, or -1. */
int codec_hexval(char c);

void codec_hex(const uint8_t *in, size_t n, char *out /* OUT: 2n+1 */);

/* Wipes (OPENSSL_cleanse) and frees p of n bytes; NULL is fine. */
void codec_wipe_free(void *p, size_t n);

/* Fills buf with n CSPRNG bytes; aborts if the RNG fails (never returns
 * predictable bytes). */
void codec_random(void *buf, size_t n);

/* Fills buf with n bytes from the kernel's CSPRNG (getrandom(2), blocking
 * only until the kernel's pool is first seeded at boot). 0, or -1 with
 * errno set. For what start-up needs (a fresh master key): OpenSSL's DRBG
 * seeds itself from this same source, but its first use loads the default
 * provider and ~1.9 MiB of libcrypto that an idle server never runs. */
int codec_os_random(void *buf, size_t n);

/* A random (v4) UUID, lowercase: 36 chars + NUL. Until this thread has
 * used codec_random its bytes come from the kernel's CSPRNG, so the request
 * ids of an idle server do not start OpenSSL's DRBG. */
void codec_uuid(char out[37] /* OUT */);

/* Is s (n bytes) a lowercase-or-uppercase hex UUID in 8-4-4-4-12 form? */
int codec_is_uuid(const char *s, size_t n);

/* Counts UTF-8 code points of s, as AWS length constraints do. */
size_t codec_utf8_len(const char *s);

/* SHA-256 of p[0..n) and HMAC-SHA-256; 0 or -1. Cheaper than OpenSSL's
 * one-shot calls for the small inputs of request signing. */
int codec_sha256(const void *p, size_t n, uint8_t out[32] /* OUT */);
int codec_hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
                      uint8_t out[32] /* OUT */);

#endif
