/*
 * From the checked tree to the flat postfix program (RULE-EXPR-013, RULE-EXPR-015), and
 * the normalised text of a rule.
 *
 * Every condition becomes one or a few column tests; an age becomes a range
 * of birth dates at the rule's date (age >= 80 on 2026-12-02 ⇔ born on or
 * before 1946-12-02), so no age is computed per elder.
 */
#include <string.h>

#include "core/err.h"
#include "entitle/rule_int.h"

struct gen {
    struct al_arena *a;
    struct rule *r;
    struct rule_ins *code;
    int n, sp, max;
    size_t cap;
};

static void
emit(struct gen *g, struct rule_ins ins)
{
    g->code = al_arena_grow(g->a, g->code, (size_t)g->n, &g->cap, sizeof(*g->code), 32);
    g->code[g->n++] = ins;
    if (ins.code == RI_AND || ins.code == RI_OR)
        g->sp--;
    else if (ins.code != RI_NOT)
        g->sp++;
    if (g->sp > g->max)
        g->max = g->sp;
}

static void
op(struct gen *g, enum rule_opcode code)
{
    emit(g, (struct rule_ins){.code = (uint8_t)code});
}

/* The last birth date (YYYYMMDD) of someone aged at least `age` on `date`. */
static int64_t
born_by(int32_t date, int64_t age)
{
    return (date / 10000 - age) * 10000 + date % 10000;
}

static void
age_range(struct gen *g, enum rule_cmp cmp, int64_t age)
{
    int32_t d = g->r->date;
    int64_t lo = 1, hi = INT32_MAX; /* 0: no usable birth date, never matches */
    switch (cmp) {
    case OP_GE: hi = born_by(d, age); break;
    case OP_GT: hi = born_by(d, age + 1); break;
    case OP_LE: lo = born_by(d, age + 1) + 1; break;
    case OP_LT: lo = born_by(d, age) + 1; break;
    default: lo = born_by(d, age + 1) + 1; hi = born_by(d, age); break; /* = */
    }
    if (lo < 1)
        lo = 1;
    emit(g, (struct rule_ins){.code = RI_BIRTH, .lo = lo, .hi = hi});
}

/* Accepted codes of an int8 column as a mask (bit code + 1; bit 0, unknown, never set). */
static uint64_t
i8_mask(const struct rule_node *n)
{
    const struct rule_fdef *d = &rule_fdefs[n->field];
    int lo = 0, hi = 4; /* codes a fact can hold; enums have fewer */
    if (d->type == RT_ENUM) {
        hi = 0;
        while (d->values[hi + 1])
            hi++;
    }
    uint64_t in = 0;
    for (int i = 0; i < n->nvals; i++) {
        int64_t v = n->vals[i].v;
        for (int c = lo; c <= hi; c++) {
            bool ok;
            switch (n->op) {
            /* Ordering never matches 0 (no disability certificate) (RULE-EXPR-010). */
            case OP_GE: ok = c >= d->lo && c >= v; break;
            case OP_GT: ok = c >= d->lo && c > v; break;
            case OP_LE: ok = c >= d->lo && c <= v; break;
            case OP_LT: ok = c >= d->lo && c < v; break;
            default: ok = c == v; break;
            }
            if (ok)
                in |= UINT64_C(1) << (c + 1);
        }
    }
    if (n->op == OP_NE || n->op == OP_NOTIN) {
        uint64_t all = 0;
        for (int c = lo; c <= hi; c++)
            all |= UINT64_C(1) << (c + 1);
        in = all & ~in;
    }
    return in;
}

static int64_t
pow10i(int e)
{
    int64_t p = 1;
    while (e-- > 0)
        p *= 10;
    return p;
}

/* The shortest region prefix of a code: 520327000000 → 520327 (6 digits). */
static void
region_prefix(const char *code, int64_t *v, int *digits)
{
    static const int lens[] = {2, 4, 6, 9, 12};
    size_t n = strlen(code);
    *v = 0;
    *digits = 0;
    for (int i = 0; i < 5; i++) {
        if ((size_t)lens[i] > n)
            break;
        bool zeros = true;
        for (size_t j = (size_t)lens[i]; j < n; j++)
            zeros = zeros && code[j] == '0';
        if (zeros || (size_t)lens[i] == n) {
            *digits = lens[i];
            break;
        }
    }
    for (int j = 0; j < *digits; j++) {
        if (code[j] < '0' || code[j] > '9') {
            *digits = 0;
            return;
        }
        *v = *v * 10 + (code[j] - '0');
    }
}

static void
prefix_range(struct gen *g, int col, int64_t v, int digits)
{
    int64_t scale = pow10i(12 - digits);
    emit(g, (struct rule_ins){.code = RI_R64, .col = (uint8_t)col, .lo = v * scale,
                .hi = (v + 1) * scale - 1});
}

static void
gen_node(struct gen *g, struct rule_node *n)
{
    int from = g->n;
    switch (n->kind) {
    case RN_AND:
    case RN_OR:
        gen_node(g, n->kids[0]);
        for (int i = 1; i < n->nkids; i++) {
            gen_node(g, n->kids[i]);
            op(g, n->kind == RN_AND ? RI_AND : RI_OR);
        }
        break;
    case RN_NOT:
        gen_node(g, n->kids[0]);
        op(g, RI_NOT);
        break;
    case RN_RECEIVES:
        emit(g, (struct rule_ins){.code = RI_RECV, .word = (int32_t)(n->vals[0].v / 64),
                    .mask = UINT64_C(1) << (n->vals[0].v % 64)});
        break;
    case RN_COND: {
        bool negate = n->op == OP_NE || n->op == OP_NOTIN;
        switch (n->field) {
        case RF_AGE:
            for (int i = 0; i < n->nvals; i++) {
                age_range(g, negate ? OP_EQ : n->op, n->vals[i].v);
                if (i)
                    op(g, RI_OR);
            }
            if (negate)
                op(g, RI_NOT);
            break;
        case RF_REGION:
            for (int i = 0; i < n->nvals; i++) {
                prefix_range(g, 0, n->vals[i].v, n->vals[i].digits);
                if (i)
                    op(g, RI_OR);
            }
            if (negate)
                op(g, RI_NOT);
            break;
        case RF_CATEGORY: {
            uint16_t m = 0;
            for (int i = 0; i < n->nvals; i++)
                m |= (uint16_t)(1u << n->vals[i].v);
            emit(g, (struct rule_ins){.code = RI_CATANY, .mask16 = m});
            if (negate)
                op(g, RI_NOT);
            break;
        }
        case RF_LOCAL: {
            int64_t v;
            int digits;
            if (g->r->region)
                region_prefix(g->r->region, &v, &digits);
            if (g->r->region && digits)
                prefix_range(g, 1, v, digits);
            else
                op(g, RI_SAMECOUNTY);
            if (!n->vals[0].v)
                op(g, RI_NOT);
            break;
        }
        default: {
            static const uint8_t cols[RF_COUNT] = {[RF_ABILITY] = I8_ABILITY,
                [RF_ECONOMIC] = I8_ECONOMIC, [RF_DISABILITY] = I8_DISABILITY,
                [RF_LIVING] = I8_LIVING, [RF_SEX] = I8_SEX};
            emit(g, (struct rule_ins){.code = RI_I8SET, .col = cols[n->field],
                        .mask = i8_mask(n)});
            break;
        }
        }
        break;
    }
    }
    n->code_from = from;
    n->code_to = g->n;
}

int
rule_codegen(struct al_arena *a, struct rule *r, struct rule_error *err)
{
    struct gen g = {.a = a, .r = r};
    gen_node(&g, r->root);
    if (g.max > RULE_STACK) /* cannot happen within RULE_DEPTH_MAX; kept as a guard */
        return rule_fail(err, 1, "规则过于复杂");
    r->code = g.code;
    r->ncode = g.n;
    r->depth = g.max;
    return AL_OK;
}

/* ---- normalised text ---- */

struct buf {
    struct al_arena *a;
    char *p;
    size_t n, cap;
};

static void
put(struct buf *b, const char *s)
{
    size_t l = strlen(s);
    if (b->n + l + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap : 128);
        while (b->n + l + 1 > cap)
            cap *= 2;
        char *p = al_arena_alloc(b->a, cap);
        if (b->n)
            memcpy(p, b->p, b->n);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, l + 1);
    b->n += l;
}

static void
put_value(struct buf *b, const struct rule_node *n, const struct rule_value *v)
{
    if (v->param)
        put(b, v->param);
    else if (n->field == RF_REGION && n->kind == RN_COND)
        put(b, al_arena_printf(b->a, "%0*lld", v->digits, (long long)v->v));
    else
        put(b, v->label);
}

static void
print(struct buf *b, const struct rule_node *n, int parent)
{
    static const char *const ops[] = {">=", "<=", ">", "<", "=", "!=", "属于", "不属于"};
    switch (n->kind) {
    case RN_AND:
    case RN_OR: {
        bool paren = parent == RN_AND || parent == RN_NOT;
        if (paren && !(n->kind == RN_AND && parent == RN_AND))
            put(b, "(");
        else
            paren = false;
        for (int i = 0; i < n->nkids; i++) {
            if (i)
                put(b, n->kind == RN_AND ? " 且 " : " 或 ");
            print(b, n->kids[i], n->kind);
        }
        if (paren)
            put(b, ")");
        break;
    }
    case RN_NOT:
        put(b, "非 ");
        print(b, n->kids[0], RN_NOT);
        break;
    case RN_RECEIVES:
        put(b, "已享受 ");
        put(b, n->vals[0].label);
        break;
    case RN_COND:
        put(b, rule_fdefs[n->field].name);
        if (n->field == RF_LOCAL) {
            if (!n->vals[0].v)
                put(b, " = 否");
            break;
        }
        put(b, " ");
        put(b, ops[n->op]);
        put(b, " ");
        if (n->op == OP_IN || n->op == OP_NOTIN) {
            put(b, "[");
            for (int i = 0; i < n->nvals; i++) {
                if (i)
                    put(b, ", ");
                put_value(b, n, &n->vals[i]);
            }
            put(b, "]");
        } else {
            put_value(b, n, &n->vals[0]);
        }
        break;
    }
}

char *
rule_print(struct al_arena *a, const struct rule_node *n)
{
    struct buf b = {.a = a};
    put(&b, "");
    print(&b, n, -1);
    return b.p;
}

const char *
rule_text(const struct rule *r)
{
    return r->text;
}
