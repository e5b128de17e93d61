/* fuzz_formdata.c — fuzz target for the multipart/form-data parser (POST
 * Object forms). The first input byte picks the boundary's length (taken
 * from the bytes after it, 1..70); the rest is a Content-Type for
 * formdata_boundary and the body. Every part must lie inside the body, the
 * position must only move forward, and the walk must end. */
#include "base/formdata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_formdata:%d: invariant failed: %s\n",        \
                    __LINE__, #c);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

static void inside(const char *body, size_t len, const char *p, size_t n)
{
    FUZZ_CHECK(p >= body && p + n <= body + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char boundary[FORMDATA_BOUNDARY_MAX + 1], *body;
    size_t bl, len, pos = 0, parts = 0;
    formdata_part_t part;
    int rc;

    if (size < 2)
        return 0;
    bl = 1 + data[0] % FORMDATA_BOUNDARY_MAX;
    if (bl > size - 1)
        bl = size - 1;
    /* the Content-Type form of the same bytes */
    if (formdata_boundary((const char *)data + 1, size - 1, boundary) == 0)
        FUZZ_CHECK(strlen(boundary) >= 1 && strlen(boundary) <= FORMDATA_BOUNDARY_MAX);
    memcpy(boundary, data + 1, bl);
    boundary[bl] = '\0';
    len = size - 1 - bl;
    body = malloc(len ? len : 1); /* exact size: reads past it are caught */
    FUZZ_CHECK(body != NULL);
    memcpy(body, data + 1 + bl, len);
    while ((rc = formdata_next(body, len, boundary, &pos, &part)) == 1) {
        size_t before = pos;
        inside(body, len, part.name, part.name_len);
        FUZZ_CHECK(part.name_len > 0);
        if (part.filename)
            inside(body, len, part.filename, part.filename_len);
        if (part.ctype)
            inside(body, len, part.ctype, part.ctype_len);
        inside(body, len, part.data, part.len);
        FUZZ_CHECK(pos <= len);
        FUZZ_CHECK(++parts <= len);
        (void)before;
    }
    FUZZ_CHECK(rc == 0 || rc == -1);
    free(body);
    return 0;
}
