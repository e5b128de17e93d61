/* iam_saml_meta.h — SAML 2.0 metadata as CreateSAMLProvider reads it: the
 * identity provider's entityID, validUntil and its signing certificates
 * (IDPSSODescriptor/KeyDescriptor/KeyInfo/X509Data/X509Certificate), parsed
 * with expat. STS's AssumeRoleWithSAML verifies assertions against them. */
#ifndef AWSEMU_IAM_SAML_META_H
#define AWSEMU_IAM_SAML_META_H

#include <stddef.h>

#define IAM_SAML_MAX_CERTS 8
#define IAM_SAML_ENTITY_MAX 1024

typedef struct {
    char entity_id[IAM_SAML_ENTITY_MAX + 1];
    double valid_until; /* unix time of validUntil; 0 when absent */
    size_t ncerts;
    struct {
        unsigned char *der; /* DER X.509, checked with d2i_X509 */
        size_t len;
    } certs[IAM_SAML_MAX_CERTS];
} iam_saml_meta_t;

/* Parses doc[0..len): the root is an md:EntityDescriptor, or an
 * md:EntitiesDescriptor whose first EntityDescriptor with an
 * IDPSSODescriptor is taken; that entity must have an IDPSSODescriptor.
 * Certificates of KeyDescriptors with use="signing" or no use attribute are
 * kept (use="encryption" ones are not). DOCTYPEs are refused (no entity
 * expansion). Returns 0 (free with iam_saml_meta_free), or -1 with m empty
 * when the document is not such metadata. */
int iam_saml_meta_parse(const char *doc, size_t len, iam_saml_meta_t *m /* OUT */);
void iam_saml_meta_free(iam_saml_meta_t *m);

#endif
