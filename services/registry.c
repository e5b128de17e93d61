/* registry.c — every service the emulator serves, in the order the router
 * tries them (service.h). Adding a service: its folder, its svc_def_t and
 * one line here. Among Query services the first is the one that answers an
 * Action nobody has (IAM: InvalidAction). */
#include "emulator/service.h"
#include "services/iam/iam.h"
#include "services/kms/kms.h"
#include "services/s3/s3.h"
#include "services/sm/secretsmanager.h"

const svc_def_t *const svc_registry[] = {
    &kms_def, &sm_def, &iam_def, &sts_def, &s3_def, NULL,
};
