/*
 * Expiry of time-bank hours (issue 16, RULE-TB-060..062): where a scheme sets expiry_months,
 * hours deposited longer ago than that and not yet spent (first in, first out) go back from the
 * member's account to the scheme's issue account, as transfers of category 'expire' posted
 * through tb_ledger_post.  The run reads what is due from the ledger itself, so a second run
 * (or a run after a crash) finds nothing more to do.  Started as a job
 * (POST /api/v1/timebank/expiry) or by `anlao timebank expire`.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/idcard.h"
#include "core/http.h"
#include "core/jobs.h"
#include "core/json.h"
#include "timebank/timebank.h"
#include "timebank/timebank_int.h"

int
tb_expiry_soon(struct al_db *db, int64_t account, int months, int64_t now, int days,
    int64_t *minutes, char by[11])
{
    /* RULE-TB-062: what will have expired `days` days from now if nothing is spent. */
    char cut[11];
    int64_t credits, debits;
    *minutes = 0;
    by[0] = '\0';
    if (months <= 0)
        return AL_OK;
    al_date_cst(now + (int64_t)days * 86400, by);
    if (!tb_months_before(by, months, cut))
        return AL_EINTERNAL;
    int rc = tb_store_account_flows(db, account, tb_day_start(cut), &credits, &debits);
    if (rc == AL_OK)
        *minutes = tb_expiry_due(credits, debits);
    return rc;
}

/* Expire what is due on one account, in its own transaction with its audit entry. */
static int
expire_one(struct al_db *db, struct al_arena *a, const struct tb_expire_ctx *x, int64_t member,
    int64_t account, int months, const char *region, int64_t *posted, struct al_errinfo *e)
{
    char today[11], cut[11];
    int64_t credits, debits, bal;
    *posted = 0;
    al_date_cst(x->now, today);
    if (!tb_months_before(today, months, cut))
        return AL_EINTERNAL;
    int rc = al_db_begin(db);
    if (rc != AL_OK)
        return rc;
    /* Lock the account first: a concurrent run waits, then sees this run's expiry as a debit. */
    if ((rc = tb_store_lock(db, &account, 1, &bal)) == AL_OK)
        rc = tb_store_account_flows(db, account, tb_day_start(cut), &credits, &debits);
    int64_t due = rc == AL_OK ? tb_expiry_due(credits, debits) : 0;
    if (due > bal) /* never beyond the balance (a manual fix of the ledger could leave less) */
        due = bal;
    if (rc == AL_OK && due > 0) {
        struct tb_transfer_in in = {.category = TB_EXPIRE, .from_member = member,
            .minutes = due, .note = al_arena_printf(a, "%s 前存入、%d 个月未使用的时间过期失效",
                                cut, months),
            .today = today, .by = x->by, .now = x->now, .scope = ""};
        struct tb_transfer_out out;
        rc = tb_ledger_post(db, a, &in, &out, e);
        if (rc == AL_OK) {
            struct audit_entry ae = {.action = "timebank.expire", .target_type = "tb_transfer",
                .target_id = al_arena_printf(a, "%lld", (long long)out.id),
                .region_code = region, .outcome = "success", .at = x->now,
                .detail = json_pack("{sI sI ss}", "member_id", (json_int_t)member, "minutes",
                    (json_int_t)due, "before", cut)};
            rc = audit_append_as(db, x->user_id, x->by, x->client_ip, &ae);
            json_decref(ae.detail);
        }
        if (rc == AL_OK)
            *posted = due;
    }
    return al_db_end(db, rc);
}

int
tb_expire_run(struct al_db *db, const struct tb_expire_ctx *x, int64_t *members, int64_t *minutes,
    struct al_errinfo *e)
{
    struct al_arena a;
    al_arena_init(&a, 4096);
    json_t *rows = json_array();
    *members = *minutes = 0;
    int rc = tb_store_expiry_accounts(db, rows);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (rc != AL_OK)
            break;
        int64_t posted = 0;
        rc = expire_one(db, &a, x, json_integer_value(json_object_get(row, "member_id")),
            json_integer_value(json_object_get(row, "account_id")),
            (int)json_integer_value(json_object_get(row, "expiry_months")),
            json_string_value(json_object_get(row, "region_code")), &posted, e);
        al_arena_reset(&a);
        if (posted > 0) {
            (*members)++;
            *minutes += posted;
        }
        if (x->job)
            al_job_progress(x->job, "过期清理", (int64_t)i + 1, (int64_t)json_array_size(rows));
    }
    json_decref(rows);
    al_arena_fini(&a);
    return rc;
}

/* ---- the job ---- */

struct expire_arg {
    int64_t user_id;
    char username[64], client_ip[48];
};

int
tb_expire_job(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e)
{
    struct expire_arg *ea = arg;
    struct tb_expire_ctx x = {.now = al_job_started(job), .user_id = ea->user_id,
        .by = ea->username, .client_ip = ea->client_ip, .job = job};
    int64_t members, minutes;
    int rc = tb_expire_run(db, &x, &members, &minutes, e);
    if (rc != AL_OK)
        return e->message[0] ? rc : al_fail(e, rc, NULL, "时间过期清理失败：数据库错误");
    *result = json_pack("{sI sI}", "members", (json_int_t)members, "minutes", (json_int_t)minutes);
    return AL_OK;
}

int
tb_expiry_start(struct al_req *r)
{
    /* RULE-TB-061: the run is a job; the page follows it through GET /api/v1/jobs/:id. */
    struct expire_arg ea = {.user_id = r->who->user_id};
    snprintf(ea.username, sizeof(ea.username), "%s", r->who->username);
    snprintf(ea.client_ip, sizeof(ea.client_ip), "%s", r->client_ip);
    int64_t job;
    int rc = al_jobs_submit(r->db, "timebank.expire", r->who->user_id, r->now, tb_expire_job, &ea,
        sizeof(ea), &job);
    if (rc != AL_OK)
        return al_req_fail(r, rc, NULL, "后台任务暂不可用");
    return al_reply(r, 202, json_pack("{sI}", "job_id", (json_int_t)job));
}

int
timebank_expire(struct al_db *db, int64_t now, const char *by, int64_t *members,
    int64_t *minutes, struct al_errinfo *e)
{
    struct tb_expire_ctx x = {.now = now, .by = by, .client_ip = ""};
    return tb_expire_run(db, &x, members, minutes, e);
}
