/* jsonlen.c — decoded string lengths for a cJSON tree, from its text.
 *
 * Why a second pass and not a parser of our own: cJSON already builds the
 * tree every handler reads; the only things it loses are lengths (and it
 * is lax where JSON is strict). Re-scanning the text costs one linear pass
 * with no allocation, and a node's string fields are only read, so cJSON's
 * behaviour is untouched for every request without U+0000 in it. The scan
 * must agree with cJSON token for token; where it does not (text that was
 * not what the tree was parsed from), it says so instead of guessing. */
#include "base/jsonlen.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH (CJSON_NESTING_LIMIT + 8)

/* cJSON's type tests, inline: the library's are calls through the PLT,
 * several per node on every request body. */
#define TYPE(v) ((v)->type & 0xff)
#define IS_STRING(v) (TYPE(v) == cJSON_String)
#define IS_NUMBER(v) (TYPE(v) == cJSON_Number)
#define IS_OBJECT(v) (TYPE(v) == cJSON_Object)
#define IS_ARRAY(v) (TYPE(v) == cJSON_Array)
#define IS_SCALAR(v) (TYPE(v) == cJSON_Number || TYPE(v) == cJSON_True || \
                      TYPE(v) == cJSON_False || TYPE(v) == cJSON_NULL)

typedef struct {
    const unsigned char *p, *end;
    size_t nuls;
} cur_t;

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips JSON whitespace; JSONLEN_ESPACE when it stops at another byte that
 * cJSON would have skipped (<= 0x20). */
static int skip_ws(cur_t *c)
{
    while (c->p < c->end && is_ws(*c->p))
        c->p++;
    if (c->p < c->end && *c->p <= 0x20)
        return JSONLEN_ESPACE;
    return JSONLEN_OK;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Nonzero when some byte of w is below 0x20, '"' or '\\' (the classic
 * "has less than" / "has zero byte" word tricks; bytes >= 0x80 never
 * count). */
static inline uint64_t special8(uint64_t w)
{
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

    return ((w - ONES * 0x20) & ~w & HIGHS) | ((q - ONES) & ~q & HIGHS) |
           ((b - ONES) & ~b & HIGHS);
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        unsigned char h = p[i];
        v <<= 4;
        if (h >= '0' && h <= '9')
            v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f')
            v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F')
            v |= (unsigned)(h - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Scans the string at c->p (a '"') as cJSON decodes it: *len gets the
 * decoded byte count, *nul whether it holds U+0000. */
static int scan_string(cur_t *c, size_t *len, int *nul)
{
    const unsigned char *p = c->p + 1, *end = c->end;
    size_t n = 0;

    *nul = 0;
    for (;;) {
        const unsigned char *run = p;
        unsigned cp, lo;
        /* the common case: a run of plain bytes, eight at a time while no
         * byte of the word is a control character, '"' or '\\' */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (special8(w))
                break;
            p += 8;
        }
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        n += (size_t)(p - run);
        if (p >= end)
            return JSONLEN_EMISMATCH;
        if (*p == '"')
            break;
        if (*p < 0x20)
            return JSONLEN_ECTL;
        if (end - p < 2)
            return JSONLEN_EMISMATCH;
        switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            n++;
            p += 2;
            continue;
        case 'u':
            break;
        default:
            return JSONLEN_EMISMATCH; /* cJSON refuses other escapes */
        }
        if (end - p < 6 || hex4(p + 2, &cp) != 0)
            return JSONLEN_EESCAPE;
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return JSONLEN_EESCAPE;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) != 0 ||
                lo < 0xdc00 || lo > 0xdfff)
                return JSONLEN_EESCAPE;
            n += 4;
            p += 12;
            continue;
        }
        if (cp == 0)
            *nul = 1;
        n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        p += 6;
    }
    c->p = p + 1;
    *len = n;
    if (*nul)
        c->nuls++;
    return JSONLEN_OK;
}

static int walk(cJSON *node, cur_t *c, int depth);

/* The members of object node, the text at its '{'. */
static int walk_object(cJSON *node, cur_t *c, int depth)
{
    cJSON *child = node->child;
    int rc;

    c->p++;
    if ((rc = skip_ws(c)) != JSONLEN_OK)
        return rc;
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return child ? JSONLEN_EMISMATCH : JSONLEN_OK;
    }
    for (;;) {
        size_t klen;
        int knul;
        if (child == NULL || c->p >= c->end || *c->p != '"')
            return JSONLEN_EMISMATCH;
        if ((rc = scan_string(c, &klen, &knul)) != JSONLEN_OK || (rc = skip_ws(c)) != JSONLEN_OK)
            return rc;
        if (c->p >= c->end || *c->p != ':')
            return JSONLEN_EMISMATCH;
        c->p++;
        if ((rc = walk(child, c, depth + 1)) != JSONLEN_OK)
            return rc;
        if (IS_NUMBER(child)) {
            if (knul)
                return JSONLEN_ENULKEY;
        } else {
            child->valuedouble = (double)klen;
        }
        if ((rc = skip_ws(c)) != JSONLEN_OK)
            return rc;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            if ((rc = skip_ws(c)) != JSONLEN_OK)
                return rc;
            child = child->next;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            return child->next ? JSONLEN_EMISMATCH : JSONLEN_OK;
        }
        return JSONLEN_EMISMATCH;
    }
}

/* The elements of array node, the text at its '['. */
static int walk_array(cJSON *node, cur_t *c, int depth)
{
    cJSON *child = node->child;
    int rc;

    c->p++;
    if ((rc = skip_ws(c)) != JSONLEN_OK)
        return rc;
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return child ? JSONLEN_EMISMATCH : JSONLEN_OK;
    }
    for (;;) {
        if (child == NULL)
            return JSONLEN_EMISMATCH;
        if ((rc = walk(child, c, depth + 1)) != JSONLEN_OK || (rc = skip_ws(c)) != JSONLEN_OK)
            return rc;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            child = child->next;
            continue;
        }
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return child->next ? JSONLEN_EMISMATCH : JSONLEN_OK;
        }
        return JSONLEN_EMISMATCH;
    }
}

/* One value: node, the text at it (whitespace first). */
static int walk(cJSON *node, cur_t *c, int depth)
{
    const unsigned char *start;
    int rc;

    if (depth > MAX_DEPTH)
        return JSONLEN_EMISMATCH;
    if ((rc = skip_ws(c)) != JSONLEN_OK)
        return rc;
    if (c->p >= c->end)
        return JSONLEN_EMISMATCH;
    switch (*c->p) {
    case '{':
        return IS_OBJECT(node) ? walk_object(node, c, depth) : JSONLEN_EMISMATCH;
    case '[':
        return IS_ARRAY(node) ? walk_array(node, c, depth) : JSONLEN_EMISMATCH;
    case '"': {
        size_t len;
        int nul;
        if (!IS_STRING(node) || node->valuestring == NULL)
            return JSONLEN_EMISMATCH;
        if ((rc = scan_string(c, &len, &nul)) != JSONLEN_OK)
            return rc;
        if (len > INT_MAX)
            return JSONLEN_EMISMATCH;
        node->valueint = (int)len;
        return JSONLEN_OK;
    }
    default:
        /* number, true, false, null: one token of these characters */
        start = c->p;
        while (c->p < c->end && ((*c->p >= '0' && *c->p <= '9') || (*c->p >= 'a' && *c->p <= 'z') ||
                                 (*c->p >= 'A' && *c->p <= 'Z') || *c->p == '+' || *c->p == '-' ||
                                 *c->p == '.'))
            c->p++;
        if (c->p == start || !IS_SCALAR(node))
            return JSONLEN_EMISMATCH;
        return JSONLEN_OK;
    }
}

int jsonlen_record(cJSON *root, const char *text, size_t len, size_t *nuls)
{
    cur_t c;
    int rc;

    if (nuls)
        *nuls = 0;
    if (root == NULL || text == NULL)
        return JSONLEN_EMISMATCH;
    c.p = (const unsigned char *)text;
    c.end = c.p + len;
    c.nuls = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c.p += 3;
    if ((rc = walk(root, &c, 0)) != JSONLEN_OK || (rc = skip_ws(&c)) != JSONLEN_OK)
        return rc;
    if (c.p != c.end)
        return JSONLEN_EMISMATCH;
    if (nuls)
        *nuls = c.nuls;
    return JSONLEN_OK;
}

size_t jsonlen_str(const cJSON *v)
{
    if (!cJSON_IsString(v) || v->valuestring == NULL)
        return 0;
    if (v->valueint > 0)
        return (size_t)v->valueint;
    return strlen(v->valuestring);
}

size_t jsonlen_key(const cJSON *v)
{
    if (v == NULL || v->string == NULL)
        return 0;
    if (!cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= (double)SIZE_MAX)
        return (size_t)v->valuedouble;
    return strlen(v->string);
}

int jsonlen_has_nul(const cJSON *v)
{
    if (v == NULL)
        return 0;
    if (cJSON_IsString(v) && v->valuestring && jsonlen_str(v) != strlen(v->valuestring))
        return 1;
    return v->string && jsonlen_key(v) != strlen(v->string);
}
