/*
 * The time bank's SQL (issue 16), one text for both engines except the account lock
 * (PostgreSQL's FOR UPDATE, chosen with al_db_is_pg in tb_store_lock).
 */
#include <stdio.h>
#include <string.h>

#include "core/dbq.h"
#include "core/idcard.h"
#include "region/region.h"
#include "timebank/timebank_int.h"

/* ---- schemes ---- */

#define SCHEME_COLS                                                                            \
    "s.id, s.version, s.region_code, s.name, s.categories, s.cap_min, s.redeem_age,"          \
    " s.redeem_age_difficulty, s.gift_min_age, s.key_elder_age, s.group_donate_only,"         \
    " s.expiry_months,"                                                                        \
    " (SELECT id FROM tb_accounts WHERE scheme_id = s.id AND kind = 'issue'),"                \
    " (SELECT id FROM tb_accounts WHERE scheme_id = s.id AND kind = 'fund')"

static void
scheme_read(struct al_arena *a, struct al_stmt *st, struct tb_scheme *s)
{
    s->id = al_stmt_int(st, 0);
    s->version = al_stmt_int(st, 1);
    s->region_code = al_stmt_dup(a, st, 2);
    s->name = al_stmt_dup(a, st, 3);
    s->categories = al_stmt_dup(a, st, 4);
    s->rules.cap_min = al_stmt_int(st, 5);
    s->rules.redeem_age = (int)al_stmt_int(st, 6);
    s->rules.redeem_age_difficulty = (int)al_stmt_int(st, 7);
    s->rules.gift_min_age = (int)al_stmt_int(st, 8);
    s->rules.key_elder_age = (int)al_stmt_int(st, 9);
    s->rules.group_donate_only = al_stmt_int(st, 10) == 1;
    s->rules.expiry_months = (int)al_stmt_int(st, 11);
    s->issue_account = al_stmt_int(st, 12);
    s->fund_account = al_stmt_int(st, 13);
}

int
tb_store_scheme(struct al_db *db, struct al_arena *a, int64_t id, struct tb_scheme *out)
{
    static const char sql[] = "SELECT " SCHEME_COLS " FROM tb_schemes s WHERE s.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        scheme_read(a, st, out);
        al_stmt_reset(st);
    }
    return rc;
}

int
tb_store_scheme_create(struct al_db *db, const struct tb_scheme *s, const char *by, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO tb_schemes(region_code, name, categories, cap_min, redeem_age,"
        " redeem_age_difficulty, gift_min_age, key_elder_age, group_donate_only, expiry_months,"
        " created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (region_code, name) DO NOTHING RETURNING id";
    static const char sql_acct[] =
        "INSERT INTO tb_accounts(scheme_id, kind) VALUES (?1, 'issue'), (?1, 'fund')";
    const struct tb_rules *r = &s->rules;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(s->region_code), AL_T(s->name), AL_T(s->categories), AL_I(r->cap_min),
        AL_I(r->redeem_age), AL_I(r->redeem_age_difficulty), AL_I(r->gift_min_age),
        AL_I(r->key_elder_age), AL_I(r->group_donate_only ? 1 : 0), AL_I(r->expiry_months),
        AL_T(by), AL_I(now));
    int rc = al_stmt_int64(st, id);
    if (rc == AL_ENOTFOUND)
        return AL_ECONFLICT;
    if (rc != AL_OK)
        return rc;
    st = al_db_sql(db, sql_acct);
    al_stmt_bind_int(st, 1, *id);
    return al_stmt_run(st);
}

int
tb_store_scheme_update(struct al_db *db, const struct tb_scheme *s)
{
    static const char sql[] =
        "UPDATE tb_schemes SET name = ?, categories = ?, cap_min = ?, redeem_age = ?,"
        " redeem_age_difficulty = ?, gift_min_age = ?, key_elder_age = ?, group_donate_only = ?,"
        " expiry_months = ?, version = version + 1 WHERE id = ? AND version = ?";
    const struct tb_rules *r = &s->rules;
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(s->name), AL_T(s->categories), AL_I(r->cap_min), AL_I(r->redeem_age),
        AL_I(r->redeem_age_difficulty), AL_I(r->gift_min_age), AL_I(r->key_elder_age),
        AL_I(r->group_donate_only ? 1 : 0), AL_I(r->expiry_months), AL_I(s->id),
        AL_I(s->version));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
}

json_t *
tb_scheme_json(const struct tb_scheme *s)
{
    const struct tb_rules *r = &s->rules;
    return json_pack("{sI sI ss ss so s{sI si si si si sb si}}", "id", (json_int_t)s->id,
        "version", (json_int_t)s->version, "region_code", s->region_code, "name", s->name,
        "categories", tb_categories_json(s->categories), "rules", "cap_min",
        (json_int_t)r->cap_min, "redeem_age", r->redeem_age, "redeem_age_difficulty",
        r->redeem_age_difficulty, "gift_min_age", r->gift_min_age, "key_elder_age",
        r->key_elder_age, "group_donate_only", r->group_donate_only, "expiry_months",
        r->expiry_months);
}

static json_t *
scheme_row(const struct al_row_ctx *c, struct al_stmt *st)
{
    struct tb_scheme s;
    scheme_read(c->a, st, &s);
    json_t *o = tb_scheme_json(&s);
    json_object_set_new(o, "members", json_integer(al_stmt_int(st, 14)));
    json_object_set_new(o, "issued_min", json_integer(-al_stmt_int(st, 15)));
    json_object_set_new(o, "fund_min", json_integer(al_stmt_int(st, 16)));
    json_object_set_new(o, "region_name", json_string(al_stmt_text(st, 17) ? al_stmt_text(st, 17)
                                                                          : s.region_code));
    return o;
}

int
tb_store_schemes(struct al_db *db, struct al_arena *a, const char *scope, json_t *items)
{
    static const char sql[] =
        "SELECT " SCHEME_COLS ","
        " (SELECT count(*) FROM tb_members m WHERE m.scheme_id = s.id),"
        " (SELECT balance_min FROM tb_accounts WHERE scheme_id = s.id AND kind = 'issue'),"
        " (SELECT balance_min FROM tb_accounts WHERE scheme_id = s.id AND kind = 'fund'),"
        " (SELECT name FROM regions r WHERE r.code = s.region_code)"
        " FROM tb_schemes s WHERE s.region_code >= ? AND s.region_code < ? ORDER BY s.id";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    return al_db_rows(st, a, &(struct al_rows){.row = scheme_row}, items);
}

/* ---- alliances ---- */

#define ALLIANCE_COLS "id, version, scheme_lo, scheme_hi, proposer_id, status"

static void
alliance_read(struct al_arena *a, struct al_stmt *st, struct tb_alliance *out)
{
    out->id = al_stmt_int(st, 0);
    out->version = al_stmt_int(st, 1);
    out->lo = al_stmt_int(st, 2);
    out->hi = al_stmt_int(st, 3);
    out->proposer = al_stmt_int(st, 4);
    out->status = al_stmt_dup(a, st, 5);
    al_stmt_reset(st);
}

int
tb_store_scheme_covering(struct al_db *db, struct al_arena *a, const char *region,
    struct tb_scheme *out)
{
    static const char sql[] = "SELECT " SCHEME_COLS " FROM tb_schemes s"
                              " WHERE substr(CAST(?1 AS TEXT), 1, length(s.region_code))"
                              " = s.region_code"
                              " ORDER BY length(s.region_code) DESC, s.id LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_text(st, 1, region);
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        scheme_read(a, st, out);
        al_stmt_reset(st);
    }
    return rc;
}

int
tb_store_alliance(struct al_db *db, struct al_arena *a, int64_t id, struct tb_alliance *out)
{
    static const char sql[] = "SELECT " ALLIANCE_COLS " FROM tb_alliances WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK)
        alliance_read(a, st, out);
    return rc;
}

int
tb_store_alliance_between(struct al_db *db, struct al_arena *a, int64_t s1, int64_t s2,
    struct tb_alliance *out)
{
    static const char sql[] =
        "SELECT " ALLIANCE_COLS " FROM tb_alliances WHERE scheme_lo = ? AND scheme_hi = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(s1 < s2 ? s1 : s2), AL_I(s1 < s2 ? s2 : s1));
    int rc = al_stmt_one(st);
    if (rc == AL_OK)
        alliance_read(a, st, out);
    return rc;
}

int
tb_store_alliance_create(struct al_db *db, int64_t lo, int64_t hi, int64_t proposer,
    const char *note, const char *by, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO tb_alliances(scheme_lo, scheme_hi, proposer_id, note, created_by,"
        " created_at) VALUES (?,?,?,?,?,?) ON CONFLICT (scheme_lo, scheme_hi) DO NOTHING"
        " RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(lo), AL_I(hi), AL_I(proposer), AL_T(note ? note : ""), AL_T(by),
        AL_I(now));
    int rc = al_stmt_int64(st, id);
    return rc == AL_ENOTFOUND ? AL_ECONFLICT : rc;
}

int
tb_store_alliance_status(struct al_db *db, const struct tb_alliance *al, const char *status,
    const char *by, int64_t now)
{
    static const char sql[] =
        "UPDATE tb_alliances SET status = ?, decided_by = ?, decided_at = ?,"
        " version = version + 1 WHERE id = ? AND version = ?";
    static const char sql_clear[] =
        "INSERT INTO tb_accounts(scheme_id, kind, alliance_id) VALUES (?1, 'clearing', ?3),"
        " (?2, 'clearing', ?3) ON CONFLICT DO NOTHING";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(status), AL_T(by), AL_I(now), AL_I(al->id), AL_I(al->version));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    if (rc != AL_OK || strcmp(status, "accepted") != 0)
        return rc;
    st = al_db_sql(db, sql_clear);
    al_stmt_binds(st, AL_I(al->lo), AL_I(al->hi), AL_I(al->id));
    return al_stmt_run(st);
}

int
tb_store_alliances(struct al_db *db, struct al_arena *a, const char *scope, json_t *items)
{
    static const char sql[] =
        "SELECT l.id, l.version, l.status, l.proposer_id, l.note, l.created_at, l.decided_at,"
        " l.scheme_lo, lo.name, lo.region_code, l.scheme_hi, hi.name, hi.region_code,"
        " (SELECT balance_min FROM tb_accounts c WHERE c.alliance_id = l.id"
        "   AND c.scheme_id = l.scheme_lo AND c.kind = 'clearing'),"
        " (SELECT balance_min FROM tb_accounts c WHERE c.alliance_id = l.id"
        "   AND c.scheme_id = l.scheme_hi AND c.kind = 'clearing')"
        " FROM tb_alliances l JOIN tb_schemes lo ON lo.id = l.scheme_lo"
        " JOIN tb_schemes hi ON hi.id = l.scheme_hi"
        " WHERE (lo.region_code >= ?1 AND lo.region_code < ?2)"
        "    OR (hi.region_code >= ?1 AND hi.region_code < ?2) ORDER BY l.id";
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "version", AL_COL_INT), AL_COL(2, "status", AL_COL_TEXT),
        AL_COL(3, "proposer_id", AL_COL_INT), AL_COL(4, "note", AL_COL_TEXT),
        AL_COL(5, "created_at", AL_COL_TIME), AL_COL(6, "decided_at", AL_COL_TIME),
        AL_COL(7, "scheme_a_id", AL_COL_INT), AL_COL(8, "scheme_a_name", AL_COL_TEXT),
        AL_COL(9, "scheme_a_region", AL_COL_TEXT), AL_COL(10, "scheme_b_id", AL_COL_INT),
        AL_COL(11, "scheme_b_name", AL_COL_TEXT), AL_COL(12, "scheme_b_region", AL_COL_TEXT),
        AL_COL(13, "clearing_a_min", AL_COL_INT), AL_COL(14, "clearing_b_min", AL_COL_INT),
        AL_COL_END};
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}

int
tb_store_clearing(struct al_db *db, int64_t scheme, int64_t alliance, int64_t *account)
{
    static const char sql[] = "SELECT id FROM tb_accounts WHERE scheme_id = ? AND kind = 'clearing'"
                              " AND member_id = 0 AND alliance_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(scheme), AL_I(alliance));
    return al_stmt_int64(st, account);
}

/* ---- members ---- */

#define MEMBER_COLS                                                                            \
    "m.id, m.version, m.scheme_id, coalesce(m.elder_id, 0), coalesce(m.user_id, 0),"          \
    " (SELECT id FROM tb_accounts a WHERE a.scheme_id = m.scheme_id AND a.kind = 'member'"    \
    "   AND a.member_id = m.id),"                                                              \
    " m.region_code, m.kind, m.name, m.phone, m.birth_date, m.status, m.group_type, m.lat,"   \
    " m.lng, m.card_masked"

static void
member_read(struct al_arena *a, struct al_stmt *st, struct tb_member *m)
{
    m->id = al_stmt_int(st, 0);
    m->version = al_stmt_int(st, 1);
    m->scheme_id = al_stmt_int(st, 2);
    m->elder_id = al_stmt_int(st, 3);
    m->user_id = al_stmt_int(st, 4);
    m->account_id = al_stmt_int(st, 5);
    m->region_code = al_stmt_dup(a, st, 6);
    m->kind = al_stmt_dup(a, st, 7);
    m->name = al_stmt_dup(a, st, 8);
    m->phone = al_stmt_dup(a, st, 9);
    m->birth_date = al_stmt_dup(a, st, 10);
    m->status = al_stmt_dup(a, st, 11);
    m->group_type = al_stmt_dup(a, st, 12);
    m->has_pos = !al_stmt_null(st, 13) && !al_stmt_null(st, 14);
    m->lat = al_stmt_double(st, 13);
    m->lng = al_stmt_double(st, 14);
    m->card_masked = al_stmt_dup(a, st, 15);
    al_stmt_reset(st);
}

int
tb_store_member(struct al_db *db, struct al_arena *a, int64_t id, struct tb_member *out)
{
    static const char sql[] = "SELECT " MEMBER_COLS " FROM tb_members m WHERE m.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK)
        member_read(a, st, out);
    return rc;
}

int
tb_store_member_of_user(struct al_db *db, struct al_arena *a, int64_t user_id,
    struct tb_member *out)
{
    static const char sql[] =
        "SELECT " MEMBER_COLS " FROM tb_members m WHERE m.user_id = ? ORDER BY m.id LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, user_id);
    int rc = al_stmt_one(st);
    if (rc == AL_OK)
        member_read(a, st, out);
    return rc;
}

int
tb_store_member_create(struct al_db *db, const struct tb_member *m, const char *training,
    int conduct, const char *by, int64_t now, int64_t *id)
{
    static const char sql_dup[] =
        "SELECT count(*) FROM tb_members WHERE scheme_id = ? AND elder_id = ?";
    static const char sql[] =
        "INSERT INTO tb_members(scheme_id, region_code, kind, name, phone, birth_date, elder_id,"
        " user_id, group_type, training, conduct_signed, created_by, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id";
    static const char sql_acct[] =
        "INSERT INTO tb_accounts(scheme_id, kind, member_id) VALUES (?, 'member', ?)";
    int64_t n = 0;
    int rc;
    if (m->elder_id > 0) {
        struct al_stmt *st = al_db_sql(db, sql_dup);
        al_stmt_binds(st, AL_I(m->scheme_id), AL_I(m->elder_id));
        if ((rc = al_stmt_int64(st, &n)) != AL_OK)
            return rc;
        if (n > 0)
            return AL_ECONFLICT;
    }
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(m->scheme_id), AL_T(m->region_code), AL_T(m->kind), AL_T(m->name),
        AL_T(m->phone), AL_T(m->birth_date), AL_REF(m->elder_id), AL_REF(m->user_id),
        AL_T(m->group_type), AL_T(training ? training : ""), AL_I(conduct), AL_T(by), AL_I(now));
    if ((rc = al_stmt_int64(st, id)) != AL_OK)
        return rc;
    st = al_db_sql(db, sql_acct);
    al_stmt_binds(st, AL_I(m->scheme_id), AL_I(*id));
    return al_stmt_run(st);
}

int
tb_store_member_verify(struct al_db *db, int64_t id, int64_t version, const char *by,
    int64_t now)
{
    static const char sql[] =
        "UPDATE tb_members SET status = 'verified', verified_by = ?, verified_at = ?,"
        " version = version + 1 WHERE id = ? AND version = ? AND status = 'pending'";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(by), AL_I(now), AL_I(id), AL_I(version));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
}

int
tb_store_members(struct al_db *db, struct al_params *p, int64_t scheme, const char *q,
    int64_t limit, int64_t offset, json_t *items, int64_t *total)
{
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "version", AL_COL_INT), AL_COL(2, "scheme_id", AL_COL_INT),
        AL_COL(3, "scheme_name", AL_COL_TEXT), AL_COL(4, "region_code", AL_COL_TEXT),
        AL_COL(5, "kind", AL_COL_TEXT), AL_COL(6, "name", AL_COL_TEXT),
        AL_COLF(7, "phone_masked", al_col_phone_masked), AL_COL(8, "elder_id", AL_COL_INT),
        AL_COL(9, "status", AL_COL_TEXT), AL_COL(10, "balance_min", AL_COL_INT),
        AL_COL(11, "group_type", AL_COL_TEXT), AL_COL(12, "conduct_signed", AL_COL_BOOL),
        AL_COL(13, "training", AL_COL_TEXT), AL_COL_END};
    static const struct al_page_sql sql = {
        .cols = "m.id, m.version, m.scheme_id, s.name, m.region_code, m.kind, m.name, m.phone,"
                " m.elder_id, m.status, a.balance_min, m.group_type, m.conduct_signed,"
                " m.training",
        .from = " FROM tb_members m JOIN tb_schemes s ON s.id = m.scheme_id"
                " JOIN tb_accounts a ON a.scheme_id = m.scheme_id AND a.kind = 'member'"
                "  AND a.member_id = m.id",
        .order = " ORDER BY m.id"};
    /* p holds the scope's bounds as ?1, ?2; the optional filters add their own marks. */
    const char *where = " WHERE m.region_code >= ?1 AND m.region_code < ?2";
    if (scheme > 0)
        where = al_arena_printf(p->a, "%s AND m.scheme_id = %s", where, al_param_int(p, scheme));
    if (q)
        where = al_arena_printf(p->a, "%s AND m.name LIKE %s", where,
            al_param_text(p, al_arena_printf(p->a, "%%%s%%", q)));
    return al_db_page(db, p, &sql, where, limit, offset, &(struct al_rows){.cols = cols}, items,
        total);
}

/* ---- the ledger ---- */

int
tb_store_lock(struct al_db *db, const int64_t *ids, int n, int64_t *bal)
{
    /*
     * RULE-TB-032: PostgreSQL locks the rows in id order (no two transfers wait on each other
     * in a cycle); SQLite's BEGIN IMMEDIATE already made this the only writer.
     */
    static const char sql_pg[] = "SELECT id, balance_min FROM tb_accounts"
                                 " WHERE id IN (?1, ?2, ?3, ?4, ?5, ?6) ORDER BY id FOR UPDATE";
    static const char sql_lite[] = "SELECT id, balance_min FROM tb_accounts"
                                   " WHERE id IN (?1, ?2, ?3, ?4, ?5, ?6) ORDER BY id";
    if (n < 1 || n > 6)
        return AL_EINTERNAL;
    struct al_stmt *st = al_db_sql(db, al_db_is_pg(db) ? sql_pg : sql_lite);
    for (int i = 0; i < 6; i++)
        al_stmt_bind_int(st, i + 1, ids[i < n ? i : 0]);
    int rc, found = 0;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t id = al_stmt_int(st, 0);
        for (int i = 0; i < n; i++)
            if (ids[i] == id) {
                bal[i] = al_stmt_int(st, 1);
                found++;
            }
    }
    if (rc == AL_OK && found < n)
        return AL_ENOTFOUND;
    return rc;
}

int
tb_store_transfer(struct al_db *db, int64_t scheme, int category, int64_t minutes,
    int64_t parent, int64_t alliance, int64_t need, const char *note, const char *relation,
    const struct tb_leg *legs, int n, const char *by, int64_t now, int64_t *id)
{
    static const char sql_t[] =
        "INSERT INTO tb_transfers(scheme_id, category, minutes, parent_id, alliance_id, need_id,"
        " note, relation, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id";
    static const char sql_m[] = "INSERT INTO tb_movements(transfer_id, account_id, amount_min,"
                                " created_at) VALUES (?,?,?,?)";
    static const char sql_b[] =
        "UPDATE tb_accounts SET balance_min = balance_min + ? WHERE id = ?";
    int64_t bad;
    if (!tb_legs_balanced(legs, n, &bad)) /* RULE-TB-010: never written unbalanced */
        return AL_EINTERNAL;
    struct al_stmt *st = al_db_sql(db, sql_t);
    al_stmt_binds(st, AL_I(scheme), AL_T(tb_category_name(category)), AL_I(minutes),
        AL_REF(parent), AL_REF(alliance), AL_REF(need), AL_T(note ? note : ""), AL_T(relation),
        AL_T(by), AL_I(now));
    int rc = al_stmt_int64(st, id);
    for (int i = 0; rc == AL_OK && i < n; i++) {
        st = al_db_sql(db, sql_m);
        al_stmt_binds(st, AL_I(*id), AL_I(legs[i].account_id), AL_I(legs[i].amount_min),
            AL_I(now));
        if ((rc = al_stmt_run(st)) != AL_OK)
            break;
        st = al_db_sql(db, sql_b);
        al_stmt_binds(st, AL_I(legs[i].amount_min), AL_I(legs[i].account_id));
        rc = al_stmt_run(st);
    }
    return rc;
}

int
tb_store_balance(struct al_db *db, int64_t account, int64_t *out)
{
    static const char sql[] = "SELECT balance_min FROM tb_accounts WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, account);
    return al_stmt_int64(st, out);
}

static json_t *
col_category(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_string(tb_category_label(tb_category_parse(al_stmt_text(st, col))));
}

int
tb_store_statement(struct al_db *db, struct al_arena *a, int64_t account, int64_t limit,
    int64_t offset, json_t *items, int64_t *total)
{
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "transfer_id", AL_COL_INT), AL_COL(2, "amount_min", AL_COL_INT),
        AL_COL(3, "created_at", AL_COL_TIME), AL_COL(4, "category", AL_COL_TEXT),
        AL_COLF(4, "category_name", col_category), AL_COL(5, "note", AL_COL_TEXT),
        AL_COL(6, "alliance_id", AL_COL_INT), AL_COL(7, "relation", AL_COL_TEXT),
        AL_COL(8, "created_by", AL_COL_TEXT), AL_COL(9, "balance_after_min", AL_COL_INT),
        AL_COL(10, "counterparty", AL_COL_TEXT), AL_COL(11, "counterparty_scheme", AL_COL_TEXT),
        AL_COL_END};
    static const struct al_page_sql sql = {
        .cols = "m.id, m.transfer_id, m.amount_min, m.created_at, t.category, t.note,"
                " t.alliance_id, t.relation, t.created_by,"
                " sum(m.amount_min) OVER (ORDER BY m.id),"
                " (SELECT mm.name FROM tb_movements o JOIN tb_accounts oa ON oa.id = o.account_id"
                "   JOIN tb_members mm ON mm.id = oa.member_id WHERE o.transfer_id = m.transfer_id"
                "   AND o.account_id <> m.account_id AND oa.kind = 'member' ORDER BY o.id LIMIT 1),"
                " (SELECT s.name FROM tb_movements o JOIN tb_accounts oa ON oa.id = o.account_id"
                "   JOIN tb_schemes s ON s.id = oa.scheme_id WHERE o.transfer_id = m.transfer_id"
                "   AND o.account_id <> m.account_id AND oa.kind <> 'clearing'"
                "   ORDER BY o.id LIMIT 1)",
        .from = " FROM tb_movements m JOIN tb_transfers t ON t.id = m.transfer_id",
        .order = " ORDER BY m.id DESC"};
    struct al_params p;
    al_params_init(&p, a);
    const char *where = al_arena_printf(a, " WHERE m.account_id = %s", al_param_int(&p, account));
    return al_db_page(db, &p, &sql, where, limit, offset, &(struct al_rows){.cols = cols}, items,
        total);
}

/* ---- verify (RULE-TB-030) ---- */

/* One check: a query whose first row (if any) is a break, described by `say`. */
struct check {
    const char *sql;
    const char *say; /* printf with the first `nargs` integers of the row */
    int nargs;
};

static const struct check checks[] = {
    {"SELECT t.id, 0, 0 FROM tb_transfers t WHERE (SELECT count(*) FROM tb_movements m"
     " WHERE m.transfer_id = t.id) < 2 ORDER BY t.id LIMIT 1",
        "转账 #%lld 的分录少于两条", 1},
    {"SELECT m.transfer_id, a.scheme_id, sum(m.amount_min) FROM tb_movements m"
     " JOIN tb_accounts a ON a.id = m.account_id GROUP BY m.transfer_id, a.scheme_id"
     " HAVING sum(m.amount_min) <> 0 ORDER BY m.transfer_id, a.scheme_id LIMIT 1",
        "转账 #%lld 在时间银行 #%lld 内的分录合计为 %lld 分钟，应为 0", 3},
    {"SELECT a.scheme_id, sum(m.amount_min), 0 FROM tb_movements m"
     " JOIN tb_accounts a ON a.id = m.account_id GROUP BY a.scheme_id"
     " HAVING sum(m.amount_min) <> 0 ORDER BY a.scheme_id LIMIT 1",
        "时间银行 #%lld 的全部分录合计为 %lld 分钟，应为 0", 2},
    {"SELECT a.id, a.balance_min, coalesce(s.total, 0) FROM tb_accounts a"
     " LEFT JOIN (SELECT account_id, sum(amount_min) AS total FROM tb_movements"
     "  GROUP BY account_id) s ON s.account_id = a.id"
     " WHERE a.balance_min <> coalesce(s.total, 0) ORDER BY a.id LIMIT 1",
        "账户 #%lld 的余额 %lld 分钟与其分录合计 %lld 分钟不符", 3},
    {"SELECT a.id, s.total, 0 FROM tb_accounts a JOIN (SELECT account_id,"
     " sum(amount_min) AS total FROM tb_movements GROUP BY account_id) s"
     " ON s.account_id = a.id WHERE a.kind IN ('member', 'fund') AND s.total < 0"
     " ORDER BY a.id LIMIT 1",
        "账户 #%lld 透支：分录合计 %lld 分钟", 2},
    {"SELECT m.id, m.transfer_id, a.id FROM tb_movements m JOIN tb_accounts a"
     " ON a.id = m.account_id JOIN tb_transfers t ON t.id = m.transfer_id"
     " WHERE a.kind = 'clearing' AND (t.alliance_id IS NULL OR t.alliance_id <> a.alliance_id)"
     " ORDER BY m.id LIMIT 1",
        "分录 #%lld（转账 #%lld）记入了不属于该转账联盟的清算账户 #%lld", 3},
    {"SELECT m.transfer_id, sum(m.amount_min), 0 FROM tb_movements m JOIN tb_accounts a"
     " ON a.id = m.account_id WHERE a.kind = 'clearing' GROUP BY m.transfer_id"
     " HAVING sum(m.amount_min) <> 0 ORDER BY m.transfer_id LIMIT 1",
        "转账 #%lld 的两个清算分录不对等：合计 %lld 分钟", 2},
    {"SELECT a.alliance_id, sum(m.amount_min), 0 FROM tb_movements m JOIN tb_accounts a"
     " ON a.id = m.account_id WHERE a.kind = 'clearing' GROUP BY a.alliance_id"
     " HAVING sum(m.amount_min) <> 0 ORDER BY a.alliance_id LIMIT 1",
        "联盟 #%lld 两个时间银行的清算余额不对等：合计 %lld 分钟", 2},
    {"SELECT c.id, c.scheme_id, c.alliance_id FROM tb_accounts c JOIN tb_alliances l"
     " ON l.id = c.alliance_id WHERE c.kind = 'clearing' AND c.scheme_id <> l.scheme_lo"
     " AND c.scheme_id <> l.scheme_hi ORDER BY c.id LIMIT 1",
        "清算账户 #%lld 属于时间银行 #%lld，不是联盟 #%lld 的成员", 3},
};

int
tb_store_verify(struct al_db *db, int64_t *checked, char *msg, size_t size)
{
    static const char sql_n[] = "SELECT count(*) FROM tb_movements";
    int rc = al_stmt_int64(al_db_sql(db, sql_n), checked);
    if (rc != AL_OK)
        return rc;
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        struct al_stmt *st = al_db_sql(db, checks[i].sql);
        rc = al_stmt_one(st);
        if (rc == AL_ENOTFOUND)
            continue;
        if (rc != AL_OK)
            return rc;
        long long v0 = al_stmt_int(st, 0), v1 = al_stmt_int(st, 1), v2 = al_stmt_int(st, 2);
        al_stmt_reset(st);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (checks[i].nargs == 1)
            snprintf(msg, size, checks[i].say, v0);
        else if (checks[i].nargs == 2)
            snprintf(msg, size, checks[i].say, v0, v1);
        else
            snprintf(msg, size, checks[i].say, v0, v1, v2);
#pragma GCC diagnostic pop
        return AL_ECONFLICT;
    }
    snprintf(msg, size, "时间银行账本完好：%lld 条分录，各时间银行合计为 0，余额与分录一致，"
                        "清算账户对等", (long long)*checked);
    return AL_OK;
}

/* ---- needs (RULE-TB-040..045) ---- */

#define NEED_COLS                                                                              \
    "n.id, n.version, n.scheme_id, n.elder_id, n.starts_at, n.duration_min,"                  \
    " coalesce(n.payer_id, 0), coalesce(n.member_id, 0), coalesce(n.served_min, 0),"          \
    " n.code_fails, coalesce(n.transfer_id, 0), n.volunteer_ok, n.elder_ok, n.region_code,"    \
    " n.category, n.place, n.note, n.pay_from, n.status, n.confirm_code, n.dispute,"           \
    " n.elder_name"

int
tb_store_need(struct al_db *db, struct al_arena *a, int64_t id, struct tb_need *n)
{
    static const char sql[] = "SELECT " NEED_COLS " FROM tb_needs n WHERE n.id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    n->id = al_stmt_int(st, 0);
    n->version = al_stmt_int(st, 1);
    n->scheme_id = al_stmt_int(st, 2);
    n->elder_id = al_stmt_int(st, 3);
    n->starts_at = al_stmt_int(st, 4);
    n->duration_min = al_stmt_int(st, 5);
    n->payer_id = al_stmt_int(st, 6);
    n->member_id = al_stmt_int(st, 7);
    n->served_min = al_stmt_int(st, 8);
    n->code_fails = al_stmt_int(st, 9);
    n->transfer_id = al_stmt_int(st, 10);
    n->volunteer_ok = al_stmt_int(st, 11) == 1;
    n->elder_ok = al_stmt_int(st, 12) == 1;
    n->region_code = al_stmt_dup(a, st, 13);
    n->category = al_stmt_dup(a, st, 14);
    n->place = al_stmt_dup(a, st, 15);
    n->note = al_stmt_dup(a, st, 16);
    n->pay_from = al_stmt_dup(a, st, 17);
    n->status = al_stmt_dup(a, st, 18);
    n->confirm_code = al_stmt_dup(a, st, 19);
    n->dispute = al_stmt_dup(a, st, 20);
    n->elder_name = al_stmt_dup(a, st, 21);
    al_stmt_reset(st);
    return AL_OK;
}

int
tb_store_need_create(struct al_db *db, const struct tb_need *n, const char *by, int64_t now,
    int64_t *id)
{
    static const char sql[] =
        "INSERT INTO tb_needs(scheme_id, region_code, elder_id, elder_name, category, place,"
        " starts_at, duration_min, note, pay_from, payer_id, confirm_code, created_by,"
        " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(n->scheme_id), AL_T(n->region_code), AL_I(n->elder_id),
        AL_T(n->elder_name), AL_T(n->category), AL_T(n->place), AL_I(n->starts_at),
        AL_I(n->duration_min), AL_T(n->note ? n->note : ""), AL_T(n->pay_from),
        AL_REF(n->payer_id), AL_T(n->confirm_code), AL_T(by), AL_I(now));
    return al_stmt_int64(st, id);
}

int
tb_store_need_update(struct al_db *db, const struct tb_need *n, const char *resolved_by)
{
    static const char sql[] =
        "UPDATE tb_needs SET status = ?, member_id = ?, served_min = ?, volunteer_ok = ?,"
        " elder_ok = ?, code_fails = ?, dispute = ?, transfer_id = ?,"
        " resolved_by = coalesce(?, resolved_by), version = version + 1"
        " WHERE id = ? AND version = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(n->status), AL_REF(n->member_id), AL_REF(n->served_min),
        AL_I(n->volunteer_ok ? 1 : 0), AL_I(n->elder_ok ? 1 : 0), AL_I(n->code_fails),
        AL_T(n->dispute), AL_REF(n->transfer_id), AL_T(resolved_by), AL_I(n->id),
        AL_I(n->version));
    int rc = al_stmt_run(st);
    if (rc == AL_OK && al_db_changes(db) == 0)
        return AL_ECONFLICT;
    return rc;
}

static json_t *
col_need_status(const struct al_row_ctx *c, struct al_stmt *st, int col)
{
    (void)c;
    return json_string(tb_need_status_label(al_stmt_text(st, col)));
}

int
tb_store_needs(struct al_db *db, struct al_arena *a, const struct tb_need_filter *f,
    json_t *items, int64_t *total)
{
    static const struct al_col cols[] = {AL_COL(0, "id", AL_COL_INT),
        AL_COL(1, "version", AL_COL_INT), AL_COL(2, "scheme_id", AL_COL_INT),
        AL_COL(3, "scheme_name", AL_COL_TEXT), AL_COL(4, "region_code", AL_COL_TEXT),
        AL_COL(5, "elder_id", AL_COL_INT), AL_COL(6, "elder_name", AL_COL_TEXT),
        AL_COL(7, "category", AL_COL_TEXT), AL_COL(8, "place", AL_COL_TEXT),
        AL_COL(9, "starts_at", AL_COL_TIME), AL_COL(10, "duration_min", AL_COL_INT),
        AL_COL(11, "note", AL_COL_TEXT), AL_COL(12, "pay_from", AL_COL_TEXT),
        AL_COL(13, "status", AL_COL_TEXT), AL_COLF(13, "status_name", col_need_status),
        AL_COL(14, "member_id", AL_COL_INT), AL_COL(15, "member_name", AL_COL_TEXT),
        AL_COL(16, "served_min", AL_COL_INT), AL_COL(17, "volunteer_ok", AL_COL_BOOL),
        AL_COL(18, "elder_ok", AL_COL_BOOL), AL_COL(19, "dispute", AL_COL_TEXT),
        AL_COL(20, "transfer_id", AL_COL_INT), AL_COL(21, "created_at", AL_COL_TIME),
        AL_COL(22, "lat", AL_COL_DOUBLE), AL_COL(23, "lng", AL_COL_DOUBLE), AL_COL_END};
    static const struct al_page_sql sql = {
        .cols = "n.id, n.version, n.scheme_id, s.name, n.region_code, n.elder_id, n.elder_name,"
                " n.category, n.place, n.starts_at, n.duration_min, n.note, n.pay_from, n.status,"
                " n.member_id, m.name, n.served_min, n.volunteer_ok, n.elder_ok, n.dispute,"
                " n.transfer_id, n.created_at, n.lat, n.lng",
        .from = " FROM tb_needs n JOIN tb_schemes s ON s.id = n.scheme_id"
                " LEFT JOIN tb_members m ON m.id = n.member_id",
        .order = " ORDER BY n.starts_at, n.id"};
    struct al_params p;
    al_params_init(&p, a);
    const char *where;
    if (f->nearby_of > 0) {
        /* RULE-TB-044: the volunteer's scheme and the schemes allied (accepted) with it. */
        const char *sid = al_param_int(&p, f->nearby_of);
        where = al_arena_printf(a,
            " WHERE n.status = 'open' AND (n.scheme_id = %1$s OR n.scheme_id IN"
            " (SELECT CASE WHEN l.scheme_lo = %1$s THEN l.scheme_hi ELSE l.scheme_lo END"
            "  FROM tb_alliances l WHERE l.status = 'accepted'"
            "  AND (l.scheme_lo = %1$s OR l.scheme_hi = %1$s)))", sid);
    } else {
        const char *lo = region_params(&p, f->scope);
        (void)lo;
        where = " WHERE n.region_code >= ?1 AND n.region_code < ?2";
        if (f->member_id > 0)
            where = al_arena_printf(a, "%s AND n.member_id = %s", where,
                al_param_int(&p, f->member_id));
        if (f->elder_id > 0)
            where = al_arena_printf(a, "%s AND n.elder_id = %s", where,
                al_param_int(&p, f->elder_id));
    }
    if (f->scheme_id > 0)
        where = al_arena_printf(a, "%s AND n.scheme_id = %s", where, al_param_int(&p, f->scheme_id));
    if (f->status)
        where = al_arena_printf(a, "%s AND n.status = %s", where, al_param_text(&p, f->status));
    if (f->overdue_at > 0)
        where = al_arena_printf(a, "%s AND n.status = 'open' AND n.starts_at < %s", where,
            al_param_int(&p, f->overdue_at));
    if (f->q) {
        const char *q = al_param_text(&p, f->q);
        where = al_arena_printf(a,
            "%1$s AND (instr(n.elder_name, %2$s) > 0 OR instr(n.category, %2$s) > 0"
            " OR instr(n.place, %2$s) > 0)", where, q);
    }
    if (f->box) /* RULE-TB-066: a coarse box; the exact distance is computed in C */
        where = al_arena_printf(a,
            "%s AND (n.lat IS NULL OR n.lng IS NULL OR (n.lat BETWEEN CAST(%s AS DOUBLE PRECISION)"
            " AND CAST(%s AS DOUBLE PRECISION) AND n.lng BETWEEN CAST(%s AS DOUBLE PRECISION)"
            " AND CAST(%s AS DOUBLE PRECISION)))", where,
            al_param_text(&p, al_arena_printf(a, "%.7f", f->lat_lo)),
            al_param_text(&p, al_arena_printf(a, "%.7f", f->lat_hi)),
            al_param_text(&p, al_arena_printf(a, "%.7f", f->lng_lo)),
            al_param_text(&p, al_arena_printf(a, "%.7f", f->lng_hi)));
    return al_db_page(db, &p, &sql, where, f->limit, f->offset, &(struct al_rows){.cols = cols},
        items, total);
}

/* ---- measures (RULE-TB-050..052) ---- */

int
tb_store_volunteer_counts(struct al_db *db, const char *scope, int64_t *elders, int64_t *all)
{
    static const char sql_e[] =
        "SELECT count(DISTINCT elder_id) FROM tb_members WHERE region_code >= ? AND"
        " region_code < ? AND elder_id IS NOT NULL AND status = 'verified'";
    static const char sql_a[] = "SELECT count(*) FROM tb_members WHERE region_code >= ? AND"
                                " region_code < ? AND status = 'verified'";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql_e);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    int rc = al_stmt_int64(st, elders);
    if (rc != AL_OK)
        return rc;
    st = al_db_sql(db, sql_a);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    return al_stmt_int64(st, all);
}

int
tb_store_hours_by_month(struct al_db *db, struct al_arena *a, const char *scope, int64_t since,
    json_t *items)
{
    /* Days of China time (UTC+8) grouped in SQL; months made of them in C (no date SQL). */
    static const char sql[] =
        "SELECT (t.created_at + 28800) / 86400, coalesce(n.category, '管理员补录'),"
        " sum(t.minutes), count(*) FROM tb_transfers t JOIN tb_schemes s ON s.id = t.scheme_id"
        " LEFT JOIN tb_needs n ON n.id = t.need_id"
        " WHERE t.category = 'service' AND s.region_code >= ? AND s.region_code < ?"
        " AND t.created_at >= ? GROUP BY 1, 2 ORDER BY 1, 2";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(since));
    json_t *acc = json_object();
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        char day[11];
        al_date_cst(al_stmt_int(st, 0) * 86400 - 28800 + 43200, day);
        const char *key = al_arena_printf(a, "%.7s|%s", day, al_stmt_text(st, 1));
        json_t *row = json_object_get(acc, key);
        if (!row) {
            row = json_pack("{ss% ss sI sI}", "month", day, (size_t)7, "category",
                al_stmt_text(st, 1), "minutes", (json_int_t)0, "services", (json_int_t)0);
            json_object_set_new(acc, key, row);
            json_array_append(items, row);
        }
        json_object_set_new(row, "minutes", json_integer(json_integer_value(json_object_get(row,
            "minutes")) + al_stmt_int(st, 2)));
        json_object_set_new(row, "services", json_integer(json_integer_value(json_object_get(row,
            "services")) + al_stmt_int(st, 3)));
    }
    json_decref(acc);
    return rc;
}

int
tb_store_need_counts(struct al_db *db, const char *scope, int64_t now, json_t *out)
{
    static const char sql[] =
        "SELECT status, count(*), sum(CASE WHEN status = 'open' AND starts_at < ? THEN 1 ELSE 0"
        " END) FROM tb_needs WHERE region_code >= ? AND region_code < ? GROUP BY status";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    static const char *const keys[] = {"open", "taken", "done", "disputed", "cancelled"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        json_object_set_new(out, keys[i], json_integer(0));
    json_object_set_new(out, "overdue", json_integer(0));
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(now), AL_T(lo), AL_T(hi));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        json_object_set_new(out, al_stmt_text(st, 0), json_integer(al_stmt_int(st, 1)));
        if (strcmp(al_stmt_text(st, 0), "open") == 0)
            json_object_set_new(out, "overdue", json_integer(al_stmt_int(st, 2)));
    }
    return rc;
}

int
tb_store_child_regions(struct al_db *db, const char *parent, json_t *items)
{
    static const char sql[] = "SELECT code, name FROM regions WHERE parent_code = ? ORDER BY code";
    static const char sql_top[] = "SELECT code, name FROM regions WHERE level = 1 ORDER BY code";
    static const struct al_col cols[] = {AL_COL(0, "code", AL_COL_TEXT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL_END};
    struct al_stmt *st = al_db_sql(db, *parent ? sql : sql_top);
    if (*parent)
        al_stmt_bind_text(st, 1, parent);
    return al_db_rows(st, NULL, &(struct al_rows){.cols = cols}, items);
}

int
tb_store_category_totals(struct al_db *db, const char *scope, json_t *out)
{
    static const char sql[] =
        "SELECT t.category, sum(t.minutes), count(*) FROM tb_transfers t"
        " JOIN tb_schemes s ON s.id = t.scheme_id WHERE s.region_code >= ? AND"
        " s.region_code < ? GROUP BY t.category";
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    for (int c = TB_SERVICE; c <= TB_EXPIRE; c++)
        json_object_set_new(out, tb_category_name(c), json_integer(0));
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi));
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW)
        json_object_set_new(out, al_stmt_text(st, 0), json_integer(al_stmt_int(st, 1)));
    return rc;
}

/* ---- expiry (RULE-TB-060..062) ---- */

int
tb_store_expiry_accounts(struct al_db *db, json_t *items)
{
    /* Member accounts holding hours in schemes whose hours expire. */
    static const char sql[] =
        "SELECT m.id, a.id, s.id, s.expiry_months, m.region_code FROM tb_accounts a"
        " JOIN tb_members m ON m.id = a.member_id JOIN tb_schemes s ON s.id = a.scheme_id"
        " WHERE a.kind = 'member' AND a.balance_min > 0 AND s.expiry_months > 0 ORDER BY a.id";
    static const struct al_col cols[] = {AL_COL(0, "member_id", AL_COL_INT),
        AL_COL(1, "account_id", AL_COL_INT), AL_COL(2, "scheme_id", AL_COL_INT),
        AL_COL(3, "expiry_months", AL_COL_INT), AL_COL(4, "region_code", AL_COL_TEXT),
        AL_COL_END};
    return al_db_rows(al_db_sql(db, sql), NULL, &(struct al_rows){.cols = cols}, items);
}

int
tb_store_account_flows(struct al_db *db, int64_t account, int64_t before, int64_t *credits_before,
    int64_t *debits)
{
    static const char sql[] =
        "SELECT coalesce(sum(CASE WHEN amount_min > 0 AND created_at < ? THEN amount_min"
        " ELSE 0 END), 0), coalesce(sum(CASE WHEN amount_min < 0 THEN -amount_min ELSE 0 END), 0)"
        " FROM tb_movements WHERE account_id = ?";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_I(before), AL_I(account));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *credits_before = al_stmt_int(st, 0);
        *debits = al_stmt_int(st, 1);
        al_stmt_reset(st);
    }
    return rc == AL_ENOTFOUND ? AL_EDB : rc;
}

/* ---- regional settings (RULE-TB-064, RULE-TB-066) ---- */

int
tb_store_setting(struct al_db *db, struct al_arena *a, const char *region, const char *key,
    int64_t *value, const char **from)
{
    /* The deepest region at or above `region` that sets `key` ('' is every region's default). */
    static const char sql[] =
        "SELECT value, region_code FROM tb_settings WHERE key = ? AND (region_code = ''"
        " OR substr(?, 1, length(region_code)) = region_code)"
        " ORDER BY length(region_code) DESC LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(key), AL_T(region));
    int rc = al_stmt_one(st);
    if (rc == AL_OK) {
        *value = al_stmt_int(st, 0);
        if (from)
            *from = al_stmt_dup(a, st, 1);
        al_stmt_reset(st);
    }
    return rc;
}

int
tb_store_setting_put(struct al_db *db, const char *region, const char *key, int64_t value,
    const char *by, int64_t now)
{
    static const char sql[] =
        "INSERT INTO tb_settings(region_code, key, value, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (region_code, key) DO UPDATE SET"
        " value = excluded.value, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at";
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(region), AL_T(key), AL_I(value), AL_T(by), AL_I(now));
    return al_stmt_run(st);
}

int
tb_store_position(struct al_db *db, const char *table, int64_t id, double lat, double lng)
{
    static const char sql_n[] = "UPDATE tb_needs SET lat = ?, lng = ? WHERE id = ?";
    static const char sql_m[] = "UPDATE tb_members SET lat = ?, lng = ? WHERE id = ?";
    struct al_stmt *st = al_db_sql(db, strcmp(table, "tb_needs") == 0 ? sql_n : sql_m);
    al_stmt_bind_double(st, 1, lat);
    al_stmt_bind_double(st, 2, lng);
    al_stmt_bind_int(st, 3, id);
    return al_stmt_run(st);
}

/* ---- the citizen card (RULE-TB-070, 071) ---- */

int
tb_store_card_set(struct al_db *db, int64_t member, int64_t scheme, const char *enc,
    const char *hash, const char *masked)
{
    static const char sql_dup[] =
        "SELECT count(*) FROM tb_members WHERE scheme_id = ? AND card_hash = ? AND id <> ?";
    static const char sql[] =
        "UPDATE tb_members SET card_enc = ?, card_hash = ?, card_masked = ?,"
        " version = version + 1 WHERE id = ?";
    int64_t n = 0;
    int rc;
    if (hash) {
        struct al_stmt *st = al_db_sql(db, sql_dup);
        al_stmt_binds(st, AL_I(scheme), AL_T(hash), AL_I(member));
        if ((rc = al_stmt_int64(st, &n)) != AL_OK)
            return rc;
        if (n > 0)
            return AL_ECONFLICT;
    }
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(enc), AL_T(hash), AL_T(masked), AL_I(member));
    return al_stmt_run(st);
}

int
tb_store_card_rows(struct al_db *db, struct al_arena *a, const char *scope, int64_t from,
    int64_t to, json_t *items)
{
    /*
     * Members of scope with a card: minutes deposited and spent in [from, to) and the
     * balance at `to` (RULE-TB-071).
     */
    static const char sql[] =
        "SELECT m.id, m.name, s.name, m.card_enc, m.card_masked,"
        " coalesce(sum(CASE WHEN v.amount_min > 0 AND v.created_at >= ?3 AND v.created_at < ?4"
        "   THEN v.amount_min ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN v.amount_min < 0 AND v.created_at >= ?3 AND v.created_at < ?4"
        "   THEN -v.amount_min ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN v.created_at < ?4 THEN v.amount_min ELSE 0 END), 0)"
        " FROM tb_members m JOIN tb_schemes s ON s.id = m.scheme_id"
        " JOIN tb_accounts a ON a.scheme_id = m.scheme_id AND a.kind = 'member'"
        "  AND a.member_id = m.id"
        " LEFT JOIN tb_movements v ON v.account_id = a.id"
        " WHERE m.card_hash IS NOT NULL AND m.region_code >= ?1 AND m.region_code < ?2"
        " GROUP BY m.id, m.name, s.name, m.card_enc, m.card_masked ORDER BY m.id";
    static const struct al_col cols[] = {AL_COL(0, "member_id", AL_COL_INT),
        AL_COL(1, "name", AL_COL_TEXT), AL_COL(2, "scheme_name", AL_COL_TEXT),
        AL_COL(3, "card_enc", AL_COL_TEXT), AL_COL(4, "card_masked", AL_COL_TEXT),
        AL_COL(5, "deposited_min", AL_COL_INT), AL_COL(6, "spent_min", AL_COL_INT),
        AL_COL(7, "balance_min", AL_COL_INT), AL_COL_END};
    char lo[16], hi[16];
    region_scope_bounds(scope, lo, hi);
    struct al_stmt *st = al_db_sql(db, sql);
    al_stmt_binds(st, AL_T(lo), AL_T(hi), AL_I(from), AL_I(to));
    return al_db_rows(st, a, &(struct al_rows){.cols = cols}, items);
}
