/* kms_sign.c — GetPublicKey, Sign, Verify and DeriveSharedSecret on
 * asymmetric keys. RSASSA-PSS salts are the digest's length, ECDSA
 * signatures DER, SM2DSA's Z uses the default ID 1234567812345678, as
 * AWS documents (API_Sign.html, "SM2 key spec"). */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"
#include "base/evp.h"

#define MAX_SIG 1024 /* RSA_4096: 512 bytes */

static const char *const sign_algs[] = {
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384",        "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",      "ECDSA_SHA_384",             "ECDSA_SHA_512",
    "SM2DSA",             "ML_DSA_SHAKE_256",          "ED25519_SHA_512",
    "ED25519_PH_SHA_512", NULL};
static const char *const message_types[] = {"RAW", "DIGEST", "EXTERNAL_MU", NULL};
static const char *const agree_algs[] = {"ECDH", NULL};

static int grant_tokens(svc_req_t *r, const cJSON *in)
{
    const cJSON *l;

    return json_list(r, in, "GrantTokens", 0, 0, 10, &l);
}

static int no_recipient(svc_req_t *r, const cJSON *in)
{
    const cJSON *recipient = cJSON_GetObjectItemCaseSensitive(in, "Recipient");

    if (recipient && !cJSON_IsNull(recipient))
        return svc_error(r, KMS_E_RECIPIENT);
    return 0;
}

/* ---- GetPublicKey ---------------------------------------------------------- */

int kms_op_get_public_key(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k;
    EVP_PKEY *pkey;
    uint8_t *der;
    size_t n = 0;

    if (kms_input(r, in, &kms_key_id_alias_input) == NULL || (k = kms_key(r, in)) == NULL ||
        kms_require_enabled(r, k) != 0)
        return -1;
    if (!kms_is_asym(k) || !strncmp(k->key_spec, "HMAC_", 5))
        return svc_error(r, KMS_E_KEY_SPEC_OP, k->arn, k->key_spec, r->operation);
    if ((pkey = kms_asym_pkey(r, k)) == NULL)
        return -1;
    if ((der = kms_spki(pkey, &n)) == NULL)
        return svc_error(r, KMS_E_OOM);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    json_put_blob(out, "PublicKey", der, n);
    cJSON_AddStringToObject(out, "CustomerMasterKeySpec", k->key_spec);
    cJSON_AddStringToObject(out, "KeySpec", k->key_spec);
    cJSON_AddStringToObject(out, "KeyUsage", k->key_usage);
    kms_spec_algorithms(out, k);
    free(der); /* not a cryptographic use: GetKeyLastUsage does not count it */
    return 0;
}

/* ---- Sign and Verify -------------------------------------------------------- */

typedef struct {
    kms_args_t h;
    uint8_t *msg;
    size_t msglen;
    const char *type, *alg;
    uint8_t *sig; /* Verify */
    size_t siglen;
} sign_args_t;

static int sign_common(svc_req_t *r, const cJSON *in, sign_args_t *v, int verify)
{
    v->type = "RAW";
    return json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   json_blob(r, in, "Message", 1, 1, 4096, &v->msg, &v->msglen) ||
                   json_enum(r, in, "MessageType", 0, message_types, &v->type) ||
                   (verify && json_blob(r, in, "Signature", 1, 1, 6144, &v->sig, &v->siglen)) ||
                   json_enum(r, in, "SigningAlgorithm", 1, sign_algs, &v->alg) ||
                   grant_tokens(r, in)
               ? -1
               : 0;
}

static int sign_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return sign_common(r, in, args, 0);
}

static int verify_parse(svc_req_t *r, const cJSON *in, void *args)
{
    return sign_common(r, in, args, 1);
}

static void sign_drop(void *args)
{
    sign_args_t *v = args;

    codec_wipe_free(v->msg, v->msglen);
    free(v->sig);
}

static const kms_input_t sign_input = {sizeof(sign_args_t), sign_parse, sign_drop,
                                       KMS_ALLOW_ALIAS};
static const kms_input_t verify_input = {sizeof(sign_args_t), verify_parse, sign_drop,
                                         KMS_ALLOW_ALIAS};
KMS_KEY_RESOURCE(kms_res_sign, sign_input)
KMS_KEY_RESOURCE(kms_res_verify, verify_input)

/* The digest of a signing algorithm: SHA-2 by its suffix, SM3 for SM2DSA. */
static const EVP_MD *alg_md(const char *alg)
{
    size_t n = strlen(alg);

    if (!strcmp(alg, "SM2DSA"))
        return EVP_sm3();
    if (n > 4 && !strcmp(alg + n - 4, "_256"))
        return evp_sha256();
    if (n > 4 && !strcmp(alg + n - 4, "_384"))
        return evp_sha384();
    return evp_sha512();
}

/* The key's checks before any signing: state, usage, algorithm for the
 * spec, message type and a digest's length. */
static int sign_checks(svc_req_t *r, const kms_key_t *k, const sign_args_t *v)
{
    const kms_spec_t *s = kms_spec(k->key_spec);
    int digest = !strcmp(v->type, "DIGEST");

    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "SIGN_VERIFY") != 0)
        return svc_error(r, KMS_E_KEY_USAGE, k->arn, k->key_usage, r->operation);
    if (s == NULL || !kms_alg_in(s->sign, v->alg))
        return svc_error(r, KMS_E_ALGORITHM, v->alg, k->key_spec);
    if (!strcmp(v->type, "EXTERNAL_MU") || (!strcmp(v->alg, "ED25519_SHA_512") && digest) ||
        (!strcmp(v->alg, "ED25519_PH_SHA_512") && !digest))
        return svc_error(r, KMS_E_MESSAGE_TYPE, v->type, v->alg);
    if (digest && v->msglen != (size_t)EVP_MD_get_size(alg_md(v->alg)))
        return svc_error(r, KMS_E_DIGEST_LENGTH, v->alg);
    if (!strcmp(v->alg, "ED25519_PH_SHA_512"))
        return svc_error(r, KMS_E_ED25519PH, OpenSSL_version(OPENSSL_VERSION));
    return 0;
}

/* Sets the padding of an RSA algorithm on c. */
static int rsa_padding(EVP_PKEY_CTX *c, const char *alg)
{
    if (!strncmp(alg, "RSASSA_PSS_", 11))
        return EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0;
    if (!strncmp(alg, "RSASSA_PKCS1_", 13))
        return EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0;
    return 1;
}

/* A message signed whole (Ed25519, SM2DSA's RAW: the digest covers Z):
 * sign (sig != NULL, *siglen its room) or verify (vsig). 1 good, 0 bad,
 * -1 failure. */
static int whole(EVP_PKEY *pkey, const char *alg, const uint8_t *msg, size_t n, uint8_t *sig,
                 size_t *siglen, const uint8_t *vsig, size_t vlen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *c = NULL;
    const EVP_MD *md = strcmp(alg, "SM2DSA") ? NULL : EVP_sm3();
    int rc = -1;

    if (m == NULL)
        return -1;
    if (md) {
        /* SM2's Z hashes the signer's ID: AWS uses the default one */
        if ((c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
            EVP_PKEY_CTX_set1_id(c, "1234567812345678", 16) <= 0)
            goto out;
        EVP_MD_CTX_set_pkey_ctx(m, c);
    }
    if (sig) {
        if (EVP_DigestSignInit(m, NULL, md, NULL, pkey) > 0 &&
            EVP_DigestSign(m, sig, siglen, msg, n) > 0)
            rc = 1;
    } else if (EVP_DigestVerifyInit(m, NULL, md, NULL, pkey) > 0) {
        rc = EVP_DigestVerify(m, vsig, vlen, msg, n) == 1;
    }
out:
    EVP_MD_CTX_free(m);
    EVP_PKEY_CTX_free(c);
    return rc;
}

/* Sets up c, a context of a key, for alg: sign or verify, RSA padding, the
 * digest. 1 done, else failed (kms_ctx_setup_fn). */
static int ctx_setup(EVP_PKEY_CTX *c, const char *alg, int verify)
{
    return (verify ? EVP_PKEY_verify_init(c) : EVP_PKEY_sign_init(c)) > 0 &&
                   rsa_padding(c, alg) &&
                   (strcmp(alg, "SM2DSA") == 0 ||
                    EVP_PKEY_CTX_set_signature_md(c, alg_md(alg)) > 0)
               ? 1
               : 0;
}

/* One signature to make or check over a digest: everything the work needs
 * is its own, so it may run on a pool thread while the request ends. */
typedef struct {
    EVP_PKEY_CTX *c;    /* a copy of the key's kept context */
    uint8_t dg[EVP_MAX_MD_SIZE];
    size_t dn;
    uint8_t *vsig;      /* Verify: a copy of the signature; NULL: Sign */
    size_t vlen;
    uint8_t sig[MAX_SIG]; /* Sign */
    size_t siglen;
    int rc;             /* 1 good, 0 bad signature, -1 failure */
} sig_job_t;

static void job_free(sig_job_t *j)
{
    if (j == NULL)
        return;
    EVP_PKEY_CTX_free(j->c);
    free(j->vsig);
    OPENSSL_cleanse(j, sizeof *j);
    free(j);
}

static void job_work(void *arg)
{
    sig_job_t *j = arg;

    if (j->vsig) {
        j->rc = EVP_PKEY_verify(j->c, j->vsig, j->vlen, j->dg, j->dn) == 1;
    } else {
        j->siglen = sizeof j->sig;
        j->rc = EVP_PKEY_sign(j->c, j->sig, &j->siglen, j->dg, j->dn) > 0 ? 1 : -1;
    }
}

/* The job for v's message on k's key (cached: kms_asym_pkey first): the
 * digest (RAW) or the message itself (DIGEST), a copy of the key's context
 * for the algorithm. NULL when out of memory or the context failed. */
static sig_job_t *job_new(const kms_key_t *k, const sign_args_t *v, int verify)
{
    sig_job_t *j = calloc(1, sizeof *j);
    EVP_PKEY_CTX *tmpl = kms_asym_ctx(k, v->alg, verify, ctx_setup);
    unsigned int dn = 0;

    if (j == NULL || tmpl == NULL || (j->c = EVP_PKEY_CTX_dup(tmpl)) == NULL)
        goto fail;
    if (!strcmp(v->type, "RAW")) {
        if (EVP_Digest(v->msg, v->msglen, j->dg, &dn, alg_md(v->alg), NULL) <= 0)
            goto fail;
        j->dn = dn;
    } else {
        if (v->msglen > sizeof j->dg) /* sign_checks held it to the digest's length */
            goto fail;
        memcpy(j->dg, v->msg, v->msglen);
        j->dn = v->msglen;
    }
    if (verify) {
        if ((j->vsig = malloc(v->siglen)) == NULL)
            goto fail;
        memcpy(j->vsig, v->sig, v->siglen);
        j->vlen = v->siglen;
    }
    return j;
fail:
    job_free(j);
    return NULL;
}

/* Signed or verified whole: Ed25519, SM2DSA's RAW (its digest covers Z). */
static int whole_alg(const sign_args_t *v)
{
    return !strncmp(v->alg, "ED25519", 7) || (!strcmp(v->alg, "SM2DSA") && !strcmp(v->type, "RAW"));
}

/* Whether a signature is worth a pool thread: one that takes well over
 * the hand-off (the job batched per loop turn, a thread woken, the answer
 * deferred, the loop woken: some 10-15 us of CPU, most of it the
 * kernel's), so the loop goes on parsing and answering while another core
 * signs. Measured with wrk -t2 -c8 on two cores: RSA signing (~0.8 ms for
 * 2048 bits) and every curve but P-256 (0.4-1.4 ms in OpenSSL 3.0): yes;
 * P-256 verification (80 us): yes, +25%; P-256 signing (25 us): no, -15%;
 * RSA verification (20-35 us): no. */
static int offload(const kms_key_t *k, int verify)
{
    const kms_spec_t *s = kms_spec(k->key_spec);

    if (s == NULL)
        return 0;
    if (s->kind == KMS_KIND_RSA)
        return !verify;
    if (s->kind == KMS_KIND_EC)
        return verify || s->group == NULL || strcmp(s->group, "P-256") != 0;
    return s->kind == KMS_KIND_SM2;
}

/* Sign's answer (r's input, its key): j's signature, or its failure. */
static int sign_answer(svc_req_t *r, const sig_job_t *j, cJSON *out)
{
    const sign_args_t *v = kms_input(r, r->input, &sign_input);
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, r->input)) == NULL)
        return -1;
    if (j->rc != 1)
        return svc_error(r, KMS_E_SEAL);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    json_put_blob(out, "Signature", j->sig, j->siglen);
    cJSON_AddStringToObject(out, "SigningAlgorithm", v->alg);
    kms_note_use(r, k->key_id, 1);
    return 0;
}

/* Verify's answer (r's input, its key): AWS raises on a bad signature
 * rather than answering false; DryRun is checked after the signature. */
static int verify_answer(svc_req_t *r, int ok, cJSON *out)
{
    const sign_args_t *v = kms_input(r, r->input, &verify_input);
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, r->input)) == NULL)
        return -1;
    if (ok != 1)
        return svc_error(r, KMS_E_INVALID_SIGNATURE, "");
    if (kms_dry_run(r, r->input) != 0)
        return -1;
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    cJSON_AddBoolToObject(out, "SignatureValid", 1);
    cJSON_AddStringToObject(out, "SigningAlgorithm", v->alg);
    kms_note_use(r, k->key_id, 0);
    return 0;
}

/* A pool job is done (kms_pool_run): the answer, unless the client left. */
static void job_done(svc_req_t *r, void *arg)
{
    sig_job_t *j = arg;

    if (r != NULL)
        proto_json_finish(r, j->vsig ? verify_answer(r, j->rc, r->pending_out)
                                     : sign_answer(r, j, r->pending_out)); /* r is gone */
    job_free(j);
}

/* Signs or verifies v's message with k's key (cached): on a pool thread
 * (the answer deferred) or here. */
static int sign_or_verify(svc_req_t *r, const kms_key_t *k, const sign_args_t *v, int verify,
                          cJSON *out)
{
    sig_job_t *j = job_new(k, v, verify);
    int rc;

    if (j == NULL) /* as a failed signature: KMSInternal, or a bad one */
        return verify ? verify_answer(r, -1, out) : svc_error(r, KMS_E_SEAL);
    if (offload(k, verify) && kms_pool_run(r, job_work, job_done, j) == 0)
        return svc_defer(r);
    job_work(j);
    rc = verify ? verify_answer(r, j->rc, out) : sign_answer(r, j, out);
    job_free(j);
    return rc;
}

int kms_op_sign(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const sign_args_t *v = kms_input(r, in, &sign_input);
    EVP_PKEY *pkey;
    kms_key_t *k;
    sig_job_t w; /* only its signature: made here, whole */

    if (v == NULL || (k = kms_key(r, in)) == NULL || sign_checks(r, k, v) != 0 ||
        kms_dry_run(r, in) != 0 || (pkey = kms_asym_pkey(r, k)) == NULL)
        return -1;
    if (!whole_alg(v))
        return sign_or_verify(r, k, v, 0, out);
    w.siglen = sizeof w.sig;
    w.rc = whole(pkey, v->alg, v->msg, v->msglen, w.sig, &w.siglen, NULL, 0);
    return sign_answer(r, &w, out);
}

int kms_op_verify(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const sign_args_t *v = kms_input(r, in, &verify_input);
    EVP_PKEY *pkey;
    kms_key_t *k;

    if (v == NULL || (k = kms_key(r, in)) == NULL || sign_checks(r, k, v) != 0 ||
        (pkey = kms_asym_pkey(r, k)) == NULL)
        return -1;
    if (!whole_alg(v))
        return sign_or_verify(r, k, v, 1, out);
    return verify_answer(r, whole(pkey, v->alg, v->msg, v->msglen, NULL, NULL, v->sig, v->siglen),
                         out);
}

/* ---- DeriveSharedSecret ------------------------------------------------------ */

typedef struct {
    kms_args_t h;
    const char *alg;
    uint8_t *pub;
    size_t publen;
} derive_args_t;

static int derive_parse(svc_req_t *r, const cJSON *in, void *args)
{
    derive_args_t *v = args;

    return json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   json_enum(r, in, "KeyAgreementAlgorithm", 1, agree_algs, &v->alg) ||
                   json_blob(r, in, "PublicKey", 1, 1, 8192, &v->pub, &v->publen) ||
                   grant_tokens(r, in) || no_recipient(r, in)
               ? -1
               : 0;
}

static void derive_drop(void *args)
{
    free(((derive_args_t *)args)->pub);
}

static const kms_input_t derive_input = {sizeof(derive_args_t), derive_parse, derive_drop,
                                         KMS_ALLOW_ALIAS};
KMS_KEY_RESOURCE(kms_res_derive, derive_input)

/* The peer's public key when it is on the key's curve, or NULL. */
static EVP_PKEY *peer_key(EVP_PKEY *mine, const uint8_t *der, size_t n)
{
    const uint8_t *p = der;
    EVP_PKEY *peer = d2i_PUBKEY(NULL, &p, (long)n);
    char g1[64] = "", g2[64] = "";

    if (peer == NULL)
        return NULL;
    if (p != der + n || !EVP_PKEY_get_group_name(mine, g1, sizeof g1, NULL) ||
        !EVP_PKEY_get_group_name(peer, g2, sizeof g2, NULL) || strcmp(g1, g2) != 0) {
        EVP_PKEY_free(peer);
        return NULL;
    }
    return peer;
}

/* SM2 ECDH: OpenSSL 3.0's SM2 key type does no key exchange (and its EC
 * type takes no SM2 curve), so the shared point d * Q is computed with the
 * EC_GROUP / EC_POINT API; the secret is its x-coordinate, as ECDH's. */
static int sm2_ecdh(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *secret, size_t *n)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    EC_POINT *q = g ? EC_POINT_new(g) : NULL, *sp = g ? EC_POINT_new(g) : NULL;
    BIGNUM *d = NULL, *x = BN_new();
    BN_CTX *bc = BN_CTX_new();
    uint8_t pub[160];
    size_t len = 0, flen = g ? ((size_t)EC_GROUP_get_degree(g) + 7) / 8 : 0;
    int rc = -1;

    if (q && sp && x && bc && *n >= flen &&
        EVP_PKEY_get_octet_string_param(peer, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len) &&
        EVP_PKEY_get_bn_param(mine, OSSL_PKEY_PARAM_PRIV_KEY, &d) &&
        EC_POINT_oct2point(g, q, pub, len, bc) && EC_POINT_is_on_curve(g, q, bc) == 1 &&
        EC_POINT_mul(g, sp, NULL, q, d, bc) && !EC_POINT_is_at_infinity(g, sp) &&
        EC_POINT_get_affine_coordinates(g, sp, x, NULL, bc) &&
        BN_bn2binpad(x, secret, (int)flen) == (int)flen) {
        *n = flen;
        rc = 0;
    }
    BN_clear_free(d);
    BN_free(x);
    BN_CTX_free(bc);
    EC_POINT_clear_free(sp);
    EC_POINT_free(q);
    EC_GROUP_free(g);
    return rc;
}

/* ECDH of mine and peer into secret (*n its room, then its length). */
static int ecdh(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *secret, size_t *n)
{
    EVP_PKEY_CTX *c;
    int rc = -1;

    if (EVP_PKEY_is_a(mine, "SM2"))
        return sm2_ecdh(mine, peer, secret, n);
    if ((c = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL)) != NULL &&
        EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, peer) > 0 &&
        EVP_PKEY_derive(c, secret, n) > 0)
        rc = 0;
    EVP_PKEY_CTX_free(c);
    return rc;
}

int kms_op_derive_shared_secret(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const derive_args_t *v = kms_input(r, in, &derive_input);
    uint8_t secret[128];
    size_t n = sizeof secret;
    EVP_PKEY *pkey, *peer = NULL;
    kms_key_t *k;
    int rc = -1;

    if (v == NULL || (k = kms_key(r, in)) == NULL || kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "KEY_AGREEMENT") != 0)
        return svc_error(r, KMS_E_KEY_USAGE, k->arn, k->key_usage, r->operation);
    if ((pkey = kms_asym_pkey(r, k)) == NULL)
        return -1;
    if ((peer = peer_key(pkey, v->pub, v->publen)) == NULL)
        return svc_error(r, KMS_E_PUBLIC_KEY, k->key_spec);
    if (kms_dry_run(r, in) != 0)
        goto out;
    if (ecdh(pkey, peer, secret, &n) != 0) {
        svc_error(r, KMS_E_PUBLIC_KEY, k->key_spec);
        goto out;
    }
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    json_put_blob(out, "SharedSecret", secret, n);
    cJSON_AddStringToObject(out, "KeyAgreementAlgorithm", v->alg);
    cJSON_AddStringToObject(out, "KeyOrigin", k->origin);
    kms_note_use(r, k->key_id, 0);
    rc = 0;
out:
    OPENSSL_cleanse(secret, sizeof secret);
    EVP_PKEY_free(peer);
    return rc;
}
