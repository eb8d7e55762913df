/* Home services, the officers' side: pure rules (RULE-SVC-103..105, RULE-SVC-121..124). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idcard.h"
#include "service/service_admin_int.h"

bool
service_due_date(const char *date, int days, char out[11])
{
    if (!date || !al_date_valid(date) || days < 0)
        return false;
    struct tm t = {.tm_year = atoi(date) - 1900, .tm_mon = atoi(date + 5) - 1,
        .tm_mday = atoi(date + 8), .tm_hour = 12};
    time_t s = timegm(&t);
    while (days > 0) {
        s += 86400;
        struct tm d;
        gmtime_r(&s, &d);
        if (d.tm_wday != 0 && d.tm_wday != 6)
            days--;
    }
    struct tm d;
    gmtime_r(&s, &d);
    strftime(out, 11, "%Y-%m-%d", &d);
    return true;
}

static const char *const cp_ids[] = {"open", "handling", "closed"};
static const char *const cp_zh[] = {"待处理", "处理中", "已办结"};

const char *
service_complaint_state_id(int s)
{
    return s >= 0 && s < SVC_CP_NSTATES ? cp_ids[s] : NULL;
}

const char *
service_complaint_state_zh(int s)
{
    return s >= 0 && s < SVC_CP_NSTATES ? cp_zh[s] : NULL;
}

int
service_complaint_state_parse(const char *id)
{
    for (int i = 0; id && i < SVC_CP_NSTATES; i++)
        if (strcmp(id, cp_ids[i]) == 0)
            return i;
    return -1;
}

/* RULE-SVC-122 */
int
service_complaint_move(int from, int to)
{
    if (from == SVC_CP_OPEN && (to == SVC_CP_HANDLING || to == SVC_CP_CLOSED))
        return AL_OK;
    if (from == SVC_CP_HANDLING && to == SVC_CP_CLOSED)
        return AL_OK;
    return AL_ECONFLICT;
}

/* RULE-SVC-123 */
const char *const service_complaint_results[] = {"upheld", "partly", "rejected", "withdrawn",
    NULL};
static const char *const result_zh[] = {"投诉属实，已整改", "部分属实，已整改", "投诉不属实",
    "投诉人撤回"};

const char *
service_complaint_result_zh(const char *code)
{
    for (int i = 0; code && service_complaint_results[i]; i++)
        if (strcmp(code, service_complaint_results[i]) == 0)
            return result_zh[i];
    return NULL;
}

/* RULE-SVC-124 */
bool
service_complaint_overdue(const char *status, const char *due_date, const char *today)
{
    return status && strcmp(status, "closed") != 0 && due_date && *due_date && today &&
           strcmp(today, due_date) > 0;
}

/* RULE-SVC-103 */
const char *const service_skills[] = {"general", "cleaning", "bathing", "medical", "nursing",
    NULL};
static const char *const skill_zh[] = {"通用照料", "保洁", "助浴", "陪诊助医", "护理"};

const char *
service_skill_zh(const char *code)
{
    for (int i = 0; code && service_skills[i]; i++)
        if (strcmp(code, service_skills[i]) == 0)
            return skill_zh[i];
    return NULL;
}

void
service_date_plus(const char *date, int days, char out[11])
{
    struct tm t = {.tm_year = atoi(date) - 1900, .tm_mon = atoi(date + 5) - 1,
        .tm_mday = atoi(date + 8) + days, .tm_hour = 12};
    time_t s = timegm(&t);
    struct tm d;
    gmtime_r(&s, &d);
    strftime(out, 11, "%Y-%m-%d", &d);
}

/* RULE-SVC-105 */
const char *
service_cert_state(const char *valid_until, const char *today)
{
    if (!valid_until || !today || strcmp(valid_until, today) < 0)
        return "expired";
    char limit[11];
    service_date_plus(today, SVC_CERT_WARN_DAYS, limit);
    return strcmp(valid_until, limit) <= 0 ? "expiring" : "valid";
}
