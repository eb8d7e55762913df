/*
 * Private to src/core/db*.c: the PostgreSQL driver behind the engine-neutral
 * calls of db.h.  db.c keeps the public functions and hands a connection or a
 * statement to this driver when the database is PostgreSQL; nothing outside
 * core includes this header.
 */
#ifndef AL_DB_INT_H
#define AL_DB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct al_pg;      /* a libpq connection with its statement cache */
struct al_pg_stmt; /* one prepared statement, its parameters and its current result */
struct al_db;
struct sqlite3_stmt;

/* What db.h's calls take: one engine's statement behind it. */
struct al_stmt {
    struct al_db *db;
    int err;                /* the first bind error since the reset, returned by the next step */
    struct sqlite3_stmt *h; /* SQLite */
    struct al_pg_stmt *pg;  /* PostgreSQL */
};

/* True for a `postgresql://` or `postgres://` URL (or a libpq "key=value" string with dbname=). */
bool al_pg_is_url(const char *s);

/* Connect to `url`.  AL_OK and *out, or AL_EDB (logged, the password never printed). */
int al_pg_open(const char *url, struct al_pg **out);
void al_pg_close(struct al_pg *pg);

/*
 * The statement for `sql`, prepared on first use (placeholders translated, see
 * al_pg_translate), its parameters cleared.  `by_text`: cached by the text's
 * content (run-time SQL) instead of its address.  NULL on failure (logged).
 */
struct al_stmt *al_pg_prepare(struct al_pg *pg, const char *sql, bool by_text);

int al_pg_bind(struct al_pg_stmt *st, int idx, const char *text, size_t len); /* text NULL: NULL */
int al_pg_step(struct al_pg_stmt *st);                                         /* AL_ROW, AL_OK, error */
void al_pg_reset(struct al_pg_stmt *st);
const char *al_pg_col(struct al_pg_stmt *st, int col, size_t *len); /* NULL for NULL */
int64_t al_pg_changes(struct al_pg *pg);

/* Run SQL text without parameters (several statements allowed).  AL_OK or an error. */
int al_pg_exec(struct al_pg *pg, const char *sql);
bool al_pg_in_tx(struct al_pg *pg);

/*
 * Translate SQLite-style placeholders to PostgreSQL's: `?N` becomes `$N` and a
 * bare `?` takes the number after the largest so far (SQLite's rule); text in
 * quotes, identifiers in double quotes and comments are copied unchanged.
 * Writes at most `cap` bytes including the NUL into `out`; returns the number
 * of parameters, or -1 when `out` is too small or a number is out of range.
 */
int al_pg_translate(const char *sql, char *out, size_t cap);

/* The closed error code for a SQLSTATE (five characters); NULL maps to AL_EDB. */
int al_pg_sqlstate_err(const char *sqlstate);

/*
 * ---- Notifications, for core/events.c ----------------------------------------
 * A connection of its own that LISTENs on `channel` (an identifier we choose,
 * not user input).  al_pg_listen_wait waits up to `ms` for notifications and
 * calls `fn` with each payload; AL_OK, or AL_EUNAVAIL when the connection is
 * lost (close it and listen again).
 */
struct al_pg_listener;
int al_pg_listen(const char *url, const char *channel, struct al_pg_listener **out);
int al_pg_listen_wait(struct al_pg_listener *l, int ms, void (*fn)(void *ctx, const char *payload),
    void *ctx);
/* The server process id of the listening connection (for tests that cut it). */
int al_pg_listen_pid(struct al_pg_listener *l);
void al_pg_listen_close(struct al_pg_listener *l);

#endif
