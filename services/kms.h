/* kms.h — AWS Key Management Service (JSON 1.1, TrentService): symmetric
 * keys with real AES-256-GCM material sealed under the master key. */
#ifndef AWSEMU_KMS_H
#define AWSEMU_KMS_H

#include <stddef.h>
#include <stdint.h>

#include "proto_json.h"
#include "service.h"

extern const json_service_t kms_service;

/* Drops cached key material (after a reset). */
void kms_reset(emu_t *emu);

/* Wipes the cache; call once at exit. */
void kms_shutdown(void);

#endif
