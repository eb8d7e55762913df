/*
 * Home services: routes and thin handlers.  The rules are in service_logic.c,
 * the SQL in service_store.c.  RULE-SVC-001..045.
 */
#include <event2/event.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "audit/audit.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/events.h"
#include "core/export.h"
#include "core/fields.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/idem.h"
#include "core/follow.h"
#include "core/json.h"
#include "elder/elder.h"
#include "region/region.h"
#include "service/service.h"
#include "service/service_int.h"
#include "service/service_admin_int.h"

#define LINES_MAX 10

/* RULE-SVC-001: an order outside the caller's region (RULE-SVC-111: provider) is 404. */
static int
order_in_scope(struct al_req *r, struct svc_order *o)
{
    int64_t id;
    bool mine = true;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = service_store_order(r->db, r->arena, id, o);
    if (rc == AL_OK)
        rc = service_order_visible(r, id, &mine);
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && (!mine || !region_in_scope(r->who->region_code, o->region_code))))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "订单不存在");
    return rc;
}

/* RULE-SVC-002: a caregiver reaches only the orders given to them. */
static int
order_of_caregiver(struct al_req *r, struct svc_order *o, int64_t *me)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = service_store_caregiver_of(r->db, r->who->user_id, me);
    if (rc == AL_OK)
        rc = service_store_order(r->db, r->arena, id, o);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && o->caregiver_id != *me))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "订单不存在");
    return rc;
}

/* RULE-SVC-012: the move `action` from the order's state, or 409 naming the state. */
static int
next_state(struct al_req *r, const struct svc_order *o, int action, const char **to)
{
    int from = service_state_parse(o->status), next;
    if (service_move(from, action, &next) != AL_OK)
        return al_req_fail(r, AL_ECONFLICT, "status", "订单当前状态为「%s」，不能%s",
            service_state_zh(from), service_action_zh(action));
    *to = service_state_id(next);
    return AL_OK;
}

static int
reply_order(struct al_req *r, int status, int64_t id)
{
    json_t *o = NULL;
    int rc = service_store_order_json(r->db, r->arena, id, &o);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, status, o);
}

/* ---- reads ---- */

static int
items_get(struct al_req *r)
{
    json_t *items = json_array();
    int rc = service_store_items(r->db, r->arena, items);
    return rc == AL_OK ? al_reply_items(r, items, -1) : rc;
}

static int
stations_get(struct al_req *r)
{
    json_t *items = json_array();
    int rc = service_store_stations(r->db, r->arena, r->who->region_code, items);
    if (rc == AL_OK)
        rc = service_provider_only(r, items, "provider_id"); /* RULE-SVC-112 */
    return rc == AL_OK ? al_reply_items(r, items, -1) : rc;
}

static int
caregivers_get(struct al_req *r)
{
    json_t *items = json_array();
    int rc = service_store_caregivers(r->db, r->arena, r->who->region_code, r->today, items);
    if (rc == AL_OK)
        rc = service_provider_only(r, items, "id"); /* RULE-SVC-112 */
    return rc == AL_OK ? al_reply_items(r, items, -1) : rc;
}

/* The list's filters from the address (one reader for the list and the board). */
static int
list_filter(struct al_req *r, struct svc_list_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->scope = r->who->region_code;
    struct svc_account acct; /* RULE-SVC-111, RULE-SVC-208 */
    int prc = service_user_account(r->db, r->who->user_id, &acct);
    if (prc != AL_OK)
        return prc;
    f->provider_id = acct.provider;
    f->station_id = acct.station;
    const char *status = al_query_get(&r->query, "status"), *date = al_query_get(&r->query, "date");
    if (status && *status && strcmp(status, "open") != 0) {
        if (service_state_parse(status) < 0)
            return al_req_fail(r, AL_EINVAL, "status", "订单状态不正确");
        f->status = status;
    }
    f->open = status && strcmp(status, "open") == 0;
    if (date && *date) {
        if (!al_date_valid(date))
            return al_req_fail(r, AL_EINVAL, "date", "日期格式应为 YYYY-MM-DD");
        f->date = date;
    }
    int rc = al_query_int(&r->query, "caregiver_id", "护理员", 1, INT64_MAX, 0, &f->caregiver_id,
        &r->err);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &f->limit, &f->offset, &r->err);
    return rc;
}

/* The list, with `counts` by status over the whole list, not the page (RULE-SVC-188). */
static int
orders_get(struct al_req *r)
{
    struct svc_list_filter f;
    int64_t total = 0;
    json_t *items = json_array(), *counts = json_object();
    int rc = list_filter(r, &f);
    if (rc == AL_OK)
        rc = service_store_orders(r->db, r->arena, &f, items, &total);
    if (rc == AL_OK)
        rc = service_store_order_counts(r->db, r->arena, &f, counts);
    if (rc != AL_OK) {
        json_decref(items);
        json_decref(counts);
        return rc;
    }
    return al_reply(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total",
                                (json_int_t)total, "counts", counts));
}

static int
order_get(struct al_req *r)
{
    struct svc_order o;
    json_t *out = NULL, *photos = NULL;
    int rc = order_in_scope(r, &o);
    if (rc == AL_OK)
        rc = service_store_order_json(r->db, r->arena, o.id, &out);
    if (rc == AL_OK) /* RULE-SVC-173: the visit's photos on the order */
        rc = attach_list_json(r->db, r->arena, "order", o.id, &photos);
    if (rc != AL_OK) {
        json_decref(out);
        return rc;
    }
    json_object_set_new(out, "photos", photos);
    return al_reply(r, 200, out);
}

/* ---- placing an order ---- */

static const char *const channels[] = {"helper", "hotline", "family", "elder", NULL};

static const struct al_field order_fields[] = {
    {"elder_id", "老人", AL_FT_INT, AL_F_REQUIRED, .min = 1, .max = INT64_MAX},
    {"items", "服务项目", AL_FT_TEXTS, AL_F_REQUIRED, .min = 1, .max = LINES_MAX, .item_max = 32},
    {"window_start", "预约开始时间", AL_FT_TEXT, AL_F_REQUIRED, .min = 16, .max = 25},
    {"window_end", "预约结束时间", AL_FT_TEXT, AL_F_REQUIRED, .min = 16, .max = 25},
    {"address", "服务地址", AL_FT_TEXT, AL_F_PLAIN, .min = 0, .max = 200},
    {"note", "备注", AL_FT_TEXT, AL_F_PLAIN, .max = 500},
    {"channel", "下单渠道", AL_FT_ENUM, 0, .allowed = channels,
        .hint = "应为 helper（助老员）、hotline（热线）、family（家属）或 elder（本人）"},
    {0},
};

static const char *
sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* RULE-SVC-011: the window lies ahead and ends after it starts, within one day. */
static int
order_window(struct al_req *r, json_t *set, struct svc_new_order *o)
{
    if (!service_parse_time(sget(set, "window_start"), &o->window_start))
        return al_req_fail(r, AL_EINVAL, "window_start",
            "预约开始时间格式应为 YYYY-MM-DDTHH:MM（北京时间）");
    if (!service_parse_time(sget(set, "window_end"), &o->window_end))
        return al_req_fail(r, AL_EINVAL, "window_end", "预约结束时间格式应为 YYYY-MM-DDTHH:MM（北京时间）");
    if (o->window_end <= o->window_start)
        return al_req_fail(r, AL_EINVAL, "window_end", "预约结束时间应晚于开始时间");
    if (o->window_end - o->window_start > 12 * 3600)
        return al_req_fail(r, AL_EINVAL, "window_end", "预约时间段不能超过 12 小时");
    if (o->window_start < r->now - 3600)
        return al_req_fail(r, AL_EINVAL, "window_start", "预约开始时间不能早于现在");
    return AL_OK;
}

/*
 * The order's lines from the item codes (each once, each active), its planned minutes, and the
 * elder's quota left of each entitlement item the lines use (RULE-SVC-014).
 */
static int
order_lines(struct al_req *r, struct svc_new_order *o, json_t *codes, struct svc_line *lines,
    struct svc_quota *quotas, int *nq)
{
    char date[11];
    service_cst_date(o->window_start, date);
    int n = (int)json_array_size(codes);
    for (int i = 0; i < n; i++) {
        struct svc_item it;
        const char *code = json_string_value(json_array_get(codes, (size_t)i));
        int rc = service_store_item(r->db, r->arena, code, &it);
        if (rc == AL_ENOTFOUND)
            return al_req_fail(r, AL_EINVAL, "items", "服务项目 %s 不存在或已停用", code);
        if (rc != AL_OK)
            return rc;
        for (int j = 0; j < i; j++)
            if (strcmp(lines[j].item_code, it.code) == 0)
                return al_req_fail(r, AL_EINVAL, "items", "服务项目「%s」重复", it.name);
        lines[i] = (struct svc_line){.item_code = it.code, .price_fen = it.price_fen,
            .entitle_key = it.entitle_key};
        o->planned_min += it.planned_min;
        bool have = false;
        for (int j = 0; j < *nq && it.entitle_key; j++)
            have = have || strcmp(quotas[j].item_key, it.entitle_key) == 0;
        if (it.entitle_key && !have) {
            quotas[*nq] = (struct svc_quota){.item_key = it.entitle_key};
            /* THE SEAM to the basic service list (issue 12) */
            if ((rc = service_quota_left(r->db, o->elder_id, o->region_code, date,
                     &quotas[*nq])) != AL_OK)
                return rc;
            (*nq)++;
        }
    }
    return AL_OK;
}

/* The order's totals from its priced lines, and the split as the quote shows it. */
static json_t *
order_split_json(struct svc_new_order *o, const struct svc_line *lines, int n)
{
    static const char *const cover[] = {"not_paid", "not_entitled", "covered", "partial", "beyond_quota"};
    static const char *const cover_zh[] = {"无补贴项目", "未享受该补贴", "补贴全额支付",
        "补贴额度不足，部分自付", "本月补贴额度已用完，全部自付"};
    json_t *jl = json_array();
    for (int i = 0; i < n; i++) {
        o->total_fen += lines[i].price_fen;
        o->entitled_fen += lines[i].entitled_fen;
        o->elder_fen += lines[i].elder_fen;
        json_array_append_new(jl, json_pack("{s:s, s:I, s:I, s:I, s:s?, s:s, s:s}", "item_code",
            lines[i].item_code, "price_fen", (json_int_t)lines[i].price_fen, "entitled_fen",
            (json_int_t)lines[i].entitled_fen, "elder_fen", (json_int_t)lines[i].elder_fen,
            "entitle_item_key", lines[i].entitle_key, "cover", cover[lines[i].cover], "cover_name",
            cover_zh[lines[i].cover]));
    }
    return json_pack("{s:I, s:I, s:I, s:b, s:o, s:I, s:s, s:s}", "total_fen",
        (json_int_t)o->total_fen, "entitled_fen", (json_int_t)o->entitled_fen, "elder_fen",
        (json_int_t)o->elder_fen, "beyond_quota", o->beyond, "lines", jl, "planned_min",
        (json_int_t)o->planned_min, "address", o->address, "message",
        o->beyond ? "超出本月补贴额度：超出部分由老人自付" : "");
}

/*
 * Read and price an order's body: the elder (in scope, in the registry), the time window, the
 * items and the funding split (RULE-SVC-010, -011, -014).  Nothing written.
 */
static int
order_read(struct al_req *r, struct svc_new_order *o, struct svc_line **lines_out, json_t **split)
{
    json_t *body, *set = json_object();
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, order_fields, AL_FIELDS_CREATE, set, &r->err);
    if (rc != AL_OK)
        return rc;
    memset(o, 0, sizeof(*o));
    o->elder_id = json_integer_value(json_object_get(set, "elder_id"));
    struct elder_home home;
    rc = elder_home_of(r->db, r->arena, o->elder_id, &home);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, home.region_code)))
        return al_req_fail(r, AL_ENOTFOUND, "elder_id", "老人不存在"); /* RULE-SVC-010 */
    if (rc != AL_OK)
        return rc;
    if (strcmp(home.status, "active") != 0)
        return al_req_fail(r, AL_EUNPROC, "elder_id", "该老人不在册（已迁出、死亡或注销），不能下单");
    if ((rc = order_window(r, set, o)) != AL_OK)
        return rc;
    /* RULE-SVC-010: the address defaults to the elder's home (and its position). */
    const char *addr = sget(set, "address");
    o->address = addr && *addr ? addr : home.address;
    o->has_geo = home.has_geo && !(addr && *addr && strcmp(addr, home.address) != 0);
    o->lat = home.lat;
    o->lng = home.lng;
    o->note = sget(set, "note");
    o->channel = sget(set, "channel");
    if (!o->channel)
        o->channel = strcmp(r->who->role, "helper") == 0 ? "helper" : "hotline";
    o->region_code = home.region_code;
    o->placed_by = r->who->username;

    json_t *codes = json_object_get(set, "items");
    int n = (int)json_array_size(codes);
    if (n < 1)
        return al_req_fail(r, AL_EINVAL, "items", "服务项目不能为空");
    struct svc_line *lines = al_arena_calloc(r->arena, sizeof(*lines) * (size_t)n);
    struct svc_quota quotas[LINES_MAX];
    int nq = 0;
    if ((rc = order_lines(r, o, codes, lines, quotas, &nq)) != AL_OK)
        return rc;
    service_split(lines, n, quotas, nq, &o->beyond); /* RULE-SVC-014 */
    o->lines = lines;
    o->nlines = n;
    *lines_out = lines;
    *split = order_split_json(o, lines, n);
    return AL_OK;
}

/* RULE-SVC-014: the split before the order is placed (nothing written). */
static int
order_quote(struct al_req *r)
{
    struct svc_new_order o;
    struct svc_line *lines;
    json_t *split;
    int rc = order_read(r, &o, &lines, &split);
    return rc == AL_OK ? al_reply(r, 200, split) : rc;
}

static int
order_place(struct al_req *r)
{
    struct svc_new_order o;
    struct svc_line *lines;
    json_t *split;
    int64_t id = 0;
    int rc = order_read(r, &o, &lines, &split);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_order_add(r->db, &o, r->now, &id);
    if (rc == AL_OK)
        rc = service_audit(r, "service.order_place", id, o.region_code,
            json_pack("{s:I, s:I, s:I, s:I, s:b}", "elder_id", (json_int_t)o.elder_id, "total_fen",
                (json_int_t)o.total_fen, "entitled_fen", (json_int_t)o.entitled_fen, "elder_fen",
                (json_int_t)o.elder_fen, "beyond_quota", o.beyond));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    service_publish(r->db, r->arena, id, o.region_code, "created", 0);
    return reply_order(r, 201, id);
}

/* Issue 14: the urgent visit another module asks for (service.h). */
int
service_order_open(struct al_db *db, struct al_arena *a, const struct service_order_ask *q,
    int64_t *id)
{
    struct elder_home home;
    struct svc_item it;
    int rc = elder_home_of(db, a, q->elder_id, &home);
    if (rc != AL_OK)
        return rc;
    if (strcmp(home.status, "active") != 0)
        return AL_EUNPROC;
    if ((rc = service_store_item(db, a, q->item_code, &it)) != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EUNPROC : rc;
    struct svc_line *line = al_arena_calloc(a, sizeof(*line));
    *line = (struct svc_line){.item_code = it.code, .price_fen = it.price_fen,
        .entitle_key = it.entitle_key};
    struct svc_quota quota = {.item_key = it.entitle_key};
    int nq = 0;
    if (it.entitle_key) { /* THE SEAM to the basic service list, as for any order */
        char date[11];
        service_cst_date(q->window_start, date);
        if ((rc = service_quota_left(db, q->elder_id, home.region_code, date, &quota)) != AL_OK)
            return rc;
        nq = 1;
    }
    struct svc_new_order o = {.elder_id = q->elder_id, .region_code = home.region_code,
        .address = home.address, .note = q->note ? q->note : "", .channel = q->channel,
        .placed_by = q->placed_by, .lat = home.lat, .lng = home.lng, .has_geo = home.has_geo,
        .window_start = q->window_start, .window_end = q->window_end,
        .planned_min = it.planned_min, .lines = line, .nlines = 1};
    service_split(line, 1, &quota, nq, &o.beyond); /* RULE-SVC-014 */
    o.total_fen = line->price_fen;
    o.entitled_fen = line->entitled_fen;
    o.elder_fen = line->elder_fen;
    if ((rc = service_store_order_add(db, &o, q->now, id)) != AL_OK)
        return rc;
    /* the dispatch board hears of it (delivered after the commit on PostgreSQL) */
    service_publish(db, a, *id, home.region_code, "created", 0);
    return AL_OK;
}

int
service_order_urgent(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *note,
    const char *placed_by, int64_t now, int64_t *id)
{
    struct service_order_ask q = {.elder_id = elder_id, .item_code = "zhuji", /* 助急 */
        .channel = "hotline", .note = note, .placed_by = placed_by, .window_start = now,
        .window_end = now + 2 * 3600, .now = now};
    return service_order_open(db, a, &q, id);
}

int
service_order_status(struct al_db *db, struct al_arena *a, int64_t id, const char **status,
    const char **status_name)
{
    struct svc_order o;
    int rc = service_store_order(db, a, id, &o);
    if (rc != AL_OK)
        return rc;
    *status = o.status;
    int st = service_state_parse(o.status);
    *status_name = st >= 0 ? service_state_zh(st) : o.status;
    return AL_OK;
}

/* ---- dispatch ---- */

/*
 * The best caregiver for order `o` (RULE-SVC-021..026): *pick and the candidates; the
 * refusal counts as JSON in *why.
 */
static int
propose(struct al_req *r, const struct svc_order *o, struct svc_pick *pick, struct svc_cand **cands,
    int64_t **stations, int *ncands, json_t **why, struct svc_job *job_out)
{
    struct svc_travel_cfg tc;
    struct svc_evv_cfg ec;
    int n = 0;
    int rc = service_store_settings(r->db, &tc, &ec);
    if (rc != AL_OK)
        return rc;
    if (!o->has_geo)
        return al_req_fail(r, AL_EUNPROC, "address", "服务地址没有坐标，无法自动派单，请人工派单");
    char *date = al_arena_alloc(r->arena, 11);
    service_cst_date(o->window_start, date);
    int64_t day = o->window_start - (o->window_start + 8 * 3600) % 86400;
    if ((rc = service_store_candidates(r->db, r->arena, o->region_code, day, day + 86400, o->id,
             cands, stations, &n)) != AL_OK ||
        (rc = service_cands_of_provider(r, *cands, *stations, &n)) != AL_OK) /* RULE-SVC-112 */
        return rc;
    struct svc_job job = {.lat = o->lat, .lng = o->lng, .start = o->window_start,
        .planned_min = o->planned_min, .date = date};
    /* The skills the order's items need. */
    json_t *full = NULL;
    if ((rc = service_store_order_json(r->db, r->arena, o->id, &full)) != AL_OK)
        return rc;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(full, "lines"), i, l) {
        struct svc_item it;
        if (service_store_item(r->db, r->arena, sget(l, "item_code"), &it) != AL_OK)
            continue;
        int k = 0;
        while (k < job.nskills && strcmp(job.skills[k], it.skill) != 0)
            k++;
        if (k == SVC_SKILLS_MAX)
            continue;
        if (k == job.nskills)
            job.skills[job.nskills++] = it.skill;
        job.cert[k] = job.cert[k] || it.cert_required;
    }
    service_pick(&job, *cands, n, &tc, pick);
    *ncands = n;
    if (job_out)
        *job_out = job;
    *why = json_object();
    for (int k = 1; k < SVC_NREFUSALS; k++)
        if (pick->refused[k])
            json_object_set_new(*why, service_refusal_zh(k), json_integer(pick->refused[k]));
    return AL_OK;
}

/* GET: the proposal, nothing written. */
static int
order_proposal(struct al_req *r)
{
    struct svc_order o;
    struct svc_pick pick;
    struct svc_cand *cands;
    int64_t *stations;
    int n;
    json_t *why;
    int rc = order_in_scope(r, &o);
    if (rc == AL_OK)
        rc = propose(r, &o, &pick, &cands, &stations, &n, &why, NULL);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:o, s:i, s:o}", "caregiver_id",
        pick.index >= 0 ? json_integer(cands[pick.index].id) : json_null(), "travel_min",
        pick.travel_min, "refused", why));
}

static int
do_assign(struct al_req *r, const struct svc_order *o, int64_t caregiver, int64_t station,
    const char *reason, json_t *detail)
{
    const char *to;
    int rc = next_state(r, o, SVC_ASSIGN, &to);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_move(r->db, o, to, "assign", caregiver, station, reason, r->who->username,
        r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "订单已被他人更新，请刷新后重试");
    if (rc == AL_OK)
        rc = service_audit(r, "service.order_assign", o->id, o->region_code, detail);
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    service_publish(r->db, r->arena, o->id, o->region_code, to, caregiver);
    return reply_order(r, 200, o->id);
}

/* RULE-SVC-026: automatic assignment. */
static int
order_dispatch(struct al_req *r)
{
    struct svc_order o;
    struct svc_pick pick;
    struct svc_cand *cands;
    int64_t *stations;
    int n;
    json_t *why;
    int rc = order_in_scope(r, &o);
    if (rc == AL_OK)
        rc = propose(r, &o, &pick, &cands, &stations, &n, &why, NULL);
    if (rc != AL_OK)
        return rc;
    if (pick.index < 0) {
        const char *text = al_json_dump(r->arena, why, NULL);
        return al_req_fail(r, AL_EUNPROC, "caregiver_id", "没有符合条件的护理员（%s），请人工派单",
            text ? text : "");
    }
    return do_assign(r, &o, cands[pick.index].id, stations[pick.index], "自动派单",
        json_pack("{s:s, s:I, s:i}", "mode", "auto", "caregiver_id",
            (json_int_t)cands[pick.index].id, "travel_min", pick.travel_min));
}

/* RULE-SVC-027: a manual assignment (an override) states its reason; what it overrides is kept. */
static int
order_assign(struct al_req *r)
{
    struct svc_order o;
    json_t *body;
    int64_t cg = 0, station = 0;
    const char *reason = NULL, *region = NULL;
    int rc = order_in_scope(r, &o);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "caregiver_id", "护理员", AL_REQUIRED, 1, INT64_MAX, &cg, NULL,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "人工派单理由", AL_REQUIRED, 2, 200, &reason, &r->err);
    if (rc != AL_OK)
        return rc;
    bool mine = true;
    rc = service_store_caregiver(r->db, r->arena, cg, &region, &station);
    if (rc == AL_OK)
        rc = service_caregiver_visible(r, cg, &mine); /* RULE-SVC-112 */
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && (!mine || !region_in_scope(r->who->region_code, region))))
        return al_req_fail(r, AL_EINVAL, "caregiver_id", "护理员不存在或已停用");
    if (rc != AL_OK)
        return rc;
    /* What the automatic rules would say about this caregiver, kept with the override. */
    const char *refusal = "无法自动判断（地址没有坐标）";
    struct svc_pick pick;
    struct svc_cand *cands;
    struct svc_job job;
    int64_t *stations;
    int n = 0;
    json_t *why;
    if (o.has_geo && propose(r, &o, &pick, &cands, &stations, &n, &why, &job) == AL_OK) {
        struct svc_travel_cfg tc;
        struct svc_evv_cfg ec;
        service_store_settings(r->db, &tc, &ec);
        refusal = "所属服务站不服务该地区";
        for (int k = 0; k < n; k++)
            if (cands[k].id == cg) {
                int travel;
                refusal = service_refusal_zh(service_fits(&job, &cands[k], &tc, &travel));
            }
    }
    r->err = (struct al_errinfo){0};
    return do_assign(r, &o, cg, station, reason,
        json_pack("{s:s, s:I, s:s, s:s}", "mode", "manual", "caregiver_id", (json_int_t)cg,
            "reason", reason, "overrides", refusal));
}

/* A move with an optional (or required) reason in the body, by a dispatcher or the caregiver. */
static int
move(struct al_req *r, int action, bool caregiver, bool need_reason)
{
    struct svc_order o;
    int64_t me = 0;
    json_t *body = NULL;
    const char *reason = NULL, *to;
    int rc = caregiver ? order_of_caregiver(r, &o, &me) : order_in_scope(r, &o);
    if (rc == AL_OK && (need_reason || r->body_len))
        rc = al_req_json(r, &body);
    if (rc == AL_OK && body)
        rc = al_json_get_str(body, "reason", "理由", need_reason ? AL_REQUIRED : 0,
            need_reason ? 2 : 0, 200, &reason, &r->err);
    if (rc == AL_OK)
        rc = next_state(r, &o, action, &to);
    if (rc != AL_OK)
        return rc;
    /* Back to be dispatched: the caregiver is cleared. */
    bool back = action == SVC_DECLINE || action == SVC_REDISPATCH;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_move(r->db, &o, to, service_action_id(action), back ? 0 : -1, back ? 0 : -1,
        reason, r->who->username, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "订单已被他人更新，请刷新后重试");
    if (rc == AL_OK)
        rc = service_audit(r, al_arena_printf(r->arena, "service.order_%s", service_action_id(action)),
            o.id, o.region_code,
            json_pack("{s:s, s:s, s:s?}", "from", o.status, "to", to, "reason", reason));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    service_publish(r->db, r->arena, o.id, o.region_code, to, back ? 0 : o.caregiver_id);
    return reply_order(r, 200, o.id);
}

static int order_redispatch(struct al_req *r) { return move(r, SVC_REDISPATCH, false, true); }
static int order_cancel(struct al_req *r) { return move(r, SVC_CANCEL, false, true); }
static int order_accept(struct al_req *r) { return move(r, SVC_ACCEPT, true, false); }
static int order_decline(struct al_req *r) { return move(r, SVC_DECLINE, true, true); }
static int order_start(struct al_req *r) { return move(r, SVC_START_TRIP, true, false); }
static int order_arrive(struct al_req *r) { return move(r, SVC_ARRIVE, true, false); }

/* ---- the caregiver's day ---- */

#define MY_DAY_MAX 200 /* a caregiver's visits of one day, all read to be put in order */

struct my_visit {
    json_t *item;
    struct svc_todo todo;
    int64_t start;
};

static int
my_visit_cmp(const void *pa, const void *pb)
{
    const struct my_visit *a = pa, *b = pb;
    if (a->todo.rank != b->todo.rank)
        return a->todo.rank - b->todo.rank;
    return (a->start > b->start) - (a->start < b->start);
}

/*
 * RULE-SVC-187: the day's visits with what to do about each (`todo`), what to do now first;
 * with todo=1 only those with something to do.  The total and the page are of that list.
 */
static json_t *
my_visits_todo(struct al_req *r, json_t *items, bool only, const struct svc_list_filter *f,
    int64_t *total)
{
    size_t n = json_array_size(items), k = 0;
    struct my_visit *v = al_arena_alloc(r->arena, (n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        int64_t start = 0;
        service_parse_time(json_string_value(json_object_get(it, "window_start")), &start);
        struct svc_todo t = service_todo(json_string_value(json_object_get(it, "status")), start,
            r->now);
        if (only && t.rank == SVC_TODO_NONE)
            continue;
        json_object_set_new(it, "todo", json_pack("{s:i, s:s?, s:s?, s:b}", "rank", t.rank,
                                            "action", t.action, "text", t.text, "late", t.late));
        v[k++] = (struct my_visit){.item = it, .todo = t, .start = start};
    }
    qsort(v, k, sizeof(*v), my_visit_cmp);
    json_t *page = json_array();
    for (size_t i = (size_t)f->offset; i < k && (int64_t)(i - (size_t)f->offset) < f->limit; i++)
        json_array_append(page, v[i].item);
    *total = (int64_t)k;
    json_decref(items);
    return page;
}

static int
my_visits(struct al_req *r)
{
    struct svc_list_filter f;
    int64_t total = 0, me = 0, limit, offset;
    json_t *items = json_array();
    const char *todo = al_query_get(&r->query, "todo");
    int rc = service_store_caregiver_of(r->db, r->who->user_id, &me);
    if (rc == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_EUNPROC, NULL, "当前账号未登记为护理员");
    if (rc == AL_OK)
        rc = list_filter(r, &f);
    if (rc == AL_OK && todo && strcmp(todo, "1") != 0 && strcmp(todo, "0") != 0)
        rc = al_req_fail(r, AL_EINVAL, "todo", "todo 应为 1（只列待办）或 0");
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    f.scope = ""; /* RULE-SVC-002: the caregiver's own orders, wherever they are */
    f.caregiver_id = me;
    if (!f.date)
        f.date = r->today;
    limit = f.limit, offset = f.offset;
    f.limit = MY_DAY_MAX, f.offset = 0; /* the whole day, put in order below */
    rc = service_store_orders(r->db, r->arena, &f, items, &total);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    f.limit = limit, f.offset = offset;
    items = my_visits_todo(r, items, todo && strcmp(todo, "1") == 0, &f, &total);
    return al_reply_items(r, items, total);
}

/* RULE-SVC-060: six random digits. */
static void
confirm_code_new(char out[7])
{
    char hex[9];
    al_crypto_random_hex(hex, 4);
    unsigned long v = strtoul(hex, NULL, 16) % 1000000UL;
    snprintf(out, 7, "%06lu", v);
}

/* ---- visit proof (RULE-SVC-040..045) ---- */

static const struct al_field evv_fields[] = {
    /* RULE-SVC-224: all three, or none when the phone gives no position. */
    {"lat", "纬度", AL_FT_REAL, 0, .lo = -90, .hi = 90},
    {"lng", "经度", AL_FT_REAL, 0, .lo = -180, .hi = 180},
    {"accuracy_m", "定位精度", AL_FT_INT, 0, .min = 0, .max = 100000},
    {"at", "记录时间", AL_FT_TEXT, 0, .min = 16, .max = 25},
    {"sent_at", "发送时间", AL_FT_TEXT, 0, .min = 16, .max = 25},
    {"note", "备注", AL_FT_TEXT, AL_F_PLAIN, .max = 500},
    {"checklist", "服务清单", AL_FT_TEXTS, 0, .max = 30, .item_max = 60},
    {0},
};

/*
 * Check-in (in_service) or check-out (completed).  RULE-SVC-044: with an Idempotency-Key the
 * same record sent again (an offline queue syncing late, a retry) is answered as the first time
 * and written once.
 */
static int
visit(struct al_req *r, int action)
{
    const char *scope = action == SVC_CHECKIN ? "service.checkin" : "service.checkout";
    const char *to;
    struct svc_order o;
    int64_t me = 0;
    json_t *body, *set = json_object();
    struct al_idem_req x;
    const char *key = al_req_header(r, AL_IDEM_HEADER); /* its form first, as before */
    int rc = key ? al_idem_key_check(key, &r->err) : AL_OK;
    if (rc == AL_OK)
        rc = order_of_caregiver(r, &o, &me);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_fields_read(body, evv_fields, AL_FIELDS_CREATE, set, &r->err);
    /* RULE-SVC-044: the key is the order's (the same body for another order is another
       request); done before: the same answer, nothing written. */
    if (rc == AL_OK)
        rc = al_idem_req_begin(r, scope, al_arena_printf(r->arena, "%lld", (long long)o.id),
            "该幂等键已用于另一条记录", &x);
    if (rc != AL_OK || x.replayed)
        return rc;
    int64_t at = r->now, sent = r->now;
    const char *at_s = sget(set, "at"), *sent_s = sget(set, "sent_at");
    if (at_s && !service_parse_time(at_s, &at))
        return al_req_fail(r, AL_EINVAL, "at", "记录时间格式应为 YYYY-MM-DDTHH:MM:SS");
    if (sent_s && !service_parse_time(sent_s, &sent))
        return al_req_fail(r, AL_EINVAL, "sent_at", "发送时间格式应为 YYYY-MM-DDTHH:MM:SS");
    if (!sent_s)
        sent = at_s ? r->now : at;
    /* RULE-SVC-224: a record without a position is taken (never blocked) and is not verified:
       the location element is missing (RULE-SVC-070) until an officer resolves it. */
    int given = !!json_object_get(set, "lat") + !!json_object_get(set, "lng") +
                !!json_object_get(set, "accuracy_m");
    if (given != 0 && given != 3) {
        const char *miss = !json_object_get(set, "lat")   ? "lat"
                           : !json_object_get(set, "lng") ? "lng"
                                                          : "accuracy_m";
        return al_req_fail(r, AL_EINVAL, miss,
            "纬度、经度和定位精度应一起提供，或都不提供（无法定位时）");
    }
    bool no_position = given == 0;
    if ((rc = next_state(r, &o, action, &to)) != AL_OK)
        return rc;
    struct svc_travel_cfg tc;
    struct svc_evv_cfg ec;
    if ((rc = service_store_settings(r->db, &tc, &ec)) != AL_OK)
        return rc;
    double lat = json_real_value(json_object_get(set, "lat")),
           lng = json_real_value(json_object_get(set, "lng"));
    int acc = (int)json_integer_value(json_object_get(set, "accuracy_m"));
    struct svc_evv evv = {0};
    service_evv(o.has_geo ? o.lat : lat, o.has_geo ? o.lng : lng, lat, lng, acc, at, sent, r->now,
        &ec, &evv);
    if (no_position)
        evv = (struct svc_evv){.skew = evv.skew}; /* nothing to compare: the element is missing */
    else if (!o.has_geo)
        evv.outside = true; /* no home position to compare with: for review */
    const char *checklist = json_object_get(set, "checklist")
                                ? al_json_dump(r->arena, json_object_get(set, "checklist"), NULL)
                                : NULL;
    struct svc_visit_rec v = {.order_id = o.id, .caregiver_id = me, .elder_id = o.elder_id,
        .region_code = o.region_code, .at = at, .recv_at = r->now, .lat = lat, .lng = lng,
        .accuracy_m = acc, .no_position = no_position, .evv = &evv, .checklist = checklist,
        .note = sget(set, "note")};
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = action == SVC_CHECKIN ? service_store_checkin(r->db, &v) : service_store_checkout(r->db, &v);
    if (rc == AL_OK)
        rc = service_store_move(r->db, &o, to, service_action_id(action), -1, -1,
            no_position ? "无定位" : evv.outside ? "超出签到范围" : NULL, r->who->username,
            r->now);
    if (rc == AL_OK && action == SVC_CHECKOUT) {
        /* RULE-SVC-060: the code the elder's side shows, made at check-out. */
        char code[7];
        confirm_code_new(code);
        rc = service_store_confirm_code_set(r->db, o.id, code);
    }
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "订单已被他人更新，请刷新后重试");
    json_t *answer = NULL;
    if (rc == AL_OK)
        rc = service_audit(r, al_arena_printf(r->arena, "service.%s", service_action_id(action)), o.id,
            o.region_code,
            json_pack("{s:o, s:b, s:b, s:I}", "distance_m",
                no_position ? json_null() : json_integer(evv.distance_m), "outside", evv.outside,
                "clock_skew", evv.skew, "late_s", (json_int_t)(r->now - at)));
    if (rc == AL_OK)
        rc = service_store_order_json(r->db, r->arena, o.id, &answer);
    rc = al_idem_req_keep(r, &x, 200, answer, rc);
    /* RULE-SVC-052: the same record won a race meanwhile: its answer, once. */
    if ((rc = al_idem_req_end(r, &x, rc)) != AL_OK || x.replayed)
        return rc;
    service_publish(r->db, r->arena, o.id, o.region_code, to, o.caregiver_id);
    return al_reply(r, 200, answer);
}

static int order_checkin(struct al_req *r) { return visit(r, SVC_CHECKIN); }
static int order_checkout(struct al_req *r) { return visit(r, SVC_CHECKOUT); }

/* ---- confirmation and rating (RULE-SVC-060..064) ---- */

/*
 * Confirm order `o` (completed → confirmed) as `how`, audited; the caller checked who may and
 * began `x` (RULE-SVC-222: a confirmation sent again with its Idempotency-Key, from an offline
 * queue that did not hear the answer, answers the first answer and writes nothing).
 */
static int
confirm_write(struct al_req *r, struct al_idem_req *x, struct svc_order *o, const char *how,
    const char *reason)
{
    const char *to;
    json_t *answer = NULL;
    int rc = next_state(r, o, SVC_CONFIRM, &to);
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_move(r->db, o, to, "confirm", -1, -1, reason, r->who->username, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "订单已被他人更新，请刷新后重试");
    if (rc == AL_OK)
        rc = service_store_confirmed_by(r->db, o->id, how);
    if (rc == AL_OK)
        rc = service_audit(r, "service.order_confirm", o->id, o->region_code,
            json_pack("{s:s, s:s?}", "by", how, "reason", reason));
    if (rc == AL_OK)
        rc = service_store_order_json(r->db, r->arena, o->id, &answer);
    rc = al_idem_req_keep(r, x, 200, answer, rc);
    if ((rc = al_idem_req_end(r, x, rc)) != AL_OK || x->replayed)
        return rc;
    service_publish(r->db, r->arena, o->id, o->region_code, to, o->caregiver_id);
    return al_reply(r, 200, answer);
}

/* RULE-SVC-222: the confirmation's key, per order (as check-in's, RULE-SVC-044). */
static int
confirm_key(struct al_req *r, const struct svc_order *o, struct al_idem_req *x)
{
    const char *order = al_arena_printf(r->arena, "%lld", (long long)o->id);
    return al_idem_req_begin(r, "service.confirm", order, "该幂等键已用于另一次确认", x);
}

/* GET: the code the elder's side shows (RULE-SVC-060); only while the order awaits it. */
static int
order_confirm_code(struct al_req *r)
{
    struct svc_order o;
    int rc = order_in_scope(r, &o);
    return rc == AL_OK ? service_code_reply(r, &o) : rc;
}

/*
 * RULE-SVC-061: the caregiver enters the code at check-out.  A wrong code counts (kept even
 * though the request fails); after SVC_CONFIRM_TRIES wrong ones only a helper may confirm.
 */
static int
order_confirm(struct al_req *r)
{
    struct svc_order o;
    int64_t me = 0;
    json_t *body;
    const char *given = NULL, *code = NULL, *to;
    int tries = 0;
    struct al_idem_req x;
    int rc = order_of_caregiver(r, &o, &me);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "code", "确认码", AL_REQUIRED, 1, 12, &given, &r->err);
    if (rc == AL_OK && ((rc = confirm_key(r, &o, &x)) != AL_OK || x.replayed))
        return rc;
    if (rc == AL_OK)
        rc = next_state(r, &o, SVC_CONFIRM, &to);
    if (rc == AL_OK)
        rc = service_store_confirm_info(r->db, r->arena, o.id, &code, &tries);
    if (rc != AL_OK)
        return rc;
    if (tries >= SVC_CONFIRM_TRIES)
        return al_req_fail(r, AL_ECONFLICT, "code",
            "确认码已连续输错 %d 次，请由助老员代老人确认", SVC_CONFIRM_TRIES);
    if (!code || strcmp(code, given) != 0) {
        if ((rc = al_db_begin(r->db)) != AL_OK)
            return rc;
        rc = service_store_confirm_miss(r->db, o.id);
        if (rc == AL_OK)
            rc = service_audit(r, "service.order_confirm_miss", o.id, o.region_code,
                json_pack("{s:i}", "tries", tries + 1));
        if ((rc = al_db_end(r->db, rc)) != AL_OK)
            return rc;
        int left = SVC_CONFIRM_TRIES - tries - 1;
        if (left <= 0)
            return al_req_fail(r, AL_EINVAL, "code",
                "确认码不正确，已连续输错 %d 次，请由助老员代老人确认", SVC_CONFIRM_TRIES);
        return al_req_fail(r, AL_EINVAL, "code", "确认码不正确，还可以再试 %d 次", left);
    }
    return confirm_write(r, &x, &o, "code", NULL);
}

/* RULE-SVC-063: a helper confirms on the elder's behalf, with a reason. */
static int
order_confirm_for(struct al_req *r)
{
    struct svc_order o;
    json_t *body;
    const char *reason = NULL;
    struct al_idem_req x;
    int rc = order_in_scope(r, &o);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason", "代确认理由", AL_REQUIRED, 2, 200, &reason, &r->err);
    if (rc != AL_OK || (rc = confirm_key(r, &o, &x)) != AL_OK || x.replayed)
        return rc;
    return confirm_write(r, &x, &o, "helper", reason);
}

/*
 * RULE-SVC-234: the elder or family signs on the caregiver's screen.  The page uploads the pad
 * as a PNG attachment of the order (tag signature, RULE-SVC-170) and names it here; a blank pad
 * or a dot is refused; the order is confirmed "signature" with the attachment in its audit.
 */
static int
order_confirm_signature(struct al_req *r)
{
    struct svc_order o;
    int64_t me = 0, att = 0;
    json_t *body;
    const char *to, *type = NULL;
    const unsigned char *png = NULL;
    size_t len = 0;
    struct svc_png img;
    struct al_idem_req x;
    int rc = order_of_caregiver(r, &o, &me);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "attachment_id", "签名图片", AL_REQUIRED, 1, INT64_MAX, &att,
            NULL, &r->err);
    if (rc == AL_OK && ((rc = confirm_key(r, &o, &x)) != AL_OK || x.replayed))
        return rc;
    if (rc == AL_OK)
        rc = next_state(r, &o, SVC_CONFIRM, &to);
    if (rc == AL_OK)
        rc = attach_bytes(r->db, r->arena, att, "order", o.id, "signature", &png, &len, &type);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_EUNPROC, "attachment_id", "没有找到本订单的签名图片，请重新签名");
    if (rc != AL_OK)
        return rc;
    if (strcmp(type, "image/png") != 0 || !service_png_ink(r->arena, png, len, &img))
        return al_req_fail(r, AL_EUNPROC, "signature", "签名图片应为签名板生成的 PNG 图片");
    if (!service_signature_ok(&img))
        return al_req_fail(r, AL_EUNPROC, "signature",
            "签名是空白的或太小，请老人或家属在签名框内写下姓名");
    return confirm_write(r, &x, &o, "signature",
        al_arena_printf(r->arena, "签名图片 %lld", (long long)att));
}

/* RULE-SVC-064: a rating 1–5, an optional comment and complaint (the supervision queue's seam). */
static int
order_rate(struct al_req *r)
{
    struct svc_order o;
    int to;
    int rc = order_in_scope(r, &o);
    if (rc == AL_OK)
        rc = service_rate(r, &o, NULL, &to);
    return rc == AL_OK ? reply_order(r, 200, o.id) : rc;
}

/* A month "YYYY-MM" as [from, to) unix seconds of China time; 400 naming `month` otherwise. */
static int
month_bounds(struct al_req *r, const char *month, const char *label, int64_t *from, int64_t *to)
{
    int y = 0, m = 0, n = 0;
    char a[40], b[40];
    if (!month || sscanf(month, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || month[7] || m < 1 ||
        m > 12 || y < 2000)
        return al_req_fail(r, AL_EINVAL, "month", "%s格式应为 YYYY-MM", label);
    snprintf(a, sizeof(a), "%04d-%02d-01T00:00", y, m);
    snprintf(b, sizeof(b), "%04d-%02d-01T00:00", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    if (!service_parse_time(a, from) || !service_parse_time(b, to))
        return al_req_fail(r, AL_EINVAL, "month", "%s格式应为 YYYY-MM", label);
    return AL_OK;
}

/* ---- visit exceptions (RULE-SVC-070..074) ---- */

static json_t *
exceptions_json(unsigned m)
{
    json_t *a = json_array();
    for (unsigned bit = 1; bit < (1u << SVC_NEXC); bit <<= 1)
        if (m & bit)
            json_array_append_new(a, json_pack("{s:s, s:s}", "id", service_exception_id(bit),
                "name", service_exception_zh(bit)));
    return a;
}

/* RULE-SVC-196: `code` must be an active code of `kind` (400 naming `field`, listing them). */
static int
fix_code_active(struct al_req *r, const char *kind, const char *field, const char *label,
    const char *code, struct svc_fix_code *c)
{
    int rc = service_store_fix_code(r->db, r->arena, kind, code, c);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !c->active)) {
        const char *hint = "";
        if ((rc = service_store_fix_codes_hint(r->db, r->arena, kind, &hint)) != AL_OK)
            return rc;
        return al_req_fail(r, AL_EINVAL, field, "%s应为 %s", label, hint);
    }
    return rc;
}

/* The fix's body: the two codes (active, RULE-SVC-196) and a note. */
static int
fix_read(struct al_req *r, const char **reason, const char **resolution, const char **note,
    struct svc_fix_code *rs, struct svc_fix_code *rv)
{
    json_t *body;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "reason_code", "异常原因", AL_REQUIRED, 1, 32, reason, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "resolution_code", "处理结果", AL_REQUIRED, 1, 32, resolution,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "note", "处理说明", 0, 0, 500, note, &r->err);
    if (rc == AL_OK)
        rc = fix_code_active(r, "reason", "reason_code", "异常原因", *reason, rs);
    if (rc == AL_OK)
        rc = fix_code_active(r, "resolution", "resolution_code", "处理结果", *resolution, rv);
    return rc;
}

/*
 * RULE-SVC-073, RULE-SVC-196: a manual fix of a flagged visit: an active reason code and
 * resolution code, audited.  RULE-SVC-192: a fix of 超时未确认 that pays confirms the order on the
 * elder's behalf (confirmed_by `fix`) in the same transaction.
 */
static int
visit_fix(struct al_req *r)
{
    struct svc_order o;
    struct svc_visit_row v;
    struct svc_fix_code rs, rv;
    const char *reason = NULL, *resolution = NULL, *note = NULL, *to = NULL;
    int rc = order_in_scope(r, &o);
    if (rc == AL_OK)
        rc = fix_read(r, &reason, &resolution, &note, &rs, &rv);
    if (rc != AL_OK)
        return rc;
    struct svc_travel_cfg tc;
    struct svc_evv_cfg ec;
    rc = service_store_visit_row(r->db, r->arena, o.id, &v);
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_EUNPROC, NULL, "该订单还没有签到记录");
    if (rc == AL_OK)
        rc = service_store_settings(r->db, &tc, &ec);
    if (rc != AL_OK)
        return rc;
    ec.now = r->now;
    /* RULE-SVC-220: an exception that arose after the fix is open again; the fix then covers
     * it too, with the new codes (the earlier ones stay in the audit log). */
    unsigned all = service_exceptions(&v.f, &ec), m = service_open_exceptions(&v, &ec);
    if (!all)
        return al_req_fail(r, AL_EUNPROC, NULL, "该上门记录无异常，无需人工处理");
    if (v.fixed && (v.not_payable || !m))
        return al_req_fail(r, AL_ECONFLICT, NULL,
            v.not_payable ? "该上门记录已处理为不予结算" : "该上门记录的异常已处理");
    bool confirm = (m & SVC_EXC_UNCONFIRMED) && rv.payable;
    if (confirm && (rc = next_state(r, &o, SVC_CONFIRM, &to)) != AL_OK)
        return rc;
    char ids[160] = "";
    for (unsigned bit = 1; bit < (1u << SVC_NEXC); bit <<= 1)
        if ((m | v.fixed_mask) & bit)
            snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s", *ids ? "," : "",
                service_exception_id(bit));
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_fix_add(r->db, o.id, v.fixed_ids, ids, reason, resolution, note,
        r->who->username, r->now);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "该上门记录的异常已处理");
    if (rc == AL_OK && confirm) {
        rc = service_store_move(r->db, &o, to, "confirm", -1, -1,
            al_arena_printf(r->arena, "超时未确认，人工核实：%s／%s", rs.name, rv.name),
            r->who->username, r->now);
        if (rc == AL_OK)
            rc = service_store_confirmed_by(r->db, o.id, "fix");
        if (rc == AL_ECONFLICT)
            al_req_fail(r, AL_ECONFLICT, NULL, "订单已被他人更新，请刷新后重试");
    }
    if (rc == AL_OK)
        rc = service_audit(r, "service.visit_fix", o.id, o.region_code,
            json_pack("{s:s, s:s, s:s, s:s?, s:b}", "exceptions", ids, "reason_code", reason,
                "resolution_code", resolution, "note", note, "confirmed", confirm));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    if (confirm)
        service_publish(r->db, r->arena, o.id, o.region_code, to, o.caregiver_id);
    return al_reply(r, 200, json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:b, s:b}", "order_id",
        (json_int_t)o.id, "exceptions", exceptions_json(m), "reason_code", reason, "reason_name",
        rs.name, "resolution_code", resolution, "resolution_name", rv.name, "fixed", 1,
        "confirmed", confirm));
}

/*
 * RULE-SVC-074: per provider and month, the visits, those verified with no manual edit (their
 * share against the 95 % target), the exceptions by kind and the fixes; and the flagged visits.
 */
static int
evv_report(struct al_req *r)
{
    int64_t from, to;
    struct svc_visit_row *rows;
    size_t n = 0;
    const char *month = al_query_get(&r->query, "month");
    char this_month[8];
    if (!month) { /* RULE-SVC-074: no month asked: the request's month (China time) */
        snprintf(this_month, sizeof(this_month), "%.7s", r->today);
        month = this_month;
    }
    struct svc_travel_cfg tc;
    struct svc_evv_cfg ec;
    struct svc_account mine = {0};
    int rc = month_bounds(r, month, "月份", &from, &to);
    if (rc == AL_OK)
        rc = service_store_settings(r->db, &tc, &ec);
    if (rc == AL_OK) /* RULE-SVC-181, RULE-SVC-211 */
        rc = service_user_account(r->db, r->who->user_id, &mine);
    if (rc == AL_OK)
        rc = service_store_visit_rows(r->db, r->arena, r->who->region_code, from, to, &rows, &n);
    if (rc != AL_OK)
        return rc;
    ec.now = r->now; /* RULE-SVC-192: unconfirmed as of this request */
    json_t *providers = json_array(), *flagged = json_array();
    for (size_t i = 0; i < n; i++) {
        if ((mine.provider && rows[i].provider_id != mine.provider) ||
            (mine.station && rows[i].station_id != mine.station))
            continue; /* RULE-SVC-181, RULE-SVC-211: an account sees its own visits only */
        unsigned m = service_exceptions(&rows[i].f, &ec);
        json_t *p = NULL;
        size_t k;
        json_t *x;
        json_array_foreach(providers, k, x) {
            if (json_integer_value(json_object_get(x, "provider_id")) == rows[i].provider_id)
                p = x;
        }
        if (!p) {
            p = json_pack("{s:I, s:s?, s:i, s:i, s:i, s:{}}", "provider_id",
                (json_int_t)rows[i].provider_id, "provider_name", rows[i].provider_name, "visits",
                0, "verified", 0, "fixed", 0, "exceptions");
            for (unsigned bit = 1; bit < (1u << SVC_NEXC); bit <<= 1)
                json_object_set_new(json_object_get(p, "exceptions"), service_exception_id(bit),
                    json_integer(0));
            json_array_append_new(providers, p);
        }
        json_object_set_new(p, "visits",
            json_integer(json_integer_value(json_object_get(p, "visits")) + 1));
        if (!m && !rows[i].fixed)
            json_object_set_new(p, "verified",
                json_integer(json_integer_value(json_object_get(p, "verified")) + 1));
        if (rows[i].fixed)
            json_object_set_new(p, "fixed",
                json_integer(json_integer_value(json_object_get(p, "fixed")) + 1));
        json_t *ex = json_object_get(p, "exceptions");
        for (unsigned bit = 1; bit < (1u << SVC_NEXC); bit <<= 1)
            if (m & bit)
                json_object_set_new(ex, service_exception_id(bit),
                    json_integer(json_integer_value(json_object_get(ex, service_exception_id(bit))) + 1));
        /* RULE-SVC-220: `open`, what no fix covers yet; `fixed` when nothing is open. */
        unsigned open = rows[i].not_payable ? 0 : service_open_exceptions(&rows[i], &ec);
        if (m)
            json_array_append_new(flagged, json_pack("{s:I, s:I, s:o, s:o, s:b}", "order_id",
                (json_int_t)rows[i].order_id, "provider_id", (json_int_t)rows[i].provider_id,
                "exceptions", exceptions_json(m), "open", exceptions_json(open), "fixed",
                rows[i].fixed && !open));
    }
    size_t k;
    json_t *p;
    json_array_foreach(providers, k, p) {
        json_int_t v = json_integer_value(json_object_get(p, "visits")),
                   ok = json_integer_value(json_object_get(p, "verified"));
        /* per mille, rounded down: 95 % is met only when truly reached */
        json_int_t permille = v ? ok * 1000 / v : 0;
        json_object_set_new(p, "verified_pct", json_real((double)permille / 10.0));
        json_object_set_new(p, "meets_target",
            json_boolean(v > 0 && ok * 100 >= (json_int_t)SVC_VERIFIED_TARGET_PCT * v));
    }
    /* RULE-SVC-193: every kind with its Chinese name, for the counts of `exceptions` */
    return al_reply(r, 200, json_pack("{s:s, s:i, s:o, s:o, s:o}", "month", month, "target_pct",
        SVC_VERIFIED_TARGET_PCT, "providers", providers, "flagged", flagged, "kinds",
        exceptions_json((1u << SVC_NEXC) - 1)));
}

/* ---- monthly settlement (RULE-SVC-080..084) ---- */

static int
settle_audit(struct al_req *r, const char *action, int64_t id, const char *region, json_t *detail)
{
    struct audit_entry e = {.action = action, .target_type = "service_settlement",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id), .region_code = region,
        .outcome = "success", .detail = detail};
    return audit_append(r, &e);
}

/*
 * RULE-SVC-080: a statement outside the caller's region is 404 like a missing one; with its lines
 * from `offset` (RULE-SVC-206), or the head only when `offset` < 0.
 */
static int
settlement_in_scope(struct al_req *r, int64_t offset, json_t **t)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = service_store_settlement(r->db, r->arena, id, offset, t);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code,
                                                   sget(*t, "region_code"))))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "结算单不存在");
    return rc;
}

static int
settlements_get(struct al_req *r)
{
    json_t *items = json_array();
    int rc = service_store_settlements(r->db, r->arena, r->who->region_code, items);
    return rc == AL_OK ? al_reply_items(r, items, -1) : rc;
}

/* RULE-SVC-206: ?offset= pages the lines, SVC_LINES_PAGE at a time. */
static int
settlement_get(struct al_req *r)
{
    json_t *t;
    int64_t offset = 0;
    int rc = al_query_int(&r->query, "offset", "明细起始序号", 0, INT64_MAX, 0, &offset, &r->err);
    if (rc == AL_OK)
        rc = settlement_in_scope(r, offset, &t);
    return rc == AL_OK ? al_reply(r, 200, t) : rc;
}

/* RULE-SVC-081: a provider's draft statement of a month: its confirmed and rated visits. */
static int
settlement_create(struct al_req *r)
{
    json_t *body, *t = NULL;
    int64_t provider = 0, id = 0, from, to;
    const char *month = NULL, *region = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_int(body, "provider_id", "服务机构", AL_REQUIRED, 1, INT64_MAX, &provider,
            NULL, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "month", "结算月份", AL_REQUIRED, 7, 7, &month, &r->err);
    if (rc != AL_OK)
        return rc;
    if ((rc = month_bounds(r, month, "结算月份", &from, &to)) != AL_OK)
        return rc;
    if (strncmp(month, r->today, 7) > 0) /* RULE-SVC-184: a month not begun (China time) */
        return al_req_fail(r, AL_EUNPROC, "month", "%s 尚未到来，不能结算（本月为 %.7s）", month,
            r->today);
    rc = service_store_provider_region(r->db, r->arena, provider, &region);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, region) &&
                                  !region_in_scope(region, r->who->region_code)))
        return al_req_fail(r, AL_EINVAL, "provider_id", "服务机构不存在");
    if (rc != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    int held = 0;
    rc = service_store_settle_create(r->db, r->arena, provider, r->who->region_code, month, from,
        to, r->who->username, r->now, &id, &held);
    if (rc == AL_ECONFLICT) /* RULE-SVC-082: UNIQUE (provider_id, month) */
        al_req_fail(r, AL_ECONFLICT, "month", "该服务机构 %s 的结算单已存在", month);
    if (rc == AL_OK)
        rc = service_store_settlement(r->db, r->arena, id, 0, &t);
    if (rc == AL_OK && json_integer_value(json_object_get(t, "orders")) == 0) {
        json_decref(t);
        rc = al_req_fail(r, AL_EUNPROC, "month", "%s 没有可结算的已确认订单%s", month,
            held ? "（有异常未处理的上门记录暂不结算）" : "");
    }
    if (rc == AL_OK) /* RULE-SVC-085 */
        json_object_set_new(t, "held_back", json_integer(held));
    if (rc == AL_OK)
        rc = settle_audit(r, "service.settlement_create", id, r->who->region_code,
            json_pack("{s:I, s:s, s:O, s:O, s:O, s:O}", "provider_id", (json_int_t)provider,
                "month", month, "orders", json_object_get(t, "orders"), "total_fen",
                json_object_get(t, "total_fen"), "entitled_fen", json_object_get(t, "entitled_fen"),
                "elder_fen", json_object_get(t, "elder_fen")));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, t);
}

/*
 * RULE-SVC-083: approving locks the month: every order on it moves to settled, or nothing does;
 * RULE-SVC-201: the entitlement draws of its visits are written in the same transaction.
 */
static int
settlement_approve(struct al_req *r)
{
    json_t *t;
    int64_t n = 0;
    int rc = settlement_in_scope(r, -1, &t);
    if (rc != AL_OK)
        return rc;
    int64_t id = json_integer_value(json_object_get(t, "id"));
    const char *region = al_arena_strdup(r->arena, sget(t, "region_code"));
    json_decref(t);
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_settle_approve(r->db, r->arena, id, r->who->username, r->now, &n);
    if (rc == AL_ENOTFOUND)
        rc = al_req_fail(r, AL_ECONFLICT, "status", "结算单已审核，不能重复审核");
    else if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "结算单上的订单已被他人更新，请刷新后重试");
    if (rc == AL_OK)
        rc = settle_audit(r, "service.settlement_approve", id, region,
            json_pack("{s:I}", "orders", (json_int_t)n));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    if ((rc = service_store_settlement(r->db, r->arena, id, 0, &t)) != AL_OK)
        return rc;
    return al_reply(r, 200, t);
}

/*
 * RULE-SVC-197..201: an approved statement takes what its month owes since: the visits verified,
 * fixed or confirmed after approval as adjusting lines, the paid visits found not payable as
 * reversal lines; approved lines never change.  Nothing to adjust: 422.
 */
static int
settlement_adjust(struct al_req *r)
{
    json_t *t;
    struct svc_adjust in = {.by = r->who->username, .now = r->now};
    struct svc_adjust_out out;
    int rc = settlement_in_scope(r, -1, &t);
    if (rc != AL_OK)
        return rc;
    in.id = json_integer_value(json_object_get(t, "id"));
    in.provider = json_integer_value(json_object_get(t, "provider_id"));
    const char *region = al_arena_strdup(r->arena, sget(t, "region_code"));
    const char *month = al_arena_strdup(r->arena, sget(t, "month"));
    in.scope = region; /* the scope the statement was made in, whoever adjusts it */
    bool approved = strcmp(sget(t, "status"), "approved") == 0;
    json_decref(t);
    if (!approved)
        return al_req_fail(r, AL_ECONFLICT, "status", "结算单尚未审核：请先审核，审核后的核实再补充结算");
    if ((rc = month_bounds(r, month, "结算月份", &in.from, &in.to)) != AL_OK)
        return rc;
    if ((rc = al_db_begin(r->db)) != AL_OK)
        return rc;
    rc = service_store_settle_adjust(r->db, r->arena, &in, &out);
    if (rc == AL_ECONFLICT)
        al_req_fail(r, AL_ECONFLICT, NULL, "结算单已被他人调整，请刷新后重试");
    if (rc == AL_OK && out.added + out.reversed == 0)
        rc = al_req_fail(r, AL_EUNPROC, NULL, "%s 没有需要补充结算或冲销的上门记录%s", month,
            out.held ? "（有异常未处理的上门记录暂不结算）" : "");
    if (rc == AL_OK)
        rc = settle_audit(r, "service.settlement_adjust", in.id, region,
            json_pack("{s:s, s:i, s:i, s:i}", "month", month, "added", out.added, "reversed",
                out.reversed, "held_back", out.held));
    if ((rc = al_db_end(r->db, rc)) != AL_OK)
        return rc;
    if ((rc = service_store_settlement(r->db, r->arena, in.id, 0, &t)) != AL_OK)
        return rc;
    json_object_set_new(t, "added", json_integer(out.added));
    json_object_set_new(t, "reversed", json_integer(out.reversed));
    json_object_set_new(t, "held_back", json_integer(out.held));
    return al_reply(r, 200, t);
}

static const char *
xcell_yuan(struct al_export_cell *c)
{
    int64_t v = al_stmt_int(c->st, c->col);
    snprintf(c->buf, c->size, "%s%lld.%02lld", v < 0 ? "-" : "", (long long)llabs(v) / 100,
        (long long)llabs(v) % 100);
    return c->buf;
}

static const struct al_export_col settle_xcols[] = {AL_XCOLF("序号", 0, al_xcell_row_number),
    AL_XCOL("订单号", 0), AL_XCOL("老人", 1), AL_XCOL("身份证号（脱敏）", 2),
    AL_XCOL("服务日期", 3), AL_XCOLF("金额（元）", 4, xcell_yuan),
    AL_XCOLF("补贴支付（元）", 5, xcell_yuan), AL_XCOLF("老人自付（元）", 6, xcell_yuan),
    AL_XCOL("类型", 7), AL_XCOL_END};

static struct al_stmt *
settle_export_page(void *ctx, const char *const *after)
{
    (void)after;
    struct al_req *r = ((void **)ctx)[0];
    int64_t id = *(int64_t *)((void **)ctx)[1];
    return service_store_settle_export_stmt(r->db, id);
}

/* RULE-SVC-084: CSV or XLSX of the statement's lines, audited. */
static int
settlement_export(struct al_req *r)
{
    json_t *t;
    const char *format;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = settlement_in_scope(r, -1, &t);
    if (rc != AL_OK)
        return rc;
    int64_t id = json_integer_value(json_object_get(t, "id"));
    /* RULE-SVC-200: the adjusting lines too, and what they add */
    const char *title = al_arena_printf(r->arena,
        "%s %s 上门服务结算单（合计 %lld 分，调整 %lld 分，实付 %lld 分）",
        sget(t, "provider_name"), sget(t, "month"),
        (long long)json_integer_value(json_object_get(t, "total_fen")),
        (long long)json_integer_value(json_object_get(t, "adjust_total_fen")),
        (long long)json_integer_value(json_object_get(t, "paid_total_fen")));
    const char *name = al_arena_printf(r->arena, "上门服务结算单-%s-%lld", sget(t, "month"),
        (long long)id);
    rc = settle_audit(r, "service.settlement_export", id, sget(t, "region_code"),
        json_pack("{s:s, s:I}", "format", format, "rows",
            (json_int_t)(json_integer_value(json_object_get(t, "orders")) +
                         json_integer_value(json_object_get(t, "adjustments")))));
    json_decref(t);
    if (rc != AL_OK)
        return rc;
    void *ctx[2] = {r, &id}; /* nkeys 0: one statement, read before al_export_list returns */
    struct al_export_list l = {.title = title, .name = name, .cols = settle_xcols,
        .page = settle_export_page, .ctx = ctx, .nkeys = 0};
    return al_export_list(r, format, &l, NULL);
}

/* ---- the live board (RULE-SVC-030) ---- */

#define BOARD_SERVED_MAX 64

struct board_stream {
    char scope[16];
    int64_t provider;                          /* RULE-SVC-180: a provider account's; 0 */
    int64_t station;                           /* RULE-SVC-210: a station account's; 0 */
    size_t nserved;                            /* the regions its active stations serve */
    char served[BOARD_SERVED_MAX][16];
};

/*
 * RULE-SVC-180: a provider account hears of its provider's orders as its order list shows them
 * (RULE-SVC-111): those of its stations, and those not dispatched in a region it serves.
 */
static bool
board_provider_sees(const struct board_stream *b, int64_t provider, int64_t station,
    const char *region)
{
    if (!b->provider)
        return true;
    if (provider) /* RULE-SVC-210: a station account hears of its own station's orders */
        return provider == b->provider && (!b->station || station == b->station);
    for (size_t i = 0; i < b->nserved; i++)
        if (region_in_scope(b->served[i], region))
            return true;
    return false;
}

/* An order changed: passed on when it lies in the viewer's region (RULE-SVC-001). */
static void
on_board_event(struct al_follow *f, void *state, const char *payload)
{
    struct board_stream *b = state;
    json_t *p = json_loads(payload, 0, NULL);
    const char *region = json_string_value(json_object_get(p, "region_code"));
    int64_t provider = json_integer_value(json_object_get(p, "provider_id")),
            station = json_integer_value(json_object_get(p, "station_id"));
    if (region && region_in_scope(b->scope, region) &&
        board_provider_sees(b, provider, station, region))
        al_follow_send(f, "order", payload); /* a client that does not read: ended */
    json_decref(p);
}

/*
 * RULE-SVC-180, RULE-SVC-210: a provider or station account's stream knows whom it is for and
 * the regions its (active) stations serve.
 */
static int
board_provider(struct al_req *r, struct board_stream *b)
{
    const char *served[BOARD_SERVED_MAX];
    struct svc_account acct;
    int rc = service_user_account(r->db, r->who->user_id, &acct);
    b->provider = acct.provider;
    b->station = acct.station;
    if (rc == AL_OK && b->provider)
        rc = service_store_provider_regions(r->db, r->arena, b->provider, b->station, served,
            BOARD_SERVED_MAX, &b->nserved);
    for (size_t i = 0; rc == AL_OK && i < b->nserved; i++)
        snprintf(b->served[i], sizeof(b->served[i]), "%s", served[i]);
    return rc;
}

static int
board_events(struct al_req *r)
{
    if (evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD)
        return al_reply(r, 200, NULL);
    struct board_stream *b, who = {0};
    snprintf(who.scope, sizeof(who.scope), "%s", r->who->region_code);
    int rc = board_provider(r, &who);
    if (rc != AL_OK)
        return rc;
    struct al_follow *f = al_follow_start(r, SERVICE_CHANNEL, sizeof(*b), on_board_event, NULL,
        (void **)&b);
    if (!f)
        return AL_EUNAVAIL;
    *b = who;
    if (al_follow_send(f, "ready", "{}"))
        al_follow_arm(f);
    return AL_OK;
}

static const struct al_route service_routes[] = {
    {AL_GET, "/api/v1/service/items", items_get, "service.read", 0, "上门服务项目（价格、时长、所需技能、可用补贴）"},
    {AL_GET, "/api/v1/service/stations", stations_get, "service.read", 0, "本辖区服务站"},
    {AL_GET, "/api/v1/service/caregivers", caregivers_get, "service.read", 0, "本辖区护理员"},
    {AL_GET, "/api/v1/service/orders", orders_get, "service.read", 0,
        "上门服务订单（status、date、caregiver_id；status=open 为未结束的订单；counts 为整个列表按状态的计数）"},
    {AL_POST, "/api/v1/service/orders/quote", order_quote, "service.order", 0,
        "下单前试算补贴与自付金额（不保存、不留痕）"},
    {AL_POST, "/api/v1/service/orders", order_place, "service.order", 0, "代老人下单上门服务"},
    {AL_GET, "/api/v1/service/board/events", board_events, "service.read", 0,
        "调度看板实时事件（SSE：订单状态变化）"},
    {AL_GET, "/api/v1/service/my/visits", my_visits, "service.visit", 0, "护理员本人某日（默认今日）的上门任务，现在要做的在前（todo=1 只列待办）"},
    {AL_GET, "/api/v1/service/orders/:id", order_get, "service.read", 0, "订单详情（明细、状态记录、签到签出）"},
    {AL_GET, "/api/v1/service/orders/:id/proposal", order_proposal, "service.dispatch", 0,
        "自动派单建议（不保存）"},
    {AL_POST, "/api/v1/service/orders/:id/dispatch", order_dispatch, "service.dispatch", 0, "自动派单"},
    {AL_POST, "/api/v1/service/orders/:id/assign", order_assign, "service.dispatch", 0,
        "人工派单（须填写理由）"},
    {AL_POST, "/api/v1/service/orders/:id/redispatch", order_redispatch, "service.dispatch", 0,
        "收回改派（须填写理由）"},
    {AL_POST, "/api/v1/service/orders/:id/cancel", order_cancel, "service.order", 0, "取消订单（须填写理由）"},
    {AL_POST, "/api/v1/service/orders/:id/accept", order_accept, "service.visit", 0, "护理员接单"},
    {AL_POST, "/api/v1/service/orders/:id/decline", order_decline, "service.visit", 0,
        "护理员拒单（须填写理由，订单回到待派单）"},
    {AL_POST, "/api/v1/service/orders/:id/start", order_start, "service.visit", 0, "护理员出发"},
    {AL_POST, "/api/v1/service/orders/:id/arrive", order_arrive, "service.visit", 0, "护理员到达"},
    {AL_POST, "/api/v1/service/orders/:id/checkin", order_checkin, "service.visit", 0,
        "签到（定位、精度、记录时间；Idempotency-Key 防重复）"},
    {AL_POST, "/api/v1/service/orders/:id/checkout", order_checkout, "service.visit", 0,
        "签出（定位、服务清单；Idempotency-Key 防重复）"},
    {AL_GET, "/api/v1/service/orders/:id/confirm-code", order_confirm_code, "service.read", 0,
        "老人/家属端显示的服务确认码（签出后）"},
    {AL_POST, "/api/v1/service/orders/:id/confirm", order_confirm, "service.visit", 0,
        "护理员输入老人提供的确认码（错 5 次后须助老员代确认；Idempotency-Key 防重复）"},
    {AL_POST, "/api/v1/service/orders/:id/confirm-signature", order_confirm_signature,
        "service.visit", 0, "护理员屏幕上老人或家属手写签名确认（先上传签名图片；Idempotency-Key 防重复）"},
    {AL_POST, "/api/v1/service/orders/:id/confirm-for-elder", order_confirm_for, "service.order", 0,
        "助老员代老人确认服务完成（须填写理由；Idempotency-Key 防重复）"},
    {AL_POST, "/api/v1/service/orders/:id/rate", order_rate, "service.order", 0,
        "评价（1–5 分、评价内容、投诉）"},
    {AL_POST, "/api/v1/service/orders/:id/fix", visit_fix, "service.dispatch", 0,
        "人工处理上门记录异常（异常原因代码、处理结果代码）"},
    {AL_GET, "/api/v1/service/evv/report", evv_report, "service.read", 0,
        "上门记录核验月报（month=YYYY-MM：各服务机构无人工修改核验率、异常分类）"},
    {AL_GET, "/api/v1/service/settlements", settlements_get, "service.settle", 0, "服务机构月度结算单"},
    {AL_POST, "/api/v1/service/settlements", settlement_create, "service.settle", 0,
        "生成服务机构某月结算单（已确认、已评价的订单）"},
    {AL_GET, "/api/v1/service/settlements/:id", settlement_get, "service.settle", 0, "结算单及明细"},
    {AL_POST, "/api/v1/service/settlements/:id/approve", settlement_approve, "service.settle", 0,
        "审核结算单（锁定该月，订单转为已结算）"},
    {AL_POST, "/api/v1/service/settlements/:id/adjust", settlement_adjust, "service.settle", 0,
        "调整已审核的结算单（审核后核实的上门记录补充结算，核实未服务的冲销；原明细不改）"},
    {AL_GET, "/api/v1/service/settlements/:id/export", settlement_export, "service.settle", 0,
        "导出结算单（format=csv 或 xlsx）"},
    {0},
};

const struct al_module service_module = {.name = "service", .routes = service_routes};
