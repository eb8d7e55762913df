/* Pure rules of the alarm module and its timer heap. */
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"
#include "alarm/alarm_int.h"

/* RULE-ALARM-001, RULE-ALARM-002, RULE-ALARM-011 */
void
alarm_rule_message(const char *device_type, int kind, const char *type, int battery,
    struct alarm_verdict *v)
{
    static const struct {
        const char *type;
        int severity;
    } grave[] = {{"sos", 1}, {"fall", 1}, {"smoke", 1}, {"gas", 1}, {"water", 2}};
    memset(v, 0, sizeof(*v));
    v->maintenance = battery >= 0 && battery < ALARM_LOW_BATTERY_PCT;
    v->activity = device_type && (strcmp(device_type, "motion") == 0 ||
                                     strcmp(device_type, "door") == 0) &&
                  (kind == 1 || kind == 2);
    if (kind != 1) /* only alarm messages raise alarms; information, reset, heartbeat do not */
        return;
    v->raise = true;
    v->type = type;
    v->severity = 2; /* RULE-ALARM-002: any other alarm message is urgent */
    for (size_t i = 0; i < sizeof(grave) / sizeof(grave[0]); i++)
        if (strcmp(type, grave[i].type) == 0)
            v->severity = grave[i].severity;
}

/* RULE-ALARM-010 */
int64_t
alarm_heartbeat_due(int64_t last_seen, int heartbeat_s)
{
    return last_seen + 2 * (int64_t)(heartbeat_s > 0 ? heartbeat_s : 300);
}

/* RULE-ALARM-012 */
int64_t
alarm_daytime_silence_s(int64_t last_activity, int64_t now, int from_min, int to_min)
{
    if (now <= last_activity || from_min >= to_min)
        return 0;
    const int64_t day = 86400, cst = 8 * 3600;
    int64_t total = 0;
    /* Each CST day from the one of last_activity to the one of now. */
    int64_t d0 = (last_activity + cst) / day, d1 = (now + cst) / day;
    if (d1 - d0 > 30) /* a month of silence: count whole windows for the middle days */
        d0 = d1 - 30;
    for (int64_t d = d0; d <= d1; d++) {
        int64_t ws = d * day - cst + from_min * 60, we = d * day - cst + to_min * 60;
        int64_t s = ws > last_activity ? ws : last_activity, e = we < now ? we : now;
        if (e > s)
            total += e - s;
    }
    return total;
}

/* RULE-ALARM-031 */
int
alarm_escalation_level(int64_t raised_at, int64_t now, int64_t escalate_s)
{
    if (escalate_s <= 0 || now < raised_at + escalate_s)
        return 0;
    return now < raised_at + 2 * escalate_s ? 1 : 2;
}

/* RULE-ALARM-031 */
const char *
alarm_escalation_target(const char *region, int level, char sup_region[13])
{
    size_t keep = level == 1 ? 9 : level == 2 ? 6 : 0;
    if (!keep || !region || strlen(region) < keep)
        return NULL;
    memcpy(sup_region, region, keep);
    sup_region[keep] = '\0';
    return level == 1 ? "township_officer" : "civil_officer";
}

/* RULE-ALARM-041: the day window is the complement of the quiet hours. */
bool
alarm_inactive(int64_t last_activity, int64_t now, int hours, int quiet_from_min,
    int quiet_to_min)
{
    if (hours <= 0)
        return false;
    return alarm_daytime_silence_s(last_activity, now, quiet_to_min, quiet_from_min) >=
           (int64_t)hours * 3600;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* RULE-ALARM-045 */
bool
alarm_month_bounds(const char *month, int64_t *from, int64_t *to)
{
    if (!month || strlen(month) != 7 || month[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (month[i] < '0' || month[i] > '9'))
            return false;
    int y = atoi(month), m = (month[5] - '0') * 10 + (month[6] - '0');
    if (y < 2000 || y > 2999 || m < 1 || m > 12)
        return false;
    const int64_t cst = 8 * 3600;
    *from = days_from_civil(y, m, 1) * 86400 - cst;
    *to = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400 - cst;
    return true;
}

/* ---- timers ---- */

#define HEAP(t) ((struct alarm_timer *)(t)->heap.p)
#define CUR(t) ((int64_t *)(t)->current.p)

void
alarm_timers_init(struct alarm_timers *t)
{
    al_vec_init(&t->heap, sizeof(struct alarm_timer));
    al_vec_init(&t->current, sizeof(int64_t));
    t->live = 0;
}

void
alarm_timers_fini(struct alarm_timers *t)
{
    al_vec_fini(&t->heap);
    al_vec_fini(&t->current);
    t->live = 0;
}

static bool
earlier(const struct alarm_timer *a, const struct alarm_timer *b)
{
    return a->due < b->due || (a->due == b->due && a->device_id < b->device_id);
}

static void
sift_up(struct alarm_timers *t, size_t i)
{
    struct alarm_timer *h = HEAP(t);
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!earlier(&h[i], &h[p]))
            break;
        struct alarm_timer x = h[i];
        h[i] = h[p];
        h[p] = x;
        i = p;
    }
}

static void
sift_down(struct alarm_timers *t, size_t i)
{
    struct alarm_timer *h = HEAP(t);
    size_t n = t->heap.n;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && earlier(&h[l], &h[m]))
            m = l;
        if (r < n && earlier(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        struct alarm_timer x = h[i];
        h[i] = h[m];
        h[m] = x;
        i = m;
    }
}

/* Is heap entry `e` the time that counts for its device? */
static bool
counts(const struct alarm_timers *t, struct alarm_timer e)
{
    return CUR(t)[e.device_id] == e.due + 1;
}

/* Compact the heap when stale entries outnumber live ones (keeps it O(devices)). */
static void
compact(struct alarm_timers *t)
{
    struct alarm_timer *h = HEAP(t);
    int64_t *cur = CUR(t);
    size_t live = 0;
    for (size_t i = 0; i < t->heap.n; i++) {
        struct alarm_timer e = h[i];
        if (counts(t, e)) {
            cur[e.device_id] = -(e.due + 1); /* mark: kept once */
            h[live++] = e;
        }
    }
    for (size_t i = 0; i < live; i++)
        cur[h[i].device_id] = h[i].due + 1;
    t->heap.n = live;
    for (size_t i = live / 2 + 1; i-- > 0;)
        sift_down(t, i);
}

bool
alarm_timers_set(struct alarm_timers *t, int64_t id, int64_t due)
{
    if (id <= 0 || due < 0 || due == INT64_MAX)
        return false;
    if (!al_vec_zeroed(&t->current, (size_t)id + 1))
        return false;
    /* Mostly stale and about to grow: drop the stale entries instead, O(n). */
    if (t->heap.n == t->heap.cap && t->heap.n >= 1024 && t->heap.n > 2 * t->live)
        compact(t);
    struct alarm_timer *e = al_vec_push(&t->heap);
    if (!e)
        return false;
    if (CUR(t)[id] <= 0)
        t->live++;
    CUR(t)[id] = due + 1;
    *e = (struct alarm_timer){due, id};
    sift_up(t, t->heap.n - 1);
    return true;
}

void
alarm_timers_cancel(struct alarm_timers *t, int64_t id)
{
    if (id > 0 && (size_t)id < t->current.n && CUR(t)[id] > 0) {
        CUR(t)[id] = 0;
        t->live--;
    }
}

bool
alarm_timers_next(struct alarm_timers *t, int64_t now, int64_t *id, int64_t *due)
{
    while (t->heap.n > 0 && HEAP(t)[0].due <= now) {
        struct alarm_timer e = HEAP(t)[0];
        HEAP(t)[0] = HEAP(t)[--t->heap.n];
        sift_down(t, 0);
        if (!counts(t, e))
            continue; /* superseded or cancelled */
        CUR(t)[e.device_id] = 0;
        t->live--;
        *id = e.device_id;
        *due = e.due;
        return true;
    }
    return false;
}

size_t
alarm_timers_heap_size(const struct alarm_timers *t)
{
    return t->heap.n;
}

/* ---- handling ---- */

static bool
in(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* RULE-ALARM-022: family contacts, community helper, provider, then 120 / 110. */
bool
alarm_step_target_ok(const char *s)
{
    static const char *const t[] = {"elder", "family", "helper", "provider", "120", "110"};
    return in(s, t, sizeof(t) / sizeof(t[0]));
}

bool
alarm_step_outcome_ok(const char *s)
{
    static const char *const t[] = {"reached", "no_answer", "busy", "on_the_way", "arrived"};
    return in(s, t, sizeof(t) / sizeof(t[0]));
}

static const struct {
    const char *id, *name;
} outcomes[] = {
    {"real_emergency", "真实紧急情况"}, {"needed_help", "需要帮助（非紧急）"},
    {"false_alarm", "误报"}, {"test", "测试"}, {"no_answer_visited", "未接通，已上门查看"},
};

/* RULE-ALARM-023 */
bool
alarm_outcome_ok(const char *s)
{
    return alarm_outcome_name(s) != NULL;
}

const char *
alarm_outcome_name(const char *s)
{
    for (size_t i = 0; s && i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
        if (strcmp(s, outcomes[i].id) == 0)
            return outcomes[i].name;
    return NULL;
}
