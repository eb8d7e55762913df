/*
 * src/entitle/entitle_store.c on both engines: the same calls and assertions on a migrated
 * SQLite database and on the throwaway PostgreSQL `make unit` starts (ANLAO_TEST_PG).
 * RULE-ENT-005 (the seeded national list), RULE-ENT-014 (list versions at approval),
 * RULE-ENT-015 (entries at a date and up to a version), RULE-ENT-021, RULE-ENT-025; RULE-ENT-040
 * (every seeded rule compiles and its examples hold, on either engine), RULE-ENT-045, RULE-ENT-050.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "entitle/entitle_int.h"
#include "entitle/rule.h"
#include "unit.h"

static int
sqlite_setup(void **state)
{
    struct al_db *db;
    if (al_db_open(":memory:", &db) != AL_OK || al_db_migrate(db) != AL_OK)
        return -1;
    *state = db;
    return 0;
}

static int
pg_setup(void **state)
{
    const char *url = getenv("ANLAO_TEST_PG");
    if (!url || !*url) {
        fprintf(stderr, "ANLAO_TEST_PG is not set: run through `make unit`\n");
        return -1;
    }
    struct al_db *db;
    if (al_db_open(url, &db) != AL_OK)
        return -1;
    if (al_db_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;") != AL_OK ||
        al_db_migrate(db) != AL_OK) {
        al_db_close(db);
        return -1;
    }
    *state = db;
    return 0;
}

static int
teardown(void **state)
{
    al_db_close(*state);
    return 0;
}

static char chain[ENT_LEVELS][13] = {"", "52", "5203", "520327"};

static void
lists_and_versions(void **state)
{
    struct al_db *db = *state;
    json_t *e = json_array();
    assert_int_equal(entitle_store_entries(db, chain, 1, "2026-01-01", 0, e), AL_OK);
    assert_int_equal(json_array_size(e), 12); /* RULE-ENT-005 */
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "status")),
        "to_check");
    json_decref(e);

    static const char *const from_draft[] = {"draft", NULL}, *const from_sub[] = {"submitted", NULL};
    int64_t v1 = 0, v2 = 0;
    json_t *item = json_pack("{s:s, s:s, s:i, s:s}", "kind", "raise", "standard_kind", "amount",
        "amount_fen", 10000, "period", "month");
    for (int i = 0; i < 2; i++) {
        int64_t *id = i ? &v2 : &v1;
        assert_int_equal(entitle_store_change_new(db, "52", "省级", i ? "2026-03-01" : "2026-01-01",
                             "t", 1, id), AL_OK);
        json_object_set_new(item, "amount_fen", json_integer(10000 + i * 1000));
        assert_int_equal(entitle_store_item_put(db, *id, "52", "gaoling_jintie", item), AL_OK);
        assert_int_equal(entitle_store_item_put(db, *id, "52", "gaoling_jintie", item), AL_OK);
        int64_t n = 0;
        assert_int_equal(entitle_store_item_count(db, *id, &n), AL_OK);
        assert_int_equal(n, 1);
        assert_int_equal(entitle_store_change_move(db, *id, 1, from_draft, "submitted", "t", NULL, 2),
            AL_OK);
        /* A stale version, or the wrong state, is a conflict. */
        assert_int_equal(entitle_store_change_move(db, *id, 1, from_sub, "approved", "g", NULL, 3),
            AL_ECONFLICT);
        json_t *q = json_array();
        assert_int_equal(entitle_store_queue(db, "", q), AL_OK);
        assert_int_equal(json_array_size(q), 1);
        json_decref(q);
        assert_int_equal(entitle_store_change_move(db, *id, 2, from_sub, "approved", "g", NULL, 3),
            AL_OK);
    }
    json_decref(item);
    struct al_arena a;
    al_arena_init(&a, 1024);
    struct entitle_change c;
    assert_int_equal(entitle_store_change(db, &a, v2, &c), AL_OK);
    assert_int_equal(c.list_version, 2); /* RULE-ENT-014 */
    assert_string_equal(c.status, "approved");
    const char *date = NULL;
    assert_int_equal(entitle_store_version_date(db, &a, "52", 1, &date), AL_OK);
    assert_string_equal(date, "2026-01-01");
    /* RULE-ENT-015: at a date, and up to a version. */
    e = json_array();
    assert_int_equal(entitle_store_entries(db, chain, 2, "2026-02-01", 0, e), AL_OK);
    assert_int_equal(json_array_size(e), 13);
    json_decref(e);
    e = json_array();
    assert_int_equal(entitle_store_entries(db, chain, 2, NULL, 1, e), AL_OK);
    assert_int_equal(json_array_size(e), 13);
    json_decref(e);
    e = json_array();
    assert_int_equal(entitle_store_entries(db, chain, 2, NULL, 0, e), AL_OK);
    assert_int_equal(json_array_size(e), 14);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 13), "amount_fen")), 11000);
    json_decref(e);
    json_t *versions = json_array();
    assert_int_equal(entitle_store_versions(db, "52", versions), AL_OK);
    assert_int_equal(json_array_size(versions), 2);
    json_decref(versions);
    int64_t rv = 0;
    const char *text = NULL;
    assert_int_equal(entitle_store_rule_last(db, &a, chain, 4, "gaoling_jintie", &rv, &text), AL_OK);
    assert_int_equal(rv, 1);
    assert_string_equal(text, "年龄 >= 高龄年龄");
    assert_int_equal(entitle_store_item_check(db, "", "gaoling_jintie", "t", 4), AL_OK);
    assert_int_equal(entitle_store_item_check(db, "52", "huli_butie", "t", 4), AL_ENOTFOUND);
    al_arena_fini(&a);
}

static void
params_and_exclusions(void **state)
{
    struct al_db *db = *state;
    int64_t id = 0;
    /* RULE-ENT-021 */
    assert_int_equal(entitle_store_param_add(db, "520327", "高龄年龄", 75, "岁", "2027-01-01", "x",
                         "t", 1, &id), AL_OK);
    assert_int_equal(entitle_store_param_add(db, "520327", "高龄年龄", 70, "岁", "2027-01-01", "x",
                         "t", 1, &id), AL_ECONFLICT);
    json_t *p = json_array();
    assert_int_equal(entitle_store_params(db, chain, 4, p), AL_OK);
    assert_int_equal(json_integer_value(json_object_get(entitle_param_at(p, "高龄年龄", "2027-06-01"),
                         "value")), 75);
    json_decref(p);
    /* RULE-ENT-025 */
    assert_int_equal(entitle_store_exclusion_add(db, "520327", "shangmen_fuwu", "zhucan_butie", "r",
                         "", "t", 1, &id), AL_OK);
    assert_int_equal(entitle_store_exclusion_add(db, "520327", "shangmen_fuwu", "zhucan_butie", "r",
                         "", "t", 1, &id), AL_ECONFLICT);
    json_t *x = json_array();
    assert_int_equal(entitle_store_exclusions(db, chain, 4, x), AL_OK);
    assert_int_equal(json_array_size(x), 4);
    json_decref(x);
    assert_int_equal(entitle_store_exclusion_del(db, id), AL_OK);
    x = json_array();
    assert_int_equal(entitle_store_examples(db, chain, 4, "huli_butie", x), AL_OK);
    assert_int_equal(json_array_size(x), 2);
    json_decref(x);
}

static void
seeded_rules(void **state)
{
    struct al_db *db = *state;
    json_t *entries = json_array(), *params = json_array();
    struct al_arena a;
    al_arena_init(&a, 4096);
    assert_int_equal(entitle_store_entries(db, chain, 1, "2026-06-01", 0, entries), AL_OK);
    assert_int_equal(entitle_store_params(db, chain, 1, params), AL_OK);
    json_t *items = entitle_merge(&a, entries, "", "2026-06-01");
    assert_int_equal(json_array_size(items), 12);
    size_t i, k;
    json_t *it, *ex;
    int examples = 0;
    json_array_foreach(items, i, it)
    {
        const char *key = json_string_value(json_object_get(it, "item_key"));
        const char *text = json_string_value(json_object_get(it, "rule_text"));
        assert_true(json_is_true(json_object_get(it, "rule_checked"))); /* migration 031 */
        struct rule *r = NULL;
        struct rule_error err;
        /* RULE-ENT-040 */
        if (entitle_rule_compile(&a, text, "", "2026-06-01", params, items, &r, &err) != AL_OK)
            fail_msg("%s: %s", key, err.message);
        json_t *xs = json_array();
        assert_int_equal(entitle_store_examples(db, chain, 1, key, xs), AL_OK);
        json_array_foreach(xs, k, ex)
        {
            bool got = false;
            assert_int_equal(entitle_example_run(&a, text, "", ex, params, items, &got, &err),
                AL_OK);
            assert_int_equal(got, json_is_true(json_object_get(ex, "expected")));
            examples++;
        }
        json_decref(xs);
    }
    assert_true(examples >= 5);
    json_decref(items);
    json_decref(entries);
    json_decref(params);
    /* RULE-ENT-045: the lists under a prefix with an approved version, shortest first. */
    json_t *l = json_array();
    assert_int_equal(entitle_store_list_regions(db, "", l), AL_OK);
    assert_true(json_array_size(l) >= 1);
    assert_string_equal(json_string_value(json_array_get(l, 0)), "");
    for (i = 1; i < json_array_size(l); i++)
        assert_true(strlen(json_string_value(json_array_get(l, i - 1))) <=
            strlen(json_string_value(json_array_get(l, i))));
    json_decref(l);
    l = json_array();
    assert_int_equal(entitle_store_list_regions(db, "99", l), AL_OK);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    /* RULE-ENT-050: the receiving query reads on either engine (no such elder: nothing). */
    l = json_array();
    assert_int_equal(entitle_store_receiving(db, 987654, "2026-06-01", l), AL_OK);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    al_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_and_versions),
        cmocka_unit_test(params_and_exclusions),
        cmocka_unit_test(seeded_rules),
    };
    int failed = cmocka_run_group_tests_name("entitle_store on SQLite", tests, sqlite_setup,
        teardown);
    failed += cmocka_run_group_tests_name("entitle_store on PostgreSQL", tests, pg_setup, teardown);
    return failed;
}
