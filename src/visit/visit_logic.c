/* Pure rules of welfare visits: tiers, periods, positions (docs/rules.md RULE-VISIT-*). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idcard.h"
#include "visit/visit_int.h"

static const char *const tier_ids[] = {"none", "general", "key", "high"};
static const char *const tier_names[] = {"非探访对象", "一般", "重点", "高风险"};
static const char *const every_ids[] = {"week", "month", "quarter"};

const char *const visit_targets_ids[5] = {"assessment", "service_order", "bed", "entitlement",
    NULL};
static const char *const target_names[] = {"能力评估申请", "服务工单", "家庭养老床位申请",
    "待遇核查"};
const char *const visit_need_kinds[8] = {"care", "health", "living", "safety", "economic",
    "mental", "other", NULL};
static const char *const need_kind_names[] = {"生活照料", "医疗健康", "居住条件", "安全隐患",
    "经济困难", "精神慰藉", "其他"};
const char *const visitor_kinds[5] = {"helper", "cadre", "volunteer", "provider", NULL};

/* The categories the tiers may name: the registry's (elder_logic.c) and destitute (特困). */
static const char *const known_cats[] = {"advanced_age", "living_alone", "empty_nest",
    "left_behind", "disabled", "severe_disability", "fp_special", "economic_difficulty",
    "entitled", "destitute", "life_threatening", NULL};

const char *
visit_tier_id(enum visit_tier t)
{
    return t >= VISIT_NONE && t <= VISIT_HIGH ? tier_ids[t] : "none";
}

const char *
visit_tier_name(enum visit_tier t)
{
    return t >= VISIT_NONE && t <= VISIT_HIGH ? tier_names[t] : tier_names[0];
}

int
visit_tier_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, tier_ids[i]) == 0)
            return i;
    return -1;
}

const char *
visit_every_id(enum visit_every e)
{
    return e >= VISIT_WEEK && e <= VISIT_QUARTER ? every_ids[e] : "month";
}

int
visit_every_parse(const char *s)
{
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, every_ids[i]) == 0)
            return i;
    return -1;
}

static const struct {
    int m;
    const char *id, *name;
} methods[] = {{VISIT_HOME, "home", "上门探访"}, {VISIT_PHONE, "phone", "电话"},
    {VISIT_VIDEO, "video", "视频"}, {VISIT_REMOTE, "remote", "远程监测"}};

int
visit_method_parse(const char *s)
{
    for (size_t i = 0; s && i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(s, methods[i].id) == 0)
            return methods[i].m;
    return 0;
}

const char *
visit_method_id(int m)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].m == m)
            return methods[i].id;
    return NULL;
}

const char *
visit_method_name(int m)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].m == m)
            return methods[i].name;
    return NULL;
}

/* Call fn for each item of a comma list (trimmed of nothing: ids have no spaces). */
static bool
list_next(const char **p, char *item, size_t size)
{
    while (**p == ',')
        (*p)++;
    if (!**p)
        return false;
    const char *e = strchr(*p, ',');
    size_t len = e ? (size_t)(e - *p) : strlen(*p);
    snprintf(item, size, "%.*s", (int)len, *p);
    *p += len;
    return true;
}

int
visit_methods_parse(const char *list)
{
    int mask = 0;
    char item[32];
    const char *p = list ? list : "";
    while (list_next(&p, item, sizeof(item))) {
        int m = visit_method_parse(item);
        if (!m)
            return -1;
        mask |= m;
    }
    return mask ? mask : -1;
}

void
visit_methods_text(int mask, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (mask & methods[i].m) {
            int w = snprintf(out + n, size - n, "%s%s", n ? "," : "", methods[i].id);
            if (w < 0 || (size_t)w >= size - n)
                return;
            n += (size_t)w;
        }
}

bool
visit_in_list(const char *const *list, const char *v)
{
    for (int i = 0; v && list[i]; i++)
        if (strcmp(list[i], v) == 0)
            return true;
    return false;
}

const char *
visit_categories_problem(const char *list, char *bad, size_t size)
{
    char item[32];
    const char *p = list ? list : "";
    int n = 0;
    while (list_next(&p, item, sizeof(item))) {
        n++;
        if (!visit_in_list(known_cats, item)) {
            snprintf(bad, size, "%s", item);
            return bad;
        }
    }
    if (!n) {
        snprintf(bad, size, "（空）");
        return bad;
    }
    return NULL;
}

static bool
in_comma_list(const char *list, const char *v)
{
    char item[32];
    const char *p = list ? list : "";
    while (list_next(&p, item, sizeof(item)))
        if (strcmp(item, v) == 0)
            return true;
    return false;
}

void
visit_rules_pick(const struct visit_rule *rules, int n, const char *region,
    const struct visit_rule *out[4])
{
    for (int t = 0; t < 4; t++)
        out[t] = NULL;
    /* RULE-VISIT-002: per tier, the longest region code that is a prefix of the residence. */
    for (int i = 0; i < n; i++) {
        const struct visit_rule *r = &rules[i];
        size_t len = strlen(r->region_code);
        if (r->tier < VISIT_GENERAL || r->tier > VISIT_HIGH || strncmp(r->region_code, region,
                                                                    len) != 0)
            continue;
        if (!out[r->tier] || strlen(out[r->tier]->region_code) < len)
            out[r->tier] = r;
    }
}

enum visit_tier
visit_tier_of(const struct visit_facts *f, const struct visit_rule *const r[4], char *reasons,
    size_t size)
{
    reasons[0] = '\0';
    if (!f->active)
        return VISIT_NONE;
    /* RULE-VISIT-001: the highest tier whose categories the elder has, at its minimum age. */
    for (int t = VISIT_HIGH; t >= VISIT_GENERAL; t--) {
        if (!r[t])
            continue;
        size_t n = 0;
        char item[32];
        const char *p = r[t]->categories;
        while (list_next(&p, item, sizeof(item))) {
            /* RULE-VISIT-066: a life-threatening condition counts at any age. */
            bool lt = strcmp(item, "life_threatening") == 0;
            if (!lt && f->age < r[t]->min_age)
                continue;
            bool has = lt ? f->life_threatening
                          : strcmp(item, "destitute") == 0 ? f->destitute
                                                          : in_comma_list(f->cats, item);
            if (!has)
                continue;
            int w = snprintf(reasons + n, size - n, "%s%s", n ? "," : "", item);
            if (w > 0 && (size_t)w < size - n)
                n += (size_t)w;
        }
        if (n)
            return (enum visit_tier)t;
    }
    return VISIT_NONE;
}

/* ---- dates ---- */

/* Copy `src` into `dst` of `size` bytes, cut if longer (a computed text that always fits). */
static void
copy_out(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
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
civil_from_days(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%04ld-%02ld-%02ld", y % 10000, m, d);
    copy_out(out, 11, tmp);
}

static bool
parse_date(const char *s, int *y, int *m, int *d)
{
    return s && al_date_valid(s) && sscanf(s, "%4d-%2d-%2d", y, m, d) == 3;
}

bool
visit_date_add(const char *date, long days, char out[11])
{
    int y, m, d;
    if (!parse_date(date, &y, &m, &d))
        return false;
    civil_from_days(days_from_civil(y, m, d) + days, out);
    return true;
}

bool
visit_days_between(const char *a, const char *b, long *days)
{
    int y1, m1, d1, y2, m2, d2;
    if (!parse_date(a, &y1, &m1, &d1) || !parse_date(b, &y2, &m2, &d2))
        return false;
    *days = days_from_civil(y2, m2, d2) - days_from_civil(y1, m1, d1);
    return true;
}

bool
visit_period(enum visit_every e, const char *date, char key[16], char start[11], char end[11])
{
    int y, m, d;
    if (!parse_date(date, &y, &m, &d))
        return false;
    long z = days_from_civil(y, m, d);
    if (e == VISIT_WEEK) {
        /* ISO week: Monday to Sunday; the year is the one of the week's Thursday. */
        long wd = ((z % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: Monday = 0 */
        long monday = z - wd;
        char thu[11];
        civil_from_days(monday + 3, thu);
        int ty = atoi(thu);
        long jan4 = days_from_civil(ty, 1, 4);
        long week1 = jan4 - (((jan4 % 7) + 7 + 3) % 7);
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "%04d-W%02ld", ty % 10000, (monday - week1) / 7 + 1);
        copy_out(key, 16, tmp);
        civil_from_days(monday, start);
        civil_from_days(monday + 6, end);
        return true;
    }
    int first_m = e == VISIT_MONTH ? m : ((m - 1) / 3) * 3 + 1;
    int next_m = first_m + (e == VISIT_MONTH ? 1 : 3);
    int next_y = y + (next_m > 12);
    if (next_m > 12)
        next_m -= 12;
    char tmp[64];
    if (e == VISIT_MONTH)
        snprintf(tmp, sizeof(tmp), "%04d-%02d", y, m);
    else
        snprintf(tmp, sizeof(tmp), "%04d-Q%d", y, (m - 1) / 3 + 1);
    copy_out(key, 16, tmp);
    civil_from_days(days_from_civil(y, first_m, 1), start);
    civil_from_days(days_from_civil(next_y, next_m, 1) - 1, end);
    return true;
}

bool
visit_month_bounds(const char *month, char first[11], char next[11])
{
    char date[16];
    if (!month || strlen(month) != 7)
        return false;
    memcpy(date, month, 7);
    memcpy(date + 7, "-01", 4);
    char key[16], last[11];
    if (!visit_period(VISIT_MONTH, date, key, first, last))
        return false;
    return visit_date_add(last, 1, next);
}

void
visit_event_due(int64_t now, int hours, char out[11])
{
    /* RULE-VISIT-021: due by the day (in China) of now + the tier's event hours. */
    al_date_cst(now + (int64_t)hours * 3600, out);
}

bool
visit_alarm_wants_visit(const char *outcome)
{
    /* RULE-VISIT-081 */
    return outcome && (strcmp(outcome, "real_emergency") == 0 ||
                          strcmp(outcome, "needed_help") == 0);
}

/* ---- position ---- */

const char *
visit_position_flag(bool have_pos, bool have_elder_pos, double distance_m, int max_m)
{
    /* RULE-VISIT-030: flag, never block. */
    if (!have_pos)
        return "no_position";
    if (!have_elder_pos)
        return "no_elder_position";
    return distance_m > max_m ? "far" : "ok";
}

int
visit_helpers_required(int64_t elders)
{
    /* RULE-VISIT-050: one helper per community, two above 500 elders. */
    return elders > 500 ? 2 : 1;
}

const char *
visit_target_name(const char *id)
{
    for (int i = 0; visit_targets_ids[i]; i++)
        if (id && strcmp(id, visit_targets_ids[i]) == 0)
            return target_names[i];
    return NULL;
}

const char *
visit_need_kind_name(const char *id)
{
    for (int i = 0; visit_need_kinds[i]; i++)
        if (id && strcmp(id, visit_need_kinds[i]) == 0)
            return need_kind_names[i];
    return NULL;
}

const char *
visitor_kind_of_role(const char *role)
{
    static const char *const map[][2] = {{"helper", "helper"}, {"township_officer", "cadre"},
        {"civil_officer", "cadre"}, {"volunteer", "volunteer"}, {"provider_admin", "provider"},
        {"caregiver", "provider"}};
    for (size_t i = 0; role && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(role, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/* ---- campaigns (RULE-VISIT-070) ---- */

const char *const visit_campaign_kinds[4] = {"weather", "festival", "other", NULL};

const char *
visit_campaign_kind_name(const char *id)
{
    static const char *const names[] = {"极端天气", "节日", "其他"};
    for (int i = 0; visit_campaign_kinds[i]; i++)
        if (id && strcmp(id, visit_campaign_kinds[i]) == 0)
            return names[i];
    return NULL;
}

const char *
visit_campaign_window_problem(const char *start, const char *end, const char *today,
    const char **field)
{
    long days = 0;
    *field = "start_date";
    if (!start || !visit_days_between(start, start, &days))
        return "开始日期格式应为 YYYY-MM-DD";
    *field = "end_date";
    if (!end || !visit_days_between(start, end, &days))
        return "结束日期格式应为 YYYY-MM-DD";
    if (days < 0)
        return "结束日期不能早于开始日期";
    if (days > 91)
        return "专项探访的时间窗口最长 92 天";
    if (strcmp(end, today) < 0)
        return "结束日期不能早于今天";
    return NULL;
}

const char *
visit_need_item(const char *kind)
{
    /* RULE-VISIT-086: the home service a need of each kind asks for when the referral names
     * none; the dispatcher may change the order before it is assigned. */
    static const char *const kinds[] = {"health", "care", "living", "safety", "mental", NULL};
    static const char *const items[] = {"zhuyi", "huli", "shenghuo", "xunhu", "weiji"};
    for (int i = 0; kind && kinds[i]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return items[i];
    return "xunhu"; /* economic, other: a visit of the 巡护 round first */
}

void
visit_referral_window(const char *deadline, const char *today, int64_t now, int64_t *start,
    int64_t *end)
{
    /* RULE-VISIT-087: a referred order's window: 09:00–11:00 (China Standard Time) of the
     * deadline's day, or from the next hour for two hours when the deadline is today. */
    struct tm t = {0};
    if (strcmp(deadline, today) > 0 &&
        sscanf(deadline, "%4d-%2d-%2d", &t.tm_year, &t.tm_mon, &t.tm_mday) == 3) {
        t.tm_year -= 1900;
        t.tm_mon -= 1;
        t.tm_hour = 1; /* 09:00 CST */
        *start = (int64_t)timegm(&t);
    } else {
        *start = now - now % 3600 + 3600;
    }
    *end = *start + 2 * 3600;
}

const char *
visit_target_state(const char *target, const char *status)
{
    /* RULE-VISIT-088: where a referral's target stands, from its own module's state. */
    static const char *const done[] = {"completed", "confirmed", "rated", "settled", /* order */
        "in_service", "review", /* bed */ "done", NULL};
    static const char *const ended[] = {"cancelled", "closed", "rejected", NULL};
    if (!target || !status)
        return NULL;
    for (int i = 0; done[i]; i++)
        if (strcmp(status, done[i]) == 0)
            return "done";
    for (int i = 0; ended[i]; i++)
        if (strcmp(status, ended[i]) == 0)
            return "ended";
    return "open";
}
