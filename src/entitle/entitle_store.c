/* The entitle module's SQL (one text for SQLite and PostgreSQL). */
#include <stdio.h>
#include <string.h>

#include "core/dbq.h"
#include "core/json.h"
#include "entitle/entitle_int.h"

/* Item columns as read (RULE-DB-041: a column table, not a run of json_object_set_new). */
#define NCOLS 29
static const struct al_col item_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "change_id", AL_COL_INT), AL_COL(2, "region_code", AL_COL_TEXT),
    AL_COL(3, "item_key", AL_COL_TEXT), AL_COL(4, "kind", AL_COL_TEXT),
    AL_COL(5, "category", AL_COL_TEXT), AL_COL(6, "name", AL_COL_TEXT),
    AL_COL(7, "target_group", AL_COL_TEXT), AL_COL(8, "content", AL_COL_TEXT),
    AL_COL(9, "standard_kind", AL_COL_TEXT), AL_COL(10, "amount_fen", AL_COL_INT),
    AL_COL(11, "times", AL_COL_INT), AL_COL(12, "period", AL_COL_TEXT),
    AL_COL(13, "standard_text", AL_COL_TEXT), AL_COL(14, "provider_type", AL_COL_TEXT),
    AL_COL(15, "fund_national_pct", AL_COL_INT), AL_COL(16, "fund_province_pct", AL_COL_INT),
    AL_COL(17, "fund_city_pct", AL_COL_INT), AL_COL(18, "fund_county_pct", AL_COL_INT),
    AL_COL(19, "legal_doc", AL_COL_TEXT), AL_COL(20, "legal_article", AL_COL_TEXT),
    AL_COL(21, "effective_from", AL_COL_TEXT), AL_COL(22, "effective_until", AL_COL_TEXT),
    AL_COL(23, "status", AL_COL_TEXT), AL_COL(24, "checked_by", AL_COL_TEXT),
    AL_COL(25, "checked_at", AL_COL_INT), AL_COL(26, "rule_text", AL_COL_TEXT),
    AL_COL(27, "rule_version", AL_COL_INT), AL_COL(28, "rule_checked", AL_COL_BOOL), AL_COL_END};
/* An entry of a merged list: the item and its change's list version and date. */
static const struct al_col entry_cols[] = {AL_COL(NCOLS, "list_version", AL_COL_INT),
    AL_COL(NCOLS + 1, "change_effective_from", AL_COL_TEXT), AL_COL_END};
#define ITEM_COLS                                                                              \
    "i.id, i.change_id, i.region_code, i.item_key, i.kind, i.category, i.name,"                \
    " i.target_group, i.content, i.standard_kind, i.amount_fen, i.times, i.period,"            \
    " i.standard_text, i.provider_type, i.fund_national_pct, i.fund_province_pct,"             \
    " i.fund_city_pct, i.fund_county_pct, i.legal_doc, i.legal_article, i.effective_from,"     \
    " i.effective_until, i.status, i.checked_by, i.checked_at, i.rule_text, i.rule_version,"   \
    " i.rule_checked"

/*
 * Every row of `st` appended to `out` through column table `cols`.  The tables of this file use
 * no kind that needs an arena (times are integers here, no masking), so none is given.
 */
static int
rows(struct al_stmt *st, const struct al_col *cols, json_t *out)
{
    return al_db_rows(st, NULL, &(struct al_rows){.cols = cols}, out);
}

static json_t *
entry_row(const struct al_row_ctx *c, struct al_stmt *st)
{
    return al_row_into(al_row_json(c, st, item_cols), c, st, entry_cols);
}

static void
bind_chain(struct al_stmt *st, char chain[][13], int n)
{
    for (int i = 0; i < ENT_LEVELS; i++)
        al_stmt_bind_text(st, i + 1, i < n ? chain[i] : NULL);
}

int
entitle_store_entries(struct al_db *db, char chain[][13], int n, const char *date, int64_t upto,
    json_t *out)
{
    static const char sql[] =
        "SELECT " ITEM_COLS ", c.list_version, c.effective_from"
        " FROM entitle_items i JOIN entitle_changes c ON c.id = i.change_id"
        " WHERE c.status = 'approved' AND c.region_code IN (?1, ?2, ?3, ?4)"
        " AND (CAST(?5 AS TEXT) IS NULL OR c.effective_from <= ?5)"
        " AND (?7 = 0 OR c.region_code <> ?6 OR c.list_version <= ?7)"
        " ORDER BY length(c.region_code), c.list_version, i.id";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_chain(st, chain, n);
    al_stmt_bind_text(st, 5, date);
    al_stmt_bind_text(st, 6, chain[n - 1]);
    al_stmt_bind_int(st, 7, upto);
    return al_db_rows(st, NULL, &(struct al_rows){.row = entry_row}, out);
}

#define CHANGE_COLS                                                                            \
    "c.id, c.region_code, c.status, c.list_version, c.note, c.effective_from, c.created_by,"  \
    " c.created_at, c.submitted_by, c.submitted_at, c.decided_by, c.decided_at,"              \
    " c.return_reason, c.version,"                                                             \
    " CASE WHEN c.region_code = '' THEN '全国' ELSE g.name END,"                                \
    " (SELECT count(*) FROM entitle_items i WHERE i.change_id = c.id)"
#define CHANGE_FROM " FROM entitle_changes c LEFT JOIN regions g ON g.code = c.region_code"

static const struct al_col change_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "status", AL_COL_TEXT),
    AL_COL(3, "list_version", AL_COL_INT), AL_COL(4, "note", AL_COL_TEXT),
    AL_COL(5, "effective_from", AL_COL_TEXT), AL_COL(6, "created_by", AL_COL_TEXT),
    AL_COL(7, "created_at", AL_COL_INT), AL_COL(8, "submitted_by", AL_COL_TEXT),
    AL_COL(9, "submitted_at", AL_COL_INT), AL_COL(10, "decided_by", AL_COL_TEXT),
    AL_COL(11, "decided_at", AL_COL_INT), AL_COL(12, "return_reason", AL_COL_TEXT),
    AL_COL(13, "version", AL_COL_INT), AL_COL(14, "region_name", AL_COL_TEXT),
    AL_COL(15, "item_count", AL_COL_INT), AL_COL_END};

int
entitle_store_change(struct al_db *db, struct al_arena *a, int64_t id, struct entitle_change *c)
{
    static const char sql[] = "SELECT id, region_code, status, coalesce(list_version, 0),"
                              " version, effective_from FROM entitle_changes WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        c->id = al_stmt_int(st, 0);
        c->region_code = al_stmt_dup(a, st, 1);
        c->status = al_stmt_dup(a, st, 2);
        c->list_version = al_stmt_int(st, 3);
        c->version = al_stmt_int(st, 4);
        c->effective_from = al_stmt_dup(a, st, 5);
        al_stmt_reset(st);
    }
    return rc;
}

int
entitle_store_change_json(struct al_db *db, int64_t id, json_t **out)
{
    static const char sql[] = "SELECT " CHANGE_COLS CHANGE_FROM " WHERE c.id = ?";
    static const char sql_items[] =
        "SELECT " ITEM_COLS " FROM entitle_items i WHERE i.change_id = ? ORDER BY i.id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    json_t *o = al_row_json(&(struct al_row_ctx){0}, st, change_cols);
    al_stmt_reset(st);
    json_t *items = json_array();
    json_object_set_new(o, "items", items);
    st = al_db_sql(db, sql_items);
    al_stmt_bind_int(st, 1, id);
    if ((rc = rows(st, item_cols, items)) != AL_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return AL_OK;
}

int
entitle_store_changes(struct al_db *db, const char *const *regions, int n, const char *status,
    json_t *items)
{
    static const char sql[] =
        "SELECT " CHANGE_COLS CHANGE_FROM
        " WHERE c.region_code IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " AND (CAST(?9 AS TEXT) IS NULL OR c.status = ?9) ORDER BY c.id DESC LIMIT 500";
    struct al_stmt *st = al_db_sql(db, sql);
    for (int i = 0; i < 8; i++)
        al_stmt_bind_text(st, i + 1, i < n ? regions[i] : NULL);
    al_stmt_bind_text(st, 9, status);
    return rows(st, change_cols, items);
}

static int
returning_id(struct al_stmt *st, int64_t *id)
{
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

int
entitle_store_change_new(struct al_db *db, const char *region, const char *note,
    const char *effective_from, const char *by, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO entitle_changes(region_code, note, effective_from, created_by, created_at)"
        " VALUES (?,?,?,?,?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_T(note ? note : ""), AL_T(effective_from), AL_T(by),
        AL_I(now));
    return returning_id(st, id);
}

int
entitle_store_change_move(struct al_db *db, int64_t id, int64_t version, const char *const *from,
    const char *to, const char *by, const char *reason, int64_t now)
{
    static const char sql[] =
        "UPDATE entitle_changes SET status = ?1,"
        " submitted_by = CASE WHEN ?1 = 'submitted' THEN ?2 ELSE submitted_by END,"
        " submitted_at = CASE WHEN ?1 = 'submitted' THEN ?3 ELSE submitted_at END,"
        " decided_by = CASE WHEN ?1 IN ('approved', 'returned') THEN ?2 ELSE decided_by END,"
        " decided_at = CASE WHEN ?1 IN ('approved', 'returned') THEN ?3 ELSE decided_at END,"
        " return_reason = CASE WHEN ?1 = 'returned' THEN ?4 ELSE return_reason END,"
        " list_version = CASE WHEN ?1 = 'approved' THEN (SELECT coalesce(max(o.list_version), 0)"
        "   + 1 FROM entitle_changes o WHERE o.region_code = entitle_changes.region_code)"
        "   ELSE list_version END,"
        " version = version + 1"
        " WHERE id = ?5 AND version = ?6 AND status IN (?7, ?8, ?9)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(to), AL_T(by), AL_I(now), AL_T(reason), AL_I(id), AL_I(version));
    int nf = 0;
    while (nf < 3 && from[nf])
        nf++;
    for (int i = 0; i < 3; i++)
        al_stmt_bind_text(st, 7 + i, i < nf ? from[i] : NULL);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
}

int
entitle_store_item_put(struct al_db *db, int64_t change_id, const char *region, const char *key,
    const json_t *item)
{
    static const char sql_del[] = "DELETE FROM entitle_items WHERE change_id = ? AND item_key = ?";
    static const char sql[] =
        "INSERT INTO entitle_items(change_id, region_code, item_key, kind, category, name,"
        " target_group, content, standard_kind, amount_fen, times, period, standard_text,"
        " provider_type, fund_national_pct, fund_province_pct, fund_city_pct, fund_county_pct,"
        " legal_doc, legal_article, effective_from, effective_until, status, rule_text,"
        " rule_version, rule_checked)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, coalesce(?13, ''), ?14, ?15,"
        " ?16, ?17, ?18, ?19, ?20, ?21, ?22, coalesce(?23, 'to_check'), coalesce(?24, ''),"
        " coalesce(?25, 1), coalesce(?26, 0))";
    static const char *cols[] = {"kind", "category", "name", "target_group", "content",
        "standard_kind", "amount_fen", "times", "period", "standard_text", "provider_type",
        "fund_national_pct", "fund_province_pct", "fund_city_pct", "fund_county_pct",
        "legal_doc", "legal_article", "effective_from", "effective_until", "status",
        "rule_text", "rule_version", "rule_checked"};
    struct al_stmt *st = al_db_sql(db, sql_del);
    al_stmt_binds(st, AL_I(change_id), AL_T(key));
    int rc = al_stmt_run(st);
    if (rc != AL_OK)
        return rc;
    st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, change_id);
    al_stmt_bind_text(st, 2, region);
    al_stmt_bind_text(st, 3, key);
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        json_t *v = json_object_get(item, cols[i]);
        if (!v || json_is_null(v))
            al_stmt_bind_null(st, (int)i + 4);
        else
            al_stmt_bind_jsonv(st, (int)i + 4, v);
    }
    return al_stmt_run(st);
}

int
entitle_store_item_del(struct al_db *db, int64_t change_id, const char *key)
{
    static const char sql[] = "DELETE FROM entitle_items WHERE change_id = ? AND item_key = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(change_id), AL_T(key));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ENOTFOUND;
    return rc;
}

int
entitle_store_item_count(struct al_db *db, int64_t change_id, int64_t *n)
{
    static const char sql[] = "SELECT count(*) FROM entitle_items WHERE change_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, change_id);
    return al_stmt_int64(st, n);
}

int
entitle_store_rule_last(struct al_db *db, struct al_arena *a, char chain[][13], int n,
    const char *key, int64_t *version, const char **text)
{
    static const char sql[] =
        "SELECT i.rule_version, i.rule_text FROM entitle_items i"
        " JOIN entitle_changes c ON c.id = i.change_id"
        " WHERE c.status = 'approved' AND i.kind = 'add' AND i.item_key = ?5"
        " AND c.region_code IN (?1, ?2, ?3, ?4)"
        " ORDER BY i.rule_version DESC, c.list_version DESC LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_chain(st, chain, n);
    al_stmt_bind_text(st, 5, key);
    int rc = al_stmt_one(st);
    *version = 0;
    *text = NULL;
    if (rc == AL_OK) {
        *version = al_stmt_int(st, 0);
        *text = al_stmt_dup(a, st, 1);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_OK : rc;
}

int
entitle_store_item_check(struct al_db *db, const char *region, const char *key, const char *by,
    int64_t now)
{
    static const char sql[] =
        "UPDATE entitle_items SET status = 'checked', checked_by = ?1, checked_at = ?2"
        " WHERE id = (SELECT i.id FROM entitle_items i JOIN entitle_changes c"
        "  ON c.id = i.change_id WHERE c.status = 'approved' AND c.region_code = ?3"
        "  AND i.item_key = ?4 AND i.kind = 'add' ORDER BY c.list_version DESC LIMIT 1)";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(by), AL_I(now), AL_T(region), AL_T(key));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ENOTFOUND;
    return rc;
}

int
entitle_store_versions(struct al_db *db, const char *region, json_t *items)
{
    static const char sql[] = "SELECT " CHANGE_COLS CHANGE_FROM
                              " WHERE c.region_code = ? AND c.status = 'approved'"
                              " ORDER BY c.list_version DESC";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, region);
    return rows(st, change_cols, items);
}

int
entitle_store_version_date(struct al_db *db, struct al_arena *a, const char *region,
    int64_t version, const char **date)
{
    static const char sql[] = "SELECT effective_from FROM entitle_changes"
                              " WHERE region_code = ? AND list_version = ? AND status = 'approved'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_I(version));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *date = al_stmt_dup(a, st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

static const struct al_col param_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "name", AL_COL_TEXT),
    AL_COL(3, "value", AL_COL_INT), AL_COL(4, "unit", AL_COL_TEXT),
    AL_COL(5, "valid_from", AL_COL_TEXT), AL_COL(6, "legal_ref", AL_COL_TEXT),
    AL_COL(7, "created_by", AL_COL_TEXT), AL_COL(8, "created_at", AL_COL_INT), AL_COL_END};

int
entitle_store_params(struct al_db *db, char chain[][13], int n, json_t *out)
{
    static const char sql[] =
        "SELECT id, region_code, name, value, unit, valid_from, legal_ref, created_by, created_at"
        " FROM entitle_params WHERE region_code IN (?1, ?2, ?3, ?4)"
        " ORDER BY name, length(region_code), valid_from";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_chain(st, chain, n);
    return rows(st, param_cols, out);
}

int
entitle_store_param_add(struct al_db *db, const char *region, const char *name, int64_t value,
    const char *unit, const char *valid_from, const char *legal_ref, const char *by, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO entitle_params(region_code, name, value, unit, valid_from, legal_ref,"
        " created_by, created_at) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT (region_code, name, valid_from) DO NOTHING RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_T(name), AL_I(value), AL_T(unit ? unit : ""),
        AL_T(valid_from), AL_T(legal_ref ? legal_ref : ""), AL_T(by), AL_I(now));
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_ECONFLICT : rc;
}

static const struct al_col exclusion_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "item_a", AL_COL_TEXT),
    AL_COL(3, "item_b", AL_COL_TEXT), AL_COL(4, "reason", AL_COL_TEXT),
    AL_COL(5, "legal_ref", AL_COL_TEXT), AL_COL(6, "created_by", AL_COL_TEXT), AL_COL_END};

int
entitle_store_exclusions(struct al_db *db, char chain[][13], int n, json_t *out)
{
    static const char sql[] =
        "SELECT id, region_code, item_a, item_b, reason, legal_ref, created_by"
        " FROM entitle_exclusions WHERE region_code IN (?1, ?2, ?3, ?4)"
        " ORDER BY length(region_code), id";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_chain(st, chain, n);
    return rows(st, exclusion_cols, out);
}

int
entitle_store_exclusion_add(struct al_db *db, const char *region, const char *a_key,
    const char *b_key, const char *reason, const char *legal_ref, const char *by, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO entitle_exclusions(region_code, item_a, item_b, reason, legal_ref,"
        " created_by, created_at) VALUES (?,?,?,?,?,?,?)"
        " ON CONFLICT (region_code, item_a, item_b) DO NOTHING RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_T(a_key), AL_T(b_key), AL_T(reason ? reason : ""),
        AL_T(legal_ref ? legal_ref : ""), AL_T(by), AL_I(now));
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_ECONFLICT : rc;
}

int
entitle_store_exclusion_region(struct al_db *db, struct al_arena *a, int64_t id,
    const char **region)
{
    static const char sql[] = "SELECT region_code FROM entitle_exclusions WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *region = al_stmt_dup(a, st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

int
entitle_store_exclusion_del(struct al_db *db, int64_t id)
{
    static const char sql[] = "DELETE FROM entitle_exclusions WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    return al_stmt_run(st);
}

/* The facts were checked as an object when saved (RULE-ENT-043). */
static const struct al_col example_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "region_code", AL_COL_TEXT), AL_COL(2, "item_key", AL_COL_TEXT),
    AL_COL(3, "label", AL_COL_TEXT), AL_COL(4, "facts", AL_COL_JSON),
    AL_COL(5, "on_date", AL_COL_TEXT), AL_COL(6, "expected", AL_COL_BOOL), AL_COL_END};

int
entitle_store_examples(struct al_db *db, char chain[][13], int n, const char *key, json_t *out)
{
    static const char sql[] =
        "SELECT id, region_code, item_key, label, facts, on_date, expected FROM entitle_examples"
        " WHERE region_code IN (?1, ?2, ?3, ?4) AND item_key = ?5"
        " ORDER BY length(region_code), id";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_chain(st, chain, n);
    al_stmt_bind_text(st, 5, key);
    return rows(st, example_cols, out);
}

int
entitle_store_example_add(struct al_db *db, const char *region, const char *key,
    const char *label, const char *facts, const char *on_date, int expected, const char *by,
    int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO entitle_examples(region_code, item_key, label, facts, on_date, expected,"
        " created_by, created_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_T(key), AL_T(label), AL_T(facts), AL_T(on_date),
        AL_I(expected), AL_T(by), AL_I(now));
    return returning_id(st, id);
}

static const struct al_col benefit_cols[] = {AL_COL(0, "id", AL_COL_INT),
    AL_COL(1, "elder_id", AL_COL_INT), AL_COL(2, "region_code", AL_COL_TEXT),
    AL_COL(3, "item_key", AL_COL_TEXT), AL_COL(4, "from_date", AL_COL_TEXT),
    AL_COL(5, "until_date", AL_COL_TEXT), AL_COL(6, "source", AL_COL_TEXT),
    AL_COL(7, "note", AL_COL_TEXT), AL_COL(8, "created_by", AL_COL_TEXT),
    AL_COL(9, "ended_by", AL_COL_TEXT), AL_COL_END};

int
entitle_store_benefits(struct al_db *db, int64_t elder_id, json_t *out)
{
    static const char sql[] =
        "SELECT id, elder_id, region_code, item_key, from_date, until_date, source, note,"
        " created_by, ended_by FROM entitle_benefits WHERE elder_id = ? ORDER BY id DESC";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, elder_id);
    return rows(st, benefit_cols, out);
}

int
entitle_store_benefit_add(struct al_db *db, int64_t elder_id, const char *region, const char *key,
    const char *from, const char *until, const char *source, const char *note, const char *by,
    int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO entitle_benefits(elder_id, region_code, item_key, from_date, until_date,"
        " source, note, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(region), AL_T(key), AL_T(from), AL_T(until),
        AL_T(source), AL_T(note ? note : ""), AL_T(by), AL_I(now));
    return returning_id(st, id);
}

int
entitle_store_benefit(struct al_db *db, struct al_arena *a, int64_t id, struct entitle_benefit *b)
{
    static const char sql[] = "SELECT id, elder_id, region_code, item_key, from_date, until_date,"
                              " ended_by FROM entitle_benefits WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        b->id = al_stmt_int(st, 0);
        b->elder_id = al_stmt_int(st, 1);
        b->region_code = al_stmt_dup(a, st, 2);
        b->item_key = al_stmt_dup(a, st, 3);
        b->from_date = al_stmt_dup(a, st, 4);
        b->until_date = al_stmt_dup(a, st, 5);
        b->ended_by = al_stmt_dup(a, st, 6);
        al_stmt_reset(st);
    }
    return rc;
}

int
entitle_store_benefit_end(struct al_db *db, int64_t id, const char *until, const char *by,
    int64_t now)
{
    static const char sql[] =
        "UPDATE entitle_benefits SET until_date = ?1, ended_by = ?2, ended_at = ?3"
        " WHERE id = ?4 AND ended_by IS NULL";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(until), AL_T(by), AL_I(now), AL_I(id));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
}

int
entitle_store_benefit_imported(struct al_db *db, struct al_arena *a, int64_t elder_id,
    const char *key, const char *from, int64_t *id, const char **until)
{
    static const char sql[] =
        "SELECT id, until_date FROM entitle_benefits WHERE elder_id = ? AND item_key = ?"
        " AND from_date = ? AND source = 'import' ORDER BY id LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(key), AL_T(from));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        *until = al_stmt_dup(a, st, 1);
        al_stmt_reset(st);
    }
    return rc;
}

int
entitle_store_benefit_until(struct al_db *db, int64_t id, const char *until)
{
    static const char sql[] = "UPDATE entitle_benefits SET until_date = ? WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(until), AL_I(id));
    return al_stmt_run(st);
}

int
entitle_store_queue(struct al_db *db, const char *scope, json_t *items)
{
    static const char sql[] =
        "SELECT " CHANGE_COLS CHANGE_FROM
        " WHERE c.status = 'submitted' AND ((c.region_code >= ?1 AND c.region_code < ?2"
        "  AND length(c.region_code) = ?3) OR (?3 = 2 AND c.region_code = ''))"
        " ORDER BY c.submitted_at, c.id";
    size_t len = strlen(scope);
    char hi[16];
    snprintf(hi, sizeof(hi), "%s~", scope); /* '~' sorts after every digit */
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(scope), AL_T(hi), AL_I((int64_t)len + 2));
    return rows(st, change_cols, items);
}

/* Column 0 of every row as a string of `out` (a list of codes or keys, not objects). */
static int
texts(struct al_stmt *st, json_t *out)
{
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(out, json_string(al_stmt_text(st, 0)));
    return rc;
}

/* RULE-ENT-045 */
int
entitle_store_list_regions(struct al_db *db, const char *prefix, json_t *out)
{
    /* Shortest first: an upper list is checked before the lists that inherit from it. */
    static const char sql[] =
        "SELECT DISTINCT region_code, length(region_code) FROM entitle_changes"
        " WHERE status = 'approved' AND region_code LIKE ?1"
        " ORDER BY length(region_code), region_code";
    struct al_stmt *st = al_db_sql(db, sql);
    char like[16];
    snprintf(like, sizeof(like), "%.12s%%", prefix);
    al_stmt_bind_text(st, 1, like);
    return texts(st, out);
}

/* RULE-ENT-050 */
int
entitle_store_receiving(struct al_db *db, int64_t elder_id, const char *date, json_t *out)
{
    static const char sql[] =
        "SELECT DISTINCT item_key FROM entitle_benefits"
        " WHERE elder_id = ?1 AND from_date <= ?2 AND (until_date IS NULL OR until_date >= ?2)"
        " ORDER BY item_key";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(elder_id), AL_T(date));
    return texts(st, out);
}
