# The reference workload: a Pulumi program for AWS (KMS key, a secret under
# it, an S3 bucket encrypted by default with it, an IAM role and the policy
# that lets it read the bucket and decrypt). The same stack in Terraform:
# ai_model_stack.tf; offline, without Pulumi: scripts/provision. How to run
# each against awsemu: examples/README.md. (The original omits `import json`.)
import json

import pulumi
import pulumi_aws as aws

# Create a KMS key for encrypting your S3 bucket objects and secrets
kms_key = aws.kms.Key("ai-model-kms-key",
    description="KMS key for AI model sensitive data")

# Secret to hold sensitive data like database passwords or API keys
secret = aws.secretsmanager.Secret("ai-model-secret", kms_key_id=kms_key.id)

# S3 bucket with encryption enabled, using the generated KMS key
s3_bucket = aws.s3.Bucket("ai-model-s3-bucket",
    server_side_encryption_configuration={
        "rule": {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": kms_key.id,
            }
        }
    })

# IAM role for the AI service with permissions to access the S3 bucket and
# decrypt with the KMS key
ai_service_role = aws.iam.Role("ai-service-role",
    assume_role_policy=kms_key.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "aiforecasts.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    })))

# Policy that allows access to the S3 bucket and decryption with the KMS key
s3_access_policy = aws.iam.Policy("s3-access-policy",
    policy=pulumi.Output.all(s3_bucket.arn, kms_key.arn).apply(
        lambda args: json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:*",
                    "Resource": [args[0], f"{args[0]}/*"],
                },
                {
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": args[1],
                },
            ],
        })))

# Attach the policy to the role
policy_attachment = aws.iam.RolePolicyAttachment(
    "ai-service-role-policy-attachment",
    role=ai_service_role.name,
    policy_arn=s3_access_policy.arn)

pulumi.export("kms_key_id", kms_key.id)
pulumi.export("secret_arn", secret.arn)
pulumi.export("s3_bucket_name", s3_bucket.bucket)
pulumi.export("ai_service_role_name", ai_service_role.name)
