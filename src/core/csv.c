#include "core/csv.h"

#include <string.h>

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
            char *out = al_arena_alloc(a, (size_t)(c->end - s) + 1), *o = out;
            for (;;) {
                if (s >= c->end)
                    return -1;
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
