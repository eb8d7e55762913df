/*
 * The body gate (RULE-HTTP-001..005), private to src/core/http.c.  Every accepted connection
 * reads through a gate that sees each request's head before libevent does and decides from
 * the route, Content-Length and credentials whether the body may come in, within one
 * process-wide budget; refused requests reach libevent without their body and marked
 * X-Anlao-Refused; large signed-in uploads go to an unnamed file and reach libevent marked
 * X-Anlao-Spool.  See gate.c for why (libevent 2.1 has no server-side hook between head and
 * body).
 */
#ifndef AL_GATE_H
#define AL_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/http.h"

struct bufferevent;
struct event_base;
struct evhttp_request;
struct al_gate;

/* What the gates of one worker use: the routes, the sign-in check, its connection, scratch. */
struct al_gate_env {
    const struct al_module *const *modules;
    al_signed_in_fn signed_in;
    struct al_db *db;
    struct al_arena *arena;
};

/* The table from sockets to gates.  AL_OK, or AL_EINTERNAL without memory.  Before serving. */
int al_gate_start(void);

/* Free the table, once every worker has stopped. */
void al_gate_stop(void);

/*
 * At a worker's end, before evhttp_free: drop the references the gates of `base` hold for an
 * answer still to push (kick) or a socket still to become writable, so that freeing the
 * connections frees their gates too (nothing left for the leak checker).
 */
struct event_base;
void al_gate_release(struct event_base *base);

/*
 * For evhttp_set_bevcb with `env` a struct al_gate_env that outlives the connections: the
 * gated bufferevent of a new connection, or NULL (logged; libevent then uses a plain one and
 * the request callback must refuse bodies over ANLAO_BODY_MAX_BYTES itself).
 */
struct bufferevent *al_gate_bufferevent(struct event_base *base, void *env);

/* The gate of the connection `ev` came on, or NULL. */
struct al_gate *al_gate_of(struct evhttp_request *ev);

/*
 * In the request callback: the body being answered is `body_len` bytes (counted in the budget
 * until al_gate_answered).  Returns the spooled body's file when `ev` is a spooled upload (the
 * caller closes it), else -1.
 */
int al_gate_answering(struct al_gate *g, struct evhttp_request *ev, size_t body_len);

/* Set the spooled body's length as the one being answered (after al_gate_answering). */
void al_gate_answering_len(struct al_gate *g, size_t body_len);

/* The answer is written: the body no longer counts. */
void al_gate_answered(struct al_gate *g);

/* Is this path served by the API (not a static file of the web app)? */
bool al_is_api_path(const char *p, size_t n);

#endif
