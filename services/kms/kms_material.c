/* kms_material.c — key material (sealed under the master key, cached
 * unwrapped) and the ciphertext blob format: sealing and opening. */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"
#include "services/kms/kms_asym.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "storage/db.h"
#include "storage/envelope.h"
#include "storage/keyring.h"

/* Ciphertext blob: version byte, key id (36), material version (u32 BE),
 * then envelope_seal's IV | ciphertext | tag. The AAD is the 41-byte header
 * plus the canonical encryption context, so the blob names its key (Decrypt
 * needs no KeyId) and neither the header nor the context can be altered. */
#define BLOB_VERSION 0x01
#define BLOB_HEADER (1 + KMS_ID_LEN + 4)

/* ---- the unwrapped-material cache ----------------------------------------- */

#define CACHE_SLOTS 4096

typedef struct {
    char key_id[KMS_ROW_LEN + 1]; /* the row id: each region's copy apart */
    int version;
    uint8_t material[KMS_MATERIAL_LEN];
    char material_id[65];
} cache_entry_t;

static cache_entry_t *cache;
static size_t cache_used;

static size_t cache_hash(const char *key_id, int version)
{
    size_t h = 1469598103934665603u;
    const char *p;

    for (p = key_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return (h ^ (size_t)version) % CACHE_SLOTS;
}

static void cache_wipe(void)
{
    if (cache)
        OPENSSL_cleanse(cache, CACHE_SLOTS * sizeof *cache);
    cache_used = 0;
}

static cache_entry_t *cache_find(const char *key_id, int version)
{
    size_t i, n;

    if (cache == NULL)
        return NULL;
    for (n = 0, i = cache_hash(key_id, version); n < CACHE_SLOTS; n++, i = (i + 1) % CACHE_SLOTS) {
        if (cache[i].key_id[0] == '\0')
            return NULL;
        if (cache[i].version == version && strcmp(cache[i].key_id, key_id) == 0)
            return &cache[i];
    }
    return NULL;
}

static void cache_put(const char *key_id, int version, const uint8_t *m, const char *mid)
{
    size_t i;

    if (cache == NULL && (cache = calloc(CACHE_SLOTS, sizeof *cache)) == NULL)
        return;
    if (cache_used >= CACHE_SLOTS / 2)
        cache_wipe(); /* simple eviction: start over */
    for (i = cache_hash(key_id, version); cache[i].key_id[0]; i = (i + 1) % CACHE_SLOTS)
        ;
    str_copy(cache[i].key_id, sizeof cache[i].key_id, key_id);
    cache[i].version = version;
    memcpy(cache[i].material, m, KMS_MATERIAL_LEN);
    str_copy(cache[i].material_id, sizeof cache[i].material_id, mid);
    cache_used++;
}

void kms_cache_forget(const char *key_id)
{
    size_t i;

    /* the key's parsed asymmetric or HMAC key and its kept contexts go too:
     * nothing of a disabled or deleted key stays in memory (DESIGN.md) */
    kms_asym_forget(key_id);
    /* open addressing cannot delete single entries cheaply; forgetting is
     * rare (disable, delete), so wipe everything */
    if (cache == NULL)
        return;
    for (i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].key_id[0] && strcmp(cache[i].key_id, key_id) == 0)
            break;
    if (i < CACHE_SLOTS)
        cache_wipe();
}

void kms_material_drop(int release)
{
    cache_wipe();
    if (release) {
        free(cache);
        cache = NULL;
    }
}

/* ---- key material ---------------------------------------------------------- */

/* The keyring id of material version v of a key: "<key ARN>:<v>". */
static void material_ref(const char *arn, int version, char *out, size_t n)
{
    snprintf(out, n, "%s:%d", arn, version);
}

static int store_material(svc_req_t *r, const char *key_id, const char *arn, int version,
                          double now, const char *rotation_type)
{
    uint8_t m[KMS_MATERIAL_LEN], wrapped[KMS_MATERIAL_LEN + ENVELOPE_OVERHEAD], idb[32];
    char ref[AWS_ARN_BUF + 16], mid[65];
    int rc = -1;

    codec_random(m, sizeof m);
    codec_random(idb, sizeof idb);
    codec_hex(idb, sizeof idb, mid);
    material_ref(arn, version, ref, sizeof ref);
    if (keyring_seal(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref), m, sizeof m,
                     wrapped) != 0)
        goto out;
    rc = db_run(r->emu->db,
                "INSERT INTO kms_key_material (key_id, version, material_id, wrapped, created, "
                "rotation_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                "sisbds", key_id, version, mid, wrapped, sizeof wrapped, now, rotation_type);
    if (rc == 0)
        cache_put(key_id, version, m, mid);
out:
    OPENSSL_cleanse(m, sizeof m);
    if (rc != 0)
        svc_error(r, KMS_E_STORE_MATERIAL);
    return rc;
}

int kms_new_material(svc_req_t *r, const char *key_id, const char *arn, double now)
{
    return store_material(r, key_id, arn, 1, now, NULL);
}

int kms_add_material(svc_req_t *r, kms_key_t *k, const char *type)
{
    int v = k->current_version + 1;

    if (store_material(r, k->key_id, k->arn, v, r->now, type) != 0)
        return -1;
    if (db_run(r->emu->db,
               "UPDATE kms_keys SET current_version=?2, ondemand_count=ondemand_count + ?3 "
               "WHERE key_id=?1",
               "sii", k->key_id, v, !strcmp(type, "ON_DEMAND")) != 0 ||
        kms_mrk_propagate(r, k, v) != 0) /* a multi-Region key rotates everywhere */
        return svc_error(r, KMS_E_DB);
    k->current_version = v;
    return 0;
}

/* Finds (cache) or unwraps (database) material version v of k. */
static const cache_entry_t *material(svc_req_t *r, const kms_key_t *k, int v)
{
    const cache_entry_t *e = cache_find(k->key_id, v);
    uint8_t m[KMS_MATERIAL_LEN];
    char ref[AWS_ARN_BUF + 16], mid[65];
    sqlite3_stmt *st;
    int ok = 0;

    if (e)
        return e;
    st = db_query(r->emu->db,
                  "SELECT wrapped, material_id FROM kms_key_material WHERE key_id=?1 AND "
                  "version=?2",
                  "si", k->key_id, v);
    if (db_row(st) == 1 && sqlite3_column_bytes(st, 0) == KMS_MATERIAL_LEN + ENVELOPE_OVERHEAD) {
        material_ref(k->arn, v, ref, sizeof ref);
        db_copy(st, 1, mid, sizeof mid);
        ok = keyring_open(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref),
                          sqlite3_column_blob(st, 0), KMS_MATERIAL_LEN + ENVELOPE_OVERHEAD, m) == 0;
    }
    db_done(st);
    if (!ok)
        return NULL;
    cache_put(k->key_id, v, m, mid);
    OPENSSL_cleanse(m, sizeof m);
    return cache_find(k->key_id, v);
}

void kms_current_material_id(svc_req_t *r, const kms_key_t *k, char out[65])
{
    const cache_entry_t *e = material(r, k, k->current_version);

    snprintf(out, 65, "%s", e ? e->material_id : "");
}

/* Orders two context entries by their keys' bytes (memcmp, then the
 * shorter first): strcmp's order for keys without U+0000. */
static int key_cmp(const cJSON *a, const cJSON *b)
{
    size_t an = jsonlen_key(a), bn = jsonlen_key(b);
    int c = memcmp(a->string, b->string, an < bn ? an : bn);

    return c ? c : (an > bn) - (an < bn);
}

/* The encryption context in canonical form: pairs sorted by key, each
 * length-prefixed, so that {"a":"bc"} and {"ab":"c"} differ. Keys and
 * values go in by their byte lengths (jsonlen_key / jsonlen_str), so a
 * U+0000 inside one is authenticated like any other byte: {"owner":
 * "alice\u0000bob"} and {"owner":"alice"} are different contexts. For
 * contexts without U+0000 this is byte for byte the form of earlier
 * versions, so stored ciphertexts stay readable. */
static int canonical_context(const cJSON *ctx, buf_t *out)
{
    const cJSON *items[256], *e;
    size_t n = 0, i, j;

    if (ctx == NULL)
        return 0;
    cJSON_ArrayForEach(e, ctx)
    {
        if (n == sizeof items / sizeof items[0])
            return -1;
        items[n++] = e;
    }
    for (i = 1; i < n; i++) /* insertion sort: contexts are small */
        for (j = i; j > 0 && key_cmp(items[j - 1], items[j]) > 0; j--) {
            const cJSON *t = items[j];
            items[j] = items[j - 1];
            items[j - 1] = t;
        }
    for (i = 0; i < n; i++) {
        const char *k = items[i]->string, *v = items[i]->valuestring;
        uint32_t kl = (uint32_t)jsonlen_key(items[i]), vl = (uint32_t)jsonlen_str(items[i]);
        uint8_t len[8] = {(uint8_t)(kl >> 24), (uint8_t)(kl >> 16), (uint8_t)(kl >> 8),
                          (uint8_t)kl,         (uint8_t)(vl >> 24), (uint8_t)(vl >> 16),
                          (uint8_t)(vl >> 8),  (uint8_t)vl};
        if (buf_add(out, len, 4) || buf_add(out, k, kl) || buf_add(out, len + 4, 4) ||
            buf_add(out, v, vl))
            return -1;
    }
    return 0;
}

int kms_seal(svc_req_t *r, const kms_key_t *k, const cJSON *ctx, const uint8_t *pt, size_t n,
             uint8_t **blob, size_t *blen)
{
    const cache_entry_t *m = material(r, k, k->current_version);
    size_t total = BLOB_HEADER + ENVELOPE_OVERHEAD + n;
    uint8_t *b;
    buf_t aad;
    int rc = -1;

    if (m == NULL)
        return svc_error(r, KMS_E_NO_MATERIAL);
    if ((b = malloc(total)) == NULL)
        return svc_error(r, KMS_E_OOM);
    b[0] = BLOB_VERSION;
    memcpy(b + 1, k->id, KMS_ID_LEN);
    b[37] = (uint8_t)((uint32_t)k->current_version >> 24);
    b[38] = (uint8_t)((uint32_t)k->current_version >> 16);
    b[39] = (uint8_t)((uint32_t)k->current_version >> 8);
    b[40] = (uint8_t)k->current_version;
    buf_init(&aad, 0);
    if (buf_add(&aad, b, BLOB_HEADER) != 0 || canonical_context(ctx, &aad) != 0) {
        svc_error(r, KMS_E_CONTEXT_TOO_LARGE);
        goto out;
    }
    if (envelope_seal(m->material, (const uint8_t *)aad.data, aad.len, pt, n, b + BLOB_HEADER) !=
        0) {
        svc_error(r, KMS_E_SEAL);
        goto out;
    }
    *blob = b;
    *blen = total;
    b = NULL;
    rc = 0;
    kms_note_use(r, k->key_id, 1);
out:
    free(b);
    buf_free(&aad);
    return rc;
}

int kms_open_key(svc_req_t *r, const uint8_t *blob, size_t blen, const char *expect_key,
                 kms_key_t *k)
{
    char key_id[KMS_ID_LEN + 1];
    char alias[sizeof k->alias];
    int rc;

    alias[0] = '\0';
    memset(k, 0, sizeof *k);
    if (blen < BLOB_HEADER + ENVELOPE_OVERHEAD || blob[0] != BLOB_VERSION ||
        !kms_is_key_id((const char *)blob + 1, KMS_ID_LEN))
        return svc_error(r, KMS_E_INVALID_CIPHERTEXT, "");
    memcpy(key_id, blob + 1, KMS_ID_LEN);
    key_id[KMS_ID_LEN] = '\0';
    if (expect_key) {
        kms_key_t want;
        if (kms_resolve(r, expect_key, KMS_ALLOW_ALIAS, &want) != 0)
            return -1;
        rc = strcmp(want.id, key_id);
        memcpy(alias, want.alias, sizeof alias); /* kms:RequestAlias */
        kms_key_clear(&want);
        if (rc != 0)
            return svc_error(r, KMS_E_INCORRECT_KEY);
    }
    rc = kms_load_live(r, key_id, k);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, KMS_E_INVALID_CIPHERTEXT, "");
    memcpy(k->alias, alias, sizeof k->alias);
    return 0;
}

int kms_open_with(svc_req_t *r, const kms_key_t *k, const uint8_t *blob, size_t blen,
                  const cJSON *ctx, uint8_t **pt, size_t *ptlen, char material_id[65])
{
    const cache_entry_t *m;
    uint8_t *out = NULL;
    uint32_t v;
    buf_t aad;

    v = (uint32_t)blob[37] << 24 | (uint32_t)blob[38] << 16 | (uint32_t)blob[39] << 8 | blob[40];
    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "ENCRYPT_DECRYPT") != 0 ||
        strcmp(k->key_spec, "SYMMETRIC_DEFAULT") != 0)
        return svc_error(r, KMS_E_DECRYPT_USAGE, k->arn, k->key_usage);
    if (v < 1 || v > (uint32_t)k->current_version || (m = material(r, k, (int)v)) == NULL)
        return svc_error(r, KMS_E_INVALID_CIPHERTEXT, "");
    buf_init(&aad, 0);
    if (buf_add(&aad, blob, BLOB_HEADER) != 0 || canonical_context(ctx, &aad) != 0) {
        buf_free(&aad);
        return svc_error(r, KMS_E_INVALID_CIPHERTEXT, "");
    }
    *ptlen = blen - BLOB_HEADER - ENVELOPE_OVERHEAD;
    out = malloc(*ptlen ? *ptlen : 1);
    if (out == NULL || envelope_open(m->material, (const uint8_t *)aad.data, aad.len,
                                     blob + BLOB_HEADER, blen - BLOB_HEADER, out) != 0) {
        free(out);
        buf_free(&aad);
        return svc_error(r, KMS_E_INVALID_CIPHERTEXT, "");
    }
    buf_free(&aad);
    snprintf(material_id, 65, "%s", m->material_id);
    *pt = out;
    kms_note_use(r, k->key_id, 0);
    return 0;
}

int kms_open(svc_req_t *r, const uint8_t *blob, size_t blen, const cJSON *ctx,
             const char *expect_key, const char *action, kms_key_t *k, uint8_t **pt, size_t *ptlen,
             char material_id[65])
{
    if (kms_open_key(r, blob, blen, expect_key, k) != 0)
        return -1;
    if (kms_authorize(r, k, action, ctx) != 0)
        return -1;
    return kms_open_with(r, k, blob, blen, ctx, pt, ptlen, material_id);
}
