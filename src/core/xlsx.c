#include "core/xlsx.h"
#include "core/err.h"
#include "core/sheet.h"

#include <expat.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zip.h>

#define MAX_XML_BYTES (512u << 20) /* refuse members that inflate beyond this (zip bombs) */

/*
 * RULE-UPLOAD-004: what Excel itself allows, so a real workbook never meets
 * these: 1,048,576 rows, 32,767 characters in a cell (at most 4 bytes each in
 * UTF-8).  Every byte the conversion holds in memory (expat's buffers, the
 * cell being read, the shared strings' index) is counted against the caller's
 * budget; the shared strings' text itself goes to an unlinked temporary file.
 */
#define XLSX_MAX_ROWS 1048576L
#define XLSX_MAX_CELL_CHARS 32767u
#define XLSX_MAX_CELL_BYTES (XLSX_MAX_CELL_CHARS * 4)
/* The CSV a sheet becomes (a temporary file): a cell that names a long shared string is short. */
#define XLSX_MAX_CSV_BYTES (1ull << 30)

/* The conversion under way on this thread: its memory and why it stopped. */
struct conv {
    size_t used, max;
    XML_Parser xp;     /* the parser running, to stop from a handler */
    char why[192];     /* set when a bound stopped the parse */
};
static _Thread_local struct conv *cur;

/* Remember why the conversion cannot go on (the first reason wins). */
static void
note(const char *why)
{
    if (!cur->why[0])
        snprintf(cur->why, sizeof(cur->why), "%s", why);
}

/* From a handler: note why and stop the parser at once. */
static void
stop(const char *why)
{
    note(why);
    if (cur->xp)
        XML_StopParser(cur->xp, XML_FALSE);
}

static const char *const over_memory =
    "XLSX 文件解析所需内存超过上限，请在 Excel 中另存为 CSV 后导入，或拆分文件";

/* Memory counted against the budget: a size header before each block. */
#define HDR 16u
static void *
budget_malloc(size_t n)
{
    if (n > cur->max || cur->used + n + HDR > cur->max) {
        note(over_memory);
        return NULL;
    }
    unsigned char *p = malloc(n + HDR);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof(n));
    cur->used += n + HDR;
    return p + HDR;
}

static void
budget_free(void *q)
{
    if (!q)
        return;
    unsigned char *p = (unsigned char *)q - HDR;
    size_t n;
    memcpy(&n, p, sizeof(n));
    cur->used -= n + HDR;
    free(p);
}

static void *
budget_realloc(void *q, size_t n)
{
    if (!q)
        return budget_malloc(n);
    unsigned char *p = (unsigned char *)q - HDR;
    size_t old;
    memcpy(&old, p, sizeof(old));
    if (n > old && (n > cur->max || cur->used - old + n > cur->max)) {
        note(over_memory);
        return NULL;
    }
    unsigned char *np = realloc(p, n + HDR);
    if (!np)
        return NULL;
    memcpy(np, &n, sizeof(n));
    cur->used = cur->used - old + n;
    return np + HDR;
}

static const XML_Memory_Handling_Suite budget_suite = {budget_malloc, budget_realloc, budget_free};

/* A growable byte string: one cell's text, at most 32,767 characters. */
struct buf {
    char *p;
    size_t len, cap, chars;
    bool oom;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    for (size_t i = 0; i < n; i++) /* UTF-8 (expat's output): lead bytes are characters */
        b->chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (b->len + n > XLSX_MAX_CELL_BYTES || b->chars > XLSX_MAX_CELL_CHARS) {
        b->oom = true;
        stop("XLSX 中有单元格超过 32767 个字符（Excel 单元格的上限）");
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = budget_realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            stop(over_memory);
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Feed one archive member to an expat parser in chunks. */
static int
parse_member(zip_t *z, const char *name, XML_Parser xp, struct al_errinfo *e)
{
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f)
        return al_fail(e, AL_EINVAL, NULL, "XLSX 文件缺少 %s", name);
    char chunk[65536];
    size_t total = 0;
    int rc = AL_OK;
    for (;;) {
        zip_int64_t n = zip_fread(f, chunk, sizeof(chunk));
        if (n < 0) {
            rc = al_fail(e, AL_EINVAL, NULL, "XLSX 文件已损坏（%s 无法解压）", name);
            break;
        }
        total += (size_t)n;
        if (total > MAX_XML_BYTES) {
            rc = al_fail(e, AL_ETOOBIG, NULL, "XLSX 文件内容过大");
            break;
        }
        cur->xp = xp;
        enum XML_Status st = XML_Parse(xp, chunk, (int)n, n == 0);
        cur->xp = NULL;
        if (cur->why[0]) { /* a bound stopped it (RULE-UPLOAD-004) */
            rc = al_fail(e, AL_ETOOBIG, NULL, "%s", cur->why);
            break;
        }
        if (st == XML_STATUS_ERROR && XML_GetErrorCode(xp) == XML_ERROR_ABORTED)
            break; /* stopped on purpose: a preview has its rows (RULE-IMPORT-019) */
        if (st == XML_STATUS_ERROR) {
            rc = al_fail(e, AL_EINVAL, NULL, "XLSX 文件格式错误（%s 第 %lu 行：%s）", name,
                (unsigned long)XML_GetCurrentLineNumber(xp), XML_ErrorString(XML_GetErrorCode(xp)));
            break;
        }
        if (n == 0)
            break;
    }
    zip_fclose(f);
    return rc;
}

static const char *
attr(const XML_Char **a, const char *name)
{
    for (; a && a[0]; a += 2)
        if (strcmp(a[0], name) == 0)
            return a[1];
    return NULL;
}

/* Local part of a possibly prefixed element name. */
static const char *
local(const char *n)
{
    const char *c = strrchr(n, ':');
    return c ? c + 1 : n;
}

/* ---- workbook.xml + rels: the sheets, their names and where they live ---- */

struct book {
    int n;
    char name[AL_SHEETS_MAX][AL_SHEET_NAME_MAX];
    char rid[AL_SHEETS_MAX][64];
    char target[AL_SHEETS_MAX][256];
    bool want_rels;
};

static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct book *b = ud;
    if (!b->want_rels && strcmp(local(name), "sheet") == 0 && b->n < AL_SHEETS_MAX) {
        const char *id = attr(a, "r:id"), *nm = attr(a, "name");
        for (const XML_Char **p = a; !id && p && p[0]; p += 2)
            if (strcmp(local(p[0]), "id") == 0)
                id = p[1];
        snprintf(b->rid[b->n], sizeof(b->rid[0]), "%s", id ? id : "");
        snprintf(b->name[b->n], sizeof(b->name[0]), "%s", nm ? nm : "");
        b->n++;
    } else if (b->want_rels && strcmp(local(name), "Relationship") == 0) {
        const char *id = attr(a, "Id"), *t = attr(a, "Target");
        for (int i = 0; id && t && i < b->n; i++) {
            if (b->target[i][0] || strcmp(id, b->rid[i]) != 0)
                continue;
            if (t[0] == '/')
                snprintf(b->target[i], sizeof(b->target[0]), "%s", t + 1);
            else
                snprintf(b->target[i], sizeof(b->target[0]), "xl/%s", t);
        }
    }
}

/* ---- sharedStrings.xml ---- */

/*
 * The shared strings: their text one after another in an unlinked temporary
 * file (`text`, mapped once read), string i at off[i] .. off[i + 1].  Only the
 * index is in memory, counted against the budget.
 */
struct sst {
    FILE *text;
    uint32_t *off; /* the text is at most MAX_XML_BYTES */
    size_t n, cap; /* n strings; off holds n + 1 entries */
    uint64_t written;
    const char *map;
    size_t map_len;
    struct buf cur;
    bool in_si, in_t, in_rph; /* phonetic runs (rPh) are not part of the text */
    bool oom;
};

static void XMLCALL
sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    (void)a;
    struct sst *s = ud;
    const char *l = local(name);
    if (!strcmp(l, "si")) {
        s->in_si = true;
        s->cur.len = s->cur.chars = 0;
        buf_add(&s->cur, "", 0);
    } else if (!strcmp(l, "rPh")) {
        s->in_rph = true;
    } else if (!strcmp(l, "t") && s->in_si && !s->in_rph) {
        s->in_t = true;
    }
}

static void XMLCALL
sst_end(void *ud, const XML_Char *name)
{
    struct sst *s = ud;
    const char *l = local(name);
    if (!strcmp(l, "t")) {
        s->in_t = false;
    } else if (!strcmp(l, "rPh")) {
        s->in_rph = false;
    } else if (!strcmp(l, "si") && s->in_si) {
        s->in_si = false;
        if (s->oom)
            return;
        if (s->n + 2 > s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 1024;
            uint32_t *p = budget_realloc(s->off, cap * sizeof(*p));
            if (!p) {
                s->oom = true;
                stop(over_memory);
                return;
            }
            s->off = p;
            s->cap = cap;
        }
        if (s->written + s->cur.len > MAX_XML_BYTES) {
            s->oom = true;
            stop("XLSX 文件内容过大");
            return;
        }
        if (s->cur.len && fwrite(s->cur.p, 1, s->cur.len, s->text) != s->cur.len) {
            s->oom = true;
            stop("XLSX 转换时写入临时文件失败");
            return;
        }
        s->off[s->n] = (uint32_t)s->written;
        s->written += s->cur.len;
        s->n++;
        s->off[s->n] = (uint32_t)s->written;
    }
}

static void XMLCALL
sst_text(void *ud, const XML_Char *t, int len)
{
    struct sst *s = ud;
    if (s->in_t)
        buf_add(&s->cur, t, (size_t)len);
}

/* ---- the sheet ---- */

struct sheet {
    FILE *out;
    const struct sst *sst;
    long row_written;   /* last spreadsheet row number written */
    long row;           /* current row number */
    long col_next;      /* next column index to write in the row (0-based) */
    long cell_col;
    char cell_type[16];
    bool in_v, in_t, in_is;
    struct buf val;
    bool too_wide;
    long rows; /* <row> elements met (RULE-UPLOAD-004) */
    unsigned long long csv_bytes;
    long max_rows; /* a preview: stop before this row (0: every row) */
};

/* A preview's CSV stops here too (a few long cells in the first rows). */
#define PREVIEW_MAX_BYTES (4u << 20)

/* A preview has what it needs: stop without a reason. */
static void
preview_done(void)
{
    if (cur->xp)
        XML_StopParser(cur->xp, XML_FALSE);
}

/* "BC12" → column index 54 (0-based); -1 when absent. */
static long
col_of(const char *ref)
{
    long c = 0;
    bool any = false;
    for (; ref && *ref >= 'A' && *ref <= 'Z'; ref++) {
        c = c * 26 + (*ref - 'A' + 1);
        any = true;
        if (c > 16384)
            return -1;
    }
    return any ? c - 1 : -1;
}

static void
csv_write(struct sheet *sh, const char *s, size_t len)
{
    sh->csv_bytes += len + 3;
    if (sh->max_rows && sh->csv_bytes > PREVIEW_MAX_BYTES) {
        preview_done();
        return;
    }
    if (sh->csv_bytes > XLSX_MAX_CSV_BYTES) {
        stop("XLSX 表格内容展开后超过 1 GiB，请拆分文件后分批导入");
        return;
    }
    al_sheet_csv_field(sh->out, s, len);
}

static void XMLCALL
sheet_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct sheet *sh = ud;
    const char *l = local(name);
    if (!strcmp(l, "row")) {
        if (++sh->rows > XLSX_MAX_ROWS) {
            stop("XLSX 表格超过 1048576 行（Excel 的上限）");
            return;
        }
        const char *r = attr(a, "r");
        long n = r ? strtol(r, NULL, 10) : sh->row_written + 1;
        if (n <= sh->row_written || n > XLSX_MAX_ROWS)
            n = sh->row_written + 1;
        if (sh->max_rows && n > sh->max_rows) {
            preview_done();
            return;
        }
        /* Blank lines for skipped rows keep line numbers equal to row numbers. */
        while (sh->row_written + 1 < n) {
            fputs("\r\n", sh->out);
            sh->row_written++;
        }
        sh->row = n;
        sh->col_next = 0;
    } else if (!strcmp(l, "c")) {
        const char *t = attr(a, "t");
        snprintf(sh->cell_type, sizeof(sh->cell_type), "%s", t ? t : "n");
        long c = col_of(attr(a, "r"));
        sh->cell_col = c >= 0 ? c : sh->col_next;
        sh->val.len = sh->val.chars = 0;
        buf_add(&sh->val, "", 0);
    } else if (!strcmp(l, "v")) {
        sh->in_v = true;
    } else if (!strcmp(l, "is")) {
        sh->in_is = true;
    } else if (!strcmp(l, "t") && sh->in_is) {
        sh->in_t = true;
    }
}

static void XMLCALL
sheet_end(void *ud, const XML_Char *name)
{
    struct sheet *sh = ud;
    const char *l = local(name);
    if (!strcmp(l, "v")) {
        sh->in_v = false;
    } else if (!strcmp(l, "t")) {
        sh->in_t = false;
    } else if (!strcmp(l, "is")) {
        sh->in_is = false;
    } else if (!strcmp(l, "c")) {
        if (sh->cell_col > 255) {
            sh->too_wide = true;
            return;
        }
        while (sh->col_next < sh->cell_col) {
            fputc(',', sh->out);
            sh->col_next++;
        }
        const char *v = sh->val.p ? sh->val.p : "";
        size_t len = sh->val.len;
        char num[40];
        if (!strcmp(sh->cell_type, "s")) {
            char *end;
            long i = strtol(v, &end, 10);
            const struct sst *t = sh->sst;
            bool ok = *v && !*end && i >= 0 && (size_t)i < t->n;
            v = ok && t->map ? t->map + t->off[i] : "";
            len = ok && t->map ? (size_t)(t->off[i + 1] - t->off[i]) : 0;
        } else if (!strcmp(sh->cell_type, "b")) {
            v = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
            len = strlen(v);
        } else if (!strcmp(sh->cell_type, "e")) {
            v = "";
            len = 0;
        } else if (!strcmp(sh->cell_type, "n") && len) {
            /* RULE-IMPORT-020: a number as Excel shows it, whole numbers exactly. */
            char *end;
            double d = strtod(v, &end);
            if (!*end) {
                al_sheet_number(d, num);
                v = num;
                len = strlen(num);
            }
        }
        csv_write(sh, v, len);
        fputc(',', sh->out);
        sh->col_next = sh->cell_col + 1;
    } else if (!strcmp(l, "row")) {
        /* The trailing separator of the last cell is replaced by the line end. */
        if (sh->col_next > 0)
            fseek(sh->out, -1, SEEK_CUR);
        fputs("\r\n", sh->out);
        sh->row_written = sh->row;
    }
}

static void XMLCALL
sheet_text(void *ud, const XML_Char *t, int len)
{
    struct sheet *sh = ud;
    if (sh->in_v || sh->in_t)
        buf_add(&sh->val, t, (size_t)len);
}

static XML_Parser
new_parser(void *ud, XML_StartElementHandler s, XML_EndElementHandler e, XML_CharacterDataHandler t)
{
    XML_Parser xp = XML_ParserCreate_MM("UTF-8", &budget_suite, NULL);
    if (!xp)
        return NULL;
    XML_SetUserData(xp, ud);
    XML_SetElementHandler(xp, s, e);
    if (t)
        XML_SetCharacterDataHandler(xp, t);
    /* Entity expansion attacks are bounded by expat itself (>= 2.4 protections). */
    return xp;
}

/* One sheet (`target`) as CSV into `out`; a preview stops before row max_rows + 1. */
static int
read_sheet(zip_t *z, const char *target, const struct sst *sst, FILE *out, long max_rows,
    struct al_errinfo *e)
{
    struct sheet sh = {.out = out, .sst = sst, .max_rows = max_rows};
    int rc;
    XML_Parser xp = new_parser(&sh, sheet_start, sheet_end, sheet_text);
    if (!xp) {
        rc = al_fail(e, AL_ETOOBIG, NULL, "%s", over_memory);
        goto out;
    }
    if ((rc = parse_member(z, target, xp, e)) != AL_OK)
        goto out;
    if (sh.too_wide) {
        rc = al_fail(e, AL_ETOOBIG, NULL, "XLSX 表格超过 256 列");
        goto out;
    }
    if (sh.val.oom) {
        rc = al_fail(e, AL_ETOOBIG, NULL, "%s", cur->why[0] ? cur->why : over_memory);
        goto out;
    }
    if (fflush(out) != 0 || ferror(out)) {
        rc = al_fail(e, AL_EINTERNAL, NULL, "XLSX 转换时写入失败");
        goto out;
    }
    rc = AL_OK;
out:
    if (xp)
        XML_ParserFree(xp);
    budget_free(sh.val.p);
    return rc;
}

/* The first rows of sheet `i` as CSV given to ch->score: AL_OK and its *score, or an error. */
static int
score_sheet(zip_t *z, const struct book *b, int i, const struct sst *sst,
    struct al_sheet_choice *ch, int *score, struct al_errinfo *e)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        return al_fail(e, AL_EINTERNAL, NULL, "无法创建临时文件");
    int rc;
    char *csv = NULL;
    if ((rc = read_sheet(z, b->target[i], sst, tmp, AL_SHEET_PREVIEW_ROWS, e)) != AL_OK)
        goto out;
    long n = ftell(tmp);
    bool read = n >= 0 && (csv = malloc((size_t)n + 1)) != NULL;
    if (read) {
        rewind(tmp);
        read = fread(csv, 1, (size_t)n, tmp) == (size_t)n;
    }
    if (!read) {
        rc = al_fail(e, AL_ETOOBIG, NULL, "%s", over_memory);
        goto out;
    }
    csv[n] = '\0';
    *score = ch->score(ch->ctx, csv, (size_t)n);
    if (*score < 0)
        *score = 0;
out:
    free(csv);
    fclose(tmp);
    return rc;
}

/* RULE-IMPORT-019: which sheet to read: AL_OK and the index into b in *pick, or an error. */
static int
choose(zip_t *z, const struct book *b, const struct sst *sst, struct al_sheet_choice *ch,
    int *pick, struct al_errinfo *e)
{
    *pick = 0;
    if (!ch)
        return AL_OK;
    /* The candidates are named even when a sheet is asked for by name (the page's choice). */
    ch->count = b->n;
    ch->n_candidates = 0;
    int best = 0, best_score = 0, named = -1;
    for (int i = 0; i < b->n; i++) {
        if (ch->want && named < 0 && !strcmp(b->name[i], ch->want))
            named = i;
        if (!ch->score)
            continue;
        int sc = 0, rc = score_sheet(z, b, i, sst, ch, &sc, e);
        if (rc != AL_OK)
            return rc;
        if (sc > 0 && ch->n_candidates < AL_SHEET_CANDIDATES_MAX)
            snprintf(ch->candidates[ch->n_candidates++], AL_SHEET_NAME_MAX, "%s", b->name[i]);
        if (sc > best_score) {
            best = i;
            best_score = sc;
        }
    }
    if (ch->want && named < 0)
        return al_fail(e, AL_EINVAL, NULL, "工作簿中没有名为“%.60s”的工作表", ch->want);
    *pick = ch->want ? named : best;
    return AL_OK;
}

static int
convert(zip_t *z, FILE *out, size_t max_memory, struct al_sheet_choice *ch, struct al_errinfo *e)
{
    int rc = AL_ETOOBIG; /* a parser that could not be made within the budget */
    struct conv c = {.max = max_memory};
    cur = &c;
    e->message[0] = '\0';
    struct book *b = calloc(1, sizeof(*b));
    struct sst sst = {0};
    XML_Parser xp = b ? new_parser(b, wb_start, NULL, NULL) : NULL;
    if (!xp || (rc = parse_member(z, "xl/workbook.xml", xp, e)) != AL_OK)
        goto out;
    XML_ParserFree(xp);
    b->want_rels = true;
    xp = new_parser(b, wb_start, NULL, NULL);
    rc = AL_ETOOBIG;
    if (!xp || (rc = parse_member(z, "xl/_rels/workbook.xml.rels", xp, e)) != AL_OK)
        goto out;
    XML_ParserFree(xp);
    xp = NULL;
    if (b->n == 0) { /* no sheet listed: the usual place of the first */
        b->n = 1;
        snprintf(b->name[0], sizeof(b->name[0]), "Sheet1");
    }
    for (int i = 0; i < b->n; i++)
        if (!b->target[i][0])
            snprintf(b->target[i], sizeof(b->target[0]), "xl/worksheets/sheet%d.xml", i + 1);
    if (zip_name_locate(z, "xl/sharedStrings.xml", 0) >= 0) {
        if (!(sst.text = tmpfile())) {
            rc = al_fail(e, AL_EINTERNAL, NULL, "无法创建临时文件");
            goto out;
        }
        xp = new_parser(&sst, sst_start, sst_end, sst_text);
        rc = AL_ETOOBIG;
        if (!xp || (rc = parse_member(z, "xl/sharedStrings.xml", xp, e)) != AL_OK)
            goto out;
        XML_ParserFree(xp);
        xp = NULL;
        if (sst.oom || sst.cur.oom) {
            rc = al_fail(e, AL_ETOOBIG, NULL, "%s", c.why[0] ? c.why : over_memory);
            goto out;
        }
        if (fflush(sst.text) != 0) {
            rc = al_fail(e, AL_EINTERNAL, NULL, "XLSX 转换时写入临时文件失败");
            goto out;
        }
        if (sst.written > 0) {
            void *m = mmap(NULL, (size_t)sst.written, PROT_READ, MAP_PRIVATE, fileno(sst.text), 0);
            if (m == MAP_FAILED) {
                rc = al_fail(e, AL_EINTERNAL, NULL, "无法读取 XLSX 共享字符串");
                goto out;
            }
            sst.map = m;
            sst.map_len = (size_t)sst.written;
        } else {
            sst.map = ""; /* every string empty */
        }
    }
    int pick;
    if ((rc = choose(z, b, &sst, ch, &pick, e)) != AL_OK)
        goto out;
    if (ch) {
        ch->index = pick;
        snprintf(ch->name, sizeof(ch->name), "%s", b->name[pick]);
    }
    rc = read_sheet(z, b->target[pick], &sst, out, 0, e);
out:
    if (rc != AL_OK && !e->message[0]) /* a parser could not be made within the budget */
        rc = al_fail(e, AL_ETOOBIG, NULL, "%s", over_memory);
    if (xp)
        XML_ParserFree(xp);
    if (sst.map_len)
        munmap((void *)sst.map, sst.map_len);
    if (sst.text)
        fclose(sst.text);
    budget_free(sst.off);
    budget_free(sst.cur.p);
    free(b);
    cur = NULL;
    return rc;
}

int
al_xlsx_to_csv(const char *path, FILE *out, size_t max_memory, struct al_sheet_choice *ch,
    struct al_errinfo *e)
{
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z)
        return al_fail(e, AL_EINVAL, NULL, "不是有效的 XLSX 文件");
    int rc = convert(z, out, max_memory, ch, e);
    zip_discard(z);
    return rc;
}

int
al_xlsx_to_csv_buf(const void *data, size_t len, FILE *out, size_t max_memory,
    struct al_sheet_choice *ch, struct al_errinfo *e)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src)
        return al_fail(e, AL_EINVAL, NULL, "不是有效的 XLSX 文件");
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z) {
        zip_source_free(src);
        return al_fail(e, AL_EINVAL, NULL, "不是有效的 XLSX 文件");
    }
    int rc = convert(z, out, max_memory, ch, e);
    zip_discard(z);
    return rc;
}
