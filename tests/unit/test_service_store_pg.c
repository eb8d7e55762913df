/*
 * src/service/service_store.c and src/core/idem.c on both engines: the quota seam
 * (RULE-SVC-015), an order written with its lines and first event and moved with a
 * compare-and-set (RULE-SVC-013), the dispatch candidates of a region (RULE-SVC-021..025 read
 * from the tables), the visit rows (RULE-SVC-040), and idempotency keys (RULE-SVC-050..052).
 */
#include <jansson.h>
#include <string.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/idem.h"
#include "dual.h"
#include "service/service_int.h"
#include "unit.h"

/* 2026-12-02 10:00 China time. */
#define T10 ((int64_t)1796176800)

static struct al_arena arena;

/* Two elders of 龙泉 with a position; elder 1 receives 养老服务补贴 (10000 fen a month). */
static int
prepare(struct al_db *db, enum dual_engine engine)
{
    (void)engine;
    return al_db_exec(db,
        "INSERT INTO elders(id, region_code, name, sex, birth_date, id_hash, id_enc, id_masked,"
        " address, lat, lng, created_at, updated_at) VALUES"
        " (1, '520327001001', '张三', 'M', '1940-01-01', 'h1', 'e1', '520327********0011',"
        "  '一号', 27.91, 107.70, 0, 0),"
        " (2, '520327001002', '李四', 'F', '1941-01-01', 'h2', 'e2', '520327********0022',"
        "  '二号', 27.92, 107.70, 0, 0);"
        "INSERT INTO entitle_benefits(elder_id, region_code, item_key, from_date, source,"
        " created_by, created_at) VALUES (1, '520327001001', 'fuwu_butie', '2026-01-01',"
        " 'manual', 't', 0);") == AL_OK
               ? 0
               : -1;
}

static int64_t
place(struct al_db *db, int64_t elder, int64_t start, int64_t price, int64_t entitled)
{
    struct svc_line l = {.item_code = "zhujie", .price_fen = price, .entitle_key = "fuwu_butie",
        .entitled_fen = entitled, .elder_fen = price - entitled};
    struct svc_new_order o = {.elder_id = elder, .region_code = "520327001001", .address = "一号",
        .channel = "helper", .placed_by = "t", .lat = 27.91, .lng = 107.70, .has_geo = true,
        .window_start = start, .window_end = start + 3600, .planned_min = 60,
        .total_fen = price, .entitled_fen = entitled, .elder_fen = price - entitled,
        .lines = &l, .nlines = 1};
    int64_t id = 0;
    assert_int_equal(service_store_order_add(db, &o, T10 - 86400, &id), AL_OK);
    return id;
}

/* RULE-SVC-015: the quota left this month, from the benefit record, the list and the orders. */
static void
quota(void **state)
{
    struct al_db *db = *state;
    struct svc_quota q = {.item_key = "fuwu_butie"};
    assert_int_equal(service_quota_left(db, 1, "520327001001", "2026-12-02", &q), AL_OK);
    assert_true(q.entitled);
    assert_false(q.by_times);
    assert_int_equal(q.left, 10000);
    place(db, 1, T10, 5000, 4000);
    int64_t cancelled = place(db, 1, T10 + 3600, 5000, 5000);
    place(db, 1, T10 - 40 * 86400, 5000, 5000); /* October: another month */
    struct svc_order o;
    assert_int_equal(service_store_order(db, &arena, cancelled, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "cancelled", "cancel", -1, -1, "x", "t", T10),
        AL_OK);
    assert_int_equal(service_quota_left(db, 1, "520327001001", "2026-12-02", &q), AL_OK);
    assert_int_equal(q.left, 6000);
    /* Elder 2 has no benefit record: not entitled. */
    struct svc_quota q2 = {.item_key = "fuwu_butie"};
    assert_int_equal(service_quota_left(db, 2, "520327001002", "2026-12-02", &q2), AL_OK);
    assert_false(q2.entitled);
    /* A frequency item counts visits (上门服务: 4 a month). */
    assert_int_equal(al_db_exec(db, "INSERT INTO entitle_benefits(elder_id, region_code, item_key,"
                                    " from_date, source, created_by, created_at) VALUES (2,"
                                    " '520327001002', 'shangmen_fuwu', '2026-01-01', 'manual',"
                                    " 't', 0)"),
        AL_OK);
    struct svc_quota q3 = {.item_key = "shangmen_fuwu"};
    assert_int_equal(service_quota_left(db, 2, "520327001002", "2026-12-02", &q3), AL_OK);
    assert_true(q3.entitled);
    assert_true(q3.by_times);
    assert_int_equal(q3.left, 4);
    al_arena_reset(&arena);
}

/* RULE-SVC-013: a move is a compare-and-set on the version, with an event row each. */
static void
order_moves(void **state)
{
    struct al_db *db = *state;
    int64_t id = place(db, 2, T10, 3000, 0);
    struct svc_order o, stale;
    assert_int_equal(service_store_order(db, &arena, id, &o), AL_OK);
    stale = o;
    assert_string_equal(o.status, "created");
    assert_int_equal(service_store_move(db, &o, "cancelled", "cancel", -1, -1, "r", "t", T10),
        AL_OK);
    assert_int_equal(service_store_move(db, &stale, "assigned", "assign", 0, 0, NULL, "t", T10),
        AL_ECONFLICT);
    json_t *j = NULL;
    assert_int_equal(service_store_order_json(db, &arena, id, &j), AL_OK);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "cancelled");
    assert_string_equal(json_string_value(json_object_get(j, "status_name")), "已取消");
    assert_int_equal(json_array_size(json_object_get(j, "lines")), 1);
    json_t *ev = json_object_get(j, "events");
    assert_int_equal(json_array_size(ev), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 1), "reason")), "r");
    assert_true(json_is_null(json_object_get(j, "visit")));
    json_decref(j);
    assert_int_equal(service_store_order(db, &arena, 999, &o), AL_ENOTFOUND);
    al_arena_reset(&arena);
}

/* The candidates of a region: served stations only, certificates and the day's other visits. */
static void
candidates(void **state)
{
    struct al_db *db = *state;
    int64_t prov, s1, s2, c1, c2, c3;
    const char *lq[] = {"520327001"}, *jx[] = {"520327101"};
    assert_int_equal(service_store_provider_add(db, "520327", "机构", NULL, T10, &prov), AL_OK);
    assert_int_equal(service_store_station_add(db, prov, "520327001", "龙泉站", "a", 27.9, 107.7,
                         30, lq, 1, T10, &s1), AL_OK);
    assert_int_equal(service_store_station_add(db, prov, "520327101", "进化站", "b", 27.8, 107.6,
                         30, jx, 1, T10, &s2), AL_OK);
    struct svc_new_caregiver a = {.provider_id = prov, .station_id = s1,
        .region_code = "520327001", .name = "甲", .skills = "general,bathing",
        .work_start_min = 480, .work_end_min = 1080};
    struct svc_new_caregiver b = a, c = a;
    b.name = "乙";
    c.station_id = s2;
    c.region_code = "520327101";
    assert_int_equal(service_store_caregiver_add(db, &a, T10, &c1), AL_OK);
    assert_int_equal(service_store_caregiver_add(db, &b, T10, &c2), AL_OK);
    assert_int_equal(service_store_caregiver_add(db, &c, T10, &c3), AL_OK);
    assert_int_equal(service_store_certificate_add(db, c1, "bathing", "证", "", "2027-01-01"), AL_OK);
    assert_int_equal(service_store_certificate_add(db, c1, "nursing", "证", "", "2020-01-01"), AL_OK);
    /* c2 has a visit at 10:00 today; a cancelled one does not count. */
    int64_t busy = place(db, 2, T10, 3000, 0), gone = place(db, 2, T10 + 7200, 3000, 0);
    struct svc_order o;
    assert_int_equal(service_store_order(db, &arena, busy, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "assigned", "assign", c2, s1, NULL, "t", T10), AL_OK);
    assert_int_equal(service_store_order(db, &arena, gone, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "assigned", "assign", c2, s1, NULL, "t", T10), AL_OK);
    assert_int_equal(service_store_order(db, &arena, gone, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "cancelled", "cancel", -1, -1, NULL, "t", T10), AL_OK);

    struct svc_cand *cands;
    int64_t *stations;
    int n = 0;
    int64_t day = T10 - 10 * 3600;
    assert_int_equal(service_store_candidates(db, &arena, "520327001001", day, day + 86400, 0,
                         &cands, &stations, &n), AL_OK);
    assert_int_equal(n, 2); /* 进化's caregiver does not serve 龙泉 */
    assert_int_equal(cands[0].id, c1);
    assert_int_equal(stations[0], s1);
    assert_int_equal(cands[0].nskills, 2);
    assert_string_equal(cands[0].skills[1], "bathing");
    assert_int_equal(cands[0].ncerts, 2);
    assert_string_equal(cands[0].certs[1].valid_until, "2020-01-01");
    assert_int_equal(cands[0].load, 0);
    assert_int_equal(cands[1].id, c2);
    assert_int_equal(cands[1].load, 1);
    assert_int_equal(cands[1].nbusy, 1);
    assert_int_equal(cands[1].busy[0].start, T10);
    assert_int_equal(cands[1].busy[0].end, T10 + 3600);
    /* The order itself is not its own overlap. */
    assert_int_equal(service_store_candidates(db, &arena, "520327001001", day, day + 86400, busy,
                         &cands, &stations, &n), AL_OK);
    assert_int_equal(cands[1].nbusy, 0);
    al_arena_reset(&arena);
}

/* RULE-SVC-040: the check-in row, then the check-out once. */
static void
visit_rows(void **state)
{
    struct al_db *db = *state;
    int64_t id = place(db, 1, T10, 3000, 0);
    struct svc_evv e = {.distance_m = 150, .outside = true};
    struct svc_visit_rec v = {.order_id = id, .caregiver_id = 7, .elder_id = 1,
        .region_code = "520327001001", .at = T10, .recv_at = T10 + 5, .lat = 27.9, .lng = 107.7,
        .accuracy_m = 20, .evv = &e, .note = ""};
    assert_int_equal(service_store_checkin(db, &v), AL_OK);
    assert_int_equal(service_store_checkin(db, &v), AL_ECONFLICT); /* one visit per order */
    struct svc_evv e2 = {.distance_m = 10, .skew = true};
    v.evv = &e2;
    v.at = T10 + 3600;
    v.checklist = "[\"情绪良好\"]";
    assert_int_equal(service_store_checkout(db, &v), AL_OK);
    assert_int_equal(service_store_checkout(db, &v), AL_ECONFLICT);
    json_t *j = NULL;
    assert_int_equal(service_store_order_json(db, &arena, id, &j), AL_OK);
    json_t *visit = json_object_get(j, "visit");
    assert_int_equal(json_integer_value(json_object_get(visit, "checkin_distance_m")), 150);
    assert_true(json_is_true(json_object_get(visit, "checkin_outside")));
    assert_true(json_is_false(json_object_get(visit, "checkout_outside")));
    assert_true(json_is_true(json_object_get(visit, "clock_skew")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(visit, "checklist"), 0)),
        "情绪良好");
    json_decref(j);
    al_arena_reset(&arena);
}

/* RULE-SVC-050..052 */
static void
idem(void **state)
{
    struct al_db *db = *state;
    struct al_errinfo e = {0};
    assert_int_equal(al_idem_key_check("abcd-1234", &e), AL_OK);
    assert_int_equal(al_idem_key_check("short", &e), AL_EINVAL);
    assert_string_equal(e.field, "Idempotency-Key");
    assert_int_equal(al_idem_key_check("has space 12", &e), AL_EINVAL);
    assert_int_equal(al_idem_key_check(NULL, &e), AL_EINVAL);
    int status = 0;
    const char *resp = NULL;
    assert_int_equal(al_idem_find(db, &arena, "x.y", 5, "k-000001", "h1", &status, &resp),
        AL_ENOTFOUND);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_idem_save(db, "x.y", 5, "k-000001", "h1", 200, "{\"a\":1}", T10), AL_OK);
    assert_int_equal(al_db_commit(db), AL_OK);
    assert_int_equal(al_idem_find(db, &arena, "x.y", 5, "k-000001", "h1", &status, &resp), AL_OK);
    assert_int_equal(status, 200);
    assert_string_equal(resp, "{\"a\":1}");
    /* The same key with another body. */
    assert_int_equal(al_idem_find(db, &arena, "x.y", 5, "k-000001", "h2", &status, &resp),
        AL_ECONFLICT);
    /* Another user's or scope's key is another key. */
    assert_int_equal(al_idem_find(db, &arena, "x.y", 6, "k-000001", "h1", &status, &resp),
        AL_ENOTFOUND);
    assert_int_equal(al_idem_find(db, &arena, "x.z", 5, "k-000001", "h1", &status, &resp),
        AL_ENOTFOUND);
    /* RULE-SVC-052: taken meanwhile: the save refuses, the transaction rolls back. */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_idem_save(db, "x.y", 5, "k-000001", "h1", 200, "{}", T10), AL_ECONFLICT);
    al_db_rollback(db);
    al_arena_reset(&arena);
}

int
main(void)
{
    al_arena_init(&arena, 4096);
    dual_prepare = prepare;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quota),
        cmocka_unit_test(order_moves),
        cmocka_unit_test(candidates),
        cmocka_unit_test(visit_rows),
        cmocka_unit_test(idem),
    };
    int failed = cmocka_run_group_tests_name("service_store on SQLite", tests, dual_sqlite_setup,
        dual_teardown);
    failed += cmocka_run_group_tests_name("service_store on PostgreSQL", tests, dual_pg_setup,
        dual_teardown);
    al_arena_fini(&arena);
    return failed;
}
