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

struct al_db;

/* Open (creating when missing) the database at `path`.  Returns AL_OK or AL_EDB. */
int al_db_open(const char *path, struct al_db **out);
void al_db_close(struct al_db *db);
sqlite3 *al_db_handle(struct al_db *db);
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

/* Run SQL without results (may contain several statements).  AL_OK or AL_EDB. */
int al_db_exec(struct al_db *db, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  AL_OK or AL_EDB. */
int al_db_begin(struct al_db *db);
int al_db_commit(struct al_db *db);
void al_db_rollback(struct al_db *db);

/* Map the result of a sqlite3 call to AL_OK / AL_ECONFLICT (constraint) / AL_EDB, logging. */
int al_db_check(struct al_db *db, int rc);

/* Column as a NUL-terminated copy in `a` (NULL stays NULL). */
const char *al_db_col_text(struct al_arena *a, sqlite3_stmt *st, int col);

/* Bind a text that may be NULL. */
int al_db_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* Bind a JSON value: strings as text, integers, reals, booleans as 0/1, null, and arrays or
 * objects as their compact JSON text (copied by SQLite). */
struct json_t;
int al_db_bind_json(sqlite3_stmt *st, int idx, const struct json_t *v);

/* Run a single-value integer query with one optional text parameter. */
int al_db_count(struct al_db *db, const char *sql, const char *param, int64_t *out);

/*
 * Apply the embedded migrations in order, each in one transaction, recording
 * them in schema_migrations.  Returns AL_OK or AL_EDB (nothing of a failed
 * migration remains).
 */
int al_db_migrate(struct al_db *db);

/* Online backup of the open database into a new file `dest`.  AL_OK or AL_EDB. */
int al_db_backup(struct al_db *db, const char *dest);

/* PRAGMA wal_checkpoint(TRUNCATE). */
int al_db_checkpoint(struct al_db *db);

#endif
