#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/audit_int.h"
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

static int
append_locked(struct al_db *db, int64_t user_id, const char *username, const char *client_ip,
    const struct audit_entry *e)
{
    char prev[65] = "";
    int64_t id = 1;
    sqlite3_stmt *st = al_db_stmt(db, sql_last);
    if (!st)
        return AL_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0) + 1;
        snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(st, 1));
    } else {
        snprintf(prev, sizeof(prev), "%s", zero_hash);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return al_db_check(db, rc);

    char id_s[24], at_s[24], uid_s[24];
    snprintf(id_s, sizeof(id_s), "%" PRId64, id);
    snprintf(at_s, sizeof(at_s), "%lld", (long long)time(NULL));
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

    st = al_db_stmt(db, sql_insert);
    if (!st) {
        al_arena_fini(&a);
        return AL_EDB;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, at_s, -1, SQLITE_TRANSIENT);
    for (int i = 2; i < 11; i++)
        al_db_bind_text(st, i + 1, fields[i]);
    sqlite3_bind_text(st, 12, prev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 13, hash, -1, SQLITE_TRANSIENT);
    rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    al_arena_fini(&a);
    if (rc != AL_OK)
        return rc == AL_ECONFLICT ? AL_EDB : rc;

    char head[96];
    snprintf(head, sizeof(head), "%" PRId64 ":%s", id, hash);
    st = al_db_stmt(db, sql_head);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, head);
    rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    return rc;
}

int
audit_append_as(struct al_db *db, int64_t user_id, const char *username, const char *client_ip,
    const struct audit_entry *e)
{
    bool own_tx = sqlite3_get_autocommit(al_db_handle(db)) != 0;
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
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    al_db_bind_text(st, 2, action);
    sqlite3_bind_int64(st, 3, since);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : al_db_check(db, rc);
}

/* ---- verification ---- */

int
audit_verify(struct al_db *db, int64_t *count, int64_t *bad_id, char *msg, size_t msg_size)
{
    sqlite3_stmt *st = NULL;
    *count = 0;
    *bad_id = 0;
    int rc = sqlite3_prepare_v2(al_db_handle(db),
        "SELECT id, at, user_id, username, action, target_type, target_id, region_code,"
        " outcome, client_ip, detail, prev_hash, hash FROM audit_log ORDER BY id",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return AL_EDB;
    char prev[65];
    snprintf(prev, sizeof(prev), "%s", zero_hash);
    int64_t expect_id = 1;
    int result = AL_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *fields[11];
        for (int i = 0; i < 11; i++)
            fields[i] = (const char *)sqlite3_column_text(st, i);
        const char *stored_prev = (const char *)sqlite3_column_text(st, 11);
        const char *stored_hash = (const char *)sqlite3_column_text(st, 12);
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
    sqlite3_finalize(st);
    if (result != AL_OK)
        return result;
    if (rc != SQLITE_DONE)
        return AL_EDB;
    /* The head pointer catches entries removed from the end. */
    char head[96] = "";
    if (sqlite3_prepare_v2(al_db_handle(db), "SELECT value FROM settings WHERE key='audit_head'",
            -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(head, sizeof(head), "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
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

int
audit_store_list(struct al_db *db, struct al_arena *a, const struct audit_filter *f,
    json_t *items, int64_t *total)
{
    /* Optional filters: a NULL parameter matches everything. */
    static const char sql_count[] =
        "SELECT count(*) FROM audit_log WHERE"
        " ((?1 = '' ) OR (region_code >= ?9 AND region_code < ?10))"
        " AND (?2 IS NULL OR username = ?2 COLLATE NOCASE)"
        " AND (?3 IS NULL OR action = ?3 OR substr(action, 1, length(?3) + 1) = ?3 || '.')"
        " AND (?4 IS NULL OR outcome = ?4)"
        " AND (?5 IS NULL OR target_type = ?5)"
        " AND (?6 IS NULL OR target_id = ?6)"
        " AND (?7 IS NULL OR at >= ?7) AND (?8 IS NULL OR at < ?8)";
    static const char sql_page[] =
        "SELECT id, at, user_id, username, action, target_type, target_id, region_code,"
        " outcome, client_ip, detail FROM audit_log WHERE"
        " ((?1 = '' ) OR (region_code >= ?9 AND region_code < ?10))"
        " AND (?2 IS NULL OR username = ?2 COLLATE NOCASE)"
        " AND (?3 IS NULL OR action = ?3 OR substr(action, 1, length(?3) + 1) = ?3 || '.')"
        " AND (?4 IS NULL OR outcome = ?4)"
        " AND (?5 IS NULL OR target_type = ?5)"
        " AND (?6 IS NULL OR target_id = ?6)"
        " AND (?7 IS NULL OR at >= ?7) AND (?8 IS NULL OR at < ?8)"
        " ORDER BY id DESC LIMIT ?11 OFFSET ?12";
    char lo[16], hi[16];
    region_scope_bounds(f->scope, lo, hi);
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = al_db_stmt(db, pass == 0 ? sql_count : sql_page);
        if (!st)
            return AL_EDB;
        al_db_bind_text(st, 1, f->scope);
        al_db_bind_text(st, 2, f->username);
        al_db_bind_text(st, 3, f->action);
        al_db_bind_text(st, 4, f->outcome);
        al_db_bind_text(st, 5, f->target_type);
        al_db_bind_text(st, 6, f->target_id);
        if (f->from > 0)
            sqlite3_bind_int64(st, 7, f->from);
        if (f->to > 0)
            sqlite3_bind_int64(st, 8, f->to);
        al_db_bind_text(st, 9, lo);
        al_db_bind_text(st, 10, hi);
        if (pass == 1) {
            sqlite3_bind_int64(st, 11, f->limit);
            sqlite3_bind_int64(st, 12, f->offset);
        }
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass == 0) {
                *total = sqlite3_column_int64(st, 0);
                continue;
            }
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
            json_object_set_new(o, "at", json_string(al_json_time(a, sqlite3_column_int64(st, 1))));
            json_object_set_new(o, "user_id", sqlite3_column_type(st, 2) == SQLITE_NULL
                                                  ? json_null()
                                                  : json_integer(sqlite3_column_int64(st, 2)));
            static const char *names[] = {"username", "action", "target_type", "target_id",
                "region_code", "outcome", "client_ip"};
            for (int i = 0; i < 7; i++) {
                const char *v = (const char *)sqlite3_column_text(st, 3 + i);
                json_object_set_new(o, names[i], v ? json_string(v) : json_null());
            }
            const char *d = (const char *)sqlite3_column_text(st, 10);
            json_t *dj = d ? json_loads(d, 0, NULL) : NULL;
            json_object_set_new(o, "detail", dj ? dj : json_null());
            json_array_append_new(items, o);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return al_db_check(db, rc);
    }
    return AL_OK;
}
