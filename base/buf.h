/* buf.h — a growable byte buffer with a hard cap (every buffer fed from the
 * network has one). */
#ifndef AWSEMU_BUF_H
#define AWSEMU_BUF_H

#include <stddef.h>

typedef struct buf {
    char *data;   /* NUL-terminated when len < alloc; caller frees via buf_free */
    size_t len;
    size_t alloc;
    size_t cap;   /* 0 = no cap */
} buf_t;

#define BUF_ETOOBIG (-2)
#define BUF_ENOMEM (-1)

void buf_init(buf_t *b, size_t cap);
void buf_free(buf_t *b);
void buf_reset(buf_t *b);
/* Appends n bytes; returns 0, BUF_ETOOBIG when the cap would be passed, or
 * BUF_ENOMEM. The data stays NUL-terminated. */
int buf_add(buf_t *b, const void *p, size_t n);
int buf_adds(buf_t *b, const char *s);
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as the body of a JSON string (without quotes), escaped. */
int buf_add_json_escaped(buf_t *b, const char *s, size_t n);
/* Appends s escaped for XML text and attribute values. */
int buf_add_xml_escaped(buf_t *b, const char *s, size_t n);
/* Takes the data out of b (caller frees); b is left empty. */
char *buf_steal(buf_t *b, size_t *len /* OUT, may be NULL */);

/* Copies the C string src (NULL: "") into dst[0..n), cut to n - 1 bytes,
 * always NUL-terminated (n > 0): snprintf(dst, n, "%s", src) without the
 * format machinery, for the copies on every request's path. Returns the
 * length copied. */
size_t str_copy(char *dst, size_t n, const char *src);
/* Joins the C strings that follow n, up to a NULL, into dst as str_copy
 * (cut to n - 1 bytes, NUL-terminated): a "%s%s%s" snprintf without the
 * format machinery. Returns the length written. */
size_t str_join(char *dst, size_t n, ...);

#endif
