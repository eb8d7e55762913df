/*
 * src/entitle/facts_store.c on both engines (RULE-EXPR-017, RULE-EXPR-018, RULE-EXPR-019): the same
 * elders, categories and receiving rows on a migrated SQLite database and on
 * the throwaway PostgreSQL `make unit` starts (ANLAO_TEST_PG) load into the
 * same packed table, and a compiled rule gives the same answers over it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "entitle/facts.h"
#include "entitle/rule.h"
#include "dual.h"
#include "unit.h"

static const char sql_elder[] =
    "INSERT INTO elders(id, region_code, hukou_region_code, name, sex, birth_date, id_hash,"
    " id_enc, id_masked, address, living_arrangement, economic_status, disability_grade,"
    " ability_level, status, created_at, updated_at)"
    " VALUES (?, ?, ?, '测试', ?, ?, ?, 'x', 'x', '地址', ?, ?, ?, ?, ?, 0, 0)";
static const char sql_category[] =
    "INSERT INTO elder_categories(elder_id, category, source) VALUES (?, ?, 'record')";
/* A stand-in for the catalogue's benefit records: rows (elder, item bit, from, until). */
static const char sql_benefits[] =
    "CREATE TABLE test_benefits (elder_id BIGINT NOT NULL, bit INTEGER NOT NULL,"
    " from_date TEXT NOT NULL, until_date TEXT)";
static const char sql_benefit[] =
    "INSERT INTO test_benefits(elder_id, bit, from_date, until_date) VALUES (?, ?, ?, ?)";
static const char sql_receiving[] =
    "SELECT b.elder_id, b.bit FROM test_benefits b JOIN elders e ON e.id = b.elder_id"
    " WHERE b.from_date <= ?1 AND (b.until_date IS NULL OR b.until_date >= ?1)"
    " AND e.region_code LIKE ?2";

static void
elder(struct al_db *db, int64_t id, const char *region, const char *hukou, const char *sex,
    const char *birth, const char *living, const char *economic, int disability, int ability,
    const char *status)
{
    struct al_stmt *st = al_db_sql(db, sql_elder);
    char hash[32];
    snprintf(hash, sizeof(hash), "h%lld", (long long)id);
    al_stmt_bind_int(st, 1, id);
    al_stmt_bind_text(st, 2, region);
    al_stmt_bind_text(st, 3, hukou);
    al_stmt_bind_text(st, 4, sex);
    al_stmt_bind_text(st, 5, birth);
    al_stmt_bind_text(st, 6, hash);
    al_stmt_bind_text(st, 7, living);
    al_stmt_bind_text(st, 8, economic);
    if (disability)
        al_stmt_bind_int(st, 9, disability);
    if (ability >= 0)
        al_stmt_bind_int(st, 10, ability);
    al_stmt_bind_text(st, 11, status);
    assert_int_equal(al_stmt_run(st), AL_OK);
}

static void
fill(struct al_db *db)
{
    elder(db, 7, "520327001001", "520327001001", "F", "1940-05-01", "alone", "tekun", 0, 3,
        "active");
    elder(db, 3, "520327002001", NULL, "M", "1946-12-02", NULL, "general", 2, -1, "active");
    elder(db, 9, "520328001001", "520327001001", "F", "1950-01-01", "with_children", "dibao", 0,
        0, "active");
    elder(db, 5, "520327001001", NULL, "M", "1930-01-01", "alone", "dibao", 0, 4, "deceased");
    elder(db, 11, "530100001001", NULL, "M", "1930-01-01", "alone", "dibao", 0, 4, "active");
    struct al_stmt *st = al_db_sql(db, sql_category);
    const struct {
        int64_t id;
        const char *cat;
    } cats[] = {{7, "living_alone"}, {7, "advanced_age"}, {3, "advanced_age"},
        {9, "entitled"}, {5, "living_alone"}, {9, "unknown_category"}};
    for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
        st = al_db_sql(db, sql_category);
        al_stmt_bind_int(st, 1, cats[i].id);
        al_stmt_bind_text(st, 2, cats[i].cat);
        assert_int_equal(al_stmt_run(st), AL_OK);
    }
    assert_int_equal(al_db_exec(db, sql_benefits), AL_OK);
    const struct {
        int64_t id;
        int bit;
        const char *from, *until;
    } b[] = {{7, 3, "2020-01-01", NULL}, {3, 70, "2020-01-01", "2025-12-31"},
        {9, 70, "2026-01-01", NULL}, {9, 200, "2026-01-01", NULL}, {11, 3, "2020-01-01", NULL}};
    for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
        st = al_db_sql(db, sql_benefit);
        al_stmt_bind_int(st, 1, b[i].id);
        al_stmt_bind_int(st, 2, b[i].bit);
        al_stmt_bind_text(st, 3, b[i].from);
        al_stmt_bind_text(st, 4, b[i].until);
        assert_int_equal(al_stmt_run(st), AL_OK);
    }
}

static int
item(void *ctx, const char *name, int *bit, const char **label)
{
    (void)ctx;
    *label = name;
    *bit = !strcmp(name, "高龄津贴") ? 3 : !strcmp(name, "护理补贴") ? 70 : -1;
    return *bit < 0 ? AL_ENOTFOUND : AL_OK;
}

static void
loads_the_same_facts(void **state)
{
    struct al_db *db = *state;
    fill(db);
    struct rule_facts f;
    facts_init(&f, 128);
    assert_int_equal(facts_load(db, "5203", "2026-12-02", sql_receiving, &f), AL_OK);
    /* RULE-EXPR-017: active elders under 5203, in id order; the deceased and the other
     * province left out. */
    assert_int_equal(f.n, 3);
    assert_true(f.id[0] == 3 && f.id[1] == 7 && f.id[2] == 9);
    assert_int_equal(f.birth[0], 19461202);
    assert_true(f.region[2] == INT64_C(520328001001));
    assert_true(f.hukou[0] == 0 && f.hukou[1] == INT64_C(520327001001));
    assert_int_equal(f.sex[0], FACTS_MALE);
    assert_int_equal(f.sex[1], FACTS_FEMALE);
    assert_int_equal(f.economic[0], FACTS_GENERAL);
    assert_int_equal(f.economic[2], FACTS_DIBAO);
    assert_int_equal(f.disability[0], 2);
    assert_int_equal(f.disability[1], 0);
    assert_int_equal(f.ability[0], FACTS_UNKNOWN); /* not assessed (RULE-EXPR-018) */
    assert_int_equal(f.ability[2], 0);
    assert_int_equal(f.living[0], FACTS_UNKNOWN);
    assert_int_equal(f.living[1], FACTS_ALONE);
    assert_int_equal(f.categories[0], 1 << 0);
    assert_int_equal(f.categories[1], 1 << 0 | 1 << 1);
    assert_int_equal(f.categories[2], 1 << 8); /* an unknown category is ignored */
    /* RULE-EXPR-019: receiving at the date; ended records and out-of-range bits are not set. */
    assert_false(facts_receives(&f, 0, 70));
    assert_true(facts_receives(&f, 1, 3));
    assert_true(facts_receives(&f, 2, 70));
    assert_int_equal(facts_find(&f, 9), 2);
    assert_int_equal(facts_find(&f, 5), -1);

    struct al_arena a;
    al_arena_init(&a, 4096);
    struct rule_env env = {.date = "2026-12-02", .region = "520327", .item = item,
        .item_bits = 128};
    struct rule *r;
    struct rule_error err;
    const char *text = "年龄 >= 80 且 (已享受 高龄津贴 或 非 本地户籍) 或 已享受 护理补贴";
    assert_int_equal(rule_compile(&a, text, strlen(text), &env, &r, &err), AL_OK);
    uint64_t bits = 0;
    rule_eval(r, &f, 0, f.n, &bits);
    assert_int_equal(bits, 0x7); /* 3: 80, not local; 7: 86, receives; 9: receives 护理补贴 */
    al_arena_fini(&a);
    facts_fini(&f);

    /* One elder, for an explanation: any status, with categories and receiving. */
    facts_init(&f, 128);
    assert_int_equal(facts_load_elder(db, 9, "2026-12-02", sql_receiving, &f), AL_OK);
    assert_int_equal(f.n, 1);
    assert_true(f.id[0] == 9 && f.categories[0] == 1 << 8 && f.economic[0] == FACTS_DIBAO);
    assert_true(facts_receives(&f, 0, 70));
    facts_fini(&f);
    facts_init(&f, 128);
    assert_int_equal(facts_load_elder(db, 5, "2026-12-02", sql_receiving, &f), AL_OK);
    assert_true(f.n == 1 && f.categories[0] == 1 << 1 && f.ability[0] == 4);
    facts_fini(&f);
    facts_init(&f, 128);
    assert_int_equal(facts_load_elder(db, 999, "2026-12-02", sql_receiving, &f), AL_ENOTFOUND);
    assert_int_equal(f.n, 0);
    facts_fini(&f);

    /* Everything, and a prefix that is not digits is refused before any SQL. */
    facts_init(&f, 64);
    assert_int_equal(facts_load(db, "", "2026-12-02", NULL, &f), AL_OK);
    assert_int_equal(f.n, 4);
    facts_fini(&f);
    facts_init(&f, 64);
    assert_int_equal(facts_load(db, "52%", "2026-12-02", NULL, &f), AL_EINVAL);
    assert_int_equal(f.n, 0);
    facts_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(loads_the_same_facts, dual_sqlite_setup, dual_teardown),
        cmocka_unit_test_setup_teardown(loads_the_same_facts, dual_pg_setup, dual_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
