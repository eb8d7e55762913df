/* The SQL of welfare visits: one text for SQLite and PostgreSQL (docs/stores.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dbq.h"
#include "core/idcard.h"
#include "core/jobs.h"
#include "region/region.h"
#include "visit/visit.h"
#include "visit/visit_int.h"

int
visit_store_rules(struct al_db *db, struct al_arena *a, struct visit_rule **out, int *n)
{
    static const char sql[] = "SELECT region_code, tier, categories, min_age, every, methods,"
                              " event_hours FROM visit_tiers ORDER BY region_code, tier";
    struct al_stmt *st = al_db_sql(db, sql);
    int rc;
    size_t cap = 0;
    *n = 0;
    *out = NULL;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        *out = al_arena_grow(a, *out, (size_t)*n, &cap, sizeof(**out), 16);
        struct visit_rule *r = &(*out)[(*n)++];
        r->region_code = al_stmt_dup(a, st, 0);
        r->tier = (enum visit_tier)visit_tier_parse(al_stmt_text(st, 1));
        r->categories = al_stmt_dup(a, st, 2);
        r->min_age = (int)al_stmt_int(st, 3);
        r->every = (enum visit_every)visit_every_parse(al_stmt_text(st, 4));
        r->methods = visit_methods_parse(al_stmt_text(st, 5));
        r->event_hours = (int)al_stmt_int(st, 6);
    }
    return rc;
}

int
visit_store_rule_put(struct al_db *db, const struct visit_rule *r, int64_t user_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO visit_tiers(region_code, tier, categories, min_age, every, methods,"
        " event_hours, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT (region_code, tier) DO UPDATE SET categories = excluded.categories,"
        " min_age = excluded.min_age, every = excluded.every, methods = excluded.methods,"
        " event_hours = excluded.event_hours, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at";
    char methods[40];
    visit_methods_text(r->methods, methods, sizeof(methods));
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(r->region_code), AL_T(visit_tier_id(r->tier)), AL_T(r->categories),
        AL_I(r->min_age), AL_T(visit_every_id(r->every)), AL_T(methods), AL_I(r->event_hours),
        AL_REF(user_id), AL_I(now));
    return al_stmt_run(st);
}

/* ---- the tiers of a scope ---- */

struct target_change {
    int64_t elder_id;
    const char *region_code, *tier, *reasons, *every, *methods;
    int event_hours;
};

struct scan_elder {
    int64_t id;
    char region[16], birth[11], tier[12], reasons[160], every[12], methods[40];
    bool destitute, active, has_row, life_threatening;
    int64_t event_hours;
    char cats[320];
};

/* Decide one scanned elder: a change to write, or nothing. */
static void
scan_decide(struct al_arena *a, const struct scan_elder *s, const struct visit_rule *rules, int n,
    const char *today, struct target_change **changes, int64_t *nchanges, size_t *cap,
    int64_t *targets)
{
    const struct visit_rule *r[4];
    visit_rules_pick(rules, n, s->region, r);
    struct visit_facts f = {.age = al_age_on(s->birth, today), .cats = s->cats,
        .destitute = s->destitute, .active = s->active, .life_threatening = s->life_threatening};
    char reasons[160];
    enum visit_tier t = visit_tier_of(&f, r, reasons, sizeof(reasons));
    char methods[40] = "";
    const char *every = NULL;
    int hours = 0;
    if (t != VISIT_NONE) {
        (*targets)++;
        visit_methods_text(r[t]->methods, methods, sizeof(methods));
        every = visit_every_id(r[t]->every);
        hours = r[t]->event_hours;
    }
    if (t == VISIT_NONE && (!s->has_row || strcmp(s->tier, "none") == 0))
        return;
    if (s->has_row && strcmp(s->tier, visit_tier_id(t)) == 0 &&
        strcmp(s->reasons, reasons) == 0 && strcmp(s->every, every ? every : "") == 0 &&
        strcmp(s->methods, methods) == 0 && s->event_hours == hours)
        return;
    *changes = al_arena_grow(a, *changes, (size_t)*nchanges, cap, sizeof(**changes), 256);
    (*changes)[(*nchanges)++] = (struct target_change){.elder_id = s->id,
        .region_code = al_arena_strdup(a, s->region), .tier = visit_tier_id(t),
        .reasons = al_arena_strdup(a, reasons), .every = every,
        .methods = t != VISIT_NONE ? al_arena_strdup(a, methods) : NULL, .event_hours = hours};
}

static void
copy_col(struct al_stmt *st, int col, char *dst, size_t size)
{
    const char *v = al_stmt_text(st, col);
    snprintf(dst, size, "%s", v ? v : "");
}

int
visit_store_refresh(struct al_db *db, struct al_arena *a, const char *scope,
    const struct visit_rule *rules, int n, const char *today, int64_t now, int64_t *targets,
    int64_t *changed)
{
    static const char scan[] =
        "SELECT e.id, e.region_code, e.birth_date, e.economic_status, e.status, t.tier,"
        " t.reasons, t.every, t.methods, t.event_hours, c.category, vc.life_threatening"
        " FROM elders e LEFT JOIN visit_targets t ON t.elder_id = e.id"
        " LEFT JOIN elder_categories c ON c.elder_id = e.id"
        " LEFT JOIN visit_conditions vc ON vc.elder_id = e.id"
        " WHERE e.region_code >= ?1 AND e.region_code < ?2 ORDER BY e.id, c.category";
    static const char put[] =
        "INSERT INTO visit_targets(elder_id, region_code, tier, reasons, every, methods,"
        " event_hours, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT (elder_id) DO UPDATE SET region_code = excluded.region_code,"
        " tier = excluded.tier, reasons = excluded.reasons, every = excluded.every,"
        " methods = excluded.methods, event_hours = excluded.event_hours,"
        " updated_at = excluded.updated_at";
    static const char cancel[] =
        "UPDATE visit_tasks SET status = 'cancelled', done_at = ?3 WHERE elder_id = ?1"
        " AND status = 'open' AND kind = 'routine' AND reason <> ?2";
    /* RULE-VISIT-063: the tier's history: the open interval ends today when the tier or region
     * changed, and a new one opens unless the elder left the target groups. */
    static const char hist_end[] =
        "UPDATE visit_target_history SET to_date = ?4 WHERE elder_id = ?1 AND to_date IS NULL"
        " AND (tier <> ?3 OR region_code <> ?2)";
    static const char hist_open[] =
        "INSERT INTO visit_target_history(elder_id, region_code, tier, from_date)"
        " SELECT ?1, ?2, ?3, ?4 WHERE ?3 <> 'none' AND NOT EXISTS (SELECT 1"
        " FROM visit_target_history WHERE elder_id = ?1 AND to_date IS NULL)";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    *targets = *changed = 0;
    struct target_change *changes = NULL;
    int64_t nchanges = 0;
    size_t cap = 0;
    struct scan_elder cur = {0};
    struct al_stmt *st = al_db_sql(db, scan);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t id = al_stmt_int(st, 0);
        if (id != cur.id) {
            if (cur.id)
                scan_decide(a, &cur, rules, n, today, &changes, &nchanges, &cap, targets);
            memset(&cur, 0, sizeof(cur));
            cur.id = id;
            copy_col(st, 1, cur.region, sizeof(cur.region));
            copy_col(st, 2, cur.birth, sizeof(cur.birth));
            const char *eco = al_stmt_text(st, 3), *status = al_stmt_text(st, 4);
            cur.destitute = eco && strcmp(eco, "tekun") == 0;
            cur.active = status && strcmp(status, "active") == 0;
            cur.has_row = !al_stmt_null(st, 5);
            copy_col(st, 5, cur.tier, sizeof(cur.tier));
            copy_col(st, 6, cur.reasons, sizeof(cur.reasons));
            copy_col(st, 7, cur.every, sizeof(cur.every));
            copy_col(st, 8, cur.methods, sizeof(cur.methods));
            cur.event_hours = al_stmt_int(st, 9);
            cur.life_threatening = al_stmt_int(st, 11) != 0; /* RULE-VISIT-066 */
        }
        const char *cat = al_stmt_text(st, 10);
        if (cat) {
            size_t len = strlen(cur.cats);
            snprintf(cur.cats + len, sizeof(cur.cats) - len, "%s%s", len ? "," : "", cat);
        }
    }
    if (rc != AL_OK)
        return rc;
    if (cur.id)
        scan_decide(a, &cur, rules, n, today, &changes, &nchanges, &cap, targets);
    /* Written after the scan: no statement runs on the connection while one is read.
     * RULE-VISIT-025: an elder whose frequency changed (or who left the target groups) keeps no
     * open routine task of the old one. */
    for (int64_t i = 0; i < nchanges && rc == AL_OK; i++) {
        const struct target_change *c = &changes[i];
        st = al_db_sql(db, put);
        al_stmt_binds(st, AL_I(c->elder_id), AL_T(c->region_code), AL_T(c->tier),
            AL_T(c->reasons), AL_T(c->every), AL_T(c->methods), AL_REF(c->event_hours),
            AL_I(now));
        if ((rc = al_stmt_run(st)) != AL_OK)
            break;
        st = al_db_sql(db, cancel);
        al_stmt_binds(st, AL_I(c->elder_id), AL_T(c->every ? c->every : ""), AL_I(now));
        if ((rc = al_stmt_run(st)) != AL_OK)
            break;
        st = al_db_sql(db, hist_end);
        al_stmt_binds(st, AL_I(c->elder_id), AL_T(c->region_code), AL_T(c->tier), AL_T(today));
        if ((rc = al_stmt_run(st)) != AL_OK)
            break;
        st = al_db_sql(db, hist_open);
        al_stmt_binds(st, AL_I(c->elder_id), AL_T(c->region_code), AL_T(c->tier), AL_T(today));
        rc = al_stmt_run(st);
    }
    *changed = nchanges;
    return rc;
}

int
visit_store_generate(struct al_db *db, const char *scope, const char *today, int64_t user_id,
    int64_t now, int64_t *created)
{
    /* RULE-VISIT-020: one routine task per elder and period; the unique (elder_id, dedupe) keeps
     * a second run from adding any (one cancelled by a change of tier, RULE-VISIT-025, opens
     * again when the elder is back in that frequency).  A task goes to the elder's visitor of
     * the moment. */
    static const char sql[] =
        "INSERT INTO visit_tasks(elder_id, region_code, tier, kind, reason, dedupe, start_date,"
        " due_date, visitor_id, created_by, created_at)"
        " SELECT t.elder_id, t.region_code, t.tier, 'routine', t.every, ?3, ?4, ?5, t.visitor_id,"
        " ?6, ?7 FROM visit_targets t WHERE t.region_code >= ?1 AND t.region_code < ?2"
        " AND t.tier <> 'none' AND t.every = ?8"
        " ON CONFLICT (elder_id, dedupe) DO UPDATE SET status = 'open', done_at = NULL,"
        " visitor_id = excluded.visitor_id WHERE visit_tasks.status = 'cancelled'";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    *created = 0;
    for (int e = VISIT_WEEK; e <= VISIT_QUARTER; e++) {
        char key[16], start[11], end[11], dedupe[32];
        if (!visit_period((enum visit_every)e, today, key, start, end))
            return AL_EINVAL;
        snprintf(dedupe, sizeof(dedupe), "routine:%s", key);
        struct al_stmt *st = al_db_sql(db, sql);
        al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(dedupe), AL_T(start), AL_T(end),
            AL_REF(user_id), AL_I(now), AL_T(visit_every_id((enum visit_every)e)));
        int rc = al_stmt_run(st);
        if (rc != AL_OK)
            return rc;
        *created += al_db_changes(db);
    }
    return AL_OK;
}

int
visit_store_target(struct al_db *db, struct al_arena *a, int64_t elder_id,
    struct visit_target *out)
{
    static const char sql[] =
        "SELECT t.elder_id, t.region_code, t.tier, t.visitor_id, t.visitor_kind, t.methods,"
        " t.event_hours, e.name, e.phone, e.lat, e.lng, e.address FROM visit_targets t"
        " JOIN elders e ON e.id = t.elder_id WHERE t.elder_id = ?1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    out->elder_id = al_stmt_int(st, 0);
    out->region_code = al_stmt_dup(a, st, 1);
    out->tier = al_stmt_dup(a, st, 2);
    out->visitor_id = al_stmt_int(st, 3);
    out->visitor_kind = al_stmt_dup(a, st, 4);
    const char *m = al_stmt_text(st, 5);
    out->methods = m ? visit_methods_parse(m) : 0;
    out->event_hours = (int)al_stmt_int(st, 6);
    out->name = al_stmt_dup(a, st, 7);
    out->phone = al_stmt_dup(a, st, 8);
    out->have_pos = !al_stmt_null(st, 9) && !al_stmt_null(st, 10);
    if (out->have_pos) {
        const char *lat = al_stmt_text(st, 9), *lng = al_stmt_text(st, 10);
        out->lat = strtod(lat, NULL);
        out->lng = strtod(lng, NULL);
    }
    out->address = al_stmt_dup(a, st, 11);
    al_stmt_reset(st);
    return AL_OK;
}

int
visit_store_event_task(struct al_db *db, const struct visit_target *t,
    const struct visit_event *ev, int64_t now, int64_t *id, bool *created)
{
    static const char ins[] =
        "INSERT INTO visit_tasks(elder_id, region_code, tier, kind, reason, dedupe, method, note,"
        " start_date, due_date, visitor_id, created_by, created_at)"
        " VALUES (?1, ?2, ?3, 'event', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        " ON CONFLICT (elder_id, dedupe) DO NOTHING";
    static const char get[] = "SELECT id FROM visit_tasks WHERE elder_id = ?1 AND dedupe = ?2";
    char dedupe[96];
    snprintf(dedupe, sizeof(dedupe), "event:%s:%s", ev->reason, ev->ref ? ev->ref : "");
    struct al_stmt *st = al_db_sql(db, ins);
    al_stmt_binds(st, AL_I(t->elder_id), AL_T(t->region_code), AL_T(t->tier), AL_T(ev->reason),
        AL_T(dedupe), AL_T(ev->method), AL_T(ev->note), AL_T(ev->today), AL_T(ev->due_date),
        AL_REF(t->visitor_id), AL_REF(ev->user_id), AL_I(now));
    int rc = al_stmt_run(st);
    if (rc != AL_OK)
        return rc;
    *created = al_db_changes(db) > 0;
    st = al_db_sql(db, get);
    al_stmt_binds(st, AL_I(t->elder_id), AL_T(dedupe));
    return al_stmt_int64(st, id);
}

/* ---- visitors ---- */

int
visit_store_user(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    const char **role, const char **status, const char **name)
{
    static const char sql[] =
        "SELECT region_code, role_id, status, display_name FROM users WHERE id = ?1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *region = al_stmt_dup(a, st, 0);
    *role = al_stmt_dup(a, st, 1);
    *status = al_stmt_dup(a, st, 2);
    *name = al_stmt_dup(a, st, 3);
    al_stmt_reset(st);
    return AL_OK;
}

int
visit_store_assign(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *region,
    int64_t visitor_id, const char *kind, int64_t by, const char *note, int64_t now,
    int64_t *count)
{
    /* The targets to change: one elder, or every target of a region (a village in bulk). */
    static const char pick_one[] =
        "SELECT elder_id, region_code FROM visit_targets WHERE elder_id = ?1 AND tier <> 'none'"
        " AND (visitor_id IS NULL OR visitor_id <> ?2 OR visitor_kind <> ?3)";
    static const char pick_region[] =
        "SELECT elder_id, region_code FROM visit_targets WHERE region_code >= ?1"
        " AND region_code < ?2 AND tier <> 'none'"
        " AND (visitor_id IS NULL OR visitor_id <> ?3 OR visitor_kind <> ?4) ORDER BY elder_id";
    static const char close_sql[] = "UPDATE visit_assignments SET to_at = ?2"
                                    " WHERE elder_id = ?1 AND to_at IS NULL";
    static const char add_sql[] =
        "INSERT INTO visit_assignments(elder_id, region_code, visitor_id, visitor_kind, from_at,"
        " assigned_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    static const char target_sql[] =
        "UPDATE visit_targets SET visitor_id = ?2, visitor_kind = ?3, assigned_at = ?4"
        " WHERE elder_id = ?1";
    static const char tasks_sql[] = "UPDATE visit_tasks SET visitor_id = ?2"
                                    " WHERE elder_id = ?1 AND status = 'open'";
    struct al_stmt *st;
    if (elder_id > 0) {
        st = al_db_sql(db, pick_one);
        al_stmt_binds(st, AL_I(elder_id), AL_I(visitor_id), AL_T(kind));
    } else {
        char lo[16], hi[16];
        region_scope_bounds(region, lo, hi);
        st = al_db_sql(db, pick_region);
        al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(visitor_id), AL_T(kind));
    }
    int64_t n = 0;
    size_t icap = 0, rcap = 0;
    int64_t *ids = NULL;
    const char **regions = NULL;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        ids = al_arena_grow(a, ids, (size_t)n, &icap, sizeof(*ids), 64);
        regions = al_arena_grow(a, regions, (size_t)n, &rcap, sizeof(*regions), 64);
        ids[n] = al_stmt_int(st, 0);
        regions[n++] = al_stmt_dup(a, st, 1);
    }
    /* RULE-VISIT-011: the previous assignment ends, the new one begins; open tasks follow. */
    for (int64_t i = 0; i < n && rc == AL_OK; i++) {
        st = al_db_sql(db, close_sql);
        al_stmt_binds(st, AL_I(ids[i]), AL_I(now));
        if ((rc = al_stmt_run(st)) != AL_OK)
            break;
        st = al_db_sql(db, add_sql);
        al_stmt_binds(st, AL_I(ids[i]), AL_T(regions[i]), AL_I(visitor_id), AL_T(kind), AL_I(now),
            AL_REF(by), AL_T(note));
        if ((rc = al_stmt_run(st)) != AL_OK)
            break;
        st = al_db_sql(db, target_sql);
        al_stmt_binds(st, AL_I(ids[i]), AL_I(visitor_id), AL_T(kind), AL_I(now));
        if ((rc = al_stmt_run(st)) != AL_OK)
            break;
        st = al_db_sql(db, tasks_sql);
        al_stmt_binds(st, AL_I(ids[i]), AL_I(visitor_id));
        rc = al_stmt_run(st);
    }
    *count = n;
    return rc;
}

int
visit_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items)
{
    static const char sql[] =
        "SELECT h.visitor_id, u.display_name, h.visitor_kind, h.from_at, h.to_at, h.note"
        " FROM visit_assignments h JOIN users u ON u.id = h.visitor_id"
        " WHERE h.elder_id = ?1 ORDER BY h.from_at DESC, h.id DESC";
    static const struct al_col cols[] = {AL_COL(0, "visitor_id", AL_COL_INT),
        AL_COL(1, "visitor_name", AL_COL_TEXT), AL_COL(2, "visitor_kind", AL_COL_TEXT),
        AL_COL(3, "from", AL_COL_TIME), AL_COL(4, "to", AL_COL_TIME),
        AL_COL(5, "note", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

/* ---- tasks ---- */

static json_t *
tier_name_col(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_string(visit_tier_name((enum visit_tier)visit_tier_parse(al_stmt_text(st, col))));
}

int
visit_store_tasks(struct al_db *db, struct al_arena *a, const struct visit_task_filter *f,
    json_t *items, int64_t *total)
{
    /* RULE-VISIT-024: overdue first, then by due date, the highest tier first. */
    static const struct al_page_sql sql = {
        .cols = "k.id, k.elder_id, e.name, e.address, e.phone, k.region_code, k.tier, k.kind,"
                " k.reason, k.method, k.note, k.start_date, k.due_date, k.status, k.visitor_id,"
                " u.display_name, k.visit_id, k.tier,"
                " CASE WHEN k.status = 'open' AND k.due_date < ?6 THEN 1 ELSE 0 END",
        .from = " FROM visit_tasks k JOIN elders e ON e.id = k.elder_id"
                " LEFT JOIN users u ON u.id = k.visitor_id",
        .order = " ORDER BY CASE WHEN k.status = 'open' AND k.due_date < ?6 THEN 0 ELSE 1 END,"
                 " k.due_date, CASE k.tier WHEN 'high' THEN 0 WHEN 'key' THEN 1 ELSE 2 END, k.id"};
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "elder_id", AL_COL_INT), AL_COL(2, "name", AL_COL_TEXT),
        AL_COL(3, "address", AL_COL_TEXT), AL_COLF(4, "phone_masked", al_col_phone_masked),
        AL_COL(5, "region_code", AL_COL_TEXT), AL_COL(6, "tier", AL_COL_TEXT),
        AL_COLF(17, "tier_name", tier_name_col), AL_COL(7, "kind", AL_COL_TEXT),
        AL_COL(8, "reason", AL_COL_TEXT), AL_COL(9, "method", AL_COL_TEXT),
        AL_COL(10, "note", AL_COL_TEXT), AL_COL(11, "start_date", AL_COL_TEXT),
        AL_COL(12, "due_date", AL_COL_TEXT), AL_COL(18, "overdue", AL_COL_BOOL),
        AL_COL(13, "status", AL_COL_TEXT), AL_COL(14, "visitor_id", AL_COL_INT),
        AL_COL(15, "visitor_name", AL_COL_TEXT), AL_COL(16, "visit_id", AL_COL_INT), AL_COL_END};
    static const char where[] =
        " WHERE k.region_code >= ?1 AND k.region_code < ?2"
        " AND (CAST(?3 AS BIGINT) = 0 OR k.visitor_id = ?3) AND k.status = ?4"
        " AND (CAST(?5 AS BIGINT) = 0 OR k.due_date < ?6)"
        " AND (CAST(?7 AS BIGINT) = 0 OR k.start_date <= ?6)";
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, f->scope);
    al_param_int(&p, f->visitor_id);
    al_param_text(&p, f->status ? f->status : "open");
    al_param_int(&p, f->overdue);
    al_param_text(&p, f->today);
    al_param_int(&p, f->due);
    return al_db_page(db, &p, &sql, where, f->limit, f->offset, &(struct al_rows){.cols = cols},
        items, total);
}

/* ---- visits ---- */

int
visit_store_set_alarm(struct al_db *db, int64_t visit_id, int64_t alarm_id)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE visit_records SET alarm_id = ?2 WHERE id = ?1");
    al_stmt_binds(st, AL_I(visit_id), AL_I(alarm_id));
    return al_stmt_run(st);
}

int
visit_store_record(struct al_db *db, const struct visit_record *v, int64_t now, int64_t *id,
    int64_t *closed)
{
    static const char ins[] =
        "INSERT INTO visit_records(elder_id, region_code, visitor_id, method, visited_at,"
        " visit_date, reached, lat, lng, distance_m, position_flag, findings, urgent, note,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        " RETURNING id";
    /* RULE-VISIT-032: a reached visit does every open task of the elder begun by its date whose
     * required method (if any) it used. */
    static const char done[] =
        "UPDATE visit_tasks SET status = 'done', visit_id = ?2, done_at = ?3"
        " WHERE elder_id = ?1 AND status = 'open' AND start_date <= ?4"
        " AND (method IS NULL OR method = ?5)";
    struct al_stmt *st = al_db_sql(db, ins);
    al_stmt_binds(st, AL_I(v->elder_id), AL_T(v->region_code), AL_I(v->visitor_id),
        AL_T(v->method), AL_I(v->visited_at), AL_T(v->visit_date), AL_I(v->reached ? 1 : 0));
    if (v->have_pos) {
        al_stmt_bind_double(st, 8, v->lat);
        al_stmt_bind_double(st, 9, v->lng);
    } else {
        al_stmt_bind_null(st, 8);
        al_stmt_bind_null(st, 9);
    }
    if (v->have_distance)
        al_stmt_bind_int(st, 10, v->distance_m);
    else
        al_stmt_bind_null(st, 10);
    al_stmt_bind_text(st, 11, v->position_flag);
    al_stmt_bind_jsonv(st, 12, v->findings);
    al_stmt_bind_int(st, 13, v->urgent ? 1 : 0);
    al_stmt_bind_text(st, 14, v->note);
    al_stmt_bind_int(st, 15, now);
    int rc = al_stmt_int64(st, id);
    *closed = 0;
    if (rc != AL_OK || !v->reached)
        return rc;
    st = al_db_sql(db, done);
    al_stmt_binds(st, AL_I(v->elder_id), AL_I(*id), AL_I(now), AL_T(v->visit_date),
        AL_T(v->method));
    if ((rc = al_stmt_run(st)) == AL_OK)
        *closed = al_db_changes(db);
    return rc;
}

int
visit_store_visits(struct al_db *db, struct al_arena *a, const char *scope, int64_t elder_id,
    int64_t visit_id, int64_t limit, int64_t offset, json_t *items, int64_t *total)
{
    static const struct al_page_sql sql = {
        .cols = "v.id, v.elder_id, e.name, v.region_code, v.visitor_id, u.display_name, v.method,"
                " v.visited_at, v.reached, v.distance_m, v.position_flag, v.findings, v.urgent,"
                " v.note, v.alarm_id",
        .from = " FROM visit_records v JOIN elders e ON e.id = v.elder_id"
                " JOIN users u ON u.id = v.visitor_id",
        .order = " ORDER BY v.visited_at DESC, v.id DESC"};
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "elder_id", AL_COL_INT), AL_COL(2, "name", AL_COL_TEXT),
        AL_COL(3, "region_code", AL_COL_TEXT), AL_COL(4, "visitor_id", AL_COL_INT),
        AL_COL(5, "visitor_name", AL_COL_TEXT), AL_COL(6, "method", AL_COL_TEXT),
        AL_COL(7, "visited_at", AL_COL_TIME), AL_COL(8, "reached", AL_COL_BOOL),
        AL_COL(9, "distance_m", AL_COL_INT), AL_COL(10, "position_flag", AL_COL_TEXT),
        AL_COL(11, "findings", AL_COL_JSON), AL_COL(12, "urgent", AL_COL_BOOL),
        AL_COL(13, "note", AL_COL_TEXT), AL_COL(14, "alarm_id", AL_COL_INT), AL_COL_END};
    static const char where[] = " WHERE v.region_code >= ?1 AND v.region_code < ?2"
                                " AND (CAST(?3 AS BIGINT) = 0 OR v.elder_id = ?3)"
                                " AND (CAST(?4 AS BIGINT) = 0 OR v.id = ?4)";
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, scope);
    al_param_int(&p, elder_id);
    al_param_int(&p, visit_id);
    return al_db_page(db, &p, &sql, where, limit, offset, &(struct al_rows){.cols = cols}, items,
        total);
}

/* ---- needs and referrals ---- */

int
visit_store_need_add(struct al_db *db, const struct visit_need *n, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO visit_needs(visit_id, elder_id, region_code, kind, need, created_by,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_REF(n->visit_id), AL_I(n->elder_id), AL_T(n->region_code),
        AL_T(n->kind), AL_T(n->need), AL_I(n->user_id), AL_I(now));
    return al_stmt_int64(st, id);
}

int
visit_store_need_get(struct al_db *db, struct al_arena *a, int64_t id, struct visit_need *out)
{
    static const char sql[] =
        "SELECT id, visit_id, elder_id, region_code, kind, need, status, target, target_ref,"
        " deadline, outcome, version FROM visit_needs WHERE id = ?1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    out->id = al_stmt_int(st, 0);
    out->visit_id = al_stmt_int(st, 1);
    out->elder_id = al_stmt_int(st, 2);
    out->region_code = al_stmt_dup(a, st, 3);
    out->kind = al_stmt_dup(a, st, 4);
    out->need = al_stmt_dup(a, st, 5);
    out->status = al_stmt_dup(a, st, 6);
    out->target = al_stmt_dup(a, st, 7);
    out->target_ref = al_stmt_dup(a, st, 8);
    out->deadline = al_stmt_dup(a, st, 9);
    out->outcome = al_stmt_dup(a, st, 10);
    out->version = al_stmt_int(st, 11);
    al_stmt_reset(st);
    return AL_OK;
}

int
visit_store_need_refer(struct al_db *db, const struct visit_need *n, int64_t now)
{
    static const char sql[] =
        "UPDATE visit_needs SET status = 'referred', target = ?3, target_ref = ?4, deadline = ?5,"
        " referred_at = ?6, referred_by = ?7, version = version + 1"
        " WHERE id = ?1 AND version = ?2 AND status = 'recorded'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(n->id), AL_I(n->version), AL_T(n->target), AL_T(n->target_ref),
        AL_T(n->deadline), AL_I(now), AL_REF(n->user_id));
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) == 0 ? AL_ECONFLICT : rc;
}

int
visit_store_need_close(struct al_db *db, int64_t id, int64_t version, const char *outcome,
    int64_t user_id, int64_t now)
{
    static const char sql[] =
        "UPDATE visit_needs SET status = 'closed', outcome = ?3, closed_at = ?4, closed_by = ?5,"
        " version = version + 1 WHERE id = ?1 AND version = ?2 AND status <> 'closed'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id), AL_I(version), AL_T(outcome), AL_I(now), AL_REF(user_id));
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) == 0 ? AL_ECONFLICT : rc;
}

int
visit_store_needs(struct al_db *db, struct al_arena *a, const struct visit_need_filter *f,
    json_t *items, int64_t *total)
{
    static const struct al_page_sql sql = {
        .cols = "n.id, n.visit_id, n.elder_id, e.name, n.region_code, n.kind, n.need, n.status,"
                " n.target, n.target_ref, n.deadline, n.outcome, n.created_at, n.referred_at,"
                " n.closed_at, n.version,"
                " CASE WHEN n.status = 'referred' AND n.deadline < ?6 THEN 1 ELSE 0 END",
        .from = " FROM visit_needs n JOIN elders e ON e.id = n.elder_id",
        .order = " ORDER BY CASE n.status WHEN 'referred' THEN 0 WHEN 'recorded' THEN 1"
                 " ELSE 2 END, n.deadline, n.id DESC"};
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "visit_id", AL_COL_INT), AL_COL(2, "elder_id", AL_COL_INT),
        AL_COL(3, "name", AL_COL_TEXT), AL_COL(4, "region_code", AL_COL_TEXT),
        AL_COL(5, "kind", AL_COL_TEXT), AL_COL(6, "need", AL_COL_TEXT),
        AL_COL(7, "status", AL_COL_TEXT), AL_COL(8, "target", AL_COL_TEXT),
        AL_COL(9, "target_ref", AL_COL_TEXT), AL_COL(10, "deadline", AL_COL_TEXT),
        AL_COL(11, "outcome", AL_COL_TEXT), AL_COL(12, "created_at", AL_COL_TIME),
        AL_COL(13, "referred_at", AL_COL_TIME), AL_COL(14, "closed_at", AL_COL_TIME),
        AL_COL(15, "version", AL_COL_INT), AL_COL(16, "overdue", AL_COL_BOOL), AL_COL_END};
    static const char where[] =
        " WHERE n.region_code >= ?1 AND n.region_code < ?2"
        " AND (CAST(?3 AS TEXT) IS NULL OR n.status = ?3)"
        " AND (CAST(?4 AS BIGINT) = 0 OR n.elder_id = ?4)"
        " AND (CAST(?5 AS BIGINT) = 0 OR (n.status = 'referred' AND n.deadline < ?6))";
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, f->scope);
    al_param_text(&p, f->status);
    al_param_int(&p, f->elder_id);
    al_param_int(&p, f->overdue);
    al_param_text(&p, f->today);
    return al_db_page(db, &p, &sql, where, f->limit, f->offset, &(struct al_rows){.cols = cols},
        items, total);
}

/* ---- measures ---- */

int
visit_store_rate(struct al_db *db, struct al_arena *a, const char *scope, const char *first,
    const char *next, const char *on, json_t *children, int64_t *targets, int64_t *visited)
{
    /* RULE-VISIT-040: target-group elders of the scope, and those of them with at least one
     * visit that reached them dated in [first, next), per child region.  RULE-VISIT-063: the
     * targets are those of day `on` (the month's last day, or today), not of today. */
    static const char sql[] =
        "SELECT substr(t.region_code, 1, ?3) AS child, count(*),"
        " sum(CASE WHEN EXISTS (SELECT 1 FROM visit_records v WHERE v.elder_id = t.elder_id"
        " AND v.reached = 1 AND v.visit_date >= ?4 AND v.visit_date < ?5) THEN 1 ELSE 0 END)"
        " FROM visit_target_history t WHERE t.region_code >= ?1 AND t.region_code < ?2"
        " AND t.from_date <= ?6 AND (t.to_date IS NULL OR t.to_date > ?6)"
        " GROUP BY substr(t.region_code, 1, ?3) ORDER BY 1";
    static const int next_len[] = {2, 4, 6, 9, 12, 12};
    int level = region_level(scope);
    int child_len = next_len[level > 0 ? level : 0];
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(child_len), AL_T(first), AL_T(next), AL_T(on));
    *targets = *visited = 0;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t n = al_stmt_int(st, 1), v = al_stmt_int(st, 2);
        *targets += n;
        *visited += v;
        json_array_append_new(children,
            json_pack("{s:s, s:I, s:I}", "region_code", al_stmt_dup(a, st, 0), "targets",
                (json_int_t)n, "visited", (json_int_t)v));
    }
    return rc;
}

/* RULE-VISIT-063: the month's list (day ?5, from the history) with today's visitor; the
 * columns VISIT_UNV_* (visit_int.h). */
static const struct al_page_sql unvisited_sql = {
    .cols = "h.elder_id, e.name, e.address, e.phone, h.region_code, h.tier, t.reasons,"
            " t.visitor_id, u.display_name, h.tier,"
            " (SELECT g.name FROM regions g WHERE g.code = h.region_code)",
    .from = " FROM visit_target_history h JOIN elders e ON e.id = h.elder_id"
            " LEFT JOIN visit_targets t ON t.elder_id = h.elder_id"
            " LEFT JOIN users u ON u.id = t.visitor_id",
    .order = " ORDER BY h.region_code, CASE h.tier WHEN 'high' THEN 0 WHEN 'key' THEN 1"
             " ELSE 2 END, h.elder_id"};
static const char unvisited_where[] =
    " WHERE h.region_code >= ?1 AND h.region_code < ?2"
    " AND h.from_date <= ?5 AND (h.to_date IS NULL OR h.to_date > ?5)"
    " AND NOT EXISTS (SELECT 1 FROM visit_records v WHERE v.elder_id = h.elder_id"
    " AND v.reached = 1 AND v.visit_date >= ?3 AND v.visit_date < ?4)";

static void
unvisited_params(struct al_params *p, struct al_arena *a, const char *scope, const char *first,
    const char *next, const char *on)
{
    al_params_init(p, a);
    region_params(p, scope);
    al_param_text(p, first);
    al_param_text(p, next);
    al_param_text(p, on);
}

int
visit_store_unvisited(struct al_db *db, struct al_arena *a, const char *scope,
    const char *first, const char *next, const char *on, int64_t limit, int64_t offset,
    json_t *items, int64_t *total)
{
    static const struct al_col cols[] = {AL_COL(VISIT_UNV_ELDER, "elder_id", AL_COL_INT),
        AL_COL(VISIT_UNV_NAME, "name", AL_COL_TEXT),
        AL_COL(VISIT_UNV_ADDRESS, "address", AL_COL_TEXT),
        AL_COLF(VISIT_UNV_PHONE, "phone_masked", al_col_phone_masked),
        AL_COL(VISIT_UNV_REGION, "region_code", AL_COL_TEXT),
        AL_COL(VISIT_UNV_TIER, "tier", AL_COL_TEXT),
        AL_COLF(VISIT_UNV_TIER2, "tier_name", tier_name_col),
        AL_COL(VISIT_UNV_REASONS, "reasons", AL_COL_TEXT),
        AL_COL(VISIT_UNV_VISITOR_ID, "visitor_id", AL_COL_INT),
        AL_COL(VISIT_UNV_VISITOR, "visitor_name", AL_COL_TEXT), AL_COL_END};
    struct al_params p;
    unvisited_params(&p, a, scope, first, next, on);
    return al_db_page(db, &p, &unvisited_sql, unvisited_where, limit, offset,
        &(struct al_rows){.cols = cols}, items, total);
}

struct al_stmt *
visit_store_unvisited_page(struct al_db *db, struct al_arena *a, const char *scope,
    const char *first, const char *next, const char *on, const char *after, int64_t limit)
{
    struct al_params p;
    unvisited_params(&p, a, scope, first, next, on);
    return al_db_keyset(db, &p, &unvisited_sql, unvisited_where, "h.elder_id", false, after,
        limit);
}

int
visit_store_referral_stats(struct al_db *db, const char *scope, int64_t from_at, int64_t to_at,
    int64_t *referred, int64_t *closed, int64_t *on_time, double *mean_days)
{
    /* RULE-VISIT-041: referrals made in the window; closed ones, those closed by their deadline
     * (the day of closing in China ≤ deadline, compared in C), and the mean time to close. */
    static const char sql[] =
        "SELECT status, deadline, referred_at, closed_at FROM visit_needs"
        " WHERE region_code >= ?1 AND region_code < ?2 AND referred_at >= ?3 AND referred_at < ?4";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(from_at), AL_I(to_at));
    *referred = *closed = *on_time = 0;
    double secs = 0;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        (*referred)++;
        const char *status = al_stmt_text(st, 0);
        if (!status || strcmp(status, "closed") != 0)
            continue;
        (*closed)++;
        int64_t ref_at = al_stmt_int(st, 2), closed_at = al_stmt_int(st, 3);
        secs += (double)(closed_at - ref_at);
        char day[11];
        al_date_cst(closed_at, day);
        const char *deadline = al_stmt_text(st, 1);
        if (deadline && strcmp(day, deadline) <= 0)
            (*on_time)++;
    }
    *mean_days = *closed ? secs / (double)*closed / 86400.0 : 0;
    return rc;
}

int
visit_store_helpers(struct al_db *db, struct al_arena *a, const char *scope, json_t *items)
{
    /* RULE-VISIT-050: per community (12-digit code) of the scope: active elders, and the distinct
     * users assigned as helpers to its target elders. */
    static const char sql[] =
        "SELECT e.region_code, count(*), (SELECT count(DISTINCT t.visitor_id) FROM visit_targets t"
        " WHERE t.region_code = e.region_code AND t.visitor_kind = 'helper'"
        " AND t.tier <> 'none'), (SELECT name FROM regions r WHERE r.code = e.region_code)"
        " FROM elders e WHERE e.region_code >= ?1 AND e.region_code < ?2 AND e.status = 'active'"
        " GROUP BY e.region_code ORDER BY e.region_code";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t elders = al_stmt_int(st, 1), helpers = al_stmt_int(st, 2);
        int need = visit_helpers_required(elders);
        json_array_append_new(items,
            json_pack("{s:s, s:s?, s:I, s:I, s:i, s:b}", "region_code", al_stmt_dup(a, st, 0),
                "region_name", al_stmt_dup(a, st, 3), "elders", (json_int_t)elders, "helpers",
                (json_int_t)helpers, "required", need, "meets", helpers >= need));
    }
    return rc;
}

int
visit_store_position_max(struct al_db *db, int *out)
{
    int64_t v = 500;
    struct al_stmt *st = al_db_sql(db, "SELECT CAST(value AS INTEGER) FROM settings"
                                       " WHERE key = 'visit.position_max_m'");
    int rc = al_stmt_int64(st, &v);
    if (rc == AL_ENOTFOUND)
        rc = AL_OK;
    *out = (int)v;
    return rc;
}

/* ---- campaigns (RULE-VISIT-070..073) ---- */

/* RULE-VISIT-072: the dedupe key of campaign `id`'s tasks ("campaign:12") into `out`. */
static const char *
campaign_key(int64_t id, char out[40])
{
    snprintf(out, 40, "campaign:%lld", (long long)id);
    return out;
}

int
visit_store_campaign_add(struct al_db *db, const struct visit_campaign *c, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO visit_campaigns(name, kind, region_code, regions, tiers, start_date,"
        " end_date, note, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(c->name), AL_T(c->kind), AL_T(c->region_code), AL_T(c->regions),
        AL_T(c->tiers), AL_T(c->start_date), AL_T(c->end_date), AL_T(c->note),
        AL_I(c->created_by), AL_I(now));
    return al_stmt_int64(st, id);
}

int
visit_store_campaign_get(struct al_db *db, struct al_arena *a, int64_t id,
    struct visit_campaign *out)
{
    static const char sql[] =
        "SELECT id, name, kind, region_code, regions, tiers, start_date, end_date, note, tasks,"
        " created_by FROM visit_campaigns WHERE id = ?1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = (struct visit_campaign){.id = al_stmt_int(st, 0), .name = al_stmt_dup(a, st, 1),
        .kind = al_stmt_dup(a, st, 2), .region_code = al_stmt_dup(a, st, 3),
        .regions = al_stmt_dup(a, st, 4), .tiers = al_stmt_dup(a, st, 5),
        .start_date = al_stmt_dup(a, st, 6), .end_date = al_stmt_dup(a, st, 7),
        .note = al_stmt_dup(a, st, 8), .tasks = al_stmt_int(st, 9),
        .created_by = al_stmt_int(st, 10)};
    al_stmt_reset(st);
    return AL_OK;
}

int
visit_store_campaigns(struct al_db *db, struct al_arena *a, const char *scope, int64_t limit,
    int64_t offset, json_t *items, int64_t *total)
{
    /* RULE-VISIT-071: the campaigns organised inside the scope or by a region holding it. */
    static const struct al_page_sql sql = {
        .cols = "c.id, c.name, c.kind, c.region_code, c.regions, c.tiers, c.start_date,"
                " c.end_date, c.note, c.tasks",
        .from = " FROM visit_campaigns c",
        .order = " ORDER BY c.start_date DESC, c.id DESC"};
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "kind", AL_COL_TEXT),
        AL_COL(3, "region_code", AL_COL_TEXT), AL_COL(4, "regions", AL_COL_TEXT),
        AL_COL(5, "tiers", AL_COL_TEXT), AL_COL(6, "start_date", AL_COL_TEXT),
        AL_COL(7, "end_date", AL_COL_TEXT), AL_COL(8, "note", AL_COL_TEXT),
        AL_COL(9, "tasks", AL_COL_INT), AL_COL_END};
    static const char where[] = " WHERE (c.region_code >= ?1 AND c.region_code < ?2)"
                                " OR substr(?3, 1, length(c.region_code)) = c.region_code";
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, scope);
    al_param_text(&p, scope);
    return al_db_page(db, &p, &sql, where, limit, offset, &(struct al_rows){.cols = cols}, items,
        total);
}

int
visit_store_campaign_generate(struct al_db *db, const struct visit_campaign *c,
    const char *region, int64_t user_id, int64_t now, int64_t *created)
{
    /* RULE-VISIT-072: one task per target of the region in a covered tier, for the window; the
     * unique (elder_id, dedupe) keeps a second run from adding any. */
    static const char sql[] =
        "INSERT INTO visit_tasks(elder_id, region_code, tier, kind, reason, dedupe, note,"
        " start_date, due_date, visitor_id, created_by, created_at)"
        " SELECT t.elder_id, t.region_code, t.tier, 'event', 'campaign', ?3, ?4, ?5, ?6,"
        " t.visitor_id, ?7, ?8 FROM visit_targets t WHERE t.region_code >= ?1"
        " AND t.region_code < ?2 AND t.tier <> 'none'"
        " AND (',' || ?9 || ',') LIKE ('%,' || t.tier || ',%')"
        " ON CONFLICT (elder_id, dedupe) DO NOTHING";
    static const char count[] = "UPDATE visit_campaigns SET tasks = (SELECT count(*)"
                                " FROM visit_tasks WHERE dedupe = ?2) WHERE id = ?1";
    char lo[16], hi[16], dedupe[40];
    region_scope_bounds(region, lo, hi);
    campaign_key(c->id, dedupe);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(dedupe), AL_T(c->name), AL_T(c->start_date),
        AL_T(c->end_date), AL_I(user_id), AL_I(now), AL_T(c->tiers));
    int rc = al_stmt_run(st);
    if (rc == AL_OK)
        *created += al_db_changes(db);
    if (rc == AL_OK) {
        st = al_db_sql(db, count);
        al_stmt_binds(st, AL_I(c->id), AL_T(dedupe));
        rc = al_stmt_run(st);
    }
    return rc;
}

int
visit_store_campaign_rate(struct al_db *db, const char *scope, int64_t id, int64_t *tasks,
    int64_t *done)
{
    /* RULE-VISIT-073: the campaign's tasks in the scope (not cancelled) and those done. */
    static const char sql[] =
        "SELECT count(*), COALESCE(sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0)"
        " FROM visit_tasks WHERE dedupe = ?3 AND status <> 'cancelled'"
        " AND region_code >= ?1 AND region_code < ?2";
    char lo[16], hi[16], dedupe[40];
    region_scope_bounds(scope, lo, hi);
    campaign_key(id, dedupe);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(dedupe));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *tasks = al_stmt_int(st, 0);
    *done = al_stmt_int(st, 1);
    al_stmt_reset(st);
    return AL_OK;
}

int
visit_store_campaign_unvisited(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t id, int64_t limit, int64_t offset, json_t *items, int64_t *total)
{
    static const struct al_page_sql sql = {
        .cols = "k.elder_id, e.name, e.address, e.phone, k.region_code, k.tier, k.visitor_id,"
                " u.display_name, k.due_date, k.tier",
        .from = " FROM visit_tasks k JOIN elders e ON e.id = k.elder_id"
                " LEFT JOIN users u ON u.id = k.visitor_id",
        .order = " ORDER BY k.region_code, CASE k.tier WHEN 'high' THEN 0 WHEN 'key' THEN 1"
                 " ELSE 2 END, k.elder_id"};
    static const struct al_col cols[] = {AL_COL(0, "elder_id", AL_COL_INT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "address", AL_COL_TEXT),
        AL_COLF(3, "phone_masked", al_col_phone_masked), AL_COL(4, "region_code", AL_COL_TEXT),
        AL_COL(5, "tier", AL_COL_TEXT), AL_COLF(9, "tier_name", tier_name_col),
        AL_COL(6, "visitor_id", AL_COL_INT), AL_COL(7, "visitor_name", AL_COL_TEXT),
        AL_COL(8, "due_date", AL_COL_TEXT), AL_COL_END};
    static const char where[] = " WHERE k.region_code >= ?1 AND k.region_code < ?2"
                                " AND k.dedupe = ?3 AND k.status = 'open'";
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, scope);
    char key[40];
    al_param_text(&p, campaign_key(id, key));
    return al_db_page(db, &p, &sql, where, limit, offset, &(struct al_rows){.cols = cols}, items,
        total);
}

/* ---- the life-threatening condition (RULE-VISIT-066) ---- */

int
visit_store_condition_set(struct al_db *db, int64_t elder_id, const char *region, bool on,
    const char *note, int64_t user_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO visit_conditions(elder_id, region_code, life_threatening, note, set_by,"
        " set_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (elder_id) DO UPDATE SET"
        " region_code = excluded.region_code, life_threatening = excluded.life_threatening,"
        " note = excluded.note, set_by = excluded.set_by, set_at = excluded.set_at";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(region), AL_I(on ? 1 : 0), AL_T(note), AL_I(user_id),
        AL_I(now));
    return al_stmt_run(st);
}

int
visit_store_condition(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t **out)
{
    static const char sql[] =
        "SELECT c.life_threatening, c.note, u.display_name, c.set_at FROM visit_conditions c"
        " LEFT JOIN users u ON u.id = c.set_by WHERE c.elder_id = ?1";
    static const struct al_col cols[] = {AL_COL(0, "life_threatening", AL_COL_BOOL),
        AL_COL(1, "note", AL_COL_TEXT), AL_COL(2, "set_by_name", AL_COL_TEXT),
        AL_COL(3, "set_at", AL_COL_TIME), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id));
    int rc = al_stmt_one(st);
    if (rc == AL_ENOTFOUND) {
        *out = json_null();
        return AL_OK;
    }
    if (rc != AL_OK)
        return rc;
    *out = al_row_json(&(struct al_row_ctx){.a = a}, st, cols);
    al_stmt_reset(st);
    return AL_OK;
}

/* ---- one generation at a time per region (RULE-VISIT-083) ---- */

/* A lock row of gen_lock's scan. */
struct gen_holder {
    const char *region;
    int64_t job_id, created_at;
};

/* Is the holder's job over (done or failed), or did it never get one (2 minutes)? */
static bool
gen_stale(struct al_db *db, const struct gen_holder *h, int64_t now)
{
    if (h->job_id <= 0)
        return h->created_at < now - 120;
    json_t *job = NULL;
    int64_t owner;
    int rc = al_jobs_get(db, h->job_id, &job, &owner);
    const char *status = rc == AL_OK ? json_string_value(json_object_get(job, "status")) : NULL;
    bool over = rc == AL_ENOTFOUND || (status && al_jobs_finished(status));
    json_decref(job);
    return over;
}

int
visit_store_gen_lock(struct al_db *db, struct al_arena *a, const char *region, const char *kind,
    int64_t now, const char **held)
{
    static const char scan[] =
        "SELECT region_code, job_id, created_at FROM visit_generation_locks"
        " WHERE region_code = substr(?1, 1, length(region_code))"
        " OR (region_code >= ?2 AND region_code < ?3)";
    static const char drop[] = "DELETE FROM visit_generation_locks WHERE region_code = ?1";
    static const char take[] = "INSERT INTO visit_generation_locks(region_code, kind, created_at)"
                               " VALUES (?1, ?2, ?3) ON CONFLICT (region_code) DO NOTHING";
    char lo[16], hi[16];
    region_scope_bounds(region, lo, hi);
    struct gen_holder h[16];
    int n = 0, rc;
    *held = NULL;
    struct al_stmt *st = al_db_sql(db, scan);
    al_stmt_binds(st, AL_T(region), AL_T(lo), AL_T(hi));
    while ((rc = al_stmt_step(st)) == AL_ROW)
        if (n < 16)
            h[n++] = (struct gen_holder){.region = al_stmt_dup(a, st, 0),
                .job_id = al_stmt_int(st, 1), .created_at = al_stmt_int(st, 2)};
    for (int i = 0; i < n && rc == AL_OK && !*held; i++) {
        if (!gen_stale(db, &h[i], now)) {
            *held = h[i].region;
            break;
        }
        st = al_db_sql(db, drop);
        al_stmt_binds(st, AL_T(h[i].region));
        rc = al_stmt_run(st);
    }
    if (rc != AL_OK || *held)
        return rc == AL_OK ? AL_ECONFLICT : rc;
    st = al_db_sql(db, take);
    al_stmt_binds(st, AL_T(region), AL_T(kind), AL_I(now));
    if ((rc = al_stmt_run(st)) == AL_OK && al_db_changes(db) == 0) {
        *held = region; /* taken meanwhile */
        rc = AL_ECONFLICT;
    }
    return rc;
}

int
visit_store_gen_locked(struct al_db *db, const char *region, int64_t job_id)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE visit_generation_locks SET job_id = ?2"
                                       " WHERE region_code = ?1 AND job_id IS NULL");
    al_stmt_binds(st, AL_T(region), AL_I(job_id));
    return al_stmt_run(st);
}

int
visit_store_gen_unlock(struct al_db *db, const char *region)
{
    struct al_stmt *st =
        al_db_sql(db, "DELETE FROM visit_generation_locks WHERE region_code = ?1");
    al_stmt_binds(st, AL_T(region));
    return al_stmt_run(st);
}

/* The visit's method in Chinese (AL_COL_FN). */
static json_t *
method_zh(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *m = al_stmt_text(st, col);
    int k = visit_method_parse(m);
    return json_string(k >= 0 ? visit_method_name(k) : m);
}

int
visit_recent_json(struct al_db *db, struct al_arena *a, int64_t elder_id, int limit, json_t **out)
{
    /* RULE-VISIT-090: the newest first. */
    static const char sql[] =
        "SELECT v.id, v.visited_at, v.method, v.method, v.reached, v.urgent, u.display_name"
        " FROM visit_records v JOIN users u ON u.id = v.visitor_id WHERE v.elder_id = ?1"
        " ORDER BY v.visited_at DESC, v.id DESC LIMIT ?2";
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "visited_at", AL_COL_TIME), AL_COL(2, "method", AL_COL_TEXT),
        AL_COLF(3, "method_name", method_zh), AL_COL(4, "reached", AL_COL_BOOL),
        AL_COL(5, "urgent", AL_COL_BOOL), AL_COL(6, "visitor_name", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(limit));
    return al_db_rows_new(st, a, &(struct al_rows){.cols = cols}, out);
}
