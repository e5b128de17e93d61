/* fuzz_saml_meta.c — fuzz target for SAML metadata parsing
 * (iam_saml_meta_parse): any input parses or is refused; what parses has
 * an entityID, at most IAM_SAML_MAX_CERTS certificates, each non-empty. */
#include "services/iam/iam_saml_meta.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c)                                                              \
    do {                                                                           \
        if (!(c)) {                                                                \
            fprintf(stderr, "fuzz_saml_meta:%d: invariant failed: %s\n", __LINE__, \
                    #c);                                                           \
            abort();                                                               \
        }                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iam_saml_meta_t m;
    size_t i;

    if (iam_saml_meta_parse((const char *)data, size, &m) != 0) {
        FUZZ_CHECK(m.ncerts == 0);
        return 0;
    }
    FUZZ_CHECK(m.entity_id[0] != '\0');
    FUZZ_CHECK(m.ncerts <= IAM_SAML_MAX_CERTS);
    for (i = 0; i < m.ncerts; i++)
        FUZZ_CHECK(m.certs[i].der != NULL && m.certs[i].len > 0);
    iam_saml_meta_free(&m);
    return 0;
}
