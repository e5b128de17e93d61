/* iam_authz.c — IAM requests as IAM authorizes them: iam:<Operation> on
 * the ARN of the user, group, role, policy or instance profile the request
 * names (with its path, when it exists), with iam:PolicyARN,
 * iam:PermissionsBoundary and iam:AWSServiceName condition keys. OIDC and
 * SAML providers, MFA devices and server certificates are named by their
 * ARNs (built from the request when the operation creates them). */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "storage/db.h"

/* The ARN of the entity `name` of table (with its stored path), or one
 * built with path "/" when it does not exist. */
static void entity_arn(svc_req_t *r, const char *table, const char *type, const char *name,
                       char *out, size_t n)
{
    sqlite3_stmt *st;

    snprintf(out, n, "arn:aws:iam::%s:%s/%s", r->account, type, name);
    /* one literal per table: db_stmt caches statements by their text's address */
    if (!strcmp(table, "iam_users"))
        st = db_stmt(r->emu->db, "SELECT arn FROM iam_users WHERE account=?1 AND name=?2");
    else if (!strcmp(table, "iam_groups"))
        st = db_stmt(r->emu->db, "SELECT arn FROM iam_groups WHERE account=?1 AND name=?2");
    else if (!strcmp(table, "iam_roles"))
        st = db_stmt(r->emu->db, "SELECT arn FROM iam_roles WHERE account=?1 AND name=?2");
    else if (!strcmp(table, "iam_server_certs"))
        st = db_stmt(r->emu->db, "SELECT arn FROM iam_server_certs WHERE account=?1 AND name=?2");
    else
        st = db_stmt(r->emu->db,
                     "SELECT arn FROM iam_instance_profiles WHERE account=?1 AND name=?2");
    if (st == NULL)
        return;
    sqlite3_bind_text(st, 1, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, n, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
}

int iam_authorize(svc_req_t *r, const qform_t *in)
{
    const char *op = r->operation, *v;
    const char *pol[1], *bnd[1], *svc[1];
    char action[160], res[AWS_ARN_BUF];
    authz_key_t keys[3];
    size_t nk = 0;
    authz_t a;

    /* GetSessionToken credentials without MFA may not call IAM at all */
    if (r->caller.kind == PRINCIPAL_USER_SESSION)
        return svc_error(r, 403, "AccessDenied",
                         "User: %s is not authorized to perform: iam:%s because IAM API "
                         "operations cannot be called with session credentials obtained "
                         "without MFA (GetSessionToken)", r->caller.arn, op);
    /* nor may federated users (GetFederationToken) */
    if (r->caller.kind == PRINCIPAL_FEDERATED)
        return svc_error(r, 403, "AccessDenied",
                         "User: %s is not authorized to perform: iam:%s because IAM API "
                         "operations cannot be called with the credentials of a federated "
                         "user (GetFederationToken)", r->caller.arn, op);
    snprintf(action, sizeof action, "iam:%s", op);
    snprintf(res, sizeof res, "*");
    if ((v = qform_get(in, "PolicyArn")) != NULL && strlen(v) < 600) {
        pol[0] = v;
        keys[nk++] = (authz_key_t){"iam:PolicyARN", pol, 1, NULL, 0};
    }
    if ((v = qform_get(in, "PermissionsBoundary")) != NULL && strlen(v) < 600) {
        bnd[0] = v;
        keys[nk++] = (authz_key_t){"iam:PermissionsBoundary", bnd, 1, NULL, 0};
    }
    if ((v = qform_get(in, "AWSServiceName")) != NULL && strlen(v) <= 128) {
        svc[0] = v;
        keys[nk++] = (authz_key_t){"iam:AWSServiceName", svc, 1, NULL, 0};
    }
    if ((v = qform_get(in, "UserName")) != NULL && strlen(v) <= 128) {
        entity_arn(r, "iam_users", "user", v, res, sizeof res);
    } else if ((v = qform_get(in, "RoleName")) != NULL && strlen(v) <= 128) {
        entity_arn(r, "iam_roles", "role", v, res, sizeof res);
    } else if ((v = qform_get(in, "GroupName")) != NULL && strlen(v) <= 128) {
        entity_arn(r, "iam_groups", "group", v, res, sizeof res);
    } else if ((v = qform_get(in, "InstanceProfileName")) != NULL && strlen(v) <= 128) {
        entity_arn(r, "iam_instance_profiles", "instance-profile", v, res, sizeof res);
    } else if ((v = qform_get(in, "PolicyArn")) != NULL && strlen(v) < 600 &&
               strncmp(op, "Attach", 6) != 0 && strncmp(op, "Detach", 6) != 0) {
        snprintf(res, sizeof res, "%s", v);
    } else if (!strcmp(op, "CreatePolicy") && (v = qform_get(in, "PolicyName")) != NULL &&
               strlen(v) <= 128) {
        const char *path = qform_get(in, "Path");
        snprintf(res, sizeof res, "arn:aws:iam::%s:policy%s%s", r->account,
                 path && strlen(path) < 512 ? path : "/", v);
    } else if (((v = qform_get(in, "OpenIDConnectProviderArn")) != NULL ||
                (v = qform_get(in, "SAMLProviderArn")) != NULL ||
                (v = qform_get(in, "SerialNumber")) != NULL) &&
               strlen(v) < 600) {
        snprintf(res, sizeof res, "%s", v);
    } else if ((v = qform_get(in, "ServerCertificateName")) != NULL && strlen(v) <= 128) {
        entity_arn(r, "iam_server_certs", "server-certificate", v, res, sizeof res);
    } else if (!strcmp(op, "CreateVirtualMFADevice") &&
               (v = qform_get(in, "VirtualMFADeviceName")) != NULL && strlen(v) <= 128) {
        const char *path = qform_get(in, "Path");
        snprintf(res, sizeof res, "arn:aws:iam::%s:mfa%s%s", r->account,
                 path && strlen(path) < 512 ? path : "/", v);
    } else if (!strcmp(op, "CreateOpenIDConnectProvider") && (v = qform_get(in, "Url")) != NULL &&
               strlen(v) < 300) {
        snprintf(res, sizeof res, "arn:aws:iam::%s:oidc-provider/%s", r->account,
                 strncmp(v, "https://", 8) ? v : v + 8);
    } else if (!strcmp(op, "CreateSAMLProvider") && (v = qform_get(in, "Name")) != NULL &&
               strlen(v) <= 128) {
        snprintf(res, sizeof res, "arn:aws:iam::%s:saml-provider/%s", r->account, v);
    } else if ((v = qform_get(in, "AWSServiceName")) != NULL && strlen(v) <= 128) {
        snprintf(res, sizeof res, "arn:aws:iam::%s:role/aws-service-role/%s/*", r->account, v);
    } else if (!strcmp(op, "GetUser") || !strcmp(op, "ListAccessKeys") ||
               !strcmp(op, "CreateAccessKey") || !strcmp(op, "ListUserTags") ||
               !strcmp(op, "ChangePassword") || strstr(op, "LoginProfile") ||
               !strcmp(op, "ListMFADevices") || !strcmp(op, "ListSSHPublicKeys") ||
               !strcmp(op, "ListSigningCertificates") || !strcmp(op, "UploadSigningCertificate") ||
               !strcmp(op, "ListServiceSpecificCredentials")) {
        /* no UserName: the caller itself */
        snprintf(res, sizeof res, "%s", r->caller.arn);
    } else if (!strcmp(op, "SimulatePrincipalPolicy") &&
               (v = qform_get(in, "PolicySourceArn")) != NULL && strlen(v) < 600) {
        snprintf(res, sizeof res, "%s", v);
    }
    memset(&a, 0, sizeof a);
    a.action = action;
    a.resource = res;
    a.keys = keys;
    a.nkeys = nk;
    return authz_check(r, &a);
}
