#include <string.h>

#include "core/router.h"
#include "unit.h"

static int
h(struct al_req *r)
{
    (void)r;
    return 0;
}

static const struct al_route routes_a[] = {
    {AL_GET, "/api/v1/users", h, "user.read", 0, NULL},
    {AL_POST, "/api/v1/users", h, "user.write", 0, NULL},
    {AL_GET, "/api/v1/users/:id", h, "user.read", 0, NULL},
    {AL_DELETE, "/api/v1/elders/:id/contacts/:cid", h, "elder.write", 0, NULL},
    {0},
};
static const struct al_module mod_a = {.name = "a", .routes = routes_a};
static const struct al_module *const mods[] = {&mod_a, NULL};

static int
match(int method, const char *path, struct al_match *m)
{
    return al_router_match(mods, method, path, strlen(path), m);
}

static void
exact_and_params(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_GET, "/api/v1/users", &m), 0);
    assert_string_equal(m.route->permission, "user.read");
    assert_int_equal(match(AL_POST, "/api/v1/users", &m), 0);
    assert_string_equal(m.route->permission, "user.write");
    assert_int_equal(match(AL_GET, "/api/v1/users/42", &m), 0);
    assert_int_equal(m.nparams, 1);
    assert_int_equal(m.param_lens[0], 2);
    assert_memory_equal(m.params[0], "42", 2);
    assert_int_equal(match(AL_DELETE, "/api/v1/elders/7/contacts/9", &m), 0);
    assert_int_equal(m.nparams, 2);
    assert_memory_equal(m.param_names[1], "cid", 3);
    assert_memory_equal(m.params[1], "9", 1);
}

static void
not_found_and_wrong_method(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_GET, "/api/v1/user", &m), -404);
    assert_int_equal(match(AL_GET, "/api/v1/users/1/x", &m), -404);
    assert_int_equal(match(AL_GET, "/api/v1/users//", &m), -404);
    assert_int_equal(match(AL_PUT, "/api/v1/users", &m), -405);
    assert_int_equal(match(AL_PATCH, "/api/v1/users/3", &m), -405);
    assert_null(m.route);
}

static void
trailing_slash_is_the_same_resource(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_GET, "/api/v1/users/", &m), 0);
}

static void
method_names(void **state)
{
    (void)state;
    assert_int_equal(al_method_parse("PATCH"), AL_PATCH);
    assert_int_equal(al_method_parse("TRACE"), 0);
    assert_string_equal(al_method_name(AL_DELETE), "DELETE");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_and_params),
        cmocka_unit_test(not_found_and_wrong_method),
        cmocka_unit_test(trailing_slash_is_the_same_resource),
        cmocka_unit_test(method_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
