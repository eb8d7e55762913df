/*
 * The import module's SQL, through db.h's engine-neutral calls: one text for
 * SQLite and PostgreSQL everywhere (docs/stores.md, RULE-DB-020).  Times are
 * computed here in C and bound, flags compared with `= 1`, the new id read
 * with RETURNING.
 */
#include <time.h>

#include "core/dbq.h"
#include "import/import_int.h"
#include "region/region.h"

static const char sql_create[] =
    "INSERT INTO imports(kind, filename, file_sha256, encoding, stored_path, user_id, username,"
    " status, rows, accepted, rejected, unknown_columns, created_at, region_code, partial)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, 'validated', 0, 0, 0, ?, ?, ?, ?) RETURNING id";

int
import_store_create(struct al_db *db, const char *kind, const char *filename, const char *sha,
                    const char *encoding, const char *stored_path, const char *region_code,
                    int64_t user_id, const char *username, const char *unknown_json, bool partial,
                    int64_t now, int64_t *id)
{
    struct al_stmt *st = al_db_sql(db, sql_create);
    al_stmt_bind_text(st, 1, kind);
    al_stmt_bind_text(st, 2, filename);
    al_stmt_bind_text(st, 3, sha);
    al_stmt_bind_text(st, 4, encoding);
    al_stmt_bind_text(st, 5, stored_path);
    if (user_id > 0)
        al_stmt_bind_int(st, 6, user_id);
    else
        al_stmt_bind_null(st, 6);
    al_stmt_bind_text(st, 7, username);
    al_stmt_bind_text(st, 8, unknown_json);
    al_stmt_bind_int(st, 9, now);
    al_stmt_bind_text(st, 10, region_code ? region_code : "");
    al_stmt_bind_int(st, 11, partial ? 1 : 0);
    *id = 0;
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

static const char sql_sheet[] = "UPDATE imports SET sheet = ?, header_row = ?,"
                                " sheet_candidates = ?, blank_rows = ? WHERE id = ?";

int
import_store_sheet(struct al_db *db, int64_t import_id, const char *sheet, int header_row,
                   const char *candidates_json, int64_t blank_rows)
{
    struct al_stmt *st = al_db_sql(db, sql_sheet);
    al_stmt_bind_text(st, 1, sheet);
    al_stmt_bind_int(st, 2, header_row);
    al_stmt_bind_text(st, 3, candidates_json);
    al_stmt_bind_int(st, 4, blank_rows);
    al_stmt_bind_int(st, 5, import_id);
    return al_stmt_run(st);
}

int
import_store_reasons(struct al_db *db, int64_t import_id, const struct import_reason *r, int n)
{
    if (n <= 0)
        return AL_OK;
    struct al_copy *cp = NULL;
    int rc = al_db_copy_begin(db, "import_errors", "import_id, line, pos, col, reason", &cp);
    for (int i = 0; rc == AL_OK && i < n; i++) {
        al_copy_int(cp, import_id);
        al_copy_int(cp, r[i].line);
        al_copy_int(cp, r[i].pos);
        al_copy_text(cp, r[i].col);
        al_copy_text(cp, r[i].reason);
        rc = al_copy_row(cp);
    }
    return cp ? al_copy_end(cp, rc) : rc;
}

static const char sql_counts[] =
    "UPDATE imports SET rows = ?1, accepted = ?2, rejected = ?3, summary = ?4,"
    " status = CASE WHEN ?5 = 1 THEN 'committed' ELSE status END,"
    " committed_at = CASE WHEN ?5 = 1 THEN ?6 ELSE committed_at END WHERE id = ?7";

/*
 * RULE-DB-141: a bulk import on PostgreSQL writes with the list triggers standing aside
 * (anlao.bulk, elder_bulk_begin) and moves the list generation once, here, its last statement
 * before the commit: the row is held for the commit alone, not the whole import.
 */
static const char sql_bulk_bump[] = "UPDATE list_gen SET gen = gen + 1 WHERE id = 1";

int
import_store_counts(struct al_db *db, int64_t import_id, int64_t rows, int64_t accepted,
                    int64_t rejected, const char *summary_json, bool committed, int64_t now)
{
    if (committed && al_db_is_pg(db)) {
        int rc = al_stmt_run(al_db_sql(db, sql_bulk_bump));
        if (rc != AL_OK)
            return rc;
    }
    struct al_stmt *st = al_db_sql(db, sql_counts);
    al_stmt_bind_int(st, 1, rows);
    al_stmt_bind_int(st, 2, accepted);
    al_stmt_bind_int(st, 3, rejected);
    al_stmt_bind_text(st, 4, summary_json);
    al_stmt_bind_int(st, 5, committed ? 1 : 0);
    al_stmt_bind_int(st, 6, now);
    al_stmt_bind_int(st, 7, import_id);
    return al_stmt_run(st);
}

static const char sql_tally[] =
    "UPDATE imports SET errors_omitted = ?, error_reasons = ? WHERE id = ?";

int
import_store_tally(struct al_db *db, int64_t import_id, int64_t omitted, const char *reasons_json)
{
    struct al_stmt *st = al_db_sql(db, sql_tally);
    al_stmt_bind_int(st, 1, omitted);
    al_stmt_bind_text(st, 2, reasons_json);
    al_stmt_bind_int(st, 3, import_id);
    return al_stmt_run(st);
}

static const char sql_forget[] = "UPDATE imports SET stored_path = NULL WHERE id = ?";

int
import_store_forget_file(struct al_db *db, int64_t import_id)
{
    struct al_stmt *st = al_db_sql(db, sql_forget);
    al_stmt_bind_int(st, 1, import_id);
    return al_stmt_run(st);
}

/* The third column is a comparison: 0/1 on SQLite, a boolean (t/f) on PostgreSQL; al_stmt_int reads
 * both. */
static const char sql_files[] =
    "SELECT id, stored_path, CASE WHEN status = 'committed' OR created_at < ? THEN 1 ELSE 0 END"
    " FROM imports WHERE stored_path IS NOT NULL ORDER BY id";

int
import_store_files(struct al_db *db, int64_t expired_before, json_t *ids, json_t *paths,
                   json_t *stale)
{
    struct al_stmt *st = al_db_sql(db, sql_files);
    al_stmt_bind_int(st, 1, expired_before);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        json_array_append_new(ids, json_integer(al_stmt_int(st, 0)));
        json_array_append_new(paths, json_string(al_stmt_text(st, 1)));
        json_array_append_new(stale, json_boolean(al_stmt_int(st, 2) == 1));
    }
    return rc;
}

/* A JSON text column parsed, or `fallback` (a new value) when it does not parse. */
static json_t *
json_col(struct al_stmt *st, int col, json_t *fallback)
{
    const char *t = al_stmt_text(st, col);
    json_t *j = t ? json_loadb(t, al_stmt_len(st, col), 0, NULL) : NULL;
    if (!j)
        return fallback;
    json_decref(fallback);
    return j;
}

static json_t *
time_col(struct al_arena *a, struct al_stmt *st, int col)
{
    return al_stmt_null(st, col) ? json_null() : json_string(al_json_time(a, al_stmt_int(st, col)));
}

static const char sql_list[] =
    "SELECT id, kind, filename, encoding, username, status, rows, accepted, rejected,"
    " summary, created_at, committed_at, partial, sheet, header_row, sheet_candidates,"
    " blank_rows FROM imports"
    " WHERE region_code >= ? AND region_code < ? ORDER BY id DESC LIMIT 100";

int
import_store_list(struct al_db *db, struct al_arena *a, const char *scope, json_t *items,
    int64_t *total)
{
    int rc = import_store_count(db, scope, total); /* RULE-DB-116: scoped like the list */
    if (rc != AL_OK)
        return rc;
    struct al_stmt *st = al_db_sql(db, sql_list);
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    al_stmt_bind_text(st, 1, lo);
    al_stmt_bind_text(st, 2, hi);
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        json_t *o = json_pack(
            "{s:I, s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:o, s:o, s:o}", "id",
            (json_int_t)al_stmt_int(st, 0), "kind", al_stmt_text(st, 1), "filename",
            al_stmt_text(st, 2), "encoding", al_stmt_text(st, 3), "username", al_stmt_text(st, 4),
            "status", al_stmt_text(st, 5), "rows", (json_int_t)al_stmt_int(st, 6), "accepted",
            (json_int_t)al_stmt_int(st, 7), "rejected", (json_int_t)al_stmt_int(st, 8), "summary",
            json_col(st, 9, json_object()), "created_at", time_col(a, st, 10), "committed_at",
            time_col(a, st, 11));
        json_object_set_new(o, "partial", json_boolean(al_stmt_int(st, 12) == 1));
        /* RULE-IMPORT-019: which sheet and header row were read. */
        const char *sheet = al_stmt_text(st, 13);
        json_object_set_new(o, "sheet", sheet ? json_string(sheet) : json_null());
        json_object_set_new(o, "header_row", json_integer(al_stmt_int(st, 14)));
        json_object_set_new(o, "sheet_candidates", json_col(st, 15, json_array()));
        json_object_set_new(o, "blank_rows", json_integer(al_stmt_int(st, 16)));
        json_array_append_new(items, o);
    }
    return rc;
}

int
import_store_count(struct al_db *db, const char *scope, int64_t *n)
{
    static const char sql[] = "SELECT count(*) FROM imports WHERE region_code >= ? AND"
                              " region_code < ?";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    return al_stmt_int64(st, n);
}

struct al_stmt *
import_store_export_page(struct al_db *db, const char *scope, const char *after, int64_t limit)
{
    static const char sql[] =
        "SELECT id, kind, filename, username, status, rows, accepted, rejected, created_at,"
        " committed_at, partial FROM imports WHERE region_code >= ?1 AND region_code < ?2"
        " AND (CAST(?3 AS INTEGER) IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return NULL;
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(0), AL_I(limit));
    if (after)
        al_stmt_bind_int(st, 3, atoll(after));
    else
        al_stmt_bind_null(st, 3);
    return st;
}

/* RULE-DB-021: a line's reasons in the order they were found (pos), on both engines. */
static const char sql_errors[] = "SELECT line, col, reason FROM import_errors"
                                 " WHERE import_id = ? ORDER BY line, pos LIMIT ?";

int
import_store_errors(struct al_db *db, int64_t import_id, json_t *items, int64_t limit)
{
    struct al_stmt *st = al_db_sql(db, sql_errors);
    al_stmt_bind_int(st, 1, import_id);
    al_stmt_bind_int(st, 2, limit);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s}", "line",
                                               (json_int_t)al_stmt_int(st, 0), "column",
                                               al_stmt_text(st, 1), "reason", al_stmt_text(st, 2)));
    return rc;
}

static const char sql_get[] = "SELECT kind, status, stored_path, file_sha256, encoding, rows,"
                              " accepted, rejected, user_id, region_code, errors_omitted,"
                              " error_reasons, sheet FROM imports WHERE id = ?";

int
import_store_get(struct al_db *db, struct al_arena *a, int64_t id, struct import_record *r)
{
    struct al_stmt *st = al_db_sql(db, sql_get);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    r->kind = al_stmt_dup(a, st, 0);
    r->status = al_stmt_dup(a, st, 1);
    r->stored_path = al_stmt_dup(a, st, 2);
    r->sha = al_stmt_dup(a, st, 3);
    r->encoding = al_stmt_dup(a, st, 4);
    r->rows = al_stmt_int(st, 5);
    r->accepted = al_stmt_int(st, 6);
    r->rejected = al_stmt_int(st, 7);
    r->user_id = al_stmt_int(st, 8);
    r->region_code = al_stmt_dup(a, st, 9);
    r->errors_omitted = al_stmt_int(st, 10);
    r->error_reasons = al_stmt_dup(a, st, 11);
    r->sheet = al_stmt_dup(a, st, 12);
    al_stmt_reset(st);
    return AL_OK;
}
