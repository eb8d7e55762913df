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

int
rule_lex(struct al_arena *a, const char *text, size_t len, struct rule_token **out, int *count,
    struct rule_error *err)
{
    const unsigned char *s = (const unsigned char *)text;
    /* At most one token per character, plus the end. */
    struct rule_token *t = al_arena_alloc(a, (len + 1) * sizeof(*t));
    int n = 0, col = 1;
    size_t i = 0;
    while (i < len) {
        unsigned c;
        int l = decode(s + i, len - i, &c);
        if (l < 0)
            return rule_fail(err, col, "不是有效的 UTF-8 文字");
        if (c == 0)
            return rule_fail(err, col, "不应有空字符");
        if (is_space(c)) {
            i += (size_t)l;
            col++;
            continue;
        }
        struct rule_token *k = &t[n++];
        *k = (struct rule_token){.column = col};
        size_t start = i;
        int start_col = col;
        i += (size_t)l;
        col++;
        char cc = cmp_char(c);
        enum rule_tok kw;
        int kl;
        if (c == '(' || c == 0xFF08) {
            k->type = TK_LPAREN;
        } else if (c == ')' || c == 0xFF09) {
            k->type = TK_RPAREN;
        } else if (c == '[' || c == 0xFF3B || c == 0x3010) {
            k->type = TK_LBRACK;
        } else if (c == ']' || c == 0xFF3D || c == 0x3011) {
            k->type = TK_RBRACK;
        } else if (c == ',' || c == 0xFF0C || c == 0x3001) {
            k->type = TK_COMMA;
        } else if (c == 0x2265 || c == 0x2264 || c == 0x2260) {
            k->type = TK_CMP;
            k->op = c == 0x2265 ? OP_GE : c == 0x2264 ? OP_LE : OP_NE;
        } else if (cc) {
            /* RULE-EXPR-002: >= <= > < = == != <> and their full-width forms. */
            char second = 0;
            unsigned c2;
            int l2 = i < len ? decode(s + i, len - i, &c2) : -1;
            if (l2 > 0)
                second = cmp_char(c2);
            k->type = TK_CMP;
            if (second == '=' || (cc == '<' && second == '>')) {
                i += (size_t)l2;
                col++;
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
                return rule_fail(err, start_col, "“!”后应为“=”");
        } else if (c == '"' || c == '\'' || c == 0x201C || c == 0x2018 || c == 0x300C) {
            /* A quoted value: anything up to the matching quote (“ may close with " too). */
            unsigned close = closing_quote(c);
            size_t from = i;
            for (;;) {
                if (i >= len)
                    return rule_fail(err, start_col, "引号未闭合");
                unsigned q;
                int lq = decode(s + i, len - i, &q);
                if (lq < 0)
                    return rule_fail(err, col, "不是有效的 UTF-8 文字");
                if (q == 0)
                    return rule_fail(err, col, "不应有空字符");
                if (q == close || (close == 0x201D && q == '"')) {
                    k->text = al_arena_strndup(a, text + from, i - from);
                    i += (size_t)lq;
                    col++;
                    break;
                }
                i += (size_t)lq;
                col++;
            }
            k->type = TK_STR;
        } else if (c >= '0' && c <= '9') {
            int64_t v = c - '0';
            bool big = false;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                if (v > (INT64_MAX - 9) / 10)
                    big = true;
                else
                    v = v * 10 + (s[i] - '0');
                i++;
                col++;
            }
            if (big || i - start > 18)
                return rule_fail(err, start_col, "数值过大");
            k->type = TK_NUM;
            k->num = v;
            k->text = al_arena_strndup(a, text + start, i - start);
        } else if ((kl = zh_keyword(text + start, len - start, &kw)) > 0) {
            k->type = kw;
            i = start + (size_t)kl;
            col = start_col + (kl / 3);
            k->text = al_arena_strndup(a, text + start, (size_t)kl);
        } else if (is_word(c)) {
            /* A bare word: up to a space, a symbol or a Chinese keyword. */
            while (i < len) {
                unsigned w;
                int lw = decode(s + i, len - i, &w);
                if (lw < 0 || !is_word(w) || (w >= 0x80 && zh_keyword(text + i, len - i, &kw)))
                    break;
                i += (size_t)lw;
                col++;
            }
            k->text = al_arena_strndup(a, text + start, i - start);
            k->type = TK_WORD;
            static const struct {
                const char *s;
                enum rule_tok t;
            } ascii[] = {{"and", TK_AND}, {"or", TK_OR}, {"not", TK_NOT}, {"in", TK_IN},
                {"receives", TK_RECEIVES}};
            for (size_t j = 0; j < sizeof(ascii) / sizeof(ascii[0]); j++)
                if (strcasecmp(k->text, ascii[j].s) == 0)
                    k->type = ascii[j].t;
            /* "not in" is one operator (RULE-EXPR-003). */
            if (k->type == TK_IN && n >= 2 && t[n - 2].type == TK_NOT &&
                strcasecmp(t[n - 2].text, "not") == 0) {
                n--;
                t[n - 1].type = TK_NOTIN;
                t[n - 1].text = "not in";
            }
        } else {
            char ch[8] = {0};
            memcpy(ch, text + start, (size_t)l);
            return rule_fail(err, start_col, "无法识别的字符“%s”", ch);
        }
    }
    t[n] = (struct rule_token){.type = TK_END, .column = col};
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
