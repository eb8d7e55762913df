/*
 * Home services: the reason and resolution codes of a manual fix as a table (svc_fix_codes,
 * migration 071, RULE-SVC-194..196), both engines.  Contracts in service_int.h.
 */
#include <string.h>

#include "core/dbq.h"
#include "service/service_int.h"

static const struct al_col code_cols[] = {AL_COL(0, "kind", AL_COL_TEXT),
    AL_COL(1, "code", AL_COL_TEXT), AL_COL(2, "name", AL_COL_TEXT),
    AL_COL(3, "payable", AL_COL_BOOL), AL_COL(4, "active", AL_COL_BOOL),
    AL_COL(5, "in_use", AL_COL_INT), AL_COL(6, "created_by", AL_COL_TEXT),
    AL_COL(7, "created_at", AL_COL_TIME), AL_COL_END};

int
service_store_fix_codes(struct al_db *db, struct al_arena *a, const char *kind, json_t *items)
{
    static const char sql[] =
        "SELECT c.kind, c.code, c.name, c.payable, c.active,"
        " (SELECT count(*) FROM svc_visit_fixes f WHERE (c.kind = 'reason'"
        "  AND f.reason_code = c.code) OR (c.kind = 'resolution' AND f.resolution_code = c.code)),"
        " c.created_by, c.created_at FROM svc_fix_codes c WHERE c.kind = ?"
        " ORDER BY c.active DESC, c.sort, c.code";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, kind);
    return al_db_rows(st, a, &(struct al_rows){.cols = code_cols}, items);
}

int
service_store_fix_code(struct al_db *db, struct al_arena *a, const char *kind, const char *code,
    struct svc_fix_code *out)
{
    static const char sql[] =
        "SELECT c.name, c.payable, c.active, (SELECT count(*) FROM svc_visit_fixes f"
        "  WHERE (c.kind = 'reason' AND f.reason_code = c.code)"
        "  OR (c.kind = 'resolution' AND f.resolution_code = c.code))"
        " FROM svc_fix_codes c WHERE c.kind = ? AND c.code = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(kind), AL_T(code));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        out->name = al_stmt_dup(a, st, 0);
        out->payable = al_stmt_int(st, 1) != 0;
        out->active = al_stmt_int(st, 2) != 0;
        out->in_use = al_stmt_int(st, 3);
        al_stmt_reset(st);
    }
    return rc;
}

int
service_store_fix_codes_hint(struct al_db *db, struct al_arena *a, const char *kind,
    const char **hint)
{
    struct al_stmt *st = al_db_sql(db, "SELECT code, name FROM svc_fix_codes"
                                       " WHERE kind = ? AND active = 1 ORDER BY sort, code");
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, kind);
    const char *s = "";
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        s = al_arena_printf(a, "%s%s%s（%s）", s, *s ? "、" : "", al_stmt_text(st, 0),
            al_stmt_text(st, 1));
    *hint = s;
    return rc;
}

int
service_store_fix_code_add(struct al_db *db, const char *kind, const char *code,
    const char *name, bool payable, const char *by, int64_t now)
{
    static const char sql[] =
        "INSERT INTO svc_fix_codes(kind, code, name, payable, active, sort, created_by,"
        " created_at) VALUES (?1, ?2, ?3, ?4, 1, (SELECT coalesce(max(sort), 0) + 1"
        " FROM svc_fix_codes WHERE kind = ?1), ?5, ?6) ON CONFLICT DO NOTHING";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(kind), AL_T(code), AL_T(name), AL_I(payable ? 1 : 0), AL_T(by),
        AL_I(now));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) != 1)
        rc = AL_ECONFLICT; /* the code is there already */
    return rc;
}

int
service_store_fix_code_set(struct al_db *db, const char *kind, const char *code, bool active)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE svc_fix_codes SET active = ?"
                                       " WHERE kind = ? AND code = ? AND active <> ?");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(active ? 1 : 0), AL_T(kind), AL_T(code), AL_I(active ? 1 : 0));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) != 1)
        rc = AL_ECONFLICT; /* changed meanwhile */
    return rc;
}

int
service_store_fix_code_delete(struct al_db *db, const char *kind, const char *code)
{
    /* RULE-SVC-195: only a code no fix uses (checked again in the statement). */
    static const char sql[] =
        "DELETE FROM svc_fix_codes WHERE kind = ?1 AND code = ?2 AND NOT EXISTS (SELECT 1"
        " FROM svc_visit_fixes f WHERE (?1 = 'reason' AND f.reason_code = ?2)"
        " OR (?1 = 'resolution' AND f.resolution_code = ?2))";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(kind), AL_T(code));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) != 1)
        rc = AL_ECONFLICT;
    return rc;
}
