/* iam_crypto.c — password hashing and policy checks, Base32, TOTP, SSH key
 * fingerprints (see iam_crypto.h). */
#include "services/iam/iam_crypto.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"

#define PW_ITER 60000
#define PW_SALT 16
#define PW_LEN 32

static int pbkdf2(const char *pw, const uint8_t *salt, size_t saltlen, int iter,
                  uint8_t out[PW_LEN])
{
    return PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, (int)saltlen, iter, EVP_sha256(), PW_LEN,
                             out) == 1
               ? 0
               : -1;
}

int iam_pw_hash(const char *pw, char out[IAM_PW_HASH_MAX])
{
    uint8_t salt[PW_SALT], dk[PW_LEN];
    char s64[32], h64[48];
    int rc = -1;

    codec_random(salt, sizeof salt);
    if (pbkdf2(pw, salt, sizeof salt, PW_ITER, dk) == 0) {
        codec_b64_encode(salt, sizeof salt, s64);
        codec_b64_encode(dk, sizeof dk, h64);
        snprintf(out, IAM_PW_HASH_MAX, "pbkdf2-sha256$%d$%s$%s", PW_ITER, s64, h64);
        rc = 0;
    }
    OPENSSL_cleanse(dk, sizeof dk);
    return rc;
}

int iam_pw_verify(const char *pw, const char *stored)
{
    char copy[IAM_PW_HASH_MAX], *iter_s, *salt_s, *hash_s, *end;
    uint8_t salt[64], want[64], got[PW_LEN];
    long iter, sl, hl;
    int ok = 0;

    if (strlen(stored) >= sizeof copy || strncmp(stored, "pbkdf2-sha256$", 14) != 0)
        return 0;
    str_copy(copy, sizeof copy, stored + 14);
    iter_s = copy;
    if ((salt_s = strchr(iter_s, '$')) == NULL)
        return 0;
    *salt_s++ = '\0';
    if ((hash_s = strchr(salt_s, '$')) == NULL)
        return 0;
    *hash_s++ = '\0';
    iter = strtol(iter_s, &end, 10);
    if (*end || iter < 1 || iter > 10000000 || strlen(salt_s) > 80 || strlen(hash_s) > 80)
        return 0;
    sl = codec_b64_decode(salt_s, strlen(salt_s), salt);
    hl = codec_b64_decode(hash_s, strlen(hash_s), want);
    if (sl <= 0 || hl != PW_LEN)
        return 0;
    if (pbkdf2(pw, salt, (size_t)sl, (int)iter, got) == 0)
        ok = CRYPTO_memcmp(got, want, PW_LEN) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok;
}

static const char PW_SYMBOLS[] = "!@#$%^&*()_+-=[]{}|'";

int iam_pw_check(const iam_pw_policy_t *pol, const char *pw, char *msg, size_t n)
{
    int up = 0, low = 0, num = 0, sym = 0;
    const unsigned char *p;

    for (p = (const unsigned char *)pw; *p; p++) {
        up |= isupper(*p) != 0;
        low |= islower(*p) != 0;
        num |= isdigit(*p) != 0;
        sym |= strchr(PW_SYMBOLS, *p) != NULL;
    }
    if ((long)strlen(pw) < pol->min_length)
        snprintf(msg, n, "Password should have a minimum length of %d", pol->min_length);
    else if (pol->lowercase && !low)
        snprintf(msg, n, "Password should have at least one lowercase letter");
    else if (pol->uppercase && !up)
        snprintf(msg, n, "Password should have at least one uppercase letter");
    else if (pol->numbers && !num)
        snprintf(msg, n, "Password should have at least one number");
    else if (pol->symbols && !sym)
        snprintf(msg, n, "Password should have at least one symbol");
    else if (up + low + num + sym < pol->min_classes)
        snprintf(msg, n, "Password should include a minimum of three of the following mix of "
                         "character types: uppercase, lowercase, numbers, and symbols");
    else
        return 0;
    return -1;
}

size_t iam_base32(const uint8_t *in, size_t n, char *out)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t i, o = 0;
    unsigned buf = 0;
    int bits = 0;

    for (i = 0; i < n; i++) {
        buf = (buf << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = alpha[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = alpha[(buf << (5 - bits)) & 31];
    out[o] = '\0';
    return o;
}

uint32_t iam_totp(const uint8_t *key, size_t keylen, uint64_t step)
{
    uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0, off;
    uint32_t bin;
    int i;

    for (i = 7; i >= 0; i--, step >>= 8)
        msg[i] = (uint8_t)(step & 0xff);
    if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen) == NULL || maclen < 20)
        return 0xffffffffu;
    off = mac[maclen - 1] & 0x0f;
    bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
          ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    OPENSSL_cleanse(mac, sizeof mac);
    return bin % 1000000u;
}

static int code_is(uint32_t v, const char *code)
{
    char s[8];

    snprintf(s, sizeof s, "%06u", v % 1000000u);
    return strlen(code) == 6 && CRYPTO_memcmp(s, code, 6) == 0;
}

uint64_t iam_totp_match(const uint8_t *key, size_t keylen, uint64_t now_step, unsigned window,
                        const char *code1, const char *code2)
{
    uint64_t s = now_step > window ? now_step - window : 0;

    for (; s <= now_step + window; s++)
        if (code_is(iam_totp(key, keylen, s), code1) &&
            code_is(iam_totp(key, keylen, s + 1), code2))
            return s + 1;
    return 0;
}

/* The SSH wire fields after the algorithm name must fill the blob exactly:
 * ssh-rsa: e and n with n of at least 2048 bits (AWS's minimum);
 * ssh-ed25519: a 32-byte key; others: at least one field. 0 or -1. */
static int ssh_blob_fields(const uint8_t *b, size_t n, size_t off, const char *alg, size_t alen)
{
    size_t fields = 0, last = 0, lastoff = 0;

    while (off < n) {
        size_t len;
        if (n - off < 4)
            return -1;
        len = ((size_t)b[off] << 24) | ((size_t)b[off + 1] << 16) | ((size_t)b[off + 2] << 8) |
              b[off + 3];
        if (len > n - off - 4)
            return -1;
        lastoff = off + 4;
        last = len;
        off += 4 + len;
        fields++;
    }
    if (alen == 7 && !strncmp(alg, "ssh-rsa", 7)) {
        while (last > 0 && b[lastoff] == 0) {
            lastoff++;
            last--;
        }
        return fields == 2 && last >= 256 ? 0 : -1;
    }
    if (alen == 11 && !strncmp(alg, "ssh-ed25519", 11))
        return fields == 1 && last == 32 ? 0 : -1;
    return fields >= 1 ? 0 : -1;
}

static void md5_hex(const uint8_t *b, size_t n, char fp[IAM_SSH_FP_LEN])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0, i;

    EVP_Digest(b, n, md, &mdlen, EVP_md5(), NULL);
    for (i = 0; i < 16; i++)
        snprintf(fp + i * 3, 4, i < 15 ? "%02x:" : "%02x", md[i]);
}

/* Appends an SSH string / mpint (RFC 4251) of bn to b at *off. */
static void put_mpint(uint8_t *b, size_t *off, const BIGNUM *bn)
{
    size_t n = (size_t)BN_num_bytes(bn), pad = n && BN_is_bit_set(bn, (int)n * 8 - 1);

    b[*off] = (uint8_t)((n + pad) >> 24);
    b[*off + 1] = (uint8_t)((n + pad) >> 16);
    b[*off + 2] = (uint8_t)((n + pad) >> 8);
    b[*off + 3] = (uint8_t)(n + pad);
    *off += 4;
    if (pad)
        b[(*off)++] = 0;
    BN_bn2bin(bn, b + *off);
    *off += n;
}

/* A PEM RSA public key ("PUBLIC KEY", SubjectPublicKeyInfo, or "RSA PUBLIC
 * KEY", PKCS #1) of at least 2048 bits as an ssh-rsa wire blob (caller
 * frees *blob), so either encoding of one key is the same key. 0 or -1. */
static int pem_blob(const char *body, uint8_t **blob, size_t *len)
{
    BIO *bio = BIO_new_mem_buf(body, -1);
    EVP_PKEY *pk = NULL;
    BIGNUM *nb = NULL, *eb = NULL;
    size_t off = 0;
    int rc = -1;

    *blob = NULL;
    if (bio == NULL)
        return -1;
    if (strstr(body, "-----BEGIN RSA PUBLIC KEY-----")) {
        unsigned char *der = NULL;
        const unsigned char *q;
        long dlen = 0;
        char *name = NULL, *hdr = NULL;
        if (PEM_read_bio(bio, &name, &hdr, &der, &dlen) == 1 && !strcmp(name, "RSA PUBLIC KEY")) {
            q = der;
            pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, dlen);
        }
        OPENSSL_free(name);
        OPENSSL_free(hdr);
        OPENSSL_free(der);
    } else {
        pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    }
    if (pk == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pk) < 2048 ||
        !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &nb) ||
        !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &eb))
        goto out;
    *blob = malloc(4 + 7 + 4 + 1 + (size_t)BN_num_bytes(eb) + 4 + 1 + (size_t)BN_num_bytes(nb));
    if (*blob == NULL)
        goto out;
    memcpy(*blob, "\0\0\0\7ssh-rsa", 11);
    off = 11;
    put_mpint(*blob, &off, eb);
    put_mpint(*blob, &off, nb);
    *len = off;
    rc = 0;
out:
    BN_free(nb);
    BN_free(eb);
    EVP_PKEY_free(pk);
    BIO_free(bio);
    return rc;
}

static int pem_fingerprint(const char *body, char fp[IAM_SSH_FP_LEN])
{
    uint8_t *blob;
    size_t len;

    if (pem_blob(body, &blob, &len) != 0)
        return -1;
    md5_hex(blob, len, fp);
    free(blob);
    return 0;
}

/* The SSH string at b[*off] (length-checked against n) or NULL. */
static const uint8_t *ssh_field(const uint8_t *b, size_t n, size_t *off, size_t *len)
{
    const uint8_t *v;

    if (n - *off < 4)
        return NULL;
    *len = ((size_t)b[*off] << 24) | ((size_t)b[*off + 1] << 16) | ((size_t)b[*off + 2] << 8) |
           b[*off + 3];
    if (*len > n - *off - 4)
        return NULL;
    v = b + *off + 4;
    *off += 4 + *len;
    return v;
}

/* An ssh-rsa or ssh-ed25519 wire blob as an EVP_PKEY, or NULL. */
static EVP_PKEY *blob_key(const uint8_t *b, size_t n)
{
    const uint8_t *alg, *e, *m;
    size_t off = 0, alen, elen, mlen;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    BIGNUM *eb = NULL, *nb = NULL;
    EVP_PKEY *pk = NULL;

    if ((alg = ssh_field(b, n, &off, &alen)) == NULL || (e = ssh_field(b, n, &off, &elen)) == NULL)
        return NULL;
    if (alen == 11 && !memcmp(alg, "ssh-ed25519", 11))
        return elen == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, e, 32) : NULL;
    if (alen != 7 || memcmp(alg, "ssh-rsa", 7) || (m = ssh_field(b, n, &off, &mlen)) == NULL)
        return NULL;
    if ((eb = BN_bin2bn(e, (int)elen, NULL)) == NULL || (nb = BN_bin2bn(m, (int)mlen, NULL)) == NULL ||
        (bld = OSSL_PARAM_BLD_new()) == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, nb) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, eb) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pk = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(eb);
    BN_free(nb);
    return pk;
}

/* The base64 blob of an OpenSSH line, decoded (caller frees), or NULL. */
static uint8_t *ssh_line_blob(const char *body, size_t *n)
{
    const char *p = body, *e;
    uint8_t *blob;
    long got;

    while (*p && !isspace((unsigned char)*p))
        p++;
    while (*p == ' ' || *p == '\t')
        p++;
    for (e = p; *e && !isspace((unsigned char)*e); e++)
        ;
    if (e == p || (blob = malloc(((size_t)(e - p) / 4 + 1) * 3)) == NULL)
        return NULL;
    if ((got = codec_b64_decode(p, (size_t)(e - p), blob)) <= 0) {
        free(blob);
        return NULL;
    }
    *n = (size_t)got;
    return blob;
}

char *iam_ssh_encode(const char *body, int pem)
{
    int is_pem = strstr(body, "-----BEGIN ") != NULL;
    uint8_t *blob = NULL;
    size_t n = 0;
    char *out = NULL;

    if (is_pem == pem)
        return strdup(body);
    if (is_pem) { /* PEM -> "ssh-rsa BASE64" */
        if (pem_blob(body, &blob, &n) == 0 && (out = malloc(8 + codec_b64_enclen(n) + 1)) != NULL) {
            memcpy(out, "ssh-rsa ", 8);
            codec_b64_encode(blob, n, out + 8);
        }
    } else if ((blob = ssh_line_blob(body, &n)) != NULL) { /* SSH -> SubjectPublicKeyInfo PEM */
        EVP_PKEY *pk = blob_key(blob, n);
        BIO *bio = pk ? BIO_new(BIO_s_mem()) : NULL;
        char *data;
        long len;
        if (bio && PEM_write_bio_PUBKEY(bio, pk) == 1 && (len = BIO_get_mem_data(bio, &data)) > 0 &&
            (out = malloc((size_t)len + 1)) != NULL) {
            memcpy(out, data, (size_t)len);
            out[len] = '\0';
        }
        BIO_free(bio);
        EVP_PKEY_free(pk);
    }
    free(blob);
    return out;
}

int iam_ssh_fingerprint(const char *body, char fp[IAM_SSH_FP_LEN])
{
    static const char *algs[] = {"ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256",
                                 "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-dss"};
    const char *p = body, *b64, *e;
    uint8_t *blob = NULL, md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0, i;
    size_t alen, blen;
    long n;
    int rc = -1, known = 0;

    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (!strncmp(p, "-----BEGIN ", 11))
        return pem_fingerprint(p, fp);
    for (e = p; *e && *e != ' ' && *e != '\t'; e++)
        ;
    alen = (size_t)(e - p);
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        known |= strlen(algs[i]) == alen && !strncmp(algs[i], p, alen);
    if (!known)
        return -1;
    for (b64 = e; *b64 == ' ' || *b64 == '\t'; b64++)
        ;
    for (e = b64; *e && !isspace((unsigned char)*e); e++)
        ;
    blen = (size_t)(e - b64);
    if (blen < 16 || blen > 16384 || (blob = malloc(blen)) == NULL)
        return -1;
    n = codec_b64_decode(b64, blen, blob);
    /* the blob starts with uint32 length + the algorithm name again */
    if (n < (long)(4 + alen) || blob[0] || blob[1] || blob[2] != 0 || blob[3] != alen ||
        memcmp(blob + 4, p, alen) != 0)
        goto out;
    if (ssh_blob_fields(blob, (size_t)n, 4 + alen, p, alen))
        goto out;
    if (EVP_Digest(blob, (size_t)n, md, &mdlen, EVP_md5(), NULL) != 1 || mdlen != 16)
        goto out;
    for (i = 0; i < 16; i++)
        snprintf(fp + i * 3, 4, i < 15 ? "%02x:" : "%02x", md[i]);
    rc = 0;
out:
    free(blob);
    return rc;
}
