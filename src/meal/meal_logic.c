/* Pure rules of meal assistance (issue 17): windows, licences, subsidy rules, caps, funds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idcard.h"
#include "meal/meal_int.h"

const char *const meal_names[] = {"breakfast", "lunch", "dinner", NULL};
const char *const meal_labels[] = {"早餐", "午餐", "晚餐", NULL};

/* Elder categories (src/elder) and the economic statuses a rule may require. */
const char *const meal_tag_values[] = {"advanced_age", "living_alone", "empty_nest",
    "left_behind", "disabled", "severe_disability", "fp_special", "economic_difficulty",
    "entitled", "tekun", "dibao", "dibao_edge", "low_income", NULL};
static const char *const tag_labels[] = {"高龄", "独居", "空巢", "留守", "失能", "重度失能",
    "计生特殊家庭", "经济困难", "优抚对象", "特困", "低保", "低保边缘", "低收入", NULL};

int
meal_kind_of(const char *s)
{
    for (int i = 0; s && meal_names[i]; i++)
        if (!strcmp(s, meal_names[i]))
            return i;
    return -1;
}

const char *
meal_tag_label(const char *tag)
{
    for (int i = 0; meal_tag_values[i]; i++)
        if (!strcmp(tag, meal_tag_values[i]))
            return tag_labels[i];
    return tag;
}

bool
meal_tag_valid(const char *tag)
{
    for (int i = 0; meal_tag_values[i]; i++)
        if (!strcmp(tag, meal_tag_values[i]))
            return true;
    /* RULE-MEAL-072: an item of the basic service list, "item:<key>". */
    if (strncmp(tag, MEAL_ITEM_TAG, strlen(MEAL_ITEM_TAG)) != 0)
        return false;
    const char *k = tag + strlen(MEAL_ITEM_TAG);
    size_t n = strlen(k);
    if (n < 1 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return false;
    return true;
}

/* "HH:MM" → minutes, or -1. */
static int
hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

int
meal_windows_read(const json_t *arr, struct meal_window w[MEAL_KINDS], int *n,
    struct al_errinfo *e)
{
    /* RULE-MEAL-002 */
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > MEAL_KINDS)
        return al_fail(e, AL_EINVAL, "windows", "供餐时段应为 1 到 3 个（早餐、午餐、晚餐）");
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        int k = meal_kind_of(json_string_value(json_object_get(v, "meal")));
        int from = hhmm(json_string_value(json_object_get(v, "from")));
        int to = hhmm(json_string_value(json_object_get(v, "to")));
        if (k < 0)
            return al_fail(e, AL_EINVAL, "windows",
                "供餐时段第 %zu 项的餐次应为 breakfast（早餐）、lunch（午餐）或 dinner（晚餐）", i + 1);
        if (from < 0 || to < 0 || from >= to)
            return al_fail(e, AL_EINVAL, "windows",
                "%s供餐时段应为 HH:MM 格式的开始和结束时间，且开始早于结束", meal_labels[k]);
        for (int j = 0; j < *n; j++) {
            if (w[j].meal == k)
                return al_fail(e, AL_EINVAL, "windows", "%s供餐时段重复", meal_labels[k]);
            if (from < w[j].to_min && w[j].from_min < to)
                return al_fail(e, AL_EINVAL, "windows", "%s与%s的供餐时段重叠", meal_labels[k],
                    meal_labels[w[j].meal]);
        }
        w[*n] = (struct meal_window){.meal = k, .from_min = from, .to_min = to};
        (*n)++;
    }
    return AL_OK;
}

int
meal_window_at(const struct meal_window *w, int n, int min)
{
    for (int i = 0; i < n; i++)
        if (min >= w[i].from_min && min < w[i].to_min)
            return w[i].meal;
    return -1;
}

/* Days since 1970-01-01 of a valid "YYYY-MM-DD" (civil calendar). */
static long
day_number(const char *d)
{
    int y = atoi(d), m = atoi(d + 5), dd = atoi(d + 8);
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
meal_date_add(const char *date, int days, char out[11])
{
    long z = day_number(date) + days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    char buf[64];
    snprintf(buf, sizeof(buf), "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

const char *
meal_licence_state(const char *expiry, const char *date)
{
    /* RULE-MEAL-003 */
    if (!expiry || !al_date_valid(expiry) || strcmp(expiry, date) < 0)
        return "expired";
    return day_number(expiry) - day_number(date) <= 30 ? "expiring" : "valid";
}

bool
meal_tags_meet(const char *need, const char *tags)
{
    /* RULE-MEAL-011: every tag of `need` is among `tags`. */
    const char *p = need;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool found = false;
        const char *q = tags;
        while (q && *q && !found) {
            const char *qe = strchr(q, ',');
            size_t ql = qe ? (size_t)(qe - q) : strlen(q);
            found = ql == len && !memcmp(p, q, len);
            q = qe ? qe + 1 : NULL;
        }
        if (len && !found)
            return false;
        p = end ? end + 1 : NULL;
    }
    return true;
}

int
meal_rule_pick(const struct meal_rule *rules, int n, int meal, const char *tags)
{
    /* RULE-MEAL-010: the deepest level that sets rules for this meal decides alone. */
    int depth = -1;
    for (int i = 0; i < n; i++)
        if (rules[i].meal == meal && rules[i].depth > depth)
            depth = rules[i].depth;
    int best = -1;
    for (int i = 0; i < n; i++) {
        const struct meal_rule *r = &rules[i];
        if (r->meal != meal || r->depth != depth || !meal_tags_meet(r->tags, tags))
            continue;
        /* RULE-MEAL-011: the highest amount the diner qualifies for; subsidies never add up. */
        if (best < 0 || r->amount_fen > rules[best].amount_fen ||
            (r->amount_fen == rules[best].amount_fen && r->id < rules[best].id))
            best = i;
    }
    return best;
}

void
meal_fund_split(int64_t subsidy_fen, const int pct[4], int64_t out[4])
{
    /* RULE-MEAL-014: largest remainder, so the parts add up to the subsidy exactly. */
    int64_t rem[4], given = 0;
    for (int i = 0; i < 4; i++) {
        out[i] = subsidy_fen * pct[i] / 100;
        rem[i] = subsidy_fen * pct[i] % 100;
        given += out[i];
    }
    for (int64_t left = subsidy_fen - given; left > 0; left--) {
        int k = -1;
        for (int i = 0; i < 4; i++)
            if (pct[i] > 0 && (k < 0 || rem[i] > rem[k]))
                k = i;
        if (k < 0)
            k = 3;
        out[k]++;
        rem[k] = -1;
    }
}

void
meal_decide(const struct meal_decide_in *in, struct meal_decision *out)
{
    /* RULE-MEAL-013 */
    memset(out, 0, sizeof(*out));
    out->flag = "";
    if (in->status_stopped)
        out->flag = "after_status"; /* RULE-MEAL-040 */
    else if (!in->licence_ok)
        out->flag = "licence_expired"; /* RULE-MEAL-003 */
    else if (in->window_taken)
        out->flag = "duplicate_window"; /* RULE-MEAL-022 */
    else if (in->subsidised_today >= in->daily_cap)
        out->flag = "daily_cap"; /* RULE-MEAL-012 */
    else if (!in->rule)
        out->flag = "no_rule";
    if (!*out->flag) {
        out->subsidy_fen = in->rule->amount_fen < in->price_fen ? in->rule->amount_fen
                                                                 : in->price_fen;
        meal_fund_split(out->subsidy_fen, in->rule->pct, out->fund_fen);
    }
    out->diner_fen = in->price_fen - out->subsidy_fen;
}

const char *
meal_flag_label(const char *flag)
{
    static const struct {
        const char *flag, *label;
    } labels[] = {
        {"after_status", "就餐日期在老人死亡或迁出之后：不予补贴，不计入结算"},
        {"licence_expired", "食品经营许可证已过期：不予补贴"},
        {"duplicate_window", "本餐次已享受过补贴：按原价收费"},
        {"daily_cap", "当日补贴餐次已达上限：按原价收费"},
        {"no_rule", "不符合助餐补贴条件：按原价收费"},
    };
    for (size_t i = 0; flag && i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(flag, labels[i].flag))
            return labels[i].label;
    return NULL;
}

int
meal_area_urban(const char *code, const char *name)
{
    /* RULE-MEAL-050 */
    if (name && (strstr(name, "社区") || strstr(name, "居委会") || strstr(name, "居民委员会")))
        return 1;
    if (name && strstr(name, "村"))
        return 0;
    return code && strlen(code) == 12 && atoi(code + 9) < 200;
}

bool
meal_month_valid(const char *s)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return false;
    char d[11];
    snprintf(d, sizeof(d), "%s-01", s);
    return al_date_valid(d);
}

int64_t
meal_day_start(const char *date)
{
    /* 00:00 China Standard Time (UTC+8) of "YYYY-MM-DD"; -1 when it is not a date. */
    int y, m, d, n = 0;
    if (!date || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    return (int64_t)timegm(&tm) - 8 * 3600;
}

int64_t
meal_order_cutoff(const char *date, int window_from_min)
{
    /* RULE-MEAL-062: orders close (and may no longer be cancelled) 2 hours before the window. */
    int64_t day = meal_day_start(date);
    return day < 0 ? -1 : day + (int64_t)window_from_min * 60 - MEAL_ORDER_CUTOFF_MIN * 60;
}
