/* iam_resources.c — the resource of each IAM row for the router's one
 * authorization call (authz_request): iam:<Operation> on the ARN of the
 * user, group, role, instance profile, policy, identity provider, MFA
 * device or server certificate the request names — the stored ARN (with
 * its path) when the entity exists, else the one AWS builds from the
 * request (its Path, "/" without one) — and the iam:PolicyARN,
 * iam:PermissionsBoundary and iam:AWSServiceName condition keys the
 * request carries. A member that is absent or too long to name anything
 * leaves the row's fallback ("*", or the caller for operations on "the
 * calling user"); the handler then answers its validation error. */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "storage/db.h"

/* Longest member values that name something here (longer ones leave the
 * row's fallback): names, and ARNs and URLs passed as they are. */
#define NAME_MAX_LEN 128
#define GIVEN_ARN_MAX 599
#define URL_MAX 299

/* What a resource function fills: authz_request uses a before the next
 * request starts (the event loop serves one at a time). */
static struct {
    char arn[AWS_ARN_BUF];
    const char *vals[3];
    authz_key_t keys[3];
} res;

/* member's value when it has 1..max bytes, else NULL. */
static const char *member(const qform_t *in, const char *name, size_t max)
{
    const char *v = qform_get(in, name);

    return v && v[0] && strlen(v) <= max ? v : NULL;
}

/* The request's Path for an entity it creates, "/" without a usable one. */
static const char *new_path(const qform_t *in)
{
    const char *path = member(in, "Path", AWS_IAM_PATH_MAX - 1);

    return path ? path : "/";
}

/* Points a at res.arn and adds the condition keys the request carries. */
static int done(const qform_t *in, authz_t *a)
{
    static const struct {
        const char *member, *key;
        size_t max;
    } keys[] = {
        {"PolicyArn", "iam:PolicyARN", GIVEN_ARN_MAX},
        {"PermissionsBoundary", "iam:PermissionsBoundary", GIVEN_ARN_MAX},
        {"AWSServiceName", "iam:AWSServiceName", NAME_MAX_LEN},
    };
    size_t i, n = 0;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if ((res.vals[n] = member(in, keys[i].member, keys[i].max)) != NULL) {
            res.keys[n] = (authz_key_t){keys[i].key, &res.vals[n], 1, NULL, 0};
            n++;
        }
    a->resource = res.arn;
    a->keys = res.keys;
    a->nkeys = n;
    return 0;
}

/* The ARN of the entity named by member (sql_find: ?1 account, ?2 name ->
 * its ARN in column arn_col), built from type and the request's path when
 * it does not exist. 1 when member names one, 0 when it is absent. */
static int entity(svc_req_t *r, const qform_t *in, const char *name_member, const char *sql,
                  int arn_col, const char *type)
{
    const char *name = member(in, name_member, NAME_MAX_LEN);
    sqlite3_stmt *st;

    if (name == NULL)
        return 0;
    snprintf(res.arn, sizeof res.arn, "arn:%s:iam::%s:%s%s%s", IAM_PARTITION(r), r->account, type,
             new_path(in), name);
    /* quietly: a failed lookup leaves the built ARN */
    st = db_query(r->emu->db, sql, "ss", r->account, name);
    if (db_row(st) == 1)
        str_copy(res.arn, sizeof res.arn, db_text(st, arn_col));
    db_done(st);
    return 1;
}

#define USER(r, in) entity(r, in, "UserName", IAM_USER.sql_find, 1, "user")
#define GROUP(r, in) entity(r, in, "GroupName", IAM_GROUP.sql_find, 1, "group")
#define ROLE(r, in) entity(r, in, "RoleName", IAM_ROLE.sql_find, 1, "role")
#define PROFILE(r, in)                                                                             \
    entity(r, in, "InstanceProfileName", IAM_PROFILE.sql_find, 1, "instance-profile")

/* An ARN the request passes as it is (policies, providers, MFA devices). */
static int given(const qform_t *in, const char *name)
{
    const char *v = member(in, name, GIVEN_ARN_MAX);

    if (v)
        str_copy(res.arn, sizeof res.arn, v);
    return v != NULL;
}

static void star(void)
{
    snprintf(res.arn, sizeof res.arn, "*");
}

/* ---- the resource functions of iam.c's rows ------------------------------ */

#define IN ((const qform_t *)in)

IAM_RES(iam_res_user)
{
    if (!USER(r, IN))
        star();
    return done(IN, a);
}

/* Operations on "the calling user" when UserName is absent. */
IAM_RES(iam_res_user_or_caller)
{
    if (!USER(r, IN))
        str_copy(res.arn, sizeof res.arn, r->caller.arn);
    return done(IN, a);
}

IAM_RES(iam_res_user_in_group)
{
    if (!USER(r, IN) && !GROUP(r, IN))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_user_mfa)
{
    if (!USER(r, IN) && !given(IN, "SerialNumber"))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_group)
{
    if (!GROUP(r, IN))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_role)
{
    if (!ROLE(r, IN))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_role_in_profile)
{
    if (!ROLE(r, IN) && !PROFILE(r, IN))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_profile)
{
    if (!PROFILE(r, IN))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_policy)
{
    (void)r;
    if (!given(IN, "PolicyArn"))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_new_policy)
{
    const char *name = member(IN, "PolicyName", NAME_MAX_LEN);

    if (name)
        snprintf(res.arn, sizeof res.arn, "arn:%s:iam::%s:policy%s%s", IAM_PARTITION(r), r->account,
                 new_path(IN), name);
    else
        star();
    return done(IN, a);
}

IAM_RES(iam_res_oidc)
{
    (void)r;
    if (!given(IN, "OpenIDConnectProviderArn"))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_new_oidc)
{
    const char *url = member(IN, "Url", URL_MAX);

    if (url)
        snprintf(res.arn, sizeof res.arn, "arn:%s:iam::%s:oidc-provider/%s", IAM_PARTITION(r),
                 r->account, strncmp(url, "https://", 8) ? url : url + 8);
    else
        star();
    return done(IN, a);
}

IAM_RES(iam_res_saml)
{
    (void)r;
    if (!given(IN, "SAMLProviderArn"))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_new_saml)
{
    const char *name = member(IN, "Name", NAME_MAX_LEN);

    if (name)
        snprintf(res.arn, sizeof res.arn, "arn:%s:iam::%s:saml-provider/%s", IAM_PARTITION(r),
                 r->account, name);
    else
        star();
    return done(IN, a);
}

IAM_RES(iam_res_mfa)
{
    (void)r;
    if (!given(IN, "SerialNumber"))
        star();
    return done(IN, a);
}

IAM_RES(iam_res_new_mfa)
{
    const char *name = member(IN, "VirtualMFADeviceName", NAME_MAX_LEN);

    if (name)
        snprintf(res.arn, sizeof res.arn, "arn:%s:iam::%s:mfa%s%s", IAM_PARTITION(r), r->account,
                 new_path(IN), name);
    else
        star();
    return done(IN, a);
}

IAM_RES(iam_res_server_cert)
{
    if (!entity(r, IN, "ServerCertificateName",
                "SELECT arn FROM iam_server_certs WHERE account=?1 AND name=?2", 0,
                "server-certificate"))
        star();
    return done(IN, a);
}

/* CreateServiceLinkedRole: the roles of the service, whatever the suffix. */
IAM_RES(iam_res_service_role)
{
    const char *svc = member(IN, "AWSServiceName", NAME_MAX_LEN);

    if (svc)
        snprintf(res.arn, sizeof res.arn, "arn:%s:iam::%s:role/aws-service-role/%s/*",
                 IAM_PARTITION(r), r->account, svc);
    else
        star();
    return done(IN, a);
}

IAM_RES(iam_res_policy_source)
{
    (void)r;
    if (!given(IN, "PolicySourceArn"))
        star();
    return done(IN, a);
}
