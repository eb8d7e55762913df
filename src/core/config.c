#include "core/config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct al_config al_config;

static long
env_long(const char *name, long dflt, long min, long max)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long x = strtol(v, &end, 10);
    if (*end || x < min || x > max)
        return dflt;
    return x;
}

static const char *
env_str(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return (v && *v) ? v : dflt;
}

void
al_config_load_env(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    al_config.db_path = env_str("ANLAO_DB", "var/anlao.db");
    al_config.key_path = env_str("ANLAO_KEY", NULL);
    al_config.web_root = env_str("ANLAO_WEB_ROOT", "web/dist");
    al_config.bind = env_str("ANLAO_BIND", "127.0.0.1");
    al_config.trusted_proxies = env_str("ANLAO_TRUSTED_PROXIES", NULL);
    al_config.server_id = env_str("ANLAO_SERVER_ID", NULL);
    al_config.sse_keepalive_ms = (int)env_long("ANLAO_SSE_KEEPALIVE_MS", 15000, 100, 600000);
    al_config.port = (int)env_long("PORT", 8080, 1, 65535);
    al_config.workers = (int)env_long("ANLAO_WORKERS", cores > 0 ? cores : 1, 1, 256);
    al_config.body_max = (size_t)env_long("ANLAO_BODY_MAX_BYTES", 1L << 20, 1024, 1L << 30);
    al_config.upload_max = (size_t)env_long("ANLAO_UPLOAD_MAX_BYTES", 64L << 20, 1024, 4L << 30);
    /* RULE-HTTP-002 */
    al_config.body_budget = (size_t)env_long("ANLAO_BODY_BUDGET_BYTES", 256L << 20, 1024, 64L << 30);
    if (al_config.body_budget < al_config.upload_max)
        al_config.body_budget = al_config.upload_max;
    al_config.timeout_s = (int)env_long("ANLAO_HTTP_TIMEOUT_SECONDS", 30, 1, 3600);
    al_config.stream_sndbuf = (int)env_long("ANLAO_STREAM_SNDBUF_BYTES", 0, 0, 64L << 20);
    al_config.session_idle_s = (int)env_long("ANLAO_SESSION_IDLE_SECONDS", 1800, 1, 86400);
    al_config.session_abs_s = (int)env_long("ANLAO_SESSION_ABSOLUTE_SECONDS", 43200, 1, 604800);
    al_config.login_max_failures = (int)env_long("ANLAO_LOGIN_MAX_FAILURES", 5, 1, 1000);
    al_config.login_lock_s = (int)env_long("ANLAO_LOGIN_LOCK_SECONDS", 900, 1, 86400);
    al_config.ip_max_failures = (int)env_long("ANLAO_IP_MAX_FAILURES", 20, 1, 100000);
    al_config.ip_window_s = (int)env_long("ANLAO_IP_WINDOW_SECONDS", 900, 1, 86400);
    al_config.import_max_rows = env_long("ANLAO_IMPORT_MAX_ROWS", 5000000, 1, 100000000);
    al_config.import_max_errors = env_long("ANLAO_IMPORT_MAX_ERROR_ROWS", 10000, 1, 10000000);
    al_config.import_max_s = env_long("ANLAO_IMPORT_MAX_SECONDS", 1800, 1, 86400);
    al_config.xlsx_max_memory =
        (size_t)env_long("ANLAO_XLSX_MAX_MEMORY_BYTES", 64L << 20, 1L << 20, 4L << 30);
    al_config.upload_keep_s = env_long("ANLAO_UPLOAD_KEEP_SECONDS", 72L * 3600, 1, 365L * 86400);
    al_config.access_log = env_long("ANLAO_ACCESS_LOG", 1, 0, 1) != 0;
}
