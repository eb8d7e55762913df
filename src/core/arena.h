/*
 * Region allocator: one arena per request (and per job step).  Memory is
 * handed out in growing blocks and released all at once by al_arena_reset()
 * or al_arena_fini().  Nothing allocated here is freed individually.
 */
#ifndef AL_ARENA_H
#define AL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct al_arena_block;

struct al_arena {
    struct al_arena_block *head;  /* current block, linked to older ones */
    size_t block_size;            /* size of the next ordinary block */
    size_t used_total;            /* bytes handed out since the last reset */
    size_t peak;                  /* the most used_total has been since the last reset */
};

/* A point to come back to (al_arena_mark / al_arena_release). */
struct al_arena_mark {
    struct al_arena_block *head, *prev;
    size_t used, used_total;
};

/* Prepare `a` (caller's storage).  No memory is taken until the first alloc. */
void al_arena_init(struct al_arena *a, size_t first_block_size);

/* Release every block. */
void al_arena_fini(struct al_arena *a);

/* Forget every allocation but keep the first block for reuse. */
void al_arena_reset(struct al_arena *a);

/*
 * RULE-DB-112: remember where `a` is now, then give back (free) everything allocated after
 * that point, so that a loop of pages in one arena (a streamed export) holds one page at a
 * time.  Nothing allocated after the mark may be used after the release.
 */
void al_arena_mark(struct al_arena *a, struct al_arena_mark *m);
void al_arena_release(struct al_arena *a, const struct al_arena_mark *m);

/*
 * Return `n` bytes aligned to 16, owned by the arena.  Aborts the process
 * when the system is out of memory (there is no sane recovery in a request).
 */
void *al_arena_alloc(struct al_arena *a, size_t n);

/* Like al_arena_alloc() but zeroed. */
void *al_arena_calloc(struct al_arena *a, size_t n);

/* Copy `n` bytes of `s` and add a NUL. */
char *al_arena_strndup(struct al_arena *a, const char *s, size_t n);
char *al_arena_strdup(struct al_arena *a, const char *s);
/* A copy of `n` bytes at `p` (a struct that must outlive the caller's frame). */
void *al_arena_memdup(struct al_arena *a, const void *p, size_t n);

/*
 * An arena array `p` of `n` elements of `size` bytes in use, `*cap` allocated, with room for
 * one more: `p` itself while there is room, otherwise a block twice as large (`first` elements
 * the first time, `p` NULL), the `n` elements copied and *cap updated.  The old block stays in
 * the arena until its reset.  The one way an arena array grows:
 *
 *     rows = al_arena_grow(a, rows, n, &cap, sizeof(*rows), 64);
 *     rows[n++] = row;
 */
void *al_arena_grow(struct al_arena *a, void *p, size_t n, size_t *cap, size_t size, size_t first);

/* printf into the arena. */
char *al_arena_printf(struct al_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *al_arena_vprintf(struct al_arena *a, const char *fmt, va_list ap);

#endif
