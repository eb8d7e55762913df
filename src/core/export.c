/* CSV and XLSX exports of lists (see export.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/idcard.h"
#include "core/export.h"
#include "core/query.h"

struct al_export {
    struct al_req *r;
    const char *format;
    int ncols;
    struct al_buf csv;  /* csv */
    lxw_workbook *wb;   /* xlsx */
    lxw_worksheet *ws;
    char *path;
    long long rows;
};

int
al_export_format(struct al_req *r, const char **format)
{
    const char *f = al_query_get(&r->query, "format");
    if (!f || !*f)
        f = "xlsx";
    if (strcmp(f, "csv") != 0 && strcmp(f, "xlsx") != 0)
        return al_req_fail(r, AL_EINVAL, "format", "导出格式应为 csv 或 xlsx");
    *format = f;
    return AL_OK;
}

int
al_export_open(struct al_req *r, const char *format, const char *title, int ncols,
    const char *const *headers, struct al_export **out)
{
    struct al_export *x = al_arena_alloc(r->arena, sizeof(*x));
    memset(x, 0, sizeof(*x));
    x->r = r;
    x->format = format;
    x->ncols = ncols;
    if (strcmp(format, "csv") == 0) {
        al_buf_add(r->arena, &x->csv, "\xEF\xBB\xBF", 3); /* BOM: Excel opens UTF-8 */
        for (int c = 0; c < ncols; c++)
            al_csv_field(r->arena, &x->csv, headers[c], c == ncols - 1);
        *out = x;
        return AL_OK;
    }
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    x->path = al_arena_printf(r->arena, "%s/anlao-export-XXXXXX", tmpdir);
    int fd = mkstemp(x->path);
    if (fd < 0)
        return al_req_fail(r, AL_EINTERNAL, NULL, "无法创建导出文件");
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
    x->wb = workbook_new_opt(x->path, &opt);
    x->ws = x->wb ? workbook_add_worksheet(x->wb, "清单") : NULL;
    if (!x->ws) {
        al_export_abort(x);
        return al_req_fail(r, AL_EINTERNAL, NULL, "无法创建导出文件");
    }
    lxw_format *bold = workbook_add_format(x->wb);
    format_set_bold(bold);
    worksheet_set_column(x->ws, 0, (lxw_col_t)(ncols - 1), 16, NULL);
    worksheet_write_string(x->ws, 0, 0, title, bold);
    for (int c = 0; c < ncols; c++)
        worksheet_write_string(x->ws, 1, (lxw_col_t)c, headers[c], bold);
    *out = x;
    return AL_OK;
}

void
al_export_row(struct al_export *x, const char *const *cells)
{
    x->rows++;
    for (int c = 0; c < x->ncols; c++) {
        const char *v = cells[c] ? cells[c] : "";
        if (x->ws)
            worksheet_write_string(x->ws, (lxw_row_t)(x->rows + 1), (lxw_col_t)c, v, NULL);
        else
            al_csv_field(x->r->arena, &x->csv, v, c == x->ncols - 1);
    }
}

long long
al_export_rows(const struct al_export *x)
{
    return x->rows;
}

void
al_export_abort(struct al_export *x)
{
    if (x->wb)
        workbook_close(x->wb);
    x->wb = NULL;
    x->ws = NULL;
    if (x->path)
        unlink(x->path);
    x->path = NULL;
}

/* The bytes of the finished workbook into the arena. */
static int
file_bytes(struct al_req *r, const char *path, const char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return al_req_fail(r, AL_EINTERNAL, NULL, "导出文件读取失败");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = al_arena_alloc(r->arena, (size_t)(n > 0 ? n : 1));
    *len = fread(buf, 1, (size_t)(n > 0 ? n : 0), f);
    fclose(f);
    *data = buf;
    return AL_OK;
}

int
al_export_reply(struct al_export *x, const char *name)
{
    struct al_req *r = x->r;
    const char *file = al_arena_printf(r->arena, "%s.%s", name, x->format);
    if (!x->wb)
        return al_reply_file(r, "text/csv; charset=utf-8", file, x->csv.p, x->csv.len);
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    x->ws = NULL;
    const char *data = NULL;
    size_t len = 0;
    int rc = e == LXW_NO_ERROR ? file_bytes(r, x->path, &data, &len)
                               : al_req_fail(r, AL_EINTERNAL, NULL, "导出文件写入失败");
    unlink(x->path);
    x->path = NULL;
    if (rc != AL_OK)
        return rc;
    return al_reply_file(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file, data, len);
}

/* ---- a whole list from statements (RULE-DB-100) ---- */

#define CELL_SCRATCH 512
#define COLS_MAX 64 /* columns of an export at most (more are left out) */

const char *
al_xcell_row_number(struct al_export_cell *c)
{
    snprintf(c->buf, c->size, "%lld", c->row);
    return c->buf;
}

const char *
al_xcell_phone_masked(struct al_export_cell *c)
{
    const char *phone = al_stmt_text(c->st, c->col);
    if (!phone)
        return NULL;
    al_phone_mask(phone, c->buf, c->size);
    return c->buf;
}

const char *
al_xcell_sex(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    return !v ? NULL : v[0] == 'M' ? "男" : v[0] == 'F' ? "女" : v;
}

const char *
al_xcell_year(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    if (!v)
        return NULL;
    snprintf(c->buf, c->size, "%.4s", v);
    return c->buf;
}

const char *
al_xcell_time_cst(struct al_export_cell *c)
{
    int64_t v = al_stmt_null(c->st, c->col) ? 0 : al_stmt_int(c->st, c->col);
    if (v == 0)
        return NULL;
    time_t t = (time_t)v + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(c->buf, c->size, "%Y-%m-%d %H:%M:%S", &tm);
    return c->buf;
}

/* The columns of `cols` (ended by a NULL header). */
static int
col_count(const struct al_export_col *cols)
{
    int n = 0;
    while (cols[n].header && n < COLS_MAX)
        n++;
    return n;
}

/*
 * Every row of `st` into `x`; the key columns of the last row copied into
 * keys[] (NULL for SQL NULL) when nkeys > 0; *n: the rows of `st`.
 */
static int
write_rows(struct al_export *x, struct al_stmt *st, const struct al_export_col *cols,
    const void *user, int key_col, int nkeys, char keys[][AL_EXPORT_KEY_MAX],
    const char **after, int64_t *n)
{
    int ncols = col_count(cols);
    const char *cells[COLS_MAX];
    char *scratch = al_arena_alloc(x->r->arena, (size_t)(ncols > 0 ? ncols : 1) * CELL_SCRATCH);
    int rc;
    *n = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct al_export_cell c = {.st = st, .row = x->rows + 1, .user = user, .a = x->r->arena,
            .size = CELL_SCRATCH};
        for (int i = 0; i < ncols; i++) {
            c.col = cols[i].col;
            c.buf = scratch + (size_t)i * CELL_SCRATCH;
            cells[i] = cols[i].cell ? cols[i].cell(&c) : al_stmt_text(st, cols[i].col);
        }
        al_export_row(x, cells);
        for (int k = 0; k < nkeys; k++) {
            const char *v = al_stmt_text(st, key_col + k);
            snprintf(keys[k], AL_EXPORT_KEY_MAX, "%s", v ? v : "");
            after[k] = v ? keys[k] : NULL;
        }
        (*n)++;
    }
    return rc;
}

int
al_export_stmt(struct al_export *x, struct al_stmt *st, const struct al_export_col *cols,
    const void *user)
{
    int64_t n;
    if (!st)
        return AL_EDB;
    return write_rows(x, st, cols, user, 0, 0, NULL, NULL, &n);
}

int
al_export_list(struct al_req *r, const char *format, const struct al_export_list *l,
    long long *rows)
{
    int ncols = col_count(l->cols);
    const char *headers[COLS_MAX];
    for (int i = 0; i < ncols; i++)
        headers[i] = l->cols[i].header;
    struct al_export *x = NULL;
    int rc = al_export_open(r, format, l->title, ncols, headers, &x);
    char keys[AL_EXPORT_KEYS][AL_EXPORT_KEY_MAX];
    const char *after[AL_EXPORT_KEYS] = {NULL};
    int nkeys = l->nkeys > AL_EXPORT_KEYS ? AL_EXPORT_KEYS : l->nkeys;
    for (bool first = true; rc == AL_OK; first = false) {
        if (!l->page)
            break; /* nobody: the headings alone */
        struct al_stmt *st = l->page(l->ctx, first ? NULL : after);
        int64_t n = 0;
        rc = st ? write_rows(x, st, l->cols, l->user, l->key_col, nkeys, keys, after, &n)
                : AL_EDB;
        if (nkeys == 0 || n < l->page_rows || n == 0)
            break;
    }
    if (rows)
        *rows = x ? al_export_rows(x) : 0;
    if (rc != AL_OK) {
        if (x)
            al_export_abort(x);
        return rc;
    }
    return al_export_reply(x, l->name);
}
