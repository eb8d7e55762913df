/* src/app/modules.c: the real route tables pass their own check against the real schema. */
#include <string.h>

#include "app/modules.h"
#include "core/db.h"
#include "core/http.h"
#include "unit.h"

static void
real_tables_pass_and_a_missing_permission_stops_them(void **state)
{
    (void)state;
    struct al_db *db = NULL;
    assert_int_equal(al_db_open(":memory:", &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    char msg[512] = "";
    assert_int_equal(app_routes_check(db, msg, sizeof(msg)), AL_OK);
    /* A permission a route names, gone from the database: the server would not start. */
    assert_int_equal(al_db_exec(db, "DELETE FROM role_permissions WHERE permission_id = 'audit.read';"
                                    " DELETE FROM permissions WHERE id = 'audit.read'"), AL_OK);
    assert_int_equal(app_routes_check(db, msg, sizeof(msg)), AL_EINVAL);
    assert_non_null(strstr(msg, "GET /api/v1/audit"));
    assert_non_null(strstr(msg, "audit.read"));
    al_db_close(db);
}

/* RULE-DB-111: a handler that begins a write and returns without ending it. */
static int
leaky_handler(struct al_req *r)
{
    al_db_begin(r->db);
    al_db_exec(r->db, "INSERT INTO settings(key, value) VALUES ('leak', '1')");
    return AL_OK;
}

static void
an_open_transaction_is_rolled_back_after_the_handler(void **state)
{
    (void)state;
    struct al_db *db = NULL;
    assert_int_equal(al_db_open(":memory:", &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    static const struct al_route leaky = {AL_POST, "/api/v1/leak", leaky_handler, AL_PUBLIC, 0,
        "test"};
    struct al_req r = {.db = db, .method = AL_POST, .path = "/api/v1/leak"};
    r.match.route = &leaky;
    assert_int_equal(app_dispatch(&r), AL_OK);
    assert_false(al_db_in_tx(db));
    int64_t n = -1;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM settings WHERE key = 'leak'", NULL, &n),
        AL_OK);
    assert_int_equal(n, 0); /* rolled back, not left for the next request to commit */
    al_db_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_tables_pass_and_a_missing_permission_stops_them),
        cmocka_unit_test(an_open_transaction_is_rolled_back_after_the_handler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
