#!/usr/bin/env bash
# Generator cost of the application protocols (issue 15, "Speed"), side by side in one run:
# the same Socket.IO chat load (100 sessions, each in its own room, sending `msg` events that
# come back from the room) driven by wsbench-loadgen (bench/protocols/socketio-chat.yaml) and
# by Artillery 2's built-in socketio engine (bench/protocols/socketio-chat-artillery.yml; npm
# artillery@2, installed under build/bench-peers/), against the same real socket.io 4 server
# (tests/peers/js/socketio_server.js), and, beside them, wsbench's raw-WebSocket scenario
# (bench/scenarios/rpc.yaml) against wsbench-echo-server at the same message rate.
#
# The server runs pinned to core 0, each generator to core 1. The figure is messages per
# generator CPU-second: the messages the server counted (events in + deliveries out, printed
# by the server when it stops; for the echo server, its /stats in + out) divided by the
# generator process's user + system CPU (/usr/bin/time). Each server is started fresh per run.
# Artillery has no open-loop rate inside a session (a user sends, waits for the reply, thinks),
# so wsbench runs twice: at Artillery's measured rate (like for like) and at the highest rate
# of --rates it sustained. Every measurement runs --runs times; the median is quoted with the
# range. Prints a Markdown table (docs/benchmarks.md records it); logs and reports land in
# build/reports/protocols/. Exit 1 when a wsbench run fails; Artillery missing or failing is
# reported loudly and its columns left empty.
#
#   bench/protocols.sh [--duration 10] [--runs 2] [--rates '2000 10000 20000'] [--no-artillery]
set -euo pipefail
cd "$(dirname "$0")/.."

secs=10
runs=2
rates="2000 10000 20000"
artillery=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) secs=${2%s}; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --rates) rates=$2; shift 2 ;;
        --no-artillery) artillery=0; shift ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "protocols.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for r in $rates; do
    if ! [[ $r =~ ^[0-9]+$ ]] || ((r < 100 || r % 100 != 0)); then
        echo "protocols.sh: --rates: $r is not a multiple of 100 messages/s (100 sessions)" >&2; exit 2
    fi
done
[[ $secs =~ ^[0-9]+$ && $secs -ge 2 ]] || { echo "protocols.sh: --duration: whole seconds, at least 2" >&2; exit 2; }

./scripts/setup.sh
if [[ $(nproc) -lt 2 ]]; then echo "protocols.sh: needs two cores (server and load apart)" >&2; exit 3; fi
cmake -S . -B build >/dev/null
cmake --build build --target wsbench-echo-server wsbench-loadgen -j "$(nproc)" >/dev/null
out=build/reports/protocols
mkdir -p "$out"
loadgen=./build/bin/wsbench-loadgen
sio_server=tests/peers/js/socketio_server.js

# Starts a server on core 0 reading its stdin from fd 4; sets $url and $server_pid.
start_server() {
    local fifo=$out/server.stdin line
    rm -f "$fifo"; mkfifo "$fifo"
    if [[ $1 == sio ]]; then
        taskset -c 0 node "$sio_server" <"$fifo" >"$out/server.out" 2>"$out/server.err" &
    else
        taskset -c 0 ./build/bin/wsbench-echo-server --engine fast --port 0 --threads 1 \
            <"$fifo" >"$out/server.out" 2>"$out/server.err" &
    fi
    server_pid=$!
    exec 4>"$fifo"
    for _ in $(seq 100); do
        line=$(grep -m1 '^listening on ' "$out/server.out" 2>/dev/null || true)
        [[ -n $line ]] && break
        sleep 0.1
    done
    [[ -n $line ]] || { echo "protocols.sh: the $1 server did not start" >&2; exit 3; }
    url=${line#listening on }
}

# Stops the server; sets $server_msgs to the messages it counted (in + out). Not in a command
# substitution: the subshell would neither close the parent's fd 4 nor wait for the server.
stop_server() {
    local kind=$1 hostport
    if [[ $kind == sio ]]; then
        exec 4>&-
        wait "$server_pid" || true
        server_msgs=$(python3 -c "import json, sys; c = json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(c['msgs'] + c['deliveries'])" "$out/server.out")
    else
        hostport=${url#ws://}; hostport=${hostport%%/*}
        server_msgs=$(python3 -c "import json, urllib.request; s = json.load(urllib.request.urlopen('http://$hostport/stats', timeout=5)); print(s['in']['messages'] + s['out']['messages'])")
        exec 4>&-
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}

# timed NAME CMD...: CMD on core 1 under /usr/bin/time ("user sys wall" in $out/NAME.time).
timed() {
    local name=$1
    shift
    /usr/bin/time -f '%U %S %e' -o "$out/$name.time" taskset -c 1 "$@" >"$out/$name.log" 2>&1
}
cpu_of() { awk '{printf "%.3f", $1 + $2}' "$out/$1.time"; }

# scenario_file socketio|rpc RATE: a copy of the scenario at RATE messages/s in all.
scenario_file() {
    local f=$out/$1-$2.yaml per=$(($2 / 100))
    if [[ $1 == socketio ]]; then
        sed -e "s|rate: 20/s|rate: $per/s|" -e "s|duration: 10s|duration: ${secs}s|" \
            bench/protocols/socketio-chat.yaml >"$f"
    else
        sed -e "s|rate: 100/s|rate: $per/s|" -e "s|duration: 10s|duration: ${secs}s|" \
            -e "s|duration: 11s|duration: $((secs + 1))s|" bench/scenarios/rpc.yaml >"$f"
    fi
    echo "$f"
}

# run_wsbench socketio|rpc RATE RUN -> "server_msgs cpu_s status"
run_wsbench() {
    local kind=$1 rate=$2 name=$1-$2-$3 rc=0 msgs st
    start_server "$([[ $kind == socketio ]] && echo sio || echo echo)"
    timed "$name" "$loadgen" "$url" --scenario "$(scenario_file "$kind" "$rate")" -t 1 -q \
        --json "$out/$name.json" || rc=$?
    stop_server "$([[ $kind == socketio ]] && echo sio || echo echo)"
    msgs=$server_msgs
    st=$(python3 - "$out/$name.json" "$rc" "$rate" "$secs" <<'PY'
import json, sys
path, rc, rate, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
try:
    r = json.load(open(path))
except (OSError, ValueError):
    print("no-report"); sys.exit()
timeouts = sum(s.get("timeouts", 0) for s in r.get("steps", {}).values())
s = r.get("sessions", {})
if rc != 0: print(f"exit-{rc}")
elif timeouts or s.get("cut", 0) or s.get("failed", 0) or r["summary"]["messages"]["sent"] < 0.97 * rate * secs: print("short")
else: print("ok")
PY
)
    echo "$msgs $(cpu_of "$name") $st"
}

# run_artillery THINK_MS COUNT RUN -> "server_msgs cpu_s rate status"
run_artillery() {
    local name=artillery-$1ms-$2-$3 rc=0 msgs f=$out/artillery-$1ms-$2.yml
    sed -e "s|think: 50ms|think: ${1}ms|" -e "s|count: 200|count: $2|" \
        bench/protocols/socketio-chat-artillery.yml >"$f"
    start_server sio
    timed "$name" env ARTILLERY_DISABLE_TELEMETRY=true DO_NOT_TRACK=1 node "$artillery_bin" run \
        --target "http://${url#ws://}" -o "$out/$name.json" "$f" || rc=$?
    stop_server sio
    msgs=$server_msgs
    python3 - "$out/$name.json" "$rc" "$msgs" "$(cpu_of "$name")" <<'PY'
import json, sys
path, rc, msgs, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
try:
    a = json.load(open(path))["aggregate"]
except (OSError, ValueError, KeyError):
    print(msgs, cpu, 0, "no-report"); sys.exit()
c = a["counters"]
errors = sum(v for k, v in c.items() if k.startswith("errors.")) + c.get("vusers.failed", 0)
# The total emit rate over the time emits were made (Artillery's own first and last counters).
span_s = (a.get("lastCounterAt", 0) - a.get("firstCounterAt", 0)) / 1000
emits = c.get("socketio.emit", 0)
rate = emits / span_s if span_s > 0 else 0
print(msgs, cpu, round(rate), "ok" if rc == 0 and errors == 0 else f"exit-{rc}-errors-{errors}")
PY
}

median() { python3 -c "import statistics, sys; print(round(statistics.median(float(x) for x in sys.argv[1].split())))" "$1"; }
spread() { python3 -c "import sys; v = [float(x) for x in sys.argv[1].split()]; print(f'{min(v):,.0f}-{max(v):,.0f}')" "$1"; }
per_cpu() { python3 -c "print(round($1 / max($2, 0.001)))"; }

echo "== load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
declare -A figure status
failed=0
measure() {  # measure KIND RATE: fills figure[KIND-RATE] and status[KIND-RATE]
    local kind=$1 rate=$2 run msgs cpu st
    for run in $(seq 1 "$runs"); do
        read -r msgs cpu st < <(run_wsbench "$kind" "$rate" "$run")
        echo "   $kind at $rate/s, run $run: $st (server counted $msgs messages, generator ${cpu} s CPU)" >&2
        figure[$kind-$rate]+=" $(per_cpu "$msgs" "$cpu")"
        [[ $st == ok ]] || status[$kind-$rate]+=" run$run:$st"
        [[ $st == no-report || $st == exit-* ]] && failed=1
    done
    return 0
}
for rate in $rates; do
    measure socketio "$rate"
    measure rpc "$rate"
done

# Artillery.
artillery_bin=build/bench-peers/artillery/node_modules/.bin/artillery
art_rate=0
declare -A art_fig
if [[ $artillery -eq 1 && ! -x $artillery_bin ]]; then
    echo "protocols.sh: installing artillery@2 under build/bench-peers/artillery (npm)" >&2
    mkdir -p build/bench-peers/artillery
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix build/bench-peers/artillery --no-audit \
        --no-fund --loglevel=error artillery@2 >"$out/npm-install.log" 2>&1 || true
fi
if [[ $artillery -eq 1 ]] && [[ -x $artillery_bin ]] && node "$artillery_bin" --version >/dev/null 2>&1; then
    rates_seen=""
    for run in $(seq 1 "$runs"); do
        read -r msgs cpu arate st < <(run_artillery 50 $((secs * 20)) "$run")
        echo "   artillery think 50 ms x $((secs * 20)), run $run: $st (server counted $msgs messages, about $arate emits/s, ${cpu} s CPU)" >&2
        art_fig[fig]+=" $(per_cpu "$msgs" "$cpu")"
        [[ $st == ok ]] || art_fig[status]+=" run$run:$st"
        rates_seen+=" $arate"
    done
    art_rate=$(median "$rates_seen")
    same=$(((art_rate + 50) / 100 * 100)); ((same >= 100)) || same=100
    measure socketio "$same"
else
    echo "!!! protocols.sh: ARTILLERY SKIPPED (--no-artillery, or artillery@2 not installable: $out/npm-install.log)" >&2
    artillery=0
fi

echo
echo "Socket.IO chat load (100 sessions, own rooms, events back from the room) against the socket.io $(node -p "require('./tests/peers/js/node_modules/socket.io/package.json').version") server"
echo "(node $(node --version), core 0); generators on core 1. Messages per generator CPU-second = server-counted"
echo "events in + deliveries out / generator user + sys CPU; median of $runs runs (range). ${secs} s each."
echo "Raw WebSocket: bench/scenarios/rpc.yaml against wsbench-echo-server (fast engine, 1 thread, core 0)."
echo
echo "| generator | rate (msgs sent/s) | msgs/CPU-s | range | notes |"
echo "|---|---:|---:|---|---|"
if [[ $artillery -eq 1 ]]; then
    printf '| Artillery 2 socketio engine (think 50 ms) | ~%s | %s | %s | %s |\n' "$art_rate" \
        "$(median "${art_fig[fig]}")" "$(spread "${art_fig[fig]}")" "${art_fig[status]:-}"
    printf '| wsbench-loadgen, protocol: socketio, same rate | %s | **%s** | %s | %s; **%sx Artillery** |\n' "$same" \
        "$(median "${figure[socketio-$same]}")" "$(spread "${figure[socketio-$same]}")" "${status[socketio-$same]:-}" \
        "$(python3 -c "print(f'{$(median "${figure[socketio-$same]}") / max($(median "${art_fig[fig]}"), 1):.1f}')")"
fi
for rate in $rates; do
    printf '| wsbench-loadgen, protocol: socketio | %s | %s | %s | %s |\n' "$rate" \
        "$(median "${figure[socketio-$rate]}")" "$(spread "${figure[socketio-$rate]}")" "${status[socketio-$rate]:-}"
    printf '| wsbench-loadgen, raw WebSocket (rpc.yaml) | %s | %s | %s | %s |\n' "$rate" \
        "$(median "${figure[rpc-$rate]}")" "$(spread "${figure[rpc-$rate]}")" "${status[rpc-$rate]:-}"
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Reports and logs: $out/"
exit "$failed"
