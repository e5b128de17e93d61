/* proto_query.h — the AWS Query protocol (IAM, STS): form decoding and XML
 * error responses. */
#ifndef AWSEMU_PROTO_QUERY_H
#define AWSEMU_PROTO_QUERY_H

#include <stddef.h>

#include "service.h"

/* Finds name in an application/x-www-form-urlencoded string and decodes its
 * value into out (NUL-terminated). Returns the decoded length, or -1 when
 * absent or longer than n - 1. */
long proto_query_param(const char *form, size_t len, const char *name, char *out, size_t n);

/* Percent-decodes s (n bytes; '+' as space when plus_space) into out, which
 * needs n + 1 bytes. Returns the length, or -1 on a bad escape. */
long proto_query_unescape(const char *s, size_t n, int plus_space, char *out /* OUT */);

/* Sends the error recorded on r as <ErrorResponse>. */
void proto_query_send_error(svc_req_t *r);

#endif
