/* iam_errors.c — IAM's and STS's error table (iam_int.h): AWS's code and
 * HTTP status for each error, and the messages several places answer. */
#include "services/iam/iam_int.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    int status;
    const char *code;
    const char *msg; /* a printf format, or NULL: the caller's */
} errors[] = {
    [IAM_E_ACCESS_DENIED] = {403, "AccessDenied", NULL},
    [IAM_E_DELETE_CONFLICT] = {409, "DeleteConflict", NULL},
    [IAM_E_DUPLICATE_CERTIFICATE] = {409, "DuplicateCertificate", NULL},
    [IAM_E_DUPLICATE_S_S_H_PUBLIC_KEY] = {400, "DuplicateSSHPublicKey", NULL},
    [IAM_E_ENTITY_ALREADY_EXISTS] = {409, "EntityAlreadyExists", NULL},
    [IAM_E_EXPIRED_TRADE_IN_TOKEN] = {400, "ExpiredTradeInTokenException", NULL},
    [IAM_E_FEATURE_DISABLED] = {404, "FeatureDisabled", NULL},
    [IAM_E_FEATURE_ENABLED] = {409, "FeatureEnabled", NULL},
    [IAM_E_INTERNAL_FAILURE] = {500, "InternalFailure", NULL},
    [IAM_E_INVALID_AUTHENTICATION_CODE] = {403, "InvalidAuthenticationCode", NULL},
    [IAM_E_INVALID_AUTHORIZATION_MESSAGE] = {400, "InvalidAuthorizationMessageException", NULL},
    [IAM_E_INVALID_IDENTITY_TOKEN] = {400, "InvalidIdentityToken", NULL},
    [IAM_E_INVALID_INPUT] = {400, "InvalidInput", NULL},
    [IAM_E_INVALID_PARAMETER_VALUE] = {400, "InvalidParameterValue", NULL},
    [IAM_E_INVALID_PUBLIC_KEY] = {400, "InvalidPublicKey", NULL},
    [IAM_E_INVALID_USER_TYPE] = {400, "InvalidUserType", NULL},
    [IAM_E_KEY_PAIR_MISMATCH] = {400, "KeyPairMismatch", NULL},
    [IAM_E_LIMIT_EXCEEDED] = {409, "LimitExceeded", NULL},
    [IAM_E_MALFORMED_CERTIFICATE] = {400, "MalformedCertificate", NULL},
    [IAM_E_MALFORMED_POLICY_DOCUMENT] = {400, "MalformedPolicyDocument", NULL},
    [IAM_E_NO_SUCH_ENTITY] = {404, "NoSuchEntity", NULL},
    [IAM_E_NOT_SUPPORTED_SERVICE] = {404, "NotSupportedService", NULL},
    [IAM_E_ORGANIZATION_NOT_FOUND] = {400, "OrganizationNotFoundException", NULL},
    [IAM_E_OUTBOUND_WEB_IDENTITY_FEDERATION_DISABLED] = {403, "OutboundWebIdentityFederationDisabledException", NULL},
    [IAM_E_PACKED_POLICY_TOO_LARGE] = {400, "PackedPolicyTooLarge", NULL},
    [IAM_E_PASSWORD_POLICY_VIOLATION] = {400, "PasswordPolicyViolation", NULL},
    [IAM_E_REPORT_EXPIRED] = {410, "ReportExpired", NULL},
    [IAM_E_REPORT_NOT_PRESENT] = {410, "ReportNotPresent", NULL},
    [IAM_E_SERVICE_FAILURE] = {500, "ServiceFailure", NULL},
    [IAM_E_UNRECOGNIZED_PUBLIC_KEY_ENCODING] = {400, "UnrecognizedPublicKeyEncoding", NULL},
    [IAM_E_VALIDATION_ERROR] = {400, "ValidationError", NULL},
    [IAM_E_POLICY_NOT_FOUND] = {404, "NoSuchEntity", "Policy %s was not found."},
    [IAM_E_ENTITY_NOT_FOUND] = {404, "NoSuchEntity", "The %s with name %s cannot be found."},
    [IAM_E_USER_NAME_NEEDED] = {400, "ValidationError", "Must specify userName when calling with non-User credentials"},
    [IAM_E_NULL_AUDIENCE] = {400, "ValidationError",
            "1 validation error detected: Value null at 'audience' failed to satisfy constraint: Member must not be null"},
    [IAM_E_USAGE_FILTER] = {400, "ValidationError",
            "1 validation error detected: Value '%.64s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]"},
    [IAM_E_OUT_OF_MEMORY] = {500, "ServiceFailure", "Out of memory."},
    [IAM_E_INTERNAL] = {500, "InternalFailure", "We encountered an internal error."},
    [IAM_E_STATUS_EXPIRED] = {400, "InvalidInput", "Invalid status: Expired."},
    [IAM_E_BAD_ARN] = {400, "InvalidInput", "ARN %.200s is not valid."},
    [IAM_E_BAD_MARKER] = {400, "InvalidInput", "Invalid value for Marker: %.64s"},
    [IAM_E_THUMBPRINT] = {400, "InvalidInput", "Thumbprint must be 40 hexadecimal characters."},
    [IAM_E_UNKNOWN_FAILURE] = {500, "ServiceFailure",
            "The request processing has failed because of an unknown error, exception or failure."},
};

static int fail(svc_req_t *r, enum iam_err e, const char *fmt, va_list ap)
{
    r->err_status = errors[e].status;
    snprintf(r->err_code, sizeof r->err_code, "%s", errors[e].code);
    if (fmt)
        vsnprintf(r->err_msg, sizeof r->err_msg, fmt, ap);
    else
        r->err_msg[0] = '\0';
    return -1;
}

int iam_fail(svc_req_t *r, enum iam_err e, ...)
{
    va_list ap;
    int rc;

    va_start(ap, e);
    rc = fail(r, e, errors[e].msg, ap);
    va_end(ap);
    return rc;
}

int iam_failf(svc_req_t *r, enum iam_err e, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = fail(r, e, fmt, ap);
    va_end(ap);
    return rc;
}
