/*
 * Home services, the officers' side (issue 13, RULE-SVC-100..129): management of providers,
 * stations, caregivers and items (service_registry.c, service_registry_store.c), provider
 * accounts scoped to their provider (RULE-SVC-110..113), and the complaint supervision queue
 * (service_complaint.c).  Pure rules in service_admin_logic.c.  Private to src/service.
 */
#ifndef SERVICE_ADMIN_INT_H
#define SERVICE_ADMIN_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/http.h"

/* ---- pure rules (service_admin_logic.c) ---- */

/*
 * RULE-SVC-121: the last day to close a complaint made on `date` (YYYY-MM-DD, China), `days`
 * working days later (Monday to Friday; public holidays are not known yet).  `days` 0: the
 * same day.  False when `date` is not a date.
 */
bool service_due_date(const char *date, int days, char out[11]);

enum svc_complaint_state { SVC_CP_OPEN = 0, SVC_CP_HANDLING, SVC_CP_CLOSED, SVC_CP_NSTATES };

/* "open" …, 待处理 …; NULL outside.  The state of an id, or -1. */
const char *service_complaint_state_id(int s);
const char *service_complaint_state_zh(int s);
int service_complaint_state_parse(const char *id);

/*
 * RULE-SVC-122: may a complaint move from `from` to `to`?  open → handling → closed, open →
 * closed; a closed one never moves.  AL_OK or AL_ECONFLICT.
 */
int service_complaint_move(int from, int to);

/* RULE-SVC-123: the closed list of results; the Chinese name of `code`, or NULL. */
const char *service_complaint_result_zh(const char *code);
/* The codes, NULL-terminated (for a field table). */
extern const char *const service_complaint_results[];

/* RULE-SVC-124: overdue when not closed and `today` is after its last day. */
bool service_complaint_overdue(const char *status, const char *due_date, const char *today);

/* RULE-SVC-103: the skills a caregiver or item may name, and their Chinese names. */
extern const char *const service_skills[];
const char *service_skill_zh(const char *code);

/*
 * RULE-SVC-105: a certificate's state on `today`: "expired" (its last day is before today),
 * "expiring" (within 30 days from today, inclusive), else "valid".
 */
#define SVC_CERT_WARN_DAYS 30
const char *service_cert_state(const char *valid_until, const char *today);
/* `date` (a valid YYYY-MM-DD) plus `days` calendar days. */
void service_date_plus(const char *date, int days, char out[11]);

/* ---- provider accounts (RULE-SVC-110..113) ---- */

/*
 * The provider user `user_id` belongs to (users.provider_id, or the provider of its station for a
 * station account, RULE-SVC-207) in *provider, 0 when none (an officer: scope by region only).
 * AL_OK or a database error.
 */
int service_user_provider(struct al_db *db, int64_t user_id, int64_t *provider);

/*
 * RULE-SVC-207: whom an account acts for: its provider (as above) and, for a station account
 * (users.station_id), its station; both 0 for an officer.  RULE-SVC-216: a provider_admin
 * account bound to nothing has provider -1, a provider no record has: it sees none of the
 * network's records and orders, and writes none, until an officer binds it (RULE-SVC-214).
 */
struct svc_account {
    int64_t provider, station;
};
int service_user_account(struct al_db *db, int64_t user_id, struct svc_account *out);

/*
 * SQL: order `o` belongs to station `s` (a parameter mark): dispatched to it, or not dispatched
 * yet and in a region the station serves.  RULE-SVC-208.
 */
#define SVC_ORDER_OF_STATION(o, s)                                                             \
    " (" o ".station_id = " s " OR (" o ".station_id IS NULL AND EXISTS (SELECT 1"              \
    " FROM svc_station_regions sr WHERE sr.station_id = " s                                    \
    " AND substr(" o ".region_code, 1, length(sr.region_code)) = sr.region_code)))"

/*
 * SQL: order `o` (an alias of svc_orders) belongs to provider `p` (a parameter mark): its station
 * is the provider's, or it is not dispatched yet and lies in a region an active station of the
 * provider serves (so the provider can take it).  RULE-SVC-111.
 */
#define SVC_ORDER_OF_PROVIDER(o, p)                                                            \
    " (" o ".station_id IN (SELECT ps.id FROM svc_stations ps WHERE ps.provider_id = " p ")"     \
    " OR (" o ".station_id IS NULL AND EXISTS (SELECT 1 FROM svc_station_regions pr"            \
    " JOIN svc_stations ps ON ps.id = pr.station_id WHERE ps.provider_id = " p                 \
    " AND ps.status = 'active'"                                                                \
    " AND substr(" o ".region_code, 1, length(pr.region_code)) = pr.region_code)))"

/*
 * RULE-SVC-111: may the caller see order `order_id` (already in their region)?  True for a
 * user of no provider; for a provider user, when the order is their provider's.  *ok; AL_OK or a
 * database error.
 */
int service_order_visible(struct al_req *r, int64_t order_id, bool *ok);

/* RULE-SVC-112: is caregiver `id` of the caller's provider (true for officers)? */
int service_caregiver_visible(struct al_req *r, int64_t id, bool *ok);

/* RULE-SVC-112: drop from `items` (a list's objects) what is not the caller's provider's: by
 * `key` "provider_id" (stations) or "id" (caregivers).  Nothing for officers. */
int service_provider_only(struct al_req *r, json_t *items, const char *key);

struct svc_cand;
/* RULE-SVC-112: keep of `n` dispatch candidates (and their stations) the caller's provider's. */
int service_cands_of_provider(struct al_req *r, struct svc_cand *cands, int64_t *stations,
    int *n);

/* ---- complaints (service_complaint.c) ---- */

/*
 * RULE-SVC-120: enter the complaint `content` about order `order_id` in the queue (caller's
 * transaction): status open, its last day from the setting service.complaint_days.
 */
int service_complaint_open(struct al_req *r, int64_t order_id, const char *content);

/* The queue's routes (service_complaint.c), in service_registry.c's table. */
int service_complaints_list(struct al_req *r);
int service_complaints_export(struct al_req *r);
int service_complaint_get(struct al_req *r);
int service_complaint_update(struct al_req *r);
#define SERVICE_COMPLAINT_ROUTES                                                               \
    {AL_GET, "/api/v1/service/complaints", service_complaints_list, "service.read", 0,           \
        "投诉督办队列（status、overdue=1、provider_id、assignee；逾期在前；分页，total）"},        \
    {AL_GET, "/api/v1/service/complaints/export", service_complaints_export, "service.read", 0,  \
        "导出投诉督办队列（format=csv 或 xlsx）"},                                                \
    {AL_GET, "/api/v1/service/complaints/:id", service_complaint_get, "service.read", 0,         \
        "投诉详情（按订单号）"},                                                                  \
    {AL_PATCH, "/api/v1/service/complaints/:id", service_complaint_update, "service.complaint",  \
        0, "受理、指派、办结投诉（须带 version；办结须填写处理结果与办理情况）"}

/* The visit proof's settings (service_settings.c, RULE-SVC-175..177), in service_registry.c's table. */
int service_settings_get(struct al_req *r);
int service_settings_put(struct al_req *r);
#define SERVICE_SETTINGS_ROUTES                                                                \
    {AL_GET, "/api/v1/service/settings", service_settings_get, "service.read", 0,               \
        "上门核验设置（签到范围、时钟偏差、服务时长过短/过长界限、确认时限）"},                     \
    {AL_PUT, "/api/v1/service/settings", service_settings_put, "service.config", 0,             \
        "修改服务时长过短/过长界限与确认时限（evv_short_pct 1–99、evv_long_pct 101–1000、"          \
        "confirm_hours 1–720）"}

/* ---- the network's sign-ins (service_account.c), in service_registry.c's table ---- */
int service_accounts_list(struct al_req *r);
int service_account_get(struct al_req *r);
int service_account_put(struct al_req *r);

#define SERVICE_ACCOUNT_ROUTES                                                                 \
    {AL_GET, "/api/v1/service/admin/accounts", service_accounts_list, "service.config", 0,      \
        "服务机构管理员与护理员账号及其绑定（role、q、bound=0|1 筛选，分页，total）"},              \
    {AL_GET, "/api/v1/service/admin/accounts/:id", service_account_get, "service.config", 0,    \
        "账号的绑定（按用户号）"},                                                                \
    {AL_PUT, "/api/v1/service/admin/accounts/:id", service_account_put, "service.config", 0,    \
        "绑定账号：服务机构管理员绑定 provider_id 或 station_id，护理员绑定 caregiver_id；全空为解除"}

#endif
