/* xml.c — capped DOM reader on expat and escaping writer for REST-XML.
 *
 * Reader: expat does the parsing; a DOCTYPE stops it at once, so there are
 * no entity declarations (billion laughs) and no external entities (XXE).
 * The tree lives in one arena freed by xml_free. XML 1.0 forbids even
 * character references to most control characters, yet S3 writes keys that
 * contain them as &#xN; and reads them back; a pre-pass over the input
 * therefore turns each such reference in element content into a processing
 * instruction <?awsemu-ctl NN?>, which the handler below appends to the text
 * as the byte NN. Genuine instructions with that target are refused. */
#include "base/xml.h"

#include <expat.h>
#include <limits.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

struct xml_node {
    const char *name;
    const char *ns;
    const char *text;
    size_t text_len;
    xml_node_t *first; /* children in document order */
    xml_node_t *last;
    xml_node_t *next;  /* next sibling */
};

/* ---- arena: the tree's memory, freed in one go ---- */

#define CHUNK_SIZE ((size_t)32 << 10)

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
} chunk_t;

/* What xml_parse returns a pointer into: the root is the document's first
 * member after the arena, so xml_free finds the arena from the root. */
typedef struct {
    chunk_t *chunks;
    xml_node_t root;
} doc_t;

/* Returns n bytes aligned to align (a power of two <= max_align_t) from the
 * document's arena, or NULL when out of memory. */
static void *arena_alloc(doc_t *d, size_t n, size_t align)
{
    chunk_t *c = d->chunks;
    size_t off;

    if (c) {
        off = (c->used + align - 1) & ~(align - 1);
        if (off <= c->size && c->size - off >= n) {
            c->used = off + n;
            return c->data + off;
        }
    }
    if (n > CHUNK_SIZE / 4) {
        /* a big block gets a chunk of its own, behind the current one */
        if ((c = malloc(sizeof *c + n)) == NULL)
            return NULL;
        c->used = c->size = n;
        if (d->chunks) {
            c->next = d->chunks->next;
            d->chunks->next = c;
        } else {
            c->next = NULL;
            d->chunks = c;
        }
        return c->data;
    }
    if ((c = malloc(sizeof *c + CHUNK_SIZE)) == NULL)
        return NULL;
    c->size = CHUNK_SIZE;
    c->used = n;
    c->next = d->chunks;
    d->chunks = c;
    return c->data;
}

static char *arena_strndup(doc_t *d, const char *s, size_t n)
{
    char *p = arena_alloc(d, n + 1, 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* ---- parse state ---- */

#define CTL_PI "awsemu-ctl"      /* target of the stand-in instruction */
#define FLUSH_SIZE ((size_t)1 << 20) /* bytes handed to expat per call */

typedef struct {
    xml_node_t *node;
    buf_t text;       /* character data so far (cap: max_text) */
    size_t run_start; /* where the current run of character data began */
    int run_open;     /* a run is in progress (no tag since it began) */
    int has_child;
} frame_t;

typedef struct {
    XML_Parser p;
    doc_t *doc;
    xml_limits_t lim;
    frame_t *stack;    /* lim.max_depth frames */
    size_t depth;      /* open elements */
    size_t nodes;      /* elements seen */
    int have_root;
    int failed;        /* a handler stopped the parser; msg says why */
    int rewritten;     /* the pre-pass replaced a reference */
    char msg[160];
    buf_t scratch;     /* pre-pass output waiting for expat */
} parse_t;

static void stop(parse_t *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first error and stops expat (from inside a handler or not). */
static void stop(parse_t *st, const char *fmt, ...)
{
    va_list ap;

    if (st->failed)
        return;
    st->failed = 1;
    va_start(ap, fmt);
    vsnprintf(st->msg, sizeof st->msg, fmt, ap);
    va_end(ap);
    XML_StopParser(st->p, XML_FALSE);
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Ends f's current run of character data at a tag; drops it when f has
 * child elements and the run is only whitespace. */
static void end_run(frame_t *f)
{
    size_t i;

    if (!f->run_open)
        return;
    f->run_open = 0;
    if (!f->has_child)
        return;
    for (i = f->run_start; i < f->text.len; i++)
        if (!is_ws((unsigned char)f->text.data[i]))
            return;
    f->text.len = f->run_start;
    if (f->text.data)
        f->text.data[f->text.len] = '\0';
}

static void add_text(parse_t *st, const char *s, size_t n)
{
    frame_t *f;
    int rc;

    if (st->failed || st->depth == 0)
        return;
    f = &st->stack[st->depth - 1];
    if (!f->run_open) {
        f->run_open = 1;
        f->run_start = f->text.len;
    }
    if ((rc = buf_add(&f->text, s, n)) == BUF_ETOOBIG)
        stop(st, "text of element %.64s longer than %zu bytes", f->node->name, st->lim.max_text);
    else if (rc != 0)
        stop(st, "out of memory");
}

static void XMLCALL on_start(void *ud, const XML_Char *qname, const XML_Char **attrs)
{
    parse_t *st = ud;
    doc_t *d = st->doc;
    const char *sep = strrchr(qname, '\n');
    const char *local = sep ? sep + 1 : qname;
    size_t nslen = sep ? (size_t)(sep - qname) : 0;
    frame_t *parent = st->depth ? &st->stack[st->depth - 1] : NULL;
    xml_node_t *n;
    frame_t *f;

    (void)attrs;
    if (st->failed)
        return;
    if (st->depth >= st->lim.max_depth) {
        stop(st, "elements nested deeper than %zu", st->lim.max_depth);
        return;
    }
    if (st->nodes >= st->lim.max_nodes) {
        stop(st, "more than %zu elements", st->lim.max_nodes);
        return;
    }
    if (parent) {
        parent->has_child = 1;
        end_run(parent);
        n = arena_alloc(d, sizeof *n, alignof(xml_node_t));
    } else if (st->have_root) {
        stop(st, "more than one root element"); /* expat refuses first */
        return;
    } else {
        n = &d->root;
        st->have_root = 1;
    }
    if (n == NULL || (n->name = arena_strndup(d, local, strlen(local))) == NULL) {
        stop(st, "out of memory");
        return;
    }
    /* share the namespace string with the parent when it is the same */
    if (nslen == 0)
        n->ns = "";
    else if (parent && strlen(parent->node->ns) == nslen &&
             memcmp(parent->node->ns, qname, nslen) == 0)
        n->ns = parent->node->ns;
    else if ((n->ns = arena_strndup(d, qname, nslen)) == NULL) {
        stop(st, "out of memory");
        return;
    }
    n->text = "";
    n->text_len = 0;
    n->first = n->last = n->next = NULL;
    if (parent) {
        if (parent->node->last)
            parent->node->last->next = n;
        else
            parent->node->first = n;
        parent->node->last = n;
    }
    st->nodes++;
    f = &st->stack[st->depth++];
    f->node = n;
    buf_reset(&f->text);
    f->run_open = f->has_child = 0;
    f->run_start = 0;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    parse_t *st = ud;
    frame_t *f;

    (void)name;
    if (st->failed || st->depth == 0)
        return;
    f = &st->stack[st->depth - 1];
    end_run(f);
    if (f->text.len) {
        char *t = arena_strndup(st->doc, f->text.data, f->text.len);
        if (t == NULL) {
            stop(st, "out of memory");
            return;
        }
        f->node->text = t;
        f->node->text_len = f->text.len;
    }
    st->depth--;
}

static void XMLCALL on_chars(void *ud, const XML_Char *s, int len)
{
    add_text(ud, s, (size_t)len);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The control characters XML 1.0 forbids even as character references. */
static int is_restricted(unsigned long v)
{
    return v >= 1 && v < 0x20 && v != '\t' && v != '\n' && v != '\r';
}

static void XMLCALL on_pi(void *ud, const XML_Char *target, const XML_Char *data)
{
    parse_t *st = ud;
    int hi, lo;
    char c;

    if (st->failed || strcmp(target, CTL_PI) != 0)
        return; /* other instructions are dropped */
    /* only the pre-pass writes this target, always as two hex digits */
    hi = hexval((unsigned char)data[0]);
    lo = hi < 0 ? -1 : hexval((unsigned char)data[1]);
    if (lo < 0 || data[2] != '\0' || !is_restricted((unsigned long)(hi * 16 + lo))) {
        stop(st, "internal: bad stand-in instruction");
        return;
    }
    if (st->depth == 0) {
        stop(st, "character reference outside the root element");
        return;
    }
    c = (char)(hi * 16 + lo);
    add_text(st, &c, 1);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    stop(ud, "DOCTYPE is not allowed");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    (void)name;
    (void)is_param;
    (void)value;
    (void)value_len;
    (void)base;
    (void)sysid;
    (void)pubid;
    (void)notation;
    stop(ud, "entity declarations are not allowed");
}

static int XMLCALL on_external_entity(XML_Parser p, const XML_Char *context,
                                      const XML_Char *base, const XML_Char *sysid,
                                      const XML_Char *pubid)
{
    (void)p;
    (void)context;
    (void)base;
    (void)sysid;
    (void)pubid;
    return XML_STATUS_ERROR; /* never fetched */
}

/* ---- feeding expat ---- */

/* Hands s[0..n) to expat (n <= INT_MAX); returns 0 or -1 when parsing
 * failed (st->failed set, or expat's own error pending). */
static int feed(parse_t *st, const char *s, size_t n, int final)
{
    if (st->failed)
        return -1;
    if (XML_Parse(st->p, s, (int)n, final) != XML_STATUS_OK)
        return -1;
    return st->failed ? -1 : 0;
}

static int flush(parse_t *st)
{
    int rc = 0;

    if (st->scratch.len)
        rc = feed(st, st->scratch.data, st->scratch.len, 0);
    buf_reset(&st->scratch);
    return rc;
}

/* Passes s[0..n) on to expat, batching small pieces. Returns 0 or -1. */
static int emit(parse_t *st, const char *s, size_t n)
{
    if (st->scratch.len + n > FLUSH_SIZE && flush(st) != 0)
        return -1;
    if (n >= FLUSH_SIZE)
        return feed(st, s, n, 0);
    if (buf_add(&st->scratch, s, n) != 0) {
        stop(st, "out of memory");
        return -1;
    }
    return 0;
}

/* Index of the first occurrence of pat in s[from..len), or len. */
static size_t find(const char *s, size_t len, size_t from, const char *pat)
{
    size_t pl = strlen(pat);
    const char *hit;

    while (from < len && len - from >= pl) {
        if ((hit = memchr(s + from, pat[0], len - from - pl + 1)) == NULL)
            break;
        from = (size_t)(hit - s);
        if (memcmp(hit, pat, pl) == 0)
            return from;
        from++;
    }
    return len;
}

static int starts(const char *s, size_t len, size_t i, const char *pat)
{
    size_t n = strlen(pat);

    return len - i >= n && memcmp(s + i, pat, n) == 0;
}

/* Feeds s[0..len) to expat with the references to restricted control
 * characters outside markup, comments and CDATA replaced as described at
 * the top. A reference expat would refuse for another reason is left as it
 * is, for expat to refuse. Returns 0 or -1. */
static int prepass(parse_t *st, const char *s, size_t len)
{
    size_t i = 0, done = 0; /* s[0..done) has been emitted */

    while (i < len) {
        if (s[i] == '<') {
            if (starts(s, len, i, "<!--")) {
                i = find(s, len, i + 4, "-->") + 3;
            } else if (starts(s, len, i, "<![CDATA[")) {
                i = find(s, len, i + 9, "]]>") + 3;
            } else if (starts(s, len, i, "<?")) {
                size_t t = i + 2, tl = strlen(CTL_PI);
                if (len - t >= tl && memcmp(s + t, CTL_PI, tl) == 0 &&
                    (len - t == tl || is_ws((unsigned char)s[t + tl]) || s[t + tl] == '?')) {
                    stop(st, "processing instruction target %s is reserved", CTL_PI);
                    return -1;
                }
                i = find(s, len, t, "?>") + 2;
            } else {
                /* a tag (or DOCTYPE, refused later): to '>' outside quotes */
                char q = 0;
                for (i++; i < len; i++) {
                    if (q) {
                        if (s[i] == q)
                            q = 0;
                    } else if (s[i] == '"' || s[i] == '\'') {
                        q = s[i];
                    } else if (s[i] == '>') {
                        break;
                    }
                }
                i++;
            }
        } else if (s[i] == '&' && len - i >= 2 && s[i + 1] == '#') {
            size_t j = i + 2, digits = 0;
            unsigned long v = 0, base = 10;
            int dv;

            if (j < len && s[j] == 'x') {
                base = 16;
                j++;
            }
            for (; j < len && (dv = hexval((unsigned char)s[j])) >= 0 && (unsigned long)dv < base;
                 j++, digits++)
                if (v < 0x110000)
                    v = v * base + (unsigned long)dv;
            if (digits && j < len && s[j] == ';' && is_restricted(v)) {
                char pi[32];
                int pl = snprintf(pi, sizeof pi, "<?" CTL_PI " %02lX?>", v);
                if (emit(st, s + done, i - done) != 0 || emit(st, pi, (size_t)pl) != 0)
                    return -1;
                done = j + 1;
                st->rewritten = 1;
            }
            i = j;
        } else {
            i++;
        }
    }
    if (emit(st, s + done, len - done) != 0 || flush(st) != 0)
        return -1;
    return feed(st, "", 0, 1);
}

/* ---- public: reader ---- */

xml_node_t *xml_parse(const char *buf, size_t len, const xml_limits_t *lim, char *err,
                      size_t errlen)
{
    parse_t st;
    xml_node_t *root = NULL;
    size_t i;

    memset(&st, 0, sizeof st);
    buf_init(&st.scratch, 0);
    if (buf == NULL)
        buf = "", len = 0;
    if (lim)
        st.lim = *lim;
    if (st.lim.max_input == 0)
        st.lim.max_input = XML_DEFAULT_MAX_INPUT;
    if (st.lim.max_input > INT_MAX)
        st.lim.max_input = INT_MAX;
    if (st.lim.max_depth == 0)
        st.lim.max_depth = XML_DEFAULT_MAX_DEPTH;
    if (st.lim.max_nodes == 0)
        st.lim.max_nodes = XML_DEFAULT_MAX_NODES;
    if (st.lim.max_text == 0)
        st.lim.max_text = XML_DEFAULT_MAX_TEXT;

    if (len > st.lim.max_input) {
        snprintf(st.msg, sizeof st.msg, "document longer than %zu bytes", st.lim.max_input);
        goto fail;
    }
    /* expat would honour a UTF-16 byte order mark or a UTF-16 '<' over the
     * forced encoding; neither a NUL nor a leading 0xFE / 0xFF is UTF-8.
     * Ill-formed UTF-8 (overlongs, surrogates, past U+10FFFF) is refused
     * here too, whatever expat's own checks, so no text node can hold it. */
    if (len && (memchr(buf, '\0', len) || ((unsigned char)buf[0] & 0xfe) == 0xfe ||
                !utf8_valid(buf, len))) {
        snprintf(st.msg, sizeof st.msg, "document is not UTF-8");
        goto fail;
    }
    st.doc = calloc(1, sizeof *st.doc);
    st.stack = calloc(st.lim.max_depth, sizeof *st.stack);
    /* the forced encoding overrides the document's declaration */
    st.p = XML_ParserCreateNS("UTF-8", '\n');
    if (!st.doc || !st.stack || !st.p) {
        snprintf(st.msg, sizeof st.msg, "out of memory");
        goto fail;
    }
    for (i = 0; i < st.lim.max_depth; i++)
        buf_init(&st.stack[i].text, st.lim.max_text);
    XML_SetUserData(st.p, &st);
    XML_SetElementHandler(st.p, on_start, on_end);
    XML_SetCharacterDataHandler(st.p, on_chars);
    XML_SetProcessingInstructionHandler(st.p, on_pi);
    XML_SetStartDoctypeDeclHandler(st.p, on_doctype);
    XML_SetEntityDeclHandler(st.p, on_entity_decl);
    XML_SetExternalEntityRefHandler(st.p, on_external_entity);
    XML_SetParamEntityParsing(st.p, XML_PARAM_ENTITY_PARSING_NEVER);

    if (prepass(&st, buf, len) != 0) {
        if (!st.failed) {
            enum XML_Error code = XML_GetErrorCode(st.p);
            const char *what = XML_ErrorString(code) ? XML_ErrorString(code) : "parse error";
            /* a rewritten reference shifts columns, never lines */
            if (st.rewritten)
                snprintf(st.msg, sizeof st.msg, "line %lu: %s",
                         (unsigned long)XML_GetCurrentLineNumber(st.p), what);
            else
                snprintf(st.msg, sizeof st.msg, "line %lu, column %lu: %s",
                         (unsigned long)XML_GetCurrentLineNumber(st.p),
                         (unsigned long)XML_GetCurrentColumnNumber(st.p) + 1, what);
        }
        goto fail;
    }
    if (!st.have_root || st.depth != 0) { /* expat refuses these first */
        snprintf(st.msg, sizeof st.msg, "no complete root element");
        goto fail;
    }
    root = &st.doc->root;
    st.doc = NULL;
fail:
    if (root == NULL && err && errlen)
        snprintf(err, errlen, "%s", st.msg[0] ? st.msg : "parse error");
    if (st.doc)
        xml_free(&st.doc->root);
    if (st.stack)
        for (i = 0; i < st.lim.max_depth; i++)
            buf_free(&st.stack[i].text);
    free(st.stack);
    buf_free(&st.scratch);
    if (st.p)
        XML_ParserFree(st.p);
    return root;
}

void xml_free(xml_node_t *root)
{
    doc_t *d;
    chunk_t *c, *next;

    if (root == NULL)
        return;
    d = (doc_t *)(void *)((char *)root - offsetof(doc_t, root));
    for (c = d->chunks; c; c = next) {
        next = c->next;
        free(c);
    }
    free(d);
}

const char *xml_name(const xml_node_t *n)
{
    return n ? n->name : NULL;
}

const char *xml_ns(const xml_node_t *n)
{
    return n ? n->ns : "";
}

const char *xml_text(const xml_node_t *n)
{
    return n ? n->text : "";
}

size_t xml_text_len(const xml_node_t *n)
{
    return n ? n->text_len : 0;
}

static const xml_node_t *match(const xml_node_t *c, const char *name)
{
    while (c && name && strcmp(c->name, name) != 0)
        c = c->next;
    return c;
}

const xml_node_t *xml_child(const xml_node_t *n, const char *name)
{
    return n ? match(n->first, name) : NULL;
}

const xml_node_t *xml_next(const xml_node_t *n, const char *name)
{
    return n ? match(n->next, name) : NULL;
}

size_t xml_count(const xml_node_t *n, const char *name)
{
    const xml_node_t *c;
    size_t k = 0;

    for (c = xml_child(n, name); c; c = xml_next(c, name))
        k++;
    return k;
}

/* ---- public: writer ---- */

int xml_escape(buf_t *b, const char *s, size_t n)
{
    size_t i, start = 0;
    int rc;

    /* buf_add_xml_escaped does all but the forbidden control characters */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
            continue;
        if ((rc = buf_add_xml_escaped(b, s + start, i - start)) != 0 ||
            (rc = buf_printf(b, "&#x%X;", c)) != 0)
            return rc;
        start = i + 1;
    }
    return buf_add_xml_escaped(b, s + start, n - start);
}

int xml_decl(buf_t *b)
{
    return buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

int xml_open_ns(buf_t *b, const char *name, const char *ns)
{
    int rc;

    if ((rc = buf_printf(b, "<%s xmlns=\"", name)) != 0 ||
        (rc = buf_add_xml_escaped(b, ns, strlen(ns))) != 0)
        return rc;
    return buf_add(b, "\">", 2);
}

int xml_open(buf_t *b, const char *name)
{
    return buf_printf(b, "<%s>", name);
}

int xml_close(buf_t *b, const char *name)
{
    return buf_printf(b, "</%s>", name);
}

int xml_elem_n(buf_t *b, const char *name, const char *text, size_t n)
{
    int rc;

    if ((rc = xml_open(b, name)) != 0 || (rc = xml_escape(b, text ? text : "", text ? n : 0)) != 0)
        return rc;
    return xml_close(b, name);
}

int xml_elem(buf_t *b, const char *name, const char *text)
{
    return xml_elem_n(b, name, text, text ? strlen(text) : 0);
}

int xml_elem_int(buf_t *b, const char *name, long long v)
{
    return buf_printf(b, "<%s>%lld</%s>", name, v, name);
}

/* ---- indentation --------------------------------------------------------- */

static int only_space(const char *s, size_t n)
{
    while (n && is_ws((unsigned char)*s))
        s++, n--;
    return n == 0;
}

/* A newline and two spaces a level, in as few appends as the depth allows. */
static int indent_line(buf_t *out, int depth)
{
    static const char sp[] = "\n                                                                ";
    const size_t room = sizeof sp - 2; /* spaces in sp */
    size_t n = 2 * (size_t)depth, k = n < room ? n : room;
    int rc = buf_add(out, sp, 1 + k);

    for (n -= k; rc == 0 && n > 0; n -= k) {
        k = n < room ? n : room;
        rc = buf_add(out, sp + 1, k);
    }
    return rc;
}

int xml_indent(buf_t *out, const char *doc, size_t n)
{
    enum { NONE, OPEN, CLOSE } last = NONE;
    size_t i = 0, text = 0, end;
    int depth = 0, rc = 0;

    while (rc == 0 && i < n) {
        const char *gt;
        int closing, selfclosing;

        for (text = i; i < n && doc[i] != '<'; i++)
            ;
        if (i == n)
            break;
        if ((gt = memchr(doc + i, '>', n - i)) == NULL)
            return buf_add(out, doc + text, n - text); /* not ours: verbatim */
        end = (size_t)(gt - doc) + 1;
        closing = doc[i + 1] == '/';
        selfclosing = !closing && (doc[end - 2] == '/' || doc[i + 1] == '?' || doc[i + 1] == '!');
        if (closing && depth > 0)
            depth--;
        if (closing && last == OPEN) {
            rc = buf_add(out, doc + text, i - text); /* a leaf: its text as is */
        } else {
            if (!only_space(doc + text, i - text))
                rc = buf_add(out, doc + text, i - text);
            if (rc == 0 && last != NONE)
                rc = indent_line(out, depth);
        }
        if (rc == 0)
            rc = buf_add(out, doc + i, end - i);
        last = closing || selfclosing ? CLOSE : OPEN;
        if (!closing && !selfclosing)
            depth++;
        text = i = end;
    }
    if (rc == 0 && text < n && !only_space(doc + text, n - text))
        rc = buf_add(out, doc + text, n - text);
    return rc ? rc : buf_add(out, "\n", 1);
}
