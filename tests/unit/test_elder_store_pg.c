/*
 * src/elder/elder_store.c and elder_write.c on both engines: the same calls and
 * the same assertions on a migrated SQLite database and on the throwaway
 * PostgreSQL `make unit` starts (ANLAO_TEST_PG).  RULE-ELDER-001 (one write
 * path), RULE-ELDER-002 (history masked on every path).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/db.h"
#include "core/idcard.h"
#include "elder/elder.h"
#include "elder/elder_int.h"
#include "dual.h"
#include "unit.h"

static const char region[] = "520327001001";

/* A record through the one write path, as the HTTP create does. */
static int64_t
create(struct al_db *db, struct al_arena *a, const char *number, const char *name,
    const char *phone, const char *living)
{
    char today[11];
    al_today_cst(today);
    struct al_id id;
    assert_int_equal(al_id_parse(number, 18, today, &id), AL_ID_OK);
    json_t *set = json_pack("{s:s, s:s, s:s#, s:s, s:s, s:s, s:s, s:s}", "id_number", number,
        "name", name, "sex", &id.sex, (size_t)1, "birth_date", id.birth_date, "region_code",
        region, "address", "龙泉街道前进社区 3 组", "phone", phone, "economic_status", "dibao");
    if (living)
        json_object_set_new(set, "living_arrangement", json_string(living));
    struct elder_evidence ev = {"record", "user:unit", today};
    int64_t new_id = 0;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_apply(db, a, 0, set, &ev, 0, "unit", "create", (int64_t)time(NULL), &new_id), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    json_decref(set);
    assert_true(new_id > 0);
    return new_id;
}

static bool
has(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s)) return true;
    return false;
}

static int64_t
count(struct al_db *db, struct al_arena *a, struct elder_query *q)
{
    json_t *items = json_array();
    int64_t total = -1;
    q->scope = q->scope ? q->scope : "520327";
    q->limit = q->limit ? q->limit : 50;
    assert_int_equal(elder_store_list(db, a, q, items, &total), AL_OK);
    int64_t rest = total > q->offset ? total - q->offset : 0;
    assert_int_equal((int64_t)json_array_size(items), rest < q->limit ? rest : q->limit);
    json_decref(items);
    return total;
}

/* The stored changes of the newest history entry of `id` (raw, as the database holds them). */
static json_t *
last_history(struct al_db *db, int64_t id)
{
    static const char sql[] = "SELECT changes FROM elder_history WHERE elder_id = ?"
                              " ORDER BY id DESC LIMIT 1";
    struct al_stmt *st = al_db_sql(db, sql);
    assert_non_null(st);
    al_stmt_bind_int(st, 1, id);
    assert_int_equal(al_stmt_one(st), AL_OK);
    json_t *j = json_loads(al_stmt_text(st, 0), 0, NULL);
    al_stmt_reset(st);
    assert_non_null(j);
    return j;
}

static void
create_read_update(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    int64_t id = create(db, &a, "520327194001010013", "王德胜", "13800001234", "alone");

    json_t *e = NULL;
    assert_int_equal(elder_store_get(db, &a, id, true, NULL, &e), AL_OK);
    assert_string_equal(json_string_value(json_object_get(e, "name")), "王德胜");
    assert_string_equal(json_string_value(json_object_get(e, "sex")), "M");
    assert_string_equal(json_string_value(json_object_get(e, "birth_date")), "1940-01-01");
    assert_string_equal(json_string_value(json_object_get(e, "phone_masked")), "138****1234");
    assert_string_equal(json_string_value(json_object_get(e, "id_number_masked")),
        "520327***********3");
    json_t *cats = json_object_get(e, "categories");
    assert_true(has(cats, "advanced_age") && has(cats, "living_alone") &&
                has(cats, "economic_difficulty"));
    assert_int_equal(json_array_size(cats), 3);
    assert_int_equal(json_integer_value(json_object_get(e, "version")), 1);
    json_decref(e);
    assert_int_equal(elder_store_get(db, &a, 999999, true, NULL, &e), AL_ENOTFOUND);

    /* RULE-PII-001: without the permission the birth year only. */
    assert_int_equal(elder_store_get(db, &a, id, false, NULL, &e), AL_OK);
    assert_null(json_object_get(e, "birth_date"));
    assert_int_equal(json_integer_value(json_object_get(e, "birth_year")), 1940);
    json_decref(e);

    struct elder_row row;
    assert_int_equal(elder_store_row(db, &a, id, &row), AL_OK);
    assert_string_equal(row.region_code, region);
    assert_string_equal(row.status, "active");

    /* An update at the version read; a second one at the same version is stale. */
    struct elder_settings s;
    char today[11];
    al_today_cst(today);
    assert_int_equal(elder_settings_load(db, &s), AL_OK);
    struct elder_evidence ev = {"record", "user:unit", today};
    json_t *set = json_pack("{s:s, s:s, s:i}", "living_arrangement", "with_children", "phone",
        "13912345678", "left_behind", 1);
    struct elder_write w = {.id = id, .version = 1, .set = set, .ev = &ev, .actor = "unit",
        .action = "update", .now = 1700000000};
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_write(db, &a, &s, today, &w, NULL), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    /* RULE-ELDER-002: old and new values, the phones masked. */
    json_t *ph = json_object_get(w.changes, "phone_masked");
    assert_string_equal(json_string_value(json_array_get(ph, 0)), "138****1234");
    assert_string_equal(json_string_value(json_array_get(ph, 1)), "139****5678");
    assert_null(json_object_get(w.changes, "phone"));
    json_decref(w.changes);
    w.set = set;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_write(db, &a, &s, today, &w, NULL), AL_ECONFLICT);
    al_db_rollback(db);
    json_decref(set);

    assert_int_equal(elder_store_get(db, &a, id, true, NULL, &e), AL_OK);
    cats = json_object_get(e, "categories");
    assert_true(has(cats, "left_behind") && !has(cats, "living_alone"));
    assert_int_equal(json_integer_value(json_object_get(e, "version")), 2);
    assert_true(json_is_true(json_object_get(e, "left_behind")));
    json_decref(e);

    /* A refused row (a CHECK) is 422, not a stale version, and leaves nothing. */
    set = json_pack("{s:s}", "status", "lost");
    w = (struct elder_write){.id = id, .version = -1, .set = set, .ev = &ev, .actor = "unit",
        .action = "status", .now = 1700000001};
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_write(db, &a, &s, today, &w, NULL), AL_EUNPROC);
    al_db_rollback(db);
    json_decref(set);
    al_arena_fini(&a);
}

/*
 * RULE-ELDER-002 (issue 10 bug 5): a phone an import or an assessment writes
 * (elder_apply / elder_bulk_apply) is kept masked in history, with its old
 * value, exactly like a PATCH.  Before the one write path the import's entry
 * held {"phone": "13600007777"} as written.
 */
static void
history_masked_on_every_path(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    int64_t id = create(db, &a, "520327194505050027", "李桂芳", "13700002222", NULL);
    char today[11];
    al_today_cst(today);
    struct elder_evidence ev = {"import:roll", "import:7", today};
    json_t *set = json_pack("{s:s, s:s}", "phone", "13600007777", "economic_status", "tekun");
    struct elder_bulk *b = NULL;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_bulk_begin(db, &a, (int64_t)time(NULL), &b), AL_OK);
    assert_int_equal(elder_bulk_apply(b, &a, id, set, &ev, 0, "import", "import", NULL, NULL), AL_OK);
    assert_int_equal(al_db_end(db, elder_bulk_end(b, AL_OK)), AL_OK);
    json_decref(set);
    json_t *h = last_history(db, id);
    char *text = json_dumps(h, JSON_COMPACT);
    assert_null(strstr(text, "13600007777"));
    assert_null(strstr(text, "13700002222"));
    free(text);
    json_t *ph = json_object_get(h, "phone_masked");
    assert_string_equal(json_string_value(json_array_get(ph, 0)), "137****2222");
    assert_string_equal(json_string_value(json_array_get(ph, 1)), "136****7777");
    json_t *es = json_object_get(h, "economic_status");
    assert_string_equal(json_string_value(json_array_get(es, 0)), "dibao");
    assert_string_equal(json_string_value(json_array_get(es, 1)), "tekun");
    assert_string_equal(json_string_value(json_object_get(h, "source")), "import:7");
    json_decref(h);
    /* The evidence of the fact is the import's. */
    json_t *e = NULL;
    assert_int_equal(elder_store_get(db, &a, id, true, NULL, &e), AL_OK);
    size_t i;
    json_t *c;
    bool seen = false;
    json_array_foreach(json_object_get(e, "category_evidence"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "category")), "economic_difficulty")) {
            assert_string_equal(json_string_value(json_object_get(c, "source_ref")), "import:7");
            seen = true;
        }
    assert_true(seen);
    json_decref(e);
    /* What a reader sees of the entry (elder_store_history) is the same on both engines. */
    json_t *items = json_array();
    assert_int_equal(elder_store_history(db, &a, id, false, items), AL_OK);
    assert_int_equal(json_array_size(items), 2);
    json_t *first = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(first, "action")), "import");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(first, "changes"), "phone_masked"), 1)),
        "136****7777");
    json_decref(items);
    /* An import passes the state it reconciled with: the same entry without reading the row. */
    struct elder_state cur;
    assert_int_equal(elder_find_by_number(db, &a, "520327194505050027", &cur), AL_OK);
    set = json_pack("{s:s, s:i}", "economic_status", "dibao", "pension_amount_fen", 120000);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_bulk_begin(db, &a, (int64_t)time(NULL), &b), AL_OK);
    assert_int_equal(elder_bulk_apply(b, &a, id, set, &ev, 0, "import", "import", &cur, NULL),
        AL_OK);
    assert_int_equal(al_db_end(db, elder_bulk_end(b, AL_OK)), AL_OK);
    json_decref(set);
    h = last_history(db, id);
    es = json_object_get(h, "economic_status");
    assert_string_equal(json_string_value(json_array_get(es, 0)), "tekun");
    assert_string_equal(json_string_value(json_array_get(es, 1)), "dibao");
    json_t *pf = json_object_get(h, "pension_amount_fen");
    assert_true(json_is_null(json_array_get(pf, 0)));
    assert_int_equal(json_integer_value(json_array_get(pf, 1)), 120000);
    json_decref(h);
    al_arena_fini(&a);
}

/* What elder_recompute_scan visits: how many, and that ids only grow. */
struct scan_seen {
    int64_t n, last;
};

static int
scan_visit(void *ctx, const struct elder_scan_row *row)
{
    struct scan_seen *s = ctx;
    assert_true(row->id > s->last);
    assert_non_null(row->name);
    s->last = row->id;
    s->n++;
    return 0;
}

static void
list_and_search(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 1 << 15);
    create(db, &a, "520327195503030035", "张\"明", "13500003333", "spouse_only");
    create(db, &a, "520327193808080042", "王秀兰", "13500004444", "alone");
    int64_t all = -1;
    assert_int_equal(elder_store_count(db, &all), AL_OK);
    assert_true(all >= 2);
    struct elder_query q = {0};
    assert_int_equal(count(db, &a, &q), all); /* browse, in scope */
    q = (struct elder_query){.scope = "110105"};
    assert_int_equal(count(db, &a, &q), 0); /* another county */
    /* RULE-UI-007: 1–2 characters find the names containing them, not only starting with them. */
    q = (struct elder_query){.q = "王秀"};
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.q = "秀兰", .pii = true};
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.q = "兰"};
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.q = "王兰"}; /* not adjacent: no match */
    assert_int_equal(count(db, &a, &q), 0);
    /* A renamed record is found by its new name only (the grams follow the name). */
    assert_int_equal(
        al_db_exec(db, "UPDATE elders SET name = '王龘鑫' WHERE name = '王秀兰'"), AL_OK);
    q = (struct elder_query){.q = "秀兰"};
    assert_int_equal(count(db, &a, &q), 0);
    q = (struct elder_query){.q = "龘鑫"};
    assert_int_equal(count(db, &a, &q), 1);
    assert_int_equal(
        al_db_exec(db, "UPDATE elders SET name = '王秀兰' WHERE name = '王龘鑫'"), AL_OK);
    /* The grams carry the status and region: a filter on them counts from the grams alone. */
    assert_int_equal(
        al_db_exec(db, "UPDATE elders SET status = 'deceased' WHERE name = '王秀兰'"), AL_OK);
    q = (struct elder_query){.q = "秀兰", .status = "active"};
    assert_int_equal(count(db, &a, &q), 0);
    q = (struct elder_query){.q = "秀兰", .status = "deceased"};
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.q = "秀兰", .scope = "110105"};
    assert_int_equal(count(db, &a, &q), 0);
    assert_int_equal(
        al_db_exec(db, "UPDATE elders SET status = 'active' WHERE name = '王秀兰'"), AL_OK);
    q = (struct elder_query){.q = "前进社区"}; /* 3+: the text index, the address */
    assert_int_equal(count(db, &a, &q), all);
    q = (struct elder_query){.q = "张\"明"};   /* a quote is text, not search syntax */
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.q = "50%_"};
    assert_int_equal(count(db, &a, &q), 0);
    /* RULE-PII-003: part of a phone finds it only with the permission; the whole number always. */
    q = (struct elder_query){.q = "0000444", .pii = true};
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.q = "0000444"};
    assert_int_equal(count(db, &a, &q), 0);
    q = (struct elder_query){.q = "13500004444"};
    assert_int_equal(count(db, &a, &q), 1);
    char hash[65];
    al_crypto_keyed_hash_hex("idnumber", "520327193808080042", 18, hash);
    q = (struct elder_query){.id_hash = hash};
    assert_int_equal(count(db, &a, &q), 1);
    int64_t found = 0;
    assert_int_equal(elder_store_exists_hash(db, hash, &found), AL_OK);
    assert_true(found > 0);
    q = (struct elder_query){.category = "empty_nest"};
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.special = {"empty_nest", "living_alone"}, .nspecial = 2};
    int64_t special = count(db, &a, &q);
    assert_true(special >= 2);
    q = (struct elder_query){.status = "active", .born_before = "1950-12-31",
        .special = {"empty_nest", "living_alone"}, .nspecial = 2, .region = "520327001"};
    assert_true(count(db, &a, &q) >= 1);
    q = (struct elder_query){.born_after = "1950-01-01"};
    assert_int_equal(count(db, &a, &q), 1);
    q = (struct elder_query){.born_after = "1930-01-01", .born_before = "1960-01-01",
        .limit = 1, .offset = 1};
    assert_int_equal(count(db, &a, &q), all);
    /* The overview counts what the lists count. */
    json_t *o = json_object();
    const char *ids[] = {"empty_nest", "living_alone"};
    assert_int_equal(elder_store_overview(db, &a, "520327", ids, 2, o), AL_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "active")), all);
    assert_int_equal(json_integer_value(json_object_get(o, "special_difficulty")), special);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "categories"),
                         "empty_nest")), 1);
    json_decref(o);
    /* The nightly scan finds nothing to change on an unchanged registry. */
    char today[11];
    al_today_cst(today);
    int64_t scanned = 0, changed = -1;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_recompute_scan(db, today, NULL, NULL, &scanned, &changed), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_int_equal(scanned, all);
    assert_int_equal(changed, 0);
    /* RULE-DB-132: read a page of ids at a time, the same elders in the same order. */
    for (int64_t page = 1; page <= 3; page++) {
        elder_store_scan_page(page);
        struct scan_seen seen = {0};
        assert_int_equal(al_db_begin(db), AL_OK);
        assert_int_equal(elder_recompute_scan(db, today, scan_visit, &seen, &scanned, &changed),
            AL_OK);
        assert_int_equal(al_db_end(db, AL_OK), AL_OK);
        assert_int_equal(scanned, all);
        assert_int_equal(seen.n, all);
        assert_int_equal(changed, 0);
    }
    elder_store_scan_page(0);
    al_arena_fini(&a);
}

static void
contacts_and_lookup(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 1 << 14);
    struct elder_state cur;
    assert_int_equal(elder_find_by_number(db, &a, "520327194001010013", &cur), AL_OK);
    assert_string_equal(cur.name, "王德胜");
    assert_string_equal(cur.economic_status, "dibao");
    assert_int_equal(cur.pension_amount_fen, -1);
    assert_int_equal(elder_find_by_number(db, &a, "520327194001010021", &cur), AL_ENOTFOUND);
    int64_t cid = 0;
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_store_contact_add(db, cur.id, "子女", "王小明", "13011112222", 1, 1,
                         &cid), AL_OK);
    assert_int_equal(al_db_end(db, AL_OK), AL_OK);
    assert_true(cid > 0);
    json_t *items = json_array();
    assert_int_equal(elder_store_contacts(db, &a, cur.id, false, items), AL_OK);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0),
                            "phone_masked")), "130****2222");
    assert_null(json_object_get(json_array_get(items, 0), "phone"));
    json_decref(items);
    assert_int_equal(elder_store_contact_delete(db, cur.id, cid), AL_OK);
    assert_int_equal(elder_store_contact_delete(db, cur.id, cid), AL_ENOTFOUND);
    const char *role = NULL;
    assert_int_equal(elder_store_user_role(db, &a, 987654, &role), AL_ENOTFOUND);
    /* The store writes only the columns of the one table (RULE-ELDER-001). */
    assert_string_equal(elder_column("phone2")->label, "备用电话");
    assert_string_equal(elder_column("last_hukou_import")->key, "last_hukou_import");
    assert_null(elder_column("id_number")); /* sealed into id_hash, id_enc, id_masked */
    assert_null(elder_column("version"));
    assert_null(elder_column("Name"));
    assert_null(elder_column(""));
    for (const struct al_field *f = elder_fields; f->key; f++)
        assert_true(elder_column(f->key) == f || (f->tag & ELDER_F_NOCOLUMN));
    al_arena_fini(&a);
}

/* An import of new records (the bulk path) writes categories without reading back. */
static void
bulk_creates(void **state)
{
    struct al_db *db = *state;
    struct al_arena a;
    al_arena_init(&a, 1 << 15);
    char today[11];
    al_today_cst(today);
    struct elder_evidence ev = {"import:hukou", "import:9", today};
    struct elder_bulk *b = NULL;
    int64_t before = 0, after = 0, id = 0;
    assert_int_equal(elder_store_count(db, &before), AL_OK);
    assert_int_equal(al_db_begin(db), AL_OK);
    assert_int_equal(elder_bulk_begin(db, &a, (int64_t)time(NULL), &b), AL_OK);
    assert_int_equal(elder_bulk_existing(b), before);
    json_t *set = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "id_number",
        "520327192001010014", "name", "赵大", "sex", "M", "birth_date", "1920-01-01",
        "region_code", region, "hukou_region_code", region, "address", "进化镇", "last_hukou_import",
        9);
    assert_int_equal(elder_bulk_apply(b, &a, 0, set, &ev, 0, "import", "import", NULL, &id), AL_OK);
    json_decref(set);
    assert_int_equal(al_db_end(db, elder_bulk_end(b, AL_OK)), AL_OK);
    assert_int_equal(elder_store_count(db, &after), AL_OK);
    assert_int_equal(after, before + 1);
    json_t *h = last_history(db, id); /* an import's new record: the import named, no values */
    assert_int_equal(json_object_size(h), 1);
    assert_string_equal(json_string_value(json_object_get(h, "source")), "import:9");
    json_decref(h);
    json_t *e = NULL;
    assert_int_equal(elder_store_get(db, &a, id, true, NULL, &e), AL_OK);
    assert_true(has(json_object_get(e, "categories"), "advanced_age"));
    json_decref(e);
    struct elder_query q = {.q = "进化镇"};
    assert_int_equal(count(db, &a, &q), 1); /* found by the text index */
    al_arena_fini(&a);
}

#define ENGINE_TESTS(setup)                                                                    \
    cmocka_unit_test(create_read_update), cmocka_unit_test(history_masked_on_every_path),      \
        cmocka_unit_test(list_and_search), cmocka_unit_test(contacts_and_lookup),              \
        cmocka_unit_test(bulk_creates)

int
main(void)
{
    if (dual_key() != 0)
        return 1;
    const struct CMUnitTest tests[] = {ENGINE_TESTS()};
    int failed = cmocka_run_group_tests_name("elder_store on SQLite", tests, dual_sqlite_setup,
        dual_teardown);
    failed += cmocka_run_group_tests_name("elder_store on PostgreSQL", tests, dual_pg_setup,
        dual_teardown);
    return failed;
}
