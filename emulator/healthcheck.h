/* healthcheck.h — `awsemu --health-check[=PID] [flags]`: probe a running
 * awsemu's /_awsemu/health, exit 0 when it answers 200, else 1. */
#ifndef AWSEMU_HEALTHCHECK_H
#define AWSEMU_HEALTHCHECK_H

#include <stdio.h>

/* When argv holds --health-check or --health-check=PID, runs the probe
 * and returns its exit status (0, 1; 2 for a bad flag); else returns -1.
 * The probe's configuration is the server's: the environment, then (with
 * PID) the flags that process was started with, then argv's other flags. */
int healthcheck_main(int argc, char **argv, FILE *out, FILE *err);

#endif
