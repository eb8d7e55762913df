/*
 * The packed table of elder facts the rules run over: one array per fact
 * (struct of arrays), one row per elder, rows in ascending elder id.  About
 * 40 bytes per elder plus 8 per 64 items: 1,000,000 elders take ~50 MB.
 *
 * Filled by facts_load (facts_store.c, from the elders tables on either
 * engine) or row by row with facts_add (tests, benchmarks).
 */
#ifndef ENTITLE_FACTS_H
#define ENTITLE_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/vec.h"

struct al_db;

/* Codes of the enumerated facts (the elders table's values in this order). */
enum facts_economic { FACTS_TEKUN, FACTS_DIBAO, FACTS_DIBAO_EDGE, FACTS_LOW_INCOME,
    FACTS_GENERAL };
enum facts_living { FACTS_ALONE, FACTS_SPOUSE_ONLY, FACTS_WITH_CHILDREN, FACTS_WITH_OTHERS,
    FACTS_INSTITUTION };
enum facts_sex { FACTS_MALE, FACTS_FEMALE };
#define FACTS_UNKNOWN (-1) /* ability not assessed, living arrangement not recorded */

/* The stored values of the enumerated columns, NULL-terminated, in enum order. */
extern const char *const facts_economic_values[];
extern const char *const facts_living_values[];
/* elder_categories.category values, in bit order (as src/elder/elder_logic.c lists them). */
extern const char *const facts_category_ids[];

struct rule_facts {
    size_t n;            /* rows */
    int item_words;      /* 64-bit words of the receiving bitset per row */
    int64_t *id;         /* elders.id, ascending */
    int32_t *birth;      /* birth date as YYYYMMDD */
    int64_t *region;     /* residence: the 12-digit code as a number */
    int64_t *hukou;      /* household registration, 0 when not recorded */
    uint16_t *categories;/* bit i: facts_category_ids[i] */
    int8_t *ability;     /* 0–4, FACTS_UNKNOWN when not assessed */
    int8_t *economic;    /* enum facts_economic */
    int8_t *disability;  /* 1–4, 0 without a disability certificate */
    int8_t *living;      /* enum facts_living or FACTS_UNKNOWN */
    int8_t *sex;         /* enum facts_sex */
    uint64_t *receives;  /* row r's bits at receives[r * item_words] */
    struct al_vec cols[11]; /* the storage behind the pointers */
};

/* One elder's facts, for facts_add. */
struct facts_row {
    int64_t id;
    int32_t birth; /* YYYYMMDD */
    int64_t region, hukou;
    uint16_t categories;
    int8_t ability, economic, disability, living, sex;
};

/* Prepare an empty table whose rows carry `item_bits` receiving bits (rounded up to 64). */
void facts_init(struct rule_facts *f, int item_bits);
void facts_fini(struct rule_facts *f);
/* Make room for `n` rows in all (pointers may move).  AL_OK or AL_EINTERNAL (out of memory). */
int facts_reserve(struct rule_facts *f, size_t n);
/* Append a row (ids must ascend).  Returns its index, or -1 when out of memory. */
int64_t facts_add(struct rule_facts *f, const struct facts_row *row);
/* The row of elder `id` (binary search), or -1. */
int64_t facts_find(const struct rule_facts *f, int64_t id);
/* Mark row `row` as receiving item bit `bit` (ignored when out of range). */
void facts_set_receives(struct rule_facts *f, size_t row, int bit);
bool facts_receives(const struct rule_facts *f, size_t row, int bit);

/* Parsing helpers, shared with the loader: -1 (or FACTS_UNKNOWN) when not recognised. */
int32_t facts_parse_date(const char *s); /* "YYYY-MM-DD" → YYYYMMDD, 0 when malformed */
int64_t facts_parse_region(const char *s); /* 12 digits → number, 0 otherwise */
int facts_index(const char *const *values, const char *s);

/*
 * Load the active elders whose residence code starts with `region_prefix`
 * (digits, "" for all) with their categories into facts_init'ed `f`.  Then,
 * when `receiving_sql` is not NULL, run it with ?1 = `date` and ?2 =
 * region_prefix || '%' (it must use both: PostgreSQL refuses an unused
 * parameter) and set the bit of each (elder_id, bit) row it returns; the
 * catalogue passes its benefit-record query here, so this file does not know
 * that table.  Engine-neutral SQL (SQLite and PostgreSQL).  AL_OK, AL_EINVAL
 * (a prefix that is not digits, before any SQL), AL_EDB, or AL_EINTERNAL when
 * out of memory; on failure `f` holds what was read so far.
 */
int facts_load(struct al_db *db, const char *region_prefix, const char *date,
    const char *receiving_sql, struct rule_facts *f);

/*
 * Load elder `id` (any status) into an empty facts_init'ed `f`, with categories and receiving bits
 * (`receiving_sql` as above, ?2 being the elder's 12-digit village code), for
 * one elder's explanation (row 0).  AL_OK, AL_ENOTFOUND, AL_EDB or AL_EINTERNAL.
 */
int facts_load_elder(struct al_db *db, int64_t id, const char *date, const char *receiving_sql,
    struct rule_facts *f);

#endif
