/* request.c — the router's one authorization call (authz_request): the
 * row's action on the resource its resource function names. */
#include "authz/authz.h"

#include <string.h>

int authz_request(svc_req_t *r, const void *in)
{
    const svc_op_t *op = r->op;
    authz_t a;

    if (!r->emu->cfg->iam_enforce || op == NULL || op->action == NULL ||
        (op->flags & (OP_AUTHZ_SELF | OP_NO_AUTHZ)))
        return 0;
    memset(&a, 0, sizeof a);
    a.action = op->action;
    a.resource = "*";
    if (op->resource && op->resource(r, in, &a) != 0)
        return -1;
    return authz_check(r, &a);
}
