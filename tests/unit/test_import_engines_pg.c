/*
 * The registry import on both engines, row for row (RULE-DB-081, and the
 * lookups ahead and the name grams of RULE-DB-083 / RULE-DB-084): the same
 * generated department files imported into a fresh SQLite database and a
 * fresh PostgreSQL schema — more rows than one PostgreSQL chunk, new records,
 * changed ones (every kind of file), unchanged ones marked as seen, new ones
 * into a registry already full — and then every row the import writes
 * compared field by field: records, categories, evidence, history entries,
 * name grams, imports and their audit entries.  The only fields left out are
 * the ones no two runs share: the sealed ID number (a fresh nonce each time)
 * and the write times.  Then RULE-DB-082: after a large import on PostgreSQL
 * the trigram indexes hold no pending entries and the records are analysed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/db.h"
#include "core/json.h"
#include "gen/gen.h"
#include "import/import.h"
#include "region/region.h"
#include "dual.h"
#include "unit.h"

/* More household rows than one PostgreSQL chunk (ELDER_BATCH_ROWS, 4,096). */
#define ELDERS 5000

/* What each table holds, keyed so both engines list it alike: key → [fields]. */
static const struct {
    const char *name, *sql;
    int key_cols, cols; /* the first key_cols columns make the key */
} tables[] = {
    {"elders",
        "SELECT id, region_code, hukou_region_code, name, sex, birth_date, id_hash, id_masked,"
        " phone, phone2, address, lat, lng, living_arrangement, left_behind, economic_status,"
        " disability_type, disability_grade, fp_special, entitled_groups, ability_level, status,"
        " status_date, status_reason, version, household_no, household_size, pension_type,"
        " pension_amount_fen, last_hukou_import, CAST(updated_at >= created_at AS INTEGER)"
        " FROM elders",
        1, 31},
    {"elder_categories",
        "SELECT elder_id, category, source, source_ref, evidence_date, region_code, status,"
        " birth_date FROM elder_categories",
        2, 8},
    {"elder_field_sources",
        "SELECT elder_id, field, source, source_ref, evidence_date FROM elder_field_sources", 2,
        5},
    {"elder_history",
        "SELECT id, elder_id, user_id, username, action, changes FROM elder_history", 1, 6},
    {"elder_name_grams",
        "SELECT gram, region_code, elder_id, status, birth_date FROM elder_name_grams", 3, 5},
    {"imports",
        "SELECT id, kind, status, rows, accepted, rejected, summary, errors_omitted, partial"
        " FROM imports",
        1, 9},
    {"audit_log",
        "SELECT id, action, target_type, target_id, outcome, detail FROM audit_log"
        " WHERE action LIKE 'import.%'",
        1, 6},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* Table `t` of `db` as {key: [fields as texts or null]}. */
static json_t *
table_rows(struct al_db *db, size_t t)
{
    struct al_stmt *st = al_db_sql_text(db, tables[t].sql);
    assert_non_null(st);
    json_t *out = json_object();
    int rc;
    while ((rc = al_stmt_step(st)) == AL_ROW) {
        char key[512] = "";
        size_t len = 0;
        for (int i = 0; i < tables[t].key_cols; i++) {
            const char *k = al_stmt_text(st, i);
            len += (size_t)snprintf(key + len, sizeof(key) - len, "%s%s", i ? "|" : "",
                k ? k : "∅");
        }
        json_t *r = json_array();
        for (int i = 0; i < tables[t].cols; i++) {
            const char *v = al_stmt_text(st, i);
            json_array_append_new(r, v ? json_string(v) : json_null());
        }
        assert_null(json_object_get(out, key)); /* keys are unique */
        json_object_set_new(out, key, r);
    }
    assert_int_equal(rc, AL_OK);
    return out;
}

/* A copy of the generated household file: addresses and household sizes changed, rows added. */
static const char *
changed_hukou(const char *dir)
{
    static char path[512];
    char src[512], extra[512], line[1024];
    snprintf(src, sizeof(src), "%s/gen/hukou.csv", dir);
    snprintf(extra, sizeof(extra), "%s/gen2/hukou.csv", dir);
    snprintf(path, sizeof(path), "%s/hukou-changed.csv", dir);
    FILE *in = fopen(src, "r"), *out = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(out);
    for (int n = 0; fgets(line, sizeof(line), in); n++) {
        char *f[8];
        int nf = 0;
        line[strcspn(line, "\r\n")] = 0;
        for (char *p = line; nf < 8; p++) { /* the generated rows hold no quoted comma */
            f[nf++] = p;
            if (!(p = strchr(p, ',')))
                break;
            *p = 0;
        }
        if (n == 0 || nf < 8 || n % 3 != 0) {
            for (int i = 0; i < nf; i++)
                fprintf(out, "%s%s", i ? "," : "", f[i]);
            fputs("\r\n", out);
            continue;
        }
        /* Every third row: a new address, and every sixth a new household size too. */
        fprintf(out, "%s,%s,%s,%s附%d号,%s,%s,%s,%s\r\n", f[0], f[1], f[2], f[3], n, f[4],
            n % 6 == 0 ? "9" : f[5], f[6], f[7]);
    }
    fclose(in);
    /* People not yet registered (a second county drawn with another seed). */
    assert_non_null(in = fopen(extra, "r"));
    for (int n = 0; fgets(line, sizeof(line), in); n++)
        if (n > 0)
            fputs(line, out);
    fclose(in);
    fclose(out);
    return path;
}

/* Import `path` of `kind`, valid rows only, committed. */
static void
import(struct al_db *db, const char *kind, const char *path)
{
    struct import_options o = {.kind = kind, .path = path, .commit = true, .valid_only = true,
        .username = "unit", .user_id = 1};
    struct import_summary s;
    struct al_errinfo e = {0};
    assert_int_equal(import_run(db, &o, &s, &e), AL_OK);
    assert_true(s.committed);
}

/* Every import of the test on `engine`; each table's rows into snaps[]. */
static void
run_engine(enum dual_engine engine, json_t *snaps[NTABLES])
{
    const char *dir = dual_dir();
    struct al_db *db = dual_open(engine);
    assert_non_null(db);
    assert_int_equal(region_load_embedded(db), AL_OK);
    char path[512];
    for (int k = 0; k < GEN_FILES; k++) {
        snprintf(path, sizeof(path), "%s/gen/%s.csv", dir, gen_file_kinds[k]);
        import(db, gen_file_kinds[k], path);
    }
    snprintf(path, sizeof(path), "%s/gen/hukou.csv", dir);
    import(db, "hukou", path); /* unchanged: every record marked as seen, nothing else */
    import(db, "hukou", changed_hukou(dir));
    for (size_t t = 0; t < NTABLES; t++)
        snaps[t] = table_rows(db, t);
    al_db_close(db);
}

/* RULE-DB-081: the same rows, field by field, on both engines. */
static void
same_rows(void **state)
{
    (void)state;
    const char *dir = dual_dir();
    char out[512];
    struct al_errinfo err = {0};
    struct gen_counts c;
    snprintf(out, sizeof(out), "%s/gen", dir);
    struct gen_options g = {.elders = ELDERS, .out_dir = out, .seed = 11, .bad_per_mille = 10,
        .today = "2026-06-01"};
    assert_int_equal(gen_write(&g, &c, &err), AL_OK);
    snprintf(out, sizeof(out), "%s/gen2", dir);
    g = (struct gen_options){.elders = 300, .out_dir = out, .seed = 12, .today = "2026-06-01"};
    assert_int_equal(gen_write(&g, &c, &err), AL_OK);

    json_t *lite[NTABLES], *pg[NTABLES];
    run_engine(DUAL_SQLITE, lite);
    run_engine(DUAL_PG, pg);
    for (size_t t = 0; t < NTABLES; t++) {
        const char *key;
        json_t *a;
        size_t n = 0;
        json_object_foreach(lite[t], key, a)
        {
            json_t *b = json_object_get(pg[t], key);
            if (!b)
                fprintf(stderr, "%s %s: on SQLite only\n", tables[t].name, key);
            assert_non_null(b);
            for (size_t i = 0; i < json_array_size(a); i++) {
                json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
                if (!json_equal(x, y))
                    fprintf(stderr, "%s %s field %zu: sqlite %s, pg %s\n", tables[t].name, key,
                        i, json_string_value(x) ? json_string_value(x) : "null",
                        json_string_value(y) ? json_string_value(y) : "null");
                assert_true(json_equal(x, y));
            }
            n++;
        }
        assert_int_equal(json_object_size(pg[t]), n); /* nothing on PostgreSQL only */
        assert_true(n > 0);
        json_decref(lite[t]);
        json_decref(pg[t]);
    }
}

/* RULE-DB-082: after a large import the trigram indexes hold no pending entries, stats fresh. */
static void
settled_after_import(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/gen/hukou.csv", dual_dir());
    struct al_db *db = dual_open(DUAL_PG);
    assert_non_null(db);
    assert_int_equal(region_load_embedded(db), AL_OK);
    assert_int_equal(al_db_exec(db, "CREATE EXTENSION IF NOT EXISTS pgstattuple"), AL_OK);
    import(db, "hukou", path);
    int64_t n = -1;
    assert_int_equal(al_db_count(db,
                         "SELECT sum(pending_tuples) FROM unnest(ARRAY['elders_name_trgm',"
                         " 'elders_phone_trgm', 'elders_address_trgm']) AS i,"
                         " pgstatginindex(CAST(i AS regclass))",
                         NULL, &n),
        AL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(al_db_count(db,
                         "SELECT CAST(reltuples AS bigint) FROM pg_class"
                         " WHERE relname = 'elders' AND relkind = 'r'",
                         NULL, &n),
        AL_OK);
    assert_true(n >= ELDERS / 2); /* analysed (-1: never) */
    al_db_close(db);
}

int
main(void)
{
    al_json_init();
    al_config_load_env();
    if (dual_key() != 0)
        return 1;
    if (!dual_target(DUAL_PG))
        return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(same_rows),
        cmocka_unit_test(settled_after_import)};
    return cmocka_run_group_tests_name("import on both engines", tests, NULL, NULL);
}
