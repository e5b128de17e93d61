/* policy_stub.c — TEMPORARY stand-in for policy.c (being written in
 * parallel): only policy_parse/policy_free, checking that the document is a
 * JSON object with a Statement. Drop this file when policy.c is merged. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy.h"

struct policy {
    int dummy;
};

policy_t *policy_parse(const char *json, size_t len, enum policy_kind kind, char *err,
                       size_t errlen)
{
    cJSON *doc = cJSON_ParseWithLength(json, len);
    policy_t *p;

    (void)kind;
    if (doc == NULL || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        snprintf(err, errlen, "Syntax errors in policy.");
        return NULL;
    }
    if (cJSON_GetObjectItemCaseSensitive(doc, "Statement") == NULL) {
        cJSON_Delete(doc);
        snprintf(err, errlen, "Missing required field Statement");
        return NULL;
    }
    cJSON_Delete(doc);
    p = calloc(1, sizeof *p);
    if (p == NULL)
        snprintf(err, errlen, "Out of memory.");
    return p;
}

void policy_free(policy_t *p)
{
    free(p);
}
