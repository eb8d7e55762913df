#include "core/text.h"
#include "core/err.h"
#include "core/xls.h"
#include "core/xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

bool
al_text_is_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + k >= n)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

static int
map_fd(int fd, struct al_text *t, struct al_errinfo *e)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return al_fail(e, AL_EINTERNAL, NULL, "无法读取文件：%s", strerror(errno));
    t->map_len = (size_t)sb.st_size;
    if (t->map_len == 0) {
        t->map = NULL;
        t->p = "";
        t->len = 0;
        return AL_OK;
    }
    t->map = mmap(NULL, t->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (t->map == MAP_FAILED) {
        t->map = NULL;
        return al_fail(e, AL_EINTERNAL, NULL, "无法读取文件：%s", strerror(errno));
    }
    madvise(t->map, t->map_len, MADV_SEQUENTIAL);
    t->p = t->map;
    t->len = t->map_len;
    return AL_OK;
}

/* Convert the mapping from GB18030 into an unlinked temporary file and map that. */
static int
convert_gb18030(struct al_text *t, struct al_errinfo *e)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return al_fail(e, AL_EINTERNAL, NULL, "系统不支持 GB18030 编码转换");
    const char *tmpdir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/anlao-text-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        iconv_close(cd);
        return al_fail(e, AL_EINTERNAL, NULL, "无法创建临时文件：%s", strerror(errno));
    }
    unlink(path);
    char *in = (char *)t->p;
    size_t in_left = t->len;
    char buf[65536];
    int rc = AL_OK;
    while (in_left > 0 && rc == AL_OK) {
        char *out = buf;
        size_t out_left = sizeof(buf);
        size_t r = iconv(cd, &in, &in_left, &out, &out_left);
        if (r == (size_t)-1 && errno != E2BIG) {
            rc = al_fail(e, AL_EINVAL, NULL,
                "文件编码既不是 UTF-8 也不是 GB18030（约第 %zu 字节处）。" AL_SHEET_ACCEPTED,
                t->len - in_left);
        }
        size_t n = sizeof(buf) - out_left;
        if (n && write(fd, buf, n) != (ssize_t)n) {
            rc = al_fail(e, AL_EINTERNAL, NULL, "临时文件写入失败：%s", strerror(errno));
        }
    }
    iconv_close(cd);
    munmap(t->map, t->map_len);
    t->map = NULL;
    if (rc == AL_OK)
        rc = map_fd(fd, t, e);
    close(fd);
    t->converted = true;
    return rc;
}

/*
 * An XLSX file (mapped in `t`): its first sheet converted to CSV in an
 * unlinked temporary file, which replaces the mapping.  Memory bounded by
 * `budget` (RULE-UPLOAD-004).
 */
static int
open_xlsx(struct al_text *t, const struct al_text_opts *o, struct al_errinfo *e)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        return al_fail(e, AL_EINTERNAL, NULL, "无法创建临时文件：%s", strerror(errno));
    int rc = al_xlsx_to_csv_buf(t->p, t->len, tmp, o->max_memory, o->choice, e);
    munmap(t->map, t->map_len);
    t->map = NULL;
    if (rc == AL_OK)
        rc = map_fd(fileno(tmp), t, e);
    fclose(tmp);
    t->xlsx = true;
    return rc;
}

/* RULE-IMPORT-018: a kind of file we do not read, named. */
static int
refuse(struct al_text *t, const char *what, struct al_errinfo *e)
{
    bool latin = (unsigned char)what[0] < 0x80; /* a space between Chinese and Latin text */
    al_fail(e, AL_EINVAL, NULL, "上传的文件是%s%s，不是可导入的表格。%s（可在 Excel/WPS 中“另存为”）",
        latin ? " " : "", what, AL_SHEET_ACCEPTED);
    al_text_close(t);
    return AL_EINVAL;
}

/*
 * RULE-IMPORT-017: an .xls workbook (mapped in `t`, open as `fd`): its sheet
 * converted to CSV in an unlinked temporary file, which replaces the mapping.
 */
static int
open_xls(int fd, struct al_text *t, const struct al_text_opts *o, struct al_errinfo *e)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        return al_fail(e, AL_EINTERNAL, NULL, "无法创建临时文件：%s", strerror(errno));
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    int rc = al_xls_to_csv(path, tmp, o->max_memory, o->max_seconds, o->choice, e);
    if (rc != AL_OK) {
        const char *what = al_sheet_ole2_type((const unsigned char *)t->p, t->len);
        fclose(tmp);
        if (what)
            return refuse(t, what, e);
        if (rc == AL_EUNPROC) /* an OLE2 file without a workbook */
            return al_fail(e, AL_EINVAL, NULL, "XLS 文件已损坏，找不到其中的工作簿；"
                                               "请在 Excel/WPS 中打开后另存为 XLSX 再导入");
        return rc;
    }
    munmap(t->map, t->map_len);
    t->map = NULL;
    rc = map_fd(fileno(tmp), t, e);
    fclose(tmp);
    t->xls = true;
    return rc;
}

/* RULE-IMPORT-006: UTF-8 (BOM optional) or GB18030, detected; workbooks converted. */
int
al_text_open_fd(int fd, const struct al_text_opts *o, struct al_text *t, struct al_errinfo *e)
{
    static const struct al_text_opts none = {.max_memory = 64u << 20};
    if (!o)
        o = &none;
    memset(t, 0, sizeof(*t));
    int rc = map_fd(fd, t, e);
    if (rc != AL_OK)
        return rc;
    const char *what = NULL;
    switch (al_sheet_sniff((const unsigned char *)t->p, t->len, &what)) {
    case AL_FILE_ZIP:
        if ((what = al_sheet_zip_type(t->p, t->len)))
            return refuse(t, what, e);
        return open_xlsx(t, o, e);
    case AL_FILE_OLE2:
        return open_xls(fd, t, o, e);
    case AL_FILE_OTHER:
        return refuse(t, what, e);
    case AL_FILE_TEXT:
        break;
    }
    if (al_text_is_utf8(t->p, t->len))
        return AL_OK;
    return convert_gb18030(t, e);
}

int
al_text_open(const char *path, const struct al_text_opts *o, struct al_text *t,
    struct al_errinfo *e)
{
    memset(t, 0, sizeof(*t));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return al_fail(e, AL_EINVAL, NULL, "无法打开文件 %s：%s", path, strerror(errno));
    int rc = al_text_open_fd(fd, o, t, e);
    close(fd);
    return rc;
}

void
al_text_close(struct al_text *t)
{
    if (t->map)
        munmap(t->map, t->map_len);
    memset(t, 0, sizeof(*t));
}
