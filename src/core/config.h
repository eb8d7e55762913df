/*
 * Settings of one running instance.  Defaults, then environment variables
 * (ANLAO_*), then command-line flags.  Read-only once the server runs.
 */
#ifndef AL_CONFIG_H
#define AL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct al_config {
    const char *db_path;      /* --db, ANLAO_DB; default var/anlao.db */
    const char *key_path;     /* ANLAO_KEY; default: anlao.key beside the database */
    const char *data_dir;     /* the database's directory (uploads go to data_dir/uploads) */
    const char *web_root;     /* ANLAO_WEB_ROOT; default web/dist */
    const char *bind;         /* ANLAO_BIND; default 127.0.0.1 */
    int port;                 /* --port, PORT; default 8080 */
    int workers;              /* ANLAO_WORKERS; default: number of cores */
    size_t body_max;          /* ANLAO_BODY_MAX_BYTES; default 1 MiB */
    size_t upload_max;        /* ANLAO_UPLOAD_MAX_BYTES; default 64 MiB (signed-in uploads only) */
    size_t body_budget;       /* ANLAO_BODY_BUDGET_BYTES; request bodies held at once, whole
                                 process; default 256 MiB, at least upload_max */
    int timeout_s;            /* ANLAO_HTTP_TIMEOUT_SECONDS; read/write timeout, default 30 */
    int stream_sndbuf;        /* ANLAO_STREAM_SNDBUF_BYTES: a streamed download's socket send
                                 buffer (RULE-DB-113); 0, the default: the kernel's own sizing */
    int session_idle_s;       /* ANLAO_SESSION_IDLE_SECONDS; default 1800 */
    int session_abs_s;        /* ANLAO_SESSION_ABSOLUTE_SECONDS; default 43200 */
    int login_max_failures;   /* ANLAO_LOGIN_MAX_FAILURES; per account before lock, default 5 */
    int login_lock_s;         /* ANLAO_LOGIN_LOCK_SECONDS; default 900 */
    int ip_max_failures;      /* ANLAO_IP_MAX_FAILURES; per source address in the window, default 20 */
    int ip_window_s;          /* ANLAO_IP_WINDOW_SECONDS; default 900 */
    /* Bounds of an upload (RULE-UPLOAD-001..005): */
    long import_max_rows;     /* ANLAO_IMPORT_MAX_ROWS; lines per file, default 5,000,000 */
    long import_max_errors;   /* ANLAO_IMPORT_MAX_ERROR_ROWS; reasons kept with lines, 10,000 */
    long import_max_s;        /* ANLAO_IMPORT_MAX_SECONDS; one validation or commit, default 1800 */
    size_t xlsx_max_memory;   /* ANLAO_XLSX_MAX_MEMORY_BYTES; reading a workbook, 64 MiB */
    long upload_keep_s;       /* ANLAO_UPLOAD_KEEP_SECONDS; upload awaiting commit, 72 h */
    int sse_keepalive_ms;     /* ANLAO_SSE_KEEPALIVE_MS; comment line on an idle event stream,
                                 default 15000 (RULE-EVENT-007) */
    bool access_log;          /* ANLAO_ACCESS_LOG=0 turns it off */
    const char *server_id;    /* ANLAO_SERVER_ID: this server's name among those of one database
                                 (RULE-JOB-007); default host:port */
    const char *trusted_proxies; /* ANLAO_TRUSTED_PROXIES: proxy addresses whose X-Forwarded-For counts */
};

extern struct al_config al_config;

/* Fill al_config from defaults and the environment. */
void al_config_load_env(void);

#endif
