/*
 * Tokens of the rule language (RULE-EXPR-001..004): Chinese keywords and
 * their ASCII equivalents, half- and full-width symbols, columns counted in
 * characters.
 */
#include <string.h>

#include "core/err.h"
#include "entitle/rule_int.h"

/* Decode one UTF-8 character at s[0..n): its code point and length, or -1 when invalid. */
static int
decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    int len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        c &= 0x07;
    } else {
        return -1;
    }
    if ((size_t)len > n)
        return -1;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return -1;
    *cp = c;
    return len;
}

static bool
is_space(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000;
}

/* Characters with a meaning of their own: they end a bare word. */
static bool
is_symbol(unsigned c)
{
    switch (c) {
    case '(': case ')': case '[': case ']': case ',': case '>': case '<': case '=': case '!':
    case '"': case '\'':
    case 0xFF08: case 0xFF09: /* （ ） */
    case 0xFF3B: case 0xFF3D: case 0x3010: case 0x3011: /* ［ ］ 【 】 */
    case 0xFF0C: case 0x3001: /* ， 、 */
    case 0xFF1E: case 0xFF1C: case 0xFF1D: case 0xFF01: /* ＞ ＜ ＝ ！ */
    case 0x2265: case 0x2264: case 0x2260: /* ≥ ≤ ≠ */
    case 0x201C: case 0x201D: case 0x2018: case 0x2019: case 0x300C: case 0x300D: /* quotes */
        return true;
    default:
        return false;
    }
}

static bool
is_word(unsigned c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    return !is_space(c) && !is_symbol(c);
}

/* Chinese keywords end a bare word wherever they start (RULE-EXPR-003). */
static const struct {
    const char *s;
    enum rule_tok t;
} zh_keywords[] = {
    {"不属于", TK_NOTIN}, {"属于", TK_IN}, {"已享受", TK_RECEIVES}, {"且", TK_AND},
    {"或", TK_OR}, {"非", TK_NOT},
};

static int
zh_keyword(const char *p, size_t left, enum rule_tok *t)
{
    for (size_t i = 0; i < sizeof(zh_keywords) / sizeof(zh_keywords[0]); i++) {
        size_t n = strlen(zh_keywords[i].s);
        if (n <= left && memcmp(p, zh_keywords[i].s, n) == 0) {
            *t = zh_keywords[i].t;
            return (int)n;
        }
    }
    return 0;
}

/* A comparison symbol, normalised to ASCII: one of > < = ! (0 when not one). */
static char
cmp_char(unsigned c)
{
    switch (c) {
    case '>': case 0xFF1E: return '>';
    case '<': case 0xFF1C: return '<';
    case '=': case 0xFF1D: return '=';
    case '!': case 0xFF01: return '!';
    default: return 0;
    }
}

static unsigned
closing_quote(unsigned open)
{
    switch (open) {
    case 0x201C: return 0x201D;
    case 0x2018: return 0x2019;
    case 0x300C: return 0x300D;
    default: return open;
    }
}

/* The lexer's position in the text. */
struct lexer {
    struct al_arena *a;
    const char *text;
    const unsigned char *s;
    size_t len, i; /* bytes */
    int col;       /* characters, from 1 */
    struct rule_error *err;
};

/* Brackets, parentheses and commas in their half- and full-width forms; TK_END when not one. */
static enum rule_tok
punct(unsigned c)
{
    if (c == '(' || c == 0xFF08)
        return TK_LPAREN;
    if (c == ')' || c == 0xFF09)
        return TK_RPAREN;
    if (c == '[' || c == 0xFF3B || c == 0x3010)
        return TK_LBRACK;
    if (c == ']' || c == 0xFF3D || c == 0x3011)
        return TK_RBRACK;
    if (c == ',' || c == 0xFF0C || c == 0x3001)
        return TK_COMMA;
    return TK_END;
}

/* RULE-EXPR-002: >= <= > < = == != <> and their full-width forms; `cc` is the first, read. */
static int
lex_cmp(struct lexer *lx, struct rule_token *k, char cc, int start_col)
{
    char second = 0;
    unsigned c2;
    int l2 = lx->i < lx->len ? decode(lx->s + lx->i, lx->len - lx->i, &c2) : -1;
    if (l2 > 0)
        second = cmp_char(c2);
    k->type = TK_CMP;
    if (second == '=' || (cc == '<' && second == '>')) {
        lx->i += (size_t)l2;
        lx->col++;
    } else {
        second = 0;
    }
    if (cc == '>')
        k->op = second == '=' ? OP_GE : OP_GT;
    else if (cc == '<')
        k->op = second == '=' ? OP_LE : second == '>' ? OP_NE : OP_LT;
    else if (cc == '=')
        k->op = OP_EQ;
    else if (second == '=')
        k->op = OP_NE;
    else
        return rule_fail(lx->err, start_col, "“!”后应为“=”");
    return AL_OK;
}

/* A quoted value: anything up to the quote matching `open` (“ may close with " too). */
static int
lex_quoted(struct lexer *lx, struct rule_token *k, unsigned open, int start_col)
{
    unsigned close = closing_quote(open);
    size_t from = lx->i;
    for (;;) {
        if (lx->i >= lx->len)
            return rule_fail(lx->err, start_col, "引号未闭合");
        unsigned q;
        int lq = decode(lx->s + lx->i, lx->len - lx->i, &q);
        if (lq < 0)
            return rule_fail(lx->err, lx->col, "不是有效的 UTF-8 文字");
        if (q == 0)
            return rule_fail(lx->err, lx->col, "不应有空字符");
        size_t at = lx->i;
        lx->i += (size_t)lq;
        lx->col++;
        if (q == close || (close == 0x201D && q == '"')) {
            k->text = al_arena_strndup(lx->a, lx->text + from, at - from);
            k->type = TK_STR;
            return AL_OK;
        }
    }
}

/* A number of at most 18 digits; its first digit `c` at byte `start` is read. */
static int
lex_number(struct lexer *lx, struct rule_token *k, unsigned c, size_t start, int start_col)
{
    int64_t v = c - '0';
    bool big = false;
    while (lx->i < lx->len && lx->s[lx->i] >= '0' && lx->s[lx->i] <= '9') {
        if (v > (INT64_MAX - 9) / 10)
            big = true;
        else
            v = v * 10 + (lx->s[lx->i] - '0');
        lx->i++;
        lx->col++;
    }
    if (big || lx->i - start > 18)
        return rule_fail(lx->err, start_col, "数值过大");
    k->type = TK_NUM;
    k->num = v;
    k->text = al_arena_strndup(lx->a, lx->text + start, lx->i - start);
    return AL_OK;
}

/*
 * A bare word from byte `start`: up to a space, a symbol or a Chinese keyword.  An ASCII
 * keyword becomes its token, and "not in" one operator with the "not" before it (the token
 * count *n then drops by one) (RULE-EXPR-003).
 */
static void
lex_word(struct lexer *lx, struct rule_token *t, int *n, size_t start)
{
    struct rule_token *k = &t[*n - 1];
    enum rule_tok kw;
    while (lx->i < lx->len) {
        unsigned w;
        int lw = decode(lx->s + lx->i, lx->len - lx->i, &w);
        if (lw < 0 || !is_word(w) ||
            (w >= 0x80 && zh_keyword(lx->text + lx->i, lx->len - lx->i, &kw)))
            break;
        lx->i += (size_t)lw;
        lx->col++;
    }
    k->text = al_arena_strndup(lx->a, lx->text + start, lx->i - start);
    k->type = TK_WORD;
    static const struct {
        const char *s;
        enum rule_tok t;
    } ascii[] = {{"and", TK_AND}, {"or", TK_OR}, {"not", TK_NOT}, {"in", TK_IN},
        {"receives", TK_RECEIVES}};
    for (size_t j = 0; j < sizeof(ascii) / sizeof(ascii[0]); j++)
        if (strcasecmp(k->text, ascii[j].s) == 0)
            k->type = ascii[j].t;
    if (k->type == TK_IN && *n >= 2 && t[*n - 2].type == TK_NOT &&
        strcasecmp(t[*n - 2].text, "not") == 0) {
        (*n)--;
        t[*n - 1].type = TK_NOTIN;
        t[*n - 1].text = "not in";
    }
}

/* The token starting with character `c` (`l` bytes, already passed) at byte `start`. */
static int
lex_token(struct lexer *lx, struct rule_token *t, int *n, unsigned c, int l, size_t start,
    int start_col)
{
    struct rule_token *k = &t[*n - 1];
    char cc = cmp_char(c);
    enum rule_tok kw;
    int kl;
    if ((k->type = punct(c)) != TK_END)
        return AL_OK;
    if (c == 0x2265 || c == 0x2264 || c == 0x2260) {
        k->type = TK_CMP;
        k->op = c == 0x2265 ? OP_GE : c == 0x2264 ? OP_LE : OP_NE;
        return AL_OK;
    }
    if (cc)
        return lex_cmp(lx, k, cc, start_col);
    if (c == '"' || c == '\'' || c == 0x201C || c == 0x2018 || c == 0x300C)
        return lex_quoted(lx, k, c, start_col);
    if (c >= '0' && c <= '9')
        return lex_number(lx, k, c, start, start_col);
    if ((kl = zh_keyword(lx->text + start, lx->len - start, &kw)) > 0) {
        k->type = kw;
        lx->i = start + (size_t)kl;
        lx->col = start_col + (kl / 3);
        k->text = al_arena_strndup(lx->a, lx->text + start, (size_t)kl);
        return AL_OK;
    }
    if (is_word(c)) {
        lex_word(lx, t, n, start);
        return AL_OK;
    }
    char ch[8] = {0};
    memcpy(ch, lx->text + start, (size_t)l);
    return rule_fail(lx->err, start_col, "无法识别的字符“%s”", ch);
}

int
rule_lex(struct al_arena *a, const char *text, size_t len, struct rule_token **out, int *count,
    struct rule_error *err)
{
    struct lexer lx = {.a = a, .text = text, .s = (const unsigned char *)text, .len = len,
        .col = 1, .err = err};
    /* At most one token per character, plus the end. */
    struct rule_token *t = al_arena_alloc(a, (len + 1) * sizeof(*t));
    int n = 0;
    while (lx.i < len) {
        unsigned c;
        int l = decode(lx.s + lx.i, len - lx.i, &c);
        if (l < 0)
            return rule_fail(err, lx.col, "不是有效的 UTF-8 文字");
        if (c == 0)
            return rule_fail(err, lx.col, "不应有空字符");
        size_t start = lx.i;
        int start_col = lx.col;
        lx.i += (size_t)l;
        lx.col++;
        if (is_space(c))
            continue;
        t[n++] = (struct rule_token){.column = start_col};
        int rc = lex_token(&lx, t, &n, c, l, start, start_col);
        if (rc != AL_OK)
            return rc;
    }
    t[n] = (struct rule_token){.type = TK_END, .column = lx.col};
    *out = t;
    *count = n + 1;
    return AL_OK;
}

const char *
rule_tok_show(const struct rule_token *t)
{
    static const char *const fixed[] = {[TK_END] = "结尾", [TK_LPAREN] = "(",
        [TK_RPAREN] = ")", [TK_LBRACK] = "[", [TK_RBRACK] = "]", [TK_COMMA] = ","};
    static const char *const ops[] = {">=", "<=", ">", "<", "=", "!="};
    if (t->type == TK_CMP)
        return ops[t->op];
    if (t->type <= TK_COMMA)
        return fixed[t->type];
    return t->text ? t->text : "";
}
