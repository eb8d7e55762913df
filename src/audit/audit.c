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
text_of(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* RULE-UI-005: the log, filtered as on the page, as CSV or XLSX; the export is itself audited. */
static int
audit_export(struct al_req *r)
{
    static const char *const headers[] = {"时间", "用户", "操作", "对象", "区划", "结果",
        "来源地址", "详情"};
    static const char *const outcomes[][2] = {{"success", "成功"}, {"failure", "失败"},
        {"denied", "拒绝"}};
    struct audit_filter f;
    const char *format;
    int64_t total = 0;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = read_filter(r, &f);
    json_t *items = json_array();
    f.limit = 1;
    if (rc == AL_OK)
        rc = audit_store_list(r->db, r->arena, &f, items, &total);
    json_array_clear(items);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "audit.export", .target_type = "file",
            .region_code = r->who->region_code, .outcome = "success",
            .detail = json_pack("{s:s, s:s?, s:s?, s:I}", "format", format, "username",
                f.username, "action", f.action, "rows", (json_int_t)total)};
        rc = audit_append(r, &e);
    }
    struct al_export *x = NULL;
    if (rc == AL_OK)
        rc = al_export_open(r, format, "审计日志", 8, headers, &x);
    for (f.limit = 500, f.offset = 0; rc == AL_OK && f.offset < total; f.offset += f.limit) {
        int64_t ignored;
        if ((rc = audit_store_list(r->db, r->arena, &f, items, &ignored)) != AL_OK)
            break;
        add_names(r, items);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o) {
            /* the time in China (UTC+8), as the page shows it there */
            char at[32] = "";
            struct tm tm = {0};
            if (sscanf(text_of(o, "at"), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
                tm.tm_year -= 1900;
                tm.tm_mon -= 1;
                time_t t = timegm(&tm) + 8 * 3600;
                gmtime_r(&t, &tm);
                strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
            }
            const char *outcome = text_of(o, "outcome");
            for (size_t k = 0; k < 3; k++)
                if (!strcmp(outcomes[k][0], outcome))
                    outcome = outcomes[k][1];
            const char *region = text_of(o, "region_name");
            const char *cells[8] = {at,
                text_of(o, "username"), text_of(o, "action_name"),
                al_arena_printf(r->arena, "%s %s", audit_target_name(text_of(o, "target_type")),
                    text_of(o, "target_id")),
                *region ? region : text_of(o, "region_code"), outcome, text_of(o, "client_ip"),
                text_of(o, "detail_text")};
            al_export_row(x, cells);
        }
        json_array_clear(items);
    }
    json_decref(items);
    if (rc != AL_OK) {
        if (x)
            al_export_abort(x);
        return rc;
    }
    return al_export_reply(x, "审计日志");
}

static const struct al_route audit_routes[] = {
    {AL_GET, "/api/v1/audit/export", audit_export, "audit.read", 0,
        "导出审计日志（format=xlsx|csv，筛选同列表；导出本身留痕）"},
    {AL_GET, "/api/v1/audit", audit_list, "audit.read", 0,
        "审计日志（按用户、操作、结果、对象、日期筛选，分页）"},
    {0},
};

const struct al_module audit_module = {.name = "audit", .routes = audit_routes};
