/* src/meal/meal_logic.c: windows, licences, subsidy rules, caps, fund shares, urban/rural. */
#include <string.h>

#include "core/json.h"
#include "meal/meal_int.h"
#include "unit.h"

static void
windows(void **state)
{
    (void)state;
    /* RULE-MEAL-002 */
    struct meal_window w[MEAL_KINDS];
    int n = 0;
    struct al_errinfo e;
    json_t *ok = json_loads("[{\"meal\":\"lunch\",\"from\":\"11:00\",\"to\":\"13:00\"},"
                            "{\"meal\":\"dinner\",\"from\":\"17:00\",\"to\":\"18:30\"}]",
        0, NULL);
    assert_int_equal(meal_windows_read(ok, w, &n, &e), AL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(meal_window_at(w, n, 11 * 60), MEAL_LUNCH);
    assert_int_equal(meal_window_at(w, n, 12 * 60 + 59), MEAL_LUNCH);
    assert_int_equal(meal_window_at(w, n, 13 * 60), -1); /* the end is outside */
    assert_int_equal(meal_window_at(w, n, 17 * 60 + 30), MEAL_DINNER);
    assert_int_equal(meal_window_at(w, n, 8 * 60), -1);
    static const char *const bad[] = {
        "[]",
        "[{\"meal\":\"supper\",\"from\":\"11:00\",\"to\":\"13:00\"}]",
        "[{\"meal\":\"lunch\",\"from\":\"13:00\",\"to\":\"11:00\"}]",
        "[{\"meal\":\"lunch\",\"from\":\"11:0\",\"to\":\"13:00\"}]",
        "[{\"meal\":\"lunch\",\"from\":\"24:00\",\"to\":\"24:30\"}]",
        "[{\"meal\":\"lunch\",\"from\":\"11:00\",\"to\":\"13:00\"},"
        "{\"meal\":\"lunch\",\"from\":\"14:00\",\"to\":\"15:00\"}]",
        "[{\"meal\":\"lunch\",\"from\":\"11:00\",\"to\":\"13:00\"},"
        "{\"meal\":\"dinner\",\"from\":\"12:30\",\"to\":\"18:00\"}]",
        "{}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = json_loads(bad[i], 0, NULL);
        assert_int_equal(meal_windows_read(v, w, &n, &e), AL_EINVAL);
        assert_string_equal(e.field, "windows");
        json_decref(v);
    }
    json_decref(ok);
}

static void
licences(void **state)
{
    (void)state;
    /* RULE-MEAL-003 */
    assert_string_equal(meal_licence_state("2026-12-01", "2026-12-02"), "expired");
    assert_string_equal(meal_licence_state("2026-12-02", "2026-12-02"), "expiring");
    assert_string_equal(meal_licence_state("2027-01-01", "2026-12-02"), "expiring");
    assert_string_equal(meal_licence_state("2027-01-02", "2026-12-02"), "valid");
    assert_string_equal(meal_licence_state("", "2026-12-02"), "expired");
    char d[11];
    meal_date_add("2026-12-02", 30, d);
    assert_string_equal(d, "2027-01-01");
    meal_date_add("2024-02-28", 1, d);
    assert_string_equal(d, "2024-02-29");
    meal_date_add("2023-02-28", 1, d);
    assert_string_equal(d, "2023-03-01");
}

static struct meal_rule
rule(int64_t id, int depth, const char *tags, int meal, int64_t fen)
{
    return (struct meal_rule){.id = id, .depth = depth, .tags = tags, .meal = meal,
        .amount_fen = fen, .pct = {0, 30, 30, 40}};
}

static void
rules(void **state)
{
    (void)state;
    /* RULE-MEAL-011 */
    assert_true(meal_tags_meet("", "dibao"));
    assert_true(meal_tags_meet("", ""));
    assert_true(meal_tags_meet("advanced_age,dibao", "dibao,living_alone,advanced_age"));
    assert_false(meal_tags_meet("advanced_age,dibao", "advanced_age"));
    assert_false(meal_tags_meet("dibao", "dibao_edge")); /* whole tags, not prefixes */
    /* RULE-MEAL-010: the county's rules replace the province's for that meal. */
    struct meal_rule rs[] = {
        rule(1, 2, "", MEAL_LUNCH, 100),                   /* province: everyone ¥1 */
        rule(2, 6, "advanced_age", MEAL_LUNCH, 300),       /* county: 80+ ¥3 */
        rule(3, 6, "advanced_age,dibao", MEAL_LUNCH, 500), /* county: 80+ on 低保 ¥5 */
        rule(4, 6, "tekun", MEAL_LUNCH, 500),              /* county: 特困 ¥5 */
        rule(5, 2, "", MEAL_DINNER, 200),                  /* province: dinner */
    };
    int n = 5;
    assert_int_equal(meal_rule_pick(rs, n, MEAL_LUNCH, "advanced_age,dibao"), 2);
    assert_int_equal(meal_rule_pick(rs, n, MEAL_LUNCH, "advanced_age"), 1);
    /* Both ¥5 rules met: the lower id (never both: subsidies do not add up). */
    assert_int_equal(meal_rule_pick(rs, n, MEAL_LUNCH, "advanced_age,dibao,tekun"), 2);
    /* The county sets lunch: the province's "everyone" no longer applies to lunch. */
    assert_int_equal(meal_rule_pick(rs, n, MEAL_LUNCH, "living_alone"), -1);
    /* Dinner: the county says nothing, so the province decides. */
    assert_int_equal(meal_rule_pick(rs, n, MEAL_DINNER, "living_alone"), 4);
    assert_int_equal(meal_rule_pick(rs, n, MEAL_BREAKFAST, "advanced_age"), -1);
    assert_int_equal(meal_rule_pick(rs, 0, MEAL_LUNCH, "advanced_age"), -1);
}

static void
funds(void **state)
{
    (void)state;
    /* RULE-MEAL-014: parts add up to the subsidy exactly. */
    int64_t out[4];
    meal_fund_split(500, (int[4]){0, 30, 30, 40}, out);
    assert_int_equal(out[0] + out[1] + out[2] + out[3], 500);
    assert_int_equal(out[1], 150);
    assert_int_equal(out[3], 200);
    meal_fund_split(1, (int[4]){0, 30, 30, 40}, out); /* the fen goes to the largest share */
    assert_int_equal(out[3], 1);
    assert_int_equal(out[0] + out[1] + out[2], 0);
    meal_fund_split(10, (int[4]){0, 33, 33, 34}, out); /* 3.3, 3.3, 3.4 → 3, 3, 4 */
    assert_int_equal(out[1], 3);
    assert_int_equal(out[2], 3);
    assert_int_equal(out[3], 4);
    meal_fund_split(7, (int[4]){0, 50, 50, 0}, out); /* tie: the higher level first */
    assert_int_equal(out[1], 4);
    assert_int_equal(out[2], 3);
    for (int64_t s = 0; s < 1000; s += 7) {
        meal_fund_split(s, (int[4]){10, 25, 25, 40}, out);
        assert_int_equal(out[0] + out[1] + out[2] + out[3], s);
    }
}

static void
decide(void **state)
{
    (void)state;
    /* RULE-MEAL-013, RULE-MEAL-012, RULE-MEAL-022, RULE-MEAL-040, RULE-MEAL-003 */
    struct meal_rule r = rule(7, 6, "advanced_age", MEAL_LUNCH, 500);
    struct meal_decide_in in = {.price_fen = 1200, .licence_ok = true, .daily_cap = 1,
        .rule = &r};
    struct meal_decision d;
    meal_decide(&in, &d);
    assert_string_equal(d.flag, "");
    assert_int_equal(d.subsidy_fen, 500);
    assert_int_equal(d.diner_fen, 700);
    assert_int_equal(d.fund_fen[1] + d.fund_fen[2] + d.fund_fen[3], 500);
    in.price_fen = 400; /* never more than the price */
    meal_decide(&in, &d);
    assert_int_equal(d.subsidy_fen, 400);
    assert_int_equal(d.diner_fen, 0);
    in.price_fen = 1200;
    in.subsidised_today = 1; /* the cap of one a day is reached */
    meal_decide(&in, &d);
    assert_string_equal(d.flag, "daily_cap");
    assert_int_equal(d.subsidy_fen, 0);
    assert_int_equal(d.diner_fen, 1200);
    in.daily_cap = 2;
    meal_decide(&in, &d);
    assert_string_equal(d.flag, "");
    in.window_taken = true;
    meal_decide(&in, &d);
    assert_string_equal(d.flag, "duplicate_window");
    assert_int_equal(d.diner_fen, 1200);
    in.licence_ok = false;
    meal_decide(&in, &d);
    assert_string_equal(d.flag, "licence_expired");
    in.status_stopped = true;
    meal_decide(&in, &d);
    assert_string_equal(d.flag, "after_status");
    assert_int_equal(d.subsidy_fen, 0);
    struct meal_decide_in none = {.price_fen = 1000, .licence_ok = true, .daily_cap = 1};
    meal_decide(&none, &d);
    assert_string_equal(d.flag, "no_rule");
    assert_int_equal(d.diner_fen, 1000);
    assert_non_null(meal_flag_label("duplicate_window"));
    assert_null(meal_flag_label(""));
}

static void
areas(void **state)
{
    (void)state;
    /* RULE-MEAL-050: the name decides, else the village segment. */
    assert_int_equal(meal_area_urban("520327101001", "前进社区居民委员会"), 1);
    assert_int_equal(meal_area_urban("520327101201", "黄荆村村民委员会"), 0);
    assert_int_equal(meal_area_urban("520327001002", "某某居委会"), 1);
    assert_int_equal(meal_area_urban("520327101150", "某某村委会"), 0); /* name over segment */
    assert_int_equal(meal_area_urban("520327101003", NULL), 1);
    assert_int_equal(meal_area_urban("520327101203", "某某"), 0);
    assert_true(meal_month_valid("2026-11"));
    assert_false(meal_month_valid("2026-13"));
    assert_false(meal_month_valid("2026-1"));
    assert_false(meal_month_valid(NULL));
}

/* RULE-MEAL-062: orders close 120 minutes before the window opens, China time. */
static void
order_cutoff(void **state)
{
    (void)state;
    /* 2026-12-02 00:00 +08:00 is 2026-12-01T16:00:00Z = 1796140800. */
    assert_int_equal(meal_day_start("2026-12-02"), 1796140800);
    assert_int_equal(meal_order_cutoff("2026-12-02", 11 * 60), 1796140800 + 9 * 3600);
    assert_int_equal(meal_order_cutoff("2026-12-02", 60), 1796140800 - 3600); /* the day before */
    assert_int_equal(meal_day_start("2026-12-2"), -1);
    assert_int_equal(meal_order_cutoff(NULL, 600), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows),
        cmocka_unit_test(licences),
        cmocka_unit_test(rules),
        cmocka_unit_test(funds),
        cmocka_unit_test(decide),
        cmocka_unit_test(areas),
        cmocka_unit_test(order_cutoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
