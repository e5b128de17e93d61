/* kms_stores.c — custom key stores, imported key material and multi-Region
 * operations. awsemu has no CloudHSM clusters, no external key store
 * proxies, no EXTERNAL-origin and no multi-Region keys, so these answer
 * exactly what AWS answers in an account without them. */
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

/* GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial:
 * only keys with EXTERNAL origin take imported material. */
int kms_op_import(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k;

    (void)out;
    if (kms_input(r, in, &kms_key_id_input) == NULL || (k = kms_key(r, in)) == NULL ||
        kms_require_not_pending(r, k) != 0)
        return -1;
    return svc_error(r, KMS_E_ORIGIN_OP, k->arn, k->origin);
}

/* ReplicateKey, UpdatePrimaryRegion: only multi-Region keys. */
int kms_op_multi_region(svc_req_t *r, const cJSON *in, cJSON *out)
{
    kms_key_t *k;

    (void)out;
    if (kms_input(r, in, &kms_key_id_input) == NULL || (k = kms_key(r, in)) == NULL ||
        kms_require_not_pending(r, k) != 0)
        return -1;
    return svc_error(r, KMS_E_NOT_MULTI_REGION, k->arn);
}
