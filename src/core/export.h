/*
 * A list exported as CSV (UTF-8 with a BOM, so Excel opens it) or XLSX
 * (libxlsxwriter's constant-memory mode into a temporary file): a title row
 * (XLSX only), a header row, then one row at a time, never the whole list in
 * memory.  Each module's export route reads `format`, audits the export, writes
 * the rows it may show (scoped like its list) and replies with the file.
 */
#ifndef AL_EXPORT_H
#define AL_EXPORT_H

#include "core/db.h"
#include "core/http.h"

struct al_export;

/*
 * The `format` query parameter of `r` (csv or xlsx; xlsx when absent) in
 * *format; AL_EINVAL naming `format` (导出格式应为 csv 或 xlsx) otherwise.
 */
int al_export_format(struct al_req *r, const char **format);

/*
 * Start an export of `ncols` columns headed `headers` (the XLSX sheet also
 * gets `title` above them).  The export lives in r's arena.  Returns AL_OK,
 * or AL_EINTERNAL with r->err filled (the temporary file could not be made).
 */
int al_export_open(struct al_req *r, const char *format, const char *title, int ncols,
    const char *const *headers, struct al_export **out);

/* One row of `ncols` cells (NULL: empty). */
void al_export_row(struct al_export *x, const char *const *cells);

/* Rows written so far. */
long long al_export_rows(const struct al_export *x);

/*
 * Finish and answer `r` with the file named `<name>.<format>`; AL_OK, or
 * AL_EINTERNAL with r->err filled.  After any failure of the caller between
 * open and reply, call al_export_abort instead (removes the temporary file).
 */
int al_export_reply(struct al_export *x, const char *name);
void al_export_abort(struct al_export *x);

/* ---- a whole list from statements, one page at a time (RULE-DB-100) ---- */

/* What a cell transform is given: the current row and a scratch buffer for its text. */
struct al_export_cell {
    struct al_stmt *st; /* the current row */
    int col;            /* the column entry's `col` */
    long long row;      /* the number of this row in the export, from 1 */
    const void *user;   /* al_export_list.user */
    struct al_arena *a; /* the request's arena (for what must outlive the row; sparingly) */
    char *buf;          /* `size` bytes of scratch, valid until the row is written */
    size_t size;
};

/*
 * A column of an export: its heading, and its cell: the statement's column
 * `col` as text (SQL NULL: empty), or what `cell` makes of the row (NULL:
 * empty).  A table ends with AL_XCOL_END.
 */
struct al_export_col {
    const char *header;
    int col;
    const char *(*cell)(struct al_export_cell *c);
};
#define AL_XCOL(h, c) {(h), (c), NULL}
#define AL_XCOLF(h, c, f) {(h), (c), (f)}
#define AL_XCOL_END {NULL, 0, NULL}

/* Transforms every list needs: the row's number (1, 2 …), a phone masked (RULE-PII-002). */
const char *al_xcell_row_number(struct al_export_cell *c);
const char *al_xcell_phone_masked(struct al_export_cell *c);
/* A sex code as GB/T 2261.1 names it (M 男, F 女; another kept); a date's year (its first 4). */
const char *al_xcell_sex(struct al_export_cell *c);
const char *al_xcell_year(struct al_export_cell *c);
/* Unix seconds as the time in China, "YYYY-MM-DD HH:MM:SS" (SQL NULL or 0: empty). */
const char *al_xcell_time_cst(struct al_export_cell *c);

#define AL_EXPORT_KEYS 4 /* columns of a page key at most */
#define AL_EXPORT_KEY_MAX 128 /* bytes of a key column's text at most */

/*
 * A list to export.  `page` gives the statement of the next page, bound and
 * not yet stepped (NULL: AL_EDB): the first page when `after` is NULL, else
 * the page after the previous page's last row, whose key columns (`key_col`
 * and the `nkeys` - 1 after it, as texts; NULL for SQL NULL) are in `after`.
 * A page of fewer than `page_rows` rows is the last.  With `nkeys` 0 the
 * first statement holds every row (a list known to be short).  `page` NULL:
 * no rows (the headings alone).
 */
struct al_export_list {
    const char *title;                /* the XLSX title row */
    const char *name;                 /* the file's name, without the extension */
    const struct al_export_col *cols; /* the columns, ended by AL_XCOL_END */
    const void *user;                 /* given to the transforms */
    struct al_stmt *(*page)(void *ctx, const char *const *after);
    void *ctx;
    int key_col, nkeys;
    int64_t page_rows;
};

/*
 * RULE-DB-100: write every row of the list `l` as an export of `format` and
 * answer `r` with the file: the rows are read a page at a time by key (never
 * OFFSET, never the whole result in memory), each through the column table,
 * and the memory of each page is given back once the page is passed on
 * (RULE-DB-112).  A CSV longer than a page is streamed (RULE-DB-113): the first
 * page is read here, then al_stream_start takes the request over and each
 * further page is read only once the previous one has left for the client, so
 * `l->ctx` and what it points to must live in r->arena (not on the caller's
 * stack), and so must `l->user`'s; `l` itself is copied.  An XLSX is built in
 * libxlsxwriter's temporary file and sent from it (RULE-DB-114).
 * Returns AL_OK, or the first page's error (r->err filled by the core; nothing
 * is sent and the temporary file is removed).  A later page's error cuts the
 * stream short (logged).  Audit the export before calling (with the list's
 * count).  *rows (may be NULL) gets the number of rows written before it
 * returns (a stream's first page only).
 */
int al_export_list(struct al_req *r, const char *format, const struct al_export_list *l,
    long long *rows);

/*
 * What the last al_export_list of this thread did (the log says the same for a stream):
 * rows and pages written, bytes of a CSV, and RULE-DB-112's measure, the most the request's
 * arena held for one page.  For a stream, filled when it ends (or is interrupted).
 */
struct al_export_stats {
    long long rows, pages;
    size_t bytes, arena_peak;
    bool streamed, interrupted;
};
const struct al_export_stats *al_export_last(void);

/*
 * Write every row of the bound statement `st` to `x` through `cols` (the
 * export's columns).  Returns AL_OK or the step's error.  Used by
 * al_export_list; call it directly to append a statement's rows.
 */
int al_export_stmt(struct al_export *x, struct al_stmt *st, const struct al_export_col *cols,
    const void *user);

#endif
