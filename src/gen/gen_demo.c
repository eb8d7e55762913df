/*
 * The demo county's elders (`anlao seed --demo`): the five department files
 * generated as `anlao gen` writes them, imported through the normal import
 * path, then the facts a helper would have recorded on visits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "core/err.h"
#include "gen/gen.h"
#include "import/import.h"

/* Generate and import the files (in a temporary directory, removed afterwards). */
static int
import_files(struct al_db *db, int64_t elders, const char *today, struct al_errinfo *e)
{
    char dir[] = "/tmp/anlao-demo-XXXXXX";
    if (!mkdtemp(dir))
        return al_fail(e, AL_EINTERNAL, NULL, "无法创建临时目录：%s", strerror(errno));
    struct gen_options g = {.elders = elders, .out_dir = dir, .seed = 2026, .bad_per_mille = 0,
        .today = today};
    struct gen_counts c;
    struct al_errinfo ge = {0};
    int rc = gen_write(&g, &c, &ge) == AL_OK
                 ? AL_OK
                 : al_fail(e, AL_EINTERNAL, NULL, "演示数据生成失败：%s", ge.message);
    for (int k = 0; rc == AL_OK && k < GEN_FILES; k++) {
        char path[256], name[64];
        snprintf(path, sizeof(path), "%s/%s.csv", dir, gen_file_kinds[k]);
        snprintf(name, sizeof(name), "演示数据-%s.csv", gen_file_kinds[k]);
        /* RULE-IMPORT-024: the demo files are the county's, imported as its officers would;
         * an import of no region is listed to nationwide accounts only. */
        struct import_options o = {.kind = gen_file_kinds[k], .path = path, .commit = true,
            .valid_only = true, .username = "seed", .filename = name, .region_code = "520327"};
        struct import_summary sum;
        rc = import_run(db, &o, &sum, e);
        if (rc != AL_OK) {
            char why[sizeof(e->message)];
            snprintf(why, sizeof(why), "%s", e->message);
            al_fail(e, rc, e->field, "演示数据导入失败：%.300s", why);
        }
        unlink(path);
    }
    for (int k = 0; k < GEN_FILES; k++) { /* what a failure left behind */
        char path[256];
        snprintf(path, sizeof(path), "%s/%s.csv", dir, gen_file_kinds[k]);
        unlink(path);
    }
    rmdir(dir);
    return rc;
}

int
gen_seed_demo(struct al_db *db, int64_t elders, const char *today, struct al_errinfo *e)
{
    int rc = import_files(db, elders, today, e);
    if (rc != AL_OK)
        return rc;
    /* Positions: scattered around a point per township inside the county (凤冈县 lies near
     * 27.95°N 107.72°E); the real township boundaries are not in our data. */
    if (al_db_exec(db,
            "UPDATE elders SET"
            " lat = 27.80 + (CAST(substr(region_code, 7, 3) AS INTEGER) % 13) * 0.025"
            "       + ((id * 7919) % 1000) / 60000.0,"
            " lng = 107.55 + (CAST(substr(region_code, 7, 3) AS INTEGER) % 17) * 0.02"
            "       + ((id * 104729) % 1000) / 60000.0"
            " WHERE lat IS NULL AND region_code LIKE '520327%'") != AL_OK)
        return al_fail(e, AL_EDB, NULL, "演示数据写入失败：老人位置");
    /*
     * What helpers would have recorded on visits (issue 18 point 13): shares close to published
     * statistics, so the demo county looks like a real one.
     *  - Living arrangements, as the 2020 census counts them (国家统计局《中国人口普查年鉴-2020》,
     *    households with members aged 60+): about 13 % of people aged 60+ live alone and about
     *    a quarter only with their spouse (空巢 together ≈ 37 %); the rest with children or
     *    others.  Helpers have recorded it for the 40 % of elders they have visited so far
     *    (`visited` below), not for everyone: recorded for all, the default special-difficulty
     *    list (独居 and 空巢 among them, sql/002) would put more than half the county in special
     *    difficulty, which is what the policy's list means but not what a registry shows while
     *    visits are under way.  So 独居 ≈ 5 % and 空巢 ≈ 10 % of the registry.
     *  - 留守 (children working elsewhere): rural villages only (村委会, codes 2xx–3xx), among
     *    visited elders not living with their children, one in three: ≈ 12 % of visited rural
     *    elders (民政部 2016: some 16 million rural left-behind elders, about a tenth of rural
     *    people aged 60+).
     *  - Already drawn in the department files (gen_logic.c): 高龄 80+ ≈ 15 % (census 2020:
     *    13.6 % of 60+); rolls 8 % (特困 1 %, 低保 5 %: 民政部 statistics, 2023, about 40 million
     *    on 低保 and 4.7 million 特困, most of them old and rural); disability certificates 6 %.
     *  - 失能 comes from the demo's published assessments (assess_demo.c, one elder in twelve,
     *    most of them with some loss): ≈ 6 % (the fourth national survey of older people, 2015,
     *    counted 18 % of 60+ as disabled or semi-disabled; daily-living disability in CHARLS is
     *    about 10 %).
     */
    if (al_db_exec(db,
            "UPDATE elders SET"
            " living_arrangement = CASE WHEN (id * 61) % 100 >= 40 THEN NULL"
            "   WHEN (id * 31) % 100 < 13 THEN 'alone'"
            "   WHEN (id * 31) % 100 < 37 THEN 'spouse_only'"
            "   WHEN (id * 31) % 100 < 85 THEN 'with_children' ELSE 'with_others' END,"
            " phone = '1' || (3 + (id % 7))"
            "   || substr(CAST(1000000000 + (id * 7919 + 12345) % 1000000000 AS TEXT), 2)"
            " WHERE living_arrangement IS NULL AND region_code LIKE '520327%'") != AL_OK)
        return al_fail(e, AL_EDB, NULL, "演示数据写入失败：居住情况和电话");
    if (al_db_exec(db,
            "UPDATE elders SET left_behind = CASE WHEN (id * 17) % 3 = 0 THEN 1 ELSE 0 END"
            " WHERE region_code LIKE '520327%'"
            " AND CAST(substr(region_code, 10, 3) AS INTEGER) >= 200"
            " AND living_arrangement IS NOT NULL AND living_arrangement <> 'with_children'")
        != AL_OK)
        return al_fail(e, AL_EDB, NULL, "演示数据写入失败：留守");
    return AL_OK;
}
