/* proto_query.h — the AWS Query protocol (IAM, STS): form decoding and XML
 * error responses. */
#ifndef AWSEMU_PROTO_QUERY_H
#define AWSEMU_PROTO_QUERY_H

#include <stddef.h>

#include "base/buf.h"
#include "emulator/service.h"

/* Finds name in an application/x-www-form-urlencoded string and decodes its
 * value into out (NUL-terminated). Returns the decoded length, or -1 when
 * absent or longer than n - 1. */
long proto_query_param(const char *form, size_t len, const char *name, char *out, size_t n);

/* Percent-decodes s (n bytes; '+' as space when plus_space) into out, which
 * needs n + 1 bytes. Returns the length, or -1 on a bad escape. */
long proto_query_unescape(const char *s, size_t n, int plus_space, char *out /* OUT */);

/* The same for text: also -2 when the result holds U+0000 or is not
 * UTF-8, so that a C string reading of out is the whole value (names,
 * keys, identifiers). */
long proto_query_unescape_text(const char *s, size_t n, int plus_space, char *out /* OUT */);

/* Sends the error recorded on r as <ErrorResponse>. */
void proto_query_send_error(svc_req_t *r);

/* A decoded form: every name=value pair, in order. Names and values are
 * NUL-terminated; qform_parse decodes any bytes (a value may itself hold
 * NUL bytes: len counts them), and proto_query_serve refuses a request
 * whose names or values are not UTF-8 or hold U+0000, so operations see
 * text that is what its C string says. */
typedef struct {
    const char *name;
    const char *value;
    size_t len;
    size_t name_len;
} qparam_t;

typedef struct qform {
    qparam_t *p;
    size_t n;
    char *store; /* one allocation for every decoded name and value */
} qform_t;

/* Decodes form[0..len) into f (free with qform_free). Returns 0, or -1 on
 * a bad percent escape or out of memory. At most QFORM_MAX_PARAMS pairs. */
#define QFORM_MAX_PARAMS 4096
int qform_parse(qform_t *f, const char *form, size_t len);
void qform_free(qform_t *f);

/* The value of name (the first, as AWS takes it), or NULL when absent. */
const char *qform_get(const qform_t *f, const char *name);
/* The same with a printf-built name: qform_getf(f, "Tags.member.%d.Key", i). */
const char *qform_getf(const qform_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Member readers for Query operations. Each returns 0 (an absent optional
 * member leaves *out untouched) or svc_error with AWS's ValidationError:
 * "1 validation error detected: Value 'x' at 'userName' failed to satisfy
 * constraint: Member must have length less than or equal to 64". member is
 * the wire name ("UserName"); messages use it with a lower-case first
 * letter, as IAM and STS do. Lengths count characters. */
/* member's path as AWS writes it in a validation message, in tmp[0..n):
 * segments start lower case, a list index precedes "member"
 * ("Tags.member.1.Key" -> "tags.1.member.key"). Returns tmp. */
const char *q_member_path(const char *member, char *tmp, size_t n);
int q_str(svc_req_t *r, const qform_t *in, const char *member, int required, size_t min,
          size_t max, const char **out /* OUT */);
int q_int(svc_req_t *r, const qform_t *in, const char *member, int required, long min,
          long max, long *out /* OUT */, int *present /* OUT, may be NULL */);
int q_bool(svc_req_t *r, const qform_t *in, const char *member, int *out /* OUT */,
           int *present /* OUT, may be NULL */);
/* value must match the model's pattern: every character in the ASCII
 * letters, digits and extra, or (extra NULL) any code point of
 * \u0020-\u00FF plus tab/LF/CR; otherwise ValidationError naming pattern. */
int q_charset(svc_req_t *r, const char *member, const char *value, const char *extra,
              const char *pattern);
/* The count of a list member "Prefix.member.N[.suffix]" (N from 1, no gaps
 * allowed past the first missing index) with max entries: error when more. */
int q_list_count(svc_req_t *r, const qform_t *in, const char *prefix, const char *suffix,
                 size_t max, size_t *count /* OUT */);

/* Serves one Query request: decodes the form (body, else query string),
 * runs the operation named by Action and sends <OpResponse> or the error.
 * Unknown action: InvalidAction. A bad percent escape, or a parameter name
 * that is not UTF-8 text without U+0000: MalformedQueryString. A value that
 * decodes to ill-formed UTF-8 or holds U+0000: ValidationError naming the
 * member and its model pattern (which such a value never satisfies; AWS's
 * Java front end reads ill-formed bytes as U+FFFD, outside every IAM and
 * STS pattern), before authorization and the operation. */
void proto_query_serve(svc_req_t *r, const svc_def_t *def);

#endif
