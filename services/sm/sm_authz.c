/* sm_authz.c — Secrets Manager requests as IAM sees them: the action, the
 * secret's ARN, its resource policy, and the condition keys
 * secretsmanager:SecretId, VersionId, VersionStage, Name, KmsKeyId,
 * Description and the secret's tags (secretsmanager:ResourceTag/<key>,
 * aws:ResourceTag/<key>). */
#include "services/sm/sm_int.h"

#include <stdio.h>
#include <string.h>

#include "services/iam/iam.h"

#define MAX_TAGS 50

int sm_authorize(svc_req_t *r, const char *action, const char *arn, const char *policy)
{
    static const char *const members[][2] = {
        {"SecretId", "secretsmanager:SecretId"},
        {"VersionId", "secretsmanager:VersionId"},
        {"VersionStage", "secretsmanager:VersionStage"},
        {"Name", "secretsmanager:Name"},
        {"KmsKeyId", "secretsmanager:KmsKeyId"},
        {"Description", "secretsmanager:Description"},
    };
    authz_key_t keys[2 * MAX_TAGS + 8];
    const char *vals[8], *tag_vals[MAX_TAGS];
    char names[2 * MAX_TAGS][160], act[160];
    size_t nk = 0, nt = 0, i;
    const cJSON *in = r->input;
    sqlite3_stmt *st;
    authz_t a;

    if (!r->emu->cfg->iam_enforce)
        return 0;
    if (action == NULL) {
        snprintf(act, sizeof act, "secretsmanager:%s", r->operation);
        action = act;
    }
    for (i = 0; in && i < sizeof members / sizeof members[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, members[i][0]);
        if (cJSON_IsString(v)) {
            vals[i] = v->valuestring;
            keys[nk++] = (authz_key_t){members[i][1], &vals[i], 1, NULL, 0};
        }
    }
    st = db_stmt(r->emu->db, "SELECT tag_key, tag_value FROM sm_tags WHERE arn=?1");
    if (st) {
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        /* values live in the statement until reset: copy the few we need */
        while (nt < MAX_TAGS && sqlite3_step(st) == SQLITE_ROW) {
            static char tagbuf[MAX_TAGS][260];
            const char *k = (const char *)sqlite3_column_text(st, 0);
            snprintf(tagbuf[nt], sizeof tagbuf[nt], "%s",
                     sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
            tag_vals[nt] = tagbuf[nt];
            snprintf(names[2 * nt], sizeof names[0], "secretsmanager:ResourceTag/%s", k);
            snprintf(names[2 * nt + 1], sizeof names[0], "aws:ResourceTag/%s", k);
            keys[nk++] = (authz_key_t){names[2 * nt], &tag_vals[nt], 1, NULL, 0};
            keys[nk++] = (authz_key_t){names[2 * nt + 1], &tag_vals[nt], 1, NULL, 0};
            nt++;
        }
        sqlite3_reset(st);
    }
    memset(&a, 0, sizeof a);
    a.action = action;
    a.resource = arn;
    a.resource_policy = policy;
    a.keys = keys;
    a.nkeys = nk;
    return authz_check(r, &a);
}
