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
returned again — the rule that makes that paging terminate."""

import unittest

from test_s3 import S3TestCase, uniq

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


if __name__ == "__main__":
    unittest.main()
