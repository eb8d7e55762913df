#include "core/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/embed.h"
#include "core/json.h"
#include "core/log.h"

#define STMT_CACHE 128
#define TEXT_CACHE 32

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
};

struct al_db {
    sqlite3 *h;
    struct stmt_slot cache[STMT_CACHE];
    struct stmt_slot text[TEXT_CACHE]; /* generated SQL, keyed by its text (owned copies) */
    unsigned text_next;                /* round-robin victim when full */
};

/*
 * RULE-AUTH-008: a database made by an older version (or another umask) is narrowed to its
 * owner, with its -wal and -shm files.  Best effort: a file we cannot change is logged.
 */
static void
owner_only(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        char p[4096];
        struct stat sb;
        if (snprintf(p, sizeof(p), "%s%s", path, suffix[i]) >= (int)sizeof(p))
            return;
        if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077) &&
            chmod(p, sb.st_mode & 0700) != 0)
            al_warn("cannot make %s readable by its owner only", p);
    }
}

int
al_db_open(const char *path, struct al_db **out)
{
    *out = NULL;
    if (strcmp(path, ":memory:") != 0)
        owner_only(path);
    struct al_db *db = calloc(1, sizeof(*db));
    if (!db)
        return AL_EDB;
    int rc = sqlite3_open_v2(path, &db->h,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        al_error("cannot open database %s: %s", path, db->h ? sqlite3_errmsg(db->h) : "?");
        sqlite3_close(db->h);
        free(db);
        return AL_EDB;
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    static const char pragmas[] = "PRAGMA journal_mode=WAL;"
                                  "PRAGMA synchronous=FULL;"
                                  "PRAGMA foreign_keys=ON;"
                                  "PRAGMA temp_store=MEMORY;"
                                  "PRAGMA cache_size=-32000;";
    char *msg = NULL;
    if (sqlite3_exec(db->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        al_error("database settings failed: %s", msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db->h);
        free(db);
        return AL_EDB;
    }
    *out = db;
    return AL_OK;
}

void
al_db_close(struct al_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < STMT_CACHE; i++)
        if (db->cache[i].st)
            sqlite3_finalize(db->cache[i].st);
    for (int i = 0; i < TEXT_CACHE; i++) {
        sqlite3_finalize(db->text[i].st);
        free((char *)db->text[i].sql);
    }
    sqlite3_close(db->h);
    free(db);
}

void
al_db_busy_timeout(struct al_db *db, int ms)
{
    sqlite3_busy_timeout(db->h, ms);
}

sqlite3 *
al_db_handle(struct al_db *db)
{
    return db->h;
}

sqlite3_stmt *
al_db_stmt(struct al_db *db, const char *sql)
{
    size_t h = ((size_t)(uintptr_t)sql >> 3) % STMT_CACHE;
    for (size_t i = 0; i < STMT_CACHE; i++) {
        struct stmt_slot *s = &db->cache[(h + i) % STMT_CACHE];
        if (s->sql == sql) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            return s->st;
        }
        if (!s->sql) {
            if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
                SQLITE_OK) {
                al_error("prepare failed: %s in: %.200s", sqlite3_errmsg(db->h), sql);
                s->st = NULL;
                return NULL;
            }
            s->sql = sql;
            return s->st;
        }
    }
    /* Cache full: a transient statement would leak here, so refuse loudly. */
    al_error("statement cache full; raise STMT_CACHE");
    return NULL;
}

sqlite3_stmt *
al_db_stmt_text(struct al_db *db, const char *sql)
{
    for (int i = 0; i < TEXT_CACHE; i++) {
        struct stmt_slot *s = &db->text[i];
        if (s->sql && strcmp(s->sql, sql) == 0) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            return s->st;
        }
    }
    sqlite3_stmt *st = NULL;
    char *copy = strdup(sql);
    if (!copy || sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
                     SQLITE_OK) {
        al_error("prepare failed: %s in: %.200s", sqlite3_errmsg(db->h), sql);
        free(copy);
        return NULL;
    }
    struct stmt_slot *s = &db->text[db->text_next++ % TEXT_CACHE];
    sqlite3_finalize(s->st);
    free((char *)s->sql);
    s->sql = copy;
    s->st = st;
    return st;
}

int
al_db_check(struct al_db *db, int rc)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return AL_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return AL_ECONFLICT;
    if ((rc & 0xff) == SQLITE_BUSY) { /* another writer (a large import) holds the lock */
        al_warn("database busy: %s", sqlite3_errmsg(db->h));
        return AL_EUNAVAIL;
    }
    al_error("database error %d: %s", rc, sqlite3_errmsg(db->h));
    return AL_EDB;
}

int
al_db_exec(struct al_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        al_error("exec failed: %s", msg ? msg : sqlite3_errmsg(db->h));
        sqlite3_free(msg);
        return AL_EDB;
    }
    return AL_OK;
}

static int
step_simple(struct al_db *db, const char *sql)
{
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return al_db_check(db, rc);
}

int
al_db_begin(struct al_db *db)
{
    return step_simple(db, "BEGIN IMMEDIATE");
}

int
al_db_commit(struct al_db *db)
{
    int rc = step_simple(db, "COMMIT");
    if (rc != AL_OK)
        al_db_rollback(db);
    return rc;
}

void
al_db_rollback(struct al_db *db)
{
    if (!sqlite3_get_autocommit(db->h))
        step_simple(db, "ROLLBACK");
}

const char *
al_db_col_text(struct al_arena *a, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t)
        return NULL;
    return al_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
}

int
al_db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
    if (!s)
        return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int
al_db_bind_json(sqlite3_stmt *st, int idx, const json_t *v)
{
    if (json_is_string(v))
        return sqlite3_bind_text(st, idx, json_string_value(v), (int)json_string_length(v),
            SQLITE_TRANSIENT);
    if (json_is_integer(v))
        return sqlite3_bind_int64(st, idx, json_integer_value(v));
    if (json_is_real(v))
        return sqlite3_bind_double(st, idx, json_real_value(v));
    if (json_is_boolean(v))
        return sqlite3_bind_int(st, idx, json_is_true(v));
    if (json_is_array(v) || json_is_object(v)) {
        /* One pass into a stack buffer for the usual small document; the heap otherwise. */
        char small[2048];
        size_t n = json_dumpb(v, small, sizeof(small), JSON_COMPACT | JSON_SORT_KEYS);
        if (n <= sizeof(small))
            return sqlite3_bind_text(st, idx, small, (int)n, SQLITE_TRANSIENT);
        char *text = al_json_dump_heap(v);
        if (!text)
            return SQLITE_NOMEM;
        return sqlite3_bind_text(st, idx, text, -1, free);
    }
    return sqlite3_bind_null(st, idx);
}

int
al_db_count(struct al_db *db, const char *sql, const char *param, int64_t *out)
{
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    if (param)
        al_db_bind_text(st, 1, param);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return al_db_check(db, rc);
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return AL_OK;
}

/* ---- migrations ---- */

static int
migration_applied(struct al_db *db, const char *name, bool *applied)
{
    sqlite3_stmt *st = NULL;
    *applied = false;
    if (sqlite3_prepare_v2(db->h, "SELECT 1 FROM schema_migrations WHERE name = ?", -1, &st,
            NULL) != SQLITE_OK)
        return AL_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *applied = (rc == SQLITE_ROW);
    sqlite3_finalize(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? AL_OK : AL_EDB;
}

int
al_db_migrate(struct al_db *db)
{
    static const char fk_marker[] = "-- migrate: foreign_keys off";
    if (al_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)") != AL_OK)
        return AL_EDB;
    for (const struct al_embedded *m = al_embedded_files; m->name; m++) {
        if (strncmp(m->name, "sql/", 4) != 0)
            continue;
        bool applied;
        if (migration_applied(db, m->name + 4, &applied) != AL_OK)
            return AL_EDB;
        if (applied)
            continue;
        /*
         * A migration that rebuilds a table others refer to runs with foreign keys
         * off (they cannot be switched inside a transaction) and checks them all
         * before it commits: SQLite's documented procedure for table changes.
         */
        bool fk_off = m->len >= sizeof(fk_marker) - 1 &&
                      memcmp(m->data, fk_marker, sizeof(fk_marker) - 1) == 0;
        if (fk_off && al_db_exec(db, "PRAGMA foreign_keys = OFF") != AL_OK)
            return AL_EDB;
        if (al_db_exec(db, "BEGIN IMMEDIATE") != AL_OK)
            return AL_EDB;
        /* Another process may have applied it while this one waited for the lock. */
        if (migration_applied(db, m->name + 4, &applied) != AL_OK || applied) {
            al_db_rollback(db);
            if (fk_off)
                al_db_exec(db, "PRAGMA foreign_keys = ON");
            if (!applied)
                return AL_EDB;
            continue;
        }
        char *sql = malloc(m->len + 1);
        if (!sql) {
            al_db_rollback(db);
            return AL_EDB;
        }
        memcpy(sql, m->data, m->len);
        sql[m->len] = '\0';
        int rc = al_db_exec(db, sql);
        free(sql);
        if (rc == AL_OK && fk_off) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK ||
                sqlite3_step(st) != SQLITE_DONE) {
                al_error("migration %s leaves rows whose references are broken", m->name);
                rc = AL_EDB;
            }
            sqlite3_finalize(st);
        }
        if (rc == AL_OK) {
            sqlite3_stmt *st = NULL;
            rc = AL_EDB;
            if (sqlite3_prepare_v2(db->h,
                    "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", -1, &st,
                    NULL) == SQLITE_OK) {
                sqlite3_bind_text(st, 1, m->name + 4, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
                if (sqlite3_step(st) == SQLITE_DONE)
                    rc = AL_OK;
            }
            sqlite3_finalize(st);
        }
        if (rc == AL_OK && al_db_exec(db, "COMMIT") != AL_OK)
            rc = AL_EDB;
        if (rc != AL_OK) {
            al_error("migration %s failed", m->name);
            al_db_rollback(db);
        }
        if (fk_off && al_db_exec(db, "PRAGMA foreign_keys = ON") != AL_OK)
            rc = AL_EDB;
        if (rc != AL_OK)
            return AL_EDB;
        al_info("migration %s applied", m->name + 4);
    }
    return AL_OK;
}

int
al_db_backup(struct al_db *db, const char *dest)
{
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        al_error("cannot create backup %s: %s", dest, out ? sqlite3_errmsg(out) : "?");
        sqlite3_close(out);
        return AL_EDB;
    }
    sqlite3_backup *b = sqlite3_backup_init(out, "main", db->h, "main");
    if (!b) {
        al_error("backup init failed: %s", sqlite3_errmsg(out));
        sqlite3_close(out);
        return AL_EDB;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        al_error("backup failed: %s", sqlite3_errstr(rc));
        sqlite3_close(out);
        return AL_EDB;
    }
    /* The copy is a standalone file: switch it out of WAL so it is one file. */
    sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    sqlite3_close(out);
    return AL_OK;
}

int
al_db_checkpoint(struct al_db *db)
{
    return al_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
}
