"""S3 event notifications (issue 14, item 11).

What AWS answers, pinned by:
- PutBucketNotificationConfiguration takes TopicConfiguration,
  QueueConfiguration, CloudFunctionConfiguration and
  EventBridgeConfiguration entries (botocore's model, AWS docs "Event
  notification types and destinations"); an entry without Id gets one;
  GetBucketNotificationConfiguration answers an empty configuration when
  none is set;
- entries sharing an event type for keys both filters match:
  InvalidArgument "Configurations overlap. Configurations on the same
  bucket cannot share a common event type." (AWS knowledge center "Why do
  I get 'Configurations overlap' ..."); filter rule names other than
  prefix/suffix: "filter rule name must be either prefix or suffix"
  (recorded by moto against AWS); a destination S3 cannot validate:
  InvalidArgument "Unable to validate the following destination
  configurations" (AWS knowledge center "unable-validate-destination-s3");
- the event delivered to a Lambda is AWS's S3 event message, eventVersion
  2.1, the key URL-encoded, eTag without quotes (AWS docs "Event message
  structure"). Here the function is a local HTTP handler reached through
  --lambda-endpoint NAME=URL.

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

from botocore.exceptions import ClientError

from test_s3 import S3TestCase

FUNCTION = "on-upload"
ACCOUNT = "000000000000"
FN_ARN = "arn:aws:lambda:us-east-1:%s:function:%s" % (ACCOUNT, FUNCTION)
QUEUE_ARN = "arn:aws:sqs:us-east-1:%s:events" % ACCOUNT
TOPIC_ARN = "arn:aws:sns:us-east-1:%s:events" % ACCOUNT


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True


class Handler:
    """A Lambda stand-in: records each event POSTed to it."""

    def __init__(self):
        self.events = []
        self.lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                with outer.lock:
                    outer.events.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass

        self.httpd = _Server(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def records(self):
        with self.lock:
            return [r for e in self.events for r in e["Records"]]

    def wait(self, n, timeout=5.0):
        end = time.time() + timeout
        while time.time() < end and len(self.records()) < n:
            time.sleep(0.05)
        return self.records()


class NotifyCase(S3TestCase):
    needs_process = True
    own_server = True

    @classmethod
    def setUpClass(cls):
        cls.fn = Handler()
        cls.server_args = ("--lambda-endpoint", "%s=http://127.0.0.1:%d/" % (FUNCTION, cls.fn.port))
        try:
            super().setUpClass()
        except Exception:
            cls.fn.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fn.stop()
        super().tearDownClass()

    def assertErr(self, code, msg, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        e = cm.exception.response
        self.assertEqual(code, e["Error"]["Code"], e["Error"].get("Message"))
        self.assertEqual(400, e["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual(msg, e["Error"]["Message"])
        return e

    def put_conf(self, b, **conf):
        return self.s3.put_bucket_notification_configuration(
            Bucket=b, NotificationConfiguration=conf)


class ConfigurationTests(NotifyCase):
    def test_every_kind_is_kept(self):
        b = self.make_bucket()
        self.assertEqual({}, {k: v for k, v in self.s3.get_bucket_notification_configuration(
            Bucket=b).items() if k != "ResponseMetadata"})
        self.put_conf(
            b,
            LambdaFunctionConfigurations=[{
                "Id": "fn", "LambdaFunctionArn": FN_ARN, "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}],
            QueueConfigurations=[{"QueueArn": QUEUE_ARN, "Events": ["s3:ObjectRemoved:*"]}],
            TopicConfigurations=[{"Id": "t", "TopicArn": TOPIC_ARN,
                                  "Events": ["s3:ObjectRestore:Completed"]}],
            EventBridgeConfiguration={})
        got = self.s3.get_bucket_notification_configuration(Bucket=b)
        self.assertEqual("fn", got["LambdaFunctionConfigurations"][0]["Id"])
        self.assertEqual(FN_ARN, got["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"])
        self.assertEqual([{"Name": "Prefix", "Value": "in/"}],
                         got["LambdaFunctionConfigurations"][0]["Filter"]["Key"]["FilterRules"])
        self.assertEqual(QUEUE_ARN, got["QueueConfigurations"][0]["QueueArn"])
        self.assertTrue(got["QueueConfigurations"][0]["Id"])  # made up
        self.assertEqual(["s3:ObjectRestore:Completed"], got["TopicConfigurations"][0]["Events"])
        self.assertIn("EventBridgeConfiguration", got)
        # an empty configuration turns them off
        self.put_conf(b)
        got = self.s3.get_bucket_notification_configuration(Bucket=b)
        self.assertNotIn("QueueConfigurations", got)

    def test_validation(self):
        b = self.make_bucket()
        self.assertErr("InvalidArgument", "Configurations overlap. Configurations on the same "
                       "bucket cannot share a common event type.", self.put_conf, b,
                       QueueConfigurations=[{"QueueArn": QUEUE_ARN, "Events": ["s3:ObjectCreated:*"]}],
                       TopicConfigurations=[{"TopicArn": TOPIC_ARN, "Events": ["s3:ObjectCreated:Put"]}])
        # disjoint prefixes do not overlap
        self.put_conf(b, QueueConfigurations=[
            {"QueueArn": QUEUE_ARN, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
            {"QueueArn": QUEUE_ARN, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}}}])
        self.assertErr("InvalidArgument", "The event is not supported for notifications",
                       self.put_conf, b,
                       QueueConfigurations=[{"QueueArn": QUEUE_ARN, "Events": ["s3:Nope"]}])
        self.assertErr("InvalidArgument", "filter rule name must be either prefix or suffix",
                       self.s3_nv.put_bucket_notification_configuration, Bucket=b,
                       NotificationConfiguration={"QueueConfigurations": [{
                           "QueueArn": QUEUE_ARN, "Events": ["s3:ObjectCreated:*"],
                           "Filter": {"Key": {"FilterRules": [{"Name": "middle", "Value": "x"}]}}}]})
        self.assertErr("InvalidArgument", "The ARN is not well formed", self.put_conf, b,
                       QueueConfigurations=[{"QueueArn": "arn:aws:sns:us-east-1:1:x",
                                             "Events": ["s3:ObjectCreated:*"]}])
        # a destination in another partition is well formed (an ARN's
        # partition follows its region: arn:aws-cn: in cn-north-1)
        self.put_conf(b, QueueConfigurations=[{
            "QueueArn": "arn:aws-cn:sqs:cn-north-1:%s:q" % self.server.account,
            "Events": ["s3:ObjectCreated:*"]}])
        self.assertErr("InvalidArgument", "The ARN is not well formed", self.put_conf, b,
                       QueueConfigurations=[{"QueueArn": "arn:nope:sqs:cn-north-1:000000000000:q",
                                             "Events": ["s3:ObjectCreated:*"]}])
        e = self.assertErr("InvalidArgument",
                           "Unable to validate the following destination configurations",
                           self.put_conf, b, LambdaFunctionConfigurations=[{
                               "LambdaFunctionArn": FN_ARN.replace(FUNCTION, "missing"),
                               "Events": ["s3:ObjectCreated:*"]}])
        self.assertEqual(FN_ARN.replace(FUNCTION, "missing"), e["Error"]["ArgumentName"])


class DeliveryTests(NotifyCase):
    def test_lambda_gets_aws_event_json(self):
        b = self.make_bucket()
        self.put_conf(b, LambdaFunctionConfigurations=[{
            "Id": "uploads", "LambdaFunctionArn": FN_ARN,
            "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"},
                                               {"Name": "suffix", "Value": ".txt"}]}}}])
        before = len(self.fn.records())
        etag = self.put(b, "in/a b.txt", b"hello")["ETag"]
        self.put(b, "in/skip.bin", b"x")      # suffix does not match
        self.put(b, "out/a.txt", b"x")        # prefix does not match
        self.s3.copy_object(Bucket=b, Key="in/c.txt", CopySource={"Bucket": b, "Key": "in/a b.txt"})
        self.s3.delete_object(Bucket=b, Key="in/c.txt")
        # deliveries are asynchronous, each on its own connection: any order
        recs = sorted(self.fn.wait(before + 3)[before:], key=lambda r: r["eventName"])
        self.assertEqual(["ObjectCreated:Copy", "ObjectCreated:Put", "ObjectRemoved:Delete"],
                         [r["eventName"] for r in recs])
        r = recs[1]
        self.assertEqual("2.1", r["eventVersion"])
        self.assertEqual("aws:s3", r["eventSource"])
        self.assertEqual("us-east-1", r["awsRegion"])
        self.assertEqual("uploads", r["s3"]["configurationId"])
        self.assertEqual(b, r["s3"]["bucket"]["name"])
        self.assertEqual("arn:aws:s3:::" + b, r["s3"]["bucket"]["arn"])
        self.assertEqual("in/a+b.txt", r["s3"]["object"]["key"])
        self.assertEqual(5, r["s3"]["object"]["size"])
        self.assertEqual(etag.strip('"'), r["s3"]["object"]["eTag"])
        self.assertIn("sequencer", r["s3"]["object"])
        self.assertNotIn("size", recs[2]["s3"]["object"])
        time.sleep(0.3)
        self.assertEqual(3, len(self.fn.records()) - before)

    def test_multipart_and_delete_marker(self):
        b = self.make_bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.put_conf(b, LambdaFunctionConfigurations=[{
            "LambdaFunctionArn": FN_ARN, "Events": ["s3:ObjectCreated:CompleteMultipartUpload",
                                                    "s3:ObjectRemoved:DeleteMarkerCreated"]}])
        before = len(self.fn.records())
        uid = self.s3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
        etag = self.s3.upload_part(Bucket=b, Key="mp", UploadId=uid, PartNumber=1, Body=b"p")["ETag"]
        done = self.s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag}]})
        self.put(b, "plain", b"x")  # ObjectCreated:Put is not asked for
        self.s3.delete_object(Bucket=b, Key="mp")
        recs = sorted(self.fn.wait(before + 2)[before:], key=lambda r: r["eventName"])
        self.assertEqual(["ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:DeleteMarkerCreated"],
                         [r["eventName"] for r in recs])
        self.assertEqual(done["VersionId"], recs[0]["s3"]["object"]["versionId"])


class MoreEventsTests(NotifyCase):
    """DeleteObjects (one event per key), RestoreObject (ObjectRestore:Post,
    then ObjectRestore:Completed on the emulator clock) and lifecycle expiration (LifecycleExpiration:Delete) on the emulator
    clock: event names of AWS docs "Supported event types"."""

    def test_delete_objects_restore_and_lifecycle(self):
        from enforce_util import advance_clock
        b = self.make_bucket()
        self.put_conf(b, LambdaFunctionConfigurations=[{
            "LambdaFunctionArn": FN_ARN,
            "Events": ["s3:ObjectRemoved:*", "s3:ObjectRestore:*", "s3:LifecycleExpiration:*"]}])
        before = len(self.fn.records())
        for k in ("a", "b"):
            self.put(b, k, b"x")
        self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
        self.put(b, "cold", b"x", StorageClass="GLACIER")
        self.s3.restore_object(Bucket=b, Key="cold", RestoreRequest={"Days": 1})
        self.put(b, "tmp/x", b"x")
        self.s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": [
            {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
        advance_clock(self.server, 3 * 86400)
        recs = self.fn.wait(before + 5, timeout=8)[before:]
        # each delivery is its own connection: they may arrive in any order
        self.assertEqual(sorted([("ObjectRemoved:Delete", "a"), ("ObjectRemoved:Delete", "b"),
                                 ("ObjectRestore:Post", "cold"), ("ObjectRestore:Completed", "cold"),
                                 ("LifecycleExpiration:Delete", "tmp/x")]),
                         sorted((r["eventName"], r["s3"]["object"]["key"]) for r in recs))


class TaggingAclEventsTests(NotifyCase):
    def test_tagging_and_acl_events(self):
        """ObjectTagging:Put / :Delete and ObjectAcl:Put (AWS docs "Supported
        event types": s3:ObjectTagging:*, s3:ObjectAcl:Put)."""
        b = self.make_acl_bucket()
        self.put_conf(b, LambdaFunctionConfigurations=[{
            "LambdaFunctionArn": FN_ARN, "Events": ["s3:ObjectTagging:*", "s3:ObjectAcl:Put"]}])
        before = len(self.fn.records())
        self.put(b, "k", b"x")  # not asked for
        self.s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
        self.s3.delete_object_tagging(Bucket=b, Key="k")
        self.s3.put_object_acl(Bucket=b, Key="k", ACL="public-read")
        recs = self.fn.wait(before + 3)[before:]
        self.assertEqual(["ObjectAcl:Put", "ObjectTagging:Delete", "ObjectTagging:Put"],
                         sorted(r["eventName"] for r in recs))


class PostEventTests(NotifyCase):
    def test_browser_post_upload_is_a_post_event(self):
        """A POST Object upload is s3:ObjectCreated:Post (AWS docs "Supported
        event types")."""
        import boto3
        import botocore.config
        from test_s3_post import form_post
        b = self.make_bucket()
        self.put_conf(b, LambdaFunctionConfigurations=[{
            "LambdaFunctionArn": FN_ARN, "Events": ["s3:ObjectCreated:*"]}])
        v4 = boto3.session.Session().client(
            "s3", endpoint_url=self.server.url, region_name=self.server.region,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(signature_version="s3v4"))
        before = len(self.fn.records())
        p = v4.generate_presigned_post(b, "form/${filename}")
        st, _, _ = form_post(p["url"], p["fields"], b"posted")
        self.assertEqual(204, st)
        self.put(b, "plain", b"x")
        recs = self.fn.wait(before + 2)[before:]
        self.assertEqual([("ObjectCreated:Post", "form/hello.txt"), ("ObjectCreated:Put", "plain")],
                         sorted((r["eventName"], r["s3"]["object"]["key"]) for r in recs))
