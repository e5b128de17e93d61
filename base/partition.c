/* partition.c — regions to partitions, from botocore's endpoints.json
 * (partitions[].regionRegex and dnsSuffix) and the AWS General Reference
 * page "Amazon Resource Names (ARNs)": aws-cn for cn-*, aws-us-gov for
 * us-gov-*, aws-iso (us-iso-*), aws-iso-b (us-isob-*), aws-iso-e
 * (eu-isoe-*), aws-iso-f (us-isof-*), aws-eusc (eusc-*). */
#include "base/partition.h"

#include <string.h>

static const partition_t parts[] = {
    {"aws", "amazonaws.com"},        {"aws-cn", "amazonaws.com.cn"},
    {"aws-us-gov", "amazonaws.com"}, {"aws-iso", "c2s.ic.gov"},
    {"aws-iso-b", "sc2s.sgov.gov"},  {"aws-iso-e", "cloud.adc-e.uk"},
    {"aws-iso-f", "csp.hci.ic.gov"}, {"aws-eusc", "amazonaws.eu"},
};

/* Region name prefixes, most specific first ("us-isob-" before "us-iso-"). */
static const struct {
    const char *prefix;
    int part;
} rules[] = {
    {"cn-", 1},     {"us-gov-", 2},  {"us-isob-", 4}, {"us-isof-", 6},
    {"us-iso-", 3}, {"eu-isoe-", 5}, {"eusc-", 7},
};

const partition_t *partition_of(const char *region)
{
    size_t i;

    if (region == NULL)
        return &parts[0];
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strncmp(region, rules[i].prefix, strlen(rules[i].prefix)) == 0)
            return &parts[rules[i].part];
    return &parts[0];
}

const char *partition_name(const char *region)
{
    return partition_of(region)->name;
}

size_t partition_arn_prefix(const char *s)
{
    size_t i, n;

    if (strncmp(s, "arn:", 4) != 0)
        return 0;
    for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        n = strlen(parts[i].name);
        if (strncmp(s + 4, parts[i].name, n) == 0 && s[4 + n] == ':')
            return 4 + n + 1;
    }
    return 0;
}
