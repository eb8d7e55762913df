/*
 * src/core/events.c: in-process delivery into a libevent loop from another
 * thread (SQLite), and on PostgreSQL a NOTIFY from one connection reaching the
 * listener of this process, transactional, surviving a cut connection
 * (RULE-EVENT-001..005).  The PostgreSQL group runs on the throwaway server
 * `make unit` starts.
 */
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "core/events.h"
#include "dual.h"
#include "unit.h"

#define MAX_GOT 16

struct got {
    struct event_base *base;
    int n, want;
    char channel[MAX_GOT][64];
    char payload[MAX_GOT][128];
    pthread_t thread; /* the thread the callback ran on */
    struct al_event_sub *self; /* unsubscribe from inside the callback when set */
};

static void
on_event(void *ctx, const char *channel, const char *payload)
{
    struct got *g = ctx;
    if (g->n < MAX_GOT) {
        snprintf(g->channel[g->n], sizeof(g->channel[0]), "%s", channel);
        snprintf(g->payload[g->n], sizeof(g->payload[0]), "%s", payload);
    }
    g->n++;
    g->thread = pthread_self();
    if (g->self) {
        al_events_unsubscribe(g->self);
        g->self = NULL;
    }
    if (g->n >= g->want)
        event_base_loopbreak(g->base);
}

/* Run the loop until `g` has what it wants or `ms` pass. */
static void
run_for(struct got *g, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(g->base, &tv);
    event_base_dispatch(g->base);
}

struct pub {
    const char *channel;
    int n;
};

static void *
publish_thread(void *arg)
{
    struct pub *p = arg;
    char text[64];
    for (int i = 0; i < p->n; i++) {
        snprintf(text, sizeof(text), "{\"seq\":%d}", i);
        al_events_publish(NULL, p->channel, text);
    }
    al_events_publish(NULL, "job.other", "{\"seq\":99}");
    return NULL;
}

static int
group_setup(void **state)
{
    (void)state;
    return evthread_use_pthreads() == 0 ? 0 : -1;
}

/* RULE-EVENT-001: published on another thread, delivered in order on the subscriber's loop. */
static void
in_process_delivery(void **state)
{
    (void)state;
    struct got g = {.base = event_base_new(), .want = 3};
    assert_non_null(g.base);
    struct al_event_sub *s = al_events_subscribe(g.base, "job.1", on_event, &g);
    assert_non_null(s);
    struct pub p = {"job.1", 3};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, publish_thread, &p), 0);
    run_for(&g, 3000);
    pthread_join(t, NULL);
    run_for(&g, 50); /* anything late (the other channel must not come) */
    assert_int_equal(g.n, 3);
    for (int i = 0; i < 3; i++) {
        char want[32];
        snprintf(want, sizeof(want), "{\"seq\":%d}", i);
        assert_string_equal(g.channel[i], "job.1");
        assert_string_equal(g.payload[i], want);
    }
    assert_true(pthread_equal(g.thread, pthread_self())); /* the loop's thread */
    al_events_unsubscribe(s);
    /* Unsubscribed: nothing more arrives, and queued events are dropped with it. */
    assert_int_equal(al_events_publish(NULL, "job.1", "{}"), AL_OK);
    run_for(&g, 50);
    assert_int_equal(g.n, 3);
    event_base_free(g.base);
}

/* RULE-EVENT-002: channel names and payload size are bounded on both engines. */
static void
bounds_and_self_unsubscribe(void **state)
{
    (void)state;
    assert_int_equal(al_events_publish(NULL, "Job 1", "{}"), AL_EINVAL);
    assert_int_equal(al_events_publish(NULL, "", "{}"), AL_EINVAL);
    char *big = malloc(AL_EVENT_MAX + 1);
    memset(big, 'x', AL_EVENT_MAX);
    big[AL_EVENT_MAX] = '\0';
    assert_int_equal(al_events_publish(NULL, "job.1", big), AL_EINVAL);
    big[AL_EVENT_MAX - 6] = '\0'; /* "job.1" + separator + payload = AL_EVENT_MAX */
    assert_int_equal(al_events_publish(NULL, "job.1", big), AL_OK);
    free(big);
    struct event_base *base = event_base_new();
    assert_null(al_events_subscribe(base, "BAD!", on_event, NULL));
    /* A callback may end its own subscription; the rest of its queue is dropped. */
    struct got g = {.base = base, .want = 1};
    g.self = al_events_subscribe(base, "job.2", on_event, &g);
    assert_non_null(g.self);
    al_events_publish(NULL, "job.2", "a");
    al_events_publish(NULL, "job.2", "b");
    run_for(&g, 200);
    assert_int_equal(g.n, 1);
    assert_null(g.self);
    /* A subscription ended with events still queued frees them (ASan checks). */
    struct al_event_sub *s = al_events_subscribe(base, "job.3", on_event, &g);
    al_events_publish(NULL, "job.3", "queued");
    al_events_unsubscribe(s);
    event_base_free(base);
}

/* RULE-EVENT-005: a loop that does not keep up keeps the newest events, a bounded queue. */
static void
slow_subscriber_bounded(void **state)
{
    (void)state;
    struct got g = {.base = event_base_new(), .want = 1000000};
    struct al_event_sub *s = al_events_subscribe(g.base, "job.4", on_event, &g);
    char text[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(text, sizeof(text), "%d", i);
        al_events_publish(NULL, "job.4", text);
    }
    run_for(&g, 100);
    assert_int_equal(g.n, 256);
    assert_string_equal(g.payload[0], "744"); /* the oldest were dropped */
    al_events_unsubscribe(s);
    event_base_free(g.base);
}

/* ---- PostgreSQL ---- */

static int
pg_setup(void **state)
{
    (void)state;
    const char *url = dual_target(DUAL_PG);
    if (!url || evthread_use_pthreads() != 0)
        return -1;
    return al_events_start(url) == AL_OK ? 0 : -1;
}

static int
pg_teardown(void **state)
{
    (void)state;
    al_events_stop();
    return 0;
}

/* RULE-EVENT-003, RULE-EVENT-004: NOTIFY from another connection; transactions; reconnection. */
static void
notify_reaches_listener(void **state)
{
    (void)state;
    struct al_db *db = dual_open_again(DUAL_PG);
    assert_non_null(db);
    struct got g = {.base = event_base_new(), .want = 1};
    struct al_event_sub *s = al_events_subscribe(g.base, "job.7", on_event, &g);
    assert_int_equal(al_events_publish(db, "job.7", "{\"status\":\"running\"}"), AL_OK);
    run_for(&g, 5000);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.channel[0], "job.7");
    assert_string_equal(g.payload[0], "{\"status\":\"running\"}");
    assert_true(pthread_equal(g.thread, pthread_self()));

    /* Inside a transaction: nothing on rollback, delivered at commit. */
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_events_publish(db, "job.7", "rolled back"), AL_OK);
    al_db_rollback(db);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(al_events_publish(db, "job.7", "committed"), AL_OK);
    g.want = 2;
    run_for(&g, 300);
    assert_int_equal(g.n, 1); /* not yet: the transaction is open */
    assert_int_equal(al_db_commit(db), AL_OK);
    run_for(&g, 5000);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.payload[1], "committed");

    /* The listening connection is cut: the listener connects again and delivery resumes. */
    int pid = al_events_listener_pid();
    assert_true(pid > 0);
    char sql[80];
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", pid);
    assert_int_equal(al_db_exec(db, sql), AL_OK);
    int now = 0;
    for (int i = 0; i < 200; i++) {
        now = al_events_listener_pid();
        if (now > 0 && now != pid)
            break;
        usleep(50000);
    }
    assert_true(now > 0 && now != pid);
    assert_int_equal(al_events_publish(db, "job.7", "after reconnect"), AL_OK);
    g.want = 3;
    run_for(&g, 5000);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.payload[2], "after reconnect");
    /* The bounds hold on PostgreSQL too (its own limit is 8000 bytes). */
    char *big = malloc(AL_EVENT_MAX + 1);
    memset(big, 'x', AL_EVENT_MAX);
    big[AL_EVENT_MAX] = '\0';
    assert_int_equal(al_events_publish(db, "job.7", big), AL_EINVAL);
    big[AL_EVENT_MAX - 6] = '\0';
    assert_int_equal(al_events_publish(db, "job.7", big), AL_OK);
    free(big);
    g.want = 4;
    run_for(&g, 5000);
    assert_int_equal(g.n, 4);
    al_events_unsubscribe(s);
    event_base_free(g.base);
    al_db_close(db);
}

int
main(void)
{
    const struct CMUnitTest local[] = {
        cmocka_unit_test(in_process_delivery),
        cmocka_unit_test(bounds_and_self_unsubscribe),
        cmocka_unit_test(slow_subscriber_bounded),
    };
    const struct CMUnitTest pg[] = {
        cmocka_unit_test(notify_reaches_listener),
    };
    int failed = cmocka_run_group_tests_name("events in-process (SQLite)", local, group_setup, NULL);
    failed += cmocka_run_group_tests_name("events on PostgreSQL", pg, pg_setup, pg_teardown);
    return failed;
}
