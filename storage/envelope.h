/* envelope.h — the master key and AES-256-GCM seal/open: the root of the
 * crypto hierarchy (master key -> KMS key material -> data keys). */
#ifndef AWSEMU_ENVELOPE_H
#define AWSEMU_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#define ENVELOPE_KEY_LEN 32
#define ENVELOPE_IV_LEN 12
#define ENVELOPE_TAG_LEN 16
#define ENVELOPE_OVERHEAD (ENVELOPE_IV_LEN + ENVELOPE_TAG_LEN)

/* Loads the master key: AWSEMU_MASTER_KEY (64 hex chars) if set, else
 * <dir>/master.key, created with 32 random bytes and mode 0600 on first
 * start. dir NULL (ephemeral): a random key kept in memory only. Random
 * keys come from getrandom(2) (codec_os_random), so start-up does not run
 * OpenSSL's DRBG. The file is
 * refused when it is readable by group or others. Returns 0 or -1 with a
 * message in err. */
int envelope_master_load(const char *dir, uint8_t key[ENVELOPE_KEY_LEN] /* OUT */,
                         char *err, size_t errlen);

/* Seals pt (n bytes) under key with aad: out gets IV | ciphertext | tag,
 * n + ENVELOPE_OVERHEAD bytes. A fresh random IV each call. Returns 0 or -1. */
int envelope_seal(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                  const uint8_t *pt, size_t n, uint8_t *out /* OUT */);

/* Opens what envelope_seal made: out gets n - ENVELOPE_OVERHEAD bytes.
 * Returns 0, or -1 when the input is short, tampered with, or the key or
 * aad differ (out is then wiped). */
int envelope_open(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                  const uint8_t *in, size_t n, uint8_t *out /* OUT */);

/* envelope_seal and envelope_open through a context this thread keeps keyed
 * with key, for the master key (keyring.c): its key schedule is made once,
 * not per call. Same results and failures. */
int envelope_seal_kept(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                       const uint8_t *pt, size_t n, uint8_t *out);
int envelope_open_kept(const uint8_t key[ENVELOPE_KEY_LEN], const uint8_t *aad, size_t aadlen,
                       const uint8_t *in, size_t n, uint8_t *out);

#endif
