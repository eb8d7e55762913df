/* Routes of the system module: liveness and readiness. */
#include <sqlite3.h>

#include "core/http.h"
#include "system/system.h"

static int
healthz(struct al_req *r)
{
    return al_reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

static int
readyz(struct al_req *r)
{
    static const char sql[] = "SELECT count(*) FROM schema_migrations";
    sqlite3_stmt *st = al_db_stmt(r->db, sql);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (st)
        sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return al_req_fail(r, AL_EUNAVAIL, NULL, "数据库暂不可用");
    return al_reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

static const struct al_route system_routes[] = {
    {AL_GET, "/healthz", healthz, AL_PUBLIC, 0, "存活检查"},
    {AL_GET, "/readyz", readyz, AL_PUBLIC, 0, "就绪检查（数据库可用）"},
    {0},
};

const struct al_module system_module = {.name = "system", .routes = system_routes};
