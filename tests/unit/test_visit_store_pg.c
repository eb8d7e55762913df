/*
 * The welfare-visit store on both engines (SQLite and the throwaway PostgreSQL of `make unit`):
 * the tier refresh, idempotent task generation, and the event seam other modules call
 * (visit_on_event: src/identify, the alarm module of issue 14) — the same results on each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/idcard.h"
#include "dual.h"
#include "unit.h"
#include "visit/visit.h"
#include "visit/visit_int.h"

/* 2026-12-02T13:00:00Z: 21:00 in China. */
#define NOW 1796216400
#define TODAY "2026-12-02"

static int
run(struct al_db *db, const char *sql)
{
    return al_db_exec(db, sql);
}

/* Three elders of 520327001001: 85 living alone, 70 destitute, 70 with their children. */
static int
elders(struct al_db *db)
{
    static const char *const sql[] = {
        "INSERT INTO elders(id, region_code, name, sex, birth_date, id_hash, id_enc, id_masked,"
        " address, living_arrangement, economic_status, created_at, updated_at) VALUES"
        " (1, '520327001001', '甲', 'F', '1941-01-01', 'h1', 'e1', 'm1', '一号', 'alone',"
        " 'general', 0, 0),"
        " (2, '520327001001', '乙', 'M', '1956-01-01', 'h2', 'e2', 'm2', '二号', 'with_children',"
        " 'tekun', 0, 0),"
        " (3, '520327001001', '丙', 'M', '1956-01-01', 'h3', 'e3', 'm3', '三号', 'with_children',"
        " 'general', 0, 0)",
        "INSERT INTO elder_categories(elder_id, category, source, region_code, status, birth_date)"
        " VALUES (1, 'advanced_age', 'record', '520327001001', 'active', '1941-01-01'),"
        " (1, 'living_alone', 'record', '520327001001', 'active', '1941-01-01')",
        NULL};
    for (int i = 0; sql[i]; i++)
        if (run(db, sql[i]) != AL_OK)
            return -1;
    return 0;
}

static json_t *
scenario(struct al_db *db, void *arg)
{
    (void)arg;
    struct al_arena a;
    al_arena_init(&a, 4096);
    json_t *out = json_object();
    assert_int_equal(elders(db), 0);
    struct visit_rule *rules;
    int n;
    int64_t targets, changed, created;
    assert_int_equal(visit_store_rules(db, &a, &rules, &n), AL_OK);
    assert_int_equal(n, 3);
    /* RULE-VISIT-001: 1 high (80+ alone), 2 key (destitute), 3 none. */
    assert_int_equal(visit_store_refresh(db, &a, "520327", rules, n, TODAY, NOW, &targets,
                         &changed),
        AL_OK);
    json_object_set_new(out, "targets", json_integer(targets));
    json_object_set_new(out, "changed", json_integer(changed));
    assert_int_equal(visit_store_refresh(db, &a, "520327", rules, n, TODAY, NOW, &targets,
                         &changed),
        AL_OK);
    json_object_set_new(out, "changed_again", json_integer(changed));
    /* RULE-VISIT-020: once per period. */
    assert_int_equal(visit_store_generate(db, "520327", TODAY, 0, NOW, &created), AL_OK);
    json_object_set_new(out, "created", json_integer(created));
    assert_int_equal(visit_store_generate(db, "520327", TODAY, 0, NOW, &created), AL_OK);
    json_object_set_new(out, "created_again", json_integer(created));
    /* RULE-VISIT-021: the seams. */
    int64_t t1 = 0, t2 = 0, t3 = 0, t4 = 0;
    assert_int_equal(visit_on_event(db, &a, 1, "identified", "run:7", NULL, 0, NOW, &t1), AL_OK);
    assert_int_equal(visit_on_event(db, &a, 1, "identified", "run:7", NULL, 0, NOW, &t2), AL_OK);
    assert_int_equal(visit_on_event(db, &a, 1, "alarm", "alarm:3", "跌倒告警", 0, NOW, &t3), AL_OK);
    assert_int_equal(visit_on_event(db, &a, 3, "identified", "run:7", NULL, 0, NOW, &t4),
        AL_EUNPROC);
    assert_int_equal(visit_on_event(db, &a, 99, "alarm", "alarm:4", NULL, 0, NOW, &t4),
        AL_ENOTFOUND);
    json_object_set_new(out, "same_event_same_task", json_boolean(t1 == t2));
    json_object_set_new(out, "other_event_other_task", json_boolean(t1 != t3));
    struct visit_task_filter f = {.scope = "520327", .today = TODAY, .limit = 50};
    json_t *items = json_array();
    int64_t total = 0;
    assert_int_equal(visit_store_tasks(db, &a, &f, items, &total), AL_OK);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        json_object_del(it, "id");
        json_object_del(it, "visitor_id");
    }
    json_object_set_new(out, "tasks", items);
    json_object_set_new(out, "total", json_integer(total));
    al_arena_fini(&a);
    return out;
}

static void
both_engines(void **state)
{
    (void)state;
    dual_same(scenario, NULL);
}

/* The figures themselves, on SQLite. */
static void
figures(void **state)
{
    (void)state;
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    json_t *r = scenario(db, NULL);
    assert_int_equal(json_integer_value(json_object_get(r, "targets")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "changed")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "changed_again")), 0);
    assert_int_equal(json_integer_value(json_object_get(r, "created")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "created_again")), 0);
    assert_true(json_is_true(json_object_get(r, "same_event_same_task")));
    assert_true(json_is_true(json_object_get(r, "other_event_other_task")));
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 4);
    /* The high-risk elder's event tasks are due the next day in China (21:00 + 24 h). */
    size_t i;
    json_t *it;
    int events = 0;
    json_array_foreach(json_object_get(r, "tasks"), i, it) {
        if (strcmp(json_string_value(json_object_get(it, "kind")), "event") != 0)
            continue;
        events++;
        assert_string_equal(json_string_value(json_object_get(it, "due_date")), "2026-12-03");
        assert_int_equal(json_integer_value(json_object_get(it, "elder_id")), 1);
    }
    assert_int_equal(events, 2);
    json_decref(r);
    al_db_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures),
        cmocka_unit_test(both_engines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
