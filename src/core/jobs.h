/*
 * Background jobs: long work (an import of a million rows, an
 * identification run) runs on one job thread with its own database
 * connection, so HTTP requests never block on it.  Progress is kept in
 * memory and read by the API; the final state is stored in the jobs table.
 */
#ifndef AL_JOBS_H
#define AL_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/db.h"
#include "core/err.h"

struct al_job;

/*
 * A job's work.  `arg` is the job's own copy of the submitter's argument
 * (plain bytes, no pointers into it survive the copy; released afterwards).
 * Return AL_OK and set *result (a new JSON value, heap-allocated), or an
 * al_err code with the Chinese message stored as the job's error in `e`
 * (empty: "任务失败").
 */
typedef int (*al_job_fn)(struct al_db *db, struct al_job *job, void *arg, json_t **result,
    struct al_errinfo *e);

/* The error of a job a restart interrupted. */
#define AL_JOBS_INTERRUPTED "服务重启，任务已中断，请重新提交"

/*
 * Start the job thread on the database at `db_path`.  Jobs still "queued" or
 * "running" in the table (left by a process that is gone) are first marked
 * failed with AL_JOBS_INTERRUPTED.  AL_OK or AL_EINTERNAL.
 */
int al_jobs_start(const char *db_path);

/* Let the running job finish, drop queued ones (they stay "queued" in the table), join. */
void al_jobs_stop(void);

/*
 * Queue a job for `user_id` with a copy of the `arg_size` bytes at `arg`.
 * Returns AL_OK with the job id (> 0) in *id, AL_EUNAVAIL (the job thread is
 * not running, or no memory) or AL_EDB; the caller words the message.
 */
int al_jobs_submit(struct al_db *db, const char *kind, int64_t user_id, al_job_fn fn,
    const void *arg, size_t arg_size, int64_t *id);

/* Report progress from inside a job: `phase` is a short Chinese label. */
void al_job_progress(struct al_job *job, const char *phase, int64_t done, int64_t total);

/*
 * The state of job `id` as JSON {id, kind, status, phase, done, total,
 * result, error} (in the arena of the current thread's JSON allocator), or
 * NULL when no such job exists.  *owner receives the submitting user.
 */
json_t *al_jobs_get(struct al_db *db, int64_t id, int64_t *owner);

#endif
