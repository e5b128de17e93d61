/* iam.h — AWS Identity and Access Management and the Security Token
 * Service (Query protocol), and the authorization of every request in
 * --iam enforce mode. */
#ifndef AWSEMU_IAM_H
#define AWSEMU_IAM_H

#include "proto_query.h"
#include "service.h"

extern const query_service_t iam_service;
extern const query_service_t sts_service;

#endif
