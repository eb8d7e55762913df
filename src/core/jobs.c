#include "core/jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/events.h"
#include "core/http.h"
#include "core/jobs_int.h"
#include "core/json.h"
#include "core/log.h"
#include "core/router.h"

#define ARG_MAX (64 * 1024)
#define KINDS_MAX 32
#define POLL_MS 1000     /* how often an idle runner looks for jobs queued by other servers */
#define PUBLISH_MS 250   /* progress events at most this often per job */
#define TICK_MS 250      /* how often the periodic thread looks for due kinds */

struct al_job {
    int64_t id, user_id;
    int64_t started; /* unix seconds: when this server claimed it (the job's time, RULE-DB-044) */
    char kind[32];
    al_job_fn fn;
    void *arg; /* the job's copy, freed with the job */
    /* progress, guarded by the lock */
    char phase[64];
    int64_t done, total;
    unsigned seq; /* bumped by each progress report */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;      /* the runner: a job was queued */
static pthread_cond_t beat_wake = PTHREAD_COND_INITIALIZER; /* the heartbeat: progress, stop */
static pthread_cond_t tick_wake = PTHREAD_COND_INITIALIZER; /* the periodic thread: stop */
static struct {
    char kind[32];
    al_job_fn fn;
    int every_s;       /* > 0: periodic (RULE-SVC-142) */
    int64_t last_run;  /* the last periodic run, unix seconds (periodic thread only) */
} kinds[KINDS_MAX];
static int nkinds;
static struct al_job *running;
static bool stopping, started, poked, ticker_started;
static pthread_t runner, beat, ticker;
static char *db_path_copy;
static char server[128];

/* ---- the table ---------------------------------------------------------------- */

static void
hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int
hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The bytes of `hex` in a new heap buffer; NULL when it is not hex or out of memory. */
static void *
hex_decode(const char *hex, size_t len, size_t *n)
{
    *n = len / 2;
    unsigned char *out = malloc(*n ? *n : 1);
    if (!out || len % 2) {
        free(out);
        return NULL;
    }
    for (size_t i = 0; i < *n; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return out;
}

int
al_jobs_insert(struct al_db *db, const char *origin, const char *kind, int64_t user_id,
    const void *arg, size_t arg_size, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO jobs(kind, user_id, status, created_at, arg, origin,"
                              " phase) VALUES (?, ?, 'queued', ?, ?, ?, '排队中') RETURNING id";
    char *hex = malloc(2 * arg_size + 1);
    if (!hex)
        return AL_EUNAVAIL;
    hex_encode(arg, arg_size, hex);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, kind);
    al_stmt_bind_int(st, 2, user_id);
    al_stmt_bind_int(st, 3, now);
    al_stmt_bind_text(st, 4, hex);
    al_stmt_bind_text(st, 5, origin);
    int rc = al_stmt_int64(st, id);
    free(hex);
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

/*
 * RULE-JOB-001: one statement takes the oldest queued row and marks it running
 * under this server's name.  PostgreSQL: the inner SELECT locks the row and
 * SKIP LOCKED lets a concurrent claimer take the next one instead of waiting;
 * a row already claimed and committed is no longer 'queued'.  SQLite: the
 * same UPDATE without the locking clause (it has none) inside BEGIN IMMEDIATE,
 * the database's single write lock, so claims are serialised.
 */
static const char sql_claim_pg[] =
    "UPDATE jobs SET status = 'running', server = ?1, started_at = ?2, lease_until = ?3,"
    " phase = '开始执行' WHERE id = (SELECT id FROM jobs WHERE status = 'queued'"
    " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " RETURNING id, kind, user_id, arg";
static const char sql_claim_sqlite[] =
    "UPDATE jobs SET status = 'running', server = ?1, started_at = ?2, lease_until = ?3,"
    " phase = '开始执行' WHERE id = (SELECT id FROM jobs WHERE status = 'queued'"
    " ORDER BY id LIMIT 1)"
    " RETURNING id, kind, user_id, arg";

int
al_jobs_claim(struct al_db *db, const char *srv, int64_t now, int64_t lease_s,
    struct al_jobs_claim *out)
{
    memset(out, 0, sizeof(*out));
    /* A read first: an idle runner polling takes no write lock. */
    static const char sql_any[] = "SELECT count(*) FROM (SELECT 1 FROM jobs"
                                  " WHERE status = 'queued' LIMIT 1) q";
    int64_t queued = 0;
    int rc = al_stmt_int64(al_db_sql(db, sql_any), &queued);
    if (rc != AL_OK || queued == 0)
        return rc == AL_OK ? AL_ENOTFOUND : rc;
    rc = al_db_begin(db);
    if (rc != AL_OK)
        return rc;
    struct al_stmt *st = al_db_sql(db, al_db_is_pg(db) ? sql_claim_pg : sql_claim_sqlite);
    al_stmt_bind_text(st, 1, srv);
    al_stmt_bind_int(st, 2, now);
    al_stmt_bind_int(st, 3, now + lease_s);
    rc = al_stmt_one(st);
    if (rc == AL_OK) {
        out->id = al_stmt_int(st, 0);
        snprintf(out->kind, sizeof(out->kind), "%s", al_stmt_text(st, 1) ? al_stmt_text(st, 1) : "");
        out->user_id = al_stmt_int(st, 2);
        const char *hex = al_stmt_text(st, 3);
        out->arg = hex_decode(hex ? hex : "", al_stmt_len(st, 3), &out->arg_size);
        al_stmt_reset(st);
        /* A row without a readable argument is still claimed: the runner fails it. */
    }
    rc = al_db_end(db, rc);
    if (rc != AL_OK) {
        free(out->arg);
        out->arg = NULL;
    }
    return rc;
}

int
al_jobs_renew(struct al_db *db, const char *srv, int64_t id, int64_t now, int64_t lease_s,
    const char *phase, int64_t done, int64_t total)
{
    static const char sql[] = "UPDATE jobs SET lease_until = ?, phase = ?, progress_done = ?,"
                              " progress_total = ? WHERE id = ? AND server = ?"
                              " AND status = 'running'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, now + lease_s);
    al_stmt_bind_text(st, 2, phase);
    al_stmt_bind_int(st, 3, done);
    al_stmt_bind_int(st, 4, total);
    al_stmt_bind_int(st, 5, id);
    al_stmt_bind_text(st, 6, srv);
    return al_stmt_run(st);
}

int
al_jobs_finish(struct al_db *db, const char *srv, int64_t id, int64_t now, const char *status,
    const char *result, const char *error)
{
    static const char sql[] = "UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?,"
                              " lease_until = NULL WHERE id = ? AND server = ?"
                              " AND status = 'running'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, status);
    al_stmt_bind_text(st, 2, result);
    al_stmt_bind_text(st, 3, error);
    al_stmt_bind_int(st, 4, now);
    al_stmt_bind_int(st, 5, id);
    al_stmt_bind_text(st, 6, srv);
    return al_stmt_run(st);
}

int
al_jobs_sweep(struct al_db *db, const char *srv, int64_t now, int64_t *ids, int max, int *n)
{
    /* RULE-JOB-004: another server's job whose lease passed; never this server's own (it knows
       whether it still runs them: a long write lock must not make it fail its own job). */
    static const char sql[] = "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?,"
                              " phase = '失败' WHERE status = 'running' AND lease_until < ?"
                              " AND server <> ? RETURNING id";
    *n = 0;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, AL_JOBS_LOST);
    al_stmt_bind_int(st, 2, now);
    al_stmt_bind_int(st, 3, now);
    al_stmt_bind_text(st, 4, srv);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        if (*n < max)
            ids[(*n)++] = al_stmt_int(st, 0);
    return rc;
}

int
al_jobs_fail_left(struct al_db *db, const char *srv, int64_t now, bool all, int64_t *n)
{
    static const char sql_own[] =
        "UPDATE jobs SET status = 'failed', finished_at = ?1, phase = '失败',"
        " error = CASE WHEN status = 'running' AND server <> ?2 THEN ?4 ELSE ?3 END"
        " WHERE (status = 'running' AND (server = ?2 OR lease_until < ?1))"
        " OR (status = 'queued' AND origin = ?2)";
    static const char sql_all[] = "UPDATE jobs SET status = 'failed', finished_at = ?1,"
                                  " phase = '失败', error = ?2 WHERE status IN ('queued', 'running')";
    *n = 0;
    struct al_stmt *st = al_db_sql(db, all ? sql_all : sql_own);
    al_stmt_bind_int(st, 1, now);
    if (all) {
        al_stmt_bind_text(st, 2, AL_JOBS_INTERRUPTED);
    } else {
        al_stmt_bind_text(st, 2, srv);
        al_stmt_bind_text(st, 3, AL_JOBS_INTERRUPTED);
        al_stmt_bind_text(st, 4, AL_JOBS_LOST);
    }
    int rc = al_stmt_run(st);
    if (rc == AL_OK)
        *n = al_db_changes(db);
    return rc;
}

int
al_jobs_periodic_lease(struct al_db *db, const char *kind, const char *srv, int64_t now,
    int64_t lease_s)
{
    /* RULE-ALARM-061: one statement; the row comes back only when this server holds it. */
    static const char sql[] =
        "INSERT INTO periodic_leases(kind, server, lease_until) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (kind) DO UPDATE SET server = excluded.server,"
        " lease_until = excluded.lease_until"
        " WHERE periodic_leases.server = excluded.server OR periodic_leases.lease_until < ?4"
        " RETURNING server";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, kind);
    al_stmt_bind_text(st, 2, srv);
    al_stmt_bind_int(st, 3, now + lease_s);
    al_stmt_bind_int(st, 4, now);
    int rc = al_stmt_one(st);
    if (rc == AL_OK)
        al_stmt_reset(st);
    return rc;
}

int
al_jobs_periodic_release(struct al_db *db, const char *srv)
{
    struct al_stmt *st = al_db_sql(db, "DELETE FROM periodic_leases WHERE server = ?");
    al_stmt_bind_text(st, 1, srv);
    return al_stmt_run(st);
}

int64_t
al_jobs_lease_seconds(struct al_db *db)
{
    static const char sql[] = "SELECT value FROM settings WHERE key = 'jobs.lease_seconds'";
    struct al_stmt *st = al_db_sql(db, sql);
    int64_t v = 30;
    if (al_stmt_one(st) == AL_OK) {
        const char *t = al_stmt_text(st, 0);
        v = t ? strtoll(t, NULL, 10) : 30;
        al_stmt_reset(st);
    }
    return v < 3 ? 3 : v; /* RULE-JOB-005 */
}

/* ---- the threads ------------------------------------------------------------------ */

const char *
al_jobs_channel(int64_t id, char *out, size_t size)
{
    snprintf(out, size, "job.%lld", (long long)id);
    return out;
}

bool
al_jobs_finished(const char *status)
{
    return status && (!strcmp(status, "done") || !strcmp(status, "failed"));
}

/* RULE-JOB-008: a job's state as a live event {id, status, phase, done, total}. */
static void
publish_state(struct al_db *db, int64_t id, const char *status, const char *phase, int64_t done,
    int64_t total)
{
    char channel[32];
    json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)id, "status", status,
        "phase", phase, "done", (json_int_t)done, "total", (json_int_t)total);
    char *text = j ? al_json_dump_heap(j) : NULL;
    if (text)
        al_events_publish(db, al_jobs_channel(id, channel, sizeof(channel)), text);
    free(text);
    json_decref(j);
}

static al_job_fn
kind_fn(const char *kind)
{
    al_job_fn fn = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nkinds && !fn; i++)
        if (!strcmp(kinds[i].kind, kind))
            fn = kinds[i].fn;
    pthread_mutex_unlock(&lock);
    return fn;
}

int
al_jobs_register(const char *kind, al_job_fn fn)
{
    if (strlen(kind) >= sizeof(kinds[0].kind))
        return AL_EUNAVAIL;
    int rc = AL_OK;
    pthread_mutex_lock(&lock);
    int i = 0;
    while (i < nkinds && strcmp(kinds[i].kind, kind))
        i++;
    if (i == nkinds && nkinds == KINDS_MAX) {
        rc = AL_EUNAVAIL;
    } else {
        snprintf(kinds[i].kind, sizeof(kinds[i].kind), "%s", kind);
        kinds[i].fn = fn;
        if (i == nkinds)
            nkinds++;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* RULE-SVC-142: kind `kind` (registered) runs every `every_s` seconds (0: only when submitted). */
static int
al_jobs_every(const char *kind, int every_s)
{
    int rc = AL_ENOTFOUND;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nkinds; i++)
        if (!strcmp(kinds[i].kind, kind)) {
            kinds[i].every_s = every_s;
            kinds[i].last_run = 0;
            rc = AL_OK;
        }
    pthread_mutex_unlock(&lock);
    return rc;
}

static void
run_claimed(struct al_db *db, struct al_jobs_claim *c, int64_t claimed_at)
{
    struct al_job *j = calloc(1, sizeof(*j));
    al_job_fn fn = kind_fn(c->kind);
    if (!j || !fn || !c->arg) {
        al_error("job %lld (%s): cannot run it here", (long long)c->id, c->kind);
        al_jobs_finish(db, server, c->id, (int64_t)time(NULL), "failed", NULL,
            fn ? "任务参数无法读取" : "本服务不能执行该类任务");
        publish_state(db, c->id, "failed", "失败", 0, 0);
        free(j);
        free(c->arg);
        return;
    }
    j->id = c->id;
    j->user_id = c->user_id;
    j->started = claimed_at;
    snprintf(j->kind, sizeof(j->kind), "%s", c->kind);
    snprintf(j->phase, sizeof(j->phase), "开始执行");
    j->fn = fn;
    j->arg = c->arg;
    pthread_mutex_lock(&lock);
    running = j;
    pthread_cond_signal(&beat_wake);
    pthread_mutex_unlock(&lock);
    publish_state(db, j->id, "running", j->phase, 0, 0);

    json_t *result = NULL;
    struct al_errinfo e = {0};
    int rc = j->fn(db, j, j->arg, &result, &e);
    char *text = result ? al_json_dump_heap(result) : NULL;
    const char *status = rc == AL_OK ? "done" : "failed";
    /* RULE-JOB-003: recorded only while this server still holds the job. */
    if (al_jobs_finish(db, server, j->id, (int64_t)time(NULL), status, text,
            rc == AL_OK ? NULL : e.message[0] ? e.message : "任务失败") != AL_OK)
        al_error("job %lld: cannot record status %s", (long long)j->id, status);
    al_info("job %lld (%s) %s", (long long)j->id, j->kind, status);
    free(text);
    json_decref(result);

    pthread_mutex_lock(&lock);
    running = NULL;
    int64_t done = j->done, total = j->total;
    pthread_mutex_unlock(&lock);
    publish_state(db, j->id, status, rc == AL_OK ? "已完成" : "失败", done, total); /* RULE-JOB-008 */
    free(j->arg);
    free(j);
}

static void
deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static bool
is_stopping(void)
{
    pthread_mutex_lock(&lock);
    bool stop = stopping;
    pthread_mutex_unlock(&lock);
    return stop;
}

/*
 * RULE-SVC-142: the periodic kinds that are due run here, one after the other, on the periodic
 * thread (RULE-ALARM-060).
 */
static void
run_periodic(struct al_db *db)
{
    for (int i = 0; i < KINDS_MAX && !is_stopping(); i++) {
        pthread_mutex_lock(&lock);
        bool due = false;
        struct al_job j = {0};
        int64_t t = (int64_t)time(NULL);
        if (i < nkinds && kinds[i].every_s > 0 && t - kinds[i].last_run >= kinds[i].every_s) {
            due = true;
            kinds[i].last_run = t;
            j.fn = kinds[i].fn;
            memcpy(j.kind, kinds[i].kind, sizeof(j.kind));
        }
        pthread_mutex_unlock(&lock);
        if (!due)
            continue;
        j.started = t;
        json_t *result = NULL;
        struct al_errinfo e = {0};
        if (j.fn(db, &j, NULL, &result, &e) != AL_OK)
            al_warn("periodic %s: %s", j.kind, e.message[0] ? e.message : "failed");
        json_decref(result);
    }
}

static void *
runner_main(void *unused)
{
    (void)unused;
    struct al_db *db = NULL;
    if (al_db_open(db_path_copy, &db) != AL_OK) {
        al_error("job thread: cannot open the database");
        return NULL;
    }
    int64_t lease = al_jobs_lease_seconds(db);
    for (;;) {
        pthread_mutex_lock(&lock);
        if (!poked && !stopping) {
            struct timespec ts;
            deadline_in(&ts, POLL_MS);
            pthread_cond_timedwait(&wake, &lock, &ts);
        }
        poked = false;
        bool stop = stopping;
        pthread_mutex_unlock(&lock);
        if (stop)
            break;
        struct al_jobs_claim c;
        int64_t t;
        while (!is_stopping() && al_jobs_claim(db, server, t = (int64_t)time(NULL), lease, &c) ==
                                     AL_OK)
            run_claimed(db, &c, t);
    }
    al_db_close(db);
    return NULL;
}

/*
 * The periodic thread, on its own connection (RULE-ALARM-060): the due periodic kinds every
 * TICK_MS, whatever job the runner is busy with; at the stop, this server's leases go.
 */
static void *
ticker_main(void *unused)
{
    (void)unused;
    struct al_db *db = NULL;
    if (al_db_open(db_path_copy, &db) != AL_OK) {
        al_error("periodic job thread: cannot open the database");
        return NULL;
    }
    al_db_busy_timeout(db, 5000);
    for (;;) {
        pthread_mutex_lock(&lock);
        struct timespec ts;
        deadline_in(&ts, TICK_MS);
        if (!stopping)
            pthread_cond_timedwait(&tick_wake, &lock, &ts);
        bool stop = stopping;
        pthread_mutex_unlock(&lock);
        if (stop)
            break;
        run_periodic(db);
    }
    if (al_jobs_periodic_release(db, server) != AL_OK)
        al_warn("periodic job leases not released");
    al_db_close(db);
    return NULL;
}

/*
 * The heartbeat, on its own connection (the runner's may be inside a long
 * transaction): renews the lease of the running job every third of the lease
 * with its progress (RULE-JOB-002), publishes progress events at most every
 * PUBLISH_MS (RULE-JOB-008), and sweeps other servers' expired leases
 * (RULE-JOB-004).
 */
static void *
beat_main(void *unused)
{
    (void)unused;
    struct al_db *db = NULL;
    if (al_db_open(db_path_copy, &db) != AL_OK) {
        al_error("job heartbeat: cannot open the database");
        return NULL;
    }
    al_db_busy_timeout(db, 1000);
    int64_t lease = al_jobs_lease_seconds(db);
    struct timespec last_renew = {0};
    unsigned published_seq = 0;
    int64_t published_id = 0;
    for (;;) {
        pthread_mutex_lock(&lock);
        struct timespec ts;
        deadline_in(&ts, PUBLISH_MS);
        if (!stopping)
            pthread_cond_timedwait(&beat_wake, &lock, &ts);
        bool stop = stopping;
        struct al_job snap = {0};
        if (running)
            snap = *running;
        pthread_mutex_unlock(&lock);
        if (stop)
            break;
        if (snap.id && (snap.id != published_id || snap.seq != published_seq)) {
            publish_state(db, snap.id, "running", snap.phase, snap.done, snap.total);
            published_id = snap.id;
            published_seq = snap.seq;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - last_renew.tv_sec < lease / 3)
            continue;
        last_renew = now;
        int64_t t = (int64_t)time(NULL);
        int rc = snap.id ? al_jobs_renew(db, server, snap.id, t, lease, snap.phase, snap.done,
                               snap.total)
                         : AL_OK;
        /* SQLite: the runner's own long write (an import commit) holds the lock; only this
           server runs on the file, so a renewal it had to skip harms nobody. */
        if (rc != AL_OK && !(rc == AL_EUNAVAIL && !al_db_is_pg(db)))
            al_warn("job %lld: lease not renewed", (long long)snap.id);
        int64_t ids[64];
        int n = 0;
        if (al_jobs_sweep(db, server, t, ids, 64, &n) == AL_OK && n > 0) {
            al_warn("%d job(s) of a server that stopped renewing its lease marked failed", n);
            for (int i = 0; i < n; i++)
                publish_state(db, ids[i], "failed", "失败", 0, 0);
        }
    }
    al_db_close(db);
    return NULL;
}

int
al_jobs_start(const char *db_path, const char *server_id, const struct al_module *const *modules)
{
    for (int m = 0; modules && modules[m]; m++)
        for (const struct al_job_kind *k = modules[m]->jobs; k && k->kind; k++)
            if (al_jobs_register(k->kind, k->fn) != AL_OK)
                return AL_EINTERNAL;
    for (int m = 0; modules && modules[m]; m++)
        for (const struct al_job_periodic *k = modules[m]->periodic; k && k->kind; k++)
            if (al_jobs_register(k->kind, k->fn) != AL_OK ||
                al_jobs_every(k->kind, k->every_s) != AL_OK)
                return AL_EINTERNAL;
    snprintf(server, sizeof(server), "%s", server_id);
    struct al_db *db = NULL;
    int64_t n = 0;
    int rc = al_db_open(db_path, &db);
    if (rc == AL_OK) /* RULE-JOB-006 */
        rc = al_jobs_fail_left(db, server, (int64_t)time(NULL), !al_db_is_pg(db), &n);
    al_db_close(db);
    if (rc != AL_OK)
        al_error("cannot mark the jobs of the previous run as interrupted");
    else if (n > 0)
        al_warn("%lld job(s) interrupted by a restart marked failed", (long long)n);
    db_path_copy = strdup(db_path);
    stopping = false;
    if (!db_path_copy || pthread_create(&runner, NULL, runner_main, NULL) != 0)
        return AL_EINTERNAL;
    if (pthread_create(&beat, NULL, beat_main, NULL) != 0) {
        al_jobs_stop();
        return AL_EINTERNAL;
    }
    if (pthread_create(&ticker, NULL, ticker_main, NULL) != 0) {
        started = true; /* so that the stop joins the heartbeat */
        al_jobs_stop();
        return AL_EINTERNAL;
    }
    ticker_started = true;
    started = true;
    return AL_OK;
}

void
al_jobs_stop(void)
{
    if (!db_path_copy)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_broadcast(&wake);
    pthread_cond_broadcast(&beat_wake);
    pthread_cond_broadcast(&tick_wake);
    pthread_mutex_unlock(&lock);
    pthread_join(runner, NULL);
    if (started)
        pthread_join(beat, NULL);
    if (ticker_started)
        pthread_join(ticker, NULL);
    ticker_started = false;
    free(db_path_copy);
    db_path_copy = NULL;
    started = false;
}

int
al_jobs_submit(struct al_db *db, const char *kind, int64_t user_id, int64_t now, al_job_fn fn,
    const void *arg, size_t arg_size, int64_t *id)
{
    *id = 0;
    if (!started || arg_size > ARG_MAX || al_jobs_register(kind, fn) != AL_OK)
        return AL_EUNAVAIL;
    int rc = al_jobs_insert(db, server, kind, user_id, arg, arg_size, now, id);
    if (rc != AL_OK)
        return rc;
    pthread_mutex_lock(&lock);
    poked = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    return AL_OK;
}

int
al_job_periodic_hold(struct al_db *db, const struct al_job *job, int64_t lease_s)
{
    return al_jobs_periodic_lease(db, job->kind, server, job->started, lease_s);
}

int64_t
al_job_started(const struct al_job *job)
{
    return job->started;
}

void
al_job_progress(struct al_job *job, const char *phase, int64_t done, int64_t total)
{
    pthread_mutex_lock(&lock);
    snprintf(job->phase, sizeof(job->phase), "%s", phase);
    job->done = done;
    job->total = total;
    job->seq++;
    pthread_mutex_unlock(&lock);
}

int
al_jobs_submit_reply(struct al_req *r, const char *kind, al_job_fn fn, const void *arg,
    size_t arg_size)
{
    int64_t job;
    int rc = al_jobs_submit(r->db, kind, r->who->user_id, r->now, fn, arg, arg_size, &job);
    if (rc != AL_OK)
        return al_req_fail(r, rc, NULL, "后台任务暂不可用");
    return al_reply(r, 202, json_pack("{s:I}", "job_id", (json_int_t)job));
}

int
al_jobs_get(struct al_db *db, int64_t id, json_t **out_json, int64_t *owner)
{
    static const char sql[] = "SELECT kind, user_id, status, result, error, phase,"
                              " progress_done, progress_total FROM jobs WHERE id = ?";
    *out_json = NULL;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st); /* RULE-DB-115: AL_ENOTFOUND, or the database's own error */
    if (rc != AL_OK)
        return rc;
    const char *result = al_stmt_text(st, 3);
    const char *error = al_stmt_text(st, 4);
    const char *status = al_stmt_text(st, 2);
    const char *phase = al_stmt_text(st, 5);
    json_t *res = result ? json_loads(result, 0, NULL) : NULL;
    json_t *out = json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:I, s:I}", "id", (json_int_t)id,
        "kind", al_stmt_text(st, 0) ? al_stmt_text(st, 0) : "", "status", status ? status : "",
        "result", res ? res : json_null(), "error", error ? json_string(error) : json_null(),
        "phase",
        !strcmp(status ? status : "", "done")     ? "已完成"
        : !strcmp(status ? status : "", "failed") ? "失败"
        : phase                                   ? phase
                                                  : "排队中",
        "done", (json_int_t)al_stmt_int(st, 6), "total", (json_int_t)al_stmt_int(st, 7));
    *owner = al_stmt_int(st, 1);
    al_stmt_reset(st);
    if (!out)
        return AL_EINTERNAL;
    /* The runner's memory is fresher than the last renewal, when this server runs it. */
    pthread_mutex_lock(&lock);
    if (running && running->id == id &&
        !strcmp(json_string_value(json_object_get(out, "status")), "running")) {
        json_object_set_new(out, "phase", json_string(running->phase));
        json_object_set_new(out, "done", json_integer(running->done));
        json_object_set_new(out, "total", json_integer(running->total));
    }
    pthread_mutex_unlock(&lock);
    *out_json = out;
    return AL_OK;
}
