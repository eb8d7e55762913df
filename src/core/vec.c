#include "core/vec.h"

#include <stdlib.h>
#include <string.h>

void
al_vec_init(struct al_vec *v, size_t elem_size)
{
    *v = (struct al_vec){.size = elem_size};
}

static int
grow(struct al_vec *v, size_t need)
{
    if (need <= v->cap)
        return 1;
    if (need > (size_t)-1 / 2 / v->size)
        return 0;
    size_t cap = v->cap ? v->cap : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > (size_t)-1 / v->size)
        return 0;
    void *p = realloc(v->p, cap * v->size);
    if (!p)
        return 0;
    v->p = p;
    v->cap = cap;
    return 1;
}

void *
al_vec_push(struct al_vec *v)
{
    if (!grow(v, v->n + 1))
        return NULL;
    void *e = (char *)v->p + v->n * v->size;
    memset(e, 0, v->size);
    v->n++;
    return e;
}

int
al_vec_zeroed(struct al_vec *v, size_t n)
{
    if (n <= v->n)
        return 1;
    if (!grow(v, n))
        return 0;
    memset((char *)v->p + v->n * v->size, 0, (n - v->n) * v->size);
    v->n = n;
    return 1;
}

void
al_vec_fini(struct al_vec *v)
{
    free(v->p);
    *v = (struct al_vec){.size = v->size};
}
