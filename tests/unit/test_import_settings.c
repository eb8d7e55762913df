/*
 * Small failures that were ignored (issue 10, point 6): elder_bulk_begin's
 * count and the import's read of elder.min_age (RULE-IMPORT-010), which now
 * goes through the registry's one reader of the settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "elder/elder.h"
#include "import/import.h"
#include "unit.h"

static struct al_db *
migrated(void)
{
    struct al_db *db = NULL;
    assert_int_equal(al_db_open(":memory:", &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    return db;
}

static void
min_age_is_the_registry_setting(void **state)
{
    (void)state;
    struct al_db *db = migrated();
    int age = 0;
    assert_int_equal(elder_min_age(db, &age), AL_OK);
    assert_int_equal(age, 60); /* RULE-IMPORT-010: the default */
    assert_int_equal(al_db_exec(db, "INSERT OR REPLACE INTO settings(key, value)"
                                    " VALUES ('elder.min_age', '65')"), AL_OK);
    assert_int_equal(elder_min_age(db, &age), AL_OK);
    assert_int_equal(age, 65);
    al_db_close(db);
}

static void
bulk_begin_reports_a_failing_count(void **state)
{
    (void)state;
    struct al_db *db = migrated();
    struct al_arena a;
    al_arena_init(&a, 0);
    struct elder_bulk *b = NULL;
    assert_int_equal(elder_bulk_begin(db, &a, 1700000000, &b), AL_OK); /* the statements are cached */
    assert_int_equal(al_db_exec(db, "ALTER TABLE elders RENAME TO elders_gone"), AL_OK);
    b = NULL;
    al_log_set_level(AL_LOG_ERROR + 1);
    int rc = elder_bulk_begin(db, &a, 1700000000, &b);
    al_log_set_level(AL_LOG_INFO);
    assert_int_equal(rc, AL_EDB);
    assert_null(b);
    al_arena_fini(&a);
    al_db_close(db);
}

/* Validating a household file reads elder.min_age: a failed read fails the import. */
static void
import_reports_a_failing_min_age_read(void **state)
{
    (void)state;
    struct al_db *db = migrated();
    /* The setting's row raises an error when read (abs of the smallest integer overflows). */
    assert_int_equal(al_db_exec(db,
        "INSERT OR REPLACE INTO settings(key, value) VALUES ('elder.min_age', '60');"
        "ALTER TABLE settings RENAME TO settings_real;"
        "CREATE VIEW settings AS SELECT key, value FROM settings_real WHERE key != 'elder.min_age'"
        " UNION ALL SELECT key, abs(-9223372036854775807 - 1) FROM settings_real"
        " WHERE key = 'elder.min_age';"), AL_OK);
    char path[] = "/tmp/anlao-unit-import-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char csv[] = "身份证号,姓名,区划代码,住址\n11010519491231002X,王秀英,520327001001,一号\n";
    assert_int_equal(write(fd, csv, sizeof(csv) - 1), (ssize_t)(sizeof(csv) - 1));
    close(fd);
    struct import_options o = {.kind = "hukou", .path = path};
    struct import_summary s;
    struct al_errinfo e = {0};
    al_log_set_level(AL_LOG_ERROR + 1);
    int rc = import_validate(db, &o, &s, &e);
    al_log_set_level(AL_LOG_INFO);
    unlink(path);
    assert_int_equal(rc, AL_EDB);
    al_db_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(min_age_is_the_registry_setting),
        cmocka_unit_test(bulk_begin_reports_a_failing_count),
        cmocka_unit_test(import_reports_a_failing_min_age_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
