/* proto_xml.h — REST-XML (S3): error responses in S3's shape. */
#ifndef AWSEMU_PROTO_XML_H
#define AWSEMU_PROTO_XML_H

#include "emulator/service.h"

/* Sends the error recorded on r as S3's <Error> document (HEAD: status and
 * headers only). resource: the request path, or NULL. */
void proto_xml_send_error(svc_req_t *r, const char *resource);

#endif
