/* The import runner (CLI and background jobs) and its routes. */
#include <dirent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "assess/assess.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/events.h"
#include "core/export.h"
#include "core/follow.h"
#include "core/config.h"
#include "core/http.h"
#include "core/jobs.h"
#include "core/idcard.h"
#include "core/log.h"
#include "core/set64.h"
#include "core/text.h"
#include "elder/elder.h"
#include "entitle/entitle.h"
#include "import/import.h"
#include "import/import_int.h"
#include "region/region.h"

#define MAX_FIELDS IMPORT_MAX_FIELDS

struct reader {
    struct al_text t;
    struct al_csv c;
    struct al_str f[MAX_FIELDS];
    int n, map[IMPORT_COL_COUNT];
    int64_t rows;
    int64_t blank; /* rows of empty fields only, skipped (RULE-UPLOAD-001) */
    int header_line, header_end; /* the header's first and last line (RULE-IMPORT-019) */
    int kind;
    struct al_sheet_choice choice; /* the sheet of a workbook (RULE-IMPORT-019) */
};

static void
progress(const struct import_options *o, const char *phase, const struct reader *rd)
{
    if (o->progress)
        o->progress(o->progress_ctx, phase, (int64_t)(rd->c.p - rd->t.p), (int64_t)rd->t.len);
}

/* ---- uploaded files (RULE-UPLOAD-005) ---- */

/* <data_dir>/uploads */
static void
uploads_dir(char *out, size_t size)
{
    snprintf(out, size, "%.380s/uploads", al_config.data_dir ? al_config.data_dir : ".");
}

/* A file the upload route wrote (<uploads>/import-…), sealed (.enc) or from before sealing. */
static bool
in_uploads(const char *path)
{
    char dir[400];
    uploads_dir(dir, sizeof(dir));
    size_t dl = strlen(dir);
    return path && strncmp(path, dir, dl) == 0 && strncmp(path + dl, "/import-", 8) == 0 &&
           !strchr(path + dl + 1, '/');
}

static bool
is_sealed_upload(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return in_uploads(path) && n > 4 && strcmp(path + n - 4, ".enc") == 0;
}

/*
 * A file the reader refused (its message in `e`): reported on the file as 400
 * whatever the reader's code, as the import has always answered.
 */
static int
file_refused(struct al_errinfo *e)
{
    e->field = "file";
    return AL_EINVAL;
}

/*
 * Open the text of `path` into rd->t: an upload is decrypted into an unlinked
 * temporary file first (RULE-UPLOAD-005).
 */
static int
open_text(struct reader *rd, const char *path, struct al_errinfo *e)
{
    struct al_text_opts to = {.max_memory = al_config.xlsx_max_memory,
        .max_seconds = al_config.import_max_s, .choice = &rd->choice};
    if (!is_sealed_upload(path)) {
        if (al_text_open(path, &to, &rd->t, e) != AL_OK)
            return file_refused(e);
        return AL_OK;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return al_fail(e, AL_ECONFLICT, "file",
            "上传的文件已不在（已写入、已过保留期限或校验未通过），请重新上传");
    FILE *tmp = tmpfile();
    int rc = tmp ? al_crypto_file_open(fd, fileno(tmp)) : AL_EINTERNAL;
    close(fd);
    if (rc == AL_OK && al_text_open_fd(fileno(tmp), &to, &rd->t, e) != AL_OK)
        rc = file_refused(e);
    else if (rc == AL_EINVAL)
        rc = al_fail(e, AL_EINVAL, "file", "上传的文件已损坏或被改动，请重新上传");
    else if (rc != AL_OK)
        rc = al_fail(e, AL_EINTERNAL, "file", "无法读取上传的文件");
    if (tmp)
        fclose(tmp);
    return rc;
}

int
import_uploads_sweep(struct al_db *db, int64_t now, bool at_start)
{
    int removed = 0;
    int64_t before = now - al_config.upload_keep_s;
    json_t *ids = json_array(), *paths = json_array(), *stale = json_array();
    int rc = import_store_files(db, before, ids, paths, stale);
    for (size_t i = 0; rc == AL_OK && i < json_array_size(paths); i++) {
        const char *path = json_string_value(json_array_get(paths, i));
        /* Committed or expired; a plaintext file of older versions is never kept. */
        bool drop = json_is_true(json_array_get(stale, i)) || !is_sealed_upload(path);
        if (!in_uploads(path) || !drop)
            continue;
        if (unlink(path) == 0)
            removed++;
        rc = import_store_forget_file(db, json_integer_value(json_array_get(ids, i)));
    }
    if (rc == AL_OK && at_start) { /* files no import refers to: failed or interrupted */
        json_array_clear(ids);
        json_array_clear(paths);
        json_array_clear(stale);
        rc = import_store_files(db, before, ids, paths, stale);
        char dir[400], full[700];
        uploads_dir(dir, sizeof(dir));
        DIR *d = rc == AL_OK ? opendir(dir) : NULL;
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (strncmp(de->d_name, "import-", 7) != 0)
                continue;
            snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
            bool referenced = false;
            for (size_t i = 0; !referenced && i < json_array_size(paths); i++)
                referenced = !strcmp(full, json_string_value(json_array_get(paths, i)));
            if (!referenced && unlink(full) == 0)
                removed++;
        }
        if (d)
            closedir(d);
    }
    json_decref(ids);
    json_decref(paths);
    json_decref(stale);
    if (removed)
        al_info("uploads: %d file(s) removed (committed, expired or orphaned)", removed);
    return rc == AL_OK ? removed : rc;
}

/* The first IMPORT_HEADER_ROWS records of `c` into `rows`/`nf` (from `a`); their lines too. */
static int
first_records(struct al_csv *c, struct al_arena *a, struct al_str **rows, int *nf, int *lines)
{
    int n = 0;
    while (n < IMPORT_HEADER_ROWS) {
        rows[n] = al_arena_alloc(a, MAX_FIELDS * sizeof(struct al_str));
        if (al_csv_read(c, a, rows[n], MAX_FIELDS, &nf[n]) != 1)
            break;
        if (nf[n] > MAX_FIELDS)
            nf[n] = MAX_FIELDS;
        lines[n] = c->line;
        n++;
    }
    return n;
}

/* RULE-IMPORT-019: a sheet's first rows scored against the profile of the kind (`ctx`). */
static int
score_csv(void *ctx, const char *csv, size_t len)
{
    int kind = *(const int *)ctx;
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    struct al_csv c;
    struct al_str *rows[IMPORT_HEADER_ROWS], hdr[MAX_FIELDS];
    int nf[IMPORT_HEADER_ROWS], lines[IMPORT_HEADER_ROWS], row, span, nhdr, missing,
        map[IMPORT_COL_COUNT];
    al_csv_init(&c, csv, len);
    int n = first_records(&c, &a, rows, nf, lines);
    int score = import_find_header(kind, rows, nf, n, &row, &span, map, hdr, &nhdr, &missing);
    al_arena_fini(&a);
    return score > 0 ? score : 0;
}

/*
 * Open the file (the sheet `sheet` of a workbook, or the one whose header fits
 * `kind`) and find its header among the first rows (RULE-IMPORT-019).
 */
static int
reader_open(struct reader *rd, int kind, const char *path, const char *sheet, struct al_arena *a,
    json_t *unknown, struct al_errinfo *e)
{
    memset(rd, 0, sizeof(*rd));
    rd->kind = kind;
    rd->choice.want = sheet && *sheet ? sheet : NULL;
    rd->choice.score = score_csv;
    rd->choice.ctx = &rd->kind;
    int orc = open_text(rd, path, e);
    if (orc != AL_OK)
        return orc;
    struct al_str *rows[IMPORT_HEADER_ROWS], hdr[MAX_FIELDS];
    int nf[IMPORT_HEADER_ROWS], lines[IMPORT_HEADER_ROWS], row = 0, span = 1, nhdr = 0,
        missing = IMPORT_COL_ID, idx[MAX_FIELDS], n_unknown = 0, map[IMPORT_COL_COUNT];
    al_csv_init(&rd->c, rd->t.p, rd->t.len);
    int n = first_records(&rd->c, a, rows, nf, lines);
    if (import_find_header(kind, rows, nf, n, &row, &span, rd->map, hdr, &nhdr, &missing) < 0) {
        bool book = rd->t.xlsx || rd->t.xls;
        al_text_close(&rd->t);
        if (book)
            return al_fail(e, AL_EINVAL, "file",
                "文件缺少“%s”列（工作表“%s”的前 %d 行中没有找到表头）", import_col_label(missing),
                rd->choice.name, IMPORT_HEADER_ROWS);
        return al_fail(e, AL_EINVAL, "file", "文件缺少“%s”列（前 %d 行中没有找到表头）",
            import_col_label(missing), IMPORT_HEADER_ROWS);
    }
    rd->header_line = lines[row];
    rd->header_end = lines[row + span - 1];
    /* The unknown columns of the header found. */
    import_map_headers(kind, hdr, nhdr, map, idx, &n_unknown, &missing);
    for (int i = 0; unknown && i < n_unknown; i++)
        if (hdr[idx[i]].len) /* empty cells of a header are no columns */
            json_array_append_new(unknown, json_stringn(hdr[idx[i]].p, hdr[idx[i]].len));
    /* Data starts after the header: read again up to it. */
    al_csv_init(&rd->c, rd->t.p, rd->t.len);
    for (int i = 0; i < row + span; i++)
        al_csv_read(&rd->c, a, rd->f, MAX_FIELDS, &rd->n);
    return AL_OK;
}

/* reader_next: the file has more lines than al_config.import_max_rows (RULE-UPLOAD-001). */
#define READ_TOO_MANY (-2)

/*
 * Next data row: 1, 2 (a row, and time to report progress), 0 at the end, -1
 * for an unterminated quote, READ_TOO_MANY past the bound on lines.  Rows of
 * empty fields only are skipped and counted in rd->blank; they count towards
 * the bound like every line (RULE-UPLOAD-001, RULE-IMPORT-021).  Resets `a` after a skipped row.
 */
static int
reader_next(struct reader *rd, struct al_arena *a)
{
    int r;
    while ((r = al_csv_read(&rd->c, a, rd->f, MAX_FIELDS, &rd->n)) == 1) {
        if (rd->c.line - rd->header_end > al_config.import_max_rows) /* after the header */
            return READ_TOO_MANY;
        if (!import_row_blank(rd->f, rd->n < MAX_FIELDS ? rd->n : MAX_FIELDS))
            break;
        rd->blank++;
        al_arena_reset(a);
    }
    if (r == 1 && (++rd->rows % 4096) == 0)
        return 2;
    return r;
}

/*
 * A bigger page cache while an import runs (256 MiB instead of 32): every row
 * looks a person up by the ID-hash index, in random order, and at a million
 * records that index alone is about 100 MiB.  SQLite only (RULE-DB-020): the
 * cache is a connection's PRAGMA there; PostgreSQL's is the server's
 * shared_buffers, which a session does not size.
 */
static void
import_cache(struct al_db *db, bool big)
{
    if (al_db_is_pg(db))
        return;
    al_db_exec(db, big ? "PRAGMA cache_size = -262144" : "PRAGMA cache_size = -32000");
}

/* RULE-DB-083: the people of the next rows of a pass, looked up together (PostgreSQL). */
#define AHEAD_ROWS 1024

struct ahead_entry {
    uint64_t key; /* import_id_key of the number */
    int state;    /* its record in states[], -1: not in the registry */
};

struct ahead {
    struct al_arena arena;   /* the entries and records; reset at each refill */
    int line;                /* the rows up to this line are in entries[] */
    struct ahead_entry *entries; /* sorted by key */
    int n;
    struct elder_state *states;
};

/* What a pass over one file shares between its rows. */
#define KIND_HINT "导入类型应为 hukou、roll、disability、death、pension、legacy_assessment 或 benefit"

struct pass {
    struct al_db *db;
    const struct import_options *o;
    struct import_summary *s;
    int kind, min_age;
    const char *scope;      /* the uploader's region, NULL: everywhere */
    int64_t now;    /* the import's time (RULE-DB-102) */
    char today[11]; /* its date in China */
    char ref[32], source[32]; /* evidence: import:N, import:<kind> */
    struct al_set64 seen;   /* numbers met so far in the file */
    struct al_set64 regions; /* region codes found in the region table (as numbers) */
    struct elder_bulk *bulk; /* while rows are written */
    int64_t started_ms;      /* monotonic (RULE-UPLOAD-003) */
    int64_t kept, omitted;   /* reasons stored with their lines / not stored (RULE-UPLOAD-002) */
    struct import_reason *pending; /* reasons kept, not yet stored (IMPORT_REASONS_BATCH) */
    int npending;
    struct import_tally tally;
    struct ahead *ahead;     /* PostgreSQL: the people of the next rows, looked up together */
    struct entitle_items *items; /* benefit rolls: the lists in force (RULE-ENT-071) */
    struct al_arena arena;   /* the pass's lifetime: the three above; the rows use their own */
};

/* AL_OK, or the error reading elder.min_age (the sets are initialised either way). */
static int
pass_init(struct pass *p, struct al_db *db, const struct import_options *o,
    struct import_summary *s, int kind, const char *scope)
{
    memset(p, 0, sizeof(*p));
    al_arena_init(&p->arena, 1 << 16);
    p->db = db;
    p->o = o;
    p->s = s;
    p->kind = kind;
    p->scope = scope && *scope ? scope : NULL;
    p->now = o->now ? o->now : (int64_t)time(NULL); /* RULE-DB-102: read once, if not given */
    al_date_cst(p->now, p->today);
    snprintf(p->source, sizeof(p->source), "import:%s", import_kind_id(kind));
    al_set64_init(&p->seen);
    al_set64_init(&p->regions);
    p->started_ms = (int64_t)al_mono_ms();
    /*
     * RULE-DB-083: the one place the passes part by engine.  On PostgreSQL a
     * lookup is a round trip (18,000 of them were 3.6 s of a pension file's
     * 4.2 s at 20,000): the people of the next AHEAD_ROWS rows are looked up
     * in one statement.  SQLite looks each up as the row comes (a function call).
     */
    if (al_db_is_pg(db)) {
        p->ahead = al_arena_calloc(&p->arena, sizeof(*p->ahead));
        al_arena_init(&p->ahead->arena, 1 << 18);
    }
    if (kind == IMPORT_BENEFIT)
        p->items = entitle_items_new(&p->arena, db, p->today);
    return elder_min_age(db, &p->min_age); /* RULE-IMPORT-010: the registry's own setting */
}

/* Reasons stored together in one bulk load (RULE-DB-022), between two rows. */
#define IMPORT_REASONS_BATCH 512

static int
flush_reasons(struct pass *p)
{
    int rc = import_store_reasons(p->db, p->s->id, p->pending, p->npending);
    p->npending = 0;
    return rc;
}

/*
 * Record one rejected row's reasons (at most 8): every reason is counted per
 * column and reason; only the first al_config.import_max_errors of the file are
 * stored with their line (RULE-UPLOAD-002).
 */
static int
reject(struct pass *p, int64_t line, const struct import_error *errs, int n)
{
    int rc = AL_OK;
    for (int i = 0; rc == AL_OK && i < n && i < 8; i++) {
        import_tally_add(&p->tally, errs[i].col, errs[i].reason);
        if (p->kept >= al_config.import_max_errors) {
            p->omitted++;
            continue;
        }
        if (!p->pending)
            p->pending = al_arena_alloc(&p->arena, IMPORT_REASONS_BATCH * sizeof(*p->pending));
        p->kept++;
        struct import_reason *r = &p->pending[p->npending++];
        r->line = line;
        r->pos = i;
        r->col = import_col_label(errs[i].col);
        snprintf(r->reason, sizeof(r->reason), "%s", errs[i].reason);
        if (p->npending == IMPORT_REASONS_BATCH)
            rc = flush_reasons(p);
    }
    return rc;
}

/* RULE-UPLOAD-002: the counts per reason, once the rows are read. */
static int
store_tally(struct pass *p, struct al_arena *a)
{
    if (!p->kept && !p->omitted)
        return AL_OK;
    json_t *j = import_tally_json(&p->tally);
    int rc = import_store_tally(p->db, p->s->id, p->omitted, al_json_dump(a, j, NULL));
    json_decref(j);
    return rc;
}

/* RULE-UPLOAD-001, RULE-UPLOAD-003: the bounds met while reading (AL_OK when none). */
static int
check_bounds(const struct pass *p, int r, struct al_errinfo *e)
{
    if (r == READ_TOO_MANY)
        return al_fail(e, AL_ETOOBIG, "file",
            "文件超过 %ld 行的上限，已停止，未写入任何数据；请把文件拆分后分批导入",
            al_config.import_max_rows);
    if ((int64_t)al_mono_ms() - p->started_ms > (int64_t)al_config.import_max_s * 1000)
        return al_fail(e, AL_ETOOBIG, "file",
            "导入用时超过 %ld 秒的上限，已停止，未写入任何数据；请把文件拆分后分批导入",
            al_config.import_max_s);
    return AL_OK;
}

static void
pass_fini(struct pass *p)
{
    al_set64_fini(&p->seen);
    al_set64_fini(&p->regions);
    if (p->ahead)
        al_arena_fini(&p->ahead->arena);
    al_arena_fini(&p->arena);
}

/* Is the 12-digit `code` in the region table?  Each code is looked up once a pass. */
static bool
known_region(struct pass *p, struct al_arena *a, const char *code)
{
    uint64_t key = strtoull(code, NULL, 10);
    if (al_set64_has(&p->regions, key))
        return true;
    if (!region_name(p->db, a, code))
        return false;
    al_set64_add(&p->regions, key);
    return true;
}

static void
pass_set_import(struct pass *p, int64_t import_id)
{
    p->s->id = import_id;
    snprintf(p->ref, sizeof(p->ref), "import:%lld", (long long)import_id);
}

/* ---- looking ahead (RULE-DB-083, PostgreSQL) ---- */

static int
ahead_cmp(const void *x, const void *y)
{
    uint64_t a = ((const struct ahead_entry *)x)->key, b = ((const struct ahead_entry *)y)->key;
    return a < b ? -1 : a > b;
}

/*
 * Look up the current row's `number` and those of the next rows valid by
 * import_validate_row (the rows are read again from a copy of the cursor: the
 * text is in memory), up to AHEAD_ROWS, in one statement.
 */
static int
ahead_fill(struct pass *p, const struct reader *rd, const char *number)
{
    struct ahead *ah = p->ahead;
    struct al_arena *a = &ah->arena;
    al_arena_reset(a);
    char(*numbers)[19] = al_arena_alloc(a, AHEAD_ROWS * sizeof(*numbers));
    memcpy(numbers[0], number, 19);
    int n = 1;
    struct al_csv c = rd->c;
    struct al_str f[MAX_FIELDS];
    int nf;
    ah->line = c.line;
    while (n < AHEAD_ROWS && al_csv_read(&c, a, f, MAX_FIELDS, &nf) == 1) {
        ah->line = c.line;
        struct import_row row;
        struct import_error errs[8];
        if (nf > MAX_FIELDS)
            nf = MAX_FIELDS;
        if (!import_row_blank(f, nf) &&
            import_validate_row(p->kind, f, nf, rd->map, p->today, a, &row, errs, 8) == 0)
            memcpy(numbers[n++], row.id_number, 19);
    }
    ah->states = al_arena_alloc(a, (size_t)n * sizeof(*ah->states));
    int *which = al_arena_alloc(a, (size_t)n * sizeof(*which)), found = 0;
    int rc = elder_find_many(p->db, a, (const char(*)[19])numbers, n, ah->states, which, &found);
    ah->entries = al_arena_alloc(a, (size_t)n * sizeof(*ah->entries));
    ah->n = n;
    for (int i = 0; i < n; i++)
        ah->entries[i] = (struct ahead_entry){import_id_key(numbers[i]), -1};
    for (int k = 0; k < found; k++)
        ah->entries[which[k]].state = k;
    qsort(ah->entries, (size_t)n, sizeof(*ah->entries), ahead_cmp);
    /* A number on two rows (the second is refused as repeated) was found once: both see it. */
    for (int i = 1; i < n; i++)
        if (ah->entries[i].key == ah->entries[i - 1].key) {
            int st = ah->entries[i].state > ah->entries[i - 1].state ? ah->entries[i].state
                                                                     : ah->entries[i - 1].state;
            ah->entries[i].state = ah->entries[i - 1].state = st;
        }
    return rc;
}

/* elder_find_by_number for the current row, from what was looked up ahead. */
static int
ahead_find(struct pass *p, const struct reader *rd, struct al_arena *a, const char *number,
    struct elder_state *cur)
{
    struct ahead *ah = p->ahead;
    if (rd->c.line > ah->line || !ah->entries) {
        int rc = ahead_fill(p, rd, number);
        if (rc != AL_OK)
            return rc;
    }
    struct ahead_entry key = {import_id_key(number), 0}, *e;
    e = bsearch(&key, ah->entries, (size_t)ah->n, sizeof(*e), ahead_cmp);
    if (!e) /* not among the rows read ahead (cannot happen: the same checks ran) */
        return elder_find_by_number(p->db, a, number, cur);
    if (e->state < 0)
        return AL_ENOTFOUND;
    *cur = ah->states[e->state];
    return AL_OK;
}

/* What makes a row a repeat within the file (RULE-IMPORT-004): the person, or for a benefit
   roll the person, the item and the start date (one person receives several items). */
static uint64_t
seen_key(int kind, const struct import_row *row)
{
    uint64_t k = import_id_key(row->id_number);
    if (kind != IMPORT_BENEFIT)
        return k;
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the item and the date */
    for (const char *c = row->item; c && *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    for (const char *c = row->start_date; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    return k ^ (h * 0x9e3779b97f4a7c15ull);
}

/* RULE-ENT-071: the row's item is on the list in force where the elder lives (its key kept in
   the row), or the row is refused naming the item.  Errors written (0 or 1), or AL_E*. */
static int
check_item(struct pass *p, struct import_row *row, const struct elder_state *cur,
    struct import_error errs[8])
{
    int rc = entitle_items_find(p->items, cur->region_code, row->start_date, row->item,
        &row->item_key);
    if (rc == AL_ENOTFOUND || rc == AL_EINVAL) {
        errs[0] = (struct import_error){IMPORT_COL_ITEM, ""};
        snprintf(errs[0].reason, sizeof(errs[0].reason),
            "服务项目“%.108s”不在当地服务清单中", /* at most 36 characters: whole */
            row->item);
        return 1;
    }
    return rc;
}

/*
 * The checks of the current row: its fields (import_validate_row), a number
 * repeated in the file (RULE-IMPORT-004), the uploader's region
 * (RULE-IMPORT-016), a known region code, and the person in the registry
 * (RULE-IMPORT-015) when `lookup` (always for kinds other than household
 * registration).  Returns the number of errors written to `errs` (0: the row
 * is accepted; *found tells whether *cur holds the person) or an AL_E* code.
 */
static int
check_row(struct pass *p, struct reader *rd, struct al_arena *a, bool lookup,
    struct import_row *row, struct elder_state *cur, bool *found, struct import_error errs[8])
{
    *found = false;
    int ne = import_validate_row(p->kind, rd->f, rd->n, rd->map, p->today, a, row, errs, 8);
    if (ne)
        return ne;
    if (!al_set64_add(&p->seen, seen_key(p->kind, row))) {
        errs[0] = p->kind == IMPORT_BENEFIT
            ? (struct import_error){IMPORT_COL_ITEM, "同一人的同一服务项目和开始日期在文件中重复出现"}
            : (struct import_error){IMPORT_COL_ID, "身份证号在文件中重复出现"};
        return 1;
    }
    bool hukou = p->kind == IMPORT_HUKOU;
    if (hukou && p->scope && !region_in_scope(p->scope, row->region_code)) {
        errs[0] = (struct import_error){IMPORT_COL_REGION, ""};
        snprintf(errs[0].reason, sizeof(errs[0].reason), "区划代码 %s 不在本辖区", row->region_code);
        return 1;
    }
    if (hukou && !known_region(p, a, row->region_code)) {
        errs[0] = (struct import_error){IMPORT_COL_REGION, ""};
        snprintf(errs[0].reason, sizeof(errs[0].reason), "区划代码 %s 不存在", row->region_code);
        return 1;
    }
    if (!lookup && hukou)
        return 0;
    int fr = p->ahead ? ahead_find(p, rd, a, row->id_number, cur)
                      : elder_find_by_number(p->db, a, row->id_number, cur);
    if (fr != AL_OK && fr != AL_ENOTFOUND)
        return fr;
    *found = fr == AL_OK && (!p->scope || region_in_scope(p->scope, cur->region_code));
    if (!*found && !hukou) { /* outside the uploader's region: as if absent */
        errs[0] = (struct import_error){IMPORT_COL_ID, "登记库中没有此人（请先导入户籍数据）"};
        return 1;
    }
    if (fr == AL_OK && !*found) { /* someone of another region in a household file */
        /* RULE-PII-004: which region holds the record is not the uploader's to know. */
        errs[0] = (struct import_error){IMPORT_COL_ID,
            "此人已在本辖区以外登记，不能由本辖区导入；如已迁入本辖区，请联系上级民政部门办理"};
        return 1;
    }
    if (p->kind == IMPORT_BENEFIT) /* RULE-ENT-071: an item of the list where the elder lives */
        return check_item(p, row, cur, errs);
    return 0;
}

/* Apply one accepted row (RULE-IMPORT-005…011); `cur` NULL for a new person. */
static int
write_row(struct pass *p, struct al_arena *a, const struct import_row *row,
    const struct elder_state *cur)
{
    struct import_summary *s = p->s;
    const struct import_options *o = p->o;
    const char *actor = o->username ? o->username : "import";
    if (p->kind == IMPORT_BENEFIT) { /* RULE-ENT-072: a benefit record, once per start */
        int outcome = 0;
        int rc = entitle_benefit_import(p->db, cur->id, cur->region_code, row->item_key,
            row->start_date, row->end_date[0] ? row->end_date : NULL,
            row->reference ? row->reference : p->ref, actor, p->now, &outcome);
        s->created += outcome == ENTITLE_BENEFIT_ADDED;
        s->changed += outcome == ENTITLE_BENEFIT_CHANGED;
        s->unchanged += outcome == ENTITLE_BENEFIT_SAME;
        return rc;
    }
    if (p->kind == IMPORT_LEGACY) { /* recorded in the assessment history, never converted */
        bool inserted = false;
        int rc = assess_legacy_record(p->db, p->now, cur->id, cur->region_code,
            row->legacy_level, row->adl_score, row->assessed_on, row->reference, o->user_id,
            &inserted);
        s->created += inserted;
        s->unchanged += !inserted;
        return rc;
    }
    al_json_use_arena(a);
    json_t *set = json_object();
    unsigned flags = 0;
    int effect = import_plan(row, cur, p->min_age, p->today, set, &flags);
    const char *date = p->kind == IMPORT_ROLL ? row->start_date
                       : p->kind == IMPORT_DEATH ? row->death_date : p->today;
    struct elder_evidence ev = {p->source, p->ref, date};
    int64_t id = cur ? cur->id : 0;
    int rc = AL_OK;
    if (effect == IMPORT_EFFECT_NEW) {
        s->created++;
        if (p->kind == IMPORT_HUKOU) /* marked as seen in the same INSERT */
            json_object_set_new(set, "last_hukou_import", json_integer(s->id));
        rc = elder_bulk_apply(p->bulk, a, 0, set, &ev, o->user_id, actor, "import", NULL, NULL);
    } else if (effect == IMPORT_EFFECT_CHANGED) {
        s->changed++;
        if (p->kind == IMPORT_HUKOU) /* marked as seen in the same UPDATE */
            json_object_set_new(set, "last_hukou_import", json_integer(s->id));
        rc = elder_bulk_apply(p->bulk, a, id, set, &ev, o->user_id, actor, "import", cur, NULL);
    } else if (effect == IMPORT_EFFECT_UNCHANGED) {
        s->unchanged++;
    } else {
        s->skipped_age++;
        id = 0;
    }
    al_json_use_arena(NULL);
    s->deaths += (flags & IMPORT_FLAG_DEATH) != 0;
    s->moves += (flags & IMPORT_FLAG_MOVE) != 0;
    if (rc == AL_OK && p->kind == IMPORT_HUKOU && effect == IMPORT_EFFECT_UNCHANGED)
        rc = elder_bulk_seen(p->bulk, id, s->id);
    return rc;
}

/* Open the file of `path` and its header; the encoding and unknown columns into `s`. */
/* RULE-IMPORT-019: the sheet and header row read, and the other sheets that would fit. */
static void
reader_summary(const struct reader *rd, struct import_summary *s)
{
    snprintf(s->sheet, sizeof(s->sheet), "%s", rd->t.xlsx || rd->t.xls ? rd->choice.name : "");
    s->header_row = rd->header_line;
    s->n_sheets = rd->choice.count;
    s->n_candidates = rd->choice.n_candidates;
    memcpy(s->candidates, rd->choice.candidates, sizeof(s->candidates));
}

static int
open_file(struct reader *rd, int kind, const char *path, const char *sheet, struct al_arena *a,
    struct import_summary *s, const char **unknown_json, char sha[65], struct al_errinfo *e)
{
    json_t *unknown = json_array();
    int rc = reader_open(rd, kind, path, sheet, a, unknown, e);
    if (rc == AL_OK) {
        snprintf(s->encoding, sizeof(s->encoding), "%s",
            rd->t.xlsx ? "XLSX" : rd->t.xls ? "XLS" : rd->t.converted ? "GB18030" : "UTF-8");
        reader_summary(rd, s);
        s->unknown_columns = (int64_t)json_array_size(unknown);
        al_crypto_sha256_hex(rd->t.p, rd->t.len, sha);
        *unknown_json = al_json_dump(a, unknown, NULL);
    }
    json_decref(unknown);
    return rc;
}

/* RULE-IMPORT-019: which sheet and header row the import read. */
static int
store_sheet(struct al_db *db, int64_t id, const struct import_summary *s, struct al_arena *a)
{
    json_t *c = json_array();
    for (int i = 0; i < s->n_candidates; i++)
        json_array_append_new(c, json_string(s->candidates[i]));
    int rc = import_store_sheet(db, id, s->sheet[0] ? s->sheet : NULL, s->header_row,
        al_json_dump(a, c, NULL), s->blank_rows);
    json_decref(c);
    return rc;
}

/* After the rows of a written pass: the summary, the audit entry, status committed. */
static int
finish_commit(struct pass *p, struct al_arena *a)
{
    struct import_summary *s = p->s;
    json_t *sum = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "created", (json_int_t)s->created,
        "changed", (json_int_t)s->changed, "unchanged", (json_int_t)s->unchanged, "deaths",
        (json_int_t)s->deaths, "moves", (json_int_t)s->moves, "skipped_age",
        (json_int_t)s->skipped_age);
    int rc = import_store_counts(p->db, s->id, s->rows, s->accepted, s->rejected,
        al_json_dump(a, sum, NULL), true, p->now);
    if (rc == AL_OK) {
        struct audit_entry ae = {.action = "import.commit", .target_type = "import",
            .target_id = p->ref + 7, .outcome = "success", .detail = sum, .at = p->now};
        rc = audit_append_as(p->db, p->o->user_id, p->o->username ? p->o->username : "cli",
            p->o->client_ip ? p->o->client_ip : "local", &ae);
    }
    json_decref(sum);
    return rc;
}

/* RULE-AUDIT-002: a validated upload leaves an import record and its report: audited. */
static int
audit_validated(struct pass *p)
{
    const struct import_summary *s = p->s;
    struct audit_entry ae = {.action = "import.validate", .target_type = "import",
        .target_id = p->ref + 7, .region_code = p->scope, .outcome = "success",
        .detail = json_pack("{s:s, s:I, s:I, s:I}", "kind", import_kind_id(p->kind), "rows",
            (json_int_t)s->rows, "accepted", (json_int_t)s->accepted, "rejected",
            (json_int_t)s->rejected), .at = p->now};
    int rc = audit_append_as(p->db, p->o->user_id, p->o->username ? p->o->username : "cli",
        p->o->client_ip ? p->o->client_ip : "local", &ae);
    json_decref(ae.detail);
    return rc;
}

/* run_pass with `write` met a rejected row and rolled back: validate instead. */
#define PASS_REJECTED 1

/*
 * One pass over the file.  Without `write`: validate every row and record the
 * report (the first step of an upload).  With `write` (import_run with
 * commit): validate and apply in the same transaction; the first rejected row,
 * unless valid_only, rolls it all back (RULE-IMPORT-007) and returns
 * PASS_REJECTED, and the caller makes the validating pass for the report.  No
 * savepoint: its journal would keep a copy of every page a pass changes.
 */
static int
run_pass(struct al_db *db, const struct import_options *o, struct import_summary *s, bool write,
    struct al_errinfo *e)
{
    memset(s, 0, sizeof(*s));
    int kind = import_kind_parse(o->kind ? o->kind : "");
    if (kind < 0)
        return al_fail(e, AL_EINVAL, "kind", KIND_HINT);
    struct al_arena a, bulk_arena;
    al_arena_init(&a, 1 << 16);
    al_arena_init(&bulk_arena, 4096); /* the bulk's state, for the whole pass */
    struct reader rd;
    const char *unknown_json = NULL;
    char sha[65];
    int rc = open_file(&rd, kind, o->path, o->sheet, &a, s, &unknown_json, sha, e);
    if (rc != AL_OK) {
        al_arena_fini(&bulk_arena);
        al_arena_fini(&a);
        return rc;
    }
    struct pass p;
    rc = pass_init(&p, db, o, s, kind, o->region_code);
    int64_t id = 0;
    if (rc == AL_OK && (rc = al_db_begin(db)) == AL_OK)
        rc = import_store_create(db, import_kind_id(kind), o->filename ? o->filename : o->path,
            sha, s->encoding, o->keep_file ? o->path : NULL, o->region_code, o->user_id,
            o->username, unknown_json, o->partial && kind == IMPORT_HUKOU, p.now, &id);
    pass_set_import(&p, id);
    if (rc == AL_OK && write)
        rc = elder_bulk_begin(db, &bulk_arena, p.now, &p.bulk);
    const char *phase = write ? "写入中" : "校验中";
    struct import_row row;
    struct import_error errs[8];
    struct elder_state cur;
    int r = 0;
    while (rc == AL_OK && (r = reader_next(&rd, &a)) > 0) {
        if (r == 2) {
            progress(o, phase, &rd);
            if ((rc = check_bounds(&p, r, e)) != AL_OK)
                break;
        }
        s->rows++;
        /* A household file sent by a region is checked against the registry already at
           validation: someone registered elsewhere is reported, not skipped at commit
           (RULE-UPLOAD-007). */
        bool found, lookup = p.bulk ? elder_bulk_existing(p.bulk) > 0 : p.scope != NULL;
        int ne = check_row(&p, &rd, &a, lookup, &row, &cur, &found, errs);
        if (ne < 0) {
            rc = ne;
        } else if (ne > 0 && p.bulk && !o->valid_only) {
            rc = PASS_REJECTED;
        } else if (ne > 0) {
            s->rejected++;
            rc = reject(&p, rd.c.line, errs, ne);
        } else {
            s->accepted++;
            if (p.bulk)
                rc = write_row(&p, &a, &row, found ? &cur : NULL);
        }
        al_arena_reset(&a);
    }
    if (rc == AL_OK && r == READ_TOO_MANY) {
        rc = check_bounds(&p, r, e);
    } else if (rc == AL_OK && r < 0 && p.bulk && !o->valid_only) {
        rc = PASS_REJECTED;
    } else if (rc == AL_OK && r < 0) {
        s->rejected++;
        s->rows++;
        struct import_error quote = {-1, "引号未闭合，文件在此处截断"};
        rc = reject(&p, rd.c.line, &quote, 1);
    }
    s->blank_rows = rd.blank;
    if (rc == AL_OK)
        rc = flush_reasons(&p);
    if (rc == AL_OK)
        rc = store_tally(&p, &a);
    if (rc == AL_OK)
        rc = store_sheet(db, id, s, &a);
    if (p.bulk && rc == AL_OK) {
        progress(o, "更新检索索引", &rd);
        rc = elder_bulk_end(p.bulk, rc);
        if (rc == AL_OK)
            rc = finish_commit(&p, &a);
    } else if (rc == AL_OK) {
        rc = import_store_counts(db, s->id, s->rows, s->accepted, s->rejected, "{}", false, p.now);
        if (rc == AL_OK)
            rc = audit_validated(&p);
    } else if (p.bulk) {
        elder_bulk_end(p.bulk, rc); /* releases what it gathered; the pass rolls back */
    }
    if (rc == AL_OK)
        rc = al_db_commit(db);
    else
        al_db_rollback(db);
    s->committed = rc == AL_OK && p.bulk;
    progress(o, s->committed ? "已写入" : rc == PASS_REJECTED ? "有被拒的行，不写入" : "校验完成", &rd);
    pass_fini(&p);
    al_text_close(&rd.t);
    al_arena_fini(&bulk_arena);
    al_arena_fini(&a);
    return rc;
}

/* The second step of an upload: re-read the validated file and apply its accepted rows. */
static int
commit_file(struct al_db *db, int64_t import_id, const struct import_options *o,
    struct import_summary *s, struct al_errinfo *e)
{
    memset(s, 0, sizeof(*s));
    struct al_arena a;
    al_arena_init(&a, 1 << 16);
    struct import_record rec;
    int rc = import_store_get(db, &a, import_id, &rec);
    if (rc == AL_ENOTFOUND) {
        al_arena_fini(&a);
        return al_fail(e, AL_ENOTFOUND, NULL, "导入记录不存在");
    }
    if (rc == AL_OK && strcmp(rec.status, "validated") != 0)
        rc = al_fail(e, AL_ECONFLICT, NULL, "该导入已经写入，不能重复写入");
    else if (rc == AL_OK && rec.rejected > 0 && !o->valid_only)
        rc = al_fail(e, AL_ECONFLICT, "valid_only",
            "有 %lld 行被拒，默认全部有效才写入；如只写入有效行，请选择“仅写入有效行”",
            (long long)rec.rejected);
    else if (rc == AL_OK && !rec.stored_path)
        rc = al_fail(e, AL_ECONFLICT, NULL, "该导入的文件未保留，请重新上传");
    if (rc != AL_OK) {
        al_arena_fini(&a);
        return rc;
    }
    int kind = import_kind_parse(rec.kind);
    char path[512];
    snprintf(path, sizeof(path), "%s", rec.stored_path);
    struct reader rd;
    if ((rc = reader_open(&rd, kind, path, rec.sheet, &a, NULL, e)) != AL_OK) {
        al_arena_fini(&a);
        return rc;
    }
    char sha[65];
    al_crypto_sha256_hex(rd.t.p, rd.t.len, sha);
    if (strcmp(sha, rec.sha) != 0) {
        al_text_close(&rd.t);
        al_arena_fini(&a);
        return al_fail(e, AL_ECONFLICT, NULL, "文件在校验后被改动，请重新上传");
    }
    snprintf(s->encoding, sizeof(s->encoding), "%s", rec.encoding);
    reader_summary(&rd, s);
    /* The loop resets the arena `rec` lives in: keep what it needs. */
    char scope[16];
    snprintf(scope, sizeof(scope), "%s", rec.region_code ? rec.region_code : "");
    struct pass p;
    int init = pass_init(&p, db, o, s, kind, scope);
    pass_set_import(&p, import_id);
    s->rows = rec.rows;
    s->accepted = rec.accepted;
    s->rejected = rec.rejected;
    struct import_row row;
    struct import_error errs[8];
    struct elder_state cur;
    int r = 0;
    /* RULE-IMPORT-007: every accepted row in one transaction. */
    struct al_arena bulk_arena;
    al_arena_init(&bulk_arena, 4096);
    rc = init == AL_OK ? al_db_begin(db) : init;
    if (rc == AL_OK)
        rc = elder_bulk_begin(db, &bulk_arena, p.now, &p.bulk);
    while (rc == AL_OK && (r = reader_next(&rd, &a)) > 0) {
        if (r == 2) {
            progress(o, "写入中", &rd);
            if ((rc = check_bounds(&p, r, e)) != AL_OK)
                break;
        }
        /* Into an empty registry every row is new (numbers are unique within the file). */
        bool found, lookup = elder_bulk_existing(p.bulk) > 0;
        int ne = check_row(&p, &rd, &a, lookup, &row, &cur, &found, errs);
        if (ne < 0)
            rc = ne;
        else if (ne == 0) /* rows rejected now were rejected in the report, or changed since */
            rc = write_row(&p, &a, &row, found ? &cur : NULL);
        al_arena_reset(&a);
    }
    if (rc == AL_OK && r == READ_TOO_MANY)
        rc = check_bounds(&p, r, e);
    s->blank_rows = rd.blank;
    if (p.bulk) {
        progress(o, "更新检索索引", &rd);
        rc = elder_bulk_end(p.bulk, rc);
    }
    if (rc == AL_OK)
        rc = finish_commit(&p, &a);
    bool upload = in_uploads(path);
    if (rc == AL_OK && upload) /* RULE-UPLOAD-005: the file goes with the commit */
        rc = import_store_forget_file(db, import_id);
    if (rc == AL_OK)
        rc = al_db_commit(db);
    else
        al_db_rollback(db);
    if (rc == AL_OK && upload)
        unlink(path);
    s->committed = rc == AL_OK;
    progress(o, s->committed ? "已写入" : "写入失败，已回滚", &rd);
    pass_fini(&p);
    al_text_close(&rd.t);
    al_arena_fini(&bulk_arena);
    al_arena_fini(&a);
    return rc;
}

int
import_validate(struct al_db *db, const struct import_options *o, struct import_summary *s,
    struct al_errinfo *e)
{
    import_cache(db, true);
    int rc = run_pass(db, o, s, false, e);
    import_cache(db, false);
    return rc;
}

int
import_commit(struct al_db *db, int64_t import_id, const struct import_options *o,
    struct import_summary *s, struct al_errinfo *e)
{
    import_cache(db, true);
    int rc = commit_file(db, import_id, o, s, e);
    import_cache(db, false);
    return rc;
}

/* The CLI and the demo seed: with o->commit, one pass that validates and writes. */
int
import_run(struct al_db *db, const struct import_options *o, struct import_summary *s,
    struct al_errinfo *e)
{
    struct import_options v = *o;
    v.keep_file = true; /* a report left uncommitted can still be written later */
    import_cache(db, true);
    int rc = run_pass(db, &v, s, o->commit, e);
    if (rc == PASS_REJECTED) /* nothing written: the report of every row */
        rc = run_pass(db, &v, s, false, e);
    import_cache(db, false);
    return rc;
}

/* ---- routes ---- */

struct job_arg {
    int64_t import_id; /* 0: validate the uploaded file */
    struct import_options o;
    char kind[16], path[512], filename[256], username[64], client_ip[48], region[16];
    char sheet[AL_SHEET_NAME_MAX];
};

static void
job_progress(void *ctx, const char *phase, int64_t done, int64_t total)
{
    al_job_progress(ctx, phase, done, total);
}

static json_t *
summary_json(const struct import_summary *s)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
        "import_id", (json_int_t)s->id, "encoding", s->encoding, "rows", (json_int_t)s->rows,
        "accepted", (json_int_t)s->accepted, "rejected", (json_int_t)s->rejected, "committed",
        s->committed, "created", (json_int_t)s->created, "changed", (json_int_t)s->changed,
        "unchanged", (json_int_t)s->unchanged, "deaths", (json_int_t)s->deaths, "moves",
        (json_int_t)s->moves, "skipped_age", (json_int_t)s->skipped_age, "unknown_columns",
        (json_int_t)s->unknown_columns);
    json_object_set_new(j, "blank_rows", json_integer(s->blank_rows)); /* RULE-UPLOAD-001 */
    /* RULE-IMPORT-019: the sheet and the header row read; the sheets that would fit. */
    json_object_set_new(j, "sheet", s->sheet[0] ? json_string(s->sheet) : json_null());
    json_object_set_new(j, "header_row", json_integer(s->header_row));
    json_t *c = json_array();
    for (int i = 0; i < s->n_candidates; i++)
        json_array_append_new(c, json_string(s->candidates[i]));
    json_object_set_new(j, "sheet_candidates", c);
    return j;
}

static int
import_job(struct al_db *db, struct al_job *job, void *arg, json_t **result, struct al_errinfo *err)
{
    struct job_arg *j = arg;
    /* Point the options at this copy's own buffers. */
    j->o.kind = j->kind;
    j->o.path = j->path;
    j->o.filename = j->filename;
    j->o.username = j->username;
    j->o.client_ip = j->client_ip;
    j->o.region_code = j->region;
    j->o.sheet = j->sheet;
    j->o.progress = job_progress;
    j->o.progress_ctx = job;
    j->o.now = al_job_started(job); /* RULE-DB-102 */
    struct import_summary s;
    import_uploads_sweep(db, al_job_started(job), false); /* RULE-UPLOAD-005: expired files go */
    int rc = j->import_id ? import_commit(db, j->import_id, &j->o, &s, err)
                          : import_validate(db, &j->o, &s, err);
    if (rc != AL_OK && !j->import_id) /* refused: no import refers to the file */
        unlink(j->path);
    if (rc != AL_OK) {
        if (!err->message[0])
            al_fail(err, rc, NULL, "数据库错误");
        return rc;
    }
    *result = summary_json(&s);
    return AL_OK;
}

static struct job_arg *
new_job_arg(struct al_req *r)
{
    struct job_arg *j = al_arena_calloc(r->arena, sizeof(*j));
    snprintf(j->username, sizeof(j->username), "%s", r->who->username);
    snprintf(j->client_ip, sizeof(j->client_ip), "%s", r->client_ip);
    snprintf(j->region, sizeof(j->region), "%s", r->who->region_code);
    j->o.user_id = r->who->user_id;
    return j;
}

/* POST /api/v1/imports?kind=…&filename=…  body: the file itself. */
static int
import_upload(struct al_req *r)
{
    const char *kind = al_query_get(&r->query, "kind");
    const char *filename = al_query_get(&r->query, "filename");
    if (!kind || import_kind_parse(kind) < 0)
        return al_req_fail(r, AL_EINVAL, "kind", KIND_HINT);
    if (import_kind_parse(kind) == IMPORT_LEGACY &&
        !auth_role_has(r->db, r->who->role, "assess.import_legacy"))
        return al_req_fail(r, AL_EPERM, "kind", "没有录入旧标准评估结果的权限");
    if (import_kind_parse(kind) == IMPORT_BENEFIT && /* RULE-ENT-073 */
        !auth_role_has(r->db, r->who->role, "entitle.manage"))
        return al_req_fail(r, AL_EPERM, "kind", "没有登记享受待遇记录的权限");
    if (!filename || !*filename || strlen(filename) > 200 || strchr(filename, '/'))
        return al_req_fail(r, AL_EINVAL, "filename", "请提供文件名（不超过 200 个字符）");
    if (r->body_len == 0)
        return al_req_fail(r, AL_EINVAL, "file", "上传的文件是空的");
    const char *sheet = al_query_get(&r->query, "sheet"); /* RULE-IMPORT-019 */
    if (sheet && strlen(sheet) >= AL_SHEET_NAME_MAX)
        return al_req_fail(r, AL_EINVAL, "sheet", "工作表名称过长");
    int64_t partial = 0;
    int rc = al_query_int(&r->query, "partial", "补录", 0, 1, 0, &partial, &r->err);
    if (rc != AL_OK)
        return rc;
    struct job_arg *j = new_job_arg(r);
    char dir[400], rnd[17];
    uploads_dir(dir, sizeof(dir));
    mkdir(dir, 0700);
    al_crypto_random_hex(rnd, 8);
    /* RULE-UPLOAD-005: kept encrypted under the installation key until commit or expiry. */
    snprintf(j->path, sizeof(j->path), "%s/import-%s.enc", dir, rnd);
    int fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && al_crypto_file_seal(fd, r->body, r->body_len) == AL_OK &&
              fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        unlink(j->path);
        return al_req_fail(r, AL_EINTERNAL, NULL, "上传文件保存失败");
    }
    snprintf(j->kind, sizeof(j->kind), "%s", kind);
    snprintf(j->filename, sizeof(j->filename), "%s", filename);
    snprintf(j->sheet, sizeof(j->sheet), "%s", sheet ? sheet : "");
    j->o.keep_file = true;
    j->o.partial = partial;
    return al_jobs_submit_reply(r, "import.validate", import_job, j, sizeof(*j));
}


/* Import `id` as the caller may see it: AL_ENOTFOUND (answered 导入记录不存在) outside their region. */
static int
import_in_scope(struct al_req *r, int64_t id, struct import_record *rec)
{
    int rc = import_store_get(r->db, r->arena, id, rec);
    if (rc == AL_ENOTFOUND || (rc == AL_OK && !region_in_scope(r->who->region_code, rec->region_code)))
        return al_req_fail(r, AL_ENOTFOUND, NULL, "导入记录不存在");
    return rc;
}

static int
import_commit_route(struct al_req *r)
{
    int64_t id;
    json_t *body;
    bool valid_only = false;
    int rc = al_req_param_id(r, "id", &id);
    if (rc == AL_OK)
        rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_bool(body, "valid_only", "仅写入有效行", 0, &valid_only, NULL, &r->err);
    if (rc != AL_OK)
        return rc;
    struct import_record rec;
    if ((rc = import_in_scope(r, id, &rec)) != AL_OK)
        return rc;
    if (strcmp(rec.status, "validated") != 0)
        return al_req_fail(r, AL_ECONFLICT, NULL, "该导入已经写入，不能重复写入");
    if (rec.rejected > 0 && !valid_only)
        return al_req_fail(r, AL_ECONFLICT, "valid_only",
            "有 %lld 行被拒，默认全部有效才写入；如只写入有效行，请选择“仅写入有效行”",
            (long long)rec.rejected);
    struct job_arg *j = new_job_arg(r);
    j->import_id = id;
    j->o.valid_only = valid_only;
    return al_jobs_submit_reply(r, "import.commit", import_job, j, sizeof(*j));
}

/*
 * Job `:id` as GET /api/v1/jobs/:id shows it, into *out.  Someone else's job is
 * as good as missing, unless the caller runs the system (RULE-EVENT-006: the
 * event stream checks exactly this).
 */
static int
job_read(struct al_req *r, int64_t *id, json_t **out)
{
    int64_t owner = 0;
    int rc = al_req_param_id(r, "id", id);
    if (rc != AL_OK)
        return rc;
    json_t *j = NULL;
    rc = al_jobs_get(r->db, *id, &j, &owner);
    if (rc == AL_OK && owner != r->who->user_id &&
        !auth_role_has(r->db, r->who->role, "system.manage"))
        rc = AL_ENOTFOUND;
    if (rc == AL_ENOTFOUND)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "任务不存在");
    if (rc != AL_OK) /* RULE-DB-115: the job may well exist: try again, not "missing" */
        return al_req_fail(r, AL_EUNAVAIL, NULL, "任务状态暂时无法读取，请稍后重试");
    *out = j;
    return AL_OK;
}

static int
job_get(struct al_req *r)
{
    int64_t id;
    json_t *j;
    int rc = job_read(r, &id, &j);
    return rc == AL_OK ? al_reply(r, 200, j) : rc;
}

/* ---- GET /api/v1/jobs/:id/events: the job's progress as server-sent events ---- */

struct job_stream {
    struct al_db *db; /* the worker's connection: callbacks run on its loop, between requests */
    int64_t id;
};

/*
 * RULE-EVENT-009: the job's state from the database; when it has ended, the
 * final state goes out as event "end" (the same object GET returns) and the
 * stream closes.  True when the stream is gone.
 */
static bool
job_stream_check(struct al_follow *f, struct job_stream *js)
{
    int64_t owner = 0;
    json_t *j = NULL;
    int rc = al_jobs_get(js->db, js->id, &j, &owner);
    if (rc == AL_ENOTFOUND) {
        al_follow_end(f);
        return true;
    }
    if (rc != AL_OK) /* RULE-DB-115: a failed read (logged) ends nothing: the next tick asks again */
        return false;
    bool end = al_jobs_finished(json_string_value(json_object_get(j, "status")));
    if (end && al_follow_send_json(f, "end", j))
        al_follow_end(f);
    json_decref(j);
    return end;
}

/* A live event of the job (RULE-JOB-008): progress is passed on; an end is read and sent whole. */
static void
on_job_event(struct al_follow *f, void *state, const char *payload)
{
    json_t *p = json_loads(payload, 0, NULL);
    bool end = al_jobs_finished(json_string_value(json_object_get(p, "status")));
    if (end)
        job_stream_check(f, state);
    else if (p)
        al_follow_send_json(f, "progress", p);
    json_decref(p);
}

/* Keep-alive (RULE-EVENT-007), and the state read again in case an event was missed. */
static void
on_job_tick(struct al_follow *f, void *state)
{
    if (!job_stream_check(f, state))
        al_follow_keepalive(f);
}

static int
job_events(struct al_req *r)
{
    int64_t id;
    json_t *j;
    int rc = job_read(r, &id, &j); /* RULE-EVENT-006: scoped exactly like GET */
    if (rc != AL_OK)
        return rc;
    if (evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD)
        return al_reply(r, 200, j);
    char channel[32];
    struct job_stream *js;
    /* Subscribed before the state is read again, so that no event falls in between. */
    struct al_follow *f = al_follow_start(r, al_jobs_channel(id, channel, sizeof(channel)),
        sizeof(*js), on_job_event, on_job_tick, (void **)&js);
    if (!f)
        return AL_EUNAVAIL;
    js->db = r->db;
    js->id = id;
    int64_t owner = 0;
    json_t *now = NULL;
    /* RULE-DB-115: a failed read ends the stream like a missing job (the browser reconnects) */
    if (al_jobs_get(r->db, id, &now, &owner) != AL_OK ||
        al_jobs_finished(json_string_value(json_object_get(now, "status")))) {
        if (!now || al_follow_send_json(f, "end", now))
            al_follow_end(f);
        return AL_OK;
    }
    if (al_follow_send_json(f, "progress", now))
        al_follow_arm(f);
    return AL_OK;
}

static int
import_list(struct al_req *r)
{
    json_t *items = json_array();
    int64_t total = 0;
    int rc = import_store_list(r->db, r->arena, r->who->region_code, items, &total);
    if (rc != AL_OK)
        return rc;
    return al_reply_items(r, items, total); /* RULE-DB-116: all in scope, not the 100 shown */
}

/* ---- the import list exported (RULE-UI-009) ---- */

static const char *
xcell_kind(struct al_export_cell *c)
{
    const char *name = import_kind_name(import_kind_parse(al_stmt_text(c->st, c->col)));
    if (al_stmt_int(c->st, IMPORT_EXPORT_PARTIAL) != 1)
        return name;
    snprintf(c->buf, c->size, "%s（补录）", name);
    return c->buf;
}

/* As the page says it: 已写入 or 已校验. */
static const char *
xcell_status(struct al_export_cell *c)
{
    const char *v = al_stmt_text(c->st, c->col);
    return v && !strcmp(v, "committed") ? "已写入" : "已校验";
}

static const struct al_export_col import_export_cols[] = {AL_XCOL("编号", IMPORT_EXPORT_ID),
    AL_XCOLF("类型", IMPORT_EXPORT_KIND, xcell_kind), AL_XCOL("文件名", IMPORT_EXPORT_FILENAME),
    AL_XCOL("导入人", IMPORT_EXPORT_USERNAME), AL_XCOLF("状态", IMPORT_EXPORT_STATUS, xcell_status),
    AL_XCOL("总行数", IMPORT_EXPORT_ROWS), AL_XCOL("通过", IMPORT_EXPORT_ACCEPTED),
    AL_XCOL("未通过", IMPORT_EXPORT_REJECTED),
    AL_XCOLF("上传时间", IMPORT_EXPORT_CREATED, al_xcell_time_cst),
    AL_XCOLF("提交时间", IMPORT_EXPORT_COMMITTED, al_xcell_time_cst), AL_XCOL_END};

#define IMPORT_EXPORT_PAGE 500

static struct al_stmt *
import_export_page(void *ctx, const char *const *after)
{
    struct al_req *r = ctx;
    return import_store_export_page(r->db, r->who->region_code, after ? after[0] : NULL,
        IMPORT_EXPORT_PAGE);
}

/* RULE-UI-009: every import of the caller's region (not the page's 100), audited. */
static int
import_export(struct al_req *r)
{
    const char *format;
    int64_t total = 0;
    int rc = al_export_format(r, &format);
    if (rc == AL_OK)
        rc = import_store_count(r->db, r->who->region_code, &total);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "import.export", .target_type = "import",
            .region_code = r->who->region_code, .outcome = "success",
            .detail = json_pack("{s:s, s:I}", "format", format, "rows", (json_int_t)total)};
        rc = audit_append(r, &e);
    }
    if (rc != AL_OK)
        return rc;
    struct al_export_list l = {.title = "导入记录", .name = al_arena_printf(r->arena,
        "导入记录-%s", r->today), .cols = import_export_cols, .page = import_export_page,
        .ctx = r, .key_col = IMPORT_EXPORT_ID, .nkeys = 1, .page_rows = IMPORT_EXPORT_PAGE};
    return al_export_list(r, format, &l, NULL);
}

/* The report's tail when reasons were left out: a note, then 合计,列,原因（N 处） per reason. */
static void
csv_tally(struct al_arena *a, struct al_buf *b, int64_t omitted, json_t *reasons)
{
    al_csv_field(a, b, "", false);
    al_csv_field(a, b, "", false);
    al_csv_field(a, b,
        al_arena_printf(a, "另有 %lld 处原因未逐行列出（只保留前 %ld 处），各原因合计如下",
            (long long)omitted, al_config.import_max_errors), true);
    size_t i;
    json_t *it;
    json_array_foreach(reasons, i, it)
    {
        al_csv_field(a, b, "合计", false);
        al_csv_field(a, b, json_string_value(json_object_get(it, "column")), false);
        al_csv_field(a, b,
            al_arena_printf(a, "%s（%lld 处）", json_string_value(json_object_get(it, "reason")),
                (long long)json_integer_value(json_object_get(it, "count"))), true);
    }
}

static int
import_errors(struct al_req *r)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return rc;
    struct import_record rec;
    if ((rc = import_in_scope(r, id, &rec)) != AL_OK)
        return rc;
    json_t *items = json_array();
    if ((rc = import_store_errors(r->db, id, items, 100000)) != AL_OK)
        return rc;
    json_t *reasons = json_loads(rec.error_reasons ? rec.error_reasons : "[]", 0, NULL);
    if (!reasons)
        reasons = json_array();
    const char *format = al_query_get(&r->query, "format");
    if (format && !strcmp(format, "csv")) {
        /* The report as CSV: 行号,列,原因 (UTF-8 with BOM for Excel). */
        struct al_buf b = {0};
        al_buf_add(r->arena, &b, "\xEF\xBB\xBF", 3);
        al_csv_field(r->arena, &b, "行号", false);
        al_csv_field(r->arena, &b, "列", false);
        al_csv_field(r->arena, &b, "原因", true);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            al_csv_field(r->arena, &b,
                al_arena_printf(r->arena, "%lld",
                    (long long)json_integer_value(json_object_get(it, "line"))), false);
            al_csv_field(r->arena, &b, json_string_value(json_object_get(it, "column")), false);
            al_csv_field(r->arena, &b, json_string_value(json_object_get(it, "reason")), true);
        }
        if (rec.errors_omitted > 0) /* RULE-UPLOAD-002: beyond the kept lines, the counts */
            csv_tally(r->arena, &b, rec.errors_omitted, reasons);
        return al_reply_file(r, "text/csv; charset=utf-8",
            al_arena_printf(r->arena, "导入-%lld-被拒行.csv", (long long)id), b.p, b.len);
    }
    /* RULE-UPLOAD-002: `omitted` reasons were not kept; `reasons` counts every one. */
    return al_reply(r, 200, json_pack("{s:o, s:I, s:I, s:o}", "items", items, "total",
                                (json_int_t)json_array_size(items), "omitted",
                                (json_int_t)rec.errors_omitted, "reasons", reasons));
}

/* ---- templates (RULE-IMPORT-023) ---- */

/* The bytes of a written file into the arena. */
static int
template_bytes(struct al_req *r, const char *path, const char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return al_req_fail(r, AL_EINTERNAL, NULL, "导入模板生成失败");
    int rc = AL_OK;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        rc = al_req_fail(r, AL_EINTERNAL, NULL, "导入模板生成失败");
        goto out;
    }
    char *buf = al_arena_alloc(r->arena, (size_t)n);
    *len = fread(buf, 1, (size_t)n, f);
    *data = buf;
    if (*len != (size_t)n)
        rc = al_req_fail(r, AL_EINTERNAL, NULL, "导入模板生成失败");
out:
    fclose(f);
    return rc;
}

/* Columns whose values are long digit strings: text, or a spreadsheet drops digits
   (RULE-IMPORT-020). */
static bool
template_text_col(int col)
{
    return col == IMPORT_COL_ID || col == IMPORT_COL_REGION || col == IMPORT_COL_HOUSEHOLD;
}

/* Sheet 导入模板: the header and an example row (digit columns formatted as text); sheet 说明:
   each column, whether it is required, the other header names read, the example. */
static int
template_xlsx(struct al_req *r, int kind, const int *cols, const char *const *ex, int n,
    const char **data, size_t *len)
{
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    char *path = al_arena_printf(r->arena, "%s/anlao-template-XXXXXX", tmpdir);
    int fd = mkstemp(path);
    if (fd < 0)
        return al_req_fail(r, AL_EINTERNAL, NULL, "导入模板生成失败");
    close(fd);
    int rc = AL_OK;
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "导入模板") : NULL;
    lxw_worksheet *help = wb ? workbook_add_worksheet(wb, "说明") : NULL;
    if (!ws || !help) {
        rc = al_req_fail(r, AL_EINTERNAL, NULL, "导入模板生成失败");
        goto out;
    }
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_num_format(head, "@");
    lxw_format *text = workbook_add_format(wb);
    format_set_num_format(text, "@");
    for (int i = 0; i < n; i++) {
        lxw_col_t c = (lxw_col_t)i;
        bool digits = template_text_col(cols[i]);
        worksheet_set_column(ws, c, c, digits ? 22 : 16, digits ? text : NULL);
        worksheet_write_string(ws, 0, c, import_col_label(cols[i]), head);
        if (ex[i][0])
            worksheet_write_string(ws, 1, c, ex[i], digits ? text : NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    static const char *const help_head[] = {"列名", "是否必填", "也可写作", "示例"};
    worksheet_set_column(help, 0, 1, 14, NULL);
    worksheet_set_column(help, 2, 3, 40, NULL);
    for (int c = 0; c < 4; c++)
        worksheet_write_string(help, 0, (lxw_col_t)c, help_head[c], head);
    for (int i = 0; i < n; i++) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        struct al_buf other = {0};
        const char *const *names = import_col_aliases(cols[i]);
        for (int k = 1; names[k]; k++) {
            if (k > 1)
                al_buf_add(r->arena, &other, "、", strlen("、"));
            al_buf_add(r->arena, &other, names[k], strlen(names[k]));
        }
        al_buf_add(r->arena, &other, "", 1);
        worksheet_write_string(help, row, 0, import_col_label(cols[i]), NULL);
        worksheet_write_string(help, row, 1, import_col_required(kind, cols[i]) ? "必填" : "选填",
            NULL);
        worksheet_write_string(help, row, 2, other.p, NULL);
        worksheet_write_string(help, row, 3, ex[i], text);
    }
    worksheet_write_string(help, (lxw_row_t)(n + 2), 0,
        "身份证号、区划代码等长数字列请保持“文本”格式，否则表格软件会把后几位变成 0。列的顺序不限。",
        NULL);
out:
    if (wb && workbook_close(wb) != LXW_NO_ERROR && rc == AL_OK)
        rc = al_req_fail(r, AL_EINTERNAL, NULL, "导入模板生成失败");
    if (rc == AL_OK)
        rc = template_bytes(r, path, data, len);
    unlink(path);
    return rc;
}

/* GET /api/v1/imports/templates/:kind?format=xlsx|csv (RULE-IMPORT-023). */
static int
import_template_route(struct al_req *r)
{
    const char *id = al_req_param(r, "kind");
    int kind = id ? import_kind_parse(id) : -1;
    if (kind < 0)
        return al_req_fail(r, AL_ENOTFOUND, "kind", "没有这种导入类型：%s", id ? id : "");
    const char *format = al_query_get(&r->query, "format");
    if (!format || !*format)
        format = "xlsx";
    if (strcmp(format, "csv") && strcmp(format, "xlsx"))
        return al_req_fail(r, AL_EINVAL, "format", "模板格式应为 csv 或 xlsx");
    int cols[IMPORT_COL_COUNT];
    const char *ex[IMPORT_COL_COUNT];
    int n = import_template(kind, cols, ex);
    char *name = al_arena_printf(r->arena, "导入模板-%s.%s", import_kind_name(kind), format);
    if (!strcmp(format, "csv")) {
        struct al_buf b = {0};
        al_buf_add(r->arena, &b, "\xEF\xBB\xBF", 3); /* BOM: Excel opens UTF-8 */
        for (int i = 0; i < n; i++)
            al_csv_field(r->arena, &b, import_col_label(cols[i]), i == n - 1);
        for (int i = 0; i < n; i++)
            al_csv_field(r->arena, &b, ex[i], i == n - 1);
        return al_reply_file(r, "text/csv; charset=utf-8", name, b.p, b.len);
    }
    const char *data = NULL;
    size_t len = 0;
    int rc = template_xlsx(r, kind, cols, ex, n, &data, &len);
    if (rc != AL_OK)
        return rc;
    return al_reply_file(r,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, data, len);
}

static const struct al_route import_routes[] = {
    {AL_GET, "/api/v1/imports", import_list, "elder.import", 0, "导入记录（最近 100 次）"},
    {AL_GET, "/api/v1/imports/export", import_export, "elder.import", 0,
        "导出导入记录（本辖区全部，CSV 或 XLSX；留痕）"},
    {AL_POST, "/api/v1/imports", import_upload, "elder.import", AL_ROUTE_UPLOAD,
        "上传文件并在后台校验（?kind=&filename=[&sheet=]，请求体为文件），返回任务编号"},
    {AL_POST, "/api/v1/imports/:id/commit", import_commit_route, "elder.import", 0,
        "写入已校验的导入（默认全部有效才写入；valid_only 只写入有效行），后台执行"},
    {AL_GET, "/api/v1/imports/:id/errors", import_errors, "elder.import", 0,
        "导入被拒行：行号、列、原因（?format=csv 下载）"},
    {AL_GET, "/api/v1/imports/templates/:kind", import_template_route, "elder.import", 0,
        "导入模板（format=xlsx|csv）：可识别的列名与一行示例，身份证号列为文本格式"},
    {AL_GET, "/api/v1/jobs/:id", job_get, AL_SIGNED_IN, 0, "后台任务状态与进度"},
    {AL_GET, "/api/v1/jobs/:id/events", job_events, AL_SIGNED_IN, 0,
        "后台任务进度的事件流（text/event-stream：progress 事件，结束时 end 事件后关闭）"},
    {0},
};

/* Any server of the database may run these (RULE-JOB-001). */
static const struct al_job_kind import_jobs[] = {
    {"import.validate", import_job},
    {"import.commit", import_job},
    {0},
};

const struct al_module import_module = {
    .name = "import", .routes = import_routes, .jobs = import_jobs};
