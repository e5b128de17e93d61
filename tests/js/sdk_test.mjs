// sdk_test.mjs — awsemu through the AWS SDK for JavaScript v3 (IAM, STS, KMS,
// Secrets Manager, S3). Started by tests/e2e/test_js_sdk.py with
// AWSEMU_URL set to a fresh server; prints one JSON line per check
// ({"name", "ok", "error"}) and exits 0 when the checks ran (the Python side
// decides pass or fail per line).
//
// What the SDK reads is pinned by its own parsers: @aws-sdk/core's
// parseXmlBody (fast-xml-parser with trimValues false, so whitespace-only
// text without a newline before a closing tag becomes content) and its JSON
// 1.1 / REST-XML deserialisers; a field the SDK cannot read arrives undefined.
import assert from "node:assert/strict";
import { IAMClient, CreateUserCommand, GetUserCommand, ListUsersCommand, CreateRoleCommand,
  GetRoleCommand, CreatePolicyCommand, GetPolicyCommand, CreateAccessKeyCommand,
  ListAccessKeysCommand, TagUserCommand, ListUserTagsCommand, DeleteUserCommand } from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand, DescribeKeyCommand,
  CreateGrantCommand, ListGrantsCommand } from "@aws-sdk/client-kms";
import { SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand,
  ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand,
  ListObjectsV2Command, HeadObjectCommand } from "@aws-sdk/client-s3";

const endpoint = process.env.AWSEMU_URL;
const base = {
  endpoint, region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};
const iam = new IAMClient(base);
const sts = new STSClient(base);
const kms = new KMSClient(base);
const sm = new SecretsManagerClient(base);
const s3 = new S3Client({ ...base, forcePathStyle: true });
const ACCOUNT = process.env.AWSEMU_ACCOUNT || "000000000000";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }] });

const checks = {
  async iam_create_get_user() {
    const c = await iam.send(new CreateUserCommand({ UserName: "js-user", Path: "/js/",
      Tags: [{ Key: "team", Value: "a" }] }));
    assert.equal(c.User?.UserName, "js-user");
    assert.equal(c.User.Path, "/js/");
    assert.equal(c.User.Arn, `arn:aws:iam::${ACCOUNT}:user/js/js-user`);
    assert.ok(c.User.CreateDate instanceof Date);
    const g = await iam.send(new GetUserCommand({ UserName: "js-user" }));
    assert.equal(g.User?.UserId, c.User.UserId);
    const l = await iam.send(new ListUsersCommand({}));
    assert.ok(l.Users.some((u) => u.UserName === "js-user"));
    assert.equal(l.IsTruncated, false);
  },
  async iam_tags() {
    await iam.send(new TagUserCommand({ UserName: "js-user", Tags: [{ Key: "env", Value: "" }] }));
    const t = await iam.send(new ListUserTagsCommand({ UserName: "js-user" }));
    const tags = Object.fromEntries(t.Tags.map((x) => [x.Key, x.Value]));
    assert.deepEqual(tags, { team: "a", env: "" });
  },
  async iam_access_key() {
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: "js-user" }));
    assert.match(k.AccessKey?.AccessKeyId ?? "", /^AKIA/);
    assert.equal(k.AccessKey.SecretAccessKey.length, 40);
    const l = await iam.send(new ListAccessKeysCommand({ UserName: "js-user" }));
    assert.equal(l.AccessKeyMetadata[0].AccessKeyId, k.AccessKey.AccessKeyId);
  },
  async iam_role_policy() {
    const r = await iam.send(new CreateRoleCommand({ RoleName: "js-role",
      AssumeRolePolicyDocument: TRUST, Description: "from js" }));
    assert.equal(r.Role?.RoleName, "js-role");
    const g = await iam.send(new GetRoleCommand({ RoleName: "js-role" }));
    assert.equal(g.Role.Description, "from js");
    assert.equal(JSON.parse(decodeURIComponent(g.Role.AssumeRolePolicyDocument)).Statement[0].Action,
      "sts:AssumeRole");
    const doc = JSON.stringify({ Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    const p = await iam.send(new CreatePolicyCommand({ PolicyName: "js-pol", PolicyDocument: doc }));
    assert.equal(p.Policy?.DefaultVersionId, "v1");
    const gp = await iam.send(new GetPolicyCommand({ PolicyArn: p.Policy.Arn }));
    assert.equal(gp.Policy.PolicyName, "js-pol");
  },
  async iam_error() {
    await assert.rejects(iam.send(new GetUserCommand({ UserName: "nobody-js" })),
      (e) => e.name === "NoSuchEntityException" && e.$metadata.httpStatusCode === 404);
    await assert.rejects(iam.send(new CreateUserCommand({ UserName: "js-user" })),
      (e) => e.name === "EntityAlreadyExistsException");
  },
  async iam_delete_user() {
    await iam.send(new CreateUserCommand({ UserName: "js-gone" }));
    await iam.send(new DeleteUserCommand({ UserName: "js-gone" }));
  },
  async sts_identity_assume() {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, ACCOUNT);
    assert.ok(id.Arn?.startsWith("arn:aws:"));
    const a = await sts.send(new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/js-role`, RoleSessionName: "js" }));
    assert.match(a.Credentials?.AccessKeyId ?? "", /^ASIA/);
    assert.ok(a.Credentials.Expiration instanceof Date);
    assert.equal(a.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/js-role/js`);
  },
  async kms_round_trip() {
    const k = await kms.send(new CreateKeyCommand({ Description: "js" }));
    const id = k.KeyMetadata.KeyId;
    const e = await kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from("hello js"),
      EncryptionContext: { a: "b" } }));
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob,
      EncryptionContext: { a: "b" } }));
    assert.equal(Buffer.from(d.Plaintext).toString(), "hello js");
    assert.equal(d.KeyId, k.KeyMetadata.Arn);
    const dk = await kms.send(new DescribeKeyCommand({ KeyId: id }));
    assert.equal(dk.KeyMetadata.Description, "js");
  },
  async kms_grant_empty_subset() {
    // Terraform and other SDK users send the unused constraint as {}:
    // AWS takes an empty map as absent.
    const k = await kms.send(new CreateKeyCommand({}));
    const g = await kms.send(new CreateGrantCommand({ KeyId: k.KeyMetadata.KeyId,
      GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/js-role`, Operations: ["Decrypt"],
      Constraints: { EncryptionContextEquals: { app: "x" }, EncryptionContextSubset: {} } }));
    assert.ok(g.GrantId);
    const l = await kms.send(new ListGrantsCommand({ KeyId: k.KeyMetadata.KeyId }));
    assert.deepEqual(l.Grants[0].Constraints, { EncryptionContextEquals: { app: "x" } });
  },
  async secretsmanager_round_trip() {
    const c = await sm.send(new CreateSecretCommand({ Name: "js/secret", SecretString: "s3cr3t" }));
    assert.ok(c.ARN.includes(":secret:js/secret-"));
    const g = await sm.send(new GetSecretValueCommand({ SecretId: "js/secret" }));
    assert.equal(g.SecretString, "s3cr3t");
    assert.deepEqual(g.VersionStages, ["AWSCURRENT"]);
    const l = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["js/"] }] }));
    assert.equal(l.SecretList.length, 1);
  },
  async s3_round_trip() {
    await s3.send(new CreateBucketCommand({ Bucket: "js-bucket" }));
    await s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt", Body: "body from js",
      ContentType: "text/plain" }));
    const g = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt" }));
    assert.equal(await g.Body.transformToString(), "body from js");
    const h = await s3.send(new HeadObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt" }));
    assert.equal(h.ContentLength, 12);
    const l = await s3.send(new ListObjectsV2Command({ Bucket: "js-bucket", Prefix: "a/" }));
    assert.deepEqual(l.Contents.map((o) => o.Key), ["a/b.txt"]);
  },
};

const only = process.argv.slice(2);
for (const [name, fn] of Object.entries(checks)) {
  if (only.length && !only.includes(name)) continue;
  try {
    await fn();
    console.log(JSON.stringify({ name, ok: true }));
  } catch (e) {
    console.log(JSON.stringify({ name, ok: false, error: `${e.name}: ${e.message}` }));
  }
}
