/*
 * Both engines for the store tests: a fresh migrated SQLite database and a
 * fresh migrated schema on the throwaway PostgreSQL `make unit` starts
 * (tests/lib/pg.sh, ANLAO_TEST_PG), the same calls run on each and their
 * results compared (RULE-DB-043).
 */
#ifndef DUAL_H
#define DUAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/db.h"

/*
 * DUAL_SQLITE is ":memory:", private to its one connection; DUAL_SQLITE_FILE
 * is a file in dual_dir(), for the tests that need a second connection to the
 * same SQLite database (two servers racing).  dual_same compares DUAL_SQLITE
 * with DUAL_PG.
 */
enum dual_engine { DUAL_SQLITE, DUAL_PG, DUAL_SQLITE_FILE };

/*
 * A fresh migrated database of `engine` (PostgreSQL: its public schema dropped
 * first; SQLite file: the old file removed first). NULL on failure.
 */
struct al_db *dual_open(enum dual_engine engine);

/*
 * The path or URL of `engine`'s database, for calls that open their own
 * connections (al_jobs_start, al_events_start): ANLAO_TEST_PG for PostgreSQL
 * (NULL, said on stderr, when unset), the file for DUAL_SQLITE_FILE, NULL for
 * DUAL_SQLITE (":memory:" cannot be reached twice).
 */
const char *dual_target(enum dual_engine engine);

/*
 * Another connection to the database the last dual_open(engine) made, as it
 * is (nothing dropped, nothing migrated): a second "server" on the same
 * database. NULL on failure and always for DUAL_SQLITE.
 */
struct al_db *dual_open_again(enum dual_engine engine);

/*
 * cmocka group setups: *state is the database; run a group once per engine.
 * When dual_prepare is set, the setups call it on the fresh database before
 * handing it over (a test's own table, its fixed rows); non-zero fails the
 * setup.
 */
int dual_sqlite_setup(void **state);
int dual_pg_setup(void **state);
int dual_teardown(void **state);
extern int (*dual_prepare)(struct al_db *db, enum dual_engine engine);

/* A temporary directory for the test's files, made once, removed with what it holds at exit. */
const char *dual_dir(void);

/*
 * The key the stores encrypt ID numbers with: libsodium initialised and a
 * fresh key file in dual_dir() loaded, once per process. 0, or -1 (said on
 * stderr).
 */
int dual_key(void);

/*
 * Run `fn(db, arg)` on a fresh database of each engine and assert that the two
 * results are equal JSON (both printed when not).  The results are freed.
 */
void dual_same(json_t *(*fn)(struct al_db *db, void *arg), void *arg);

#endif
