/* xml.h — small XML documents for REST-XML (S3): a capped, entity-free DOM
 * reader on expat and an escaping writer on buf_t. */
#ifndef AWSEMU_XML_H
#define AWSEMU_XML_H

#include <stddef.h>

#include "base/buf.h"

#define XML_NS_S3 "http://s3.amazonaws.com/doc/2006-03-01/"

/* Caps for xml_parse; a field left 0 takes the default below. Defaults fit
 * the largest S3 request documents: CompleteMultipartUpload with 10000 parts
 * (3-4 elements each) and DeleteObjects with 1000 keys of up to 1024 bytes. */
typedef struct {
    size_t max_input; /* bytes of the document */
    size_t max_depth; /* element nesting; the root is depth 1 */
    size_t max_nodes; /* elements in the document */
    size_t max_text;  /* bytes of text content of one element */
} xml_limits_t;

#define XML_DEFAULT_MAX_INPUT ((size_t)8 << 20)
#define XML_DEFAULT_MAX_DEPTH 32
#define XML_DEFAULT_MAX_NODES 65536
#define XML_DEFAULT_MAX_TEXT ((size_t)64 << 10)

/* One element. Opaque; read it with the accessors below. */
typedef struct xml_node xml_node_t;

/* Parses buf[0..len) (UTF-8; a declared encoding is ignored) into a tree and
 * returns its root element (caller frees with xml_free), or NULL with a
 * NUL-terminated message in err[0..errlen) when the document is not
 * well-formed, passes a cap in lim (NULL = all defaults), contains a DOCTYPE
 * (so no entity declarations and no external entities, ever), or memory runs
 * out. Element names lose their prefix; the namespace URI is kept apart.
 * Attributes, comments and processing instructions are dropped. Character
 * references to the control characters XML 1.0 forbids (&#x1; .. &#x1F;
 * except tab, LF, CR) are accepted in text, as S3 does, so that what the
 * xml_elem writers emit reads back; &#0;, such references in attribute
 * values, NUL bytes, ill-formed UTF-8 (utf8_check: overlong forms,
 * surrogates, code points past U+10FFFF) and UTF-16 input are refused, so
 * text never holds U+0000 and is always UTF-8. */
xml_node_t *xml_parse(const char *buf, size_t len, const xml_limits_t *lim, char *err,
                      size_t errlen);
/* Frees a tree returned by xml_parse (NULL is fine). Only the root may be
 * passed; every node and string of the tree goes with it. */
void xml_free(xml_node_t *root);

/* Accessors. Each accepts NULL (a missing element) and then returns NULL, ""
 * or 0, so lookups chain: xml_text(xml_child(root, "LocationConstraint")). */
const char *xml_name(const xml_node_t *n); /* local name, e.g. "Key" */
/* Namespace URI of the element, or "" when it has none. */
const char *xml_ns(const xml_node_t *n);
/* The element's own character data (entity and character references
 * resolved, CDATA included, children's text excluded), byte for byte: no
 * trimming, CR and CRLF written raw are LF as XML requires, &#13; stays CR.
 * Exception: in an element that has child elements, a run of character data
 * between two tags that is only spaces, tabs, CRs and LFs (indentation) is
 * dropped. Never contains '\0'; "" when there is none. */
const char *xml_text(const xml_node_t *n);
size_t xml_text_len(const xml_node_t *n);
/* The first child element called name (any name when name is NULL), or NULL. */
const xml_node_t *xml_child(const xml_node_t *n, const char *name);
/* The next sibling of n called name (any when NULL), or NULL. Iterates:
 *   for (c = xml_child(root, "Object"); c; c = xml_next(c, "Object")) */
const xml_node_t *xml_next(const xml_node_t *n, const char *name);
/* Number of child elements called name (all children when NULL). */
size_t xml_count(const xml_node_t *n, const char *name);

/* Writer. Element names are trusted constants, written as given; text is
 * escaped: & < > " ' as entities, CR and LF as &#13; &#10; (so they survive
 * end-of-line normalisation), other control characters as &#xN; (as S3
 * does), everything else (UTF-8 included) verbatim. Each returns 0, or
 * BUF_ETOOBIG / BUF_ENOMEM when b cannot take the output; after an error the
 * document in b is incomplete and must be discarded. */
/* <?xml version="1.0" encoding="UTF-8"?> and a newline. */
int xml_decl(buf_t *b);
/* <name xmlns="ns">: a document's root element, e.g. with XML_NS_S3. */
int xml_open_ns(buf_t *b, const char *name, const char *ns);
int xml_open(buf_t *b, const char *name);  /* <name> */
int xml_close(buf_t *b, const char *name); /* </name> */
/* <name>text</name>; text NULL is the same as "". */
int xml_elem(buf_t *b, const char *name, const char *text);
int xml_elem_n(buf_t *b, const char *name, const char *text, size_t n);
int xml_elem_int(buf_t *b, const char *name, long long v);
/* Appends text escaped as above (for text written between xml_open/close). */
int xml_escape(buf_t *b, const char *text, size_t n);
/* Appends doc[0..n) (a document the writers above made: elements, leaf text,
 * no mixed content) to out indented as AWS's Query services print it: each
 * tag on its own line, two spaces a level, a newline at the end. A leaf's
 * text is kept byte for byte; whitespace-only text between tags is dropped,
 * so no element that has children carries whitespace without a newline
 * (the JS SDK v3 takes such text for the element's content). */
int xml_indent(buf_t *out, const char *doc, size_t n);

#endif
