/* proto_query.c — AWS Query protocol: forms and XML errors. */
#include "proto_query.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"

long proto_query_unescape(const char *s, size_t n, int plus_space, char *out)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return -1;
            hi = codec_hexval(s[i + 1]);
            lo = codec_hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '+' && plus_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return (long)o;
}

long proto_query_param(const char *form, size_t len, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name), i = 0;

    while (i < len) {
        size_t j = i, eq;
        while (j < len && form[j] != '&')
            j++;
        eq = i;
        while (eq < j && form[eq] != '=')
            eq++;
        if (eq - i == nl && memcmp(form + i, name, nl) == 0) {
            size_t vl = eq < j ? j - eq - 1 : 0;
            char *tmp = malloc(vl + 1);
            long dl;
            if (tmp == NULL)
                return -1;
            dl = proto_query_unescape(form + eq + 1, vl, 1, tmp);
            if (dl < 0 || (size_t)dl >= n) {
                free(tmp);
                return -1;
            }
            memcpy(out, tmp, (size_t)dl + 1);
            free(tmp);
            return dl;
        }
        i = j + 1;
    }
    return -1;
}

void proto_query_send_error(svc_req_t *r)
{
    buf_t b;
    const char *ns = strcmp(r->service, "sts") == 0 ? "https://sts.amazonaws.com/doc/2011-06-15/"
                                                     : "https://iam.amazonaws.com/doc/2010-05-08/";

    buf_init(&b, 0);
    buf_printf(&b, "<ErrorResponse xmlns=\"%s\">\n  <Error>\n    <Type>%s</Type>\n    <Code>", ns,
               r->err_status >= 500 ? "Receiver" : "Sender");
    buf_add_xml_escaped(&b, r->err_code, strlen(r->err_code));
    buf_adds(&b, "</Code>\n    <Message>");
    buf_add_xml_escaped(&b, r->err_msg, strlen(r->err_msg));
    buf_printf(&b, "</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n",
               r->request_id);
    http_add_header(r->http, "x-amzn-RequestId", r->request_id);
    http_respond(r->http, r->err_status ? r->err_status : 500, "text/xml", b.data, b.len);
    buf_free(&b);
}
