#include "core/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/gate.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/log.h"
#include "core/proxy.h"

struct worker {
    int id;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *sock;
    struct al_db *db;
    struct al_arena arena;
    struct al_arena gate_arena; /* scratch of the body gate's sign-in check */
    struct al_gate_env gate_env;
    struct event *stop_ev;
    struct event *drain_ev;
    struct event *flush_ev;
    int inflight;
    struct timespec drain_deadline;
};

static const struct al_module *const *g_modules;
static al_dispatch_fn g_dispatch;
static al_signed_in_fn g_signed_in;

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                          "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
                          "object-src 'none'; base-uri 'self'; form-action 'self'; "
                          "frame-ancestors 'none'";

/* A header with a default value: the handler's own, when it set one, stays the only one. */
static void
add_default(struct evkeyvalq *h, const char *name, const char *value)
{
    if (!evhttp_find_header(h, name))
        evhttp_add_header(h, name, value);
}

static void
add_security_headers(struct evkeyvalq *h)
{
    evhttp_add_header(h, "Content-Security-Policy", csp);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
    evhttp_add_header(h, "Cross-Origin-Resource-Policy", "same-origin");
    evhttp_add_header(h, "Permissions-Policy", "geolocation=(self), camera=(self), microphone=()");
}

/* ---- request helpers used by handlers ---- */

int
al_req_json(struct al_req *r, json_t **out)
{
    return al_json_parse_object(r->body, r->body_len, out, &r->err);
}

const char *
al_req_param(struct al_req *r, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < r->match.nparams; i++)
        if (r->match.param_name_lens[i] == n && memcmp(r->match.param_names[i], name, n) == 0)
            return al_arena_strndup(r->arena, r->match.params[i], r->match.param_lens[i]);
    return NULL;
}

int
al_req_param_id(struct al_req *r, const char *name, int64_t *out)
{
    const char *s = al_req_param(r, name);
    if (!s || !*s || strlen(s) > 18)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "记录不存在");
    int64_t x = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return al_req_fail(r, AL_ENOTFOUND, NULL, "记录不存在");
        x = x * 10 + (*p - '0');
    }
    if (x <= 0)
        return al_req_fail(r, AL_ENOTFOUND, NULL, "记录不存在");
    *out = x;
    return AL_OK;
}

const char *
al_req_header(struct al_req *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

const char *
al_req_header_list(struct al_req *r, const char *name)
{
    struct evkeyvalq *h = evhttp_request_get_input_headers(r->ev);
    size_t total = 0, count = 0;
    struct evkeyval *kv;
    for (kv = h->tqh_first; kv; kv = kv->next.tqe_next)
        if (strcasecmp(kv->key, name) == 0) {
            total += strlen(kv->value) + 2;
            count++;
        }
    if (count <= 1)
        return evhttp_find_header(h, name);
    char *out = al_arena_alloc(r->arena, total + 1), *o = out;
    for (kv = h->tqh_first; kv; kv = kv->next.tqe_next)
        if (strcasecmp(kv->key, name) == 0) {
            size_t n = strlen(kv->value);
            if (o != out) {
                memcpy(o, ", ", 2);
                o += 2;
            }
            memcpy(o, kv->value, n);
            o += n;
        }
    *o = '\0';
    return out;
}

void
al_req_set_header(struct al_req *r, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value);
}

int
al_reply(struct al_req *r, int status, json_t *body)
{
    r->status = status;
    r->resp = body;
    return AL_OK;
}

int
al_reply_items(struct al_req *r, json_t *items, int64_t total)
{
    if (total < 0)
        total = (int64_t)json_array_size(items);
    return al_reply(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int
al_reply_file(struct al_req *r, const char *content_type, const char *filename, const char *data,
    size_t len)
{
    r->status = 200;
    r->file_body = data;
    r->file_len = len;
    r->file_type = content_type;
    r->file_name = filename;
    return AL_OK;
}

int
al_reply_file_fd(struct al_req *r, const char *content_type, const char *filename, int fd,
    size_t len)
{
    al_reply_file(r, content_type, filename, NULL, len);
    r->file_fd = fd;
    r->file_fd_set = true;
    return AL_OK;
}

static char *disposition(struct al_arena *a, const char *name);

/* ---- server-sent events ---- */

struct al_sse {
    struct evhttp_request *ev;
    struct evhttp_connection *conn;
    void (*on_close)(void *ctx);
    void *ctx;
};

/*
 * The connection went away (client closed, write error or timeout, or the worker freeing its
 * connections at stop).  On a network failure evhttp has already detached the unfinished
 * request from the connection: ending it frees it.  At stop the connection frees it itself.
 */
static void
sse_closed(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    struct al_sse *s = arg;
    if (!evhttp_request_get_connection(s->ev))
        evhttp_send_reply_end(s->ev);
    s->on_close(s->ctx);
    free(s);
}

struct al_sse *
al_sse_start(struct al_req *r, void (*on_close)(void *ctx), void *ctx)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(r->ev);
    struct al_sse *s = conn ? calloc(1, sizeof(*s)) : NULL;
    if (!s)
        return NULL;
    s->ev = r->ev;
    s->conn = conn;
    s->on_close = on_close;
    s->ctx = ctx;
    r->streamed = true;
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    add_security_headers(h);
    evhttp_add_header(h, "Content-Type", "text/event-stream; charset=utf-8");
    add_default(h, "Cache-Control", "no-store"); /* unless the handler set its own */
    evhttp_add_header(h, "X-Accel-Buffering", "no"); /* nginx passes each event on at once */
    /* RULE-EVENT-007: no read timeout on a stream (the client only listens); a write that
       makes no progress still ends it. */
    struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
    struct timeval wtv = {al_config.timeout_s, 0};
    if (bev)
        bufferevent_set_timeouts(bev, NULL, &wtv);
    evhttp_connection_set_closecb(conn, sse_closed, s);
    evhttp_send_reply_start(r->ev, 200, "OK");
    return s;
}

static int
sse_write(struct al_sse *s, const char *text, size_t len)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(s->conn);
    if (bev && evbuffer_get_length(bufferevent_get_output(bev)) > AL_SSE_BACKLOG)
        return AL_EUNAVAIL; /* RULE-EVENT-008: a client that does not read */
    struct evbuffer *b = evbuffer_new();
    if (!b)
        return AL_EUNAVAIL;
    evbuffer_add(b, text, len);
    evhttp_send_reply_chunk(s->ev, b);
    evbuffer_free(b);
    return AL_OK;
}

int
al_sse_send(struct al_sse *s, const char *event, const char *data)
{
    size_t n = strlen(event) + strlen(data) + 32;
    char *text = malloc(n);
    if (!text)
        return AL_EUNAVAIL;
    int head = snprintf(text, n, "event: %s\ndata: ", event);
    int len = head + snprintf(text + head, n - (size_t)head, "%s\n\n", data);
    for (int i = head; i < len - 2; i++) /* one data line: a line break would split the event */
        if (text[i] == '\r' || text[i] == '\n')
            text[i] = ' ';
    int rc = sse_write(s, text, (size_t)len);
    free(text);
    return rc;
}

int
al_sse_comment(struct al_sse *s, const char *text)
{
    char line[128];
    int len = snprintf(line, sizeof(line), ": %s\n\n", text);
    return sse_write(s, line, (size_t)len);
}

/*
 * The last chunk of a chunked answer on `conn`, and the connection back to taking requests.
 * Held across the end: without chunks (HTTP/1.0, nginx's default to upstreams) evhttp may free
 * the connection and its bufferevent inside evhttp_send_reply_end.
 */
static void
reply_end(struct evhttp_request *ev, struct evhttp_connection *conn)
{
    evhttp_connection_set_closecb(conn, NULL, NULL);
    struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
    if (bev)
        bufferevent_incref(bev);
    evhttp_send_reply_end(ev);
    /* Through the gate's filter, writing is enabled while a stream runs, so the last chunk
       leaves at once, before evhttp asks to hear that the answer is out: the connection would
       never take its next request.  Tell it now (deferred: that frees the request; a freed
       bufferevent has no callbacks left to run). */
    if (bev && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        bufferevent_trigger(bev, EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
    if (bev)
        bufferevent_decref(bev);
}

void
al_sse_end(struct al_sse *s)
{
    reply_end(s->ev, s->conn);
    free(s);
}

/* ---- streamed downloads (RULE-DB-113) ---- */

struct al_stream {
    struct evhttp_request *ev;
    struct evhttp_connection *conn;
    struct al_arena *arena; /* the request's, taken over from the worker */
    struct event *next;     /* calls `more` from the loop */
    void (*more)(void *ctx);
    void (*gone)(void *ctx);
    void *ctx;
    int *inflight; /* the worker's count, held until the download ends (RULE-DB-131) */
    bool no_body;  /* HEAD: the head alone, chunks are dropped */
};

/* The count of requests in flight of the worker running on this thread (set per request). */
static __thread int *t_inflight;

static void
stream_free(struct al_stream *s)
{
    if (s->inflight)
        (*s->inflight)--;
    if (s->next)
        event_free(s->next);
    al_arena_fini(s->arena);
    free(s->arena);
    free(s);
}

static void
stream_next(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct al_stream *s = arg;
    al_json_use_arena(s->arena);
    s->more(s->ctx); /* may end the stream: s is not used after */
    al_json_use_arena(NULL);
}

/*
 * Ask for the next piece once what was queued has left (it is in the kernel).  Checked both
 * when evhttp says the output drained and right after queueing: through the gate's filter a
 * chunk may reach the socket inside evhttp_send_reply_chunk_with_cb, before evhttp has taken
 * our callback, which then never comes.  An event already active is not run twice.
 */
static void
stream_kick(struct al_stream *s)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(s->conn);
    if (!bev || evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        event_active(s->next, EV_TIMEOUT, 1);
}

static void
stream_drained(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    stream_kick(arg);
}

/* The client went away, or the worker stops: see sse_closed. */
static void
stream_closed(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    struct al_stream *s = arg;
    if (!evhttp_request_get_connection(s->ev))
        evhttp_send_reply_end(s->ev);
    al_json_use_arena(s->arena);
    s->gone(s->ctx);
    al_json_use_arena(NULL);
    stream_free(s);
}

struct al_stream *
al_stream_start(struct al_req *r, const char *content_type, const char *filename,
    void (*more)(void *ctx), void (*gone)(void *ctx), void *ctx)
{
    struct evhttp_connection *conn = r->ev ? evhttp_request_get_connection(r->ev) : NULL;
    struct al_stream *s = conn ? calloc(1, sizeof(*s)) : NULL;
    if (!s)
        return NULL;
    s->arena = malloc(sizeof(*s->arena));
    s->next = event_new(r->base, -1, 0, stream_next, s);
    if (!s->arena || !s->next) {
        if (s->next)
            event_free(s->next);
        free(s->arena);
        free(s);
        return NULL;
    }
    /* The request and everything it holds move with its arena; the worker starts a new one. */
    *s->arena = *r->arena;
    al_arena_init(r->arena, 64 * 1024);
    r->arena = s->arena;
    al_json_use_arena(s->arena);
    s->ev = r->ev;
    s->conn = conn;
    s->more = more;
    s->gone = gone;
    s->ctx = ctx;
    s->no_body = evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD;
    /* RULE-DB-131: a download is a request in flight until its last chunk, so that a graceful
       stop waits for it (up to the drain deadline) instead of cutting the file. */
    s->inflight = t_inflight;
    if (s->inflight)
        (*s->inflight)++;
    r->streamed = true;
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    add_security_headers(h);
    evhttp_add_header(h, "Content-Type", content_type);
    add_default(h, "Cache-Control", "no-store"); /* unless the handler set its own */
    evhttp_add_header(h, "Content-Disposition", disposition(r->arena, filename));
    /* What the kernel holds of a download beside our one chunk, when bounded (tests: a client
       that stops reading must leave the export waiting, not finished into the kernel). */
    struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
    struct bufferevent *under = bev ? bufferevent_get_underlying(bev) : NULL;
    evutil_socket_t fd = bev ? bufferevent_getfd(under ? under : bev) : -1;
    if (al_config.stream_sndbuf > 0 && fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &al_config.stream_sndbuf,
            sizeof(al_config.stream_sndbuf));
    evhttp_connection_set_closecb(conn, stream_closed, s);
    evhttp_send_reply_start(r->ev, 200, "OK");
    event_active(s->next, EV_TIMEOUT, 1); /* the first `more`, once the handler has returned */
    return s;
}

void
al_stream_write(struct al_stream *s, const void *data, size_t len)
{
    struct evbuffer *b = s->no_body || len == 0 ? NULL : evbuffer_new();
    if (b && evbuffer_add(b, data, len) == 0) {
        /* the callback comes once the output buffer is empty: flow control */
        evhttp_send_reply_chunk_with_cb(s->ev, b, stream_drained, s);
        stream_kick(s);
    } else {
        event_active(s->next, EV_TIMEOUT, 1);
    }
    if (b)
        evbuffer_free(b);
}

void
al_stream_end(struct al_stream *s, bool complete)
{
    if (complete) {
        reply_end(s->ev, s->conn);
    } else {
        /* No last chunk: the client sees a cut answer, never a short file taken for whole. */
        evhttp_connection_set_closecb(s->conn, NULL, NULL);
        evhttp_connection_free(s->conn);
    }
    stream_free(s);
}

/* ---- rendering ---- */

/* RFC 5987 percent-encoding of a file name for Content-Disposition. */
static char *
disposition(struct al_arena *a, const char *name)
{
    size_t n = strlen(name);
    char *out = al_arena_alloc(a, 3 * n + 64), *o = out;
    o += sprintf(o, "attachment; filename=\"download\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '-' || *p == '_')
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return out;
}

static size_t
send_file(struct al_req *r)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    add_security_headers(h);
    evhttp_add_header(h, "Content-Type", r->file_type);
    add_default(h, "Cache-Control", "no-store"); /* unless the handler set its own */
    evhttp_add_header(h, "Content-Disposition", disposition(r->arena, r->file_name));
    struct evbuffer *out = evhttp_request_get_output_buffer(r->ev);
    if (!r->file_fd_set) {
        evbuffer_add(out, r->file_body, r->file_len);
    } else if (evbuffer_add_file(out, r->file_fd, 0, (ev_off_t)r->file_len) != 0) {
        close(r->file_fd); /* RULE-DB-114: sent from the file, never read into memory */
        r->file_fd = -1;
        evbuffer_drain(out, evbuffer_get_length(out));
        al_error("cannot send the file %s", r->file_name);
    } else {
        r->file_fd = -1; /* the buffer owns it now and closes it */
    }
    evhttp_send_reply(r->ev, r->status, NULL, NULL);
    return r->file_len;
}

static void
access_log(const char *method, const char *route, int status, double ms, size_t bytes)
{
    if (!al_config.access_log)
        return;
    char line[512], ts[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int n = snprintf(line, sizeof(line),
        "{\"ts\":\"%s\",\"log\":\"access\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,"
        "\"ms\":%.2f,\"bytes\":%zu}",
        ts, method, route, status, ms, bytes);
    if (n > 0 && (size_t)n < sizeof(line))
        al_log_access(line, n);
}

static size_t
send_json(struct al_req *r, int status, json_t *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    add_security_headers(h);
    evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
    add_default(h, "Cache-Control", "no-store"); /* unless the handler set its own */
    size_t len = 0;
    char *s = al_json_dump(r->arena, body, &len);
    evbuffer_add(evhttp_request_get_output_buffer(r->ev), s, len);
    evhttp_send_reply(r->ev, status, NULL, NULL);
    return len;
}

static size_t
send_error(struct al_req *r, int err)
{
    if (!r->err.message[0])
        snprintf(r->err.message, sizeof(r->err.message), "%s", al_err_message(err));
    json_t *e = json_object();
    json_object_set_new(e, "code",
        json_string(r->err.code_override ? r->err.code_override : al_err_code(err)));
    json_object_set_new(e, "message", json_string(r->err.message));
    if (r->err.field)
        json_object_set_new(e, "field", json_string(r->err.field));
    if (r->err.column > 0)
        json_object_set_new(e, "column", json_integer(r->err.column));
    if (err == AL_ETHROTTLE && r->err.retry_after_s > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", r->err.retry_after_s);
        al_req_set_header(r, "Retry-After", ra);
        json_object_set_new(e, "retry_after", json_integer(r->err.retry_after_s));
    }
    if (err == AL_EMETHOD && r->path) {
        /* Allow: the methods this path has. */
        char allow[64] = "";
        for (int m = AL_GET; m <= AL_DELETE; m++) {
            struct al_match mm;
            if (al_router_match(g_modules, m, r->path, r->path_len, &mm, NULL) == AL_OK) {
                if (allow[0])
                    strcat(allow, ", ");
                strcat(allow, al_method_name(m));
            }
        }
        if (allow[0])
            al_req_set_header(r, "Allow", allow);
    }
    json_t *body = json_object();
    json_object_set_new(body, "error", e);
    return send_json(r, al_err_status(err), body);
}

/* ---- static files of the web app ---- */

static const char *
content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".ico", "image/x-icon"},
        {".woff", "font/woff"}, {".woff2", "font/woff2"}, {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"}, {".webmanifest", "application/manifest+json"},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static int
open_static(struct al_req *r, const char *rel, struct stat *sb)
{
    char *full = al_arena_printf(r->arena, "%s/%s", al_config.web_root, rel);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Whether Accept-Encoding allows coding `name` (RULE-HTTP-006): a listed token, or `*`, whose q
   is not zero. An absent header allows none of ours (identity only, RFC 9110 §12.5.3). */
static bool
accepts_coding(const char *list, const char *name)
{
    if (!list)
        return false;
    size_t nlen = strlen(name);
    bool star = false, named = false, named_ok = false;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *tok = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t tlen = (size_t)(p - tok);
        bool zero = false;
        while (*p && *p != ',') {
            /* parameters: only q matters; q=0, q=0.0, q=0.000 refuse */
            if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
                const char *v = p + 2;
                if (*v == '0') {
                    v++;
                    if (*v == '.')
                        for (v++; *v == '0'; v++)
                            ;
                    zero = !(*v >= '1' && *v <= '9');
                }
            }
            p++;
        }
        if (tlen == nlen && strncasecmp(tok, name, nlen) == 0) {
            named = true;
            named_ok = !zero;
        } else if (tlen == 1 && *tok == '*') {
            star = !zero;
        }
    }
    return named ? named_ok : star;
}

/* The precompressed variant of `rel` the client accepts, brotli before gzip (RULE-HTTP-006):
   FILE.br or FILE.gz written by the web build (scripts/compress-web.mjs). */
static int
open_encoded(struct al_req *r, const char *rel, struct stat *sb, const char **coding)
{
    static const struct {
        const char *coding, *suffix;
    } codings[] = {{"br", ".br"}, {"gzip", ".gz"}};
    const char *list = al_req_header_list(r, "Accept-Encoding");
    for (size_t i = 0; i < sizeof(codings) / sizeof(codings[0]); i++) {
        if (!accepts_coding(list, codings[i].coding))
            continue;
        int fd = open_static(r, al_arena_printf(r->arena, "%s%s", rel, codings[i].suffix), sb);
        if (fd >= 0) {
            *coding = codings[i].coding;
            return fd;
        }
    }
    return -1;
}

/* Serve a file of web/dist; unknown paths without an extension get index.html. */
static size_t
serve_static(struct al_req *r, int *status)
{
    const char *p = r->path + 1;
    size_t n = r->path_len - 1;
    bool bad = memchr(p, '\0', n) || strstr(p, "..") || strchr(p, '\\') || strchr(p, '%');
    char *rel = bad ? NULL : al_arena_strndup(r->arena, p, n);
    struct stat sb;
    int fd = -1;
    const char *served = NULL;
    if (rel && *rel) {
        fd = open_static(r, rel, &sb);
        served = rel;
    }
    if (fd < 0 && !bad) {
        const char *slash = strrchr(r->path, '/');
        bool has_ext = slash && strchr(slash, '.');
        if (!has_ext || !*rel) {
            fd = open_static(r, "index.html", &sb);
            served = "index.html";
        }
    }
    if (fd < 0) {
        *status = 404;
        return send_error(r, al_req_fail(r, AL_ENOTFOUND, NULL, "页面不存在"));
    }
    /* RULE-HTTP-006: the same file precompressed when the client takes it; the type stays the
       file's, the length is the variant's (evhttp writes Content-Length from the buffer). */
    const char *coding = NULL;
    struct stat esb;
    int efd = open_encoded(r, served, &esb, &coding);
    if (efd >= 0) {
        close(fd);
        fd = efd;
        sb = esb;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    add_security_headers(h);
    evhttp_add_header(h, "Content-Type", content_type(served));
    evhttp_add_header(h, "Vary", "Accept-Encoding");
    if (coding)
        evhttp_add_header(h, "Content-Encoding", coding);
    /* RULE-HTTP-007: hashed build assets never change under their name; everything else
       (index.html above all) is revalidated. */
    if (strncmp(served, "assets/", 7) == 0)
        evhttp_add_header(h, "Cache-Control", "public, max-age=31536000, immutable");
    else
        evhttp_add_header(h, "Cache-Control", "no-cache");
    evbuffer_add_file(evhttp_request_get_output_buffer(r->ev), fd, 0, sb.st_size);
    evhttp_send_reply(r->ev, 200, NULL, NULL);
    *status = 200;
    return (size_t)sb.st_size;
}

/* The answer to a request the gate refused (X-Anlao-Refused). */
static int
refused_error(struct al_req *r, const char *why)
{
    size_t limit = 0;
    if (sscanf(why, "too-big %zu", &limit) == 1)
        return al_req_fail(r, AL_ETOOBIG, NULL, "请求内容过大，不能超过 %zu KB%s",
            limit / 1024, strstr(why, " anonymous") ? "（上传文件须先登录）" : "");
    if (strcmp(why, "busy") == 0)
        return al_req_fail(r, AL_EUNAVAIL, NULL,
            "服务器正在接收的上传内容过多，请稍后重试");
    if (strcmp(why, "chunked") == 0)
        return al_req_fail(r, AL_EINVAL, NULL,
            "请求须注明 Content-Length（不支持分块传输的请求内容）");
    if (strcmp(why, "spool") == 0)
        return al_req_fail(r, AL_EUNAVAIL, NULL, "上传文件暂存失败，请稍后重试");
    if (strcmp(why, "expect") == 0)
        return al_req_fail(r, AL_EINVAL, NULL, "不支持该 Expect 请求头");
    if (strcmp(why, "method") == 0)
        return al_req_fail(r, AL_EMETHOD, NULL, "不支持该请求方法");
    return al_req_fail(r, AL_EINVAL, NULL, "请求头无效（Content-Length）");
}

/* ---- the request callback ---- */

static void
on_complete(struct evhttp_request *ev, void *arg)
{
    struct worker *w = arg;
    w->inflight--;
    /* The answer is written and the request is about to be freed with its body. */
    struct al_gate *g = al_gate_of(ev);
    if (g)
        al_gate_answered(g);
}

static int
map_method(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET:
    case EVHTTP_REQ_HEAD: return AL_GET;
    case EVHTTP_REQ_POST: return AL_POST;
    case EVHTTP_REQ_PUT: return AL_PUT;
    case EVHTTP_REQ_PATCH: return AL_PATCH;
    case EVHTTP_REQ_DELETE: return AL_DELETE;
    default: return 0;
    }
}

/*
 * A spooled upload (RULE-HTTP-005): its body is the file, mapped for the handler into *spool
 * (NULL when mapping failed), its size into *body_len.  Returns the spool's descriptor, or -1
 * for a body held in memory.
 */
static int
spool_map(struct al_gate *gate, struct evhttp_request *ev, size_t *body_len, void **spool)
{
    int fd = gate ? al_gate_answering(gate, ev, *body_len) : -1;
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size > 0) {
        *body_len = (size_t)sb.st_size;
        al_gate_answering_len(gate, *body_len);
        *spool = mmap(NULL, *body_len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (*spool == MAP_FAILED)
            *spool = NULL;
    }
    return fd;
}

/* The client's address and scheme, through trusted proxies (RULE-AUTH-004, RULE-HTTP-004). */
static void
client_of(struct al_req *r, struct evhttp_request *ev)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(ev);
    char *addr = NULL;
    ev_uint16_t port = 0;
    if (conn)
        evhttp_connection_get_peer(conn, &addr, &port);
    if (!addr)
        return;
    /* Every X-Forwarded-For line counts, as one list in order. */
    al_client_address(addr, al_req_header_list(r, "X-Forwarded-For"),
        al_config.trusted_proxies, r->client_ip, sizeof(r->client_ip));
    r->https = al_forwarded_https(addr, al_req_header_list(r, "X-Forwarded-Proto"),
        al_config.trusted_proxies);
}

/*
 * An API request: its route (*route_name for the access log), the body within the route's
 * limit, the query, then the handler.  AL_ENOTFOUND / AL_EMETHOD come with their message.
 */
static int
route_api(struct al_req *r, const char *q, const void *spool, size_t spool_len,
    const char **route_name)
{
    int rc = al_router_match(g_modules, r->method, r->path, r->path_len, &r->match, &r->err);
    if (rc != AL_OK) {
        *route_name = "unknown";
        return rc;
    }
    *route_name = r->match.route->path;
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t limit = (r->match.route->flags & AL_ROUTE_UPLOAD) ? al_config.upload_max
                                                             : al_config.body_max;
    r->body_len = spool ? spool_len : evbuffer_get_length(in);
    if (r->body_len > limit)
        return al_req_fail(r, AL_ETOOBIG, NULL, "请求内容过大，不能超过 %zu KB", limit / 1024);
    r->body = spool ? (const char *)spool
              : r->body_len ? (const char *)evbuffer_pullup(in, -1) : "";
    if (q && (rc = al_query_parse(r->arena, q + 1, strlen(q + 1), &r->query, &r->err)) != AL_OK)
        return rc;
    return g_dispatch(r);
}

static void
on_request(struct evhttp_request *ev, void *arg)
{
    struct worker *w = arg;
    double t0 = al_mono_ms();
    al_arena_reset(&w->arena);
    al_json_use_arena(&w->arena);

    /* In the arena, so that a streamed answer that takes the arena over keeps the request. */
    struct al_req *r = al_arena_calloc(&w->arena, sizeof(*r));
    r->arena = &w->arena;
    r->db = w->db;
    r->base = w->base;
    r->ev = ev;
    r->status = 200;
    r->now = (int64_t)time(NULL); /* RULE-DB-044: the one clock read of the request */
    al_date_cst(r->now, r->today);
    w->inflight++;
    t_inflight = &w->inflight;
    evhttp_request_set_on_complete_cb(ev, on_complete, w);
    struct al_gate *gate = al_gate_of(ev);
    size_t body_len = evbuffer_get_length(evhttp_request_get_input_buffer(ev));
    void *spool = NULL;
    int spool_fd = spool_map(gate, ev, &body_len, &spool);
    client_of(r, ev);

    const char *uri = evhttp_request_get_uri(ev);
    const char *q = strchr(uri, '?');
    r->path_len = q ? (size_t)(q - uri) : strlen(uri);
    r->path = al_arena_strndup(r->arena, uri, r->path_len);
    enum evhttp_cmd_type cmd = evhttp_request_get_command(ev);
    r->method = map_method(cmd);
    const char *method_name = r->method ? al_method_name(r->method) : "OTHER";
    if (cmd == EVHTTP_REQ_HEAD)
        method_name = "HEAD";

    const char *route_name = "static";
    size_t bytes = 0;
    int status = 200;
    int rc = AL_OK;

    const char *refused = evhttp_find_header(evhttp_request_get_input_headers(ev),
        "X-Anlao-Refused");
    if (refused) {
        route_name = "refused";
        rc = refused_error(r, refused);
    } else if (spool_fd >= 0 && !spool) {
        al_error("cannot map an upload spool: %s", strerror(errno));
        rc = refused_error(r, "spool");
    } else if (!gate && body_len > al_config.body_max) {
        /* No gate on this connection (out of memory at accept): no large body either. */
        rc = al_req_fail(r, AL_ETOOBIG, NULL, "请求内容过大，不能超过 %zu KB",
            al_config.body_max / 1024);
    } else if (r->path_len == 0 || r->path[0] != '/') {
        rc = al_req_fail(r, AL_EINVAL, NULL, "请求路径无效");
    } else if (!al_is_api_path(r->path, r->path_len)) {
        if (r->method == AL_GET) {
            bytes = serve_static(r, &status);
            goto done;
        }
        rc = al_req_fail(r, AL_ENOTFOUND, NULL, "页面不存在");
    } else if (!r->method) {
        rc = al_req_fail(r, AL_EMETHOD, NULL, "不支持该请求方法");
    } else {
        /* AL_ENOTFOUND or AL_EMETHOD with the message filled (a HEAD is matched as a GET and
         * its error has no body). */
        rc = route_api(r, q, spool, body_len, &route_name);
    }
    if (r->streamed) {
        /* The stream answers from now on: an event stream does not hold up a graceful stop,
           a download counts itself (al_stream_start). */
        evhttp_request_set_on_complete_cb(ev, NULL, NULL);
        on_complete(ev, w);
    } else if (rc == AL_OK && (r->file_body || r->file_fd_set)) {
        status = r->status;
        bytes = send_file(r);
    } else if (rc == AL_OK) {
        status = r->status;
        bytes = send_json(r, status, r->resp ? r->resp : json_pack("{s:b}", "ok", 1));
    } else {
        status = al_err_status(rc);
        bytes = send_error(r, rc);
    }
done:
    if (r->file_fd_set && r->file_fd >= 0) /* a file answer not sent (an error after all) */
        close(r->file_fd);
    if (spool)
        munmap(spool, body_len);
    if (spool_fd >= 0)
        close(spool_fd);
    access_log(method_name, route_name, status, al_mono_ms() - t0, bytes);
    al_json_use_arena(NULL);
}

/* ---- workers, start and stop ---- */

static int
listen_socket(const char *bind_addr, int port, bool reuseport)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, bind_addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        sl = sizeof(*in4);
    } else if (inet_pton(AF_INET6, bind_addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        sl = sizeof(*in6);
    } else {
        al_error("bad bind address %s", bind_addr);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (reuseport)
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        al_error("cannot listen on %s:%d: %s", bind_addr, port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct worker *w = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (w->inflight <= 0 || now.tv_sec > w->drain_deadline.tv_sec)
        event_base_loopbreak(w->base);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct worker *w = arg;
    if (w->sock) {
        evhttp_del_accept_socket(w->http, w->sock);
        w->sock = NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &w->drain_deadline);
    w->drain_deadline.tv_sec += 10;
    struct timeval tv = {0, 20000};
    w->drain_ev = event_new(w->base, -1, EV_PERSIST, on_drain, w);
    event_add(w->drain_ev, &tv);
    on_drain(-1, 0, w);
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    al_log_flush();
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct timeval tv = {0, 200000};
    w->flush_ev = event_new(w->base, -1, EV_PERSIST, on_flush, w);
    if (w->flush_ev)
        event_add(w->flush_ev, &tv);
    event_base_dispatch(w->base);
    al_log_flush(); /* this thread's buffer, before it ends */
    return NULL;
}

static int
worker_init(struct worker *w, int id)
{
    w->id = id;
    al_arena_init(&w->arena, 64 * 1024);
    al_arena_init(&w->gate_arena, 4 * 1024);
    if (al_db_open(al_config.db_path, &w->db) != AL_OK)
        return AL_EINTERNAL;
    al_db_busy_timeout(w->db, 3000);
    w->base = event_base_new();
    w->http = w->base ? evhttp_new(w->base) : NULL;
    if (!w->http)
        return AL_EINTERNAL;
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS);
    evhttp_set_max_body_size(w->http, (ev_ssize_t)al_config.upload_max);
    evhttp_set_max_headers_size(w->http, 16 * 1024);
    evhttp_set_timeout(w->http, al_config.timeout_s);
    evhttp_set_gencb(w->http, on_request, w);
    w->gate_env = (struct al_gate_env){.modules = g_modules, .signed_in = g_signed_in,
        .db = w->db, .arena = &w->gate_arena};
    evhttp_set_bevcb(w->http, al_gate_bufferevent, &w->gate_env);
    int fd = listen_socket(al_config.bind, al_config.port, true);
    if (fd < 0)
        return AL_EINTERNAL;
    w->sock = evhttp_accept_socket_with_handle(w->http, fd);
    if (!w->sock) {
        close(fd);
        return AL_EINTERNAL;
    }
    w->stop_ev = event_new(w->base, -1, 0, on_stop, w);
    return w->stop_ev ? AL_OK : AL_EINTERNAL;
}

static void
worker_fini(struct worker *w)
{
    if (w->drain_ev)
        event_free(w->drain_ev);
    if (w->flush_ev)
        event_free(w->flush_ev);
    if (w->stop_ev)
        event_free(w->stop_ev);
    if (w->base)
        al_gate_release(w->base);
    if (w->http)
        evhttp_free(w->http);
    if (w->base)
        event_base_free(w->base);
    al_db_close(w->db);
    al_arena_fini(&w->arena);
    al_arena_fini(&w->gate_arena);
}

int
al_http_serve(const struct al_module *const *modules, al_dispatch_fn dispatch,
    al_signed_in_fn signed_in)
{
    g_modules = modules;
    g_dispatch = dispatch;
    g_signed_in = signed_in;
    evthread_use_pthreads();

    if (al_gate_start() != AL_OK)
        return AL_EINTERNAL;

    /* A plain bind first: fails when anything already holds the port. */
    int probe = listen_socket(al_config.bind, al_config.port, false);
    if (probe < 0)
        return AL_EINTERNAL;
    close(probe);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int n = al_config.workers;
    struct worker *ws = calloc((size_t)n, sizeof(*ws));
    int rc = ws ? AL_OK : AL_EINTERNAL;
    int started = 0;
    for (int i = 0; rc == AL_OK && i < n; i++)
        rc = worker_init(&ws[i], i);
    for (int i = 0; rc == AL_OK && i < n; i++) {
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0)
            rc = AL_EINTERNAL;
        else
            started++;
    }
    if (rc == AL_OK) {
        al_info("listening on http://%s:%d with %d workers", al_config.bind, al_config.port, n);
        int sig = 0;
        sigwait(&set, &sig);
        al_info("signal %d: draining in-flight requests", sig);
    }
    for (int i = 0; i < started; i++)
        event_active(ws[i].stop_ev, 0, 0);
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].thread, NULL);
    for (int i = 0; ws && i < n; i++)
        worker_fini(&ws[i]);
    free(ws);
    al_gate_stop();
    if (rc == AL_OK) {
        struct al_db *db = NULL;
        if (al_db_open(al_config.db_path, &db) == AL_OK) {
            al_db_checkpoint(db);
            al_db_close(db);
        }
        al_info("stopped");
    }
    return rc;
}
