/* secretsmanager.h — AWS Secrets Manager (JSON 1.1, secretsmanager.*):
 * secrets whose every version is sealed under a KMS data key. */
#ifndef AWSEMU_SECRETSMANAGER_H
#define AWSEMU_SECRETSMANAGER_H

#include "emulator/proto_json.h"
#include "emulator/service.h"

extern const svc_def_t sm_def;

/* Runs rotations whose schedule has come due (call about once a second). */
void sm_tick(emu_t *emu);

#endif
