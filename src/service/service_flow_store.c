/*
 * Home services, the order flow: the SQL of recurring plans (RULE-SVC-130..135) and of the
 * answer-time sweep (RULE-SVC-141).  Engine-neutral (core/db.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bed/bed.h"
#include "core/dbq.h"
#include "region/region.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"

int
service_flow_settings(struct al_db *db, int *accept_min, int *plan_days)
{
    static const char sql[] = "SELECT key, value FROM settings"
                              " WHERE key IN ('service.accept_minutes', 'service.plan_days')";
    *accept_min = 15;
    *plan_days = 7;
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *k = al_stmt_text(st, 0), *v = al_stmt_text(st, 1);
        long n = v ? strtol(v, NULL, 10) : 0;
        if (strcmp(k, "service.accept_minutes") == 0 && n >= 1 && n <= 1440)
            *accept_min = (int)n;
        else if (strcmp(k, "service.plan_days") == 0 && n >= 1 && n <= 62)
            *plan_days = (int)n;
    }
    return rc;
}

int
service_flow_plan_add(struct al_db *db, const struct svc_plan *p, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO svc_plans(region_code, elder_id, item_code, pattern, days, start_min,"
        " from_date, to_date, note, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(p->region_code), AL_I(p->elder_id), AL_T(p->item_code),
        AL_T(p->pattern), AL_T(p->days), AL_I(p->start_min), AL_T(p->from_date),
        AL_T(p->to_date), AL_T(p->note ? p->note : ""), AL_T(p->created_by), AL_I(now),
        AL_I(now));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    *id = al_stmt_int(st, 0);
    al_stmt_reset(st);
    return AL_OK;
}

#define PLAN_COLS                                                                              \
    "p.id, p.elder_id, p.version, p.region_code, p.item_code, p.pattern, p.days,"              \
    " p.from_date, p.to_date, p.note, p.status, p.generated_to, p.created_by, p.start_min"

static void
plan_row(struct al_arena *a, struct al_stmt *st, struct svc_plan *p)
{
    p->id = al_stmt_int(st, 0);
    p->elder_id = al_stmt_int(st, 1);
    p->version = al_stmt_int(st, 2);
    p->region_code = al_stmt_dup(a, st, 3);
    p->item_code = al_stmt_dup(a, st, 4);
    p->pattern = al_stmt_dup(a, st, 5);
    p->days = al_stmt_dup(a, st, 6);
    p->from_date = al_stmt_dup(a, st, 7);
    p->to_date = al_stmt_dup(a, st, 8);
    p->note = al_stmt_dup(a, st, 9);
    p->status = al_stmt_dup(a, st, 10);
    p->generated_to = al_stmt_dup(a, st, 11);
    p->created_by = al_stmt_dup(a, st, 12);
    p->start_min = (int)al_stmt_int(st, 13);
}

int
service_flow_plan(struct al_db *db, struct al_arena *a, int64_t id, struct svc_plan *out)
{
    struct al_stmt *st = al_db_sql(db, "SELECT " PLAN_COLS " FROM svc_plans p WHERE p.id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        plan_row(a, st, out);
        al_stmt_reset(st);
    }
    return rc;
}

static const struct al_col plan_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "elder_id", AL_COL_INT), AL_COL(2, "version", AL_COL_INT),
    AL_COL(3, "region_code", AL_COL_TEXT), AL_COL(4, "item_code", AL_COL_TEXT),
    AL_COL(5, "pattern", AL_COL_TEXT), AL_COL(6, "days", AL_COL_TEXT),
    AL_COL(7, "from_date", AL_COL_TEXT), AL_COL(8, "to_date", AL_COL_TEXT),
    AL_COL(9, "note", AL_COL_TEXT), AL_COL(10, "status", AL_COL_TEXT),
    AL_COL(11, "generated_to", AL_COL_TEXT), AL_COL(12, "created_by", AL_COL_TEXT),
    AL_COL(13, "start_min", AL_COL_INT), AL_COL(14, "item_name", AL_COL_TEXT),
    AL_COL(15, "elder_name", AL_COL_TEXT), AL_COL(16, "stop_reason", AL_COL_TEXT),
    AL_COL(17, "orders", AL_COL_INT), AL_COL_END};

int
service_flow_plans_json(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t elder_id, json_t *items)
{
    static const char sql[] =
        "SELECT " PLAN_COLS ", i.name, e.name, p.stop_reason,"
        " (SELECT count(*) FROM svc_orders o WHERE o.plan_id = p.id)"
        " FROM svc_plans p JOIN svc_items i ON i.code = p.item_code"
        " JOIN elders e ON e.id = p.elder_id"
        " WHERE p.region_code >= ?1 AND p.region_code < ?2 AND (?3 = 0 OR p.elder_id = ?3)"
        " ORDER BY p.id DESC LIMIT 500";
    struct al_params p;
    al_params_init(&p, a);
    region_params(&p, scope);
    al_param_int(&p, elder_id);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_params_bind(st, &p);
    return al_db_rows(st, a, &(struct al_rows){.cols = plan_cols}, items);
}

int
service_flow_active(struct al_db *db, struct al_arena *a, int64_t only, struct svc_plan **out,
    size_t *n)
{
    static const char sql[] = "SELECT " PLAN_COLS " FROM svc_plans p"
                              " WHERE p.status = 'active' AND (?1 = 0 OR p.id = ?1) ORDER BY p.id";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, only);
    size_t cap = 0;
    *n = 0;
    *out = NULL;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        *out = al_arena_grow(a, *out, *n, &cap, sizeof(**out), 16);
        plan_row(a, st, &(*out)[(*n)++]);
    }
    return rc;
}

int
service_flow_plan_stop(struct al_db *db, int64_t id, const char *reason, int64_t now)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE svc_plans SET status = 'stopped', stop_reason = ?,"
                                       " updated_at = ?, version = version + 1"
                                       " WHERE id = ? AND status = 'active'");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(reason), AL_I(now), AL_I(id));
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) != 1 ? AL_ECONFLICT : rc;
}

int
service_flow_plan_has(struct al_db *db, int64_t plan_id, const char *date, bool *yes)
{
    struct al_stmt *st =
        al_db_sql(db, "SELECT count(*) FROM svc_orders WHERE plan_id = ? AND plan_date = ?");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(plan_id), AL_T(date));
    int64_t n = 0;
    int rc = al_stmt_int64(st, &n);
    *yes = n > 0;
    return rc;
}

int
service_flow_plan_link(struct al_db *db, int64_t order_id, int64_t plan_id, const char *date)
{
    struct al_stmt *st = al_db_sql(db,
        "UPDATE svc_orders SET plan_id = ?, plan_date = ? WHERE id = ? AND NOT EXISTS"
        " (SELECT 1 FROM svc_orders x WHERE x.plan_id = ? AND x.plan_date = ?)");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(plan_id), AL_T(date), AL_I(order_id), AL_I(plan_id), AL_T(date));
    int rc = al_stmt_run(st);
    return rc == AL_OK && al_db_changes(db) != 1 ? AL_ECONFLICT : rc;
}

int
service_flow_plan_generated(struct al_db *db, int64_t id, const char *date)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE svc_plans SET generated_to = ? WHERE id = ?"
                                       " AND (generated_to IS NULL OR generated_to < ?)");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(date), AL_I(id), AL_T(date));
    return al_stmt_run(st);
}

int
service_flow_overdue(struct al_db *db, struct al_arena *a, int64_t before,
    struct svc_overdue **out, size_t *n)
{
    /* The time of the move into the current assignment: the newest event into 'assigned'. */
    static const char sql[] =
        "SELECT o.id, o.region_code, coalesce(c.name, ''), e.at"
        " FROM svc_orders o LEFT JOIN svc_caregivers c ON c.id = o.caregiver_id"
        " JOIN svc_order_events e ON e.id = (SELECT max(x.id) FROM svc_order_events x"
        "  WHERE x.order_id = o.id)"
        " WHERE o.status = 'assigned' AND e.to_status = 'assigned' AND e.at <= ?"
        " ORDER BY o.id LIMIT 1000";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, before);
    size_t cap = 0;
    *n = 0;
    *out = NULL;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        *out = al_arena_grow(a, *out, *n, &cap, sizeof(**out), 16);
        (*out)[(*n)++] = (struct svc_overdue){.order_id = al_stmt_int(st, 0),
            .region_code = al_stmt_dup(a, st, 1), .caregiver_name = al_stmt_dup(a, st, 2),
            .assigned_at = al_stmt_int(st, 3)};
    }
    return rc;
}

/* ---- the family's view (RULE-SVC-152..156) ---- */

static const struct al_col family_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "status", AL_COL_TEXT), AL_COLF(1, "status_name", service_col_state_zh),
    AL_COL(2, "window_start", AL_COL_TIME), AL_COL(3, "window_end", AL_COL_TIME),
    AL_COL(4, "planned_min", AL_COL_INT), AL_COL(5, "item_name", AL_COL_TEXT),
    AL_COL(6, "items", AL_COL_INT), AL_COL(7, "caregiver_name", AL_COL_TEXT),
    AL_COL(8, "total_fen", AL_COL_INT), AL_COL(9, "entitled_fen", AL_COL_INT),
    AL_COL(10, "elder_fen", AL_COL_INT), AL_COL(11, "rating", AL_COL_INT),
    AL_COL(12, "rating_comment", AL_COL_TEXT), AL_COL(13, "note", AL_COL_TEXT),
    AL_COL(14, "channel", AL_COL_TEXT), AL_COL(15, "plan_id", AL_COL_INT),
    AL_COL(16, "elder_id", AL_COL_INT), AL_COL_END};

int
service_flow_elder_orders(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items)
{
    static const char sql[] =
        "SELECT o.id, o.status, o.window_start, o.window_end, o.planned_min,"
        " (SELECT i.name FROM svc_order_lines l JOIN svc_items i ON i.code = l.item_code"
        "  WHERE l.order_id = o.id ORDER BY l.line_no LIMIT 1),"
        " (SELECT count(*) FROM svc_order_lines l WHERE l.order_id = o.id),"
        " c.name, o.total_fen, o.entitled_fen, o.elder_fen, o.rating, o.rating_comment, o.note,"
        " o.channel, o.plan_id, o.elder_id"
        " FROM svc_orders o LEFT JOIN svc_caregivers c ON c.id = o.caregiver_id"
        " WHERE o.elder_id = ? ORDER BY o.window_start DESC, o.id DESC LIMIT 200";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, elder_id);
    return al_db_rows(st, a, &(struct al_rows){.cols = family_cols}, items);
}

/* ---- no double payment (RULE-SVC-162..164) ---- */

int
service_flow_double(struct al_db *db, struct al_arena *a, int64_t order_id, const char **code,
    const char **detail)
{
    /* RULE-SVC-162: another provider's statement line for the same elder, an item in common and
       overlapping times. */
    static const char sql_other[] =
        "SELECT o2.id, p2.name FROM svc_orders o JOIN svc_stations s ON s.id = o.station_id,"
        " svc_settlement_lines l JOIN svc_orders o2 ON o2.id = l.order_id"
        " JOIN svc_stations s2 ON s2.id = o2.station_id"
        " JOIN svc_providers p2 ON p2.id = s2.provider_id"
        " WHERE o.id = ? AND o2.elder_id = o.elder_id AND o2.id <> o.id"
        " AND s2.provider_id <> s.provider_id"
        " AND o2.window_start < o.window_end AND o.window_start < o2.window_end"
        " AND EXISTS (SELECT 1 FROM svc_order_lines x JOIN svc_order_lines y"
        "  ON y.item_code = x.item_code WHERE x.order_id = o.id AND y.order_id = o2.id)"
        " ORDER BY o2.id LIMIT 1";
    static const char sql_items[] =
        "SELECT i.name, o.elder_id, o.window_start FROM svc_order_lines l"
        " JOIN svc_items i ON i.code = l.item_code JOIN svc_orders o ON o.id = l.order_id"
        " WHERE l.order_id = ? ORDER BY l.line_no";
    *code = NULL;
    *detail = NULL;
    struct al_stmt *st = al_db_sql(db, sql_other);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, order_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *code = "paid_other_provider";
        *detail = al_arena_printf(a, "同一老人、同一服务、同一时段已由「%s」结算（订单 %lld）",
            al_stmt_text(st, 1), (long long)al_stmt_int(st, 0));
        al_stmt_reset(st);
        return AL_OK;
    }
    if (rc != AL_ENOTFOUND)
        return rc;
    /* RULE-SVC-163: a family care bed's service package covers an item of the order. */
    if (!(st = al_db_sql(db, sql_items)))
        return AL_EDB;
    al_stmt_bind_int(st, 1, order_id);
    struct {
        const char *name;
        int64_t elder, start;
    } it[8];
    int n = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        if (n < 8) {
            it[n].name = al_stmt_dup(a, st, 0);
            it[n].elder = al_stmt_int(st, 1);
            it[n++].start = al_stmt_int(st, 2);
        }
    if (rc != AL_OK)
        return rc;
    for (int i = 0; i < n; i++) {
        char date[11];
        bool covered = false;
        int64_t bed = 0;
        service_cst_date(it[i].start, date);
        if ((rc = bed_covers_service(db, it[i].elder, date, it[i].name, &covered, &bed)) != AL_OK)
            return rc;
        if (covered) {
            *code = "bed_package";
            *detail = al_arena_printf(a, "「%s」已含在家庭养老床位（床位 %lld）的服务包内",
                it[i].name, (long long)bed);
            return AL_OK;
        }
    }
    return AL_OK;
}

int
service_flow_hold(struct al_db *db, int64_t settlement_id, int64_t order_id, const char *code,
    const char *detail, int64_t now)
{
    /* RULE-SVC-197: an adjustment holds again what its statement held: the newest reason. */
    struct al_stmt *st = al_db_sql(db, "INSERT INTO svc_settle_holds(settlement_id, order_id,"
                                       " code, detail, created_at) VALUES (?, ?, ?, ?, ?)"
                                       " ON CONFLICT (settlement_id, order_id) DO UPDATE SET"
                                       " code = excluded.code, detail = excluded.detail");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(settlement_id), AL_I(order_id), AL_T(code), AL_T(detail), AL_I(now));
    return al_stmt_run(st);
}

static const struct al_col hold_cols[] = {AL_COL(0, "order_id", AL_COL_INT),
    AL_COL(1, "code", AL_COL_TEXT), AL_COL(2, "detail", AL_COL_TEXT), AL_COL_END};

int
service_flow_holds_json(struct al_db *db, struct al_arena *a, int64_t settlement_id, json_t *items)
{
    struct al_stmt *st = al_db_sql(db, "SELECT order_id, code, detail FROM svc_settle_holds"
                                       " WHERE settlement_id = ? ORDER BY order_id");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, settlement_id);
    return al_db_rows(st, a, &(struct al_rows){.cols = hold_cols}, items);
}
