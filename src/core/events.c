#include "core/events.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db_int.h"
#include "core/log.h"

#define PG_CHANNEL "anlao_events"
#define QUEUE_MAX 256 /* per subscriber; beyond it the oldest are dropped (RULE-EVENT-005) */

struct msg {
    struct msg *next;
    char *channel, *payload; /* one allocation: channel, NUL, payload, NUL */
};

struct al_event_sub {
    struct al_event_sub *next;
    struct event *ev;
    char channel[AL_EVENT_CHANNEL_MAX + 1];
    al_event_fn fn;
    void *ctx;
    /* guarded by the lock */
    struct msg *head, *tail;
    int queued;
    /* on the loop's thread only */
    bool in_callback, dead;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct al_event_sub *subs;

static pthread_t listener;
static bool listening, stopping;
static char *url;
static int listener_pid; /* guarded by the lock */

static bool
channel_ok(const char *c)
{
    size_t n = c ? strlen(c) : 0;
    if (n == 0 || n > AL_EVENT_CHANNEL_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '.' ||
                c[i] == '_' || c[i] == '-'))
            return false;
    return true;
}

static void
free_msgs(struct msg *m)
{
    while (m) {
        struct msg *next = m->next;
        free(m);
        m = next;
    }
}

/* Copy the event to every subscriber of `channel` and wake its loop (any thread). */
static void
deliver(const char *channel, size_t clen, const char *payload)
{
    size_t plen = strlen(payload);
    pthread_mutex_lock(&lock);
    for (struct al_event_sub *s = subs; s; s = s->next) {
        if (strlen(s->channel) != clen || memcmp(s->channel, channel, clen) != 0)
            continue;
        struct msg *m = malloc(sizeof(*m) + clen + plen + 2);
        if (!m)
            continue;
        m->next = NULL;
        m->channel = (char *)(m + 1);
        memcpy(m->channel, channel, clen);
        m->channel[clen] = '\0';
        m->payload = m->channel + clen + 1;
        memcpy(m->payload, payload, plen + 1);
        if (s->tail)
            s->tail->next = m;
        else
            s->head = m;
        s->tail = m;
        if (++s->queued > QUEUE_MAX) { /* RULE-EVENT-005: a loop that does not keep up */
            struct msg *old = s->head;
            s->head = old->next;
            s->queued--;
            free(old);
        }
        event_active(s->ev, EV_READ, 0);
    }
    pthread_mutex_unlock(&lock);
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct al_event_sub *s = arg;
    pthread_mutex_lock(&lock);
    struct msg *m = s->head;
    s->head = s->tail = NULL;
    s->queued = 0;
    pthread_mutex_unlock(&lock);
    s->in_callback = true;
    struct msg *p = m;
    for (; p && !s->dead; p = p->next)
        s->fn(s->ctx, p->channel, p->payload);
    s->in_callback = false;
    free_msgs(m);
    if (s->dead) {
        event_free(s->ev);
        pthread_mutex_lock(&lock);
        free_msgs(s->head);
        pthread_mutex_unlock(&lock);
        free(s);
    }
}

struct al_event_sub *
al_events_subscribe(struct event_base *base, const char *channel, al_event_fn fn, void *ctx)
{
    if (!channel_ok(channel))
        return NULL;
    struct al_event_sub *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->ev = event_new(base, -1, 0, on_wake, s);
    if (!s->ev) {
        free(s);
        return NULL;
    }
    strcpy(s->channel, channel);
    s->fn = fn;
    s->ctx = ctx;
    pthread_mutex_lock(&lock);
    s->next = subs;
    subs = s;
    pthread_mutex_unlock(&lock);
    return s;
}

void
al_events_unsubscribe(struct al_event_sub *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&lock);
    for (struct al_event_sub **p = &subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&lock);
    if (s->in_callback) { /* freed by on_wake when the callback returns */
        s->dead = true;
        return;
    }
    event_free(s->ev);
    free_msgs(s->head); /* no deliverer can reach it any more */
    free(s);
}

int
al_events_publish(struct al_db *db, const char *channel, const char *payload)
{
    if (!channel_ok(channel) || !payload || strlen(channel) + 1 + strlen(payload) > AL_EVENT_MAX)
        return AL_EINVAL; /* RULE-EVENT-002 */
    if (db && al_db_is_pg(db)) { /* RULE-EVENT-003: every process's listener receives it */
        static const char sql[] = "SELECT pg_notify('" PG_CHANNEL "', ? || chr(10) || ?)";
        struct al_stmt *st = al_db_sql(db, sql);
        al_stmt_bind_text(st, 1, channel);
        al_stmt_bind_text(st, 2, payload);
        return al_stmt_run(st);
    }
    deliver(channel, strlen(channel), payload); /* RULE-EVENT-001 */
    return AL_OK;
}

static void
on_notify(void *ctx, const char *extra)
{
    (void)ctx;
    const char *nl = strchr(extra, '\n');
    if (nl)
        deliver(extra, (size_t)(nl - extra), nl + 1);
}

static void
set_pid(int pid)
{
    pthread_mutex_lock(&lock);
    listener_pid = pid;
    pthread_mutex_unlock(&lock);
}

/* RULE-EVENT-004: listen; when the connection drops, connect again (0.2 s, doubling to 5 s). */
static void *
listener_main(void *arg)
{
    struct al_pg_listener *l = arg;
    int backoff_ms = 200;
    while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
        if (!l) {
            if (al_pg_listen(url, PG_CHANNEL, &l) != AL_OK) {
                struct timespec ts = {backoff_ms / 1000, (long)(backoff_ms % 1000) * 1000000L};
                nanosleep(&ts, NULL);
                backoff_ms = backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2;
                continue;
            }
            al_warn("live events: listening again");
            set_pid(al_pg_listen_pid(l));
            backoff_ms = 200;
        }
        if (al_pg_listen_wait(l, 200, on_notify, NULL) != AL_OK) {
            al_warn("live events: the listening connection dropped, reconnecting");
            set_pid(0);
            al_pg_listen_close(l);
            l = NULL;
        }
    }
    al_pg_listen_close(l);
    set_pid(0);
    return NULL;
}

int
al_events_start(const char *db_path)
{
    if (!al_pg_is_url(db_path) || listening)
        return AL_OK;
    url = strdup(db_path);
    if (!url)
        return AL_EUNAVAIL;
    struct al_pg_listener *l = NULL;
    int rc = al_pg_listen(url, PG_CHANNEL, &l);
    if (l)
        set_pid(al_pg_listen_pid(l));
    __atomic_store_n(&stopping, false, __ATOMIC_RELEASE);
    if (pthread_create(&listener, NULL, listener_main, l) != 0) {
        al_pg_listen_close(l);
        set_pid(0);
        free(url);
        url = NULL;
        return AL_EUNAVAIL;
    }
    listening = true;
    return rc;
}

void
al_events_stop(void)
{
    if (!listening)
        return;
    __atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
    pthread_join(listener, NULL);
    listening = false;
    free(url);
    url = NULL;
}

int
al_events_listener_pid(void)
{
    pthread_mutex_lock(&lock);
    int pid = listener_pid;
    pthread_mutex_unlock(&lock);
    return pid;
}
