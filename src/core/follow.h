/*
 * A server-sent-event stream that follows a live-event channel (RULE-EVENT-006..009): the
 * stream, its subscription, its keep-alive tick and the owner's state are one object, freed
 * together when the client goes, the worker stops, or the owner ends it.  The live pages
 * (the dispatch board, the alarm console, a job's progress) are this with their own event and
 * tick functions; a new live page is one more.
 *
 *     struct board *b;
 *     struct al_follow *f = al_follow_start(r, SERVICE_CHANNEL, sizeof(*b), on_order, NULL,
 *         (void **)&b);
 *     if (!f)
 *         return AL_EUNAVAIL; // r->err filled
 *     snprintf(b->scope, sizeof(b->scope), "%s", r->who->region_code);
 *     if (al_follow_send(f, "ready", "{}"))
 *         al_follow_arm(f);
 *     return AL_OK;
 */
#ifndef AL_FOLLOW_H
#define AL_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/http.h"

struct al_follow;
/* An event of the channel, on the worker's loop. */
typedef void (*al_follow_fn)(struct al_follow *f, void *state, const char *payload);
/* Every keep-alive period once armed; NULL: a keep-alive comment. */
typedef void (*al_follow_tick_fn)(struct al_follow *f, void *state);

/*
 * Follow `channel` for request `r` with `size` zeroed bytes of state (*state, freed with the
 * stream).  Subscribed before the head is sent, so nothing published after this call is
 * missed.  NULL when out of memory or the connection is gone: r->err is filled and the handler
 * returns AL_EUNAVAIL (503).
 */
struct al_follow *al_follow_start(struct al_req *r, const char *channel, size_t size,
    al_follow_fn on_event, al_follow_tick_fn on_tick, void **state);
/* Start the keep-alive tick (after what opens the stream has been sent). */
void al_follow_arm(struct al_follow *f);
/* One event; a client that does not read ends the stream: false then, and `f` is freed. */
bool al_follow_send(struct al_follow *f, const char *event, const char *data);
/* The same with `v` as compact JSON, keys sorted. */
bool al_follow_send_json(struct al_follow *f, const char *event, const json_t *v);
/* A keep-alive comment; false (and `f` freed) when the client does not read. */
bool al_follow_keepalive(struct al_follow *f);
/* End the stream (its last chunk) and free it. */
void al_follow_end(struct al_follow *f);

#endif
