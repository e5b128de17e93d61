/* iam.c — IAM's operation table. */
#include "iam_int.h"

static const query_op_t ops[] = {
    {"SimulateCustomPolicy", iam_op_simulate_custom_policy},
    {"SimulatePrincipalPolicy", iam_op_simulate_principal_policy},
};

const query_service_t iam_service = {"2010-05-08", IAM_XMLNS, ops, sizeof ops / sizeof ops[0], iam_authorize};
