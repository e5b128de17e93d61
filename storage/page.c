/* page.c — keyset paging tokens and their binding. */
#include "storage/page.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "base/codec.h"
#include "storage/keyring.h"
#include "base/evp.h"

#define TOKEN_VERSION 1
#define MAC_LEN 16 /* HMAC-SHA256 truncated: 128 bits cannot be guessed */
_Static_assert(PAGE_TOKEN_LEN(0, 0) == ((2 + MAC_LEN) * 4 + 2) / 3, "PAGE_TOKEN_LEN counts the MAC");
/* version, count, each key's type and 8 bytes (or a 2-byte length and
 * its text), the MAC */
#define RECORD_MAX (2 + PAGE_MAX_KEYS * 9 + PAGE_KEY_BYTES + MAC_LEN)
_Static_assert((RECORD_MAX + 2) / 3 * 4 < PAGE_TOKEN_MAX, "PAGE_TOKEN_MAX holds any token");

void page_key_init(page_key_t *k)
{
    k->n = 0;
    k->used = 0;
}

int page_key_int(page_key_t *k, long long v)
{
    if (k->n >= PAGE_MAX_KEYS)
        return -1;
    k->k[k->n].type = 'l';
    k->k[k->n++].l = v;
    return 0;
}

int page_key_real(page_key_t *k, double v)
{
    if (k->n >= PAGE_MAX_KEYS)
        return -1;
    k->k[k->n].type = 'd';
    k->k[k->n++].d = v;
    return 0;
}

int page_key_text(page_key_t *k, const char *s, size_t n)
{
    if (k->n >= PAGE_MAX_KEYS || n > PAGE_KEY_BYTES - k->used)
        return -1;
    if (n)
        memcpy(k->text + k->used, s, n);
    k->k[k->n].type = 't';
    k->k[k->n].off = k->used;
    k->k[k->n++].len = n;
    k->used += n;
    return 0;
}

int page_key_row(page_key_t *k, sqlite3_stmt *st, int col, int n)
{
    int i, rc = 0;

    page_key_init(k);
    for (i = col; i < col + n && rc == 0; i++) {
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            rc = page_key_int(k, sqlite3_column_int64(st, i));
            break;
        case SQLITE_FLOAT:
            rc = page_key_real(k, sqlite3_column_double(st, i));
            break;
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
            const char *s = (const char *)sqlite3_column_text(st, i);
            rc = page_key_text(k, s ? s : "", (size_t)sqlite3_column_bytes(st, i));
            break;
        }
        default: /* NULL never compares greater: it cannot key a page */
            rc = -1;
        }
    }
    return rc;
}

const char *page_key_str(const page_key_t *k, int i, size_t *len)
{
    if (i < 0 || i >= k->n || k->k[i].type != 't')
        return NULL;
    *len = k->k[i].len;
    return k->text + k->k[i].off;
}

/* ---- the token: version | n | keys | MAC, base64url ----------------------- */

static void put_u64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* HMAC over a domain string, the scope's SHA-256 and the record (fixed
 * widths before the record: no two (scope, record) pairs share input).
 * Returns 0 or -1. */
static int mac(const uint8_t master[ENVELOPE_KEY_LEN], const char *scope, const uint8_t *rec,
               size_t n, uint8_t out[MAC_LEN])
{
    static const char domain[] = "awsemu:page-token:v1";
    uint8_t key[32], md[32], in[sizeof domain + 32 + RECORD_MAX];
    unsigned int mdlen = 0;
    int rc = -1;

    if (n > RECORD_MAX || keyring_subkey(master, KEYRING_SUBKEY_PAGE_TOKEN, key) != 0)
        return -1;
    memcpy(in, domain, sizeof domain);
    SHA256((const uint8_t *)scope, strlen(scope), in + sizeof domain);
    memcpy(in + sizeof domain + 32, rec, n);
    if (HMAC(evp_sha256(), key, sizeof key, in, sizeof domain + 32 + n, md, &mdlen) != NULL &&
        mdlen == sizeof md) {
        memcpy(out, md, MAC_LEN);
        rc = 0;
    }
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int page_token_make(const uint8_t master[ENVELOPE_KEY_LEN], const char *scope, const page_key_t *k,
                    char out[PAGE_TOKEN_MAX])
{
    uint8_t rec[RECORD_MAX];
    size_t n = 0, i, o;
    int j;

    if (k->n < 1 || k->n > PAGE_MAX_KEYS)
        return -1;
    rec[n++] = TOKEN_VERSION;
    rec[n++] = (uint8_t)k->n;
    for (j = 0; j < k->n; j++) {
        rec[n++] = (uint8_t)k->k[j].type;
        if (k->k[j].type == 'l') {
            put_u64(rec + n, (uint64_t)k->k[j].l);
            n += 8;
        } else if (k->k[j].type == 'd') {
            uint64_t bits;
            memcpy(&bits, &k->k[j].d, sizeof bits);
            put_u64(rec + n, bits);
            n += 8;
        } else {
            rec[n++] = (uint8_t)(k->k[j].len >> 8);
            rec[n++] = (uint8_t)k->k[j].len;
            memcpy(rec + n, k->text + k->k[j].off, k->k[j].len);
            n += k->k[j].len;
        }
    }
    if (mac(master, scope, rec, n, rec + n) != 0)
        return -1;
    n += MAC_LEN;
    /* standard base64, then the URL-safe alphabet without padding: the
     * token travels in JSON, query strings and XML alike */
    o = codec_b64_encode(rec, n, out);
    while (o > 0 && out[o - 1] == '=')
        o--;
    out[o] = '\0';
    for (i = 0; i < o; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return 0;
}

/* token (base64url, no padding) into rec (cap bytes); its length, or -1. */
static long decode(const char *token, size_t len, uint8_t *rec, size_t cap)
{
    char std[PAGE_TOKEN_MAX + 4];
    size_t i;

    if (len == 0 || len >= PAGE_TOKEN_MAX || len % 4 == 1)
        return -1;
    for (i = 0; i < len; i++) {
        char c = token[i];
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (c == '+' || c == '/' || c == '=')
            return -1; /* one spelling only */
        std[i] = c;
    }
    while (i % 4)
        std[i++] = '=';
    if ((i / 4 + 1) * 3 > cap) /* codec_b64_decode's room */
        return -1;
    return codec_b64_decode(std, i, rec);
}

/* The keys of a verified record into k; 0, or -1 when malformed. */
static int parse(const uint8_t *rec, size_t n, page_key_t *k)
{
    size_t p = 2;
    int j, count;

    if (n < 2 || rec[0] != TOKEN_VERSION || (count = rec[1]) < 1 || count > PAGE_MAX_KEYS)
        return -1;
    for (j = 0; j < count; j++) {
        if (p >= n)
            return -1;
        switch (rec[p++]) {
        case 'l':
            if (n - p < 8 || page_key_int(k, (long long)get_u64(rec + p)))
                return -1;
            p += 8;
            break;
        case 'd': {
            uint64_t bits;
            double d;
            if (n - p < 8)
                return -1;
            bits = get_u64(rec + p);
            memcpy(&d, &bits, sizeof d);
            if (page_key_real(k, d))
                return -1;
            p += 8;
            break;
        }
        case 't': {
            size_t len;
            if (n - p < 2)
                return -1;
            len = (size_t)rec[p] << 8 | rec[p + 1];
            p += 2;
            if (n - p < len || page_key_text(k, (const char *)rec + p, len))
                return -1;
            p += len;
            break;
        }
        default:
            return -1;
        }
    }
    return p == n ? 0 : -1;
}

int page_token_read(const uint8_t master[ENVELOPE_KEY_LEN], const char *scope, const char *token,
                    size_t len, page_key_t *k)
{
    uint8_t rec[RECORD_MAX + 6], want[MAC_LEN];
    long n;

    page_key_init(k);
    if (token == NULL)
        return 0;
    n = decode(token, len, rec, sizeof rec);
    if (n < 2 + MAC_LEN || n > RECORD_MAX)
        return -1;
    n -= MAC_LEN;
    /* the MAC first: nothing a client made up is parsed */
    if (mac(master, scope, rec, (size_t)n, want) != 0 || CRYPTO_memcmp(want, rec + n, MAC_LEN) != 0)
        return -1;
    if (parse(rec, (size_t)n, k) != 0) {
        page_key_init(k);
        return -1;
    }
    return 0;
}

int page_bind(sqlite3_stmt *st, const page_key_t *after, int max)
{
    static const char *const names[PAGE_MAX_KEYS + 1] = {":page_k1", ":page_k2", ":page_k3",
                                                         ":page_k4"};
    int first = sqlite3_bind_parameter_index(st, ":page_first");
    int limit = sqlite3_bind_parameter_index(st, ":page_limit");
    int j, rc = SQLITE_OK;

    if (limit == 0 || max < 0)
        return -1;
    /* as many keys as the fragment compares: a token from another query
     * shape never binds half a key */
    if (after->n > 0) {
        for (j = 0; j < after->n; j++)
            if (sqlite3_bind_parameter_index(st, names[j]) == 0)
                return -1;
        if (after->n < PAGE_MAX_KEYS && sqlite3_bind_parameter_index(st, names[after->n]) != 0)
            return -1;
    } else if (first == 0 && sqlite3_bind_parameter_index(st, names[0]) != 0) {
        return -1; /* a next-page statement: its keys would bind NULL, no row */
    }
    if (first != 0)
        rc = sqlite3_bind_int(st, first, after->n == 0);
    for (j = 0; j < after->n && rc == SQLITE_OK; j++) {
        int i = sqlite3_bind_parameter_index(st, names[j]);
        if (after->k[j].type == 'l')
            rc = sqlite3_bind_int64(st, i, after->k[j].l);
        else if (after->k[j].type == 'd')
            rc = sqlite3_bind_double(st, i, after->k[j].d);
        else
            rc = sqlite3_bind_text64(st, i, after->text + after->k[j].off, after->k[j].len,
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, limit, (sqlite3_int64)max + 1);
    return rc == SQLITE_OK ? 0 : -1;
}
