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
    return AL_OK;
}
