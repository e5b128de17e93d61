/* test_xml.c — unit tests for xml: the five S3 request documents (with and
 * without xmlns, compact and indented), keys with references, unicode,
 * spaces, newlines and CDATA kept byte for byte; malformed documents,
 * DOCTYPE / entity / XXE attempts and every cap refused; the writer's
 * escaping, and writer output read back identically. */
#include "base/xml.h"
#include "unit.h"

#include <limits.h>
#include <stdlib.h>

/* Finds a node by path from root: "Object#2/Key" is the Key of the second
 * Object child; "" is root itself. */
static const xml_node_t *lookup(const xml_node_t *root, const char *path)
{
    const xml_node_t *n = root;
    char seg[64];

    while (n && *path) {
        size_t l = strcspn(path, "/"), k = 1;
        char *hash;

        if (l >= sizeof seg)
            return NULL;
        memcpy(seg, path, l);
        seg[l] = '\0';
        path += l + (path[l] == '/');
        if ((hash = strchr(seg, '#')) != NULL) {
            *hash = '\0';
            k = strtoul(hash + 1, NULL, 10);
        }
        for (n = xml_child(n, seg); n && --k; n = xml_next(n, seg))
            ;
    }
    return n;
}

/* One expectation on a parsed document:
 *   "path"        xml_text of the node equals want
 *   "=path"       the node's text has exactly len bytes equal to want
 *   "count:path"  xml_count(parent, last segment) == atoi(want)
 *   "ns:path"     xml_ns of the node equals want
 *   "none:path"   no such node (want unused) */
struct expect {
    const char *path;
    const char *want;
    size_t len;
};

struct parse_case {
    const char *name;
    const char *doc;
    const char *root; /* expected root name */
    struct expect ex[12];
};

#define S3NS " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static const struct parse_case parse_cases[] = {
    {"create-bucket xmlns indented",
     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     "<CreateBucketConfiguration" S3NS ">\n"
     "   <LocationConstraint>eu-west-1</LocationConstraint>\n"
     "</CreateBucketConfiguration>\n",
     "CreateBucketConfiguration",
     {{"LocationConstraint", "eu-west-1", 0},
      {"", "", 0},
      {"ns:", XML_NS_S3, 0},
      {"ns:LocationConstraint", XML_NS_S3, 0},
      {"count:LocationConstraint", "1", 0}}},
    {"create-bucket bare",
     "<CreateBucketConfiguration><LocationConstraint>us-west-2</LocationConstraint>"
     "</CreateBucketConfiguration>",
     "CreateBucketConfiguration",
     {{"LocationConstraint", "us-west-2", 0}, {"ns:LocationConstraint", "", 0}}},
    {"create-bucket empty constraint",
     "<CreateBucketConfiguration" S3NS "><LocationConstraint/></CreateBucketConfiguration>",
     "CreateBucketConfiguration",
     {{"LocationConstraint", "", 0}, {"none:Bucket", NULL, 0}}},
    {"delete with nasty keys",
     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
     "<Delete" S3NS ">\r\n"
     "\t<Quiet>true</Quiet>\r\n"
     "\t<Object><Key>a&amp;b</Key></Object>\r\n"
     "\t<Object><Key>&lt;tag&gt; &quot;q&quot; &apos;s&apos;</Key>"
     "<VersionId>3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId></Object>\n"
     "\t<Object><Key>\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80 caf\xc3\xa9.txt</Key></Object>\n"
     "\t<Object><Key>  spaces  inside  </Key></Object>\n"
     "\t<Object><Key>100%+x=y?z#w</Key></Object>\n"
     "\t<Object><Key>line1\nline2\r\nline3\rend</Key></Object>\n"
     "\t<Object><Key>cr&#13;lf&#10;tab&#9;x</Key></Object>\n"
     "\t<Object><Key><![CDATA[raw <b>&amp; ]] stuff]]></Key></Object>\n"
     "\t<Object><Key>&#x65E5;&#26412;</Key></Object>\n"
     "</Delete>",
     "Delete",
     {{"Quiet", "true", 0},
      {"count:Object", "9", 0},
      {"Object#1/Key", "a&b", 0},
      {"Object#2/Key", "<tag> \"q\" 's'", 0},
      {"Object#2/VersionId", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", 0},
      {"Object#3/Key", "\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80 caf\xc3\xa9.txt", 0},
      {"Object#4/Key", "  spaces  inside  ", 0},
      {"Object#5/Key", "100%+x=y?z#w", 0},
      {"Object#6/Key", "line1\nline2\nline3\nend", 0},
      {"Object#7/Key", "cr\rlf\ntab\tx", 0},
      {"Object#8/Key", "raw <b>&amp; ]] stuff", 0},
      {"Object#9/Key", "\xe6\x97\xa5\xe6\x9c\xac", 0}}},
    {"delete prefixed namespace",
     "<s3:Delete xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
     "<s3:Object><s3:Key>k</s3:Key></s3:Object><Object><Key>u</Key></Object></s3:Delete>",
     "Delete",
     {{"count:Object", "2", 0},
      {"Object#1/Key", "k", 0},
      {"ns:Object#1/Key", XML_NS_S3, 0},
      {"Object#2/Key", "u", 0},
      {"ns:Object#2/Key", "", 0}}},
    {"delete whitespace-only and mixed",
     "<Delete><Object><Key> </Key></Object><Object><Key>\n\t\n</Key></Object>"
     "<Object>  <Key>x</Key>  </Object><Object>a<Key/>b</Object></Delete>",
     "Delete",
     {{"Object#1/Key", " ", 0},
      {"Object#2/Key", "\n\t\n", 0},
      {"Object#3", "", 0},
      {"Object#4", "ab", 0},
      {"Object#4/Key", "", 0}}},
    {"complete-multipart",
     "<CompleteMultipartUpload" S3NS ">\n"
     "  <Part>\n    <PartNumber>1</PartNumber>\n"
     "    <ETag>\"a54357aff0632cce46d942af68356b38\"</ETag>\n  </Part>\n"
     "  <Part><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag>"
     "<PartNumber>2</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>\n"
     "</CompleteMultipartUpload>",
     "CompleteMultipartUpload",
     {{"count:Part", "2", 0},
      {"Part#1/PartNumber", "1", 0},
      {"Part#1/ETag", "\"a54357aff0632cce46d942af68356b38\"", 0},
      {"Part#1", "", 0},
      {"Part#2/ETag", "\"0c78aef83f66abc1fa1e8477f296d394\"", 0},
      {"Part#2/PartNumber", "2", 0},
      {"Part#2/ChecksumCRC32", "AAAAAA==", 0},
      {"none:Part#3", NULL, 0}}},
    {"sse-configuration",
     "<ServerSideEncryptionConfiguration" S3NS "><Rule>"
     "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
     "<KMSMasterKeyID>arn:aws:kms:us-east-1:000000000000:key/1234</KMSMasterKeyID>"
     "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled>"
     "</Rule></ServerSideEncryptionConfiguration>",
     "ServerSideEncryptionConfiguration",
     {{"Rule/ApplyServerSideEncryptionByDefault/SSEAlgorithm", "aws:kms", 0},
      {"Rule/ApplyServerSideEncryptionByDefault/KMSMasterKeyID",
       "arn:aws:kms:us-east-1:000000000000:key/1234", 0},
      {"Rule/BucketKeyEnabled", "true", 0},
      {"none:Rule/SSEAlgorithm", NULL, 0}}},
    {"tagging",
     "<Tagging>\n <TagSet>\n  <Tag><Key>env</Key><Value>prod &amp; test</Value></Tag>\n"
     "  <Tag><Key>empty</Key><Value></Value></Tag>\n"
     "  <Tag><Key>\xc3\xbc ber</Key><Value> a=b+c </Value></Tag>\n </TagSet>\n</Tagging>",
     "Tagging",
     {{"count:TagSet/Tag", "3", 0},
      {"TagSet/Tag#1/Key", "env", 0},
      {"TagSet/Tag#1/Value", "prod & test", 0},
      {"TagSet/Tag#2/Value", "", 0},
      {"TagSet/Tag#3/Key", "\xc3\xbc ber", 0},
      {"TagSet/Tag#3/Value", " a=b+c ", 0},
      {"TagSet", "", 0}}},
    {"control character references",
     "<Delete><Object><Key>a&#x1;b&#31;c&#x0000001F;&#x7f;</Key></Object>"
     "<Object><Key><![CDATA[&#x1;]]></Key></Object>"
     "<Object><Key>&#x8;&#xB;&#xc;&#14;</Key></Object></Delete>",
     "Delete",
     {{"=Object#1/Key", "a\x01" "b\x1f" "c\x1f\x7f", 7},
      {"Object#2/Key", "&#x1;", 0},
      {"=Object#3/Key", "\x08\x0b\x0c\x0e", 4}}},
    {"comments, instructions, attributes dropped",
     "<?xml version='1.0'?><!-- c --><?keep me?><a x=\"1\" y='&#x41;'>"
     "t<!-- <b>&#x1; -->u<?pi &#x1; ?>v<b z=\"&lt;\"/></a><!-- end -->",
     "a",
     {{"", "tuv", 0}, {"b", "", 0}, {"count:b", "1", 0}}},
    {"declared encoding ignored (UTF-8 forced)",
     "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xc3\xa9</a>",
     "a",
     {{"=", "\xc3\xa9", 2}}},
    {"utf-8 BOM",
     "\xef\xbb\xbf<a>x</a>",
     "a",
     {{"", "x", 0}}},
};

static void check_expect(const char *cname, const xml_node_t *root, const struct expect *e)
{
    const char *p = e->path;
    const xml_node_t *n;

    if (strncmp(p, "count:", 6) == 0) {
        const char *last = strrchr(p + 6, '/');
        char parent[128];
        size_t pl = last ? (size_t)(last - (p + 6)) : 0;
        size_t got;

        memcpy(parent, p + 6, pl);
        parent[pl] = '\0';
        got = xml_count(lookup(root, parent), last ? last + 1 : p + 6);
        if (got != strtoul(e->want, NULL, 10))
            fprintf(stderr, "%s: %s = %zu, want %s\n", cname, p, got, e->want);
        CHECK(got == strtoul(e->want, NULL, 10));
    } else if (strncmp(p, "ns:", 3) == 0) {
        n = lookup(root, p + 3);
        CHECK(n != NULL);
        CHECK_STR(xml_ns(n), e->want);
    } else if (strncmp(p, "none:", 5) == 0) {
        CHECK(lookup(root, p + 5) == NULL);
    } else if (p[0] == '=') {
        n = lookup(root, p + 1);
        CHECK(n != NULL);
        if (xml_text_len(n) != e->len || memcmp(xml_text(n), e->want, e->len) != 0)
            fprintf(stderr, "%s: %s has %zu bytes, want %zu\n", cname, p, xml_text_len(n),
                    e->len);
        CHECK(xml_text_len(n) == e->len && memcmp(xml_text(n), e->want, e->len) == 0);
        CHECK(xml_text(n)[e->len] == '\0');
    } else {
        n = lookup(root, p);
        if (!n)
            fprintf(stderr, "%s: no node %s\n", cname, p);
        CHECK(n != NULL);
        CHECK_STR(xml_text(n), e->want);
        CHECK(xml_text_len(n) == strlen(e->want));
    }
}

static void test_parse_docs(void)
{
    size_t i, j;

    for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const struct parse_case *c = &parse_cases[i];
        char err[256] = "";
        xml_node_t *root = xml_parse(c->doc, strlen(c->doc), NULL, err, sizeof err);

        if (!root)
            fprintf(stderr, "%s: parse failed: %s\n", c->name, err);
        CHECK(root != NULL);
        if (!root)
            continue;
        CHECK_STR(xml_name(root), c->root);
        for (j = 0; j < sizeof c->ex / sizeof c->ex[0] && c->ex[j].path; j++)
            check_expect(c->name, root, &c->ex[j]);
        xml_free(root);
    }
}

struct bad_case {
    const char *name;
    const char *doc;
    size_t len;         /* 0: strlen(doc) */
    const char *errsub; /* expected in the message, or NULL for any */
};

static const struct bad_case bad_cases[] = {
    {"empty", "", 0, NULL},
    {"only whitespace", " \n\t", 0, NULL},
    {"only declaration", "<?xml version=\"1.0\"?>", 0, NULL},
    {"unclosed", "<Delete><Object><Key>a</Key></Object>", 0, NULL},
    {"unclosed tag", "<Delete", 0, NULL},
    {"mismatched", "<Delete><Object></Delete></Object>", 0, "mismatched"},
    {"mismatched case", "<Key>a</key>", 0, NULL},
    {"two roots", "<Delete/><Delete/>", 0, NULL},
    {"garbage after root", "<Delete></Delete>garbage", 0, NULL},
    {"text before root", "x<Delete/>", 0, NULL},
    {"undefined entity", "<Key>&nbsp;</Key>", 0, NULL},
    {"bare ampersand", "<Key>a & b</Key>", 0, NULL},
    {"bare lt", "<Key>a < b</Key>", 0, NULL},
    {"unterminated ref", "<Key>&#x41</Key>", 0, NULL},
    {"nul reference", "<Key>&#0;</Key>", 0, NULL},
    {"nul hex reference", "<Key>&#x0;</Key>", 0, NULL},
    {"surrogate reference", "<Key>&#xD800;</Key>", 0, NULL},
    {"reference past unicode", "<Key>&#x110000;</Key>", 0, NULL},
    {"huge reference", "<Key>&#99999999999999999999;</Key>", 0, NULL},
    {"uppercase X reference", "<Key>&#X41;</Key>", 0, NULL},
    {"raw control char", "<Key>a\x01" "b</Key>", 0, NULL},
    {"raw nul", "<Key>a\0b</Key>", 12, NULL},
    {"invalid utf-8", "<Key>\xff\xfe</Key>", 0, NULL},
    {"overlong utf-8", "<Key>\xc0\xaf</Key>", 0, NULL},
    {"overlong three-byte utf-8", "<Key>\xe0\x80\xaf</Key>", 0, "not UTF-8"},
    {"utf-8 surrogate", "<Key>a\xed\xa0\x80</Key>", 0, "not UTF-8"},
    {"utf-8 past U+10FFFF", "<Key>\xf4\x90\x80\x80</Key>", 0, "not UTF-8"},
    {"utf-8 cut short", "<Key>\xe2\x82</Key>", 0, "not UTF-8"},
    {"invalid utf-8 in a comment", "<Key>a<!-- \xff --></Key>", 0, "not UTF-8"},
    {"utf-16le bom", "\xff\xfe<\0a\0/\0>\0", 10, NULL},
    {"utf-16be bom", "\xfe\xff\0<\0a\0/\0>", 10, NULL},
    {"utf-16le", "<\0a\0/\0>\0", 8, NULL},
    {"utf-16be", "\0<\0a\0/\0>", 8, NULL},
    {"control ref before root", "&#x1;<Key/>", 0, NULL},
    {"control ref after root", "<Key/>&#x1;", 0, NULL},
    {"control ref in attribute", "<Key a=\"&#x1;\"/>", 0, NULL},
    {"reserved instruction", "<Key><?awsemu-ctl 01?></Key>", 0, "reserved"},
    {"reserved instruction bad", "<Key><?awsemu-ctl zz?></Key>", 0, "reserved"},
    {"reserved instruction bare", "<Key><?awsemu-ctl?></Key>", 0, "reserved"},
    {"unbound prefix", "<s3:Delete/>", 0, NULL},
    {"unclosed comment", "<Key><!-- x</Key>", 0, NULL},
    {"unclosed cdata", "<Key><![CDATA[x</Key>", 0, NULL},
    {"doctype", "<!DOCTYPE Delete><Delete/>", 0, "DOCTYPE"},
    {"doctype internal subset",
     "<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ELEMENT Delete ANY>]><Delete/>", 0, "DOCTYPE"},
    {"billion laughs",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
     " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
     " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
     " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
     "]>\n<Delete><Object><Key>&lol3;</Key></Object></Delete>",
     0, "DOCTYPE"},
    {"xxe file",
     "<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
     "<Delete><Object><Key>&xxe;</Key></Object></Delete>",
     0, "DOCTYPE"},
    {"xxe parameter entity",
     "<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/x\">"
     "%p;]><Delete/>",
     0, "DOCTYPE"},
    {"external dtd",
     "<!DOCTYPE Delete SYSTEM \"http://127.0.0.1:1/a.dtd\"><Delete>&x;</Delete>", 0,
     "DOCTYPE"},
    {"doctype after comment", "<!-- hi --><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", 0,
     "DOCTYPE"},
    {"entity without doctype", "<a>&x;</a>", 0, NULL},
    {"xml 1.1 control", "<?xml version=\"1.1\"?><a>\x01</a>", 0, NULL},
};

static void test_bad_docs(void)
{
    size_t i;

    for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        char err[256] = "";
        size_t len = c->len ? c->len : strlen(c->doc);
        xml_node_t *root = xml_parse(c->doc, len, NULL, err, sizeof err);

        if (root)
            fprintf(stderr, "bad case \"%s\" parsed\n", c->name);
        CHECK(root == NULL);
        xml_free(root);
        CHECK(err[0] != '\0');
        if (c->errsub) {
            if (!strstr(err, c->errsub))
                fprintf(stderr, "bad case \"%s\": error \"%s\", want \"%s\"\n", c->name, err,
                        c->errsub);
            CHECK(strstr(err, c->errsub) != NULL);
        }
    }
    /* no error buffer is fine, and a short one is truncated, NUL-terminated */
    CHECK(xml_parse("<a>", 3, NULL, NULL, 0) == NULL);
    CHECK(xml_parse(NULL, 0, NULL, NULL, 0) == NULL);
    {
        char err[4] = "xxx";
        CHECK(xml_parse("<a>", 3, NULL, err, 1) == NULL);
        CHECK(err[0] == '\0');
        CHECK(xml_parse("<a>", 3, NULL, err, sizeof err) == NULL);
        CHECK(strlen(err) == 3);
    }
}

/* Builds "<a><a>...</a></a>" with depth levels. */
static char *nested(size_t depth)
{
    char *s = malloc(depth * 7 + 1), *p = s;
    size_t i;

    for (i = 0; i < depth; i++, p += 3)
        memcpy(p, "<a>", 3);
    for (i = 0; i < depth; i++, p += 4)
        memcpy(p, "</a>", 4);
    *p = '\0';
    return s;
}

static void test_caps(void)
{
    char err[256];
    xml_node_t *root;
    xml_limits_t lim = {0, 0, 0, 0};
    char *s;
    size_t i;

    /* depth: the default is 32, the root counting as 1 */
    s = nested(XML_DEFAULT_MAX_DEPTH);
    root = xml_parse(s, strlen(s), NULL, err, sizeof err);
    CHECK(root != NULL);
    xml_free(root);
    free(s);
    s = nested(XML_DEFAULT_MAX_DEPTH + 1);
    root = xml_parse(s, strlen(s), NULL, err, sizeof err);
    CHECK(root == NULL && strstr(err, "deeper") != NULL);
    free(s);
    s = nested(100000); /* no recursion anywhere: just refused */
    root = xml_parse(s, strlen(s), NULL, err, sizeof err);
    CHECK(root == NULL && strstr(err, "deeper") != NULL);
    free(s);
    lim.max_depth = 2;
    root = xml_parse("<a><b/></a>", 11, &lim, err, sizeof err);
    CHECK(root != NULL);
    xml_free(root);
    root = xml_parse("<a><b><c/></b></a>", 18, &lim, err, sizeof err);
    CHECK(root == NULL && strstr(err, "deeper") != NULL);
    lim.max_depth = 0;

    /* nodes: exactly the cap parses, one more does not */
    lim.max_nodes = 4;
    root = xml_parse("<a><b/><b/><b/></a>", 19, &lim, err, sizeof err);
    CHECK(root != NULL && xml_count(root, "b") == 3);
    xml_free(root);
    root = xml_parse("<a><b/><b/><b/><b/></a>", 23, &lim, err, sizeof err);
    CHECK(root == NULL && strstr(err, "elements") != NULL);
    lim.max_nodes = 0;

    /* text per element, references and CDATA counted after decoding */
    lim.max_text = 8;
    root = xml_parse("<a>12345678</a>", 15, &lim, err, sizeof err);
    CHECK(root != NULL && xml_text_len(root) == 8);
    xml_free(root);
    root = xml_parse("<a>&amp;&#x1;<![CDATA[123456]]></a>", 35, &lim, err, sizeof err);
    CHECK(root != NULL && xml_text_len(root) == 8);
    xml_free(root);
    root = xml_parse("<a>123456789</a>", 16, &lim, err, sizeof err);
    CHECK(root == NULL && strstr(err, "longer than 8") != NULL);
    root = xml_parse("<a>1234<!---->56789</a>", 23, &lim, err, sizeof err);
    CHECK(root == NULL && strstr(err, "longer than 8") != NULL);
    root = xml_parse("<a><b>12345678</b><b>12345678</b></a>", 37, &lim, err, sizeof err);
    CHECK(root != NULL); /* per element, not per document */
    xml_free(root);
    /* indentation between children is dropped before it counts */
    root = xml_parse("<a>\n      <b/>\n      <b/>\n</a>", 30, &lim, err, sizeof err);
    CHECK(root != NULL && xml_text_len(root) == 0);
    xml_free(root);
    lim.max_text = 0;

    /* input size */
    lim.max_input = 8;
    root = xml_parse("<a>1</a>", 8, &lim, err, sizeof err);
    CHECK(root != NULL);
    xml_free(root);
    root = xml_parse("<a>12</a>", 9, &lim, err, sizeof err);
    CHECK(root == NULL && strstr(err, "longer than 8") != NULL);
    lim.max_input = 0;

    /* a huge text under the default text cap is refused, not truncated */
    {
        size_t n = XML_DEFAULT_MAX_TEXT + 1;
        s = malloc(n + 8);
        memcpy(s, "<a>", 3);
        memset(s + 3, 'x', n);
        memcpy(s + 3 + n, "</a>", 5);
        root = xml_parse(s, n + 7, NULL, err, sizeof err);
        CHECK(root == NULL && strstr(err, "longer than") != NULL);
        s[3 + n - 1] = '<'; /* one byte less of text */
        memcpy(s + 3 + n - 1, "</a>", 5);
        root = xml_parse(s, n + 6, NULL, err, sizeof err);
        CHECK(root != NULL && xml_text_len(root) == n - 1);
        xml_free(root);
        free(s);
    }

    /* the biggest S3 documents fit the defaults: 10000 indented parts ... */
    {
        buf_t b;
        const xml_node_t *p;
        size_t k = 0;
        int ok = 1;

        buf_init(&b, 0);
        buf_adds(&b, "<CompleteMultipartUpload" S3NS ">\n");
        for (i = 1; i <= 10000; i++)
            buf_printf(&b,
                       "    <Part>\n        <PartNumber>%zu</PartNumber>\n"
                       "        <ETag>\"%032zx\"</ETag>\n"
                       "        <ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
                       "</ChecksumSHA256>\n    </Part>\n",
                       i, i);
        buf_adds(&b, "</CompleteMultipartUpload>\n");
        root = xml_parse(b.data, b.len, NULL, err, sizeof err);
        CHECK(root != NULL);
        CHECK(xml_count(root, "Part") == 10000);
        CHECK(xml_text_len(root) == 0);
        for (p = xml_child(root, "Part"); p; p = xml_next(p, "Part"))
            if (strtoul(xml_text(xml_child(p, "PartNumber")), NULL, 10) != ++k ||
                xml_text_len(xml_child(p, "ETag")) != 34 || xml_text_len(p) != 0)
                ok = 0;
        CHECK(ok && k == 10000);
        xml_free(root);

        /* ... and 1000 keys of 1024 bytes written the worst way (refs) */
        buf_reset(&b);
        buf_adds(&b, "<Delete" S3NS "><Quiet>true</Quiet>");
        for (i = 0; i < 1000; i++) {
            size_t j;
            buf_adds(&b, "<Object><Key>");
            for (j = 0; j < 1024; j++)
                buf_adds(&b, j % 2 ? "&#x1;" : "&#xA;");
            buf_adds(&b, "</Key></Object>");
        }
        buf_adds(&b, "</Delete>");
        CHECK(b.len > 5000000);
        root = xml_parse(b.data, b.len, NULL, err, sizeof err);
        CHECK(root != NULL);
        CHECK(xml_count(root, "Object") == 1000);
        ok = 1;
        for (p = xml_child(root, "Object"); p; p = xml_next(p, "Object")) {
            const char *t = xml_text(xml_child(p, "Key"));
            if (xml_text_len(xml_child(p, "Key")) != 1024 || t[0] != '\n' || t[1] != '\x01')
                ok = 0;
        }
        CHECK(ok);
        xml_free(root);
        buf_free(&b);
    }
    (void)err;
}

static void test_accessors(void)
{
    char err[128];
    xml_node_t *root = xml_parse("<r><a>1</a><b>2</b><a>3</a></r>", 31, NULL, err, sizeof err);
    const xml_node_t *c;

    CHECK(root != NULL);
    CHECK(xml_count(root, NULL) == 3);
    CHECK(xml_count(root, "a") == 2);
    CHECK(xml_count(root, "c") == 0);
    c = xml_child(root, NULL);
    CHECK_STR(xml_name(c), "a");
    c = xml_next(c, NULL);
    CHECK_STR(xml_name(c), "b");
    CHECK_STR(xml_text(c), "2");
    c = xml_next(c, "a");
    CHECK_STR(xml_text(c), "3");
    CHECK(xml_next(c, NULL) == NULL);
    CHECK(xml_child(c, NULL) == NULL);
    /* NULL chains */
    CHECK(xml_child(NULL, "a") == NULL);
    CHECK(xml_next(NULL, "a") == NULL);
    CHECK_STR(xml_text(NULL), "");
    CHECK(xml_text_len(NULL) == 0);
    CHECK_STR(xml_ns(NULL), "");
    CHECK(xml_name(NULL) == NULL);
    CHECK(xml_count(NULL, NULL) == 0);
    CHECK_STR(xml_text(xml_child(xml_child(root, "x"), "y")), "");
    xml_free(root);
    xml_free(NULL);
}

struct write_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *want;
};

static const struct write_case write_cases[] = {
    {"", 0, "<K></K>"},
    {"plain/key.txt", 0, "<K>plain/key.txt</K>"},
    {"<>&\"'", 0, "<K>&lt;&gt;&amp;&quot;&apos;</K>"},
    {"a\tb\nc\rd", 0, "<K>a\tb&#10;c&#13;d</K>"},
    {"\x01\x02\x08\x0b\x0c\x0e\x1f", 0, "<K>&#x1;&#x2;&#x8;&#xB;&#xC;&#xE;&#x1F;</K>"},
    {"x\x7fy", 0, "<K>x\x7fy</K>"},
    {"\xe6\x97\xa5 \xf0\x9f\x98\x80", 0, "<K>\xe6\x97\xa5 \xf0\x9f\x98\x80</K>"},
    {"a\0b", 3, "<K>a&#x0;b</K>"},
    {"  100% + ]]> ", 0, "<K>  100% + ]]&gt; </K>"},
};

static void test_writer(void)
{
    buf_t b;
    size_t i;

    buf_init(&b, 0);
    for (i = 0; i < sizeof write_cases / sizeof write_cases[0]; i++) {
        const struct write_case *c = &write_cases[i];
        buf_reset(&b);
        CHECK(xml_elem_n(&b, "K", c->in, c->len ? c->len : strlen(c->in)) == 0);
        CHECK_STR(b.data, c->want);
        if (!c->len) {
            buf_reset(&b);
            CHECK(xml_elem(&b, "K", c->in) == 0);
            CHECK_STR(b.data, c->want);
        }
    }
    buf_reset(&b);
    CHECK(xml_elem(&b, "K", NULL) == 0);
    CHECK(xml_elem_n(&b, "K", NULL, 5) == 0);
    CHECK_STR(b.data, "<K></K><K></K>");

    buf_reset(&b);
    CHECK(xml_decl(&b) == 0);
    CHECK(xml_open_ns(&b, "ListBucketResult", XML_NS_S3) == 0);
    CHECK(xml_elem(&b, "Name", "bucket") == 0);
    CHECK(xml_elem_int(&b, "MaxKeys", 1000) == 0);
    CHECK(xml_elem_int(&b, "N", -1) == 0);
    CHECK(xml_elem_int(&b, "Min", LLONG_MIN) == 0);
    CHECK(xml_open(&b, "Contents") == 0);
    CHECK(xml_escape(&b, "x<y", 3) == 0);
    CHECK(xml_close(&b, "Contents") == 0);
    CHECK(xml_close(&b, "ListBucketResult") == 0);
    CHECK_STR(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<Name>bucket</Name><MaxKeys>1000</MaxKeys><N>-1</N>"
                      "<Min>-9223372036854775808</Min><Contents>x&lt;y</Contents>"
                      "</ListBucketResult>");
    buf_free(&b);

    /* a cap is reported, never silently truncated */
    buf_init(&b, 10);
    CHECK(xml_elem(&b, "Key", "abc") == BUF_ETOOBIG); /* 14 bytes */
    buf_reset(&b);
    CHECK(xml_elem(&b, "K", "\x01\x01") == BUF_ETOOBIG);
    buf_reset(&b);
    CHECK(xml_decl(&b) == BUF_ETOOBIG);
    CHECK(xml_open_ns(&b, "Root", XML_NS_S3) == BUF_ETOOBIG);
    CHECK(xml_elem_int(&b, "Number", 123456) == BUF_ETOOBIG);
    buf_free(&b);
}

/* Writes a document holding s as a key, reads it back, compares. */
static int round_trip(const char *s, size_t n)
{
    buf_t b;
    xml_node_t *root;
    const xml_node_t *k;
    char err[256];
    int ok;

    buf_init(&b, 0);
    xml_decl(&b);
    xml_open_ns(&b, "ListBucketResult", XML_NS_S3);
    xml_open(&b, "Contents");
    xml_elem_n(&b, "Key", s, n);
    xml_elem_int(&b, "Size", (long long)n);
    xml_close(&b, "Contents");
    xml_close(&b, "ListBucketResult");
    root = xml_parse(b.data, b.len, NULL, err, sizeof err);
    k = xml_child(xml_child(root, "Contents"), "Key");
    ok = root && k && xml_text_len(k) == n && memcmp(xml_text(k), s, n) == 0 &&
         strcmp(xml_ns(k), XML_NS_S3) == 0 &&
         strtoul(xml_text(xml_child(xml_child(root, "Contents"), "Size")), NULL, 10) == n;
    if (!ok)
        fprintf(stderr, "round trip failed (%s) for %s\n", root ? "mismatch" : err, b.data);
    xml_free(root);
    buf_free(&b);
    return ok;
}

static void test_round_trip(void)
{
    static const char *const keys[] = {
        "",
        "a",
        "photos/2024/\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80.jpg",
        "  leading and trailing  ",
        "\n",
        "\r",
        "\r\n",
        "a\r\nb\rc\nd",
        "\t\t",
        "&amp; is not decoded twice &lt;",
        "<![CDATA[x]]>",
        "]]>",
        "100%25+%2B=?&#",
        "\x01 ctl \x1f\x1e\x7f",
        "<?awsemu-ctl 01?>",
        "\xc2\x80\xc2\x9f\xef\xbf\xbd",
    };
    char all[128];
    size_t i;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK(round_trip(keys[i], strlen(keys[i])));
    /* every byte 1..127, in one key and one at a time */
    for (i = 1; i < 128; i++)
        all[i - 1] = (char)i;
    CHECK(round_trip(all, 127));
    for (i = 1; i < 128; i++) {
        char c = (char)i;
        if (!round_trip(&c, 1)) {
            fprintf(stderr, "byte 0x%02zx does not round-trip\n", i);
            CHECK(0);
        }
    }
    CHECK(1);
}

/* xml_indent: AWS's Query layout; a leaf's text byte for byte (spaces
 * included), whitespace between tags dropped, never ">  </" (issue 15). */
static void test_indent(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"<a><b>x</b></a>", "<a>\n  <b>x</b>\n</a>\n"},
        {"<R xmlns=\"u\"><S><U><P>/</P><N> two  </N></U></S><M><I>1</I></M></R>",
         "<R xmlns=\"u\">\n  <S>\n    <U>\n      <P>/</P>\n      <N> two  </N>\n    </U>\n  "
         "</S>\n  <M>\n    <I>1</I>\n  </M>\n</R>\n"},
        {"<a>  <b/>  <c></c>\n</a>", "<a>\n  <b/>\n  <c></c>\n</a>\n"},
        {"<a><e></e></a>", "<a>\n  <e></e>\n</a>\n"},
        {"<a>&lt;b&gt;</a>", "<a>&lt;b&gt;</a>\n"},
        {"", "\n"},
        {"<a><b", "<a><b"}, /* not a document of ours: left as is */
    };
    size_t i;
    char *deep = nested(40); /* deeper than one append of spaces covers */
    buf_t d;

    buf_init(&d, 0);
    CHECK(xml_indent(&d, deep, strlen(deep)) == 0);
    {
        char want[128];
        want[0] = '\n';
        memcpy(want + 1, "                                                                              ", 78);
        want[79] = '<';
        want[80] = 'a';
        want[81] = '>';
        want[82] = '\0';
        CHECK(strstr(d.data, want) != NULL); /* level 39: 78 spaces */
    }
    buf_free(&d);
    free(deep);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_t b;
        buf_init(&b, 0);
        CHECK(xml_indent(&b, cases[i].in, strlen(cases[i].in)) == 0);
        CHECK(b.len == strlen(cases[i].want) && memcmp(b.data, cases[i].want, b.len) == 0);
        buf_free(&b);
    }
}

int main(void)
{
    test_parse_docs();
    test_bad_docs();
    test_caps();
    test_accessors();
    test_writer();
    test_round_trip();
    test_indent();
    return unit_report("xml");
}
