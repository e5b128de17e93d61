/* buf.c — growable byte buffer with a cap. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf_t *b, size_t cap)
{
    b->data = NULL;
    b->len = b->alloc = 0;
    b->cap = cap;
}

void buf_free(buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int reserve(buf_t *b, size_t n)
{
    size_t need = b->len + n + 1, na;
    char *p;

    if (b->cap && b->len + n > b->cap)
        return BUF_ETOOBIG;
    if (need <= b->alloc)
        return 0;
    na = b->alloc ? b->alloc : 256;
    while (na < need)
        na *= 2;
    if ((p = realloc(b->data, na)) == NULL)
        return BUF_ENOMEM;
    b->data = p;
    b->alloc = na;
    return 0;
}

int buf_add(buf_t *b, const void *p, size_t n)
{
    int rc;

    if ((rc = reserve(b, n)) != 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_adds(buf_t *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return BUF_ENOMEM;
    if ((rc = reserve(b, (size_t)n)) != 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int buf_add_json_escaped(buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, start = 0;
    int rc;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        size_t elen = 2;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if ((rc = buf_add(b, s + start, i - start)) != 0)
            return rc;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if ((rc = buf_add(b, esc, elen)) != 0)
            return rc;
        start = i + 1;
    }
    return buf_add(b, s + start, n - start);
}

int buf_add_xml_escaped(buf_t *b, const char *s, size_t n)
{
    size_t i, start = 0;
    int rc;

    for (i = 0; i < n; i++) {
        const char *rep;
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        case '\r': rep = "&#13;"; break;
        case '\n': rep = "&#10;"; break;
        default:
            if (c >= 0x20 || c == '\t')
                continue;
            /* not allowed in XML 1.0, even as a reference: U+FFFD */
            rep = "\xef\xbf\xbd";
        }
        if ((rc = buf_add(b, s + start, i - start)) != 0 || (rc = buf_adds(b, rep)) != 0)
            return rc;
        start = i + 1;
    }
    return buf_add(b, s + start, n - start);
}

char *buf_steal(buf_t *b, size_t *len)
{
    char *p = b->data;

    if (len)
        *len = b->len;
    if (p == NULL)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}

size_t str_copy(char *dst, size_t n, const char *src)
{
    size_t len = src ? strnlen(src, n - 1) : 0;

    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
    return len;
}

size_t str_join(char *dst, size_t n, ...)
{
    va_list ap;
    const char *s;
    size_t len = 0;

    va_start(ap, n);
    while ((s = va_arg(ap, const char *)) != NULL) {
        size_t k = strnlen(s, n - 1 - len);
        memcpy(dst + len, s, k);
        len += k;
    }
    va_end(ap);
    dst[len] = '\0';
    return len;
}
