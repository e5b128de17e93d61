/* kms_keygen.c — material of asymmetric and HMAC keys: generated with
 * OpenSSL EVP, stored as one kms_key_material row (version 1) sealed under
 * the master key like symmetric material (AAD "<key ARN>:1"), and cached
 * parsed, so a Sign does not parse a PKCS#8 each time. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#include "base/codec.h"
#include "base/partition.h"
#include "storage/db.h"
#include "storage/envelope.h"
#include "storage/keyring.h"

/* The sealed PKCS#8 of an RSA_4096 key is about 2.4 KB. */
#define MAX_MATERIAL 8192

/* ---- generation and encodings ------------------------------------------ */

EVP_PKEY *kms_keygen(const kms_spec_t *s)
{
    EVP_PKEY_CTX *c = NULL;
    EVP_PKEY *pkey = NULL;
    const char *type = s->kind == KMS_KIND_RSA       ? "RSA"
                       : s->kind == KMS_KIND_EC      ? "EC"
                       : s->kind == KMS_KIND_ED25519 ? "ED25519"
                       : s->kind == KMS_KIND_SM2     ? "SM2"
                                                     : NULL;

    if (type == NULL || (c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
        EVP_PKEY_keygen_init(c) <= 0)
        goto out;
    if (s->kind == KMS_KIND_RSA && EVP_PKEY_CTX_set_rsa_keygen_bits(c, s->bits) <= 0)
        goto out;
    if (s->kind == KMS_KIND_EC && EVP_PKEY_CTX_set_group_name(c, s->group) <= 0)
        goto out;
    if (EVP_PKEY_generate(c, &pkey) <= 0)
        pkey = NULL;
out:
    EVP_PKEY_CTX_free(c);
    return pkey;
}

uint8_t *kms_pkcs8(EVP_PKEY *pkey, size_t *n)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pkey);
    uint8_t *der = NULL, *p;
    int len;

    if (p8 == NULL)
        return NULL;
    len = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL);
    if (len > 0 && (der = malloc((size_t)len)) != NULL) {
        p = der;
        i2d_PKCS8_PRIV_KEY_INFO(p8, &p);
        *n = (size_t)len;
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    return der;
}

uint8_t *kms_spki(EVP_PKEY *pkey, size_t *n)
{
    int len = i2d_PUBKEY(pkey, NULL);
    uint8_t *der, *p;

    if (len <= 0 || (der = malloc((size_t)len)) == NULL)
        return NULL;
    p = der;
    i2d_PUBKEY(pkey, &p);
    *n = (size_t)len;
    return der;
}

/* The private key of a PKCS#8 DER, or NULL. */
static EVP_PKEY *parse_pkcs8(const uint8_t *der, size_t n)
{
    const uint8_t *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)n);
    EVP_PKEY *pkey = p8 ? EVP_PKCS82PKEY(p8) : NULL;

    PKCS8_PRIV_KEY_INFO_free(p8);
    return pkey;
}

/* ---- the parsed-key cache -------------------------------------------------
 *
 * Few keys sign at once: a small table, the oldest entry evicted. Only the
 * event loop's thread touches it. */

#define SLOTS 256

#define SLOT_CTXS 4 /* contexts kept per key: a signing and a verifying, twice */

typedef struct {
    char key_id[KMS_ROW_LEN + 1]; /* the row id: a multi-Region key per region */
    EVP_PKEY *pkey;               /* asymmetric keys */
    uint8_t mac[128];             /* HMAC keys (imported: up to 128 bytes) */
    size_t maclen;
    struct {
        const char *alg; /* a static string (the request's enum value) */
        int verify;
        EVP_PKEY_CTX *c; /* holds a reference to pkey */
    } ctx[SLOT_CTXS];
    unsigned next_ctx; /* the next to replace when all are taken */
} slot_t;

static slot_t slots[SLOTS];
static size_t next_victim;

static void slot_clear(slot_t *s)
{
    size_t i;

    for (i = 0; i < SLOT_CTXS; i++)
        EVP_PKEY_CTX_free(s->ctx[i].c);
    EVP_PKEY_free(s->pkey);
    OPENSSL_cleanse(s, sizeof *s);
}

void kms_asym_drop(void)
{
    size_t i;

    for (i = 0; i < SLOTS; i++)
        slot_clear(&slots[i]);
    next_victim = 0;
}

static slot_t *slot_find(const char *key_id)
{
    size_t i;

    for (i = 0; i < SLOTS; i++)
        if (slots[i].key_id[0] && !strcmp(slots[i].key_id, key_id))
            return &slots[i];
    return NULL;
}

static slot_t *slot_new(const char *key_id)
{
    slot_t *s = &slots[next_victim];

    next_victim = (next_victim + 1) % SLOTS;
    slot_clear(s);
    str_copy(s->key_id, sizeof s->key_id, key_id);
    return s;
}

/* ---- storage --------------------------------------------------------------- */

static void material_ref(const char *arn, char *out, size_t n)
{
    snprintf(out, n, "%s:1", arn);
}

/* Seals m[0..n) as version 1 of the key. */
static int store(svc_req_t *r, const char *key_id, const char *arn, const uint8_t *m, size_t n)
{
    uint8_t wrapped[MAX_MATERIAL + ENVELOPE_OVERHEAD], idb[32];
    char ref[AWS_ARN_BUF + 16], mid[65];

    if (n > MAX_MATERIAL)
        return svc_error(r, KMS_E_STORE_MATERIAL);
    codec_random(idb, sizeof idb);
    codec_hex(idb, sizeof idb, mid);
    material_ref(arn, ref, sizeof ref);
    if (keyring_seal(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref), m, n, wrapped) !=
            0 ||
        db_run(r->emu->db,
               "INSERT INTO kms_key_material (key_id, version, material_id, wrapped, created) "
               "VALUES (?1, 1, ?2, ?3, ?4)",
               "ssbd", key_id, mid, wrapped, n + ENVELOPE_OVERHEAD, r->now) != 0)
        return svc_error(r, KMS_E_STORE_MATERIAL);
    return 0;
}

int kms_asym_material(svc_req_t *r, const kms_spec_t *s, const char *key_id, const char *arn,
                      EVP_PKEY *pkey)
{
    uint8_t *m = NULL, hmac[64];
    size_t n = 0;
    int rc;

    if (s->kind == KMS_KIND_HMAC) {
        n = (size_t)s->bits / 8;
        codec_random(hmac, n);
        rc = store(r, key_id, arn, hmac, n);
        OPENSSL_cleanse(hmac, sizeof hmac);
        return rc;
    }
    if ((m = kms_pkcs8(pkey, &n)) == NULL)
        return svc_error(r, KMS_E_KEYGEN);
    rc = store(r, key_id, arn, m, n);
    codec_wipe_free(m, n);
    return rc;
}

void kms_asym_forget(const char *key_id)
{
    slot_t *s = slot_find(key_id);

    if (s)
        slot_clear(s);
}

int kms_insert_asym_key(svc_req_t *r, const kms_spec_t *s, const char *usage, const char *desc,
                        const char *policy, EVP_PKEY *pkey, char key_id[37])
{
    char arn[AWS_ARN_BUF];

    codec_uuid(key_id);
    snprintf(arn, sizeof arn, "arn:%s:kms:%s:%s:key/%s", partition_name(r->region), r->region,
             r->account, key_id);
    if (db_run(r->emu->db,
               "INSERT INTO kms_keys (key_id, account, region, arn, description, key_usage, "
               "key_spec, origin, key_manager, state, created, policy, seq) VALUES (?1, ?2, ?3, "
               "?4, ?5, ?6, ?7, 'AWS_KMS', 'CUSTOMER', 'Enabled', ?8, ?9, "
               "(SELECT IFNULL(MAX(seq), 0) + 1 FROM kms_keys))",
               "sssssssds", key_id, r->account, r->region, arn, desc, usage, s->name, r->now,
               policy) != 0)
        return kms_internal(r);
    return kms_asym_material(r, s, key_id, arn, pkey);
}

/* Unseals k's material into a new cache slot. */
static slot_t *load(svc_req_t *r, const kms_key_t *k)
{
    uint8_t *m = NULL;
    size_t n = 0;
    char ref[AWS_ARN_BUF + 16];
    slot_t *s = NULL;
    sqlite3_stmt *st = db_query(r->emu->db,
                                "SELECT wrapped FROM kms_key_material WHERE key_id=?1 AND "
                                "version=1",
                                "s", k->key_id);

    if (db_row(st) == 1) {
        int len = sqlite3_column_bytes(st, 0);
        if (len > ENVELOPE_OVERHEAD && len <= MAX_MATERIAL + ENVELOPE_OVERHEAD &&
            (m = malloc((size_t)len)) != NULL) {
            n = (size_t)len - ENVELOPE_OVERHEAD;
            material_ref(k->arn, ref, sizeof ref);
            if (keyring_open(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref),
                             sqlite3_column_blob(st, 0), (size_t)len, m) != 0) {
                free(m);
                m = NULL;
            }
        }
    }
    db_done(st);
    if (m == NULL) {
        svc_error(r, KMS_E_NO_MATERIAL);
        return NULL;
    }
    s = slot_new(k->key_id);
    if (!strncmp(k->key_spec, "HMAC_", 5)) {
        if (n <= sizeof s->mac) {
            memcpy(s->mac, m, n);
            s->maclen = n;
        }
    } else {
        s->pkey = parse_pkcs8(m, n);
    }
    codec_wipe_free(m, n);
    if (s->pkey == NULL && s->maclen == 0) {
        slot_clear(s);
        svc_error(r, KMS_E_NO_MATERIAL);
        return NULL;
    }
    return s;
}

EVP_PKEY *kms_asym_pkey(svc_req_t *r, const kms_key_t *k)
{
    slot_t *s = slot_find(k->key_id);

    if (s == NULL && (s = load(r, k)) == NULL)
        return NULL;
    if (s->pkey == NULL) {
        svc_error(r, KMS_E_NO_MATERIAL);
        return NULL;
    }
    return s->pkey;
}

EVP_PKEY_CTX *kms_asym_ctx(const kms_key_t *k, const char *alg, int verify,
                           kms_ctx_setup_fn *setup)
{
    slot_t *s = slot_find(k->key_id);
    EVP_PKEY_CTX *c;
    unsigned i;

    if (s == NULL || s->pkey == NULL)
        return NULL;
    for (i = 0; i < SLOT_CTXS; i++)
        if (s->ctx[i].c && s->ctx[i].verify == verify && !strcmp(s->ctx[i].alg, alg))
            return s->ctx[i].c;
    if ((c = EVP_PKEY_CTX_new_from_pkey(NULL, s->pkey, NULL)) == NULL || setup(c, alg, verify) != 1) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    i = s->next_ctx++ % SLOT_CTXS;
    EVP_PKEY_CTX_free(s->ctx[i].c);
    s->ctx[i].alg = alg;
    s->ctx[i].verify = verify;
    s->ctx[i].c = c;
    return c;
}

const uint8_t *kms_hmac_key(svc_req_t *r, const kms_key_t *k, size_t *n)
{
    slot_t *s = slot_find(k->key_id);

    if (s == NULL && (s = load(r, k)) == NULL)
        return NULL;
    if (s->maclen == 0) {
        svc_error(r, KMS_E_NO_MATERIAL);
        return NULL;
    }
    *n = s->maclen;
    return s->mac;
}
