/* sts_jwt.h — JSON Web Tokens as AssumeRoleWithWebIdentity verifies them:
 * compact JWS (RFC 7515) parsing, JWK (RFC 7517) public keys to OpenSSL
 * keys, and the signature check for RS256/384/512, PS256/384/512 and
 * ES256/384/512 (RFC 7518). Claims are left to the caller. */
#ifndef AWSEMU_STS_JWT_H
#define AWSEMU_STS_JWT_H

#include <stddef.h>

struct cJSON;

#define JWT_MAX 20000 /* WebIdentityToken's model maximum (clientTokenType) */

typedef struct {
    struct cJSON *header; /* the decoded JOSE header */
    struct cJSON *claims; /* the decoded payload (a JSON object) */
    char alg[8];
    const char *kid;     /* header "kid", or NULL (points into header) */
    const char *signing; /* "<header>.<payload>" as sent (into the token) */
    size_t signing_len;
    unsigned char *sig; /* the decoded signature (malloc'd) */
    size_t sig_len;
} jwt_t;

enum {
    JWT_OK = 0,
    JWT_MALFORMED = -1, /* not three base64url parts of JSON objects */
    JWT_BAD_ALG = -2,   /* "none", HMAC or an algorithm we do not know */
    JWT_NO_KEY = -3,    /* no key of the set fits the header's kid and alg */
    JWT_BAD_SIGNATURE = -4,
};

/* Parses token[0..len) into t (free with jwt_free, also after a failure).
 * Returns JWT_OK, JWT_MALFORMED or JWT_BAD_ALG. */
int jwt_parse(const char *token, size_t len, jwt_t *t /* OUT */);
/* Verifies t's signature with the key of jwks (a JWK Set {"keys": [...]})
 * that its kid names (any key of the alg's type when it names none).
 * Returns JWT_OK, JWT_NO_KEY or JWT_BAD_SIGNATURE. */
int jwt_verify(const jwt_t *t, const struct cJSON *jwks);
void jwt_free(jwt_t *t);

/* base64url without padding (RFC 7515 section 2) to bytes: out needs
 * n / 4 * 3 + 3 bytes. Returns the length, or -1 on bad input. */
long jwt_b64url_decode(const char *in, size_t n, unsigned char *out /* OUT */);

#endif
