/* The bed module's SQL (both engines, docs/stores.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bed/bed_int.h"
#include "core/dbq.h"
#include "core/json.h"
#include "region/region.h"

/* RULE-BED-020 */
int
bed_store_settings(struct al_db *db, struct bed_settings *s)
{
    static const char sql[] = "SELECT key, value FROM settings WHERE key IN"
                              " ('bed.required_devices', 'bed.rectify_days')";
    s->required = BED_NEED_NETWORK | BED_NEED_SOS | BED_NEED_ACTIVITY;
    s->rectify_days = 30;
    struct al_stmt *st = al_db_sql(db, sql);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *k = al_stmt_text(st, 0), *v = al_stmt_text(st, 1);
        unsigned m;
        if (strcmp(k, "bed.required_devices") == 0 && bed_needs_parse(v, &m))
            s->required = m;
        else if (strcmp(k, "bed.rectify_days") == 0)
            s->rectify_days = strtoll(v, NULL, 10);
    }
    return rc;
}

int
bed_store_settings_put(struct al_db *db, const char *required, int64_t days)
{
    static const char sql[] = "INSERT INTO settings(key, value) VALUES (?, ?)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    char d[24];
    snprintf(d, sizeof(d), "%lld", (long long)days);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, "bed.required_devices");
    al_stmt_bind_text(st, 2, required);
    int rc = al_stmt_run(st);
    if (rc != AL_OK)
        return rc;
    st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, "bed.rectify_days");
    al_stmt_bind_text(st, 2, d);
    return al_stmt_run(st);
}

int
bed_store_create(struct al_db *db, const char *region, int64_t elder_id, const char *applicant,
    const char *applicant_name, const char *today, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO beds(region_code, elder_id, applicant, applicant_name, applied_on,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_I(elder_id), AL_T(applicant), AL_T(applicant_name),
        AL_T(today), AL_I(now), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

#define BED_COLS                                                                               \
    "b.id, b.region_code, b.elder_id, e.name, b.status, b.applicant, b.applicant_name,"        \
    " b.applied_on, b.eligible, b.eligibility_note, b.home_check, b.care_plan, b.provider,"    \
    " b.agreement_start, b.agreement_end, b.installed_on, b.network, b.install_note,"          \
    " b.started_on, b.reviewed_on, b.review_note, b.close_reason, b.close_note, b.closed_on,"  \
    " b.created_at, b.version,"                                                                \
    " (SELECT r.due_on FROM bed_rectifications r WHERE r.bed_id = b.id AND r.status = 'open'),"\
    " (SELECT r.missing FROM bed_rectifications r WHERE r.bed_id = b.id AND r.status = 'open'),"\
    " b.eligibility_rule, b.eligibility_override, b.assessment_id, b.assess_request_id"
#define BED_FROM " FROM beds b JOIN elders e ON e.id = b.elder_id"

static json_t *
state_name(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_string(bed_state_name(bed_state_parse(al_stmt_text(st, col))));
}

static json_t *
nullable_bool(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *t = al_stmt_text(st, col);
    return t ? json_boolean(al_stmt_int(st, col) != 0) : json_null();
}

static const struct al_col bed_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "elder_id", AL_COL_INT),
    AL_COL(3, "elder_name", AL_COL_TEXT), AL_COL(4, "status", AL_COL_TEXT),
    AL_COLF(4, "status_name", state_name), AL_COL(5, "applicant", AL_COL_TEXT),
    AL_COL(6, "applicant_name", AL_COL_TEXT), AL_COL(7, "applied_on", AL_COL_TEXT),
    AL_COLF(8, "eligible", nullable_bool), AL_COL(9, "eligibility_note", AL_COL_TEXT),
    AL_COL(10, "home_check", AL_COL_JSON), AL_COL(11, "care_plan", AL_COL_JSON),
    AL_COL(12, "provider", AL_COL_TEXT), AL_COL(13, "agreement_start", AL_COL_TEXT),
    AL_COL(14, "agreement_end", AL_COL_TEXT), AL_COL(15, "installed_on", AL_COL_TEXT),
    AL_COLF(16, "network", nullable_bool), AL_COL(17, "install_note", AL_COL_TEXT),
    AL_COL(18, "started_on", AL_COL_TEXT), AL_COL(19, "reviewed_on", AL_COL_TEXT),
    AL_COL(20, "review_note", AL_COL_TEXT), AL_COL(21, "close_reason", AL_COL_TEXT),
    AL_COL(22, "close_note", AL_COL_TEXT), AL_COL(23, "closed_on", AL_COL_TEXT),
    AL_COL(24, "created_at", AL_COL_TIME), AL_COL(25, "version", AL_COL_INT),
    AL_COL(26, "rectify_due_on", AL_COL_TEXT), AL_COL(27, "rectify_missing", AL_COL_TEXT),
    AL_COL(28, "eligibility_rule", AL_COL_JSON), AL_COL(29, "eligibility_override", AL_COL_TEXT),
    AL_COL(30, "assessment_id", AL_COL_INT), AL_COL(31, "assess_request_id", AL_COL_INT),
    AL_COL_END};

/* RULE-SCOPE-001, RULE-BED-023 */
#define LIST_WHERE                                                                             \
    " WHERE b.region_code >= ?1 AND b.region_code < ?2"                                        \
    " AND (CAST(?3 AS TEXT) IS NULL OR b.status = ?3)"                                         \
    " AND (?4 = 0 OR b.elder_id = ?4)"                                                         \
    " AND (?5 = 0 OR (b.status <> 'closed' AND EXISTS (SELECT 1 FROM bed_rectifications r"     \
    " WHERE r.bed_id = b.id AND r.status = 'open' AND r.due_on <= ?6)))"

int
bed_store_list(struct al_db *db, struct al_arena *a, const struct bed_filter *f, json_t *items,
    int64_t *total)
{
    static const struct al_page_sql sql = {.cols = BED_COLS, .from = BED_FROM,
        .order = " ORDER BY b.id"};
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, f->scope);
    al_param_text(&p, f->status);
    al_param_int(&p, f->elder_id);
    al_param_int(&p, f->overdue ? 1 : 0);
    al_param_text(&p, f->today);
    return al_db_page(db, &p, &sql, LIST_WHERE, f->limit, f->offset,
        &(struct al_rows){.cols = bed_cols}, items, total);
}

int
bed_store_get(struct al_db *db, struct al_arena *a, int64_t id, json_t **out,
    const char **region, int *state, int64_t *elder_id)
{
    static const char sql[] = "SELECT " BED_COLS BED_FROM " WHERE b.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *out = al_row_json(&(struct al_row_ctx){.a = a}, st, bed_cols);
        *region = al_stmt_dup(a, st, 1);
        *state = bed_state_parse(al_stmt_text(st, 4));
        *elder_id = al_stmt_int(st, 2);
        al_stmt_reset(st);
    }
    return rc;
}

static void
bind_flag(struct al_stmt *st, int idx, int v)
{
    if (v < 0)
        al_stmt_bind_null(st, idx);
    else
        al_stmt_bind_int(st, idx, v);
}

/* RULE-BED-002: the state is checked and changed in one statement. */
int
bed_store_move(struct al_db *db, int64_t id, int from, int to, const struct bed_update *u,
    int64_t now)
{
    static const char sql[] =
        "UPDATE beds SET status = ?, eligible = coalesce(?, eligible),"
        " eligibility_note = coalesce(?, eligibility_note), home_check = coalesce(?, home_check),"
        " care_plan = coalesce(?, care_plan), provider = coalesce(?, provider),"
        " agreement_start = coalesce(?, agreement_start),"
        " agreement_end = coalesce(?, agreement_end), installed_on = coalesce(?, installed_on),"
        " network = coalesce(?, network), install_note = coalesce(?, install_note),"
        " started_on = coalesce(?, started_on), reviewed_on = coalesce(?, reviewed_on),"
        " review_note = coalesce(?, review_note), close_reason = coalesce(?, close_reason),"
        " close_note = coalesce(?, close_note), closed_on = coalesce(?, closed_on),"
        " updated_at = ?, version = version + 1,"
        " eligibility_rule = coalesce(?, eligibility_rule),"
        " eligibility_override = coalesce(?, eligibility_override) WHERE id = ? AND status = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, bed_state_id(to));
    bind_flag(st, 2, u->eligible);
    al_stmt_bind_text(st, 3, u->eligibility_note);
    al_stmt_bind_text(st, 4, u->home_check);
    al_stmt_bind_text(st, 5, u->care_plan);
    al_stmt_bind_text(st, 6, u->provider);
    al_stmt_bind_text(st, 7, u->agreement_start);
    al_stmt_bind_text(st, 8, u->agreement_end);
    al_stmt_bind_text(st, 9, u->installed_on);
    bind_flag(st, 10, u->network);
    al_stmt_bind_text(st, 11, u->install_note);
    al_stmt_bind_text(st, 12, u->started_on);
    al_stmt_bind_text(st, 13, u->reviewed_on);
    al_stmt_bind_text(st, 14, u->review_note);
    al_stmt_bind_text(st, 15, u->close_reason);
    al_stmt_bind_text(st, 16, u->close_note);
    al_stmt_bind_text(st, 17, u->closed_on);
    al_stmt_bind_int(st, 18, now);
    al_stmt_bind_text(st, 19, u->eligibility_rule);
    al_stmt_bind_text(st, 20, u->eligibility_override);
    al_stmt_bind_int(st, 21, id);
    al_stmt_bind_text(st, 22, bed_state_id(from));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        rc = AL_ECONFLICT;
    return rc;
}

/* RULE-BED-021 */
int
bed_store_have(struct al_db *db, int64_t id, unsigned *have)
{
    static const char sql_net[] = "SELECT coalesce(network, 0) FROM beds WHERE id = ?";
    static const char sql_dev[] =
        "SELECT DISTINCT type FROM devices WHERE bed_id = ? AND status = 'active'";
    *have = 0;
    struct al_stmt *st = al_db_sql(db, sql_net);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    if (al_stmt_int(st, 0))
        *have |= BED_NEED_NETWORK;
    al_stmt_reset(st);
    st = al_db_sql(db, sql_dev);
    al_stmt_bind_int(st, 1, id);
    while ((rc = al_stmt_step(st)) == AL_ROW)
        *have |= bed_device_covers(al_stmt_text(st, 0));
    return rc;
}

int
bed_store_link_device(struct al_db *db, int64_t bed_id, int64_t elder_id, int64_t device_id,
    int64_t now)
{
    static const char sql[] = "UPDATE devices SET bed_id = ?, updated_at = ?, version = version + 1"
                              " WHERE id = ? AND elder_id = ? AND status = 'active'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(bed_id), AL_I(now), AL_I(device_id), AL_I(elder_id));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        rc = AL_ENOTFOUND;
    return rc;
}

int
bed_store_devices(struct al_db *db, struct al_arena *a, int64_t bed_id, json_t *items)
{
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "type", AL_COL_TEXT), AL_COL(2, "model", AL_COL_TEXT),
        AL_COL(3, "serial", AL_COL_TEXT), AL_COL(4, "status", AL_COL_TEXT),
        AL_COL(5, "last_seen", AL_COL_TIME), AL_COL(6, "battery", AL_COL_INT), AL_COL_END};
    static const char sql[] = "SELECT id, type, model, serial, status, last_seen, battery"
                              " FROM devices WHERE bed_id = ? ORDER BY id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, bed_id);
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

/* RULE-BED-022 */
int
bed_store_rect_open(struct al_db *db, int64_t bed_id, const char *region, const char *missing,
    const char *due_on, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO bed_rectifications(bed_id, region_code, missing, due_on, opened_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
    *id = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(bed_id), AL_T(region), AL_T(missing), AL_T(due_on), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    } else if (rc == AL_ENOTFOUND) {
        rc = AL_OK; /* one is open already */
    }
    return rc;
}

int
bed_store_rect_get_open(struct al_db *db, int64_t bed_id, int64_t *id, char due_on[11])
{
    static const char sql[] =
        "SELECT id, due_on FROM bed_rectifications WHERE bed_id = ? AND status = 'open'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, bed_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        const char *d = al_stmt_text(st, 1);
        snprintf(due_on, 11, "%s", d ? d : "");
        al_stmt_reset(st);
    }
    return rc;
}

int
bed_store_rect_resolve(struct al_db *db, int64_t rect_id, const char *status, const char *who,
    const char *note, int64_t now)
{
    static const char sql[] =
        "UPDATE bed_rectifications SET status = ?, resolved_at = ?, resolved_by = ?, note = ?"
        " WHERE id = ? AND status = 'open'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(status), AL_I(now), AL_T(who), AL_T(note), AL_I(rect_id));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        rc = AL_ECONFLICT;
    return rc;
}

int
bed_store_rects(struct al_db *db, struct al_arena *a, int64_t bed_id, json_t *items)
{
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "missing", AL_COL_TEXT), AL_COL(2, "due_on", AL_COL_TEXT),
        AL_COL(3, "status", AL_COL_TEXT), AL_COL(4, "opened_at", AL_COL_TIME),
        AL_COL(5, "resolved_at", AL_COL_TIME), AL_COL(6, "resolved_by", AL_COL_TEXT),
        AL_COL(7, "note", AL_COL_TEXT), AL_COL_END};
    static const char sql[] = "SELECT id, missing, due_on, status, opened_at, resolved_at,"
                              " resolved_by, note FROM bed_rectifications WHERE bed_id = ?"
                              " ORDER BY id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, bed_id);
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

/* RULE-BED-061 */
int
bed_store_month(struct al_db *db, struct al_arena *a, const char *scope,
    const struct bed_month *m, const char *cut,
    void (*each)(void *ctx, const struct bed_month_row *row), void *ctx)
{
    static const char sql[] =
        "SELECT b.region_code, coalesce(b.network, 0),"
        " CASE WHEN EXISTS (SELECT 1 FROM devices d WHERE d.bed_id = b.id"
        "  AND d.status = 'active' AND d.type = 'sos') THEN 1 ELSE 0 END,"
        " CASE WHEN EXISTS (SELECT 1 FROM devices d WHERE d.bed_id = b.id"
        "  AND d.status = 'active' AND d.type IN ('motion', 'door')) THEN 1 ELSE 0 END,"
        " CASE WHEN EXISTS (SELECT 1 FROM bed_rectifications r WHERE r.bed_id = b.id"
        "  AND r.opened_at <= ?4 AND (r.resolved_at IS NULL OR r.resolved_at >= ?3))"
        "  THEN 1 ELSE 0 END,"
        " CASE WHEN EXISTS (SELECT 1 FROM bed_rectifications r WHERE r.bed_id = b.id"
        "  AND r.due_on <= ?7 AND r.opened_at <= ?4 AND (r.status = 'open'"
        "  OR (r.status = 'fixed' AND r.resolved_at > ?4)"
        "  OR (r.status = 'to_home_services' AND r.resolved_at >= ?3))) THEN 1 ELSE 0 END,"
        " CASE WHEN b.close_reason = 'to_home_services' AND b.closed_on >= ?5"
        "  AND b.closed_on <= ?6 THEN 1 ELSE 0 END, b.elder_id, b.care_plan"
        " FROM beds b WHERE b.region_code >= ?1 AND b.region_code < ?2"
        " AND b.started_on IS NOT NULL AND b.started_on <= ?6"
        " AND (b.closed_on IS NULL OR b.closed_on >= ?5) ORDER BY b.region_code";
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, scope);
    al_param_int(&p, m->start_ts);
    al_param_int(&p, m->end_ts);
    al_param_text(&p, m->first);
    al_param_text(&p, m->last);
    al_param_text(&p, cut);
    struct al_stmt *st = al_db_sql(db, sql);
    al_params_bind(st, &p);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct bed_month_row row = {.region_code = al_stmt_text(st, 0)};
        if (al_stmt_int(st, 1))
            row.have |= BED_NEED_NETWORK;
        if (al_stmt_int(st, 2))
            row.have |= BED_NEED_SOS;
        if (al_stmt_int(st, 3))
            row.have |= BED_NEED_ACTIVITY;
        row.rectifying = al_stmt_int(st, 4) != 0;
        row.overdue = al_stmt_int(st, 5) != 0;
        row.to_home_services = al_stmt_int(st, 6) != 0;
        row.elder_id = al_stmt_int(st, 7);
        row.care_plan = al_stmt_text(st, 8);
        each(ctx, &row);
    }
    return rc;
}

/* RULE-BED-083: the assessment the home check found, or the request it opened (0: none). */
int
bed_store_home_assessment(struct al_db *db, int64_t id, int64_t assessment_id, int64_t request_id)
{
    static const char sql[] =
        "UPDATE beds SET assessment_id = ?2, assess_request_id = ?3 WHERE id = ?1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id), AL_REF(assessment_id), AL_REF(request_id));
    return al_stmt_run(st);
}
