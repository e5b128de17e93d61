/* s3_errmsg.c — AWS's message for each error code S3 can answer, so no S3
 * error leaves <Message> empty (the aws CLI v1 and v2 crash on one:
 * "argument of type 'NoneType' is not iterable"). Messages as AWS's
 * "Error responses" list (Amazon S3 API Reference, ErrorResponses.html)
 * writes them; tests/unit/test_s3_errors.c checks that every code the S3
 * sources can answer is here. */
#include "services/s3/s3_int.h"

#include <string.h>

/* clang-format off */
static const struct {
    const char *code, *msg;
} messages[] = {
    {"AccessControlListNotSupported", "The bucket does not allow ACLs"},
    {"AccessDenied", "Access Denied"},
    {"BadDigest", "The Content-MD5 or checksum value that you specified did not match what the server received."},
    {"BadRequest", "An error occurred when parsing the HTTP request."},
    {"BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."},
    {"BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it."},
    {"BucketNotEmpty", "The bucket you tried to delete is not empty"},
    {"CORSResponse", "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."},
    {"EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"},
    {"EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"},
    {"ExpiredToken", "The provided token has expired."},
    {"IllegalLocationConstraintException", "The specified location-constraint is not valid for this endpoint."},
    {"IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    {"InternalError", "We encountered an internal error. Please try again."},
    {"InvalidAccessKeyId", "The AWS access key Id you provided does not exist in our records."},
    {"InvalidArgument", "Invalid Argument"},
    {"InvalidBucketAclWithBlockPublicAccessError", "Bucket cannot have public ACLs set with BlockPublicAccess enabled"},
    {"InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
    {"InvalidBucketName", "The specified bucket is not valid."},
    {"InvalidBucketState", "The request is not valid with the current state of the bucket."},
    {"InvalidDigest", "The Content-MD5 you specified is not valid."},
    {"InvalidEncryptionAlgorithmError", "The encryption request that you specified is not valid. The valid value is AES256."},
    {"InvalidLocationConstraint", "The specified location-constraint is not valid"},
    {"InvalidObjectState", "The operation is not valid for the object's storage class"},
    {"InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."},
    {"InvalidPartNumber", "The requested partnumber is not satisfiable"},
    {"InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
    {"InvalidPolicyDocument", "The content of the form does not meet the conditions specified in the policy document."},
    {"InvalidRange", "The requested range is not satisfiable"},
    {"InvalidRequest", "Invalid Request"},
    {"InvalidStorageClass", "The storage class you specified is not valid"},
    {"InvalidTag", "The tag provided was not a valid tag."},
    {"InvalidTargetBucketForLogging", "The target bucket for logging does not exist, is not owned by you, or does not have the appropriate grants for the log-delivery group."},
    {"InvalidToken", "The provided token is malformed or otherwise invalid."},
    {"InvalidURI", "Couldn't parse the specified URI."},
    {"KeyTooLongError", "Your key is too long"},
    {"MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema"},
    {"MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."},
    {"MalformedPolicy", "Policy has invalid resource"},
    {"MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema."},
    {"MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
    {"MaxMessageLengthExceeded", "Your request was too big."},
    {"MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large."},
    {"MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size."},
    {"MethodNotAllowed", "The specified method is not allowed against this resource."},
    {"MissingContentLength", "You must provide the Content-Length HTTP header."},
    {"MissingRequestBodyError", "Request Body is empty"},
    {"MissingSecurityHeader", "Your request was missing a required header"},
    {"NoLoggingStatusForKey", "There is no such thing as a logging status subresource for a key."},
    {"NoSuchBucket", "The specified bucket does not exist"},
    {"NoSuchBucketPolicy", "The bucket policy does not exist"},
    {"NoSuchCORSConfiguration", "The CORS configuration does not exist"},
    {"NoSuchConfiguration", "The specified configuration does not exist."},
    {"NoSuchKey", "The specified key does not exist."},
    {"NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"},
    {"NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration"},
    {"NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"},
    {"NoSuchTagSet", "The TagSet does not exist"},
    {"NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
    {"NoSuchVersion", "The specified version does not exist."},
    {"NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"},
    {"NotImplemented", "A header you provided implies functionality that is not implemented"},
    {"ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"},
    {"OwnershipControlsNotFoundError", "The bucket ownership controls were not found"},
    {"PolicyTooLarge", "Policy document is larger than the maximum allowed size"},
    {"PreconditionFailed", "At least one of the pre-conditions you specified did not hold"},
    {"ReplicationConfigurationNotFoundError", "The replication configuration was not found"},
    {"RestoreAlreadyInProgress", "Object restore is already in progress"},
    {"RequestTimeTooSkewed", "The difference between the request time and the current time is too large."},
    {"RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period."},
    {"ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found"},
    {"SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
    {"TooManyConfigurations", "You are attempting to create a new configuration but have already reached the 1,000-configuration limit."},
    {"UnexpectedContent", "This request does not support content"},
    {"UnresolvableGrantByEmailAddress", "The email address you provided does not match any account on record."},
    {"XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."},
};
/* clang-format on */

const char *s3_code_message(const char *code)
{
    size_t i;

    for (i = 0; i < sizeof messages / sizeof messages[0]; i++)
        if (!strcmp(messages[i].code, code))
            return messages[i].msg;
    return NULL;
}
