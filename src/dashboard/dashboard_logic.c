/* Pure rules of the dashboard module. */
#include "dashboard/dashboard_int.h"

/* RULE-DASH-001: "today" is the calendar day in China Standard Time (UTC+8, no DST). */
int64_t
dashboard_day_start(int64_t now)
{
    const int64_t off = 8 * 3600;
    int64_t local = now + off;
    int64_t day = local / 86400;
    if (local < 0 && local % 86400)
        day--;
    return day * 86400 - off;
}
