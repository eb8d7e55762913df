/*
 * Demo data of home services (`anlao serve --demo`): one provider in 凤冈县 with a station in
 * 龙泉街道 and one in 进化镇 (each placed at the middle of its township's elders), six caregivers
 * (fg_caregiver is 孙丽 of 龙泉; 李强's nursing certificate has expired), and orders of today in
 * the states a board shows: waiting, assigned, accepted, in service, completed, cancelled.
 * Without elders (ANLAO_DEMO_ELDERS=0) the provider, stations and caregivers only.
 */
#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "core/dbq.h"
#include "elder/elder.h"
#include "entitle/entitle.h"
#include "service/service.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"
#include "user/user.h"

struct demo_station {
    const char *town, *name, *address;
    int64_t id;
};

/* The middle of a township's elders with a position; false when there are none. */
static bool
middle(struct al_db *db, const char *town, double *lat, double *lng)
{
    static const char sql[] = "SELECT avg(lat), avg(lng), count(*) FROM elders"
                              " WHERE region_code >= ? AND region_code < ? AND lat IS NOT NULL";
    char hi[16];
    snprintf(hi, sizeof(hi), "%s~", town);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return false;
    al_stmt_binds(st, AL_T(town), AL_T(hi));
    if (al_stmt_one(st) != AL_OK)
        return false;
    bool ok = al_stmt_int(st, 2) > 0;
    if (ok) {
        *lat = al_stmt_double(st, 0);
        *lng = al_stmt_double(st, 1);
    }
    al_stmt_reset(st);
    return ok;
}

/* Up to `max` active elders of `town` with a position, nearest the station first. */
static int
elders_near(struct al_db *db, const char *town, double lat, double lng, int64_t *ids, int max)
{
    static const char sql[] =
        "SELECT id FROM elders WHERE region_code >= ? AND region_code < ? AND status = 'active'"
        " AND lat IS NOT NULL ORDER BY (lat - ?) * (lat - ?) + (lng - ?) * (lng - ?), id LIMIT ?";
    char hi[16];
    snprintf(hi, sizeof(hi), "%s~", town);
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return 0;
    al_stmt_binds(st, AL_T(town), AL_T(hi));
    al_stmt_bind_double(st, 3, lat);
    al_stmt_bind_double(st, 4, lat);
    al_stmt_bind_double(st, 5, lng);
    al_stmt_bind_double(st, 6, lng);
    al_stmt_bind_int(st, 7, max);
    int n = 0;
    while (n < max && al_stmt_step(st) == AL_ROW)
        ids[n++] = al_stmt_int(st, 0);
    al_stmt_reset(st);
    return n;
}

static int64_t
user_id_of(struct al_db *db, const char *username)
{
    int64_t id = 0;
    al_db_count(db, "SELECT id FROM users WHERE username = ?", username, &id);
    return id;
}

/* An order for elder `elder` today at hh:mm with `items`, then moved through `actions`. */
static int
order(struct al_db *db, struct al_arena *a, int64_t elder, int64_t day, int hh, int mm,
    const char *const *items, int nitems, const char *const *acts, int64_t caregiver,
    int64_t station, int64_t now)
{
    struct elder_home h;
    int rc = elder_home_of(db, a, elder, &h);
    if (rc != AL_OK)
        return rc;
    struct svc_line lines[4];
    struct svc_quota q[4];
    int nq = 0, planned = 0;
    char date[11];
    int64_t start = day + hh * 3600 + mm * 60;
    service_cst_date(start, date);
    for (int i = 0; i < nitems; i++) {
        struct svc_item it;
        if ((rc = service_store_item(db, a, items[i], &it)) != AL_OK)
            return rc;
        lines[i] = (struct svc_line){.item_code = it.code, .price_fen = it.price_fen,
            .entitle_key = it.entitle_key};
        planned += it.planned_min;
        if (it.entitle_key) {
            /* RULE-SVC-161: demo elders receive the item's subsidy, so orders show it. */
            char month[11], prev[11]; /* from the month before (the demo month, RULE-SVC-165) */
            snprintf(month, sizeof(month), "%.7s-01", date);
            service_date_add(month, -1, prev);
            snprintf(month, sizeof(month), "%.7s-01", prev);
            if ((rc = entitle_benefit_grant(db, elder, h.region_code, it.entitle_key, month,
                     "manual", "演示：上门服务补贴", "seed", now)) != AL_OK)
                return rc;
            q[nq] = (struct svc_quota){.item_key = it.entitle_key};
            if ((rc = service_quota_left(db, elder, h.region_code, date, &q[nq])) != AL_OK)
                return rc;
            nq++;
        }
    }
    struct svc_new_order o = {.elder_id = elder, .region_code = h.region_code,
        .address = h.address, .note = "", .channel = "helper", .placed_by = "lq_helper",
        .lat = h.lat, .lng = h.lng, .has_geo = h.has_geo, .window_start = start,
        .window_end = start + 2 * 3600, .planned_min = planned, .lines = lines, .nlines = nitems};
    service_split(lines, nitems, q, nq, &o.beyond);
    for (int i = 0; i < nitems; i++) {
        o.total_fen += lines[i].price_fen;
        o.entitled_fen += lines[i].entitled_fen;
        o.elder_fen += lines[i].elder_fen;
    }
    int64_t id = 0;
    if ((rc = service_store_order_add(db, &o, now, &id)) != AL_OK)
        return rc;
    for (int i = 0; acts[i] && rc == AL_OK; i++) {
        struct svc_order cur;
        int to, act = service_action_parse(acts[i]);
        if ((rc = service_store_order(db, a, id, &cur)) != AL_OK)
            return rc;
        if (service_move(service_state_parse(cur.status), act, &to) != AL_OK)
            return AL_EINTERNAL;
        if (act == SVC_CHECKIN || act == SVC_CHECKOUT) {
            struct svc_evv evv = {.distance_m = 35};
            struct svc_visit_rec v = {.order_id = id, .caregiver_id = caregiver,
                .elder_id = elder, .region_code = h.region_code,
                .at = start + (act == SVC_CHECKIN ? 5 : 5 + planned) * 60,
                .recv_at = start + (act == SVC_CHECKIN ? 5 : 5 + planned) * 60,
                .lat = h.lat + 0.0002, .lng = h.lng, .accuracy_m = 20, .evv = &evv,
                .checklist = "[\"情绪良好\",\"居家无安全隐患\"]"};
            rc = act == SVC_CHECKIN ? service_store_checkin(db, &v) : service_store_checkout(db, &v);
        }
        if (rc == AL_OK)
            rc = service_store_move(db, &cur, service_state_id(to), acts[i],
                act == SVC_ASSIGN ? caregiver : -1, act == SVC_ASSIGN ? station : -1,
                act == SVC_ASSIGN ? "自动派单" : act == SVC_CANCEL ? "老人临时外出" : NULL,
                act == SVC_ASSIGN || act == SVC_CANCEL ? "fg_civil" : "fg_caregiver", now);
    }
    return rc;
}

/*
 * RULE-SVC-110: fg_provider is 颐康's account; a second provider, 康乐 in 琊川镇 with its own
 * station, two caregivers and the account fg_provider2, shows that each sees only its own.
 */
static int
second_provider(struct al_db *db, int64_t first, int64_t now)
{
    int64_t provider = 0, station = 0, cg = 0;
    int rc = service_store_provider_add(db, "520327", "凤冈县康乐家政养老服务有限公司",
        "0851-25225678", now, &provider);
    static const char *const serves[] = {"520327102"};
    if (rc == AL_OK)
        rc = service_store_station_add(db, provider, "520327102", "琊川镇康乐居家养老服务站",
            "琊川镇琊川村街上 6 号", 27.8500, 107.8200, 60, serves, 1, now, &station);
    static const struct {
        const char *name, *phone, *skills, *cert_skill, *valid_until;
    } people[] = {
        {"周霞", "13885202001", "general,cleaning,bathing", "bathing", "2027-05-31"},
        {"吴军", "13885202002", "general,nursing", "nursing", "2026-12-20"},
    };
    for (size_t i = 0; i < 2 && rc == AL_OK; i++) {
        struct svc_new_caregiver c = {.provider_id = provider, .station_id = station,
            .region_code = "520327102", .name = people[i].name, .phone = people[i].phone,
            .skills = people[i].skills, .work_start_min = 480, .work_end_min = 1080};
        rc = service_store_caregiver_add(db, &c, now, &cg);
        if (rc == AL_OK)
            rc = service_store_certificate_add(db, cg, people[i].cert_skill,
                "养老护理员职业技能等级证书（四级）", "", people[i].valid_until);
    }
    static const char link[] = "UPDATE users SET provider_id = ? WHERE username = ?";
    struct al_stmt *st = rc == AL_OK ? al_db_sql(db, link) : NULL;
    if (rc == AL_OK && !st)
        rc = AL_EDB;
    if (rc == AL_OK) {
        al_stmt_binds(st, AL_I(first), AL_T("fg_provider"));
        rc = al_stmt_run(st);
    }
    if (rc == AL_OK && (st = al_db_sql(db, link))) {
        al_stmt_binds(st, AL_I(provider), AL_T("fg_provider2"));
        rc = al_stmt_run(st);
    }
    return rc;
}

static int
seed(struct al_db *db, struct al_arena *a, int64_t now)
{
    int64_t provider = 0;
    int rc = service_store_provider_add(db, "520327", "凤冈县颐康居家养老服务中心", "0851-25221234",
        now, &provider);
    struct demo_station st[2] = {
        {"520327001", "龙泉街道居家养老服务站", "龙泉街道和平路 18 号", 0},
        {"520327101", "进化镇居家养老服务站", "进化镇政府旁", 0},
    };
    /* Without elders (the API tests' server): fixed points, which the tests use. */
    double lat[2] = {27.9600, 27.8800}, lng[2] = {107.7200, 107.6000};
    for (int i = 0; i < 2 && rc == AL_OK; i++) {
        middle(db, st[i].town, &lat[i], &lng[i]);
        const char *serves[] = {st[i].town};
        rc = service_store_station_add(db, provider, st[i].town, st[i].name, st[i].address,
            lat[i], lng[i], 60, serves, 1, now, &st[i].id);
    }
    static const struct {
        int station;
        const char *name, *phone, *skills, *user;
        int start_min, end_min;
        const char *cert_skill, *cert_name, *valid_until;
    } people[] = {
        {0, "孙丽", "13885201001", "general,cleaning,bathing", "fg_caregiver", 480, 1080,
            "bathing", "养老护理员职业技能等级证书（四级）", "2028-06-30"},
        {0, "王芳", "13885201002", "general,nursing,medical", NULL, 480, 1080, "nursing",
            "养老护理员职业技能等级证书（三级）", "2027-12-31"},
        {0, "李强", "13885201003", "general,nursing,cleaning", NULL, 540, 1140, "nursing",
            "养老护理员职业技能等级证书（五级）", "2025-03-31"},
        {0, "陈晓", "13885201004", "general,cleaning", NULL, 420, 960, NULL, NULL, NULL},
        {1, "张敏", "13885201005", "general,cleaning,bathing", NULL, 480, 1080, "bathing",
            "养老护理员职业技能等级证书（四级）", "2027-09-30"},
        {1, "刘红", "13885201006", "general,nursing", NULL, 480, 1080, "nursing",
            "护士执业证书", "2029-01-31"},
    };
    int64_t cg[6] = {0};
    for (size_t i = 0; i < 6 && rc == AL_OK; i++) {
        struct svc_new_caregiver c = {.provider_id = provider,
            .station_id = st[people[i].station].id, .region_code = st[people[i].station].town,
            .name = people[i].name, .phone = people[i].phone, .skills = people[i].skills,
            .work_start_min = people[i].start_min, .work_end_min = people[i].end_min,
            .user_id = people[i].user ? user_id_of(db, people[i].user) : 0};
        rc = service_store_caregiver_add(db, &c, now, &cg[i]);
        if (rc == AL_OK && people[i].cert_skill)
            rc = service_store_certificate_add(db, cg[i], people[i].cert_skill,
                people[i].cert_name, "", people[i].valid_until);
    }
    if (rc == AL_OK)
        rc = second_provider(db, provider, now);
    if (rc != AL_OK)
        return rc;
    /* Today's orders: 00:00 China time of `now`. */
    int64_t day = now - (now + 8 * 3600) % 86400;
    int64_t e[8];
    int n = elders_near(db, st[0].town, lat[0], lng[0], e, 6);
    int m = elders_near(db, st[1].town, lat[1], lng[1], e + n, 2);
    static const char *const none[] = {NULL};
    static const char *const assigned[] = {"assign", NULL};
    static const char *const accepted[] = {"assign", "accept", NULL};
    static const char *const serving[] = {"assign", "accept", "start_trip", "arrive", "checkin", NULL};
    static const char *const done[] = {"assign", "accept", "checkin", "checkout", NULL};
    static const char *const cancelled[] = {"cancel", NULL};
    static const char *const clean[] = {"zhujie"}, *const meal[] = {"zhucan"},
                             *const bath[] = {"zhuyu"}, *const patrol[] = {"xunhu"},
                             *const care[] = {"huli", "weiji"};
    struct {
        int hh, mm;
        const char *const *items;
        int nitems;
        const char *const *acts;
        int cg, station;
    } plan[] = {
        {8, 30, meal, 1, done, 0, 0},
        {10, 0, bath, 1, serving, 0, 0},
        {14, 0, clean, 1, accepted, 0, 0},
        {15, 0, care, 2, assigned, 1, 0},
        {16, 0, patrol, 1, none, 0, 0},
        {16, 30, clean, 1, cancelled, 0, 0},
        {9, 30, bath, 1, assigned, 4, 1},
        {15, 30, care, 2, none, 0, 1},
    };
    for (int i = 0; i < n + m && rc == AL_OK; i++) {
        int k = i < n ? i : 6 + (i - n);
        rc = order(db, a, e[i], day, plan[k].hh, plan[k].mm, plan[k].items, plan[k].nitems,
            plan[k].acts, cg[plan[k].cg], st[plan[k].station].id, now);
    }
    return rc;
}

int
service_seed_demo(struct al_db *db, struct al_arena *a, const char *password, int64_t now,
    struct al_errinfo *e)
{
    int64_t have = 0, uid = 0;
    int rc = al_db_count(db, "SELECT count(*) FROM svc_providers", NULL, &have);
    if (rc != AL_OK || have)
        return rc == AL_OK ? AL_OK : al_fail(e, rc, NULL, "演示数据写入失败：上门服务");
    /* RULE-SVC-110: the second provider's account (its own transaction, before the seed's). */
    struct user_new acct = {.username = "fg_provider2", .display_name = "服务机构 钱进",
        .role = "provider_admin", .region_code = "520327", .password = password,
        .must_change_password = 0};
    rc = user_create_direct(db, a, &acct, "seed", &uid, NULL, e);
    if (rc != AL_OK && rc != AL_ECONFLICT)
        return rc;
    /* RULE-SVC-207: the 龙泉 station's own account. */
    struct user_new st = {.username = "lq_station", .display_name = "龙泉服务站 赵敏",
        .role = "provider_admin", .region_code = "520327", .password = password,
        .must_change_password = 0};
    rc = user_create_direct(db, a, &st, "seed", &uid, NULL, e);
    if (rc != AL_OK && rc != AL_ECONFLICT)
        return rc;
    if ((rc = al_db_begin(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    rc = seed(db, a, now);
    if (rc == AL_OK)
        rc = al_db_exec(db, "UPDATE users SET station_id = (SELECT id FROM svc_stations"
                            " WHERE name = '龙泉街道居家养老服务站') WHERE username = 'lq_station'");
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：上门服务");
    return AL_OK;
}
