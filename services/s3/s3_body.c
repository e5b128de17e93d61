/* s3_body.c — reading an object's body by range: one sealed blob, one
 * sealed body stored inline in its row, or for a multipart object its parts'
 * blobs in order (each sealed with its own AAD), so completing an upload
 * never rewrites the data. */
#include "services/s3/s3_int.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"

typedef struct {
    char blob_id[BLOB_ID_LEN + 1];
    uint64_t size;
    char *aad;    /* owned */
    uint8_t *mem; /* an inline sealed body (owned), or NULL: the blob */
    size_t mem_len;
} segment_t;

struct s3_body {
    blob_store_t *bs;
    uint8_t dk[32];
    segment_t *seg;
    size_t nseg, cur;
    uint64_t seg_start;     /* body offset of seg[cur] */
    uint64_t first, last;   /* the range still to read (body offsets) */
    int done;
    int fd;
    frames_reader_t *rd;
    size_t npinned; /* seg[0..npinned) on disk are pinned (blob_pin) */
};

static void close_reader(s3_body_t *b)
{
    frames_read_end(b->rd);
    b->rd = NULL;
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

void s3_body_close(s3_body_t *b)
{
    size_t i;

    if (b == NULL)
        return;
    close_reader(b);
    for (i = 0; i < b->npinned; i++)
        if (b->seg[i].mem == NULL)
            blob_unpin(b->bs, b->seg[i].blob_id);
    for (i = 0; i < b->nseg; i++) {
        free(b->seg[i].aad);
        free(b->seg[i].mem);
    }
    free(b->seg);
    OPENSSL_cleanse(b->dk, sizeof b->dk);
    free(b);
}

/* Parses the parts JSON of a multipart object ([{"b":blob,"n":size,"a":aad}])
 * or makes the single segment of a plain object. */
static int segments(s3_body_t *b, const s3_object_t *o, const char *arn)
{
    cJSON *parts, *e;
    size_t i = 0;

    if (o->parts == NULL) {
        b->seg = calloc(1, sizeof *b->seg);
        if (b->seg == NULL || (b->seg[0].aad = strdup(arn)) == NULL)
            return -1;
        str_copy(b->seg[0].blob_id, sizeof b->seg[0].blob_id, o->blob_id);
        b->seg[0].size = o->size;
        b->nseg = 1;
        if (o->body) {
            /* a copy: the response outlives the caller's record */
            if ((b->seg[0].mem = malloc(o->body_len)) == NULL)
                return -1;
            memcpy(b->seg[0].mem, o->body, o->body_len);
            b->seg[0].mem_len = o->body_len;
        }
        return 0;
    }
    parts = cJSON_Parse(o->parts);
    if (!cJSON_IsArray(parts) || (b->seg = calloc((size_t)cJSON_GetArraySize(parts) + 1, sizeof *b->seg)) == NULL) {
        cJSON_Delete(parts);
        return -1;
    }
    cJSON_ArrayForEach(e, parts) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "b");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "n");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "a");
        if (!cJSON_IsString(id) || !cJSON_IsNumber(n) || !cJSON_IsString(a))
            break;
        str_copy(b->seg[i].blob_id, sizeof b->seg[i].blob_id, id->valuestring);
        b->seg[i].size = (uint64_t)n->valuedouble;
        b->seg[i].aad = strdup(a->valuestring);
        i++;
    }
    b->nseg = i;
    cJSON_Delete(parts);
    return i == 0 ? -1 : 0;
}

int s3_body_open(s3_req_t *s, const s3_object_t *o, const uint8_t dk[32], const char *arn,
                 uint64_t first, uint64_t last, s3_body_t **out)
{
    s3_body_t *b = calloc(1, sizeof *b);

    *out = NULL;
    if (b == NULL)
        return -1;
    b->bs = s->r->emu->blobs;
    b->fd = -1;
    memcpy(b->dk, dk, 32);
    if (segments(b, o, arn) != 0) {
        s3_body_close(b);
        return -1;
    }
    /* the parts are read later, turn by turn as the client takes them: an
     * overwrite committed meanwhile must not delete them first */
    for (; b->npinned < b->nseg; b->npinned++)
        if (b->seg[b->npinned].mem == NULL && blob_pin(b->bs, b->seg[b->npinned].blob_id) != 0) {
            s3_body_close(b);
            return -1;
        }
    b->first = first;
    b->last = last;
    b->done = o->size == 0 || first > last;
    *out = b;
    return 0;
}

/* Opens the segment that holds b->first. */
static int open_next(s3_body_t *b)
{
    while (b->cur < b->nseg && b->first >= b->seg_start + b->seg[b->cur].size) {
        b->seg_start += b->seg[b->cur].size;
        b->cur++;
    }
    if (b->cur >= b->nseg)
        return -1;
    {
        segment_t *g = &b->seg[b->cur];
        uint64_t lf = b->first - b->seg_start;
        uint64_t ll = b->last < b->seg_start + g->size ? b->last - b->seg_start : g->size - 1;
        int64_t sealed;
        if (g->mem)
            return frames_read_begin_mem(b->dk, (const uint8_t *)g->aad, strlen(g->aad), g->mem,
                                         g->mem_len, lf, ll, &b->rd) == 0
                       ? 0
                       : -1;
        b->fd = blob_open(b->bs, g->blob_id);
        sealed = blob_size(b->bs, g->blob_id);
        if (b->fd < 0 || sealed < 0 ||
            frames_read_begin(b->dk, (const uint8_t *)g->aad, strlen(g->aad), b->fd,
                              (uint64_t)sealed, lf, ll, &b->rd) != 0)
            return -1;
    }
    return 0;
}

int s3_body_view(s3_body_t *b, const uint8_t **p, size_t *n)
{
    for (;;) {
        int rc;
        if (b->done)
            return 0;
        if (b->rd == NULL && open_next(b) != 0)
            return -1;
        rc = frames_read_view(b->rd, p, n);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            b->first += *n;
            if (b->first > b->last)
                b->done = 1;
            return 1;
        }
        /* this segment's part of the range is read: on to the next */
        close_reader(b);
        if (b->first > b->last) {
            b->done = 1;
            return 0;
        }
    }
}

uint64_t s3_body_remaining(const s3_body_t *b)
{
    return b->done ? 0 : b->last - b->first + 1;
}

size_t s3_object_blobs(const char *blob_id, const char *parts, char ids[][BLOB_ID_LEN + 1],
                       size_t max)
{
    size_t n = 0;
    cJSON *arr, *e;

    if (blob_id && blob_id_valid(blob_id) && n < max)
        snprintf(ids[n++], BLOB_ID_LEN + 1, "%s", blob_id);
    if (parts == NULL || (arr = cJSON_Parse(parts)) == NULL)
        return n;
    cJSON_ArrayForEach(e, arr) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "b");
        if (cJSON_IsString(id) && n < max)
            snprintf(ids[n++], BLOB_ID_LEN + 1, "%s", id->valuestring);
    }
    cJSON_Delete(arr);
    return n;
}
