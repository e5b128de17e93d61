/* saml_xmlsec.c — the SAML plugin (<exe>-saml.so): a SAML Response's
 * assertion signature verified with xmlsec1 and OpenSSL (exclusive C14N
 * and the enveloped-signature transform are xmlsec's, not reimplemented
 * here) against the provider's signing certificates, and the claims of
 * the signed assertion read out (sts_saml_plugin.h). Only the node the
 * signature covers is read, and only one assertion is taken, so a wrapped
 * assertion is never believed. Built apart from libawsemu.a so that
 * xmlsec1, libxml2, libxslt and ICU are mapped only once AssumeRoleWithSAML
 * is first called; it includes nothing of awsemu but its contract. */
#include "services/iam/sts_saml_plugin.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#define NS_SAML "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define ATTR_ROLE "https://aws.amazon.com/SAML/Attributes/Role"
#define ATTR_SESSION "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
#define MAX_KEYS 8

static int xmlsec_ready;

/* xmlsec reports every failed check on stderr; the client gets AWS's
 * error instead, so its reports are dropped. */
static void quiet(const char *file, int line, const char *func, const char *obj, const char *subj,
                  int reason, const char *msg)
{
    (void)file, (void)line, (void)func, (void)obj, (void)subj, (void)reason, (void)msg;
}

/* xmlsec and its OpenSSL engine, once. 0 or -1. */
static int init(void)
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

static void shutdown_xmlsec(void)
{
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

/* A libxml2 string as a malloc'd one (the contract's); frees s. NULL
 * stays NULL; *nomem is set when the copy fails. */
static char *own(xmlChar *s, int *nomem)
{
    char *c;

    if (s == NULL)
        return NULL;
    c = strdup((const char *)s);
    xmlFree(s);
    if (c == NULL)
        *nomem = 1;
    return c;
}

/* An attribute's value (malloc'd), or NULL. */
static char *attr(xmlNodePtr n, const char *name, int *nomem)
{
    return n ? own(xmlGetProp(n, BAD_CAST name), nomem) : NULL;
}

/* An element's text (malloc'd), or NULL. */
static char *text_of(xmlNodePtr n, int *nomem)
{
    return n ? own(xmlNodeGetContent(n), nomem) : NULL;
}

/* Appends s (taken) to the list; 0 or -1 (s freed). */
static int push(char ***list, size_t *n, char *s)
{
    char **l;

    if (s == NULL)
        return 0;
    l = realloc(*list, (*n + 1) * sizeof *l);
    if (l == NULL) {
        free(s);
        return -1;
    }
    l[(*n)++] = s;
    *list = l;
    return 0;
}

/* Parses an XML document without the network, DTD loading or entity
 * expansion. */
static xmlDocPtr parse(const char *text, size_t n)
{
    return xmlReadMemory(text, (int)n, "saml.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* The signing certificates as xmlsec keys. Returns how many. */
static int load_keys(const saml_cert_t *certs, size_t ncerts, xmlSecKeyPtr *keys, int max)
{
    size_t i;
    int n = 0;

    for (i = 0; i < ncerts && n < max; i++) {
        keys[n] = xmlSecCryptoAppKeyLoadMemory(certs[i].der, (xmlSecSize)certs[i].len,
                                               xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
        if (keys[n])
            n++;
    }
    return n;
}

/* The ds:Signature that is a child of node, whose one Reference names node
 * by its ID (registered as an ID here), or NULL. */
static xmlNodePtr covering_signature(xmlDocPtr doc, xmlNodePtr node)
{
    xmlNodePtr sig = child(node, "Signature", NS_DS), ref;
    xmlChar *id = xmlGetProp(node, BAD_CAST "ID"), *uri;
    int ok;

    ref = child(child(sig, "SignedInfo", NS_DS), "Reference", NS_DS);
    uri = ref ? xmlGetProp(ref, BAD_CAST "URI") : NULL;
    ok = id && uri && uri[0] == '#' && xmlStrcmp(uri + 1, id) == 0 &&
         xmlAddID(NULL, doc, id, xmlHasProp(node, BAD_CAST "ID")) != NULL;
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
static int verify_sig(xmlNodePtr sig, xmlSecKeyPtr *keys, int nkeys)
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

/* The one Assertion of the Response, covered by a signature that verifies
 * with one of certs; NULL with *status set. */
static xmlNodePtr verified_assertion(xmlDocPtr doc, const saml_cert_t *certs, size_t ncerts,
                                     int *status)
{
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, a, n, sig;
    xmlSecKeyPtr keys[MAX_KEYS];
    int nkeys, ok, count = 0, i;

    if (root == NULL || !xmlSecCheckNodeName(root, BAD_CAST "Response", BAD_CAST NS_SAMLP)) {
        *status = SAML_E_NOT_RESPONSE;
        return NULL;
    }
    for (n = root->children, a = NULL; n; n = n->next)
        if (xmlSecCheckNodeName(n, BAD_CAST "Assertion", BAD_CAST NS_SAML) && count++ == 0)
            a = n;
    if (a == NULL || count != 1) {
        *status = SAML_E_ASSERTIONS;
        return NULL;
    }
    sig = covering_signature(doc, a);
    if (sig == NULL)
        sig = covering_signature(doc, root);
    nkeys = sig ? load_keys(certs, ncerts, keys, MAX_KEYS) : 0;
    ok = sig && nkeys > 0 && verify_sig(sig, keys, nkeys);
    for (i = 0; i < nkeys; i++)
        xmlSecKeyDestroy(keys[i]);
    if (!ok) {
        *status = SAML_E_SIGNATURE;
        return NULL;
    }
    return a;
}

/* RoleSessionName's first value and the Role attribute's values. */
static void read_attributes(xmlNodePtr assertion, saml_claims_t *c, int *nomem)
{
    xmlNodePtr st, a, v;

    for (st = assertion->children; st; st = st->next) {
        if (!xmlSecCheckNodeName(st, BAD_CAST "AttributeStatement", BAD_CAST NS_SAML))
            continue;
        for (a = st->children; a; a = a->next) {
            xmlChar *name;
            int role, sess;
            if (!xmlSecCheckNodeName(a, BAD_CAST "Attribute", BAD_CAST NS_SAML))
                continue;
            name = xmlGetProp(a, BAD_CAST "Name");
            role = name && !xmlStrcmp(name, BAD_CAST ATTR_ROLE);
            sess = name && !xmlStrcmp(name, BAD_CAST ATTR_SESSION);
            xmlFree(name);
            for (v = role || sess ? a->children : NULL; v; v = v->next) {
                if (!xmlSecCheckNodeName(v, BAD_CAST "AttributeValue", BAD_CAST NS_SAML))
                    continue;
                if (sess && c->session == NULL)
                    c->session = text_of(v, nomem);
                else if (role && push(&c->roles, &c->nroles, text_of(v, nomem)) != 0)
                    *nomem = 1;
            }
        }
    }
}

/* Conditions (time window, audiences), the subject and its confirmation
 * data, the issuer. */
static void read_claims(xmlNodePtr assertion, saml_claims_t *c, int *nomem)
{
    xmlNodePtr cond = child(assertion, "Conditions", NS_SAML), ar, au;
    xmlNodePtr subj = child(assertion, "Subject", NS_SAML), name = child(subj, "NameID", NS_SAML);
    xmlNodePtr scd =
        child(child(subj, "SubjectConfirmation", NS_SAML), "SubjectConfirmationData", NS_SAML);

    c->has_conditions = cond != NULL;
    c->not_before = attr(cond, "NotBefore", nomem);
    c->not_on_or_after = attr(cond, "NotOnOrAfter", nomem);
    for (ar = cond ? cond->children : NULL; ar; ar = ar->next)
        for (au = xmlSecCheckNodeName(ar, BAD_CAST "AudienceRestriction", BAD_CAST NS_SAML)
                      ? ar->children
                      : NULL;
             au; au = au->next)
            if (xmlSecCheckNodeName(au, BAD_CAST "Audience", BAD_CAST NS_SAML) &&
                push(&c->audiences, &c->naudiences, text_of(au, nomem)) != 0)
                *nomem = 1;
    c->issuer = text_of(child(assertion, "Issuer", NS_SAML), nomem);
    c->subject = text_of(name, nomem);
    c->subject_format = attr(name, "Format", nomem);
    c->recipient = attr(scd, "Recipient", nomem);
    c->confirm_not_on_or_after = attr(scd, "NotOnOrAfter", nomem);
    read_attributes(assertion, c, nomem);
}

static void free_list(char **l, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

static void claims_free(saml_claims_t *c)
{
    free(c->issuer);
    free(c->subject);
    free(c->subject_format);
    free(c->recipient);
    free(c->confirm_not_on_or_after);
    free(c->not_before);
    free(c->not_on_or_after);
    free_list(c->audiences, c->naudiences);
    free(c->session);
    free_list(c->roles, c->nroles);
    memset(c, 0, sizeof *c);
}

static int verify(const char *xml, size_t n, const saml_cert_t *certs, size_t ncerts,
                  saml_claims_t *c)
{
    xmlDocPtr doc;
    xmlNodePtr a;
    int status = SAML_OK, nomem = 0;

    memset(c, 0, sizeof *c);
    if (init() != 0)
        return SAML_E_INIT;
    if (n > (size_t)INT_MAX)
        return SAML_E_NOT_RESPONSE;
    doc = parse(xml, n);
    a = verified_assertion(doc, certs, ncerts, &status);
    if (a != NULL) {
        read_claims(a, c, &nomem);
        if (nomem) {
            claims_free(c);
            status = SAML_E_NOMEM;
        }
    }
    xmlFreeDoc(doc);
    return status;
}

__attribute__((visibility("default"))) const saml_plugin_t awsemu_saml_plugin = {
    .abi = SAML_PLUGIN_ABI,
    .verify = verify,
    .claims_free = claims_free,
    .shutdown = shutdown_xmlsec,
};
