/* Routes and thin handlers of the dashboard module. */
#include <time.h>

#include "core/http.h"
#include "dashboard/dashboard.h"
#include "dashboard/dashboard_int.h"

static int
dashboard_get(struct al_req *r)
{
    struct dashboard_counts c;
    int rc = dashboard_store_counts(r->db, r->who->region_code,
        dashboard_day_start((int64_t)time(NULL)), &c);
    if (rc != AL_OK)
        return rc;
    json_t *counts = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "users",
        (json_int_t)c.users, "users_active", (json_int_t)c.users_active, "townships",
        (json_int_t)c.townships, "villages", (json_int_t)c.villages, "audit_today",
        (json_int_t)c.audit_today, "logins_today", (json_int_t)c.logins_today,
        "login_failures_today", (json_int_t)c.login_failures_today);
    return al_reply(r, 200, json_pack("{s:o}", "counts", counts));
}

static const struct al_route dashboard_routes[] = {
    {AL_GET, "/api/v1/dashboard", dashboard_get, "dashboard.read", 0, "首页统计（本辖区实数）"},
    {0},
};

const struct al_module dashboard_module = {.name = "dashboard", .routes = dashboard_routes};
