/* kms.h — AWS Key Management Service (JSON 1.1, TrentService): symmetric
 * keys with real AES-256-GCM material sealed under the master key. */
#ifndef AWSEMU_KMS_H
#define AWSEMU_KMS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "emulator/proto_json.h"
#include "emulator/service.h"

extern const svc_def_t kms_def;

/* The AWS managed key of service ("secretsmanager", "s3"): alias
 * alias/aws/<service> in r's account and region, created on first use
 * (inside the caller's transaction, if one is open). key_id gets its id.
 * Returns 0 or -1 with a KMS error set on r. */
int kms_managed_key(svc_req_t *r, const char *service, char key_id[37] /* OUT */);

/* Envelope encryption for other services, as they call KMS in AWS.
 * kms_data_key: n random bytes in dk, and in *blob (caller frees) their KMS
 * ciphertext under key_ref (key id, key ARN, alias name or alias ARN) bound
 * to ctx (a JSON object of strings, or NULL); key_arn gets the key's ARN.
 * kms_unwrap: the reverse; dk gets exactly n bytes or it fails. Both return
 * 0 or -1 with KMS's error (NotFoundException, DisabledException,
 * KMSInvalidStateException, InvalidCiphertextException, ...) set on r;
 * callers map it to their own service's error. The caller wipes dk. */
int kms_data_key(svc_req_t *r, const char *key_ref, const cJSON *ctx, uint8_t *dk, size_t n,
                 uint8_t **blob /* OUT */, size_t *blen /* OUT */, char key_arn[160] /* OUT */);
int kms_unwrap(svc_req_t *r, const uint8_t *blob, size_t blen, const cJSON *ctx, uint8_t *dk,
               size_t n, char key_arn[160] /* OUT */);

/* Drops cached key material (after a reset). */
void kms_reset(emu_t *emu);

/* Wipes the cache; call once at exit. */
void kms_shutdown(void);
/* Writes out the key uses noted since their rows were last written (at
 * exit, before the store closes). */
void kms_usage_flush(emu_t *emu);

#endif
