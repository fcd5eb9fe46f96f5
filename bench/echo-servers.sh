#!/usr/bin/env bash
# End-to-end benchmark of echo servers, side by side in one run: wsbench-echo-server with
# its fast engine and with its websocketpp engine, the plain websocketpp echo server and a
# Boost.Beast echo server (bench/peers/, built here from Debian's packages; not part of the
# product).
#
# Each server runs on one thread pinned to core 0; wsbench-loadgen runs pinned to core 1 with
# 100 connections x 32-byte messages, open loop. For each server the script finds the
# highest rate sustained for the whole window with p99 under 10 ms and nothing lost
# (--slo 'p99<10ms,errors<1'), doubling from 25k/s, then bisecting. Prints a Markdown table
# (docs/benchmarks.md records it); reports land in build/reports/echo-servers/.
#
#   bench/echo-servers.sh [--duration 5s] [--max-rate 3M]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=5s
max_rate=3000000
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        --max-rate) max_rate=$2; shift 2 ;;
        *) echo "echo-servers.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

./scripts/setup.sh
if ! dpkg-query -W -f='${Status}' libboost-dev 2>/dev/null | grep -q "install ok installed"; then
    echo "echo-servers.sh: installing libboost-dev for the Beast peer" >&2
    sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libboost-dev >/dev/null
fi
cpus=$(nproc)
if [[ $cpus -lt 2 ]]; then echo "echo-servers.sh: needs two cores (server and load apart)" >&2; exit 3; fi

cmake -S . -B build >/dev/null
cmake --build build --target wsbench-echo-server wsbench-loadgen -j "$cpus" >/dev/null
peers=build/bench-peers
mkdir -p "$peers" build/reports/echo-servers
[[ $peers/websocketpp_echo -nt bench/peers/websocketpp_echo.cpp ]] ||
    g++ -std=c++17 -O2 -DNDEBUG -DASIO_STANDALONE -D_WEBSOCKETPP_CPP11_STL_ bench/peers/websocketpp_echo.cpp \
        -o "$peers/websocketpp_echo" -pthread
[[ $peers/beast_echo -nt bench/peers/beast_echo.cpp ]] ||
    g++ -std=c++17 -O2 -DNDEBUG bench/peers/beast_echo.cpp -o "$peers/beast_echo" -pthread

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_rate URL RATE -> prints "pass|fail p99_us received server_ticks lag_warning"
run_rate() {
    local url=$1 rate=$2 pid=$3 report
    report=build/reports/echo-servers/$name-$rate.json
    local before after
    before=$(cpu_ticks "$pid")
    local status=pass
    taskset -c 1 ./build/bin/wsbench-loadgen "$url" -c 100 -m 32 -R "$rate" -d "$duration" --warmup 1s \
        -t 1 -q --slo 'p99<10ms,errors<1' --json "$report" >/dev/null 2>&1 || status=fail
    after=$(cpu_ticks "$pid")
    python3 - "$report" "$status" "$((after - before))" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
lost = s["messages"]["sent"] - s["messages"]["received"]
status = sys.argv[2] if lost == 0 else "fail"
warn = "saturated" if r["generator"]["warnings"] else "-"
# The server's CPU ticks cover warmup + window; scale the echoes counted in the window alike.
window = s["duration_s"] or 1
echoes = s["messages"]["received"] * (window + r["config"]["warmup_s"]) / window
print(status, r["latency_us"]["p99"], int(echoes), sys.argv[3], warn)
PY
}

declare -A best_rate best_p99 best_cpu best_warn pipe_rate pipe_p99 pipe_cpu
servers=(fast-engine websocketpp-engine websocketpp-plain beast)
for name in "${servers[@]}"; do
    case $name in
        fast-engine) cmd=(./build/bin/wsbench-echo-server --engine fast --port 0 --threads 1) ;;
        websocketpp-engine) cmd=(./build/bin/wsbench-echo-server --engine websocketpp --port 0 --threads 1) ;;
        websocketpp-plain) cmd=("$peers/websocketpp_echo" 0) ;;
        beast) cmd=("$peers/beast_echo" 0) ;;
    esac
    exec 3< <(exec taskset -c 0 "${cmd[@]}" 2>/dev/null)
    pid=$!
    read -r -t 10 line <&3 || { echo "$name did not start" >&2; exit 3; }
    url=${line#listening on }
    echo "== $name at $url (pid $pid)" >&2
    pass=0; fail=0; rate=25000
    while :; do
        read -r st p99 received ticks warn < <(run_rate "$url" "$rate" "$pid")
        echo "   $rate/s: $st (p99 ${p99} us, $received echoes, server ${ticks} ticks, generator $warn)" >&2
        if [[ $st == pass ]]; then
            pass=$rate; best_p99[$name]=$p99; best_warn[$name]=$warn
            best_cpu[$name]=$(python3 -c "print(f'{$ticks / 100 / $received * 1e6:.2f}')")
            [[ $rate -ge $max_rate ]] && break
            rate=$((rate * 2))
        else
            fail=$rate; break
        fi
    done
    # Bisect between the last pass and the first failure, to within 10 %.
    while [[ $fail -gt 0 && $pass -gt 0 && $((fail - pass)) -gt $((pass / 10)) ]]; do
        rate=$(((pass + fail) / 2))
        read -r st p99 received ticks warn < <(run_rate "$url" "$rate" "$pid")
        echo "   $rate/s: $st (p99 ${p99} us, $received echoes, server ${ticks} ticks, generator $warn)" >&2
        if [[ $st == pass ]]; then
            pass=$rate; best_p99[$name]=$p99; best_warn[$name]=$warn
            best_cpu[$name]=$(python3 -c "print(f'{$ticks / 100 / $received * 1e6:.2f}')")
        else
            fail=$rate
        fi
    done
    best_rate[$name]=$pass
    # Closed loop with 32 messages in flight per connection: batches form on both sides, as
    # under tcpkali, and the server's CPU per echo shows its ceiling beyond the generator's.
    report=build/reports/echo-servers/$name-pipeline.json
    before=$(cpu_ticks "$pid")
    taskset -c 1 ./build/bin/wsbench-loadgen "$url" -c 100 -m 32 --pipeline 32 -d "$duration" -t 1 -q \
        --json "$report" >/dev/null 2>&1 || true
    after=$(cpu_ticks "$pid")
    read -r pipe_rate[$name] pipe_p99[$name] pipe_cpu[$name] < <(python3 - "$report" "$((after - before))" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
n = s["messages"]["received"]
# The server's CPU covers connecting and draining too: a slight overestimate per echo.
print(int(n / (s["duration_s"] or 1)), r["latency_us"]["p99"], f"{int(sys.argv[2]) / 100 / max(n, 1) * 1e6:.3f}")
PY
)
    echo "   pipeline 32: ${pipe_rate[$name]}/s, p99 ${pipe_p99[$name]} us, server ${pipe_cpu[$name]} us CPU per echo" >&2
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done

echo
echo "100 connections x 32 B, open loop, ${duration} windows; server on core 0 (1 thread), wsbench-loadgen on core 1."
echo
echo "The ceiling is one core divided by the server's CPU per echo at the highest rate passed: what"
echo "the server would reach if the generator kept up (it is an estimate when the generator saturated)."
echo
echo "| server | highest rate with p99 < 10 ms, nothing lost | p99 there | server CPU per echo | ceiling on one core | generator |"
echo "|---|---:|---:|---:|---:|---|"
for name in "${servers[@]}"; do
    ceiling=-
    [[ -n ${best_cpu[$name]:-} ]] && ceiling=$(python3 -c "print(f'{1e6 / max(${best_cpu[$name]}, 0.01) / 1e6:.2f}M/s')")
    echo "| $name | ${best_rate[$name]}/s | ${best_p99[$name]:--} us | ${best_cpu[$name]:--} us | $ceiling | ${best_warn[$name]:--} |"
done

echo
echo "Closed loop, 100 connections x 32 B with 32 in flight each (--pipeline 32), ${duration}:"
echo
echo "| server | echoes/s | p99 | server CPU per echo | ceiling on one core |"
echo "|---|---:|---:|---:|---:|"
for name in "${servers[@]}"; do
    ceiling=$(python3 -c "print(f'{1 / max(${pipe_cpu[$name]:-0}, 0.001):.2f}M/s')")
    echo "| $name | ${pipe_rate[$name]}/s | ${pipe_p99[$name]} us | ${pipe_cpu[$name]} us | $ceiling |"
done
