/* The fields and values of the rule language (RULE-EXPR-007, RULE-EXPR-008). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

#include "entitle/rule_int.h"

const char *const rule_field_names[] = {"年龄", "地区", "类别", "能力等级", "经济状况",
    "残疾等级", "本地户籍", "居住情况", "性别", NULL};
const char *const rule_field_ascii[] = {"age", "region", "category", "ability", "economic",
    "disability", "local_hukou", "living", "sex", NULL};

static const char *const economic_labels[] = {"特困", "低保", "低保边缘", "低收入", "一般",
    NULL};
static const char *const living_labels[] = {"独居", "仅与配偶", "与子女", "与他人", "机构",
    NULL};
static const char *const sex_values[] = {"M", "F", NULL};
static const char *const sex_labels[] = {"男", "女", NULL};
/* The Chinese names of src/elder/elder_logic.c's elder_category_name, in the same order. */
static const char *const category_labels[] = {"高龄", "独居", "空巢", "留守", "失能", "重残",
    "计生特殊家庭", "经济困难", "优抚对象", NULL};
/* GB/T 42195-2022 levels (as src/assess/assess_logic.c names them). */
const char *const rule_ability_labels[] = {"能力完好", "轻度失能", "中度失能", "重度失能",
    "完全失能", NULL};

const struct rule_fdef rule_fdefs[RF_COUNT] = {
    [RF_AGE] = {"年龄", "age", RT_INT, 0, 150, NULL, NULL},
    [RF_REGION] = {"地区", "region", RT_REGION, 0, 0, NULL, NULL},
    [RF_CATEGORY] = {"类别", "category", RT_SET, 0, 0, facts_category_ids, category_labels},
    [RF_ABILITY] = {"能力等级", "ability", RT_INT, 0, 4, NULL, NULL},
    [RF_ECONOMIC] = {"经济状况", "economic", RT_ENUM, 0, 0, facts_economic_values,
        economic_labels},
    [RF_DISABILITY] = {"残疾等级", "disability", RT_INT, 1, 4, NULL, NULL},
    [RF_LOCAL] = {"本地户籍", "local_hukou", RT_BOOL, 0, 0, NULL, NULL},
    [RF_LIVING] = {"居住情况", "living", RT_ENUM, 0, 0, facts_living_values, living_labels},
    [RF_SEX] = {"性别", "sex", RT_ENUM, 0, 0, sex_values, sex_labels},
};

int
rule_value_code(const struct rule_fdef *d, const char *s)
{
    for (int i = 0; d->values && d->values[i]; i++)
        if (strcmp(d->values[i], s) == 0 || strcmp(d->labels[i], s) == 0)
            return i;
    return -1;
}

int
rule_age(int32_t birth, int32_t date)
{
    int age = date / 10000 - birth / 10000;
    if (date % 10000 < birth % 10000)
        age--;
    return age;
}

int
rule_fail(struct rule_error *err, int column, const char *fmt, ...)
{
    err->column = column;
    int n = snprintf(err->message, sizeof(err->message), "第 %d 个字符处：", column);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
    va_end(ap);
    /* A long word may be cut: never inside a character (the message goes out as JSON). */
    size_t len = strlen(err->message), end = len;
    while (end > 0 && ((unsigned char)err->message[end - 1] & 0xC0) == 0x80)
        end--;
    if (end > 0 && (unsigned char)err->message[end - 1] >= 0xC0) {
        unsigned char lead = (unsigned char)err->message[end - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (len - (end - 1) < need)
            err->message[end - 1] = 0;
    }
    return AL_EINVAL;
}
