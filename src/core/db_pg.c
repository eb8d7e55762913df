/*
 * The PostgreSQL driver (libpq) behind db.h's engine-neutral calls.
 *
 * Statements are prepared once per connection under a generated name and
 * cached like SQLite's (by the SQL text's address, or by its content for
 * run-time SQL).  Parameters travel as text and the server infers their types;
 * results come back whole (PQexecPrepared), so a store may run another
 * statement while it reads the rows of the first, as it can on SQLite.
 * A lost connection is reset on the next prepare: the statements prepared on
 * it are forgotten and prepared again.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db.h"
#include "core/db_int.h"
#include "core/log.h"

#define PG_CACHE AL_DB_STMT_CACHE
#define PG_TEXT_CACHE 32
#define PG_SQL_MAX 65536

struct al_pg_stmt {
    struct al_stmt base; /* what db.c hands out; base.pg points back here */
    struct al_pg *pg;
    const char *key; /* the SQL's address, or an owned copy for run-time SQL */
    bool owned;
    char name[16];
    int nparams;
    char **values; /* owned copies; NULL is SQL NULL */
    int *lengths;
    PGresult *res; /* rows of the current execution */
    int row, nrows;
    bool sent;       /* RULE-DB-134: executing ahead (al_pg_send); its result in `ahead` */
    PGresult *ahead; /* the result of the execution sent ahead, once collected */
};

struct al_pg {
    PGconn *conn;
    bool broken; /* reset before the next statement */
    unsigned next_name;
    int64_t changes;
    struct al_pg_stmt cache[PG_CACHE];
    struct al_pg_stmt text[PG_TEXT_CACHE];
    unsigned text_next;
    struct al_pg_stmt *inflight; /* RULE-DB-134: the statement sent ahead, not yet collected */
};

/*
 * RULE-DB-134: collect the result of the statement sent ahead, so the connection is free for
 * the next command; the result waits on its statement for its first step.
 */
static void
drain(struct al_pg *pg)
{
    struct al_pg_stmt *s = pg->inflight;
    if (!s)
        return;
    pg->inflight = NULL;
    PGresult *r, *first = NULL;
    while ((r = PQgetResult(pg->conn)) != NULL) {
        if (!first)
            first = r;
        else
            PQclear(r);
    }
    s->ahead = first; /* NULL when the connection broke: the step reports it */
}

bool
al_pg_is_url(const char *s)
{
    return s && (!strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11) ||
                    strstr(s, "dbname=") != NULL);
}

int
al_pg_sqlstate_err(const char *state)
{
    if (!state || strlen(state) != 5)
        return AL_EDB;
    if (!strncmp(state, "23", 2)) /* integrity constraint violation */
        return AL_ECONFLICT;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || /* serialization, deadlock */
        !strcmp(state, "55P03") || !strcmp(state, "57014") || /* lock not available, timeout */
        !strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "53300"))
        return AL_EUNAVAIL; /* connection lost, admin shutdown, too many connections */
    return AL_EDB;
}

int
al_pg_translate(const char *sql, char *out, size_t cap)
{
    size_t o = 0;
    int max = 0;
#define PUT(c)                                                                                \
    do {                                                                                      \
        if (o + 1 >= cap)                                                                     \
            return -1;                                                                        \
        out[o++] = (c);                                                                       \
    } while (0)
    for (const char *p = sql; *p;) {
        char c = *p;
        if (c == '\'' || c == '"') { /* a literal or a quoted name; doubled quotes stay inside */
            PUT(*p++);
            while (*p) {
                if (*p == c && p[1] == c) {
                    PUT(*p++);
                    PUT(*p++);
                } else if (*p == c) {
                    break;
                } else {
                    PUT(*p++);
                }
            }
            if (*p)
                PUT(*p++);
        } else if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                PUT(*p++);
        } else if (c == '/' && p[1] == '*') {
            PUT(*p++);
            PUT(*p++);
            while (*p && !(*p == '*' && p[1] == '/'))
                PUT(*p++);
            if (*p) {
                PUT(*p++);
                PUT(*p++);
            }
        } else if (c == '?') {
            p++;
            long n = 0;
            if (*p >= '0' && *p <= '9') {
                while (*p >= '0' && *p <= '9') {
                    n = n * 10 + (*p++ - '0');
                    if (n > 32767)
                        return -1;
                }
                if (n < 1)
                    return -1;
            } else {
                n = max + 1;
            }
            if (n > max)
                max = (int)n;
            char num[8];
            int w = snprintf(num, sizeof(num), "$%ld", n);
            for (int i = 0; i < w; i++)
                PUT(num[i]);
        } else {
            PUT(*p++);
        }
    }
#undef PUT
    out[o] = '\0';
    return max;
}

static void
log_conn_error(struct al_pg *pg, const char *what)
{
    const char *m = PQerrorMessage(pg->conn);
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    al_error("postgresql %s: %.*s", what, (int)n, m);
}

/*
 * Dates and text compare as on SQLite: UTC, UTF-8, ISO dates; no notices on stderr.
 * RULE-DB-080: every execution of a prepared statement is planned for its parameters
 * (plan_cache_mode = force_custom_plan).  The lists' scope bounds (region_code >= ?1 AND < ?2)
 * are parameters, and the generic plan PostgreSQL otherwise settles on after five executions
 * guesses 0.5 % of the rows for any such range: a name search over the whole registry then read
 * the whole region index (bench/registry.sh, 100,000 elders: 49 ms instead of 0.2 ms).  The
 * price is planning each execution, tens of microseconds for these statements.
 * RULE-DB-143: no JIT compilation (jit = off).  PostgreSQL compiles a statement whose estimated
 * cost passes jit_above_cost, which a count over a large registry or a month's settlement does:
 * the compilation took 0.5 s of a 1.6 s statement (bench/settle.mjs, the candidates of 100,000
 * visits, EXPLAIN ANALYZE "JIT: Timing … Total 538 ms"), once per execution, in every parallel
 * worker too.  anlao's statements are short and planned for each execution; compiled code does
 * not pay for itself there.
 */
static bool
session_settings(struct al_pg *pg)
{
    PGresult *r = PQexec(pg->conn, "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC';"
                                   " SET DateStyle = 'ISO, YMD'; SET client_min_messages = warning;"
                                   " SET plan_cache_mode = force_custom_plan; SET jit = off");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

int
al_pg_open(const char *url, struct al_pg **out)
{
    *out = NULL;
    struct al_pg *pg = calloc(1, sizeof(*pg));
    if (!pg)
        return AL_EDB;
    pg->conn = PQconnectdb(url);
    if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
        if (pg->conn)
            log_conn_error(pg, "connection failed"); /* libpq's message names no password */
        PQfinish(pg->conn);
        free(pg);
        return AL_EDB;
    }
    if (!session_settings(pg)) {
        log_conn_error(pg, "settings failed");
        PQfinish(pg->conn);
        free(pg);
        return AL_EDB;
    }
    *out = pg;
    return AL_OK;
}

static void
stmt_clear_params(struct al_pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->values[i]);
        s->values[i] = NULL;
        s->lengths[i] = 0;
    }
}

static void
stmt_forget(struct al_pg_stmt *s)
{
    if (s->pg && s->pg->inflight == s)
        drain(s->pg);
    PQclear(s->ahead);
    PQclear(s->res);
    stmt_clear_params(s);
    free(s->values);
    free(s->lengths);
    if (s->owned)
        free((char *)s->key);
    memset(s, 0, sizeof(*s));
}

void
al_pg_close(struct al_pg *pg)
{
    if (!pg)
        return;
    drain(pg);
    for (int i = 0; i < PG_CACHE; i++)
        stmt_forget(&pg->cache[i]);
    for (int i = 0; i < PG_TEXT_CACHE; i++)
        stmt_forget(&pg->text[i]);
    PQfinish(pg->conn);
    free(pg);
}

/* After a lost connection: reconnect, and forget every statement prepared on the old one. */
static int
ensure_connected(struct al_pg *pg)
{
    drain(pg);
    if (!pg->broken && PQstatus(pg->conn) == CONNECTION_OK)
        return AL_OK;
    for (int i = 0; i < PG_CACHE; i++)
        stmt_forget(&pg->cache[i]);
    for (int i = 0; i < PG_TEXT_CACHE; i++)
        stmt_forget(&pg->text[i]);
    PQreset(pg->conn);
    if (PQstatus(pg->conn) != CONNECTION_OK || !session_settings(pg)) {
        log_conn_error(pg, "reconnect failed");
        return AL_EUNAVAIL;
    }
    pg->broken = false;
    al_warn("postgresql connection re-established");
    return AL_OK;
}

/* Map a failed result to the closed set, log it, and note a lost connection. */
static int
result_err(struct al_pg *pg, PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    int err = state ? al_pg_sqlstate_err(state) : AL_EUNAVAIL;
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        pg->broken = true;
        err = AL_EUNAVAIL;
    }
    if (err != AL_ECONFLICT) {
        const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(pg->conn);
        size_t n = strlen(m);
        while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
            n--;
        al_error("postgresql %s failed (%s): %.*s", what, state ? state : "-", (int)n, m);
    }
    return err;
}

static int
stmt_prepare(struct al_pg *pg, struct al_pg_stmt *s, const char *sql)
{
    /* Each one-byte '?' may become "$65535": six bytes per byte is always enough. */
    size_t cap = strlen(sql) * 6 + 16;
    if (cap > PG_SQL_MAX * 6)
        return AL_EDB;
    char *text = malloc(cap);
    if (!text)
        return AL_EDB;
    int n = al_pg_translate(sql, text, cap);
    if (n < 0) {
        free(text);
        al_error("postgresql: cannot translate placeholders in: %.200s", sql);
        return AL_EDB;
    }
    snprintf(s->name, sizeof(s->name), "s%u", pg->next_name++);
    PGresult *r = PQprepare(pg->conn, s->name, text, n, NULL);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? AL_OK : result_err(pg, r, "prepare");
    if (rc != AL_OK)
        al_error("in: %.200s", text);
    PQclear(r);
    free(text);
    if (rc != AL_OK)
        return rc;
    s->pg = pg;
    s->nparams = n;
    s->values = n ? calloc((size_t)n, sizeof(*s->values)) : NULL;
    s->lengths = n ? calloc((size_t)n, sizeof(*s->lengths)) : NULL;
    if (n && (!s->values || !s->lengths))
        return AL_EDB;
    return AL_OK;
}

struct al_stmt *
al_pg_prepare(struct al_pg *pg, const char *sql, bool by_text)
{
    if (ensure_connected(pg) != AL_OK)
        return NULL;
    struct al_pg_stmt *s = NULL;
    if (!by_text) {
        size_t h = ((size_t)(uintptr_t)sql >> 3) % PG_CACHE;
        for (size_t i = 0; i < PG_CACHE && !s; i++) {
            struct al_pg_stmt *c = &pg->cache[(h + i) % PG_CACHE];
            if (c->key == sql || !c->key)
                s = c;
        }
        if (!s) {
            al_error("postgresql statement cache full; raise PG_CACHE");
            return NULL;
        }
    } else {
        for (int i = 0; i < PG_TEXT_CACHE && !s; i++)
            if (pg->text[i].key && !strcmp(pg->text[i].key, sql))
                s = &pg->text[i];
        if (!s) {
            s = &pg->text[pg->text_next++ % PG_TEXT_CACHE];
            if (s->key) { /* the oldest: deallocate it on the server too */
                char q[40];
                snprintf(q, sizeof(q), "DEALLOCATE %s", s->name);
                PQclear(PQexec(pg->conn, q));
            }
            stmt_forget(s);
        }
    }
    if (s->key) {
        al_pg_reset(s);
        stmt_clear_params(s);
        return &s->base;
    }
    if (stmt_prepare(pg, s, sql) != AL_OK) {
        stmt_forget(s);
        return NULL;
    }
    if (by_text) {
        s->key = strdup(sql);
        s->owned = true;
        if (!s->key) {
            stmt_forget(s);
            return NULL;
        }
    } else {
        s->key = sql;
    }
    s->base.pg = s;
    return &s->base;
}

int
al_pg_bind(struct al_pg_stmt *s, int idx, const char *text, size_t len)
{
    if (idx < 1 || idx > s->nparams)
        return AL_EDB;
    free(s->values[idx - 1]);
    s->values[idx - 1] = NULL;
    s->lengths[idx - 1] = 0;
    if (!text)
        return AL_OK;
    if (memchr(text, '\0', len)) /* PostgreSQL text cannot hold NUL */
        return AL_EINVAL;
    char *v = malloc(len + 1);
    if (!v)
        return AL_EDB;
    memcpy(v, text, len);
    v[len] = '\0';
    s->values[idx - 1] = v;
    s->lengths[idx - 1] = (int)len;
    return AL_OK;
}

void
al_pg_reset(struct al_pg_stmt *s)
{
    if (!s)
        return;
    if (s->sent) { /* sent ahead and never stepped: its result is collected and dropped */
        if (s->pg->inflight == s)
            drain(s->pg);
        PQclear(s->ahead);
        s->ahead = NULL;
        s->sent = false;
    }
    PQclear(s->res);
    s->res = NULL;
    s->row = s->nrows = 0;
}

int
al_pg_step(struct al_pg_stmt *s)
{
    struct al_pg *pg = s->pg;
    if (!s->res) {
        PGresult *r;
        if (s->sent) { /* RULE-DB-134: the execution sent ahead */
            if (pg->inflight == s)
                drain(pg);
            r = s->ahead;
            s->ahead = NULL;
            s->sent = false;
        } else {
            drain(pg);
            r = PQexecPrepared(pg->conn, s->name, s->nparams, (const char *const *)s->values,
                s->lengths, NULL, 0);
        }
        ExecStatusType t = PQresultStatus(r);
        if (t == PGRES_COMMAND_OK) {
            const char *n = PQcmdTuples(r);
            pg->changes = *n ? strtoll(n, NULL, 10) : 0;
            PQclear(r);
            return AL_OK;
        }
        if (t != PGRES_TUPLES_OK) {
            int err = result_err(pg, r, "statement");
            PQclear(r);
            return err;
        }
        const char *n = PQcmdTuples(r); /* INSERT … RETURNING counts its rows too */
        pg->changes = *n ? strtoll(n, NULL, 10) : 0;
        s->res = r;
        s->nrows = PQntuples(r);
        s->row = -1;
    }
    if (++s->row < s->nrows)
        return AL_ROW;
    al_pg_reset(s);
    return AL_OK;
}

const char *
al_pg_col(struct al_pg_stmt *s, int col, size_t *len)
{
    if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= PQnfields(s->res) ||
        PQgetisnull(s->res, s->row, col)) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)PQgetlength(s->res, s->row, col);
    return PQgetvalue(s->res, s->row, col);
}

int
al_pg_send(struct al_pg_stmt *s)
{
    struct al_pg *pg = s->pg;
    al_pg_reset(s);
    drain(pg);
    if (!PQsendQueryPrepared(pg->conn, s->name, s->nparams, (const char *const *)s->values,
            s->lengths, NULL, 0))
        return result_err(pg, NULL, "send");
    s->sent = true;
    pg->inflight = s;
    return AL_OK;
}

int64_t
al_pg_changes(struct al_pg *pg)
{
    return pg->changes;
}

int
al_pg_exec(struct al_pg *pg, const char *sql)
{
    if (ensure_connected(pg) != AL_OK) /* which collects a statement sent ahead */
        return AL_EUNAVAIL;
    PGresult *r = PQexec(pg->conn, sql);
    ExecStatusType t = PQresultStatus(r);
    int rc = (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) ? AL_OK : result_err(pg, r, "exec");
    PQclear(r);
    return rc;
}

bool
al_pg_in_tx(struct al_pg *pg)
{
    drain(pg);
    PGTransactionStatusType t = PQtransactionStatus(pg->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* ---- COPY … FROM STDIN (RULE-DB-022) ---- */

#define COPY_FLUSH (256 * 1024)

struct al_pg_copy {
    struct al_pg *pg;
    char *buf;
    size_t len, cap;
    int err; /* the first failure sending rows */
};

size_t
al_pg_copy_escape(const char *p, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        switch (c) {
        case '\0':
            return (size_t)-1;
        case '\\':
            out[o++] = '\\';
            out[o++] = '\\';
            break;
        case '\t':
            out[o++] = '\\';
            out[o++] = 't';
            break;
        case '\n':
            out[o++] = '\\';
            out[o++] = 'n';
            break;
        case '\r':
            out[o++] = '\\';
            out[o++] = 'r';
            break;
        default:
            out[o++] = c;
        }
    }
    return o;
}

int
al_pg_copy_begin(struct al_pg *pg, const char *sql, struct al_pg_copy **out)
{
    *out = NULL;
    if (ensure_connected(pg) != AL_OK)
        return AL_EUNAVAIL;
    struct al_pg_copy *c = calloc(1, sizeof(*c));
    if (!c)
        return AL_EDB;
    c->pg = pg;
    c->cap = COPY_FLUSH + 4096;
    c->buf = malloc(c->cap);
    PGresult *r = c->buf ? PQexec(pg->conn, sql) : NULL;
    int rc = PQresultStatus(r) == PGRES_COPY_IN ? AL_OK : r ? result_err(pg, r, "copy") : AL_EDB;
    PQclear(r);
    if (rc != AL_OK) {
        free(c->buf);
        free(c);
        return rc;
    }
    *out = c;
    return AL_OK;
}

static int
copy_send(struct al_pg_copy *c)
{
    if (c->len && !c->err && PQputCopyData(c->pg->conn, c->buf, (int)c->len) != 1)
        c->err = AL_EDB; /* the server's reason comes with the end */
    c->len = 0;
    return c->err;
}

static int
copy_room(struct al_pg_copy *c, size_t need)
{
    if (c->len + need <= c->cap)
        return AL_OK;
    if (copy_send(c) != AL_OK)
        return c->err;
    if (need > c->cap) {
        char *b = realloc(c->buf, need);
        if (!b)
            return c->err = AL_EDB;
        c->buf = b;
        c->cap = need;
    }
    return AL_OK;
}

int
al_pg_copy_field(struct al_pg_copy *c, const char *p, size_t len, bool first)
{
    if (c->err)
        return c->err;
    if (len > (size_t)INT32_MAX / 2)
        return AL_EINVAL;
    if (copy_room(c, 2 * len + 3) != AL_OK)
        return c->err;
    if (!first)
        c->buf[c->len++] = '\t';
    if (!p) {
        c->buf[c->len++] = '\\';
        c->buf[c->len++] = 'N';
        return AL_OK;
    }
    size_t n = al_pg_copy_escape(p, len, c->buf + c->len);
    if (n == (size_t)-1)
        return AL_EINVAL;
    c->len += n;
    return AL_OK;
}

int
al_pg_copy_row(struct al_pg_copy *c)
{
    if (c->err || copy_room(c, 1) != AL_OK)
        return c->err;
    c->buf[c->len++] = '\n';
    return c->len >= COPY_FLUSH ? copy_send(c) : AL_OK;
}

int
al_pg_copy_end(struct al_pg_copy *c, bool ok)
{
    if (!c)
        return AL_EDB;
    struct al_pg *pg = c->pg;
    int rc = ok ? copy_send(c) : AL_OK;
    ok = ok && rc == AL_OK;
    /* Abandoned: the server fails the COPY with this message, which is not logged. */
    PQputCopyEnd(pg->conn, ok ? NULL : "load abandoned");
    PGresult *r;
    bool seen = false;
    while ((r = PQgetResult(pg->conn)) != NULL) {
        ExecStatusType t = PQresultStatus(r);
        if (!seen && t == PGRES_COMMAND_OK) {
            const char *n = PQcmdTuples(r);
            pg->changes = *n ? strtoll(n, NULL, 10) : 0;
        } else if (!seen && ok) {
            rc = result_err(pg, r, "copy");
        } else if (!seen && t != PGRES_COMMAND_OK && PQstatus(pg->conn) != CONNECTION_OK) {
            pg->broken = true;
        }
        seen = true;
        PQclear(r);
    }
    if (ok && !seen)
        rc = AL_EDB;
    free(c->buf);
    free(c);
    return rc;
}

/* ---- notifications (LISTEN) ---- */

struct al_pg_listener {
    PGconn *conn;
};

/* A message the server sends outside a statement (the FATAL of a cut connection): to our log. */
static void
listen_notice(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;
    al_warn("postgresql listener: %.*s", (int)n, message);
}

int
al_pg_listen(const char *url, const char *channel, struct al_pg_listener **out)
{
    *out = NULL;
    struct al_pg_listener *l = calloc(1, sizeof(*l));
    if (!l)
        return AL_EUNAVAIL;
    l->conn = PQconnectdb(url);
    if (l->conn)
        PQsetNoticeProcessor(l->conn, listen_notice, NULL);
    char sql[128];
    snprintf(sql, sizeof(sql), "LISTEN %s", channel);
    PGresult *r = PQstatus(l->conn) == CONNECTION_OK ? PQexec(l->conn, sql) : NULL;
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        if (l->conn) {
            const char *m = PQerrorMessage(l->conn);
            size_t n = strlen(m);
            while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
                n--;
            al_error("postgresql listen failed: %.*s", (int)n, m);
        }
        PQfinish(l->conn);
        free(l);
        return AL_EUNAVAIL;
    }
    *out = l;
    return AL_OK;
}

int
al_pg_listen_wait(struct al_pg_listener *l, int ms, void (*fn)(void *ctx, const char *payload),
    void *ctx)
{
    int fd = PQsocket(l->conn);
    if (fd < 0 || PQstatus(l->conn) != CONNECTION_OK)
        return AL_EUNAVAIL;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, ms);
    if (n < 0 && errno != EINTR)
        return AL_EUNAVAIL;
    if (n > 0 && (!PQconsumeInput(l->conn) || PQstatus(l->conn) != CONNECTION_OK))
        return AL_EUNAVAIL;
    PGnotify *note;
    while ((note = PQnotifies(l->conn)) != NULL) {
        fn(ctx, note->extra);
        PQfreemem(note);
    }
    return AL_OK;
}

int
al_pg_listen_pid(struct al_pg_listener *l)
{
    return PQbackendPID(l->conn);
}

void
al_pg_listen_close(struct al_pg_listener *l)
{
    if (!l)
        return;
    PQfinish(l->conn);
    free(l);
}
