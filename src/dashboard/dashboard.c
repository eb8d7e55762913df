/* Routes and thin handlers of the dashboard module. */
#include <time.h>

#include "core/http.h"
#include "dashboard/dashboard.h"
#include "dashboard/dashboard_int.h"
#include "region/region.h"

static int
dashboard_get(struct al_req *r)
{
    struct dashboard_counts c;
    int rc = dashboard_store_counts(r->db, r->who->region_code,
        dashboard_day_start(r->now), &c);
    if (rc != AL_OK)
        return rc;
    json_t *counts = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "users",
        (json_int_t)c.users, "users_active", (json_int_t)c.users_active, "townships",
        (json_int_t)c.townships, "villages", (json_int_t)c.villages, "audit_today",
        (json_int_t)c.audit_today, "logins_today", (json_int_t)c.logins_today,
        "login_failures_today", (json_int_t)c.login_failures_today);
    return al_reply(r, 200, json_pack("{s:o}", "counts", counts));
}

/*
 * The registry by region for the home chart: the children of ?parent= (default the caller's
 * region) with their in-registry elders. RULE-SCOPE-001: a parent outside the caller's region
 * is not found; one above it is the caller's region. RULE-SCOPE-002: each figure is the total
 * of /api/v1/elders?status=active&region=<code>.
 */
static int
dashboard_regions(struct al_req *r)
{
    const char *scope = r->who->region_code;
    const char *parent = al_query_opt(&r->query, "parent");
    if (parent && !region_level(parent))
        return al_req_fail(r, AL_EINVAL, "parent", "区划代码应为 2、4、6、9 或 12 位数字");
    if (!parent || region_in_scope(parent, scope))
        parent = scope;
    else if (!region_in_scope(scope, parent))
        return al_req_fail(r, AL_ENOTFOUND, "parent", "区划不存在或不在本辖区");
    json_t *items = json_array();
    int rc = dashboard_store_region_counts(r->db, parent, items);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply(r, 200, json_pack("{s:s, s:o}", "parent", parent, "items", items));
}

static const struct al_route dashboard_routes[] = {
    {AL_GET, "/api/v1/dashboard", dashboard_get, "dashboard.read", 0, "首页统计（本辖区实数）"},
    {AL_GET, "/api/v1/dashboard/regions", dashboard_regions, "elder.read", 0,
        "首页图表：下级区划（parent，默认本辖区）各自的在册老年人数"},
    {0},
};

const struct al_module dashboard_module = {.name = "dashboard", .routes = dashboard_routes};
