/*
 * Backup of a PostgreSQL database: pg_dump (Debian postgresql-client) run with
 * the connection settings of the database URL.  RULE-DB-002: the password
 * travels in the child's environment (PGPASSWORD), never in its arguments (which
 * every user of the machine can read in /proc) nor in a log line.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/db.h"
#include "core/db_int.h"
#include "core/log.h"

extern char **environ;

int
al_pg_dump_conninfo(const char *url, char *conn, size_t conn_size, char *password,
    size_t pw_size)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    if (!opts) { /* libpq's message quotes the whole setting, password and all: not logged */
        char label[512];
        al_error("backup: the database setting is not a valid PostgreSQL connection: %s",
            al_db_label(url, label, sizeof(label)));
        PQfreemem(err);
        return AL_EINVAL;
    }
    size_t n = 0;
    int rc = AL_OK;
    conn[0] = password[0] = '\0';
    for (PQconninfoOption *o = opts; rc == AL_OK && o->keyword; o++) {
        if (!o->val)
            continue;
        if (!strcmp(o->keyword, "password")) {
            if ((size_t)snprintf(password, pw_size, "%s", o->val) >= pw_size)
                rc = AL_EINVAL;
            continue;
        }
        /* keyword='value' with \ and ' escaped (libpq's conninfo quoting). */
        int w = snprintf(conn + n, conn_size - n, "%s%s='", n ? " " : "", o->keyword);
        if (w < 0 || (size_t)w >= conn_size - n) {
            rc = AL_EINVAL;
            break;
        }
        n += (size_t)w;
        for (const char *p = o->val; *p && rc == AL_OK; p++) {
            if (n + 3 >= conn_size)
                rc = AL_EINVAL;
            else {
                if (*p == '\'' || *p == '\\')
                    conn[n++] = '\\';
                conn[n++] = *p;
            }
        }
        if (rc == AL_OK && n + 2 < conn_size) {
            conn[n++] = '\'';
            conn[n] = '\0';
        } else {
            rc = AL_EINVAL;
        }
    }
    PQconninfoFree(opts);
    if (rc != AL_OK)
        al_error("backup: the database setting is too long");
    return rc;
}

const char *
al_pg_dump_format(const char *dest)
{
    size_t n = strlen(dest);
    if (n && dest[n - 1] == '/')
        return "directory";
    if (n >= 4 && !strcmp(dest + n - 4, ".sql"))
        return "plain";
    return "custom";
}

/* The executable `name` in $PATH into `out`; false when there is none. */
static bool
find_in_path(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    for (const char *p = path; *p;) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len && (size_t)snprintf(out, size, "%.*s/%s", (int)len, p, name) < size &&
            access(out, X_OK) == 0)
            return true;
        p += len + (e != NULL);
    }
    return false;
}

int
al_pg_dump(const char *url, const char *dest)
{
    char exe[4096];
    if (!find_in_path("pg_dump", exe, sizeof(exe))) {
        al_error("未找到 pg_dump，无法备份 PostgreSQL 数据库：请安装 PostgreSQL 客户端"
                 "（Debian：apt-get install postgresql-client，版本不低于数据库服务器）。"
                 " pg_dump not found in PATH: install the PostgreSQL client"
                 " (Debian: postgresql-client, the server's version or newer)");
        return AL_EUNAVAIL;
    }
    char conn[4096], password[1024], file[4200], dbname[4200], label[512];
    int rc = al_pg_dump_conninfo(url, conn, sizeof(conn), password, sizeof(password));
    if (rc != AL_OK)
        return rc;
    const char *format = al_pg_dump_format(dest);
    char fmt[32];
    snprintf(fmt, sizeof(fmt), "--format=%s", format);
    if ((size_t)snprintf(file, sizeof(file), "--file=%s", dest) >= sizeof(file) ||
        (size_t)snprintf(dbname, sizeof(dbname), "--dbname=%s", conn) >= sizeof(dbname))
        return AL_EINVAL;
    char *const argv[] = {"pg_dump", "--no-password", fmt, file, dbname, NULL};

    /* The child's environment: ours without PGPASSWORD, then the URL's password if it has one. */
    size_t nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = calloc(nenv + 2, sizeof(*envp));
    char *pwvar = password[0] ? malloc(strlen(password) + sizeof("PGPASSWORD=")) : NULL;
    if (!envp || (password[0] && !pwvar)) {
        free(envp);
        free(pwvar);
        return AL_EINTERNAL;
    }
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(environ[i], "PGPASSWORD=", 11) != 0)
            envp[k++] = environ[i];
    if (pwvar) {
        sprintf(pwvar, "PGPASSWORD=%s", password);
        envp[k++] = pwvar;
    }
    al_info("backup: pg_dump (%s format) of %s into %s", format,
        al_db_label(url, label, sizeof(label)), dest);
    pid_t pid = fork();
    if (pid == 0) {
        umask(077); /* RULE-AUTH-008: the backup is its owner's only */
        execve(exe, argv, envp);
        _exit(127);
    }
    int status = 0;
    if (pid < 0) {
        al_error("backup: cannot start pg_dump: %s", strerror(errno));
        rc = AL_EINTERNAL;
    } else {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            al_error("backup: pg_dump failed (exit %d); nothing usable was written to %s",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1, dest);
            rc = AL_EDB;
        }
    }
    if (pwvar) {
        explicit_bzero(pwvar, strlen(pwvar));
        free(pwvar);
    }
    explicit_bzero(password, sizeof(password));
    free(envp);
    if (rc != AL_OK && strcmp(format, "directory") != 0)
        unlink(dest); /* a partial file would look like a backup */
    return rc;
}
