/*
 * The closed set of error codes.  0 is success; every failure is one of these
 * negative values.  The HTTP layer renders them as the one JSON error shape
 * {"error":{"code","message","field"}} with the matching status.
 */
#ifndef AL_ERR_H
#define AL_ERR_H

enum al_err {
    AL_OK = 0,
    AL_EINVAL = -1,     /* 400 bad input: message names the field */
    AL_EAUTH = -2,      /* 401 not signed in / bad credentials */
    AL_EPERM = -3,      /* 403 signed in but not allowed */
    AL_ECSRF = -4,      /* 403 missing or wrong CSRF token */
    AL_ENOTFOUND = -5,  /* 404 (also: outside the caller's region) */
    AL_EMETHOD = -6,    /* 405 */
    AL_ECONFLICT = -7,  /* 409 stale version, duplicate, wrong state */
    AL_ETOOBIG = -8,    /* 413 */
    AL_EUNPROC = -9,    /* 422 well-formed but refused by a rule */
    AL_ETHROTTLE = -10, /* 429 */
    AL_EDB = -11,       /* 500 storage failure */
    AL_EINTERNAL = -12, /* 500 */
    AL_EUNAVAIL = -13,  /* 503 */
    AL_EPWCHANGE = -14, /* 403 must change the password first */
};

/* Details that travel with an error up to the renderer. */
struct al_errinfo {
    const char *code_override; /* optional machine code, e.g. "password_change_required" */
    const char *field;         /* the offending field, or NULL */
    char message[384];         /* Simplified Chinese, shown to the user */
    int retry_after_s;         /* for AL_ETHROTTLE */
    int column;                /* where in the field's text (1-based characters), 0: none */
};

/* HTTP status for an error code (AL_OK → 200). */
int al_err_status(int err);

/* Stable machine code for an error ("invalid", "not_found", ...). */
const char *al_err_code(int err);

/* Default Chinese message for an error code. */
const char *al_err_message(int err);

/*
 * Fill `e` and return `err`, so callers can write
 *   return al_fail(e, AL_EINVAL, "username", "用户名不能为空");
 * `fmt` may be NULL to use the default message.
 */
int al_fail(struct al_errinfo *e, int err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
