/*
 * Demo data of the meal module for the demo county 凤冈县 (520327): four canteens and meal
 * points over real communities and villages (one licence expired, for the supervision list),
 * the county's subsidy rules, menus from a week ago to a week ahead, meal cards and the
 * meals of last month and this month so far, each priced by the counter's own rule path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "core/idcard.h"
#include "core/json.h"
#include "elder/elder.h"
#include "meal/meal.h"
#include "meal/meal_int.h"

struct demo_canteen {
    const char *region, *kind, *name, *operator_name, *address, *licence_expiry;
    double lat, lng;
    int capacity, radius_m, lunch_fen, dinner_fen;
    const char *areas[4];
};

static const struct demo_canteen canteens[] = {
    {"520327001", "canteen", "龙泉街道长者食堂", "凤冈县颐康餐饮服务有限公司", "龙泉街道和平路 18 号",
        "2028-06-30", 27.9557, 107.7166, 120, 2000, 1200, 1000,
        {"520327001001", "520327001002", "520327001003", "520327001004"}},
    {"520327002001", "point", "何坝社区助餐点", "何坝社区居民委员会", "何坝街道何坝社区服务中心",
        "2027-03-31", 27.9421, 107.7349, 40, 800, 1000, 800, {"520327002001", "520327002002"}},
    {"520327101", "canteen", "进化镇老年食堂", "进化镇敬老院", "进化镇前进社区街上 6 号",
        "2027-12-31", 27.8563, 107.6248, 60, 3000, 1000, 800,
        {"520327101001", "520327101201", "520327101202"}},
    {"520327102", "canteen", "琊川镇老年食堂", "琊川镇农家乐合作社", "琊川镇琊川社区", "2025-10-31",
        27.7896, 107.5721, 50, 2500, 1000, 800, {"520327102001", "520327102002"}},
};

static const char *const windows =
    "[{\"meal\":\"lunch\",\"from\":\"11:00\",\"to\":\"13:00\"},"
    "{\"meal\":\"dinner\",\"from\":\"17:00\",\"to\":\"18:30\"}]";

/* The county's rules: every registered elder, 80+, 80+ on 低保, 特困 (shares 0/30/30/40). */
static int
seed_rules(struct al_db *db, int64_t now)
{
    static const struct {
        const char *tags, *meal;
        int64_t fen;
    } rules[] = {{"", "lunch", 200}, {"advanced_age", "lunch", 400},
        {"advanced_age,dibao", "lunch", 600}, {"tekun", "lunch", 800}, {"tekun", "dinner", 500}};
    static const int pct[4] = {0, 30, 30, 40};
    int rc = AL_OK;
    for (size_t i = 0; rc == AL_OK && i < sizeof(rules) / sizeof(rules[0]); i++) {
        int64_t id;
        rc = meal_store_rule_add(db, "520327", rules[i].tags, rules[i].meal, rules[i].fen, pct,
            "2024-01-01", NULL, "seed", now, &id);
    }
    return rc == AL_OK ? meal_store_cap_set(db, "520327", 1, "seed", now) : rc;
}

/* The elders living in the areas of canteen `k`, at most `max`, into ids. */
static int
diners_of(struct al_db *db, const struct demo_canteen *k, int64_t *ids, int max, int *n)
{
    static const char sql[] = "SELECT id FROM elders WHERE region_code IN (?, ?, ?, ?)"
                              " AND status = 'active' ORDER BY id LIMIT ?";
    struct al_stmt *st = al_db_sql(db, sql);
    for (int i = 0; i < 4; i++)
        al_stmt_bind_text(st, i + 1, k->areas[i] ? k->areas[i] : k->areas[0]);
    al_stmt_bind_int(st, 5, max);
    int rc;
    *n = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        ids[(*n)++] = al_stmt_int(st, 0);
    return rc;
}

/* One canteen: its row, menus from `from` for `days` days, cards and meals until today. */
static int
seed_canteen(struct al_db *db, struct al_arena *a, const struct demo_canteen *k, int64_t now,
    const char *today, const char *first, int days)
{
    json_t *areas = json_array();
    for (int i = 0; i < 4 && k->areas[i]; i++)
        json_array_append_new(areas, json_string(k->areas[i]));
    struct meal_canteen_in in = {.region_code = k->region, .kind = k->kind, .name = k->name,
        .operator_name = k->operator_name, .address = k->address, .hours = "10:30–19:00",
        .windows = windows, .licence_no = "JY15203270000000", .licence_expiry = k->licence_expiry,
        .status = "open", .has_coords = true, .lat = k->lat, .lng = k->lng,
        .capacity = k->capacity, .delivery_radius_m = k->radius_m, .areas = areas};
    int64_t cid = 0;
    int rc = meal_store_canteen_put(db, 0, 0, &in, "seed", now, &cid);
    json_decref(areas);
    struct meal_canteen c = {.id = cid, .region_code = k->region, .name = k->name,
        .kind = k->kind, .licence_expiry = k->licence_expiry, .status = "open"};
    int64_t diners[24];
    int nd = 0;
    if (rc == AL_OK)
        rc = diners_of(db, k, diners, 24, &nd);
    for (int i = 0; rc == AL_OK && i < nd; i++) {
        char token[33], card[16];
        al_crypto_random_hex(token, 16);
        snprintf(card, sizeof(card), "FG%06lld", (long long)diners[i]);
        rc = meal_store_card_put(db, diners[i], k->areas[0], card, token, "seed", now);
    }
    static const char *const dishes[] = {"米饭、青椒肉丝、炒时蔬、番茄蛋汤",
        "米饭、红烧豆腐、清炒南瓜、冬瓜汤", "软米饭、清蒸鱼块、炒白菜、紫菜汤",
        "面条、肉末茄子、凉拌黄瓜、小米粥"};
    char date[11];
    snprintf(date, sizeof(date), "%s", first);
    for (int d = 0; rc == AL_OK && d < days; d++, meal_date_add(date, 1, date)) {
        int64_t lunch = 0, dinner = 0;
        rc = meal_store_menu_add(db, cid, date, "lunch", "午餐套餐", dishes[d % 4], k->lunch_fen,
            "seed", now, &lunch);
        if (rc == AL_OK)
            rc = meal_store_menu_add(db, cid, date, "dinner", "晚餐套餐", dishes[(d + 2) % 4],
                k->dinner_fen, "seed", now, &dinner);
        if (strcmp(date, today) >= 0)
            continue; /* meals until yesterday */
        for (int i = 0; rc == AL_OK && i < nd; i++) {
            /* Most diners come to lunch most days; a few take dinner too. */
            unsigned h = (unsigned)(diners[i] * 2654435761u) ^ (unsigned)(d * 40503u);
            for (int m = 0; rc == AL_OK && m < 2; m++) {
                if ((m == 0 && h % 10 >= 7) || (m == 1 && (h >> 4) % 10 >= 2))
                    continue;
                struct meal_diner dn;
                if ((rc = meal_store_diner(db, a, diners[i], &dn)) != AL_OK)
                    break;
                int kind = m == 0 ? MEAL_LUNCH : MEAL_DINNER;
                struct meal_record r = {.canteen_id = cid, .elder_id = dn.e.id,
                    .menu_id = m == 0 ? lunch : dinner, .canteen_region = k->region,
                    .elder_region = dn.e.region_code, .served_date = date,
                    .month = al_arena_strndup(a, date, 7), .meal = meal_names[kind],
                    .kind = (h >> 8) % 5 == 0 ? "delivery" : "dine_in",
                    .menu_name = m == 0 ? "午餐套餐" : "晚餐套餐", .counter = "一号窗口",
                    .actor = "seed", .now = now, .price_fen = m == 0 ? k->lunch_fen : k->dinner_fen,
                    .idem_key = al_arena_printf(a, "demo-%lld-%s-%d", (long long)cid, date, i * 2 + m)};
                /* Noon or six in the evening in China, that day. */
                struct tm tm = {.tm_year = atoi(date) - 1900, .tm_mon = atoi(date + 5) - 1,
                    .tm_mday = atoi(date + 8), .tm_hour = m == 0 ? 12 - 8 : 18 - 8};
                r.served_at = (int64_t)timegm(&tm);
                rc = meal_store_decide(db, a, &c, &dn, date, kind, r.price_fen, &r.d, &r.rule_id,
                    &r.tags);
                if (rc == AL_OK)
                    rc = meal_store_record_add(db, &r, &r.rule_id /* the id is not needed */);
            }
        }
    }
    return rc;
}

int
meal_seed_demo(struct al_db *db, struct al_arena *a, struct al_errinfo *e)
{
    int64_t have = 0;
    al_db_count(db, "SELECT count(*) FROM meal_canteens", NULL, &have);
    if (have)
        return AL_OK;
    char today[11], first[11];
    al_today_cst(today);
    /* From the first day of last month to a week ahead. */
    snprintf(first, sizeof(first), "%.8s01", today);
    meal_date_add(first, -1, first);
    snprintf(first + 8, 3, "01");
    int days = 0;
    for (char d[11] = ""; days < 80; days++) {
        snprintf(d, sizeof(d), "%s", first);
        meal_date_add(d, days, d);
        char end[11];
        meal_date_add(today, 7, end);
        if (strcmp(d, end) > 0)
            break;
    }
    int64_t now = (int64_t)time(NULL);
    int rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = seed_rules(db, now);
    for (size_t i = 0; rc == AL_OK && i < sizeof(canteens) / sizeof(canteens[0]); i++)
        rc = seed_canteen(db, a, &canteens[i], now, today, first, days);
    /* Each demo canteen stands among the elders it serves (the generator's coordinates). */
    if (rc == AL_OK)
        rc = al_db_exec(db,
            "UPDATE meal_canteens SET"
            " lat = coalesce((SELECT avg(e.lat) FROM elders e JOIN meal_canteen_areas x"
            "  ON x.region_code = e.region_code WHERE x.canteen_id = meal_canteens.id), lat),"
            " lng = coalesce((SELECT avg(e.lng) FROM elders e JOIN meal_canteen_areas x"
            "  ON x.region_code = e.region_code WHERE x.canteen_id = meal_canteens.id), lng)");
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：老年助餐");
    printf("助餐演示数据已就绪：%zu 个助餐点，上月与本月的就餐记录\n",
        sizeof(canteens) / sizeof(canteens[0]));
    return AL_OK;
}

/* The nearest canteen among `opts` (meal_order_options) with a menu of `meal` open to order:
 * the menu's id, or 0. */
static int64_t
nearest_menu(const json_t *opts, const char *meal, int64_t *canteen_id)
{
    int64_t best = 0, best_m = INT64_MAX;
    size_t i, k;
    json_t *c, *m;
    json_array_foreach(opts, i, c)
    {
        int64_t dist = json_integer_value(json_object_get(c, "distance_m"));
        json_array_foreach(json_object_get(c, "menus"), k, m)
            if (dist < best_m && json_is_true(json_object_get(m, "open")) &&
                strcmp(json_string_value(json_object_get(m, "meal")), meal) == 0) {
                best = json_integer_value(json_object_get(m, "id"));
                best_m = dist;
                *canteen_id = json_integer_value(json_object_get(c, "id"));
            }
    }
    return best;
}

/*
 * RULE-MEAL-070: the family account fg_family's delivery orders for the elder it is linked to
 * (issue 13's demo consent): lunch for each of the next three days and dinner the day after
 * tomorrow, from the nearest canteen reaching the home, quoted and written by the family
 * order's own path.  Nothing without demo elders, a link, or a canteen in reach.
 */
int
meal_seed_family_demo(struct al_db *db, struct al_arena *a, int64_t now, struct al_errinfo *e)
{
    int64_t user = 0, *ids = NULL, done = 0;
    size_t n = 0;
    struct elder_home h;
    al_db_count(db, "SELECT id FROM users WHERE username = 'fg_family'", NULL, &user);
    int rc = user ? elder_linked_ids(db, a, user, "basic", &ids, &n) : AL_OK;
    if (rc == AL_OK && n > 0)
        rc = elder_home_of(db, a, ids[0], &h);
    if (rc != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：家属送餐");
    if (n == 0 || !h.has_geo || strcmp(h.status, "active") != 0)
        return AL_OK;
    al_db_count(db, "SELECT count(*) FROM meal_orders", NULL, &done);
    if (done)
        return AL_OK; /* seeded before */
    static const struct {
        int day;
        const char *meal, *note;
    } orders[] = {{1, "lunch", "少盐，饭软一点"}, {2, "lunch", NULL}, {2, "dinner", "送到楼下即可"},
        {3, "lunch", NULL}};
    char today[11], date[11];
    al_date_cst(now, today);
    if ((rc = al_db_begin(db)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：数据库错误");
    for (size_t i = 0; rc == AL_OK && i < sizeof(orders) / sizeof(orders[0]); i++) {
        json_t *opts = json_array();
        int64_t cid = 0, menu = 0, oid = 0;
        struct meal_order o;
        meal_date_add(today, orders[i].day, date);
        rc = meal_order_options(db, a, now, ids[0], &h, date, opts);
        if (rc == AL_OK && (menu = nearest_menu(opts, orders[i].meal, &cid)) > 0 &&
            (rc = meal_order_quote(db, a, now, ids[0], &h, cid, menu, &o)) == AL_OK) {
            o.ordered_by = user;
            o.note = orders[i].note;
            rc = meal_store_order_add(db, &o, now, &oid);
        }
        json_decref(opts);
    }
    if ((rc = al_db_end(db, rc)) != AL_OK)
        return al_fail(e, rc, NULL, "演示数据写入失败：家属送餐");
    return AL_OK;
}
