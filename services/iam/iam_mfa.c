/* iam_mfa.c — virtual MFA devices: CreateVirtualMFADevice (a random
 * 160-bit seed, returned once as Base32; sealed at rest, AAD: the serial),
 * EnableMFADevice / ResyncMFADevice (two consecutive RFC 6238 codes on the
 * emulator clock), DeactivateMFADevice, DeleteVirtualMFADevice, the lists,
 * GetMFADevice and device tags. QRCodePNG encodes the otpauth:// URI AWS
 * documents for VirtualMFADevice. */
#include "services/iam/iam_int.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/codec.h"
#include "storage/db.h"
#include "storage/keyring.h"
#include "services/iam/iam_crypto.h"
#include "services/iam/iam_qr.h"

#define SEED_LEN 20
#define MFA_PER_USER 8
#define ENABLE_WINDOW 2  /* steps either side of now (clock drift) */
#define RESYNC_WINDOW 20 /* a device that drifted further */

static int no_device(svc_req_t *r, const char *serial)
{
    return svc_error(r, IAM_E_NO_SUCH_ENTITY, "VirtualMFADevice with serial %s does not exist.",
                     serial);
}

/* serialNumberType: 9..256 of [\w+=/:,.@-]. */
static int read_serial(svc_req_t *r, const qform_t *in, const char **serial)
{
    if (q_str(r, in, "SerialNumber", 1, 9, 256, serial) ||
        q_charset(r, "SerialNumber", *serial, "_+=/:,.@-", "[\\w+=/:,.@-]+"))
        return -1;
    return 0;
}

/* Finds the device: its user (user may be NULL; "" when unassigned). */
static int find_device(svc_req_t *r, const char *serial, char user[IAM_NAME_MAX])
{
    sqlite3_stmt *st = iam_stmt(r,
                                "SELECT IFNULL(user_name, '') FROM iam_mfa_devices WHERE "
                                "serial = ?1 AND account = ?2",
                                "ss", serial, r->account);
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && user)
        snprintf(user, IAM_NAME_MAX, "%s", iam_col(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? no_device(r, serial) : iam_internal(r);
}

/* <QRCodePNG>: the base64 of a PNG of the QR code of
 * otpauth://totp/NAME@ACCOUNT?secret=BASE32, as the API reference's
 * VirtualMFADevice says (AccountName: the account id, the device having no
 * user yet). Everything holding the seed is wiped. */
static int qr_png(svc_req_t *r, buf_t *out, const char *name, const char *b32)
{
    buf_t uri, png;
    char *b64 = NULL;
    int rc = -1;

    buf_init(&uri, 0);
    buf_init(&png, 0);
    if (buf_printf(&uri, "otpauth://totp/%s@%s?secret=%s", name, r->account, b32) != 0 ||
        iam_qr_png(uri.data, &png) != 0 ||
        (b64 = malloc(codec_b64_enclen(png.len) + 1)) == NULL) {
        iam_internal(r);
        goto out;
    }
    codec_b64_encode((const uint8_t *)png.data, png.len, b64);
    rc = xml_elem(out, "QRCodePNG", b64);
out:
    if (b64)
        OPENSSL_cleanse(b64, strlen(b64));
    free(b64);
    if (uri.data)
        OPENSSL_cleanse(uri.data, uri.len);
    if (png.data)
        OPENSSL_cleanse(png.data, png.len);
    buf_free(&uri);
    buf_free(&png);
    return rc;
}

IAM_OP(iam_op_create_virtual_mfa_device)
{
    const char *name = NULL, *path = "/";
    char serial[IAM_ARN_MAX], b32[40], b64[64];
    uint8_t seed[SEED_LEN], sealed[SEED_LEN + ENVELOPE_OVERHEAD];
    iam_tag_t tags[IAM_MAX_TAGS];
    size_t ntags = 0, n;
    int rc = -1, ex;

    if (iam_path(r, in, "Path", &path) || iam_name(r, in, "VirtualMFADeviceName", 1, 226, &name) ||
        iam_tags_read(r, in, tags, &ntags))
        return -1;
    if (iam_qr_ready() != 0) /* before the device exists: no device without its QR code */
        return svc_error(r, IAM_E_SERVICE_FAILURE,
                         "CreateVirtualMFADevice is unavailable: awsemu could not load its QR "
                         "plugin (awsemu-qr.so); the server log says why");
    snprintf(serial, sizeof serial, "arn:%s:iam::%s:mfa%s%s", IAM_PARTITION(r), r->account, path,
             name);
    if (db_begin(r->emu->db))
        return iam_internal(r);
    if ((ex = iam_any(r, "SELECT 1 FROM iam_mfa_devices WHERE serial = ?1", "s", serial)) != 0) {
        db_rollback(r->emu->db);
        return ex < 0 ? -1
                      : svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS,
                                  "MFADevice entity at the same path and name already exists.");
    }
    codec_random(seed, sizeof seed);
    if (keyring_seal(r->emu->master_key, KEYRING_IAM_MFA_SEED, serial, strlen(serial), seed,
                     sizeof seed, sealed)) {
        iam_internal(r);
        goto out;
    }
    if (iam_exec(r,
                 "INSERT INTO iam_mfa_devices (serial, account, name, path, seed_sealed, "
                 "created, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                 "(SELECT IFNULL(MAX(seq), 0) + 1 FROM iam_mfa_devices))",
                 "ssssbd", serial, r->account, name, path, sealed, sizeof sealed, r->now))
        goto out;
    if (iam_tags_store(r, "mfa", serial, "TagsPerMFADevice", tags, ntags))
        goto out;
    if (db_commit(r->emu->db)) {
        iam_internal(r);
        goto out;
    }
    /* Base32StringSeed is a blob: base64 of the Base32 text */
    n = iam_base32(seed, sizeof seed, b32);
    codec_b64_encode((const uint8_t *)b32, n, b64);
    xml_open(out, "VirtualMFADevice");
    xml_elem(out, "SerialNumber", serial);
    xml_elem(out, "Base32StringSeed", b64);
    if (qr_png(r, out, name, b32) != 0)
        goto out;
    iam_tags_xml(r, out, "mfa", serial);
    xml_close(out, "VirtualMFADevice");
    rc = 0;
out:
    OPENSSL_cleanse(seed, sizeof seed);
    OPENSSL_cleanse(b32, sizeof b32);
    OPENSSL_cleanse(b64, sizeof b64);
    return rc;
}

/* Checks two consecutive codes against the device's seed within window
 * steps of now and past the last accepted step; records the step used. */
static int verify_codes(svc_req_t *r, const qform_t *in, const char *serial, unsigned window)
{
    const char *c1 = NULL, *c2 = NULL;
    uint8_t sealed[SEED_LEN + ENVELOPE_OVERHEAD], seed[SEED_LEN];
    sqlite3_stmt *st;
    long last = -1;
    uint64_t used;
    int rc, ok = 0;

    if (q_str(r, in, "AuthenticationCode1", 1, 6, 6, &c1) ||
        q_charset(r, "AuthenticationCode1", c1, "", "[\\d]+") ||
        q_str(r, in, "AuthenticationCode2", 1, 6, 6, &c2) ||
        q_charset(r, "AuthenticationCode2", c2, "", "[\\d]+"))
        return -1;
    st = iam_stmt(r, "SELECT seed_sealed, last_step FROM iam_mfa_devices WHERE serial = ?1", "s",
                  serial);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == (int)sizeof sealed) {
        memcpy(sealed, sqlite3_column_blob(st, 0), sizeof sealed);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            last = sqlite3_column_int64(st, 1);
        ok = 1;
    }
    sqlite3_reset(st);
    if (!ok || keyring_open(r->emu->master_key, KEYRING_IAM_MFA_SEED, serial, strlen(serial),
                            sealed, sizeof sealed, seed))
        return iam_internal(r);
    used = iam_totp_match(seed, sizeof seed, (uint64_t)(r->now / 30), window, c1, c2);
    OPENSSL_cleanse(seed, sizeof seed);
    if (used == 0 || (long)used - 1 <= last)
        return svc_error(r, IAM_E_INVALID_AUTHENTICATION_CODE,
                         "Authentication code for device is not valid.");
    return iam_exec(r, "UPDATE iam_mfa_devices SET last_step = ?2 WHERE serial = ?1", "sl", serial,
                    (long long)used);
}

IAM_OP(iam_op_enable_mfa_device)
{
    const char *serial = NULL;
    char user[IAM_NAME_MAX], owner[IAM_NAME_MAX];
    sqlite3_stmt *st;
    long count = 0;

    (void)out;
    if (iam_named(r, in, &IAM_USER, user) || read_serial(r, in, &serial) ||
        find_device(r, serial, owner))
        return -1;
    if (owner[0])
        return svc_error(r, IAM_E_ENTITY_ALREADY_EXISTS, "MFA Device is already in use.");
    st = iam_stmt(r, "SELECT COUNT(*) FROM iam_mfa_devices WHERE account = ?1 AND user_name = ?2",
                  "ss", r->account, user);
    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (count >= MFA_PER_USER)
        return svc_error(r, IAM_E_LIMIT_EXCEEDED, "Cannot exceed quota for MFADevicesPerUser: %d",
                         MFA_PER_USER);
    if (verify_codes(r, in, serial, ENABLE_WINDOW))
        return -1;
    return iam_exec(r,
                    "UPDATE iam_mfa_devices SET user_name = ?2, enabled = ?3 WHERE serial = ?1",
                    "ssd", serial, user, r->now);
}

/* The device serial assigned to user (UserName, else the caller). */
static int assigned(svc_req_t *r, const qform_t *in, const char **serial, char user[IAM_NAME_MAX])
{
    char owner[IAM_NAME_MAX];

    if (read_serial(r, in, serial) || iam_user_or_caller(r, in, "UserName", 128, user) ||
        find_device(r, *serial, owner))
        return -1;
    if (strcasecmp(owner, user) != 0)
        return svc_error(r, IAM_E_NO_SUCH_ENTITY,
                         "MFA Device with serial number %s not found "
                         "for user %s.",
                         *serial, user);
    return 0;
}

IAM_OP(iam_op_deactivate_mfa_device)
{
    const char *serial = NULL;
    char user[IAM_NAME_MAX];

    (void)out;
    if (assigned(r, in, &serial, user))
        return -1;
    return iam_exec(r,
                    "UPDATE iam_mfa_devices SET user_name = NULL, enabled = NULL WHERE "
                    "serial = ?1",
                    "s", serial);
}

IAM_OP(iam_op_resync_mfa_device)
{
    const char *serial = NULL;
    char user[IAM_NAME_MAX];

    (void)out;
    if (!qform_get(in, "UserName"))
        return iam_null(r, "UserName");
    if (assigned(r, in, &serial, user))
        return -1;
    return verify_codes(r, in, serial, RESYNC_WINDOW);
}

IAM_OP(iam_op_get_mfa_device)
{
    const char *serial = NULL;
    char user[IAM_NAME_MAX];
    sqlite3_stmt *st;

    if (assigned(r, in, &serial, user))
        return -1;
    st = iam_stmt(r, "SELECT enabled FROM iam_mfa_devices WHERE serial = ?1", "s", serial);
    if (st == NULL)
        return -1;
    xml_elem(out, "UserName", user);
    xml_elem(out, "SerialNumber", serial);
    if (sqlite3_step(st) == SQLITE_ROW)
        iam_xml_time(out, "EnableDate", sqlite3_column_double(st, 0));
    sqlite3_reset(st);
    return 0;
}

IAM_OP(iam_op_delete_virtual_mfa_device)
{
    const char *serial = NULL;
    char owner[IAM_NAME_MAX];

    (void)out;
    if (read_serial(r, in, &serial) || find_device(r, serial, owner))
        return -1;
    if (owner[0])
        return svc_error(r, IAM_E_DELETE_CONFLICT, "MFA device is still in use.");
    return iam_delete_tagged(r, "DELETE FROM iam_mfa_devices WHERE serial = ?1", "mfa", serial);
}

static int mfa_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    (void)r;
    (void)ctx;
    xml_open(out, "member");
    xml_elem(out, "UserName", iam_col(st, 1));
    xml_elem(out, "SerialNumber", iam_col(st, 0));
    iam_xml_time(out, "EnableDate", sqlite3_column_double(st, 2));
    return xml_close(out, "member");
}

IAM_OP(iam_op_list_mfa_devices)
{
    char user[IAM_NAME_MAX];
    iam_page_t pg;

    if (iam_user_or_caller(r, in, "UserName", 128, user) || iam_page_init(r, in, &pg))
        return -1;
    return iam_list_page(r, out,
                         iam_stmt(r,
                                  "SELECT serial, user_name, enabled FROM iam_mfa_devices WHERE "
                                  "account = ?1 AND user_name = ?2 ORDER BY enabled, serial",
                                  "ss", r->account, user),
                         "MFADevices", &pg, mfa_member, NULL);
}

static int virtual_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx)
{
    char user[IAM_NAME_MAX];

    (void)ctx;
    xml_open(out, "member");
    xml_elem(out, "SerialNumber", iam_col(st, 0));
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
        str_copy(user, sizeof user, iam_col(st, 1));
        xml_open(out, "User");
        if (iam_user_fields(r, out, user, 0))
            return -1;
        xml_close(out, "User");
        iam_xml_time(out, "EnableDate", sqlite3_column_double(st, 2));
    }
    return xml_close(out, "member");
}

IAM_OP(iam_op_list_virtual_mfa_devices)
{
    static const char *const statuses[] = {"Assigned", "Unassigned", "Any", NULL};
    const char *status = "Any";
    iam_page_t pg;

    if (iam_enum(r, in, "AssignmentStatus", 0, statuses, &status) || iam_page_init(r, in, &pg))
        return -1;
    /* the statement walks its rows while iam_user_fields runs others */
    return iam_list_page(r, out,
                         iam_stmt(r,
                                  "SELECT serial, user_name, enabled FROM iam_mfa_devices WHERE "
                                  "account = ?1 AND (?2 = 'Any' OR (?2 = 'Assigned') = "
                                  "(user_name IS NOT NULL)) ORDER BY seq",
                                  "ss", r->account, status),
                         "VirtualMFADevices", &pg, virtual_member, NULL);
}

/* Tag operations on a device found by SerialNumber. */
static int device_tags(svc_req_t *r, const qform_t *in, buf_t *out, int op)
{
    const char *serial = NULL;

    if (read_serial(r, in, &serial) || find_device(r, serial, NULL))
        return -1;
    if (op == 0)
        return iam_tag_apply(r, in, "mfa", serial, "TagsPerMFADevice");
    if (op == 1)
        return iam_untag_apply(r, in, "mfa", serial);
    return iam_tags_list(r, in, out, "mfa", serial);
}

IAM_OP_CALL(iam_op_tag_mfa_device, device_tags(r, in, out, 0))
IAM_OP_CALL(iam_op_untag_mfa_device, device_tags(r, in, out, 1))
IAM_OP_CALL(iam_op_list_mfa_device_tags, device_tags(r, in, out, 2))
