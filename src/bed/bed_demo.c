/* The demo county's family care beds (凤冈县, 520327), after its devices (device_demo.c). */
#include <stdio.h>
#include <time.h>

#include "bed/bed.h"
#include "bed/bed_int.h"
#include "core/err.h"
#include "core/idcard.h"

static const char home_check[] =
    "{\"bedroom\":{\"hazards\":[\"床边无扶手\"],\"adapt\":[\"加装床边护栏\",\"夜灯\"]},"
    "\"toilet\":{\"hazards\":[\"蹲便\"],\"adapt\":[\"改坐便并加装扶手\"]},"
    "\"bathroom\":{\"hazards\":[\"地面湿滑\"],\"adapt\":[\"防滑地垫\",\"淋浴椅\"]},"
    "\"kitchen\":{\"hazards\":[],\"adapt\":[\"燃气报警器\"]},"
    "\"living_room\":{\"hazards\":[\"门槛过高\"],\"adapt\":[\"门槛坡道\"]}}";
static const char care_plan[] =
    "{\"goals\":[\"居家安全\",\"按时服药\"],\"services\":[{\"name\":\"上门探访\","
    "\"frequency\":\"每周 2 次\"},{\"name\":\"助浴\",\"frequency\":\"每月 2 次\"}],"
    "\"devices\":[\"sos\",\"motion\",\"door\"]}";

/* Elder `elder`'s bed moved through the lifecycle up to `upto`, its devices linked. */
static int
demo_bed(struct al_db *db, int64_t elder, const char *region, int upto, const char *today,
    int64_t now)
{
    int64_t id;
    int rc = bed_store_create(db, region, elder, "family", "家属", today, now, &id);
    struct bed_update u = {.eligible = 1, .network = -1, .eligibility_note = "符合特殊困难老年人条件",
        .home_check = home_check, .care_plan = care_plan, .provider = "凤冈县颐康居家养老服务中心",
        .agreement_start = today, .agreement_end = "2027-12-31", .installed_on = today,
        .install_note = "扶手、防滑、夜灯已完成", .started_on = today};
    for (int s = BED_APPLICATION; rc == AL_OK && s < upto; s++) {
        u.network = s + 1 >= BED_INSTALLATION ? 1 : -1;
        rc = bed_store_move(db, id, s, s + 1, &u, now);
    }
    if (rc == AL_OK && upto >= BED_INSTALLATION) {
        static const char sql[] = "UPDATE devices SET bed_id = ? WHERE elder_id = ?";
        struct al_stmt *st = al_db_sql(db, sql);
        al_stmt_bind_int(st, 1, id);
        al_stmt_bind_int(st, 2, elder);
        rc = al_stmt_run(st);
    }
    if (rc == AL_OK && upto == BED_IN_SERVICE) { /* RULE-BED-022, as POST …/start does */
        struct bed_settings s;
        unsigned have = 0;
        if ((rc = bed_store_settings(db, &s)) == AL_OK && (rc = bed_store_have(db, id, &have)) == AL_OK) {
            unsigned miss = bed_needs_missing(s.required, have);
            char ids[64], zh[128], due[11];
            int64_t rect;
            bed_needs_format(miss, ids, sizeof(ids), zh, sizeof(zh));
            if (miss && bed_date_add(today, (long)s.rectify_days, due))
                rc = bed_store_rect_open(db, id, region, ids, due, now, &rect);
        }
    }
    return rc;
}

int
bed_seed_demo(struct al_db *db, struct al_errinfo *e)
{
    static const char sql[] = "SELECT id, region_code FROM elders WHERE region_code >= '520327'"
                              " AND region_code < '520328' AND status = 'active' ORDER BY id LIMIT 3";
    static const int upto[3] = {BED_IN_SERVICE, BED_IN_SERVICE, BED_HOME_CHECK};
    int64_t ids[3] = {0};
    char regions[3][16];
    int n = 0, rc;
    struct al_stmt *st = al_db_sql(db, sql);
    while ((rc = al_stmt_step(st)) == AL_ROW && n < 3) {
        ids[n] = al_stmt_int(st, 0);
        snprintf(regions[n], sizeof(regions[n]), "%s", al_stmt_text(st, 1));
        n++;
    }
    if (rc == AL_ROW) {
        al_stmt_reset(st);
        rc = AL_OK;
    }
    if (rc != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：家庭养老床位");
    if (n < 3)
        return AL_OK;
    int64_t now = (int64_t)time(NULL);
    char today[11];
    al_date_cst(now, today);
    if ((rc = al_db_begin(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    for (int i = 0; rc == AL_OK && i < 3; i++)
        rc = demo_bed(db, ids[i], regions[i], upto[i], today, now);
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：家庭养老床位");
    return AL_OK;
}
