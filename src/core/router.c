#include "core/router.h"

#include <string.h>

const char *
al_method_name(int method)
{
    switch (method) {
    case AL_GET: return "GET";
    case AL_POST: return "POST";
    case AL_PUT: return "PUT";
    case AL_PATCH: return "PATCH";
    case AL_DELETE: return "DELETE";
    default: return "?";
    }
}

int
al_method_parse(const char *s)
{
    static const char *names[] = {NULL, "GET", "POST", "PUT", "PATCH", "DELETE"};
    for (int i = 1; i <= AL_DELETE; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return 0;
}

/* Match one pattern against a path, collecting :params.  Returns 1 on match. */
static int
match_path(const char *pat, const char *path, size_t path_len, struct al_match *m)
{
    const char *p = path, *end = path + path_len;
    m->nparams = 0;
    while (*pat && p < end) {
        if (*pat == ':') {
            const char *name = ++pat;
            while (*pat && *pat != '/')
                pat++;
            const char *seg = p;
            while (p < end && *p != '/')
                p++;
            if (p == seg || m->nparams == AL_MAX_PARAMS)
                return 0;
            m->param_names[m->nparams] = name;
            m->param_name_lens[m->nparams] = (size_t)(pat - name);
            m->params[m->nparams] = seg;
            m->param_lens[m->nparams] = (size_t)(p - seg);
            m->nparams++;
            continue;
        }
        if (*pat != *p)
            return 0;
        pat++;
        p++;
    }
    return *pat == '\0' && p == end;
}

int
al_router_match(const struct al_module *const *modules, int method, const char *path,
    size_t path_len, struct al_match *m)
{
    int path_seen = 0;
    /* A trailing slash names the same resource. */
    if (path_len > 1 && path[path_len - 1] == '/')
        path_len--;
    for (const struct al_module *const *mod = modules; *mod; mod++) {
        for (const struct al_route *r = (*mod)->routes; r->path; r++) {
            if (!match_path(r->path, path, path_len, m))
                continue;
            if (r->method == method) {
                m->route = r;
                return 0;
            }
            path_seen = 1;
        }
    }
    m->route = NULL;
    m->nparams = 0;
    return path_seen ? -405 : -404;
}
