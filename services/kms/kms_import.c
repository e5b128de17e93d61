/* kms_import.c — imported key material (Origin EXTERNAL):
 * GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
 * and the material's expiry on the emulator clock.
 *
 * Each GetParametersForImport makes an RSA wrapping key pair and an import
 * token: the private key is kept sealed under the master key, under the
 * token's SHA-256, for 24 hours and one ImportKeyMaterial. The imported
 * material is stored like generated material (kms_key_material, sealed);
 * its KeyMaterialId, SHA-256 of the key id and the material, stays with
 * the key after the material is deleted or expires, so that only the
 * same material can come back. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#include "base/codec.h"
#include "emulator/proto_json.h"
#include "storage/db.h"
#include "storage/envelope.h"
#include "storage/keyring.h"

#define DAY 86400.0
#define TOKEN_LEN 32
#define MAX_PRIVATE_DER 4096 /* an RSA-4096 private key's DER is ~2.4 KB */
#define MAX_MATERIAL 8192 /* an ML-DSA-87 private key's PKCS#8 is ~4.9 KB */

static const char *const wrap_algs[] = {"RSAES_PKCS1_V1_5",         "RSAES_OAEP_SHA_1",
                                        "RSAES_OAEP_SHA_256",       "RSA_AES_KEY_WRAP_SHA_1",
                                        "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE",
                                        NULL};
static const char *const wrap_specs[] = {"RSA_2048", "RSA_3072", "RSA_4096", "SM2", NULL};
static const char *const expiration_models[] = {"KEY_MATERIAL_EXPIRES",
                                                "KEY_MATERIAL_DOES_NOT_EXPIRE", NULL};
static const char *const import_types[] = {"NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL", NULL};

/* Only keys with EXTERNAL origin take imported material. */
static int external_only(svc_req_t *r, const kms_key_t *k)
{
    if (strcmp(k->origin, "EXTERNAL") != 0)
        return svc_error(r, KMS_E_ORIGIN_OP, k->arn, k->origin);
    return kms_require_not_pending(r, k);
}

/* The keyring id of a wrapping private key: "<key ARN>:import:<hash>",
 * never a material version's "<key ARN>:<n>". */
static void wrap_ref(const kms_key_t *k, const char *hash, char *out, size_t n)
{
    snprintf(out, n, "%s:import:%s", k->arn, hash);
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    uint8_t d[SHA256_DIGEST_LENGTH];

    SHA256(p, n, d);
    codec_hex(d, sizeof d, out);
}

/* ---- GetParametersForImport ----------------------------------------------- */

typedef struct {
    kms_args_t h;
    const char *alg, *spec;
} params_args_t;

static int params_parse(svc_req_t *r, const cJSON *in, void *args)
{
    params_args_t *v = args;

    return json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   json_enum(r, in, "WrappingAlgorithm", 1, wrap_algs, &v->alg) ||
                   json_enum(r, in, "WrappingKeySpec", 1, wrap_specs, &v->spec)
               ? -1
               : 0;
}

static const kms_input_t params_input = {sizeof(params_args_t), params_parse, NULL, 0};

int kms_res_get_import_params(svc_req_t *r, const void *in, struct authz *a)
{
    const params_args_t *v = kms_input(r, in, &params_input);

    if (v == NULL || kms_key_resource(r, in, a, &params_input) != 0 ||
        kms_authz_extra(r, kms_request_authz(r), "kms:WrappingAlgorithm", v->alg, a) != 0)
        return -1;
    return kms_authz_extra(r, kms_request_authz(r), "kms:WrappingKeySpec", v->spec, a);
}

/* Stores the sealed private key of pk for token hash. */
static int store_params(svc_req_t *r, const kms_key_t *k, const params_args_t *v,
                        const char *hash, EVP_PKEY *pk, double valid_to)
{
    uint8_t der[MAX_PRIVATE_DER], sealed[MAX_PRIVATE_DER + ENVELOPE_OVERHEAD], *p = der;
    char ref[KMS_ARN_BUF + 80];
    int n = i2d_PrivateKey(pk, NULL), rc = -1;

    if (n <= 0 || n > MAX_PRIVATE_DER || i2d_PrivateKey(pk, &p) != n)
        goto out;
    wrap_ref(k, hash, ref, sizeof ref);
    if (keyring_seal(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref), der, (size_t)n,
                     sealed) != 0)
        goto out;
    rc = db_run(r->emu->db,
                "INSERT INTO kms_import_params (token_hash, key_id, algorithm, spec, "
                "private_key, valid_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                "ssssbd", hash, k->key_id, v->alg, v->spec, sealed,
                (size_t)n + ENVELOPE_OVERHEAD, valid_to);
out:
    OPENSSL_cleanse(der, sizeof der);
    return rc == 0 ? 0 : kms_internal(r);
}

/* The answer once the wrapping pair pk is made: the token, the sealed
 * private key kept, the public key. */
static int params_answer(svc_req_t *r, const kms_key_t *k, const params_args_t *v, EVP_PKEY *pk,
                         cJSON *out)
{
    uint8_t token[TOKEN_LEN], *pub = NULL;
    char hash[65];
    int publen, rc = -1;
    double valid_to;

    if ((publen = i2d_PUBKEY(pk, &pub)) <= 0) {
        svc_error(r, KMS_E_SEAL);
        goto out;
    }
    codec_random(token, sizeof token);
    sha256_hex(token, sizeof token, hash);
    valid_to = r->now + DAY; /* 24 hours */
    db_run(r->emu->db, "DELETE FROM kms_import_params WHERE key_id=?1 AND valid_to <= ?2", "sd",
           k->key_id, r->now); /* spent by time */
    if (store_params(r, k, v, hash, pk, valid_to) != 0)
        goto out;
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    json_put_blob(out, "ImportToken", token, sizeof token);
    json_put_blob(out, "PublicKey", pub, (size_t)publen);
    json_put_time(out, "ParametersValidTo", valid_to);
    rc = 0;
out:
    OPENSSL_free(pub);
    return rc;
}

/* The wrapping pair is ready (kms_keygen_async): the answer now. */
static void params_generated(svc_req_t *r, EVP_PKEY *pk, void *arg)
{
    const params_args_t *v = kms_input(r, r->input, &params_input);
    kms_key_t *k;
    int rc = -1;

    (void)arg;
    if (v == NULL || (k = kms_key(r, r->input)) == NULL)
        ;
    else if (pk == NULL)
        svc_error(r, KMS_E_KEYGEN);
    else
        rc = params_answer(r, k, v, pk, r->pending_out);
    EVP_PKEY_free(pk);
    proto_json_finish(r, rc); /* r is gone after it */
}

int kms_op_get_parameters_for_import(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const params_args_t *v = kms_input(r, in, &params_input);
    const kms_spec_t *s;
    EVP_PKEY *pk;
    kms_key_t *k;
    int rc;

    if (v == NULL || (k = kms_key(r, in)) == NULL || external_only(r, k) != 0)
        return -1;
    if (!strcmp(v->spec, "SM2") || !strcmp(v->alg, "SM2PKE"))
        return svc_error(r, KMS_E_WRAPPING_SM2, v->spec);
    if (!strcmp(v->alg, "RSAES_PKCS1_V1_5"))
        return svc_error(r, KMS_E_PKCS1_WRAPPING);
    if ((s = kms_spec(v->spec)) == NULL) /* RSA_2048...: key specs too */
        return svc_error(r, KMS_E_KEYGEN);
    /* RSA takes seconds: made off the loop, as CreateKey's pairs */
    if (kms_keygen_slow(s))
        return kms_keygen_async(r, s, params_generated, NULL) == 0 ? svc_defer(r) : -1;
    if ((pk = kms_keygen(s)) == NULL)
        return svc_error(r, KMS_E_KEYGEN);
    rc = params_answer(r, k, v, pk, out);
    EVP_PKEY_free(pk);
    return rc;
}

/* ---- ImportKeyMaterial ---------------------------------------------------- */

typedef struct {
    kms_args_t h;
    uint8_t *token, *wrapped;
    size_t tlen, wlen;
    const char *model, *type, *desc, *material_id;
    double valid_to; /* 0: absent */
    char valid_to_s[24]; /* kms:ValidTo, epoch seconds */
} import_args_t;

static int import_parse(svc_req_t *r, const cJSON *in, void *args)
{
    import_args_t *v = args;
    const cJSON *t;

    if (json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
        json_blob(r, in, "ImportToken", 1, 1, 6144, &v->token, &v->tlen) ||
        json_blob(r, in, "EncryptedKeyMaterial", 1, 1, 6144, &v->wrapped, &v->wlen) ||
        json_enum(r, in, "ExpirationModel", 0, expiration_models, &v->model) ||
        json_enum(r, in, "ImportType", 0, import_types, &v->type) ||
        json_str(r, in, "KeyMaterialDescription", 0, 0, 256, &v->desc) ||
        json_str(r, in, "KeyMaterialId", 0, 64, 64, &v->material_id))
        return -1;
    t = cJSON_GetObjectItemCaseSensitive(in, "ValidTo");
    if (t && !cJSON_IsNull(t)) {
        if (!cJSON_IsNumber(t))
            return svc_error(r, 400, "SerializationException", "ValidTo must be a timestamp.");
        v->valid_to = t->valuedouble;
        snprintf(v->valid_to_s, sizeof v->valid_to_s, "%.0f", v->valid_to);
    }
    if (v->model == NULL)
        v->model = v->valid_to > 0 ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE";
    if (!strcmp(v->model, "KEY_MATERIAL_EXPIRES") && v->valid_to <= 0)
        return svc_error(r, KMS_E_VALID_TO_MISSING);
    if (!strcmp(v->model, "KEY_MATERIAL_DOES_NOT_EXPIRE") && v->valid_to > 0)
        return svc_error(r, KMS_E_VALID_TO_UNWANTED);
    if (v->valid_to > 0 && (v->valid_to <= r->now || v->valid_to > r->now + 365 * DAY))
        return svc_error(r, KMS_E_VALID_TO_RANGE);
    return 0;
}

static void import_drop(void *args)
{
    import_args_t *v = args;

    free(v->token);
    free(v->wrapped);
}

static const kms_input_t import_input = {sizeof(import_args_t), import_parse, import_drop, 0};

int kms_res_import(svc_req_t *r, const void *in, struct authz *a)
{
    const import_args_t *v = kms_input(r, in, &import_input);

    if (v == NULL || kms_key_resource(r, in, a, &import_input) != 0 ||
        kms_authz_extra(r, kms_request_authz(r), "kms:ExpirationModel", v->model, a) != 0)
        return -1;
    return kms_authz_extra(r, kms_request_authz(r), "kms:ValidTo",
                           v->valid_to > 0 ? v->valid_to_s : NULL, a);
}

/* RSA-OAEP decryption of in with pk, SHA-1 or SHA-256 for OAEP and MGF1:
 * out (cap bytes) gets *n bytes. 0 or -1. */
static int oaep_open(EVP_PKEY *pk, int sha256, const uint8_t *in, size_t inlen, uint8_t *out,
                     size_t cap, size_t *n)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
    const EVP_MD *md = sha256 ? EVP_sha256() : EVP_sha1();
    int ok;

    *n = cap;
    ok = c && EVP_PKEY_decrypt_init(c) > 0 &&
         EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(c, md) > 0 && EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) > 0 &&
         EVP_PKEY_decrypt(c, out, n, in, inlen) > 0;
    EVP_PKEY_CTX_free(c);
    return ok ? 0 : -1;
}

/* AES key wrap with padding (RFC 5649) unwrap under a 256-bit key. */
static int kwp_open(const uint8_t key[32], const uint8_t *in, size_t inlen, uint8_t *out,
                    size_t cap, size_t *n)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0, ok;

    ok = c && inlen >= 16 && inlen <= cap + 8;
    if (ok) {
        EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
        ok = EVP_DecryptInit_ex(c, EVP_aes_256_wrap_pad(), NULL, key, NULL) == 1 &&
             EVP_DecryptUpdate(c, out, &l1, in, (int)inlen) == 1 &&
             EVP_DecryptFinal_ex(c, out + l1, &l2) == 1;
    }
    EVP_CIPHER_CTX_free(c);
    *n = ok ? (size_t)(l1 + l2) : 0;
    return ok ? 0 : -1;
}

/* The material wrapped under the token's key pair, by its algorithm. */
static int unwrap(EVP_PKEY *pk, const char *alg, const uint8_t *in, size_t inlen, uint8_t *out,
                  size_t *n)
{
    int sha256 = strstr(alg, "SHA_256") != NULL;
    size_t rsalen = (size_t)EVP_PKEY_get_size(pk), klen;
    uint8_t aes[512];
    int rc;

    if (strncmp(alg, "RSA_AES_KEY_WRAP", 16) != 0)
        return oaep_open(pk, sha256, in, inlen, out, MAX_MATERIAL, n);
    /* RSA-OAEP of an ephemeral AES-256 key, then the material under it */
    if (inlen <= rsalen || oaep_open(pk, sha256, in, rsalen, aes, sizeof aes, &klen) != 0 ||
        klen != 32)
        rc = -1;
    else
        rc = kwp_open(aes, in + rsalen, inlen - rsalen, out, MAX_MATERIAL, n);
    OPENSSL_cleanse(aes, sizeof aes);
    return rc;
}

/* The wrapping private key of token (for k): 1 found (*pk, *alg set:
 * alg has 32 bytes), or the error (InvalidImportTokenException,
 * ExpiredImportTokenException). */
static int token_key(svc_req_t *r, const kms_key_t *k, const import_args_t *v, char hash[65],
                     EVP_PKEY **pk, char alg[32])
{
    uint8_t der[MAX_PRIVATE_DER];
    const uint8_t *p = der;
    char ref[KMS_ARN_BUF + 80];
    sqlite3_stmt *st;
    size_t n;
    int rc;

    sha256_hex(v->token, v->tlen, hash);
    st = db_query(r->emu->db,
                  "SELECT algorithm, private_key, valid_to FROM kms_import_params WHERE "
                  "token_hash=?1 AND key_id=?2",
                  "ss", hash, k->key_id);
    if ((rc = db_row(st)) != 1) {
        db_done(st);
        return rc < 0 ? kms_internal(r) : svc_error(r, KMS_E_IMPORT_TOKEN, k->arn);
    }
    if (sqlite3_column_double(st, 2) <= r->now) {
        db_done(st);
        return svc_error(r, KMS_E_IMPORT_TOKEN_EXPIRED);
    }
    db_copy(st, 0, alg, 32);
    n = (size_t)sqlite3_column_bytes(st, 1);
    wrap_ref(k, hash, ref, sizeof ref);
    rc = n > ENVELOPE_OVERHEAD && n <= sizeof der + ENVELOPE_OVERHEAD &&
         keyring_open(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref),
                      sqlite3_column_blob(st, 1), n, der) == 0;
    db_done(st);
    *pk = rc ? d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)(n - ENVELOPE_OVERHEAD)) : NULL;
    OPENSSL_cleanse(der, sizeof der);
    return *pk ? 1 : svc_error(r, KMS_E_IMPORT_TOKEN, k->arn);
}

/* The KeyMaterialId every import into k's key must have: one of its rows'
 * import_id (a replica takes its primary's material), or "" for none yet. */
static int bound_id(svc_req_t *r, const kms_key_t *k, char out[65])
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT import_id FROM kms_keys WHERE (key_id=?1 OR (key_id > "
                                "?2 || '@' AND key_id < ?2 || 'A')) AND account=?3 AND "
                                "import_id IS NOT NULL LIMIT 1",
                                "sss", k->key_id, k->id, k->account);
    int rc = db_row(st);

    out[0] = '\0';
    if (rc == 1)
        db_copy(st, 0, out, 65);
    db_done(st);
    return rc < 0 ? kms_internal(r) : 0;
}

/* Stores m as k's material version ver (fresh: new material, pending
 * rotation) unless it is there; the key is Enabled again once no
 * permanently associated material is missing; the import's expiry is the
 * current material's. The token is spent. */
static int store_import(svc_req_t *r, const kms_key_t *k, const import_args_t *v,
                        const char *hash, const uint8_t *m, size_t n, const char *mid, int ver,
                        int fresh)
{
    uint8_t w[MAX_MATERIAL + ENVELOPE_OVERHEAD];
    char ref[KMS_ARN_BUF + 16];
    int rc;

    snprintf(ref, sizeof ref, "%s:%d", k->arn, ver);
    if (keyring_seal(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref), m, n, w) != 0)
        return svc_error(r, KMS_E_STORE_MATERIAL);
    rc = db_run(r->emu->db,
                "INSERT INTO kms_key_material (key_id, version, material_id, wrapped, created, "
                "rotation_type, expiration_model, valid_to) VALUES (?1, ?2, ?3, ?4, ?5, "
                "CASE ?6 WHEN 1 THEN 'PENDING' END, ?7, NULLIF(?8, 0)) ON CONFLICT (key_id, "
                "version) DO UPDATE SET wrapped=excluded.wrapped, "
                "expiration_model=excluded.expiration_model, valid_to=excluded.valid_to",
                "sisbdisd", k->key_id, ver, mid, w, n + ENVELOPE_OVERHEAD, r->now, fresh,
                v->model, v->valid_to > 0 ? v->valid_to : 0.0);
    if (rc == 0)
        rc = db_run(r->emu->db,
                    "UPDATE kms_keys SET state='Enabled' WHERE key_id=?1 AND "
                    "state='PendingImport' AND NOT EXISTS (SELECT 1 FROM kms_key_material "
                    "WHERE key_id=?1 AND length(wrapped)=0 AND "
                    "IFNULL(rotation_type, '') <> 'PENDING')",
                    "s", k->key_id);
    if (rc == 0 && ver == k->current_version)
        rc = db_run(r->emu->db,
                    "UPDATE kms_keys SET expiration_model=?2, valid_to=NULLIF(?3, 0), "
                    "import_id=IFNULL(import_id, ?4) WHERE key_id=?1",
                    "ssds", k->key_id, v->model, v->valid_to > 0 ? v->valid_to : 0.0, mid);
    if (rc == 0)
        rc = db_run(r->emu->db, "DELETE FROM kms_import_params WHERE token_hash=?1", "s", hash);
    return rc == 0 ? 0 : kms_internal(r);
}

static int curve_nid(const char *name)
{
    int nid = EC_curve_nist2nid(name);

    return nid != NID_undef ? nid : OBJ_sn2nid(name);
}

/* 1 when pk is a private key of spec s. */
static int pkey_fits(EVP_PKEY *pk, const kms_spec_t *s)
{
    char group[64];

    switch (s->kind) {
    case KMS_KIND_RSA:
        return EVP_PKEY_is_a(pk, "RSA") && EVP_PKEY_get_bits(pk) == s->bits;
    case KMS_KIND_EC:
        return EVP_PKEY_is_a(pk, "EC") &&
               EVP_PKEY_get_group_name(pk, group, sizeof group, NULL) == 1 &&
               OBJ_sn2nid(group) == curve_nid(s->group);
    case KMS_KIND_ED25519:
        return EVP_PKEY_is_a(pk, "ED25519");
    case KMS_KIND_SM2:
    case KMS_KIND_ML_DSA:
        return EVP_PKEY_is_a(pk, s->group);
    default:
        return 0;
    }
}

/* The material of k's spec in m[0..*n): 256 bits for SYMMETRIC_DEFAULT;
 * for HMAC keys from the digest's length to its block size; an
 * asymmetric key's PKCS#8 DER private key, rewritten in the form KMS keeps
 * (kms_pkcs8), as generated keys are. 0 or ValidationException. */
static int canonical_material(svc_req_t *r, const kms_key_t *k, uint8_t *m, size_t *n)
{
    const kms_spec_t *s = kms_spec(k->key_spec);
    const uint8_t *p = m;
    EVP_PKEY *pk;
    uint8_t *der = NULL;
    size_t dn = 0, min, max;

    if (s == NULL || s->kind == KMS_KIND_SYMMETRIC) {
        if (*n != KMS_MATERIAL_LEN)
            return svc_error(r, KMS_E_MATERIAL_LENGTH, k->key_spec, KMS_MATERIAL_LEN);
        return 0;
    }
    if (s->kind == KMS_KIND_HMAC) {
        min = (size_t)s->bits / 8;
        max = s->bits <= 256 ? 64 : 128;
        if (*n < min || *n > max)
            return svc_error(r, KMS_E_HMAC_LENGTH, k->key_spec, (int)min, (int)max);
        return 0;
    }
    pk = d2i_AutoPrivateKey(NULL, &p, (long)*n);
    if (pk == NULL || p != m + *n || !pkey_fits(pk, s) || (der = kms_pkcs8(pk, &dn)) == NULL ||
        dn > MAX_MATERIAL) {
        if (der)
            codec_wipe_free(der, dn);
        EVP_PKEY_free(pk);
        return svc_error(r, KMS_E_MATERIAL_SPEC, k->key_spec);
    }
    EVP_PKEY_free(pk);
    OPENSSL_cleanse(m, *n);
    memcpy(m, der, dn);
    *n = dn;
    codec_wipe_free(der, dn);
    return 0;
}

/* The id of k's material version ver into out ("" for none). */
static void version_id(svc_req_t *r, const kms_key_t *k, int ver, char out[65])
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT material_id FROM kms_key_material WHERE key_id=?1 AND "
                                "version=?2",
                                "si", k->key_id, ver);

    out[0] = '\0';
    if (db_row(st) == 1)
        db_copy(st, 0, out, 65);
    db_done(st);
}

/* Finds k's material mid: 1 (*ver, *pending: awaiting RotateKeyOnDemand),
 * 0 none, -1 error. */
static int find_material(svc_req_t *r, const kms_key_t *k, const char *mid, int *ver,
                         int *pending)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT version, IFNULL(rotation_type, '') = 'PENDING' FROM "
                                "kms_key_material WHERE key_id=?1 AND material_id=?2",
                                "ss", k->key_id, mid);
    int rc = db_row(st);

    if (rc == 1) {
        *ver = sqlite3_column_int(st, 0);
        *pending = sqlite3_column_int(st, 1);
    }
    db_done(st);
    return rc < 0 ? kms_internal(r) : rc;
}

/* NEW_KEY_MATERIAL once the key has material: symmetric keys only, one
 * material pending rotation at a time, as the next version. */
static int new_version(svc_req_t *r, const kms_key_t *k, const char *mid, int *ver)
{
    sqlite3_stmt *st;
    int rc, x, pending;

    if (strcmp(k->key_spec, "SYMMETRIC_DEFAULT") != 0)
        return svc_error(r, KMS_E_NEW_MATERIAL, k->arn);
    if (k->multi_region)
        return svc_error(r, KMS_E_NEW_MATERIAL_MRK, k->arn);
    if ((rc = find_material(r, k, mid, &x, &pending)) != 0)
        return rc < 0 ? -1 : svc_error(r, KMS_E_MATERIAL_KNOWN, k->arn);
    st = db_query(r->emu->db,
                  "SELECT IFNULL(MAX(version), 0), SUM(rotation_type = 'PENDING') FROM "
                  "kms_key_material WHERE key_id=?1",
                  "s", k->key_id);
    rc = db_row(st);
    x = sqlite3_column_int(st, 0);
    pending = rc == 1 ? sqlite3_column_int(st, 1) : 0;
    db_done(st);
    if (rc != 1)
        return kms_internal(r);
    if (pending > 0)
        return svc_error(r, KMS_E_PENDING_ROTATION, k->arn);
    *ver = x + 1;
    return 0;
}

/* EXISTING_KEY_MATERIAL: the material KeyMaterialId names, else the
 * current one (bound: a replica's first import takes its primary's). */
static int existing_version(svc_req_t *r, const kms_key_t *k, const import_args_t *v,
                            const char *mid, const char *bound, int *ver)
{
    char cur[65];
    const char *want = v->material_id;
    int rc, pending;

    if (want == NULL) {
        version_id(r, k, k->current_version, cur);
        want = cur[0] ? cur : bound;
    }
    if (strcmp(want, mid) != 0)
        return svc_error(r, KMS_E_INCORRECT_MATERIAL, k->arn);
    if ((rc = find_material(r, k, mid, ver, &pending)) < 0)
        return -1;
    if (rc == 0 && strcmp(mid, bound) != 0)
        return svc_error(r, KMS_E_INCORRECT_MATERIAL, k->arn);
    return 0;
}

/* Checks the unwrapped material m against k's spec (m rewritten in its
 * kept form) and the key's materials; mid gets m's id, *ver the version
 * it goes in, *fresh 1 for new material pending rotation. */
static int check_material(svc_req_t *r, const kms_key_t *k, const import_args_t *v, uint8_t *m,
                          size_t *np, char mid[65], int *ver, int *fresh)
{
    char bound[65];
    uint8_t buf[KMS_ID_LEN + MAX_MATERIAL];
    size_t n;

    if (canonical_material(r, k, m, np) != 0)
        return -1;
    n = *np;
    memcpy(buf, k->id, KMS_ID_LEN);
    memcpy(buf + KMS_ID_LEN, m, n);
    sha256_hex(buf, KMS_ID_LEN + n, mid);
    OPENSSL_cleanse(buf, sizeof buf);
    if (bound_id(r, k, bound) != 0)
        return -1;
    *ver = k->current_version;
    *fresh = 0;
    if (bound[0] == '\0') /* the first import */
        return v->material_id && strcmp(v->material_id, mid)
                   ? svc_error(r, KMS_E_INCORRECT_MATERIAL, k->arn)
                   : 0;
    if (v->type && !strcmp(v->type, "NEW_KEY_MATERIAL")) {
        *fresh = 1;
        return new_version(r, k, mid, ver);
    }
    return existing_version(r, k, v, mid, bound, ver);
}

int kms_op_import_key_material(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const import_args_t *v = kms_input(r, in, &import_input);
    uint8_t m[MAX_MATERIAL];
    char hash[65], alg[32], mid[65];
    EVP_PKEY *pk = NULL;
    size_t n = 0;
    kms_key_t *k;
    int rc = -1, ver, fresh;

    if (v == NULL || (k = kms_key(r, in)) == NULL || external_only(r, k) != 0 ||
        token_key(r, k, v, hash, &pk, alg) != 1)
        return -1;
    if (unwrap(pk, alg, v->wrapped, v->wlen, m, &n) != 0) {
        svc_error(r, KMS_E_INVALID_CIPHERTEXT,
                  "The encrypted key material could not be decrypted with the wrapping key of "
                  "the import token.");
        goto out;
    }
    if (check_material(r, k, v, m, &n, mid, &ver, &fresh) != 0)
        goto out;
    if (db_begin(r->emu->db) != 0) {
        kms_internal(r);
        goto out;
    }
    if (store_import(r, k, v, hash, m, n, mid, ver, fresh) != 0) {
        db_rollback(r->emu->db);
        goto out;
    }
    if (db_commit(r->emu->db) != 0) {
        kms_internal(r);
        goto out;
    }
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    cJSON_AddStringToObject(out, "KeyMaterialId", mid);
    rc = 0;
out:
    OPENSSL_cleanse(m, sizeof m);
    EVP_PKEY_free(pk);
    return rc;
}

/* ---- deletion and expiry ------------------------------------------------ */

/* Deletes k's material version ver (0: all permanently associated ones):
 * the key waits for an import again. The row stays, empty, for
 * ListKeyRotations (PENDING_IMPORT) and the KeyMaterialId. */
static int drop_material(svc_req_t *r, kms_key_t *k, int ver)
{
    if (db_run(r->emu->db,
               "UPDATE kms_key_material SET wrapped=x'' WHERE key_id=?1 AND (version=?2 OR "
               "(?2=0 AND IFNULL(rotation_type, '') <> 'PENDING'))",
               "si", k->key_id, ver) != 0 ||
        db_run(r->emu->db,
               "UPDATE kms_keys SET state='PendingImport', valid_to=NULL WHERE key_id=?1", "s",
               k->key_id) != 0)
        return -1;
    kms_cache_forget(k->key_id); /* the parsed key too */
    snprintf(k->state, sizeof k->state, "PendingImport");
    return 0;
}

typedef struct {
    kms_args_t h;
    const char *material_id;
} delete_args_t;

static int delete_parse(svc_req_t *r, const cJSON *in, void *args)
{
    delete_args_t *v = args;

    return json_str(r, in, "KeyId", 1, 1, 2048, &v->h.key_ref) ||
                   json_str(r, in, "KeyMaterialId", 0, 64, 64, &v->material_id)
               ? -1
               : 0;
}

static const kms_input_t delete_input = {sizeof(delete_args_t), delete_parse, NULL, 0};
KMS_KEY_RESOURCE(kms_res_delete_import, delete_input)

/* Deletes the material KeyMaterialId names, else the current one. Material
 * pending rotation is not permanently associated with the key: it goes
 * and the key's state stays. */
int kms_op_delete_imported_key_material(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const delete_args_t *v = kms_input(r, in, &delete_input);
    kms_key_t *k;
    char mid[65];
    int ver, pending = 0, rc;

    if (v == NULL || (k = kms_key(r, in)) == NULL || external_only(r, k) != 0)
        return -1;
    ver = k->current_version;
    if (v->material_id)
        str_copy(mid, sizeof mid, v->material_id);
    else
        version_id(r, k, ver, mid);
    if (mid[0] && (rc = find_material(r, k, mid, &ver, &pending)) != 1)
        return rc < 0 ? -1 : svc_error(r, KMS_E_MATERIAL_ID, mid, k->arn);
    if (pending)
        rc = db_run(r->emu->db, "DELETE FROM kms_key_material WHERE key_id=?1 AND version=?2",
                    "si", k->key_id, ver);
    else
        rc = drop_material(r, k, ver);
    if (rc != 0)
        return kms_internal(r);
    cJSON_AddStringToObject(out, "KeyId", k->arn);
    if (mid[0])
        cJSON_AddStringToObject(out, "KeyMaterialId", mid);
    return 0;
}

int kms_import_maintain(svc_req_t *r, kms_key_t *k)
{
    sqlite3_stmt *st;
    double valid_to;

    if (strcmp(k->origin, "EXTERNAL") != 0 ||
        (strcmp(k->state, "Enabled") != 0 && strcmp(k->state, "Disabled") != 0))
        return 0;
    st = db_query(r->emu->db, "SELECT valid_to FROM kms_keys WHERE key_id=?1", "s", k->key_id);
    valid_to = db_row(st) == 1 ? sqlite3_column_double(st, 0) : 0;
    db_done(st);
    if (valid_to <= 0 || valid_to > r->now)
        return 0;
    return drop_material(r, k, 0); /* the material expired */
}

int kms_import_rotate(svc_req_t *r, kms_key_t *k)
{
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT version FROM kms_key_material WHERE key_id=?1 AND "
                                "rotation_type='PENDING' AND length(wrapped) > 0",
                                "s", k->key_id);
    int rc = db_row(st), v = rc == 1 ? sqlite3_column_int(st, 0) : 0;

    db_done(st);
    if (rc < 0)
        return kms_internal(r);
    if (rc == 0)
        return svc_error(r, KMS_E_NO_PENDING_ROTATION, k->arn);
    if (db_run(r->emu->db,
               "UPDATE kms_key_material SET rotation_type='ON_DEMAND', created=?3 WHERE "
               "key_id=?1 AND version=?2",
               "sid", k->key_id, v, r->now) != 0 ||
        db_run(r->emu->db,
               "UPDATE kms_keys SET current_version=?2, ondemand_count=ondemand_count + 1, "
               "(expiration_model, valid_to)=(SELECT expiration_model, valid_to FROM "
               "kms_key_material WHERE key_id=?1 AND version=?2) WHERE key_id=?1",
               "si", k->key_id, v) != 0)
        return kms_internal(r);
    k->current_version = v;
    return 0;
}

void kms_import_rotation(svc_req_t *r, const kms_key_t *k, int version, int imported, cJSON *e)
{
    sqlite3_stmt *st;

    if (strcmp(k->origin, "EXTERNAL") != 0)
        return;
    cJSON_AddStringToObject(e, "ImportState", imported ? "IMPORTED" : "PENDING_IMPORT");
    if (!imported)
        return;
    st = db_query(r->emu->db,
                  "SELECT expiration_model, valid_to FROM kms_key_material WHERE key_id=?1 AND "
                  "version=?2 AND expiration_model IS NOT NULL",
                  "si", k->key_id, version);
    if (db_row(st) != 1)
        kms_import_metadata(r, k, e); /* a row from before 021: the key's */
    else {
        cJSON_AddStringToObject(e, "ExpirationModel", db_text(st, 0));
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            json_put_time(e, "ValidTo", sqlite3_column_double(st, 1));
    }
    db_done(st);
}

void kms_import_metadata(svc_req_t *r, const kms_key_t *k, cJSON *m)
{
    sqlite3_stmt *st;

    if (strcmp(k->origin, "EXTERNAL") != 0)
        return;
    st = db_query(r->emu->db,
                  "SELECT expiration_model, valid_to FROM kms_keys WHERE key_id=?1 AND "
                  "state != 'PendingImport'",
                  "s", k->key_id);
    if (db_row(st) == 1) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            cJSON_AddStringToObject(m, "ExpirationModel", db_text(st, 0));
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            json_put_time(m, "ValidTo", sqlite3_column_double(st, 1));
    }
    db_done(st);
}
