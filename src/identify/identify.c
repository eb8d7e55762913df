/* The identification runner, its routes and the worklist exports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/export.h"
#include "core/http.h"
#include "core/jobs.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/log.h"
#include "elder/elder.h"
#include "identify/identify.h"
#include "identify/identify_int.h"
#include "visit/visit.h"

/*
 * RULE-VISIT-064: each elder newly in special difficulty (this run's list
 * new_special) gets a visit task within their tier's window, through the visit
 * module (visit_on_event, reason "identified", one task per run); an elder in
 * no visit target group gets none.  Inside the run's transaction.
 */
static int
visit_tasks(struct al_db *db, struct al_arena *a, struct identify_result *out, int64_t user_id,
    int64_t now)
{
    struct al_vec ids;
    al_vec_init(&ids, sizeof(int64_t));
    int rc = identify_store_list_elders(db, out->run_id,
        identify_list_ids[IDENTIFY_LIST_NEW_SPECIAL], &ids);
    const int64_t *id = ids.p;
    const char *ref = al_arena_printf(a, "run:%lld", (long long)out->run_id);
    for (size_t i = 0; rc == AL_OK && i < ids.n; i++) {
        int64_t task = 0;
        rc = visit_on_event(db, a, id[i], "identified", ref, "精准识别新增特殊困难老人", user_id,
            now, &task);
        if (rc == AL_OK)
            out->visit_tasks++;
        else if (rc == AL_EUNPROC) /* in no visit target group: no task */
            rc = AL_OK;
    }
    al_vec_fini(&ids);
    return rc;
}

/* RULE-IDENT-000 */
int
identify_run(struct al_db *db, int64_t now, int64_t user_id, const char *username,
    const char *client_ip, struct identify_result *out)
{
    memset(out, 0, sizeof(*out));
    double t0 = al_mono_ms(); /* monotonic: the run's duration, not its time */
    struct al_arena a;
    al_arena_init(&a, 1 << 16);
    char today[11];
    al_date_cst(now, today); /* RULE-DB-102 */
    int rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = identify_store_begin_run(db, now, user_id, username, &out->run_id, &out->baseline);
    if (rc == AL_OK)
        rc = identify_store_lists(db, out->run_id, out->baseline, today, &out->scanned,
            &out->recomputed, out->counts);
    if (rc == AL_OK && out->counts[IDENTIFY_LIST_NEW_SPECIAL] > 0)
        rc = visit_tasks(db, &a, out, user_id, now);
    out->duration_ms = (int64_t)(al_mono_ms() - t0);
    json_t *counts = json_object();
    for (int i = 0; i < 5; i++)
        json_object_set_new(counts, identify_list_ids[i], json_integer(out->counts[i]));
    const char *counts_json = al_json_dump(&a, counts, NULL);
    json_object_set_new(counts, "visit_tasks", json_integer(out->visit_tasks)); /* audit only */
    if (rc == AL_OK)
        rc = identify_store_finish(db, out->run_id, out->scanned, out->recomputed,
            out->duration_ms, counts_json);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "identify.run", .target_type = "identify_run",
            .target_id = al_arena_printf(&a, "%lld", (long long)out->run_id), .outcome = "success",
            .detail = counts, .at = now};
        rc = audit_append_as(db, user_id, username, client_ip, &e);
    }
    json_decref(counts);
    if (rc == AL_OK)
        rc = al_db_commit(db);
    else
        al_db_rollback(db);
    al_arena_fini(&a);
    return rc;
}

/* What a run started from the page needs on the job thread (copied bytes, no pointers). */
struct run_arg {
    int64_t user_id;
    char username[64], client_ip[48], region[16];
};

static int
run_job(struct al_db *db, struct al_job *job, void *arg, json_t **result, struct al_errinfo *e)
{
    struct run_arg *a = arg;
    al_job_progress(job, "识别中", 0, 1);
    struct identify_result res;
    int rc = identify_run(db, al_job_started(job), a->user_id, a->username, a->client_ip, &res);
    /* RULE-SCOPE-002: the result as the runner's region sees the run (as in the run list). */
    json_t *runs = rc == AL_OK ? json_array() : NULL;
    struct al_arena ar;
    al_arena_init(&ar, 1024);
    if (rc == AL_OK)
        rc = identify_store_runs(db, &ar, a->region, res.run_id, runs);
    if (rc == AL_OK && json_array_size(runs) == 1) {
        *result = json_incref(json_array_get(runs, 0));
        json_object_del(*result, "at");
    } else if (rc == AL_OK) {
        rc = AL_EINTERNAL;
    }
    json_decref(runs);
    al_arena_fini(&ar);
    if (rc != AL_OK)
        return al_fail(e, rc, NULL, "精准识别失败：数据库错误");
    return AL_OK;
}

/*
 * A run reads and rewrites the whole registry (about 2 s at a million
 * records): it runs on the job thread, never in a request worker, and the
 * page follows it through GET /api/v1/jobs/:id.
 */
static int
run_create(struct al_req *r)
{
    struct run_arg a = {.user_id = r->who->user_id};
    snprintf(a.username, sizeof(a.username), "%s", r->who->username);
    snprintf(a.region, sizeof(a.region), "%s", r->who->region_code);
    snprintf(a.client_ip, sizeof(a.client_ip), "%s", r->client_ip);
    return al_jobs_submit_reply(r, "identify.run", run_job, &a, sizeof(a));
}

static int
run_list(struct al_req *r)
{
    json_t *items = json_array();
    int rc = identify_store_runs(r->db, r->arena, r->who->region_code, 0, items);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    json_t *lists = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(lists, json_pack("{s:s, s:s}", "id", identify_list_ids[i], "name",
                                         identify_list_name(i)));
    return al_reply(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total",
                                (json_int_t)json_array_size(items), "lists", lists));
}

/* :id and :list of the path, checked. */
static int
run_and_list(struct al_req *r, int64_t *run_id, const char **list)
{
    int rc = al_req_param_id(r, "id", run_id);
    if (rc != AL_OK)
        return rc;
    *list = al_req_param(r, "list");
    if (!*list || identify_list_index(*list) < 0)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "工作清单不存在");
    return AL_OK;
}

/* A page of a list being turned into JSON. */
struct page {
    struct al_arena *a;
    json_t *items;
    int list;
    bool pii; /* the reader holds elder.read_pii */
};

/* One item as JSON: its columns, and the 说明 in Chinese (`detail_text`). */
static int
item_json(void *ctx, const char *const v[IDENTIFY_ITEM_COLS])
{
    static const char *const keys[IDENTIFY_ITEM_COLS] = {"id", "name", "sex", "birth_date",
        "id_number_masked", "phone_masked", "region_code", "region_name", "address", "status",
        "detail"};
    struct page *p = ctx;
    json_t *o = json_object();
    for (int i = 0; i < IDENTIFY_ITEM_COLS; i++) {
        if (i == IDENTIFY_ITEM_BIRTH && !p->pii) { /* RULE-PII-001: the year of birth only */
            json_object_set_new(o, "birth_year", v[i] ? json_integer(atoi(v[i])) : json_null());
            continue;
        }
        json_object_set_new(o, keys[i],
            i == IDENTIFY_ITEM_ID ? json_integer(strtoll(v[i], NULL, 10))
            : v[i]                ? json_string(v[i])
                                  : json_null());
    }
    json_object_set_new(o, "status_name",
        json_string(identify_status_name(v[IDENTIFY_ITEM_STATUS])));
    json_object_set_new(o, "detail_text",
        json_string(identify_detail_text(p->a, p->list, v[IDENTIFY_ITEM_DETAIL])));
    json_array_append_new(p->items, o);
    return 0;
}

static int
list_items(struct al_req *r)
{
    int64_t run_id, page, size, total = 0;
    const char *list;
    int rc = run_and_list(r, &run_id, &list);
    if (rc == AL_OK)
        rc = al_query_page(&r->query, &page, &size, &r->err);
    if (rc != AL_OK)
        return rc;
    struct page p = {r->arena, json_array(), identify_list_index(list),
        auth_role_has(r->db, r->who->role, "elder.read_pii")};
    rc = identify_store_items(r->db, run_id, list, r->who->region_code, size,
        (page - 1) * size, item_json, &p, &total);
    if (rc != AL_OK) {
        json_decref(p.items);
        return rc;
    }
    return al_reply(r, 200, json_pack("{s:o, s:I, s:s}", "items", p.items, "total",
                                (json_int_t)total, "name",
                                identify_list_name(identify_list_index(list))));
}

/* ---- a worklist exported (RULE-IDENT-006, RULE-UI-001) ---- */

struct export_ctx {
    struct al_req *r;
    int64_t run_id;
    const char *list;
    int index; /* the list's index */
};

/* RULE-UI-001: 死亡, 迁出, not the stored word. */
static const char *
xcell_status(struct al_export_cell *c)
{
    return identify_status_name(al_stmt_text(c->st, c->col));
}

static const char *
xcell_detail(struct al_export_cell *c)
{
    const struct export_ctx *x = c->user;
    return identify_detail_text(c->a, x->index, al_stmt_text(c->st, c->col));
}

#define EXPORT_COLS(birth)                                                                     \
    {AL_XCOLF("序号", 0, al_xcell_row_number), AL_XCOL("姓名", IDENTIFY_ITEM_NAME),             \
        AL_XCOLF("性别", IDENTIFY_ITEM_SEX, al_xcell_sex), birth,                                   \
        AL_XCOL("身份证号（脱敏）", IDENTIFY_ITEM_ID_MASKED),                                   \
        AL_XCOLF("联系电话（脱敏）", IDENTIFY_ITEM_PHONE, al_xcell_phone_masked),               \
        AL_XCOL("区划代码", IDENTIFY_ITEM_REGION), AL_XCOL("村（社区）", IDENTIFY_ITEM_REGION_NAME), \
        AL_XCOL("住址", IDENTIFY_ITEM_ADDRESS), AL_XCOLF("状态", IDENTIFY_ITEM_STATUS, xcell_status), \
        AL_XCOLF("说明", IDENTIFY_ITEM_DETAIL, xcell_detail), AL_XCOL_END}
static const struct al_export_col export_cols_pii[] =
    EXPORT_COLS(AL_XCOL("出生日期", IDENTIFY_ITEM_BIRTH));
static const struct al_export_col export_cols[] =
    EXPORT_COLS(AL_XCOLF("出生年份", IDENTIFY_ITEM_BIRTH, al_xcell_year)); /* RULE-PII-001 */

#define EXPORT_PAGE 1000

static struct al_stmt *
export_page(void *ctx, const char *const *after)
{
    struct export_ctx *x = ctx;
    return identify_store_export_page(x->r->db, x->run_id, x->list, x->r->who->region_code,
        after, EXPORT_PAGE);
}

static int
list_export(struct al_req *r)
{
    int64_t run_id, total = 0;
    const char *list, *format;
    int rc = run_and_list(r, &run_id, &list);
    if (rc == AL_OK)
        rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = identify_store_items(r->db, run_id, list, r->who->region_code, 0, 0, NULL,
            NULL, &total);
    if (rc != AL_OK)
        return rc;
    /* RULE-IDENT-006: an export of personal data is a sensitive read: audited. */
    struct audit_entry e = {.action = "identify.export", .target_type = "identify_run",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)run_id),
        .region_code = r->who->region_code, .outcome = "success",
        .detail = json_pack("{s:s, s:s, s:I}", "list", list, "format", format, "rows",
            (json_int_t)total)};
    if ((rc = audit_append(r, &e)) != AL_OK)
        return rc;
    const char *title = identify_list_name(identify_list_index(list));
    struct export_ctx *x = al_arena_memdup(r->arena, /* RULE-DB-113: read after we return */
        &(struct export_ctx){.r = r, .run_id = run_id, .list = list,
            .index = identify_list_index(list)}, sizeof(*x));
    bool pii = auth_role_has(r->db, r->who->role, "elder.read_pii");
    struct al_export_list l = {.title = title, .name = al_arena_printf(r->arena,
        "精准识别-%lld-%s", (long long)run_id, title), .cols = pii ? export_cols_pii : export_cols,
        .user = x, .page = export_page, .ctx = x, .key_col = IDENTIFY_ITEM_KEY, .nkeys = 2,
        .page_rows = EXPORT_PAGE};
    return al_export_list(r, format, &l, NULL);
}

static const struct al_route identify_routes[] = {
    {AL_POST, "/api/v1/identify/runs", run_create, "elder.identify", 0,
        "运行精准识别（后台任务，返回 job_id）：重算全部老人的类别并生成工作清单"},
    {AL_GET, "/api/v1/identify/runs", run_list, "elder.identify", 0, "识别运行记录与清单名称"},
    {AL_GET, "/api/v1/identify/runs/:id/lists/:list", list_items, "elder.identify", 0,
        "某次运行的一份工作清单（本辖区，分页）"},
    {AL_GET, "/api/v1/identify/runs/:id/lists/:list/export", list_export, "elder.identify", 0,
        "导出工作清单（format=xlsx|csv，留痕）"},
    {0},
};

static const struct al_job_kind identify_jobs[] = {
    {"identify.run", run_job},
    {0},
};

const struct al_module identify_module = {
    .name = "identify", .routes = identify_routes, .jobs = identify_jobs};
