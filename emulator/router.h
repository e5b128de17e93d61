/* router.h — maps each request to its service and operation, authenticates
 * it, dispatches it and writes its access-log line. */
#ifndef AWSEMU_ROUTER_H
#define AWSEMU_ROUTER_H

#include "emulator/http.h"
#include "emulator/service.h"

typedef struct router router_t;

router_t *router_new(emu_t *emu);
void router_free(router_t *rt);
/* The callbacks to give http_server_new. */
http_handler_t router_handler(router_t *rt);

#endif
