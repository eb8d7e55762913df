/* The assess module's SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess/assess.h"
#include "assess/assess_int.h"
#include "core/json.h"
#include "region/region.h"

int
assess_settings_load(struct al_db *db, struct assess_settings *s)
{
    static const char sql[] = "SELECT key, value FROM settings WHERE key LIKE 'assess.%'";
    *s = (struct assess_settings){.coma_level = 4, .adjust_stack = false, .validity_months = 12,
        .assessors = 2};
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        int v = atoi((const char *)sqlite3_column_text(st, 1));
        if (!strcmp(k, "assess.coma_level") && v >= 0 && v <= 4)
            s->coma_level = v;
        else if (!strcmp(k, "assess.adjust_stack"))
            s->adjust_stack = v != 0;
        else if (!strcmp(k, "assess.validity_months") && v >= 1 && v <= 60)
            s->validity_months = v;
        else if (!strcmp(k, "assess.assessors_required") && v >= 1 && v <= 5)
            s->assessors = v;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

static int
step_done(struct al_db *db, sqlite3_stmt *st)
{
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    return rc;
}

/* Bind the form part of a record (parameters 1..14 of both the INSERT and the UPDATE). */
static void
bind_form(sqlite3_stmt *st, const struct assess_record *rec)
{
    json_t *domains = NULL, *rules = json_array();
    if (rec->computed && !rec->coma) {
        domains = json_array();
        for (int i = 0; i < ASSESS_DOMAINS; i++)
            json_array_append_new(domains, json_integer(rec->result.domain[i]));
    }
    for (int i = 0; rec->computed && i < rec->result.nrules; i++)
        json_array_append_new(rules, json_string(rec->result.rules[i]));
    al_db_bind_text(st, 1, rec->reason);
    al_db_bind_json(st, 2, rec->coma ? NULL : rec->items);
    sqlite3_bind_int(st, 3, rec->coma);
    /* What the form leaves out is stored as empty, never NULL. */
    json_t *js[] = {rec->diagnoses, rec->risks, rec->health, rec->needs};
    static const char *const empty[] = {"[]", "{}", "{}", "{}"};
    for (int i = 0; i < 4; i++) {
        if (js[i])
            al_db_bind_json(st, 4 + i, js[i]);
        else
            al_db_bind_text(st, 4 + i, empty[i]);
    }
    al_db_bind_text(st, 8, rec->organisation);
    al_db_bind_text(st, 9, rec->place);
    al_db_bind_text(st, 10, rec->assessed_on);
    if (rec->computed && !rec->coma)
        sqlite3_bind_int(st, 11, rec->result.total);
    al_db_bind_json(st, 12, domains);
    if (rec->computed) {
        sqlite3_bind_int(st, 13, rec->result.preliminary);
        sqlite3_bind_int(st, 14, rec->result.final);
    }
    al_db_bind_json(st, 15, rules);
    json_decref(domains);
    json_decref(rules);
}

int
assess_store_insert(struct al_db *db, const struct assess_record *rec, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO assessments(reason, items, coma, diagnoses, risk_events, health, needs,"
        " organisation, place, assessed_on, total, domain_scores, preliminary_level, final_level,"
        " rules, elder_id, region_code, request_id, supersedes_id, created_by, created_at,"
        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16, ?17, ?18, ?19, ?20, ?21, ?21)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    bind_form(st, rec);
    sqlite3_bind_int64(st, 16, rec->elder_id);
    al_db_bind_text(st, 17, rec->region_code);
    if (rec->request_id)
        sqlite3_bind_int64(st, 18, rec->request_id);
    if (rec->supersedes_id)
        sqlite3_bind_int64(st, 19, rec->supersedes_id);
    sqlite3_bind_int64(st, 20, rec->user_id);
    sqlite3_bind_int64(st, 21, now);
    int rc = step_done(db, st);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

int
assess_store_update_form(struct al_db *db, int64_t id, int64_t version,
    const struct assess_record *rec, int64_t now, bool *changed)
{
    static const char sql[] =
        "UPDATE assessments SET reason = ?1, items = ?2, coma = ?3, diagnoses = ?4,"
        " risk_events = ?5, health = ?6, needs = ?7, organisation = ?8, place = ?9,"
        " assessed_on = ?10, total = ?11, domain_scores = ?12, preliminary_level = ?13,"
        " final_level = ?14, rules = ?15, updated_at = ?16, version = version + 1"
        " WHERE id = ?17 AND version = ?18 AND status = 'draft' AND (reason IS NOT ?1"
        " OR items IS NOT ?2 OR coma IS NOT ?3 OR diagnoses IS NOT ?4 OR risk_events IS NOT ?5"
        " OR health IS NOT ?6 OR needs IS NOT ?7 OR organisation IS NOT ?8 OR place IS NOT ?9"
        " OR assessed_on IS NOT ?10)";
    static const char sql_same[] =
        "SELECT 1 FROM assessments WHERE id = ? AND version = ? AND status = 'draft'";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    bind_form(st, rec);
    sqlite3_bind_int64(st, 16, now);
    sqlite3_bind_int64(st, 17, id);
    sqlite3_bind_int64(st, 18, version);
    int rc = step_done(db, st);
    if (rc != AL_OK || sqlite3_changes(al_db_handle(db)) == 1) {
        *changed = rc == AL_OK;
        return rc;
    }
    /* Nothing written: the same form again (no change), or a stale version. */
    *changed = false;
    if (!(st = al_db_stmt(db, sql_same)))
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, version);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ECONFLICT : al_db_check(db, rc);
}

int
assess_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct assess_row *row)
{
    static const char sql[] =
        "SELECT id, elder_id, region_code, status, version, reason, created_by,"
        " coalesce(supersedes_id, 0), coalesce(request_id, 0), final_level, assessed_on,"
        " coma OR items IS NOT NULL AND NOT EXISTS (SELECT 1 FROM json_each(items)"
        "   WHERE type = 'null'),"
        " items, diagnoses, risk_events, health, needs, organisation, place, coma"
        " FROM assessments WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row->id = sqlite3_column_int64(st, 0);
        row->elder_id = sqlite3_column_int64(st, 1);
        row->region_code = al_db_col_text(a, st, 2);
        row->status = al_db_col_text(a, st, 3);
        row->version = sqlite3_column_int64(st, 4);
        row->reason = al_db_col_text(a, st, 5);
        row->created_by = sqlite3_column_int64(st, 6);
        row->supersedes_id = sqlite3_column_int64(st, 7);
        row->request_id = sqlite3_column_int64(st, 8);
        row->final_level = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 9);
        row->assessed_on = al_db_col_text(a, st, 10);
        row->complete = sqlite3_column_int(st, 11) != 0;
        row->coma = sqlite3_column_int(st, 19) != 0;
        row->form_json = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "items",
            al_db_col_text(a, st, 12), "diagnoses", al_db_col_text(a, st, 13), "risk_events",
            al_db_col_text(a, st, 14), "health", al_db_col_text(a, st, 15), "needs",
            al_db_col_text(a, st, 16), "organisation", al_db_col_text(a, st, 17), "place",
            al_db_col_text(a, st, 18));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
assess_store_set_status(struct al_db *db, int64_t id, int64_t version, const char *status,
    const struct assess_status_extra *x, int64_t now)
{
    static const char sql[] =
        "UPDATE assessments SET status = ?1, updated_at = ?2, version = version + 1,"
        " review_note = coalesce(?3, review_note), published_at = coalesce(?4, published_at),"
        " valid_until = coalesce(?5, valid_until),"
        " disputed_reason = coalesce(?6, disputed_reason)"
        " WHERE id = ?7 AND (?8 < 0 OR version = ?8)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, now);
    if (x) {
        al_db_bind_text(st, 3, x->review_note);
        if (x->published)
            sqlite3_bind_int64(st, 4, now);
        al_db_bind_text(st, 5, x->valid_until);
        al_db_bind_text(st, 6, x->disputed_reason);
    }
    sqlite3_bind_int64(st, 7, id);
    sqlite3_bind_int64(st, 8, version);
    int rc = step_done(db, st);
    if (rc == AL_OK && sqlite3_changes(al_db_handle(db)) == 0)
        return AL_ECONFLICT;
    return rc;
}

int
assess_store_event(struct al_db *db, int64_t id, const char *action, int64_t user_id,
    const char *username, const char *note, int64_t now)
{
    static const char sql[] = "INSERT INTO assessment_events(assessment_id, action, user_id,"
                              " username, at, note) VALUES (?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    al_db_bind_text(st, 2, action);
    if (user_id > 0)
        sqlite3_bind_int64(st, 3, user_id);
    al_db_bind_text(st, 4, username);
    sqlite3_bind_int64(st, 5, now);
    al_db_bind_text(st, 6, note);
    return step_done(db, st);
}

/* ---- signatures and qualifications ---- */

int
assess_store_qualification(struct al_db *db, struct al_arena *a, int64_t user_id,
    const char **certificate_no, const char **expires_on)
{
    static const char sql[] =
        "SELECT certificate_no, expires_on FROM assessor_qualifications WHERE user_id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    *certificate_no = *expires_on = NULL;
    if (rc == SQLITE_ROW) {
        *certificate_no = al_db_col_text(a, st, 0);
        *expires_on = al_db_col_text(a, st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
assess_store_qualify(struct al_db *db, int64_t user_id, const char *certificate_no,
    const char *organisation, const char *expires_on, int64_t by, int64_t now)
{
    static const char sql[] =
        "INSERT INTO assessor_qualifications(user_id, certificate_no, organisation, expires_on,"
        " updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT(user_id) DO UPDATE SET certificate_no = ?2, organisation = ?3,"
        " expires_on = ?4, updated_by = ?5, updated_at = ?6";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    al_db_bind_text(st, 2, certificate_no);
    al_db_bind_text(st, 3, organisation);
    al_db_bind_text(st, 4, expires_on);
    sqlite3_bind_int64(st, 5, by);
    sqlite3_bind_int64(st, 6, now);
    return step_done(db, st);
}

int
assess_store_assessors(struct al_db *db, struct al_arena *a, const char *scope,
    const char *today, json_t *items)
{
    static const char sql[] =
        "SELECT u.id, u.username, u.display_name, u.region_code, q.certificate_no,"
        " q.organisation, q.expires_on FROM users u"
        " JOIN role_permissions p ON p.role_id = u.role_id AND p.permission_id = 'assess.create'"
        " LEFT JOIN assessor_qualifications q ON q.user_id = u.id"
        " WHERE u.status = 'active' AND u.role_id != 'admin'"
        " AND u.region_code >= ?1 AND u.region_code < ?2 ORDER BY u.region_code, u.id";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, lo);
    al_db_bind_text(st, 2, hi);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *expires = al_db_col_text(a, st, 6);
        json_array_append_new(items,
            json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:b, s:b}", "id",
                (json_int_t)sqlite3_column_int64(st, 0), "username", sqlite3_column_text(st, 1),
                "display_name", sqlite3_column_text(st, 2), "region_code",
                sqlite3_column_text(st, 3), "certificate_no", sqlite3_column_text(st, 4),
                "organisation", sqlite3_column_text(st, 5), "expires_on", expires, "qualified",
                assess_qualified(expires, today), "expired",
                expires && !assess_qualified(expires, today)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
assess_store_sign(struct al_db *db, int64_t id, int64_t user_id, const char *certificate_no,
    int64_t now)
{
    static const char sql[] = "INSERT INTO assessment_signatures(assessment_id, user_id,"
                              " certificate_no, signed_at) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, user_id);
    al_db_bind_text(st, 3, certificate_no);
    sqlite3_bind_int64(st, 4, now);
    return step_done(db, st); /* a second signature by the same user: AL_ECONFLICT */
}

int
assess_store_signed(struct al_db *db, int64_t id, int64_t user_id, int *count, bool *by_user)
{
    static const char sql[] = "SELECT count(*), coalesce(sum(user_id = ?2), 0)"
                              " FROM assessment_signatures WHERE assessment_id = ?1";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int(st, 0);
        *by_user = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : al_db_check(db, rc);
}

int
assess_store_clear_signatures(struct al_db *db, int64_t id)
{
    static const char sql[] = "DELETE FROM assessment_signatures WHERE assessment_id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    return step_done(db, st);
}

/* ---- publishing, disputes, requests ---- */

int
assess_store_supersede(struct al_db *db, int64_t elder_id, int64_t keep_id, int64_t user_id,
    const char *username, int64_t now)
{
    static const char sql_ids[] =
        "SELECT id FROM assessments WHERE elder_id = ? AND id != ?"
        " AND (status = 'published' OR status = 'disputed')";
    sqlite3_stmt *st = al_db_stmt(db, sql_ids);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    sqlite3_bind_int64(st, 2, keep_id);
    int64_t ids[64];
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 64)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return al_db_check(db, rc);
    char note[48];
    snprintf(note, sizeof(note), "由评估 #%lld 取代", (long long)keep_id);
    for (int i = 0; i < n; i++) {
        rc = assess_store_set_status(db, ids[i], -1, "superseded", NULL, now);
        if (rc == AL_OK)
            rc = assess_store_event(db, ids[i], "supersede", user_id, username, note, now);
        if (rc != AL_OK)
            return rc;
    }
    return AL_OK;
}

int
assess_store_later_result(struct al_db *db, struct al_arena *a, int64_t elder_id, int64_t id,
    const char *assessed_on, int64_t *later_id, const char **later_on)
{
    static const char sql[] =
        "SELECT id, assessed_on FROM assessments WHERE elder_id = ?1 AND id != ?2"
        " AND (status = 'published' OR status = 'disputed') AND assessed_on > ?3"
        " ORDER BY assessed_on DESC, id DESC LIMIT 1";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    sqlite3_bind_int64(st, 2, id);
    al_db_bind_text(st, 3, assessed_on);
    int rc = sqlite3_step(st);
    *later_id = 0;
    *later_on = NULL;
    if (rc == SQLITE_ROW) {
        *later_id = sqlite3_column_int64(st, 0);
        *later_on = al_db_col_text(a, st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
assess_store_request_create(struct al_db *db, const struct assess_request *q, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO assessment_requests(elder_id, region_code, reason, source, note,"
        " disputed_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, q->elder_id);
    al_db_bind_text(st, 2, q->region_code);
    al_db_bind_text(st, 3, q->reason);
    al_db_bind_text(st, 4, q->source);
    al_db_bind_text(st, 5, q->note);
    if (q->disputed_id)
        sqlite3_bind_int64(st, 6, q->disputed_id);
    if (q->user_id > 0)
        sqlite3_bind_int64(st, 7, q->user_id);
    sqlite3_bind_int64(st, 8, now);
    int rc = step_done(db, st);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

int
assess_store_request_get(struct al_db *db, struct al_arena *a, int64_t id,
    struct assess_request *q, const char **status)
{
    static const char sql[] =
        "SELECT elder_id, region_code, reason, source, coalesce(disputed_id, 0), status"
        " FROM assessment_requests WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        q->elder_id = sqlite3_column_int64(st, 0);
        q->region_code = al_db_col_text(a, st, 1);
        q->reason = al_db_col_text(a, st, 2);
        q->source = al_db_col_text(a, st, 3);
        q->disputed_id = sqlite3_column_int64(st, 4);
        *status = al_db_col_text(a, st, 5);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
assess_store_request_done(struct al_db *db, int64_t request_id, int64_t assessment_id,
    int64_t now)
{
    static const char sql[] = "UPDATE assessment_requests SET status = 'done',"
                              " done_by_assessment = ?, done_at = ? WHERE id = ? AND status = 'open'";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, assessment_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, request_id);
    return step_done(db, st);
}

int
assess_store_requests(struct al_db *db, struct al_arena *a, const char *scope, const char *status,
    bool active_only, json_t *items)
{
    static const char sql[] =
        "SELECT q.id, q.elder_id, e.name, q.region_code, g.name, q.reason, q.source, q.note,"
        " q.disputed_id, q.status, q.created_at, q.done_by_assessment"
        " FROM assessment_requests q JOIN elders e ON e.id = q.elder_id"
        " LEFT JOIN regions g ON g.code = q.region_code"
        " WHERE q.region_code >= ?1 AND q.region_code < ?2 AND (?3 IS NULL OR q.status = ?3)"
        " AND (?4 = 0 OR e.status = 'active')"
        " ORDER BY q.status DESC, q.id DESC LIMIT 500";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, lo);
    al_db_bind_text(st, 2, hi);
    al_db_bind_text(st, 3, status);
    sqlite3_bind_int(st, 4, active_only);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "elder_id",
            (json_int_t)sqlite3_column_int64(st, 1), "elder_name", sqlite3_column_text(st, 2),
            "region_code", sqlite3_column_text(st, 3), "region_name", sqlite3_column_text(st, 4),
            "reason", sqlite3_column_text(st, 5), "source", sqlite3_column_text(st, 6), "note",
            sqlite3_column_text(st, 7), "status", sqlite3_column_text(st, 9));
        json_object_set_new(o, "disputed_id", sqlite3_column_type(st, 8) == SQLITE_NULL
                                                  ? json_null()
                                                  : json_integer(sqlite3_column_int64(st, 8)));
        json_object_set_new(o, "created_at", json_string(al_json_time(a, sqlite3_column_int64(st, 10))));
        json_object_set_new(o, "assessment_id", sqlite3_column_type(st, 11) == SQLITE_NULL
                                                    ? json_null()
                                                    : json_integer(sqlite3_column_int64(st, 11)));
        json_array_append_new(items, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

/* The users who signed assessment `id` (for "different assessors" on a re-assessment). */
int
assess_store_signed_by(struct al_db *db, int64_t id, int64_t user_id, bool *signed_it)
{
    int count = 0;
    return assess_store_signed(db, id, user_id, &count, signed_it);
}

/* ---- reading ---- */

static json_t *
loads_or_null(const char *t)
{
    json_t *v = t ? json_loads(t, 0, NULL) : NULL;
    return v ? v : json_null();
}

/* Domain scores as stored (array) → {name: score}. */
static json_t *
domains_object(const char *t)
{
    json_t *arr = t ? json_loads(t, 0, NULL) : NULL;
    if (!json_is_array(arr)) {
        json_decref(arr);
        return json_null();
    }
    json_t *o = json_object();
    for (size_t i = 0; i < ASSESS_DOMAINS && i < json_array_size(arr); i++)
        json_object_set(o, assess_domain_names[i], json_array_get(arr, i));
    json_decref(arr);
    return o;
}

#define RECORD_COLS                                                                            \
    "s.id, s.elder_id, e.name, s.region_code, s.scale, s.reason, s.status, s.items, s.coma,"   \
    " s.diagnoses, s.risk_events, s.health, s.needs, s.organisation, s.place, s.assessed_on,"  \
    " s.total, s.domain_scores, s.preliminary_level, s.final_level, s.rules,"                  \
    " s.published_at, s.valid_until, s.supersedes_id, s.disputed_reason, s.review_note,"       \
    " s.request_id, s.version, u.display_name, s.created_at"
#define RECORD_FROM                                                                            \
    " FROM assessments s JOIN elders e ON e.id = s.elder_id JOIN users u ON u.id = s.created_by"

/* One record from a row of RECORD_COLS: the full shape, or the level only. */
static json_t *
record_json(struct al_arena *a, sqlite3_stmt *st, bool full)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "elder_id", json_integer(sqlite3_column_int64(st, 1)));
    json_object_set_new(o, "elder_name", json_string((const char *)sqlite3_column_text(st, 2)));
    json_object_set_new(o, "scale", json_string((const char *)sqlite3_column_text(st, 4)));
    const char *status = (const char *)sqlite3_column_text(st, 6);
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "status_name", json_string(assess_status_name(status)));
    const char *on = (const char *)sqlite3_column_text(st, 15);
    json_object_set_new(o, "assessed_on", on ? json_string(on) : json_null());
    bool has_level = sqlite3_column_type(st, 19) != SQLITE_NULL;
    int fin = sqlite3_column_int(st, 19);
    json_object_set_new(o, "final_level", has_level ? json_integer(fin) : json_null());
    json_object_set_new(o, "final_level_name",
        has_level ? json_string(assess_level_names[fin]) : json_null());
    const char *until = (const char *)sqlite3_column_text(st, 22);
    json_object_set_new(o, "valid_until", until ? json_string(until) : json_null());
    if (!full)
        return o;
    json_object_set_new(o, "region_code", json_string((const char *)sqlite3_column_text(st, 3)));
    json_object_set_new(o, "reason", json_string((const char *)sqlite3_column_text(st, 5)));
    json_object_set_new(o, "items", loads_or_null((const char *)sqlite3_column_text(st, 7)));
    json_object_set_new(o, "coma", json_boolean(sqlite3_column_int(st, 8)));
    json_object_set_new(o, "diagnoses", loads_or_null((const char *)sqlite3_column_text(st, 9)));
    json_object_set_new(o, "risk_events", loads_or_null((const char *)sqlite3_column_text(st, 10)));
    json_object_set_new(o, "health", loads_or_null((const char *)sqlite3_column_text(st, 11)));
    json_object_set_new(o, "needs", loads_or_null((const char *)sqlite3_column_text(st, 12)));
    static const struct {
        int col;
        const char *key;
    } texts[] = {{13, "organisation"}, {14, "place"}, {24, "disputed_reason"},
        {25, "review_note"}};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *t = (const char *)sqlite3_column_text(st, texts[i].col);
        json_object_set_new(o, texts[i].key, t ? json_string(t) : json_null());
    }
    json_object_set_new(o, "total", sqlite3_column_type(st, 16) == SQLITE_NULL
                                        ? json_null()
                                        : json_integer(sqlite3_column_int(st, 16)));
    json_object_set_new(o, "domain_scores", domains_object((const char *)sqlite3_column_text(st, 17)));
    json_object_set_new(o, "preliminary_level", sqlite3_column_type(st, 18) == SQLITE_NULL
                                                    ? json_null()
                                                    : json_integer(sqlite3_column_int(st, 18)));
    json_t *ids = loads_or_null((const char *)sqlite3_column_text(st, 20));
    json_t *rules = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
        json_array_append_new(rules, json_pack("{s:s, s:s}", "id", json_string_value(v), "text",
                                         assess_rule_text(json_string_value(v))));
    json_decref(ids);
    json_object_set_new(o, "rules", rules);
    int64_t pub = sqlite3_column_int64(st, 21);
    json_object_set_new(o, "published_at", pub ? json_string(al_json_time(a, pub)) : json_null());
    static const struct {
        int col;
        const char *key;
    } ints[] = {{23, "supersedes_id"}, {26, "request_id"}};
    for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++)
        json_object_set_new(o, ints[k].key, sqlite3_column_type(st, ints[k].col) == SQLITE_NULL
                                                ? json_null()
                                                : json_integer(sqlite3_column_int64(st, ints[k].col)));
    json_object_set_new(o, "version", json_integer(sqlite3_column_int64(st, 27)));
    json_object_set_new(o, "assessor", json_string((const char *)sqlite3_column_text(st, 28)));
    json_object_set_new(o, "created_at", json_string(al_json_time(a, sqlite3_column_int64(st, 29))));
    return o;
}

int
assess_store_get_json(struct al_db *db, struct al_arena *a, int64_t id, bool full, json_t **out)
{
    static const char sql[] = "SELECT " RECORD_COLS RECORD_FROM " WHERE s.id = ?";
    static const char sql_sig[] =
        "SELECT g.user_id, u.display_name, g.certificate_no, g.signed_at"
        " FROM assessment_signatures g JOIN users u ON u.id = g.user_id"
        " WHERE g.assessment_id = ? ORDER BY g.signed_at, g.user_id";
    static const char sql_ev[] = "SELECT action, username, at, note FROM assessment_events"
                                 " WHERE assessment_id = ? ORDER BY id";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = record_json(a, st, full);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
    if (!full)
        return AL_OK;
    json_t *sigs = json_array(), *events = json_array();
    if (!(st = al_db_stmt(db, sql_sig)))
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(sigs, json_pack("{s:I, s:s, s:s, s:s}", "user_id",
                                        (json_int_t)sqlite3_column_int64(st, 0), "name",
                                        sqlite3_column_text(st, 1), "certificate_no",
                                        sqlite3_column_text(st, 2), "signed_at",
                                        al_json_time(a, sqlite3_column_int64(st, 3))));
    sqlite3_reset(st);
    if (!(st = al_db_stmt(db, sql_ev)))
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(events, json_pack("{s:s, s:s?, s:s, s:s?}", "action",
                                          sqlite3_column_text(st, 0), "user",
                                          sqlite3_column_text(st, 1), "at",
                                          al_json_time(a, sqlite3_column_int64(st, 2)), "note",
                                          sqlite3_column_text(st, 3)));
    sqlite3_reset(st);
    json_object_set_new(*out, "signatures", sigs);
    json_object_set_new(*out, "history", events);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
assess_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool full,
    json_t *out)
{
    /* RULE-ASSESS-018: level-only readers see results, not assessments under way. */
    static const char sql[] = "SELECT " RECORD_COLS RECORD_FROM
                              " WHERE s.elder_id = ?1 AND (?2 OR s.status = 'published'"
                              " OR s.status = 'disputed' OR s.status = 'superseded')"
                              " ORDER BY s.id DESC";
    static const char sql_legacy[] =
        "SELECT id, scale, level, adl_score, assessed_on, reference, created_at"
        " FROM legacy_assessments WHERE elder_id = ? ORDER BY assessed_on DESC, id DESC";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    sqlite3_bind_int(st, 2, full);
    int rc;
    json_t *found = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(found, record_json(a, st, full));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(found);
        return al_db_check(db, rc);
    }
    json_t *legacy = json_array();
    if (!(st = al_db_stmt(db, sql_legacy))) {
        json_decref(found);
        json_decref(legacy);
        return AL_EDB;
    }
    sqlite3_bind_int64(st, 1, elder_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int level = sqlite3_column_int(st, 2);
        json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:i, s:s, s:s}", "kind", "legacy", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "scale", sqlite3_column_text(st, 1),
            "status", "legacy", "legacy_level", level, "legacy_level_name",
            assess_legacy_level_names[level], "assessed_on", sqlite3_column_text(st, 4));
        if (full) {
            json_object_set_new(o, "adl_score", sqlite3_column_type(st, 3) == SQLITE_NULL
                                                    ? json_null()
                                                    : json_integer(sqlite3_column_int(st, 3)));
            const char *ref = (const char *)sqlite3_column_text(st, 5);
            json_object_set_new(o, "reference", ref ? json_string(ref) : json_null());
        }
        json_array_append_new(legacy, o);
    }
    sqlite3_reset(st);
    /* Newest first: each legacy result goes before the first assessment dated earlier. */
    size_t i = 0, k = 0;
    for (; i < json_array_size(found); i++) {
        json_t *x = json_array_get(found, i);
        const char *on = json_string_value(json_object_get(x, "assessed_on"));
        for (; k < json_array_size(legacy); k++) {
            json_t *l = json_array_get(legacy, k);
            if (!on || strcmp(json_string_value(json_object_get(l, "assessed_on")), on) <= 0)
                break;
            json_array_append(out, l);
        }
        json_array_append(out, x);
    }
    for (; k < json_array_size(legacy); k++)
        json_array_append(out, json_array_get(legacy, k));
    json_decref(found);
    json_decref(legacy);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
assess_store_list(struct al_db *db, struct al_arena *a, const struct assess_filter *f,
    json_t *items, int64_t *total)
{
    static const char *const sql[2] = {
        "SELECT count(*)" RECORD_FROM
        " WHERE s.region_code >= ?1 AND s.region_code < ?2 AND (?3 IS NULL OR s.status = ?3)"
        " AND (?4 IS NULL OR s.reason = ?4) AND (?5 IS NULL OR (s.region_code >= ?5"
        " AND s.region_code < ?6)) AND (?9 = 0 OR s.status = 'published'"
        " OR s.status = 'disputed' OR s.status = 'superseded')"
        " AND (?10 IS NULL OR instr(e.name, ?10) > 0)",
        "SELECT " RECORD_COLS RECORD_FROM
        " WHERE s.region_code >= ?1 AND s.region_code < ?2 AND (?3 IS NULL OR s.status = ?3)"
        " AND (?4 IS NULL OR s.reason = ?4) AND (?5 IS NULL OR (s.region_code >= ?5"
        " AND s.region_code < ?6)) AND (?9 = 0 OR s.status = 'published'"
        " OR s.status = 'disputed' OR s.status = 'superseded')"
        " AND (?10 IS NULL OR instr(e.name, ?10) > 0)"
        " ORDER BY s.id DESC LIMIT ?7 OFFSET ?8",
    };
    char lo[16], hi[16], rlo[16], rhi[16];
    region_scope_bounds(f->scope, lo, hi);
    if (f->region)
        region_scope_bounds(f->region, rlo, rhi);
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = al_db_stmt(db, sql[pass]);
        if (!st)
            return AL_EDB;
        al_db_bind_text(st, 1, lo);
        al_db_bind_text(st, 2, hi);
        al_db_bind_text(st, 3, f->status);
        al_db_bind_text(st, 4, f->reason);
        al_db_bind_text(st, 5, f->region ? rlo : NULL);
        al_db_bind_text(st, 6, f->region ? rhi : NULL);
        sqlite3_bind_int(st, 9, f->results_only);
        al_db_bind_text(st, 10, f->q);
        if (pass) {
            sqlite3_bind_int64(st, 7, f->limit);
            sqlite3_bind_int64(st, 8, f->offset);
        }
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass)
                json_array_append_new(items, record_json(a, st, false));
            else
                *total = sqlite3_column_int64(st, 0);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return al_db_check(db, rc);
    }
    return AL_OK;
}

int
assess_store_due(struct al_db *db, struct al_arena *a, const char *scope, const char *today,
    int window, json_t *items)
{
    /* The latest published result of each elder in scope, due or expired (RULE-ASSESS-013). */
    static const char sql[] =
        "SELECT s.id, s.elder_id, e.name, s.region_code, g.name, s.final_level, s.assessed_on,"
        " s.valid_until FROM assessments s JOIN elders e ON e.id = s.elder_id"
        " LEFT JOIN regions g ON g.code = s.region_code"
        " WHERE s.status = 'published' AND s.valid_until <= date(?3, '+' || ?4 || ' days')"
        " AND s.region_code >= ?1 AND s.region_code < ?2 AND e.status = 'active'"
        " ORDER BY s.valid_until, s.id";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, lo);
    al_db_bind_text(st, 2, hi);
    al_db_bind_text(st, 3, today);
    sqlite3_bind_int(st, 4, window);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long days = 0;
        const char *until = (const char *)sqlite3_column_text(st, 7);
        enum assess_due due = assess_due_state(until, today, window, &days);
        if (due == DUE_NONE)
            continue;
        int level = sqlite3_column_int(st, 5);
        json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s?, s:i, s:s, s:s, s:s, s:b, s:I}",
            "kind", "expiring", "assessment_id", (json_int_t)sqlite3_column_int64(st, 0),
            "elder_id", (json_int_t)sqlite3_column_int64(st, 1), "elder_name",
            sqlite3_column_text(st, 2), "region_code", sqlite3_column_text(st, 3), "region_name",
            sqlite3_column_text(st, 4), "final_level", level, "final_level_name",
            assess_level_names[level], "assessed_on", sqlite3_column_text(st, 6), "valid_until",
            until, "expired", due == DUE_EXPIRED, "days_left", (json_int_t)days);
        json_array_append_new(items, o);
    }
    sqlite3_reset(st);
    (void)a;
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
assess_store_legacy_insert(struct al_db *db, const struct assess_legacy *l, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO legacy_assessments(elder_id, region_code, level, adl_score,"
        " assessed_on, reference, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, l->elder_id);
    al_db_bind_text(st, 2, l->region_code);
    sqlite3_bind_int(st, 3, l->level);
    if (l->adl_score >= 0)
        sqlite3_bind_int(st, 4, l->adl_score);
    al_db_bind_text(st, 5, l->assessed_on);
    al_db_bind_text(st, 6, l->reference);
    if (l->user_id > 0)
        sqlite3_bind_int64(st, 7, l->user_id);
    sqlite3_bind_int64(st, 8, now);
    int rc = step_done(db, st);
    /* The same result (elder, date, level) is recorded once: *id 0 when it already was. */
    *id = rc == AL_OK && sqlite3_changes(al_db_handle(db)) ? sqlite3_last_insert_rowid(al_db_handle(db)) : 0;
    return rc;
}

int
assess_legacy_record(struct al_db *db, int64_t elder_id, const char *region_code, int level,
    int adl_score, const char *assessed_on, const char *reference, int64_t user_id, bool *inserted)
{
    struct assess_legacy l = {.elder_id = elder_id, .user_id = user_id, .region_code = region_code,
        .assessed_on = assessed_on, .reference = reference, .level = level, .adl_score = adl_score};
    int64_t id = 0;
    int rc = assess_store_legacy_insert(db, &l, (int64_t)time(NULL), &id);
    *inserted = id != 0;
    return rc;
}

int
assess_store_needs(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t **out)
{
    static const char sql[] =
        "SELECT id, needs, assessed_on FROM assessments WHERE elder_id = ?"
        " AND (status = 'published' OR status = 'disputed')"
        " ORDER BY published_at DESC, id DESC LIMIT 1";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_pack("{s:I, s:s?, s:o}", "assessment_id",
            (json_int_t)sqlite3_column_int64(st, 0), "assessed_on", sqlite3_column_text(st, 2),
            "needs", loads_or_null((const char *)sqlite3_column_text(st, 1)));
    sqlite3_reset(st);
    (void)a;
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
assess_store_user(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    bool *assessor)
{
    static const char sql[] =
        "SELECT u.region_code, EXISTS (SELECT 1 FROM role_permissions p WHERE p.role_id = u.role_id"
        " AND p.permission_id = 'assess.create') AND u.role_id != 'admin' FROM users u WHERE u.id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *region = al_db_col_text(a, st, 0);
        *assessor = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}
