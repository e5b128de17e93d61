/* kms_usage.c — GetKeyLastUsage: the last successful cryptographic use of
 * each key (operation, time, request id). Every Encrypt, Decrypt,
 * GenerateDataKey... notes it in memory; the row is written at most once a
 * minute per key (a busy key costs no write per request), and whenever
 * GetKeyLastUsage reads it, at an admin reset and at exit. */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <stdio.h>
#include <string.h>

#include "storage/db.h"

#define USE_SLOTS 256
#define WRITE_EVERY 60.0 /* seconds between writes of one key's row */

typedef struct {
    char key_id[KMS_ROW_LEN + 1];
    char op[40];
    char request_id[37];
    double at;
    double written; /* when the row last got this slot's value; 0: never */
    int dirty;
} use_t;

static use_t uses[USE_SLOTS];

static const char *const tracked[] = {"Decrypt",
                                      "DeriveSharedSecret",
                                      "Encrypt",
                                      "GenerateDataKey",
                                      "GenerateDataKeyPair",
                                      "GenerateDataKeyPairWithoutPlaintext",
                                      "GenerateDataKeyWithoutPlaintext",
                                      "GenerateMac",
                                      "ReEncrypt",
                                      "Sign",
                                      "Verify",
                                      "VerifyMac",
                                      NULL};

static unsigned slot_of(const char *key_id)
{
    unsigned h = 2166136261u;

    for (; *key_id; key_id++)
        h = (h ^ (unsigned char)*key_id) * 16777619u;
    return h % USE_SLOTS;
}

static void write_row(emu_t *emu, use_t *u)
{
    /* best effort, as before: a use that cannot be written is not an error */
    (void)db_run(emu->db,
                 "UPDATE kms_keys SET last_used=?2, last_used_op=?3, last_used_request=?4 WHERE "
                 "key_id=?1",
                 "sdss", u->key_id, u->at, u->op, u->request_id);
    u->written = u->at;
    u->dirty = 0;
}

void kms_note_use(svc_req_t *r, const char *key_id, int sealing)
{
    const char *op = sealing ? "GenerateDataKey" : "Decrypt";
    use_t *u = &uses[slot_of(key_id)];
    size_t i;

    /* KMS's own operations are what they are; another service's use is a
     * GenerateDataKey or a Decrypt on the caller's behalf */
    if (!strcmp(r->service, "kms"))
        for (i = 0; tracked[i]; i++)
            if (!strcmp(r->operation, tracked[i]))
                op = tracked[i];
    if (strlen(key_id) > KMS_ROW_LEN)
        return;
    if (strcmp(u->key_id, key_id) != 0) {
        if (u->dirty)
            write_row(r->emu, u); /* the slot's other key keeps its record */
        memset(u, 0, sizeof *u);
        memcpy(u->key_id, key_id, strlen(key_id) + 1);
    }
    memcpy(u->op, op, strlen(op) + 1); /* the longest fits */
    memcpy(u->request_id, r->request_id, sizeof u->request_id);
    u->at = r->now;
    u->dirty = 1;
    if (u->at - u->written >= WRITE_EVERY)
        write_row(r->emu, u);
}

void kms_usage_flush(emu_t *emu)
{
    size_t i;

    for (i = 0; i < USE_SLOTS; i++)
        if (uses[i].dirty)
            write_row(emu, &uses[i]);
}

void kms_usage_forget(void)
{
    memset(uses, 0, sizeof uses);
}

int kms_op_get_key_last_usage(svc_req_t *r, const cJSON *in, cJSON *out)
{
    use_t *u;
    sqlite3_stmt *st;
    kms_key_t *k;
    int rc = -1;

    /* key id or key ARN: no aliases */
    if (kms_input(r, in, &kms_key_id_input) == NULL || (k = kms_key(r, in)) == NULL)
        return -1;
    u = &uses[slot_of(k->key_id)];
    if (u->dirty && !strcmp(u->key_id, k->key_id))
        write_row(r->emu, u);
    st = db_query(r->emu->db,
                  "SELECT last_used, last_used_op, last_used_request, tracking_start FROM "
                  "kms_keys WHERE key_id=?1",
                  "s", k->key_id);
    if (st == NULL) {
        svc_error(r, KMS_E_DB);
        goto out;
    }
    if (db_row(st) == 1) {
        double start =
            sqlite3_column_type(st, 3) == SQLITE_NULL ? k->created : sqlite3_column_double(st, 3);
        cJSON_AddStringToObject(out, "KeyId", k->id);
        if (sqlite3_column_type(st, 0) != SQLITE_NULL && sqlite3_column_text(st, 1)) {
            cJSON *l = cJSON_AddObjectToObject(out, "KeyLastUsage");
            const char *req = (const char *)sqlite3_column_text(st, 2);
            cJSON_AddStringToObject(l, "Operation", (const char *)sqlite3_column_text(st, 1));
            json_put_time(l, "Timestamp", sqlite3_column_double(st, 0));
            /* the request id is also the id of its line in the access log,
             * which stands in for CloudTrail here */
            cJSON_AddStringToObject(l, "CloudTrailEventId", req ? req : "");
            cJSON_AddStringToObject(l, "KmsRequestId", req ? req : "");
        }
        json_put_time(out, "TrackingStartDate", start > k->created ? start : k->created);
        json_put_time(out, "KeyCreationDate", k->created);
        rc = 0;
    } else {
        svc_error(r, KMS_E_DB);
    }
    db_done(st);
out:
    return rc;
}
