/*
 * Background jobs: long work (an import of a million rows, an
 * identification run) runs on a job thread with its own database
 * connection, so HTTP requests never block on it.
 *
 * The queue is the jobs table (RULE-JOB-001..): a submitted job is a row
 * with its kind and a copy of its argument; every server's job thread claims
 * queued rows, each row by exactly one server (RULE-JOB-001: FOR UPDATE SKIP
 * LOCKED on PostgreSQL, the write lock on SQLite).  The claiming server holds
 * a lease on the job and renews it while the job runs; a job whose lease runs
 * out (its server stopped) is marked failed by any live server's sweep, never
 * run a second time.  Progress is kept in memory by the runner, written with
 * each lease renewal and published as live events on the channel "job.<id>"
 * (core/events.h).
 */
#ifndef AL_JOBS_H
#define AL_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/db.h"
#include "core/err.h"

struct al_job;
struct al_module;

/*
 * A job's work.  `arg` is the job's own copy of the submitter's argument
 * (plain bytes, read back from the jobs table: pointers inside it mean nothing
 * and must be set again; released afterwards).  Return AL_OK and set *result
 * (a new JSON value, heap-allocated), or an al_err code with the Chinese
 * message stored as the job's error in `e` (empty: "任务失败").
 */
typedef int (*al_job_fn)(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e);

/* A kind of job a module runs; a module lists its kinds in its al_module (ends with {0}). */
struct al_job_kind {
    const char *kind; /* "import.validate" (< 32 bytes) */
    al_job_fn fn;
};

/*
 * Periodic work a module runs (RULE-SVC-142), listed in its al_module (ends with {0}): the kind
 * is registered like any other, and besides any submitted job of it, every server's periodic
 * thread (its own, so neither a long job nor a slow run of another kind holds it up for long:
 * RULE-ALARM-060) runs `fn` itself at most every `every_s` seconds (> 0), with `arg` NULL and
 * the time of that run as al_job_started; no jobs row is written, so the work must be safe to
 * run on several servers at once (compare-and-set writes, unique keys).
 * Work that must run on one server at a time starts with al_job_periodic_hold.
 */
struct al_job_periodic {
    const char *kind;
    al_job_fn fn;
    int every_s;
};

/*
 * RULE-ALARM-061: a periodic run of `job` that must be alone among the servers calls this
 * first: it takes or renews the kind's lease in periodic_leases for this server until its start
 * + `lease_s` (longer than a slow run).  AL_OK: this server holds it, go on; AL_ENOTFOUND:
 * another live server does, return AL_OK without work; or the database's error.  A server that
 * stops releases its leases; one that dies loses them when they run out, and another server
 * takes the work over.
 */
int al_job_periodic_hold(struct al_db *db, const struct al_job *job, int64_t lease_s);

/* The error of a job a restart of its own server interrupted (RULE-UPLOAD-006, RULE-JOB-006). */
#define AL_JOBS_INTERRUPTED "服务重启，任务已中断，请重新提交"
/* The error of a job whose server stopped renewing its lease (RULE-JOB-004). */
#define AL_JOBS_LOST "执行任务的服务已停止响应，任务已中断，请重新提交"

/*
 * Start the job threads on the database at `db_path` as the server named
 * `server_id` (unique among the servers of one database and stable across its
 * restarts: ANLAO_SERVER_ID, default host:port).  The kinds of every module in
 * `modules` (may be NULL) are registered first.  Before any job runs, the jobs
 * this server left (running under its name, or queued by it) and every job
 * whose lease has expired are marked failed; on SQLite, one server per database
 * file, every job left queued or running is (RULE-JOB-006).  AL_OK or
 * AL_EINTERNAL.
 */
int al_jobs_start(const char *db_path, const char *server_id,
    const struct al_module *const *modules);

/* Let the running job finish, leave queued ones in the table, join the threads. */
void al_jobs_stop(void);

/* Register a kind (also done by al_jobs_submit for its own kind).  AL_OK or AL_EUNAVAIL (full). */
int al_jobs_register(const char *kind, al_job_fn fn);

/*
 * Queue a job for `user_id` with a copy of the `arg_size` bytes at `arg`
 * (at most 64 KB), created at `now` (the request's time, r->now: RULE-DB-044).
 * Returns AL_OK with the job id (> 0) in *id, AL_EUNAVAIL (the job threads are
 * not running) or AL_EDB; the caller words the message.
 */
int al_jobs_submit(struct al_db *db, const char *kind, int64_t user_id, int64_t now,
    al_job_fn fn, const void *arg, size_t arg_size, int64_t *id);

/*
 * A request's job: al_jobs_submit for the caller of `r` at r->now, answered 202
 * {"job_id": id}; or the submit's error with 后台任务暂不可用.  Returns AL_OK or
 * that error (r->err filled), for `return al_jobs_submit_reply(...)`.
 */
struct al_req;
int al_jobs_submit_reply(struct al_req *r, const char *kind, al_job_fn fn, const void *arg,
    size_t arg_size);

/*
 * RULE-DB-102: the job's time, unix seconds, read once when this server claimed
 * it: what the job writes and dates (rows, audit entries, "today") uses it, as a
 * request uses r->now.  (The runner's own bookkeeping — claims, leases, the
 * finish time — reads the clock when it happens.)
 */
int64_t al_job_started(const struct al_job *job);

/* Report progress from inside a job: `phase` is a short Chinese label. */
void al_job_progress(struct al_job *job, const char *phase, int64_t done, int64_t total);

/*
 * The state of job `id` as JSON {id, kind, status, phase, done, total,
 * result, error} into *out (in the arena of the current thread's JSON
 * allocator, or the heap outside a request) and the submitting user into
 * *owner.  Returns AL_OK, AL_ENOTFOUND when no such job exists, or the
 * database's error (AL_EDB, AL_EUNAVAIL: logged); *out is NULL unless AL_OK
 * (RULE-DB-115: a failed read is never "no such job").
 */
int al_jobs_get(struct al_db *db, int64_t id, json_t **out, int64_t *owner);

/* True for the final states "done" and "failed". */
bool al_jobs_finished(const char *status);

/* The live-event channel of job `id` ("job.<id>") into `out`. */
const char *al_jobs_channel(int64_t id, char *out, size_t size);

#endif
