/* A server-sent-event stream that follows a live-event channel (follow.h). */
#include "core/follow.h"

#include <event2/event.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/events.h"
#include "core/json.h"

struct al_follow {
    struct al_sse *sse;
    struct al_event_sub *sub;
    struct event *tick;
    al_follow_fn on_event;
    al_follow_tick_fn on_tick;
    max_align_t state[]; /* the owner's, `size` bytes */
};

static void
follow_free(struct al_follow *f)
{
    al_events_unsubscribe(f->sub);
    if (f->tick)
        event_free(f->tick);
    free(f);
}

/* The client went away or the worker stops: the SSE stream is already gone. */
static void
follow_closed(void *ctx)
{
    follow_free(ctx);
}

static void
follow_event(void *ctx, const char *channel, const char *payload)
{
    (void)channel;
    struct al_follow *f = ctx;
    f->on_event(f, f->state, payload);
}

static void
follow_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct al_follow *f = arg;
    if (f->on_tick)
        f->on_tick(f, f->state);
    else
        al_follow_keepalive(f);
}

struct al_follow *
al_follow_start(struct al_req *r, const char *channel, size_t size, al_follow_fn on_event,
    al_follow_tick_fn on_tick, void **state)
{
    struct al_follow *f = calloc(1, sizeof(*f) + size);
    if (f) {
        f->on_event = on_event;
        f->on_tick = on_tick;
        f->sub = al_events_subscribe(r->base, channel, follow_event, f);
        f->tick = event_new(r->base, -1, EV_PERSIST, follow_tick, f);
        f->sse = f->sub && f->tick ? al_sse_start(r, follow_closed, f) : NULL;
    }
    if (!f || !f->sse) {
        if (f)
            follow_free(f);
        al_req_fail(r, AL_EUNAVAIL, NULL, "服务繁忙，请稍后重试");
        return NULL;
    }
    *state = f->state;
    return f;
}

void
al_follow_arm(struct al_follow *f)
{
    struct timeval tv = {al_config.sse_keepalive_ms / 1000,
        (al_config.sse_keepalive_ms % 1000) * 1000};
    event_add(f->tick, &tv);
}

void
al_follow_end(struct al_follow *f)
{
    al_sse_end(f->sse);
    follow_free(f);
}

bool
al_follow_send(struct al_follow *f, const char *event, const char *data)
{
    if (al_sse_send(f->sse, event, data) == AL_OK)
        return true;
    al_follow_end(f);
    return false;
}

bool
al_follow_send_json(struct al_follow *f, const char *event, const json_t *v)
{
    struct al_arena a;
    al_arena_init(&a, 4096);
    bool ok = al_follow_send(f, event, al_json_dump_sorted(&a, v));
    al_arena_fini(&a);
    return ok;
}

bool
al_follow_keepalive(struct al_follow *f)
{
    if (al_sse_comment(f->sse, "keep-alive") == AL_OK)
        return true;
    al_follow_end(f);
    return false;
}
