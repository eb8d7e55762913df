/*
 * Static route tables.  Each module owns one table; src/app/modules.c lists
 * the modules.  The permission in the table is checked before the handler
 * runs: a permission id such as "user.write", AL_PUBLIC (no sign-in) or
 * AL_SIGNED_IN (any signed-in user).
 */
#ifndef AL_ROUTER_H
#define AL_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

enum al_method {
    AL_GET = 1,
    AL_POST,
    AL_PUT,
    AL_PATCH,
    AL_DELETE,
};

#define AL_PUBLIC "public"
#define AL_SIGNED_IN "signed_in"

enum al_route_flags {
    AL_ROUTE_PWCHANGE_OK = 1, /* allowed while the user must still change the password */
    AL_ROUTE_UPLOAD = 2,      /* body may exceed the default limit (see config upload_max) */
};

struct al_req;
typedef int (*al_handler)(struct al_req *r);

struct al_route {
    int method;
    const char *path;       /* "/api/v1/users/:id" */
    al_handler handler;
    const char *permission; /* permission id, AL_PUBLIC or AL_SIGNED_IN */
    unsigned flags;
    const char *summary;    /* one line for `anlao routes` and docs/api.md */
};

struct al_job_kind;
struct al_job_periodic;

struct al_module {
    const char *name;
    const struct al_route *routes; /* ends with { 0 } */
    const struct al_job_kind *jobs; /* the background jobs it runs (core/jobs.h); ends with { 0 } */
    const struct al_job_periodic *periodic; /* its periodic work (core/jobs.h); ends with { 0 } */
};

#define AL_MAX_PARAMS 4

struct al_match {
    const struct al_route *route;
    int nparams;
    const char *param_names[AL_MAX_PARAMS]; /* point into the route path (not NUL-ended) */
    size_t param_name_lens[AL_MAX_PARAMS];
    const char *params[AL_MAX_PARAMS];      /* point into the request path */
    size_t param_lens[AL_MAX_PARAMS];
};

struct al_errinfo;

/*
 * Find the route for `method` and `path` (no query string) among the NULL-
 * terminated `modules`.  Returns AL_OK and fills `m`; AL_ENOTFOUND when no
 * route has this path ("接口不存在：GET /api/v1/x"), AL_EMETHOD when the path
 * exists under another method ("接口 /api/v1/x 不支持 PUT 方法"), with the
 * message in `err` when it is not NULL (m->route is then NULL).
 */
int al_router_match(const struct al_module *const *modules, int method, const char *path,
    size_t path_len, struct al_match *m, struct al_errinfo *err);

/*
 * Check the route tables before serving.  Every permission must be AL_PUBLIC,
 * AL_SIGNED_IN or one `known` accepts (the permissions table); no route may be
 * shadowed by an earlier one of the same method whose pattern already matches
 * its path (the router would never reach it; a literal segment must come before
 * a :param at the same place).  Returns AL_OK, or AL_EINVAL with the first
 * problem in `msg` (Chinese, naming the method, path and module).
 */
int al_router_check(const struct al_module *const *modules,
    bool (*known)(void *ctx, const char *permission), void *ctx, char *msg, size_t msg_size);

/* "GET", "POST", ... */
const char *al_method_name(int method);

/* Parse "GET" etc.; 0 when unknown. */
int al_method_parse(const char *s);

#endif
