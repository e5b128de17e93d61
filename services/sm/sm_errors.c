/* sm_errors.c — every error Secrets Manager answers, written once: the
 * code, the HTTP status and AWS's message. "%s" in a message takes the
 * arguments of sm_fail in order (plain substitution, never printf). */
#include "services/sm/sm_int.h"

#include <string.h>

static const struct {
    int status;
    const char *code;
    const char *msg;
} errors[] = {
    [SM_E_INTERNAL] = {500, "InternalServiceError", "An error occurred on the server side."},
    [SM_E_NOT_FOUND] = {400, "ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret."},
    [SM_E_VERSION_NOT_FOUND] = {400, "ResourceNotFoundException",
                                "Secrets Manager can't find the specified secret value for "
                                "VersionId: %s"},
    [SM_E_STAGE_NOT_FOUND] = {400, "ResourceNotFoundException",
                              "Secrets Manager can't find the specified secret value for staging "
                              "label: %s"},
    [SM_E_STAGE_NOT_ON_VERSION] = {400, "ResourceNotFoundException",
                                   "You provided a VersionStage that is not associated to the "
                                   "provided VersionId."},
    [SM_E_LAMBDA_NOT_FOUND] = {400, "ResourceNotFoundException",
                               "Secrets Manager can't find the specified Lambda function %s (no "
                               "--lambda-endpoint %s=URL is configured)."},
    [SM_E_MARKED_FOR_DELETION] = {400, "InvalidRequestException",
                                  "You can't perform this operation on the secret because it was "
                                  "marked for deletion."},
    [SM_E_ALREADY_SCHEDULED] = {400, "InvalidRequestException",
                                "You can't perform this operation on the secret because it was "
                                "already scheduled for deletion."},
    [SM_E_NAME_SCHEDULED] = {400, "InvalidRequestException",
                             "You can't create this secret because a secret with this name is "
                             "already scheduled for deletion."},
    [SM_E_HAS_REPLICAS] = {400, "InvalidRequestException",
                           "You can't delete secret %s while it has replicas. Remove the replica "
                           "Regions first."},
    [SM_E_ON_REPLICA] = {400, "InvalidRequestException",
                         "Operation is not permitted on a replica secret. Call it on the primary "
                         "secret in %s."},
    [SM_E_REPLICA_OF_REPLICA] = {400, "InvalidRequestException",
                                 "Operation is not permitted on a replica secret."},
    [SM_E_NOT_A_REPLICA] = {400, "InvalidRequestException",
                            "StopReplicationToReplica must be called on a replica secret, in the "
                            "replica's Region."},
    [SM_E_NO_ROTATION_LAMBDA] = {400, "InvalidRequestException",
                                 "No Lambda rotation function ARN is associated with this secret."},
    [SM_E_ROTATION_PENDING] = {400, "InvalidRequestException",
                               "A previous rotation isn't complete. That rotation will be "
                               "reattempted."},
    [SM_E_LAMBDA_INVOKE] = {400, "InvalidRequestException",
                            "Secrets Manager cannot invoke the specified Lambda function %s."},
    [SM_E_ROTATION_NOT_ENABLED] = {400, "InvalidRequestException",
                                   "Secrets Manager can't cancel rotation because rotation is not "
                                   "enabled for this secret."},
    [SM_E_EXISTS] = {400, "ResourceExistsException",
                     "The operation failed because the secret %s already exists."},
    [SM_E_VERSION_EXISTS] = {400, "ResourceExistsException",
                             "You can't use ClientRequestToken %s because that value is already "
                             "in use for a version of secret %s."},
    [SM_E_KMS_DENIED] = {400, "AccessDeniedException", "Access to KMS is not allowed"},
    [SM_E_ENCRYPTION] = {400, "EncryptionFailure",
                         "Secrets Manager can't encrypt the protected secret text using the "
                         "provided KMS key. Check that the KMS key is available, enabled, and not "
                         "in an invalid state. (%s)"},
    [SM_E_DECRYPTION_KMS] = {400, "DecryptionFailure",
                             "Secrets Manager can't decrypt the protected secret text using the "
                             "provided KMS key. (%s)"},
    [SM_E_DECRYPTION] = {400, "DecryptionFailure",
                         "Secrets Manager can't decrypt the protected secret text using the "
                         "provided KMS key."},
    [SM_E_BAD_NAME] = {400, "InvalidParameterException",
                       "Invalid name. Must be a valid name containing alphanumeric characters, or "
                       "any of the following: -/_+=.@!"},
    [SM_E_STRING_AND_BINARY] = {400, "InvalidParameterException",
                                "You can't specify both a binary secret value and a string secret "
                                "value in the same secret."},
    [SM_E_VALUE_TOO_BIG] = {400, "InvalidParameterException",
                            "The secret value exceeds the maximum size of 65536 bytes."},
    [SM_E_NO_VALUE] = {400, "InvalidParameterException",
                       "You must provide either SecretString or SecretBinary."},
    [SM_E_BAD_TAGS] = {400, "InvalidParameterException",
                       "Tags must be a list of {Key, Value} pairs of strings."},
    [SM_E_TAG_LENGTH] = {400, "InvalidParameterException",
                         "Tag keys must be 1 to 128 characters and values at most 256."},
    [SM_E_TAG_AWS_PREFIX] = {400, "InvalidParameterException",
                             "Invalid tag key: the aws: prefix is reserved for AWS use."},
    [SM_E_TAG_KEYS] = {400, "InvalidParameterException", "TagKeys must be strings."},
    [SM_E_TOO_MANY_TAGS] = {400, "LimitExceededException", "A secret can have at most 50 tags."},
    [SM_E_POLICY_NOT_OBJECT] = {400, "MalformedPolicyDocumentException",
                                "This resource policy contains an unsupported format: it is not a "
                                "JSON object."},
    [SM_E_POLICY_NO_STATEMENT] = {400, "MalformedPolicyDocumentException",
                                  "This resource policy contains an unsupported format: Statement "
                                  "is missing."},
    [SM_E_POLICY_NO_EFFECT] = {400, "MalformedPolicyDocumentException",
                               "This resource policy contains an unsupported format: a statement "
                               "has no Effect."},
    [SM_E_POLICY_BAD_EFFECT] = {400, "MalformedPolicyDocumentException",
                                "This resource policy contains an unsupported format: each "
                                "statement needs an Effect of Allow or Deny."},
    [SM_E_PUBLIC_POLICY] = {400, "PublicPolicyException",
                            "The BlockPublicPolicy parameter is set to true, and the resource "
                            "policy did not prevent broad access to the secret."},
    [SM_E_BAD_TOKEN] = {400, "InvalidNextTokenException", "The NextToken value is invalid."},
    [SM_E_VERSION_STAGES] = {400, "InvalidParameterException",
                             "VersionStages must be strings of 1 to 256 characters."},
    [SM_E_FILTER_KEY] = {400, "InvalidParameterException", "Invalid filter key"},
    [SM_E_FILTER_ENUM] = {400, "ValidationException",
                          "1 validation error detected: Value '%s' at 'filters.%s.member.key' "
                          "failed to satisfy constraint: Member must satisfy enum value set: [all, "
                          "name, tag-key, description, tag-value, primary-region, "
                          "owning-service]"},
    [SM_E_FILTER_VALUES] = {400, "InvalidParameterException", "Invalid filter values for key: %s"},
    [SM_E_FILTER_TOO_MANY] = {400, "ValidationException",
                              "1 validation error detected: Value '%s' at "
                              "'filters.%s.member.values' failed to satisfy constraint: Member "
                              "must have length less than or equal to 10"},
    [SM_E_FILTER_EMPTY] = {400, "ValidationException",
                           "1 validation error detected: Value '[]' at 'filters.%s.member.values' "
                           "failed to satisfy constraint: Member must have length greater than or "
                           "equal to 1"},
    [SM_E_FILTER_VALUE] = {400, "ValidationException",
                           "1 validation error detected: Value '%s' at 'filters.%s.member.values' "
                           "failed to satisfy constraint: Member must satisfy constraint: [Member "
                           "must have length less than or equal to 512, Member must satisfy "
                           "regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$]"},
    [SM_E_FORCE_AND_WINDOW] = {400, "InvalidParameterException",
                               "You can't use ForceDeleteWithoutRecovery in conjunction with "
                               "RecoveryWindowInDays."},
    [SM_E_WINDOW_RANGE] = {400, "InvalidParameterException",
                           "The RecoveryWindowInDays value must be between 7 and 30 days "
                           "(inclusive)."},
    [SM_E_BATCH_EITHER] = {400, "InvalidParameterException",
                           "Either 'SecretIdList' or 'Filters' must be provided, but not both."},
    [SM_E_BATCH_MAX] = {400, "InvalidParameterException",
                        "'Filters' must be provided when using 'MaxResults'."},
    [SM_E_BATCH_ID] = {400, "InvalidParameterException",
                       "SecretIdList entries must be strings of 1 to 2048 characters."},
    [SM_E_NO_SUCH_VERSION] = {400, "InvalidParameterException",
                              "The version %s does not exist for this secret."},
    [SM_E_STAGE_NOT_ATTACHED] = {400, "InvalidParameterException",
                                 "The staging label %s isn't attached to version %s."},
    [SM_E_REMOVE_FROM_NEEDED] = {400, "InvalidParameterException",
                                 "The parameter RemoveFromVersionId can't be empty. Staging label "
                                 "%s is currently attached to version %s, so you must explicitly "
                                 "reference that version in RemoveFromVersionId."},
    [SM_E_CURRENT_STAYS] = {400, "InvalidParameterException",
                            "You can only move staging label AWSCURRENT to a different secret "
                            "version. It can't be completely removed."},
    [SM_E_PASSWORD_NO_CHARS] = {400, "InvalidParameterException",
                                "The password length and exclusions leave no characters to choose "
                                "from."},
    [SM_E_PASSWORD_SHORT] = {400, "InvalidParameterException",
                             "The password length is too short to include every required "
                             "character type."},
    [SM_E_RULES_TYPE] = {400, "SerializationException", "RotationRules must be a structure."},
    [SM_E_RULES_BOTH] = {400, "InvalidParameterException",
                         "You can't specify both AutomaticallyAfterDays and ScheduleExpression."},
    [SM_E_RULES_SCHEDULE] = {400, "InvalidParameterException",
                             "ScheduleExpression must be a rate() or cron() expression."},
    [SM_E_REPLICA_REGION] = {400, "InvalidParameterException",
                             "Each replica needs a valid Region (and an optional KmsKeyId)."},
    [SM_E_REPLICA_PRIMARY] = {400, "InvalidParameterException",
                              "Invalid replica Region: %s is the primary Region."},
    [SM_E_REMOVE_REGION] = {400, "InvalidParameterException",
                            "Invalid Region in RemoveReplicaRegions."},
};

int sm_fail(svc_req_t *r, enum sm_err e, const char *a, const char *b)
{
    const char *args[2] = {a, b}, *p;
    char msg[sizeof r->err_msg];
    size_t n = 0, k = 0;

    for (p = errors[e].msg; *p && n + 1 < sizeof msg; p++) {
        if (p[0] == '%' && p[1] == 's') {
            const char *v = k < 2 && args[k] ? args[k] : "";
            size_t vn = strlen(v);
            k++;
            p++;
            if (vn > sizeof msg - 1 - n)
                vn = sizeof msg - 1 - n;
            memcpy(msg + n, v, vn);
            n += vn;
            continue;
        }
        msg[n++] = *p;
    }
    msg[n] = '\0';
    if (e == SM_E_INTERNAL)
        db_rollback(r->emu->db);
    return svc_error(r, errors[e].status, errors[e].code, "%s", msg);
}

int sm_internal(svc_req_t *r)
{
    return sm_fail(r, SM_E_INTERNAL, NULL, NULL);
}
