/* The import runner (CLI now, background job from the web later) and its routes. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/log.h"
#include "core/set64.h"
#include "core/text.h"
#include "elder/elder.h"
#include "import/import.h"
#include "import/import_int.h"
#include "import/import_store.h"
#include "region/region.h"

#define MAX_FIELDS 64

static int
min_age_setting(struct al_db *db)
{
    int64_t v = 60;
    al_db_count(db, "SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'elder.min_age'",
        NULL, &v);
    return (int)v;
}

/* Record one rejected row's reasons. */
static int
reject(struct al_db *db, int64_t import_id, int64_t line, const struct import_error *errs, int n)
{
    int rc = AL_OK;
    for (int i = 0; rc == AL_OK && i < n && i < 8; i++)
        rc = import_store_error(db, import_id, line, import_col_label(errs[i].col), errs[i].reason);
    return rc;
}

/*
 * Pass 1: validate every row, write the report.  Pass 2 (when committing):
 * re-read the file and apply the rows that passed, in one transaction.
 */
int
import_run(struct al_db *db, const struct import_options *o, struct import_summary *s,
    struct al_errinfo *e)
{
    memset(s, 0, sizeof(*s));
    int kind = import_kind_parse(o->kind ? o->kind : "");
    if (kind < 0)
        return al_fail(e, AL_EINVAL, "kind", "导入类型应为 hukou、roll、disability、death 或 pension");
    struct al_text t;
    char msg[256];
    if (al_text_open(o->path, &t, msg, sizeof(msg)) != 0)
        return al_fail(e, AL_EINVAL, "file", "%s", msg);
    snprintf(s->encoding, sizeof(s->encoding), "%s",
        t.xlsx ? "XLSX" : t.converted ? "GB18030" : "UTF-8");

    struct al_arena a;
    al_arena_init(&a, 1 << 16);
    struct al_set64 seen;
    al_set64_init(&seen);
    struct al_csv c;
    struct al_str f[MAX_FIELDS];
    int n, map[COL_COUNT], unknown[MAX_FIELDS], n_unknown, missing, rc = AL_OK;
    char today[11], sha[65];
    al_today_cst(today);
    al_crypto_sha256_hex(t.p, t.len, sha);
    int min_age = min_age_setting(db);

    al_csv_init(&c, t.p, t.len);
    if (al_csv_read(&c, &a, f, MAX_FIELDS, &n) != 1 ||
        import_map_headers(kind, f, n < MAX_FIELDS ? n : MAX_FIELDS, map, unknown, &n_unknown,
            &missing) != 0) {
        rc = al_fail(e, AL_EINVAL, "file", "文件缺少“%s”列（第 1 行应为表头）",
            import_col_label(n > 0 ? missing : COL_ID));
        goto out;
    }
    json_t *unknown_cols = json_array();
    for (int i = 0; i < n_unknown; i++)
        json_array_append_new(unknown_cols, json_stringn(f[unknown[i]].p, f[unknown[i]].len));
    s->unknown_columns = n_unknown;
    char *unknown_json = al_json_dump_heap(unknown_cols);
    json_decref(unknown_cols);

    /* ---- pass 1: validate and report ---- */
    if ((rc = al_db_begin(db)) != AL_OK)
        goto out;
    rc = import_store_create(db, import_kind_id(kind), o->filename ? o->filename : o->path, sha,
        s->encoding, o->user_id, o->username, unknown_json, &s->id);
    free(unknown_json);
    struct import_row row;
    struct import_error errs[8];
    int r;
    while (rc == AL_OK && (r = al_csv_read(&c, &a, f, MAX_FIELDS, &n)) == 1) {
        if (n == 1 && f[0].len == 0)
            continue; /* blank line */
        s->rows++;
        int ne = import_validate_row(kind, f, n, map, today, &a, &row, errs, 8);
        /* RULE-IMPORT-004: a number repeated in the file */
        if (ne == 0 && !al_set64_add(&seen, import_id_key(row.id_number))) {
            errs[0] = (struct import_error){COL_ID, "身份证号在文件中重复出现"};
            ne = 1;
        }
        if (ne == 0 && kind == IMPORT_HUKOU && !region_name(db, &a, row.region_code)) {
            errs[0] = (struct import_error){COL_REGION, ""};
            snprintf(errs[0].reason, sizeof(errs[0].reason), "区划代码 %s 不存在", row.region_code);
            ne = 1;
        }
        if (ne == 0 && kind != IMPORT_HUKOU) {
            struct elder_state cur;
            int fr = elder_find_by_number(db, &a, row.id_number, &cur);
            if (fr == AL_ENOTFOUND) { /* RULE-IMPORT-015 */
                errs[0] = (struct import_error){COL_ID, "登记库中没有此人（请先导入户籍数据）"};
                ne = 1;
            } else if (fr != AL_OK) {
                rc = fr;
            }
        }
        if (ne) {
            s->rejected++;
            rc = rc == AL_OK ? reject(db, s->id, c.line, errs, ne) : rc;
        } else {
            s->accepted++;
        }
        al_arena_reset(&a);
    }
    if (rc == AL_OK && r < 0) {
        s->rejected++;
        s->rows++;
        rc = import_store_error(db, s->id, c.line, "整行", "引号未闭合，文件在此处截断");
    }
    if (rc == AL_OK)
        rc = import_store_counts(db, s->id, s->rows, s->accepted, s->rejected, "{}", false);
    if (rc == AL_OK)
        rc = al_db_commit(db);
    else
        al_db_rollback(db);
    if (rc != AL_OK || !o->commit || (s->rejected > 0 && !o->valid_only))
        goto out;

    /* ---- pass 2 (RULE-IMPORT-007): apply the accepted rows, all in one transaction ---- */
    al_set64_fini(&seen);
    al_set64_init(&seen);
    al_csv_init(&c, t.p, t.len);
    al_csv_read(&c, &a, f, MAX_FIELDS, &n); /* header */
    if ((rc = al_db_begin(db)) != AL_OK)
        goto out;
    char ref[32];
    snprintf(ref, sizeof(ref), "import:%lld", (long long)s->id);
    char source[32];
    snprintf(source, sizeof(source), "import:%s", import_kind_id(kind));
    while (rc == AL_OK && al_csv_read(&c, &a, f, MAX_FIELDS, &n) == 1) {
        if (n == 1 && f[0].len == 0)
            continue;
        if (import_validate_row(kind, f, n, map, today, &a, &row, errs, 8) != 0 ||
            !al_set64_add(&seen, import_id_key(row.id_number))) {
            al_arena_reset(&a);
            continue;
        }
        struct elder_state cur;
        int fr = elder_find_by_number(db, &a, row.id_number, &cur);
        if (fr != AL_OK && fr != AL_ENOTFOUND) {
            rc = fr;
            break;
        }
        if (fr == AL_ENOTFOUND && kind != IMPORT_HUKOU) {
            al_arena_reset(&a);
            continue;
        }
        if (kind == IMPORT_HUKOU && !region_name(db, &a, row.region_code)) {
            al_arena_reset(&a);
            continue;
        }
        al_json_use_arena(&a);
        json_t *set = json_object();
        unsigned flags = 0;
        int effect = import_plan(&row, fr == AL_OK ? &cur : NULL, min_age, today, set, &flags);
        const char *date = kind == IMPORT_ROLL ? row.start_date
                           : kind == IMPORT_DEATH ? row.death_date : today;
        struct elder_evidence ev = {source, ref, date};
        int64_t id = fr == AL_OK ? cur.id : 0;
        switch (effect) {
        case EFFECT_NEW:
            s->created++;
            rc = elder_apply(db, &a, 0, set, &ev, o->user_id, o->username ? o->username : "import",
                "import", &id);
            break;
        case EFFECT_CHANGED:
            s->changed++;
            rc = elder_apply(db, &a, id, set, &ev, o->user_id, o->username ? o->username : "import",
                "import", NULL);
            break;
        case EFFECT_UNCHANGED:
            s->unchanged++;
            break;
        case EFFECT_SKIPPED_AGE:
            s->skipped_age++;
            id = 0;
            break;
        }
        al_json_use_arena(NULL);
        if (flags & IMPORT_FLAG_DEATH)
            s->deaths++;
        if (flags & IMPORT_FLAG_MOVE)
            s->moves++;
        if (rc == AL_OK && kind == IMPORT_HUKOU && id)
            rc = import_store_mark_hukou(db, id, s->id);
        al_arena_reset(&a);
    }
    json_t *sum = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "created", (json_int_t)s->created,
        "changed", (json_int_t)s->changed, "unchanged", (json_int_t)s->unchanged, "deaths",
        (json_int_t)s->deaths, "moves", (json_int_t)s->moves, "skipped_age",
        (json_int_t)s->skipped_age);
    char *sum_json = al_json_dump_heap(sum);
    if (rc == AL_OK)
        rc = import_store_counts(db, s->id, s->rows, s->accepted, s->rejected, sum_json, true);
    if (rc == AL_OK) {
        struct audit_entry ae = {.action = "import.commit", .target_type = "import",
            .target_id = ref + 7, .outcome = "success", .detail = sum};
        rc = audit_append_as(db, o->user_id, o->username ? o->username : "cli",
            o->client_ip ? o->client_ip : "local", &ae);
    }
    free(sum_json);
    json_decref(sum);
    if (rc == AL_OK)
        rc = al_db_commit(db);
    else
        al_db_rollback(db);
    s->committed = rc == AL_OK;
out:
    al_set64_fini(&seen);
    al_arena_fini(&a);
    al_text_close(&t);
    return rc;
}

/* ---- routes ---- */

static int
import_list(struct al_req *r)
{
    json_t *items = json_array();
    int rc = import_store_list(r->db, r->arena, items);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:o, s:I}", "items", items, "total",
                                (json_int_t)json_array_size(items)));
}

static int
import_errors(struct al_req *r)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = import_store_errors(r->db, id, items, 10000)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:o, s:I}", "items", items, "total",
                                (json_int_t)json_array_size(items)));
}

static const struct al_route import_routes[] = {
    {AL_GET, "/api/v1/imports", import_list, "elder.import", 0, "导入记录（最近 100 次）"},
    {AL_GET, "/api/v1/imports/:id/errors", import_errors, "elder.import", 0,
        "导入被拒行：行号、列、原因"},
    {0},
};

const struct al_module import_module = {.name = "import", .routes = import_routes};
