/*
 * Welfare visits, pure rules: tier derivation from categories and facts with regional settings,
 * periods per frequency, event due dates, the position check, helpers per community.
 */
#include <string.h>

#include "core/geo.h"
#include "visit/visit_int.h"
#include "unit.h"

/* The defaults of sql/050_visit.sql (services.md) plus a county that makes 75+ high risk. */
static const struct visit_rule rules[] = {
    {"", VISIT_HIGH, "living_alone,empty_nest,left_behind", 80, VISIT_WEEK,
        VISIT_HOME | VISIT_PHONE | VISIT_VIDEO | VISIT_REMOTE, 24},
    {"", VISIT_KEY, "disabled,severe_disability,destitute,fp_special", 0, VISIT_MONTH,
        VISIT_HOME | VISIT_PHONE | VISIT_VIDEO, 72},
    {"", VISIT_GENERAL,
        "living_alone,empty_nest,left_behind,disabled,severe_disability,destitute,fp_special", 0,
        VISIT_QUARTER, VISIT_HOME | VISIT_PHONE | VISIT_VIDEO | VISIT_REMOTE, 72},
    {"520327", VISIT_HIGH, "living_alone,left_behind", 75, VISIT_WEEK, VISIT_HOME, 12},
    {"5203", VISIT_HIGH, "living_alone", 90, VISIT_WEEK, VISIT_HOME, 48},
};
#define NRULES ((int)(sizeof(rules) / sizeof(rules[0])))

static enum visit_tier
tier(const char *region, int age, const char *cats, bool destitute, char *why)
{
    const struct visit_rule *r[4];
    visit_rules_pick(rules, NRULES, region, r);
    struct visit_facts f = {.age = age, .cats = cats, .destitute = destitute, .active = true};
    return visit_tier_of(&f, r, why, 160);
}

/* RULE-VISIT-001: tiers from categories and age, the highest that applies. */
static void
tiers_default(void **state)
{
    (void)state;
    char why[160];
    /* 80+ living alone, empty nest or left behind: high. */
    assert_int_equal(tier("440305001001", 80, "advanced_age,living_alone", false, why), VISIT_HIGH);
    assert_string_equal(why, "living_alone");
    assert_int_equal(tier("440305001001", 85, "empty_nest", false, why), VISIT_HIGH);
    assert_int_equal(tier("440305001001", 81, "left_behind,disabled", false, why), VISIT_HIGH);
    /* Under 80 living alone: general (the rest of the target groups). */
    assert_int_equal(tier("440305001001", 79, "living_alone", false, why), VISIT_GENERAL);
    /* Disabled, destitute (特困, an economic status, not a category) or family-planning: key. */
    assert_int_equal(tier("440305001001", 66, "disabled", false, why), VISIT_KEY);
    assert_int_equal(tier("440305001001", 66, "", true, why), VISIT_KEY);
    assert_string_equal(why, "destitute");
    assert_int_equal(tier("440305001001", 70, "fp_special,living_alone", false, why), VISIT_KEY);
    assert_string_equal(why, "fp_special");
    /* 80+ alone and disabled: high wins. */
    assert_int_equal(tier("440305001001", 88, "living_alone,severe_disability", false, why),
        VISIT_HIGH);
    /* Not a target group: advanced age alone, economic difficulty (dibao) alone. */
    assert_int_equal(tier("440305001001", 92, "advanced_age,economic_difficulty", false, why),
        VISIT_NONE);
    assert_string_equal(why, "");
    assert_int_equal(tier("440305001001", 70, NULL, false, why), VISIT_NONE);
    /* A record no longer active is in no tier. */
    const struct visit_rule *r[4];
    visit_rules_pick(rules, NRULES, "440305001001", r);
    struct visit_facts dead = {.age = 85, .cats = "living_alone", .active = false};
    assert_int_equal(visit_tier_of(&dead, r, why, sizeof(why)), VISIT_NONE);
}

/* RULE-VISIT-066: a life-threatening condition gives the high tier that names it, at any age;
 * the other categories of that tier keep its minimum age. */
static void
tiers_life_threatening(void **state)
{
    (void)state;
    static const struct visit_rule lt[] = {
        {"", VISIT_HIGH, "living_alone,empty_nest,left_behind,life_threatening", 80, VISIT_WEEK,
            VISIT_HOME | VISIT_PHONE, 24},
        {"", VISIT_GENERAL, "living_alone", 0, VISIT_QUARTER, VISIT_HOME, 72},
    };
    const struct visit_rule *r[4];
    visit_rules_pick(lt, 2, "520327001001", r);
    char why[160];
    struct visit_facts f = {.age = 62, .cats = "living_alone", .active = true,
        .life_threatening = true};
    assert_int_equal(visit_tier_of(&f, r, why, sizeof(why)), VISIT_HIGH);
    assert_string_equal(why, "life_threatening");
    f.life_threatening = false;
    assert_int_equal(visit_tier_of(&f, r, why, sizeof(why)), VISIT_GENERAL);
    /* A tier that does not name it ignores it (a region's own rule without it). */
    const struct visit_rule *own[4];
    visit_rules_pick(rules, NRULES, "520327001001", own);
    f = (struct visit_facts){.age = 62, .cats = "", .active = true, .life_threatening = true};
    assert_int_equal(visit_tier_of(&f, own, why, sizeof(why)), VISIT_NONE);
    char bad[32];
    assert_null(visit_categories_problem("living_alone,life_threatening", bad, sizeof(bad)));
}

/* RULE-VISIT-002: the longest region prefix wins per tier; other tiers keep the national rule. */
static void
tiers_regional(void **state)
{
    (void)state;
    char why[160];
    const struct visit_rule *r[4];
    visit_rules_pick(rules, NRULES, "520327001001", r);
    assert_string_equal(r[VISIT_HIGH]->region_code, "520327");
    assert_string_equal(r[VISIT_KEY]->region_code, "");
    assert_int_equal(r[VISIT_HIGH]->event_hours, 12);
    /* In 520327 a 76-year-old left behind is high risk; an empty-nest 85-year-old is general. */
    assert_int_equal(tier("520327001001", 76, "left_behind", false, why), VISIT_HIGH);
    assert_int_equal(tier("520327001001", 85, "empty_nest", false, why), VISIT_GENERAL);
    /* Elsewhere in 5203 (the city) only 90+ living alone is high. */
    assert_int_equal(tier("520302001001", 85, "living_alone", false, why), VISIT_GENERAL);
    assert_int_equal(tier("520302001001", 90, "living_alone", false, why), VISIT_HIGH);
    /* A prefix that is not a prefix of the code does not apply (5203270 ≠ 520327…). */
    visit_rules_pick(rules, NRULES, "440305001001", r);
    assert_string_equal(r[VISIT_HIGH]->region_code, "");
}

static void
methods_and_categories(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(visit_methods_parse("home,phone"), VISIT_HOME | VISIT_PHONE);
    assert_int_equal(visit_methods_parse("home,fax"), -1);
    assert_int_equal(visit_methods_parse(""), -1);
    visit_methods_text(VISIT_VIDEO | VISIT_HOME, buf, sizeof(buf));
    assert_string_equal(buf, "home,video");
    assert_null(visit_categories_problem("living_alone,destitute", buf, sizeof(buf)));
    assert_non_null(visit_categories_problem("living_alone,rich", buf, sizeof(buf)));
    assert_string_equal(buf, "rich");
    assert_string_equal(visitor_kind_of_role("township_officer"), "cadre");
    assert_null(visitor_kind_of_role("family"));
}

/* RULE-VISIT-020: the period of each frequency containing a date. */
static void
periods(void **state)
{
    (void)state;
    char key[16], s[11], e[11];
    assert_true(visit_period(VISIT_WEEK, "2026-12-02", key, s, e)); /* a Wednesday */
    assert_string_equal(key, "2026-W49");
    assert_string_equal(s, "2026-11-30");
    assert_string_equal(e, "2026-12-06");
    /* ISO week 1 of 2027 starts on Monday 2027-01-04; 2027-01-01 is in 2026-W53. */
    assert_true(visit_period(VISIT_WEEK, "2027-01-01", key, s, e));
    assert_string_equal(key, "2026-W53");
    assert_true(visit_period(VISIT_WEEK, "2027-01-04", key, s, e));
    assert_string_equal(key, "2027-W01");
    /* 2024-12-30 (Monday) belongs to 2025-W01. */
    assert_true(visit_period(VISIT_WEEK, "2024-12-31", key, s, e));
    assert_string_equal(key, "2025-W01");
    assert_string_equal(s, "2024-12-30");
    assert_true(visit_period(VISIT_MONTH, "2024-02-10", key, s, e));
    assert_string_equal(key, "2024-02");
    assert_string_equal(e, "2024-02-29");
    assert_true(visit_period(VISIT_QUARTER, "2026-12-02", key, s, e));
    assert_string_equal(key, "2026-Q4");
    assert_string_equal(s, "2026-10-01");
    assert_string_equal(e, "2026-12-31");
    assert_true(visit_period(VISIT_QUARTER, "2026-02-02", key, s, e));
    assert_string_equal(key, "2026-Q1");
    assert_string_equal(e, "2026-03-31");
    assert_false(visit_period(VISIT_MONTH, "2026-02-30", key, s, e));
    assert_true(visit_month_bounds("2026-12", s, e));
    assert_string_equal(s, "2026-12-01");
    assert_string_equal(e, "2027-01-01");
    assert_false(visit_month_bounds("2026-13", s, e));
    long d;
    assert_true(visit_days_between("2026-11-30", "2026-12-02", &d));
    assert_int_equal(d, 2);
}

/* RULE-VISIT-021: an event's visit is due on the China date of now + the tier's hours. */
static void
event_due(void **state)
{
    (void)state;
    char out[11];
    /* 2026-12-02T13:00:00Z is 21:00 in China: +24 h is 12-03 there. */
    visit_event_due(1796216400, 24, out);
    assert_string_equal(out, "2026-12-03");
    /* +3 h crosses midnight in China. */
    visit_event_due(1796216400, 3, out);
    assert_string_equal(out, "2026-12-03");
    visit_event_due(1796216400, 2, out);
    assert_string_equal(out, "2026-12-02");
}

/* RULE-VISIT-030: the position check flags, never refuses. */
static void
position(void **state)
{
    (void)state;
    /* 0.01° of latitude is about 1112 m. */
    double d = al_geo_distance_m(27.80, 107.72, 27.81, 107.72);
    assert_true(d > 1100 && d < 1125);
    assert_true(al_geo_distance_m(27.8, 107.7, 27.8, 107.7) < 0.001);
    assert_string_equal(visit_position_flag(true, true, 120, 500), "ok");
    assert_string_equal(visit_position_flag(true, true, 1112, 500), "far");
    assert_string_equal(visit_position_flag(false, true, 0, 500), "no_position");
    assert_string_equal(visit_position_flag(true, false, 0, 500), "no_elder_position");
}

/* RULE-VISIT-050: one helper per community, two above 500 elders. */
static void
helpers(void **state)
{
    (void)state;
    assert_int_equal(visit_helpers_required(0), 1);
    assert_int_equal(visit_helpers_required(500), 1);
    assert_int_equal(visit_helpers_required(501), 2);
}

/* RULE-VISIT-081: which closed alarms call for a follow-up visit. */
static void
alarm_outcomes(void **state)
{
    (void)state;
    assert_true(visit_alarm_wants_visit("real_emergency"));
    assert_true(visit_alarm_wants_visit("needed_help"));
    assert_false(visit_alarm_wants_visit("false_alarm"));
    assert_false(visit_alarm_wants_visit("test"));
    assert_false(visit_alarm_wants_visit("no_answer_visited"));
    assert_false(visit_alarm_wants_visit(NULL));
}

/* RULE-VISIT-086..088: a referral's order item and window, and where its target stands. */
static void
referral_rules(void **state)
{
    (void)state;
    assert_string_equal(visit_need_item("health"), "zhuyi");
    assert_string_equal(visit_need_item("care"), "huli");
    assert_string_equal(visit_need_item("living"), "shenghuo");
    assert_string_equal(visit_need_item("mental"), "weiji");
    assert_string_equal(visit_need_item("economic"), "xunhu");
    assert_string_equal(visit_need_item(NULL), "xunhu");
    int64_t start, end;
    /* 2026-12-03 10:20 CST = 02:20 UTC; a deadline later this month: that day 09:00 CST. */
    int64_t now = 1796256000 + 2 * 3600 + 20 * 60;
    visit_referral_window("2026-12-10", "2026-12-03", now, &start, &end);
    assert_int_equal(start, 1796864400); /* 2026-12-10T01:00:00Z */
    assert_int_equal(end - start, 7200);
    visit_referral_window("2026-12-03", "2026-12-03", now, &start, &end); /* due today */
    assert_int_equal(start, 1796256000 + 3 * 3600);
    assert_int_equal(end, start + 7200);
    assert_string_equal(visit_target_state("service_order", "created"), "open");
    assert_string_equal(visit_target_state("service_order", "confirmed"), "done");
    assert_string_equal(visit_target_state("service_order", "cancelled"), "ended");
    assert_string_equal(visit_target_state("bed", "application"), "open");
    assert_string_equal(visit_target_state("bed", "in_service"), "done");
    assert_string_equal(visit_target_state("bed", "closed"), "ended");
    assert_string_equal(visit_target_state("assessment", "done"), "done");
    assert_null(visit_target_state("bed", NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiers_default),
        cmocka_unit_test(tiers_regional),
        cmocka_unit_test(tiers_life_threatening),
        cmocka_unit_test(methods_and_categories),
        cmocka_unit_test(periods),
        cmocka_unit_test(event_due),
        cmocka_unit_test(position),
        cmocka_unit_test(helpers),
        cmocka_unit_test(alarm_outcomes),
        cmocka_unit_test(referral_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
