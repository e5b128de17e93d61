/* keyring.c — master key purposes: AADs and subkeys. */
#include "storage/keyring.h"
#include "base/evp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

/* An id of a purpose without a label must start with one of its prefixes
 * (prefix NULL: any id; no_id: the id must be empty). */
static const struct {
    const char *label;
    const char *prefix[2];
    int no_id;
} purposes[KEYRING_PURPOSES] = {
    [KEYRING_KMS_MATERIAL] = {"awsemu:kms-material:", {NULL, NULL}, 0},
    [KEYRING_IAM_SECRET_KEY] = {"", {"AKIA", "ASIA"}, 0},
    [KEYRING_IAM_MFA_SEED] = {"", {"arn:", NULL}, 0},
    [KEYRING_IAM_SERVER_CERT_KEY] = {"", {"ASCA", NULL}, 0},
    [KEYRING_AUTHZ_MESSAGE] = {"awsemu-authz", {NULL, NULL}, 1},
    [KEYRING_S3_SSE_DATA_KEY] = {"awsemu:s3:sse-s3:", {NULL, NULL}, 0},
};

static int has_prefix(const char *id, size_t idlen, const char *prefix)
{
    size_t n = strlen(prefix);

    return idlen >= n && memcmp(id, prefix, n) == 0;
}

static int id_fits(enum keyring_purpose p, const char *id, size_t idlen)
{
    if (purposes[p].no_id)
        return idlen == 0;
    if (id == NULL && idlen > 0)
        return 0;
    if (purposes[p].prefix[0] == NULL)
        return 1;
    return has_prefix(id, idlen, purposes[p].prefix[0]) ||
           (purposes[p].prefix[1] && has_prefix(id, idlen, purposes[p].prefix[1]));
}

/* label + id into small, or into a malloc'd buffer when longer (*heap then
 * owns it; caller frees). NULL when p or id is refused, or on ENOMEM. */
static uint8_t *build_aad(enum keyring_purpose p, const char *id, size_t idlen, uint8_t *small,
                          size_t smallcap, size_t *len /* OUT */, uint8_t **heap /* OUT */)
{
    size_t ln;
    uint8_t *a;

    *heap = NULL;
    if ((unsigned)p >= KEYRING_PURPOSES || !id_fits(p, id, idlen))
        return NULL;
    ln = strlen(purposes[p].label);
    if (ln + idlen <= smallcap) {
        a = small;
    } else if ((a = *heap = malloc(ln + idlen)) == NULL) {
        return NULL;
    }
    memcpy(a, purposes[p].label, ln);
    if (idlen)
        memcpy(a + ln, id, idlen);
    *len = ln + idlen;
    return a;
}

int keyring_seal(const uint8_t master[ENVELOPE_KEY_LEN], enum keyring_purpose p, const char *id,
                 size_t idlen, const uint8_t *pt, size_t n, uint8_t *out)
{
    uint8_t small[256], *heap, *aad;
    size_t len = 0;
    int rc;

    if ((aad = build_aad(p, id, idlen, small, sizeof small, &len, &heap)) == NULL)
        return -1;
    rc = envelope_seal_kept(master, aad, len, pt, n, out);
    free(heap);
    return rc;
}

int keyring_open(const uint8_t master[ENVELOPE_KEY_LEN], enum keyring_purpose p, const char *id,
                 size_t idlen, const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t small[256], *heap, *aad;
    size_t len = 0;
    int rc;

    if ((aad = build_aad(p, id, idlen, small, sizeof small, &len, &heap)) == NULL) {
        /* as envelope_open on failure: nothing readable left in out */
        if (n > ENVELOPE_OVERHEAD)
            OPENSSL_cleanse(out, n - ENVELOPE_OVERHEAD);
        return -1;
    }
    rc = envelope_open_kept(master, aad, len, in, n, out);
    free(heap);
    return rc;
}

int keyring_subkey(const uint8_t master[ENVELOPE_KEY_LEN], enum keyring_subkey k, uint8_t out[32])
{
    static const char *const names[] = {
        [KEYRING_SUBKEY_PAGE_TOKEN] = "awsemu:subkey:page-token",
    };
    unsigned int len = 0;

    if ((unsigned)k >= sizeof names / sizeof names[0])
        return -1;
    if (HMAC(evp_sha256(), master, ENVELOPE_KEY_LEN, (const uint8_t *)names[k], strlen(names[k]),
             out, &len) == NULL ||
        len != 32)
        return -1;
    return 0;
}
