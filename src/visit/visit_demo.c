/*
 * Demo data of welfare visits (`anlao serve --demo`): the tiers of the demo county's elders,
 * lq_helper (龙泉街道助老员) responsible for every target of 龙泉街道 (520327001) and jx_officer
 * for 进化镇's (520327101), village by village, the tasks of the last and the current periods,
 * this month's visits (two in three in 龙泉街道, nine in ten in 进化镇: the rate page has
 * figures and an unvisited list), needs and referrals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess/assess.h"
#include "core/db.h"
#include "core/dbq.h"
#include "core/idcard.h"
#include "core/vec.h"
#include "user/user.h"
#include "visit/visit.h"
#include "visit/visit_int.h"

static int
user_id(struct al_db *db, const char *username, int64_t *id)
{
    struct al_stmt *st = al_db_sql(db, "SELECT id FROM users WHERE username = ?1");
    al_stmt_binds(st, AL_T(username));
    return al_stmt_int64(st, id);
}

/* Every village of `town` with targets, to `visitor` (the bulk assignment by village). */
static int
assign_villages(struct al_db *db, struct al_arena *a, const char *town, int64_t visitor,
    const char *kind, int64_t now)
{
    struct al_stmt *st = al_db_sql(db, "SELECT DISTINCT region_code FROM visit_targets"
                                       " WHERE substr(region_code, 1, 9) = ?1 AND tier <> 'none'"
                                       " ORDER BY 1");
    al_stmt_binds(st, AL_T(town));
    const char *villages[256];
    int n = 0, rc;
    while ((rc = al_stmt_step(st)) == AL_ROW && n < 256)
        villages[n++] = al_stmt_dup(a, st, 0);
    if (rc == AL_ROW) {
        al_stmt_reset(st);
        rc = AL_OK;
    }
    for (int i = 0; i < n && rc == AL_OK; i++) {
        int64_t count;
        rc = visit_store_assign(db, a, 0, villages[i], visitor, kind, 0, "演示：按村指派", now,
            &count);
    }
    return rc;
}

/*
 * The other townships of the county: a helper each (helper_<code>, 某某镇助老员, a generated
 * password: visitors of record, not demo sign-ins), created before the visit demo's transaction.
 */
#define DEMO_TOWNS 32
struct demo_town {
    char code[16];
    int64_t helper;
};
static int
town_helpers(struct al_db *db, struct al_arena *a, struct demo_town *towns, int *n,
    struct al_errinfo *e)
{
    struct al_stmt *st = al_db_sql(db, "SELECT code, name FROM regions WHERE parent_code = '520327'"
                                       " AND code <> '520327001' AND code <> '520327101'"
                                       " ORDER BY code");
    const char *names[DEMO_TOWNS];
    int rc;
    *n = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW && *n < DEMO_TOWNS) {
        snprintf(towns[*n].code, sizeof(towns[*n].code), "%s", al_stmt_text(st, 0));
        names[(*n)++] = al_stmt_dup(a, st, 1);
    }
    if (rc == AL_ROW) {
        al_stmt_reset(st);
        rc = AL_OK;
    }
    for (int i = 0; i < *n && rc == AL_OK; i++) {
        const char *username = al_arena_printf(a, "helper_%s", towns[i].code);
        struct user_new in = {.username = username,
            .display_name = al_arena_printf(a, "%s助老员", names[i]), .role = "helper",
            .region_code = towns[i].code, .must_change_password = -1};
        char pw[13];
        rc = user_create_direct(db, a, &in, "seed", &towns[i].helper, pw, e);
        if (rc == AL_ECONFLICT) { /* kept from an earlier seed */
            *e = (struct al_errinfo){0};
            rc = user_id(db, username, &towns[i].helper);
        }
    }
    return rc;
}

/* Set visit_date of the rows `st` reads (id, visited_at) to the China date of visited_at. */
static int
redate(struct al_db *db, struct al_stmt *st)
{
    struct al_vec rows;
    al_vec_init(&rows, 2 * sizeof(int64_t));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t *p = al_vec_push(&rows);
        if (!p) {
            al_stmt_reset(st);
            rc = AL_EINTERNAL;
            break;
        }
        p[0] = al_stmt_int(st, 0);
        p[1] = al_stmt_int(st, 1);
    }
    const int64_t *r = rows.p;
    for (size_t i = 0; i < rows.n && rc == AL_OK; i++) {
        char day[11];
        al_date_cst(r[2 * i + 1], day);
        struct al_stmt *up = al_db_sql(db, "UPDATE visit_records SET visit_date = ?2 WHERE id = ?1");
        al_stmt_binds(up, AL_I(r[2 * i]), AL_T(day));
        rc = al_stmt_run(up);
    }
    al_vec_fini(&rows);
    return rc;
}

/*
 * This month's visits of `town`'s targets by `visitor`: all but one in `skip` (0: none), spread
 * over the days of the month so far.
 */
static int
visits(struct al_db *db, const char *town, int64_t visitor, int skip, int64_t now)
{
    char day[11];
    al_date_cst(now - 60, day);
    int64_t days = atoi(day + 8); /* days of the month so far, today included */
    /* Unanswered calls to one in fifty. */
    static const char rec[] =
        "INSERT INTO visit_records(elder_id, region_code, visitor_id, method, visited_at,"
        " visit_date, reached, findings, created_at)"
        " SELECT elder_id, region_code, ?1, CASE WHEN elder_id % 3 = 0 THEN 'home' ELSE 'phone'"
        " END, ?2 - (elder_id % ?6) * 86400, ?3, CASE WHEN elder_id % 50 = 1 THEN 0 ELSE 1 END,"
        " '{\"health\":\"身体状况稳定\",\"mood\":\"情绪良好\",\"family_duty\":\"子女按时联系\"}', ?2"
        " FROM visit_targets WHERE substr(region_code, 1, 9) = ?4"
        " AND tier <> 'none' AND elder_id % ?5 <> ?5 - 1";
    struct al_stmt *st = al_db_sql(db, rec);
    al_stmt_binds(st, AL_I(visitor), AL_I(now - 60), AL_T(day), AL_T(town),
        AL_I(skip > 1 ? skip : 1000000000), AL_I(days));
    int rc = al_stmt_run(st);
    /* visit_date follows visited_at (a visit of the 1st is dated the 1st, in China). */
    if (rc == AL_OK) {
        st = al_db_sql(db, "SELECT id, visited_at FROM visit_records WHERE visitor_id = ?1"
                           " AND visit_date = ?2 AND visited_at < ?3");
        al_stmt_binds(st, AL_I(visitor), AL_T(day), AL_I(now - 60));
        rc = redate(db, st);
    }
    return rc;
}

/*
 * RULE-VISIT-032, RULE-VISIT-085: the open tasks the demo's visits did, as recording them would
 * have: a reached visit dated on or after the task's start, by the task's method if it has one;
 * the task is done by the first such visit, at its time.
 */
#define DID_TASK                                                                               \
    " FROM visit_records v WHERE v.elder_id = visit_tasks.elder_id AND v.reached = 1"            \
    " AND v.visit_date >= visit_tasks.start_date"                                              \
    " AND (visit_tasks.method IS NULL OR v.method = visit_tasks.method)"
static int
tasks_done(struct al_db *db)
{
    static const char done[] =
        "UPDATE visit_tasks SET status = 'done',"
        " visit_id = (SELECT v.id" DID_TASK " ORDER BY v.visited_at, v.id LIMIT 1),"
        " done_at = (SELECT min(v.visited_at)" DID_TASK ")"
        " WHERE status = 'open' AND EXISTS (SELECT 1" DID_TASK ")";
    return al_stmt_run(al_db_sql(db, done));
}

/*
 * RULE-VISIT-085: the demo's dates are sensible, or the seed fails: no visit after `now` or
 * dated after `today`, none dated before the day it was made, and no task done by a visit
 * before its start — for a campaign's task, none outside its window.
 */
static int
check_dates(struct al_db *db, int64_t now, const char *today, struct al_errinfo *e)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM visit_records WHERE visited_at > ?1 OR visit_date > ?2),"
        " (SELECT count(*) FROM visit_tasks k JOIN visit_records v ON v.id = k.visit_id"
        " WHERE v.visit_date < k.start_date OR (k.reason = 'campaign'"
        " AND v.visit_date > k.due_date))";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_T(today));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    int64_t future = al_stmt_int(st, 0), early = al_stmt_int(st, 1);
    al_stmt_reset(st);
    if (future || early)
        return al_fail(e, AL_EINTERNAL, NULL,
            "演示数据的探访日期不合理：%lld 条晚于今天，%lld 个任务由开始前的探访完成",
            (long long)future, (long long)early);
    return AL_OK;
}

/* A few needs from this month's visits: recorded, referred to each target, one closed. */
static int
needs(struct al_db *db, struct al_arena *a, int64_t helper, int64_t now, const char *today)
{
    static const struct {
        const char *kind, *need, *target;
        int deadline_days;
        bool close;
    } demo[] = {
        {"care", "独居，午餐不便，希望助餐上门", "service_order", 7, false},
        {"safety", "燃气灶老化，有泄漏风险", "service_order", 3, true},
        {"health", "近期行动明显变差，需要重新评估能力", "assessment", 14, false},
        {"care", "夜间无人照护，申请家庭养老床位", "bed", 30, false},
        {"economic", "医药费负担重，请核查可享受的补贴", "entitlement", 10, false},
        {"mental", "老伴去世后情绪低落，希望志愿者常来陪伴", NULL, 0, false},
    };
    struct al_stmt *st = al_db_sql(db,
        "SELECT v.id, v.elder_id, v.region_code FROM visit_records v WHERE v.reached = 1"
        " AND v.region_code >= '520327001' AND v.region_code < '520327002'"
        " ORDER BY v.elder_id LIMIT 6");
    int64_t vid[6], eid[6];
    const char *reg[6];
    int n = 0, rc;
    while ((rc = al_stmt_step(st)) == AL_ROW && n < 6) {
        vid[n] = al_stmt_int(st, 0);
        eid[n] = al_stmt_int(st, 1);
        reg[n++] = al_stmt_dup(a, st, 2);
    }
    if (rc == AL_ROW) {
        al_stmt_reset(st);
        rc = AL_OK;
    }
    for (int i = 0; i < n && rc == AL_OK; i++) {
        struct visit_need x = {.visit_id = vid[i], .elder_id = eid[i], .region_code = reg[i],
            .kind = demo[i].kind, .need = demo[i].need, .user_id = helper, .version = 1};
        if ((rc = visit_store_need_add(db, &x, now, &x.id)) != AL_OK || !demo[i].target)
            continue;
        char deadline[11];
        visit_date_add(today, demo[i].deadline_days, deadline);
        x.target = demo[i].target;
        x.deadline = deadline;
        if (strcmp(x.target, "assessment") == 0) {
            int64_t req;
            if ((rc = assess_request_open(db, x.elder_id, x.region_code, "visit", x.need, helper,
                     now, &req)) != AL_OK)
                break;
            x.target_ref = al_arena_printf(a, "assessment_request:%lld", (long long)req);
        } else if (strcmp(x.target, "entitlement") == 0) { /* RULE-VISIT-089: read when shown */
            x.target_ref = al_arena_printf(a, "entitlement:%s", today);
        }
        if ((rc = visit_store_need_refer(db, &x, now)) == AL_OK && demo[i].close)
            rc = visit_store_need_close(db, x.id, 2, "已联系燃气公司上门更换灶具和软管", helper,
                now);
    }
    return rc;
}

int
visit_seed_demo(struct al_db *db, struct al_arena *a, struct al_errinfo *e)
{
    int64_t now = (int64_t)time(NULL), helper = 0, cadre = 0, targets, changed, created;
    char today[11], earlier[11];
    al_date_cst(now, today);
    visit_date_add(today, -35, earlier);
    struct visit_rule *rules;
    int n, ntowns = 0;
    struct demo_town towns[DEMO_TOWNS];
    int rc = town_helpers(db, a, towns, &ntowns, e);
    if (rc != AL_OK)
        return rc;
    rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = user_id(db, "lq_helper", &helper);
    if (rc == AL_OK)
        rc = user_id(db, "jx_officer", &cadre);
    if (rc == AL_OK)
        rc = visit_store_rules(db, a, &rules, &n);
    if (rc == AL_OK)
        rc = visit_store_refresh(db, a, "520327", rules, n, today, now, &targets, &changed);
    /* 龙泉街道 by its helper, 进化镇 by the township officer as a cadre; the rest of the county
     * has no visitor yet (the helpers page shows the shortfall). */
    if (rc == AL_OK)
        rc = assign_villages(db, a, "520327001", helper, "helper", now);
    if (rc == AL_OK)
        rc = assign_villages(db, a, "520327101", cadre, "cadre", now);
    /* Last period's tasks (those not visited since are overdue), then this period's. */
    if (rc == AL_OK)
        rc = visit_store_generate(db, "520327001", earlier, 0, now, &created);
    if (rc == AL_OK)
        rc = visit_store_generate(db, "520327", today, 0, now, &created);
    /* Two in three of 龙泉街道's targets seen this month, nine in ten of 进化镇's. */
    if (rc == AL_OK)
        rc = visits(db, "520327001", helper, 3, now);
    if (rc == AL_OK)
        rc = visits(db, "520327101", cadre, 10, now);
    /* The other townships: their helper responsible village by village; between three in four
     * and nineteen in twenty of their targets seen so far this month (a believable county). */
    for (int i = 0; i < ntowns && rc == AL_OK; i++) {
        rc = assign_villages(db, a, towns[i].code, towns[i].helper, "helper", now);
        if (rc == AL_OK)
            rc = visits(db, towns[i].code, towns[i].helper, 4 + (i * 7) % 17, now);
    }
    if (rc == AL_OK)
        rc = tasks_done(db);
    if (rc == AL_OK)
        rc = needs(db, a, helper, now, today);
    /* RULE-VISIT-070: a cold-wave campaign this week for the high tier of the county. */
    struct visit_campaign camp = {.name = "寒潮专项探访", .kind = "weather",
        .region_code = "520327", .regions = "520327", .tiers = "high", .start_date = today,
        .note = "寒潮预警期间逐一联系高风险老人，检查取暖和用火用电安全"};
    char camp_end[11];
    visit_date_add(today, 6, camp_end);
    camp.end_date = camp_end;
    int64_t camp_tasks = 0;
    if (rc == AL_OK)
        rc = user_id(db, "fg_civil", &camp.created_by);
    if (rc == AL_OK)
        rc = visit_store_campaign_add(db, &camp, now, &camp.id);
    if (rc == AL_OK)
        rc = visit_store_campaign_generate(db, &camp, "520327", camp.created_by, now, &camp_tasks);
    /* Today's visits fall in the campaign's window: they do its tasks as well. */
    if (rc == AL_OK)
        rc = tasks_done(db);
    if (rc == AL_OK)
        rc = check_dates(db, now, today, e);
    if (rc == AL_EINTERNAL) {
        al_db_end(db, rc);
        return rc;
    }
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：探访关爱");
    printf("探访关爱演示数据：%lld 位探访对象，龙泉街道由 lq_helper、进化镇由 jx_officer 负责探访\n",
        (long long)targets);
    return AL_OK;
}
