/*
 * src/assess/assess_store.c: reads that fail answer an error, never part of a
 * record; and the whole workflow (draft, form, signatures, submit, publish,
 * due list, dispute) runs through the same store functions on SQLite and on
 * the throwaway PostgreSQL `make unit` starts (ANLAO_TEST_PG), with the same
 * assertions and the same records read back on both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess_int.h"
#include "core/json.h"
#include "core/log.h"
#include "dual.h"
#include "unit.h"

/* A migrated in-memory database holding assessment 1 with one signature and one event. */
static struct al_db *
fixture_db(void)
{
    struct al_db *db = NULL;
    assert_int_equal(al_db_open(":memory:", &db), AL_OK);
    assert_int_equal(al_db_migrate(db), AL_OK);
    assert_int_equal(al_db_exec(db,
        "INSERT INTO users(id, username, display_name, role_id, region_code, password_hash,"
        " created_at, updated_at) VALUES (7, 'pg', '评估员', 'admin', '520327', 'x', 0, 0);"
        "INSERT INTO elders(id, region_code, name, sex, birth_date, id_hash, id_enc, id_masked,"
        " address, created_at, updated_at) VALUES (3, '520327001001', '王芳', 'F', '1940-01-01',"
        " 'h', 'e', '520327********0000', '一号', 0, 0);"
        "INSERT INTO assessments(id, elder_id, region_code, reason, preliminary_level,"
        " final_level, rules, created_by, created_at, updated_at) VALUES (1, 3, '520327001001',"
        " 'first', 1, 1, '[]', 7, 0, 0);"
        "INSERT INTO assessment_signatures(assessment_id, user_id, certificate_no, signed_at)"
        " VALUES (1, 7, 'C-1', 0);"
        "INSERT INTO assessment_events(assessment_id, action, username, at)"
        " VALUES (1, 'create', 'pg', 0);"), AL_OK);
    return db;
}

static void
full_record_reads_signatures_and_history(void **state)
{
    (void)state;
    struct al_db *db = fixture_db();
    struct al_arena a;
    al_arena_init(&a, 0);
    json_t *out = NULL;
    assert_int_equal(assess_store_get_json(db, &a, 1, true, &out), AL_OK);
    assert_int_equal(json_array_size(json_object_get(out, "signatures")), 1);
    assert_int_equal(json_array_size(json_object_get(out, "history")), 1);
    json_decref(out);
    al_arena_fini(&a);
    al_db_close(db);
}

/*
 * Bug of issue 10: a failing signatures query had its status overwritten by
 * the events query, so the record answered 200 with no signatures.  The table
 * is renamed after the statements are cached: the next step fails.
 */
static void
failing_second_query_is_an_error_not_a_cut_list(void **state)
{
    (void)state;
    for (int which = 0; which < 2; which++) {
        struct al_db *db = fixture_db();
        struct al_arena a;
        al_arena_init(&a, 0);
        json_t *out = NULL;
        assert_int_equal(assess_store_get_json(db, &a, 1, true, &out), AL_OK);
        json_decref(out);
        out = NULL;
        assert_int_equal(al_db_exec(db, which == 0
            ? "ALTER TABLE assessment_signatures RENAME TO gone"
            : "ALTER TABLE assessment_events RENAME TO gone"), AL_OK);
        al_log_set_level(AL_LOG_ERROR + 1); /* the expected error is not printed */
        int rc = assess_store_get_json(db, &a, 1, true, &out);
        al_log_set_level(AL_LOG_INFO);
        assert_int_equal(rc, AL_EDB);
        assert_null(out);
        al_arena_fini(&a);
        al_db_close(db);
    }
}

/* ---- the workflow on both engines ---- */

static const char fixture_people[] =
    "INSERT INTO users(id, username, display_name, role_id, region_code, password_hash,"
    " created_at, updated_at) VALUES (7, 'a1', '评估员甲', 'assessor', '520327001', 'x', 0, 0),"
    " (8, 'a2', '评估员乙', 'assessor', '520327002', 'x', 0, 0),"
    " (9, 'officer', '民政员', 'admin', '520327', 'x', 0, 0);"
    "INSERT INTO elders(id, region_code, name, sex, birth_date, id_hash, id_enc, id_masked,"
    " address, created_at, updated_at, status) VALUES (3, '520327001001', '王芳', 'F',"
    " '1940-01-01', 'h3', 'e', '520327********0000', '一号', 0, 0, 'active'),"
    " (4, '520327002001', '李强', 'M', '1938-05-01', 'h4', 'e', '520327********0001', '二号',"
    " 0, 0, 'moved_out');";

enum { NOW = 1750000000 };

/* A full form: every item at its maximum but the first three, one diagnosis of dementia. */
static void
full_form(struct assess_record *rec, json_t *items, const struct assess_settings *s)
{
    struct assess_input in;
    memset(&in, 0, sizeof(in));
    json_array_clear(items);
    for (int i = 0; i < ASSESS_ITEMS; i++) {
        in.items[i] = i < 3 ? 0 : assess_items[i].max;
        json_array_append_new(items, json_integer(in.items[i]));
    }
    in.dementia = true;
    rec->items = items;
    rec->computed = true;
    assess_compute(&in, s, &rec->result);
}

/* The records read back, in one object (what both engines must agree on). */
static json_t *
snapshot(struct al_db *db, struct al_arena *a, int64_t id)
{
    json_t *snap = json_object(), *rec = NULL, *history = json_array(), *list = json_array(),
           *requests = json_array(), *assessors = json_array(), *needs = NULL;
    int64_t total = -1;
    assert_int_equal(assess_store_get_json(db, a, id, true, &rec), AL_OK);
    assert_int_equal(assess_store_history(db, a, 3, true, history), AL_OK);
    struct assess_filter f = {.scope = "520327", .limit = 10};
    assert_int_equal(assess_store_list(db, a, &f, list, &total), AL_OK);
    assert_int_equal(assess_store_requests(db, a, "520327", NULL, false, requests), AL_OK);
    assert_int_equal(assess_store_assessors(db, "520327", "2025-06-01", assessors), AL_OK);
    assert_int_equal(assess_store_needs(db, 3, &needs), AL_OK);
    json_object_set_new(snap, "record", rec);
    json_object_set_new(snap, "history", history);
    json_object_set_new(snap, "list", list);
    json_object_set_new(snap, "total", json_integer(total));
    json_object_set_new(snap, "requests", requests);
    json_object_set_new(snap, "assessors", assessors);
    json_object_set_new(snap, "needs", needs);
    return snap;
}

/*
 * Every store function of the workflow on a freshly migrated database holding
 * only fixture_people; returns the snapshot of what it reads back at the end.
 */
static json_t *
workflow(struct al_db *db)
{
    struct al_arena a;
    al_arena_init(&a, 0);
    assert_int_equal(al_db_exec(db, fixture_people), AL_OK);
    struct assess_settings s;
    assert_int_equal(assess_settings_load(db, &s), AL_OK);
    assert_int_equal(s.assessors, 2);
    assert_int_equal(s.validity_months, 12);

    /* A draft saved as the assessor goes: one item not answered yet. */
    json_t *items = json_array(), *dx = json_pack("[s]", "F03");
    for (int i = 0; i < ASSESS_ITEMS; i++)
        json_array_append_new(items, i == 5 ? json_null() : json_integer(0));
    struct assess_record rec = {.elder_id = 3, .user_id = 7, .region_code = "520327001001",
        .reason = "first", .items = items, .diagnoses = dx, .organisation = "评估中心",
        .assessed_on = "2025-01-10"};
    int64_t id = 0, old = 0;
    assert_int_equal(assess_store_insert(db, &rec, NOW, &id), AL_OK);
    assert_true(id > 0);
    struct assess_row row;
    assert_int_equal(assess_store_row(db, &a, id, &row), AL_OK);
    assert_string_equal(row.status, "draft");
    assert_int_equal(row.version, 1);
    assert_false(row.complete);
    assert_int_equal(row.final_level, -1);
    assert_int_equal(row.request_id, 0);
    assert_string_equal(json_string_value(json_object_get(row.form_json, "diagnoses")),
        "[\"F03\"]");
    assert_true(json_is_null(json_object_get(row.form_json, "place")));
    json_decref(row.form_json);
    assert_int_equal(assess_store_row(db, &a, id + 100, &row), AL_ENOTFOUND);

    /* The form saved whole: written once; the same form again writes nothing; stale is 409. */
    bool changed = false;
    full_form(&rec, items, &s);
    assert_int_equal(assess_store_update_form(db, id, 1, &rec, NOW + 10, &changed), AL_OK);
    assert_true(changed);
    assert_int_equal(assess_store_update_form(db, id, 2, &rec, NOW + 20, &changed), AL_OK);
    assert_false(changed);
    rec.place = "老人家中";
    assert_int_equal(assess_store_update_form(db, id, 1, &rec, NOW + 20, &changed),
        AL_ECONFLICT);
    assert_false(changed);
    assert_int_equal(assess_store_row(db, &a, id, &row), AL_OK);
    json_decref(row.form_json);
    assert_int_equal(row.version, 2);
    assert_true(row.complete);
    assert_int_equal(row.final_level, rec.result.final);

    /* Qualifications (the second registration replaces the first), then two signatures. */
    assert_int_equal(assess_store_qualify(db, 7, "C-0", NULL, "2025-03-01", 9, NOW), AL_OK);
    assert_int_equal(assess_store_qualify(db, 7, "C-7", "省民政厅", "2027-01-01", 9, NOW), AL_OK);
    assert_int_equal(assess_store_qualify(db, 8, "C-8", NULL, "2025-05-01", 9, NOW), AL_OK);
    const char *cert = NULL, *expires = NULL;
    assert_int_equal(assess_store_qualification(db, &a, 7, &cert, &expires), AL_OK);
    assert_string_equal(cert, "C-7");
    assert_string_equal(expires, "2027-01-01");
    assert_int_equal(assess_store_qualification(db, &a, 9, &cert, &expires), AL_ENOTFOUND);
    assert_null(cert);
    assert_int_equal(assess_store_sign(db, id, 7, "C-7", NOW + 30), AL_OK);
    assert_int_equal(assess_store_sign(db, id, 7, "C-7", NOW + 31), AL_ECONFLICT);
    assert_int_equal(assess_store_sign(db, id, 8, "C-8", NOW + 32), AL_OK);
    int count = 0;
    bool mine = false;
    assert_int_equal(assess_store_signed(db, id, 8, &count, &mine), AL_OK);
    assert_int_equal(count, 2);
    assert_true(mine);
    assert_int_equal(assess_store_signed(db, id, 9, &count, &mine), AL_OK);
    assert_false(mine);

    /* Submit and review: each step on the current version only. */
    assert_int_equal(assess_store_set_status(db, id, 2, "submitted", NULL, NOW + 40), AL_OK);
    assert_int_equal(assess_store_set_status(db, id, 2, "reviewed", NULL, NOW + 41),
        AL_ECONFLICT);
    struct assess_status_extra review = {.review_note = "同意"};
    assert_int_equal(assess_store_set_status(db, id, 3, "reviewed", &review, NOW + 42), AL_OK);
    assert_int_equal(assess_store_event(db, id, "approve", 9, "officer", "同意", NOW + 42), AL_OK);

    /* An earlier result of the same elder, published, then superseded by this one. */
    struct assess_record prev = rec;
    prev.assessed_on = "2024-01-05";
    prev.place = NULL;
    assert_int_equal(assess_store_insert(db, &prev, NOW - 1000, &old), AL_OK);
    struct assess_status_extra pub_old = {.valid_until = "2025-01-05", .published = true};
    assert_int_equal(assess_store_set_status(db, old, -1, "published", &pub_old, NOW - 900),
        AL_OK);
    int64_t later = -1;
    const char *later_on = NULL;
    assert_int_equal(assess_store_later_result(db, &a, 3, id, "2025-01-10", &later, &later_on),
        AL_OK);
    assert_int_equal(later, 0);
    assert_null(later_on);
    char until[11];
    assert_true(assess_valid_until("2025-01-10", s.validity_months, until));
    struct assess_status_extra pub = {.valid_until = until, .published = true};
    assert_int_equal(assess_store_set_status(db, id, 4, "published", &pub, NOW + 50), AL_OK);
    assert_int_equal(assess_store_supersede(db, 3, id, 9, "officer", NOW + 50), AL_OK);
    assert_int_equal(assess_store_row(db, &a, old, &row), AL_OK);
    json_decref(row.form_json);
    assert_string_equal(row.status, "superseded");
    assert_int_equal(row.version, 3);
    /* RULE-ASSESS-019: the old one now has a later result in force. */
    assert_int_equal(assess_store_later_result(db, &a, 3, old, "2024-01-05", &later, &later_on),
        AL_OK);
    assert_int_equal(later, id);
    assert_string_equal(later_on, "2025-01-10");

    /* The due list (RULE-ASSESS-013): valid until 2026-01-10. */
    json_t *due = json_array();
    assert_int_equal(assess_store_due(db, "520327", "2025-12-20", 30, due), AL_OK);
    assert_int_equal(json_array_size(due), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(due, 0), "days_left")),
        21);
    assert_true(json_is_false(json_object_get(json_array_get(due, 0), "expired")));
    json_array_clear(due);
    assert_int_equal(assess_store_due(db, "520327", "2025-12-20", 20, due), AL_OK);
    assert_int_equal(json_array_size(due), 0);
    assert_int_equal(assess_store_due(db, "520327", "2026-02-01", 0, due), AL_OK);
    assert_int_equal(json_array_size(due), 1);
    assert_true(json_is_true(json_object_get(json_array_get(due, 0), "expired")));
    json_array_clear(due);
    assert_int_equal(assess_store_due(db, "520328", "2026-02-01", 0, due), AL_OK);
    assert_int_equal(json_array_size(due), 0);
    json_decref(due);

    /* A dispute: the result stays, a re-assessment request opens. */
    struct assess_status_extra disputed = {.disputed_reason = "家属认为等级偏低"};
    assert_int_equal(assess_store_set_status(db, id, 5, "disputed", &disputed, NOW + 60), AL_OK);
    struct assess_request q = {.elder_id = 3, .disputed_id = id, .user_id = 9,
        .region_code = "520327001001", .reason = "reassessment", .source = "dispute",
        .note = "家属认为等级偏低"};
    int64_t req = 0, req2 = 0;
    assert_int_equal(assess_store_request_create(db, &q, NOW + 60, &req), AL_OK);
    assert_true(req > 0);
    struct assess_request got;
    const char *status = NULL;
    assert_int_equal(assess_store_request_get(db, &a, req, &got, &status), AL_OK);
    assert_string_equal(status, "open");
    assert_int_equal(got.disputed_id, id);
    assert_string_equal(got.source, "dispute");
    /* A request for the elder who moved out is listed, but not among the due. */
    struct assess_request moved = {.elder_id = 4, .region_code = "520327002001",
        .reason = "immediate", .source = "officer"};
    assert_int_equal(assess_store_request_create(db, &moved, NOW + 61, &req2), AL_OK);
    json_t *open = json_array();
    assert_int_equal(assess_store_requests(db, &a, "520327", "open", true, open), AL_OK);
    assert_int_equal(json_array_size(open), 1);
    json_array_clear(open);
    assert_int_equal(assess_store_requests(db, &a, "520327", "open", false, open), AL_OK);
    assert_int_equal(json_array_size(open), 2);
    json_decref(open);
    assert_int_equal(assess_store_request_done(db, req2, id, NOW + 62), AL_OK);

    /* Legacy results: the same one twice is recorded once. */
    struct assess_legacy l = {.elder_id = 3, .user_id = 9, .region_code = "520327001001",
        .assessed_on = "2024-06-01", .reference = "旧-1", .level = 2, .adl_score = -1};
    int64_t lid = 0;
    assert_int_equal(assess_store_legacy_insert(db, &l, NOW, &lid), AL_OK);
    assert_true(lid > 0);
    assert_int_equal(assess_store_legacy_insert(db, &l, NOW, &lid), AL_OK);
    assert_int_equal(lid, 0);

    /* The user behind a qualification, and a list narrowed by filters. */
    const char *region = NULL;
    bool assessor = true;
    assert_int_equal(assess_store_user(db, &a, 7, &region, &assessor), AL_OK);
    assert_string_equal(region, "520327001");
    assert_true(assessor);
    assert_int_equal(assess_store_user(db, &a, 9, &region, &assessor), AL_OK);
    assert_false(assessor);
    assert_int_equal(assess_store_user(db, &a, 99, &region, &assessor), AL_ENOTFOUND);
    struct assess_filter f = {.scope = "520327", .status = "disputed", .region = "520327001",
        .limit = 10, .results_only = true};
    json_t *list = json_array();
    int64_t total = -1;
    assert_int_equal(assess_store_list(db, &a, &f, list, &total), AL_OK);
    assert_int_equal(total, 1);
    assert_int_equal(json_array_size(list), 1);
    f.region = "520327002";
    json_array_clear(list);
    assert_int_equal(assess_store_list(db, &a, &f, list, &total), AL_OK);
    assert_int_equal(total, 0);
    json_decref(list);

    json_t *snap = snapshot(db, &a, id);
    json_t *record = json_object_get(snap, "record");
    assert_int_equal(json_array_size(json_object_get(record, "signatures")), 2);
    assert_int_equal(json_array_size(json_object_get(record, "history")), 1);
    assert_string_equal(json_string_value(json_object_get(record, "status")), "disputed");
    assert_int_equal(json_array_size(json_object_get(snap, "history")), 3); /* with the legacy */
    assert_int_equal(assess_store_clear_signatures(db, id), AL_OK);
    assert_int_equal(assess_store_signed(db, id, 7, &count, &mine), AL_OK);
    assert_int_equal(count, 0);
    json_decref(items);
    json_decref(dx);
    al_arena_fini(&a);
    return snap;
}

static json_t *
run_workflow(struct al_db *db, void *arg)
{
    (void)arg;
    return workflow(db);
}

/* The same records, field for field, on both engines (times come from the caller). */
static void
workflow_on_sqlite_and_postgresql(void **state)
{
    (void)state;
    dual_same(run_workflow, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_record_reads_signatures_and_history),
        cmocka_unit_test(failing_second_query_is_an_error_not_a_cut_list),
        cmocka_unit_test(workflow_on_sqlite_and_postgresql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
