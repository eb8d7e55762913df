/* The import module's SQL. */
#include <time.h>

#include "import/import_int.h"
#include "region/region.h"

int
import_store_create(struct al_db *db, const char *kind, const char *filename, const char *sha,
    const char *encoding, const char *stored_path, const char *region_code, int64_t user_id,
    const char *username, const char *unknown_json, bool partial, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO imports(kind, filename, file_sha256, encoding, stored_path, user_id, username,"
        " status, rows, accepted, rejected, unknown_columns, created_at, region_code, partial)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'validated', 0, 0, 0, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, kind);
    al_db_bind_text(st, 2, filename);
    al_db_bind_text(st, 3, sha);
    al_db_bind_text(st, 4, encoding);
    al_db_bind_text(st, 5, stored_path);
    if (user_id > 0)
        sqlite3_bind_int64(st, 6, user_id);
    al_db_bind_text(st, 7, username);
    al_db_bind_text(st, 8, unknown_json);
    sqlite3_bind_int64(st, 9, (int64_t)time(NULL));
    al_db_bind_text(st, 10, region_code ? region_code : "");
    sqlite3_bind_int(st, 11, partial);
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

int
import_store_sheet(struct al_db *db, int64_t import_id, const char *sheet, int header_row,
    const char *candidates_json, int64_t blank_rows)
{
    static const char sql[] = "UPDATE imports SET sheet = ?, header_row = ?, sheet_candidates = ?,"
                              " blank_rows = ? WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, sheet);
    sqlite3_bind_int(st, 2, header_row);
    al_db_bind_text(st, 3, candidates_json);
    sqlite3_bind_int64(st, 4, blank_rows);
    sqlite3_bind_int64(st, 5, import_id);
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    return rc;
}

int
import_store_error(struct al_db *db, int64_t import_id, int64_t line, const char *col,
    const char *reason)
{
    static const char sql[] =
        "INSERT INTO import_errors(import_id, line, col, reason) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, import_id);
    sqlite3_bind_int64(st, 2, line);
    al_db_bind_text(st, 3, col);
    al_db_bind_text(st, 4, reason);
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    return rc;
}

int
import_store_counts(struct al_db *db, int64_t import_id, int64_t rows, int64_t accepted,
    int64_t rejected, const char *summary_json, bool committed)
{
    static const char sql[] =
        "UPDATE imports SET rows = ?, accepted = ?, rejected = ?, summary = ?,"
        " status = CASE WHEN ? THEN 'committed' ELSE status END,"
        " committed_at = CASE WHEN ? THEN ? ELSE committed_at END WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, rows);
    sqlite3_bind_int64(st, 2, accepted);
    sqlite3_bind_int64(st, 3, rejected);
    al_db_bind_text(st, 4, summary_json);
    sqlite3_bind_int(st, 5, committed);
    sqlite3_bind_int(st, 6, committed);
    sqlite3_bind_int64(st, 7, (int64_t)time(NULL));
    sqlite3_bind_int64(st, 8, import_id);
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    return rc;
}

int
import_store_tally(struct al_db *db, int64_t import_id, int64_t omitted, const char *reasons_json)
{
    static const char sql[] = "UPDATE imports SET errors_omitted = ?, error_reasons = ? WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, omitted);
    al_db_bind_text(st, 2, reasons_json);
    sqlite3_bind_int64(st, 3, import_id);
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    return rc;
}

int
import_store_forget_file(struct al_db *db, int64_t import_id)
{
    static const char sql[] = "UPDATE imports SET stored_path = NULL WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, import_id);
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    return rc;
}

int
import_store_files(struct al_db *db, int64_t expired_before, json_t *ids, json_t *paths,
    json_t *stale)
{
    static const char sql[] =
        "SELECT id, stored_path, status = 'committed' OR created_at < ? FROM imports"
        " WHERE stored_path IS NOT NULL";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, expired_before);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(ids, json_integer(sqlite3_column_int64(st, 0)));
        json_array_append_new(paths, json_string((const char *)sqlite3_column_text(st, 1)));
        json_array_append_new(stale, json_boolean(sqlite3_column_int(st, 2)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
import_store_list(struct al_db *db, struct al_arena *a, const char *scope, json_t *items)
{
    static const char sql[] =
        "SELECT id, kind, filename, encoding, username, status, rows, accepted, rejected,"
        " summary, created_at, committed_at, partial, sheet, header_row, sheet_candidates,"
        " blank_rows FROM imports"
        " WHERE region_code >= ? AND region_code < ? ORDER BY id DESC LIMIT 100";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    al_db_bind_text(st, 1, lo);
    al_db_bind_text(st, 2, hi);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *sum = json_loads((const char *)sqlite3_column_text(st, 9), 0, NULL);
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:o, s:s}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "kind", sqlite3_column_text(st, 1),
            "filename", sqlite3_column_text(st, 2), "encoding", sqlite3_column_text(st, 3),
            "username", sqlite3_column_text(st, 4), "status", sqlite3_column_text(st, 5), "rows",
            (json_int_t)sqlite3_column_int64(st, 6), "accepted",
            (json_int_t)sqlite3_column_int64(st, 7), "rejected",
            (json_int_t)sqlite3_column_int64(st, 8), "summary", sum ? sum : json_object(),
            "created_at", al_json_time(a, sqlite3_column_int64(st, 10)));
        json_object_set_new(o, "committed_at",
            sqlite3_column_type(st, 11) == SQLITE_NULL
                ? json_null()
                : json_string(al_json_time(a, sqlite3_column_int64(st, 11))));
        json_object_set_new(o, "partial", json_boolean(sqlite3_column_int(st, 12)));
        /* RULE-IMPORT-019: which sheet and header row were read. */
        json_object_set_new(o, "sheet",
            sqlite3_column_type(st, 13) == SQLITE_NULL
                ? json_null()
                : json_string((const char *)sqlite3_column_text(st, 13)));
        json_object_set_new(o, "header_row", json_integer(sqlite3_column_int(st, 14)));
        json_t *cand = json_loads((const char *)sqlite3_column_text(st, 15), 0, NULL);
        json_object_set_new(o, "sheet_candidates", cand ? cand : json_array());
        json_object_set_new(o, "blank_rows", json_integer(sqlite3_column_int64(st, 16)));
        json_array_append_new(items, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
import_store_errors(struct al_db *db, int64_t import_id, json_t *items, int64_t limit)
{
    static const char sql[] = "SELECT line, col, reason FROM import_errors WHERE import_id = ?"
                              " ORDER BY line LIMIT ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, import_id);
    sqlite3_bind_int64(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s}", "line",
                                         (json_int_t)sqlite3_column_int64(st, 0), "column",
                                         sqlite3_column_text(st, 1), "reason",
                                         sqlite3_column_text(st, 2)));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
import_store_get(struct al_db *db, struct al_arena *a, int64_t id, struct import_record *r)
{
    static const char sql[] = "SELECT kind, status, stored_path, file_sha256, encoding, rows,"
                              " accepted, rejected, user_id, region_code, errors_omitted,"
                              " error_reasons, sheet FROM imports WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r->kind = al_db_col_text(a, st, 0);
        r->status = al_db_col_text(a, st, 1);
        r->stored_path = al_db_col_text(a, st, 2);
        r->sha = al_db_col_text(a, st, 3);
        r->encoding = al_db_col_text(a, st, 4);
        r->rows = sqlite3_column_int64(st, 5);
        r->accepted = sqlite3_column_int64(st, 6);
        r->rejected = sqlite3_column_int64(st, 7);
        r->user_id = sqlite3_column_int64(st, 8);
        r->region_code = al_db_col_text(a, st, 9);
        r->errors_omitted = sqlite3_column_int64(st, 10);
        r->error_reasons = al_db_col_text(a, st, 11);
        r->sheet = al_db_col_text(a, st, 12);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}
