#include "core/gate.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/config.h"
#include "core/head.h"
#include "core/log.h"

/*
 * The body gate (RULE-HTTP-001..005).
 *
 * libevent 2.1 reads a whole request body into memory before the request callback runs, with
 * one size limit per server, and has no hook between the headers and the body on the server
 * side (evhttp_set_newreqcb and a server-side evhttp_request_set_header_cb arrive in 2.2).  So
 * each connection reads through a bufferevent filter of ours (evhttp_set_bevcb): it sees the
 * head of each request before libevent does and decides, from the route, Content-Length and
 * credentials, whether the body may come in.  An accepted body passes through and is counted
 * against the process-wide budget until its request is answered (or its connection closed).
 * A refused request reaches libevent as the same request line with "X-Anlao-Refused" and no
 * body; its body is dropped as it arrives (or the connection closes after the answer when the
 * length is unknown), so a refused body is never held.  A signed-in upload larger than
 * ANLAO_BODY_MAX_BYTES is written to an unnamed file as it arrives and libevent gets its head,
 * marked X-Anlao-Spool, only at its end (RULE-HTTP-005).  Two habits of libevent 2.1's filter
 * bufferevent had to be worked around for evhttp: see gate_kick and gate_output.
 */

enum gate_state { GATE_HEAD, GATE_BODY, GATE_SPOOL, GATE_DISCARD, GATE_DEAD };

struct al_gate {
    struct al_gate_env *env;
    struct bufferevent *bev;   /* the filter libevent reads from */
    struct bufferevent *under; /* the socket */
    int fd;                    /* slot in g_gates, -1 until known */
    enum gate_state state;
    uint64_t left;             /* body bytes still to pass (BODY) or to drop (DISCARD) */
    size_t scan, line_start;   /* where the search for the end of the head stands (HEAD) */
    size_t reserved;           /* budget held by the bodies read on this connection */
    size_t answering;          /* the body of the request being answered */
    struct event *kick;        /* pushes an answer out (see gate_outbuf) */
    struct event *writable;    /* the socket can take more of the answer (see gate_output) */
    int spool_fd;              /* an upload's body on disk (SPOOL), then for on_request; or -1 */
    struct evbuffer *held;     /* the head of a spooled upload, given to libevent at its end */
};

static atomic_size_t g_body_used;
static _Atomic(struct al_gate *) *g_gates; /* by socket: the request → its connection's gate */
static size_t g_ngates;

static bool
budget_take(size_t n)
{
    size_t cur = atomic_load(&g_body_used);
    do {
        if (cur + n > al_config.body_budget || cur + n < cur)
            return false;
    } while (!atomic_compare_exchange_weak(&g_body_used, &cur, cur + n));
    return true;
}

static void
gate_release(struct al_gate *g, size_t n)
{
    if (n > g->reserved)
        n = g->reserved;
    g->reserved -= n;
    atomic_fetch_sub(&g_body_used, n);
}

/* The gate of the connection a request came on, or NULL. */
struct al_gate *
al_gate_of(struct evhttp_request *ev)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(ev);
    struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    if (fd < 0 || (size_t)fd >= g_ngates)
        return NULL;
    struct al_gate *g = atomic_load(&g_gates[fd]);
    return g && g->bev == bev ? g : NULL;
}

bool
al_is_api_path(const char *p, size_t n)
{
    return (n >= 5 && memcmp(p, "/api/", 5) == 0) || (n == 4 && memcmp(p, "/api", 4) == 0) ||
           (n == 8 && memcmp(p, "/healthz", 8) == 0) || (n == 7 && memcmp(p, "/readyz", 7) == 0);
}

/* The methods we serve (evhttp_set_allowed_methods), as the router knows them. */
static bool
head_method(const struct al_head *h, int *method, bool *has_body)
{
    static const struct {
        const char *name;
        int method;
        bool body;
    } t[] = {
        {"GET", AL_GET, true}, {"HEAD", AL_GET, false}, {"POST", AL_POST, true},
        {"PUT", AL_PUT, true}, {"PATCH", AL_PATCH, true}, {"DELETE", AL_DELETE, true},
        {"OPTIONS", 0, true},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (h->method_len == strlen(t[i].name) && memcmp(h->method, t[i].name, h->method_len) == 0) {
            *method = t[i].method;
            *has_body = t[i].body; /* as libevent 2.1 reads them: HEAD has no body */
            return true;
        }
    return false;
}

/* Is this request for an upload route (AL_ROUTE_UPLOAD)? */
static bool
upload_route(struct al_gate *g, const struct al_head *h, int method)
{
    size_t n = h->target_len;
    const char *q = memchr(h->target, '?', n);
    if (q)
        n = (size_t)(q - h->target);
    struct al_match m;
    return method && al_is_api_path(h->target, n) &&
           al_router_match(g->env->modules, method, h->target, n, &m, NULL) == AL_OK &&
           (m.route->flags & AL_ROUTE_UPLOAD);
}

/* Do the head's credentials sign someone in? */
static bool
caller_signed_in(struct al_gate *g, const struct al_head *h)
{
    if (!g->env->signed_in)
        return false;
    struct al_arena *a = g->env->arena;
    al_arena_reset(a);
    const char *authz = h->authorization ? al_arena_strndup(a, h->authorization,
                                               h->authorization_len) : NULL;
    const char *cookie = h->cookie ? al_arena_strndup(a, h->cookie, h->cookie_len) : NULL;
    return g->env->signed_in(g->env->db, a, authz, cookie);
}

/*
 * Decide on a complete head: NULL to let it in with `*body` bytes of body (reserved), or the
 * refusal ("reason[ detail]") for X-Anlao-Refused, with `*close` when the body's end is not
 * known and the connection must close after the answer.
 */
static const char *
gate_decide(struct al_gate *g, const struct al_head *h, char *buf, size_t size, uint64_t *body,
    bool *close, bool *spool)
{
    int method = 0;
    bool has_body = false;
    *body = 0;
    *close = true;
    *spool = false;
    if (!head_method(h, &method, &has_body))
        return "method";
    if (h->folded || h->content_lengths > 1 || h->bad_length)
        return "length";
    if (has_body && h->transfer_encoding)
        return "chunked"; /* RULE-HTTP-003 */
    if (h->expect_other)
        return "expect";
    *close = false;
    uint64_t n = has_body && h->content_lengths ? h->content_length : 0;
    if (n == 0)
        return NULL;
    /* RULE-HTTP-001 */
    size_t limit = al_config.body_max;
    bool upload = n > limit && upload_route(g, h, method);
    if (upload && n <= al_config.upload_max && caller_signed_in(g, h))
        limit = al_config.upload_max;
    if (n > limit) {
        *body = n; /* to drop */
        snprintf(buf, size, "too-big %zu%s", limit,
            upload && limit < al_config.upload_max ? " anonymous" : "");
        return buf;
    }
    /* RULE-HTTP-002 */
    if (!budget_take((size_t)n)) {
        *body = n;
        return "busy";
    }
    g->reserved += (size_t)n;
    *body = n;
    *spool = limit == al_config.upload_max && n > al_config.body_max;
    return NULL;
}

/* Has the head ended (an empty line) within src?  Its length in *len.  Incremental. */
static bool
head_ended(struct al_gate *g, struct evbuffer *src, size_t *len)
{
    size_t total = evbuffer_get_length(src);
    struct evbuffer_ptr at;
    if (g->scan >= total || evbuffer_ptr_set(src, &at, g->scan, EVBUFFER_PTR_SET) != 0)
        return false;
    for (;;) {
        struct evbuffer_ptr nl = evbuffer_search(src, "\n", 1, &at);
        if (nl.pos < 0)
            break;
        size_t line = (size_t)nl.pos - g->line_start;
        char c = 0;
        if (line == 1) {
            struct evbuffer_ptr st;
            evbuffer_ptr_set(src, &st, g->line_start, EVBUFFER_PTR_SET);
            evbuffer_copyout_from(src, &st, &c, 1);
        }
        if (line == 0 || (line == 1 && c == '\r')) {
            *len = (size_t)nl.pos + 1;
            return true;
        }
        g->line_start = (size_t)nl.pos + 1;
        if (g->line_start >= total || evbuffer_ptr_set(src, &at, g->line_start,
                                          EVBUFFER_PTR_SET) != 0)
            break;
    }
    g->scan = total;
    return false;
}

/*
 * The head libevent gets once a spooled upload is on disk: the same request line and headers
 * without Content-Length, Expect and Connection, marked X-Anlao-Spool, with no body, and
 * closing the connection after the answer (so no later request overtakes the spool).
 */
static void
spool_head(struct evbuffer *out, const char *p, const struct al_head *h)
{
    evbuffer_add(out, p, h->line_len);
    evbuffer_add_printf(out, "\r\nX-Anlao-Spool: 1\r\nConnection: close\r\n");
    const char *end = p + h->len, *line = memchr(p, '\n', h->len) + 1;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = (size_t)(nl - line);
        if (n && line[n - 1] == '\r')
            n--;
        if (n == 0)
            break;
        const char *colon = memchr(line, ':', n);
        size_t k = colon ? (size_t)(colon - line) : n;
        bool drop = (k == 14 && strncasecmp(line, "Content-Length", k) == 0) ||
                    (k == 6 && strncasecmp(line, "Expect", k) == 0) ||
                    (k == 10 && strncasecmp(line, "Connection", k) == 0) ||
                    (k >= 8 && strncasecmp(line, "X-Anlao-", 8) == 0);
        if (!drop) {
            evbuffer_add(out, line, n);
            evbuffer_add(out, "\r\n", 2);
        }
        line = nl + 1;
    }
    evbuffer_add_printf(out, "Content-Length: 0\r\n\r\n");
}

/* An unnamed file for an upload's body, beside the database; -1 when none can be made. */
static int
spool_open(void)
{
    const char *dir = al_config.data_dir ? al_config.data_dir : ".";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/.upload-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    if (fd < 0)
        al_warn("cannot make an upload spool file in %s: %s (kept in memory)", dir,
            strerror(errno));
    return fd;
}

/* One complete head at the start of src: pass it (as is, or as a refusal) to dst. */
static void
gate_head(struct al_gate *g, struct evbuffer *src, struct evbuffer *dst, size_t len)
{
    struct al_head h;
    const char *p = (const char *)evbuffer_pullup(src, (ev_ssize_t)len);
    g->scan = g->line_start = 0;
    if (!p || al_head_parse(p, len, &h) != AL_HEAD_DONE || h.bad_line) {
        /* Not a request line libevent takes: it answers 400 and closes; drop what follows. */
        evbuffer_remove_buffer(src, dst, len);
        g->state = GATE_DEAD;
        return;
    }
    char buf[64];
    uint64_t body = 0;
    bool close = false, spool = false;
    const char *refused = gate_decide(g, &h, buf, sizeof(buf), &body, &close, &spool);
    /* RULE-HTTP-005: a signed-in upload goes to disk as it arrives, not into memory. */
    if (!refused && spool && g->spool_fd < 0 && (g->held = evbuffer_new()) &&
        (g->spool_fd = spool_open()) >= 0) {
        spool_head(g->held, p, &h);
        if (h.expect_continue) {
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            if (write(g->fd, cont, sizeof(cont) - 1) < 0) {
                /* the peer is gone: libevent sees it on the read side */
            }
        }
        evbuffer_drain(src, len);
        g->left = body;
        g->state = GATE_SPOOL;
        return;
    }
    if (g->held && g->spool_fd < 0) {
        evbuffer_free(g->held);
        g->held = NULL;
    }
    if (!refused) {
        evbuffer_remove_buffer(src, dst, len);
        g->left = body;
        g->state = body ? GATE_BODY : GATE_HEAD;
        return;
    }
    evbuffer_add(dst, p, h.line_len);
    evbuffer_add_printf(dst, "\r\nX-Anlao-Refused: %s\r\n%sContent-Length: 0\r\n\r\n", refused,
        close ? "Connection: close\r\n" : "");
    evbuffer_drain(src, len);
    g->left = body;
    g->state = close ? GATE_DEAD : body ? GATE_DISCARD : GATE_HEAD;
}

static enum bufferevent_filter_result
gate_input(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *ctx)
{
    (void)limit;
    (void)mode;
    struct al_gate *g = ctx;
    if (g->fd < 0) {
        g->fd = bufferevent_getfd(g->under);
        if (g->fd >= 0 && (size_t)g->fd < g_ngates)
            atomic_store(&g_gates[g->fd], g);
    }
    bool progress = false;
    size_t n;
    while ((n = evbuffer_get_length(src)) > 0) {
        switch (g->state) {
        case GATE_HEAD: {
            size_t len = 0;
            if (head_ended(g, src, &len)) {
                gate_head(g, src, dst, len);
            } else if (n >= AL_HEAD_MAX) {
                /* Longer than libevent takes: it answers 400 and closes. */
                evbuffer_remove_buffer(src, dst, n);
                g->state = GATE_DEAD;
            } else {
                return progress ? BEV_OK : BEV_NEED_MORE;
            }
            break;
        }
        case GATE_BODY:
            if (n > g->left)
                n = (size_t)g->left;
            evbuffer_remove_buffer(src, dst, n);
            if ((g->left -= n) == 0)
                g->state = GATE_HEAD;
            break;
        case GATE_SPOOL:
            if (n > g->left)
                n = (size_t)g->left;
            while (n > 0) {
                int w = evbuffer_write_atmost(src, g->spool_fd, (ev_ssize_t)n);
                if (w <= 0)
                    break;
                n -= (size_t)w;
                g->left -= (size_t)w;
            }
            if (n > 0) {
                /* The disk refused it: answer 503 and close. */
                al_warn("upload spool write failed: %s", strerror(errno));
                evbuffer_free(g->held);
                g->held = NULL;
                close(g->spool_fd);
                g->spool_fd = -1;
                evbuffer_add_printf(dst, "POST /api/v1/ HTTP/1.1\r\nX-Anlao-Refused: spool\r\n"
                                         "Connection: close\r\nContent-Length: 0\r\n\r\n");
                g->state = GATE_DEAD;
            } else if (g->left == 0) {
                evbuffer_add_buffer(dst, g->held);
                evbuffer_free(g->held);
                g->held = NULL;
                g->state = GATE_DEAD; /* the head asked libevent to close after the answer */
            }
            break;
        case GATE_DISCARD:
            if (n > g->left)
                n = (size_t)g->left;
            evbuffer_drain(src, n);
            if ((g->left -= n) == 0)
                g->state = GATE_HEAD;
            break;
        case GATE_DEAD:
            evbuffer_drain(src, n);
            break;
        }
        progress = true;
    }
    return BEV_OK;
}

/*
 * libevent 2.1's filter moves output on only while writing is enabled, and evhttp adds an
 * answer before it enables writing: the answer would wait for ever.  So when output arrives,
 * a zero-delay event flushes it once evhttp is done (holding a reference, so a connection
 * freed meanwhile stays valid until then).
 */
static void
gate_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct al_gate *g = arg;
    bufferevent_flush(g->bev, EV_WRITE, BEV_NORMAL);
    bufferevent_decref(g->bev);
}

static void
gate_outbuf(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    struct al_gate *g = arg;
    if (info->n_added && !event_pending(g->kick, EV_TIMEOUT, NULL)) {
        bufferevent_incref(g->bev);
        event_active(g->kick, EV_TIMEOUT, 1);
    }
}

static void
gate_writable(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct al_gate *g = arg;
    bufferevent_flush(g->bev, EV_WRITE, BEV_NORMAL);
    bufferevent_decref(g->bev);
}

/*
 * The answer goes from the filter straight to the socket.  Through the filter's underlying
 * bufferevent, libevent would count an answer as sent once it sat in that second buffer, and
 * on "Connection: close" (nginx's default to upstreams, HTTP/1.0) free the connection with
 * the rest unsent.  Written here, "sent" means in the kernel.  When the socket is full, the
 * rest waits for it to become writable.
 */
static enum bufferevent_filter_result
gate_output(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *ctx)
{
    (void)dst;
    (void)limit;
    (void)mode;
    struct al_gate *g = ctx;
    if (g->fd < 0)
        return BEV_ERROR;
    while (evbuffer_get_length(src) > 0) {
        int n = evbuffer_write(src, g->fd);
        if (n > 0)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (!g->writable)
                g->writable = event_new(bufferevent_get_base(g->bev), g->fd, EV_WRITE,
                    gate_writable, g);
            if (!g->writable)
                return BEV_ERROR;
            if (!event_pending(g->writable, EV_WRITE, NULL)) {
                bufferevent_incref(g->bev);
                event_add(g->writable, NULL);
            }
            return BEV_NEED_MORE;
        }
        /* The peer is gone: drop the rest; libevent's read side sees the end. */
        evbuffer_drain(src, evbuffer_get_length(src));
        return BEV_ERROR;
    }
    return BEV_OK;
}

static void
gate_free(void *ctx)
{
    struct al_gate *g = ctx;
    if (g->kick)
        event_free(g->kick);
    if (g->writable)
        event_free(g->writable);
    if (g->held)
        evbuffer_free(g->held);
    if (g->spool_fd >= 0)
        close(g->spool_fd);
    gate_release(g, g->reserved);
    if (g->fd >= 0 && (size_t)g->fd < g_ngates) {
        struct al_gate *expected = g;
        atomic_compare_exchange_strong(&g_gates[g->fd], &expected, NULL);
    }
    free(g);
}

struct bufferevent *
al_gate_bufferevent(struct event_base *base, void *arg)
{
    struct al_gate *g = calloc(1, sizeof(*g));
    struct event *kick = g ? event_new(base, -1, 0, gate_kick, g) : NULL;
    struct bufferevent *under = kick ? bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)
                                     : NULL;
    struct bufferevent *bev = under ? bufferevent_filter_new(under, gate_input, gate_output,
                                          BEV_OPT_CLOSE_ON_FREE, gate_free, g)
                                    : NULL;
    if (!bev || !evbuffer_add_cb(bufferevent_get_output(bev), gate_outbuf, g)) {
        /* libevent then makes a plain socket bufferevent: on_request refuses large bodies. */
        al_error("out of memory for a connection's body gate");
        if (bev) {
            bufferevent_free(bev); /* frees `under`, `kick` and `g` through gate_free */
            return NULL;
        }
        if (under)
            bufferevent_free(under);
        if (kick)
            event_free(kick);
        free(g);
        return NULL;
    }
    g->kick = kick;
    g->spool_fd = -1;
    g->env = arg;
    g->bev = bev;
    g->under = under;
    g->fd = -1;
    return bev;
}

int
al_gate_start(void)
{
    /* One slot per possible socket: a request finds its connection's gate. */
    struct rlimit rl;
    g_ngates = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                   ? (size_t)rl.rlim_cur : 65536;
    if (g_ngates > (1u << 20))
        g_ngates = 1u << 20;
    g_gates = calloc(g_ngates, sizeof(*g_gates));
    return g_gates ? AL_OK : AL_EINTERNAL;
}

void
al_gate_release(struct event_base *base)
{
    for (size_t fd = 0; g_gates && fd < g_ngates; fd++) {
        struct al_gate *g = atomic_load(&g_gates[fd]);
        if (!g || bufferevent_get_base(g->bev) != base)
            continue;
        if (g->kick && event_pending(g->kick, EV_TIMEOUT, NULL)) {
            event_del(g->kick);
            bufferevent_decref(g->bev);
        }
        if (g->writable && event_pending(g->writable, EV_WRITE, NULL)) {
            event_del(g->writable);
            bufferevent_decref(g->bev);
        }
    }
}

void
al_gate_stop(void)
{
    free(g_gates);
    g_gates = NULL;
    g_ngates = 0;
}

int
al_gate_answering(struct al_gate *g, struct evhttp_request *ev, size_t body_len)
{
    int fd = -1;
    if (g->spool_fd >= 0 &&
        evhttp_find_header(evhttp_request_get_input_headers(ev), "X-Anlao-Spool")) {
        fd = g->spool_fd;
        g->spool_fd = -1;
    }
    g->answering = body_len;
    return fd;
}

void
al_gate_answering_len(struct al_gate *g, size_t body_len)
{
    g->answering = body_len;
}

void
al_gate_answered(struct al_gate *g)
{
    gate_release(g, g->answering);
    g->answering = 0;
}
