/*
 * Private to src/core/jobs.c and its tests: the table operations behind the
 * job threads, with the server's name, the clock and the lease given
 * explicitly so that two "servers" (two connections) can be driven by a test.
 */
#ifndef AL_JOBS_INT_H
#define AL_JOBS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/db.h"

struct al_jobs_claim {
    int64_t id, user_id;
    char kind[32];
    void *arg; /* heap, the decoded copy; free() it */
    size_t arg_size;
};

/*
 * Claim the oldest queued job for `server` with a lease until now + lease_s
 * (RULE-JOB-001): AL_OK and *out, AL_ENOTFOUND when none is queued, or an error.
 */
int al_jobs_claim(struct al_db *db, const char *server, int64_t now, int64_t lease_s,
    struct al_jobs_claim *out);

/* Renew `server`'s lease on running job `id` and record its progress.  AL_OK or an error. */
int al_jobs_renew(struct al_db *db, const char *server, int64_t id, int64_t now, int64_t lease_s,
    const char *phase, int64_t done, int64_t total);

/*
 * Record the end of job `id` run by `server` (status "done" or "failed").  Only
 * while it is still running under `server`'s name: a job another server failed
 * meanwhile keeps that state.  AL_OK (also when nothing changed) or an error.
 */
int al_jobs_finish(struct al_db *db, const char *server, int64_t id, int64_t now,
    const char *status, const char *result, const char *error);

/*
 * Fail the running jobs of other servers whose lease ended before `now`
 * (RULE-JOB-004), with AL_JOBS_LOST.  Their ids go to `ids` (at most `max`),
 * their number to *n.  AL_OK or an error.
 */
int al_jobs_sweep(struct al_db *db, const char *server, int64_t now, int64_t *ids, int max,
    int *n);

/*
 * At the start of `server` (RULE-JOB-006): fail its own jobs left running or
 * queued (AL_JOBS_INTERRUPTED) and every expired lease (AL_JOBS_LOST); with
 * `all`, every queued or running job (SQLite: one server per database file).
 * The number failed goes to *n.
 */
int al_jobs_fail_left(struct al_db *db, const char *server, int64_t now, bool all, int64_t *n);

/* Queue a job row from `origin` (what al_jobs_submit does after copying): AL_OK and *id. */
int al_jobs_insert(struct al_db *db, const char *origin, const char *kind, int64_t user_id,
    const void *arg, size_t arg_size, int64_t now, int64_t *id);

/*
 * RULE-ALARM-061: take or renew the lease of periodic kind `kind` for `server` until
 * now + lease_s: AL_OK when `server` holds it now (it was free, expired or already its own),
 * AL_ENOTFOUND while another server's lease runs, or the database's error.
 */
int al_jobs_periodic_lease(struct al_db *db, const char *kind, const char *server, int64_t now,
    int64_t lease_s);

/* Release every periodic lease `server` holds (a server that stops).  AL_OK or an error. */
int al_jobs_periodic_release(struct al_db *db, const char *server);

/* The lease in seconds from the settings table (jobs.lease_seconds; 30 when unset, ≥ 3). */
int64_t al_jobs_lease_seconds(struct al_db *db);

#endif
