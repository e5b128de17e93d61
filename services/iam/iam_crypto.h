/* iam_crypto.h — IAM's pure credential helpers: password hashing and
 * password-policy checks, Base32 and RFC 6238 TOTP codes, SSH public key
 * fingerprints. No I/O, no globals; tests link them directly. */
#ifndef AWSEMU_IAM_CRYPTO_H
#define AWSEMU_IAM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* ---- passwords ---------------------------------------------------------- */

#define IAM_PW_HASH_MAX 128
/* Hashes pw with PBKDF2-HMAC-SHA256 and a fresh 16-byte salt into out:
 * "pbkdf2-sha256$ITER$SALT_B64$HASH_B64". Returns 0 or -1. */
int iam_pw_hash(const char *pw, char out[IAM_PW_HASH_MAX] /* OUT */);
/* 1 when pw matches a stored iam_pw_hash string, 0 when not (or the string
 * is malformed). Constant time in the hash comparison. */
int iam_pw_verify(const char *pw, const char *stored);

/* An account password policy. With none set AWS's default applies: length
 * 8 and three of the four character classes (min_classes 3). */
typedef struct {
    int min_length, symbols, numbers, uppercase, lowercase;
    int min_classes; /* 0 with a custom policy */
} iam_pw_policy_t;

/* Checks pw against pol: 0, or -1 with AWS's PasswordPolicyViolation
 * message in msg ("Password should have at least one uppercase letter").
 * Symbols are AWS's set: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '. */
int iam_pw_check(const iam_pw_policy_t *pol, const char *pw, char *msg, size_t n);

/* ---- TOTP --------------------------------------------------------------- */

/* RFC 4648 Base32 (A-Z2-7, no padding) of in[0..n): out needs
 * (n * 8 + 4) / 5 + 1 bytes. Returns the length written. */
size_t iam_base32(const uint8_t *in, size_t n, char *out /* OUT */);
/* The RFC 6238 TOTP code (HMAC-SHA1, 6 digits) of key for time step
 * `step` (unix time / 30). */
uint32_t iam_totp(const uint8_t *key, size_t keylen, uint64_t step);
/* Finds the step s within [now_step - window, now_step + window] whose code
 * is code1 and whose next step's code is code2 (two consecutive codes, as
 * EnableMFADevice takes them): returns s + 1 (the last step used), or 0. */
uint64_t iam_totp_match(const uint8_t *key, size_t keylen, uint64_t now_step, unsigned window,
                        const char *code1, const char *code2);

/* ---- SSH public keys ---------------------------------------------------- */

/* Parses an OpenSSH public key line ("ssh-rsa AAAA... comment"): checks the
 * base64 blob decodes, starts with its own algorithm name and holds that
 * algorithm's fields (RSA: a modulus of at least 2048 bits), and writes
 * AWS's fingerprint: the MD5 of the decoded blob as colon-separated lower
 * hex (47 characters). A PEM RSA public key ("BEGIN PUBLIC KEY" or "BEGIN
 * RSA PUBLIC KEY", at least 2048 bits: AWS takes "ssh-rsa format or PEM
 * format") is fingerprinted as the same key's ssh-rsa blob. Returns 0, or -1
 * when it is not such a key. */
#define IAM_SSH_FP_LEN 48
int iam_ssh_fingerprint(const char *body, char fp[IAM_SSH_FP_LEN] /* OUT */);
/* A stored key body (one iam_ssh_fingerprint accepted) in the encoding
 * GetSSHPublicKey asks for: pem 0 an OpenSSH line ("ssh-rsa BASE64"; the
 * body itself when it is one), pem 1 a SubjectPublicKeyInfo PEM ("BEGIN
 * PUBLIC KEY"; the body itself when it is PEM). Caller frees; NULL when the
 * key has no such form (ECDSA and DSA keys in PEM) or memory runs out. */
char *iam_ssh_encode(const char *body, int pem);

#endif
