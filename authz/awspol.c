/* awspol.c — the AWS managed policies awsemu knows (arn:aws:iam::aws:
 * policy/...), with the documents AWS publishes for their default version.
 * ReadOnlyAccess keeps only the actions of the services awsemu emulates
 * (iam, kms, s3, secretsmanager), as AWS lists them. */
#include "authz/store.h"
#include "base/partition.h"

#include <string.h>

#define AWSPOL "arn:aws:iam::aws:policy/"

static const char doc_admin[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";

static const char doc_kms_power[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\n        \"kms:CreateAlias\",\n        \"kms:CreateKey\",\n"
    "        \"kms:DeleteAlias\",\n        \"kms:Describe*\",\n        \"kms:GenerateRandom\",\n"
    "        \"kms:Get*\",\n        \"kms:List*\",\n        \"kms:TagResource\",\n"
    "        \"kms:UntagResource\",\n        \"iam:ListGroups\",\n        \"iam:ListRoles\",\n"
    "        \"iam:ListUsers\"\n      ],\n      \"Resource\": \"*\"\n    }\n  ]\n}";

static const char doc_s3_full[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\n        \"s3:*\",\n        \"s3-object-lambda:*\"\n      ],\n"
    "      \"Resource\": \"*\"\n    }\n  ]\n}";

static const char doc_s3_ro[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\n        \"s3:Get*\",\n        \"s3:List*\",\n        \"s3:Describe*\",\n"
    "        \"s3-object-lambda:Get*\",\n        \"s3-object-lambda:List*\"\n      ],\n"
    "      \"Resource\": \"*\"\n    }\n  ]\n}";

static const char doc_readonly[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\n        \"iam:Generate*\",\n        \"iam:Get*\",\n        \"iam:List*\",\n"
    "        \"iam:Simulate*\",\n        \"kms:Describe*\",\n        \"kms:Get*\",\n"
    "        \"kms:List*\",\n        \"s3:Describe*\",\n        \"s3:Get*\",\n        \"s3:List*\",\n"
    "        \"secretsmanager:Describe*\",\n        \"secretsmanager:GetResourcePolicy\",\n"
    "        \"secretsmanager:List*\"\n      ],\n      \"Resource\": \"*\"\n    }\n  ]\n}";

static const char doc_sm_rw[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n"
    "      \"Sid\": \"BasePermissions\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\n"
    "        \"secretsmanager:*\",\n        \"cloudformation:CreateChangeSet\",\n"
    "        \"cloudformation:DescribeChangeSet\",\n        \"cloudformation:DescribeStackResource\",\n"
    "        \"cloudformation:DescribeStacks\",\n        \"cloudformation:ExecuteChangeSet\",\n"
    "        \"docdb-elastic:GetCluster\",\n        \"docdb-elastic:ListClusters\",\n"
    "        \"ec2:DescribeSecurityGroups\",\n        \"ec2:DescribeSubnets\",\n"
    "        \"ec2:DescribeVpcs\",\n        \"kms:DescribeKey\",\n        \"kms:ListAliases\",\n"
    "        \"kms:ListKeys\",\n        \"lambda:ListFunctions\",\n"
    "        \"rds:DescribeDBClusters\",\n        \"rds:DescribeDBInstances\",\n"
    "        \"redshift:DescribeClusters\",\n        \"redshift-serverless:ListWorkgroups\",\n"
    "        \"redshift-serverless:GetNamespace\",\n        \"tag:GetResources\"\n      ],\n"
    "      \"Resource\": \"*\"\n    },\n    {\n      \"Sid\": \"LambdaPermissions\",\n"
    "      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"lambda:AddPermission\",\n"
    "        \"lambda:CreateFunction\",\n        \"lambda:GetFunction\",\n"
    "        \"lambda:InvokeFunction\",\n        \"lambda:UpdateFunctionConfiguration\"\n      ],\n"
    "      \"Resource\": \"arn:aws:lambda:*:*:function:SecretsManager*\"\n    },\n    {\n"
    "      \"Sid\": \"SARPermissions\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\n"
    "        \"serverlessrepo:CreateCloudFormationChangeSet\",\n"
    "        \"serverlessrepo:GetApplication\"\n      ],\n"
    "      \"Resource\": \"arn:aws:serverlessrepo:*:*:applications/SecretsManager*\"\n    },\n"
    "    {\n      \"Sid\": \"S3Permissions\",\n      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\n        \"s3:GetObject\"\n      ],\n      \"Resource\": [\n"
    "        \"arn:aws:s3:::awsserverlessrepo-changesets*\",\n"
    "        \"arn:aws:s3:::secrets-manager-rotation-apps-*/*\"\n      ]\n    }\n  ]\n}";

/* Sorted by name, case-insensitively (as listings are). */
const authz_aws_policy_t authz_aws_policies[] = {
    {"AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", AWSPOL "AdministratorAccess", "/",
     "Provides full access to AWS services and resources.", "v1", doc_admin,
     "2015-02-06T18:39:46Z"},
    {"AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE", AWSPOL "AmazonS3FullAccess", "/",
     "Provides full access to all buckets via the AWS Management Console.", "v2", doc_s3_full,
     "2015-02-06T18:40:58Z"},
    {"AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M", AWSPOL "AmazonS3ReadOnlyAccess", "/",
     "Provides read only access to all buckets via the AWS Management Console.", "v3",
     doc_s3_ro, "2015-02-06T18:40:59Z"},
    {"AWSKeyManagementServicePowerUser", "ANPAJNPP7PPPPMJRV2SA4", AWSPOL "AWSKeyManagementServicePowerUser",
     "/", "Provides access to AWS Key Management Service (AWS KMS).", "v2", doc_kms_power,
     "2015-02-06T18:40:40Z"},
    {"ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", AWSPOL "ReadOnlyAccess", "/",
     "Provides read-only access to AWS services and resources.", "v1", doc_readonly,
     "2015-02-06T18:39:48Z"},
    {"SecretsManagerReadWrite", "ANPAJ2DAO6ZXJSLLSRPWI", AWSPOL "SecretsManagerReadWrite", "/",
     "Provides read/write access to AWS Secrets Manager via the AWS Management Console. Note: "
     "this exludes IAM actions, so combine with IAMFullAccess if rotation configuration is "
     "required.",
     "v5", doc_sm_rw, "2018-04-04T18:05:29Z"},
};
const size_t authz_aws_npolicies = sizeof authz_aws_policies / sizeof authz_aws_policies[0];

const authz_aws_policy_t *authz_aws_policy(const char *arn)
{
    static const size_t skip = sizeof "arn:aws:" - 1;
    size_t i, p = arn ? partition_arn_prefix(arn) : 0;

    /* every partition has the AWS managed policies, arn:<partition>:iam::aws:policy/X */
    if (p == 0 || strncmp(arn + p, AWSPOL + skip, strlen(AWSPOL + skip)) != 0)
        return NULL;
    for (i = 0; i < authz_aws_npolicies; i++)
        if (!strcmp(authz_aws_policies[i].arn + skip, arn + p))
            return &authz_aws_policies[i];
    return NULL;
}

const char *authz_aws_policy_document(const char *arn)
{
    const authz_aws_policy_t *p = authz_aws_policy(arn);

    return p ? p->document : NULL;
}
