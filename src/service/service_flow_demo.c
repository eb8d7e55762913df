/*
 * Demo of the order flow (issue 13): the family account fg_family (家属) linked with the
 * services scope to the elder of the demo's first order, that order's confirmation code
 * waiting to be told, and a recurring plan (每周二、五 09:00 助洁) for the same elder with
 * its orders ahead.  After service_seed_demo; nothing linked without demo elders.
 */
#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "elder/elder.h"
#include "service/service.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"
#include "user/user.h"

/*
 * RULE-SVC-205: a caregiver's visits of a day one after another, 30 minutes apart, never
 * overlapping (RULE-SVC-191): a visit of `item` wanted at *start begins when the caregiver is
 * free (*free_at), on the half hour, and keeps them until its end (check-in 5 minutes after the
 * start, at most the planned minutes + 4) and the trip to the next.
 */
static int
demo_start(struct al_db *db, struct al_arena *a, const char *item, int64_t *free_at,
    int64_t *start)
{
    struct svc_item it;
    int rc = service_store_item(db, a, item, &it);
    if (rc != AL_OK)
        return rc;
    if (*start < *free_at)
        *start = (*free_at + 1799) / 1800 * 1800;
    *free_at = *start + 300 + (int64_t)(it.planned_min + 5) * 60 + 1800;
    return AL_OK;
}

/*
 * RULE-SVC-165: a normal month of visits (the month before `now`): each demo elder visited on
 * three working days a week, given to a caregiver of the station serving it, checked in and out at
 * the door in the planned time and confirmed; one visit in thirty has an exception (a position
 * outside the radius, a forgotten check-out made too short) resolved by its reason and
 * resolution codes.  The EVV report of that month then shows the share verified without a
 * manual edit well above 95%.
 */
static int
demo_month(struct al_db *db, struct al_arena *a, int64_t now)
{
    int64_t elders[16], carers[16], stations[16];
    const char *regions[16];
    int ne = 0, nc = 0;
    struct al_stmt *st = al_db_sql(db, "SELECT DISTINCT elder_id FROM svc_orders"
                                       " WHERE plan_id IS NULL ORDER BY elder_id LIMIT 16");
    int rc;
    while (st && (rc = al_stmt_step(st)) == AL_ROW)
        elders[ne++] = al_stmt_int(st, 0);
    st = al_db_sql(db, "SELECT c.id, c.station_id, c.region_code FROM svc_caregivers c"
                       " WHERE c.status = 'active' ORDER BY c.id LIMIT 16");
    while (st && (rc = al_stmt_step(st)) == AL_ROW) {
        carers[nc] = al_stmt_int(st, 0);
        stations[nc] = al_stmt_int(st, 1);
        regions[nc++] = al_stmt_dup(a, st, 2);
    }
    if (!st)
        return AL_EDB;
    char today[11], first[11], prev[11];
    service_cst_date(now, today);
    snprintf(first, sizeof(first), "%.7s-01", today);
    service_date_add(first, -1, prev);
    snprintf(first, sizeof(first), "%.7s-01", prev); /* the first day of the month before */
    static const char *const items[] = {"zhujie", "zhucan", "xunhu", "shenghuo"};
    int k = 0;
    rc = AL_OK;
    for (char day[11] = {0}; rc == AL_OK && strncmp(first, prev, 7) == 0;
         service_date_add(first, 1, first)) {
        memcpy(day, first, sizeof(day));
        int64_t free_at[16] = {0}; /* RULE-SVC-205: when each caregiver is free again that day */
        for (int e = 0; e < ne && rc == AL_OK; e++) {
            uint32_t days = 1u << (1 + e % 5) | 1u << (1 + (e + 2) % 5) | 1u << (1 + (e + 4) % 5);
            if (!service_plan_due(SVC_WEEKLY, days, day))
                continue; /* each elder on three working days of its own */
            struct elder_home home;
            if ((rc = elder_home_of(db, a, elders[e], &home)) != AL_OK)
                break;
            int c = 0; /* a caregiver of the station serving the elder */
            while (c < nc && strncmp(home.region_code, regions[c], strlen(regions[c])) != 0)
                c++;
            if (c == nc)
                continue;
            c += (k / 3) % 2 && c + 1 < nc && strcmp(regions[c + 1], regions[c]) == 0 ? 1 : 0;
            char when[20];
            snprintf(when, sizeof(when), "%sT%02d:00", day, 9 + e % 7);
            struct svc_one in = {.elder_id = elders[e], .home = &home,
                .item_code = items[e % 4], .note = "", .channel = "helper",
                .placed_by = "lq_helper"};
            if (!service_parse_time(when, &in.start))
                return AL_EINTERNAL;
            if ((rc = demo_start(db, a, in.item_code, &free_at[c], &in.start)) != AL_OK)
                break;
            struct svc_new_order o;
            int64_t id = 0;
            if ((rc = al_db_begin(db)) != AL_OK)
                break;
            rc = service_flow_place(db, a, &in, in.start - 86400, &o, &id);
            int kind = ++k % 60; /* 1: outside the radius; 31: forgot the check-out (too short) */
            struct svc_evv ev = {.distance_m = kind == 1 ? 620 : 15 + k % 40, .outside = kind == 1};
            struct svc_visit_rec v = {.order_id = id, .caregiver_id = carers[c],
                .elder_id = elders[e], .region_code = home.region_code, .at = in.start + 300,
                .recv_at = in.start + 302, .lat = home.lat + (kind == 1 ? 0.0056 : 0.0001),
                .lng = home.lng, .accuracy_m = 15, .evv = &ev, .note = ""};
            static const char *const moves[][2] = {{"assigned", "assign"},
                {"accepted", "accept"}, {"in_service", "checkin"}, {"completed", "checkout"},
                {"confirmed", "confirm"}};
            for (int m = 0; m < 5 && rc == AL_OK; m++) {
                struct svc_order cur;
                if ((rc = service_store_order(db, a, id, &cur)) != AL_OK)
                    break;
                if (m == 2)
                    rc = service_store_checkin(db, &v);
                if (m == 3 && rc == AL_OK) {
                    int mins = kind == 31 ? o.planned_min / 3 : o.planned_min - 5 + k % 10;
                    v.at = v.recv_at = in.start + 300 + (int64_t)mins * 60;
                    struct svc_evv out = {.distance_m = 12};
                    v.evv = &out;
                    v.checklist = "[\"情绪良好\",\"已按计划完成服务\"]";
                    rc = service_store_checkout(db, &v);
                    v.evv = &ev;
                }
                if (rc == AL_OK)
                    rc = service_store_move(db, &cur, moves[m][0], moves[m][1],
                        m == 0 ? carers[c] : -1, m == 0 ? stations[c] : -1,
                        m == 0 ? "自动派单" : NULL, m == 0 ? "fg_civil" : "fg_caregiver",
                        in.start - 3600 + m * 60);
            }
            if (rc == AL_OK && kind == 1) /* RULE-SVC-073: resolved by codes */
                rc = service_store_fix_add(db, id, NULL, service_exception_id(SVC_EXC_OUTSIDE), "gps_drift", "phone_verified",
                    "电话回访老人，确认已上门", "fg_civil", in.start + 86400);
            if (rc == AL_OK && kind == 31)
                rc = service_store_fix_add(db, id, NULL, service_exception_id(SVC_EXC_SHORT), "forgot", "time_corrected",
                    "护理员忘记签出，按老人确认的时间更正", "fg_civil", in.start + 86400);
            rc = al_db_end(db, rc);
        }
    }
    return rc;
}

int
service_flow_seed_demo(struct al_db *db, struct al_arena *a, const char *password, int64_t now,
    struct al_errinfo *e)
{
    struct user_new in = {.username = "fg_family", .display_name = "家属 张晓", .role = "family",
        .region_code = "520327001", .password = password, .must_change_password = 0};
    int64_t user = 0, order = 0, elder = 0;
    int rc = user_create_direct(db, a, &in, "seed", &user, NULL, e);
    if (rc == AL_ECONFLICT)
        return AL_OK; /* seeded before */
    if (rc != AL_OK)
        return rc;
    e->message[0] = '\0';
    e->field = NULL;
    al_db_count(db, "SELECT min(id) FROM svc_orders WHERE status = 'completed'", NULL, &order);
    if (!order)
        return AL_OK; /* no demo elders (the API tests' server) */
    struct svc_order o;
    if ((rc = service_store_order(db, a, order, &o)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：家属账号");
    elder = o.elder_id;
    if ((rc = al_db_begin(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    rc = elder_link_grant(db, elder, user, "子女", "[\"basic\",\"services\"]", "老人本人", user,
        now);
    if (rc == AL_OK)
        rc = service_store_confirm_code_set(db, order, "472915");
    struct svc_plan p = {.region_code = o.region_code, .elder_id = elder, .item_code = "zhujie",
        .pattern = "weekly", .days = "2,5", .start_min = 9 * 60, .note = "每周二、五上午打扫",
        .created_by = "lq_helper"};
    char today[11];
    service_cst_date(now, today);
    p.from_date = today;
    int64_t plan = 0;
    if (rc == AL_OK)
        rc = service_flow_plan_add(db, &p, now, &plan);
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：家属账号");
    struct svc_plan_run run;
    if ((rc = service_flow_generate(db, a, plan, now, "seed", &run)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：周期服务计划");
    if ((rc = demo_month(db, a, now)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：上月上门服务");
    return AL_OK;
}
