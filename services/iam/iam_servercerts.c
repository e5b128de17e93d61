/* iam_servercerts.c — server certificates: UploadServerCertificate (the
 * certificate, chain and private key parsed with OpenSSL, the key checked
 * against the certificate and sealed at rest, AAD: the certificate id),
 * Get/Update/Delete/ListServerCertificates and their tags. */
#include "services/iam/iam_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "storage/db.h"
#include "storage/keyring.h"

#define SERVER_CERTS_MAX 20

static const iam_kind_t SERVER_CERT = {
    .kind = "server-certificate",
    .noun = "Server Certificate",
    .member = "ServerCertificateName",
    .name_max = 128,
    .sql_find = "SELECT name, arn, path, id FROM iam_server_certs WHERE account = ?1 AND name = ?2",
    .inline_max = 0,
    .quota = "",
    .tag_quota = "TagsPerServerCertificate",
    .id_prefix = "ASCA",
    .exists = "The Server Certificate with name %s already exists.",
    .sql_delete = "DELETE FROM iam_server_certs WHERE account = ?1 AND name = ?2",
};

static const char PEM_PATTERN[] = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";

static int malformed(svc_req_t *r, const char *what)
{
    return svc_error(r, IAM_E_MALFORMED_CERTIFICATE,
                     "Unable to parse %s. Please ensure the %s is "
                     "in PEM format.",
                     what, what);
}

/* Parses the certificate (expiration into *notafter), the optional chain
 * and the private key, and checks the key belongs to the certificate. */
static int check_pem(svc_req_t *r, const char *body, const char *chain, const char *key,
                     double *notafter)
{
    BIO *b = NULL;
    X509 *x = NULL, *c = NULL;
    EVP_PKEY *pk = NULL;
    struct tm tm;
    int rc = -1, n = 0;

    if ((b = BIO_new_mem_buf(body, (int)strlen(body))) == NULL ||
        (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
        malformed(r, "certificate");
        goto out;
    }
    BIO_free(b);
    b = NULL;
    if (chain) {
        if ((b = BIO_new_mem_buf(chain, (int)strlen(chain))) == NULL)
            goto fail;
        while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
            X509_free(c);
            n++;
        }
        BIO_free(b);
        b = NULL;
        if (n == 0) {
            malformed(r, "certificate chain");
            goto out;
        }
    }
    if ((b = BIO_new_mem_buf(key, (int)strlen(key))) == NULL ||
        (pk = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"")) == NULL) {
        malformed(r, "private key");
        goto out;
    }
    if (X509_check_private_key(x, pk) != 1) {
        svc_error(r, IAM_E_KEY_PAIR_MISMATCH,
                  "The public key certificate and the private key do not match.");
        goto out;
    }
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
        goto fail;
    *notafter = (double)timegm(&tm);
    rc = 0;
    goto out;
fail:
    iam_internal(r);
out:
    EVP_PKEY_free(pk);
    X509_free(x);
    BIO_free(b);
    return rc;
}

/* <ServerCertificateMetadata> fields (no wrapper) of st's row: name, id,
 * path, arn, uploaded, expiration. */
static void meta_fields(buf_t *out, sqlite3_stmt *st)
{
    xml_elem(out, "Path", iam_col(st, 2));
    xml_elem(out, "ServerCertificateName", iam_col(st, 0));
    xml_elem(out, "ServerCertificateId", iam_col(st, 1));
    xml_elem(out, "Arn", iam_col(st, 3));
    iam_xml_time(out, "UploadDate", sqlite3_column_double(st, 4));
    iam_xml_time(out, "Expiration", sqlite3_column_double(st, 5));
}

#define META_COLS "SELECT name, id, path, arn, uploaded, expiration, body, chain FROM iam_server_certs "

/* The certificate named name: metadata (and with full, body, chain, tags). */
static int cert_answer(svc_req_t *r, buf_t *out, const char *name, int full)
{
    sqlite3_stmt *st =
        iam_find_row(r, &SERVER_CERT, META_COLS "WHERE account = ?1 AND name = ?2", name);
    char canon[IAM_NAME_MAX];

    if (st == NULL)
        return -1;
    str_copy(canon, sizeof canon, iam_col(st, 0));
    if (full)
        xml_open(out, "ServerCertificate");
    xml_open(out, "ServerCertificateMetadata");
    meta_fields(out, st);
    xml_close(out, "ServerCertificateMetadata");
    if (full) {
        xml_elem(out, "CertificateBody", iam_col(st, 6));
        if (sqlite3_column_type(st, 7) != SQLITE_NULL)
            xml_elem(out, "CertificateChain", iam_col(st, 7));
    }
    sqlite3_reset(st);
    if (iam_tags_xml(r, out, SERVER_CERT.kind, canon))
        return -1;
    return full ? xml_close(out, "ServerCertificate") : 0;
}

IAM_OP(iam_op_upload_server_certificate)
{
    const char *name = NULL, *path = "/", *body = NULL, *chain = NULL, *key = NULL;
    char id[32], arn[IAM_ARN_MAX];
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0, klen;
    uint8_t *sealed = NULL;
    double notafter = 0;
    sqlite3_stmt *st;
    long n = 0;
    int rc = -1;

    if (iam_path(r, in, "Path", &path) ||
        iam_name(r, in, "ServerCertificateName", 1, 128, &name) ||
        q_str(r, in, "CertificateBody", 1, 1, 16384, &body) ||
        q_charset(r, "CertificateBody", body, NULL, PEM_PATTERN) ||
        q_str(r, in, "PrivateKey", 1, 1, 16384, &key) ||
        q_charset(r, "PrivateKey", key, NULL, PEM_PATTERN) ||
        q_str(r, in, "CertificateChain", 0, 1, 2097152, &chain) ||
        (chain && q_charset(r, "CertificateChain", chain, NULL, PEM_PATTERN)) ||
        iam_tags_read(r, in, tags, &ntags) || check_pem(r, body, chain, key, &notafter))
        return -1;
    if (iam_new_entity(r, &SERVER_CERT, name, path, id, arn))
        return -1;
    if ((st = iam_stmt(r, "SELECT COUNT(*) FROM iam_server_certs WHERE account = ?1", "s",
                       r->account)) == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (n >= SERVER_CERTS_MAX) {
        db_rollback(r->emu->db);
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "Cannot exceed quota for ServerCertificatesPerAccount: %d",
                         SERVER_CERTS_MAX);
    }
    klen = strlen(key);
    if ((sealed = malloc(klen + ENVELOPE_OVERHEAD)) == NULL ||
        keyring_seal(r->emu->master_key, KEYRING_IAM_SERVER_CERT_KEY, id, strlen(id),
                     (const uint8_t *)key, klen, sealed)) {
        iam_internal(r);
        goto out;
    }
    if (iam_exec(r,
                 "INSERT INTO iam_server_certs (account, name, id, path, arn, body, chain, "
                 "key_sealed, uploaded, expiration, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                 "?8, ?9, ?10, (SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_server_certs))",
                 "sssssssbdd", r->account, name, id, path, arn, body, chain, sealed,
                 klen + ENVELOPE_OVERHEAD, r->now, notafter))
        goto out;
    if (iam_new_entity_end(r, &SERVER_CERT, name, tags, ntags))
        goto out;
    rc = cert_answer(r, out, name, 0);
out:
    free(sealed);
    return rc;
}

IAM_OP(iam_op_get_server_certificate)
{
    char canon[IAM_NAME_MAX];

    if (iam_named(r, in, &SERVER_CERT, canon))
        return -1;
    return cert_answer(r, out, canon, 1);
}

static int rename_cert(svc_req_t *r, const char *from, const char *to)
{
    return iam_tags_rename(r, SERVER_CERT.kind, from, to);
}

IAM_OP(iam_op_update_server_certificate)
{
    (void)out;
    return iam_update_entity(r, in, &SERVER_CERT, "NewServerCertificateName", 128,
                             "UPDATE iam_server_certs SET name = ?3, path = ?4, arn = ?5 WHERE "
                             "account = ?1 AND name = ?2",
                             rename_cert);
}

IAM_OP_CALL(iam_op_delete_server_certificate,
            iam_delete_checked(r, in, &SERVER_CERT, NULL, 0))

static int meta_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    (void)ctx;
    xml_open(out, "member");
    meta_fields(out, st);
    return xml_close(out, "member");
}

IAM_OP_CALL(iam_op_list_server_certificates,
            iam_list_by_path(r, in, out,
                             META_COLS "WHERE account = ?1 AND substr(path, 1, length(?2)) = ?2 "
                                       "ORDER BY name",
                             "ServerCertificateMetadataList", meta_member))
IAM_OP_CALL(iam_op_tag_server_certificate, iam_tag_entity(r, in, &SERVER_CERT))
IAM_OP_CALL(iam_op_untag_server_certificate, iam_untag_entity(r, in, &SERVER_CERT))
IAM_OP_CALL(iam_op_list_server_certificate_tags,
            iam_list_entity_tags(r, in, out, &SERVER_CERT))
