/*
 * Routes of entitlement runs and their worklists (issue 12, RULE-ENT-060..069): start a run
 * (a background job), the runs, a worklist of a run (scoped, paged), its export (CSV/XLSX,
 * audited), and the recorded changes of one elder's set.  The run itself is entitle_run.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/dbq.h"
#include "core/export.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/jobs.h"
#include "core/json.h"
#include "elder/elder.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"
#include "region/region.h"

/* What a run started from the page needs on the job thread (copied bytes, no pointers). */
struct run_arg {
    int64_t user_id;
    char username[64], client_ip[48], region[16], date[11];
};

static int
run_job(struct al_db *db, struct al_job *job, void *arg, json_t **result, struct al_errinfo *e)
{
    struct run_arg *a = arg;
    struct entitle_run_opts o = {.region = a->region, .date = a->date[0] ? a->date : NULL,
        .user_id = a->user_id, .username = a->username, .client_ip = a->client_ip, .job = job};
    al_job_progress(job, "认定中", 0, 1);
    return entitle_run(db, &o, result, e);
}

/* RULE-ENT-060, RULE-SCOPE-001: a run over the caller's region or a region inside it. */
static int
run_create(struct al_req *r)
{
    json_t *body;
    const char *region = NULL, *date = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "region_code", "认定区划", 0, 0, 12, &region, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "date", "认定日期", 0, 0, 10, &date, &r->err);
    if (rc != AL_OK)
        return rc;
    if (!region)
        region = r->who->region_code;
    if (date && !al_date_valid(date))
        return al_req_fail(r, AL_EINVAL, "date", "认定日期格式应为 YYYY-MM-DD");
    size_t n = strlen(region);
    if (strspn(region, "0123456789") != n || (n && n != 2 && n != 4 && n != 6 && n != 9 && n != 12))
        return al_req_fail(r, AL_EINVAL, "region_code", "认定区划应为 2、4、6、9 或 12 位区划代码");
    if (!region_in_scope(r->who->region_code, region))
        return al_req_fail(r, AL_EPERM, "region_code", "只能对本辖区内的老人运行认定");
    struct run_arg a = {.user_id = r->who->user_id};
    snprintf(a.username, sizeof(a.username), "%s", r->who->username);
    snprintf(a.client_ip, sizeof(a.client_ip), "%s", r->client_ip);
    snprintf(a.region, sizeof(a.region), "%s", region);
    snprintf(a.date, sizeof(a.date), "%s", date ? date : r->today); /* the request's day */
    return al_jobs_submit_reply(r, "entitle.run", run_job, &a, sizeof(a));
}

static int
run_list(struct al_req *r)
{
    int64_t limit, offset, total = 0;
    int rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    rc = entrun_store_runs(r->db, r->arena, r->who->region_code, limit, offset, items, &total);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    json_t *lists = json_array();
    for (int i = 0; i < ENTRUN_LISTS; i++)
        json_array_append_new(lists, json_pack("{s:s, s:s}", "id", entrun_list_ids[i], "name",
                                         entrun_list_names[i]));
    return al_reply(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total",
                                (json_int_t)total, "lists", lists));
}

/*
 * RULE-ENT-065: run :id visible to the caller (over their region, inside it, or containing
 * it) and list :list; 404 otherwise.  The run's county lists into *lists.
 */
static int
run_and_list(struct al_req *r, int64_t *run_id, int *list, json_t **lists)
{
    json_t *run = NULL;
    int rc = al_req_param_id(r, "id", run_id);
    if (rc == AL_OK)
        rc = entrun_store_run(r->db, r->arena, *run_id, &run);
    const char *region = json_string_value(json_object_get(run, "region_code"));
    const char *scope = r->who->region_code;
    if (rc == AL_ENOTFOUND ||
        (rc == AL_OK && !region_in_scope(scope, region) && !region_in_scope(region, scope)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "认定记录不存在");
    if (rc != AL_OK)
        return rc;
    *list = entrun_list_index(al_req_param(r, "list"));
    if (*list < 0)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "工作清单不存在");
    *lists = json_object();
    return entrun_store_lists(r->db, *run_id, *lists);
}

/* What a worklist row needs beside its columns. */
struct work_ctx {
    json_t *lists; /* county → items of the run */
    int list;
};

/* The items of the row's list bits, as [{item_key, name}] and "名称、名称". */
static json_t *
row_items(struct al_arena *a, const struct work_ctx *w, struct al_stmt *st, const char **text)
{
    char county[8];
    snprintf(county, sizeof(county), "%.6s", al_stmt_text(st, 6) ? al_stmt_text(st, 6) : "");
    const json_t *items = json_object_get(w->lists, county);
    uint64_t bits[4];
    json_t *out = json_array();
    *text = "";
    if (entitle_bits_parse(al_stmt_text(st, 10 + w->list), bits, 4) != AL_OK)
        return out;
    for (size_t k = 0; k < json_array_size(items) && k < 256; k++)
        if (bits[k / 64] >> (k % 64) & 1) {
            const json_t *it = json_array_get(items, k);
            const char *name = json_string_value(json_object_get(it, "name"));
            json_array_append_new(out, json_pack("{s:O, s:O}", "item_key",
                                           json_object_get(it, "item_key"), "name",
                                           json_object_get(it, "name")));
            *text = **text ? al_arena_printf(a, "%s、%s", *text, name ? name : "")
                           : al_arena_strdup(a, name ? name : "");
        }
    return out;
}

static const struct al_col work_cols[] = {AL_COL(0, "elder_id", AL_COL_INT),
    AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "sex", AL_COL_TEXT),
    AL_COL(4, "id_number_masked", AL_COL_TEXT), AL_COLF(5, "phone_masked", al_col_phone_masked),
    AL_COL(6, "region_code", AL_COL_TEXT), AL_COL(7, "region_name", AL_COL_TEXT),
    AL_COL(8, "address", AL_COL_TEXT), AL_COL_END};

static json_t *
work_row(const struct al_row_ctx *c, struct al_stmt *st)
{
    const struct work_ctx *w = c->user;
    json_t *o = al_row_json(c, st, work_cols);
    const char *birth = al_stmt_text(st, 3), *text;
    /* RULE-PII-001: the year of birth only, as in the other worklists. */
    json_object_set_new(o, "birth_year", birth ? json_integer(atoi(birth)) : json_null());
    json_object_set_new(o, "items", row_items(c->a, w, st, &text));
    json_object_set_new(o, "items_text", json_string(text));
    return o;
}

/* RULE-ENT-064, RULE-SCOPE-001: one worklist of a run, the caller's region only, paged. */
static int
work_list(struct al_req *r)
{
    int64_t run_id, limit, offset, total = 0;
    int list;
    json_t *lists = NULL;
    int rc = run_and_list(r, &run_id, &list, &lists);
    if (rc == AL_OK)
        rc = al_query_limit(&r->query, &limit, &offset, &r->err);
    if (rc != AL_OK) {
        json_decref(lists);
        return rc;
    }
    struct work_ctx w = {lists, list};
    json_t *items = json_array();
    rc = entrun_store_work(r->db, r->arena, run_id, list, r->who->region_code, limit, offset,
        work_row, &w, items, &total);
    json_decref(lists);
    if (rc != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply(r, 200, json_pack("{s:o, s:I, s:s, s:s}", "items", items, "total",
                                (json_int_t)total, "list", entrun_list_ids[list], "name",
                                entrun_list_names[list]));
}

static const char *const export_headers[] = {"序号", "姓名", "性别", "出生年份",
    "身份证号（脱敏）", "联系电话（脱敏）", "区划代码", "村（社区）", "住址", "服务项目"};
#define EXPORT_COLS 10

struct export_ctx {
    struct al_arena *a;
    struct work_ctx w;
    struct al_export *out;
};

static int
export_row(void *ctx, struct al_stmt *st)
{
    struct export_ctx *x = ctx;
    char num[24];
    snprintf(num, sizeof(num), "%lld", al_export_rows(x->out) + 1);
    const char *text, *sex = al_stmt_text(st, 2), *birth = al_stmt_text(st, 3);
    json_decref(row_items(x->a, &x->w, st, &text));
    json_t *phone = al_col_phone_masked(&(struct al_row_ctx){.a = x->a}, st, 5);
    const char *cells[EXPORT_COLS] = {num, al_stmt_text(st, 1),
        sex ? (sex[0] == 'M' ? "男" : "女") : "", birth ? al_arena_printf(x->a, "%.4s", birth) : "",
        al_stmt_text(st, 4), json_string_value(phone), al_stmt_text(st, 6), al_stmt_text(st, 7),
        al_stmt_text(st, 8), text};
    al_export_row(x->out, cells);
    json_decref(phone);
    return 0;
}

/* RULE-ENT-067: a worklist exported (xlsx or csv) is a read of personal data: audited with
 * the list, the format and the row count. */
static int
work_export(struct al_req *r)
{
    int64_t run_id;
    int list;
    const char *format;
    json_t *lists = NULL;
    int rc = run_and_list(r, &run_id, &list, &lists);
    if (rc == AL_OK)
        rc = al_export_format(r, &format);
    struct audit_entry e = {.action = "entitle.export", .target_type = "entitle_run",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)run_id),
        .region_code = r->who->region_code, .outcome = "success"};
    struct export_ctx x = {.a = r->arena, .w = {lists, list}};
    int64_t rows = 0;
    if (rc == AL_OK) { /* the row count for the audit entry (RULE-UI-005): the list's total */
        json_t *none = json_array();
        rc = entrun_store_work(r->db, r->arena, run_id, list, r->who->region_code, 0, 0,
            work_row, &x.w, none, &rows);
        json_decref(none);
    }
    if (rc == AL_OK) {
        e.detail = json_pack("{s:s, s:s, s:I}", "list", entrun_list_ids[list], "format", format,
            "rows", (json_int_t)rows);
        rc = audit_append(r, &e);
        json_decref(e.detail);
    }
    if (rc == AL_OK)
        rc = al_export_open(r, format, entrun_list_names[list], EXPORT_COLS, export_headers,
            &x.out);
    if (rc == AL_OK) {
        rc = entrun_store_work_each(r->db, r->arena, run_id, list, r->who->region_code,
            export_row, &x);
        if (rc != AL_OK)
            al_export_abort(x.out);
        else
            rc = al_export_reply(x.out, al_arena_printf(r->arena, "享受资格认定-%lld-%s",
                                            (long long)run_id, entrun_list_names[list]));
    }
    json_decref(lists);
    return rc;
}

/* RULE-ENT-068: why an elder's set changed, run by run, with the rule and inputs of then. */
static int
elder_changes(struct al_req *r)
{
    int64_t id;
    const char *region;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = elder_region_of(r->db, r->arena, id, &region, NULL);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, region)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "老人不存在");
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = entrun_store_diffs(r->db, id, items)) != AL_OK) {
        json_decref(items);
        return rc;
    }
    return al_reply_items(r, items, (int64_t)json_array_size(items));
}

static const struct al_route entrun_routes[] = {
    {AL_POST, "/api/v1/entitle/runs", run_create, "entitle.run", 0,
        "运行享受资格认定（后台任务，返回 job_id）：辖区老人逐一对照服务清单"},
    {AL_GET, "/api/v1/entitle/runs", run_list, "elder.read", 0, "享受资格认定记录与工作清单名称"},
    {AL_GET, "/api/v1/entitle/runs/:id/lists/:list", work_list, "elder.read", 0,
        "某次认定的一份工作清单（待落实、需核查、重复享受、新增符合、不再符合；本辖区，分页）"},
    {AL_GET, "/api/v1/entitle/runs/:id/lists/:list/export", work_export, "elder.read", 0,
        "导出认定工作清单（format=xlsx|csv，留痕）"},
    {AL_GET, "/api/v1/elders/:id/entitlement-changes", elder_changes, "elder.read", 0,
        "某位老人历次认定中资格的变化及当时的规则与依据"},
    {0},
};

static const struct al_job_kind entrun_jobs[] = {
    {"entitle.run", run_job},
    {0},
};

const struct al_module entitle_run_module = {
    .name = "entitle_run", .routes = entrun_routes, .jobs = entrun_jobs};
