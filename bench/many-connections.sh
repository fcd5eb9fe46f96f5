#!/usr/bin/env bash
# Holds N WebSocket connections (default 50,000) on loopback to ONE server port, spread over
# source addresses, on a machine whose open-file limit is below N per process: the
# connections are shared out over P server processes that join one port (wsbench-echo-server
# --engine fast --reuse-port; the kernel spreads them with SO_REUSEPORT) and P load-generator
# shards (wsbench-loadgen --shard I/P), whose reports wsbench-report merges exactly.
# P and the number of source addresses are computed from `ulimit -Hn` and the ephemeral port
# range, so the same script holds 50,000 in one process each where the limit allows.
#
#   bench/many-connections.sh [-c 50000] [--hold 10s] [--connect-rate 10k] [--processes P]
#                             [--sources K]
#
# --connect-rate is the total over every shard (0: unlimited; the SYN and accept queues then
# overflow at this scale and the kernel's SYN retries show as seconds of connect time).
#
# Prints, per process, its connections and RSS at the hold, and the merged totals; the merged
# report is build/reports/many-connections/merged.json. Exit 0 when every connection opened
# and was held, 1 when not, 2 usage, 3 when the machine cannot run it.
set -euo pipefail
cd "$(dirname "$0")/.."

conns=50000
hold=10s
rate=10k
procs=
sources=
while [[ $# -gt 0 ]]; do
    case "$1" in
        -c) conns=$2; shift 2 ;;
        --hold) hold=$2; shift 2 ;;
        --connect-rate) rate=$2; shift 2 ;;
        --processes) procs=$2; shift 2 ;;
        --sources) sources=$2; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "many-connections.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $conns =~ ^[0-9]+$ && $conns -gt 0 ]] || { echo "many-connections.sh: -c $conns: expected a count" >&2; exit 2; }

limit=$(ulimit -Hn)
[[ $limit == unlimited ]] && limit=1048576
per_proc=$((limit - 200))  # what one process may hold, after its own files
if [[ -z $procs ]]; then
    # The kernel's SO_REUSEPORT hash does not split exactly evenly: keep 10 % spare.
    procs=$(( (conns + per_proc * 9 / 10 - 1) / (per_proc * 9 / 10) ))
fi
read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
ports=$((hi - lo + 1))
if [[ -z $sources ]]; then
    # Every shard connects to the same address and port, so they share the port space of
    # each source address. Past half of it Linux's connect() scans the half it prefers in
    # full before every pick (50,000 over 2 addresses stalled at ~28,000 open): keep each
    # address under 45 %, and at least two addresses, so the run always spreads.
    sources=$(( (conns + ports * 45 / 100 - 1) / (ports * 45 / 100) ))
    ((sources < 2)) && sources=2
fi
((sources <= 254)) || { echo "many-connections.sh: $sources source addresses needed; at most 254" >&2; exit 3; }
echo "== $conns connections: $procs server process(es) sharing one port, $procs loadgen shard(s)," \
     "source addresses 127.0.0.1-127.0.0.$sources (open-file hard limit $limit, $ports ephemeral ports)" >&2

./scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build --target wsbench-echo-server wsbench-loadgen wsbench-report -j "$(nproc)" >/dev/null

out=build/reports/many-connections
rm -rf "$out"
mkdir -p "$out"
servers=()
shards=()
cleanup() {
    # shellcheck disable=SC2317  # called by the trap
    for p in "${shards[@]}" "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# Waits (at most 10 s) for the listening line in FILE and prints the URL.
listening_url() {
    local i
    for i in $(seq 200); do
        if grep -q '^listening on ' "$1" 2>/dev/null; then
            sed -n 's/^listening on //p' "$1" | head -n 1
            return 0
        fi
        sleep 0.05
    done
    echo "many-connections.sh: server did not start: $(cat "${1%.out}.err")" >&2
    return 1
}

port=0
for ((i = 0; i < procs; i++)); do
    args=(--engine fast --threads 1 --max-connections "$per_proc" --stats-interval 1s)
    ((i > 0)) && args+=(--port "$port" --reuse-port) || args+=(--port 0)
    ./build/bin/wsbench-echo-server "${args[@]}" >"$out/server-$i.out" 2>"$out/server-$i.err" &
    servers+=($!)
    url=$(listening_url "$out/server-$i.out") || exit 3
    port=${url##*:}
    port=${port%%/*}
done
echo "== servers listening on $url (pids ${servers[*]})" >&2

start=$(date +%s.%N)
for ((i = 0; i < procs; i++)); do
    ./build/bin/wsbench-loadgen "$url" --scenario connect -c "$conns" --connect-rate "$rate" --shard "$i/$procs" -t 1 \
        --source-ip "127.0.0.1-127.0.0.$sources" -d "$hold" -q --json "$out/shard-$i.json" \
        >"$out/shard-$i.txt" 2>"$out/shard-$i.err" &
    shards+=($!)
done

# RSS of every process while the connections are held, sampled every 0.5 s; the peak is kept.
rss_peak=()
sample() {
    local k=0 p kb
    for p in "${servers[@]}" "${shards[@]}"; do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
        ((kb > ${rss_peak[$k]:-0})) && rss_peak[k]=$kb
        k=$((k + 1))
    done
}
failed=0
for p in "${shards[@]}"; do
    while kill -0 "$p" 2>/dev/null; do sample; sleep 0.5; done
    wait "$p" || failed=1
done
end=$(date +%s.%N)

for p in "${servers[@]}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${servers[@]}"; do wait "$p" || true; done
servers=()
shards=()

if ((procs > 1)); then
    ./build/bin/wsbench-report merge "$out"/shard-*.json -o "$out/merged.json" -q
else
    cp "$out/shard-0.json" "$out/merged.json"
fi
python3 - "$conns" "$procs" "$out" "$start" "$end" "${rss_peak[@]}" <<'PY'
import json, sys
want, procs, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
wall = float(sys.argv[5]) - float(sys.argv[4])
rss = [int(x) for x in sys.argv[6:]]
print(f"{'process':<12} {'connections':>12} {'peak RSS':>12}")
for i in range(procs):
    peak = 0
    for line in open(f"{out}/server-{i}.err"):
        if "stats {" in line:
            peak = max(peak, json.loads(line[line.index("{"):])["connections"]["open"])
    print(f"{'server ' + str(i):<12} {peak:>12,} {rss[i]:>9,} KiB")
for i in range(procs):
    c = json.load(open(f"{out}/shard-{i}.json"))["summary"]["connections"]
    print(f"{'loadgen ' + str(i):<12} {c['established']:>12,} {rss[procs + i]:>9,} KiB")
m = json.load(open(f"{out}/merged.json"))
c = m["summary"]["connections"]
print(f"merged: {c['established']:,} of {want:,} established, {c['failed']:,} failed, "
      f"{c.get('opened_per_s', 0):,.0f} opened/s over the ramp, connect p99 "
      f"{m['connect_latency_us']['p99'] / 1000:.1f} ms, handshake p99 "
      f"{m['handshake_latency_us']['p99'] / 1000:.1f} ms; {wall:.1f} s wall; errors {({k: v for k, v in m['errors'].items() if v}) or 'none'}")
sys.exit(0 if c["established"] == want and c["failed"] == 0 else 1)
PY
rc=$?
echo "== reports: $out/shard-*.json, merged: $out/merged.json" >&2
((failed == 0)) || echo "many-connections.sh: a loadgen shard exited non-zero (see $out/shard-*.err)" >&2
exit $((rc != 0 || failed != 0))
