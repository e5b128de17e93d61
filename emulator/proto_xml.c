/* proto_xml.c — S3 REST-XML errors. */
#include "emulator/proto_xml.h"

#include <string.h>

#include "base/buf.h"

void proto_xml_send_error(svc_req_t *r, const char *resource)
{
    buf_t b;

    buf_init(&b, 0);
    buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>");
    buf_add_xml_escaped(&b, r->err_code, strlen(r->err_code));
    buf_adds(&b, "</Code><Message>");
    buf_add_xml_escaped(&b, r->err_msg, strlen(r->err_msg));
    buf_adds(&b, "</Message>");
    if (resource) {
        buf_adds(&b, "<Resource>");
        buf_add_xml_escaped(&b, resource, strlen(resource));
        buf_adds(&b, "</Resource>");
    }
    buf_printf(&b, "<RequestId>%s</RequestId></Error>", r->request_id);
    http_add_header(r->http, "x-amz-request-id", r->request_id);
    http_respond(r->http, r->err_status ? r->err_status : 500, "application/xml", b.data, b.len);
    buf_free(&b);
}
