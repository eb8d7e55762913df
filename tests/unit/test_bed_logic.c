/* src/bed/bed_logic.c: the lifecycle table, required devices, dates (RULE-BED-002, -020..022). */
#include <string.h>

#include "bed/bed_int.h"
#include "unit.h"

/* RULE-BED-002: every allowed move of the table, and nothing else. */
static void
lifecycle_table(void **state)
{
    (void)state;
    static const struct {
        int from, move, to;
    } allowed[] = {
        {BED_APPLICATION, BED_MOVE_ELIGIBILITY, BED_ELIGIBILITY},
        {BED_ELIGIBILITY, BED_MOVE_HOME_CHECK, BED_HOME_CHECK},
        {BED_HOME_CHECK, BED_MOVE_CARE_PLAN, BED_CARE_PLAN},
        {BED_CARE_PLAN, BED_MOVE_AGREEMENT, BED_AGREEMENT},
        {BED_AGREEMENT, BED_MOVE_INSTALL, BED_INSTALLATION},
        {BED_INSTALLATION, BED_MOVE_START, BED_IN_SERVICE},
        {BED_IN_SERVICE, BED_MOVE_REVIEW, BED_REVIEW},
        {BED_REVIEW, BED_MOVE_RESUME, BED_IN_SERVICE},
        {BED_AGREEMENT, BED_MOVE_DEVICE, BED_AGREEMENT},
        {BED_INSTALLATION, BED_MOVE_DEVICE, BED_INSTALLATION},
        {BED_IN_SERVICE, BED_MOVE_DEVICE, BED_IN_SERVICE},
        {BED_REVIEW, BED_MOVE_DEVICE, BED_REVIEW},
    };
    int n = 0;
    for (int s = BED_APPLICATION; s <= BED_CLOSED; s++)
        for (int m = 1; m < BED_NMOVES; m++) {
            int to = bed_next(s, m), want = 0;
            if (m == BED_MOVE_CLOSE && s != BED_CLOSED)
                want = BED_CLOSED;
            for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
                if (allowed[i].from == s && allowed[i].move == m)
                    want = allowed[i].to;
            assert_int_equal(to, want);
            n += to != 0;
        }
    assert_int_equal(n, 12 + 8);
    assert_int_equal(bed_next(0, BED_MOVE_CLOSE), 0);
    assert_int_equal(bed_next(BED_CLOSED + 1, BED_MOVE_CLOSE), 0);
    assert_int_equal(bed_next(BED_APPLICATION, BED_NMOVES), 0);
    for (int s = BED_APPLICATION; s <= BED_CLOSED; s++) {
        assert_int_equal(bed_state_parse(bed_state_id(s)), s);
        assert_true(strlen(bed_state_name(s)) > 0);
    }
    assert_int_equal(bed_state_parse("open"), 0);
    assert_string_equal(bed_state_name(BED_IN_SERVICE), "服务中");
}

/* RULE-BED-020, RULE-BED-021: the setting's items and what devices cover. */
static void
required_devices(void **state)
{
    (void)state;
    unsigned m;
    assert_true(bed_needs_parse("network,sos,activity", &m));
    assert_int_equal(m, BED_NEED_NETWORK | BED_NEED_SOS | BED_NEED_ACTIVITY);
    assert_true(bed_needs_parse("sos", &m));
    assert_int_equal(m, BED_NEED_SOS);
    assert_false(bed_needs_parse("", &m));
    assert_false(bed_needs_parse("sos,", &m));
    assert_false(bed_needs_parse("sos,toaster", &m));
    assert_false(bed_needs_parse(NULL, &m));
    assert_int_equal(bed_device_covers("sos"), BED_NEED_SOS);
    assert_int_equal(bed_device_covers("motion"), BED_NEED_ACTIVITY);
    assert_int_equal(bed_device_covers("door"), BED_NEED_ACTIVITY);
    assert_int_equal(bed_device_covers("smoke"), 0);
    unsigned miss = bed_needs_missing(BED_NEED_NETWORK | BED_NEED_SOS | BED_NEED_ACTIVITY,
        BED_NEED_SOS);
    char ids[64], zh[128];
    bed_needs_format(miss, ids, sizeof(ids), zh, sizeof(zh));
    assert_string_equal(ids, "network,activity");
    assert_string_equal(zh, "网络、活动监测（人体或门磁）");
    bed_needs_format(0, ids, sizeof(ids), zh, sizeof(zh));
    assert_string_equal(ids, "");
}

/* RULE-BED-022: the due date. */
static void
due_dates(void **state)
{
    (void)state;
    char out[11];
    assert_true(bed_date_add("2026-12-02", 30, out));
    assert_string_equal(out, "2027-01-01");
    assert_true(bed_date_add("2028-02-28", 1, out));
    assert_string_equal(out, "2028-02-29");
    assert_true(bed_date_add("2026-03-01", -1, out));
    assert_string_equal(out, "2026-02-28");
    assert_true(bed_date_add("2026-12-02", 0, out));
    assert_string_equal(out, "2026-12-02");
    assert_false(bed_date_add("2026-02-30", 1, out));
    assert_true(bed_close_reason_ok("to_home_services"));
    assert_false(bed_close_reason_ok("bored"));
}

/* RULE-BED-060: a month's days and its bounds in China Standard Time. */
static void
months(void **state)
{
    (void)state;
    struct bed_month m;
    assert_true(bed_month_parse("2026-12", &m));
    assert_string_equal(m.first, "2026-12-01");
    assert_string_equal(m.last, "2026-12-31");
    assert_int_equal(m.start_ts, 1796083200 - 8 * 3600); /* 2026-12-01T00:00+08:00 */
    assert_int_equal(m.end_ts, 1798761600 - 8 * 3600 - 1);
    assert_true(bed_month_parse("2028-02", &m));
    assert_string_equal(m.last, "2028-02-29");
    assert_true(bed_month_parse("2026-02", &m));
    assert_string_equal(m.last, "2026-02-28");
    assert_false(bed_month_parse("2026-13", &m));
    assert_false(bed_month_parse("2026-1", &m));
    assert_false(bed_month_parse("2026-01-01", &m));
    assert_false(bed_month_parse("26-01x", &m));
    assert_false(bed_month_parse(NULL, &m));
}

/* RULE-BED-061: complete only with every required item; the other counts as flagged. */
static void
tally(void **state)
{
    (void)state;
    unsigned all = BED_NEED_NETWORK | BED_NEED_SOS | BED_NEED_ACTIVITY;
    struct bed_tally t = {0};
    struct bed_month_row full = {.have = all}, part = {.have = BED_NEED_SOS, .rectifying = true},
                         late = {.have = 0, .rectifying = true, .overdue = true,
                             .to_home_services = true};
    bed_tally_add(&t, all, &full);
    bed_tally_add(&t, all, &part);
    bed_tally_add(&t, all, &late);
    assert_int_equal(t.in_service, 3);
    assert_int_equal(t.complete, 1);
    assert_int_equal(t.rectifying, 2);
    assert_int_equal(t.overdue, 1);
    assert_int_equal(t.to_home_services, 1);
    bed_tally_add(&t, BED_NEED_SOS, &part); /* only SOS required: complete */
    assert_int_equal(t.complete, 2);
}

/* RULE-BED-082: a plan's frequency as visits in a month; which items a plan's service names. */
static void
plan_frequency(void **state)
{
    (void)state;
    assert_int_equal(bed_plan_per_month("每周 2 次", 31), 8);
    assert_int_equal(bed_plan_per_month("每周2次", 28), 8);
    assert_int_equal(bed_plan_per_month("每周", 30), -1);
    assert_int_equal(bed_plan_per_month("每月 1 次", 30), 1);
    assert_int_equal(bed_plan_per_month("每天", 30), 30);
    assert_int_equal(bed_plan_per_month("每日 2 次", 31), 62);
    assert_int_equal(bed_plan_per_month("按需", 31), -1);
    assert_int_equal(bed_plan_per_month(NULL, 31), -1);
    assert_true(bed_plan_names("上门助浴", "助浴"));
    assert_false(bed_plan_names("上门助浴", "助洁"));
    assert_false(bed_plan_names("上门助浴", ""));
    assert_false(bed_plan_names(NULL, "助浴"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_table),
        cmocka_unit_test(required_devices),
        cmocka_unit_test(due_dates),
        cmocka_unit_test(months),
        cmocka_unit_test(tally),
        cmocka_unit_test(plan_frequency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
