"""S3 storage classes and RestoreObject (issue 14, item 8).

What AWS answers, pinned by:
- the classes a general purpose bucket takes and their names: AWS docs
  "Using Amazon S3 storage classes" and botocore's StorageClass enum; the
  header x-amz-storage-class is absent for STANDARD ("Amazon S3 returns this
  header for all objects except for S3 Standard storage class objects",
  HeadObject API reference); an unknown class: InvalidStorageClass, 400
  ("The storage class you specified is not valid", S3 error code list);
- GET of a GLACIER / DEEP_ARCHIVE object before a restore: 403
  InvalidObjectState, "The operation is not valid for the object's storage
  class", with <StorageClass> (S3 error code list; GetObject API reference
  "If the object you are retrieving is stored in the S3 Glacier Flexible
  Retrieval ... you must first restore a copy"); HEAD answers;
- RestoreObject: 202 Accepted when a restore starts, 200 OK when the object
  is already restored, 409 RestoreAlreadyInProgress while one runs, 403
  InvalidObjectState for a class that is not archived (RestoreObject API
  reference, "Responses"); x-amz-restore ongoing-request="true", then
  ongoing-request="false", expiry-date="..." (HeadObject API reference);
  the expiry rounded up to the next midnight UTC and the retrieval times of
  each tier (AWS docs "Restoring an archived object", "Understanding
  archive retrieval options"). A restore completes on the emulator clock.

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import datetime
import email.utils

from botocore.exceptions import ClientError

from enforce_util import advance_clock, emulated_now
import xml.etree.ElementTree as ET

from test_s3 import S3TestCase, s3_request, uniq

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"

GP_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
              "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR")


class ClassCase(S3TestCase):
    def assertErr(self, code, status, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        e = cm.exception.response
        self.assertEqual(code, e["Error"]["Code"], e["Error"].get("Message"))
        self.assertEqual(status, e["ResponseMetadata"]["HTTPStatusCode"])
        return e

    def restore(self, b, key, days=1, tier=None, **kw):
        req = {"Days": days}
        if tier:
            req["GlacierJobParameters"] = {"Tier": tier}
        return self.s3.restore_object(Bucket=b, Key=key, RestoreRequest=req, **kw)


class StorageClassTests(ClassCase):
    def test_every_class_is_kept_and_reported(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        for cls in GP_CLASSES:
            self.put(b, cls, b"x", StorageClass=cls)
        for cls in GP_CLASSES:
            h = self.s3.head_object(Bucket=b, Key=cls)
            hdr = h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-storage-class")
            self.assertEqual(None if cls == "STANDARD" else cls, hdr)
            attrs = self.s3.get_object_attributes(Bucket=b, Key=cls, ObjectAttributes=["StorageClass"])
            self.assertEqual(cls, attrs["StorageClass"])
        for listing in (self.s3.list_objects(Bucket=b)["Contents"],
                        self.s3.list_objects_v2(Bucket=b)["Contents"],
                        self.s3.list_object_versions(Bucket=b)["Versions"]):
            self.assertEqual({c: c for c in GP_CLASSES},
                             {o["Key"]: o["StorageClass"] for o in listing})
        # an overwrite takes the new request's class
        self.put(b, "GLACIER", b"y")
        self.assertEqual("STANDARD", self.s3.list_objects_v2(Bucket=b, Prefix="GLACIER")
                         ["Contents"][0]["StorageClass"])
        versions = self.s3.list_object_versions(Bucket=b, Prefix="GLACIER")["Versions"]
        self.assertEqual(["STANDARD", "GLACIER"],
                         [v["StorageClass"] for v in versions if v["Key"] == "GLACIER"])

    def test_unknown_and_other_kinds_of_storage_are_refused(self):
        b = self.make_bucket()
        for cls in ("FOO", "OUTPOSTS", "EXPRESS_ONEZONE", "SNOW"):
            self.assertErr("InvalidStorageClass", 400, self.s3_nv.put_object, Bucket=b,
                           Key="k", Body=b"x", StorageClass=cls)
            self.assertErr("InvalidStorageClass", 400, self.s3_nv.create_multipart_upload,
                           Bucket=b, Key="k", StorageClass=cls)
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=b))

    def test_glacier_is_unreadable_until_restored(self):
        b = self.make_bucket()
        for cls in ("GLACIER", "DEEP_ARCHIVE"):
            self.put(b, cls, b"cold", StorageClass=cls)
            e = self.assertErr("InvalidObjectState", 403, self.s3.get_object, Bucket=b, Key=cls)
            self.assertEqual("The operation is not valid for the object's storage class",
                             e["Error"]["Message"])
            self.assertEqual(cls, e["Error"]["StorageClass"])
            # HEAD answers, with the class and no restore
            h = self.s3.head_object(Bucket=b, Key=cls)
            self.assertEqual(cls, h["StorageClass"])
            self.assertNotIn("Restore", h)
        # the readable classes read (GLACIER_IR is instant retrieval)
        for cls in ("STANDARD_IA", "GLACIER_IR", "INTELLIGENT_TIERING"):
            self.put(b, cls, b"warm", StorageClass=cls)
            self.assertEqual(b"warm", self.get_bytes(b, cls))

    def test_copy_and_multipart(self):
        b = self.make_bucket()
        self.put(b, "cold", b"cold", StorageClass="GLACIER")
        self.assertErr("InvalidObjectState", 403, self.s3.copy_object, Bucket=b, Key="c",
                       CopySource={"Bucket": b, "Key": "cold"})
        up = self.s3.create_multipart_upload(Bucket=b, Key="mpc")["UploadId"]
        self.assertErr("InvalidObjectState", 403, self.s3.upload_part_copy, Bucket=b, Key="mpc",
                       UploadId=up, PartNumber=1, CopySource={"Bucket": b, "Key": "cold"})
        self.s3.abort_multipart_upload(Bucket=b, Key="mpc", UploadId=up)
        self.put(b, "ia", b"ia", StorageClass="STANDARD_IA")
        # a copy takes the request's class, STANDARD when absent
        self.s3.copy_object(Bucket=b, Key="c1", CopySource={"Bucket": b, "Key": "ia"})
        self.assertNotIn("StorageClass", self.s3.head_object(Bucket=b, Key="c1"))
        self.s3.copy_object(Bucket=b, Key="c2", CopySource={"Bucket": b, "Key": "ia"},
                            StorageClass="ONEZONE_IA")
        self.assertEqual("ONEZONE_IA", self.s3.head_object(Bucket=b, Key="c2")["StorageClass"])
        # in place, changing only the class, is allowed (CopyObject API reference)
        self.s3.copy_object(Bucket=b, Key="ia", CopySource={"Bucket": b, "Key": "ia"},
                            StorageClass="GLACIER_IR")
        self.assertEqual("GLACIER_IR", self.s3.head_object(Bucket=b, Key="ia")["StorageClass"])
        # multipart: the class CreateMultipartUpload asked for
        up = self.s3.create_multipart_upload(Bucket=b, Key="mp", StorageClass="STANDARD_IA")
        uid = up["UploadId"]
        ups = self.s3.list_multipart_uploads(Bucket=b)["Uploads"]
        self.assertEqual("STANDARD_IA", [u for u in ups if u["UploadId"] == uid][0]["StorageClass"])
        etag = self.s3.upload_part(Bucket=b, Key="mp", UploadId=uid, PartNumber=1, Body=b"p")["ETag"]
        self.assertEqual("STANDARD_IA", self.s3.list_parts(Bucket=b, Key="mp", UploadId=uid)
                         ["StorageClass"])
        self.s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag}]})
        self.assertEqual("STANDARD_IA", self.s3.head_object(Bucket=b, Key="mp")["StorageClass"])

    def test_restore_of_a_class_that_is_not_archived(self):
        b = self.make_bucket()
        self.put(b, "k", b"x", StorageClass="STANDARD_IA")
        e = self.assertErr("InvalidObjectState", 403, self.restore, b, "k")
        self.assertEqual("Restore is not allowed for the object's current storage class",
                         e["Error"]["Message"])
        self.assertErr("NoSuchKey", 404, self.restore, b, "missing")


class RestoreClockTests(ClassCase):
    own_server = True  # it moves the clock
    needs_process = True

    def restore_header(self, b, key):
        return self.s3.head_object(Bucket=b, Key=key)["ResponseMetadata"]["HTTPHeaders"].get(
            "x-amz-restore")

    def test_restore_completes_on_the_emulator_clock(self):
        b = self.make_bucket()
        self.put(b, "k", b"cold bytes", StorageClass="GLACIER")
        r = self.restore(b, "k", days=2, tier="Standard")
        self.assertEqual(202, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual('ongoing-request="true"', self.restore_header(b, "k"))
        self.assertErr("RestoreAlreadyInProgress", 409, self.restore, b, "k")
        self.assertErr("InvalidObjectState", 403, self.s3.get_object, Bucket=b, Key="k")
        # Standard from Flexible Retrieval: at most 5 hours
        advance_clock(self.server, 5 * 3600 + 60)
        now = emulated_now(self.server)
        hdr = self.restore_header(b, "k")
        self.assertTrue(hdr.startswith('ongoing-request="false", expiry-date="'), hdr)
        expiry = email.utils.parsedate_to_datetime(hdr.split('expiry-date="')[1].rstrip('"'))
        # done + 2 days, rounded up to the next midnight UTC
        self.assertEqual((0, 0, 0), (expiry.hour, expiry.minute, expiry.second))
        self.assertTrue(now + datetime.timedelta(days=1) < expiry <=
                        now + datetime.timedelta(days=3), (now, expiry))
        self.assertEqual(b"cold bytes", self.get_bytes(b, "k"))
        self.assertIn("Restore", self.s3.head_object(Bucket=b, Key="k"))
        # ListObjectsV2 tells it when asked (x-amz-optional-object-attributes)
        r = s3_request(self.server, "GET", "/" + b, query="list-type=2",
                       headers={"x-amz-optional-object-attributes": "RestoreStatus"})
        st = ET.fromstring(r.body).find(NS + "Contents/" + NS + "RestoreStatus")
        self.assertEqual("false", st.findtext(NS + "IsRestoreInProgress"))
        self.assertEqual(expiry, datetime.datetime.fromisoformat(
            st.findtext(NS + "RestoreExpiryDate").replace("Z", "+00:00")))
        r = s3_request(self.server, "GET", "/" + b, query="list-type=2")
        self.assertNotIn(b"RestoreStatus", r.body)
        # restoring a restored object moves its expiry: 200
        r = self.restore(b, "k", days=5)
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        later = email.utils.parsedate_to_datetime(
            self.restore_header(b, "k").split('expiry-date="')[1].rstrip('"'))
        self.assertGreater(later, expiry)
        # past the expiry the copy is gone: unreadable again, no header
        advance_clock(self.server, 7 * 86400)
        self.assertIsNone(self.restore_header(b, "k"))
        self.assertErr("InvalidObjectState", 403, self.s3.get_object, Bucket=b, Key="k")

    def test_tiers_take_their_time(self):
        b = self.make_bucket()
        self.put(b, "fast", b"f", StorageClass="GLACIER")
        self.put(b, "deep", b"d", StorageClass="DEEP_ARCHIVE")
        self.assertEqual(202, self.restore(b, "fast", tier="Expedited")
                         ["ResponseMetadata"]["HTTPStatusCode"])
        self.restore(b, "deep", tier="Bulk")
        advance_clock(self.server, 6 * 60)
        self.assertEqual(b"f", self.get_bytes(b, "fast"))
        # Deep Archive Bulk: within 48 hours
        advance_clock(self.server, 47 * 3600)
        self.assertEqual('ongoing-request="true"', self.restore_header(b, "deep"))
        advance_clock(self.server, 3600)
        self.assertEqual(b"d", self.get_bytes(b, "deep"))

    def test_restore_of_a_version(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.put(b, "k", b"old", StorageClass="GLACIER")["VersionId"]
        self.put(b, "k", b"new")
        self.restore(b, "k", VersionId=v1, tier="Expedited")
        advance_clock(self.server, 6 * 60)
        self.assertEqual(b"old", self.get_bytes(b, "k", VersionId=v1))
        self.assertEqual(b"new", self.get_bytes(b, "k"))
