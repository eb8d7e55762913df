-- wrk: send the session cookie (read from the environment) with every request.
wrk.headers["Cookie"] = os.getenv("ANLAO_COOKIE")
