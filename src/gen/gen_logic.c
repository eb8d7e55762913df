/* Pure parts of the generator: PRNG, dates, names, ID numbers, facts and defects. */
#include <stdio.h>
#include <string.h>

#include "core/idcard.h"
#include "gen/gen_int.h"

/* ---- random numbers ---- */

uint64_t
gen_next(struct gen_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t
gen_below(struct gen_rng *r, uint32_t n)
{
    /* Lemire's multiply-shift; the bias (n / 2^32) is far below anything measured here. */
    return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

bool
gen_chance(struct gen_rng *r, int per_mille)
{
    return (int)gen_below(r, 1000) < per_mille;
}

void
gen_quota_init(struct gen_quota *q, struct gen_rng *r, int per_mille)
{
    q->per_mille = per_mille < 0 ? 0 : per_mille > 1000 ? 1000 : per_mille;
    q->acc = (int)gen_below(r, 1000);
}

bool
gen_quota_next(struct gen_quota *q)
{
    q->acc += q->per_mille;
    if (q->acc < 1000)
        return false;
    q->acc -= 1000;
    return true;
}

/* ---- dates (Howard Hinnant's civil-day algorithms) ---- */

static bool
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

int64_t
gen_days(int y, int m, int d)
{
    if (d > month_days(y, m))
        d = month_days(y, m);
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
gen_civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool
gen_parse_date(const char *s, int64_t *days)
{
    int y, m, d;
    if (!s || !al_date_valid(s) || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return false;
    *days = gen_days(y, m, d);
    return true;
}

void
gen_format_date(int64_t days, char out[11])
{
    int y, m, d;
    gen_civil(days, &y, &m, &d);
    /* Years stay within 1870–2100 here; the mask keeps the compiler sure of the width. */
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
        (unsigned)d % 100u);
}

/* ---- people ---- */

int
gen_age(struct gen_rng *r)
{
    uint32_t p = gen_below(r, 1000);
    if (p < 550)
        return 60 + (int)gen_below(r, 10);
    if (p < 850)
        return 70 + (int)gen_below(r, 10);
    if (p < 980)
        return 80 + (int)gen_below(r, 10);
    /* 90–105: the product of two uniforms leans towards 90. */
    return 90 + (int)(gen_below(r, 16) * gen_below(r, 16) / 15);
}

int64_t
gen_birth_for_age(struct gen_rng *r, int64_t today, int age)
{
    int ty, tm, td;
    gen_civil(today, &ty, &tm, &td);
    /* Born after this day `age + 1` years ago, on or before it `age` years ago.  gen_days()
     * turns 29 February of a common year into the 28th, which keeps both ends exact. */
    int64_t hi = gen_days(ty - age, tm, td);
    int64_t lo = gen_days(ty - age - 1, tm, td) + 1;
    return lo + gen_below(r, (uint32_t)(hi - lo + 1));
}

struct weighted {
    const char *s;
    uint16_t w;
};

/* Surnames with rough national frequencies (per ten thousand), a few local ones added. */
static const struct weighted surnames[] = {
    {"王", 710}, {"李", 700}, {"张", 640}, {"刘", 530}, {"陈", 460}, {"杨", 310}, {"黄", 210},
    {"赵", 200}, {"吴", 190}, {"周", 190}, {"徐", 140}, {"孙", 130}, {"马", 120}, {"朱", 110},
    {"胡", 110}, {"郭", 100}, {"何", 100}, {"高", 90}, {"林", 90}, {"罗", 90}, {"郑", 80},
    {"梁", 70}, {"谢", 60}, {"宋", 60}, {"唐", 60}, {"许", 50}, {"韩", 50}, {"冯", 50},
    {"邓", 50}, {"曹", 50}, {"彭", 50}, {"曾", 50}, {"肖", 50}, {"田", 50}, {"董", 40},
    {"袁", 40}, {"潘", 40}, {"于", 40}, {"蒋", 40}, {"蔡", 40}, {"余", 40}, {"杜", 40},
    {"叶", 40}, {"程", 40}, {"苏", 30}, {"魏", 30}, {"吕", 30}, {"丁", 30}, {"任", 30},
    {"沈", 30}, {"姚", 30}, {"卢", 30}, {"姜", 30}, {"崔", 30}, {"钟", 30}, {"谭", 30},
    {"陆", 30}, {"汪", 30}, {"范", 30}, {"金", 30}, {"石", 30}, {"廖", 30}, {"贾", 30},
    {"夏", 30}, {"韦", 30}, {"付", 30}, {"方", 30}, {"白", 20}, {"邹", 20}, {"孟", 20},
    {"熊", 20}, {"秦", 20}, {"邱", 20}, {"江", 20}, {"尹", 20}, {"薛", 20}, {"段", 20},
    {"雷", 20}, {"侯", 20}, {"龙", 20}, {"史", 20}, {"陶", 20}, {"黎", 20}, {"贺", 20},
    {"顾", 20}, {"毛", 20}, {"郝", 20}, {"龚", 20}, {"邵", 20}, {"万", 20}, {"钱", 20},
    {"严", 20}, {"覃", 20}, {"武", 20}, {"戴", 20}, {"莫", 20}, {"孔", 20}, {"向", 20},
    {"汤", 20}, {"冉", 20}, {"安", 20}, {"敖", 10}, {"令狐", 10}, {"欧阳", 10},
};

/* Given-name characters common in the generation born 1920–1966. */
static const char male_given[] = "国建明德福贵文成富荣祥顺光辉志正义忠家和先开学中兴华春林海清云"
                                 "宝金生永安平军强洪发树启仁昌章良才武世友全万庆东";
static const char female_given[] = "秀英兰珍芳梅凤玉桂淑琴翠花霞红云华春菊莲芬娥素群香萍琼敏丽美"
                                   "珠彩仙巧银碧会小二三";

static const char *
pick_weighted(struct gen_rng *r, const struct weighted *t, size_t n, uint32_t total)
{
    uint32_t x = gen_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < t[i].w)
            return t[i].s;
        x -= t[i].w;
    }
    return t[n - 1].s;
}

static uint32_t
total_weight(const struct weighted *t, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += t[i].w;
    return s;
}

void
gen_name(struct gen_rng *r, bool male, char out[GEN_NAME_MAX])
{
    static const size_t ns = sizeof(surnames) / sizeof(surnames[0]);
    static uint32_t total; /* computed once; the generator runs on one thread */
    if (!total)
        total = total_weight(surnames, ns);
    const char *given = male ? male_given : female_given;
    uint32_t ng = (uint32_t)((male ? sizeof(male_given) : sizeof(female_given)) - 1) / 3;
    const char *s = pick_weighted(r, surnames, ns, total);
    size_t o = strlen(s);
    memcpy(out, s, o);
    int k = gen_chance(r, 780) ? 2 : 1;
    uint32_t prev = ng;
    for (int i = 0; i < k; i++) {
        uint32_t g = gen_below(r, ng);
        if (g == prev) /* 秀秀 is rare: draw once more */
            g = gen_below(r, ng);
        memcpy(out + o, given + 3 * g, 3);
        o += 3;
        prev = g;
    }
    out[o] = '\0';
}

int
gen_household(struct gen_rng *r, bool male[2])
{
    /*
     * 35 % of households hold a couple, the rest one elder.  With 1.35 elders per household
     * and a man in each couple, singles are men 45.8 % of the time for 48 % men overall.
     */
    if (gen_chance(r, 350)) {
        male[0] = gen_chance(r, 500);
        male[1] = !male[0];
        return 2;
    }
    male[0] = gen_below(r, 10000) < 4585;
    return 1;
}

void
gen_id_number(const char area6[6], int64_t birth, int seq, char out[19])
{
    int y, m, d;
    gen_civil(birth, &y, &m, &d);
    memcpy(out, area6, 6);
    char tail[16];
    snprintf(tail, sizeof(tail), "%04d%02d%02d%03d", y % 10000, m % 100, d % 100,
        ((seq % 1000) + 1000) % 1000);
    memcpy(out + 6, tail, 11);
    out[17] = al_id_check_char(out);
    out[18] = '\0';
}

int
gen_id_seq(struct gen_rng *r, bool male)
{
    return (int)gen_below(r, 500) * 2 + (male ? 1 : 0);
}

uint64_t
gen_id_key(const char id[19])
{
    uint64_t k = 0;
    for (int i = 0; i < 17; i++)
        k = k * 10 + (uint64_t)(id[i] - '0');
    return k;
}

/* ---- facts ---- */

const char *const gen_roll_names[4] = {"特困", "低保", "低保边缘", "低收入"};
const char *const gen_dis_types[7] = {"视力", "听力", "言语", "肢体", "智力", "精神", "多重"};
const char *const gen_dis_grades[4] = {"一级", "二级", "三级", "四级"};
const char *const gen_pension_names[2] = {"城乡居民养老保险", "城镇职工养老保险"};

/* Per mille by age band 60s, 70s, 80s, 90+; weighted by 55/30/13/2 they average the target. */
static int
by_age(int age, const int band[4])
{
    return band[age < 70 ? 0 : age < 80 ? 1 : age < 90 ? 2 : 3];
}

void
gen_facts_draw(struct gen_rng *r, int age, int64_t today, struct gen_facts *f)
{
    static const int disability[4] = {40, 70, 110, 150}; /* 6.0 % on average */
    static const int death[4] = {6, 15, 40, 100};        /* 1.5 % on average */
    memset(f, 0, sizeof(*f));
    f->roll = GEN_ROLL_NONE;
    f->dis_type = -1;
    f->pension = GEN_PENSION_NONE;

    if (gen_chance(r, 80)) { /* 8 %: 1 特困, 5 低保, 1 低保边缘, 1 低收入 */
        uint32_t t = gen_below(r, 8);
        f->roll = t == 0 ? GEN_ROLL_TEKUN : t <= 5 ? GEN_ROLL_DIBAO : t == 6 ? GEN_ROLL_EDGE
                                                                        : GEN_ROLL_LOW;
        if (gen_chance(r, 100)) { /* ended: at least 180 days on the roll, ended by yesterday */
            f->roll_start = today - 400 - gen_below(r, 3000);
            int64_t first_end = f->roll_start + 180;
            f->roll_end = first_end + gen_below(r, (uint32_t)(today - 1 - first_end + 1));
        } else {
            f->roll_start = today - 1 - gen_below(r, 3650);
        }
    }
    if (gen_chance(r, by_age(age, disability))) {
        static const struct {
            int type;
            uint16_t w;
        } types[] = {{3, 35}, {1, 25}, {0, 15}, {6, 10}, {5, 6}, {4, 5}, {2, 4}};
        uint32_t x = gen_below(r, 100);
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            if (x < types[i].w) {
                f->dis_type = types[i].type;
                break;
            }
            x -= types[i].w;
        }
        uint32_t g = gen_below(r, 100);
        f->dis_grade = g < 15 ? 1 : g < 40 ? 2 : g < 70 ? 3 : 4;
        f->dis_grade_digit = gen_chance(r, 300);
    }
    if (gen_chance(r, by_age(age, death)))
        f->death = today - 1 - gen_below(r, 730);
    if (gen_chance(r, 900)) {
        f->pension = gen_chance(r, 200) ? GEN_PENSION_URBAN : GEN_PENSION_RURAL;
        f->pension_fen = f->pension == GEN_PENSION_URBAN ? 200000 + gen_below(r, 300000)
                                                         : 13000 + gen_below(r, 27000);
    }
}

/* ---- defects ---- */

enum gen_defect
gen_defect_pick(struct gen_rng *r, int file, bool can_dup)
{
    static const signed char sets[GEN_FILES][7] = {
        [GEN_HUKOU] = {GEN_BAD_CHECK, GEN_BAD_BIRTH, GEN_BAD_NAME, GEN_BAD_REGION, GEN_BAD_DUP, -1},
        [GEN_ROLL] = {GEN_BAD_CHECK, GEN_BAD_BIRTH, GEN_BAD_NAME, GEN_BAD_DUP, GEN_BAD_CATEGORY,
            GEN_BAD_DATE, -1},
        [GEN_DISABILITY] = {GEN_BAD_CHECK, GEN_BAD_BIRTH, GEN_BAD_NAME, GEN_BAD_DUP,
            GEN_BAD_GRADE, -1},
        [GEN_DEATH] = {GEN_BAD_CHECK, GEN_BAD_BIRTH, GEN_BAD_NAME, GEN_BAD_DUP, GEN_BAD_DATE, -1},
        [GEN_PENSION] = {GEN_BAD_CHECK, GEN_BAD_BIRTH, GEN_BAD_NAME, GEN_BAD_DUP, GEN_BAD_AMOUNT,
            -1},
    };
    signed char pool[7];
    uint32_t n = 0;
    for (int i = 0; i < 7 && sets[file][i] >= 0; i++)
        if (sets[file][i] != GEN_BAD_DUP || can_dup)
            pool[n++] = sets[file][i];
    return (enum gen_defect)pool[gen_below(r, n)];
}

void
gen_break_check(struct gen_rng *r, char id[19])
{
    static const char chars[] = "0123456789X";
    char right = al_id_check_char(id);
    char c = chars[gen_below(r, 10)];
    id[17] = c == right ? 'X' : c; /* ten wrong characters, equally likely */
}

void
gen_break_birth(struct gen_rng *r, char id[19])
{
    static const char *const mmdd[] = {"0230", "0431", "0631", "0931", "1131", "1301", "0015",
        "0700", "0229"};
    int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
    const char *v = mmdd[gen_below(r, 9)];
    if (strcmp(v, "0229") == 0 && leap(y))
        v = "0230";
    memcpy(id + 10, v, 4);
    id[17] = al_id_check_char(id);
}

void
gen_bad_region(struct gen_rng *r, char out[13])
{
    snprintf(out, 13, "520327399%03u", 200 + gen_below(r, 100));
}

const char *
gen_bad_category(struct gen_rng *r)
{
    static const char *const v[] = {"一般户", "待核实", "其他", "低保户边缘"};
    return v[gen_below(r, 4)];
}

const char *
gen_bad_grade(struct gen_rng *r)
{
    static const char *const v[] = {"五级", "0", "5", "六级"};
    return v[gen_below(r, 4)];
}

const char *
gen_bad_amount(struct gen_rng *r)
{
    static const char *const v[] = {"一百二十元", "120.505", "约300", "1O0.00"};
    return v[gen_below(r, 4)];
}

void
gen_bad_date(struct gen_rng *r, int year, int style, char out[32])
{
    static const int md[][2] = {{2, 30}, {4, 31}, {6, 31}, {9, 31}, {11, 31}, {13, 1}, {2, 31}};
    uint32_t k = gen_below(r, sizeof(md) / sizeof(md[0]));
    if (style == 1)
        snprintf(out, 32, "%d年%d月%d日", year, md[k][0], md[k][1]);
    else
        snprintf(out, 32, "%04d-%02d-%02d", year, md[k][0], md[k][1]);
}
