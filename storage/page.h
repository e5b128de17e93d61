/* page.h — keyset paging: an opaque NextToken naming the sort key of the
 * last row a page returned (authenticated, so a client can neither forge
 * nor alter one), and SQL fragments that start the next page after it.
 *
 * Unlike an offset, a keyset page neither skips nor repeats rows when rows
 * are added or deleted between pages, and costs the same at any depth.
 * The sort key must be unique: end it with the rowid (or the primary key).
 *
 * Two statements a listing: the first page, and the pages after a key.
 * Not one statement with "(:page_first OR (k, seq) > (...))": with the OR,
 * or a row value, SQLite cannot range over the index and a page deep in
 * the listing scans every row before it. PAGE_NEXT2 spells the range out
 * ("k >= :page_k1 AND (k > :page_k1 OR seq > :page_k2)"), which SQLite
 * turns into one index seek when (filters, k, seq) is an index.
 *
 * Example (the listing of a service sorted by name, 'max' rows a page):
 *
 *   #define THINGS "SELECT name, rowid, arn FROM things WHERE account = ?1"
 *   static const char *const sql[2] = {
 *       THINGS PAGE_ORDER2("name", "rowid"),                         // first
 *       THINGS " AND " PAGE_NEXT2("name", "rowid") PAGE_ORDER2("name", "rowid"),
 *   };
 *   page_key_t after, last;
 *   char scope[128], next[PAGE_TOKEN_MAX];
 *   int n = 0, more = 0, rc;
 *
 *   // bind what decides the listing (account, filters, order) to the token
 *   snprintf(scope, sizeof scope, "svc:ListThings:%s:%s", r->account, order);
 *   if (page_token_read(r->emu->master_key, scope, token, token_len, &after))
 *       return svc_error(r, 400, "InvalidNextTokenException", "...");
 *   st = db_query(r->emu->db, sql[after.n > 0], "s", r->account);
 *   if (st == NULL || page_bind(st, &after, max))
 *       return internal_error(r);
 *   while ((rc = db_row(st)) == 1) {
 *       if (n == max) { more = 1; break; }  // the LIMIT's extra row
 *       emit(db_text(st, 2));
 *       n++;
 *       if (page_key_row(&last, st, 0, 2)) { rc = -1; break; }
 *   }
 *   db_done(st);
 *   if (rc < 0) return internal_error(r);
 *   if (more && page_token_make(r->emu->master_key, scope, &last, next) == 0)
 *       add "NextToken": next
 *
 * Parameters: the fragments use named parameters (:page_k1.. :page_k3,
 * :page_limit), so they mix with the ?N the rest of the query binds
 * (db_query first, page_bind after). */
#ifndef AWSEMU_PAGE_H
#define AWSEMU_PAGE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/envelope.h"

#define PAGE_MAX_KEYS 3
#define PAGE_KEY_BYTES 1536 /* the text of one token's keys together */
/* a token's length, NUL included: base64url of the largest record
 * (version, count, 9 bytes a key at most beside its text, the text, a
 * 16-byte MAC: 1581 bytes, 2108 characters); under SM's NextTokenType
 * (4096). IAM's Marker (320) and KMS's (1024) are shorter: their sort keys
 * (a name of 128 and a rowid) make tokens of about 200 characters. */
#define PAGE_TOKEN_MAX 2112

/* A sort key: up to PAGE_MAX_KEYS values, each an integer, a real or text
 * (text kept inside the struct; no pointers to free). */
typedef struct {
    int n;
    struct {
        char type; /* 'l' int64, 'd' double, 't' text */
        long long l;
        double d;
        size_t off, len; /* 't': text[off .. off + len) */
    } k[PAGE_MAX_KEYS];
    size_t used;
    char text[PAGE_KEY_BYTES];
} page_key_t;

/* Empties k (n 0: no key, the first page). */
void page_key_init(page_key_t *k /* OUT */);
/* Appends one value to k. Returns 0, or -1 when k is full or the text does
 * not fit in PAGE_KEY_BYTES. */
int page_key_int(page_key_t *k, long long v);
int page_key_real(page_key_t *k, double v);
int page_key_text(page_key_t *k, const char *s, size_t n);
/* k = columns col .. col + n - 1 of st's current row, each by its SQLite
 * type (integer, real; text and blob as text). Returns 0, or -1 (NULL
 * column, too many keys, text too long). */
int page_key_row(page_key_t *k /* OUT */, sqlite3_stmt *st, int col, int n);
/* Key i's text (its length in *len); NULL when key i is not text. */
const char *page_key_str(const page_key_t *k, int i, size_t *len /* OUT */);

/* Encodes k as a NextToken for scope: base64url (no padding) of a
 * versioned record of the keys with an HMAC-SHA256 (under a subkey of the
 * master key, storage/keyring) over scope and the record. scope names what
 * the listing depends on (service, operation, account, filters, order): a
 * token made for one scope is invalid in any other. out gets a
 * NUL-terminated token (< PAGE_TOKEN_MAX). Returns 0 or -1. */
int page_token_make(const uint8_t master[ENVELOPE_KEY_LEN], const char *scope, const page_key_t *k,
                    char out[PAGE_TOKEN_MAX] /* OUT */);

/* Reads a token page_token_make made for the same scope into k. token NULL
 * is the first page: 0 with k->n 0. Returns -1 for anything else: a token
 * not of this form, altered, from another scope or another master key; the
 * caller answers with its service's error (InvalidNextTokenException,
 * ValidationException, InvalidInput ...). */
int page_token_read(const uint8_t master[ENVELOPE_KEY_LEN], const char *scope, const char *token,
                    size_t len, page_key_t *k /* OUT */);

/* Binds the page parameters of st: :page_k1 .. :page_kN from after,
 * :page_limit = max + 1 (the extra row tells that another page follows)
 * and, if st has it, :page_first (1 when after has no key). Returns 0, or
 * -1 when st is not the statement for after: its fragments compare
 * another number of keys than after holds, or it is a next-page statement
 * and after is empty (the first page). */
int page_bind(sqlite3_stmt *st, const page_key_t *after, int max);

/* The length of a token (NUL not included) whose keys are n integers or
 * texts of text bytes together, at most: for a _Static_assert that a
 * service's tokens fit its model's limit (16: the MAC). */
#define PAGE_TOKEN_LEN(n, text) (((2 + 9 * (n) + (text) + 16) * 4 + 2) / 3)

/* The WHERE fragment of a next-page statement: the rows after the token's
 * key, ascending (NEXT), or before it, descending (PREV); keys a, b, c are
 * the ORDER BY's, most significant first. */
#define PAGE_NEXT1(a) "(" a " > :page_k1)"
#define PAGE_NEXT2(a, b) "(" a " >= :page_k1 AND (" a " > :page_k1 OR " b " > :page_k2))"
#define PAGE_NEXT3(a, b, c)                                                                        \
    "(" a " >= :page_k1 AND (" a " > :page_k1 OR (" b " >= :page_k2 AND (" b " > :page_k2 OR " c   \
    " > :page_k3))))"
#define PAGE_PREV1(a) "(" a " < :page_k1)"
#define PAGE_PREV2(a, b) "(" a " <= :page_k1 AND (" a " < :page_k1 OR " b " < :page_k2))"
#define PAGE_PREV3(a, b, c)                                                                        \
    "(" a " <= :page_k1 AND (" a " < :page_k1 OR (" b " <= :page_k2 AND (" b " < :page_k2 OR " c   \
    " < :page_k3))))"
/* ... and the order and limit that go with them (the query's end; the
 * first-page statement ends with them too) */
#define PAGE_ORDER1(a) " ORDER BY " a " LIMIT :page_limit"
#define PAGE_ORDER2(a, b) " ORDER BY " a ", " b " LIMIT :page_limit"
#define PAGE_ORDER3(a, b, c) " ORDER BY " a ", " b ", " c " LIMIT :page_limit"
#define PAGE_ORDER1_DESC(a) " ORDER BY " a " DESC LIMIT :page_limit"
#define PAGE_ORDER2_DESC(a, b) " ORDER BY " a " DESC, " b " DESC LIMIT :page_limit"
#define PAGE_ORDER3_DESC(a, b, c) " ORDER BY " a " DESC, " b " DESC, " c " DESC LIMIT :page_limit"

#endif
