/*
 * src/import/import_logic.c: an import row checked from its kind's field table
 * (RULE-FIELD-023): every refusal of the row, in column order, with the rules
 * across cells in their column's place.
 */
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "import/import_int.h"
#include "unit.h"

#define TODAY "2026-11-22"

struct row {
    int map[IMPORT_COL_COUNT];
    struct al_str f[IMPORT_COL_COUNT];
    int n;
};

static void
row_init(struct row *r)
{
    for (int i = 0; i < IMPORT_COL_COUNT; i++)
        r->map[i] = -1;
    r->n = 0;
}

static void
cell(struct row *r, int col, const char *text)
{
    r->map[col] = r->n;
    r->f[r->n++] = (struct al_str){text, strlen(text)};
}

static int
check(int kind, struct row *r, struct al_arena *a, struct import_row *out,
    struct import_error errs[8], int max)
{
    return import_validate_row(kind, r->f, r->n, r->map, TODAY, a, out, errs, max);
}

/* RULE-FIELD-023: a household row with something wrong in every cell gets every message. */
static void
every_refusal_of_a_row(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    struct row r;
    row_init(&r);
    cell(&r, IMPORT_COL_ID, "520327195001010018");
    cell(&r, IMPORT_COL_NAME, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三\n");
    cell(&r, IMPORT_COL_REGION, "520327001");
    cell(&r, IMPORT_COL_ADDRESS, " ");
    cell(&r, IMPORT_COL_HOUSEHOLD_SIZE, "100");
    cell(&r, IMPORT_COL_SEX, "女");
    cell(&r, IMPORT_COL_BIRTH, "1950年1月2日");
    struct import_row out;
    struct import_error errs[8];
    static const struct {
        int col;
        const char *reason;
    } want[] = {
        {IMPORT_COL_NAME, "姓名不能超过 32 个字符"}, /* length before control characters */
        {IMPORT_COL_REGION, "区划代码应为 12 位村（社区）代码"},
        {IMPORT_COL_ADDRESS, "住址不能为空"},
        {IMPORT_COL_HOUSEHOLD_SIZE, "户内人数应为 1 到 99 的整数"},
        {IMPORT_COL_SEX, "性别与身份证号不符"},
        {IMPORT_COL_BIRTH, "出生日期与身份证号不符（身份证号为 1950-01-01）"},
    };
    assert_int_equal(check(IMPORT_HUKOU, &r, &a, &out, errs, 8), 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(errs[i].col, want[i].col);
        assert_string_equal(errs[i].reason, want[i].reason);
    }
    /* Counted beyond the room given, the first ones kept. */
    assert_int_equal(check(IMPORT_HUKOU, &r, &a, &out, errs, 2), 6);
    assert_string_equal(errs[1].reason, "区划代码应为 12 位村（社区）代码");
    /* RULE-IMPORT-005: without a valid ID number, sex and birth date are not looked at. */
    r.f[r.map[IMPORT_COL_ID]] = (struct al_str){"520327195001010019", 18};
    assert_int_equal(check(IMPORT_HUKOU, &r, &a, &out, errs, 8), 5);
    assert_int_equal(errs[0].col, IMPORT_COL_ID);
    assert_int_equal(errs[4].col, IMPORT_COL_HOUSEHOLD_SIZE);
    al_arena_fini(&a);
}

/* RULE-FIELD-021/023: synonyms become values; a valid row lands in `out`. */
static void
synonyms_and_values(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    struct row r;
    struct import_row out;
    struct import_error errs[8];
    row_init(&r);
    cell(&r, IMPORT_COL_ID, " 520327195001010018 ");
    cell(&r, IMPORT_COL_NAME, " 张三 ");
    cell(&r, IMPORT_COL_CATEGORY, "特困供养");
    cell(&r, IMPORT_COL_START, "2024年1月1日");
    cell(&r, IMPORT_COL_END, "");
    assert_int_equal(check(IMPORT_ROLL, &r, &a, &out, errs, 8), 0);
    assert_string_equal(out.name, "张三");
    assert_string_equal(out.category, "tekun");
    assert_string_equal(out.start_date, "2024-01-01");
    assert_string_equal(out.end_date, "");
    row_init(&r);
    cell(&r, IMPORT_COL_ID, "520327195001010018");
    cell(&r, IMPORT_COL_NAME, "张三");
    cell(&r, IMPORT_COL_DIS_TYPE, "肢体残疾");
    cell(&r, IMPORT_COL_DIS_GRADE, "一级");
    assert_int_equal(check(IMPORT_DISABILITY, &r, &a, &out, errs, 8), 0);
    assert_string_equal(out.dis_type, "肢体残疾");
    assert_int_equal(out.dis_grade, 1);
    r.f[r.map[IMPORT_COL_DIS_GRADE]] = (struct al_str){"4", 1};
    assert_int_equal(check(IMPORT_DISABILITY, &r, &a, &out, errs, 8), 0);
    assert_int_equal(out.dis_grade, 4);
    row_init(&r);
    cell(&r, IMPORT_COL_ID, "520327195001010018");
    cell(&r, IMPORT_COL_NAME, "张三");
    cell(&r, IMPORT_COL_PENSION_TYPE, "城乡居民基本养老保险");
    cell(&r, IMPORT_COL_AMOUNT, "158.5");
    assert_int_equal(check(IMPORT_PENSION, &r, &a, &out, errs, 8), 0);
    assert_int_equal(out.amount_fen, 15850);
    row_init(&r);
    cell(&r, IMPORT_COL_ID, "520327195001010018");
    cell(&r, IMPORT_COL_NAME, "张三");
    cell(&r, IMPORT_COL_ASSESSED_ON, "2023-05-01");
    cell(&r, IMPORT_COL_LEGACY_LEVEL, "中度失能");
    assert_int_equal(check(IMPORT_LEGACY, &r, &a, &out, errs, 8), 0);
    assert_int_equal(out.legacy_level, 2);
    assert_int_equal(out.adl_score, -1); /* not given */
    al_arena_fini(&a);
}

/*
 * RULE-FIELD-023: the rules across cells.  An end date is compared with a start
 * date that was read, never with the text of one that was not (the hand-written
 * reader said 结束日期早于开始日期 after 开始日期无法识别：2023-13-01).
 */
static void
rules_across_cells(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    struct row r;
    struct import_row out;
    struct import_error errs[8];
    row_init(&r);
    cell(&r, IMPORT_COL_ID, "520327195001010018");
    cell(&r, IMPORT_COL_NAME, "张三");
    cell(&r, IMPORT_COL_CATEGORY, "低保");
    cell(&r, IMPORT_COL_START, "2024-03-01");
    cell(&r, IMPORT_COL_END, "2024-02-29");
    assert_int_equal(check(IMPORT_ROLL, &r, &a, &out, errs, 8), 1);
    assert_int_equal(errs[0].col, IMPORT_COL_END);
    assert_string_equal(errs[0].reason, "结束日期早于开始日期");
    r.f[r.map[IMPORT_COL_START]] = (struct al_str){"2023-13-01", 10};
    r.f[r.map[IMPORT_COL_END]] = (struct al_str){"2023-12-31", 10};
    assert_int_equal(check(IMPORT_ROLL, &r, &a, &out, errs, 8), 1);
    assert_int_equal(errs[0].col, IMPORT_COL_START);
    assert_string_equal(errs[0].reason, "开始日期无法识别：2023-13-01");
    row_init(&r);
    cell(&r, IMPORT_COL_ID, "520327195001010018");
    cell(&r, IMPORT_COL_NAME, "张三");
    cell(&r, IMPORT_COL_DEATH, "1949-12-31");
    assert_int_equal(check(IMPORT_DEATH, &r, &a, &out, errs, 8), 1);
    assert_string_equal(errs[0].reason, "死亡日期早于出生日期");
    r.f[r.map[IMPORT_COL_DEATH]] = (struct al_str){"2026-11-23", 10};
    assert_int_equal(check(IMPORT_DEATH, &r, &a, &out, errs, 8), 1);
    assert_string_equal(errs[0].reason, "死亡日期不能晚于今天");
    r.f[r.map[IMPORT_COL_DEATH]] = (struct al_str){"", 0};
    assert_int_equal(check(IMPORT_DEATH, &r, &a, &out, errs, 8), 1);
    assert_string_equal(errs[0].reason, "死亡日期无法识别：（空）");
    al_arena_fini(&a);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_refusal_of_a_row),
        cmocka_unit_test(synonyms_and_values),
        cmocka_unit_test(rules_across_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
