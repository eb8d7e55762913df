/*
 * The whole entitlement run on SQLite (issue 12, RULE-ENT-060..064): N elders of one county
 * evaluated against a list of 50 items, storing included (each elder's set, the worklists, the
 * changes with their deciding inputs).  Builds its own database file: the migrations, N elders
 * written straight into the elders table (the search triggers of the bench file dropped: they
 * are the registry's cost, measured by bench/registry.sh, not the run's) with random facts,
 * and an approved county list adding 38 items to the 12 national ones: 50 rules.
 *
 *   build/bench/entitle_run [elders] [db path]     (defaults 1000000, build/bench/entrun.db)
 *
 * Three runs: the first (baseline: every set written), a second on the same date (nothing
 * changed: only the worklists), a third a year later (ages move on: the changes recorded with
 * their deciding inputs).  Figures side by side, never pass/fail.  Target: ≤ 10 s per run at
 * 1,000,000 × 50.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/db.h"
#include "core/err.h"
#include "core/json.h"
#include "entitle/entitle.h"

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static long
peak_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

static const char *const economic[] = {"tekun", "dibao", "dibao_edge", "low_income", "general",
    "general", "general", "general"};
static const char *const living[] = {"alone", "spouse_only", "with_children", "with_others",
    "institution"};
static const char *const categories[] = {"advanced_age", "disabled", "economic_difficulty",
    "empty_nest", "left_behind", "living_alone"};

/* Ten shapes × four thresholds = 38 county rules; with the 12 national ones, 50 in all. */
static const char *const shapes[] = {
    "年龄 >= %d",
    "年龄 >= %d 且 经济状况 属于 [特困, 低保] 且 能力等级 >= 中度失能等级",
    "年龄 >= 高龄年龄 且 本地户籍 且 非 已享受 高龄津贴 且 年龄 != %d",
    "(能力等级 >= 3 或 残疾等级 <= 2) 且 经济状况 属于 [特困, 低保, 低保边缘] 且 年龄 >= %d",
    "类别 属于 [独居, 空巢, 留守] 且 年龄 >= %d 且 地区 属于 [520327, 520328]",
    "经济状况 = 特困 或 (年龄 >= %d 且 居住情况 = 独居 且 能力等级 >= 2)",
    "年龄 >= %d 且 能力等级 >= 2 且 非 已享受 家庭养老床位建设补贴",
    "性别 = 女 且 年龄 >= %d 且 经济状况 != 一般 且 居住情况 不属于 [机构]",
    "年龄 属于 [%d, 100] 或 类别 = 计生特殊家庭",
    "地区 属于 [520327001] 且 年龄 >= %d 且 (经济状况 属于 [特困, 低保] 或 能力等级 = 4)",
};

static int
load_elders(struct al_db *db, long n)
{
    static const char *const drop[] = {"DROP TRIGGER IF EXISTS elders_fts_ai",
        "DROP TRIGGER IF EXISTS elder_name_grams_ai", "DROP TRIGGER IF EXISTS elder_categories_copy",
        NULL};
    for (int i = 0; drop[i]; i++)
        if (al_db_exec(db, drop[i]) != AL_OK)
            return AL_EDB;
    srand(12);
    struct al_copy *cp = NULL;
    int rc = al_db_begin(db);
    if (rc == AL_OK)
        rc = al_db_copy_begin(db, "elders",
            "id, region_code, hukou_region_code, name, sex, birth_date, id_hash, id_enc, id_masked,"
            " address, living_arrangement, economic_status, disability_grade, ability_level,"
            " created_at, updated_at",
            &cp);
    char buf[64], region[16], hash[24];
    for (long i = 1; rc == AL_OK && i <= n; i++) {
        int r = rand();
        snprintf(region, sizeof(region), "520327%03d%03d", 1 + r % 14, 1 + (r >> 4) % 20);
        al_copy_int(cp, i);
        al_copy_text(cp, region);
        al_copy_text(cp, r % 10 ? region : "520328001001");
        al_copy_text(cp, "测试");
        al_copy_text(cp, r & 1 ? "F" : "M");
        snprintf(buf, sizeof(buf), "%04d-%02d-%02d", 1920 + rand() % 46, 1 + rand() % 12,
            1 + rand() % 28);
        al_copy_text(cp, buf);
        snprintf(hash, sizeof(hash), "h%ld", i);
        al_copy_text(cp, hash);
        al_copy_text(cp, "x");
        al_copy_text(cp, "520327********0000");
        al_copy_text(cp, "凤冈县");
        al_copy_text(cp, rand() % 5 ? living[rand() % 5] : NULL);
        al_copy_text(cp, economic[rand() % 8]);
        if (rand() % 10)
            al_copy_null(cp);
        else
            al_copy_int(cp, 1 + rand() % 4);
        if (rand() % 3)
            al_copy_int(cp, rand() % 5);
        else
            al_copy_null(cp);
        al_copy_int(cp, 0);
        al_copy_int(cp, 0);
        rc = al_copy_row(cp);
    }
    rc = al_copy_end(cp, rc);
    cp = NULL;
    if (rc == AL_OK)
        rc = al_db_copy_begin(db, "elder_categories", "elder_id, category, source", &cp);
    for (long i = 1; rc == AL_OK && i <= n; i++) {
        if (rand() % 4)
            continue;
        al_copy_int(cp, i);
        al_copy_text(cp, categories[rand() % 6]);
        al_copy_text(cp, "manual");
        rc = al_copy_row(cp);
    }
    rc = al_copy_end(cp, rc);
    return al_db_end(db, rc);
}

static int
load_list(struct al_db *db)
{
    int rc = al_db_exec(db,
        "INSERT INTO entitle_changes(id, region_code, status, list_version, note, effective_from,"
        " created_by, created_at) VALUES (9000, '520327', 'approved', 1, 'bench', '2020-01-01',"
        " 'bench', 0)");
    struct al_stmt *st = al_db_sql(db,
        "INSERT INTO entitle_items(change_id, region_code, item_key, kind, category, name,"
        " standard_kind, standard_text, fund_national_pct, fund_province_pct, fund_city_pct,"
        " fund_county_pct, rule_text, rule_checked) VALUES (9000, '520327', ?1, 'add', 'care',"
        " ?2, 'text', '按需', 0, 0, 0, 100, ?3, 1)");
    for (int i = 0; rc == AL_OK && i < 38; i++) {
        char key[16], name[32], text[256];
        snprintf(key, sizeof(key), "bench_%02d", i);
        snprintf(name, sizeof(name), "县项目%02d", i);
        /* The shape's one "%d" replaced by the threshold (not a format: shapes are data). */
        const char *sh = shapes[i % 10], *d = strstr(sh, "%d");
        snprintf(text, sizeof(text), "%.*s%d%s", (int)(d - sh), sh, 60 + (i / 10) * 7, d + 2);
        al_stmt_bind_text(st, 1, key);
        al_stmt_bind_text(st, 2, name);
        al_stmt_bind_text(st, 3, text);
        rc = al_stmt_run(st);
    }
    return rc;
}

static void
figure(const char *label, json_t *r, double wall, double cpus)
{
    json_t *ph = json_object_get(r, "phases_ms");
    long long ev = json_integer_value(json_object_get(r, "evaluations"));
    printf("%-28s %8.2f s %8.2f s %9.1f M/s %7lld %7lld %7lld %9lld %9lld %9lld\n", label, wall,
        cpus, (double)ev / wall / 1e6, json_integer_value(json_object_get(ph, "load")),
        json_integer_value(json_object_get(ph, "eval")),
        json_integer_value(json_object_get(ph, "store")),
        json_integer_value(json_object_get(r, "todo")),
        json_integer_value(json_object_get(r, "gained")),
        json_integer_value(json_object_get(r, "lost")));
}

static int
one_run(struct al_db *db, const char *label, const char *date)
{
    struct entitle_run_opts o = {.region = "520327", .date = date, .username = "bench"};
    json_t *r = NULL;
    struct al_errinfo e = {0};
    double t0 = now(), c0 = cpu();
    int rc = entitle_run(db, &o, &r, &e);
    double wall = now() - t0, cpus = cpu() - c0;
    if (rc != AL_OK) {
        fprintf(stderr, "run failed: %s\n", e.message);
        return 1;
    }
    figure(label, r, wall, cpus);
    json_t *sk = json_object_get(r, "skipped");
    if (json_array_size(sk))
        fprintf(stderr, "  skipped items: %zu\n", json_array_size(sk));
    json_decref(r);
    return 0;
}

int
main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    const char *path = argc > 2 ? argv[2] : "build/bench/entrun.db";
    if (n < 1) {
        fprintf(stderr, "usage: entitle_run [elders] [db path]\n");
        return 2;
    }
    al_json_init();
    if (al_crypto_init() != AL_OK)
        return 1;
    char wal[512], shm[512];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    snprintf(shm, sizeof(shm), "%s-shm", path);
    unlink(path), unlink(wal), unlink(shm);
    struct al_db *db = NULL;
    if (al_db_open(path, &db) != AL_OK || al_db_migrate(db) != AL_OK)
        return 1;
    double t0 = now();
    if (load_elders(db, n) != AL_OK || load_list(db) != AL_OK) {
        fputs("setup failed\n", stderr);
        return 1;
    }
    char load[128];
    snprintf(load, sizeof(load), "%.1f", now() - t0);
    double la[3] = {0};
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (fscanf(lf, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
            la[0] = 0;
        fclose(lf);
    }
    printf("entitlement run, SQLite, %ld elders × 50 rules (setup %s s, load average %.1f)\n", n,
        load, la[0]);
    printf("%-28s %10s %10s %11s %7s %7s %7s %9s %9s %9s\n", "run", "wall", "cpu", "evals",
        "load ms", "eval ms", "store ms", "待落实", "新增", "不再");
    int rc = one_run(db, "1 first (baseline)", "2026-12-01");
    if (!rc)
        rc = one_run(db, "2 same date (no change)", "2026-12-01");
    if (!rc)
        rc = one_run(db, "3 a year later (changes)", "2027-12-01");
    printf("peak memory %ld MB; target ≤ 10 s per run at 1,000,000 × 50\n", peak_mb());
    al_db_close(db);
    return rc;
}
