/* secretsmanager.h — AWS Secrets Manager (JSON 1.1, secretsmanager.*):
 * secrets whose every version is sealed under a KMS data key. */
#ifndef AWSEMU_SECRETSMANAGER_H
#define AWSEMU_SECRETSMANAGER_H

#include "proto_json.h"
#include "service.h"

extern const json_service_t sm_service;

#endif
