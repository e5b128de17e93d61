"""S3 listings with a delimiter, page by page, against a model of S3's
semantics: ListObjectsV2 (ContinuationToken, StartAfter), ListObjects
(Marker, NextMarker) and ListObjectVersions (KeyMarker).

awsemu passes each common prefix with one index seek (to the smallest
string above every key under it) instead of reading the keys it rolls up;
these tests pin that the pages are the same as the key-by-key walk gave:
siblings that begin with the bytes right above the prefix's last byte
(0xFF-ish UTF-8: U+00FF is C3 BF, U+07FF DF BF, U+10FFFF F4 8F BF BF),
keys equal to the prefix or to a common prefix, max-keys ending a page at
a common prefix, continuation across prefixes, StartAfter inside one.

The model (sources): keys in UTF-8 binary order, only those after the
marker ("Amazon S3 starts listing after this specified key", ListObjectsV2
StartAfter / ListObjects Marker, AWS S3 API reference); a key holding the
delimiter after the prefix is rolled up into the common prefix up to the
first delimiter, and a common prefix counts once against max-keys ("All of
the keys rolled up into a common prefix count as a single return",
ListObjectsV2 CommonPrefixes); NextMarker / the continuation is the last
key or common prefix returned (ListObjects NextMarker: "If response does
not include the NextMarker and it is truncated, you can use the value of
the last Key or CommonPrefix in the response as the marker"), so a common
prefix that sorts at or before the marker was returned already and is not
returned again — the rule that makes that paging terminate.

ListMultipartUploads follows the same model with its markers (S3 API
Reference, ListMultipartUploads): uploads sort by key, and a key's uploads
"in ascending order by the time the multipart upload was initiated";
key-marker alone lists "only the keys lexicographically greater than the
specified key-marker"; with upload-id-marker, the key-marker's own uploads
after that one are included too; upload-id-marker without key-marker is
ignored; common prefixes count against max-uploads. A page that ends on a
common prefix gives it as NextKeyMarker (no NextUploadIdMarker), as
ListObjectVersions gives NextKeyMarker."""

import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from test_s3 import S3TestCase, s3_request, uniq

# U+10FFFF, U+07FF, U+00FF: the largest code points of 4-, 2- and 2-byte
# UTF-8 (their last byte is 0xBF)
MAXC = "\U0010FFFF"

KEYS = [
    "a", "a/", "a/1", "a/2", "a/b/1", "a/b/2", "a/b/c/", "a0", "a0/x",
    "b/", "b//", "b//x", "b/x",
    "c" + MAXC + "/1", "c" + MAXC + "/2", "c" + MAXC + "0", "c" + MAXC + MAXC + "/z",
    "d\u00ff/1", "d\u00ff/2", "d\u00ff0", "d\u0100/1", "d\u07ff/1", "d\u07ff" + MAXC,
    "e" + MAXC, "e" + MAXC + MAXC, "e" + MAXC + "x" + MAXC + "y", "e" + MAXC + "z",
    "fab1", "fabab", "fx/ab/y", "fxab",
    "p/", "p/q/", "p/q/r", "p/s",
    "z",
]


def utf8(s):
    return s.encode("utf-8")


def model(keys, prefix="", delim="", marker="", max_keys=1000):
    """(contents, common prefixes, truncated, last) of one page."""
    entries, seen = [], set()
    for k in sorted(keys, key=utf8):
        if utf8(k) <= utf8(marker) or not k.startswith(prefix):
            continue
        i = k.find(delim, len(prefix)) if delim else -1
        if i >= 0:
            cp = k[:i + len(delim)]
            if utf8(cp) <= utf8(marker) or cp in seen:
                continue
            seen.add(cp)
            entries.append(("P", cp))
        else:
            entries.append(("K", k))
    page = entries[:max_keys]
    return ([v for t, v in page if t == "K"], [v for t, v in page if t == "P"],
            len(entries) > max_keys, page[-1][1] if page else None)


CASES = [  # (prefix, delimiter)
    ("", "/"), ("a", "/"), ("a/", "/"), ("a/b/", "/"), ("b/", "/"), ("b", "/"),
    ("", MAXC), ("c", MAXC), ("e", MAXC), ("e" + MAXC, MAXC), ("d", "/"),
    ("", "ab"), ("f", "ab"), ("p/", "/"), ("p/q/", "/"), ("", "0"), ("zz", "/"),
]


class DelimiterListingTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("delim"))
        for k in KEYS:
            cls.s3.put_object(Bucket=cls.bucket, Key=k, Body=utf8(k))

    def check_v2(self, prefix, delim, n, start_after=""):
        kw = dict(Bucket=self.bucket, Prefix=prefix, Delimiter=delim, MaxKeys=n)
        if start_after:
            kw["StartAfter"] = start_after
        marker, pages = start_after, 0
        while True:
            r = self.s3.list_objects_v2(**kw)
            keys, cps, trunc, last = model(KEYS, prefix, delim, marker, n)
            got_cps = [c["Prefix"] for c in r.get("CommonPrefixes", [])]
            self.assertEqual(keys, [c["Key"] for c in r.get("Contents", [])], (marker, pages))
            self.assertEqual(cps, got_cps, (marker, pages))
            self.assertEqual(len(keys) + len(cps), r["KeyCount"])
            self.assertEqual(trunc, r["IsTruncated"], (marker, pages))
            pages += 1
            if not trunc:
                return pages
            self.assertLess(pages, 100)
            kw.pop("StartAfter", None)
            kw["ContinuationToken"] = r["NextContinuationToken"]
            marker = last

    def test_v2_every_page_size(self):
        for prefix, delim in CASES:
            for n in (1, 2, 3, 5, 1000):
                with self.subTest(prefix=prefix, delim=delim, max_keys=n):
                    self.check_v2(prefix, delim, n)

    def test_v2_start_after_inside_a_prefix(self):
        for prefix, delim, sa in (("", "/", "a/1"), ("", "/", "a/"), ("", "/", "a/b/1"),
                                  ("a/", "/", "a/b/1"), ("a/", "/", "a/b/"), ("", "/", "b//"),
                                  ("", MAXC, "c" + MAXC), ("", MAXC, "c" + MAXC + "/1"),
                                  ("", "/", "d\u00ff/1"), ("", "/", "a"), ("", "/", "0"),
                                  ("", "ab", "fab1"), ("p/", "/", "p/q/r"), ("", "/", "z")):
            for n in (1, 2, 1000):
                with self.subTest(prefix=prefix, delim=delim, start_after=sa, max_keys=n):
                    self.check_v2(prefix, delim, n, sa)

    def test_v2_max_keys_ends_at_a_common_prefix(self):
        # "a" then the common prefix "a/": the page ends on the prefix, and
        # the next page starts after every key under it
        r = self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="/", MaxKeys=2)
        self.assertEqual(["a"], [c["Key"] for c in r["Contents"]])
        self.assertEqual(["a/"], [c["Prefix"] for c in r["CommonPrefixes"]])
        self.assertTrue(r["IsTruncated"])
        r = self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="/", MaxKeys=2,
                                    ContinuationToken=r["NextContinuationToken"])
        self.assertEqual(["a0"], [c["Key"] for c in r["Contents"]])
        self.assertEqual(["a0/"], [c["Prefix"] for c in r["CommonPrefixes"]])

    def test_key_equal_to_prefix(self):
        # the key "a/" under prefix "a/" holds no delimiter after the prefix
        r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="a/", Delimiter="/")
        self.assertEqual(["a/", "a/1", "a/2"], [c["Key"] for c in r["Contents"]])
        self.assertEqual(["a/b/"], [c["Prefix"] for c in r["CommonPrefixes"]])

    def test_v1_marker_paging(self):
        for prefix, delim in CASES:
            for n in (1, 2, 1000):
                with self.subTest(prefix=prefix, delim=delim, max_keys=n):
                    kw = dict(Bucket=self.bucket, Prefix=prefix, Delimiter=delim, MaxKeys=n)
                    marker, pages = "", 0
                    while True:
                        r = self.s3.list_objects(**kw)
                        keys, cps, trunc, last = model(KEYS, prefix, delim, marker, n)
                        self.assertEqual(keys, [c["Key"] for c in r.get("Contents", [])])
                        self.assertEqual(cps, [c["Prefix"] for c in r.get("CommonPrefixes", [])])
                        self.assertEqual(trunc, r["IsTruncated"])
                        pages += 1
                        if not trunc:
                            break
                        self.assertEqual(last, r["NextMarker"])
                        self.assertLess(pages, 100)
                        kw["Marker"] = marker = r["NextMarker"]

    def test_versions_key_marker_paging(self):
        # unversioned bucket: one null version per key, the same page model
        for prefix, delim in CASES:
            for n in (1, 3, 1000):
                with self.subTest(prefix=prefix, delim=delim, max_keys=n):
                    kw = dict(Bucket=self.bucket, Prefix=prefix, Delimiter=delim, MaxKeys=n)
                    marker, pages = "", 0
                    while True:
                        r = self.s3.list_object_versions(**kw)
                        keys, cps, trunc, last = model(KEYS, prefix, delim, marker, n)
                        self.assertEqual(keys, [v["Key"] for v in r.get("Versions", [])])
                        self.assertEqual(cps, [c["Prefix"] for c in r.get("CommonPrefixes", [])])
                        self.assertEqual(trunc, r["IsTruncated"])
                        pages += 1
                        if not trunc:
                            break
                        self.assertLess(pages, 100)
                        kw["KeyMarker"] = marker = r["NextKeyMarker"]
                        kw.pop("VersionIdMarker", None)
                        if r.get("NextVersionIdMarker"):
                            kw["VersionIdMarker"] = r["NextVersionIdMarker"]

    def test_versions_of_a_versioned_bucket(self):
        # two versions of each key (and a delete marker on some): all pages
        # together hold every version of each key in order, and each common
        # prefix once, whatever the page size
        b = self.make_bucket(uniq("delimv"))
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        for k in KEYS:
            self.s3.put_object(Bucket=b, Key=k, Body=b"1")
            self.s3.put_object(Bucket=b, Key=k, Body=b"2")
        for k in KEYS[::3]:
            self.s3.delete_object(Bucket=b, Key=k)
        for prefix, delim in CASES:
            want_keys, want_cps, _, _ = model(KEYS, prefix, delim)
            for n in (1, 2, 5, 1000):
                with self.subTest(prefix=prefix, delim=delim, max_keys=n):
                    kw = dict(Bucket=b, Prefix=prefix, Delimiter=delim, MaxKeys=n)
                    keys, cps, pages = [], [], 0
                    while True:
                        r = self.s3.list_object_versions(**kw)
                        page = r.get("Versions", []) + r.get("DeleteMarkers", [])
                        self.assertLessEqual(len(page) + len(r.get("CommonPrefixes", [])), n)
                        keys += sorted({v["Key"] for v in page}, key=utf8)
                        cps += [c["Prefix"] for c in r.get("CommonPrefixes", [])]
                        pages += 1
                        if not r["IsTruncated"]:
                            break
                        self.assertLess(pages, 300)
                        kw["KeyMarker"] = r["NextKeyMarker"]
                        kw.pop("VersionIdMarker", None)
                        if r.get("NextVersionIdMarker"):
                            kw["VersionIdMarker"] = r["NextVersionIdMarker"]
                    self.assertEqual(want_keys, sorted(set(keys), key=utf8))
                    self.assertEqual(want_cps, cps)


def uploads_model(uploads, prefix="", delim="", km="", um="", max_uploads=1000):
    """(uploads, common prefixes, truncated, (last key or prefix, its upload
    id or None)) of one ListMultipartUploads page; uploads: (key, id) in the
    order they were created."""
    order = {u: i for i, u in enumerate(uploads)}
    entries, seen = [], set()
    for key, uid in sorted(uploads, key=lambda u: (utf8(u[0]), order[u])):
        if km and utf8(key) < utf8(km):
            continue
        if km and key == km:
            if not um or (key, um) not in order or order[(key, uid)] <= order[(key, um)]:
                continue
        if not key.startswith(prefix):
            continue
        i = key.find(delim, len(prefix)) if delim else -1
        if i >= 0:
            cp = key[:i + len(delim)]
            if (km and utf8(cp) <= utf8(km)) or cp in seen:
                continue
            seen.add(cp)
            entries.append(("P", cp, None))
        else:
            entries.append(("U", key, uid))
    page = entries[:max_uploads]
    return ([(k, u) for t, k, u in page if t == "U"], [k for t, k, _ in page if t == "P"],
            len(entries) > max_uploads, page[-1][1:] if page else None)


class MultipartUploadListingTests(S3TestCase):
    """ListMultipartUploads with a delimiter seeks past each common prefix
    (as ListObjectsV2 does) and pages with key-marker / upload-id-marker."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("delimu"))
        cls.uploads = []
        # every key once, and a second and third upload of some (same key,
        # later initiation: listed after the first)
        for k in KEYS + KEYS[::4] + KEYS[1::6] + ["a"]:
            r = cls.s3.create_multipart_upload(Bucket=cls.bucket, Key=k)
            cls.uploads.append((k, r["UploadId"]))

    def page(self, **kw):
        r = self.s3.list_multipart_uploads(Bucket=self.bucket, **kw)
        return (r, [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])],
                [c["Prefix"] for c in r.get("CommonPrefixes", [])])

    def test_delimiter_every_page_size(self):
        for prefix, delim in CASES:
            want_ups, want_cps, _, _ = uploads_model(self.uploads, prefix, delim)
            for n in (1, 2, 3, 5, 1000):
                with self.subTest(prefix=prefix, delim=delim, max_uploads=n):
                    kw = dict(Prefix=prefix, Delimiter=delim, MaxUploads=n)
                    km = um = ""
                    all_ups, all_cps, pages = [], [], 0
                    while True:
                        r, ups, cps = self.page(**kw)
                        m_ups, m_cps, trunc, last = uploads_model(self.uploads, prefix, delim, km, um, n)
                        self.assertEqual(m_ups, ups, (km, um))
                        self.assertEqual(m_cps, cps, (km, um))
                        self.assertEqual(trunc, r["IsTruncated"], (km, um))
                        self.assertEqual(n, r["MaxUploads"])
                        all_ups += ups
                        all_cps += cps
                        pages += 1
                        if not trunc:
                            self.assertNotIn("NextKeyMarker", r)
                            break
                        self.assertLess(pages, 200)
                        self.assertEqual(last[0], r["NextKeyMarker"])
                        self.assertEqual(last[1], r.get("NextUploadIdMarker"))
                        km, um = r["NextKeyMarker"], r.get("NextUploadIdMarker") or ""
                        kw["KeyMarker"] = km
                        kw.pop("UploadIdMarker", None)
                        if um:
                            kw["UploadIdMarker"] = um
                    self.assertEqual(want_ups, all_ups)
                    self.assertEqual(want_cps, all_cps)

    def test_common_prefixes(self):
        r, ups, cps = self.page(Delimiter="/")
        self.assertEqual(["a/", "a0/", "b/", "c" + MAXC + "/", "c" + MAXC + MAXC + "/",
                          "d\u00ff/", "d\u0100/", "d\u07ff/", "fx/", "p/"], cps)
        self.assertEqual(uploads_model(self.uploads, "", "/")[0], ups)
        self.assertEqual("/", r["Delimiter"])
        r, ups, cps = self.page(Prefix="a/", Delimiter="/")
        self.assertEqual(["a/b/"], cps)
        self.assertEqual(["a/", "a/", "a/1", "a/2"], [k for k, _ in ups])
        self.assertEqual("a/", r["Prefix"])

    def test_same_key_uploads_page_by_initiation(self):
        # "a" has three uploads; max-uploads 1 walks them in creation order
        ids = [u for k, u in self.uploads if k == "a"]
        self.assertEqual(3, len(ids))
        seen, kw = [], dict(Prefix="a", Delimiter="/", MaxUploads=1)
        for _ in range(20):
            r, ups, _ = self.page(**kw)
            seen += [u for k, u in ups if k == "a"]
            if not r["IsTruncated"] or not ups or ups[0][0] != "a":
                break
            kw.update(KeyMarker=r["NextKeyMarker"], UploadIdMarker=r["NextUploadIdMarker"])
        self.assertEqual(ids, seen)
        # key-marker alone passes every upload of the key; upload-id-marker
        # without key-marker is ignored
        _, ups, _ = self.page(Prefix="a", KeyMarker="a")
        self.assertNotIn("a", [k for k, _ in ups])
        _, ups, _ = self.page(Prefix="a", UploadIdMarker=ids[1])
        self.assertEqual(ids, [u for k, u in ups if k == "a"])
        _, ups, _ = self.page(Prefix="a", KeyMarker="a", UploadIdMarker=ids[0])
        self.assertEqual(ids[1:], [u for k, u in ups if k == "a"])

    def test_marker_inside_a_common_prefix(self):
        # a key-marker under a common prefix: that prefix was listed already
        for km in ("a/1", "a/", "a/b/1", "b//x"):
            with self.subTest(km=km):
                r, ups, cps = self.page(Delimiter="/", KeyMarker=km)
                m_ups, m_cps, _, _ = uploads_model(self.uploads, "", "/", km)
                self.assertEqual(m_ups, ups)
                self.assertEqual(m_cps, cps)
                self.assertNotIn(km[:km.index("/") + 1], cps)

    def test_max_uploads(self):
        # 0 to 2147483647, capped at 1000; S3's two InvalidArgument messages
        # (recorded against S3: versitygw#1794, brekkylab/backlot#176)
        r, ups, cps = self.page(MaxUploads=0)
        self.assertEqual(([], [], 0), (ups, cps, r["MaxUploads"]))
        r, ups, _ = self.page(MaxUploads=5000)
        self.assertEqual(1000, r["MaxUploads"])
        self.assertEqual(len(self.uploads), len(ups))
        for v, msg in (("abc", "Provided max-uploads not an integer or within integer range"),
                       ("2147483648", "Provided max-uploads not an integer or within integer range"),
                       ("-", "Provided max-uploads not an integer or within integer range"),
                       ("-1", "Argument max-uploads must be an integer between 0 and 2147483647")):
            with self.subTest(v=v):
                r = s3_request(self.server, "GET", "/" + self.bucket, query="uploads&max-uploads=" + v)
                self.assertEqual(400, r.status)
                root = ET.fromstring(r.body)
                self.assertEqual(("InvalidArgument", msg, "max-uploads", v),
                                 (root.findtext("Code"), root.findtext("Message"),
                                  root.findtext("ArgumentName"), root.findtext("ArgumentValue")))

    def test_upload_checksum_fields(self):
        # Upload's ChecksumAlgorithm and ChecksumType (botocore's
        # MultipartUpload shape), as CreateMultipartUpload asked them
        b = self.make_bucket(uniq("delimuc"))
        self.s3.create_multipart_upload(Bucket=b, Key="c", ChecksumAlgorithm="SHA256")
        self.s3.create_multipart_upload(Bucket=b, Key="f", ChecksumAlgorithm="CRC32",
                                        ChecksumType="FULL_OBJECT")
        self.s3.create_multipart_upload(Bucket=b, Key="n")
        ups = self.s3.list_multipart_uploads(Bucket=b)["Uploads"]
        self.assertEqual([("c", "SHA256", "COMPOSITE"), ("f", "CRC32", "FULL_OBJECT"), ("n", None, None)],
                         [(u["Key"], u.get("ChecksumAlgorithm"), u.get("ChecksumType")) for u in ups])

    def test_encoding_type_url_paging(self):
        # encoding-type=url: Key, Prefix, Delimiter, KeyMarker, NextKeyMarker
        # and CommonPrefixes URL-encoded (ListMultipartUploads API reference,
        # EncodingType); the decoded NextKeyMarker resumes the listing
        b = self.make_bucket(uniq("delimue"))
        keys = ["dir one/a b", "dir one/100%", "p%2F/x", "plain é", "plain é/", "z z"]
        for k in keys:
            self.s3.create_multipart_upload(Bucket=b, Key=k)
        ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
        enc = lambda k: urllib.parse.quote_plus(k, safe="/-_.~")
        got_ups, got_cps, marker = [], [], ""
        for _ in range(10):
            q = "uploads&encoding-type=url&delimiter=%2F&max-uploads=2"
            if marker:
                q += "&key-marker=" + urllib.parse.quote(marker, safe="")
            r = s3_request(self.server, "GET", "/" + b, query=q)
            self.assertEqual(200, r.status, r.body[:300])
            root = ET.fromstring(r.body)
            self.assertEqual("url", root.findtext(ns + "EncodingType"))
            self.assertEqual(enc("/"), root.findtext(ns + "Delimiter"))
            self.assertEqual(enc(marker), root.findtext(ns + "KeyMarker") or "")
            got_ups += [u.findtext(ns + "Key") for u in root.iter(ns + "Upload")]
            got_cps += [c.findtext(ns + "Prefix") for c in root.iter(ns + "CommonPrefixes")]
            if root.findtext(ns + "IsTruncated") != "true":
                break
            nxt = root.findtext(ns + "NextKeyMarker")
            marker = urllib.parse.unquote_plus(nxt)
            self.assertEqual(enc(marker), nxt)
        self.assertEqual([enc("plain é"), enc("z z")], got_ups)
        self.assertEqual([enc("dir one/"), enc("p%2F/"), enc("plain é/")], got_cps)


if __name__ == "__main__":
    unittest.main()
