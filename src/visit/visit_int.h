/*
 * Private to the visit module: the tier, period and position rules
 * (visit_logic.c, pure: no I/O, no clock) and the store (visit_store.c, its
 * SQL only: one text for SQLite and PostgreSQL).
 *
 * Conventions of the store functions, unless a contract says otherwise: they
 * return AL_OK or an error of the closed set (AL_ENOTFOUND for a row asked by
 * id, AL_ECONFLICT for a constraint or a stale version, AL_EDB otherwise); they
 * run inside the caller's transaction when there is one and never begin or
 * end one unless named so; `now` and `today` come from the caller; texts
 * returned are copies in the arena `a`; JSON added to the caller's array is
 * the caller's.
 */
#ifndef VISIT_INT_H
#define VISIT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"

/* ---- tiers (RULE-VISIT-001..004) ---- */

enum visit_tier { VISIT_NONE = 0, VISIT_GENERAL, VISIT_KEY, VISIT_HIGH };
enum visit_every { VISIT_WEEK = 0, VISIT_MONTH, VISIT_QUARTER };
enum visit_method { VISIT_HOME = 1, VISIT_PHONE = 2, VISIT_VIDEO = 4, VISIT_REMOTE = 8 };

/* "none", "general", "key", "high" and their Chinese names; parse: -1 when unknown. */
const char *visit_tier_id(enum visit_tier t);
const char *visit_tier_name(enum visit_tier t);
int visit_tier_parse(const char *s);
const char *visit_every_id(enum visit_every e);
int visit_every_parse(const char *s);
/* "home" → VISIT_HOME …; 0 when unknown.  Names: 上门探访, 电话, 视频, 远程监测. */
int visit_method_parse(const char *s);
const char *visit_method_id(int m);
const char *visit_method_name(int m);
/* A comma list of method ids as a mask; -1 when one is unknown or the list is empty. */
int visit_methods_parse(const char *list);
/* The mask as a comma list ("home,phone") into `out` (≥ 32 bytes). */
void visit_methods_text(int mask, char *out, size_t size);

/* One regional setting of a tier (a row of visit_tiers). */
struct visit_rule {
    const char *region_code; /* "" national */
    enum visit_tier tier;
    const char *categories;  /* comma list: category ids of the registry and "destitute" */
    int min_age;
    enum visit_every every;
    int methods;             /* mask of enum visit_method */
    int event_hours;
};

/* Is every id of the comma list a category the tiers know?  NULL when so, else the unknown id
 * copied into `bad` (≥ 32 bytes). */
const char *visit_categories_problem(const char *list, char *bad, size_t size);

/*
 * RULE-VISIT-002: the rule of each tier for an elder living in `region`: among
 * `rules`, the one of the longest region code that is a prefix of `region`.
 * out[VISIT_GENERAL..VISIT_HIGH] (out[0] unused) are NULL when no row applies.
 */
void visit_rules_pick(const struct visit_rule *rules, int n, const char *region,
    const struct visit_rule *out[4]);

/* What the tiers read of an elder. */
struct visit_facts {
    int age;
    const char *cats; /* the elder's category ids, comma-separated */
    bool destitute;   /* economic status 特困 */
    bool life_threatening; /* RULE-VISIT-066: the condition a helper set (visit_conditions) */
    bool active;      /* status active */
};

/*
 * RULE-VISIT-001: the elder's tier: the highest tier whose rule names one of
 * the elder's categories (or destitute) and whose minimum age the elder has;
 * VISIT_NONE when none (or the record is not active).  The categories that
 * matched go into `reasons` (comma-separated, ≥ 160 bytes).
 */
enum visit_tier visit_tier_of(const struct visit_facts *f, const struct visit_rule *const r[4],
    char *reasons, size_t size);

/* ---- dates and periods (RULE-VISIT-020) ---- */

/* `date` + `days` into out (YYYY-MM-DD); false when `date` is not a date. */
bool visit_date_add(const char *date, long days, char out[11]);
/* Days from `a` to `b` (b − a); false when either is not a date. */
bool visit_days_between(const char *a, const char *b, long *days);

/*
 * RULE-VISIT-020: the period of frequency `e` containing `date`: its key
 * ("2026-W49" ISO week, "2026-12", "2026-Q4"), first and last day.
 */
bool visit_period(enum visit_every e, const char *date, char key[16], char start[11],
    char end[11]);

/* "YYYY-MM" → its first day and the first day of the next month; false when not a month. */
bool visit_month_bounds(const char *month, char first[11], char next[11]);

/* RULE-VISIT-021: the last day an event's visit is due: the date in China at now + hours. */
void visit_event_due(int64_t now, int hours, char out[11]);

/* RULE-VISIT-081: does an alarm closed with `outcome` call for a follow-up visit?  Yes for
 * real_emergency and needed_help; no for false_alarm, test, no_answer_visited (someone went). */
bool visit_alarm_wants_visit(const char *outcome);

/* ---- position (RULE-VISIT-030) ---- */

/* A home visit's position check (the distance from al_geo_distance_m, core/geo.h), never a
 * refusal: ok, far, no_position, no_elder_position. */
const char *visit_position_flag(bool have_pos, bool have_elder_pos, double distance_m,
    int max_m);

/* ---- measures ---- */

/* RULE-VISIT-050: helpers a community needs: 1, 2 above 500 elders. */
int visit_helpers_required(int64_t elders);

/* Referral targets and need kinds. */
/* assessment, service_order, bed, entitlement; NULL-ended */
extern const char *const visit_targets_ids[5];
/* care, health, living, safety, economic, mental, other; NULL-ended */
extern const char *const visit_need_kinds[8];
const char *visit_target_name(const char *id);
/* RULE-VISIT-086: the service item (svc_items.code) a need of `kind` asks for. */
const char *visit_need_item(const char *kind);
/* RULE-VISIT-087: the window (unix seconds) of an order opened by a referral due `deadline`. */
void visit_referral_window(const char *deadline, const char *today, int64_t now, int64_t *start,
    int64_t *end);
/* RULE-VISIT-088: "done", "ended" or "open" for a target's state in its module (NULL: none). */
const char *visit_target_state(const char *target, const char *status);
const char *visit_need_kind_name(const char *id);
/* Visitor kinds: helper, cadre, volunteer, provider; the kind a role implies (NULL: none). */
extern const char *const visitor_kinds[5];
const char *visitor_kind_of_role(const char *role);
bool visit_in_list(const char *const *list, const char *v);

/* ---- store ---- */

/* Every row of visit_tiers into *out (arena), count into *n. */
int visit_store_rules(struct al_db *db, struct al_arena *a, struct visit_rule **out, int *n);
/* Upsert the rule of (r->region_code, r->tier). */
int visit_store_rule_put(struct al_db *db, const struct visit_rule *r, int64_t user_id,
    int64_t now);

/*
 * RULE-VISIT-001: recompute the tier of every elder living in `scope` on
 * `today` and write the rows that changed to visit_targets (with the
 * frequency, methods and event hours of the tier's rule).  *targets: elders
 * in a tier after; *changed: rows written.
 */
int visit_store_refresh(struct al_db *db, struct al_arena *a, const char *scope,
    const struct visit_rule *rules, int n, const char *today, int64_t now, int64_t *targets,
    int64_t *changed);

/* RULE-VISIT-020: routine tasks of the period containing `today` for the targets of `scope`;
 * a task already there is kept (ON CONFLICT DO NOTHING); *created counts the new ones. */
int visit_store_generate(struct al_db *db, const char *scope, const char *today, int64_t user_id,
    int64_t now, int64_t *created);

struct visit_target {
    int64_t elder_id, visitor_id;
    const char *region_code, *tier, *visitor_kind, *name, *phone, *address;
    int methods, event_hours;
    bool have_pos;
    double lat, lng;
};
/* The target row of an elder joined with the elder (AL_ENOTFOUND: not a target). */
int visit_store_target(struct al_db *db, struct al_arena *a, int64_t elder_id,
    struct visit_target *out);

/* An event task (RULE-VISIT-021..023): *id the task (existing or new), *created whether new. */
struct visit_event {
    int64_t elder_id, user_id;
    const char *reason, *ref, *method, *note, *due_date, *today;
};
int visit_store_event_task(struct al_db *db, const struct visit_target *t,
    const struct visit_event *ev, int64_t now, int64_t *id, bool *created);

/* Assign `visitor_id` as `kind` to elder targets: one elder (elder_id > 0) or every target of
 * `region` (bulk).  Keeps the history, moves open tasks.  *count: assignments changed. */
int visit_store_assign(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *region,
    int64_t visitor_id, const char *kind, int64_t by, const char *note, int64_t now,
    int64_t *count);
/* A user's region, role and status. */
int visit_store_user(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    const char **role, const char **status, const char **name);
/* History of an elder's assignments, newest first. */
int visit_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items);

struct visit_task_filter {
    const char *scope;
    int64_t visitor_id;   /* 0: any */
    const char *status;   /* NULL: open */
    bool overdue;         /* open and due before today */
    bool due;             /* open and started by today */
    const char *today;
    int64_t limit, offset;
};
int visit_store_tasks(struct al_db *db, struct al_arena *a, const struct visit_task_filter *f,
    json_t *items, int64_t *total);

struct visit_record {
    int64_t elder_id, visitor_id, task_id, visited_at;
    const char *region_code, *method, *visit_date, *position_flag, *note;
    bool reached, urgent, have_pos, have_distance;
    double lat, lng;
    int64_t distance_m;
    const json_t *findings;
};
/* Insert a visit; a reached visit closes the elder's open tasks it satisfies (RULE-VISIT-032);
 * *closed counts them. */
int visit_store_record(struct al_db *db, const struct visit_record *v, int64_t now, int64_t *id,
    int64_t *closed);
/* RULE-VISIT-065: the alarm visit `visit_id` raised. */
int visit_store_set_alarm(struct al_db *db, int64_t visit_id, int64_t alarm_id);
/* The visits of `scope`, newest first: every one, an elder's (elder_id > 0) or one
 * (visit_id > 0). */
int visit_store_visits(struct al_db *db, struct al_arena *a, const char *scope, int64_t elder_id,
    int64_t visit_id, int64_t limit, int64_t offset, json_t *items, int64_t *total);

struct visit_need {
    int64_t id, visit_id, elder_id, user_id, version;
    const char *region_code, *kind, *need, *status, *target, *target_ref, *deadline, *outcome;
};
int visit_store_need_add(struct al_db *db, const struct visit_need *n, int64_t now, int64_t *id);
int visit_store_need_get(struct al_db *db, struct al_arena *a, int64_t id, struct visit_need *out);
int visit_store_need_refer(struct al_db *db, const struct visit_need *n, int64_t now);
int visit_store_need_close(struct al_db *db, int64_t id, int64_t version, const char *outcome,
    int64_t user_id, int64_t now);
struct visit_need_filter {
    const char *scope, *status, *today;
    int64_t elder_id;
    bool overdue;
    int64_t limit, offset;
};
int visit_store_needs(struct al_db *db, struct al_arena *a, const struct visit_need_filter *f,
    json_t *items, int64_t *total);

/* ---- measures (RULE-VISIT-040..050) ---- */

/*
 * RULE-VISIT-040, RULE-VISIT-063: the targets of `scope` on day `on` (from
 * visit_target_history: in a tier that day, in the region of that day) and
 * those of them visited in [first, next), per child region into `children`.
 */
int visit_store_rate(struct al_db *db, struct al_arena *a, const char *scope, const char *first,
    const char *next, const char *on, json_t *children, int64_t *targets, int64_t *visited);
/* The unvisited targets of the month (the list of day `on`), paged: elder_id, name, address,
 * phone_masked, region_code, tier, tier_name, reasons, visitor_id, visitor_name. */
int visit_store_unvisited(struct al_db *db, struct al_arena *a, const char *scope,
    const char *first, const char *next, const char *on, int64_t limit, int64_t offset,
    json_t *items, int64_t *total);
/* The columns of the unvisited list's statement (an export's page). */
enum {
    VISIT_UNV_ELDER = 0, VISIT_UNV_NAME = 1, VISIT_UNV_ADDRESS = 2, VISIT_UNV_PHONE = 3,
    VISIT_UNV_REGION = 4, VISIT_UNV_TIER = 5, VISIT_UNV_REASONS = 6, VISIT_UNV_VISITOR_ID = 7,
    VISIT_UNV_VISITOR = 8, VISIT_UNV_TIER2 = 9, VISIT_UNV_REGION_NAME = 10
};
/*
 * RULE-VISIT-084: one page of the same list for its export, by elder id (one
 * row per elder on day `on`): the `limit` rows after elder `after` (its id's
 * text; NULL: the first page), a bound statement of the VISIT_UNV_* columns
 * (the phone as stored: mask it), not stepped; NULL when it cannot be prepared.
 */
struct al_stmt *visit_store_unvisited_page(struct al_db *db, struct al_arena *a,
    const char *scope, const char *first, const char *next, const char *on, const char *after,
    int64_t limit);
/* Referrals made in [first, next): referred, closed, closed on time, mean days to close. */
int visit_store_referral_stats(struct al_db *db, const char *scope, int64_t from_at,
    int64_t to_at, int64_t *referred, int64_t *closed, int64_t *on_time, double *mean_days);
/* Per community of `scope`: active elders and helpers (distinct helper visitors assigned). */
int visit_store_helpers(struct al_db *db, struct al_arena *a, const char *scope, json_t *items);

/* ---- the life-threatening condition (RULE-VISIT-066) ---- */

/* Set (or clear) elder `elder_id`'s condition by `user_id` at `now`.  Upsert. */
int visit_store_condition_set(struct al_db *db, int64_t elder_id, const char *region, bool on,
    const char *note, int64_t user_id, int64_t now);
/* The condition of an elder as JSON {life_threatening, note, set_by_name, set_at} or JSON null
 * when never set, into *out (a new reference). */
int visit_store_condition(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t **out);

/* ---- campaigns (RULE-VISIT-070..073) ---- */

struct visit_campaign {
    int64_t id, tasks, created_by;
    const char *name, *kind, *region_code, *regions, *tiers, *start_date, *end_date, *note;
};
/* weather, festival, other; NULL-ended.  Names: 极端天气, 节日, 其他. */
extern const char *const visit_campaign_kinds[4];
const char *visit_campaign_kind_name(const char *id);
/*
 * RULE-VISIT-070: a campaign's window: both dates valid, start ≤ end, end not
 * before `today`, at most 92 days.  NULL when so, else the problem (Chinese)
 * and *field the field it names.
 */
const char *visit_campaign_window_problem(const char *start, const char *end, const char *today,
    const char **field);
int visit_store_campaign_add(struct al_db *db, const struct visit_campaign *c, int64_t now,
    int64_t *id);
int visit_store_campaign_get(struct al_db *db, struct al_arena *a, int64_t id,
    struct visit_campaign *out);
/* RULE-VISIT-071: campaigns organised inside `scope` or by a region holding it, newest first. */
int visit_store_campaigns(struct al_db *db, struct al_arena *a, const char *scope, int64_t limit,
    int64_t offset, json_t *items, int64_t *total);
/* RULE-VISIT-072: the campaign's tasks for the targets of `region` (ON CONFLICT DO NOTHING);
 * *created grows by the new ones; the campaign's task count is updated. */
int visit_store_campaign_generate(struct al_db *db, const struct visit_campaign *c,
    const char *region, int64_t user_id, int64_t now, int64_t *created);
/* RULE-VISIT-073: the campaign's tasks in `scope` (not cancelled) and those done. */
int visit_store_campaign_rate(struct al_db *db, const char *scope, int64_t id, int64_t *tasks,
    int64_t *done);
/* The campaign's open tasks in `scope`: its unvisited list, paged. */
int visit_store_campaign_unvisited(struct al_db *db, struct al_arena *a, const char *scope,
    int64_t id, int64_t limit, int64_t offset, json_t *items, int64_t *total);

/* ---- one generation at a time per region (RULE-VISIT-083) ---- */

/*
 * Take the generation lock of `region` for a job of `kind` ("routine" or
 * "campaign") at `now`, in its own transaction (the caller's begin/end).  A
 * lock held on the region, a region holding it or one inside it answers
 * AL_ECONFLICT with the holder's region in *held; a holder whose job has
 * finished (or that never got one within 2 minutes) is dropped first.
 */
int visit_store_gen_lock(struct al_db *db, struct al_arena *a, const char *region,
    const char *kind, int64_t now, const char **held);
/* The lock of `region` belongs to job `job_id` (once queued). */
int visit_store_gen_locked(struct al_db *db, const char *region, int64_t job_id);
/* Give the lock of `region` back (the job's end, or a submit that failed). */
int visit_store_gen_unlock(struct al_db *db, const char *region);

/* The position threshold setting (default 500 m). */
int visit_store_position_max(struct al_db *db, int *out);

#endif
