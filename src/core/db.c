#include "core/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/db_int.h"
#include "core/embed.h"
#include "core/json.h"
#include "core/log.h"

#define STMT_CACHE AL_DB_STMT_CACHE
#define TEXT_CACHE 32
#define COUNT_MEMO 32 /* counts remembered per connection (RULE-DB-130) */

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
    struct al_stmt stmt;
};

struct al_db {
    sqlite3 *h;
    struct al_pg *pg; /* instead of h, for a postgresql:// database */
    char *url;        /* the PostgreSQL setting, for pg_dump (al_db_backup) */
    struct stmt_slot cache[STMT_CACHE];
    struct stmt_slot text[TEXT_CACHE]; /* generated SQL, keyed by its text (owned copies) */
    unsigned text_next;                /* round-robin victim when full */
    struct count_memo { /* RULE-DB-130, RULE-DB-140: counts while the data is unchanged */
        char *key;
        int64_t n;
        int64_t version; /* SQLite: the data version; PostgreSQL: list_gen's generation */
    } counts[COUNT_MEMO];
    unsigned counts_next;
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
    if (al_pg_is_url(path)) {
        if (!(db->url = strdup(path)) || al_pg_open(path, &db->pg) != AL_OK) {
            free(db->url);
            free(db);
            return AL_EDB;
        }
        *out = db;
        return AL_OK;
    }
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
    al_pg_close(db->pg);
    if (db->url) { /* it may hold a password */
        explicit_bzero(db->url, strlen(db->url));
        free(db->url);
    }
    for (int i = 0; i < STMT_CACHE; i++)
        if (db->cache[i].st)
            sqlite3_finalize(db->cache[i].st);
    for (int i = 0; i < TEXT_CACHE; i++) {
        sqlite3_finalize(db->text[i].st);
        free((char *)db->text[i].sql);
    }
    for (int i = 0; i < COUNT_MEMO; i++)
        free(db->counts[i].key);
    sqlite3_close(db->h);
    free(db);
}

void
al_db_busy_timeout(struct al_db *db, int ms)
{
    if (db->pg) { /* the same promise: a lock waited for this long fails as AL_EUNAVAIL */
        char q[48];
        snprintf(q, sizeof(q), "SET lock_timeout = %d", ms);
        al_pg_exec(db->pg, q);
        return;
    }
    sqlite3_busy_timeout(db->h, ms);
}

const char *
al_db_label(const char *path, char *out, size_t size)
{
    if (!size)
        return out;
    path = path ? path : "";
    size_t o = 0;
    const char *scheme = al_pg_is_url(path) ? strstr(path, "://") : NULL;
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    for (const char *p = path; *p && o + 1 < size;) {
        const char *skip_to = NULL;
        if (p == colon + 1 && colon) /* postgresql://user:secret@host/… */
            skip_to = at;
        else if (al_pg_is_url(path) && !strncmp(p, "password=", 9) &&
                 (p == path || p[-1] == ' ' || p[-1] == '&' || p[-1] == '?')) {
            for (int k = 0; k < 9 && o + 1 < size; k++)
                out[o++] = *p++;
            skip_to = p + strcspn(p, " &");
        }
        if (skip_to) {
            for (int k = 0; k < 3 && o + 1 < size; k++)
                out[o++] = '*';
            p = skip_to;
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
    return out;
}

bool
al_db_is_server(const char *path)
{
    return al_pg_is_url(path);
}

bool
al_db_is_pg(const struct al_db *db)
{
    return db->pg != NULL;
}

sqlite3 *
al_db_handle(struct al_db *db)
{
    return db->h;
}

static void
slot_ready(struct al_db *db, struct stmt_slot *s)
{
    s->stmt.h = s->st;
    s->stmt.db = db;
    s->stmt.err = AL_OK;
}

/* The sqlite3_stmt calls are SQLite's only: a store not yet moved over fails loudly on PostgreSQL. */
static bool
sqlite_only(struct al_db *db, const char *sql)
{
    if (!db->pg)
        return true;
    al_error("SQLite-only statement used on PostgreSQL: %.120s", sql);
    return false;
}

static struct stmt_slot *
slot_static(struct al_db *db, const char *sql)
{
    size_t h = ((size_t)(uintptr_t)sql >> 3) % STMT_CACHE;
    for (size_t i = 0; i < STMT_CACHE; i++) {
        struct stmt_slot *s = &db->cache[(h + i) % STMT_CACHE];
        if (s->sql == sql) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            slot_ready(db, s);
            return s;
        }
        if (!s->sql) {
            if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
                SQLITE_OK) {
                al_error("prepare failed: %s in: %.200s", sqlite3_errmsg(db->h), sql);
                s->st = NULL;
                return NULL;
            }
            s->sql = sql;
            slot_ready(db, s);
            return s;
        }
    }
    /* Cache full: a transient statement would leak here, so refuse loudly. */
    al_error("statement cache full; raise STMT_CACHE");
    return NULL;
}

static struct stmt_slot *
slot_text(struct al_db *db, const char *sql)
{
    for (int i = 0; i < TEXT_CACHE; i++) {
        struct stmt_slot *s = &db->text[i];
        if (s->sql && strcmp(s->sql, sql) == 0) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            slot_ready(db, s);
            return s;
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
    slot_ready(db, s);
    return s;
}

sqlite3_stmt *
al_db_stmt(struct al_db *db, const char *sql)
{
    if (!sqlite_only(db, sql))
        return NULL;
    struct stmt_slot *s = slot_static(db, sql);
    return s ? s->st : NULL;
}

sqlite3_stmt *
al_db_stmt_text(struct al_db *db, const char *sql)
{
    if (!sqlite_only(db, sql))
        return NULL;
    struct stmt_slot *s = slot_text(db, sql);
    return s ? s->st : NULL;
}

/* ---- engine-neutral statements ---- */

static struct al_stmt *
pg_ready(struct al_db *db, struct al_stmt *st)
{
    if (st) {
        st->db = db;
        st->err = AL_OK;
    }
    return st;
}

struct al_stmt *
al_db_sql(struct al_db *db, const char *sql)
{
    if (db->pg)
        return pg_ready(db, al_pg_prepare(db->pg, sql, false));
    struct stmt_slot *s = slot_static(db, sql);
    return s ? &s->stmt : NULL;
}

struct al_stmt *
al_db_sql_text(struct al_db *db, const char *sql)
{
    if (db->pg)
        return pg_ready(db, al_pg_prepare(db->pg, sql, true));
    struct stmt_slot *s = slot_text(db, sql);
    return s ? &s->stmt : NULL;
}

/* Keep the first bind failure (out of memory, an index past the placeholders). */
static void
bound(struct al_stmt *st, int rc)
{
    if (rc != SQLITE_OK && st->err == AL_OK) {
        al_error("bind failed: %s", sqlite3_errstr(rc));
        st->err = AL_EDB;
    }
}

static void
pg_bound(struct al_stmt *st, int idx, const char *text, size_t len)
{
    int rc = al_pg_bind(st->pg, idx, text, len);
    if (rc != AL_OK && st->err == AL_OK) {
        al_error("bind %d failed", idx);
        st->err = rc;
    }
}

void
al_stmt_bind_int(struct al_stmt *st, int idx, int64_t v)
{
    if (!st)
        return;
    if (st->pg) {
        char t[24];
        int n = snprintf(t, sizeof(t), "%lld", (long long)v);
        pg_bound(st, idx, t, (size_t)n);
        return;
    }
    bound(st, sqlite3_bind_int64(st->h, idx, v));
}

void
al_stmt_bind_double(struct al_stmt *st, int idx, double v)
{
    if (!st)
        return;
    if (st->pg) {
        char t[40];
        int n = snprintf(t, sizeof(t), "%.17g", v);
        pg_bound(st, idx, t, (size_t)n);
        return;
    }
    bound(st, sqlite3_bind_double(st->h, idx, v));
}

void
al_stmt_bind_text(struct al_stmt *st, int idx, const char *s)
{
    if (!st)
        return;
    if (st->pg) {
        pg_bound(st, idx, s, s ? strlen(s) : 0);
        return;
    }
    bound(st, al_db_bind_text(st->h, idx, s));
}

void
al_stmt_bind_textn(struct al_stmt *st, int idx, const char *p, size_t len)
{
    if (!st)
        return;
    if (st->pg) {
        pg_bound(st, idx, p ? p : "", len);
        return;
    }
    if (len > INT32_MAX) {
        bound(st, SQLITE_TOOBIG);
        return;
    }
    bound(st, sqlite3_bind_text(st->h, idx, p, (int)len, SQLITE_TRANSIENT));
}

void
al_stmt_bind_null(struct al_stmt *st, int idx)
{
    if (!st)
        return;
    if (st->pg) {
        pg_bound(st, idx, NULL, 0);
        return;
    }
    bound(st, sqlite3_bind_null(st->h, idx));
}

void
al_stmt_bind_jsonv(struct al_stmt *st, int idx, const json_t *v)
{
    if (!st)
        return;
    if (!st->pg) {
        bound(st, al_db_bind_json(st->h, idx, v));
        return;
    }
    if (json_is_string(v))
        pg_bound(st, idx, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        al_stmt_bind_int(st, idx, json_integer_value(v));
    else if (json_is_real(v))
        al_stmt_bind_double(st, idx, json_real_value(v));
    else if (json_is_boolean(v))
        pg_bound(st, idx, json_is_true(v) ? "1" : "0", 1); /* valid for integer and boolean */
    else if (json_is_array(v) || json_is_object(v)) {
        char *text = al_json_dump_heap(v);
        if (!text && st->err == AL_OK)
            st->err = AL_EDB;
        if (text)
            pg_bound(st, idx, text, strlen(text));
        free(text);
    } else
        pg_bound(st, idx, NULL, 0);
}

void
al_stmt_reset(struct al_stmt *st)
{
    if (!st)
        return;
    if (st->pg)
        al_pg_reset(st->pg);
    else
        sqlite3_reset(st->h);
    st->err = AL_OK;
}

int
al_stmt_step(struct al_stmt *st)
{
    if (!st) /* it did not prepare (logged then) */
        return AL_EDB;
    if (st->err != AL_OK) {
        int err = st->err;
        al_stmt_reset(st);
        return err;
    }
    if (st->pg) {
        int prc = al_pg_step(st->pg);
        if (prc != AL_ROW)
            al_stmt_reset(st);
        return prc;
    }
    int rc = sqlite3_step(st->h);
    if (rc == SQLITE_ROW)
        return AL_ROW;
    int err = al_db_check(st->db, rc);
    al_stmt_reset(st);
    return err;
}

int
al_stmt_send(struct al_stmt *st)
{
    if (!st)
        return AL_EDB;
    if (st->err != AL_OK || !st->pg) /* SQLite executes at the step; a bind error shows there */
        return AL_OK;
    int rc = al_pg_send(st->pg);
    if (rc != AL_OK)
        al_stmt_reset(st);
    return rc;
}

int
al_stmt_run(struct al_stmt *st)
{
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        ;
    return rc;
}

int
al_stmt_one(struct al_stmt *st)
{
    int rc = al_stmt_step(st);
    return rc == AL_ROW ? AL_OK : rc == AL_OK ? AL_ENOTFOUND : rc;
}

int
al_stmt_int64(struct al_stmt *st, int64_t *out)
{
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

int64_t
al_stmt_int(struct al_stmt *st, int col)
{
    if (st->pg) { /* text; booleans arrive as t/f */
        const char *t = al_pg_col(st->pg, col, NULL);
        return !t ? 0 : *t == 't' ? 1 : *t == 'f' ? 0 : strtoll(t, NULL, 10);
    }
    return sqlite3_column_int64(st->h, col);
}

double
al_stmt_double(struct al_stmt *st, int col)
{
    if (st->pg) {
        const char *t = al_pg_col(st->pg, col, NULL);
        return t ? strtod(t, NULL) : 0.0;
    }
    return sqlite3_column_double(st->h, col);
}

bool
al_stmt_null(struct al_stmt *st, int col)
{
    if (st->pg)
        return al_pg_col(st->pg, col, NULL) == NULL;
    return sqlite3_column_type(st->h, col) == SQLITE_NULL;
}

const char *
al_stmt_text(struct al_stmt *st, int col)
{
    if (st->pg)
        return al_pg_col(st->pg, col, NULL);
    return (const char *)sqlite3_column_text(st->h, col);
}

size_t
al_stmt_len(struct al_stmt *st, int col)
{
    if (st->pg) {
        size_t n;
        al_pg_col(st->pg, col, &n);
        return n;
    }
    return (size_t)sqlite3_column_bytes(st->h, col);
}

const char *
al_stmt_dup(struct al_arena *a, struct al_stmt *st, int col)
{
    if (st->pg) {
        size_t n;
        const char *t = al_pg_col(st->pg, col, &n);
        return t ? al_arena_strndup(a, t, n) : NULL;
    }
    return al_db_col_text(a, st->h, col);
}

/* The file's data version as this connection last saw it: it moves with every commit, on any
   connection including this one (SQLITE_FCNTL_DATA_VERSION); false when it cannot be read. */
static bool
data_version(struct al_db *db, int64_t *v)
{
    unsigned u;
    if (!db->h || sqlite3_file_control(db->h, "main", SQLITE_FCNTL_DATA_VERSION, &u) != SQLITE_OK)
        return false;
    *v = u;
    return true;
}

static bool
memo_get(struct al_db *db, const char *key, int64_t version, int64_t *n)
{
    for (int i = 0; i < COUNT_MEMO; i++)
        if (db->counts[i].key && db->counts[i].version == version &&
            strcmp(db->counts[i].key, key) == 0) {
            *n = db->counts[i].n;
            return true;
        }
    return false;
}

static void
memo_put(struct al_db *db, const char *key, int64_t version, int64_t n)
{
    struct count_memo *m = NULL;
    for (int i = 0; i < COUNT_MEMO && !m; i++) /* the same key, or one of an older version */
        if (db->counts[i].key &&
            (strcmp(db->counts[i].key, key) == 0 || db->counts[i].version != version))
            m = &db->counts[i];
    if (!m)
        m = &db->counts[db->counts_next++ % COUNT_MEMO];
    char *k = strdup(key);
    if (!k)
        return;
    free(m->key);
    *m = (struct count_memo){k, n, version};
}

/* The generation of the listed tables (sql/pg/070, RULE-DB-140) as this statement sees it. */
static const char sql_list_gen[] = "SELECT gen FROM list_gen WHERE id = 1";

/*
 * RULE-DB-140: on PostgreSQL the current generation first (a round trip of a one-row read);
 * unchanged since a remembered count, that count; else the generation and the count in one
 * statement, so the count remembered is the one of the generation kept beside it.
 */
static int
pg_count_memo(struct al_db *db, struct al_arena *a, const char *sql, const char *key,
    al_db_binder *bind, const void *ctx, int64_t gen, int64_t *n)
{
    int rc;
    if (gen < 0 && (rc = al_stmt_int64(al_db_sql(db, sql_list_gen), &gen)) != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    if (memo_get(db, key, gen, n))
        return AL_OK;
    struct al_stmt *st = al_db_sql_text(db,
        al_arena_printf(a, "SELECT (%s), (%s)", sql_list_gen, sql));
    if (!st)
        return AL_EDB;
    bind(st, ctx);
    if ((rc = al_stmt_one(st)) != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    gen = al_stmt_int(st, 0);
    *n = al_stmt_int(st, 1);
    al_stmt_reset(st);
    memo_put(db, key, gen, *n);
    return AL_OK;
}

int
al_db_count_memo(struct al_db *db, struct al_arena *a, const char *sql, const char *key,
    al_db_binder *bind, const void *ctx, int64_t *n)
{
    return al_db_count_memo_at(db, a, sql, key, bind, ctx, -1, n);
}

int
al_db_count_memo_at(struct al_db *db, struct al_arena *a, const char *sql, const char *key,
    al_db_binder *bind, const void *ctx, int64_t gen, int64_t *n)
{
    *n = 0;
    if (!al_db_in_tx(db)) {
        int64_t v;
        if (db->pg)
            return pg_count_memo(db, a, sql, key, bind, ctx, gen, n);
        if (data_version(db, &v) && memo_get(db, key, v, n))
            return AL_OK;
    }
    struct al_stmt *st = al_db_sql_text(db, sql);
    if (!st)
        return AL_EDB;
    bind(st, ctx);
    int rc = al_stmt_int64(st, n);
    int64_t v;
    if (rc == AL_OK && !db->pg && !al_db_in_tx(db) && data_version(db, &v))
        memo_put(db, key, v, *n);
    return rc;
}

int64_t
al_db_changes(struct al_db *db)
{
    return db->pg ? al_pg_changes(db->pg) : sqlite3_changes64(db->h);
}

int
al_db_end(struct al_db *db, int rc)
{
    if (rc == AL_OK)
        return al_db_commit(db);
    al_db_rollback(db);
    return rc;
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
    if (db->pg)
        return al_pg_exec(db->pg, sql) == AL_OK ? AL_OK : AL_EDB;
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

bool
al_db_in_tx(struct al_db *db)
{
    return db->pg ? al_pg_in_tx(db->pg) : !sqlite3_get_autocommit(db->h);
}

int
al_db_begin(struct al_db *db)
{
    if (db->pg)
        return al_pg_exec(db->pg, "BEGIN");
    return step_simple(db, "BEGIN IMMEDIATE");
}

int
al_db_commit(struct al_db *db)
{
    if (db->pg) {
        int prc = al_pg_exec(db->pg, "COMMIT");
        if (prc != AL_OK)
            al_db_rollback(db);
        return prc;
    }
    int rc = step_simple(db, "COMMIT");
    if (rc != AL_OK)
        al_db_rollback(db);
    return rc;
}

void
al_db_rollback(struct al_db *db)
{
    if (db->pg) {
        if (al_pg_in_tx(db->pg))
            al_pg_exec(db->pg, "ROLLBACK");
        return;
    }
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
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    if (param)
        al_stmt_bind_text(st, 1, param);
    int rc = al_stmt_int64(st, out);
    return rc == AL_ENOTFOUND ? AL_OK : rc; /* no row: *out unchanged, as before */
}

/* ---- bulk loading (RULE-DB-022) ---- */

struct al_copy {
    struct al_db *db;
    int ncols, col;            /* columns of a row; the place of the next value */
    int err;                   /* the first error of a value */
    struct al_stmt *st;        /* SQLite: the INSERT of one row */
    struct al_pg_copy *pg;     /* PostgreSQL: COPY FROM STDIN */
};

int
al_db_copy_begin(struct al_db *db, const char *table, const char *columns, struct al_copy **out)
{
    *out = NULL;
    if (!al_db_in_tx(db)) {
        al_error("bulk load of %s outside a transaction", table);
        return AL_EINTERNAL;
    }
    struct al_copy *cp = calloc(1, sizeof(*cp));
    if (!cp)
        return AL_EDB;
    cp->db = db;
    cp->ncols = 1;
    for (const char *c = columns; *c; c++)
        cp->ncols += *c == ',';
    size_t cap = strlen(table) + strlen(columns) + 4 * (size_t)cp->ncols + 64;
    char *sql = malloc(cap);
    int rc = sql ? AL_OK : AL_EDB;
    /* The one place the engines differ: COPY streams the rows, SQLite inserts each. */
    if (rc == AL_OK && db->pg) {
        snprintf(sql, cap, "COPY %s(%s) FROM STDIN", table, columns);
        rc = al_pg_copy_begin(db->pg, sql, &cp->pg);
    } else if (rc == AL_OK) {
        size_t o = (size_t)snprintf(sql, cap, "INSERT INTO %s(%s) VALUES (", table, columns);
        for (int i = 0; i < cp->ncols; i++)
            o += (size_t)snprintf(sql + o, cap - o, i ? ",?" : "?");
        snprintf(sql + o, cap - o, ")");
        cp->st = al_db_sql_text(db, sql);
        rc = cp->st ? AL_OK : AL_EDB;
    }
    free(sql);
    if (rc != AL_OK) {
        free(cp);
        return rc;
    }
    *out = cp;
    return AL_OK;
}

/* The next value's place, or 0 (the error kept) when the row already has every column. */
static int
copy_next(struct al_copy *cp)
{
    if (!cp || cp->err)
        return 0;
    if (cp->col >= cp->ncols) {
        al_error("bulk load: more values than columns");
        cp->err = AL_EINTERNAL;
        return 0;
    }
    return ++cp->col;
}

static void
copy_pg(struct al_copy *cp, int idx, const char *p, size_t len)
{
    int rc = al_pg_copy_field(cp->pg, p, len, idx == 1);
    if (rc != AL_OK && cp->err == AL_OK)
        cp->err = rc;
}

void
al_copy_textn(struct al_copy *cp, const char *p, size_t len)
{
    int idx = copy_next(cp);
    if (!idx)
        return;
    if (cp->pg)
        copy_pg(cp, idx, p ? p : "", p ? len : 0);
    else
        al_stmt_bind_textn(cp->st, idx, p ? p : "", p ? len : 0);
}

void
al_copy_text(struct al_copy *cp, const char *s)
{
    if (!s)
        al_copy_null(cp);
    else
        al_copy_textn(cp, s, strlen(s));
}

void
al_copy_int(struct al_copy *cp, int64_t v)
{
    int idx = copy_next(cp);
    if (!idx)
        return;
    if (cp->pg) {
        char t[24];
        int n = snprintf(t, sizeof(t), "%lld", (long long)v);
        copy_pg(cp, idx, t, (size_t)n);
    } else {
        al_stmt_bind_int(cp->st, idx, v);
    }
}

void
al_copy_null(struct al_copy *cp)
{
    int idx = copy_next(cp);
    if (!idx)
        return;
    if (cp->pg)
        copy_pg(cp, idx, NULL, 0);
    else
        al_stmt_bind_null(cp->st, idx);
}

int
al_copy_row(struct al_copy *cp)
{
    if (!cp)
        return AL_EDB;
    if (cp->err == AL_OK && cp->col != cp->ncols) {
        al_error("bulk load: %d values for %d columns", cp->col, cp->ncols);
        cp->err = AL_EINTERNAL;
    }
    cp->col = 0;
    if (cp->err != AL_OK) {
        al_stmt_reset(cp->st);
        return cp->err;
    }
    int rc = cp->pg ? al_pg_copy_row(cp->pg) : al_stmt_run(cp->st);
    if (rc != AL_OK)
        cp->err = rc;
    return rc;
}

int
al_copy_end(struct al_copy *cp, int rc)
{
    if (!cp)
        return rc != AL_OK ? rc : AL_EDB;
    if (rc == AL_OK && cp->err != AL_OK)
        rc = cp->err;
    if (cp->pg) {
        int end = al_pg_copy_end(cp->pg, rc == AL_OK);
        if (rc == AL_OK)
            rc = end;
    } else {
        al_stmt_reset(cp->st);
    }
    free(cp);
    return rc;
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

/* ---- migrations on PostgreSQL ---- */

static const struct al_embedded *
embedded(const char *name)
{
    for (const struct al_embedded *m = al_embedded_files; m->name; m++)
        if (!strcmp(m->name, name))
            return m;
    return NULL;
}

/*
 * Apply one migration text under `name` unless it is recorded; one transaction,
 * serialised between servers by an advisory lock held until its end.
 */
static int
pg_apply(struct al_db *db, const char *name, const struct al_embedded *m)
{
    static const char sql_applied[] = "SELECT count(*) FROM schema_migrations WHERE name = ?";
    static const char sql_record[] =
        "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)";
    int64_t n = 0;
    int rc = al_db_count(db, sql_applied, name, &n);
    if (rc != AL_OK || n)
        return rc;
    char *text = malloc(m->len + 1);
    if (!text)
        return AL_EDB;
    memcpy(text, m->data, m->len);
    text[m->len] = '\0';
    rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = al_db_exec(db, "SELECT pg_advisory_xact_lock(7270421)"); /* 'anlao' migrations */
    if (rc == AL_OK)
        rc = al_db_count(db, sql_applied, name, &n);
    if (rc == AL_OK && !n) {
        rc = al_db_exec(db, text);
        struct al_stmt *st = rc == AL_OK ? al_db_sql(db, sql_record) : NULL;
        if (rc == AL_OK && !st)
            rc = AL_EDB;
        if (st) {
            al_stmt_bind_text(st, 1, name);
            al_stmt_bind_int(st, 2, (int64_t)time(NULL));
            rc = al_stmt_run(st);
        }
        if (rc == AL_OK)
            al_info("migration %s applied", name);
    }
    free(text);
    rc = al_db_end(db, rc);
    if (rc != AL_OK)
        al_error("migration %s failed", name);
    return rc;
}

/*
 * PostgreSQL starts from sql/pg/000_baseline.sql (the schema of the SQLite
 * migrations it names, recorded as applied); every later sql/NNN is applied as
 * its shared text, or as its twin sql/pg/NNN where the dialects differ.
 */
static int
pg_migrate(struct al_db *db)
{
    if (al_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)") != AL_OK)
        return AL_EDB;
    const struct al_embedded *base = embedded("sql/pg/000_baseline.sql");
    if (!base)
        return AL_EDB;
    int rc = pg_apply(db, "pg/000_baseline.sql", base);
    for (const struct al_embedded *m = al_embedded_files; rc == AL_OK && m->name; m++) {
        if (strncmp(m->name, "sql/", 4) != 0 || strchr(m->name + 4, '/'))
            continue;
        char twin[256];
        snprintf(twin, sizeof(twin), "sql/pg/%s", m->name + 4);
        const struct al_embedded *t = embedded(twin);
        rc = pg_apply(db, m->name + 4, t ? t : m);
    }
    return rc == AL_OK ? AL_OK : AL_EDB;
}

int
al_db_migrate(struct al_db *db)
{
    if (db->pg)
        return pg_migrate(db);
    static const char fk_marker[] = "-- migrate: foreign_keys off";
    if (al_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)") != AL_OK)
        return AL_EDB;
    for (const struct al_embedded *m = al_embedded_files; m->name; m++) {
        if (strncmp(m->name, "sql/", 4) != 0 || strchr(m->name + 4, '/'))
            continue; /* sql/pg/ holds PostgreSQL's texts */
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
    if (db->pg) /* RULE-DB-002 */
        return al_pg_dump(db->url, dest);
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
    if (db->pg)
        return AL_OK; /* the server checkpoints on its own */
    return al_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
}
