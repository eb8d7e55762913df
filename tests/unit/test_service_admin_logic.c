/*
 * src/service/service_admin_logic.c: a complaint's last day in working days (RULE-SVC-121), its
 * moves (RULE-SVC-122), the closed list of results (RULE-SVC-123), overdue (RULE-SVC-124), the
 * skills (RULE-SVC-103) and a certificate's state (RULE-SVC-105).
 */
#include <string.h>

#include "core/err.h"
#include "service/service_admin_int.h"
#include "unit.h"

/* RULE-SVC-121: Monday to Friday count; a weekend is skipped; a month and a year roll over. */
static void
due_dates(void **state)
{
    (void)state;
    char d[11];
    static const struct {
        const char *from;
        int days;
        const char *due;
    } cases[] = {
        {"2026-12-02", 3, "2026-12-07"}, /* Wednesday → Monday */
        {"2026-12-04", 1, "2026-12-07"}, /* Friday → Monday */
        {"2026-12-05", 1, "2026-12-07"}, /* Saturday → Monday */
        {"2026-12-06", 3, "2026-12-09"}, /* Sunday → Wednesday */
        {"2026-12-30", 3, "2027-01-04"}, /* across the year */
        {"2026-12-02", 0, "2026-12-02"},
        {"2028-02-28", 1, "2028-02-29"}, /* a leap day (Tuesday) */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(service_due_date(cases[i].from, cases[i].days, d));
        assert_string_equal(d, cases[i].due);
    }
    assert_false(service_due_date("2026-02-30", 3, d));
    assert_false(service_due_date(NULL, 3, d));
    assert_false(service_due_date("2026-12-02", -1, d));
}

/* RULE-SVC-122: exactly three moves; a closed complaint never moves. */
static void
moves(void **state)
{
    (void)state;
    for (int f = 0; f < SVC_CP_NSTATES; f++)
        for (int t = 0; t < SVC_CP_NSTATES; t++) {
            bool allowed = (f == SVC_CP_OPEN && t != SVC_CP_OPEN) ||
                           (f == SVC_CP_HANDLING && t == SVC_CP_CLOSED);
            assert_int_equal(service_complaint_move(f, t), allowed ? AL_OK : AL_ECONFLICT);
        }
    assert_int_equal(service_complaint_move(-1, SVC_CP_CLOSED), AL_ECONFLICT);
    assert_string_equal(service_complaint_state_zh(SVC_CP_OPEN), "待处理");
    assert_string_equal(service_complaint_state_zh(SVC_CP_HANDLING), "处理中");
    assert_string_equal(service_complaint_state_zh(SVC_CP_CLOSED), "已办结");
    assert_int_equal(service_complaint_state_parse("handling"), SVC_CP_HANDLING);
    assert_int_equal(service_complaint_state_parse("pending"), -1);
    assert_null(service_complaint_state_id(SVC_CP_NSTATES));
}

/* RULE-SVC-123 and RULE-SVC-124. */
static void
results_and_overdue(void **state)
{
    (void)state;
    assert_string_equal(service_complaint_result_zh("upheld"), "投诉属实，已整改");
    assert_string_equal(service_complaint_result_zh("withdrawn"), "投诉人撤回");
    assert_null(service_complaint_result_zh("maybe"));
    assert_null(service_complaint_result_zh(NULL));
    assert_false(service_complaint_overdue("open", "2026-12-07", "2026-12-07")); /* its last day */
    assert_true(service_complaint_overdue("open", "2026-12-07", "2026-12-08"));
    assert_true(service_complaint_overdue("handling", "2026-12-07", "2027-01-01"));
    assert_false(service_complaint_overdue("closed", "2026-12-07", "2027-01-01"));
    assert_false(service_complaint_overdue("open", "", "2027-01-01"));
}

/* RULE-SVC-103 and RULE-SVC-105: the skills' names; expired after the last day, expiring within 30. */
static void
skills_and_certificates(void **state)
{
    (void)state;
    assert_string_equal(service_skill_zh("bathing"), "助浴");
    assert_null(service_skill_zh("flying"));
    assert_string_equal(service_cert_state("2026-12-01", "2026-12-02"), "expired");
    assert_string_equal(service_cert_state("2026-12-02", "2026-12-02"), "expiring");
    assert_string_equal(service_cert_state("2027-01-01", "2026-12-02"), "expiring"); /* day 30 */
    assert_string_equal(service_cert_state("2027-01-02", "2026-12-02"), "valid");
    assert_string_equal(service_cert_state(NULL, "2026-12-02"), "expired");
    char d[11];
    service_date_plus("2026-12-02", 30, d);
    assert_string_equal(d, "2027-01-01");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(due_dates),
        cmocka_unit_test(moves),
        cmocka_unit_test(results_and_overdue),
        cmocka_unit_test(skills_and_certificates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
