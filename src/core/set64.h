/* A growable set of 64-bit keys (open addressing).  Key 0 cannot be stored. */
#ifndef AL_SET64_H
#define AL_SET64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct al_set64 {
    uint64_t *slots;
    size_t cap, count;
};

void al_set64_init(struct al_set64 *s);
void al_set64_fini(struct al_set64 *s);

/* Add `key`; returns true when it was new, false when already present (or key 0). */
bool al_set64_add(struct al_set64 *s, uint64_t key);
/* Is `key` in the set? */
bool al_set64_has(const struct al_set64 *s, uint64_t key);

#endif
