/* s3_sse.c — the encryption of S3 bodies: SSE-S3 (a data key sealed under
 * the master key), SSE-KMS (a data key from KMS, with the encryption
 * context), SSE-C (the customer's key, checked by a salted HMAC), and the
 * response headers that tell which. */
#include "services/s3/s3_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/codec.h"
#include "emulator/http.h"
#include "services/kms/kms.h"
#include "storage/keyring.h"
#include "base/evp.h"

/* ---- encryption -------------------------------------------------------------- */

void s3_sse_clear(s3_sse_t *sse)
{
    OPENSSL_cleanse(sse->dk, sizeof sse->dk);
    free(sse->context);
    free(sse->wrapped);
    sse->context = NULL;
    sse->wrapped = NULL;
}

int s3_ssec_parse(s3_req_t *s, const char *prefix, s3_sse_t *sse)
{
    char name[128], alg[32], key[80], md5[40];
    uint8_t raw[64], digest[16];
    unsigned int dl = 0;
    long n;
    int have_alg, have_key, have_md5;

#define SSEC_NAME(suffix)                                                                   \
    (prefix[0] ? (snprintf(name, sizeof name, "x-amz-%sserver-side-encryption-customer-" suffix, \
                           prefix),                                                          \
                  name)                                                                      \
               : "x-amz-server-side-encryption-customer-" suffix)
    have_alg = s3_header(s, SSEC_NAME("algorithm"), alg, sizeof alg);
    have_key = s3_header(s, SSEC_NAME("key"), key, sizeof key);
    have_md5 = s3_header(s, SSEC_NAME("key-MD5"), md5, sizeof md5);
#undef SSEC_NAME
    if (!have_alg && !have_key && !have_md5)
        return 0;
    if (!have_alg || !have_key || !have_md5)
        return s3_error(s, 400, "InvalidArgument",
                        "Requests specifying Server Side Encryption with Customer provided keys "
                        "must provide the algorithm, the key and the key's MD5.");
    if (strcmp(alg, "AES256") != 0)
        return s3_error(s, 400, "InvalidEncryptionAlgorithmError",
                        "The encryption request you specified is not valid. The valid value is "
                        "AES256.");
    n = codec_b64_decode(key, strlen(key), raw);
    if (n != 32)
        return s3_error(s, 400, "InvalidArgument",
                        "The secret key was invalid for the specified algorithm.");
    EVP_Digest(raw, 32, digest, &dl, evp_md5(), NULL);
    {
        char b64[32];
        codec_b64_encode(digest, 16, b64);
        if (strcmp(b64, md5) != 0) {
            OPENSSL_cleanse(raw, sizeof raw);
            return s3_error(s, 400, "InvalidArgument",
                            "The calculated MD5 hash of the key did not match the hash that was "
                            "provided.");
        }
        str_copy(sse->customer_md5, sizeof sse->customer_md5, b64);
    }
    snprintf(sse->alg, sizeof sse->alg, "SSE-C");
    memcpy(sse->dk, raw, 32);
    OPENSSL_cleanse(raw, sizeof raw);
    return 1;
}

/* KMS's errors as S3 reports them (KMS.<code>, 400; AccessDenied 403). */
static int kms_error(s3_req_t *s)
{
    char code[96], msg[sizeof s->r->err_msg];

    str_copy(msg, sizeof msg, s->r->err_msg);
    if (!strcmp(s->r->err_code, "AccessDeniedException"))
        return s3_error(s, 403, "AccessDenied", "%s", msg);
    snprintf(code, sizeof code, "KMS.%s", s->r->err_code);
    return s3_error(s, 400, code, "%.600s", msg);
}

/* The encryption context for an object: the caller's (base64 JSON header)
 * plus {"aws:s3:arn": <object or, with a bucket key, bucket ARN>}. */
static int kms_context(s3_req_t *s, const char *bucket, const char *key, int bucket_key,
                       cJSON **ctx)
{
    char hdr[4096];
    buf_t arn;

    *ctx = NULL;
    if (s3_header(s, "x-amz-server-side-encryption-context", hdr, sizeof hdr)) {
        uint8_t *raw = malloc(strlen(hdr) + 4);
        long n = raw ? codec_b64_decode(hdr, strlen(hdr), raw) : -1;
        cJSON *c = n >= 0 ? cJSON_ParseWithLength((const char *)raw, (size_t)n) : NULL;
        const cJSON *e;
        free(raw);
        if (!cJSON_IsObject(c)) {
            cJSON_Delete(c);
            return s3_error(s, 400, "InvalidArgument",
                            "The header 'x-amz-server-side-encryption-context' shall be Base64-"
                            "encoded UTF-8 string holding JSON which represents a string-string "
                            "map");
        }
        cJSON_ArrayForEach(e, c) if (!cJSON_IsString(e))
        {
            cJSON_Delete(c);
            return s3_error(s, 400, "InvalidArgument",
                            "The encryption context must be a map of strings.");
        }
        *ctx = c;
    } else {
        *ctx = cJSON_CreateObject();
    }
    if (!cJSON_GetObjectItemCaseSensitive(*ctx, "aws:s3:arn")) {
        buf_init(&arn, 0);
        if (bucket_key)
            buf_printf(&arn, "arn:aws:s3:::%s", bucket);
        else
            s3_object_arn(bucket, key, &arn);
        cJSON_AddStringToObject(*ctx, "aws:s3:arn", arn.data);
        buf_free(&arn);
    }
    return 0;
}

int s3_sse_prepare(s3_req_t *s, const char *bucket, const char *key)
{
    s3_sse_t *sse = &s->sse;
    char alg[32] = "", key_id[2048] = "", bk[16] = "";
    int have_alg, have_key, rc;
    buf_t arn;

    rc = s3_ssec_parse(s, "", sse);
    if (rc < 0)
        return -1;
    have_alg = s3_header(s, "x-amz-server-side-encryption", alg, sizeof alg);
    if (rc == 1) {
        if (have_alg)
            return s3_error(s, 400, "InvalidArgument",
                            "Server Side Encryption with Customer provided key is incompatible "
                            "with the encryption method specified");
        codec_random(sse->salt, sizeof sse->salt);
        HMAC(evp_sha256(), sse->salt, sizeof sse->salt, sse->dk, 32, sse->hmac, NULL);
        return 0;
    }
    have_key = s3_header(s, "x-amz-server-side-encryption-aws-kms-key-id", key_id, sizeof key_id);
    s3_header(s, "x-amz-server-side-encryption-bucket-key-enabled", bk, sizeof bk);
    if (!have_alg) {
        /* the bucket's default, else SSE-S3 */
        char *enc = s3_bucket_encryption(s, bucket);
        cJSON *doc = enc ? cJSON_Parse(enc) : NULL;
        const cJSON *a = doc ? cJSON_GetObjectItemCaseSensitive(doc, "SSEAlgorithm") : NULL;
        const cJSON *k = doc ? cJSON_GetObjectItemCaseSensitive(doc, "KMSMasterKeyID") : NULL;
        const cJSON *b = doc ? cJSON_GetObjectItemCaseSensitive(doc, "BucketKeyEnabled") : NULL;
        str_copy(alg, sizeof alg, cJSON_IsString(a) ? a->valuestring : "AES256");
        if (cJSON_IsString(k) && key_id[0] == '\0')
            str_copy(key_id, sizeof key_id, k->valuestring);
        if (cJSON_IsTrue(b) && bk[0] == '\0')
            snprintf(bk, sizeof bk, "true");
        cJSON_Delete(doc);
        free(enc);
    } else if (strcmp(alg, "AES256") && strcmp(alg, "aws:kms") && strcmp(alg, "aws:kms:dsse")) {
        return s3_error(s, 400, "InvalidArgument",
                        "The encryption method specified is not supported");
    }
    /* a key id asked for without aws:kms (also over an SSE-S3 default) */
    if (!strcmp(alg, "AES256") && key_id[0] && (have_alg || have_key))
        return s3_error(s, 400, "InvalidArgument",
                        "Server Side Encryption with AWS KMS managed key requires HTTP header "
                        "x-amz-server-side-encryption : aws:kms");
    snprintf(sse->alg, sizeof sse->alg, "%.15s", alg);
    sse->bucket_key = !strcasecmp(bk, "true");
    buf_init(&arn, 0);
    s3_object_arn(bucket, key, &arn);
    if (!strcmp(alg, "AES256")) {
        /* SSE-S3: a data key sealed under the master key, bound to the object */
        codec_random(sse->dk, sizeof sse->dk);
        sse->wlen = sizeof sse->dk + ENVELOPE_OVERHEAD;
        sse->wrapped = malloc(sse->wlen);
        rc = sse->wrapped &&
                     keyring_seal(s->r->emu->master_key, KEYRING_S3_SSE_DATA_KEY, arn.data,
                                  strlen(arn.data), sse->dk, sizeof sse->dk, sse->wrapped) == 0
                 ? 0
                 : s3_fail(s, S3_E_INTERNAL);
    } else if ((rc = s3_kms_allowed(s)) == 0) {
        cJSON *ctx = NULL;
        char managed[37];
        const char *ref = key_id;
        rc = kms_context(s, bucket, key, sse->bucket_key, &ctx);
        if (rc == 0 && ref[0] == '\0') {
            if (kms_managed_key(s->r, "s3", managed) != 0)
                rc = kms_error(s);
            ref = managed;
        }
        if (rc == 0 && kms_data_key(s->r, ref, ctx, sse->dk, sizeof sse->dk, &sse->wrapped,
                                    &sse->wlen, sse->kms_key_arn) != 0)
            rc = kms_error(s);
        if (rc == 0)
            sse->context = cJSON_PrintUnformatted(ctx);
        cJSON_Delete(ctx);
    }
    buf_free(&arn);
    return rc;
}

int s3_sse_open(s3_req_t *s, s3_sse_t *sse, const char *arn, int sse_c_required)
{
    if (!strcmp(sse->alg, "SSE-C")) {
        s3_sse_t given;
        uint8_t mac[32];
        int rc;
        memset(&given, 0, sizeof given);
        rc = s3_ssec_parse(s, "", &given);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return s3_fail(s, S3_E_SSE_REQUIRED);
        HMAC(evp_sha256(), sse->salt, sizeof sse->salt, given.dk, 32, mac, NULL);
        if (CRYPTO_memcmp(mac, sse->hmac, sizeof mac) != 0) {
            OPENSSL_cleanse(given.dk, sizeof given.dk);
            return s3_fail(s, S3_E_ACCESS_DENIED);
        }
        memcpy(sse->dk, given.dk, 32);
        str_copy(sse->customer_md5, sizeof sse->customer_md5, given.customer_md5);
        OPENSSL_cleanse(given.dk, sizeof given.dk);
        return 0;
    }
    (void)sse_c_required;
    if (!strcmp(sse->alg, "AES256")) {
        int rc = sse->wlen == sizeof sse->dk + ENVELOPE_OVERHEAD &&
                         keyring_open(s->r->emu->master_key, KEYRING_S3_SSE_DATA_KEY, arn,
                                      strlen(arn), sse->wrapped, sse->wlen, sse->dk) == 0
                     ? 0
                     : s3_error(s, 500, "InternalError", "The object's data key cannot be opened.");
        return rc;
    }
    if (s3_kms_allowed(s) != 0)
        return -1;
    {
        cJSON *ctx = sse->context ? cJSON_Parse(sse->context) : NULL;
        char arn_out[160];
        int rc = kms_unwrap(s->r, sse->wrapped, sse->wlen, ctx, sse->dk, sizeof sse->dk, arn_out);
        cJSON_Delete(ctx);
        return rc == 0 ? 0 : kms_error(s);
    }
}

void s3_sse_headers(s3_req_t *s, const s3_sse_t *sse)
{
    http_req_t *h = s->r->http;

    if (!strcmp(sse->alg, "SSE-C")) {
        http_add_header(h, "x-amz-server-side-encryption-customer-algorithm", "AES256");
        http_add_header(h, "x-amz-server-side-encryption-customer-key-MD5", sse->customer_md5);
        return;
    }
    http_add_header(h, "x-amz-server-side-encryption", sse->alg);
    if (strncmp(sse->alg, "aws:kms", 7) == 0) {
        http_add_header(h, "x-amz-server-side-encryption-aws-kms-key-id", sse->kms_key_arn);
        if (sse->bucket_key)
            http_add_header(h, "x-amz-server-side-encryption-bucket-key-enabled", "true");
        if (sse->context && strcmp(h->method, "GET") && strcmp(h->method, "HEAD")) {
            char *b64 = malloc(codec_b64_enclen(strlen(sse->context)) + 1);
            if (b64) {
                codec_b64_encode((const uint8_t *)sse->context, strlen(sse->context), b64);
                http_add_header(h, "x-amz-server-side-encryption-context", b64);
                free(b64);
            }
        }
    }
}

/* ---- sealed output: memory, spilling to a blob file --------------------------- */
