/* The entitle module's SQL (one text for SQLite and PostgreSQL). */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "entitle/entitle_int.h"

/* Item columns as read, with whether each is an integer. */
static const struct {
    const char *name;
    bool integer;
} item_cols[] = {
    {"id", true}, {"change_id", true}, {"region_code", false}, {"item_key", false},
    {"kind", false}, {"category", false}, {"name", false}, {"target_group", false},
    {"content", false}, {"standard_kind", false}, {"amount_fen", true}, {"times", true},
    {"period", false}, {"standard_text", false}, {"provider_type", false},
    {"fund_national_pct", true}, {"fund_province_pct", true}, {"fund_city_pct", true},
    {"fund_county_pct", true}, {"legal_doc", false}, {"legal_article", false},
    {"effective_from", false}, {"effective_until", false}, {"status", false},
    {"checked_by", false}, {"checked_at", true}, {"rule_text", false}, {"rule_version", true},
    {"rule_checked", true},
};
#define NCOLS (sizeof(item_cols) / sizeof(item_cols[0]))
#define ITEM_COLS                                                                              \
    "i.id, i.change_id, i.region_code, i.item_key, i.kind, i.category, i.name,"                \
    " i.target_group, i.content, i.standard_kind, i.amount_fen, i.times, i.period,"            \
    " i.standard_text, i.provider_type, i.fund_national_pct, i.fund_province_pct,"             \
    " i.fund_city_pct, i.fund_county_pct, i.legal_doc, i.legal_article, i.effective_from,"     \
    " i.effective_until, i.status, i.checked_by, i.checked_at, i.rule_text, i.rule_version,"   \
    " i.rule_checked"

/* Columns from `first` on as an object (NULL as null). */
static json_t *
row_json(struct al_stmt *st)
{
    json_t *o = json_object();
    for (size_t i = 0; i < NCOLS; i++) {
        json_t *v;
        if (al_stmt_null(st, (int)i))
            v = json_null();
        else if (item_cols[i].integer)
            v = json_integer(al_stmt_int(st, (int)i));
        else
            v = json_string(al_stmt_text(st, (int)i));
        json_object_set_new(o, item_cols[i].name, v);
    }
    json_object_set_new(o, "rule_checked", json_boolean(al_stmt_int(st, NCOLS - 1)));
    return o;
}

static int
loop(struct al_stmt *st, json_t *out, json_t *(*make)(struct al_stmt *))
{
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_array_append_new(out, make(st));
    return rc;
}

static void
bind_chain(struct al_stmt *st, char chain[][13], int n)
{
    for (int i = 0; i < ENT_LEVELS; i++)
        al_stmt_bind_text(st, i + 1, i < n ? chain[i] : NULL);
}

static json_t *
entry_json(struct al_stmt *st)
{
    json_t *o = row_json(st);
    json_object_set_new(o, "list_version", json_integer(al_stmt_int(st, NCOLS)));
    json_object_set_new(o, "change_effective_from", json_string(al_stmt_text(st, NCOLS + 1)));
    return o;
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
    return loop(st, out, entry_json);
}

#define CHANGE_COLS                                                                            \
    "c.id, c.region_code, c.status, c.list_version, c.note, c.effective_from, c.created_by,"  \
    " c.created_at, c.submitted_by, c.submitted_at, c.decided_by, c.decided_at,"              \
    " c.return_reason, c.version,"                                                             \
    " CASE WHEN c.region_code = '' THEN '全国' ELSE g.name END,"                                \
    " (SELECT count(*) FROM entitle_items i WHERE i.change_id = c.id)"
#define CHANGE_FROM " FROM entitle_changes c LEFT JOIN regions g ON g.code = c.region_code"

static json_t *
change_json(struct al_stmt *st)
{
    static const char *names[] = {"id", "region_code", "status", "list_version", "note",
        "effective_from", "created_by", "created_at", "submitted_by", "submitted_at",
        "decided_by", "decided_at", "return_reason", "version", "region_name", "item_count"};
    static const bool ints[] = {1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    json_t *o = json_object();
    for (int i = 0; i < 16; i++) {
        json_t *v = al_stmt_null(st, i) ? json_null()
                    : ints[i]           ? json_integer(al_stmt_int(st, i))
                                        : json_string(al_stmt_text(st, i));
        json_object_set_new(o, names[i], v);
    }
    return o;
}

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
    json_t *o = change_json(st);
    al_stmt_reset(st);
    json_t *items = json_array();
    json_object_set_new(o, "items", items);
    st = al_db_sql(db, sql_items);
    al_stmt_bind_int(st, 1, id);
    if ((rc = loop(st, items, row_json)) != AL_OK) {
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
    return loop(st, items, change_json);
}

static int
returning_id(struct al_stmt *st, int64_t *id)
{
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
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
    al_stmt_bind_text(st, 1, region);
    al_stmt_bind_text(st, 2, note ? note : "");
    al_stmt_bind_text(st, 3, effective_from);
    al_stmt_bind_text(st, 4, by);
    al_stmt_bind_int(st, 5, now);
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
    al_stmt_bind_text(st, 1, to);
    al_stmt_bind_text(st, 2, by);
    al_stmt_bind_int(st, 3, now);
    al_stmt_bind_text(st, 4, reason);
    al_stmt_bind_int(st, 5, id);
    al_stmt_bind_int(st, 6, version);
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
    al_stmt_bind_int(st, 1, change_id);
    al_stmt_bind_text(st, 2, key);
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
    al_stmt_bind_int(st, 1, change_id);
    al_stmt_bind_text(st, 2, key);
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
    al_stmt_bind_text(st, 1, by);
    al_stmt_bind_int(st, 2, now);
    al_stmt_bind_text(st, 3, region);
    al_stmt_bind_text(st, 4, key);
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
    return loop(st, items, change_json);
}

int
entitle_store_version_date(struct al_db *db, struct al_arena *a, const char *region,
    int64_t version, const char **date)
{
    static const char sql[] = "SELECT effective_from FROM entitle_changes"
                              " WHERE region_code = ? AND list_version = ? AND status = 'approved'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, region);
    al_stmt_bind_int(st, 2, version);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *date = al_stmt_dup(a, st, 0);
        al_stmt_reset(st);
    }
    return rc;
}

static json_t *
param_json(struct al_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "id",
        (json_int_t)al_stmt_int(st, 0), "region_code", al_stmt_text(st, 1), "name",
        al_stmt_text(st, 2), "value", (json_int_t)al_stmt_int(st, 3), "unit",
        al_stmt_text(st, 4), "valid_from", al_stmt_text(st, 5), "legal_ref", al_stmt_text(st, 6),
        "created_by", al_stmt_text(st, 7), "created_at", (json_int_t)al_stmt_int(st, 8));
}

int
entitle_store_params(struct al_db *db, char chain[][13], int n, json_t *out)
{
    static const char sql[] =
        "SELECT id, region_code, name, value, unit, valid_from, legal_ref, created_by, created_at"
        " FROM entitle_params WHERE region_code IN (?1, ?2, ?3, ?4)"
        " ORDER BY name, length(region_code), valid_from";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_chain(st, chain, n);
    return loop(st, out, param_json);
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
    al_stmt_bind_text(st, 1, region);
    al_stmt_bind_text(st, 2, name);
    al_stmt_bind_int(st, 3, value);
    al_stmt_bind_text(st, 4, unit ? unit : "");
    al_stmt_bind_text(st, 5, valid_from);
    al_stmt_bind_text(st, 6, legal_ref ? legal_ref : "");
    al_stmt_bind_text(st, 7, by);
    al_stmt_bind_int(st, 8, now);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_ECONFLICT : rc;
}

static json_t *
exclusion_json(struct al_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)al_stmt_int(st, 0),
        "region_code", al_stmt_text(st, 1), "item_a", al_stmt_text(st, 2), "item_b",
        al_stmt_text(st, 3), "reason", al_stmt_text(st, 4), "legal_ref", al_stmt_text(st, 5),
        "created_by", al_stmt_text(st, 6));
}

int
entitle_store_exclusions(struct al_db *db, char chain[][13], int n, json_t *out)
{
    static const char sql[] =
        "SELECT id, region_code, item_a, item_b, reason, legal_ref, created_by"
        " FROM entitle_exclusions WHERE region_code IN (?1, ?2, ?3, ?4)"
        " ORDER BY length(region_code), id";
    struct al_stmt *st = al_db_sql(db, sql);
    bind_chain(st, chain, n);
    return loop(st, out, exclusion_json);
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
    al_stmt_bind_text(st, 1, region);
    al_stmt_bind_text(st, 2, a_key);
    al_stmt_bind_text(st, 3, b_key);
    al_stmt_bind_text(st, 4, reason ? reason : "");
    al_stmt_bind_text(st, 5, legal_ref ? legal_ref : "");
    al_stmt_bind_text(st, 6, by);
    al_stmt_bind_int(st, 7, now);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *id = al_stmt_int(st, 0);
        al_stmt_reset(st);
    }
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

static json_t *
example_json(struct al_stmt *st)
{
    json_t *facts = json_loads(al_stmt_text(st, 4), 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:b}", "id", (json_int_t)al_stmt_int(st, 0),
        "region_code", al_stmt_text(st, 1), "item_key", al_stmt_text(st, 2), "label",
        al_stmt_text(st, 3), "facts", facts ? facts : json_object(), "on_date",
        al_stmt_text(st, 5), "expected", (int)al_stmt_int(st, 6));
}

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
    return loop(st, out, example_json);
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
    al_stmt_bind_text(st, 1, region);
    al_stmt_bind_text(st, 2, key);
    al_stmt_bind_text(st, 3, label);
    al_stmt_bind_text(st, 4, facts);
    al_stmt_bind_text(st, 5, on_date);
    al_stmt_bind_int(st, 6, expected);
    al_stmt_bind_text(st, 7, by);
    al_stmt_bind_int(st, 8, now);
    return returning_id(st, id);
}

static json_t *
benefit_json(struct al_stmt *st)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
        (json_int_t)al_stmt_int(st, 0), "elder_id", (json_int_t)al_stmt_int(st, 1),
        "region_code", al_stmt_text(st, 2), "item_key", al_stmt_text(st, 3), "from_date",
        al_stmt_text(st, 4), "source", al_stmt_text(st, 6), "note", al_stmt_text(st, 7),
        "created_by", al_stmt_text(st, 8));
    json_object_set_new(o, "until_date",
        al_stmt_null(st, 5) ? json_null() : json_string(al_stmt_text(st, 5)));
    json_object_set_new(o, "ended_by",
        al_stmt_null(st, 9) ? json_null() : json_string(al_stmt_text(st, 9)));
    return o;
}

int
entitle_store_benefits(struct al_db *db, int64_t elder_id, json_t *out)
{
    static const char sql[] =
        "SELECT id, elder_id, region_code, item_key, from_date, until_date, source, note,"
        " created_by, ended_by FROM entitle_benefits WHERE elder_id = ? ORDER BY id DESC";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, elder_id);
    return loop(st, out, benefit_json);
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
    al_stmt_bind_int(st, 1, elder_id);
    al_stmt_bind_text(st, 2, region);
    al_stmt_bind_text(st, 3, key);
    al_stmt_bind_text(st, 4, from);
    al_stmt_bind_text(st, 5, until);
    al_stmt_bind_text(st, 6, source);
    al_stmt_bind_text(st, 7, note ? note : "");
    al_stmt_bind_text(st, 8, by);
    al_stmt_bind_int(st, 9, now);
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
    al_stmt_bind_text(st, 1, until);
    al_stmt_bind_text(st, 2, by);
    al_stmt_bind_int(st, 3, now);
    al_stmt_bind_int(st, 4, id);
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
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
    al_stmt_bind_text(st, 1, scope);
    al_stmt_bind_text(st, 2, hi);
    al_stmt_bind_int(st, 3, (int64_t)len + 2);
    return loop(st, items, change_json);
}

static json_t *
text_json(struct al_stmt *st)
{
    return json_string(al_stmt_text(st, 0));
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
    return loop(st, out, text_json);
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
    al_stmt_bind_int(st, 1, elder_id);
    al_stmt_bind_text(st, 2, date);
    return loop(st, out, text_json);
}
