/* http_msg.c — the message itself: status texts, header lookup, response
 * headers, and how a request's body is framed (Content-Length,
 * Transfer-Encoding: chunked), as RFC 9112 section 6 orders them. */
#include "emulator/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status < 400 ? "OK" : "Error";
    }
}

const char *http_header(const http_req_t *req, const char *name, size_t *len)
{
    const http_header_t *h = httpparse_find(&req->head, name);

    if (h == NULL)
        return NULL;
    if (len)
        *len = h->value_len;
    return h->value;
}

int http_header_copy(const http_req_t *req, const char *name, char *out, size_t n)
{
    size_t len;
    const char *v = http_header(req, name, &len);

    if (n == 0)
        return v != NULL;
    if (v == NULL) {
        out[0] = '\0';
        return 0;
    }
    if (len >= n)
        len = n - 1;
    memcpy(out, v, len);
    out[len] = '\0';
    return 1;
}

int http_add_header(http_req_t *req, const char *name, const char *value)
{
    int rc;

    if ((rc = buf_adds(&req->resp_headers, name)) != 0 ||
        (rc = buf_add(&req->resp_headers, ": ", 2)) != 0 ||
        (rc = buf_adds(&req->resp_headers, value)) != 0)
        return rc;
    return buf_add(&req->resp_headers, "\r\n", 2);
}

static int parse_content_length(const char *v, size_t n, int64_t *out)
{
    int64_t x = 0;
    size_t i;

    if (n == 0 || n > 18)
        return -1;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    *out = x;
    return 0;
}

int http_token_has(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok), i = 0;

    while (i < n) {
        size_t j;
        while (i < n && (v[i] == ' ' || v[i] == ',' || v[i] == '\t'))
            i++;
        j = i;
        while (j < n && v[j] != ',')
            j++;
        {
            size_t e = j;
            while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'))
                e--;
            if (e - i == tl && strncasecmp(v + i, tok, tl) == 0)
                return 1;
        }
        i = j;
    }
    return 0;
}

static int name_is(const http_header_t *h, const char *name)
{
    return h->name_len == strlen(name) && strncasecmp(h->name, name, h->name_len) == 0;
}

/* Decides how the body is framed (RFC 9112 section 6): chunked only as the
 * sole transfer coding; one Content-Length value (repeats must agree);
 * never both. Sets r->chunked / r->content_length. Returns 0, 400 or 501. */
int http_body_framing(http_req_t *r)
{
    size_t i, ncodings = 0;
    int chunked_last = 0, have_te = 0, have_cl = 0;
    int64_t cl = -1;

    for (i = 0; i < r->head.nheaders; i++) {
        const http_header_t *h = &r->head.headers[i];
        if (name_is(h, "Transfer-Encoding")) {
            size_t a = 0;
            have_te = 1;
            while (a < h->value_len) {
                size_t b = a, e;
                while (b < h->value_len && h->value[b] != ',')
                    b++;
                e = b;
                while (a < e && (h->value[a] == ' ' || h->value[a] == '\t'))
                    a++;
                while (e > a && (h->value[e - 1] == ' ' || h->value[e - 1] == '\t'))
                    e--;
                if (e > a) {
                    ncodings++;
                    chunked_last = e - a == 7 && strncasecmp(h->value + a, "chunked", 7) == 0;
                }
                a = b + 1;
            }
        } else if (name_is(h, "Content-Length")) {
            int64_t v;
            if (parse_content_length(h->value, h->value_len, &v) != 0 || (have_cl && v != cl))
                return 400;
            have_cl = 1;
            cl = v;
        }
    }
    if (have_te) {
        if (have_cl || ncodings == 0 || !chunked_last)
            return 400;
        if (ncodings > 1)
            return 501; /* a coding before chunked that we do not decode */
        r->chunked = 1;
        return 0;
    }
    r->content_length = cl;
    return 0;
}

/* Builds the request from a complete head of hlen bytes at the front of the
 * input. Returns 0, or -1 after rejecting. */
