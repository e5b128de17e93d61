/* partition.h — the AWS partition a region belongs to (aws, aws-cn,
 * aws-us-gov, the iso partitions): the name every ARN starts with, the
 * partition's DNS suffix for endpoints and service principals. */
#ifndef AWSEMU_PARTITION_H
#define AWSEMU_PARTITION_H

#include <stddef.h>

typedef struct {
    const char *name;       /* "aws-cn": arn:<name>:... */
    const char *dns_suffix; /* "amazonaws.com.cn": <svc>.<region>.<suffix> */
} partition_t;

/* The partition of region ("cn-north-1" -> aws-cn); "aws" for every
 * region no other partition claims (and for NULL or ""). Never NULL. */
const partition_t *partition_of(const char *region);
/* partition_of(region)->name. */
const char *partition_name(const char *region);
/* The length of "arn:<partition>:" when s starts with it for any known
 * partition, else 0. */
size_t partition_arn_prefix(const char *s);
/* Longest partition name, for ARN buffer sizes. */
#define PARTITION_NAME_MAX (sizeof "aws-us-gov" - 1)

#endif
