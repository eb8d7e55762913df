/* GB/T 42195-2022 scoring: RULE-ASSESS-001..007. */
#include <string.h>

#include "assess/assess_int.h"
#include "core/idcard.h"
#include "unit.h"

static const struct assess_settings dflt = {.coma_level = 4, .adjust_stack = false};

/* Items summing to `total` (filled greedily within each item's maximum). */
static struct assess_input
with_total(int total)
{
    struct assess_input in;
    memset(&in, 0, sizeof(in));
    for (int i = 0; i < ASSESS_ITEMS && total > 0; i++) {
        int v = total < assess_items[i].max ? total : assess_items[i].max;
        in.items[i] = v;
        total -= v;
    }
    return in;
}

static void
items_and_domains(void **state)
{
    (void)state;
    /* RULE-ASSESS-001 */
    int max = 0, dmax[ASSESS_DOMAINS] = {0};
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        max += assess_items[i].max;
        dmax[assess_items[i].domain] += assess_items[i].max;
    }
    assert_int_equal(max, 90);
    assert_int_equal(dmax[0], 32);
    assert_int_equal(dmax[1], 15);
    assert_int_equal(dmax[2], 28);
    assert_int_equal(dmax[3], 15);
    assert_string_equal(assess_items[11].code, "B.2.4");
    assert_int_equal(assess_items[11].max, 3);
    struct assess_input in = with_total(90);
    struct assess_result r;
    assess_compute(&in, &dflt, &r);
    assert_int_equal(r.domain[0], 32);
    assert_int_equal(r.domain[3], 15);
}

static void
band_edges(void **state)
{
    (void)state;
    /* RULE-ASSESS-002 */
    static const int totals[] = {90, 89, 66, 65, 46, 45, 30, 29, 0};
    static const int levels[] = {0, 1, 1, 2, 2, 3, 3, 4, 4};
    for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
        struct assess_input in = with_total(totals[i]);
        struct assess_result r;
        assess_compute(&in, &dflt, &r);
        assert_int_equal(r.total, totals[i]);
        assert_int_equal(r.preliminary, levels[i]);
        assert_int_equal(r.final, levels[i]);
    }
}

static void
coma(void **state)
{
    (void)state;
    /* RULE-ASSESS-003: level set directly, configurable */
    struct assess_input in = with_total(90);
    in.coma = true;
    struct assess_result r;
    assess_compute(&in, &dflt, &r);
    assert_int_equal(r.final, 4);
    assert_string_equal(r.rules[0], "RULE-ASSESS-003");
    struct assess_settings three = {.coma_level = 3};
    assess_compute(&in, &three, &r);
    assert_int_equal(r.final, 3);
}

static void
adjustments_alone_and_together(void **state)
{
    (void)state;
    struct assess_result r;
    struct assess_input in = with_total(70); /* level 1 */
    in.dementia = true;                      /* RULE-ASSESS-004 */
    assess_compute(&in, &dflt, &r);
    assert_int_equal(r.preliminary, 1);
    assert_int_equal(r.final, 2);
    in = with_total(70);
    in.mental_disorder = true;
    assess_compute(&in, &dflt, &r);
    assert_int_equal(r.final, 2);
    in = with_total(70);
    in.risk_events[0] = 1; /* one event: nothing */
    assess_compute(&in, &dflt, &r);
    assert_int_equal(r.final, 1);
    in.risk_events[3] = 1; /* RULE-ASSESS-005: two events of any kinds */
    assess_compute(&in, &dflt, &r);
    assert_int_equal(r.final, 2);
    in.dementia = true; /* both: +1 at most by default (RULE-ASSESS-006) */
    assess_compute(&in, &dflt, &r);
    assert_int_equal(r.final, 2);
    struct assess_settings stack = {.coma_level = 4, .adjust_stack = true};
    assess_compute(&in, &stack, &r);
    assert_int_equal(r.final, 3);
    in = with_total(10); /* level 4 stays 4 (RULE-ASSESS-007) */
    in.dementia = true;
    in.risk_events[1] = 3;
    assess_compute(&in, &stack, &r);
    assert_int_equal(r.final, 4);
    assert_string_equal(r.rules[r.nrules - 1], "RULE-ASSESS-007");
}

static void
icd10(void **state)
{
    (void)state;
    bool dem = false, men = false;
    assert_int_equal(assess_icd10("F03", &dem, &men), AL_OK);
    assert_true(dem);
    assert_false(men);
    dem = men = false;
    assert_int_equal(assess_icd10("F32.1", &dem, &men), AL_OK);
    assert_false(dem);
    assert_true(men);
    dem = men = false;
    assert_int_equal(assess_icd10("F00-F03", &dem, &men), AL_OK);
    assert_true(dem);
    assert_false(men);
    dem = men = false;
    assert_int_equal(assess_icd10("I10-I15", &dem, &men), AL_OK);
    assert_false(dem || men);
    assert_int_equal(assess_icd10("f03", &dem, &men), AL_EINVAL);
    assert_int_equal(assess_icd10("F3", &dem, &men), AL_EINVAL);
    assert_int_equal(assess_icd10("F03-G01", &dem, &men), AL_EINVAL);
    assert_int_equal(assess_icd10("F05-F01", &dem, &men), AL_EINVAL);
    assert_int_equal(assess_icd10("F03.", &dem, &men), AL_EINVAL);
}

static void
form_options(void **state)
{
    (void)state;
    /* RULE-ASSESS-001: every item has one option per score, best first, in Chinese. */
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        int n = 0;
        while (n < 5 && assess_item_options[i].options[n].text)
            n++;
        assert_int_equal(n, assess_items[i].max + 1);
        for (int k = 0; k < n; k++)
            assert_int_equal(assess_item_options[i].options[k].score, assess_items[i].max - k);
        assert_non_null(assess_item_options[i].hint);
    }
    assert_true(assess_option_uncertain(24, 2));
    assert_false(assess_option_uncertain(24, 3));
    assert_false(assess_option_uncertain(0, 2));
}

static void
transitions(void **state)
{
    (void)state;
    /* RULE-ASSESS-010: the only moves. */
    assert_string_equal(assess_next_status("draft", ASSESS_STEP_SAVE), "draft");
    assert_string_equal(assess_next_status("draft", ASSESS_STEP_SIGN), "draft");
    assert_string_equal(assess_next_status("draft", ASSESS_STEP_SUBMIT), "submitted");
    assert_string_equal(assess_next_status("submitted", ASSESS_STEP_APPROVE), "reviewed");
    assert_string_equal(assess_next_status("submitted", ASSESS_STEP_RETURN), "draft");
    assert_string_equal(assess_next_status("reviewed", ASSESS_STEP_PUBLISH), "published");
    assert_string_equal(assess_next_status("published", ASSESS_STEP_DISPUTE), "disputed");
    assert_string_equal(assess_next_status("published", ASSESS_STEP_SUPERSEDE), "superseded");
    assert_string_equal(assess_next_status("disputed", ASSESS_STEP_SUPERSEDE), "superseded");
    static const char *const states[] = {"draft", "submitted", "reviewed", "published", "disputed",
        "superseded"};
    int allowed = 0;
    for (size_t i = 0; i < 6; i++)
        for (int step = ASSESS_STEP_SAVE; step <= ASSESS_STEP_SUPERSEDE; step++)
            allowed += assess_next_status(states[i], (enum assess_step)step) != NULL;
    assert_int_equal(allowed, 9); /* everything else is refused (409) */
    assert_null(assess_next_status("superseded", ASSESS_STEP_DISPUTE));
    assert_null(assess_next_status("reviewed", ASSESS_STEP_SAVE));
    assert_null(assess_next_status("published", ASSESS_STEP_SIGN));
}

static void
validity_and_due(void **state)
{
    (void)state;
    char out[11];
    /* RULE-ASSESS-012 */
    assert_true(assess_valid_until("2025-12-01", 12, out));
    assert_string_equal(out, "2026-12-01");
    assert_true(assess_valid_until("2024-02-29", 12, out));
    assert_string_equal(out, "2025-02-28");
    assert_true(assess_valid_until("2025-08-31", 6, out));
    assert_string_equal(out, "2026-02-28");
    assert_true(assess_valid_until("2027-08-31", 6, out));
    assert_string_equal(out, "2028-02-29");
    assert_false(assess_valid_until("2025-02-30", 12, out));
    assert_false(assess_valid_until("2025-1-01", 12, out));
    /* RULE-ASSESS-013 */
    long days = 99;
    assert_int_equal(assess_due_state("2026-12-22", "2026-11-22", 30, &days), ASSESS_DUE_SOON);
    assert_int_equal(days, 30);
    assert_int_equal(assess_due_state("2026-12-23", "2026-11-22", 30, &days), ASSESS_DUE_NONE);
    assert_int_equal(assess_due_state("2026-11-22", "2026-11-22", 30, &days), ASSESS_DUE_SOON);
    assert_int_equal(days, 0);
    assert_int_equal(assess_due_state("2026-11-21", "2026-11-22", 30, &days), ASSESS_DUE_EXPIRED);
    assert_int_equal(days, -1);
    assert_int_equal(assess_due_state("2025-06-15", "2026-11-22", 30, &days), ASSESS_DUE_EXPIRED);
    assert_int_equal(days, -525);
    /* RULE-ASSESS-011: valid through the day it expires. */
    assert_true(assess_qualified("2026-11-22", "2026-11-22"));
    assert_false(assess_qualified("2026-11-21", "2026-11-22"));
    assert_false(assess_qualified(NULL, "2026-11-22"));
    assert_false(assess_qualified("2026-13-01", "2026-11-22"));
    assert_true(assess_date_ok("2028-02-29"));
    assert_false(assess_date_ok("2026-02-29"));
    assert_false(assess_date_ok("2026-02-29x"));
    assert_string_equal(assess_rule_text("RULE-ASSESS-004"), "确诊痴呆或其他精神和行为障碍：等级上调一级");
}

static void
results_and_statuses(void **state)
{
    (void)state;
    /* RULE-ASSESS-018: level-only readers see results only. */
    assert_true(assess_is_result("published"));
    assert_true(assess_is_result("disputed"));
    assert_true(assess_is_result("superseded"));
    assert_false(assess_is_result("draft"));
    assert_false(assess_is_result("submitted"));
    assert_false(assess_is_result("reviewed"));
    assert_false(assess_is_result(NULL));
    assert_false(assess_is_result("Published"));
    /* A list filter names one of the six statuses (else 400). */
    static const char *const states[] = {"draft", "submitted", "reviewed", "published", "disputed",
        "superseded"};
    for (size_t i = 0; i < 6; i++)
        assert_true(assess_status_valid(states[i]));
    assert_false(assess_status_valid("finished"));
    assert_false(assess_status_valid(""));
    assert_false(assess_status_valid(NULL));
    assert_string_equal(assess_status_name("superseded"), "已被复评取代");
}

/* The due cut-off and the demo's dates are computed in C (STORES.md: no date() in SQL). */
static void
dates_add_days(void **state)
{
    (void)state;
    char out[11] = "unchanged";
    assert_true(assess_date_add_days("2025-12-20", 30, out));
    assert_string_equal(out, "2026-01-19");
    assert_true(assess_date_add_days("2024-02-28", 1, out));
    assert_string_equal(out, "2024-02-29");
    assert_true(assess_date_add_days("2025-03-01", -1, out));
    assert_string_equal(out, "2025-02-28");
    assert_true(assess_date_add_days("2025-01-10", -420, out));
    assert_string_equal(out, "2023-11-17");
    assert_true(assess_date_add_days("2000-01-01", 0, out));
    assert_string_equal(out, "2000-01-01");
    assert_false(assess_date_add_days("2025-02-30", 1, out));
    assert_false(assess_date_add_days("9999-12-31", 1, out));
    assert_false(assess_date_add_days(NULL, 1, out));
    assert_string_equal(out, "2000-01-01");
}

/* RULE-DB-044: the request's "today" is the China Standard Time date of its "now" (UTC+8). */
static void
cst_date_of_a_time(void **state)
{
    (void)state;
    char out[11];
    al_date_cst(1750003199, out); /* 2025-06-15 15:59:59 UTC = 23:59:59 CST */
    assert_string_equal(out, "2025-06-15");
    al_date_cst(1750003200, out); /* 16:00:00 UTC = midnight CST */
    assert_string_equal(out, "2025-06-16");
    al_date_cst(0, out);
    assert_string_equal(out, "1970-01-01");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(items_and_domains),
        cmocka_unit_test(band_edges),
        cmocka_unit_test(coma),
        cmocka_unit_test(adjustments_alone_and_together),
        cmocka_unit_test(icd10),
        cmocka_unit_test(form_options),
        cmocka_unit_test(transitions),
        cmocka_unit_test(validity_and_due),
        cmocka_unit_test(dates_add_days),
        cmocka_unit_test(cst_date_of_a_time),
        cmocka_unit_test(results_and_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
