#include "core/set64.h"

#include <stdio.h>
#include <stdlib.h>

void
al_set64_init(struct al_set64 *s)
{
    s->slots = NULL;
    s->cap = s->count = 0;
}

void
al_set64_fini(struct al_set64 *s)
{
    free(s->slots);
    al_set64_init(s);
}

static size_t
slot_of(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static void
grow(struct al_set64 *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint64_t *n = calloc(cap, sizeof(*n));
    if (!n) {
        fputs("anlao: out of memory\n", stderr);
        abort();
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i]) {
            size_t j = slot_of(s->slots[i], cap);
            while (n[j])
                j = (j + 1) & (cap - 1);
            n[j] = s->slots[i];
        }
    free(s->slots);
    s->slots = n;
    s->cap = cap;
}

bool
al_set64_add(struct al_set64 *s, uint64_t key)
{
    if (key == 0)
        return false;
    if ((s->count + 1) * 2 > s->cap)
        grow(s);
    size_t j = slot_of(key, s->cap);
    while (s->slots[j]) {
        if (s->slots[j] == key)
            return false;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = key;
    s->count++;
    return true;
}

bool
al_set64_has(const struct al_set64 *s, uint64_t key)
{
    if (key == 0 || s->cap == 0)
        return false;
    for (size_t j = slot_of(key, s->cap); s->slots[j]; j = (j + 1) & (s->cap - 1))
        if (s->slots[j] == key)
            return true;
    return false;
}
