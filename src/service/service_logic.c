/*
 * Home services: the pure rules (no database, no request).  RULE-SVC-012 (the
 * state machine), RULE-SVC-014 (funding split), RULE-SVC-020..026 (dispatch),
 * RULE-SVC-041, RULE-SVC-043 (visit proof).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/geo.h"
#include "service/service_int.h"

static const struct {
    const char *id, *zh;
} states[SVC_NSTATES] = {
    [SVC_CREATED] = {"created", "待派单"},
    [SVC_ASSIGNED] = {"assigned", "已派单"},
    [SVC_ACCEPTED] = {"accepted", "已接单"},
    [SVC_ON_THE_WAY] = {"on_the_way", "在途"},
    [SVC_ARRIVED] = {"arrived", "已到达"},
    [SVC_IN_SERVICE] = {"in_service", "服务中"},
    [SVC_COMPLETED] = {"completed", "已完成"},
    [SVC_CONFIRMED] = {"confirmed", "已确认"},
    [SVC_RATED] = {"rated", "已评价"},
    [SVC_SETTLED] = {"settled", "已结算"},
    [SVC_CANCELLED] = {"cancelled", "已取消"},
};

static const struct {
    const char *id, *zh;
} actions[SVC_NACTIONS] = {
    [SVC_ASSIGN] = {"assign", "派单"},
    [SVC_ACCEPT] = {"accept", "接单"},
    [SVC_DECLINE] = {"decline", "拒单"},
    [SVC_REDISPATCH] = {"redispatch", "改派"},
    [SVC_START_TRIP] = {"start_trip", "出发"},
    [SVC_ARRIVE] = {"arrive", "到达"},
    [SVC_CHECKIN] = {"checkin", "签到"},
    [SVC_CHECKOUT] = {"checkout", "签出"},
    [SVC_CONFIRM] = {"confirm", "确认"},
    [SVC_RATE] = {"rate", "评价"},
    [SVC_SETTLE] = {"settle", "结算"},
    [SVC_CANCEL] = {"cancel", "取消"},
};

/*
 * RULE-SVC-012: the only moves there are.  Check-in is allowed from accepted,
 * on the way and arrived (a caregiver who forgot to tap 出发 still proves the
 * visit); a reassignment goes back through created (redispatch) or straight
 * to another caregiver (assign while assigned).
 */
static const struct {
    int from, action, to;
} moves[] = {
    {SVC_CREATED, SVC_ASSIGN, SVC_ASSIGNED},
    {SVC_ASSIGNED, SVC_ASSIGN, SVC_ASSIGNED},
    {SVC_ASSIGNED, SVC_ACCEPT, SVC_ACCEPTED},
    {SVC_ASSIGNED, SVC_DECLINE, SVC_CREATED},
    {SVC_ASSIGNED, SVC_REDISPATCH, SVC_CREATED},
    {SVC_ACCEPTED, SVC_REDISPATCH, SVC_CREATED},
    {SVC_ON_THE_WAY, SVC_REDISPATCH, SVC_CREATED},
    {SVC_ACCEPTED, SVC_START_TRIP, SVC_ON_THE_WAY},
    {SVC_ON_THE_WAY, SVC_ARRIVE, SVC_ARRIVED},
    {SVC_ACCEPTED, SVC_CHECKIN, SVC_IN_SERVICE},
    {SVC_ON_THE_WAY, SVC_CHECKIN, SVC_IN_SERVICE},
    {SVC_ARRIVED, SVC_CHECKIN, SVC_IN_SERVICE},
    {SVC_IN_SERVICE, SVC_CHECKOUT, SVC_COMPLETED},
    {SVC_COMPLETED, SVC_CONFIRM, SVC_CONFIRMED},
    {SVC_CONFIRMED, SVC_RATE, SVC_RATED},
    {SVC_CONFIRMED, SVC_SETTLE, SVC_SETTLED},
    {SVC_RATED, SVC_SETTLE, SVC_SETTLED},
    {SVC_CREATED, SVC_CANCEL, SVC_CANCELLED},
    {SVC_ASSIGNED, SVC_CANCEL, SVC_CANCELLED},
    {SVC_ACCEPTED, SVC_CANCEL, SVC_CANCELLED},
    {SVC_ON_THE_WAY, SVC_CANCEL, SVC_CANCELLED},
};

const char *
service_state_id(int s)
{
    return s >= 0 && s < SVC_NSTATES ? states[s].id : NULL;
}

const char *
service_state_zh(int s)
{
    return s >= 0 && s < SVC_NSTATES ? states[s].zh : "未知状态";
}

int
service_state_parse(const char *id)
{
    for (int i = 0; id && i < SVC_NSTATES; i++)
        if (strcmp(states[i].id, id) == 0)
            return i;
    return -1;
}

const char *
service_action_id(int a)
{
    return a >= 0 && a < SVC_NACTIONS ? actions[a].id : NULL;
}

const char *
service_action_zh(int a)
{
    return a >= 0 && a < SVC_NACTIONS ? actions[a].zh : "未知操作";
}

int
service_action_parse(const char *id)
{
    for (int i = 0; id && i < SVC_NACTIONS; i++)
        if (strcmp(actions[i].id, id) == 0)
            return i;
    return -1;
}

int
service_move(int from, int action, int *to)
{
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
        if (moves[i].from == from && moves[i].action == action) {
            *to = moves[i].to;
            return AL_OK;
        }
    return AL_ECONFLICT;
}

/* ---- funding split ---- */

static struct svc_quota *
quota_of(struct svc_quota *q, int nq, const char *key)
{
    for (int i = 0; i < nq; i++)
        if (q[i].item_key && strcmp(q[i].item_key, key) == 0)
            return &q[i];
    return NULL;
}

void
service_split(struct svc_line *lines, int n, struct svc_quota *quotas, int nq, bool *beyond)
{
    *beyond = false;
    for (int i = 0; i < n; i++) {
        struct svc_line *l = &lines[i];
        struct svc_quota *q = l->entitle_key ? quota_of(quotas, nq, l->entitle_key) : NULL;
        l->entitled_fen = 0;
        if (!l->entitle_key)
            l->cover = SVC_NOT_PAID;
        else if (!q || !q->entitled)
            l->cover = SVC_NOT_ENTITLED;
        else if (q->by_times) {
            /* RULE-SVC-014: a visit of a frequency item is covered whole while visits are left. */
            if (q->left > 0) {
                l->entitled_fen = l->price_fen;
                q->left--;
            }
        } else {
            l->entitled_fen = q->left < l->price_fen ? q->left : l->price_fen;
            q->left -= l->entitled_fen;
        }
        if (q && q->entitled && l->entitle_key) {
            l->cover = l->entitled_fen == l->price_fen ? SVC_COVERED
                       : l->entitled_fen > 0          ? SVC_PARTIAL
                                                      : SVC_BEYOND;
            if (l->cover != SVC_COVERED)
                *beyond = true;
        }
        l->elder_fen = l->price_fen - l->entitled_fen;
    }
}

/* ---- geography ---- */

int
service_travel_min(double distance_m, const struct svc_travel_cfg *c)
{
    /* RULE-SVC-020: road distance = great-circle × detour; minutes at the set speed, up. */
    double road_m = distance_m * c->detour_pct / 100.0;
    double min = road_m / (c->speed_kmh * 1000.0 / 60.0);
    return (int)ceil(min - 1e-9);
}

/* ---- dispatch ---- */

const char *
service_refusal_zh(int why)
{
    static const char *const zh[SVC_NREFUSALS] = {
        [SVC_OK] = "",
        [SVC_OUT_OF_CIRCLE] = "超出服务圈",
        [SVC_NO_SKILL] = "不具备所需技能",
        [SVC_CERT_EXPIRED] = "资格证书已过期或缺失",
        [SVC_OFF_HOURS] = "不在工作时间",
        [SVC_OVERLAP] = "与其他上门服务时间冲突",
    };
    return why >= 0 && why < SVC_NREFUSALS ? zh[why] : "未知原因";
}

static bool
has_skill(const struct svc_cand *c, const char *skill)
{
    for (int i = 0; i < c->nskills; i++)
        if (strcmp(c->skills[i], skill) == 0)
            return true;
    return false;
}

/* RULE-SVC-023: a certificate for `skill` valid on `date` (its last day included). */
static bool
has_cert(const struct svc_cand *c, const char *skill, const char *date)
{
    for (int i = 0; i < c->ncerts; i++)
        if (strcmp(c->certs[i].skill, skill) == 0 && strcmp(c->certs[i].valid_until, date) >= 0)
            return true;
    return false;
}

int
service_fits(const struct svc_job *job, const struct svc_cand *c,
    const struct svc_travel_cfg *cfg, int *travel_min)
{
    double d = al_geo_distance_m(c->station_lat, c->station_lng, job->lat, job->lng);
    int travel = service_travel_min(d, cfg);
    *travel_min = travel;
    if (travel > c->radius_min) /* RULE-SVC-021 */
        return SVC_OUT_OF_CIRCLE;
    for (int i = 0; i < job->nskills; i++) /* RULE-SVC-022 */
        if (!has_skill(c, job->skills[i]))
            return SVC_NO_SKILL;
    for (int i = 0; i < job->nskills; i++) /* RULE-SVC-023 */
        if (job->cert[i] && !has_cert(c, job->skills[i], job->date))
            return SVC_CERT_EXPIRED;
    /* RULE-SVC-024: the visit lies inside the working hours (travel before it included). */
    int m0 = service_cst_minute(job->start);
    if (m0 - travel < c->work_start_min || m0 + job->planned_min > c->work_end_min)
        return SVC_OFF_HOURS;
    /* RULE-SVC-025: no overlap with another visit, the trip to this one included. */
    int64_t s = job->start - (int64_t)travel * 60, e = job->start + (int64_t)job->planned_min * 60;
    for (int i = 0; i < c->nbusy; i++)
        if (s < c->busy[i].end && c->busy[i].start < e)
            return SVC_OVERLAP;
    return SVC_OK;
}

void
service_pick(const struct svc_job *job, const struct svc_cand *cands, int n,
    const struct svc_travel_cfg *cfg, struct svc_pick *out)
{
    memset(out, 0, sizeof(*out));
    out->index = -1;
    for (int i = 0; i < n; i++) {
        int travel, why = service_fits(job, &cands[i], cfg, &travel);
        out->refused[why]++;
        if (why != SVC_OK)
            continue;
        /* RULE-SVC-026: least load, then shortest travel, then lowest id. */
        if (out->index >= 0) {
            const struct svc_cand *b = &cands[out->index];
            int cmp = cands[i].load != b->load ? cands[i].load - b->load
                      : travel != out->travel_min ? travel - out->travel_min
                                                  : (cands[i].id < b->id ? -1 : 1);
            if (cmp >= 0)
                continue;
        }
        out->index = i;
        out->travel_min = travel;
    }
}

/* ---- visit proof ---- */

void
service_evv(double home_lat, double home_lng, double lat, double lng, int accuracy_m,
    int64_t at, int64_t sent_at, int64_t recv_at, const struct svc_evv_cfg *c,
    struct svc_evv *out)
{
    double d = al_geo_distance_m(home_lat, home_lng, lat, lng);
    out->distance_m = (int)lround(d);
    /* RULE-SVC-041: outside the tolerance is allowed and flagged, never refused. */
    out->outside = d > (double)c->radius_m + (accuracy_m > 0 ? accuracy_m : 0);
    /* RULE-SVC-043 */
    int64_t skew = sent_at - recv_at;
    out->skew = skew > c->skew_s || skew < -c->skew_s || at > sent_at + c->skew_s;
}

int
service_cst_minute(int64_t t)
{
    int64_t s = (t + 8 * 3600) % 86400;
    if (s < 0)
        s += 86400;
    return (int)(s / 60);
}

void
service_cst_date(int64_t t, char out[11])
{
    time_t tt = (time_t)(t + 8 * 3600);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

bool
service_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
        return false;
    const char *rest = s + n;
    if (rest[0] == ':') {
        int m = 0;
        if (sscanf(rest, ":%2d%n", &sec, &m) != 1 || m != 3)
            return false;
        rest += 3;
    }
    int64_t offset = 8 * 3600;
    if (strcmp(rest, "Z") == 0)
        offset = 0;
    else if (*rest && strcmp(rest, "+08:00") != 0)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || y < 1970)
        return false;
    struct tm t = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
        .tm_min = mi, .tm_sec = sec};
    time_t v = timegm(&t);
    struct tm back;
    gmtime_r(&v, &back);
    if (back.tm_mday != d || back.tm_mon != mo - 1) /* 2月30日 */
        return false;
    *out = (int64_t)v - offset;
    return true;
}

/* ---- visit exceptions ---- */

unsigned
service_exceptions(const struct svc_visit_facts *v, const struct svc_evv_cfg *c)
{
    unsigned m = 0;
    /* RULE-SVC-070: the six elements (service type, recipient, date, location, caregiver,
     * start and end). */
    if (v->nitems < 1 || v->elder_id <= 0 || v->caregiver_id <= 0 || !v->has_checkin ||
        !v->has_checkout || !v->has_position)
        m |= SVC_EXC_MISSING;
    /* RULE-SVC-071 */
    if (v->outside)
        m |= SVC_EXC_OUTSIDE;
    if (v->skew)
        m |= SVC_EXC_SKEW;
    /* RULE-SVC-072, RULE-SVC-175: the minutes between check-in and check-out against the
     * planned ones, within the limits of the settings. */
    if (v->has_checkin && v->has_checkout && v->planned_min > 0) {
        int64_t s = v->checkout_at - v->checkin_at, plan = (int64_t)v->planned_min * 60;
        if (s * 100 < plan * c->short_pct)
            m |= SVC_EXC_SHORT;
        else if (s * 100 > plan * c->long_pct)
            m |= SVC_EXC_LONG;
    }
    /* RULE-SVC-190: a visit on or after the day the elder died or moved out (any day when the
     * registry does not say which). */
    if (v->elder_gone && (v->has_checkin || v->has_checkout)) {
        char day[11];
        service_cst_date(v->has_checkin ? v->checkin_at : v->checkout_at, day);
        if (!v->gone_on || !*v->gone_on || strcmp(v->gone_on, day) <= 0)
            m |= SVC_EXC_GONE;
    }
    /* RULE-SVC-191: the caregiver was at another visit meanwhile (the store compares). */
    if (v->overlap)
        m |= SVC_EXC_OVERLAP;
    /* RULE-SVC-192: checked out and still not confirmed service.confirm_hours later. */
    if (v->awaiting_confirm && v->has_checkout && c->now > 0 &&
        c->now - v->checkout_at > (int64_t)c->confirm_h * 3600)
        m |= SVC_EXC_UNCONFIRMED;
    return m;
}

unsigned
service_open_exceptions(const struct svc_visit_row *v, const struct svc_evv_cfg *c)
{
    return service_exceptions(&v->f, c) & ~(v->fixed ? v->fixed_mask : 0u);
}

bool
service_payable(const struct svc_visit_row *v, const struct svc_evv_cfg *c)
{
    return !v->not_payable && service_open_exceptions(v, c) == 0;
}

bool
service_visits_overlap(int64_t a_in, int64_t a_out, int64_t b_in, int64_t b_out)
{
    if (a_out < a_in)
        a_out = a_in;
    if (b_out < b_in)
        b_out = b_in;
    return a_in < b_out && b_in < a_out;
}

/* The first of the sorted `s` at or after (caregiver `cg`, check-in `in`). */
static size_t
span_lower(const struct svc_span *s, size_t n, int64_t cg, int64_t in)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].caregiver_id < cg || (s[mid].caregiver_id == cg && s[mid].in < in))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void
service_mark_overlaps(struct svc_visit_row *rows, size_t n, const struct svc_span *spans,
    size_t nspans)
{
    for (size_t i = 0; i < n; i++) {
        struct svc_visit_facts *f = &rows[i].f;
        f->overlap = false;
        if (!f->has_checkin)
            continue;
        int64_t out = f->has_checkout ? f->checkout_at : 0;
        int64_t end = out > f->checkin_at ? out : f->checkin_at;
        for (size_t j = span_lower(spans, nspans, f->caregiver_id, f->checkin_at - 86400);
             j < nspans && spans[j].caregiver_id == f->caregiver_id && spans[j].in < end; j++) {
            if (spans[j].order_id != rows[i].order_id &&
                service_visits_overlap(f->checkin_at, out, spans[j].in, spans[j].out)) {
                f->overlap = true;
                break;
            }
        }
    }
}

static const struct {
    unsigned bit;
    const char *id, *zh;
} exceptions[SVC_NEXC] = {
    {SVC_EXC_MISSING, "missing", "六要素缺失"},
    {SVC_EXC_OUTSIDE, "outside", "签到位置超出范围"},
    {SVC_EXC_SKEW, "clock_skew", "设备时间偏差"},
    {SVC_EXC_SHORT, "too_short", "服务时长过短"},
    {SVC_EXC_LONG, "too_long", "服务时长过长"},
    {SVC_EXC_GONE, "elder_gone", "老人已去世或迁出"},
    {SVC_EXC_OVERLAP, "overlap", "同一护理员上门时间重叠"},
    {SVC_EXC_UNCONFIRMED, "unconfirmed", "超时未确认"},
};

const char *
service_exception_id(unsigned bit)
{
    for (int i = 0; i < SVC_NEXC; i++)
        if (exceptions[i].bit == bit)
            return exceptions[i].id;
    return NULL;
}

const char *
service_exception_zh(unsigned bit)
{
    for (int i = 0; i < SVC_NEXC; i++)
        if (exceptions[i].bit == bit)
            return exceptions[i].zh;
    return NULL;
}

unsigned
service_exception_mask(const char *ids)
{
    unsigned m = 0;
    for (const char *p = ids; p && *p;) {
        size_t n = strcspn(p, ",");
        for (int i = 0; i < SVC_NEXC; i++)
            if (strlen(exceptions[i].id) == n && strncmp(exceptions[i].id, p, n) == 0)
                m |= exceptions[i].bit;
        p += n + (p[n] == ',');
    }
    return m;
}

/* ---- the caregiver's to-do ---- */

struct svc_todo
service_todo(const char *status, int64_t window_start, int64_t now)
{
    static const struct {
        const char *status, *action, *text;
        int rank;
    } steps[] = {
        {"in_service", "checkout", "服务中：完成服务清单后签出", 0},
        {"arrived", "checkin", "已到达：请签到后开始服务", 1},
        {"on_the_way", "arrive", "在途：到达后点“到达”或直接签到", 2},
        {"assigned", "accept", "新派单：请尽快接单或拒单，超时将改派", 3},
        {"accepted", "start", "即将开始：请出发", 4},
        {"completed", "confirm", "已签出：请老人或家属确认服务", 5},
    };
    struct svc_todo t = {.rank = SVC_TODO_NONE};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if (strcmp(status, steps[i].status) != 0)
            continue;
        t = (struct svc_todo){.rank = steps[i].rank, .action = steps[i].action,
            .text = steps[i].text};
        break;
    }
    bool waiting = t.action && (strcmp(status, "assigned") == 0 || strcmp(status, "accepted") == 0);
    t.late = waiting && window_start <= now;
    if (strcmp(status, "accepted") == 0 && !t.late && window_start - now > SVC_TODO_SOON_S) {
        t.rank = 6; /* later today: after the visits of now */
        t.text = "已接单：按预约时间出发";
    } else if (t.late && strcmp(status, "accepted") == 0) {
        t.text = "已过预约开始时间：请尽快出发";
    }
    return t;
}
