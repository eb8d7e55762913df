/*
 * Bulk loading (db.h's al_db_copy_begin / al_copy_* / al_copy_end,
 * RULE-DB-022) on both engines: COPY FROM STDIN on the throwaway PostgreSQL
 * `make unit` starts (ANLAO_TEST_PG), prepared INSERTs on SQLite.  The same
 * rows come back the same: tabs, newlines, backslashes, quotes, NULL apart from
 * the empty text; a bad row anywhere fails the load and the rollback leaves
 * nothing of it.  The text-format escaping is checked on its own too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/db_int.h"
#include "dual.h"
#include "unit.h"

static const char table[] = "CREATE TABLE copy_t (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                            " note TEXT, n BIGINT CHECK (n >= 0))";

/* dual_prepare: the table copy_t in the fresh database. */
static int
prepare(struct al_db *db, enum dual_engine engine)
{
    (void)engine;
    return al_db_exec(db, table) == AL_OK ? 0 : -1;
}

static void
escape_text_format(void **state)
{
    (void)state;
    char out[64];
    static const char in[] = "a\tb\nc\\d\re 'x' \"y\" \\N";
    size_t n = al_pg_copy_escape(in, sizeof(in) - 1, out);
    assert_int_equal(n, strlen("a\\tb\\nc\\\\d\\re 'x' \"y\" \\\\N"));
    assert_memory_equal(out, "a\\tb\\nc\\\\d\\re 'x' \"y\" \\\\N", n);
    assert_int_equal(al_pg_copy_escape("", 0, out), 0);
    assert_int_equal(al_pg_copy_escape("a\0b", 3, out), (size_t)-1); /* text holds no NUL */
    n = al_pg_copy_escape("长者", strlen("长者"), out);              /* UTF-8 as it is */
    assert_memory_equal(out, "长者", n);
}

static int64_t
rows_in(struct al_db *db)
{
    int64_t n = -1;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM copy_t", NULL, &n), AL_OK);
    return n;
}

static const char *const tricky[] = {
    "tab\there", "line\nbreak", "back\\slash", "\\N", "cr\rlf\r\n", "'single' \"double\"",
    "",          "长者\t服务",  "end\\",
};
#define NTRICKY (sizeof(tricky) / sizeof(tricky[0]))

static void
rows_arrive_exactly(void **state)
{
    struct al_db *db = *state;
    assert_int_equal(al_db_exec(db, "DELETE FROM copy_t"), AL_OK);
    assert_int_equal(al_db_begin(db), AL_OK);
    struct al_copy *cp;
    int rc = al_db_copy_begin(db, "copy_t", "id, name, note, n", &cp);
    assert_int_equal(rc, AL_OK);
    for (size_t i = 0; rc == AL_OK && i < NTRICKY; i++) {
        al_copy_int(cp, (int64_t)i + 1);
        al_copy_text(cp, tricky[i]);
        if (i % 2)
            al_copy_null(cp); /* NULL, not the empty text */
        else
            al_copy_textn(cp, tricky[i], strlen(tricky[i]));
        al_copy_int(cp, (int64_t)i * 1000000000000);
        rc = al_copy_row(cp);
    }
    /* Many more rows than one buffer holds. */
    for (int i = 0; rc == AL_OK && i < 20000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "row %d\t%d", i, i);
        al_copy_int(cp, 100 + i);
        al_copy_text(cp, name);
        al_copy_text(cp, NULL);
        al_copy_int(cp, i);
        rc = al_copy_row(cp);
    }
    assert_int_equal(al_copy_end(cp, rc), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_int_equal(rows_in(db), (int64_t)NTRICKY + 20000);

    struct al_stmt *st = al_db_sql(db, "SELECT id, name, note, n FROM copy_t WHERE id <= ?"
                                       " ORDER BY id");
    al_stmt_bind_int(st, 1, (int64_t)NTRICKY);
    size_t i = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        assert_int_equal(al_stmt_int(st, 0), (int64_t)i + 1);
        assert_string_equal(al_stmt_text(st, 1), tricky[i]);
        assert_int_equal(al_stmt_len(st, 1), strlen(tricky[i]));
        if (i % 2) {
            assert_true(al_stmt_null(st, 2));
        } else {
            assert_false(al_stmt_null(st, 2));
            assert_string_equal(al_stmt_text(st, 2), tricky[i]);
        }
        assert_int_equal(al_stmt_int(st, 3), (int64_t)i * 1000000000000);
        i++;
    }
    assert_int_equal(rc, AL_OK);
    assert_int_equal(i, NTRICKY);
    int64_t nulls = -1;
    assert_int_equal(al_db_count(db,
                                 "SELECT count(*) FROM copy_t WHERE note IS NULL AND id >= 100"
                                 " AND name LIKE 'row %'",
                                 NULL, &nulls),
                     AL_OK);
    assert_int_equal(nulls, 20000);
}

/* A row the table refuses, deep in the load: the load fails and the rollback keeps nothing. */
static void
bad_row_rolls_back(void **state)
{
    struct al_db *db = *state;
    assert_int_equal(al_db_exec(db, "DELETE FROM copy_t"), AL_OK);
    static const char *const how[] = {"duplicate key", "check", "not null"};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(al_db_begin(db), AL_OK);
        struct al_copy *cp;
        int rc = al_db_copy_begin(db, "copy_t", "id, name, note, n", &cp);
        assert_int_equal(rc, AL_OK);
        /* Several buffers are sent after the bad row's. */
        for (int i = 0; rc == AL_OK && i < 60000; i++) {
            bool bad = i == 3000;
            al_copy_int(cp, bad && k == 0 ? 7 : i);
            al_copy_text(cp, bad && k == 2 ? NULL : "x");
            al_copy_text(cp, "y");
            al_copy_int(cp, bad && k == 1 ? -1 : 1);
            rc = al_copy_row(cp);
        }
        /* SQLite refuses the row itself; PostgreSQL answers when the load ends. */
        rc = al_copy_end(cp, rc);
        if (rc != AL_ECONFLICT)
            fprintf(stderr, "%s: %d\n", how[k], rc);
        assert_int_equal(rc, AL_ECONFLICT);
        assert_int_equal(al_db_end(db, rc), AL_ECONFLICT);
        assert_false(al_db_in_tx(db));
        assert_int_equal(rows_in(db), 0);
    }
    /* The connection is usable afterwards. */
    assert_int_equal(al_db_begin(db), AL_OK);
    struct al_copy *cp;
    assert_int_equal(al_db_copy_begin(db, "copy_t", "id, name", &cp), AL_OK);
    al_copy_int(cp, 1);
    al_copy_text(cp, "ok");
    assert_int_equal(al_copy_end(cp, al_copy_row(cp)), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_int_equal(rows_in(db), 1);
}

/* The caller gives up (its own error): the load is abandoned, the caller's error returned. */
static void
abandon_and_misuse(void **state)
{
    struct al_db *db = *state;
    assert_int_equal(al_db_exec(db, "DELETE FROM copy_t"), AL_OK);
    struct al_copy *cp = NULL;
    /* Outside a transaction: refused (a load is always undone as a whole). */
    assert_int_equal(al_db_copy_begin(db, "copy_t", "id, name", &cp), AL_EINTERNAL);
    assert_null(cp);
    assert_int_equal(al_copy_end(NULL, AL_EINVAL), AL_EINVAL);

    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_copy_begin(db, "copy_t", "id, name", &cp), AL_OK);
    al_copy_int(cp, 1);
    al_copy_text(cp, "a");
    assert_int_equal(al_copy_row(cp), AL_OK);
    assert_int_equal(al_copy_end(cp, AL_EINVAL), AL_EINVAL);
    assert_int_equal(al_db_end(db, AL_EINVAL), AL_EINVAL);
    assert_int_equal(rows_in(db), 0);

    /* A row with too few values, a NUL inside a text (PostgreSQL's text cannot hold it). */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_copy_begin(db, "copy_t", "id, name", &cp), AL_OK);
    al_copy_int(cp, 1);
    assert_int_equal(al_copy_row(cp), AL_EINTERNAL);
    assert_int_equal(al_copy_end(cp, AL_EINTERNAL), AL_EINTERNAL);
    al_db_rollback(db);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_copy_begin(db, "copy_t", "id, name", &cp), AL_OK);
    al_copy_int(cp, 1);
    al_copy_textn(cp, "a\0b", 3);
    int rc = al_copy_row(cp);
    if (al_db_is_pg(db))
        assert_int_equal(rc, AL_EINVAL);
    rc = al_copy_end(cp, rc);
    al_db_end(db, rc);
    assert_int_equal(rows_in(db), al_db_is_pg(db) ? 0 : 1);
}

#define ENGINE_TESTS                                                                               \
    cmocka_unit_test(rows_arrive_exactly), cmocka_unit_test(bad_row_rolls_back),                   \
        cmocka_unit_test(abandon_and_misuse)

int
main(void)
{
    const struct CMUnitTest pure[] = {cmocka_unit_test(escape_text_format)};
    const struct CMUnitTest tests[] = {ENGINE_TESTS};
    int failed = cmocka_run_group_tests_name("copy escaping", pure, NULL, NULL);
    dual_prepare = prepare;
    failed +=
        cmocka_run_group_tests_name("bulk load on SQLite", tests, dual_sqlite_setup, dual_teardown);
    failed +=
        cmocka_run_group_tests_name("bulk load on PostgreSQL", tests, dual_pg_setup, dual_teardown);
    return failed;
}
