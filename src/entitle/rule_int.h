/* Private to the rule engine (rule_*.c): tokens, the syntax tree, the program. */
#ifndef ENTITLE_RULE_INT_H
#define ENTITLE_RULE_INT_H

#include "entitle/facts.h"
#include "entitle/rule.h"

/* ---- vocabulary (rule_vocab.c) ---- */

enum rule_field { RF_AGE, RF_REGION, RF_CATEGORY, RF_ABILITY, RF_ECONOMIC, RF_DISABILITY,
    RF_LOCAL, RF_LIVING, RF_SEX, RF_COUNT };
/* What a field's values are, and so which operators it takes (RULE-EXPR-007). */
enum rule_ftype { RT_INT, RT_ENUM, RT_SET, RT_REGION, RT_BOOL };

struct rule_fdef {
    const char *name, *ascii;
    enum rule_ftype type;
    int lo, hi;                     /* RT_INT: legal values */
    const char *const *values;      /* RT_ENUM / RT_SET: ASCII values in code order */
    const char *const *labels;      /* and their Chinese names */
};
extern const struct rule_fdef rule_fdefs[RF_COUNT];
/* A value of an enumerated field by its Chinese or ASCII name: its code, or -1. */
int rule_value_code(const struct rule_fdef *d, const char *s);
extern const char *const rule_ability_labels[];

/* Fill `err` ("第 N 个字符处：" + the message) and return AL_EINVAL. */
int rule_fail(struct rule_error *err, int column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- tokens (rule_lex.c) ---- */

enum rule_tok { TK_END, TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_COMMA, TK_CMP, TK_AND,
    TK_OR, TK_NOT, TK_IN, TK_NOTIN, TK_RECEIVES, TK_NUM, TK_STR, TK_WORD, TK_ERROR };
enum rule_cmp { OP_GE, OP_LE, OP_GT, OP_LT, OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_BARE };

struct rule_token {
    enum rule_tok type;
    enum rule_cmp op;      /* TK_CMP */
    int column;            /* 1-based, in characters */
    int64_t num;           /* TK_NUM */
    const char *text;      /* NUL-terminated copy: the word, the string's content, the number */
};

/* Split `text` into tokens (ending with TK_END) in `a`.  AL_OK or AL_EINVAL with `err`. */
int rule_lex(struct al_arena *a, const char *text, size_t len, struct rule_token **out, int *n,
    struct rule_error *err);
/* The token as the user wrote it, for "实际为“…”" ("结尾" at the end). */
const char *rule_tok_show(const struct rule_token *t);

/* ---- syntax tree (rule_parse.c) ---- */

enum rule_nkind { RN_AND, RN_OR, RN_NOT, RN_COND, RN_RECEIVES };

struct rule_value {
    int64_t v;           /* integer, enum code, region prefix as a number, item bit */
    int digits;          /* RT_REGION: how many digits of the prefix */
    const char *label;   /* as shown in explanations */
    const char *param;   /* the parameter that gave v, or NULL */
    const char *reference;
};

struct rule_node {
    enum rule_nkind kind;
    int column;
    int nkids;
    struct rule_node **kids;
    /* RN_COND / RN_RECEIVES */
    enum rule_field field;
    enum rule_cmp op;
    int nvals;
    struct rule_value *vals;
    int code_from, code_to; /* its instructions in the program */
};

/* ---- program (rule_compile.c, rule_eval.c) ---- */

/* The deepest evaluation stack a program may need (RULE_DEPTH_MAX nesting stays below). */
#define RULE_STACK 96

enum rule_opcode { RI_BIRTH, RI_R64, RI_I8SET, RI_CATANY, RI_RECV, RI_SAMECOUNTY, RI_AND, RI_OR,
    RI_NOT, RI_TRUE };

struct rule_ins {
    uint8_t code;
    uint8_t col;      /* RI_R64: 0 region, 1 hukou; RI_I8SET: which int8 column */
    uint16_t mask16;  /* RI_CATANY */
    int32_t word;     /* RI_RECV: word index; */
    uint64_t mask;    /* RI_RECV: bit; RI_I8SET: bit (code + 1) set for accepted codes */
    int64_t lo, hi;   /* RI_BIRTH / RI_R64: lo <= x <= hi */
};
enum { I8_ABILITY, I8_ECONOMIC, I8_DISABILITY, I8_LIVING, I8_SEX };

struct rule {
    const char *text;
    struct rule_node *root;
    struct rule_ins *code;
    int ncode, depth;
    int32_t date;          /* YYYYMMDD */
    const char *region;    /* the list's region (本地户籍), or NULL */
    int nparams;
    const char **params;
    int nitems;
    int *items;
};

/* Build `r->code` from `r->root`: AL_OK, or AL_EINVAL (program too deep) with err. */
int rule_codegen(struct al_arena *a, struct rule *r, struct rule_error *err);
/* The normalised text of a tree (Chinese keywords, single spaces), in `a`. */
char *rule_print(struct al_arena *a, const struct rule_node *n);
/* Run instructions [from, to) on rows [row, row + n), n <= 256, into out[4]. */
void rule_run(const struct rule *r, int from, int to, const struct rule_facts *f, size_t row,
    size_t n, uint64_t *out);

/* Age in whole years at `date` (both YYYYMMDD). */
int rule_age(int32_t birth, int32_t date);

#endif
