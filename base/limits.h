/* limits.h — AWS's length limits on names and ARNs, in one place. Each is
 * the "max" of the shape cited beside it as "<service> <shape>" in
 * botocore's models (botocore/data/<service>/<version>/service-2.json;
 * scripts/check-limits.py compares them), or, where the model gives none
 * (S3), the documented rule. Lengths count characters as AWS does; a
 * buffer for one needs + 1 for the NUL (more for UTF-8). */
#ifndef AWSEMU_LIMITS_H
#define AWSEMU_LIMITS_H

/* ARNs (min 20) */
#define AWS_ARN_MAX 2048 /* iam/sts arnType, kms ArnType, secretsmanager SecretARNType */

/* IAM (iam 2010-05-08) */
#define AWS_IAM_USER_NAME_MAX 64         /* iam userNameType */
#define AWS_IAM_ROLE_NAME_MAX 64         /* iam roleNameType */
#define AWS_IAM_GROUP_NAME_MAX 128       /* iam groupNameType */
#define AWS_IAM_PROFILE_NAME_MAX 128     /* iam instanceProfileNameType */
#define AWS_IAM_SERVER_CERT_NAME_MAX 128 /* iam serverCertificateNameType */
#define AWS_IAM_PATH_MAX 512             /* iam pathType */
#define AWS_IAM_POLICY_NAME_MAX 128      /* iam policyNameType */
#define AWS_IAM_POLICY_DOC_MAX 131072    /* iam policyDocumentType */
#define AWS_IAM_ACCESS_KEY_ID_MAX 128    /* iam accessKeyIdType (min 16) */
#define AWS_IAM_MFA_SERIAL_MAX 256       /* iam serialNumberType (min 9) */
#define AWS_IAM_MARKER_MAX 320           /* iam markerType */

/* STS (sts 2011-06-15) */
#define AWS_STS_SESSION_NAME_MAX 64 /* sts roleSessionNameType (min 2) */

/* KMS (kms 2014-11-01) */
#define AWS_KMS_KEY_ID_MAX 2048      /* kms KeyIdType: id, ARN, alias name or alias ARN */
#define AWS_KMS_ALIAS_NAME_MAX 256   /* kms AliasNameType */
#define AWS_KMS_GRANT_NAME_MAX 256   /* kms GrantNameType */
#define AWS_KMS_DESCRIPTION_MAX 8192 /* kms DescriptionType */
#define AWS_KMS_MARKER_MAX 1024      /* kms MarkerType */

/* Secrets Manager (secretsmanager 2017-10-17) */
#define AWS_SM_NAME_MAX 512         /* secretsmanager NameType */
#define AWS_SM_SECRET_ID_MAX 2048   /* secretsmanager SecretIdType: name or ARN */
#define AWS_SM_DESCRIPTION_MAX 2048 /* secretsmanager DescriptionType */
#define AWS_SM_NEXT_TOKEN_MAX 4096  /* secretsmanager NextTokenType */

/* S3: the model's BucketName and ObjectKey carry no max; the limits are
 * S3's documented rules (bucket naming rules: 3 to 63 characters; object
 * key: up to 1024 bytes of UTF-8). */
#define AWS_S3_BUCKET_MAX 63
#define AWS_S3_KEY_MAX 1024

/* Tags, the same in every service (S3's tags by its documented limits) */
#define AWS_TAG_KEY_MAX 128   /* iam/sts tagKeyType, kms/secretsmanager TagKeyType */
#define AWS_TAG_VALUE_MAX 256 /* iam/sts tagValueType, kms/secretsmanager TagValueType */

/* A buffer for any ARN this emulator builds, NUL included. The longest is
 * an S3 object's, "arn:aws:s3:::" + bucket + "/" + key (1101 bytes); IAM's
 * "arn:aws:iam::<12 digits>:instance-profile" + path + name is 682, a
 * secret's about 600. ARNs read from clients are checked against
 * AWS_ARN_MAX instead (they may be longer than any we build). */
#define AWS_ARN_BUF 1200

/* "aws-us-gov", the longest partition name, is 7 more than "aws" */
_Static_assert(AWS_ARN_BUF > sizeof "arn:aws:s3:::/" - 1 + 7 + AWS_S3_BUCKET_MAX + AWS_S3_KEY_MAX,
               "AWS_ARN_BUF holds an S3 object ARN");
_Static_assert(AWS_ARN_BUF > sizeof "arn:aws:iam::123456789012:instance-profile" - 1 + 7 +
                                 AWS_IAM_PATH_MAX + AWS_IAM_PROFILE_NAME_MAX,
               "AWS_ARN_BUF holds an IAM ARN with the longest path");

#endif
