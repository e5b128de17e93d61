/* sts_saml.c — AssumeRoleWithSAML, verified as AWS verifies it: the
 * assertion's XML signature against the signing certificates of the SAML
 * provider's metadata (by the SAML plugin, sts_saml_plugin.h: xmlsec1 with
 * OpenSSL, loaded at the first call), the audience and recipient
 * https://signin.aws.amazon.com/saml, NotBefore / NotOnOrAfter on the
 * emulator clock, the Role attribute naming the role and provider,
 * RoleSessionName, and the role's trust policy (SAML:aud, SAML:sub,
 * SAML:iss, ...). Only the node the signature covers is read, and only one
 * assertion is taken, so a wrapped assertion is never believed. */
#include "services/iam/iam_int.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/codec.h"
#include "base/log.h"
#include "base/plugin.h"
#include "services/iam/iam_saml_meta.h"
#include "services/iam/sts_saml_plugin.h"
#include "storage/db.h"

#define AWS_SAML "https://signin.aws.amazon.com/saml"
#define SAML_MAX 100000 /* SAMLAssertionType's model maximum */

/* AWS's texts, as users quote them (InvalidIdentityToken). */
#define E_TOKEN IAM_E_INVALID_IDENTITY_TOKEN
#define MSG_SIGNATURE "Response signature invalid"
#define E_DENIED 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"
/* Not AWS's: the plugin that verifies signatures did not load (the server
 * log says why). InternalFailure, as STS's common errors name a failure of
 * the service. */
#define E_NO_PLUGIN                                                                                \
    500, "InternalFailure",                                                                        \
        "AssumeRoleWithSAML is unavailable: awsemu could not load its SAML plugin "                \
        "(awsemu-saml.so); the server log says why"

static const void *saml;

/* The SAML plugin, loaded at the first call (and again after a failure,
 * so one installed later is found). NULL when it cannot be, logged. */
static const saml_plugin_t *saml_plugin(void)
{
    return plugin_table(&saml, "saml", SAML_PLUGIN_SYMBOL, SAML_PLUGIN_ABI,
                        "AssumeRoleWithSAML");
}

void sts_saml_shutdown(emu_t *emu)
{
    (void)emu;
    if (saml)
        ((const saml_plugin_t *)saml)->shutdown();
}

/* An xs:dateTime (2026-12-07T23:00:00Z, fractions allowed) as seconds. */
static double xml_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm);
}

/* 1 when one of the Role attribute's values "role,provider" (either
 * order) names role_arn with provider_arn. */
static int role_paired(const saml_claims_t *c, const char *role_arn, const char *provider_arn)
{
    size_t i, rn = strlen(role_arn), pn = strlen(provider_arn);

    for (i = 0; i < c->nroles; i++) {
        const char *t = c->roles[i], *comma = strchr(t, ',');
        size_t n = comma ? (size_t)(comma - t) : 0;
        if (comma && ((n == rn && !strncmp(t, role_arn, n) && !strcmp(comma + 1, provider_arn)) ||
                      (n == pn && !strncmp(t, provider_arn, n) && !strcmp(comma + 1, role_arn))))
            return 1;
    }
    return 0;
}

/* An audience AWS takes: its sign-in endpoint (global or regional) or
 * urn:amazon:webservices. */
static int aws_audience(const char *a)
{
    size_t n = a ? strlen(a) : 0;

    return a && (!strcmp(a, AWS_SAML) || !strcmp(a, "urn:amazon:webservices") ||
                 (!strncmp(a, "https://", 8) && n > 30 &&
                  !strcmp(a + n - 27, ".signin.aws.amazon.com/saml")));
}

/* Conditions (time window, audience) and the subject's confirmation data
 * (recipient, NotOnOrAfter). 0 or the error. */
static int check_conditions(svc_req_t *r, const saml_claims_t *c)
{
    double before = xml_time(c->not_before), after = xml_time(c->not_on_or_after);
    double sub_after = xml_time(c->confirm_not_on_or_after);
    double not_on_or_after = sub_after > 0 ? sub_after : after;
    size_t i;
    int aud = 0;

    for (i = 0; i < c->naudiences; i++)
        aud |= aws_audience(c->audiences[i]);
    if (!c->has_conditions || !aud)
        return svc_error(r, E_TOKEN,
                         "Audience restriction failed: the assertion is not "
                         "addressed to " AWS_SAML);
    if (c->recipient == NULL || !aws_audience(c->recipient))
        return svc_error(r, E_TOKEN, "SubjectConfirmationData Recipient must be " AWS_SAML);
    if (before > 0 && before > r->now + 300) /* AWS allows 5 minutes of skew */
        return svc_error(r, E_TOKEN, "Assertion is not yet valid (NotBefore)");
    if (not_on_or_after <= 0 || not_on_or_after <= r->now)
        return svc_error(r, 400, "ExpiredTokenException",
                         "Token expired: current date/time %lld must be before the expiration "
                         "date/time%lld",
                         (long long)r->now, (long long)not_on_or_after);
    return 0;
}

/* "persistent" for urn:oasis:names:tc:SAML:2.0:nameid-format:persistent
 * (and transient), else the format itself (AssumeRoleWithSAML reference,
 * SubjectType). */
static const char *subject_type(const char *format)
{
    static const char pre[] = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

    if (format && !strncmp(format, pre, sizeof pre - 1) &&
        (!strcmp(format + sizeof pre - 1, "persistent") ||
         !strcmp(format + sizeof pre - 1, "transient")))
        return format + sizeof pre - 1;
    return format ? format : "unspecified";
}

/* The trust policy must allow sts:AssumeRoleWithSAML for Principal
 * {"Federated": <provider ARN>} with SAML:aud, SAML:sub, SAML:sub_type,
 * SAML:iss and SAML:namequalifier (IAM User Guide, "Available keys for
 * SAML-based AWS STS federation"). */
static int check_trust(svc_req_t *r, const sts_role_t *role, const char *provider,
                       const saml_claims_t *c, const char *qualifier)
{
    const char *aud[1] = {c->recipient}, *sub[1] = {c->subject};
    const char *typ[1] = {subject_type(c->subject_format)}, *iss[1] = {c->issuer};
    const char *nq[1] = {qualifier};
    policy_ctx_t ctx[5];
    policy_request_t q;
    size_t n = 0;
    char err[256];
    policy_t *p = policy_parse(role->trust, strlen(role->trust), POLICY_TRUST, err, sizeof err);
    enum policy_effect e;

    if (p == NULL)
        return svc_error(r, E_DENIED);
    ctx[n++] = (policy_ctx_t){"SAML:aud", aud, 1, NULL, 0};
    if (c->subject)
        ctx[n++] = (policy_ctx_t){"SAML:sub", sub, 1, NULL, 0};
    ctx[n++] = (policy_ctx_t){"SAML:sub_type", typ, 1, NULL, 0};
    if (c->issuer)
        ctx[n++] = (policy_ctx_t){"SAML:iss", iss, 1, NULL, 0};
    ctx[n++] = (policy_ctx_t){"SAML:namequalifier", nq, 1, NULL, 0};
    memset(&q, 0, sizeof q);
    q.action = "sts:AssumeRoleWithSAML";
    q.resource = role->arn;
    q.principal_arn = provider;
    q.ctx = ctx;
    q.nctx = n;
    e = policy_eval(p, &q, NULL);
    policy_free(p);
    return e == POLICY_ALLOW ? 0 : svc_error(r, E_DENIED);
}

/* NameQualifier: base64(SHA-1(issuer + account id + "/" + provider name)). */
static void name_qualifier(svc_req_t *r, const char *issuer, const char *provider, char out[40])
{
    unsigned char md[SHA_DIGEST_LENGTH];
    const char *pname = strrchr(provider, '/');
    char buf[1200];
    int n = snprintf(buf, sizeof buf, "%s%s/%s", issuer ? issuer : "", r->account,
                     pname ? pname + 1 : "");

    SHA1((const unsigned char *)buf, n > 0 && (size_t)n < sizeof buf ? (size_t)n : 0, md);
    codec_b64_encode(md, sizeof md, out);
}

/* The provider's metadata (malloc'd); InvalidIdentityToken when the
 * account has no such SAML provider. */
static char *provider_metadata(svc_req_t *r, const char *arn)
{
    sqlite3_stmt *st = iam_stmt(r,
                                "SELECT metadata FROM iam_saml_providers WHERE arn=?1 AND "
                                "account=?2",
                                "ss", arn, r->account);
    char *md = NULL;

    if (st == NULL)
        return NULL;
    if (db_row(st) == 1)
        md = strdup(db_text(st, 0));
    sqlite3_reset(st);
    if (md == NULL)
        svc_error(r, E_TOKEN, "Specified provider doesn't exist.");
    return md;
}

/* The decoded Response (base64, line breaks allowed; malloc'd, *n bytes),
 * or NULL. */
static char *decode_response(const char *b64, size_t *n)
{
    size_t len = strlen(b64), i, j = 0;
    char *clean = malloc(len + 1);
    uint8_t *raw = malloc(len / 4 * 3 + 4);
    long got = -1;

    if (clean && raw) {
        for (i = 0; i < len; i++)
            if (b64[i] != '\n' && b64[i] != '\r' && b64[i] != ' ')
                clean[j++] = b64[i];
        got = codec_b64_decode(clean, j, raw);
    }
    free(clean);
    if (got <= 0) {
        free(raw);
        return NULL;
    }
    *n = (size_t)got;
    return (char *)raw;
}

/* The claims of the one Assertion of the Response, covered by a signature
 * that verifies with the provider's signing certificates (the SAML
 * plugin's work). 0, or -1 with the error set (claims left empty). */
static int verified_claims(svc_req_t *r, const saml_plugin_t *p, const char *b64,
                           const char *metadata, saml_claims_t *c /* OUT */)
{
    saml_cert_t certs[IAM_SAML_MAX_CERTS];
    iam_saml_meta_t m;
    size_t n = 0, i;
    char *xml = decode_response(b64, &n);
    int st = SAML_E_NOT_RESPONSE;

    memset(c, 0, sizeof *c);
    memset(&m, 0, sizeof m);
    if (xml != NULL) {
        if (iam_saml_meta_parse(metadata, strlen(metadata), &m) != 0)
            m.ncerts = 0;
        for (i = 0; i < m.ncerts; i++)
            certs[i] = (saml_cert_t){m.certs[i].der, m.certs[i].len};
        st = p->verify(xml, n, certs, m.ncerts, c);
        iam_saml_meta_free(&m);
    }
    free(xml);
    switch (st) {
    case SAML_OK:
        return 0;
    case SAML_E_NOT_RESPONSE:
        return svc_error(r, E_TOKEN, "Invalid SAML response: not a SAML 2.0 Response");
    case SAML_E_ASSERTIONS:
        return svc_error(r, E_TOKEN,
                         "Invalid SAML response: exactly one unencrypted Assertion needed");
    case SAML_E_SIGNATURE:
        return svc_error(r, E_TOKEN, MSG_SIGNATURE);
    default:
        log_msg("AssumeRoleWithSAML: the SAML plugin failed (%d)", st);
        return svc_error(r, IAM_E_INTERNAL);
    }
}

/* 1 when s is a RoleSessionName AWS takes: [\w+=,.@-]{2,64}. */
static int session_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0, i;

    if (n < 2 || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_+=,.@-", s[i]))
            return 0;
    return 1;
}

/* The session and the answer. */
static int answer(svc_req_t *r, const sts_role_t *role, const char *provider,
                  const saml_claims_t *c, long duration, const char *policy, const char *arns,
                  buf_t *out)
{
    char nq[40];

    if (sts_federated_session(r, role, c->session, duration, policy, arns, NULL, out) != 0)
        return -1;
    name_qualifier(r, c->issuer, provider, nq);
    if (c->subject)
        xml_elem(out, "Subject", c->subject);
    xml_elem(out, "SubjectType", subject_type(c->subject_format));
    if (c->issuer)
        xml_elem(out, "Issuer", c->issuer);
    xml_elem(out, "Audience", c->recipient);
    xml_elem(out, "NameQualifier", nq);
    return 0;
}

int sts_assume_role_with_saml(svc_req_t *r, const qform_t *in, buf_t *out)
{
    const char *role_arn, *provider, *assertion_b64, *policy = NULL;
    char *arns = NULL, *metadata = NULL, nq[40];
    long duration = 3600;
    int has_duration = 0, rc = -1;
    const saml_plugin_t *p = NULL;
    saml_claims_t c;
    sts_role_t role;

    memset(&c, 0, sizeof c);
    memset(&role, 0, sizeof role);
    if (q_str(r, in, "RoleArn", 1, 20, 2048, &role_arn) != 0 ||
        q_str(r, in, "PrincipalArn", 1, 20, 2048, &provider) != 0 ||
        q_str(r, in, "SAMLAssertion", 1, 4, SAML_MAX, &assertion_b64) != 0 ||
        q_int(r, in, "DurationSeconds", 0, 900, 43200, &duration, &has_duration) != 0 ||
        sts_read_session_policy(r, in, 2048, &policy) != 0 ||
        sts_read_policy_arns(r, in, &arns) != 0 || sts_check_packed(r, policy, arns, NULL) != 0)
        goto out;
    if ((p = saml_plugin()) == NULL) {
        svc_error(r, E_NO_PLUGIN);
        goto out;
    }
    if ((metadata = provider_metadata(r, provider)) == NULL ||
        verified_claims(r, p, assertion_b64, metadata, &c) != 0 || check_conditions(r, &c) != 0)
        goto out;
    if (!session_name_ok(c.session)) {
        svc_error(r, E_TOKEN,
                  "RoleSessionName in AuthnResponse must match "
                  "[a-zA-Z_0-9+=,.@-]{2,64}");
        goto out;
    }
    if (!role_paired(&c, role_arn, provider)) {
        svc_error(r, E_DENIED);
        goto out;
    }
    name_qualifier(r, c.issuer, provider, nq);
    if (sts_find_role(r, role_arn, "sts:AssumeRoleWithSAML", &role) != 0 ||
        check_trust(r, &role, provider, &c, nq) != 0)
        goto out;
    if (has_duration && duration > role.max_session) {
        svc_error(r, IAM_E_VALIDATION_ERROR,
                  "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                  "role.");
        goto out;
    }
    rc = answer(r, &role, provider, &c, duration, policy, arns, out);
out:
    if (p)
        p->claims_free(&c);
    free(metadata);
    free(role.trust);
    free(arns);
    return rc;
}
