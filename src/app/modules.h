/* The one list of modules, and the request pipeline that uses it. */
#ifndef APP_MODULES_H
#define APP_MODULES_H

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

#endif
