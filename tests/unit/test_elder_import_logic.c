/* Categories (RULE-CAT-*), import profiles, dates and reconciliation (RULE-IMPORT-*). */
#include <string.h>

#include "core/json.h"
#include "elder/elder_int.h"
#include "import/import_int.h"
#include "unit.h"

static const struct elder_settings settings = {
    .min_age = 60, .advanced_age = 80, .disabled_min_level = 1,
    .economic_tiers = "tekun,dibao,dibao_edge,low_income",
    .special_difficulty = "living_alone,disabled,economic_difficulty",
};

static int
derive(struct elder_facts *f, const char **ids)
{
    struct elder_category c[ELDER_CAT_MAX];
    int n = elder_derive(f, &settings, "2026-11-22", c);
    for (int i = 0; i < n; i++)
        ids[i] = c[i].id;
    return n;
}

static void
categories(void **state)
{
    (void)state;
    const char *ids[ELDER_CAT_MAX];
    struct elder_facts f = {.birth_date = "1946-11-22", .economic_status = "general", .ability_level = -1};
    assert_int_equal(derive(&f, ids), 1); /* RULE-CAT-001: 80 today */
    assert_string_equal(ids[0], "advanced_age");
    f.birth_date = "1946-11-23";
    assert_int_equal(derive(&f, ids), 0);
    f.living_arrangement = "alone";
    f.economic_status = "dibao_edge";
    f.disability_grade = 2;
    f.ability_level = 0;
    int n = derive(&f, ids);
    assert_int_equal(n, 3);
    assert_string_equal(ids[0], "living_alone");
    assert_string_equal(ids[1], "severe_disability");
    assert_string_equal(ids[2], "economic_difficulty");
    f.ability_level = 1; /* RULE-CAT-004 */
    f.disability_grade = 3;
    f.living_arrangement = "spouse_only";
    f.economic_status = "general";
    n = derive(&f, ids);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "empty_nest");
    assert_string_equal(ids[1], "disabled");
    /* RULE-CAT-009: special = union of the configured categories */
    assert_true(elder_is_special(&settings, ids, n));
    const char *only_nest[] = {"empty_nest"};
    assert_false(elder_is_special(&settings, only_nest, 1));
}

static void
dates(void **state)
{
    (void)state;
    /* RULE-IMPORT-002, RULE-IMPORT-003 */
    static const char *const ok[][2] = {{"1949-12-31", "1949-12-31"}, {"1949/12/31", "1949-12-31"},
        {"1949.1.5", "1949-01-05"}, {"19491231", "1949-12-31"}, {"1949年12月31日", "1949-12-31"},
        {" 1949年1月2日 ", "1949-01-02"}, {"18264", "1950-01-01"}, {"45000", "2023-03-15"}};
    char out[11];
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_true(import_parse_date(ok[i][0], strlen(ok[i][0]), out));
        assert_string_equal(out, ok[i][1]);
    }
    static const char *const bad[] = {"1949-02-30", "1949-13-01", "abc", "", "60", "1949-12",
        "2101-01-01", "1949-12-31x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(import_parse_date(bad[i], strlen(bad[i]), out));
}

static void
headers(void **state)
{
    (void)state;
    /* RULE-IMPORT-001 */
    struct al_str f[] = {{"\xEF\xBB\xBF住址", 9}, {"公民身份号码", 18}, {"姓 名", 7}, {"区划代码*", 13},
        {"备注", 6}};
    int map[IMPORT_COL_COUNT], unknown[8], nu, missing;
    assert_int_equal(import_map_headers(IMPORT_HUKOU, f, 5, map, unknown, &nu, &missing), 0);
    assert_int_equal(map[IMPORT_COL_ID], 1);
    assert_int_equal(map[IMPORT_COL_NAME], 2);
    assert_int_equal(map[IMPORT_COL_ADDRESS], 0);
    assert_int_equal(map[IMPORT_COL_REGION], 3);
    assert_int_equal(nu, 1);
    assert_int_equal(unknown[0], 4);
    assert_int_equal(import_map_headers(IMPORT_ROLL, f, 5, map, unknown, &nu, &missing), -1);
    assert_int_equal(missing, IMPORT_COL_CATEGORY);
    assert_int_equal(import_kind_parse("death"), IMPORT_DEATH);
    assert_int_equal(import_kind_parse("tax"), -1);
}

/* Records of CSV text for import_find_header (from `a`). */
static int
records(struct al_arena *a, const char *csv, struct al_str **rows, int *nf)
{
    struct al_csv c;
    al_csv_init(&c, csv, strlen(csv));
    int n = 0;
    while (n < IMPORT_HEADER_ROWS) {
        rows[n] = al_arena_alloc(a, IMPORT_MAX_FIELDS * sizeof(struct al_str));
        if (al_csv_read(&c, a, rows[n], IMPORT_MAX_FIELDS, &nf[n]) != 1)
            break;
        n++;
    }
    return n;
}

static void
header_below_titles(void **state)
{
    (void)state;
    /* RULE-IMPORT-019: a merged title, a unit line, then the header (row 3). */
    struct al_arena a;
    al_arena_init(&a, 0);
    struct al_str *rows[IMPORT_HEADER_ROWS], hdr[IMPORT_MAX_FIELDS];
    int nf[IMPORT_HEADER_ROWS], row, span, map[IMPORT_COL_COUNT], nh, missing;
    int n = records(&a,
        "凤冈县进化镇户籍老年人口花名册（2026年11月）,,,,\r\n填报单位：进化镇派出所,,,填报日期,\r\n"
        "序号,身份证号,姓名,区划代码,住址\r\n1,520327194003151012,王秀英,520327001001,临江村\r\n",
        rows, nf);
    assert_true(import_find_header(IMPORT_HUKOU, rows, nf, n, &row, &span, map, hdr, &nh,
                    &missing) > 0);
    assert_int_equal(row, 2);
    assert_int_equal(span, 1);
    assert_int_equal(map[IMPORT_COL_ID], 1);
    assert_int_equal(map[IMPORT_COL_ADDRESS], 4);

    /* Two rows under merged group titles: 户籍信息 over 区划代码 and 住址; the rest merged down. */
    n = records(&a,
        "花名册,,,,,\r\n序号,身份证号,姓名,户籍信息,,出生日期\r\n,,,区划代码,住址,\r\n"
        "1,520327194003151012,王秀英,520327001001,临江村,1940-03-15\r\n",
        rows, nf);
    assert_true(import_find_header(IMPORT_HUKOU, rows, nf, n, &row, &span, map, hdr, &nh,
                    &missing) > 0);
    assert_int_equal(row, 1);
    assert_int_equal(span, 2);
    assert_int_equal(map[IMPORT_COL_REGION], 3);
    assert_int_equal(map[IMPORT_COL_ADDRESS], 4);
    assert_int_equal(map[IMPORT_COL_BIRTH], 5);
    assert_int_equal(nh, 6);
    assert_memory_equal(hdr[3].p, "区划代码", hdr[3].len);

    /* A plain header on row 1 stays row 1; none in the first rows names what is missing. */
    n = records(&a, "身份证号,姓名,区划代码,住址\r\n", rows, nf);
    assert_true(import_find_header(IMPORT_HUKOU, rows, nf, n, &row, &span, map, hdr, &nh,
                    &missing) > 0);
    assert_int_equal(row, 0);
    assert_int_equal(span, 1);
    n = records(&a, "说明\r\n身份证号,姓名,住址\r\n", rows, nf);
    assert_int_equal(import_find_header(IMPORT_HUKOU, rows, nf, n, &row, &span, map, hdr, &nh,
                         &missing), -1);
    assert_int_equal(missing, IMPORT_COL_REGION);
    al_arena_fini(&a);
}

static void
numbers_that_lost_digits(void **state)
{
    (void)state;
    /* RULE-IMPORT-020: an ID kept as a floating-point number; not an ID that is merely wrong. */
    const char *lost[] = {"5.20327194407153e+17", "5.20327E+17", "5.20327194407153E17"};
    for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++)
        assert_true(import_number_lost(lost[i], strlen(lost[i])));
    const char *not_lost[] = {"520327194003151012", "52032719400315101", "5.2e", "e+17", "", "1.5"};
    for (size_t i = 0; i < sizeof(not_lost) / sizeof(not_lost[0]); i++)
        assert_false(import_number_lost(not_lost[i], strlen(not_lost[i])));
    struct al_arena a;
    al_arena_init(&a, 0);
    int map[IMPORT_COL_COUNT];
    for (int i = 0; i < IMPORT_COL_COUNT; i++)
        map[i] = -1;
    map[IMPORT_COL_ID] = 0;
    map[IMPORT_COL_NAME] = 1;
    map[IMPORT_COL_DEATH] = 2;
    struct al_str f[] = {{"5.20327194407153e+17", 20}, {"王秀英", 9}, {"2025-01-02", 10}};
    struct import_row row;
    struct import_error errs[8];
    assert_int_equal(import_validate_row(IMPORT_DEATH, f, 3, map, "2026-11-22", &a, &row, errs, 8), 1);
    assert_int_equal(errs[0].col, IMPORT_COL_ID);
    assert_string_equal(errs[0].reason, "身份证号被存成了数字，后几位已丢失，请把该列设置为文本后重新导出");
    /* A CSV saved by Excel shows a 12-digit region code in exponent form: lost as well. */
    for (int i = 0; i < IMPORT_COL_COUNT; i++)
        map[i] = -1;
    map[IMPORT_COL_ID] = 0;
    map[IMPORT_COL_NAME] = 1;
    map[IMPORT_COL_REGION] = 2;
    map[IMPORT_COL_ADDRESS] = 3;
    struct al_str h[] = {{"520327194003151012", 18}, {"王秀英", 9}, {"5.20327E+11", 11}, {"临江村", 9}};
    assert_int_equal(import_validate_row(IMPORT_HUKOU, h, 4, map, "2026-11-22", &a, &row, errs, 8), 1);
    assert_int_equal(errs[0].col, IMPORT_COL_REGION);
    assert_string_equal(errs[0].reason, "区划代码被存成了数字，后几位已丢失，请把该列设置为文本后重新导出");
    /* RULE-IMPORT-003: a serial date with a time of day is that day. */
    char d[11];
    assert_true(import_parse_date("45000.5", 7, d));
    assert_string_equal(d, "2023-03-15");
    assert_false(import_parse_date("45000.", 6, d));
    al_arena_fini(&a);
}

static void
rows_and_plans(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    int map[IMPORT_COL_COUNT];
    for (int i = 0; i < IMPORT_COL_COUNT; i++)
        map[i] = -1;
    map[IMPORT_COL_ID] = 0;
    map[IMPORT_COL_NAME] = 1;
    map[IMPORT_COL_CATEGORY] = 2;
    map[IMPORT_COL_START] = 3;
    map[IMPORT_COL_END] = 4;
    struct al_str f[] = {{"11010519491231002x", 18}, {"张三", 6}, {"低保", 6}, {"2020-01-01", 10}, {"", 0}};
    struct import_row row;
    struct import_error errs[8];
    assert_int_equal(import_validate_row(IMPORT_ROLL, f, 5, map, "2026-11-22", &a, &row, errs, 8), 0);
    assert_string_equal(row.id_number, "11010519491231002X");
    assert_string_equal(row.category, "dibao");
    struct elder_state cur = {.id = 7, .economic_status = "general", .pension_amount_fen = -1};
    json_t *set = json_object();
    unsigned flags;
    assert_int_equal(import_plan(&row, &cur, 60, "2026-11-22", set, &flags), IMPORT_EFFECT_CHANGED);
    assert_string_equal(json_string_value(json_object_get(set, "economic_status")), "dibao");
    json_decref(set);
    /* RULE-IMPORT-011: an ended entry only undoes a status that came from a roll */
    f[4] = (struct al_str){"2021-01-01", 10};
    assert_int_equal(import_validate_row(IMPORT_ROLL, f, 5, map, "2026-11-22", &a, &row, errs, 8), 0);
    cur.economic_status = "dibao";
    cur.economic_source = "record";
    set = json_object();
    assert_int_equal(import_plan(&row, &cur, 60, "2026-11-22", set, &flags),
        IMPORT_EFFECT_UNCHANGED);
    json_decref(set);
    cur.economic_source = "import:roll";
    set = json_object();
    assert_int_equal(import_plan(&row, &cur, 60, "2026-11-22", set, &flags), IMPORT_EFFECT_CHANGED);
    assert_string_equal(json_string_value(json_object_get(set, "economic_status")), "general");
    json_decref(set);
    /* bad rows: every problem of the row is reported */
    struct al_str g[] = {{"37070419881216001X", 18}, {"", 0}, {"富人", 6}, {"昨天", 6}, {"", 0}};
    int ne = import_validate_row(IMPORT_ROLL, g, 5, map, "2026-11-22", &a, &row, errs, 8);
    assert_int_equal(ne, 4);
    assert_int_equal(errs[0].col, IMPORT_COL_ID);
    assert_int_equal(errs[1].col, IMPORT_COL_NAME);
    assert_int_equal(errs[2].col, IMPORT_COL_CATEGORY);
    assert_int_equal(errs[3].col, IMPORT_COL_START);
    /* exact duplicate keys */
    assert_true(import_id_key("11010519491231002X") != import_id_key("110105194912310021"));
    al_arena_fini(&a);
}

static void
reasons_counted_in_fixed_space(void **state)
{
    (void)state;
    /* RULE-UPLOAD-002: per column and reason; the 33rd distinct pair on goes to 其他原因. */
    static struct import_tally t;
    memset(&t, 0, sizeof(t));
    for (int i = 0; i < 1000; i++) {
        import_tally_add(&t, IMPORT_COL_ADDRESS, "住址不能为空");
        if (i % 2)
            import_tally_add(&t, IMPORT_COL_ID, "身份证号应为 18 位（或旧的 15 位）");
    }
    import_tally_add(&t, IMPORT_COL_NAME, "住址不能为空"); /* same text, other column: apart */
    for (int i = 0; i < 40; i++) {
        char why[64];
        snprintf(why, sizeof(why), "区划代码 5203270010%02d 不存在", i);
        import_tally_add(&t, IMPORT_COL_REGION, why);
        import_tally_add(&t, IMPORT_COL_REGION, why);
    }
    assert_int_equal(t.n, IMPORT_TALLY_MAX);
    assert_int_equal(t.other, 2 * (40 - (IMPORT_TALLY_MAX - 3)));
    json_t *j = import_tally_json(&t);
    assert_int_equal(json_array_size(j), IMPORT_TALLY_MAX + 1);
    json_t *first = json_array_get(j, 0), *second = json_array_get(j, 1);
    assert_string_equal(json_string_value(json_object_get(first, "column")), "住址");
    assert_int_equal(json_integer_value(json_object_get(first, "count")), 1000);
    assert_string_equal(json_string_value(json_object_get(second, "column")), "身份证号");
    assert_int_equal(json_integer_value(json_object_get(second, "count")), 500);
    json_t *last = json_array_get(j, IMPORT_TALLY_MAX);
    assert_string_equal(json_string_value(json_object_get(last, "reason")), "其他原因");
    json_decref(j);
}

static void
blank_rows(void **state)
{
    (void)state;
    /* RULE-UPLOAD-001 */
    struct al_str none[3] = {{"", 0}, {"", 0}, {"", 0}};
    struct al_str one[3] = {{"", 0}, {"x", 1}, {"", 0}};
    assert_true(import_row_blank(none, 3));
    assert_true(import_row_blank(none, 1));
    assert_true(import_row_blank(none, 0));
    assert_false(import_row_blank(one, 3));
    assert_true(import_row_blank(one, 1));
}

/* RULE-IMPORT-023: each kind's template is read back by its own profile, and its example row
   validates (the templates come from the profiles, so they cannot drift from them). */
static void
templates(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    for (int kind = 0; kind < IMPORT_KIND_COUNT; kind++) {
        int cols[IMPORT_COL_COUNT], map[IMPORT_COL_COUNT], unknown[IMPORT_COL_COUNT], nu = 0, missing = -1;
        const char *ex[IMPORT_COL_COUNT];
        int n = import_template(kind, cols, ex);
        assert_true(n >= 3);
        assert_int_equal(cols[0], IMPORT_COL_ID);
        assert_true(import_col_required(kind, IMPORT_COL_ID));
        struct al_str hdr[IMPORT_COL_COUNT], row[IMPORT_COL_COUNT];
        for (int i = 0; i < n; i++) {
            hdr[i] = (struct al_str){import_col_label(cols[i]), strlen(import_col_label(cols[i]))};
            row[i] = (struct al_str){ex[i], strlen(ex[i])};
        }
        assert_int_equal(import_map_headers(kind, hdr, n, map, unknown, &nu, &missing), 0);
        assert_int_equal(nu, 0);
        for (int i = 0; i < n; i++)
            assert_int_equal(map[cols[i]], i);
        struct import_row out;
        struct import_error errs[8];
        int ne = import_validate_row(kind, row, n, map, "2026-11-22", &a, &out, errs, 8);
        if (ne)
            print_message("%s: %s\n", import_kind_id(kind), errs[0].reason);
        assert_int_equal(ne, 0);
        assert_string_equal(out.id_number, "520327195001010018");
    }
    int cols[IMPORT_COL_COUNT];
    const char *ex[IMPORT_COL_COUNT];
    assert_int_equal(import_template(IMPORT_KIND_COUNT, cols, ex), 0);
    assert_int_equal(import_template(-1, cols, ex), 0);
    /* hukou: the four required columns first, then the optional ones */
    assert_int_equal(import_template(IMPORT_HUKOU, cols, ex), 8);
    assert_int_equal(cols[2], IMPORT_COL_REGION);
    assert_false(import_col_required(IMPORT_HUKOU, IMPORT_COL_SEX));
    al_arena_fini(&a);
}

int
main(void)
{
    al_json_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(categories),
        cmocka_unit_test(dates),
        cmocka_unit_test(headers),
        cmocka_unit_test(header_below_titles),
        cmocka_unit_test(numbers_that_lost_digits),
        cmocka_unit_test(rows_and_plans),
        cmocka_unit_test(reasons_counted_in_fixed_space),
        cmocka_unit_test(blank_rows),
        cmocka_unit_test(templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
