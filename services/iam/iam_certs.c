/* iam_certs.c — an IAM user's other credentials: SSH public keys (AWS's
 * MD5 fingerprint), X.509 signing certificates (checked with OpenSSL; the
 * id is the certificate's SHA-1) and service-specific credentials
 * (CodeCommit, Keyspaces, Bedrock; the password is shown once and kept as
 * a salted hash). Status updates, deletes and lists are one table-driven
 * set of helpers. */
#include "services/iam/iam_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/codec.h"
#include "storage/db.h"
#include "services/iam/iam_crypto.h"

#define SSH_PER_USER 5
#define CERTS_PER_USER 2
#define SSC_PER_SERVICE 2

/* A kind of per-user credential: its id member and the statements. */
typedef struct {
    const char *id_member; /* "SSHPublicKeyId" */
    size_t id_min;
    int user_required; /* UserName required (else: the caller) */
    size_t user_max;
    const char *sql_status; /* ?1 id, ?2 account, ?3 user, ?4 status */
    const char *sql_delete; /* ?1 id, ?2 account, ?3 user */
    const char *not_found;  /* %s: the id */
} cred_kind_t;

static const cred_kind_t SSH = {
    "SSHPublicKeyId", 20, 1, 64,
    "UPDATE iam_ssh_keys SET status = ?4 WHERE key_id = ?1 AND account = ?2 AND user_name = ?3",
    "DELETE FROM iam_ssh_keys WHERE key_id = ?1 AND account = ?2 AND user_name = ?3",
    "The Public Key with id %s cannot be found."};
static const cred_kind_t CERT = {
    "CertificateId", 24, 0, 128,
    "UPDATE iam_signing_certs SET status = ?4 WHERE cert_id = ?1 AND account = ?2 AND "
    "user_name = ?3",
    "DELETE FROM iam_signing_certs WHERE cert_id = ?1 AND account = ?2 AND user_name = ?3",
    "The Certificate with id %s cannot be found."};
static const cred_kind_t SSC = {
    "ServiceSpecificCredentialId", 20, 0, 64,
    "UPDATE iam_service_creds SET status = ?4 WHERE cred_id = ?1 AND account = ?2 AND "
    "user_name = ?3",
    "DELETE FROM iam_service_creds WHERE cred_id = ?1 AND account = ?2 AND user_name = ?3",
    "No such credential %s exists"};

/* Reads the user (required or the caller) and the id of kind k. */
static int cred_target(svc_req_t *r, const qform_t *in, const cred_kind_t *k,
                       char user[IAM_NAME_MAX], const char **id)
{
    if (k->user_required && !qform_get(in, "UserName"))
        return iam_null(r, "UserName");
    if (q_str(r, in, k->id_member, 1, k->id_min, 128, id) ||
        q_charset(r, k->id_member, *id, "_", "[\\w]+") ||
        iam_user_or_caller(r, in, "UserName", k->user_max, user))
        return -1;
    return 0;
}

/* Update<X>: sets Status; Delete<X>: removes it. */
static int cred_change(svc_req_t *r, const qform_t *in, const cred_kind_t *k, int del)
{
    char user[IAM_NAME_MAX];
    const char *id = NULL, *status = NULL;

    if (cred_target(r, in, k, user, &id) || (!del && iam_status(r, in, &status)))
        return -1;
    if (del ? iam_exec(r, k->sql_delete, "sss", id, r->account, user)
            : iam_exec(r, k->sql_status, "ssss", id, r->account, user, status))
        return -1;
    if (sqlite3_changes(db_handle(r->emu->db)) == 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY, k->not_found, id);
    return 0;
}

IAM_OP_CALL(iam_op_update_ssh_public_key, cred_change(r, in, &SSH, 0))
IAM_OP_CALL(iam_op_delete_ssh_public_key, cred_change(r, in, &SSH, 1))
IAM_OP_CALL(iam_op_update_signing_certificate, cred_change(r, in, &CERT, 0))
IAM_OP_CALL(iam_op_delete_signing_certificate, cred_change(r, in, &CERT, 1))
IAM_OP_CALL(iam_op_update_service_specific_credential, cred_change(r, in, &SSC, 0))
IAM_OP_CALL(iam_op_delete_service_specific_credential, cred_change(r, in, &SSC, 1))

/* Rows of sql (?1 account, ?2 user) for the user: 0 or -1. */
static long user_count(svc_req_t *r, const char *sql, const char *user, const char *extra)
{
    sqlite3_stmt *st = iam_stmt(r, sql, "sss", r->account, user, extra);
    long n = -1;

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n < 0 ? iam_internal(r) : n;
}

/* ---- SSH public keys ----------------------------------------------------- */

/* full: with Fingerprint and the body (in body when not NULL: the body
 * re-encoded as GetSSHPublicKey's Encoding asks). */
static int ssh_xml(buf_t *out, sqlite3_stmt *st, int full, const char *body)
{
    /* columns: key_id, user_name, fingerprint, body, status, uploaded */
    xml_elem(out, "UserName", iam_col(st, 1));
    xml_elem(out, "SSHPublicKeyId", iam_col(st, 0));
    if (full) {
        xml_elem(out, "Fingerprint", iam_col(st, 2));
        xml_elem(out, "SSHPublicKeyBody", body ? body : iam_col(st, 3));
    }
    xml_elem(out, "Status", iam_col(st, 4));
    return iam_xml_time(out, "UploadDate", sqlite3_column_double(st, 5));
}

static const char SSH_COLS[] = "SELECT key_id, user_name, fingerprint, body, status, uploaded "
                               "FROM iam_ssh_keys WHERE key_id = ?1 AND account = ?2";

/* The key's <SSHPublicKey>; enc: -1 the body as uploaded, 0 SSH, 1 PEM. */
static int ssh_answer(svc_req_t *r, buf_t *out, const char *id, int enc)
{
    sqlite3_stmt *st = iam_stmt(r, SSH_COLS, "ss", id, r->account);
    char *body = NULL;
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && enc >= 0 && (body = iam_ssh_encode(iam_col(st, 3), enc)) == NULL) {
        sqlite3_reset(st);
        return svc_error(r, IAM_E_UNRECOGNIZED_PUBLIC_KEY_ENCODING,
                         "The public key encoding format is unsupported or unrecognized.");
    }
    if (rc == SQLITE_ROW) {
        xml_open(out, "SSHPublicKey");
        ssh_xml(out, st, 1, body);
        xml_close(out, "SSHPublicKey");
    }
    free(body);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? svc_error(r, IAM_E_NO_SUCH_ENTITY, SSH.not_found, id)
                             : iam_internal(r);
}

IAM_OP(iam_op_upload_ssh_public_key)
{
    const char *body = NULL;
    char user[IAM_NAME_MAX], fp[IAM_SSH_FP_LEN], id[32];
    long n;
    int dup;

    if (!qform_get(in, "UserName"))
        return iam_null(r, "UserName");
    if (iam_user_or_caller(r, in, "UserName", 64, user) ||
        q_str(r, in, "SSHPublicKeyBody", 1, 1, 16384, &body) ||
        q_charset(r, "SSHPublicKeyBody", body, NULL, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"))
        return -1;
    if (iam_ssh_fingerprint(body, fp)) {
        if (strncmp(body, "ssh-", 4) == 0 || strncmp(body, "ecdsa-", 6) == 0 ||
            strncmp(body, "-----BEGIN ", 11) == 0)
            return svc_error(r, IAM_E_INVALID_PUBLIC_KEY, "The public key is not valid.");
        return svc_error(r, IAM_E_UNRECOGNIZED_PUBLIC_KEY_ENCODING,
                         "The public key encoding format is unsupported or unrecognized.");
    }
    dup = iam_any(r,
                  "SELECT 1 FROM iam_ssh_keys WHERE account = ?1 AND user_name = ?2 AND "
                  "fingerprint = ?3",
                  "sss", r->account, user, fp);
    if (dup < 0)
        return -1;
    if (dup)
        return svc_error(r, IAM_E_DUPLICATE_SSH_PUBLIC_KEY,
                         "The SSH public key is already associated with the specified IAM user.");
    n = user_count(r, "SELECT COUNT(*) FROM iam_ssh_keys WHERE account = ?1 AND user_name = ?2",
                   user, NULL);
    if (n < 0)
        return -1;
    if (n >= SSH_PER_USER)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED, "Cannot exceed quota for PublicKeysPerUser: %d",
                         SSH_PER_USER);
    iam_new_id("APKA", id);
    if (iam_exec(r,
                 "INSERT INTO iam_ssh_keys (key_id, account, user_name, body, fingerprint, "
                 "status, uploaded) VALUES (?1, ?2, ?3, ?4, ?5, 'Active', ?6)",
                 "sssssd", id, r->account, user, body, fp, r->now))
        return -1;
    return ssh_answer(r, out, id, -1);
}

IAM_OP(iam_op_get_ssh_public_key)
{
    static const char *const encodings[] = {"SSH", "PEM", NULL};
    char user[IAM_NAME_MAX];
    const char *id = NULL, *enc = NULL;
    int rc;

    if (cred_target(r, in, &SSH, user, &id) || iam_enum(r, in, "Encoding", 1, encodings, &enc))
        return -1;
    rc = iam_any(r,
                 "SELECT 1 FROM iam_ssh_keys WHERE key_id = ?1 AND account = ?2 AND "
                 "user_name = ?3",
                 "sss", id, r->account, user);
    if (rc <= 0)
        return rc < 0 ? -1 : svc_error(r, IAM_E_NO_SUCH_ENTITY, SSH.not_found, id);
    return ssh_answer(r, out, id, !strcmp(enc, "PEM"));
}

static int ssh_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    (void)ctx;
    xml_open(out, "member");
    ssh_xml(out, st, 0, NULL);
    return xml_close(out, "member");
}

/* List<X> of the user (UserName, else the caller). */
static int cred_list(svc_req_t *r, const qform_t *in, buf_t *out, size_t user_max,
                     const char *sql, const char *elem, iam_row_fn row)
{
    char user[IAM_NAME_MAX];
    iam_page_t pg;

    if (iam_user_or_caller(r, in, "UserName", user_max, user) || iam_page_init(r, in, &pg))
        return -1;
    return iam_list_page(r, out, iam_stmt(r, sql, "ss", r->account, user), elem, &pg, row, NULL);
}

IAM_OP_CALL(iam_op_list_ssh_public_keys,
            cred_list(r, in, out, 64,
                      "SELECT key_id, user_name, fingerprint, body, status, uploaded FROM "
                      "iam_ssh_keys WHERE account = ?1 AND user_name = ?2 ORDER BY uploaded, "
                      "key_id",
                      "SSHPublicKeys", ssh_member))

/* ---- signing certificates ------------------------------------------------ */

static int cert_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    xml_open(out, ctx ? "Certificate" : "member");
    xml_elem(out, "UserName", iam_col(st, 1));
    xml_elem(out, "CertificateId", iam_col(st, 0));
    xml_elem(out, "CertificateBody", iam_col(st, 2));
    xml_elem(out, "Status", iam_col(st, 3));
    iam_xml_time(out, "UploadDate", sqlite3_column_double(st, 4));
    return xml_close(out, ctx ? "Certificate" : "member");
}

IAM_OP_CALL(iam_op_list_signing_certificates,
            cred_list(r, in, out, 128,
                      "SELECT cert_id, user_name, body, status, uploaded FROM iam_signing_certs "
                      "WHERE account = ?1 AND user_name = ?2 ORDER BY uploaded, cert_id",
                      "Certificates", cert_member))

/* The certificate's id: the upper-case hex SHA-1 of its DER form. */
static int cert_id(const char *pem, char id[41])
{
    BIO *bio = BIO_new_mem_buf(pem, (int)strlen(pem));
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0, i;
    int rc = -1;

    if (x && X509_digest(x, EVP_sha1(), md, &mdlen) == 1 && mdlen == 20) {
        for (i = 0; i < 20; i++)
            snprintf(id + 2 * i, 3, "%02X", md[i]);
        rc = 0;
    }
    X509_free(x);
    BIO_free(bio);
    return rc;
}

IAM_OP(iam_op_upload_signing_certificate)
{
    const char *body = NULL;
    char user[IAM_NAME_MAX], id[41];
    sqlite3_stmt *st;
    long n;
    int dup;

    if (iam_user_or_caller(r, in, "UserName", 128, user) ||
        q_str(r, in, "CertificateBody", 1, 1, 16384, &body) ||
        q_charset(r, "CertificateBody", body, NULL, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"))
        return -1;
    if (cert_id(body, id))
        return svc_error(r, IAM_E_MALFORMED_CERTIFICATE,
                         "Unable to parse certificate. Please "
                         "ensure the certificate is in PEM "
                         "format.");
    if ((dup = iam_any(r, "SELECT 1 FROM iam_signing_certs WHERE cert_id = ?1", "s", id)) != 0)
        return dup < 0 ? -1
                       : svc_error(r, IAM_E_DUPLICATE_CERTIFICATE,
                                   "The Certificate with id %s already exists.", id);
    n = user_count(r,
                   "SELECT COUNT(*) FROM iam_signing_certs WHERE account = ?1 AND user_name = ?2",
                   user, NULL);
    if (n < 0)
        return -1;
    if (n >= CERTS_PER_USER)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "Cannot exceed quota for SigningCertificatesPerUser: %d", CERTS_PER_USER);
    if (iam_exec(r,
                 "INSERT INTO iam_signing_certs (cert_id, account, user_name, body, status, "
                 "uploaded) VALUES (?1, ?2, ?3, ?4, 'Active', ?5)",
                 "ssssd", id, r->account, user, body, r->now))
        return -1;
    st = iam_stmt(r,
                  "SELECT cert_id, user_name, body, status, uploaded FROM iam_signing_certs "
                  "WHERE cert_id = ?1",
                  "s", id);
    if (st == NULL)
        return -1;
    n = sqlite3_step(st) == SQLITE_ROW ? cert_member(r, out, st, "one") : iam_internal(r);
    sqlite3_reset(st);
    return (int)n;
}

/* ---- service-specific credentials ---------------------------------------- */

static const char *const SSC_SERVICES[] = {"codecommit.amazonaws.com", "cassandra.amazonaws.com",
                                           "bedrock.amazonaws.com", NULL};

static int ssc_service(svc_req_t *r, const qform_t *in, int required, const char **out)
{
    const char *v = NULL;
    size_t i;

    if (q_str(r, in, "ServiceName", required, 0, 0, &v))
        return -1;
    if (v == NULL)
        return 0;
    for (i = 0; SSC_SERVICES[i]; i++)
        if (!strcmp(SSC_SERVICES[i], v)) {
            *out = v;
            return 0;
        }
    return svc_error(r, IAM_E_NOT_SUPPORTED_SERVICE,
                     "No such service %.64s is supported for Service Specific Credentials", v);
}

/* Writes <ServiceSpecificCredential> of row id with a fresh password
 * (hashed into the row first). */
static int ssc_issue(svc_req_t *r, buf_t *out, const char *id)
{
    static const char alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char pw[45], hash[IAM_PW_HASH_MAX];
    unsigned char rnd[44];
    sqlite3_stmt *st;
    int rc = -1, bedrock, i;

    codec_random(rnd, sizeof rnd);
    for (i = 0; i < 44; i++)
        pw[i] = alpha[rnd[i] & 63];
    pw[44] = '\0';
    OPENSSL_cleanse(rnd, sizeof rnd);
    if (iam_pw_hash(pw, hash)) {
        iam_internal(r);
        goto out;
    }
    if (iam_exec(r, "UPDATE iam_service_creds SET pw_hash = ?2 WHERE cred_id = ?1", "ss", id,
                 hash))
        goto out;
    st = iam_stmt(r,
                  "SELECT cred_id, user_name, service, service_user, status, created, expires "
                  "FROM iam_service_creds WHERE cred_id = ?1",
                  "s", id);
    if (st == NULL)
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        iam_internal(r);
        goto out;
    }
    bedrock = !strcmp(iam_col(st, 2), "bedrock.amazonaws.com");
    xml_open(out, "ServiceSpecificCredential");
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 5));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        iam_xml_time(out, "ExpirationDate", sqlite3_column_double(st, 6));
    xml_elem(out, "ServiceName", iam_col(st, 2));
    xml_elem(out, bedrock ? "ServiceCredentialAlias" : "ServiceUserName", iam_col(st, 3));
    xml_elem(out, bedrock ? "ServiceCredentialSecret" : "ServicePassword", pw);
    xml_elem(out, "ServiceSpecificCredentialId", iam_col(st, 0));
    xml_elem(out, "UserName", iam_col(st, 1));
    xml_elem(out, "Status", iam_col(st, 4));
    xml_close(out, "ServiceSpecificCredential");
    sqlite3_reset(st);
    rc = 0;
out:
    OPENSSL_cleanse(pw, sizeof pw);
    OPENSSL_cleanse(hash, sizeof hash);
    return rc;
}

IAM_OP(iam_op_create_service_specific_credential)
{
    const char *service = NULL;
    char user[IAM_NAME_MAX], id[32], suser[200];
    long days = 0, n;
    int has_days = 0;

    if (!qform_get(in, "UserName"))
        return iam_null(r, "UserName");
    if (iam_user_or_caller(r, in, "UserName", 64, user) || ssc_service(r, in, 1, &service) ||
        q_int(r, in, "CredentialAgeDays", 0, 1, 36600, &days, &has_days))
        return -1;
    n = user_count(r,
                   "SELECT COUNT(*) FROM iam_service_creds WHERE account = ?1 AND "
                   "user_name = ?2 AND service = ?3",
                   user, service);
    if (n < 0)
        return -1;
    if (n >= SSC_PER_SERVICE)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d",
                         SSC_PER_SERVICE);
    iam_new_id("ACCA", id);
    if (!strcmp(service, "bedrock.amazonaws.com"))
        snprintf(suser, sizeof suser, "BedrockAPIKey-%.8s-at-%s", id + 4, r->account);
    else
        snprintf(suser, sizeof suser, "%s-at-%s", user, r->account);
    if (iam_exec(r,
                 "INSERT INTO iam_service_creds (cred_id, account, user_name, service, "
                 "service_user, pw_hash, status, created) VALUES (?1, ?2, ?3, ?4, ?5, '', "
                 "'Active', ?6)",
                 "sssssd", id, r->account, user, service, suser, r->now))
        return -1;
    if (has_days && iam_exec(r, "UPDATE iam_service_creds SET expires = ?2 WHERE cred_id = ?1",
                             "sd", id, r->now + (double)days * 86400))
        return -1;
    return ssc_issue(r, out, id);
}

IAM_OP(iam_op_reset_service_specific_credential)
{
    char user[IAM_NAME_MAX];
    const char *id = NULL;
    int rc;

    if (cred_target(r, in, &SSC, user, &id))
        return -1;
    rc = iam_any(r,
                 "SELECT 1 FROM iam_service_creds WHERE cred_id = ?1 AND account = ?2 AND "
                 "user_name = ?3",
                 "sss", id, r->account, user);
    if (rc <= 0)
        return rc < 0 ? -1 : svc_error(r, IAM_E_NO_SUCH_ENTITY, SSC.not_found, id);
    return ssc_issue(r, out, id);
}

static int ssc_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    int bedrock = !strcmp(iam_col(st, 2), "bedrock.amazonaws.com");

    (void)r;
    (void)ctx;
    xml_open(out, "member");
    xml_elem(out, "UserName", iam_col(st, 1));
    xml_elem(out, "Status", iam_col(st, 4));
    xml_elem(out, bedrock ? "ServiceCredentialAlias" : "ServiceUserName", iam_col(st, 3));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 5));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        iam_xml_time(out, "ExpirationDate", sqlite3_column_double(st, 6));
    xml_elem(out, "ServiceSpecificCredentialId", iam_col(st, 0));
    xml_elem(out, "ServiceName", iam_col(st, 2));
    return xml_close(out, "member");
}

IAM_OP(iam_op_list_service_specific_credentials)
{
    char user[IAM_NAME_MAX] = "";
    const char *service = NULL;
    int all = 0;
    iam_page_t pg;

    if (q_bool(r, in, "AllUsers", &all, NULL) || ssc_service(r, in, 0, &service) ||
        iam_page_init(r, in, &pg))
        return -1;
    if (!all && iam_user_or_caller(r, in, "UserName", 64, user))
        return -1;
    return iam_list_page(r, out,
                         iam_stmt(r,
                                  "SELECT cred_id, user_name, service, service_user, status, "
                                  "created, expires FROM iam_service_creds WHERE account = ?1 "
                                  "AND (?2 = '' OR user_name = ?2) AND (?3 IS NULL OR "
                                  "service = ?3) ORDER BY user_name, created, cred_id",
                                  "sss", r->account, user, service),
                         "ServiceSpecificCredentials", &pg, ssc_member, NULL);
}
