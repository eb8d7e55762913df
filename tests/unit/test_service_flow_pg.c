/*
 * src/service/service_flow*.c: the plan's days (RULE-SVC-130, -131), the answer time
 * (RULE-SVC-140), and on both engines with the time given (as a job gets it, al_job_started):
 * generation ahead run twice without a duplicate (RULE-SVC-132, -133), a plan stopped when its
 * elder dies (RULE-SVC-134), and the sweep taking back an order not accepted in time
 * (RULE-SVC-141).
 */
#include <jansson.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/jobs.h"
#include "core/router.h"
#include "dual.h"
#include "entitle/entitle.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"
#include "unit.h"

/* 2026-12-02 (a Wednesday) 10:00 China time. */
#define T10 ((int64_t)1796176800)

static struct al_arena arena;

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
        "  '二号', 27.92, 107.70, 0, 0);") == AL_OK
               ? 0
               : -1;
}

/* RULE-SVC-130, RULE-SVC-131: weekly and monthly days, 、 or commas; a missing 31st skipped. */
static void
plan_days(void **state)
{
    (void)state;
    uint32_t m;
    assert_true(service_plan_days(SVC_WEEKLY, "2,5", &m));
    assert_int_equal(m, (1u << 2) | (1u << 5));
    assert_true(service_plan_days(SVC_WEEKLY, "2、5", &m));
    assert_false(service_plan_days(SVC_WEEKLY, "8", &m));
    assert_false(service_plan_days(SVC_WEEKLY, "0", &m));
    assert_false(service_plan_days(SVC_WEEKLY, "", &m));
    assert_false(service_plan_days(SVC_WEEKLY, "2;5", &m));
    assert_true(service_plan_days(SVC_MONTHLY, "1,15,31", &m));
    assert_false(service_plan_days(SVC_MONTHLY, "32", &m));
    assert_int_equal(service_pattern_parse("daily"), -1);
    assert_true(service_plan_days(SVC_WEEKLY, "2,5", &m));
    assert_true(service_plan_due(SVC_WEEKLY, m, "2026-12-01"));  /* Tuesday */
    assert_false(service_plan_due(SVC_WEEKLY, m, "2026-12-02")); /* Wednesday */
    assert_true(service_plan_due(SVC_WEEKLY, m, "2026-12-04"));  /* Friday */
    assert_true(service_plan_due(SVC_WEEKLY, 1u << 7, "2026-12-06")); /* Sunday is 7 */
    assert_true(service_plan_days(SVC_MONTHLY, "31", &m));
    assert_true(service_plan_due(SVC_MONTHLY, m, "2026-12-31"));
    assert_false(service_plan_due(SVC_MONTHLY, m, "2026-11-30"));
    char d[11];
    service_date_add("2026-12-31", 1, d);
    assert_string_equal(d, "2027-01-01");
    service_date_add("2028-02-28", 1, d);
    assert_string_equal(d, "2028-02-29");
    /* RULE-SVC-140 */
    assert_false(service_accept_overdue(T10, T10 + 14 * 60 + 59, 15));
    assert_true(service_accept_overdue(T10, T10 + 15 * 60, 15));
}

static int64_t
count(struct al_db *db, const char *sql)
{
    int64_t n = -1;
    struct al_stmt *st = al_db_sql_text(db, sql);
    assert_int_equal(al_stmt_int64(st, &n), AL_OK);
    return n;
}

/* RULE-SVC-132..134: orders ahead, run twice, nothing twice; a deceased elder's plan stops. */
static void
generate(void **state)
{
    struct al_db *db = *state;
    struct svc_plan p = {.region_code = "520327001001", .elder_id = 1, .item_code = "zhujie",
        .pattern = "weekly", .days = "2,5", .start_min = 9 * 60, .from_date = "2026-12-01",
        .to_date = "2026-12-31", .created_by = "t"};
    int64_t id = 0, id2 = 0;
    assert_int_equal(service_flow_plan_add(db, &p, T10, &id), AL_OK);
    p.elder_id = 2;
    p.region_code = "520327001002";
    p.pattern = "monthly";
    p.days = "3";
    assert_int_equal(service_flow_plan_add(db, &p, T10, &id2), AL_OK);
    struct svc_plan_run run;
    /* Today 2026-12-02 10:00, seven days: Fri 4th, Tue 8th for plan 1; the 3rd for plan 2. */
    assert_int_equal(service_flow_generate(db, &arena, 0, T10, "t", &run), AL_OK);
    assert_int_equal(run.plans, 2);
    assert_int_equal(run.created, 3);
    assert_int_equal(count(db, "SELECT count(*) FROM svc_orders WHERE plan_id IS NOT NULL"), 3);
    assert_int_equal(count(db, "SELECT count(*) FROM svc_orders WHERE plan_date = '2026-12-04'"
                               " AND window_start = 1796346000 AND status = 'created'"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'service.order_place'"),
        3);
    /* Run again (a second server, the hourly run): nothing twice. */
    assert_int_equal(service_flow_generate(db, &arena, 0, T10 + 60, "t", &run), AL_OK);
    assert_int_equal(run.created, 0);
    assert_int_equal(run.existing, 3);
    assert_int_equal(count(db, "SELECT count(*) FROM svc_orders"), 3);
    /* The unique key holds even against a direct second link. */
    int64_t oid = count(db, "SELECT min(id) FROM svc_orders");
    assert_int_equal(service_flow_plan_link(db, oid, id, "2026-12-04"), AL_ECONFLICT);
    /* A day later the window moves on: Fri 11th... no, Wed 9th adds nothing; Fri 4th..Tue 8th */
    assert_int_equal(service_flow_generate(db, &arena, id, T10 + 3 * 86400, "t", &run), AL_OK);
    assert_int_equal(run.created, 1); /* 2026-12-11 (Friday) */
    /* RULE-SVC-134: elder 2 died; the plan stops, audited, and generates nothing more. */
    assert_int_equal(al_db_exec(db, "UPDATE elders SET status = 'deceased' WHERE id = 2"), AL_OK);
    assert_int_equal(service_flow_generate(db, &arena, 0, T10 + 40 * 86400, "t", &run), AL_OK);
    assert_int_equal(run.stopped, 1);
    struct svc_plan q;
    assert_int_equal(service_flow_plan(db, &arena, id2, &q), AL_OK);
    assert_string_equal(q.status, "stopped");
    assert_int_equal(count(db, "SELECT count(*) FROM svc_orders WHERE elder_id = 2"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'service.plan_stop'"),
        1);
    /* Plan 1 ended on the 31st: 40 days on, nothing. */
    assert_int_equal(run.created, 0);
    al_arena_reset(&arena);
}

/* RULE-SVC-141: 15 minutes without an answer: back to 待派单, the event says why. */
static void
sweep(void **state)
{
    struct al_db *db = *state;
    int64_t prov, st, cg;
    const char *lq[] = {"520327001"};
    assert_int_equal(service_store_provider_add(db, "520327", "机构", NULL, T10, &prov), AL_OK);
    assert_int_equal(service_store_station_add(db, prov, "520327001", "龙泉站", "a", 27.9, 107.7,
                         30, lq, 1, T10, &st), AL_OK);
    struct svc_new_caregiver c = {.provider_id = prov, .station_id = st,
        .region_code = "520327001", .name = "孙丽", .skills = "general",
        .work_start_min = 480, .work_end_min = 1080};
    assert_int_equal(service_store_caregiver_add(db, &c, T10, &cg), AL_OK);
    struct svc_line l = {.item_code = "zhujie", .price_fen = 5000, .elder_fen = 5000};
    struct svc_new_order no = {.elder_id = 1, .region_code = "520327001001", .address = "一号",
        .channel = "helper", .placed_by = "t", .window_start = T10 + 86400,
        .window_end = T10 + 90000, .planned_min = 60, .total_fen = 5000, .elder_fen = 5000,
        .lines = &l, .nlines = 1};
    int64_t a = 0, b = 0;
    assert_int_equal(service_store_order_add(db, &no, T10, &a), AL_OK);
    assert_int_equal(service_store_order_add(db, &no, T10, &b), AL_OK);
    struct svc_order o;
    assert_int_equal(service_store_order(db, &arena, a, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "assigned", "assign", cg, st, NULL, "t", T10),
        AL_OK);
    assert_int_equal(service_store_order(db, &arena, b, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "assigned", "assign", cg, st, NULL, "t", T10),
        AL_OK);
    assert_int_equal(service_store_order(db, &arena, b, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "accepted", "accept", -1, -1, NULL, "t", T10 + 60),
        AL_OK);
    int n = -1;
    assert_int_equal(service_flow_sweep(db, &arena, T10 + 14 * 60, &n), AL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(service_flow_sweep(db, &arena, T10 + 15 * 60, &n), AL_OK);
    assert_int_equal(n, 1); /* a; b was accepted */
    assert_int_equal(service_store_order(db, &arena, a, &o), AL_OK);
    assert_string_equal(o.status, "created");
    assert_int_equal(o.caregiver_id, 0);
    json_t *j = NULL;
    assert_int_equal(service_store_order_json(db, &arena, a, &j), AL_OK);
    json_t *ev = json_object_get(j, "events");
    json_t *last = json_array_get(ev, json_array_size(ev) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "action")), "accept_timeout");
    assert_non_null(strstr(json_string_value(json_object_get(last, "reason")), "超时未接单"));
    assert_non_null(strstr(json_string_value(json_object_get(last, "reason")), "孙丽"));
    assert_true(json_is_true(json_object_get(j, "accept_timeout")));
    json_decref(j);
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action ="
                               " 'service.accept_timeout'"), 1);
    /* Run again: nothing more.  Assigned again, the clock starts again. */
    assert_int_equal(service_flow_sweep(db, &arena, T10 + 16 * 60, &n), AL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(service_store_order(db, &arena, a, &o), AL_OK);
    assert_int_equal(service_store_move(db, &o, "assigned", "assign", cg, st, NULL, "t",
                         T10 + 20 * 60), AL_OK);
    assert_int_equal(service_flow_sweep(db, &arena, T10 + 30 * 60, &n), AL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(service_store_order_json(db, &arena, a, &j), AL_OK);
    assert_false(json_is_true(json_object_get(j, "accept_timeout")));
    json_decref(j);
    al_arena_reset(&arena);
}

/* RULE-SVC-160, RULE-SVC-161: the monthly standard comes from entitle.h; a demo grant once. */
static void
standard(void **state)
{
    struct al_db *db = *state;
    struct entitle_monthly m;
    assert_int_equal(entitle_monthly_standard(db, 1, "520327001001", "fuwu_butie", "2026-12-02", &m),
        AL_OK);
    assert_false(m.entitled);
    assert_int_equal(entitle_benefit_grant(db, 1, "520327001001", "fuwu_butie", "2026-12-01",
                         "manual", "演示", "t", T10), AL_OK);
    assert_int_equal(entitle_benefit_grant(db, 1, "520327001001", "fuwu_butie", "2026-12-01",
                         "manual", "演示", "t", T10), AL_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM entitle_benefits WHERE elder_id = 1"), 1);
    assert_int_equal(entitle_monthly_standard(db, 1, "520327001001", "fuwu_butie", "2026-12-02", &m),
        AL_OK);
    assert_true(m.entitled);
    assert_false(m.by_times);
    assert_int_equal(m.per_month, 10000); /* 养老服务补贴 on the national list */
    /* Before the record starts: not entitled. */
    assert_int_equal(entitle_monthly_standard(db, 1, "520327001001", "fuwu_butie", "2026-11-30", &m),
        AL_OK);
    assert_false(m.entitled);
    /* The service quota reads it: 10000 fen left this month. */
    struct svc_quota q = {.item_key = "fuwu_butie"};
    assert_int_equal(service_quota_left(db, 1, "520327001001", "2026-12-02", &q), AL_OK);
    assert_true(q.entitled);
    assert_int_equal(q.left, 10000);
    al_arena_reset(&arena);
}

/* A provider with a station and a caregiver; ids out. */
static void
provider(struct al_db *db, const char *name, int64_t *prov, int64_t *st, int64_t *cg)
{
    const char *lq[] = {"520327001"};
    assert_int_equal(service_store_provider_add(db, "520327", name, NULL, T10, prov), AL_OK);
    assert_int_equal(service_store_station_add(db, *prov, "520327001", name, "a", 27.9, 107.7, 30,
                         lq, 1, T10, st), AL_OK);
    struct svc_new_caregiver c = {.provider_id = *prov, .station_id = *st,
        .region_code = "520327001", .name = name, .skills = "general,cleaning",
        .work_start_min = 480, .work_end_min = 1080};
    assert_int_equal(service_store_caregiver_add(db, &c, T10, cg), AL_OK);
}

/* An order of 助洁 (120 min) for `elder` at `start`, carried out in full and confirmed. */
static int64_t
confirmed(struct al_db *db, int64_t elder, int64_t start, int64_t st, int64_t cg)
{
    struct svc_line l = {.item_code = "zhujie", .price_fen = 5000, .elder_fen = 5000};
    struct svc_new_order no = {.elder_id = elder, .region_code = "520327001001",
        .address = "一号", .channel = "helper", .placed_by = "t", .window_start = start,
        .window_end = start + 7200, .planned_min = 120, .total_fen = 5000, .elder_fen = 5000,
        .lines = &l, .nlines = 1, .has_geo = true, .lat = 27.91, .lng = 107.70};
    int64_t id = 0;
    assert_int_equal(service_store_order_add(db, &no, T10, &id), AL_OK);
    struct svc_evv e = {.distance_m = 10};
    struct svc_visit_rec v = {.order_id = id, .caregiver_id = cg, .elder_id = elder,
        .region_code = "520327001001", .at = start, .recv_at = start, .lat = 27.91, .lng = 107.70,
        .accuracy_m = 20, .evv = &e, .note = ""};
    static const char *const moves[][2] = {{"assigned", "assign"}, {"accepted", "accept"},
        {"in_service", "checkin"}, {"completed", "checkout"}, {"confirmed", "confirm"}};
    for (int i = 0; i < 5; i++) {
        struct svc_order o;
        assert_int_equal(service_store_order(db, &arena, id, &o), AL_OK);
        if (i == 2)
            assert_int_equal(service_store_checkin(db, &v), AL_OK);
        if (i == 3) {
            v.at = v.recv_at = start + 7000;
            v.checklist = "[]";
            assert_int_equal(service_store_checkout(db, &v), AL_OK);
        }
        assert_int_equal(service_store_move(db, &o, moves[i][0], moves[i][1], i == 0 ? cg : -1,
                             i == 0 ? st : -1, NULL, "t", T10), AL_OK);
    }
    return id;
}

/* RULE-SVC-162, RULE-SVC-163, RULE-SVC-164: the second provider's line for the same visit, and a bed's package, held;
   RULE-SVC-204: found through the set of elders another provider paid and bed_elders_covered, read once. */
static void
double_pay(void **state)
{
    struct al_db *db = *state;
    int64_t pa, sa, ca, pb, sb, cb, sa_id = 0, sb_id = 0;
    int held = -1;
    provider(db, "甲机构", &pa, &sa, &ca);
    provider(db, "乙机构", &pb, &sb, &cb);
    int64_t day = T10 + 30 * 86400; /* 2027-01-01 10:00 */
    int64_t a1 = confirmed(db, 1, day, sa, ca);
    int64_t b1 = confirmed(db, 1, day + 3600, sb, cb); /* overlaps a1 */
    int64_t b2 = confirmed(db, 1, day + 86400, sb, cb); /* another day: payable */
    int64_t from = day - 10 * 3600, to = from + 31 * 86400;
    /* The statement is written in the caller's transaction (its lines are one bulk load). */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(service_store_settle_create(db, &arena, pa, "520327", "2027-01", from, to,
                         "t", T10, &sa_id, &held), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_int_equal(held, 0);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(service_store_settle_create(db, &arena, pb, "520327", "2027-01", from, to,
                         "t", T10, &sb_id, &held), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_int_equal(held, 1);
    json_t *t = NULL;
    assert_int_equal(service_store_settlement(db, &arena, sb_id, 0, &t), AL_OK);
    json_t *lines = json_object_get(t, "lines"), *holds = json_object_get(t, "double_holds");
    assert_int_equal(json_array_size(lines), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 0), "order_id")), b2);
    assert_int_equal(json_array_size(holds), 1);
    json_t *h = json_array_get(holds, 0);
    assert_int_equal(json_integer_value(json_object_get(h, "order_id")), b1);
    assert_string_equal(json_string_value(json_object_get(h, "code")), "paid_other_provider");
    assert_non_null(strstr(json_string_value(json_object_get(h, "detail")), "甲机构"));
    json_decref(t);
    /* RULE-SVC-197: an adjustment of the statement holds the order again: one hold, the newest. */
    assert_int_equal(service_flow_hold(db, sb_id, b1, "paid_other_provider", "再次暂扣", T10), AL_OK);
    assert_int_equal(service_store_settlement(db, &arena, sb_id, 0, &t), AL_OK);
    assert_int_equal(json_array_size(json_object_get(t, "double_holds")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(t,
                            "double_holds"), 0), "detail")), "再次暂扣");
    json_decref(t);
    (void)a1;
    /* RULE-SVC-163: elder 2 has a family care bed whose package holds 助洁.  `generate` recorded
       elder 2 as deceased: alive again here, or the visit is held as elder_gone (RULE-SVC-190). */
    assert_int_equal(al_db_exec(db, "UPDATE elders SET status = 'active', status_date = NULL"
                                    " WHERE id = 2"), AL_OK);
    assert_int_equal(al_db_exec(db,
        "INSERT INTO beds(region_code, elder_id, status, applicant, applied_on, care_plan,"
        " agreement_start, agreement_end, created_at, updated_at) VALUES ('520327001002', 2,"
        " 'in_service', 'family', '2026-11-01', '{\"services\":[{\"name\":\"助洁\","
        "\"frequency\":\"每周\"}]}', '2026-11-01', '2027-10-31', 0, 0)"), AL_OK);
    int64_t c2 = confirmed(db, 2, day + 40 * 86400, sa, ca); /* February */
    int64_t sa2 = 0;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(service_store_settle_create(db, &arena, pa, "520327", "2027-02", to,
                         to + 28 * 86400, "t", T10, &sa2, &held), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_int_equal(held, 1);
    assert_int_equal(service_store_settlement(db, &arena, sa2, 0, &t), AL_OK);
    h = json_array_get(json_object_get(t, "double_holds"), 0);
    assert_int_equal(json_integer_value(json_object_get(h, "order_id")), c2);
    assert_string_equal(json_string_value(json_object_get(h, "code")), "bed_package");
    assert_int_equal(json_array_size(json_object_get(t, "lines")), 0);
    json_decref(t);
    al_arena_reset(&arena);
}

static int runs;
static int64_t last_started;

static int
tick(struct al_db *db, struct al_job *job, void *arg, json_t **result, struct al_errinfo *e)
{
    (void)db;
    (void)e;
    assert_null(arg);
    __atomic_store_n(&last_started, al_job_started(job), __ATOMIC_RELEASE);
    __atomic_add_fetch(&runs, 1, __ATOMIC_ACQ_REL);
    *result = json_object();
    return AL_OK;
}

/* RULE-SVC-142: a periodic kind runs on the job thread every `every_s`, with its own time, no row. */
static void
periodic(void **state)
{
    (void)state;
    struct al_db *db = dual_open(DUAL_SQLITE_FILE);
    assert_non_null(db);
    static const struct al_job_periodic kinds[] = {{"test.tick", tick, 1}, {0}};
    static const struct al_module m = {.name = "t", .periodic = kinds};
    const struct al_module *const mods[] = {&m, NULL};
    int64_t before = (int64_t)time(NULL);
    assert_int_equal(al_jobs_start(dual_target(DUAL_SQLITE_FILE), "unit-P", mods), AL_OK);
    for (int i = 0; i < 50 && __atomic_load_n(&runs, __ATOMIC_ACQUIRE) < 2; i++)
        usleep(100 * 1000);
    al_jobs_stop();
    assert_true(__atomic_load_n(&runs, __ATOMIC_ACQUIRE) >= 2);
    assert_true(last_started >= before && last_started <= (int64_t)time(NULL));
    int64_t n = -1;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM jobs", NULL, &n), AL_OK);
    assert_int_equal(n, 0);
    al_db_close(db);
}

int
main(void)
{
    al_arena_init(&arena, 4096);
    dual_prepare = prepare;
    const struct CMUnitTest pure[] = {cmocka_unit_test(plan_days), cmocka_unit_test(periodic)};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generate),
        cmocka_unit_test(sweep),
        cmocka_unit_test(standard),
        cmocka_unit_test(double_pay),
    };
    int failed = cmocka_run_group_tests_name("service_flow rules", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("service_flow on SQLite", tests, dual_sqlite_setup,
        dual_teardown);
    failed += cmocka_run_group_tests_name("service_flow on PostgreSQL", tests, dual_pg_setup,
        dual_teardown);
    al_arena_fini(&arena);
    return failed;
}
