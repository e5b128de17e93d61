/* kms.c — the KMS operation table, key resolution, key material (sealed
 * under the master key, cached unwrapped) and the ciphertext blob format. */
#include "services/kms/kms_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "base/utf8.h"
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
    char key_id[KMS_ID_LEN + 1];
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
    snprintf(cache[i].key_id, sizeof cache[i].key_id, "%s", key_id);
    cache[i].version = version;
    memcpy(cache[i].material, m, KMS_MATERIAL_LEN);
    snprintf(cache[i].material_id, sizeof cache[i].material_id, "%s", mid);
    cache_used++;
}

void kms_cache_forget(const char *key_id)
{
    size_t i;

    /* open addressing cannot delete single entries cheaply; forgetting is
     * rare (disable, delete), so wipe everything */
    (void)key_id;
    if (cache == NULL)
        return;
    for (i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].key_id[0] && strcmp(cache[i].key_id, key_id) == 0)
            break;
    if (i < CACHE_SLOTS)
        cache_wipe();
}

void kms_reset(emu_t *emu)
{
    (void)emu;
    cache_wipe();
    kms_attrs_reset();
    kms_usage_forget();
}

void kms_shutdown(void)
{
    cache_wipe();
    kms_attrs_reset();
    free(cache);
    cache = NULL;
}

/* ---- key records ----------------------------------------------------------- */

void kms_key_clear(kms_key_t *k)
{
    free(k->description);
    k->description = NULL;
    free(k->policy);
    k->policy = NULL;
}

/* A text column into dst (n bytes), cut to fit; every request reads a
 * dozen of these, so no printf. */
static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    size_t len = v ? (size_t)sqlite3_column_bytes(st, col) : 0;

    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, v, len);
    dst[len] = '\0';
}

int kms_load(svc_req_t *r, const char *key_id, kms_key_t *k)
{
    static const char sql[] =
        "SELECT key_id, arn, account, region, description, key_usage, key_spec, origin, "
        "key_manager, state, created, deletion_date, pending_window, rotation_enabled, "
        "rotation_period, next_rotation, multi_region, current_version, ondemand_count, "
        "policy FROM kms_keys WHERE key_id=?1 AND account=?2 AND region=?3";
    sqlite3_stmt *st = db_stmt(r->emu->db, sql);
    int rc;

    memset(k, 0, sizeof *k);
    if (st == NULL)
        return svc_error(r, 500, "KMSInternalException", "Internal database error.");
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->region, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return svc_error(r, 500, "KMSInternalException", "Internal database error.");
    copy_col(st, 0, k->key_id, sizeof k->key_id);
    copy_col(st, 1, k->arn, sizeof k->arn);
    copy_col(st, 2, k->account, sizeof k->account);
    copy_col(st, 3, k->region, sizeof k->region);
    k->description = strdup((const char *)sqlite3_column_text(st, 4));
    copy_col(st, 5, k->key_usage, sizeof k->key_usage);
    copy_col(st, 6, k->key_spec, sizeof k->key_spec);
    copy_col(st, 7, k->origin, sizeof k->origin);
    copy_col(st, 8, k->key_manager, sizeof k->key_manager);
    copy_col(st, 9, k->state, sizeof k->state);
    k->created = sqlite3_column_double(st, 10);
    k->deletion_date = sqlite3_column_double(st, 11);
    k->pending_window = sqlite3_column_int(st, 12);
    k->rotation_enabled = sqlite3_column_int(st, 13);
    k->rotation_period = sqlite3_column_int(st, 14);
    k->next_rotation = sqlite3_column_double(st, 15);
    k->multi_region = sqlite3_column_int(st, 16);
    k->current_version = sqlite3_column_int(st, 17);
    k->ondemand_count = sqlite3_column_int(st, 18);
    /* the key policy decides every request in --iam enforce mode */
    if (r->emu->cfg->iam_enforce && sqlite3_column_text(st, 19) != NULL &&
        (k->policy = strdup((const char *)sqlite3_column_text(st, 19))) == NULL) {
        sqlite3_reset(st);
        kms_key_clear(k);
        return svc_error(r, 500, "KMSInternalException", "Out of memory.");
    }
    sqlite3_reset(st);
    if (k->description == NULL) {
        kms_key_clear(k);
        return svc_error(r, 500, "KMSInternalException", "Out of memory.");
    }
    return 1;
}

/* Applies what time has brought: deletion after the window, automatic
 * rotation. Returns 1 when the key still exists, 0 when it was deleted. */
static int maintain(svc_req_t *r, kms_key_t *k)
{
    if (!strcmp(k->state, "PendingDeletion") && k->deletion_date <= r->now) {
        sqlite3_stmt *st = db_stmt(r->emu->db, "DELETE FROM kms_keys WHERE key_id=?1");
        if (st) {
            sqlite3_bind_text(st, 1, k->key_id, -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
        kms_cache_forget(k->key_id);
        return 0;
    }
    if (k->rotation_enabled && !strcmp(k->state, "Enabled") && k->next_rotation > 0 &&
        k->next_rotation <= r->now && k->rotation_period > 0) {
        int n = 0;
        double when = k->next_rotation, now = r->now;
        while (when <= now && n++ < 64) {
            r->now = when; /* the rotation happened when it was due */
            if (kms_add_material(r, k, "AUTOMATIC") != 0)
                break;
            when += (double)k->rotation_period * 86400.0;
        }
        r->now = now;
        k->next_rotation = when;
        {
            sqlite3_stmt *st =
                db_stmt(r->emu->db, "UPDATE kms_keys SET next_rotation=?2 WHERE key_id=?1");
            if (st) {
                sqlite3_bind_text(st, 1, k->key_id, -1, SQLITE_STATIC);
                sqlite3_bind_double(st, 2, when);
                sqlite3_step(st);
                sqlite3_reset(st);
            }
        }
    }
    return 1;
}

/* dst (a kms_key_t's alias) = src, cut to fit. */
static void set_alias(char dst[KMS_ALIAS_LEN + 1], const char *src)
{
    size_t n = strlen(src);

    if (n > KMS_ALIAS_LEN)
        n = KMS_ALIAS_LEN;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int not_found_key(svc_req_t *r, const char *key_id)
{
    return svc_error(r, 400, "NotFoundException", "Key 'arn:aws:kms:%s:%s:key/%s' does not exist",
                     r->region, r->account, key_id);
}

int kms_resolve(svc_req_t *r, const char *ref, int flags, kms_key_t *out)
{
    char key_id[KMS_ID_LEN + 1], alias[300], prefix[200];
    const char *id = NULL;
    size_t plen;
    int rc;

    memset(out, 0, sizeof *out);
    alias[0] = '\0';
    plen = (size_t)snprintf(prefix, sizeof prefix, "arn:aws:kms:%s:%s:", r->region, r->account);
    if (codec_is_uuid(ref, strlen(ref))) {
        id = ref;
    } else if (!strncmp(ref, "arn:", 4)) {
        if (strncmp(ref, prefix, plen) != 0) {
            /* another region or account: not visible from here */
            if (strstr(ref, ":key/") || strstr(ref, ":alias/"))
                return svc_error(r, 400, "NotFoundException", "Key '%s' does not exist", ref);
            return svc_error(r, 400, "NotFoundException", "Invalid arn %s", ref);
        }
        if (!strncmp(ref + plen, "key/", 4) &&
            codec_is_uuid(ref + plen + 4, strlen(ref + plen + 4)))
            id = ref + plen + 4;
        else if (!strncmp(ref + plen, "alias/", 6) && (flags & KMS_ALLOW_ALIAS))
            snprintf(alias, sizeof alias, "%s", ref + plen);
        else
            return svc_error(r, 400, "NotFoundException", "Invalid arn %s", ref);
    } else if (!strncmp(ref, "alias/", 6) && (flags & KMS_ALLOW_ALIAS)) {
        snprintf(alias, sizeof alias, "%s", ref);
    } else {
        return svc_error(r, 400, "NotFoundException", "Invalid keyId '%s'", ref);
    }
    if (alias[0]) {
        sqlite3_stmt *st = db_stmt(r->emu->db, "SELECT key_id FROM kms_aliases WHERE "
                                               "account=?1 AND region=?2 AND name=?3");
        if (st == NULL)
            return svc_error(r, 500, "KMSInternalException", "Internal database error.");
        sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, alias, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            return svc_error(r, 400, "NotFoundException",
                             "Alias arn:aws:kms:%s:%s:%s is not found.", r->region, r->account,
                             alias);
        }
        copy_col(st, 0, key_id, sizeof key_id);
        sqlite3_reset(st);
        id = key_id;
    }
    /* key ids are case-insensitive hex; we store lowercase */
    {
        char low[KMS_ID_LEN + 1];
        size_t i;
        for (i = 0; i < KMS_ID_LEN; i++)
            low[i] = (char)((id[i] >= 'A' && id[i] <= 'F') ? id[i] + 32 : id[i]);
        low[KMS_ID_LEN] = '\0';
        rc = kms_load(r, low, out);
        if (rc < 0)
            return -1;
        if (rc == 0 || !maintain(r, out)) {
            kms_key_clear(out);
            return not_found_key(r, low);
        }
    }
    set_alias(out->alias, alias);
    if (!(flags & KMS_NO_AUTHZ) &&
        kms_authorize(r, out, (flags & KMS_AUTHZ_REENCRYPT_TO) ? "kms:ReEncryptTo" : NULL, NULL) !=
            0) {
        kms_key_clear(out);
        return -1;
    }
    return 0;
}

int kms_require_enabled(svc_req_t *r, const kms_key_t *k)
{
    if (!strcmp(k->state, "Enabled"))
        return 0;
    if (!strcmp(k->state, "Disabled"))
        return svc_error(r, 400, "DisabledException", "%s is disabled.", k->arn);
    if (!strcmp(k->state, "PendingDeletion"))
        return svc_error(r, 400, "KMSInvalidStateException", "%s is pending deletion.", k->arn);
    return svc_error(r, 400, "KMSInvalidStateException", "%s is %s.", k->arn, k->state);
}

int kms_require_not_pending(svc_req_t *r, const kms_key_t *k)
{
    if (!strcmp(k->state, "PendingDeletion"))
        return svc_error(r, 400, "KMSInvalidStateException", "%s is pending deletion.", k->arn);
    return 0;
}

int kms_dry_run(svc_req_t *r, const cJSON *in)
{
    int dry = 0;

    if (json_bool(r, in, "DryRun", &dry, NULL) != 0)
        return -1;
    if (dry)
        return svc_error(r, 412, "DryRunOperationException",
                         "The request would have succeeded, but the DryRun parameter was set.");
    return 0;
}

void kms_purge_due(svc_req_t *r)
{
    sqlite3_stmt *st = db_stmt(r->emu->db, "DELETE FROM kms_keys WHERE account=?1 AND region=?2 "
                                           "AND state='PendingDeletion' AND deletion_date<=?3");

    if (st == NULL)
        return;
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, r->now);
    sqlite3_step(st);
    sqlite3_reset(st);
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
    char ref[256], mid[65];
    sqlite3_stmt *st;
    int rc = -1;

    codec_random(m, sizeof m);
    codec_random(idb, sizeof idb);
    codec_hex(idb, sizeof idb, mid);
    material_ref(arn, version, ref, sizeof ref);
    if (keyring_seal(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref), m, sizeof m,
                     wrapped) != 0)
        goto out;
    st = db_stmt(r->emu->db, "INSERT INTO kms_key_material (key_id, version, material_id, "
                             "wrapped, created, rotation_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (st == NULL)
        goto out;
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, version);
    sqlite3_bind_text(st, 3, mid, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, wrapped, sizeof wrapped, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, now);
    if (rotation_type)
        sqlite3_bind_text(st, 6, rotation_type, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = 0;
    sqlite3_reset(st);
    if (rc == 0)
        cache_put(key_id, version, m, mid);
out:
    OPENSSL_cleanse(m, sizeof m);
    if (rc != 0)
        svc_error(r, 500, "KMSInternalException", "Could not store key material.");
    return rc;
}

int kms_new_material(svc_req_t *r, const char *key_id, const char *arn, double now)
{
    return store_material(r, key_id, arn, 1, now, NULL);
}

int kms_add_material(svc_req_t *r, kms_key_t *k, const char *type)
{
    int v = k->current_version + 1;
    sqlite3_stmt *st;

    if (store_material(r, k->key_id, k->arn, v, r->now, type) != 0)
        return -1;
    st = db_stmt(r->emu->db, "UPDATE kms_keys SET current_version=?2, ondemand_count="
                             "ondemand_count + ?3 WHERE key_id=?1");
    if (st == NULL)
        return svc_error(r, 500, "KMSInternalException", "Internal database error.");
    sqlite3_bind_text(st, 1, k->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, v);
    sqlite3_bind_int(st, 3, !strcmp(type, "ON_DEMAND"));
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return svc_error(r, 500, "KMSInternalException", "Internal database error.");
    }
    sqlite3_reset(st);
    k->current_version = v;
    return 0;
}

/* Finds (cache) or unwraps (database) material version v of k. */
static const cache_entry_t *material(svc_req_t *r, const kms_key_t *k, int v)
{
    const cache_entry_t *e = cache_find(k->key_id, v);
    uint8_t m[KMS_MATERIAL_LEN];
    char ref[256], mid[65];
    sqlite3_stmt *st;
    int ok = 0;

    if (e)
        return e;
    st =
        db_stmt(r->emu->db,
                "SELECT wrapped, material_id FROM kms_key_material WHERE key_id=?1 AND version=?2");
    if (st == NULL)
        return NULL;
    sqlite3_bind_text(st, 1, k->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, v);
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_bytes(st, 0) == KMS_MATERIAL_LEN + ENVELOPE_OVERHEAD) {
        material_ref(k->arn, v, ref, sizeof ref);
        copy_col(st, 1, mid, sizeof mid);
        ok = keyring_open(r->emu->master_key, KEYRING_KMS_MATERIAL, ref, strlen(ref),
                          sqlite3_column_blob(st, 0), KMS_MATERIAL_LEN + ENVELOPE_OVERHEAD, m) == 0;
    }
    sqlite3_reset(st);
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
        return svc_error(r, 500, "KMSInternalException", "Key material is unavailable.");
    if ((b = malloc(total)) == NULL)
        return svc_error(r, 500, "KMSInternalException", "Out of memory.");
    b[0] = BLOB_VERSION;
    memcpy(b + 1, k->key_id, KMS_ID_LEN);
    b[37] = (uint8_t)((uint32_t)k->current_version >> 24);
    b[38] = (uint8_t)((uint32_t)k->current_version >> 16);
    b[39] = (uint8_t)((uint32_t)k->current_version >> 8);
    b[40] = (uint8_t)k->current_version;
    buf_init(&aad, 0);
    if (buf_add(&aad, b, BLOB_HEADER) != 0 || canonical_context(ctx, &aad) != 0) {
        svc_error(r, 400, "ValidationException", "The encryption context is too large.");
        goto out;
    }
    if (envelope_seal(m->material, (const uint8_t *)aad.data, aad.len, pt, n, b + BLOB_HEADER) !=
        0) {
        svc_error(r, 500, "KMSInternalException", "Encryption failed.");
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

int kms_open(svc_req_t *r, const uint8_t *blob, size_t blen, const cJSON *ctx,
             const char *expect_key, kms_key_t *k, uint8_t **pt, size_t *ptlen,
             char material_id[65])
{
    char key_id[KMS_ID_LEN + 1];
    const cache_entry_t *m;
    uint8_t *out = NULL;
    uint32_t v;
    char alias[sizeof k->alias];
    buf_t aad;
    int rc;

    alias[0] = '\0';
    memset(k, 0, sizeof *k);
    if (blen < BLOB_HEADER + ENVELOPE_OVERHEAD || blob[0] != BLOB_VERSION ||
        !codec_is_uuid((const char *)blob + 1, KMS_ID_LEN))
        return svc_error(r, 400, "InvalidCiphertextException", "%s", "");
    memcpy(key_id, blob + 1, KMS_ID_LEN);
    key_id[KMS_ID_LEN] = '\0';
    v = (uint32_t)blob[37] << 24 | (uint32_t)blob[38] << 16 | (uint32_t)blob[39] << 8 | blob[40];
    if (expect_key) {
        kms_key_t want;
        if (kms_resolve(r, expect_key, KMS_ALLOW_ALIAS | KMS_NO_AUTHZ, &want) != 0)
            return -1;
        rc = strcmp(want.key_id, key_id);
        set_alias(alias, want.alias); /* kms:RequestAlias */
        kms_key_clear(&want);
        if (rc != 0)
            return svc_error(r, 400, "IncorrectKeyException",
                             "The key ID in the request does not identify a CMK that can perform "
                             "this operation.");
    }
    rc = kms_load(r, key_id, k);
    if (rc < 0)
        return -1;
    if (rc == 0 || !maintain(r, k)) {
        kms_key_clear(k);
        return svc_error(r, 400, "InvalidCiphertextException", "%s", "");
    }
    set_alias(k->alias, alias);
    if (kms_authorize(r, k,
                      !strcmp(r->service, "kms") && !strcmp(r->operation, "ReEncrypt")
                          ? "kms:ReEncryptFrom"
                          : NULL,
                      ctx) != 0)
        return -1;
    if (kms_require_enabled(r, k) != 0)
        return -1;
    if (strcmp(k->key_usage, "ENCRYPT_DECRYPT") != 0 ||
        strcmp(k->key_spec, "SYMMETRIC_DEFAULT") != 0)
        return svc_error(r, 400, "InvalidKeyUsageException",
                         "%s key usage is %s which is not valid for Decrypt.", k->arn,
                         k->key_usage);
    if (v < 1 || v > (uint32_t)k->current_version || (m = material(r, k, (int)v)) == NULL)
        return svc_error(r, 400, "InvalidCiphertextException", "%s", "");
    buf_init(&aad, 0);
    if (buf_add(&aad, blob, BLOB_HEADER) != 0 || canonical_context(ctx, &aad) != 0) {
        buf_free(&aad);
        return svc_error(r, 400, "InvalidCiphertextException", "%s", "");
    }
    *ptlen = blen - BLOB_HEADER - ENVELOPE_OVERHEAD;
    out = malloc(*ptlen ? *ptlen : 1);
    if (out == NULL || envelope_open(m->material, (const uint8_t *)aad.data, aad.len,
                                     blob + BLOB_HEADER, blen - BLOB_HEADER, out) != 0) {
        free(out);
        buf_free(&aad);
        return svc_error(r, 400, "InvalidCiphertextException", "%s", "");
    }
    buf_free(&aad);
    snprintf(material_id, 65, "%s", m->material_id);
    *pt = out;
    kms_note_use(r, key_id, 0);
    return 0;
}

/* ---- shared pieces ------------------------------------------------------- */

cJSON *kms_metadata(svc_req_t *r, const kms_key_t *k)
{
    cJSON *m = cJSON_CreateObject(), *algs;
    char mid[65];

    cJSON_AddStringToObject(m, "AWSAccountId", k->account);
    cJSON_AddStringToObject(m, "KeyId", k->key_id);
    cJSON_AddStringToObject(m, "Arn", k->arn);
    json_put_time(m, "CreationDate", k->created);
    cJSON_AddBoolToObject(m, "Enabled", !strcmp(k->state, "Enabled"));
    cJSON_AddStringToObject(m, "Description", k->description ? k->description : "");
    cJSON_AddStringToObject(m, "KeyUsage", k->key_usage);
    cJSON_AddStringToObject(m, "KeyState", k->state);
    if (!strcmp(k->state, "PendingDeletion")) {
        json_put_time(m, "DeletionDate", k->deletion_date);
        cJSON_AddNumberToObject(m, "PendingDeletionWindowInDays", k->pending_window);
    }
    cJSON_AddStringToObject(m, "Origin", k->origin);
    cJSON_AddStringToObject(m, "KeyManager", k->key_manager);
    cJSON_AddStringToObject(m, "CustomerMasterKeySpec", k->key_spec);
    cJSON_AddStringToObject(m, "KeySpec", k->key_spec);
    algs = cJSON_AddArrayToObject(m, "EncryptionAlgorithms");
    cJSON_AddItemToArray(algs, cJSON_CreateString("SYMMETRIC_DEFAULT"));
    cJSON_AddBoolToObject(m, "MultiRegion", k->multi_region);
    kms_current_material_id(r, k, mid);
    if (mid[0])
        cJSON_AddStringToObject(m, "CurrentKeyMaterialId", mid);
    return m;
}

char *kms_default_policy(const char *account)
{
    buf_t b;

    buf_init(&b, 0);
    buf_printf(&b,
               "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
               "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
               "    \"Effect\" : \"Allow\",\n"
               "    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::%s:root\"\n    },\n"
               "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}",
               account);
    return buf_steal(&b, NULL);
}

static int policy_err(svc_req_t *r, const char *why)
{
    return svc_error(r, 400, "MalformedPolicyDocumentException", "%s", why);
}

static int check_statement(svc_req_t *r, const cJSON *s)
{
    const cJSON *v;

    if (!cJSON_IsObject(s))
        return policy_err(r, "A policy statement is not a JSON object.");
    v = cJSON_GetObjectItemCaseSensitive(s, "Effect");
    if (!cJSON_IsString(v) || (strcmp(v->valuestring, "Allow") && strcmp(v->valuestring, "Deny")))
        return policy_err(r, "Policy statement Effect must be Allow or Deny.");
    if (!cJSON_GetObjectItemCaseSensitive(s, "Principal") &&
        !cJSON_GetObjectItemCaseSensitive(s, "NotPrincipal"))
        return policy_err(r, "Policy contains a statement with no principal.");
    if (!cJSON_GetObjectItemCaseSensitive(s, "Action") &&
        !cJSON_GetObjectItemCaseSensitive(s, "NotAction"))
        return policy_err(r, "Policy contains a statement with no action.");
    if (!cJSON_GetObjectItemCaseSensitive(s, "Resource") &&
        !cJSON_GetObjectItemCaseSensitive(s, "NotResource"))
        return policy_err(r, "Policy contains a statement with no resource.");
    return 0;
}

int kms_check_policy(svc_req_t *r, const char *doc)
{
    cJSON *p = cJSON_Parse(doc);
    const cJSON *stmts, *s, *v;
    int rc = 0;

    if (p == NULL || !cJSON_IsObject(p)) {
        cJSON_Delete(p);
        return policy_err(r, "The policy is not a valid JSON object.");
    }
    v = cJSON_GetObjectItemCaseSensitive(p, "Version");
    stmts = cJSON_GetObjectItemCaseSensitive(p, "Statement");
    if (v && (!cJSON_IsString(v) ||
              (strcmp(v->valuestring, "2012-10-17") && strcmp(v->valuestring, "2008-10-17"))))
        rc = policy_err(r, "Policy Version is invalid.");
    else if (cJSON_IsObject(stmts))
        rc = check_statement(r, stmts);
    else if (!cJSON_IsArray(stmts) || cJSON_GetArraySize(stmts) == 0)
        rc = policy_err(r, "Policy is missing required element - Statement.");
    else
        cJSON_ArrayForEach(s, stmts) if (rc == 0) rc = check_statement(r, s);
    cJSON_Delete(p);
    return rc;
}

int kms_put_tags(svc_req_t *r, const char *key_id, const cJSON *tags)
{
    const cJSON *t;
    sqlite3_stmt *st;

    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "TagKey");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "TagValue");
        if (!cJSON_IsObject(t) || !cJSON_IsString(k) || !cJSON_IsString(v))
            return svc_error(r, 400, "ValidationException",
                             "1 validation error detected: Value null at 'tags.member.tagKey' "
                             "failed to satisfy constraint: Member must not be null");
        /* characters, as AWS counts them */
        if (jsonlen_str(k) < 1 || utf8_count(k->valuestring, jsonlen_str(k)) > 128 ||
            utf8_count(v->valuestring, jsonlen_str(v)) > 256)
            return svc_error(r, 400, "TagException",
                             "Tag key must be 1 to 128 characters and tag "
                             "value at most 256 characters.");
        if (!strncmp(k->valuestring, "aws:", 4))
            return svc_error(r, 400, "TagException", "Tags beginning with aws: are reserved.");
    }
    kms_attrs_changed();
    cJSON_ArrayForEach(t, tags)
    {
        st = db_stmt(r->emu->db, "INSERT OR REPLACE INTO kms_tags (key_id, tag_key, tag_value) "
                                 "VALUES (?1, ?2, ?3)");
        if (st == NULL)
            return svc_error(r, 500, "KMSInternalException", "Internal database error.");
        sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
        {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "TagKey");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "TagValue");
            db_bind_str(st, 2, k->valuestring, jsonlen_str(k));
            db_bind_str(st, 3, v->valuestring, jsonlen_str(v));
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_reset(st);
            return svc_error(r, 500, "KMSInternalException", "Internal database error.");
        }
        sqlite3_reset(st);
    }
    st = db_stmt(r->emu->db, "SELECT count(*) FROM kms_tags WHERE key_id=?1");
    if (st) {
        int n;
        sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
        n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_reset(st);
        if (n > 50)
            return svc_error(r, 400, "LimitExceededException",
                             "A KMS key can have at most 50 tags.");
    }
    return 0;
}

int kms_marker_parse(svc_req_t *r, const cJSON *in, long *offset)
{
    const char *m = NULL;
    char *end;
    long v;

    *offset = 0;
    if (json_str(r, in, "Marker", 0, 1, 1024, &m) != 0)
        return -1;
    if (m == NULL)
        return 0;
    if (strncmp(m, "awsemu-", 7) != 0 || (v = strtol(m + 7, &end, 10)) < 0 || *end != '\0')
        return svc_error(r, 400, "InvalidMarkerException",
                         "The request was rejected because the marker that specifies where "
                         "pagination should next begin is not valid.");
    *offset = v;
    return 0;
}

void kms_marker_put(cJSON *out, long next_offset, int truncated)
{
    char m[32];

    cJSON_AddBoolToObject(out, "Truncated", truncated);
    if (truncated) {
        snprintf(m, sizeof m, "awsemu-%ld", next_offset);
        cJSON_AddStringToObject(out, "NextMarker", m);
    }
}

/* ---- for other services -------------------------------------------------- */

int kms_data_key(svc_req_t *r, const char *key_ref, const cJSON *ctx, uint8_t *dk, size_t n,
                 uint8_t **blob, size_t *blen, char key_arn[160])
{
    kms_key_t k;
    int rc = -1;

    if (kms_resolve(r, key_ref, KMS_ALLOW_ALIAS | KMS_NO_AUTHZ, &k) != 0)
        return -1;
    if (kms_authorize(r, &k, "kms:GenerateDataKey", ctx) != 0) {
        kms_key_clear(&k);
        return -1;
    }
    if (kms_require_enabled(r, &k) == 0) {
        codec_random(dk, n);
        rc = kms_seal(r, &k, ctx, dk, n, blob, blen);
        if (rc == 0)
            snprintf(key_arn, 160, "%s", k.arn);
        else
            OPENSSL_cleanse(dk, n);
    }
    kms_key_clear(&k);
    return rc;
}

int kms_unwrap(svc_req_t *r, const uint8_t *blob, size_t blen, const cJSON *ctx, uint8_t *dk,
               size_t n, char key_arn[160])
{
    kms_key_t k;
    uint8_t *pt = NULL;
    size_t ptlen = 0;
    char mid[65];
    int rc;

    rc = kms_open(r, blob, blen, ctx, NULL, &k, &pt, &ptlen, mid);
    if (rc == 0 && ptlen != n)
        rc = svc_error(r, 400, "InvalidCiphertextException", "%s", "");
    if (rc == 0) {
        memcpy(dk, pt, n);
        snprintf(key_arn, 160, "%s", k.arn);
    }
    if (pt) {
        OPENSSL_cleanse(pt, ptlen);
        free(pt);
    }
    kms_key_clear(&k);
    return rc;
}

/* ---- the table ------------------------------------------------------------- */

static const svc_op_t ops[] = {
    SVC_OP("CancelKeyDeletion", json, kms_op_cancel_key_deletion, "kms:CancelKeyDeletion", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("ConnectCustomKeyStore", json, kms_op_custom_key_store, "kms:ConnectCustomKeyStore",
           NULL, OP_MUTATES),
    SVC_OP("CreateAlias", json, kms_op_create_alias, "kms:CreateAlias", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("CreateCustomKeyStore", json, kms_op_create_custom_key_store, "kms:CreateCustomKeyStore",
           NULL, OP_MUTATES),
    SVC_OP("CreateGrant", json, kms_op_create_grant, "kms:CreateGrant", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("CreateKey", json, kms_op_create_key, "kms:CreateKey", NULL,
           OP_MUTATES | OP_AUTHZ_SELF), /* kms_authorize_create_key */
    SVC_OP("Decrypt", json, kms_op_decrypt, "kms:Decrypt", NULL, OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("DeleteAlias", json, kms_op_delete_alias, "kms:DeleteAlias", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("DeleteCustomKeyStore", json, kms_op_custom_key_store, "kms:DeleteCustomKeyStore", NULL,
           OP_MUTATES),
    SVC_OP("DeleteImportedKeyMaterial", json, kms_op_import, "kms:DeleteImportedKeyMaterial", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("DeriveSharedSecret", json, kms_op_asymmetric_only, "kms:DeriveSharedSecret", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("DescribeCustomKeyStores", json, kms_op_describe_custom_key_stores,
           "kms:DescribeCustomKeyStores", NULL, 0),
    SVC_OP("DescribeKey", json, kms_op_describe_key, "kms:DescribeKey", NULL, OP_AUTHZ_SELF),
    SVC_OP("DisableKey", json, kms_op_disable_key, "kms:DisableKey", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("DisableKeyRotation", json, kms_op_disable_key_rotation, "kms:DisableKeyRotation", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("DisconnectCustomKeyStore", json, kms_op_custom_key_store,
           "kms:DisconnectCustomKeyStore", NULL, OP_MUTATES),
    SVC_OP("EnableKey", json, kms_op_enable_key, "kms:EnableKey", NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("EnableKeyRotation", json, kms_op_enable_key_rotation, "kms:EnableKeyRotation", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("Encrypt", json, kms_op_encrypt, "kms:Encrypt", NULL, OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("GenerateDataKey", json, kms_op_generate_data_key, "kms:GenerateDataKey", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("GenerateDataKeyPair", json, kms_op_asymmetric_only, "kms:GenerateDataKeyPair", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("GenerateDataKeyPairWithoutPlaintext", json, kms_op_asymmetric_only,
           "kms:GenerateDataKeyPairWithoutPlaintext", NULL, OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("GenerateDataKeyWithoutPlaintext", json, kms_op_generate_data_key_without_plaintext,
           "kms:GenerateDataKeyWithoutPlaintext", NULL, OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("GenerateMac", json, kms_op_asymmetric_only, "kms:GenerateMac", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("GenerateRandom", json, kms_op_generate_random, "kms:GenerateRandom", NULL, 0),
    SVC_OP("GetKeyLastUsage", json, kms_op_get_key_last_usage, "kms:GetKeyLastUsage", NULL,
           OP_AUTHZ_SELF),
    SVC_OP("GetKeyPolicy", json, kms_op_get_key_policy, "kms:GetKeyPolicy", NULL, OP_AUTHZ_SELF),
    SVC_OP("GetKeyRotationStatus", json, kms_op_get_key_rotation_status, "kms:GetKeyRotationStatus",
           NULL, OP_AUTHZ_SELF),
    SVC_OP("GetParametersForImport", json, kms_op_import, "kms:GetParametersForImport", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("GetPublicKey", json, kms_op_get_public_key, "kms:GetPublicKey", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("ImportKeyMaterial", json, kms_op_import, "kms:ImportKeyMaterial", NULL,
           OP_MUTATES | OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("ListAliases", json, kms_op_list_aliases, "kms:ListAliases", NULL, 0),
    SVC_OP("ListGrants", json, kms_op_list_grants, "kms:ListGrants", NULL, OP_AUTHZ_SELF),
    SVC_OP("ListKeyPolicies", json, kms_op_list_key_policies, "kms:ListKeyPolicies", NULL,
           OP_AUTHZ_SELF),
    SVC_OP("ListKeyRotations", json, kms_op_list_key_rotations, "kms:ListKeyRotations", NULL,
           OP_AUTHZ_SELF),
    SVC_OP("ListKeys", json, kms_op_list_keys, "kms:ListKeys", NULL, 0),
    SVC_OP("ListResourceTags", json, kms_op_list_resource_tags, "kms:ListResourceTags", NULL,
           OP_AUTHZ_SELF),
    SVC_OP("ListRetirableGrants", json, kms_op_list_retirable_grants, "kms:ListRetirableGrants",
           NULL, 0),
    SVC_OP("PutKeyPolicy", json, kms_op_put_key_policy, "kms:PutKeyPolicy", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("ReEncrypt", json, kms_op_re_encrypt, "kms:ReEncrypt", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("ReplicateKey", json, kms_op_multi_region, "kms:ReplicateKey", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("RetireGrant", json, kms_op_retire_grant, "kms:RetireGrant", NULL,
           OP_MUTATES | OP_AUTHZ_SELF), /* kms_authorize_retire */
    SVC_OP("RevokeGrant", json, kms_op_revoke_grant, "kms:RevokeGrant", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("RotateKeyOnDemand", json, kms_op_rotate_key_on_demand, "kms:RotateKeyOnDemand", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("ScheduleKeyDeletion", json, kms_op_schedule_key_deletion, "kms:ScheduleKeyDeletion",
           NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("Sign", json, kms_op_asymmetric_only, "kms:Sign", NULL, OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("TagResource", json, kms_op_tag_resource, "kms:TagResource", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("UntagResource", json, kms_op_untag_resource, "kms:UntagResource", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("UpdateAlias", json, kms_op_update_alias, "kms:UpdateAlias", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("UpdateCustomKeyStore", json, kms_op_custom_key_store, "kms:UpdateCustomKeyStore", NULL,
           OP_MUTATES),
    SVC_OP("UpdateKeyDescription", json, kms_op_update_key_description, "kms:UpdateKeyDescription",
           NULL, OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("UpdatePrimaryRegion", json, kms_op_multi_region, "kms:UpdatePrimaryRegion", NULL,
           OP_MUTATES | OP_AUTHZ_SELF),
    SVC_OP("Verify", json, kms_op_asymmetric_only, "kms:Verify", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
    SVC_OP("VerifyMac", json, kms_op_asymmetric_only, "kms:VerifyMac", NULL,
           OP_KEY_MATERIAL | OP_AUTHZ_SELF),
};

static void kms_stop(emu_t *emu)
{
    kms_usage_flush(emu);
    kms_shutdown();
}

static const char *const signing_names[] = {"kms", NULL};

const svc_def_t kms_def = {
    .name = "kms",
    .signing_names = signing_names,
    .proto = SVC_JSON,
    .target = "TrentService",
    .ops = ops,
    .nops = sizeof ops / sizeof ops[0],
    .reset = kms_reset,
    .shutdown = kms_stop,
};
