/* src/core/router.c: static route tables, :params, 404 versus 405. */
#include <string.h>

#include "core/err.h"
#include "core/router.h"
#include "unit.h"

static int
h1(struct al_req *r)
{
    (void)r;
    return 1;
}

static int
h2(struct al_req *r)
{
    (void)r;
    return 2;
}

static const struct al_route routes_a[] = {
    {AL_GET, "/api/v1/users", h1, "user.read", 0, NULL},
    {AL_POST, "/api/v1/users", h1, "user.write", 0, NULL},
    {AL_GET, "/api/v1/users/:id", h1, "user.read", 0, NULL},
    {AL_POST, "/api/v1/users/:id/password", h1, "user.write", AL_ROUTE_PWCHANGE_OK, NULL},
    {AL_DELETE, "/api/v1/elders/:id/contacts/:cid", h1, "elder.write", 0, NULL},
    {AL_GET, "/", h1, AL_PUBLIC, 0, NULL},
    {0},
};
static const struct al_route routes_b[] = {
    /* Same path as in module a: the first module listed wins. */
    {AL_GET, "/api/v1/users", h2, "other", 0, NULL},
    {AL_PUT, "/api/v1/regions/:code", h2, "region.write", 0, NULL},
    {AL_GET, "/api/v1/a/:p1/:p2/:p3/:p4", h2, AL_SIGNED_IN, 0, NULL},
    {AL_GET, "/api/v1/b/:p1/:p2/:p3/:p4/:p5", h2, AL_SIGNED_IN, 0, NULL},
    {0},
};
static const struct al_module mod_a = {.name = "a", .routes = routes_a};
static const struct al_module mod_b = {.name = "b", .routes = routes_b};
static const struct al_module *const mods[] = {&mod_a, &mod_b, NULL};
static const struct al_module *const none[] = {NULL};

static int
match(int method, const char *path, struct al_match *m)
{
    memset(m, 0x55, sizeof(*m)); /* results must not depend on the caller clearing m */
    return al_router_match(mods, method, path, strlen(path), m, NULL);
}

static void
param(const struct al_match *m, int i, const char *name, const char *value)
{
    assert_true(i < m->nparams);
    assert_int_equal(m->param_name_lens[i], strlen(name));
    assert_memory_equal(m->param_names[i], name, strlen(name));
    assert_int_equal(m->param_lens[i], strlen(value));
    assert_memory_equal(m->params[i], value, strlen(value));
}

static void
exact_paths_pick_route_by_method(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_GET, "/api/v1/users", &m), AL_OK);
    assert_string_equal(m.route->permission, "user.read");
    assert_ptr_equal(m.route->handler, h1); /* module a is listed first */
    assert_int_equal(m.nparams, 0);
    assert_int_equal(match(AL_POST, "/api/v1/users", &m), AL_OK);
    assert_string_equal(m.route->permission, "user.write");
    assert_int_equal(match(AL_GET, "/", &m), AL_OK);
    assert_string_equal(m.route->permission, AL_PUBLIC);
}

static void
params_point_into_the_request_path(void **state)
{
    (void)state;
    struct al_match m;
    const char *path = "/api/v1/users/42";
    assert_int_equal(match(AL_GET, path, &m), AL_OK);
    assert_int_equal(m.nparams, 1);
    param(&m, 0, "id", "42");
    assert_ptr_equal(m.params[0], path + strlen("/api/v1/users/"));
    assert_int_equal(match(AL_POST, "/api/v1/users/7/password", &m), AL_OK);
    assert_int_equal(m.route->flags, AL_ROUTE_PWCHANGE_OK);
    param(&m, 0, "id", "7");
    assert_int_equal(match(AL_DELETE, "/api/v1/elders/7/contacts/9", &m), AL_OK);
    assert_int_equal(m.nparams, 2);
    param(&m, 0, "id", "7");
    param(&m, 1, "cid", "9");
    /* Parameters are raw bytes: anything but '/' (decoding is the handler's job). */
    assert_int_equal(match(AL_PUT, "/api/v1/regions/%E5%87%A4 x", &m), AL_OK);
    param(&m, 0, "code", "%E5%87%A4 x");
    assert_int_equal(match(AL_PUT, "/api/v1/regions/凤冈县", &m), AL_OK);
    param(&m, 0, "code", "凤冈县");
}

static void
up_to_four_params(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_GET, "/api/v1/a/1/22/333/4444", &m), AL_OK);
    assert_int_equal(m.nparams, AL_MAX_PARAMS);
    param(&m, 3, "p4", "4444");
    /* A fifth parameter does not fit in al_match: such a route never matches. */
    assert_int_equal(match(AL_GET, "/api/v1/b/1/2/3/4/5", &m), AL_ENOTFOUND);
}

static void
empty_or_extra_segments_do_not_match(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_GET, "/api/v1/user", &m), AL_ENOTFOUND);
    assert_int_equal(match(AL_GET, "/api/v1/usersX", &m), AL_ENOTFOUND);
    assert_int_equal(match(AL_GET, "/api/v1/users/1/x", &m), AL_ENOTFOUND);
    assert_int_equal(match(AL_GET, "/api/v1/users//", &m), AL_ENOTFOUND); /* empty :id */
    assert_int_equal(match(AL_DELETE, "/api/v1/elders//contacts/9", &m), AL_ENOTFOUND);
    assert_int_equal(match(AL_DELETE, "/api/v1/elders/7/contacts/", &m), AL_ENOTFOUND);
    assert_int_equal(match(AL_GET, "/API/v1/users", &m), AL_ENOTFOUND); /* case matters */
    assert_int_equal(match(AL_GET, "", &m), AL_ENOTFOUND);
    assert_int_equal(match(AL_GET, "api/v1/users", &m), AL_ENOTFOUND);
    /* no query strings */
    assert_int_equal(match(AL_GET, "/api/v1/users?page=2", &m), AL_ENOTFOUND);
    assert_null(m.route);
    assert_int_equal(m.nparams, 0);
}

static void
path_exists_under_another_method_is_405(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_PUT, "/api/v1/users", &m), AL_EMETHOD);
    assert_null(m.route);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(match(AL_PATCH, "/api/v1/users/3", &m), AL_EMETHOD);
    assert_int_equal(match(AL_DELETE, "/api/v1/users/3/password", &m), AL_EMETHOD);
    assert_int_equal(match(AL_GET, "/api/v1/regions/52", &m), AL_EMETHOD); /* from module b */
    assert_int_equal(match(0, "/api/v1/users", &m), AL_EMETHOD);           /* unknown method */
    assert_int_equal(al_router_match(none, AL_GET, "/", 1, &m, NULL), AL_ENOTFOUND);
}

/* The router fills the error the renderer shows: code and Chinese message. */
static void
no_route_errors_carry_their_message(void **state)
{
    (void)state;
    struct al_match m;
    struct al_errinfo e = {0};
    const char *p = "/api/v1/users/";
    assert_int_equal(al_router_match(mods, AL_PUT, p, strlen(p), &m, &e), AL_EMETHOD);
    assert_string_equal(e.message, "接口 /api/v1/users/ 不支持 PUT 方法");
    assert_null(e.field);
    assert_null(m.route);
    memset(&e, 0, sizeof(e));
    p = "/api/v1/nothing";
    assert_int_equal(al_router_match(mods, AL_GET, p, strlen(p), &m, &e), AL_ENOTFOUND);
    assert_string_equal(e.message, "接口不存在：GET /api/v1/nothing");
    /* Only the given length is named. */
    memset(&e, 0, sizeof(e));
    assert_int_equal(al_router_match(mods, AL_GET, "/api/v1/usersX", 13, &m, &e), AL_OK);
    assert_int_equal(al_router_match(mods, AL_DELETE, "/api/v1/nothingX", 15, &m, &e),
        AL_ENOTFOUND);
    assert_string_equal(e.message, "接口不存在：DELETE /api/v1/nothing");
}

static void
trailing_slash_is_the_same_resource(void **state)
{
    (void)state;
    struct al_match m;
    assert_int_equal(match(AL_GET, "/api/v1/users/", &m), AL_OK);
    assert_string_equal(m.route->path, "/api/v1/users");
    assert_int_equal(match(AL_GET, "/api/v1/users/42/", &m), AL_OK);
    param(&m, 0, "id", "42"); /* the slash is not part of the parameter */
    assert_int_equal(match(AL_PUT, "/api/v1/users/", &m), AL_EMETHOD);
}

static void
path_length_is_honoured(void **state)
{
    (void)state;
    struct al_match m;
    /* The path need not be NUL-terminated: only path_len bytes count. */
    const char buf[] = "/api/v1/users/42?x=1";
    assert_int_equal(al_router_match(mods, AL_GET, buf, 16, &m, NULL), 0);
    param(&m, 0, "id", "42");
    assert_int_equal(al_router_match(mods, AL_GET, buf, 13, &m, NULL), 0);
    assert_string_equal(m.route->path, "/api/v1/users");
    assert_int_equal(al_router_match(mods, AL_GET, buf, 12, &m, NULL), AL_ENOTFOUND);
    /* An embedded NUL is just a byte that matches nothing. */
    const char nul[] = "/api/v1/users\0";
    assert_int_equal(al_router_match(mods, AL_GET, nul, sizeof(nul) - 1, &m, NULL), AL_ENOTFOUND);
    const char nul_param[] = "/api/v1/users/4\0002";
    assert_int_equal(al_router_match(mods, AL_GET, nul_param, sizeof(nul_param) - 1, &m, NULL), 0);
    assert_int_equal(m.param_lens[0], 3);
}

static void
method_names(void **state)
{
    (void)state;
    static const char *names[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(al_method_parse(names[i]), AL_GET + i);
        assert_string_equal(al_method_name(AL_GET + i), names[i]);
    }
    assert_int_equal(al_method_parse("TRACE"), 0);
    assert_int_equal(al_method_parse("get"), 0);
    assert_int_equal(al_method_parse(""), 0);
    assert_int_equal(al_method_parse("GETX"), 0);
    assert_string_equal(al_method_name(0), "?");
    assert_string_equal(al_method_name(99), "?");
}

/* ---- al_router_check: the tables check themselves before the server starts ---- */

static bool
known_perm(void *ctx, const char *perm)
{
    (void)ctx;
    return !strcmp(perm, "user.read") || !strcmp(perm, "user.write");
}

static int
check(const struct al_route *a, const struct al_route *b, char *msg, size_t n)
{
    const struct al_module ma = {.name = "ma", .routes = a}, mb = {.name = "mb", .routes = b};
    const struct al_module *const list[] = {&ma, &mb, NULL};
    return al_router_check(list, known_perm, NULL, msg, n);
}

static void
router_check_accepts_a_sound_table(void **state)
{
    (void)state;
    static const struct al_route a[] = {
        {AL_GET, "/api/v1/users/due", h1, "user.read", 0, NULL}, /* literal before :id */
        {AL_GET, "/api/v1/users/:id", h1, "user.read", 0, NULL},
        {AL_PATCH, "/api/v1/users/:id", h1, "user.write", 0, NULL}, /* another method */
        {AL_GET, "/api/v1/users/:id/roles", h1, AL_SIGNED_IN, 0, NULL},
        {AL_POST, "/api/v1/login", h1, AL_PUBLIC, 0, NULL},
        {0},
    };
    static const struct al_route b[] = {
        {AL_GET, "/api/v1/users/:id/history", h2, "user.read", 0, NULL},
        {0},
    };
    char msg[256] = "";
    assert_int_equal(check(a, b, msg, sizeof(msg)), AL_OK);
}

static void
router_check_refuses_a_permission_not_in_the_table(void **state)
{
    (void)state;
    static const struct al_route a[] = {
        {AL_GET, "/api/v1/users", h1, "user.read", 0, NULL},
        {0},
    };
    static const struct al_route b[] = {
        {AL_POST, "/api/v1/users", h2, "user.wrtie", 0, NULL}, /* a typo */
        {0},
    };
    char msg[256] = "";
    assert_int_equal(check(a, b, msg, sizeof(msg)), AL_EINVAL);
    assert_non_null(strstr(msg, "user.wrtie"));
    assert_non_null(strstr(msg, "POST /api/v1/users"));
    assert_non_null(strstr(msg, "mb"));
}

static void
router_check_refuses_a_shadowed_route(void **state)
{
    (void)state;
    char msg[256] = "";
    /* :id first: /due can never be reached. */
    static const struct al_route a[] = {
        {AL_GET, "/api/v1/users/:id", h1, "user.read", 0, NULL},
        {AL_GET, "/api/v1/users/due", h1, "user.read", 0, NULL},
        {0},
    };
    static const struct al_route empty[] = {{0}};
    assert_int_equal(check(a, empty, msg, sizeof(msg)), AL_EINVAL);
    assert_non_null(strstr(msg, "GET /api/v1/users/due"));
    assert_non_null(strstr(msg, "GET /api/v1/users/:id"));
    /* The same route twice, across modules: the second is dead. */
    static const struct al_route one[] = {
        {AL_GET, "/api/v1/users/:id", h1, "user.read", 0, NULL},
        {0},
    };
    static const struct al_route b[] = {
        {AL_GET, "/api/v1/users/:uid", h2, "user.read", 0, NULL},
        {0},
    };
    assert_int_equal(check(one, b, msg, sizeof(msg)), AL_EINVAL);
    assert_non_null(strstr(msg, "（模块 mb）被前面的"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_paths_pick_route_by_method),
        cmocka_unit_test(params_point_into_the_request_path),
        cmocka_unit_test(up_to_four_params),
        cmocka_unit_test(empty_or_extra_segments_do_not_match),
        cmocka_unit_test(path_exists_under_another_method_is_405),
        cmocka_unit_test(no_route_errors_carry_their_message),
        cmocka_unit_test(trailing_slash_is_the_same_resource),
        cmocka_unit_test(path_length_is_honoured),
        cmocka_unit_test(method_names),
        cmocka_unit_test(router_check_accepts_a_sound_table),
        cmocka_unit_test(router_check_refuses_a_permission_not_in_the_table),
        cmocka_unit_test(router_check_refuses_a_shadowed_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
