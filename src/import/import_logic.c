/* Pure rules of the import module: header profiles, dates, row validation. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fields.h"
#include "core/idcard.h"
#include "core/json.h"
#include "import/import_int.h"
#include "region/region.h"

static const char *const kind_ids[] = {"hukou", "roll", "disability", "death", "pension",
    "legacy_assessment", "benefit"};
static const char *const kind_names[] = {"户籍", "民政救助名册", "残疾人证", "死亡登记", "养老保险",
    "旧标准能力评估结果", "享受待遇名册"};

int
import_kind_parse(const char *s)
{
    for (int i = 0; i < IMPORT_KIND_COUNT; i++)
        if (strcmp(s, kind_ids[i]) == 0)
            return i;
    return -1;
}

const char *
import_kind_id(int kind)
{
    return kind >= 0 && kind < IMPORT_KIND_COUNT ? kind_ids[kind] : "?";
}

const char *
import_kind_name(int kind)
{
    return kind >= 0 && kind < IMPORT_KIND_COUNT ? kind_names[kind] : "?";
}

/* RULE-IMPORT-001: the header names each column may carry (first is the label). */
static const char *const aliases[IMPORT_COL_COUNT][6] = {
    [IMPORT_COL_ID] = {"身份证号", "公民身份号码", "身份证号码", "证件号码", "身份证", NULL},
    [IMPORT_COL_NAME] = {"姓名", "名字", NULL},
    [IMPORT_COL_REGION] = {"区划代码", "行政区划代码", "村（社区）区划代码", "统计用区划代码", NULL},
    [IMPORT_COL_ADDRESS] = {"住址", "地址", "户籍地址", "居住地址", NULL},
    [IMPORT_COL_HOUSEHOLD] = {"户号", NULL},
    [IMPORT_COL_HOUSEHOLD_SIZE] = {"户内人数", "家庭人口", "户人数", NULL},
    [IMPORT_COL_SEX] = {"性别", NULL},
    [IMPORT_COL_BIRTH] = {"出生日期", "出生年月日", NULL},
    [IMPORT_COL_CATEGORY] = {"类别", "救助类别", "保障类别", "人员类别", NULL},
    [IMPORT_COL_START] = {"开始日期", "起始日期", "纳入日期", NULL},
    [IMPORT_COL_END] = {"结束日期", "终止日期", "退出日期", NULL},
    [IMPORT_COL_DIS_TYPE] = {"残疾类别", NULL},
    [IMPORT_COL_DIS_GRADE] = {"残疾等级", NULL},
    [IMPORT_COL_DEATH] = {"死亡日期", NULL},
    [IMPORT_COL_PENSION_TYPE] = {"养老保险类型", "险种", "参保类型", NULL},
    [IMPORT_COL_AMOUNT] = {"月领取金额", "月养老金", "月领取额", NULL},
    [IMPORT_COL_ASSESSED_ON] = {"评估日期", "评定日期", NULL},
    [IMPORT_COL_LEGACY_LEVEL] = {"评估等级", "能力等级", "评定等级", "等级", NULL},
    [IMPORT_COL_ADL] = {"日常生活活动得分", "ADL得分", "ADL", "日常生活活动", NULL},
    [IMPORT_COL_REFERENCE] = {"原始记录编号", "评估编号", "记录编号", "备注", NULL},
    [IMPORT_COL_ITEM] = {"服务项目", "待遇项目", "享受项目", "清单项目", "项目编码", NULL},
};

const char *
import_col_label(int col)
{
    return col >= 0 && col < IMPORT_COL_COUNT ? aliases[col][0] : "整行";
}

/* Which columns each kind requires and which it may use. */
static const int required[IMPORT_KIND_COUNT][5] = {
    [IMPORT_HUKOU] = {IMPORT_COL_ID, IMPORT_COL_NAME, IMPORT_COL_REGION, IMPORT_COL_ADDRESS, -1},
    [IMPORT_ROLL] = {IMPORT_COL_ID, IMPORT_COL_NAME, IMPORT_COL_CATEGORY, IMPORT_COL_START, -1},
    [IMPORT_DISABILITY] =
        {IMPORT_COL_ID, IMPORT_COL_NAME, IMPORT_COL_DIS_TYPE, IMPORT_COL_DIS_GRADE, -1},
    [IMPORT_DEATH] = {IMPORT_COL_ID, IMPORT_COL_NAME, IMPORT_COL_DEATH, -1, -1},
    [IMPORT_PENSION] = {IMPORT_COL_ID, IMPORT_COL_NAME, IMPORT_COL_PENSION_TYPE, -1, -1},
    [IMPORT_LEGACY] =
        {IMPORT_COL_ID, IMPORT_COL_NAME, IMPORT_COL_ASSESSED_ON, IMPORT_COL_LEGACY_LEVEL, -1},
    [IMPORT_BENEFIT] = {IMPORT_COL_ID, IMPORT_COL_NAME, IMPORT_COL_ITEM, IMPORT_COL_START, -1},
};
static const int optional[IMPORT_KIND_COUNT][5] = {
    [IMPORT_HUKOU] =
        {IMPORT_COL_HOUSEHOLD, IMPORT_COL_HOUSEHOLD_SIZE, IMPORT_COL_SEX, IMPORT_COL_BIRTH, -1},
    [IMPORT_ROLL] = {IMPORT_COL_END, -1, -1, -1, -1},
    [IMPORT_DISABILITY] = {-1, -1, -1, -1, -1},
    [IMPORT_DEATH] = {-1, -1, -1, -1, -1},
    [IMPORT_PENSION] = {IMPORT_COL_AMOUNT, -1, -1, -1, -1},
    [IMPORT_LEGACY] = {IMPORT_COL_ADL, IMPORT_COL_REFERENCE, -1, -1, -1},
    [IMPORT_BENEFIT] = {IMPORT_COL_END, IMPORT_COL_REFERENCE, -1, -1, -1},
};

/* RULE-IMPORT-023: an example value per column, valid for every kind that uses the column
   (tests/unit/test_elder_import_logic.c validates each template's row with the rules above). */
static const char *const examples[IMPORT_COL_COUNT] = {
    [IMPORT_COL_ID] = "520327195001010018",
    [IMPORT_COL_NAME] = "张三",
    [IMPORT_COL_REGION] = "520327001001",
    [IMPORT_COL_ADDRESS] = "龙泉街道新华社区1组12号",
    [IMPORT_COL_HOUSEHOLD] = "520327001001000012",
    [IMPORT_COL_HOUSEHOLD_SIZE] = "2",
    [IMPORT_COL_SEX] = "男",
    [IMPORT_COL_BIRTH] = "1950-01-01",
    [IMPORT_COL_CATEGORY] = "特困",
    [IMPORT_COL_START] = "2024-01-01",
    [IMPORT_COL_END] = "",
    [IMPORT_COL_DIS_TYPE] = "肢体",
    [IMPORT_COL_DIS_GRADE] = "二级",
    [IMPORT_COL_DEATH] = "2025-03-01",
    [IMPORT_COL_PENSION_TYPE] = "城乡居民基本养老保险",
    [IMPORT_COL_AMOUNT] = "158.50",
    [IMPORT_COL_ASSESSED_ON] = "2023-05-01",
    [IMPORT_COL_LEGACY_LEVEL] = "轻度失能",
    [IMPORT_COL_ADL] = "85",
    [IMPORT_COL_REFERENCE] = "PG-2023-0001",
    [IMPORT_COL_ITEM] = "高龄津贴",
};

int
import_template(int kind, int cols[IMPORT_COL_COUNT], const char *example[IMPORT_COL_COUNT])
{
    if (kind < 0 || kind >= IMPORT_KIND_COUNT)
        return 0;
    int n = 0;
    for (int i = 0; i < 5 && required[kind][i] >= 0; i++)
        cols[n++] = required[kind][i];
    for (int i = 0; i < 5 && optional[kind][i] >= 0; i++)
        cols[n++] = optional[kind][i];
    for (int i = 0; i < n; i++)
        example[i] = examples[cols[i]];
    return n;
}

const char *const *
import_col_aliases(int col)
{
    static const char *const none[] = {NULL};
    return col >= 0 && col < IMPORT_COL_COUNT ? aliases[col] : none;
}

bool
import_col_required(int kind, int col)
{
    for (int i = 0; kind >= 0 && kind < IMPORT_KIND_COUNT && i < 5; i++)
        if (required[kind][i] == col)
            return true;
    return false;
}

/* Header text without spaces, BOM, '*' marks; full-width parentheses made ASCII-free. */
static size_t
clean_header(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '*' || c == '\r' || c == '\n')
            continue;
        if (c == '(' ) {
            memcpy(out + o, "（", 3);
            o += 3;
            continue;
        }
        if (c == ')') {
            memcpy(out + o, "）", 3);
            o += 3;
            continue;
        }
        if ((unsigned char)c == 0xE3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x80) {
            i += 2; /* ideographic space */
            continue;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

static bool
in_set(const int *set, int col)
{
    for (int i = 0; i < 5 && set[i] >= 0; i++)
        if (set[i] == col)
            return true;
    return false;
}

int
import_map_headers(int kind, const struct al_str *fields, int n, int map[IMPORT_COL_COUNT],
    int *unknown, int *n_unknown, int *missing)
{
    for (int c = 0; c < IMPORT_COL_COUNT; c++)
        map[c] = -1;
    *n_unknown = 0;
    *missing = -1;
    for (int i = 0; i < n; i++) {
        char h[256];
        clean_header(fields[i].p, fields[i].len, h, sizeof(h));
        int found = -1;
        for (int c = 0; c < IMPORT_COL_COUNT && found < 0; c++) {
            if (!in_set(required[kind], c) && !in_set(optional[kind], c))
                continue;
            for (int k = 0; k < 6 && aliases[c][k]; k++)
                if (strcmp(h, aliases[c][k]) == 0) {
                    found = c;
                    break;
                }
        }
        if (found >= 0 && map[found] < 0)
            map[found] = i;
        else
            unknown[(*n_unknown)++] = i;
    }
    for (int i = 0; i < 5 && required[kind][i] >= 0; i++)
        if (map[required[kind][i]] < 0) {
            *missing = required[kind][i];
            return -1;
        }
    return 0;
}

/*
 * RULE-IMPORT-019: the header among the first rows.  Each row alone, and each
 * pair of rows read as one header (a cell of the lower row, or when it is empty
 * the cell above: group titles merged across columns above their columns, other
 * titles merged down over both rows), is mapped to the profile; the one that
 * finds the most columns of the profile wins, a single row before a pair, an
 * earlier row before a later one.
 */
int
import_find_header(int kind, struct al_str *const *rows, const int *nf, int nrows, int *row,
    int *span, int map[IMPORT_COL_COUNT], struct al_str hdr[IMPORT_MAX_FIELDS], int *nhdr,
    int *missing)
{
    int best = -1, best_partial = -1;
    int tmp_map[IMPORT_COL_COUNT], unknown[IMPORT_MAX_FIELDS], n_unknown, miss;
    struct al_str both[IMPORT_MAX_FIELDS];
    *missing = IMPORT_COL_ID;
    for (int r = 0; r < nrows; r++) {
        for (int s = 1; s <= 2 && r + s <= nrows; s++) {
            const struct al_str *h = rows[r];
            int n = nf[r] < IMPORT_MAX_FIELDS ? nf[r] : IMPORT_MAX_FIELDS;
            if (s == 2) {
                int n2 = nf[r + 1] < IMPORT_MAX_FIELDS ? nf[r + 1] : IMPORT_MAX_FIELDS;
                if (n2 > n)
                    n = n2;
                for (int i = 0; i < n; i++) {
                    bool low = i < n2 && rows[r + 1][i].len;
                    both[i] = low ? rows[r + 1][i]
                              : i < nf[r] ? rows[r][i] : (struct al_str){"", 0};
                }
                h = both;
            }
            int ok = import_map_headers(kind, h, n, tmp_map, unknown, &n_unknown, &miss);
            int found = 0;
            for (int c = 0; c < IMPORT_COL_COUNT; c++)
                found += tmp_map[c] >= 0;
            if (ok != 0) {
                if (s == 1 && found > best_partial) {
                    best_partial = found;
                    *missing = miss;
                }
                continue;
            }
            int key = found * 100 + (s == 1 ? 50 : 0) - r;
            if (key > best) {
                best = key;
                *row = r;
                *span = s;
                memcpy(map, tmp_map, sizeof(tmp_map));
                memcpy(hdr, h, (size_t)n * sizeof(*h));
                *nhdr = n;
            }
        }
    }
    return best;
}

/* ---- dates ---- */

bool
import_parse_date(const char *s, size_t len, char out[11])
{
    return al_date_lenient(s, len, out);
}

/* ---- rows ---- */

/*
 * RULE-IMPORT-020: a long number a spreadsheet kept as a floating-point number
 * (5.20327194407153E+17, 5.20327E+17): its last digits are gone for good.
 */
bool
import_number_lost(const char *v, size_t len)
{
    size_t i = 0;
    if (!v)
        return false;
    while (i < len && v[i] >= '0' && v[i] <= '9')
        i++;
    if (i == 0)
        return false;
    if (i < len && v[i] == '.') {
        i++;
        while (i < len && v[i] >= '0' && v[i] <= '9')
            i++;
    }
    if (i >= len || (v[i] != 'e' && v[i] != 'E'))
        return false;
    i++;
    if (i < len && v[i] == '+')
        i++;
    size_t d = i;
    while (i < len && v[i] >= '0' && v[i] <= '9')
        i++;
    return i == len && i > d;
}

/*
 * RULE-FIELD-023: the cells of each kind of file, in the order they are checked, as field
 * tables (fields.h): `tag` is the canonical column, with IMPORT_T_BY_ID for a cell checked
 * only when the row's ID number is valid (it is compared with it, RULE-IMPORT-005).  The ID
 * number itself, and the rules across cells, are in import_validate_row below.
 */
#define IMPORT_T_BY_ID 0x100u
#define IMPORT_T_COL 0xffu

/* RULE-IMPORT-020: a region code kept as a floating-point number; RULE-IMPORT-005: a village. */
static int
region_cell(const struct al_field *f, const char *v, struct al_errinfo *e)
{
    if (import_number_lost(v, strlen(v)))
        return al_fail(e, AL_EINVAL, f->key,
            "区划代码被存成了数字，后几位已丢失，请把该列设置为文本后重新导出");
    if (region_level(v) != 5)
        return al_fail(e, AL_EINVAL, f->key, "%s%s", f->label, f->hint);
    return AL_OK;
}

static const struct al_field_map sexes[] = {{"男", "M"}, {"M", "M"}, {"1", "M"}, {"女", "F"},
    {"F", "F"}, {"2", "F"}, {NULL, NULL}};
static const struct al_field_map categories[] = {{"特困", "tekun"}, {"tekun", "tekun"},
    {"特困供养", "tekun"}, {"低保", "dibao"}, {"dibao", "dibao"}, {"低保边缘", "dibao_edge"},
    {"dibao_edge", "dibao_edge"}, {"低收入", "low_income"}, {"low_income", "low_income"},
    {NULL, NULL}};
static const char *const dis_types[] = {"视力", "听力", "言语", "肢体", "智力", "精神", "多重",
    "视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾", NULL};
static const struct al_field_map dis_grades[] = {{"一级", "1"}, {"1", "1"}, {"二级", "2"},
    {"2", "2"}, {"三级", "3"}, {"3", "3"}, {"四级", "4"}, {"4", "4"}, {NULL, NULL}};
/* RULE-ASSESS-017: the older scale's own four levels, by name or number. */
static const struct al_field_map legacy_levels[] = {{"能力完好", "0"}, {"0", "0"},
    {"轻度失能", "1"}, {"1", "1"}, {"中度失能", "2"}, {"2", "2"}, {"重度失能", "3"}, {"3", "3"},
    {NULL, NULL}};

#define NAME_CELL                                                                              \
    {"name", "姓名", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .max = 32, .tag = IMPORT_COL_NAME}

static const struct al_field hukou_cells[] = {
    NAME_CELL,
    {"region_code", "区划代码", AL_FT_TEXT, AL_F_REQUIRED, .hint = "应为 12 位村（社区）代码",
        .check = region_cell, .tag = IMPORT_COL_REGION},
    {"address", "住址", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .max = 200,
        .tag = IMPORT_COL_ADDRESS},
    {"household", "户号", AL_FT_TEXT, 0, .tag = IMPORT_COL_HOUSEHOLD},
    {"household_size", "户内人数", AL_FT_INT, 0, .min = 1, .max = 99,
        .tag = IMPORT_COL_HOUSEHOLD_SIZE},
    {"sex", "性别", AL_FT_ENUM, 0, .map = sexes, .hint = "应为 男 或 女",
        .tag = IMPORT_COL_SEX | IMPORT_T_BY_ID},
    {"birth_date", "出生日期", AL_FT_DATE, 0, .tag = IMPORT_COL_BIRTH | IMPORT_T_BY_ID},
    {0},
};
static const struct al_field roll_cells[] = {
    NAME_CELL,
    {"category", "类别", AL_FT_ENUM, AL_F_REQUIRED, .map = categories,
        .hint = "应为 特困、低保、低保边缘 或 低收入", .tag = IMPORT_COL_CATEGORY},
    {"start_date", "开始日期", AL_FT_DATE, AL_F_REQUIRED, .tag = IMPORT_COL_START},
    {"end_date", "结束日期", AL_FT_DATE, 0, .tag = IMPORT_COL_END},
    {0},
};
static const struct al_field disability_cells[] = {
    NAME_CELL,
    {"dis_type", "残疾类别", AL_FT_ENUM, AL_F_REQUIRED, .allowed = dis_types,
        .hint = "应为 视力、听力、言语、肢体、智力、精神 或 多重", .tag = IMPORT_COL_DIS_TYPE},
    {"dis_grade", "残疾等级", AL_FT_ENUM, AL_F_REQUIRED, .map = dis_grades,
        .hint = "应为 一级…四级 或 1–4", .tag = IMPORT_COL_DIS_GRADE},
    {0},
};
static const struct al_field death_cells[] = {
    NAME_CELL,
    {"death_date", "死亡日期", AL_FT_DATE, AL_F_REQUIRED, .tag = IMPORT_COL_DEATH},
    {0},
};
static const struct al_field pension_cells[] = {
    NAME_CELL,
    {"pension_type", "养老保险类型", AL_FT_TEXT, AL_F_REQUIRED, .tag = IMPORT_COL_PENSION_TYPE},
    {"amount", "月领取金额", AL_FT_TEXT, 0, .tag = IMPORT_COL_AMOUNT},
    {0},
};
static const struct al_field legacy_cells[] = {
    NAME_CELL,
    {"assessed_on", "评估日期", AL_FT_DATE, AL_F_REQUIRED, .tag = IMPORT_COL_ASSESSED_ON},
    {"level", "评估等级", AL_FT_ENUM, AL_F_REQUIRED, .map = legacy_levels,
        .hint = "应为 能力完好、轻度失能、中度失能、重度失能 或 0–3（旧标准，不换算）",
        .tag = IMPORT_COL_LEGACY_LEVEL},
    {"adl_score", "日常生活活动得分", AL_FT_INT, 0, .min = 0, .max = 100, .tag = IMPORT_COL_ADL},
    {"reference", "原始记录编号", AL_FT_TEXT, 0, .max = 100, .tag = IMPORT_COL_REFERENCE},
    {0},
};
/* RULE-ENT-071: the item is checked against the list in force by the import (it needs the
   database); here only its shape. */
static const struct al_field benefit_cells[] = {
    NAME_CELL,
    {"item", "服务项目", AL_FT_TEXT, AL_F_REQUIRED | AL_F_PLAIN, .max = 36, .tag = IMPORT_COL_ITEM},
    {"start_date", "开始日期", AL_FT_DATE, AL_F_REQUIRED, .tag = IMPORT_COL_START},
    {"end_date", "结束日期", AL_FT_DATE, 0, .tag = IMPORT_COL_END},
    {"reference", "备注", AL_FT_TEXT, AL_F_PLAIN, .max = 200, .tag = IMPORT_COL_REFERENCE},
    {0},
};
static const struct al_field other_cells[] = {NAME_CELL, {0}};
static const struct al_field *const kind_cells[IMPORT_KIND_COUNT] = {
    [IMPORT_HUKOU] = hukou_cells,
    [IMPORT_ROLL] = roll_cells,
    [IMPORT_DISABILITY] = disability_cells,
    [IMPORT_DEATH] = death_cells,
    [IMPORT_PENSION] = pension_cells,
    [IMPORT_LEGACY] = legacy_cells,
    [IMPORT_BENEFIT] = benefit_cells,
};

/* Yuan with up to 2 decimals → fen (never floating point); false when it is not an amount. */
static bool
amount_fen(const char *v, size_t len, int64_t *out)
{
    int64_t yuan = 0, fen = 0;
    int dec = -1;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if (c == '.' && dec < 0)
            dec = 0;
        else if (c >= '0' && c <= '9' && dec < 0 && yuan < 100000000)
            yuan = yuan * 10 + (c - '0');
        else if (c >= '0' && c <= '9' && dec >= 0 && dec < 2)
            fen = fen * 10 + (c - '0'), dec++;
        else
            return false;
    }
    *out = yuan * 100 + (dec == 1 ? fen * 10 : fen);
    return true;
}

/* The next message of the row: errs[ne] while there is room, else a scratch (still counted). */
struct row_errs {
    struct import_error *e;
    int n, max;
    struct import_error spare;
};

static char *
row_err(struct row_errs *r, int col)
{
    struct import_error *x = r->n < r->max ? &r->e[r->n] : &r->spare;
    r->n++;
    x->col = col;
    return x->reason;
}

#define ERR(c, ...) snprintf(row_err(re, (c)), sizeof(re->spare.reason), __VA_ARGS__)

/* Where the text of a column lands in the row (0: not a text kept as it is). */
static const size_t text_at[IMPORT_COL_COUNT] = {
    [IMPORT_COL_NAME] = offsetof(struct import_row, name),
    [IMPORT_COL_REGION] = offsetof(struct import_row, region_code),
    [IMPORT_COL_ADDRESS] = offsetof(struct import_row, address),
    [IMPORT_COL_HOUSEHOLD] = offsetof(struct import_row, household),
    [IMPORT_COL_DIS_TYPE] = offsetof(struct import_row, dis_type),
    [IMPORT_COL_PENSION_TYPE] = offsetof(struct import_row, pension_type),
    [IMPORT_COL_REFERENCE] = offsetof(struct import_row, reference),
    [IMPORT_COL_ITEM] = offsetof(struct import_row, item),
};

/*
 * Put a checked cell in the row and apply the rules across cells that fall on its
 * column (in the place the column is checked, so messages keep their order).
 */
static void
take_cell(int col, const struct al_cell *c, struct al_arena *a, const char *today, bool id_ok,
    struct import_row *out, struct row_errs *re)
{
    if (text_at[col]) { /* a text kept in the row: copied, the cells are the reader's */
        *(const char **)(void *)((char *)out + text_at[col]) =
            c->text ? al_arena_strndup(a, c->text, c->len) : NULL;
        return;
    }
    switch (col) {
    case IMPORT_COL_HOUSEHOLD_SIZE:
        out->household_size = c->text ? (int)c->num : 0;
        break;
    case IMPORT_COL_SEX: /* RULE-IMPORT-005 */
        if (c->text && c->value[0] != out->sex)
            ERR(col, "性别与身份证号不符");
        break;
    case IMPORT_COL_BIRTH: /* RULE-IMPORT-005 */
        if (c->text && strcmp(c->date, out->birth_date) != 0)
            ERR(col, "出生日期与身份证号不符（身份证号为 %s）", out->birth_date);
        break;
    case IMPORT_COL_CATEGORY:
        out->category = c->value;
        break;
    case IMPORT_COL_START:
        memcpy(out->start_date, c->date, 11);
        break;
    case IMPORT_COL_END:
        memcpy(out->end_date, c->date, 11);
        if (c->text && out->start_date[0] && strcmp(out->end_date, out->start_date) < 0)
            ERR(col, "结束日期早于开始日期");
        break;
    case IMPORT_COL_DIS_GRADE:
        out->dis_grade = c->value[0] - '0';
        break;
    case IMPORT_COL_DEATH:
        memcpy(out->death_date, c->date, 11);
        if (strcmp(out->death_date, today) > 0)
            ERR(col, "死亡日期不能晚于今天");
        else if (id_ok && strcmp(out->death_date, out->birth_date) < 0)
            ERR(col, "死亡日期早于出生日期");
        break;
    case IMPORT_COL_AMOUNT:
        if (c->text && !amount_fen(c->text, c->len, &out->amount_fen))
            ERR(col, "月领取金额应为金额（元，最多两位小数）");
        break;
    case IMPORT_COL_ASSESSED_ON:
        memcpy(out->assessed_on, c->date, 11);
        if (strcmp(out->assessed_on, today) > 0)
            ERR(col, "评估日期晚于今天");
        break;
    case IMPORT_COL_LEGACY_LEVEL:
        out->legacy_level = c->value[0] - '0';
        break;
    case IMPORT_COL_ADL:
        if (c->text)
            out->adl_score = (int)c->num;
        break;
    default:
        break;
    }
}

int
import_validate_row(int kind, const struct al_str *fields, int n, const int map[IMPORT_COL_COUNT],
    const char *today, struct al_arena *a, struct import_row *out, struct import_error *errs,
    int max_errs)
{
    struct row_errs errors = {errs, 0, max_errs, {0}}, *re = &errors;
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->amount_fen = -1;
    out->legacy_level = kind == IMPORT_LEGACY ? -1 : 0;
    out->adl_score = kind == IMPORT_LEGACY ? -1 : 0;

    /* RULE-IMPORT-004: the ID number is normalised and checked (GB 11643). */
    int idx = map[IMPORT_COL_ID];
    const char *v = idx >= 0 && idx < n ? fields[idx].p : NULL;
    size_t len = idx >= 0 && idx < n ? fields[idx].len : 0;
    while (len && (*v == ' ' || *v == '\t'))
        v++, len--;
    while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    struct al_id id;
    enum al_id_status st = len ? al_id_parse(v, len, today, &id) : AL_ID_EMPTY;
    if (st != AL_ID_OK && len && import_number_lost(v, len)) {
        ERR(IMPORT_COL_ID, "身份证号被存成了数字，后几位已丢失，请把该列设置为文本后重新导出");
    } else if (st != AL_ID_OK) {
        ERR(IMPORT_COL_ID, "%s", al_id_status_message(st));
    } else {
        memcpy(out->id_number, id.number, 19);
        memcpy(out->birth_date, id.birth_date, 11);
        out->sex = id.sex;
    }

    /* RULE-FIELD-023: every cell of the table, every refusal kept. */
    bool known = kind >= 0 && kind < IMPORT_KIND_COUNT;
    for (const struct al_field *f = known ? kind_cells[kind] : other_cells; f->key; f++) {
        int col = (int)(f->tag & IMPORT_T_COL);
        if ((f->tag & IMPORT_T_BY_ID) && st != AL_ID_OK)
            continue;
        idx = map[col];
        struct al_cell c;
        int rc = al_field_cell(f, idx >= 0 && idx < n ? fields[idx].p : NULL,
            idx >= 0 && idx < n ? fields[idx].len : 0, &c, row_err(re, col),
            sizeof(re->spare.reason));
        if (rc == AL_OK) {
            re->n--; /* the message's place was not needed */
            take_cell(col, &c, a, today, st == AL_ID_OK, out, re);
        }
    }
    return re->n;
}

/* ---- reconciliation ---- */

uint64_t
import_id_key(const char number[18])
{
    uint64_t k = 0;
    for (int i = 0; i < 17; i++)
        k = k * 10 + (uint64_t)(number[i] - '0');
    return k * 11 + (number[17] == 'X' ? 10 : (uint64_t)(number[17] - '0'));
}

static bool
differs(const char *a, const char *b)
{
    if (!a || !b)
        return a != b;
    return strcmp(a, b) != 0;
}

int
import_plan(const struct import_row *row, const struct elder_state *cur, int min_age,
    const char *today, json_t *set, unsigned *flags)
{
    *flags = 0;
    switch (row->kind) {
    case IMPORT_HUKOU:
        /* RULE-IMPORT-010: household rows create residents of registry age and keep
         * name, address, registered region and household up to date. */
        if (!cur) {
            if (al_age_on(row->birth_date, today) < min_age)
                return IMPORT_EFFECT_SKIPPED_AGE;
            json_object_set_new(set, "id_number", json_string(row->id_number));
            json_object_set_new(set, "name", json_string(row->name));
            json_object_set_new(set, "sex", json_stringn(&row->sex, 1));
            json_object_set_new(set, "birth_date", json_string(row->birth_date));
            json_object_set_new(set, "region_code", json_string(row->region_code));
            json_object_set_new(set, "hukou_region_code", json_string(row->region_code));
            json_object_set_new(set, "address", json_string(row->address));
            if (row->household)
                json_object_set_new(set, "household_no", json_string(row->household));
            if (row->household_size)
                json_object_set_new(set, "household_size", json_integer(row->household_size));
            return IMPORT_EFFECT_NEW;
        }
        if (differs(cur->name, row->name))
            json_object_set_new(set, "name", json_string(row->name));
        if (differs(cur->address, row->address))
            json_object_set_new(set, "address", json_string(row->address));
        if (differs(cur->hukou_region_code, row->region_code)) {
            json_object_set_new(set, "hukou_region_code", json_string(row->region_code));
            if (cur->hukou_region_code)
                *flags |= IMPORT_FLAG_MOVE;
        }
        if (row->household && differs(cur->household_no, row->household))
            json_object_set_new(set, "household_no", json_string(row->household));
        if (row->household_size && cur->household_size != row->household_size)
            json_object_set_new(set, "household_size", json_integer(row->household_size));
        break;
    case IMPORT_ROLL: {
        /* RULE-IMPORT-011: an open roll entry sets the economic status; an ended one
         * returns it to 一般 when that status came from a roll. */
        bool open = !row->end_date[0] || strcmp(row->end_date, today) >= 0;
        if (open && differs(cur->economic_status, row->category))
            json_object_set_new(set, "economic_status", json_string(row->category));
        else if (!open && !differs(cur->economic_status, row->category) && cur->economic_source &&
                 strcmp(cur->economic_source, "import:roll") == 0)
            json_object_set_new(set, "economic_status", json_string("general"));
        break;
    }
    case IMPORT_DISABILITY:
        /* RULE-IMPORT-012 */
        if (differs(cur->disability_type, row->dis_type))
            json_object_set_new(set, "disability_type", json_string(row->dis_type));
        if (cur->disability_grade != row->dis_grade)
            json_object_set_new(set, "disability_grade", json_integer(row->dis_grade));
        break;
    case IMPORT_DEATH:
        /* RULE-IMPORT-013: a death registration closes the record. */
        if (differs(cur->status, "deceased") || differs(cur->status_date, row->death_date)) {
            json_object_set_new(set, "status", json_string("deceased"));
            json_object_set_new(set, "status_date", json_string(row->death_date));
            json_object_set_new(set, "status_reason", json_string("死亡登记导入"));
            *flags |= IMPORT_FLAG_DEATH;
        }
        break;
    case IMPORT_PENSION:
        /* RULE-IMPORT-014 */
        if (differs(cur->pension_type, row->pension_type))
            json_object_set_new(set, "pension_type", json_string(row->pension_type));
        if (row->amount_fen >= 0 && cur->pension_amount_fen != row->amount_fen)
            json_object_set_new(set, "pension_amount_fen", json_integer(row->amount_fen));
        break;
    }
    return json_object_size(set) ? IMPORT_EFFECT_CHANGED : IMPORT_EFFECT_UNCHANGED;
}

/* RULE-UPLOAD-002 */
void
import_tally_add(struct import_tally *t, int col, const char *reason)
{
    for (int i = 0; i < t->n; i++)
        if (t->e[i].col == col && strcmp(t->e[i].reason, reason) == 0) {
            t->e[i].count++;
            return;
        }
    if (t->n == IMPORT_TALLY_MAX) {
        t->other++;
        return;
    }
    t->e[t->n].col = col;
    snprintf(t->e[t->n].reason, sizeof(t->e[t->n].reason), "%s", reason);
    t->e[t->n].count = 1;
    t->n++;
}

json_t *
import_tally_json(const struct import_tally *t)
{
    int order[IMPORT_TALLY_MAX];
    for (int i = 0; i < t->n; i++)
        order[i] = i;
    for (int i = 1; i < t->n; i++) /* at most 32: insertion sort, stable */
        for (int j = i; j > 0 && t->e[order[j]].count > t->e[order[j - 1]].count; j--) {
            int x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    json_t *out = json_array();
    for (int i = 0; i < t->n; i++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "column",
                                       import_col_label(t->e[order[i]].col), "reason",
                                       t->e[order[i]].reason, "count",
                                       (json_int_t)t->e[order[i]].count));
    if (t->other)
        json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "column", "", "reason", "其他原因",
                                       "count", (json_int_t)t->other));
    return out;
}

/* RULE-UPLOAD-001 */
bool
import_row_blank(const struct al_str *fields, int n)
{
    for (int i = 0; i < n; i++)
        if (fields[i].len)
            return false;
    return true;
}
