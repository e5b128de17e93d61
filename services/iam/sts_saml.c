/* sts_saml.c — AssumeRoleWithSAML, verified as AWS verifies it: the
 * assertion's XML signature (xmlsec1 with OpenSSL: exclusive C14N and the
 * enveloped-signature transform are xmlsec's, not reimplemented here)
 * against the signing certificates of the SAML provider's metadata, the
 * audience and recipient https://signin.aws.amazon.com/saml, NotBefore /
 * NotOnOrAfter on the emulator clock, the Role attribute naming the role
 * and provider, RoleSessionName, and the role's trust policy (SAML:aud,
 * SAML:sub, SAML:iss, ...). Only the node the signature covers is read,
 * and only one assertion is taken, so a wrapped assertion is never
 * believed. */
#include "services/iam/iam_int.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "base/clock.h"
#include "base/codec.h"
#include "services/iam/iam_saml_meta.h"
#include "storage/db.h"

#define NS_SAML "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define AWS_SAML "https://signin.aws.amazon.com/saml"
#define ATTR_ROLE "https://aws.amazon.com/SAML/Attributes/Role"
#define ATTR_SESSION "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
#define SAML_MAX 100000 /* SAMLAssertionType's model maximum */

/* AWS's texts, as users quote them (InvalidIdentityToken). */
#define E_TOKEN IAM_E_INVALID_IDENTITY_TOKEN
#define MSG_SIGNATURE "Response signature invalid"
#define E_DENIED 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"

static int xmlsec_ready;

/* xmlsec reports every failed check on stderr; the client gets AWS's
 * error instead, so its reports are dropped. */
static void quiet(const char *file, int line, const char *func, const char *obj, const char *subj,
                  int reason, const char *msg)
{
    (void)file, (void)line, (void)func, (void)obj, (void)subj, (void)reason, (void)msg;
}

/* xmlsec and its OpenSSL engine, once. 0 or -1. */
static int saml_init(void)
{
    if (xmlsec_ready)
        return xmlsec_ready > 0 ? 0 : -1;
    xmlInitParser();
    xmlsec_ready = xmlSecInit() == 0 && xmlSecCheckVersion() == 1 &&
                           xmlSecCryptoAppInit(NULL) == 0 && xmlSecCryptoInit() == 0
                       ? 1
                       : -1;
    xmlSecErrorsSetCallback(quiet);
    return xmlsec_ready > 0 ? 0 : -1;
}

void sts_saml_shutdown(emu_t *emu)
{
    (void)emu;
    if (xmlsec_ready > 0) {
        xmlSecCryptoShutdown();
        xmlSecCryptoAppShutdown();
        xmlSecShutdown();
    }
    xmlsec_ready = 0;
}

/* The first element child of n named name in namespace ns, or NULL. */
static xmlNodePtr child(xmlNodePtr n, const char *name, const char *ns)
{
    return n ? xmlSecFindChild(n, BAD_CAST name, BAD_CAST ns) : NULL;
}

/* An attribute's value (libxml2's, free with xmlFree), or NULL. */
static char *attr(xmlNodePtr n, const char *name)
{
    return n ? (char *)xmlGetProp(n, BAD_CAST name) : NULL;
}

/* Parses an XML document without the network, DTD loading or entity
 * expansion. */
static xmlDocPtr parse(const char *text, size_t n)
{
    return xmlReadMemory(text, (int)n, "saml.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* The IdP's signing certificates as xmlsec keys: iam_saml_meta_parse()
 * (the one metadata parser, CreateSAMLProvider's) finds them, xmlsec loads
 * them for the signature check. Returns how many. */
static int signing_keys(const char *metadata, xmlSecKeyPtr *keys, int max)
{
    iam_saml_meta_t m;
    size_t i;
    int n = 0;

    if (iam_saml_meta_parse(metadata, strlen(metadata), &m) != 0)
        return 0;
    for (i = 0; i < m.ncerts && n < max; i++) {
        keys[n] = xmlSecCryptoAppKeyLoadMemory(m.certs[i].der, (xmlSecSize)m.certs[i].len,
                                               xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
        if (keys[n])
            n++;
    }
    iam_saml_meta_free(&m);
    return n;
}

/* The ds:Signature that is a child of node, whose one Reference names node
 * by its ID (registered as an ID here), or NULL. */
static xmlNodePtr covering_signature(xmlDocPtr doc, xmlNodePtr node)
{
    xmlNodePtr sig = child(node, "Signature", NS_DS), ref;
    char *id = attr(node, "ID"), *uri;
    int ok;

    ref = child(child(sig, "SignedInfo", NS_DS), "Reference", NS_DS);
    uri = attr(ref, "URI");
    ok = id && uri && uri[0] == '#' && strcmp(uri + 1, id) == 0 &&
         xmlAddID(NULL, doc, BAD_CAST id, xmlHasProp(node, BAD_CAST "ID")) != NULL;
    xmlFree(id);
    xmlFree(uri);
    return ok ? sig : NULL;
}

/* Only what SAML IdPs sign with: no XPath or XSLT transforms (which can
 * hide content or cost without bound), no retrieval. 0 or -1. */
static int allow_transforms(xmlSecDSigCtxPtr ctx)
{
    xmlSecTransformId ref[] = {xmlSecTransformEnvelopedId,
                               xmlSecTransformExclC14NId,
                               xmlSecTransformExclC14NWithCommentsId,
                               xmlSecTransformInclC14NId,
                               xmlSecTransformInclC14NWithCommentsId,
                               xmlSecTransformSha1Id,
                               xmlSecTransformSha256Id,
                               xmlSecTransformSha384Id,
                               xmlSecTransformSha512Id};
    xmlSecTransformId sig[] = {xmlSecTransformExclC14NId,    xmlSecTransformExclC14NWithCommentsId,
                               xmlSecTransformInclC14NId,    xmlSecTransformInclC14NWithCommentsId,
                               xmlSecTransformRsaSha1Id,     xmlSecTransformRsaSha256Id,
                               xmlSecTransformRsaSha384Id,   xmlSecTransformRsaSha512Id,
                               xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
                               xmlSecTransformEcdsaSha512Id};
    size_t i;

    for (i = 0; i < sizeof ref / sizeof ref[0]; i++)
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, ref[i]) < 0)
            return -1;
    for (i = 0; i < sizeof sig / sizeof sig[0]; i++)
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, sig[i]) < 0)
            return -1;
    return 0;
}

/* 1 when sig verifies with one of keys and covers exactly one reference. */
static int verify(xmlNodePtr sig, xmlSecKeyPtr *keys, int nkeys)
{
    int i, ok = 0;

    for (i = 0; i < nkeys && !ok; i++) {
        xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
        if (ctx == NULL)
            break;
        ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
        ctx->signKey = xmlSecKeyDuplicate(keys[i]);
        ok = ctx->signKey && allow_transforms(ctx) == 0 && xmlSecDSigCtxVerify(ctx, sig) == 0 &&
             ctx->status == xmlSecDSigStatusSucceeded &&
             xmlSecPtrListGetSize(&ctx->signedInfoReferences) == 1;
        xmlSecDSigCtxDestroy(ctx);
    }
    return ok;
}

/* What the assertion says, once verified. */
typedef struct {
    char *issuer, *subject, *subject_format, *session, *recipient;
    double not_on_or_after;
    int role_ok;
} claims_t;

static void claims_free(claims_t *c)
{
    xmlFree(c->issuer);
    xmlFree(c->subject);
    xmlFree(c->subject_format);
    xmlFree(c->session);
    xmlFree(c->recipient);
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

/* The text of the first element named name (ns) under n, or NULL. */
static char *text_of(xmlNodePtr n)
{
    return n ? (char *)xmlNodeGetContent(n) : NULL;
}

/* The Role attribute's values "role,provider" (either order): 1 when one
 * names role_arn with provider_arn; RoleSessionName into c->session. */
static void read_attributes(xmlNodePtr assertion, const char *role_arn, const char *provider_arn,
                            claims_t *c)
{
    xmlNodePtr st, a, v;

    for (st = assertion->children; st; st = st->next) {
        if (!xmlSecCheckNodeName(st, BAD_CAST "AttributeStatement", BAD_CAST NS_SAML))
            continue;
        for (a = st->children; a; a = a->next) {
            char *name = attr(a, "Name");
            int role = name && !strcmp(name, ATTR_ROLE), sess = name && !strcmp(name, ATTR_SESSION);
            xmlFree(name);
            if (!xmlSecCheckNodeName(a, BAD_CAST "Attribute", BAD_CAST NS_SAML) || !(role || sess))
                continue;
            for (v = a->children; v; v = v->next) {
                char *t;
                if (!xmlSecCheckNodeName(v, BAD_CAST "AttributeValue", BAD_CAST NS_SAML))
                    continue;
                t = text_of(v);
                if (sess && c->session == NULL) {
                    c->session = t;
                    continue;
                }
                if (t) {
                    char *comma = strchr(t, ',');
                    if (comma) {
                        *comma = '\0';
                        c->role_ok |= (!strcmp(t, role_arn) && !strcmp(comma + 1, provider_arn)) ||
                                      (!strcmp(t, provider_arn) && !strcmp(comma + 1, role_arn));
                    }
                }
                xmlFree(t);
            }
        }
    }
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
static int check_conditions(svc_req_t *r, xmlNodePtr assertion, claims_t *c)
{
    xmlNodePtr cond = child(assertion, "Conditions", NS_SAML), ar, au;
    xmlNodePtr subj = child(assertion, "Subject", NS_SAML), name = child(subj, "NameID", NS_SAML);
    xmlNodePtr scd =
        child(child(subj, "SubjectConfirmation", NS_SAML), "SubjectConfirmationData", NS_SAML);
    char *nb = attr(cond, "NotBefore"), *na = attr(cond, "NotOnOrAfter");
    char *sna = attr(scd, "NotOnOrAfter");
    double before = xml_time(nb), after = xml_time(na), sub_after = xml_time(sna);
    int aud = 0;

    xmlFree(nb);
    xmlFree(na);
    xmlFree(sna);
    for (ar = cond ? cond->children : NULL; ar; ar = ar->next)
        for (au = xmlSecCheckNodeName(ar, BAD_CAST "AudienceRestriction", BAD_CAST NS_SAML)
                      ? ar->children
                      : NULL;
             au; au = au->next) {
            char *t =
                xmlSecCheckNodeName(au, BAD_CAST "Audience", BAD_CAST NS_SAML) ? text_of(au) : NULL;
            aud |= aws_audience(t);
            xmlFree(t);
        }
    c->issuer = text_of(child(assertion, "Issuer", NS_SAML));
    c->subject = text_of(name);
    c->subject_format = attr(name, "Format");
    c->recipient = attr(scd, "Recipient");
    c->not_on_or_after = sub_after > 0 ? sub_after : after;
    if (cond == NULL || !aud)
        return svc_error(r, E_TOKEN,
                         "Audience restriction failed: the assertion is not "
                         "addressed to " AWS_SAML);
    if (c->recipient == NULL || !aws_audience(c->recipient))
        return svc_error(r, E_TOKEN, "SubjectConfirmationData Recipient must be " AWS_SAML);
    if (before > 0 && before > r->now + 300) /* AWS allows 5 minutes of skew */
        return svc_error(r, E_TOKEN, "Assertion is not yet valid (NotBefore)");
    if (c->not_on_or_after <= 0 || c->not_on_or_after <= r->now)
        return svc_error(r, 400, "ExpiredTokenException",
                         "Token expired: current date/time %lld must be before the expiration "
                         "date/time%lld",
                         (long long)r->now, (long long)c->not_on_or_after);
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
                       const claims_t *c, const char *qualifier)
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

/* The decoded assertion document (base64, line breaks allowed). */
static xmlDocPtr decode_response(const char *b64)
{
    size_t n = strlen(b64), i, j = 0;
    char *clean = malloc(n + 1);
    uint8_t *raw = malloc(n / 4 * 3 + 4);
    xmlDocPtr doc = NULL;
    long len;

    if (clean && raw) {
        for (i = 0; i < n; i++)
            if (b64[i] != '\n' && b64[i] != '\r' && b64[i] != ' ')
                clean[j++] = b64[i];
        len = codec_b64_decode(clean, j, raw);
        if (len > 0)
            doc = parse((const char *)raw, (size_t)len);
    }
    free(clean);
    free(raw);
    return doc;
}

/* The one Assertion of the Response, covered by a signature that
 * verifies with the provider's keys. NULL with the error set. */
static xmlNodePtr verified_assertion(svc_req_t *r, xmlDocPtr doc, const char *metadata)
{
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, a, n, sig;
    xmlSecKeyPtr keys[8];
    int nkeys, ok, count = 0, i;

    if (root == NULL || !xmlSecCheckNodeName(root, BAD_CAST "Response", BAD_CAST NS_SAMLP)) {
        svc_error(r, E_TOKEN, "Invalid SAML response: not a SAML 2.0 Response");
        return NULL;
    }
    for (n = root->children, a = NULL; n; n = n->next)
        if (xmlSecCheckNodeName(n, BAD_CAST "Assertion", BAD_CAST NS_SAML) && count++ == 0)
            a = n;
    if (a == NULL || count != 1) {
        svc_error(r, E_TOKEN, "Invalid SAML response: exactly one unencrypted Assertion needed");
        return NULL;
    }
    sig = covering_signature(doc, a);
    if (sig == NULL)
        sig = covering_signature(doc, root);
    nkeys = signing_keys(metadata, keys, 8);
    ok = sig && nkeys > 0 && verify(sig, keys, nkeys);
    for (i = 0; i < nkeys; i++)
        xmlSecKeyDestroy(keys[i]);
    if (!ok) {
        svc_error(r, E_TOKEN, MSG_SIGNATURE);
        return NULL;
    }
    return a;
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
static int answer(svc_req_t *r, const sts_role_t *role, const char *provider, const claims_t *c,
                  long duration, const char *policy, const char *arns, buf_t *out)
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
    xmlDocPtr doc = NULL;
    xmlNodePtr a;
    claims_t c;
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
    if (saml_init() != 0) {
        svc_error(r, IAM_E_INTERNAL);
        goto out;
    }
    if ((metadata = provider_metadata(r, provider)) == NULL)
        goto out;
    doc = decode_response(assertion_b64);
    if ((a = verified_assertion(r, doc, metadata)) == NULL || check_conditions(r, a, &c) != 0)
        goto out;
    read_attributes(a, role_arn, provider, &c);
    if (!session_name_ok(c.session)) {
        svc_error(r, E_TOKEN,
                  "RoleSessionName in AuthnResponse must match "
                  "[a-zA-Z_0-9+=,.@-]{2,64}");
        goto out;
    }
    if (!c.role_ok) {
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
    claims_free(&c);
    xmlFreeDoc(doc);
    free(metadata);
    free(role.trust);
    free(arns);
    return rc;
}
