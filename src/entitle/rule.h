/*
 * The eligibility-rule language of the basic service list (issue 12,
 * RULE-EXPR-001..029): conditions over an elder's facts, written in Chinese
 * with ASCII equivalents,
 *
 *     年龄 >= 高龄年龄 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 2
 *     age >= 80 and economic in [tekun, dibao] and ability >= 2
 *
 * A rule text is compiled once, for a date (named parameters are resolved
 * through the caller's callback at that date), into a flat postfix program
 * that is evaluated over a packed, columnar table of facts (facts.h) 256
 * elders at a time, one bit per elder: never re-parsed per elder.  The same
 * compiled rule explains its answer for one elder in Chinese sentences.
 *
 * Pure: no database, no clock, no global state; memory from the caller's arena.
 */
#ifndef ENTITLE_RULE_H
#define ENTITLE_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct rule_facts;
struct json_t;

/* The longest rule text accepted (bytes) and the deepest nesting of 非 and parentheses. */
#define RULE_TEXT_MAX 4000
#define RULE_DEPTH_MAX 32

/* A named parameter's value at a date, as the catalogue's resolver returns it. */
struct rule_param {
    int64_t value;         /* an integer: an age, a level, an amount in fen */
    const char *reference; /* legal reference ("黔民发〔2024〕3 号 第五条"), may be NULL */
};

/* What a rule is compiled against. */
struct rule_env {
    const char *date;   /* YYYY-MM-DD: ages are counted and parameters resolved at this date */
    const char *region; /* the list's region code (本地户籍 = household registered inside it);
                           NULL: inside the county (first 6 digits) of the elder's residence */
    /*
     * Resolve parameter `name` at `date`: AL_OK with `out` filled (strings must
     * live as long as the compiled rule, or be copied: the compiler copies
     * them into its arena), AL_ENOTFOUND when there is no such parameter or no
     * value on that date.  NULL: no parameters.
     */
    int (*param)(void *ctx, const char *name, const char *date, struct rule_param *out);
    /*
     * Resolve an item named after 已享受 to its bit in the facts' receiving
     * bitset (0 <= bit < item_bits) and its display name: AL_OK or
     * AL_ENOTFOUND.  NULL: 已享受 is refused.
     */
    int (*item)(void *ctx, const char *name, int *bit, const char **label);
    void *ctx;
    int item_bits; /* how many item bits the facts carry (facts_init's item_bits) */
};

/* Why a text did not compile: the character column (1-based, a Chinese character counts as
 * one) and a Chinese sentence starting with "第 N 个字符处：". */
struct rule_error {
    int column;
    char message[384];
};

/* A compiled rule: opaque, owned by the arena it was compiled in, read-only afterwards (one
 * compiled rule may be evaluated by several threads at once). */
struct rule;

/*
 * Parse, type-check and compile `text` (UTF-8, at most RULE_TEXT_MAX bytes).
 * Returns AL_OK with *out set (memory in `a`), or AL_EINVAL with `err`
 * filled (RULE-EXPR-001..012); a resolver's other error code is returned as
 * it is (err says which parameter).  Never reads past `len`.
 */
int rule_compile(struct al_arena *a, const char *text, size_t len, const struct rule_env *env,
    struct rule **out, struct rule_error *err);

/* Names of the parameters the rule uses, in order of first use (for "which rules use 高龄年龄"). */
int rule_params(const struct rule *r, const char *const **names);

/* Item bits the rule reads through 已享受, in order of first use (for the catalogue's
 * dependency check between items: a rule must not depend on itself through others). */
int rule_items(const struct rule *r, const int **bits);

/* The normalised text of the rule (keywords in Chinese, single spaces), in the rule's arena. */
const char *rule_text(const struct rule *r);

/*
 * Evaluate `r` for rows [from, from + n) of `f`: bit i of `out` (word i / 64,
 * bit i % 64) is 1 when row from + i is eligible.  `out` holds (n + 63) / 64
 * words; bits past n are 0.  Thread-safe for distinct `out`.
 */
void rule_eval(const struct rule *r, const struct rule_facts *f, size_t from, size_t n,
    uint64_t *out);
/* One row. */
bool rule_eval_one(const struct rule *r, const struct rule_facts *f, size_t row);

/* ---- Explanation (RULE-EXPR-020..025) ---------------------------------------- */

enum rule_xkind { RULE_X_COND, RULE_X_AND, RULE_X_OR, RULE_X_NOT };

struct rule_xnode {
    enum rule_xkind kind;
    bool held;
    const char *condition; /* "年满 80 周岁", "经济状况为特困或低保"; "全部满足" … for AND/OR/NOT */
    const char *value;     /* the elder's value: "86 周岁", "一般"; NULL when none applies */
    const char *sentence;  /* "年满 80 周岁：是（86 周岁）" */
    const char *param;     /* the parameter that set the threshold, or NULL */
    const char *reference; /* its legal reference, or NULL */
    int column;            /* where the condition starts in the rule text */
    int missing;           /* how many conditions below must change for this node to hold */
    int nkids;
    struct rule_xnode **kids;
};

struct rule_explanation {
    bool eligible;
    struct rule_xnode *root;
    /* For a failed rule, the conditions that are missing: under 且 every failed one, under 或
     * the closest branch (fewest missing, the first on a tie), under 非 the condition that
     * must stop holding (sentence "不应满足：…"). */
    int nmissing;
    const char **missing;
};

/*
 * Explain `r` for row `row` of `f`, in `a`.  Returns AL_OK (cannot fail other
 * than by running out of memory, which aborts like every arena allocation).
 */
int rule_explain(struct al_arena *a, const struct rule *r, const struct rule_facts *f,
    size_t row, struct rule_explanation *out);

/* The explanation as JSON: {"eligible", "missing": [...], "conditions": {kind, held,
 * condition, value, sentence, param, reference, missing, kids: [...]}}.  New reference. */
struct json_t *rule_explanation_json(const struct rule_explanation *x);

/* ---- Vocabulary (shared with the editor's help and the catalogue) ------------ */

/* Chinese and ASCII names of the fields, NULL-terminated, in the same order. */
extern const char *const rule_field_names[];
extern const char *const rule_field_ascii[];

#endif
