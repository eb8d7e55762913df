#include "core/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/log.h"

struct al_job {
    int64_t id, user_id;
    char kind[32];
    al_job_fn fn;
    void *arg; /* the job's copy, freed with the job */
    /* progress, guarded by the registry lock */
    char phase[64];
    int64_t done, total;
    struct al_job *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct al_job *queue_head, *queue_tail, *running;
static bool stopping, started;
static pthread_t thread;
static char *db_path_copy;

static void
set_status(struct al_db *db, int64_t id, const char *status, const char *result, const char *error)
{
    static const char sql[] = "UPDATE jobs SET status = ?, result = ?, error = ?,"
                              " finished_at = CASE WHEN ? IN ('done', 'failed') THEN ? END"
                              " WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return;
    al_db_bind_text(st, 1, status);
    al_db_bind_text(st, 2, result);
    al_db_bind_text(st, 3, error);
    al_db_bind_text(st, 4, status);
    sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
    sqlite3_bind_int64(st, 6, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        al_error("job %lld: cannot record status %s", (long long)id, status);
    sqlite3_reset(st);
}

static void *
job_main(void *unused)
{
    (void)unused;
    struct al_db *db = NULL;
    if (al_db_open(db_path_copy, &db) != AL_OK) {
        al_error("job thread: cannot open the database");
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!queue_head && !stopping)
            pthread_cond_wait(&wake, &lock);
        if (stopping) {
            pthread_mutex_unlock(&lock);
            break;
        }
        struct al_job *j = queue_head;
        queue_head = j->next;
        if (!queue_head)
            queue_tail = NULL;
        running = j;
        pthread_mutex_unlock(&lock);

        set_status(db, j->id, "running", NULL, NULL);
        json_t *result = NULL;
        struct al_errinfo e = {0};
        int rc = j->fn(db, j, j->arg, &result, &e);
        char *text = result ? al_json_dump_heap(result) : NULL;
        if (rc == AL_OK)
            set_status(db, j->id, "done", text, NULL);
        else
            set_status(db, j->id, "failed", text, e.message[0] ? e.message : "任务失败");
        al_info("job %lld (%s) %s", (long long)j->id, j->kind, rc == AL_OK ? "done" : "failed");
        free(text);
        json_decref(result);

        pthread_mutex_lock(&lock);
        running = NULL;
        pthread_mutex_unlock(&lock);
        free(j->arg);
        free(j);
    }
    al_db_close(db);
    return NULL;
}

/*
 * Jobs left "queued" or "running" by a process that is gone (a restart, a
 * crash, SIGKILL): their work and progress lived in that process, so they can
 * never finish.  Marked failed with the reason, before this process queues any
 * job of its own, so a page that follows one stops waiting (RULE-UPLOAD-006).
 */
static int
fail_interrupted(const char *db_path)
{
    struct al_db *db = NULL;
    if (al_db_open(db_path, &db) != AL_OK)
        return AL_EDB;
    static const char sql[] = "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?"
                              " WHERE status IN ('queued', 'running')";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    int rc = st ? AL_OK : AL_EDB;
    if (st) {
        al_db_bind_text(st, 1, AL_JOBS_INTERRUPTED);
        sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = AL_EDB;
        else if (sqlite3_changes(al_db_handle(db)) > 0)
            al_warn("%d job(s) interrupted by a restart marked failed",
                sqlite3_changes(al_db_handle(db)));
        sqlite3_reset(st);
    }
    al_db_close(db);
    return rc;
}

int
al_jobs_start(const char *db_path)
{
    if (fail_interrupted(db_path) != AL_OK)
        al_error("cannot mark the jobs of the previous run as interrupted");
    db_path_copy = strdup(db_path);
    if (!db_path_copy || pthread_create(&thread, NULL, job_main, NULL) != 0)
        return AL_EINTERNAL;
    started = true;
    return AL_OK;
}

void
al_jobs_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    while (queue_head) {
        struct al_job *j = queue_head;
        queue_head = j->next;
        free(j->arg);
        free(j);
    }
    free(db_path_copy);
    started = false;
}

int
al_jobs_submit(struct al_db *db, const char *kind, int64_t user_id, al_job_fn fn, const void *arg,
    size_t arg_size, int64_t *id)
{
    *id = 0;
    struct al_job *j = calloc(1, sizeof(*j));
    void *copy = malloc(arg_size ? arg_size : 1);
    if (!j || !copy || !started) {
        free(j);
        free(copy);
        return AL_EUNAVAIL;
    }
    memcpy(copy, arg, arg_size);
    static const char sql[] =
        "INSERT INTO jobs(kind, user_id, status, created_at) VALUES (?, ?, 'queued', ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    int rc = st ? SQLITE_OK : SQLITE_ERROR;
    if (st) {
        al_db_bind_text(st, 1, kind);
        sqlite3_bind_int64(st, 2, user_id);
        sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (rc != SQLITE_DONE) {
        free(j);
        free(copy);
        return AL_EDB;
    }
    j->id = sqlite3_last_insert_rowid(al_db_handle(db));
    j->user_id = user_id;
    snprintf(j->kind, sizeof(j->kind), "%s", kind);
    snprintf(j->phase, sizeof(j->phase), "排队中");
    j->fn = fn;
    j->arg = copy;
    *id = j->id; /* j belongs to the job thread once queued */
    pthread_mutex_lock(&lock);
    if (queue_tail)
        queue_tail->next = j;
    else
        queue_head = j;
    queue_tail = j;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    return AL_OK;
}

void
al_job_progress(struct al_job *job, const char *phase, int64_t done, int64_t total)
{
    pthread_mutex_lock(&lock);
    snprintf(job->phase, sizeof(job->phase), "%s", phase);
    job->done = done;
    job->total = total;
    pthread_mutex_unlock(&lock);
}

json_t *
al_jobs_get(struct al_db *db, int64_t id, int64_t *owner)
{
    static const char sql[] =
        "SELECT kind, user_id, status, result, error FROM jobs WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *result = (const char *)sqlite3_column_text(st, 3);
        const char *error = (const char *)sqlite3_column_text(st, 4);
        json_t *res = result ? json_loads(result, 0, NULL) : NULL;
        out = json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)id, "kind",
            (const char *)sqlite3_column_text(st, 0), "status",
            (const char *)sqlite3_column_text(st, 2), "result", res ? res : json_null(), "error",
            error ? json_string(error) : json_null());
        *owner = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (!out)
        return NULL;
    pthread_mutex_lock(&lock);
    const char *status = json_string_value(json_object_get(out, "status"));
    struct al_job *j = running && running->id == id ? running : NULL;
    for (struct al_job *q = queue_head; !j && q; q = q->next)
        if (q->id == id)
            j = q;
    if (j) {
        json_object_set_new(out, "phase", json_string(j->phase));
        json_object_set_new(out, "done", json_integer(j->done));
        json_object_set_new(out, "total", json_integer(j->total));
    } else {
        json_object_set_new(out, "phase",
            json_string(!strcmp(status, "done") ? "已完成"
                        : !strcmp(status, "failed") ? "失败" : "已中断（服务重启）"));
    }
    pthread_mutex_unlock(&lock);
    return out;
}
