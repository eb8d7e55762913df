/*
 * src/core/jobs.c on both engines: two "servers" (two connections, two
 * threads) racing to claim jobs each claim every job exactly once; a lease
 * that ends makes the job fail; a live lease is left alone; at start a server
 * fails only its own jobs and expired leases (RULE-JOB-001..006).
 * The PostgreSQL group runs on the throwaway server `make unit` starts.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "core/db.h"
#include "core/events.h"
#include "core/jobs.h"
#include "core/jobs_int.h"
#include "core/json.h"
#include "dual.h"
#include "unit.h"

static enum dual_engine engine; /* the engine of the running group */

/* A fresh migrated database of `e` that every connection of the group reaches. */
static int
setup(enum dual_engine e)
{
    struct al_db *db = dual_open(e);
    if (!db)
        return -1;
    al_db_close(db);
    engine = e;
    return 0;
}

static int
sqlite_setup(void **state)
{
    (void)state;
    al_json_init();
    return setup(DUAL_SQLITE_FILE); /* a file: two connections reach it */
}

static int
pg_setup(void **state)
{
    (void)state;
    return setup(DUAL_PG);
}

static struct al_db *
open_db(void)
{
    struct al_db *db = dual_open_again(engine);
    assert_non_null(db);
    return db;
}

static void
clear_jobs(struct al_db *db)
{
    assert_int_equal(al_db_exec(db, "DELETE FROM jobs"), AL_OK);
}

static int64_t
queue(struct al_db *db, const char *origin, int64_t now)
{
    int64_t id = 0, arg = now;
    assert_int_equal(al_jobs_insert(db, origin, "test.kind", 7, &arg, sizeof(arg), now, &id),
        AL_OK);
    assert_true(id > 0);
    return id;
}

/* status and error of job `id`, copied into the caller's buffers */
static void
state_of(struct al_db *db, int64_t id, char *status, char *error)
{
    static const char sql[] = "SELECT status, coalesce(error, '') FROM jobs WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    assert_int_equal(al_stmt_one(st), AL_OK);
    snprintf(status, 16, "%s", al_stmt_text(st, 0));
    snprintf(error, 128, "%s", al_stmt_text(st, 1));
    al_stmt_reset(st);
}

#define N_JOBS 120

static pthread_barrier_t go;

struct claimer {
    const char *name;
    int64_t ids[N_JOBS];
    int n, errors;
};

static void *
claim_all(void *arg)
{
    struct claimer *c = arg;
    struct al_db *db = dual_open_again(engine);
    if (!db) {
        c->errors++;
        pthread_barrier_wait(&go);
        return NULL;
    }
    pthread_barrier_wait(&go); /* both connections open: start together */
    for (;;) {
        struct al_jobs_claim got;
        int rc = al_jobs_claim(db, c->name, 1000, 30, &got);
        if (rc == AL_ENOTFOUND)
            break;
        if (rc != AL_OK) {
            if (++c->errors > 50)
                break;
            continue;
        }
        /* The argument comes back byte for byte. */
        if (got.arg_size != sizeof(int64_t) || *(int64_t *)got.arg != 1000)
            c->errors++;
        free(got.arg);
        if (c->n < N_JOBS)
            c->ids[c->n++] = got.id;
        usleep(200); /* a little work, so that the other server gets its turns */
    }
    al_db_close(db);
    return NULL;
}

/* RULE-JOB-001: two servers race; each job is claimed by exactly one of them. */
static void
two_servers_claim_each_job_once(void **state)
{
    (void)state;
    struct al_db *db = open_db();
    clear_jobs(db);
    int64_t first = 0;
    for (int i = 0; i < N_JOBS; i++) {
        int64_t id = queue(db, "A", 1000);
        if (!first)
            first = id;
    }
    struct claimer a = {.name = "A"}, b = {.name = "B"};
    pthread_t ta, tb;
    pthread_barrier_init(&go, NULL, 2);
    assert_int_equal(pthread_create(&ta, NULL, claim_all, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, claim_all, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&go);
    assert_int_equal(a.errors, 0);
    assert_int_equal(b.errors, 0);
    assert_int_equal(a.n + b.n, N_JOBS);
    static int seen[N_JOBS];
    memset(seen, 0, sizeof(seen));
    struct claimer *cs[] = {&a, &b};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < cs[k]->n; i++) {
            int64_t off = cs[k]->ids[i] - first;
            assert_true(off >= 0 && off < N_JOBS);
            seen[off]++;
        }
    for (int i = 0; i < N_JOBS; i++)
        assert_int_equal(seen[i], 1);
    /* The table agrees on who holds each job. */
    int64_t n = -1;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM jobs WHERE status = 'running'"
                                     " AND server = ? AND lease_until = 1030", "A", &n), AL_OK);
    assert_int_equal(n, a.n);
    fprintf(stderr, "   %s: A claimed %d, B claimed %d of %d\n", al_db_is_pg(db) ? "pg" : "sqlite",
        a.n, b.n, N_JOBS);
    struct al_jobs_claim none;
    assert_int_equal(al_jobs_claim(db, "C", 1000, 30, &none), AL_ENOTFOUND);
    al_db_close(db);
}

/* RULE-JOB-002, RULE-JOB-003, RULE-JOB-004: live leases stay; an expired one fails the job. */
static void
lease_expiry_fails_the_job(void **state)
{
    (void)state;
    struct al_db *a = open_db(), *b = open_db();
    clear_jobs(a);
    int64_t id = queue(a, "A", 1000);
    struct al_jobs_claim c;
    assert_int_equal(al_jobs_claim(a, "A", 1000, 30, &c), AL_OK);
    assert_int_equal(c.id, id);
    free(c.arg);
    int64_t ids[4];
    int n = -1;
    char status[16], error[128];
    /* B sweeps while A's lease is live: nothing happens. */
    assert_int_equal(al_jobs_sweep(b, "B", 1029, ids, 4, &n), AL_OK);
    assert_int_equal(n, 0);
    /* A renews with its progress; the old deadline passes, the job still runs. */
    assert_int_equal(al_jobs_renew(a, "A", id, 1025, 30, "校验中", 5, 10), AL_OK);
    assert_int_equal(al_jobs_sweep(b, "B", 1040, ids, 4, &n), AL_OK);
    assert_int_equal(n, 0);
    state_of(b, id, status, error);
    assert_string_equal(status, "running");
    /* Another server reads the progress A wrote. */
    int64_t owner = 0;
    json_t *j = NULL;
    assert_int_equal(al_jobs_get(b, id, &j, &owner), AL_OK);
    assert_non_null(j);
    assert_int_equal(owner, 7);
    assert_string_equal(json_string_value(json_object_get(j, "phase")), "校验中");
    assert_int_equal(json_integer_value(json_object_get(j, "done")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 10);
    json_decref(j);
    /* A never sweeps its own job, even past the lease. */
    assert_int_equal(al_jobs_sweep(a, "A", 5000, ids, 4, &n), AL_OK);
    assert_int_equal(n, 0);
    /* A stops renewing: B's sweep after the lease fails it with the reason. */
    assert_int_equal(al_jobs_sweep(b, "B", 1056, ids, 4, &n), AL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], id);
    state_of(b, id, status, error);
    assert_string_equal(status, "failed");
    assert_string_equal(error, AL_JOBS_LOST);
    /* A late finish and renewal by A change nothing: failed stays failed (never run twice). */
    assert_int_equal(al_jobs_finish(a, "A", id, 1060, "done", "{}", NULL), AL_OK);
    assert_int_equal(al_db_changes(a), 0);
    assert_int_equal(al_jobs_renew(a, "A", id, 1061, 30, "x", 0, 0), AL_OK);
    assert_int_equal(al_db_changes(a), 0);
    state_of(b, id, status, error);
    assert_string_equal(status, "failed");
    /* A failed job is not claimed again. */
    struct al_jobs_claim none;
    assert_int_equal(al_jobs_claim(b, "B", 1100, 30, &none), AL_ENOTFOUND);
    /* The lease length comes from the settings table, at least 3 s (RULE-JOB-005). */
    assert_int_equal(al_jobs_lease_seconds(a), 30);
    assert_int_equal(al_db_exec(a, "UPDATE settings SET value = '1' WHERE key = 'jobs.lease_seconds'"),
        AL_OK);
    assert_int_equal(al_jobs_lease_seconds(a), 3);
    assert_int_equal(al_db_exec(a, "UPDATE settings SET value = '30' WHERE key = 'jobs.lease_seconds'"),
        AL_OK);
    al_db_close(a);
    al_db_close(b);
}

/* RULE-JOB-006: at start a server fails its own left jobs and expired leases, nobody else's. */
static void
start_fails_only_own_and_expired(void **state)
{
    (void)state;
    struct al_db *db = open_db();
    clear_jobs(db);
    struct al_jobs_claim c;
    int64_t mine_running = queue(db, "A", 1000);
    assert_int_equal(al_jobs_claim(db, "A", 1000, 30, &c), AL_OK);
    free(c.arg);
    int64_t other_live = queue(db, "B", 1000);
    assert_int_equal(al_jobs_claim(db, "B", 1000, 100, &c), AL_OK);
    free(c.arg);
    int64_t other_expired = queue(db, "C", 1000);
    assert_int_equal(al_jobs_claim(db, "C", 1000, 5, &c), AL_OK);
    free(c.arg);
    int64_t mine_queued = queue(db, "A", 1000);
    int64_t other_queued = queue(db, "B", 1000);
    int64_t n = -1;
    assert_int_equal(al_jobs_fail_left(db, "A", 1010, false, &n), AL_OK);
    assert_int_equal(n, 3);
    char status[16], error[128];
    state_of(db, mine_running, status, error);
    assert_string_equal(status, "failed");
    assert_string_equal(error, AL_JOBS_INTERRUPTED);
    state_of(db, mine_queued, status, error);
    assert_string_equal(status, "failed");
    assert_string_equal(error, AL_JOBS_INTERRUPTED);
    state_of(db, other_expired, status, error);
    assert_string_equal(status, "failed");
    assert_string_equal(error, AL_JOBS_LOST);
    state_of(db, other_live, status, error);
    assert_string_equal(status, "running");
    state_of(db, other_queued, status, error);
    assert_string_equal(status, "queued");
    /* One server per SQLite file: everything left open is failed. */
    assert_int_equal(al_jobs_fail_left(db, "A", 1010, true, &n), AL_OK);
    assert_int_equal(n, 2);
    state_of(db, other_live, status, error);
    assert_string_equal(status, "failed");
    assert_string_equal(error, AL_JOBS_INTERRUPTED);
    al_db_close(db);
}

/* ---- the job threads end to end: claim, progress and end as live events ---- */

static int release_job;

static int
waiting_job(struct al_db *db, struct al_job *job, void *arg, json_t **result, struct al_errinfo *e)
{
    (void)db;
    (void)e;
    al_job_progress(job, "测试中", 1, 2);
    while (!__atomic_load_n(&release_job, __ATOMIC_ACQUIRE))
        usleep(5000);
    *result = json_pack("{s:I, s:I}", "arg", (json_int_t)*(int64_t *)arg, "started",
        (json_int_t)al_job_started(job));
    return AL_OK;
}

struct seen {
    struct event_base *base;
    char want[64];
    char last[256];
    int n;
};

static void
on_job_event(void *ctx, const char *channel, const char *payload)
{
    (void)channel;
    struct seen *s = ctx;
    snprintf(s->last, sizeof(s->last), "%s", payload);
    s->n++;
    if (strstr(payload, s->want))
        event_base_loopbreak(s->base);
}

static void
wait_for(struct seen *s, const char *want)
{
    snprintf(s->want, sizeof(s->want), "%s", want);
    for (int i = 0; i < 100 && !strstr(s->last, want); i++) {
        struct timeval tv = {0, 100000};
        event_base_loopexit(s->base, &tv);
        event_base_dispatch(s->base);
    }
}

/* RULE-JOB-001, RULE-JOB-008: submitted, claimed by this server, progress and end published. */
static void
runner_runs_and_publishes(void **state)
{
    (void)state;
    struct al_db *db = open_db();
    clear_jobs(db);
    assert_int_equal(evthread_use_pthreads(), 0);
    assert_int_equal(al_events_start(dual_target(engine)), AL_OK);
    assert_int_equal(al_jobs_start(dual_target(engine), "unit-A", NULL), AL_OK);
    __atomic_store_n(&release_job, 0, __ATOMIC_RELEASE);
    int64_t id = 0, arg = 42, before = (int64_t)time(NULL);
    /* RULE-DB-102: created at the submitting request's time (here a day of 2023) */
    assert_int_equal(al_jobs_submit(db, "test.wait", 7, 1700000000, waiting_job, &arg,
                         sizeof(arg), &id),
        AL_OK);
    char channel[32];
    struct seen s = {.base = event_base_new()};
    struct al_event_sub *sub =
        al_events_subscribe(s.base, al_jobs_channel(id, channel, sizeof(channel)), on_job_event, &s);
    wait_for(&s, "测试中");
    assert_non_null(strstr(s.last, "\"status\":\"running\""));
    assert_non_null(strstr(s.last, "\"done\":1"));
    int64_t owner = 0;
    int64_t n0 = -1;
    json_t *j = NULL;
    assert_int_equal(al_jobs_get(db, id, &j, &owner), AL_OK);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "running");
    assert_string_equal(json_string_value(json_object_get(j, "phase")), "测试中");
    json_decref(j);
    __atomic_store_n(&release_job, 1, __ATOMIC_RELEASE);
    wait_for(&s, "\"status\":\"done\"");
    assert_non_null(strstr(s.last, "\"status\":\"done\""));
    assert_int_equal(al_jobs_get(db, id, &j, &owner), AL_OK);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "done");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"), "arg")), 42);
    /* RULE-DB-102: the job's own time is when it was claimed, read once */
    int64_t started = json_integer_value(json_object_get(json_object_get(j, "result"), "started"));
    assert_true(started >= before && started <= (int64_t)time(NULL));
    json_decref(j);
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM jobs WHERE created_at = 1700000000",
                         NULL, &n0),
        AL_OK);
    assert_int_equal(n0, 1);
    int64_t n = -1;
    assert_int_equal(al_db_count(db, "SELECT count(*) FROM jobs WHERE server = ?"
                                     " AND origin = 'unit-A' AND lease_until IS NULL", "unit-A", &n),
        AL_OK);
    assert_int_equal(n, 1);
    al_events_unsubscribe(sub);
    event_base_free(s.base);
    al_jobs_stop();
    al_events_stop();
    al_db_close(db);
}

/*
 * RULE-DB-115: reading a job tells "no such job" (AL_ENOTFOUND) from a failed read (the
 * database's error), which GET /api/v1/jobs/:id answers 503, never 任务不存在.  The failure is
 * made real: the table is renamed away under the connection (its statement no longer prepares).
 */
static void
job_read_tells_missing_from_failure(void **state)
{
    (void)state;
    struct al_db *db = open_db();
    clear_jobs(db);
    int64_t id = queue(db, "A", 1000), owner = 0;
    json_t *j = NULL;
    assert_int_equal(al_jobs_get(db, id, &j, &owner), AL_OK);
    assert_int_equal(owner, 7);
    json_decref(j);
    assert_int_equal(al_jobs_get(db, id + 1000, &j, &owner), AL_ENOTFOUND);
    assert_null(j);
    assert_int_equal(al_db_exec(db, "ALTER TABLE jobs RENAME TO jobs_away"), AL_OK);
    int rc = al_jobs_get(db, id, &j, &owner);
    assert_int_equal(al_db_exec(db, "ALTER TABLE jobs_away RENAME TO jobs"), AL_OK);
    assert_true(rc == AL_EDB || rc == AL_EUNAVAIL);
    assert_null(j);
    assert_int_equal(al_jobs_get(db, id, &j, &owner), AL_OK);
    json_decref(j);
    clear_jobs(db);
    al_db_close(db);
}

#define ENGINE_TESTS                                                                           \
    cmocka_unit_test(job_read_tells_missing_from_failure),                                     \
        cmocka_unit_test(two_servers_claim_each_job_once),                                     \
        cmocka_unit_test(lease_expiry_fails_the_job),                                          \
        cmocka_unit_test(start_fails_only_own_and_expired),                                    \
        cmocka_unit_test(runner_runs_and_publishes)

int
main(void)
{
    const struct CMUnitTest tests[] = {ENGINE_TESTS};
    int failed = cmocka_run_group_tests_name("jobs on SQLite", tests, sqlite_setup, NULL);
    failed += cmocka_run_group_tests_name("jobs on PostgreSQL", tests, pg_setup, NULL);
    return failed;
}
