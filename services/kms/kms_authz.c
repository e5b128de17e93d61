/* kms_authz.c — KMS requests as IAM sees them: the action, the key ARN,
 * the key policy (which must allow, itself or by delegating to IAM), and
 * the condition keys kms:EncryptionContext:*, kms:EncryptionContextKeys,
 * kms:CallerAccount, kms:ViaService, kms:KeySpec/KeyUsage/KeyOrigin. */
#include "kms_int.h"

#include <stdio.h>
#include <string.h>

#include "iam.h"

#define MAX_CTX_KEYS 64

int kms_authorize(svc_req_t *r, const kms_key_t *k, const char *action, const cJSON *ctx)
{
    authz_key_t keys[MAX_CTX_KEYS + 8];
    const char *ctx_keys[MAX_CTX_KEYS], *ctx_vals[MAX_CTX_KEYS];
    char names[MAX_CTX_KEYS][160], act[160], via[128];
    const char *one[6];
    const cJSON *e;
    size_t nk = 0, nc = 0;
    int own = !strcmp(r->service, "kms");
    authz_t a;

    if (!r->emu->cfg->iam_enforce)
        return 0;
    if (action == NULL && own) {
        size_t n = strlen(r->operation);
        if (n > sizeof act - 5)
            n = sizeof act - 5;
        memcpy(act, "kms:", 4);
        memcpy(act + 4, r->operation, n);
        act[4 + n] = '\0';
        action = act;
    } else if (action == NULL) {
        action = "kms:Decrypt";
    }
    if (ctx == NULL && own && r->input)
        ctx = cJSON_GetObjectItemCaseSensitive((const cJSON *)r->input, "EncryptionContext");
    if (cJSON_IsObject(ctx)) {
        cJSON_ArrayForEach(e, ctx) {
            if (nc >= MAX_CTX_KEYS || !cJSON_IsString(e))
                continue;
            snprintf(names[nc], sizeof names[nc], "kms:EncryptionContext:%s", e->string);
            ctx_keys[nc] = e->string;
            ctx_vals[nc] = e->valuestring;
            keys[nk++] = (authz_key_t){names[nc], &ctx_vals[nc], 1};
            nc++;
        }
        if (nc)
            keys[nk++] = (authz_key_t){"kms:EncryptionContextKeys", ctx_keys, nc};
    }
    one[0] = r->account;
    keys[nk++] = (authz_key_t){"kms:CallerAccount", &one[0], 1};
    one[1] = k->key_spec;
    keys[nk++] = (authz_key_t){"kms:KeySpec", &one[1], 1};
    one[2] = k->key_usage;
    keys[nk++] = (authz_key_t){"kms:KeyUsage", &one[2], 1};
    one[3] = k->origin;
    keys[nk++] = (authz_key_t){"kms:KeyOrigin", &one[3], 1};
    memset(&a, 0, sizeof a);
    if (!own) {
        snprintf(via, sizeof via, "%s.%s.amazonaws.com", r->service, r->region);
        one[4] = via;
        keys[nk++] = (authz_key_t){"kms:ViaService", &one[4], 1};
        a.via_service = via;
    }
    a.action = action;
    a.resource = k->arn;
    a.resource_policy = k->policy; /* kms_load reads it in enforce mode */
    a.resource_required = 1;
    a.keys = keys;
    a.nkeys = nk;
    return authz_check(r, &a);
}
