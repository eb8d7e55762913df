/*
 * Home services: the registry's management (RULE-SVC-100..105).  One description per kind of
 * record (provider, station, caregiver, item) drives the same list, detail, create, edit,
 * deactivate and export handlers (service_registry.c) and the same store calls
 * (service_registry_store.c).  Private to src/service.
 */
#ifndef SERVICE_REGISTRY_INT_H
#define SERVICE_REGISTRY_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/dbq.h"
#include "core/export.h"
#include "core/fields.h"
#include "core/http.h"

/* What a handler needs of a stored record to scope it and to edit it. */
struct reg_row {
    int64_t version;
    const char *region_code; /* "" for items (shared by every region) */
    int64_t provider_id;     /* the provider it belongs to; 0 for items */
    const char *status;      /* "active" or "inactive" */
};

struct reg_list; /* a list's filters, read by the kind's `where` */

struct reg_kind {
    const char *name;  /* "provider": audit actions service.provider_create … */
    const char *zh;    /* 服务机构: messages (服务机构不存在) and the export's title */
    const char *table; /* svc_providers */
    const char *key_col;  /* id, or code for items */
    const char *list_key; /* the key in the list's SQL: p.id */
    bool int_key;         /* the key is an integer id */
    bool has_created;     /* the table has created_at */
    const char *load_sql; /* version, region_code, provider_id, status of one record by key */
    const struct al_field *fields;
    const struct al_page_sql *page;
    const struct al_col *cols;
    const struct al_export_col *xcols;
    int xkey; /* column of `page` holding the key (exports page by it); -1: one page */
    /* The WHERE of a list (and its export) from the request's filters, params added to `p`. */
    int (*where)(struct al_req *r, int64_t mine, struct al_params *p, const char **where);
    /*
     * Cross-field rules and scope of a body read into `set` (columns); `old` NULL when
     * creating.  May add derived columns to `set`.  AL_OK or the request's error.
     */
    int (*check)(struct al_req *r, int64_t mine, json_t *body, json_t *set,
        const struct reg_row *old);
    /* Writes beyond the row (a station's regions, a caregiver's certificates); may be NULL. */
    int (*after)(struct al_req *r, json_t *body, int64_t id);
};

/* The record of `key` (a JSON integer or text).  AL_OK, AL_ENOTFOUND or an error. */
int service_reg_row(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *key,
    struct reg_row *out);
/* Insert `set` (column → value); the new key in *id (0 for items).  Caller's transaction. */
int service_reg_insert(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *set,
    int64_t now, int64_t *id);
/* Update `set` of `key` at `version`; AL_ECONFLICT when the version moved.  Caller's tx. */
int service_reg_update(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *key,
    int64_t version, json_t *set);
/* A station's served region prefixes (an array of texts), replaced.  Caller's transaction. */
int service_reg_serves_put(struct al_db *db, int64_t station, json_t *codes);
/* A caregiver's certificates (an array of checked objects), replaced.  Caller's transaction. */
int service_reg_certs_put(struct al_db *db, int64_t caregiver, json_t *certs);
/* One record as its list shows it, with a station's regions or a caregiver's certificates. */
int service_reg_get(struct al_db *db, struct al_arena *a, const struct reg_kind *k, json_t *key,
    const char *today, json_t **out);
/* Does `sql` (SELECT count(*) … ?) count a row for `value`? */
int service_reg_exists(struct al_db *db, const char *sql, const char *value, bool *yes);

/* The provider and station kinds, for what else reads their records (service_account.c). */
extern const struct reg_kind service_reg_provider, service_reg_station;

#endif
