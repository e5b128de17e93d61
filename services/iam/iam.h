/* iam.h — AWS Identity and Access Management and the Security Token
 * Service (Query protocol): the identities, keys and policies the
 * authorization layer (authz/authz.h) decides with. */
#ifndef AWSEMU_IAM_H
#define AWSEMU_IAM_H

#include <stddef.h>

#include "authz/authz.h"
#include "emulator/proto_query.h"
#include "emulator/service.h"

extern const svc_def_t iam_def;
extern const svc_def_t sts_def;

#endif
