/* CSV and XLSX exports of lists (see export.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/idcard.h"
#include "core/log.h"
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
    int64_t page_rows; /* rows a page is expected to hold (0: unknown), to size its CSV */
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

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/*
 * RULE-DB-114: the finished workbook is answered from its file (opened, then unlinked: the
 * open descriptor keeps it until sent), never read into memory.
 */
static int
reply_workbook(struct al_export *x, const char *file)
{
    struct al_req *r = x->r;
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    x->ws = NULL;
    int fd = e == LXW_NO_ERROR ? open(x->path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) != 0) {
        close(fd);
        fd = -1;
    }
    unlink(x->path);
    x->path = NULL;
    if (fd < 0)
        return al_req_fail(r, AL_EINTERNAL, NULL, "导出文件写入失败");
    return al_reply_file_fd(r, XLSX_TYPE, file, fd, (size_t)sb.st_size);
}

int
al_export_reply(struct al_export *x, const char *name)
{
    struct al_req *r = x->r;
    const char *file = al_arena_printf(r->arena, "%s.%s", name, x->format);
    if (!x->wb)
        return al_reply_file(r, "text/csv; charset=utf-8", file, x->csv.p, x->csv.len);
    return reply_workbook(x, file);
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
        size_t len0 = x->csv.len;
        al_export_row(x, cells);
        if (*n == 0 && x->page_rows > 1 && !x->wb) {
            /* RULE-DB-112: the page's CSV in one piece of about its size (grown by doubling, the
               smaller copies left behind would hold as much again) */
            size_t need = x->csv.len + (x->csv.len - len0) * (size_t)(x->page_rows - 1) * 9 / 8;
            if (need > x->csv.cap) {
                char *p = al_arena_alloc(x->r->arena, need);
                memcpy(p, x->csv.p, x->csv.len + 1);
                x->csv.p = p;
                x->csv.cap = need;
            }
        }
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

/* A list being written a page at a time (RULE-DB-100, RULE-DB-113), in the request's arena. */
struct export_run {
    struct al_export *x;
    struct al_export_list l; /* a copy: the caller's is gone when a stream goes on */
    char keys[AL_EXPORT_KEYS][AL_EXPORT_KEY_MAX];
    const char *after[AL_EXPORT_KEYS];
    int nkeys;
    bool first, last;
    struct al_arena_mark mark; /* every page's memory is given back to here */
    struct al_stream *s;
    const char *route; /* for the log */
    struct al_export_stats stats;
};

static _Thread_local struct al_export_stats last_stats;

const struct al_export_stats *
al_export_last(void)
{
    return &last_stats;
}

/* The next page into the export; e->last once it is the last.  AL_OK or the page's error. */
static int
next_page(struct export_run *e)
{
    if (!e->l.page) {
        e->last = true; /* nobody: the headings alone */
        return AL_OK;
    }
    struct al_stmt *st = e->l.page(e->l.ctx, e->first ? NULL : e->after);
    e->first = false;
    e->x->page_rows = e->nkeys > 0 ? e->l.page_rows : 0;
    int64_t n = 0;
    int rc = st ? write_rows(e->x, st, e->l.cols, e->l.user, e->l.key_col, e->nkeys, e->keys,
                      e->after, &n)
                : AL_EDB;
    e->stats.pages++;
    if (rc != AL_OK || e->nkeys == 0 || n < e->l.page_rows || n == 0)
        e->last = true;
    return rc;
}

/*
 * RULE-DB-112: the page has been handed on (copied to the socket's buffer, the file or the
 * body): give its memory back, noting the most a page held.
 */
static void
page_done(struct export_run *e)
{
    struct al_arena *a = e->x->r->arena;
    size_t held = a->peak - e->mark.used_total;
    if (held > e->stats.arena_peak)
        e->stats.arena_peak = held;
    e->stats.rows = e->x->rows;
    al_arena_release(a, &e->mark);
    a->peak = a->used_total;
    e->x->csv = (struct al_buf){0};
}

static void
log_done(struct export_run *e, const char *how)
{
    last_stats = e->stats;
    al_info("export %s %s: %lld rows, %lld pages, %zu bytes, at most %zu bytes of memory a page",
        e->route, how, e->stats.rows, e->stats.pages, e->stats.bytes, e->stats.arena_peak);
}

/* The stream wants more: the next page, or the end (see al_stream_start). */
static void
stream_more(void *ctx)
{
    struct export_run *e = ctx;
    int rc = AL_OK;
    if (e->x->csv.len == 0 && !e->last)
        rc = next_page(e);
    if (rc != AL_OK) {
        page_done(e);
        al_error("export %s failed after %lld rows (%s): the answer is cut short", e->route,
            e->stats.rows, al_err_code(rc));
        last_stats = e->stats;
        al_stream_end(e->s, false); /* frees e with the arena */
        return;
    }
    if (e->x->csv.len > 0) {
        e->stats.bytes += e->x->csv.len;
        al_stream_write(e->s, e->x->csv.p, e->x->csv.len);
        page_done(e);
        return;
    }
    log_done(e, "sent");
    al_stream_end(e->s, true);
}

/* The client went away (or the server stops) mid-export: the stream frees the rest. */
static void
stream_gone(void *ctx)
{
    struct export_run *e = ctx;
    e->stats.interrupted = true;
    last_stats = e->stats;
    al_warn("export %s interrupted: the client left after %lld rows, %zu bytes", e->route,
        e->stats.rows, e->stats.bytes);
}

/* Every page into `e` (a file, or a body the size of the list: no connection to stream to). */
static int
pages_in_place(struct export_run *e, struct al_buf *body)
{
    int rc = AL_OK;
    while (rc == AL_OK && !e->last) {
        rc = next_page(e);
        if (rc == AL_OK && body && e->x->csv.len > 0) {
            size_t need = body->len + e->x->csv.len;
            if (need > body->cap) {
                size_t cap = body->cap ? body->cap : 64 * 1024;
                while (cap < need)
                    cap *= 2;
                char *p = realloc(body->p, cap);
                if (!p)
                    abort(); /* like the arena: no sane recovery */
                body->p = p;
                body->cap = cap;
            }
            memcpy(body->p + body->len, e->x->csv.p, e->x->csv.len);
            body->len += e->x->csv.len;
        }
        page_done(e);
    }
    return rc;
}

int
al_export_list(struct al_req *r, const char *format, const struct al_export_list *l,
    long long *rows)
{
    int ncols = col_count(l->cols);
    const char *headers[COLS_MAX];
    for (int i = 0; i < ncols; i++)
        headers[i] = l->cols[i].header;
    struct export_run *e = al_arena_calloc(r->arena, sizeof(*e));
    e->l = *l;
    e->first = true;
    e->nkeys = l->nkeys > AL_EXPORT_KEYS ? AL_EXPORT_KEYS : l->nkeys;
    e->route = r->match.route ? r->match.route->path : l->name;
    int rc = al_export_open(r, format, l->title, ncols, headers, &e->x);
    if (rc != AL_OK)
        return rc;
    struct al_export *x = e->x;
    const char *file = al_arena_printf(r->arena, "%s.%s", l->name, format);
    al_arena_mark(r->arena, &e->mark);
    r->arena->peak = r->arena->used_total;
    if (x->wb) {
        /* RULE-DB-114: the workbook cannot be streamed (why: docs/rules.md): its rows go to
           libxlsxwriter's temporary file a page at a time, the file is sent from disk. */
        rc = pages_in_place(e, NULL);
        if (rows)
            *rows = x->rows;
        last_stats = e->stats;
        if (rc != AL_OK) {
            al_export_abort(x);
            return rc;
        }
        return reply_workbook(x, file);
    }
    /* RULE-DB-113: the first page before anything is sent, so that its failure is an error
       answer; a list of one page is answered whole, a longer one streamed page by page. */
    rc = next_page(e);
    if (rows)
        *rows = x->rows;
    if (rc != AL_OK)
        return rc;
    e->stats.rows = x->rows;
    if (!e->last && r->ev) {
        e->stats.streamed = true;
        e->s = al_stream_start(r, "text/csv; charset=utf-8", file, stream_more, stream_gone, e);
        if (!e->s) /* never the whole file in memory instead */
            return al_req_fail(r, AL_EUNAVAIL, NULL, "服务繁忙，请稍后重试");
        return AL_OK; /* from now on the stream answers; r->arena is the stream's */
    }
    /* One page, or no connection (a unit test: the whole body, made outside the arena, which
       still holds one page at a time): the first page, then the rest (none if it was the last). */
    struct al_buf body = {.p = malloc(x->csv.len), .len = x->csv.len, .cap = x->csv.len};
    if (!body.p)
        abort();
    memcpy(body.p, x->csv.p, x->csv.len);
    page_done(e);
    rc = pages_in_place(e, &body);
    if (rows)
        *rows = x->rows;
    e->stats.bytes = body.len;
    last_stats = e->stats;
    if (rc == AL_OK) {
        char *p = al_arena_alloc(r->arena, body.len ? body.len : 1);
        memcpy(p, body.p, body.len);
        rc = al_reply_file(r, "text/csv; charset=utf-8", file, p, body.len);
    }
    free(body.p);
    return rc;
}
