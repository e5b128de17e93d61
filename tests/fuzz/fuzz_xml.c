/* fuzz_xml.c — fuzz target for the XML reader and writer. The first input
 * byte picks caps (small ones to hit every limit, or the defaults); the rest
 * is a document, held in an exact-size buffer. Invariants: a parse that
 * succeeds respects every cap, has NUL-free texts of the stated length, also
 * succeeds under the default caps with the same tree, and its tree written
 * back with the writer reads back identically. Separately, the rest used as
 * a key written with xml_elem_n must read back byte for byte exactly when it
 * is text XML allows (valid UTF-8, no NUL, no surrogates, no U+FFFE/FFFF),
 * and be refused otherwise. A tree without mixed content, written and then
 * indented with xml_indent, also reads back identically. */
#include "base/xml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_xml:%d: invariant failed: %s\n", __LINE__,   \
                    #c);                                                       \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Checks n against the caps; adds its elements to *nodes. */
static void check_tree(const xml_node_t *n, const xml_limits_t *lim, size_t depth,
                       size_t *nodes /* IN/OUT */)
{
    const xml_node_t *c;

    FUZZ_CHECK(depth <= lim->max_depth);
    FUZZ_CHECK(++*nodes <= lim->max_nodes);
    FUZZ_CHECK(xml_name(n) && xml_name(n)[0] && !strchr(xml_name(n), ':'));
    FUZZ_CHECK(strlen(xml_text(n)) == xml_text_len(n));
    FUZZ_CHECK(xml_text_len(n) <= lim->max_text);
    FUZZ_CHECK(xml_ns(n) != NULL);
    for (c = xml_child(n, NULL); c; c = xml_next(c, NULL)) {
        FUZZ_CHECK(xml_child(n, xml_name(c)) != NULL);
        check_tree(c, lim, depth + 1, nodes);
    }
    if (xml_child(n, NULL)) {
        /* text beside children is empty or more than indentation */
        size_t i, t = xml_text_len(n);
        for (i = 0; i < t && strchr(" \t\r\n", xml_text(n)[i]); i++)
            ;
        FUZZ_CHECK(t == 0 || i < t);
    }
}

/* Non-zero when a and b have the same names, texts and children. */
static int same_tree(const xml_node_t *a, const xml_node_t *b)
{
    const xml_node_t *ca, *cb;

    if (strcmp(xml_name(a), xml_name(b)) != 0 || xml_text_len(a) != xml_text_len(b) ||
        memcmp(xml_text(a), xml_text(b), xml_text_len(a)) != 0)
        return 0;
    for (ca = xml_child(a, NULL), cb = xml_child(b, NULL); ca && cb;
         ca = xml_next(ca, NULL), cb = xml_next(cb, NULL))
        if (!same_tree(ca, cb))
            return 0;
    return ca == NULL && cb == NULL;
}

/* Writes n (text first, then children) with the writer. */
static void write_tree(buf_t *b, const xml_node_t *n)
{
    const xml_node_t *c;

    FUZZ_CHECK(xml_open(b, xml_name(n)) == 0);
    FUZZ_CHECK(xml_escape(b, xml_text(n), xml_text_len(n)) == 0);
    for (c = xml_child(n, NULL); c; c = xml_next(c, NULL))
        write_tree(b, c);
    FUZZ_CHECK(xml_close(b, xml_name(n)) == 0);
}

/* Non-zero when s[0..n) is text XML 1.0 allows once control characters are
 * written as references: shortest-form UTF-8 up to U+10FFFF without NUL,
 * surrogates, U+FFFE and U+FFFF. */
static int xml_text_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned long cp;
        size_t k, need;

        if (s[i] == 0)
            return 0;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xc2 && s[i] <= 0xdf) {
            need = 1;
            cp = s[i] & 0x1f;
        } else if (s[i] >= 0xe0 && s[i] <= 0xef) {
            need = 2;
            cp = s[i] & 0x0f;
        } else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
            need = 3;
            cp = s[i] & 0x07;
        } else {
            return 0;
        }
        if (n - i <= need)
            return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
            return 0;
        i += need + 1;
    }
    return 1;
}

static void check_key_round_trip(const char *s, size_t n)
{
    buf_t b;
    xml_node_t *root;
    const xml_node_t *k;
    char err[256];

    buf_init(&b, 0);
    FUZZ_CHECK(xml_decl(&b) == 0);
    FUZZ_CHECK(xml_open_ns(&b, "Delete", XML_NS_S3) == 0);
    FUZZ_CHECK(xml_open(&b, "Object") == 0);
    FUZZ_CHECK(xml_elem_n(&b, "Key", s, n) == 0);
    FUZZ_CHECK(xml_close(&b, "Object") == 0);
    FUZZ_CHECK(xml_close(&b, "Delete") == 0);
    root = xml_parse(b.data, b.len, NULL, err, sizeof err);
    if (xml_text_ok((const unsigned char *)s, n)) {
        if (!root)
            fprintf(stderr, "fuzz_xml: writer output refused: %s\n", err);
        FUZZ_CHECK(root != NULL);
        k = xml_child(xml_child(root, "Object"), "Key");
        FUZZ_CHECK(k != NULL && strcmp(xml_ns(k), XML_NS_S3) == 0);
        FUZZ_CHECK(xml_text_len(k) == n && memcmp(xml_text(k), s, n) == 0);
    } else {
        FUZZ_CHECK(root == NULL && err[0]);
    }
    xml_free(root);
    buf_free(&b);
}

/* 1 when some element has both text and child elements. */
static int mixed(const xml_node_t *n)
{
    const xml_node_t *c = xml_child(n, NULL);

    if (c && xml_text_len(n))
        return 1;
    for (; c; c = xml_next(c, NULL))
        if (mixed(c))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const xml_limits_t big = {(size_t)64 << 20, 0, 0, 0};
    xml_limits_t lim = {0, 0, 0, 0}, eff;
    xml_node_t *root, *again;
    char *doc, err[256];
    size_t nodes = 0;
    uint8_t sel;

    if (size == 0)
        return 0;
    sel = data[0];
    data++;
    size--;
    if (sel & 0x80) { /* small caps */
        lim.max_depth = (size_t)(sel & 0x07) + 1;
        lim.max_nodes = (size_t)((sel >> 3) & 0x03) * 8 + 1;
        lim.max_text = (size_t)((sel >> 5) & 0x03) * 16 + 1;
        if (sel & 0x08)
            lim.max_input = size / 2 + 1;
    }
    eff.max_input = lim.max_input ? lim.max_input : XML_DEFAULT_MAX_INPUT;
    eff.max_depth = lim.max_depth ? lim.max_depth : XML_DEFAULT_MAX_DEPTH;
    eff.max_nodes = lim.max_nodes ? lim.max_nodes : XML_DEFAULT_MAX_NODES;
    eff.max_text = lim.max_text ? lim.max_text : XML_DEFAULT_MAX_TEXT;

    doc = malloc(size ? size : 1);
    FUZZ_CHECK(doc);
    memcpy(doc, data, size);

    err[0] = '\0';
    root = xml_parse(doc, size, &lim, err, sizeof err);
    if (!root) {
        FUZZ_CHECK(err[0] != '\0' && strlen(err) < sizeof err);
    } else {
        buf_t b;

        FUZZ_CHECK(size <= eff.max_input);
        check_tree(root, &eff, 1, &nodes);
        /* caps only ever refuse: the defaults give the same tree */
        again = xml_parse(doc, size, NULL, err, sizeof err);
        FUZZ_CHECK(again != NULL && same_tree(root, again));
        xml_free(again);
        /* the writer's rendering reads back as the same tree */
        buf_init(&b, 0);
        write_tree(&b, root);
        again = xml_parse(b.data, b.len, &big, err, sizeof err);
        if (!again)
            fprintf(stderr, "fuzz_xml: rewritten tree refused: %s\n", err);
        FUZZ_CHECK(again != NULL && same_tree(root, again));
        xml_free(again);
        /* indented as the Query protocol sends it, a tree without mixed
         * content reads back the same */
        if (!mixed(root)) {
            buf_t ind;
            buf_init(&ind, 0);
            FUZZ_CHECK(xml_indent(&ind, b.data, b.len) == 0);
            again = xml_parse(ind.data, ind.len, &big, err, sizeof err);
            FUZZ_CHECK(again != NULL && same_tree(root, again));
            xml_free(again);
            buf_free(&ind);
        }
        buf_free(&b);
        xml_free(root);
    }

    if (size <= 4096)
        check_key_round_trip(doc, size);
    free(doc);
    return 0;
}
