/* Private to the identify module. */
#ifndef IDENTIFY_INT_H
#define IDENTIFY_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

/* ---- rules (identify_logic.c) ---- */

/* Index of a list id, or -1. */
int identify_list_index(const char *id);
const char *identify_list_name(int index);
/* The special-difficulty setting "a,b,c" as a JSON array text in `a`. */
const char *identify_special_json(struct al_arena *a, const char *csv);

/* ---- storage (identify_store.c) ---- */

int identify_store_begin_run(struct al_db *db, int64_t user_id, const char *username,
    int64_t *run_id, int *baseline);
int identify_store_lists(struct al_db *db, int64_t run_id, bool baseline,
    const char *special_json, int64_t counts[5]);
int identify_store_finish(struct al_db *db, int64_t run_id, int64_t scanned, int64_t recomputed,
    int64_t duration_ms, const char *counts_json);
int identify_store_runs(struct al_db *db, struct al_arena *a, json_t *items);
/* Items of one list within a scope; with limit < 0 all of them (export). */
int identify_store_items(struct al_db *db, struct al_arena *a, int64_t run_id, const char *list,
    const char *scope, int64_t limit, int64_t offset, json_t *items, int64_t *total);

#endif
