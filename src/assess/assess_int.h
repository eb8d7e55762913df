/* Private to the assess module. */
#ifndef ASSESS_INT_H
#define ASSESS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

#define ASSESS_ITEMS 26
#define ASSESS_DOMAINS 4
#define ASSESS_RISKS 5

struct assess_item {
    const char *code; /* "B.2.4" */
    const char *name; /* "上下楼梯" */
    int max;
    int domain;       /* 0..3 */
};

extern const struct assess_item assess_items[ASSESS_ITEMS];
extern const char *const assess_domain_names[ASSESS_DOMAINS];
extern const char *const assess_risk_keys[ASSESS_RISKS]; /* fall, choking, self_harm, wandering, other */
extern const char *const assess_level_names[5];

struct assess_settings {
    int coma_level;      /* RULE-ASSESS-003, default 4 */
    bool adjust_stack;   /* RULE-ASSESS-006: may the two +1 rules add up?  default false */
};

struct assess_input {
    int items[ASSESS_ITEMS];
    bool coma;
    bool dementia;        /* a diagnosis in F00–F03 */
    bool mental_disorder; /* a diagnosis in F04–F99 */
    int risk_events[ASSESS_RISKS];
};

struct assess_result {
    int domain[ASSESS_DOMAINS];
    int total;
    int preliminary;
    int final;
    const char *rules[6]; /* ids of the rules that set or changed the level */
    int nrules;
};

/* Level from the total alone (RULE-ASSESS-002). */
int assess_level_of_total(int total);

/* Compute domains, total and levels.  Items must already be in range. */
void assess_compute(const struct assess_input *in, const struct assess_settings *s,
    struct assess_result *out);

/*
 * Classify one ICD-10 code or range ("F03", "F03.9", "F00-F03").  Returns 0
 * and sets the flags, or -1 when it is not a code.
 */
int assess_icd10(const char *code, bool *dementia, bool *mental);

/* ---- storage ---- */
int assess_settings_load(struct al_db *db, struct assess_settings *s);
int assess_store_insert(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *reason, json_t *items, bool coma, json_t *diagnoses, json_t *risks,
    const struct assess_result *r, int64_t user_id, int64_t now, int64_t *id);
int assess_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *out);

#endif
