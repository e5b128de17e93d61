/* sts_jwt.c — compact JWS parsing and verification against a JWK Set with
 * OpenSSL 3 (keys built with OSSL_PARAM, never through deprecated RSA_ or
 * EC_KEY_ calls). */
#include "services/iam/sts_jwt.h"

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "base/codec.h"

/* The algorithms AWS takes for OIDC tokens (RFC 7518 section 3.1), by
 * family: 'R' RSASSA-PKCS1-v1_5, 'P' RSASSA-PSS, 'E' ECDSA. */
static const struct {
    const char *name;
    char family;
    int bits;          /* SHA-2 size */
    const char *curve; /* ECDSA: the curve the alg requires */
    size_t coord;      /* ECDSA: bytes of r and of s */
} algs[] = {
    {"RS256", 'R', 256, NULL, 0},     {"RS384", 'R', 384, NULL, 0},
    {"RS512", 'R', 512, NULL, 0},     {"PS256", 'P', 256, NULL, 0},
    {"PS384", 'P', 384, NULL, 0},     {"PS512", 'P', 512, NULL, 0},
    {"ES256", 'E', 256, "P-256", 32}, {"ES384", 'E', 384, "P-384", 48},
    {"ES512", 'E', 512, "P-521", 66},
};

static int alg_index(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (strcmp(algs[i].name, name) == 0)
            return (int)i;
    return -1;
}

long jwt_b64url_decode(const char *in, size_t n, unsigned char *out)
{
    char *std;
    size_t i, padded = (n + 3) / 4 * 4;
    long rc;

    if (n % 4 == 1 || (std = malloc(padded + 1)) == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        char c = in[i];
        if (c == '+' || c == '/' || c == '=') { /* not base64url */
            free(std);
            return -1;
        }
        std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    for (; i < padded; i++)
        std[i] = '=';
    rc = codec_b64_decode(std, padded, out);
    free(std);
    return rc;
}

/* The JSON object of the base64url part in[0..n), or NULL. */
static cJSON *json_part(const char *in, size_t n)
{
    unsigned char *raw = malloc(n / 4 * 3 + 4);
    long len = raw ? jwt_b64url_decode(in, n, raw) : -1;
    cJSON *j = NULL;

    if (len > 0)
        j = cJSON_ParseWithLength((const char *)raw, (size_t)len);
    free(raw);
    if (j && !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = NULL;
    }
    return j;
}

int jwt_parse(const char *token, size_t len, jwt_t *t)
{
    const char *d1, *d2, *end = token + len;
    const cJSON *alg, *kid;
    long n;

    memset(t, 0, sizeof *t);
    if (len > JWT_MAX || (d1 = memchr(token, '.', len)) == NULL ||
        (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
        memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL)
        return JWT_MALFORMED;
    if ((t->header = json_part(token, (size_t)(d1 - token))) == NULL ||
        (t->claims = json_part(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL)
        return JWT_MALFORMED;
    t->signing = token;
    t->signing_len = (size_t)(d2 - token);
    if ((t->sig = malloc((size_t)(end - d2) / 4 * 3 + 4)) == NULL)
        return JWT_MALFORMED;
    n = jwt_b64url_decode(d2 + 1, (size_t)(end - d2 - 1), t->sig);
    if (n <= 0)
        return JWT_MALFORMED;
    t->sig_len = (size_t)n;
    alg = cJSON_GetObjectItemCaseSensitive(t->header, "alg");
    if (!cJSON_IsString(alg) || strlen(alg->valuestring) >= sizeof t->alg ||
        alg_index(alg->valuestring) < 0)
        return JWT_BAD_ALG;
    strcpy(t->alg, alg->valuestring);
    kid = cJSON_GetObjectItemCaseSensitive(t->header, "kid");
    t->kid = cJSON_IsString(kid) ? kid->valuestring : NULL;
    return JWT_OK;
}

void jwt_free(jwt_t *t)
{
    cJSON_Delete(t->header);
    cJSON_Delete(t->claims);
    free(t->sig);
    memset(t, 0, sizeof *t);
}

/* The bytes of the base64url member name of jwk (malloc'd, *n long). */
static unsigned char *member_bytes(const cJSON *jwk, const char *name, size_t *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(jwk, name);
    unsigned char *out;
    long len;

    if (!cJSON_IsString(v) || strlen(v->valuestring) > 4096)
        return NULL;
    out = malloc(strlen(v->valuestring) / 4 * 3 + 4);
    len = out ? jwt_b64url_decode(v->valuestring, strlen(v->valuestring), out) : -1;
    if (len <= 0) {
        free(out);
        return NULL;
    }
    *n = (size_t)len;
    return out;
}

/* An RSA public key from the JWK's n and e, or NULL. */
static EVP_PKEY *rsa_key(const cJSON *jwk)
{
    size_t nl = 0, el = 0;
    unsigned char *nb = member_bytes(jwk, "n", &nl), *eb = member_bytes(jwk, "e", &el);
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;

    if (nb == NULL || eb == NULL || (n = BN_bin2bn(nb, (int)nl, NULL)) == NULL ||
        (e = BN_bin2bn(eb, (int)el, NULL)) == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    free(nb);
    free(eb);
    return key;
}

/* An EC public key from the JWK's crv, x and y (crv must be curve). */
static EVP_PKEY *ec_key(const cJSON *jwk, const char *curve, size_t coord)
{
    static const struct {
        const char *jwk, *ossl;
    } curves[] = {{"P-256", "prime256v1"}, {"P-384", "secp384r1"}, {"P-521", "secp521r1"}};
    const cJSON *crv = cJSON_GetObjectItemCaseSensitive(jwk, "crv");
    size_t xl = 0, yl = 0, i;
    unsigned char *x = NULL, *y = NULL, point[1 + 2 * 66];
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;

    if (!cJSON_IsString(crv) || strcmp(crv->valuestring, curve) != 0)
        return NULL;
    for (i = 0; strcmp(curves[i].jwk, curve) != 0; i++)
        ;
    x = member_bytes(jwk, "x", &xl);
    y = member_bytes(jwk, "y", &yl);
    if (x == NULL || y == NULL || xl != coord || yl != coord)
        goto out;
    /* the uncompressed point: 0x04 || x || y */
    point[0] = 4;
    memcpy(point + 1, x, coord);
    memcpy(point + 1 + coord, y, coord);
    if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curves[i].ossl, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * coord) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        key = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    free(x);
    free(y);
    return key;
}

/* JOSE's ECDSA signature (r || s, coord bytes each) as DER for OpenSSL;
 * returns the DER length written to *der (malloc'd), or 0. */
static size_t ecdsa_der(const unsigned char *sig, size_t len, size_t coord, unsigned char **der)
{
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL, *s = NULL;
    int n = 0;

    *der = NULL;
    if (len != 2 * coord || (es = ECDSA_SIG_new()) == NULL ||
        (r = BN_bin2bn(sig, (int)coord, NULL)) == NULL ||
        (s = BN_bin2bn(sig + coord, (int)coord, NULL)) == NULL || !ECDSA_SIG_set0(es, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return 0;
    }
    n = i2d_ECDSA_SIG(es, der);
    ECDSA_SIG_free(es);
    return n > 0 ? (size_t)n : 0;
}

/* 1 when key verifies t's signature under algs[a]. */
static int verify_with(const jwt_t *t, int a, EVP_PKEY *key)
{
    const EVP_MD *md = algs[a].bits == 256   ? EVP_sha256()
                       : algs[a].bits == 384 ? EVP_sha384()
                                             : EVP_sha512();
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    const unsigned char *sig = t->sig;
    size_t sig_len = t->sig_len;
    int ok = 0;

    if (algs[a].family == 'E') {
        if ((sig_len = ecdsa_der(t->sig, t->sig_len, algs[a].coord, &der)) == 0)
            goto out;
        sig = der;
    }
    if (mctx == NULL || EVP_DigestVerifyInit(mctx, &pctx, md, NULL, key) != 1)
        goto out;
    if (algs[a].family == 'P' &&
        (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0))
        goto out;
    ok = EVP_DigestVerify(mctx, sig, sig_len, (const unsigned char *)t->signing, t->signing_len) ==
         1;
out:
    EVP_MD_CTX_free(mctx);
    OPENSSL_free(der);
    return ok;
}

/* The key jwk holds when it suits algs[a] (type, curve, "use" and "alg"
 * when present), or NULL. */
static EVP_PKEY *key_for(const cJSON *jwk, int a)
{
    const cJSON *kty = cJSON_GetObjectItemCaseSensitive(jwk, "kty");
    const cJSON *use = cJSON_GetObjectItemCaseSensitive(jwk, "use");
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(jwk, "alg");

    if (!cJSON_IsString(kty) || (cJSON_IsString(use) && strcmp(use->valuestring, "sig") != 0) ||
        (cJSON_IsString(alg) && strcmp(alg->valuestring, algs[a].name) != 0))
        return NULL;
    if (algs[a].family == 'E')
        return strcmp(kty->valuestring, "EC") == 0 ? ec_key(jwk, algs[a].curve, algs[a].coord)
                                                   : NULL;
    return strcmp(kty->valuestring, "RSA") == 0 ? rsa_key(jwk) : NULL;
}

int jwt_verify(const jwt_t *t, const cJSON *jwks)
{
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(jwks, "keys"), *jwk;
    int a = alg_index(t->alg), tried = 0;

    if (a < 0 || !cJSON_IsArray(keys))
        return JWT_NO_KEY;
    cJSON_ArrayForEach(jwk, keys)
    {
        const cJSON *kid = cJSON_GetObjectItemCaseSensitive(jwk, "kid");
        EVP_PKEY *key;
        int ok;
        if (t->kid && (!cJSON_IsString(kid) || strcmp(kid->valuestring, t->kid) != 0))
            continue;
        if ((key = key_for(jwk, a)) == NULL)
            continue;
        tried = 1;
        ok = verify_with(t, a, key);
        EVP_PKEY_free(key);
        if (ok)
            return JWT_OK;
    }
    return tried ? JWT_BAD_SIGNATURE : JWT_NO_KEY;
}
