/* Routes and thin handlers of the auth module, and request authentication. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/http.h"
#include "core/json.h"

#define COOKIE_NAME "anlao_session"
#define TOKEN_PREFIX "alt_"

int
auth_hash_password(const char *password, char *out, size_t out_size)
{
    return al_crypto_password_hash(password, out, out_size);
}

/* The value of our cookie in the Cookie header `h` (may be NULL), or NULL. */
static const char *
session_cookie(struct al_arena *a, const char *h)
{
    const size_t n = sizeof(COOKIE_NAME) - 1;
    for (const char *p = h; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, COOKIE_NAME, n) == 0 && p[n] == '=') {
            const char *v = p + n + 1, *e = v;
            while (*e && *e != ';')
                e++;
            return al_arena_strndup(a, v, (size_t)(e - v));
        }
        p = strchr(p, ';');
    }
    return NULL;
}

static bool
is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/*
 * The principal as identify() makes it, with the rest of the row read with it, so /me answers
 * without another read (issue 10).  `who` comes first: r->who points at it.
 */
struct auth_caller {
    struct al_principal who;
    unsigned magic;
    struct auth_session_row row;
};
#define CALLER_MAGIC 0x6d65u

/*
 * The caller of a request with these Authorization and Cookie header values (either may be
 * NULL): *who in `a`, or AL_EAUTH with the reason in `err`.  `touch` keeps last-seen fresh.
 */
static int
identify(struct al_db *db, struct al_arena *a, const char *auth, const char *cookie, bool touch,
    int64_t now, struct al_principal **who_out, struct al_errinfo *err)
{
    const char *token = NULL;
    bool bearer = false;
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        token = auth + 7;
        bearer = true;
        if (strncmp(token, TOKEN_PREFIX, 4) != 0 || !is_hex64(token + 4))
            return al_fail(err, AL_EAUTH, NULL, "接口令牌无效");
        token += 4;
    } else {
        token = session_cookie(a, cookie);
        if (!token)
            return al_fail(err, AL_EAUTH, NULL, "请先登录");
        if (!is_hex64(token))
            return al_fail(err, AL_EAUTH, NULL, "登录已失效，请重新登录");
    }
    char hash[65];
    al_crypto_sha256_hex(token, 64, hash);
    struct auth_session_row s;
    int rc = bearer ? auth_store_token_find(db, a, hash, &s)
                    : auth_store_session_find(db, a, hash, &s);
    if (rc == AL_ENOTFOUND)
        return al_fail(err, AL_EAUTH, NULL, bearer ? "接口令牌无效或已吊销" : "登录已失效，请重新登录");
    if (rc != AL_OK)
        return rc;
    /* RULE-AUTH-009: before any permission check of this request. */
    auth_roles_seen(db, s.roles_version);
    if (strcmp(s.status, "active") != 0)
        return al_fail(err, AL_EAUTH, NULL, "账号已停用，请联系管理员");
    /* RULE-AUTH-002 */
    if (!bearer && auth_session_expired(now, s.last_seen_at, s.expires_at,
                       al_config.session_idle_s))
        return al_fail(err, AL_EAUTH, NULL, "登录已过期，请重新登录");
    /* Keep last-seen fresh without a write on every request. */
    if (touch && now - s.last_seen_at >= auth_touch_interval(al_config.session_idle_s)) {
        if (bearer)
            auth_store_token_touch(db, s.id, now);
        else
            auth_store_session_touch(db, s.id, now);
    }
    struct auth_caller *c = al_arena_calloc(a, sizeof(*c));
    c->magic = CALLER_MAGIC;
    c->row = s;
    struct al_principal *who = &c->who;
    who->user_id = s.user_id;
    who->username = s.username;
    who->display_name = s.display_name;
    who->role = s.role;
    who->region_code = s.region_code;
    who->must_change_password = s.must_change_password;
    if (bearer) {
        who->token_id = s.id;
    } else {
        who->session_id = s.id;
        who->csrf_token = s.csrf_token;
    }
    *who_out = who;
    return AL_OK;
}

int
auth_authenticate(struct al_req *r)
{
    struct al_principal *who = NULL;
    int rc = identify(r->db, r->arena, al_req_header(r, "Authorization"),
        al_req_header(r, "Cookie"), true, r->now, &who, &r->err);
    if (rc == AL_OK)
        r->who = who;
    return rc;
}

bool
auth_signed_in(struct al_db *db, struct al_arena *a, const char *authorization,
    const char *cookie)
{
    struct al_principal *who = NULL;
    struct al_errinfo err = {0};
    /* Before a request exists (an upload's headers): the clock's time. */
    return identify(db, a, authorization, cookie, false, (int64_t)time(NULL), &who, &err) ==
        AL_OK;
}

int
auth_check_csrf(struct al_req *r)
{
    if (!r->who || !r->who->csrf_token)
        return AL_OK; /* bearer tokens are not sent by browsers on their own */
    const char *h = al_req_header(r, "X-CSRF-Token");
    size_t n = strlen(r->who->csrf_token);
    if (!h || strlen(h) != n || sodium_memcmp(h, r->who->csrf_token, n) != 0)
        return al_req_fail(r, AL_ECSRF, NULL, NULL);
    return AL_OK;
}

static void
set_session_cookie(struct al_req *r, const char *token)
{
    /* RULE-AUTH-006: Secure when the browser reached us over HTTPS (through a trusted proxy). */
    const char *secure = r->https ? "; Secure" : "";
    char *c = token ? al_arena_printf(r->arena,
                          COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict%s", token, secure)
                    : al_arena_printf(r->arena,
                          COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", secure);
    al_req_set_header(r, "Set-Cookie", c);
}

/* Create a session for `user_id` inside the open transaction; reply {csrf_token, user}. */
static int
start_session(struct al_req *r, int64_t user_id, json_t **reply)
{
    char token[65], csrf[65], hash[65];
    al_crypto_random_hex(token, 32);
    al_crypto_random_hex(csrf, 32);
    al_crypto_sha256_hex(token, 64, hash);
    int64_t now = r->now, sid = 0;
    int rc = auth_store_session_create(r->db, user_id, hash, csrf, now,
        now + al_config.session_abs_s, &sid);
    if (rc != AL_OK)
        return rc;
    json_t *me = NULL;
    rc = auth_store_me(r->db, r->arena, user_id, &me);
    if (rc != AL_OK)
        return rc;
    set_session_cookie(r, token);
    *reply = json_pack("{s:s, s:o}", "csrf_token", csrf, "user", me);
    return AL_OK;
}

static int
throttled(struct al_req *r, int seconds, const char *what)
{
    char wait[32];
    auth_retry_text(seconds, wait, sizeof(wait));
    r->err.retry_after_s = seconds;
    return al_req_fail(r, AL_ETHROTTLE, NULL, "%s，请在 %s后重试", what, wait);
}

/* Audit a sign-in that was refused or failed; the caller holds the transaction. */
static int
audit_login(struct al_req *r, const char *username, const struct auth_user *u,
    const char *action, const char *reason)
{
    struct audit_entry e = {.action = action, .target_type = "user",
        .target_id = u ? al_arena_printf(r->arena, "%lld", (long long)u->id) : NULL,
        .region_code = u ? u->region_code : NULL, .outcome = "failure",
        .detail = json_pack("{s:s, s:s}", "username", username, "reason", reason)};
    return audit_append_as(r->db, u ? u->id : 0, username, r->client_ip, &e);
}

/*
 * Record a failed password check: account counter, address counter, audit as `action`.
 * `reply` (with r->err filled) is the answer unless the failure throttles; returns the reply
 * error.  The account counter is read again inside the (immediate) transaction, so guesses
 * checked in parallel are counted one after another and none gets past the lock
 * (RULE-AUTH-003).
 */
static int
password_failed(struct al_req *r, const char *username, const struct auth_user *u, int64_t now,
    const char *action, const char *reason, int reply)
{
    struct auth_ip_state before, after;
    int rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = auth_store_ip_get(r->db, r->client_ip, &before);
    if (rc == AL_OK) {
        auth_ip_failure(now, &before, al_config.ip_max_failures, al_config.ip_window_s, &after);
        rc = auth_store_ip_put(r->db, r->client_ip, &after);
        if (after.blocked_until > now)
            reply = throttled(r, (int)(after.blocked_until - now), "该地址登录失败次数过多");
    }
    if (rc == AL_OK && u) {
        int failures;
        int64_t locked_until;
        rc = auth_store_failures_get(r->db, u->id, &failures, &locked_until);
        if (rc == AL_OK && locked_until > now) {
            /* Locked by a parallel guess while this one was being checked. */
            reply = throttled(r, (int)(locked_until - now), "密码错误次数过多，账号已被临时锁定");
            reason = "locked";
        } else if (rc == AL_OK) {
            auth_account_failure(now, failures, al_config.login_max_failures,
                al_config.login_lock_s, &failures, &locked_until);
            rc = auth_store_set_failures(r->db, u->id, failures, locked_until);
            if (locked_until > now)
                reply = throttled(r, (int)(locked_until - now), "密码错误次数过多，账号已被临时锁定");
        }
    }
    if (rc == AL_OK)
        rc = audit_login(r, username, u, action, reason);
    if (rc == AL_OK)
        rc = al_db_commit(r->db);
    else
        al_db_rollback(r->db);
    return rc == AL_OK ? reply : rc;
}

/* A failed sign-in (RULE-AUTH-003, RULE-AUTH-004). */
static int
login_failed(struct al_req *r, const char *username, const struct auth_user *u, int64_t now,
    const char *reason)
{
    return password_failed(r, username, u, now, "auth.login_failed", reason,
        al_req_fail(r, AL_EAUTH, NULL, "用户名或密码错误"));
}

/* A sign-in refused before any password check (address blocked, account locked): audited. */
static int
refused_as(struct al_req *r, const char *action, const char *username,
    const struct auth_user *u, int seconds, const char *why, const char *reason)
{
    int reply = throttled(r, seconds, why);
    int rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = audit_login(r, username, u, action, reason);
    if (rc == AL_OK)
        rc = al_db_commit(r->db);
    else
        al_db_rollback(r->db);
    return rc == AL_OK ? reply : rc;
}

static int
login_refused(struct al_req *r, const char *username, const struct auth_user *u,
    int seconds, const char *why, const char *reason)
{
    return refused_as(r, "auth.login_refused", username, u, seconds, why, reason);
}

/* A real hash to verify against for unknown names, so timing does not reveal them. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[256];

static void
make_dummy_hash(void)
{
    char pw[13];
    al_crypto_random_password(pw);
    al_crypto_password_hash(pw, dummy_hash, sizeof(dummy_hash));
}

int
auth_check_own_password(struct al_req *r, const char *password, const char *field)
{
    int64_t now = r->now;
    struct auth_ip_state ip;
    struct auth_user u;
    int rc = auth_store_ip_get(r->db, r->client_ip, &ip);
    if (rc == AL_OK)
        rc = auth_store_user_by_id(r->db, r->arena, r->who->user_id, &u);
    if (rc != AL_OK)
        return rc;
    /* RULE-AUTH-004, RULE-AUTH-003: the throttles of sign-in apply to the old password too. */
    if (ip.blocked_until > now)
        return refused_as(r, "auth.password_refused", u.username, &u,
            (int)(ip.blocked_until - now), "该地址密码错误次数过多", "address_blocked");
    if (u.locked_until > now)
        return refused_as(r, "auth.password_refused", u.username, &u,
            (int)(u.locked_until - now), "密码错误次数过多，账号已被临时锁定", "locked");
    if (!al_crypto_password_verify(u.password_hash, password)) {
        int reply = al_req_fail(r, AL_EINVAL, field, "原密码不正确");
        return password_failed(r, u.username, &u, now, "auth.password_failed", "bad_password",
            reply);
    }
    return AL_OK;
}

/* RULE-AUTH-005: sign-in takes JSON only, so no form of another site can post it. */
static bool
is_json_body(struct al_req *r)
{
    const char *ct = al_req_header(r, "Content-Type");
    static const char want[] = "application/json";
    const size_t n = sizeof(want) - 1;
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    if (strncasecmp(ct, want, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ')
        ct++;
    return *ct == '\0' || *ct == ';';
}

static int
auth_login(struct al_req *r)
{
    if (!is_json_body(r))
        return al_req_fail(r, AL_EINVAL, NULL,
            "登录请求须为 JSON 格式（Content-Type: application/json）");
    json_t *body;
    const char *username, *password;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "username", "用户名", AL_REQUIRED, 1, 64, &username, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "password", "密码", AL_REQUIRED, 1, 128, &password, &r->err);
    if (rc != AL_OK)
        return rc;
    int64_t now = r->now;

    struct auth_ip_state ip;
    if ((rc = auth_store_ip_get(r->db, r->client_ip, &ip)) != AL_OK)
        return rc;
    if (ip.blocked_until > now)
        return login_refused(r, username, NULL, (int)(ip.blocked_until - now),
            "该地址登录失败次数过多", "address_blocked");

    struct auth_user u;
    rc = auth_store_user_by_name(r->db, r->arena, username, &u);
    if (rc == AL_ENOTFOUND) {
        /* Spend the same time as a real check so names cannot be probed by timing. */
        pthread_once(&dummy_once, make_dummy_hash);
        al_crypto_password_verify(dummy_hash, password);
        return login_failed(r, username, NULL, now, "unknown_user");
    }
    if (rc != AL_OK)
        return rc;
    if (u.locked_until > now)
        return login_refused(r, username, &u, (int)(u.locked_until - now),
            "密码错误次数过多，账号已被临时锁定", "locked");
    if (!al_crypto_password_verify(u.password_hash, password))
        return login_failed(r, username, &u, now, "bad_password");
    if (strcmp(u.status, "active") != 0) {
        login_failed(r, username, &u, now, "disabled");
        return al_req_fail(r, AL_EAUTH, NULL, "账号已停用，请联系管理员");
    }

    /*
     * The address counter is not cleared by a success: one valid account must not reset the
     * count of a password spray (RULE-AUTH-004).  The account may have been locked by parallel
     * guesses while this password was checked: look again inside the transaction.
     */
    json_t *reply = NULL;
    int failures;
    int64_t locked_until;
    rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = auth_store_failures_get(r->db, u.id, &failures, &locked_until);
    if (rc == AL_OK && locked_until > now) {
        al_db_rollback(r->db);
        return login_refused(r, username, &u, (int)(locked_until - now),
            "密码错误次数过多，账号已被临时锁定", "locked");
    }
    if (rc == AL_OK)
        rc = auth_store_set_failures(r->db, u.id, 0, 0);
    if (rc == AL_OK)
        rc = start_session(r, u.id, &reply);
    if (rc == AL_OK) {
        struct audit_entry e = {.action = "auth.login", .target_type = "user",
            .target_id = al_arena_printf(r->arena, "%lld", (long long)u.id),
            .region_code = u.region_code, .outcome = "success"};
        rc = audit_append_as(r->db, u.id, u.username, r->client_ip, &e);
    }
    if (rc == AL_OK)
        rc = al_db_commit(r->db);
    else
        al_db_rollback(r->db);
    if (rc != AL_OK)
        return rc;
    return al_reply(r, 200, reply);
}

/* Write helper: run `audit` in a transaction that also contains `step`'s writes. */
static int
audited(struct al_req *r, const struct audit_entry *e, int rc_step)
{
    int rc = rc_step;
    if (rc == AL_OK)
        rc = audit_append(r, e);
    if (rc == AL_OK)
        return al_db_commit(r->db);
    al_db_rollback(r->db);
    return rc;
}

static const char *
self_id(struct al_req *r)
{
    return al_arena_printf(r->arena, "%lld", (long long)r->who->user_id);
}

static int
auth_logout(struct al_req *r)
{
    struct audit_entry e = {.action = "auth.logout", .target_type = "user",
        .target_id = self_id(r), .region_code = r->who->region_code, .outcome = "success"};
    int rc = al_db_begin(r->db);
    if (rc == AL_OK && r->who->session_id)
        rc = auth_store_session_revoke(r->db, r->who->session_id, r->now);
    rc = audited(r, &e, rc);
    if (rc != AL_OK)
        return rc;
    set_session_cookie(r, NULL);
    return al_reply(r, 200, NULL);
}

static int
auth_me(struct al_req *r)
{
    json_t *me = NULL;
    const struct auth_caller *c = (const struct auth_caller *)r->who;
    int rc = c->magic == CALLER_MAGIC ? auth_me_json(r->db, &c->row, r->arena, &me)
                                      : auth_store_me(r->db, r->arena, r->who->user_id, &me);
    if (rc != AL_OK)
        return rc;
    json_t *out = json_pack("{s:o}", "user", me);
    json_object_set_new(out, "csrf_token",
        r->who->csrf_token ? json_string(r->who->csrf_token) : json_null());
    return al_reply(r, 200, out);
}

static int
auth_me_update(struct al_req *r)
{
    json_t *body;
    const char *display_name = NULL, *phone = NULL;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "display_name", "姓名", AL_PLAIN, 1, 32, &display_name,
            &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "phone", "电话", 0, 0, 20, &phone, &r->err);
    if (rc != AL_OK)
        return rc;
    if (display_name && !*display_name)
        return al_req_fail(r, AL_EINVAL, "display_name", "姓名不能为空");
    const char *prefs_json = NULL;
    json_t *prefs = json_object_get(body, "prefs");
    if (prefs) {
        if (!json_is_object(prefs))
            return al_req_fail(r, AL_EINVAL, "prefs", "个人设置应为对象");
        bool elder = false, present = false;
        rc = al_json_get_bool(prefs, "elder_mode", "长辈模式", 0, &elder, &present, &r->err);
        if (rc != AL_OK) {
            r->err.field = "prefs.elder_mode";
            return rc;
        }
        json_t *stored = json_object();
        json_object_set_new(stored, "elder_mode", json_boolean(elder));
        prefs_json = al_json_dump(r->arena, stored, NULL);
    }
    struct audit_entry e = {.action = "me.update", .target_type = "user",
        .target_id = self_id(r), .region_code = r->who->region_code, .outcome = "success",
        .detail = json_pack("{s:b, s:b, s:b}", "display_name", display_name != NULL, "phone",
            phone != NULL, "prefs", prefs_json != NULL)};
    rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = auth_store_update_me(r->db, r->who->user_id, display_name, phone, prefs_json,
            r->now);
    if ((rc = audited(r, &e, rc)) != AL_OK)
        return rc;
    json_t *me = NULL;
    if ((rc = auth_store_me(r->db, r->arena, r->who->user_id, &me)) != AL_OK)
        return rc;
    return al_reply(r, 200, json_pack("{s:o}", "user", me));
}

static int
auth_password(struct al_req *r)
{
    json_t *body;
    const char *old_pw, *new_pw;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "old_password", "原密码", AL_REQUIRED, 1, 128, &old_pw, &r->err);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "new_password", "新密码", AL_REQUIRED, 1, 200, &new_pw, &r->err);
    if (rc != AL_OK)
        return rc;
    const char *problem = auth_password_problem(new_pw);
    if (problem)
        return al_req_fail(r, AL_EINVAL, "new_password", "%s", problem);
    if (strcmp(old_pw, new_pw) == 0)
        return al_req_fail(r, AL_EINVAL, "new_password", "新密码不能与原密码相同");
    if ((rc = auth_check_own_password(r, old_pw, "old_password")) != AL_OK)
        return rc;
    int64_t uid = r->who->user_id;
    char hash[256];
    if ((rc = auth_hash_password(new_pw, hash, sizeof(hash))) != AL_OK)
        return rc;
    json_t *reply = NULL;
    struct audit_entry e = {.action = "auth.password_change", .target_type = "user",
        .target_id = self_id(r), .region_code = r->who->region_code, .outcome = "success"};
    rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = auth_store_set_password(r->db, uid, hash, r->now);
    if (rc == AL_OK)
        rc = auth_store_set_failures(r->db, uid, 0, 0);
    /* RULE-AUTH-007: every session and API token of the user ends; a session caller gets a
     * new session. */
    if (rc == AL_OK)
        rc = auth_revoke_credentials(r->db, uid, r->now);
    if (rc == AL_OK && r->who->session_id)
        rc = start_session(r, uid, &reply);
    if ((rc = audited(r, &e, rc)) != AL_OK)
        return rc;
    if (!reply)
        reply = json_pack("{s:b}", "ok", 1);
    return al_reply(r, 200, reply);
}

static int
token_list(struct al_req *r)
{
    json_t *items = json_array();
    int rc = auth_store_token_list(r->db, r->arena, r->who->user_id, items);
    if (rc != AL_OK)
        return rc;
    return al_reply_items(r, items, -1);
}

static int
token_create(struct al_req *r)
{
    json_t *body;
    const char *name;
    int rc = al_req_json(r, &body);
    if (rc == AL_OK)
        rc = al_json_get_str(body, "name", "令牌名称", AL_REQUIRED | AL_PLAIN, 1, 64, &name,
            &r->err);
    if (rc != AL_OK)
        return rc;
    char raw[65], hash[65];
    al_crypto_random_hex(raw, 32);
    al_crypto_sha256_hex(raw, 64, hash);
    int64_t id = 0;
    rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = auth_store_token_create(r->db, r->who->user_id, name, hash, r->now, &id);
    struct audit_entry e = {.action = "token.create", .target_type = "api_token",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
        .region_code = r->who->region_code, .outcome = "success",
        .detail = json_pack("{s:s}", "name", name)};
    if ((rc = audited(r, &e, rc)) != AL_OK)
        return rc;
    return al_reply(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name,
                                "token", al_arena_printf(r->arena, TOKEN_PREFIX "%s", raw)));
}

static int
token_revoke(struct al_req *r)
{
    int64_t id;
    int rc = al_req_param_id(r, "id", &id);
    if (rc != AL_OK)
        return rc;
    rc = al_db_begin(r->db);
    if (rc == AL_OK)
        rc = auth_store_token_revoke(r->db, r->who->user_id, id, r->now);
    if (rc == AL_ENOTFOUND) {
        al_db_rollback(r->db);
        return al_req_fail(r, AL_ENOTFOUND, NULL, "令牌不存在或已吊销");
    }
    struct audit_entry e = {.action = "token.revoke", .target_type = "api_token",
        .target_id = al_arena_printf(r->arena, "%lld", (long long)id),
        .region_code = r->who->region_code, .outcome = "success"};
    if ((rc = audited(r, &e, rc)) != AL_OK)
        return rc;
    return al_reply(r, 200, NULL);
}

static const struct al_route auth_routes[] = {
    {AL_POST, "/api/v1/auth/login", auth_login, AL_PUBLIC, 0, "登录，返回 CSRF 令牌并设置会话 Cookie"},
    {AL_POST, "/api/v1/auth/logout", auth_logout, AL_SIGNED_IN, AL_ROUTE_PWCHANGE_OK, "退出登录"},
    {AL_GET, "/api/v1/me", auth_me, AL_SIGNED_IN, AL_ROUTE_PWCHANGE_OK, "当前用户、权限与个人设置"},
    {AL_PATCH, "/api/v1/me", auth_me_update, AL_SIGNED_IN, 0, "修改本人姓名、电话、长辈模式"},
    {AL_POST, "/api/v1/me/password", auth_password, AL_SIGNED_IN, AL_ROUTE_PWCHANGE_OK,
        "修改本人密码（其他会话全部失效）"},
    {AL_GET, "/api/v1/tokens", token_list, "token.manage", 0, "本人的接口令牌"},
    {AL_POST, "/api/v1/tokens", token_create, "token.manage", 0, "创建接口令牌（仅显示一次）"},
    {AL_DELETE, "/api/v1/tokens/:id", token_revoke, "token.manage", 0, "吊销接口令牌"},
    {0},
};

const struct al_module auth_module = {.name = "auth", .routes = auth_routes};
