#!/usr/bin/env bash
# Memory per idle connection, side by side in one run: each server (one thread) holds N
# WebSocket connections opened by wsbench-loadgen --scenario connect, and the script reads
# the server's resident set (VmRSS) before the first connection and once all N are open.
# Kernel socket buffers are not part of a process's RSS, so the difference is what the
# server itself keeps per connection. Prints a Markdown table (docs/benchmarks.md).
#
#   bench/idle-rss.sh [--connections 10000]
set -euo pipefail
cd "$(dirname "$0")/.."

conns=10000
while [[ $# -gt 0 ]]; do
    case "$1" in
        --connections) conns=$2; shift 2 ;;
        *) echo "idle-rss.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

./scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build --target wsbench-echo-server wsbench-loadgen -j "$(nproc)" >/dev/null
peers=build/bench-peers
mkdir -p "$peers"
[[ $peers/websocketpp_echo -nt bench/peers/websocketpp_echo.cpp ]] ||
    g++ -std=c++17 -O2 -DNDEBUG -DASIO_STANDALONE -D_WEBSOCKETPP_CPP11_STL_ bench/peers/websocketpp_echo.cpp \
        -o "$peers/websocketpp_echo" -pthread
if [[ $(ulimit -Hn) -lt $((conns + 100)) ]]; then
    echo "idle-rss.sh: the open-file hard limit $(ulimit -Hn) is below $conns connections + slack (each process needs one per connection)" >&2
    exit 3
fi

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }

declare -A base full
servers=(fast websocketpp websocketpp-plain)
for name in "${servers[@]}"; do
    case $name in
        fast) cmd=(./build/bin/wsbench-echo-server --engine fast --port 0 --threads 1 -q) ;;
        websocketpp) cmd=(./build/bin/wsbench-echo-server --engine websocketpp --port 0 --threads 1 -q) ;;
        websocketpp-plain) cmd=("$peers/websocketpp_echo" 0) ;;
    esac
    exec 3< <(exec "${cmd[@]}" 2>/dev/null)
    pid=$!
    read -r -t 10 line <&3 || { echo "$name did not start" >&2; exit 3; }
    url=${line#listening on }
    port=${url##*:}
    port=${port%%/*}
    base[$name]=$(rss_kib "$pid")
    ./build/bin/wsbench-loadgen "$url" --scenario connect -c "$conns" -d 60s -t 1 -q >/dev/null 2>&1 &
    gen=$!
    deadline=$((SECONDS + 60))
    until [[ $(established "$port") -ge $conns ]]; do
        [[ $SECONDS -lt $deadline ]] || { echo "$name: only $(established "$port") connections open" >&2; break; }
        sleep 0.2
    done
    full[$name]=$(rss_kib "$pid")
    echo "== $name: RSS ${base[$name]} KiB idle, ${full[$name]} KiB with $conns connections" >&2
    kill "$gen" 2>/dev/null || true
    wait "$gen" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done

echo
echo "RSS of each server (one thread) holding $conns idle WebSocket connections from wsbench-loadgen."
echo
echo "| server | RSS before | RSS with $conns connections | per connection |"
echo "|---|---:|---:|---:|"
for name in "${servers[@]}"; do
    per=$(python3 -c "print(f'{(${full[$name]} - ${base[$name]}) / $conns:.2f}')")
    echo "| $name | ${base[$name]} KiB | ${full[$name]} KiB | $per KiB |"
done
