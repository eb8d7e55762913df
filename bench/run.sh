#!/bin/sh
# make bench: the HTTP figures of issue 2 side by side in one run (figures and ratios, never
# pass/fail).  See bench/README.md.
#   libevent hello (bench/hello.c, anlao's threading model)   the ceiling of this machine
#   anlao /healthz                                             vs. the ceiling      (target >= 0.8)
#   anlao /api/v1/me with a session cookie                     vs. /healthz         (target >= 0.5)
#                                                              p99                  (target <= 10 ms)
#   anlao /healthz with ANLAO_ACCESS_LOG=0                     the cost of the access log
# Knobs (environment): BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (64),
#   BENCH_THREADS (2), BENCH_ROUNDS (1; more rounds alternate the targets and report each
#   target's median round), BENCH_LOG_OFF (targets also run with the access log off: "healthz"
#   by default, "healthz me" for both, "" for none), BENCH_ANLAO (build/anlao: another binary
#   to compare a change).
set -eu
cd "$(dirname "$0")/.."
OUT=build/bench
DUR=${BENCH_SECONDS:-10}
WARM=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-1}
LOG_OFF=${BENCH_LOG_OFF-healthz}
ANLAO=${BENCH_ANLAO:-build/anlao}
CORES=$(nproc)

for tool in wrk curl python3 pkg-config /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "缺少 $tool (missing $tool): make deps-bench, or apt-get install -y wrk curl python3 time" >&2
        exit 1
    }
done
[ -x "$ANLAO" ] || { echo "$ANLAO missing: run make first (make bench builds it)" >&2; exit 1; }

mkdir -p "$OUT/wrk"
rm -f "$OUT"/wrk/*.txt "$OUT"/wrk/*.cpu "$OUT"/hello.txt "$OUT"/healthz.txt "$OUT"/me.txt  # (the last three: an older layout)
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o "$OUT/hello" bench/hello.c \
    $(pkg-config --cflags --libs libevent libevent_pthreads) -lpthread

TMP=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    PIDS=""
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_up() {
    for _ in $(seq 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done
    echo "no answer from $1; server stderr:" >&2
    tail -5 "$2" >&2 || true
    exit 1
}

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC1003
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1 | tr -d '"\\')

# ---- the servers: hello, anlao (access log on, stderr to a file), anlao with the log off ----
HP=$(free_port)
"$OUT/hello" "$HP" 2>"$TMP/hello.err" & HPID=$!; PIDS="$PIDS $HPID"
wait_up "http://127.0.0.1:$HP/" "$TMP/hello.err"

AP=$(free_port)
ANLAO_ADMIN_PASSWORD=Bench12345 "$ANLAO" serve --db "$TMP/bench.db" --port "$AP" \
    >"$TMP/anlao.out" 2>"$TMP/anlao.err" & APID=$!; PIDS="$PIDS $APID"
wait_up "http://127.0.0.1:$AP/healthz" "$TMP/anlao.err"
WORKERS=$(sed -n 's/.*with \([0-9]*\) workers.*/\1/p' "$TMP/anlao.err" | head -1)

if [ -n "$LOG_OFF" ]; then
    # The same database (WAL; it is only read here), so the same session cookie works.
    OP=$(free_port)
    ANLAO_ACCESS_LOG=0 "$ANLAO" serve --db "$TMP/bench.db" --port "$OP" \
        >"$TMP/anlao-off.out" 2>"$TMP/anlao-off.err" & OPID=$!; PIDS="$PIDS $OPID"
    wait_up "http://127.0.0.1:$OP/healthz" "$TMP/anlao-off.err"
fi

COOKIE=$(curl -s -D - -o "$TMP/login.json" -X POST "http://127.0.0.1:$AP/api/v1/auth/login" \
    -H 'Content-Type: application/json' -d '{"username":"admin","password":"Bench12345"}' |
    sed -n 's/^Set-Cookie: \(anlao_session=[0-9a-f]*\).*/\1/ip')
[ -n "$COOKIE" ] || { echo "login failed:" >&2; cat "$TMP/login.json" >&2; exit 1; }
export ANLAO_COOKIE="$COOKIE"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$AP/api/v1/me")
[ "$code" = 200 ] || { echo "GET /api/v1/me with the session cookie answered $code" >&2; exit 1; }

# ---- the targets: name|label|url|wrk script|server pid ----
{
    echo "hello|libevent hello (ceiling)|http://127.0.0.1:$HP/||$HPID"
    echo "healthz|anlao /healthz|http://127.0.0.1:$AP/healthz||$APID"
    echo "me|anlao /api/v1/me (session cookie)|http://127.0.0.1:$AP/api/v1/me|bench/cookie.lua|$APID"
    for t in $LOG_OFF; do
        case "$t" in
        healthz) echo "healthz_log_off|anlao /healthz, access log off|http://127.0.0.1:$OP/healthz||$OPID" ;;
        me) echo "me_log_off|anlao /api/v1/me, access log off|http://127.0.0.1:$OP/api/v1/me|bench/cookie.lua|$OPID" ;;
        *) echo "BENCH_LOG_OFF: unknown target $t (healthz, me)" >&2; exit 1 ;;
        esac
    done
} >"$TMP/targets"

echo "安老 make bench: $(wc -l <"$TMP/targets") targets × $ROUNDS round(s) × (${WARM}s warm-up + ${DUR}s)," \
    "wrk -t$THREADS -c$CONNS on $CORES cores shared with the servers" >&2
# CPU accounting of a measured run, to tell a noisy machine: clock ticks of the whole machine
# (busy, all) and of the server process from /proc, wrk's own CPU seconds from /usr/bin/time.
TCK=$(getconf CLK_TCK)
snap() {
    awk '/^cpu / { printf "%d %d ", $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
r=1
while [ "$r" -le "$ROUNDS" ]; do
    while IFS='|' read -r name label url script pid; do
        set -- -t"$THREADS" -c"$CONNS" --latency
        [ -n "$script" ] && set -- "$@" -s "$script"
        printf '  round %s: %-36s' "$r" "$label" >&2
        wrk "$@" -d"${WARM}s" "$url" >/dev/null 2>&1 || true
        before=$(snap "$pid")
        if ! /usr/bin/time -f '%U %S' -o "$TMP/wrk.time" \
            wrk "$@" -d"${DUR}s" "$url" >"$OUT/wrk/$name.$r.txt" 2>&1; then
            echo "wrk failed:" >&2
            cat "$OUT/wrk/$name.$r.txt" >&2
            exit 1
        fi
        after=$(snap "$pid")
        # → machine busy s, machine capacity s, server s, wrk s
        echo "$before $after $(tail -1 "$TMP/wrk.time")" | awk -v t="$TCK" \
            '{ printf "%.2f %.2f %.2f %.2f\n", ($4-$1)/t, ($5-$2)/t, ($6-$3)/t, $7+$8 }' \
            >"$OUT/wrk/$name.$r.cpu"
        sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1 req\/s/p' "$OUT/wrk/$name.$r.txt" >&2
    done <"$TMP/targets"
    r=$((r + 1))
done

# ---- the report (table, ratios, results.json) ----
LINES=$(grep -c '"log":"access"' "$TMP/anlao.err" || true)
BYTES=$(wc -c <"$TMP/anlao.err")
{
    printf '{"when":"%s","cores":%s,"cpu":"%s","workers":%s,"loadavg":"%s","out":"%s",\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$CORES" "$CPU" "${WORKERS:-0}" "$LOADAVG" "$OUT"
    printf ' "wrk":{"threads":%s,"connections":%s,"duration_s":%s,"warmup_s":%s,"rounds":%s},\n' \
        "$THREADS" "$CONNS" "$DUR" "$WARM" "$ROUNDS"
    printf ' "access_log":{"lines":%s,"bytes":%s},\n "targets":[' "${LINES:-0}" "$BYTES"
    sep=""
    while IFS='|' read -r name label url script pid; do
        files=$(r=1; s=""; while [ "$r" -le "$ROUNDS" ]; do
            printf '%s"%s"' "$s" "$OUT/wrk/$name.$r.txt"; s=","; r=$((r + 1)); done)
        printf '%s\n  {"name":"%s","label":"%s","path":"%s","files":[%s]}' "$sep" "$name" "$label" \
            "/${url#http://*/}" "$files"
        sep=","
    done <"$TMP/targets"
    printf ']}\n'
} >"$OUT/meta.json"
python3 bench/report.py "$OUT/meta.json"
