"""S3's smaller differences from AWS (issue 14, items 10 and 12).

Each test names the source that pinned AWS's behaviour:
- non-ASCII user metadata: AWS docs "Working with object metadata": values
  with characters beyond US-ASCII are "character decoded as per RFC 2047
  before storing and encoded as per RFC 2047 to make them mail-safe before
  returning" (boto3 itself refuses to send them, botocore's
  validate_ascii_metadata, so these requests are raw);
- encoding-type=url: the ListObjects(V2), ListObjectVersions and
  ListMultipartUploads API references list the elements S3 encodes (Key,
  Prefix, Delimiter, StartAfter, Marker/NextMarker, KeyMarker/NextKeyMarker,
  CommonPrefixes' Prefix);
- an invalid Range is ignored, the whole object answered 200 (recorded
  against AWS in noobaa-core issue 9889 for bytes=1-0, versitygw issues 1120
  and 2052); a range starting past the end: 416 InvalidRange;
- a continuation token S3 did not hand out: 400 InvalidArgument "The
  continuation token provided is incorrect";
- HeadBucket's empty 200 carries Content-Type application/xml, PutObject's
  and DeleteObject's empty answers none (real S3 headers recorded in moto
  issue 6042, uppy issue 2011, localstack issue 10712);
- CopyObject onto itself is allowed when it changes the storage class,
  the encryption or the website redirect (CopyObject API reference);
- object tags (AWS docs "Categorizing your storage using tags"; messages
  as S3 answered them, recorded by other implementers);
- a KMS key id without x-amz-server-side-encryption: aws:kms (PutObject API
  reference; S3's message);
- BucketArn (x-amz-bucket-arn) of botocore's CreateBucketOutput.

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import email.header
import urllib.parse
import xml.etree.ElementTree as ET

from botocore.exceptions import ClientError

from test_s3 import S3TestCase, s3_request

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class FidelityCase(S3TestCase):
    def assertErr(self, code, status, msg, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        e = cm.exception.response
        self.assertEqual(code, e["Error"]["Code"], e["Error"].get("Message"))
        self.assertEqual(status, e["ResponseMetadata"]["HTTPStatusCode"])
        if msg:
            self.assertEqual(msg, e["Error"]["Message"])
        return e

    def raw(self, method, path, query="", body=b"", headers=None):
        return s3_request(self.server, method, path, query=query, body=body, headers=headers)

    def xml(self, path, query):
        r = self.raw("GET", path, query)
        self.assertEqual(200, r.status, r.body[:300])
        return ET.fromstring(r.body)


class MetadataTests(FidelityCase):
    def meta_header(self, b, key):
        r = self.raw("HEAD", "/%s/%s" % (b, key))
        return {k.lower(): v for k, v in r.headers.items()}.get("x-amz-meta-greeting")

    def test_non_ascii_metadata_round_trips_rfc2047(self):
        b = self.make_bucket()
        # raw UTF-8 bytes in the header (as the JS and Go SDKs send them)
        r = s3_request(self.server, "PUT", "/%s/raw" % b, body=b"x", sign=False,
                       headers={"x-amz-meta-greeting": "Hello Worldé".encode().decode("latin-1")})
        self.assertEqual(200, r.status, r.body)
        got = self.meta_header(b, "raw")
        self.assertTrue(got.startswith("=?UTF-8?B?"), got)
        text, cs = email.header.decode_header(got)[0]
        self.assertEqual("Hello Worldé", text.decode(cs))
        # the RFC 2047 form a careful client sends reads back the same
        enc = email.header.Header("Grüße", "utf-8").encode()
        self.put(b, "enc", b"x", Metadata={"greeting": enc})
        text, cs = email.header.decode_header(self.meta_header(b, "enc"))[0]
        self.assertEqual("Grüße", text.decode(cs))
        # plain ASCII stays as it was
        self.put(b, "ascii", b"x", Metadata={"greeting": "hello"})
        self.assertEqual("hello", self.s3.head_object(Bucket=b, Key="ascii")["Metadata"]["greeting"])


class EncodingTypeTests(FidelityCase):
    KEYS = ["dir one/a b.txt", "dir one/100%.txt", "pct%2F/x", "plain"]

    def setUp(self):
        super().setUp()
        self.b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=self.b, VersioningConfiguration={"Status": "Enabled"})
        for k in self.KEYS:
            self.put(self.b, k, b"x")

    def enc(self, k):
        return urllib.parse.quote_plus(k, safe="/-_.~")

    def test_list_objects_v1_and_v2(self):
        for q in ("encoding-type=url&delimiter=%2F&prefix=",
                  "list-type=2&encoding-type=url&delimiter=%2F&prefix="):
            root = self.xml("/" + self.b, q)
            self.assertEqual(["plain"], [e.text for e in root.iter(NS + "Key")])
            self.assertEqual([self.enc("dir one/"), self.enc("pct%2F/")],
                             [e.findtext(NS + "Prefix") for e in root.iter(NS + "CommonPrefixes")])
        root = self.xml("/" + self.b, "list-type=2&encoding-type=url&prefix=" +
                        urllib.parse.quote("dir one/") + "&start-after=" +
                        urllib.parse.quote("dir one/100%.txt"))
        self.assertEqual([self.enc("dir one/a b.txt")], [e.text for e in root.iter(NS + "Key")])
        self.assertEqual(self.enc("dir one/"), root.findtext(NS + "Prefix"))
        self.assertEqual(self.enc("dir one/100%.txt"), root.findtext(NS + "StartAfter"))
        root = self.xml("/" + self.b, "encoding-type=url&max-keys=1&marker=" +
                        urllib.parse.quote("dir one/100%.txt"))
        self.assertEqual(self.enc("dir one/100%.txt"), root.findtext(NS + "Marker"))
        self.assertEqual([self.enc("dir one/a b.txt")], [e.text for e in root.iter(NS + "Key")])

    def test_list_object_versions(self):
        root = self.xml("/" + self.b, "versions&encoding-type=url&prefix=" + urllib.parse.quote("dir one/"))
        self.assertEqual([self.enc(k) for k in sorted(self.KEYS[:2])],
                         [v.findtext(NS + "Key") for v in root.iter(NS + "Version")])
        self.assertEqual(self.enc("dir one/"), root.findtext(NS + "Prefix"))
        root = self.xml("/" + self.b, "versions&encoding-type=url&delimiter=%2F")
        self.assertEqual([self.enc("dir one/"), self.enc("pct%2F/")],
                         [e.findtext(NS + "Prefix") for e in root.iter(NS + "CommonPrefixes")])

    def test_list_multipart_uploads(self):
        for k in ("up load/a b", "up load/50%"):
            self.s3.create_multipart_upload(Bucket=self.b, Key=k)
        root = self.xml("/" + self.b, "uploads&encoding-type=url&prefix=" + urllib.parse.quote("up load/"))
        self.assertEqual("url", root.findtext(NS + "EncodingType"))
        self.assertEqual(self.enc("up load/"), root.findtext(NS + "Prefix"))
        self.assertEqual([self.enc("up load/50%"), self.enc("up load/a b")],
                         [u.findtext(NS + "Key") for u in root.iter(NS + "Upload")])
        root = self.xml("/" + self.b, "uploads&encoding-type=url&delimiter=%2F")
        self.assertEqual([self.enc("up load/")],
                         [e.findtext(NS + "Prefix") for e in root.iter(NS + "CommonPrefixes")])
        # boto3 asks for encoding-type=url itself and decodes what it gets
        ups = self.s3.list_multipart_uploads(Bucket=self.b)["Uploads"]
        self.assertEqual(["up load/50%", "up load/a b"], [u["Key"] for u in ups])


class SmallerDifferencesTests(FidelityCase):
    def test_invalid_ranges(self):
        b = self.make_bucket()
        self.put(b, "k", b"0123456789")
        for rng in ("bytes=1-0", "bytes=abc", "bytes=5-2", "bytes=0-1,3-4", "items=0-1"):
            r = self.s3.get_object(Bucket=b, Key="k", Range=rng)
            self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"], rng)
            self.assertEqual(b"0123456789", r["Body"].read())
        self.assertEqual(b"23", self.get_bytes(b, "k", Range="bytes=2-3"))
        e = self.assertErr("InvalidRange", 416, "The requested range is not satisfiable",
                           self.s3.get_object, Bucket=b, Key="k", Range="bytes=10-20")
        self.assertEqual("bytes */10", e["ResponseMetadata"]["HTTPHeaders"]["content-range"])

    def test_continuation_token_is_validated(self):
        b = self.make_bucket()
        for i in range(3):
            self.put(b, "k%d" % i, b"x")
        page = self.s3.list_objects_v2(Bucket=b, MaxKeys=1)
        token = page["NextContinuationToken"]
        self.assertEqual(["k1"], [o["Key"] for o in self.s3.list_objects_v2(
            Bucket=b, MaxKeys=1, ContinuationToken=token)["Contents"]])
        msg = "The continuation token provided is incorrect"
        for bad in ("bm90IGEgdG9rZW4=", "!!!", token[:-4] + "AAAA"):
            e = self.assertErr("InvalidArgument", 400, msg, self.s3.list_objects_v2, Bucket=b,
                               ContinuationToken=bad)
            self.assertEqual("continuation-token", e["Error"]["ArgumentName"])
        # a token of another bucket
        other = self.make_bucket()
        self.put(other, "k0", b"x")
        self.assertErr("InvalidArgument", 400, msg, self.s3.list_objects_v2, Bucket=other,
                       ContinuationToken=token)

    def test_content_type_of_empty_answers(self):
        b = self.make_bucket()
        r = self.raw("HEAD", "/" + b)
        self.assertEqual(200, r.status)
        self.assertEqual("application/xml", {k.lower(): v for k, v in r.headers.items()}["content-type"])
        r = self.raw("PUT", "/%s/k" % b, body=b"x")
        self.assertNotIn("content-type", {k.lower() for k in r.headers})
        r = self.raw("DELETE", "/%s/k" % b)
        self.assertEqual(204, r.status)
        self.assertNotIn("content-type", {k.lower() for k in r.headers})

    def test_copy_in_place(self):
        b = self.make_bucket()
        self.put(b, "k", b"x")
        src = {"Bucket": b, "Key": "k"}
        self.assertErr("InvalidRequest", 400, None, self.s3.copy_object, Bucket=b, Key="k", CopySource=src)
        self.s3.copy_object(Bucket=b, Key="k", CopySource=src, WebsiteRedirectLocation="/other")
        self.assertEqual("/other", self.s3.head_object(Bucket=b, Key="k")["WebsiteRedirectLocation"])
        self.s3.copy_object(Bucket=b, Key="k", CopySource=src, StorageClass="STANDARD_IA")
        self.assertEqual("STANDARD_IA", self.s3.head_object(Bucket=b, Key="k")["StorageClass"])
        self.s3.copy_object(Bucket=b, Key="k", CopySource=src, ServerSideEncryption="AES256")
        self.assertEqual(b"x", self.get_bytes(b, "k"))

    def test_object_tag_validation(self):
        b = self.make_bucket()
        self.put(b, "k", b"x")

        def tagset(*pairs):
            return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs]}
        cases = [
            ("InvalidTag", "Your TagKey cannot be prefixed with aws:", tagset(("aws:x", "1"))),
            ("BadRequest", "Object tags cannot be greater than 10",
             tagset(*[("k%d" % i, "v") for i in range(11)])),
            ("InvalidTag", "The TagKey you have provided is invalid", tagset(("k" * 129, "v"))),
            ("InvalidTag", "The TagValue you have provided is invalid", tagset(("k", "v" * 257))),
            ("InvalidTag", "Cannot provide multiple Tags with the same key", tagset(("a", "1"), ("a", "2"))),
        ]
        for code, msg, tags in cases:
            with self.subTest(msg=msg):
                self.assertErr(code, 400, msg, self.s3_nv.put_object_tagging, Bucket=b, Key="k",
                               Tagging=tags)
        self.s3.put_object_tagging(Bucket=b, Key="k", Tagging=tagset(*[("k%d" % i, "v") for i in range(10)]))
        # the same rules for x-amz-tagging
        self.assertErr("InvalidTag", 400, "Your TagKey cannot be prefixed with aws:", self.s3.put_object,
                       Bucket=b, Key="t", Body=b"x", Tagging="aws:x=1")
        self.assertErr("BadRequest", 400, "Object tags cannot be greater than 10", self.s3.put_object,
                       Bucket=b, Key="t", Body=b"x", Tagging="&".join("k%d=v" % i for i in range(11)))
        self.assertErr("InvalidArgument", 400, "The header 'x-amz-tagging' shall be encoded as UTF-8 "
                       "then URLEncoded URL query parameters without tag name duplicates.",
                       self.s3.put_object, Bucket=b, Key="t", Body=b"x", Tagging="a=1&a=2")
        self.put(b, "t", b"x", Tagging="a=1&b=two%20words")
        self.assertEqual({"a": "1", "b": "two words"}, {t["Key"]: t["Value"] for t in self.s3.get_object_tagging(
            Bucket=b, Key="t")["TagSet"]})

    def test_kms_key_id_needs_aws_kms(self):
        b = self.make_bucket()
        self.assertErr("InvalidArgument", 400, "Server Side Encryption with AWS KMS managed key requires "
                       "HTTP header x-amz-server-side-encryption : aws:kms", self.s3.put_object,
                       Bucket=b, Key="k", Body=b"x", SSEKMSKeyId="alias/aws/s3")

    def test_location_constraint_and_bucket_arn(self):
        name = "t-arn-%s" % self.id().rsplit(".", 1)[1][-8:].lower().replace("_", "-")
        r = self.s3.create_bucket(Bucket=name)
        self.assertEqual("arn:aws:s3:::" + name, r["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-arn"])
        self.assertErr("InvalidLocationConstraint", 400, "The specified location-constraint is not valid",
                       self.s3.create_bucket, Bucket=name + "-x",
                       CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
        west = self.server.client("s3", region="us-west-2")
        self.assertErr("IllegalLocationConstraintException", 400, None, west.create_bucket,
                       Bucket=name + "-y")


class IdConfigurationTests(FidelityCase):
    """Analytics, inventory, metrics and Intelligent-Tiering configurations:
    Put/Get/Delete by id and List (API references of each operation; the
    404 NoSuchConfiguration "The specified configuration does not exist."
    of S3's error code list; the Intelligent-Tiering day ranges of AWS docs
    "Using S3 Intelligent-Tiering")."""

    def test_metrics(self):
        b = self.make_bucket()
        self.assertEqual([], self.s3.list_bucket_metrics_configurations(Bucket=b).get(
            "MetricsConfigurationList", []))
        for i in range(3):
            self.s3.put_bucket_metrics_configuration(Bucket=b, Id="m%d" % i, MetricsConfiguration={
                "Id": "m%d" % i, "Filter": {"Prefix": "p%d/" % i}})
        got = self.s3.get_bucket_metrics_configuration(Bucket=b, Id="m1")["MetricsConfiguration"]
        self.assertEqual({"Id": "m1", "Filter": {"Prefix": "p1/"}}, got)
        lst = self.s3.list_bucket_metrics_configurations(Bucket=b)
        self.assertEqual(["m0", "m1", "m2"], [c["Id"] for c in lst["MetricsConfigurationList"]])
        self.assertFalse(lst["IsTruncated"])
        self.s3.delete_bucket_metrics_configuration(Bucket=b, Id="m1")
        self.assertErr("NoSuchConfiguration", 404, "The specified configuration does not exist.",
                       self.s3.get_bucket_metrics_configuration, Bucket=b, Id="m1")
        self.assertErr("NoSuchConfiguration", 404, None,
                       self.s3.delete_bucket_metrics_configuration, Bucket=b, Id="m1")
        # the id of the request and the document's must agree
        self.assertErr("InvalidArgument", 400, None, self.s3.put_bucket_metrics_configuration,
                       Bucket=b, Id="a", MetricsConfiguration={"Id": "b"})

    def test_inventory_and_analytics(self):
        b = self.make_bucket()
        dest = {"S3BucketDestination": {"Bucket": "arn:aws:s3:::" + b, "Format": "CSV"}}
        inv = {"Id": "inv", "IsEnabled": True, "IncludedObjectVersions": "Current",
               "Destination": dest, "Schedule": {"Frequency": "Daily"},
               "OptionalFields": ["Size", "ETag"]}
        self.s3.put_bucket_inventory_configuration(Bucket=b, Id="inv", InventoryConfiguration=inv)
        self.assertEqual(inv, self.s3.get_bucket_inventory_configuration(
            Bucket=b, Id="inv")["InventoryConfiguration"])
        self.assertEqual(["inv"], [c["Id"] for c in self.s3.list_bucket_inventory_configurations(
            Bucket=b)["InventoryConfigurationList"]])
        bad = dict(inv, Destination={"S3BucketDestination": {"Bucket": b, "Format": "CSV"}})
        self.assertErr("InvalidArgument", 400, "Invalid bucket ARN.",
                       self.s3.put_bucket_inventory_configuration, Bucket=b, Id="inv",
                       InventoryConfiguration=bad)
        self.assertErr("MalformedXML", 400, None, self.s3_nv.put_bucket_inventory_configuration,
                       Bucket=b, Id="inv", InventoryConfiguration=dict(inv, IncludedObjectVersions="Some"))
        ana = {"Id": "a1", "Filter": {"Prefix": "logs/"}, "StorageClassAnalysis": {"DataExport": {
            "OutputSchemaVersion": "V_1", "Destination": dest}}}
        self.s3.put_bucket_analytics_configuration(Bucket=b, Id="a1", AnalyticsConfiguration=ana)
        self.assertEqual(ana, self.s3.get_bucket_analytics_configuration(
            Bucket=b, Id="a1")["AnalyticsConfiguration"])
        self.assertEqual(["a1"], [c["Id"] for c in self.s3.list_bucket_analytics_configurations(
            Bucket=b)["AnalyticsConfigurationList"]])
        self.s3.delete_bucket_analytics_configuration(Bucket=b, Id="a1")
        self.assertNotIn("AnalyticsConfigurationList",
                         self.s3.list_bucket_analytics_configurations(Bucket=b))

    def test_intelligent_tiering(self):
        b = self.make_bucket()
        conf = {"Id": "it", "Status": "Enabled", "Tierings": [
            {"Days": 90, "AccessTier": "ARCHIVE_ACCESS"},
            {"Days": 180, "AccessTier": "DEEP_ARCHIVE_ACCESS"}]}
        self.s3.put_bucket_intelligent_tiering_configuration(
            Bucket=b, Id="it", IntelligentTieringConfiguration=conf)
        self.assertEqual(conf, self.s3.get_bucket_intelligent_tiering_configuration(
            Bucket=b, Id="it")["IntelligentTieringConfiguration"])
        self.assertEqual(1, len(self.s3.list_bucket_intelligent_tiering_configurations(
            Bucket=b)["IntelligentTieringConfigurationList"]))
        for tier, days in (("ARCHIVE_ACCESS", 30), ("DEEP_ARCHIVE_ACCESS", 100), ("ARCHIVE_ACCESS", 800)):
            self.assertErr("InvalidArgument", 400, None,
                           self.s3.put_bucket_intelligent_tiering_configuration, Bucket=b, Id="x",
                           IntelligentTieringConfiguration={"Id": "x", "Status": "Enabled",
                                                            "Tierings": [{"Days": days, "AccessTier": tier}]})


class ReplicationValidationTests(FidelityCase):
    """The V2 replication schema (a rule with Filter) needs Priority and
    DeleteMarkerReplication: S3's InvalidRequest messages as recorded by
    OpenIO's s3api replication tests and terraform users' logs."""

    def test_v2_rules_need_priority_and_delete_marker_replication(self):
        src, dest = self.make_bucket(), self.make_bucket()
        for b in (src, dest):
            self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        base = {"ID": "r", "Priority": 1, "Filter": {"Prefix": ""}, "Status": "Enabled",
                "DeleteMarkerReplication": {"Status": "Disabled"},
                "Destination": {"Bucket": "arn:aws:s3:::" + dest}}

        def put(*rules):
            return self.s3.put_bucket_replication(Bucket=src, ReplicationConfiguration={
                "Role": "arn:aws:iam::000000000000:role/r", "Rules": list(rules)})
        no_pri = {k: v for k, v in base.items() if k != "Priority"}
        self.assertErr("InvalidRequest", 400, "Priority must be specified for this version of Cross "
                       "Region Replication configuration schema. Please refer to S3 Developer Guide "
                       "for more information.", put, no_pri)
        no_dmr = {k: v for k, v in base.items() if k != "DeleteMarkerReplication"}
        self.assertErr("InvalidRequest", 400, "DeleteMarkerReplication must be specified for this "
                       "version of Cross Region Replication configuration schema. Please refer to "
                       "S3 Developer Guide for more information.", put, no_dmr)
        self.assertErr("InvalidRequest", 400, None, put, base, dict(base, ID="r2"))
        self.assertErr("MalformedXML", 400, None, self.s3_nv.put_bucket_replication, Bucket=src,
                       ReplicationConfiguration={"Role": "arn:aws:iam::000000000000:role/r", "Rules": [
                           dict(base, Destination={"Bucket": "arn:aws:s3:::" + dest,
                                                   "StorageClass": "NOPE"})]})
        put(base, dict(base, ID="r2", Priority=2, Filter={"Prefix": "logs/"}))
        self.assertEqual(2, len(self.s3.get_bucket_replication(Bucket=src)
                                ["ReplicationConfiguration"]["Rules"]))


class EnforceTests(FidelityCase):
    """Under --iam enforce the operations of issue 14 are authorized with
    the IAM actions of AWS's Service Authorization Reference for S3
    (RestoreObject: s3:RestoreObject; the notification configuration:
    s3:PutBucketNotification; metrics: s3:PutMetricsConfiguration /
    s3:GetMetricsConfiguration)."""

    server_args = ("--iam", "enforce")
    needs_process = True

    def test_actions(self):
        from enforce_util import Principals, allow, client, doc
        root = client(self.server, "s3")
        b = "t-enf-%s" % self.id().rsplit(".", 1)[1][-6:].lower().replace("_", "-")
        root.create_bucket(Bucket=b)
        root.put_object(Bucket=b, Key="cold", Body=b"x", StorageClass="GLACIER")
        p = Principals(self.server)
        reader = client(self.server, "s3", p.user(inline=[doc(allow(["s3:GetObject", "s3:ListBucket"]))]))
        calls = [
            ("s3:RestoreObject", lambda c: c.restore_object(Bucket=b, Key="cold",
                                                            RestoreRequest={"Days": 1})),
            ("s3:PutBucketNotification", lambda c: c.put_bucket_notification_configuration(
                Bucket=b, NotificationConfiguration={})),
            ("s3:GetBucketNotification", lambda c: c.get_bucket_notification_configuration(Bucket=b)),
            ("s3:PutMetricsConfiguration", lambda c: c.put_bucket_metrics_configuration(
                Bucket=b, Id="m", MetricsConfiguration={"Id": "m"})),
            ("s3:GetMetricsConfiguration", lambda c: c.list_bucket_metrics_configurations(Bucket=b)),
        ]
        for action, call in calls:
            with self.subTest(action=action):
                e = self.assertErr("AccessDenied", 403, None, call, reader)
                self.assertIn(action, e["Error"]["Message"])
                allowed = client(self.server, "s3", p.user(inline=[doc(allow([action]))]))
                call(allowed)
