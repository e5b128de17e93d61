/* request.c — the router's one authorization call (authz_request): what
 * the caller's kind of credentials may never call, then the row's action
 * on the resource its resource function names. */
#include "authz/authz.h"

#include <string.h>

/* STS credentials that AWS limits whatever the policies say: those of
 * GetSessionToken without MFA call no IAM operation and, in STS, only
 * AssumeRole and GetSessionToken (GetCallerIdentity needs no action);
 * those of GetFederationToken call neither IAM nor STS. Returns 0, or -1
 * with AccessDenied set. */
static int credential_limits(svc_req_t *r, const char *action)
{
    enum principal_kind kind = r->caller.kind;
    const char *who = r->caller.arn;

    if (kind != PRINCIPAL_USER_SESSION && kind != PRINCIPAL_FEDERATED)
        return 0;
    if (!strncmp(action, "iam:", 4))
        return kind == PRINCIPAL_USER_SESSION
                   ? svc_error(r, 403, "AccessDenied",
                               "User: %s is not authorized to perform: %s because IAM API "
                               "operations cannot be called with session credentials obtained "
                               "without MFA (GetSessionToken)",
                               who, action)
                   : svc_error(r, 403, "AccessDenied",
                               "User: %s is not authorized to perform: %s because IAM API "
                               "operations cannot be called with the credentials of a federated "
                               "user (GetFederationToken)",
                               who, action);
    if (strncmp(action, "sts:", 4) != 0)
        return 0;
    if (kind == PRINCIPAL_FEDERATED)
        return svc_error(r, 403, "AccessDenied",
                         "User: %s is not authorized to perform: %s with the credentials of a "
                         "federated user (GetFederationToken)",
                         who, action);
    if (strcmp(action, "sts:AssumeRole") != 0 && strcmp(action, "sts:GetSessionToken") != 0)
        return svc_error(r, 403, "AccessDenied",
                         "User: %s is not authorized to perform: %s with session credentials "
                         "obtained by GetSessionToken",
                         who, action);
    return 0;
}

int authz_request(svc_req_t *r, const void *in)
{
    const svc_op_t *op = r->op;
    authz_t a;

    if (!r->emu->cfg->iam_enforce || op == NULL || op->action == NULL)
        return 0;
    if (credential_limits(r, op->action) != 0)
        return -1;
    if (op->flags & (OP_AUTHZ_SELF | OP_NO_AUTHZ))
        return 0;
    memset(&a, 0, sizeof a);
    a.action = op->action;
    a.resource = "*";
    if (op->resource && op->resource(r, in, &a) != 0)
        return -1;
    return authz_check(r, &a);
}
