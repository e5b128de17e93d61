"""S3 lifecycle rules on the emulator clock (issue 14, item 9).

What AWS answers, pinned by:
- the days of a rule count from the object's creation (for noncurrent
  versions: from when they became noncurrent) and the result is rounded up
  to the next midnight UTC (AWS docs "Lifecycle configuration elements",
  "Setting lifecycle configuration on a bucket");
- x-amz-expiration: expiry-date="<HTTP date>", rule-id="<id>" on PutObject,
  HeadObject and GetObject (PutObject / HeadObject API references, the
  Expiration member);
- an expired current version of a versioned bucket gets a delete marker,
  noncurrent versions are removed for good, incomplete multipart uploads
  aborted (AWS docs "Expiring objects", "Configuring a bucket lifecycle
  configuration to delete incomplete multipart uploads");
- rule validation messages as S3 answered them, recorded by other S3
  implementers checked against AWS (ceph s3-tests test_lifecycle_*, and
  their recorded AWS answers: "'Date' must be at midnight GMT",
  "'Days' in Transition action must be greater than or equal to 30 for
  storageClass 'STANDARD_IA'", ...).

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import datetime
import email.utils
import re
import time

from botocore.exceptions import ClientError

from enforce_util import advance_clock, emulated_now
from test_s3 import S3TestCase

DAY = 86400


def rule(rid, prefix="", **actions):
    r = {"ID": rid, "Status": "Enabled", "Filter": {"Prefix": prefix}}
    r.update(actions)
    return r


class LifecycleCase(S3TestCase):
    def assertErr(self, code, status, msg, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        e = cm.exception.response
        self.assertEqual(code, e["Error"]["Code"], e["Error"].get("Message"))
        self.assertEqual(status, e["ResponseMetadata"]["HTTPStatusCode"])
        if msg:
            self.assertEqual(msg, e["Error"]["Message"])
        return e

    def set_rules(self, b, *rules):
        self.s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={
            "Rules": list(rules)})

    def wait_for(self, cond, what, timeout=8.0):
        """The sweep runs about once a second."""
        end = time.time() + timeout
        while time.time() < end:
            if cond():
                return
            time.sleep(0.2)
        self.fail("not within %.0f s: %s" % (timeout, what))

    def keys(self, b):
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=b).get("Contents", [])]


class ValidationTests(LifecycleCase):
    def test_rules_are_validated_as_aws_does(self):
        b = self.make_bucket()
        cases = [
            ("InvalidArgument", "'Date' must be at midnight GMT",
             rule("d", Expiration={"Date": datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)})),
            ("InvalidArgument",
             "'Days' in Transition action must be greater than or equal to 30 for storageClass "
             "'STANDARD_IA'",
             rule("t", Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}])),
            ("InvalidRequest", "'StorageClass' must be different for 'Transition' actions in same 'Rule'",
             rule("t2", Transitions=[{"Days": 30, "StorageClass": "GLACIER"},
                                     {"Days": 60, "StorageClass": "GLACIER"}])),
            ("InvalidRequest",
             "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule",
             rule("m", Expiration={"Days": 90},
                  Transitions=[{"Date": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
                                "StorageClass": "GLACIER"}])),
            ("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags.",
             {"ID": "x", "Status": "Enabled", "Filter": {"Tag": {"Key": "a", "Value": "b"}},
              "Expiration": {"ExpiredObjectDeleteMarker": True}}),
            ("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.",
             {"ID": "x", "Status": "Enabled", "Filter": {"Tag": {"Key": "a", "Value": "b"}},
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}),
            ("InvalidRequest", "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.",
             {"ID": "x", "Status": "Enabled", "Filter": {"And": {
                 "Prefix": "", "ObjectSizeGreaterThan": 100, "ObjectSizeLessThan": 50}},
              "Expiration": {"Days": 1}}),
            ("InvalidArgument", "'Days' for Expiration action must be a positive integer",
             rule("z", Expiration={"Days": 0})),
        ]
        for code, msg, r in cases:
            with self.subTest(msg=msg):
                self.assertErr(code, 400, msg, self.s3.put_bucket_lifecycle_configuration,
                               Bucket=b, LifecycleConfiguration={"Rules": [r]})
        # what AWS takes
        self.set_rules(b, rule("ok", "logs/", Expiration={"Days": 30},
                               Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"},
                                            {"Days": 0, "StorageClass": "GLACIER"}]))

    def test_expiration_header(self):
        b = self.make_bucket()
        self.set_rules(b, rule("logs-rule", "logs/", Expiration={"Days": 3}),
                       rule("tmp-rule", "logs/tmp/", Expiration={"Days": 1}))
        r = self.put(b, "logs/a", b"x")
        self.assertIn("Expiration", r)
        m = re.fullmatch(r'expiry-date="([^"]+)", rule-id="([^"]+)"', r["Expiration"])
        self.assertTrue(m, r["Expiration"])
        self.assertEqual("logs-rule", m.group(2))
        expiry = email.utils.parsedate_to_datetime(m.group(1))
        lm = self.s3.head_object(Bucket=b, Key="logs/a")["LastModified"]
        # creation + 3 days, rounded up to the next midnight UTC
        want = (lm + datetime.timedelta(days=4)).replace(hour=0, minute=0, second=0, microsecond=0)
        self.assertEqual(want, expiry)
        self.assertEqual(r["Expiration"], self.s3.head_object(Bucket=b, Key="logs/a")["Expiration"])
        self.assertEqual(r["Expiration"], self.s3.get_object(Bucket=b, Key="logs/a")["Expiration"])
        # the earliest of the rules that apply
        self.assertIn('rule-id="tmp-rule"', self.put(b, "logs/tmp/x", b"x")["Expiration"])
        # CopyObject and CompleteMultipartUpload answer it too (their API references)
        self.assertIn('rule-id="logs-rule"', self.s3.copy_object(
            Bucket=b, Key="logs/c", CopySource={"Bucket": b, "Key": "logs/a"})["Expiration"])
        uid = self.s3.create_multipart_upload(Bucket=b, Key="logs/m")["UploadId"]
        etag = self.s3.upload_part(Bucket=b, Key="logs/m", UploadId=uid, PartNumber=1, Body=b"p")["ETag"]
        self.assertIn('rule-id="logs-rule"', self.s3.complete_multipart_upload(
            Bucket=b, Key="logs/m", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})["Expiration"])
        self.assertNotIn("Expiration", self.put(b, "other", b"x"))
        self.assertNotIn("Expiration", self.s3.head_object(Bucket=b, Key="other"))
        # a deleted configuration stops the header at once, a new one brings
        # it back (the bucket row's note of its documents follows both)
        self.s3.delete_bucket_lifecycle(Bucket=b)
        self.assertNotIn("Expiration", self.put(b, "logs/d", b"x"))
        self.set_rules(b, rule("again", "logs/", Expiration={"Days": 3}))
        self.assertIn('rule-id="again"', self.put(b, "logs/e", b"x")["Expiration"])


class SweepTests(LifecycleCase):
    own_server = True  # it moves the clock
    needs_process = True

    def test_expiration_on_the_emulator_clock(self):
        b = self.make_bucket()
        self.set_rules(b, rule("exp", "logs/", Expiration={"Days": 2}))
        self.put(b, "logs/a", b"x")
        self.put(b, "keep", b"x")
        advance_clock(self.server, DAY)
        time.sleep(1.5)
        self.assertEqual(["keep", "logs/a"], self.keys(b))
        advance_clock(self.server, 2 * DAY)
        self.wait_for(lambda: self.keys(b) == ["keep"], "logs/a expired")

    def test_versioned_expiration_and_noncurrent(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.set_rules(b, rule("v", "", Expiration={"Days": 5},
                               NoncurrentVersionExpiration={"NoncurrentDays": 1}))
        self.put(b, "k", b"1")
        self.put(b, "k", b"2")
        advance_clock(self.server, 2 * DAY)

        def versions():
            r = self.s3.list_object_versions(Bucket=b)
            return len(r.get("Versions", [])), len(r.get("DeleteMarkers", []))
        # the noncurrent version goes for good, the current stays
        self.wait_for(lambda: versions() == (1, 0), "noncurrent version expired")
        advance_clock(self.server, 5 * DAY)
        # the current version becomes noncurrent behind a delete marker...
        self.wait_for(lambda: versions()[1] == 1, "delete marker")
        self.assertEqual([], self.keys(b))
        # ...and a day later that noncurrent version goes too
        advance_clock(self.server, 2 * DAY)
        self.wait_for(lambda: versions()[0] == 0, "second noncurrent version expired")

    def test_transition_and_abort(self):
        b = self.make_bucket()
        self.set_rules(b, rule("arch", "cold/", Transitions=[{"Days": 30, "StorageClass": "GLACIER"}]),
                       rule("mpu", "", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1}))
        self.put(b, "cold/a", b"x")
        uid = self.s3.create_multipart_upload(Bucket=b, Key="big")["UploadId"]
        self.s3.upload_part(Bucket=b, Key="big", UploadId=uid, PartNumber=1, Body=b"p")
        advance_clock(self.server, 2 * DAY)
        self.wait_for(lambda: not self.s3.list_multipart_uploads(Bucket=b).get("Uploads"),
                      "upload aborted")
        with self.assertRaises(ClientError) as cm:
            self.s3.list_parts(Bucket=b, Key="big", UploadId=uid)
        self.assertEqual("NoSuchUpload", cm.exception.response["Error"]["Code"])
        self.assertNotIn("StorageClass", self.s3.head_object(Bucket=b, Key="cold/a"))
        advance_clock(self.server, 30 * DAY)
        self.wait_for(lambda: self.s3.head_object(Bucket=b, Key="cold/a").get("StorageClass") == "GLACIER",
                      "transition to GLACIER")
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object(Bucket=b, Key="cold/a")
        self.assertEqual("InvalidObjectState", cm.exception.response["Error"]["Code"])


class MarkerTests(LifecycleCase):
    own_server = True  # it moves the clock
    needs_process = True

    def test_expired_object_delete_markers_go(self):
        """A delete marker that is its key's only version is removed by
        ExpiredObjectDeleteMarker (AWS docs "Removing expired object delete
        markers"); one with versions behind it stays."""
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v = self.put(b, "gone", b"x")["VersionId"]
        self.s3.delete_object(Bucket=b, Key="gone")
        self.s3.delete_object(Bucket=b, Key="gone", VersionId=v)
        self.put(b, "kept", b"x")
        self.s3.delete_object(Bucket=b, Key="kept")

        def markers():
            return sorted(m["Key"] for m in self.s3.list_object_versions(Bucket=b).get("DeleteMarkers", []))
        self.assertEqual(["gone", "kept"], markers())
        self.set_rules(b, rule("m", "", Expiration={"ExpiredObjectDeleteMarker": True}))
        self.wait_for(lambda: markers() == ["kept"], "expired delete marker removed")


class NewerNoncurrentTests(LifecycleCase):
    own_server = True  # it moves the clock
    needs_process = True

    def test_newer_noncurrent_versions_are_kept(self):
        """NewerNoncurrentVersions: that many of the newest noncurrent
        versions are kept whatever their age (AWS docs "Lifecycle
        configuration elements", NoncurrentVersionExpiration)."""
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        vids = [self.put(b, "k", b"%d" % i)["VersionId"] for i in range(4)]
        self.set_rules(b, rule("keep2", "", NoncurrentVersionExpiration={
            "NoncurrentDays": 1, "NewerNoncurrentVersions": 2}))
        advance_clock(self.server, 3 * DAY)

        def left():
            return [v["VersionId"] for v in self.s3.list_object_versions(Bucket=b).get("Versions", [])]
        # the current one and the two newest noncurrent ones stay
        self.wait_for(lambda: len(left()) == 3, "oldest noncurrent version expired")
        time.sleep(1.5)
        self.assertEqual(sorted(vids[1:]), sorted(left()))
