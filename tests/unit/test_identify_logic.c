/* src/identify/identify_logic.c: which worklists one elder lands on (RULE-IDENT-001..005). */
#include <string.h>

#include "identify/identify_int.h"
#include "unit.h"

static struct elder_scan_row
row(const char *status, const char *cats, bool special)
{
    return (struct elder_scan_row){.id = 7, .name = "王秀英", .sex = "F",
        .birth_date = "1940-02-03", .region_code = "520327001001", .status = status,
        .status_date = NULL, .economic_status = "general", .last_hukou_import = 3, .cats = cats,
        .special = special};
}

#define ON(lists, l) (((lists) >> (l)) & 1u)

static void
new_special_only_after_the_baseline(void **state)
{
    (void)state;
    struct elder_scan_row r = row("active", "advanced_age", true);
    struct identify_prev unseen = {0}, was_not = {true, false, ""}, was = {true, true, "advanced_age"};
    /* RULE-IDENT-001: the first run lists nothing new. */
    assert_false(ON(identify_classify(&r, &unseen, true, 3), IDENTIFY_LIST_NEW_SPECIAL));
    assert_true(ON(identify_classify(&r, &unseen, false, 3), IDENTIFY_LIST_NEW_SPECIAL));
    assert_true(ON(identify_classify(&r, &was_not, false, 3), IDENTIFY_LIST_NEW_SPECIAL));
    assert_false(ON(identify_classify(&r, &was, false, 3), IDENTIFY_LIST_NEW_SPECIAL));
    /* Not active: never "new" (the inactive list is where they go). */
    struct elder_scan_row dead = row("deceased", "advanced_age", true);
    assert_false(ON(identify_classify(&dead, &was_not, false, 3), IDENTIFY_LIST_NEW_SPECIAL));
}

static void
changed_compares_the_sorted_ids(void **state)
{
    (void)state;
    struct elder_scan_row r = row("active", "advanced_age,living_alone", true);
    struct identify_prev same = {true, true, "advanced_age,living_alone"};
    struct identify_prev other = {true, true, "advanced_age"};
    struct identify_prev unseen = {0};
    assert_false(ON(identify_classify(&r, &same, false, 3), IDENTIFY_LIST_CHANGED));
    assert_true(ON(identify_classify(&r, &other, false, 3), IDENTIFY_LIST_CHANGED));
    assert_true(ON(identify_classify(&r, &unseen, false, 3), IDENTIFY_LIST_CHANGED));
    assert_false(ON(identify_classify(&r, &other, true, 3), IDENTIFY_LIST_CHANGED)); /* baseline */
    struct elder_scan_row none = row("active", "", false);
    assert_false(ON(identify_classify(&none, &unseen, false, 3), IDENTIFY_LIST_CHANGED));
    /* The snapshot is written only when it differs (an unseen elder without categories: no). */
    assert_false(identify_state_differs(&none, &unseen));
    assert_true(identify_state_differs(&r, &unseen));
    assert_true(identify_state_differs(&r, &other));
    assert_false(identify_state_differs(&r, &same));
    struct identify_prev flag = {true, false, "advanced_age,living_alone"};
    assert_true(identify_state_differs(&r, &flag));
}

static void
inactive_yet_entitled(void **state)
{
    (void)state;
    struct identify_prev p = {0};
    struct elder_scan_row r = row("deceased", "", false);
    /* RULE-IDENT-002: dead or moved out, with a roll or a special category. */
    assert_false(ON(identify_classify(&r, &p, false, 3), IDENTIFY_LIST_INACTIVE));
    r.economic_status = "dibao";
    assert_true(ON(identify_classify(&r, &p, false, 3), IDENTIFY_LIST_INACTIVE));
    r.economic_status = "general";
    r.special = true;
    r.status = "moved_out";
    assert_true(ON(identify_classify(&r, &p, false, 3), IDENTIFY_LIST_INACTIVE));
    r.status = "active";
    assert_false(ON(identify_classify(&r, &p, false, 3), IDENTIFY_LIST_INACTIVE));
}

static void
missing_from_the_latest_household_import(void **state)
{
    (void)state;
    struct identify_prev p = {0};
    struct elder_scan_row r = row("active", "", false);
    /* RULE-IDENT-003 */
    assert_false(ON(identify_classify(&r, &p, false, 3), IDENTIFY_LIST_MISSING_HUKOU));
    assert_true(ON(identify_classify(&r, &p, false, 4), IDENTIFY_LIST_MISSING_HUKOU));
    /* no import yet */
    assert_false(ON(identify_classify(&r, &p, false, 0), IDENTIFY_LIST_MISSING_HUKOU));
    r.last_hukou_import = 0;
    assert_true(ON(identify_classify(&r, &p, true, 3), IDENTIFY_LIST_MISSING_HUKOU));
    r.status = "deceased";
    assert_false(ON(identify_classify(&r, &p, false, 3), IDENTIFY_LIST_MISSING_HUKOU));
    /* Seen in a later import (a township's, after the county's): not missing. */
    r.status = "active";
    r.last_hukou_import = 5;
    assert_false(ON(identify_classify(&r, &p, false, 4), IDENTIFY_LIST_MISSING_HUKOU));
}

static void
household_reference_by_region(void **state)
{
    (void)state;
    /* RULE-IDENT-003: newest first — 龙泉街道 (9), the county (7), 进化镇 (5), the county (3). */
    struct identify_hukou v[] = {{9, "520327001"}, {7, "520327"}, {5, "520327101"}, {3, ""}};
    size_t n = identify_hukou_references(v, 4);
    assert_int_equal(n, 3); /* 进化镇's import is shadowed by the newer county-wide one */
    assert_int_equal(v[0].id, 9);
    assert_int_equal(v[1].id, 7);
    assert_int_equal(v[2].id, 3);
    assert_int_equal(identify_hukou_for(v, n, "520327001001"), 9); /* 龙泉街道: its own file */
    assert_int_equal(identify_hukou_for(v, n, "520327101201"), 7); /* 进化镇: the county's */
    assert_int_equal(identify_hukou_for(v, n, "520102001001"), 3); /* elsewhere: the whole one */
    struct identify_hukou w[] = {{4, "520327001"}};
    assert_int_equal(identify_hukou_for(w, identify_hukou_references(w, 1), "520327101201"), 0);
    assert_int_equal(identify_hukou_for(w, 0, "520327001001"), 0); /* no import at all */
}

static void
same_person(void **state)
{
    (void)state;
    uint64_t a, b;
    struct elder_scan_row x = row("active", "", false), y = x;
    /* RULE-IDENT-004: same name, birth date, sex and county; the village does not matter. */
    y.id = 8;
    y.region_code = "520327101201";
    assert_true(identify_person_hash(&x, &a));
    assert_true(identify_person_hash(&y, &b));
    assert_true(a == b);
    assert_true(identify_same_person(&x, &y));
    y.region_code = "520328001001"; /* another county */
    identify_person_hash(&y, &b);
    assert_true(a != b);
    assert_false(identify_same_person(&x, &y));
    y = x;
    y.sex = "M";
    identify_person_hash(&y, &b);
    assert_true(a != b);
    assert_false(identify_same_person(&x, &y));
    y = x;
    y.birth_date = "1940-02-04";
    assert_false(identify_same_person(&x, &y));
    /* Field boundaries count: 王秀 + 英… is not 王 + 秀英… */
    y = x;
    y.name = "王秀英1940-02-03";
    assert_false(identify_same_person(&x, &y));
    y = x;
    y.status = "deceased"; /* only active records are compared */
    assert_false(identify_person_hash(&y, &b));
    assert_false(identify_same_person(&x, &y));
}

static void
details_read_in_chinese(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 0);
    const int fresh = IDENTIFY_LIST_NEW_SPECIAL, changed = IDENTIFY_LIST_CHANGED;
    assert_string_equal(identify_detail_text(&a, fresh, "advanced_age,empty_nest"), "高龄、空巢");
    assert_string_equal(
        identify_detail_text(&a, changed, "[\"advanced_age\",\"advanced_age,living_alone\"]"),
        "高龄 → 高龄、独居");
    assert_string_equal(identify_detail_text(&a, changed, "[\"\",\"disabled\"]"), "无 → 失能");
    assert_string_equal(identify_detail_text(&a, changed, "[\"disabled\",\"\"]"), "失能 → 无");
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_INACTIVE, "deceased 2025-12-19"),
        "死亡（2025-12-19）");
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_INACTIVE, "moved_out "), "迁出");
    /* RULE-UI-001: what the person still receives, read from the stored detail */
    struct elder_scan_row dead = {.status = "deceased", .status_date = "2026-10-01",
        .economic_status = "tekun", .cats = "economic_difficulty,living_alone", .special = true};
    const char *d = identify_inactive_detail(&a, &dead);
    assert_string_equal(d, "deceased 2026-10-01|tekun|economic_difficulty,living_alone");
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_INACTIVE, d),
        "死亡（2026-10-01）；仍在享受：特困人员供养、特殊困难老年人服务（经济困难、独居）");
    struct elder_scan_row gone = {.status = "moved_out", .economic_status = "general",
        .cats = "advanced_age", .special = true};
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_INACTIVE,
                            identify_inactive_detail(&a, &gone)),
        "迁出；仍在享受：特殊困难老年人服务（高龄）");
    struct elder_scan_row roll = {.status = "moved_out", .status_date = "2026-01-02",
        .economic_status = "dibao", .cats = "", .special = false};
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_INACTIVE,
                            identify_inactive_detail(&a, &roll)),
        "迁出（2026-01-02）；仍在享受：最低生活保障（低保）");
    assert_string_equal(identify_status_name("deceased"), "死亡");
    assert_string_equal(identify_status_name("moved_out"), "迁出");
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_MISSING_HUKOU, "import:6"),
        "第 6 次户籍导入中没有此人");
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_DUPLICATES, "12,34"),
        "与档案 #12、#34 疑似同一人");
    assert_string_equal(identify_detail_text(&a, IDENTIFY_LIST_NEW_SPECIAL, NULL), "");
    al_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_special_only_after_the_baseline),
        cmocka_unit_test(changed_compares_the_sorted_ids),
        cmocka_unit_test(inactive_yet_entitled),
        cmocka_unit_test(missing_from_the_latest_household_import),
        cmocka_unit_test(household_reference_by_region),
        cmocka_unit_test(same_person),
        cmocka_unit_test(details_read_in_chinese),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
