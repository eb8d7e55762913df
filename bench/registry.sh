#!/bin/sh
# The registry at scale (issue 3): for N elders (default 1,000,000) the five department files are
# imported and the identification run made, against the same job done by the sqlite3 shell
# (import the CSVs, join on the ID number, classify with SQL).  Then search latency at that size.
# Prints figures and ratios side by side; nothing here is pass/fail.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_ELDERS:-1000000}
OUT=build/bench
mkdir -p "$OUT"
TMP=$(mktemp -d)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "生成 $N 位老人的五类文件……"
t0=$(now); build/anlao gen --elders "$N" --out "$TMP/src" --bad-per-mille 0 >"$TMP/gen.json"; t1=$(now)
GEN_S=$(secs "$t0" "$t1")
ROWS=$(python3 -c "import json;d=json.load(open('$TMP/gen.json'));print(sum(v['rows'] for v in d.values()))")

# ---- anlao: import the five files, then identify; peak memory per process ----
DB="$TMP/anlao.db"
PEAK=0
t0=$(now)
KINDS=""
for k in hukou roll disability death pension; do
    k0=$(now)
    /usr/bin/time -f '%M' -o "$TMP/mem" build/anlao import --db "$DB" --kind "$k" "$TMP/src/$k.csv" --commit \
        >"$TMP/$k.out" 2>"$TMP/$k.err"
    m=$(tail -1 "$TMP/mem"); [ "$m" -gt "$PEAK" ] && PEAK=$m
    KINDS="$KINDS $k=$(secs "$k0" "$(now)")s"
done
t1=$(now)
/usr/bin/time -f '%M' -o "$TMP/mem" build/anlao identify --db "$DB" >"$TMP/identify.json" 2>/dev/null
t2=$(now)
m=$(tail -1 "$TMP/mem"); [ "$m" -gt "$PEAK" ] && PEAK=$m
IMPORT_S=$(secs "$t0" "$t1"); IDENT_S=$(secs "$t1" "$t2"); TOTAL_S=$(secs "$t0" "$t2")
IDENT_MS=$(python3 -c "import json;print(json.load(open('$TMP/identify.json'))['duration_ms'])")

# ---- the sqlite3 shell doing the equivalent job ----
cat >"$TMP/shell.sql" <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
.mode csv
.import $TMP/src/hukou.csv hukou
.import $TMP/src/roll.csv roll
.import $TMP/src/disability.csv disability
.import $TMP/src/death.csv death
.import $TMP/src/pension.csv pension
CREATE INDEX hukou_id ON hukou("公民身份号码");
CREATE TABLE elders AS
  SELECT h."公民身份号码" AS id, h."姓名" AS name, h."区划代码" AS region,
         substr(h."公民身份号码", 7, 8) AS birth,
         r."类别" AS roll, d."残疾等级" AS grade, x."死亡日期" AS died, p."养老保险类型" AS pension
  FROM hukou h
  LEFT JOIN roll r ON r."身份证号" = h."公民身份号码"
  LEFT JOIN disability d ON d."身份证号码" = h."公民身份号码"
  LEFT JOIN death x ON x."身份证号" = h."公民身份号码"
  LEFT JOIN pension p ON p."证件号码" = h."公民身份号码";
CREATE TABLE categories AS
  SELECT id, 'advanced_age' AS category FROM elders WHERE birth <= strftime('%Y%m%d', 'now', '-80 years')
  UNION ALL SELECT id, 'economic_difficulty' FROM elders WHERE roll IN ('特困', '低保', '低保边缘', '低收入')
  UNION ALL SELECT id, 'severe_disability' FROM elders WHERE grade IN ('一级', '二级', '1', '2');
SELECT count(*) FROM categories;
SQL
t0=$(now)
/usr/bin/time -f '%M' -o "$TMP/mem" sqlite3 "$TMP/shell.db" <"$TMP/shell.sql" >/dev/null 2>"$TMP/shell.err"
t1=$(now)
SHELL_S=$(secs "$t0" "$t1"); SHELL_MEM=$(tail -1 "$TMP/mem")

# ---- the floor: the sqlite3 shell writing the same registry (anlao's schema, indexes, search
# index, categories and history) from the same files, with none of anlao's checks, encryption or
# keyed hashing (the ID number padded to the hash's length stands in for it).  What SQLite itself
# needs to store this registry; anlao's time over it is the price of everything else.
FLOOR_DB="$TMP/floor.db"
build/anlao migrate --db "$FLOOR_DB" >/dev/null 2>&1
PAD="'0000000000000000000000000000000000000000000000'"
# The secondary indexes of elders as the migrations made them: dropped and rebuilt once.
IDX="SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'elders' AND sql IS NOT NULL"
DROP_IDX=$(sqlite3 "$FLOOR_DB" "SELECT 'DROP INDEX ' || name || ';' FROM ($IDX)")
MAKE_IDX=$(sqlite3 "$FLOOR_DB" "SELECT sql || ';' FROM ($IDX)")
cat >"$TMP/floor.sql" <<SQL
PRAGMA cache_size=-262144;
.mode csv
.import --schema temp $TMP/src/hukou.csv h
BEGIN;
INSERT INTO search_deferred(flag) VALUES (1);
$DROP_IDX
INSERT INTO elders(region_code, hukou_region_code, name, sex, birth_date, id_hash, id_enc, id_masked,
                   address, household_no, household_size, created_at, updated_at, last_hukou_import)
  SELECT "区划代码", "区划代码", "姓名", CASE WHEN substr(x, 17, 1) % 2 THEN 'M' ELSE 'F' END,
         substr(x, 7, 4) || '-' || substr(x, 11, 2) || '-' || substr(x, 13, 2), x || $PAD,
         hex(randomblob(40)), substr(x, 1, 6) || '********' || substr(x, 15, 4), "住址", "户号",
         "户内人数", unixepoch(), unixepoch(), 1
  FROM (SELECT "公民身份号码" AS x, * FROM temp.h);
INSERT INTO elder_history(elder_id, at, username, action, changes)
  SELECT id, unixepoch(), 'shell', 'import_create', '{"source":"import:1"}' FROM elders;
INSERT INTO elder_categories(elder_id, category, source, source_ref, evidence_date, region_code,
                             status, birth_date)
  SELECT id, 'advanced_age', 'id_number', NULL, birth_date, region_code, status, birth_date
  FROM elders WHERE birth_date <= date('now', '-80 years');
DELETE FROM search_deferred;
INSERT INTO elders_fts(elders_fts) VALUES ('rebuild');
$MAKE_IDX
COMMIT;
.import --schema temp $TMP/src/roll.csv r
.import --schema temp $TMP/src/disability.csv d
.import --schema temp $TMP/src/death.csv x
.import --schema temp $TMP/src/pension.csv p
BEGIN;
UPDATE elders SET economic_status = CASE r."类别" WHEN '特困' THEN 'tekun' WHEN '低保' THEN 'dibao'
    WHEN '低保边缘' THEN 'dibao_edge' ELSE 'low_income' END, updated_at = unixepoch()
  FROM temp.r WHERE elders.id_hash = r."身份证号" || $PAD;
INSERT INTO elder_categories(elder_id, category, source, source_ref, evidence_date, region_code,
                             status, birth_date)
  SELECT e.id, 'economic_difficulty', 'import:roll', 'import:2', r."开始日期", e.region_code,
         e.status, e.birth_date
  FROM temp.r JOIN elders e ON e.id_hash = r."身份证号" || $PAD;
INSERT INTO elder_history(elder_id, at, username, action, changes)
  SELECT e.id, unixepoch(), 'shell', 'import', json_object('economic_status', e.economic_status)
  FROM temp.r JOIN elders e ON e.id_hash = r."身份证号" || $PAD;
COMMIT;
BEGIN;
UPDATE elders SET disability_type = d."残疾类别", disability_grade = CAST(d."残疾等级" AS INTEGER) % 5,
    updated_at = unixepoch()
  FROM temp.d WHERE elders.id_hash = d."身份证号码" || $PAD AND CAST(d."残疾等级" AS INTEGER) BETWEEN 1 AND 4;
INSERT INTO elder_history(elder_id, at, username, action, changes)
  SELECT e.id, unixepoch(), 'shell', 'import', json_object('disability_grade', e.disability_grade)
  FROM temp.d JOIN elders e ON e.id_hash = d."身份证号码" || $PAD;
COMMIT;
BEGIN;
UPDATE elders SET status = 'deceased', status_date = x."死亡日期", status_reason = '死亡登记',
    updated_at = unixepoch()
  FROM temp.x WHERE elders.id_hash = x."身份证号" || $PAD;
INSERT INTO elder_history(elder_id, at, username, action, changes)
  SELECT e.id, unixepoch(), 'shell', 'status', json_object('status', 'deceased')
  FROM temp.x JOIN elders e ON e.id_hash = x."身份证号" || $PAD;
COMMIT;
BEGIN;
UPDATE elders SET pension_type = p."养老保险类型",
    pension_amount_fen = CAST(round(CAST(p."月领取金额" AS REAL) * 100) AS INTEGER), updated_at = unixepoch()
  FROM temp.p WHERE elders.id_hash = p."证件号码" || $PAD;
INSERT INTO elder_history(elder_id, at, username, action, changes)
  SELECT e.id, unixepoch(), 'shell', 'import', json_object('pension_type', e.pension_type)
  FROM temp.p JOIN elders e ON e.id_hash = p."证件号码" || $PAD;
COMMIT;
SELECT count(*) FROM elders;
SQL
t0=$(now)
sqlite3 "$FLOOR_DB" <"$TMP/floor.sql" >"$TMP/floor.out" 2>"$TMP/floor.err"
t1=$(now)
FLOOR_S=$(secs "$t0" "$t1")
FLOOR_ROWS=$(tail -1 "$TMP/floor.out")
if [ -s "$TMP/floor.err" ]; then echo "sqlite3 shell (same registry) reported:" >&2; head -5 "$TMP/floor.err" >&2; fi

# ---- search latency on the imported registry ----
sync # the writes above reach the disk first: no writeback under the measurement
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ANLAO_ADMIN_PASSWORD=Bench12345 ANLAO_ACCESS_LOG=0 build/anlao serve --db "$DB" --port "$PORT" >/dev/null 2>&1 & PIDS="$PIDS $!"
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
COOKIE=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$PORT/api/v1/auth/login" \
    -d '{"username":"admin","password":"Bench12345"}' | sed -n 's/^Set-Cookie: \(anlao_session=[0-9a-f]*\).*/\1/ip')
export ANLAO_COOKIE="$COOKIE"
# Queries: full names and ID numbers of real people in the registry.
python3 - "$TMP/src/hukou.csv" >"$TMP/queries.lua" <<'PY'
import sys, csv, urllib.parse, random
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig')))[1:]
random.seed(7)
pick = random.sample(rows, 500)
names = [urllib.parse.quote(r[1]) for r in pick]
ids = [r[0] for r in pick]
print('local names = {' + ','.join('"%s"' % n for n in names) + '}')
print('local ids = {' + ','.join('"%s"' % i for i in ids) + '}')
print('wrk.headers["Cookie"] = os.getenv("ANLAO_COOKIE")')
print('local i = 0')
print('request = function() i = i + 1')
print('  if i % 2 == 0 then return wrk.format("GET", "/api/v1/elders?q=" .. names[(i % #names) + 1]) end')
print('  return wrk.format("GET", "/api/v1/elders?id_number=" .. ids[(i % #ids) + 1]) end')
PY
wrk -t2 -c16 -d3s -s "$TMP/queries.lua" "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
wrk -t2 -c16 -d10s --latency -s "$TMP/queries.lua" "http://127.0.0.1:$PORT" >"$OUT/search.txt" 2>&1
# Filtered lists (what officers open every day): category, status, age range, region, combined.
cat >"$TMP/filters.lua" <<'LUA'
local qs = {"category=advanced_age", "status=deceased", "age_min=80", "region=520327001",
  "category=advanced_age&status=active", "age_min=80&status=active", "category=economic_difficulty&region=520327001",
  "status=active&region=520327103", "category=advanced_age&age_min=90", "age_min=65&age_max=70&region=520327001001"}
wrk.headers["Cookie"] = os.getenv("ANLAO_COOKIE")
local i = 0
request = function() i = i + 1; return wrk.format("GET", "/api/v1/elders?" .. qs[(i % #qs) + 1]) end
LUA
wrk -t2 -c16 -d10s --latency -s "$TMP/filters.lua" "http://127.0.0.1:$PORT" >"$OUT/filters.txt" 2>&1
FILTERS=$(awk 'function ms(v){ if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { r = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f req/s  p50 %.2f ms, p99 %.2f ms", r, p50, p99 }' "$OUT/filters.txt")
SEARCH=$(awk 'function ms(v){ if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { r = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f %.2f %.2f", r, p50, p99 }' "$OUT/search.txt")
set -- $SEARCH

printf '\n安老 registry bench — %s elders, %s rows in five files, %s cores\n\n' "$N" "$ROWS" "$(nproc)"
printf '%-46s %10s\n' 'generate the files (anlao gen)' "${GEN_S} s"
printf '%-46s %10s  %s rows/s\n' 'anlao import, five files' "${IMPORT_S} s" "$(awk -v r="$ROWS" -v s="$IMPORT_S" 'BEGIN{printf "%.0f", r/s}')"
printf '%-46s %s\n' '  per file' "$KINDS"
printf '%-46s %10s  (run itself %s ms; target <= 2 s)\n' 'anlao identify' "${IDENT_S} s" "$IDENT_MS"
printf '%-46s %10s\n' 'anlao end to end' "${TOTAL_S} s"
printf '%-46s %10s\n' 'sqlite3 shell: import + join + classify' "${SHELL_S} s"
awk -v a="$TOTAL_S" -v b="$SHELL_S" 'BEGIN { printf "%-46s %10.2f  (target >= 3: anlao faster by that factor)\n", "shell time / anlao time", b / a }'
printf '%-46s %10s  (%s records; no checks, encryption or hashing)\n' 'sqlite3 shell writing the same registry' "${FLOOR_S} s" "$FLOOR_ROWS"
awk -v a="$IMPORT_S" -v b="$FLOOR_S" 'BEGIN { printf "%-46s %10.2f  (1 = anlao imports as fast as SQLite can store)\n", "same-registry shell time / anlao import time", b / a }'
printf '%-46s %10s  (target <= 1024 MiB; sqlite3 shell %s MiB)\n' 'peak memory of anlao (MiB)' "$((PEAK / 1024))" "$((SHELL_MEM / 1024))"
printf '%-46s %10s  p50 %s ms, p99 %s ms (target p99 <= 5 ms)\n' 'search by name / ID number at this size' "$1 req/s" "$2" "$3"
printf '%-46s %s\n' 'filtered lists (category, status, age, region)' "$FILTERS"
