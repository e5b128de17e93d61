/* kms_errors.h — KMS's errors, each written once: status, AWS's error code
 * and AWS's message (a printf format). Each name expands to the three
 * arguments svc_error takes after r, so the compiler still checks the
 * message's arguments:
 *     return svc_error(r, KMS_E_DISABLED, k->arn);
 * The name says what went wrong; sorted by error code. */
#ifndef AWSEMU_KMS_ERRORS_H
#define AWSEMU_KMS_ERRORS_H

/* AlreadyExistsException */
#define KMS_E_ALIAS_EXISTS                                                                         \
    400, "AlreadyExistsException", "An alias with the name arn:%s:kms:%s:%s:%s already exists"
#define KMS_E_REPLICA_EXISTS                                                                       \
    400, "AlreadyExistsException", "%s already has a replica key in region %s."
/* CloudHsmClusterNotFoundException */
#define KMS_E_CLUSTER_NOT_FOUND                                                                    \
    400, "CloudHsmClusterNotFoundException", "AWS CloudHSM cluster %s does not exist."
/* CustomKeyStoreNotFoundException */
#define KMS_E_NO_KEY_STORE                                                                         \
    400, "CustomKeyStoreNotFoundException", "Custom key store %s does not exist."
#define KMS_E_STORE_NOT_FOUND                                                                      \
    400, "CustomKeyStoreNotFoundException",                                                        \
        "Custom key store '%s' does not exist in this account and Region."
/* DisabledException */
#define KMS_E_DISABLED 400, "DisabledException", "%s is disabled."
/* DryRunOperationException */
#define KMS_E_DRY_RUN                                                                              \
    412, "DryRunOperationException",                                                               \
        "The request would have succeeded, but the DryRun parameter was set."
/* ExpiredImportTokenException */
#define KMS_E_IMPORT_TOKEN_EXPIRED                                                                 \
    400, "ExpiredImportTokenException",                                                            \
        "The import token has expired. Call GetParametersForImport for a new one."
/* IncorrectKeyException */
#define KMS_E_INCORRECT_KEY                                                                        \
    400, "IncorrectKeyException",                                                                  \
        "The key ID in the request does not identify a CMK that can perform this operation."
/* IncorrectKeyMaterialException */
#define KMS_E_INCORRECT_MATERIAL                                                                   \
    400, "IncorrectKeyMaterialException",                                                          \
        "The key material is not the key material previously imported into %s."
/* InvalidCiphertextException */
#define KMS_E_INVALID_CIPHERTEXT 400, "InvalidCiphertextException", "%s"
/* InvalidGrantIdException */
#define KMS_E_GRANT_ID 400, "InvalidGrantIdException", "Invalid grant ID %s"
/* InvalidGrantTokenException */
#define KMS_E_GRANT_TOKEN 400, "InvalidGrantTokenException", "The grant token is not valid."
/* InvalidImportTokenException */
#define KMS_E_IMPORT_TOKEN                                                                         \
    400, "InvalidImportTokenException",                                                            \
        "The import token is not valid for %s, or it was already used."
/* InvalidKeyUsageException */
#define KMS_E_ALGORITHM                                                                            \
    400, "InvalidKeyUsageException", "Algorithm %s is incompatible with key spec %s."
#define KMS_E_DECRYPT_USAGE                                                                        \
    400, "InvalidKeyUsageException", "%s key usage is %s which is not valid for Decrypt."
#define KMS_E_KEY_USAGE                                                                            \
    400, "InvalidKeyUsageException", "%s key usage is %s which is not valid for %s."
#define KMS_E_SPEC_USAGE_OP                                                                        \
    400, "InvalidKeyUsageException", "%s key spec is %s which is not valid for %s."
/* InvalidMarkerException */
#define KMS_E_INVALID_MARKER                                                                       \
    400, "InvalidMarkerException",                                                                 \
        "The request was rejected because the marker that specifies where pagination should "      \
        "next begin is not valid."
/* KMSInternalException */
#define KMS_E_ARGS_TWICE 500, "KMSInternalException", "Request arguments read twice."
#define KMS_E_DB 500, "KMSInternalException", "Internal database error."
#define KMS_E_KEYGEN 500, "KMSInternalException", "Key generation failed."
#define KMS_E_NO_KEY 500, "KMSInternalException", "No key."
#define KMS_E_NO_MANAGED_KEY 500, "KMSInternalException", "No managed key for %s."
#define KMS_E_NO_MATERIAL 500, "KMSInternalException", "Key material is unavailable."
#define KMS_E_OOM 500, "KMSInternalException", "Out of memory."
#define KMS_E_SEAL 500, "KMSInternalException", "Encryption failed."
#define KMS_E_STORE_MATERIAL 500, "KMSInternalException", "Could not store key material."
/* KMSInvalidMacException */
#define KMS_E_INVALID_MAC 400, "KMSInvalidMacException", "%s"
/* KMSInvalidSignatureException */
#define KMS_E_INVALID_SIGNATURE 400, "KMSInvalidSignatureException", "%s"
/* KMSInvalidStateException */
#define KMS_E_INVALID_STATE 400, "KMSInvalidStateException", "%s is %s."
#define KMS_E_NOT_PENDING 400, "KMSInvalidStateException", "%s is not pending deletion."
#define KMS_E_PENDING_DELETION 400, "KMSInvalidStateException", "%s is pending deletion."
#define KMS_E_PENDING_IMPORT 400, "KMSInvalidStateException", "%s is pending import."
/* LimitExceededException */
#define KMS_E_ROTATION_LIMIT                                                                       \
    400, "LimitExceededException", "%s has reached the limit of %d on-demand rotations."
#define KMS_E_TAG_LIMIT 400, "LimitExceededException", "A KMS key can have at most 50 tags."
/* MalformedPolicyDocumentException */
#define KMS_E_MALFORMED_POLICY 400, "MalformedPolicyDocumentException", "%s"
/* NotAuthorizedException */
#define KMS_E_ALIAS_RESERVED                                                                       \
    400, "NotAuthorizedException", "%s: the alias/aws/ prefix is reserved for AWS managed keys."
#define KMS_E_ALIAS_TO_AWS_KEY                                                                     \
    400, "NotAuthorizedException", "An alias cannot point to an AWS managed key."
/* NotFoundException */
#define KMS_E_ALIAS_NOT_FOUND 400, "NotFoundException", "Alias arn:%s:kms:%s:%s:%s is not found."
#define KMS_E_FOREIGN_KEY 400, "NotFoundException", "Key '%s' does not exist"
#define KMS_E_GRANT_NOT_FOUND 400, "NotFoundException", "Grant ID %s not found"
#define KMS_E_INVALID_ARN 400, "NotFoundException", "Invalid arn %s"
#define KMS_E_INVALID_KEY_ID 400, "NotFoundException", "Invalid keyId '%s'"
#define KMS_E_KEY_NOT_FOUND 400, "NotFoundException", "Key 'arn:%s:kms:%s:%s:key/%s' does not exist"
#define KMS_E_NO_REPLICA_IN 400, "NotFoundException", "%s has no replica key in region %s."
#define KMS_E_POLICY_NAME                                                                          \
    400, "NotFoundException", "No such policy exists: %s. The only valid policy name is default."
/* SerializationException */
#define KMS_E_CONSTRAINTS_MEMBER 400, "SerializationException", "Unknown member %s in Constraints."
#define KMS_E_CONSTRAINTS_TYPE 400, "SerializationException", "Constraints must be a structure."
#define KMS_E_CONSTRAINT_MAP 400, "SerializationException", "%s must be a map."
#define KMS_E_CONSTRAINT_VALUES 400, "SerializationException", "%s values must be strings."
#define KMS_E_GRANT_OPS_TYPE 400, "SerializationException", "Operations must be strings."
#define KMS_E_TAG_KEYS_TYPE 400, "SerializationException", "TagKeys must be strings."
/* TagException */
#define KMS_E_CREATE_TAG_LIMIT 400, "TagException", "A KMS key can have at most 50 tags."
#define KMS_E_TAG_LENGTH                                                                           \
    400, "TagException", "Tag key must be 1 to 128 characters and tag value at most 256 characters."
#define KMS_E_TAG_RESERVED 400, "TagException", "Tags beginning with aws: are reserved."
/* UnsupportedOperationException */
#define KMS_E_AWS_MANAGED                                                                          \
    400, "UnsupportedOperationException",                                                          \
        "%s is an AWS managed key; %s is not supported on AWS managed keys."
#define KMS_E_KEY_SPEC_OP                                                                          \
    400, "UnsupportedOperationException", "%s key spec is %s which is not supported for %s."
#define KMS_E_NOT_MULTI_REGION 400, "UnsupportedOperationException", "%s is not a multi-Region key."
#define KMS_E_NOT_PRIMARY                                                                          \
    400, "UnsupportedOperationException",                                                          \
        "%s is a multi-Region replica key; %s acts on the primary key."
#define KMS_E_WRAPPING_SM2                                                                         \
    400, "UnsupportedOperationException",                                                          \
        "The %s wrapping key spec and SM2PKE are available only in the China Regions."
#define KMS_E_ORIGIN_OP                                                                            \
    400, "UnsupportedOperationException", "%s origin is %s which is not valid for this operation."
#define KMS_E_RECIPIENT                                                                            \
    400, "UnsupportedOperationException",                                                          \
        "Recipient (Nitro Enclaves attestation) is not supported by awsemu."
#define KMS_E_ROTATIONS_SPEC                                                                       \
    400, "UnsupportedOperationException",                                                          \
        "%s key spec is %s, which is not valid for ListKeyRotations."
#define KMS_E_ROTATION_KEY                                                                         \
    400, "UnsupportedOperationException",                                                          \
        "%s key spec is %s and origin %s, which is not valid for %s."
#define KMS_E_SPEC_LIBRARY                                                                         \
    400, "UnsupportedOperationException",                                                          \
        "KeySpec %s is not supported: the linked %s provides no %s keys."
#define KMS_E_SPEC_REGION                                                                          \
    400, "UnsupportedOperationException", "KeySpec %s is not supported in Region %s."
#define KMS_E_ED25519PH                                                                            \
    400, "UnsupportedOperationException",                                                          \
        "Signing algorithm ED25519_PH_SHA_512 is not supported: the linked %s has no Ed25519ph."
/* ValidationException */
#define KMS_E_ALIAS_COLON 400, "ValidationException", "%s contains invalid characters for an alias"
#define KMS_E_ALIAS_EMPTY 400, "ValidationException", "Alias name must not be empty after alias/."
#define KMS_E_ALIAS_PREFIX                                                                         \
    400, "ValidationException",                                                                    \
        "Alias must start with the prefix \"alias/\". Please see "                                 \
        "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
#define KMS_E_BYTES_NULL                                                                           \
    400, "ValidationException",                                                                    \
        "1 validation error detected: Value null at 'numberOfBytes' failed to satisfy "            \
        "constraint: Member must not be null"
#define KMS_E_BYTES_OR_SPEC                                                                        \
    400, "ValidationException", "Please specify either number of bytes or key spec."
#define KMS_E_CLUSTER_ID                                                                           \
    400, "ValidationException", "CloudHsmClusterId is required for an AWS_CLOUDHSM key store."
#define KMS_E_CONSTRAINTS_BOTH                                                                     \
    400, "ValidationException",                                                                    \
        "You can specify only one of EncryptionContextSubset and EncryptionContextEquals."
#define KMS_E_CONTEXT_TOO_LARGE 400, "ValidationException", "The encryption context is too large."
#define KMS_E_DIGEST_LENGTH                                                                        \
    400, "ValidationException", "Digest is invalid length for algorithm %s."
#define KMS_E_MESSAGE_TYPE                                                                         \
    400, "ValidationException", "Message type %s is incompatible with algorithm %s."
#define KMS_E_PLAINTEXT_LENGTH                                                                     \
    400, "ValidationException",                                                                    \
        "Plaintext length %zu exceeds the maximum of %zu bytes for %s with key spec %s."
#define KMS_E_PUBLIC_KEY                                                                           \
    400, "ValidationException", "PublicKey is not a valid DER-encoded %s public key."
#define KMS_E_GRANT_OP_ENUM                                                                        \
    400, "ValidationException",                                                                    \
        "1 validation error detected: Value '[%s]' at 'operations' failed to satisfy "             \
        "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "        \
        "[Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncryptFrom, "     \
        "ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, RetireGrant, DescribeKey, "         \
        "GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac, "       \
        "DeriveSharedSecret]]"
#define KMS_E_GRANT_OP_SYMMETRIC                                                                   \
    400, "ValidationException",                                                                    \
        "Grant operation %s is not valid for a symmetric encryption KMS key."
#define KMS_E_GRANT_OP_KEY                                                                         \
    400, "ValidationException",                                                                    \
        "Grant operation %s is not valid for a KMS key with key spec %s and key usage %s."
#define KMS_E_ORIGIN_STORE 400, "ValidationException", "Origin %s requires a CustomKeyStoreId."
#define KMS_E_HMAC_LENGTH                                                                          \
    400, "ValidationException", "The key material for a %s key must be %d to %d bytes."
#define KMS_E_MATERIAL_SPEC                                                                        \
    400, "ValidationException",                                                                    \
        "The key material is not a PKCS #8 DER private key of key spec %s."
#define KMS_E_MATERIAL_LENGTH                                                                      \
    400, "ValidationException", "The key material for a %s key must be %d bytes."
#define KMS_E_NEW_MATERIAL                                                                         \
    400, "ValidationException",                                                                    \
        "ImportType NEW_KEY_MATERIAL is not valid for %s: only symmetric encryption keys take "    \
        "new key material."
#define KMS_E_NEW_MATERIAL_MRK                                                                     \
    400, "ValidationException",                                                                    \
        "ImportType NEW_KEY_MATERIAL is not valid for %s: awsemu does not rotate the imported "    \
        "key material of multi-Region keys yet."
#define KMS_E_PENDING_ROTATION                                                                     \
    400, "ValidationException", "%s already has key material pending rotation."
#define KMS_E_NO_PENDING_ROTATION                                                                  \
    400, "ValidationException",                                                                    \
        "%s has no key material in PENDING_ROTATION state: import new key material first."
#define KMS_E_MATERIAL_KNOWN                                                                       \
    400, "ValidationException", "The key material is already associated with %s."
#define KMS_E_MATERIAL_ID                                                                          \
    400, "NotFoundException", "Key material %s is not associated with %s."
#define KMS_E_PKCS1_WRAPPING                                                                       \
    400, "ValidationException", "The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported."
#define KMS_E_PENDING_WINDOW                                                                       \
    400, "ValidationException",                                                                    \
        "1 validation error detected: Value '%ld' at 'pendingWindowInDays' failed to satisfy "     \
        "constraint: Member must have value %s"
#define KMS_E_REGION_PATTERN                                                                       \
    400, "ValidationException",                                                                    \
        "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member "    \
        "must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$"
#define KMS_E_REPLICA_PARTITION                                                                    \
    400, "ValidationException", "The replica region %s is not in the partition of %s."
#define KMS_E_REPLICA_SAME_REGION                                                                  \
    400, "ValidationException", "The replica region %s is the region of %s."
#define KMS_E_RETIRE_ARGS                                                                          \
    400, "ValidationException", "Either GrantToken, or both KeyId and GrantId, must be specified."
#define KMS_E_SPEC_AND_CMKSPEC                                                                     \
    400, "ValidationException",                                                                    \
        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "               \
        "CustomerMasterKeySpec is deprecated."
#define KMS_E_TAG_KEY_NULL                                                                         \
    400, "ValidationException",                                                                    \
        "1 validation error detected: Value null at 'tags.member.tagKey' failed to satisfy "       \
        "constraint: Member must not be null"
#define KMS_E_TARGET_IS_ALIAS                                                                      \
    400, "ValidationException", "TargetKeyId must be a key ID or key ARN, not an alias: %s"
#define KMS_E_USAGE_SPEC 400, "ValidationException", "KeyUsage %s is not compatible with KeySpec %s"
#define KMS_E_VALID_TO_MISSING                                                                     \
    400, "ValidationException",                                                                    \
        "A ValidTo date is required when ExpirationModel is KEY_MATERIAL_EXPIRES."
#define KMS_E_VALID_TO_UNWANTED                                                                    \
    400, "ValidationException",                                                                    \
        "ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."
#define KMS_E_VALID_TO_RANGE                                                                       \
    400, "ValidationException",                                                                    \
        "ValidTo must be a time in the future, at most 365 days from the request."
#define KMS_E_XKS_URI                                                                              \
    400, "ValidationException",                                                                    \
        "XksProxyUriEndpoint is required for an EXTERNAL_KEY_STORE key store."
/* XksProxyUriUnreachableException */
#define KMS_E_XKS_UNREACHABLE                                                                      \
    400, "XksProxyUriUnreachableException",                                                        \
        "KMS was unable to reach the external key store proxy at %s."

#endif
