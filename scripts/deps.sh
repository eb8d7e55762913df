#!/bin/sh
# Install what the build, the tests or the benchmarks need, from Debian.
# Usage: scripts/deps.sh build|test|bench
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu
what=${1:-build}
pkgs="gcc make pkg-config libevent-dev libjansson-dev libsodium-dev libsqlite3-dev sqlite3 libpq-dev libxlsxwriter-dev libzip-dev libexpat1-dev libfreexl-dev libmosquitto-dev zlib1g-dev mosquitto nodejs"
case "$what" in
    test)  pkgs="$pkgs libcmocka-dev clang libclang-rt-14-dev chromium fonts-noto-cjk postgresql-15 nginx python3 python3-xlwt python3-openpyxl" ;;
    bench) pkgs="$pkgs wrk time python3 mosquitto-clients" ;;
esac
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
# npm: Debian's package, unless a newer npm already came with node.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "缺少依赖软件包 (missing packages):$missing" >&2
    echo "请以 root 身份运行 (run as root): apt-get install -y$missing" >&2
    exit 1
fi
echo "安装依赖 (installing):$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The tests start their own servers (PostgreSQL, nginx, mosquitto) on loopback in temporary directories:
# keep the packages' own services from starting on install (exit 101 = action forbidden).
own_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
true
