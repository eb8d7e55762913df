/*
 * SQLite connection with the project's settings (WAL, synchronous=FULL,
 * foreign keys, busy timeout) and a cache of prepared statements keyed by the
 * address of the SQL text, so stores write their SQL as static strings and
 * pay for preparing it once per connection.
 *
 * One connection belongs to one thread.  PostgreSQL will live behind this
 * same interface later.
 */
#ifndef AL_DB_H
#define AL_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/*
 * Static statements (al_db_sql with a string of static storage) are prepared once per
 * connection and kept: this many per connection, on either engine.  Every module's statements
 * must fit (about 400 in 2026-12); a statement beyond it is refused with an error log.
 */
#define AL_DB_STMT_CACHE 1024

struct al_db;

/*
 * Open (creating when missing) the SQLite database at `path`, or connect to
 * PostgreSQL when `path` is a postgresql:// URL.  Returns AL_OK or AL_EDB.
 */
int al_db_open(const char *path, struct al_db **out);
void al_db_close(struct al_db *db);
/*
 * `path` fit for messages and logs: a password in a URL (user:secret@) or in a
 * libpq "password=" setting replaced by ***.  Returns `out`.
 */
const char *al_db_label(const char *path, char *out, size_t size);
/* True when `path` names a database server (a postgresql:// URL), not a file. */
bool al_db_is_server(const char *path);
/* The SQLite handle (NULL on PostgreSQL). */
sqlite3 *al_db_handle(struct al_db *db);
/*
 * True when the database is PostgreSQL: `path` given to al_db_open was a
 * postgresql:// URL.  Stores branch on it only where the dialects differ.
 */
bool al_db_is_pg(const struct al_db *db);
/*
 * How long a write waits for another writer (default 10 s).  Request workers
 * wait less: while a large import commits they answer 503 quickly instead of
 * holding a worker.
 */
void al_db_busy_timeout(struct al_db *db, int ms);

/*
 * The cached statement for `sql` (a string with static storage), reset and
 * with its bindings cleared.  NULL on a preparation error (logged).  The
 * statement stays owned by the connection; do not finalize it.  A statement
 * must not be used twice at the same time (no recursion over one SQL text).
 */
sqlite3_stmt *al_db_stmt(struct al_db *db, const char *sql);
/*
 * The same for SQL built at run time (e.g. an UPDATE of the columns a request
 * sets): cached by its text, a small set, the oldest replaced when full.  The
 * statement stays valid until the next call that misses the cache.
 */
sqlite3_stmt *al_db_stmt_text(struct al_db *db, const char *sql);

/*
 * ---- Statements, engine-neutral ----------------------------------------------
 *
 * What stores write from now on (the sqlite3_stmt calls above stay while the
 * stores move over; PostgreSQL will implement only this part).  SQL uses `?` or
 * `?N` placeholders, numbered from 1.
 *
 *     struct al_stmt *st = al_db_sql(db, sql_get);    -- cached, reset, bindings cleared
 *     al_stmt_bind_text(st, 1, code);
 *     int rc = al_stmt_one(st);                        -- AL_OK: a row; AL_ENOTFOUND; error
 *     if (rc == AL_OK) { name = al_stmt_dup(a, st, 0); al_stmt_reset(st); }
 *
 *     while ((rc = al_stmt_step(st)) == AL_ROW) { ... }   -- then rc is AL_OK or an error
 *
 * Binding never fails on its own: a bind error is kept in the statement and
 * returned by the next step, so stores bind without checking each call.  The
 * same holds for a statement that did not prepare: al_db_sql's NULL may be
 * bound (nothing happens) and stepped (AL_EDB, through al_stmt_run, _one and
 * _int64 too), so a store need not check it either.
 * Errors map to the closed set: a constraint (unique, check, foreign key) is
 * AL_ECONFLICT, another writer holding the lock past the busy timeout is
 * AL_EUNAVAIL, anything else AL_EDB (logged).
 */
struct al_stmt;
struct json_t;

/* Step result: a row is available (a positive value, never an error). */
enum { AL_ROW = 1 };

/*
 * The cached statement for `sql` (a string with static storage, cached by its
 * address), reset with its bindings cleared; NULL when it does not prepare
 * (logged), which the bind and step calls accept (the step answers AL_EDB).  Owned by the connection: never freed by the caller.  The same
 * statement must not be stepped by two loops at once.
 */
struct al_stmt *al_db_sql(struct al_db *db, const char *sql);
/* The same for SQL built at run time, cached by its text (a small set, oldest replaced). */
struct al_stmt *al_db_sql_text(struct al_db *db, const char *sql);

void al_stmt_bind_int(struct al_stmt *st, int idx, int64_t v);
void al_stmt_bind_double(struct al_stmt *st, int idx, double v);
/* Text is copied; NULL binds SQL NULL. */
void al_stmt_bind_text(struct al_stmt *st, int idx, const char *s);
void al_stmt_bind_textn(struct al_stmt *st, int idx, const char *p, size_t len);
void al_stmt_bind_null(struct al_stmt *st, int idx);
/* Strings as text, integers, reals, booleans as 0/1, null; arrays and objects as compact JSON. */
void al_stmt_bind_jsonv(struct al_stmt *st, int idx, const struct json_t *v);

/*
 * The next row: AL_ROW, AL_OK when there are no more rows (the statement is
 * then reset), or an error (reset too).
 */
int al_stmt_step(struct al_stmt *st);

/*
 * RULE-DB-134: start executing `st` (its parameters bound) so the database works while the
 * caller does something else; its rows come with the next al_stmt_step.  On PostgreSQL the
 * statement is sent and its result collected later; any other command on the connection first
 * waits for it, and a reset drops it.  On SQLite nothing happens until the step.  AL_OK or the
 * error of sending (the statement is then reset).
 */
int al_stmt_send(struct al_stmt *st);
/* Give up the rest of the rows (ends the statement's read).  NULL is allowed. */
void al_stmt_reset(struct al_stmt *st);

/* Run a statement that returns no rows we need: AL_OK or an error; always reset. */
int al_stmt_run(struct al_stmt *st);
/*
 * Step once: AL_OK with the row readable (call al_stmt_reset when done with
 * it), AL_ENOTFOUND when there is no row, or an error (both reset).
 */
int al_stmt_one(struct al_stmt *st);
/* A single integer (count(*) and the like) into *out; AL_ENOTFOUND without a row. */
int al_stmt_int64(struct al_stmt *st, int64_t *out);

/* Columns of the current row, numbered from 0.  Text stays valid until the next step or reset. */
int64_t al_stmt_int(struct al_stmt *st, int col);
double al_stmt_double(struct al_stmt *st, int col);
bool al_stmt_null(struct al_stmt *st, int col);
const char *al_stmt_text(struct al_stmt *st, int col); /* NULL for SQL NULL */
size_t al_stmt_len(struct al_stmt *st, int col);       /* bytes of the text */
const char *al_stmt_dup(struct al_arena *a, struct al_stmt *st, int col); /* copy in `a` */

/* Binds a statement's parameters from `ctx` (al_db_count_memo's caller). */
typedef void al_db_binder(struct al_stmt *st, const void *ctx);

/*
 * The integer `sql` answers (a count(*) of a list, its parameters bound by `bind(st, ctx)`),
 * remembered on this connection while the data it reads is unchanged, so a list paged or
 * opened again does not count its matches again; 32 per connection.  `key` names the count
 * (the statement's text and its parameters: the caller makes it).  AL_OK and *n, or the
 * statement's error.  Never remembered inside a transaction (counted every time).
 *  - RULE-DB-130, SQLite: "unchanged" is the file's data version, which moves with every
 *    commit on any connection, this one included; call it after the request's own statement
 *    of the same list (the total then belongs to the page's snapshot).
 *  - RULE-DB-140, PostgreSQL: "unchanged" is the generation in list_gen (sql/pg/070), which a
 *    statement trigger moves in every transaction writing elders, elder_categories or
 *    elder_name_grams, visible with the write on every server.  The current generation is
 *    read first (one small statement); a count is made together with the generation in one
 *    statement, one snapshot.  `sql` must read only those tables: a table without the trigger
 *    would be remembered across its writes.
 */
int al_db_count_memo(struct al_db *db, struct al_arena *a, const char *sql, const char *key,
    al_db_binder *bind, const void *ctx, int64_t *n);

/*
 * RULE-DB-133: the list generation as a column, for a PostgreSQL page statement to read with
 * its rows (one snapshot); al_db_count_memo_at then skips its own read of the generation.
 */
#define AL_DB_LIST_GEN "(SELECT gen FROM list_gen WHERE id = 1)"
/* al_db_count_memo with the generation `gen` the caller's statement read (< 0: not read). */
int al_db_count_memo_at(struct al_db *db, struct al_arena *a, const char *sql, const char *key,
    al_db_binder *bind, const void *ctx, int64_t gen, int64_t *n);

/* Rows changed by the last INSERT/UPDATE/DELETE of this connection. */
int64_t al_db_changes(struct al_db *db);

/*
 * End a transaction begun with al_db_begin according to `rc`: commit when it
 * is AL_OK (a failed commit rolls back and returns its error), roll back
 * otherwise and return `rc` unchanged.  Handlers end with `return al_db_end(db, rc);`.
 */
int al_db_end(struct al_db *db, int rc);

/* Run SQL without results (may contain several statements).  AL_OK or AL_EDB. */
int al_db_exec(struct al_db *db, const char *sql);

/* True while a transaction is open on `db` (after al_db_begin, before its end). */
bool al_db_in_tx(struct al_db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  AL_OK or AL_EDB. */
int al_db_begin(struct al_db *db);
int al_db_commit(struct al_db *db);
void al_db_rollback(struct al_db *db);

/*
 * ---- Bulk loading, engine-neutral (RULE-DB-022) --------------------------------
 *
 * Many rows into one table inside the open transaction (al_db_begin first):
 * COPY … FROM STDIN through libpq on PostgreSQL (text format, escaped here), a
 * prepared INSERT run per row on SQLite.
 *
 *     struct al_copy *cp;
 *     int rc = al_db_copy_begin(db, "regions", "code, name, level", &cp);
 *     while (rc == AL_OK && more) {
 *         al_copy_text(cp, code); al_copy_textn(cp, p, len); al_copy_int(cp, level);
 *         rc = al_copy_row(cp);
 *     }
 *     rc = al_copy_end(cp, rc);            -- then al_db_end(db, rc) commits or rolls back
 *
 * Values are given in the order of `columns`; al_copy_text(cp, NULL) and
 * al_copy_null give SQL NULL, "" stays an empty text.  As with binds, an error
 * of a value is kept and returned by the next al_copy_row.  The server checks
 * PostgreSQL's rows as they stream and answers at the end: a bad row (a
 * constraint, a value its column does not take) may surface only in
 * al_copy_end.  Either way the error is AL_ECONFLICT (constraint), AL_EINVAL
 * (a value PostgreSQL text cannot hold: NUL), AL_EUNAVAIL or AL_EDB, and the
 * transaction must be rolled back (al_db_end does): nothing of the load stays.
 * No other statement may run on `db` between begin and end.
 */
struct al_copy;

/*
 * Start loading `table` (a name from the code, not from input) with the
 * comma-separated `columns`.  AL_OK and *out; AL_EINTERNAL outside a
 * transaction; AL_EDB when it cannot start (*out NULL then, and al_copy_end
 * accepts NULL).
 */
int al_db_copy_begin(struct al_db *db, const char *table, const char *columns,
    struct al_copy **out);
void al_copy_text(struct al_copy *cp, const char *s); /* NULL: SQL NULL */
void al_copy_textn(struct al_copy *cp, const char *p, size_t len);
void al_copy_int(struct al_copy *cp, int64_t v);
void al_copy_null(struct al_copy *cp);
/* The row is complete (every column given): AL_OK, or the first error so far. */
int al_copy_row(struct al_copy *cp);
/*
 * Finish the load and free `cp`: with `rc` AL_OK the rows are sent and the
 * server's verdict returned; otherwise the load is abandoned and `rc`
 * returned.  The transaction stays open for the caller to end.
 */
int al_copy_end(struct al_copy *cp, int rc);

/* Map the result of a sqlite3 call to AL_OK / AL_ECONFLICT (constraint) / AL_EDB, logging. */
int al_db_check(struct al_db *db, int rc);

/* Column as a NUL-terminated copy in `a` (NULL stays NULL). */
const char *al_db_col_text(struct al_arena *a, sqlite3_stmt *st, int col);

/* Bind a text that may be NULL. */
int al_db_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* Bind a JSON value: strings as text, integers, reals, booleans as 0/1, null, and arrays or
 * objects as their compact JSON text (copied by SQLite). */
int al_db_bind_json(sqlite3_stmt *st, int idx, const struct json_t *v);

/* Run a single-value integer query with one optional text parameter. */
int al_db_count(struct al_db *db, const char *sql, const char *param, int64_t *out);

/*
 * Apply the embedded migrations in order, each in one transaction, recording
 * them in schema_migrations.  Returns AL_OK or AL_EDB (nothing of a failed
 * migration remains).
 */
int al_db_migrate(struct al_db *db);

/*
 * Online backup of the open database into a new file `dest`.  AL_OK or AL_EDB.
 * On PostgreSQL: pg_dump into `dest` (a directory when it ends in "/", plain SQL
 * for ".sql", else pg_dump's custom format), the password kept out of its
 * arguments; AL_EUNAVAIL when pg_dump is not installed (logged).
 */
int al_db_backup(struct al_db *db, const char *dest);

/* PRAGMA wal_checkpoint(TRUNCATE). */
int al_db_checkpoint(struct al_db *db);

#endif
