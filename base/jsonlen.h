/* jsonlen.h — what cJSON loses when it decodes JSON text: the byte length
 * of strings that hold U+0000, and the JSON rules it does not enforce. */
#ifndef AWSEMU_JSONLEN_H
#define AWSEMU_JSONLEN_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* cJSON (1.7.15) decodes "\u0000" into a 0 byte inside valuestring (and
 * inside a member's name, string), so strlen() stops early: "alice\u0000bob"
 * reads as "alice". cJSON also accepts what JSON and AWS's parsers refuse:
 * raw control characters inside strings, any byte <= 0x20 between tokens,
 * and \u escapes with non-hex digits (read as 0, i.e. NUL).
 *
 * jsonlen_record walks the text once more alongside the tree cJSON built
 * from it (cJSON keeps members and elements in document order) and records
 * the decoded byte length of every string value in its node's valueint and
 * of every member name in the member's valuedouble; neither field means
 * anything for string, object, array, bool and null nodes. A number node
 * has no spare field: a name holding U+0000 on a number member is refused
 * (JSONLEN_ENULKEY; no AWS model member name contains U+0000).
 *
 * The recorded lengths belong to the tree as parsed: a node whose strings
 * are later changed, or a copy made by cJSON_Duplicate (which copies
 * valueint and valuedouble but strdup()s the strings, truncating them),
 * must not be passed to jsonlen_str / jsonlen_key. */

enum {
    JSONLEN_OK = 0,
    JSONLEN_ECTL = -1,      /* a raw control character U+0000..U+001F inside a string */
    JSONLEN_ESPACE = -2,    /* a byte between tokens that JSON does not call whitespace */
    JSONLEN_EESCAPE = -3,   /* \u with a non-hex digit, or a lone UTF-16 surrogate */
    JSONLEN_ENULKEY = -4,   /* a member name with U+0000 on a number value */
    JSONLEN_EMISMATCH = -5, /* text[0..len) is not the text root was parsed from */
};

/* Records the lengths described above in root (parsed by cJSON from
 * text[0..len), a leading UTF-8 byte order mark allowed, only JSON
 * whitespace after the value). *nuls (may be NULL) gets the number of
 * strings, values and names, that hold U+0000 (0 in the common case, so
 * callers can skip looking for them). Returns JSONLEN_OK or a JSONLEN_E*
 * code; on error some lengths may be recorded, others not. Allocates
 * nothing; recursion is bounded by cJSON's nesting limit. */
int jsonlen_record(cJSON *root, const char *text, size_t len, size_t *nuls /* OUT */);

/* The byte length of string node v's value: the recorded length, or for a
 * node that was never recorded (built with cJSON_CreateString: valueint 0)
 * strlen(valuestring). 0 for non-strings. */
size_t jsonlen_str(const cJSON *v);

/* The byte length of v's member name (0 when v has none): recorded, or
 * strlen(string) for number members and unrecorded nodes. */
size_t jsonlen_key(const cJSON *v);

/* 1 when v is a string whose value holds U+0000, or a member whose name
 * does; 0 otherwise. */
int jsonlen_has_nul(const cJSON *v);

#endif
