#!/usr/bin/env bash
# The main job end to end on loopback: installs what is missing, builds, starts the echo
# server (its default engine, fast), drives it with the load generator (100 connections, open
# loop at 20k messages a second for 5 s), runs the conformance suite against it (any FAILED
# case fails the demo), reads its /stats, stops it with SIGTERM, repeats the load against
# --engine websocketpp, and runs the codec micro benchmarks (ours beside websocketpp's).
# Reports go to build/reports/, with an HTML page of the load generator's report.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
echo "== building (the first build takes a few minutes)" >&2
cmake -S . -B build >/dev/null
cmake --build build -j "$jobs" >/dev/null
reports="$(pwd)/build/reports"
mkdir -p "$reports"

echo "== wsbench-echo-server on loopback" >&2
exec 3< <(exec ./build/bin/wsbench-echo-server --port 0 2>"$reports/echo-server.log")
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
# Wait for the readiness line (bounded: the read times out after 10 s).
read -r -t 10 line <&3 || { echo "demo: the echo server did not start; see $reports/echo-server.log" >&2; exit 3; }
echo "$line" >&2
url=${line#listening on }
hostport=${url#ws://}

echo "== wsbench-loadgen: 100 connections, 20k messages/s, 5 s" >&2
./build/bin/wsbench-loadgen "$url" -c 100 -R 20k -d 5s --json "$reports/loadgen.json" || {
    echo "demo: the load generator failed (exit $?)" >&2
    exit 1
}

echo "== wsbench-conformance: Autobahn's cases 1-10 and our handshake/masking cases" >&2
# The reference server passes every case with its defaults: any FAILED case stops the demo.
./build/bin/wsbench-conformance "$url" --report-dir "$reports/conformance" -q || {
    rc=$?
    case $rc in
        1) echo "demo: a conformance case FAILED against the default engine; details in $reports/conformance/index.html" >&2 ;;
        *) echo "demo: the conformance runner could not run (exit $rc)" >&2 ;;
    esac
    exit 1
}

# GET /stats over bash's /dev/tcp: no HTTP client needed on a fresh machine.
exec 4<>"/dev/tcp/${hostport%:*}/${hostport##*:}"
printf 'GET /stats HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$hostport" >&4
sed '1,/^\r$/d' <&4 >"$reports/echo-server-stats.json"
exec 4<&-
echo "server /stats: $(cat "$reports/echo-server-stats.json")" >&2

kill -TERM "$server_pid"
wait "$server_pid" || { echo "demo: the echo server exited with $?" >&2; exit 1; }
trap - EXIT
echo "echo server stopped cleanly on SIGTERM" >&2

echo "== wsbench-report html: the run as one self-contained page" >&2
./build/bin/wsbench-report html "$reports/loadgen.json" -o "$reports/loadgen.html"

echo "== the websocketpp engine: the same load against --engine websocketpp" >&2
exec 5< <(exec ./build/bin/wsbench-echo-server --engine websocketpp --port 0 2>>"$reports/echo-server.log")
wspp_pid=$!
trap 'kill "$wspp_pid" 2>/dev/null || true' EXIT
read -r -t 10 line <&5 || { echo "demo: the websocketpp engine did not start; see $reports/echo-server.log" >&2; exit 3; }
./build/bin/wsbench-loadgen "${line#listening on }" -c 100 -R 20k -d 5s -q --json "$reports/loadgen-websocketpp.json" >/dev/null
kill -TERM "$wspp_pid"
wait "$wspp_pid" || { echo "demo: the websocketpp engine exited with $?" >&2; exit 1; }
trap - EXIT
# Which engine served the same load better, metric by metric (exit 1 on a "regression" is
# expected when the second run was slower; the demo only shows the table).
./build/bin/wsbench-report compare "$reports/loadgen.json" "$reports/loadgen-websocketpp.json" || true

echo "== codec micro benchmarks: ours vs websocketpp, one run" >&2
./build/bin/wsbench-microbench --benchmark_min_time=0.05 \
    --benchmark_out="$reports/microbench.json" --benchmark_out_format=json >/dev/null 2>&1
python3 bench/ratios.py "$reports/microbench.json"

echo >&2
echo "reports in $reports:" >&2
ls -1 "$reports" | sed 's/^/  /' >&2
