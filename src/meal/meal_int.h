/* Private to the meal module (issue 17, 老年助餐). */
#ifndef MEAL_INT_H
#define MEAL_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "elder/elder.h"

/* ---- rules (meal_logic.c): pure ---- */

enum meal_kind { MEAL_BREAKFAST = 0, MEAL_LUNCH, MEAL_DINNER, MEAL_KINDS };

extern const char *const meal_names[];     /* "breakfast", "lunch", "dinner", NULL */
extern const char *const meal_labels[];    /* 早餐, 午餐, 晚餐 */
extern const char *const meal_tag_values[]; /* what a rule may require, NULL-terminated */

/* The index of meal `s` ("lunch" → MEAL_LUNCH), or -1. */
int meal_kind_of(const char *s);
/* The Chinese name of a tag (高龄, 低保 …), or the tag itself when unknown. */
const char *meal_tag_label(const char *tag);
/* RULE-MEAL-072: a rule may require an item of the basic service list (src/entitle): the tag
 * MEAL_ITEM_TAG followed by the item's key (a–z, 0–9, _; 1..40). */
#define MEAL_ITEM_TAG "item:"
/* Is `tag` one of meal_tag_values or an item tag of that form? */
bool meal_tag_valid(const char *tag);

/* ---- family delivery orders (RULE-MEAL-060..064) ---- */

/* RULE-MEAL-062: orders close this many minutes before the meal's window opens. */
#define MEAL_ORDER_CUTOFF_MIN 120
/* 00:00 China time of "YYYY-MM-DD" as unix seconds; -1 when it is not a date. */
int64_t meal_day_start(const char *date);
/* RULE-MEAL-062: when ordering and cancelling close for a meal of `date` whose window opens
 * `window_from_min` minutes after midnight; -1 for a bad date. */
int64_t meal_order_cutoff(const char *date, int window_from_min);

struct meal_order {
    int64_t id, version, elder_id, canteen_id, menu_id, price_fen, subsidy_fen, cutoff_at;
    int64_t ordered_by;
    const char *region_code, *served_date, *meal, *address, *note, *status;
};
/* Open canteens with coordinates and a delivery radius: id, name, address, lat, lng,
 * delivery_radius_m, windows (JSON text), licence_expiry.  AL_OK or AL_EDB. */
int meal_store_delivery_canteens(struct al_db *db, struct al_arena *a, json_t *items);
/* A new order: *id.  AL_ECONFLICT when the elder has one for that meal already (RULE-MEAL-063). */
int meal_store_order_add(struct al_db *db, const struct meal_order *o, int64_t now, int64_t *id);
/* Order `id` into *out.  AL_OK, AL_ENOTFOUND or AL_EDB. */
int meal_store_order(struct al_db *db, struct al_arena *a, int64_t id, struct meal_order *out);
/* Cancel at `version`: AL_ECONFLICT when stale or not ordered. */
int meal_store_order_cancel(struct al_db *db, int64_t id, int64_t version, int64_t by,
    int64_t now);
/* The elder's orders from `from` on (newest day last), with canteen and menu names. */
int meal_store_orders_of(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *from,
    json_t *items);
/* RULE-MEAL-064: a canteen's deliveries of `date` (ordered), by meal, with whom and where. */
int meal_store_deliveries(struct al_db *db, struct al_arena *a, int64_t canteen_id,
    const char *date, json_t *items);

/*
 * RULE-MEAL-060: the open canteens whose delivery radius reaches the home `h` of elder
 * `elder_id`, each with its distance, its windows and the menus of `date` with the price, the
 * subsidy the elder would get, what the family pays, the cut-off (`cutoff` in unix seconds and
 * `cutoff_at`) and whether ordering is still `open` at `now`, appended to `out`.
 */
int meal_order_options(struct al_db *db, struct al_arena *a, int64_t now, int64_t elder_id,
    const struct elder_home *h, const char *date, json_t *out);
/*
 * RULE-MEAL-061, RULE-MEAL-062: the order of menu `menu_id` of canteen `canteen_id` for elder
 * `elder_id` living at `h`, as quoted among the options of the menu's day at `now`: into `o`
 * (the caller sets ordered_by and note).  AL_OK; AL_EINVAL when the menu is not that
 * canteen's; AL_EUNPROC when the canteen does not reach the home; AL_ECONFLICT after the
 * cut-off; or a database error.  The one path of the family's order and the demo's.
 */
int meal_order_quote(struct al_db *db, struct al_arena *a, int64_t now, int64_t elder_id,
    const struct elder_home *h, int64_t canteen_id, int64_t menu_id, struct meal_order *o);

struct al_req;
/* The body's required canteen_id (助餐点) and menu_id (套餐): AL_OK or 400 naming the field. */
int meal_body_menu(struct al_req *r, const json_t *body, int64_t *canteen_id, int64_t *menu_id);
int meal_my_options(struct al_req *r);
int meal_my_orders(struct al_req *r);
int meal_my_order_create(struct al_req *r);
int meal_my_order_cancel(struct al_req *r);
int meal_deliveries(struct al_req *r);

/* A meal window of a canteen: minutes after midnight (China Standard Time), [from, to). */
struct meal_window {
    int meal; /* enum meal_kind */
    int from_min, to_min;
};

/*
 * RULE-MEAL-002: read a canteen's windows, a JSON array of {meal, from: "HH:MM", to: "HH:MM"}
 * (at most one per meal, from before to, windows not overlapping) into `w` (MEAL_KINDS
 * entries), count in *n.  AL_OK, or AL_EINVAL with the problem in `e` (field "windows").
 */
int meal_windows_read(const json_t *arr, struct meal_window w[MEAL_KINDS], int *n,
    struct al_errinfo *e);
/* The meal whose window holds minute `min` of the day, or -1. */
int meal_window_at(const struct meal_window *w, int n, int min);

/*
 * RULE-MEAL-003: the licence's state on `date`: "expired" when its expiry is before the
 * date, "expiring" within 30 days from it, else "valid".
 */
const char *meal_licence_state(const char *expiry, const char *date);

/* A subsidy rule as the decision sees it. */
struct meal_rule {
    int64_t id;
    int depth;           /* length of its region code: the deeper region's rules win */
    const char *tags;    /* sorted, comma-separated; "" = any registered elder */
    int meal;
    int64_t amount_fen;
    int pct[4];          /* national, province, city, county: sum 100 */
};

/*
 * RULE-MEAL-011: does the diner holding `tags` (comma-separated, any order) hold every tag of
 * the rule's `need`?  An empty `need` is met by everyone.
 */
bool meal_tags_meet(const char *need, const char *tags);

/*
 * RULE-MEAL-010, RULE-MEAL-011: the rule that subsidises `meal` for a diner with `tags`:
 * among the rules of the deepest region level that has any rule for that meal, the highest
 * amount among those the diner meets (ties: the lowest id).  Index into `rules`, or -1.
 */
int meal_rule_pick(const struct meal_rule *rules, int n, int meal, const char *tags);

/*
 * RULE-MEAL-014: split `subsidy_fen` by the percentages (national, province, city, county)
 * into out[4] so that they add up to it exactly: each part rounded down, the fen left over
 * given to the largest remainders (ties: the higher level first).
 */
void meal_fund_split(int64_t subsidy_fen, const int pct[4], int64_t out[4]);

/* What decides the price of one meal. */
struct meal_decide_in {
    int64_t price_fen;
    bool licence_ok;       /* RULE-MEAL-003 */
    bool status_stopped;   /* RULE-MEAL-040: dead or moved out on or before the day */
    bool window_taken;     /* RULE-MEAL-022: a subsidised meal in this window already */
    int64_t subsidised_today; /* the diner's subsidised meals of the day so far */
    int64_t daily_cap;     /* RULE-MEAL-012 */
    const struct meal_rule *rule; /* NULL: no rule applies */
};

struct meal_decision {
    int64_t subsidy_fen, diner_fen;
    int64_t fund_fen[4];
    const char *flag; /* "" or: after_status, licence_expired, duplicate_window, daily_cap, no_rule */
};

/*
 * RULE-MEAL-013: the subsidy of one meal: the rule's amount (at most the price) unless
 * something stops it, which `flag` names (checked in that order: after_status,
 * licence_expired, duplicate_window, daily_cap, no_rule).  The diner pays the rest.
 */
void meal_decide(const struct meal_decide_in *in, struct meal_decision *out);

/* The Chinese explanation of a flag ("" → NULL). */
const char *meal_flag_label(const char *flag);

/*
 * RULE-MEAL-050: is the 12-digit region `code` named `name` urban (a residents' committee:
 * 社区, 居委会, 居民委员会) or rural (a village committee: 村)?  The name decides when it says;
 * else the village segment (001–199 urban, 200 and above rural).  1 urban, 0 rural.
 */
int meal_area_urban(const char *code, const char *name);

/* The date `days` after the valid "YYYY-MM-DD" `date`, into `out`. */
void meal_date_add(const char *date, int days, char out[11]);

/* "YYYY-MM" that is a real month.  */
bool meal_month_valid(const char *s);

/* ---- store (meal_store.c) ---- */

struct meal_canteen {
    int64_t id, version, capacity;
    const char *region_code, *name, *kind, *licence_expiry, *status, *windows;
};

/* Canteen `id` into `out` (strings in `a`): AL_OK, AL_ENOTFOUND or a database error. */
int meal_store_canteen(struct al_db *db, struct al_arena *a, int64_t id, struct meal_canteen *out);

/* The canteen as JSON with its areas (names) and licence state on `today`. */
int meal_store_canteen_json(struct al_db *db, struct al_arena *a, int64_t id, const char *today,
    json_t **out);

struct meal_canteen_filter {
    const char *lo, *hi;  /* scope bounds */
    const char *q;        /* name or operator contains */
    const char *licence;  /* "expired", "expiring" or NULL */
    const char *today;
    int64_t limit, offset;
};
int meal_store_canteens(struct al_db *db, struct al_arena *a, const struct meal_canteen_filter *f,
    json_t *items, int64_t *total);

/* A canteen as written (every field; `areas` an array of 12-digit codes, `windows` JSON text). */
struct meal_canteen_in {
    const char *region_code, *kind, *name, *operator_name, *address, *hours, *windows;
    const char *licence_no, *licence_expiry, *status;
    bool has_coords;
    double lat, lng;
    int64_t capacity, delivery_radius_m;
    const json_t *areas;
};
/*
 * Write a canteen (id 0: create, its id into *out_id; else replace canteen `id` when its
 * version is `version`: AL_ECONFLICT when stale).  Inside the caller's transaction.
 */
int meal_store_canteen_put(struct al_db *db, int64_t id, int64_t version,
    const struct meal_canteen_in *in, const char *actor, int64_t now, int64_t *out_id);

int meal_store_menu_add(struct al_db *db, int64_t canteen_id, const char *date, const char *meal,
    const char *name, const char *dishes, int64_t price_fen, const char *actor, int64_t now,
    int64_t *id);
int meal_store_menus(struct al_db *db, struct al_arena *a, int64_t canteen_id, const char *from,
    const char *to, json_t *items);
/* Menu `id` of canteen `canteen_id`: its date, meal, name and price.  AL_ENOTFOUND. */
int meal_store_menu(struct al_db *db, struct al_arena *a, int64_t canteen_id, int64_t id,
    const char **date, const char **meal, const char **name, int64_t *price_fen);

/*
 * The subsidy rules along the chain of `region` (its prefixes of 0, 2, 4, 6 and 9 digits,
 * and itself) valid on `date`, for `meal`, into `rules` (in `a`); count in *n.
 */
int meal_store_rules_for(struct al_db *db, struct al_arena *a, const char *region,
    const char *date, int meal, struct meal_rule **rules, int *n);
/* The daily cap of the deepest level of `region`'s chain that sets one (default 1). */
int meal_store_cap_for(struct al_db *db, const char *region, int64_t *cap);
int meal_store_rule_add(struct al_db *db, const char *region, const char *tags, const char *meal,
    int64_t amount_fen, const int pct[4], const char *from, const char *until, const char *actor,
    int64_t now, int64_t *id);
int meal_store_rules(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    const char *region, json_t *items);
int meal_store_cap_set(struct al_db *db, const char *region, int64_t cap, const char *actor,
    int64_t now);

/* A diner as the counter sees them: the registry's brief (elder.h) and the meal card. */
struct meal_diner {
    struct elder_brief e;
    const char *tags; /* economic status (unless general) and categories, comma-separated */
    const char *card_no;
};
/* Diner by elder id (AL_ENOTFOUND), by card number, or by QR token. */
int meal_store_diner(struct al_db *db, struct al_arena *a, int64_t elder_id, struct meal_diner *d);
int meal_store_diner_by_card(struct al_db *db, struct al_arena *a, const char *card_no,
    struct meal_diner *d);
int meal_store_diner_by_qr(struct al_db *db, struct al_arena *a, const char *token,
    struct meal_diner *d);
/* Active elders of the scope whose name contains `q` (at most 20). */
int meal_store_diner_search(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    const char *q, json_t *items);
/* Issue (or reissue) the card of elder `elder_id`: card number and a new QR token. */
int meal_store_card_put(struct al_db *db, int64_t elder_id, const char *region,
    const char *card_no, const char *token, const char *actor, int64_t now);
int meal_store_card_token(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const char **card_no, const char **token);

/* The meal to record. */
struct meal_record {
    int64_t canteen_id, elder_id, menu_id, served_at, rule_id;
    const char *canteen_region, *elder_region, *served_date, *month, *meal, *kind, *menu_name;
    const char *tags, *idem_key, *counter, *actor;
    int64_t now;
    struct meal_decision d;
    int64_t price_fen;
};
/* The diner's subsidised meals on `date` and whether `meal` is among them. */
int meal_store_day(struct al_db *db, int64_t elder_id, const char *date, const char *meal,
    int64_t *subsidised, bool *window_taken);
/*
 * RULE-MEAL-013: the decision for one meal of `price_fen` of diner `d` at canteen `c` on
 * `date` (the facts read here, the rule applied by meal_decide): into `out`, the rule's id
 * and tags (0 and "" without subsidy).  The one path of the counter and the demo.
 */
int meal_store_decide(struct al_db *db, struct al_arena *a, const struct meal_canteen *c,
    const struct meal_diner *d, const char *date, int meal, int64_t price_fen,
    struct meal_decision *out, int64_t *rule_id, const char **rule_tags);
/* Insert; AL_ECONFLICT when the key or the one-subsidy index is taken. */
int meal_store_record_add(struct al_db *db, const struct meal_record *m, int64_t *id);
/* The record whose key is `key` as JSON (AL_ENOTFOUND). */
int meal_store_record_by_key(struct al_db *db, struct al_arena *a, const char *key, json_t **out);
int meal_store_record_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out);

struct meal_record_filter {
    const char *lo, *hi;
    int64_t canteen_id;
    const char *month, *date, *flag;
    int64_t limit, offset;
};
int meal_store_records(struct al_db *db, struct al_arena *a, const struct meal_record_filter *f,
    json_t *items, int64_t *total);

/* Is month `month` of canteen `canteen_id` approved?  (*approved) */
/*
 * RULE-MEAL-065: inside a transaction, hold canteen `canteen_id` shared (a meal being recorded)
 * or exclusively (an approval).  AL_OK, AL_ENOTFOUND or an error.
 */
int meal_store_canteen_lock(struct al_db *db, int64_t canteen_id, bool exclusive);
int meal_store_month_locked(struct al_db *db, int64_t canteen_id, const char *month,
    bool *approved);
/*
 * RULE-MEAL-030: the statement of a canteen's month computed from its records (lines by
 * meal, price and rule tags; the meals excluded by RULE-MEAL-040 apart), as JSON.
 */
int meal_store_statement_live(struct al_db *db, struct al_arena *a, int64_t canteen_id,
    const char *month, json_t **out);
/* The approved statement (AL_ENOTFOUND when the month is open). */
int meal_store_statement_approved(struct al_db *db, struct al_arena *a, int64_t canteen_id,
    const char *month, json_t **out);
int meal_store_statement_approve(struct al_db *db, int64_t canteen_id, const char *region,
    const char *month, const char *body, const char *actor, int64_t now);

/* RULE-MEAL-050..052: coverage and monthly figures of the scope `scope`. */
int meal_store_coverage(struct al_db *db, struct al_arena *a, const char *scope, json_t **out);
int meal_store_monthly(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    json_t *items);
int meal_store_diners_per_canteen(struct al_db *db, struct al_arena *a, const char *lo,
    const char *hi, const char *month, json_t *items);

/* RULE-MEAL-053: {canteens: [...], areas: [{canteen_id, code, name, lat, lng, elders}]}. */
int meal_store_map(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    json_t **out);

#endif
