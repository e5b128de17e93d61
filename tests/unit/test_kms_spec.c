/* test_kms_spec.c — unit tests for KMS's key spec table and key material
 * encodings: the usages and algorithms of each spec (AWS's "Key spec
 * reference"), whole-name matching in the algorithm lists, and PKCS#8 /
 * SubjectPublicKeyInfo round trips of generated pairs. */
#include "services/kms/kms_asym.h"
#include "unit.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>

static void test_table(void)
{
    static const struct {
        const char *spec, *usage;
        int fits;
    } cases[] = {
        {"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", 1}, {"SYMMETRIC_DEFAULT", "SIGN_VERIFY", 0},
        {"RSA_2048", "ENCRYPT_DECRYPT", 1},          {"RSA_4096", "SIGN_VERIFY", 1},
        {"RSA_3072", "KEY_AGREEMENT", 0},            {"ECC_NIST_P256", "KEY_AGREEMENT", 1},
        {"ECC_NIST_P521", "ENCRYPT_DECRYPT", 0},     {"ECC_SECG_P256K1", "KEY_AGREEMENT", 0},
        {"HMAC_384", "GENERATE_VERIFY_MAC", 1},      {"HMAC_384", "SIGN_VERIFY", 0},
        {"ECC_NIST_EDWARDS25519", "SIGN_VERIFY", 1}, {"SM2", "KEY_AGREEMENT", 1},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const kms_spec_t *s = kms_spec(cases[i].spec);
        CHECK(s != NULL);
        if (s)
            CHECK(kms_alg_in(s->usages, cases[i].usage) == cases[i].fits);
    }
    CHECK(kms_spec("RSA_1024") == NULL);
    CHECK(kms_alg_in(kms_spec("ECC_NIST_P384")->sign, "ECDSA_SHA_384"));
    CHECK(!kms_alg_in(kms_spec("ECC_NIST_P384")->sign, "ECDSA_SHA_256"));
    CHECK(kms_spec("HMAC_224")->bits == 224);
    CHECK(kms_spec("RSA_3072")->bits == 3072);
}

static void test_alg_in(void)
{
    CHECK(kms_alg_in("A B C", "A"));
    CHECK(kms_alg_in("A B C", "C"));
    CHECK(!kms_alg_in("AB C", "A"));   /* whole names only */
    CHECK(!kms_alg_in("A BC", "B"));
    CHECK(!kms_alg_in("RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_2"));
    CHECK(kms_alg_in("RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_256"));
    CHECK(!kms_alg_in(NULL, "A"));
    CHECK(!kms_alg_in("A", ""));
}

/* A pair of spec survives PKCS#8 and SubjectPublicKeyInfo. */
static void round_trip(const char *spec)
{
    EVP_PKEY *k = kms_keygen(kms_spec(spec)), *back = NULL, *pub = NULL;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    uint8_t *der = NULL, *spki = NULL;
    const uint8_t *p;
    size_t n = 0, m = 0;

    CHECK(k != NULL);
    if (k == NULL)
        return;
    der = kms_pkcs8(k, &n);
    spki = kms_spki(k, &m);
    CHECK(der != NULL && spki != NULL);
    if (der && spki) {
        p = der;
        p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)n);
        back = p8 ? EVP_PKCS82PKEY(p8) : NULL;
        p = spki;
        pub = d2i_PUBKEY(NULL, &p, (long)m);
        CHECK(back != NULL && pub != NULL);
        CHECK(back && EVP_PKEY_eq(k, back) == 1);
        CHECK(pub && EVP_PKEY_eq(k, pub) == 1);
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(back);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(k);
    free(der);
    free(spki);
}

static void test_keys(void)
{
    round_trip("ECC_NIST_P256");
    round_trip("ECC_NIST_P521");
    round_trip("ECC_SECG_P256K1");
    round_trip("ECC_NIST_EDWARDS25519");
    round_trip("RSA_2048");
    CHECK(kms_keygen(kms_spec("HMAC_256")) == NULL); /* no pair: random bytes */
}

int main(void)
{
    test_table();
    test_alg_in();
    test_keys();
    return unit_report("kms_spec");
}
