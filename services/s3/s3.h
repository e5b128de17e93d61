/* s3.h — Amazon S3 (REST-XML): buckets and objects whose bodies stream
 * through a framed AES-256-GCM cipher into blob files, never held whole in
 * memory; SSE-S3, SSE-KMS and SSE-C; multipart uploads; checksums. */
#ifndef AWSEMU_S3_H
#define AWSEMU_S3_H

#include "emulator/service.h"

/* Opens the blob store under the data directory (or a private temp dir when
 * ephemeral) and removes blobs no object references. 0 or -1 (err set). */
int s3_init(emu_t *emu, char *err, size_t errlen);
void s3_shutdown(emu_t *emu);
/* Drops every blob (after a reset wiped the rows). */
void s3_reset(emu_t *emu);

/* At head time: resolves bucket, key and operation, and for uploads
 * installs the streaming body sink (or answers an early error). */
void s3_head(svc_req_t *r);
/* The body is complete (and the request authenticated): serve it. */
void s3_serve(svc_req_t *r);

/* The bucket a virtual-hosted request names in its Host header
 * ("bucket.localhost", "bucket.s3.<anything>", port ignored): 1 with it
 * copied into bucket[n], or 0 (path-style, or too long). */
int s3_host_bucket(const char *host, char *bucket /* OUT */, size_t n);

/* GET /_awsemu/inspect/s3/<bucket>/<key>: the object's envelope as JSON;
 * rest is "<bucket>/<key, percent-encoded>". */
void s3_inspect(svc_req_t *r, const char *rest);

extern const svc_def_t s3_def;

#endif
