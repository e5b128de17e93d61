/* test_keyring.c — unit tests for keyring: each purpose's AAD is the one
 * its call site built before the keyring (sealed one way, opened the
 * other, against envelope_seal/open with the legacy AAD written out here),
 * purposes never open one another's data, ids of the wrong shape are
 * refused, and subkeys are stable and distinct from the master key. */
#include "storage/keyring.h"
#include "unit.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t master[ENVELOPE_KEY_LEN] = {
    0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

#define KMS_ARN "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define S3_ARN "arn:aws:s3:::bucket/some/key.txt"

/* One purpose, an id of its shape, and the AAD as the call site built it
 * before the keyring (services/kms/kms.c material_aad, sts.c and iam_keys.c
 * the access key id, iam_mfa.c the serial, iam_servercerts.c the id,
 * authz.c / sts.c "awsemu-authz" (12 bytes), s3.c sse_s3_aad). */
static const struct {
    enum keyring_purpose p;
    const char *id;
    const char *legacy_aad;
} cases[] = {
    {KEYRING_KMS_MATERIAL, KMS_ARN ":1", "awsemu:kms-material:" KMS_ARN ":1"},
    {KEYRING_IAM_SECRET_KEY, "AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"},
    {KEYRING_IAM_SECRET_KEY, "ASIAABCDEFGHIJKLMNOP", "ASIAABCDEFGHIJKLMNOP"},
    {KEYRING_IAM_MFA_SEED, "arn:aws:iam::000000000000:mfa/dev",
     "arn:aws:iam::000000000000:mfa/dev"},
    {KEYRING_IAM_SERVER_CERT_KEY, "ASCAABCDEFGHIJKLMNOPQ", "ASCAABCDEFGHIJKLMNOPQ"},
    {KEYRING_AUTHZ_MESSAGE, "", "awsemu-authz"},
    {KEYRING_S3_SSE_DATA_KEY, S3_ARN, "awsemu:s3:sse-s3:" S3_ARN},
};
#define NCASES (sizeof cases / sizeof cases[0])

static const uint8_t pt[] = "thirty-two bytes of key material";
#define PTLEN (sizeof pt - 1)

static void test_legacy_aad(void)
{
    uint8_t sealed[PTLEN + ENVELOPE_OVERHEAD], out[PTLEN];
    size_t i;

    for (i = 0; i < NCASES; i++) {
        const char *aad = cases[i].legacy_aad;
        size_t idlen = strlen(cases[i].id);

        /* new seal, legacy open */
        CHECK(keyring_seal(master, cases[i].p, cases[i].id, idlen, pt, PTLEN, sealed) == 0);
        memset(out, 0, sizeof out);
        CHECK(envelope_open(master, (const uint8_t *)aad, strlen(aad), sealed, sizeof sealed,
                            out) == 0);
        CHECK(memcmp(out, pt, PTLEN) == 0);
        /* legacy seal (data in existing stores), new open */
        CHECK(envelope_seal(master, (const uint8_t *)aad, strlen(aad), pt, PTLEN, sealed) == 0);
        memset(out, 0, sizeof out);
        CHECK(keyring_open(master, cases[i].p, cases[i].id, idlen, sealed, sizeof sealed, out) ==
              0);
        CHECK(memcmp(out, pt, PTLEN) == 0);
    }
}

/* Sealed for case i, opened as case j (its purpose and id, or case i's id
 * under j's purpose): only i == j opens. */
static void test_no_cross_open(void)
{
    uint8_t sealed[PTLEN + ENVELOPE_OVERHEAD], out[PTLEN];
    size_t i, j;

    for (i = 0; i < NCASES; i++) {
        size_t ilen = strlen(cases[i].id);
        CHECK(keyring_seal(master, cases[i].p, cases[i].id, ilen, pt, PTLEN, sealed) == 0);
        for (j = 0; j < NCASES; j++) {
            int same = cases[i].p == cases[j].p && !strcmp(cases[i].id, cases[j].id);
            int rc = keyring_open(master, cases[j].p, cases[j].id, strlen(cases[j].id), sealed,
                                  sizeof sealed, out);
            CHECK(rc == (same ? 0 : -1));
            if (cases[i].p != cases[j].p)
                CHECK(keyring_open(master, cases[j].p, cases[i].id, ilen, sealed, sizeof sealed,
                                   out) == -1);
        }
    }
}

static void test_refused(void)
{
    uint8_t sealed[PTLEN + ENVELOPE_OVERHEAD], out[PTLEN], other[ENVELOPE_KEY_LEN];
    static const char akid[] = "AKIAABCDEFGHIJKLMNOP";

    /* ids not of the purpose's shape */
    CHECK(keyring_seal(master, KEYRING_IAM_SECRET_KEY, "arn:aws:iam::1:mfa/x", 20, pt, PTLEN,
                       sealed) == -1);
    CHECK(keyring_seal(master, KEYRING_IAM_SECRET_KEY, "AKI", 3, pt, PTLEN, sealed) == -1);
    CHECK(keyring_seal(master, KEYRING_IAM_MFA_SEED, akid, 20, pt, PTLEN, sealed) == -1);
    CHECK(keyring_seal(master, KEYRING_IAM_SERVER_CERT_KEY, akid, 20, pt, PTLEN, sealed) == -1);
    CHECK(keyring_seal(master, KEYRING_AUTHZ_MESSAGE, "x", 1, pt, PTLEN, sealed) == -1);
    CHECK(keyring_seal(master, KEYRING_KMS_MATERIAL, NULL, 4, pt, PTLEN, sealed) == -1);
    CHECK(keyring_seal(master, KEYRING_PURPOSES, "", 0, pt, PTLEN, sealed) == -1);

    /* another id, another master key, a flipped bit: refused, out wiped */
    CHECK(keyring_seal(master, KEYRING_IAM_SECRET_KEY, akid, 20, pt, PTLEN, sealed) == 0);
    CHECK(keyring_open(master, KEYRING_IAM_SECRET_KEY, "AKIAABCDEFGHIJKLMNOQ", 20, sealed,
                       sizeof sealed, out) == -1);
    CHECK(keyring_open(master, KEYRING_IAM_SECRET_KEY, akid, 19, sealed, sizeof sealed, out) == -1);
    memcpy(other, master, sizeof other);
    other[31] ^= 1;
    CHECK(keyring_open(other, KEYRING_IAM_SECRET_KEY, akid, 20, sealed, sizeof sealed, out) == -1);
    sealed[ENVELOPE_IV_LEN] ^= 0x80;
    memset(out, 0xaa, sizeof out);
    CHECK(keyring_open(master, KEYRING_IAM_SECRET_KEY, akid, 20, sealed, sizeof sealed, out) == -1);
    CHECK(out[0] == 0 && out[PTLEN - 1] == 0);
    memset(out, 0xaa, sizeof out);
    CHECK(keyring_open(master, KEYRING_IAM_MFA_SEED, akid, 20, sealed, sizeof sealed, out) == -1);
    CHECK(out[0] == 0 && out[PTLEN - 1] == 0);
    CHECK(keyring_open(master, KEYRING_IAM_SECRET_KEY, akid, 20, sealed, ENVELOPE_OVERHEAD, out) ==
          -1);
}

/* An id longer than the AAD's stack buffer (an S3 key of 1024 bytes). */
static void test_long_id(void)
{
    uint8_t sealed[PTLEN + ENVELOPE_OVERHEAD], out[PTLEN];
    char id[1200], *aad = malloc(1300);

    memset(id, 'k', sizeof id);
    memcpy(id, "arn:aws:s3:::b/", 15);
    CHECK(aad != NULL);
    if (aad == NULL)
        return;
    memcpy(aad, "awsemu:s3:sse-s3:", 17);
    memcpy(aad + 17, id, sizeof id);
    CHECK(keyring_seal(master, KEYRING_S3_SSE_DATA_KEY, id, sizeof id, pt, PTLEN, sealed) == 0);
    CHECK(envelope_open(master, (const uint8_t *)aad, 17 + sizeof id, sealed, sizeof sealed, out) ==
          0);
    CHECK(keyring_open(master, KEYRING_S3_SSE_DATA_KEY, id, sizeof id - 1, sealed, sizeof sealed,
                       out) == -1);
    CHECK(keyring_open(master, KEYRING_S3_SSE_DATA_KEY, id, sizeof id, sealed, sizeof sealed,
                       out) == 0);
    CHECK(memcmp(out, pt, PTLEN) == 0);
    free(aad);
}

static void test_subkey(void)
{
    uint8_t a[32], b[32], want[32], other[ENVELOPE_KEY_LEN];
    static const char name[] = "awsemu:subkey:page-token";
    unsigned int len = 0;

    CHECK(keyring_subkey(master, KEYRING_SUBKEY_PAGE_TOKEN, a) == 0);
    CHECK(keyring_subkey(master, KEYRING_SUBKEY_PAGE_TOKEN, b) == 0);
    CHECK(memcmp(a, b, 32) == 0);
    HMAC(EVP_sha256(), master, sizeof master, (const uint8_t *)name, strlen(name), want, &len);
    CHECK(len == 32 && memcmp(a, want, 32) == 0);
    CHECK(memcmp(a, master, 32) != 0);
    memcpy(other, master, sizeof other);
    other[0] ^= 1;
    CHECK(keyring_subkey(other, KEYRING_SUBKEY_PAGE_TOKEN, b) == 0);
    CHECK(memcmp(a, b, 32) != 0);
    CHECK(keyring_subkey(master, (enum keyring_subkey)7, b) == -1);
}

int main(void)
{
    test_legacy_aad();
    test_no_cross_open();
    test_refused();
    test_long_id();
    test_subkey();
    return unit_report("keyring");
}
