/* iam_slr.c — service-linked roles: CreateServiceLinkedRole (path
 * /aws-service-role/<service>/, AWS's role name for the service, a trust
 * policy for the service principal, optional CustomSuffix),
 * DeleteServiceLinkedRole (a deletion task that completes at once) and
 * GetServiceLinkedRoleDeletionStatus. The roles are ordinary iam_roles
 * rows, so GetRole and ListRoles show them. */
#include "services/iam/iam_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "storage/db.h"

/* AWS's role names for common services; others: AWSServiceRoleFor + the
 * service's first label, capitalised. */
static const struct {
    const char *service, *name;
} SLR_NAMES[] = {
    {"apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway"},
    {"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling"},
    {"cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail"},
    {"config.amazonaws.com", "AWSServiceRoleForConfig"},
    {"dynamodb.application-autoscaling.amazonaws.com",
     "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"},
    {"ecs.amazonaws.com", "AWSServiceRoleForECS"},
    {"ecs.application-autoscaling.amazonaws.com",
     "AWSServiceRoleForApplicationAutoScaling_ECSService"},
    {"eks-fargate.amazonaws.com", "AWSServiceRoleForAmazonEKSForFargate"},
    {"eks-nodegroup.amazonaws.com", "AWSServiceRoleForAmazonEKSNodegroup"},
    {"eks.amazonaws.com", "AWSServiceRoleForAmazonEKS"},
    {"elasticache.amazonaws.com", "AWSServiceRoleForElastiCache"},
    {"elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk"},
    {"elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"},
    {"es.amazonaws.com", "AWSServiceRoleForAmazonElasticsearchService"},
    {"guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty"},
    {"kafka.amazonaws.com", "AWSServiceRoleForKafka"},
    {"opensearchservice.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchService"},
    {"organizations.amazonaws.com", "AWSServiceRoleForOrganizations"},
    {"rds.amazonaws.com", "AWSServiceRoleForRDS"},
    {"redshift.amazonaws.com", "AWSServiceRoleForRedshift"},
    {"replicator.lambda.amazonaws.com", "AWSServiceRoleForLambdaReplicator"},
    {"securityhub.amazonaws.com", "AWSServiceRoleForSecurityHub"},
    {"spot.amazonaws.com", "AWSServiceRoleForEC2Spot"},
    {"ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM"},
    {"sso.amazonaws.com", "AWSServiceRoleForSSO"},
    {"support.amazonaws.com", "AWSServiceRoleForSupport"},
    {"transitgateway.amazonaws.com", "AWSServiceRoleForVPCTransitGateway"},
    {"trustedadvisor.amazonaws.com", "AWSServiceRoleForTrustedAdvisor"},
};

/* The role name for service (+ "_" suffix); -1 when service is no AWS
 * service principal. */
static int slr_name(const char *service, const char *suffix, char out[IAM_NAME_MAX])
{
    const char *dot = strchr(service, '.');
    char base[IAM_NAME_MAX];
    size_t i, n = strlen(service);

    if (n <= 14 || strcmp(service + n - 14, ".amazonaws.com") != 0 || dot == service)
        return -1;
    snprintf(base, sizeof base, "AWSServiceRoleFor%.*s", (int)(dot - service), service);
    base[17] = (char)toupper((unsigned char)base[17]);
    for (i = 0; i < sizeof SLR_NAMES / sizeof SLR_NAMES[0]; i++)
        if (!strcmp(SLR_NAMES[i].service, service))
            str_copy(base, sizeof base, SLR_NAMES[i].name);
    if (suffix)
        snprintf(out, IAM_NAME_MAX, "%.63s_%s", base, suffix);
    else
        snprintf(out, IAM_NAME_MAX, "%s", base);
    return strlen(out) > 64 ? -1 : 0;
}

IAM_OP(iam_op_create_service_linked_role)
{
    const char *service = NULL, *desc = NULL, *suffix = NULL;
    char name[IAM_NAME_MAX], path[300], trust[512], id[32], arn[IAM_ARN_MAX];
    int ex;

    if (iam_name(r, in, "AWSServiceName", 1, 128, &service) ||
        q_str(r, in, "Description", 0, 0, 1000, &desc) ||
        (desc && q_charset(r, "Description", desc, NULL,
                           "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*")) ||
        iam_name(r, in, "CustomSuffix", 0, 64, &suffix))
        return -1;
    if (slr_name(service, suffix, name))
        return svc_error(r, IAM_E_INVALID_INPUT, "Invalid service name: %s", service);
    snprintf(path, sizeof path, "/aws-service-role/%s/", service);
    snprintf(trust, sizeof trust,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"Service\":[\"%s\"]},\"Action\":[\"sts:AssumeRole\"]}]}",
             service);
    if ((ex = iam_exists(r, &IAM_ROLE, name)) != 0)
        return ex < 0 ? -1
                      : svc_error(r, IAM_E_INVALID_INPUT,
                                  "Service role name %s has been taken in this account, please "
                                  "try a different suffix.",
                                  name);
    if (iam_new_entity(r, &IAM_ROLE, name, path, id, arn) ||
        iam_exec(r,
                 "INSERT INTO iam_roles (account, name, id, path, arn, created, assume_policy, "
                 "description, max_session, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 3600, "
                 "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_roles))",
                 "sssssdss", r->account, name, id, path, arn, r->now, trust, desc) ||
        iam_new_entity_end(r, &IAM_ROLE, name, NULL, 0))
        return -1;
    xml_open(out, "Role");
    if (iam_role_fields(r, out, name, 1))
        return -1;
    return xml_close(out, "Role");
}

IAM_OP(iam_op_delete_service_linked_role)
{
    char canon[IAM_NAME_MAX], path[520], task[IAM_ARN_MAX + 64], uuid[37];

    if (iam_named(r, in, &IAM_ROLE, canon) || iam_find(r, &IAM_ROLE, canon, NULL, NULL, path))
        return -1;
    if (strncmp(path, "/aws-service-role/", 18) != 0)
        return svc_error(r, IAM_E_INVALID_INPUT, "Role %s is not a service-linked role.", canon);
    iam_uuid(uuid);
    snprintf(task, sizeof task, "task%s%s/%s", path, canon, uuid);
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if (iam_exec(r, "DELETE FROM iam_roles WHERE account = ?1 AND name = ?2", "ss", r->account,
                 canon) ||
        iam_exec(r, "DELETE FROM iam_attachments WHERE account = ?1 AND kind = 'role' AND name = ?2",
                 "ss", r->account, canon) ||
        iam_exec(r,
                 "DELETE FROM iam_inline_policies WHERE account = ?1 AND kind = 'role' AND "
                 "name = ?2",
                 "ss", r->account, canon) ||
        iam_exec(r,
                 "UPDATE iam_instance_profiles SET role_name = NULL WHERE account = ?1 AND "
                 "role_name = ?2",
                 "ss", r->account, canon) ||
        iam_tags_drop(r, "role", canon) ||
        iam_exec(r,
                 "INSERT INTO iam_jobs (id, account, kind, subject, created) VALUES "
                 "(?1, ?2, 'slr-deletion', ?3, ?4)",
                 "sssd", task, r->account, canon, r->now))
        return -1;
    if (db_commit(r->emu->db))
        return iam_internal(r);
    return xml_elem(out, "DeletionTaskId", task);
}

IAM_OP(iam_op_get_service_linked_role_deletion_status)
{
    const char *id = NULL;
    int rc;

    if (q_str(r, in, "DeletionTaskId", 1, 1, 1000, &id))
        return -1;
    if (strncmp(id, "task/aws-service-role/", 22) != 0)
        return svc_error(r, IAM_E_INVALID_INPUT, "Invalid deletion task id: %.200s", id);
    rc = iam_any(r,
                 "SELECT 1 FROM iam_jobs WHERE id = ?1 AND account = ?2 AND kind = "
                 "'slr-deletion'",
                 "ss", id, r->account);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY, "Deletion task %.200s cannot be found.", id);
    return xml_elem(out, "Status", "SUCCEEDED");
}
