/* s3_int.h — what the S3 source files share: the parsed request, errors,
 * object records and the encryption of bodies. Not for other modules. */
#ifndef AWSEMU_S3_INT_H
#define AWSEMU_S3_INT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/checksum.h"
#include "base/partition.h"
#include "emulator/awschunked.h"
#include "emulator/service.h"
#include "services/s3/s3.h"
#include "storage/blobs.h"
#include "storage/frames.h"

#define S3_MAX_KEY 1024
#define S3_MAX_PUT ((uint64_t)5 << 30) /* 5 GiB: a single PUT or part */
#define S3_MIN_PART ((uint64_t)5 << 20)
#define S3_MAX_PARTS 10000
/* Bodies of at most this many plaintext bytes are stored inline: sealed
 * exactly as a blob file would be, but in the object's row (s3_objects.body),
 * written in the row's own transaction; no file, no rename. One frame, chosen
 * by measurement (--data-dir, wrk -t2 -c8, PUT/GET req/s, file vs inline):
 * 4 KiB 1246/8448 vs 6783/10188, 16 KiB 1332/6469 vs 4055/7970, 64 KiB
 * 519/4560 vs 1402/4418, 256 KiB 319/1928 vs 293/1121: inline pays up to
 * 64 KiB and costs beyond. -DS3_INLINE_MAX=n to try others. */
#ifndef S3_INLINE_MAX
#define S3_INLINE_MAX ((uint64_t)64 << 10)
#endif

/* Encryption of one body (object or part). */
typedef struct {
    char alg[16];          /* "AES256", "aws:kms", "aws:kms:dsse", "SSE-C" */
    char kms_key_arn[160];
    int bucket_key;
    char *context;         /* KMS encryption context JSON (owned) */
    uint8_t dk[32];        /* the data key (wiped when done) */
    uint8_t *wrapped;      /* AES256: sealed under the master key; KMS: the KMS blob (owned) */
    size_t wlen;
    uint8_t salt[16];      /* SSE-C: salted HMAC of the customer key */
    uint8_t hmac[32];
    char customer_md5[32]; /* SSE-C: the key's MD5 as the client sent it (echoed) */
} s3_sse_t;

/* Where sealed bytes go: memory while they fit under cap, then (spilled,
 * memory first) a blob file. Only ciphertext ever passes through it. */
typedef struct {
    blob_store_t *bs;
    size_t cap;        /* sealed bytes that may stay in memory; 0: a file */
    uint8_t *mem;      /* owned */
    size_t len, alloc;
    blob_writer_t *bw; /* once spilled (or cap 0) */
    int err;
} s3_sealed_t;

/* Starts out: cap sealed bytes may stay in memory (0: a blob file from the
 * start), hint is the expected sealed size (0: unknown) to allocate once.
 * Returns 0 or -1 (nothing to abort then). */
int s3_sealed_init(s3_sealed_t *out, blob_store_t *bs, size_t cap, size_t hint);
/* A frames_emit_fn (arg is the s3_sealed_t). */
int s3_sealed_write(void *out, const uint8_t *p, size_t n);
/* Ends out: a file is committed (blob_id set, *body NULL), or the memory is
 * handed over (*body, caller frees; blob_id ""). Returns 0 or -1; out is
 * empty afterwards whatever the outcome. */
int s3_sealed_finish(s3_sealed_t *out, char blob_id[BLOB_ID_LEN + 1], uint8_t **body,
                     size_t *body_len);
/* Drops out (the temp file, the memory). Safe on a finished or zeroed one. */
void s3_sealed_abort(s3_sealed_t *out);
/* The cap for an object body: the sealed size of S3_INLINE_MAX bytes. */
size_t s3_inline_cap(void);

/* An upload streaming in (PutObject, UploadPart). */
typedef struct {
    s3_sealed_t out;
    frames_sealer_t *fs;
    checksum_t md5, sha, ck;
    int sha_on;
    int md5_on;             /* the ETag or Content-MD5 needs the body's MD5 */
    checksum_alg_t ck_alg;
    awschunked_t *ac;
    uint64_t size;
    uint64_t expect_size;   /* x-amz-decoded-content-length, or UINT64_MAX */
    int failed;             /* 0, or the S3 error the sink met (see fail_*) */
    char fail_code[64];
    char fail_msg[256];
    int fail_status;
} s3_upload_t;

/* An object version's Object Lock state (s3_lock.c). */
enum { S3_HOLD_NONE = 0, S3_HOLD_OFF = 1, S3_HOLD_ON = 2 }; /* legal hold; NONE: never set */
typedef struct {
    char mode[16]; /* "GOVERNANCE", "COMPLIANCE", or "" (no retention) */
    double until;  /* the retain-until date (mode set), seconds on the emulator clock */
    int hold;      /* S3_HOLD_* */
} s3_lock_t;

struct s3_object;

/* One S3 request. */
typedef struct s3_req {
    svc_req_t *r;
    char bucket[64];
    char *key;              /* decoded object key, NULL when none (owned) */
    /* the operation is s->r->op (its row, s3_route.c) */
    const char *sub;               /* the sub-resource that selected it (static), or NULL */
    int (*head)(struct s3_req *s); /* OP_STREAMS rows: head-time preparation */
    struct s3_authz_state *az;     /* what the row's resource function filled (owned) */
    s3_sse_t sse;
    s3_upload_t *up;        /* uploads only */
    char upload_id[80];
    long part_number;
    int authorized;         /* s3_authorize ran (uploads: at head time) */
    int versioning;         /* s3_require_bucket: S3_VERSIONING_* of the bucket */
    /* s3_require_bucket's look-up of what every object write reads of
     * s->bucket: its default encryption and its lifecycle and notification
     * documents (each NULL: none); loaded 0 until then, and again after
     * this request changes one of them (s3_bucket_changed) */
    struct {
        int loaded;
        char *encryption, *lifecycle, *notification;
    } bk;
    int err_marker;         /* the error is about a delete marker (405) */
    char arg_name[64];      /* the error's ArgumentName ("" none) and ArgumentValue */
    char arg_value[256];
    int arg_value_set;
    char err_class[24];     /* InvalidObjectState: the object's StorageClass */
    char storage_class[24]; /* a new object's x-amz-storage-class ("" STANDARD) */
    char condition[96];     /* PreconditionFailed: the <Condition> that failed ("" none) */
    /* PutObject's answer when not its plain 200 (POST Object's), NULL */
    void (*respond)(struct s3_req *s, const struct s3_object *o);
    /* POST Object's tagging field as a JSON object text, the new object's
     * tags in place of x-amz-tagging (owned), or NULL */
    char *form_tags;
    /* Object Lock of a new version (PutObject, CopyObject, multipart):
     * what the request's x-amz-object-lock-* headers ask for, and the
     * bucket's default retention (lock_default.mode "" none, for
     * lock_default_seconds) */
    s3_lock_t lock;
    s3_lock_t lock_default;
    double lock_default_seconds;
} s3_req_t;

/* S3's own row flags, above the generic OP_* bits (service.h). */
enum {
    S3_OP_NEW_OBJECT = 1 << 16, /* writes a new object from the request's headers:
                                   x-amz-tagging, x-amz-object-lock-* */
    S3_OP_COPY = 1 << 17,       /* reads x-amz-copy-source */
};

/* A bucket's versioning state (s3_buckets.versioning). */
enum { S3_VERSIONING_OFF = 0, S3_VERSIONING_ENABLED = 1, S3_VERSIONING_SUSPENDED = 2 };
#define S3_VERSION_ID_LEN 32

/* A stored object. Its body is one of: inline (body, sealed; blob_id ""),
 * a blob file (blob_id), or its parts' blob files (parts). */
typedef struct s3_object {
    char blob_id[BLOB_ID_LEN + 1];
    uint8_t *body;          /* inline sealed body (owned), or NULL */
    size_t body_len;
    uint64_t size;
    char etag[80];          /* quoted */
    double last_modified;
    char *meta;             /* JSON: content headers, x-amz-meta-* (owned) */
    s3_sse_t sse;
    uint32_t frame_size;
    char checksum_alg[16];  /* "CRC32", ... or "" */
    char checksum[64];      /* base64 */
    char checksum_type[16]; /* FULL_OBJECT | COMPOSITE */
    char *parts;            /* multipart: JSON [{"b": blob, "n": size, "a": aad}] (owned) */
    char *tags;             /* JSON object (owned) */
    char *acl;              /* JSON grants (owned), NULL: the owner's FULL_CONTROL */
    char version_id[S3_VERSION_ID_LEN + 1]; /* "" is the null version */
    s3_lock_t lock;
    char storage_class[24]; /* "" is STANDARD */
    double restore_ready;   /* RestoreObject: when the restore completes (0: none asked) */
    double restore_until;   /* ...and when the restored copy expires */
} s3_object_t;

/* An object's body, read by range across its blob or (multipart) its
 * parts' blobs. s3_body_view: 1 with bytes, 0 when the range is done,
 * negative on failure (not authentic, I/O). */
typedef struct s3_body s3_body_t;
int s3_body_open(s3_req_t *s, const s3_object_t *o, const uint8_t dk[32], const char *arn,
                 uint64_t first, uint64_t last, s3_body_t **out /* OUT */);
int s3_body_view(s3_body_t *b, const uint8_t **p /* OUT */, size_t *n /* OUT */);
uint64_t s3_body_remaining(const s3_body_t *b);
void s3_body_close(s3_body_t *b);
/* The blob ids a body uses (its blob and its parts' blobs), at most max. */
size_t s3_object_blobs(const char *blob_id, const char *parts, char ids[][BLOB_ID_LEN + 1],
                       size_t max);

/* What an overwrite or delete leaves to remove once committed. */
typedef struct {
    char blob_id[BLOB_ID_LEN + 1];
    char *parts; /* owned */
} s3_old_body_t;
/* Deletes the old body's blobs and frees it. */
void s3_drop_body(s3_req_t *s, s3_old_body_t *old);

/* 1 found, 0 not, -1 error. Caller clears. */
int s3_object_load(s3_req_t *s, const char *bucket, const char *key, s3_object_t *o /* OUT */);
/* Stores o as the key's new current version (inside the caller's
 * transaction), as the bucket's versioning wants: unversioned, it replaces
 * the object; enabled, the current version becomes noncurrent and o gets a
 * new version_id; suspended, o is the null version (replacing the old null
 * version). old gets a replaced body to drop after the commit. */
int s3_object_store(s3_req_t *s, const char *bucket, const char *key, s3_object_t *o,
                    s3_old_body_t *old /* OUT */);
/* The columns of an object row (s3_objects and s3_versions alike). */
#define S3_OBJ_COLS                                                                            \
    "blob_id, size, etag, last_modified, meta, sse, kms_key_arn, bucket_key, context, "         \
    "wrapped_key, ssec_salt, ssec_hmac, frame_size, checksum_alg, checksum, checksum_type, "    \
    "parts, tags, body, acl, lock_mode, lock_until, legal_hold, storage_class, restore_ready, "   \
    "restore_until"
/* How many columns S3_OBJ_COLS names. */
#define S3_OBJ_NCOLS 26
/* Fills o from a row whose columns start at col with S3_OBJ_COLS. 0 or -1. */
int s3_object_from_row(sqlite3_stmt *st, int col, s3_object_t *o /* OUT */);
void s3_object_clear(s3_object_t *o);
/* If-Match / If-None-Match / If-(Un)Modified-Since of o, the header names
 * prefixed by pfx ("" or "x-amz-copy-source-"): 0 to serve, or -1 with
 * *status 304 or 412 (412 recorded as PreconditionFailed). */
int s3_preconditions(s3_req_t *s, const s3_object_t *o, int *status, const char *pfx);
/* ---- CompleteMultipartUpload's answer and its replay (s3_complete.c) ---- */
/* The partNumber query parameter (1..10000) into *out: 0, or -1 with
 * InvalidArgument naming partNumber and its value. */
int s3_part_number_param(s3_req_t *s, long *out);
/* The parts a Complete body lists, "number:etag," each, ETags unquoted
 * (caller frees; NULL out of memory). */
struct xml_node;
char *s3_complete_parts_sig(const struct xml_node *doc);
/* Sends CompleteMultipartUpload's answer for o. */
void s3_send_completed(s3_req_t *s, const s3_object_t *o);
/* Records s->upload_id's completion as o (inside the completing
 * transaction) with the parts signature sig. 0 or -1. */
int s3_complete_record(s3_req_t *s, const s3_object_t *o, const char *sig);
/* A Complete of an upload that is gone: 1 when s->upload_id was completed
 * with the same parts (the first answer sent again), 0 not, -1 error. */
int s3_complete_replay(s3_req_t *s, const char *sig);

/* ---- checksum rules (s3_checksum.c) ---- */
/* <Checksum{ALG}> and <ChecksumType> of o, nothing when it has no value. */
void s3_checksum_elems(buf_t *out, const s3_object_t *o);
/* GetObjectAttributes' <Checksum> (a composite value without "-N") and
 * <ObjectParts> (multipart objects: each part's checksum and size, max of
 * them after part marker). */
void s3_attributes_checksum(buf_t *out, const s3_object_t *o);
void s3_attributes_parts(buf_t *out, const s3_object_t *o, long max, long marker);
/* CompleteMultipartUpload's x-amz-checksum-type and x-amz-checksum-{alg}
 * headers against the upload's type and the value o was given: BadDigest
 * on a difference (arrow-rs-object-store#709 quotes S3's message). 0 or -1. */
int s3_complete_checksum_check(s3_req_t *s, const s3_object_t *o, checksum_alg_t alg,
                               const char *type);
/* CreateMultipartUpload's x-amz-checksum-type for alg (CHECKSUM_NONE: no
 * x-amz-checksum-algorithm): "" becomes the algorithm's default; a type
 * the algorithm cannot have is InvalidRequest. 0 or -1 (error set). */
int s3_checksum_type_check(s3_req_t *s, checksum_alg_t alg, char type[32]);

/* Conditional writes and deletes (s3_cond.c). PreconditionFailed with
 * <Condition> condition; returns -1. */
int s3_precondition_failed(s3_req_t *s, const char *condition);
/* If-None-Match: * and If-Match of a request that writes s->key's new
 * current version (PutObject, CompleteMultipartUpload, CopyObject's
 * destination): 0, or -1 with PreconditionFailed or NoSuchKey set. */
int s3_write_preconditions(s3_req_t *s);
/* DeleteObject's If-Match on the current version: 0 or -1 (error set). */
int s3_delete_preconditions(s3_req_t *s);
/* Tags from an x-amz-tagging header ("k=v&k2=v2") as a JSON object text
 * (caller frees); NULL when absent, or with *bad 1 and InvalidTag set. */
char *s3_request_tags(s3_req_t *s, int *bad);
/* One object tag k=v checked as S3 checks it, seen holding the tags
 * before it (a JSON object). 0 or -1 (InvalidTag set). */
int s3_tag_check(s3_req_t *s, const cJSON *seen, const char *k, const char *v);
/* A <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>
 * document (PutObjectTagging's body, POST Object's tagging field) checked
 * as S3 checks it, as a JSON object text (caller frees); NULL with the
 * error set (MalformedXML, BadRequest over 10 tags, InvalidTag). */
char *s3_tags_from_xml(s3_req_t *s, const char *xml, size_t len);
/* An ETag: the MD5 for SSE-S3 single-part bodies, else an opaque value. */
void s3_make_etag(const s3_sse_t *sse, const uint8_t md5[16], char etag[80]);
/* t as an HTTP date ("Tue, 01 Dec 2026 10:00:00 GMT"). */
void s3_http_date(double t, char *out, size_t n);
/* The object headers of the request as JSON (caller frees); NULL + error. */
char *s3_request_meta(s3_req_t *s);
/* Deletes a blob nothing references any more. */
void s3_drop_blob(s3_req_t *s, const char *blob_id);
/* Copies plaintext [first, last] of src into a new body sealed under
 * s->sse for dst_aad; md5 (and ck, if given) of the bytes. body NULL: a blob
 * file always (parts); else a small body comes back inline in *body (caller
 * frees) with blob_id "". */
int s3_reseal(s3_req_t *s, const s3_object_t *src, const uint8_t *src_dk, const char *src_aad,
              uint64_t first, uint64_t last, const char *dst_aad, char blob_id[BLOB_ID_LEN + 1],
              uint8_t **body, size_t *body_len, uint8_t md5[16], checksum_t *ck);
/* UploadPart's head-time preparation (multipart). */
int s3_part_head(s3_req_t *s);

/* --iam enforce: authorizes the request's row (once) through authz_request:
 * its action on what its resource function names; s3_authorize_object checks one more
 * action (a copy source, each key of DeleteObjects). 0 or -1 (error set). */
int s3_authorize(s3_req_t *s);
/* Frees what a resource function kept for the decision (NULL: nothing). */
void s3_authz_free(struct s3_authz_state *st);
int s3_authorize_object(s3_req_t *s, const char *action, const char *bucket, const char *key);
/* 1 when the caller may s3:ListBucket bucket (always with --iam off),
 * decided quietly: neither an error nor the log note is touched. */
int s3_may_list(s3_req_t *s, const char *bucket);
/* 1 when the caller may do action on object key (its version vid, NULL
 * the current one), decided quietly as s3_may_list; always with --iam off. */
int s3_may_object(s3_req_t *s, const char *action, const char *bucket, const char *key,
                  const char *vid);
/* SSE-KMS takes SigV4 callers only: 0, or -1 with S3's InvalidArgument set
 * for the anonymous caller. */
int s3_kms_allowed(s3_req_t *s);
/* x-amz-copy-source as bucket and decoded key (*key malloc'd), the caller
 * authorized for s3:GetObject on it. 0 or -1 (error set). */
int s3_copy_source(s3_req_t *s, char bucket[64], char **key /* OUT */);
int s3_op_put_bucket_policy(svc_req_t *r);
int s3_op_get_bucket_policy(svc_req_t *r);
int s3_op_delete_bucket_policy(svc_req_t *r);
int s3_op_get_bucket_policy_status(svc_req_t *r);

/* S3's errors that many places answer, each written once (s3_req.c:
 * status, code and AWS's message). */
enum s3_err {
    S3_E_INTERNAL,
    S3_E_ACCESS_DENIED,
    S3_E_MALFORMED_XML,
    S3_E_MALFORMED_ACL,
    S3_E_NO_SUCH_BUCKET,
    S3_E_NO_SUCH_KEY,
    S3_E_NO_SUCH_VERSION,
    S3_E_NO_LOCK_CONFIG,
    S3_E_PRECONDITION,
    S3_E_METHOD_NOT_ALLOWED,
    S3_E_INVALID_URI,
    S3_E_INVALID_BUCKET_NAME,
    S3_E_MISSING_BODY,
    S3_E_MISSING_LENGTH,
    S3_E_PART_NUMBER,
    S3_E_VERSION_ID,
    S3_E_COPY_SOURCE,
    S3_E_ARGUMENT_FORMAT,
    S3_E_ENCODING_TYPE,
    S3_E_MAX_KEYS,
    S3_E_ATTRIBUTE_NAME,
    S3_E_INVALID_PART,
    S3_E_SSE_REQUIRED,
    S3_E_ACLS_NOT_SUPPORTED,
    S3_E_ACL_OWNERSHIP,
    S3_E_TAG_KEY,
    S3_E_TAG_VALUE,
};
/* Records error e and returns -1. */
int s3_fail(s3_req_t *s, enum s3_err e);
/* Error e's code and message (DeleteObjects answers them per key). */
const char *s3_err_code(enum s3_err e);
const char *s3_err_msg(enum s3_err e);
/* Records an S3 error and returns -1. */
int s3_error(s3_req_t *s, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As s3_error, with the ArgumentName (and, value not NULL, ArgumentValue)
 * S3 names the faulty argument with. */
int s3_error_arg(s3_req_t *s, int status, const char *code, const char *name, const char *value,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* AWS's message for an S3 error code, NULL for a code it does not know
 * (s3_errmsg.c): s3_error falls back to it when a message comes out empty. */
const char *s3_code_message(const char *code);
/* Sends the recorded error (HEAD: status only). */
void s3_send_error(s3_req_t *s);

/* The query parameter name's decoded value into out; 1 present, 0 not. */
int s3_query(const s3_req_t *s, const char *name, char *out, size_t n);
/* A request header, NUL-terminated into out; 1 present, 0 not. */
int s3_header(const s3_req_t *s, const char *name, char *out, size_t n);

/* Bucket lookup in the caller's account: 1 found (region filled), 0 not,
 * -1 error. */
int s3_bucket_region(s3_req_t *s, const char *bucket, char region[64] /* OUT */);
/* NoSuchBucket unless the bucket exists and belongs to the caller; sets
 * s->versioning and s->bk. */
int s3_require_bucket(s3_req_t *s);
/* Forgets s->bk (this request changed the bucket's configuration). */
void s3_bucket_changed(s3_req_t *s);
/* s3_config_get from s->bk when it holds name for bucket: 1 with *v a copy
 * (or NULL, none), else 0. */
int s3_bucket_kept_config(s3_req_t *s, const char *bucket, const char *name, char **v);
/* The bucket's versioning state (S3_VERSIONING_*), -1 on error. */
int s3_bucket_versioning(s3_req_t *s, const char *bucket);

/* ---- versions (s3_version.c) ---- */
/* A new version id (S3_VERSION_ID_LEN characters). */
void s3_version_new(char out[S3_VERSION_ID_LEN + 1]);
/* The versionId query parameter into vid: 0 absent, 1 present ("null" or an
 * id), -1 malformed (InvalidArgument set). */
int s3_version_param(s3_req_t *s, char vid[S3_VERSION_ID_LEN + 1] /* OUT */);
/* Loads version vid ("null" for the null version) of key: 1 an object, 2 a
 * delete marker (only version_id and last_modified set), 0 none, -1 error. */
int s3_version_load(s3_req_t *s, const char *bucket, const char *key, const char *vid,
                    s3_object_t *o /* OUT */);
/* When key has no current object: 1 if its latest version is a delete
 * marker (vid, last_modified filled), else 0. */
int s3_latest_marker(s3_req_t *s, const char *bucket, const char *key,
                     char vid[S3_VERSION_ID_LEN + 1] /* OUT */, double *last_modified);
/* The copy source object: its version when x-amz-copy-source names one
 * (?versionId=), else the current one; sets x-amz-copy-source-version-id.
 * 0, or -1 with NoSuchKey / NoSuchVersion / InvalidRequest set. */
int s3_copy_source_load(s3_req_t *s, const char *bucket, const char *key, s3_object_t *o /* OUT */);
/* Moves the current object row of key into s3_versions (noncurrent). */
int s3_version_archive(s3_req_t *s, const char *bucket, const char *key);
/* The result of deleting an object or a version. */
typedef struct {
    int marker;                              /* a delete marker was made or removed */
    char version_id[S3_VERSION_ID_LEN + 1];  /* its version ("" none; "null") */
} s3_deleted_t;
/* DeleteObject semantics for one key (vid NULL: no versionId), inside its
 * own transaction, bodies dropped after the commit. A version Object Lock
 * protects is kept (bypass: the request's s3_lock_bypass). 0, -1 (no error
 * set), or S3_DELETE_REFUSED with the error set. */
#define S3_DELETE_REFUSED (-2)
int s3_delete_key(s3_req_t *s, const char *key, const char *vid, int bypass,
                  s3_deleted_t *out /* OUT */);

/* ---- configuration subresources and ACLs (s3_config.c) ---- */
/* The account's 64-hex canonical user id. */
void s3_canonical_id(const char *account, char out[65]);
/* The ACL of a new bucket or object from x-amz-acl / x-amz-grant-*: *json
 * (caller frees) or NULL for the default. 0 or -1 (error set). */
int s3_acl_from_headers(s3_req_t *s, int for_bucket, char **json /* OUT */);
/* Answers an OPTIONS preflight from the bucket's CORS rules. */
int s3_op_cors_preflight(svc_req_t *r);
/* Adds Access-Control-* headers to a response when the request has an
 * Origin that the bucket's CORS rules allow. */
void s3_cors_headers(s3_req_t *s);
/* Stores a configuration document of a bucket (inside or outside a
 * transaction); doc NULL deletes it. 0 or -1. */
int s3_config_set(s3_req_t *s, const char *bucket, const char *name, const char *doc);
/* 1 when the bucket's public access block sets field (e.g.
 * "BlockPublicPolicy") to true. */
int s3_pab_flag(s3_req_t *s, const char *bucket, const char *field);
/* The bucket's whole public access block as S3_PAB_* bits (0: none). */
enum { S3_PAB_BLOCK_ACLS = 1, S3_PAB_IGNORE_ACLS = 2, S3_PAB_BLOCK_POLICY = 4, S3_PAB_RESTRICT = 8 };
int s3_pab_flags(s3_req_t *s, const char *bucket);
/* 1 when the bucket's object ownership is BucketOwnerEnforced: ACLs no
 * longer grant anything. */
int s3_acls_disabled(s3_req_t *s, const char *bucket);
/* 1 when stored grants (an ACL's JSON; NULL: the owner's alone) give the
 * AllUsers group perm ("READ", "WRITE", "READ_ACP", "WRITE_ACP"), by name
 * or by FULL_CONTROL. */
int s3_acl_grants_all_users(const char *json, const char *perm);
/* 1 when stored grants give anything to AllUsers or AuthenticatedUsers. */
int s3_acl_is_public(const char *json);
/* The stored document (caller frees) or NULL. */
char *s3_config_get(s3_req_t *s, const char *bucket, const char *name);
/* The stored document parsed (caller frees with xml_free), or NULL. */
struct xml_node;
struct xml_node *s3_config_doc(s3_req_t *s, const char *bucket, const char *name);
/* doc's children under root in S3's namespace, as S3 answers a stored
 * configuration. */
void s3_xml_copy_doc(buf_t *b, const struct xml_node *doc, const char *root);
/* Analytics, inventory, metrics, Intelligent-Tiering (s3_analytics.c). */
int s3_op_idconfig_put(svc_req_t *r);
int s3_op_idconfig_get(svc_req_t *r);
int s3_op_idconfig_delete(svc_req_t *r);
int s3_op_idconfig_list(svc_req_t *r);
int s3_op_config_put(svc_req_t *r);
int s3_op_config_get(svc_req_t *r);
int s3_op_config_delete(svc_req_t *r);
int s3_op_put_bucket_acl(svc_req_t *r);
int s3_op_get_bucket_acl(svc_req_t *r);
int s3_op_put_object_acl(svc_req_t *r);
int s3_op_get_object_acl(svc_req_t *r);
int s3_op_put_bucket_versioning(svc_req_t *r);
int s3_op_list_object_versions(svc_req_t *r);
/* The bucket's default encryption JSON (caller frees) or NULL. */
/* Column 0 of sql (binding ?1 to bucket) as a malloc'd string, or NULL
 * (no bucket, SQL NULL, out of memory). */
char *s3_bucket_col(s3_req_t *s, const char *sql, const char *bucket);
char *s3_bucket_encryption(s3_req_t *s, const char *bucket);

/* Object ARN: arn:aws:s3:::bucket/key. */
void s3_object_arn(const char *bucket, const char *key, buf_t *out);

/* Encryption: chooses the algorithm and key from the request headers, the
 * bucket default or (parts) the upload, and makes the data key. */
int s3_sse_prepare(s3_req_t *s, const char *bucket, const char *key);
/* Recovers the data key of a stored body. SSE-C: checks the request's
 * customer key against the stored HMAC. */
int s3_sse_open(s3_req_t *s, s3_sse_t *sse, const char *arn, int sse_c_required);
void s3_sse_clear(s3_sse_t *sse);
/* The x-amz-server-side-encryption* response headers of sse. */
void s3_sse_headers(s3_req_t *s, const s3_sse_t *sse);
/* SSE-C request headers parsed into sse (alg, dk, customer_md5); 1 when
 * present, 0 when absent, -1 when malformed (error set). prefix: "" or
 * "copy-source-" for CopyObject's source. */
int s3_ssec_parse(s3_req_t *s, const char *prefix, s3_sse_t *sse);

/* Upload pipeline: begin (after s3_sse_prepare), the sink the HTTP layer
 * feeds, and finish (digests checked, body committed); md5 gets the raw
 * MD5, checksum the base64 x-amz-checksum value. An object's body (part
 * 0) of at most S3_INLINE_MAX bytes is kept in memory and finish hands it
 * over in *body (caller frees, blob_id ""); otherwise, and always for a
 * part (part 1, whose ETag is its MD5), it is a committed blob file
 * (blob_id, *body NULL). */
int s3_upload_begin(s3_req_t *s, const char *aad, int part);
int s3_upload_finish(s3_req_t *s, char blob_id[BLOB_ID_LEN + 1], uint8_t **body,
                     size_t *body_len, uint8_t md5[16], char checksum[64]);
void s3_upload_free(s3_upload_t *up);
/* At head time for PutObject: checks, encryption, the sink (s3_part_head:
 * UploadPart's). */
int s3_upload_head(s3_req_t *s);

/* The max-keys query parameter into *max (1000 when absent, at most
 * 1000). 0 or -1 (InvalidArgument set). */
int s3_max_keys(s3_req_t *s, long *max);
/* URL-encodes s as S3 does for encoding-type=url (space as '+'). */
void s3_url_encode(buf_t *b, const char *s);
/* <name>v</name>, v URL-encoded when url (encoding-type=url listings). */
void s3_elem_key(buf_t *out, const char *name, const char *v, int url);
/* The smallest string greater than every string that begins with p (as
 * SQLite's BINARY collation orders them: bytes, then length) into out[n]:
 * p with its trailing 0xFF bytes dropped and its last byte then raised by
 * one. A listing seeks there to pass a common prefix's keys at once.
 * 0, or -1 when there is none (p empty or all 0xFF: nothing sorts after)
 * or it does not fit. */
int s3_prefix_successor(const char *p, char *out, size_t n);

/* ListObjectsV2's continuation token for the last key returned (out:
 * base64, at most 1,400 characters), and read back into the key to resume
 * after (0, or -1 with InvalidArgument set for a token not made so). */
void s3_list_token_make(const s3_req_t *s, const char *last, char out[1600]);
int s3_list_token_read(s3_req_t *s, const char *token, char marker[1100]);

/* Operations (s is the s3_req_t). */
int s3_op_list_buckets(svc_req_t *r);
int s3_op_create_bucket(svc_req_t *r);
int s3_op_delete_bucket(svc_req_t *r);
int s3_op_head_bucket(svc_req_t *r);
int s3_op_get_bucket_location(svc_req_t *r);
int s3_op_put_bucket_encryption(svc_req_t *r);
int s3_op_get_bucket_encryption(svc_req_t *r);
int s3_op_delete_bucket_encryption(svc_req_t *r);
int s3_op_get_bucket_versioning(svc_req_t *r);
int s3_op_list_objects(svc_req_t *r);
int s3_op_put_object(svc_req_t *r);
int s3_op_get_object(svc_req_t *r);
int s3_op_delete_object(svc_req_t *r);
int s3_op_delete_objects(svc_req_t *r);
int s3_op_copy_object(svc_req_t *r);
int s3_op_put_object_tagging(svc_req_t *r);
int s3_op_get_object_tagging(svc_req_t *r);
int s3_op_delete_object_tagging(svc_req_t *r);
int s3_op_get_object_attributes(svc_req_t *r);
int s3_op_create_multipart_upload(svc_req_t *r);
int s3_op_upload_part(svc_req_t *r);
int s3_op_upload_part_copy(svc_req_t *r);
int s3_op_complete_multipart_upload(svc_req_t *r);
int s3_op_abort_multipart_upload(svc_req_t *r);
int s3_op_list_parts(svc_req_t *r);
int s3_op_list_multipart_uploads(svc_req_t *r);

/* ---- rows and routing (s3.c, s3_route.c) ---- */
/* The rows, sorted by name (s3.c), and the CORS preflight's and POST
 * Object's (s3_post.c), which are no operations of the model. */
extern const svc_op_t s3_ops[];
extern const svc_op_t s3_preflight_op;
extern const svc_op_t s3_post_object_op;
int s3_op_post_object(svc_req_t *r);
/* Picks s->r->op for the request (has_key: -1 no bucket, 0 a bucket, 1 an
 * object). A query naming an S3 sub-resource is served by that
 * sub-resource's row only, or refused (405, 501, 400); a row awsemu does
 * not serve answers its error. 0 or -1 (error set). */
int s3_route(s3_req_t *s, int has_key);
/* At start-up: every route names a row, and the rows are sorted. 0, or -1
 * with err set. */
int s3_route_check(char *err, size_t errlen);

/* The resource functions of the rows (s3_authz.c): the account ("*", with
 * the request's condition keys), the bucket, the object (the *Version
 * action when the request names a versionId), each with the bucket's
 * policy, and for the anonymous caller the ACL that allows; NoSuchBucket
 * for the anonymous caller when the bucket does not exist. */
struct authz;
int s3_res_account(svc_req_t *r, const void *in, struct authz *a);
int s3_res_bucket(svc_req_t *r, const void *in, struct authz *a);
int s3_res_object(svc_req_t *r, const void *in, struct authz *a);
/* The S3 sub-resources a raw query string names (the names of the routing
 * table, static), sorted, without repeats, select-type folded into select:
 * how many (at most 8), the first max of them into names. */
size_t s3_query_subresources(const char *query, const char *names[], size_t max);

/* ---- Object Lock (s3_lock.c) ---- */
/* An ISO 8601 date as S3 takes a retain-until date ("2030-01-01",
 * "2030-01-01T00:00:00Z", "2030-01-01T00:00:00.5+02:00") into seconds since
 * the epoch. 0 or -1 (not such a date). */
int s3_lock_parse_date(const char *text, double *out /* OUT */);
/* The bucket's Object Lock: 1 enabled (its default retention into def,
 * mode "" when none, and *seconds), 0 not, -1 error. */
int s3_lock_bucket(s3_req_t *s, const char *bucket, s3_lock_t *def, double *seconds);
/* PutObject, CopyObject, CreateMultipartUpload: the x-amz-object-lock-*
 * headers into s->lock and the bucket's default into s->lock_default,
 * checked as S3 checks them. body: the request carries the object's bytes
 * (PutObject), which then need Content-MD5 or an x-amz-checksum-*. 0 or -1
 * (error set). */
int s3_lock_request(s3_req_t *s, int body);
/* The lock of a new version created at created: the request's retention,
 * else the bucket's default; the request's legal hold. */
void s3_lock_for_new(const s3_req_t *s, const s3_lock_t *asked, double created, s3_lock_t *out);
/* UploadPart of an upload whose object will be locked (asked, or the
 * bucket's default): Content-MD5 or an x-amz-checksum-* is required. 0 or
 * -1 (error set). */
int s3_lock_part_check(s3_req_t *s, const s3_lock_t *asked);
/* x-amz-bypass-governance-retention of a request on s->bucket: 1 true, 0
 * absent or not "true", -1 InvalidArgument (the bucket has no Object Lock). */
int s3_lock_bypass(s3_req_t *s);
/* Whether version vid of key may be deleted now (bypass: the request's
 * s3_lock_bypass). 0 yes, -1 no (AccessDenied or another error set). */
int s3_lock_may_delete(s3_req_t *s, const char *key, const char *vid, int bypass);
/* x-amz-object-lock-* response headers of a GET or HEAD of o (those the
 * caller may read: s3:GetObjectRetention, s3:GetObjectLegalHold). */
void s3_lock_headers(s3_req_t *s, const s3_object_t *o);
/* The s3:object-lock-* condition keys of the request for action, "" when
 * it has none: mode, retain-until date, remaining retention days, legal
 * hold. */
void s3_lock_condition_keys(s3_req_t *s, const char *action, char mode[16], char until[40],
                            char days[24], char hold[8]);
int s3_op_put_object_retention(svc_req_t *r);
int s3_op_get_object_retention(svc_req_t *r);
int s3_op_put_object_legal_hold(svc_req_t *r);
int s3_op_get_object_legal_hold(svc_req_t *r);

/* ---- storage classes and restores (s3_restore.c) ---- */
/* x-amz-storage-class of the request into out ("" when absent or
 * STANDARD). 0 or -1 (InvalidStorageClass set). */
int s3_storage_class_request(s3_req_t *s, char out[24]);
/* The class o is stored in, as S3 names it ("STANDARD" for ""). */
const char *s3_storage_class(const char *stored);
/* An archived object (GLACIER, DEEP_ARCHIVE) whose restored copy is not
 * available now: -1 with InvalidObjectState (403) set; else 0. */
int s3_archive_check(s3_req_t *s, const s3_object_t *o);
/* x-amz-storage-class (not for STANDARD) and x-amz-restore of o. */
void s3_storage_headers(s3_req_t *s, const s3_object_t *o);
int s3_op_restore_object(svc_req_t *r);
/* An upload's class: kept from s->storage_class after
 * CreateMultipartUpload's row (0 or -1), read back into out ("" STANDARD). */
int s3_upload_class_set(s3_req_t *s, const char *upload_id);
void s3_upload_class(s3_req_t *s, const char *upload_id, char out[24]);

/* ---- lifecycle (s3_lifecycle.c) ---- */
/* What S3 checks of one Rule of a lifecycle configuration beyond its
 * shape (filters, dates, transitions). 0 or -1 (error set). */
struct xml_node;
int s3_lifecycle_check_rule(s3_req_t *s, const struct xml_node *rule);
/* x-amz-expiration of an object of s->bucket (key, its time, size and
 * tags JSON) when an enabled rule expires it. */
void s3_expiration_header(s3_req_t *s, const char *key, double lm, long long size,
                          const char *tags);
/* What S3 checks of one Rule of a replication configuration beyond its
 * shape (the V2 schema's Priority and DeleteMarkerReplication, ids,
 * priorities, the destination's class). 0 or -1 (error set). */
int s3_replication_check_rule(s3_req_t *s, const struct xml_node *doc,
                              const struct xml_node *rule);
/* The sweep: due expirations, transitions and aborts, bounded per call. */
void s3_lifecycle_tick(emu_t *emu);
/* At start-up: restores completing from now on are told (not before). */
void s3_lifecycle_start(void);
/* The next tick sweeps (a configuration was set; work was left over). */
void s3_lifecycle_wake(void);

/* ---- event notifications (s3_notify.c) ---- */
/* The object an event is about: etag NULL for a removal (no size). */
typedef struct {
    const char *key;
    uint64_t size;
    const char *etag;       /* quoted, as stored */
    const char *version_id; /* NULL or "" when unversioned */
} s3_event_obj_t;
/* A NotificationConfiguration checked as S3 checks it, its canonical
 * children into body (1: empty, notifications off). 0 or -1 (error set). */
int s3_notify_check(s3_req_t *s, const struct xml_node *doc, buf_t *body);
/* Delivers event ("s3:ObjectCreated:Put") on o to the bucket's matching
 * Lambda destinations, asynchronously. */
void s3_notify(s3_req_t *s, const char *event, const s3_event_obj_t *o);

/* Sends an empty response (200, 204) with the request id. */
void s3_send_empty(s3_req_t *s, int status);
/* Sends an XML document (200 unless status given). */
void s3_send_xml(s3_req_t *s, int status, buf_t *doc);

#endif
