#include "core/dbq.h"

#include <stdlib.h>
#include <string.h>

#include "core/idcard.h"
#include "core/json.h"
#include "core/log.h"

/* ---- parameters ---- */

void
al_params_init(struct al_params *p, struct al_arena *a)
{
    p->a = a;
    p->n = 0;
    p->overflow = false;
}

static const char *
add(struct al_params *p, const char *text, int64_t i, bool is_int)
{
    if (p->n == AL_PARAMS_MAX) {
        p->overflow = true;
        return "NULL";
    }
    p->v[p->n].text = text;
    p->v[p->n].i = i;
    p->v[p->n].is_int = is_int;
    p->n++;
    return al_arena_printf(p->a, "?%d", p->n);
}

const char *
al_param_text(struct al_params *p, const char *s)
{
    return add(p, s, 0, false);
}

const char *
al_param_int(struct al_params *p, int64_t v)
{
    return add(p, NULL, v, true);
}

void
al_params_bind(struct al_stmt *st, const struct al_params *p)
{
    for (int i = 0; i < p->n; i++) {
        if (p->v[i].is_int)
            al_stmt_bind_int(st, i + 1, p->v[i].i);
        else
            al_stmt_bind_text(st, i + 1, p->v[i].text);
    }
}

void
al_stmt_bind_args(struct al_stmt *st, const struct al_arg *args, int n)
{
    for (int i = 0; i < n; i++) {
        if (args[i].kind == AL_ARG_TEXT)
            al_stmt_bind_text(st, i + 1, args[i].text);
        else if (args[i].kind == AL_ARG_INT || args[i].i > 0)
            al_stmt_bind_int(st, i + 1, args[i].i);
    }
}

/* ---- a row as JSON ---- */

static json_t *
col_value(const struct al_row_ctx *c, struct al_stmt *st, const struct al_col *k)
{
    if (k->kind == AL_COL_FN)
        return k->fn(c, st, k->col);
    if (k->kind == AL_COL_BOOL)
        return json_boolean(!al_stmt_null(st, k->col) && al_stmt_int(st, k->col) != 0);
    if (al_stmt_null(st, k->col))
        return json_null();
    switch (k->kind) {
    case AL_COL_INT:
        return json_integer(al_stmt_int(st, k->col));
    case AL_COL_DOUBLE:
        return json_real(al_stmt_double(st, k->col));
    case AL_COL_JSON: {
        json_t *v = json_loadb(al_stmt_text(st, k->col), al_stmt_len(st, k->col), 0, NULL);
        return v ? v : json_null();
    }
    case AL_COL_TIME: {
        int64_t t = al_stmt_int(st, k->col);
        return t ? json_string(al_json_time(c->a, t)) : json_null();
    }
    default: {
        const char *s = al_stmt_text(st, k->col);
        return s ? json_stringn(s, al_stmt_len(st, k->col)) : json_null();
    }
    }
}

json_t *
al_row_into(json_t *o, const struct al_row_ctx *c, struct al_stmt *st, const struct al_col *cols)
{
    for (const struct al_col *k = cols; k->key; k++) {
        json_t *v = col_value(c, st, k);
        if (v)
            json_object_set_new(o, k->key, v);
    }
    return o;
}

json_t *
al_row_json(const struct al_row_ctx *c, struct al_stmt *st, const struct al_col *cols)
{
    return al_row_into(json_object(), c, st, cols);
}

json_t *
al_col_phone_masked(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    const char *phone = al_stmt_text(st, col);
    if (!phone)
        return json_null();
    size_t n = strlen(phone) + 1;
    char *m = al_arena_alloc(c->a, n);
    al_phone_mask(phone, m, n);
    return json_string(m);
}

/* ---- lists ---- */

int
al_db_rows(struct al_stmt *st, struct al_arena *a, const struct al_rows *rows, json_t *items)
{
    struct al_row_ctx c = {.a = a, .user = rows->user};
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(items,
            rows->row ? rows->row(&c, st) : al_row_json(&c, st, rows->cols));
    return rc;
}

int
al_db_page(struct al_db *db, struct al_params *p, const struct al_page_sql *q,
    const char *where, int64_t limit, int64_t offset, const struct al_rows *rows, json_t *items,
    int64_t *total)
{
    *total = 0;
    if (p->overflow) {
        al_error("list query: more than %d parameters", AL_PARAMS_MAX);
        return AL_EDB;
    }
    /* The count is read to its end before the page statement is looked up: the text cache
     * keeps a statement valid only until the next miss. */
    struct al_stmt *st =
        al_db_sql_text(db, al_arena_printf(p->a, "SELECT count(*)%s%s", q->from, where));
    al_params_bind(st, p);
    int rc = al_stmt_int64(st, total);
    if (rc != AL_OK)
        return rc == AL_ENOTFOUND ? AL_EDB : rc;
    const char *lim = al_param_int(p, limit), *off = al_param_int(p, offset);
    st = al_db_sql_text(db, al_arena_printf(p->a, "SELECT %s%s%s%s LIMIT %s OFFSET %s", q->cols,
                                q->from, where, q->order, lim, off));
    al_params_bind(st, p);
    rc = al_db_rows(st, p->a, rows, items);
    p->n -= 2; /* the same parameters serve again (e.g. a second page) */
    return rc;
}

struct al_stmt *
al_db_keyset(struct al_db *db, struct al_params *p, const struct al_page_sql *q,
    const char *where, const char *key, bool desc, const char *after, int64_t limit)
{
    const char *cond = "";
    if (after)
        cond = al_arena_printf(p->a, "%s %s %s %s", *where ? " AND" : " WHERE", key,
            desc ? "<" : ">", al_param_int(p, strtoll(after, NULL, 10)));
    const char *lim = al_param_int(p, limit);
    if (p->overflow) {
        al_error("list query: more than %d parameters", AL_PARAMS_MAX);
        return NULL;
    }
    struct al_stmt *st = al_db_sql_text(db, al_arena_printf(p->a,
        "SELECT %s%s%s%s ORDER BY %s%s LIMIT %s", q->cols, q->from, where, cond, key,
        desc ? " DESC" : "", lim));
    if (st)
        al_params_bind(st, p);
    p->n -= after ? 2 : 1; /* the same parameters serve the next page */
    return st;
}

int
al_keyset_step(struct al_keyset *k)
{
    if (k->limit <= 0)
        k->limit = 20000;
    for (;;) {
        if (!k->st) {
            if (k->done)
                return AL_OK;
            if (!(k->st = al_db_sql(k->db, k->sql)))
                return AL_EDB;
            al_stmt_binds(k->st, AL_I(k->started ? k->after : 0), AL_I(k->limit));
            k->started = true;
            k->got = 0;
        }
        int rc = al_stmt_step(k->st);
        if (rc == AL_ROW) {
            k->after = al_stmt_int(k->st, 0);
            k->got++;
            return AL_ROW;
        }
        k->st = NULL; /* reset by its last step */
        if (rc != AL_OK)
            return rc;
        if (k->got < k->limit) { /* a short page is the last */
            k->done = true;
            return AL_OK;
        }
    }
}

void
al_keyset_reset(struct al_keyset *k)
{
    al_stmt_reset(k->st);
    k->st = NULL;
    k->done = true;
}

int
al_db_rows_new(struct al_stmt *st, struct al_arena *a, const struct al_rows *rows, json_t **out)
{
    *out = NULL;
    if (!st)
        return AL_EDB;
    json_t *items = json_array();
    int rc = al_db_rows(st, a, rows, items);
    if (rc != AL_OK)
        json_decref(items);
    else
        *out = items;
    return rc;
}
