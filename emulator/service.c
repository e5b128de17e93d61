/* service.c — what the contract (service.h) defines: errors, and finding
 * services and their rows. */
#include "emulator/service.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"

int svc_error(svc_req_t *r, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    r->err_status = status;
    str_copy(r->err_code, sizeof r->err_code, code);
    va_start(ap, fmt);
    vsnprintf(r->err_msg, sizeof r->err_msg, fmt, ap);
    va_end(ap);
    return -1;
}

const svc_op_t *svc_find_op(const svc_def_t *def, const char *name, size_t len)
{
    size_t lo = 0, hi = def->nops;

    /* the table is sorted by name (binary search); name need not end at
     * len (an X-Amz-Target's tail) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *m = def->ops[mid].name;
        size_t ml = strlen(m);
        int c = memcmp(m, name, ml < len ? ml : len);
        if (c == 0)
            c = ml < len ? -1 : ml > len;
        if (c == 0)
            return &def->ops[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int svc_unsupported(svc_req_t *r)
{
    const svc_op_t *op = r->op;

    if (op == NULL || !(op->flags & OP_UNSUPPORTED))
        return 0;
    return svc_error(r, op->err_status, op->err_code, "%s", op->err_msg);
}

const svc_def_t *svc_find(const char *name)
{
    size_t i;

    for (i = 0; svc_registry[i]; i++)
        if (!strcmp(svc_registry[i]->name, name))
            return svc_registry[i];
    return NULL;
}

int svc_defer(svc_req_t *r)
{
    r->deferred = 1;
    http_defer(r->http);
    return SVC_DEFERRED;
}
