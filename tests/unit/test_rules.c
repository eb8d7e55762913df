/* Pure rules of the auth, user and dashboard modules (RULE-AUTH-*, RULE-USER-*, RULE-DASH-*). */
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "dashboard/dashboard_int.h"
#include "user/user_int.h"
#include "unit.h"

static void
password_rule(void **state)
{
    (void)state;
    /* RULE-AUTH-001 */
    assert_null(auth_password_problem("abcdefg1"));
    assert_non_null(auth_password_problem("abcdef1"));
    assert_non_null(auth_password_problem("abcdefgh"));
    assert_non_null(auth_password_problem("12345678"));
    char long_pw[140];
    memset(long_pw, 'a', 129);
    long_pw[0] = '1';
    long_pw[129] = '\0';
    assert_non_null(auth_password_problem(long_pw));
}

static void
session_expiry(void **state)
{
    (void)state;
    /* RULE-AUTH-002 */
    assert_false(auth_session_expired(1000, 1000 - 1800, 5000, 1800));
    assert_true(auth_session_expired(1000, 1000 - 1801, 5000, 1800));
    assert_true(auth_session_expired(5000, 4999, 5000, 1800));
    assert_int_equal(auth_touch_interval(1800), 60);
    assert_int_equal(auth_touch_interval(2), 0);
}

static void
account_lock(void **state)
{
    (void)state;
    /* RULE-AUTH-003 */
    int f;
    int64_t until;
    auth_account_failure(100, 3, 5, 900, &f, &until);
    assert_int_equal(f, 4);
    assert_int_equal(until, 0);
    auth_account_failure(100, 4, 5, 900, &f, &until);
    assert_int_equal(f, 0);
    assert_int_equal(until, 1000);
}

static void
address_throttle(void **state)
{
    (void)state;
    /* RULE-AUTH-004 */
    struct auth_ip_state s = {0}, t;
    auth_ip_failure(100, &s, 3, 60, &t);
    assert_int_equal(t.failures, 1);
    assert_int_equal(t.window_start, 100);
    s = t;
    auth_ip_failure(110, &s, 3, 60, &t);
    s = t;
    auth_ip_failure(120, &s, 3, 60, &t);
    assert_int_equal(t.failures, 3);
    assert_int_equal(t.blocked_until, 160);
    s = t;
    auth_ip_failure(200, &s, 3, 60, &t); /* a new window */
    assert_int_equal(t.failures, 1);
    assert_int_equal(t.window_start, 200);
    char txt[32];
    auth_retry_text(61, txt, sizeof(txt));
    assert_string_equal(txt, "2 分钟");
    auth_retry_text(5, txt, sizeof(txt));
    assert_string_equal(txt, "5 秒");
}

static void
usernames(void **state)
{
    (void)state;
    /* RULE-USER-001 */
    assert_null(user_username_problem("fg_civil"));
    assert_null(user_username_problem("a.b-c"));
    assert_non_null(user_username_problem("ab"));
    assert_non_null(user_username_problem("王芳芳"));
    assert_non_null(user_username_problem("has space"));
}

static void
china_day(void **state)
{
    (void)state;
    /* RULE-DASH-001: 2026-11-22 16:00 UTC is already 11-23 00:00 in China. */
    int64_t t = 1795363200; /* 2026-11-22T16:00:00Z */
    assert_int_equal(dashboard_day_start(t), t);
    assert_int_equal(dashboard_day_start(t - 1), t - 86400);
    assert_int_equal(dashboard_day_start(t + 86399), t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(password_rule),   cmocka_unit_test(session_expiry),
        cmocka_unit_test(account_lock),    cmocka_unit_test(address_throttle),
        cmocka_unit_test(usernames),       cmocka_unit_test(china_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
