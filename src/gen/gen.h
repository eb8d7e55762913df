/*
 * Synthetic source files for tests, benchmarks and the demo county: the five
 * department files (household registration, civil-affairs roll, disability
 * certificates, deaths, pensions) for N older residents of 凤冈县 (520327),
 * with a known number of deliberately bad rows in each.
 */
#ifndef GEN_H
#define GEN_H

#include <stddef.h>
#include <stdint.h>

struct gen_options {
    int64_t elders;        /* N: rows of hukou.csv (good and bad), 1 … GEN_MAX_ELDERS */
    const char *out_dir;   /* created when missing; existing files of the same name replaced */
    uint64_t seed;         /* same seed and same `today`, byte-identical files */
    int bad_per_mille;     /* share of deliberately bad rows in every file, 0–1000 (20 = 2 %) */
    const char *today;     /* YYYY-MM-DD: ages and dates are relative to it */
};

#define GEN_MAX_ELDERS 100000000

enum { GEN_HUKOU, GEN_ROLL, GEN_DISABILITY, GEN_DEATH, GEN_PENSION, GEN_FILES };

/* What is wrong with a deliberately bad row (each one has exactly one defect). */
enum gen_defect {
    GEN_BAD_CHECK = 0, /* ID number with a wrong check character */
    GEN_BAD_BIRTH,     /* ID number whose birth date does not exist (check character right) */
    GEN_BAD_NAME,      /* empty name (or only spaces) */
    GEN_BAD_DUP,       /* an exact copy of an earlier row of the same file */
    GEN_BAD_REGION,    /* hukou: a 12-digit village code that does not exist */
    GEN_BAD_CATEGORY,  /* roll: a category outside 特困/低保/低保边缘/低收入 */
    GEN_BAD_DATE,      /* roll, death: a date that does not exist or an end before the start */
    GEN_BAD_GRADE,     /* disability: a grade outside 一级…四级 / 1–4 */
    GEN_BAD_AMOUNT,    /* pension: an amount that is not yuan with at most two decimals */
    GEN_DEFECTS,
};

struct gen_counts {
    int64_t rows[GEN_FILES];              /* data rows written, header excluded */
    int64_t bad[GEN_FILES];               /* rows an import must reject */
    int64_t defects[GEN_FILES][GEN_DEFECTS]; /* `bad` split by defect */
};

extern const char *const gen_file_kinds[GEN_FILES];   /* "hukou", "roll", ... */
extern const char *const gen_defect_ids[GEN_DEFECTS]; /* "check", "birth", ... */

/*
 * Write <out_dir>/<kind>.csv for the five kinds, streaming: UTF-8 with BOM,
 * CRLF, a header row the import profiles accept, fields quoted only when they
 * hold a comma, quote or line break.
 *
 * hukou.csv has one row per elder (all aged 60–105 on `today`); the other
 * files name only people whose hukou row is good, each at most once apart
 * from deliberate duplicates, so importing hukou first and then the others
 * rejects exactly `c->bad[k]` rows of file k.  In each file the bad rows are
 * floor or ceil of rows × bad_per_mille / 1000, spread evenly.
 *
 * Memory: fixed apart from a set of the ID numbers used (8–32 bytes each).
 * Returns AL_OK and fills `c`; AL_EINVAL naming the option in `e` (elders,
 * bad_per_mille, today, out_dir); or AL_EINTERNAL with the Chinese reason in
 * `e` when a file cannot be written or the region data is missing (files may
 * then be partly written).
 */
struct al_errinfo;
int gen_write(const struct gen_options *o, struct gen_counts *c, struct al_errinfo *e);

struct al_db;

/*
 * Demo county (gen_demo.c): `elders` older residents of 凤冈县 written as the
 * five department files (seed 2026, no bad rows, relative to `today`),
 * imported through import_run() (committed, as "seed") and removed; then each
 * one's position near their township, living arrangement, left-behind flag
 * and phone, deterministic from the record id (only where not yet set).
 * AL_OK, or the failure (import's code, AL_EDB, AL_EINTERNAL) with a Chinese
 * message in `e`.
 */
int gen_seed_demo(struct al_db *db, int64_t elders, const char *today, struct al_errinfo *e);

#endif
