#include "core/csv.h"

#include <ctype.h>
#include <string.h>

#include "core/err.h"

void
al_csv_init(struct al_csv *c, const char *buf, size_t len)
{
    c->p = buf;
    c->end = buf + len;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
    c->line = 0;
    c->next_line = 1;
}

int
al_csv_read(struct al_csv *c, struct al_arena *a, struct al_str *fields, int max, int *nfields)
{
    *nfields = 0;
    if (c->p >= c->end)
        return 0;
    c->line = c->next_line;
    for (;;) {
        const char *start;
        size_t len;
        if (c->p < c->end && *c->p == '"') {
            /* Quoted: copy while unescaping "" → ". */
            const char *s = ++c->p;
            /* Reserve only this field's span: find its closing quote first. */
            const char *q = s;
            while (q < c->end) {
                if (*q == '"') {
                    if (q + 1 < c->end && q[1] == '"') {
                        q += 2;
                        continue;
                    }
                    break;
                }
                q++;
            }
            const char *tail = q;
            while (tail < c->end && *tail != ',' && *tail != '\n' && *tail != '\r')
                tail++;
            char *out = al_arena_alloc(a, (size_t)(tail - s) + 1), *o = out;
            for (;;) {
                if (s >= c->end)
                    return AL_EINVAL;
                if (*s == '"') {
                    if (s + 1 < c->end && s[1] == '"') {
                        *o++ = '"';
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                if (*s == '\n')
                    c->next_line++;
                *o++ = *s++;
            }
            /* Anything between the closing quote and the separator is kept. */
            while (s < c->end && *s != ',' && *s != '\n' && *s != '\r')
                *o++ = *s++;
            *o = '\0';
            c->p = s;
            start = out;
            len = (size_t)(o - out);
        } else {
            start = c->p;
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
                c->p++;
            len = (size_t)(c->p - start);
        }
        if (*nfields < max) {
            fields[*nfields].p = start;
            fields[*nfields].len = len;
        }
        (*nfields)++;
        if (c->p >= c->end)
            return 1;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        c->next_line++;
        return 1;
    }
}

void
al_buf_add(struct al_arena *a, struct al_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = al_arena_alloc(a, cap);
        if (b->len)
            memcpy(p, b->p, b->len);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* "-" then digits, with at most one "." between digits: nothing a spreadsheet runs. */
static bool
negative_number(const char *s)
{
    if (*s++ != '-' || !isdigit((unsigned char)*s))
        return false;
    while (isdigit((unsigned char)*s))
        s++;
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == '\0';
}

void
al_csv_field(struct al_arena *a, struct al_buf *b, const char *s, bool last)
{
    if (!s)
        s = "";
    /* Leading = + - @ would run as a formula in a spreadsheet, and so may one after a
     * leading tab, CR or LF (RULE-PII-006): neutralise with a quote. A negative number
     * (a reversal's amount) is a number, not a formula: left as it is. */
    bool formula = s[0] && strchr("=+-@\t\r\n", s[0]) != NULL && !negative_number(s);
    if (formula || strpbrk(s, ",\"\r\n")) {
        al_buf_add(a, b, "\"", 1);
        if (formula)
            al_buf_add(a, b, "'", 1);
        for (const char *p = s; *p; p++) {
            al_buf_add(a, b, p, 1);
            if (*p == '"')
                al_buf_add(a, b, "\"", 1); /* doubled */
        }
        al_buf_add(a, b, "\"", 1);
    } else {
        al_buf_add(a, b, s, strlen(s));
    }
    al_buf_add(a, b, last ? "\r\n" : ",", last ? 2 : 1);
}

