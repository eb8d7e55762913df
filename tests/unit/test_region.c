/* src/region: division codes, scope prefixes and the embedded division tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "region/region.h"
#include "unit.h"

static void
levels(void **state)
{
    (void)state;
    assert_int_equal(region_level("52"), 1);
    assert_int_equal(region_level("5203"), 2);
    assert_int_equal(region_level("520327"), 3);
    assert_int_equal(region_level("520327101"), 4);
    assert_int_equal(region_level("520327101201"), 5);
    /* Other lengths, and anything but ASCII digits, are not codes. */
    static const char *const bad[] = {"", "5", "520", "52032", "5203271", "52032710",
        "5203271012", "52032710120", "5203271012011", "52032x", "5a", "52 ", " 52", "-52",
        "５２", "52\n", "5203\xff"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(region_level(bad[i]), 0);
}

static void
scope_is_a_prefix(void **state)
{
    (void)state;
    /* RULE-SCOPE-001 */
    assert_true(region_in_scope("", "520327101201"));
    assert_true(region_in_scope("", ""));
    assert_true(region_in_scope("520327", "520327"));
    assert_true(region_in_scope("520327", "520327101201"));
    assert_true(region_in_scope("52", "520327"));
    assert_false(region_in_scope("520327", "520328001001")); /* the neighbour county */
    assert_false(region_in_scope("520327101", "520327001001"));
    assert_false(region_in_scope("5203271", "520327"));
    assert_false(region_in_scope("520327", "5203")); /* a wider code is outside */
    assert_false(region_in_scope("520327", ""));
    assert_false(region_in_scope(NULL, "52"));
    assert_false(region_in_scope("52", NULL));
    assert_false(region_in_scope(NULL, NULL));
}

/* True when `code` falls in the range computed for `scope`. */
static bool
in_bounds(const char *scope, const char *code)
{
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    return strcmp(code, lo) >= 0 && strcmp(code, hi) < 0;
}

static void
bounds_cover_exactly_the_prefix(void **state)
{
    (void)state;
    /* RULE-SCOPE-001: the range form used in indexed queries. */
    char lo[16], hi[16];
    region_scope_bounds("520327", lo, hi);
    assert_string_equal(lo, "520327");
    assert_string_equal(hi, "520328");
    static const char *const scopes[] = {"52", "5203", "520327", "520329", "5209", "1309",
        "520327109", "520327001009", "9", "99"};
    static const char *const codes[] = {"52", "5203", "520327", "520327001001", "520328",
        "520329", "520329999999", "52032", "520330", "5209", "520999999999", "5210",
        "521000000000", "53", "51", "1309", "130999", "1310", "130899", "520327109",
        "520327109999", "520327110", "520327001009", "520327001010", "9", "99", "999999999999",
        "98", ""};
    for (size_t s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++)
        for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++) {
            bool want = region_in_scope(scopes[s], codes[c]), got = in_bounds(scopes[s], codes[c]);
            if (want != got)
                print_error("scope %s code %s: prefix %d range %d\n", scopes[s], codes[c], want,
                    got);
            assert_true(want == got);
        }
    /* Longer than any region code: an empty range, never the whole country (fails closed). */
    assert_false(in_bounds("5203270010010", "520327001001"));
    assert_false(in_bounds("520327001001999", "520327001001999"));
    assert_false(in_bounds("520327001001999", ""));
    assert_true(in_bounds("", "520327001001")); /* the empty scope is the country */
    /* A prefix ending in 9 does not carry into the next digit. */
    region_scope_bounds("5209", lo, hi);
    assert_string_equal(lo, "5209");
    assert_true(strcmp("520999999999", hi) < 0);
    assert_true(strcmp("5210", hi) >= 0);
    /* "" is the whole country: every code is inside. */
    region_scope_bounds("", lo, hi);
    assert_string_equal(lo, "");
    assert_true(strcmp("999999999999", hi) < 0);
    assert_true(strcmp("110101001001", hi) < 0);
}

static void
embedded_tables_load_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/anlao-unit-region-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/t.db", dir);
    struct al_db *db;
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    assert_int_equal(region_load_embedded(db), AL_OK);
    int64_t total = 0, towns = 0, villages = 0, provinces = 0, n = 0;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM regions", NULL, &total), AL_OK);
    al_db_count(db, "SELECT count(*) FROM regions WHERE parent_code = ?", "520327", &towns);
    al_db_count(db, "SELECT count(*) FROM regions WHERE level = 5 AND code LIKE ? || '%'",
        "520327", &villages);
    al_db_count(db, "SELECT count(*) FROM regions WHERE level = 1", NULL, &provinces);
    assert_int_equal(towns, 14);     /* 凤冈县: 14 townships */
    assert_int_equal(villages, 87);  /* and 87 villages and communities */
    assert_int_equal(provinces, 31);
    /* Villages hang under 凤冈县's townships only. */
    al_db_count(db, "SELECT count(*) FROM regions WHERE level = 5 AND parent_code NOT IN"
                    " (SELECT code FROM regions WHERE parent_code = ?)", "520327", &n);
    assert_int_equal(n, 0);
    /* Levels agree with code lengths, and each parent is the code's own prefix. */
    al_db_count(db, "SELECT count(*) FROM regions WHERE level <> CASE length(code) WHEN 2 THEN 1"
                    " WHEN 4 THEN 2 WHEN 6 THEN 3 WHEN 9 THEN 4 WHEN 12 THEN 5 END", NULL, &n);
    assert_int_equal(n, 0);
    al_db_count(db, "SELECT count(*) FROM regions WHERE level > 1 AND"
                    " substr(code, 1, length(parent_code)) <> parent_code", NULL, &n);
    assert_int_equal(n, 0);
    /* Names are the text without CSV quotes. */
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_string_equal(region_name(db, &a, "520327"), "凤冈县");
    assert_string_equal(region_name(db, &a, "52"), "贵州省");
    assert_string_equal(region_name(db, &a, "520329"), "余庆县");
    assert_string_equal(region_name(db, &a, ""), "全国");
    assert_null(region_name(db, &a, "999999"));
    assert_null(region_name(db, &a, NULL));
    /* The range form finds exactly the prefix's rows in the real table. */
    static const char *const scopes[] = {"52", "5203", "520327", "520329", "1309", "110119"};
    for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
        char lo[16], hi[16];
        region_scope_bounds(scopes[i], lo, hi);
        static const char q[] = "SELECT count(*) FROM regions WHERE code >= ?1 AND code < ?2";
        sqlite3_stmt *st = al_db_stmt(db, q);
        al_db_bind_text(st, 1, lo);
        al_db_bind_text(st, 2, hi);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        int64_t by_range = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        int64_t by_prefix = 0;
        al_db_count(db, "SELECT count(*) FROM regions WHERE substr(code, 1, length(?1)) = ?1",
            scopes[i], &by_prefix);
        assert_true(by_prefix > 0);
        assert_int_equal(by_range, by_prefix);
    }
    al_arena_fini(&a);
    /* A second load is a no-op, also on a new connection. */
    assert_int_equal(region_load_embedded(db), AL_OK);
    al_db_close(db);
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(region_load_embedded(db), AL_OK);
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM regions", NULL, &n), AL_OK);
    assert_int_equal(n, total);
    al_db_close(db);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels),
        cmocka_unit_test(scope_is_a_prefix),
        cmocka_unit_test(bounds_cover_exactly_the_prefix),
        cmocka_unit_test(embedded_tables_load_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
