/* The one list of modules, and the request pipeline that uses it. */
#ifndef APP_MODULES_H
#define APP_MODULES_H

#include <stddef.h>

#include "core/router.h"

struct al_req;

/* NULL-terminated. */
extern const struct al_module *const app_modules[];

/*
 * Run one API request: authenticate (unless the route is public), refuse
 * callers who must change their password first, check CSRF on state changes,
 * check the route's permission (auditing refusals), then call the handler.
 */
int app_dispatch(struct al_req *r);

/*
 * The routes check themselves before the server starts (al_router_check over
 * app_modules): every permission in the permissions table, no route shadowed.
 * AL_OK, or AL_EINVAL with the problem in `msg` (Chinese).
 */
struct al_db;
int app_routes_check(struct al_db *db, char *msg, size_t msg_size);

#endif
