#!/bin/sh
# A throwaway PostgreSQL 15 server for the tests: Debian's postgresql-15 binaries, a cluster in a
# temporary directory, listening only on a Unix socket inside it (no TCP port to collide on),
# trust authentication, stopped and removed afterwards.  As root the server runs as `postgres`
# (initdb refuses root).
#   tests/lib/pg.sh start DIR   create and start; prints the connection URL
#   tests/lib/pg.sh stop DIR    stop and remove DIR
# PG_OPTS adds server settings after the defaults (a later -c wins), e.g. bench/registry.sh's
# "-c fsync=on -c shared_buffers=512MB".
set -eu
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?start|stop}
dir=${2:?directory}
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
    if [ ! -x "$bin/initdb" ]; then
        echo "缺少 PostgreSQL 15（apt-get install postgresql-15），测试无法启动数据库" >&2
        exit 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200 ${PG_OPTS:-}" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$bin/createdb" -h "$dir" -U postgres anlao
    echo "postgresql:///anlao?host=$dir&user=postgres"
    ;;
stop)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
