#!/usr/bin/env python3
"""Read the raw wrk outputs of bench/run.sh, print the table and the ratios, write results.json.

Usage: report.py META_JSON
META_JSON (written by run.sh) names the raw files of every target and round and describes the run.
With several rounds, each target's figures are those of its median round by req/s.
Figures only: nothing here is pass/fail, the exit status is 0 whatever the numbers.
"""
import json
import re
import sys

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError("latency %r" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(path):
    r = {"rps": None, "p50_ms": None, "p99_ms": None, "requests": 0, "non_2xx": 0,
         "socket_errors": 0}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            s = line.split()
            if not s:
                continue
            if s[0] == "Requests/sec:":
                r["rps"] = float(s[1])
            elif s[0] == "50%":
                r["p50_ms"] = ms(s[1])
            elif s[0] == "99%":
                r["p99_ms"] = ms(s[1])
            elif len(s) > 2 and s[1] == "requests" and s[2] == "in":
                r["requests"] = int(s[0])
            elif line.strip().startswith("Non-2xx or 3xx responses:"):
                r["non_2xx"] = int(s[-1])
            elif s[0] == "Socket" and s[1] == "errors:":
                r["socket_errors"] = sum(int(x) for x in re.findall(r"\d+", line))
    return r


def add_cpu(r, path, duration_s):
    """CPU accounting of the run (run.sh): machine busy and capacity, server and wrk seconds."""
    try:
        busy, cap, server, wrk = (float(x) for x in open(path).read().split())
    except (OSError, ValueError):
        return r
    r["server_cpu_cores"] = round(server / duration_s, 2)
    r["wrk_cpu_cores"] = round(wrk / duration_s, 2)
    r["other_cpu_pct"] = round(max(0.0, busy - server - wrk) / cap * 100, 1) if cap else None
    r["server_us_per_req"] = round(server / r["requests"] * 1e6, 1) if r["requests"] else None
    return r


def median_round(rounds):
    ok = [x for x in rounds if x["rps"] is not None]
    if not ok:
        return rounds[0]
    ok.sort(key=lambda x: x["rps"])
    return ok[(len(ok) - 1) // 2]


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def main():
    meta = json.load(open(sys.argv[1], encoding="utf-8"))
    results = {}
    for t in meta["targets"]:
        rounds = [add_cpu(parse_wrk(p), p[:-4] + ".cpu", meta["wrk"]["duration_s"])
                  for p in t["files"]]
        best = dict(median_round(rounds))
        best["label"] = t["label"]
        best["url_path"] = t["path"]
        if len(rounds) > 1:
            best["rounds_rps"] = [x["rps"] for x in rounds]
        results[t["name"]] = best

    def ratio(a, b):
        x, y = results.get(a, {}).get("rps"), results.get(b, {}).get("rps")
        return round(x / y, 3) if x and y else None

    me_p99 = results.get("me", {}).get("p99_ms")
    checks = [
        ("healthz_over_hello", "/healthz req/s ÷ hello req/s", ratio("healthz", "hello"), ">=", 0.80),
        ("me_over_healthz", "/api/v1/me req/s ÷ /healthz req/s", ratio("me", "healthz"), ">=", 0.50),
        ("me_p99_ms", "p99 of /api/v1/me (ms)", me_p99, "<=", 10.0),
    ]
    ratios = {}
    for key, _, v, op, target in checks:
        met = None if v is None else (v >= target if op == ">=" else v <= target)
        ratios[key] = {"value": v, "target": "%s %g" % (op, target), "met": met}
    if "healthz_log_off" in results:
        ratios["healthz_log_on_over_off"] = {"value": ratio("healthz", "healthz_log_off"),
                                             "target": None, "met": None}

    w = meta["wrk"]
    print()
    print("安老 make bench — %s, %d cores (%s), anlao and hello with %d workers each"
          % (meta["when"], meta["cores"], meta["cpu"], meta["workers"]))
    print("wrk -t%d -c%d -d%ds --latency, %ds warm-up before each run%s"
          % (w["threads"], w["connections"], w["duration_s"], w["warmup_s"],
             ", median of %d rounds" % w["rounds"] if w["rounds"] > 1 else ""))
    print("NOTE: wrk and the server under test share these %d cores (no pinning): absolute req/s is "
          "about half of what a separate client machine would show; compare ratios within one run."
          % meta["cores"])
    print("load average before the run: %s" % meta["loadavg"])
    print()
    print("%-36s %9s %8s %8s %6s %9s %8s %8s %7s" % ("target", "req/s", "p50 ms", "p99 ms", "errors",
          "µs CPU/req", "srv CPU", "wrk CPU", "others"))
    for name, r in results.items():
        errs = r["non_2xx"] + r["socket_errors"]
        print("%-36s %9s %8s %8s %6d %9s %8s %8s %7s" % (
            r["label"], fmt(r["rps"], ".0f"), fmt(r["p50_ms"], ".2f"), fmt(r["p99_ms"], ".2f"), errs,
            fmt(r.get("server_us_per_req"), ".1f"), fmt(r.get("server_cpu_cores"), ".2f"),
            fmt(r.get("wrk_cpu_cores"), ".2f"),
            "—" if r.get("other_cpu_pct") is None else "%.0f%%" % r["other_cpu_pct"]))
    print("(µs CPU/req: the server's CPU time per answered request, the least noisy figure here;"
          " srv/wrk CPU in cores;\n others: CPU used by other processes on the machine during the run,"
          " in % of all cores; above ~5% the run is disturbed)")
    print()
    print("%-40s %10s %9s  %s" % ("ratio / figure", "value", "target", "reached"))
    for key, label, v, op, target in checks:
        met = ratios[key]["met"]
        print("%-40s %10s %9s  %s" % (label, fmt(v, ".2f"), "%s %g" % (op, target),
                                       "—" if met is None else ("yes" if met else "NO")))
    if "healthz_log_on_over_off" in ratios:
        print("%-40s %10s %9s  (cost of the access log)" % (
            "/healthz log on ÷ log off", fmt(ratios["healthz_log_on_over_off"]["value"], ".2f"), ""))
    print()
    al = meta.get("access_log")
    if al:
        print("access log: on for the rows above unless marked; %d lines, %.1f MB written to stderr "
              "(a file) during the run" % (al["lines"], al["bytes"] / 1e6))
    bad = [r["label"] for r in results.values() if r["non_2xx"] or r["socket_errors"]]
    if bad:
        print("WARNING: non-2xx answers or socket errors in: %s (see the raw wrk output)" % ", ".join(bad))
    print("raw wrk output in %s/wrk/, these figures in %s/results.json; targets are reported, "
          "never enforced" % (meta["out"], meta["out"]))

    doc = {k: meta[k] for k in ("when", "cores", "cpu", "workers", "loadavg", "wrk", "access_log")
           if k in meta}
    doc["note"] = "wrk and the servers share the same cores; compare ratios, not absolute figures"
    doc["results"] = results
    doc["ratios"] = ratios
    with open(meta["out"] + "/results.json", "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
