/* creds.c — which principal signed a request, and with which secret:
 * the configured root pair, IAM users' access keys (secrets sealed under
 * the master key) and STS session credentials (token checked by SHA-256).
 * A small direct-mapped cache keeps resolved credentials; any IAM change
 * empties it (authz_changed). */
#include "authz/authz.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "authz/store.h"
#include "base/buf.h"
#include "base/codec.h"
#include "base/partition.h"
#include "storage/db.h"
#include "storage/keyring.h"

#define CACHE_SLOTS 64

typedef struct {
    int used;
    unsigned gen;
    char access_key[129];
    char token_sha[65];  /* sessions: the token they were resolved with */
    authz_cred_t cred;
} slot_t;

static slot_t cache[CACHE_SLOTS];
static unsigned generation = 1;

void authz_changed(void)
{
    generation++;
}

unsigned authz_generation(void)
{
    return generation;
}

static unsigned hash(const char *s)
{
    return authz_fnv(s, strlen(s), 2166136261u);
}

void authz_root_principal(const char *account, const char *region, principal_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = PRINCIPAL_ROOT;
    str_join(out->arn, sizeof out->arn, "arn:", partition_name(region), ":iam::", account, ":root",
             (char *)NULL);
    str_copy(out->user_id, sizeof out->user_id, account);
}

void authz_anonymous_principal(principal_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = PRINCIPAL_ANONYMOUS;
    snprintf(out->arn, sizeof out->arn, "anonymous");
    snprintf(out->user_id, sizeof out->user_id, "anonymous");
}

/* Opens a sealed secret access key (AAD: its access key id). */
static int unseal(emu_t *emu, const char *akid, const void *sealed, int n, char secret[129])
{
    if (sealed == NULL || n <= ENVELOPE_OVERHEAD || n - ENVELOPE_OVERHEAD > 128)
        return -1;
    if (keyring_open(emu->master_key, KEYRING_IAM_SECRET_KEY, akid, strlen(akid), sealed, (size_t)n,
                     (uint8_t *)secret) != 0)
        return -1;
    secret[n - ENVELOPE_OVERHEAD] = '\0';
    return 0;
}

static int user_key(emu_t *emu, const char *akid, authz_cred_t *out)
{
    sqlite3_stmt *st = db_query(emu->db,
                                "SELECT k.secret_sealed, u.arn, u.id, u.name FROM iam_access_keys k "
                                "JOIN iam_users u ON u.account=k.account AND u.name=k.user_name "
                                "WHERE k.access_key_id=?1 AND k.status='Active'",
                                "s", akid);
    int rc = AUTHZ_CRED_UNKNOWN;

    if (db_row(st) == 1 &&
        unseal(emu, akid, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
               out->secret) == 0) {
        out->who.kind = PRINCIPAL_USER;
        str_copy(out->who.arn, sizeof out->who.arn, db_text(st, 1));
        str_copy(out->who.user_id, sizeof out->who.user_id, db_text(st, 2));
        str_copy(out->who.name, sizeof out->who.name, db_text(st, 3));
        rc = AUTHZ_CRED_OK;
    }
    db_done(st);
    return rc;
}

static int session_key(emu_t *emu, const char *akid, const char *token_sha, authz_cred_t *out)
{
    sqlite3_stmt *st = db_query(emu->db,
                                "SELECT secret_sealed, token_sha256, kind, arn, user_id, role_arn, "
                                "source_name, session_name, expires FROM sts_sessions "
                                "WHERE access_key_id=?1",
                                "s", akid);
    int rc = AUTHZ_CRED_UNKNOWN;

    if (db_row(st) == 1) {
        const char *want = (const char *)sqlite3_column_text(st, 1);
        if (want == NULL || CRYPTO_memcmp(want, token_sha, 64) != 0) {
            rc = AUTHZ_CRED_BADTOKEN;
        } else if (unseal(emu, akid, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
                          out->secret) == 0) {
            const char *kind = (const char *)sqlite3_column_text(st, 2);
            out->who.kind = !kind                            ? PRINCIPAL_USER_SESSION
                            : !strcmp(kind, "assumed-role")   ? PRINCIPAL_ROLE_SESSION
                            : !strcmp(kind, "federated-user") ? PRINCIPAL_FEDERATED
                            : !strcmp(kind, "root")           ? PRINCIPAL_ROOT
                                                              : PRINCIPAL_USER_SESSION;
            out->who.temporary = 1;
#define COL(dst, i) str_copy(dst, sizeof dst, db_text(st, i))
            COL(out->who.arn, 3);
            COL(out->who.user_id, 4);
            COL(out->who.role_arn, 5);
            COL(out->who.name, 6);
            COL(out->who.session_name, 7);
#undef COL
            out->expires = sqlite3_column_double(st, 8);
            rc = AUTHZ_CRED_OK;
        }
    }
    db_done(st);
    return rc;
}

int authz_credentials(emu_t *emu, const char *access_key, const char *token, double now,
                    authz_cred_t *out)
{
    const config_t *c = emu->cfg;
    slot_t *s = &cache[hash(access_key) % CACHE_SLOTS];
    char token_sha[65] = "";
    int rc;

    memset(out, 0, sizeof *out);
    if (!strcmp(access_key, c->access_key)) {
        authz_root_principal(c->account_id, NULL, &out->who);
        str_copy(out->secret, sizeof out->secret, c->secret_key);
        return AUTHZ_CRED_OK;
    }
    if (token && token[0]) {
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)token, strlen(token), md);
        codec_hex(md, sizeof md, token_sha);
    }
    if (s->used && s->gen == generation && !strcmp(s->access_key, access_key) &&
        !strcmp(s->token_sha, token_sha)) {
        *out = s->cred;
    } else {
        if (!strncmp(access_key, "ASIA", 4))
            rc = token_sha[0] ? session_key(emu, access_key, token_sha, out) : AUTHZ_CRED_BADTOKEN;
        else
            rc = user_key(emu, access_key, out);
        if (rc != AUTHZ_CRED_OK) {
            OPENSSL_cleanse(out, sizeof *out);
            return rc;
        }
        OPENSSL_cleanse(s, sizeof *s);
        s->used = 1;
        s->gen = generation;
        str_copy(s->access_key, sizeof s->access_key, access_key);
        memcpy(s->token_sha, token_sha, sizeof token_sha);
        s->cred = *out;
    }
    if (out->expires && now >= out->expires) {
        OPENSSL_cleanse(out, sizeof *out);
        return AUTHZ_CRED_EXPIRED;
    }
    return AUTHZ_CRED_OK;
}

void authz_creds_reset(void)
{
    OPENSSL_cleanse(cache, sizeof cache);
    generation++;
}

/* Last-used records are written at most once a minute per key (AWS reports
 * them with hours of granularity); the slot remembers the last write. */
static struct {
    char akid[24];
    double at;
} used[CACHE_SLOTS];

void authz_note_key_use(svc_req_t *r)
{
    const char *ak = r->access_key;
    unsigned i = hash(ak) % CACHE_SLOTS;

    if (r->caller.kind != PRINCIPAL_USER || strncmp(ak, "AKIA", 4) != 0 ||
        strlen(ak) >= sizeof used[i].akid)
        return;
    if (!strcmp(used[i].akid, ak) && r->now - used[i].at < 60)
        return;
    if (db_run(r->emu->db,
               "UPDATE iam_access_keys SET last_used=?2, last_used_service=?3, "
               "last_used_region=?4 WHERE access_key_id=?1",
               "sdss", ak, r->now, r->service, r->region) != 0)
        return;
    memcpy(used[i].akid, ak, strlen(ak) + 1); /* fits: checked above */
    used[i].at = r->now;
}
