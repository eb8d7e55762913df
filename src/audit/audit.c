/* Routes and thin handlers of the audit module. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/audit_int.h"
#include "core/export.h"
#include "core/http.h"
#include "elder/elder.h"
#include "region/region.h"

int
audit_append(struct al_req *r, const struct audit_entry *e)
{
    struct audit_entry x = *e;
    if (!x.at)
        x.at = r->now; /* RULE-DB-044 */
    return audit_append_as(r->db, r->who ? r->who->user_id : 0,
        r->who ? r->who->username : NULL, r->client_ip[0] ? r->client_ip : NULL, &x);
}

/* "YYYY-MM-DD" (China time, UTC+8) → unix seconds of its midnight; -1 when malformed. */
static int64_t
parse_day(const char *s)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
        d > 31 || y < 1970 || y > 9999)
        return INT64_MIN;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d)
        return INT64_MIN;
    return (int64_t)t - 8 * 3600; /* midnight in China: 1970-01-01 is before the epoch */
}

/* The filters of the log (and of its export), checked. */
static int
read_filter(struct al_req *r, struct audit_filter *f)
{
    *f = (struct audit_filter){.scope = r->who->region_code};
    const char *v;
    f->username = al_query_opt(&r->query, "user");
    f->action = al_query_opt(&r->query, "action");
    f->outcome = al_query_opt(&r->query, "outcome");
    f->target_type = al_query_opt(&r->query, "target_type");
    f->target_id = al_query_opt(&r->query, "target_id");
    if ((v = al_query_opt(&r->query, "from"))) {
        if ((f->from = parse_day(v)) == INT64_MIN)
            return al_req_fail(r, AL_EINVAL, "from", "开始日期格式应为 YYYY-MM-DD");
    }
    if ((v = al_query_opt(&r->query, "to"))) {
        if ((f->to = parse_day(v)) == INT64_MIN)
            return al_req_fail(r, AL_EINVAL, "to", "结束日期格式应为 YYYY-MM-DD");
        f->to += 86400; /* inclusive end day */
    }
    if (f->outcome && strcmp(f->outcome, "success") && strcmp(f->outcome, "failure") &&
        strcmp(f->outcome, "denied"))
        return al_req_fail(r, AL_EINVAL, "outcome", "结果应为 success、failure 或 denied");
    return AL_OK;
}

static const char *
region_of(void *ctx, const char *code)
{
    struct al_req *r = ctx;
    return region_name(r->db, r->arena, code);
}

/* RULE-UI-003: each entry also in Chinese: the action, the region's name, the detail. */
static void
add_names(struct al_req *r, json_t *items)
{
    struct audit_names n = {.region = region_of, .ctx = r, .field = elder_field_label};
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o) {
        const char *code = json_string_value(json_object_get(o, "region_code"));
        const char *name = code ? region_name(r->db, r->arena, code) : NULL;
        json_object_set_new(o, "region_name", name ? json_string(name) : json_null());
        json_object_set_new(o, "action_name",
            json_string(audit_action_name(json_string_value(json_object_get(o, "action")))));
        json_object_set_new(o, "detail_text",
            json_string(audit_detail_text(r->arena, json_object_get(o, "detail"), &n)));
    }
}

static int
audit_list(struct al_req *r)
{
    struct audit_filter f;
    int64_t limit, offset;
    int rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc == AL_OK)
        rc = read_filter(r, &f);
    if (rc != AL_OK)
        return rc;
    f.limit = limit;
    f.offset = offset;
    json_t *items = json_array();
    int64_t total = 0;
    rc = audit_store_list(r->db, r->arena, &f, items, &total);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    add_names(r, items);
    return al_reply_items(r, items, total);
}

static const char *
xcell_action(struct al_export_cell *c)
{
    return audit_action_name(al_stmt_text(c->st, c->col));
}

/* 老人 123: the target's kind in Chinese and its id. */
static const char *
xcell_target(struct al_export_cell *c)
{
    const char *type = al_stmt_text(c->st, AUDIT_X_TARGET_TYPE);
    const char *id = al_stmt_text(c->st, AUDIT_X_TARGET_ID);
    snprintf(c->buf, c->size, "%s %s", audit_target_name(type ? type : ""), id ? id : "");
    return c->buf;
}

/* The region's name, or its code when it has none. */
static const char *
xcell_region(struct al_export_cell *c)
{
    const char *code = al_stmt_text(c->st, c->col);
    const char *name = code ? region_of((void *)c->user, code) : NULL;
    return name && *name ? name : code;
}

static const char *
xcell_outcome(struct al_export_cell *c)
{
    static const char *const outcomes[][2] = {{"success", "成功"}, {"failure", "失败"},
        {"denied", "拒绝"}};
    const char *outcome = al_stmt_text(c->st, c->col);
    for (size_t k = 0; outcome && k < 3; k++)
        if (!strcmp(outcomes[k][0], outcome))
            return outcomes[k][1];
    return outcome;
}

/* RULE-UI-003: the detail as one line of Chinese. */
static const char *
xcell_detail(struct al_export_cell *c)
{
    struct audit_names n = {.region = region_of, .ctx = (void *)c->user,
        .field = elder_field_label};
    json_t *d = json_loadb(al_stmt_text(c->st, c->col), al_stmt_len(c->st, c->col), 0, NULL);
    const char *text = audit_detail_text(c->a, d ? d : json_null(), &n);
    json_decref(d);
    return text;
}

static const struct al_export_col export_cols[] = {
    AL_XCOLF("时间", AUDIT_X_AT, al_xcell_time_cst), /* in China (UTC+8), as the page shows it */
    AL_XCOL("用户", AUDIT_X_USERNAME), AL_XCOLF("操作", AUDIT_X_ACTION, xcell_action),
    AL_XCOLF("对象", AUDIT_X_TARGET_TYPE, xcell_target),
    AL_XCOLF("区划", AUDIT_X_REGION, xcell_region), AL_XCOLF("结果", AUDIT_X_OUTCOME, xcell_outcome),
    AL_XCOL("来源地址", AUDIT_X_CLIENT_IP), AL_XCOLF("详情", AUDIT_X_DETAIL, xcell_detail),
    AL_XCOL_END};

#define EXPORT_PAGE 500

struct export_ctx {
    struct al_req *r;
    const struct audit_filter *f;
};

static struct al_stmt *
export_page(void *ctx, const char *const *after)
{
    struct export_ctx *x = ctx;
    return audit_store_export_page(x->r->db, x->r->arena, x->f, after ? after[0] : NULL,
        EXPORT_PAGE);
}

/* RULE-UI-005: the log, filtered as on the page, as CSV or XLSX; the export is itself audited. */
static int
audit_export(struct al_req *r)
{
    struct audit_filter f;
    const char *format;
    int64_t total = 0;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = read_filter(r, &f);
    json_t *items = json_array();
    f.limit = 0;
    f.offset = 0;
    if (rc == AL_OK)
        rc = audit_store_list(r->db, r->arena, &f, items, &total); /* the count */
    json_decref(items);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "audit.export", .target_type = "file",
            .region_code = r->who->region_code, .outcome = "success",
            .detail = json_pack("{s:s, s:s?, s:s?, s:I}", "format", format, "username",
                f.username, "action", f.action, "rows", (json_int_t)total)};
        rc = audit_append(r, &e);
    }
    if (rc != AL_OK)
        return rc;
    struct al_export_list l = {.title = "审计日志", .name = "审计日志", .cols = export_cols,
        .user = r, .page = export_page, .ctx = al_arena_memdup(r->arena, /* RULE-DB-113 */
            &(struct export_ctx){r, al_arena_memdup(r->arena, &f, sizeof(f))},
            sizeof(struct export_ctx)),
        .key_col = AUDIT_X_ID, .nkeys = 1, .page_rows = EXPORT_PAGE};
    return al_export_list(r, format, &l, NULL);
}

static const struct al_route audit_routes[] = {
    {AL_GET, "/api/v1/audit/export", audit_export, "audit.read", 0,
        "导出审计日志（format=xlsx|csv，筛选同列表；导出本身留痕）"},
    {AL_GET, "/api/v1/audit", audit_list, "audit.read", 0,
        "审计日志（按用户、操作、结果、对象、日期筛选，分页）"},
    {0},
};

const struct al_module audit_module = {.name = "audit", .routes = audit_routes};
