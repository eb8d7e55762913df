#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/audit_int.h"
#include "core/dbq.h"
#include "core/json.h"
#include "core/log.h"
#include "region/region.h"

static const char zero_hash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static const char sql_last[] = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO audit_log(id, at, user_id, username, action, target_type, target_id,"
    " region_code, outcome, client_ip, detail, prev_hash, hash)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char sql_head[] =
    "INSERT INTO settings(key, value) VALUES ('audit_head', ?)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/*
 * RULE-AUDIT-003: the chain has one order.  SQLite's write lock already makes one append at a
 * time; on PostgreSQL concurrent transactions (of one server or several) would read the same
 * last entry and collide on its successor's id, so each takes a transaction-scoped advisory
 * lock first, held until its commit — the next one then reads the entry this one wrote.
 */
static const char sql_chain_lock[] = "SELECT pg_advisory_xact_lock(7270422)"; /* 'anlao' audit */

static int
append_locked(struct al_db *db, int64_t user_id, const char *username, const char *client_ip,
    const struct audit_entry *e)
{
    char prev[65] = "";
    int64_t id = 1;
    struct al_stmt *st;
    int rc;
    if (al_db_is_pg(db)) {
        st = al_db_sql(db, sql_chain_lock);
        if ((rc = al_stmt_one(st)) != AL_OK)
            return rc == AL_ENOTFOUND ? AL_EDB : rc;
        al_stmt_reset(st);
    }
    st = al_db_sql(db, sql_last);
    rc = al_stmt_one(st);
    if (rc == AL_OK) {
        id = al_stmt_int(st, 0) + 1;
        snprintf(prev, sizeof(prev), "%s", al_stmt_text(st, 1) ? al_stmt_text(st, 1) : "");
        al_stmt_reset(st);
    } else if (rc == AL_ENOTFOUND) {
        snprintf(prev, sizeof(prev), "%s", zero_hash);
    } else {
        return rc;
    }

    /* The hash covers the texts of the fields as both engines give them back. */
    int64_t at = e->at ? e->at : (int64_t)time(NULL);
    char id_s[24], at_s[24], uid_s[24];
    snprintf(id_s, sizeof(id_s), "%" PRId64, id);
    snprintf(at_s, sizeof(at_s), "%" PRId64, at);
    snprintf(uid_s, sizeof(uid_s), "%" PRId64, user_id);
    struct al_arena a;
    al_arena_init(&a, 1024);
    const char *detail = e->detail ? al_json_dump(&a, e->detail, NULL) : NULL;
    const char *fields[11] = {id_s, at_s, user_id > 0 ? uid_s : NULL, username, e->action,
        e->target_type, e->target_id, e->region_code, e->outcome, client_ip, detail};
    for (int i = 3; i < 11; i++)
        fields[i] = audit_clean(&a, fields[i]);
    char hash[65];
    audit_hash(prev, fields, hash);

    st = al_db_sql(db, sql_insert);
    al_stmt_bind_int(st, 1, id);
    al_stmt_bind_int(st, 2, at);
    if (user_id > 0)
        al_stmt_bind_int(st, 3, user_id);
    else
        al_stmt_bind_null(st, 3);
    for (int i = 3; i < 11; i++)
        al_stmt_bind_text(st, i + 1, fields[i]);
    al_stmt_bind_text(st, 12, prev);
    al_stmt_bind_text(st, 13, hash);
    rc = al_stmt_run(st);
    al_arena_fini(&a);
    if (rc != AL_OK)
        return rc == AL_ECONFLICT ? AL_EDB : rc;

    char head[96];
    snprintf(head, sizeof(head), "%" PRId64 ":%s", id, hash);
    st = al_db_sql(db, sql_head);
    al_stmt_bind_text(st, 1, head);
    return al_stmt_run(st);
}

int
audit_append_as(struct al_db *db, int64_t user_id, const char *username, const char *client_ip,
    const struct audit_entry *e)
{
    bool own_tx = !al_db_in_tx(db);
    int rc = own_tx ? al_db_begin(db) : AL_OK;
    if (rc == AL_OK)
        rc = append_locked(db, user_id, username, client_ip, e);
    if (own_tx) {
        if (rc == AL_OK)
            rc = al_db_commit(db);
        else
            al_db_rollback(db);
    }
    if (rc != AL_OK)
        al_error("audit append failed for %s", e->action);
    return rc;
}

int
audit_count_recent(struct al_db *db, int64_t user_id, const char *action, int64_t since,
    int64_t *n)
{
    /* The first entry at or after `since` (index on at), then the user's entries from
     * there (index on user_id, id): a few rows, however long the trail. */
    static const char sql[] =
        "SELECT count(*) FROM audit_log WHERE user_id = ?1 AND action = ?2 AND id >="
        " (SELECT coalesce(min(id), 9223372036854775807) FROM audit_log WHERE at >= ?3)";
    *n = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(user_id), AL_T(action), AL_I(since));
    int rc = al_stmt_int64(st, n);
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

/* ---- verification ---- */

int
audit_verify(struct al_db *db, int64_t *count, int64_t *bad_id, char *msg, size_t msg_size)
{
    static const char sql_all[] =
        "SELECT id, at, user_id, username, action, target_type, target_id, region_code,"
        " outcome, client_ip, detail, prev_hash, hash FROM audit_log ORDER BY id";
    static const char sql_head_get[] = "SELECT value FROM settings WHERE key = 'audit_head'";
    *count = 0;
    *bad_id = 0;
    struct al_stmt *st = al_db_sql(db, sql_all);
    int rc;
    char prev[65];
    snprintf(prev, sizeof(prev), "%s", zero_hash);
    int64_t expect_id = 1;
    int result = AL_OK;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t id = al_stmt_int(st, 0);
        const char *fields[11];
        for (int i = 0; i < 11; i++)
            fields[i] = al_stmt_text(st, i);
        const char *stored_prev = al_stmt_text(st, 11);
        const char *stored_hash = al_stmt_text(st, 12);
        if (id != expect_id) {
            *bad_id = expect_id;
            snprintf(msg, msg_size, "审计日志缺少第 %" PRId64 " 条记录（被删除）", expect_id);
            result = AL_ECONFLICT;
            break;
        }
        if (!stored_prev || strcmp(stored_prev, prev) != 0) {
            *bad_id = id;
            snprintf(msg, msg_size, "第 %" PRId64 " 条记录与前一条记录的链接不符", id);
            result = AL_ECONFLICT;
            break;
        }
        char h[65];
        audit_hash(prev, fields, h);
        if (!stored_hash || strcmp(stored_hash, h) != 0) {
            *bad_id = id;
            snprintf(msg, msg_size, "第 %" PRId64 " 条记录的内容被修改（哈希不符）", id);
            result = AL_ECONFLICT;
            break;
        }
        snprintf(prev, sizeof(prev), "%s", stored_hash);
        expect_id++;
        (*count)++;
    }
    if (result != AL_OK) {
        al_stmt_reset(st);
        return result;
    }
    if (rc != AL_OK)
        return rc;
    /* The head pointer catches entries removed from the end. */
    char head[96] = "";
    st = al_db_sql(db, sql_head_get);
    rc = al_stmt_one(st);
    if (rc == AL_OK) {
        snprintf(head, sizeof(head), "%s", al_stmt_text(st, 0) ? al_stmt_text(st, 0) : "");
        al_stmt_reset(st);
    } else if (rc != AL_ENOTFOUND) {
        return rc;
    }
    char want[96] = "";
    if (*count > 0)
        snprintf(want, sizeof(want), "%" PRId64 ":%s", *count, prev);
    if (strcmp(head, want) != 0) {
        *bad_id = *count + 1;
        snprintf(msg, msg_size, "审计日志末尾的记录被删除（应至少有 %s 所记的条目）",
            head[0] ? head : "?");
        return AL_ECONFLICT;
    }
    snprintf(msg, msg_size, "审计链完整，共 %" PRId64 " 条记录", *count);
    return AL_OK;
}

/* ---- listing ---- */

/* The list's filter: ?1 scope (all when ''), ?2–?6 texts, ?7–?8 times, ?9–?10 scope range;
 * a NULL parameter matches everything. */
#define LIST_WHERE                                                                             \
    " WHERE ((?1 = '' ) OR (region_code >= ?9 AND region_code < ?10))"                         \
    " AND (CAST(?2 AS TEXT) IS NULL OR lower(username) = lower(?2))"                           \
    " AND (CAST(?3 AS TEXT) IS NULL OR action = ?3"                                            \
    " OR substr(action, 1, length(?3) + 1) = ?3 || '.')"                                       \
    " AND (CAST(?4 AS TEXT) IS NULL OR outcome = ?4)"                                          \
    " AND (CAST(?5 AS TEXT) IS NULL OR target_type = ?5)"                                      \
    " AND (CAST(?6 AS TEXT) IS NULL OR target_id = ?6)"                                        \
    " AND (CAST(?7 AS INTEGER) IS NULL OR at >= ?7) AND (CAST(?8 AS INTEGER) IS NULL OR at < ?8)"

static const struct al_col audit_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "at", AL_COL_TIME), AL_COL(2, "user_id", AL_COL_INT),
    AL_COL(3, "username", AL_COL_TEXT), AL_COL(4, "action", AL_COL_TEXT),
    AL_COL(5, "target_type", AL_COL_TEXT), AL_COL(6, "target_id", AL_COL_TEXT),
    AL_COL(7, "region_code", AL_COL_TEXT), AL_COL(8, "outcome", AL_COL_TEXT),
    AL_COL(9, "client_ip", AL_COL_TEXT), AL_COL(10, "detail", AL_COL_JSON), AL_COL_END};

static const struct al_page_sql list_sql = {.cols = "id, at, user_id, username, action,"
    " target_type, target_id, region_code, outcome, client_ip, detail",
    .from = " FROM audit_log", .order = " ORDER BY id DESC"};

/* ?1–?10 as LIST_WHERE names them. */
static void
list_params(struct al_params *p, struct al_arena *a, const struct audit_filter *f)
{
    al_params_init(p, a);
    al_param_text(p, f->scope);
    al_param_text(p, f->username);
    al_param_text(p, f->action);
    al_param_text(p, f->outcome);
    al_param_text(p, f->target_type);
    al_param_text(p, f->target_id);
    if (f->from > 0)
        al_param_int(p, f->from);
    else
        al_param_text(p, NULL);
    if (f->to > 0)
        al_param_int(p, f->to);
    else
        al_param_text(p, NULL);
    region_params(p, f->scope);
}

int
audit_store_list(struct al_db *db, struct al_arena *a, const struct audit_filter *f,
    json_t *items, int64_t *total)
{
    struct al_params p;
    list_params(&p, a, f);
    return al_db_page(db, &p, &list_sql, LIST_WHERE, f->limit, f->offset,
        &(struct al_rows){.cols = audit_cols}, items, total);
}

struct al_stmt *
audit_store_export_page(struct al_db *db, struct al_arena *a, const struct audit_filter *f,
    const char *after, int64_t limit)
{
    struct al_params p;
    list_params(&p, a, f);
    return al_db_keyset(db, &p, &list_sql, LIST_WHERE, "id", true, after, limit);
}
