-- wrk: send the session cookie with every request (GET needs no CSRF token).
-- bench/run.sh logs in with curl and passes "anlao_session=<hex>" in ANLAO_COOKIE.
local cookie = os.getenv("ANLAO_COOKIE")
if not cookie or cookie == "" then
    error("ANLAO_COOKIE is not set")
end
wrk.headers["Cookie"] = cookie
