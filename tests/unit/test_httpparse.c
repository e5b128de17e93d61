/* test_httpparse.c — unit tests for the HTTP/1.1 head parser and the chunked
 * decoder: table-driven cases, each also fed at every split point. */
#include "base/httpparse.h"
#include "unit.h"

#include <stdlib.h>

#define WHOLE 1000000 /* want: the head is the whole input */
#define MAXH 6

struct head_case {
    const char *name;
    const char *in;
    size_t len; /* 0: strlen(in) */
    int want;   /* WHOLE, a length, or an HTTPPARSE_* code */
    const char *method, *target;
    int minor;
    size_t nheaders;
    const char *hdr[MAXH][2];
};

static const struct head_case head_cases[] = {
    {"simple GET", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 0, WHOLE,
     "GET", "/", 1, 1, {{"Host", "localhost"}}},
    {"KMS POST, body not part of head",
     "POST / HTTP/1.1\r\n"
     "Host: kms.us-east-1.amazonaws.com\r\n"
     "X-Amz-Target: TrentService.Encrypt\r\n"
     "Content-Type: application/x-amz-json-1.1\r\n"
     "Content-Length: 2\r\n\r\n{}",
     0, 151, "POST", "/", 1, 4,
     {{"Host", "kms.us-east-1.amazonaws.com"},
      {"X-Amz-Target", "TrentService.Encrypt"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"Content-Length", "2"}}},
    {"S3 PUT target with query", "PUT /bucket/a%20key?acl&x=1 HTTP/1.1\r\n\r\n",
     0, WHOLE, "PUT", "/bucket/a%20key?acl&x=1", 1, 0, {{0}}},
    {"HTTP/1.0", "GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0, WHOLE,
     "GET", "/x", 0, 1, {{"Connection", "keep-alive"}}},
    {"bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n", 0, WHOLE, "GET", "/",
     1, 1, {{"Host", "a"}}},
    {"leading CRLFs skipped", "\r\n\n\r\nDELETE /k HTTP/1.1\r\n\r\n", 0, WHOLE,
     "DELETE", "/k", 1, 0, {{0}}},
    {"OWS trimmed, empty values",
     "GET / HTTP/1.1\r\nA:  \t v a l \t \r\nB:\r\nC:   \r\nD:x\r\n\r\n", 0, WHOLE,
     "GET", "/", 1, 4, {{"A", "v a l"}, {"B", ""}, {"C", ""}, {"D", "x"}}},
    {"tchar method and names, obs-text",
     "M-S.E_A+RCH! * HTTP/1.1\r\nx-!#$%&'*+-.^_`|~: \x80\xff q\r\n\r\n", 0,
     WHOLE, "M-S.E_A+RCH!", "*", 1, 1, {{"x-!#$%&'*+-.^_`|~", "\x80\xff q"}}},
    {"long target and values (word scan)",
     "GET /0123456789abcdef/ghijklmnop?q=%41 HTTP/1.1\r\n"
     "Long: 0123456789abcdef\tghijklmnopqrstuv  \t\r\n"
     "Obs: \x80\x81\xfe\xff\x80\x81\xfe\xff\x80\x81\xfe\xff\x80\x81\xfe\xff\x7e\r\n\r\n",
     0, WHOLE, "GET", "/0123456789abcdef/ghijklmnop?q=%41", 1, 2,
     {{"Long", "0123456789abcdef\tghijklmnopqrstuv"},
      {"Obs", "\x80\x81\xfe\xff\x80\x81\xfe\xff\x80\x81\xfe\xff\x80\x81\xfe\xff\x7e"}}},
    {"HTTP/1.9 accepted as 1.x", "GET / HTTP/1.9\r\n\r\n", 0, WHOLE, "GET",
     "/", 9, 0, {{0}}},
    {"only CRLFs", "\r\n\r\n", 0, HTTPPARSE_PARTIAL, 0, 0, 0, 0, {{0}}},
    {"empty", "", 0, HTTPPARSE_PARTIAL, 0, 0, 0, 0, {{0}}},

    {"bad version 2.0", "GET / HTTP/2.0\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"bad version lower", "GET / http/1.1\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"bad version letter", "GET / HTTP/1.x\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"bad version suffix", "GET / HTTP/1.10\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"HTTP/0.9 line", "GET /\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"missing target", "GET HTTP/1.1\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"double space", "GET  / HTTP/1.1\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"empty method", " / HTTP/1.1\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"tab separator", "GET\t/ HTTP/1.1\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"control char in target", "GET /a\x01 HTTP/1.1\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"DEL in target", "GET /a\x7f HTTP/1.1\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"space in header name", "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"missing colon", "GET / HTTP/1.1\r\nNoColon\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"empty header name", "GET / HTTP/1.1\r\n: x\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"control char in value", "GET / HTTP/1.1\r\nA: b\x01c\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"NUL in value", "GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"control char deep in long value",
     "GET / HTTP/1.1\r\nA: 0123456789abcdefghijk\x1fmnopqrstuvwxyz\r\n\r\n", 0,
     HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"DEL deep in long target", "GET /0123456789abcdefghi\x7fklmnop HTTP/1.1\r\n\r\n",
     0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"DEL in value", "GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"bare CR in value", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"obs-fold", "GET / HTTP/1.1\r\nA: b\r\n  c\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"obs-fold with tab", "GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"whitespace before first header", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"bare CR as blank line", "GET / HTTP/1.1\r\n\rX", 0, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
    {"garbage before request", "\x16\x03\x01\x02\x00", 5, HTTPPARSE_ERROR, 0, 0, 0, 0, {{0}}},
};

/* Copies (p, n) into a NUL-terminated static buffer for CHECK_STR. */
static const char *z(const char *p, size_t n)
{
    static char s[4][512];
    static int i;
    char *d = s[i++ & 3];
    if (!p)
        return "(null)";
    if (n >= sizeof s[0])
        n = sizeof s[0] - 1;
    memcpy(d, p, n);
    d[n] = 0;
    return d;
}

/* Parses an exact-size heap copy so that ASan/valgrind catch overreads. */
static int parse_copy(const char *in, size_t len, httpparse_head_t *h, char **copy)
{
    *copy = malloc(len ? len : 1);
    memcpy(*copy, in, len);
    return httpparse_head(*copy, len, h);
}

static int inside(const char *p, size_t n, const char *buf, size_t len)
{
    return p >= buf && p + n <= buf + len;
}

static void test_head_case(const struct head_case *c)
{
    static httpparse_head_t h;
    size_t len = c->len ? c->len : strlen(c->in), k, i;
    int want = c->want == WHOLE ? (int)len : c->want, r, bad = 0, seen_error = 0;
    char *copy;

    r = parse_copy(c->in, len, &h, &copy);
    if (r != want)
        fprintf(stderr, "head case \"%s\": got %d want %d\n", c->name, r, want);
    CHECK(r == want);
    if (r > 0 && r == want) {
        CHECK_STR(z(h.method, h.method_len), c->method);
        CHECK_STR(z(h.target, h.target_len), c->target);
        CHECK(h.minor_version == c->minor);
        CHECK(h.nheaders == c->nheaders);
        for (i = 0; i < h.nheaders && i < MAXH; i++) {
            CHECK_STR(z(h.headers[i].name, h.headers[i].name_len), c->hdr[i][0]);
            CHECK_STR(z(h.headers[i].value, h.headers[i].value_len), c->hdr[i][1]);
            CHECK(inside(h.headers[i].value, h.headers[i].value_len, copy, (size_t)r));
        }
    }
    free(copy);

    /* Every proper prefix of a valid head is PARTIAL. For a malformed one,
     * prefixes are PARTIAL until the bad byte arrives, ERROR from then on. */
    for (k = 0; k < len; k++) {
        r = parse_copy(c->in, k, &h, &copy);
        free(copy);
        if (want > 0 || want == HTTPPARSE_PARTIAL) {
            bad += r != HTTPPARSE_PARTIAL && !(want > 0 && (size_t)want <= k && r == want);
        } else {
            if (r == want)
                seen_error = 1;
            bad += r != (seen_error ? want : HTTPPARSE_PARTIAL);
        }
    }
    if (bad)
        fprintf(stderr, "head case \"%s\": %d bad prefixes\n", c->name, bad);
    CHECK(bad == 0);
}

static void test_pipelined(void)
{
    static const char in[] = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                             "\r\nPOST /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
                             "GET /c HTTP/1.0\r\n\r\n";
    static httpparse_head_t h;
    size_t len = sizeof in - 1, off = 0;
    int r;

    r = httpparse_head(in, len, &h);
    CHECK(r == 28);
    CHECK_STR(z(h.target, h.target_len), "/a");
    off += (size_t)r;
    r = httpparse_head(in + off, len - off, &h);
    CHECK(r == 2 + 18 + 19 + 2); /* leading CRLF counted */
    CHECK_STR(z(h.method, h.method_len), "POST");
    CHECK_STR(z(h.target, h.target_len), "/b");
    CHECK(h.nheaders == 1);
    off += (size_t)r;
    r = httpparse_head(in + off, len - off, &h);
    CHECK(r == 19 && off + 19 == len);
    CHECK(h.minor_version == 0);
}

static void test_toomany(void)
{
    char buf[4096];
    static httpparse_head_t h;
    size_t n;
    int i, r;

    n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n");
    for (i = 0; i < HTTPPARSE_MAX_HEADERS; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "H%d: %d\r\n", i, i);
    memcpy(buf + n, "\r\n", 2);
    r = httpparse_head(buf, n + 2, &h);
    CHECK(r == (int)(n + 2));
    CHECK(h.nheaders == HTTPPARSE_MAX_HEADERS);
    CHECK_STR(z(h.headers[99].name, h.headers[99].name_len), "H99");
    CHECK(httpparse_head(buf, n, &h) == HTTPPARSE_PARTIAL);

    n += (size_t)snprintf(buf + n, sizeof buf - n, "One: too many\r\n\r\n");
    CHECK(httpparse_head(buf, n, &h) == HTTPPARSE_TOOMANY);
}

static void test_find(void)
{
    static const char in[] = "GET / HTTP/1.1\r\nHost: a\r\nx-amz-date: 1\r\n"
                             "X-Amz-Date: 2\r\nHosts: b\r\n\r\n";
    static httpparse_head_t h;
    const http_header_t *f;

    CHECK(httpparse_head(in, sizeof in - 1, &h) == (int)(sizeof in - 1));
    f = httpparse_find(&h, "X-AMZ-DATE");
    CHECK(f == &h.headers[1]);
    f = httpparse_find(&h, "hosts");
    CHECK(f && f->value_len == 1 && f->value[0] == 'b');
    CHECK(httpparse_find(&h, "host") == &h.headers[0]);
    CHECK(httpparse_find(&h, "Hos") == NULL);
    CHECK(httpparse_find(&h, "content-length") == NULL);
    CHECK(httpparse_find(&h, "") == NULL);
}

/* ---- chunked ---- */

struct chunk_case {
    const char *name;
    const char *in;
    ssize_t want; /* leftover count, HTTPPARSE_PARTIAL or HTTPPARSE_ERROR */
    const char *body;     /* payload decoded (before the error, if any) */
    const char *leftover; /* bytes after the body, when want >= 0 */
};

static const struct chunk_case chunk_cases[] = {
    {"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 0, "hello world", ""},
    {"empty body", "0\r\n\r\n", 0, "", ""},
    {"hex case and leading zeros", "000A\r\n0123456789\r\na\r\nabcdefghij\r\n00\r\n\r\n",
     0, "0123456789abcdefghij", ""},
    {"extensions", "5;name=val;flag\r\nhello\r\n1 ; q=\"a b\\\" c\"\r\n!\r\n0;x\r\n\r\n",
     0, "hello!", ""},
    {"aws-chunked signatures",
     "5;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"
     "hello\r\n"
     "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n"
     "\r\n",
     0, "hello", ""},
    {"trailers", "5\r\nhello\r\n0\r\nx-amz-checksum-crc32: AAAAAA==\r\nEmpty:\r\nT:\tv \r\n\r\n",
     0, "hello", ""},
    {"pipelined after body", "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n", 18, "abc",
     "GET / HTTP/1.1\r\n\r\n"},
    {"pipelined after trailer", "1\r\nz\r\n0\r\nA: b\r\n\r\n\r\nX", 3, "z", "\r\nX"},
    {"data with CRLF inside", "4\r\n\r\n\r\n\r\n0\r\n\r\n", 0, "\r\n\r\n", ""},
    {"2^60 size accepted", "1000000000000000\r\nabc", HTTPPARSE_PARTIAL, "abc", 0},
    {"incomplete data", "5\r\nhel", HTTPPARSE_PARTIAL, "hel", 0},
    {"incomplete final CRLF", "0\r\n\r", HTTPPARSE_PARTIAL, "", 0},
    {"incomplete trailer", "0\r\nA: b\r\n", HTTPPARSE_PARTIAL, "", 0},

    {"bad hex", "5g\r\nhello\r\n0\r\n\r\n", HTTPPARSE_ERROR, "", 0},
    {"bad hex start", "x\r\n", HTTPPARSE_ERROR, "", 0},
    {"0x prefix", "0x5\r\nhello\r\n", HTTPPARSE_ERROR, "", 0},
    {"negative", "-1\r\n", HTTPPARSE_ERROR, "", 0},
    {"empty size", "\r\n", HTTPPARSE_ERROR, "", 0},
    {"leading space", " 5\r\nhello\r\n", HTTPPARSE_ERROR, "", 0},
    {"extension without size", ";a\r\n", HTTPPARSE_ERROR, "", 0},
    {"overflow 2^60+1", "1000000000000001\r\n", HTTPPARSE_ERROR, "", 0},
    {"overflow 2^64+1", "10000000000000001\r\n", HTTPPARSE_ERROR, "", 0},
    {"overflow many Fs", "FFFFFFFFFFFFFFFFFFFF\r\n", HTTPPARSE_ERROR, "", 0},
    {"missing CRLF after data", "3\r\nabcX\r\n0\r\n\r\n", HTTPPARSE_ERROR, "abc", 0},
    {"LF only after data", "3\r\nabc\n0\r\n\r\n", HTTPPARSE_ERROR, "abc", 0},
    {"CR then junk after data", "3\r\nabc\rX", HTTPPARSE_ERROR, "abc", 0},
    {"bare LF after size", "3\nabc\r\n0\r\n\r\n", HTTPPARSE_ERROR, "", 0},
    {"CR without LF after size", "3\rabc", HTTPPARSE_ERROR, "", 0},
    {"junk after size BWS", "3 x\r\nabc", HTTPPARSE_ERROR, "", 0},
    {"control char in extension", "3;a\x01\r\nabc", HTTPPARSE_ERROR, "", 0},
    {"bare LF in extension", "3;a\nabc\r\n", HTTPPARSE_ERROR, "", 0},
    {"trailer obs-fold", "0\r\nA: b\r\n c\r\n\r\n", HTTPPARSE_ERROR, "", 0},
    {"trailer without colon", "0\r\nNoColon\r\n\r\n", HTTPPARSE_ERROR, "", 0},
    {"trailer space in name", "0\r\nA b: c\r\n\r\n", HTTPPARSE_ERROR, "", 0},
    {"trailer control char", "0\r\nA: \x02\r\n\r\n", HTTPPARSE_ERROR, "", 0},
    {"final bare LF", "0\r\n\n", HTTPPARSE_ERROR, "", 0},
    {"final CR junk", "0\r\n\rX", HTTPPARSE_ERROR, "", 0},
};

/* Feeds in[0..len) to a fresh decoder: a first piece of `first` bytes, then
 * pieces of `step` bytes (0: the rest), each in an exact-size heap buffer.
 * Collects the decoded payload in out and, when the body completes, the
 * leftover (returned bytes plus the input never fed) in left. Returns what the
 * last call returned, with the leftover count totalled. */
static ssize_t feed(const char *in, size_t len, size_t first, size_t step,
                    char *out, size_t *out_len, char *left, size_t *left_len)
{
    httpparse_chunked_t st;
    size_t pos = 0, piece = first;
    ssize_t r = HTTPPARSE_PARTIAL;

    httpparse_chunked_init(&st);
    *out_len = *left_len = 0;
    do {
        size_t n;
        char *b;
        if (piece > len - pos)
            piece = len - pos;
        n = piece;
        b = malloc(n ? n : 1);
        memcpy(b, in + pos, n);
        pos += n;
        r = httpparse_chunked(&st, b, &n);
        if (n > piece) /* *len must never grow */
            r = -100;
        else
            memcpy(out + *out_len, b, n), *out_len += n;
        if (r >= 0) {
            if ((size_t)r + n > piece)
                r = -101;
            else {
                memcpy(left, b + n, (size_t)r);
                memcpy(left + r, in + pos, len - pos);
                *left_len = (size_t)r + len - pos;
                r = (ssize_t)*left_len;
            }
        }
        free(b);
        piece = step ? step : len - pos;
    } while (r == HTTPPARSE_PARTIAL && pos < len);
    return r;
}

static void test_chunk_input(const char *name, const char *in, size_t len, ssize_t want,
                             const char *body, size_t body_len, const char *lo, size_t lo_len)
{
    char *out = malloc(len + 1), *left = malloc(len + 1);
    size_t out_len, left_len, k;
    int bad_split = 0;
    ssize_t r;

#define SAME_RESULT(r)                                                         \
    ((r) == want && out_len == body_len && memcmp(out, body, body_len) == 0 && \
     (want < 0 || (left_len == lo_len && memcmp(left, lo, lo_len) == 0)))

    r = feed(in, len, len, 0, out, &out_len, left, &left_len);
    if (!SAME_RESULT(r))
        fprintf(stderr, "chunk case \"%s\" one-shot: got %zd (body %zu, left %zu) want %zd\n",
                name, r, out_len, left_len, want);
    CHECK(SAME_RESULT(r));

    r = feed(in, len, 1, 1, out, &out_len, left, &left_len);
    if (!SAME_RESULT(r))
        fprintf(stderr, "chunk case \"%s\" byte-by-byte: got %zd\n", name, r);
    CHECK(SAME_RESULT(r));

    for (k = 0; k <= len; k++) {
        r = feed(in, len, k, 0, out, &out_len, left, &left_len);
        if (!SAME_RESULT(r)) {
            if (!bad_split)
                fprintf(stderr, "chunk case \"%s\" split at %zu: got %zd\n", name, k, r);
            bad_split++;
        }
    }
    CHECK(bad_split == 0);
#undef SAME_RESULT
    free(out);
    free(left);
}

static void test_chunk_case(const struct chunk_case *c)
{
    test_chunk_input(c->name, c->in, strlen(c->in), c->want, c->body, strlen(c->body),
                     c->leftover ? c->leftover : "", c->leftover ? strlen(c->leftover) : 0);
}

/* Size and trailer lines up to 4096 bytes (without CRLF) pass, longer fail. */
static void test_chunk_line_limits(void)
{
    static char in[8192];
    size_t n;

    n = (size_t)snprintf(in, sizeof in, "1;");
    memset(in + n, 'e', 4094), n += 4094; /* line: 4096 bytes */
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\nZ\r\n0\r\n\r\n");
    test_chunk_input("4096-byte size line", in, n, 0, "Z", 1, "", 0);

    n = (size_t)snprintf(in, sizeof in, "1;");
    memset(in + n, 'e', 4095), n += 4095;
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\nZ\r\n0\r\n\r\n");
    test_chunk_input("4097-byte size line", in, n, HTTPPARSE_ERROR, "", 0, "", 0);

    n = (size_t)snprintf(in, sizeof in, "0\r\nT: ");
    memset(in + n, 'v', 4093), n += 4093; /* line: 4096 bytes */
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\n\r\n");
    test_chunk_input("4096-byte trailer line", in, n, 0, "", 0, "", 0);

    n = (size_t)snprintf(in, sizeof in, "0\r\nT: ");
    memset(in + n, 'v', 4094), n += 4094;
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\n\r\n");
    test_chunk_input("4097-byte trailer line", in, n, HTTPPARSE_ERROR, "", 0, "", 0);

    n = (size_t)snprintf(in, sizeof in, "0\r\n");
    memset(in + n, 'N', 4097), n += 4097;
    n += (size_t)snprintf(in + n, sizeof in - n, ": v\r\n\r\n");
    test_chunk_input("4097-byte trailer name", in, n, HTTPPARSE_ERROR, "", 0, "", 0);

    n = 0;
    memset(in, '0', 4097), n += 4097;
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\n\r\n");
    test_chunk_input("4097 zeros", in, n, HTTPPARSE_ERROR, "", 0, "", 0);
}

/* A large chunk split at odd points decodes in place, bytes intact. */
static void test_chunk_large(void)
{
    size_t data = 100000, n, i;
    char *in = malloc(data + 64), *body = malloc(data);

    n = (size_t)snprintf(in, 64, "%zx\r\n", data);
    for (i = 0; i < data; i++)
        body[i] = (char)(i * 7 + (i >> 8));
    memcpy(in + n, body, data), n += data;
    n += (size_t)snprintf(in + n, 64, "\r\n0\r\n\r\nN");
    {
        char *out = malloc(n), *left = malloc(n);
        size_t out_len, left_len;
        ssize_t r = feed(in, n, 3, 4093, out, &out_len, left, &left_len);
        CHECK(r == 1 && left_len == 1 && left[0] == 'N');
        CHECK(out_len == data && memcmp(out, body, data) == 0);
        r = feed(in, n, n, 0, out, &out_len, left, &left_len);
        CHECK(r == 1 && out_len == data && memcmp(out, body, data) == 0);
        free(out);
        free(left);
    }
    free(in);
    free(body);
}

/* Errors are sticky; after completion every byte is leftover. */
static void test_chunk_after_end(void)
{
    httpparse_chunked_t st;
    char b[32];
    size_t n;

    httpparse_chunked_init(&st);
    memcpy(b, "zz", 2), n = 2;
    CHECK(httpparse_chunked(&st, b, &n) == HTTPPARSE_ERROR && n == 0);
    memcpy(b, "0\r\n\r\n", 5), n = 5;
    CHECK(httpparse_chunked(&st, b, &n) == HTTPPARSE_ERROR && n == 0);
    n = 0;
    CHECK(httpparse_chunked(&st, b, &n) == HTTPPARSE_ERROR);

    memset(&st, 0, sizeof st); /* zeroing is as good as _init */
    memcpy(b, "1\r\na\r\n0\r\n\r\n", 11), n = 11;
    CHECK(httpparse_chunked(&st, b, &n) == 0 && n == 1 && b[0] == 'a');
    memcpy(b, "abc", 3), n = 3;
    CHECK(httpparse_chunked(&st, b, &n) == 3 && n == 0 && memcmp(b, "abc", 3) == 0);
    n = 0;
    CHECK(httpparse_chunked(&st, b, &n) == 0 && n == 0);
}

int main(void)
{
    size_t i;

    for (i = 0; i < sizeof head_cases / sizeof head_cases[0]; i++)
        test_head_case(&head_cases[i]);
    test_pipelined();
    test_toomany();
    test_find();
    for (i = 0; i < sizeof chunk_cases / sizeof chunk_cases[0]; i++)
        test_chunk_case(&chunk_cases[i]);
    test_chunk_line_limits();
    test_chunk_large();
    test_chunk_after_end();
    return unit_report("httpparse");
}
