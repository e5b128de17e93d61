/* admin.h — the /_awsemu/ endpoints (health, reset, clock) and their
 * LocalStack and moto aliases. */
#ifndef AWSEMU_ADMIN_H
#define AWSEMU_ADMIN_H

#include "emulator/service.h"

/* Is path an admin endpoint? */
int admin_match(const char *path);
/* Serves an admin request; reset_fn wipes all state (returns 0 or -1). */
void admin_serve(svc_req_t *r, int (*reset_fn)(emu_t *emu));

/* 1 for the endpoints that stay open to anyone in every mode (health). */
int admin_open(const char *path);

/* Sends the error recorded on r (svc_error) as an admin endpoint answers:
 * {"error": message, "code": code} with r's status. */
void admin_send_error(svc_req_t *r);

#endif
