"""S3 checksums beyond a single PutObject (issue 14, item 6), through
boto3: CopyObject computing or carrying x-amz-checksum-*, multipart
full-object vs composite values by algorithm, the algorithm and type in
listings, and GetObjectAttributes' shape.

AWS's behaviour, pinned by: "Checking object integrity in Amazon S3" (S3
User Guide: CRC64NVME full-object only, CRC32/CRC32C either, SHA1/SHA256
composite only); CopyObject's x-amz-checksum-algorithm (S3 API Reference:
"if the source object has a checksum, that checksum value will be copied to
the new object by default"); floci#3083 / floci#3093, which record S3's
answers for composite values (the "-N" suffix, GetObjectAttributes without
it, per-part values under ObjectParts)."""

import base64
import hashlib
import struct
import zlib

from botocore.exceptions import ClientError

from test_s3 import MiB, S3TestCase, body_of, s3_client, uniq

PART = 5 * MiB


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32_b64(data):
    return b64(struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF))


def crc64nvme_b64(data):
    poly, crc = 0x9A6C9329AC4BC9B5, 0xFFFFFFFFFFFFFFFF
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return b64(struct.pack(">Q", crc ^ 0xFFFFFFFFFFFFFFFF))


def sha256_b64(data):
    return b64(hashlib.sha256(data).digest())


class ChecksumTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("ck"))
        cls.p1 = body_of(PART, b"ck-part-1")
        cls.p2 = body_of(4321, b"ck-part-2")

    def mpu(self, key, algorithm, ctype=None, part_kw=True, client=None):
        """A two-part upload; returns (Complete's answer, part answers)."""
        s3 = client or self.s3
        kw = {"ChecksumAlgorithm": algorithm}
        if ctype:
            kw["ChecksumType"] = ctype
        uid = s3.create_multipart_upload(Bucket=self.bucket, Key=key, **kw)["UploadId"]
        parts = []
        for n, body in ((1, self.p1), (2, self.p2)):
            pk = {"ChecksumAlgorithm": algorithm} if part_kw else {}
            r = s3.upload_part(Bucket=self.bucket, Key=key, UploadId=uid, PartNumber=n, Body=body,
                               **pk)
            p = {"PartNumber": n, "ETag": r["ETag"]}
            if part_kw:
                p["Checksum" + algorithm] = r["Checksum" + algorithm]
            parts.append(p)
        done = s3.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid,
                                            MultipartUpload={"Parts": parts})
        return done, parts

    def test_sha256_is_composite(self):
        done, parts = self.mpu("sha", "SHA256")
        raw = b"".join(base64.b64decode(p["ChecksumSHA256"]) for p in parts)
        want = b64(hashlib.sha256(raw).digest()) + "-2"
        self.assertEqual(want, done["ChecksumSHA256"])
        self.assertEqual("COMPOSITE", done["ChecksumType"])
        h = self.s3.head_object(Bucket=self.bucket, Key="sha", ChecksumMode="ENABLED")
        self.assertEqual(want, h["ChecksumSHA256"])
        a = self.s3.get_object_attributes(Bucket=self.bucket, Key="sha",
                                          ObjectAttributes=["Checksum", "ObjectParts"])
        self.assertEqual(want[:-2], a["Checksum"]["ChecksumSHA256"])
        self.assertEqual("COMPOSITE", a["Checksum"]["ChecksumType"])
        self.assertEqual(2, a["ObjectParts"]["TotalPartsCount"])
        self.assertEqual([(1, parts[0]["ChecksumSHA256"], PART), (2, parts[1]["ChecksumSHA256"], 4321)],
                         [(p["PartNumber"], p["ChecksumSHA256"], p["Size"])
                          for p in a["ObjectParts"]["Parts"]])

    def test_sha_cannot_be_full_object(self):
        for alg in ("SHA256", "SHA1"):
            with self.subTest(alg=alg):
                with self.assertRaises(ClientError) as cm:
                    self.s3.create_multipart_upload(Bucket=self.bucket, Key="x", ChecksumAlgorithm=alg,
                                                    ChecksumType="FULL_OBJECT")
                self.assertEqual("InvalidRequest", cm.exception.response["Error"]["Code"])

    def test_crc64nvme_is_full_object_only(self):
        with self.assertRaises(ClientError) as cm:
            self.s3.create_multipart_upload(Bucket=self.bucket, Key="x", ChecksumAlgorithm="CRC64NVME",
                                            ChecksumType="COMPOSITE")
        self.assertEqual("InvalidRequest", cm.exception.response["Error"]["Code"])
        r = self.s3.create_multipart_upload(Bucket=self.bucket, Key="x", ChecksumAlgorithm="CRC64NVME")
        self.assertEqual("FULL_OBJECT", r.get("ChecksumType", "FULL_OBJECT"))
        # parts sent without a checksum: S3 computes the upload's algorithm
        done, _ = self.mpu("nvme", "CRC64NVME", part_kw=False, client=self.s3_old)
        self.assertEqual(crc64nvme_b64(self.p1 + self.p2), done["ChecksumCRC64NVME"])
        self.assertEqual("FULL_OBJECT", done["ChecksumType"])

    def test_crc32_either(self):
        done, parts = self.mpu("crc-comp", "CRC32")
        raw = b"".join(base64.b64decode(p["ChecksumCRC32"]) for p in parts)
        self.assertEqual(crc32_b64(raw) + "-2", done["ChecksumCRC32"])
        self.assertEqual("COMPOSITE", done["ChecksumType"])
        done, _ = self.mpu("crc-full", "CRC32", ctype="FULL_OBJECT")
        self.assertEqual(crc32_b64(self.p1 + self.p2), done["ChecksumCRC32"])
        self.assertEqual("FULL_OBJECT", done["ChecksumType"])

    def test_composite_complete_needs_each_part_checksum(self):
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="need",
                                              ChecksumAlgorithm="SHA256")["UploadId"]
        r = self.s3.upload_part(Bucket=self.bucket, Key="need", UploadId=uid, PartNumber=1,
                                Body=b"x", ChecksumAlgorithm="SHA256")
        with self.assertRaises(ClientError) as cm:
            self.s3.complete_multipart_upload(Bucket=self.bucket, Key="need", UploadId=uid,
                                              MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r["ETag"]}]})
        err = cm.exception.response["Error"]
        self.assertEqual("InvalidRequest", err["Code"])
        self.assertIn("must include the checksum for each part", err["Message"])
        with self.assertRaises(ClientError) as cm:
            self.s3.complete_multipart_upload(
                Bucket=self.bucket, Key="need", UploadId=uid, MultipartUpload={"Parts": [
                    {"PartNumber": 1, "ETag": r["ETag"], "ChecksumSHA256": sha256_b64(b"y")}]})
        self.assertEqual("InvalidPart", cm.exception.response["Error"]["Code"])
        # a part without the upload's checksum is refused at UploadPart
        with self.assertRaises(ClientError) as cm:
            self.s3_old.upload_part(Bucket=self.bucket, Key="need", UploadId=uid, PartNumber=2,
                                    Body=b"x")
        self.assertIn("Checksum Type mismatch", cm.exception.response["Error"]["Message"])

    def test_copy_computes_the_asked_algorithm(self):
        data = b"copy me" * 1000
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=data, ChecksumAlgorithm="CRC32")
        r = self.s3.copy_object(Bucket=self.bucket, Key="dst", ChecksumAlgorithm="SHA256",
                                CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(sha256_b64(data), r["CopyObjectResult"]["ChecksumSHA256"])
        h = self.s3.head_object(Bucket=self.bucket, Key="dst", ChecksumMode="ENABLED")
        self.assertEqual(sha256_b64(data), h["ChecksumSHA256"])
        # without the header the source's value is carried
        r = self.s3.copy_object(Bucket=self.bucket, Key="dst2",
                                CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(crc32_b64(data), r["CopyObjectResult"]["ChecksumCRC32"])

    def test_copy_of_composite_is_full_object(self):
        self.mpu("comp-src", "SHA256")
        r = self.s3.copy_object(Bucket=self.bucket, Key="comp-dst",
                                CopySource={"Bucket": self.bucket, "Key": "comp-src"})
        want = sha256_b64(self.p1 + self.p2)
        self.assertEqual(want, r["CopyObjectResult"]["ChecksumSHA256"])
        self.assertEqual("FULL_OBJECT", r["CopyObjectResult"].get("ChecksumType", "FULL_OBJECT"))

    def test_copy_rejects_unknown_algorithm(self):
        self.s3.put_object(Bucket=self.bucket, Key="src-x", Body=b"x")
        nv = s3_client(self.server, validate=False)
        with self.assertRaises(ClientError) as cm:
            nv.copy_object(Bucket=self.bucket, Key="d", ChecksumAlgorithm="MD4",
                           CopySource={"Bucket": self.bucket, "Key": "src-x"})
        self.assertEqual("InvalidRequest", cm.exception.response["Error"]["Code"])

    def test_upload_part_copy_carries_a_checksum(self):
        data = body_of(PART, b"upc")
        self.s3.put_object(Bucket=self.bucket, Key="upc-src", Body=data)
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="upc",
                                              ChecksumAlgorithm="CRC32")["UploadId"]
        r = self.s3.upload_part_copy(Bucket=self.bucket, Key="upc", UploadId=uid, PartNumber=1,
                                     CopySource={"Bucket": self.bucket, "Key": "upc-src"})
        self.assertEqual(crc32_b64(data), r["CopyPartResult"]["ChecksumCRC32"])
        done = self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key="upc", UploadId=uid, MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"],
                 "ChecksumCRC32": r["CopyPartResult"]["ChecksumCRC32"]}]})
        self.assertEqual(crc32_b64(base64.b64decode(crc32_b64(data))) + "-1", done["ChecksumCRC32"])


class ChecksumListingTests(S3TestCase):
    """ChecksumAlgorithm and ChecksumType in ListObjectsV2,
    ListObjectVersions and ListParts (botocore's model has both members in
    Object, ObjectVersion and ListPartsOutput)."""

    def test_listings_carry_algorithm_and_type(self):
        b = self.make_bucket(uniq("ckl"))
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.s3.put_object(Bucket=b, Key="a", Body=b"a", ChecksumAlgorithm="SHA256")
        uid = self.s3.create_multipart_upload(Bucket=b, Key="m", ChecksumAlgorithm="CRC32")["UploadId"]
        r = self.s3.upload_part(Bucket=b, Key="m", UploadId=uid, PartNumber=1, Body=b"m",
                                ChecksumAlgorithm="CRC32")
        lp = self.s3.list_parts(Bucket=b, Key="m", UploadId=uid)
        self.assertEqual("CRC32", lp["ChecksumAlgorithm"])
        self.assertEqual("COMPOSITE", lp["ChecksumType"])
        self.assertEqual(r["ChecksumCRC32"], lp["Parts"][0]["ChecksumCRC32"])
        self.s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]}]})
        got = {o["Key"]: (o["ChecksumAlgorithm"], o["ChecksumType"])
               for o in self.s3.list_objects_v2(Bucket=b)["Contents"]}
        self.assertEqual({"a": (["SHA256"], "FULL_OBJECT"), "m": (["CRC32"], "COMPOSITE")}, got)
        got = {v["Key"]: (v["ChecksumAlgorithm"], v["ChecksumType"])
               for v in self.s3.list_object_versions(Bucket=b)["Versions"]}
        self.assertEqual({"a": (["SHA256"], "FULL_OBJECT"), "m": (["CRC32"], "COMPOSITE")}, got)


class CompleteChecksumTests(S3TestCase):
    """The whole object's value sent with CompleteMultipartUpload is checked
    (BadDigest on a difference: arrow-rs-object-store#709 quotes S3's
    message; floci#1950 / pgsty/silo#74 for full-object uploads)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("ckc"))

    def test_full_object_value_checked(self):
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="fo", ChecksumAlgorithm="CRC32",
                                              ChecksumType="FULL_OBJECT")["UploadId"]
        r = self.s3.upload_part(Bucket=self.bucket, Key="fo", UploadId=uid, PartNumber=1,
                                Body=b"whole", ChecksumAlgorithm="CRC32")
        parts = {"Parts": [{"PartNumber": 1, "ETag": r["ETag"]}]}
        with self.assertRaises(ClientError) as cm:
            self.s3.complete_multipart_upload(Bucket=self.bucket, Key="fo", UploadId=uid,
                                              MultipartUpload=parts, ChecksumCRC32="AAAAAA==",
                                              ChecksumType="FULL_OBJECT")
        self.assertEqual("BadDigest", cm.exception.response["Error"]["Code"])
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="fo", UploadId=uid,
                                                 MultipartUpload=parts,
                                                 ChecksumCRC32=crc32_b64(b"whole"),
                                                 ChecksumType="FULL_OBJECT")
        self.assertEqual(crc32_b64(b"whole"), done["ChecksumCRC32"])
