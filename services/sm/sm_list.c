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

#include "base/codec.h"
#include "storage/db.h"

/* ---- NextToken ----------------------------------------------------------------
 *
 * base64("k1\n<listing>\n<seq>\n<number key>\n<text key>"): the listing
 * (its sort and order, so a token is refused by another listing) and the
 * last row's keys. Tokens only position a scan inside the caller's own
 * account and region, so one a client makes up reveals nothing. */

int sm_cursor_parse(svc_req_t *r, const cJSON *in, const char *listing, sm_cursor_t *c)
{
    const char *t = NULL, *p, *q;
    uint8_t raw[sizeof c->text + 160];
    char *end;
    long n;
    size_t ln = strlen(listing);

    memset(c, 0, sizeof *c);
    if (json_str(r, in, "NextToken", 0, 1, 4096, &t) != 0)
        return -1;
    if (t == NULL)
        return 0;
    if (strlen(t) / 4 * 3 + 3 > sizeof raw - 1 || (n = codec_b64_decode(t, strlen(t), raw)) < 0)
        return sm_fail(r, SM_E_BAD_TOKEN, NULL, NULL);
    raw[n] = '\0';
    p = (const char *)raw;
    if (memcmp(p, "k1\n", 3) != 0 || strncmp(p + 3, listing, ln) != 0 || p[3 + ln] != '\n')
        return sm_fail(r, SM_E_BAD_TOKEN, NULL, NULL);
    p += 4 + ln;
    c->seq = strtoll(p, &end, 10);
    if (*end != '\n')
        return sm_fail(r, SM_E_BAD_TOKEN, NULL, NULL);
    c->num = strtod(end + 1, &end);
    if (*end != '\n' || (q = end + 1, strlen(q) >= sizeof c->text))
        return sm_fail(r, SM_E_BAD_TOKEN, NULL, NULL);
    memcpy(c->text, q, strlen(q) + 1);
    c->have = 1;
    return 0;
}

void sm_cursor_put(cJSON *out, const char *listing, const sm_cursor_t *c)
{
    char raw[sizeof c->text + 160], *tok;
    int n = snprintf(raw, sizeof raw, "k1\n%s\n%lld\n%.17g\n%s", listing, c->seq, c->num, c->text);

    if (n < 0 || (size_t)n >= sizeof raw || (tok = malloc(codec_b64_enclen((size_t)n) + 1)) == NULL)
        return;
    codec_b64_encode((const uint8_t *)raw, (size_t)n, tok);
    cJSON_AddStringToObject(out, "NextToken", tok);
    free(tok);
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

/* Does a word of s (split at non-alphanumerics) start with p, ignoring
 * case? What the "all" filter matches on. */
static int word_match(const char *s, const char *p)
{
    const char *w;

    if (s == NULL)
        return 0;
    for (w = s; *w; w++)
        if ((w == s || !isalnum((unsigned char)w[-1])) && iprefix(w, p))
            return 1;
    return 0;
}

/* Does any tag of arn have a key (or value) matching p: a case-sensitive
 * prefix, or with words set the "all" filter's case-insensitive word match? */
static int tag_match(svc_req_t *r, const char *arn, const char *p, int values, int words)
{
    sqlite3_stmt *st =
        db_query(r->emu->db, "SELECT tag_key, tag_value FROM sm_tags WHERE arn=?1", "s", arn);
    int hit = 0;

    while (!hit && db_row(st) == 1) {
        const char *v = db_text(st, values ? 1 : 0);
        hit = words ? word_match(v, p) : prefix(v, p);
    }
    db_done(st);
    return hit;
}

/* Filter semantics as AWS documents them: name, tag-key, tag-value,
 * primary-region and owning-service are case-sensitive prefix matches;
 * description is a case-insensitive prefix match; all breaks the value into
 * words and matches each, case-insensitively, against every attribute. */
static int filter_value_match(svc_req_t *r, const sm_secret_t *s, const char *key, const char *v)
{
    const char *region = s->primary_region[0] ? s->primary_region : s->region;
    char word[520];
    const char *p = v;

    if (!strcmp(key, "name"))
        return prefix(s->name, v);
    if (!strcmp(key, "description"))
        return iprefix(s->description, v);
    if (!strcmp(key, "tag-key"))
        return tag_match(r, s->arn, v, 0, 0);
    if (!strcmp(key, "tag-value"))
        return tag_match(r, s->arn, v, 1, 0);
    if (!strcmp(key, "primary-region"))
        return prefix(region, v);
    if (!strcmp(key, "owning-service"))
        return prefix(s->owning_service, v);
    while (*p) {
        size_t n;
        while (*p == ' ')
            p++;
        n = strcspn(p, " ");
        if (n == 0)
            break;
        if (n >= sizeof word)
            n = sizeof word - 1;
        memcpy(word, p, n);
        word[n] = '\0';
        p += n;
        if (!(word_match(s->name, word) || word_match(s->description, word) ||
              tag_match(r, s->arn, word, 0, 1) || tag_match(r, s->arn, word, 1, 1) ||
              word_match(region, word) || word_match(s->owning_service, word)))
            return 0;
    }
    return 1;
}

static const char *const filter_keys[] = {"description", "name", "tag-key", "tag-value",
                                          "primary-region", "owning-service", "all", NULL};

/* Validates Filters; 0 or InvalidParameterException. */
int sm_check_filters(svc_req_t *r, const cJSON *filters)
{
    const cJSON *f;

    cJSON_ArrayForEach(f, filters) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(f, "Key");
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(f, "Values"), *v;
        size_t i;
        int ok = 0;
        if (!cJSON_IsObject(f) || !cJSON_IsString(k))
            return sm_fail(r, SM_E_FILTER_KEY, NULL, NULL);
        for (i = 0; filter_keys[i]; i++)
            ok |= !strcmp(filter_keys[i], k->valuestring);
        if (!ok)
            return sm_fail(r, SM_E_FILTER_ENUM, k->valuestring, NULL);
        if (vals && !cJSON_IsArray(vals))
            return sm_fail(r, SM_E_FILTER_VALUES, NULL, NULL);
        if (vals && cJSON_GetArraySize(vals) > 10)
            return sm_fail(r, SM_E_FILTER_TOO_MANY, NULL, NULL);
        cJSON_ArrayForEach(v, vals) if (!cJSON_IsString(v) || strlen(v->valuestring) > 512)
            return sm_fail(r, SM_E_FILTER_VALUE, NULL, NULL);
    }
    return 0;
}

/* Filters AND together; a filter's values OR together; "!" negates. */
int sm_filters_match(svc_req_t *r, const sm_secret_t *s, const cJSON *filters)
{
    const cJSON *f;

    cJSON_ArrayForEach(f, filters) {
        const char *key = cJSON_GetObjectItemCaseSensitive(f, "Key")->valuestring;
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(f, "Values"), *v;
        int any = 0, has_positive = 0, excluded = 0;
        cJSON_ArrayForEach(v, vals) {
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

/* One listing query per sort key, order, and first page or after a cursor:
 * ?1 account, ?2 region, ?3 the cursor's sort key, ?4 its seq, ?5 the rows
 * wanted, ?6 1 to include secrets planned for deletion. Each walks an index
 * (011_sm_list_order.sql; name: the UNIQUE (account, region, name)). */
#define LIST(after, order)                                                                         \
    "SELECT " SM_COLS ", seq FROM sm_secrets WHERE account=?1 AND region=?2 AND (?6 OR "            \
    "deleted_date IS NULL)" after " ORDER BY " order " LIMIT ?5"
/* (key, seq) after (?3, ?4), written so that SQLite ranges over the index
 * even when key is an expression (a row value would not). */
#define AFTER(key, op) " AND " key " " op "= ?3 AND (" key " " op " ?3 OR seq " op " ?4)"
#define BY(key)                                                                                    \
    {                                                                                              \
        {LIST("", key " ASC, seq ASC"), LIST(AFTER(key, ">"), key " ASC, seq ASC")},              \
        {                                                                                          \
            LIST("", key " DESC, seq DESC"), LIST(AFTER(key, "<"), key " DESC, seq DESC")          \
        }                                                                                          \
    }

static const char *const list_sql[4][2][2] = {
    BY("created"),
    BY("IFNULL(last_accessed, 0)"),
    BY("last_changed"),
    {{LIST("", "name ASC"), LIST(" AND name > ?3", "name ASC")},
     {LIST("", "name DESC"), LIST(" AND name < ?3", "name DESC")}},
};

#define SORT_NAME 3

/* Appends up to max secrets of the listing after *c to list, advancing *c;
 * *more: another secret follows. Rows come max + 1 at a time; Filters
 * (matched here, not in SQL) may need more rows than that. */
static int list_page(svc_req_t *r, int sort, int desc, int planned, const cJSON *filters,
                     long max, sm_cursor_t *c, cJSON *list, int *more)
{
    long emitted = 0;
    sm_cursor_t scan = *c;

    *more = 0;
    for (;;) {
        const char *sql = list_sql[sort][desc][scan.have];
        sqlite3_stmt *st = sort == SORT_NAME
                               ? db_query(r->emu->db, sql, "sssnli", r->account, r->region,
                                          scan.text, (long long)max + 1, planned)
                               : db_query(r->emu->db, sql, "ssdlli", r->account, r->region,
                                          scan.num, scan.seq, (long long)max + 1, planned);
        long rows = 0;
        int rc;

        while ((rc = db_row(st)) == 1) {
            sm_secret_t s;
            rows++;
            memset(&s, 0, sizeof s);
            sm_fill_secret(st, &s);
            scan.have = 1;
            scan.seq = sqlite3_column_int64(st, SM_NCOLS);
            scan.num = sort == 0   ? s.created
                       : sort == 1 ? s.last_accessed
                       : sort == 2 ? s.last_changed
                                   : 0;
            snprintf(scan.text, sizeof scan.text, "%s", sort == SORT_NAME ? s.name : "");
            if (filters == NULL || sm_filters_match(r, &s, filters)) {
                if (emitted == max) {
                    *more = 1;
                } else {
                    cJSON *o = cJSON_CreateObject();
                    sm_secret_json(r, &s, o, "SecretVersionsToStages");
                    cJSON_AddItemToArray(list, o);
                    emitted++;
                    *c = scan;
                }
            }
            sm_secret_clear(&s);
            if (*more)
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
    int planned = 0, more = 0, si = 0, desc;
    char listing[64];
    sm_cursor_t c;
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
    desc = strcmp(order, "desc") == 0;
    snprintf(listing, sizeof listing, "secrets %s %s", sort, order);
    if (sm_cursor_parse(r, in, listing, &c) != 0)
        return -1;
    sm_purge_due(r);
    if (list_page(r, si, desc, planned, filters, max, &c, cJSON_AddArrayToObject(out, "SecretList"),
                  &more) != 0)
        return -1;
    if (more)
        sm_cursor_put(out, listing, &c);
    return 0;
}
