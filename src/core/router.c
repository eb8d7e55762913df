#include "core/router.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

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
    size_t path_len, struct al_match *m, struct al_errinfo *err)
{
    int path_seen = 0;
    size_t shown_len = path_len;
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
    if (!err)
        return path_seen ? AL_EMETHOD : AL_ENOTFOUND;
    const char *name = al_method_name(method);
    if (path_seen)
        return al_fail(err, AL_EMETHOD, NULL, "接口 %.*s 不支持 %s 方法", (int)shown_len, path,
            name);
    return al_fail(err, AL_ENOTFOUND, NULL, "接口不存在：%s %.*s", name, (int)shown_len, path);
}

int
al_router_check(const struct al_module *const *modules,
    bool (*known)(void *ctx, const char *permission), void *ctx, char *msg, size_t msg_size)
{
    for (const struct al_module *const *mod = modules; *mod; mod++) {
        for (const struct al_route *r = (*mod)->routes; r->path; r++) {
            const char *perm = r->permission ? r->permission : "";
            if (strcmp(perm, AL_PUBLIC) != 0 && strcmp(perm, AL_SIGNED_IN) != 0 &&
                !known(ctx, perm)) {
                snprintf(msg, msg_size, "路由 %s %s（模块 %s）的权限“%s”不在权限表中",
                    al_method_name(r->method), r->path, (*mod)->name, perm);
                return AL_EINVAL;
            }
            /* The route's own path, read as a request path (":id" is text), against every
             * earlier pattern: one that matches it matches everything this one would. */
            for (const struct al_module *const *m2 = modules; m2 <= mod; m2++) {
                for (const struct al_route *e = (*m2)->routes; e->path && e != r; e++) {
                    struct al_match m;
                    if (e->method != r->method || !match_path(e->path, r->path, strlen(r->path), &m))
                        continue;
                    snprintf(msg, msg_size,
                        "路由 %s %s（模块 %s）被前面的 %s %s（模块 %s）遮蔽，永远不会被调用",
                        al_method_name(r->method), r->path, (*mod)->name,
                        al_method_name(e->method), e->path, (*m2)->name);
                    return AL_EINVAL;
                }
            }
        }
    }
    return AL_OK;
}
