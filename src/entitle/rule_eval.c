/*
 * The evaluator (RULE-EXPR-013, RULE-EXPR-014): a postfix program over 256 rows at a
 * time, each stack slot a bitmap of the block.  A leaf is one tight loop over
 * one column; 且/或/非 are four word operations.
 */
#include <string.h>

#include "entitle/rule_int.h"

#define BLOCK 256
#define WORDS (BLOCK / 64)

static void
leaf_birth(const int32_t *x, size_t n, int64_t lo, int64_t hi, uint64_t *o)
{
    uint32_t base = (uint32_t)lo, span = (uint32_t)(hi - lo);
    for (size_t w = 0; w * 64 < n; w++) {
        size_t m = n - w * 64 < 64 ? n - w * 64 : 64;
        const int32_t *p = x + w * 64;
        uint64_t b = 0;
        for (size_t j = 0; j < m; j++)
            b |= (uint64_t)((uint32_t)p[j] - base <= span) << j;
        o[w] = b;
    }
}

static void
leaf_r64(const int64_t *x, size_t n, int64_t lo, int64_t hi, uint64_t *o)
{
    uint64_t base = (uint64_t)lo, span = (uint64_t)(hi - lo);
    for (size_t w = 0; w * 64 < n; w++) {
        size_t m = n - w * 64 < 64 ? n - w * 64 : 64;
        const int64_t *p = x + w * 64;
        uint64_t b = 0;
        for (size_t j = 0; j < m; j++)
            b |= (uint64_t)((uint64_t)p[j] - base <= span) << j;
        o[w] = b;
    }
}

static void
leaf_i8(const int8_t *x, size_t n, uint64_t mask, uint64_t *o)
{
    for (size_t w = 0; w * 64 < n; w++) {
        size_t m = n - w * 64 < 64 ? n - w * 64 : 64;
        const int8_t *p = x + w * 64;
        uint64_t b = 0;
        for (size_t j = 0; j < m; j++)
            b |= (mask >> ((unsigned)(p[j] + 1) & 63) & 1) << j;
        o[w] = b;
    }
}

static void
leaf_cat(const uint16_t *x, size_t n, uint16_t mask, uint64_t *o)
{
    for (size_t w = 0; w * 64 < n; w++) {
        size_t m = n - w * 64 < 64 ? n - w * 64 : 64;
        const uint16_t *p = x + w * 64;
        uint64_t b = 0;
        for (size_t j = 0; j < m; j++)
            b |= (uint64_t)((p[j] & mask) != 0) << j;
        o[w] = b;
    }
}

static void
leaf_recv(const uint64_t *x, int words, size_t n, int word, uint64_t mask, uint64_t *o)
{
    for (size_t w = 0; w * 64 < n; w++) {
        size_t m = n - w * 64 < 64 ? n - w * 64 : 64;
        const uint64_t *p = x + (w * 64) * (size_t)words + (size_t)word;
        uint64_t b = 0;
        for (size_t j = 0; j < m; j++)
            b |= (uint64_t)((p[j * (size_t)words] & mask) != 0) << j;
        o[w] = b;
    }
}

/* 本地户籍 without a list region: registered in the county (6 digits) of residence. */
static void
leaf_county(const int64_t *hukou, const int64_t *region, size_t n, uint64_t *o)
{
    for (size_t w = 0; w * 64 < n; w++) {
        size_t m = n - w * 64 < 64 ? n - w * 64 : 64;
        uint64_t b = 0;
        for (size_t j = 0; j < m; j++) {
            int64_t h = hukou[w * 64 + j], r = region[w * 64 + j];
            b |= (uint64_t)(h != 0 && h / 1000000 == r / 1000000) << j;
        }
        o[w] = b;
    }
}

void
rule_run(const struct rule *r, int from, int to, const struct rule_facts *f, size_t row,
    size_t n, uint64_t *out)
{
    uint64_t st[RULE_STACK][WORDS];
    int sp = 0;
    size_t nw = (n + 63) / 64;
    const int8_t *i8[] = {f->ability, f->economic, f->disability, f->living, f->sex};
    for (int i = from; i < to; i++) {
        const struct rule_ins *c = &r->code[i];
        uint64_t *o = st[sp];
        switch (c->code) {
        case RI_BIRTH:
            leaf_birth(f->birth + row, n, c->lo, c->hi, o);
            sp++;
            break;
        case RI_R64:
            leaf_r64((c->col ? f->hukou : f->region) + row, n, c->lo, c->hi, o);
            sp++;
            break;
        case RI_I8SET:
            leaf_i8(i8[c->col] + row, n, c->mask, o);
            sp++;
            break;
        case RI_CATANY:
            leaf_cat(f->categories + row, n, c->mask16, o);
            sp++;
            break;
        case RI_RECV:
            if (c->word >= f->item_words) { /* facts with fewer items than the rule's env */
                memset(o, 0, sizeof(st[0]));
                sp++;
                break;
            }
            leaf_recv(f->receives + row * (size_t)f->item_words, f->item_words, n, c->word,
                c->mask, o);
            sp++;
            break;
        case RI_SAMECOUNTY:
            leaf_county(f->hukou + row, f->region + row, n, o);
            sp++;
            break;
        case RI_TRUE:
            memset(o, 0xff, sizeof(st[0]));
            sp++;
            break;
        case RI_AND:
            sp--;
            for (size_t w = 0; w < nw; w++)
                st[sp - 1][w] &= st[sp][w];
            break;
        case RI_OR:
            sp--;
            for (size_t w = 0; w < nw; w++)
                st[sp - 1][w] |= st[sp][w];
            break;
        case RI_NOT:
            for (size_t w = 0; w < nw; w++)
                st[sp - 1][w] = ~st[sp - 1][w];
            break;
        }
    }
    for (size_t w = 0; w < nw; w++)
        out[w] = st[0][w];
    if (n % 64)
        out[nw - 1] &= (UINT64_C(1) << (n % 64)) - 1;
}

void
rule_eval(const struct rule *r, const struct rule_facts *f, size_t from, size_t n,
    uint64_t *out)
{
    for (size_t k = 0; k < n; k += BLOCK) {
        size_t m = n - k < BLOCK ? n - k : BLOCK;
        rule_run(r, 0, r->ncode, f, from + k, m, out + k / 64);
    }
}

bool
rule_eval_one(const struct rule *r, const struct rule_facts *f, size_t row)
{
    uint64_t b;
    rule_run(r, 0, r->ncode, f, row, 1, &b);
    return b & 1;
}
