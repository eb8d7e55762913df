/* Pure rules of the service list: levels, standards, funding shares, the merge of levels. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "entitle/entitle_int.h"
#include "entitle/facts.h"
#include "entitle/rule.h"

/* RULE-ENT-010 */
int
entitle_level_of(const char *code)
{
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return -1;
    switch (n) {
    case 0: return ENT_NATIONAL;
    case 2: return ENT_PROVINCE;
    case 4: return ENT_CITY;
    case 6: return ENT_COUNTY;
    default: return -1;
    }
}

int
entitle_own_list(const char *scope, char out[13])
{
    int level = entitle_level_of(scope);
    if (level < 0)
        return -1;
    snprintf(out, 13, "%s", scope);
    return level;
}

int
entitle_chain(const char *code, char chain[ENT_LEVELS][13], int *n)
{
    static const size_t lens[ENT_LEVELS] = {0, 2, 4, 6};
    size_t len = strlen(code);
    for (size_t i = 0; i < len; i++)
        if (code[i] < '0' || code[i] > '9')
            return AL_EINVAL;
    if (len != 0 && len != 2 && len != 4 && len != 6 && len != 9 && len != 12)
        return AL_EINVAL;
    *n = 0;
    for (int i = 0; i < ENT_LEVELS && lens[i] <= len; i++) {
        memcpy(chain[i], code, lens[i]);
        chain[i][lens[i]] = '\0';
        *n = i + 1;
    }
    return AL_OK;
}

void
entitle_approver_of(const char *code, char out[13])
{
    size_t len = strlen(code);
    size_t up = len <= 2 ? 0 : len - 2;
    memcpy(out, code, up);
    out[up] = '\0';
}

/* ---- standards ---- */

static const struct {
    const char *id, *zh;
    int per_year; /* 0: once */
} periods[] = {
    {"day", "每天", 365}, {"week", "每周", 52}, {"month", "每月", 12}, {"quarter", "每季度", 4},
    {"year", "每年", 1}, {"once", "一次性", 0},
};

static int
period_index(const char *p)
{
    for (size_t i = 0; p && i < sizeof(periods) / sizeof(periods[0]); i++)
        if (strcmp(periods[i].id, p) == 0)
            return (int)i;
    return -1;
}

struct entitle_std
entitle_std_of(const json_t *item)
{
    struct entitle_std s = {0};
    const char *k = json_string_value(json_object_get(item, "standard_kind"));
    if (k && strcmp(k, "amount") == 0)
        s.kind = ENT_STD_AMOUNT;
    else if (k && strcmp(k, "frequency") == 0)
        s.kind = ENT_STD_FREQUENCY;
    else if (k && strcmp(k, "text") == 0)
        s.kind = ENT_STD_TEXT;
    s.amount_fen = json_integer_value(json_object_get(item, "amount_fen"));
    s.times = json_integer_value(json_object_get(item, "times"));
    s.period = json_string_value(json_object_get(item, "period"));
    s.text = json_string_value(json_object_get(item, "standard_text"));
    return s;
}

/* RULE-ENT-012 */
int
entitle_std_cmp(const struct entitle_std *a, const struct entitle_std *b, int *cmp,
    const char **why)
{
    if (a->kind == ENT_STD_TEXT || b->kind == ENT_STD_TEXT) {
        *why = "文字表述的标准无法比较高低";
        return AL_EINVAL;
    }
    if (a->kind != b->kind) {
        *why = "标准类型应与上级一致（金额或次数）";
        return AL_EINVAL;
    }
    int pa = period_index(a->period), pb = period_index(b->period);
    if (pa < 0 || pb < 0) {
        *why = "标准缺少周期";
        return AL_EINVAL;
    }
    int64_t va = a->kind == ENT_STD_AMOUNT ? a->amount_fen : a->times;
    int64_t vb = b->kind == ENT_STD_AMOUNT ? b->amount_fen : b->times;
    if (pa != pb) {
        if (!periods[pa].per_year || !periods[pb].per_year) {
            *why = "一次性标准只能与一次性标准比较";
            return AL_EINVAL;
        }
        va *= periods[pa].per_year;
        vb *= periods[pb].per_year;
    }
    *cmp = va < vb ? -1 : va > vb ? 1 : 0;
    return AL_OK;
}

const char *
entitle_std_text(struct al_arena *a, const struct entitle_std *s)
{
    int p = period_index(s->period);
    const char *per = p >= 0 ? periods[p].zh : "";
    switch (s->kind) {
    case ENT_STD_AMOUNT:
        return al_arena_printf(a, "%s %lld.%02lld 元", per, (long long)(s->amount_fen / 100),
            (long long)(s->amount_fen % 100));
    case ENT_STD_FREQUENCY:
        return al_arena_printf(a, "%s %lld 次", per, (long long)s->times);
    default:
        return s->text ? s->text : "";
    }
}

/* RULE-ENT-002 */
int
entitle_fund_check(const int64_t pct[4], struct al_errinfo *e)
{
    static const char *keys[] = {"fund_national_pct", "fund_province_pct", "fund_city_pct",
        "fund_county_pct"};
    static const char *labels[] = {"中央", "省级", "市级", "县级"};
    int64_t sum = 0;
    for (int i = 0; i < 4; i++) {
        if (pct[i] < 0 || pct[i] > 100)
            return al_fail(e, AL_EINVAL, keys[i], "%s资金分担比例应在 0 到 100 之间", labels[i]);
        sum += pct[i];
    }
    if (sum != 100)
        return al_fail(e, AL_EINVAL, "fund_national_pct",
            "资金分担比例合计应为 100%%（现为 %lld%%：中央 %lld、省级 %lld、市级 %lld、县级 %lld）",
            (long long)sum, (long long)pct[0], (long long)pct[1], (long long)pct[2],
            (long long)pct[3]);
    return AL_OK;
}

bool
entitle_key_ok(const char *key)
{
    size_t n = strlen(key);
    if (n < 2 || n > 40 || key[0] < 'a' || key[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
                key[i] == '_'))
            return false;
    return true;
}

/* ---- the merge of levels ---- */

static const char *
str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void
set_standard(json_t *dst, const json_t *src)
{
    static const char *keys[] = {"standard_kind", "amount_fen", "times", "period",
        "standard_text"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(src, keys[i]);
        json_object_set_new(dst, keys[i], v ? json_deep_copy(v) : json_null());
    }
    static const char *funds[] = {"fund_national_pct", "fund_province_pct", "fund_city_pct",
        "fund_county_pct"};
    /* A raise may state who pays for it; without shares the upper ones stay. */
    if (json_is_integer(json_object_get(src, funds[0])))
        for (int i = 0; i < 4; i++)
            json_object_set_new(dst, funds[i], json_deep_copy(json_object_get(src, funds[i])));
}

/* RULE-ENT-011, RULE-ENT-013: apply the latest entry of one level and key to `merged`. */
static void
apply(struct al_arena *a, json_t *merged, const json_t *e)
{
    const char *key = str(e, "item_key"), *region = str(e, "region_code");
    json_t *m = json_object_get(merged, key);
    if (!m) {
        if (strcmp(str(e, "kind"), "add") != 0)
            return; /* a raise of an item the upper lists do not hold at this date */
        m = json_deep_copy(e);
        json_object_set_new(m, "origin_region", json_string(region));
        json_object_set_new(m, "standard_region", json_string(region));
        json_object_set_new(m, "upper_standard", json_null());
        json_object_set_new(m, "superseded", json_array());
        json_object_set_new(merged, key, m);
        return;
    }
    if (strcmp(str(m, "origin_region"), region) == 0) {
        /* A later version of the list's own item: every field anew, the marks kept. */
        json_t *keep = json_pack("{s:O, s:O, s:O, s:O}", "origin_region",
            json_object_get(m, "origin_region"), "standard_region",
            json_object_get(m, "standard_region"), "upper_standard",
            json_object_get(m, "upper_standard"), "superseded", json_object_get(m, "superseded"));
        json_object_update(m, (json_t *)e); /* jansson takes no const; `e` is only read */
        json_object_update(m, keep);
        json_decref(keep);
        return;
    }
    struct entitle_std now = entitle_std_of(m), next = entitle_std_of(e);
    int cmp = 0;
    const char *why = NULL;
    if (entitle_std_cmp(&next, &now, &cmp, &why) == AL_OK && cmp > 0) {
        json_object_set_new(m, "upper_standard", json_string(entitle_std_text(a, &now)));
        set_standard(m, e);
        json_object_set_new(m, "standard_region", json_string(region));
        json_object_set_new(m, "raise_version", json_deep_copy(json_object_get(e, "list_version")));
        return;
    }
    /* RULE-ENT-013: the level above has since set a standard at least as high. */
    json_array_append_new(json_object_get(m, "superseded"),
        json_pack("{s:s, s:s}", "region_code", region, "standard", entitle_std_text(a, &next)));
}

json_t *
entitle_merge(struct al_arena *a, const json_t *entries, const char *viewed, const char *date)
{
    /* The last entry of each level and key, in first-seen order (levels come in order). */
    json_t *latest = json_object(), *order = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        const char *k = al_arena_printf(a, "%s/%s", str(e, "region_code"), str(e, "item_key"));
        if (!json_object_get(latest, k))
            json_array_append_new(order, json_string(k));
        json_object_set(latest, k, e);
    }
    json_t *merged = json_object(), *keys = json_array();
    json_t *k;
    json_array_foreach(order, i, k)
    {
        const json_t *entry = json_object_get(latest, json_string_value(k));
        const char *key = str(entry, "item_key");
        if (!json_object_get(merged, key) && strcmp(str(entry, "kind"), "add") == 0)
            json_array_append_new(keys, json_string(key));
        apply(a, merged, entry);
    }
    json_t *out = json_array();
    json_array_foreach(keys, i, k)
    {
        json_t *m = json_object_get(merged, json_string_value(k));
        /* RULE-ENT-015: an item outside its own dates is not on the list at `date`. */
        const char *from = str(m, "effective_from"), *until = str(m, "effective_until");
        if (date && ((*from && strcmp(from, date) > 0) || (*until && strcmp(until, date) < 0)))
            continue;
        struct entitle_std s = entitle_std_of(m);
        json_object_set_new(m, "standard_text_full", json_string(entitle_std_text(a, &s)));
        json_object_set_new(m, "inherited",
            json_boolean(strcmp(str(m, "origin_region"), viewed) != 0));
        json_object_set_new(m, "raised",
            json_boolean(strcmp(str(m, "standard_region"), str(m, "origin_region")) != 0));
        json_array_append(out, m);
    }
    json_decref(latest);
    json_decref(order);
    json_decref(merged);
    json_decref(keys);
    return out;
}

/* ---- the fields of an item (RULE-ENT-001..004) ---- */

static const char *const categories[] = {"material", "care", "concern", NULL};
static const char *const std_kinds[] = {"amount", "frequency", "text", NULL};
static const char *const period_ids[] = {"day", "week", "month", "quarter", "year", "once", NULL};
static const char *const statuses[] = {"to_check", "checked", "stopped", NULL};

const struct al_field entitle_item_fields[] = {
    {"category", "类别", AL_FT_ENUM, AL_F_REQUIRED, .allowed = categories,
        .hint = "应为 material（物质帮助）、care（照护服务）或 concern（关爱服务）"},
    {"name", "项目名称", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 60},
    {"target_group", "服务对象", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {"content", "服务内容", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 500},
    {"standard_kind", "标准类型", AL_FT_ENUM, AL_F_REQUIRED, .allowed = std_kinds,
        .hint = "应为 amount（金额）、frequency（次数）或 text（文字）"},
    {"amount_fen", "标准金额（分）", AL_FT_INT, AL_F_NULLABLE, .min = 1, .max = 100000000},
    {"times", "服务次数", AL_FT_INT, AL_F_NULLABLE, .min = 1, .max = 1000},
    {"period", "标准周期", AL_FT_ENUM, AL_F_NULLABLE, .allowed = period_ids,
        .hint = "应为 day（每天）、week（每周）、month（每月）、quarter（每季度）、year（每年）或 once（一次性）"},
    {"standard_text", "标准说明", AL_FT_TEXT, AL_F_PLAIN, .max = 200},
    {"provider_type", "服务提供主体", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 100},
    {"fund_national_pct", "中央资金分担比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"fund_province_pct", "省级资金分担比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"fund_city_pct", "市级资金分担比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"fund_county_pct", "县级资金分担比例", AL_FT_INT, 0, .min = 0, .max = 100},
    {"legal_doc", "政策依据文号", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 1, .max = 200},
    {"legal_article", "政策依据条款", AL_FT_TEXT, AL_F_PLAIN, .max = 100},
    {"effective_from", "生效日期", AL_FT_DATE, AL_F_REQUIRED, .min = 0},
    {"effective_until", "终止日期", AL_FT_DATE, AL_F_NULLABLE, .min = 0},
    {"status", "核对状态", AL_FT_ENUM, 0, .allowed = statuses,
        .hint = "应为 to_check（待核对）、checked（已核对）或 stopped（已停止）"},
    {"rule_text", "认定规则", AL_FT_TEXT, 0, .max = 2000},
    {0},
};

bool
entitle_raise_field(const char *key)
{
    static const char *ok[] = {"standard_kind", "amount_fen", "times", "period", "standard_text",
        "fund_national_pct", "fund_province_pct", "fund_city_pct", "fund_county_pct"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(ok[i], key) == 0)
            return true;
    return false;
}

/* RULE-ENT-020 */
const json_t *
entitle_param_at(const json_t *params, const char *name, const char *date)
{
    const json_t *best = NULL;
    size_t i, best_len = 0;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        if (strcmp(str(p, "name"), name) != 0 || strcmp(str(p, "valid_from"), date) > 0)
            continue;
        size_t len = strlen(str(p, "region_code"));
        /* The deepest list that sets the name wins; within it the latest date. */
        if (!best || len > best_len ||
            (len == best_len && strcmp(str(p, "valid_from"), str(best, "valid_from")) > 0)) {
            best = p;
            best_len = len;
        }
    }
    return best;
}

/* RULE-ENT-003 */
int
entitle_std_check(const json_t *set, struct al_errinfo *e)
{
    struct entitle_std s = entitle_std_of(set);
    switch (s.kind) {
    case ENT_STD_AMOUNT:
        if (s.amount_fen <= 0)
            return al_fail(e, AL_EINVAL, "amount_fen", "金额标准须填写标准金额（分）");
        break;
    case ENT_STD_FREQUENCY:
        if (s.times <= 0)
            return al_fail(e, AL_EINVAL, "times", "次数标准须填写服务次数");
        break;
    case ENT_STD_TEXT:
        if (!s.text || !*s.text)
            return al_fail(e, AL_EINVAL, "standard_text", "文字标准须填写标准说明");
        return AL_OK;
    default:
        return al_fail(e, AL_EINVAL, "standard_kind", "标准类型不能为空");
    }
    if (!s.period)
        return al_fail(e, AL_EINVAL, "period", "标准周期不能为空");
    return AL_OK;
}

/* ---- the rule language joined to the catalogue (RULE-ENT-040..049) ---- */

struct resolve_ctx {
    const json_t *params, *items;
};

/* RULE-ENT-040: the catalogue's dated parameters, most local list first. */
static int
resolve_param(void *ctx, const char *name, const char *date, struct rule_param *out)
{
    const struct resolve_ctx *c = ctx;
    const json_t *p = entitle_param_at(c->params, name, date);
    if (!p)
        return AL_ENOTFOUND;
    const char *ref = json_string_value(json_object_get(p, "legal_ref"));
    out->value = json_integer_value(json_object_get(p, "value"));
    out->reference = ref && *ref ? ref : NULL;
    return AL_OK;
}

/* RULE-ENT-041: an item of the effective list by its name or key; its bit is its index. */
static int
resolve_item(void *ctx, const char *name, int *bit, const char **label)
{
    const struct resolve_ctx *c = ctx;
    size_t i;
    json_t *it;
    json_array_foreach(c->items, i, it)
    {
        const char *n = str(it, "name"), *k = str(it, "item_key");
        if ((n && !strcmp(n, name)) || (k && !strcmp(k, name))) {
            *bit = (int)i;
            *label = n ? n : k;
            return AL_OK;
        }
    }
    return AL_ENOTFOUND;
}

int
entitle_rule_compile(struct al_arena *a, const char *text, const char *region,
    const char *date, const json_t *params, const json_t *items, struct rule **out,
    struct rule_error *err)
{
    struct resolve_ctx *c = al_arena_alloc(a, sizeof(*c));
    c->params = params;
    c->items = items;
    struct rule_env env = {.date = date, .region = region && *region ? region : NULL,
        .param = resolve_param, .item = resolve_item, .ctx = c,
        .item_bits = (int)json_array_size(items)};
    memset(err, 0, sizeof(*err));
    int rc = rule_compile(a, text, strlen(text), &env, out, err);
    if (rc != AL_OK && !err->message[0])
        snprintf(err->message, sizeof(err->message), "规则无法编译");
    return rc == AL_OK ? AL_OK : AL_EINVAL;
}

static int
enum_field(const json_t *facts, const char *key, const char *const *values, int8_t absent,
    int8_t *out, const char **bad)
{
    const json_t *v = json_object_get(facts, key);
    if (!v || json_is_null(v)) {
        *out = absent;
        return AL_OK;
    }
    int i = facts_index(values, json_string_value(v));
    if (i < 0) {
        *bad = key;
        return AL_EINVAL;
    }
    *out = (int8_t)i;
    return AL_OK;
}

static int
int_field(const json_t *facts, const char *key, int lo, int hi, int8_t absent, int8_t *out,
    const char **bad)
{
    const json_t *v = json_object_get(facts, key);
    if (!v || json_is_null(v)) {
        *out = absent;
        return AL_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        *bad = key;
        return AL_EINVAL;
    }
    *out = (int8_t)json_integer_value(v);
    return AL_OK;
}

static int
region_field(const json_t *facts, const char *key, int64_t *out, const char **bad)
{
    const json_t *v = json_object_get(facts, key);
    *out = 0;
    if (!v || json_is_null(v))
        return AL_OK;
    if (!json_is_string(v) || !(*out = facts_parse_region(json_string_value(v)))) {
        *bad = key;
        return AL_EINVAL;
    }
    return AL_OK;
}

/* RULE-ENT-043 */
int
entitle_example_facts(const json_t *facts, const json_t *items, struct rule_facts *f,
    const char **bad)
{
    static const char *const sexes[] = {"M", "F", NULL};
    struct facts_row row = {.id = (int64_t)f->n + 1};
    const json_t *v = json_object_get(facts, "birth_date");
    *bad = NULL;
    if (!json_is_object(facts)) {
        *bad = "facts";
        return AL_EINVAL;
    }
    if (!json_is_string(v) || !(row.birth = facts_parse_date(json_string_value(v)))) {
        *bad = "birth_date";
        return AL_EINVAL;
    }
    int8_t sex = FACTS_MALE;
    int rc = region_field(facts, "region_code", &row.region, bad);
    if (rc == AL_OK)
        rc = region_field(facts, "hukou_region_code", &row.hukou, bad);
    if (rc == AL_OK)
        rc = enum_field(facts, "sex", sexes, FACTS_MALE, &sex, bad);
    if (rc == AL_OK)
        rc = enum_field(facts, "economic_status", facts_economic_values, FACTS_GENERAL,
            &row.economic, bad);
    if (rc == AL_OK)
        rc = enum_field(facts, "living_arrangement", facts_living_values, FACTS_UNKNOWN,
            &row.living, bad);
    if (rc == AL_OK)
        rc = int_field(facts, "ability_level", 0, 4, FACTS_UNKNOWN, &row.ability, bad);
    if (rc == AL_OK)
        rc = int_field(facts, "disability_grade", 1, 4, 0, &row.disability, bad);
    if (rc != AL_OK)
        return rc;
    row.sex = sex;
    size_t i;
    json_t *c;
    const json_t *cats = json_object_get(facts, "categories");
    if (cats && !json_is_array(cats)) {
        *bad = "categories";
        return AL_EINVAL;
    }
    json_array_foreach(cats, i, c)
    {
        int bit = facts_index(facts_category_ids, json_string_value(c));
        if (bit < 0) {
            *bad = "categories";
            return AL_EINVAL;
        }
        row.categories |= (uint16_t)(1u << bit);
    }
    const json_t *recv = json_object_get(facts, "receiving");
    if (recv && !json_is_array(recv)) {
        *bad = "receiving";
        return AL_EINVAL;
    }
    int64_t at = facts_add(f, &row);
    if (at < 0)
        return AL_EINTERNAL;
    json_array_foreach(recv, i, c)
    {
        const char *key = json_string_value(c);
        size_t j;
        json_t *it;
        int bit = -1;
        json_array_foreach(items, j, it) if (key && !strcmp(str(it, "item_key"), key)) bit = (int)j;
        if (bit < 0) {
            *bad = "receiving";
            return AL_EINVAL;
        }
        facts_set_receives(f, (size_t)at, bit);
    }
    return AL_OK;
}

/* RULE-ENT-044 */
int
entitle_example_run(struct al_arena *a, const char *text, const char *region,
    const json_t *ex, const json_t *params, const json_t *items, bool *got,
    struct rule_error *err)
{
    const char *date = str(ex, "on_date"), *bad = NULL;
    struct rule *r = NULL;
    *got = false;
    if (entitle_rule_compile(a, text, region, date ? date : "", params, items, &r, err) != AL_OK)
        return AL_EINVAL;
    struct rule_facts f;
    facts_init(&f, (int)json_array_size(items));
    int rc = entitle_example_facts(json_object_get(ex, "facts"), items, &f, &bad);
    if (rc == AL_OK)
        *got = rule_eval_one(r, &f, 0);
    else {
        err->column = 0;
        snprintf(err->message, sizeof(err->message), "示例老人的情况中「%s」无法识别",
            bad ? bad : "facts");
        rc = AL_EINVAL;
    }
    facts_fini(&f);
    return rc;
}

const char *
entitle_answer(bool eligible)
{
    return eligible ? "符合" : "不符合";
}

/* ---- run sets (RULE-ENT-061) ---- */

void
entitle_bits_format(const uint64_t *bits, int words, char *out)
{
    static const char hex[] = "0123456789abcdef";
    int n = 0;
    for (int w = 0; w < words && w < 4; w++)
        for (int d = 15; d >= 0; d--)
            out[n++] = hex[bits[w] >> (d * 4) & 15];
    out[n] = 0;
}

int
entitle_bits_parse(const char *s, uint64_t *bits, int max)
{
    size_t len = s ? strlen(s) : 0;
    memset(bits, 0, sizeof(*bits) * (size_t)max);
    if (len % 16 || len / 16 > (size_t)max)
        return AL_EINVAL;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
        if (v < 0)
            return AL_EINVAL;
        bits[i / 16] = bits[i / 16] << 4 | (uint64_t)v;
    }
    return AL_OK;
}
