/*
 * Home services: the SQL (both engines, docs/stores.md).  Contracts in
 * service_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "core/dbq.h"
#include "entitle/entitle.h"
#include "region/region.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"
#include "service/service_admin_int.h"

int
service_store_settings(struct al_db *db, struct svc_travel_cfg *t, struct svc_evv_cfg *e)
{
    static const char sql[] = "SELECT key, value FROM settings WHERE key IN ('service.speed_kmh',"
                              " 'service.detour_pct', 'service.evv_radius_m', 'service.clock_skew_s',"
                              " 'service.evv_short_pct', 'service.evv_long_pct',"
                              " 'service.confirm_hours')";
    *t = (struct svc_travel_cfg){.speed_kmh = 20, .detour_pct = 140};
    *e = (struct svc_evv_cfg){.radius_m = 100, .skew_s = 300, .short_pct = SVC_SHORT_PCT,
        .long_pct = SVC_LONG_PCT, .confirm_h = SVC_CONFIRM_HOURS};
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *k = al_stmt_text(st, 0), *v = al_stmt_text(st, 1);
        long n = v ? strtol(v, NULL, 10) : 0;
        if (strcmp(k, "service.speed_kmh") == 0 && n > 0 && n <= 200)
            t->speed_kmh = (int)n;
        else if (strcmp(k, "service.detour_pct") == 0 && n >= 100 && n <= 500)
            t->detour_pct = (int)n;
        else if (strcmp(k, "service.evv_radius_m") == 0 && n > 0 && n <= 10000)
            e->radius_m = (int)n;
        else if (strcmp(k, "service.clock_skew_s") == 0 && n > 0 && n <= 86400)
            e->skew_s = (int)n;
        else if (strcmp(k, "service.evv_short_pct") == 0 && n >= 1 && n <= 99) /* RULE-SVC-175 */
            e->short_pct = (int)n;
        else if (strcmp(k, "service.evv_long_pct") == 0 && n >= 101 && n <= 1000)
            e->long_pct = (int)n;
        else if (strcmp(k, "service.confirm_hours") == 0 && n >= 1 && n <= 720) /* RULE-SVC-192 */
            e->confirm_h = (int)n;
    }
    return rc;
}

int
service_store_evv_limits_put(struct al_db *db, const struct svc_evv_cfg *e)
{
    static const char sql[] = "INSERT INTO settings(key, value) VALUES (?, ?)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    const char *keys[] = {"service.evv_short_pct", "service.evv_long_pct",
        "service.confirm_hours"};
    int vals[] = {e->short_pct, e->long_pct, e->confirm_h}, rc = AL_OK;
    for (int i = 0; i < 3 && rc == AL_OK; i++) {
        struct al_stmt *st = al_db_sql(db, sql);
        if (!st)
            return AL_EDB;
        char v[16];
        snprintf(v, sizeof(v), "%d", vals[i]);
        al_stmt_bind_text(st, 1, keys[i]);
        al_stmt_bind_text(st, 2, v);
        rc = al_stmt_run(st);
    }
    return rc;
}

#define ITEM_COLS                                                                              \
    "code, name, skill, entitle_item_key, price_fen, planned_min, category, cert_required"

int
service_store_item(struct al_db *db, struct al_arena *a, const char *code, struct svc_item *out)
{
    static const char sql[] = "SELECT " ITEM_COLS " FROM svc_items WHERE code = ? AND active = 1";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, code);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    out->code = al_stmt_dup(a, st, 0);
    out->name = al_stmt_dup(a, st, 1);
    out->skill = al_stmt_dup(a, st, 2);
    out->entitle_key = al_stmt_dup(a, st, 3);
    out->price_fen = al_stmt_int(st, 4);
    out->planned_min = (int)al_stmt_int(st, 5);
    out->cert_required = al_stmt_int(st, 7) == 1;
    al_stmt_reset(st);
    return AL_OK;
}

static const struct al_col item_cols[] = {AL_COL(0, "code", AL_COL_TEXT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "skill", AL_COL_TEXT),
    AL_COL(3, "entitle_item_key", AL_COL_TEXT), AL_COL(4, "price_fen", AL_COL_INT),
    AL_COL(5, "planned_min", AL_COL_INT), AL_COL(6, "category", AL_COL_TEXT),
    AL_COL(7, "cert_required", AL_COL_BOOL), AL_COL_END};

int
service_store_items(struct al_db *db, struct al_arena *a, json_t *items)
{
    static const char sql[] = "SELECT " ITEM_COLS " FROM svc_items WHERE active = 1 ORDER BY sort, code";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    return al_db_rows(st, a, &(struct al_rows){.cols = item_cols}, items);
}

/* Unix seconds of 00:00 China time on the first day of `date`'s month and of the next. */
static void
month_bounds(const char *date, int64_t *lo, int64_t *hi)
{
    int y = atoi(date), m = atoi(date + 5);
    struct tm t = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1};
    *lo = (int64_t)timegm(&t) - 8 * 3600;
    t = (struct tm){.tm_year = y - 1900 + (m == 12), .tm_mon = m % 12, .tm_mday = 1};
    *hi = (int64_t)timegm(&t) - 8 * 3600;
}

int
service_quota_left(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *today, struct svc_quota *q)
{
    /* RULE-SVC-160: the standard is the entitlement module's (entitle.h); the use is ours. */
    static const char sql_used[] =
        "SELECT coalesce(sum(l.entitled_fen), 0),"
        " coalesce(sum(CASE WHEN l.entitled_fen > 0 THEN 1 ELSE 0 END), 0)"
        " FROM svc_order_lines l JOIN svc_orders o ON o.id = l.order_id"
        " WHERE o.elder_id = ? AND l.entitle_item_key = ? AND o.status <> 'cancelled'"
        "   AND o.window_start >= ? AND o.window_start < ?";
    q->entitled = false;
    q->by_times = false;
    q->left = 0;
    int64_t lo, hi;
    struct entitle_monthly m;
    int rc = entitle_monthly_standard(db, elder_id, region_code, q->item_key, today, &m);
    if (rc != AL_OK || !m.entitled)
        return rc;
    q->by_times = m.by_times;
    int64_t quota = m.per_month;
    struct al_stmt *st;
    q->entitled = true;
    month_bounds(today, &lo, &hi);
    if (!(st = al_db_sql(db, sql_used)))
        return AL_EDB;
    al_stmt_binds(st, AL_I(elder_id), AL_T(q->item_key), AL_I(lo), AL_I(hi));
    if ((rc = al_stmt_one(st)) != AL_OK)
        return rc;
    int64_t used = q->by_times ? al_stmt_int(st, 1) : al_stmt_int(st, 0);
    al_stmt_reset(st);
    q->left = quota > used ? quota - used : 0;
    return AL_OK;
}

static int
add_event(struct al_db *db, int64_t order_id, const char *from, const char *to, const char *action,
    int64_t caregiver_id, const char *reason, const char *by, int64_t now)
{
    static const char sql[] =
        "INSERT INTO svc_order_events(order_id, from_status, to_status, action, caregiver_id,"
        " reason, by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(order_id), AL_T(from), AL_T(to), AL_T(action), AL_REF(caregiver_id),
        AL_T(reason ? reason : ""), AL_T(by), AL_I(now));
    return al_stmt_run(st);
}

int
service_store_order_add(struct al_db *db, const struct svc_new_order *o, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO svc_orders(region_code, elder_id, window_start, window_end, planned_min,"
        " address, lat, lng, note, channel, total_fen, entitled_fen, elder_fen, beyond_quota,"
        " placed_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    static const char sql_line[] =
        "INSERT INTO svc_order_lines(order_id, line_no, item_code, price_fen, entitled_fen,"
        " elder_fen, entitle_item_key) VALUES (?, ?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(o->region_code), AL_I(o->elder_id), AL_I(o->window_start),
        AL_I(o->window_end), AL_I(o->planned_min), AL_T(o->address));
    if (o->has_geo) {
        al_stmt_bind_double(st, 7, o->lat);
        al_stmt_bind_double(st, 8, o->lng);
    } else {
        al_stmt_bind_null(st, 7);
        al_stmt_bind_null(st, 8);
    }
    al_stmt_bind_text(st, 9, o->note ? o->note : "");
    al_stmt_bind_text(st, 10, o->channel);
    al_stmt_bind_int(st, 11, o->total_fen);
    al_stmt_bind_int(st, 12, o->entitled_fen);
    al_stmt_bind_int(st, 13, o->elder_fen);
    al_stmt_bind_int(st, 14, o->beyond ? 1 : 0);
    al_stmt_bind_text(st, 15, o->placed_by);
    al_stmt_bind_int(st, 16, now);
    al_stmt_bind_int(st, 17, now);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    *id = al_stmt_int(st, 0);
    al_stmt_reset(st);
    for (int i = 0; i < o->nlines && rc == AL_OK; i++) {
        const struct svc_line *l = &o->lines[i];
        if (!(st = al_db_sql(db, sql_line)))
            return AL_EDB;
        al_stmt_binds(st, AL_I(*id), AL_I(i + 1), AL_T(l->item_code), AL_I(l->price_fen),
            AL_I(l->entitled_fen), AL_I(l->elder_fen), AL_T(l->entitle_key));
        rc = al_stmt_run(st);
    }
    if (rc == AL_OK)
        rc = add_event(db, *id, NULL, "created", "place", 0, NULL, o->placed_by, now);
    return rc;
}

#define ORDER_COLS                                                                             \
    "o.id, o.elder_id, coalesce(o.station_id, 0), coalesce(o.caregiver_id, 0), o.window_start," \
    " o.window_end, o.version, o.region_code, o.status, o.address, o.lat, o.lng, o.planned_min"

int
service_store_order(struct al_db *db, struct al_arena *a, int64_t id, struct svc_order *out)
{
    static const char sql[] = "SELECT " ORDER_COLS " FROM svc_orders o WHERE o.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    out->id = al_stmt_int(st, 0);
    out->elder_id = al_stmt_int(st, 1);
    out->station_id = al_stmt_int(st, 2);
    out->caregiver_id = al_stmt_int(st, 3);
    out->window_start = al_stmt_int(st, 4);
    out->window_end = al_stmt_int(st, 5);
    out->version = al_stmt_int(st, 6);
    out->region_code = al_stmt_dup(a, st, 7);
    out->status = al_stmt_dup(a, st, 8);
    out->address = al_stmt_dup(a, st, 9);
    out->has_geo = !al_stmt_null(st, 10) && !al_stmt_null(st, 11);
    out->lat = al_stmt_double(st, 10);
    out->lng = al_stmt_double(st, 11);
    out->planned_min = (int)al_stmt_int(st, 12);
    al_stmt_reset(st);
    return AL_OK;
}

/* The board's and the detail's columns: the order, the elder's name, masked ID and phone. */
#define LIST_COLS                                                                              \
    "o.id, o.region_code, o.elder_id, e.name, e.id_masked, o.status, o.window_start,"          \
    " o.window_end, o.planned_min, o.address, o.lat, o.lng, o.caregiver_id, c.name,"           \
    " o.station_id, s.name, o.total_fen, o.entitled_fen, o.elder_fen, o.beyond_quota,"         \
    " o.channel, o.note, o.created_at, o.updated_at, o.version, e.phone, o.plan_id,"          \
    " CASE WHEN o.status = 'created' AND EXISTS (SELECT 1 FROM svc_order_events t WHERE"       \
    "  t.order_id = o.id AND t.action = 'accept_timeout' AND t.id = (SELECT max(u.id)"         \
    "  FROM svc_order_events u WHERE u.order_id = o.id)) THEN 1 ELSE 0 END" /* RULE-SVC-143 */
#define LIST_FROM                                                                              \
    " FROM svc_orders o JOIN elders e ON e.id = o.elder_id"                                    \
    " LEFT JOIN svc_caregivers c ON c.id = o.caregiver_id"                                     \
    " LEFT JOIN svc_stations s ON s.id = o.station_id"

json_t *
service_col_state_zh(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_string(service_state_zh(service_state_parse(al_stmt_text(st, col))));
}

static const struct al_col order_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "elder_id", AL_COL_INT),
    AL_COL(3, "elder_name", AL_COL_TEXT), AL_COL(4, "elder_id_masked", AL_COL_TEXT),
    AL_COL(5, "status", AL_COL_TEXT), AL_COLF(5, "status_name", service_col_state_zh),
    AL_COL(6, "window_start", AL_COL_TIME), AL_COL(7, "window_end", AL_COL_TIME),
    AL_COL(8, "planned_min", AL_COL_INT), AL_COL(9, "address", AL_COL_TEXT),
    AL_COL(10, "lat", AL_COL_DOUBLE), AL_COL(11, "lng", AL_COL_DOUBLE),
    AL_COL(12, "caregiver_id", AL_COL_INT), AL_COL(13, "caregiver_name", AL_COL_TEXT),
    AL_COL(14, "station_id", AL_COL_INT), AL_COL(15, "station_name", AL_COL_TEXT),
    AL_COL(16, "total_fen", AL_COL_INT), AL_COL(17, "entitled_fen", AL_COL_INT),
    AL_COL(18, "elder_fen", AL_COL_INT), AL_COL(19, "beyond_quota", AL_COL_BOOL),
    AL_COL(20, "channel", AL_COL_TEXT), AL_COL(21, "note", AL_COL_TEXT),
    AL_COL(22, "created_at", AL_COL_TIME), AL_COL(23, "updated_at", AL_COL_TIME),
    AL_COL(24, "version", AL_COL_INT), AL_COLF(25, "elder_phone_masked", al_col_phone_masked),
    AL_COL(26, "plan_id", AL_COL_INT), AL_COL(27, "accept_timeout", AL_COL_BOOL), AL_COL_END};

static const struct al_col line_cols[] = {AL_COL(0, "item_code", AL_COL_TEXT),
    AL_COL(1, "item_name", AL_COL_TEXT), AL_COL(2, "price_fen", AL_COL_INT),
    AL_COL(3, "entitled_fen", AL_COL_INT), AL_COL(4, "elder_fen", AL_COL_INT),
    AL_COL(5, "entitle_item_key", AL_COL_TEXT), AL_COL_END};
static const struct al_col event_cols[] = {AL_COL(0, "from_status", AL_COL_TEXT),
    AL_COL(1, "to_status", AL_COL_TEXT), AL_COLF(1, "to_status_name", service_col_state_zh),
    AL_COL(2, "action", AL_COL_TEXT), AL_COL(3, "caregiver_id", AL_COL_INT),
    AL_COL(4, "reason", AL_COL_TEXT), AL_COL(5, "by", AL_COL_TEXT), AL_COL(6, "at", AL_COL_TIME),
    AL_COL_END};
static const struct al_col visit_cols[] = {AL_COL(0, "checkin_at", AL_COL_TIME),
    AL_COL(1, "checkin_recv_at", AL_COL_TIME), AL_COL(2, "checkin_distance_m", AL_COL_INT),
    AL_COL(3, "checkin_outside", AL_COL_BOOL), AL_COL(4, "checkout_at", AL_COL_TIME),
    AL_COL(5, "checkout_recv_at", AL_COL_TIME), AL_COL(6, "checkout_distance_m", AL_COL_INT),
    AL_COL(7, "checkout_outside", AL_COL_BOOL), AL_COL(8, "clock_skew", AL_COL_BOOL),
    AL_COL(9, "checklist", AL_COL_JSON), AL_COL(10, "note", AL_COL_TEXT),
    AL_COL(11, "checkin_accuracy_m", AL_COL_INT), AL_COL(12, "checkout_accuracy_m", AL_COL_INT),
    AL_COL_END};

int
service_store_order_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out)
{
    static const char sql[] = "SELECT " LIST_COLS LIST_FROM " WHERE o.id = ?";
    static const char sql_lines[] =
        "SELECT l.item_code, i.name, l.price_fen, l.entitled_fen, l.elder_fen, l.entitle_item_key"
        " FROM svc_order_lines l JOIN svc_items i ON i.code = l.item_code"
        " WHERE l.order_id = ? ORDER BY l.line_no";
    static const char sql_events[] =
        "SELECT from_status, to_status, action, caregiver_id, reason, by_user, at"
        " FROM svc_order_events WHERE order_id = ? ORDER BY id";
    static const char sql_visit[] =
        "SELECT checkin_at, checkin_recv_at, checkin_distance_m, checkin_outside, checkout_at,"
        " checkout_recv_at, checkout_distance_m, checkout_outside, clock_skew, checklist, note,"
        " checkin_accuracy_m, checkout_accuracy_m FROM svc_visits WHERE order_id = ?";
    struct al_row_ctx ctx = {.a = a};
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    json_t *o = al_row_json(&ctx, st, order_cols);
    al_stmt_reset(st);
    json_t *lines = json_array(), *events = json_array();
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "events", events);
    if (!(st = al_db_sql(db, sql_lines)))
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    if ((rc = al_db_rows(st, a, &(struct al_rows){.cols = line_cols}, lines)) != AL_OK)
        return rc;
    if (!(st = al_db_sql(db, sql_events)))
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    if ((rc = al_db_rows(st, a, &(struct al_rows){.cols = event_cols}, events)) != AL_OK)
        return rc;
    if (!(st = al_db_sql(db, sql_visit)))
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    rc = al_stmt_one(st);
    if (rc == AL_OK) {
        json_object_set_new(o, "visit", al_row_json(&ctx, st, visit_cols));
        al_stmt_reset(st);
    } else if (rc == AL_ENOTFOUND) {
        json_object_set_new(o, "visit", json_null());
        rc = AL_OK;
    }
    if (rc == AL_OK)
        rc = service_store_confirm_json(db, a, id, o); /* RULE-SVC-062 */
    *out = o;
    return rc;
}

int
service_store_move(struct al_db *db, const struct svc_order *o, const char *to,
    const char *action, int64_t caregiver_id, int64_t station_id, const char *reason,
    const char *by, int64_t now)
{
    static const char sql[] =
        "UPDATE svc_orders SET status = ?, updated_at = ?, version = version + 1"
        " WHERE id = ? AND version = ?";
    static const char sql_who[] =
        "UPDATE svc_orders SET status = ?, updated_at = ?, version = version + 1,"
        " caregiver_id = ?, station_id = ? WHERE id = ? AND version = ?";
    struct al_stmt *st;
    if (caregiver_id < 0) {
        if (!(st = al_db_sql(db, sql)))
            return AL_EDB;
        al_stmt_binds(st, AL_T(to), AL_I(now), AL_I(o->id), AL_I(o->version));
    } else {
        if (!(st = al_db_sql(db, sql_who)))
            return AL_EDB;
        al_stmt_binds(st, AL_T(to), AL_I(now), AL_REF(caregiver_id), AL_REF(station_id),
            AL_I(o->id), AL_I(o->version));
    }
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) != 1)
        rc = AL_ECONFLICT; /* moved by someone else meanwhile */
    if (rc == AL_OK)
        rc = add_event(db, o->id, o->status, to, action,
            caregiver_id >= 0 ? caregiver_id : o->caregiver_id, reason, by, now);
    return rc;
}

/* The order list's filter: ?1 ?2 scope; ?3 status; ?4 open; ?5 ?6 day; ?7 caregiver; ?8 provider. */
#define ORDERS_WHERE                                                                           \
    " WHERE o.region_code >= ?1 AND o.region_code < ?2"                                        \
    " AND (CAST(?3 AS TEXT) IS NULL OR o.status = ?3)"                                         \
    " AND (?4 = 0 OR o.status NOT IN ('settled', 'cancelled', 'rated', 'confirmed'))"          \
    " AND (?5 = 0 OR (o.window_start >= ?5 AND o.window_start < ?6))"                          \
    " AND (?7 = 0 OR o.caregiver_id = ?7)"                                                     \
    " AND (?8 = 0 OR" SVC_ORDER_OF_PROVIDER("o", "?8") ")" /* RULE-SVC-111 */                \
    " AND (?9 = 0 OR" SVC_ORDER_OF_STATION("o", "?9") ")"  /* RULE-SVC-208 */

static void
orders_params(struct al_params *p, struct al_arena *a, const struct svc_list_filter *f)
{
    al_params_init(p, a);
    region_params(p, f->scope);
    al_param_text(p, f->status);
    al_param_int(p, f->open ? 1 : 0);
    int64_t lo = 0;
    if (f->date) {
        struct tm t = {.tm_year = atoi(f->date) - 1900, .tm_mon = atoi(f->date + 5) - 1,
            .tm_mday = atoi(f->date + 8)};
        lo = (int64_t)timegm(&t) - 8 * 3600;
    }
    al_param_int(p, lo);
    al_param_int(p, lo + 86400);
    al_param_int(p, f->caregiver_id);
    al_param_int(p, f->provider_id);
    al_param_int(p, f->station_id);
}

int
service_store_orders(struct al_db *db, struct al_arena *a, const struct svc_list_filter *f,
    json_t *items, int64_t *total)
{
    static const struct al_page_sql q = {.cols = LIST_COLS, .from = LIST_FROM,
        .order = " ORDER BY o.window_start, o.id"};
    struct al_params p;
    orders_params(&p, a, f);
    return al_db_page(db, &p, &q, ORDERS_WHERE, f->limit, f->offset,
        &(struct al_rows){.cols = order_cols}, items, total);
}

int
service_store_order_counts(struct al_db *db, struct al_arena *a, const struct svc_list_filter *f,
    json_t *counts)
{
    static const char sql[] =
        "SELECT o.status, count(*) FROM svc_orders o" ORDERS_WHERE " GROUP BY o.status";
    struct al_params p;
    int rc;
    orders_params(&p, a, f);
    struct al_stmt *st = al_db_sql(db, sql);
    al_params_bind(st, &p);
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_object_set_new(counts, al_stmt_text(st, 0), json_integer(al_stmt_int(st, 1)));
    return rc;
}

/* Split "a,b,c" into at most `max` texts of `a`. */
static int
split_skills(struct al_arena *a, const char *s, const char **out, int max)
{
    int n = 0;
    while (s && *s && n < max) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len)
            out[n++] = al_arena_strndup(a, s, len);
        s = e ? e + 1 : NULL;
    }
    return n;
}

/* Stations serving `region`: one of their region codes is a prefix of it. */
#define SERVES                                                                                 \
    " EXISTS (SELECT 1 FROM svc_station_regions sr WHERE sr.station_id = c.station_id"         \
    " AND substr(?1, 1, length(sr.region_code)) = sr.region_code)"                             \
    " AND EXISTS (SELECT 1 FROM svc_stations ss JOIN svc_providers sp ON sp.id = ss.provider_id" \
    " WHERE ss.id = c.station_id AND ss.status = 'active' AND sp.status = 'active'"            \
    " AND sp.credit_status <> 'barred')" /* RULE-SVC-104 */

int
service_store_candidates(struct al_db *db, struct al_arena *a, const char *region,
    int64_t day_start, int64_t day_end, int64_t except, struct svc_cand **out,
    int64_t **station_ids, int *n)
{
    static const char sql_count[] =
        "SELECT count(*) FROM svc_caregivers c WHERE c.status = 'active' AND" SERVES;
    static const char sql[] =
        "SELECT c.id, s.lat, s.lng, s.radius_min, c.skills, c.work_start_min, c.work_end_min,"
        " c.station_id FROM svc_caregivers c JOIN svc_stations s ON s.id = c.station_id"
        " WHERE c.status = 'active' AND" SERVES " ORDER BY c.id";
    static const char sql_certs[] =
        "SELECT x.caregiver_id, x.skill, x.valid_until FROM svc_certificates x"
        " JOIN svc_caregivers c ON c.id = x.caregiver_id"
        " WHERE c.status = 'active' AND" SERVES " ORDER BY x.caregiver_id, x.id";
    static const char sql_busy[] =
        "SELECT o.caregiver_id, o.window_start, o.planned_min FROM svc_orders o"
        " JOIN svc_caregivers c ON c.id = o.caregiver_id"
        " WHERE c.status = 'active' AND" SERVES
        " AND o.status NOT IN ('created', 'cancelled') AND o.id <> ?2"
        " AND o.window_start >= ?3 AND o.window_start < ?4 ORDER BY o.caregiver_id, o.window_start";
    int64_t count = 0;
    *n = 0;
    struct al_stmt *st = al_db_sql(db, sql_count);
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, region);
    int rc = al_stmt_int64(st, &count);
    if (rc != AL_OK)
        return rc;
    struct svc_cand *c = al_arena_calloc(a, sizeof(*c) * (size_t)(count ? count : 1));
    int64_t *sid = al_arena_calloc(a, sizeof(*sid) * (size_t)(count ? count : 1));
    if (!(st = al_db_sql(db, sql)))
        return AL_EDB;
    al_stmt_bind_text(st, 1, region);
    int k = 0;
    while (k < count && (rc = al_stmt_step(st)) == AL_ROW) {
        c[k].id = al_stmt_int(st, 0);
        c[k].station_lat = al_stmt_double(st, 1);
        c[k].station_lng = al_stmt_double(st, 2);
        c[k].radius_min = (int)al_stmt_int(st, 3);
        c[k].nskills = split_skills(a, al_stmt_text(st, 4), c[k].skills, SVC_SKILLS_MAX);
        c[k].work_start_min = (int)al_stmt_int(st, 5);
        c[k].work_end_min = (int)al_stmt_int(st, 6);
        sid[k] = al_stmt_int(st, 7);
        k++;
    }
    if (rc == AL_ROW) {
        al_stmt_reset(st);
        rc = AL_OK;
    }
    if (rc != AL_OK)
        return rc;
    /* Both lists come in caregiver order: walk them beside the candidates. */
    if (!(st = al_db_sql(db, sql_certs)))
        return AL_EDB;
    al_stmt_bind_text(st, 1, region);
    int j = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t id = al_stmt_int(st, 0);
        while (j < k && c[j].id < id)
            j++;
        if (j < k && c[j].id == id && c[j].ncerts < SVC_CERTS_MAX) {
            c[j].certs[c[j].ncerts].skill = al_stmt_dup(a, st, 1);
            snprintf(c[j].certs[c[j].ncerts].valid_until, 11, "%s",
                al_stmt_text(st, 2) ? al_stmt_text(st, 2) : "");
            c[j].ncerts++;
        }
    }
    if (rc != AL_OK)
        return rc;
    if (!(st = al_db_sql(db, sql_busy)))
        return AL_EDB;
    al_stmt_binds(st, AL_T(region), AL_I(except), AL_I(day_start), AL_I(day_end));
    j = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t id = al_stmt_int(st, 0);
        while (j < k && c[j].id < id)
            j++;
        if (j < k && c[j].id == id) {
            int64_t s = al_stmt_int(st, 1);
            if (c[j].nbusy < SVC_BUSY_MAX)
                c[j].busy[c[j].nbusy++] =
                    (struct svc_interval){s, s + al_stmt_int(st, 2) * 60};
            c[j].load++;
        }
    }
    if (rc != AL_OK)
        return rc;
    *out = c;
    *station_ids = sid;
    *n = k;
    return AL_OK;
}

int
service_store_caregiver_of(struct al_db *db, int64_t user_id, int64_t *id)
{
    static const char sql[] = "SELECT id FROM svc_caregivers WHERE user_id = ? AND status = 'active'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, user_id);
    return al_stmt_int64(st, id);
}

int
service_store_caregiver(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    int64_t *station_id)
{
    static const char sql[] =
        "SELECT region_code, station_id FROM svc_caregivers WHERE id = ? AND status = 'active'";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *region = al_stmt_dup(a, st, 0);
        *station_id = al_stmt_int(st, 1);
        al_stmt_reset(st);
    }
    return rc;
}

/* The rows of `sql` (static text, its ?1 ?2 the bounds of region prefix `scope`) as `cols`. */
static int
scope_rows(struct al_db *db, struct al_arena *a, const char *sql, const char *scope,
    const struct al_col *cols, json_t *items)
{
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql); /* NULL: the step answers AL_EDB */
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

static const struct al_col station_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "region_code", AL_COL_TEXT),
    AL_COL(3, "address", AL_COL_TEXT), AL_COL(4, "lat", AL_COL_DOUBLE),
    AL_COL(5, "lng", AL_COL_DOUBLE), AL_COL(6, "radius_min", AL_COL_INT),
    AL_COL(7, "provider_name", AL_COL_TEXT), AL_COL(8, "caregivers", AL_COL_INT),
    AL_COL(9, "provider_id", AL_COL_INT), AL_COL_END};

int
service_store_stations(struct al_db *db, struct al_arena *a, const char *scope, json_t *items)
{
    static const char sql[] =
        "SELECT s.id, s.name, s.region_code, s.address, s.lat, s.lng, s.radius_min, p.name,"
        " (SELECT count(*) FROM svc_caregivers c WHERE c.station_id = s.id AND c.status = 'active'),"
        " s.provider_id"
        " FROM svc_stations s JOIN svc_providers p ON p.id = s.provider_id"
        " WHERE s.region_code >= ? AND s.region_code < ? ORDER BY s.id";
    return scope_rows(db, a, sql, scope, station_cols, items);
}

static const struct al_col caregiver_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COLF(2, "phone_masked", al_col_phone_masked),
    AL_COL(3, "station_id", AL_COL_INT), AL_COL(4, "station_name", AL_COL_TEXT),
    AL_COL(5, "skills", AL_COL_TEXT), AL_COL(6, "work_start_min", AL_COL_INT),
    AL_COL(7, "work_end_min", AL_COL_INT), AL_COL(8, "expired_certificates", AL_COL_INT),
    AL_COL(9, "status", AL_COL_TEXT), AL_COL_END};

int
service_store_caregivers(struct al_db *db, struct al_arena *a, const char *scope,
    const char *today, json_t *items)
{
    static const char sql[] =
        "SELECT c.id, c.name, c.phone, c.station_id, s.name, c.skills, c.work_start_min,"
        " c.work_end_min, (SELECT count(*) FROM svc_certificates x WHERE x.caregiver_id = c.id"
        " AND x.valid_until < ?3), c.status"
        " FROM svc_caregivers c JOIN svc_stations s ON s.id = c.station_id"
        " WHERE c.region_code >= ?1 AND c.region_code < ?2 ORDER BY c.station_id, c.id";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(today));
    return al_db_rows(st, a, &(struct al_rows){.cols = caregiver_cols}, items);
}

/* Latitude, longitude, accuracy and distance from `idx` on; NULL when the phone gave none. */
static void
bind_position(struct al_stmt *st, int idx, const struct svc_visit_rec *v)
{
    if (v->no_position) {
        for (int i = 0; i < 4; i++)
            al_stmt_bind_null(st, idx + i);
        return;
    }
    al_stmt_bind_double(st, idx, v->lat);
    al_stmt_bind_double(st, idx + 1, v->lng);
    al_stmt_bind_int(st, idx + 2, v->accuracy_m);
    al_stmt_bind_int(st, idx + 3, v->evv->distance_m);
}

int
service_store_checkin(struct al_db *db, const struct svc_visit_rec *v)
{
    static const char sql[] =
        "INSERT INTO svc_visits(order_id, region_code, caregiver_id, elder_id, checkin_at,"
        " checkin_recv_at, checkin_lat, checkin_lng, checkin_accuracy_m, checkin_distance_m,"
        " checkin_outside, clock_skew, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(v->order_id), AL_T(v->region_code), AL_I(v->caregiver_id),
        AL_I(v->elder_id), AL_I(v->at), AL_I(v->recv_at));
    bind_position(st, 7, v);
    al_stmt_bind_int(st, 11, v->evv->outside ? 1 : 0);
    al_stmt_bind_int(st, 12, v->evv->skew ? 1 : 0);
    al_stmt_bind_text(st, 13, v->note ? v->note : "");
    return al_stmt_run(st);
}

int
service_store_checkout(struct al_db *db, const struct svc_visit_rec *v)
{
    static const char sql[] =
        "UPDATE svc_visits SET checkout_at = ?, checkout_recv_at = ?, checkout_lat = ?,"
        " checkout_lng = ?, checkout_accuracy_m = ?, checkout_distance_m = ?,"
        " checkout_outside = ?, clock_skew = CASE WHEN ? = 1 THEN 1 ELSE clock_skew END,"
        " checklist = ?, note = CASE WHEN ? = '' THEN note ELSE ? END"
        " WHERE order_id = ? AND checkout_at IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(v->at), AL_I(v->recv_at));
    bind_position(st, 3, v);
    al_stmt_bind_int(st, 7, v->evv->outside ? 1 : 0);
    al_stmt_bind_int(st, 8, v->evv->skew ? 1 : 0);
    al_stmt_bind_text(st, 9, v->checklist ? v->checklist : "[]");
    al_stmt_bind_text(st, 10, v->note ? v->note : "");
    al_stmt_bind_text(st, 11, v->note ? v->note : "");
    al_stmt_bind_int(st, 12, v->order_id);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) != 1)
        rc = AL_ECONFLICT;
    return rc;
}

int
service_store_provider_add(struct al_db *db, const char *region, const char *name,
    const char *phone, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO svc_providers(region_code, name, phone, created_at)"
                              " VALUES (?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(region), AL_T(name), AL_T(phone), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

int
service_store_station_add(struct al_db *db, int64_t provider, const char *region,
    const char *name, const char *address, double lat, double lng, int radius_min,
    const char *const *serves, int n, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO svc_stations(provider_id, region_code, name, address, lat, lng, radius_min,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    static const char sql_serve[] =
        "INSERT INTO svc_station_regions(station_id, region_code) VALUES (?, ?)"
        " ON CONFLICT DO NOTHING";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(provider), AL_T(region), AL_T(name), AL_T(address));
    al_stmt_bind_double(st, 5, lat);
    al_stmt_bind_double(st, 6, lng);
    al_stmt_bind_int(st, 7, radius_min);
    al_stmt_bind_int(st, 8, now);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    *id = al_stmt_int(st, 0);
    al_stmt_reset(st);
    for (int i = 0; i < n && rc == AL_OK; i++) {
        if (!(st = al_db_sql(db, sql_serve)))
            return AL_EDB;
        al_stmt_binds(st, AL_I(*id), AL_T(serves[i]));
        rc = al_stmt_run(st);
    }
    return rc;
}

int
service_store_caregiver_add(struct al_db *db, const struct svc_new_caregiver *c, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO svc_caregivers(provider_id, station_id, region_code, user_id, name, phone,"
        " skills, work_start_min, work_end_min, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(c->provider_id), AL_I(c->station_id), AL_T(c->region_code),
        AL_REF(c->user_id), AL_T(c->name), AL_T(c->phone), AL_T(c->skills),
        AL_I(c->work_start_min), AL_I(c->work_end_min), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

int
service_store_certificate_add(struct al_db *db, int64_t caregiver, const char *skill,
    const char *name, const char *number, const char *valid_until)
{
    static const char sql[] = "INSERT INTO svc_certificates(caregiver_id, skill, name, number,"
                              " valid_until) VALUES (?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(caregiver), AL_T(skill), AL_T(name), AL_T(number), AL_T(valid_until));
    return al_stmt_run(st);
}

/* ---- confirmation, rating, complaint (RULE-SVC-060..064) ---- */

int
service_store_confirm_code_set(struct al_db *db, int64_t order_id, const char *code)
{
    /* RULE-SVC-150: sealed with the installation key like ID numbers; never in plain text. */
    struct al_arena a;
    al_arena_init(&a, 256);
    const char *sealed = al_crypto_seal(&a, code, strlen(code));
    int rc = AL_EINTERNAL;
    struct al_stmt *st = sealed ? al_db_sql(db, "UPDATE svc_orders SET confirm_code = NULL,"
                                                " confirm_code_enc = ?, confirm_tries = 0"
                                                " WHERE id = ?")
                                : NULL;
    if (sealed && !st)
        rc = AL_EDB;
    if (st) {
        al_stmt_binds(st, AL_T(sealed), AL_I(order_id));
        rc = al_stmt_run(st);
    }
    al_arena_fini(&a);
    return rc;
}

int
service_store_confirm_info(struct al_db *db, struct al_arena *a, int64_t order_id,
    const char **code, int *tries)
{
    /* RULE-SVC-150: the sealed code opened; a code of an order from before migration 044 is
       still read from its plain column until that order is confirmed. */
    struct al_stmt *st = al_db_sql(db,
        "SELECT confirm_code_enc, confirm_tries, confirm_code FROM svc_orders WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, order_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        const char *sealed = al_stmt_text(st, 0);
        *code = sealed ? al_crypto_open(a, sealed) : al_stmt_dup(a, st, 2);
        *tries = (int)al_stmt_int(st, 1);
        al_stmt_reset(st);
        if (sealed && !*code)
            rc = AL_EINTERNAL; /* not sealed by this installation's key */
    }
    return rc;
}

int
service_store_confirm_miss(struct al_db *db, int64_t order_id)
{
    struct al_stmt *st = al_db_sql(db,
        "UPDATE svc_orders SET confirm_tries = confirm_tries + 1 WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, order_id);
    return al_stmt_run(st);
}

int
service_store_confirmed_by(struct al_db *db, int64_t order_id, const char *how)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE svc_orders SET confirmed_by = ? WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(how), AL_I(order_id));
    return al_stmt_run(st);
}

int
service_store_rate(struct al_db *db, int64_t order_id, int rating, const char *comment,
    const char *complaint)
{
    struct al_stmt *st = al_db_sql(db,
        "UPDATE svc_orders SET rating = ?, rating_comment = ?, complaint = ? WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(rating), AL_T(comment ? comment : ""), AL_T(complaint),
        AL_I(order_id));
    return al_stmt_run(st);
}

static const struct al_col confirm_cols[] = {AL_COL(0, "rating", AL_COL_INT),
    AL_COL(1, "rating_comment", AL_COL_TEXT), AL_COL(2, "complaint", AL_COL_TEXT),
    AL_COL(3, "confirmed_by", AL_COL_TEXT), AL_COL(4, "confirm_tries", AL_COL_INT), AL_COL_END};

/* The rating and confirmation fields merged into order JSON `o` (never the code itself). */
int
service_store_confirm_json(struct al_db *db, struct al_arena *a, int64_t order_id, json_t *o)
{
    struct al_stmt *st = al_db_sql(db, "SELECT rating, rating_comment, complaint, confirmed_by,"
                                       " confirm_tries FROM svc_orders WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, order_id);
    json_t *rows = json_array();
    int rc = al_db_rows(st, a, &(struct al_rows){.cols = confirm_cols}, rows);
    if (rc == AL_OK && json_array_size(rows) == 1)
        json_object_update(o, json_array_get(rows, 0));
    json_decref(rows);
    return rc;
}

/* ---- monthly settlement (RULE-SVC-080..084) ---- */

int
service_store_provider_region(struct al_db *db, struct al_arena *a, int64_t id,
    const char **region)
{
    struct al_stmt *st = al_db_sql(db, "SELECT region_code FROM svc_providers WHERE id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *region = al_stmt_dup(a, st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

static const struct al_col settle_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "provider_id", AL_COL_INT), AL_COL(2, "provider_name", AL_COL_TEXT),
    AL_COL(3, "region_code", AL_COL_TEXT), AL_COL(4, "month", AL_COL_TEXT),
    AL_COL(5, "status", AL_COL_TEXT), AL_COL(6, "orders", AL_COL_INT),
    AL_COL(7, "total_fen", AL_COL_INT), AL_COL(8, "entitled_fen", AL_COL_INT),
    AL_COL(9, "elder_fen", AL_COL_INT), AL_COL(10, "created_by", AL_COL_TEXT),
    AL_COL(11, "created_at", AL_COL_TIME), AL_COL(12, "approved_by", AL_COL_TEXT),
    AL_COL(13, "approved_at", AL_COL_TIME), AL_COL(14, "adjustments", AL_COL_INT),
    AL_COL(15, "adjust_total_fen", AL_COL_INT), AL_COL(16, "adjust_entitled_fen", AL_COL_INT),
    AL_COL(17, "adjust_elder_fen", AL_COL_INT), AL_COL(18, "paid_total_fen", AL_COL_INT),
    AL_COL_END};
/* RULE-SVC-199: the statement's own totals, what adjusting lines add, and the two together. */
#define SETTLE_COLS                                                                            \
    "t.id, t.provider_id, p.name, t.region_code, t.month, t.status, t.orders, t.total_fen,"   \
    " t.entitled_fen, t.elder_fen, t.created_by, t.created_at, t.approved_by, t.approved_at," \
    " t.adjustments, t.adjust_total_fen, t.adjust_entitled_fen, t.adjust_elder_fen,"          \
    " t.total_fen + t.adjust_total_fen"                                                        \
    " FROM svc_settlements t JOIN svc_providers p ON p.id = t.provider_id"

int
service_store_settlements(struct al_db *db, struct al_arena *a, const char *scope, json_t *items)
{
    static const char sql[] = "SELECT " SETTLE_COLS
                              " WHERE t.region_code >= ? AND t.region_code < ?"
                              " ORDER BY t.month DESC, t.id DESC";
    return scope_rows(db, a, sql, scope, settle_cols, items);
}

static const struct al_col settle_line_cols[] = {AL_COL(0, "order_id", AL_COL_INT),
    AL_COL(1, "elder_id", AL_COL_INT), AL_COL(2, "elder_name", AL_COL_TEXT),
    AL_COL(3, "elder_id_masked", AL_COL_TEXT), AL_COL(4, "visit_date", AL_COL_TEXT),
    AL_COL(5, "total_fen", AL_COL_INT), AL_COL(6, "entitled_fen", AL_COL_INT),
    AL_COL(7, "elder_fen", AL_COL_INT), AL_COL(8, "adjusting", AL_COL_BOOL),
    AL_COL(9, "reversal", AL_COL_BOOL), AL_COL(10, "reason", AL_COL_TEXT),
    AL_COL(11, "added_at", AL_COL_TIME), AL_COL(12, "batch", AL_COL_INT), AL_COL_END};

int
service_store_settlement(struct al_db *db, struct al_arena *a, int64_t id, int64_t offset,
    json_t **out)
{
    static const char sql[] = "SELECT " SETTLE_COLS " WHERE t.id = ?";
    /* RULE-SVC-206: a page of lines; the export has them all. */
    static const char sql_lines[] =
        "SELECT l.order_id, l.elder_id, e.name, e.id_masked, l.visit_date, l.total_fen,"
        " l.entitled_fen, l.elder_fen, l.adjusting, l.reversal, l.reason, l.added_at, l.batch"
        " FROM svc_settlement_lines l JOIN elders e ON e.id = l.elder_id"
        " WHERE l.settlement_id = ? ORDER BY l.batch, l.order_id, l.reversal LIMIT ? OFFSET ?";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    json_t *rows = json_array();
    int rc = al_db_rows(st, a, &(struct al_rows){.cols = settle_cols}, rows);
    if (rc == AL_OK && json_array_size(rows) != 1)
        rc = AL_ENOTFOUND;
    if (rc != AL_OK) {
        json_decref(rows);
        return rc;
    }
    json_t *t = json_incref(json_array_get(rows, 0)), *lines = json_array();
    json_decref(rows);
    json_object_set_new(t, "lines", lines);
    if (offset < 0) { /* the head only */
        *out = t;
        return AL_OK;
    }
    json_object_set_new(t, "lines_total", json_integer(
        json_integer_value(json_object_get(t, "orders")) +
        json_integer_value(json_object_get(t, "adjustments"))));
    json_object_set_new(t, "lines_offset", json_integer(offset));
    if (!(st = al_db_sql(db, sql_lines))) {
        json_decref(t);
        return AL_EDB;
    }
    al_stmt_binds(st, AL_I(id), AL_I(SVC_LINES_PAGE), AL_I(offset));
    if ((rc = al_db_rows(st, a, &(struct al_rows){.cols = settle_line_cols}, lines)) != AL_OK) {
        json_decref(t);
        return rc;
    }
    json_t *holds = json_array(); /* RULE-SVC-164 */
    json_object_set_new(t, "double_holds", holds);
    if ((rc = service_flow_holds_json(db, a, id, holds)) != AL_OK) {
        json_decref(t);
        return rc;
    }
    *out = t;
    return AL_OK;
}

/* The export's statement: every line (a short list, one statement). */
struct al_stmt *
service_store_settle_export_stmt(struct al_db *db, int64_t id)
{
    struct al_stmt *st = al_db_sql(db,
        "SELECT l.order_id, e.name, e.id_masked, l.visit_date, l.total_fen, l.entitled_fen,"
        " l.elder_fen, CASE WHEN l.reversal = 1 THEN '冲销' WHEN l.adjusting = 1"
        " THEN '补充结算' ELSE '结算' END FROM svc_settlement_lines l"
        " JOIN elders e ON e.id = l.elder_id WHERE l.settlement_id = ?"
        " ORDER BY l.batch, l.order_id, l.reversal");
    if (st)
        al_stmt_bind_int(st, 1, id);
    return st;
}

/* ---- visit exceptions (RULE-SVC-070..074) ---- */

/* RULE-SVC-191: another visit of the caregiver whose check-in lies within a day before this
 * one's and whose interval overlaps it (service_visits_overlap; a visit without check-out is the
 * instant of its check-in).  A visit exists only from a check-in on, and an order checked in is
 * never cancelled (RULE-SVC-012), so every visit counts. */
#define OVERLAP_SQL                                                                            \
    " CASE WHEN v.checkin_at IS NOT NULL AND EXISTS (SELECT 1 FROM svc_visits w"              \
    "  WHERE w.caregiver_id = v.caregiver_id AND w.order_id <> v.order_id"                     \
    "  AND w.checkin_at >= v.checkin_at - 86400"                                               \
    "  AND w.checkin_at < CASE WHEN v.checkout_at > v.checkin_at THEN v.checkout_at"          \
    "   ELSE v.checkin_at END"                                                                 \
    "  AND v.checkin_at < CASE WHEN w.checkout_at > w.checkin_at THEN w.checkout_at"          \
    "   ELSE w.checkin_at END) THEN 1 ELSE 0 END"
#define FACTS_COLS(OVERLAP)                                                                    \
    "SELECT o.id, s.provider_id, p.name,"                                                      \
    " (SELECT count(*) FROM svc_order_lines l WHERE l.order_id = o.id), o.elder_id,"           \
    " v.caregiver_id, v.checkin_at, v.checkout_at, v.checkin_lat, v.checkout_lat,"            \
    " v.checkin_outside, v.checkout_outside, v.clock_skew, o.planned_min,"                     \
    " f.exceptions, c.payable,"                                                                \
    " e.status, e.status_date," OVERLAP ", o.status, o.window_start, o.total_fen,"            \
    " o.entitled_fen, o.elder_fen, coalesce(o.station_id, 0)"
#define FACTS_FROM                                                                             \
    " FROM svc_visits v JOIN svc_orders o ON o.id = v.order_id"                                \
    " LEFT JOIN svc_stations s ON s.id = o.station_id"                                         \
    " LEFT JOIN svc_providers p ON p.id = s.provider_id"                                       \
    " LEFT JOIN elders e ON e.id = o.elder_id"                                                 \
    " LEFT JOIN svc_visit_fixes f ON f.order_id = o.id"                                        \
    " LEFT JOIN svc_fix_codes c ON c.kind = 'resolution' AND c.code = f.resolution_code"
#define FACTS_SQL FACTS_COLS(OVERLAP_SQL) ", 0" FACTS_FROM

static int
facts_rows(struct al_stmt *st, struct al_arena *a, struct svc_visit_row **out, size_t *n)
{
    size_t cap = 0;
    int rc;
    *n = 0;
    *out = NULL;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        *out = al_arena_grow(a, *out, *n, &cap, sizeof(**out), 64);
        struct svc_visit_row *r = &(*out)[(*n)++];
        memset(r, 0, sizeof(*r));
        r->order_id = al_stmt_int(st, 0);
        r->provider_id = al_stmt_int(st, 1);
        r->provider_name = al_stmt_dup(a, st, 2);
        r->f.nitems = (int)al_stmt_int(st, 3);
        r->f.elder_id = al_stmt_int(st, 4);
        r->f.caregiver_id = al_stmt_int(st, 5);
        r->f.has_checkin = !al_stmt_null(st, 6);
        r->f.has_checkout = !al_stmt_null(st, 7);
        r->f.checkin_at = al_stmt_int(st, 6);
        r->f.checkout_at = al_stmt_int(st, 7);
        r->f.has_position = !al_stmt_null(st, 8) && !al_stmt_null(st, 9);
        r->f.outside = al_stmt_int(st, 10) || al_stmt_int(st, 11);
        r->f.skew = al_stmt_int(st, 12) != 0;
        r->f.planned_min = (int)al_stmt_int(st, 13);
        r->fixed = !al_stmt_null(st, 14);
        r->fixed_ids = r->fixed ? al_stmt_dup(a, st, 14) : NULL;
        r->fixed_mask = service_exception_mask(r->fixed_ids);
        r->not_payable = r->fixed && !al_stmt_null(st, 15) && al_stmt_int(st, 15) == 0;
        const char *es = al_stmt_text(st, 16); /* RULE-SVC-190 */
        r->f.elder_gone = es && (strcmp(es, "deceased") == 0 || strcmp(es, "moved_out") == 0);
        r->f.gone_on = r->f.elder_gone ? al_stmt_dup(a, st, 17) : NULL;
        r->f.overlap = al_stmt_int(st, 18) != 0; /* RULE-SVC-191 */
        r->status = al_stmt_dup(a, st, 19);
        r->f.awaiting_confirm = r->status && strcmp(r->status, "completed") == 0;
        r->window_start = al_stmt_int(st, 20);
        r->total_fen = al_stmt_int(st, 21);
        r->entitled_fen = al_stmt_int(st, 22);
        r->elder_fen = al_stmt_int(st, 23);
        r->station_id = al_stmt_int(st, 24); /* RULE-SVC-211 */
        r->paid_other = al_stmt_int(st, 25) != 0;
    }
    return rc;
}

int
service_store_visit_rows(struct al_db *db, struct al_arena *a, const char *scope, int64_t from,
    int64_t to, struct svc_visit_row **out, size_t *n)
{
    static const char sql[] = FACTS_SQL
        " WHERE o.window_start >= ? AND o.window_start < ? AND o.region_code >= ?"
        " AND o.region_code < ? AND o.status <> 'cancelled' ORDER BY o.id";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(from), AL_I(to), AL_T(lo), AL_T(hi));
    return facts_rows(st, a, out, n);
}

/* By order id. */
static int
row_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct svc_visit_row *)a)->order_id;
    int64_t y = ((const struct svc_visit_row *)b)->order_id;
    return (x > y) - (x < y);
}

/*
 * RULE-SVC-219: the visits of the caregivers who visited for `provider`'s stations in
 * [from, to) that checked in in [lo, hi), by caregiver and check-in: what the overlap test of
 * those visits reads, in one statement.
 */
static int
caregiver_spans(struct al_db *db, struct al_arena *a, int64_t provider, int64_t from,
    int64_t to, int64_t lo, int64_t hi, struct svc_span **out, size_t *n)
{
    static const char sql[] =
        "SELECT w.caregiver_id, w.order_id, w.checkin_at, coalesce(w.checkout_at, 0)"
        " FROM svc_visits w WHERE w.checkin_at >= ?4 AND w.checkin_at < ?5"
        " AND w.caregiver_id IN (SELECT v.caregiver_id FROM svc_visits v"
        "  JOIN svc_orders o ON o.id = v.order_id JOIN svc_stations s ON s.id = o.station_id"
        "  WHERE s.provider_id = ?1 AND o.window_start >= ?2 AND o.window_start < ?3)"
        " ORDER BY w.caregiver_id, w.checkin_at";
    size_t cap = 0;
    int rc;
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(provider), AL_I(from), AL_I(to), AL_I(lo), AL_I(hi));
    *n = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        *out = al_arena_grow(a, *out, *n, &cap, sizeof(**out), 1024);
        (*out)[(*n)++] = (struct svc_span){.caregiver_id = al_stmt_int(st, 0),
            .order_id = al_stmt_int(st, 1), .in = al_stmt_int(st, 2), .out = al_stmt_int(st, 3)};
    }
    return rc;
}

int
service_store_settle_candidates(struct al_db *db, struct al_arena *a, int64_t provider,
    const char *scope, int64_t from, int64_t to, struct svc_visit_row **out, size_t *n)
{
    /* RULE-SVC-081: confirmed or rated visits of the provider's stations in the month, in scope,
     * not paid on any statement (RULE-SVC-082).  RULE-SVC-162, RULE-SVC-204: `paid_other` marks
     * the elders another provider has a paying line for about then (one set, read once); the
     * exact test is service_flow_double's, for those only.  RULE-SVC-219: the overlap of each
     * visit (RULE-SVC-191) is one pass over its caregivers' visits, not a subquery per row, and
     * the order is made here, not by a sort of the month's wide rows in the database. */
    static const char sql[] = FACTS_COLS(" 0") ","
        " CASE WHEN o.elder_id IN (SELECT o2.elder_id FROM svc_settlement_lines l"
        "  JOIN svc_orders o2 ON o2.id = l.order_id JOIN svc_stations s2 ON s2.id = o2.station_id"
        "  WHERE l.reversal = 0 AND s2.provider_id <> ?1 AND o2.window_start < ?3 + 86400"
        "  AND o2.window_end > ?2 - 86400) THEN 1 ELSE 0 END" FACTS_FROM
        " WHERE s.provider_id = ?1 AND o.status IN ('confirmed', 'rated')"
        " AND o.window_start >= ?2 AND o.window_start < ?3"
        " AND o.region_code >= ?4 AND o.region_code < ?5"
        " AND NOT EXISTS (SELECT 1 FROM svc_settlement_lines l WHERE l.order_id = o.id"
        "  AND l.reversal = 0)";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(provider), AL_I(from), AL_I(to), AL_T(lo), AL_T(hi));
    int rc = facts_rows(st, a, out, n);
    if (rc != AL_OK || *n == 0)
        return rc;
    qsort(*out, *n, sizeof(**out), row_cmp);
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (size_t i = 0; i < *n; i++) {
        const struct svc_visit_facts *f = &(*out)[i].f;
        if (!f->has_checkin)
            continue;
        int64_t end = f->has_checkout && f->checkout_at > f->checkin_at ? f->checkout_at
                                                                         : f->checkin_at;
        if (f->checkin_at < first)
            first = f->checkin_at;
        if (end > last)
            last = end;
    }
    if (first > last)
        return AL_OK; /* no visit checked in: none overlaps */
    struct svc_span *spans = NULL;
    size_t ns = 0;
    rc = caregiver_spans(db, a, provider, from, to, first - 86400, last, &spans, &ns);
    if (rc == AL_OK)
        service_mark_overlaps(*out, *n, spans, ns);
    return rc;
}

int
service_store_visit_row(struct al_db *db, struct al_arena *a, int64_t order_id,
    struct svc_visit_row *out)
{
    static const char sql[] = FACTS_SQL " WHERE o.id = ?";
    struct svc_visit_row *rows;
    size_t n = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, order_id);
    int rc = facts_rows(st, a, &rows, &n);
    if (rc == AL_OK && n == 0)
        rc = AL_ENOTFOUND;
    if (rc == AL_OK)
        *out = rows[0];
    return rc;
}

int
service_store_fix_add(struct al_db *db, int64_t order_id, const char *was,
    const char *exceptions, const char *reason, const char *resolution, const char *note,
    const char *by, int64_t now)
{
    static const char sql_add[] =
        "INSERT INTO svc_visit_fixes(exceptions, reason_code, resolution_code, note, by_user, at,"
        " order_id) VALUES (?, ?, ?, ?, ?, ?, ?)";
    static const char sql_more[] =
        "UPDATE svc_visit_fixes SET exceptions = ?, reason_code = ?, resolution_code = ?,"
        " note = ?, by_user = ?, at = ? WHERE order_id = ? AND exceptions = ?";
    struct al_stmt *st = al_db_sql(db, was ? sql_more : sql_add);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(exceptions), AL_T(reason), AL_T(resolution), AL_T(note ? note : ""),
        AL_T(by), AL_I(now), AL_I(order_id));
    if (was)
        al_stmt_bind_text(st, 8, was);
    int rc = al_stmt_run(st); /* AL_ECONFLICT: fixed already */
    if (rc == AL_OK && was && al_db_changes(db) != 1)
        rc = AL_ECONFLICT; /* fixed again meanwhile */
    return rc;
}

int
service_store_order_provider(struct al_db *db, int64_t id, int64_t *provider, int64_t *station)
{
    struct al_stmt *st = al_db_sql(db, "SELECT coalesce(s.provider_id, 0), coalesce(s.id, 0)"
                                       " FROM svc_orders o"
                                       " LEFT JOIN svc_stations s ON s.id = o.station_id"
                                       " WHERE o.id = ?");
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *provider = al_stmt_int(st, 0);
        *station = al_stmt_int(st, 1);
        al_stmt_reset(st);
    }
    return rc;
}

int
service_store_provider_regions(struct al_db *db, struct al_arena *a, int64_t provider,
    int64_t station, const char **out, size_t max, size_t *n)
{
    struct al_stmt *st = al_db_sql(db, "SELECT DISTINCT r.region_code FROM svc_station_regions r"
                                       " JOIN svc_stations s ON s.id = r.station_id"
                                       " WHERE s.provider_id = ?1 AND s.status = 'active'"
                                       " AND (?2 = 0 OR s.id = ?2) ORDER BY r.region_code");
    int rc;
    *n = 0;
    al_stmt_binds(st, AL_I(provider), AL_I(station));
    while ((rc = al_stmt_step(st)) == AL_ROW)
        if (*n < max)
            out[(*n)++] = al_stmt_dup(a, st, 0);
    return rc;
}
