/* proto_json.h — the AWS JSON 1.1 protocol (KMS, Secrets Manager): request
 * parsing, member validation with AWS's messages, responses and errors. */
#ifndef AWSEMU_PROTO_JSON_H
#define AWSEMU_PROTO_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "base/jsonlen.h"
#include "emulator/service.h"

/* Serves one request: parses the body, authorizes op's action on its
 * resource (authz_request), runs op (NULL: unknown operation) and sends the
 * response or error.
 *
 * Text: a body that is not UTF-8 (utf8_check) is refused with
 * SerializationException, as are raw control characters inside strings,
 * non-JSON whitespace and malformed \u escapes (jsonlen_record). cJSON
 * turns "\u0000" into a 0 byte that C strings stop at, so every string
 * holding U+0000 is refused (ValidationException with the member's model
 * pattern, or SerializationException for a member name) except in the
 * members whose exact bytes matter and whose readers take lengths: the
 * entries of EncryptionContext, SourceEncryptionContext,
 * DestinationEncryptionContext and Constraints.EncryptionContextEquals /
 * EncryptionContextSubset (names and values: jsonlen_key, jsonlen_str) and
 * SecretString (json_strn). Everywhere else a handler may treat strings as
 * C strings. */
void proto_json_serve(svc_req_t *r, const svc_op_t *op);

/* Sends the error recorded on r in the JSON 1.1 shape. */
void proto_json_send_error(svc_req_t *r);
/* A deferred request's end (svc_defer): rc 0 answers r->pending_out, -1
 * the error svc_error set; frees the kept input and output, then r->done
 * (after which r is gone). */
void proto_json_finish(svc_req_t *r, int rc);
/* Frees what a deferred request kept when it ends unanswered (its
 * connection closed). */
void proto_json_abandon(svc_req_t *r);

/* Member readers. Each returns 0 (absent members leave *out untouched and
 * are fine unless required) or svc_error with AWS's ValidationException /
 * SerializationException. Lengths count characters as AWS does (bytes for
 * blobs, after base64 decoding). Strings are NUL-terminated and hold no
 * U+0000 (json_str refuses one) unless said otherwise. */
int json_str(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
             size_t max, const char **out /* OUT */);
/* The same for the members whose value may hold U+0000 (SecretString):
 * *len gets its byte length. */
int json_strn(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
              size_t max, const char **out /* OUT */, size_t *len /* OUT */);
int json_int(svc_req_t *r, const cJSON *in, const char *member, int required, long min, long max,
             long *out /* OUT */, int *present /* OUT, may be NULL */);
int json_bool(svc_req_t *r, const cJSON *in, const char *member, int *out /* OUT */,
              int *present /* OUT, may be NULL */);
/* values: NULL-terminated list of the allowed strings */
int json_enum(svc_req_t *r, const cJSON *in, const char *member, int required,
              const char *const *values, const char **out /* OUT */);
/* base64 blob; *out is malloc'd (caller frees; wipe if sensitive) */
int json_blob(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
              size_t max, uint8_t **out /* OUT */, size_t *len /* OUT */);
/* a string->string map (e.g. EncryptionContext); *out may be NULL when absent.
 * An entry's name and value may hold U+0000 in the members listed at
 * proto_json_serve: read them with jsonlen_key(e) and jsonlen_str(e). */
int json_map(svc_req_t *r, const cJSON *in, const char *member, const cJSON **out /* OUT */);
/* a list; *out NULL when absent; min/max count */
int json_list(svc_req_t *r, const cJSON *in, const char *member, int required, size_t min,
              size_t max, const cJSON **out /* OUT */);

/* Checks that value holds only ASCII letters, digits and the characters in
 * extra; otherwise ValidationException naming pattern (the model's regex). */
int json_charset(svc_req_t *r, const char *member, const char *value, const char *extra,
                 const char *pattern);

/* Output helpers */
/* Adds member as the JSON string of s[0..n) (any bytes, U+0000 too; NUL
 * termination not needed). Returns 0 or -1 (out of memory). */
int json_put_strn(cJSON *out, const char *member, const char *s, size_t n);
void json_put_blob(cJSON *out, const char *member, const uint8_t *p, size_t n);
/* AWS JSON timestamps are epoch seconds as a number */
void json_put_time(cJSON *out, const char *member, double t);

#endif
