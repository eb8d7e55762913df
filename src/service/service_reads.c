/*
 * Home services read by other modules (issue 14: the alarm console's elder card): an elder's
 * latest orders, here so no other module reads the service tables.
 */
#include <jansson.h>

#include "core/db.h"
#include "core/dbq.h"
#include "service/service.h"
#include "service/service_int.h"

/* The order's state in Chinese (AL_COL_FN). */
static json_t *
state_zh(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    int s = service_state_parse(al_stmt_text(st, col));
    return json_string(s >= 0 ? service_state_zh(s) : al_stmt_text(st, col));
}

int
service_recent_orders_json(struct al_db *db, struct al_arena *a, int64_t elder_id, int limit,
    json_t **out)
{
    /* RULE-SVC-231: the newest first, by the window of the visit. */
    static const char sql[] =
        "SELECT o.id, o.window_start, o.status, o.status,"
        " (SELECT i.name FROM svc_order_lines l JOIN svc_items i ON i.code = l.item_code"
        "  WHERE l.order_id = o.id ORDER BY l.line_no LIMIT 1)"
        " FROM svc_orders o WHERE o.elder_id = ?1 ORDER BY o.window_start DESC, o.id DESC"
        " LIMIT ?2";
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "window_start", AL_COL_TIME), AL_COL(2, "status", AL_COL_TEXT),
        AL_COLF(3, "status_name", state_zh), AL_COL(4, "item_name", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(limit));
    return al_db_rows_new(st, a, &(struct al_rows){.cols = cols}, out);
}

int
service_order_moves_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out)
{
    /* RULE-SVC-232: every move of the order in order, with who made it. */
    static const char sql[] = "SELECT at, to_status, to_status, by_user FROM svc_order_events"
                              " WHERE order_id = ? ORDER BY id";
    static const struct al_col cols[] = {AL_COL(0, "at", AL_COL_TIME),
        AL_COL(1, "status", AL_COL_TEXT), AL_COLF(2, "status_name", state_zh),
        AL_COL(3, "by", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id));
    return al_db_rows_new(st, a, &(struct al_rows){.cols = cols}, out);
}

int
service_done_by_item_json(struct al_db *db, struct al_arena *a, int64_t elder_id, int64_t from,
    int64_t to, json_t **out)
{
    /* RULE-SVC-233: visits delivered (completed, confirmed, rated or settled) whose window
     * starts in [from, to), counted per item. */
    static const char sql[] =
        "SELECT i.name, count(*) FROM svc_orders o JOIN svc_order_lines l ON l.order_id = o.id"
        " JOIN svc_items i ON i.code = l.item_code WHERE o.elder_id = ?1"
        " AND o.window_start >= ?2 AND o.window_start < ?3"
        " AND o.status IN ('completed', 'confirmed', 'rated', 'settled')"
        " GROUP BY i.name ORDER BY i.name";
    static const struct al_col cols[] = {AL_COL(0, "item_name", AL_COL_TEXT),
        AL_COL(1, "visits", AL_COL_INT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_I(from), AL_I(to));
    return al_db_rows_new(st, a, &(struct al_rows){.cols = cols}, out);
}
