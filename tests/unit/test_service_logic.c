/*
 * src/service/service_logic.c: the order's state machine (RULE-SVC-012, every forbidden move),
 * the funding split (RULE-SVC-014), travel time (RULE-SVC-020), automatic assignment — one test
 * per constraint (RULE-SVC-021..026) — the visit proof (RULE-SVC-041, RULE-SVC-043) and the
 * times an order takes (RULE-SVC-011).
 */
#include <string.h>

#include "core/err.h"
#include "core/geo.h"
#include "service/service_int.h"
#include "unit.h"

/* 2026-12-02 10:00 China time. */
#define T10 ((int64_t)1796176800)

/* RULE-SVC-012: exactly the moves of the table; every other pair answers AL_ECONFLICT. */
static void
state_machine(void **state)
{
    (void)state;
    static const struct {
        int from, action, to;
    } allowed[] = {
        {SVC_CREATED, SVC_ASSIGN, SVC_ASSIGNED}, {SVC_ASSIGNED, SVC_ASSIGN, SVC_ASSIGNED},
        {SVC_ASSIGNED, SVC_ACCEPT, SVC_ACCEPTED}, {SVC_ASSIGNED, SVC_DECLINE, SVC_CREATED},
        {SVC_ASSIGNED, SVC_REDISPATCH, SVC_CREATED}, {SVC_ACCEPTED, SVC_REDISPATCH, SVC_CREATED},
        {SVC_ON_THE_WAY, SVC_REDISPATCH, SVC_CREATED},
        {SVC_ACCEPTED, SVC_START_TRIP, SVC_ON_THE_WAY}, {SVC_ON_THE_WAY, SVC_ARRIVE, SVC_ARRIVED},
        {SVC_ACCEPTED, SVC_CHECKIN, SVC_IN_SERVICE}, {SVC_ON_THE_WAY, SVC_CHECKIN, SVC_IN_SERVICE},
        {SVC_ARRIVED, SVC_CHECKIN, SVC_IN_SERVICE}, {SVC_IN_SERVICE, SVC_CHECKOUT, SVC_COMPLETED},
        {SVC_COMPLETED, SVC_CONFIRM, SVC_CONFIRMED}, {SVC_CONFIRMED, SVC_RATE, SVC_RATED},
        {SVC_CONFIRMED, SVC_SETTLE, SVC_SETTLED}, {SVC_RATED, SVC_SETTLE, SVC_SETTLED},
        {SVC_CREATED, SVC_CANCEL, SVC_CANCELLED}, {SVC_ASSIGNED, SVC_CANCEL, SVC_CANCELLED},
        {SVC_ACCEPTED, SVC_CANCEL, SVC_CANCELLED}, {SVC_ON_THE_WAY, SVC_CANCEL, SVC_CANCELLED},
    };
    int n_allowed = 0;
    for (int s = 0; s < SVC_NSTATES; s++)
        for (int a = 0; a < SVC_NACTIONS; a++) {
            int to = -1, want = -1;
            for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
                if (allowed[i].from == s && allowed[i].action == a)
                    want = allowed[i].to;
            int rc = service_move(s, a, &to);
            if (want >= 0) {
                assert_int_equal(rc, AL_OK);
                assert_int_equal(to, want);
                n_allowed++;
            } else {
                assert_int_equal(rc, AL_ECONFLICT); /* every forbidden move */
            }
        }
    assert_int_equal(n_allowed, 21);
    /* Terminal states have no way out. */
    for (int a = 0; a < SVC_NACTIONS; a++) {
        int to;
        assert_int_equal(service_move(SVC_SETTLED, a, &to), AL_ECONFLICT);
        assert_int_equal(service_move(SVC_CANCELLED, a, &to), AL_ECONFLICT);
    }
    /* Names round-trip; the Chinese names are what the 409 says. */
    for (int s = 0; s < SVC_NSTATES; s++)
        assert_int_equal(service_state_parse(service_state_id(s)), s);
    for (int a = 0; a < SVC_NACTIONS; a++)
        assert_int_equal(service_action_parse(service_action_id(a)), a);
    assert_string_equal(service_state_zh(SVC_COMPLETED), "已完成");
    assert_string_equal(service_state_zh(SVC_CREATED), "待派单");
    assert_int_equal(service_state_parse("nope"), -1);
}

/* RULE-SVC-014: each line's parts add up to its price; quotas are drawn in line order. */
static void
split(void **state)
{
    (void)state;
    struct svc_quota q[] = {{.item_key = "fuwu_butie", .entitled = true, .left = 6000},
        {.item_key = "shangmen_fuwu", .entitled = true, .by_times = true, .left = 1},
        {.item_key = "huli_butie", .entitled = false}};
    struct svc_line l[] = {
        {.item_code = "zhujie", .price_fen = 5000, .entitle_key = "fuwu_butie"},
        {.item_code = "zhuyu", .price_fen = 8000, .entitle_key = "fuwu_butie"},
        {.item_code = "xunhu", .price_fen = 2000, .entitle_key = "shangmen_fuwu"},
        {.item_code = "zhuji", .price_fen = 3000, .entitle_key = NULL},
        {.item_code = "huli", .price_fen = 9000, .entitle_key = "huli_butie"},
    };
    bool beyond = false;
    service_split(l, 5, q, 3, &beyond);
    assert_int_equal(l[0].entitled_fen, 5000);
    assert_int_equal(l[0].cover, SVC_COVERED);
    assert_int_equal(l[1].entitled_fen, 1000); /* 6000 - 5000 left */
    assert_int_equal(l[1].elder_fen, 7000);
    assert_int_equal(l[1].cover, SVC_PARTIAL);
    assert_int_equal(l[2].entitled_fen, 2000); /* one visit left: covered whole */
    assert_int_equal(l[2].cover, SVC_COVERED);
    assert_int_equal(l[3].entitled_fen, 0);
    assert_int_equal(l[3].cover, SVC_NOT_PAID);
    assert_int_equal(l[4].entitled_fen, 0);
    assert_int_equal(l[4].cover, SVC_NOT_ENTITLED);
    assert_true(beyond);
    for (int i = 0; i < 5; i++)
        assert_int_equal(l[i].entitled_fen + l[i].elder_fen, l[i].price_fen);
    assert_int_equal(q[0].left, 0);
    assert_int_equal(q[1].left, 0);

    /* Nothing left: the whole price is the elder's and the order says beyond quota. */
    struct svc_line m[] = {{.item_code = "xunhu", .price_fen = 2000, .entitle_key = "shangmen_fuwu"}};
    service_split(m, 1, q, 3, &beyond);
    assert_int_equal(m[0].entitled_fen, 0);
    assert_int_equal(m[0].cover, SVC_BEYOND);
    assert_true(beyond);

    /* Within quota: not beyond. */
    struct svc_quota r[] = {{.item_key = "fuwu_butie", .entitled = true, .left = 100000}};
    struct svc_line k[] = {{.item_code = "zhujie", .price_fen = 5000, .entitle_key = "fuwu_butie"}};
    service_split(k, 1, r, 1, &beyond);
    assert_false(beyond);
    assert_int_equal(r[0].left, 95000);
}

/* RULE-SVC-020 */
static void
travel(void **state)
{
    (void)state;
    /* One degree of latitude ≈ 111.2 km. */
    double d = al_geo_distance_m(27.0, 107.0, 28.0, 107.0);
    assert_true(d > 111000 && d < 111400);
    assert_true(al_geo_distance_m(27.9, 107.7, 27.9, 107.7) < 0.001);
    struct svc_travel_cfg c = {.speed_kmh = 20, .detour_pct = 150};
    /* 4 km × 1.5 = 6 km at 20 km/h = 18 min. */
    assert_int_equal(service_travel_min(4000, &c), 18);
    assert_int_equal(service_travel_min(4010, &c), 19); /* rounded up */
    assert_int_equal(service_travel_min(0, &c), 0);
}

static const struct svc_travel_cfg cfg = {.speed_kmh = 20, .detour_pct = 100};

/* A caregiver at the home's station who fits a 10:00 bathing visit of 60 min on 2026-12-02. */
static struct svc_cand
able(int64_t id)
{
    struct svc_cand c = {.id = id, .station_lat = 27.9, .station_lng = 107.7, .radius_min = 20,
        .skills = {"general", "bathing"}, .nskills = 2, .ncerts = 1,
        .work_start_min = 480, .work_end_min = 1080};
    c.certs[0].skill = "bathing";
    strcpy(c.certs[0].valid_until, "2027-01-01");
    return c;
}

static const struct svc_job job = {.lat = 27.91, .lng = 107.7, .start = T10, .planned_min = 60,
    .date = "2026-12-02", .skills = {"bathing"}, .cert = {true}, .nskills = 1};

/* RULE-SVC-021: a home beyond the station's service circle. */
static void
fit_circle(void **state)
{
    (void)state;
    struct svc_cand c = able(1);
    int travel;
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OK);
    assert_int_equal(travel, 4); /* 1.1 km at 20 km/h */
    c.station_lat = 27.9 - 0.06; /* 7.8 km away: 24 min > 20 */
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OUT_OF_CIRCLE);
    c.radius_min = 30;
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OK);
    /* The detour factor counts. */
    struct svc_travel_cfg slow = {.speed_kmh = 20, .detour_pct = 150};
    assert_int_equal(service_fits(&job, &c, &slow, &travel), SVC_OUT_OF_CIRCLE);
}

/* RULE-SVC-022: the required skill. */
static void
fit_skill(void **state)
{
    (void)state;
    struct svc_cand c = able(1);
    int travel;
    c.skills[1] = "cleaning";
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_NO_SKILL);
}

/* RULE-SVC-023: an expired certificate blocks; its last day still counts; none blocks too. */
static void
fit_certificate(void **state)
{
    (void)state;
    struct svc_cand c = able(1);
    int travel;
    strcpy(c.certs[0].valid_until, "2026-12-01");
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_CERT_EXPIRED);
    strcpy(c.certs[0].valid_until, "2026-12-02");
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OK);
    c.ncerts = 0;
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_CERT_EXPIRED);
    /* A skill that needs no certificate (助洁). */
    struct svc_job g = job;
    g.cert[0] = false;
    assert_int_equal(service_fits(&g, &c, &cfg, &travel), SVC_OK);
}

/* RULE-SVC-024: within the working hours, the trip before the visit included. */
static void
fit_hours(void **state)
{
    (void)state;
    struct svc_cand c = able(1);
    int travel;
    c.work_end_min = 660; /* 11:00: a 10:00 visit of 60 min just fits */
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OK);
    c.work_end_min = 659;
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OFF_HOURS);
    c.work_end_min = 1080;
    c.work_start_min = 598; /* 4 min of travel from 09:56 */
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OFF_HOURS);
    c.work_start_min = 596;
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OK);
}

/* RULE-SVC-025: no overlap with another visit, the trip included. */
static void
fit_overlap(void **state)
{
    (void)state;
    struct svc_cand c = able(1);
    int travel;
    c.busy[0] = (struct svc_interval){T10 + 3600, T10 + 7200}; /* 11:00–12:00: touches, fine */
    c.nbusy = 1;
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OK);
    c.busy[1] = (struct svc_interval){T10 - 3600, T10 - 120}; /* ends 09:58, trip starts 09:56 */
    c.nbusy = 2;
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OVERLAP);
    c.busy[1] = (struct svc_interval){T10 - 3600, T10 - 240}; /* ends 09:56: fine */
    assert_int_equal(service_fits(&job, &c, &cfg, &travel), SVC_OK);
}

/* RULE-SVC-026: the least loaded, then the nearest, then the lowest id; refusals counted. */
static void
pick_balanced(void **state)
{
    (void)state;
    struct svc_cand c[5] = {able(10), able(11), able(12), able(13), able(14)};
    c[0].load = 3;
    c[1].load = 1;
    c[1].station_lat = 27.89; /* farther */
    c[2].load = 1;
    c[3].load = 0;
    c[3].skills[1] = "cleaning"; /* idle but cannot bathe */
    strcpy(c[4].certs[0].valid_until, "2020-01-01"); /* idle, expired certificate */
    struct svc_pick p;
    service_pick(&job, c, 5, &cfg, &p);
    assert_int_equal(p.index, 2); /* load 1 and nearer than 11 */
    assert_int_equal(p.refused[SVC_NO_SKILL], 1);
    assert_int_equal(p.refused[SVC_CERT_EXPIRED], 1);
    assert_int_equal(p.refused[SVC_OK], 3);
    c[2].station_lat = 27.89; /* now 11 and 12 tie on load and travel: the lower id */
    service_pick(&job, c, 5, &cfg, &p);
    assert_int_equal(p.index, 1);
    /* Nobody fits. */
    service_pick(&job, c + 3, 2, &cfg, &p);
    assert_int_equal(p.index, -1);
}

/* RULE-SVC-041, RULE-SVC-043 */
static void
evv(void **state)
{
    (void)state;
    struct svc_evv_cfg c = {.radius_m = 100, .skew_s = 300};
    struct svc_evv e;
    /* ≈ 111 m north of the home with 20 m accuracy: inside 100 + 20. */
    service_evv(27.9, 107.7, 27.901, 107.7, 20, T10, T10, T10, &c, &e);
    assert_int_equal(e.distance_m, 111);
    assert_false(e.outside);
    assert_false(e.skew);
    /* With 5 m accuracy it is outside: flagged, never refused. */
    service_evv(27.9, 107.7, 27.901, 107.7, 5, T10, T10, T10, &c, &e);
    assert_true(e.outside);
    /* An offline record sent three hours later with a right clock: no skew. */
    service_evv(27.9, 107.7, 27.9, 107.7, 5, T10, T10 + 3 * 3600, T10 + 3 * 3600 + 2, &c, &e);
    assert_false(e.skew);
    /* The device's clock 10 minutes behind when it sent: skew. */
    service_evv(27.9, 107.7, 27.9, 107.7, 5, T10, T10 + 60, T10 + 660, &c, &e);
    assert_true(e.skew);
    /* Made after it was sent: skew. */
    service_evv(27.9, 107.7, 27.9, 107.7, 5, T10 + 3600, T10, T10, &c, &e);
    assert_true(e.skew);
}

/* RULE-SVC-011 */
static void
times(void **state)
{
    (void)state;
    int64_t t;
    assert_true(service_parse_time("2026-12-02T10:00", &t));
    assert_int_equal(t, T10);
    assert_true(service_parse_time("2026-12-02 10:00:00+08:00", &t));
    assert_int_equal(t, T10);
    assert_true(service_parse_time("2026-12-02T02:00:00Z", &t));
    assert_int_equal(t, T10);
    assert_false(service_parse_time("2026-02-30T10:00", &t));
    assert_false(service_parse_time("2026-12-02T24:00", &t));
    assert_false(service_parse_time("2026-12-02T10:00+09:00", &t));
    assert_false(service_parse_time("2026-12-02", &t));
    assert_false(service_parse_time(NULL, &t));
    assert_int_equal(service_cst_minute(T10), 600);
    char d[11];
    service_cst_date(T10 - 10 * 3600 - 1, d); /* 23:59:59 the day before */
    assert_string_equal(d, "2026-12-01");
}

/* RULE-SVC-070, RULE-SVC-071, RULE-SVC-072, RULE-SVC-073 */
/* RULE-SVC-187 */
static void
todo_of_visits(void **state)
{
    (void)state;
    const int64_t now = 1000000;
    assert_int_equal(service_todo("in_service", now + 7200, now).rank, 0);
    assert_string_equal(service_todo("in_service", now, now).action, "checkout");
    assert_int_equal(service_todo("assigned", now + 7200, now).rank, 3);
    /* accepted: within the hour it is time to set off (before a completed one), later after it */
    assert_int_equal(service_todo("accepted", now + SVC_TODO_SOON_S, now).rank, 4);
    assert_int_equal(service_todo("accepted", now + SVC_TODO_SOON_S + 1, now).rank, 6);
    assert_int_equal(service_todo("completed", now - 60, now).rank, 5);
    struct svc_todo late = service_todo("accepted", now - 60, now);
    assert_true(late.late);
    assert_int_equal(late.rank, 4);
    assert_true(service_todo("assigned", now, now).late);
    assert_false(service_todo("in_service", now - 60, now).late);
    struct svc_todo none = service_todo("settled", now, now);
    assert_int_equal(none.rank, SVC_TODO_NONE);
    assert_null(none.action);
}

static void
exceptions_of_visits(void **state)
{
    (void)state;
    struct svc_visit_facts ok = {.nitems = 1, .elder_id = 7, .caregiver_id = 3,
        .has_checkin = true, .has_checkout = true, .has_position = true,
        .checkin_at = 1000000, .checkout_at = 1000000 + 60 * 60, .planned_min = 60};
    struct svc_evv_cfg lim = {.short_pct = SVC_SHORT_PCT, .long_pct = SVC_LONG_PCT};
    assert_int_equal(service_exceptions(&ok, &lim), 0);
    struct svc_visit_facts v = ok;
    v.has_checkout = false; /* check-in without check-out: end time missing */
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_MISSING);
    v = ok;
    v.has_position = false;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_MISSING);
    v = ok;
    v.nitems = 0;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_MISSING);
    v = ok;
    v.outside = true;
    v.skew = true;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_OUTSIDE | SVC_EXC_SKEW);
    /* 50 % of 60 minutes is 30: exactly 30 is fine, a second less is short. */
    v = ok;
    v.checkout_at = v.checkin_at + 30 * 60;
    assert_int_equal(service_exceptions(&v, &lim), 0);
    v.checkout_at -= 1;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_SHORT);
    /* 200 %: 120 minutes fine, one second more is long. */
    v.checkout_at = v.checkin_at + 120 * 60;
    assert_int_equal(service_exceptions(&v, &lim), 0);
    v.checkout_at += 1;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_LONG);
    /* RULE-SVC-175: the limits are the settings': at 300 % the same visit is fine, at 60 % of
     * 60 minutes, 35 minutes is short. */
    lim.long_pct = 300;
    assert_int_equal(service_exceptions(&v, &lim), 0);
    lim.short_pct = 60;
    v.checkout_at = v.checkin_at + 35 * 60;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_SHORT);
    /* RULE-SVC-190: the visit (1970-01-12 in China) and the day the elder died or moved out. */
    v = ok;
    v.elder_gone = true;
    v.gone_on = "1970-01-13";
    assert_int_equal(service_exceptions(&v, &lim), 0);
    v.gone_on = "1970-01-12";
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_GONE);
    v.gone_on = NULL;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_GONE);
    assert_string_equal(service_exception_id(SVC_EXC_GONE), "elder_gone");
    assert_string_equal(service_exception_zh(SVC_EXC_SHORT), "服务时长过短");
    assert_string_equal(service_exception_id(SVC_EXC_OUTSIDE), "outside");
    assert_null(service_exception_id(1u << 9));
    /* RULE-SVC-191: the store says the caregiver was elsewhere meanwhile. */
    v = ok;
    v.overlap = true;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_OVERLAP);
    assert_string_equal(service_exception_id(SVC_EXC_OVERLAP), "overlap");
    assert_string_equal(service_exception_zh(SVC_EXC_OVERLAP), "同一护理员上门时间重叠");
    /* RULE-SVC-192: completed and unconfirmed 48 hours after check-out is fine, a second more
     * is flagged; confirmed (no longer awaiting) clears it; no time given: never. */
    v = ok;
    v.awaiting_confirm = true;
    lim.confirm_h = 48;
    lim.now = v.checkout_at + 48 * 3600;
    assert_int_equal(service_exceptions(&v, &lim), 0);
    lim.now += 1;
    assert_int_equal(service_exceptions(&v, &lim), SVC_EXC_UNCONFIRMED);
    assert_string_equal(service_exception_zh(SVC_EXC_UNCONFIRMED), "超时未确认");
    v.awaiting_confirm = false;
    assert_int_equal(service_exceptions(&v, &lim), 0);
    v.awaiting_confirm = true;
    lim.now = 0;
    assert_int_equal(service_exceptions(&v, &lim), 0);
    /* A fix's list of ids back to the mask; unknown ids count nothing. */
    assert_int_equal(service_exception_mask("too_short,overlap"), SVC_EXC_SHORT | SVC_EXC_OVERLAP);
    assert_int_equal(service_exception_mask("nope,unconfirmed"), SVC_EXC_UNCONFIRMED);
    assert_int_equal(service_exception_mask(""), 0);
    assert_int_equal(service_exception_mask(NULL), 0);
}

/* RULE-SVC-191: two visits of one caregiver overlap when each starts before the other ends. */
static void
visits_overlap(void **state)
{
    (void)state;
    assert_true(service_visits_overlap(0, 100, 50, 150));
    assert_true(service_visits_overlap(50, 150, 0, 100));   /* both flagged: symmetric */
    assert_true(service_visits_overlap(0, 100, 20, 30));    /* inside */
    assert_false(service_visits_overlap(0, 100, 100, 200)); /* touching ends */
    assert_false(service_visits_overlap(0, 100, 150, 200));
    assert_true(service_visits_overlap(0, 100, 50, 0));     /* no check-out: its check-in */
    assert_false(service_visits_overlap(50, 0, 50, 0));     /* two instants */
}

/* The test OVERLAP_SQL (service_store.c) makes for visit `v` against every span, as written. */
static bool
overlap_by_definition(const struct svc_visit_row *v, const struct svc_span *s, size_t n)
{
    if (!v->f.has_checkin)
        return false;
    int64_t vin = v->f.checkin_at, vout = v->f.has_checkout ? v->f.checkout_at : 0;
    int64_t vend = vout > vin ? vout : vin;
    for (size_t j = 0; j < n; j++) {
        int64_t wend = s[j].out > s[j].in ? s[j].out : s[j].in;
        if (s[j].caregiver_id == v->f.caregiver_id && s[j].order_id != v->order_id &&
            s[j].in >= vin - 86400 && s[j].in < vend && vin < wend)
            return true;
    }
    return false;
}

static int
span_cmp(const void *a, const void *b)
{
    const struct svc_span *x = a, *y = b;
    if (x->caregiver_id != y->caregiver_id)
        return x->caregiver_id < y->caregiver_id ? -1 : 1;
    return (x->in > y->in) - (x->in < y->in);
}

/*
 * RULE-SVC-219: the month's overlap pass flags exactly the visits the per-row test flags:
 * random visits of a few caregivers over three days (long ones, instants, equal check-ins, visits
 * more than a day apart), each also a span of its caregiver, plus spans of visits not paid.
 */
static void
overlaps_in_one_pass(void **state)
{
    (void)state;
    enum { N = 400, EXTRA = 200 };
    static struct svc_visit_row rows[N];
    static struct svc_span spans[N + EXTRA];
    unsigned seed = 42;
    for (int round = 0; round < 50; round++) {
        size_t ns = 0;
        for (int i = 0; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            int64_t cg = 1 + (seed >> 16) % 5;
            seed = seed * 1103515245u + 12345u;
            int64_t in = 100000 + (int64_t)((seed >> 8) % (3 * 86400)) / 600 * 600;
            seed = seed * 1103515245u + 12345u;
            unsigned kind = (seed >> 16) % 10;
            int64_t out = kind == 0 ? 0 : kind == 1 ? in : kind == 2 ? in + 2 * 86400
                                                                      : in + 600 * (kind - 2);
            rows[i] = (struct svc_visit_row){.order_id = 1000 + i, .f = {.caregiver_id = cg,
                .has_checkin = kind != 9 || round % 2, .has_checkout = kind != 0,
                .checkin_at = in, .checkout_at = out}};
            if (rows[i].f.has_checkin)
                spans[ns++] = (struct svc_span){cg, 1000 + i, in, out};
        }
        for (int i = 0; i < EXTRA; i++) {
            seed = seed * 1103515245u + 12345u;
            int64_t in = 100000 - 86400 + (int64_t)((seed >> 8) % (5 * 86400));
            spans[ns++] = (struct svc_span){1 + (seed >> 4) % 5, 5000 + i, in, in + 900};
        }
        qsort(spans, ns, sizeof(spans[0]), span_cmp);
        service_mark_overlaps(rows, N, spans, ns);
        int flagged = 0;
        for (int i = 0; i < N; i++) {
            assert_int_equal(rows[i].f.overlap, overlap_by_definition(&rows[i], spans, ns));
            flagged += rows[i].f.overlap;
        }
        assert_true(flagged > 0 && flagged < N); /* both answers occur */
    }
    /* No spans: nothing overlaps, even a flag left from before. */
    rows[0].f.overlap = true;
    service_mark_overlaps(rows, 1, NULL, 0);
    assert_false(rows[0].f.overlap);
}

/* RULE-SVC-085, RULE-SVC-196: what a statement may pay. */
static void
payable(void **state)
{
    (void)state;
    struct svc_evv_cfg lim = {.short_pct = SVC_SHORT_PCT, .long_pct = SVC_LONG_PCT};
    struct svc_visit_row v = {.f = {.nitems = 1, .elder_id = 1, .caregiver_id = 2,
        .has_checkin = true, .has_checkout = true, .has_position = true, .checkin_at = 1000,
        .checkout_at = 1000 + 3600, .planned_min = 60}};
    assert_true(service_payable(&v, &lim));
    v.f.overlap = true;
    assert_false(service_payable(&v, &lim)); /* flagged, not fixed: held */
    v.fixed = true;
    v.fixed_mask = SVC_EXC_OVERLAP;
    assert_true(service_payable(&v, &lim)); /* fixed with a paying resolution */
    assert_int_equal(service_open_exceptions(&v, &lim), 0);
    /* RULE-SVC-220: an exception that arose after the fix is open: held until fixed again. */
    v.f.checkout_at = 1000 + 600; /* 10 of 60 minutes */
    assert_int_equal(service_open_exceptions(&v, &lim), SVC_EXC_SHORT);
    assert_false(service_payable(&v, &lim));
    v.fixed_mask = SVC_EXC_OVERLAP | SVC_EXC_SHORT;
    assert_true(service_payable(&v, &lim));
    v.fixed = false; /* no fix: its mask counts for nothing */
    assert_int_equal(service_open_exceptions(&v, &lim), SVC_EXC_OVERLAP | SVC_EXC_SHORT);
    v.fixed = true;
    v.not_payable = true;
    assert_false(service_payable(&v, &lim)); /* fixed as never paid */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_machine),
        cmocka_unit_test(visits_overlap),
        cmocka_unit_test(payable),
        cmocka_unit_test(split),
        cmocka_unit_test(travel),
        cmocka_unit_test(fit_circle),
        cmocka_unit_test(fit_skill),
        cmocka_unit_test(fit_certificate),
        cmocka_unit_test(fit_hours),
        cmocka_unit_test(fit_overlap),
        cmocka_unit_test(pick_balanced),
        cmocka_unit_test(evv),
        cmocka_unit_test(times),
        cmocka_unit_test(exceptions_of_visits),
        cmocka_unit_test(overlaps_in_one_pass),
        cmocka_unit_test(todo_of_visits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
