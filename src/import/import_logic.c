/* Pure rules of the import module: header profiles, dates, row validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/idcard.h"
#include "core/json.h"
#include "import/import_int.h"
#include "region/region.h"

static const char *const kind_ids[] = {"hukou", "roll", "disability", "death", "pension",
    "legacy_assessment"};
static const char *const kind_names[] = {"户籍", "民政救助名册", "残疾人证", "死亡登记", "养老保险",
    "旧标准能力评估结果"};

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
    [IMPORT_COL_REFERENCE] = {"原始记录编号", "评估编号", "记录编号", NULL},
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
};
static const int optional[IMPORT_KIND_COUNT][5] = {
    [IMPORT_HUKOU] =
        {IMPORT_COL_HOUSEHOLD, IMPORT_COL_HOUSEHOLD_SIZE, IMPORT_COL_SEX, IMPORT_COL_BIRTH, -1},
    [IMPORT_ROLL] = {IMPORT_COL_END, -1, -1, -1, -1},
    [IMPORT_DISABILITY] = {-1, -1, -1, -1, -1},
    [IMPORT_DEATH] = {-1, -1, -1, -1, -1},
    [IMPORT_PENSION] = {IMPORT_COL_AMOUNT, -1, -1, -1, -1},
    [IMPORT_LEGACY] = {IMPORT_COL_ADL, IMPORT_COL_REFERENCE, -1, -1, -1},
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

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void
civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

bool
import_parse_date(const char *s, size_t len, char out[11])
{
    char buf[40];
    size_t n = 0;
    /* RULE-IMPORT-003: a serial with a time of day (45000.5) is that day. */
    size_t whole = 0, frac = 0;
    while (whole < len && s[whole] >= '0' && s[whole] <= '9')
        whole++;
    while (whole + 1 + frac < len && s[whole + 1 + frac] >= '0' && s[whole + 1 + frac] <= '9')
        frac++;
    if (whole >= 1 && whole <= 5 && whole < len && s[whole] == '.' && frac &&
        whole + 1 + frac == len)
        len = whole;
    /* Trim, and turn 年/月 and . / into '-', dropping 日. */
    for (size_t i = 0; i < len && n + 1 < sizeof(buf); i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t')
            continue;
        if (c == 0xE5 && i + 2 < len && (unsigned char)s[i + 1] == 0xB9 &&
            (unsigned char)s[i + 2] == 0xB4) { /* 年 */
            buf[n++] = '-';
            i += 2;
        } else if (c == 0xE6 && i + 2 < len && (unsigned char)s[i + 1] == 0x9C &&
                   (unsigned char)s[i + 2] == 0x88) { /* 月 */
            buf[n++] = '-';
            i += 2;
        } else if (c == 0xE6 && i + 2 < len && (unsigned char)s[i + 1] == 0x97 &&
                   (unsigned char)s[i + 2] == 0xA5) { /* 日 */
            i += 2;
        } else if (c == '/' || c == '.') {
            buf[n++] = '-';
        } else if ((c >= '0' && c <= '9') || c == '-') {
            buf[n++] = (char)c;
        } else {
            return false;
        }
    }
    buf[n] = '\0';
    int y, m, d;
    char tail;
    if (n == 8 && strspn(buf, "0123456789") == 8) {
        y = atoi((char[]){buf[0], buf[1], buf[2], buf[3], 0});
        m = atoi((char[]){buf[4], buf[5], 0});
        d = atoi((char[]){buf[6], buf[7], 0});
    } else if (n >= 1 && n <= 5 && strspn(buf, "0123456789") == n) {
        /* RULE-IMPORT-003: Excel serial day (1900 system; 60 is the phantom 1900-02-29). */
        long serial = atol(buf);
        if (serial < 61)
            return false;
        civil_from_days(serial - 25569, &y, &m, &d);
    } else if (sscanf(buf, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
        return false;
    }
    if (y < 1870 || y > 2100)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return al_date_valid(out);
}

/* ---- rows ---- */

static const char *
field(struct al_arena *a, const struct al_str *fields, int n, int idx, size_t *len)
{
    if (idx < 0 || idx >= n) {
        *len = 0;
        return NULL;
    }
    const char *p = fields[idx].p;
    size_t l = fields[idx].len;
    while (l && (*p == ' ' || *p == '\t')) {
        p++;
        l--;
    }
    while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
        l--;
    *len = l;
    return l ? al_arena_strndup(a, p, l) : NULL;
}

/* Bytes of `s` to quote in a reason: at most `max`, never ending inside a UTF-8 character. */
static int
shown(const char *s, int max)
{
    int n = (int)strnlen(s, (size_t)max);
    if (n == max)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return n;
}

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

#define ERR(c, ...)                                                                            \
    do {                                                                                       \
        if (ne < max_errs) {                                                                   \
            errs[ne].col = (c);                                                                \
            snprintf(errs[ne].reason, sizeof(errs[ne].reason), __VA_ARGS__);                   \
        }                                                                                      \
        ne++;                                                                                  \
    } while (0)

int
import_validate_row(int kind, const struct al_str *fields, int n, const int map[IMPORT_COL_COUNT],
    const char *today, struct al_arena *a, struct import_row *out, struct import_error *errs,
    int max_errs)
{
    int ne = 0;
    size_t len;
    const char *v;
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->amount_fen = -1;

    /* RULE-IMPORT-004: the ID number is normalised and checked (GB 11643). */
    v = field(a, fields, n, map[IMPORT_COL_ID], &len);
    struct al_id id;
    enum al_id_status st = v ? al_id_parse(v, len, today, &id) : AL_ID_EMPTY;
    if (st != AL_ID_OK && import_number_lost(v, len)) {
        ERR(IMPORT_COL_ID, "身份证号被存成了数字，后几位已丢失，请把该列设置为文本后重新导出");
    } else if (st != AL_ID_OK) {
        ERR(IMPORT_COL_ID, "%s", al_id_status_message(st));
    } else {
        memcpy(out->id_number, id.number, 19);
        memcpy(out->birth_date, id.birth_date, 11);
        out->sex = id.sex;
    }
    out->name = field(a, fields, n, map[IMPORT_COL_NAME], &len);
    if (!out->name)
        ERR(IMPORT_COL_NAME, "姓名不能为空");
    else if (al_utf8_len(out->name, len) == (size_t)-1 || al_utf8_len(out->name, len) > 32)
        ERR(IMPORT_COL_NAME, "姓名不能超过 32 个字符");
    else if (!al_text_is_plain(out->name, len)) /* RULE-PII-005 */
        ERR(IMPORT_COL_NAME, "姓名不能包含控制字符、换行或文字方向控制符");

    switch (kind) {
    case IMPORT_HUKOU:
        out->region_code = field(a, fields, n, map[IMPORT_COL_REGION], &len);
        if (out->region_code && import_number_lost(out->region_code, len)) /* RULE-IMPORT-020 */
            ERR(IMPORT_COL_REGION, "区划代码被存成了数字，后几位已丢失，请把该列设置为文本后重新导出");
        else if (!out->region_code || region_level(out->region_code) != 5)
            ERR(IMPORT_COL_REGION, "区划代码应为 12 位村（社区）代码");
        out->address = field(a, fields, n, map[IMPORT_COL_ADDRESS], &len);
        if (!out->address)
            ERR(IMPORT_COL_ADDRESS, "住址不能为空");
        else if (al_utf8_len(out->address, len) > 200)
            ERR(IMPORT_COL_ADDRESS, "住址不能超过 200 个字符");
        else if (!al_text_is_plain(out->address, len))
            ERR(IMPORT_COL_ADDRESS, "住址不能包含控制字符、换行或文字方向控制符");
        out->household = field(a, fields, n, map[IMPORT_COL_HOUSEHOLD], &len);
        if ((v = field(a, fields, n, map[IMPORT_COL_HOUSEHOLD_SIZE], &len))) {
            char *end;
            long hs = strtol(v, &end, 10);
            if (*end || hs < 1 || hs > 99)
                ERR(IMPORT_COL_HOUSEHOLD_SIZE, "户内人数应为 1 到 99 的整数");
            else
                out->household_size = (int)hs;
        }
        /* RULE-IMPORT-005: sex and birth date, when present, must agree with the ID number. */
        if ((v = field(a, fields, n, map[IMPORT_COL_SEX], &len)) && st == AL_ID_OK) {
            char sx = !strcmp(v, "男") || !strcmp(v, "M") || !strcmp(v, "1") ? 'M'
                      : !strcmp(v, "女") || !strcmp(v, "F") || !strcmp(v, "2") ? 'F' : 0;
            if (!sx)
                ERR(IMPORT_COL_SEX, "性别应为 男 或 女");
            else if (sx != out->sex)
                ERR(IMPORT_COL_SEX, "性别与身份证号不符");
        }
        if ((v = field(a, fields, n, map[IMPORT_COL_BIRTH], &len)) && st == AL_ID_OK) {
            char d[11];
            if (!import_parse_date(v, len, d))
                ERR(IMPORT_COL_BIRTH, "出生日期无法识别：%.*s", shown(v, 40), v);
            else if (strcmp(d, out->birth_date) != 0)
                ERR(IMPORT_COL_BIRTH, "出生日期与身份证号不符（身份证号为 %s）", out->birth_date);
        }
        break;
    case IMPORT_ROLL: {
        v = field(a, fields, n, map[IMPORT_COL_CATEGORY], &len);
        static const char *const names[][2] = {{"特困", "tekun"}, {"特困供养", "tekun"},
            {"低保", "dibao"}, {"低保边缘", "dibao_edge"}, {"低收入", "low_income"}};
        for (size_t i = 0; v && i < sizeof(names) / sizeof(names[0]); i++)
            if (!strcmp(v, names[i][0]) || !strcmp(v, names[i][1]))
                out->category = names[i][1];
        if (!out->category)
            ERR(IMPORT_COL_CATEGORY, "类别应为 特困、低保、低保边缘 或 低收入");
        v = field(a, fields, n, map[IMPORT_COL_START], &len);
        if (!v || !import_parse_date(v, len, out->start_date))
            ERR(IMPORT_COL_START, "开始日期无法识别：%.*s", shown(v ? v : "（空）", 40), v ? v : "（空）");
        if ((v = field(a, fields, n, map[IMPORT_COL_END], &len))) {
            if (!import_parse_date(v, len, out->end_date))
                ERR(IMPORT_COL_END, "结束日期无法识别：%.*s", shown(v, 40), v);
            else if (out->start_date[0] && strcmp(out->end_date, out->start_date) < 0)
                ERR(IMPORT_COL_END, "结束日期早于开始日期");
        }
        break;
    }
    case IMPORT_DISABILITY: {
        out->dis_type = field(a, fields, n, map[IMPORT_COL_DIS_TYPE], &len);
        static const char *const types[] = {"视力", "听力", "言语", "肢体", "智力", "精神", "多重",
            "视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"};
        bool ok = false;
        for (size_t i = 0; out->dis_type && i < sizeof(types) / sizeof(types[0]); i++)
            ok = ok || !strcmp(out->dis_type, types[i]);
        if (!ok)
            ERR(IMPORT_COL_DIS_TYPE, "残疾类别应为 视力、听力、言语、肢体、智力、精神 或 多重");
        v = field(a, fields, n, map[IMPORT_COL_DIS_GRADE], &len);
        static const char *const grades[] = {"一级", "二级", "三级", "四级"};
        for (int g = 0; v && g < 4; g++)
            if (!strcmp(v, grades[g]) || (len == 1 && v[0] == '1' + g))
                out->dis_grade = g + 1;
        if (!out->dis_grade)
            ERR(IMPORT_COL_DIS_GRADE, "残疾等级应为 一级…四级 或 1–4");
        break;
    }
    case IMPORT_DEATH:
        v = field(a, fields, n, map[IMPORT_COL_DEATH], &len);
        if (!v || !import_parse_date(v, len, out->death_date))
            ERR(IMPORT_COL_DEATH, "死亡日期无法识别：%.*s", shown(v ? v : "（空）", 40), v ? v : "（空）");
        else if (strcmp(out->death_date, today) > 0)
            ERR(IMPORT_COL_DEATH, "死亡日期不能晚于今天");
        else if (st == AL_ID_OK && strcmp(out->death_date, out->birth_date) < 0)
            ERR(IMPORT_COL_DEATH, "死亡日期早于出生日期");
        break;
    case IMPORT_PENSION:
        out->pension_type = field(a, fields, n, map[IMPORT_COL_PENSION_TYPE], &len);
        if (!out->pension_type)
            ERR(IMPORT_COL_PENSION_TYPE, "养老保险类型不能为空");
        if ((v = field(a, fields, n, map[IMPORT_COL_AMOUNT], &len))) {
            /* Yuan with up to 2 decimals → fen (never floating point). */
            int64_t yuan = 0, fen = 0;
            int dec = -1;
            bool bad = false;
            for (const char *p = v; *p && !bad; p++) {
                if (*p == '.' && dec < 0)
                    dec = 0;
                else if (*p >= '0' && *p <= '9' && dec < 0 && yuan < 100000000)
                    yuan = yuan * 10 + (*p - '0');
                else if (*p >= '0' && *p <= '9' && dec >= 0 && dec < 2)
                    fen = fen * 10 + (*p - '0'), dec++;
                else
                    bad = true;
            }
            if (bad)
                ERR(IMPORT_COL_AMOUNT, "月领取金额应为金额（元，最多两位小数）");
            else
                out->amount_fen = yuan * 100 + (dec == 1 ? fen * 10 : fen);
        }
        break;
    case IMPORT_LEGACY: {
        /* RULE-ASSESS-017: the older scale's own four levels, by name or number. */
        v = field(a, fields, n, map[IMPORT_COL_ASSESSED_ON], &len);
        if (!v || !import_parse_date(v, len, out->assessed_on))
            ERR(IMPORT_COL_ASSESSED_ON, "评估日期无法识别：%.*s", shown(v ? v : "（空）", 40), v ? v : "（空）");
        else if (strcmp(out->assessed_on, today) > 0)
            ERR(IMPORT_COL_ASSESSED_ON, "评估日期晚于今天");
        v = field(a, fields, n, map[IMPORT_COL_LEGACY_LEVEL], &len);
        static const char *const levels[][2] = {{"能力完好", "0"}, {"轻度失能", "1"},
            {"中度失能", "2"}, {"重度失能", "3"}};
        out->legacy_level = -1;
        for (int i = 0; v && i < 4; i++)
            if (!strcmp(v, levels[i][0]) || !strcmp(v, levels[i][1]))
                out->legacy_level = i;
        if (out->legacy_level < 0)
            ERR(IMPORT_COL_LEGACY_LEVEL, "评估等级应为 能力完好、轻度失能、中度失能、重度失能 或 0–3（旧标准，不换算）");
        out->adl_score = -1;
        if ((v = field(a, fields, n, map[IMPORT_COL_ADL], &len))) {
            char *end;
            long adl = strtol(v, &end, 10);
            if (*end || adl < 0 || adl > 100)
                ERR(IMPORT_COL_ADL, "日常生活活动得分应为 0 到 100 的整数");
            else
                out->adl_score = (int)adl;
        }
        out->reference = field(a, fields, n, map[IMPORT_COL_REFERENCE], &len);
        if (out->reference && al_utf8_len(out->reference, len) > 100)
            ERR(IMPORT_COL_REFERENCE, "原始记录编号不能超过 100 个字符");
        break;
    }
    }
    return ne;
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
