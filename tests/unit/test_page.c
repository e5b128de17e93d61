/* test_page.c — unit tests for page: tokens round-trip every key type,
 * any alteration, another scope or another master key is refused, and
 * keyset pages over SQLite walk every row once, in order, ascending and
 * descending, while rows come and go between pages. */
#include "storage/db.h"
#include "storage/page.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t master[ENVELOPE_KEY_LEN] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                                 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                                 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const char scope[] = "test:ListThings:000000000000:asc";

static int url_safe(const char *t)
{
    for (; *t; t++)
        if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ||
              *t == '-' || *t == '_'))
            return 0;
    return 1;
}

static void test_round_trip(void)
{
    page_key_t k, got;
    char tok[PAGE_TOKEN_MAX];
    const char *s;
    size_t len = 0;

    page_key_init(&k);
    CHECK(page_key_text(&k, "a\0b", 3) == 0);
    CHECK(page_key_int(&k, -5000000000LL) == 0);
    CHECK(page_key_real(&k, 1700000000.25) == 0);
    CHECK(page_key_int(&k, 1) == -1); /* PAGE_MAX_KEYS */
    CHECK(page_token_make(master, scope, &k, tok) == 0);
    CHECK(url_safe(tok));
    CHECK(page_token_read(master, scope, tok, strlen(tok), &got) == 0);
    CHECK(got.n == 3);
    s = page_key_str(&got, 0, &len);
    CHECK(s != NULL && len == 3 && memcmp(s, "a\0b", 3) == 0);
    CHECK(got.k[1].type == 'l' && got.k[1].l == -5000000000LL);
    CHECK(got.k[2].type == 'd' && got.k[2].d == 1700000000.25);
    CHECK(page_key_str(&got, 1, &len) == NULL);
    CHECK(page_key_str(&got, 3, &len) == NULL);

    /* an empty text key, alone */
    page_key_init(&k);
    CHECK(page_key_text(&k, "", 0) == 0);
    CHECK(page_token_make(master, scope, &k, tok) == 0);
    CHECK(page_token_read(master, scope, tok, strlen(tok), &got) == 0);
    CHECK(got.n == 1 && page_key_str(&got, 0, &len) != NULL && len == 0);

    /* no key: no token */
    page_key_init(&k);
    CHECK(page_token_make(master, scope, &k, tok) == -1);
    /* NULL: the first page */
    got.n = 2;
    CHECK(page_token_read(master, scope, NULL, 0, &got) == 0 && got.n == 0);
}

/* The largest key makes a token under PAGE_TOKEN_MAX that reads back. */
static void test_largest(void)
{
    static char big[PAGE_KEY_BYTES];
    page_key_t k, got;
    char tok[PAGE_TOKEN_MAX];

    memset(big, 'x', sizeof big);
    page_key_init(&k);
    CHECK(page_key_text(&k, big, sizeof big - 100) == 0);
    CHECK(page_key_text(&k, big, 101) == -1); /* over PAGE_KEY_BYTES together */
    CHECK(page_key_text(&k, big, 100) == 0);
    CHECK(page_key_int(&k, 7) == 0);
    CHECK(page_token_make(master, scope, &k, tok) == 0);
    CHECK(strlen(tok) < PAGE_TOKEN_MAX);
    CHECK(page_token_read(master, scope, tok, strlen(tok), &got) == 0);
    CHECK(got.n == 3 && got.used == PAGE_KEY_BYTES && got.k[2].l == 7);
}

static void test_refused(void)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.";
    page_key_t k, got;
    char tok[PAGE_TOKEN_MAX], bad[PAGE_TOKEN_MAX + 8];
    uint8_t other[ENVELOPE_KEY_LEN];
    size_t n, i, a;
    int refused = 0, tried = 0;

    page_key_init(&k);
    CHECK(page_key_text(&k, "secret-name", 11) == 0);
    CHECK(page_key_int(&k, 42) == 0);
    CHECK(page_token_make(master, scope, &k, tok) == 0);
    n = strlen(tok);

    /* another scope, another master key */
    CHECK(page_token_read(master, "test:ListThings:000000000000:desc", tok, n, &got) == -1);
    CHECK(got.n == 0);
    memcpy(other, master, sizeof other);
    other[5] ^= 0x40;
    CHECK(page_token_read(other, scope, tok, n, &got) == -1);

    /* every single-character change anywhere */
    for (i = 0; i < n; i++) {
        for (a = 0; alphabet[a]; a++) {
            if (alphabet[a] == tok[i])
                continue;
            memcpy(bad, tok, n + 1);
            bad[i] = alphabet[a];
            tried++;
            refused += page_token_read(master, scope, bad, n, &got) == -1;
        }
    }
    CHECK(tried > 0 && refused == tried);
    /* shorter, longer, padded, empty, huge, garbage */
    for (i = 0; i < n; i++)
        CHECK(page_token_read(master, scope, tok, i, &got) == -1);
    memcpy(bad, tok, n);
    memcpy(bad + n, "AA", 3);
    CHECK(page_token_read(master, scope, bad, n + 2, &got) == -1);
    memcpy(bad + n, "==", 3);
    CHECK(page_token_read(master, scope, bad, n + 2, &got) == -1);
    CHECK(page_token_read(master, scope, "", 0, &got) == -1);
    CHECK(page_token_read(master, scope, "awsemu-3", 8, &got) == -1);
    {
        char *huge = malloc(PAGE_TOKEN_MAX + 10);
        CHECK(huge != NULL);
        if (huge) {
            memset(huge, 'A', PAGE_TOKEN_MAX + 9);
            huge[PAGE_TOKEN_MAX + 9] = '\0';
            CHECK(page_token_read(master, scope, huge, PAGE_TOKEN_MAX + 9, &got) == -1);
            free(huge);
        }
    }
}

/* ---- pages over SQLite ---------------------------------------------------- */

static const char create[] = "CREATE TABLE things (name TEXT NOT NULL, created REAL NOT NULL)";
static const char ins[] = "INSERT INTO things (name, created) VALUES (?1, ?2)";
static const char del[] = "DELETE FROM things WHERE name = ?1";
/* two statements a listing (page.h): the first page, and after a key */
#define ASC "SELECT name, rowid FROM things WHERE name >= ?1"
static const char *const asc[2] = {
    ASC PAGE_ORDER2("name", "rowid"),
    ASC " AND " PAGE_NEXT2("name", "rowid") PAGE_ORDER2("name", "rowid"),
};
#define DESC "SELECT created, rowid, name FROM things"
static const char *const desc[2] = {
    DESC PAGE_ORDER2_DESC("created", "rowid"),
    DESC " WHERE " PAGE_PREV2("created", "rowid") PAGE_ORDER2_DESC("created", "rowid"),
};
#define ONE "SELECT rowid, name FROM things"
static const char *const one_key[2] = {
    ONE PAGE_ORDER1("rowid"),
    ONE " WHERE " PAGE_NEXT1("rowid") PAGE_ORDER1("rowid"),
};
static const char *const one_key_desc[2] = {
    ONE PAGE_ORDER1_DESC("rowid"),
    ONE " WHERE " PAGE_PREV1("rowid") PAGE_ORDER1_DESC("rowid"),
};
/* three keys: name, created, rowid */
#define THREE "SELECT name, created, rowid FROM things"
static const char *const three[2] = {
    THREE PAGE_ORDER3("name", "created", "rowid"),
    THREE " WHERE " PAGE_NEXT3("name", "created", "rowid") PAGE_ORDER3("name", "created", "rowid"),
};
static const char *const three_desc[2] = {
    THREE PAGE_ORDER3_DESC("name", "created", "rowid"),
    THREE " WHERE " PAGE_PREV3("name", "created", "rowid")
        PAGE_ORDER3_DESC("name", "created", "rowid"),
};
/* the single-statement form still binds (:page_first) */
static const char *const legacy[2] = {
    "SELECT rowid, name FROM things WHERE (:page_first OR rowid > :page_k1)" PAGE_ORDER1("rowid"),
    "SELECT rowid, name FROM things WHERE (:page_first OR rowid > :page_k1)" PAGE_ORDER1("rowid"),
};
static const char no_page[] = "SELECT rowid FROM things";

/* One page of sql (bound "s" from "" when asc) after token tok (NULL:
 * first): the names into out (appended, ',' after each), the next token
 * into next ("" at the end). Returns the rows, or -1. */
static int page(db_t *db, const char *const *sql, int key_cols, int name_col, const char *tok, int max,
                char *out, size_t outcap, char next[PAGE_TOKEN_MAX])
{
    page_key_t after, last;
    sqlite3_stmt *st;
    int n = 0, more = 0, rc;

    next[0] = '\0';
    if (page_token_read(master, scope, tok, tok ? strlen(tok) : 0, &after) != 0)
        return -1;
    st = sql == asc ? db_query(db, sql[after.n > 0], "s", "")
                    : db_query(db, sql[after.n > 0], "");
    if (st == NULL || page_bind(st, &after, max) != 0) {
        db_done(st);
        return -1;
    }
    while ((rc = db_row(st)) == 1) {
        if (n == max) {
            more = 1;
            break;
        }
        strncat(out, db_text(st, name_col), outcap - strlen(out) - 1);
        strncat(out, ",", outcap - strlen(out) - 1);
        n++;
        if (page_key_row(&last, st, 0, key_cols) != 0) {
            rc = -1;
            break;
        }
    }
    db_done(st);
    if (rc < 0)
        return -1;
    if (more && page_token_make(master, scope, &last, next) != 0)
        return -1;
    return n;
}

static void test_pages(void)
{
    static const char *const names[] = {"b", "a", "d", "c", "a", "e", "b", "f"};
    char err[256] = "", out[256] = "", tok[PAGE_TOKEN_MAX], next[PAGE_TOKEN_MAX];
    db_t *db = db_open(NULL, 0, err, sizeof err);
    int i, pages = 0, n;
    page_key_t k;
    sqlite3_stmt *st;

    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(db_exec(db, create) == 0);
    for (i = 0; i < 8; i++)
        CHECK(db_run(db, ins, "sd", names[i], 100.0 + (i % 3)) == 0);

    /* ascending by (name, rowid), 3 a page: the duplicates kept apart */
    n = page(db, asc, 2, 0, NULL, 3, out, sizeof out, next);
    while (n > 0 && next[0] && pages < 10) {
        pages++;
        memcpy(tok, next, sizeof tok);
        n = page(db, asc, 2, 0, tok, 3, out, sizeof out, next);
    }
    CHECK(n == 2 && pages == 2);
    CHECK_STR(out, "a,a,b,b,c,d,e,f,");

    /* rows come and go between pages: none skipped, none repeated */
    out[0] = '\0';
    CHECK(page(db, asc, 2, 0, NULL, 3, out, sizeof out, next) == 3); /* a,a,b */
    CHECK(db_run(db, del, "s", "a") == 0);                           /* before the cursor */
    CHECK(db_run(db, ins, "sd", "aa", 1.0) == 0);                    /* before it too: not seen */
    CHECK(db_run(db, ins, "sd", "bb", 1.0) == 0);                    /* after it: seen */
    CHECK(db_run(db, del, "s", "e") == 0);
    memcpy(tok, next, sizeof tok);
    CHECK(page(db, asc, 2, 0, tok, 10, out, sizeof out, next) == 5);
    CHECK_STR(out, "a,a,b,b,bb,c,d,f,");
    CHECK_STR(next, "");

    /* descending by a real (created) and the rowid, 2 a page */
    out[0] = '\0';
    pages = 0;
    n = page(db, desc, 2, 2, NULL, 2, out, sizeof out, next);
    while (n > 0 && next[0] && pages < 10) {
        pages++;
        memcpy(tok, next, sizeof tok);
        n = page(db, desc, 2, 2, tok, 2, out, sizeof out, next);
    }
    /* rows now: b(100) d(102) c(100) b(101) f(101) aa(1) bb(1), by rowid
     * 1 3 4 7 8 9 10; created desc, rowid desc */
    CHECK_STR(out, "d,f,b,c,b,bb,aa,");
    CHECK(pages == 3);

    /* a token for 2 keys does not bind a 1-key query, nor 1 key a 2-key one;
     * a statement without the fragments does not bind at all */
    page_key_init(&k);
    CHECK(page_key_text(&k, "b", 1) == 0);
    CHECK(page_key_int(&k, 1) == 0);
    st = db_query(db, one_key[1], "");
    CHECK(st != NULL && page_bind(st, &k, 5) == -1);
    db_done(st);
    st = db_query(db, asc[0], "s", ""); /* the first page's statement */
    CHECK(st != NULL && page_bind(st, &k, 5) == -1);
    db_done(st);
    k.n = 1;
    st = db_query(db, asc[1], "s", "");
    CHECK(st != NULL && page_bind(st, &k, 5) == -1);
    db_done(st);
    page_key_init(&k);
    st = db_query(db, no_page, "");
    CHECK(st != NULL && page_bind(st, &k, 5) == -1);
    db_done(st);
    st = db_query(db, one_key[1], ""); /* a next-page statement, no key */
    CHECK(st != NULL && page_bind(st, &k, 5) == -1);
    db_done(st);
    st = db_query(db, one_key[0], "");
    CHECK(st != NULL && page_bind(st, &k, -1) == -1);
    db_done(st);
    /* a NULL sort key cannot continue a page */
    CHECK(db_run(db, "CREATE TABLE n (v)", "") == 0);
    CHECK(db_run(db, "INSERT INTO n (v) VALUES (NULL)", "") == 0);
    st = db_query(db, "SELECT v FROM n", "");
    CHECK(st != NULL && db_row(st) == 1);
    CHECK(page_key_row(&k, st, 0, 1) == -1);
    db_done(st);
    db_close(db);
}

/* Every page size walks the same rows in the same order as one page. */
static void walk_all(db_t *db, const char *const *sql, int key_cols, int name_col)
{
    char full[512] = "", out[512], tok[PAGE_TOKEN_MAX], next[PAGE_TOKEN_MAX];
    int max, n, pages;

    CHECK(page(db, sql, key_cols, name_col, NULL, 1000, full, sizeof full, next) > 0);
    CHECK_STR(next, "");
    for (max = 1; max <= 4; max++) {
        out[0] = '\0';
        pages = 0;
        n = page(db, sql, key_cols, name_col, NULL, max, out, sizeof out, next);
        while (n > 0 && next[0] && pages < 100) {
            pages++;
            memcpy(tok, next, sizeof tok);
            n = page(db, sql, key_cols, name_col, tok, max, out, sizeof out, next);
        }
        CHECK(n >= 0);
        CHECK_STR(out, full);
    }
}

/* The other fragments: one and three keys, up and down, the legacy
 * single statement; the cursor's own row deleted between pages skips
 * nothing (an offset would skip the row after it). */
static void test_fragments(void)
{
    static const char *const names[] = {"m", "c", "x", "c", "a", "m", "c", "q", "b"};
    char err[256] = "", out[256] = "", tok[PAGE_TOKEN_MAX], next[PAGE_TOKEN_MAX];
    db_t *db = db_open(NULL, 0, err, sizeof err);
    int i;

    CHECK(db != NULL);
    if (db == NULL)
        return;
    CHECK(db_exec(db, create) == 0);
    for (i = 0; i < 9; i++) /* (name, created) repeats: c/101 twice */
        CHECK(db_run(db, ins, "sd", names[i], 100.0 + (i % 2)) == 0);
    walk_all(db, one_key, 1, 1);
    walk_all(db, one_key_desc, 1, 1);
    walk_all(db, three, 3, 0);
    walk_all(db, three_desc, 3, 0);
    walk_all(db, legacy, 1, 1);
    walk_all(db, asc, 2, 0);
    walk_all(db, desc, 2, 2);

    /* rowid up, 3 a page: m c x | the cursor (x, rowid 3) and the row
     * after it deleted, a row added at the end: c a m c q b z */
    CHECK(page(db, one_key, 1, 1, NULL, 3, out, sizeof out, next) == 3);
    CHECK_STR(out, "m,c,x,");
    CHECK(db_run(db, "DELETE FROM things WHERE rowid IN (3, 4)", "") == 0);
    CHECK(db_run(db, ins, "sd", "z", 1.0) == 0);
    memcpy(tok, next, sizeof tok);
    CHECK(page(db, one_key, 1, 1, tok, 3, out, sizeof out, next) == 3);
    CHECK_STR(out, "m,c,x,a,m,c,");
    memcpy(tok, next, sizeof tok);
    CHECK(page(db, one_key, 1, 1, tok, 3, out, sizeof out, next) == 3);
    CHECK_STR(out, "m,c,x,a,m,c,q,b,z,");
    CHECK_STR(next, "");

    /* three keys down, 2 a page: z q | q deleted, zz added before the
     * cursor: m m c c b a */
    out[0] = '\0';
    CHECK(page(db, three_desc, 3, 0, NULL, 2, out, sizeof out, next) == 2);
    CHECK_STR(out, "z,q,");
    CHECK(db_run(db, "DELETE FROM things WHERE name = 'q'", "") == 0);
    CHECK(db_run(db, ins, "sd", "zz", 1.0) == 0); /* before the cursor: not seen */
    memcpy(tok, next, sizeof tok);
    CHECK(page(db, three_desc, 3, 0, tok, 100, out, sizeof out, next) == 6);
    CHECK_STR(out, "z,q,m,m,c,c,b,a,");
    db_close(db);
}

int main(void)
{
    test_round_trip();
    test_largest();
    test_refused();
    test_pages();
    test_fragments();
    return unit_report("page");
}
