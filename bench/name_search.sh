#!/bin/sh
# Given-name search at scale (issue 18 point 2, RULE-UI-007): N elders (default 1,000,000) from
# `anlao gen`'s household file, imported as an officer would; then searches of one and of two
# characters of the given names of real people in the registry:
#  - SQLite: over HTTP (`/api/v1/elders?q=…`, count and first page, as the list page asks),
#    wrk 2 threads × 8 connections, 10 s each, p50 and p99;
#  - PostgreSQL 15 (a throwaway server, tests/lib/pg.sh): the registry's rows copied from the
#    SQLite file, the name grams built, then the list's two statements (count, page of 20) for
#    400 searches timed inside the server, p50 and p99.
# Prints figures; nothing here is pass/fail.  BENCH_ELDERS=N for another size.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_ELDERS:-1000000}
OUT=build/bench
mkdir -p "$OUT"
TMP=$(mktemp -d)
PIDS=""
PGDIR=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    [ -n "$PGDIR" ] && tests/lib/pg.sh stop "$PGDIR" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
pct() { # p50 and p99 of wrk's latency distribution, in ms
    awk 'function ms(v){ if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
        /Requests\/sec/ { r = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f req/s  p50 %.2f ms, p99 %.2f ms", r, p50, p99 }' "$1"
}

echo "生成并导入 $N 位老人……"
build/anlao gen --elders "$N" --out "$TMP/src" --bad-per-mille 0 >/dev/null
DB="$TMP/anlao.db"
t0=$(now)
build/anlao import --db "$DB" --kind hukou "$TMP/src/hukou.csv" --commit >/dev/null 2>&1
IMPORT_S=$(secs "$t0" "$(now)")
GRAMS=$(sqlite3 "$DB" "SELECT count(*) FROM elder_name_grams")
t0=$(now)
sqlite3 "$DB" "DELETE FROM elder_name_grams; INSERT INTO elder_name_grams SELECT * FROM elder_name_gram_rows;"
REBUILD_S=$(secs "$t0" "$(now)")

# Queries: one and two characters of the given names of 500 people of the registry.
sqlite3 "$DB" "SELECT name FROM elders WHERE length(name) >= 2 ORDER BY (id * 2654435761) % 1000003 LIMIT 500" >"$TMP/names"
python3 - "$TMP/names" "$TMP" <<'PY'
import sys, urllib.parse
names = [l.strip() for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
two = [n[-2:] for n in names]
one = [n[-1] for n in names]
for kind, qs in (('two', two), ('one', one)):
    with open(f'{sys.argv[2]}/{kind}.lua', 'w') as f:
        f.write('local q = {' + ','.join('"%s"' % urllib.parse.quote(x) for x in qs) + '}\n')
        f.write('wrk.headers["Cookie"] = os.getenv("ANLAO_COOKIE")\nlocal i = 0\n')
        f.write('request = function() i = i + 1; return wrk.format("GET", "/api/v1/elders?status=active&page_size=20&q=" .. q[(i % #q) + 1]) end\n')
    with open(f'{sys.argv[2]}/{kind}.txt', 'w', encoding='utf-8') as f:
        f.write('\n'.join(qs) + '\n')
PY

sync
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ANLAO_ADMIN_PASSWORD=Bench12345 ANLAO_ACCESS_LOG=0 build/anlao serve --db "$DB" --port "$PORT" >/dev/null 2>&1 & PIDS="$PIDS $!"
for _ in $(seq 400); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
ANLAO_COOKIE=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$PORT/api/v1/auth/login" \
    -d '{"username":"admin","password":"Bench12345"}' | sed -n 's/^Set-Cookie: \(anlao_session=[0-9a-f]*\).*/\1/ip')
export ANLAO_COOKIE
for k in two one; do
    wrk -t2 -c8 -d3s -s "$TMP/$k.lua" "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
    wrk -t2 -c8 -d10s --latency -s "$TMP/$k.lua" "http://127.0.0.1:$PORT" >"$OUT/name_search_$k.txt" 2>&1
done
SQ_TWO=$(pct "$OUT/name_search_two.txt"); SQ_ONE=$(pct "$OUT/name_search_one.txt")
if grep -q 'Non-2xx' "$OUT/name_search_two.txt" "$OUT/name_search_one.txt"; then
    echo "警告：有请求未成功（见 $OUT/name_search_*.txt），以下 SQLite 数字无效" >&2
fi
for p in $PIDS; do kill "$p" 2>/dev/null || true; done; PIDS=""

# ---- PostgreSQL 15: the same rows, the same statements, timed in the server ----
PG_TWO="(PostgreSQL 15 not installed)"; PG_ONE="$PG_TWO"; PG_LOAD=""
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    PGDIR=$(mktemp -d /tmp/anlao-pg-XXXXXX)
    URL=$(tests/lib/pg.sh start "$PGDIR")
    build/anlao migrate --db "$URL" >/dev/null 2>&1
    COLS="id, region_code, name, sex, birth_date, id_hash, id_enc, id_masked, address, created_at, updated_at"
    t0=$(now)
    sqlite3 -csv "$DB" "SELECT $COLS FROM elders" >"$TMP/elders.csv"
    psql -q "$URL" <<SQL >/dev/null
ALTER TABLE elders DISABLE TRIGGER USER;
\copy elders($COLS) FROM '$TMP/elders.csv' CSV
ALTER TABLE elders ENABLE TRIGGER USER;
INSERT INTO elder_name_grams SELECT * FROM elder_name_gram_rows;
VACUUM ANALYZE elders; VACUUM ANALYZE elder_name_grams;
SQL
    PG_LOAD=$(secs "$t0" "$(now)")
    for k in two one; do
        python3 - "$TMP/$k.txt" >"$TMP/$k.sql" <<'PY'
import sys
qs = [l.strip() for l in open(sys.argv[1], encoding='utf-8') if l.strip()][:400]
arr = ','.join("'%s'" % q.replace("'", "''") for q in qs)
print(f"""CREATE TEMP TABLE t(ms float8);
DO $$ DECLARE q text; t0 timestamptz; n bigint; BEGIN
  FOREACH q IN ARRAY ARRAY[{arr}] LOOP
    t0 := clock_timestamp();
    SELECT count(*) INTO n FROM elder_name_grams n WHERE n.gram = q
      AND n.region_code >= '520327' AND n.region_code < '520328' AND n.status = 'active';
    PERFORM e.id, e.name, e.region_code FROM elder_name_grams n JOIN elders e ON e.id = n.elder_id
      WHERE n.gram = q AND n.region_code >= '520327' AND n.region_code < '520328'
      AND n.status = 'active' ORDER BY n.region_code, n.elder_id LIMIT 20 OFFSET 0;
    INSERT INTO t VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000);
  END LOOP; END $$;
SELECT format('p50 %s ms, p99 %s ms', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
  round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2)) FROM t;""")
PY
        psql -q -t -A "$URL" -f "$TMP/$k.sql" >"$OUT/name_search_pg_$k.txt" 2>&1 || true
    done
    PG_TWO=$(tail -1 "$OUT/name_search_pg_two.txt"); PG_ONE=$(tail -1 "$OUT/name_search_pg_one.txt")
fi

printf '\n安老 given-name search bench — %s elders, %s cores\n\n' "$N" "$(nproc)"
printf '%-44s %s s (the name grams rebuilt once at its end)\n' 'import of the household file' "$IMPORT_S"
printf '%-44s %s rows; rebuilt alone in %s s\n' 'elder_name_grams' "$GRAMS" "$REBUILD_S"
printf '%-44s %s\n' 'SQLite, HTTP: 2 characters of a given name' "$SQ_TWO"
printf '%-44s %s\n' 'SQLite, HTTP: 1 character of a given name' "$SQ_ONE"
[ -n "$PG_LOAD" ] && printf '%-44s %s s\n' 'PostgreSQL: copy the rows, build the grams' "$PG_LOAD"
printf '%-44s %s (count + page of 20, in the server)\n' 'PostgreSQL: 2 characters of a given name' "$PG_TWO"
printf '%-44s %s (count + page of 20, in the server)\n' 'PostgreSQL: 1 character of a given name' "$PG_ONE"
