/*
 * src/entitle/rule_*.c: the eligibility-rule language (RULE-EXPR-001..025):
 * errors with exact character positions, Chinese/ASCII/full-width
 * equivalence, parameters at dates, truth tables against a plain reference
 * evaluator, and explanation texts.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/text.h"
#include "elder/elder.h"
#include "elder/elder_int.h"
#include "entitle/facts.h"
#include "entitle/rule.h"
#include "unit.h"

static struct al_arena A;

/* Dated parameters, as the catalogue keeps them: the value in force is the latest from <= date. */
static const struct {
    const char *name, *from;
    int64_t value;
    const char *ref;
} params[] = {
    {"高龄年龄", "2000-01-01", 80, "示例省民政厅〔2020〕1 号 第三条"},
    {"高龄年龄", "2026-07-01", 75, "示例省民政厅〔2026〕5 号 第二条"},
    {"护理等级", "2000-01-01", 2, "示例省民政厅〔2021〕9 号 第四条"},
    {"超龄", "2000-01-01", 200, NULL},
};

static int
resolve(void *ctx, const char *name, const char *date, struct rule_param *out)
{
    (void)ctx;
    const char *best = NULL;
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
        if (!strcmp(params[i].name, name) && strcmp(params[i].from, date) <= 0 &&
            (!best || strcmp(params[i].from, best) > 0)) {
            best = params[i].from;
            out->value = params[i].value;
            out->reference = params[i].ref;
        }
    return best ? AL_OK : AL_ENOTFOUND;
}

static int
item(void *ctx, const char *name, int *bit, const char **label)
{
    (void)ctx;
    if (!strcmp(name, "高龄津贴") || !strcmp(name, "allowance")) {
        *bit = 3;
        *label = "高龄津贴";
        return AL_OK;
    }
    if (!strcmp(name, "护理补贴")) {
        *bit = 70;
        *label = "护理补贴";
        return AL_OK;
    }
    if (!strcmp(name, "越界项目")) {
        *bit = 500;
        return AL_OK;
    }
    return AL_ENOTFOUND;
}

static struct rule_env
env_at(const char *date, const char *region)
{
    return (struct rule_env){.date = date, .region = region, .param = resolve, .item = item,
        .item_bits = 128};
}

static struct rule *
ok_at(const char *text, const char *date)
{
    struct rule_env env = env_at(date, "520327000000");
    struct rule *r = NULL;
    struct rule_error err;
    int rc = rule_compile(&A, text, strlen(text), &env, &r, &err);
    if (rc != AL_OK)
        fail_msg("%s: %s", text, err.message);
    return r;
}

static struct rule *
ok(const char *text)
{
    return ok_at(text, "2026-12-02");
}

static void
err_is(const char *text, int column, const char *message)
{
    struct rule_env env = env_at("2026-12-02", NULL);
    struct rule *r = NULL;
    struct rule_error err;
    int rc = rule_compile(&A, text, strlen(text), &env, &r, &err);
    if (rc != AL_EINVAL)
        fail_msg("%s: compiled", text);
    assert_null(r);
    if (err.column != column || strcmp(err.message, message) != 0)
        fail_msg("%s\n  got      %d %s\n  expected %d %s", text, err.column, err.message, column,
            message);
}

/* RULE-EXPR-001: each error names the character column and what was expected. */
static void
errors_name_position_and_expectation(void **state)
{
    (void)state;
    /* RULE-EXPR-001: the example of issue 12, a field without a comparison. */
    err_is("年龄 >= 80 且 性别 且 能力等级 >= 2", 15,
        "第 15 个字符处：应为比较符号（>=、<= 等），实际为“且”");
    /* RULE-EXPR-007: type mismatch, a number field with an economic value. */
    err_is("年龄 属于 [特困]", 8, "第 8 个字符处：年龄应为数值或参数名，实际为“特困”");
    err_is("年龄 = \"80\"", 6, "第 6 个字符处：年龄应为数值或参数名，实际为“80”");
    err_is("体重 > 50", 1, /* RULE-EXPR-006 */
        "第 1 个字符处：未知字段“体重”（可用：年龄、地区、类别、能力等级、经济状况、残疾等级、"
        "本地户籍、居住情况、性别、已享受）");
    err_is("经济状况 >= 低保", 6,
        "第 6 个字符处：经济状况只能用 =、!=、属于、不属于 比较，实际为“>=”");
    err_is("经济状况 = 富裕", 8,
        "第 8 个字符处：经济状况没有“富裕”这个值（可用：特困、低保、低保边缘、低收入、一般）");
    err_is("居住情况 属于 [独居, 2]", 14,
        "第 14 个字符处：居住情况没有“2”这个值（可用：独居、仅与配偶、与子女、与他人、机构）");
    /* RULE-EXPR-011: unknown parameter, and a value out of the field's range. */
    err_is("年龄 >= 退休年龄", 7, "第 7 个字符处：未知参数“退休年龄”（或在 2026-12-02 无有效值）");
    err_is("年龄 >= 超龄", 7, "第 7 个字符处：参数“超龄”在 2026-12-02 的值为 200，年龄应在 0–150 之间");
    err_is("(年龄 >= 80 且 本地户籍", 17, "第 17 个字符处：应为“)”，实际为“结尾”");
    err_is("", 1, "第 1 个字符处：应为条件（如 年龄 >= 80），实际为“结尾”");
    err_is("   ", 4, "第 4 个字符处：应为条件（如 年龄 >= 80），实际为“结尾”");
    err_is("能力等级 >= 7", 9, "第 9 个字符处：能力等级应在 0–4 之间，实际为 7");
    err_is("地区 属于 [52032]", 8, /* RULE-EXPR-008 */ "第 8 个字符处：地区应为 2、4、6、9 或 12 位区划代码，实际为“52032”");
    err_is("性别 = “女", 6, "第 6 个字符处：引号未闭合");
    err_is("年龄 >= 80 年龄", 10, /* RULE-EXPR-005 */ "第 10 个字符处：应为“且”、“或”或结尾，实际为“年龄”");
    err_is("年龄 ! 80", 4, /* RULE-EXPR-002 */ "第 4 个字符处：“!”后应为“=”");
    err_is("年龄 >= 80 # x", 10, "第 10 个字符处：无法识别的字符“#”");
    err_is("已享受 不存在的项目", 5, /* RULE-EXPR-012 */ "第 5 个字符处：未知服务项目“不存在的项目”");
    err_is("已享受 越界项目", 5, "第 5 个字符处：未知服务项目“越界项目”");
    err_is("已享受 且", 5, "第 5 个字符处：应为服务项目名称，实际为“且”");
    err_is("残疾等级 <= 无", 9, /* RULE-EXPR-010 */ "第 9 个字符处：“无”只能用 =、!=、属于、不属于 比较");
    err_is("本地户籍 >= 1", 6, /* RULE-EXPR-009 */ "第 6 个字符处：本地户籍只能单独使用或用 = 是 / = 否，实际为“>=”");
    err_is("本地户籍 = 也许", 8, "第 8 个字符处：本地户籍应为“是”或“否”，实际为“也许”");
    err_is("年龄 属于 80", 7, "第 7 个字符处：应为“[”（如 [特困, 低保]），实际为“80”");
    err_is("经济状况 属于 [特困 低保]", 13, "第 13 个字符处：应为“,”或“]”，实际为“低保”");
    err_is("经济状况 属于 []", 10, "第 10 个字符处：应为值，实际为“]”");
    err_is("年龄 >= 99999999999999999999", 7, "第 7 个字符处：数值过大");
    err_is("年龄 >= 80 且 (或)", 13, "第 13 个字符处：应为条件（如 年龄 >= 80），实际为“或”");
    err_is("年龄 >= 80 且\xff", 11, "第 11 个字符处：不是有效的 UTF-8 文字");
    /* RULE-EXPR-015: nesting is bounded (the parser recurses); so are NUL and bad UTF-8. */
    char deep[512] = "";
    for (int i = 0; i < RULE_DEPTH_MAX + 1; i++)
        strcat(deep, "(");
    strcat(deep, "本地户籍");
    err_is(deep, RULE_DEPTH_MAX + 1, "第 33 个字符处：嵌套过深（最多 32 层）");
    /* A NUL inside the given length is refused, not a silent end. */
    struct rule_env env = env_at("2026-12-02", NULL);
    struct rule *r;
    struct rule_error err;
    assert_int_equal(rule_compile(&A, "本地户籍\0且", 13, &env, &r, &err), AL_EINVAL);
    assert_int_equal(err.column, 5);
    /* A message cut at its buffer's end is cut between characters (found by fuzz_rule). */
    char big[1024] = "";
    for (int i = 0; i < 150; i++)
        strcat(big, "长");
    assert_int_equal(rule_compile(&A, big, strlen(big), &env, &r, &err), AL_EINVAL);
    assert_int_equal(err.column, 1);
    assert_true(al_text_is_utf8(err.message, strlen(err.message)));
    assert_true(strlen(err.message) > 300);
    /* A bad date is the caller's error. */
    env.date = "2026-13-01";
    assert_int_equal(rule_compile(&A, "本地户籍", 12, &env, &r, &err), AL_EINVAL);
}

/* RULE-EXPR-002, RULE-EXPR-003: Chinese keywords, ASCII keywords, full-width symbols mean the
 * same; RULE-EXPR-004: they have one normalised text. */
static void
keywords_ascii_and_full_width_are_equivalent(void **state)
{
    (void)state;
    const char *want = "年龄 >= 80 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 2";
    const char *same[] = {
        "年龄 >= 80 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 2",
        "age >= 80 and economic in [tekun, dibao] and ability >= 2",
        "AGE>=80 AND Economic IN [tekun、dibao] And ability >= 2",
        "年龄＞＝80且经济状况属于［特困，低保］且能力等级≥2",
        "年龄>=80且经济状况属于【\"特困\"，“低保”】且能力等级>=2",
        "  年龄\t>=  80\n且　经济状况 属于 ['特困' , 「低保」] 且 能力等级 >= 2  ",
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        assert_string_equal(rule_text(ok(same[i])), want);

    assert_string_equal(rule_text(ok("not 本地户籍 or sex = F")), "非 本地户籍 或 性别 = 女");
    assert_string_equal(rule_text(ok("经济状况 not in [general]")), "经济状况 不属于 [一般]");
    assert_string_equal(rule_text(ok("经济状况不属于[一般]")), "经济状况 不属于 [一般]");
    const char *ne[] = {"能力等级 != 2", "能力等级 ≠ 2", "能力等级 <> 2", "能力等级 ！＝ 2",
        "ability != 2"};
    for (size_t i = 0; i < sizeof(ne) / sizeof(ne[0]); i++)
        assert_string_equal(rule_text(ok(ne[i])), "能力等级 != 2");
    assert_string_equal(rule_text(ok("（年龄 ＞ 60 或 年龄 ＜ 50）且 非（性别 ＝ 男）")),
        "(年龄 > 60 或 年龄 < 50) 且 非 性别 = 男");
    assert_string_equal(rule_text(ok("年龄<=60 and 年龄==59")), "年龄 <= 60 且 年龄 = 59");
    assert_string_equal(rule_text(ok("已享受高龄津贴 且 receives allowance")),
        "已享受 高龄津贴 且 已享受 高龄津贴");
    assert_string_equal(rule_text(ok("类别 属于 [独居, empty_nest] 且 地区 属于 [520327, 52]")),
        "类别 属于 [独居, 空巢] 且 地区 属于 [520327, 52]");
    assert_string_equal(rule_text(ok("本地户籍 = 否 且 local_hukou != no")),
        "本地户籍 = 否 且 本地户籍");
    assert_string_equal(rule_text(ok("残疾等级 = 无 或 disability in [none, 1]")),
        "残疾等级 = 无 或 残疾等级 属于 [无, 1]");
}

/* ---- facts ---- */

struct elder {
    const char *birth;
    const char *region, *hukou;
    int ability, economic, disability, living, sex;
    uint16_t cats;
    int recv; /* item bit or -1 */
};

static void
add(struct rule_facts *f, int64_t id, const struct elder *e)
{
    struct facts_row r = {.id = id, .birth = facts_parse_date(e->birth),
        .region = facts_parse_region(e->region), .hukou = facts_parse_region(e->hukou),
        .categories = e->cats, .ability = (int8_t)e->ability, .economic = (int8_t)e->economic,
        .disability = (int8_t)e->disability, .living = (int8_t)e->living, .sex = (int8_t)e->sex};
    int64_t row = facts_add(f, &r);
    assert_true(row >= 0);
    if (e->recv >= 0)
        facts_set_receives(f, (size_t)row, e->recv);
}

/* The six elders of the truth tables, evaluated on 2026-12-02. */
static const struct elder six[] = {
    /* 0: 86, destitute, level 3, local, alone, woman, receives 高龄津贴 */
    {"1940-05-01", "520327001001", "520327001002", 3, FACTS_TEKUN, 0, FACTS_ALONE, FACTS_FEMALE,
        1 << 1, 3},
    /* 1: exactly 80 today, general, not assessed, hukou elsewhere, man */
    {"1946-12-02", "520327002001", "510100001001", FACTS_UNKNOWN, FACTS_GENERAL, 2,
        FACTS_WITH_CHILDREN, FACTS_MALE, 0, -1},
    /* 2: 80 tomorrow, dibao, level 2, hukou not recorded, living unknown */
    {"1946-12-03", "520328001001", NULL, 2, FACTS_DIBAO, 1, FACTS_UNKNOWN, FACTS_FEMALE,
        1 << 2 | 1 << 5, 70},
    /* 3: 65, low income, level 0, local, institution */
    {"1961-01-01", "520327009001", "520327009001", 0, FACTS_LOW_INCOME, 4, FACTS_INSTITUTION,
        FACTS_MALE, 0, -1},
    /* 4: 75, dibao edge, level 4, local to the county only (hukou in another township) */
    {"1951-06-30", "520327001001", "520327100001", 4, FACTS_DIBAO_EDGE, 0, FACTS_SPOUSE_ONLY,
        FACTS_FEMALE, 1 << 0 | 1 << 8, -1},
    /* 5: 101, general, level 1, hukou in another county */
    {"1925-12-01", "530100001001", "520300001001", 1, FACTS_GENERAL, 3, FACTS_WITH_OTHERS,
        FACTS_MALE, 1 << 7, 3},
};

static void
load_six(struct rule_facts *f)
{
    facts_init(f, 128);
    for (int i = 0; i < 6; i++)
        add(f, 100 + i, &six[i]);
}

/* Which of the six hold `text`: "101000" etc. */
static void
truth(const struct rule_facts *f, const char *text, const char *want)
{
    struct rule *r = ok(text);
    char got[8] = "";
    uint64_t bits = 0;
    rule_eval(r, f, 0, 6, &bits);
    for (int i = 0; i < 6; i++) {
        got[i] = rule_eval_one(r, f, (size_t)i) ? '1' : '0';
        if ((char)('0' + (bits >> i & 1)) != got[i])
            fail_msg("%s: rule_eval and rule_eval_one differ at %d", text, i);
    }
    assert_true(bits >> 6 == 0);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s, expected %s", text, got, want);
}

/* Truth tables of every field and operator. */
static void
truth_tables(void **state)
{
    (void)state;
    struct rule_facts f;
    load_six(&f);
    /* RULE-EXPR-013: ages 86, 80 (birthday today), 79 (tomorrow), 65, 75, 101. */
    truth(&f, "年龄 >= 80", "110001");
    truth(&f, "年龄 > 80", "100001");
    truth(&f, "年龄 <= 79", "001110");
    truth(&f, "年龄 < 80", "001110");
    truth(&f, "年龄 = 80", "010000");
    truth(&f, "年龄 != 80", "101111");
    truth(&f, "年龄 属于 [79, 101]", "001001");
    truth(&f, "年龄 不属于 [79, 101]", "110110");
    /* RULE-EXPR-018: ability 3, unknown, 2, 0, 4, 1; unknown never matches, only 非 turns it. */
    truth(&f, "能力等级 >= 2", "101010");
    truth(&f, "能力等级 < 2", "000101");
    truth(&f, "能力等级 != 2", "100111");
    truth(&f, "能力等级 属于 [0, 4]", "000110");
    truth(&f, "非 能力等级 >= 2", "010101");
    /* Disability: none, 2, 1, 4, none, 3 (RULE-EXPR-010). */
    truth(&f, "残疾等级 <= 2", "011000");
    truth(&f, "残疾等级 >= 1", "011101");
    truth(&f, "残疾等级 = 无", "100010");
    truth(&f, "残疾等级 != 无", "011101");
    truth(&f, "残疾等级 != 2", "101111");
    truth(&f, "残疾等级 属于 [无, 1]", "101010");
    /* RULE-EXPR-007: economic tekun, general, dibao, low_income, dibao_edge, general. */
    truth(&f, "经济状况 属于 [特困, 低保]", "101000");
    truth(&f, "经济状况 不属于 [特困, 低保]", "010111");
    truth(&f, "经济状况 = 一般", "010001");
    truth(&f, "经济状况 != 一般", "101110");
    /* Living: alone, with_children, unknown, institution, spouse_only, with_others. */
    truth(&f, "居住情况 = 独居", "100000");
    truth(&f, "居住情况 != 独居", "010111");
    truth(&f, "居住情况 不属于 [独居, 机构]", "010011");
    truth(&f, "性别 = 女", "101010");
    truth(&f, "sex != F", "010101");
    /* Region prefixes (RULE-EXPR-008). */
    truth(&f, "地区 属于 [520327]", "110110");
    truth(&f, "地区 = 52", "111110");
    truth(&f, "地区 属于 [520327001001, 530100]", "100011");
    truth(&f, "地区 不属于 [520327]", "001001");
    truth(&f, "地区 != 520327001", "011101");
    /* 本地户籍 against the list's region 520327000000 (RULE-EXPR-009). */
    truth(&f, "本地户籍", "100110");
    truth(&f, "本地户籍 = 否", "011001");
    truth(&f, "非 本地户籍", "011001");
    /* RULE-EXPR-008: categories living_alone; none; empty_nest+severe; none;
     * advanced_age+entitled; economic_difficulty. */
    truth(&f, "类别 属于 [独居, 重残]", "101000");
    truth(&f, "类别 = 优抚对象", "000010");
    truth(&f, "类别 不属于 [独居, 高龄]", "011101");
    truth(&f, "类别 != 经济困难", "111110");
    /* Receiving (RULE-EXPR-012), bits 3 and 70 (the second word). */
    truth(&f, "已享受 高龄津贴", "100001");
    truth(&f, "已享受 护理补贴", "001000");
    truth(&f, "非 已享受 高龄津贴 且 非 已享受 护理补贴", "010110");
    const int *items;
    assert_int_equal(rule_items(ok("已享受 护理补贴 或 已享受 高龄津贴 或 receives allowance"),
                         &items), 2);
    assert_true(items[0] == 70 && items[1] == 3);
    assert_int_equal(rule_items(ok("年龄 >= 80"), &items), 0);
    /* RULE-EXPR-005: 且 binds tighter than 或. */
    truth(&f, "年龄 >= 80 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 2", "100000");
    truth(&f, "年龄 >= 80 或 经济状况 = 低保 且 能力等级 >= 2", "111001");
    truth(&f, "(年龄 >= 80 或 经济状况 = 低保) 且 能力等级 >= 2", "101000");
    truth(&f, "非 (年龄 >= 80 或 性别 = 女)", "000100");
    truth(&f, "非 非 本地户籍", "100110");
    facts_fini(&f);

    /* Facts carrying fewer items than the rule was compiled for: the item is not received. */
    facts_init(&f, 64);
    add(&f, 1, &six[2]);
    assert_false(rule_eval_one(ok("已享受 护理补贴"), &f, 0));
    assert_true(rule_eval_one(ok("非 已享受 护理补贴"), &f, 0));
    facts_fini(&f);

    /* Without a list region, 本地户籍 is the county of residence. */
    load_six(&f);
    struct rule_env env = env_at("2026-12-02", NULL);
    struct rule *r;
    struct rule_error err;
    assert_int_equal(rule_compile(&A, "本地户籍", strlen("本地户籍"), &env, &r, &err), AL_OK);
    const char *want = "100110";
    for (int i = 0; i < 6; i++)
        assert_int_equal(rule_eval_one(r, &f, (size_t)i), want[i] == '1');
    facts_fini(&f);
}

/* RULE-EXPR-014: a plain evaluator of a few rules checks the bitset engine on many rows and
 * ranges that start and end inside words and blocks. */
static int
age_at(const char *birth)
{
    int y, m, d;
    sscanf(birth, "%d-%d-%d", &y, &m, &d);
    return 2026 - y - (m > 12 || (m == 12 && d > 2));
}

static void
many_rows_match_a_plain_evaluator(void **state)
{
    (void)state;
    struct rule_facts f;
    facts_init(&f, 128);
    static char births[1000][16];
    srand(7);
    for (int i = 0; i < 1000; i++) {
        snprintf(births[i], sizeof(births[i]), "%04d-%02d-%02d", 1915 + rand() % 50,
            1 + rand() % 12, 1 + rand() % 28);
        struct elder e = {births[i], i % 3 ? "520327001001" : "520328001001",
            i % 5 ? "520327001001" : NULL, rand() % 6 - 1, rand() % 5, rand() % 5,
            rand() % 6 - 1, rand() % 2, (uint16_t)(rand() % 512), rand() % 4 ? -1 : 70};
        add(&f, i + 1, &e);
    }
    struct rule *r1 = ok("年龄 >= 80 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 2");
    struct rule *r2 = ok("(年龄 < 70 或 类别 = 独居) 且 非 已享受 护理补贴 且 本地户籍");
    uint64_t bits[16];
    /* Ranges that start and end inside words and blocks. */
    const size_t ranges[][2] = {{0, 1000}, {1, 999}, {63, 200}, {255, 258}, {700, 1}, {0, 0}};
    for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
        size_t from = ranges[k][0], n = ranges[k][1];
        for (int which = 0; which < 2; which++) {
            memset(bits, 0xAA, sizeof(bits));
            rule_eval(which ? r2 : r1, &f, from, n, bits);
            for (size_t i = 0; i < n; i++) {
                size_t row = from + i;
                bool want;
                if (!which)
                    want = age_at(births[row]) >= 80 &&
                           (f.economic[row] == FACTS_TEKUN || f.economic[row] == FACTS_DIBAO) &&
                           f.ability[row] >= 2;
                else
                    want = (age_at(births[row]) < 70 || (f.categories[row] & 2)) &&
                           !facts_receives(&f, row, 70) &&
                           f.hukou[row] / 1000000 == 520327;
                if ((bool)(bits[i / 64] >> (i % 64) & 1) != want)
                    fail_msg("rule %d row %zu: got %d", which + 1, row, !want);
            }
            if (n % 64)
                assert_true(bits[n / 64] >> (n % 64) == 0);
        }
    }
    facts_fini(&f);
}

/* RULE-EXPR-011: parameters are resolved at the rule's date, with their reference. */
static void
parameters_at_dates(void **state)
{
    (void)state;
    struct rule_facts f;
    facts_init(&f, 64);
    struct elder e = {"1949-03-01", "520327001001", NULL, 2, FACTS_GENERAL, 0, 0, 0, 0, -1};
    add(&f, 1, &e); /* 77 in 2026 */
    struct rule *before = ok_at("年龄 >= 高龄年龄", "2026-06-30");
    struct rule *after = ok_at("年龄 >= 高龄年龄", "2026-07-01");
    assert_false(rule_eval_one(before, &f, 0));
    assert_true(rule_eval_one(after, &f, 0));
    const char *const *names;
    assert_int_equal(rule_params(after, &names), 1);
    assert_string_equal(names[0], "高龄年龄");
    assert_null(names[1]);
    assert_int_equal(rule_params(ok("年龄 >= 高龄年龄 且 能力等级 >= 护理等级 且 年龄 < 高龄年龄"),
                         &names), 2);
    assert_string_equal(names[1], "护理等级");
    assert_string_equal(rule_text(after), "年龄 >= 高龄年龄");

    struct rule_explanation x;
    rule_explain(&A, before, &f, 0, &x);
    assert_string_equal(x.root->sentence, "年满 80 周岁：否（77 周岁）");
    assert_string_equal(x.root->param, "高龄年龄");
    assert_string_equal(x.root->reference, "示例省民政厅〔2020〕1 号 第三条");
    rule_explain(&A, after, &f, 0, &x);
    assert_string_equal(x.root->sentence, "年满 75 周岁：是（77 周岁）");
    assert_string_equal(x.root->reference, "示例省民政厅〔2026〕5 号 第二条");

    /* No value in force before the first date: the rule does not compile for that date. */
    struct rule_env env = env_at("1999-12-31", NULL);
    struct rule *r;
    struct rule_error err;
    assert_int_equal(rule_compile(&A, "年龄 >= 高龄年龄", strlen("年龄 >= 高龄年龄"), &env, &r,
                         &err), AL_EINVAL);
    assert_string_equal(err.message, "第 7 个字符处：未知参数“高龄年龄”（或在 1999-12-31 无有效值）");
    /* A resolver's storage error is passed on. */
    facts_fini(&f);
}

static int
broken(void *ctx, const char *name, const char *date, struct rule_param *out)
{
    (void)ctx, (void)name, (void)date, (void)out;
    return AL_EDB;
}

static void
resolver_errors_pass_through(void **state)
{
    (void)state;
    struct rule_env env = {.date = "2026-12-02", .param = broken};
    struct rule *r;
    struct rule_error err;
    assert_int_equal(rule_compile(&A, "年龄 >= x", strlen("年龄 >= x"), &env, &r, &err), AL_EDB);
    assert_string_equal(err.message, "第 7 个字符处：读取参数“x”失败");
    /* Without resolvers, names are unknown. */
    env.param = NULL;
    assert_int_equal(rule_compile(&A, "已享受 x", strlen("已享受 x"), &env, &r, &err), AL_EINVAL);
}

/* RULE-EXPR-020 (the tree and its sentences), RULE-EXPR-021 (wording of conditions),
 * RULE-EXPR-022 (wording of values), RULE-EXPR-023 (missing, closest 或 branch),
 * RULE-EXPR-024 (非), RULE-EXPR-025 (JSON), RULE-EXPR-016 (agrees with the evaluation). */
static void
explanations(void **state)
{
    (void)state;
    struct rule_facts f;
    load_six(&f);
    struct rule_explanation x;
    struct rule *r = ok("年龄 >= 高龄年龄 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 2");

    rule_explain(&A, r, &f, 0, &x);
    assert_true(x.eligible);
    assert_int_equal(x.root->kind, RULE_X_AND);
    assert_int_equal(x.root->nkids, 3);
    assert_string_equal(x.root->kids[0]->sentence, "年满 75 周岁：是（86 周岁）");
    assert_string_equal(x.root->kids[1]->sentence, "经济状况为特困或低保：是（特困）");
    assert_string_equal(x.root->kids[2]->sentence, "能力等级不低于 2 级：是（3 级，重度失能）");
    assert_int_equal(x.nmissing, 0);

    rule_explain(&A, r, &f, 1, &x);
    assert_false(x.eligible);
    assert_string_equal(x.root->kids[1]->sentence, "经济状况为特困或低保：否（一般）");
    assert_string_equal(x.root->kids[2]->sentence, "能力等级不低于 2 级：否（未评估）");
    assert_int_equal(x.root->kids[2]->column, 33);
    assert_int_equal(x.nmissing, 2);
    assert_string_equal(x.missing[0], "经济状况为特困或低保");
    assert_string_equal(x.missing[1], "能力等级不低于 2 级");

    struct rule *old = ok("年龄 >= 80");
    rule_explain(&A, old, &f, 0, &x);
    assert_string_equal(x.root->sentence, "年满 80 周岁：是（86 周岁）");
    assert_null(x.root->param);
    assert_null(x.root->reference);

    /* RULE-EXPR-023: under 或 the closest branch is reported; on a tie the first. */
    r = ok("(年龄 >= 80 且 能力等级 >= 2 且 本地户籍) 或 经济状况 = 特困");
    rule_explain(&A, r, &f, 3, &x); /* 65, level 0, local, low income: 2 vs 1 missing */
    assert_false(x.eligible);
    assert_int_equal(x.root->kind, RULE_X_OR);
    assert_int_equal(x.root->missing, 1);
    assert_int_equal(x.nmissing, 1);
    assert_string_equal(x.missing[0], "经济状况为特困");
    rule_explain(&A, r, &f, 1, &x); /* 80, unknown level, not local, general: 2 vs 1 */
    assert_string_equal(x.missing[0], "经济状况为特困");
    rule_explain(&A, r, &f, 4, &x); /* 75, level 4, local: 1 (age) vs 1: the first branch */
    assert_int_equal(x.nmissing, 1);
    assert_string_equal(x.missing[0], "年满 80 周岁");
    assert_string_equal(x.root->kids[0]->kids[2]->sentence,
        "具有本地户籍：是（户籍地 520327100001）");

    /* RULE-EXPR-024 */
    r = ok("年龄 >= 80 且 非 已享受 高龄津贴");
    rule_explain(&A, r, &f, 0, &x);
    assert_false(x.eligible);
    assert_string_equal(x.root->kids[1]->kids[0]->sentence, "已享受高龄津贴：是");
    assert_string_equal(x.root->kids[1]->sentence, "不满足“已享受高龄津贴”：否");
    assert_int_equal(x.nmissing, 1);
    assert_string_equal(x.missing[0], "不应满足：已享受高龄津贴");

    /* RULE-EXPR-021, RULE-EXPR-022: every field's sentence. */
    const struct {
        const char *rule;
        int row;
        const char *sentence;
    } s[] = {
        {"年龄 < 80", 2, "未满 80 周岁：是（79 周岁）"},
        {"年龄 > 100", 5, "年龄超过 100 周岁：是（101 周岁）"},
        {"年龄 <= 65", 3, "年龄不超过 65 周岁：是（65 周岁）"},
        {"年龄 属于 [79, 80]", 1, "年龄为 79 或 80 周岁：是（80 周岁）"},
        {"经济状况 属于 [特困, 低保, 低保边缘]", 5, "经济状况为特困、低保或低保边缘：否（一般）"},
        {"经济状况 不属于 [特困, 低保]", 5, "经济状况不为特困、低保：是（一般）"},
        {"居住情况 = 独居", 2, "居住情况为独居：否（未登记）"},
        {"性别 != 男", 0, "性别不为男：是（女）"},
        {"残疾等级 <= 2", 0, "残疾等级不高于 2 级：否（无残疾等级）"},
        {"残疾等级 <= 2", 1, "残疾等级不高于 2 级：是（2 级）"},
        {"残疾等级 = 无", 0, "无残疾等级：是（无残疾等级）"},
        {"地区 属于 [520327, 520328]", 2, "居住地区在 520327、520328 内：是（520328001001）"},
        {"地区 != 520327", 2, "居住地区不在 520327 内：是（520328001001）"},
        {"本地户籍 = 否", 2, "不具有本地户籍：是（户籍地未登记）"},
        {"类别 属于 [独居, 重残]", 2, "类别包括独居或重残：是（空巢、重残）"},
        {"类别 不属于 [独居]", 1, "类别不包括独居：是（无）"},
        {"能力等级 = 0", 3, "能力等级为 0 级：是（0 级，能力完好）"},
        {"能力等级 属于 [2, 3, 4]", 3, "能力等级为 2、3 或 4 级：否（0 级，能力完好）"},
        {"年龄 不属于 [64, 65]", 3, "年龄不为 64、65 周岁：否（65 周岁）"},
        {"残疾等级 不属于 [1, 2]", 3, "残疾等级不为 1、2 级：是（4 级）"},
        {"已享受 护理补贴", 1, "已享受护理补贴：否"},
    };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        struct rule *sr = ok(s[i].rule);
        rule_explain(&A, sr, &f, (size_t)s[i].row, &x);
        /* RULE-EXPR-016 */
        assert_int_equal(x.eligible, rule_eval_one(sr, &f, (size_t)s[i].row));
        assert_int_equal(x.eligible, x.nmissing == 0);
        if (strcmp(x.root->sentence, s[i].sentence) != 0)
            fail_msg("%s: %s", s[i].rule, x.root->sentence);
    }

    /* RULE-EXPR-025 */
    r = ok("年龄 >= 高龄年龄 且 (性别 = 女 或 非 本地户籍)");
    rule_explain(&A, r, &f, 3, &x);
    json_t *j = rule_explanation_json(&x);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text,
        "{\"conditions\":{\"column\":1,\"condition\":\"以下条件全部满足\",\"held\":false,"
        "\"kids\":[{\"column\":1,\"condition\":\"年满 75 周岁\",\"held\":false,\"kind\":"
        "\"condition\",\"missing\":1,\"param\":\"高龄年龄\",\"reference\":\"示例省民政厅〔2026〕5 "
        "号 第二条\",\"sentence\":\"年满 75 周岁：否（65 周岁）\",\"value\":\"65 周岁\"},"
        "{\"column\":15,\"condition\":\"以下条件满足其一\",\"held\":false,\"kids\":[{\"column\":15,"
        "\"condition\":\"性别为女\",\"held\":false,\"kind\":\"condition\",\"missing\":1,\"param\":"
        "null,\"reference\":null,\"sentence\":\"性别为女：否（男）\",\"value\":\"男\"},{\"column\":"
        "24,\"condition\":\"不满足“具有本地户籍”\",\"held\":false,\"kids\":[{\"column\":26,"
        "\"condition\":\"具有本地户籍\",\"held\":true,\"kind\":\"condition\",\"missing\":0,\"param\":"
        "null,\"reference\":null,\"sentence\":\"具有本地户籍：是（户籍地 520327009001）\",\"value\":"
        "\"户籍地 520327009001\"}],\"kind\":\"not\",\"missing\":1,\"param\":null,\"reference\":null,"
        "\"sentence\":\"不满足“具有本地户籍”：否\",\"value\":null}],\"kind\":\"or\",\"missing\":1,"
        "\"param\":null,\"reference\":null,\"sentence\":\"以下条件满足其一：否\",\"value\":null}],"
        "\"kind\":\"and\",\"missing\":2,\"param\":null,\"reference\":null,\"sentence\":"
        "\"以下条件全部满足：否\",\"value\":null},\"eligible\":false,\"missing\":[\"年满 75 周岁\","
        "\"性别为女\"]}");
    free(text);
    json_decref(j);
    facts_fini(&f);
}

/* The fact tables follow the elder module's category list and the table's enum values. */
static void
vocabulary_follows_the_elder_module(void **state)
{
    (void)state;
    for (int i = 0; elder_category_ids[i] || facts_category_ids[i]; i++) {
        assert_non_null(facts_category_ids[i]);
        assert_string_equal(facts_category_ids[i], elder_category_ids[i]);
    }
    /* The Chinese category names accepted by the language are the registry's. */
    struct rule_facts f;
    facts_init(&f, 64);
    struct elder e = {"1940-01-01", "520327001001", NULL, 0, 0, 0, 0, 0, 0, -1};
    for (int i = 0; elder_category_ids[i]; i++) {
        e.cats = (uint16_t)(1u << i);
        add(&f, i + 1, &e);
        char text[128];
        snprintf(text, sizeof(text), "类别 = %s", elder_category_name(elder_category_ids[i]));
        struct rule *r = ok(text);
        for (int j = 0; j <= i; j++)
            assert_int_equal(rule_eval_one(r, &f, (size_t)j), i == j);
    }
    facts_fini(&f);
    assert_int_equal(facts_index(facts_economic_values, "dibao_edge"), FACTS_DIBAO_EDGE);
    assert_int_equal(facts_index(facts_living_values, "institution"), FACTS_INSTITUTION);
    assert_int_equal(facts_index(facts_living_values, NULL), FACTS_UNKNOWN);
    assert_int_equal(facts_parse_date("1946-12-02"), 19461202);
    assert_int_equal(facts_parse_date("1946-12-2"), 0);
    assert_true(facts_parse_region("520327001001") == INT64_C(520327001001));
    assert_true(facts_parse_region("52032700100") == 0);
    assert_string_equal(rule_field_names[3], "能力等级");
    assert_string_equal(rule_field_ascii[3], "ability");
}

int
main(void)
{
    al_arena_init(&A, 1 << 16);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errors_name_position_and_expectation),
        cmocka_unit_test(keywords_ascii_and_full_width_are_equivalent),
        cmocka_unit_test(truth_tables),
        cmocka_unit_test(many_rows_match_a_plain_evaluator),
        cmocka_unit_test(parameters_at_dates),
        cmocka_unit_test(resolver_errors_pass_through),
        cmocka_unit_test(explanations),
        cmocka_unit_test(vocabulary_follows_the_elder_module),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    al_arena_fini(&A);
    return rc;
}
