/* sts_saml_plugin.h — the contract between sts_saml.c and the SAML plugin
 * (services/iam/plugin/saml_xmlsec.c, built as <exe>-saml.so): the XML and
 * XML-signature half of AssumeRoleWithSAML. The plugin links xmlsec1,
 * libxml2, libxslt and ICU (2.3 MiB of idle RSS); it is loaded by
 * base/plugin.h at the first AssumeRoleWithSAML. Everything AWS decides
 * (audience, times, role pairing, trust policy, error texts) stays in
 * sts_saml.c. */
#ifndef AWSEMU_STS_SAML_PLUGIN_H
#define AWSEMU_STS_SAML_PLUGIN_H

#include <stddef.h>

/* Raised whenever a type or function below changes, so a stale plugin
 * beside a newer binary is refused rather than called. */
#define SAML_PLUGIN_ABI 1
/* The one symbol the plugin exports: a const saml_plugin_t. */
#define SAML_PLUGIN_SYMBOL "awsemu_saml_plugin"

/* A signing certificate of the provider's metadata, DER. */
typedef struct {
    const unsigned char *der;
    size_t len;
} saml_cert_t;

/* What the signed assertion says. Every string is malloc'd (NULL when
 * absent); the whole is freed by claims_free. */
typedef struct {
    char *issuer;                       /* Assertion/Issuer */
    char *subject, *subject_format;     /* Subject/NameID and its Format */
    char *recipient;                    /* SubjectConfirmationData Recipient */
    char *confirm_not_on_or_after;      /* SubjectConfirmationData NotOnOrAfter */
    int has_conditions;                 /* a Conditions element is present */
    char *not_before, *not_on_or_after; /* Conditions' attributes */
    char **audiences;                   /* AudienceRestriction/Audience texts */
    size_t naudiences;
    char *session; /* RoleSessionName's first value */
    char **roles;  /* the Role attribute's values */
    size_t nroles;
} saml_claims_t;

enum saml_status {
    SAML_OK = 0,
    SAML_E_INIT = -1, /* xmlsec or its OpenSSL engine did not start */
    SAML_E_NOMEM = -2,
    SAML_E_NOT_RESPONSE = -3, /* not XML, or the root is no samlp:Response */
    SAML_E_ASSERTIONS = -4,   /* not exactly one unencrypted Assertion */
    SAML_E_SIGNATURE = -5     /* no signature covering it verifies */
};

typedef struct {
    int abi; /* SAML_PLUGIN_ABI */
    /* Parses the Response (xml, n bytes; no network, DTD loading or entity
     * expansion), takes its one Assertion and checks that an XML signature
     * covering it (or the Response) by same-document reference, with only
     * c14n, enveloped-signature, SHA and RSA/ECDSA transforms and exactly
     * one reference, verifies with one of certs (the assertion's own
     * KeyInfo is never trusted). Only then fills claims from that
     * Assertion. Returns SAML_OK or a saml_status; claims is left zeroed
     * on error. Not thread-safe (the event loop's thread only). */
    int (*verify)(const char *xml, size_t n, const saml_cert_t *certs, size_t ncerts,
                  saml_claims_t *claims /* OUT */);
    void (*claims_free)(saml_claims_t *claims);
    /* Releases xmlsec (at exit); verify starts it again if called. */
    void (*shutdown)(void);
} saml_plugin_t;

#endif
