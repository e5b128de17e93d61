/* kms_page.c — the paging of KMS's List* operations. A Marker is a
 * storage/page.h token: the sort key of the last row a page returned
 * (never an offset), so a key or grant deleted between pages makes the
 * next page skip nothing, and each page starts with an index seek. */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "base/codec.h"
#include "storage/db.h"

/* The largest sort key a KMS listing pages on: a tag key (128 characters,
 * 4 bytes each at most); alias names are 256 ASCII characters. */
_Static_assert(PAGE_TOKEN_LEN(1, 4 * AWS_TAG_KEY_MAX) <= AWS_KMS_MARKER_MAX,
               "a tag key's Marker fits the model's MarkerType");
_Static_assert(PAGE_TOKEN_LEN(1, AWS_KMS_ALIAS_NAME_MAX) <= AWS_KMS_MARKER_MAX,
               "an alias name's Marker fits the model's MarkerType");

int kms_page_parse(svc_req_t *r, const cJSON *in, kms_page_args_t *v, long dflt, long max)
{
    v->limit = dflt;
    v->marker = NULL;
    page_key_init(&v->after);
    return json_int(r, in, "Limit", 0, 1, max, &v->limit, NULL) ||
                   json_str(r, in, "Marker", 0, 1, AWS_KMS_MARKER_MAX, &v->marker)
               ? -1
               : 0;
}

/* v->scope = "kms:<operation>:<account>:<region>:" and the SHA-256 of the
 * filters (each length-prefixed, NULL apart from ""), so a Marker is good
 * for one listing only and the scope has a fixed size. 0 or -1. */
static int make_scope(svc_req_t *r, kms_page_args_t *v, const char *const *f, int n)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t h[32];
    char hex[65], len[24];
    unsigned int hl = 0;
    int i, ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

    for (i = 0; ok && i < n; i++) {
        if (f[i] == NULL)
            ok = EVP_DigestUpdate(md, "-", 1) == 1;
        else {
            snprintf(len, sizeof len, "%zu:", strlen(f[i]));
            ok = EVP_DigestUpdate(md, len, strlen(len)) == 1 &&
                 EVP_DigestUpdate(md, f[i], strlen(f[i])) == 1;
        }
    }
    ok = ok && EVP_DigestFinal_ex(md, h, &hl) == 1 && hl == sizeof h;
    EVP_MD_CTX_free(md);
    if (!ok)
        return -1;
    codec_hex(h, sizeof h, hex);
    i = snprintf(v->scope, sizeof v->scope, "kms:%s:%s:%s:%s", r->op->name, r->account, r->region,
                 hex);
    return i > 0 && (size_t)i < sizeof v->scope ? 0 : -1;
}

int kms_page_check(svc_req_t *r, kms_page_args_t *v, const char *const *filters, int n)
{
    if (make_scope(r, v, filters, n) != 0)
        return svc_error(r, KMS_E_DB);
    if (page_token_read(r->emu->master_key, v->scope, v->marker,
                        v->marker ? strlen(v->marker) : 0, &v->after) != 0)
        return svc_error(r, KMS_E_INVALID_MARKER);
    return 0;
}

int kms_page_run(svc_req_t *r, sqlite3_stmt *st, const kms_page_args_t *v, int key_col,
                 cJSON *list, kms_row_fn *row, const void *ctx, cJSON *out)
{
    char marker[PAGE_TOKEN_MAX];
    page_key_t last;
    long n = 0;
    int rc = -1, more = 0;

    if (st == NULL || page_bind(st, &v->after, (int)v->limit) != 0) {
        db_done(st);
        return kms_internal(r);
    }
    page_key_init(&last);
    while ((rc = db_row(st)) == 1) {
        if (n == v->limit) { /* the LIMIT's extra row: another page */
            more = 1;
            break;
        }
        row(r, st, list, ctx);
        n++;
        if (page_key_row(&last, st, key_col, 1) != 0) {
            rc = -1;
            break;
        }
    }
    db_done(st);
    if (rc < 0)
        return kms_internal(r);
    if (more && page_token_make(r->emu->master_key, v->scope, &last, marker) != 0)
        return kms_internal(r);
    kms_page_end(out, more ? marker : NULL);
    return 0;
}

void kms_page_end(cJSON *out, const char *marker)
{
    cJSON_AddBoolToObject(out, "Truncated", marker != NULL);
    if (marker)
        cJSON_AddStringToObject(out, "NextMarker", marker);
}
