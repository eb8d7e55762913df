#!/bin/sh
# Run a command (make run: anlao serve) beside a mosquitto broker on loopback for the devices
# (issue 14, docs/devices.md). The broker lives in var/mqtt/ (config, password and ACL files that
# anlao writes, persistence); anlao gets the ANLAO_MQTT_* variables. MQTT=0, or no mosquitto
# installed, runs the command alone. MQTT_PORT (default 1883) is the broker's port.
# Usage: scripts/mqtt-dev.sh COMMAND [ARG...]
set -eu
if [ "${MQTT:-1}" = 0 ] || ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
    exec "$@"
fi
bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
dir=$(pwd)/var/mqtt
port=${MQTT_PORT:-1883}
mkdir -p "$dir"
chmod 700 "$dir"
[ -f "$dir/anlao.secret" ] || (umask 077; od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/anlao.secret")
touch "$dir/passwd" "$dir/acl"
chmod 600 "$dir/passwd" "$dir/acl"
{
    echo "listener $port 127.0.0.1"
    echo "allow_anonymous false"
    echo "password_file $dir/passwd"
    echo "acl_file $dir/acl"
    echo "persistence true"
    echo "persistence_location $dir/"
    echo "log_dest stderr"
    echo "log_type error"
    echo "log_type warning"
    [ "$(id -u)" -eq 0 ] && echo "user root"
} >"$dir/mosquitto.conf"
"$bin" -c "$dir/mosquitto.conf" &
broker=$!
echo "$broker" >"$dir/mosquitto.pid"
trap 'kill "$broker" 2>/dev/null || true' EXIT INT TERM
echo "MQTT 代理已启动：127.0.0.1:$port（设备模拟：build/anlao devsim --port $port --serial FG-SOS-0002 --password Anlao2026）"
ANLAO_MQTT_HOST=127.0.0.1 ANLAO_MQTT_PORT=$port ANLAO_MQTT_USER=anlao \
ANLAO_MQTT_PASSWORD=$(cat "$dir/anlao.secret") ANLAO_MQTT_PASSWD_FILE=$dir/passwd \
ANLAO_MQTT_ACL_FILE=$dir/acl ANLAO_MQTT_PID_FILE=$dir/mosquitto.pid \
    "$@" || rc=$?
exit "${rc:-0}"
