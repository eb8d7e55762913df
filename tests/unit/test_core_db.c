#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "region/region.h"
#include "unit.h"

static char dir[] = "/tmp/anlao-unit-db-XXXXXX";
static char path[256];

static void
migrations_apply_once_and_regions_load(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/t.db", dir);
    struct al_db *db;
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    int64_t n1 = 0, n2 = 0;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM schema_migrations", NULL, &n1), AL_OK);
    assert_true(n1 >= 4);
    assert_int_equal(al_db_migrate(db), AL_OK); /* a second run is a no-op */
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM schema_migrations", NULL, &n2), AL_OK);
    assert_int_equal(n1, n2);
    assert_int_equal(region_load_embedded(db), AL_OK);
    int64_t towns = 0, villages = 0, provinces = 0;
    al_db_count(db, "SELECT count(*) FROM regions WHERE parent_code = ?", "520327", &towns);
    al_db_count(db, "SELECT count(*) FROM regions WHERE level = 5 AND code LIKE ? || '%'", "520327", &villages);
    al_db_count(db, "SELECT count(*) FROM regions WHERE level = 1", NULL, &provinces);
    assert_int_equal(towns, 14);
    assert_int_equal(villages, 87);
    assert_int_equal(provinces, 31);
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_string_equal(region_name(db, &a, "520327"), "凤冈县");
    assert_string_equal(region_name(db, &a, ""), "全国");
    assert_null(region_name(db, &a, "999999"));
    al_arena_fini(&a);
    al_db_close(db);
}

static void
rollback_leaves_nothing_and_constraints_map_to_conflict(void **state)
{
    (void)state;
    struct al_db *db;
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_exec(db, "INSERT INTO settings(key, value) VALUES ('t', '1')"), AL_OK);
    al_db_rollback(db);
    int64_t n = -1;
    al_db_count(db, "SELECT count(*) FROM settings WHERE key = 't'", NULL, &n);
    assert_int_equal(n, 0);
    sqlite3_stmt *st = al_db_stmt(db, "INSERT INTO settings(key, value) VALUES ('elder.min_age', 'x')");
    assert_non_null(st);
    assert_int_equal(al_db_check(db, sqlite3_step(st)), AL_ECONFLICT);
    sqlite3_reset(st);
    /* the statement cache hands back the same prepared statement */
    static const char q[] = "SELECT 1";
    assert_ptr_equal(al_db_stmt(db, q), al_db_stmt(db, q));
    al_db_close(db);
}

static void
backup_copies_everything(void **state)
{
    (void)state;
    struct al_db *db, *copy;
    char dest[300];
    snprintf(dest, sizeof(dest), "%s/backup.db", dir);
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_backup(db, dest), AL_OK);
    assert_int_equal(al_db_open(dest, &copy), AL_OK);
    int64_t a = 0, b = 0;
    al_db_count(db, "SELECT count(*) FROM regions", NULL, &a);
    al_db_count(copy, "SELECT count(*) FROM regions", NULL, &b);
    assert_int_equal(a, b);
    al_db_close(copy);
    al_db_close(db);
    unlink(dest);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_apply_once_and_regions_load),
        cmocka_unit_test(rollback_leaves_nothing_and_constraints_map_to_conflict),
        cmocka_unit_test(backup_copies_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
