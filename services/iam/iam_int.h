/* iam_int.h — shared by the IAM and STS source files. */
#ifndef AWSEMU_IAM_INT_H
#define AWSEMU_IAM_INT_H

#include "buf.h"
#include "iam.h"
#include "proto_query.h"
#include "xml.h"

#define IAM_XMLNS "https://iam.amazonaws.com/doc/2010-05-08/"
#define STS_XMLNS "https://sts.amazonaws.com/doc/2011-06-15/"

#endif
