/* formdata.h — multipart/form-data (RFC 7578) over a body held whole in
 * memory: the boundary of a Content-Type, and an iterator over the parts.
 * Nothing here allocates; every result points into the caller's body. */
#ifndef AWSEMU_FORMDATA_H
#define AWSEMU_FORMDATA_H

#include <stddef.h>

/* RFC 2046: a boundary is 1 to 70 characters. */
#define FORMDATA_BOUNDARY_MAX 70
/* A part's header block may take at most this many bytes. */
#define FORMDATA_HEADERS_MAX 8192

typedef struct {
    const char *name;      /* Content-Disposition's name (quotes removed) */
    size_t name_len;
    const char *filename;  /* its filename, NULL when the part has none */
    size_t filename_len;
    const char *ctype;     /* the part's Content-Type, NULL when none */
    size_t ctype_len;
    const char *data;      /* the part's bytes */
    size_t len;
} formdata_part_t;

/* The boundary of a "multipart/form-data; boundary=..." Content-Type (ct,
 * ct_len bytes) into out, NUL-terminated. 0, or -1 when ct is not
 * multipart/form-data or has no valid boundary. */
int formdata_boundary(const char *ct, size_t ct_len, char out[FORMDATA_BOUNDARY_MAX + 1]);

/* The part that starts at *pos (0 at first: any preamble is skipped) of
 * body (len bytes) delimited by boundary; *pos moves past it. Returns 1
 * with *out filled, 0 at the closing delimiter, -1 when malformed (no
 * delimiter, a part without a form-data name, headers over
 * FORMDATA_HEADERS_MAX, no closing delimiter). */
int formdata_next(const char *body, size_t len, const char *boundary, size_t *pos,
                  formdata_part_t *out /* OUT */);

#endif
