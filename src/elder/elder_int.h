/* Private to the elder module. */
#ifndef ELDER_INT_H
#define ELDER_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/err.h"
#include "core/fields.h"
#include "elder/elder.h"

#define ELDER_CAT_MAX 9


/* The facts categories are derived from, each with its evidence. */
struct elder_facts {
    const char *birth_date;
    const char *living_arrangement; /* NULL when unknown */
    bool left_behind;
    const char *economic_status;
    int disability_grade;           /* 0 when none */
    bool fp_special;
    int entitled_count;
    int ability_level;              /* -1 when never assessed */
    struct elder_evidence ev_birth, ev_living, ev_left_behind, ev_economic, ev_disability,
        ev_fp, ev_entitled, ev_ability;
};

struct elder_settings {
    int min_age;
    int advanced_age;
    int disabled_min_level;
    int lookup_per_hour;          /* RULE-PII-003: whole-number lookups without elder.read_pii */
    char economic_tiers[128];     /* comma-separated economic_status values */
    char special_difficulty[256]; /* comma-separated category ids */
};

struct elder_category {
    const char *id;
    struct elder_evidence ev;
};

/* ---- the elder facts (elder_logic.c) ---- */

/* Tags of elder_fields (struct al_field.tag): what elder_write does with a column. */
enum {
    ELDER_F_FACT = 1 << 0,     /* categories depend on it: evidence recorded, categories recomputed */
    ELDER_F_CATEGORY = 1 << 1, /* categories depend on it, its evidence is the ID number */
    ELDER_F_PHONE = 1 << 2,    /* masked in history (RULE-ELDER-002) */
    ELDER_F_SECRET = 1 << 3,   /* never in history (keyed hash, sealed number, import marks) */
    ELDER_F_JSON = 1 << 4,     /* stored as JSON text (an array) */
    ELDER_F_NOCOLUMN = 1 << 5, /* not a column: the whole ID number, sealed by elder_write */
};

/*
 * The one table of elder facts (RULE-ELDER-001): what a request may give
 * (al_fields_read: label, type, range, allowed values), the columns the store
 * may write (every entry but ELDER_F_NOCOLUMN ones), which facts carry
 * evidence and categories, and how history shows each.  Ends with {0}.
 */
extern const struct al_field elder_fields[];

/* The entry of a writable column of elders, or NULL for any other name. */
const struct al_field *elder_column(const char *column);

/*
 * A history entry's changes for writing `set` (column → new value) over
 * `before` (column → old value; NULL for a new record): {"name": [old, new]}
 * for each column whose value changes, phones masked and named phone_masked /
 * phone2_masked, id_masked named id_number_masked, secret columns left out
 * (RULE-ELDER-002).  A new object.
 */
json_t *elder_history_changes(json_t *set, json_t *before);

/* ---- rules (elder_logic.c) ---- */

/* Derive the categories of one elder on `today`; returns how many were written to `out`. */
int elder_derive(const struct elder_facts *f, const struct elder_settings *s, const char *today,
    struct elder_category out[ELDER_CAT_MAX]);

/* True when any of the categories is in the special-difficulty set. */
bool elder_is_special(const struct elder_settings *s, const char *const *ids, int n);

/* Is `v` one of the allowed values?  (NULL lists end the array.) */
bool elder_enum_ok(const char *const *allowed, const char *v);

extern const char *const elder_living_values[];
extern const char *const elder_economic_values[];
extern const char *const elder_status_values[];
extern const char *const elder_category_ids[];
/* Is `v` an item of the comma-separated `list`? */
bool elder_in_list(const char *list, const char *v);
/* RULE-CAT-009: the known category ids named in the setting `list` (unknown names ignored). */
int elder_special_ids(const char *list, const char *ids[ELDER_CAT_MAX]);

/*
 * RULE-PII-001: a record or list item as a reader without elder.read_pii sees it: the
 * birth year (`birth_year`) instead of the birth date and the age, and no evidence dated
 * with the birth date.  Changes `o` in place.
 */
void elder_redact_birth(json_t *o);

/*
 * A history entry's changes as shown (RULE-PII-001/002): ID masks in the current form
 * (entries written before kept 4 more characters), phones masked, and without `pii` the
 * birth year instead of the birth date.  A new object.
 */
json_t *elder_history_view(json_t *changes, bool pii);

/*
 * RULE-PII-003: the digits of a search text made of digits, spaces and '-' only (all
 * a phone holds), or -1 for any other text.
 */
int elder_phone_digits(const char *q);

/* ---- the one write path (elder_write.c) ---- */

/* One write of an elder record, by whatever path (RULE-ELDER-001). */
struct elder_write {
    int64_t id;         /* the record; 0 creates one */
    int64_t version;    /* the version the writer read; -1: any (imports, assessments) */
    json_t *set;        /* column → value (elder_fields); "id_number": a whole, valid number */
    const struct elder_evidence *ev; /* evidence of the facts written */
    int64_t user_id;    /* 0: none (imports from the command line) */
    const char *actor;  /* username shown in history */
    const char *action; /* history action: create, update, status, import, assessment … */
    json_t *before;     /* the current values of the columns of `set`, typed like it, when the
                           caller knows them (an import's reconciliation); NULL: read */
    int64_t now;        /* the request's (or the import's) time */
    json_t *changes;    /* out: the history entry's changes (a new object; NULL on failure) */
};

/*
 * Write `w` inside the caller's transaction: seal a whole ID number (keyed
 * hash, sealed copy, mask), insert or update the record (checking the version
 * when it is not -1), record `ev` as the evidence of the facts written,
 * recompute the categories when a fact they depend on changed, and add the
 * history entry with phones masked (RULE-ELDER-001/002).  `s` and `today` are
 * the settings and date the categories follow.  *new_id (may be NULL) gets the
 * id of a created record.
 *
 * Returns AL_OK; AL_EINTERNAL for a column outside elder_fields or no key to
 * seal with; AL_ENOTFOUND when record `id` does not exist; AL_ECONFLICT for a
 * stale version; AL_EUNPROC when the schema refuses the row (constraint:
 * a duplicate ID number too); AL_EDB / AL_EUNAVAIL.  On failure the caller
 * rolls back.
 */
int elder_write(struct al_db *db, struct al_arena *a, const struct elder_settings *s,
    const char *today, struct elder_write *w, int64_t *new_id);

/* ---- storage (elder_store.c): SQL only, for SQLite and PostgreSQL ----
 *
 * Common to every function below: `db` is the caller's connection, and a
 * function that writes runs inside the caller's transaction (it never begins,
 * commits or rolls back).  Text results are copied into the arena `a` and JSON
 * results are new values the caller owns (from the request arena while one is
 * installed).  Failures are the closed set: AL_ENOTFOUND where a function says
 * so, AL_EDB for a statement that fails, AL_EUNAVAIL when another writer holds
 * the database past the busy timeout (or PostgreSQL's connection is lost).
 */

/*
 * The elder.* settings over their defaults (min_age 60, advanced_age 80,
 * disabled_min_level 1, lookup_per_hour 60, the economic tiers and the
 * special-difficulty categories) into *s.  AL_OK or AL_EDB/AL_EUNAVAIL (then
 * *s holds the defaults).
 */
int elder_settings_load(struct al_db *db, struct elder_settings *s);

struct elder_row {
    int64_t id, version;
    const char *region_code, *status, *name;
};

struct elder_query {
    const char *scope;
    const char *q;          /* name / phone / address text */
    const char *id_hash;    /* exact ID number */
    const char *region;     /* region prefix filter */
    const char *category;
    const char *status;
    const char *born_after, *born_before; /* from the age range */
    bool pii;               /* the reader holds elder.read_pii (RULE-PII-001/003) */
    const char *today;      /* the request's date, for ages (NULL: the clock's) */
    const char *special[ELDER_CAT_MAX]; /* special difficulty: any of these categories */
    int nspecial;
    int64_t limit, offset;
};

/*
 * The registry in `scope` (RULE-CAT-009): records in the registry (active),
 * the special-difficulty elders among them (any of the `n` categories
 * `special`, elder_special_ids), and per category the active elders holding
 * it, set as members of `out` ("active", "special_difficulty", "categories").
 * AL_OK or a database error (members read so far stay set).
 */
int elder_store_overview(struct al_db *db, struct al_arena *a, const char *scope,
    const char *const *special, int n, json_t *out);
/*
 * One page of the records matching `q` (list items, birth dates redacted
 * without q->pii) appended to `items`, and the number of all matches in
 * *total.  A search text of 3+ characters uses the text index (FTS5 on
 * SQLite, pg_trgm on PostgreSQL); 1–2 characters find names starting with it.
 * AL_OK or a database error.
 */
int elder_store_list(struct al_db *db, struct al_arena *a, const struct elder_query *q,
    json_t *items, int64_t *total);
/*
 * RULE-DB-101: the statement of one page of an export of the records matching
 * `q` (q->limit and q->offset unused), bound, not stepped; NULL when it
 * cannot be prepared.  Its columns: ELDER_EXPORT_* below, then the page key
 * (elder_store_export_keys(q) columns from ELDER_EXPORT_KEY, the id last):
 * the rows after the key `after` (NULL: the first page), `limit` of them, in
 * the list's order.
 */
enum { ELDER_EXPORT_ID, ELDER_EXPORT_NAME, ELDER_EXPORT_SEX, ELDER_EXPORT_BIRTH,
    ELDER_EXPORT_ID_MASKED, ELDER_EXPORT_PHONE, ELDER_EXPORT_REGION, ELDER_EXPORT_REGION_NAME,
    ELDER_EXPORT_ADDRESS, ELDER_EXPORT_STATUS, ELDER_EXPORT_VERSION, ELDER_EXPORT_CATS,
    ELDER_EXPORT_KEY };
struct al_stmt *elder_store_export_page(struct al_db *db, struct al_arena *a,
    const struct elder_query *q, const char *const *after, int64_t limit);
int elder_store_export_keys(const struct elder_query *q);
/* The id, version, region, status and name of record `id` into *r (texts in `a`); AL_ENOTFOUND. */
int elder_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct elder_row *r);
/*
 * The record `id` as JSON (*out, a new object the caller owns): masked ID
 * and phones, categories with their evidence; without `pii` as
 * elder_redact_birth leaves it; the age on `today` (the request's date; NULL:
 * the clock's).  AL_OK, AL_ENOTFOUND or a database error.
 */
int elder_store_get(struct al_db *db, struct al_arena *a, int64_t id, bool pii, const char *today,
    json_t **out);
/* The id of the record with the keyed hash `id_hash` into *id; AL_ENOTFOUND when none. */
int elder_store_exists_hash(struct al_db *db, const char *id_hash, int64_t *id);
/* The number of records (every status) into *n. */
int elder_store_count(struct al_db *db, int64_t *n);
/*
 * The current values of the columns named by the keys of `set` (each an
 * elder_column) of record `id`, as stored: a text or null per column, set in
 * `out` under the column's name.  AL_OK, AL_ENOTFOUND, AL_EINTERNAL for a key
 * that is not a column, or a database error.
 */
int elder_store_columns(struct al_db *db, struct al_arena *a, int64_t id, json_t *set,
    json_t *out);
/*
 * Insert a record with the columns of `set` (keys: elder_column names; values
 * bound as al_stmt_bind_jsonv does, arrays as JSON text), created and updated
 * at `now`; its id into *id.  AL_OK; AL_EINTERNAL for a key that is not a
 * column; AL_EUNPROC when the schema refuses the row (check, unique — a
 * duplicate ID hash — or trigger); AL_EDB/AL_EUNAVAIL.
 */
int elder_store_insert(struct al_db *db, struct al_arena *a, json_t *set, int64_t now,
    int64_t *id);
/*
 * Write the columns of `set` to record `id` at `version` (-1: any), bumping
 * the version.  AL_OK; AL_ECONFLICT when no row was changed (a stale version,
 * or no record `id`); AL_EUNPROC when the schema refuses the row;
 * AL_EINTERNAL for a key that is not a column; AL_EDB/AL_EUNAVAIL.
 */
int elder_store_update(struct al_db *db, struct al_arena *a, int64_t id, int64_t version,
    json_t *set, int64_t now);
/*
 * The sealed ID number and both phones of record `id` (copies in `a`, phones
 * NULL when none).  Only for the audited full view.  AL_OK or AL_ENOTFOUND.
 */
int elder_store_pii(struct al_db *db, struct al_arena *a, int64_t id, const char **id_enc,
    const char **phone, const char **phone2);
/* Record `ev` as the evidence of `field` of `elder_id` (replacing the previous one). */
int elder_store_set_evidence(struct al_db *db, int64_t elder_id, const char *field,
    const struct elder_evidence *ev);
/*
 * Recompute the categories of `elder_id` on `today` from its row and the
 * evidence of each fact, replacing the stored ones.  AL_OK, AL_ENOTFOUND or a
 * database error.
 */
int elder_store_recompute(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const struct elder_settings *s, const char *today);
/* Insert the `n` categories `cats` of `elder_id` (which holds none of them). */
int elder_store_categories_add(struct al_db *db, int64_t elder_id,
    const struct elder_category *cats, int n);
/*
 * Append a history entry: `changes` (NULL: {}) stored as JSON text as given —
 * the caller masks (elder_history_changes); `user_id` 0 stores no user.
 */
int elder_store_history_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *username, const char *action, json_t *changes, int64_t now);
/* The newest 200 history entries of `elder_id` as shown (elder_history_view), into `items`. */
int elder_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool pii,
    json_t *items);
/* The contacts of `elder_id`, phones masked (and whole when `reveal`), into `items`. */
int elder_store_contacts(struct al_db *db, struct al_arena *a, int64_t elder_id, bool reveal,
    json_t *items);
/* Add a contact; its id into *id.  AL_ECONFLICT when the schema refuses it. */
int elder_store_contact_add(struct al_db *db, int64_t elder_id, const char *relation,
    const char *name, const char *phone, int64_t priority, int64_t now, int64_t *id);
/* Delete contact `contact_id` of `elder_id`; AL_ENOTFOUND when it is not one of theirs. */
int elder_store_contact_delete(struct al_db *db, int64_t elder_id, int64_t contact_id);
/* Every consent of `elder_id`, newest first, revoked ones too, into `items`. */
int elder_store_consents(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items);
/* Record a consent (`scope_json`: a JSON array text); its id into *id.  AL_ECONFLICT: refused. */
int elder_store_consent_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *relation, const char *scope_json, const char *granted_by, int64_t recorded_by,
    int64_t now, int64_t *id);
/* Revoke consent `consent_id` of `elder_id`; AL_ENOTFOUND when none is active by that id. */
int elder_store_consent_revoke(struct al_db *db, int64_t elder_id, int64_t consent_id,
    int64_t by, int64_t now);
/* The active consent scope (JSON array text, in `a`) linking `user_id` to `elder_id`, or AL_ENOTFOUND. */
int elder_store_consent_scope(struct al_db *db, struct al_arena *a, int64_t user_id,
    int64_t elder_id, const char **scope);
/* The role of the active user `user_id` (in `a`); AL_ENOTFOUND for no such active user. */
int elder_store_user_role(struct al_db *db, struct al_arena *a, int64_t user_id,
    const char **role);
/* The records linked to `user_id` by an active consent (list items, birth redacted, ages on
 * `today`) into `items`. */
int elder_store_linked(struct al_db *db, struct al_arena *a, int64_t user_id, const char *today,
    json_t *items);

/*
 * Bulk imports.  SQLite: mark the search index deferred (its insert trigger
 * stays quiet) and drop the secondary indexes of elders (the unique ID-hash
 * index stays), remembering them in *out (allocated in `a`, which must live
 * until the rebuild).  PostgreSQL: nothing to defer; *out is still set.
 * AL_OK or a database error.
 */
struct elder_deferred;
int elder_store_defer_indexes(struct al_db *db, struct al_arena *a, struct elder_deferred **out);
/* Set last_hukou_import of record `id` alone (no version, no updated_at): elder_bulk_seen. */
int elder_store_mark_hukou(struct al_db *db, int64_t id, int64_t import_id);
/* Rebuild what elder_store_defer_indexes deferred, in the same transaction.  AL_OK or an error. */
int elder_store_rebuild_indexes(struct al_db *db, const struct elder_deferred *d);

/*
 * RULE-DB-081: PostgreSQL's bulk imports gather their writes (elder_write.c)
 * and apply them a chunk at a time with COPY and set-based statements; each
 * row as elder_write would write it, already turned into text.
 */
struct elder_batch_row {
    int64_t id;               /* the record; 0: a new one (its id comes with the chunk) */
    bool insert;              /* a new record */
    bool done;                /* (elder_store_batch_write's own mark) */
    int64_t now;              /* created_at / updated_at and the history entry's time */
    const char *sig;          /* the set's columns, comma-separated: rows sharing it share a COPY */
    int ncols;
    const char **cols, **vals; /* the columns and their values as text (NULL: SQL NULL) */
    const char **facts;       /* the fact columns among them: `ev` becomes their evidence */
    int nfacts;
    struct elder_evidence ev;
    bool recompute;           /* an update of a fact or category column: categories re-derived */
    struct elder_category cats[ELDER_CAT_MAX]; /* a new record's categories */
    int ncats;
    int64_t user_id;
    const char *actor, *action, *changes; /* the history entry (changes: JSON text) */
    int64_t *new_id;          /* the caller's, set once the chunk is written (may be NULL) */
};
/*
 * Apply `n` gathered rows inside the caller's transaction (PostgreSQL only):
 * ids for the new records from elders' sequence in row order, the records by
 * COPY (new) and UPDATE … FROM a staging table (changed, version bumped), the
 * evidence by INSERT … ON CONFLICT from staging, the categories (new ones as
 * derived, changed ones re-derived from the written rows like
 * elder_store_recompute), the history entries by COPY in row order.  The same
 * rows and values elder_write leaves.  AL_OK; AL_EUNPROC when the schema
 * refuses a row; AL_ECONFLICT when a record to update is gone; AL_EDB/AL_EUNAVAIL.
 */
int elder_store_batch_write(struct al_db *db, struct al_arena *a, struct elder_batch_row *rows,
    int n, const struct elder_settings *s, const char *today);
/* Set last_hukou_import of the `n` records `ids` (elder_store_mark_hukou for many; PostgreSQL). */
int elder_store_mark_hukou_many(struct al_db *db, struct al_arena *a, const int64_t *ids, int n,
    int64_t import_id);
/*
 * After a PostgreSQL bulk import (RULE-DB-082): merge the trigram indexes' GIN
 * pending lists and ANALYZE the tables the import wrote, so the next search
 * neither reads a long pending list nor plans with stale statistics.  SQLite:
 * nothing.  AL_OK or a database error.
 */
int elder_store_bulk_settle(struct al_db *db);
/* RULE-DB-132: ids per page of elder_recompute_scan (20,000; <= 0 restores it), for tests. */
void elder_store_scan_page(int64_t ids);

#endif
