/* GB/T 42195-2022 scoring: RULE-ASSESS-001..007. */
#include <string.h>

#include "assess/assess_int.h"
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
    assert_int_equal(assess_icd10("F03", &dem, &men), 0);
    assert_true(dem);
    assert_false(men);
    dem = men = false;
    assert_int_equal(assess_icd10("F32.1", &dem, &men), 0);
    assert_false(dem);
    assert_true(men);
    dem = men = false;
    assert_int_equal(assess_icd10("F00-F03", &dem, &men), 0);
    assert_true(dem);
    assert_false(men);
    dem = men = false;
    assert_int_equal(assess_icd10("I10-I15", &dem, &men), 0);
    assert_false(dem || men);
    assert_int_equal(assess_icd10("f03", &dem, &men), -1);
    assert_int_equal(assess_icd10("F3", &dem, &men), -1);
    assert_int_equal(assess_icd10("F03-G01", &dem, &men), -1);
    assert_int_equal(assess_icd10("F05-F01", &dem, &men), -1);
    assert_int_equal(assess_icd10("F03.", &dem, &men), -1);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
