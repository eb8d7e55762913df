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
    int64_t elders;        /* N: rows of hukou.csv (good and bad) */
    const char *out_dir;
    uint64_t seed;         /* same seed, same files */
    int bad_per_mille;     /* share of deliberately bad rows, per file (default 20 = 2 %) */
    const char *today;     /* YYYY-MM-DD: ages and dates are relative to it */
};

enum { GEN_HUKOU, GEN_ROLL, GEN_DISABILITY, GEN_DEATH, GEN_PENSION, GEN_FILES };

struct gen_counts {
    int64_t rows[GEN_FILES]; /* data rows written, header excluded */
    int64_t bad[GEN_FILES];  /* rows an import must reject */
};

extern const char *const gen_file_kinds[GEN_FILES]; /* "hukou", "roll", ... */

/*
 * Write <out_dir>/<kind>.csv for the five kinds (UTF-8 with BOM, CRLF).
 * Returns 0, or -1 with a Chinese reason in `err`.
 */
int gen_write(const struct gen_options *o, struct gen_counts *c, char *err, size_t err_size);

#endif
