/*
 * CSV records (RFC 4180: quoted fields, doubled quotes, CRLF or LF) read from
 * a buffer.  Fields point into the arena (quoted fields are unescaped).
 */
#ifndef AL_CSV_H
#define AL_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

struct al_csv {
    const char *p, *end;
    int line; /* line number of the record last returned (1-based) */
    int next_line;
};

struct al_str {
    const char *p;
    size_t len;
};

void al_csv_init(struct al_csv *c, const char *buf, size_t len);

/*
 * Read the next record into `fields` (at most `max`; extra fields are
 * counted in *nfields but not stored).  Returns 1 for a record, 0 at the end,
 * AL_EINVAL for a quoted field the buffer ends inside (the caller names c->line:
 * an iterator, so no message of its own).  A UTF-8 BOM at the start is skipped.
 */
int al_csv_read(struct al_csv *c, struct al_arena *a, struct al_str *fields, int max, int *nfields);

/* A growing byte buffer in an arena (NUL-terminated). */
struct al_buf {
    char *p;
    size_t len, cap;
};
void al_buf_add(struct al_arena *a, struct al_buf *b, const char *s, size_t n);

/*
 * Append one CSV field (quoted when it holds , " CR or LF; a leading = + - @,
 * tab, CR or LF is neutralised against spreadsheet formulas with a ' inside the
 * quotes, RULE-PII-006) and "," or, for the last field of a row, CRLF.
 */
void al_csv_field(struct al_arena *a, struct al_buf *b, const char *s, bool last);

#endif
