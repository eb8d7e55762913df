/* The assess module's SQL. */
#include <stdlib.h>
#include <string.h>

#include "assess/assess_int.h"
#include "core/json.h"

int
assess_settings_load(struct al_db *db, struct assess_settings *s)
{
    static const char sql[] = "SELECT key, value FROM settings WHERE key LIKE 'assess.%'";
    *s = (struct assess_settings){.coma_level = 4, .adjust_stack = false};
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        int v = atoi((const char *)sqlite3_column_text(st, 1));
        if (!strcmp(k, "assess.coma_level") && v >= 0 && v <= 4)
            s->coma_level = v;
        else if (!strcmp(k, "assess.adjust_stack"))
            s->adjust_stack = v != 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}

int
assess_store_insert(struct al_db *db, int64_t elder_id, const char *region_code,
    const char *reason, json_t *items, bool coma, json_t *diagnoses, json_t *risks,
    const struct assess_result *r, int64_t user_id, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO assessments(elder_id, region_code, reason, items, coma, diagnoses,"
        " risk_events, total, domain_scores, preliminary_level, final_level, rules, created_by,"
        " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    json_t *domains = json_array(), *rules = json_array();
    for (int i = 0; i < ASSESS_DOMAINS; i++)
        json_array_append_new(domains, json_integer(r->domain[i]));
    for (int i = 0; i < r->nrules; i++)
        json_array_append_new(rules, json_string(r->rules[i]));
    sqlite3_bind_int64(st, 1, elder_id);
    al_db_bind_text(st, 2, region_code);
    al_db_bind_text(st, 3, reason);
    al_db_bind_json(st, 4, coma ? NULL : items);
    sqlite3_bind_int(st, 5, coma);
    if (diagnoses)
        al_db_bind_json(st, 6, diagnoses);
    else
        al_db_bind_text(st, 6, "[]");
    if (risks)
        al_db_bind_json(st, 7, risks);
    else
        al_db_bind_text(st, 7, "{}");
    if (coma) {
        sqlite3_bind_null(st, 8);
        sqlite3_bind_null(st, 9);
    } else {
        sqlite3_bind_int(st, 8, r->total);
        al_db_bind_json(st, 9, domains);
    }
    sqlite3_bind_int(st, 10, r->preliminary);
    sqlite3_bind_int(st, 11, r->final);
    al_db_bind_json(st, 12, rules);
    sqlite3_bind_int64(st, 13, user_id);
    sqlite3_bind_int64(st, 14, now);
    sqlite3_bind_int64(st, 15, now);
    int rc = al_db_check(db, sqlite3_step(st));
    sqlite3_reset(st);
    json_decref(domains);
    json_decref(rules);
    *id = sqlite3_last_insert_rowid(al_db_handle(db));
    return rc;
}

int
assess_store_history(struct al_db *db, struct al_arena *a, int64_t elder_id, json_t *out)
{
    static const char sql[] =
        "SELECT s.id, s.scale, s.reason, s.status, s.items, s.coma, s.diagnoses, s.risk_events,"
        " s.total, s.domain_scores, s.preliminary_level, s.final_level, s.rules, u.display_name,"
        " s.created_at, s.version FROM assessments s JOIN users u ON u.id = s.created_by"
        " WHERE s.elder_id = ? ORDER BY s.id DESC";
    sqlite3_stmt *st = al_db_stmt(db, sql);
    if (!st)
        return AL_EDB;
    sqlite3_bind_int64(st, 1, elder_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
        static const char *texts[] = {NULL, "scale", "reason", "status"};
        for (int i = 1; i <= 3; i++)
            json_object_set_new(o, texts[i], json_string((const char *)sqlite3_column_text(st, i)));
        static const struct {
            int col;
            const char *key;
        } js[] = {{4, "items"}, {6, "diagnoses"}, {7, "risk_events"}, {9, "domain_scores"},
            {12, "rules"}};
        for (size_t i = 0; i < sizeof(js) / sizeof(js[0]); i++) {
            const char *t = (const char *)sqlite3_column_text(st, js[i].col);
            json_t *v = t ? json_loads(t, 0, NULL) : NULL;
            json_object_set_new(o, js[i].key, v ? v : json_null());
        }
        json_object_set_new(o, "coma", json_boolean(sqlite3_column_int(st, 5)));
        json_object_set_new(o, "total", sqlite3_column_type(st, 8) == SQLITE_NULL
                                            ? json_null()
                                            : json_integer(sqlite3_column_int(st, 8)));
        int pre = sqlite3_column_int(st, 10), fin = sqlite3_column_int(st, 11);
        json_object_set_new(o, "preliminary_level", json_integer(pre));
        json_object_set_new(o, "final_level", json_integer(fin));
        json_object_set_new(o, "final_level_name", json_string(assess_level_names[fin]));
        json_object_set_new(o, "assessor", json_string((const char *)sqlite3_column_text(st, 13)));
        json_object_set_new(o, "created_at", json_string(al_json_time(a, sqlite3_column_int64(st, 14))));
        json_object_set_new(o, "version", json_integer(sqlite3_column_int64(st, 15)));
        json_array_append_new(out, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? AL_OK : al_db_check(db, rc);
}
