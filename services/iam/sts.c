/* sts.c — STS's operation table. */
#include "iam_int.h"

static const query_op_t ops[] = {
    {"", NULL}, /* placeholder until operations land */
};

const query_service_t sts_service = {"2011-06-15", STS_XMLNS, ops, 0};
