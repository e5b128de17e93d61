/* kms_crypto.c — Encrypt, Decrypt, ReEncrypt, data keys, random bytes, and
 * the answers symmetric keys give to asymmetric and HMAC operations. */
#include "services/kms/kms_int.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"

static const char *const enc_algs[] = {"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1",
                                       "RSAES_OAEP_SHA_256", "SM2PKE", NULL};
static const char *const data_key_specs[] = {"AES_256", "AES_128", NULL};

/* Checks EncryptionContext member: a string map. */
static int context(svc_req_t *r, const cJSON *in, const char *member, const cJSON **ctx)
{
    return json_map(r, in, member, ctx);
}

static int grant_tokens(svc_req_t *r, const cJSON *in)
{
    const cJSON *l;

    return json_list(r, in, "GrantTokens", 0, 0, 10, &l);
}

/* The key must be an enabled symmetric encryption key and the algorithm
 * SYMMETRIC_DEFAULT. */
static int usable_for(svc_req_t *r, const kms_key_t *k, const char *alg, const char *op)
{
    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "ENCRYPT_DECRYPT") != 0)
        return svc_error(r, 400, "InvalidKeyUsageException",
                         "%s key usage is %s which is not valid for %s.", k->arn, k->key_usage, op);
    if (alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0)
        return svc_error(r, 400, "InvalidKeyUsageException",
                         "Algorithm %s is incompatible with key spec %s.", alg, k->key_spec);
    return 0;
}

int kms_op_encrypt(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *ref = NULL, *alg = NULL;
    const cJSON *ctx;
    uint8_t *pt = NULL, *blob = NULL;
    size_t ptlen = 0, blen = 0;
    kms_key_t k;
    int rc = -1;

    if (json_str(r, in, "KeyId", 1, 1, 2048, &ref) || json_enum(r, in, "EncryptionAlgorithm", 0, enc_algs, &alg) ||
        context(r, in, "EncryptionContext", &ctx) || grant_tokens(r, in) ||
        json_blob(r, in, "Plaintext", 1, 1, KMS_MAX_PLAINTEXT, &pt, &ptlen))
        return -1;
    memset(&k, 0, sizeof k);
    if (kms_resolve(r, ref, KMS_ALLOW_ALIAS, &k) != 0 || usable_for(r, &k, alg, "Encrypt") != 0 ||
        kms_dry_run(r, in) != 0 || kms_seal(r, &k, ctx, pt, ptlen, &blob, &blen) != 0)
        goto out;
    json_put_blob(out, "CiphertextBlob", blob, blen);
    cJSON_AddStringToObject(out, "KeyId", k.arn);
    cJSON_AddStringToObject(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    rc = 0;
out:
    codec_wipe_free(pt, ptlen);
    free(blob);
    kms_key_clear(&k);
    return rc;
}

int kms_op_decrypt(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *ref = NULL, *alg = NULL;
    const cJSON *ctx, *recipient;
    uint8_t *blob = NULL, *pt = NULL;
    size_t blen = 0, ptlen = 0;
    char mid[65];
    kms_key_t k;
    int rc = -1;

    memset(&k, 0, sizeof k);
    if (json_blob(r, in, "CiphertextBlob", 1, 1, KMS_MAX_CIPHERTEXT, &blob, &blen) ||
        json_str(r, in, "KeyId", 0, 1, 2048, &ref) ||
        json_enum(r, in, "EncryptionAlgorithm", 0, enc_algs, &alg) ||
        context(r, in, "EncryptionContext", &ctx) || grant_tokens(r, in))
        goto out;
    recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");
    if (recipient && !cJSON_IsNull(recipient)) {
        svc_error(r, 400, "UnsupportedOperationException",
                  "Recipient (Nitro Enclaves attestation) is not supported by awsemu.");
        goto out;
    }
    if (alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0) {
        /* the algorithm cannot match the blob's symmetric key */
        svc_error(r, 400, "IncorrectKeyException",
                  "The key ID in the request does not identify a CMK that can perform this "
                  "operation.");
        goto out;
    }
    if (kms_open(r, blob, blen, ctx, ref, &k, &pt, &ptlen, mid) != 0 || kms_dry_run(r, in) != 0)
        goto out;
    cJSON_AddStringToObject(out, "KeyId", k.arn);
    json_put_blob(out, "Plaintext", pt, ptlen);
    cJSON_AddStringToObject(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    cJSON_AddStringToObject(out, "KeyMaterialId", mid);
    rc = 0;
out:
    codec_wipe_free(pt, ptlen);
    free(blob);
    kms_key_clear(&k);
    return rc;
}

int kms_op_re_encrypt(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *src_ref = NULL, *dst_ref = NULL, *src_alg = NULL, *dst_alg = NULL;
    const cJSON *src_ctx, *dst_ctx;
    uint8_t *blob = NULL, *pt = NULL, *nblob = NULL;
    size_t blen = 0, ptlen = 0, nlen = 0;
    char mid[65];
    kms_key_t src, dst;
    int rc = -1;

    memset(&src, 0, sizeof src);
    memset(&dst, 0, sizeof dst);
    if (json_blob(r, in, "CiphertextBlob", 1, 1, KMS_MAX_CIPHERTEXT, &blob, &blen) ||
        json_str(r, in, "SourceKeyId", 0, 1, 2048, &src_ref) ||
        json_str(r, in, "DestinationKeyId", 1, 1, 2048, &dst_ref) ||
        json_enum(r, in, "SourceEncryptionAlgorithm", 0, enc_algs, &src_alg) ||
        json_enum(r, in, "DestinationEncryptionAlgorithm", 0, enc_algs, &dst_alg) ||
        context(r, in, "SourceEncryptionContext", &src_ctx) ||
        context(r, in, "DestinationEncryptionContext", &dst_ctx) || grant_tokens(r, in))
        goto out;
    if (kms_resolve(r, dst_ref, KMS_ALLOW_ALIAS | KMS_AUTHZ_REENCRYPT_TO, &dst) != 0 ||
        usable_for(r, &dst, dst_alg, "ReEncrypt") != 0)
        goto out;
    if (src_alg && strcmp(src_alg, "SYMMETRIC_DEFAULT") != 0) {
        svc_error(r, 400, "IncorrectKeyException",
                  "The key ID in the request does not identify a CMK that can perform this "
                  "operation.");
        goto out;
    }
    if (kms_open(r, blob, blen, src_ctx, src_ref, &src, &pt, &ptlen, mid) != 0 ||
        kms_dry_run(r, in) != 0 || kms_seal(r, &dst, dst_ctx, pt, ptlen, &nblob, &nlen) != 0)
        goto out;
    json_put_blob(out, "CiphertextBlob", nblob, nlen);
    cJSON_AddStringToObject(out, "SourceKeyId", src.arn);
    cJSON_AddStringToObject(out, "KeyId", dst.arn);
    cJSON_AddStringToObject(out, "SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    cJSON_AddStringToObject(out, "DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    cJSON_AddStringToObject(out, "SourceKeyMaterialId", mid);
    kms_current_material_id(r, &dst, mid);
    cJSON_AddStringToObject(out, "DestinationKeyMaterialId", mid);
    rc = 0;
out:
    codec_wipe_free(pt, ptlen);
    free(blob);
    free(nblob);
    kms_key_clear(&src);
    kms_key_clear(&dst);
    return rc;
}

/* GenerateDataKey and GenerateDataKeyWithoutPlaintext. */
static int data_key(svc_req_t *r, const cJSON *in, cJSON *out, int with_plaintext)
{
    const char *ref = NULL, *spec = NULL;
    const cJSON *ctx, *recipient;
    long nbytes = 0;
    int have_n = 0, rc = -1;
    uint8_t *blob = NULL, dk[1024];
    size_t blen = 0, n;
    char mid[65];
    kms_key_t k;

    memset(&k, 0, sizeof k);
    if (json_str(r, in, "KeyId", 1, 1, 2048, &ref) ||
        json_int(r, in, "NumberOfBytes", 0, 1, 1024, &nbytes, &have_n) ||
        json_enum(r, in, "KeySpec", 0, data_key_specs, &spec) ||
        context(r, in, "EncryptionContext", &ctx) || grant_tokens(r, in))
        return -1;
    recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");
    if (with_plaintext && recipient && !cJSON_IsNull(recipient))
        return svc_error(r, 400, "UnsupportedOperationException",
                         "Recipient (Nitro Enclaves attestation) is not supported by awsemu.");
    if (have_n == (spec != NULL))
        return svc_error(r, 400, "ValidationException",
                         spec ? "Please specify either number of bytes or key spec."
                              : "Please specify either number of bytes or key spec.");
    n = spec ? (!strcmp(spec, "AES_256") ? 32 : 16) : (size_t)nbytes;
    if (kms_resolve(r, ref, KMS_ALLOW_ALIAS, &k) != 0 ||
        usable_for(r, &k, NULL, with_plaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext") != 0 ||
        kms_dry_run(r, in) != 0)
        goto out;
    codec_random(dk, n);
    if (kms_seal(r, &k, ctx, dk, n, &blob, &blen) != 0)
        goto out;
    json_put_blob(out, "CiphertextBlob", blob, blen);
    if (with_plaintext)
        json_put_blob(out, "Plaintext", dk, n);
    cJSON_AddStringToObject(out, "KeyId", k.arn);
    kms_current_material_id(r, &k, mid);
    cJSON_AddStringToObject(out, "KeyMaterialId", mid);
    rc = 0;
out:
    OPENSSL_cleanse(dk, sizeof dk);
    free(blob);
    kms_key_clear(&k);
    return rc;
}

int kms_op_generate_data_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    return data_key(r, in, out, 1);
}

int kms_op_generate_data_key_without_plaintext(svc_req_t *r, const cJSON *in, cJSON *out)
{
    return data_key(r, in, out, 0);
}

int kms_op_generate_random(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *store = NULL;
    const cJSON *recipient;
    uint8_t bytes[1024];
    long n = 0;
    int have = 0;

    if (json_int(r, in, "NumberOfBytes", 0, 1, 1024, &n, &have) ||
        json_str(r, in, "CustomKeyStoreId", 0, 1, 64, &store))
        return -1;
    if (store)
        return svc_error(r, 400, "CustomKeyStoreNotFoundException",
                         "Custom key store %s does not exist.", store);
    recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");
    if (recipient && !cJSON_IsNull(recipient))
        return svc_error(r, 400, "UnsupportedOperationException",
                         "Recipient (Nitro Enclaves attestation) is not supported by awsemu.");
    if (!have)
        return svc_error(r, 400, "ValidationException",
                         "1 validation error detected: Value null at 'numberOfBytes' failed to "
                         "satisfy constraint: Member must not be null");
    codec_random(bytes, (size_t)n);
    json_put_blob(out, "Plaintext", bytes, (size_t)n);
    OPENSSL_cleanse(bytes, sizeof bytes);
    return 0;
}

/* Resolves KeyId and, once the key is usable, refuses the operation as AWS
 * refuses it on a symmetric encryption key (every key awsemu holds):
 * by key usage (InvalidKeyUsageException) or by key spec
 * (UnsupportedOperationException). */
static int refuse_on_symmetric(svc_req_t *r, const cJSON *in, int by_usage)
{
    const char *ref = NULL;
    kms_key_t k;
    int rc;

    if (json_str(r, in, "KeyId", 1, 1, 2048, &ref) != 0 ||
        kms_resolve(r, ref, KMS_ALLOW_ALIAS, &k) != 0)
        return -1;
    if ((rc = kms_require_enabled(r, &k)) == 0 && by_usage)
        rc = svc_error(r, 400, "InvalidKeyUsageException",
                       "%s key usage is %s which is not valid for %s.", k.arn, k.key_usage,
                       r->operation);
    else if (rc == 0)
        rc = svc_error(r, 400, "UnsupportedOperationException",
                       "%s key spec is %s which is not supported for %s.", k.arn, k.key_spec,
                       r->operation);
    kms_key_clear(&k);
    return rc;
}

/* Sign, Verify, GenerateMac, VerifyMac, GenerateDataKeyPair*,
 * DeriveSharedSecret. */
int kms_op_asymmetric_only(svc_req_t *r, const cJSON *in, cJSON *out)
{
    (void)out;
    return refuse_on_symmetric(r, in, 1);
}

int kms_op_get_public_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    (void)out;
    return refuse_on_symmetric(r, in, 0);
}
