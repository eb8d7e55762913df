/*
 * Benefit rolls from other systems (issue 12, RULE-ENT-071..073): what the import module asks
 * of the service list when a roll says who receives which item.  The items of a county's list
 * in force are read once per import and kept in a small cache; a row's item is its key or its
 * Chinese name.  Benefit records from a roll carry source 'import' and are written once: the
 * same elder, item and start date again only updates the end date.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "entitle/entitle.h"
#include "entitle/entitle_int.h"

#define CACHE_COUNTIES 64

struct county_items {
    char county[13]; /* the deepest list of the chain */
    int n;
    const char **keys, **names;
};

struct entitle_items {
    struct al_db *db;
    struct al_arena *arena; /* the import pass's (the rows' arena is reset per row) */
    const char *today;
    int n;
    struct county_items c[CACHE_COUNTIES];
};

struct entitle_items *
entitle_items_new(struct al_arena *a, struct al_db *db, const char *today)
{
    struct entitle_items *c = al_arena_calloc(a, sizeof(*c));
    c->db = db;
    c->arena = a;
    c->today = al_arena_strdup(a, today);
    return c;
}

/* The items of the list in force for `region` on `date`, copied into `a`. */
static int
load(struct al_db *db, struct al_arena *a, const char *region, const char *date,
    struct county_items *out)
{
    char chain[ENT_LEVELS][13];
    int n;
    if (entitle_chain(region, chain, &n) != AL_OK)
        return AL_EINVAL;
    json_t *entries = json_array(), *items = NULL;
    int rc = entitle_store_entries(db, chain, n, date, 0, entries);
    if (rc == AL_OK) {
        items = entitle_merge(a, entries, region, date);
        size_t m = json_array_size(items);
        snprintf(out->county, sizeof(out->county), "%s", chain[n - 1]);
        out->n = (int)m;
        out->keys = al_arena_alloc(a, (m + 1) * sizeof(char *));
        out->names = al_arena_alloc(a, (m + 1) * sizeof(char *));
        for (size_t i = 0; i < m; i++) {
            const json_t *it = json_array_get(items, i);
            out->keys[i] = al_arena_strdup(a, json_string_value(json_object_get(it, "item_key")));
            const char *name = json_string_value(json_object_get(it, "name"));
            out->names[i] = al_arena_strdup(a, name ? name : "");
        }
    }
    json_decref(items);
    json_decref(entries);
    return rc;
}

static const char *
match(const struct county_items *ci, const char *item)
{
    for (int i = 0; i < ci->n; i++)
        if (strcmp(ci->keys[i], item) == 0 || strcmp(ci->names[i], item) == 0)
            return ci->keys[i];
    return NULL;
}

int
entitle_items_find(struct entitle_items *c, const char *region, const char *date,
    const char *item, const char **key)
{
    /* RULE-ENT-071: today's list first (one read per county for the whole roll) ... */
    char chain[ENT_LEVELS][13];
    int n;
    if (entitle_chain(region, chain, &n) != AL_OK)
        return AL_EINVAL;
    struct county_items *ci = NULL;
    for (int i = 0; i < c->n && !ci; i++)
        if (strcmp(c->c[i].county, chain[n - 1]) == 0)
            ci = &c->c[i];
    if (!ci && c->n < CACHE_COUNTIES) {
        int rc = load(c->db, c->arena, region, c->today, &c->c[c->n]);
        if (rc != AL_OK)
            return rc;
        ci = &c->c[c->n++];
    }
    struct county_items once;
    if (!ci) { /* more counties than the cache holds: read, not kept */
        int rc = load(c->db, c->arena, region, c->today, &once);
        if (rc != AL_OK)
            return rc;
        ci = &once;
    }
    if ((*key = match(ci, item)))
        return AL_OK;
    /* ... then the list on the row's own date: an item since ended was on it then. */
    if (!date || strcmp(date, c->today) == 0)
        return AL_ENOTFOUND;
    int rc = load(c->db, c->arena, region, date, &once);
    if (rc != AL_OK)
        return rc;
    return (*key = match(&once, item)) ? AL_OK : AL_ENOTFOUND;
}

int
entitle_benefit_import(struct al_db *db, int64_t elder_id, const char *region, const char *key,
    const char *from, const char *until, const char *note, const char *by, int64_t now,
    int *outcome)
{
    /* RULE-ENT-072: one record per elder, item and start date from rolls. */
    int64_t id = 0;
    const char *was = NULL;
    struct al_arena a;
    al_arena_init(&a, 256);
    int rc = entitle_store_benefit_imported(db, &a, elder_id, key, from, &id, &was);
    if (rc == AL_ENOTFOUND) {
        rc = entitle_store_benefit_add(db, elder_id, region, key, from, until, "import", note,
            by, now, &id);
        *outcome = rc == AL_OK ? ENTITLE_BENEFIT_ADDED : 0;
    } else if (rc == AL_OK && strcmp(was ? was : "", until ? until : "") != 0) {
        rc = entitle_store_benefit_until(db, id, until);
        *outcome = rc == AL_OK ? ENTITLE_BENEFIT_CHANGED : 0;
    } else if (rc == AL_OK) {
        *outcome = ENTITLE_BENEFIT_SAME;
    }
    al_arena_fini(&a);
    return rc;
}
