/* iam.c — IAM's operation table. */
#include "iam_int.h"

static const query_op_t ops[] = {
    {"", NULL}, /* placeholder until operations land */
};

const query_service_t iam_service = {"2010-05-08", IAM_XMLNS, ops, 0, iam_authorize};
