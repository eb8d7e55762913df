/*
 * A growable array for work that outlives a request and can be large (an
 * identification run over a million records, an import): the one place such
 * memory is taken, so domain code never calls malloc itself.
 */
#ifndef AL_VEC_H
#define AL_VEC_H

#include <stddef.h>

struct al_vec {
    void *p;     /* the elements */
    size_t n;    /* in use */
    size_t cap;  /* allocated */
    size_t size; /* of one element */
};

void al_vec_init(struct al_vec *v, size_t elem_size);
/* A new zeroed element at the end; NULL when out of memory (the vector is unchanged). */
void *al_vec_push(struct al_vec *v);
/* At least `n` zeroed elements in use (n grows only); false when out of memory. */
int al_vec_zeroed(struct al_vec *v, size_t n);
void al_vec_fini(struct al_vec *v);

#define AL_VEC_AT(v, type, i) (((type *)(v)->p)[i])

#endif
