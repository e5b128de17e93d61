/* evp.h — the OpenSSL algorithms awsemu uses on every request, fetched once.
 * OpenSSL 3 looks an algorithm up in its provider store (locks, a hash
 * table) each time EVP_aes_256_gcm() or EVP_sha256() reaches an Init; a
 * 4 KiB PutObject did that five times. These fetch on first use and keep
 * the result for the process's life (never freed); a failed fetch falls
 * back to the legacy accessor. Safe from any thread. */
#ifndef AWSEMU_EVP_H
#define AWSEMU_EVP_H

#include <openssl/evp.h>

const EVP_CIPHER *evp_aes_256_gcm(void);
const EVP_MD *evp_sha256(void);
const EVP_MD *evp_sha384(void);
const EVP_MD *evp_sha512(void);
const EVP_MD *evp_sha1(void);
const EVP_MD *evp_md5(void);

/* SHA-256 of p[0..n) into md (32 bytes), through the cached algorithm.
 * Returns 0 or -1. */
int evp_sha256_digest(const void *p, size_t n, unsigned char md[32]);

#endif
