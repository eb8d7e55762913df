/*
 * The settings of the visit proof (RULE-SVC-175..177): the duration limits of the EVV check
 * (service.evv_short_pct, service.evv_long_pct), read by every check of a visit, with the
 * tolerances beside them.  Routes in service_registry.c's table (SERVICE_SETTINGS_ROUTES).
 */
#include "audit/audit.h"
#include "core/json.h"
#include "service/service_admin_int.h"
#include "service/service_int.h"

int
service_settings_get(struct al_req *r)
{
    struct svc_travel_cfg t;
    struct svc_evv_cfg e;
    int rc = service_store_settings(r->db, &t, &e);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:i, s:i, s:i, s:i, s:i}", "evv_radius_m", e.radius_m,
                                "clock_skew_s", e.skew_s, "evv_short_pct", e.short_pct,
                                "evv_long_pct", e.long_pct, "confirm_hours", e.confirm_h));
}

/*
 * RULE-SVC-176: short under 100 %, long over it; RULE-SVC-192: the hours a completed visit may
 * wait for its confirmation (1–720); any may be left as it is.
 */
static int
limits_read(struct al_req *r, json_t *body, struct svc_evv_cfg *e)
{
    int64_t lo = e->short_pct, hi = e->long_pct, h = e->confirm_h;
    bool has_lo = false, has_hi = false, has_h = false;
    int rc = al_json_get_int(body, "evv_short_pct", "服务时长过短界限（%）", 0, 1, 99, &lo, &has_lo,
        &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "evv_long_pct", "服务时长过长界限（%）", 0, 101, 1000, &hi,
            &has_hi, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "confirm_hours", "确认时限（小时）", 0, 1, 720, &h, &has_h,
            &r->err);
    if (rc == AL_OK && !has_lo && !has_hi && !has_h)
        rc = al_req_fail(r, AL_EINVAL, "evv_short_pct", "请填写服务时长过短或过长的界限");
    e->short_pct = (int)lo;
    e->long_pct = (int)hi;
    e->confirm_h = (int)h;
    return rc;
}

/*
 * RULE-SVC-176: PUT the duration limits (RULE-SVC-203: service.config, the civil officers'; a
 * provider account is refused here too: the limits judge the providers' visits), audited with the
 * old and new values.
 */
int
service_settings_put(struct al_req *r)
{
    struct svc_travel_cfg t;
    struct svc_evv_cfg e, was;
    json_t *body;
    int64_t provider = 0;
    int rc = service_user_provider(r->db, r->who->user_id, &provider);
    if (rc == AL_OK && provider)
        return al_req_fail(r, AL_EPERM, NULL, "服务机构账号不能修改上门核验设置");
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = service_store_settings(r->db, &t, &e);
    was = e;
    if (rc == AL_OK)
        rc = limits_read(r, body, &e);
    if (rc != AL_OK || (rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_evv_limits_put(r->db, &e);
    if (rc == AL_OK) {
        struct audit_entry a = {.action = "service.settings", .target_type = "settings",
            .target_id = "service", .region_code = r->who->region_code, .outcome = "success",
            .detail = json_pack("{s:[i,i], s:[i,i], s:[i,i]}", "evv_short_pct", was.short_pct,
                e.short_pct, "evv_long_pct", was.long_pct, e.long_pct, "confirm_hours",
                was.confirm_h, e.confirm_h)};
        rc = audit_append(r, &a);
    }
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return service_settings_get(r);
}
