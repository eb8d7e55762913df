#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct al_arena_block {
    struct al_arena_block *prev;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(16) unsigned char data[];
};

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

void
al_arena_init(struct al_arena *a, size_t first_block_size)
{
    a->head = NULL;
    a->block_size = first_block_size ? first_block_size : 8192;
    a->used_total = 0;
    a->peak = 0;
}

void
al_arena_fini(struct al_arena *a)
{
    struct al_arena_block *b = a->head;
    while (b) {
        struct al_arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    a->head = NULL;
    a->used_total = 0;
}

void
al_arena_reset(struct al_arena *a)
{
    struct al_arena_block *b = a->head;
    if (!b)
        return;
    while (b->prev) {
        struct al_arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    /* Keep one block of the usual size for reuse; a large one (a big request once) goes. */
    if (b->size > a->block_size) {
        free(b);
        b = NULL;
    } else {
        b->used = 0;
    }
    a->head = b;
    a->used_total = 0;
    a->peak = 0;
}

void
al_arena_mark(struct al_arena *a, struct al_arena_mark *m)
{
    m->head = a->head;
    m->prev = a->head ? a->head->prev : NULL;
    m->used = a->head ? a->head->used : 0;
    m->used_total = a->used_total;
}

void
al_arena_release(struct al_arena *a, const struct al_arena_mark *m)
{
    /* Blocks made after the mark sit above its head; large ones allocated while the mark's
       head was current were linked right behind it (see al_arena_alloc). */
    struct al_arena_block *b = a->head;
    while (b && b != m->head) {
        struct al_arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    if (b) {
        while (b->prev != m->prev) {
            struct al_arena_block *big = b->prev;
            b->prev = big->prev;
            free(big);
        }
        b->used = m->used;
    }
    a->head = b;
    a->used_total = m->used_total;
}

static struct al_arena_block *
new_block(size_t size)
{
    struct al_arena_block *b = malloc(sizeof(*b) + size);
    if (!b) {
        fputs("anlao: out of memory\n", stderr);
        abort();
    }
    b->prev = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *
al_arena_alloc(struct al_arena *a, size_t n)
{
    size_t need = ALIGN16(n ? n : 1);
    struct al_arena_block *b = a->head;

    if (!b || b->size - b->used < need) {
        size_t size = a->block_size;
        if (need > size / 2) {
            /* Large allocation: a block of its own, kept behind the current one
             * so the current block's free space is not wasted. */
            struct al_arena_block *big = new_block(need);
            big->used = need;
            if (b) {
                big->prev = b->prev;
                b->prev = big;
            } else {
                a->head = big;
            }
            a->used_total += need;
            if (a->used_total > a->peak)
                a->peak = a->used_total;
            return big->data;
        }
        b = new_block(size);
        b->prev = a->head;
        a->head = b;
        if (a->block_size < (1u << 20))
            a->block_size *= 2;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->used_total += need;
    if (a->used_total > a->peak)
        a->peak = a->used_total;
    return p;
}

void *
al_arena_calloc(struct al_arena *a, size_t n)
{
    void *p = al_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *
al_arena_strndup(struct al_arena *a, const char *s, size_t n)
{
    char *p = al_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void *
al_arena_memdup(struct al_arena *a, const void *p, size_t n)
{
    void *q = al_arena_alloc(a, n);
    memcpy(q, p, n);
    return q;
}

void *
al_arena_grow(struct al_arena *a, void *p, size_t n, size_t *cap, size_t size, size_t first)
{
    if (p && n < *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : (first ? first : 1);
    while (nc <= n)
        nc *= 2;
    void *q = al_arena_alloc(a, nc * size);
    if (n)
        memcpy(q, p, n * size);
    *cap = nc;
    return q;
}

char *
al_arena_strdup(struct al_arena *a, const char *s)
{
    return al_arena_strndup(a, s, strlen(s));
}

char *
al_arena_vprintf(struct al_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *p = al_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
al_arena_printf(struct al_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = al_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}
