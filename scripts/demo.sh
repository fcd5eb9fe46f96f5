#!/usr/bin/env bash
# The main job end to end on loopback: installs what is missing, builds, starts the echo
# server, talks to it, stops it with SIGTERM, and runs the codec micro benchmarks (ours
# beside websocketpp's). The load generator and conformance runner join as they land.
# Reports go to build/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
echo "== building (first build takes a few minutes)" >&2
cmake -S . -B build >/dev/null
cmake --build build -j "$jobs" >/dev/null
reports="$(pwd)/build/reports"
mkdir -p "$reports"

echo "== wsbench-echo-server on loopback" >&2
exec 3< <(./build/bin/wsbench-echo-server --port 0 --log-connections 2>"$reports/echo-server.log")
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
# Wait for the readiness line (bounded: the read times out after 10 s).
read -r -t 10 line <&3 || { echo "demo: the echo server did not start; see $reports/echo-server.log" >&2; exit 3; }
echo "$line" >&2
hostport=${line##*://}
host=${hostport%:*}
port=${hostport##*:}

# GET /stats over bash's /dev/tcp: no client needed on a fresh machine.
exec 4<>"/dev/tcp/$host/$port"
printf 'GET /stats HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$hostport" >&4
sed '1,/^\r$/d' <&4 >"$reports/echo-server-stats.json"
exec 4<&-
echo "GET /stats: $(cat "$reports/echo-server-stats.json")" >&2

kill -TERM "$server_pid"
wait "$server_pid" || { echo "demo: the echo server exited with $?" >&2; exit 1; }
trap - EXIT
echo "server stopped cleanly on SIGTERM" >&2

echo "== codec micro benchmarks: ours vs websocketpp, one run" >&2
./build/bin/wsbench-microbench --benchmark_min_time=0.05 \
    --benchmark_out="$reports/microbench.json" --benchmark_out_format=json >&2
python3 bench/ratios.py "$reports/microbench.json"

echo >&2
echo "reports in $reports:" >&2
ls -1 "$reports" | sed 's/^/  /' >&2
