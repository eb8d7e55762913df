/*
 * src/core/sheet.c, xls.c and the sheet choice of xlsx.c: numbers typed as numbers, what a
 * file is, .xls read through FreeXL in a bounded child (RULE-IMPORT-017..020).  The .xls files
 * are written by xlwt (tests/fixtures/office_files.py) into a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/sheet.h"
#include "core/text.h"
#include "core/xls.h"
#include "core/xlsx.h"
#include "unit.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static char dir[] = "/tmp/anlao-unit-sheet-XXXXXX";

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/fixtures/office_files.py %s >/dev/null", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
numbers(void **state)
{
    (void)state;
    /* RULE-IMPORT-020: whole numbers up to 15 digits exactly; the rest as Excel shows them. */
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {13800138000.0, "13800138000"},  /* an 11-digit phone */
        {520327001001.0, "520327001001"}, /* a 12-digit region code */
        {520327440715312.0, "520327440715312"}, /* an old 15-digit ID */
        {520327194003151012.0, "5.20327194003151e+17"}, /* an 18-digit ID: digits gone */
        {1234.5, "1234.5"},
        {45000.0, "45000"},
        {-0.0, "0"},
        {0.1 + 0.2, "0.3"},
    };
    char out[40];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        al_sheet_number(cases[i].v, out);
        assert_string_equal(out, cases[i].text);
    }
}

static void
sniff(void **state)
{
    (void)state;
    /* RULE-IMPORT-018 */
    static const struct {
        const char *bytes;
        size_t len;
        enum al_file_type type;
        const char *what;
    } cases[] = {
        {"PK\x03\x04rest", 8, AL_FILE_ZIP, NULL},
        {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, AL_FILE_OLE2, NULL},
        {"%PDF-1.4", 8, AL_FILE_OTHER, "PDF 文件"},
        {"\x89PNG\r\n", 6, AL_FILE_OTHER, "PNG 图片"},
        {"\xFF\xD8\xFF\xE0", 4, AL_FILE_OTHER, "JPEG 图片"},
        {"<html><table>", 13, AL_FILE_OTHER, "网页（HTML）格式的表格（系统导出的“.xls”常是这种）"},
        {"\xEF\xBB\xBF身份证号,姓名\r\n", 24, AL_FILE_TEXT, NULL},
        {"", 0, AL_FILE_TEXT, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *what = NULL;
        assert_int_equal(al_sheet_sniff((const unsigned char *)cases[i].bytes, cases[i].len, &what),
            cases[i].type);
        if (cases[i].what)
            assert_string_equal(what, cases[i].what);
        else
            assert_null(what);
    }
}

/* The whole of `f` as a NUL-terminated heap string. */
static char *
slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    return s;
}

/* Score: the sheet whose preview holds "区划代码" fits (as the import's header finder would). */
static int
has_region(void *ctx, const char *csv, size_t len)
{
    (*(int *)ctx)++;
    return memmem(csv, len, "区划代码", strlen("区划代码")) ? 10 : 0;
}

static void
xls_sheets_dates_numbers(void **state)
{
    (void)state;
    char path[128];
    struct al_errinfo err = {0};
    snprintf(path, sizeof(path), "%s/hukou.xls", dir);
    /* RULE-IMPORT-019: 说明 comes first; the roll is the sheet whose header fits. */
    int previews = 0;
    struct al_sheet_choice ch = {.score = has_region, .ctx = &previews};
    FILE *out = tmpfile();
    assert_int_equal(al_xls_to_csv(path, out, 64u << 20, 60, &ch, &err), AL_OK);
    assert_string_equal(ch.name, "花名册");
    assert_int_equal(ch.index, 1);
    assert_int_equal(ch.count, 2);
    assert_int_equal(ch.n_candidates, 1);
    char *csv = slurp(out);
    /* RULE-IMPORT-017/020: one line per row, dates as dates, region codes and phones exact,
       formatted empty rows as empty lines. */
    const char *want =
        "凤冈县进化镇户籍老年人口花名册（2026年11月）\r\n"
        "填报单位：进化镇派出所,,,,填报日期：2026年11月30日\r\n"
        "序号,身份证号,姓名,区划代码,住址,出生日期,联系电话\r\n"
        "1,520327194003151012,王秀英,520327001001,进化镇临江村1组,1940-03-15,13800138000\r\n"
        "2,520327194507012024,李桂兰,520327001001,进化镇临江村2组,1945-07-01,13985012345\r\n"
        "\r\n"
        "3,520327195012313030,张德明,520327001001,进化镇临江村3组,1950-12-31,18608520001\r\n"
        "\r\n\r\n\r\n";
    assert_string_equal(csv, want);
    free(csv);
    fclose(out);
    /* By name; a name that is not there is refused. */
    struct al_sheet_choice by_name = {.want = "说明"};
    out = tmpfile();
    assert_int_equal(al_xls_to_csv(path, out, 64u << 20, 60, &by_name, &err), AL_OK);
    csv = slurp(out);
    assert_non_null(strstr(csv, "本表由进化镇派出所导出"));
    free(csv);
    fclose(out);
    struct al_sheet_choice missing = {.want = "三月"};
    out = tmpfile();
    assert_int_equal(al_xls_to_csv(path, out, 64u << 20, 60, &missing, &err), AL_EINVAL);
    assert_string_equal(err.message, "工作簿中没有名为“三月”的工作表");
    fclose(out);
}

static void
xls_bounds_and_damage(void **state)
{
    (void)state;
    char path[128];
    struct al_errinfo err = {0};
    /* RULE-UPLOAD-004 for .xls: a grid of 65,536 x 256 cells is more than 64 MiB. */
    snprintf(path, sizeof(path), "%s/sparse-corner.xls", dir);
    FILE *out = tmpfile();
    int rc = al_xls_to_csv(path, out, 64u << 20, 60, NULL, &err);
#ifndef UNDER_ASAN /* no address-space limit under ASan */
    assert_int_equal(rc, AL_ETOOBIG);
    assert_string_equal(err.message,
        "XLS 文件解析所需内存超过上限，请在 Excel 中另存为 XLSX 或 CSV 后导入，或拆分文件");
#else
    (void)rc;
#endif
    fclose(out);
    /* A damaged file: an error in Chinese, never a crash of the caller. */
    char cut[160], cmd[400];
    snprintf(path, sizeof(path), "%s/hukou.xls", dir);
    snprintf(cut, sizeof(cut), "%s/cut.xls", dir);
    snprintf(cmd, sizeof(cmd), "head -c 3000 %s > %s", path, cut);
    assert_int_equal(system(cmd), 0);
    out = tmpfile();
    assert_int_equal(al_xls_to_csv(cut, out, 64u << 20, 60, NULL, &err), AL_EINVAL);
    assert_non_null(strstr(err.message, "XLS"));
    fclose(out);
    /* A Word document is an OLE2 file without a workbook. */
    snprintf(path, sizeof(path), "%s/letter.doc", dir);
    out = tmpfile();
    assert_int_equal(al_xls_to_csv(path, out, 64u << 20, 60, NULL, &err), AL_EUNPROC);
    assert_string_equal(err.message, "不是 XLS 工作簿");
    fclose(out);
}

static void
xlsx_sheet_choice_and_numbers(void **state)
{
    (void)state;
    char path[128];
    struct al_errinfo err = {0};
    snprintf(path, sizeof(path), "%s/hukou-two-row-header.xlsx", dir);
    int previews = 0;
    struct al_sheet_choice ch = {.score = has_region, .ctx = &previews};
    FILE *out = tmpfile();
    assert_int_equal(al_xlsx_to_csv(path, out, 64u << 20, &ch, &err), AL_OK);
    assert_string_equal(ch.name, "花名册");
    assert_int_equal(ch.count, 2);
    assert_int_equal(previews, 2);
    char *csv = slurp(out);
    /* Numbers as openpyxl wrote them: the date a serial (RULE-IMPORT-003), the ID with 15 digits. */
    assert_non_null(strstr(csv, "1,520327194003151012,王秀英,520327001001,龙泉街道前进社区1号,14685,13800138000\r\n"));
    assert_non_null(strstr(csv, "3,5.20327195012313e+17,张德明,520327001001,"));
    assert_null(strstr(csv, ".0,"));
    free(csv);
    fclose(out);
    /* Two sheets that both fit: the first is read, both are candidates. */
    snprintf(path, sizeof(path), "%s/two-sheets.xlsx", dir);
    struct al_sheet_choice two = {.score = has_region, .ctx = &previews};
    out = tmpfile();
    assert_int_equal(al_xlsx_to_csv(path, out, 64u << 20, &two, &err), AL_OK);
    assert_string_equal(two.name, "一月");
    assert_int_equal(two.n_candidates, 2);
    assert_string_equal(two.candidates[1], "二月");
    fclose(out);
}

/* The text reader's refusals: the closed codes and their Chinese reasons (RULE-IMPORT-018). */
static void
text_open_refusals(void **state)
{
    (void)state;
    struct al_text t;
    struct al_errinfo e = {0};
    char path[160];
    snprintf(path, sizeof(path), "%s/none.csv", dir);
    assert_int_equal(al_text_open(path, NULL, &t, &e), AL_EINVAL);
    assert_non_null(strstr(e.message, "无法打开文件"));
    assert_null(e.field);
    snprintf(path, sizeof(path), "%s/scan.pdf", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("%PDF-1.4\n", f);
    fclose(f);
    memset(&e, 0, sizeof(e));
    assert_int_equal(al_text_open(path, NULL, &t, &e), AL_EINVAL);
    assert_string_equal(e.message, "上传的文件是 PDF 文件，不是可导入的表格。" AL_SHEET_ACCEPTED
                                   "（可在 Excel/WPS 中“另存为”）");
    unlink(path);
    /* A Word document is an OLE2 file: named, not reported as a damaged workbook. */
    snprintf(path, sizeof(path), "%s/letter.doc", dir);
    memset(&e, 0, sizeof(e));
    assert_int_equal(al_text_open(path, NULL, &t, &e), AL_EINVAL);
    assert_non_null(strstr(e.message, "不是可导入的表格"));
    snprintf(path, sizeof(path), "%s/hukou.xls", dir);
    assert_int_equal(al_text_open(path, NULL, &t, &e), AL_OK);
    assert_true(t.xls);
    al_text_close(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers),
        cmocka_unit_test(sniff),
        cmocka_unit_test(xls_sheets_dates_numbers),
        cmocka_unit_test(xls_bounds_and_damage),
        cmocka_unit_test(xlsx_sheet_choice_and_numbers),
        cmocka_unit_test(text_open_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
