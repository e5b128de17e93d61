/* kms_grant_rules.c — what a KMS grant allows (see kms_grant_rules.h). */
#include "services/kms/kms_grant_rules.h"

#include <string.h>

#include "base/jsonlen.h"
#include "base/partition.h"

#define SUBSET "EncryptionContextSubset"
#define EQUALS "EncryptionContextEquals"

enum authz_grant kms_grant_names(const char *principal, const char *caller_arn,
                                 const char *role_arn, const char *account)
{
    size_t n, p;

    if (principal == NULL || principal[0] == '\0')
        return AUTHZ_GRANT_NONE;
    if (caller_arn && strcmp(principal, caller_arn) == 0)
        return AUTHZ_GRANT_CALLER;
    if (role_arn && role_arn[0] && strcmp(principal, role_arn) == 0)
        return AUTHZ_GRANT_ROLE;
    if (account == NULL || account[0] == '\0')
        return AUTHZ_GRANT_NONE;
    if (strcmp(principal, account) == 0)
        return AUTHZ_GRANT_ACCOUNT;
    n = strlen(account);
    /* arn:<partition>:iam::<account>:root */
    p = partition_arn_prefix(principal);
    if (p && strncmp(principal + p, "iam::", 5) == 0 &&
        strncmp(principal + p + 5, account, n) == 0 && strcmp(principal + p + 5 + n, ":root") == 0)
        return AUTHZ_GRANT_ACCOUNT;
    return AUTHZ_GRANT_NONE;
}

int kms_grant_operation(const char *op)
{
    static const char *const ops[] = {
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "GetPublicKey", "CreateGrant",
        "RetireGrant", "DescribeKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateMac", "VerifyMac", "DeriveSharedSecret", NULL};
    size_t i;

    for (i = 0; op && ops[i]; i++)
        if (strcmp(op, ops[i]) == 0)
            return 1;
    return 0;
}

int kms_grant_lists(const cJSON *ops, const char *op)
{
    const cJSON *o;

    if (!cJSON_IsArray(ops) || op == NULL)
        return 0;
    cJSON_ArrayForEach(o, ops) {
        if (cJSON_IsString(o) && jsonlen_str(o) == strlen(op) && strcmp(o->valuestring, op) == 0)
            return 1;
    }
    return 0;
}

int kms_grant_constrained(const char *op)
{
    static const char *const with_context[] = {
        "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", NULL};
    size_t i;

    for (i = 0; op && with_context[i]; i++)
        if (strcmp(op, with_context[i]) == 0)
            return 1;
    return 0;
}

/* A string map: NULL (none) counts as empty; anything else but an object
 * of strings is malformed (-1). Returns the number of pairs. */
static int map_size(const cJSON *m)
{
    const cJSON *e;
    int n = 0;

    if (m == NULL || cJSON_IsNull(m))
        return 0;
    if (!cJSON_IsObject(m))
        return -1;
    cJSON_ArrayForEach(e, m) {
        if (!cJSON_IsString(e) || e->string == NULL)
            return -1;
        n++;
    }
    return n;
}

static int lc(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The names of entries a and b equal, ASCII letters case-insensitively,
 * by their byte lengths (a name may hold U+0000). */
static int name_eq(const cJSON *a, const cJSON *b)
{
    size_t n = jsonlen_key(a), i;

    if (n != jsonlen_key(b))
        return 0;
    for (i = 0; i < n; i++)
        if (lc((unsigned char)a->string[i]) != lc((unsigned char)b->string[i]))
            return 0;
    return 1;
}

/* The string values of a and b equal byte for byte, by length. */
static int value_eq(const cJSON *a, const cJSON *b)
{
    size_t n = jsonlen_str(a);

    return n == jsonlen_str(b) && memcmp(a->valuestring, b->valuestring, n) == 0;
}

/* 1 when every pair of need is in have (keys case-insensitive, values
 * case-sensitive, both by length); both well-formed. */
static int holds(const cJSON *have, const cJSON *need)
{
    const cJSON *w, *h;

    if (need == NULL || cJSON_IsNull(need))
        return 1;
    cJSON_ArrayForEach(w, need) {
        int found = 0;
        if (have && !cJSON_IsNull(have)) {
            cJSON_ArrayForEach(h, have) {
                if (name_eq(h, w) && value_eq(h, w)) {
                    found = 1;
                    break;
                }
            }
        }
        if (!found)
            return 0;
    }
    return 1;
}

/* The member name of m is exactly name (by length). */
static int is_member(const cJSON *m, const char *name)
{
    size_t n = strlen(name);

    return m->string && jsonlen_key(m) == n && memcmp(m->string, name, n) == 0;
}

static int same(const cJSON *a, const cJSON *b)
{
    return map_size(a) == map_size(b) && holds(a, b) && holds(b, a);
}

/* The Constraints object's two members; -1 when malformed (not an object,
 * an unknown member, a member that is not a string map). */
static int members(const cJSON *cons, const cJSON **subset, const cJSON **equals)
{
    const cJSON *m;

    *subset = *equals = NULL;
    if (cons == NULL || cJSON_IsNull(cons))
        return 0;
    if (!cJSON_IsObject(cons))
        return -1;
    cJSON_ArrayForEach(m, cons) {
        int n = map_size(m);
        if (n < 0 || (!is_member(m, SUBSET) && !is_member(m, EQUALS)))
            return -1;
        if (n == 0) /* an empty map is absent, as AWS takes it */
            continue;
        if (is_member(m, SUBSET))
            *subset = m;
        else
            *equals = m;
    }
    return 0;
}

int kms_grant_context_ok(const cJSON *cons, const cJSON *ctx)
{
    const cJSON *subset, *equals;

    if (members(cons, &subset, &equals) != 0 || map_size(ctx) < 0)
        return 0;
    if (subset && !holds(ctx, subset))
        return 0;
    if (equals && !same(ctx, equals))
        return 0;
    return 1;
}

int kms_grant_allows(const cJSON *ops, const cJSON *cons, const char *op, const cJSON *ctx)
{
    if (!kms_grant_lists(ops, op))
        return 0;
    return !kms_grant_constrained(op) || kms_grant_context_ok(cons, ctx);
}

int kms_grant_within(const cJSON *pops, const cJSON *pcons, const cJSON *ops, const cJSON *cons)
{
    const cJSON *psub, *peq, *sub, *eq, *o;

    if (!kms_grant_lists(pops, "CreateGrant") || !cJSON_IsArray(ops))
        return 0;
    cJSON_ArrayForEach(o, ops) {
        if (!cJSON_IsString(o) || !kms_grant_lists(pops, o->valuestring))
            return 0;
    }
    if (members(pcons, &psub, &peq) != 0 || members(cons, &sub, &eq) != 0)
        return 0;
    /* a parent Subset: the new grant requires at least its pairs */
    if (map_size(psub) > 0 && !(sub && holds(sub, psub)) && !(eq && holds(eq, psub)))
        return 0;
    /* a parent Equals: the new grant requires exactly its pairs */
    if (peq && !(eq && same(eq, peq)))
        return 0;
    return 1;
}
