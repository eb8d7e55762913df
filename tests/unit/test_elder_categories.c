/* src/elder/elder_logic.c: each category rule alone, with the evidence it carries (RULE-CAT-*). */
#include <string.h>

#include "elder/elder_int.h"
#include "unit.h"

static const struct elder_settings settings = {
    .min_age = 60, .advanced_age = 80, .disabled_min_level = 1,
    .economic_tiers = "tekun,dibao,dibao_edge,low_income",
    .special_difficulty = "advanced_age,living_alone,empty_nest,left_behind,disabled,"
                          "severe_disability,fp_special,economic_difficulty,entitled",
};

/* A 70-year-old with no category at all. */
static struct elder_facts
plain(void)
{
    return (struct elder_facts){.birth_date = "1956-01-01", .economic_status = "general",
        .ability_level = -1};
}

/* The categories of `f` on 2026-11-22 as "a,b,c"; the evidence of the first in *ev. */
static const char *
cats(const struct elder_facts *f, struct elder_evidence *ev)
{
    static char buf[256];
    struct elder_category c[ELDER_CAT_MAX];
    int n = elder_derive(f, &settings, "2026-11-22", c);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(buf, ",");
        strcat(buf, c[i].id);
    }
    if (ev && n)
        *ev = c[0].ev;
    return buf;
}

static void
nothing_without_a_fact(void **state)
{
    (void)state;
    struct elder_facts f = plain();
    assert_string_equal(cats(&f, NULL), "");
}

static void
living_arrangement(void **state)
{
    (void)state;
    /* RULE-CAT-002: alone → 独居, spouse only → 空巢, anything else neither. */
    struct elder_facts f = plain();
    f.living_arrangement = "alone";
    f.ev_living = (struct elder_evidence){.source = "record", .source_ref = "user:fg_civil",
        .date = "2026-01-02"};
    struct elder_evidence ev = {0};
    assert_string_equal(cats(&f, &ev), "living_alone");
    assert_string_equal(ev.source, "record");
    assert_string_equal(ev.source_ref, "user:fg_civil");
    f.living_arrangement = "spouse_only";
    assert_string_equal(cats(&f, NULL), "empty_nest");
    f.living_arrangement = "with_children";
    assert_string_equal(cats(&f, NULL), "");
    f.living_arrangement = NULL;
    assert_string_equal(cats(&f, NULL), "");
}

static void
left_behind_and_fp_special_are_flags(void **state)
{
    (void)state;
    struct elder_facts f = plain();
    /* RULE-CAT-003: 留守 from the left-behind flag alone. */
    f.left_behind = true;
    f.ev_left_behind = (struct elder_evidence){.source = "import:hukou", .source_ref = "import:4"};
    struct elder_evidence ev = {0};
    assert_string_equal(cats(&f, &ev), "left_behind");
    assert_string_equal(ev.source_ref, "import:4");
    f.left_behind = false;
    /* RULE-CAT-006: 计生特殊家庭 from its flag alone. */
    f.fp_special = true;
    assert_string_equal(cats(&f, NULL), "fp_special");
    f.left_behind = true;
    assert_string_equal(cats(&f, NULL), "left_behind,fp_special");
}

static void
severe_disability_is_grade_one_or_two(void **state)
{
    (void)state;
    /* RULE-CAT-005: certificate grade 1 or 2; 3, 4 and none are not 重残. */
    struct elder_facts f = plain();
    const int want[] = {0, 1, 1, 0, 0};
    for (int grade = 0; grade <= 4; grade++) {
        f.disability_grade = grade;
        assert_string_equal(cats(&f, NULL), want[grade] ? "severe_disability" : "");
    }
}

static void
economic_difficulty_follows_the_tiers_setting(void **state)
{
    (void)state;
    /* RULE-CAT-007: 特困/低保/低保边缘/低收入 by default; the setting decides. */
    struct elder_facts f = plain();
    const char *in[] = {"tekun", "dibao", "dibao_edge", "low_income"};
    for (size_t i = 0; i < 4; i++) {
        f.economic_status = in[i];
        assert_string_equal(cats(&f, NULL), "economic_difficulty");
    }
    f.economic_status = "general";
    assert_string_equal(cats(&f, NULL), "");
    struct elder_settings narrow = settings;
    strcpy(narrow.economic_tiers, "tekun");
    struct elder_category c[ELDER_CAT_MAX];
    f.economic_status = "low_income";
    assert_int_equal(elder_derive(&f, &narrow, "2026-11-22", c), 0);
    f.economic_status = "tekun";
    assert_int_equal(elder_derive(&f, &narrow, "2026-11-22", c), 1);
}

static void
entitled_is_any_group(void **state)
{
    (void)state;
    /* RULE-CAT-008: one entitled group or more. */
    struct elder_facts f = plain();
    f.entitled_count = 0;
    assert_string_equal(cats(&f, NULL), "");
    f.entitled_count = 1;
    assert_string_equal(cats(&f, NULL), "entitled");
    f.entitled_count = 3;
    assert_string_equal(cats(&f, NULL), "entitled");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_without_a_fact),
        cmocka_unit_test(living_arrangement),
        cmocka_unit_test(left_behind_and_fp_special_are_flags),
        cmocka_unit_test(severe_disability_is_grade_one_or_two),
        cmocka_unit_test(economic_difficulty_follows_the_tiers_setting),
        cmocka_unit_test(entitled_is_any_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
