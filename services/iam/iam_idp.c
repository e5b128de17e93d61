/* iam_idp.c — identity providers: OpenID Connect providers (ARN
 * arn:aws:iam::A:oidc-provider/<host/path>) with their client ids,
 * thumbprints and tags, and SAML providers (metadata document checked to
 * be XML with an EntityDescriptor; ValidUntil from its validUntil). */
#include "services/iam/iam_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/buf.h"
#include "storage/db.h"
#include "services/iam/iam_saml_meta.h"

#define OIDC_MAX_PROVIDERS 100
#define OIDC_MAX_CLIENT_IDS 100
#define OIDC_MAX_THUMBPRINTS 5
#define SAML_MAX_PROVIDERS 100
#define SAML_DOC_MAX ((size_t)1 << 20) /* what we accept: 1 MiB (AWS: 10 MB) */
#define IDP_LIST_MAX 8192               /* newline-joined client ids / thumbprints */

/* ---- shared -------------------------------------------------------------- */

/* Reads ARN member and finds the provider row of sql (?1 ARN, ?2 account);
 * NoSuchEntity with msg (%s: the ARN) when absent. The statement is
 * stepped to its row; the caller resets it. */
static sqlite3_stmt *provider_row(svc_req_t *r, const qform_t *in, const char *member,
                                  const char *sql, const char *msg, const char **arn)
{
    sqlite3_stmt *st;
    int rc;

    if (iam_arn(r, in, member, 1, arn))
        return NULL;
    if (strncmp(*arn, "arn:", 4) != 0) {
        svc_error(r, IAM_E_BAD_ARN, *arn);
        return NULL;
    }
    if ((st = iam_stmt(r, sql, "ss", *arn, r->account)) == NULL)
        return NULL;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return st;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        svc_error(r, IAM_E_NO_SUCH_ENTITY, msg, *arn);
    else
        iam_internal(r);
    return NULL;
}

/* <elem> with a <member> per line of list. */
static void xml_lines(buf_t *out, const char *elem, const char *list)
{
    const char *p = list, *e;

    xml_open(out, elem);
    while (*p) {
        e = strchr(p, '\n');
        if (e == NULL)
            e = p + strlen(p);
        if (e > p)
            xml_elem_n(out, "member", p, (size_t)(e - p));
        p = *e ? e + 1 : e;
    }
    xml_close(out, elem);
}

/* 1 when line is one of the lines of list. */
static int has_line(const char *list, const char *line)
{
    size_t n = strlen(line);
    const char *p = list;

    while ((p = strstr(p, line)) != NULL) {
        if ((p == list || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

/* Reads "Prefix.member.N" (each len1..len2 characters, at most max, more:
 * err) into b newline-joined; duplicates dropped. */
static int read_lines(svc_req_t *r, const qform_t *in, const char *prefix, size_t len1,
                      size_t len2, size_t max, int (*too_many)(svc_req_t *), buf_t *b)
{
    size_t i, cnt;

    if (q_list_count(r, in, prefix, NULL, 100000, &cnt))
        return -1;
    if (cnt > max)
        return too_many(r);
    for (i = 0; i < cnt; i++) {
        char m[64];
        const char *v = NULL;
        snprintf(m, sizeof m, "%s.member.%zu", prefix, i + 1);
        if (q_str(r, in, m, 1, len1, len2, &v))
            return -1;
        if (strchr(v, '\n'))
            return svc_error(r, IAM_E_INVALID_INPUT, "Invalid %s: %.64s", prefix, v);
        if (b->len && has_line(b->data, v))
            continue;
        if (b->len)
            buf_add(b, "\n", 1);
        buf_adds(b, v);
    }
    buf_add(b, "", 1);
    b->len--;
    return 0;
}

static int too_many_clients(svc_req_t *r)
{
    return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                     "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d",
                     OIDC_MAX_CLIENT_IDS);
}

static int too_many_thumbprints(svc_req_t *r)
{
    /* AWS's text says 5 and means at most 5 */
    return svc_error(r, IAM_E_INVALID_INPUT, "Thumbprint list must contain fewer than %d entries.",
                     OIDC_MAX_THUMBPRINTS);
}

/* thumbprintType: 40 hex characters (SHA-1). */
static int check_thumbprints(svc_req_t *r, const char *list)
{
    const char *p;
    size_t run = 0;

    for (p = list;; p++) {
        if (*p == '\n' || *p == '\0') {
            if (run != 40)
                return svc_error(r, IAM_E_THUMBPRINT);
            run = 0;
            if (*p == '\0')
                return 0;
        } else if (!strchr("0123456789abcdefABCDEF", *p) || ++run > 40) {
            return svc_error(r, IAM_E_THUMBPRINT);
        }
    }
}

/* The provider URL as IAM takes it: "https://" and a host name of
 * letters, digits, '-' and '.', an optional path; no user info, port,
 * query or fragment (the texts of AWS-verified compatibility suites:
 * versitygw's IAMCreateOpenIDConnectProvider_invalid_url, moto's). */
static int check_oidc_url(svc_req_t *r, const char *url)
{
    const char *sep = strstr(url, "://"), *host, *end;

    if (sep == NULL || sep == url || sep[3] == '\0' || sep[3] == '/')
        return svc_error(r, IAM_E_VALIDATION_ERROR, "Invalid Open ID Connect Provider URL");
    if ((size_t)(sep - url) != 5 || strncasecmp(url, "https", 5) != 0)
        return svc_error(r, IAM_E_INVALID_INPUT,
                         "Invalid Open ID Connect Provider URL. The URL must begin with https://.");
    host = sep + 3;
    end = host + strcspn(host, "/");
    if (strpbrk(url, "?#@") || (size_t)(end - host) != strspn(host, "abcdefghijklmnopqrstuvwxyz"
                                                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                    "0123456789.-"))
        return svc_error(r, IAM_E_INVALID_INPUT, "Invalid Open ID Connect Provider URL.");
    return 0;
}

/* Thumbprints are kept (and answered) in lower case. */
static void lower_hex(buf_t *b)
{
    size_t i;

    for (i = 0; i < b->len; i++)
        b->data[i] = (char)tolower((unsigned char)b->data[i]);
}

static long count_rows(svc_req_t *r, const char *sql)
{
    sqlite3_stmt *st = iam_stmt(r, sql, "s", r->account);
    long n = 0;

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

/* ---- OpenID Connect ------------------------------------------------------ */

static const char OIDC_NOT_FOUND[] = "OpenIDConnect Provider not found for arn %s";
static const char OIDC_ROW[] = "SELECT url, client_ids, thumbprints, created FROM "
                               "iam_oidc_providers WHERE arn = ?1 AND account = ?2";

IAM_OP(iam_op_create_oidc_provider)
{
    const char *url = NULL, *host;
    char arn[IAM_ARN_MAX];
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0;
    buf_t ids, tps;
    long n;
    int rc = -1, ex;

    buf_init(&ids, 0);
    buf_init(&tps, 0);
    if (q_str(r, in, "Url", 1, 1, 255, &url) ||
        read_lines(r, in, "ClientIDList", 1, 255, OIDC_MAX_CLIENT_IDS, too_many_clients, &ids) ||
        read_lines(r, in, "ThumbprintList", 40, 40, OIDC_MAX_THUMBPRINTS, too_many_thumbprints,
                   &tps) ||
        (tps.len && check_thumbprints(r, tps.data)) || iam_tags_read(r, in, tags, &ntags))
        goto out;
    if (check_oidc_url(r, url) != 0)
        goto out;
    lower_hex(&tps);
    host = url + 8;
    snprintf(arn, sizeof arn, "arn:%s:iam::%s:oidc-provider/%s", IAM_PARTITION(r), r->account,
             host);
    if (db_begin(r->emu->db)) {
        iam_internal(r);
        goto out;
    }
    ex = iam_any(r, "SELECT 1 FROM iam_oidc_providers WHERE arn = ?1", "s", arn);
    n = count_rows(r, "SELECT COUNT(*) FROM iam_oidc_providers WHERE account = ?1");
    if (ex < 0 || n < 0)
        goto out;
    if (ex > 0 || n >= OIDC_MAX_PROVIDERS) {
        db_rollback(r->emu->db);
        if (ex > 0)
            svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS, "Provider with url %s already exists.", url);
        else
            svc_error(r, IAM_E_LIMIT_EXCEEDED,
                      "Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d",
                      OIDC_MAX_PROVIDERS);
        goto out;
    }
    if (iam_exec(r,
                 "INSERT INTO iam_oidc_providers (arn, account, url, client_ids, thumbprints, "
                 "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                 "sssssd", arn, r->account, host, ids.len ? ids.data : "",
                 tps.len ? tps.data : "", r->now) ||
        iam_tags_store(r, "oidc-provider", arn, "TagsPerOpenIdConnectProvider", tags, ntags))
        goto out;
    if (db_commit(r->emu->db)) {
        iam_internal(r);
        goto out;
    }
    xml_elem(out, "OpenIDConnectProviderArn", arn);
    rc = iam_tags_xml(r, out, "oidc-provider", arn);
out:
    buf_free(&ids);
    buf_free(&tps);
    return rc;
}

IAM_OP(iam_op_get_oidc_provider)
{
    const char *arn = NULL;
    sqlite3_stmt *st =
        provider_row(r, in, "OpenIDConnectProviderArn", OIDC_ROW, OIDC_NOT_FOUND, &arn);

    if (st == NULL)
        return -1;
    xml_elem(out, "Url", iam_col(st, 0));
    xml_lines(out, "ClientIDList", iam_col(st, 1));
    xml_lines(out, "ThumbprintList", iam_col(st, 2));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 3));
    sqlite3_reset(st);
    return iam_tags_xml(r, out, "oidc-provider", arn);
}

IAM_OP(iam_op_delete_oidc_provider)
{
    const char *arn = NULL;
    sqlite3_stmt *st =
        provider_row(r, in, "OpenIDConnectProviderArn", OIDC_ROW, OIDC_NOT_FOUND, &arn);

    (void)out;
    if (st == NULL)
        return -1;
    sqlite3_reset(st);
    return iam_delete_tagged(r, "DELETE FROM iam_oidc_providers WHERE arn = ?1", "oidc-provider", arn);
}

static int arn_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    xml_open(out, "member");
    xml_elem(out, "Arn", iam_col(st, 0));
    if (ctx) { /* SAML: ValidUntil and CreateDate */
        iam_xml_time(out, "ValidUntil", sqlite3_column_double(st, 1));
        iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 2));
    }
    return xml_close(out, "member");
}

IAM_OP(iam_op_list_oidc_providers)
{
    iam_page_t pg = {0, 100000, 0, 0, 0};

    (void)in;
    return iam_list_rows(r, out,
                         iam_stmt(r,
                                  "SELECT arn FROM iam_oidc_providers WHERE account = ?1 "
                                  "ORDER BY arn",
                                  "s", r->account),
                         "OpenIDConnectProviderList", &pg, arn_member, NULL);
}

/* Add (add 1) or remove a client id: no effect when already so. */
static int client_id(svc_req_t *r, const qform_t *in, int add)
{
    const char *arn = NULL, *id = NULL;
    sqlite3_stmt *st;
    buf_t b;
    int rc = -1;
    size_t n;

    if (q_str(r, in, "ClientID", 1, 1, 255, &id))
        return -1;
    st = provider_row(r, in, "OpenIDConnectProviderArn", OIDC_ROW, OIDC_NOT_FOUND, &arn);
    if (st == NULL)
        return -1;
    buf_init(&b, 0);
    buf_adds(&b, iam_col(st, 1));
    sqlite3_reset(st);
    buf_add(&b, "", 1);
    b.len--;
    if (add && !has_line(b.data, id)) {
        n = 1;
        for (const char *p = b.data; *p; p++)
            n += *p == '\n';
        if (b.len && n >= OIDC_MAX_CLIENT_IDS) {
            too_many_clients(r);
            goto out;
        }
        if (b.len)
            buf_add(&b, "\n", 1);
        buf_adds(&b, id);
    } else if (!add && has_line(b.data, id)) {
        buf_t nb;
        const char *p = b.data, *e;
        buf_init(&nb, 0);
        while (*p) {
            e = strchr(p, '\n');
            if (e == NULL)
                e = p + strlen(p);
            if ((size_t)(e - p) != strlen(id) || strncmp(p, id, (size_t)(e - p)) != 0) {
                if (nb.len)
                    buf_add(&nb, "\n", 1);
                buf_add(&nb, p, (size_t)(e - p));
            }
            p = *e ? e + 1 : e;
        }
        buf_free(&b);
        b = nb;
    }
    buf_add(&b, "", 1);
    rc = iam_exec(r, "UPDATE iam_oidc_providers SET client_ids = ?2 WHERE arn = ?1", "ss", arn,
                  b.data);
out:
    buf_free(&b);
    return rc;
}

IAM_OP_CALL(iam_op_add_client_id_to_oidc_provider, client_id(r, in, 1))
IAM_OP_CALL(iam_op_remove_client_id_from_oidc_provider, client_id(r, in, 0))

IAM_OP(iam_op_update_oidc_provider_thumbprint)
{
    const char *arn = NULL;
    sqlite3_stmt *st;
    buf_t tps;
    int rc = -1;

    (void)out;
    buf_init(&tps, 0);
    if (read_lines(r, in, "ThumbprintList", 40, 40, OIDC_MAX_THUMBPRINTS, too_many_thumbprints,
                   &tps) ||
        (tps.len && check_thumbprints(r, tps.data)))
        goto out;
    if (!qform_get(in, "ThumbprintList.member.1") && !qform_get(in, "ThumbprintList")) {
        iam_null(r, "ThumbprintList");
        goto out;
    }
    if ((st = provider_row(r, in, "OpenIDConnectProviderArn", OIDC_ROW, OIDC_NOT_FOUND, &arn)) ==
        NULL)
        goto out;
    sqlite3_reset(st);
    lower_hex(&tps);
    rc = iam_exec(r, "UPDATE iam_oidc_providers SET thumbprints = ?2 WHERE arn = ?1", "ss", arn,
                  tps.len ? tps.data : "");
out:
    buf_free(&tps);
    return rc;
}

/* Tag operations on a provider found by its ARN member. */
static int provider_tags(svc_req_t *r, const qform_t *in, buf_t *out, int saml, int op)
{
    const char *arn = NULL;
    sqlite3_stmt *st =
        saml ? provider_row(r, in, "SAMLProviderArn",
                            "SELECT arn FROM iam_saml_providers WHERE arn = ?1 AND account = ?2",
                            "SAMLProvider %s does not exist.", &arn)
             : provider_row(r, in, "OpenIDConnectProviderArn", OIDC_ROW, OIDC_NOT_FOUND, &arn);
    const char *kind = saml ? "saml-provider" : "oidc-provider";

    if (st == NULL)
        return -1;
    sqlite3_reset(st);
    if (op == 0)
        return iam_tag_apply(r, in, kind, arn,
                             saml ? "TagsPerSAMLProvider" : "TagsPerOpenIdConnectProvider");
    if (op == 1)
        return iam_untag_apply(r, in, kind, arn);
    return iam_tags_list(r, in, out, kind, arn);
}

IAM_OP_CALL(iam_op_tag_oidc_provider, provider_tags(r, in, out, 0, 0))
IAM_OP_CALL(iam_op_untag_oidc_provider, provider_tags(r, in, out, 0, 1))
IAM_OP_CALL(iam_op_list_oidc_provider_tags, provider_tags(r, in, out, 0, 2))
IAM_OP_CALL(iam_op_tag_saml_provider, provider_tags(r, in, out, 1, 0))
IAM_OP_CALL(iam_op_untag_saml_provider, provider_tags(r, in, out, 1, 1))
IAM_OP_CALL(iam_op_list_saml_provider_tags, provider_tags(r, in, out, 1, 2))

/* ---- SAML ---------------------------------------------------------------- */

static const char SAML_NOT_FOUND[] = "SAMLProvider %s does not exist.";
static const char SAML_ROW[] = "SELECT metadata, uuid, created, valid_until, enc_mode FROM "
                               "iam_saml_providers WHERE arn = ?1 AND account = ?2";

/* Checks the metadata document (iam_saml_meta_parse: an IdP's
 * EntityDescriptor, its signing certificates well-formed X.509).
 * *valid_until gets its validUntil, else now + 100 years. */
static int read_metadata(svc_req_t *r, const qform_t *in, int required, const char **doc,
                         double *valid_until)
{
    iam_saml_meta_t m;
    const char *v = NULL;

    if (q_str(r, in, "SAMLMetadataDocument", required, 1000, 10000000, &v))
        return -1;
    if (v == NULL)
        return 0;
    if (strlen(v) > SAML_DOC_MAX)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "Cannot exceed quota for SAMLMetadataDocumentSize: %zu", SAML_DOC_MAX);
    if (iam_saml_meta_parse(v, strlen(v), &m) != 0)
        return svc_error(r, IAM_E_INVALID_INPUT, "Could not parse metadata");
    *valid_until = m.valid_until ? m.valid_until : r->now + 100.0 * 365.25 * 86400;
    iam_saml_meta_free(&m);
    *doc = v;
    return 0;
}

static int no_private_keys(svc_req_t *r, const qform_t *in)
{
    if (qform_get(in, "AddPrivateKey") || qform_get(in, "RemovePrivateKey"))
        return svc_error(r, IAM_E_INVALID_INPUT,
                         "awsemu does not keep SAML assertion decryption keys.");
    return 0;
}

static const char *const ENC_MODES[] = {"Allowed", "Required", NULL};

IAM_OP(iam_op_create_saml_provider)
{
    const char *name = NULL, *doc = NULL, *mode = NULL;
    char arn[IAM_ARN_MAX], uuid[32];
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0;
    double valid = 0;
    long n;
    int ex;

    if (q_str(r, in, "Name", 1, 1, 128, &name) ||
        q_charset(r, "Name", name, "_.-", "[\\w._-]+") ||
        read_metadata(r, in, 1, &doc, &valid) || iam_tags_read(r, in, tags, &ntags) ||
        iam_enum(r, in, "AssertionEncryptionMode", 0, ENC_MODES, &mode) ||
        no_private_keys(r, in))
        return -1;
    snprintf(arn, sizeof arn, "arn:%s:iam::%s:saml-provider/%s", IAM_PARTITION(r), r->account,
             name);
    if (db_begin(r->emu->db))
        return iam_internal(r);
    ex = iam_any(r, "SELECT 1 FROM iam_saml_providers WHERE arn = ?1", "s", arn);
    n = count_rows(r, "SELECT COUNT(*) FROM iam_saml_providers WHERE account = ?1");
    if (ex < 0 || n < 0)
        return -1;
    if (ex > 0 || n >= SAML_MAX_PROVIDERS) {
        db_rollback(r->emu->db);
        if (ex > 0)
            return svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS, "SAMLProvider %s already exists.",
                             name);
        return svc_error(r, IAM_E_LIMIT_EXCEEDED,
                         "Cannot exceed quota for SAMLProvidersPerAccount: %d", SAML_MAX_PROVIDERS);
    }
    iam_new_id("SAMLPU", uuid);
    if (iam_exec(r,
                 "INSERT INTO iam_saml_providers (arn, account, name, uuid, metadata, "
                 "valid_until, enc_mode, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                 "sssssdsd", arn, r->account, name, uuid, doc, valid, mode, r->now) ||
        iam_tags_store(r, "saml-provider", arn, "TagsPerSAMLProvider", tags, ntags))
        return -1;
    if (db_commit(r->emu->db))
        return iam_internal(r);
    xml_elem(out, "SAMLProviderArn", arn);
    return iam_tags_xml(r, out, "saml-provider", arn);
}

IAM_OP(iam_op_get_saml_provider)
{
    const char *arn = NULL;
    sqlite3_stmt *st = provider_row(r, in, "SAMLProviderArn", SAML_ROW, SAML_NOT_FOUND, &arn);

    if (st == NULL)
        return -1;
    xml_elem(out, "SAMLProviderUUID", iam_col(st, 1));
    xml_elem(out, "SAMLMetadataDocument", iam_col(st, 0));
    iam_xml_time(out, "CreateDate", sqlite3_column_double(st, 2));
    iam_xml_time(out, "ValidUntil", sqlite3_column_double(st, 3));
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        xml_elem(out, "AssertionEncryptionMode", iam_col(st, 4));
    sqlite3_reset(st);
    return iam_tags_xml(r, out, "saml-provider", arn);
}

IAM_OP(iam_op_update_saml_provider)
{
    const char *arn = NULL, *doc = NULL, *mode = NULL;
    double valid = 0;
    sqlite3_stmt *st;

    if (read_metadata(r, in, 0, &doc, &valid) ||
        iam_enum(r, in, "AssertionEncryptionMode", 0, ENC_MODES, &mode) || no_private_keys(r, in))
        return -1;
    if ((st = provider_row(r, in, "SAMLProviderArn", SAML_ROW, SAML_NOT_FOUND, &arn)) == NULL)
        return -1;
    sqlite3_reset(st);
    if (doc && iam_exec(r,
                        "UPDATE iam_saml_providers SET metadata = ?2, valid_until = ?3 WHERE "
                        "arn = ?1",
                        "ssd", arn, doc, valid))
        return -1;
    if (mode && iam_exec(r, "UPDATE iam_saml_providers SET enc_mode = ?2 WHERE arn = ?1", "ss",
                         arn, mode))
        return -1;
    return xml_elem(out, "SAMLProviderArn", arn);
}

IAM_OP(iam_op_delete_saml_provider)
{
    const char *arn = NULL;
    sqlite3_stmt *st = provider_row(r, in, "SAMLProviderArn", SAML_ROW, SAML_NOT_FOUND, &arn);

    (void)out;
    if (st == NULL)
        return -1;
    sqlite3_reset(st);
    return iam_delete_tagged(r, "DELETE FROM iam_saml_providers WHERE arn = ?1", "saml-provider", arn);
}

IAM_OP(iam_op_list_saml_providers)
{
    iam_page_t pg = {0, 100000, 0, 0, 0};

    (void)in;
    return iam_list_rows(r, out,
                         iam_stmt(r,
                                  "SELECT arn, valid_until, created FROM iam_saml_providers "
                                  "WHERE account = ?1 ORDER BY arn",
                                  "s", r->account),
                         "SAMLProviderList", &pg, arn_member, "saml");
}
