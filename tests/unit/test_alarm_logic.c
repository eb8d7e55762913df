/* src/alarm/alarm_logic.c: the alarm rules and the timer heap (RULE-ALARM-001..013). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarm/alarm.h"
#include "alarm/alarm_int.h"
#include "unit.h"

static void
grave_messages_raise_at_once(void **state)
{
    (void)state;
    struct alarm_verdict v;
    /* RULE-ALARM-001: SOS, fall, smoke, gas: critical; water leak: urgent. */
    static const struct {
        const char *type;
        int severity;
    } cases[] = {{"sos", 1}, {"fall", 1}, {"smoke", 1}, {"gas", 1}, {"water", 2}, {"vitals", 2}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        alarm_rule_message("sos", 1, cases[i].type, -1, &v);
        assert_true(v.raise);
        assert_string_equal(v.type, cases[i].type);
        assert_int_equal(v.severity, cases[i].severity);
    }
    /* RULE-ALARM-002: only alarm messages raise alarms. */
    for (int kind = 2; kind <= 4; kind++) {
        alarm_rule_message("sos", kind, "sos", -1, &v);
        assert_false(v.raise);
    }
    /* RULE-ALARM-011: low battery asks for maintenance, whatever the kind. */
    alarm_rule_message("smoke", 4, "beat", 19, &v);
    assert_true(v.maintenance);
    alarm_rule_message("smoke", 4, "beat", 20, &v);
    assert_false(v.maintenance);
    alarm_rule_message("smoke", 4, "beat", -1, &v);
    assert_false(v.maintenance);
    /* RULE-ALARM-012: motion and door messages are activity; heartbeats are not. */
    alarm_rule_message("motion", 2, "motion", -1, &v);
    assert_true(v.activity);
    alarm_rule_message("motion", 4, "beat", -1, &v);
    assert_false(v.activity);
    alarm_rule_message("sos", 2, "motion", -1, &v);
    assert_false(v.activity);
}

static void
heartbeat_and_daytime_silence(void **state)
{
    (void)state;
    /* RULE-ALARM-010: 2 × the interval. */
    assert_int_equal(alarm_heartbeat_due(1000, 300), 1600);
    /* RULE-ALARM-012: 2026-11-23 00:00 CST = 2026-11-22 16:00 UTC = 1795363200. */
    int64_t day = 1795363200, h = 3600;
    int from = 8 * 60, to = 20 * 60; /* 08:00–20:00 */
    /* Silent from 22:00 the night before to 10:00: only 08:00–10:00 counts. */
    assert_int_equal(alarm_daytime_silence_s(day - 2 * h, day + 10 * h, from, to), 2 * h);
    /* From 09:00 to 19:30 the same day. */
    assert_int_equal(alarm_daytime_silence_s(day + 9 * h, day + 19 * h + 1800, from, to),
        10 * h + 1800);
    /* From 19:00 to 09:00 next day: 1 h + 1 h. */
    assert_int_equal(alarm_daytime_silence_s(day + 19 * h, day + 33 * h, from, to), 2 * h);
    /* Nothing at night, nothing backwards. */
    assert_int_equal(alarm_daytime_silence_s(day + 21 * h, day + 23 * h, from, to), 0);
    assert_int_equal(alarm_daytime_silence_s(day + 10 * h, day + 9 * h, from, to), 0);
}

static void
timers_pop_in_order_and_are_superseded(void **state)
{
    (void)state;
    struct alarm_timers t;
    alarm_timers_init(&t);
    assert_true(alarm_timers_set(&t, 3, 300));
    assert_true(alarm_timers_set(&t, 1, 100));
    assert_true(alarm_timers_set(&t, 2, 200));
    assert_true(alarm_timers_set(&t, 1, 400)); /* device 1 spoke again: 100 no longer counts */
    alarm_timers_cancel(&t, 2);
    int64_t id, due;
    assert_false(alarm_timers_next(&t, 99, &id, &due));
    assert_true(alarm_timers_next(&t, 1000, &id, &due));
    assert_int_equal(id, 3);
    assert_int_equal(due, 300);
    assert_true(alarm_timers_next(&t, 1000, &id, &due));
    assert_int_equal(id, 1);
    assert_int_equal(due, 400);
    assert_false(alarm_timers_next(&t, 1000, &id, &due));
    alarm_timers_fini(&t);
}

static void
timers_many_devices_stay_bounded(void **state)
{
    (void)state;
    /* 20,000 devices, each re-armed 10 times: the heap is compacted, pops come in time order
     * and each device fires once with its latest time. */
    struct alarm_timers t;
    alarm_timers_init(&t);
    enum { N = 20000 };
    srand(7);
    static int64_t latest[N + 1];
    for (int round = 0; round < 10; round++)
        for (int64_t id = 1; id <= N; id++) {
            latest[id] = round * 1000 + rand() % 100000;
            assert_true(alarm_timers_set(&t, id, latest[id]));
        }
    assert_true(alarm_timers_heap_size(&t) <= 4 * N); /* stale entries compacted away */
    int64_t id, due, last = -1, n = 0;
    while (alarm_timers_next(&t, INT64_MAX, &id, &due)) {
        assert_true(due >= last);
        assert_int_equal(due, latest[id]);
        last = due;
        n++;
    }
    assert_int_equal(n, N);
    alarm_timers_fini(&t);
}

static void
handling_vocabularies(void **state)
{
    (void)state;
    /* RULE-ALARM-022, RULE-ALARM-023 */
    assert_true(alarm_step_target_ok("family"));
    assert_true(alarm_step_target_ok("120"));
    assert_false(alarm_step_target_ok("neighbour's cat"));
    assert_true(alarm_step_outcome_ok("no_answer"));
    assert_false(alarm_step_outcome_ok(NULL));
    assert_true(alarm_outcome_ok("false_alarm"));
    assert_string_equal(alarm_outcome_name("false_alarm"), "误报");
    assert_false(alarm_outcome_ok("maybe"));
}

/* RULE-ALARM-031 */
static void
escalation_levels_and_targets(void **state)
{
    (void)state;
    assert_int_equal(alarm_escalation_level(1000, 1059, 60), 0);
    assert_int_equal(alarm_escalation_level(1000, 1060, 60), 1);
    assert_int_equal(alarm_escalation_level(1000, 1119, 60), 1);
    assert_int_equal(alarm_escalation_level(1000, 1120, 60), 2);
    assert_int_equal(alarm_escalation_level(1000, 99999, 60), 2);
    assert_int_equal(alarm_escalation_level(1000, 99999, 0), 0);
    char sup[13];
    assert_string_equal(alarm_escalation_target("520327001001", 1, sup), "township_officer");
    assert_string_equal(sup, "520327001");
    assert_string_equal(alarm_escalation_target("520327001001", 2, sup), "civil_officer");
    assert_string_equal(sup, "520327");
    assert_null(alarm_escalation_target("520327001001", 3, sup));
    assert_null(alarm_escalation_target("5203", 1, sup));
}

/* RULE-ALARM-041: hours of silence outside the quiet hours (22:00–07:00 CST). */
static void
inactive_outside_quiet_hours(void **state)
{
    (void)state;
    const int64_t day9 = 1796086800; /* 2026-12-01 09:00 CST */
    const int qf = 22 * 60, qt = 7 * 60;
    assert_false(alarm_inactive(day9, day9 + 2 * 3600 - 1, 2, qf, qt));
    assert_true(alarm_inactive(day9, day9 + 2 * 3600, 2, qf, qt));
    /* Last active at 21:00: one daytime hour by 22:00, none in the night, one more by 08:00. */
    int64_t eve21 = day9 + 12 * 3600;
    assert_false(alarm_inactive(eve21, eve21 + 2 * 3600 + 1800, 2, qf, qt)); /* 23:30 */
    assert_false(alarm_inactive(eve21, eve21 + 10 * 3600 + 1800, 2, qf, qt)); /* 07:30 */
    assert_true(alarm_inactive(eve21, eve21 + 11 * 3600, 2, qf, qt));         /* 08:00 */
    assert_false(alarm_inactive(day9, day9 + 86400, 0, qf, qt));
}

/* RULE-ALARM-045: a month's bounds in China Standard Time. */
static void
month_bounds_cst(void **state)
{
    (void)state;
    int64_t from, to;
    assert_true(alarm_month_bounds("2027-03", &from, &to));
    assert_int_equal(from, 1803830400); /* 2027-03-01 00:00 CST = 2027-02-28 16:00 UTC */
    assert_int_equal(to, 1806508800);
    assert_true(alarm_month_bounds("2026-12", &from, &to));
    assert_int_equal(to, 1798732800); /* 2027-01-01 00:00 CST */
    assert_false(alarm_month_bounds("2027-13", &from, &to));
    assert_false(alarm_month_bounds("2027-3", &from, &to));
    assert_false(alarm_month_bounds("20a7-03", &from, &to));
    assert_false(alarm_month_bounds(NULL, &from, &to));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grave_messages_raise_at_once),
        cmocka_unit_test(heartbeat_and_daytime_silence),
        cmocka_unit_test(timers_pop_in_order_and_are_superseded),
        cmocka_unit_test(timers_many_devices_stay_bounded),
        cmocka_unit_test(handling_vocabularies),
        cmocka_unit_test(escalation_levels_and_targets),
        cmocka_unit_test(inactive_outside_quiet_hours),
        cmocka_unit_test(month_bounds_cst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
