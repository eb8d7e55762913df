/*
 * al_db_backup on PostgreSQL (`anlao backup FILE --db postgresql://…`): pg_dump
 * into FILE in the format its name asks for, with the tables of the schema;
 * the password split off into the child's environment, never an argument
 * (RULE-DB-002); a clear refusal when pg_dump is not installed (RULE-DB-003).
 * The throwaway PostgreSQL comes from `make unit` (ANLAO_TEST_PG).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/db.h"
#include "core/db_int.h"
#include "dual.h"
#include "unit.h"

static const char *dir; /* dual_dir(): the dumps and the fake pg_dump */

/* dual_prepare: a row to find in the dumps. */
static int
prepare(struct al_db *db, enum dual_engine engine)
{
    (void)engine;
    static const char marker[] = "INSERT INTO settings(key, value) VALUES ('backup.marker', 'k7q')";
    return al_db_exec(db, marker) == AL_OK ? 0 : -1;
}

/* The whole file (NUL-terminated, may contain NULs before), or NULL. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = '\0';
        *len = (size_t)n;
    }
    return p;
}

/* RULE-DB-002: a plain SQL dump holds every table of the schema and their rows. */
static void
plain_dump_has_the_tables(void **state)
{
    struct al_db *db = *state;
    char dest[128];
    snprintf(dest, sizeof(dest), "%s/anlao.sql", dir);
    assert_int_equal(al_db_backup(db, dest), AL_OK);
    struct stat sb;
    assert_int_equal(stat(dest, &sb), 0);
    assert_int_equal(sb.st_mode & 077, 0); /* RULE-AUTH-008 */
    size_t len = 0;
    char *sql = slurp(dest, &len);
    assert_non_null(sql);
    static const char *const tables[] = {"elders", "identify_runs", "identify_items",
        "identify_state", "imports", "users", "audit_log", "schema_migrations", "regions"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "CREATE TABLE public.%s (", tables[i]);
        if (!strstr(sql, want))
            fail_msg("the dump has no %s", want);
    }
    assert_non_null(strstr(sql, "backup.marker\tk7q")); /* the rows too (COPY … FROM stdin) */
    free(sql);
}

/* RULE-DB-002: any other name is pg_dump's custom format (for pg_restore); "/" a directory. */
static void
custom_and_directory_formats(void **state)
{
    struct al_db *db = *state;
    char dest[128];
    snprintf(dest, sizeof(dest), "%s/anlao.dump", dir);
    assert_string_equal(al_pg_dump_format(dest), "custom");
    assert_int_equal(al_db_backup(db, dest), AL_OK);
    size_t len = 0;
    char *p = slurp(dest, &len);
    assert_non_null(p);
    assert_true(len > 5 && !memcmp(p, "PGDMP", 5));
    free(p);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "pg_restore -l %s | grep -q 'TABLE public identify_runs'", dest);
    assert_int_equal(system(cmd), 0);

    snprintf(dest, sizeof(dest), "%s/anlao.dir/", dir);
    assert_string_equal(al_pg_dump_format(dest), "directory");
    assert_int_equal(al_db_backup(db, dest), AL_OK);
    snprintf(cmd, sizeof(cmd), "%s/toc.dat", dest);
    assert_int_equal(access(cmd, R_OK), 0);
    assert_string_equal(al_pg_dump_format("x.sql"), "plain");
}

/* RULE-DB-002: the password leaves the settings handed to pg_dump as an argument. */
static void
password_kept_out_of_arguments(void **state)
{
    (void)state;
    char conn[1024], pw[256];
    assert_int_equal(al_pg_dump_conninfo("postgresql://anlao:s3cr%27t@db.local:5433/anlao"
                                         "?sslmode=disable",
                         conn, sizeof(conn), pw, sizeof(pw)),
        AL_OK);
    assert_string_equal(pw, "s3cr't"); /* percent-decoded, for PGPASSWORD */
    assert_null(strstr(conn, "s3cr"));
    assert_non_null(strstr(conn, "user='anlao'"));
    assert_non_null(strstr(conn, "host='db.local'"));
    assert_non_null(strstr(conn, "port='5433'"));
    assert_non_null(strstr(conn, "dbname='anlao'"));
    assert_non_null(strstr(conn, "sslmode='disable'"));
    /* key=value settings, a quote inside a value escaped for libpq */
    assert_int_equal(al_pg_dump_conninfo("host=/run/pg dbname='a\\'b' password=pw2", conn,
                         sizeof(conn), pw, sizeof(pw)),
        AL_OK);
    assert_string_equal(pw, "pw2");
    assert_null(strstr(conn, "pw2"));
    assert_non_null(strstr(conn, "dbname='a\\'b'"));
    /* no password: none set */
    assert_int_equal(al_pg_dump_conninfo("postgresql:///anlao?host=/tmp", conn, sizeof(conn), pw,
                         sizeof(pw)),
        AL_OK);
    assert_string_equal(pw, "");
    /* Unparsable: refused, and the log line names the setting with its password masked
     * (libpq's own message quotes the setting whole, so it is not logged). */
    char logf[160];
    snprintf(logf, sizeof(logf), "%s/stderr.log", dir);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *f = fopen(logf, "w");
    assert_non_null(f);
    dup2(fileno(f), STDERR_FILENO);
    int rc = al_pg_dump_conninfo("postgresql://u:hunter2@[bad", conn, sizeof(conn), pw,
        sizeof(pw));
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(f);
    assert_int_equal(rc, AL_EINVAL);
    size_t len = 0;
    char *log = slurp(logf, &len);
    assert_non_null(log);
    assert_non_null(strstr(log, "not a valid PostgreSQL connection"));
    assert_null(strstr(log, "hunter2"));
    free(log);
}

/*
 * RULE-DB-002: what pg_dump receives, seen by a stand-in pg_dump first in PATH: the
 * password only in its environment (PGPASSWORD), the settings without it as --dbname,
 * and the backup file made by a process with umask 077.
 */
static void
pg_dump_gets_password_in_environment(void **state)
{
    (void)state;
    char bin[128], script[256], seen[160], dest[160];
    snprintf(bin, sizeof(bin), "%s/fake-bin", dir);
    snprintf(script, sizeof(script), "%s/pg_dump", bin);
    snprintf(seen, sizeof(seen), "%s/seen.txt", dir);
    snprintf(dest, sizeof(dest), "%s/fake.dump", dir);
    assert_int_equal(mkdir(bin, 0700), 0);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n{ for a in \"$@\"; do echo \"arg:$a\"; done;"
               " echo \"env:$PGPASSWORD\"; echo \"umask:$(umask)\"; } > %s\n"
               "echo dump > %s\n", seen, dest);
    fclose(f);
    assert_int_equal(chmod(script, 0700), 0);
    char *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    char newpath[4096];
    snprintf(newpath, sizeof(newpath), "%s:%s", bin, path);
    setenv("PATH", newpath, 1);
    setenv("PGPASSWORD", "stale", 1); /* ours is replaced, never passed on alongside */
    int rc = al_pg_dump("postgresql://anlao:Pw%40123@127.0.0.1:5999/anlao", dest);
    setenv("PATH", path, 1);
    unsetenv("PGPASSWORD");
    free(path);
    assert_int_equal(rc, AL_OK);
    size_t len = 0;
    char *out = slurp(seen, &len);
    assert_non_null(out);
    assert_non_null(strstr(out, "env:Pw@123\n"));
    assert_non_null(strstr(out, "arg:--no-password\n"));
    assert_non_null(strstr(out, "arg:--format=custom\n"));
    snprintf(script, sizeof(script), "arg:--file=%s\n", dest);
    assert_non_null(strstr(out, script));
    assert_non_null(strstr(out, "arg:--dbname="));
    assert_non_null(strstr(out, "umask:0077"));
    const char *args_end = strstr(out, "env:");
    char *args = strndup(out, (size_t)(args_end - out));
    assert_null(strstr(args, "Pw@123")); /* not among the arguments */
    assert_null(strstr(args, "Pw%40123"));
    assert_null(strstr(args, "stale"));
    free(args);
    free(out);
}

/* RULE-DB-003: without pg_dump the backup is refused as unavailable and writes nothing. */
static void
missing_pg_dump_refused(void **state)
{
    struct al_db *db = *state;
    char *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    assert_non_null(path);
    char empty[128], dest[160];
    snprintf(empty, sizeof(empty), "%s/empty-bin", dir);
    assert_int_equal(mkdir(empty, 0700), 0);
    setenv("PATH", empty, 1);
    snprintf(dest, sizeof(dest), "%s/none.dump", dir);
    int rc = al_db_backup(db, dest);
    setenv("PATH", path, 1);
    free(path);
    assert_int_equal(rc, AL_EUNAVAIL);
    assert_int_not_equal(access(dest, F_OK), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(plain_dump_has_the_tables),
        cmocka_unit_test(custom_and_directory_formats),
        cmocka_unit_test(password_kept_out_of_arguments),
        cmocka_unit_test(pg_dump_gets_password_in_environment),
        cmocka_unit_test(missing_pg_dump_refused)};
    dir = dual_dir();
    if (!dir)
        return 1;
    dual_prepare = prepare;
    return cmocka_run_group_tests_name("backup of a PostgreSQL database", tests, dual_pg_setup,
        dual_teardown);
}
