/* src/core/xlsx.c: the first sheet as CSV, within Excel's limits and a memory budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/xlsx.h"
#include "unit.h"

static const char wb[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
    " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>";

static char path[] = "/tmp/anlao-unit-xlsx-XXXXXX";

static void
add(zip_t *z, const char *name, const char *text, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, text, len, 0);
    assert_non_null(src);
    assert_true(zip_file_add(z, name, src, ZIP_FL_OVERWRITE) >= 0);
}

/* Write a workbook of `sheet` (the <sheetData> content) and optional shared strings `sst`. */
static void
workbook(const char *sheet, size_t sheet_len, const char *sst, size_t sst_len)
{
    char *s = malloc(sheet_len + 200);
    assert_non_null(s);
    int n = snprintf(s, 200, "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
    memcpy(s + n, sheet, sheet_len);
    memcpy(s + n + sheet_len, "</sheetData></worksheet>", 24);
    char *t = NULL;
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    add(z, "xl/workbook.xml", wb, strlen(wb));
    add(z, "xl/_rels/workbook.xml.rels", rels, strlen(rels));
    add(z, "xl/worksheets/sheet1.xml", s, (size_t)n + sheet_len + 24);
    if (sst) {
        t = malloc(sst_len + 100);
        assert_non_null(t);
        int m = snprintf(t, 100, "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
        memcpy(t + m, sst, sst_len);
        memcpy(t + m + sst_len, "</sst>", 6);
        add(z, "xl/sharedStrings.xml", t, (size_t)m + sst_len + 6);
    }
    assert_int_equal(zip_close(z), 0);
    free(s);
    free(t);
}

/* Convert the workbook at `path` with `budget`: AL_OK and the CSV into `csv`, or a code and `e`. */
static int
convert(size_t budget, char *csv, size_t cap, struct al_errinfo *e)
{
    FILE *out = tmpfile();
    assert_non_null(out);
    memset(e, 0, sizeof(*e));
    int rc = al_xlsx_to_csv(path, out, budget, NULL, e);
    size_t n = 0;
    if (rc == AL_OK) {
        rewind(out);
        n = fread(csv, 1, cap - 1, out);
    }
    csv[n] = '\0';
    fclose(out);
    return rc;
}

/* `n` copies of `unit` followed by `tail`, in a new heap string. */
static char *
repeat(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
    size_t h = strlen(head), u = strlen(unit), t = strlen(tail);
    char *s = malloc(h + u * n + t + 1), *p = s;
    assert_non_null(s);
    memcpy(p, head, h);
    p += h;
    for (size_t i = 0; i < n; i++, p += u)
        memcpy(p, unit, u);
    memcpy(p, tail, t + 1);
    *len = (size_t)(p - s) + t;
    return s;
}

static int
setup(void **state)
{
    (void)state;
    int fd = mkstemp(path);
    return fd < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
    (void)state;
    return remove(path);
}

static void
shared_strings_from_disk(void **state)
{
    (void)state;
    static const char sheet[] =
        "<row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v>9</v></c></row>"
        "<row r=\"3\"><c r=\"B3\" t=\"s\"><v>2</v></c><c t=\"inlineStr\"><is><t>a,b</t></is></c></row>";
    static const char sst[] = "<si><t>姓名</t></si><si><r><t>龙泉</t></r><r><t>街道</t></r>"
                              "<rPh><t>ロン</t></rPh></si><si><t/></si>";
    workbook(sheet, strlen(sheet), sst, strlen(sst));
    char csv[256];
    struct al_errinfo err;
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_OK);
    /* index 9 does not exist: empty; row 2 kept as a blank line; phonetic runs left out */
    assert_string_equal(csv, "姓名,龙泉街道,\r\n\r\n,,\"a,b\"\r\n");
}

static void
numbers_as_excel_shows_them(void **state)
{
    (void)state;
    /* RULE-IMPORT-020: whole numbers of up to 15 digits exactly, whatever form the writer used;
       an 18-digit number is already rounded to 15 digits and stays in exponent form. */
    static const char sheet[] =
        "<row r=\"1\"><c><v>520327001001.0</v></c><c t=\"n\"><v>1.3800138E+10</v></c>"
        "<c><v>5.2032719440715302E+17</v></c><c><v>0.30000000000000004</v></c>"
        "<c><v>45000.5</v></c><c t=\"str\"><v>0012</v></c></row>";
    workbook(sheet, strlen(sheet), NULL, 0);
    char csv[256];
    struct al_errinfo err;
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_OK);
    assert_string_equal(csv, "520327001001,13800138000,5.20327194407153e+17,0.3,45000.5,0012\r\n");
}

static void
cells_within_excel_limit(void **state)
{
    (void)state;
    /* RULE-UPLOAD-004: 32,767 characters are a cell (3-byte characters too); one more is not. */
    size_t len;
    char *ok = repeat("<row><c t=\"inlineStr\"><is><t>", "龙", 32767, "</t></is></c></row>", &len);
    workbook(ok, len, NULL, 0);
    static char csv[200000];
    struct al_errinfo err;
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_OK);
    assert_int_equal(strlen(csv), 32767 * 3 + 2);
    free(ok);
    char *over = repeat("<row><c t=\"inlineStr\"><is><t>", "a", 32768, "</t></is></c></row>", &len);
    workbook(over, len, NULL, 0);
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_ETOOBIG);
    assert_string_equal(err.message, "XLSX 中有单元格超过 32767 个字符（Excel 单元格的上限）");
    free(over);
    /* The same in a shared string. */
    char *sst = repeat("<si><t>", "b", 40000, "</t></si>", &len);
    static const char one[] = "<row><c t=\"s\"><v>0</v></c></row>";
    workbook(one, strlen(one), sst, len);
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_ETOOBIG);
    assert_non_null(strstr(err.message, "32767"));
    free(sst);
}

static void
rows_within_excel_limit(void **state)
{
    (void)state;
    size_t len;
    char *rows = repeat("", "<row/>", 1048577, "", &len);
    workbook(rows, len, NULL, 0);
    char csv[16];
    struct al_errinfo err;
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_ETOOBIG);
    assert_string_equal(err.message, "XLSX 表格超过 1048576 行（Excel 的上限）");
    free(rows);
}

static void
memory_budget(void **state)
{
    (void)state;
    /* 600,000 shared strings: an index of 2.4 MB, past a 1 MiB budget, within 8 MiB. */
    size_t len;
    char *sst = repeat("", "<si><t>x</t></si>", 600000, "", &len);
    static const char last[] = "<row><c t=\"s\"><v>599999</v></c></row>";
    workbook(last, strlen(last), sst, len);
    char csv[64];
    struct al_errinfo err;
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_ETOOBIG);
    assert_non_null(strstr(err.message, "内存超过上限"));
    assert_int_equal(convert(8u << 20, csv, sizeof(csv), &err), AL_OK);
    assert_string_equal(csv, "x\r\n");
    free(sst);
    /* expat's own buffers count: one start tag of 2 MB does not fit in 1 MiB. */
    char *tag = repeat("<row><c r=\"A1\" x=\"", "y", 2u << 20, "\"/></row>", &len);
    workbook(tag, len, NULL, 0);
    assert_int_equal(convert(1u << 20, csv, sizeof(csv), &err), AL_ETOOBIG);
    assert_non_null(strstr(err.message, "内存超过上限"));
    free(tag);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_strings_from_disk),
        cmocka_unit_test(numbers_as_excel_shows_them),
        cmocka_unit_test(cells_within_excel_limit),
        cmocka_unit_test(rows_within_excel_limit),
        cmocka_unit_test(memory_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
