/*
 * JSON on top of jansson.  While a request runs, every jansson allocation on
 * that thread comes from the request's arena (al_json_use_arena), so handlers
 * build and drop JSON values without freeing them.  Outside a request jansson
 * uses the heap as usual.
 *
 * The getters validate one field of a request object and, on failure, fill
 * `e` with a Chinese message naming the field and return AL_EINVAL.
 */
#ifndef AL_JSON_H
#define AL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/* Install the allocator hooks; call once at start before any thread runs. */
void al_json_init(void);

/* Route this thread's jansson allocations to `a` (NULL: back to the heap). */
void al_json_use_arena(struct al_arena *a);

/*
 * Parse a request body that must be a JSON object.  An empty body gives an
 * empty object.  Returns AL_EINVAL with a Chinese message when it is not JSON
 * or not an object.
 */
int al_json_parse_object(const char *buf, size_t len, json_t **out, struct al_errinfo *e);

/* Serialise compactly into the arena.  Returns NUL-terminated text. */
char *al_json_dump(struct al_arena *a, const json_t *v, size_t *len_out);

enum al_json_flags {
    AL_REQUIRED = 1, /* missing or null is an error */
    AL_PLAIN = 2,    /* one line of plain text: al_text_is_plain (names, RULE-PII-005) */
};

/*
 * String field `key` of `obj`, trimmed of surrounding ASCII spaces.  `label` is
 * the Chinese name used in messages.  Length limits count characters (UTF-8
 * code points); max_chars 0 means no limit.  Missing optional field → *out
 * NULL and AL_OK.
 */
int al_json_get_str(const json_t *obj, const char *key, const char *label, int flags,
    size_t min_chars, size_t max_chars, const char **out, struct al_errinfo *e);

/* Integer field within [min, max].  Missing optional → *present false. */
int al_json_get_int(const json_t *obj, const char *key, const char *label, int flags,
    int64_t min, int64_t max, int64_t *out, bool *present, struct al_errinfo *e);

/* Boolean field.  Missing optional → *present false. */
int al_json_get_bool(const json_t *obj, const char *key, const char *label, int flags,
    bool *out, bool *present, struct al_errinfo *e);

/* Serialise compactly into malloc'd memory (release with free()); NULL when out of memory.
 * Use this, not json_dumps(), whose memory belongs to jansson's allocator. */
char *al_json_dump_heap(const json_t *v);
/* The same bytes (jansson's compact text, keys sorted) in the arena: for what is stored or
 * compared byte for byte and belongs to a request or a batch. */
char *al_json_dump_sorted(struct al_arena *a, const json_t *v);

/*
 * RULE-PII-005: true when the `n` bytes of well-formed UTF-8 hold no control character
 * (C0 including tab, CR and LF; DEL; C1), no bidirectional mark, embedding, override or
 * isolate (U+061C, U+200E/F, U+202A–E, U+2066–9), no U+2028/2029 and no invisible
 * space (U+200B, U+2060, U+FEFF).
 */
bool al_text_is_plain(const char *s, size_t n);

/* Number of UTF-8 code points, or (size_t)-1 when `s` is not valid UTF-8. */
size_t al_utf8_len(const char *s, size_t n);

/* Format a unix time as "YYYY-MM-DDTHH:MM:SSZ" into the arena. */
char *al_json_time(struct al_arena *a, int64_t unix_s);

#endif
