/*
 * Loading the packed facts from the elders tables (RULE-EXPR-017..019).
 * Engine-neutral SQL: the same texts run on SQLite and PostgreSQL.
 */
#include <stdio.h>
#include <string.h>

#include "core/db.h"
#include "entitle/facts.h"

/*
 * `status || ''` keeps SQLite off the status index: with it, a county's rows came through
 * elders_status and were sorted again by id (0.34 s per 100,000 rows); without it, one scan
 * in id order (0.06 s).  The same text on PostgreSQL, whose planner chooses for itself.
 */
static const char sql_count[] =
    "SELECT count(*) FROM elders WHERE status || '' = 'active' AND region_code LIKE ?1";
static const char sql_elders[] =
    "SELECT id, birth_date, region_code, hukou_region_code, sex, economic_status,"
    " disability_grade, ability_level, living_arrangement"
    " FROM elders WHERE status || '' = 'active' AND region_code LIKE ?1 ORDER BY id";
static const char sql_categories[] =
    "SELECT c.elder_id, c.category FROM elder_categories c"
    " JOIN elders e ON e.id = c.elder_id"
    " WHERE e.status || '' = 'active' AND e.region_code LIKE ?1";
/* One elder, whatever the status (an explanation may be asked for any record). */
static const char sql_one[] =
    "SELECT id, birth_date, region_code, hukou_region_code, sex, economic_status,"
    " disability_grade, ability_level, living_arrangement FROM elders WHERE id = ?1";
static const char sql_one_categories[] =
    "SELECT elder_id, category FROM elder_categories WHERE elder_id = ?1";

/* The current row of sql_elders / sql_one as facts. */
static void
read_row(struct al_stmt *st, struct facts_row *r)
{
    /* RULE-EXPR-018: a missing ability or living arrangement is unknown, not a value. */
    *r = (struct facts_row){
        .id = al_stmt_int(st, 0),
        .birth = facts_parse_date(al_stmt_text(st, 1)),
        .region = facts_parse_region(al_stmt_text(st, 2)),
        .hukou = facts_parse_region(al_stmt_text(st, 3)),
        .sex = (int8_t)(al_stmt_text(st, 4) && !strcmp(al_stmt_text(st, 4), "F")
                            ? FACTS_FEMALE : FACTS_MALE),
        .economic = (int8_t)facts_index(facts_economic_values, al_stmt_text(st, 5)),
        .disability = (int8_t)(al_stmt_null(st, 6) ? 0 : al_stmt_int(st, 6)),
        .ability = (int8_t)(al_stmt_null(st, 7) ? FACTS_UNKNOWN : al_stmt_int(st, 7)),
        .living = (int8_t)facts_index(facts_living_values, al_stmt_text(st, 8)),
    };
}

static int
load_elders(struct al_db *db, const char *like, struct rule_facts *f)
{
    int64_t count = 0;
    struct al_stmt *st = al_db_sql(db, sql_count);
    al_stmt_bind_text(st, 1, like);
    int rc = al_stmt_int64(st, &count);
    if (rc != AL_OK)
        return rc;
    if ((rc = facts_reserve(f, (size_t)count)) != AL_OK)
        return rc;
    st = al_db_sql(db, sql_elders);
    al_stmt_bind_text(st, 1, like);
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        struct facts_row r;
        read_row(st, &r);
        if (facts_add(f, &r) < 0) {
            al_stmt_reset(st);
            return AL_EINTERNAL;
        }
    }
    return rc;
}

static int
read_categories(struct al_stmt *st, struct rule_facts *f)
{
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t row = facts_find(f, al_stmt_int(st, 0));
        int bit = facts_index(facts_category_ids, al_stmt_text(st, 1));
        if (row >= 0 && bit >= 0)
            f->categories[row] |= (uint16_t)(1u << bit);
    }
    return rc;
}

static int
load_receiving(struct al_db *db, const char *sql, const char *date, const char *like,
    struct rule_facts *f)
{
    struct al_stmt *st = al_db_sql_text(db, sql);
    al_stmt_bind_text(st, 1, date);
    al_stmt_bind_text(st, 2, like);
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        int64_t row = facts_find(f, al_stmt_int(st, 0));
        if (row >= 0)
            facts_set_receives(f, (size_t)row, (int)al_stmt_int(st, 1));
    }
    return rc;
}

int
facts_load(struct al_db *db, const char *region_prefix, const char *date,
    const char *receiving_sql, struct rule_facts *f)
{
    char like[16];
    size_t n = strlen(region_prefix);
    if (n > 12 || strspn(region_prefix, "0123456789") != n)
        return AL_EINVAL;
    memcpy(like, region_prefix, n);
    like[n] = '%';
    like[n + 1] = 0;
    int rc = load_elders(db, like, f);
    if (rc == AL_OK) {
        struct al_stmt *st = al_db_sql(db, sql_categories);
        al_stmt_bind_text(st, 1, like);
        rc = read_categories(st, f);
    }
    if (rc == AL_OK && receiving_sql)
        rc = load_receiving(db, receiving_sql, date, like, f);
    return rc;
}

int
facts_load_elder(struct al_db *db, int64_t id, const char *date, const char *receiving_sql,
    struct rule_facts *f)
{
    struct al_stmt *st = al_db_sql(db, sql_one);
    al_stmt_bind_int(st, 1, id);
    int rc = al_stmt_one(st);
    if (rc != AL_OK)
        return rc;
    struct facts_row r;
    read_row(st, &r);
    char region[16];
    snprintf(region, sizeof(region), "%.12s", al_stmt_text(st, 2) ? al_stmt_text(st, 2) : "");
    al_stmt_reset(st);
    if (facts_add(f, &r) < 0)
        return AL_EINTERNAL;
    st = al_db_sql(db, sql_one_categories);
    al_stmt_bind_int(st, 1, id);
    rc = read_categories(st, f);
    /* The receiving query scoped to the elder's own village: other rows are ignored. */
    if (rc == AL_OK && receiving_sql)
        rc = load_receiving(db, receiving_sql, date, region, f);
    return rc;
}
