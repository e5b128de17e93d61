/* kms_spec.c — the key specs AWS KMS serves, the usages each allows and the
 * algorithms of each (spec, usage), from AWS's "Key spec reference"
 * (docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html). */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"

#include <openssl/evp.h>
#include <string.h>

#define RSA_SIGN                                                                                   \
    "RSASSA_PSS_SHA_256 RSASSA_PSS_SHA_384 RSASSA_PSS_SHA_512 RSASSA_PKCS1_V1_5_SHA_256 "          \
    "RSASSA_PKCS1_V1_5_SHA_384 RSASSA_PKCS1_V1_5_SHA_512"
#define RSA_ENC "RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256"

static const kms_spec_t specs[] = {
    {"SYMMETRIC_DEFAULT", KMS_KIND_SYMMETRIC, 256, NULL, "ENCRYPT_DECRYPT", NULL,
     "SYMMETRIC_DEFAULT", NULL, NULL},
    {"RSA_2048", KMS_KIND_RSA, 2048, NULL, "ENCRYPT_DECRYPT SIGN_VERIFY", RSA_SIGN, RSA_ENC, NULL,
     NULL},
    {"RSA_3072", KMS_KIND_RSA, 3072, NULL, "ENCRYPT_DECRYPT SIGN_VERIFY", RSA_SIGN, RSA_ENC, NULL,
     NULL},
    {"RSA_4096", KMS_KIND_RSA, 4096, NULL, "ENCRYPT_DECRYPT SIGN_VERIFY", RSA_SIGN, RSA_ENC, NULL,
     NULL},
    {"ECC_NIST_P256", KMS_KIND_EC, 256, "P-256", "SIGN_VERIFY KEY_AGREEMENT", "ECDSA_SHA_256",
     NULL, NULL, "ECDH"},
    {"ECC_NIST_P384", KMS_KIND_EC, 384, "P-384", "SIGN_VERIFY KEY_AGREEMENT", "ECDSA_SHA_384",
     NULL, NULL, "ECDH"},
    {"ECC_NIST_P521", KMS_KIND_EC, 521, "P-521", "SIGN_VERIFY KEY_AGREEMENT", "ECDSA_SHA_512",
     NULL, NULL, "ECDH"},
    {"ECC_SECG_P256K1", KMS_KIND_EC, 256, "secp256k1", "SIGN_VERIFY", "ECDSA_SHA_256", NULL, NULL,
     NULL},
    {"ECC_NIST_EDWARDS25519", KMS_KIND_ED25519, 256, NULL, "SIGN_VERIFY",
     "ED25519_SHA_512 ED25519_PH_SHA_512", NULL, NULL, NULL},
    {"SM2", KMS_KIND_SM2, 256, "SM2", "ENCRYPT_DECRYPT SIGN_VERIFY KEY_AGREEMENT", "SM2DSA",
     "SM2PKE", NULL, "ECDH"},
    {"HMAC_224", KMS_KIND_HMAC, 224, NULL, "GENERATE_VERIFY_MAC", NULL, NULL, "HMAC_SHA_224",
     NULL},
    {"HMAC_256", KMS_KIND_HMAC, 256, NULL, "GENERATE_VERIFY_MAC", NULL, NULL, "HMAC_SHA_256",
     NULL},
    {"HMAC_384", KMS_KIND_HMAC, 384, NULL, "GENERATE_VERIFY_MAC", NULL, NULL, "HMAC_SHA_384",
     NULL},
    {"HMAC_512", KMS_KIND_HMAC, 512, NULL, "GENERATE_VERIFY_MAC", NULL, NULL, "HMAC_SHA_512",
     NULL},
    {"ML_DSA_44", KMS_KIND_ML_DSA, 0, "ML-DSA-44", "SIGN_VERIFY", "ML_DSA_SHAKE_256", NULL, NULL,
     NULL},
    {"ML_DSA_65", KMS_KIND_ML_DSA, 0, "ML-DSA-65", "SIGN_VERIFY", "ML_DSA_SHAKE_256", NULL, NULL,
     NULL},
    {"ML_DSA_87", KMS_KIND_ML_DSA, 0, "ML-DSA-87", "SIGN_VERIFY", "ML_DSA_SHAKE_256", NULL, NULL,
     NULL},
};

const kms_spec_t *kms_spec(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (!strcmp(specs[i].name, name))
            return &specs[i];
    return NULL;
}

int kms_alg_in(const char *list, const char *alg)
{
    size_t n = strlen(alg);
    const char *p = list;

    if (list == NULL || n == 0)
        return 0;
    while ((p = strstr(p, alg)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

/* 1 when the linked OpenSSL can make keys of type name (SM2, ML-DSA-44):
 * asked at run time, since a distribution's build may leave one out. */
static int have_keytype(const char *name)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);

    EVP_PKEY_CTX_free(c);
    return c != NULL;
}

int kms_spec_check(svc_req_t *r, const char *spec, const char *usage)
{
    const kms_spec_t *s = kms_spec(spec);

    if (s == NULL || !kms_alg_in(s->usages, usage))
        return svc_error(r, KMS_E_USAGE_SPEC, usage, spec);
    /* AWS offers SM2 only in the China Regions */
    if (s->kind == KMS_KIND_SM2 && (strncmp(r->region, "cn-", 3) != 0 || !have_keytype("SM2")))
        return svc_error(r, KMS_E_SPEC_REGION, spec, r->region);
    if (s->kind == KMS_KIND_ML_DSA && !have_keytype(s->group))
        return svc_error(r, KMS_E_SPEC_LIBRARY, spec, OpenSSL_version(OPENSSL_VERSION), s->group);
    return 0;
}

int kms_is_asym(const kms_key_t *k)
{
    return strcmp(k->key_spec, "SYMMETRIC_DEFAULT") != 0;
}

/* m[member] = the names of list, when list is not NULL. */
static void put_list(cJSON *m, const char *member, const char *list)
{
    cJSON *a;
    const char *p, *e;

    if (list == NULL)
        return;
    a = cJSON_AddArrayToObject(m, member);
    for (p = list; *p; p = *e ? e + 1 : e) {
        char name[64];
        size_t n;
        e = strchr(p, ' ');
        if (e == NULL)
            e = p + strlen(p);
        n = (size_t)(e - p) < sizeof name - 1 ? (size_t)(e - p) : sizeof name - 1;
        memcpy(name, p, n);
        name[n] = '\0';
        cJSON_AddItemToArray(a, cJSON_CreateString(name));
    }
}

void kms_spec_algorithms(cJSON *m, const kms_key_t *k)
{
    const kms_spec_t *s = kms_spec(k->key_spec);

    if (s == NULL)
        return;
    if (!strcmp(k->key_usage, "ENCRYPT_DECRYPT"))
        put_list(m, "EncryptionAlgorithms", s->enc);
    else if (!strcmp(k->key_usage, "SIGN_VERIFY"))
        put_list(m, "SigningAlgorithms", s->sign);
    else if (!strcmp(k->key_usage, "GENERATE_VERIFY_MAC"))
        put_list(m, "MacAlgorithms", s->mac);
    else if (!strcmp(k->key_usage, "KEY_AGREEMENT"))
        put_list(m, "KeyAgreementAlgorithms", s->agree);
}
