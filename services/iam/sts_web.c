/* sts_web.c — AssumeRoleWithWebIdentity, verified as AWS verifies it but
 * offline: the token's signature against the JWK Set registered for its
 * issuer (--oidc-jwks ISSUER=FILE), its issuer against the account's IAM
 * OIDC providers, its audience against the provider's client ids, its
 * expiry against the emulator clock, and the role's trust policy with the
 * provider's condition keys (<provider>:sub, :aud, :amr). docs/federation.md
 * has a worked example. */
#include "services/iam/iam_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "services/iam/sts_jwt.h"
#include "storage/db.h"

#define JWKS_FILE_MAX (1 << 20) /* a JWK Set file: far above any real one */
#define NAME_CHARS "_+=,.@-"
#define NAME_PATTERN "[\\w+=,.@-]*"

/* AWS's texts (STS API reference, InvalidIdentityToken and
 * ExpiredTokenException; the others as AWS answers, quoted in
 * aws-actions/configure-aws-credentials issues #280, #775 and
 * awslabs/aws-sdk-rust issue #827). */
static const char MSG_INVALID[] =
    "The web identity token that was passed could not be validated by AWS. Get a new identity "
    "token from the identity provider and then retry the request.";
static const char MSG_NO_KEY[] = "Couldn't retrieve verification key from your identity provider,  "
                                 "please reference AssumeRoleWithWebIdentity documentation for "
                                 "requirements";
#define E_EXPIRED 400, "ExpiredTokenException"
#define E_DENIED 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"

/* What the request established, step by step. */
typedef struct {
    jwt_t jwt;
    const char *iss, *sub;
    char provider_arn[AWS_ARN_BUF];
    char host_path[600]; /* the provider's URL without https:// and final / */
    char *client_ids;    /* newline-joined */
    const char *aud;     /* the audience that matched a client id */
    sts_role_t role;
} web_t;

/* url without its scheme and trailing slashes, into out. */
static void host_path(const char *url, char *out, size_t n)
{
    size_t len;

    if (!strncmp(url, "https://", 8))
        url += 8;
    else if (!strncmp(url, "http://", 7))
        url += 7;
    snprintf(out, n, "%s", url);
    len = strlen(out);
    while (len > 0 && out[len - 1] == '/')
        out[--len] = '\0';
}

/* The JWK Set file path names (at most JWKS_FILE_MAX bytes), or NULL. */
static cJSON *load_jwks(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t n = 0;
    cJSON *j = NULL;

    if (f == NULL)
        return NULL;
    if ((text = malloc(JWKS_FILE_MAX + 1)) != NULL) {
        n = fread(text, 1, JWKS_FILE_MAX + 1, f);
        if (n <= JWKS_FILE_MAX)
            j = cJSON_ParseWithLength(text, n);
    }
    free(text);
    fclose(f);
    return j;
}

/* The account's OIDC provider for the token's issuer: its ARN and client
 * ids. 0, or InvalidIdentityToken as AWS words it. */
static int find_provider(svc_req_t *r, web_t *w)
{
    char want[600], have[600];
    sqlite3_stmt *st;
    int rc;

    host_path(w->iss, want, sizeof want);
    st = iam_stmt(r, "SELECT arn, url, client_ids FROM iam_oidc_providers WHERE account=?1", "s",
                  r->account);
    if (st == NULL)
        return -1;
    while ((rc = db_row(st)) == 1) {
        host_path(db_text(st, 1), have, sizeof have);
        if (strcmp(want, have) != 0)
            continue;
        str_copy(w->provider_arn, sizeof w->provider_arn, db_text(st, 0));
        str_copy(w->host_path, sizeof w->host_path, have);
        w->client_ids = strdup(db_text(st, 2));
        break;
    }
    sqlite3_reset(st);
    if (rc < 0 || (rc == 1 && w->client_ids == NULL))
        return svc_error(r, IAM_E_INTERNAL);
    if (rc != 1)
        return svc_error(r, IAM_E_INVALID_IDENTITY_TOKEN,
                         "No OpenIDConnect provider found in your account for %.300s", w->iss);
    return 0;
}

/* The signature, against the JWK Set registered for the issuer. */
static int check_signature(svc_req_t *r, web_t *w)
{
    const char *path = config_oidc_jwks(r->emu->cfg, w->iss);
    cJSON *jwks = path ? load_jwks(path) : NULL;
    int rc = jwks ? jwt_verify(&w->jwt, jwks) : JWT_NO_KEY;

    cJSON_Delete(jwks);
    if (rc == JWT_NO_KEY)
        return svc_error(r, IAM_E_INVALID_IDENTITY_TOKEN, "%s", MSG_NO_KEY);
    if (rc != JWT_OK)
        return svc_error(r, IAM_E_INVALID_IDENTITY_TOKEN, "%s", MSG_INVALID);
    return 0;
}

/* 1 when id is one of the newline-joined ids. */
static int listed(const char *ids, const char *id)
{
    size_t n = strlen(id);
    const char *p = ids;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == n && memcmp(p, id, n) == 0)
            return 1;
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* exp (required), nbf, and an aud among the provider's client ids. */
static int check_claims(svc_req_t *r, web_t *w)
{
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(w->jwt.claims, "exp");
    const cJSON *nbf = cJSON_GetObjectItemCaseSensitive(w->jwt.claims, "nbf");
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(w->jwt.claims, "aud"), *a;

    if (!cJSON_IsNumber(exp) || !isfinite(exp->valuedouble) ||
        (nbf && (!cJSON_IsNumber(nbf) || nbf->valuedouble > r->now)))
        return svc_error(r, IAM_E_INVALID_IDENTITY_TOKEN, "%s", MSG_INVALID);
    if (exp->valuedouble <= r->now)
        return svc_error(r, E_EXPIRED,
                         "Token expired: current date/time %lld must be before the expiration "
                         "date/time%lld",
                         (long long)r->now, (long long)exp->valuedouble);
    if (cJSON_IsString(aud) && listed(w->client_ids, aud->valuestring))
        w->aud = aud->valuestring;
    if (cJSON_IsArray(aud))
        cJSON_ArrayForEach(a, aud) if (w->aud == NULL && cJSON_IsString(a) &&
                                       listed(w->client_ids, a->valuestring)) w->aud =
            a->valuestring;
    if (w->aud == NULL)
        return svc_error(r, IAM_E_INVALID_IDENTITY_TOKEN, "Incorrect token audience");
    return 0;
}

int sts_find_role(svc_req_t *r, const char *role_arn, const char *action, sts_role_t *role)
{
    const char *slash = strrchr(role_arn, '/');
    size_t p = partition_arn_prefix(role_arn);
    sqlite3_stmt *st;
    int rc;

    memset(role, 0, sizeof *role);
    if (p == 0 || strncmp(role_arn + p, "iam::", 5) != 0 || strstr(role_arn, ":role/") == NULL ||
        slash == NULL || strlen(slash + 1) >= sizeof role->name)
        return svc_error(r, IAM_E_VALIDATION_ERROR, "%.200s is invalid", role_arn);
    st = iam_stmt(r,
                  "SELECT id, arn, assume_policy, max_session FROM iam_roles WHERE account=?1 "
                  "AND name=?2",
                  "ss", r->account, slash + 1);
    if (st == NULL)
        return -1;
    if ((rc = db_row(st)) == 1 && !strcmp(db_text(st, 1), role_arn)) {
        str_copy(role->id, sizeof role->id, db_text(st, 0));
        str_copy(role->arn, sizeof role->arn, db_text(st, 1));
        str_copy(role->name, sizeof role->name, strrchr(role->arn, '/') + 1);
        role->trust = strdup(db_text(st, 2));
        role->max_session = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    if (rc < 0)
        return svc_error(r, IAM_E_INTERNAL);
    if (role->trust == NULL)
        return svc_error(r, IAM_E_ACCESS_DENIED, "Not authorized to perform %s", action);
    return 0;
}

/* The values of claim name (a string or an array of strings), at most max. */
static size_t claim_values(const web_t *w, const char *name, const char **out, size_t max)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(w->jwt.claims, name), *e;
    size_t n = 0;

    if (cJSON_IsString(c))
        out[n++] = c->valuestring;
    else if (cJSON_IsArray(c))
        cJSON_ArrayForEach(e, c) if (n < max && cJSON_IsString(e)) out[n++] = e->valuestring;
    return n;
}

/* The trust policy must allow sts:AssumeRoleWithWebIdentity for the
 * provider (Principal {"Federated": <provider ARN>}) with the request's
 * keys: <provider>:aud, :sub, :amr (IAM User Guide, "Available keys for
 * AWS OIDC federation"), aws:FederatedProvider and sts:RoleSessionName. */
static int check_trust(svc_req_t *r, web_t *w, const char *session)
{
    char kaud[700], ksub[700], kamr[700], err[256];
    const char *aud[1] = {w->aud}, *sub[1] = {w->sub}, *amr[16], *prov[1] = {w->provider_arn};
    const char *sess[1] = {session};
    policy_ctx_t ctx[5];
    policy_request_t q;
    size_t nctx = 0, namr = claim_values(w, "amr", amr, 16);
    policy_t *p = policy_parse(w->role.trust, strlen(w->role.trust), POLICY_TRUST, err, sizeof err);
    enum policy_effect e;

    if (p == NULL)
        return svc_error(r, E_DENIED);
    snprintf(kaud, sizeof kaud, "%s:aud", w->host_path);
    snprintf(ksub, sizeof ksub, "%s:sub", w->host_path);
    snprintf(kamr, sizeof kamr, "%s:amr", w->host_path);
    ctx[nctx++] = (policy_ctx_t){kaud, aud, 1, NULL, 0};
    if (w->sub)
        ctx[nctx++] = (policy_ctx_t){ksub, sub, 1, NULL, 0};
    if (namr)
        ctx[nctx++] = (policy_ctx_t){kamr, amr, namr, NULL, 0};
    ctx[nctx++] = (policy_ctx_t){"aws:FederatedProvider", prov, 1, NULL, 0};
    ctx[nctx++] = (policy_ctx_t){"sts:RoleSessionName", sess, 1, NULL, 0};
    memset(&q, 0, sizeof q);
    q.action = "sts:AssumeRoleWithWebIdentity";
    q.resource = w->role.arn;
    q.principal_arn = w->provider_arn; /* matches Principal {"Federated": ...} */
    q.ctx = ctx;
    q.nctx = nctx;
    e = policy_eval(p, &q, NULL);
    policy_free(p);
    return e == POLICY_ALLOW ? 0 : svc_error(r, E_DENIED);
}

/* The token's issuer and subject; InvalidIdentityToken for a token that
 * is not a JWT of a known algorithm, or without iss. */
static int read_token(svc_req_t *r, const char *token, web_t *w)
{
    const cJSON *iss, *sub;

    if (jwt_parse(token, strlen(token), &w->jwt) != JWT_OK)
        return svc_error(r, IAM_E_INVALID_IDENTITY_TOKEN, "%s", MSG_INVALID);
    iss = cJSON_GetObjectItemCaseSensitive(w->jwt.claims, "iss");
    sub = cJSON_GetObjectItemCaseSensitive(w->jwt.claims, "sub");
    if (!cJSON_IsString(iss) || iss->valuestring[0] == '\0')
        return svc_error(r, IAM_E_INVALID_IDENTITY_TOKEN, "%s", MSG_INVALID);
    w->iss = iss->valuestring;
    w->sub = cJSON_IsString(sub) ? sub->valuestring : NULL;
    return 0;
}

/* The session and the answer. */
static int answer(svc_req_t *r, web_t *w, const char *name, long duration, const char *policy,
                  const char *arns, buf_t *out)
{
    if (sts_federated_session(r, &w->role, name, duration, policy, arns, w->sub, out) != 0)
        return -1;
    xml_elem(out, "Provider", w->provider_arn);
    xml_elem(out, "Audience", w->aud);
    db_run(r->emu->db,
           "UPDATE iam_roles SET last_used=?3, last_used_region=?4 WHERE account=?1 AND name=?2",
           "ssds", r->account, w->role.name, r->now, r->region);
    return 0;
}

int sts_assume_role_with_web_identity(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *role_arn, *name, *token, *provider = NULL, *policy = NULL;
    char *arns = NULL;
    long duration = 3600;
    int has_duration = 0, rc = -1;
    web_t w;

    memset(&w, 0, sizeof w);
    if (q_str(r, in, "RoleArn", 1, 20, 2048, &role_arn) != 0 ||
        q_str(r, in, "RoleSessionName", 1, 2, 64, &name) != 0 ||
        q_charset(r, "RoleSessionName", name, NAME_CHARS, NAME_PATTERN) != 0 ||
        q_str(r, in, "WebIdentityToken", 1, 4, JWT_MAX, &token) != 0 ||
        q_str(r, in, "ProviderId", 0, 4, 2048, &provider) != 0 ||
        q_int(r, in, "DurationSeconds", 0, 900, 43200, &duration, &has_duration) != 0 ||
        sts_read_session_policy(r, in, 2048, &policy) != 0 ||
        sts_read_policy_arns(r, in, &arns) != 0 || sts_check_packed(r, policy, arns, NULL) != 0)
        goto out;
    if (read_token(r, token, &w) != 0 || find_provider(r, &w) != 0 || check_signature(r, &w) != 0 ||
        check_claims(r, &w) != 0 ||
        sts_find_role(r, role_arn, "sts:AssumeRoleWithWebIdentity", &w.role) != 0 ||
        check_trust(r, &w, name) != 0)
        goto out;
    if (has_duration && duration > w.role.max_session) {
        svc_error(r, IAM_E_VALIDATION_ERROR,
                  "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                  "role.");
        goto out;
    }
    rc = answer(r, &w, name, duration, policy, arns, out);
out:
    jwt_free(&w.jwt);
    free(w.client_ids);
    free(w.role.trust);
    free(arns);
    return rc;
}
