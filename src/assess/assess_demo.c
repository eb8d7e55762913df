/* Demo data of the assess module: published results for some elders of the demo county. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assess/assess.h"
#include "assess/assess_int.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/vec.h"
#include "elder/elder.h"

int
assess_seed_demo_assessors(struct al_db *db)
{
    static const char sql[] =
        "INSERT INTO assessor_qualifications(user_id, certificate_no, organisation,"
        " expires_on, updated_at) SELECT id, CASE username"
        "   WHEN 'fg_assessor' THEN 'PG-520300-2024-0137'"
        "   WHEN 'fg_assessor2' THEN 'PG-520300-2025-0412' ELSE 'PG-520300-2021-0056' END,"
        " '遵义市民政局', CASE username WHEN 'fg_assessor' THEN '2028-06-30'"
        "   WHEN 'fg_assessor2' THEN '2027-12-31' ELSE '2026-03-31' END, ?1"
        " FROM users WHERE username IN ('fg_assessor', 'fg_assessor2', 'fg_assessor3')"
        " ON CONFLICT DO NOTHING";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, (int64_t)time(NULL));
    return al_stmt_run(st);
}

/* The two demo assessors who sign (fg_assessor, fg_assessor2): ids and certificates. */
struct signers {
    int64_t who[2];
    char cert[2][48];
};

/* *found: both are there (without them nothing is signed).  AL_OK or the read's error. */
static int
demo_signers(struct al_db *db, struct signers *g, bool *found)
{
    static const char sql[] =
        "SELECT u.id, q.certificate_no FROM users u JOIN assessor_qualifications q"
        " ON q.user_id = u.id WHERE u.username IN ('fg_assessor', 'fg_assessor2') ORDER BY u.id";
    memset(g, 0, sizeof(*g));
    struct al_stmt *st = al_db_sql(db, sql);
    int rc = AL_OK;
    for (int i = 0; i < 2 && (rc = al_stmt_step(st)) == AL_ROW; i++) {
        g->who[i] = al_stmt_int(st, 0);
        snprintf(g->cert[i], sizeof(g->cert[i]), "%s", al_stmt_text(st, 1));
    }
    al_stmt_reset(st);
    *found = g->who[0] && g->who[1];
    return rc == AL_ROW ? AL_OK : rc;
}

/* Someone to assess, and the day (within the last 420 days of `today`). */
struct person {
    int64_t id;
    char region[16], on[11];
};

/*
 * About one active elder of the county in twelve, deterministic from the id,
 * into `list` (read whole first: the writes must not run under an open read of
 * elders).  AL_OK, AL_EINTERNAL (memory) or the read's error.
 */
static int
demo_people(struct al_db *db, const char *today, struct al_vec *list)
{
    static const char sql[] =
        "SELECT e.id, e.region_code FROM elders e WHERE e.status = 'active'"
        " AND e.region_code LIKE '520327%' AND (e.id * 2654435761) % 12 = 7 ORDER BY e.id";
    struct al_stmt *st = al_db_sql(db, sql);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct person *q = al_vec_push(list);
        if (!q) {
            al_stmt_reset(st);
            return AL_EINTERNAL;
        }
        q->id = al_stmt_int(st, 0);
        snprintf(q->region, sizeof(q->region), "%s", al_stmt_text(st, 1));
        assess_date_add_days(today, -(long)((q->id * 7919) % 420), q->on);
    }
    return rc;
}

/*
 * The item scores of elder `id` into `in` and as a JSON array (a new one):
 * frailty 0..4 from the id, each item losing up to that many points; the
 * frailest with one or two risk events.
 */
static json_t *
demo_scores(int64_t id, struct assess_input *in)
{
    uint64_t h = (uint64_t)id * 11400714819323198485ull;
    int frail = (int)(h >> 61) % 5;
    memset(in, 0, sizeof(*in));
    json_t *items = json_array();
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        int loss = (int)((h >> (i * 2 % 60)) & 3) * frail / 2;
        int v = assess_items[i].max - loss;
        in->items[i] = v < 0 ? 0 : v;
        json_array_append_new(items, json_integer(in->items[i]));
    }
    in->risk_events[0] = frail == 4 ? (int)(h & 1) + 1 : 0;
    return items;
}

/*
 * One published result for `q`: recorded, signed by both, published, and the
 * level written to the elder's record with the assessment as evidence.
 */
static int
demo_publish(struct al_db *db, struct al_arena *a, const struct assess_settings *s,
    const struct signers *g, const struct person *q, int64_t now)
{
    struct assess_input in;
    json_t *items = demo_scores(q->id, &in);
    struct assess_record rec = {.elder_id = q->id, .user_id = g->who[0],
        .region_code = q->region, .reason = "first", .items = items,
        .organisation = "凤冈县养老服务指导中心", .place = "老人家中", .assessed_on = q->on,
        .computed = true};
    assess_compute(&in, s, &rec.result);
    char until[11];
    int64_t id = 0;
    assess_valid_until(q->on, s->validity_months, until);
    struct assess_status_extra x = {.valid_until = until, .published = true};
    int rc = assess_store_insert(db, &rec, now, &id);
    for (int k = 0; rc == AL_OK && k < 2; k++)
        rc = assess_store_sign(db, id, g->who[k], g->cert[k], now);
    if (rc == AL_OK)
        rc = assess_store_set_status(db, id, -1, "published", &x, now);
    if (rc == AL_OK)
        rc = assess_store_event(db, id, "publish", 0, "seed", until, now);
    if (rc == AL_OK) {
        char ref[32];
        snprintf(ref, sizeof(ref), "assessment:%lld", (long long)id);
        struct elder_evidence ev = {"assessment", ref, q->on};
        json_t *set = json_pack("{s:i}", "ability_level", rec.result.final);
        rc = elder_apply(db, a, q->id, set, &ev, 0, "seed", "assessment", now, NULL);
        json_decref(set);
    }
    json_decref(items);
    return rc;
}

/*
 * About one older resident in twelve gets a published assessment, signed by
 * the two demo assessors, dated within the last 14 months of `now` (so the due
 * list has expired and expiring results), with scores that lean towards the
 * frail end.  Deterministic from the elder's id.
 */
int
assess_seed_demo(struct al_db *db, int64_t now, int64_t *made)
{
    struct assess_settings s;
    struct signers g;
    bool found = false;
    *made = 0;
    int rc = assess_settings_load(db, &s);
    if (rc == AL_OK)
        rc = demo_signers(db, &g, &found);
    if (rc != AL_OK || !found)
        return rc; /* no demo assessors: nothing to sign with */
    char today[11];
    al_date_cst(now, today);
    struct al_vec list;
    al_vec_init(&list, sizeof(struct person));
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    rc = demo_people(db, today, &list);
    const struct person *people = list.p;
    for (size_t p = 0; rc == AL_OK && p < list.n; p++) {
        rc = demo_publish(db, &a, &s, &g, &people[p], now);
        al_arena_reset(&a);
        *made += rc == AL_OK;
    }
    al_arena_fini(&a);
    al_vec_fini(&list);
    return rc;
}
