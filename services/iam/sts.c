/* sts.c — the Security Token Service: who am I, temporary credentials for
 * roles (trust policy evaluated in enforce mode), for users and for
 * federated users, access key lookups, and decoding of awsemu's encoded
 * authorization messages. */
#include "services/iam/iam_int.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/codec.h"
#include "base/limits.h"
#include "storage/db.h"
#include "storage/keyring.h"

#define NAME_CHARS "_+=,.@-"
#define NAME_PATTERN "[\\w+=,.@-]*"

/* ---- GetCallerIdentity --------------------------------------------------- */

static int get_caller_identity(svc_req_t *r, const qform_t *in, buf_t *out)
{
    (void)in;
    xml_elem(out, "UserId", r->caller.user_id);
    xml_elem(out, "Account", r->account);
    xml_elem(out, "Arn", r->caller.arn);
    return 0;
}

/* ---- sessions ------------------------------------------------------------ */

int sts_federated_session(svc_req_t *r, const sts_role_t *role, const char *session,
                          long duration, const char *policy, const char *arns,
                          const char *web_subject, buf_t *out)
{
    char arn[AWS_ARN_BUF], uid[200];
    sts_session_t s;

    snprintf(arn, sizeof arn, "arn:%s:sts::%s:assumed-role/%s/%s", IAM_PARTITION(r), r->account,
             role->name, session);
    snprintf(uid, sizeof uid, "%s:%s", role->id, session);
    memset(&s, 0, sizeof s);
    s.kind = "assumed-role";
    s.arn = arn;
    s.user_id = uid;
    s.role_arn = role->arn;
    s.source_name = role->name;
    s.session_name = session;
    s.policy = policy;
    s.policy_arns = arns;
    s.expires = r->now + (double)duration;
    if (sts_new_session(r, &s, out) != 0)
        return -1;
    if (web_subject)
        xml_elem(out, "SubjectFromWebIdentityToken", web_subject);
    xml_open(out, "AssumedRoleUser");
    xml_elem(out, "AssumedRoleId", uid);
    xml_elem(out, "Arn", arn);
    xml_close(out, "AssumedRoleUser");
    if (policy || arns)
        xml_elem_int(out, "PackedPolicySize", sts_packed_size(policy, arns, NULL));
    return 0;
}

int sts_new_session(svc_req_t *r, const sts_session_t *s, buf_t *out)
{
    char akid[32], secret[41], token_b64[400], sha_hex[65], exp[32];
    unsigned char token[256], md[SHA256_DIGEST_LENGTH];
    uint8_t sealed[40 + ENVELOPE_OVERHEAD];

    iam_new_id("ASIA", akid);
    iam_new_secret(secret);
    /* a session token looks like AWS's: long and opaque */
    codec_random(token, sizeof token);
    codec_b64_encode(token, sizeof token, token_b64);
    SHA256((const unsigned char *)token_b64, strlen(token_b64), md);
    codec_hex(md, sizeof md, sha_hex);
    if (keyring_seal(r->emu->master_key, KEYRING_IAM_SECRET_KEY, akid, strlen(akid),
                     (const uint8_t *)secret, 40, sealed) != 0)
        goto fail;
    if (db_run(r->emu->db,
               "INSERT INTO sts_sessions (access_key_id, account, secret_sealed, token_sha256, "
               "kind, arn, user_id, role_arn, source_name, session_name, policy, policy_arns, "
               "tags, source_identity, created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
               "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
               "ssbsssssssssssdd", akid, r->account, sealed, sizeof sealed, sha_hex, s->kind,
               s->arn, s->user_id, s->role_arn, s->source_name, s->session_name, s->policy,
               s->policy_arns, s->tags, s->source_identity, r->now, s->expires) != 0)
        goto fail;
    /* expired sessions go once they can no longer be used */
    db_run(r->emu->db, "DELETE FROM sts_sessions WHERE expires < ?1", "d", r->now - 86400);
    clock_iso8601(s->expires, exp);
    memcpy(exp + 19, "Z", 2); /* AWS: whole seconds */
    xml_open(out, "Credentials");
    xml_elem(out, "AccessKeyId", akid);
    xml_elem(out, "SecretAccessKey", secret);
    xml_elem(out, "SessionToken", token_b64);
    xml_elem(out, "Expiration", exp);
    xml_close(out, "Credentials");
    OPENSSL_cleanse(secret, sizeof secret);
    return 0;
fail:
    OPENSSL_cleanse(secret, sizeof secret);
    return svc_error(r, IAM_E_INTERNAL);
}

/* Session tags: Tags.member.N.Key/Value, at most 50, as a JSON object text
 * (malloc'd, or NULL when none). */
static int read_tags(svc_req_t *r, const qform_t *in, char **json)
{
    size_t n, i;
    buf_t b;

    *json = NULL;
    if (q_list_count(r, in, "Tags", "Key", 50, &n) != 0)
        return -1;
    if (n == 0)
        return 0;
    buf_init(&b, 0);
    buf_adds(&b, "{");
    if (n == 0)
        return svc_error(r, IAM_E_NULL_AUDIENCE);
    for (i = 1; i <= n; i++) {
        const char *k = qform_getf(in, "Tags.member.%zu.Key", i);
        const char *v = qform_getf(in, "Tags.member.%zu.Value", i);
        if (v == NULL || codec_utf8_len(k) < 1 || codec_utf8_len(k) > 128 ||
            codec_utf8_len(v) > 256) {
            buf_free(&b);
            return svc_error(r, IAM_E_VALIDATION_ERROR,
                             "1 validation error detected: Value at 'tags.%zu.member' failed to "
                             "satisfy constraint: Member must have a key of length 1 to 128 and "
                             "a value of length 0 to 256",
                             i);
        }
        if (i > 1)
            buf_adds(&b, ",");
        buf_adds(&b, "\"");
        buf_add_json_escaped(&b, k, strlen(k));
        buf_adds(&b, "\":\"");
        buf_add_json_escaped(&b, v, strlen(v));
        buf_adds(&b, "\"");
    }
    buf_adds(&b, "}");
    *json = buf_steal(&b, NULL);
    return 0;
}

int sts_read_policy_arns(svc_req_t *r, const qform_t *in, char **json)
{
    size_t n, i;
    buf_t b;

    *json = NULL;
    if (q_list_count(r, in, "PolicyArns", "arn", 10, &n) != 0)
        return -1;
    if (n == 0)
        return 0;
    buf_init(&b, 0);
    buf_adds(&b, "[");
    if (n == 0)
        return svc_error(r, IAM_E_NULL_AUDIENCE);
    for (i = 1; i <= n; i++) {
        const char *arn = qform_getf(in, "PolicyArns.member.%zu.arn", i);
        char *doc;
        if (strlen(arn) < 20 || strlen(arn) > 2048 ||
            authz_managed_document(r->emu, r->account, arn, &doc) != 0) {
            buf_free(&b);
            return svc_error(r, IAM_E_INVALID_PARAMETER_VALUE,
                             "The policy %.200s does not exist or is not attachable.", arn);
        }
        free(doc);
        buf_printf(&b, "%s\"", i > 1 ? "," : "");
        buf_add_json_escaped(&b, arn, strlen(arn));
        buf_adds(&b, "\"");
    }
    buf_adds(&b, "]");
    *json = buf_steal(&b, NULL);
    return 0;
}

int sts_read_session_policy(svc_req_t *r, const qform_t *in, size_t max, const char **policy)
{
    char err[256];
    policy_t *p;

    *policy = NULL;
    if (q_str(r, in, "Policy", 0, 1, max, policy) != 0)
        return -1;
    if (*policy == NULL)
        return 0;
    p = policy_parse(*policy, strlen(*policy), POLICY_IDENTITY, err, sizeof err);
    if (p == NULL)
        return svc_error(r, IAM_E_MALFORMED_POLICY_DOCUMENT, "%s", err);
    policy_free(p);
    return 0;
}

long long sts_packed_size(const char *policy, const char *arns, const char *tags)
{
    size_t n =
        (policy ? strlen(policy) : 0) + (arns ? strlen(arns) : 0) + (tags ? strlen(tags) : 0);

    return (long long)n * 100 / 2048;
}

int sts_check_packed(svc_req_t *r, const char *policy, const char *arns, const char *tags)
{
    long long pct = sts_packed_size(policy, arns, tags);

    if (pct > 100)
        return svc_error(r, IAM_E_PACKED_POLICY_TOO_LARGE,
                         "Packed policy consumes %lld%% of allotted space", pct);
    return 0;
}

/* AssumeRole's permission: sts:AssumeRole on the role under its trust
 * policy (which must allow), and sts:TagSession too when tags come. AWS
 * names no reason for a trust-policy denial. 0, or -1 with AccessDenied. */
static int authorize_assume(svc_req_t *r, const char *role_arn, const char *trust,
                            const char *name, const char *external, const char *source, int tags)
{
    static const char *const actions[] = {"sts:AssumeRole", "sts:TagSession"};
    const char *ext[1] = {external}, *sess[1] = {name}, *src[1] = {source};
    authz_key_t keys[3];
    size_t nk = 0, i;
    authz_t a;

    if (external)
        keys[nk++] = (authz_key_t){"sts:ExternalId", ext, 1, NULL, 0};
    keys[nk++] = (authz_key_t){"sts:RoleSessionName", sess, 1, NULL, 0};
    if (source)
        keys[nk++] = (authz_key_t){"sts:SourceIdentity", src, 1, NULL, 0};
    memset(&a, 0, sizeof a);
    a.resource = role_arn;
    a.resource_policy = trust;
    a.resource_trust = 1;
    a.resource_required = 1;
    a.keys = keys;
    a.nkeys = nk;
    /* session tags need sts:TagSession as well, from the trust policy
     * (and, when it delegates to the account, the caller's policies) */
    for (i = 0; i < (tags ? 2u : 1u); i++) {
        a.action = actions[i];
        if (authz_check(r, &a) == 0)
            continue;
        if (strstr(r->err_msg, "resource-based"))
            svc_error(r, IAM_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: %s on resource: %s", r->caller.arn,
                      actions[i], role_arn);
        return -1;
    }
    return 0;
}

static int assume_role(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *role_arn, *name, *policy = NULL, *external = NULL, *source = NULL, *slash;
    char role_name[128], role_id[32], actual_arn[AWS_ARN_BUF], *trust = NULL, *tags = NULL;
    char *arns = NULL, arn[AWS_ARN_BUF], uid[200];
    long duration = 3600, max_session = 3600;
    int has_duration = 0, rc = -1;
    sqlite3_stmt *st;
    sts_session_t s;

    if (q_str(r, in, "RoleArn", 1, 20, 2048, &role_arn) != 0 ||
        q_str(r, in, "RoleSessionName", 1, 2, 64, &name) != 0 ||
        q_charset(r, "RoleSessionName", name, NAME_CHARS, NAME_PATTERN) != 0 ||
        q_int(r, in, "DurationSeconds", 0, 900, 43200, &duration, &has_duration) != 0 ||
        q_str(r, in, "ExternalId", 0, 2, 1224, &external) != 0 ||
        q_str(r, in, "SourceIdentity", 0, 2, 64, &source) != 0 ||
        sts_read_session_policy(r, in, 0, &policy) != 0 ||
        sts_read_policy_arns(r, in, &arns) != 0 || read_tags(r, in, &tags) != 0 ||
        sts_check_packed(r, policy, arns, tags) != 0)
        goto out;
    /* arn:aws:iam::<account>:role/<path/>name */
    slash = strrchr(role_arn, '/');
    if (partition_arn_prefix(role_arn) == 0 ||
        strncmp(role_arn + partition_arn_prefix(role_arn), "iam::", 5) != 0 ||
        strstr(role_arn, ":role/") == NULL || slash == NULL ||
        strlen(slash + 1) >= sizeof role_name) {
        svc_error(r, IAM_E_VALIDATION_ERROR, "%.200s is invalid", role_arn);
        goto out;
    }
    str_copy(role_name, sizeof role_name, slash + 1);
    st = db_query(r->emu->db,
                  "SELECT id, arn, assume_policy, max_session FROM iam_roles WHERE "
                  "account=?1 AND name=?2",
                  "ss", r->account, role_name);
    if (st == NULL)
        goto internal;
    if (db_row(st) == 1 && !strcmp(db_text(st, 1), role_arn)) {
        str_copy(role_id, sizeof role_id, db_text(st, 0));
        str_copy(actual_arn, sizeof actual_arn, db_text(st, 1));
        trust = strdup(db_text(st, 2));
        max_session = sqlite3_column_int(st, 3);
        /* the name as created, not as asked */
        str_copy(role_name, sizeof role_name, strrchr(actual_arn, '/') + 1);
    }
    sqlite3_reset(st);
    /* AWS refuses the root user; with --iam off everyone signs as root, so
     * only enforcement applies the rule */
    if (r->emu->cfg->iam_enforce && r->caller.kind == PRINCIPAL_ROOT && trust) {
        svc_error(r, IAM_E_ACCESS_DENIED, "Roles may not be assumed by root accounts.");
        goto out;
    }
    if (trust == NULL) {
        svc_error(r, IAM_E_ACCESS_DENIED,
                  "User: %s is not authorized to perform: sts:AssumeRole on resource: %.300s",
                  r->caller.arn, role_arn);
        goto out;
    }
    if (authorize_assume(r, actual_arn, trust, name, external, source, tags != NULL) != 0)
        goto out;
    if (has_duration && duration > max_session) {
        svc_error(r, IAM_E_VALIDATION_ERROR,
                  "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                  "role.");
        goto out;
    }
    if (r->caller.kind == PRINCIPAL_ROLE_SESSION && duration > 3600) {
        svc_error(r, IAM_E_VALIDATION_ERROR,
                  "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                  "assumed by role chaining.");
        goto out;
    }
    snprintf(arn, sizeof arn, "arn:%s:sts::%s:assumed-role/%s/%s", IAM_PARTITION(r), r->account,
             role_name, name);
    snprintf(uid, sizeof uid, "%s:%s", role_id, name);
    memset(&s, 0, sizeof s);
    s.kind = "assumed-role";
    s.arn = arn;
    s.user_id = uid;
    s.role_arn = actual_arn;
    s.source_name = role_name;
    s.session_name = name;
    s.policy = policy;
    s.policy_arns = arns;
    s.tags = tags;
    s.source_identity = source;
    s.expires = r->now + (double)duration;
    if (source)
        xml_elem(out, "SourceIdentity", source);
    xml_open(out, "AssumedRoleUser");
    xml_elem(out, "AssumedRoleId", uid);
    xml_elem(out, "Arn", arn);
    xml_close(out, "AssumedRoleUser");
    if (sts_new_session(r, &s, out) != 0)
        goto out;
    xml_elem_int(out, "PackedPolicySize", sts_packed_size(policy, arns, tags));
    db_run(r->emu->db,
           "UPDATE iam_roles SET last_used=?3, last_used_region=?4 WHERE account=?1 AND name=?2",
           "ssds", r->account, role_name, r->now, r->region);
    rc = 0;
    goto out;
internal:
    svc_error(r, IAM_E_INTERNAL);
out:
    free(trust);
    free(tags);
    free(arns);
    return rc;
}

static int get_session_token(svc_req_t *r, const qform_t *in, buf_t *out)
{
    long duration = 43200;
    const char *serial = NULL, *code = NULL;
    sts_session_t s;

    if (q_int(r, in, "DurationSeconds", 0, 900, 129600, &duration, NULL) != 0 ||
        q_str(r, in, "SerialNumber", 0, 9, 256, &serial) != 0 ||
        q_str(r, in, "TokenCode", 0, 6, 6, &code) != 0)
        return -1;
    if (r->caller.temporary)
        return svc_error(r, IAM_E_ACCESS_DENIED,
                         "Cannot call GetSessionToken with session credentials");
    memset(&s, 0, sizeof s);
    if (r->caller.kind == PRINCIPAL_ROOT) {
        s.kind = "root";
        if (duration > 3600)
            duration = 3600; /* root sessions last at most an hour */
    } else {
        s.kind = "session";
    }
    s.arn = r->caller.arn;
    s.user_id = r->caller.user_id;
    s.source_name = r->caller.name;
    s.expires = r->now + (double)duration;
    return sts_new_session(r, &s, out);
}

/* Credentials for a federated user: what the calling IAM user (or root)
 * may do, limited by the session policies passed (none: nothing). */
static int get_federation_token(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *name, *policy = NULL;
    char *arns = NULL, *tags = NULL, arn[600], uid[200];
    long duration = 43200;
    int rc = -1;
    sts_session_t s;
    authz_t a;

    if (q_str(r, in, "Name", 1, 2, 32, &name) != 0 ||
        q_charset(r, "Name", name, NAME_CHARS, NAME_PATTERN) != 0 ||
        q_int(r, in, "DurationSeconds", 0, 900, 129600, &duration, NULL) != 0 ||
        sts_read_session_policy(r, in, 2048, &policy) != 0 ||
        sts_read_policy_arns(r, in, &arns) != 0 || read_tags(r, in, &tags) != 0 ||
        sts_check_packed(r, policy, arns, tags) != 0)
        goto out;
    if (r->caller.temporary) {
        svc_error(r, IAM_E_ACCESS_DENIED,
                  "Cannot call GetFederationToken with session credentials");
        goto out;
    }
    snprintf(arn, sizeof arn, "arn:%s:sts::%s:federated-user/%s", IAM_PARTITION(r), r->account,
             name);
    snprintf(uid, sizeof uid, "%s:%s", r->account, name);
    memset(&a, 0, sizeof a);
    a.action = "sts:GetFederationToken";
    a.resource = arn;
    if (authz_check(r, &a) != 0)
        goto out;
    a.action = "sts:TagSession";
    if (tags && authz_check(r, &a) != 0)
        goto out;
    memset(&s, 0, sizeof s);
    s.kind = "federated-user";
    s.arn = arn;
    s.user_id = uid;
    /* the user whose permissions the session narrows; "" for root */
    s.source_name = r->caller.kind == PRINCIPAL_USER ? r->caller.name : "";
    s.session_name = name;
    s.policy = policy;
    s.policy_arns = arns;
    s.tags = tags;
    if (r->caller.kind == PRINCIPAL_ROOT && duration > 3600)
        duration = 3600; /* the root user's federated sessions last an hour at most */
    s.expires = r->now + (double)duration;
    if (sts_new_session(r, &s, out) != 0)
        goto out;
    xml_open(out, "FederatedUser");
    xml_elem(out, "FederatedUserId", uid);
    xml_elem(out, "Arn", arn);
    xml_close(out, "FederatedUser");
    xml_elem_int(out, "PackedPolicySize", sts_packed_size(policy, arns, tags));
    rc = 0;
out:
    free(tags);
    free(arns);
    return rc;
}

static int get_access_key_info(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *ak;

    if (q_str(r, in, "AccessKeyId", 1, 16, 128, &ak) != 0 ||
        q_charset(r, "AccessKeyId", ak, "", "[\\w]*") != 0)
        return -1;
    xml_elem(out, "Account", r->account);
    return 0;
}

/* Encoded authorization messages: base64 of the decision JSON sealed under
 * the master key (AAD "awsemu-authz"), so only this awsemu reads them. */
static int decode_authorization_message(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *msg;
    uint8_t *raw = NULL, *pt = NULL;
    long n;
    int rc;
    authz_t a;

    if (q_str(r, in, "EncodedMessage", 1, 1, 10240, &msg) != 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.action = "sts:DecodeAuthorizationMessage";
    a.resource = "*";
    if (authz_check(r, &a) != 0)
        return -1;
    raw = malloc(strlen(msg) + 4);
    n = raw ? codec_b64_decode(msg, strlen(msg), raw) : -1;
    if (n <= ENVELOPE_OVERHEAD || (pt = malloc((size_t)n)) == NULL ||
        keyring_open(r->emu->master_key, KEYRING_AUTHZ_MESSAGE, NULL, 0, raw, (size_t)n, pt) != 0) {
        rc = svc_error(r, IAM_E_INVALID_AUTHORIZATION_MESSAGE,
                       "The message is invalid or was not issued by this service.");
    } else {
        xml_elem_n(out, "DecodedMessage", (const char *)pt, (size_t)n - ENVELOPE_OVERHEAD);
        rc = 0;
    }
    free(raw);
    free(pt);
    return rc;
}

/* Features of AWS Organizations and of outbound identity federation that a
 * standalone account does not have: their operations validate their input
 * and then answer as AWS answers such an account. */
static int assume_root(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *target, *task;
    long duration = 900;

    (void)out;
    if (q_str(r, in, "TargetPrincipal", 1, 12, 2048, &target) != 0 ||
        q_str(r, in, "TaskPolicyArn.arn", 1, 20, 2048, &task) != 0 ||
        q_int(r, in, "DurationSeconds", 0, 0, 900, &duration, NULL) != 0)
        return -1;
    return svc_error(r, IAM_E_ACCESS_DENIED,
                     "User: %s is not authorized to perform: sts:AssumeRoot on resource: %.100s "
                     "because the account is not the management account of an organization "
                     "with centralized root access (RootSessions) enabled",
                     r->caller.arn, target);
}

static int get_delegated_access_token(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *token;

    (void)out;
    if (q_str(r, in, "TradeInToken", 1, 1, 8192, &token) != 0)
        return -1;
    /* no delegation request was ever approved here: no token is valid */
    return svc_error(r, IAM_E_EXPIRED_TRADE_IN_TOKEN,
                     "The trade-in token provided in the request has expired and can no longer "
                     "be exchanged for credentials. Request a new token and retry the operation.");
}

static int get_web_identity_token(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *alg, *aud;
    char name[64];
    long duration = 300;
    size_t n, i;

    (void)out;
    if (q_list_count(r, in, "Audience", NULL, 10, &n) != 0 ||
        q_str(r, in, "SigningAlgorithm", 1, 5, 5, &alg) != 0 ||
        q_int(r, in, "DurationSeconds", 0, 60, 3600, &duration, NULL) != 0)
        return -1;
    if (n == 0)
        return svc_error(r, IAM_E_NULL_AUDIENCE);
    for (i = 1; i <= n; i++) {
        snprintf(name, sizeof name, "Audience.member.%zu", i);
        if (q_str(r, in, name, 1, 1, 1000, &aud) != 0)
            return -1;
    }
    if (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES384") != 0)
        return svc_error(r, IAM_E_VALIDATION_ERROR,
                         "1 validation error detected: Value '%s' at 'signingAlgorithm' failed "
                         "to satisfy constraint: Member must satisfy enum value set: "
                         "[RS256, ES384]",
                         alg);
    return svc_error(r, IAM_E_OUTBOUND_WEB_IDENTITY_FEDERATION_DISABLED,
                     "The outbound web identity federation feature is not enabled for this "
                     "account. To use this feature, you must first enable it through the "
                     "Amazon Web Services Management Console or API.");
}

/* AssumeRole, GetFederationToken and DecodeAuthorizationMessage check
 * their input before their permission, as AWS answers a malformed request
 * with its ValidationError whoever asks, and each decides on more than the
 * row names (the role's trust policy, sts:TagSession when tags come, the
 * federated user's ARN): OP_AUTHZ_SELF. GetSessionToken needs no
 * permission (AWS), the web-identity and SAML calls are made unsigned, and
 * the operations of features a standalone account lacks answer the same
 * whatever the policies: OP_NO_AUTHZ. The limits on session and federated
 * credentials apply to every row with an action (authz_request). */
static const svc_op_t ops[] = {
    SVC_OP("AssumeRole", query, assume_role, "sts:AssumeRole", NULL, OP_AUTHZ_SELF),
    SVC_OP("AssumeRoleWithSAML", query, sts_assume_role_with_saml, "sts:AssumeRoleWithSAML", NULL,
           OP_NO_AUTHZ | OP_UNSIGNED),
    SVC_OP("AssumeRoleWithWebIdentity", query, sts_assume_role_with_web_identity,
           "sts:AssumeRoleWithWebIdentity", NULL, OP_NO_AUTHZ | OP_UNSIGNED),
    SVC_OP("AssumeRoot", query, assume_root, "sts:AssumeRoot", NULL, OP_NO_AUTHZ),
    SVC_OP("DecodeAuthorizationMessage", query, decode_authorization_message,
           "sts:DecodeAuthorizationMessage", NULL, OP_AUTHZ_SELF),
    SVC_OP("GetAccessKeyInfo", query, get_access_key_info, "sts:GetAccessKeyInfo", NULL, 0),
    SVC_OP("GetCallerIdentity", query, get_caller_identity, NULL, NULL, OP_NO_AUTHZ),
    SVC_OP("GetDelegatedAccessToken", query, get_delegated_access_token,
           "sts:GetDelegatedAccessToken", NULL, OP_NO_AUTHZ),
    SVC_OP("GetFederationToken", query, get_federation_token, "sts:GetFederationToken", NULL,
           OP_AUTHZ_SELF),
    SVC_OP("GetSessionToken", query, get_session_token, "sts:GetSessionToken", NULL, OP_NO_AUTHZ),
    SVC_OP("GetWebIdentityToken", query, get_web_identity_token, "sts:GetWebIdentityToken", NULL,
           OP_NO_AUTHZ),
};

static const char *const signing_names[] = {"sts", NULL};

const svc_def_t sts_def = {
    .name = "sts",
    .signing_names = signing_names,
    .proto = SVC_QUERY,
    .version = "2011-06-15",
    .xmlns = STS_XMLNS,
    .ops = ops,
    .nops = sizeof ops / sizeof ops[0],
    .shutdown = sts_saml_shutdown,
};
