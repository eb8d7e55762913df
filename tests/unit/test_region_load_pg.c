/*
 * The embedded region tables loaded in bulk (RULE-DB-023) on both engines:
 * COPY on the throwaway PostgreSQL `make unit` starts (ANLAO_TEST_PG), prepared
 * INSERTs on SQLite; the same rows either way, loaded once (RULE-DB-023).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "core/json.h"
#include "region/region.h"
#include "region/region_int.h"
#include "dual.h"
#include "unit.h"

static int64_t
count(struct al_db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(al_db_count(db, sql, NULL, &n), AL_OK);
    return n;
}

static void
loads_every_region_once(void **state)
{
    struct al_db *db = *state;
    assert_int_equal(region_load_embedded(db), AL_OK);
    /* Every row of the five files (44,790 codes, none repeated), parents derived. */
    assert_int_equal(count(db, "SELECT count(*) FROM regions"), 44790);
    assert_int_equal(count(db, "SELECT count(*) FROM regions WHERE level = 1"), 31);
    assert_int_equal(count(db, "SELECT count(*) FROM regions WHERE parent_code IS NULL"), 31);
    assert_int_equal(count(db, "SELECT count(*) FROM regions WHERE level = 5"), 87);
    assert_int_equal(count(db, "SELECT count(*) FROM regions r WHERE r.parent_code IS NOT NULL"
                               " AND NOT EXISTS (SELECT 1 FROM regions p"
                               " WHERE p.code = r.parent_code)"),
        0);
    struct al_arena a;
    al_arena_init(&a, 1024);
    assert_string_equal(region_name(db, &a, "520327001001"), "龙潭湖社区居民委员会");
    assert_string_equal(region_name(db, &a, "52"), "贵州省");
    json_t *r = NULL;
    assert_int_equal(region_store_get(db, "520327001", &r), AL_OK);
    assert_string_equal(json_string_value(json_object_get(r, "parent")), "520327");
    json_decref(r);
    al_arena_fini(&a);
    /* A second start loads nothing more. */
    assert_int_equal(region_load_embedded(db), AL_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM regions"), 44790);
}

static void *
load_in_thread(void *arg)
{
    return (void *)(intptr_t)region_load_embedded(arg);
}

/*
 * Two servers starting at once on one PostgreSQL: the second's load waits on
 * the first's rows, which refuse its own (COPY has no ON CONFLICT); it finds
 * the regions loaded and starts (AL_OK), leaving the first's rows alone.
 */
static void
second_server_finds_them_loaded(void **state)
{
    struct al_db *first = *state, *second = NULL;
    second = dual_open_again(DUAL_PG);
    assert_non_null(second);
    assert_int_equal(al_db_exec(first, "DELETE FROM regions"), AL_OK);
    assert_int_equal(al_db_begin(first), AL_OK);
    assert_int_equal(al_db_exec(first, "INSERT INTO regions(code, name, level, parent_code,"
                                       " edition) VALUES ('52', '贵州省', 1, NULL, 2023)"),
        AL_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, load_in_thread, second), 0);
    /* Until the second connection waits for the first's row. */
    int64_t waiting = 0;
    for (int i = 0; i < 400 && !waiting; i++) {
        usleep(25000);
        assert_int_equal(al_db_count(first, "SELECT count(*) FROM pg_stat_activity"
                                            " WHERE wait_event_type = 'Lock'", NULL, &waiting),
            AL_OK);
    }
    assert_int_equal(waiting, 1);
    assert_int_equal(al_db_end(first, AL_OK), AL_OK);
    void *rc;
    assert_int_equal(pthread_join(t, &rc), 0);
    assert_int_equal((int)(intptr_t)rc, AL_OK);
    assert_int_equal(count(first, "SELECT count(*) FROM regions"), 1);
    al_db_close(second);
}

int
main(void)
{
    al_json_init(); /* as main.c: jansson on the arena while a pass writes rows */
    const struct CMUnitTest tests[] = {cmocka_unit_test(loads_every_region_once)};
    int failed =
        cmocka_run_group_tests_name("regions on SQLite", tests, dual_sqlite_setup, dual_teardown);
    failed +=
        cmocka_run_group_tests_name("regions on PostgreSQL", tests, dual_pg_setup, dual_teardown);
    const struct CMUnitTest two[] = {cmocka_unit_test(second_server_finds_them_loaded)};
    failed +=
        cmocka_run_group_tests_name("two servers on PostgreSQL", two, dual_pg_setup, dual_teardown);
    return failed;
}
