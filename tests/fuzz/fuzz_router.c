/*
 * Request paths against a small static route table with :params.  data[0]
 * picks the method (0 is an unknown one), the rest is the path.
 *
 * Checked: a match names a route of that method whose pattern, with the
 * parameters put back, is exactly the path (less one trailing slash);
 * parameters are non-empty, hold no '/', and lie inside the path; a miss
 * clears the match; 405 only when the path exists under another method.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
h(struct al_req *r)
{
    (void)r;
    return 0;
}

static const struct al_route users[] = {
    {AL_GET, "/api/v1/users", h, "user.read", 0, NULL},
    {AL_POST, "/api/v1/users", h, "user.write", 0, NULL},
    {AL_GET, "/api/v1/users/:id", h, "user.read", 0, NULL},
    {AL_PATCH, "/api/v1/users/:id", h, "user.write", 0, NULL},
    {AL_POST, "/api/v1/users/:id/password", h, "user.write", AL_ROUTE_PWCHANGE_OK, NULL},
    {AL_GET, "/", h, AL_PUBLIC, 0, NULL},
    {0},
};
static const struct al_route elders[] = {
    {AL_GET, "/api/v1/elders/:id", h, "elder.read", 0, NULL},
    {AL_DELETE, "/api/v1/elders/:id/contacts/:cid", h, "elder.write", 0, NULL},
    {AL_GET, "/api/v1/identify/runs/:id/lists/:list/export", h, "elder.identify", 0, NULL},
    {AL_PUT, "/api/v1/x/:a/:b/:c/:d", h, AL_SIGNED_IN, 0, NULL},
    {AL_PUT, "/api/v1/y/:a/:b/:c/:d/:e", h, AL_SIGNED_IN, 0, NULL},
    {AL_GET, "/api/v1/regions/:code/children", h, AL_SIGNED_IN, 0, NULL},
    {0},
};
static const struct al_module mod_users = {.name = "users", .routes = users};
static const struct al_module mod_elders = {.name = "elders", .routes = elders};
static const struct al_module *const mods[] = {&mod_users, &mod_elders, NULL};

static void
check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_router: %s\n", what);
        abort();
    }
}

/* The path a route's pattern names with these parameters, built in the arena. */
static char *
expand(struct al_arena *a, const char *pat, const struct al_match *m, size_t *len)
{
    size_t cap = strlen(pat) + 1;
    for (int i = 0; i < m->nparams; i++)
        cap += m->param_lens[i];
    char *out = al_arena_alloc(a, cap), *o = out;
    int k = 0;
    while (*pat) {
        if (*pat == ':') {
            while (*pat && *pat != '/')
                pat++;
            check(k < m->nparams, "fewer parameters than the pattern has");
            memcpy(o, m->params[k], m->param_lens[k]);
            o += m->param_lens[k];
            k++;
        } else {
            *o++ = *pat++;
        }
    }
    check(k == m->nparams, "more parameters than the pattern has");
    *len = (size_t)(o - out);
    return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct al_arena a;
    static int ready;
    if (!ready) {
        al_arena_init(&a, 1 << 12);
        ready = 1;
    }
    al_arena_reset(&a);
    if (size == 0)
        return 0;
    int method = data[0] % 6; /* 0: not a method */
    const char *path = (const char *)data + 1;
    size_t len = size - 1;
    struct al_match m;
    memset(&m, 0xa5, sizeof(m));
    struct al_errinfo e = {0};
    int rc = al_router_match(mods, method, path, len, &m, &e);
    size_t want = len > 1 && path[len - 1] == '/' ? len - 1 : len;
    if (rc == AL_OK) {
        check(m.route != NULL && m.route->method == method, "matched a route of another method");
        check(m.nparams >= 0 && m.nparams <= AL_MAX_PARAMS, "parameter count out of range");
        for (int i = 0; i < m.nparams; i++) {
            check(m.param_lens[i] > 0, "empty parameter");
            check(m.params[i] >= path && m.params[i] + m.param_lens[i] <= path + want,
                "parameter outside the path");
            check(!memchr(m.params[i], '/', m.param_lens[i]), "parameter holds a '/'");
            check(m.param_name_lens[i] > 0 && m.param_names[i][-1] == ':', "bad parameter name");
        }
        size_t n;
        char *back = expand(&a, m.route->path, &m, &n);
        check(n == want && memcmp(back, path, n) == 0, "route with parameters is not the path");
        /* Every other method: a match, or 405 (never 404, the path exists). */
        for (int other = 1; other <= AL_DELETE; other++) {
            struct al_match m2;
            int rc2 = al_router_match(mods, other, path, len, &m2, NULL);
            check(rc2 == AL_OK || rc2 == AL_EMETHOD, "same path 404 under another method");
        }
    } else {
        check(rc == AL_ENOTFOUND || rc == AL_EMETHOD, "unexpected result");
        check(e.message[0] != '\0', "a miss without a message");
        check(m.route == NULL && m.nparams == 0, "a miss left a route behind");
        int others = 0;
        for (int other = 1; other <= AL_DELETE; other++) {
            struct al_match m2;
            if (other != method && al_router_match(mods, other, path, len, &m2, NULL) == AL_OK)
                others++;
        }
        check(rc == AL_EMETHOD ? others > 0 : others == 0, "405 and 404 confused");
    }
    return 0;
}
