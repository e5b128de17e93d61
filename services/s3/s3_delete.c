/* s3_delete.c — DeleteObject and DeleteObjects (each key authorized and
 * answered on its own); what a delete does to versions is s3_delete_key's
 * (s3_version.c). */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"
#include "base/xml.h"
#include "emulator/http.h"

/* ---- deletion -------------------------------------------------------------- */

int s3_op_delete_object(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    char vid[S3_VERSION_ID_LEN + 1];
    s3_deleted_t d;
    int rc, bypass;

    if (s3_require_bucket(s) != 0 || (rc = s3_version_param(s, vid)) < 0 ||
        (bypass = s3_lock_bypass(s)) < 0 || s3_delete_preconditions(s) != 0)
        return -1;
    if ((rc = s3_delete_key(s, s->key, rc ? vid : NULL, bypass, &d)) != 0)
        return rc == S3_DELETE_REFUSED
                   ? -1
                   : s3_fail(s, S3_E_INTERNAL);
    if (d.marker)
        http_add_header(s->r->http, "x-amz-delete-marker", "true");
    if (d.version_id[0])
        http_add_header(s->r->http, "x-amz-version-id", d.version_id);
    {
        s3_event_obj_t ev = {s->key, 0, NULL, d.version_id};
        s3_notify(s, d.marker && !vid[0] ? "s3:ObjectRemoved:DeleteMarkerCreated"
                                     : "s3:ObjectRemoved:Delete", &ev);
    }
    s3_send_empty(s, 204);
    return 0;
}

int s3_op_delete_objects(svc_req_t *r)
{
    s3_req_t *s = r->svc_ctx;
    http_req_t *h = s->r->http;
    xml_node_t *doc;
    const xml_node_t *obj;
    char err[256];
    int quiet, bypass;
    buf_t out;

    if (s3_require_bucket(s) != 0 || (bypass = s3_lock_bypass(s)) < 0)
        return -1;
    doc = xml_parse(h->body.data ? h->body.data : "", h->body.len, NULL, err, sizeof err);
    if (doc == NULL || strcmp(xml_name(doc), "Delete") != 0 || xml_count(doc, "Object") == 0 ||
        xml_count(doc, "Object") > 1000) {
        xml_free(doc);
        return s3_fail(s, S3_E_MALFORMED_XML);
    }
    for (obj = xml_child(doc, "Object"); obj; obj = xml_next(obj, "Object"))
        if (xml_child(obj, "Key") == NULL || xml_text(xml_child(obj, "Key"))[0] == '\0') {
            xml_free(doc);
            return s3_fail(s, S3_E_MALFORMED_XML);
        }
    quiet = !strcasecmp(xml_text(xml_child(doc, "Quiet")), "true");
    buf_init(&out, 0);
    xml_decl(&out);
    xml_open_ns(&out, "DeleteResult", XML_NS_S3);
    for (obj = xml_child(doc, "Object"); obj; obj = xml_next(obj, "Object")) {
        const xml_node_t *k = xml_child(obj, "Key");
        const char *key = xml_text(k);
        if (k == NULL || key[0] == '\0' || strlen(key) > S3_MAX_KEY) {
            xml_open(&out, "Error");
            xml_elem(&out, "Key", key);
            xml_elem(&out, "Code", k == NULL ? "MalformedXML" : "KeyTooLongError");
            xml_elem(&out, "Message", "The key is not valid.");
            xml_close(&out, "Error");
            continue;
        }
        if (s3_authorize_object(s, xml_child(obj, "VersionId") ? "s3:DeleteObjectVersion"
                                                               : "s3:DeleteObject",
                                s->bucket, key) != 0) {
            xml_open(&out, "Error");
            xml_elem(&out, "Key", key);
            xml_elem(&out, "Code", "AccessDenied");
            xml_elem(&out, "Message", s->r->err_msg);
            xml_close(&out, "Error");
            s->r->err_code[0] = '\0';
            s->r->err_status = 0;
            continue;
        }
        {
            const xml_node_t *vn = xml_child(obj, "VersionId");
            const char *vid = vn ? xml_text(vn) : NULL;
            s3_deleted_t d;
            int drc = -1; /* no delete tried */
            if (vid && strcmp(vid, "null") != 0 && strlen(vid) != S3_VERSION_ID_LEN) {
                xml_open(&out, "Error");
                xml_elem(&out, "Key", key);
                xml_elem(&out, "VersionId", vid);
                xml_elem(&out, "Code", "NoSuchVersion");
                xml_elem(&out, "Message", "The specified version does not exist.");
                xml_close(&out, "Error");
            } else if ((drc = s3_delete_key(s, key, vid, bypass, &d)) == S3_DELETE_REFUSED) {
                /* a locked version (or a bypass not allowed) */
                xml_open(&out, "Error");
                xml_elem(&out, "Key", key);
                xml_elem(&out, "VersionId", vid);
                xml_elem(&out, "Code", s->r->err_code);
                xml_elem(&out, "Message", s->r->err_msg);
                xml_close(&out, "Error");
                s->r->err_code[0] = '\0';
                s->r->err_status = 0;
            } else if (drc != 0) {
                xml_open(&out, "Error");
                xml_elem(&out, "Key", key);
                xml_elem(&out, "Code", s3_err_code(S3_E_INTERNAL));
                xml_elem(&out, "Message", s3_err_msg(S3_E_INTERNAL));
                xml_close(&out, "Error");
            } else if (!quiet) {
                xml_open(&out, "Deleted");
                xml_elem(&out, "Key", key);
                if (vid)
                    xml_elem(&out, "VersionId", vid);
                if (d.marker) {
                    xml_elem(&out, "DeleteMarker", "true");
                    if (d.version_id[0])
                        xml_elem(&out, "DeleteMarkerVersionId", d.version_id);
                }
                xml_close(&out, "Deleted");
            }
            if (drc == 0) {
                /* each key deleted is an event of its own, as on S3 */
                s3_event_obj_t ev = {key, 0, NULL, d.version_id};
                s3_notify(s, d.marker && !vid ? "s3:ObjectRemoved:DeleteMarkerCreated"
                                              : "s3:ObjectRemoved:Delete", &ev);
            }
        }
    }
    xml_close(&out, "DeleteResult");
    xml_free(doc);
    s3_send_xml(s, 200, &out);
    buf_free(&out);
    return 0;
}
