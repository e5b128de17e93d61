/* test_sigv2.c — SigV2 (S3) against the examples of the S3 documentation
 * "Signing and authenticating REST requests (AWS signature version 2)",
 * each checked to verify, plus parser edge cases. */
#include <stdlib.h>
#include <string.h>

#include "authz/sigv2.h"
#include "unit.h"

#define AK "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define MAXH 8

typedef struct {
    const char *name;
    const char *method, *path, *query;
    const char *bucket; /* virtual-hosted bucket, or NULL */
    const char *headers[MAXH][2];
    const char *sts;    /* expected string to sign */
    const char *sig;    /* the documented signature */
} vector_t;

static const vector_t docs[] = {
    {"object GET", "GET", "/photos/puppy.jpg", "", "johnsmith",
     {{"Host", "johnsmith.s3.amazonaws.com"}, {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"}},
     "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg",
     "bWq2s1WEIj+Ydj0vQ697zp+IXMU="},
    {"object PUT", "PUT", "/photos/puppy.jpg", "", "johnsmith",
     {{"Content-Type", "image/jpeg"}, {"Content-Length", "94328"},
      {"Host", "johnsmith.s3.amazonaws.com"}, {"Date", "Tue, 27 Mar 2007 21:15:45 +0000"}},
     "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/johnsmith/photos/puppy.jpg",
     "MyyxeRY7whkBe+bq8fHCL/2kKUg="},
    {"list", "GET", "/", "prefix=photos&max-keys=50&marker=puppy", "johnsmith",
     {{"User-Agent", "Mozilla/5.0"}, {"Host", "johnsmith.s3.amazonaws.com"},
      {"Date", "Tue, 27 Mar 2007 19:42:41 +0000"}},
     "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/johnsmith/", "htDYFYduRNen8P9ZfE/s9SuKy0U="},
    {"fetch acl", "GET", "/", "acl", "johnsmith",
     {{"Host", "johnsmith.s3.amazonaws.com"}, {"Date", "Tue, 27 Mar 2007 19:44:46 +0000"}},
     "GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/johnsmith/?acl", "c2WLPFtWHVgbEmeEG93a4cG37dM="},
    {"upload (CNAME bucket, x-amz-meta-*)", "PUT", "/db-backup.dat.gz", "", "static.johnsmith.net",
     {{"User-Agent", "curl/7.15.5"}, {"Host", "static.johnsmith.net:8080"},
      {"Date", "Tue, 27 Mar 2007 21:06:08 +0000"}, {"x-amz-acl", "public-read"},
      {"content-type", "application/x-download"}, {"Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="},
      {"X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"},
      {"X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"}},
     NULL, NULL},
    {"list all buckets", "GET", "/", "", NULL,
     {{"Host", "s3.amazonaws.com"}, {"Date", "Wed, 28 Mar 2007 01:29:59 +0000"}},
     "GET\n\n\nWed, 28 Mar 2007 01:29:59 +0000\n/", "qGdzdERIC03wnaRNKh6OqZehG9s="},
    {"unicode keys (path-style)", "GET", "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", "", NULL,
     {{"Host", "s3.amazonaws.com"}, {"Date", "Wed, 28 Mar 2007 01:49:49 +0000"}},
     "GET\n\n\nWed, 28 Mar 2007 01:49:49 +0000\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
     "DNEZGsoieTZ92F3bUfSPQcbGmlM="},
};

static size_t fill(const vector_t *v, http_header_t *h, const char *auth)
{
    size_t n = 0, i;
    for (i = 0; i < MAXH && v->headers[i][0]; i++)
        h[n++] = (http_header_t){v->headers[i][0], strlen(v->headers[i][0]), v->headers[i][1],
                                 strlen(v->headers[i][1])};
    if (auth)
        h[n++] = (http_header_t){"Authorization", 13, auth, strlen(auth)};
    return n;
}

static sigv4_request_t request(const char *method, const char *path, const char *query,
                               const http_header_t *h, size_t nh)
{
    return (sigv4_request_t){method, strlen(method), path, strlen(path), query, strlen(query),
                             h, nh};
}

static void test_doc_vectors(void)
{
    size_t i;
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        const vector_t *v = &docs[i];
        http_header_t h[MAXH + 1];
        char auth[128];
        const char *want_sig = v->sig ? v->sig : "ilyl83RwaSoYIEdixDQcA4OnAnc=";
        sigv2_auth_t a;
        sigv4_request_t req;
        char *sts;
        size_t nh;

        snprintf(auth, sizeof auth, "AWS %s:%s", AK, want_sig);
        nh = fill(v, h, auth);
        req = request(v->method, v->path, v->query, h, nh);
        CHECK(sigv2_parse(&req, &a) == 0);
        CHECK_STR(a.access_key, AK);
        CHECK(a.presigned == 0);
        sts = sigv2_string_to_sign(&req, &a, v->bucket);
        if (v->sts)
            CHECK_STR(sts, v->sts);
        else
            CHECK_STR(sts, "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\n"
                           "Tue, 27 Mar 2007 21:06:08 +0000\nx-amz-acl:public-read\n"
                           "x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n"
                           "/static.johnsmith.net/db-backup.dat.gz");
        free(sts);
        if (v->sts) /* the upload example signs two more meta headers */
            CHECK(sigv2_verify(&req, &a, SECRET, v->bucket, 0) == 0);
        CHECK(sigv2_verify(&req, &a, "wrong", v->bucket, 0) == SIGV2_EMISMATCH);
    }
}

/* The upload example in full: four x-amz-* headers, one repeated. */
static void test_doc_upload(void)
{
    static const char *hv[][2] = {
        {"User-Agent", "curl/7.15.5"},       {"Host", "static.johnsmith.net:8080"},
        {"Date", "Tue, 27 Mar 2007 21:06:08 +0000"}, {"x-amz-acl", "public-read"},
        {"content-type", "application/x-download"}, {"Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="},
        {"X-Amz-Meta-ReviewedBy", "joe@johnsmith.net"},
        {"X-Amz-Meta-ReviewedBy", "jane@johnsmith.net"},
        {"X-Amz-Meta-FileChecksum", "0x02661779"}, {"X-Amz-Meta-ChecksumAlgorithm", "crc32"},
        {"Content-Disposition", "attachment; filename=database.dat"},
        {"Authorization", "AWS " AK ":ilyl83RwaSoYIEdixDQcA4OnAnc="}};
    http_header_t h[12];
    sigv2_auth_t a;
    sigv4_request_t req;
    char *sts;
    size_t i;

    for (i = 0; i < 12; i++)
        h[i] = (http_header_t){hv[i][0], strlen(hv[i][0]), hv[i][1], strlen(hv[i][1])};
    req = request("PUT", "/db-backup.dat.gz", "", h, 12);
    CHECK(sigv2_parse(&req, &a) == 0);
    sts = sigv2_string_to_sign(&req, &a, "static.johnsmith.net");
    CHECK_STR(sts, "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\n"
                   "Tue, 27 Mar 2007 21:06:08 +0000\nx-amz-acl:public-read\n"
                   "x-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n"
                   "x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n"
                   "/static.johnsmith.net/db-backup.dat.gz");
    free(sts);
    CHECK(sigv2_verify(&req, &a, SECRET, "static.johnsmith.net", 0) == 0);
}

/* Query string authentication example: Expires 1175139620. */
static void test_doc_query(void)
{
    http_header_t h[1] = {{"Host", 4, "johnsmith.s3.amazonaws.com", 26}};
    const char *q = "AWSAccessKeyId=" AK "&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
    sigv4_request_t req = request("GET", "/photos/puppy.jpg", q, h, 1);
    sigv2_auth_t a;
    char *sts;

    CHECK(sigv2_parse(&req, &a) == 0);
    CHECK(a.presigned == 1);
    CHECK(a.expires == 1175139620LL);
    CHECK_STR(a.signature, "NpgCjnDzrM+WFzoENXmpNDUsSn8=");
    sts = sigv2_string_to_sign(&req, &a, "johnsmith");
    CHECK_STR(sts, "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg");
    free(sts);
    CHECK(sigv2_verify(&req, &a, SECRET, "johnsmith", 1175139620LL) == 0);
    CHECK(sigv2_verify(&req, &a, SECRET, "johnsmith", 1175139621LL) == SIGV2_EEXPIRED);
    CHECK(sigv2_expired(&a, 1175139621LL) == 1);
    CHECK(sigv2_expired(&a, 1175139620LL) == 0);
    CHECK(sigv2_verify(&req, &a, SECRET, NULL, 0) == SIGV2_EMISMATCH); /* path-style */
}

/* x-amz-date empties the Date line; sub-resources sorted, decoded;
 * x-amz-* query parameters (presigned) count as headers. */
static void test_canonicalization(void)
{
    http_header_t h[4] = {{"Date", 4, "Tue, 27 Mar 2007 21:20:27 +0000", 31},
                          {"x-amz-date", 10, "Tue, 27 Mar 2007 21:20:26 +0000", 31},
                          {"Authorization", 13, "AWS a:b", 7},
                          {"X-Amz-Meta-A", 12, "  spaced  ", 10}};
    sigv4_request_t req =
        request("DELETE", "/johnsmith/photos/puppy.jpg",
                "versionId=v%2B1&prefix=x&uploads&acl=&response-content-type=text%2Fplain", h, 4);
    sigv2_auth_t a;
    char *sts;

    CHECK(sigv2_parse(&req, &a) == 0);
    sts = sigv2_string_to_sign(&req, &a, NULL);
    CHECK_STR(sts, "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\nx-amz-meta-a:spaced\n"
                   "/johnsmith/photos/puppy.jpg?acl=&response-content-type=text/plain&uploads&"
                   "versionId=v+1");
    free(sts);

    req = request("GET", "/b/k", "AWSAccessKeyId=AK&Signature=x&Expires=10&x-amz-security-token=T%2Bok",
                  h, 0);
    CHECK(sigv2_parse(&req, &a) == 0);
    CHECK_STR(a.security_token, "T+ok");
    sts = sigv2_string_to_sign(&req, &a, NULL);
    CHECK_STR(sts, "GET\n\n\n10\nx-amz-security-token:T+ok\n/b/k");
    free(sts);

    /* path-style bucket-only request: "/b/" as botocore signs it */
    req = request("GET", "/bkt", "AWSAccessKeyId=AK&Signature=x&Expires=10&prefix=h%2F", h, 0);
    CHECK(sigv2_parse(&req, &a) == 0);
    sts = sigv2_string_to_sign(&req, &a, NULL);
    CHECK_STR(sts, "GET\n\n\n10\n/bkt/");
    free(sts);
}

/* Table of parser edge cases: Authorization value (NULL: none), query,
 * expected result. */
static void test_parse_table(void)
{
    static const struct {
        const char *auth, *query;
        int rc;
    } t[] = {
        {NULL, "", SIGV2_ENOAUTH},
        {NULL, "prefix=a", SIGV2_ENOAUTH},
        {"AWS4-HMAC-SHA256 Credential=x", "", SIGV2_ENOAUTH},
        {"Bearer x", "", SIGV2_ENOAUTH},
        {NULL, "X-Amz-Algorithm=AWS4-HMAC-SHA256&AWSAccessKeyId=a", SIGV2_ENOAUTH},
        {"AWS AK:c2ln", "", 0},
        {"  AWS AK:c2ln  ", "", 0},
        {"AWS AK", "", SIGV2_EMALFORMED},
        {"AWS :sig", "", SIGV2_EMALFORMED},
        {"AWS AK:", "", SIGV2_EMALFORMED},
        {"AWS AK:a:b", "", SIGV2_EMALFORMED},
        {"AWS A K:sig", "", SIGV2_EMALFORMED},
        {"AWS ", "", SIGV2_EMALFORMED},
        {"AWS AK:sig", "AWSAccessKeyId=a&Signature=b&Expires=1", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=a&Signature=b&Expires=1", 0},
        {NULL, "AWSAccessKeyId=a&Signature=b", SIGV2_EMALFORMED},
        {NULL, "Signature=b&Expires=1", SIGV2_EMALFORMED},
        {NULL, "Expires=1", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=a&Signature=b&Expires=1x", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=a&Signature=b&Expires=-1", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=a&Signature=b&Expires=", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=a&Signature=b&Expires=1234567890123456789", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=a&AWSAccessKeyId=a&Signature=b&Expires=1", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=a%00&Signature=b&Expires=1", SIGV2_EMALFORMED},
        {NULL, "AWSAccessKeyId=&Signature=b&Expires=1", SIGV2_EMALFORMED},
        {NULL,
         "AWSAccessKeyId=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&Signature=b&Expires=1",
         SIGV2_ETOOLONG},
        {"AWS AK:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "",
         SIGV2_ETOOLONG},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        http_header_t h[1];
        size_t nh = 0;
        sigv4_request_t req;
        sigv2_auth_t a;
        int rc;
        if (t[i].auth)
            h[nh++] = (http_header_t){"Authorization", 13, t[i].auth, strlen(t[i].auth)};
        req = request("GET", "/", t[i].query, h, nh);
        rc = sigv2_parse(&req, &a);
        if (rc != t[i].rc)
            fprintf(stderr, "parse case %zu: got %d want %d\n", i, rc, t[i].rc);
        CHECK(rc == t[i].rc);
    }
}

/* Two Authorization headers, and a header-auth request time. */
static void test_dates_and_duplicates(void)
{
    http_header_t h[3] = {{"Authorization", 13, "AWS a:b", 7},
                          {"Authorization", 13, "AWS a:b", 7},
                          {"Date", 4, "Tue, 27 Mar 2007 19:36:42 GMT", 29}};
    sigv4_request_t req = request("GET", "/", "", h, 3);
    sigv2_auth_t a;
    long long t;

    CHECK(sigv2_parse(&req, &a) == SIGV2_EMALFORMED);
    CHECK(sigv2_request_time(&req, &t) == 0 && t == 1175024202LL);
    h[2].value = "Tue, 27 Mar 2007 19:36:42 +0000";
    h[2].value_len = 31;
    CHECK(sigv2_request_time(&req, &t) == 0 && t == 1175024202LL);
    h[2].value = "27 Mar 2007 19:36:42 UTC";
    h[2].value_len = 24;
    CHECK(sigv2_request_time(&req, &t) == 0 && t == 1175024202LL);
    h[2].value = "Tue, 27 Foo 2007 19:36:42 GMT";
    h[2].value_len = 29;
    CHECK(sigv2_request_time(&req, &t) == SIGV2_EMISSINGDATE);
    h[2].value = "Tue, 27 Mar 2007 19:36:42 PST";
    CHECK(sigv2_request_time(&req, &t) == SIGV2_EMISSINGDATE);
    req.nheaders = 2;
    CHECK(sigv2_request_time(&req, &t) == SIGV2_EMISSINGDATE);
}

/* Over the x-amz-* header cap: SIGV2_ETOOLONG, not a silent truncation. */
static void test_caps(void)
{
    static http_header_t h[SIGV2_AMZ_HEADERS_MAX + 2];
    sigv4_request_t req;
    sigv2_auth_t a;
    size_t i;

    h[0] = (http_header_t){"Authorization", 13, "AWS a:b", 7};
    for (i = 1; i < SIGV2_AMZ_HEADERS_MAX + 2; i++)
        h[i] = (http_header_t){"x-amz-meta-x", 12, "v", 1};
    req = request("GET", "/", "", h, SIGV2_AMZ_HEADERS_MAX + 1);
    CHECK(sigv2_parse(&req, &a) == 0);
    req.nheaders = SIGV2_AMZ_HEADERS_MAX + 2;
    CHECK(sigv2_parse(&req, &a) == SIGV2_ETOOLONG);
}

int main(void)
{
    test_doc_vectors();
    test_doc_upload();
    test_doc_query();
    test_canonicalization();
    test_parse_table();
    test_dates_and_duplicates();
    test_caps();
    return unit_report("sigv2");
}
