/* kms_asym.c — Encrypt and Decrypt with asymmetric keys (RSAES-OAEP with
 * MGF1 of the same hash; SM2PKE), and GenerateDataKeyPair(WithoutPlaintext):
 * a fresh key pair whose PKCS#8 private key is sealed under a symmetric
 * key with the encryption context. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"

/* ---- Encrypt and Decrypt ------------------------------------------------- */

/* The most plaintext alg takes with k: OAEP's k - 2 hLen - 2 bytes, SM2PKE
 * 1024 (AWS's "Asymmetric keys: RSA key specs for encryption"). */
static size_t max_plaintext(const kms_spec_t *s, const char *alg)
{
    size_t h = !strcmp(alg, "RSAES_OAEP_SHA_1") ? 20 : 32;

    if (s->kind == KMS_KIND_SM2)
        return 1024;
    return (size_t)s->bits / 8 - 2 * h - 2;
}

/* A context for k's key, set up for alg by init (encrypt or decrypt). */
static EVP_PKEY_CTX *crypt_ctx(EVP_PKEY *pkey, const char *alg, int (*init)(EVP_PKEY_CTX *))
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    const EVP_MD *md = !strcmp(alg, "RSAES_OAEP_SHA_1") ? EVP_sha1() : EVP_sha256();

    if (c == NULL || init(c) <= 0)
        goto fail;
    if (strncmp(alg, "RSAES_OAEP_", 11) == 0 &&
        (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) <= 0 ||
         EVP_PKEY_CTX_set_rsa_oaep_md(c, md) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) <= 0))
        goto fail;
    return c;
fail:
    EVP_PKEY_CTX_free(c);
    return NULL;
}

/* The key is an enabled ENCRYPT_DECRYPT key and alg one of its spec's. */
static int crypt_checks(svc_req_t *r, const kms_key_t *k, const char *alg, const char *op)
{
    const kms_spec_t *s = kms_spec(k->key_spec);

    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "ENCRYPT_DECRYPT") != 0)
        return svc_error(r, KMS_E_KEY_USAGE, k->arn, k->key_usage, op);
    if (s == NULL || !kms_alg_in(s->enc, alg))
        return svc_error(r, KMS_E_ALGORITHM, alg, k->key_spec);
    return 0;
}

int kms_asym_seal(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *pt, size_t n,
                  uint8_t **ct, size_t *ctlen)
{
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *c;
    uint8_t *out = NULL;
    size_t len = 0, max;

    if (crypt_checks(r, k, alg ? alg : "SYMMETRIC_DEFAULT", r->operation) != 0)
        return -1;
    max = max_plaintext(kms_spec(k->key_spec), alg);
    if (n > max)
        return svc_error(r, KMS_E_PLAINTEXT_LENGTH, n, max, alg, k->key_spec);
    if ((pkey = kms_asym_pkey(r, k)) == NULL)
        return -1;
    if ((c = crypt_ctx(pkey, alg, EVP_PKEY_encrypt_init)) == NULL ||
        EVP_PKEY_encrypt(c, NULL, &len, pt, n) <= 0 || (out = malloc(len)) == NULL ||
        EVP_PKEY_encrypt(c, out, &len, pt, n) <= 0) {
        EVP_PKEY_CTX_free(c);
        free(out);
        return svc_error(r, KMS_E_SEAL);
    }
    EVP_PKEY_CTX_free(c);
    *ct = out;
    *ctlen = len;
    kms_note_use(r, k->key_id, 1);
    return 0;
}

int kms_asym_open(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *ct, size_t n,
                  uint8_t **pt, size_t *ptlen)
{
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *c;
    uint8_t *out = NULL;
    size_t len = 0;

    if (crypt_checks(r, k, alg ? alg : "SYMMETRIC_DEFAULT", "Decrypt") != 0 ||
        (pkey = kms_asym_pkey(r, k)) == NULL)
        return -1;
    if ((c = crypt_ctx(pkey, alg, EVP_PKEY_decrypt_init)) == NULL ||
        EVP_PKEY_decrypt(c, NULL, &len, ct, n) <= 0 || (out = malloc(len ? len : 1)) == NULL ||
        EVP_PKEY_decrypt(c, out, &len, ct, n) <= 0) {
        EVP_PKEY_CTX_free(c);
        free(out); /* nothing of a failed decryption is kept */
        return svc_error(r, KMS_E_INVALID_CIPHERTEXT, "");
    }
    EVP_PKEY_CTX_free(c);
    *pt = out;
    *ptlen = len;
    kms_note_use(r, k->key_id, 0);
    return 0;
}

int kms_asym_encrypt(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *pt,
                     size_t n, cJSON *out)
{
    uint8_t *ct = NULL;
    size_t ctlen = 0;

    if (crypt_checks(r, k, alg ? alg : "SYMMETRIC_DEFAULT", "Encrypt") != 0 ||
        kms_dry_run(r, r->input) != 0 || kms_asym_seal(r, k, alg, pt, n, &ct, &ctlen) != 0)
        return -1;
    json_put_blob(out, "CiphertextBlob", ct, ctlen);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    cJSON_AddStringToObject(out, "EncryptionAlgorithm", alg);
    free(ct);
    return 0;
}

int kms_asym_decrypt(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *ct,
                     size_t n, cJSON *out)
{
    uint8_t *pt = NULL;
    size_t ptlen = 0;

    if (kms_asym_open(r, k, alg, ct, n, &pt, &ptlen) != 0)
        return -1;
    if (kms_dry_run(r, r->input) != 0) {
        codec_wipe_free(pt, ptlen);
        return -1;
    }
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    json_put_blob(out, "Plaintext", pt, ptlen);
    cJSON_AddStringToObject(out, "EncryptionAlgorithm", alg);
    codec_wipe_free(pt, ptlen);
    return 0;
}

/* ---- GenerateDataKeyPair ---------------------------------------------------- */

static const char *const pair_specs[] = {"RSA_2048",      "RSA_3072",      "RSA_4096",
                                         "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
                                         "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519", NULL};

typedef struct {
    kms_args_t h;
    const cJSON *ctx;
    const char *spec;
} pair_args_t;

static int pair_common(svc_req_t *r, const cJSON *in, pair_args_t *v, int with_plaintext)
{
    const cJSON *l, *recipient;

    if (json_map(r, in, "EncryptionContext", &v->ctx) ||
        json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
        json_enum(r, in, "KeyPairSpec", 1, pair_specs, &v->spec) ||
        json_list(r, in, "GrantTokens", 0, 0, 10, &l))
        return -1;
    recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");
    if (with_plaintext && recipient && !cJSON_IsNull(recipient))
        return svc_error(r, KMS_E_RECIPIENT);
    return 0;
}

static int pair_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return pair_common(r, in, args, 1);
}

static int pair_np_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return pair_common(r, in, args, 0);
}

static const kms_input_t pair_input = {sizeof(pair_args_t), pair_parse, NULL, KMS_ALLOW_ALIAS};
static const kms_input_t pair_np_input = {sizeof(pair_args_t), pair_np_parse, NULL,
                                          KMS_ALLOW_ALIAS};
KMS_KEY_RESOURCE(kms_res_data_key_pair, pair_input)
KMS_KEY_RESOURCE(kms_res_data_key_pair_np, pair_np_input)

/* The answer for a generated pair: its private key sealed under k. */
static int pair_answer(svc_req_t *r, const kms_key_t *k, const pair_args_t *v, EVP_PKEY *pkey,
                       int with_plaintext, cJSON *out)
{
    uint8_t *priv = NULL, *pub = NULL, *blob = NULL;
    size_t privlen = 0, publen = 0, blen = 0;
    char mid[65];
    int rc = -1;

    if (pkey == NULL || (priv = kms_pkcs8(pkey, &privlen)) == NULL ||
        (pub = kms_spki(pkey, &publen)) == NULL) {
        svc_error(r, KMS_E_KEYGEN);
        goto out;
    }
    if (kms_seal(r, k, v->ctx, priv, privlen, &blob, &blen) != 0)
        goto out;
    json_put_blob(out, "PrivateKeyCiphertextBlob", blob, blen);
    if (with_plaintext)
        json_put_blob(out, "PrivateKeyPlaintext", priv, privlen);
    json_put_blob(out, "PublicKey", pub, publen);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    cJSON_AddStringToObject(out, "KeyPairSpec", v->spec);
    kms_current_material_id(r, k, mid);
    if (mid[0])
        cJSON_AddStringToObject(out, "KeyMaterialId", mid);
    rc = 0;
out:
    codec_wipe_free(priv, privlen);
    free(pub);
    free(blob);
    return rc;
}

/* An RSA pair is ready (kms_keygen_async); arg: with_plaintext. */
static void pair_generated(svc_req_t *r, EVP_PKEY *pkey, void *arg)
{
    int with_plaintext = arg != NULL;
    const pair_args_t *v = kms_input(r, r->input, with_plaintext ? &pair_input : &pair_np_input);
    kms_key_t *k;
    int rc = -1;

    if (v != NULL && (k = kms_key(r, r->input)) != NULL)
        rc = pair_answer(r, k, v, pkey, with_plaintext, r->pending_out);
    EVP_PKEY_free(pkey);
    proto_json_finish(r, rc); /* r is gone after it */
}

static int data_key_pair(svc_req_t *r, const cJSON *in, cJSON *out, int with_plaintext)
{
    const pair_args_t *v = kms_input(r, in, with_plaintext ? &pair_input : &pair_np_input);
    const kms_spec_t *s;
    EVP_PKEY *pkey;
    kms_key_t *k;
    int rc;

    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "ENCRYPT_DECRYPT") != 0)
        return svc_error(r, KMS_E_KEY_USAGE, k->arn, k->key_usage, r->operation);
    if (kms_is_asym(k))
        return svc_error(r, KMS_E_SPEC_USAGE_OP, k->arn, k->key_spec, r->operation);
    s = kms_spec(v->spec);
    if (s->kind == KMS_KIND_SM2 && strncmp(r->region, "cn-", 3) != 0)
        return svc_error(r, KMS_E_SPEC_REGION, v->spec, r->region);
    if (kms_dry_run(r, in) != 0)
        return -1;
    /* RSA takes seconds: generated off the loop, answered after */
    if (kms_keygen_slow(s))
        return kms_keygen_async(r, s, pair_generated, with_plaintext ? (void *)r : NULL) == 0
                   ? svc_defer(r)
                   : -1;
    pkey = kms_keygen(s);
    rc = pair_answer(r, k, v, pkey, with_plaintext, out);
    EVP_PKEY_free(pkey);
    return rc;
}

int kms_op_generate_data_key_pair(svc_req_t *r, const cJSON *in, cJSON *out)
{
    return data_key_pair(r, in, out, 1);
}

int kms_op_generate_data_key_pair_np(svc_req_t *r, const cJSON *in, cJSON *out)
{
    return data_key_pair(r, in, out, 0);
}
