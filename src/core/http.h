/*
 * The HTTP layer: libevent evhttp workers, each with its own event loop,
 * SQLite connection and request arena.  A request is decoded into struct
 * al_req, handed to the application's dispatch function, and its result
 * (r->resp on success, r->err on failure) rendered as JSON with the security
 * headers.  Paths outside /api/ and the health checks are static files of
 * the web app, with index.html as the fallback for client-side routes.
 */
#ifndef AL_HTTP_H
#define AL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/query.h"
#include "core/router.h"

struct evhttp_request;
struct event_base;
struct al_sse;

/* Who is calling: set by authentication, NULL for anonymous requests. */
struct al_principal {
    int64_t user_id;
    const char *username;
    const char *display_name;
    const char *role;
    const char *region_code; /* scope prefix: "" means the whole country */
    bool must_change_password;
    int64_t session_id;      /* 0 when signed in with an API token */
    const char *csrf_token;  /* the session's CSRF token, NULL for tokens */
    int64_t token_id;        /* 0 for sessions */
};

struct al_req {
    struct al_arena *arena;
    struct al_db *db;
    struct evhttp_request *ev;
    struct event_base *base; /* the worker's loop (for streams and their timers) */
    int method;
    const char *path;
    size_t path_len;
    struct al_query query;
    const char *body;
    size_t body_len;
    struct al_match match;
    const struct al_principal *who;
    char client_ip[48];
    bool https;   /* reached over HTTPS: a trusted proxy said X-Forwarded-Proto: https */
    /*
     * RULE-DB-044: the request's time, read once when it arrives (like nginx's cached time),
     * so that every row, event, date and check of the request agrees: unix seconds, and the
     * date in China Standard Time ("YYYY-MM-DD").  Handlers use these, never time(NULL).
     */
    int64_t now;
    char today[11];
    struct al_errinfo err;

    /* response */
    int status;   /* 200 unless set */
    json_t *resp; /* body on success; NULL → {"ok":true} */
    const char *file_body;  /* a download instead of JSON (see al_reply_file) */
    size_t file_len;
    const char *file_type;
    const char *file_name;
    int file_fd;      /* with file_fd_set: the download is this file (see al_reply_file_fd) */
    bool file_fd_set;
    bool streamed; /* the handler answers through an al_sse stream (al_sse_start) */
};

/* The application's entry point for API requests (src/app/dispatch.c). */
typedef int (*al_dispatch_fn)(struct al_req *r);

/*
 * Do these Authorization and Cookie header values (either may be NULL) carry valid
 * credentials?  Asked on the worker's thread with its database connection, before the body
 * of an upload route is read; `a` is scratch.  (src/auth: auth_signed_in.)
 */
typedef bool (*al_signed_in_fn)(struct al_db *db, struct al_arena *a, const char *authorization,
    const char *cookie);

/*
 * Serve until SIGTERM or SIGINT, then stop accepting, let in-flight requests
 * finish, checkpoint the WAL and return AL_OK.  `modules` is the module list.
 *
 * Request bodies (RULE-HTTP-001..003): each connection reads through a gate that sees a
 * request's head before its body.  A body may have ANLAO_BODY_MAX_BYTES; on routes flagged
 * AL_ROUTE_UPLOAD, when `signed_in` accepts the caller's credentials, ANLAO_UPLOAD_MAX_BYTES.
 * Larger ones are answered 413 as soon as the head is read and their bytes dropped as they
 * arrive.  All bodies held at once stay within ANLAO_BODY_BUDGET_BYTES (503 beyond).  A body
 * needs a Content-Length (no chunked transfer).  A body above ANLAO_BODY_MAX_BYTES goes to an
 * unnamed file as it arrives and r->body maps it (RULE-HTTP-005); such a connection closes
 * after its answer.
 *
 * Returns AL_EINTERNAL when the server cannot start (logged).
 */
int al_http_serve(const struct al_module *const *modules, al_dispatch_fn dispatch,
    al_signed_in_fn signed_in);

/* The body as a JSON object (parsed once).  AL_EINVAL with a message when it is not one. */
int al_req_json(struct al_req *r, json_t **out);

/* Path parameter `name` (":id" → "id") as a NUL-terminated string, or NULL. */
const char *al_req_param(struct al_req *r, const char *name);

/* Path parameter as a positive integer id; AL_ENOTFOUND when it is not one. */
int al_req_param_id(struct al_req *r, const char *name, int64_t *out);

/* Request header value (the first line of that name) or NULL. */
const char *al_req_header(struct al_req *r, const char *name);

/*
 * All the lines of header `name`, in order, joined with ", " as one list (RFC 9110 5.3),
 * in the arena; NULL when there is none.
 */
const char *al_req_header_list(struct al_req *r, const char *name);

/* Add a response header (copied). */
void al_req_set_header(struct al_req *r, const char *name, const char *value);

/* Set the success body and status; returns AL_OK for `return al_reply(...)`. */
int al_reply(struct al_req *r, int status, json_t *body);
/* A list: 200 {"items": items, "total": total}; a negative total is the number of items. */
int al_reply_items(struct al_req *r, json_t *items, int64_t total);

/*
 * Answer with a file download: `data` (in the arena) of `len` bytes, the
 * content type, and the file name offered to the browser (UTF-8 allowed).
 */
int al_reply_file(struct al_req *r, const char *content_type, const char *filename,
    const char *data, size_t len);

/*
 * The same from an open file of `len` bytes (an unlinked temporary file): it is sent from the
 * file, never read into memory (RULE-DB-114), and closed once sent or when the answer fails.
 */
int al_reply_file_fd(struct al_req *r, const char *content_type, const char *filename, int fd,
    size_t len);

/*
 * ---- A streamed download (RULE-DB-113) ---------------------------------------
 * al_stream_start sends the head of a download (200, the type, the file name
 * offered, no-store, chunked) and takes the request over together with its
 * arena: r, and everything allocated in r->arena, stay valid until the stream
 * ends, while the worker goes on serving other requests with a new arena (and
 * the same database connection: use it only inside the callbacks, and leave no
 * statement or transaction open between them).  The handler then returns AL_OK.
 * From the worker's loop, `more(ctx)` is called once at the start and again each
 * time what al_stream_write queued has left for the client (flow control: one
 * chunk in flight); `more` writes the next piece, or ends the stream.  When the
 * client goes away or the server stops first, `gone(ctx)` is called once instead
 * and the stream and its arena are freed.  A download counts as a request in
 * flight until it ends: a graceful stop waits for it, up to the drain deadline
 * (RULE-DB-131).  NULL (nothing sent, the request is still the handler's) when
 * the request has no connection.
 */
struct al_stream;
struct al_stream *al_stream_start(struct al_req *r, const char *content_type,
    const char *filename, void (*more)(void *ctx), void (*gone)(void *ctx), void *ctx);
/* Queue `len` bytes (copied) as one chunk; `more` follows when they have left. */
void al_stream_write(struct al_stream *s, const void *data, size_t len);
/*
 * End the stream and free it with the request's arena (`more`/`gone` are not called
 * again): `complete` sends the last chunk; otherwise the connection is closed without
 * it, so that the client sees the answer cut short rather than a short file.
 */
void al_stream_end(struct al_stream *s, bool complete);

/*
 * ---- Server-sent events (RULE-EVENT-006..) -----------------------------------
 * A handler that streams: al_sse_start sends the head (200, text/event-stream,
 * chunked, no-store) at once and takes the request over; the handler then
 * returns AL_OK and nothing else is sent for it.  The stream lives on the
 * worker's loop (r->base) until the owner ends it with al_sse_end, or the
 * client goes away or the server stops: then `on_close(ctx)` is called once (on
 * the loop's thread, or while the worker shuts down) and the stream is freed;
 * the owner must not use it afterwards.  A stream does not hold up a graceful
 * stop.  Output a client does not read is bounded: past AL_SSE_BACKLOG bytes
 * al_sse_send answers AL_EUNAVAIL (end the stream), and a write that makes no
 * progress for ANLAO_HTTP_TIMEOUT_SECONDS drops the connection.
 * NULL when the request has no connection any more.
 */
#define AL_SSE_BACKLOG (256 * 1024)
struct al_sse *al_sse_start(struct al_req *r, void (*on_close)(void *ctx), void *ctx);
/* One event: "event: <event>\ndata: <data>\n\n" (data on one line: compact JSON).  AL_OK or AL_EUNAVAIL. */
int al_sse_send(struct al_sse *s, const char *event, const char *data);
/* A keep-alive comment line.  AL_OK or AL_EUNAVAIL. */
int al_sse_comment(struct al_sse *s, const char *text);
/* End the response (last chunk) and free the stream; on_close is not called. */
void al_sse_end(struct al_sse *s);

/* Fill r->err and return `err` (printf-style message). */
#define al_req_fail(r, code, field, ...) al_fail(&(r)->err, (code), (field), __VA_ARGS__)

#endif
