/*
 * Home services, the order flow: pure rules of recurring plans (RULE-SVC-130..131) and of the
 * caregiver's answer time (RULE-SVC-140).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/service_flow_int.h"

int
service_pattern_parse(const char *s)
{
    if (s && strcmp(s, "weekly") == 0)
        return SVC_WEEKLY;
    if (s && strcmp(s, "monthly") == 0)
        return SVC_MONTHLY;
    return -1;
}

/* RULE-SVC-130 */
bool
service_plan_days(int pattern, const char *days, uint32_t *mask)
{
    int max = pattern == SVC_WEEKLY ? 7 : pattern == SVC_MONTHLY ? 31 : 0;
    *mask = 0;
    if (!days || !max)
        return false;
    const char *p = days;
    while (*p) {
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        char *end;
        long d = strtol(p, &end, 10);
        if (d < 1 || d > max || end - p > 2)
            return false;
        *mask |= 1u << d;
        p = end;
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 &&
                 (unsigned char)p[2] == 0x81) /* 、 */
            p += 3;
        else if (*p)
            return false;
    }
    return *mask != 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool
parse_date(const char *s, int *y, int *m, int *d)
{
    return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d", y, m, d) == 3 && *m >= 1 &&
           *m <= 12 && *d >= 1 && *d <= 31;
}

/* RULE-SVC-131 */
bool
service_plan_due(int pattern, uint32_t mask, const char *date)
{
    int y, m, d;
    if (!parse_date(date, &y, &m, &d))
        return false;
    if (pattern == SVC_MONTHLY)
        return (mask >> d) & 1u;
    long z = days_from_civil(y, m, d);
    int wd = (int)(((z % 7) + 7 + 3) % 7) + 1; /* 1970-01-01 was a Thursday (ISO 4) */
    return pattern == SVC_WEEKLY && ((mask >> wd) & 1u);
}

void
service_date_add(const char *date, int n, char out[11])
{
    int y, m, d;
    if (!parse_date(date, &y, &m, &d)) {
        out[0] = 0;
        return;
    }
    civil_from_days(days_from_civil(y, m, d) + n, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

/* RULE-SVC-140 */
bool
service_accept_overdue(int64_t assigned_at, int64_t now, int accept_min)
{
    return now >= assigned_at + (int64_t)accept_min * 60;
}
