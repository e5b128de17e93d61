/* iam_acct.c — account-level IAM: the account alias, GetAccountSummary,
 * SetSecurityTokenServicePreferences, outbound web identity federation,
 * and what an account outside AWS Organizations answers for the
 * Organizations, delegation-request and summary operations. */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>

#include "storage/db.h"

/* ---- alias --------------------------------------------------------------- */

/* accountAliasType: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$ (3..63). */
static int read_alias(svc_req_t *r, const qform_t *in, const char **out)
{
    const char *v = NULL, *p;
    size_t n;

    if (q_str(r, in, "AccountAlias", 1, 3, 63, &v))
        return -1;
    n = strlen(v);
    for (p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              (*p == '-' && p != v && p[1] && p[1] != '-')))
            return svc_error(r, IAM_E_VALIDATION_ERROR,
                             "1 validation error detected: Value '%s' at 'accountAlias' failed to "
                             "satisfy constraint: Member must satisfy regular expression pattern: "
                             "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
                             v);
    (void)n;
    *out = v;
    return 0;
}

/* An account has at most one alias: creating another replaces it. */
IAM_OP(iam_op_create_account_alias)
{
    const char *alias = NULL;
    int rc;

    (void)out;
    if (read_alias(r, in, &alias))
        return -1;
    rc = iam_any(r,
                 "SELECT 1 FROM iam_settings WHERE key = 'alias' AND value = ?1 AND "
                 "account <> ?2",
                 "ss", alias, r->account);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS, "The account alias %s already exists.",
                         alias);
    return iam_setting_put(r, "alias", alias);
}

IAM_OP(iam_op_delete_account_alias)
{
    const char *alias = NULL;
    char cur[80];
    int rc;

    (void)out;
    if (read_alias(r, in, &alias))
        return -1;
    rc = iam_setting(r, "alias", cur, sizeof cur);
    if (rc < 0)
        return -1;
    if (rc == 0 || strcmp(cur, alias) != 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY, "The account alias %s cannot be found.", alias);
    return iam_setting_put(r, "alias", NULL);
}

IAM_OP(iam_op_list_account_aliases)
{
    iam_page_t pg;
    char cur[80];
    int rc;

    if (iam_page_init(r, in, &pg) || (rc = iam_setting(r, "alias", cur, sizeof cur)) < 0)
        return -1;
    xml_open(out, "AccountAliases");
    if (rc > 0 && iam_page_take(&pg) > 0)
        xml_elem(out, "member", cur);
    xml_close(out, "AccountAliases");
    return iam_page_end(out, &pg);
}

/* ---- summary ------------------------------------------------------------- */

/* SummaryMap: counts from our tables (sql: ?1 the account) or AWS's
 * default quotas (sql NULL). */
static const struct {
    const char *key;
    const char *sql;
    long quota;
} SUMMARY[] = {
    {"AccessKeysPerUserQuota", NULL, IAM_MAX_KEYS},
    {"AccountAccessKeysPresent", NULL, 1}, /* the root user's configured pair */
    {"AccountMFAEnabled", NULL, 0},
    {"AccountPasswordPresent", NULL, 0},
    {"AccountSigningCertificatesPresent", NULL, 0},
    {"AssumeRolePolicySizeQuota", NULL, IAM_TRUST_SIZE},
    {"AttachedPoliciesPerGroupQuota", NULL, IAM_MAX_ATTACHED},
    {"AttachedPoliciesPerRoleQuota", NULL, IAM_MAX_ATTACHED},
    {"AttachedPoliciesPerUserQuota", NULL, IAM_MAX_ATTACHED},
    {"GlobalEndpointTokenVersion", NULL, -1},
    {"GroupPolicySizeQuota", NULL, 5120},
    {"Groups", "SELECT COUNT(*) FROM iam_groups WHERE account = ?1", 0},
    {"GroupsPerUserQuota", NULL, 10},
    {"GroupsQuota", NULL, 300},
    {"InstanceProfiles", "SELECT COUNT(*) FROM iam_instance_profiles WHERE account = ?1", 0},
    {"InstanceProfilesQuota", NULL, 1000},
    {"MFADevices", "SELECT COUNT(*) FROM iam_mfa_devices WHERE account = ?1", 0},
    {"MFADevicesInUse",
     "SELECT COUNT(*) FROM iam_mfa_devices WHERE account = ?1 AND user_name IS NOT NULL", 0},
    {"Policies", "SELECT COUNT(*) FROM iam_policies WHERE account = ?1", 0},
    {"PoliciesQuota", NULL, 1500},
    {"PolicySizeQuota", NULL, IAM_POLICY_SIZE},
    {"PolicyVersionsInUse",
     "SELECT (SELECT COUNT(*) FROM iam_attachments WHERE account = ?1) + "
     "(SELECT COUNT(*) FROM iam_users WHERE account = ?1 AND boundary IS NOT NULL) + "
     "(SELECT COUNT(*) FROM iam_roles WHERE account = ?1 AND boundary IS NOT NULL)",
     0},
    {"PolicyVersionsInUseQuota", NULL, 10000},
    {"Providers",
     "SELECT (SELECT COUNT(*) FROM iam_oidc_providers WHERE account = ?1) + "
     "(SELECT COUNT(*) FROM iam_saml_providers WHERE account = ?1)",
     0},
    {"RolePolicySizeQuota", NULL, 10240},
    {"Roles", "SELECT COUNT(*) FROM iam_roles WHERE account = ?1", 0},
    {"RolesQuota", NULL, 1000},
    {"ServerCertificates", "SELECT COUNT(*) FROM iam_server_certs WHERE account = ?1", 0},
    {"ServerCertificatesQuota", NULL, 20},
    {"SigningCertificatesPerUserQuota", NULL, 2},
    {"UserPolicySizeQuota", NULL, 2048},
    {"Users", "SELECT COUNT(*) FROM iam_users WHERE account = ?1", 0},
    {"UsersQuota", NULL, 5000},
    {"VersionsPerPolicyQuota", NULL, IAM_MAX_VERSIONS},
};

IAM_OP(iam_op_get_account_summary)
{
    char ver[16];
    size_t i;
    int rc;

    (void)in;
    if ((rc = iam_setting(r, "sts-token-version", ver, sizeof ver)) < 0)
        return -1;
    xml_open(out, "SummaryMap");
    for (i = 0; i < sizeof SUMMARY / sizeof SUMMARY[0]; i++) {
        long v = SUMMARY[i].quota;
        if (SUMMARY[i].sql) {
            sqlite3_stmt *st = iam_stmt(r, SUMMARY[i].sql, "s", r->account);
            if (st == NULL)
                return -1;
            v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
            sqlite3_reset(st);
        } else if (v < 0) {
            v = rc > 0 && !strcmp(ver, "v2Token") ? 2 : 1;
        }
        xml_open(out, "entry");
        xml_elem(out, "key", SUMMARY[i].key);
        xml_elem_int(out, "value", v);
        xml_close(out, "entry");
    }
    return xml_close(out, "SummaryMap");
}

IAM_OP(iam_op_set_security_token_service_preferences)
{
    static const char *const versions[] = {"v1Token", "v2Token", NULL};
    const char *v = NULL;

    (void)out;
    if (iam_enum(r, in, "GlobalEndpointTokenVersion", 1, versions, &v))
        return -1;
    return iam_setting_put(r, "sts-token-version", v);
}

/* ---- outbound web identity federation ------------------------------------ */

static int federation_disabled(svc_req_t *r)
{
    return svc_error(r, IAM_E_FEATURE_DISABLED,
                     "Outbound web identity federation is not enabled for this account.");
}

IAM_OP(iam_op_enable_outbound_federation)
{
    char issuer[128], id[37];
    int rc;

    (void)in;
    if ((rc = iam_setting(r, "outbound-federation", issuer, sizeof issuer)) < 0)
        return -1;
    if (rc > 0)
        return svc_error(r, IAM_E_FEATURE_ENABLED,
                         "Outbound web identity federation is already enabled for this account.");
    iam_uuid(id);
    snprintf(issuer, sizeof issuer, "https://%s.tokens.sts.global.api.aws", id);
    if (iam_setting_put(r, "outbound-federation", issuer))
        return -1;
    return xml_elem(out, "IssuerIdentifier", issuer);
}

IAM_OP(iam_op_disable_outbound_federation)
{
    char issuer[128];
    int rc;

    (void)in;
    (void)out;
    if ((rc = iam_setting(r, "outbound-federation", issuer, sizeof issuer)) < 0)
        return -1;
    return rc == 0 ? federation_disabled(r) : iam_setting_put(r, "outbound-federation", NULL);
}

IAM_OP(iam_op_get_outbound_federation)
{
    char issuer[128];
    int rc;

    (void)in;
    if ((rc = iam_setting(r, "outbound-federation", issuer, sizeof issuer)) < 0)
        return -1;
    if (rc == 0)
        return federation_disabled(r);
    xml_elem(out, "IssuerIdentifier", issuer);
    return iam_xml_bool(out, "JwtVendingEnabled", 1);
}

/* ---- Organizations: this account is in none ----------------------------- */

IAM_OP(iam_op_org_not_found)
{
    (void)in;
    (void)out;
    return svc_error(r, IAM_E_ORGANIZATION_NOT_FOUND,
                     "The request was rejected because no organization is associated with your "
                     "account.");
}

/* The report job is accepted (as AWS does) and then fails: the entity path
 * names an organization this account does not belong to. */
IAM_OP(iam_op_generate_organizations_access_report)
{
    const char *path = NULL;
    char id[37];

    if (q_str(r, in, "EntityPath", 1, 19, 427, &path))
        return -1;
    if (strncmp(path, "o-", 2) != 0 || strstr(path, "/r-") == NULL)
        return svc_error(r, IAM_E_VALIDATION_ERROR,
                         "1 validation error detected: Value '%.200s' at 'entityPath' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "^o-[0-9a-z]{10,32}\\/r-[0-9a-z]{4,32}[0-9a-z-\\/]*",
                         path);
    iam_uuid(id);
    if (iam_exec(r,
                 "INSERT INTO iam_jobs (id, account, kind, subject, created) VALUES "
                 "(?1, ?2, 'org-access', ?3, ?4)",
                 "sssd", id, r->account, path, r->now))
        return -1;
    return xml_elem(out, "JobId", id);
}

int iam_job_created(svc_req_t *r, const char *kind, const char *id, double *created)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "SELECT created FROM iam_jobs WHERE id = ?1 AND account = ?2 AND "
                                "kind = ?3",
                                "sss", id, r->account, kind);
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *created = sqlite3_column_double(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return iam_internal(r);
    return svc_error(r, IAM_E_NO_SUCH_ENTITY, "The job with id %s cannot be found.", id);
}

IAM_OP(iam_op_get_organizations_access_report)
{
    const char *id = NULL;
    double created = 0;
    iam_page_t pg;

    if (q_str(r, in, "JobId", 1, 36, 36, &id) || iam_page_init(r, in, &pg) ||
        iam_job_created(r, "org-access", id, &created))
        return -1;
    xml_elem(out, "JobStatus", "FAILED");
    iam_xml_time(out, "JobCreationDate", created);
    iam_xml_time(out, "JobCompletionDate", created);
    xml_open(out, "ErrorDetails");
    xml_elem(out, "Message", "No organization is associated with this account.");
    xml_elem(out, "Code", "OrganizationNotFoundException");
    xml_close(out, "ErrorDetails");
    return xml_elem(out, "IsTruncated", "false");
}

/* ---- delegation requests: none exist for this account -------------------- */

static int read_delegation_id(svc_req_t *r, const qform_t *in, const char **id)
{
    if (q_str(r, in, "DelegationRequestId", 1, 16, 128, id) ||
        q_charset(r, "DelegationRequestId", *id, "_-", "[\\w-]+"))
        return -1;
    return 0;
}

IAM_OP(iam_op_no_such_delegation)
{
    const char *id = NULL;

    (void)out;
    if (read_delegation_id(r, in, &id))
        return -1;
    return svc_error(r, IAM_E_NO_SUCH_ENTITY, "The delegation request with id %s cannot be found.",
                     id);
}

/* Delegation requests are made by AWS partners for a customer's account;
 * this account is not an enrolled partner. */
IAM_OP(iam_op_create_delegation_request)
{
    const char *v = NULL;

    (void)out;
    if (q_str(r, in, "Description", 1, 0, 1000, &v) ||
        q_str(r, in, "RequestorWorkflowId", 1, 5, 400, &v) ||
        q_str(r, in, "NotificationChannel", 1, 2, 400, &v))
        return -1;
    if (!qform_get(in, "Permissions.PolicyTemplateArn") && !qform_get(in, "Permissions"))
        return iam_null(r, "Permissions");
    return svc_error(r, IAM_E_INVALID_INPUT,
                     "The caller is not enrolled as a partner that can create delegation "
                     "requests.");
}

IAM_OP(iam_op_list_delegation_requests)
{
    iam_page_t pg;

    if (iam_page_init(r, in, &pg))
        return -1;
    xml_open(out, "DelegationRequests");
    xml_close(out, "DelegationRequests");
    return xml_elem(out, "isTruncated", "false");
}

/* Summaries are generated for policies; none is available here. */
IAM_OP(iam_op_get_human_readable_summary)
{
    const char *arn = NULL, *locale = NULL;
    int rc;

    if (iam_arn(r, in, "EntityArn", 1, &arn) || q_str(r, in, "Locale", 0, 2, 12, &locale))
        return -1;
    rc = iam_policy_exists(r, arn, NULL, NULL);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY, "Entity %s does not exist.", arn);
    xml_elem(out, "SummaryContent", "");
    xml_elem(out, "Locale", locale ? locale : "en");
    return xml_elem(out, "SummaryState", "NOT_AVAILABLE");
}
