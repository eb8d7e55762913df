/* SQL of the meal module (issue 17): one text for both engines (docs/stores.md). */
#include <stdio.h>
#include <string.h>

#include "core/dbq.h"
#include "core/json.h"
#include "entitle/entitle.h"
#include "meal/meal_int.h"
#include "region/region.h"

/* ---- canteens ---- */

int
meal_store_canteen(struct al_db *db, struct al_arena *a, int64_t id, struct meal_canteen *out)
{
    static const char sql[] = "SELECT id, version, capacity, region_code, name, kind,"
                              " licence_expiry, status, windows FROM meal_canteens WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = (struct meal_canteen){.id = al_stmt_int(st, 0), .version = al_stmt_int(st, 1),
        .capacity = al_stmt_int(st, 2), .region_code = al_stmt_dup(a, st, 3),
        .name = al_stmt_dup(a, st, 4), .kind = al_stmt_dup(a, st, 5),
        .licence_expiry = al_stmt_dup(a, st, 6), .status = al_stmt_dup(a, st, 7),
        .windows = al_stmt_dup(a, st, 8)};
    al_stmt_reset(st);
    return AL_OK;
}

static json_t *
licence_state(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    return json_string(meal_licence_state(al_stmt_text(st, col), c->user));
}

#define CANTEEN_COLS                                                                           \
    "c.id, c.region_code, g.name, c.kind, c.name, c.operator, c.address, c.lat, c.lng,"        \
    " c.capacity, c.delivery_radius_m, c.hours, c.windows, c.licence_no, c.licence_expiry,"    \
    " c.status, c.version, c.updated_at"
#define CANTEEN_FROM " FROM meal_canteens c LEFT JOIN regions g ON g.code = c.region_code"

static const struct al_col canteen_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "region_name", AL_COL_TEXT),
    AL_COL(3, "kind", AL_COL_TEXT), AL_COL(4, "name", AL_COL_TEXT),
    AL_COL(5, "operator", AL_COL_TEXT), AL_COL(6, "address", AL_COL_TEXT),
    AL_COL(7, "lat", AL_COL_DOUBLE), AL_COL(8, "lng", AL_COL_DOUBLE),
    AL_COL(9, "capacity", AL_COL_INT), AL_COL(10, "delivery_radius_m", AL_COL_INT),
    AL_COL(11, "hours", AL_COL_TEXT), AL_COL(12, "windows", AL_COL_JSON),
    AL_COL(13, "licence_no", AL_COL_TEXT), AL_COL(14, "licence_expiry", AL_COL_TEXT),
    AL_COLF(14, "licence_state", licence_state), AL_COL(15, "status", AL_COL_TEXT),
    AL_COL(16, "version", AL_COL_INT), AL_COL(17, "updated_at", AL_COL_TIME), AL_COL_END};

static int
canteen_areas(struct al_db *db, struct al_arena *a, int64_t id, json_t *items)
{
    static const char sql[] = "SELECT r.region_code, g.name FROM meal_canteen_areas r"
                              " LEFT JOIN regions g ON g.code = r.region_code"
                              " WHERE r.canteen_id = ? ORDER BY r.region_code";
    static const struct al_col cols[] = {AL_COL(0, "code", AL_COL_TEXT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
meal_store_canteen_json(struct al_db *db, struct al_arena *a, int64_t id, const char *today,
    json_t **out)
{
    static const char sql[] = "SELECT " CANTEEN_COLS CANTEEN_FROM " WHERE c.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = al_row_json(&(struct al_row_ctx){.a = a, .user = today}, st, canteen_cols);
    al_stmt_reset(st);
    json_t *areas = json_array();
    json_object_set_new(*out, "areas", areas);
    return canteen_areas(db, a, id, areas);
}

int
meal_store_canteens(struct al_db *db, struct al_arena *a, const struct meal_canteen_filter *f,
    json_t *items, int64_t *total)
{
    /* RULE-SCOPE-001 (the canteen's region), RULE-MEAL-003 (the supervision list). */
    static const char where[] =
        " WHERE c.region_code >= ?1 AND c.region_code < ?2"
        " AND (CAST(?3 AS TEXT) IS NULL OR instr(c.name, ?3) > 0 OR instr(c.operator, ?3) > 0)"
        " AND (CAST(?4 AS TEXT) IS NULL OR (?4 = 'expired' AND c.licence_expiry < ?5)"
        "      OR (?4 = 'expiring' AND c.licence_expiry >= ?5 AND c.licence_expiry <= ?6))";
    static const struct al_page_sql sql = {.cols = CANTEEN_COLS, .from = CANTEEN_FROM,
        .order = " ORDER BY c.region_code, c.id"};
    /* RULE-MEAL-003: "expiring" is within 30 days of today. */
    char soon[11] = "";
    if (f->today)
        meal_date_add(f->today, 30, soon);
    struct al_params p;
    al_params_init(&p, a);
    al_param_text(&p, f->lo);
    al_param_text(&p, f->hi);
    al_param_text(&p, f->q);
    al_param_text(&p, f->licence);
    al_param_text(&p, f->today);
    al_param_text(&p, soon);
    int rc = al_db_page(db, &p, &sql, where, f->limit, f->offset,
        &(struct al_rows){.cols = canteen_cols, .user = f->today}, items, total);
    size_t i;
    json_t *c;
    json_array_foreach(items, i, c)
    {
        json_t *areas = json_array();
        json_object_set_new(c, "areas", areas);
        if (rc == AL_OK)
            rc = canteen_areas(db, a, json_integer_value(json_object_get(c, "id")), areas);
    }
    return rc;
}

int
meal_store_canteen_put(struct al_db *db, int64_t id, int64_t version,
    const struct meal_canteen_in *in, const char *actor, int64_t now, int64_t *out_id)
{
    static const char ins[] =
        "INSERT INTO meal_canteens(region_code, kind, name, operator, address, lat, lng,"
        " capacity, delivery_radius_m, hours, windows, licence_no, licence_expiry, status,"
        " created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
        " ?11, ?12, ?13, ?14, ?15, ?16, ?16) RETURNING id";
    static const char upd[] =
        "UPDATE meal_canteens SET region_code = ?1, kind = ?2, name = ?3, operator = ?4,"
        " address = ?5, lat = ?6, lng = ?7, capacity = ?8, delivery_radius_m = ?9, hours = ?10,"
        " windows = ?11, licence_no = ?12, licence_expiry = ?13, status = ?14, updated_at = ?16,"
        " version = version + 1 WHERE id = ?17 AND version = ?18 AND ?15 = ?15";
    struct al_stmt *st = al_db_sql(db, id ? upd : ins);
    al_stmt_binds(st, AL_T(in->region_code), AL_T(in->kind), AL_T(in->name),
        AL_T(in->operator_name), AL_T(in->address));
    if (in->has_coords) {
        al_stmt_bind_double(st, 6, in->lat);
        al_stmt_bind_double(st, 7, in->lng);
    } else {
        al_stmt_bind_null(st, 6);
        al_stmt_bind_null(st, 7);
    }
    al_stmt_bind_int(st, 8, in->capacity);
    al_stmt_bind_int(st, 9, in->delivery_radius_m);
    al_stmt_bind_text(st, 10, in->hours ? in->hours : "");
    al_stmt_bind_text(st, 11, in->windows);
    al_stmt_bind_text(st, 12, in->licence_no);
    al_stmt_bind_text(st, 13, in->licence_expiry);
    al_stmt_bind_text(st, 14, in->status ? in->status : "open");
    al_stmt_bind_text(st, 15, actor);
    al_stmt_bind_int(st, 16, now);
    int rc;
    if (id) {
        al_stmt_bind_int(st, 17, id);
        al_stmt_bind_int(st, 18, version);
        if ((rc = al_stmt_run(st)) != AL_OK)
            return rc;
        if (al_db_changes(db) == 0)
            return AL_ECONFLICT;
        *out_id = id;
    } else {
        if ((rc = al_stmt_one(st)) != AL_OK)
            return rc;
        *out_id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    static const char del[] = "DELETE FROM meal_canteen_areas WHERE canteen_id = ?";
    static const char add[] = "INSERT INTO meal_canteen_areas(canteen_id, region_code)"
                              " VALUES (?, ?) ON CONFLICT DO NOTHING";
    st = al_db_sql(db, del);
    al_stmt_bind_int(st, 1, *out_id);
    if ((rc = al_stmt_run(st)) != AL_OK)
        return rc;
    size_t i;
    json_t *v;
    json_array_foreach(in->areas, i, v)
    {
        st = al_db_sql(db, add);
        al_stmt_bind_int(st, 1, *out_id);
        al_stmt_bind_text(st, 2, json_string_value(v));
        if ((rc = al_stmt_run(st)) != AL_OK)
            return rc;
    }
    return AL_OK;
}

/* ---- menus ---- */

int
meal_store_menu_add(struct al_db *db, int64_t canteen_id, const char *date, const char *meal,
    const char *name, const char *dishes, int64_t price_fen, const char *actor, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO meal_menus(canteen_id, menu_date, meal, name, dishes, price_fen, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(date), AL_T(meal), AL_T(name),
        AL_T(dishes ? dishes : ""), AL_I(price_fen), AL_T(actor), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc == AL_ENOTFOUND)
        return AL_ECONFLICT; /* the same dish of that meal on that day */
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

int
meal_store_menus(struct al_db *db, struct al_arena *a, int64_t canteen_id, const char *from,
    const char *to, json_t *items)
{
    static const char sql[] =
        "SELECT id, menu_date, meal, name, dishes, price_fen FROM meal_menus"
        " WHERE canteen_id = ? AND menu_date >= ? AND menu_date <= ?"
        " ORDER BY menu_date, CASE meal WHEN 'breakfast' THEN 0 WHEN 'lunch' THEN 1 ELSE 2 END, id";
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "date", AL_COL_TEXT), AL_COL(2, "meal", AL_COL_TEXT),
        AL_COL(3, "name", AL_COL_TEXT), AL_COL(4, "dishes", AL_COL_TEXT),
        AL_COL(5, "price_fen", AL_COL_INT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(from), AL_T(to));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
meal_store_menu(struct al_db *db, struct al_arena *a, int64_t canteen_id, int64_t id,
    const char **date, const char **meal, const char **name, int64_t *price_fen)
{
    static const char sql[] = "SELECT menu_date, meal, name, price_fen FROM meal_menus"
                              " WHERE id = ? AND canteen_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(id), AL_I(canteen_id));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *date = al_stmt_dup(a, st, 0);
    *meal = al_stmt_dup(a, st, 1);
    *name = al_stmt_dup(a, st, 2);
    *price_fen = al_stmt_int(st, 3);
    al_stmt_reset(st);
    return AL_OK;
}

/* ---- subsidy rules and caps (RULE-MEAL-010..012) ---- */

/* The prefixes of `region` that key a level: "", 2, 4, 6, 9 digits and itself. */
static int
chain_of(const char *region, char chain[6][13])
{
    static const size_t lens[] = {0, 2, 4, 6, 9, 12};
    size_t len = strlen(region);
    int n = 0;
    for (size_t i = 0; i < 6 && lens[i] <= len; i++)
        snprintf(chain[n++], 13, "%.*s", (int)lens[i], region);
    for (int i = n; i < 6; i++) /* the rest repeat the longest (rows i >= n, never n - 1) */
        memcpy(chain[i], chain[n - 1], 13);
    return n;
}

int
meal_store_rules_for(struct al_db *db, struct al_arena *a, const char *region,
    const char *date, int meal, struct meal_rule **rules, int *n)
{
    static const char sql[] =
        "SELECT id, region_code, tags, amount_fen, fund_national_pct, fund_province_pct,"
        " fund_city_pct, fund_county_pct FROM meal_rules"
        " WHERE region_code IN (?1, ?2, ?3, ?4, ?5, ?6) AND meal = ?7 AND valid_from <= ?8"
        " AND (valid_until IS NULL OR valid_until >= ?8) ORDER BY id";
    char chain[6][13];
    chain_of(region, chain);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(chain[0]), AL_T(chain[1]), AL_T(chain[2]), AL_T(chain[3]),
        AL_T(chain[4]), AL_T(chain[5]), AL_T(meal_names[meal]), AL_T(date));
    int rc;
    size_t cap = 0;
    *n = 0;
    *rules = NULL;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        *rules = al_arena_grow(a, *rules, (size_t)*n, &cap, sizeof(**rules), 8);
        struct meal_rule *r = &(*rules)[(*n)++];
        *r = (struct meal_rule){.id = al_stmt_int(st, 0),
            .depth = (int)al_stmt_len(st, 1), .tags = al_stmt_dup(a, st, 2), .meal = meal,
            .amount_fen = al_stmt_int(st, 3)};
        for (int k = 0; k < 4; k++)
            r->pct[k] = (int)al_stmt_int(st, 4 + k);
    }
    return rc;
}

int
meal_store_cap_for(struct al_db *db, const char *region, int64_t *cap)
{
    static const char sql[] = "SELECT daily_cap FROM meal_caps WHERE region_code IN"
                              " (?1, ?2, ?3, ?4, ?5, ?6) ORDER BY length(region_code) DESC LIMIT 1";
    char chain[6][13];
    chain_of(region, chain);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(chain[0]), AL_T(chain[1]), AL_T(chain[2]), AL_T(chain[3]),
        AL_T(chain[4]), AL_T(chain[5]));
    int rc = al_stmt_int64(st, cap);
    if (rc == AL_ENOTFOUND) {
        *cap = 1; /* RULE-MEAL-012: one subsidised meal a day unless a level says otherwise */
        return AL_OK;
    }
    return rc;
}

int
meal_store_rule_add(struct al_db *db, const char *region, const char *tags, const char *meal,
    int64_t amount_fen, const int pct[4], const char *from, const char *until, const char *actor,
    int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO meal_rules(region_code, tags, meal, amount_fen, fund_national_pct,"
        " fund_province_pct, fund_city_pct, fund_county_pct, valid_from, valid_until,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_T(tags), AL_T(meal), AL_I(amount_fen), AL_I(pct[0]),
        AL_I(pct[1]), AL_I(pct[2]), AL_I(pct[3]), AL_T(from), AL_T(until), AL_T(actor), AL_I(now));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

int
meal_store_rules(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    const char *region, json_t *items)
{
    /* The rules of the caller's region, those below it, and those of the levels above. */
    static const char sql[] =
        "SELECT id, region_code, tags, meal, amount_fen, fund_national_pct, fund_province_pct,"
        " fund_city_pct, fund_county_pct, valid_from, valid_until, created_by FROM meal_rules"
        " WHERE (region_code >= ?1 AND region_code < ?2) OR region_code IN (?3, ?4, ?5, ?6, ?7)"
        " ORDER BY length(region_code), region_code, meal, id";
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "tags", AL_COL_TEXT),
        AL_COL(3, "meal", AL_COL_TEXT), AL_COL(4, "amount_fen", AL_COL_INT),
        AL_COL(5, "fund_national_pct", AL_COL_INT), AL_COL(6, "fund_province_pct", AL_COL_INT),
        AL_COL(7, "fund_city_pct", AL_COL_INT), AL_COL(8, "fund_county_pct", AL_COL_INT),
        AL_COL(9, "valid_from", AL_COL_TEXT), AL_COL(10, "valid_until", AL_COL_TEXT),
        AL_COL(11, "created_by", AL_COL_TEXT), AL_COL_END};
    char chain[6][13];
    chain_of(region, chain);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(chain[0]), AL_T(chain[1]), AL_T(chain[2]),
        AL_T(chain[3]), AL_T(chain[4]));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
meal_store_cap_set(struct al_db *db, const char *region, int64_t cap, const char *actor,
    int64_t now)
{
    static const char sql[] =
        "INSERT INTO meal_caps(region_code, daily_cap, updated_by, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (region_code) DO UPDATE SET daily_cap = excluded.daily_cap,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_I(cap), AL_T(actor), AL_I(now));
    return al_stmt_run(st);
}

/* ---- diners and cards ---- */

/*
 * The diner: the registry's brief of the elder (elder.h), its tags (the economic status unless
 * general, then the categories) and the meal card.
 * Seam (issue 12, src/entitle): when entitle.h offers an elder's entitled items, add them
 * here as "item:<key>" tags, so a subsidy rule may require a service-list item; the rule
 * decision (meal_rule_pick) needs no change.
 */
int
meal_store_diner(struct al_db *db, struct al_arena *a, int64_t elder_id, struct meal_diner *d)
{
    int rc = elder_brief_get(db, a, elder_id, &d->e);
    if (rc != AL_OK)
        return rc;
    const char *eco = d->e.economic_status;
    const char *cats = d->e.categories;
    d->tags = !eco || !strcmp(eco, "general") ? cats
        : *cats                              ? al_arena_printf(a, "%s,%s", eco, cats)
                                             : eco;
    d->card_no = NULL;
    struct al_stmt *st = al_db_sql(db, "SELECT card_no FROM meal_cards WHERE elder_id = ?");
    al_stmt_bind_int(st, 1, elder_id);
    if ((rc = al_stmt_one(st)) == AL_OK)
        d->card_no = al_stmt_dup(a, st, 0);
    al_stmt_reset(st);
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

/* The diner of the card that `sql` (one elder_id, one text parameter) finds by `value`. */
static int
diner_by(struct al_db *db, struct al_arena *a, const char *sql, const char *value,
    struct meal_diner *d)
{
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, value);
    int64_t id = 0;
    int rc = al_stmt_one(st);
    if (rc == AL_OK)
        id = al_stmt_int(st, 0);
    al_stmt_reset(st);
    return rc == AL_OK ? meal_store_diner(db, a, id, d) : rc;
}

int
meal_store_diner_by_card(struct al_db *db, struct al_arena *a, const char *card_no,
    struct meal_diner *d)
{
    return diner_by(db, a, "SELECT elder_id FROM meal_cards WHERE card_no = ?", card_no, d);
}

int
meal_store_diner_by_qr(struct al_db *db, struct al_arena *a, const char *token,
    struct meal_diner *d)
{
    return diner_by(db, a, "SELECT elder_id FROM meal_cards WHERE qr_token = ?", token, d);
}

int
meal_store_diner_search(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    const char *q, json_t *items)
{
    static const char sql[] =
        "SELECT e.id, e.name, e.sex, CAST(substr(e.birth_date, 1, 4) AS INTEGER), e.region_code,"
        " g.name, (SELECT card_no FROM meal_cards k WHERE k.elder_id = e.id) FROM elders e"
        " LEFT JOIN regions g ON g.code = e.region_code"
        " WHERE e.region_code >= ?1 AND e.region_code < ?2 AND e.status = 'active'"
        " AND instr(e.name, ?3) > 0 ORDER BY e.name, e.id LIMIT 20";
    /* RULE-PII-001: the year of birth only. */
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "sex", AL_COL_TEXT),
        AL_COL(3, "birth_year", AL_COL_INT), AL_COL(4, "region_code", AL_COL_TEXT),
        AL_COL(5, "region_name", AL_COL_TEXT), AL_COL(6, "card_no", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(q));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
meal_store_card_put(struct al_db *db, int64_t elder_id, const char *region,
    const char *card_no, const char *token, const char *actor, int64_t now)
{
    static const char sql[] =
        "INSERT INTO meal_cards(elder_id, region_code, card_no, qr_token, created_by, created_at,"
        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (elder_id) DO UPDATE SET"
        " region_code = excluded.region_code, card_no = excluded.card_no,"
        " qr_token = excluded.qr_token, updated_at = excluded.updated_at";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(region), AL_T(card_no), AL_T(token), AL_T(actor),
        AL_I(now));
    return al_stmt_run(st);
}

int
meal_store_card_token(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const char **card_no, const char **token)
{
    static const char sql[] = "SELECT card_no, qr_token FROM meal_cards WHERE elder_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, elder_id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *card_no = al_stmt_dup(a, st, 0);
    *token = al_stmt_dup(a, st, 1);
    al_stmt_reset(st);
    return AL_OK;
}

/* ---- meals ---- */

int
meal_store_day(struct al_db *db, int64_t elder_id, const char *date, const char *meal,
    int64_t *subsidised, bool *window_taken)
{
    static const char sql[] =
        "SELECT count(*), coalesce(sum(CASE WHEN meal = ?3 THEN 1 ELSE 0 END), 0)"
        " FROM meal_records WHERE elder_id = ?1 AND served_date = ?2 AND subsidy_fen > 0";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(date), AL_T(meal));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *subsidised = al_stmt_int(st, 0);
    *window_taken = al_stmt_int(st, 1) > 0;
    al_stmt_reset(st);
    return AL_OK;
}

int
meal_store_record_add(struct al_db *db, const struct meal_record *m, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO meal_records(canteen_id, canteen_region, elder_id, elder_region, served_at,"
        " served_date, month, meal, kind, menu_id, menu_name, price_fen, subsidy_fen, diner_fen,"
        " rule_id, tags, fund_national_fen, fund_province_fen, fund_city_fen, fund_county_fen,"
        " flag, idem_key, counter, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(m->canteen_id), AL_T(m->canteen_region), AL_I(m->elder_id),
        AL_T(m->elder_region), AL_I(m->served_at), AL_T(m->served_date), AL_T(m->month),
        AL_T(m->meal), AL_T(m->kind), AL_REF(m->menu_id), AL_T(m->menu_name),
        AL_I(m->price_fen), AL_I(m->d.subsidy_fen), AL_I(m->d.diner_fen), AL_REF(m->rule_id),
        AL_T(m->tags), AL_I(m->d.fund_fen[0]), AL_I(m->d.fund_fen[1]), AL_I(m->d.fund_fen[2]),
        AL_I(m->d.fund_fen[3]), AL_T(m->d.flag), AL_T(m->idem_key), AL_T(m->counter),
        AL_T(m->actor), AL_I(m->now));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

static json_t *
flag_label(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    const char *l = meal_flag_label(al_stmt_text(st, col));
    return l ? json_string(l) : json_null();
}

#define RECORD_COLS                                                                            \
    "m.id, m.canteen_id, c.name, m.elder_id, e.name, m.served_at, m.served_date, m.meal,"      \
    " m.kind, m.menu_name, m.price_fen, m.subsidy_fen, m.diner_fen, m.tags, m.flag,"           \
    " m.fund_national_fen, m.fund_province_fen, m.fund_city_fen, m.fund_county_fen,"           \
    " m.idem_key, m.counter, m.recorded_by"
#define RECORD_FROM                                                                            \
    " FROM meal_records m JOIN meal_canteens c ON c.id = m.canteen_id"                         \
    " JOIN elders e ON e.id = m.elder_id"

static const struct al_col record_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "canteen_id", AL_COL_INT), AL_COL(2, "canteen_name", AL_COL_TEXT),
    AL_COL(3, "elder_id", AL_COL_INT), AL_COL(4, "elder_name", AL_COL_TEXT),
    AL_COL(5, "served_at", AL_COL_TIME), AL_COL(6, "served_date", AL_COL_TEXT),
    AL_COL(7, "meal", AL_COL_TEXT), AL_COL(8, "kind", AL_COL_TEXT),
    AL_COL(9, "menu_name", AL_COL_TEXT), AL_COL(10, "price_fen", AL_COL_INT),
    AL_COL(11, "subsidy_fen", AL_COL_INT), AL_COL(12, "diner_fen", AL_COL_INT),
    AL_COL(13, "tags", AL_COL_TEXT), AL_COL(14, "flag", AL_COL_TEXT),
    AL_COLF(14, "flag_label", flag_label), AL_COL(15, "fund_national_fen", AL_COL_INT),
    AL_COL(16, "fund_province_fen", AL_COL_INT), AL_COL(17, "fund_city_fen", AL_COL_INT),
    AL_COL(18, "fund_county_fen", AL_COL_INT), AL_COL(19, "idem_key", AL_COL_TEXT),
    AL_COL(20, "counter", AL_COL_TEXT), AL_COL(21, "recorded_by", AL_COL_TEXT), AL_COL_END};

int
meal_store_record_json(struct al_db *db, struct al_arena *a, int64_t id, json_t **out)
{
    static const char sql[] = "SELECT " RECORD_COLS RECORD_FROM " WHERE m.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = al_row_json(&(struct al_row_ctx){.a = a}, st, record_cols);
    al_stmt_reset(st);
    return AL_OK;
}

int
meal_store_record_by_key(struct al_db *db, struct al_arena *a, const char *key, json_t **out)
{
    static const char sql[] = "SELECT id FROM meal_records WHERE idem_key = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, key);
    int64_t id = 0;
    int rc = al_stmt_int64(st, &id);
    if (rc != AL_OK)
        return rc;
    return meal_store_record_json(db, a, id, out);
}

int
meal_store_records(struct al_db *db, struct al_arena *a, const struct meal_record_filter *f,
    json_t *items, int64_t *total)
{
    static const char where[] =
        " WHERE m.canteen_region >= ?1 AND m.canteen_region < ?2"
        " AND (?3 = 0 OR m.canteen_id = ?3) AND (CAST(?4 AS TEXT) IS NULL OR m.month = ?4)"
        " AND (CAST(?5 AS TEXT) IS NULL OR m.served_date = ?5)"
        " AND (CAST(?6 AS TEXT) IS NULL OR (?6 = 'any' AND m.flag <> '') OR m.flag = ?6)";
    static const struct al_page_sql sql = {.cols = RECORD_COLS, .from = RECORD_FROM,
        .order = " ORDER BY m.served_at DESC, m.id DESC"};
    struct al_params p;
    al_params_init(&p, a);
    al_param_text(&p, f->lo);
    al_param_text(&p, f->hi);
    al_param_int(&p, f->canteen_id);
    al_param_text(&p, f->month);
    al_param_text(&p, f->date);
    al_param_text(&p, f->flag);
    return al_db_page(db, &p, &sql, where, f->limit, f->offset,
        &(struct al_rows){.cols = record_cols}, items, total);
}

/* ---- statements (RULE-MEAL-030..032) ---- */

int
meal_store_month_locked(struct al_db *db, int64_t canteen_id, const char *month, bool *approved)
{
    static const char sql[] =
        "SELECT count(*) FROM meal_statements WHERE canteen_id = ? AND month = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(month));
    int64_t n = 0;
    int rc = al_stmt_int64(st, &n);
    *approved = n > 0;
    return rc;
}

/* RULE-MEAL-040: a meal on or after the diner's death, move or cancellation is left out. */
#define EXCLUDED                                                                               \
    "(m.flag = 'after_status' OR (e.status IN ('deceased', 'moved_out', 'cancelled')"          \
    " AND e.status_date IS NOT NULL AND m.served_date >= e.status_date))"

int
meal_store_statement_live(struct al_db *db, struct al_arena *a, int64_t canteen_id,
    const char *month, json_t **out)
{
    static const char lines_sql[] =
        "SELECT m.meal, m.price_fen, m.tags, count(*), sum(m.price_fen), sum(m.subsidy_fen),"
        " sum(m.fund_national_fen), sum(m.fund_province_fen), sum(m.fund_city_fen),"
        " sum(m.fund_county_fen), sum(m.diner_fen)"
        " FROM meal_records m JOIN elders e ON e.id = m.elder_id"
        " WHERE m.canteen_id = ?1 AND m.month = ?2 AND NOT " EXCLUDED
        " GROUP BY m.meal, m.price_fen, m.tags"
        " ORDER BY CASE m.meal WHEN 'breakfast' THEN 0 WHEN 'lunch' THEN 1 ELSE 2 END,"
        " m.tags, m.price_fen";
    static const char excl_sql[] =
        "SELECT m.id, m.served_date, m.meal, e.name, m.price_fen, m.subsidy_fen, e.status,"
        " e.status_date FROM meal_records m JOIN elders e ON e.id = m.elder_id"
        " WHERE m.canteen_id = ?1 AND m.month = ?2 AND " EXCLUDED " ORDER BY m.served_at, m.id";
    static const struct al_col excl_cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "served_date", AL_COL_TEXT), AL_COL(2, "meal", AL_COL_TEXT),
        AL_COL(3, "elder_name", AL_COL_TEXT), AL_COL(4, "price_fen", AL_COL_INT),
        AL_COL(5, "subsidy_fen", AL_COL_INT), AL_COL(6, "elder_status", AL_COL_TEXT),
        AL_COL(7, "status_date", AL_COL_TEXT), AL_COL_END};
    static const char *const keys[] = {"meals", "amount_fen", "subsidy_fen", "fund_national_fen",
        "fund_province_fen", "fund_city_fen", "fund_county_fen", "diner_fen"};
    int64_t tot[8] = {0};
    json_t *lines = json_array();
    struct al_stmt *st = al_db_sql(db, lines_sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(month));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int k = meal_kind_of(al_stmt_text(st, 0));
        const char *tags = al_stmt_text(st, 2);
        json_t *l = json_pack("{s:s, s:s, s:I, s:s}", "meal", al_stmt_text(st, 0), "meal_label",
            k >= 0 ? meal_labels[k] : "", "price_fen", (json_int_t)al_stmt_int(st, 1), "tags",
            tags ? tags : "");
        for (int i = 0; i < 8; i++) {
            int64_t v = al_stmt_int(st, 3 + i);
            tot[i] += v;
            json_object_set_new(l, keys[i], json_integer(v));
        }
        json_array_append_new(lines, l);
    }
    if (rc != AL_OK)
        return rc;
    json_t *totals = json_object();
    for (int i = 0; i < 8; i++)
        json_object_set_new(totals, keys[i], json_integer(tot[i]));
    json_t *excluded = json_array();
    st = al_db_sql(db, excl_sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(month));
    if ((rc = al_db_rows(st, a, &(struct al_rows){.cols = excl_cols}, excluded)) != AL_OK)
        return rc;
    *out = json_pack("{s:I, s:s, s:o, s:o, s:o}", "canteen_id", (json_int_t)canteen_id,
        "month", month, "lines", lines, "totals", totals, "excluded", excluded);
    return AL_OK;
}

int
meal_store_statement_approved(struct al_db *db, struct al_arena *a, int64_t canteen_id,
    const char *month, json_t **out)
{
    static const char sql[] = "SELECT body, approved_by, approved_at FROM meal_statements"
                              " WHERE canteen_id = ? AND month = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(month));
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = json_loads(al_stmt_text(st, 0), 0, NULL);
    if (!*out)
        *out = json_object();
    json_object_set_new(*out, "status", json_string("approved"));
    json_object_set_new(*out, "approved_by", json_string(al_stmt_text(st, 1)));
    json_object_set_new(*out, "approved_at", json_string(al_json_time(a, al_stmt_int(st, 2))));
    al_stmt_reset(st);
    return AL_OK;
}

int
meal_store_statement_approve(struct al_db *db, int64_t canteen_id, const char *region,
    const char *month, const char *body, const char *actor, int64_t now)
{
    static const char sql[] =
        "INSERT INTO meal_statements(canteen_id, region_code, month, body, approved_by,"
        " approved_at) VALUES (?, ?, ?, ?, ?, ?)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(region), AL_T(month), AL_T(body), AL_T(actor),
        AL_I(now));
    return al_stmt_run(st);
}

/* ---- measures (RULE-MEAL-050..052) ---- */

int
meal_store_coverage(struct al_db *db, struct al_arena *a, const char *scope, json_t **out)
{
    /* Every community and village of the scope, whether an open canteen or point serves it. */
    static const char areas_sql[] =
        "SELECT r.code, r.name, EXISTS (SELECT 1 FROM meal_canteen_areas x"
        "  JOIN meal_canteens c ON c.id = x.canteen_id AND c.status = 'open'"
        "  WHERE x.region_code = r.code)"
        " FROM regions r WHERE r.level = 5 AND r.code >= ?1 AND r.code < ?2 ORDER BY r.code";
    static const char towns_sql[] =
        "SELECT r.code, r.name, EXISTS (SELECT 1 FROM meal_canteens c WHERE c.kind = 'canteen'"
        "  AND c.status = 'open' AND substr(c.region_code, 1, 9) = r.code)"
        " FROM regions r WHERE r.level = 4 AND r.code >= ?1 AND r.code < ?2 ORDER BY r.code";
    char lo[16], hi[16];
    /* A scope deeper than a township still belongs to its township's row. */
    region_scope_bounds(scope, lo, hi);
    json_t *towns = json_array();
    struct al_stmt *st = al_db_sql(db, towns_sql);
    char tlo[16], thi[16];
    char town_scope[10];
    snprintf(town_scope, sizeof(town_scope), "%.9s", scope);
    region_scope_bounds(strlen(scope) > 9 ? town_scope : scope, tlo, thi);
    al_stmt_binds(st, AL_T(tlo), AL_T(thi));
    int rc;
    int64_t towns_total = 0, towns_with = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        bool has = al_stmt_int(st, 2) != 0;
        towns_total++;
        towns_with += has;
        json_array_append_new(towns, json_pack("{s:s, s:s, s:b, s:i, s:i, s:i, s:i}", "code",
            al_stmt_text(st, 0), "name", al_stmt_text(st, 1), "canteen", has, "urban_total", 0,
            "urban_served", 0, "rural_total", 0, "rural_served", 0));
    }
    if (rc != AL_OK)
        return rc;
    int64_t n[2] = {0}, served[2] = {0}; /* [0] rural, [1] urban */
    st = al_db_sql(db, areas_sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        const char *code = al_stmt_text(st, 0);
        int urban = meal_area_urban(code, al_stmt_text(st, 1));
        bool is = al_stmt_int(st, 2) != 0;
        n[urban]++;
        served[urban] += is;
        size_t i;
        json_t *t;
        json_array_foreach(towns, i, t)
        {
            if (strncmp(json_string_value(json_object_get(t, "code")), code, 9))
                continue;
            const char *tk = urban ? "urban_total" : "rural_total";
            const char *sk = urban ? "urban_served" : "rural_served";
            json_object_set_new(t, tk, json_integer(json_integer_value(json_object_get(t, tk)) + 1));
            json_object_set_new(t, sk,
                json_integer(json_integer_value(json_object_get(t, sk)) + is));
        }
    }
    if (rc != AL_OK)
        return rc;
    (void)a;
    *out = json_pack("{s:s, s:{s:I, s:I}, s:{s:I, s:I}, s:{s:I, s:I}, s:o}", "scope", scope,
        "urban", "total", (json_int_t)n[1], "served", (json_int_t)served[1], "rural", "total",
        (json_int_t)n[0], "served", (json_int_t)served[0], "townships", "total",
        (json_int_t)towns_total, "with_canteen", (json_int_t)towns_with, "by_township", towns);
    return AL_OK;
}

int
meal_store_monthly(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    json_t *items)
{
    static const char sql[] =
        "SELECT month, count(*), sum(CASE WHEN subsidy_fen > 0 THEN 1 ELSE 0 END),"
        " sum(subsidy_fen), count(DISTINCT elder_id) FROM meal_records"
        " WHERE canteen_region >= ?1 AND canteen_region < ?2 GROUP BY month ORDER BY month";
    static const struct al_col cols[] = {AL_COL(0, "month", AL_COL_TEXT),
        AL_COL(1, "meals", AL_COL_INT), AL_COL(2, "subsidised_meals", AL_COL_INT),
        AL_COL(3, "subsidy_fen", AL_COL_INT), AL_COL(4, "diners", AL_COL_INT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
meal_store_diners_per_canteen(struct al_db *db, struct al_arena *a, const char *lo,
    const char *hi, const char *month, json_t *items)
{
    static const char sql[] =
        "SELECT c.id, c.name, c.region_code, count(DISTINCT m.elder_id), count(m.id),"
        " coalesce(sum(CASE WHEN m.subsidy_fen > 0 THEN 1 ELSE 0 END), 0)"
        " FROM meal_canteens c LEFT JOIN meal_records m ON m.canteen_id = c.id AND m.month = ?3"
        " WHERE c.region_code >= ?1 AND c.region_code < ?2"
        " GROUP BY c.id, c.name, c.region_code ORDER BY c.region_code, c.id";
    static const struct al_col cols[] = {AL_COL(0, "canteen_id", AL_COL_INT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "region_code", AL_COL_TEXT),
        AL_COL(3, "diners", AL_COL_INT), AL_COL(4, "meals", AL_COL_INT),
        AL_COL(5, "subsidised_meals", AL_COL_INT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_T(month));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

/* RULE-MEAL-040: dead, moved out or cancelled on or before `date`. */
static bool
status_stopped(const struct meal_diner *d, const char *date)
{
    if (!strcmp(d->e.status, "active"))
        return false;
    return !d->e.status_date || strcmp(date, d->e.status_date) >= 0;
}

/*
 * RULE-MEAL-072: the diner's tags with the service-list items the rules ask for and the diner
 * is entitled to on `date` (entitle_elder_item, the answer of the elder's entitlements page)
 * added as "item:<key>".  An item the elder's county list lacks is not held.
 */
static int
item_tags(struct al_db *db, struct al_arena *a, const struct meal_diner *d, const char *date,
    const struct meal_rule *rules, int n, const char **tags)
{
    *tags = d->tags;
    for (int i = 0; i < n; i++) {
        for (const char *p = rules[i].tags; p && *p;) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            const char *tag = al_arena_strndup(a, p, len);
            p = end ? end + 1 : NULL;
            if (strncmp(tag, MEAL_ITEM_TAG, strlen(MEAL_ITEM_TAG)) != 0 ||
                meal_tags_meet(tag, *tags))
                continue;
            struct entitle_verdict v;
            int rc = entitle_elder_item(db, a, d->e.id, d->e.region_code,
                tag + strlen(MEAL_ITEM_TAG), date, &v);
            if (rc != AL_OK && rc != AL_EUNPROC)
                return rc;
            if (rc == AL_OK && v.eligible == 1)
                *tags = **tags ? al_arena_printf(a, "%s,%s", *tags, tag) : tag;
        }
    }
    return AL_OK;
}

int
meal_store_decide(struct al_db *db, struct al_arena *a, const struct meal_canteen *c,
    const struct meal_diner *d, const char *date, int meal, int64_t price_fen,
    struct meal_decision *out, int64_t *rule_id, const char **rule_tags)
{
    struct meal_rule *rules = NULL;
    int n = 0;
    int64_t cap = 1, today_n = 0;
    bool taken = false;
    int rc = meal_store_rules_for(db, a, d->e.region_code, date, meal, &rules, &n);
    if (rc == AL_OK)
        rc = meal_store_cap_for(db, d->e.region_code, &cap);
    if (rc == AL_OK)
        rc = meal_store_day(db, d->e.id, date, meal_names[meal], &today_n, &taken);
    const char *tags = d->tags;
    if (rc == AL_OK)
        rc = item_tags(db, a, d, date, rules, n, &tags);
    if (rc != AL_OK)
        return rc;
    int k = meal_rule_pick(rules, n, meal, tags);
    struct meal_decide_in in = {.price_fen = price_fen,
        .licence_ok = strcmp(meal_licence_state(c->licence_expiry, date), "expired") != 0,
        .status_stopped = status_stopped(d, date), .window_taken = taken,
        .subsidised_today = today_n, .daily_cap = cap, .rule = k >= 0 ? &rules[k] : NULL};
    meal_decide(&in, out);
    *rule_id = out->subsidy_fen > 0 ? rules[k].id : 0;
    *rule_tags = out->subsidy_fen > 0 ? rules[k].tags : "";
    return AL_OK;
}

int
meal_store_map(struct al_db *db, struct al_arena *a, const char *lo, const char *hi,
    json_t **out)
{
    /*
     * RULE-MEAL-053: the canteens of the scope at their coordinates, and each area they serve
     * at the mean coordinates of its registered elders (the division table has no coordinates).
     */
    static const char canteens_sql[] =
        "SELECT id, name, kind, lat, lng, delivery_radius_m, licence_expiry FROM meal_canteens"
        " WHERE region_code >= ?1 AND region_code < ?2 AND status = 'open' ORDER BY id";
    static const char areas_sql[] =
        "SELECT x.canteen_id, x.region_code, g.name, avg(e.lat), avg(e.lng), count(e.id)"
        " FROM meal_canteen_areas x JOIN meal_canteens c ON c.id = x.canteen_id"
        " LEFT JOIN regions g ON g.code = x.region_code"
        " LEFT JOIN elders e ON e.region_code = x.region_code AND e.lat IS NOT NULL"
        "  AND e.status = 'active'"
        " WHERE c.region_code >= ?1 AND c.region_code < ?2 AND c.status = 'open'"
        " GROUP BY x.canteen_id, x.region_code, g.name ORDER BY x.canteen_id, x.region_code";
    static const struct al_col ccols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "kind", AL_COL_TEXT),
        AL_COL(3, "lat", AL_COL_DOUBLE), AL_COL(4, "lng", AL_COL_DOUBLE),
        AL_COL(5, "delivery_radius_m", AL_COL_INT), AL_COL(6, "licence_expiry", AL_COL_TEXT),
        AL_COL_END};
    static const struct al_col acols[] = {AL_COL(0, "canteen_id", AL_COL_INT),
        AL_COL(1, "code", AL_COL_TEXT), AL_COL(2, "name", AL_COL_TEXT),
        AL_COL(3, "lat", AL_COL_DOUBLE), AL_COL(4, "lng", AL_COL_DOUBLE),
        AL_COL(5, "elders", AL_COL_INT), AL_COL_END};
    json_t *canteens = json_array(), *areas = json_array();
    struct al_stmt *st = al_db_sql(db, canteens_sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    int rc = al_db_rows(st, a, &(struct al_rows){.cols = ccols}, canteens);
    if (rc == AL_OK) {
        st = al_db_sql(db, areas_sql);
        al_stmt_binds(st, AL_T(lo), AL_T(hi));
        rc = al_db_rows(st, a, &(struct al_rows){.cols = acols}, areas);
    }
    if (rc == AL_OK)
        *out = json_pack("{s:o, s:o}", "canteens", canteens, "areas", areas);
    return rc;
}

int
meal_store_canteen_lock(struct al_db *db, int64_t canteen_id, bool exclusive)
{
    /*
     * RULE-MEAL-065: a meal being recorded holds the canteen's row shared, an approval holds it
     * exclusively, so an approval waits for the meals in flight and a meal recorded after it
     * sees the locked month.  PostgreSQL row locks; on SQLite the write transaction (BEGIN
     * IMMEDIATE) already excludes every other writer, so there is nothing to take.
     */
    static const char sql_share[] = "SELECT id FROM meal_canteens WHERE id = ? FOR SHARE";
    static const char sql_excl[] = "SELECT id FROM meal_canteens WHERE id = ? FOR UPDATE";
    if (!al_db_is_pg(db))
        return AL_OK;
    struct al_stmt *st = al_db_sql(db, exclusive ? sql_excl : sql_share);
    al_stmt_bind_int(st, 1, canteen_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK)
        al_stmt_reset(st);
    return rc;
}

/* ---- family delivery orders (RULE-MEAL-060..064) ---- */

int
meal_store_delivery_canteens(struct al_db *db, struct al_arena *a, json_t *items)
{
    static const char sql[] =
        "SELECT id, name, address, lat, lng, delivery_radius_m, windows, licence_expiry, kind"
        " FROM meal_canteens WHERE status = 'open' AND lat IS NOT NULL AND lng IS NOT NULL"
        " AND delivery_radius_m > 0 ORDER BY id";
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "address", AL_COL_TEXT),
        AL_COL(3, "lat", AL_COL_DOUBLE), AL_COL(4, "lng", AL_COL_DOUBLE),
        AL_COL(5, "delivery_radius_m", AL_COL_INT), AL_COL(6, "windows", AL_COL_JSON),
        AL_COL(7, "licence_expiry", AL_COL_TEXT), AL_COL(8, "kind", AL_COL_TEXT), AL_COL_END};
    return al_db_rows(al_db_sql(db, sql), a, &(struct al_rows){.cols = cols}, items);
}

int
meal_store_order_add(struct al_db *db, const struct meal_order *o, int64_t now, int64_t *id)
{
    static const char sql_dup[] =
        "SELECT count(*) FROM meal_orders WHERE elder_id = ? AND served_date = ? AND meal = ?"
        " AND status = 'ordered'";
    static const char sql[] =
        "INSERT INTO meal_orders(elder_id, region_code, canteen_id, menu_id, served_date, meal,"
        " address, note, price_fen, subsidy_fen, cutoff_at, ordered_by, ordered_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id";
    int64_t n = 0;
    struct al_stmt *st = al_db_sql(db, sql_dup);
    al_stmt_binds(st, AL_I(o->elder_id), AL_T(o->served_date), AL_T(o->meal));
    int rc = al_stmt_int64(st, &n);
    if (rc != AL_OK)
        return rc;
    if (n > 0) /* looked first: PostgreSQL would abort the transaction on the index */
        return AL_ECONFLICT;
    st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(o->elder_id), AL_T(o->region_code), AL_I(o->canteen_id),
        AL_I(o->menu_id), AL_T(o->served_date), AL_T(o->meal), AL_T(o->address),
        AL_T(o->note ? o->note : ""), AL_I(o->price_fen), AL_I(o->subsidy_fen),
        AL_I(o->cutoff_at), AL_I(o->ordered_by), AL_I(now));
    return al_stmt_int64(st, id);
}

int
meal_store_order(struct al_db *db, struct al_arena *a, int64_t id, struct meal_order *out)
{
    static const char sql[] =
        "SELECT id, version, elder_id, canteen_id, menu_id, price_fen, subsidy_fen, cutoff_at,"
        " ordered_by, region_code, served_date, meal, address, note, status"
        " FROM meal_orders WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    *out = (struct meal_order){.id = al_stmt_int(st, 0), .version = al_stmt_int(st, 1),
        .elder_id = al_stmt_int(st, 2), .canteen_id = al_stmt_int(st, 3),
        .menu_id = al_stmt_int(st, 4), .price_fen = al_stmt_int(st, 5),
        .subsidy_fen = al_stmt_int(st, 6), .cutoff_at = al_stmt_int(st, 7),
        .ordered_by = al_stmt_int(st, 8), .region_code = al_stmt_dup(a, st, 9),
        .served_date = al_stmt_dup(a, st, 10), .meal = al_stmt_dup(a, st, 11),
        .address = al_stmt_dup(a, st, 12), .note = al_stmt_dup(a, st, 13),
        .status = al_stmt_dup(a, st, 14)};
    al_stmt_reset(st);
    return AL_OK;
}

int
meal_store_order_cancel(struct al_db *db, int64_t id, int64_t version, int64_t by, int64_t now)
{
    static const char sql[] =
        "UPDATE meal_orders SET status = 'cancelled', cancelled_by = ?, cancelled_at = ?,"
        " version = version + 1 WHERE id = ? AND version = ? AND status = 'ordered'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(by), AL_I(now), AL_I(id), AL_I(version));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) != 1)
        rc = AL_ECONFLICT;
    return rc;
}

#define ORDER_COLS                                                                             \
    "o.id, o.version, o.elder_id, o.canteen_id, c.name, o.menu_id, m.name, o.served_date,"     \
    " o.meal, o.address, o.note, o.price_fen, o.subsidy_fen, o.cutoff_at, o.status"

static const struct al_col order_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "version", AL_COL_INT), AL_COL(2, "elder_id", AL_COL_INT),
    AL_COL(3, "canteen_id", AL_COL_INT), AL_COL(4, "canteen_name", AL_COL_TEXT),
    AL_COL(5, "menu_id", AL_COL_INT), AL_COL(6, "menu_name", AL_COL_TEXT),
    AL_COL(7, "date", AL_COL_TEXT), AL_COL(8, "meal", AL_COL_TEXT),
    AL_COL(9, "address", AL_COL_TEXT), AL_COL(10, "note", AL_COL_TEXT),
    AL_COL(11, "price_fen", AL_COL_INT), AL_COL(12, "subsidy_fen", AL_COL_INT),
    AL_COL(13, "cutoff_at", AL_COL_TIME), AL_COL(14, "status", AL_COL_TEXT),
    AL_COL(15, "elder_name", AL_COL_TEXT), AL_COLF(16, "phone_masked", al_col_phone_masked),
    AL_COL_END};

int
meal_store_orders_of(struct al_db *db, struct al_arena *a, int64_t elder_id, const char *from,
    json_t *items)
{
    static const char sql[] =
        "SELECT " ORDER_COLS ", e.name, e.phone FROM meal_orders o"
        " JOIN meal_canteens c ON c.id = o.canteen_id JOIN meal_menus m ON m.id = o.menu_id"
        " JOIN elders e ON e.id = o.elder_id"
        " WHERE o.elder_id = ? AND o.served_date >= ? ORDER BY o.served_date, o.id LIMIT 100";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(from));
    return al_db_rows(st, a, &(struct al_rows){.cols = order_cols}, items);
}

int
meal_store_deliveries(struct al_db *db, struct al_arena *a, int64_t canteen_id, const char *date,
    json_t *items)
{
    static const char sql[] =
        "SELECT " ORDER_COLS ", e.name, e.phone FROM meal_orders o"
        " JOIN meal_canteens c ON c.id = o.canteen_id JOIN meal_menus m ON m.id = o.menu_id"
        " JOIN elders e ON e.id = o.elder_id"
        " WHERE o.canteen_id = ? AND o.served_date = ? AND o.status = 'ordered'"
        " ORDER BY CASE o.meal WHEN 'breakfast' THEN 0 WHEN 'lunch' THEN 1 ELSE 2 END, o.id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(canteen_id), AL_T(date));
    return al_db_rows(st, a, &(struct al_rows){.cols = order_cols}, items);
}
