/*
 * Home services: the monthly statement's SQL (RULE-SVC-080..085, RULE-SVC-197..204), both
 * engines.  A month of a county is 10^5 visits, so the statement is made and approved in a
 * handful of set statements and bulk loads, never a statement per visit (RULE-SVC-204).
 * Contracts in service_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bed/bed.h"
#include "core/dbq.h"
#include "entitle/entitle.h"
#include "region/region.h"
#include "service/service_flow_int.h"
#include "service/service_int.h"

/* One line to write: a payment (amounts ≥ 0) or a reversal (amounts ≤ 0). */
struct line {
    int64_t order_id, elder_id, total_fen, entitled_fen, elder_fen;
    char date[11];
};

struct lines {
    struct line *v;
    size_t n, cap;
};

static struct line *
lines_push(struct al_arena *a, struct lines *l)
{
    l->v = al_arena_grow(a, l->v, l->n, &l->cap, sizeof(*l->v), 64);
    return &l->v[l->n++];
}

/* Is `id` in the ascending `ids`? */
static bool
has_id(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ids[mid] == id)
            return true;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/*
 * The lines `l` of statement `id` in one bulk load (RULE-DB-022): batch 0 its own; batch n > 0
 * its n-th adjustment (RULE-SVC-197), whose lines carry `reason`, who and when; `reversal` ones
 * pay back (RULE-SVC-198).
 */
static int
lines_write(struct al_db *db, int64_t id, const struct lines *l, int64_t batch, bool reversal,
    const char *reason, const char *by, int64_t now)
{
    bool adjusting = batch > 0;
    struct al_copy *cp = NULL;
    if (l->n == 0)
        return AL_OK;
    int rc = al_db_copy_begin(db, "svc_settlement_lines",
        "settlement_id, order_id, elder_id, visit_date, total_fen, entitled_fen, elder_fen,"
        " adjusting, reversal, reason, added_by, added_at, batch", &cp);
    for (size_t i = 0; i < l->n && rc == AL_OK; i++) {
        const struct line *x = &l->v[i];
        al_copy_int(cp, id);
        al_copy_int(cp, x->order_id);
        al_copy_int(cp, x->elder_id);
        al_copy_text(cp, x->date);
        al_copy_int(cp, x->total_fen);
        al_copy_int(cp, x->entitled_fen);
        al_copy_int(cp, x->elder_fen);
        al_copy_int(cp, adjusting ? 1 : 0);
        al_copy_int(cp, reversal ? 1 : 0);
        al_copy_text(cp, reason);
        al_copy_text(cp, adjusting ? by : NULL);
        if (adjusting)
            al_copy_int(cp, now);
        else
            al_copy_null(cp);
        al_copy_int(cp, batch);
        rc = al_copy_row(cp);
    }
    if (cp)
        rc = al_copy_end(cp, rc);
    return rc;
}

/*
 * RULE-SVC-085, RULE-SVC-162..164, RULE-SVC-191..196: sort the candidates of a statement into
 * the lines to pay (`pay`) and those held back (*held; a double payment is recorded as a hold of
 * statement `id`).  Visits with an open exception or fixed as not payable wait; a visit another
 * provider already has on a line, or a family bed's package covers, is held with its code.
 */
static int
settle_sort(struct al_db *db, struct al_arena *a, int64_t id, const struct svc_visit_row *rows,
    size_t n, int64_t from, int64_t to, int64_t now, struct lines *pay, int *held)
{
    struct svc_travel_cfg tc;
    struct svc_evv_cfg ec;
    int64_t *beds = NULL;
    size_t nbeds = 0;
    char d0[11], d1[11];
    service_cst_date(from, d0);
    service_cst_date(to - 1, d1);
    int rc = service_store_settings(db, &tc, &ec); /* RULE-SVC-175: the limits of now */
    if (rc == AL_OK) /* RULE-SVC-204: the elders a bed may cover, asked once */
        rc = bed_elders_covered(db, a, d0, d1, &beds, &nbeds);
    ec.now = now;
    for (size_t i = 0; i < n && rc == AL_OK; i++) {
        const struct svc_visit_row *v = &rows[i];
        if (!service_payable(v, &ec)) {
            (*held)++;
            continue;
        }
        if (v->paid_other || has_id(beds, nbeds, v->f.elder_id)) {
            const char *dup = NULL, *why = NULL;
            if ((rc = service_flow_double(db, a, v->order_id, &dup, &why)) != AL_OK)
                break;
            if (dup) {
                (*held)++;
                rc = service_flow_hold(db, id, v->order_id, dup, why, now);
                continue;
            }
        }
        struct line *x = lines_push(a, pay);
        *x = (struct line){.order_id = v->order_id, .elder_id = v->f.elder_id,
            .total_fen = v->total_fen, .entitled_fen = v->entitled_fen,
            .elder_fen = v->elder_fen};
        service_cst_date(v->window_start, x->date);
    }
    return rc;
}

int
service_store_settle_create(struct al_db *db, struct al_arena *a, int64_t provider,
    const char *scope, const char *month, int64_t from, int64_t to, const char *by, int64_t now,
    int64_t *id, int *held)
{
    static const char sql_head[] =
        "INSERT INTO svc_settlements(provider_id, region_code, month, orders, total_fen,"
        " entitled_fen, elder_fen, created_by, created_at) VALUES (?, ?, ?, 0, 0, 0, 0, ?, ?)"
        " RETURNING id";
    /* RULE-SVC-081: the statement's totals are the sums of its own (not adjusting) lines. */
    static const char sql_sum[] =
        "UPDATE svc_settlements SET (orders, total_fen, entitled_fen, elder_fen) ="
        " (SELECT count(*), coalesce(sum(total_fen), 0), coalesce(sum(entitled_fen), 0),"
        "  coalesce(sum(elder_fen), 0) FROM svc_settlement_lines"
        "  WHERE settlement_id = ?1 AND adjusting = 0) WHERE id = ?1";
    struct svc_visit_row *rows = NULL;
    struct lines pay = {0};
    size_t n = 0;
    struct al_stmt *st = al_db_sql(db, sql_head);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(provider), AL_T(scope), AL_T(month), AL_T(by), AL_I(now));
    int rc = al_stmt_int64(st, id);
    if (rc == AL_OK)
        rc = service_store_settle_candidates(db, a, provider, scope, from, to, &rows, &n);
    *held = 0;
    if (rc == AL_OK)
        rc = settle_sort(db, a, *id, rows, n, from, to, now, &pay, held);
    if (rc == AL_OK)
        rc = lines_write(db, *id, &pay, 0, false, "", by, now);
    if (rc != AL_OK)
        return rc;
    if (!(st = al_db_sql(db, sql_sum)))
        return AL_EDB;
    al_stmt_bind_int(st, 1, *id);
    return al_stmt_run(st);
}

/*
 * RULE-SVC-083, RULE-SVC-197: the orders of statement `id`'s paying lines of `batch` (0: its
 * own lines, n: its n-th adjustment) move to 已结算 with an event each, in two set statements.
 * An order no longer 已确认/已评价 makes it AL_ECONFLICT.
 */
static int
settle_move(struct al_db *db, int64_t id, int64_t batch, const char *reason, const char *by,
    int64_t now, int64_t *moved)
{
    static const char sql_count[] =
        "SELECT count(*) FROM svc_settlement_lines WHERE settlement_id = ? AND reversal = 0"
        " AND batch = ?";
    static const char sql_events[] =
        "INSERT INTO svc_order_events(order_id, from_status, to_status, action, caregiver_id,"
        " reason, by_user, at) SELECT o.id, o.status, 'settled', 'settle', o.caregiver_id,"
        " ?1, ?2, ?3 FROM svc_settlement_lines l JOIN svc_orders o ON o.id = l.order_id"
        " WHERE l.settlement_id = ?4 AND l.reversal = 0 AND l.batch = ?5"
        " AND o.status IN ('confirmed', 'rated')";
    static const char sql_orders[] =
        "UPDATE svc_orders SET status = 'settled', updated_at = ?1, version = version + 1"
        " WHERE status IN ('confirmed', 'rated') AND id IN (SELECT order_id"
        "  FROM svc_settlement_lines WHERE settlement_id = ?2 AND reversal = 0"
        "  AND batch = ?3)";
    struct al_stmt *st = al_db_sql(db, sql_count);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(id), AL_I(batch));
    int rc = al_stmt_int64(st, moved);
    if (rc == AL_OK && (st = al_db_sql(db, sql_events))) {
        al_stmt_binds(st, AL_T(reason), AL_T(by), AL_I(now), AL_I(id), AL_I(batch));
        rc = al_stmt_run(st);
    } else if (rc == AL_OK) {
        rc = AL_EDB;
    }
    if (rc == AL_OK && al_db_changes(db) != *moved)
        rc = AL_ECONFLICT; /* an order moved meanwhile */
    if (rc == AL_OK && (st = al_db_sql(db, sql_orders))) {
        al_stmt_binds(st, AL_I(now), AL_I(id), AL_I(batch));
        rc = al_stmt_run(st);
    } else if (rc == AL_OK) {
        rc = AL_EDB;
    }
    if (rc == AL_OK && al_db_changes(db) != *moved)
        rc = AL_ECONFLICT;
    return rc;
}

/*
 * RULE-SVC-201, RULE-SVC-218: the entitlement draws of statement `id`'s lines of `batch` (as
 * settle_move), one per order and entitlement item, in one INSERT … SELECT through entitle.h's
 * head in the caller's transaction: the month's draws never travel to anlao and back.
 */
static int
settle_usage(struct al_db *db, int64_t id, int64_t batch, const char *by, int64_t now)
{
    /* RULE-SVC-198: a reversal draws the amount and the visits back. */
    static const char sql[] = ENTITLE_USAGE_INSERT
        "SELECT o.elder_id, o.region_code, ol.entitle_item_key, substr(min(l.visit_date), 1, 7),"
        " min(l.visit_date), CASE WHEN l.reversal = 1 THEN -sum(ol.entitled_fen)"
        "  ELSE sum(ol.entitled_fen) END,"
        " CASE WHEN l.reversal = 1 THEN -count(*) ELSE count(*) END, 'service', o.id,"
        " l.reversal, CAST(?1 AS BIGINT), CAST(?3 AS TEXT), CAST(?4 AS BIGINT)"
        " FROM svc_settlement_lines l"
        " JOIN svc_orders o ON o.id = l.order_id JOIN svc_order_lines ol ON ol.order_id = o.id"
        " WHERE l.settlement_id = ?1 AND l.batch = ?2 AND ol.entitled_fen > 0"
        " AND ol.entitle_item_key IS NOT NULL"
        " GROUP BY o.id, ol.entitle_item_key, l.reversal" /* one line per order and sign */
        " ORDER BY o.id, ol.entitle_item_key";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_I(id), AL_I(batch), AL_T(by), AL_I(now));
    return al_stmt_run(st);
}

int
service_store_settle_approve(struct al_db *db, struct al_arena *a, int64_t id, const char *by,
    int64_t now, int64_t *orders)
{
    struct al_stmt *st = al_db_sql(db, "UPDATE svc_settlements SET status = 'approved',"
                                       " approved_by = ?, approved_at = ? WHERE id = ? AND status = 'draft'");
    if (!st)
        return AL_EDB;
    al_stmt_binds(st, AL_T(by), AL_I(now), AL_I(id));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) != 1)
        rc = AL_ENOTFOUND; /* not a draft (any more) */
    if (rc == AL_OK)
        rc = settle_move(db, id, 0, al_arena_printf(a, "结算单 %lld", (long long)id), by, now,
            orders);
    if (rc == AL_OK)
        rc = settle_usage(db, id, 0, by, now);
    return rc;
}

/*
 * RULE-SVC-198: the paying lines of statement `id` whose visit is now fixed with a resolution
 * that is never paid and that have no reversal yet, as reversal lines (amounts negated).
 */
static int
settle_reversals(struct al_db *db, struct al_arena *a, int64_t id, struct lines *out)
{
    static const char sql[] =
        "SELECT l.order_id, l.elder_id, l.visit_date, l.total_fen, l.entitled_fen, l.elder_fen"
        " FROM svc_settlement_lines l JOIN svc_visit_fixes f ON f.order_id = l.order_id"
        " JOIN svc_fix_codes c ON c.kind = 'resolution' AND c.code = f.resolution_code"
        " WHERE l.settlement_id = ? AND l.reversal = 0 AND c.payable = 0"
        " AND NOT EXISTS (SELECT 1 FROM svc_settlement_lines r WHERE r.order_id = l.order_id"
        "  AND r.reversal = 1) ORDER BY l.order_id";
    struct al_stmt *st = al_db_sql(db, sql);
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, id);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct line *x = lines_push(a, out);
        *x = (struct line){.order_id = al_stmt_int(st, 0), .elder_id = al_stmt_int(st, 1),
            .total_fen = -al_stmt_int(st, 3), .entitled_fen = -al_stmt_int(st, 4),
            .elder_fen = -al_stmt_int(st, 5)};
        snprintf(x->date, sizeof(x->date), "%s", al_stmt_text(st, 2));
    }
    return rc;
}

int
service_store_settle_adjust(struct al_db *db, struct al_arena *a, const struct svc_adjust *in,
    struct svc_adjust_out *out)
{
    static const char sql_sum[] =
        "UPDATE svc_settlements SET (adjustments, adjust_total_fen, adjust_entitled_fen,"
        " adjust_elder_fen) = (SELECT count(*), coalesce(sum(total_fen), 0),"
        "  coalesce(sum(entitled_fen), 0), coalesce(sum(elder_fen), 0)"
        "  FROM svc_settlement_lines WHERE settlement_id = ?1 AND adjusting = 1) WHERE id = ?1";
    struct svc_visit_row *rows = NULL;
    struct lines late = {0}, back = {0};
    size_t n = 0;
    int64_t moved = 0, batch = 0;
    *out = (struct svc_adjust_out){0};
    struct al_stmt *st = al_db_sql(db, "SELECT coalesce(max(batch), 0) + 1"
                                       " FROM svc_settlement_lines WHERE settlement_id = ?");
    if (!st)
        return AL_EDB;
    al_stmt_bind_int(st, 1, in->id);
    int rc = al_stmt_int64(st, &batch);
    if (rc == AL_OK)
        rc = service_store_settle_candidates(db, a, in->provider, in->scope, in->from, in->to,
            &rows, &n);
    if (rc == AL_OK)
        rc = settle_sort(db, a, in->id, rows, n, in->from, in->to, in->now, &late, &out->held);
    if (rc == AL_OK)
        rc = settle_reversals(db, a, in->id, &back);
    if (rc != AL_OK)
        return rc;
    if (late.n + back.n == 0)
        return AL_OK;
    rc = lines_write(db, in->id, &late, batch, false, "审核后核实的上门服务，补充结算", in->by,
        in->now);
    if (rc == AL_OK)
        rc = lines_write(db, in->id, &back, batch, true, "审核后核实未服务，冲销已结算金额", in->by,
            in->now);
    if (rc == AL_OK)
        rc = settle_move(db, in->id, batch,
            al_arena_printf(a, "结算单 %lld 第 %lld 次调整", (long long)in->id, (long long)batch),
            in->by, in->now, &moved);
    if (rc == AL_OK)
        rc = settle_usage(db, in->id, batch, in->by, in->now);
    st = rc == AL_OK ? al_db_sql(db, sql_sum) : NULL;
    if (rc == AL_OK && !st)
        rc = AL_EDB;
    if (rc == AL_OK) {
        al_stmt_bind_int(st, 1, in->id);
        rc = al_stmt_run(st);
    }
    out->added = (int)late.n;
    out->reversed = (int)back.n;
    return rc;
}
