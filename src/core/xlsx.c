#include "core/xlsx.h"

#include <expat.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define MAX_XML_BYTES (512u << 20) /* refuse members that inflate beyond this (zip bombs) */

/* A growable byte string. */
struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
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
parse_member(zip_t *z, const char *name, XML_Parser xp, char *err, size_t err_size)
{
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f) {
        snprintf(err, err_size, "XLSX 文件缺少 %s", name);
        return -1;
    }
    char chunk[65536];
    size_t total = 0;
    int rc = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, chunk, sizeof(chunk));
        if (n < 0) {
            snprintf(err, err_size, "XLSX 文件已损坏（%s 无法解压）", name);
            rc = -1;
            break;
        }
        total += (size_t)n;
        if (total > MAX_XML_BYTES) {
            snprintf(err, err_size, "XLSX 文件内容过大");
            rc = -1;
            break;
        }
        if (XML_Parse(xp, chunk, (int)n, n == 0) == XML_STATUS_ERROR) {
            snprintf(err, err_size, "XLSX 文件格式错误（%s 第 %lu 行：%s）", name,
                (unsigned long)XML_GetCurrentLineNumber(xp), XML_ErrorString(XML_GetErrorCode(xp)));
            rc = -1;
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

/* ---- workbook.xml + rels: where the first sheet lives ---- */

struct first_sheet {
    char rid[64];
    char target[256];
    bool want_rels;
};

static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct first_sheet *fs = ud;
    if (!fs->want_rels && strcmp(local(name), "sheet") == 0 && !fs->rid[0]) {
        const char *id = attr(a, "r:id");
        for (const XML_Char **p = a; !id && p && p[0]; p += 2)
            if (strcmp(local(p[0]), "id") == 0)
                id = p[1];
        if (id)
            snprintf(fs->rid, sizeof(fs->rid), "%s", id);
    } else if (fs->want_rels && strcmp(local(name), "Relationship") == 0 && !fs->target[0]) {
        const char *id = attr(a, "Id"), *t = attr(a, "Target");
        if (id && t && strcmp(id, fs->rid) == 0) {
            if (t[0] == '/')
                snprintf(fs->target, sizeof(fs->target), "%s", t + 1);
            else
                snprintf(fs->target, sizeof(fs->target), "xl/%s", t);
        }
    }
}

/* ---- sharedStrings.xml ---- */

struct sst {
    char **items;
    size_t n, cap;
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
        s->cur.len = 0;
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
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 1024;
            char **p = realloc(s->items, cap * sizeof(*p));
            if (!p) {
                s->oom = true;
                return;
            }
            s->items = p;
            s->cap = cap;
        }
        s->items[s->n] = strdup(s->cur.p ? s->cur.p : "");
        if (!s->items[s->n])
            s->oom = true;
        else
            s->n++;
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
};

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
csv_write(FILE *out, const char *s)
{
    bool quote = strpbrk(s, ",\"") != NULL;
    if (quote)
        fputc('"', out);
    for (; *s; s++) {
        char c = *s;
        if (c == '\r' || c == '\n')
            c = ' ';
        if (c == '"')
            fputc('"', out);
        fputc(c, out);
    }
    if (quote)
        fputc('"', out);
}

static void XMLCALL
sheet_start(void *ud, const XML_Char *name, const XML_Char **a)
{
    struct sheet *sh = ud;
    const char *l = local(name);
    if (!strcmp(l, "row")) {
        const char *r = attr(a, "r");
        long n = r ? strtol(r, NULL, 10) : sh->row_written + 1;
        if (n <= sh->row_written || n > 2000000)
            n = sh->row_written + 1;
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
        sh->val.len = 0;
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
        if (!strcmp(sh->cell_type, "s")) {
            char *end;
            long i = strtol(v, &end, 10);
            v = (*v && !*end && i >= 0 && (size_t)i < sh->sst->n) ? sh->sst->items[i] : "";
        } else if (!strcmp(sh->cell_type, "b")) {
            v = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
        } else if (!strcmp(sh->cell_type, "e")) {
            v = "";
        }
        csv_write(sh->out, v);
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
    XML_Parser xp = XML_ParserCreate("UTF-8");
    if (!xp)
        return NULL;
    XML_SetUserData(xp, ud);
    XML_SetElementHandler(xp, s, e);
    if (t)
        XML_SetCharacterDataHandler(xp, t);
    /* Entity expansion attacks are bounded by expat itself (>= 2.4 protections). */
    return xp;
}

static int
convert(zip_t *z, FILE *out, char *err, size_t err_size)
{
    int rc = -1;
    struct first_sheet fs = {0};
    struct sst sst = {0};
    struct sheet sh = {0};
    XML_Parser xp = new_parser(&fs, wb_start, NULL, NULL);
    if (!xp || parse_member(z, "xl/workbook.xml", xp, err, err_size) != 0)
        goto out;
    XML_ParserFree(xp);
    fs.want_rels = true;
    xp = new_parser(&fs, wb_start, NULL, NULL);
    if (!xp || parse_member(z, "xl/_rels/workbook.xml.rels", xp, err, err_size) != 0)
        goto out;
    XML_ParserFree(xp);
    xp = NULL;
    if (!fs.target[0])
        snprintf(fs.target, sizeof(fs.target), "xl/worksheets/sheet1.xml");
    if (zip_name_locate(z, "xl/sharedStrings.xml", 0) >= 0) {
        xp = new_parser(&sst, sst_start, sst_end, sst_text);
        if (!xp || parse_member(z, "xl/sharedStrings.xml", xp, err, err_size) != 0)
            goto out;
        XML_ParserFree(xp);
        xp = NULL;
        if (sst.oom || sst.cur.oom) {
            snprintf(err, err_size, "内存不足，无法读取 XLSX 文件");
            goto out;
        }
    }
    sh.out = out;
    sh.sst = &sst;
    xp = new_parser(&sh, sheet_start, sheet_end, sheet_text);
    if (!xp || parse_member(z, fs.target, xp, err, err_size) != 0)
        goto out;
    if (sh.too_wide) {
        snprintf(err, err_size, "XLSX 表格超过 256 列");
        goto out;
    }
    if (sh.val.oom || fflush(out) != 0 || ferror(out)) {
        snprintf(err, err_size, "XLSX 转换时写入失败");
        goto out;
    }
    rc = 0;
out:
    if (xp)
        XML_ParserFree(xp);
    for (size_t i = 0; i < sst.n; i++)
        free(sst.items[i]);
    free(sst.items);
    free(sst.cur.p);
    free(sh.val.p);
    return rc;
}

int
al_xlsx_to_csv(const char *path, FILE *out, char *err, size_t err_size)
{
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        snprintf(err, err_size, "不是有效的 XLSX 文件");
        return -1;
    }
    int rc = convert(z, out, err, err_size);
    zip_discard(z);
    return rc;
}

int
al_xlsx_to_csv_buf(const void *data, size_t len, FILE *out, char *err, size_t err_size)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        snprintf(err, err_size, "不是有效的 XLSX 文件");
        return -1;
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z) {
        zip_source_free(src);
        snprintf(err, err_size, "不是有效的 XLSX 文件");
        return -1;
    }
    int rc = convert(z, out, err, err_size);
    zip_discard(z);
    return rc;
}
