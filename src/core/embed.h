/*
 * Files compiled into the binary by tools/embed.c: the SQL migrations
 * (sql/NNN_name.sql) and the region data (data/regions/ CSV files).  The list is
 * sorted by name and ends with an entry whose name is NULL.
 */
#ifndef AL_EMBED_H
#define AL_EMBED_H

#include <stddef.h>

struct al_embedded {
    const char *name;
    const unsigned char *data;
    size_t len;
};

extern const struct al_embedded al_embedded_files[];

/* The embedded file called `name`, or NULL. */
const struct al_embedded *al_embedded_find(const char *name);

#endif
