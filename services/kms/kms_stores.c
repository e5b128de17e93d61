/* kms_stores.c — custom key stores. awsemu has no CloudHSM clusters and no
 * external key store proxies, so these answer exactly what AWS answers in
 * an account without them. */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <string.h>

static const char *const store_types[] = {"AWS_CLOUDHSM", "EXTERNAL_KEY_STORE", NULL};

static int no_store(svc_req_t *r, const char *id)
{
    return svc_error(r, KMS_E_STORE_NOT_FOUND, id);
}

int kms_op_describe_custom_key_stores(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *id = NULL, *name = NULL;
    kms_page_args_t v;

    /* no store, never a second page: no Marker is ever made, so
     * kms_page_check refuses any */
    if (json_str(r, in, "CustomKeyStoreId", 0, 1, 64, &id) ||
        json_str(r, in, "CustomKeyStoreName", 0, 1, 256, &name) ||
        kms_page_parse(r, in, &v, 100, 1000) ||
        kms_page_check(r, &v, (const char *const[]){id, name}, 2))
        return -1;
    if (id || name)
        return no_store(r, id ? id : name);
    cJSON_AddArrayToObject(out, "CustomKeyStores");
    kms_page_end(out, NULL);
    return 0;
}

int kms_op_create_custom_key_store(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *name = NULL, *type = "AWS_CLOUDHSM", *cluster = NULL, *uri = NULL;

    (void)out;
    if (json_str(r, in, "CustomKeyStoreName", 1, 1, 256, &name) ||
        json_enum(r, in, "CustomKeyStoreType", 0, store_types, &type) ||
        json_str(r, in, "CloudHsmClusterId", 0, 19, 24, &cluster) ||
        json_str(r, in, "XksProxyUriEndpoint", 0, 10, 128, &uri))
        return -1;
    if (!strcmp(type, "AWS_CLOUDHSM")) {
        if (cluster == NULL)
            return svc_error(r, KMS_E_CLUSTER_ID);
        return svc_error(r, KMS_E_CLUSTER_NOT_FOUND, cluster);
    }
    if (uri == NULL)
        return svc_error(r, KMS_E_XKS_URI);
    return svc_error(r, KMS_E_XKS_UNREACHABLE, uri);
}

/* Connect, Disconnect, Delete and UpdateCustomKeyStore: no store exists. */
int kms_op_custom_key_store(svc_req_t *r, const cJSON *in, cJSON *out)
{
    const char *id = NULL;

    (void)out;
    if (json_str(r, in, "CustomKeyStoreId", 1, 1, 64, &id) != 0)
        return -1;
    return no_store(r, id);
}
