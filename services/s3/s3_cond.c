/* s3_cond.c — conditional writes and deletes: If-None-Match / If-Match of
 * a request that makes a key's new current version (PutObject,
 * CompleteMultipartUpload, CopyObject's destination) and DeleteObject's
 * If-Match; PreconditionFailed names the failed condition in <Condition>.
 * AWS's rules: "How to prevent object overwrites with conditional writes"
 * and "How to perform conditional deletes" (Amazon S3 User Guide): a
 * missing key under If-Match is 404 NoSuchKey, a mismatch 412, and only the
 * current version counts. */
#include "services/s3/s3_int.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "emulator/http.h"

int s3_precondition_failed(s3_req_t *s, const char *condition)
{
    s3_fail(s, S3_E_PRECONDITION);
    str_copy(s->condition, sizeof s->condition, condition);
    return -1;
}

/* 1 when the If-Match value v names etag (quoted or bare, or "*"). */
static int etag_matches(const char *v, const char *etag)
{
    size_t n = strlen(etag);

    if (!strcmp(v, "*") || !strcmp(v, etag))
        return 1;
    /* the stored ETag is quoted; clients send either form */
    return n >= 2 && strlen(v) == n - 2 && !strncmp(v, etag + 1, n - 2);
}

/* If-None-Match: * and If-Match of the current version of s->key, the
 * header names as given (Condition names them so). 0 or -1 (error set). */
static int check_current(s3_req_t *s, int none_match)
{
    char v[256];
    s3_object_t o;
    int have_none = none_match && s3_header(s, "If-None-Match", v, sizeof v) && !strcmp(v, "*");
    int have_match, have, rc = 0;

    have_match = http_header(s->r->http, "If-Match", NULL) != NULL;
    if (!have_none && !have_match)
        return 0;
    have = s3_object_load(s, s->bucket, s->key, &o);
    if (have < 0)
        return s3_fail(s, S3_E_INTERNAL);
    if (have_none && have == 1)
        rc = s3_precondition_failed(s, "If-None-Match");
    else if (have_match && have == 0)
        rc = s3_fail(s, S3_E_NO_SUCH_KEY);
    else if (have_match && s3_header(s, "If-Match", v, sizeof v) && !etag_matches(v, o.etag))
        rc = s3_precondition_failed(s, "If-Match");
    if (have == 1)
        s3_object_clear(&o);
    return rc;
}

int s3_write_preconditions(s3_req_t *s)
{
    return check_current(s, 1);
}

int s3_delete_preconditions(s3_req_t *s)
{
    return check_current(s, 0);
}
