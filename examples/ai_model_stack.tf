# The reference stack (ai_model_stack.py) in Terraform: a KMS key, a secret
# under it, an S3 bucket whose default encryption is SSE-KMS with that key,
# an IAM role for the AI service and a policy letting it use the bucket and
# decrypt with the key. Against awsemu (make run, in another terminal):
#
#   cd examples && terraform init && terraform apply
#   terraform apply -var endpoint=http://127.0.0.1:5000   # another port
#
# tests/e2e/test_terraform.py applies exactly this file, checks the outputs
# and the resources through boto3, plans again (no drift) and destroys.

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "endpoint" {
  description = "awsemu's URL"
  type        = string
  default     = "http://localhost:4566"
}

# The provider's own checks call real AWS: switched off. awsemu answers
# sts:GetCallerIdentity, so skip_requesting_account_id is optional.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
  endpoints {
    iam            = var.endpoint
    kms            = var.endpoint
    s3             = var.endpoint
    secretsmanager = var.endpoint
    sts            = var.endpoint
  }
}

resource "aws_kms_key" "ai_model" {
  description = "KMS key for AI model sensitive data"
}

# name_prefix: like Pulumi's auto-naming, a fresh name on every stack
resource "aws_secretsmanager_secret" "ai_model" {
  name_prefix = "ai-model-secret-"
  kms_key_id  = aws_kms_key.ai_model.id
}

resource "aws_s3_bucket" "ai_model" {
  bucket_prefix = "ai-model-s3-bucket-"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "ai_model" {
  bucket = aws_s3_bucket.ai_model.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.ai_model.id
    }
  }
}

resource "aws_iam_role" "ai_service" {
  name_prefix = "ai-service-role-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "aiforecasts.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "s3_access" {
  name_prefix = "s3-access-policy-"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "s3:*"
        Resource = [aws_s3_bucket.ai_model.arn, "${aws_s3_bucket.ai_model.arn}/*"]
      },
      {
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = aws_kms_key.ai_model.arn
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "ai_service" {
  role       = aws_iam_role.ai_service.name
  policy_arn = aws_iam_policy.s3_access.arn
}

output "kms_key_id" {
  value = aws_kms_key.ai_model.id
}

output "secret_arn" {
  value = aws_secretsmanager_secret.ai_model.arn
}

output "s3_bucket_name" {
  value = aws_s3_bucket.ai_model.bucket
}

output "ai_service_role_name" {
  value = aws_iam_role.ai_service.name
}
