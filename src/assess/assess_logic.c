/* Pure rules of the capability assessment (GB/T 42195-2022). */
#include <ctype.h>
#include <string.h>

#include "assess/assess_int.h"

/* RULE-ASSESS-001: the 26 items, their score ranges (0..max) and domains. */
const struct assess_item assess_items[ASSESS_ITEMS] = {
    {"B.1.1", "进食", 4, 0}, {"B.1.2", "修饰", 4, 0}, {"B.1.3", "洗澡", 4, 0},
    {"B.1.4", "穿/脱上衣", 4, 0}, {"B.1.5", "穿/脱裤子和鞋袜", 4, 0}, {"B.1.6", "小便控制", 4, 0},
    {"B.1.7", "大便控制", 4, 0}, {"B.1.8", "如厕", 4, 0},
    {"B.2.1", "床上体位转移", 4, 1}, {"B.2.2", "床椅转移", 4, 1}, {"B.2.3", "平地行走", 4, 1},
    {"B.2.4", "上下楼梯", 3, 1},
    {"B.3.1", "时间定向", 4, 2}, {"B.3.2", "空间定向", 4, 2}, {"B.3.3", "人物定向", 4, 2},
    {"B.3.4", "记忆", 4, 2}, {"B.3.5", "理解能力", 4, 2}, {"B.3.6", "表达能力", 4, 2},
    {"B.3.7", "攻击行为", 1, 2}, {"B.3.8", "抑郁症状", 1, 2}, {"B.3.9", "意识水平", 2, 2},
    {"B.4.1", "视力", 2, 3}, {"B.4.2", "听力", 2, 3}, {"B.4.3", "执行日常事务", 4, 3},
    {"B.4.4", "使用交通工具外出", 3, 3}, {"B.4.5", "社会交往能力", 4, 3},
};
const char *const assess_domain_names[ASSESS_DOMAINS] = {"自理能力", "基础运动能力", "精神状态",
    "感知觉与社会参与"};
const char *const assess_risk_keys[ASSESS_RISKS] = {"fall", "choking", "self_harm", "wandering",
    "other"};
const char *const assess_level_names[5] = {"能力完好", "轻度失能", "中度失能", "重度失能",
    "完全失能"};

int
assess_level_of_total(int total)
{
    /* RULE-ASSESS-002: 90 → 0; 66–89 → 1; 46–65 → 2; 30–45 → 3; 0–29 → 4 */
    if (total >= 90)
        return 0;
    if (total >= 66)
        return 1;
    if (total >= 46)
        return 2;
    if (total >= 30)
        return 3;
    return 4;
}

void
assess_compute(const struct assess_input *in, const struct assess_settings *s,
    struct assess_result *out)
{
    memset(out, 0, sizeof(*out));
    if (in->coma) {
        /* RULE-ASSESS-003: in a coma the level is set directly (items not scored). */
        out->preliminary = out->final = s->coma_level;
        out->rules[out->nrules++] = "RULE-ASSESS-003";
        return;
    }
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        out->domain[assess_items[i].domain] += in->items[i];
        out->total += in->items[i];
    }
    out->preliminary = assess_level_of_total(out->total);
    out->rules[out->nrules++] = "RULE-ASSESS-002";
    int raise = 0;
    if (in->dementia || in->mental_disorder) {
        raise++; /* RULE-ASSESS-004 */
        out->rules[out->nrules++] = "RULE-ASSESS-004";
    }
    int events = 0;
    for (int i = 0; i < ASSESS_RISKS; i++)
        events += in->risk_events[i];
    if (events >= 2) {
        raise++; /* RULE-ASSESS-005 */
        out->rules[out->nrules++] = "RULE-ASSESS-005";
    }
    if (raise > 1 && !s->adjust_stack) {
        raise = 1; /* RULE-ASSESS-006 */
        out->rules[out->nrules++] = "RULE-ASSESS-006";
    }
    out->final = out->preliminary + raise;
    if (out->final > 4) {
        out->final = 4; /* RULE-ASSESS-007 */
        out->rules[out->nrules++] = "RULE-ASSESS-007";
    }
}

/* "F03" or "F03.9" → category letter + number; false when malformed. */
static bool
parse_code(const char *s, size_t n, char *letter, int *num)
{
    if (n < 3 || !isupper((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]))
        return false;
    if (n > 3) {
        if (s[3] != '.' || n == 4 || n > 8)
            return false;
        for (size_t i = 4; i < n; i++)
            if (!isalnum((unsigned char)s[i]))
                return false;
    }
    *letter = s[0];
    *num = (s[1] - '0') * 10 + (s[2] - '0');
    return true;
}

int
assess_icd10(const char *code, bool *dementia, bool *mental)
{
    const char *dash = strchr(code, '-');
    char l1, l2;
    int a, b;
    if (dash) {
        if (!parse_code(code, (size_t)(dash - code), &l1, &a) ||
            !parse_code(dash + 1, strlen(dash + 1), &l2, &b) || l1 != l2 || b < a)
            return -1;
    } else {
        if (!parse_code(code, strlen(code), &l1, &a))
            return -1;
        b = a;
    }
    if (l1 != 'F')
        return 0;
    /* RULE-ASSESS-004: dementia F00–F03; other mental or behavioural disorders F04–F99. */
    if (a <= 3)
        *dementia = true;
    if (b >= 4)
        *mental = true;
    return 0;
}
