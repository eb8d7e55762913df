/* The elder module's SQL. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "core/idcard.h"
#include "core/json.h"
#include "core/log.h"
#include "core/vec.h"
#include "elder/elder.h"
#include "elder/elder_int.h"
#include "region/region.h"

static int
step_done(struct al_db *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return al_db_check(db, rc);
}

int
elder_settings_load(struct al_db *db, struct elder_settings *s)
{
    static const char sql[] = "SELECT key, value FROM settings WHERE key LIKE 'elder.%'";
    *s = (struct elder_settings){.min_age = 60, .advanced_age = 80, .disabled_min_level = 1,
        .lookup_per_hour = 60};
    snprintf(s->economic_tiers, sizeof(s->economic_tiers), "tekun,dibao,dibao_edge,low_income");
    snprintf(s->special_difficulty, sizeof(s->special_difficulty),
        "advanced_age,living_alone,empty_nest,left_behind,disabled,severe_disability,fp_special,"
        "economic_difficulty,entitled");
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (strcmp(k, "elder.min_age") == 0)
            s->min_age = atoi(v);
        else if (strcmp(k, "elder.advanced_age") == 0)
            s->advanced_age = atoi(v);
        else if (strcmp(k, "elder.disabled_min_level") == 0)
            s->disabled_min_level = atoi(v);
        else if (strcmp(k, "elder.lookup_per_hour") == 0)
            s->lookup_per_hour = atoi(v);
        else if (strcmp(k, "elder.economic_tiers") == 0)
            snprintf(s->economic_tiers, sizeof(s->economic_tiers), "%s", v);
        else if (strcmp(k, "elder.special_difficulty") == 0)
            snprintf(s->special_difficulty, sizeof(s->special_difficulty), "%s", v);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
elder_min_age(struct al_db *db, int *out)
{
    struct elder_settings s;
    int rc = elder_settings_load(db, &s);
    *out = s.min_age;
    return rc;
}

/* ---- reading ---- */

#define ELDER_COLS                                                                             \
    "e.id, e.name, e.sex, e.birth_date, e.id_masked, e.phone, e.region_code, g.name,"          \
    " e.address, e.status, e.version,"                                                         \
    " (SELECT group_concat(category) FROM elder_categories c WHERE c.elder_id = e.id)"
#define ELDER_FROM " FROM elders e LEFT JOIN regions g ON g.code = e.region_code"

static json_t *
list_item(struct al_arena *a, sqlite3_stmt *st, const char *today)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "name", json_string((const char *)sqlite3_column_text(st, 1)));
    json_object_set_new(o, "sex", json_string((const char *)sqlite3_column_text(st, 2)));
    const char *birth = (const char *)sqlite3_column_text(st, 3);
    json_object_set_new(o, "birth_date", json_string(birth));
    json_object_set_new(o, "birth_year", json_integer(atoi(birth)));
    json_object_set_new(o, "age", json_integer(al_age_on(birth, today)));
    json_object_set_new(o, "id_number_masked", json_string((const char *)sqlite3_column_text(st, 4)));
    const char *phone = (const char *)sqlite3_column_text(st, 5);
    if (phone) {
        char *m = al_arena_alloc(a, strlen(phone) + 1);
        al_phone_mask(phone, m, strlen(phone) + 1);
        json_object_set_new(o, "phone_masked", json_string(m));
    } else {
        json_object_set_new(o, "phone_masked", json_null());
    }
    json_object_set_new(o, "region_code", json_string((const char *)sqlite3_column_text(st, 6)));
    const char *rn = (const char *)sqlite3_column_text(st, 7);
    json_object_set_new(o, "region_name", rn ? json_string(rn) : json_null());
    json_object_set_new(o, "address", json_string((const char *)sqlite3_column_text(st, 8)));
    json_object_set_new(o, "status", json_string((const char *)sqlite3_column_text(st, 9)));
    json_object_set_new(o, "version", json_integer(sqlite3_column_int64(st, 10)));
    json_t *cats = json_array();
    const char *cs = (const char *)sqlite3_column_text(st, 11);
    for (const char *p = cs; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(cats, json_stringn(p, n));
        p = e ? e + 1 : p + n;
    }
    json_object_set_new(o, "categories", cats);
    return o;
}

/*
 * One statement per mode, so each can use its own index: the region range
 * (browse), the keyed ID hash (exact), FTS trigram (3+ characters), the name
 * index (1–2 characters: names starting with the text), and without a search
 * text the index of the most selective filter: category (category, region),
 * age (birth date, region) or status (status, region).  The filters a request
 * does not use are left out of the text (statements cached by text), so that
 * counting reads an index alone where it can, and each mode pages in the
 * order of its index: no sort of every match for a page.
 */
enum list_mode { BROWSE, BY_ID, BY_TEXT, BY_NAME, BY_CATEGORY, BY_SPECIAL, BY_AGE, BY_STATUS };

static const char *const mode_where[] = {
    [BROWSE] = " WHERE 1",
    [BY_ID] = " WHERE e.id_hash = ?9",
    [BY_TEXT] = " WHERE e.id IN (SELECT rowid FROM elders_fts WHERE elders_fts MATCH ?9)",
    [BY_NAME] = " WHERE e.name >= ?9 AND e.name < ?9 || x'F48FBFBF'",
    [BY_CATEGORY] = " WHERE k.category = ?5",
    [BY_AGE] = " WHERE 1",
    [BY_SPECIAL] = " WHERE 1",
    [BY_STATUS] = " WHERE 1",
};
static const char *const mode_from[] = {
    [BROWSE] = " FROM elders e",
    [BY_ID] = " FROM elders e",
    [BY_TEXT] = " FROM elders e",
    [BY_NAME] = " FROM elders e",
    [BY_CATEGORY] = " FROM elder_categories k JOIN elders e ON e.id = k.elder_id",
    [BY_AGE] = " FROM elders e INDEXED BY elders_birth",
    [BY_SPECIAL] = " FROM elders e",
    [BY_STATUS] = " FROM elders e INDEXED BY elders_status",
};
static const char *const mode_order[] = {
    [BROWSE] = " ORDER BY e.region_code, e.id",
    [BY_ID] = " ORDER BY e.id",
    [BY_TEXT] = " ORDER BY e.id",
    [BY_NAME] = " ORDER BY e.name, e.region_code, e.id",
    [BY_CATEGORY] = " ORDER BY k.region_code, k.elder_id",
    [BY_AGE] = " ORDER BY e.birth_date, e.region_code, e.status, e.id",
    [BY_SPECIAL] = " ORDER BY e.region_code, e.id",
    [BY_STATUS] = " ORDER BY e.region_code, e.id",
};

static enum list_mode
list_mode(const struct elder_query *q, bool has_key)
{
    if (has_key)
        return q->id_hash ? BY_ID : al_utf8_len(q->q, strlen(q->q)) >= 3 ? BY_TEXT : BY_NAME;
    if (q->category)
        return BY_CATEGORY;
    if (q->nspecial)
        return BY_SPECIAL;
    if (q->born_after || q->born_before)
        return BY_AGE;
    return q->status ? BY_STATUS : BROWSE;
}

/* " IN (?first, ?first+1 …)" for `n` parameters (the special-difficulty categories). */
static const char *
in_marks(struct al_arena *a, int first, int n)
{
    const char *m = "";
    for (int i = 0; i < n; i++)
        m = al_arena_printf(a, "%s%s?%d", m, i ? ", " : "", first + i);
    return al_arena_printf(a, " IN (%s)", m);
}

/*
 * RULE-PII-003: without elder.read_pii a text of digits, spaces and '-' (all a phone
 * holds) finds a phone only when it is the whole number; it still finds names and
 * addresses containing it.  The FTS text (?9) then also matches phones containing it,
 * and this filter keeps the rows that match otherwise than by a part of a phone.
 */
static bool
phone_like(const char *q)
{
    return elder_phone_digits(q) >= 0;
}

static const char *
list_sql(struct al_arena *a, enum list_mode mode, const struct elder_query *q, bool page)
{
    bool by_cat = mode == BY_CATEGORY, by_special = mode == BY_SPECIAL;
    const char *in = q->nspecial ? in_marks(a, 12, q->nspecial) : "";
    /* The count of a category or special-difficulty list reads the category index alone
     * (region, status and birth date are copied there; an elder counted once). */
    const char *head = page ? al_arena_printf(a, "SELECT " ELDER_COLS "%s"
                                                 " LEFT JOIN regions g ON g.code = e.region_code%s",
                                  mode_from[mode], mode_where[mode])
                       : by_cat ? "SELECT count(*) FROM elder_categories k WHERE k.category = ?5"
                       : by_special ? al_arena_printf(a, "SELECT count(DISTINCT k.elder_id)"
                                                         " FROM elder_categories k WHERE k.category%s", in)
                                    : al_arena_printf(a, "SELECT count(*)%s%s", mode_from[mode],
                                          mode_where[mode]);
    /* Where region, status and birth date are read: the category row when there is one. */
    const char *t = by_cat || (by_special && !page) ? "k" : "e";
    const char *special = !q->nspecial || (by_special && !page) ? ""
        : al_arena_printf(a, " AND EXISTS (SELECT 1 FROM elder_categories s WHERE s.elder_id = %s"
                             " AND s.category%s)", by_cat ? "k.elder_id" : "e.id", in);
    const char *phone = mode == BY_TEXT && !q->pii && phone_like(q->q)
        ? " AND (e.phone = ?40 OR e.phone2 = ?40 OR instr(e.name, ?40) > 0"
          " OR instr(e.address, ?40) > 0)" : "";
    /* RULE-PII-001: without the birth date, no order that ranks people by it. */
    const char *order = mode == BY_AGE && !q->pii
        ? " ORDER BY substr(e.birth_date, 1, 4), e.region_code, e.status, e.id" : mode_order[mode];
    return al_arena_printf(a, "%s AND %s.region_code >= ?1 AND %s.region_code < ?2%s%s%s%s%s%s%s",
        head, t, t, phone,
        q->category && !by_cat ? " AND EXISTS (SELECT 1 FROM elder_categories c"
                                 " WHERE c.elder_id = e.id AND c.category = ?5)" : "",
        special, q->status ? al_arena_printf(a, " AND %s.status = ?6", t) : "",
        q->born_after ? al_arena_printf(a, " AND %s.birth_date > ?7", t) : "",
        q->born_before ? al_arena_printf(a, " AND %s.birth_date <= ?8", t) : "",
        page ? al_arena_printf(a, "%s LIMIT ?10 OFFSET ?11", order) : "");
}

/* Bind the scope bounds (?1, ?2) and `n` ids from ?3 on to `st`, and read its one count. */
static int
count_in_scope(struct al_db *db, sqlite3_stmt *st, const char *lo, const char *hi,
    const char *const *ids, int n, int64_t *v)
{
    *v = 0;
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, lo);
    al_db_bind_text(st, 2, hi);
    for (int i = 0; i < n; i++)
        al_db_bind_text(st, i + 3, ids[i]);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? AL_OK : al_db_check(db, rc);
}

int
elder_store_overview(struct al_db *db, struct al_arena *a, const char *scope,
    const char *const *special, int n, json_t *out)
{
    static const char sql_active[] = "SELECT count(*) FROM elders INDEXED BY elders_status"
                                     " WHERE status = 'active' AND region_code >= ?1"
                                     " AND region_code < ?2";
    static const char sql_cat[] = "SELECT count(*) FROM elder_categories WHERE category = ?3"
                                  " AND region_code >= ?1 AND region_code < ?2"
                                  " AND status = 'active'";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    const char *sql_special = al_arena_printf(a, "SELECT count(DISTINCT elder_id) FROM"
        " elder_categories WHERE category%s AND region_code >= ?1 AND region_code < ?2"
        " AND status = 'active'", in_marks(a, 3, n));
    int64_t v = 0;
    int rc = count_in_scope(db, al_db_stmt(db, sql_active), lo, hi, NULL, 0, &v);
    json_object_set_new(out, "active", json_integer(v));
    if (rc == AL_OK)
        rc = count_in_scope(db, n ? al_db_stmt_text(db, sql_special) : al_db_stmt(db, "SELECT 0"),
            lo, hi, special, n, &v);
    json_object_set_new(out, "special_difficulty", json_integer(v));
    json_t *cats = json_object();
    json_object_set_new(out, "categories", cats);
    for (int i = 0; rc == AL_OK && elder_category_ids[i]; i++) {
        rc = count_in_scope(db, al_db_stmt(db, sql_cat), lo, hi, &elder_category_ids[i], 1, &v);
        json_object_set_new(cats, elder_category_ids[i], json_integer(v));
    }
    return rc;
}

int
elder_store_list(struct al_db *db, struct al_arena *a, const struct elder_query *q,
    json_t *items, int64_t *total)
{
    const char *key = NULL;
    if (q->id_hash) {
        key = q->id_hash;
    } else if (q->q && al_utf8_len(q->q, strlen(q->q)) >= 3) {
        /* One phrase: quotes doubled so the text is never FTS syntax. */
        size_t n = strlen(q->q);
        char *p = al_arena_alloc(a, 2 * n + 3), *o = p;
        *o++ = '"';
        for (const char *s = q->q; *s; s++) {
            if (*s == '"')
                *o++ = '"';
            *o++ = *s;
        }
        *o++ = '"';
        *o = '\0';
        key = p;
    } else if (q->q && *q->q) {
        key = q->q;
    }
    enum list_mode mode = list_mode(q, key != NULL);
    /* One region range, the caller's scope narrowed by the region filter: with two, the
     * planner may walk the wider one. */
    char lo[16], hi[16], rlo[16], rhi[16], today[11];
    region_scope_bounds(q->scope, lo, hi);
    if (q->region) {
        region_scope_bounds(q->region, rlo, rhi);
        if (strcmp(rlo, lo) > 0)
            memcpy(lo, rlo, sizeof(lo));
        if (strcmp(rhi, hi) < 0)
            memcpy(hi, rhi, sizeof(hi));
    }
    al_today_cst(today);
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = al_db_stmt_text(db, list_sql(a, mode, q, pass));
        if (!st)
            return AL_EDB;
        al_db_bind_text(st, 1, lo);
        al_db_bind_text(st, 2, hi);
        al_db_bind_text(st, 5, q->category);
        al_db_bind_text(st, 6, q->status);
        al_db_bind_text(st, 7, q->born_after);
        al_db_bind_text(st, 8, q->born_before);
        if (key)
            al_db_bind_text(st, 9, key);
        if (mode == BY_TEXT && !q->pii && phone_like(q->q))
            al_db_bind_text(st, 40, q->q);
        if (pass) {
            sqlite3_bind_int64(st, 10, q->limit);
            sqlite3_bind_int64(st, 11, q->offset);
        }
        for (int i = 0; i < q->nspecial; i++)
            al_db_bind_text(st, i + 12, q->special[i]);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!pass) {
                *total = sqlite3_column_int64(st, 0);
                continue;
            }
            json_t *o = list_item(a, st, today);
            if (!q->pii)
                elder_redact_birth(o);
            json_array_append_new(items, o);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return al_db_check(db, rc);
    }
    return AL_OK;
}

int
elder_store_row(struct al_db *db, struct al_arena *a, int64_t id, struct elder_row *r)
{
    static const char sql[] = "SELECT id, version, region_code, status, name FROM elders WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r->id = sqlite3_column_int64(st, 0);
        r->version = sqlite3_column_int64(st, 1);
        r->region_code = al_db_col_text(a, st, 2);
        r->status = al_db_col_text(a, st, 3);
        r->name = al_db_col_text(a, st, 4);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
elder_store_get(struct al_db *db, struct al_arena *a, int64_t id, bool pii, json_t **out)
{
    static const char sql[] =
        "SELECT " ELDER_COLS ", e.hukou_region_code, e.phone2, e.lat, e.lng,"
        " e.living_arrangement, e.left_behind, e.economic_status, e.disability_type,"
        " e.disability_grade, e.fp_special, e.entitled_groups, e.ability_level, e.status_date,"
        " e.status_reason, e.created_at, e.updated_at" ELDER_FROM " WHERE e.id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
    }
    char today[11];
    al_today_cst(today);
    json_t *o = list_item(a, st, today);
    const char *s;
    json_object_set_new(o, "hukou_region_code",
        (s = (const char *)sqlite3_column_text(st, 12)) ? json_string(s) : json_null());
    s = (const char *)sqlite3_column_text(st, 13);
    if (s) {
        char *m = al_arena_alloc(a, strlen(s) + 1);
        al_phone_mask(s, m, strlen(s) + 1);
        json_object_set_new(o, "phone2_masked", json_string(m));
    } else {
        json_object_set_new(o, "phone2_masked", json_null());
    }
    json_object_set_new(o, "lat", sqlite3_column_type(st, 14) == SQLITE_NULL
                                      ? json_null() : json_real(sqlite3_column_double(st, 14)));
    json_object_set_new(o, "lng", sqlite3_column_type(st, 15) == SQLITE_NULL
                                      ? json_null() : json_real(sqlite3_column_double(st, 15)));
    json_object_set_new(o, "living_arrangement",
        (s = (const char *)sqlite3_column_text(st, 16)) ? json_string(s) : json_null());
    json_object_set_new(o, "left_behind", json_boolean(sqlite3_column_int(st, 17)));
    json_object_set_new(o, "economic_status", json_string((const char *)sqlite3_column_text(st, 18)));
    json_object_set_new(o, "disability_type",
        (s = (const char *)sqlite3_column_text(st, 19)) ? json_string(s) : json_null());
    json_object_set_new(o, "disability_grade", sqlite3_column_type(st, 20) == SQLITE_NULL
                                                   ? json_null()
                                                   : json_integer(sqlite3_column_int(st, 20)));
    json_object_set_new(o, "fp_special", json_boolean(sqlite3_column_int(st, 21)));
    json_t *groups = json_loads((const char *)sqlite3_column_text(st, 22), 0, NULL);
    json_object_set_new(o, "entitled_groups", json_is_array(groups) ? groups : json_array());
    json_object_set_new(o, "ability_level", sqlite3_column_type(st, 23) == SQLITE_NULL
                                                ? json_null()
                                                : json_integer(sqlite3_column_int(st, 23)));
    json_object_set_new(o, "status_date",
        (s = (const char *)sqlite3_column_text(st, 24)) ? json_string(s) : json_null());
    json_object_set_new(o, "status_reason",
        (s = (const char *)sqlite3_column_text(st, 25)) ? json_string(s) : json_null());
    json_object_set_new(o, "created_at", json_string(al_json_time(a, sqlite3_column_int64(st, 26))));
    json_object_set_new(o, "updated_at", json_string(al_json_time(a, sqlite3_column_int64(st, 27))));
    sqlite3_reset(st);

    /* Categories with their evidence. */
    static const char sql_cat[] = "SELECT category, source, source_ref, evidence_date"
                                  " FROM elder_categories WHERE elder_id = ? ORDER BY category";
    st = al_db_stmt(db, sql_cat);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    json_t *ev = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cat = (const char *)sqlite3_column_text(st, 0);
        const char *name = elder_category_name(cat);
        json_t *c = json_pack("{s:s, s:s, s:s}", "category", cat, "name", name ? name : cat,
            "source", (const char *)sqlite3_column_text(st, 1));
        json_object_set_new(c, "source_ref",
            (s = (const char *)sqlite3_column_text(st, 2)) ? json_string(s) : json_null());
        json_object_set_new(c, "evidence_date",
            (s = (const char *)sqlite3_column_text(st, 3)) ? json_string(s) : json_null());
        json_array_append_new(ev, c);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return al_db_check(db, rc);
    json_object_set_new(o, "category_evidence", ev);
    if (!pii)
        elder_redact_birth(o);
    *out = o;
    return AL_OK;
}

int
elder_store_exists_hash(struct al_db *db, const char *id_hash, int64_t *id)
{
    static const char sql[] = "SELECT id FROM elders WHERE id_hash = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, id_hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
elder_store_pii(struct al_db *db, struct al_arena *a, int64_t id, const char **id_enc,
    const char **phone, const char **phone2)
{
    static const char sql[] = "SELECT id_enc, phone, phone2 FROM elders WHERE id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id_enc = al_db_col_text(a, st, 0);
        *phone = al_db_col_text(a, st, 1);
        *phone2 = al_db_col_text(a, st, 2);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

/* ---- writing ---- */

/* Columns a caller may set (whitelist for the generated INSERT/UPDATE). */
static const char *const writable[] = {"region_code", "hukou_region_code", "name", "sex",
    "birth_date", "id_hash", "id_enc", "id_masked", "phone", "phone2", "address", "lat", "lng",
    "living_arrangement", "left_behind", "economic_status", "disability_type",
    "disability_grade", "fp_special", "entitled_groups", "ability_level", "status",
    "status_date", "status_reason", "household_no", "household_size", "pension_type",
    "pension_amount_fen", "last_hukou_import", NULL};

static bool
is_writable(const char *col)
{
    for (const char *const *w = writable; *w; w++)
        if (strcmp(*w, col) == 0)
            return true;
    return false;
}

/* Build and run "INSERT … (cols) VALUES (…)" or "UPDATE … SET col = ?, …". */
static int
write_row(struct al_db *db, json_t *set, bool insert, int64_t id, int64_t version, int64_t now,
    int64_t *new_id)
{
    char sql[2048];
    size_t n = 0;
    const char *key;
    json_t *v;
    int cols = 0;
    n += (size_t)snprintf(sql + n, sizeof(sql) - n, insert ? "INSERT INTO elders(" : "UPDATE elders SET ");
    json_object_foreach(set, key, v)
    {
        if (!is_writable(key))
            return AL_EINTERNAL;
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, insert ? "%s%s" : "%s%s = ?", cols ? ", " : "", key);
        cols++;
    }
    if (insert) {
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", created_at, updated_at) VALUES (");
        for (int i = 0; i < cols + 2; i++)
            n += (size_t)snprintf(sql + n, sizeof(sql) - n, i ? ", ?" : "?");
        snprintf(sql + n, sizeof(sql) - n, ")");
    } else {
        snprintf(sql + n, sizeof(sql) - n, "%supdated_at = ?, version = version + 1 WHERE id = ?%s",
            cols ? ", " : "", version >= 0 ? " AND version = ?" : "");
    }
    sqlite3_stmt *st = al_db_stmt_text(db, sql);
    if (!st)
        return AL_EDB;
    int i = 1;
    json_object_foreach(set, key, v) al_db_bind_json(st, i++, v);
    if (insert) {
        sqlite3_bind_int64(st, i++, now);
        sqlite3_bind_int64(st, i++, now);
    } else {
        sqlite3_bind_int64(st, i++, now);
        sqlite3_bind_int64(st, i++, id);
        if (version >= 0)
            sqlite3_bind_int64(st, i++, version);
    }
    /* A row the schema refuses (CHECK, UNIQUE, trigger) is not a stale version. */
    int step = sqlite3_step(st);
    int rc = (step & 0xff) == SQLITE_CONSTRAINT ? AL_EUNPROC : al_db_check(db, step);
    sqlite3_reset(st);
    if (rc == AL_OK && insert)
        *new_id = sqlite3_last_insert_rowid(al_db_handle(db));
    if (rc == AL_OK && !insert && sqlite3_changes(al_db_handle(db)) == 0)
        return AL_ECONFLICT;
    return rc;
}

int
elder_store_insert(struct al_db *db, json_t *rec, int64_t now, int64_t *id)
{
    return write_row(db, rec, true, 0, 0, now, id);
}

int
elder_store_update(struct al_db *db, int64_t id, int64_t version, json_t *set, int64_t now)
{
    return write_row(db, set, false, id, version, now, NULL);
}

int
elder_store_set_evidence(struct al_db *db, int64_t elder_id, const char *field,
    const struct elder_evidence *ev)
{
    static const char sql[] =
        "INSERT INTO elder_field_sources(elder_id, field, source, source_ref, evidence_date)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(elder_id, field) DO UPDATE SET"
        " source = ?3, source_ref = ?4, evidence_date = ?5";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    al_db_bind_text(st, 2, field);
    al_db_bind_text(st, 3, ev->source);
    al_db_bind_text(st, 4, ev->source_ref);
    al_db_bind_text(st, 5, ev->date);
    return step_done(db, st);
}

static int write_categories(struct al_db *db, int64_t elder_id, const struct elder_category *cats,
    int n);

/* Recompute the categories of one elder from the record and the evidence of each field. */
int
elder_store_recompute(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const struct elder_settings *s, const char *today)
{
    static const char sql_facts[] =
        "SELECT birth_date, living_arrangement, left_behind, economic_status,"
        " coalesce(disability_grade, 0), fp_special, entitled_groups != '[]',"
        " coalesce(ability_level, -1) FROM elders WHERE id = ?";
    static const char sql_src[] =
        "SELECT field, source, source_ref, evidence_date FROM elder_field_sources WHERE elder_id = ?";
    static const char sql_del[] = "DELETE FROM elder_categories WHERE elder_id = ?";
    struct elder_facts f;
    memset(&f, 0, sizeof(f));
    sqlite3_stmt *st = al_db_stmt(db, sql_facts);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
    }
    f.birth_date = al_db_col_text(a, st, 0);
    f.living_arrangement = al_db_col_text(a, st, 1);
    f.left_behind = sqlite3_column_int(st, 2) != 0;
    f.economic_status = al_db_col_text(a, st, 3);
    f.disability_grade = sqlite3_column_int(st, 4);
    f.fp_special = sqlite3_column_int(st, 5) != 0;
    f.entitled_count = sqlite3_column_int(st, 6);
    f.ability_level = sqlite3_column_int(st, 7);
    sqlite3_reset(st);

    /* Default evidence: the record itself; the ID number for the birth date. */
    struct elder_evidence rec = {"record", NULL, NULL};
    f.ev_living = f.ev_left_behind = f.ev_economic = f.ev_disability = f.ev_fp = f.ev_entitled =
        f.ev_ability = rec;
    f.ev_birth = (struct elder_evidence){"id_number", NULL, f.birth_date};
    static const struct {
        const char *field;
        size_t off;
    } map[] = {
        {"living_arrangement", offsetof(struct elder_facts, ev_living)},
        {"left_behind", offsetof(struct elder_facts, ev_left_behind)},
        {"economic_status", offsetof(struct elder_facts, ev_economic)},
        {"disability_grade", offsetof(struct elder_facts, ev_disability)},
        {"fp_special", offsetof(struct elder_facts, ev_fp)},
        {"entitled_groups", offsetof(struct elder_facts, ev_entitled)},
        {"ability_level", offsetof(struct elder_facts, ev_ability)},
    };
    if (!(st = al_db_stmt(db, sql_src)))
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *field = (const char *)sqlite3_column_text(st, 0);
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
            if (strcmp(map[i].field, field) == 0) {
                struct elder_evidence *ev = (struct elder_evidence *)((char *)&f + map[i].off);
                ev->source = al_db_col_text(a, st, 1);
                ev->source_ref = al_db_col_text(a, st, 2);
                ev->date = al_db_col_text(a, st, 3);
            }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return al_db_check(db, rc);

    struct elder_category cats[ELDER_CAT_MAX];
    int n = elder_derive(&f, s, today, cats);
    if (!(st = al_db_stmt(db, sql_del)))
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    if ((rc = step_done(db, st)) != AL_OK)
        return rc;
    return write_categories(db, elder_id, cats, n);
}

/* Insert the categories of an elder who has none stored. */
static int
write_categories(struct al_db *db, int64_t elder_id, const struct elder_category *cats, int n)
{
    static const char sql_ins[] =
        "INSERT INTO elder_categories(elder_id, category, source, source_ref, evidence_date,"
        " region_code, status, birth_date)"
        " SELECT ?1, ?2, ?3, ?4, ?5, region_code, status, birth_date FROM elders WHERE id = ?1";
    int rc;
    sqlite3_stmt *st = al_db_stmt(db, sql_ins);
    if (!st)
        return AL_EDB;
    for (int i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, elder_id);
        al_db_bind_text(st, 2, cats[i].id);
        al_db_bind_text(st, 3, cats[i].ev.source);
        al_db_bind_text(st, 4, cats[i].ev.source_ref);
        al_db_bind_text(st, 5, cats[i].ev.date);
        if ((rc = step_done(db, st)) != AL_OK)
            return rc;
    }
    return AL_OK;
}

int
elder_store_history_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *username, const char *action, json_t *changes, int64_t now)
{
    static const char sql[] = "INSERT INTO elder_history(elder_id, at, user_id, username, action,"
                              " changes) VALUES (?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    sqlite3_bind_int64(st, 2, now);
    if (user_id > 0)
        sqlite3_bind_int64(st, 3, user_id);
    al_db_bind_text(st, 4, username);
    al_db_bind_text(st, 5, action);
    al_db_bind_json(st, 6, changes ? changes : json_object());
    return step_done(db, st);
}

int
elder_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, bool pii,
    json_t *items)
{
    static const char sql[] = "SELECT at, username, action, changes FROM elder_history"
                              " WHERE elder_id = ? ORDER BY id DESC LIMIT 200";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(st, 1);
        json_t *stored = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
        json_t *ch = elder_history_view(stored, pii);
        json_decref(stored);
        json_array_append_new(items, json_pack("{s:s, s:o, s:s, s:o}", "at",
                                         al_json_time(a, sqlite3_column_int64(st, 0)), "username",
                                         u ? json_string(u) : json_null(), "action",
                                         (const char *)sqlite3_column_text(st, 2), "changes",
                                         ch ? ch : json_object()));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
elder_store_contacts(struct al_db *db, struct al_arena *a, int64_t elder_id, bool reveal,
    json_t *items)
{
    static const char sql[] = "SELECT id, relation, name, phone, priority FROM elder_contacts"
                              " WHERE elder_id = ? ORDER BY priority, id";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *phone = (const char *)sqlite3_column_text(st, 3);
        char *m = al_arena_alloc(a, strlen(phone) + 1);
        al_phone_mask(phone, m, strlen(phone) + 1);
        json_t *c = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "relation", sqlite3_column_text(st, 1), "name",
            sqlite3_column_text(st, 2), "phone_masked", m, "priority",
            (json_int_t)sqlite3_column_int64(st, 4));
        if (reveal)
            json_object_set_new(c, "phone", json_string(phone));
        json_array_append_new(items, c);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
elder_store_contact_add(struct al_db *db, int64_t elder_id, const char *relation,
    const char *name, const char *phone, int64_t priority, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO elder_contacts(elder_id, relation, name, phone,"
                              " priority, created_at) VALUES (?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    al_db_bind_text(st, 2, relation);
    al_db_bind_text(st, 3, name);
    al_db_bind_text(st, 4, phone);
    sqlite3_bind_int64(st, 5, priority);
    sqlite3_bind_int64(st, 6, now);
    int rc = step_done(db, st);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

int
elder_store_contact_delete(struct al_db *db, int64_t elder_id, int64_t contact_id)
{
    static const char sql[] = "DELETE FROM elder_contacts WHERE id = ? AND elder_id = ?";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, contact_id);
    sqlite3_bind_int64(st, 2, elder_id);
    int rc = step_done(db, st);
    if (rc == AL_OK && sqlite3_changes(al_db_handle(db)) == 0)
        return AL_ENOTFOUND;
    return rc;
}

int
elder_store_consents(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *items)
{
    static const char sql[] =
        "SELECT c.id, c.user_id, u.username, u.display_name, c.relation, c.scope, c.granted_by,"
        " c.granted_at, c.revoked_at, r.username FROM elder_consents c"
        " JOIN users u ON u.id = c.user_id JOIN users r ON r.id = c.recorded_by"
        " WHERE c.elder_id = ? ORDER BY c.id DESC";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *scope = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
        json_t *c = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "user_id",
            (json_int_t)sqlite3_column_int64(st, 1), "username", sqlite3_column_text(st, 2),
            "display_name", sqlite3_column_text(st, 3), "relation", sqlite3_column_text(st, 4),
            "scope", scope ? scope : json_array(), "granted_by", sqlite3_column_text(st, 6),
            "granted_at", al_json_time(a, sqlite3_column_int64(st, 7)), "recorded_by",
            sqlite3_column_text(st, 9));
        json_object_set_new(c, "revoked_at",
            sqlite3_column_type(st, 8) == SQLITE_NULL
                ? json_null()
                : json_string(al_json_time(a, sqlite3_column_int64(st, 8))));
        json_array_append_new(items, c);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
elder_store_consent_add(struct al_db *db, int64_t elder_id, int64_t user_id,
    const char *relation, const char *scope_json, const char *granted_by, int64_t recorded_by,
    int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO elder_consents(elder_id, user_id, relation, scope, granted_by, recorded_by,"
        " granted_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    sqlite3_bind_int64(st, 2, user_id);
    al_db_bind_text(st, 3, relation);
    al_db_bind_text(st, 4, scope_json);
    al_db_bind_text(st, 5, granted_by);
    sqlite3_bind_int64(st, 6, recorded_by);
    sqlite3_bind_int64(st, 7, now);
    int rc = step_done(db, st);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

int
elder_store_consent_revoke(struct al_db *db, int64_t elder_id, int64_t consent_id, int64_t by,
    int64_t now)
{
    static const char sql[] = "UPDATE elder_consents SET revoked_at = ?, revoked_by = ?"
                              " WHERE id = ? AND elder_id = ? AND revoked_at IS NULL";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, by);
    sqlite3_bind_int64(st, 3, consent_id);
    sqlite3_bind_int64(st, 4, elder_id);
    int rc = step_done(db, st);
    if (rc == AL_OK && sqlite3_changes(al_db_handle(db)) == 0)
        return AL_ENOTFOUND;
    return rc;
}

int
elder_store_consent_scope(struct al_db *db, struct al_arena *a, int64_t user_id,
    int64_t elder_id, const char **scope)
{
    static const char sql[] = "SELECT scope FROM elder_consents WHERE user_id = ? AND elder_id = ?"
                              " AND revoked_at IS NULL ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, elder_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *scope = al_db_col_text(a, st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

int
elder_store_linked(struct al_db *db, struct al_arena *a, int64_t user_id, json_t *items)
{
    static const char sql[] =
        "SELECT " ELDER_COLS ELDER_FROM " JOIN elder_consents k ON k.elder_id = e.id"
        " WHERE k.user_id = ? AND k.revoked_at IS NULL GROUP BY e.id ORDER BY e.id";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, user_id);
    char today[11];
    al_today_cst(today);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = list_item(a, st, today);
        elder_redact_birth(o); /* family accounts never hold elder.read_pii */
        json_array_append_new(items, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

/* ---- for other modules ---- */

int
elder_region_of(struct al_db *db, struct al_arena *a, int64_t id, const char **region,
    const char **status)
{
    struct elder_row r;
    int rc = elder_store_row(db, a, id, &r);
    if (rc == AL_OK) {
        *region = r.region_code;
        if (status)
            *status = r.status;
    }
    return rc;
}

int
elder_find_by_number(struct al_db *db, struct al_arena *a, const char *number,
    struct elder_state *out)
{
    static const char sql[] =
        "SELECT e.id, e.version, e.name, e.address, e.region_code, e.hukou_region_code,"
        " e.household_no, coalesce(e.household_size, 0), e.economic_status, f.source,"
        " e.disability_type, coalesce(e.disability_grade, 0), e.status, e.status_date,"
        " e.pension_type, coalesce(e.pension_amount_fen, -1)"
        " FROM elders e LEFT JOIN elder_field_sources f"
        "  ON f.elder_id = e.id AND f.field = 'economic_status'"
        " WHERE e.id_hash = ?";
    char hash[65];
    al_crypto_keyed_hash_hex("idnumber", number, 18, hash);
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    al_db_bind_text(st, 1, hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->version = sqlite3_column_int64(st, 1);
        out->name = al_db_col_text(a, st, 2);
        out->address = al_db_col_text(a, st, 3);
        out->region_code = al_db_col_text(a, st, 4);
        out->hukou_region_code = al_db_col_text(a, st, 5);
        out->household_no = al_db_col_text(a, st, 6);
        out->household_size = sqlite3_column_int(st, 7);
        out->economic_status = al_db_col_text(a, st, 8);
        out->economic_source = al_db_col_text(a, st, 9);
        out->disability_type = al_db_col_text(a, st, 10);
        out->disability_grade = sqlite3_column_int(st, 11);
        out->status = al_db_col_text(a, st, 12);
        out->status_date = al_db_col_text(a, st, 13);
        out->pension_type = al_db_col_text(a, st, 14);
        out->pension_amount_fen = sqlite3_column_int64(st, 15);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return AL_OK;
    return rc == SQLITE_DONE ? AL_ENOTFOUND : al_db_check(db, rc);
}

/*
 * The categories of a record just inserted, derived from what was written
 * (no read-back): the facts in `set` carry `ev` as their evidence, the birth
 * date the ID number.
 */
static int
new_record_categories(struct al_db *db, int64_t id, json_t *set, const struct elder_evidence *ev,
    const struct elder_settings *s, const char *today)
{
    struct elder_facts f;
    memset(&f, 0, sizeof(f));
    f.birth_date = json_string_value(json_object_get(set, "birth_date"));
    f.living_arrangement = json_string_value(json_object_get(set, "living_arrangement"));
    f.left_behind = json_is_true(json_object_get(set, "left_behind")) ||
                    json_integer_value(json_object_get(set, "left_behind")) != 0;
    f.economic_status = json_string_value(json_object_get(set, "economic_status"));
    if (!f.economic_status)
        f.economic_status = "general";
    f.disability_grade = (int)json_integer_value(json_object_get(set, "disability_grade"));
    f.fp_special = json_is_true(json_object_get(set, "fp_special")) ||
                   json_integer_value(json_object_get(set, "fp_special")) != 0;
    json_t *groups = json_object_get(set, "entitled_groups");
    if (json_is_string(groups)) { /* stored as JSON text */
        json_t *parsed = json_loads(json_string_value(groups), 0, NULL);
        f.entitled_count = (int)json_array_size(parsed);
        json_decref(parsed);
    } else {
        f.entitled_count = (int)json_array_size(groups);
    }
    json_t *level = json_object_get(set, "ability_level");
    f.ability_level = json_is_integer(level) ? (int)json_integer_value(level) : -1;
    struct elder_evidence rec = {"record", NULL, NULL};
    f.ev_living = f.ev_left_behind = f.ev_economic = f.ev_disability = f.ev_fp = f.ev_entitled =
        f.ev_ability = rec;
    if (f.living_arrangement)
        f.ev_living = *ev;
    if (json_object_get(set, "left_behind"))
        f.ev_left_behind = *ev;
    if (json_object_get(set, "economic_status"))
        f.ev_economic = *ev;
    if (json_object_get(set, "disability_grade"))
        f.ev_disability = *ev;
    if (json_object_get(set, "fp_special"))
        f.ev_fp = *ev;
    if (groups)
        f.ev_entitled = *ev;
    if (level)
        f.ev_ability = *ev;
    f.ev_birth = (struct elder_evidence){"id_number", NULL, f.birth_date};
    struct elder_category cats[ELDER_CAT_MAX];
    int n = elder_derive(&f, s, today, cats);
    return write_categories(db, id, cats, n);
}

/* elder_apply with settings and today already known. */
static int
apply_row(struct al_db *db, struct al_arena *a, const struct elder_settings *s, const char *today,
    int64_t id, json_t *set, const struct elder_evidence *ev, int64_t user_id, const char *actor,
    const char *action, int64_t *new_id)
{
    int rc;
    json_t *number = json_object_get(set, "id_number");
    if (number) {
        const char *n = json_string_value(number);
        char hash[65], masked[19];
        al_crypto_keyed_hash_hex("idnumber", n, 18, hash);
        al_id_mask(n, masked);
        char *sealed = al_crypto_seal(a, n, 18);
        if (!sealed)
            return AL_EINTERNAL;
        json_object_set_new(set, "id_hash", json_string(hash));
        json_object_set_new(set, "id_enc", json_string(sealed));
        json_object_set_new(set, "id_masked", json_string(masked));
        json_object_del(set, "id_number");
    }
    int64_t now = (int64_t)time(NULL);
    bool insert = id == 0;
    if (insert) {
        rc = elder_store_insert(db, set, now, &id);
        if (new_id)
            *new_id = id;
    } else {
        /* Imports reconcile against the current row, whatever its version (-1: unchecked). */
        rc = elder_store_update(db, id, -1, set, now);
    }
    static const char *facts[] = {"living_arrangement", "left_behind", "economic_status",
        "disability_grade", "fp_special", "entitled_groups", "ability_level"};
    bool facts_changed = json_object_get(set, "birth_date") != NULL;
    for (size_t i = 0; rc == AL_OK && i < sizeof(facts) / sizeof(facts[0]); i++)
        if (json_object_get(set, facts[i])) {
            facts_changed = true;
            rc = elder_store_set_evidence(db, id, facts[i], ev);
        }
    /* Categories follow from the facts alone (RULE-CAT-*): other columns leave them as they are. */
    if (rc == AL_OK && insert)
        rc = new_record_categories(db, id, set, ev, s, today);
    else if (rc == AL_OK && facts_changed)
        rc = elder_store_recompute(db, a, id, s, today);
    /*
     * A record an import creates gets a history entry naming the import only:
     * its values are the record's own until a change, and every change keeps
     * its own entry (at a million records the full copies were a third of the
     * database).
     */
    bool from_import = insert && ev->source_ref && strcmp(action, "import") == 0;
    if (rc == AL_OK) {
        json_t *ch = json_object();
        const char *k;
        json_t *v;
        if (!from_import)
            json_object_foreach(set, k, v) if (strcmp(k, "id_hash") && strcmp(k, "id_enc") &&
                                               strcmp(k, "last_hukou_import"))
                json_object_set(ch, k, v);
        if (ev->source_ref)
            json_object_set_new(ch, "source", json_string(ev->source_ref));
        rc = elder_store_history_add(db, id, user_id, actor, from_import ? "import_create" : action,
            ch, now);
        json_decref(ch);
    }
    return rc;
}

int
elder_apply(struct al_db *db, struct al_arena *a, int64_t id, json_t *set,
    const struct elder_evidence *ev, int64_t user_id, const char *actor, const char *action,
    int64_t *new_id)
{
    struct elder_settings s;
    char today[11];
    al_today_cst(today);
    int rc = elder_settings_load(db, &s);
    if (rc == AL_OK)
        rc = apply_row(db, a, &s, today, id, set, ev, user_id, actor, action, new_id);
    return rc;
}

struct elder_bulk {
    struct al_db *db;
    struct elder_settings s;
    char today[11];
    int64_t existing;  /* records before the import */
    int64_t inserted;
    bool deferred;     /* search index and secondary indexes: rebuilt at the end */
    struct al_arena *a; /* the caller's, for the life of the bulk */
    const char *indexes[16]; /* CREATE INDEX statements of the dropped indexes */
    int nindexes;
};

/*
 * Drop the secondary indexes of elders (keeping the unique ID-hash index the
 * import looks people up by), remembering their definitions for bulk_end.
 */
static int
drop_indexes(struct elder_bulk *b)
{
    static const char sql[] = "SELECT name, sql FROM sqlite_master"
                              " WHERE type = 'index' AND tbl_name = 'elders' AND sql IS NOT NULL";
    sqlite3_stmt *st = al_db_stmt(b->db, sql);
    if (!st)
        return AL_EDB;
    char names[16][64];
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 16) {
        b->indexes[n] = al_db_col_text(b->a, st, 1);
        snprintf(names[n], sizeof(names[n]), "%.63s", (const char *)sqlite3_column_text(st, 0));
        b->nindexes = ++n;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return al_db_check(b->db, rc);
    for (int i = 0; i < n; i++) {
        char drop[96];
        snprintf(drop, sizeof(drop), "DROP INDEX \"%.63s\"", names[i]);
        if ((rc = al_db_exec(b->db, drop)) != AL_OK)
            return rc;
    }
    return AL_OK;
}

int
elder_bulk_begin(struct al_db *db, struct al_arena *a, struct elder_bulk **out)
{
    static const char sql[] = "SELECT count(*) FROM elders";
    struct elder_bulk *b = al_arena_calloc(a, sizeof(*b));
    b->db = db;
    b->a = a;
    al_today_cst(b->today);
    int rc = elder_settings_load(db, &b->s);
    sqlite3_stmt *st = rc == AL_OK ? al_db_stmt(db, sql) : NULL;
    if (rc == AL_OK && !st)
        rc = AL_EDB;
    if (rc == AL_OK) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            b->existing = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        rc = step == SQLITE_ROW ? AL_OK : al_db_check(db, step == SQLITE_DONE ? SQLITE_ERROR : step);
    }
    if (rc != AL_OK)
        return rc;
    *out = b;
    return AL_OK;
}

int64_t
elder_bulk_existing(const struct elder_bulk *b)
{
    return b->existing;
}

/*
 * An index insert costs about forty times one record's share of a rebuild:
 * past that many new records (and at least 5,000) a single rebuild is cheaper.
 */
static bool
should_defer(const struct elder_bulk *b)
{
    return b->inserted >= 5000 && b->inserted * 40 > b->existing + b->inserted;
}

int
elder_bulk_apply(struct elder_bulk *b, struct al_arena *a, int64_t id, json_t *set,
    const struct elder_evidence *ev, int64_t user_id, const char *actor, const char *action,
    int64_t *new_id)
{
    static const char sql_defer[] = "INSERT OR IGNORE INTO search_deferred(flag) VALUES (1)";
    int rc = AL_OK;
    if (id == 0 && !b->deferred && should_defer(b)) {
        sqlite3_stmt *st = al_db_stmt(b->db, sql_defer);
        rc = st ? step_done(b->db, st) : AL_EDB;
        b->deferred = rc == AL_OK;
        if (rc == AL_OK)
            rc = drop_indexes(b);
    }
    if (rc == AL_OK)
        rc = apply_row(b->db, a, &b->s, b->today, id, set, ev, user_id, actor, action, new_id);
    b->inserted += rc == AL_OK && id == 0;
    return rc;
}

int
elder_bulk_end(struct elder_bulk *b, int rc)
{
    static const char sql_undefer[] = "DELETE FROM search_deferred";
    static const char sql_rebuild[] = "INSERT INTO elders_fts(elders_fts) VALUES ('rebuild')";
    if (rc == AL_OK && b->deferred) {
        sqlite3_stmt *st = al_db_stmt(b->db, sql_undefer);
        rc = st ? step_done(b->db, st) : AL_EDB;
        if (rc == AL_OK)
            rc = (st = al_db_stmt(b->db, sql_rebuild)) ? step_done(b->db, st) : AL_EDB;
        for (int i = 0; rc == AL_OK && i < b->nindexes; i++)
            rc = b->indexes[i] ? al_db_exec(b->db, b->indexes[i]) : AL_EINTERNAL;
    }
    return rc;
}

/* Sorted, comma-separated ids of `cats` into `out` (256 bytes). */
static void
cat_string(const struct elder_category *cats, int n, char out[256])
{
    const char *ids[ELDER_CAT_MAX];
    for (int i = 0; i < n; i++)
        ids[i] = cats[i].id;
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && strcmp(ids[k - 1], ids[k]) > 0; k--) {
            const char *t = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = t;
        }
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < n && len + strlen(ids[i]) + 2 < 256; i++)
        len += (size_t)snprintf(out + len, 256 - len, "%s%s", i ? "," : "", ids[i]);
}

int
elder_recompute_scan(struct al_db *db, const char *today,
    elder_scan_fn fn, void *ctx, int64_t *scanned, int64_t *changed)
{
    static const char sql_elders[] =
        "SELECT id, birth_date, living_arrangement, left_behind, economic_status,"
        " coalesce(disability_grade, 0), fp_special, entitled_groups != '[]',"
        " coalesce(ability_level, -1), name, sex, region_code, status, status_date,"
        " coalesce(last_hukou_import, 0)"
        " FROM elders ORDER BY id";
    static const char sql_cats[] =
        "SELECT elder_id, category FROM elder_categories ORDER BY elder_id, category";
    struct elder_settings s;
    int rc = elder_settings_load(db, &s);
    if (rc != AL_OK)
        return rc;
    sqlite3_stmt *e = al_db_stmt(db, sql_elders), *c = al_db_stmt(db, sql_cats);
    if (!e || !c)
        return AL_EDB;
    *scanned = *changed = 0;
    /* Ids whose categories differ from the stored ones: rewritten after the scan. */
    struct al_vec redo;
    al_vec_init(&redo, sizeof(int64_t));
    int crc = sqlite3_step(c);
    while ((rc = sqlite3_step(e)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(e, 0);
        struct elder_facts f;
        memset(&f, 0, sizeof(f));
        f.birth_date = (const char *)sqlite3_column_text(e, 1);
        f.living_arrangement = (const char *)sqlite3_column_text(e, 2);
        f.left_behind = sqlite3_column_int(e, 3) != 0;
        f.economic_status = (const char *)sqlite3_column_text(e, 4);
        f.disability_grade = sqlite3_column_int(e, 5);
        f.fp_special = sqlite3_column_int(e, 6) != 0;
        f.entitled_count = sqlite3_column_int(e, 7);
        f.ability_level = sqlite3_column_int(e, 8);
        struct elder_category cats[ELDER_CAT_MAX];
        int n = elder_derive(&f, &s, today, cats); /* ids only: evidence comes with a rewrite */
        char now[256], before[256];
        cat_string(cats, n, now);
        /* The stored categories of this elder: the merge cursor is ordered like the scan. */
        size_t blen = 0;
        before[0] = 0;
        while (crc == SQLITE_ROW && sqlite3_column_int64(c, 0) < id)
            crc = sqlite3_step(c);
        while (crc == SQLITE_ROW && sqlite3_column_int64(c, 0) == id) {
            const char *cat = (const char *)sqlite3_column_text(c, 1);
            if (blen + strlen(cat) + 2 < sizeof(before))
                blen += (size_t)snprintf(before + blen, sizeof(before) - blen, "%s%s",
                    blen ? "," : "", cat);
            crc = sqlite3_step(c);
        }
        (*scanned)++;
        if (strcmp(now, before) != 0) {
            int64_t *slot = al_vec_push(&redo);
            if (!slot) {
                rc = AL_EINTERNAL;
                break;
            }
            *slot = id;
        }
        const char *ids[ELDER_CAT_MAX];
        for (int i = 0; i < n; i++)
            ids[i] = cats[i].id;
        struct elder_scan_row row = {.id = id, .name = (const char *)sqlite3_column_text(e, 9),
            .sex = (const char *)sqlite3_column_text(e, 10), .birth_date = f.birth_date,
            .region_code = (const char *)sqlite3_column_text(e, 11),
            .status = (const char *)sqlite3_column_text(e, 12),
            .status_date = (const char *)sqlite3_column_text(e, 13),
            .economic_status = f.economic_status,
            .last_hukou_import = sqlite3_column_int64(e, 14), .cats = now,
            .special = elder_is_special(&s, ids, n)};
        if (fn && fn(ctx, &row) != 0) {
            rc = AL_EINTERNAL;
            break;
        }
    }
    if (rc == SQLITE_DONE)
        rc = AL_OK;
    else if (rc != AL_EINTERNAL)
        rc = al_db_check(db, rc);
    if (rc == AL_OK && crc != SQLITE_ROW && crc != SQLITE_DONE)
        rc = al_db_check(db, crc);
    sqlite3_reset(e);
    sqlite3_reset(c);
    /* The rewrites, with the evidence of each fact (elder_store_recompute reads it). */
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    for (size_t i = 0; rc == AL_OK && i < redo.n; i++) {
        rc = elder_store_recompute(db, &a, AL_VEC_AT(&redo, int64_t, i), &s, today);
        al_arena_reset(&a);
    }
    al_arena_fini(&a);
    *changed = (int64_t)redo.n;
    al_vec_fini(&redo);
    return rc;
}
