/* src/dashboard/dashboard_logic.c: "today" in China Standard Time (RULE-DASH-001). */
#include <time.h>

#include "dashboard/dashboard_int.h"
#include "unit.h"

static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
        .tm_min = mi, .tm_sec = s};
    return (int64_t)timegm(&tm);
}

static void
day_turns_at_16_utc(void **state)
{
    (void)state;
    /* RULE-DASH-001: 2026-11-22 16:00 UTC is already 11-23 00:00 in China. */
    int64_t midnight = utc(2026, 11, 22, 16, 0, 0);
    assert_int_equal(midnight, 1795363200);
    assert_int_equal(dashboard_day_start(midnight), midnight);
    assert_int_equal(dashboard_day_start(midnight + 1), midnight);
    assert_int_equal(dashboard_day_start(midnight - 1), midnight - 86400); /* 15:59:59 UTC */
    assert_int_equal(dashboard_day_start(midnight + 86399), midnight);
    assert_int_equal(dashboard_day_start(midnight + 86400), midnight + 86400);
    /* UTC midnight is 08:00 in China: the China day began at 16:00 UTC the day before. */
    assert_int_equal(dashboard_day_start(utc(2026, 11, 23, 0, 0, 0)), midnight);
    assert_int_equal(dashboard_day_start(utc(2026, 11, 23, 15, 59, 59)), midnight);
    /* Across a year end and a leap day. */
    int64_t new_year = utc(2026, 12, 31, 16, 0, 0), leap_day = utc(2028, 2, 28, 16, 0, 0);
    assert_int_equal(dashboard_day_start(utc(2026, 12, 31, 16, 30, 0)), new_year);
    assert_int_equal(dashboard_day_start(utc(2026, 12, 31, 15, 30, 0)), new_year - 86400);
    assert_int_equal(dashboard_day_start(leap_day), leap_day);
    assert_int_equal(dashboard_day_start(utc(2028, 2, 29, 15, 59, 59)), leap_day);
    assert_int_equal(dashboard_day_start(utc(2028, 2, 29, 16, 0, 0)), leap_day + 86400);
}

static void
around_the_epoch(void **state)
{
    (void)state;
    /* 1970-01-01 00:00 UTC is 08:00 in China: the day began at -8 h. */
    assert_int_equal(dashboard_day_start(0), -28800);
    assert_int_equal(dashboard_day_start(57599), -28800);
    assert_int_equal(dashboard_day_start(57600), 57600);
    assert_int_equal(dashboard_day_start(-1), -28800);
    assert_int_equal(dashboard_day_start(-28800), -28800);
    assert_int_equal(dashboard_day_start(-28801), -28800 - 86400); /* negative, rounded down */
    assert_int_equal(dashboard_day_start(-28800 - 86400), -28800 - 86400);
}

static void
every_hour_of_a_year(void **state)
{
    (void)state;
    /* The start is a China midnight, at most a day back, never ahead. */
    int64_t from = utc(2026, 1, 1, 0, 0, 0);
    for (int64_t t = from; t < from + 366 * 86400; t += 3600 + 7) {
        int64_t s = dashboard_day_start(t);
        assert_true(s <= t);
        assert_true(t - s < 86400);
        time_t local = (time_t)(s + 8 * 3600);
        struct tm tm;
        gmtime_r(&local, &tm);
        assert_int_equal(tm.tm_hour, 0);
        assert_int_equal(tm.tm_min, 0);
        assert_int_equal(tm.tm_sec, 0);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_turns_at_16_utc),
        cmocka_unit_test(around_the_epoch),
        cmocka_unit_test(every_hour_of_a_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
