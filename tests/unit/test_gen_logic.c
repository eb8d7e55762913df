/*
 * The generator (anlao gen): ID numbers valid per GB 11643, every deliberate defect really
 * refused by the import rules, the same files for the same seed, and the demo shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/embed.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/set64.h"
#include "gen/gen.h"
#include "gen/gen_int.h"
#include "import/import_int.h"
#include "region/region.h"
#include "unit.h"

#define TODAY "2026-11-22"

static int64_t
day(const char *s)
{
    int64_t d = 0;
    assert_true(gen_parse_date(s, &d));
    return d;
}

static void
dates(void **state)
{
    (void)state;
    /* Every day from 1870 to 2100 survives the round trip and formats as a real date. */
    for (int64_t d = gen_days(1870, 1, 1); d <= gen_days(2100, 12, 31); d++) {
        int y, m, dd;
        char s[11];
        gen_civil(d, &y, &m, &dd);
        assert_int_equal(gen_days(y, m, dd), d);
        gen_format_date(d, s);
        assert_true(al_date_valid(s));
    }
    assert_int_equal(gen_days(1970, 1, 1), 0);
    assert_int_equal(gen_days(2027, 2, 29), gen_days(2027, 2, 28)); /* clamped */
    int64_t d;
    assert_false(gen_parse_date("2026-02-30", &d));
    assert_false(gen_parse_date(NULL, &d));
}

static void
known_number(void **state)
{
    (void)state;
    char id[19];
    gen_id_number("110105", gen_days(1949, 12, 31), 2, id); /* identity-and-regions.md */
    assert_string_equal(id, "11010519491231002X");
    gen_id_number("440524", gen_days(1880, 1, 1), 1, id);
    assert_string_equal(id, "440524188001010014");
}

/* Generated numbers parse, and carry the drawn birth date, age and sex, on awkward days too. */
static void
numbers_valid(void **state)
{
    (void)state;
    static const char *const todays[] = {TODAY, "2028-02-29", "2027-03-01", "2026-12-31",
        "2027-01-01"};
    static const char *const areas[] = {"520327", "520102", "522701"};
    struct gen_rng r = {11};
    for (size_t t = 0; t < sizeof(todays) / sizeof(todays[0]); t++) {
        int64_t today = day(todays[t]);
        for (int i = 0; i < 20000; i++) {
            int age = gen_age(&r);
            int64_t birth = gen_birth_for_age(&r, today, age);
            bool male = gen_chance(&r, 480);
            char id[19], b[11];
            gen_id_number(areas[i % 3], birth, gen_id_seq(&r, male), id);
            struct al_id parsed;
            assert_int_equal(al_id_parse(id, 18, todays[t], &parsed), AL_ID_OK);
            gen_format_date(birth, b);
            assert_string_equal(parsed.birth_date, b);
            assert_int_equal(parsed.sex, male ? 'M' : 'F');
            assert_int_equal(al_age_on(b, todays[t]), age);
            assert_true(gen_id_key(id) != 0);
        }
    }
}

/* Validate one data line of `kind` under `header` with the import rules; the error count. */
static int
import_errors(struct al_arena *a, int kind, const char *header, const char *line)
{
    struct al_str hf[16], f[16];
    int nh, n, map[IMPORT_COL_COUNT], unknown[16], n_unknown, missing;
    struct al_csv c;
    al_csv_init(&c, header, strlen(header));
    assert_int_equal(al_csv_read(&c, a, hf, 16, &nh), 1);
    assert_int_equal(import_map_headers(kind, hf, nh, map, unknown, &n_unknown, &missing), 0);
    al_csv_init(&c, line, strlen(line));
    assert_int_equal(al_csv_read(&c, a, f, 16, &n), 1);
    struct import_row row;
    struct import_error errs[8];
    return import_validate_row(kind, f, n, map, TODAY, a, &row, errs, 8);
}

static const char roll_header[] = "身份证号,姓名,类别,开始日期,结束日期";
static const char dis_header[] = "身份证号码,姓名,残疾类别,残疾等级";
static const char pension_header[] = "证件号码,姓名,养老保险类型,月领取金额";

static void
defects_invalid(void **state)
{
    (void)state;
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    struct gen_rng r = {5};
    int64_t today = day(TODAY);
    const struct al_embedded *villages = al_embedded_find("data/regions/villages-520327.csv");
    assert_non_null(villages);
    for (int i = 0; i < 5000; i++) {
        char id[19], broken[19], line[256];
        gen_id_number("520327", gen_birth_for_age(&r, today, gen_age(&r)), gen_id_seq(&r, i & 1),
            id);
        struct al_id parsed;
        memcpy(broken, id, 19);
        gen_break_check(&r, broken);
        assert_int_equal(al_id_parse(broken, 18, TODAY, &parsed), AL_ID_CHECKSUM);
        memcpy(broken, id, 19);
        gen_break_birth(&r, broken);
        assert_int_equal(al_id_parse(broken, 18, TODAY, &parsed), AL_ID_DATE);

        char region[13];
        gen_bad_region(&r, region);
        assert_int_equal(region_level(region), 5);
        assert_null(memmem(villages->data, villages->len, region, 12)); /* no such village */

        snprintf(line, sizeof(line), "%s,张三,%s,2020-01-01,", id, gen_bad_category(&r));
        assert_true(import_errors(&a, IMPORT_ROLL, roll_header, line) > 0);
        char date[32];
        gen_bad_date(&r, 2025, 0, date);
        snprintf(line, sizeof(line), "%s,张三,低保,%s,", id, date);
        assert_true(import_errors(&a, IMPORT_ROLL, roll_header, line) > 0);
        gen_bad_date(&r, 2025, 1, date);
        snprintf(line, sizeof(line), "%s,张三,%s", id, date);
        assert_true(import_errors(&a, IMPORT_DEATH, "身份证号,姓名,死亡日期", line) > 0);
        snprintf(line, sizeof(line), "%s,张三,肢体,%s", id, gen_bad_grade(&r));
        assert_true(import_errors(&a, IMPORT_DISABILITY, dis_header, line) > 0);
        snprintf(line, sizeof(line), "%s,张三,城乡居民养老保险,%s", id, gen_bad_amount(&r));
        assert_true(import_errors(&a, IMPORT_PENSION, pension_header, line) > 0);
        /* and the same rows with good values pass */
        snprintf(line, sizeof(line), "%s,张三,城乡居民养老保险,128.50", id);
        assert_int_equal(import_errors(&a, IMPORT_PENSION, pension_header, line), 0);
        al_arena_reset(&a);
    }
    /* Defects fit their file; a duplicate only once there is a row to copy. */
    for (int i = 0; i < 2000; i++) {
        assert_true(gen_defect_pick(&r, GEN_HUKOU, false) != GEN_BAD_DUP);
        enum gen_defect d = gen_defect_pick(&r, GEN_DISABILITY, true);
        assert_true(d == GEN_BAD_CHECK || d == GEN_BAD_BIRTH || d == GEN_BAD_NAME ||
                    d == GEN_BAD_DUP || d == GEN_BAD_GRADE);
        d = gen_defect_pick(&r, GEN_HUKOU, true);
        assert_true(d != GEN_BAD_DATE && d != GEN_BAD_GRADE && d != GEN_BAD_AMOUNT &&
                    d != GEN_BAD_CATEGORY);
    }
    al_arena_fini(&a);
}

static void
same_seed_same_draws(void **state)
{
    (void)state;
    struct gen_rng a = {42}, b = {42}, c = {43};
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = gen_next(&a);
        assert_true(x == gen_next(&b));
        differ += x != gen_next(&c);
    }
    assert_true(differ > 990);
    char n1[GEN_NAME_MAX], n2[GEN_NAME_MAX];
    for (int i = 0; i < 1000; i++) {
        gen_name(&a, i & 1, n1);
        gen_name(&b, i & 1, n2);
        assert_string_equal(n1, n2);
    }
}

static void
quota_exact(void **state)
{
    (void)state;
    static const int shares[] = {0, 1, 7, 20, 333, 999, 1000};
    struct gen_rng r = {3};
    for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
        for (int n = 0; n < 3000; n += 137) {
            struct gen_quota q;
            gen_quota_init(&q, &r, shares[i]);
            int hits = 0;
            for (int k = 0; k < n; k++)
                hits += gen_quota_next(&q);
            int lo = n * shares[i] / 1000, hi = (n * shares[i] + 999) / 1000;
            assert_in_range(hits, lo, hi);
        }
    }
}

#define SHARE(count, n, pct, tol)                                                              \
    assert_true(((double)(count) * 100.0 / (double)(n)) >= (pct) - (tol) &&                   \
                ((double)(count) * 100.0 / (double)(n)) <= (pct) + (tol))

static void
distributions(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct gen_rng r = {2026};
    int64_t today = day(TODAY);
    int bands[4] = {0}, men = 0, people = 0, roll[4] = {0}, rolls = 0, ended = 0, dis = 0,
        deaths = 0, pensions = 0, urban = 0, two_chars = 0;
    for (int i = 0; i < N; i++) {
        int age = gen_age(&r);
        assert_in_range(age, 60, 105);
        bands[age < 70 ? 0 : age < 80 ? 1 : age < 90 ? 2 : 3]++;

        bool male[2];
        int k = gen_household(&r, male);
        assert_in_range(k, 1, 2);
        if (k == 2)
            assert_true(male[0] != male[1]);
        for (int j = 0; j < k; j++)
            men += male[j];
        people += k;

        char name[GEN_NAME_MAX];
        gen_name(&r, male[0], name);
        size_t len = strlen(name);
        assert_in_range(len, 6, 12);
        assert_int_equal(al_utf8_len(name, len), len / 3);
        two_chars += len / 3 >= 3;

        struct gen_facts f;
        gen_facts_draw(&r, age, today, &f);
        if (f.roll != GEN_ROLL_NONE) {
            rolls++;
            roll[f.roll]++;
            assert_true(f.roll_start < today && f.roll_start > today - 4000);
            if (f.roll_end) {
                ended++;
                assert_true(f.roll_end < today && f.roll_end >= f.roll_start + 180);
            }
        }
        if (f.dis_type >= 0) {
            dis++;
            assert_in_range(f.dis_grade, 1, 4);
        }
        if (f.death) {
            deaths++;
            assert_true(f.death < today && f.death >= today - 730);
        }
        if (f.pension != GEN_PENSION_NONE) {
            pensions++;
            urban += f.pension == GEN_PENSION_URBAN;
            assert_true(f.pension_fen > 0);
        }
    }
    SHARE(bands[0], N, 55, 1);
    SHARE(bands[1], N, 30, 1);
    SHARE(bands[2], N, 13, 0.7);
    SHARE(bands[3], N, 2, 0.3);
    SHARE(men, people, 48, 1);
    SHARE(two_chars, N, 78, 1.5);
    SHARE(rolls, N, 8, 0.5);
    SHARE(roll[GEN_ROLL_TEKUN], N, 1, 0.2);
    SHARE(roll[GEN_ROLL_DIBAO], N, 5, 0.4);
    SHARE(roll[GEN_ROLL_EDGE], N, 1, 0.2);
    SHARE(roll[GEN_ROLL_LOW], N, 1, 0.2);
    SHARE(ended, rolls, 10, 2);
    SHARE(dis, N, 6, 0.5);
    SHARE(deaths, N, 1.5, 0.3);
    SHARE(pensions, N, 90, 0.7);
    SHARE(urban, pensions, 20, 1);
}

/* ---- whole files against the import rules ---- */

static char *
slurp(struct al_arena *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = al_arena_alloc(a, (size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* The people a hukou import would register (ID keys, sorted once hukou is read). */
struct registry {
    uint64_t keys[20000];
    size_t n;
};

static int
cmp_key(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/*
 * What `anlao import --valid-only` would reject in file `kind`, without a database: the row
 * rules, numbers repeated in the file, villages that do not exist, people not in the registry.
 */
static int64_t
rejected(const char *dir, int kind, struct registry *reg)
{
    struct al_arena a, row_arena;
    al_arena_init(&a, 1 << 16);
    al_arena_init(&row_arena, 1 << 14);
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.csv", dir, gen_file_kinds[kind]);
    size_t len;
    const char *p = slurp(&a, path, &len);
    assert_memory_equal(p, "\xEF\xBB\xBF", 3);
    /* CRLF everywhere: every LF follows a CR */
    for (const char *q = p; (q = memchr(q, '\n', len - (size_t)(q - p))); q++)
        assert_int_equal(q[-1], '\r');
    const struct al_embedded *villages = al_embedded_find("data/regions/villages-520327.csv");
    struct al_csv c;
    struct al_str f[16];
    int n, map[IMPORT_COL_COUNT], unknown[16], n_unknown, missing;
    al_csv_init(&c, p, len);
    assert_int_equal(al_csv_read(&c, &a, f, 16, &n), 1);
    assert_int_equal(import_map_headers(kind, f, n, map, unknown, &n_unknown, &missing), 0);
    assert_int_equal(n_unknown, 0);
    struct al_set64 seen;
    al_set64_init(&seen);
    int64_t bad = 0;
    while (al_csv_read(&c, &row_arena, f, 16, &n) == 1) {
        struct import_row row;
        struct import_error errs[8];
        bool ok = import_validate_row(kind, f, n, map, TODAY, &row_arena, &row, errs, 8) == 0 &&
                  al_set64_add(&seen, import_id_key(row.id_number));
        uint64_t key = ok ? import_id_key(row.id_number) : 0;
        if (ok && kind == IMPORT_HUKOU) {
            char needle[16];
            snprintf(needle, sizeof(needle), "\n%s,", row.region_code);
            ok = memmem(villages->data, villages->len, needle, strlen(needle)) != NULL &&
                 al_age_on(row.birth_date, TODAY) >= 60;
            if (ok) {
                assert_true(reg->n < sizeof(reg->keys) / sizeof(reg->keys[0]));
                reg->keys[reg->n++] = key;
            }
        } else if (ok) {
            ok = bsearch(&key, reg->keys, reg->n, sizeof(key), cmp_key) != NULL;
        }
        bad += !ok;
        al_arena_reset(&row_arena);
    }
    if (kind == IMPORT_HUKOU)
        qsort(reg->keys, reg->n, sizeof(reg->keys[0]), cmp_key);
    al_set64_fini(&seen);
    al_arena_fini(&row_arena);
    al_arena_fini(&a);
    return bad;
}

static void
files_match_importer(void **state)
{
    (void)state;
    char dir1[] = "/tmp/anlao-gen-test-XXXXXX", dir2[] = "/tmp/anlao-gen-test-XXXXXX";
    assert_non_null(mkdtemp(dir1));
    assert_non_null(mkdtemp(dir2));
    struct gen_options o = {.elders = 20000, .out_dir = dir1, .seed = 9, .bad_per_mille = 30,
        .today = TODAY};
    struct gen_counts c, c2;
    struct al_errinfo err = {0};
    assert_int_equal(gen_write(&o, &c, &err), AL_OK);
    assert_int_equal(c.rows[GEN_HUKOU], 20000);
    assert_int_equal(c.bad[GEN_HUKOU], 600); /* 3 % exactly */
    static struct registry registry;
    registry.n = 0;
    for (int k = 0; k < GEN_FILES; k++) {
        int64_t sum = 0;
        for (int d = 0; d < GEN_DEFECTS; d++)
            sum += c.defects[k][d];
        assert_int_equal(sum, c.bad[k]);
        assert_in_range(c.bad[k], c.rows[k] * 30 / 1000, (c.rows[k] * 30 + 999) / 1000);
        assert_int_equal(rejected(dir1, k, &registry), c.bad[k]);
    }
    assert_int_equal((int64_t)registry.n, c.rows[GEN_HUKOU] - c.bad[GEN_HUKOU]);

    /* Same seed: the same bytes; another seed: other people. */
    o.out_dir = dir2;
    assert_int_equal(gen_write(&o, &c2, &err), AL_OK);
    assert_memory_equal(&c, &c2, sizeof(c));
    struct al_arena a;
    al_arena_init(&a, 1 << 16);
    for (int k = 0; k < GEN_FILES; k++) {
        char p1[512], p2[512];
        snprintf(p1, sizeof(p1), "%s/%s.csv", dir1, gen_file_kinds[k]);
        snprintf(p2, sizeof(p2), "%s/%s.csv", dir2, gen_file_kinds[k]);
        size_t l1, l2;
        const char *b1 = slurp(&a, p1, &l1), *b2 = slurp(&a, p2, &l2);
        assert_int_equal(l1, l2);
        assert_memory_equal(b1, b2, l1);
    }
    o.seed = 10;
    assert_int_equal(gen_write(&o, &c2, &err), AL_OK);
    size_t l1, l2;
    char p1[512], p2[512];
    snprintf(p1, sizeof(p1), "%s/hukou.csv", dir1);
    snprintf(p2, sizeof(p2), "%s/hukou.csv", dir2);
    const char *b1 = slurp(&a, p1, &l1), *b2 = slurp(&a, p2, &l2);
    assert_true(l1 != l2 || memcmp(b1, b2, l1) != 0);
    al_arena_fini(&a);

    /* Bad options are refused with a reason naming the option (the closed al_err set). */
    o.elders = 0;
    assert_int_equal(gen_write(&o, &c2, &err), AL_EINVAL);
    assert_string_equal(err.field, "elders");
    assert_non_null(strstr(err.message, "人数应为 1 到"));
    o.elders = 10;
    o.bad_per_mille = 1001;
    assert_int_equal(gen_write(&o, &c2, &err), AL_EINVAL);
    assert_string_equal(err.field, "bad_per_mille");
    o.bad_per_mille = 30;
    o.today = "2026-02-30";
    assert_int_equal(gen_write(&o, &c2, &err), AL_EINVAL);
    assert_string_equal(err.field, "today");
    assert_non_null(strstr(err.message, "2026-02-30"));
    /* a directory that cannot be made: AL_EINTERNAL with the reason */
    o.today = TODAY;
    o.out_dir = "/proc/anlao-no-such/dir";
    assert_int_equal(gen_write(&o, &c2, &err), AL_EINTERNAL);
    assert_non_null(strstr(err.message, "无法创建目录"));

    for (int k = 0; k < GEN_FILES; k++) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s.csv", dir1, gen_file_kinds[k]);
        unlink(p);
        snprintf(p, sizeof(p), "%s/%s.csv", dir2, gen_file_kinds[k]);
        unlink(p);
    }
    rmdir(dir1);
    rmdir(dir2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates),
        cmocka_unit_test(known_number),
        cmocka_unit_test(numbers_valid),
        cmocka_unit_test(defects_invalid),
        cmocka_unit_test(same_seed_same_draws),
        cmocka_unit_test(quota_exact),
        cmocka_unit_test(distributions),
        cmocka_unit_test(files_match_importer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
