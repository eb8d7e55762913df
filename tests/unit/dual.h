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

enum dual_engine { DUAL_SQLITE, DUAL_PG };

/* A fresh migrated database of `engine` (PostgreSQL: its public schema dropped first). NULL on failure. */
struct al_db *dual_open(enum dual_engine engine);

/* cmocka group setups: *state is the database; run a group once per engine. */
int dual_sqlite_setup(void **state);
int dual_pg_setup(void **state);
int dual_teardown(void **state);

/*
 * Run `fn(db, arg)` on a fresh database of each engine and assert that the two
 * results are equal JSON (both printed when not).  The results are freed.
 */
void dual_same(json_t *(*fn)(struct al_db *db, void *arg), void *arg);

#endif
