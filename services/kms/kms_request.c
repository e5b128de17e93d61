/* kms_request.c — one KMS request's state (r->svc_ctx): its validated
 * arguments and the key its row's resource function resolved, so the key
 * is looked up once and authorized by the router (authz_request), not as
 * a side effect of the lookup. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz.h"

/* Room for the arguments of every row but the largest, so a request
 * allocates once. */
#define ARGS_INLINE 192

typedef struct {
    void *args; /* parsed by args_spec: inline_args, or on the heap */
    const kms_input_t *args_spec;
    kms_key_t key; /* resolved by the row's resource function */
    int have_key;
    kms_authz_t *az; /* what the router's authz_t points to */
    void (*on_end)(void *); /* kms_on_request_end */
    void *on_end_arg;
    union {
        max_align_t align;
        unsigned char bytes[ARGS_INLINE];
    } inline_args;
} kms_call_t;

static void call_free(void *p)
{
    kms_call_t *c = p;

    if (c == NULL)
        return;
    if (c->on_end)
        c->on_end(c->on_end_arg);
    if (c->args) {
        if (c->args_spec->drop)
            c->args_spec->drop(c->args);
        OPENSSL_cleanse(c->args, c->args_spec->size);
        if (c->args != c->inline_args.bytes)
            free(c->args);
    }
    kms_key_clear(&c->key);
    kms_authz_free(c->az);
    free(c);
}

/* r's call state, created on first use; NULL with the error set. Only
 * KMS's own requests have one: other services calling KMS (kms_data_key,
 * kms_unwrap) keep their svc_ctx and never come here. */
static kms_call_t *call_of(svc_req_t *r)
{
    kms_call_t *c;

    if (r->svc_ctx && r->svc_ctx_free == call_free)
        return r->svc_ctx;
    if (r->svc_ctx) { /* cannot be: another service's state */
        svc_error(r, KMS_E_NO_KEY);
        return NULL;
    }
    if ((c = calloc(1, sizeof *c)) == NULL) {
        svc_error(r, KMS_E_OOM);
        return NULL;
    }
    r->svc_ctx = c;
    r->svc_ctx_free = call_free;
    return c;
}

int kms_on_request_end(svc_req_t *r, void (*fn)(void *), void *arg)
{
    kms_call_t *c = call_of(r);

    if (c == NULL)
        return -1;
    c->on_end = fn;
    c->on_end_arg = arg;
    return 0;
}

void *kms_input(svc_req_t *r, const cJSON *in, const kms_input_t *spec)
{
    kms_call_t *c = call_of(r);

    if (c == NULL)
        return NULL;
    if (c->args && c->args_spec == spec)
        return c->args;
    if (c->args) { /* cannot be: one row, one input */
        svc_error(r, KMS_E_ARGS_TWICE);
        return NULL;
    }
    if (spec->size <= sizeof c->inline_args.bytes)
        c->args = c->inline_args.bytes; /* zeroed by call_of */
    else if ((c->args = calloc(1, spec->size)) == NULL) {
        svc_error(r, KMS_E_OOM);
        return NULL;
    }
    c->args_spec = spec;
    if (spec->parse(r, in, c->args) != 0) {
        if (spec->drop)
            spec->drop(c->args);
        if (c->args != c->inline_args.bytes)
            free(c->args);
        c->args = NULL;
        return NULL;
    }
    return c->args;
}

kms_key_t *kms_set_key(svc_req_t *r, kms_key_t *k, kms_authz_t **z)
{
    kms_call_t *c = call_of(r);

    *z = NULL;
    if (c == NULL) {
        kms_key_clear(k);
        return NULL;
    }
    if (k != &c->key) {
        kms_key_clear(&c->key);
        c->key = *k;
        memset(k, 0, sizeof *k);
    }
    c->have_key = 1;
    if (r->emu->cfg->iam_enforce && c->az == NULL && (c->az = kms_authz_new()) == NULL) {
        svc_error(r, KMS_E_OOM);
        return NULL;
    }
    *z = c->az;
    return &c->key;
}

kms_key_t *kms_key_slot(svc_req_t *r)
{
    kms_call_t *c = call_of(r);

    if (c == NULL)
        return NULL;
    kms_key_clear(&c->key);
    c->have_key = 0;
    return &c->key;
}

kms_authz_t *kms_request_authz(svc_req_t *r)
{
    kms_call_t *c = call_of(r);

    if (c && c->az == NULL && (c->az = kms_authz_new()) == NULL)
        svc_error(r, KMS_E_OOM);
    return c ? c->az : NULL;
}

int kms_key_resource(svc_req_t *r, const void *in, struct authz *a, const kms_input_t *spec)
{
    const kms_args_t *args = kms_input(r, in, spec);
    kms_authz_t *z;
    kms_key_t *key;

    if (args == NULL || (key = kms_key_slot(r)) == NULL ||
        kms_resolve(r, args->key_ref, spec->flags, key) != 0 || kms_set_key(r, key, &z) == NULL)
        return -1;
    return z ? kms_authz_key(r, z, key, r->op->action, NULL, a) : 0;
}

kms_key_t *kms_key(svc_req_t *r, const cJSON *in)
{
    kms_call_t *c = r->svc_ctx_free == call_free ? r->svc_ctx : NULL;
    authz_t a;

    if (c && c->have_key)
        return &c->key;
    /* the router did not call the row's resource function: --iam off, or
     * a row that authorizes itself (then check here: fail closed) */
    if (r->op->resource == NULL) {
        svc_error(r, KMS_E_NO_KEY);
        return NULL;
    }
    memset(&a, 0, sizeof a);
    a.action = r->op->action;
    a.resource = "*";
    if (r->op->resource(r, in, &a) != 0 || (r->emu->cfg->iam_enforce && authz_check(r, &a) != 0))
        return NULL;
    c = r->svc_ctx_free == call_free ? r->svc_ctx : NULL;
    if (c == NULL || !c->have_key) {
        svc_error(r, KMS_E_NO_KEY);
        return NULL;
    }
    return &c->key;
}

/* ---- rows naming their key by KeyId ---------------------------------------- */

static int parse_key_id(svc_req_t *r, const cJSON *in, void *args)
{
    kms_args_t *a = args;

    return json_str(r, in, "KeyId", 1, 1, 2048, &a->key_ref);
}

const kms_input_t kms_key_id_input = {sizeof(kms_args_t), parse_key_id, NULL, 0};
const kms_input_t kms_key_id_alias_input = {sizeof(kms_args_t), parse_key_id, NULL,
                                            KMS_ALLOW_ALIAS};

KMS_KEY_RESOURCE(kms_res_key_id, kms_key_id_input)
KMS_KEY_RESOURCE(kms_res_key_id_alias, kms_key_id_alias_input)
