/*
 * Private to src/timebank: the rules (timebank_logic.c, pure), the store (timebank_store.c,
 * its SQL only) and the ledger's one write path (timebank_ledger.c).
 */
#ifndef TIMEBANK_INT_H
#define TIMEBANK_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"

struct al_params;
struct al_req;

/* ---- the regional rules of one scheme (RULE-TB-020..027) ---- */

struct tb_rules {
    int64_t cap_min;           /* stored minutes per member; 0: no cap */
    int redeem_age;            /* RULE-TB-023 */
    int redeem_age_difficulty; /* the same for elders in special difficulty */
    int gift_min_age;          /* RULE-TB-024 */
    int key_elder_age;         /* RULE-TB-026 */
    bool group_donate_only;    /* RULE-TB-022 */
    int expiry_months;         /* 0: hours never expire (RULE-TB-027) */
};

/* The defaults of a new scheme: Nanjing's cap, Shanghai's ages, no expiry. */
extern const struct tb_rules tb_rules_default;

/* What the rules know of a member taking part in a transfer. */
struct tb_party {
    int64_t member_id;
    int64_t scheme_id;
    bool is_group;
    bool verified;   /* status verified */
    int age;         /* whole years at the request's date; -1 unknown */
    bool difficulty; /* linked to an elder in special difficulty (RULE-CAT-009) */
    bool elder;      /* linked to an elder of the registry */
    int64_t balance_min;
    const char *gone; /* RULE-TB-069: "已去世" … when the elder left the registry; else NULL */
};

enum tb_category {
    TB_SERVICE = 1, /* service hours earned: issue → volunteer */
    TB_REDEEM,      /* a member spends hours on a service: member → volunteer */
    TB_GIFT,        /* member → direct relative aged 60+ */
    TB_DONATE,      /* member → the scheme's fund or an elder in difficulty */
    TB_GRANT,       /* the fund → a key elder */
    TB_TOPUP,       /* the issue account → the fund (the public fund's allocation) */
    TB_CAP_DONATE,  /* what passes the cap, member → fund (follows another transfer) */
    TB_EXPIRE,      /* hours past the scheme's expiry, member → issue (RULE-TB-060..062) */
};

/* RULE-TB-069: "已去世", "已迁出", "已注销" for an elder status that left the registry; else NULL. */
const char *tb_gone_reason(const char *elder_status);

/*
 * RULE-TB-061: the minutes that expire now, first in first out: of `credits_before` minutes
 * deposited before the cut-off, what all `debits` (a sum of the account's debit movements,
 * either sign) have not consumed; 0 when none.
 */
int64_t tb_expiry_due(int64_t credits_before, int64_t debits);
/*
 * RULE-TB-060: the date `months` months before `date` ("YYYY-MM-DD"; the day clamped to the
 * month's last) into `out`.  False when `date` is not a date.
 */
bool tb_months_before(const char *date, int months, char out[11]);
/* 00:00 China time of "YYYY-MM-DD" as unix seconds; -1 when it is not a date. */
int64_t tb_day_start(const char *date);
/* RULE-TB-064: have `elder_volunteers` reached `target_pct` % of `elders` (never with none)? */
bool tb_target_reached(int64_t elder_volunteers, int64_t elders, int target_pct);

/* "service" … ; 0 when unknown.  The name and Chinese label of a category. */
int tb_category_parse(const char *s);
const char *tb_category_name(int c);
const char *tb_category_label(int c);

/* Direct relatives a gift may go to (RULE-TB-024): true for the allowed relation words. */
bool tb_relation_direct(const char *relation);

/*
 * RULE-TB-010..026: may this transfer of `minutes` happen?  `from` is NULL when the
 * hours leave a scheme account (service, grant, topup), `to` NULL when they land in one
 * (topup, a donation to the fund).  `fund_balance` is the fund's, for a grant.  AL_OK, or
 * AL_EINVAL / AL_EUNPROC with `e` naming the field.
 */
int tb_check_transfer(const struct tb_rules *r, int category, int64_t minutes,
    const struct tb_party *from, const struct tb_party *to, const char *relation,
    int64_t fund_balance, struct al_errinfo *e);

/*
 * RULE-TB-021: the part of a credit of `credit` minutes to a balance of `balance` that
 * passes the cap (0 when none or no cap).
 */
int64_t tb_cap_excess(const struct tb_rules *r, int64_t balance, int64_t credit);

/* RULE-TB-026: is this member a key elder (重点老人) the fund may grant hours to? */
bool tb_key_elder(const struct tb_rules *r, const struct tb_party *p);

/* RULE-TB-023: may this member spend hours on services (the redemption age)? */
bool tb_may_redeem(const struct tb_rules *r, const struct tb_party *p);

/*
 * A scheme's need categories as stored ('|'-separated) checked: 1..30 entries of 1..20
 * characters, plain, no duplicates.  AL_OK or AL_EINVAL naming `categories`.
 */
int tb_categories_check(const char *list, struct al_errinfo *e);
/* True when `cat` is one of the '|'-separated `list`. */
bool tb_categories_has(const char *list, const char *cat);

/* The string (NULL when absent or not a string) and the integer (`dflt` when absent) at `k` of
 * a body read by al_fields_read. */
const char *tb_sget(const json_t *o, const char *k);
int64_t tb_iget(const json_t *o, const char *k, int64_t dflt);
/* The list as a JSON array of texts (a new reference). */
json_t *tb_categories_json(const char *list);

/* One leg of a transfer: an account and a signed amount. */
struct tb_leg {
    int64_t account_id;
    int64_t scheme_id;
    int64_t amount_min;
};

/*
 * RULE-TB-010: do the legs sum to zero within each scheme?  True when they do; otherwise
 * false with the first scheme that does not in *bad_scheme.
 */
bool tb_legs_balanced(const struct tb_leg *legs, int n, int64_t *bad_scheme);

/* "1.5 小时" style text of minutes, in the arena. */
const char *tb_hours_text(struct al_arena *a, int64_t minutes);

/* A confirmation code of 4 digits from 2 random bytes (RULE-TB-041). */
void tb_confirm_code(const unsigned char rnd[2], char out[5]);

/* ---- needs and service (RULE-TB-040..045) ---- */

enum tb_need_action {
    TB_N_TAKE = 1, /* a volunteer takes an open need (or a helper assigns one) */
    TB_N_DONE,     /* the volunteer reports the minutes served */
    TB_N_CONFIRM,  /* the elder confirms (short code, or a helper on their behalf) */
    TB_N_DISPUTE,  /* either side disputes: the helper decides */
    TB_N_RESOLVE,  /* the helper settles a dispute (minutes) or cancels it (0) */
    TB_N_CANCEL,   /* withdrawn before both sides confirmed */
};

/*
 * RULE-TB-040: may `action` apply to a need in `status` ("open", "taken", "done", "disputed",
 * "cancelled")?  AL_OK, or AL_ECONFLICT with `e` saying why (field "status").
 */
int tb_need_allowed(const char *status, int action, struct al_errinfo *e);
/* RULE-TB-042: minutes served on one need: 1..720. */
int tb_need_minutes_check(int64_t minutes, struct al_errinfo *e);
/*
 * "YYYY-MM-DD HH:MM" (or with a T) in China time (UTC+8) as unix seconds into *out; false
 * when it is not a real date and time.
 */
bool tb_parse_local_time(const char *s, int64_t *out);
/* "待接单" … for a need status. */
const char *tb_need_status_label(const char *status);

/* ---- the store ---- */

struct tb_scheme {
    int64_t id, version;
    const char *region_code, *name, *categories;
    struct tb_rules rules;
    int64_t issue_account, fund_account;
};

/* Scheme `id` into *out (texts in `a`).  AL_OK, AL_ENOTFOUND or AL_EDB. */
int tb_store_scheme(struct al_db *db, struct al_arena *a, int64_t id, struct tb_scheme *out);
/* A new scheme and its issue and fund accounts; *id.  AL_ECONFLICT for a repeated name. */
int tb_store_scheme_create(struct al_db *db, const struct tb_scheme *s, const char *by,
    int64_t now, int64_t *id);
/* Write the rules and categories of `s` at version `s->version`: AL_ECONFLICT when stale. */
int tb_store_scheme_update(struct al_db *db, const struct tb_scheme *s);
/* Schemes in scope with their member counts, into `items`.  AL_OK or AL_EDB. */
int tb_store_schemes(struct al_db *db, struct al_arena *a, const char *scope, json_t *items);
/* The scheme as JSON (rules, categories, system account balances). */
json_t *tb_scheme_json(const struct tb_scheme *s);

struct tb_alliance {
    int64_t id, version, lo, hi, proposer;
    const char *status;
};
int tb_store_alliance(struct al_db *db, struct al_arena *a, int64_t id, struct tb_alliance *out);
/* The alliance between two schemes (either order).  AL_ENOTFOUND when none. */
int tb_store_alliance_between(struct al_db *db, struct al_arena *a, int64_t s1, int64_t s2,
    struct tb_alliance *out);
int tb_store_alliance_create(struct al_db *db, int64_t lo, int64_t hi, int64_t proposer,
    const char *note, const char *by, int64_t now, int64_t *id);
/* Set the status at version; accepted creates both clearing accounts when missing. */
int tb_store_alliance_status(struct al_db *db, const struct tb_alliance *al, const char *status,
    const char *by, int64_t now);
/* Alliances touching a scheme in scope, with both schemes' names and clearing balances. */
int tb_store_alliances(struct al_db *db, struct al_arena *a, const char *scope, json_t *items);
/* The clearing account of `scheme` in alliance `alliance`: AL_ENOTFOUND when none. */
int tb_store_clearing(struct al_db *db, int64_t scheme, int64_t alliance, int64_t *account);

struct tb_member {
    int64_t id, version, scheme_id, elder_id, user_id, account_id;
    const char *region_code, *kind, *name, *phone, *birth_date, *status, *group_type;
    double lat, lng; /* home or station (RULE-TB-066) */
    bool has_pos;
    const char *card_masked; /* RULE-TB-070; NULL when none linked */
};
int tb_store_member(struct al_db *db, struct al_arena *a, int64_t id, struct tb_member *out);
/* The member signed in as user `user_id` (their first scheme).  AL_ENOTFOUND when none. */
int tb_store_member_of_user(struct al_db *db, struct al_arena *a, int64_t user_id,
    struct tb_member *out);
/* A new member and their account: *id.  AL_ECONFLICT when the elder is a member already. */
int tb_store_member_create(struct al_db *db, const struct tb_member *m, const char *training,
    int conduct, const char *by, int64_t now, int64_t *id);
int tb_store_member_verify(struct al_db *db, int64_t id, int64_t version, const char *by,
    int64_t now);
/* One page of members of scope (and scheme when > 0, name part `q`). */
int tb_store_members(struct al_db *db, struct al_params *p, int64_t scheme, const char *q,
    int64_t limit, int64_t offset, json_t *items, int64_t *total);

/*
 * Lock the `n` (1..6) accounts (PostgreSQL: FOR UPDATE, in id order; SQLite's write transaction
 * already excludes other writers) and read their balances into `bal` (same order as
 * `ids`).  Inside a transaction.  AL_OK or an error.
 */
int tb_store_lock(struct al_db *db, const int64_t *ids, int n, int64_t *bal);
/* Write a transfer and its legs, updating the derived balances: *id.  Inside a transaction. */
int tb_store_transfer(struct al_db *db, int64_t scheme, int category, int64_t minutes,
    int64_t parent, int64_t alliance, int64_t need, const char *note, const char *relation,
    const struct tb_leg *legs, int n, const char *by, int64_t now, int64_t *id);
/* A member's movements newest first (paged) with the balance after each. */
int tb_store_statement(struct al_db *db, struct al_arena *a, int64_t account, int64_t limit,
    int64_t offset, json_t *items, int64_t *total);
/* The balance of an account. */
int tb_store_balance(struct al_db *db, int64_t account, int64_t *out);

/*
 * RULE-TB-030: every invariant of the ledger, in order; AL_OK when all hold, else
 * AL_ECONFLICT with the first break described in `msg` (Chinese).  *checked counts the
 * movements read.
 */
int tb_store_verify(struct al_db *db, int64_t *checked, char *msg, size_t size);

struct tb_need {
    double lat, lng; /* where (RULE-TB-066) */
    bool has_pos;
    int64_t id, version, scheme_id, elder_id, starts_at, duration_min, payer_id, member_id;
    int64_t served_min, code_fails, transfer_id;
    bool volunteer_ok, elder_ok;
    const char *region_code, *category, *place, *note, *pay_from, *status, *confirm_code;
    const char *dispute, *elder_name;
};
int tb_store_need(struct al_db *db, struct al_arena *a, int64_t id, struct tb_need *out);
/* RULE-TB-082: the scheme of the deepest region at or above `region` (ties: the oldest).
 * AL_OK, AL_ENOTFOUND or an error. */
int tb_store_scheme_covering(struct al_db *db, struct al_arena *a, const char *region,
    struct tb_scheme *out);
int tb_store_need_create(struct al_db *db, const struct tb_need *n, const char *by, int64_t now,
    int64_t *id);
/*
 * Write the need's state (status, member, minutes, confirmations, code failures, dispute,
 * transfer) at `n->version`, with `resolved_by` when not NULL.  AL_ECONFLICT when stale.
 */
int tb_store_need_update(struct al_db *db, const struct tb_need *n, const char *resolved_by);
struct tb_need_filter {
    const char *scope;    /* the caller's region */
    int64_t scheme_id;    /* 0: any */
    const char *status;   /* NULL: any */
    int64_t member_id;    /* taken by (0: any) */
    int64_t elder_id;     /* for this elder (0: any) */
    int64_t nearby_of;    /* a scheme: its open needs and those of schemes allied with it */
    int64_t overdue_at;   /* > 0: open needs starting before this time */
    const char *q;        /* part of the elder's name, the category or the place; NULL: any */
    /* RULE-TB-066: with nearby_of, only needs inside this box (or without a position) */
    bool box;
    double lat_lo, lat_hi, lng_lo, lng_hi;
    int64_t limit, offset;
};

/*
 * RULE-TB-066: the needs in `items` (each with "lat"/"lng", null when unknown) ordered by
 * distance from (`lat`, `lng`): those farther than `radius_m` removed, each given
 * "distance_m" (rounded; null when the need has no position), the ones without a position
 * last in their given order.  Returns how many remain.
 */
size_t tb_nearby_order(json_t *items, double lat, double lng, double radius_m);
/*
 * RULE-TB-066: the "lat"/"lng" of a body read by al_fields_read into *lat, *lng and *has
 * (false when neither is there).  AL_EINVAL naming the missing one when only one is.
 */
int tb_pos_read(const json_t *set, double *lat, double *lng, bool *has, struct al_errinfo *e);
/* Write the position of need or member `id` (`table` "tb_needs" or "tb_members"). */
int tb_store_position(struct al_db *db, const char *table, int64_t id, double lat, double lng);
int tb_store_needs(struct al_db *db, struct al_arena *a, const struct tb_need_filter *f,
    json_t *items, int64_t *total);

/* ---- measures (RULE-TB-050..) ---- */

/* Members of scope: elder volunteers (verified individuals linked to the registry), all. */
int tb_store_volunteer_counts(struct al_db *db, const char *scope, int64_t *elders,
    int64_t *all);
/* Minutes served per month ("YYYY-MM" of China time) and category in scope, since `since`. */
int tb_store_hours_by_month(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t since, json_t *items);
/* The child regions of `parent` (code, name) into `items` (the shared regions table). */
int tb_store_child_regions(struct al_db *db, const char *parent, json_t *items);
/* Minutes moved per transfer category in schemes of scope, as members of `out`. */
int tb_store_category_totals(struct al_db *db, const char *scope, json_t *out);
/* Needs of scope: open, of which overdue (starting before `now`), taken, disputed, done. */
int tb_store_need_counts(struct al_db *db, const char *scope, int64_t now, json_t *out);

/* ---- the ledger's one write path (timebank_ledger.c) ---- */

struct tb_transfer_in {
    int category;
    int64_t scheme_id; /* topup, and a grant: the scheme; else from the members */
    int64_t from_member, to_member;
    int64_t minutes;
    const char *relation, *note;
    int64_t need_id;
    const char *today; /* the request's date, for ages */
    const char *by;
    int64_t now;
    const char *scope; /* the caller's region: members and schemes outside it are 404 */
};

struct tb_transfer_out {
    int64_t id, cap_donated_min, alliance_id;
    int64_t from_balance, to_balance; /* after; -1 when the side is a scheme account */
    /* RULE-TB-080: the region the transfer is audited under: the member whose hours leave,
     * else the member who receives, else the scheme's; `to_region_code` the receiver's (NULL
     * without one). */
    const char *region_code, *to_region_code;
};

/*
 * Post one transfer (and its cap donation) inside the caller's open transaction: loads the
 * members and their elders, locks the accounts, checks the rules, routes an inter-scheme
 * transfer through both clearing accounts of the accepted alliance (RULE-TB-031), writes
 * the movements.  AL_OK, or an error with `e` filled (nothing written then; the caller
 * rolls back).
 */
int tb_ledger_post(struct al_db *db, struct al_arena *a, const struct tb_transfer_in *in,
    struct tb_transfer_out *out, struct al_errinfo *e);

/* The member's party facts (age from the elder or their own birth date). */
int tb_ledger_party(struct al_db *db, struct al_arena *a, const struct tb_member *m,
    const char *today, struct tb_party *p);

/* ---- expiry (timebank_expiry.c, RULE-TB-060..062) ---- */

/* Member accounts with hours in schemes whose hours expire: member_id, account_id, scheme_id,
 * expiry_months, region_code per item.  AL_OK or AL_EDB. */
int tb_store_expiry_accounts(struct al_db *db, json_t *items);
/*
 * Of account `account`: the minutes deposited before `before` (unix seconds) into
 * *credits_before, every minute that ever left it into *debits (positive).  AL_OK or AL_EDB.
 */
int tb_store_account_flows(struct al_db *db, int64_t account, int64_t before,
    int64_t *credits_before, int64_t *debits);

struct al_job;
struct tb_expire_ctx {
    int64_t now;           /* the run's time: the cut-off is counted back from its date */
    int64_t user_id;       /* who started it (0: the CLI) */
    const char *by, *client_ip;
    struct al_job *job;    /* for progress; NULL outside a job */
};
/*
 * RULE-TB-061: expire what is due on every account, each in its own transaction with its
 * audit entry; *members and *minutes count what was posted.  Idempotent.  AL_OK or an error
 * (the accounts done before it stay done).
 */
int tb_expire_run(struct al_db *db, const struct tb_expire_ctx *x, int64_t *members,
    int64_t *minutes, struct al_errinfo *e);
/* RULE-TB-062: minutes of `account` that expire by `days` days after `now` (date in `by`). */
int tb_expiry_soon(struct al_db *db, int64_t account, int months, int64_t now, int days,
    int64_t *minutes, char by[11]);
int tb_expire_job(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e);

/* ---- regional settings (tb_settings, RULE-TB-064, RULE-TB-066) ---- */

#define TB_SET_TARGET "elder_volunteer_target_pct"
#define TB_SET_RADIUS "nearby_radius_m"
/*
 * The value of `key` for `region`: the deepest region at or above it that sets it, else the
 * default; *from (when not NULL) the region that set it ('' for the default).  AL_OK,
 * AL_ENOTFOUND (no default: never after the migration) or AL_EDB.
 */
int tb_store_setting(struct al_db *db, struct al_arena *a, const char *region, const char *key,
    int64_t *value, const char **from);
/* Set `key` of `region` (inserted or replaced).  AL_OK or an error. */
int tb_store_setting_put(struct al_db *db, const char *region, const char *key, int64_t value,
    const char *by, int64_t now);
int tb_settings_get(struct al_req *r);
int tb_settings_put(struct al_req *r);

/* ---- the citizen card (RULE-TB-070, 071) ---- */

/*
 * Link (`hash` not NULL) or unlink (all NULL) the citizen card of member `member` of `scheme`.
 * AL_ECONFLICT when another member of the scheme holds the card.  Inside a transaction.
 */
int tb_store_card_set(struct al_db *db, int64_t member, int64_t scheme, const char *enc,
    const char *hash, const char *masked);
/*
 * Members of `scope` with a card: member_id, name, scheme_name, card_enc, card_masked,
 * deposited_min and spent_min in [from, to), balance_min at `to` (unix seconds).
 */
int tb_store_card_rows(struct al_db *db, struct al_arena *a, const char *scope, int64_t from,
    int64_t to, json_t *items);
/* RULE-TB-070: a citizen-card number: 8..20 digits or capital letters.  Masked into `out`. */
bool tb_card_valid(const char *s);
void tb_card_mask(const char *s, char *out, size_t size);
int tb_card_put(struct al_req *r);
int tb_card_export(struct al_req *r);

/* ---- the need handlers (timebank_need.c), routed by timebank.c ---- */
struct al_req;
int tb_need_list(struct al_req *r);
int tb_need_create(struct al_req *r);
/*
 * RULE-TB-040, RULE-TB-041: write need `n` (checked: scheme, elder, category, time, position)
 * with a new confirmation code, its position and its audit entry timebank.need_create in one
 * transaction, and answer 201 with the need and its code.
 */
int tb_need_post(struct al_req *r, struct tb_need *n);
/* RULE-TB-082: a family member (or the elder) posts a need for their linked elder. */
int tb_my_needs(struct al_req *r);
int tb_my_need_create(struct al_req *r);
int tb_need_get(struct al_req *r);
int tb_need_assign(struct al_req *r);
int tb_need_done(struct al_req *r);
int tb_need_confirm(struct al_req *r);
int tb_need_dispute(struct al_req *r);
int tb_need_resolve(struct al_req *r);
int tb_need_cancel(struct al_req *r);
int tb_me(struct al_req *r);
int tb_me_statement(struct al_req *r);
int tb_me_needs(struct al_req *r);
int tb_me_take(struct al_req *r);
int tb_me_done(struct al_req *r);
int tb_me_dispute(struct al_req *r);
int tb_measures(struct al_req *r);
int tb_measures_export(struct al_req *r);
int tb_members_export(struct al_req *r);
int tb_expiry_start(struct al_req *r);
/* RULE-TB-062: add "expiry" {months, expiring_min, by, text} of member `m` to `o`. */
int tb_expiry_json(struct al_req *r, const struct tb_member *m, const struct tb_scheme *s,
    json_t *o);

#endif
