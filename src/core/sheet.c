#include "core/sheet.h"

#include <math.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

/* RULE-IMPORT-020 */
void
al_sheet_number(double v, char out[40])
{
    if (!isfinite(v)) {
        out[0] = '\0';
        return;
    }
    /* Below 10^15 every whole number is exact in a double and Excel shows every digit. */
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, 40, "%.0f", v == 0 ? 0.0 : v);
        return;
    }
    snprintf(out, 40, "%.15g", v);
}

void
al_sheet_csv_field(FILE *out, const char *s, size_t len)
{
    bool quote = memchr(s, ',', len) || memchr(s, '"', len);
    if (quote)
        fputc('"', out);
    for (const char *e = s + len; s < e; s++) {
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

static bool
starts(const unsigned char *p, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(p, magic, n) == 0;
}

/* Case-insensitive search of `needle` in the first `len` bytes. */
static bool
has_ci(const unsigned char *p, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp((const char *)p + i, needle, n) == 0)
            return true;
    return false;
}

/* RULE-IMPORT-018 */
enum al_file_type
al_sheet_sniff(const unsigned char *p, size_t len, const char **what)
{
    *what = NULL;
    if (starts(p, len, "PK\x03\x04", 4) || starts(p, len, "PK\x05\x06", 4))
        return AL_FILE_ZIP;
    if (starts(p, len, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return AL_FILE_OLE2;
    static const struct {
        const char *magic;
        size_t n;
        const char *what;
    } known[] = {
        {"%PDF", 4, "PDF 文件"},
        {"\x89PNG", 4, "PNG 图片"},
        {"\xFF\xD8\xFF", 3, "JPEG 图片"},
        {"GIF8", 4, "GIF 图片"},
        {"Rar!", 4, "RAR 压缩包"},
        {"7z\xBC\xAF\x27\x1C", 6, "7z 压缩包"},
        {"\x1F\x8B", 2, "gzip 压缩包"},
        {"{\\rtf", 5, "RTF 文档"},
        {"\xFF\xFE", 2, "UTF-16 编码的文本（如 Excel 另存的“Unicode 文本”）"},
        {"\xFE\xFF", 2, "UTF-16 编码的文本"},
        {"SQLite format 3", 15, "SQLite 数据库文件"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (starts(p, len, known[i].magic, known[i].n)) {
            *what = known[i].what;
            return AL_FILE_OTHER;
        }
    /* Markup that office software and web systems save under an .xls name. */
    size_t i = 0;
    if (starts(p, len, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i < len && p[i] == '<') {
        size_t head = len - i < 4096 ? len - i : 4096;
        if (has_ci(p + i, head, "urn:schemas-microsoft-com:office:spreadsheet"))
            *what = "Excel 2003 XML 表格";
        else if (has_ci(p + i, head, "<html") || has_ci(p + i, head, "<table"))
            *what = "网页（HTML）格式的表格（系统导出的“.xls”常是这种）";
        else
            *what = "XML 或网页文件";
        return AL_FILE_OTHER;
    }
    return AL_FILE_TEXT;
}

const char *
al_sheet_zip_type(const void *data, size_t len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        return "损坏的压缩包";
    }
    const char *what = NULL;
    if (zip_name_locate(z, "xl/workbook.xml", 0) >= 0) {
        what = NULL;
    } else if (zip_name_locate(z, "mimetype", 0) >= 0) {
        char mt[96] = {0};
        zip_file_t *f = zip_fopen(z, "mimetype", 0);
        if (f) {
            zip_fread(f, mt, sizeof(mt) - 1);
            zip_fclose(f);
        }
        what = strstr(mt, "opendocument.spreadsheet") ? "OpenDocument 表格（.ods）"
               : strstr(mt, "opendocument.text")      ? "OpenDocument 文本（.odt）"
                                                      : "OpenDocument 文件";
    } else if (zip_name_locate(z, "word/document.xml", 0) >= 0) {
        what = "Word 文档（.docx）";
    } else if (zip_name_locate(z, "ppt/presentation.xml", 0) >= 0) {
        what = "PowerPoint 演示文稿（.pptx）";
    } else if (zip_name_locate(z, "[Content_Types].xml", 0) >= 0) {
        what = "Office 文件（不是表格）";
    } else {
        what = "zip 压缩包（不是表格，请解压后上传其中的表格文件）";
    }
    zip_discard(z);
    zip_error_fini(&ze);
    return what;
}

/* Does the file hold `name` as a UTF-16LE directory entry name? */
static bool
has_stream(const unsigned char *p, size_t len, const char *name)
{
    unsigned char pat[64];
    size_t n = strlen(name);
    if (n * 2 > sizeof(pat))
        return false;
    for (size_t i = 0; i < n; i++) {
        pat[2 * i] = (unsigned char)name[i];
        pat[2 * i + 1] = 0;
    }
    return memmem(p, len, pat, n * 2) != NULL;
}

const char *
al_sheet_ole2_type(const unsigned char *p, size_t len)
{
    if (has_stream(p, len, "EncryptedPackage"))
        return "设有打开密码的 Office 文件（请在 Excel/WPS 中取消密码后另存）";
    if (has_stream(p, len, "WordDocument"))
        return "Word 文档（.doc）";
    if (has_stream(p, len, "PowerPoint Document"))
        return "PowerPoint 演示文稿（.ppt）";
    if (has_stream(p, len, "Workbook") || has_stream(p, len, "Book"))
        return NULL; /* a workbook the reader could not read */
    return "Office 复合文档（不是 Excel 工作簿，如 WPS 表格 .et 请另存为 .xlsx）";
}
