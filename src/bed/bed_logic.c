/* Pure rules of the bed module: the lifecycle table, required devices, dates. */
#include <stdio.h>
#include <string.h>

#include "bed/bed_int.h"
#include "core/idcard.h"

static const char *const state_ids[] = {NULL, "application", "eligibility", "home_check",
    "care_plan", "agreement", "installation", "in_service", "review", "closed"};
static const char *const state_names[] = {"", "申请", "资格审核", "居家环境评估", "照护计划",
    "服务协议", "适老化改造与设备安装", "服务中", "定期回访", "已结束"};

int
bed_state_parse(const char *s)
{
    for (int i = 1; s && i <= BED_CLOSED; i++)
        if (strcmp(s, state_ids[i]) == 0)
            return i;
    return 0;
}

const char *
bed_state_id(int state)
{
    return state >= 1 && state <= BED_CLOSED ? state_ids[state] : "";
}

const char *
bed_state_name(int state)
{
    return state >= 1 && state <= BED_CLOSED ? state_names[state] : "";
}

static const char *const move_ids[] = {NULL, "eligibility", "home_check", "care_plan",
    "agreement", "install", "start", "review", "resume", "close", "device"};

const char *
bed_move_id(int move)
{
    return move >= 1 && move < BED_NMOVES ? move_ids[move] : "";
}

/* RULE-BED-002: [state][move] → next state; 0 not allowed. */
static const unsigned char next_state[BED_CLOSED + 1][BED_NMOVES] = {
    [BED_APPLICATION] = {[BED_MOVE_ELIGIBILITY] = BED_ELIGIBILITY, [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_ELIGIBILITY] = {[BED_MOVE_HOME_CHECK] = BED_HOME_CHECK, [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_HOME_CHECK] = {[BED_MOVE_CARE_PLAN] = BED_CARE_PLAN, [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_CARE_PLAN] = {[BED_MOVE_AGREEMENT] = BED_AGREEMENT, [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_AGREEMENT] = {[BED_MOVE_INSTALL] = BED_INSTALLATION, [BED_MOVE_DEVICE] = BED_AGREEMENT,
        [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_INSTALLATION] = {[BED_MOVE_START] = BED_IN_SERVICE,
        [BED_MOVE_DEVICE] = BED_INSTALLATION, [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_IN_SERVICE] = {[BED_MOVE_REVIEW] = BED_REVIEW, [BED_MOVE_DEVICE] = BED_IN_SERVICE,
        [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_REVIEW] = {[BED_MOVE_RESUME] = BED_IN_SERVICE, [BED_MOVE_DEVICE] = BED_REVIEW,
        [BED_MOVE_CLOSE] = BED_CLOSED},
    [BED_CLOSED] = {0},
};

int
bed_next(int state, int move)
{
    if (state < 1 || state > BED_CLOSED || move < 1 || move >= BED_NMOVES)
        return 0;
    return next_state[state][move];
}

const char *const bed_rooms[BED_NROOMS] = {"bedroom", "toilet", "bathroom", "kitchen",
    "living_room"};
const char *const bed_room_names[BED_NROOMS] = {"卧室", "卫生间", "浴室", "厨房", "客厅"};

static const struct {
    const char *id, *zh;
    unsigned bit;
} needs[] = {{"network", "网络", BED_NEED_NETWORK}, {"sos", "紧急呼叫", BED_NEED_SOS},
    {"activity", "活动监测（人体或门磁）", BED_NEED_ACTIVITY}};

bool
bed_needs_parse(const char *s, unsigned *mask)
{
    *mask = 0;
    if (!s)
        return false;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
            if (strlen(needs[i].id) == n && memcmp(p, needs[i].id, n) == 0)
                bit = needs[i].bit;
        if (!bit)
            return false;
        *mask |= bit;
        if (!e)
            break;
        p = e + 1;
    }
    return *mask != 0;
}

unsigned
bed_needs_missing(unsigned need, unsigned have)
{
    return need & ~have;
}

void
bed_needs_format(unsigned mask, char *buf, size_t size, char *zh, size_t zh_size)
{
    size_t n = 0, z = 0;
    buf[0] = zh[0] = 0;
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        if (!(mask & needs[i].bit))
            continue;
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "," : "", needs[i].id);
        z += (size_t)snprintf(zh + z, z < zh_size ? zh_size - z : 0, "%s%s", z ? "、" : "",
            needs[i].zh);
        if (n >= size || z >= zh_size)
            break;
    }
}

unsigned
bed_device_covers(const char *t)
{
    if (!t)
        return 0;
    if (strcmp(t, "sos") == 0)
        return BED_NEED_SOS;
    if (strcmp(t, "motion") == 0 || strcmp(t, "door") == 0)
        return BED_NEED_ACTIVITY;
    return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long
days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool
bed_date_add(const char *date, long days, char out[11])
{
    if (!date || !al_date_valid(date))
        return false;
    long y, m, d;
    if (sscanf(date, "%4ld-%2ld-%2ld", &y, &m, &d) != 3)
        return false;
    long z = days_from_civil(y, m, d) + days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long dd = doy - (153 * mp + 2) / 5 + 1;
    long mm = mp + (mp < 10 ? 3 : -9);
    long yy = yoe + era * 400 + (mm <= 2);
    if (yy < 1000 || yy > 9999)
        return false;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)yy % 10000u, (unsigned)mm % 100u, (unsigned)dd % 100u);
    return true;
}

/* RULE-BED-031 */
bool
bed_close_reason_ok(const char *s)
{
    static const char *const ok[] = {"ineligible", "withdrawn", "deceased", "moved",
        "to_institution", "to_home_services", "agreement_ended", "other"};
    for (size_t i = 0; s && i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(s, ok[i]) == 0)
            return true;
    return false;
}

/* RULE-BED-060 */
bool
bed_month_parse(const char *month, struct bed_month *m)
{
    long y, mo;
    char tail;
    if (!month || strlen(month) != 7 || sscanf(month, "%4ld-%2ld%c", &y, &mo, &tail) != 2 ||
        month[4] != '-' || y < 2000 || y > 9999 || mo < 1 || mo > 12)
        return false;
    snprintf(m->first, sizeof(m->first), "%04ld-%02ld-01", y, mo);
    long next = days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1);
    long first = days_from_civil(y, mo, 1);
    if (!bed_date_add(m->first, next - first - 1, m->last))
        return false;
    m->start_ts = (int64_t)first * 86400 - 8 * 3600; /* China Standard Time, UTC+8 */
    m->end_ts = (int64_t)next * 86400 - 8 * 3600 - 1;
    return true;
}

/* RULE-BED-060, RULE-BED-061 */
void
bed_tally_add(struct bed_tally *t, unsigned required, const struct bed_month_row *row)
{
    t->in_service++;
    if (!bed_needs_missing(required, row->have))
        t->complete++;
    if (row->rectifying)
        t->rectifying++;
    if (row->overdue)
        t->overdue++;
    if (row->to_home_services)
        t->to_home_services++;
}

/* The number after the first of `words` in `s` ("每周 2 次" → 2); `dflt` when no number follows,
 * -1 when no word is there. */
static int
count_after(const char *s, const char *const *words, int dflt)
{
    for (int i = 0; words[i]; i++) {
        const char *p = strstr(s, words[i]);
        if (!p)
            continue;
        p += strlen(words[i]);
        while (*p == ' ')
            p++;
        int n = 0;
        while (*p >= '0' && *p <= '9' && n < 1000)
            n = n * 10 + (*p++ - '0');
        return n > 0 ? n : dflt;
    }
    return -1;
}

int
bed_plan_per_month(const char *frequency, int days)
{
    static const char *const day[] = {"每天", "每日", NULL}, *const week[] = {"每周", NULL},
                             *const month[] = {"每月", NULL};
    if (!frequency || days <= 0)
        return -1;
    int n;
    if ((n = count_after(frequency, day, 1)) > 0)
        return n * days;
    if ((n = count_after(frequency, week, -1)) > 0)
        return n * (days / 7 > 0 ? days / 7 : 1);
    if ((n = count_after(frequency, month, -1)) > 0)
        return n;
    return -1;
}

bool
bed_plan_names(const char *plan_name, const char *item_name)
{
    return plan_name && item_name && *item_name && strstr(plan_name, item_name) != NULL;
}
