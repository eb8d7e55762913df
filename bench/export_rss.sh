#!/bin/sh
# The elder CSV export's memory (issues 10 and 18, RULE-DB-112..114): N elders (default 100,000)
# generated with `anlao gen` and imported with `anlao import`, then for each binary given a server
# on a copy of that database answers GET /api/v1/elders/export?format=csv once (county officer
# fg_civil): the server's resident memory (VmRSS) just before it, its peak (VmHWM, reset through
# /proc/PID/clear_refs just before the export) once it is done, and the most anonymous memory
# (RssAnon: the heap, without the database file's pages SQLite reads) sampled while it runs.
# Figures only, never pass/fail.
#   BENCH_ELDERS=N                  size (default 100000)
#   BENCH_BINS="old=PATH new=PATH"  binaries to compare (default: new=build/anlao)
# The servers run with ANLAO_HTTP_TIMEOUT_SECONDS=600 (an export built whole before its first byte
# can take longer than the default 30 s on a busy machine).
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_ELDERS:-100000}
BINS=${BENCH_BINS:-"new=build/anlao"}
FIRST=$(echo "$BINS" | cut -d' ' -f1 | cut -d= -f2)
TMP=$(mktemp -d)
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
export ANLAO_ADMIN_PASSWORD=Bench12345 ANLAO_DEMO_ELDERS=0 ANLAO_WORKERS=2 ANLAO_ACCESS_LOG=0
export ANLAO_HTTP_TIMEOUT_SECONDS=600

"$FIRST" gen --elders "$N" --out "$TMP/gen" --bad-percent 0 >/dev/null
"$FIRST" seed --demo --db "$TMP/base.db" >/dev/null 2>&1
"$FIRST" import --kind hukou "$TMP/gen/hukou.csv" --commit --db "$TMP/base.db" >/dev/null 2>&1

hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
field() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$2/status"; }
port=18731
for b in $BINS; do
    name=${b%%=*}
    bin=${b#*=}
    cp "$TMP/base.db" "$TMP/$name.db"
    port=$((port + 1))
    "$bin" serve --db "$TMP/$name.db" --port "$port" 2>"$TMP/$name.log" &
    PID=$!
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -fs -c "$TMP/cookies" -H 'Content-Type: application/json' \
        -d '{"username":"fg_civil","password":"Anlao2026"}' \
        "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
    curl -fs -b "$TMP/cookies" "http://127.0.0.1:$port/api/v1/elders?page_size=1" >/dev/null
    echo 5 >"/proc/$PID/clear_refs" # the peak starts again from now
    before=$(rss "$PID")
    anon0=$(field RssAnon "$PID")
    start=$(date +%s.%N)
    (curl -fs -b "$TMP/cookies" -o /dev/null -w '%{size_download}' \
        "http://127.0.0.1:$port/api/v1/elders/export?format=csv" >"$TMP/bytes" ||
        echo "curl exit $?" >"$TMP/curl_failed") &
    CURL=$!
    anon=$anon0 # the most anonymous memory (heap: arena, buffers) seen, sampled every 20 ms
    while kill -0 "$CURL" 2>/dev/null; do
        a=$(field RssAnon "$PID")
        [ "$a" -gt "$anon" ] && anon=$a
        sleep 0.02
    done
    wait "$CURL"
    end=$(date +%s.%N)
    bytes=$(cat "$TMP/bytes")
    if [ -f "$TMP/curl_failed" ]; then
        echo "$name: the export failed ($(cat "$TMP/curl_failed")) after $bytes bytes"
        rm -f "$TMP/curl_failed"
    fi
    after=$(hwm "$PID")
    printf '%-4s %8d elders  CSV %6.1f MB in %5.2f s  RSS %6.1f MB before, peak %6.1f MB (+%.1f MB); heap (RssAnon) +%.1f MB at most\n' \
        "$name" "$N" "$(echo "$bytes / 1048576" | bc -l)" "$(echo "$end - $start" | bc -l)" \
        "$(echo "$before / 1024" | bc -l)" "$(echo "$after / 1024" | bc -l)" \
        "$(echo "($after - $before) / 1024" | bc -l)" "$(echo "($anon - $anon0) / 1024" | bc -l)"
    kill "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
done
