/* sm_list.c — ListSecrets and what listings share: Filters, and keyset
 * paging. A NextToken holds the sort key of the last row returned (never an
 * offset), so each page is one index range scan from there: a page costs
 * the same wherever it starts. */
#include "services/sm/sm_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/codec.h"
#include "storage/db.h"

/* ---- NextToken ----------------------------------------------------------------
 *
 * storage/page.h tokens: the last row's sort key, authenticated, for one
 * scope (what the listing depends on: account, region, order, filters). */

int sm_page_read(svc_req_t *r, const cJSON *in, const char *scope, page_key_t *after)
{
    const char *t = NULL;

    page_key_init(after);
    if (json_str(r, in, "NextToken", 0, 1, AWS_SM_NEXT_TOKEN_MAX, &t) != 0)
        return -1;
    if (page_token_read(r->emu->master_key, scope, t, t ? strlen(t) : 0, after) != 0)
        return sm_fail(r, SM_E_BAD_TOKEN, NULL, NULL);
    return 0;
}

void sm_page_put(svc_req_t *r, cJSON *out, const char *scope, const page_key_t *last)
{
    char tok[PAGE_TOKEN_MAX];

    if (page_token_make(r->emu->master_key, scope, last, tok) == 0)
        cJSON_AddStringToObject(out, "NextToken", tok);
}

/* The scope of a listing's tokens: op, r's account and region, what
 * else (sort, order...) and the Filters as JSON. Caller frees. */
char *sm_page_scope(svc_req_t *r, const char *op, const char *what, const cJSON *filters)
{
    char *f = filters ? cJSON_PrintUnformatted(filters) : NULL, *scope;
    size_t n = strlen(op) + strlen(what) + (f ? strlen(f) : 0) + 100;

    if ((scope = malloc(n)) != NULL)
        snprintf(scope, n, "secretsmanager:%s:%s:%s:%s:%s", op, r->account, r->region, what,
                 f ? f : "");
    free(f);
    return scope;
}

/* ---- filters ---------------------------------------------------------------- */

static int prefix(const char *s, const char *p)
{
    return s && strncmp(s, p, strlen(p)) == 0;
}

static int iprefix(const char *s, const char *p)
{
    return s && strncasecmp(s, p, strlen(p)) == 0;
}

/* The next word of *sp as AWS splits text for search ("Find secrets in
 * AWS Secrets Manager": words are separated by any change from lower to
 * upper case, between letters and numbers, and at punctuation; an upper-case
 * run before lower case gives its last letter to the next word, so
 * COMPANYthings is COMPAN + Ythings, as moto's AWS-verified
 * test_with_all_filter_special_characters shows). Returns its length (0:
 * no more) with *start at it; advances *sp. */
static size_t next_word(const char **sp, const char **start)
{
    const unsigned char *s = (const unsigned char *)*sp, *b;

    while (*s && !isalnum(*s))
        s++;
    b = s;
    if (isdigit(*s)) {
        while (isdigit(*s))
            s++;
    } else if (isupper(*s)) {
        s++;
        if (islower(*s)) {
            while (islower(*s))
                s++;
        } else {
            while (isupper(*s))
                s++;
            if (islower(*s))
                s--;
        }
    } else {
        while (islower(*s))
            s++;
    }
    *start = (const char *)b;
    *sp = (const char *)s;
    return (size_t)(s - b);
}

/* Does some word of s start with w[0..n), ignoring case? */
static int has_word(const char *s, const char *w, size_t n)
{
    const char *ws;
    size_t len;

    while (s && (len = next_word(&s, &ws)) > 0)
        if (len >= n && strncasecmp(ws, w, n) == 0)
            return 1;
    return 0;
}

/* Does any tag of arn have a key (or value) matching p: a case-sensitive
 * prefix, or with words set a word of it starting with p[0..n)? */
static int tag_match(svc_req_t *r, const char *arn, const char *p, size_t n, int values, int words)
{
    sqlite3_stmt *st =
        db_query(r->emu->db, "SELECT tag_key, tag_value FROM sm_tags WHERE arn=?1", "s", arn);
    int hit = 0;

    while (!hit && db_row(st) == 1) {
        const char *v = db_text(st, values ? 1 : 0);
        hit = words ? has_word(v, p, n) : prefix(v, p);
    }
    db_done(st);
    return hit;
}

/* "all": every word of v starts a word of some attribute, ignoring case;
 * a value without words (only punctuation) matches nothing. */
static int all_match(svc_req_t *r, const sm_secret_t *s, const char *region, const char *v)
{
    const char *w;
    size_t n;
    int any = 0;

    while ((n = next_word(&v, &w)) > 0) {
        any = 1;
        if (!(has_word(s->name, w, n) || has_word(s->description, w, n) ||
              tag_match(r, s->arn, w, n, 0, 1) || tag_match(r, s->arn, w, n, 1, 1) ||
              has_word(region, w, n) || has_word(s->owning_service, w, n)))
            return 0;
    }
    return any;
}

/* description: a case-insensitive prefix of the whole text (API reference,
 * Filter), or, as AWS answers a value of several words, every word of it
 * starting a word of the description (moto's AWS-verified
 * test_with_filter_with_value_with_multiple_words: "o t" finds "one two"). */
static int description_match(const char *desc, const char *v)
{
    const char *w;
    size_t n;
    int any = 0;

    if (desc == NULL)
        return 0;
    if (iprefix(desc, v))
        return 1;
    while ((n = next_word(&v, &w)) > 0) {
        any = 1;
        if (!has_word(desc, w, n))
            return 0;
    }
    return any;
}

/* Filter semantics as AWS documents them: name, tag-key, tag-value,
 * primary-region and owning-service are case-sensitive prefix matches;
 * description and all as above. */
static int filter_value_match(svc_req_t *r, const sm_secret_t *s, const char *key, const char *v)
{
    const char *region = s->primary_region[0] ? s->primary_region : s->region;

    if (!strcmp(key, "name"))
        return prefix(s->name, v);
    if (!strcmp(key, "description"))
        return description_match(s->description, v);
    if (!strcmp(key, "tag-key"))
        return tag_match(r, s->arn, v, strlen(v), 0, 0);
    if (!strcmp(key, "tag-value"))
        return tag_match(r, s->arn, v, strlen(v), 1, 0);
    if (!strcmp(key, "primary-region"))
        return prefix(region, v);
    if (!strcmp(key, "owning-service"))
        return prefix(s->owning_service, v);
    return all_match(r, s, region, v);
}

static const char *const filter_keys[] = {
    "description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all", NULL};

/* A value of the model's pattern ^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$, at most
 * 512 characters. */
static int value_ok(const cJSON *v)
{
    const char *p;

    if (!cJSON_IsString(v) || strlen(v->valuestring) > 512)
        return 0;
    for (p = v->valuestring; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(" :_@/+=.-!", *p))
            return 0;
    return 1;
}

/* The list as AWS's validation messages print it: [a, b]. Caller frees. */
static char *list_text(const cJSON *vals)
{
    buf_t b;
    const cJSON *v;

    buf_init(&b, 0);
    buf_adds(&b, "[");
    cJSON_ArrayForEach(v, vals)
    {
        buf_printf(&b, "%s%.600s", v == vals->child ? "" : ", ",
                   cJSON_IsString(v) ? v->valuestring : "?");
    }
    buf_adds(&b, "]");
    return buf_steal(&b, NULL);
}

/* Validates Filters as AWS does: a Key of the enum, Values of 1 to 10
 * strings of the pattern; 0 or AWS's error naming the filter's index. */
int sm_check_filters(svc_req_t *r, const cJSON *filters)
{
    const cJSON *f;
    int idx = 0;

    cJSON_ArrayForEach(f, filters)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(f, "Key");
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(f, "Values"), *v;
        char at[16], *text;
        size_t i;
        int ok = 0, bad = 0, rc;
        snprintf(at, sizeof at, "%d", ++idx);
        if (!cJSON_IsObject(f) || !cJSON_IsString(k))
            return sm_fail(r, SM_E_FILTER_KEY, NULL, NULL);
        for (i = 0; filter_keys[i]; i++)
            ok |= !strcmp(filter_keys[i], k->valuestring);
        if (!ok)
            return sm_fail(r, SM_E_FILTER_ENUM, k->valuestring, at);
        if (vals == NULL || cJSON_IsNull(vals))
            return sm_fail(r, SM_E_FILTER_VALUES, k->valuestring, NULL);
        if (!cJSON_IsArray(vals))
            return sm_fail(r, SM_E_FILTER_VALUES, k->valuestring, NULL);
        if (cJSON_GetArraySize(vals) == 0)
            return sm_fail(r, SM_E_FILTER_EMPTY, at, NULL);
        cJSON_ArrayForEach(v, vals) bad |= !value_ok(v);
        if (cJSON_GetArraySize(vals) <= 10 && !bad)
            continue;
        text = list_text(vals);
        rc = sm_fail(r, bad ? SM_E_FILTER_VALUE : SM_E_FILTER_TOO_MANY, text, at);
        free(text);
        return rc;
    }
    return 0;
}

/* Filters AND together; a filter's values OR together; "!" negates. */
int sm_filters_match(svc_req_t *r, const sm_secret_t *s, const cJSON *filters)
{
    const cJSON *f;

    cJSON_ArrayForEach(f, filters)
    {
        const char *key = cJSON_GetObjectItemCaseSensitive(f, "Key")->valuestring;
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(f, "Values"), *v;
        int any = 0, has_positive = 0, excluded = 0;
        cJSON_ArrayForEach(v, vals)
        {
            const char *val = v->valuestring;
            if (val[0] == '!') {
                if (filter_value_match(r, s, key, val + 1))
                    excluded = 1;
            } else {
                has_positive = 1;
                if (filter_value_match(r, s, key, val))
                    any = 1;
            }
        }
        if (excluded || (has_positive && !any))
            return 0;
    }
    return 1;
}

/* ---- ListSecrets ------------------------------------------------------------ */

/* One listing query per sort key, order, and first page or after a key:
 * ?1 account, ?2 region, ?3 1 to include secrets planned for deletion,
 * then page.h's parameters. The page key is the sort key and seq (name
 * alone for name: unique in an account and region), selected after the
 * columns. Each query walks an index (011_sm_list_order.sql; name: the
 * UNIQUE (account, region, name)): page.h's two statements, the range
 * after a key spelled out by PAGE_NEXT2 / PAGE_PREV2. */
#define LIST(key, after, order)                                                                    \
    "SELECT " SM_COLS ", " key " FROM sm_secrets WHERE account=?1 AND region=?2 AND (?3 OR "       \
    "deleted_date IS NULL)" after " ORDER BY " order " LIMIT :page_limit"
#define FIRST ""
#define BY(key)                                                                                    \
    {                                                                                              \
        {LIST(key ", seq", FIRST, key " ASC, seq ASC"),                                            \
         LIST(key ", seq", " AND " PAGE_NEXT2(key, "seq"), key " ASC, seq ASC")},                  \
        {                                                                                          \
            LIST(key ", seq", FIRST, key " DESC, seq DESC"),                                       \
                LIST(key ", seq", " AND " PAGE_PREV2(key, "seq"), key " DESC, seq DESC")           \
        }                                                                                          \
    }

static const char *const list_sql[4][2][2] = {
    BY("created"),
    BY("IFNULL(last_accessed, 0)"),
    BY("last_changed"),
    {{LIST("name", FIRST, "name ASC"),
      LIST("name", " AND " PAGE_NEXT1("name"), "name ASC")},
     {LIST("name", FIRST, "name DESC"),
      LIST("name", " AND " PAGE_PREV1("name"), "name DESC")}},
};

#define SORT_NAME 3

/* Appends up to max secrets of the listing after *last to list, moving
 * *last to the last one appended; *more: another secret follows. Rows come
 * max + 1 at a time; Filters (matched here, not in SQL) may need more rows
 * than that. */
static int list_page(svc_req_t *r, int sort, int desc, int planned, const cJSON *filters, long max,
                     page_key_t *last, cJSON *list, int *more)
{
    int nkeys = sort == SORT_NAME ? 1 : 2;
    long emitted = 0;
    page_key_t scan = *last;

    *more = 0;
    for (;;) {
        sqlite3_stmt *st = db_query(r->emu->db, list_sql[sort][desc][scan.n > 0], "ssi", r->account,
                                    r->region, planned);
        long rows = 0;
        int rc;

        if (st == NULL || page_bind(st, &scan, (int)max) != 0) {
            db_done(st);
            return sm_internal(r);
        }
        while ((rc = db_row(st)) == 1) {
            sm_secret_t s;
            rows++;
            memset(&s, 0, sizeof s);
            sm_fill_secret(st, &s);
            if (page_key_row(&scan, st, SM_NCOLS, nkeys) != 0)
                rc = -1;
            else if (filters == NULL || sm_filters_match(r, &s, filters)) {
                if (emitted == max) {
                    *more = 1;
                } else {
                    cJSON *o = cJSON_CreateObject();
                    sm_secret_json(r, &s, o, "SecretVersionsToStages");
                    cJSON_AddItemToArray(list, o);
                    emitted++;
                    *last = scan;
                }
            }
            sm_secret_clear(&s);
            if (*more || rc < 0)
                break;
        }
        db_done(st);
        if (rc < 0)
            return sm_internal(r);
        if (*more || rows <= max)
            return 0;
    }
}

int sm_op_list_secrets(svc_req_t *r, const cJSON *in, cJSON *out)
{
    static const char *const orders[] = {"asc", "desc", NULL};
    static const char *const sorts[] = {"created-date", "last-accessed-date", "last-changed-date",
                                        "name", NULL};
    const char *order = "asc", *sort = "created-date";
    const cJSON *filters = NULL;
    long max = 100;
    int planned = 0, more = 0, si = 0, rc = -1;
    char what[64], *scope = NULL;
    page_key_t last;
    size_t i;

    if (json_bool(r, in, "IncludePlannedDeletion", &planned, NULL) ||
        json_int(r, in, "MaxResults", 0, 1, 100, &max, NULL) ||
        json_list(r, in, "Filters", 0, 0, 10, &filters) ||
        json_enum(r, in, "SortOrder", 0, orders, &order) ||
        json_enum(r, in, "SortBy", 0, sorts, &sort) || (filters && sm_check_filters(r, filters)))
        return -1;
    for (i = 0; sorts[i]; i++)
        if (!strcmp(sorts[i], sort))
            si = (int)i;
    snprintf(what, sizeof what, "%s:%s:%d", sort, order, planned);
    if ((scope = sm_page_scope(r, "ListSecrets", what, filters)) == NULL)
        return sm_internal(r);
    if (sm_page_read(r, in, scope, &last) != 0)
        goto out;
    sm_purge_due(r);
    if (list_page(r, si, strcmp(order, "desc") == 0, planned, filters, max, &last,
                  cJSON_AddArrayToObject(out, "SecretList"), &more) != 0)
        goto out;
    if (more)
        sm_page_put(r, out, scope, &last);
    rc = 0;
out:
    free(scope);
    return rc;
}
