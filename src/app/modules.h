/* The one list of modules, and the request pipeline that uses it. */
#ifndef APP_MODULES_H
#define APP_MODULES_H

#include <stddef.h>
#include <stdint.h>

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

/* The demo county (`anlao seed --demo`, `anlao serve --demo`). */
struct app_demo {
    int64_t elders;       /* older residents to generate; 0: accounts only */
    const char *password; /* of every demo account */
};

struct al_arena;
struct al_errinfo;

/*
 * Seed the demo county once (a database that has it is left alone): each
 * module's demo data in order, the accounts (user), the assessors'
 * qualifications (assess), the elders and their facts (gen, through import),
 * published assessments (assess) and the identification baseline (identify).
 * Says what it did on stdout.  AL_OK, or the first failure with a Chinese
 * message in `e` (the steps before it stay written).
 */
int app_seed_demo(struct al_db *db, struct al_arena *a, const struct app_demo *o,
    struct al_errinfo *e);

#endif
