/*
 * Home services, private parts: the pure rules (service_logic.c) and the
 * store (service_store.c).  Other modules include only service.h.
 */
#ifndef SERVICE_INT_H
#define SERVICE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"

/* ---- the order's state machine (RULE-SVC-012) ---- */

enum svc_state {
    SVC_CREATED = 0, SVC_ASSIGNED, SVC_ACCEPTED, SVC_ON_THE_WAY, SVC_ARRIVED, SVC_IN_SERVICE,
    SVC_COMPLETED, SVC_CONFIRMED, SVC_RATED, SVC_SETTLED, SVC_CANCELLED, SVC_NSTATES
};

enum svc_action {
    SVC_ASSIGN = 0, /* a caregiver is given the order (automatic or manual) */
    SVC_ACCEPT,     /* the caregiver takes it */
    SVC_DECLINE,    /* the caregiver declines: back to be dispatched */
    SVC_REDISPATCH, /* the dispatcher takes it back (with a reason): to be dispatched */
    SVC_START_TRIP, /* the caregiver sets off */
    SVC_ARRIVE,     /* at the door */
    SVC_CHECKIN,    /* check-in: the service starts */
    SVC_CHECKOUT,   /* check-out: the service is done */
    SVC_CONFIRM,    /* the elder or family confirms */
    SVC_RATE,
    SVC_SETTLE,
    SVC_CANCEL,
    SVC_NACTIONS
};

/* "created" … ; NULL outside the range. */
const char *service_state_id(int s);
/* 待派单 … (RULE-SVC-012); "未知状态" outside the range. */
const char *service_state_zh(int s);
/* The state of an id, or -1. */
int service_state_parse(const char *id);
/* "assign" … and 派单 …; NULL outside the range. */
const char *service_action_id(int a);
const char *service_action_zh(int a);
int service_action_parse(const char *id);

/*
 * RULE-SVC-012: the state `action` moves an order in `from` to, in *to.
 * AL_OK, or AL_ECONFLICT when the table has no such move.
 */
int service_move(int from, int action, int *to);

/* ---- funding split at placement (RULE-SVC-014) ---- */

/* What an elder may still draw this month from one entitlement item. */
struct svc_quota {
    const char *item_key; /* the entitlement item */
    bool entitled;        /* the elder receives it (a benefit record runs today) */
    bool by_times;        /* the quota counts visits (frequency items), else fen */
    int64_t left;         /* fen or visits left this month (never below 0) */
};

enum svc_cover { SVC_NOT_PAID = 0, SVC_NOT_ENTITLED, SVC_COVERED, SVC_PARTIAL, SVC_BEYOND };

struct svc_line {
    const char *item_code;
    int64_t price_fen;
    const char *entitle_key; /* NULL: no entitlement pays for this item */
    /* out */
    int64_t entitled_fen, elder_fen;
    int cover; /* enum svc_cover */
};

/*
 * Split each of `n` lines between the entitlement and the elder, drawing on
 * `quotas` (`nq`, their `left` decremented as lines use them) in line order.
 * Every line's parts add up to its price; *beyond is set when a line the
 * elder is entitled to is not covered in full.  Pure.
 */
void service_split(struct svc_line *lines, int n, struct svc_quota *quotas, int nq,
    bool *beyond);

/* ---- geography (RULE-SVC-020) ---- */

/* Distances: al_geo_distance_m (core/geo.h). */

struct svc_travel_cfg {
    int speed_kmh;  /* > 0 */
    int detour_pct; /* ≥ 100 */
};

/* Travel minutes for a great-circle distance, rounded up. */
int service_travel_min(double distance_m, const struct svc_travel_cfg *c);

/* ---- automatic assignment (RULE-SVC-021..026) ---- */

#define SVC_SKILLS_MAX 8
#define SVC_CERTS_MAX 8
#define SVC_BUSY_MAX 16

struct svc_interval {
    int64_t start, end; /* unix seconds, [start, end) */
};

struct svc_cand {
    int64_t id;
    double station_lat, station_lng;
    int radius_min;                 /* the home station's service circle */
    const char *skills[SVC_SKILLS_MAX];
    int nskills;
    struct {
        const char *skill;
        char valid_until[11];       /* YYYY-MM-DD */
    } certs[SVC_CERTS_MAX];
    int ncerts;
    int work_start_min, work_end_min; /* minutes of the day, China time */
    struct svc_interval busy[SVC_BUSY_MAX]; /* other visits that day */
    int nbusy;
    int load;                       /* visits already that day */
};

struct svc_job {
    double lat, lng;                /* the elder's home */
    int64_t start;                  /* the visit starts (unix seconds) */
    int planned_min;
    const char *date;               /* its date in China, YYYY-MM-DD */
    const char *skills[SVC_SKILLS_MAX];
    bool cert[SVC_SKILLS_MAX];      /* that skill needs a valid certificate */
    int nskills;
};

/* Why a caregiver is not chosen, first failing constraint in this order. */
enum svc_refusal {
    SVC_OK = 0, SVC_OUT_OF_CIRCLE, SVC_NO_SKILL, SVC_CERT_EXPIRED, SVC_OFF_HOURS, SVC_OVERLAP,
    SVC_NREFUSALS
};
/* 超出服务圈 …; "" for SVC_OK. */
const char *service_refusal_zh(int why);

/* RULE-SVC-021..025: can caregiver `c` take `job`?  SVC_OK or the first refusal; travel in *travel_min. */
int service_fits(const struct svc_job *job, const struct svc_cand *c,
    const struct svc_travel_cfg *cfg, int *travel_min);

struct svc_pick {
    int index;                  /* into the candidates; -1 when nobody fits */
    int travel_min;
    int refused[SVC_NREFUSALS]; /* how many were refused for each reason */
};

/*
 * RULE-SVC-026: among the candidates that fit, the one with the least load
 * that day, then the shortest travel, then the lowest id.  Pure.
 */
void service_pick(const struct svc_job *job, const struct svc_cand *cands, int n,
    const struct svc_travel_cfg *cfg, struct svc_pick *out);

/* ---- visit proof (RULE-SVC-040..043) ---- */

struct svc_evv_cfg {
    int radius_m;    /* tolerance before the reported accuracy (default 100) */
    int skew_s;      /* device time further than this from the server's is flagged */
    int short_pct;   /* RULE-SVC-175: a visit under this share of the planned minutes is short */
    int long_pct;    /* … over this share is long (defaults SVC_SHORT_PCT, SVC_LONG_PCT) */
    int confirm_h;   /* RULE-SVC-192: a completed visit unconfirmed this long after check-out */
    int64_t now;     /* … is flagged as of this time (the request's; 0: never) */
};

struct svc_evv {
    int distance_m;  /* from the home, rounded */
    bool outside;    /* beyond radius + accuracy: allowed, flagged */
    bool skew;       /* the device's clock differs from the server's by more than skew_s */
};

/*
 * A check-in or check-out at (`lat`, `lng`) with `accuracy_m`, made at device
 * time `at` and sent at device time `sent_at` (the same for a record sent at
 * once; later for one kept offline), received at server time `recv_at`, for a
 * home at (`home_lat`, `home_lng`).  RULE-SVC-041: outside when the distance
 * passes radius_m + accuracy_m.  RULE-SVC-043: skew when the device's clock,
 * as `sent_at` shows it on arrival, is more than skew_s from the server's, or
 * `at` lies after `sent_at`.  Pure.
 */
void service_evv(double home_lat, double home_lng, double lat, double lng, int accuracy_m,
    int64_t at, int64_t sent_at, int64_t recv_at, const struct svc_evv_cfg *c,
    struct svc_evv *out);

/*
 * RULE-SVC-011: a time "YYYY-MM-DDTHH:MM" or with ":SS", in China time, or
 * ending in "Z" (UTC) or "+08:00"; a space may stand for the T.  Unix seconds
 * in *out; false when it is not such a time or not a real one.
 */
bool service_parse_time(const char *s, int64_t *out);

/* Minutes after midnight in China (UTC+8) of unix time `t`, and its date YYYY-MM-DD. */
int service_cst_minute(int64_t t);
void service_cst_date(int64_t t, char out[11]);

/* ---- the store (service_store.c) ---- */

struct svc_item {
    const char *code, *name, *skill, *entitle_key;
    int64_t price_fen;
    int planned_min;
    bool cert_required; /* its skill needs a valid certificate (RULE-SVC-023) */
};

struct svc_order {
    int64_t id, elder_id, station_id, caregiver_id, window_start, window_end, version;
    const char *region_code, *status, *address;
    double lat, lng;
    bool has_geo;
    int planned_min;
};

/* The settings of dispatch and visit proof, defaults where unset.  AL_OK or a database error. */
int service_store_settings(struct al_db *db, struct svc_travel_cfg *t, struct svc_evv_cfg *e);

/*
 * RULE-SVC-176: store the duration limits of `e` (service.evv_short_pct, service.evv_long_pct),
 * in the caller's transaction.  AL_OK or a database error.
 */
int service_store_evv_limits_put(struct al_db *db, const struct svc_evv_cfg *e);

/* The active item `code` (in `a`).  AL_OK, AL_ENOTFOUND or a database error. */
int service_store_item(struct al_db *db, struct al_arena *a, const char *code,
    struct svc_item *out);

/* Every item as JSON objects appended to `items`.  AL_OK or a database error. */
int service_store_items(struct al_db *db, struct al_arena *a, json_t *items);

/*
 * What elder `elder_id` may still draw from entitlement item `q->item_key` in the month of
 * `today` (RULE-SVC-160): the monthly standard from the entitlement module
 * (entitle_monthly_standard in entitle.h) less what this month's orders of the elder
 * (cancelled ones excepted) already drew.  Only monthly items give a quota.
 * Fills q->entitled, q->by_times, q->left.  AL_OK or a database error.
 */
int service_quota_left(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *today, struct svc_quota *q);

struct svc_new_order {
    int64_t elder_id;
    const char *region_code, *address, *note, *channel, *placed_by;
    double lat, lng;
    bool has_geo;
    int64_t window_start, window_end;
    int planned_min;
    int64_t total_fen, entitled_fen, elder_fen;
    bool beyond;
    const struct svc_line *lines;
    int nlines;
};

/* Insert an order, its lines and its first event, in the caller's transaction; id in *id. */
int service_store_order_add(struct al_db *db, const struct svc_new_order *o, int64_t now,
    int64_t *id);

/* Order `id` (in `a`).  AL_OK, AL_ENOTFOUND or a database error. */
int service_store_order(struct al_db *db, struct al_arena *a, int64_t id, struct svc_order *out);

/* Order `id` as JSON, with its lines, events and visit.  AL_OK, AL_ENOTFOUND or an error. */
int service_store_order_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out);

/*
 * Move order `o` to `to` by `action` (RULE-SVC-013): the status (compare-and-set on the
 * version: AL_ECONFLICT when someone moved it meanwhile), the caregiver/station when
 * `caregiver_id` ≥ 0 (0 clears), and an event row, in the caller's transaction.
 */
int service_store_move(struct al_db *db, const struct svc_order *o, const char *to,
    const char *action, int64_t caregiver_id, int64_t station_id, const char *reason,
    const char *by, int64_t now);

struct svc_list_filter {
    const char *scope;      /* region prefix */
    const char *status;     /* NULL: every open one when `open`, else all */
    bool open;
    const char *date;       /* YYYY-MM-DD (China) of window_start, or NULL */
    int64_t caregiver_id;   /* 0: any */
    int64_t provider_id;    /* 0: any; else RULE-SVC-111 (a provider account's orders) */
    int64_t station_id;     /* 0: any; else RULE-SVC-208 (a station account's orders) */
    int64_t limit, offset;
};

/* A row column (struct al_col's AL_COLF): the Chinese name of the state in column `col`. */
struct al_row_ctx;
json_t *service_col_state_zh(const struct al_row_ctx *c, struct al_stmt *st, int col);

/* A page of orders; AL_OK or a database error. */
int service_store_orders(struct al_db *db, struct al_arena *a, const struct svc_list_filter *f,
    json_t *items, int64_t *total);

/* RULE-SVC-188: the orders of the whole list of `f` (not a page) by status into `counts`
 * ({"created": n, …}).  AL_OK or a database error. */
int service_store_order_counts(struct al_db *db, struct al_arena *a,
    const struct svc_list_filter *f, json_t *counts);

/*
 * The candidates for an order: active caregivers of stations serving `region`
 * (a station's region codes are prefixes of it), with their certificates, and
 * their other visits of the day [day_start, day_end) except order `except`.
 * Arrays in `a`; *n their number.
 */
int service_store_candidates(struct al_db *db, struct al_arena *a, const char *region,
    int64_t day_start, int64_t day_end, int64_t except, struct svc_cand **out,
    int64_t **station_ids, int *n);

/* The caregiver record of user `user_id`: id in *id.  AL_OK, AL_ENOTFOUND or an error. */
int service_store_caregiver_of(struct al_db *db, int64_t user_id, int64_t *id);

/* Caregiver `id`'s region and station.  AL_OK, AL_ENOTFOUND or an error. */
int service_store_caregiver(struct al_db *db, struct al_arena *a, int64_t id,
    const char **region, int64_t *station_id);

/* Stations (with the caregivers' count) and caregivers in `scope`. */
int service_store_stations(struct al_db *db, struct al_arena *a, const char *scope,
    json_t *items);
int service_store_caregivers(struct al_db *db, struct al_arena *a, const char *scope,
    const char *today, json_t *items);

struct svc_visit_rec {
    int64_t order_id, caregiver_id, elder_id;
    const char *region_code;
    int64_t at, recv_at;
    double lat, lng;
    int accuracy_m;
    bool no_position; /* RULE-SVC-224: the phone gave none: lat, lng, accuracy, distance NULL */
    const struct svc_evv *evv;
    const char *checklist; /* JSON text (check-out), or NULL */
    const char *note;
};

/* Write the check-in (a new visit row) or the check-out, in the caller's transaction. */
int service_store_checkin(struct al_db *db, const struct svc_visit_rec *v);
int service_store_checkout(struct al_db *db, const struct svc_visit_rec *v);



/* ---- registry writes (the demo now; the management pages later), caller's transaction ---- */

int service_store_provider_add(struct al_db *db, const char *region, const char *name,
    const char *phone, int64_t now, int64_t *id);
/* A station serving the region prefixes `serves` (`n` of them). */
int service_store_station_add(struct al_db *db, int64_t provider, const char *region,
    const char *name, const char *address, double lat, double lng, int radius_min,
    const char *const *serves, int n, int64_t now, int64_t *id);
struct svc_new_caregiver {
    int64_t provider_id, station_id, user_id; /* user_id 0: no sign-in */
    const char *region_code, *name, *phone, *skills;
    int work_start_min, work_end_min;
};
int service_store_caregiver_add(struct al_db *db, const struct svc_new_caregiver *c, int64_t now,
    int64_t *id);
int service_store_certificate_add(struct al_db *db, int64_t caregiver, const char *skill,
    const char *name, const char *number, const char *valid_until);
/* ---- confirmation, rating (RULE-SVC-060..064) and settlement (RULE-SVC-080..084) ---- */

#define SVC_CONFIRM_TRIES 5 /* RULE-SVC-061: wrong codes before a helper must confirm */

int service_store_confirm_code_set(struct al_db *db, int64_t order_id, const char *code);
int service_store_confirm_info(struct al_db *db, struct al_arena *a, int64_t order_id,
    const char **code, int *tries);
int service_store_confirm_miss(struct al_db *db, int64_t order_id);
int service_store_confirmed_by(struct al_db *db, int64_t order_id, const char *how);
int service_store_rate(struct al_db *db, int64_t order_id, int rating, const char *comment,
    const char *complaint);
int service_store_confirm_json(struct al_db *db, struct al_arena *a, int64_t order_id, json_t *o);
int service_store_provider_region(struct al_db *db, struct al_arena *a, int64_t id,
    const char **region);
/*
 * A draft statement of `provider` for `month` ([from, to) unix seconds) in `scope`, caller's tx:
 * its lines in one bulk load, the totals their sums; *held: the visits held back (RULE-SVC-085,
 * -162..164, -191..196).  AL_ECONFLICT when the provider's month has its statement.
 */
int service_store_settle_create(struct al_db *db, struct al_arena *a, int64_t provider,
    const char *scope, const char *month, int64_t from, int64_t to, const char *by, int64_t now,
    int64_t *id, int *held);
int service_store_settlements(struct al_db *db, struct al_arena *a, const char *scope,
    json_t *items);
/*
 * Statement `id` as JSON: its head, and (`offset` ≥ 0) `lines` from `offset`, at most
 * SVC_LINES_PAGE (RULE-SVC-206), with `lines_total` and the double-payment holds; `offset` < 0:
 * the head only (`lines` empty).  AL_OK, AL_ENOTFOUND or a database error.
 */
#define SVC_LINES_PAGE 1000
int service_store_settlement(struct al_db *db, struct al_arena *a, int64_t id, int64_t offset,
    json_t **out);
/*
 * RULE-SVC-083, RULE-SVC-201: draft → approved, every order on it 已结算 (an event each) and the
 * entitlement draws written (entitle.h), in the caller's transaction; *orders: how many.
 * AL_ENOTFOUND when it is not a draft (any more), AL_ECONFLICT when an order moved meanwhile.
 */
int service_store_settle_approve(struct al_db *db, struct al_arena *a, int64_t id, const char *by,
    int64_t now, int64_t *orders);

/* RULE-SVC-197: adjusting an approved statement `id` of `provider` for [from, to) in `scope`. */
struct svc_adjust {
    int64_t id, provider, from, to, now;
    const char *scope, *by;
};
struct svc_adjust_out {
    int added, reversed, held;
};
/*
 * RULE-SVC-197..201: the month's visits payable now and on no line (verified, fixed or
 * confirmed after approval) become adjusting lines of statement `in->id`, their orders 已结算;
 * the paid visits fixed since as never payable get a reversal line (amounts negated); the draws
 * are written, the statement's adjustment totals are the sums of its adjusting lines.  Nothing
 * to add: out all 0 and nothing written.  Caller's transaction.  AL_OK or an error.
 */
int service_store_settle_adjust(struct al_db *db, struct al_arena *a, const struct svc_adjust *in,
    struct svc_adjust_out *out);
struct al_stmt *service_store_settle_export_stmt(struct al_db *db, int64_t id);
/* ---- visit exceptions (RULE-SVC-070..074) ---- */

enum svc_exception {
    SVC_EXC_MISSING = 1 << 0, /* one of the six elements is missing */
    SVC_EXC_OUTSIDE = 1 << 1, /* check-in or check-out outside the radius */
    SVC_EXC_SKEW = 1 << 2,    /* clock skew */
    SVC_EXC_SHORT = 1 << 3,   /* shorter than SVC_SHORT_PCT of the planned minutes */
    SVC_EXC_LONG = 1 << 4,    /* longer than SVC_LONG_PCT of the planned minutes */
    SVC_EXC_GONE = 1 << 5,    /* the elder was recorded as dead or moved out by the visit's day */
    SVC_EXC_OVERLAP = 1 << 6, /* RULE-SVC-191: overlaps another visit of the same caregiver */
    SVC_EXC_UNCONFIRMED = 1 << 7, /* RULE-SVC-192: not confirmed within service.confirm_hours */
};
#define SVC_NEXC 8
#define SVC_CONFIRM_HOURS 48 /* default of service.confirm_hours */
#define SVC_SHORT_PCT 50  /* defaults of service.evv_short_pct and service.evv_long_pct */
#define SVC_LONG_PCT 200
#define SVC_VERIFIED_TARGET_PCT 95

/* The facts of one visit the exceptions are read from. */
struct svc_visit_facts {
    int nitems;                     /* service type: the order's lines */
    int64_t elder_id, caregiver_id; /* recipient, caregiver */
    bool has_checkin, has_checkout; /* date, start and end time */
    bool has_position;              /* location: check-in and check-out positions */
    bool outside, skew;
    int64_t checkin_at, checkout_at;
    int planned_min;
    bool elder_gone;                /* the elder is recorded as deceased or moved out … */
    const char *gone_on;            /* … since this day (YYYY-MM-DD; NULL: not known) */
    bool overlap;                   /* another visit of the caregiver overlaps this one */
    bool awaiting_confirm;          /* the order is 已完成: checked out, not confirmed */
};

/*
 * RULE-SVC-191: do two visits [a_in, a_out] and [b_in, b_out] (device times; a visit without
 * check-out is the instant of its check-in) overlap?  Touching ends do not.  Pure.
 */
bool service_visits_overlap(int64_t a_in, int64_t a_out, int64_t b_in, int64_t b_out);

/* A visit of a caregiver as the overlap test reads it: check-in and check-out (0: none). */
struct svc_span {
    int64_t caregiver_id, order_id, in, out;
};
struct svc_visit_row;
/*
 * RULE-SVC-191, RULE-SVC-219: set `overlap` on each of the `n` visits with a check-in when
 * another visit in `spans` (sorted by caregiver, then check-in) of its caregiver checked in within
 * a day before its own check-in and before it ended, and overlaps it: the test the visit reads
 * make per row in SQL, as one pass over a month.  Pure.
 */
void service_mark_overlaps(struct svc_visit_row *rows, size_t n, const struct svc_span *spans,
    size_t nspans);

/*
 * RULE-SVC-070..072: the exceptions of a visit (a mask of enum svc_exception; 0: verified), the
 * duration limits from `c` (RULE-SVC-175).  Pure.
 */
unsigned service_exceptions(const struct svc_visit_facts *v, const struct svc_evv_cfg *c);
struct svc_visit_row;
/*
 * RULE-SVC-085, RULE-SVC-196, RULE-SVC-220: may visit `v` be paid, judged by `c` as of c->now?
 * Not while it has an exception no fix covers (one that arose after its fix included), never
 * when fixed with a resolution that is not paid.  Pure.
 */
bool service_payable(const struct svc_visit_row *v, const struct svc_evv_cfg *c);
/* RULE-SVC-220: the exceptions of `v` as of c->now that its fix (if any) does not cover.  Pure. */
unsigned service_open_exceptions(const struct svc_visit_row *v, const struct svc_evv_cfg *c);
/* The mask of the comma-separated exception ids `ids` (a fix's list); unknown ids count 0. */
unsigned service_exception_mask(const char *ids);
/* "missing" … and 六要素缺失 … of one bit; NULL outside. */
const char *service_exception_id(unsigned bit);
const char *service_exception_zh(unsigned bit);
/* One visit's facts for the exception report, with its provider and whether it was fixed. */
struct svc_visit_row {
    int64_t order_id, provider_id; /* provider 0: no station */
    int64_t station_id;            /* 0: none (RULE-SVC-211) */
    const char *provider_name;
    struct svc_visit_facts f;
    bool fixed;
    unsigned fixed_mask;   /* the exceptions its fix covers (RULE-SVC-220) */
    const char *fixed_ids; /* the same as stored, comma-separated; NULL: not fixed */
    bool not_payable; /* fixed with a resolution code that is never paid (RULE-SVC-196) */
    const char *status;
    int64_t window_start, total_fen, entitled_fen, elder_fen;
    bool paid_other;  /* RULE-SVC-162: another provider's line may pay it (settlement only) */
};
/* The visits whose window starts in [from, to) in `scope` (cancelled orders aside), in `a`. */
int service_store_visit_rows(struct al_db *db, struct al_arena *a, const char *scope, int64_t from,
    int64_t to, struct svc_visit_row **out, size_t *n);
/*
 * RULE-SVC-081: the visits a statement of `provider` for [from, to) in `scope` may pay: orders
 * of its stations 已确认 or 已评价 whose window starts then, on no paying line yet, with
 * `paid_other` (RULE-SVC-162) read; in `a`, by order id.  AL_OK or a database error.
 */
int service_store_settle_candidates(struct al_db *db, struct al_arena *a, int64_t provider,
    const char *scope, int64_t from, int64_t to, struct svc_visit_row **out, size_t *n);
/* Order `order_id`'s visit; AL_ENOTFOUND when it has none. */
int service_store_visit_row(struct al_db *db, struct al_arena *a, int64_t order_id,
    struct svc_visit_row *out);
/* ---- the codes of a manual fix (service_evv_store.c, RULE-SVC-194..196) ---- */

struct svc_fix_code {
    const char *name;
    bool payable, active;
    int64_t in_use; /* the fixes that name it */
};
/* The codes of `kind` ("reason", "resolution"), active first, as JSON into `items`. */
int service_store_fix_codes(struct al_db *db, struct al_arena *a, const char *kind,
    json_t *items);
/* Code `code` of `kind` (in `a`).  AL_OK, AL_ENOTFOUND or a database error. */
int service_store_fix_code(struct al_db *db, struct al_arena *a, const char *kind,
    const char *code, struct svc_fix_code *out);
/* The active codes of `kind` as "code（名称）、…" for a message, in `a`. */
int service_store_fix_codes_hint(struct al_db *db, struct al_arena *a, const char *kind,
    const char **hint);
/* Add an active code (caller's transaction); AL_ECONFLICT when `kind` has `code` already. */
int service_store_fix_code_add(struct al_db *db, const char *kind, const char *code,
    const char *name, bool payable, const char *by, int64_t now);
/* Activate or deactivate; AL_ECONFLICT when it is so already. */
int service_store_fix_code_set(struct al_db *db, const char *kind, const char *code, bool active);
/* Delete a code no fix names; AL_ECONFLICT when one does (or it is gone). */
int service_store_fix_code_delete(struct al_db *db, const char *kind, const char *code);

/*
 * RULE-SVC-073: the manual fix, caller's transaction; AL_ECONFLICT when fixed already.
 * RULE-SVC-220: with `was` non-NULL, the visit's fix covering the exceptions `was` becomes this
 * one (covering `exceptions`); AL_ECONFLICT when it covers other ones by now.
 */
int service_store_fix_add(struct al_db *db, int64_t order_id, const char *was,
    const char *exceptions, const char *reason, const char *resolution, const char *note,
    const char *by, int64_t now);
/* ---- the caregiver's to-do (RULE-SVC-187) ---- */

struct svc_todo {
    int rank;           /* 0 first … SVC_TODO_NONE: nothing to do */
    const char *action; /* "checkout", "checkin", "arrive", "accept", "start", "confirm"; NULL */
    const char *text;   /* what to do, in Chinese; NULL */
    bool late;          /* not accepted or not set off though the window has begun */
};
#define SVC_TODO_NONE 9
#define SVC_TODO_SOON_S 3600 /* an accepted visit starting within the hour: time to set off */

/*
 * RULE-SVC-187: what the caregiver must do about an order in state `status` whose window
 * begins at `window_start`, at `now` (unix seconds): finish the visit in service, then the one
 * arrived at, the one on the way, answer a new assignment (it is re-dispatched after
 * service.accept_minutes), set off for one starting within the hour, have a completed one
 * confirmed, set off later.  Pure.
 */
struct svc_todo service_todo(const char *status, int64_t window_start, int64_t now);

/* ---- after a write (service_common.c) ---- */

struct al_req;

/* The audit entry of order `id` (target service_order), in the caller's transaction. */
int service_audit(struct al_req *r, const char *action, int64_t id, const char *region,
    json_t *detail);

/*
 * Tell the dispatch boards that order `id` changed (RULE-SVC-030), once committed: the event
 * `order` {id, region_code, status, caregiver_id, provider_id} (RULE-SVC-180: the provider of
 * the order's station, 0 when it has none).  Failures are logged, never returned.
 */
void service_publish(struct al_db *db, struct al_arena *a, int64_t id, const char *region,
    const char *status, int64_t caregiver);

/*
 * RULE-SVC-060, RULE-SVC-151, RULE-SVC-154: reply with the confirmation code of order `o`
 * ({code, tries, tries_left}) while the order awaits it (409 naming the state otherwise); each
 * reading audited.  The caller has checked the order is the caller's to see.
 */
int service_code_reply(struct al_req *r, const struct svc_order *o);

/*
 * RULE-SVC-064, RULE-SVC-156: rate order `o` from the request body (rating 1–5, comment,
 * complaint — a complaint enters the supervision queue, RULE-SVC-120) in one transaction with
 * its move and its audit entry (`by`: who rated, NULL for staff), then tell the boards.  *to is
 * the new state.  AL_OK, or an error with r->err filled (400 naming the field, 409 naming the
 * state).
 */
int service_rate(struct al_req *r, const struct svc_order *o, const char *by, int *to);

/* RULE-SVC-180, RULE-SVC-210: the provider of order `id`'s station into *provider and the
 * station into *station (0: no station).  AL_OK, AL_ENOTFOUND or a database error. */
int service_store_order_provider(struct al_db *db, int64_t id, int64_t *provider,
    int64_t *station);

/*
 * RULE-SVC-180: the region codes the active stations of `provider` (only `station` unless 0,
 * RULE-SVC-210) serve, at most `max`, into
 * `out` (copied into `a`); *n their number.  AL_OK or a database error.
 */
int service_store_provider_regions(struct al_db *db, struct al_arena *a, int64_t provider,
    int64_t station,
    const char **out, size_t max, size_t *n);

/* ---- service_sign_logic.c: the signature on the caregiver's screen (RULE-SVC-234) ---- */

#define SVC_SIGN_MAX_SIDE 2000 /* pixels: a phone's pad at 3× is well inside */
#define SVC_SIGN_MIN_INK 150   /* inked pixels of a signature, at the least */

/* What a PNG shows: its size and its ink (pixels neither transparent nor near white). */
struct svc_png {
    uint32_t width, height;
    int channels;
    int64_t ink;
    uint32_t ink_left, ink_right; /* the columns the ink spans */
};

/* Read `png` (8-bit, not interlaced) into *img, its working memory in `a`.  false: not a PNG
 * this reads. */
bool service_png_ink(struct al_arena *a, const unsigned char *png, size_t len,
    struct svc_png *img);

/* Whether *img is a signature: enough ink, across at least a fifth of its width. */
bool service_signature_ok(const struct svc_png *img);

#endif
