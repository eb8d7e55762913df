/*
 * Explanations (RULE-EXPR-020..025): for one elder, every condition of a
 * rule in a Chinese sentence with the elder's value, the threshold's
 * parameter and legal reference, and whether it held; for a failed rule,
 * what is missing (under 或 the closest branch).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "entitle/rule_int.h"

/* "a、b或c" (or "a、b、c" with `last` = "、"). */
static const char *
join(struct al_arena *a, const struct rule_node *n, const char *last, const char *unit)
{
    char buf[1024];
    size_t k = 0;
    for (int i = 0; i < n->nvals && k < sizeof(buf) - 1; i++) {
        bool number = rule_fdefs[n->field].type == RT_INT;
        const char *sep = i == 0                                  ? ""
                          : i < n->nvals - 1                      ? "、"
                          : number && !strcmp(last, "或")         ? " 或 "
                                                                  : last;
        const struct rule_value *v = &n->vals[i];
        if (n->field == RF_REGION)
            k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%0*lld", sep, v->digits,
                (long long)v->v);
        else
            k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", sep, v->label);
    }
    if (k >= sizeof(buf))
        k = sizeof(buf) - 1;
    buf[k] = 0;
    return al_arena_printf(a, "%s%s", buf, unit);
}

/* The condition in words, without the elder (RULE-EXPR-021). */
static const char *
describe(struct al_arena *a, const struct rule_node *n)
{
    static const char *const ord[] = {"不低于", "不高于", "高于", "低于", "为", "不为",
        "为", "不为"};
    const char *name = rule_fdefs[n->field].name;
    bool neg = n->op == OP_NE || n->op == OP_NOTIN;
    if (n->kind == RN_RECEIVES)
        return al_arena_printf(a, "已享受%s", n->vals[0].label);
    switch (n->field) {
    case RF_AGE: {
        long long v = (long long)n->vals[0].v;
        switch (n->op) {
        case OP_GE: return al_arena_printf(a, "年满 %lld 周岁", v);
        case OP_GT: return al_arena_printf(a, "年龄超过 %lld 周岁", v);
        case OP_LE: return al_arena_printf(a, "年龄不超过 %lld 周岁", v);
        case OP_LT: return al_arena_printf(a, "未满 %lld 周岁", v);
        default:
            return al_arena_printf(a, "年龄%s %s", neg ? "不为" : "为",
                join(a, n, neg ? "、" : "或", " 周岁"));
        }
    }
    case RF_ABILITY:
    case RF_DISABILITY:
        if (n->nvals == 1 && n->vals[0].v == 0 && n->field == RF_DISABILITY)
            return neg ? "有残疾等级" : "无残疾等级";
        if (n->op < OP_EQ)
            return al_arena_printf(a, "%s%s %lld 级", name, ord[n->op],
                (long long)n->vals[0].v);
        return al_arena_printf(a, "%s%s %s", name, ord[n->op],
            join(a, n, neg ? "、" : "或", " 级"));
    case RF_REGION:
        return al_arena_printf(a, "居住地区%s %s 内", neg ? "不在" : "在", join(a, n, "、", ""));
    case RF_CATEGORY:
        return al_arena_printf(a, "类别%s%s", neg ? "不包括" : "包括",
            join(a, n, neg ? "、" : "或", ""));
    case RF_LOCAL:
        return n->vals[0].v ? "具有本地户籍" : "不具有本地户籍";
    default:
        return al_arena_printf(a, "%s%s%s", name, neg ? "不为" : "为",
            join(a, n, neg ? "、" : "或", ""));
    }
}

/* The elder's value of the condition's field (RULE-EXPR-022). */
static const char *
value_of(struct al_arena *a, const struct rule *r, const struct rule_node *n,
    const struct rule_facts *f, size_t row)
{
    if (n->kind == RN_RECEIVES)
        return NULL;
    switch (n->field) {
    case RF_AGE:
        if (f->birth[row] <= 0)
            return "出生日期未知";
        return al_arena_printf(a, "%d 周岁", rule_age(f->birth[row], r->date));
    case RF_ABILITY:
        if (f->ability[row] < 0 || f->ability[row] > 4)
            return "未评估";
        return al_arena_printf(a, "%d 级，%s", f->ability[row],
            rule_ability_labels[f->ability[row]]);
    case RF_DISABILITY:
        if (f->disability[row] <= 0)
            return "无残疾等级";
        return al_arena_printf(a, "%d 级", f->disability[row]);
    case RF_REGION:
        return al_arena_printf(a, "%012lld", (long long)f->region[row]);
    case RF_LOCAL:
        if (!f->hukou[row])
            return "户籍地未登记";
        return al_arena_printf(a, "户籍地 %012lld", (long long)f->hukou[row]);
    case RF_CATEGORY: {
        char buf[256] = "";
        size_t k = 0;
        for (int i = 0; rule_fdefs[RF_CATEGORY].labels[i]; i++)
            if (f->categories[row] >> i & 1)
                k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", k ? "、" : "",
                    rule_fdefs[RF_CATEGORY].labels[i]);
        return k ? al_arena_strdup(a, buf) : "无";
    }
    default: {
        const int8_t *col = n->field == RF_ECONOMIC ? f->economic
                            : n->field == RF_LIVING ? f->living : f->sex;
        const char *const *labels = rule_fdefs[n->field].labels;
        int v = col[row], count = 0;
        while (labels[count])
            count++;
        return v >= 0 && v < count ? labels[v] : "未登记";
    }
    }
}

static struct rule_xnode *
explain(struct al_arena *a, const struct rule *r, struct rule_node *n,
    const struct rule_facts *f, size_t row)
{
    struct rule_xnode *x = al_arena_calloc(a, sizeof(*x));
    x->column = n->column;
    if (n->kind == RN_COND || n->kind == RN_RECEIVES) {
        uint64_t b;
        rule_run(r, n->code_from, n->code_to, f, row, 1, &b);
        x->kind = RULE_X_COND;
        x->held = b & 1;
        x->condition = describe(a, n);
        x->value = value_of(a, r, n, f, row);
        for (int i = 0; i < n->nvals; i++)
            if (n->vals[i].param) {
                x->param = n->vals[i].param;
                x->reference = n->vals[i].reference;
                break;
            }
        x->missing = !x->held;
        x->sentence = x->value ? al_arena_printf(a, "%s：%s（%s）", x->condition,
                                     x->held ? "是" : "否", x->value)
                               : al_arena_printf(a, "%s：%s", x->condition,
                                     x->held ? "是" : "否");
        return x;
    }
    x->nkids = n->nkids;
    x->kids = al_arena_alloc(a, (size_t)n->nkids * sizeof(*x->kids));
    for (int i = 0; i < n->nkids; i++)
        x->kids[i] = explain(a, r, n->kids[i], f, row);
    if (n->kind == RN_NOT) {
        /* RULE-EXPR-024 */
        struct rule_xnode *k = x->kids[0];
        x->kind = RULE_X_NOT;
        x->held = !k->held;
        x->missing = !x->held;
        x->condition = k->kind == RULE_X_COND ? al_arena_printf(a, "不满足“%s”", k->condition)
                                              : "以下条件不成立";
    } else if (n->kind == RN_AND) {
        x->kind = RULE_X_AND;
        x->held = true;
        for (int i = 0; i < n->nkids; i++) {
            x->held = x->held && x->kids[i]->held;
            x->missing += x->kids[i]->missing;
        }
        x->condition = "以下条件全部满足";
    } else {
        /* RULE-EXPR-023: the closest branch is the one missing the fewest conditions. */
        x->kind = RULE_X_OR;
        x->held = false;
        x->missing = -1;
        for (int i = 0; i < n->nkids; i++) {
            x->held = x->held || x->kids[i]->held;
            if (x->missing < 0 || x->kids[i]->missing < x->missing)
                x->missing = x->kids[i]->missing;
        }
        x->condition = "以下条件满足其一";
    }
    x->sentence = al_arena_printf(a, "%s：%s", x->condition, x->held ? "是" : "否");
    return x;
}

static void
collect(struct al_arena *a, const struct rule_xnode *x, const char **out, int *n, int max)
{
    if (x->held || *n >= max)
        return;
    switch (x->kind) {
    case RULE_X_COND:
        out[(*n)++] = x->condition;
        break;
    case RULE_X_NOT:
        out[(*n)++] = al_arena_printf(a, "不应满足：%s", x->kids[0]->kind == RULE_X_COND
                                                          ? x->kids[0]->condition
                                                          : x->kids[0]->sentence);
        break;
    case RULE_X_AND:
        for (int i = 0; i < x->nkids; i++)
            collect(a, x->kids[i], out, n, max);
        break;
    case RULE_X_OR:
        for (int i = 0; i < x->nkids; i++)
            if (x->kids[i]->missing == x->missing) {
                collect(a, x->kids[i], out, n, max);
                break;
            }
        break;
    }
}

static int
count_conds(const struct rule_node *n)
{
    if (n->kind == RN_COND || n->kind == RN_RECEIVES)
        return 1;
    int c = 0;
    for (int i = 0; i < n->nkids; i++)
        c += count_conds(n->kids[i]);
    return c;
}

int
rule_explain(struct al_arena *a, const struct rule *r, const struct rule_facts *f, size_t row,
    struct rule_explanation *out)
{
    memset(out, 0, sizeof(*out));
    out->root = explain(a, r, r->root, f, row);
    out->eligible = out->root->held;
    int max = count_conds(r->root);
    out->missing = al_arena_alloc(a, (size_t)(max + 1) * sizeof(*out->missing));
    collect(a, out->root, out->missing, &out->nmissing, max);
    return AL_OK;
}

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
xnode_json(const struct rule_xnode *x)
{
    static const char *const kinds[] = {"condition", "and", "or", "not"};
    json_t *o = json_pack("{s:s, s:b, s:s, s:o, s:s, s:o, s:o, s:i, s:i}", "kind",
        kinds[x->kind], "held", x->held, "condition", x->condition, "value",
        str_or_null(x->value), "sentence", x->sentence, "param", str_or_null(x->param),
        "reference", str_or_null(x->reference), "missing", x->missing, "column", x->column);
    if (x->nkids) {
        json_t *kids = json_array();
        for (int i = 0; i < x->nkids; i++)
            json_array_append_new(kids, xnode_json(x->kids[i]));
        json_object_set_new(o, "kids", kids);
    }
    return o;
}

json_t *
rule_explanation_json(const struct rule_explanation *x)
{
    json_t *missing = json_array();
    for (int i = 0; i < x->nmissing; i++)
        json_array_append_new(missing, json_string(x->missing[i]));
    return json_pack("{s:b, s:o, s:o}", "eligible", x->eligible, "missing", missing,
        "conditions", xnode_json(x->root));
}
