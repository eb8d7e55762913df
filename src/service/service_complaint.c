/*
 * Home services: the complaint supervision queue (RULE-SVC-120..125).  A complaint is made with
 * an order's rating (service.c's order_rate calls service_complaint_open); officers accept it,
 * assign it and close it with a result code and what was done, before its last day.  Scoped
 * like orders (RULE-SVC-001, RULE-SVC-111).  Its SQL is in the "store" part at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/dbq.h"
#include "core/export.h"
#include "core/fields.h"
#include "core/json.h"
#include "core/query.h"
#include "region/region.h"
#include "service/service_admin_int.h"

#define EXPORT_PAGE 500

/* ---- store ---- */

/* RULE-SVC-121: working days to close a complaint (setting service.complaint_days, 3). */
static int
complaint_days(struct al_db *db, int *days)
{
    struct al_stmt *st =
        al_db_sql(db, "SELECT value FROM settings WHERE key = 'service.complaint_days'");
    *days = 3;
    if (!st)
        return AL_EDB;
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        const char *v = al_stmt_text(st, 0);
        long n = v ? strtol(v, NULL, 10) : -1;
        if (n >= 0 && n <= 60)
            *days = (int)n;
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

int
service_complaint_open(struct al_req *r, int64_t order_id, const char *content)
{
    int days;
    char due[11];
    int rc = complaint_days(r->db, &days);
    if (rc != AL_OK)
        return rc;
    if (!service_due_date(r->today, days, due))
        return AL_EINTERNAL;
    struct al_stmt *st = al_db_sql(r->db,
        "INSERT INTO svc_complaints(order_id, provider_id, content, created_at, due_date)"
        " SELECT o.id, s.provider_id, ?2, ?3, ?4 FROM svc_orders o"
        " LEFT JOIN svc_stations s ON s.id = o.station_id WHERE o.id = ?1");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(order_id), AL_T(content), AL_I(r->now), AL_T(due));
    return al_stmt_run(st);
}

static const struct al_page_sql page = {
    .cols = "c.order_id, o.region_code, g.name, c.provider_id, p.name, k.name, o.rating,"
            " c.content, c.status, c.created_at, c.due_date, c.assignee, c.result_code,"
            " c.resolution, c.closed_by, c.closed_at, c.version, o.window_start",
    .from = " FROM svc_complaints c JOIN svc_orders o ON o.id = c.order_id"
            " LEFT JOIN regions g ON g.code = o.region_code"
            " LEFT JOIN svc_providers p ON p.id = c.provider_id"
            " LEFT JOIN svc_caregivers k ON k.id = o.caregiver_id",
    /* RULE-SVC-124: the overdue first, then by their last day. */
    .order = " ORDER BY CASE WHEN c.status <> 'closed' AND c.due_date < ?3 THEN 0 ELSE 1 END,"
             " CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.due_date, c.order_id"};

static json_t *
col_overdue(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    return json_boolean(
        service_complaint_overdue(al_stmt_text(st, col), al_stmt_text(st, col + 2), c->user));
}

static json_t *
col_state_zh(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *zh = service_complaint_state_zh(service_complaint_state_parse(al_stmt_text(st, col)));
    return zh ? json_string(zh) : json_null();
}

static json_t *
col_result_zh(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *zh = service_complaint_result_zh(al_stmt_text(st, col));
    return zh ? json_string(zh) : json_null();
}

static const struct al_col cols[] = {AL_COL(0, "order_id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "region_name", AL_COL_TEXT),
    AL_COL(3, "provider_id", AL_COL_INT), AL_COL(4, "provider_name", AL_COL_TEXT),
    AL_COL(5, "caregiver_name", AL_COL_TEXT), AL_COL(6, "rating", AL_COL_INT),
    AL_COL(7, "content", AL_COL_TEXT), AL_COL(8, "status", AL_COL_TEXT),
    AL_COLF(8, "status_zh", col_state_zh), AL_COLF(8, "overdue", col_overdue),
    AL_COL(9, "created_at", AL_COL_TIME), AL_COL(10, "due_date", AL_COL_TEXT),
    AL_COL(11, "assignee", AL_COL_TEXT), AL_COL(12, "result_code", AL_COL_TEXT),
    AL_COLF(12, "result_zh", col_result_zh), AL_COL(13, "resolution", AL_COL_TEXT),
    AL_COL(14, "closed_by", AL_COL_TEXT), AL_COL(15, "closed_at", AL_COL_TIME),
    AL_COL(16, "version", AL_COL_INT), AL_COL(17, "window_start", AL_COL_TIME), AL_COL_END};

/* RULE-SVC-125: the queue's WHERE (?1 ?2 scope, ?3 today, ?4 provider of the caller …). */
static int
where_of(struct al_req *r, struct al_params *p, const char **where, const char **status_out)
{
    static const char *const states[] = {"open", "handling", "closed", "pending", NULL};
    int64_t provider = 0, overdue = 0;
    struct svc_account mine;
    const char *status = al_query_opt(&r->query, "status");
    int ok = !status;
    for (int i = 0; status && states[i]; i++)
        ok |= strcmp(status, states[i]) == 0;
    if (!ok)
        return al_req_fail(r, AL_EINVAL, "status", "投诉状态筛选应为 open、handling、closed 或 pending");
    int rc = service_user_account(r->db, r->who->user_id, &mine);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "provider_id", "服务机构", 1, INT64_MAX, 0, &provider,
            &r->err);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "overdue", "逾期", 0, 1, 0, &overdue, &r->err);
    if (rc != AL_OK)
        return rc;
    region_params(p, r->who->region_code);
    al_param_text(p, r->today);
    al_param_int(p, mine.provider);
    al_param_int(p, provider);
    al_param_text(p, status);
    al_param_int(p, overdue);
    al_param_text(p, al_query_opt(&r->query, "assignee"));
    al_param_int(p, mine.station);
    /* RULE-SVC-111, RULE-SVC-211: a provider account sees the complaints about its provider
     * only, a station account those about its station's visits. */
    *where = " WHERE o.region_code >= ?1 AND o.region_code < ?2"
             " AND (?4 = 0 OR c.provider_id = ?4) AND (?5 = 0 OR c.provider_id = ?5)"
             " AND (?9 = 0 OR o.station_id = ?9)"
             " AND (CAST(?6 AS TEXT) IS NULL OR c.status = ?6"
             " OR (?6 = 'pending' AND c.status <> 'closed'))"
             " AND (?7 = 0 OR (c.status <> 'closed' AND c.due_date < ?3))"
             " AND (CAST(?8 AS TEXT) IS NULL OR c.assignee = ?8)";
    if (status_out)
        *status_out = status;
    return AL_OK;
}

int
service_complaints_list(struct al_req *r)
{
    struct al_params p;
    const char *where;
    int64_t limit, offset, total = 0;
    al_params_init(&p, r->arena);
    int rc = where_of(r, &p, &where, NULL);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    rc = al_db_page(r->db, &p, &page, where, limit, offset,
        &(struct al_rows){.cols = cols, .user = r->today}, items, &total);
    return rc == AL_OK ? al_reply_items(r, items, total) : rc;
}

/* The complaint of the path's order, if the caller may see it (404 otherwise). */
static int
load(struct al_req *r, json_t **out)
{
    int64_t id;
    struct al_params p;
    const char *where;
    al_params_init(&p, r->arena);
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = where_of(r, &p, &where, NULL);
    if (rc != AL_OK)
        return rc;
    where = al_arena_printf(r->arena, "%s AND c.order_id = %s", where, al_param_int(&p, id));
    json_t *items = json_array();
    int64_t total = 0;
    rc = al_db_page(r->db, &p, &page, where, 1, 0,
        &(struct al_rows){.cols = cols, .user = r->today}, items, &total);
    if (rc == AL_OK && total == 0)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "投诉不存在");
    if (rc == AL_OK)
        *out = json_incref(json_array_get(items, 0));
    return rc;
}

int
service_complaint_get(struct al_req *r)
{
    json_t *c = NULL;
    int rc = load(r, &c);
    return rc == AL_OK ? al_reply(r, 200, c) : rc;
}

static const char *const moves[] = {"handling", "closed", NULL};

static const struct al_field update_fields[] = {
    {"status", "投诉状态", AL_FT_ENUM, 0, .allowed = moves,
        .hint = "应为 handling（处理中）或 closed（已办结）"},
    {"assignee", "承办人", AL_FT_TEXT, AL_F_PLAIN, .min = 1, .max = 64},
    {"result_code", "处理结果", AL_FT_ENUM, 0, .allowed = service_complaint_results,
        .hint = "应为 upheld（属实已整改）、partly（部分属实）、rejected（不属实）或 withdrawn（撤回）"},
    {"resolution", "办理情况", AL_FT_TEXT, AL_F_PLAIN, .min = 1, .max = 500},
    {0},
};

/* RULE-SVC-122: the assignee is an active account inside the caller's region. */
static int
assignee_ok(struct al_req *r, const char *username)
{
    struct al_stmt *st = al_db_sql(r->db,
        "SELECT region_code FROM users WHERE lower(username) = lower(?) AND status = 'active'");
    if (!st)
        return AL_EDB;
    al_stmt_bind_text(st, 1, username);
    int rc = al_stmt_one(st);
    bool in = false;
    if (rc == AL_OK) {
        in = region_in_scope(r->who->region_code, al_stmt_text(st, 0));
        al_stmt_reset(st);
    }
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !in))
        return al_req_fail(r, AL_EINVAL, "assignee", "承办人不存在或不在本辖区内");
    return rc;
}

/*
 * RULE-SVC-122, RULE-SVC-123: accept (handling), assign, close with a result and what was done;
 * compare-and-set on the version; audited.
 */
int
service_complaint_update(struct al_req *r)
{
    json_t *c = NULL, *body, *set = json_object();
    int64_t version = 0;
    int rc = load(r, &c);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "version", "版本号", AL_REQUIRED, 1, INT32_MAX, &version, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_fields_read(body, update_fields, 0, set, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *from = json_string_value(json_object_get(c, "status"));
    const char *to = json_string_value(json_object_get(set, "status"));
    const char *assignee = json_string_value(json_object_get(set, "assignee"));
    const char *result = json_string_value(json_object_get(set, "result_code"));
    const char *resolution = json_string_value(json_object_get(set, "resolution"));
    int fs = service_complaint_state_parse(from);
    if (fs == SVC_CP_CLOSED)
        return al_req_fail(r, AL_ECONFLICT, "status", "投诉已办结，不能再修改");
    if (to && service_complaint_move(fs, service_complaint_state_parse(to)) != AL_OK)
        return al_req_fail(r, AL_ECONFLICT, "status", "投诉当前状态为「%s」，不能改为「%s」",
            service_complaint_state_zh(fs),
            service_complaint_state_zh(service_complaint_state_parse(to)));
    bool closing = to && strcmp(to, "closed") == 0;
    if (closing && !result)
        return al_req_fail(r, AL_EINVAL, "result_code", "办结投诉须选择处理结果");
    if (closing && !resolution)
        return al_req_fail(r, AL_EINVAL, "resolution", "办结投诉须填写办理情况");
    if (!closing && (result || resolution))
        return al_req_fail(r, AL_EINVAL, result ? "result_code" : "resolution",
            "处理结果与办理情况在办结时填写");
    if (!to && !assignee)
        return al_req_fail(r, AL_EINVAL, "status", "请指定新的状态或承办人");
    if (assignee && (rc = assignee_ok(r, assignee)) != AL_OK)
        return rc;
    int64_t id = json_integer_value(json_object_get(c, "order_id"));
    struct al_stmt *st = al_db_sql(r->db,
        "UPDATE svc_complaints SET status = coalesce(?1, status), assignee = coalesce(?2, assignee),"
        " result_code = coalesce(?3, result_code), resolution = coalesce(?4, resolution),"
        " closed_by = CASE WHEN ?1 = 'closed' THEN ?5 ELSE closed_by END,"
        " closed_at = CASE WHEN ?1 = 'closed' THEN ?6 ELSE closed_at END,"
        " version = version + 1 WHERE order_id = ?7 AND version = ?8");
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    if (!st)
        rc = AL_EDB;
    else {
        al_stmt_binds(st, AL_T(to), AL_T(assignee), AL_T(result), AL_T(resolution),
            AL_T(r->who->username), AL_I(r->now), AL_I(id), AL_I(version));
        rc = al_stmt_run(st);
        if (rc == AL_OK && al_db_changes(r->db) == 0) {
            rc = AL_ECONFLICT;
            al_req_fail(r, AL_ECONFLICT, "version", "投诉已被他人修改，请刷新后重试");
        }
    }
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "service.complaint_update",
            .target_type = "svc_complaint",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
            .region_code = json_string_value(json_object_get(c, "region_code")),
            .outcome = "success",
            .detail = json_pack("{s:s, s:s?, s:s?, s:s?}", "from", from, "to", to, "assignee",
                assignee, "result_code", result)};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    json_t *out = NULL;
    if ((rc = load(r, &out)) != AL_OK)
        return rc;
    return al_reply(r, 200, out);
}

static const char *
x_state(struct al_export_cell *c)
{
    const char *zh = service_complaint_state_zh(service_complaint_state_parse(
        al_stmt_text(c->st, c->col)));
    if (!zh)
        return NULL;
    bool late = service_complaint_overdue(al_stmt_text(c->st, c->col),
        al_stmt_text(c->st, c->col + 2), c->user);
    return late ? al_arena_printf(c->a, "%s（逾期）", zh) : zh;
}

static const char *
x_result(struct al_export_cell *c)
{
    return service_complaint_result_zh(al_stmt_text(c->st, c->col));
}

static const struct al_export_col xcols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("订单号", 0), AL_XCOL("所属区划", 2), AL_XCOL("服务机构", 4),
    AL_XCOL("护理员", 5), AL_XCOL("评分", 6), AL_XCOL("投诉内容", 7),
    AL_XCOLF("状态", 8, x_state), AL_XCOLF("投诉时间", 9, al_xcell_time_cst),
    AL_XCOL("办结期限", 10), AL_XCOL("承办人", 11), AL_XCOLF("处理结果", 12, x_result),
    AL_XCOL("办理情况", 13), AL_XCOLF("办结时间", 15, al_xcell_time_cst), AL_XCOL_END};

struct export_ctx {
    struct al_req *r;
    struct al_params p;
    const char *where;
};

static struct al_stmt *
export_page(void *ctx, const char *const *after)
{
    struct export_ctx *x = ctx;
    /* by order id, the export's key */
    struct al_page_sql k = {.cols = page.cols, .from = page.from};
    return al_db_keyset(x->r->db, &x->p, &k, x->where, "c.order_id", false,
        after ? after[0] : NULL, EXPORT_PAGE);
}

/* RULE-SVC-125: the queue as filtered on the page, CSV or XLSX; audited. */
int
service_complaints_export(struct al_req *r)
{
    const char *format, *where, *status = NULL;
    int64_t total = 0;
    struct al_params p;
    al_params_init(&p, r->arena);
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = where_of(r, &p, &where, &status);
    json_t *items = json_array();
    if (rc == AL_OK)
        rc = al_db_page(r->db, &p, &page, where, 0, 0,
            &(struct al_rows){.cols = cols, .user = r->today}, items, &total);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "service.complaint_export",
            .target_type = "svc_complaint", .region_code = r->who->region_code,
            .outcome = "success",
            .detail = json_pack("{s:s, s:s?, s:I}", "format", format, "status", status, "rows",
                (json_int_t)total)};
        rc = audit_append(r, &e);
    }
    if (rc != AL_OK)
        return rc;
    struct export_ctx *x = al_arena_calloc(r->arena, sizeof(*x));
    x->r = r;
    al_params_init(&x->p, r->arena);
    if ((rc = where_of(r, &x->p, &x->where, NULL)) != AL_OK)
        return rc;
    struct al_export_list l = {.title = "投诉督办", .name = "投诉督办", .cols = xcols,
        .user = r->today, .page = export_page, .ctx = x, .key_col = 0, .nkeys = 1,
        .page_rows = EXPORT_PAGE};
    return al_export_list(r, format, &l, NULL);
}
