/* kms_crypto.c — Encrypt, Decrypt, ReEncrypt, data keys and random bytes
 * (asymmetric keys' Encrypt and Decrypt: kms_asym.c). */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"
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
        return svc_error(r, KMS_E_KEY_USAGE, k->arn, k->key_usage, op);
    if (alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0)
        return svc_error(r, KMS_E_ALGORITHM, alg, k->key_spec);
    if (kms_is_asym(k)) /* an RSA or SM2 encryption key: no data keys */
        return svc_error(r, KMS_E_SPEC_USAGE_OP, k->arn, k->key_spec, op);
    return 0;
}

/* ---- Encrypt ------------------------------------------------------------- */

typedef struct {
    kms_args_t h;
    const char *alg;
    const cJSON *ctx;
    uint8_t *pt;
    size_t ptlen;
} encrypt_args_t;

static int encrypt_parse(svc_req_t *r, const cJSON *in, void *args)
{
    encrypt_args_t *v = args;

    return json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   json_enum(r, in, "EncryptionAlgorithm", 0, enc_algs, &v->alg) ||
                   context(r, in, "EncryptionContext", &v->ctx) || grant_tokens(r, in) ||
                   json_blob(r, in, "Plaintext", 1, 1, KMS_MAX_PLAINTEXT, &v->pt, &v->ptlen)
               ? -1
               : 0;
}

static void encrypt_drop(void *args)
{
    encrypt_args_t *v = args;

    codec_wipe_free(v->pt, v->ptlen);
}

static const kms_input_t encrypt_input = {sizeof(encrypt_args_t), encrypt_parse, encrypt_drop,
                                          KMS_ALLOW_ALIAS};
KMS_KEY_RESOURCE(kms_res_encrypt, encrypt_input)

int kms_op_encrypt(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const encrypt_args_t *v = kms_input(r, in, &encrypt_input);
    uint8_t *blob = NULL;
    size_t blen = 0;
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    if (kms_is_asym(k) && !strcmp(k->key_usage, "ENCRYPT_DECRYPT"))
        return kms_asym_encrypt(r, k, v->alg, v->pt, v->ptlen, out);
    if (usable_for(r, k, v->alg, "Encrypt") != 0 ||
        kms_dry_run(r, in) != 0 || kms_seal(r, k, v->ctx, v->pt, v->ptlen, &blob, &blen) != 0)
        return -1;
    json_put_blob(out, "CiphertextBlob", blob, blen);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    cJSON_AddStringToObject(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    free(blob);
    return 0;
}

/* ---- Decrypt ------------------------------------------------------------- */

typedef struct {
    kms_args_t h; /* KeyId, optional: the blob names its key */
    const cJSON *ctx;
    uint8_t *blob;
    size_t blen;
    const char *alg; /* an asymmetric algorithm, or NULL */
} decrypt_args_t;

/* Everything AWS checks before it looks at the ciphertext's key. */
static int decrypt_parse(svc_req_t *r, const cJSON *in, void *args)
{
    decrypt_args_t *v = args;
    const char *alg = NULL;
    const cJSON *recipient;

    if (json_blob(r, in, "CiphertextBlob", 1, 1, KMS_MAX_CIPHERTEXT, &v->blob, &v->blen) ||
        json_str(r, in, "KeyId", 0, 1, 2048, &v->h.key_ref) ||
        json_enum(r, in, "EncryptionAlgorithm", 0, enc_algs, &alg) ||
        context(r, in, "EncryptionContext", &v->ctx) || grant_tokens(r, in))
        return -1;
    recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");
    if (recipient && !cJSON_IsNull(recipient))
        return svc_error(r, KMS_E_RECIPIENT);
    if (alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0) {
        /* an asymmetric ciphertext names no key: KeyId must */
        if (v->h.key_ref == NULL)
            return svc_error(r, KMS_E_INCORRECT_KEY);
        v->alg = alg;
    }
    return 0;
}

static void decrypt_drop(void *args)
{
    decrypt_args_t *v = args;

    free(v->blob);
}

static const kms_input_t decrypt_input = {sizeof(decrypt_args_t), decrypt_parse, decrypt_drop,
                                          KMS_ALLOW_ALIAS};

/* The key is the one the ciphertext names (InvalidCiphertextException when
 * it is gone), checked against KeyId when given. */
int kms_res_decrypt(svc_req_t *r, const void *in, struct authz *a)
{
    const decrypt_args_t *v = kms_input(r, in, &decrypt_input);
    kms_authz_t *z;
    kms_key_t *key;

    if (v == NULL || (key = kms_key_slot(r)) == NULL ||
        (v->alg ? kms_resolve(r, v->h.key_ref, KMS_ALLOW_ALIAS, key)
                : kms_open_key(r, v->blob, v->blen, v->h.key_ref, key)) != 0 ||
        kms_set_key(r, key, &z) == NULL)
        return -1;
    return z ? kms_authz_key(r, z, key, r->op->action, NULL, a) : 0;
}

int kms_op_decrypt(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const decrypt_args_t *v = kms_input(r, in, &decrypt_input);
    uint8_t *pt = NULL;
    size_t ptlen = 0;
    char mid[65];
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    if (v->alg) {
        if (!kms_is_asym(k)) /* the algorithm cannot match a symmetric key */
            return svc_error(r, KMS_E_INCORRECT_KEY);
        return kms_asym_decrypt(r, k, v->alg, v->blob, v->blen, out);
    }
    if (kms_open_with(r, k, v->blob, v->blen, v->ctx, &pt, &ptlen, mid) != 0)
        return -1;
    if (kms_dry_run(r, in) != 0) {
        codec_wipe_free(pt, ptlen);
        return -1;
    }
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    json_put_blob(out, "Plaintext", pt, ptlen);
    cJSON_AddStringToObject(out, "EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    cJSON_AddStringToObject(out, "KeyMaterialId", mid);
    codec_wipe_free(pt, ptlen);
    return 0;
}

/* 1 when alg names an asymmetric encryption algorithm. */
static int asym_alg(const char *alg)
{
    return alg && strcmp(alg, "SYMMETRIC_DEFAULT") != 0;
}

/* ReEncrypt's source: the blob opened under its key (a symmetric blob
 * names it; an asymmetric ciphertext's key is SourceKeyId, required). */
static int re_open(svc_req_t *r, const uint8_t *blob, size_t blen, const cJSON *ctx,
                   const char *ref, const char *alg, kms_key_t *src, uint8_t **pt, size_t *ptlen,
                   char mid[65])
{
    mid[0] = '\0';
    if (!asym_alg(alg))
        return kms_open(r, blob, blen, ctx, ref, "kms:ReEncryptFrom", src, pt, ptlen, mid);
    if (ref == NULL)
        return svc_error(r, KMS_E_INCORRECT_KEY);
    if (kms_resolve(r, ref, KMS_ALLOW_ALIAS, src) != 0 ||
        kms_authorize(r, src, "kms:ReEncryptFrom", ctx) != 0)
        return -1;
    if (!kms_is_asym(src))
        return svc_error(r, KMS_E_INCORRECT_KEY);
    return kms_asym_open(r, src, alg, blob, blen, pt, ptlen);
}

/* ReEncrypt names two keys, the blob's (kms:ReEncryptFrom) and the
 * destination (kms:ReEncryptTo), each authorized under its own key policy:
 * one authz_t cannot say both, so its row authorizes in the handler. Either
 * may be an asymmetric encryption key, with its algorithm named. */
int kms_op_re_encrypt(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *src_ref = NULL, *dst_ref = NULL, *src_alg = NULL, *dst_alg = NULL;
    const cJSON *src_ctx, *dst_ctx;
    uint8_t *blob = NULL, *pt = NULL, *nblob = NULL;
    size_t blen = 0, ptlen = 0, nlen = 0;
    char mid[65];
    kms_key_t src, dst;
    int rc = -1, dst_asym;

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
    if (kms_resolve(r, dst_ref, KMS_ALLOW_ALIAS, &dst) != 0 ||
        kms_authorize(r, &dst, "kms:ReEncryptTo", NULL) != 0)
        goto out;
    dst_asym = kms_is_asym(&dst) && !strcmp(dst.key_usage, "ENCRYPT_DECRYPT");
    if (!dst_asym && usable_for(r, &dst, dst_alg, "ReEncrypt") != 0)
        goto out;
    if (re_open(r, blob, blen, src_ctx, src_ref, src_alg, &src, &pt, &ptlen, mid) != 0 ||
        kms_dry_run(r, in) != 0 ||
        (dst_asym ? kms_asym_seal(r, &dst, dst_alg, pt, ptlen, &nblob, &nlen)
                  : kms_seal(r, &dst, dst_ctx, pt, ptlen, &nblob, &nlen)) != 0)
        goto out;
    json_put_blob(out, "CiphertextBlob", nblob, nlen);
    cJSON_AddStringToObject(out, "SourceKeyId", src.arn);
    cJSON_AddStringToObject(out, "KeyId", dst.arn);
    cJSON_AddStringToObject(out, "SourceEncryptionAlgorithm",
                            asym_alg(src_alg) ? src_alg : "SYMMETRIC_DEFAULT");
    cJSON_AddStringToObject(out, "DestinationEncryptionAlgorithm",
                            dst_asym ? dst_alg : "SYMMETRIC_DEFAULT");
    if (mid[0])
        cJSON_AddStringToObject(out, "SourceKeyMaterialId", mid);
    if (!dst_asym) {
        kms_current_material_id(r, &dst, mid);
        cJSON_AddStringToObject(out, "DestinationKeyMaterialId", mid);
    }
    rc = 0;
out:
    codec_wipe_free(pt, ptlen);
    free(blob);
    free(nblob);
    kms_key_clear(&src);
    kms_key_clear(&dst);
    return rc;
}

/* ---- GenerateDataKey and GenerateDataKeyWithoutPlaintext ------------------ */

typedef struct {
    kms_args_t h;
    const cJSON *ctx;
    size_t n; /* bytes of the data key */
} data_key_args_t;

static int data_key_parse(svc_req_t *r, const cJSON *in, data_key_args_t *v, int with_plaintext)
{
    const char *spec = NULL;
    const cJSON *recipient;
    long nbytes = 0;
    int have_n = 0;

    if (json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
        json_int(r, in, "NumberOfBytes", 0, 1, 1024, &nbytes, &have_n) ||
        json_enum(r, in, "KeySpec", 0, data_key_specs, &spec) ||
        context(r, in, "EncryptionContext", &v->ctx) || grant_tokens(r, in))
        return -1;
    recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");
    if (with_plaintext && recipient && !cJSON_IsNull(recipient))
        return svc_error(r, KMS_E_RECIPIENT);
    if (have_n == (spec != NULL))
        return svc_error(r, KMS_E_BYTES_OR_SPEC);
    v->n = spec ? (!strcmp(spec, "AES_256") ? 32 : 16) : (size_t)nbytes;
    return 0;
}

static int data_key_pt_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return data_key_parse(r, in, args, 1);
}

static int data_key_np_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return data_key_parse(r, in, args, 0);
}

static const kms_input_t data_key_input = {sizeof(data_key_args_t), data_key_pt_parse, NULL,
                                           KMS_ALLOW_ALIAS};
static const kms_input_t data_key_np_input = {sizeof(data_key_args_t), data_key_np_parse, NULL,
                                              KMS_ALLOW_ALIAS};
KMS_KEY_RESOURCE(kms_res_data_key, data_key_input)
KMS_KEY_RESOURCE(kms_res_data_key_np, data_key_np_input)

static int data_key(svc_req_t *r, const cJSON *in, cJSON *out, int with_plaintext)
{
    const data_key_args_t *v =
        kms_input(r, in, with_plaintext ? &data_key_input : &data_key_np_input);
    uint8_t *blob = NULL, dk[1024];
    size_t blen = 0;
    char mid[65];
    kms_key_t *k;
    int rc = -1;

    if (v == NULL || (k = kms_key(r, in)) == NULL ||
        usable_for(r, k, NULL,
                   with_plaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext") != 0 ||
        kms_dry_run(r, in) != 0)
        return -1;
    codec_random(dk, v->n);
    if (kms_seal(r, k, v->ctx, dk, v->n, &blob, &blen) != 0)
        goto out;
    json_put_blob(out, "CiphertextBlob", blob, blen);
    if (with_plaintext)
        json_put_blob(out, "Plaintext", dk, v->n);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    kms_current_material_id(r, k, mid);
    cJSON_AddStringToObject(out, "KeyMaterialId", mid);
    rc = 0;
out:
    OPENSSL_cleanse(dk, sizeof dk);
    free(blob);
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
        return svc_error(r, KMS_E_NO_KEY_STORE, store);
    recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");
    if (recipient && !cJSON_IsNull(recipient))
        return svc_error(r, KMS_E_RECIPIENT);
    if (!have)
        return svc_error(r, KMS_E_BYTES_NULL);
    codec_random(bytes, (size_t)n);
    json_put_blob(out, "Plaintext", bytes, (size_t)n);
    OPENSSL_cleanse(bytes, sizeof bytes);
    return 0;
}
