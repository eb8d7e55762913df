/*
 * The time bank's measures (issue 16, RULE-TB-050..052): registered elder volunteers ÷ elders
 * in the registry per region against the 12 % target, minutes served per month by category,
 * needs open and overdue, the fund's donations and grants; exports of the measures and the
 * volunteers.  Everything within the caller's region (RULE-SCOPE-001).  Routed by timebank.c.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/dbq.h"
#include "core/export.h"
#include "core/fields.h"
#include "core/http.h"
#include "core/json.h"
#include "elder/elder.h"
#include "region/region.h"
#include "timebank/timebank_int.h"


/* The region asked for (default the caller's own), inside the caller's region (404 else). */
static int
query_region(struct al_req *r, const char **out)
{
    const char *q = al_query_opt(&r->query, "region");
    if (!q) {
        *out = r->who->region_code;
        return AL_OK;
    }
    if ((*q && region_level(q) == 0) || !region_in_scope(r->who->region_code, q))
        return al_req_fail(r, AL_ENOTFOUND, "region", "区划不存在或不在您的辖区内");
    *out = q;
    return AL_OK;
}

static double
ratio(int64_t part, int64_t whole)
{
    return whole > 0 ? (double)(part * 10000 / whole) / 10000.0 : 0.0;
}

/*
 * One region's elder volunteers, elders in the registry, their ratio and the region's target
 * (RULE-TB-064: a regional setting, Hangzhou's 12 % by default) into `o`.
 */
static int
share(struct al_db *db, const char *code, json_t *o)
{
    int64_t ev = 0, all = 0, elders = 0, target = 12;
    int rc = tb_store_volunteer_counts(db, code, &ev, &all);
    if (rc == AL_OK)
        rc = elder_count_active(db, code, &elders);
    if (rc == AL_OK)
        rc = tb_store_setting(db, NULL, code, TB_SET_TARGET, &target, NULL);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    json_object_set_new(o, "target_pct", json_integer(target));
    json_object_set_new(o, "elder_volunteers", json_integer(ev));
    json_object_set_new(o, "volunteers", json_integer(all));
    json_object_set_new(o, "elders_active", json_integer(elders));
    json_object_set_new(o, "ratio", json_real(ratio(ev, elders)));
    json_object_set_new(o, "reached", json_boolean(tb_target_reached(ev, elders, (int)target)));
    return AL_OK;
}

/* The first day (China time) of the month eleven months before today, as unix seconds. */
static int64_t
year_ago(const char *today)
{
    int y = 0, m = 0;
    sscanf(today, "%4d-%2d", &y, &m);
    m -= 11;
    if (m < 1) {
        m += 12;
        y--;
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%04d-%02d-01 00:00", y % 10000, m % 100);
    int64_t t = 0;
    tb_parse_local_time(buf, &t);
    return t;
}

int
tb_measures(struct al_req *r)
{
    const char *region;
    int rc = query_region(r, &region);
    if (rc != AL_OK)
        return rc;
    const char *name = region_name(r->db, r->arena, region);
    json_t *o = json_pack("{ss ss}", "region_code", region, "region_name", name ? name : region);
    json_t *children = json_array(), *hours = json_array(), *needs = json_object(),
           *totals = json_object();
    json_object_set_new(o, "children", children);
    json_object_set_new(o, "hours", hours);
    json_object_set_new(o, "needs", needs);
    json_object_set_new(o, "totals", totals);
    rc = share(r->db, region, o);
    /* The region's target as a fraction, as before the setting (RULE-TB-050, RULE-TB-064). */
    json_object_set_new(o, "target",
        json_real((double)json_integer_value(json_object_get(o, "target_pct")) / 100.0));
    if (rc == AL_OK)
        rc = tb_store_child_regions(r->db, region, children);
    size_t i;
    json_t *c;
    json_array_foreach(children, i, c)
    {
        if (rc == AL_OK)
            rc = share(r->db, json_string_value(json_object_get(c, "code")), c);
    }
    if (rc == AL_OK)
        rc = tb_store_hours_by_month(r->db, r->arena, region, year_ago(r->today), hours);
    if (rc == AL_OK)
        rc = tb_store_need_counts(r->db, region, r->now, needs);
    if (rc == AL_OK)
        rc = tb_store_category_totals(r->db, region, totals);
    if (rc != AL_OK) {
        json_decref(o);
        return rc;
    }
    return al_reply(r, 200, o);
}

static int
audit_export(struct al_req *r, const char *action, const char *region, long long rows)
{
    struct audit_entry e = {.action = action, .target_type = "region", .target_id = region,
        .region_code = region, .outcome = "success",
        .detail = json_pack("{ss sI}", "region", region, "rows", (json_int_t)rows)};
    return audit_append(r, &e);
}

int
tb_measures_export(struct al_req *r)
{
    static const char *const heads[] = {"区划代码", "区划", "在册老人", "登记老年志愿者",
        "志愿者（含非老年）", "老年志愿者占比", "目标", "是否达标"};
    const char *region, *format;
    struct al_export *x = NULL;
    int rc = query_region(r, &region);
    if (rc == AL_OK)
        rc = al_export_format(r, &format);
    if (rc != AL_OK)
        return rc;
    json_t *rows = json_array();
    json_t *self = json_object();
    const char *name = region_name(r->db, r->arena, region);
    json_object_set_new(self, "code", json_string(region));
    json_object_set_new(self, "name", json_string(name ? name : region));
    rc = tb_store_child_regions(r->db, region, rows);
    if (rc == AL_OK)
        json_array_insert(rows, 0, self);
    json_decref(self);
    size_t i;
    json_t *c;
    json_array_foreach(rows, i, c)
    {
        if (rc == AL_OK)
            rc = share(r->db, json_string_value(json_object_get(c, "code")), c);
    }
    if (rc == AL_OK)
        rc = al_export_open(r, format, "时间银行：老年志愿者占比", 8, heads, &x);
    json_array_foreach(rows, i, c)
    {
        if (rc != AL_OK)
            break;
        const char *cells[8] = {json_string_value(json_object_get(c, "code")),
            json_string_value(json_object_get(c, "name")),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(c, "elders_active"))),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(c, "elder_volunteers"))),
            al_arena_printf(r->arena, "%lld",
                (long long)json_integer_value(json_object_get(c, "volunteers"))),
            al_arena_printf(r->arena, "%.2f%%",
                json_real_value(json_object_get(c, "ratio")) * 100),
            al_arena_printf(r->arena, "%lld%%",
                (long long)json_integer_value(json_object_get(c, "target_pct"))),
            json_is_true(json_object_get(c, "reached")) ? "是" : "否"};
        al_export_row(x, cells);
    }
    json_decref(rows);
    if (rc == AL_OK && (rc = al_db_begin(r->db)) == AL_OK) {
        rc = audit_export(r, "timebank.measures_export", region, al_export_rows(x));
        rc = al_db_end(r->db, rc);
    }
    if (rc != AL_OK) {
        if (x)
            al_export_abort(x);
        return rc;
    }
    return al_export_reply(x, "时间银行老年志愿者占比");
}

int
tb_members_export(struct al_req *r)
{
    static const char *const heads[] = {"编号", "姓名/名称", "类型", "时间银行", "所在区划",
        "状态", "登记老人", "余额（小时）", "联系电话"};
    const char *region, *format;
    struct al_export *x = NULL;
    int64_t scheme = 0, total = 0;
    int rc = query_region(r, &region);
    if (rc == AL_OK)
        rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = al_query_int(&r->query, "scheme_id", "时间银行", 0, INT64_MAX, 0, &scheme, &r->err);
    if (rc == AL_OK)
        rc = al_export_open(r, format, "时间银行志愿者", 9, heads, &x);
    for (int64_t off = 0; rc == AL_OK && (off == 0 || off < total); off += 500) {
        struct al_params p;
        al_params_init(&p, r->arena);
        region_params(&p, region);
        json_t *items = json_array();
        rc = tb_store_members(r->db, &p, scheme, al_query_opt(&r->query, "q"), 500, off, items,
            &total);
        size_t i;
        json_t *m;
        json_array_foreach(items, i, m)
        {
            const char *status = json_string_value(json_object_get(m, "status"));
            int64_t bal = json_integer_value(json_object_get(m, "balance_min"));
            const char *cells[9] = {
                al_arena_printf(r->arena, "%lld", (long long)json_integer_value(json_object_get(m,
                                                      "id"))),
                json_string_value(json_object_get(m, "name")),
                strcmp(json_string_value(json_object_get(m, "kind")), "group") == 0 ? "团体"
                                                                                    : "个人",
                json_string_value(json_object_get(m, "scheme_name")),
                json_string_value(json_object_get(m, "region_code")),
                strcmp(status, "verified") == 0   ? "已审核"
                    : strcmp(status, "pending") == 0 ? "待审核"
                                                     : "已暂停",
                json_is_integer(json_object_get(m, "elder_id")) ? "是" : "否",
                al_arena_printf(r->arena, "%.1f", (double)bal / 60.0),
                json_string_value(json_object_get(m, "phone_masked"))};
            al_export_row(x, cells);
        }
        json_decref(items);
        if (total == 0)
            break;
    }
    if (rc == AL_OK && (rc = al_db_begin(r->db)) == AL_OK) {
        rc = audit_export(r, "timebank.members_export", region, al_export_rows(x));
        rc = al_db_end(r->db, rc);
    }
    if (rc != AL_OK) {
        if (x)
            al_export_abort(x);
        return rc;
    }
    return al_export_reply(x, "时间银行志愿者");
}

/* ---- regional settings (RULE-TB-064, RULE-TB-066) ---- */

static const char *const setting_keys[] = {TB_SET_TARGET, TB_SET_RADIUS, NULL};

/* The settings in force for `region`, each with the region that set it. */
static int
settings_json(struct al_req *r, const char *region, json_t **out)
{
    const char *name = *region ? region_name(r->db, r->arena, region) : "全部";
    json_t *o = json_pack("{ss ss}", "region_code", region, "region_name", name ? name : region);
    int rc = AL_OK;
    for (int i = 0; rc == AL_OK && setting_keys[i]; i++) {
        int64_t v = 0;
        const char *from = "";
        rc = tb_store_setting(r->db, r->arena, region, setting_keys[i], &v, &from);
        json_object_set_new(o, setting_keys[i], json_integer(v));
        json_object_set_new(o, al_arena_printf(r->arena, "%s_from", setting_keys[i]),
            json_string(from));
    }
    if (rc != AL_OK) {
        json_decref(o);
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    }
    *out = o;
    return AL_OK;
}

int
tb_settings_get(struct al_req *r)
{
    const char *region;
    json_t *o;
    int rc = query_region(r, &region);
    if (rc == AL_OK)
        rc = settings_json(r, region, &o);
    return rc == AL_OK ? al_reply(r, 200, o) : rc;
}

int
tb_settings_put(struct al_req *r)
{
    static const struct al_field fields[] = {
        {"region_code", "区划", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .min = 2, .max = 12},
        {TB_SET_TARGET, "老年志愿者占比目标（%）", AL_FT_INT, 0, .min = 1, .max = 100},
        {TB_SET_RADIUS, "附近需求半径（米）", AL_FT_INT, 0, .min = 100, .max = 50000},
        {0},
    };
    json_t *body, *set = json_object(), *o = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        goto out;
    const char *region = json_string_value(json_object_get(set, "region_code"));
    /* RULE-TB-064: set for a region of the caller's own (a real division code). */
    if (region_level(region) == 0 || !region_name(r->db, r->arena, region)) {
        rc = al_req_fail(r, AL_EINVAL, "region_code", "区划应为存在的行政区划代码");
        goto out;
    }
    if (!region_in_scope(r->who->region_code, region)) {
        rc = al_req_fail(r, AL_EPERM, "region_code", "只能设置本辖区的时间银行参数");
        goto out;
    }
    if (json_object_size(set) < 2) {
        rc = al_req_fail(r, AL_EINVAL, TB_SET_TARGET, "应至少设置老年志愿者占比目标或附近需求半径");
        goto out;
    }
    if ((rc = al_db_begin(r->db)) != AL_OK)
        goto out;
    for (int i = 0; rc == AL_OK && setting_keys[i]; i++) {
        json_t *v = json_object_get(set, setting_keys[i]);
        if (v)
            rc = tb_store_setting_put(r->db, region, setting_keys[i], json_integer_value(v),
                r->who->username, r->now);
    }
    if (rc == AL_OK) {
        json_object_del(set, "region_code");
        struct audit_entry e = {.action = "timebank.settings", .target_type = "region",
            .target_id = region, .region_code = region, .outcome = "success", .detail = set};
        rc = audit_append(r, &e);
    }
    if ((rc = al_db_end(r->db, rc)) == AL_OK && (rc = settings_json(r, region, &o)) == AL_OK)
        rc = al_reply(r, 200, o);
out:
    json_decref(set);
    return rc;
}
