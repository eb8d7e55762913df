/* Routes and thin handlers of the audit module. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/audit_int.h"
#include "core/http.h"

int
audit_append(struct al_req *r, const struct audit_entry *e)
{
    struct audit_entry x = *e;
    if (!x.at)
        x.at = r->now; /* RULE-DB-044 */
    return audit_append_as(r->db, r->who ? r->who->user_id : 0,
        r->who ? r->who->username : NULL, r->client_ip[0] ? r->client_ip : NULL, &x);
}

/* "YYYY-MM-DD" (China time, UTC+8) → unix seconds of its midnight; -1 when malformed. */
static int64_t
parse_day(const char *s)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
        d > 31 || y < 1970 || y > 9999)
        return INT64_MIN;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d)
        return INT64_MIN;
    return (int64_t)t - 8 * 3600; /* midnight in China: 1970-01-01 is before the epoch */
}

static int
audit_list(struct al_req *r)
{
    struct audit_filter f = {.scope = r->who->region_code};
    int rc = al_query_limit(&r->query, &f.limit, &f.offset, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *v;
    f.username = al_query_opt(&r->query, "user");
    f.action = al_query_opt(&r->query, "action");
    f.outcome = al_query_opt(&r->query, "outcome");
    f.target_type = al_query_opt(&r->query, "target_type");
    f.target_id = al_query_opt(&r->query, "target_id");
    if ((v = al_query_opt(&r->query, "from"))) {
        if ((f.from = parse_day(v)) == INT64_MIN)
            return al_req_fail(r, AL_EINVAL, "from", "开始日期格式应为 YYYY-MM-DD");
    }
    if ((v = al_query_opt(&r->query, "to"))) {
        if ((f.to = parse_day(v)) == INT64_MIN)
            return al_req_fail(r, AL_EINVAL, "to", "结束日期格式应为 YYYY-MM-DD");
        f.to += 86400; /* inclusive end day */
    }
    if (f.outcome && strcmp(f.outcome, "success") && strcmp(f.outcome, "failure") &&
        strcmp(f.outcome, "denied"))
        return al_req_fail(r, AL_EINVAL, "outcome", "结果应为 success、failure 或 denied");
    json_t *items = json_array();
    int64_t total = 0;
    rc = audit_store_list(r->db, r->arena, &f, items, &total);
    if (rc != AL_OK)
        return rc;
    return al_reply_items(r, items, total);
}

static const struct al_route audit_routes[] = {
    {AL_GET, "/api/v1/audit", audit_list, "audit.read", 0,
        "审计日志（按用户、操作、结果、对象、日期筛选，分页）"},
    {0},
};

const struct al_module audit_module = {.name = "audit", .routes = audit_routes};
