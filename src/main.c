/*
 * anlao — the command line: serve, migrate, seed, user, routes, backup, audit.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/modules.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/db.h"
#include "core/events.h"
#include "core/http.h"
#include "core/idcard.h"
#include "core/jobs.h"
#include "core/json.h"
#include "core/log.h"
#include "entitle/entitle.h"
#include "device/device.h"
#include "gen/gen.h"
#include "identify/identify.h"
#include "import/import.h"
#include "region/region.h"
#include "timebank/timebank.h"
#include "user/user.h"

static void
usage(FILE *f)
{
    fputs("用法 (usage): anlao <命令> [选项]\n"
          "  serve   [--db PATH] [--port N] [--demo]   启动服务（新数据库自动迁移并创建管理员）\n"
          "  migrate [--db PATH]                       执行数据库迁移\n"
          "  seed --demo [--db PATH]                   写入演示数据（凤冈县）\n"
          "  user add --username U --role R --region CODE [--display-name N] [--password P]\n"
          "                                            新增用户（不给密码则生成并打印）\n"
          "  import --kind hukou|roll|disability|death|pension|legacy_assessment|benefit FILE [--sheet NAME] [--commit] [--valid-only] [--partial]\n"
          "                                            导入部门数据（先校验；--commit 全部有效时写入）\n"
          "  gen --elders N --out DIR [--seed S] [--bad-percent P] [--today YYYY-MM-DD]\n"
          "                                            生成五类部门数据文件（默认 2% 错误行）\n"
          "  identify [--db PATH]                      精准识别：重算类别并生成工作清单\n"
          "  entitle --region CODE [--date YYYY-MM-DD] 享受资格认定：辖区老人逐一对照服务清单\n"
          "  devsim --port N --serial S --password P [--count N] [--kind K] [--type T] ...\n"
          "                                            设备模拟器：按设备协议发送并重发直到确认\n"
          "  routes [--markdown]                       打印路由表\n"
          "  backup FILE [--db PATH]                   在线备份数据库（PostgreSQL：pg_dump，\n"
          "                                            FILE 以 / 结尾为目录格式，.sql 为纯 SQL）\n"
          "  timebank verify [--db PATH]               校验时间银行账本（完好时退出码为 0，否则 3）\n"
          "  timebank expire [--db PATH]               时间过期清理（按先存先用，幂等）\n"
          "  audit verify [--db PATH]                  校验审计链（完整时退出码为 0）\n"
          "环境变量: ANLAO_DB, PORT, ANLAO_ADMIN_PASSWORD, ANLAO_WORKERS, ANLAO_KEY ...\n",
        f);
}

/* Value of --name in argv, or NULL. */
static const char *
opt(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc - 1; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static int
has_flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

/*
 * Options of `argv` (a command's arguments) not among `known`, a space-separated
 * list where a trailing '=' marks an option that takes a value ("--db= --demo"):
 * a typo must not pass silently.  0 when all are known, else 2 after saying why.
 */
static int
check_options(const char *cmd, int argc, char **argv, const char *known)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0)
            continue; /* a positional argument (a file) */
        size_t len = strlen(argv[i]);
        const char *k = strstr(known, argv[i]);
        while (k && ((k != known && k[-1] != ' ') || (k[len] && k[len] != ' ' && k[len] != '=')))
            k = strstr(k + 1, argv[i]);
        if (!k) {
            fprintf(stderr, "anlao %s 不认识选项 %s（anlao help 查看用法）\n", cmd, argv[i]);
            return 2;
        }
        if (k[len] == '=' && (++i >= argc || strncmp(argv[i], "--", 2) == 0)) {
            fprintf(stderr, "选项 %s 需要一个值\n", argv[i - 1]);
            return 2;
        }
    }
    return 0;
}

/* Settings, key and an up-to-date database.  Exits on failure. */
/*
 * The key file and the database belong together: the database records a
 * check value of its key at first use.  A missing key file is created only
 * for a database that has never had one (a restored database without its key
 * would otherwise get a new key and lose every encrypted ID number); a key
 * that is not the database's is refused.
 */
static int
key_matches_db(struct al_db *db)
{
    static const char sql_get[] = "SELECT value FROM settings WHERE key = 'crypto.key_check'";
    static const char sql_put[] = "INSERT INTO settings(key, value) VALUES ('crypto.key_check', ?)";
    char stored[65] = "", label[512];
    struct al_stmt *st = al_db_sql(db, sql_get);
    if (!st)
        return -1;
    int found = al_stmt_one(st);
    if (found == AL_OK) {
        snprintf(stored, sizeof(stored), "%s", al_stmt_text(st, 0));
        al_stmt_reset(st);
    } else if (found != AL_ENOTFOUND) {
        return -1;
    }
    if (*stored && access(al_config.key_path, F_OK) != 0) {
        fprintf(stderr, "找不到密钥文件 %s：该数据库已有加密数据，不能换用新密钥。"
                        "请从备份恢复密钥文件，或用 ANLAO_KEY 指定它的位置。\n", al_config.key_path);
        return -1;
    }
    if (al_crypto_load_key(al_config.key_path) != AL_OK)
        return -1;
    char check[65];
    al_crypto_keyed_hash_hex("keycheck", "anlao", 5, check);
    if (*stored && strcmp(stored, check) != 0) {
        fprintf(stderr, "密钥文件 %s 与数据库 %s 不匹配（不是这个数据库的密钥）。\n",
            al_config.key_path, al_db_label(al_config.db_path, label, sizeof(label)));
        return -1;
    }
    if (*stored)
        return 0;
    if (!(st = al_db_sql(db, sql_put)))
        return -1;
    al_stmt_bind_text(st, 1, check);
    return al_stmt_run(st) == AL_OK ? 0 : -1;
}

static struct al_db *
open_ready(int argc, char **argv)
{
    const char *db_path = opt(argc, argv, "--db");
    if (db_path)
        al_config.db_path = db_path;
    const char *port = opt(argc, argv, "--port");
    if (port) {
        char *end;
        long p = strtol(port, &end, 10);
        if (*end || p < 1 || p > 65535) {
            fprintf(stderr, "端口应为 1 到 65535 之间的整数: %s\n", port);
            exit(2);
        }
        al_config.port = (int)p;
    }
    /* Uploads and the key live beside a database file; a server database has ANLAO_DATA_DIR. */
    const char *data_dir = getenv("ANLAO_DATA_DIR");
    const char *beside = al_db_is_server(al_config.db_path) ? NULL : al_config.db_path;
    char *dir_of_db = NULL;
    if (beside) {
        char *copy = strdup(beside);
        dir_of_db = copy ? strdup(dirname(copy)) : NULL;
        free(copy);
    }
    if (!data_dir || !*data_dir)
        data_dir = dir_of_db ? dir_of_db : "var";
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "无法创建数据目录: %s\n", data_dir);
        exit(1);
    }
    al_config.data_dir = data_dir;
    if (!al_config.key_path) {
        char *key = malloc(strlen(data_dir) + 16);
        if (!key)
            exit(1);
        sprintf(key, "%s/anlao.key", data_dir);
        al_config.key_path = key;
    }
    struct al_db *db = NULL;
    if (al_db_open(al_config.db_path, &db) != AL_OK || al_db_migrate(db) != AL_OK ||
        region_load_embedded(db) != AL_OK) {
        char label[512];
        fprintf(stderr, "数据库初始化失败: %s\n",
            al_db_label(al_config.db_path, label, sizeof(label)));
        exit(1);
    }
    if (key_matches_db(db) != 0)
        exit(1);
    return db;
}

/* On a database without an admin, create `admin` (password from the environment or generated). */
static int
ensure_admin(struct al_db *db, struct al_arena *a)
{
    int64_t n = 0;
    if (al_db_count(db, "SELECT count(*) FROM users WHERE role_id = 'admin'", NULL, &n) != AL_OK)
        return 1;
    if (n > 0)
        return 0;
    const char *pw = getenv("ANLAO_ADMIN_PASSWORD");
    struct user_new in = {.username = "admin", .display_name = "系统管理员", .role = "admin",
        .region_code = "", .password = (pw && *pw) ? pw : NULL,
        /* The installer's own choice (ANLAO_ADMIN_PASSWORD) is kept; a generated one is not. */
        .must_change_password = (pw && *pw) ? 0 : -1};
    int64_t id;
    char generated[13] = "";
    struct al_errinfo e = {0};
    if (user_create_direct(db, a, &in, "system", &id, generated, &e) != AL_OK) {
        fprintf(stderr, "无法创建管理员 admin：%s\n", e.message[0] ? e.message : "数据库错误");
        return 1;
    }
    if (generated[0])
        printf("已创建管理员：用户名 admin，初始密码 %s（仅显示这一次，首次登录需修改）\n", generated);
    else
        printf("已创建管理员：用户名 admin，密码为 ANLAO_ADMIN_PASSWORD 的值\n");
    fflush(stdout);
    return 0;
}

/*
 * The demo county 凤冈县 (520327), seeded by its modules (src/app/seed.c):
 * ANLAO_DEMO_PASSWORD for the accounts (default Anlao2026), ANLAO_DEMO_ELDERS
 * older residents (default 60000).
 */
static int
seed_demo(struct al_db *db, struct al_arena *a)
{
    const char *pw = getenv("ANLAO_DEMO_PASSWORD");
    const char *n_env = getenv("ANLAO_DEMO_ELDERS");
    long long n = n_env && *n_env ? atoll(n_env) : 60000;
    struct app_demo o = {.elders = n > 0 ? n : 0, .password = pw && *pw ? pw : "Anlao2026"};
    struct al_errinfo e = {0};
    if (app_seed_demo(db, a, &o, &e) != AL_OK) {
        fprintf(stderr, "%s\n", e.message[0] ? e.message : "演示数据写入失败：数据库错误");
        return 1;
    }
    return 0;
}

static int
cmd_serve(int argc, char **argv)
{
    struct al_db *db = open_ready(argc, argv);
    struct al_arena a;
    al_arena_init(&a, 4096);
    int rc = ensure_admin(db, &a);
    if (rc == 0 && has_flag(argc, argv, "--demo"))
        rc = seed_demo(db, &a);
    char msg[512];
    if (rc == 0 && app_routes_check(db, msg, sizeof(msg)) != AL_OK) {
        fprintf(stderr, "路由表有误，服务未启动：%s\n", msg);
        rc = 1;
    }
    if (rc == 0)
        import_uploads_sweep(db, (int64_t)time(NULL), true); /* RULE-UPLOAD-005: before any job */
    al_arena_fini(&a);
    al_db_close(db);
    if (rc)
        return rc;
    struct stat sb;
    char index[1024];
    snprintf(index, sizeof(index), "%s/index.html", al_config.web_root);
    if (stat(index, &sb) != 0)
        al_warn("web app not found at %s (run make web); the API still works", al_config.web_root);
    printf("安老已启动：http://%s:%d  （用户名 admin；按 Ctrl+C 停止）\n", al_config.bind,
        al_config.port);
    fflush(stdout);
    /* RULE-JOB-007: this server's name among the servers of the database. */
    char server_id[128], host[64] = "localhost";
    if (al_config.server_id) {
        snprintf(server_id, sizeof(server_id), "%s", al_config.server_id);
    } else {
        gethostname(host, sizeof(host) - 1);
        snprintf(server_id, sizeof(server_id), "%s:%d", host, al_config.port);
    }
    if (al_events_start(al_config.db_path) != AL_OK)
        al_warn("live events: the listening connection is not up yet; retrying");
    if (al_jobs_start(al_config.db_path, server_id, app_modules) != AL_OK) {
        fputs("无法启动后台任务线程\n", stderr);
        al_events_stop();
        return 1;
    }
    if (device_ingest_start(al_config.db_path) != AL_OK) /* issue 14: MQTT when configured */
        al_warn("mqtt: the ingest thread did not start");
    rc = al_http_serve(app_modules, app_dispatch, auth_signed_in) == AL_OK ? 0 : 1;
    device_ingest_stop();
    al_jobs_stop();
    al_events_stop();
    return rc;
}

static int
cmd_migrate(int argc, char **argv)
{
    al_db_close(open_ready(argc, argv));
    char label[512];
    printf("数据库已是最新：%s\n", al_db_label(al_config.db_path, label, sizeof(label)));
    return 0;
}

static int
cmd_seed(int argc, char **argv)
{
    if (!has_flag(argc, argv, "--demo")) {
        fputs("请指定 --demo\n", stderr);
        return 2;
    }
    struct al_db *db = open_ready(argc, argv);
    struct al_arena a;
    al_arena_init(&a, 4096);
    int rc = ensure_admin(db, &a);
    if (rc == 0)
        rc = seed_demo(db, &a);
    al_arena_fini(&a);
    al_db_close(db);
    return rc;
}

static int
cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        fputs("用法: anlao user add --username U --role R --region CODE [--display-name N] "
              "[--password P] [--db PATH]\n",
            stderr);
        return 2;
    }
    struct user_new in = {.username = opt(argc, argv, "--username"),
        .role = opt(argc, argv, "--role"), .region_code = opt(argc, argv, "--region"),
        .display_name = opt(argc, argv, "--display-name"),
        .password = opt(argc, argv, "--password"), .must_change_password = -1};
    if (!in.username || !in.role || !in.region_code) {
        fputs("需要 --username、--role 和 --region（全国范围用 --region \"\"）\n", stderr);
        return 2;
    }
    if (!in.display_name)
        in.display_name = in.username;
    struct al_db *db = open_ready(argc, argv);
    struct al_arena a;
    al_arena_init(&a, 4096);
    int64_t id = 0;
    char generated[13] = "";
    struct al_errinfo e = {0};
    int rc = user_create_direct(db, &a, &in, "cli", &id, generated, &e);
    if (rc == AL_OK) {
        printf("已创建用户 %s（编号 %lld）\n", in.username, (long long)id);
        if (generated[0])
            printf("初始密码：%s（仅显示这一次，首次登录需修改）\n", generated);
    } else {
        fprintf(stderr, "创建失败：%s%s%s\n", e.message[0] ? e.message : "数据库错误",
            e.field ? "（字段 " : "", e.field ? e.field : "");
        if (e.field)
            fputs("）\n", stderr);
    }
    al_arena_fini(&a);
    al_db_close(db);
    return rc == AL_OK ? 0 : 1;
}

/* Progress on stderr, at most once per 5 % and phase. */
static void
cli_progress(void *ctx, const char *phase, int64_t done, int64_t total)
{
    (void)ctx;
    static int last_pct = -1;
    static char last_phase[64];
    int pct = total > 0 ? (int)(done * 100 / total) : 100;
    if (strcmp(phase, last_phase) != 0)
        last_pct = -1;
    if (pct / 5 == last_pct / 5 && last_pct >= 0)
        return;
    last_pct = pct;
    snprintf(last_phase, sizeof(last_phase), "%s", phase);
    fprintf(stderr, "%s %d%%\n", phase, pct);
}

static int
cmd_import(int argc, char **argv)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            if (!strcmp(argv[i], "--db") || !strcmp(argv[i], "--kind") || !strcmp(argv[i], "--sheet"))
                i++;
            continue;
        }
        file = argv[i];
    }
    struct import_options o = {.kind = opt(argc, argv, "--kind"), .path = file,
        .sheet = opt(argc, argv, "--sheet"),
        .commit = has_flag(argc, argv, "--commit"), .valid_only = has_flag(argc, argv, "--valid-only"),
        .partial = has_flag(argc, argv, "--partial"),
        .username = "cli", .progress = cli_progress,
        .now = (int64_t)time(NULL)}; /* RULE-DB-102: the import's one clock read */
    if (!o.kind || !file) {
        fputs("用法: anlao import --db PATH --kind hukou|roll|disability|death|pension|legacy_assessment FILE "
              "[--sheet 工作表名] [--commit] [--valid-only] [--partial]\n",
            stderr);
        return 2;
    }
    struct al_db *db = open_ready(argc, argv);
    struct import_summary s;
    struct al_errinfo e = {0};
    int rc = import_run(db, &o, &s, &e);
    al_db_close(db);
    if (rc != AL_OK) {
        fprintf(stderr, "导入失败：%s\n", e.message[0] ? e.message : "数据库错误");
        printf("{\"rows\":0,\"accepted\":0,\"rejected\":0,\"committed\":false}\n");
        return 1;
    }
    /* RULE-IMPORT-019, RULE-UPLOAD-001: the sheet, the header row, the blank rows skipped. */
    if (s.sheet[0])
        fprintf(stderr, "读取工作表“%s”（共 %d 个工作表），表头在第 %d 行%s\n", s.sheet, s.n_sheets,
            s.header_row, s.n_candidates > 1 ? "；另有工作表也符合，可用 --sheet 指定" : "");
    else if (s.header_row > 1)
        fprintf(stderr, "表头在第 %d 行\n", s.header_row);
    fprintf(stderr, "导入 #%lld（%s）：共 %lld 行，有效 %lld，被拒 %lld，空行跳过 %lld；新增 %lld，"
                    "变更 %lld，未变 %lld，死亡 %lld，迁移 %lld，未满年龄跳过 %lld%s\n",
        (long long)s.id, s.encoding, (long long)s.rows, (long long)s.accepted,
        (long long)s.rejected, (long long)s.blank_rows, (long long)s.created, (long long)s.changed, (long long)s.unchanged,
        (long long)s.deaths, (long long)s.moves, (long long)s.skipped_age,
        o.commit && !s.committed ? "；存在被拒行，未写入（可加 --valid-only 只写入有效行）" : "");
    printf("{\"rows\":%lld,\"accepted\":%lld,\"rejected\":%lld,\"committed\":%s}\n",
        (long long)s.rows, (long long)s.accepted, (long long)s.rejected,
        s.committed ? "true" : "false");
    return 0;
}

/* "2", "0.5", "12.5" (percent, at most one decimal) → per mille, or -1. */
static int
percent_per_mille(const char *s)
{
    int v = 0, dec = -1;
    for (const char *p = s; *p; p++) {
        if (*p == '.' && dec < 0)
            dec = 0;
        else if (*p >= '0' && *p <= '9' && (dec < 0 ? v <= 100 : dec++ < 1))
            v = v * 10 + (*p - '0');
        else
            return -1;
    }
    v = dec == 1 ? v : v * 10;
    return s[0] && s[0] != '.' && v <= 1000 ? v : -1;
}

static int
cmd_gen(int argc, char **argv)
{
    const char *n = opt(argc, argv, "--elders"), *out = opt(argc, argv, "--out");
    const char *seed = opt(argc, argv, "--seed"), *pct = opt(argc, argv, "--bad-percent");
    const char *pm = opt(argc, argv, "--bad-per-mille"), *day = opt(argc, argv, "--today");
    char today[11], *end = NULL;
    al_today_cst(today);
    struct gen_options o = {.out_dir = out, .seed = 1, .bad_per_mille = 20,
        .today = day ? day : today};
    int ok = n && out;
    if (n) {
        errno = 0;
        o.elders = strtoll(n, &end, 10);
        ok = ok && !errno && !*end && o.elders >= 1 && o.elders <= GEN_MAX_ELDERS;
    }
    if (seed) {
        errno = 0;
        o.seed = strtoull(seed, &end, 10);
        ok = ok && !errno && *seed && *seed != '-' && !*end;
    }
    if (pct) {
        ok = ok && (o.bad_per_mille = percent_per_mille(pct)) >= 0;
    } else if (pm) { /* the older spelling, in per mille */
        long v = strtol(pm, &end, 10);
        ok = ok && *pm && !*end && v >= 0 && v <= 1000;
        o.bad_per_mille = (int)v;
    }
    if (!ok) {
        fprintf(stderr, "用法: anlao gen --elders N(1–%d) --out DIR [--seed S(默认 1)]"
                        " [--bad-percent 0–100(默认 2，可一位小数)] [--today YYYY-MM-DD]\n",
            GEN_MAX_ELDERS);
        return 2;
    }
    struct gen_counts c;
    struct al_errinfo ge = {0};
    int grc = gen_write(&o, &c, &ge);
    if (grc != AL_OK) {
        fprintf(stderr, "生成失败：%s\n", ge.message);
        return grc == AL_EINVAL ? 2 : 1;
    }
    /* One JSON line: rows and bad rows per file, the bad ones split by defect. */
    printf("{");
    for (int k = 0; k < GEN_FILES; k++) {
        printf("%s\"%s\":{\"rows\":%lld,\"bad\":%lld,\"defects\":{", k ? "," : "",
            gen_file_kinds[k], (long long)c.rows[k], (long long)c.bad[k]);
        for (int d = 0, first = 1; d < GEN_DEFECTS; d++)
            if (c.defects[k][d]) {
                printf("%s\"%s\":%lld", first ? "" : ",", gen_defect_ids[d],
                    (long long)c.defects[k][d]);
                first = 0;
            }
        printf("}}");
    }
    printf("}\n");
    return 0;
}

static int
cmd_identify(int argc, char **argv)
{
    struct al_db *db = open_ready(argc, argv);
    struct identify_result r;
    int rc = identify_run(db, (int64_t)time(NULL), 0, "cli", "local", &r); /* the run's one read */
    al_db_close(db);
    if (rc != AL_OK) {
        fputs("精准识别失败：数据库错误\n", stderr);
        return 1;
    }
    fprintf(stderr, "精准识别 #%lld%s：扫描 %lld 人，类别变化 %lld 人，用时 %lld 毫秒\n",
        (long long)r.run_id, r.baseline ? "（首次运行，建立基线）" : "", (long long)r.scanned,
        (long long)r.recomputed, (long long)r.duration_ms);
    printf("{\"run\":%lld,\"baseline\":%s,\"scanned\":%lld,\"recomputed\":%lld,"
           "\"duration_ms\":%lld",
        (long long)r.run_id, r.baseline ? "true" : "false", (long long)r.scanned,
        (long long)r.recomputed, (long long)r.duration_ms);
    for (int i = 0; i < 5; i++)
        printf(",\"%s\":%lld", identify_list_ids[i], (long long)r.counts[i]);
    printf("}\n");
    return 0;
}

/* RULE-ENT-060: `anlao entitle --region CODE [--date D]`, the run of the page from a shell. */
static int
cmd_entitle(int argc, char **argv)
{
    const char *region = opt(argc, argv, "--region");
    if (!region) {
        fputs("用法: anlao entitle --region CODE [--date YYYY-MM-DD] [--db PATH]\n", stderr);
        return 2;
    }
    struct al_db *db = open_ready(argc, argv);
    struct entitle_run_opts o = {.region = region, .date = opt(argc, argv, "--date"),
        .username = "cli", .client_ip = "local"};
    json_t *res = NULL;
    struct al_errinfo e = {0};
    int rc = entitle_run(db, &o, &res, &e);
    al_db_close(db);
    if (rc != AL_OK) {
        fprintf(stderr, "%s\n", e.message[0] ? e.message : "享受资格认定失败");
        return rc == AL_EINVAL ? 2 : 1;
    }
    fprintf(stderr, "享受资格认定 #%lld%s：%lld 位老人，%lld 次规则判断，新增符合 %lld 项，"
                    "不再符合 %lld 项，待落实 %lld 人，用时 %lld 毫秒\n",
        (long long)json_integer_value(json_object_get(res, "run_id")),
        json_is_true(json_object_get(res, "baseline")) ? "（首次运行，建立基线）" : "",
        (long long)json_integer_value(json_object_get(res, "elders")),
        (long long)json_integer_value(json_object_get(res, "evaluations")),
        (long long)json_integer_value(json_object_get(res, "gained")),
        (long long)json_integer_value(json_object_get(res, "lost")),
        (long long)json_integer_value(json_object_get(res, "todo")),
        (long long)json_integer_value(json_object_get(res, "duration_ms")));
    char *s = al_json_dump_heap(res);
    printf("%s\n", s ? s : "{}");
    free(s);
    json_decref(res);
    return 0;
}

static int
cmd_routes(int argc, char **argv)
{
    int md = has_flag(argc, argv, "--markdown");
    if (md)
        printf("# API 路由表\n\n由 `anlao routes --markdown` 从各模块的路由表生成，请勿手工修改。\n\n"
               "| 模块 | 方法 | 路径 | 权限 | 说明 |\n|---|---|---|---|---|\n");
    for (const struct al_module *const *m = app_modules; *m; m++)
        for (const struct al_route *r = (*m)->routes; r->path; r++) {
            if (md)
                printf("| %s | %s | `%s` | %s | %s |\n", (*m)->name, al_method_name(r->method),
                    r->path, r->permission, r->summary ? r->summary : "");
            else
                printf("%-10s %-6s %-32s %-16s %s\n", (*m)->name, al_method_name(r->method),
                    r->path, r->permission, r->summary ? r->summary : "");
        }
    return 0;
}

static int
cmd_backup(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fputs("用法: anlao backup FILE [--db PATH]\n", stderr);
        return 2;
    }
    const char *dest = argv[1];
    if (access(dest, F_OK) == 0) {
        fprintf(stderr, "备份文件已存在，不会覆盖：%s\n", dest);
        return 1;
    }
    struct al_db *db = open_ready(argc, argv);
    int rc = al_db_backup(db, dest);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "system.backup", .target_type = "file",
            .target_id = dest, .outcome = "success"};
        audit_append_as(db, 0, "cli", "local", &e);
        printf("已备份到 %s（请同时妥善保存密钥文件 %s）\n", dest, al_config.key_path);
    } else if (rc == AL_EUNAVAIL && al_db_is_server(al_config.db_path)) { /* RULE-DB-003 */
        fputs("备份失败：未找到 pg_dump。备份 PostgreSQL 数据库需要 PostgreSQL 客户端"
              "（Debian：apt-get install postgresql-client，版本不低于数据库服务器）。\n"
              "Backup failed: pg_dump not found in PATH; install the PostgreSQL client"
              " (Debian: postgresql-client).\n",
            stderr);
    } else {
        fputs("备份失败，详见上方日志\n", stderr);
    }
    al_db_close(db);
    return rc == AL_OK ? 0 : 1;
}

static int
cmd_audit(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        fputs("用法: anlao audit verify [--db PATH]\n", stderr);
        return 2;
    }
    struct al_db *db = open_ready(argc, argv);
    int64_t count = 0, bad = 0;
    char msg[256];
    int rc = audit_verify(db, &count, &bad, msg, sizeof(msg));
    al_db_close(db);
    if (rc == AL_OK) {
        printf("%s\n", msg);
        return 0;
    }
    if (rc == AL_ECONFLICT) {
        fprintf(stderr, "审计链已损坏：%s（首个异常条目 id=%lld）\n", msg, (long long)bad);
        return 3;
    }
    fputs("审计链校验失败：数据库错误\n", stderr);
    return 1;
}

/* RULE-TB-030: the time bank's ledger checked; exit 3 naming the first break. */
static int
cmd_timebank(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "expire") != 0)) {
        fputs("用法: anlao timebank verify|expire [--db PATH]\n", stderr);
        return 2;
    }
    struct al_db *db = open_ready(argc, argv);
    if (strcmp(argv[1], "expire") == 0) { /* RULE-TB-061 */
        struct al_errinfo e = {0};
        int64_t members = 0, minutes = 0;
        int erc = timebank_expire(db, (int64_t)time(NULL), "cli", &members, &minutes, &e);
        al_db_close(db);
        if (erc != AL_OK) {
            fprintf(stderr, "时间过期清理失败：%s\n", e.message[0] ? e.message : "数据库错误");
            return 1;
        }
        printf("过期失效：%lld 名成员，共 %lld 分钟\n", (long long)members, (long long)minutes);
        return 0;
    }
    int64_t n = 0;
    char msg[384];
    int rc = timebank_verify(db, &n, msg, sizeof(msg));
    al_db_close(db);
    if (rc == AL_OK) {
        printf("%s\n", msg);
        return 0;
    }
    if (rc == AL_ECONFLICT) {
        fprintf(stderr, "时间银行账本有误：%s\n", msg);
        return 3;
    }
    fputs("时间银行账本校验失败：数据库错误\n", stderr);
    return 1;
}

int
main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* RULE-AUTH-008: what anlao creates (database, -wal/-shm, key, backups, uploads, exports)
     * is its owner's only. */
    umask(077);
    al_config_load_env();
    al_json_init();
    if (al_crypto_init() != AL_OK) {
        fputs("libsodium 初始化失败\n", stderr);
        return 1;
    }
    /* The options each command knows (see check_options); --db everywhere. */
    static const struct {
        const char *name;
        int (*fn)(int, char **);
        const char *options;
    } cmds[] = {
        {"serve", cmd_serve, "--db= --port= --demo"},
        {"migrate", cmd_migrate, "--db="},
        {"seed", cmd_seed, "--db= --demo"},
        {"user", cmd_user, "--db= --username= --role= --region= --display-name= --password="},
        {"routes", cmd_routes, "--db= --markdown"},
        {"backup", cmd_backup, "--db="},
        {"audit", cmd_audit, "--db="},
        {"timebank", cmd_timebank, "--db="},
        {"import", cmd_import, "--db= --kind= --sheet= --commit --valid-only --partial"},
        {"identify", cmd_identify, "--db="},
        {"entitle", cmd_entitle, "--db= --region= --date="},
        {"devsim", device_devsim_main,
            "--host= --port= --serial= --password= --devices= --count= --kind= --type= "
            "--battery= --seq-start= --resend-ms= --interval-ms= --timeout-s= --window= --topic= "
            "--payload= --rate= --sends= --together --start-file="},
        {"gen", cmd_gen, "--db= --elders= --out= --seed= --bad-percent= --bad-per-mille= --today="},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(argv[1], cmds[i].name) == 0) {
            int rc = check_options(argv[1], argc - 1, argv + 1, cmds[i].options);
            return rc ? rc : cmds[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "未知命令：%s\n", argv[1]);
    usage(stderr);
    return 2;
}
