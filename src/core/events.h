/*
 * Live events (RULE-EVENT-001..): publish a small JSON payload on a named
 * channel in one server; every subscriber of that channel, in any server of
 * the same database, receives it on its own libevent loop.
 *
 * SQLite (one server): delivered in-process at once.  PostgreSQL: the
 * publisher sends NOTIFY anlao_events on its own connection (inside a
 * transaction it is delivered at the commit, not at all on a rollback); each
 * process keeps one dedicated connection that LISTENs (al_events_start) and
 * hands every notification to the subscribers of its channel, reconnecting
 * when that connection drops.  Events published while a listener is cut off
 * are lost to that process: subscribers that must not miss a final state read
 * it from the database too (the job stream does on every keep-alive).
 *
 * Payloads are small: AL_EVENT_MAX bytes for channel and payload together
 * (PostgreSQL refuses NOTIFY payloads from 8000 bytes).  Send ids and small
 * objects; the subscriber reads anything larger from the database.
 */
#ifndef AL_EVENTS_H
#define AL_EVENTS_H

#include "core/db.h"

struct event_base;
struct al_event_sub;

/* Channel plus payload, in bytes (RULE-EVENT-002). */
#define AL_EVENT_MAX 4000
/* Channel names: 1..63 bytes of [a-z0-9._-]. */
#define AL_EVENT_CHANNEL_MAX 63

/*
 * A subscriber's callback, on the thread of the loop it subscribed with.
 * `payload` is valid during the call only.  May unsubscribe its own
 * subscription (and no other) during the call.
 */
typedef void (*al_event_fn)(void *ctx, const char *channel, const char *payload);

/*
 * Start delivery for the database at `db_path`: on PostgreSQL connect the
 * listening connection (listening when this returns) and start its thread;
 * nothing on SQLite.  AL_OK, or AL_EUNAVAIL when the first connection fails
 * (the thread keeps trying; events arrive once it succeeds).
 */
int al_events_start(const char *db_path);
/* Stop the listener thread (subscriptions stay valid until unsubscribed). */
void al_events_stop(void);

/*
 * Publish `payload` (text, normally JSON) on `channel`.  On PostgreSQL
 * through `db` (NOTIFY, transactional); on SQLite (or db NULL) delivered to
 * this process's subscribers before it returns.  AL_OK, AL_EINVAL (a bad
 * channel name or too large), or the database's error.  Any thread.
 */
int al_events_publish(struct al_db *db, const char *channel, const char *payload);

/*
 * Subscribe `fn(ctx, …)` to `channel`, delivered on `base`'s loop (the base
 * must be made after evthread_use_pthreads(): deliveries come from other
 * threads).  NULL when out of memory or the channel name is bad.
 */
struct al_event_sub *al_events_subscribe(struct event_base *base, const char *channel,
    al_event_fn fn, void *ctx);

/*
 * End a subscription, on its loop's thread (or once that loop has stopped).
 * Events still queued for it are dropped.  NULL is allowed.
 */
void al_events_unsubscribe(struct al_event_sub *s);

/* The listening connection's server process id (PostgreSQL), 0 while there is none.  For tests. */
int al_events_listener_pid(void);

#endif
