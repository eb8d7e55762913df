/* Demo data of the assess module: published results for some elders of the demo county. */
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

/*
 * About one older resident in fifty gets a published assessment, signed by the
 * two demo assessors, dated within the last 14 months (so the due list has
 * expired and expiring results), with scores that lean towards the frail end
 * for the oldest.  Deterministic from the elder's id.
 */
int
assess_seed_demo(struct al_db *db, int64_t *made)
{
    static const char sql_people[] =
        "SELECT e.id, e.region_code FROM elders e WHERE e.status = 'active'"
        " AND e.region_code LIKE '520327%' AND (e.id * 2654435761) % 12 = 7 ORDER BY e.id";
    static const char sql_assessors[] =
        "SELECT u.id, q.certificate_no FROM users u JOIN assessor_qualifications q"
        " ON q.user_id = u.id WHERE u.username IN ('fg_assessor', 'fg_assessor2') ORDER BY u.id";
    struct assess_settings s;
    int rc = assess_settings_load(db, &s);
    if (rc != AL_OK)
        return rc;
    int64_t who[2] = {0, 0};
    char cert[2][48] = {"", ""};
    struct al_stmt *st = al_db_sql(db, sql_assessors);
    for (int i = 0; i < 2 && (rc = al_stmt_step(st)) == AL_ROW; i++) {
        who[i] = al_stmt_int(st, 0);
        snprintf(cert[i], sizeof(cert[i]), "%s", al_stmt_text(st, 1));
    }
    al_stmt_reset(st);
    *made = 0;
    if (rc != AL_ROW && rc != AL_OK)
        return rc;
    if (!who[0] || !who[1])
        return AL_OK; /* no demo assessors: nothing to sign with */
    /* The people first (the writes below must not run under an open read of elders), each
     * assessed within the last 420 days of today (China Standard Time). */
    struct person {
        int64_t id;
        char region[16], on[11];
    };
    char today[11];
    al_today_cst(today);
    struct al_vec list;
    al_vec_init(&list, sizeof(struct person));
    st = al_db_sql(db, sql_people);
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct person *q = al_vec_push(&list);
        if (!q) {
            al_stmt_reset(st);
            rc = AL_EINTERNAL;
            break;
        }
        q->id = al_stmt_int(st, 0);
        snprintf(q->region, sizeof(q->region), "%s", al_stmt_text(st, 1));
        assess_date_add_days(today, -(long)((q->id * 7919) % 420), q->on);
    }
    if (rc != AL_OK) {
        al_vec_fini(&list);
        return rc;
    }
    const struct person *people = list.p;
    size_t n = list.n;
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    int64_t now = (int64_t)time(NULL);
    for (size_t p = 0; rc == AL_OK && p < n; p++) {
        /* Frailty 0..4 from the id; each item loses up to that many points. */
        uint64_t h = (uint64_t)people[p].id * 11400714819323198485ull;
        int frail = (int)(h >> 61) % 5;
        struct assess_input in;
        memset(&in, 0, sizeof(in));
        json_t *items = json_array();
        for (int i = 0; i < ASSESS_ITEMS; i++) {
            int loss = (int)((h >> (i * 2 % 60)) & 3) * frail / 2;
            int v = assess_items[i].max - loss;
            in.items[i] = v < 0 ? 0 : v;
            json_array_append_new(items, json_integer(in.items[i]));
        }
        in.risk_events[0] = frail == 4 ? (int)(h & 1) + 1 : 0;
        struct assess_record rec = {.elder_id = people[p].id, .user_id = who[0],
            .region_code = people[p].region, .reason = "first", .items = items,
            .organisation = "凤冈县养老服务指导中心", .place = "老人家中",
            .assessed_on = people[p].on, .computed = true};
        assess_compute(&in, &s, &rec.result);
        char until[11];
        int64_t id = 0;
        assess_valid_until(people[p].on, s.validity_months, until);
        struct assess_status_extra x = {.valid_until = until, .published = true};
        rc = assess_store_insert(db, &rec, now, &id);
        for (int k = 0; rc == AL_OK && k < 2; k++)
            rc = assess_store_sign(db, id, who[k], cert[k], now);
        if (rc == AL_OK)
            rc = assess_store_set_status(db, id, -1, "published", &x, now);
        if (rc == AL_OK)
            rc = assess_store_event(db, id, "publish", 0, "seed", until, now);
        if (rc == AL_OK) {
            char ref[32];
            snprintf(ref, sizeof(ref), "assessment:%lld", (long long)id);
            struct elder_evidence ev = {"assessment", ref, people[p].on};
            json_t *set = json_pack("{s:i}", "ability_level", rec.result.final);
            rc = elder_apply(db, &a, people[p].id, set, &ev, 0, "seed", "assessment", now, NULL);
            json_decref(set);
        }
        json_decref(items);
        al_arena_reset(&a);
        *made += rc == AL_OK;
    }
    al_arena_fini(&a);
    al_vec_fini(&list);
    return rc;
}
