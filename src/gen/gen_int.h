/* Private to the generator: the pure part (PRNG, dates, people, numbers, defects). */
#ifndef GEN_INT_H
#define GEN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "gen/gen.h"

/* ---- random numbers: splitmix64, never rand() ---- */

struct gen_rng {
    uint64_t s;
};

uint64_t gen_next(struct gen_rng *r);
uint32_t gen_below(struct gen_rng *r, uint32_t n);    /* uniform in [0, n), n ≥ 1 */
bool gen_chance(struct gen_rng *r, int per_mille);    /* true with probability per_mille/1000 */

/*
 * An exact share: gen_quota_next() is true for floor or ceil of calls ×
 * per_mille / 1000 of the calls, spread evenly from a random start.
 */
struct gen_quota {
    int per_mille, acc;
};
void gen_quota_init(struct gen_quota *q, struct gen_rng *r, int per_mille);
bool gen_quota_next(struct gen_quota *q);

/* ---- dates as days since 1970-01-01 ---- */

/* Day number of y-m-d; a day past the month's end is taken as its last day. */
int64_t gen_days(int y, int m, int d);
void gen_civil(int64_t days, int *y, int *m, int *d);
/* "YYYY-MM-DD" (a real date) → day number; false when it is not one. */
bool gen_parse_date(const char *s, int64_t *days);
/* "YYYY-MM-DD" into out (11 bytes). */
void gen_format_date(int64_t days, char out[11]);

/* ---- people ---- */

/* An age in years: 55 % 60–69, 30 % 70–79, 13 % 80–89, 2 % 90–105 (fewer at the top). */
int gen_age(struct gen_rng *r);

/* A birth date (day number) that gives exactly `age` on `today` (by al_age_on). */
int64_t gen_birth_for_age(struct gen_rng *r, int64_t today, int age);

/* A Chinese name: a surname weighted by frequency and one or two given characters. */
#define GEN_NAME_MAX 16
void gen_name(struct gen_rng *r, bool male, char out[GEN_NAME_MAX]);

/* A household's elders: 1 or 2 (a couple, one man and one woman); sexes into male[0..n). */
int gen_household(struct gen_rng *r, bool male[2]);

/* The 18-character ID number for an area code, birth day and sequence 0–999. */
void gen_id_number(const char area6[6], int64_t birth, int seq, char out[19]);

/* A sequence number 0–999 whose last digit is odd for a man, even for a woman. */
int gen_id_seq(struct gen_rng *r, bool male);

/* Exact 64-bit key of the first 17 characters (never 0 for a real number). */
uint64_t gen_id_key(const char id[19]);

/* Facts about an elder beyond the household row, with their demo shares. */
enum { GEN_ROLL_NONE = -1, GEN_ROLL_TEKUN, GEN_ROLL_DIBAO, GEN_ROLL_EDGE, GEN_ROLL_LOW };
enum { GEN_PENSION_NONE = -1, GEN_PENSION_RURAL, GEN_PENSION_URBAN };

struct gen_facts {
    int roll;                  /* GEN_ROLL_*: 8 % (1 % 特困, 5 % 低保, 1 % 边缘, 1 % 低收入) */
    int64_t roll_start;        /* day number */
    int64_t roll_end;          /* day number before today for ~10 %, else 0 (open) */
    int dis_type;              /* index into gen_dis_types, -1 none (~6 %, more when older) */
    int dis_grade;             /* 1–4 */
    bool dis_grade_digit;      /* written "2" rather than "二级" */
    int64_t death;             /* day number within the last two years, 0 alive (~1.5 %) */
    int pension;               /* GEN_PENSION_*: ~90 % receive one */
    int64_t pension_fen;       /* monthly amount */
};

/* Facts of someone aged `age` (60+) on `today`; every date lies after the birth date. */
void gen_facts_draw(struct gen_rng *r, int age, int64_t today, struct gen_facts *f);

extern const char *const gen_roll_names[4];    /* 特困, 低保, 低保边缘, 低收入 */
extern const char *const gen_dis_types[7];     /* 视力 … 多重 */
extern const char *const gen_dis_grades[4];    /* 一级 … 四级 */
extern const char *const gen_pension_names[2]; /* 城乡居民养老保险, 城镇职工养老保险 */

/* ---- deliberate defects ---- */

/* A defect suitable for file `file`; GEN_BAD_DUP only when `can_dup`. */
enum gen_defect gen_defect_pick(struct gen_rng *r, int file, bool can_dup);

/* Replace the check character by a wrong one. */
void gen_break_check(struct gen_rng *r, char id[19]);

/* Replace the birth date by one that does not exist, with the check character recomputed. */
void gen_break_birth(struct gen_rng *r, char id[19]);

/* A 12-digit village code of 凤冈县 that does not exist (township segment 399). */
void gen_bad_region(struct gen_rng *r, char out[13]);

/* Values the import profiles refuse. */
const char *gen_bad_category(struct gen_rng *r);
const char *gen_bad_grade(struct gen_rng *r);
const char *gen_bad_amount(struct gen_rng *r);
/* A date that does not exist, in the given style (0 "YYYY-MM-DD", 1 "YYYY年M月D日"). */
void gen_bad_date(struct gen_rng *r, int year, int style, char out[32]);

#endif
