#!/usr/bin/env bash
# What --metrics-listen and --dashboard cost the load generator, side by side in one run:
# wsbench-loadgen at a fixed open-loop rate against wsbench-echo-server (fast engine, one
# thread), in turn without either, with --metrics-listen (scraped once a second by curl, as
# Prometheus would) and with --dashboard (its event stream read by curl, as a browser would),
# ROUNDS times each, the order rotated every round. Prints a Markdown table: the loadgen
# process's CPU seconds (user + system, from /usr/bin/time), its worker thread's (the
# report's generator.cpu_s: the hot path), the messages and the p99 (docs/benchmarks.md).
#
#   bench/metrics-overhead.sh [--rate 100k] [--duration 10s] [--connections 100] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."

rate=100k duration=10s conns=100 rounds=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rate) rate=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) conns=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "metrics-overhead.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
bin=${WSBENCH_BIN:-build/bin}
for tool in wsbench-echo-server wsbench-loadgen; do
    [[ -x $bin/$tool ]] || { echo "metrics-overhead.sh: build $bin/$tool first" >&2; exit 3; }
done
command -v curl >/dev/null || { echo "metrics-overhead.sh: curl is needed to scrape" >&2; exit 3; }

tmp=$(mktemp -d)
server_pid=
scraper_pid=
cleanup() {
    [[ -n $scraper_pid ]] && kill "$scraper_pid" 2>/dev/null || true
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$bin/wsbench-echo-server" --engine fast --threads 1 --port 0 >"$tmp/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/server.out" && break; sleep 0.1; done
url=$(grep -o 'ws://[0-9.]*:[0-9]*' "$tmp/server.out")/

# One run: "process-CPU-s worker-CPU-s sent received p99_us".
run() {
    local extra=() report=$tmp/report.json
    [[ $1 == --metrics-listen ]] && extra=(--metrics-listen 127.0.0.1:0)
    [[ $1 == --dashboard ]] && extra=(--dashboard 127.0.0.1:0)
    : >"$tmp/err"
    /usr/bin/time -f "%U %S" -o "$tmp/time" "$bin/wsbench-loadgen" "$url" -t 1 -c "$conns" \
        -R "$rate" -d "$duration" -q --json "$report" "${extra[@]}" >/dev/null 2>"$tmp/err" &
    local pid=$!
    if [[ $1 == --metrics-listen ]]; then
        for _ in $(seq 100); do grep -q "metrics on" "$tmp/err" 2>/dev/null && break; sleep 0.05; done
        local metrics
        metrics=$(grep -o 'http://[0-9.]*:[0-9]*/metrics' "$tmp/err")
        (while sleep 1; do curl -s -o /dev/null "$metrics" || true; done) &
        scraper_pid=$!
    elif [[ $1 == --dashboard ]]; then
        for _ in $(seq 100); do grep -q "dashboard on" "$tmp/err" 2>/dev/null && break; sleep 0.05; done
        local events
        events=$(grep -o 'http://[0-9.]*:[0-9]*/' "$tmp/err")events
        curl -sN -o /dev/null "$events" &
        scraper_pid=$!
    fi
    wait "$pid" || true
    [[ -n $scraper_pid ]] && { kill "$scraper_pid" 2>/dev/null || true; scraper_pid=; }
    python3 - "$tmp/time" "$report" <<'PY'
import json, sys
user, system = map(float, open(sys.argv[1]).read().split()[-2:])
r = json.load(open(sys.argv[2]))
m = r["summary"]["messages"]
print(f'{user + system:.2f} {r["generator"]["cpu_s"]:.2f} {m["sent"]} {m["received"]} '
      f'{r["latency_us"]["p99"]}')
PY
}

echo "| round | outlet | process CPU-s | worker thread CPU-s | sent | received | p99 |"
echo "|---|---|---:|---:|---:|---:|---:|"
modes=(none --metrics-listen --dashboard)
for round in $(seq "$rounds"); do
    order=()
    for i in 0 1 2; do order+=("${modes[$(((round - 1 + i) % 3))]}"); done
    for mode in "${order[@]}"; do
        read -r cpu worker sent received p99 < <(run "$mode")
        echo "| $round | $mode | $cpu | $worker | $sent | $received | ${p99} us |"
    done
done
