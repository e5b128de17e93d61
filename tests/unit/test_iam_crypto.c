/* test_iam_crypto.c — unit tests for iam_crypto: RFC 6238 TOTP vectors
 * (SHA-1, 6 of the 8 digits), RFC 4648 Base32, consecutive-code matching,
 * password hashing and policy checks, SSH key fingerprints (MD5 of the
 * decoded blob, as IAM computes them) and malformed keys. */
#include "services/iam/iam_crypto.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t SEED[] = "12345678901234567890"; /* RFC 6238 appendix B */

static void test_totp_vectors(void)
{
    static const struct {
        uint64_t t;
        const char *code; /* the low 6 digits of the RFC's 8-digit value */
    } v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
             {1234567890, "005924"}, {2000000000, "279037"}, {20000000000ULL, "353130"}};
    size_t i;
    char got[8];

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        snprintf(got, sizeof got, "%06u", iam_totp(SEED, 20, v[i].t / 30));
        CHECK_STR(got, v[i].code);
    }
}

static void test_base32(void)
{
    char out[64];

    CHECK(iam_base32(SEED, 20, out) == 32);
    CHECK_STR(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    CHECK(iam_base32((const uint8_t *)"f", 1, out) == 2);
    CHECK_STR(out, "MY");
    CHECK(iam_base32((const uint8_t *)"foobar", 6, out) == 10);
    CHECK_STR(out, "MZXW6YTBOI");
}

static void test_totp_match(void)
{
    char c1[8], c2[8], c3[8];
    uint64_t now = 1111111109 / 30;

    snprintf(c1, sizeof c1, "%06u", iam_totp(SEED, 20, now - 1));
    snprintf(c2, sizeof c2, "%06u", iam_totp(SEED, 20, now));
    snprintf(c3, sizeof c3, "%06u", iam_totp(SEED, 20, now + 1));
    CHECK(iam_totp_match(SEED, 20, now, 2, c1, c2) == now);
    CHECK(iam_totp_match(SEED, 20, now, 2, c2, c3) == now + 1);
    CHECK(iam_totp_match(SEED, 20, now, 2, c2, c1) == 0); /* out of order */
    CHECK(iam_totp_match(SEED, 20, now, 2, c2, c2) == 0); /* the same code twice */
    CHECK(iam_totp_match(SEED, 20, now + 10, 2, c1, c2) == 0); /* outside the window */
    CHECK(iam_totp_match(SEED, 20, now, 2, "12345", c2) == 0);
}

static void test_password_hash(void)
{
    char h1[IAM_PW_HASH_MAX], h2[IAM_PW_HASH_MAX];

    CHECK(iam_pw_hash("Correct-Horse-1", h1) == 0);
    CHECK(iam_pw_hash("Correct-Horse-1", h2) == 0);
    CHECK(strncmp(h1, "pbkdf2-sha256$", 14) == 0);
    CHECK(strstr(h1, "Correct") == NULL);
    CHECK(strcmp(h1, h2) != 0); /* salted */
    CHECK(iam_pw_verify("Correct-Horse-1", h1) == 1);
    CHECK(iam_pw_verify("Correct-Horse-1", h2) == 1);
    CHECK(iam_pw_verify("correct-Horse-1", h1) == 0);
    CHECK(iam_pw_verify("", h1) == 0);
    CHECK(iam_pw_verify("x", "") == 0);
    CHECK(iam_pw_verify("x", "pbkdf2-sha256$1$AAAA") == 0);
    CHECK(iam_pw_verify("x", "pbkdf2-sha256$abc$AAAA$AAAA") == 0);
    CHECK(iam_pw_verify("x", "md5$1$AAAA$AAAA") == 0);
}

static void test_password_policy(void)
{
    static const iam_pw_policy_t dflt = {8, 0, 0, 0, 0, 3};
    static const iam_pw_policy_t all = {10, 1, 1, 1, 1, 0};
    static const struct {
        const iam_pw_policy_t *pol;
        const char *pw;
        const char *msg; /* NULL: accepted */
    } v[] = {
        {&dflt, "Abcdef1!", NULL},
        {&dflt, "abcdef12", "three of the following"},
        {&dflt, "Abc1!", "minimum length of 8"},
        {&dflt, "ABCdef12", NULL},
        {&all, "Abcdefgh1!", NULL},
        {&all, "abcdefgh1!", "uppercase"},
        {&all, "ABCDEFGH1!", "lowercase"},
        {&all, "Abcdefghi!", "number"},
        {&all, "Abcdefghi1", "symbol"},
        {&all, "Ab1!", "minimum length of 10"},
    };
    char msg[256];
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        int rc = iam_pw_check(v[i].pol, v[i].pw, msg, sizeof msg);
        CHECK(rc == (v[i].msg ? -1 : 0));
        if (v[i].msg)
            CHECK(strstr(msg, v[i].msg) != NULL);
    }
}

static void test_ssh_fingerprint(void)
{
    char fp[IAM_SSH_FP_LEN];

    CHECK(iam_ssh_fingerprint("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCBiI+WnaSrsrnAx87V3OPq8fj/Bg0UGyIpMDc+RUxTWmFob3Z9hIuSmaCnrrW8w8rR2N/m7fT7AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Nvi6fD3/gUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz+gEIDxYdJCsyOUBHTlVcY2pxeH+GjZSboqmwt77FzNPa4ejv9v0ECxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM/W3eTr8vkABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8AwoRGB8mLTQ7QklQV15lbHN6 user@host", fp) == 0);
    CHECK_STR(fp, "8b:f7:f5:b9:31:99:29:0d:ad:5d:bb:ee:66:4a:f7:97");
    CHECK(iam_ssh_fingerprint("  ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCBiI+WnaSrsrnAx87V3OPq8fj/Bg0UGyIpMDc+RUxTWmFob3Z9hIuSmaCnrrW8w8rR2N/m7fT7AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Nvi6fD3/gUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz+gEIDxYdJCsyOUBHTlVcY2pxeH+GjZSboqmwt77FzNPa4ejv9v0ECxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM/W3eTr8vkABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8AwoRGB8mLTQ7QklQV15lbHN6", fp) == 0);
    CHECK_STR(fp, "8b:f7:f5:b9:31:99:29:0d:ad:5d:bb:ee:66:4a:f7:97");
    CHECK(iam_ssh_fingerprint("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f c",
                              fp) == 0);
    CHECK_STR(fp, "0f:a2:0a:d7:38:3e:65:45:08:6b:63:84:1c:ff:dc:ba");
    /* algorithm name and blob disagree */
    CHECK(iam_ssh_fingerprint("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQCBiI+WnaSrsrnAx87V3OPq8fj/Bg0UGyIpMDc+RUxTWmFob3Z9hIuSmaCnrrW8w8rR2N/m7fT7AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Nvi6fD3/gUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz+gEIDxYdJCsyOUBHTlVcY2pxeH+GjZSboqmwt77FzNPa4ejv9v0ECxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM/W3eTr8vkABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8AwoRGB8mLTQ7QklQV15lbHN6", fp) == -1);
    /* truncated blob, 1024-bit modulus, garbage, unknown algorithm */
    CHECK(iam_ssh_fingerprint("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x", fp) == -1);
    CHECK(iam_ssh_fingerprint("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
                              fp) == -1);
    CHECK(iam_ssh_fingerprint("ssh-rsa !!!!", fp) == -1);
    CHECK(iam_ssh_fingerprint("ssh-foo AAAAB3NzaC1yc2EAAAADAQABAAABAQ==", fp) == -1);
    CHECK(iam_ssh_fingerprint("", fp) == -1);
    CHECK(iam_ssh_fingerprint("ssh-rsa", fp) == -1);
}

/* iam_ssh_encode round trips: OpenSSH -> PEM -> OpenSSH gives the line
 * back (without its comment), and PEM keeps the fingerprint. */
static void test_ssh_encode(void)
{
    static const char line[] =
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCBiI+WnaSrsrnAx87V3OPq8fj/Bg0UGyIpMDc+RUxTWmFob3Z9hIuSmaCnrrW8w8rR2N/m7fT7AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Nvi6fD3/gUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz+gEIDxYdJCsyOUBHTlVcY2pxeH+GjZSboqmwt77FzNPa4ejv9v0ECxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM/W3eTr8vkABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8AwoRGB8mLTQ7QklQV15lbHN6";
    char fp1[IAM_SSH_FP_LEN], fp2[IAM_SSH_FP_LEN], with_comment[sizeof line + 16];
    char *pem, *back, *same;

    snprintf(with_comment, sizeof with_comment, "%s user@host", line);
    pem = iam_ssh_encode(with_comment, 1);
    CHECK(pem != NULL && strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
    back = pem ? iam_ssh_encode(pem, 0) : NULL;
    CHECK(back != NULL && strcmp(back, line) == 0);
    CHECK(iam_ssh_fingerprint(line, fp1) == 0 && pem && iam_ssh_fingerprint(pem, fp2) == 0);
    CHECK(strcmp(fp1, fp2) == 0);
    same = iam_ssh_encode(with_comment, 0);
    CHECK(same != NULL && strcmp(same, with_comment) == 0);
    free(pem);
    free(back);
    free(same);
    pem = iam_ssh_encode("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f c", 1);
    CHECK(pem != NULL && strstr(pem, "BEGIN PUBLIC KEY") != NULL);
    free(pem);
    CHECK(iam_ssh_encode("ssh-rsa !!!!", 1) == NULL);
    CHECK(iam_ssh_encode("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 0) == NULL);
}

int main(void)
{
    test_totp_vectors();
    test_base32();
    test_totp_match();
    test_password_hash();
    test_password_policy();
    test_ssh_fingerprint();
    test_ssh_encode();
    return unit_report("iam_crypto");
}
