/* formdata.c — multipart/form-data parts (RFC 7578, RFC 2046 section 5.1). */
#include "base/formdata.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The first n-byte needle in hay[0..hl), or NULL. */
static const char *find(const char *hay, size_t hl, const char *needle, size_t n)
{
    size_t i;

    if (n == 0 || hl < n)
        return NULL;
    for (i = 0; i + n <= hl; i++) {
        const char *p = memchr(hay + i, needle[0], hl - n - i + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p, needle, n) == 0)
            return p;
        i = (size_t)(p - hay);
    }
    return NULL;
}

int formdata_boundary(const char *ct, size_t ct_len, char out[FORMDATA_BOUNDARY_MAX + 1])
{
    static const char type[] = "multipart/form-data";
    size_t i = sizeof type - 1, n;
    const char *v;

    if (ct_len < i || strncasecmp(ct, type, i) != 0)
        return -1;
    while (i < ct_len) {
        while (i < ct_len && (ct[i] == ';' || ct[i] == ' ' || ct[i] == '\t'))
            i++;
        if (ct_len - i > 9 && strncasecmp(ct + i, "boundary=", 9) == 0) {
            v = ct + i + 9;
            n = 0;
            if (v < ct + ct_len && *v == '"') {
                v++;
                while (v + n < ct + ct_len && v[n] != '"')
                    n++;
            } else {
                while (v + n < ct + ct_len && v[n] != ';' && v[n] != ' ')
                    n++;
            }
            if (n == 0 || n > FORMDATA_BOUNDARY_MAX || v[n - 1] == ' ')
                return -1;
            for (i = 0; i < n; i++) /* RFC 2046 bchars */
                if (v[i] == '\0' || (!isalnum((unsigned char)v[i]) && !strchr("'()+_,-./:=? ", v[i])))
                    return -1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 0;
        }
        while (i < ct_len && ct[i] != ';')
            i++;
    }
    return -1;
}

/* A Content-Disposition parameter (name="x" or name=x) of the value v
 * (n bytes) into *p, *pl. 1 found, 0 not. */
static int disp_param(const char *v, size_t n, const char *param, const char **p, size_t *pl)
{
    size_t plen = strlen(param), i = 0;

    while (i < n) {
        while (i < n && (v[i] == ';' || v[i] == ' ' || v[i] == '\t'))
            i++;
        if (n - i > plen && strncasecmp(v + i, param, plen) == 0 && v[i + plen] == '=') {
            size_t s = i + plen + 1, e;
            if (s < n && v[s] == '"') {
                s++;
                for (e = s; e < n && v[e] != '"'; e++)
                    ;
                if (e == n)
                    return 0; /* an unterminated quote names nothing */
            } else {
                for (e = s; e < n && v[e] != ';' && v[e] != ' '; e++)
                    ;
            }
            *p = v + s;
            *pl = e - s;
            return 1;
        }
        while (i < n && v[i] != ';') {
            if (v[i] == '"') /* skip a quoted value whole */
                for (i++; i < n && v[i] != '"'; i++)
                    ;
            if (i < n)
                i++;
        }
    }
    return 0;
}

/* The part headers in h[0..n): Content-Disposition (form-data, with its
 * name) and Content-Type into out. 0 or -1. */
static int part_headers(const char *h, size_t n, formdata_part_t *out)
{
    size_t i = 0;
    int have_name = 0;

    while (i < n) {
        const char *line = h + i, *eol = find(line, n - i, "\r\n", 2), *colon;
        size_t ll = eol ? (size_t)(eol - line) : n - i, vs;
        i += ll + 2;
        colon = memchr(line, ':', ll);
        if (colon == NULL)
            return -1;
        for (vs = (size_t)(colon - line) + 1; vs < ll && (line[vs] == ' ' || line[vs] == '\t'); vs++)
            ;
        if ((size_t)(colon - line) == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
            const char *v = line + vs;
            size_t vl = ll - vs;
            if (vl < 9 || strncasecmp(v, "form-data", 9) != 0)
                return -1;
            have_name = disp_param(v + 9, vl - 9, "name", &out->name, &out->name_len);
            if (!disp_param(v + 9, vl - 9, "filename", &out->filename, &out->filename_len))
                out->filename = NULL;
        } else if ((size_t)(colon - line) == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
            out->ctype = line + vs;
            out->ctype_len = ll - vs;
            while (out->ctype_len && isspace((unsigned char)out->ctype[out->ctype_len - 1]))
                out->ctype_len--;
        }
    }
    return have_name && out->name_len > 0 ? 0 : -1;
}

int formdata_next(const char *body, size_t len, const char *boundary, size_t *pos,
                  formdata_part_t *out)
{
    char delim[FORMDATA_BOUNDARY_MAX + 5];
    size_t bl = strlen(boundary), dl, p = *pos;
    const char *d, *hend, *next;

    memset(out, 0, sizeof *out);
    if (bl == 0 || bl > FORMDATA_BOUNDARY_MAX || p > len)
        return -1;
    /* "\r\n--boundary": the first delimiter may start the body */
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, bl);
    dl = bl + 4;
    if (p == 0) {
        if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
            p = dl - 2;
        } else {
            if ((d = find(body, len, delim, dl)) == NULL)
                return -1;
            p = (size_t)(d - body) + dl;
        }
    } else {
        if (len - p < dl - 2 || memcmp(body + p, delim + 2, dl - 2) != 0)
            return -1;
        p += dl - 2;
    }
    /* the closing delimiter, or CRLF and the part's headers */
    if (len - p >= 2 && body[p] == '-' && body[p + 1] == '-') {
        *pos = len;
        return 0;
    }
    while (p < len && (body[p] == ' ' || body[p] == '\t'))
        p++;
    if (len - p < 2 || body[p] != '\r' || body[p + 1] != '\n')
        return -1;
    p += 2;
    hend = find(body + p, len - p < FORMDATA_HEADERS_MAX + 4 ? len - p : FORMDATA_HEADERS_MAX + 4,
                "\r\n\r\n", 4);
    if (hend == NULL || part_headers(body + p, (size_t)(hend - body) - p + 2, out) != 0)
        return -1;
    p = (size_t)(hend - body) + 4;
    if ((next = find(body + p, len - p, delim, dl)) == NULL)
        return -1;
    out->data = body + p;
    out->len = (size_t)(next - body) - p;
    *pos = (size_t)(next - body) + 2;
    return 1;
}
