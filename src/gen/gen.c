/* Writing the five source files. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/embed.h"
#include "core/set64.h"
#include "gen/gen.h"
#include "gen/gen_int.h"

const char *const gen_file_kinds[GEN_FILES] = {"hukou", "roll", "disability", "death", "pension"};

static const char *const headers[GEN_FILES] = {
    "公民身份号码,姓名,区划代码,住址,户号,户内人数,性别,出生日期",
    "身份证号,姓名,类别,开始日期,结束日期",
    "身份证号码,姓名,残疾类别,残疾等级",
    "身份证号,姓名,死亡日期",
    "证件号码,姓名,养老保险类型,月领取金额",
};

struct village {
    char code[13];
    const char *name, *township;
};

/* 凤冈县's real villages and communities with their township names, from the embedded data. */
static int
load_villages(struct al_arena *a, struct village *v, int max)
{
    const struct al_embedded *vf = al_embedded_find("data/regions/villages-520327.csv");
    const struct al_embedded *sf = al_embedded_find("data/regions/streets.csv");
    if (!vf || !sf)
        return 0;
    struct al_csv c;
    struct al_str f[8];
    int n, count = 0;
    al_csv_init(&c, (const char *)vf->data, vf->len);
    al_csv_read(&c, a, f, 8, &n);
    while (count < max && al_csv_read(&c, a, f, 8, &n) == 1) {
        if (n < 2 || f[0].len != 12)
            continue;
        memcpy(v[count].code, f[0].p, 12);
        v[count].code[12] = '\0';
        /* "新冈村村民委员会" → "新冈村" in addresses. */
        size_t len = f[1].len;
        static const char *const suffixes[] = {"村民委员会", "居民委员会"};
        for (int k = 0; k < 2; k++) {
            size_t sl = strlen(suffixes[k]);
            if (len > sl && memcmp(f[1].p + len - sl, suffixes[k], sl) == 0)
                len -= sl;
        }
        v[count].name = al_arena_strndup(a, f[1].p, len);
        v[count].township = "";
        count++;
    }
    al_csv_init(&c, (const char *)sf->data, sf->len);
    while (al_csv_read(&c, a, f, 8, &n) == 1) {
        if (n < 2 || f[0].len != 9 || memcmp(f[0].p, "520327", 6) != 0)
            continue;
        for (int i = 0; i < count; i++)
            if (memcmp(v[i].code, f[0].p, 9) == 0)
                v[i].township = al_arena_strndup(a, f[1].p, f[1].len);
    }
    return count;
}

/* Birth date (YYYYMMDD) for an age on `today`: a random day of the year that gives that age. */
static void
birth_for_age(struct gen_rng *r, const char *today, int age, char out[9])
{
    int ty, tm, td;
    sscanf(today, "%d-%d-%d", &ty, &tm, &td);
    /* Born in year ty-age-1 after today's month-day, or in ty-age up to it. */
    int m = 1 + (int)gen_below(r, 12), d = 1 + (int)gen_below(r, 28);
    bool after = m > tm || (m == tm && d > td);
    int y = after ? ty - age - 1 : ty - age;
    char buf[32];
    snprintf(buf, sizeof(buf), "%04d%02d%02d", y, m, d);
    memcpy(out, buf, 8);
    out[8] = '\0';
}

static const char *const other_areas[] = {"520302", "520321", "520322", "520323", "520324",
    "520325", "520326", "520328", "520329", "520330", "520381", "520382"};

int
gen_write(const struct gen_options *o, struct gen_counts *c, char *err, size_t err_size)
{
    memset(c, 0, sizeof(*c));
    if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, err_size, "无法创建目录 %s：%s", o->out_dir, strerror(errno));
        return -1;
    }
    struct al_arena a;
    al_arena_init(&a, 1 << 16);
    struct village v[128];
    int nv = load_villages(&a, v, 128);
    FILE *f[GEN_FILES] = {0};
    int rc = -1;
    struct al_set64 seen;
    al_set64_init(&seen);
    if (nv == 0) {
        snprintf(err, err_size, "缺少凤冈县村（社区）数据");
        goto out;
    }
    for (int k = 0; k < GEN_FILES; k++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s.csv", o->out_dir, gen_file_kinds[k]);
        if (!(f[k] = fopen(path, "w"))) {
            snprintf(err, err_size, "无法写入 %s：%s", path, strerror(errno));
            goto out;
        }
        setvbuf(f[k], NULL, _IOFBF, 1 << 20);
        fprintf(f[k], "\xEF\xBB\xBF%s\r\n", headers[k]);
    }
    struct gen_rng r = {o->seed};
    int ty = 2026;
    sscanf(o->today, "%d", &ty);
    char last_good[19] = "";
    int bad = o->bad_per_mille;
    static const char *const rolls[] = {"特困", "低保", "低保边缘", "低收入"};
    static const char *const types[] = {"视力", "听力", "言语", "肢体", "智力", "精神", "多重"};
    static const char *const grades[] = {"一级", "二级", "三级", "四级", "1", "2", "3", "4"};
    for (int64_t i = 0; i < o->elders; i++) {
        int age = gen_age(&r);
        char birth[9], id[19], name[16];
        birth_for_age(&r, o->today, age, birth);
        bool male = gen_chance(&r, 480);
        const char *area = gen_chance(&r, 850) ? "520327" : other_areas[gen_below(&r, 12)];
        int seq = (int)gen_below(&r, 500) * 2 + (male ? 1 : 0);
        gen_id_number(area, birth, seq, id);
        /* Unique numbers: step the sequence (keeping the sex digit) until unused. */
        for (int tries = 0; tries < 500; tries++) {
            uint64_t key = 0;
            for (int j = 0; j < 17; j++)
                key = key * 10 + (uint64_t)(id[j] - '0');
            if (al_set64_add(&seen, key + 1))
                break;
            seq = (seq + 2) % 1000;
            gen_id_number(area, birth, seq, id);
        }
        gen_name(&r, name);
        const struct village *vil = &v[gen_below(&r, (uint32_t)nv)];
        char addr[160];
        snprintf(addr, sizeof(addr), "%s%s%u组%u号", vil->township, vil->name, 1 + gen_below(&r, 12),
            1 + gen_below(&r, 80));
        char date[16];
        snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", birth, birth + 4, birth + 6);

        /* hukou: a bad row, of one kind, or a good one */
        const char *row_id = id, *row_name = name, *row_region = vil->code, *row_birth = date;
        char broken[19];
        bool is_bad = i > 0 && gen_chance(&r, bad);
        if (is_bad) {
            switch (gen_below(&r, 5)) {
            case 0: /* wrong check character */
                memcpy(broken, id, 19);
                broken[17] = broken[17] == '0' ? '1' : '0';
                row_id = broken;
                break;
            case 1: /* month 13 */
                memcpy(broken, id, 19);
                broken[10] = '1';
                broken[11] = '3';
                broken[17] = '0';
                row_id = broken;
                break;
            case 2: row_name = ""; break;
            case 3: row_region = "520327999999"; break;
            default: row_id = last_good; break; /* the same number twice in the file */
            }
            c->bad[GEN_HUKOU]++;
        }
        fprintf(f[GEN_HUKOU], "%s,%s,%s,\"%s\",H%06lld,%u,%s,%s\r\n", row_id, row_name, row_region,
            addr, (long long)(i / 2), 1 + gen_below(&r, 5), male ? "男" : "女", row_birth);
        c->rows[GEN_HUKOU]++;
        if (is_bad)
            continue; /* other files only name people whose household row is good */
        memcpy(last_good, id, 19);

        if (gen_chance(&r, 80)) { /* roll: 8 % */
            uint32_t t = gen_below(&r, 8);
            const char *cat = rolls[t == 0 ? 0 : t <= 5 ? 1 : t == 6 ? 2 : 3];
            char start[32], end[32] = "";
            bool ended = gen_chance(&r, 100);
            /* An ended entry starts at least a year before it ends. */
            snprintf(start, sizeof(start), "%d-%02u-%02u", ty - (ended ? 3 : 1) - (int)gen_below(&r, 6),
                1 + gen_below(&r, 12), 1 + gen_below(&r, 28));
            if (ended)
                snprintf(end, sizeof(end), "%d-%02u-01", ty - 1, 1 + gen_below(&r, 12));
            if (gen_chance(&r, bad)) {
                if (gen_chance(&r, 500))
                    cat = "富裕";
                else
                    snprintf(start, sizeof(start), "昨天");
                c->bad[GEN_ROLL]++;
            }
            fprintf(f[GEN_ROLL], "%s,%s,%s,%s,%s\r\n", id, name, cat, start, end);
            c->rows[GEN_ROLL]++;
        }
        if (gen_chance(&r, 60)) { /* disability: 6 % */
            const char *type = types[gen_below(&r, 7)], *grade = grades[gen_below(&r, 8)];
            if (gen_chance(&r, bad)) {
                grade = "五级";
                c->bad[GEN_DISABILITY]++;
            }
            fprintf(f[GEN_DISABILITY], "%s,%s,%s,%s\r\n", id, name, type, grade);
            c->rows[GEN_DISABILITY]++;
        }
        if (gen_chance(&r, 15)) { /* deaths: 1.5 % in the last two years */
            char d[24];
            snprintf(d, sizeof(d), "%d年%u月%u日", ty - 1 - (int)gen_below(&r, 2), 1 + gen_below(&r, 12),
                1 + gen_below(&r, 28));
            if (gen_chance(&r, bad)) {
                snprintf(d, sizeof(d), "%d-02-30", ty - 1);
                c->bad[GEN_DEATH]++;
            }
            fprintf(f[GEN_DEATH], "%s,%s,%s\r\n", id, name, d);
            c->rows[GEN_DEATH]++;
        }
        if (gen_chance(&r, 900)) { /* pensions: 90 % */
            bool urban = gen_chance(&r, 200);
            unsigned fen = urban ? 250000 + gen_below(&r, 300000) : 12000 + gen_below(&r, 20000);
            char amount[24];
            snprintf(amount, sizeof(amount), "%u.%02u", fen / 100, fen % 100);
            if (gen_chance(&r, bad)) {
                snprintf(amount, sizeof(amount), "一百元");
                c->bad[GEN_PENSION]++;
            }
            fprintf(f[GEN_PENSION], "%s,%s,%s,%s\r\n", id, name,
                urban ? "城镇职工养老保险" : "城乡居民养老保险", amount);
            c->rows[GEN_PENSION]++;
        }
    }
    rc = 0;
out:
    for (int k = 0; k < GEN_FILES; k++)
        if (f[k] && fclose(f[k]) != 0 && rc == 0) {
            snprintf(err, err_size, "写入失败：%s", strerror(errno));
            rc = -1;
        }
    al_set64_fini(&seen);
    al_arena_fini(&a);
    return rc;
}
