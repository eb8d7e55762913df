/* src/entitle/entitle_logic.c: levels, standards, funding shares, parameters, the merge of levels. */
#include <string.h>

#include "core/arena.h"
#include "entitle/entitle_int.h"
#include "entitle/facts.h"
#include "entitle/rule.h"
#include "unit.h"

static struct al_arena arena;

static void
levels(void **state)
{
    (void)state;
    /* RULE-ENT-010 */
    assert_int_equal(entitle_level_of(""), ENT_NATIONAL);
    assert_int_equal(entitle_level_of("52"), ENT_PROVINCE);
    assert_int_equal(entitle_level_of("5203"), ENT_CITY);
    assert_int_equal(entitle_level_of("520327"), ENT_COUNTY);
    assert_int_equal(entitle_level_of("520327001"), -1);
    assert_int_equal(entitle_level_of("52a3"), -1);
    char chain[ENT_LEVELS][13];
    int n = 0;
    assert_int_equal(entitle_chain("520327001001", chain, &n), AL_OK);
    assert_int_equal(n, 4);
    assert_string_equal(chain[0], "");
    assert_string_equal(chain[1], "52");
    assert_string_equal(chain[2], "5203");
    assert_string_equal(chain[3], "520327");
    assert_int_equal(entitle_chain("", chain, &n), AL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(entitle_chain("5203271", chain, &n), AL_EINVAL);
    char up[13];
    entitle_approver_of("520327", up);
    assert_string_equal(up, "5203");
    entitle_approver_of("52", up);
    assert_string_equal(up, "");
    entitle_approver_of("", up);
    assert_string_equal(up, "");
}

static struct entitle_std
amount(int64_t fen, const char *period)
{
    return (struct entitle_std){.kind = ENT_STD_AMOUNT, .amount_fen = fen, .period = period};
}

static void
standards(void **state)
{
    (void)state;
    /* RULE-ENT-012: the same period directly, other periods per year, once only with once. */
    int cmp = 9;
    const char *why = NULL;
    struct entitle_std a = amount(10000, "month"), b = amount(8000, "month");
    assert_int_equal(entitle_std_cmp(&a, &b, &cmp, &why), AL_OK);
    assert_true(cmp > 0);
    assert_int_equal(entitle_std_cmp(&b, &a, &cmp, &why), AL_OK);
    assert_true(cmp < 0);
    struct entitle_std y = amount(120000, "year");
    assert_int_equal(entitle_std_cmp(&y, &a, &cmp, &why), AL_OK);
    assert_int_equal(cmp, 0);
    struct entitle_std d = amount(330, "day"); /* 120450 a year */
    assert_int_equal(entitle_std_cmp(&d, &a, &cmp, &why), AL_OK);
    assert_true(cmp > 0);
    struct entitle_std once = amount(300000, "once");
    assert_int_equal(entitle_std_cmp(&once, &a, &cmp, &why), AL_EINVAL);
    assert_string_equal(why, "一次性标准只能与一次性标准比较");
    struct entitle_std once2 = amount(200000, "once");
    assert_int_equal(entitle_std_cmp(&once, &once2, &cmp, &why), AL_OK);
    assert_true(cmp > 0);
    struct entitle_std f = {.kind = ENT_STD_FREQUENCY, .times = 4, .period = "month"};
    assert_int_equal(entitle_std_cmp(&f, &a, &cmp, &why), AL_EINVAL);
    struct entitle_std w = {.kind = ENT_STD_TEXT, .text = "优先入住"};
    assert_int_equal(entitle_std_cmp(&w, &w, &cmp, &why), AL_EINVAL);
    assert_string_equal(entitle_std_text(&arena, &a), "每月 100.00 元");
    assert_string_equal(entitle_std_text(&arena, &d), "每天 3.30 元");
    assert_string_equal(entitle_std_text(&arena, &once), "一次性 3000.00 元");
    assert_string_equal(entitle_std_text(&arena, &f), "每月 4 次");
    assert_string_equal(entitle_std_text(&arena, &w), "优先入住");
    /* RULE-ENT-003 */
    struct al_errinfo e = {0};
    json_t *s = json_pack("{s:s, s:i}", "standard_kind", "amount", "amount_fen", 100);
    assert_int_equal(entitle_std_check(s, &e), AL_EINVAL);
    assert_string_equal(e.field, "period");
    json_object_set_new(s, "period", json_string("month"));
    assert_int_equal(entitle_std_check(s, &e), AL_OK);
    json_object_set_new(s, "standard_kind", json_string("frequency"));
    assert_int_equal(entitle_std_check(s, &e), AL_EINVAL);
    assert_string_equal(e.field, "times");
    json_decref(s);
}

static void
funds(void **state)
{
    (void)state;
    /* RULE-ENT-002 */
    struct al_errinfo e = {0};
    const int64_t ok[4] = {0, 50, 25, 25}, short_[4] = {0, 50, 25, 15}, over[4] = {0, 101, 0, 0},
                  neg[4] = {0, 50, 60, -10};
    assert_int_equal(entitle_fund_check(ok, &e), AL_OK);
    assert_int_equal(entitle_fund_check(short_, &e), AL_EINVAL);
    assert_string_equal(e.field, "fund_national_pct");
    assert_non_null(strstr(e.message, "现为 90%"));
    assert_int_equal(entitle_fund_check(over, &e), AL_EINVAL);
    assert_string_equal(e.field, "fund_province_pct");
    assert_int_equal(entitle_fund_check(neg, &e), AL_EINVAL);
    assert_string_equal(e.field, "fund_county_pct");
    /* RULE-ENT-001 */
    assert_true(entitle_key_ok("gaoling_jintie"));
    assert_true(entitle_key_ok("xiaofei_butie_2025"));
    assert_false(entitle_key_ok("Gaoling"));
    assert_false(entitle_key_ok("1abc"));
    assert_false(entitle_key_ok("a"));
    assert_false(entitle_key_ok("a-b"));
}

static json_t *
add(const char *region, const char *key, int version, int64_t fen, const char *from)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:s, s:s, s:s}", "region_code", region,
        "item_key", key, "kind", "add", "list_version", version, "standard_kind", "amount",
        "amount_fen", (json_int_t)fen, "period", "month", "name", key, "effective_from", from);
}

static json_t *
raise_(const char *region, const char *key, int version, int64_t fen)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:s}", "region_code", region, "item_key",
        key, "kind", "raise", "list_version", version, "standard_kind", "amount", "amount_fen",
        (json_int_t)fen, "period", "month");
}

static const json_t *
find(const json_t *items, const char *key)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "item_key")), key) == 0)
            return it;
    }
    return NULL;
}

static void
merge(void **state)
{
    (void)state;
    /* RULE-ENT-011, RULE-ENT-013, RULE-ENT-015 */
    json_t *e = json_array();
    json_array_append_new(e, add("", "a", 1, 5000, "2020-01-01"));
    json_array_append_new(e, add("", "b", 1, 1000, "2020-01-01"));
    json_array_append_new(e, add("", "late", 1, 1000, "2030-01-01"));
    json_array_append_new(e, add("", "b", 2, 1500, "2020-01-01")); /* national v2 of b */
    json_array_append_new(e, raise_("52", "a", 1, 10000));
    json_array_append_new(e, add("52", "p", 1, 700, "2020-01-01"));
    json_array_append_new(e, raise_("52", "gone", 1, 700)); /* no upper item: dropped */
    json_array_append_new(e, raise_("520327", "a", 1, 9000)); /* below the province: superseded */
    json_array_append_new(e, raise_("520327", "b", 1, 2000));
    json_t *m = entitle_merge(&arena, e, "520327", "2026-01-01");
    assert_int_equal(json_array_size(m), 3);
    const json_t *a = find(m, "a"), *b = find(m, "b"), *p = find(m, "p");
    assert_int_equal(json_integer_value(json_object_get(a, "amount_fen")), 10000);
    assert_string_equal(json_string_value(json_object_get(a, "standard_region")), "52");
    assert_string_equal(json_string_value(json_object_get(a, "upper_standard")), "每月 50.00 元");
    assert_int_equal(json_array_size(json_object_get(a, "superseded")), 1);
    assert_true(json_is_true(json_object_get(a, "raised")));
    assert_true(json_is_true(json_object_get(a, "inherited")));
    assert_int_equal(json_integer_value(json_object_get(b, "amount_fen")), 2000);
    assert_string_equal(json_string_value(json_object_get(b, "upper_standard")), "每月 15.00 元");
    assert_string_equal(json_string_value(json_object_get(p, "origin_region")), "52");
    assert_false(json_is_true(json_object_get(p, "raised")));
    assert_null(find(m, "late"));
    assert_null(find(m, "gone"));
    json_decref(m);
    /* Seen from the province, its own item is not inherited; no date: every item. */
    m = entitle_merge(&arena, e, "52", NULL);
    assert_int_equal(json_array_size(m), 4);
    assert_false(json_is_true(json_object_get(find(m, "p"), "inherited")));
    json_decref(m);
    json_decref(e);
}

static void
params(void **state)
{
    (void)state;
    /* RULE-ENT-020 */
    json_t *p = json_pack("[{s:s, s:s, s:i, s:s}, {s:s, s:s, s:i, s:s}, {s:s, s:s, s:i, s:s},"
                          " {s:s, s:s, s:i, s:s}]",
        "region_code", "", "name", "高龄年龄", "value", 80, "valid_from", "2020-01-01",
        "region_code", "", "name", "高龄年龄", "value", 85, "valid_from", "2028-01-01",
        "region_code", "520327", "name", "高龄年龄", "value", 75, "valid_from", "2027-01-01",
        "region_code", "", "name", "老年人年龄", "value", 60, "valid_from", "2013-07-01");
    assert_null(entitle_param_at(p, "高龄年龄", "2019-12-31"));
    assert_int_equal(json_integer_value(json_object_get(entitle_param_at(p, "高龄年龄", "2020-01-01"), "value")), 80);
    assert_int_equal(json_integer_value(json_object_get(entitle_param_at(p, "高龄年龄", "2027-01-01"), "value")), 75);
    /* The county's value stays the county's even after a later national one. */
    assert_int_equal(json_integer_value(json_object_get(entitle_param_at(p, "高龄年龄", "2029-01-01"), "value")), 75);
    assert_int_equal(json_integer_value(json_object_get(entitle_param_at(p, "老年人年龄", "2026-01-01"), "value")), 60);
    assert_null(entitle_param_at(p, "无此参数", "2026-01-01"));
    json_decref(p);
}

/* RULE-ENT-040, RULE-ENT-041, RULE-ENT-043, RULE-ENT-044: rules against the catalogue's data. */
static void
rules_joined(void **state)
{
    (void)state;
    json_t *params = json_pack("[{s:s, s:s, s:i, s:s, s:s}, {s:s, s:s, s:i, s:s, s:s}]",
        "region_code", "", "name", "高龄年龄", "value", 80, "valid_from", "2020-01-01", "legal_ref",
        "国家文件", "region_code", "520327", "name", "高龄年龄", "value", 75, "valid_from",
        "2027-01-01", "legal_ref", "县文件");
    json_t *items = json_pack("[{s:s, s:s}, {s:s, s:s}]", "item_key", "gaoling_jintie", "name",
        "高龄津贴", "item_key", "tekun_gongyang", "name", "特困供养");
    struct rule *r = NULL;
    struct rule_error err;
    /* Parameters at the date, the county's own value winning after its date. */
    assert_int_equal(entitle_rule_compile(&arena, "年龄 >= 高龄年龄 且 非 已享受 tekun_gongyang",
                         "520327", "2026-06-01", params, items, &r, &err), AL_OK);
    assert_string_equal(rule_text(r), "年龄 >= 高龄年龄 且 非 已享受 特困供养");
    const int *bits;
    assert_int_equal(rule_items(r, &bits), 1);
    assert_int_equal(bits[0], 1);
    assert_int_equal(entitle_rule_compile(&arena, "年龄 >= 高龄年龄 且", "520327", "2026-06-01",
                         params, items, &r, &err), AL_EINVAL);
    assert_int_equal(err.column, 13);
    assert_int_equal(entitle_rule_compile(&arena, "年龄 >= 高龄年龄", "520327", "2019-01-01", params,
                         items, &r, &err), AL_EINVAL); /* no value yet on that date */
    assert_int_equal(entitle_rule_compile(&arena, "已享受 无此项目", "520327", "2026-06-01", params,
                         items, &r, &err), AL_EINVAL);
    /* Examples: record field names; 77 is under 80 in 2026 and over 75 in 2027. */
    json_t *ex = json_pack("{s:{s:s, s:s, s:[s]}, s:s, s:b}", "facts", "birth_date", "1950-01-01",
        "economic_status", "tekun", "receiving", "tekun_gongyang", "on_date", "2026-06-01",
        "expected", 0);
    bool got = true;
    assert_int_equal(entitle_example_run(&arena, "年龄 >= 高龄年龄", "520327", ex, params, items,
                         &got, &err), AL_OK);
    assert_false(got);
    json_object_set_new(ex, "on_date", json_string("2027-06-01"));
    assert_int_equal(entitle_example_run(&arena, "年龄 >= 高龄年龄", "520327", ex, params, items,
                         &got, &err), AL_OK);
    assert_true(got);
    assert_int_equal(entitle_example_run(&arena, "年龄 >= 高龄年龄 且 非 已享受 特困供养", "520327",
                         ex, params, items, &got, &err), AL_OK);
    assert_false(got);
    assert_int_equal(entitle_example_run(&arena, "经济状况 = 特困 且 居住情况 = 独居", "520327", ex,
                         params, items, &got, &err), AL_OK);
    assert_false(got); /* living arrangement not recorded: unknown */
    /* Facts that do not read name the field. */
    struct rule_facts f;
    const char *bad = NULL;
    facts_init(&f, 2);
    json_t *bad_facts = json_pack("{s:s, s:i}", "birth_date", "1950-01-01", "ability_level", 7);
    assert_int_equal(entitle_example_facts(bad_facts, items, &f, &bad), AL_EINVAL);
    assert_string_equal(bad, "ability_level");
    json_object_set_new(bad_facts, "ability_level", json_integer(3));
    json_object_set_new(bad_facts, "categories", json_pack("[s]", "孤寡"));
    assert_int_equal(entitle_example_facts(bad_facts, items, &f, &bad), AL_EINVAL);
    assert_string_equal(bad, "categories");
    json_object_del(bad_facts, "categories");
    json_object_del(bad_facts, "birth_date");
    assert_int_equal(entitle_example_facts(bad_facts, items, &f, &bad), AL_EINVAL);
    assert_string_equal(bad, "birth_date");
    json_t *good = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:[s], s:[s]}", "birth_date",
        "1940-03-01", "region_code", "520327001001", "sex", "F", "ability_level", 2,
        "disability_grade", 1, "living_arrangement", "alone", "categories", "left_behind",
        "receiving", "gaoling_jintie");
    assert_int_equal(entitle_example_facts(good, items, &f, &bad), AL_OK);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.birth[0], 19400301);
    assert_int_equal(f.region[0], 520327001001LL);
    assert_int_equal(f.sex[0], FACTS_FEMALE);
    assert_int_equal(f.ability[0], 2);
    assert_int_equal(f.disability[0], 1);
    assert_int_equal(f.living[0], FACTS_ALONE);
    assert_int_equal(f.economic[0], FACTS_GENERAL);
    assert_int_equal(f.categories[0], 1u << 3);
    assert_true(facts_receives(&f, 0, 0));
    assert_false(facts_receives(&f, 0, 1));
    facts_fini(&f);
    json_decref(good);
    json_decref(bad_facts);
    json_decref(ex);
    json_decref(items);
    json_decref(params);
}

/* RULE-ENT-061: a run's set as text, 16 hex digits per 64 items, item 0 the lowest bit. */
static void
bits_text(void **state)
{
    (void)state;
    uint64_t in[4] = {0x1ull | 1ull << 63, 0x5ull, 0, 0}, out[4];
    char buf[ENTITLE_BITS_TEXT];
    entitle_bits_format(in, 2, buf);
    assert_string_equal(buf, "80000000000000010000000000000005");
    assert_int_equal(entitle_bits_parse(buf, out, 4), AL_OK);
    assert_true(out[0] == in[0] && out[1] == in[1] && out[2] == 0 && out[3] == 0);
    entitle_bits_format(in, 4, buf);
    assert_int_equal(strlen(buf), 64);
    /* Not whole words, not hex, or longer than the room: refused. */
    assert_int_equal(entitle_bits_parse("abc", out, 4), AL_EINVAL);
    assert_int_equal(entitle_bits_parse("000000000000000g", out, 4), AL_EINVAL);
    assert_int_equal(entitle_bits_parse("00000000000000000000000000000001", out, 1), AL_EINVAL);
    assert_int_equal(entitle_bits_parse("", out, 4), AL_OK);
    assert_true(out[0] == 0);
}

int
main(void)
{
    al_arena_init(&arena, 4096);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels),
        cmocka_unit_test(standards),
        cmocka_unit_test(funds),
        cmocka_unit_test(merge),
        cmocka_unit_test(params),
        cmocka_unit_test(rules_joined),
        cmocka_unit_test(bits_text),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    al_arena_fini(&arena);
    return rc;
}
