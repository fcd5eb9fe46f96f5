#!/usr/bin/env bash
# The ~28k-ports-per-destination wall and --source-ip, reproduced at a size any machine can
# hold: the ephemeral port range is narrowed to N ports for the run (root; restored on exit),
# then wsbench-loadgen opens 1.8 x N connections to one wsbench-echo-server port, first from
# one source address (it must refuse up front), then spread over two (every one must open).
# At full size the same run is 50,000 connections over two or more addresses, which needs
# an open-file limit above 50,000 for each process.
#
#   sudo bench/source-ip.sh [--ports 5000]
set -euo pipefail
cd "$(dirname "$0")/.."

ports=5000
while [[ $# -gt 0 ]]; do
    case "$1" in
        --ports) ports=$2; shift 2 ;;
        *) echo "source-ip.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
range=/proc/sys/net/ipv4/ip_local_port_range
if [[ $(id -u) -ne 0 || ! -w $range ]]; then
    echo "source-ip.sh: needs root and a writable $range" >&2
    exit 3
fi
conns=$((ports * 18 / 10))
if [[ $(ulimit -Hn) -lt $((conns + 100)) ]]; then
    echo "source-ip.sh: open-file hard limit $(ulimit -Hn) is below $conns connections; use --ports $(( ($(ulimit -Hn) - 100) * 10 / 18 ))" >&2
    exit 3
fi

./scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build --target wsbench-echo-server wsbench-loadgen -j "$(nproc)" >/dev/null

saved=$(cat "$range")
server=
cleanup() {
    echo "$saved" > "$range"
    [[ -n $server ]] && kill "$server" 2>/dev/null || true
}
trap cleanup EXIT
echo "40000 $((40000 + ports - 1))" > "$range"

exec 3< <(exec ./build/bin/wsbench-echo-server --engine fast --port 0 --threads 2 -q \
    --max-connections "$((conns + 10))")
server=$!
read -r -t 10 line <&3 || { echo "source-ip.sh: the server did not start" >&2; exit 3; }
url=${line#listening on }

mkdir -p build/reports
echo "== $conns connections to $url from one source address ($ports ports)" >&2
if ./build/bin/wsbench-loadgen "$url" --scenario connect -c "$conns" -d 1s -t 2 -q \
        --json build/reports/source-ip-one.json; then
    echo "source-ip.sh: FAIL: the run from one address was not refused" >&2
    exit 1
fi
echo "== $conns connections from 127.0.0.1-127.0.0.2" >&2
./build/bin/wsbench-loadgen "$url" --scenario connect -c "$conns" --source-ip 127.0.0.1-127.0.0.2 \
    -d 1s -t 2 -q --json build/reports/source-ip-two.json
python3 - "$conns" build/reports/source-ip-two.json <<'PY'
import json, sys
want = int(sys.argv[1])
c = json.load(open(sys.argv[2]))["summary"]["connections"]
print(f"{c['established']} of {want} open from two addresses, {c['failed']} failed, "
      f"{c['opened_per_s']:.0f} opened/s")
sys.exit(0 if c["established"] == want else 1)
PY
