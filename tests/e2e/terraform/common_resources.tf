# The resources people declare most for KMS, Secrets Manager, S3, IAM and
# STS, in one configuration (provider block: tf_util.provider_block).
# tests/e2e/test_terraform.py applies it, checks it through boto3, plans
# again expecting no drift, and destroys it.

data "aws_caller_identity" "me" {}
data "aws_region" "here" {}
data "aws_partition" "here" {}

locals {
  name = "tfcommon"
  tags = { project = "awsemu-e2e", owner = "terraform" }
}

# -- KMS: a key with rotation and a policy, and an alias
data "aws_iam_policy_document" "key" {
  statement {
    sid       = "RootAccount"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.here.partition}:iam::${data.aws_caller_identity.me.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "tfcommon data key"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = local.tags
}

resource "aws_kms_alias" "data" {
  name          = "alias/${local.name}-data"
  target_key_id = aws_kms_key.data.key_id
}

# -- Secrets Manager: a secret under the key, and its value
resource "aws_secretsmanager_secret" "db" {
  name                    = "${local.name}/db"
  description             = "database credentials"
  kms_key_id              = aws_kms_key.data.arn
  recovery_window_in_days = 0
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({ username = "app", password = "s3cr3t-from-terraform" })
}

# -- S3: the usual companions of a bucket
resource "aws_s3_bucket" "logs" {
  bucket        = "${local.name}-logs-${data.aws_caller_identity.me.account_id}"
  force_destroy = true
  tags          = local.tags
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_alias.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# aws_s3_bucket_lifecycle_configuration is left out: awsemu stores and
# returns it as sent, but the provider waits ~45 s after every create or
# update for AWS's eventual consistency (three equal reads 5-10 s apart:
# hashicorp/terraform-provider-aws #23352, #41764), too long for make test.
# tests/e2e/test_s3_config.py covers its calls.

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "AppReads"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json
  # a public-access block first, as AWS evaluates the policy against it
  depends_on = [aws_s3_bucket_public_access_block.logs]
}

resource "aws_s3_object" "readme" {
  bucket       = aws_s3_bucket.logs.id
  key          = "logs/README.txt"
  content      = "written by terraform"
  content_type = "text/plain"
  depends_on   = [aws_s3_bucket_server_side_encryption_configuration.logs]
}

# -- IAM: a role with an instance profile, a managed and an inline policy
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name                 = "${local.name}-app"
  path                 = "/apps/"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 7200
  tags                 = local.tags
}

data "aws_iam_policy_document" "read_secret" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.db.arn]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
  }
}

resource "aws_iam_policy" "read_secret" {
  name        = "${local.name}-read-secret"
  description = "read the db secret"
  policy      = data.aws_iam_policy_document.read_secret.json
}

resource "aws_iam_role_policy_attachment" "app_read_secret" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.read_secret.arn
}

resource "aws_iam_role_policy_attachment" "app_readonly" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:${data.aws_partition.here.partition}:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy" "app_logs" {
  name = "write-logs"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = "${aws_s3_bucket.logs.arn}/logs/*"
    }]
  })
}

resource "aws_iam_instance_profile" "app" {
  name = "${local.name}-app"
  role = aws_iam_role.app.name
}

# -- IAM: a user in a group, with an access key and an inline policy
resource "aws_iam_group" "devs" {
  name = "${local.name}-devs"
}

resource "aws_iam_group_policy_attachment" "devs" {
  group      = aws_iam_group.devs.name
  policy_arn = aws_iam_policy.read_secret.arn
}

resource "aws_iam_user" "ci" {
  name = "${local.name}-ci"
  tags = local.tags
}

resource "aws_iam_user_group_membership" "ci" {
  user   = aws_iam_user.ci.name
  groups = [aws_iam_group.devs.name]
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_user_policy" "ci" {
  name = "assume-app"
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = aws_iam_role.app.arn
    }]
  })
}

output "account_id" {
  value = data.aws_caller_identity.me.account_id
}
output "caller_arn" {
  value = data.aws_caller_identity.me.arn
}
output "region" {
  value = data.aws_region.here.name
}
output "key_arn" {
  value = aws_kms_key.data.arn
}
output "alias_arn" {
  value = aws_kms_alias.data.arn
}
output "secret_arn" {
  value = aws_secretsmanager_secret.db.arn
}
output "bucket" {
  value = aws_s3_bucket.logs.bucket
}
output "role_arn" {
  value = aws_iam_role.app.arn
}
output "instance_profile_arn" {
  value = aws_iam_instance_profile.app.arn
}
output "ci_access_key_id" {
  value = aws_iam_access_key.ci.id
}
output "ci_secret_access_key" {
  value     = aws_iam_access_key.ci.secret
  sensitive = true
}
