/* kms_mac.c — GenerateMac and VerifyMac on HMAC keys (RFC 2104 HMAC with
 * the spec's SHA-2, AWS's API_GenerateMac.html). */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"

static const char *const mac_algs[] = {"HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384",
                                       "HMAC_SHA_512", NULL};

typedef struct {
    kms_args_t h;
    uint8_t *msg;
    size_t msglen;
    const char *alg;
    uint8_t *mac; /* VerifyMac */
    size_t maclen;
} mac_args_t;

static int mac_common(svc_req_t *r, const cJSON *in, mac_args_t *v, int verify)
{
    const cJSON *l;

    return json_blob(r, in, "Message", 1, 1, 4096, &v->msg, &v->msglen) ||
                   json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   json_enum(r, in, "MacAlgorithm", 1, mac_algs, &v->alg) ||
                   (verify && json_blob(r, in, "Mac", 1, 1, 6144, &v->mac, &v->maclen)) ||
                   json_list(r, in, "GrantTokens", 0, 0, 10, &l)
               ? -1
               : 0;
}

static int gen_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return mac_common(r, in, args, 0);
}

static int verify_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return mac_common(r, in, args, 1);
}

static void mac_drop(void *args)
{
    mac_args_t *v = args;

    codec_wipe_free(v->msg, v->msglen);
    free(v->mac);
}

static const kms_input_t gen_input = {sizeof(mac_args_t), gen_parse, mac_drop, KMS_ALLOW_ALIAS};
static const kms_input_t verify_input = {sizeof(mac_args_t), verify_parse, mac_drop,
                                         KMS_ALLOW_ALIAS};
KMS_KEY_RESOURCE(kms_res_generate_mac, gen_input)
KMS_KEY_RESOURCE(kms_res_verify_mac, verify_input)

/* HMAC of v's message under k into mac (64 bytes room); its length, or -1
 * with the error set. */
static int compute(svc_req_t *r, const kms_key_t *k, const mac_args_t *v, uint8_t *mac)
{
    const kms_spec_t *s = kms_spec(k->key_spec);
    const char *digest = !strcmp(v->alg, "HMAC_SHA_224")   ? "SHA224"
                         : !strcmp(v->alg, "HMAC_SHA_256") ? "SHA256"
                         : !strcmp(v->alg, "HMAC_SHA_384") ? "SHA384"
                                                           : "SHA512";
    const uint8_t *key;
    size_t keylen = 0, n = 0;

    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "GENERATE_VERIFY_MAC") != 0)
        return svc_error(r, KMS_E_KEY_USAGE, k->arn, k->key_usage, r->operation);
    if (s == NULL || !kms_alg_in(s->mac, v->alg))
        return svc_error(r, KMS_E_ALGORITHM, v->alg, k->key_spec);
    if ((key = kms_hmac_key(r, k, &keylen)) == NULL)
        return -1;
    if (EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL, key, keylen, v->msg, v->msglen, mac, 64,
                  &n) == NULL)
        return svc_error(r, KMS_E_SEAL);
    return (int)n;
}

int kms_op_generate_mac(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const mac_args_t *v = kms_input(r, in, &gen_input);
    uint8_t mac[64];
    kms_key_t *k;
    int n;

    if (v == NULL || (k = kms_key(r, in)) == NULL || (n = compute(r, k, v, mac)) < 0 ||
        kms_dry_run(r, in) != 0)
        return -1;
    json_put_blob(out, "Mac", mac, (size_t)n);
    cJSON_AddStringToObject(out, "MacAlgorithm", v->alg);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    OPENSSL_cleanse(mac, sizeof mac);
    kms_note_use(r, k->key_id, 1);
    return 0;
}

int kms_op_verify_mac(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const mac_args_t *v = kms_input(r, in, &verify_input);
    uint8_t mac[64];
    kms_key_t *k;
    int n, ok;

    if (v == NULL || (k = kms_key(r, in)) == NULL || (n = compute(r, k, v, mac)) < 0)
        return -1;
    ok = v->maclen == (size_t)n && CRYPTO_memcmp(mac, v->mac, (size_t)n) == 0;
    OPENSSL_cleanse(mac, sizeof mac);
    /* AWS raises on a MAC that does not verify (API_VerifyMac.html) */
    if (!ok)
        return svc_error(r, KMS_E_INVALID_MAC, "");
    if (kms_dry_run(r, in) != 0)
        return -1;
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    cJSON_AddBoolToObject(out, "MacValid", 1);
    cJSON_AddStringToObject(out, "MacAlgorithm", v->alg);
    kms_note_use(r, k->key_id, 0);
    return 0;
}
