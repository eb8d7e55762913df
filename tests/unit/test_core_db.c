/* src/core/db.c: connection settings, statement cache, transactions, migrations, backup. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/db.h"
#include "core/log.h"
#include "core/embed.h"
#include "core/json.h"
#include "unit.h"

static char dir[] = "/tmp/anlao-unit-db-XXXXXX";
static char path[256];

static int
group_setup(void **state)
{
    (void)state;
    al_json_init();
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.db", dir);
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A fresh migrated in-memory database per test. */
static int
mem_setup(void **state)
{
    struct al_db *db;
    if (al_db_open(":memory:", &db) != AL_OK || al_db_migrate(db) != AL_OK)
        return -1;
    *state = db;
    return 0;
}

static int
mem_teardown(void **state)
{
    al_db_close(*state);
    return 0;
}

static int64_t
count(struct al_db *db, const char *sql, const char *param)
{
    int64_t n = -1;
    assert_int_equal(al_db_count(db, sql, param, &n), AL_OK);
    return n;
}

static void
migrations_apply_once(void **state)
{
    (void)state;
    struct al_db *db;
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    int64_t embedded = 0;
    for (const struct al_embedded *m = al_embedded_files; m->name; m++)
        if (strncmp(m->name, "sql/", 4) == 0 && !strchr(m->name + 4, '/')) /* not sql/pg/ */
            embedded++;
    assert_true(embedded >= 5);
    assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations", NULL), embedded);
    assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations WHERE name = ?",
                         "001_foundation.sql"), 1);
    /* The schema is there: a few tables of different migrations. */
    static const char *const tables[] = {"settings", "regions", "users", "audit_log", "elders",
        "imports", "identify_runs", "assessments"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        assert_int_equal(count(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                                   " AND name = ?", tables[i]), 1);
    int64_t objects = count(db, "SELECT count(*) FROM sqlite_schema", NULL);
    assert_int_equal(al_db_exec(db, "UPDATE schema_migrations SET applied_at = 1"), AL_OK);
    /* A second run (also on a new connection) is a no-op. */
    assert_int_equal(al_db_migrate(db), AL_OK);
    al_db_close(db);
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations", NULL), embedded);
    assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations WHERE applied_at = 1",
                         NULL), embedded);
    assert_int_equal(count(db, "SELECT count(*) FROM sqlite_schema", NULL), objects);
    al_db_close(db);
}

static void
connection_settings(void **state)
{
    (void)state;
    struct al_db *db;
    assert_int_equal(al_db_open(path, &db), AL_OK);
    sqlite3_stmt *st = al_db_stmt(db, "PRAGMA journal_mode");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_reset(st);
    assert_int_equal(count(db, "PRAGMA foreign_keys", NULL), 1);
    assert_int_equal(count(db, "PRAGMA synchronous", NULL), 2); /* FULL */
    assert_int_equal(al_db_checkpoint(db), AL_OK);
    al_db_close(db);
    al_db_close(NULL); /* harmless */
    /* A path that cannot be created. */
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/no/such/dir/x.db", dir);
    db = (struct al_db *)&db;
    assert_int_equal(al_db_open(bad, &db), AL_EDB);
    assert_null(db);
}

static void
statement_cache(void **state)
{
    struct al_db *db = *state;
    static const char q[] = "SELECT ?1 + 1";
    sqlite3_stmt *st = al_db_stmt(db, q);
    assert_non_null(st);
    assert_ptr_equal(al_db_stmt(db, q), st); /* prepared once per connection */
    /* Handed back reset and with its bindings cleared. */
    sqlite3_bind_int(st, 1, 41);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 42);
    st = al_db_stmt(db, q); /* mid-step: reset */
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL); /* NULL + 1 */
    sqlite3_reset(st);
    /* Keyed by address: equal text elsewhere is another entry. */
    static const char q2[] = "SELECT ?1 + 1";
    assert_ptr_not_equal(al_db_stmt(db, q2), st);
    /* A preparation error gives NULL and is not cached. */
    static const char broken[] = "SELEC 1";
    assert_null(al_db_stmt(db, broken));
    assert_null(al_db_stmt(db, broken));
}

static void
statement_cache_full_is_refused(void **state)
{
    (void)state;
    struct al_db *db;
    assert_int_equal(al_db_open(":memory:", &db), AL_OK);
    enum { N = AL_DB_STMT_CACHE + 12 };
    static char sql[N][24];
    int got = 0;
    for (int i = 0; i < N; i++) {
        snprintf(sql[i], sizeof(sql[i]), "SELECT %d", i);
        if (al_db_stmt(db, sql[i]))
            got++;
    }
    assert_int_equal(got, AL_DB_STMT_CACHE);
    /* Entries already cached still come back. */
    assert_non_null(al_db_stmt(db, sql[0]));
    assert_non_null(al_db_stmt(db, sql[AL_DB_STMT_CACHE - 1]));
    al_db_close(db); /* finalizes every cached statement (LeakSanitizer checks) */
}

static void
rollback_leaves_nothing(void **state)
{
    struct al_db *db = *state;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_false(sqlite3_get_autocommit(al_db_handle(db)));
    assert_int_equal(al_db_exec(db, "INSERT INTO settings(key, value) VALUES ('t1', '1');"
                                    "INSERT INTO settings(key, value) VALUES ('t2', '2')"), AL_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key IN ('t1','t2')", NULL), 2);
    al_db_rollback(db);
    assert_true(sqlite3_get_autocommit(al_db_handle(db)));
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key IN ('t1','t2')", NULL), 0);
    al_db_rollback(db); /* outside a transaction: a no-op */
    /* Commit keeps. */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_exec(db, "INSERT INTO settings(key, value) VALUES ('t3', '3')"), AL_OK);
    assert_int_equal(al_db_commit(db), AL_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key = ?", "t3"), 1);
    /* No nesting: a second BEGIN fails and leaves the first transaction open. */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_db_begin(db), AL_EDB);
    assert_false(sqlite3_get_autocommit(al_db_handle(db)));
    al_db_rollback(db);
    /* COMMIT without a transaction fails. */
    assert_int_equal(al_db_commit(db), AL_EDB);
}

static void
errors_map_to_codes(void **state)
{
    struct al_db *db = *state;
    /* Constraint: the key already exists (inserted by a migration). */
    sqlite3_stmt *st =
        al_db_stmt(db, "INSERT INTO settings(key, value) VALUES ('elder.min_age', 'x')");
    assert_non_null(st);
    assert_int_equal(al_db_check(db, sqlite3_step(st)), AL_ECONFLICT);
    sqlite3_reset(st);
    st = al_db_stmt(db, "INSERT INTO settings(key, value) VALUES ('n', NULL)");
    assert_int_equal(al_db_check(db, sqlite3_step(st)), AL_ECONFLICT); /* NOT NULL */
    sqlite3_reset(st);
    assert_int_equal(al_db_check(db, SQLITE_OK), AL_OK);
    assert_int_equal(al_db_check(db, SQLITE_ROW), AL_OK);
    assert_int_equal(al_db_check(db, SQLITE_DONE), AL_OK);
    assert_int_equal(al_db_check(db, SQLITE_CONSTRAINT_UNIQUE), AL_ECONFLICT);
    /* Another writer holds the lock: 503, try again later (not a storage failure). */
    assert_int_equal(al_db_check(db, SQLITE_BUSY), AL_EUNAVAIL);
    assert_int_equal(al_db_check(db, SQLITE_BUSY_SNAPSHOT), AL_EUNAVAIL);
    assert_int_equal(al_db_check(db, SQLITE_IOERR_WRITE), AL_EDB);
    assert_int_equal(al_db_exec(db, "SELECT * FROM no_such_table"), AL_EDB);
    int64_t n = 5;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM no_such_table", NULL, &n), AL_EDB);
    assert_int_equal(n, 5);
    /* An append-only table refuses changes through its trigger. */
    assert_int_equal(al_db_exec(db, "INSERT INTO audit_log(id, at, action, outcome, prev_hash,"
                                    " hash) VALUES (1, 1, 'x', 'success', 'p', 'h')"), AL_OK);
    assert_int_equal(al_db_exec(db, "UPDATE audit_log SET action = 'y'"), AL_EDB);
    assert_int_equal(al_db_exec(db, "DELETE FROM audit_log"), AL_EDB);
}

static void
binding_and_columns(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 0);
    static const char q[] = "SELECT ?1, typeof(?1)";
    sqlite3_stmt *st = al_db_stmt(db, q);
    al_db_bind_text(st, 1, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_null(al_db_col_text(&a, st, 0));
    assert_string_equal(al_db_col_text(&a, st, 1), "null");
    st = al_db_stmt(db, q);
    char buf[] = "凤冈县";
    al_db_bind_text(st, 1, buf);
    buf[0] = 'X'; /* bound as a copy */
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *t = al_db_col_text(&a, st, 0);
    assert_string_equal(t, "凤冈县");
    sqlite3_reset(st);
    assert_string_equal(t, "凤冈县"); /* the copy lives in the arena, past the reset */

    struct {
        json_t *v;
        const char *type, *text;
    } cases[] = {
        {json_string("王芳"), "text", "王芳"},
        {json_integer(9007199254740993LL), "integer", "9007199254740993"},
        {json_real(1.5), "real", "1.5"},
        {json_true(), "integer", "1"},
        {json_false(), "integer", "0"},
        {json_null(), "null", NULL},
        {json_pack("[i,s]", 1, "二"), "text", "[1,\"二\"]"},
        {json_pack("{s:i,s:i}", "b", 2, "a", 1), "text", "{\"a\":1,\"b\":2}"},
        {json_stringn("a\0b", 3), "text", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        st = al_db_stmt(db, q);
        assert_int_equal(al_db_bind_json(st, 1, cases[i].v), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 1), cases[i].type);
        if (cases[i].text)
            assert_string_equal(al_db_col_text(&a, st, 0), cases[i].text);
        else if (strcmp(cases[i].type, "text") == 0)
            assert_int_equal(sqlite3_column_bytes(st, 0), 3); /* the NUL is kept */
        sqlite3_reset(st);
        json_decref(cases[i].v);
    }
    st = al_db_stmt(db, q);
    assert_int_equal(al_db_bind_json(st, 1, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
    sqlite3_reset(st);
    al_arena_fini(&a);
}

static void
count_with_a_parameter(void **state)
{
    struct al_db *db = *state;
    assert_int_equal(al_db_exec(db, "INSERT INTO settings(key, value) VALUES ('c.1', 'a'),"
                                    " ('c.2', 'a'), ('c.3', 'b')"), AL_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key LIKE 'c.%' AND value = ?",
                         "a"), 2);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key LIKE 'c.%' AND value = ?",
                         "z"), 0);
    /* A query with no row leaves *out alone and succeeds. */
    int64_t n = 99;
    assert_int_equal(al_db_count(db, "SELECT 1 FROM settings WHERE 0", NULL, &n), AL_OK);
    assert_int_equal(n, 99);
}

static void
backup_copies_everything(void **state)
{
    (void)state;
    struct al_db *db, *copy;
    char dest[300];
    snprintf(dest, sizeof(dest), "%s/backup.db", dir);
    assert_int_equal(al_db_open(path, &db), AL_OK);
    assert_int_equal(al_db_exec(db, "INSERT INTO settings(key, value) VALUES ('bk', '备份')"),
        AL_OK);
    assert_int_equal(al_db_backup(db, dest), AL_OK);
    /* A single standalone file: no -wal beside it. */
    char wal[320];
    snprintf(wal, sizeof(wal), "%s-wal", dest);
    struct stat sb;
    assert_int_equal(stat(dest, &sb), 0);
    assert_int_not_equal(stat(wal, &sb), 0);
    assert_int_equal(al_db_open(dest, &copy), AL_OK);
    assert_int_equal(count(copy, "SELECT count(*) FROM settings WHERE value = ?", "备份"), 1);
    assert_int_equal(count(copy, "SELECT count(*) FROM schema_migrations", NULL),
        count(db, "SELECT count(*) FROM schema_migrations", NULL));
    al_db_close(copy);
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/no/such/dir/b.db", dir);
    assert_int_equal(al_db_backup(db, bad), AL_EDB);
    al_db_close(db);
}

/* The engine-neutral statement calls: binds, rows, one row, not found, errors, end of a tx. */
static const char sql_put[] = "INSERT INTO settings(key, value) VALUES (?, ?)";
static const char sql_get[] = "SELECT value, length(value), NULL, 2.5 FROM settings WHERE key = ?1";
static const char sql_keys[] = "SELECT key FROM settings WHERE key LIKE 'st.%' ORDER BY key";

static void
statements_engine_neutral(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 4096);

    struct al_stmt *st = al_db_sql(db, sql_put);
    assert_non_null(st);
    al_stmt_bind_text(st, 1, "st.a");
    al_stmt_bind_textn(st, 2, "中文xyz", 6); /* only 中文 */
    assert_int_equal(al_stmt_run(st), AL_OK);
    assert_int_equal(al_db_changes(db), 1);
    /* Cached by address: the same object, reset, bindings cleared. */
    assert_ptr_equal(al_db_sql(db, sql_put), st);
    al_stmt_bind_text(st, 1, "st.a");
    al_stmt_bind_text(st, 2, "again");
    assert_int_equal(al_stmt_run(st), AL_ECONFLICT); /* primary key */
    al_stmt_bind_text(st, 1, "st.b");
    al_stmt_bind_int(st, 2, 42);
    assert_int_equal(al_stmt_run(st), AL_OK);

    st = al_db_sql(db, sql_get);
    al_stmt_bind_text(st, 1, "st.a");
    assert_int_equal(al_stmt_one(st), AL_OK);
    assert_string_equal(al_stmt_text(st, 0), "中文");
    assert_int_equal(al_stmt_len(st, 0), 6);
    assert_int_equal(al_stmt_int(st, 1), 2);
    assert_true(al_stmt_null(st, 2));
    assert_null(al_stmt_text(st, 2));
    assert_false(al_stmt_null(st, 0));
    assert_true(al_stmt_double(st, 3) == 2.5);
    const char *copy = al_stmt_dup(&a, st, 0);
    al_stmt_reset(st);
    assert_string_equal(copy, "中文");
    al_stmt_bind_text(st, 1, "st.none");
    assert_int_equal(al_stmt_one(st), AL_ENOTFOUND);

    /* Rows in order; the loop ends with AL_OK and the statement reset. */
    st = al_db_sql(db, sql_keys);
    int rc, n = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        assert_string_equal(al_stmt_text(st, 0), n++ ? "st.b" : "st.a");
    assert_int_equal(rc, AL_OK);
    assert_int_equal(n, 2);

    /* A bind past the placeholders is kept and returned by the step, nothing run. */
    st = al_db_sql(db, sql_put);
    al_stmt_bind_text(st, 1, "st.c");
    al_stmt_bind_text(st, 2, "x");
    al_stmt_bind_text(st, 3, "one too many");
    assert_int_equal(al_stmt_run(st), AL_EDB);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key = ?", "st.c"), 0);
    /* ... and forgotten after the reset. */
    st = al_db_sql(db, sql_put);
    al_stmt_bind_text(st, 1, "st.c");
    al_stmt_bind_text(st, 2, "x");
    assert_int_equal(al_stmt_run(st), AL_OK);

    /* A single integer; a run-time text cached by its content. */
    int64_t v = 0;
    char text[80];
    snprintf(text, sizeof(text), "SELECT count(*) FROM settings WHERE key LIKE '%s'", "st.%");
    st = al_db_sql_text(db, text);
    assert_int_equal(al_stmt_int64(st, &v), AL_OK);
    assert_int_equal(v, 3);
    assert_ptr_equal(al_db_sql_text(db, text), st);
    assert_null(al_db_sql(db, "SELECT nonsense FROM nowhere"));

    /* al_db_end: commit on AL_OK, roll back and keep the code otherwise. */
    assert_int_equal(al_db_begin(db), AL_OK);
    st = al_db_sql(db, sql_put);
    al_stmt_bind_text(st, 1, "st.d");
    al_stmt_bind_text(st, 2, "rolled back");
    assert_int_equal(al_stmt_run(st), AL_OK);
    assert_int_equal(al_db_end(db, AL_ECONFLICT), AL_ECONFLICT);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE key = ?", "st.d"), 0);
    assert_int_equal(al_db_begin(db), AL_OK);
    st = al_db_sql(db, sql_put);
    al_stmt_bind_text(st, 1, "st.d");
    json_t *doc = json_pack("{s:i}", "a", 1);
    al_stmt_bind_jsonv(st, 2, doc); /* copied by the bind */
    json_decref(doc);
    assert_int_equal(al_stmt_run(st), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM settings WHERE value = ?", "{\"a\":1}"), 1);
    al_stmt_reset(NULL);
    al_arena_fini(&a);
}

/*
 * A statement that does not prepare is NULL, and the calls take it: binds do
 * nothing, every step answers AL_EDB, so a store checks the result only.
 */
static void
statement_not_prepared_is_an_error_at_the_step(void **state)
{
    struct al_db *db = *state;
    al_log_set_level(AL_LOG_ERROR + 1); /* the expected preparation error is not printed */
    struct al_stmt *st = al_db_sql(db, "SELECT nonsense FROM nowhere WHERE x = ?");
    al_log_set_level(AL_LOG_INFO);
    assert_null(st);
    al_stmt_bind_int(st, 1, 1);
    al_stmt_bind_double(st, 1, 1.5);
    al_stmt_bind_text(st, 1, "x");
    al_stmt_bind_textn(st, 1, "xy", 1);
    al_stmt_bind_null(st, 1);
    json_t *v = json_integer(3);
    al_stmt_bind_jsonv(st, 1, v);
    json_decref(v);
    int64_t n = -1;
    assert_int_equal(al_stmt_step(st), AL_EDB);
    assert_int_equal(al_stmt_run(st), AL_EDB);
    assert_int_equal(al_stmt_one(st), AL_EDB);
    assert_int_equal(al_stmt_int64(st, &n), AL_EDB);
    assert_int_equal(n, -1);
    al_stmt_reset(st);
}

static void
no_binds(struct al_stmt *st, const void *ctx)
{
    (void)st;
    (void)ctx;
}

/* al_db_count_memo of `sql` under `key`: a key already remembered answers without running
 * `sql`, so a test asks with "SELECT <another number>" to see which happened. */
static int64_t
memo(struct al_db *db, const char *key, const char *sql)
{
    struct al_arena ar;
    al_arena_init(&ar, 1024);
    int64_t n = -1;
    assert_int_equal(al_db_count_memo(db, &ar, sql, key, no_binds, NULL, &n), AL_OK);
    al_arena_fini(&ar);
    return n;
}

/* RULE-DB-130: a remembered count holds while nothing is written, on any connection. */
static void
count_memo_until_a_write(void **state)
{
    (void)state;
    struct al_db *a, *b;
    assert_int_equal(al_db_open(path, &a), AL_OK);
    assert_int_equal(al_db_open(path, &b), AL_OK);
    assert_int_equal(al_db_exec(a, "CREATE TABLE IF NOT EXISTS memo_t(x INTEGER)"), AL_OK);
    assert_int_equal(memo(a, "k", "SELECT count(*) FROM memo_t"), 0);
    assert_int_equal(memo(a, "k", "SELECT 41"), 0); /* remembered */
    assert_int_equal(memo(a, "other", "SELECT 41"), 41);
    /* Written on this connection: forgotten. */
    assert_int_equal(al_db_exec(a, "INSERT INTO memo_t VALUES (1)"), AL_OK);
    assert_int_equal(memo(a, "k", "SELECT count(*) FROM memo_t"), 1);
    assert_int_equal(memo(a, "k", "SELECT 42"), 1);
    /* Written on another connection: forgotten once this one reads again. */
    assert_int_equal(al_db_exec(b, "INSERT INTO memo_t VALUES (2)"), AL_OK);
    assert_int_equal(count(a, "SELECT count(*) FROM memo_t", NULL), 2);
    assert_int_equal(memo(a, "k", "SELECT count(*) FROM memo_t"), 2);
    /* Never inside a transaction (it could see its own uncommitted rows): counted each time,
     * nothing kept. */
    assert_int_equal(al_db_begin(a), AL_OK);
    assert_int_equal(memo(a, "k", "SELECT 43"), 43);
    assert_int_equal(memo(a, "t", "SELECT 44"), 44);
    assert_int_equal(memo(a, "t", "SELECT 45"), 45);
    assert_int_equal(al_db_end(a, AL_OK), AL_OK);
    assert_int_equal(memo(a, "t", "SELECT 46"), 46);
    /* Thirty-three keys: the oldest make room, the newest are kept. */
    char key[16], sql[32];
    for (int i = 0; i < 33; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        snprintf(sql, sizeof(sql), "SELECT %d", i);
        assert_int_equal(memo(a, key, sql), i);
    }
    assert_int_equal(memo(a, "key32", "SELECT 0"), 32);
    assert_int_equal(al_db_exec(a, "DROP TABLE memo_t"), AL_OK);
    al_db_close(b);
    al_db_close(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_apply_once),
        cmocka_unit_test(connection_settings),
        cmocka_unit_test_setup_teardown(statement_cache, mem_setup, mem_teardown),
        cmocka_unit_test(statement_cache_full_is_refused),
        cmocka_unit_test_setup_teardown(rollback_leaves_nothing, mem_setup, mem_teardown),
        cmocka_unit_test_setup_teardown(errors_map_to_codes, mem_setup, mem_teardown),
        cmocka_unit_test_setup_teardown(binding_and_columns, mem_setup, mem_teardown),
        cmocka_unit_test_setup_teardown(count_with_a_parameter, mem_setup, mem_teardown),
        cmocka_unit_test(backup_copies_everything),
        cmocka_unit_test(count_memo_until_a_write),
        cmocka_unit_test_setup_teardown(statements_engine_neutral, mem_setup, mem_teardown),
        cmocka_unit_test_setup_teardown(statement_not_prepared_is_an_error_at_the_step, mem_setup,
            mem_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
