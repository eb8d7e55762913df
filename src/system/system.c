/* Routes of the system module: liveness and readiness. */
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
    int64_t applied = 0;
    if (al_stmt_int64(al_db_sql(r->db, sql), &applied) != AL_OK)
        return al_req_fail(r, AL_EUNAVAIL, NULL, "数据库暂不可用");
    return al_reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

static const struct al_route system_routes[] = {
    {AL_GET, "/healthz", healthz, AL_PUBLIC, 0, "存活检查"},
    {AL_GET, "/readyz", readyz, AL_PUBLIC, 0, "就绪检查（数据库可用）"},
    {0},
};

const struct al_module system_module = {.name = "system", .routes = system_routes};
