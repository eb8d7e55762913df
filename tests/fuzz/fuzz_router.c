/* Request paths against a route table with parameters. */
#include <stddef.h>
#include <stdint.h>

#include "core/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
h(struct al_req *r)
{
    (void)r;
    return 0;
}

static const struct al_route routes[] = {
    {AL_GET, "/api/v1/users", h, "user.read", 0, NULL},
    {AL_GET, "/api/v1/users/:id", h, "user.read", 0, NULL},
    {AL_DELETE, "/api/v1/elders/:id/contacts/:cid", h, "elder.write", 0, NULL},
    {AL_GET, "/api/v1/identify/runs/:id/lists/:list/export", h, "elder.identify", 0, NULL},
    {0},
};
static const struct al_module mod = {.name = "fuzz", .routes = routes};
static const struct al_module *const mods[] = {&mod, NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct al_match m;
    al_router_match(mods, 1 + data[0] % 5, (const char *)data + 1, size - 1, &m);
    return 0;
}
