/*
 * The assess module's SQL: one text for SQLite and PostgreSQL (STORES.md).
 * Times and dates come from the caller (the request's); JSON documents are
 * read and written whole, and looked into in C, never in SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess/assess.h"
#include "assess/assess_int.h"
#include "core/dbq.h"
#include "core/json.h"
#include "region/region.h"

/* ---- column readers ---- */

static json_t *
col_int(struct al_stmt *st, int col)
{
    return al_stmt_null(st, col) ? json_null() : json_integer(al_stmt_int(st, col));
}

static json_t *
col_text(struct al_stmt *st, int col)
{
    const char *t = al_stmt_text(st, col);
    return t ? json_string(t) : json_null();
}

static json_t *
loads_or_null(const char *t)
{
    json_t *v = t ? json_loads(t, 0, NULL) : NULL;
    return v ? v : json_null();
}

/* ---- settings ---- */

int
assess_settings_load(struct al_db *db, struct assess_settings *s)
{
    static const char sql[] = "SELECT key, value FROM settings WHERE key LIKE 'assess.%'";
    *s = (struct assess_settings){.coma_level = 4, .adjust_stack = false, .validity_months = 12,
        .assessors = 2};
    struct al_stmt *st = al_db_sql(db, sql);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *k = al_stmt_text(st, 0);
        const char *t = al_stmt_text(st, 1);
        int v = t ? atoi(t) : 0;
        if (!strcmp(k, "assess.coma_level") && v >= 0 && v <= 4)
            s->coma_level = v;
        else if (!strcmp(k, "assess.adjust_stack"))
            s->adjust_stack = v != 0;
        else if (!strcmp(k, "assess.validity_months") && v >= 1 && v <= 60)
            s->validity_months = v;
        else if (!strcmp(k, "assess.assessors_required") && v >= 1 && v <= 5)
            s->assessors = v;
    }
    return rc;
}

/* ---- the form ---- */

/* Bind the form part of a record (parameters 1..15 of both the INSERT and the UPDATE). */
static void
bind_form(struct al_stmt *st, const struct assess_record *rec)
{
    bool scored = rec->computed && !rec->coma;
    json_t *domains = scored ? json_array() : NULL, *rules = json_array();
    for (int i = 0; scored && i < ASSESS_DOMAINS; i++)
        json_array_append_new(domains, json_integer(rec->result.domain[i]));
    for (int i = 0; rec->computed && i < rec->result.nrules; i++)
        json_array_append_new(rules, json_string(rec->result.rules[i]));
    al_stmt_bind_text(st, 1, rec->reason);
    al_stmt_bind_jsonv(st, 2, rec->coma ? NULL : rec->items);
    al_stmt_bind_int(st, 3, rec->coma);
    /* What the form leaves out is stored as empty, never NULL. */
    const json_t *js[] = {rec->diagnoses, rec->risks, rec->health, rec->needs};
    static const char *const empty[] = {"[]", "{}", "{}", "{}"};
    for (int i = 0; i < 4; i++) {
        if (js[i])
            al_stmt_bind_jsonv(st, 4 + i, js[i]);
        else
            al_stmt_bind_text(st, 4 + i, empty[i]);
    }
    al_stmt_bind_text(st, 8, rec->organisation);
    al_stmt_bind_text(st, 9, rec->place);
    al_stmt_bind_text(st, 10, rec->assessed_on);
    if (scored)
        al_stmt_bind_int(st, 11, rec->result.total);
    al_stmt_bind_jsonv(st, 12, domains);
    if (rec->computed) {
        al_stmt_bind_int(st, 13, rec->result.preliminary);
        al_stmt_bind_int(st, 14, rec->result.final);
    }
    al_stmt_bind_jsonv(st, 15, rules);
    json_decref(domains);
    json_decref(rules);
}

/* An optional reference: 0 (none) is SQL NULL. */
static void
bind_id(struct al_stmt *st, int idx, int64_t id)
{
    if (id > 0)
        al_stmt_bind_int(st, idx, id);
}

/* An INSERT … RETURNING id: the new id into *id (0 when nothing was inserted). */
static int
insert_id(struct al_stmt *st, int64_t *id)
{
    *id = 0;
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

int
assess_store_insert(struct al_db *db, const struct assess_record *rec, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO assessments(reason, items, coma, diagnoses, risk_events, health, needs,"
        " organisation, place, assessed_on, total, domain_scores, preliminary_level, final_level,"
        " rules, elder_id, region_code, request_id, supersedes_id, created_by, created_at,"
        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16, ?17, ?18, ?19, ?20, ?21, ?21) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_form(st, rec);
    al_stmt_bind_int(st, 16, rec->elder_id);
    al_stmt_bind_text(st, 17, rec->region_code);
    bind_id(st, 18, rec->request_id);
    bind_id(st, 19, rec->supersedes_id);
    al_stmt_bind_int(st, 20, rec->user_id);
    al_stmt_bind_int(st, 21, now);
    return insert_id(st, id);
}

int
assess_store_update_form(struct al_db *db, int64_t id, int64_t version,
    const struct assess_record *rec, int64_t now, bool *changed)
{
    static const char sql_update[] =
        "UPDATE assessments SET reason = ?1, items = ?2, coma = ?3, diagnoses = ?4,"
        " risk_events = ?5, health = ?6, needs = ?7, organisation = ?8, place = ?9,"
        " assessed_on = ?10, total = ?11, domain_scores = ?12, preliminary_level = ?13,"
        " final_level = ?14, rules = ?15, updated_at = ?16, version = version + 1"
        " WHERE id = ?17 AND version = ?18 AND status = 'draft' AND (reason IS DISTINCT FROM ?1"
        " OR items IS DISTINCT FROM ?2 OR coma IS DISTINCT FROM ?3 OR diagnoses IS DISTINCT FROM ?4"
        " OR risk_events IS DISTINCT FROM ?5 OR health IS DISTINCT FROM ?6"
        " OR needs IS DISTINCT FROM ?7 OR organisation IS DISTINCT FROM ?8"
        " OR place IS DISTINCT FROM ?9 OR assessed_on IS DISTINCT FROM ?10)";
    static const char sql_same[] =
        "SELECT count(*) FROM assessments WHERE id = ? AND version = ? AND status = 'draft'";
    *changed = false;
    struct al_stmt *st = al_db_sql(db, sql_update);
    bind_form(st, rec);
    al_stmt_bind_int(st, 16, now);
    al_stmt_bind_int(st, 17, id);
    al_stmt_bind_int(st, 18, version);
    int rc = al_stmt_run(st);
    if (rc != AL_OK || al_db_changes(db) == 1) {
        *changed = rc == AL_OK;
        return rc;
    }
    /* Nothing written: the same form again (no change), or a stale version. */
    int64_t same = 0;
    st = al_db_sql(db, sql_same);
    al_stmt_bind_int(st, 1, id);
    al_stmt_bind_int(st, 2, version);
    rc = al_stmt_int64(st, &same);
    return rc != AL_OK ? rc : same ? AL_OK : AL_ECONFLICT;
}

/* Every item answered: an array of ASSESS_ITEMS without a null (RULE-ASSESS-010). */
static bool
items_complete(const char *text)
{
    json_t *items = text ? json_loads(text, 0, NULL) : NULL;
    bool all = json_is_array(items);
    for (size_t i = 0; all && i < json_array_size(items); i++)
        all = !json_is_null(json_array_get(items, i));
    json_decref(items);
    return all;
}

int
assess_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct assess_row *row)
{
    static const char sql[] =
        "SELECT id, elder_id, region_code, status, version, reason, created_by,"
        " coalesce(supersedes_id, 0), coalesce(request_id, 0), final_level, assessed_on, coma,"
        " items, diagnoses, risk_events, health, needs, organisation, place"
        " FROM assessments WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    row->id = al_stmt_int(st, 0);
    row->elder_id = al_stmt_int(st, 1);
    row->region_code = al_stmt_dup(a, st, 2);
    row->status = al_stmt_dup(a, st, 3);
    row->version = al_stmt_int(st, 4);
    row->reason = al_stmt_dup(a, st, 5);
    row->created_by = al_stmt_int(st, 6);
    row->supersedes_id = al_stmt_int(st, 7);
    row->request_id = al_stmt_int(st, 8);
    row->final_level = al_stmt_null(st, 9) ? -1 : (int)al_stmt_int(st, 9);
    row->assessed_on = al_stmt_dup(a, st, 10);
    row->coma = al_stmt_int(st, 11) != 0;
    row->complete = row->coma || items_complete(al_stmt_text(st, 12));
    row->form_json = json_object();
    static const char *const keys[] = {"items", "diagnoses", "risk_events", "health", "needs",
        "organisation", "place"};
    for (int i = 0; i < 7; i++)
        json_object_set_new(row->form_json, keys[i], col_text(st, 12 + i));
    al_stmt_reset(st);
    return AL_OK;
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
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(status), AL_I(now));
    if (x) {
        al_stmt_bind_text(st, 3, x->review_note);
        if (x->published)
            al_stmt_bind_int(st, 4, now);
        al_stmt_bind_text(st, 5, x->valid_until);
        al_stmt_bind_text(st, 6, x->disputed_reason);
    }
    al_stmt_bind_int(st, 7, id);
    al_stmt_bind_int(st, 8, version);
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) == 0 ? AL_ECONFLICT : rc;
}

int
assess_store_event(struct al_db *db, int64_t id, const char *action, int64_t user_id,
    const char *username, const char *note, int64_t now)
{
    static const char sql[] =
        "INSERT INTO assessment_events(assessment_id, action, user_id, username, at, note)"
        " VALUES (?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id), AL_T(action), AL_REF(user_id), AL_T(username), AL_I(now),
        AL_T(note));
    return al_stmt_run(st);
}

/* ---- signatures and qualifications ---- */

int
assess_store_qualification(struct al_db *db, struct al_arena *a, int64_t user_id,
    const char **certificate_no, const char **expires_on)
{
    static const char sql[] =
        "SELECT certificate_no, expires_on FROM assessor_qualifications WHERE user_id = ?";
    *certificate_no = *expires_on = NULL;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, user_id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *certificate_no = al_stmt_dup(a, st, 0);
    *expires_on = al_stmt_dup(a, st, 1);
    al_stmt_reset(st);
    return AL_OK;
}

int
assess_store_qualify(struct al_db *db, int64_t user_id, const char *certificate_no,
    const char *organisation, const char *expires_on, int64_t by, int64_t now)
{
    static const char sql[] =
        "INSERT INTO assessor_qualifications(user_id, certificate_no, organisation, expires_on,"
        " updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT (user_id) DO UPDATE SET certificate_no = excluded.certificate_no,"
        " organisation = excluded.organisation, expires_on = excluded.expires_on,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(user_id), AL_T(certificate_no), AL_T(organisation), AL_T(expires_on),
        AL_I(by), AL_I(now));
    return al_stmt_run(st);
}

/* RULE-ASSESS-011: qualified while the certificate is valid on the request's day. */
static json_t *
qualified(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    return json_boolean(assess_qualified(al_stmt_text(st, col), c->user));
}

static json_t *
expired(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    const char *expires = al_stmt_text(st, col);
    return json_boolean(expires && !assess_qualified(expires, c->user));
}

static const struct al_col assessor_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "username", AL_COL_TEXT), AL_COL(2, "display_name", AL_COL_TEXT),
    AL_COL(3, "region_code", AL_COL_TEXT), AL_COL(4, "certificate_no", AL_COL_TEXT),
    AL_COL(5, "organisation", AL_COL_TEXT), AL_COL(6, "expires_on", AL_COL_TEXT),
    AL_COLF(6, "qualified", qualified), AL_COLF(6, "expired", expired), AL_COL_END};

int
assess_store_assessors(struct al_db *db, const char *scope, const char *today, json_t *items)
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
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    return al_db_rows(st, NULL, &(struct al_rows){.cols = assessor_cols, .user = today}, items);
}

int
assess_store_sign(struct al_db *db, int64_t id, int64_t user_id, const char *certificate_no,
    int64_t now)
{
    static const char sql[] =
        "INSERT INTO assessment_signatures(assessment_id, user_id, certificate_no, signed_at)"
        " VALUES (?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id), AL_I(user_id), AL_T(certificate_no), AL_I(now));
    return al_stmt_run(st); /* a second signature by the same user: AL_ECONFLICT */
}

int
assess_store_signed(struct al_db *db, int64_t id, int64_t user_id, int *count, bool *by_user)
{
    static const char sql[] =
        "SELECT count(*), coalesce(sum(CASE WHEN user_id = ?2 THEN 1 ELSE 0 END), 0)"
        " FROM assessment_signatures WHERE assessment_id = ?1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id), AL_I(user_id));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *count = (int)al_stmt_int(st, 0);
    *by_user = al_stmt_int(st, 1) != 0;
    al_stmt_reset(st);
    return AL_OK;
}

int
assess_store_clear_signatures(struct al_db *db, int64_t id)
{
    static const char sql[] =
        "DELETE FROM assessment_signatures WHERE assessment_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    return al_stmt_run(st);
}

/* ---- publishing, disputes, requests ---- */

/* The elder's results in force other than one: ?1 the elder, ?2 the assessment kept. */
#define IN_FORCE                                                                               \
    " FROM assessments WHERE elder_id = ?1 AND id != ?2"                                       \
    " AND (status = 'published' OR status = 'disputed')"

int
assess_store_supersede(struct al_db *db, int64_t elder_id, int64_t keep_id, int64_t user_id,
    const char *username, int64_t now)
{
    static const char sql_events[] =
        "INSERT INTO assessment_events(assessment_id, action, user_id, username, at, note)"
        " SELECT id, 'supersede', ?3, ?4, ?5, ?6" IN_FORCE " ORDER BY id";
    static const char sql_status[] =
        "UPDATE assessments SET status = 'superseded', updated_at = ?3, version = version + 1"
        " WHERE id IN (SELECT id" IN_FORCE ")";
    char note[48];
    snprintf(note, sizeof(note), "由评估 #%lld 取代", (long long)keep_id);
    /* The events first, while the rows they name are still in force. */
    struct al_stmt *st = al_db_sql(db, sql_events);
    al_stmt_binds(st, AL_I(elder_id), AL_I(keep_id), AL_REF(user_id), AL_T(username), AL_I(now),
        AL_T(note));
    int rc = al_stmt_run(st);
    if (rc != AL_OK)
        return rc;
    st = al_db_sql(db, sql_status);
    al_stmt_binds(st, AL_I(elder_id), AL_I(keep_id), AL_I(now));
    return al_stmt_run(st);
}

int
assess_store_later_result(struct al_db *db, struct al_arena *a, int64_t elder_id, int64_t id,
    const char *assessed_on, int64_t *later_id, const char **later_on)
{
    static const char sql[] =
        "SELECT id, assessed_on FROM assessments WHERE elder_id = ?1 AND id != ?2"
        " AND (status = 'published' OR status = 'disputed') AND assessed_on > ?3"
        " ORDER BY assessed_on DESC, id DESC LIMIT 1";
    *later_id = 0;
    *later_on = NULL;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(id), AL_T(assessed_on));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_OK : rc;
    *later_id = al_stmt_int(st, 0);
    *later_on = al_stmt_dup(a, st, 1);
    al_stmt_reset(st);
    return AL_OK;
}

int
assess_store_request_create(struct al_db *db, const struct assess_request *q, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO assessment_requests(elder_id, region_code, reason, source, note, disputed_id,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(q->elder_id), AL_T(q->region_code), AL_T(q->reason), AL_T(q->source),
        AL_T(q->note), AL_REF(q->disputed_id), AL_REF(q->user_id), AL_I(now));
    return insert_id(st, id);
}

int
assess_store_request_get(struct al_db *db, struct al_arena *a, int64_t id,
    struct assess_request *q, const char **status)
{
    static const char sql[] =
        "SELECT elder_id, region_code, reason, source, coalesce(disputed_id, 0), status"
        " FROM assessment_requests WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    q->elder_id = al_stmt_int(st, 0);
    q->region_code = al_stmt_dup(a, st, 1);
    q->reason = al_stmt_dup(a, st, 2);
    q->source = al_stmt_dup(a, st, 3);
    q->disputed_id = al_stmt_int(st, 4);
    *status = al_stmt_dup(a, st, 5);
    al_stmt_reset(st);
    return AL_OK;
}

int
assess_store_request_done(struct al_db *db, int64_t request_id, int64_t assessment_id,
    int64_t now)
{
    static const char sql[] =
        "UPDATE assessment_requests SET status = 'done', done_by_assessment = ?, done_at = ?"
        " WHERE id = ? AND status = 'open'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(assessment_id), AL_I(now), AL_I(request_id));
    return al_stmt_run(st);
}

static const struct al_col request_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "elder_id", AL_COL_INT), AL_COL(2, "elder_name", AL_COL_TEXT),
    AL_COL(3, "region_code", AL_COL_TEXT), AL_COL(4, "region_name", AL_COL_TEXT),
    AL_COL(5, "reason", AL_COL_TEXT), AL_COL(6, "source", AL_COL_TEXT),
    AL_COL(7, "note", AL_COL_TEXT), AL_COL(9, "status", AL_COL_TEXT),
    AL_COL(8, "disputed_id", AL_COL_INT), AL_COL(10, "created_at", AL_COL_TIME),
    AL_COL(11, "assessment_id", AL_COL_INT), AL_COL_END};

struct al_stmt *
assess_store_requests_stmt(struct al_db *db, const char *scope, const char *status,
    bool active_only)
{
    static const char sql[] =
        "SELECT q.id, q.elder_id, e.name, q.region_code, g.name, q.reason, q.source, q.note,"
        " q.disputed_id, q.status, q.created_at, q.done_by_assessment"
        " FROM assessment_requests q JOIN elders e ON e.id = q.elder_id"
        " LEFT JOIN regions g ON g.code = q.region_code"
        " WHERE q.region_code >= ?1 AND q.region_code < ?2"
        " AND (CAST(?3 AS TEXT) IS NULL OR q.status = ?3)"
        " AND (?4 = 0 OR e.status = 'active')"
        " ORDER BY q.status DESC, q.id DESC LIMIT 500";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(status), AL_I(active_only));
    return st;
}

int
assess_store_requests(struct al_db *db, struct al_arena *a, const char *scope, const char *status,
    bool active_only, json_t *items)
{
    struct al_stmt *st = assess_store_requests_stmt(db, scope, status, active_only);
    return al_db_rows(st, a, &(struct al_rows){.cols = request_cols}, items);
}

/* ---- reading ---- */

#define RECORD_COLS                                                                            \
    "s.id, s.elder_id, e.name, s.region_code, s.scale, s.reason, s.status, s.items, s.coma,"   \
    " s.diagnoses, s.risk_events, s.health, s.needs, s.organisation, s.place, s.assessed_on,"  \
    " s.total, s.domain_scores, s.preliminary_level, s.final_level, s.rules,"                  \
    " s.published_at, s.valid_until, s.supersedes_id, s.disputed_reason, s.review_note,"       \
    " s.request_id, s.version, u.display_name, s.created_at"
#define RECORD_FROM                                                                            \
    " FROM assessments s JOIN elders e ON e.id = s.elder_id JOIN users u ON u.id = s.created_by"

static json_t *
status_name(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_string(assess_status_name(al_stmt_text(st, col)));
}

static json_t *
level_name(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return al_stmt_null(st, col) ? json_null()
                                 : json_string(assess_level_names[al_stmt_int(st, col)]);
}

/* Domain scores as stored (array) → {name: score}. */
static json_t *
domains_object(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *t = al_stmt_text(st, col);
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

/* The rule ids as stored → [{id, text}]. */
static json_t *
rules_array(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    json_t *ids = loads_or_null(al_stmt_text(st, col)), *rules = json_array(), *v;
    size_t i;
    json_array_foreach(ids, i, v)
        json_array_append_new(rules, json_pack("{s:s, s:s}", "id", json_string_value(v), "text",
                                         assess_rule_text(json_string_value(v))));
    json_decref(ids);
    return rules;
}

/* A record from a row of RECORD_COLS: the level only (lists, level-only readers)… */
static const struct al_col record_brief[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "elder_id", AL_COL_INT), AL_COL(2, "elder_name", AL_COL_TEXT),
    AL_COL(4, "scale", AL_COL_TEXT), AL_COL(6, "status", AL_COL_TEXT),
    AL_COLF(6, "status_name", status_name), AL_COL(15, "assessed_on", AL_COL_TEXT),
    AL_COL(19, "final_level", AL_COL_INT), AL_COLF(19, "final_level_name", level_name),
    AL_COL(22, "valid_until", AL_COL_TEXT), AL_COL_END};
/* …and the rest of the full shape. */
static const struct al_col record_full[] = {AL_COL(3, "region_code", AL_COL_TEXT),
    AL_COL(5, "reason", AL_COL_TEXT), AL_COL(8, "coma", AL_COL_BOOL),
    AL_COL(7, "items", AL_COL_JSON), AL_COL(9, "diagnoses", AL_COL_JSON),
    AL_COL(10, "risk_events", AL_COL_JSON), AL_COL(11, "health", AL_COL_JSON),
    AL_COL(12, "needs", AL_COL_JSON), AL_COL(13, "organisation", AL_COL_TEXT),
    AL_COL(14, "place", AL_COL_TEXT), AL_COL(24, "disputed_reason", AL_COL_TEXT),
    AL_COL(25, "review_note", AL_COL_TEXT), AL_COL(16, "total", AL_COL_INT),
    AL_COL(18, "preliminary_level", AL_COL_INT), AL_COL(23, "supersedes_id", AL_COL_INT),
    AL_COL(26, "request_id", AL_COL_INT), AL_COLF(17, "domain_scores", domains_object),
    AL_COLF(20, "rules", rules_array), AL_COL(21, "published_at", AL_COL_TIME),
    AL_COL(27, "version", AL_COL_INT), AL_COL(28, "assessor", AL_COL_TEXT),
    AL_COL(29, "created_at", AL_COL_TIME), AL_COL_END};

static json_t *
record_json(struct al_arena *a, struct al_stmt *st, bool full)
{
    struct al_row_ctx c = {.a = a};
    json_t *o = al_row_json(&c, st, record_brief);
    return full ? al_row_into(o, &c, st, record_full) : o;
}

/* The signatures (which 0) or the history (1) of assessment `id` into `out`. */
static int
record_list(struct al_db *db, struct al_arena *a, int64_t id, int which, json_t *out)
{
    static const char *const sql[2] = {
        "SELECT g.user_id, u.display_name, g.certificate_no, g.signed_at"
        " FROM assessment_signatures g JOIN users u ON u.id = g.user_id"
        " WHERE g.assessment_id = ? ORDER BY g.signed_at, g.user_id",
        "SELECT action, username, at, note FROM assessment_events"
        " WHERE assessment_id = ? ORDER BY id",
    };
    static const struct al_col cols[2][5] = {
        {AL_COL(0, "user_id", AL_COL_INT), AL_COL(1, "name", AL_COL_TEXT),
            AL_COL(2, "certificate_no", AL_COL_TEXT), AL_COL(3, "signed_at", AL_COL_TIME),
            AL_COL_END},
        {AL_COL(0, "action", AL_COL_TEXT), AL_COL(1, "user", AL_COL_TEXT),
            AL_COL(2, "at", AL_COL_TIME), AL_COL(3, "note", AL_COL_TEXT), AL_COL_END},
    };
    struct al_stmt *st = al_db_sql(db, sql[which]);
    al_stmt_bind_int(st, 1, id);
    return al_db_rows(st, a, &(struct al_rows){.cols = cols[which]}, out);
}

int
assess_store_get_json(struct al_db *db, struct al_arena *a, int64_t id, bool full, json_t **out)
{
    static const char sql[] = "SELECT " RECORD_COLS RECORD_FROM " WHERE s.id = ?";
    *out = NULL;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    json_t *o = record_json(a, st, full);
    al_stmt_reset(st);
    if (full) {
        /* Signatures, then events: a failure of either is the answer, never a cut list. */
        json_t *sigs = json_array(), *events = json_array();
        json_object_set_new(o, "signatures", sigs);
        json_object_set_new(o, "history", events);
        rc = record_list(db, a, id, 0, sigs);
        if (rc == AL_OK)
            rc = record_list(db, a, id, 1, events);
    }
    if (rc == AL_OK)
        *out = o;
    else
        json_decref(o);
    return rc;
}

static int
legacy_of(struct al_db *db, int64_t elder_id, bool full, json_t *legacy)
{
    static const char sql[] =
        "SELECT id, scale, level, adl_score, assessed_on, reference FROM legacy_assessments"
        " WHERE elder_id = ? ORDER BY assessed_on DESC, id DESC";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, elder_id);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int level = (int)al_stmt_int(st, 2);
        json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:i, s:s, s:s}", "kind", "legacy", "id",
            (json_int_t)al_stmt_int(st, 0), "scale", al_stmt_text(st, 1), "status", "legacy",
            "legacy_level", level, "legacy_level_name", assess_legacy_level_names[level],
            "assessed_on", al_stmt_text(st, 4));
        if (full) {
            json_object_set_new(o, "adl_score", col_int(st, 3));
            json_object_set_new(o, "reference", col_text(st, 5));
        }
        json_array_append_new(legacy, o);
    }
    return rc;
}

int
assess_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool full,
    json_t *out)
{
    /* RULE-ASSESS-018: level-only readers see results, not assessments under way. */
    static const char sql[] =
        "SELECT " RECORD_COLS RECORD_FROM " WHERE s.elder_id = ?1 AND (?2 = 1"
        " OR s.status = 'published' OR s.status = 'disputed' OR s.status = 'superseded')"
        " ORDER BY s.id DESC";
    json_t *found = json_array(), *legacy = json_array();
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(full));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(found, record_json(a, st, full));
    if (rc == AL_OK)
        rc = legacy_of(db, elder_id, full, legacy);
    /* Newest first: each legacy result goes before the first assessment dated earlier. */
    size_t k = 0;
    for (size_t i = 0; rc == AL_OK && i < json_array_size(found); i++) {
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
    for (; rc == AL_OK && k < json_array_size(legacy); k++)
        json_array_append(out, json_array_get(legacy, k));
    json_decref(found);
    json_decref(legacy);
    return rc;
}

/*
 * The list's filter: ?1–?2 scope, ?3 status, ?4 reason, ?5–?6 region, ?7 results only.
 * PostgreSQL infers a parameter's type where it first appears: `?N IS NULL` first needs a CAST.
 */
#define LIST_WHERE                                                                             \
    " WHERE s.region_code >= ?1 AND s.region_code < ?2"                                        \
    " AND (CAST(?3 AS TEXT) IS NULL OR s.status = ?3)"                                         \
    " AND (CAST(?4 AS TEXT) IS NULL OR s.reason = ?4)"                                         \
    " AND (CAST(?5 AS TEXT) IS NULL OR (s.region_code >= ?5 AND s.region_code < ?6))"          \
    " AND (?7 = 0 OR s.status = 'published' OR s.status = 'disputed'"                          \
    " OR s.status = 'superseded')"                                                             \
    " AND (CAST(?8 AS TEXT) IS NULL OR instr(e.name, ?8) > 0)"

static json_t *
record_row(const struct al_row_ctx *c, struct al_stmt *st)
{
    return record_json(c->a, st, false);
}

static const struct al_page_sql list_sql = {.cols = RECORD_COLS, .from = RECORD_FROM,
    .order = " ORDER BY s.id DESC"};

/* ?1–?8 as LIST_WHERE names them. */
static void
list_params(struct al_params *p, struct al_arena *a, const struct assess_filter *f)
{
    al_params_init(p, a);
    region_params(p, f->scope);
    al_param_text(p, f->status);
    al_param_text(p, f->reason);
    region_params(p, f->region);
    al_param_int(p, f->results_only);
    al_param_text(p, f->q);
}

int
assess_store_list(struct al_db *db, struct al_arena *a, const struct assess_filter *f,
    json_t *items, int64_t *total)
{
    struct al_params p;
    list_params(&p, a, f);
    return al_db_page(db, &p, &list_sql, LIST_WHERE, f->limit, f->offset,
        &(struct al_rows){.row = record_row}, items, total);
}

struct al_stmt *
assess_store_export_page(struct al_db *db, struct al_arena *a, const struct assess_filter *f,
    const char *after, int64_t limit)
{
    struct al_params p;
    list_params(&p, a, f);
    return al_db_keyset(db, &p, &list_sql, LIST_WHERE, "s.id", true, after, limit);
}

/* The latest published result of each elder in scope, due or expired (RULE-ASSESS-013). */
struct al_stmt *
assess_store_due_stmt(struct al_db *db, const char *scope, const char *today, int window)
{
    static const char sql[] =
        "SELECT s.id, s.elder_id, e.name, s.region_code, g.name, s.final_level, s.assessed_on,"
        " s.valid_until FROM assessments s JOIN elders e ON e.id = s.elder_id"
        " LEFT JOIN regions g ON g.code = s.region_code"
        " WHERE s.status = 'published' AND s.valid_until <= ?3"
        " AND s.region_code >= ?1 AND s.region_code < ?2 AND e.status = 'active'"
        " ORDER BY s.valid_until, s.id";
    char lo[16], hi[16], last[11];
    region_scope_bounds(scope, lo, hi);
    if (!assess_date_add_days(today, window, last))
        return NULL;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(last));
    return st;
}

int
assess_store_due(struct al_db *db, const char *scope, const char *today, int window,
    json_t *items)
{
    char last[11];
    if (!assess_date_add_days(today, window, last))
        return AL_EINVAL;
    struct al_stmt *st = assess_store_due_stmt(db, scope, today, window);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        long days = 0;
        const char *until = al_stmt_text(st, 7);
        enum assess_due due = assess_due_state(until, today, window, &days);
        if (due == ASSESS_DUE_NONE)
            continue;
        int level = (int)al_stmt_int(st, 5);
        json_array_append_new(items,
            json_pack("{s:s, s:I, s:I, s:s, s:s, s:s?, s:i, s:s, s:s, s:s, s:b, s:I}", "kind",
                "expiring", "assessment_id", (json_int_t)al_stmt_int(st, 0), "elder_id",
                (json_int_t)al_stmt_int(st, 1), "elder_name", al_stmt_text(st, 2),
                "region_code", al_stmt_text(st, 3), "region_name", al_stmt_text(st, 4),
                "final_level", level, "final_level_name", assess_level_names[level],
                "assessed_on", al_stmt_text(st, 6), "valid_until", until, "expired",
                due == ASSESS_DUE_EXPIRED, "days_left", (json_int_t)days));
    }
    return rc;
}

/* The same result (elder, date, level) is recorded once: nothing returned when it already was. */
int
assess_store_legacy_insert(struct al_db *db, const struct assess_legacy *l, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO legacy_assessments(elder_id, region_code, level, adl_score, assessed_on,"
        " reference, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(l->elder_id), AL_T(l->region_code), AL_I(l->level));
    if (l->adl_score >= 0)
        al_stmt_bind_int(st, 4, l->adl_score);
    al_stmt_bind_text(st, 5, l->assessed_on);
    al_stmt_bind_text(st, 6, l->reference);
    bind_id(st, 7, l->user_id);
    al_stmt_bind_int(st, 8, now);
    return insert_id(st, id);
}

int
assess_legacy_record(struct al_db *db, int64_t now, int64_t elder_id, const char *region_code,
    int level, int adl_score, const char *assessed_on, const char *reference, int64_t user_id,
    bool *inserted)
{
    struct assess_legacy l = {.elder_id = elder_id, .user_id = user_id, .region_code = region_code,
        .assessed_on = assessed_on, .reference = reference, .level = level, .adl_score = adl_score};
    int64_t id = 0;
    int rc = assess_store_legacy_insert(db, &l, now, &id);
    *inserted = id != 0;
    return rc;
}

int
assess_store_needs(struct al_db *db, int64_t elder_id, json_t **out)
{
    static const char sql[] =
        "SELECT id, needs, assessed_on FROM assessments WHERE elder_id = ?"
        " AND (status = 'published' OR status = 'disputed')"
        " ORDER BY coalesce(published_at, 0) DESC, id DESC LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, elder_id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = json_pack("{s:I, s:s?, s:o}", "assessment_id", (json_int_t)al_stmt_int(st, 0),
        "assessed_on", al_stmt_text(st, 2), "needs", loads_or_null(al_stmt_text(st, 1)));
    al_stmt_reset(st);
    return AL_OK;
}

int
assess_store_user(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    bool *assessor)
{
    static const char sql[] =
        "SELECT u.region_code, CASE WHEN u.role_id != 'admin' AND EXISTS (SELECT 1"
        " FROM role_permissions p WHERE p.role_id = u.role_id"
        " AND p.permission_id = 'assess.create') THEN 1 ELSE 0 END FROM users u WHERE u.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *region = al_stmt_dup(a, st, 0);
    *assessor = al_stmt_int(st, 1) != 0;
    al_stmt_reset(st);
    return AL_OK;
}

int
assess_request_open(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *source, const char *note, int64_t user_id, int64_t now, int64_t *id)
{
    const struct assess_request q = {.elder_id = elder_id, .user_id = user_id,
        .region_code = region_code, .reason = "immediate", .source = source, .note = note};
    return assess_store_request_create(db, &q, now, id);
}

int
assess_request_status(struct al_db *db, struct al_arena *a, int64_t id, const char **status)
{
    struct assess_request q;
    return assess_store_request_get(db, a, id, &q, status);
}
