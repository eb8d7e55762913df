#!/bin/sh
# make bench: the figures of issue 2 side by side in one run (never pass/fail).
#   /healthz of anlao vs. a minimal libevent hello server (the ceiling on this machine)
#   an authenticated JSON read (/api/v1/me) vs. /healthz
# wrk and the servers share this machine's cores; read ratios, not absolute numbers.
set -eu
cd "$(dirname "$0")/.."
OUT=build/bench
mkdir -p "$OUT"
DUR=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
cc -O2 -o "$OUT/hello" bench/hello.c $(pkg-config --cflags --libs libevent libevent_pthreads) -lpthread

TMP=$(mktemp -d)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 200); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }

HP=$(free_port); "$OUT/hello" "$HP" & PIDS="$PIDS $!"
AP=$(free_port)
ANLAO_ADMIN_PASSWORD=Bench12345 build/anlao serve --db "$TMP/b.db" --port "$AP" >"$TMP/anlao.out" 2>"$TMP/anlao.err" & PIDS="$PIDS $!"
wait_up "http://127.0.0.1:$HP/"
wait_up "http://127.0.0.1:$AP/healthz"
COOKIE=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$AP/api/v1/auth/login" \
    -d '{"username":"admin","password":"Bench12345"}' | sed -n 's/^Set-Cookie: \(anlao_session=[0-9a-f]*\).*/\1/ip')
[ -n "$COOKIE" ] || { echo "login failed" >&2; exit 1; }
export ANLAO_COOKIE="$COOKIE"

# run NAME URL [script] → "req/s p50_ms p99_ms"
run() {
    name=$1 url=$2 script=${3:-}
    set -- -t2 -c"$CONNS" --latency
    [ -n "$script" ] && set -- "$@" -s "$script"
    wrk "$@" -d2s "$url" >/dev/null 2>&1 || true               # warm-up
    wrk "$@" -d"${DUR}s" "$url" >"$OUT/$name.txt" 2>&1
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        / [0-9]+ requests in/ { total = $1 }
        /Non-2xx/ { bad = $NF }
        END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, bad + 0 }' "$OUT/$name.txt"
}

set -- $(run hello "http://127.0.0.1:$HP/"); H_RPS=$1 H_P50=$2 H_P99=$3
set -- $(run healthz "http://127.0.0.1:$AP/healthz"); Z_RPS=$1 Z_P50=$2 Z_P99=$3 Z_BAD=$4
set -- $(run me "http://127.0.0.1:$AP/api/v1/me" bench/cookie.lua); M_RPS=$1 M_P50=$2 M_P99=$3 M_BAD=$4

printf '\n安老 make bench — %s, %s cores, wrk -t2 -c%s -d%ss (wrk shares the cores with the server)\n\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$CONNS" "$DUR"
printf '%-34s %12s %10s %10s\n' target 'req/s' 'p50 ms' 'p99 ms'
printf '%-34s %12s %10s %10s\n' 'libevent hello (ceiling)' "$H_RPS" "$H_P50" "$H_P99"
printf '%-34s %12s %10s %10s\n' 'anlao /healthz' "$Z_RPS" "$Z_P50" "$Z_P99"
printf '%-34s %12s %10s %10s\n' 'anlao /api/v1/me (session)' "$M_RPS" "$M_P50" "$M_P99"
echo
awk -v h="$H_RPS" -v z="$Z_RPS" -v m="$M_RPS" -v p99="$M_P99" 'BEGIN {
    printf "%-44s %6.2f   target >= 0.80\n", "healthz / hello", z / h
    printf "%-44s %6.2f   target >= 0.50\n", "authenticated read / healthz", m / z
    printf "%-44s %6.2f   target <= 10 ms\n", "p99 of the authenticated read (ms)", p99
}'
[ "${Z_BAD:-0}" = 0 ] && [ "${M_BAD:-0}" = 0 ] || echo "warning: non-2xx answers: healthz $Z_BAD, me $M_BAD"
cat >"$OUT/results.json" <<JSON
{"hello":{"rps":$H_RPS,"p50_ms":$H_P50,"p99_ms":$H_P99},
 "healthz":{"rps":$Z_RPS,"p50_ms":$Z_P50,"p99_ms":$Z_P99},
 "me":{"rps":$M_RPS,"p50_ms":$M_P50,"p99_ms":$M_P99}}
JSON
echo "(raw wrk output and results.json in $OUT/)"
