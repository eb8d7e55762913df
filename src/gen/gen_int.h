/* Private to the generator: the pure part (PRNG, people, numbers). */
#ifndef GEN_INT_H
#define GEN_INT_H

#include <stdbool.h>
#include <stdint.h>

struct gen_rng {
    uint64_t s;
};

uint64_t gen_next(struct gen_rng *r);                 /* splitmix64 */
uint32_t gen_below(struct gen_rng *r, uint32_t n);    /* uniform in [0, n) */
bool gen_chance(struct gen_rng *r, int per_mille);

/* An age in years with the demo distribution (55 % 60–69, 30 % 70–79, 13 % 80–89, 2 % 90–105). */
int gen_age(struct gen_rng *r);

/* A Chinese name (weighted common surname + one or two given characters) into `out` (≥ 16). */
void gen_name(struct gen_rng *r, char *out);

/* An 18-character ID number for area, birth date (YYYYMMDD) and sequence 0–999. */
void gen_id_number(const char *area6, const char *birth8, int seq, char out[19]);

#endif
