#include "dual.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/crypto.h"
#include "unit.h"

static char dir[] = "/tmp/anlao-unit-dual-XXXXXX";
static char sqlite_path[sizeof(dir) + 8];

static void
remove_dir(void)
{
    char cmd[sizeof(dir) + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

const char *
dual_dir(void)
{
    static int made; /* 1 made, -1 failed */
    if (!made) {
        made = mkdtemp(dir) ? 1 : -1;
        if (made > 0)
            atexit(remove_dir);
        else
            perror("mkdtemp");
    }
    return made > 0 ? dir : NULL;
}

int
dual_key(void)
{
    static bool done;
    if (done)
        return 0;
    char key[sizeof(dir) + 16];
    if (!dual_dir() || al_crypto_init() != AL_OK)
        return -1;
    snprintf(key, sizeof(key), "%s/anlao.key", dir);
    done = al_crypto_load_key(key) == AL_OK;
    if (!done)
        fprintf(stderr, "cannot make the key %s\n", key);
    return done ? 0 : -1;
}

/* The SQLite file and its -wal and -shm, so that the next dual_open starts empty. */
static void
remove_sqlite_file(void)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char path[sizeof(sqlite_path) + 4];
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", sqlite_path, suffix[i]);
        unlink(path);
    }
}

const char *
dual_target(enum dual_engine engine)
{
    if (engine == DUAL_PG) {
        const char *url = getenv("ANLAO_TEST_PG");
        if (!url || !*url) {
            fprintf(stderr, "ANLAO_TEST_PG is not set: run through `make unit`\n");
            return NULL;
        }
        return url;
    }
    if (engine == DUAL_SQLITE_FILE) {
        if (!dual_dir())
            return NULL;
        snprintf(sqlite_path, sizeof(sqlite_path), "%s/t.db", dir);
        return sqlite_path;
    }
    return NULL;
}

struct al_db *
dual_open_again(enum dual_engine engine)
{
    const char *target = dual_target(engine);
    struct al_db *db = NULL;
    if (!target || al_db_open(target, &db) != AL_OK)
        return NULL;
    return db;
}

struct al_db *
dual_open(enum dual_engine engine)
{
    struct al_db *db = NULL;
    if (engine == DUAL_SQLITE) {
        if (al_db_open(":memory:", &db) != AL_OK)
            return NULL;
    } else {
        const char *target = dual_target(engine);
        if (!target)
            return NULL;
        if (engine == DUAL_SQLITE_FILE)
            remove_sqlite_file();
        if (al_db_open(target, &db) != AL_OK)
            return NULL;
        if (engine == DUAL_PG &&
            al_db_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;") != AL_OK) {
            al_db_close(db);
            return NULL;
        }
    }
    if (al_db_migrate(db) != AL_OK) {
        al_db_close(db);
        return NULL;
    }
    return db;
}

int (*dual_prepare)(struct al_db *db, enum dual_engine engine);

static int
setup(void **state, enum dual_engine engine)
{
    struct al_db *db = dual_open(engine);
    if (!db)
        return -1;
    if (dual_prepare && dual_prepare(db, engine) != 0) {
        al_db_close(db);
        return -1;
    }
    *state = db;
    return 0;
}

int
dual_sqlite_setup(void **state)
{
    return setup(state, DUAL_SQLITE);
}

int
dual_pg_setup(void **state)
{
    return setup(state, DUAL_PG);
}

int
dual_teardown(void **state)
{
    al_db_close(*state);
    *state = NULL;
    return 0;
}

void
dual_same(json_t *(*fn)(struct al_db *db, void *arg), void *arg)
{
    json_t *out[2];
    for (int e = DUAL_SQLITE; e <= DUAL_PG; e++) {
        struct al_db *db = dual_open(e);
        if (!db)
            fail_msg("cannot open a fresh %s database", e == DUAL_PG ? "PostgreSQL" : "SQLite");
        out[e] = fn(db, arg);
        al_db_close(db);
        assert_non_null(out[e]);
    }
    bool same = json_equal(out[0], out[1]);
    if (!same) {
        char *x = json_dumps(out[0], JSON_INDENT(1) | JSON_SORT_KEYS);
        char *y = json_dumps(out[1], JSON_INDENT(1) | JSON_SORT_KEYS);
        fprintf(stderr, "SQLite:\n%s\nPostgreSQL:\n%s\n", x, y);
        free(x);
        free(y);
    }
    json_decref(out[0]);
    json_decref(out[1]);
    assert_true(same);
}
