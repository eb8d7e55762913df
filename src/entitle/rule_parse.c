/*
 * Parser and type checker of the rule language (RULE-EXPR-001..012):
 *
 *   rule      := or END
 *   or        := and { (或 | or) and }
 *   and       := unary { (且 | and) unary }
 *   unary     := (非 | not) unary | primary
 *   primary   := "(" or ")" | 已享受 item | field [ cmp value | (属于 | 不属于) list ]
 *   list      := "[" value { "," value } "]"
 *
 * Every name is resolved here (fields, values, parameters at the rule's date,
 * items), so a tree that parses is a tree that runs.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "entitle/rule_int.h"

struct parser {
    struct al_arena *a;
    const struct rule_token *t;
    int pos, depth;
    const struct rule_env *env;
    struct rule *r;
    struct rule_error *err;
    const char *params[64];
    int nparams;
    int items[64];
    int nitems;
};

static const struct rule_token *
peek(struct parser *p)
{
    return &p->t[p->pos];
}

static int
expected(struct parser *p, const char *what)
{
    const struct rule_token *t = peek(p);
    return rule_fail(p->err, t->column, "应为%s，实际为“%s”", what, rule_tok_show(t));
}

static int parse_or(struct parser *p, struct rule_node **out);

static struct rule_node *
node(struct parser *p, enum rule_nkind kind, int column)
{
    struct rule_node *n = al_arena_calloc(p->a, sizeof(*n));
    n->kind = kind;
    n->column = column;
    return n;
}

/* A chain of one operator: a 且 b 且 c is one node with three kids. */
static int
parse_chain(struct parser *p, enum rule_tok tok, enum rule_nkind kind,
    int (*sub)(struct parser *, struct rule_node **), struct rule_node **out)
{
    struct rule_node *first;
    int rc = sub(p, &first);
    if (rc != AL_OK)
        return rc;
    if (peek(p)->type != tok) {
        *out = first;
        return AL_OK;
    }
    struct rule_node *kids[256];
    int n = 0;
    kids[n++] = first;
    while (peek(p)->type == tok) {
        if (n == 256)
            return rule_fail(p->err, peek(p)->column, "条件过多（一层最多 256 个）");
        p->pos++;
        if ((rc = sub(p, &kids[n])) != AL_OK)
            return rc;
        n++;
    }
    struct rule_node *c = node(p, kind, first->column);
    c->nkids = n;
    c->kids = al_arena_alloc(p->a, (size_t)n * sizeof(*c->kids));
    memcpy(c->kids, kids, (size_t)n * sizeof(*c->kids));
    *out = c;
    return AL_OK;
}

static int parse_unary(struct parser *p, struct rule_node **out);

static int
parse_and(struct parser *p, struct rule_node **out)
{
    return parse_chain(p, TK_AND, RN_AND, parse_unary, out);
}

static int
parse_or(struct parser *p, struct rule_node **out)
{
    return parse_chain(p, TK_OR, RN_OR, parse_and, out);
}

static bool
is_any_value(const char *s)
{
    for (int f = 0; f < RF_COUNT; f++)
        if (rule_fdefs[f].values && rule_value_code(&rule_fdefs[f], s) >= 0)
            return true;
    return !strcmp(s, "是") || !strcmp(s, "否");
}

static void
note_param(struct parser *p, const char *name)
{
    for (int i = 0; i < p->nparams; i++)
        if (!strcmp(p->params[i], name))
            return;
    if (p->nparams < 64)
        p->params[p->nparams++] = name;
}

/* The labels of an enumerated field, "特困、低保、…", for messages. */
static const char *
choices(struct parser *p, const struct rule_fdef *d)
{
    char buf[256] = "";
    size_t n = 0;
    for (int i = 0; d->labels[i]; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "、" : "", d->labels[i]);
    return al_arena_strdup(p->a, buf);
}

static const int region_lengths[] = {2, 4, 6, 9, 12};

static bool
region_length_ok(size_t n)
{
    for (int i = 0; i < 5; i++)
        if ((size_t)region_lengths[i] == n)
            return true;
    return false;
}

/* One value of field `f` compared with `op` (RULE-EXPR-007..010). */
static int
parse_value(struct parser *p, enum rule_field f, enum rule_cmp op, struct rule_value *v)
{
    const struct rule_fdef *d = &rule_fdefs[f];
    const struct rule_token *t = peek(p);
    bool ordering = op == OP_GE || op == OP_LE || op == OP_GT || op == OP_LT;
    if (t->type != TK_NUM && t->type != TK_WORD && t->type != TK_STR)
        return expected(p, d->type == RT_INT ? "数值或参数名" : "值");
    memset(v, 0, sizeof(*v));
    v->label = t->text;
    switch (d->type) {
    case RT_INT:
        if (f == RF_DISABILITY && t->type != TK_NUM &&
            (!strcmp(t->text, "无") || !strcasecmp(t->text, "none"))) {
            if (ordering) /* RULE-EXPR-010 */
                return rule_fail(p->err, t->column, "“无”只能用 =、!=、属于、不属于 比较");
            v->v = 0;
            v->label = "无";
            break;
        }
        if (t->type == TK_NUM) {
            v->v = t->num;
        } else {
            /* A word where a number goes: a parameter (RULE-EXPR-011). */
            struct rule_param pv = {0};
            int rc = AL_ENOTFOUND;
            if (t->type == TK_STR || is_any_value(t->text))
                return rule_fail(p->err, t->column, "%s应为数值或参数名，实际为“%s”", d->name,
                    t->text);
            if (p->env->param)
                rc = p->env->param(p->env->ctx, t->text, p->env->date, &pv);
            if (rc == AL_ENOTFOUND)
                return rule_fail(p->err, t->column, "未知参数“%s”（或在 %s 无有效值）", t->text,
                    p->env->date);
            if (rc != AL_OK) {
                rule_fail(p->err, t->column, "读取参数“%s”失败", t->text);
                return rc;
            }
            v->v = pv.value;
            v->param = al_arena_strdup(p->a, t->text);
            v->reference = pv.reference ? al_arena_strdup(p->a, pv.reference) : NULL;
            note_param(p, v->param);
        }
        if (v->v < d->lo || v->v > d->hi) {
            if (v->param)
                return rule_fail(p->err, t->column,
                    "参数“%s”在 %s 的值为 %lld，%s应在 %d–%d 之间", v->param, p->env->date,
                    (long long)v->v, d->name, d->lo, d->hi);
            return rule_fail(p->err, t->column, "%s应在 %d–%d 之间，实际为 %lld", d->name, d->lo,
                d->hi, (long long)v->v);
        }
        v->label = al_arena_printf(p->a, "%lld", (long long)v->v);
        break;
    case RT_ENUM:
    case RT_SET:
        if (t->type == TK_NUM || (v->v = rule_value_code(d, t->text)) < 0)
            return rule_fail(p->err, t->column, "%s没有“%s”这个值（可用：%s）", d->name, t->text,
                choices(p, d));
        v->label = d->labels[v->v];
        break;
    case RT_REGION: {
        size_t n = strlen(t->text), i = 0;
        while (i < n && t->text[i] >= '0' && t->text[i] <= '9')
            i++;
        if (t->type == TK_WORD || i != n || !region_length_ok(n))
            return rule_fail(p->err, t->column,
                "地区应为 2、4、6、9 或 12 位区划代码，实际为“%s”", t->text);
        v->v = 0;
        for (i = 0; i < n; i++)
            v->v = v->v * 10 + (t->text[i] - '0');
        v->digits = (int)n;
        break;
    }
    case RT_BOOL:
        if (!strcmp(t->text, "是") || !strcasecmp(t->text, "true") || !strcasecmp(t->text, "yes"))
            v->v = 1;
        else if (!strcmp(t->text, "否") || !strcasecmp(t->text, "false") ||
                 !strcasecmp(t->text, "no"))
            v->v = 0;
        else
            return rule_fail(p->err, t->column, "%s应为“是”或“否”，实际为“%s”", d->name,
                t->text);
        break;
    }
    p->pos++;
    return AL_OK;
}

static int
field_of(const char *w)
{
    for (int f = 0; f < RF_COUNT; f++)
        if (!strcmp(rule_fdefs[f].name, w) || !strcasecmp(rule_fdefs[f].ascii, w))
            return f;
    return -1;
}

static int
parse_condition(struct parser *p, struct rule_node **out)
{
    const struct rule_token *t = peek(p);
    int f = field_of(t->text);
    if (f < 0) /* RULE-EXPR-006 */
        return rule_fail(p->err, t->column,
            "未知字段“%s”（可用：年龄、地区、类别、能力等级、经济状况、残疾等级、本地户籍、"
            "居住情况、性别、已享受）", t->text);
    const struct rule_fdef *d = &rule_fdefs[f];
    struct rule_node *n = node(p, RN_COND, t->column);
    n->field = (enum rule_field)f;
    p->pos++;
    t = peek(p);
    if (d->type == RT_BOOL) {
        /* 本地户籍 alone, or = 是/否 (RULE-EXPR-009). */
        n->op = OP_EQ;
        n->nvals = 1;
        n->vals = al_arena_calloc(p->a, sizeof(*n->vals));
        n->vals[0].v = 1;
        if (t->type == TK_CMP && (t->op == OP_EQ || t->op == OP_NE)) {
            p->pos++;
            int rc = parse_value(p, n->field, OP_EQ, &n->vals[0]);
            if (rc != AL_OK)
                return rc;
            if (t->op == OP_NE)
                n->vals[0].v = !n->vals[0].v;
        } else if (t->type == TK_CMP || t->type == TK_IN || t->type == TK_NOTIN) {
            return rule_fail(p->err, t->column, "%s只能单独使用或用 = 是 / = 否，实际为“%s”",
                d->name, rule_tok_show(t));
        }
        *out = n;
        return AL_OK;
    }
    if (t->type == TK_CMP) {
        n->op = t->op;
        if (d->type != RT_INT && n->op != OP_EQ && n->op != OP_NE) /* RULE-EXPR-007 */
            return rule_fail(p->err, t->column, "%s只能用 =、!=、属于、不属于 比较，实际为“%s”",
                d->name, rule_tok_show(t));
        p->pos++;
        n->nvals = 1;
        n->vals = al_arena_calloc(p->a, sizeof(*n->vals));
        int rc = parse_value(p, n->field, n->op, &n->vals[0]);
        if (rc != AL_OK)
            return rc;
        *out = n;
        return AL_OK;
    }
    if (t->type != TK_IN && t->type != TK_NOTIN)
        return expected(p, "比较符号（>=、<= 等）"); /* RULE-EXPR-005 */
    n->op = t->type == TK_IN ? OP_IN : OP_NOTIN;
    p->pos++;
    if (peek(p)->type != TK_LBRACK)
        return expected(p, "“[”（如 [特困, 低保]）");
    p->pos++;
    struct rule_value vals[64];
    int nv = 0;
    for (;;) {
        if (nv == 64)
            return rule_fail(p->err, peek(p)->column, "列表过长（最多 64 个值）");
        int rc = parse_value(p, n->field, n->op, &vals[nv]);
        if (rc != AL_OK)
            return rc;
        nv++;
        if (peek(p)->type == TK_RBRACK)
            break;
        if (peek(p)->type != TK_COMMA)
            return expected(p, "“,”或“]”");
        p->pos++;
    }
    p->pos++;
    n->nvals = nv;
    n->vals = al_arena_alloc(p->a, (size_t)nv * sizeof(*n->vals));
    memcpy(n->vals, vals, (size_t)nv * sizeof(*n->vals));
    *out = n;
    return AL_OK;
}

static int
parse_receives(struct parser *p, struct rule_node **out)
{
    /* 已享受 X (RULE-EXPR-012) */
    struct rule_node *n = node(p, RN_RECEIVES, peek(p)->column);
    p->pos++;
    const struct rule_token *t = peek(p);
    if (t->type != TK_WORD && t->type != TK_STR)
        return expected(p, "服务项目名称");
    int bit = -1;
    const char *label = t->text;
    int rc = p->env->item ? p->env->item(p->env->ctx, t->text, &bit, &label) : AL_ENOTFOUND;
    if (rc == AL_ENOTFOUND || (rc == AL_OK && (bit < 0 || bit >= p->env->item_bits)))
        return rule_fail(p->err, t->column, "未知服务项目“%s”", t->text);
    if (rc != AL_OK) {
        rule_fail(p->err, t->column, "读取服务项目“%s”失败", t->text);
        return rc;
    }
    int i = 0;
    while (i < p->nitems && p->items[i] != bit)
        i++;
    if (i == p->nitems && p->nitems < 64)
        p->items[p->nitems++] = bit;
    n->nvals = 1;
    n->vals = al_arena_calloc(p->a, sizeof(*n->vals));
    n->vals[0].v = bit;
    n->vals[0].label = al_arena_strdup(p->a, label ? label : t->text);
    p->pos++;
    *out = n;
    return AL_OK;
}

static int
parse_unary(struct parser *p, struct rule_node **out)
{
    const struct rule_token *t = peek(p);
    if (t->type == TK_NOT || t->type == TK_LPAREN) {
        if (++p->depth > RULE_DEPTH_MAX)
            return rule_fail(p->err, t->column, "嵌套过深（最多 %d 层）", RULE_DEPTH_MAX);
        p->pos++;
        struct rule_node *kid;
        int rc;
        if (t->type == TK_NOT) {
            if ((rc = parse_unary(p, &kid)) != AL_OK)
                return rc;
            *out = node(p, RN_NOT, t->column);
            (*out)->nkids = 1;
            (*out)->kids = al_arena_alloc(p->a, sizeof(*(*out)->kids));
            (*out)->kids[0] = kid;
        } else {
            if ((rc = parse_or(p, &kid)) != AL_OK)
                return rc;
            if (peek(p)->type != TK_RPAREN)
                return expected(p, "“)”");
            p->pos++;
            *out = kid;
        }
        p->depth--;
        return AL_OK;
    }
    if (t->type == TK_RECEIVES)
        return parse_receives(p, out);
    if (t->type == TK_WORD)
        return parse_condition(p, out);
    return expected(p, "条件（如 年龄 >= 80）");
}

int
rule_compile(struct al_arena *a, const char *text, size_t len, const struct rule_env *env,
    struct rule **out, struct rule_error *err)
{
    memset(err, 0, sizeof(*err));
    *out = NULL;
    if (len > RULE_TEXT_MAX)
        return rule_fail(err, 1, "规则过长（最多 %d 字节）", RULE_TEXT_MAX);
    int32_t date = facts_parse_date(env->date);
    if (!date)
        return rule_fail(err, 1, "计算日期应为 YYYY-MM-DD");
    struct rule_token *toks;
    int ntoks, rc;
    if ((rc = rule_lex(a, text, len, &toks, &ntoks, err)) != AL_OK)
        return rc;
    struct rule *r = al_arena_calloc(a, sizeof(*r));
    r->date = date;
    struct parser p = {.a = a, .t = toks, .env = env, .r = r, .err = err};
    if ((rc = parse_or(&p, &r->root)) != AL_OK)
        return rc;
    if (peek(&p)->type != TK_END) /* RULE-EXPR-005 */
        return expected(&p, "“且”、“或”或结尾");
    r->nparams = p.nparams;
    r->params = al_arena_alloc(a, (size_t)(p.nparams + 1) * sizeof(*r->params));
    memcpy(r->params, p.params, (size_t)p.nparams * sizeof(*r->params));
    r->params[p.nparams] = NULL;
    r->nitems = p.nitems;
    r->items = al_arena_alloc(a, (size_t)(p.nitems + 1) * sizeof(*r->items));
    memcpy(r->items, p.items, (size_t)p.nitems * sizeof(*r->items));
    r->region = env->region ? al_arena_strdup(a, env->region) : NULL;
    r->text = rule_print(a, r->root);
    if ((rc = rule_codegen(a, r, err)) != AL_OK)
        return rc;
    *out = r;
    return AL_OK;
}

int
rule_params(const struct rule *r, const char *const **names)
{
    *names = r->params;
    return r->nparams;
}

int
rule_items(const struct rule *r, const int **bits)
{
    *bits = r->items;
    return r->nitems;
}
