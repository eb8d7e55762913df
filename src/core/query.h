/*
 * Query strings (?a=1&b=%E4%B8%AD): parsed once per request into decoded
 * key/value pairs held in the arena.
 */
#ifndef AL_QUERY_H
#define AL_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define AL_QUERY_MAX 32

struct al_query {
    int n;
    const char *keys[AL_QUERY_MAX];
    const char *values[AL_QUERY_MAX];
};

/*
 * Decode `raw` (without the '?', may be NULL) into `q`.  Returns AL_OK, or
 * AL_EINVAL with a Chinese message for bad percent-escapes, text that is
 * not UTF-8, NUL bytes or more than AL_QUERY_MAX parameters.
 */
int al_query_parse(struct al_arena *a, const char *raw, size_t len, struct al_query *q,
    struct al_errinfo *e);

/* Value of the first `key`, or NULL.  An empty value is returned as "". */
const char *al_query_get(const struct al_query *q, const char *key);

/* Value of `key` when present and not empty, else NULL (optional filters). */
const char *al_query_opt(const struct al_query *q, const char *key);

/*
 * Integer parameter within [min, max]; `*out` keeps `dflt` when absent or
 * empty.  AL_EINVAL names the parameter when it is not such a number.
 */
int al_query_int(const struct al_query *q, const char *key, const char *label, int64_t min,
    int64_t max, int64_t dflt, int64_t *out, struct al_errinfo *e);

/* page (≥ 1, default 1) and page_size (1..200, default 20). */
int al_query_page(const struct al_query *q, int64_t *page, int64_t *page_size,
    struct al_errinfo *e);

/* The same as the LIMIT (page_size) and OFFSET ((page - 1) × page_size) of a list query. */
int al_query_limit(const struct al_query *q, int64_t *limit, int64_t *offset,
    struct al_errinfo *e);

#endif
