/* Writing the five source files (the choices themselves are in gen_logic.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/set64.h"
#include "gen/gen.h"
#include "gen/gen_int.h"

const char *const gen_file_kinds[GEN_FILES] = {"hukou", "roll", "disability", "death", "pension"};
const char *const gen_defect_ids[GEN_DEFECTS] = {"check", "birth", "name", "dup", "region",
    "category", "date", "grade", "amount"};

/* Each department spells the ID column its own way, as the real exports do (RULE-IMPORT-001). */
static const char *const headers[GEN_FILES] = {
    "公民身份号码,姓名,区划代码,住址,户号,户内人数,性别,出生日期",
    "身份证号,姓名,类别,开始日期,结束日期",
    "身份证号码,姓名,残疾类别,残疾等级",
    "身份证号,姓名,死亡日期",
    "证件号码,姓名,养老保险类型,月领取金额",
};

#define MAX_VILLAGES 128
#define MAX_AREAS 128

struct village {
    char code[13];
    const char *name;     /* "黄荆村" (committee suffix dropped) */
    const char *township; /* "进化镇" */
};

struct places {
    struct village v[MAX_VILLAGES];
    int nv;
    char areas[MAX_AREAS][7]; /* other Guizhou counties, for ID numbers issued elsewhere */
    int na;
};

/* The fields of one line of an embedded CSV file (quoted fields are copied into `a`). */
static int
line_fields(struct al_arena *a, const char *line, size_t len, struct al_str *f, int max)
{
    struct al_csv c;
    int n = 0;
    al_csv_init(&c, line, len);
    return al_csv_read(&c, a, f, max, &n) == 1 ? (n < max ? n : max) : 0;
}

/*
 * Walk the lines of `e` that start with `prefix`, calling `fn` with their fields.  Only those
 * lines are parsed, so the 1.6 MB township list costs a scan.
 */
static void
each_line(const struct al_embedded *e, const char *prefix, struct al_arena *scratch,
    void (*fn)(void *ctx, struct al_arena *a, const struct al_str *f, int n), void *ctx,
    struct al_arena *a)
{
    const char *p = (const char *)e->data, *end = p + e->len;
    size_t pl = strlen(prefix);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if ((size_t)(eol - p) > pl && memcmp(p, prefix, pl) == 0) {
            struct al_str f[8];
            int n = line_fields(scratch, p, (size_t)(eol - p), f, 8);
            fn(ctx, a, f, n);
            al_arena_reset(scratch);
        }
        p = nl ? nl + 1 : end;
    }
}

static void
add_village(void *ctx, struct al_arena *a, const struct al_str *f, int n)
{
    struct places *pl = ctx;
    if (n < 2 || f[0].len != 12 || pl->nv >= MAX_VILLAGES)
        return;
    struct village *v = &pl->v[pl->nv++];
    memcpy(v->code, f[0].p, 12);
    v->code[12] = '\0';
    /* "黄荆村村民委员会" → "黄荆村", "前进社区居民委员会" → "前进社区" in addresses. */
    size_t len = f[1].len;
    static const char *const suffixes[] = {"村民委员会", "居民委员会"};
    for (int k = 0; k < 2; k++) {
        size_t sl = strlen(suffixes[k]);
        if (len > sl && memcmp(f[1].p + len - sl, suffixes[k], sl) == 0)
            len -= sl;
    }
    v->name = al_arena_strndup(a, f[1].p, len);
    v->township = "";
}

static void
add_township(void *ctx, struct al_arena *a, const struct al_str *f, int n)
{
    struct places *pl = ctx;
    if (n < 2 || f[0].len != 9)
        return;
    const char *name = NULL;
    for (int i = 0; i < pl->nv; i++)
        if (memcmp(pl->v[i].code, f[0].p, 9) == 0)
            pl->v[i].township = name ? name : (name = al_arena_strndup(a, f[1].p, f[1].len));
}

static void
add_area(void *ctx, struct al_arena *a, const struct al_str *f, int n)
{
    (void)a;
    struct places *pl = ctx;
    if (n < 1 || f[0].len != 6 || memcmp(f[0].p, "520327", 6) == 0 || pl->na >= MAX_AREAS)
        return;
    memcpy(pl->areas[pl->na], f[0].p, 6);
    pl->areas[pl->na++][6] = '\0';
}

/* 凤冈县's 87 villages and communities with their townships, and Guizhou's other counties. */
static bool
load_places(struct al_arena *a, struct places *pl)
{
    const struct al_embedded *vf = al_embedded_find("data/regions/villages-520327.csv");
    const struct al_embedded *sf = al_embedded_find("data/regions/streets.csv");
    const struct al_embedded *af = al_embedded_find("data/regions/areas.csv");
    if (!vf || !sf || !af)
        return false;
    struct al_arena scratch;
    al_arena_init(&scratch, 4096);
    pl->nv = pl->na = 0;
    each_line(vf, "520327", &scratch, add_village, pl, a);
    each_line(sf, "520327", &scratch, add_township, pl, a);
    each_line(af, "52", &scratch, add_area, pl, a);
    al_arena_fini(&scratch);
    for (int i = 0; i < pl->nv; i++)
        if (!pl->v[i].township[0])
            return false;
    return pl->nv > 0 && pl->na > 0;
}

/* ---- rows ---- */

struct row {
    char p[1024];
    size_t n;
};

/* Append a field and its ',' (quoted when it holds a comma, quote or line break). */
static void
put_n(struct row *w, const char *s, size_t len)
{
    if (len > 200)
        len = 200; /* every field here is far shorter; keeps the row inside its buffer */
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        memcpy(w->p + w->n, s, len);
        w->n += len;
    } else {
        w->p[w->n++] = '"';
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '"')
                w->p[w->n++] = '"';
            w->p[w->n++] = s[i];
        }
        w->p[w->n++] = '"';
    }
    w->p[w->n++] = ',';
}

static void
put(struct row *w, const char *s)
{
    put_n(w, s, strlen(s));
}

static void
put_int(struct row *w, int64_t v)
{
    char b[24];
    put_n(w, b, (size_t)snprintf(b, sizeof(b), "%" PRId64, v));
}

static void
put_date(struct row *w, int64_t day)
{
    char b[11];
    gen_format_date(day, b);
    put_n(w, b, 10);
}

/* Replace the last ',' by CRLF and write the row. */
static void
emit(FILE *f, struct row *w)
{
    w->p[w->n - 1] = '\r';
    w->p[w->n++] = '\n';
    fwrite(w->p, 1, w->n, f);
}

/* ---- people ---- */

struct person {
    char id[19];
    char name[GEN_NAME_MAX];
    bool male;
    int age;
    int64_t birth;
};

/* Someone aged 60+ with an ID number not used before in this run. */
static void
draw_person(struct gen_rng *r, const struct places *pl, struct al_set64 *seen, int64_t today,
    bool male, struct person *p)
{
    p->male = male;
    for (bool found = false; !found;) {
        p->age = gen_age(r);
        p->birth = gen_birth_for_age(r, today, p->age);
        const char *area =
            gen_chance(r, 850) ? "520327" : pl->areas[gen_below(r, (uint32_t)pl->na)];
        int seq = gen_id_seq(r, male);
        /* Taken: step the sequence by 2 (keeping the sex digit); a full day draws again. */
        for (int tries = 0; tries < 500 && !found; tries++, seq = (seq + 2) % 1000) {
            gen_id_number(area, p->birth, seq, p->id);
            found = al_set64_add(seen, gen_id_key(p->id));
        }
    }
    gen_name(r, male, p->name);
}

struct writer {
    FILE *f[GEN_FILES];
    struct gen_rng *r;
    struct gen_quota quota[GEN_FILES];
    struct row last[GEN_FILES]; /* the last good row, copied for GEN_BAD_DUP */
    bool has_last[GEN_FILES];
    struct gen_counts *c;
};

/* -1 for a good row, or the defect the next row of `file` gets. */
static int
next_defect(struct writer *wr, int file)
{
    if (!gen_quota_next(&wr->quota[file]))
        return -1;
    return (int)gen_defect_pick(wr->r, file, wr->has_last[file]);
}

/* Start a row with the ID number and name, breaking one of them for those defects. */
static void
begin(struct writer *wr, struct row *w, const struct person *p, int defect)
{
    char id[19];
    memcpy(id, p->id, 19);
    if (defect == GEN_BAD_CHECK)
        gen_break_check(wr->r, id);
    else if (defect == GEN_BAD_BIRTH)
        gen_break_birth(wr->r, id);
    w->n = 0;
    put_n(w, id, 18);
    put(w, defect == GEN_BAD_NAME ? (gen_chance(wr->r, 500) ? "" : "  ") : p->name);
}

/* Write the row (or, for GEN_BAD_DUP, the last good one again) and count it. */
static void
finish(struct writer *wr, int file, struct row *w, int defect)
{
    if (defect == GEN_BAD_DUP) {
        memcpy(w->p, wr->last[file].p, wr->last[file].n);
        w->n = wr->last[file].n;
    } else if (defect < 0) {
        memcpy(wr->last[file].p, w->p, w->n);
        wr->last[file].n = w->n;
        wr->has_last[file] = true;
    }
    emit(wr->f[file], w);
    wr->c->rows[file]++;
    if (defect >= 0) {
        wr->c->bad[file]++;
        wr->c->defects[file][defect]++;
    }
}

static void
write_hukou(struct writer *wr, const struct person *p, const struct village *v, const char *addr,
    const char *household, int size)
{
    struct row w;
    int d = next_defect(wr, GEN_HUKOU);
    if (d != GEN_BAD_DUP) {
        begin(wr, &w, p, d);
        char region[13];
        if (d == GEN_BAD_REGION)
            gen_bad_region(wr->r, region);
        put(&w, d == GEN_BAD_REGION ? region : v->code);
        put(&w, addr);
        put(&w, household);
        put_int(&w, size);
        put(&w, p->male ? "男" : "女");
        put_date(&w, p->birth);
    }
    finish(wr, GEN_HUKOU, &w, d);
}

static void
write_facts(struct writer *wr, const struct person *p, const struct gen_facts *f)
{
    struct gen_rng *r = wr->r;
    struct row w;
    int d;
    if (f->roll != GEN_ROLL_NONE) {
        if ((d = next_defect(wr, GEN_ROLL)) != GEN_BAD_DUP) {
            begin(wr, &w, p, d);
            put(&w, d == GEN_BAD_CATEGORY ? gen_bad_category(r) : gen_roll_names[f->roll]);
            char bad[32];
            int y, m, dd;
            gen_civil(f->roll_start, &y, &m, &dd);
            uint32_t how = d == GEN_BAD_DATE ? gen_below(r, 3) : 3;
            if (how == 0) { /* a start date that does not exist */
                gen_bad_date(r, y, 0, bad);
                put(&w, bad);
            } else {
                put_date(&w, f->roll_start);
            }
            if (how == 1) { /* an end before the start */
                put_date(&w, f->roll_start - 1 - gen_below(r, 365));
            } else if (how == 2) { /* an end date that does not exist */
                gen_bad_date(r, y + 1, 0, bad);
                put(&w, bad);
            } else if (f->roll_end) {
                put_date(&w, f->roll_end);
            } else {
                put(&w, "");
            }
        }
        finish(wr, GEN_ROLL, &w, d);
    }
    if (f->dis_type >= 0) {
        if ((d = next_defect(wr, GEN_DISABILITY)) != GEN_BAD_DUP) {
            begin(wr, &w, p, d);
            put(&w, gen_dis_types[f->dis_type]);
            char digit[2] = {(char)('0' + f->dis_grade), 0};
            put(&w, d == GEN_BAD_GRADE ? gen_bad_grade(r)
                    : f->dis_grade_digit ? digit : gen_dis_grades[f->dis_grade - 1]);
        }
        finish(wr, GEN_DISABILITY, &w, d);
    }
    if (f->death) {
        if ((d = next_defect(wr, GEN_DEATH)) != GEN_BAD_DUP) {
            begin(wr, &w, p, d);
            int y, m, dd;
            gen_civil(f->death, &y, &m, &dd);
            char s[32];
            if (d == GEN_BAD_DATE)
                gen_bad_date(r, y, 1, s);
            else
                snprintf(s, sizeof(s), "%d年%d月%d日", y % 10000, m % 100, dd % 100);
            put(&w, s);
        }
        finish(wr, GEN_DEATH, &w, d);
    }
    if (f->pension != GEN_PENSION_NONE) {
        if ((d = next_defect(wr, GEN_PENSION)) != GEN_BAD_DUP) {
            begin(wr, &w, p, d);
            put(&w, gen_pension_names[f->pension]);
            char s[32];
            snprintf(s, sizeof(s), "%" PRId64 ".%02d", f->pension_fen / 100,
                (int)(f->pension_fen % 100));
            put(&w, d == GEN_BAD_AMOUNT ? gen_bad_amount(r) : s);
        }
        finish(wr, GEN_PENSION, &w, d);
    }
}

int
gen_write(const struct gen_options *o, struct gen_counts *c, struct al_errinfo *e)
{
    memset(c, 0, sizeof(*c));
    int64_t today;
    if (!o->out_dir || !o->out_dir[0])
        return al_fail(e, AL_EINVAL, "out_dir", "参数无效：应给出输出目录");
    if (o->elders < 1 || o->elders > GEN_MAX_ELDERS)
        return al_fail(e, AL_EINVAL, "elders", "参数无效：人数应为 1 到 %d", GEN_MAX_ELDERS);
    if (o->bad_per_mille < 0 || o->bad_per_mille > 1000)
        return al_fail(e, AL_EINVAL, "bad_per_mille", "参数无效：错误行比例应为 0 到 100%%");
    if (!gen_parse_date(o->today, &today))
        return al_fail(e, AL_EINVAL, "today", "日期无效：%s（应为 YYYY-MM-DD）",
            o->today ? o->today : "（空）");
    if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST)
        return al_fail(e, AL_EINTERNAL, NULL, "无法创建目录 %s：%s", o->out_dir, strerror(errno));
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    struct places *pl = al_arena_calloc(&a, sizeof(*pl));
    struct writer *wr = al_arena_calloc(&a, sizeof(*wr));
    struct al_set64 seen;
    al_set64_init(&seen);
    int rc = AL_EINTERNAL;
    if (!load_places(&a, pl)) {
        al_fail(e, rc, NULL, "缺少凤冈县村（社区）或贵州省县级区划数据");
        goto out;
    }
    for (int k = 0; k < GEN_FILES; k++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s.csv", o->out_dir, gen_file_kinds[k]);
        if (!(wr->f[k] = fopen(path, "wb"))) {
            al_fail(e, rc, NULL, "无法写入 %s：%s", path, strerror(errno));
            goto out;
        }
        setvbuf(wr->f[k], NULL, _IOFBF, 1 << 18);
        fprintf(wr->f[k], "\xEF\xBB\xBF%s\r\n", headers[k]);
    }
    struct gen_rng r = {o->seed};
    wr->r = &r;
    wr->c = c;
    for (int k = 0; k < GEN_FILES; k++)
        gen_quota_init(&wr->quota[k], &r, o->bad_per_mille);

    int64_t households = 0;
    for (int64_t i = 0; i < o->elders;) {
        /* A household: one elder or a couple, one address, one household number. */
        bool male[2];
        int k = gen_household(&r, male);
        const struct village *v = &pl->v[gen_below(&r, (uint32_t)pl->nv)];
        char addr[200], household[24];
        int len = snprintf(addr, sizeof(addr), "%s%s%u组%u号", v->township, v->name,
            1 + gen_below(&r, 12), 1 + gen_below(&r, 120));
        if (gen_chance(&r, 10)) /* a few carry a comma, as typed by hand: the field gets quoted */
            snprintf(addr + len, sizeof(addr) - (size_t)len, ",附%u号", 1 + gen_below(&r, 3));
        snprintf(household, sizeof(household), "%09" PRId64, 100000000 + ++households);
        static const uint8_t others[] = {0, 0, 0, 1, 1, 1, 2, 2, 3, 4}; /* younger members */
        int size = k + others[gen_below(&r, 10)];
        for (int j = 0; j < k && i < o->elders; j++, i++) {
            struct person p;
            draw_person(&r, pl, &seen, today, male[j], &p);
            int64_t bad_before = c->bad[GEN_HUKOU];
            write_hukou(wr, &p, v, addr, household, size);
            if (c->bad[GEN_HUKOU] != bad_before)
                continue; /* the other files name only people whose household row is good */
            struct gen_facts f;
            gen_facts_draw(&r, p.age, today, &f);
            write_facts(wr, &p, &f);
        }
    }
    rc = AL_OK;
out:
    for (int k = 0; k < GEN_FILES; k++) {
        if (!wr->f[k])
            continue;
        bool failed = ferror(wr->f[k]) != 0;
        if ((fclose(wr->f[k]) != 0 || failed) && rc == AL_OK)
            rc = al_fail(e, AL_EINTERNAL, NULL, "写入 %s.csv 失败：%s", gen_file_kinds[k],
                strerror(errno));
    }
    al_set64_fini(&seen);
    al_arena_fini(&a);
    return rc;
}
