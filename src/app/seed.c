/*
 * The demo county (凤冈县, 520327): each module seeds its own demo data, in
 * the order their data depends on each other.
 */
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "app/modules.h"
#include "assess/assess.h"
#include "core/db.h"
#include "core/err.h"
#include "core/idcard.h"
#include "bed/bed.h"
#include "device/device.h"
#include "entitle/entitle.h"
#include "gen/gen.h"
#include "identify/identify.h"
#include "timebank/timebank.h"
#include "service/service.h"
#include "meal/meal.h"
#include "user/user.h"
#include "visit/visit.h"

/* Elders, their facts, published assessments and the identification baseline. */
static int
seed_elders(struct al_db *db, struct al_arena *a, int64_t elders, struct al_errinfo *e)
{
    int64_t now = (int64_t)time(NULL); /* the seed's one clock read (RULE-DB-102) */
    char today[11];
    al_date_cst(now, today);
    printf("正在生成凤冈县演示数据（%lld 位老人）……\n", (long long)elders);
    fflush(stdout);
    int rc = gen_seed_demo(db, elders, today, e);
    if (rc != AL_OK)
        return rc;
    /* Published assessments, in one transaction, before the identification baseline. */
    int64_t assessed = 0;
    if ((rc = al_db_begin(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    if ((rc = assess_seed_demo(db, now, &assessed)) != AL_OK || (rc = al_db_commit(db)) != AL_OK) {
        al_db_rollback(db);
        return al_fail(e, rc, NULL, "演示数据写入失败：能力评估");
    }
    struct identify_result ir;
    if ((rc = identify_run(db, now, 0, "seed", "local", &ir)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：精准识别基线");
    if ((rc = visit_seed_demo(db, a, e)) != AL_OK)
        return rc;
    if ((rc = meal_seed_demo(db, a, e)) != AL_OK) /* canteens and meals need the elders */
        return rc;
    /* Issue 12: the county's entitlement baseline, so 资格认定 and 养老顾问 have content. */
    struct entitle_run_opts eo = {.region = "520327", .username = "seed", .client_ip = "local"};
    json_t *er = NULL;
    if ((rc = entitle_run(db, &eo, &er, e)) != AL_OK)
        return rc; /* `e` says what failed */
    json_decref(er);
    printf("演示数据已就绪：%lld 位老人，%lld 份已发布的能力评估，识别基线 #%lld\n",
        (long long)ir.scanned, (long long)assessed, (long long)ir.run_id);
    return AL_OK;
}

int
app_seed_demo(struct al_db *db, struct al_arena *a, const struct app_demo *o,
    struct al_errinfo *e)
{
    int64_t done = 0;
    al_db_count(db, "SELECT count(*) FROM settings WHERE key = 'demo_seeded'", NULL, &done);
    if (done)
        return AL_OK;
    int rc = user_seed_demo(db, a, o->password, e);
    if (rc != AL_OK) {
        char why[sizeof(e->message)];
        snprintf(why, sizeof(why), "%s", e->message);
        return al_fail(e, rc, e->field, "演示数据写入失败：%.300s", why);
    }
    if ((rc = entitle_seed_demo(db, a, o->password, e)) != AL_OK)
        return rc; /* `e` says what failed */
    if ((rc = assess_seed_demo_assessors(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：评估员资格");
    if (o->elders > 0 && (rc = seed_elders(db, a, o->elders, e)) != AL_OK)
        return rc;
    if ((rc = timebank_seed_demo(db, a, o->password, e)) != AL_OK)
        return rc;
    if ((rc = service_seed_demo(db, a, o->password, (int64_t)time(NULL), e)) != AL_OK)
        return rc; /* `e` says what failed */
    if ((rc = service_flow_seed_demo(db, a, o->password, (int64_t)time(NULL), e)) != AL_OK)
        return rc; /* issue 13: the family account, its elder's code, a weekly plan */
    if (o->elders > 0 && (rc = meal_seed_family_demo(db, a, (int64_t)time(NULL), e)) != AL_OK)
        return rc; /* issue 17: that family's delivery orders */
    if (o->elders > 0 && (rc = device_seed_demo(db, o->password, e)) != AL_OK)
        return rc; /* issue 14: devices and alarms on the first demo elders */
    if (o->elders > 0 && (rc = bed_seed_demo(db, e)) != AL_OK)
        return rc; /* issue 14: family care beds on the same elders */
    if ((rc = al_db_exec(db,
             "INSERT INTO settings(key, value) VALUES ('demo_seeded', '1')"
             " ON CONFLICT DO NOTHING")) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    printf("演示账号（凤冈县）：fg_civil、lq_officer、jx_officer、lq_helper、fg_assessor、"
           "fg_assessor2、fg_assessor3（资格已过期）、fg_provider、fg_provider2（第二家服务机构）、lq_station（龙泉服务站）、fg_caregiver、fg_family（家属）、lq_volunteer、jx_volunteer（志愿者），"
           "清单审批 gz_civil（贵州省）、zy_civil（遵义市），密码 %s\n",
        o->password);
    return AL_OK;
}
