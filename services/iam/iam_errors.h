/* iam_errors.h — IAM's and STS's errors, each written once. A code's
 * name expands to the status and code svc_error takes after r, the message
 * following at the call:
 *     return svc_error(r, IAM_E_INVALID_INPUT, "Invalid path: %s", path);
 * a message answered from more than one place has a name of its own that
 * brings it too, so the compiler still checks the arguments:
 *     return svc_error(r, IAM_E_POLICY_NOT_FOUND, arn);
 * Sorted by error code. */
#ifndef AWSEMU_IAM_ERRORS_H
#define AWSEMU_IAM_ERRORS_H

/* AccessDenied */
#define IAM_E_ACCESS_DENIED 403, "AccessDenied"
/* DeleteConflict */
#define IAM_E_DELETE_CONFLICT 409, "DeleteConflict"
/* DuplicateCertificate */
#define IAM_E_DUPLICATE_CERTIFICATE 409, "DuplicateCertificate"
/* DuplicateSSHPublicKey */
#define IAM_E_DUPLICATE_SSH_PUBLIC_KEY 400, "DuplicateSSHPublicKey"
/* EntityAlreadyExists */
#define IAM_E_ENTITY_ALREADY_EXISTS 409, "EntityAlreadyExists"
/* ExpiredTradeInTokenException */
#define IAM_E_EXPIRED_TRADE_IN_TOKEN 400, "ExpiredTradeInTokenException"
/* FeatureDisabled */
#define IAM_E_FEATURE_DISABLED 404, "FeatureDisabled"
/* FeatureEnabled */
#define IAM_E_FEATURE_ENABLED 409, "FeatureEnabled"
/* InternalFailure */
#define IAM_E_INTERNAL 500, "InternalFailure", "We encountered an internal error."
/* InvalidAuthenticationCode */
#define IAM_E_INVALID_AUTHENTICATION_CODE 403, "InvalidAuthenticationCode"
/* InvalidAuthorizationMessageException */
#define IAM_E_INVALID_AUTHORIZATION_MESSAGE 400, "InvalidAuthorizationMessageException"
/* InvalidIdentityToken */
#define IAM_E_INVALID_IDENTITY_TOKEN 400, "InvalidIdentityToken"
/* InvalidInput */
#define IAM_E_INVALID_INPUT 400, "InvalidInput"
#define IAM_E_STATUS_EXPIRED 400, "InvalidInput", "Invalid status: Expired."
#define IAM_E_BAD_ARN 400, "InvalidInput", "ARN %.200s is not valid."
#define IAM_E_BAD_MARKER 400, "InvalidInput", "Invalid value for Marker: %.64s"
#define IAM_E_THUMBPRINT 400, "InvalidInput", "Thumbprint must be 40 hexadecimal characters."
/* InvalidParameterValue */
#define IAM_E_INVALID_PARAMETER_VALUE 400, "InvalidParameterValue"
/* InvalidPublicKey */
#define IAM_E_INVALID_PUBLIC_KEY 400, "InvalidPublicKey"
/* InvalidUserType */
#define IAM_E_INVALID_USER_TYPE 400, "InvalidUserType"
/* KeyPairMismatch */
#define IAM_E_KEY_PAIR_MISMATCH 400, "KeyPairMismatch"
/* LimitExceeded */
#define IAM_E_LIMIT_EXCEEDED 409, "LimitExceeded"
/* MalformedCertificate */
#define IAM_E_MALFORMED_CERTIFICATE 400, "MalformedCertificate"
/* MalformedPolicyDocument */
#define IAM_E_MALFORMED_POLICY_DOCUMENT 400, "MalformedPolicyDocument"
/* NoSuchEntity */
#define IAM_E_NO_SUCH_ENTITY 404, "NoSuchEntity"
#define IAM_E_POLICY_NOT_FOUND 404, "NoSuchEntity", "Policy %s was not found."
#define IAM_E_ENTITY_NOT_FOUND 404, "NoSuchEntity", "The %s with name %s cannot be found."
/* NotSupportedService */
#define IAM_E_NOT_SUPPORTED_SERVICE 404, "NotSupportedService"
/* OrganizationNotFoundException */
#define IAM_E_ORGANIZATION_NOT_FOUND 400, "OrganizationNotFoundException"
/* OutboundWebIdentityFederationDisabledException */
#define IAM_E_OUTBOUND_WEB_IDENTITY_FEDERATION_DISABLED                                            \
    403, "OutboundWebIdentityFederationDisabledException"
/* PackedPolicyTooLarge */
#define IAM_E_PACKED_POLICY_TOO_LARGE 400, "PackedPolicyTooLarge"
/* PasswordPolicyViolation */
#define IAM_E_PASSWORD_POLICY_VIOLATION 400, "PasswordPolicyViolation"
/* ReportExpired */
#define IAM_E_REPORT_EXPIRED 410, "ReportExpired"
/* ReportNotPresent */
#define IAM_E_REPORT_NOT_PRESENT 410, "ReportNotPresent"
/* ServiceFailure */
#define IAM_E_SERVICE_FAILURE 500, "ServiceFailure"
#define IAM_E_OUT_OF_MEMORY 500, "ServiceFailure", "Out of memory."
#define IAM_E_UNKNOWN_FAILURE                                                                      \
    500, "ServiceFailure",                                                                         \
        "The request processing has failed because of an unknown error, exception or "             \
        "failure."
/* UnrecognizedPublicKeyEncoding */
#define IAM_E_UNRECOGNIZED_PUBLIC_KEY_ENCODING 400, "UnrecognizedPublicKeyEncoding"
/* ValidationError */
#define IAM_E_VALIDATION_ERROR 400, "ValidationError"
#define IAM_E_USER_NAME_NEEDED                                                                     \
    400, "ValidationError", "Must specify userName when calling with non-User credentials"
#define IAM_E_NULL_AUDIENCE                                                                        \
    400, "ValidationError",                                                                        \
        "1 validation error detected: Value null at 'audience' failed to satisfy "                 \
        "constraint: Member must not be null"
#define IAM_E_USAGE_FILTER                                                                         \
    400, "ValidationError",                                                                        \
        "1 validation error detected: Value '%.64s' at 'policyUsageFilter' failed to "             \
        "satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, "             \
        "PermissionsBoundary]"

#endif
