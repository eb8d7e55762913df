/* src/app/modules.c: the real route tables pass their own check against the real schema. */
#include <string.h>

#include "app/modules.h"
#include "core/db.h"
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_tables_pass_and_a_missing_permission_stops_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
