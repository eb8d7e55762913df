/* Pure rules of the auth module (no I/O). */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/json.h"

const char *
auth_password_problem(const char *password)
{
    /* RULE-AUTH-001: characters, not bytes. */
    size_t n = al_utf8_len(password, strlen(password));
    if (n == (size_t)-1)
        n = strlen(password);
    if (n < 8)
        return "密码至少需要 8 个字符";
    if (n > 128)
        return "密码不能超过 128 个字符";
    bool letter = false, digit = false;
    for (const char *p = password; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
            letter = true;
        else if (*p >= '0' && *p <= '9')
            digit = true;
    }
    if (!letter || !digit)
        return "密码必须同时包含字母和数字";
    return NULL;
}

/* RULE-AUTH-002: a session ends after idle_s without use or abs_s after sign-in. */
bool
auth_session_expired(int64_t now, int64_t last_seen, int64_t expires_at, int idle_s)
{
    return now - last_seen > idle_s || now >= expires_at;
}

/* How long to wait before touching last_seen again: a tenth of the idle limit, at most 60 s. */
int64_t
auth_touch_interval(int idle_s)
{
    int64_t t = idle_s / 10;
    return t > 60 ? 60 : t;
}

/*
 * RULE-AUTH-003: account lock.  After `max_failures` consecutive failures the
 * account is locked for lock_s; the counter then starts again.
 */
void
auth_account_failure(int64_t now, int failures_before, int max_failures, int lock_s,
    int *failures_after, int64_t *locked_until)
{
    int f = failures_before + 1;
    if (f >= max_failures) {
        *failures_after = 0;
        *locked_until = now + lock_s;
    } else {
        *failures_after = f;
        *locked_until = 0;
    }
}

/*
 * RULE-AUTH-004: source-address throttle.  Failures are counted in a window
 * of window_s; reaching max_failures blocks the address until the window
 * ends.  A new window starts when the old one is over.
 */
void
auth_ip_failure(int64_t now, const struct auth_ip_state *before, int max_failures, int window_s,
    struct auth_ip_state *after)
{
    if (before->failures == 0 || now - before->window_start >= window_s) {
        after->failures = 1;
        after->window_start = now;
    } else {
        after->failures = before->failures + 1;
        after->window_start = before->window_start;
    }
    after->blocked_until =
        after->failures >= max_failures ? after->window_start + window_s : before->blocked_until;
}

/* Chinese "N 分钟" / "N 秒" for a retry delay. */
void
auth_retry_text(int seconds, char *out, size_t size)
{
    if (seconds >= 60)
        snprintf(out, size, "%d 分钟", (seconds + 59) / 60);
    else
        snprintf(out, size, "%d 秒", seconds < 1 ? 1 : seconds);
}
