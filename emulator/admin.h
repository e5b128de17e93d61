/* admin.h — the /_awsemu/ endpoints (health, reset, clock) and their
 * LocalStack and moto aliases. */
#ifndef AWSEMU_ADMIN_H
#define AWSEMU_ADMIN_H

#include "service.h"

/* Is path an admin endpoint? */
int admin_match(const char *path);
/* Serves an admin request; reset_fn wipes all state (returns 0 or -1). */
void admin_serve(svc_req_t *r, int (*reset_fn)(emu_t *emu));

#endif
