#!/bin/sh
# The registry at scale (issues 3 and 11): for N elders (default 1,000,000) the five department
# files are imported with `anlao import` and the identification run made, on each engine chosen:
#  - SQLite: a database file; against the sqlite3 shell doing the job of the issue (import the
#    CSVs, join on the ID number, classify with SQL) and the shell writing the same registry;
#  - PostgreSQL 15: a throwaway server (tests/lib/pg.sh, fsync on); against `psql \copy` loading
#    the same five files into plain staging tables of the same database, then the same join and
#    classification in SQL.
# Then, per engine, a server on the imported registry answers searches by name / ID number and the
# filtered lists under wrk with 16 connections.  Figures and ratios side by side, never pass/fail.
#   BENCH_ELDERS=N           size (default 1000000)
#   BENCH_ENGINES=sqlite,pg  engines (default both when PostgreSQL 15 is installed, else sqlite)
#   BENCH_PG_OPTS="-c …"     server settings of the PostgreSQL run (default below)
#   BENCH_BEFORE=BINARY      an earlier anlao build: on PostgreSQL it also imports the same files
#                            into a second database of the same server and answers the same
#                            searches and lists; a last table puts its figures beside build/anlao's
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_ELDERS:-1000000}
PG_BIN=/usr/lib/postgresql/15/bin
if [ -z "${BENCH_ENGINES:-}" ]; then
    if [ -x "$PG_BIN/initdb" ]; then BENCH_ENGINES=sqlite,pg; else BENCH_ENGINES=sqlite; fi
fi
DO_SQLITE=0; DO_PG=0
for e in $(echo "$BENCH_ENGINES" | tr ',' ' '); do
    case "$e" in
    sqlite) DO_SQLITE=1 ;;
    pg | postgresql) DO_PG=1 ;;
    *) echo "BENCH_ENGINES: 未知的引擎 $e（可选 sqlite、pg）" >&2; exit 2 ;;
    esac
done
BEFORE=${BENCH_BEFORE:-}
if [ -n "$BEFORE" ] && { [ ! -x "$BEFORE" ] || [ "$DO_PG" != 1 ]; }; then
    echo "BENCH_BEFORE 须是可执行的 anlao，且 BENCH_ENGINES 含 pg" >&2
    exit 2
fi
if [ "$DO_PG" = 1 ] && [ ! -x "$PG_BIN/initdb" ]; then
    echo "BENCH_ENGINES 含 pg，但未安装 PostgreSQL 15（apt-get install postgresql-15）" >&2
    exit 2
fi
# Durable like SQLite's synchronous=FULL (pg.sh's test default is fsync=off); room for a bulk load.
PG_OPTS=${BENCH_PG_OPTS:-"-c fsync=on -c shared_buffers=512MB -c max_wal_size=8GB -c maintenance_work_mem=256MB -c effective_cache_size=4GB"}
OUT=build/bench
mkdir -p "$OUT"
TMP=$(mktemp -d)
PIDS=""
PGDIR=""
SAMPLER=""
cleanup() {
    for p in $PIDS $SAMPLER; do kill "$p" 2>/dev/null || true; done
    [ -n "$PGDIR" ] && tests/lib/pg.sh stop "$PGDIR" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.3g", b / a; else print "-" }'; }
wrk_fig() { # req/s, p50 and p99 (ms) of a wrk --latency output
    awk 'function ms(v){ if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
        /Requests\/sec/ { r = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
        /Non-2xx/ { bad += $NF } /Socket errors/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
        END { printf "%.0f %.2f %.2f %d", r, p50, p99, bad }' "$1"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
KINDS="hukou roll disability death pension"

echo "生成 $N 位老人的五类文件……（引擎：$BENCH_ENGINES；负载 $(cut -d' ' -f1-3 /proc/loadavg)）"
t0=$(now); build/anlao gen --elders "$N" --out "$TMP/src" --bad-per-mille 0 >"$TMP/gen.json"; t1=$(now)
GEN_S=$(secs "$t0" "$t1")
ROWS=$(python3 -c "import json;d=json.load(open('$TMP/gen.json'));print(sum(v['rows'] for v in d.values()))")

# Queries of the HTTP part: full names and ID numbers of 500 real people of the registry
# (a reservoir sample: the file is read once, whatever its size).
python3 - "$TMP/src/hukou.csv" >"$TMP/queries.lua" <<'PY2'
import sys, csv, urllib.parse, random
random.seed(7)
pick = []
with open(sys.argv[1], encoding='utf-8-sig') as f:
    r = csv.reader(f)
    next(r)
    for i, row in enumerate(r):
        if i < 500:
            pick.append(row)
        else:
            j = random.randint(0, i)
            if j < 500:
                pick[j] = row
names = [urllib.parse.quote(r[1]) for r in pick]
ids = [r[0] for r in pick]
print('local names = {' + ','.join('"%s"' % n for n in names) + '}')
print('local ids = {' + ','.join('"%s"' % i for i in ids) + '}')
print('wrk.headers["Cookie"] = os.getenv("ANLAO_COOKIE")')
print('local i = 0')
print('request = function() i = i + 1')
print('  if i % 2 == 0 then return wrk.format("GET", "/api/v1/elders?q=" .. names[(i % #names) + 1]) end')
print('  return wrk.format("GET", "/api/v1/elders?id_number=" .. ids[(i % #ids) + 1]) end')
PY2
# Filtered lists (what officers open every day): category, status, age range, region, combined.
cat >"$TMP/filters.lua" <<'LUA'
local qs = {"category=advanced_age", "status=deceased", "age_min=80", "region=520327001",
  "category=advanced_age&status=active", "age_min=80&status=active", "category=economic_difficulty&region=520327001",
  "status=active&region=520327103", "category=advanced_age&age_min=90", "age_min=65&age_max=70&region=520327001001"}
wrk.headers["Cookie"] = os.getenv("ANLAO_COOKIE")
local i = 0
request = function() i = i + 1; return wrk.format("GET", "/api/v1/elders?" .. qs[(i % #qs) + 1]) end
LUA

# anlao import of the five files, then identify, into the database $2 (engine $1, env $3...).
# Sets <engine>_IMPORT_S, _IDENT_S, _IDENT_MS, _PEAK (KiB), _CPU (s of anlao), _<kind> (s).
anlao_run() {
    eng=$1; db=$2; bin=${3:-build/anlao}
    peak=0; cpu=0
    t0=$(now)
    for k in $KINDS; do
        k0=$(now)
        # One file is one transaction: at 10,000,000 elders the household file takes longer than
        # the default limit of a single import (ANLAO_IMPORT_MAX_SECONDS, 1,800 s) and has more
        # rows than its default limit (ANLAO_IMPORT_MAX_ROWS, 5,000,000: refused at the 5,000,001st
        # row, nothing written — an hour of a 10,000,000 run was lost to it on 4 December 2026).
        env ANLAO_DATA_DIR="$TMP/$eng.data" ANLAO_IMPORT_MAX_SECONDS=86400 ANLAO_IMPORT_MAX_ROWS=100000000 /usr/bin/time -f '%M %U %S' -o "$TMP/mem" \
            "$bin" import --db "$db" --kind "$k" "$TMP/src/$k.csv" --commit >"$TMP/$eng.$k.out" 2>"$TMP/$eng.$k.err" || {
            echo "anlao import $k ($eng) 失败：" >&2; tail -5 "$TMP/$eng.$k.err" >&2; exit 1; }
        set -- $(tail -1 "$TMP/mem")
        [ "$1" -gt "$peak" ] && peak=$1
        cpu=$(awk -v c="$cpu" -v u="$2" -v s="$3" 'BEGIN { print c + u + s }')
        eval "${eng}_$k=\$(secs \"\$k0\" \"\$(now)\")"
    done
    t1=$(now)
    env ANLAO_DATA_DIR="$TMP/$eng.data" /usr/bin/time -f '%M %U %S' -o "$TMP/mem" \
        "$bin" identify --db "$db" >"$TMP/$eng.identify.json" 2>"$TMP/$eng.identify.err"
    t2=$(now)
    set -- $(tail -1 "$TMP/mem")
    [ "$1" -gt "$peak" ] && peak=$1
    eval "${eng}_IMPORT_S=\$(secs \"\$t0\" \"\$t1\"); ${eng}_IDENT_S=\$(secs \"\$t1\" \"\$t2\")"
    eval "${eng}_PEAK=\$peak; ${eng}_CPU=\$cpu"
    eval "${eng}_IDENT_MS=\$(python3 -c \"import json;print(json.load(open('\$TMP/\$eng.identify.json'))['duration_ms'])\")"
}

# One elder registered per second for $2 seconds through the API of the server on port $1;
# prints the number written (201 answers).
writer() {
    python3 - "$1" "$2" <<'PY'
import json, random, sys, time, urllib.request
port, secs = sys.argv[1], int(sys.argv[2])
base = 'http://127.0.0.1:' + port
r = urllib.request.urlopen(urllib.request.Request(base + '/api/v1/auth/login',
    data=json.dumps({'username': 'admin', 'password': 'Bench12345'}).encode(),
    headers={'Content-Type': 'application/json'}))
cookie, csrf = r.headers['Set-Cookie'].split(';')[0], json.load(r)['csrf_token']
W, C = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], '10X98765432'
n = 0
for i in range(secs):
    body = '520327%04d0101%03d' % (1920 + random.randrange(20), random.randrange(1000))
    idn = body + C[sum(int(a) * w for a, w in zip(body, W)) % 11]
    req = urllib.request.Request(base + '/api/v1/elders', data=json.dumps({'name': '写入老人',
        'id_number': idn, 'region_code': '520327001001', 'address': '一号',
        'phone': '13800001234'}).encode(), headers={'Content-Type': 'application/json',
        'Cookie': cookie, 'X-CSRF-Token': csrf})
    try:
        n += urllib.request.urlopen(req).status == 201
    except Exception:
        pass
    time.sleep(1)
print(n)
PY
}

# A server (engine $1) on the database $2: search and filtered lists under wrk -c16.
# Sets <engine>_SEARCH and <engine>_FILTERS ("req/s p50 p99 errors").
http_run() {
    eng=$1; db=$2; bin=${3:-build/anlao}
    sync # the writes above reach the disk first: no writeback under the measurement
    port=$(free_port)
    env ANLAO_DATA_DIR="$TMP/$eng.data" ANLAO_ADMIN_PASSWORD=Bench12345 ANLAO_ACCESS_LOG=0 \
        "$bin" serve --db "$db" --port "$port" >"$TMP/$eng.serve.log" 2>&1 &
    srv=$!; PIDS="$PIDS $srv"
    for _ in $(seq 400); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
    ANLAO_COOKIE=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/v1/auth/login" \
        -d '{"username":"admin","password":"Bench12345"}' | sed -n 's/^Set-Cookie: \(anlao_session=[0-9a-f]*\).*/\1/ip')
    export ANLAO_COOKIE
    wrk -t2 -c16 -d3s -s "$TMP/queries.lua" "http://127.0.0.1:$port" >/dev/null 2>&1 || true
    wrk -t2 -c16 -d10s --latency -s "$TMP/queries.lua" "http://127.0.0.1:$port" >"$OUT/search.$eng.txt" 2>&1
    wrk -t2 -c16 -d10s --latency -s "$TMP/filters.lua" "http://127.0.0.1:$port" >"$OUT/filters.$eng.txt" 2>&1
    # The same lists while an elder is registered every second: a write makes the next totals
    # be counted again (RULE-DB-130, RULE-DB-140), so this is the row a busy office sees.
    writer "$port" 12 >"$TMP/$eng.writer.out" 2>&1 & wpid=$!
    wrk -t2 -c16 -d10s --latency -s "$TMP/filters.lua" "http://127.0.0.1:$port" >"$OUT/filters_w.$eng.txt" 2>&1
    wait "$wpid" 2>/dev/null || true
    eval "${eng}_SEARCH=\"\$(wrk_fig \"\$OUT/search.\$eng.txt\")\"; ${eng}_FILTERS=\"\$(wrk_fig \"\$OUT/filters.\$eng.txt\")\""
    eval "${eng}_FILTERS_W=\"\$(wrk_fig \"\$OUT/filters_w.\$eng.txt\")\"; ${eng}_WRITES=\$(tail -1 \"\$TMP/\$eng.writer.out\")"
    kill "$srv" 2>/dev/null || true
    wait "$srv" 2>/dev/null || true
}

if [ "$DO_SQLITE" = 1 ]; then
echo "SQLite：导入、识别、sqlite3 shell 对照……"
DB="$TMP/anlao.db"
anlao_run sqlite "$DB"
sqlite_SIZE=$(du -cm "$DB"* | tail -1 | cut -f1)
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
echo "SQLite：HTTP 查询与筛选列表……"
http_run sqlite "$DB"
rm -f "$DB" "$DB-wal" "$DB-shm" "$TMP/shell.db" "$FLOOR_DB"
fi

# ---- PostgreSQL 15: a throwaway server, the same import through anlao, psql \copy as baseline ----
if [ "$DO_PG" = 1 ]; then
echo "PostgreSQL：临时服务器（$PG_OPTS）……"
PGDIR=$(mktemp -d /tmp/anlao-bench-pg-XXXXXX)
URL=$(PG_OPTS="$PG_OPTS" tests/lib/pg.sh start "$PGDIR")
PM=$(head -1 "$PGDIR/data/postmaster.pid")
export PGCLIENTENCODING=UTF8
# The server's memory: the largest sum of the proportional set sizes (PSS: shared buffers counted
# once) of the postmaster and its children, sampled every 0.5 s.
python3 - "$PM" "$TMP/pg.mem" <<'PY' &
import os, sys, time
pm, out, peak = sys.argv[1], sys.argv[2], 0
while True:
    total = 0
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            if p != pm and open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[1] != pm:
                continue
            for line in open(f'/proc/{p}/smaps_rollup'):
                if line.startswith('Pss:'):
                    total += int(line.split()[1])
        except (OSError, IndexError):
            pass
    if total > peak:
        peak = total
        with open(out, 'w') as f:
            f.write(f'{peak}\n')
    time.sleep(0.5)
PY
SAMPLER=$!
TICK=$(getconf CLK_TCK)
pg_cpu() { # CPU seconds of the server so far: the postmaster, its live children, the reaped ones
    python3 - "$PM" "$TICK" <<'PY'
import os, sys
pm, tick, t = sys.argv[1], int(sys.argv[2]), 0
for p in os.listdir('/proc'):
    if not p.isdigit():
        continue
    try:
        f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
    except OSError:
        continue
    if p == pm:
        t += sum(int(x) for x in f[11:15])  # utime stime cutime cstime
    elif f[1] == pm:
        t += int(f[11]) + int(f[12])
print(t / tick)
PY
}
echo "PostgreSQL：导入、识别……"
c0=$(pg_cpu)
anlao_run pg "$URL"
pg_DBCPU=$(awk -v a="$c0" -v b="$(pg_cpu)" 'BEGIN { printf "%.1f", b - a }')
pg_SIZE=$(psql -tA "$URL" -c "SELECT pg_database_size(current_database()) / 1048576")

printf '%s\n' 'PostgreSQL：psql \copy 对照……'
psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null <<'SQL'
CREATE SCHEMA staging;
CREATE TABLE staging.hukou("公民身份号码" text, "姓名" text, "区划代码" text, "住址" text, "户号" text,
  "户内人数" text, "性别" text, "出生日期" text);
CREATE TABLE staging.roll("身份证号" text, "姓名" text, "类别" text, "开始日期" text, "结束日期" text);
CREATE TABLE staging.disability("身份证号码" text, "姓名" text, "残疾类别" text, "残疾等级" text);
CREATE TABLE staging.death("身份证号" text, "姓名" text, "死亡日期" text);
CREATE TABLE staging.pension("证件号码" text, "姓名" text, "养老保险类型" text, "月领取金额" text);
SQL
t0=$(now)
# (printf, not echo: dash's echo reads "\c" as "stop here" and would send psql nothing)
{ for k in $KINDS; do printf '%s\n' "\\copy staging.$k FROM '$TMP/src/$k.csv' CSV HEADER"; done; } |
    psql -q -v ON_ERROR_STOP=1 "$URL" >"$TMP/copy.out"
t1=$(now)
COPIED=$(psql -tA "$URL" -c "SELECT (SELECT count(*) FROM staging.hukou) + (SELECT count(*) FROM staging.roll)
    + (SELECT count(*) FROM staging.disability) + (SELECT count(*) FROM staging.death)
    + (SELECT count(*) FROM staging.pension)")
[ "$COPIED" = "$ROWS" ] || { printf 'psql \\copy 只载入了 %s 行（应为 %s）\n' "$COPIED" "$ROWS" >&2; exit 1; }
t2=$(now)
psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null <<'SQL'
CREATE INDEX hukou_id ON staging.hukou("公民身份号码");
CREATE TABLE staging.elders AS
  SELECT h."公民身份号码" AS id, h."姓名" AS name, h."区划代码" AS region,
         substr(h."公民身份号码", 7, 8) AS birth,
         r."类别" AS roll, d."残疾等级" AS grade, x."死亡日期" AS died, p."养老保险类型" AS pension
  FROM staging.hukou h
  LEFT JOIN staging.roll r ON r."身份证号" = h."公民身份号码"
  LEFT JOIN staging.disability d ON d."身份证号码" = h."公民身份号码"
  LEFT JOIN staging.death x ON x."身份证号" = h."公民身份号码"
  LEFT JOIN staging.pension p ON p."证件号码" = h."公民身份号码";
CREATE TABLE staging.categories AS
  SELECT id, 'advanced_age' AS category FROM staging.elders
    WHERE birth <= to_char(current_date - interval '80 years', 'YYYYMMDD')
  UNION ALL SELECT id, 'economic_difficulty' FROM staging.elders WHERE roll IN ('特困', '低保', '低保边缘', '低收入')
  UNION ALL SELECT id, 'severe_disability' FROM staging.elders WHERE grade IN ('一级', '二级', '1', '2');
SELECT count(*) FROM staging.categories;
SQL
t3=$(now)
pg_COPY_S=$(secs "$t0" "$t1"); pg_SHELL_S=$(awk -v a="$pg_COPY_S" -v b="$(secs "$t2" "$t3")" 'BEGIN { printf "%.2f", a + b }')
psql -q "$URL" -c "SET client_min_messages = warning; DROP SCHEMA staging CASCADE" >/dev/null
# Whether the registry was analysed before the HTTP part: by the import itself (RULE-DB-082) or
# by autovacuum.
pg_ANALYZED=$(psql -tA "$URL" -c "SELECT CASE WHEN last_analyze IS NOT NULL THEN 'yes, by the import'
    WHEN last_autoanalyze IS NOT NULL THEN 'yes, by autovacuum' ELSE 'no' END
    FROM pg_stat_user_tables WHERE relname = 'elders'")
# Entries waiting in the trigram indexes' GIN pending lists, which every search reads in full.
pg_PENDING=$(psql -tA "$URL" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pgstattuple" \
    -c "SELECT sum(pending_tuples) FROM unnest(ARRAY['elders_name_trgm', 'elders_phone_trgm',
    'elders_address_trgm']) AS i, pgstatginindex(CAST(i AS regclass))" | tail -1)
echo "PostgreSQL：HTTP 查询与筛选列表……"
http_run pg "$URL"
if [ -n "$BEFORE" ]; then # the earlier build, its own database on the same server
    echo "PostgreSQL：BENCH_BEFORE（$BEFORE）导入、识别、HTTP……"
    psql -q "$URL" -c "CREATE DATABASE anlao_before" >/dev/null
    URL_B=$(printf '%s' "$URL" | sed 's#///anlao?#///anlao_before?#')
    anlao_run pgb "$URL_B" "$BEFORE"
    http_run pgb "$URL_B" "$BEFORE"
fi
pg_SRVPEAK=$(cat "$TMP/pg.mem" 2>/dev/null || echo 0)
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
tests/lib/pg.sh stop "$PGDIR" >/dev/null 2>&1; PGDIR=""
fi

# ---- the table ----
v() { # the value of variable $1 (engine-prefixed) or a dash
    eval "x=\${$1:-}"; [ -n "$x" ] && printf '%s' "$x" || printf '-'
}
row() { printf '%-46s %16s %16s  %s\n' "$1" "$2" "$3" "${4:-}"; }
num() { [ "$2" = 1 ] && printf '%s' "$1" || printf '-'; }
wf() { # field $2 of the wrk figures $1 of engine $3
    eval "x=\${$1:-}"; [ -z "$x" ] && { printf '-'; return; }
    set -- $x "$2"; eval "printf '%s' \"\${$5}\""
}
rps() { [ "$1" = 1 ] && awk -v r="$ROWS" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", r / s }' || printf '-'; }
mib() { [ -n "$1" ] && [ "$1" != 0 ] && echo $(($1 / 1024)) || printf '-'; }
if [ "$DO_SQLITE" = 1 ]; then
    sqlite_TOTAL_S=$(awk -v a="$sqlite_IMPORT_S" -v b="$sqlite_IDENT_S" 'BEGIN { printf "%.2f", a + b }')
    sqlite_SHELL_RATIO=$(ratio "$sqlite_TOTAL_S" "$SHELL_S")
    sqlite_FLOOR_RATIO=$(ratio "$sqlite_IMPORT_S" "$FLOOR_S")
fi
if [ "$DO_PG" = 1 ]; then
    pg_TOTAL_S=$(awk -v a="$pg_IMPORT_S" -v b="$pg_IDENT_S" 'BEGIN { printf "%.2f", a + b }')
    pg_SHELL_RATIO=$(ratio "$pg_TOTAL_S" "$pg_SHELL_S")
    pg_COPY_RATIO=$(ratio "$pg_IMPORT_S" "$pg_COPY_S")
fi

printf '\n安老 registry bench — %s elders, %s rows in five files, %s cores, load average %s\n' \
    "$N" "$ROWS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$DO_PG" = 1 ] && printf 'PostgreSQL 15 settings: %s\n' "$PG_OPTS"
printf '\n'
row 'figure' 'SQLite' 'PostgreSQL'
row 'generate the files (anlao gen)' "${GEN_S} s" ''
row 'anlao import, five files (s)' "$(v sqlite_IMPORT_S)" "$(v pg_IMPORT_S)"
row '  rows/s' "$(rps "$DO_SQLITE" "${sqlite_IMPORT_S:-0}")" "$(rps "$DO_PG" "${pg_IMPORT_S:-0}")"
for k in $KINDS; do row "  $k (s)" "$(v sqlite_$k)" "$(v pg_$k)"; done
row '  CPU of anlao, import + identify (s)' "$(v sqlite_CPU)" "$(v pg_CPU)" 'the rest of the wall time: waiting (disk, the server)'
row '  CPU of the PostgreSQL server (s)' '-' "$(v pg_DBCPU)" 'import + identify, every backend'
row 'anlao identify (s)' "$(v sqlite_IDENT_S)" "$(v pg_IDENT_S)" 'targets: <= 2 s at 1M (issue 3); <= 30 s at 10M on PG (issue 11)'
row '  the run itself (ms)' "$(v sqlite_IDENT_MS)" "$(v pg_IDENT_MS)"
row 'anlao end to end (s)' "$(v sqlite_TOTAL_S)" "$(v pg_TOTAL_S)"
row 'database size after identify (MiB)' "$(v sqlite_SIZE)" "$(v pg_SIZE)"
row 'peak memory of anlao (MiB)' "$(mib "${sqlite_PEAK:-}")" "$(mib "${pg_PEAK:-}")" 'target <= 1024 MiB'
row 'peak memory of the PG server, PSS (MiB)' '-' "$(mib "${pg_SRVPEAK:-}")" 'sampled every 0.5 s, whole run'
row 'client job: load + join + classify (s)' "$(v SHELL_S)" "$(v pg_SHELL_S)" 'sqlite3 shell .import / psql \copy'
row '  its time / anlao end to end' "$(v sqlite_SHELL_RATIO)" "$(v pg_SHELL_RATIO)" 'issue 3 asked >= 3 (anlao faster by that factor)'
row 'psql \copy of the five files (s)' '-' "$(v pg_COPY_S)" 'plain staging tables, same database'
row '  \copy time / anlao import time' '-' "$(v pg_COPY_RATIO)" '1 = anlao imports as fast as COPY loads the text'
row 'sqlite3 shell writing the same registry (s)' "$(v FLOOR_S)" '-' "${FLOOR_ROWS:+$FLOOR_ROWS records; no checks, encryption or hashing}"
row '  its time / anlao import time' "$(v sqlite_FLOOR_RATIO)" '-' '1 = anlao imports as fast as SQLite can store'
row 'search by name / ID number, 16 users: req/s' "$(wf sqlite_SEARCH 1)" "$(wf pg_SEARCH 1)"
row '  p50 (ms)' "$(wf sqlite_SEARCH 2)" "$(wf pg_SEARCH 2)"
row '  p99 (ms)' "$(wf sqlite_SEARCH 3)" "$(wf pg_SEARCH 3)" 'targets: <= 5 ms at 1M (issue 3); <= 10 ms at 10M on PG'
row '  failed requests' "$(wf sqlite_SEARCH 4)" "$(wf pg_SEARCH 4)" 'non-2xx + socket errors (timeouts: 2 s); anything but 0 voids the row'
row 'filtered lists, 16 users: req/s' "$(wf sqlite_FILTERS 1)" "$(wf pg_FILTERS 1)"
row '  p50 (ms)' "$(wf sqlite_FILTERS 2)" "$(wf pg_FILTERS 2)"
row '  p99 (ms)' "$(wf sqlite_FILTERS 3)" "$(wf pg_FILTERS 3)" 'target: <= 200 ms at 10M on PG (issue 11)'
row '  failed requests' "$(wf sqlite_FILTERS 4)" "$(wf pg_FILTERS 4)"
row 'lists + one write per second: req/s' "$(wf sqlite_FILTERS_W 1)" "$(wf pg_FILTERS_W 1)" "writes: ${sqlite_WRITES:--} / ${pg_WRITES:--}"
row '  p50 (ms)' "$(wf sqlite_FILTERS_W 2)" "$(wf pg_FILTERS_W 2)"
row '  p99 (ms)' "$(wf sqlite_FILTERS_W 3)" "$(wf pg_FILTERS_W 3)" 'a write makes the next totals be counted again (RULE-DB-130, -140)'
row '  failed requests' "$(wf sqlite_FILTERS_W 4)" "$(wf pg_FILTERS_W 4)"
[ "$DO_PG" = 1 ] && printf '\nPostgreSQL before the HTTP part: elders analysed: %s; GIN pending entries of the trigram indexes: %s\n' "$pg_ANALYZED" "$pg_PENDING"
if [ -n "$BEFORE" ]; then
    printf '\nPostgreSQL, the same files and server: BENCH_BEFORE (%s) and build/anlao\n' "$BEFORE"
    row 'figure' 'before' 'after'
    row 'anlao import, five files (s)' "$(v pgb_IMPORT_S)" "$(v pg_IMPORT_S)"
    row 'anlao identify (s)' "$(v pgb_IDENT_S)" "$(v pg_IDENT_S)"
    row 'search, 16 users: p50 (ms)' "$(wf pgb_SEARCH 2)" "$(wf pg_SEARCH 2)"
    row '  p99 (ms)' "$(wf pgb_SEARCH 3)" "$(wf pg_SEARCH 3)"
    row 'filtered lists, 16 users: req/s' "$(wf pgb_FILTERS 1)" "$(wf pg_FILTERS 1)"
    row '  p50 (ms)' "$(wf pgb_FILTERS 2)" "$(wf pg_FILTERS 2)"
    row '  p99 (ms)' "$(wf pgb_FILTERS 3)" "$(wf pg_FILTERS 3)"
    row '  failed requests' "$(wf pgb_FILTERS 4)" "$(wf pg_FILTERS 4)"
    row 'lists + one write per second: req/s' "$(wf pgb_FILTERS_W 1)" "$(wf pg_FILTERS_W 1)" "writes: ${pgb_WRITES:--} / ${pg_WRITES:--}"
    row '  p50 (ms)' "$(wf pgb_FILTERS_W 2)" "$(wf pg_FILTERS_W 2)"
    row '  p99 (ms)' "$(wf pgb_FILTERS_W 3)" "$(wf pg_FILTERS_W 3)"
    row '  failed requests' "$(wf pgb_FILTERS_W 4)" "$(wf pg_FILTERS_W 4)"
fi
printf 'wrk outputs: %s/search.<engine>.txt, %s/filters.<engine>.txt\n' "$OUT" "$OUT"
