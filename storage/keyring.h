/* keyring.h — everything the master key seals, one purpose per use, each
 * purpose fixing the AAD its data is bound to; and subkeys derived from the
 * master key. The only caller of envelope_seal/open with the master key. */
#ifndef AWSEMU_KEYRING_H
#define AWSEMU_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "storage/envelope.h"

/* The AAD of each purpose is label + id, byte for byte what the call sites
 * built before the keyring existed (stores sealed then still open). Where
 * the label is empty, the id's shape keeps the purposes apart: a purpose
 * refuses an id not of its shape, so no two purposes share an AAD and
 * nothing sealed for one opens as another. */
enum keyring_purpose {
    KEYRING_KMS_MATERIAL,        /* "awsemu:kms-material:" + "<key ARN>:<version>" */
    KEYRING_IAM_SECRET_KEY,      /* "" + access key id: AKIA... (IAM) or ASIA... (STS) */
    KEYRING_IAM_MFA_SEED,        /* "" + virtual MFA serial, "arn:..." */
    KEYRING_IAM_SERVER_CERT_KEY, /* "" + server certificate id, "ASCA..." */
    KEYRING_AUTHZ_MESSAGE,       /* "awsemu-authz", no id (idlen 0) */
    KEYRING_S3_SSE_DATA_KEY,     /* "awsemu:s3:sse-s3:" + object ARN */
    KEYRING_PURPOSES
};

/* Seals pt (n bytes) for purpose p and id (idlen bytes) under the master
 * key: out gets n + ENVELOPE_OVERHEAD bytes, as envelope_seal. Returns 0,
 * or -1 (an unknown purpose, an id not of the purpose's shape, a crypto
 * failure). */
int keyring_seal(const uint8_t master[ENVELOPE_KEY_LEN], enum keyring_purpose p, const char *id,
                 size_t idlen, const uint8_t *pt, size_t n, uint8_t *out /* OUT */);

/* Opens what keyring_seal made for the same purpose and id: out gets
 * n - ENVELOPE_OVERHEAD bytes, as envelope_open. Returns 0, or -1 (short or
 * tampered input, another key, purpose or id; out is then wiped). */
int keyring_open(const uint8_t master[ENVELOPE_KEY_LEN], enum keyring_purpose p, const char *id,
                 size_t idlen, const uint8_t *in, size_t n, uint8_t *out /* OUT */);

/* Keys derived from the master key, for MACs rather than sealing. */
enum keyring_subkey {
    KEYRING_SUBKEY_PAGE_TOKEN /* storage/page: NextToken HMAC */
};

/* out = HMAC-SHA256(master, "awsemu:subkey:" + the subkey's name).
 * Returns 0 or -1. The caller wipes out when done. */
int keyring_subkey(const uint8_t master[ENVELOPE_KEY_LEN], enum keyring_subkey k,
                   uint8_t out[32] /* OUT */);

#endif
