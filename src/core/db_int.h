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
int al_pg_send(struct al_pg_stmt *st); /* RULE-DB-134: execute ahead of the first step */
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

/*
 * COPY … FROM STDIN (db.h's al_copy on PostgreSQL, RULE-DB-022).  begin runs
 * `sql` (a COPY statement) and expects the server to wait for rows; field adds
 * one value (NULL: \N) escaped for the text format, preceded by a tab unless it
 * is the row's first; row ends the line, sending the buffer when it is large;
 * end sends the rest and returns the server's verdict (`ok` false: the COPY is
 * abandoned, the server's error swallowed) and frees `c`.
 */
struct al_pg_copy;
int al_pg_copy_begin(struct al_pg *pg, const char *sql, struct al_pg_copy **out);
int al_pg_copy_field(struct al_pg_copy *c, const char *p, size_t len, bool first);
int al_pg_copy_row(struct al_pg_copy *c);
int al_pg_copy_end(struct al_pg_copy *c, bool ok);
/*
 * `len` bytes of `p` as a field of COPY's text format into `out` (room for
 * 2 * len bytes): backslash, tab, newline and carriage return escaped.  Returns
 * the bytes written, or (size_t)-1 for a NUL byte (text cannot hold it).
 */
size_t al_pg_copy_escape(const char *p, size_t len, char *out);

/* The closed error code for a SQLSTATE (five characters); NULL maps to AL_EDB. */
int al_pg_sqlstate_err(const char *sqlstate);

/*
 * Backup by pg_dump (db_dump.c), what al_db_backup does on PostgreSQL: `dest`
 * ending in "/" is a directory dump, ".sql" plain SQL, anything else pg_dump's
 * custom format (pg_restore).  AL_OK; AL_EUNAVAIL when pg_dump is not installed
 * (logged in Chinese and English); AL_EINVAL for a setting libpq cannot parse;
 * AL_EDB when pg_dump fails (a partial file is removed).
 */
int al_pg_dump(const char *url, const char *dest);
/* pg_dump's --format for `dest`: "directory", "plain" or "custom". */
const char *al_pg_dump_format(const char *dest);
/*
 * Split `url` (a postgresql:// URL or key=value settings) into libpq settings
 * without the password (`conn`, quoted key='value' pairs) and the password
 * alone ("" when none).  AL_OK or AL_EINVAL (unparsable, or too long).
 */
int al_pg_dump_conninfo(const char *url, char *conn, size_t conn_size, char *password,
    size_t pw_size);

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
