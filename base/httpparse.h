/* httpparse.h — resumable, non-allocating HTTP/1.1 request-head parser and
 * chunked transfer-coding decoder. Pointers in the results point into the
 * caller's buffer; nothing here allocates. */
#ifndef AWSEMU_HTTPPARSE_H
#define AWSEMU_HTTPPARSE_H

#include <stddef.h>
#include <sys/types.h>

#define HTTPPARSE_MAX_HEADERS 100

#define HTTPPARSE_ERROR (-1)    /* malformed input */
#define HTTPPARSE_PARTIAL (-2)  /* need more bytes */
#define HTTPPARSE_TOOMANY (-3)  /* more than HTTPPARSE_MAX_HEADERS headers */

typedef struct {
    const char *name;
    size_t name_len;
    const char *value; /* leading and trailing whitespace trimmed */
    size_t value_len;
} http_header_t;

typedef struct {
    const char *method;
    size_t method_len;
    const char *target; /* request-target as sent, e.g. "/bucket/key?acl" */
    size_t target_len;
    int minor_version;  /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
    http_header_t headers[HTTPPARSE_MAX_HEADERS];
    size_t nheaders;
} httpparse_head_t;

/* Parses a request head (request line + headers + empty line) from buf.
 * Returns the number of bytes the head occupies (> 0) when complete,
 * HTTPPARSE_PARTIAL when more bytes are needed, HTTPPARSE_ERROR or
 * HTTPPARSE_TOOMANY. May be called again on the same, grown buffer.
 * Leading empty lines (CRLF between pipelined requests) are skipped and
 * counted in the returned length. Obsolete line folding is an error. */
int httpparse_head(const char *buf, size_t len, httpparse_head_t *out /* OUT */);

/* Case-insensitive lookup; returns the first header named name or NULL. */
const http_header_t *httpparse_find(const httpparse_head_t *h, const char *name);

/* Chunked transfer-coding decoder state; zero it (or call _init) per body. */
typedef struct {
    int state;
    size_t remaining;    /* bytes left in the current chunk */
    size_t line_len;     /* bytes of the current size/trailer line seen so far */
    int hex_digits;
} httpparse_chunked_t;

void httpparse_chunked_init(httpparse_chunked_t *st);

/* Decodes in place: on entry buf[0..*len) holds raw bytes received; on return
 * buf[0..*len) holds the decoded payload bytes found in them (moved to the
 * front). Returns:
 *   >= 0  the body is complete; the value is how many raw bytes at the end of
 *         the input were NOT consumed (they belong to the next request and
 *         were moved to buf[*len .. *len + value)),
 *   HTTPPARSE_PARTIAL  all input consumed, more is needed,
 *   HTTPPARSE_ERROR    malformed (bad size line, size overflow, a size or
 *                      trailer line longer than 4096 bytes).
 * Chunk extensions and trailers are accepted and discarded. */
ssize_t httpparse_chunked(httpparse_chunked_t *st, char *buf, size_t *len /* IN/OUT */);

#endif
