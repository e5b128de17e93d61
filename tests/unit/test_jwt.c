/* test_jwt.c — unit tests for sts_jwt: base64url, compact JWS parsing, and
 * signature checks for RS256, ES256, PS256 and ES384 against a JWK Set. The
 * keys and tokens were minted once with Python `cryptography` (the e2e
 * suite test_sts_webidentity.py mints fresh ones each run); tampering with
 * any part must fail. */
#include "unit.h"
#include "services/iam/sts_jwt.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static const char jwks_text[] =
    "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"k1\", \"use\": \"sig\", \"alg\": \"RS256\", \"n\": \"7IMUkG1pHc5lz_8g"
    "Lw_QYxl_hvR24ZzyLcPmo4tgYXDp71B4CahvWnXt3FRtgxQqTDUr8j19ES4cG5iig3kuD_VVBFEPzIY3iOvJK7mXTJ"
    "6tI7TNwx56CUlBjYXLjZLohckt7-VcHCpQq77p7andEyIX1leuqLVuXK4dtYZjxeLd3kt4ZdwpZajLl7RYgcqZiu6W"
    "KzK4d8_TDMqaWOG9X5JcJ87Ja1ZIgdxGaOyju7dVwmbCv5znD9FycFoiSlH6FlPc0pV2DtC3jrxdA30a39b_Ih18-c"
    "Q5bCttQSStWvTRYfC5w5HD7-Vf9s5j18kEaQ4Q6gKc2D-LmfGwzziYzQ\", \"e\": \"AQAB\"}, {\"kty\": \"EC\", \"ki"
    "d\": \"k2\", \"crv\": \"P-256\", \"x\": \"EJgv0vD7gw7k0yL3MYPxVWLtG1gWeZlze1C3j67ZYWw\", \"y\": \"7gf-Ab"
    "zDw-bkKVSGZWtJVMudGWeU04iZfSyaLYn3M-8\"}, {\"kty\": \"RSA\", \"kid\": \"k3\", \"use\": \"sig\", \"alg\": "
    "\"PS256\", \"n\": \"nJHkMDCjl-2FIlk0VOagfUzDIDPqnHc4JuMApi8E48WhWRjRt9tg5kbXuMmnAmLFrvT6nC2-Gov"
    "kENM0IFc3rz6IVOJmvY0lhbMwmRgJ1nyQNeS79UYwOd55hgEZGKZ-PE6DXdLg0w8d8oBtXwNA-LcElyWnxqZcA95sf"
    "n7pTM9LijHaY9vcLeGUx87VPsiLMZmN2EltNQptkUK8gWkPUsCnOmT2wSwuvNlr6YiSEyNc2DF89rNm7OsxxNTrTER"
    "m1tKdDun68JoKsnYrmgCl1Hb1sIuwP1LFE6Glr8rBeiq-tgr7NocGp-mZo0Gp6OLUbQttWWMI8cwB83lVtsJRgQ\", "
    "\"e\": \"AQAB\"}, {\"kty\": \"EC\", \"kid\": \"k4\", \"crv\": \"P-384\", \"x\": \"2NQbnly3MPLXj9FXRq2rn10G2Eq"
    "gaq2CPE_cTzirA665AJELfXpoBOyBlvp2HDgm\", \"y\": \"nDvl2dxuQp1BhcDyB0UhUe1PPUOYzKQXjip6SOvxhmcO"
    "XmXTI4y-jrDXJi07X6Pn\"}]}";

static const char *const tokens[] = {
    "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXI"
    "uZXhhbXBsZSIsICJzdWIiOiAicyIsICJhdWQiOiAiYSIsICJleHAiOiAyMDAwMDAwMDAwfQ.xH2gLlLOP3HV5_jTJG"
    "fkpcQx13R6aaAqN8F-Pjdhg8EeBYEbKS0SlsPhsMfI7fVxvu_hz9tE5MOByrPCJxE_ea9QglGsPDxC1AHtY-ibm18H"
    "SvAhANGw3tYMyYc1mDz0qi_9Qgf2gGHXvu3Pzu99X4T6npHbHmYQiSLdJO1KqRuASZLkDttwEJdJ7paSIZG1FujGvN"
    "7CZWcsH35IiOmQLA4hELirG5zUvJD92uHRK8T9s7iI3OdYHSxcO-aijZXAFoI2q5PYlauCF3luascYNY-L5PBr8f5G"
    "j_c05jxwLRm0o7jda5QvrR3-nssJdfmHPgSw_HKdBgWtQV4OS8_OOw",
    "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazIifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXI"
    "uZXhhbXBsZSIsICJzdWIiOiAicyIsICJhdWQiOiAiYSIsICJleHAiOiAyMDAwMDAwMDAwfQ.W1g8yQsNYgS1Q35mXQ"
    "-E4-H0H3sOPAXmaWyi2U7x9UnJW7CcjHxE4seCOUHGyZP8hbtX8rZMyIv_pUyAl49ieA",
    "eyJhbGciOiAiUFMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazMifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXI"
    "uZXhhbXBsZSIsICJzdWIiOiAicyIsICJhdWQiOiAiYSIsICJleHAiOiAyMDAwMDAwMDAwfQ.SIWsI7b4IJ0K8maxhQ"
    "0sbhFXdyqcGtH6Tz8OnExG20kISz7dNzpNQbmEcuKlwLRD1tMAsaRDzNLENzCp-KAqJz1TYErgmvVPWX0n_Adfjwpn"
    "tMq7-s7SZEHEHLkN6BRd0tfgLk55EmzKdA9ko6stxNxGU9DlFBPaJll2y27GBL3TUitdsWOyCXwDEPh-3kT8hhC7Fo"
    "I3tOUnky8n90InRg0y1IdZ-6QMZr2QDaHGj2o7FGlwbiGY-dT5JqdW9v-x0MvNbEBIFtZCISbjGcyTvBn6BuUmRmMQ"
    "hh1vzWH_kCaLmI-0_yYoyEtp0K4M26cGVwBcCVprpCa8mc2GA5m6KA",
    "eyJhbGciOiAiRVMzODQiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazQifQ.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXI"
    "uZXhhbXBsZSIsICJzdWIiOiAicyIsICJhdWQiOiAiYSIsICJleHAiOiAyMDAwMDAwMDAwfQ.mvr7v3KyGoYMBYzRTx"
    "AcvESktqTtMJCiE475r_QDYKzUrXyCbzXwnaPXc2n6er_AluTPHxuK1OhihD1wBvDjL7Htt4frVn16VXc-cBdk6XAM"
    "ck2o1fMF6P1nSNlVQ8xb",
};

static void check_tampered(const cJSON *jwks, const char *tok)
{
    char *t = strdup(tok);
    char *last = strrchr(t, '.') + 1;
    jwt_t j;

    /* flip a bit of the signature's first byte (keeps valid base64url) */
    last[0] = last[0] == 'A' ? 'B' : 'A';
    CHECK(jwt_parse(t, strlen(t), &j) == JWT_OK);
    CHECK(jwt_verify(&j, jwks) == JWT_BAD_SIGNATURE);
    jwt_free(&j);
    free(t);
}

int main(void)
{
    cJSON *jwks = cJSON_Parse(jwks_text), *none = cJSON_Parse("{\"keys\":[]}");
    unsigned char out[16];
    size_t i;
    jwt_t j;

    CHECK(jwt_b64url_decode("aGk", 3, out) == 2 && memcmp(out, "hi", 2) == 0);
    CHECK(jwt_b64url_decode("-_8", 3, out) == 2 && out[0] == 0xfb && out[1] == 0xff);
    CHECK(jwt_b64url_decode("aGk=", 4, out) == -1); /* padding is not base64url */
    CHECK(jwt_b64url_decode("a+8", 3, out) == -1);
    CHECK(jwt_b64url_decode("a", 1, out) == -1);
    for (i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        CHECK(jwt_parse(tokens[i], strlen(tokens[i]), &j) == JWT_OK);
        CHECK(jwt_verify(&j, jwks) == JWT_OK);
        CHECK(jwt_verify(&j, none) == JWT_NO_KEY);
        jwt_free(&j);
        check_tampered(jwks, tokens[i]);
    }
    CHECK(jwt_parse("a.b", 3, &j) == JWT_MALFORMED);
    jwt_free(&j);
    CHECK(jwt_parse("a.b.c.d", 7, &j) == JWT_MALFORMED);
    jwt_free(&j);
    /* {"alg":"none"}.{"iss":"x"}. */
    CHECK(jwt_parse("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", 36, &j) == JWT_MALFORMED);
    jwt_free(&j);
    /* {"alg":"HS256"}.{"iss":"x"}.sig */
    CHECK(jwt_parse("eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln", 41, &j) == JWT_BAD_ALG);
    jwt_free(&j);
    cJSON_Delete(jwks);
    cJSON_Delete(none);
    return unit_report("jwt");
}
