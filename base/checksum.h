/* checksum.h — the body digests S3 computes while a body streams through:
 * MD5 (ETag, Content-MD5) and the x-amz-checksum-* algorithms CRC32,
 * CRC32C, CRC64NVME, SHA1 and SHA256. */
#ifndef AWSEMU_CHECKSUM_H
#define AWSEMU_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    CHECKSUM_NONE = 0,
    CHECKSUM_CRC32,
    CHECKSUM_CRC32C,
    CHECKSUM_CRC64NVME,
    CHECKSUM_SHA1,
    CHECKSUM_SHA256,
    CHECKSUM_MD5, /* for Content-MD5 and ETags, not an x-amz-checksum algorithm */
} checksum_alg_t;

#define CHECKSUM_MAX_DIGEST 32

typedef struct {
    checksum_alg_t alg;
    union {
        uint32_t crc32;
        uint64_t crc64;
        void *md;      /* EVP_MD_CTX * for SHA1, SHA256, MD5 */
    } u;
} checksum_t;

/* "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" (case-insensitive)
 * -> alg; CHECKSUM_NONE when unknown. */
checksum_alg_t checksum_alg_parse(const char *name);
/* The canonical upper-case name ("CRC64NVME"), or NULL for NONE/MD5. */
const char *checksum_alg_name(checksum_alg_t alg);
/* "x-amz-checksum-crc32" etc. */
const char *checksum_header_name(checksum_alg_t alg);
/* Digest length in bytes: 4, 4, 8, 20, 32, 16. */
size_t checksum_len(checksum_alg_t alg);

/* Returns 0 or -1 (out of memory). Always pair with checksum_final or
 * checksum_free. */
int checksum_init(checksum_t *c, checksum_alg_t alg);
void checksum_update(checksum_t *c, const void *p, size_t n);
/* Writes the digest (big-endian for CRCs, as S3 encodes them) and frees. */
void checksum_final(checksum_t *c, uint8_t out[CHECKSUM_MAX_DIGEST], size_t *len /* OUT */);
void checksum_free(checksum_t *c);

/* One-shot helpers. b64 needs 45 bytes; hex needs 65. */
void checksum_b64(const uint8_t *digest, size_t len, char *b64 /* OUT */);

/* Combines the CRC of two concatenated parts (a then b, where b is blen
 * bytes long), for full-object checksums of multipart uploads. Only for
 * the CRC algorithms; returns the combined value. */
uint64_t checksum_crc_combine(checksum_alg_t alg, uint64_t crc_a, uint64_t crc_b, uint64_t blen);

#endif
