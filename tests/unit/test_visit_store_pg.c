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

/*
 * RULE-VISIT-063: the rate of a past month reads that month's target list.  Elders 1 (high) and
 * 2 (key, destitute) became targets on 2026-10-10; elder 2 left on 2026-11-20 (no longer
 * destitute); elder 2 was visited in October.  Today's list is elder 1 alone.
 */
static json_t *
history(struct al_db *db, void *arg)
{
    (void)arg;
    struct al_arena a;
    al_arena_init(&a, 4096);
    assert_int_equal(elders(db), 0);
    assert_int_equal(run(db, "INSERT INTO users(id, username, display_name, role_id,"
                                 " region_code, password_hash, created_at, updated_at) VALUES"
                                 " (7, 'v', '探访员', 'admin', '520327', 'x', 0, 0)"),
        AL_OK);
    struct visit_rule *rules;
    int n;
    int64_t targets, changed;
    assert_int_equal(visit_store_rules(db, &a, &rules, &n), AL_OK);
    assert_int_equal(visit_store_refresh(db, &a, "520327", rules, n, "2026-10-10", NOW - 86400 * 53,
                         &targets, &changed),
        AL_OK);
    assert_int_equal(run(db, "UPDATE elders SET economic_status = 'general' WHERE id = 2"), AL_OK);
    assert_int_equal(visit_store_refresh(db, &a, "520327", rules, n, "2026-11-20", NOW - 86400 * 12,
                         &targets, &changed),
        AL_OK);
    assert_int_equal(run(db, "INSERT INTO visit_records(elder_id, region_code, visitor_id, method,"
                             " visited_at, visit_date, reached, created_at) VALUES"
                             " (2, '520327001001', 7, 'phone', 1792000000, '2026-10-15', 1, 0)"),
        AL_OK);
    json_t *out = json_object();
    static const char *const months[][3] = {{"2026-10-01", "2026-11-01", "2026-10-31"},
        {"2026-11-01", "2026-12-01", "2026-11-30"}, {"2026-12-01", "2027-01-01", TODAY}};
    for (int i = 0; i < 3; i++) {
        int64_t t = 0, v = 0, total = 0;
        json_t *ch = json_array(), *unv = json_array();
        assert_int_equal(visit_store_rate(db, &a, "520327", months[i][0], months[i][1],
                             months[i][2], ch, &t, &v),
            AL_OK);
        assert_int_equal(visit_store_unvisited(db, &a, "520327", months[i][0], months[i][1],
                             months[i][2], 50, 0, unv, &total),
            AL_OK);
        size_t k;
        json_t *it, *ids = json_array();
        json_array_foreach(unv, k, it) json_array_append(ids, json_object_get(it, "elder_id"));
        json_object_set_new(out, months[i][0],
            json_pack("{s:I, s:I, s:o, s:I}", "targets", (json_int_t)t, "visited", (json_int_t)v,
                "unvisited", ids, "unvisited_total", (json_int_t)total));
        json_decref(ch);
        json_decref(unv);
    }
    al_arena_fini(&a);
    return out;
}

static void
history_both(void **state)
{
    (void)state;
    dual_same(history, NULL);
    struct al_db *db = dual_open(DUAL_SQLITE);
    assert_non_null(db);
    json_t *r = history(db, NULL);
    char *text = json_dumps(r, JSON_SORT_KEYS | JSON_COMPACT);
    /* October: both were targets, elder 2 visited; November: both (elder 2 left on the 20th, the
     * list is the one of the 30th: elder 1 only); December: elder 1. */
    assert_string_equal(text,
        "{\"2026-10-01\":{\"targets\":2,\"unvisited\":[1],\"unvisited_total\":1,\"visited\":1},"
        "\"2026-11-01\":{\"targets\":1,\"unvisited\":[1],\"unvisited_total\":1,\"visited\":0},"
        "\"2026-12-01\":{\"targets\":1,\"unvisited\":[1],\"unvisited_total\":1,\"visited\":0}}");
    free(text);
    json_decref(r);
    al_db_close(db);
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
        cmocka_unit_test(history_both),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
