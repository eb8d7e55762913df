/*
 * Queries over core/db.h's engine-neutral statements, the parts every store
 * wrote again: a WHERE with its parameters, a paged list whose total and page
 * come from that one WHERE, and the current row as a JSON object from a small
 * column table.
 *
 *     struct al_params p;
 *     al_params_init(&p, a);
 *     const char *where = al_arena_printf(a, " WHERE u.region_code >= %s AND u.region_code < %s",
 *         al_param_text(&p, lo), al_param_text(&p, hi));
 *     static const struct al_page_sql sql = {.cols = "u.id, u.name", .from = " FROM users u",
 *         .order = " ORDER BY u.id"};
 *     rc = al_db_page(db, &p, &sql, where, limit, offset, &(struct al_rows){.cols = user_cols},
 *         items, &total);
 *
 * A WHERE may also be a static text naming ?1…?N itself: add the parameters
 * in that order (al_param_* returns the mark, which is then not needed).
 */
#ifndef AL_DBQ_H
#define AL_DBQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

/* ---- parameters, numbered in the order they are added ---- */

#define AL_PARAMS_MAX 32

struct al_params {
    struct al_arena *a;
    int n;
    bool overflow; /* more than AL_PARAMS_MAX: al_db_page answers AL_EDB */
    struct {
        const char *text;
        int64_t i;
        bool is_int;
    } v[AL_PARAMS_MAX];
};

void al_params_init(struct al_params *p, struct al_arena *a);
/*
 * Add a text (NULL binds SQL NULL; the text must outlive the query) or an
 * integer; returns its mark "?N" (in the arena).  PostgreSQL must see every
 * number from 1 to the last in the text, so add a parameter where it is used.
 */
const char *al_param_text(struct al_params *p, const char *s);
const char *al_param_int(struct al_params *p, int64_t v);
/* Bind the parameters to `st` (NULL allowed: the step then answers AL_EDB). */
void al_params_bind(struct al_stmt *st, const struct al_params *p);

/*
 * RULE-DB-045: a statement's parameters bound in one call, ?1, ?2 … in order:
 *
 *     al_stmt_binds(st, AL_I(q->elder_id), AL_T(q->region_code), AL_REF(q->user_id), AL_I(now));
 *
 * AL_T: a text (NULL binds NULL); AL_I: an integer; AL_REF: an optional
 * reference, bound only when above 0 (else the parameter stays NULL).
 */
struct al_arg {
    enum { AL_ARG_TEXT, AL_ARG_INT, AL_ARG_REF } kind;
    const char *text;
    int64_t i;
};
#define AL_T(x) ((struct al_arg){AL_ARG_TEXT, (x), 0})
#define AL_I(x) ((struct al_arg){AL_ARG_INT, NULL, (x)})
#define AL_REF(x) ((struct al_arg){AL_ARG_REF, NULL, (x)})
void al_stmt_bind_args(struct al_stmt *st, const struct al_arg *args, int n);
#define al_stmt_binds(st, ...)                                                                 \
    al_stmt_bind_args((st), (const struct al_arg[]){__VA_ARGS__},                              \
        (int)(sizeof((const struct al_arg[]){__VA_ARGS__}) / sizeof(struct al_arg)))

/* ---- a row as JSON ---- */

/*
 * How a column becomes a JSON value.  SQL NULL is JSON null for every kind
 * but BOOL (false).  TIME: unix seconds as "YYYY-MM-DDTHH:MM:SSZ", 0 as null.
 * JSON: the stored text parsed (null when it does not parse).  FN: `fn`.
 */
enum al_col_kind { AL_COL_TEXT, AL_COL_INT, AL_COL_DOUBLE, AL_COL_BOOL, AL_COL_JSON, AL_COL_TIME,
    AL_COL_FN };

struct al_row_ctx {
    struct al_arena *a;
    const void *user; /* what the transforms need (e.g. today's date) */
};

struct al_col {
    int col;            /* column of the row, from 0 */
    const char *key;    /* JSON key; NULL ends the table */
    enum al_col_kind kind;
    /* AL_COL_FN: the value (a new reference; NULL leaves the key out). */
    json_t *(*fn)(const struct al_row_ctx *c, struct al_stmt *st, int col);
};

/* Table entries: a column of a kind, a column through a transform, the end of the table. */
#define AL_COL(c, k, kind) {(c), (k), (kind), NULL}
#define AL_COLF(c, k, f) {(c), (k), AL_COL_FN, (f)}
#define AL_COL_END {-1, NULL, AL_COL_TEXT, NULL}

/* Set the keys of `cols` (ended by a NULL key) from the current row into `o`; returns `o`. */
json_t *al_row_into(json_t *o, const struct al_row_ctx *c, struct al_stmt *st,
    const struct al_col *cols);
/* A new object from the current row. */
json_t *al_row_json(const struct al_row_ctx *c, struct al_stmt *st, const struct al_col *cols);

/* Transforms for AL_COL_FN: a phone masked as 138****5678 (RULE-PII-002), null kept. */
json_t *al_col_phone_masked(const struct al_row_ctx *c, struct al_stmt *st, int col);

/* ---- a paged list ---- */

struct al_page_sql {
    const char *cols;  /* the page's select list */
    const char *from;  /* " FROM …" of both */
    const char *order; /* " ORDER BY …" of the page */
};

/* How each row of a page is read: the column table, or `row` when set (then `cols` is not used). */
struct al_rows {
    const struct al_col *cols;
    json_t *(*row)(const struct al_row_ctx *c, struct al_stmt *st);
    const void *user; /* passed to transforms as al_row_ctx.user */
};

/*
 * RULE-DB-040: the total and one page of a list from ONE where text, so they
 * never disagree: "SELECT count(*)" from where, then "SELECT" cols from where
 * order " LIMIT ? OFFSET ?" (the two marks added to `p` after the WHERE's).
 * `where` is "" or " WHERE …" naming the marks of `p`.  Each row is appended
 * to `items`; `*total` is the count.  AL_OK or the statement's error.
 */
int al_db_page(struct al_db *db, struct al_params *p, const struct al_page_sql *q,
    const char *where, int64_t limit, int64_t offset, const struct al_rows *rows, json_t *items,
    int64_t *total);

/*
 * RULE-DB-101: one page of a list read by key, for reading a whole list a page
 * at a time (an export, src/core/export.h) without OFFSET: "SELECT" cols from
 * where " AND key > ?" (`desc`: "<") " ORDER BY key [DESC] LIMIT ?", the rows
 * after the key `after` (an integer's text; NULL: the first page).  `key` is
 * one unique integer column, the list's order.  Returns the bound statement,
 * not stepped (NULL: it could not be prepared, or too many parameters); the
 * marks it adds to `p` are taken back, so `p` serves the next page.
 */
struct al_stmt *al_db_keyset(struct al_db *db, struct al_params *p, const struct al_page_sql *q,
    const char *where, const char *key, bool desc, const char *after, int64_t limit);

/*
 * RULE-DB-135: every row of a table in key order, a page at a time, as one cursor: `sql` reads
 * the rows whose key (its first column, a unique positive integer: an id) is greater than ?1
 * (0 for the first page), ordered by it, LIMIT ?2.  A statement over a whole table would hold all its rows at once on PostgreSQL
 * (results arrive whole); this holds one page.  Zero-initialise, set db, sql and limit
 * (<= 0: 20,000), then step: AL_ROW with the row in `st` (valid until the next step), AL_OK
 * after the last, or an error.  al_keyset_reset ends it early.
 *
 *     struct al_keyset k = {.db = db, .sql = sql_state};
 *     while ((rc = al_keyset_step(&k)) == AL_ROW) … al_stmt_int(k.st, 0) …
 */
struct al_keyset {
    struct al_db *db;
    const char *sql;
    int64_t limit;
    struct al_stmt *st; /* the current page's statement, NULL between pages */
    int64_t after, got; /* the last key read; rows read of the current page */
    bool started, done;
};
int al_keyset_step(struct al_keyset *k);
void al_keyset_reset(struct al_keyset *k);

/* Every row of a statement already bound, appended to `items`: AL_OK or its error. */
int al_db_rows(struct al_stmt *st, struct al_arena *a, const struct al_rows *rows,
    json_t *items);
/* The same into a new array *out (NULL after an error, or when `st` did not prepare). */
int al_db_rows_new(struct al_stmt *st, struct al_arena *a, const struct al_rows *rows,
    json_t **out);

#endif
