/* Private to the bed module: its pure rules and its SQL. */
#ifndef BED_INT_H
#define BED_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

/* ---- bed_logic.c: pure ------------------------------------------------------ */

/* RULE-BED-001: the states, in lifecycle order. */
enum bed_state {
    BED_APPLICATION = 1, BED_ELIGIBILITY, BED_HOME_CHECK, BED_CARE_PLAN, BED_AGREEMENT,
    BED_INSTALLATION, BED_IN_SERVICE, BED_REVIEW, BED_CLOSED,
};
int bed_state_parse(const char *s); /* 0 when unknown */
const char *bed_state_id(int state);
const char *bed_state_name(int state); /* Chinese, "" when unknown */

/* RULE-BED-002: the moves. */
enum bed_move {
    BED_MOVE_ELIGIBILITY = 1, BED_MOVE_HOME_CHECK, BED_MOVE_CARE_PLAN, BED_MOVE_AGREEMENT,
    BED_MOVE_INSTALL, BED_MOVE_START, BED_MOVE_REVIEW, BED_MOVE_RESUME, BED_MOVE_CLOSE,
    BED_MOVE_DEVICE, /* link a device: allowed without a change of state */
    BED_NMOVES,
};
const char *bed_move_id(int move);
/*
 * RULE-BED-002: the state `move` leads to from `state`, or 0 when the table does not allow it.
 * BED_MOVE_DEVICE answers the same state when allowed.
 */
int bed_next(int state, int move);

/* RULE-BED-010: the five rooms of the home check. */
#define BED_NROOMS 5
extern const char *const bed_rooms[BED_NROOMS];
extern const char *const bed_room_names[BED_NROOMS];

/* RULE-BED-020: required device items. */
enum bed_need { BED_NEED_NETWORK = 1, BED_NEED_SOS = 2, BED_NEED_ACTIVITY = 4 };
/*
 * Parse a comma list ("network,sos,activity") into a mask of enum bed_need.
 * False on an unknown item or an empty list.
 */
bool bed_needs_parse(const char *s, unsigned *mask);
/* What `need` misses given `have` (same bits). */
unsigned bed_needs_missing(unsigned need, unsigned have);
/* The comma list of a mask into buf (ids), and a Chinese list (、) into zh. */
void bed_needs_format(unsigned mask, char *buf, size_t size, char *zh, size_t zh_size);
/* The need a device type covers (sos → SOS, motion/door → activity), 0 for none. */
unsigned bed_device_covers(const char *device_type);

/* RULE-BED-022: `date` + `days` into out ("YYYY-MM-DD"); false on a bad date. */
bool bed_date_add(const char *date, long days, char out[11]);

/* RULE-BED-040: the item of the basic service list a family care bed is. */
#define BED_ENTITLE_ITEM "jiating_chuangwei"

/* RULE-BED-031: close reasons. */
bool bed_close_reason_ok(const char *s);

/* RULE-BED-060: a calendar month: its first and last day and its bounds in unix seconds (CST). */
struct bed_month {
    char first[11], last[11];
    int64_t start_ts, end_ts; /* inclusive */
};
/* "YYYY-MM" into `m`; false when it is not one. */
bool bed_month_parse(const char *month, struct bed_month *m);

/* RULE-BED-061: one bed in service during the month, as the compliance report counts it. */
struct bed_month_row {
    const char *region_code;
    unsigned have;         /* enum bed_need bits covered now (active devices, network) */
    bool rectifying;       /* a rectification task open at some time in the month */
    bool overdue;          /* a task past its deadline within the month, unresolved then */
    bool to_home_services; /* closed to ordinary home services in the month */
    int64_t elder_id;
    const char *care_plan; /* the stored plan (JSON text), NULL when none; valid in the call */
};
struct bed_tally {
    int64_t in_service, complete, rectifying, overdue, to_home_services;
    /* RULE-BED-082: the plan's home services in the month: visits planned, delivered (at most
     * the planned of each service), and beds whose every planned service was delivered. */
    int64_t planned, delivered, services_met;
};

/*
 * RULE-BED-082: the visits a care plan's frequency asks for in a month of `days` days: 每天/每日
 * [N 次] → N a day, 每周 N 次 → N a week (whole weeks of the month, rounded down, at least N),
 * 每月 N 次 → N; -1 when the text says none of these (not counted).
 */
int bed_plan_per_month(const char *frequency, int days);
/* RULE-BED-082: does the plan's service `plan_name` (上门助浴 …) name the home service item
 * `item_name` (助浴)? (As bed_covers_service reads it.) */
bool bed_plan_names(const char *plan_name, const char *item_name);
/* Count `row` into `t` given the required devices. */
void bed_tally_add(struct bed_tally *t, unsigned required, const struct bed_month_row *row);

/* ---- bed_store.c ------------------------------------------------------------- */

struct bed_settings {
    unsigned required; /* enum bed_need mask */
    int64_t rectify_days;
};
int bed_store_settings(struct al_db *db, struct bed_settings *s);
int bed_store_settings_put(struct al_db *db, const char *required, int64_t days);

/* RULE-BED-083: the home check's assessment (or the request it opened; 0 for none). */
int bed_store_home_assessment(struct al_db *db, int64_t id, int64_t assessment_id,
    int64_t request_id);
int bed_store_create(struct al_db *db, const char *region, int64_t elder_id, const char *applicant,
    const char *applicant_name, const char *today, int64_t now, int64_t *id);

struct bed_filter {
    const char *scope, *status;
    int64_t elder_id;
    bool overdue; /* RULE-BED-023: open rectification due on or before `today` */
    const char *today;
    int64_t limit, offset;
};
int bed_store_list(struct al_db *db, struct al_arena *a, const struct bed_filter *f,
    json_t *items, int64_t *total);
/* One bed as JSON with its region and state (in `a`).  AL_ENOTFOUND. */
int bed_store_get(struct al_db *db, struct al_arena *a, int64_t id, json_t **out,
    const char **region, int *state, int64_t *elder_id);

/* The columns a move may set; NULL (or -1) leaves a column as it is. */
struct bed_update {
    int eligible, network; /* 1, 0, or -1 */
    const char *eligibility_note, *home_check, *care_plan, *provider, *agreement_start,
        *agreement_end, *installed_on, *install_note, *started_on, *reviewed_on, *review_note,
        *close_reason, *close_note, *closed_on;
    const char *eligibility_rule;     /* RULE-BED-040: the entitlement rules' answer, JSON */
    const char *eligibility_override; /* RULE-BED-042: the officer's reason */
};
/* Move bed `id` from `from` to `to` with `u`, version + 1.  AL_ECONFLICT when the state moved. */
int bed_store_move(struct al_db *db, int64_t id, int from, int to, const struct bed_update *u,
    int64_t now);

/* The need bits covered by active devices linked to bed `id`, plus network from the bed. */
int bed_store_have(struct al_db *db, int64_t id, unsigned *have);
/* Link device `device_id` (same elder, active) to the bed.  AL_ENOTFOUND otherwise. */
int bed_store_link_device(struct al_db *db, int64_t bed_id, int64_t elder_id, int64_t device_id,
    int64_t now);
int bed_store_devices(struct al_db *db, struct al_arena *a, int64_t bed_id, json_t *items);

/* RULE-BED-022: open a rectification task (at most one open).  *id 0 when one was open. */
int bed_store_rect_open(struct al_db *db, int64_t bed_id, const char *region, const char *missing,
    const char *due_on, int64_t now, int64_t *id);
/* The open task of a bed: AL_OK with *id, *due_on (11 bytes), or AL_ENOTFOUND. */
int bed_store_rect_get_open(struct al_db *db, int64_t bed_id, int64_t *id, char due_on[11]);
int bed_store_rect_resolve(struct al_db *db, int64_t rect_id, const char *status, const char *who,
    const char *note, int64_t now);
/*
 * RULE-BED-061: the beds of `scope` in service at some time in month `m` (started on or before
 * its last day, not closed before its first), `cut` the last day that counts as past a deadline
 * (the month's last day, or today for the current month).  One callback per bed; AL_OK or
 * AL_EDB.
 */
int bed_store_month(struct al_db *db, struct al_arena *a, const char *scope,
    const struct bed_month *m, const char *cut,
    void (*each)(void *ctx, const struct bed_month_row *row), void *ctx);

int bed_store_rects(struct al_db *db, struct al_arena *a, int64_t bed_id, json_t *items);

#endif
