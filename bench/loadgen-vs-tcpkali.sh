#!/usr/bin/env bash
# Generator cost, side by side in one run (issue 19): wsbench-loadgen and tcpkali drive the
# same server (wsbench-echo-server's fast engine, one thread pinned to core 0), each generator
# alone on core 1, 100 connections x 32-byte messages, open loop at the same offered total
# rate. For each rate it prints what each generator delivered (messages sent + received per
# second), its whole-process CPU (user + sys, from /usr/bin/time) and messages per
# CPU-second, and the ratio wsbench / tcpkali. tcpkali runs first, on one thread (-w 1, as
# wsbench's -t 1); wsbench then runs at the send rate tcpkali actually reached (tcpkali's -r
# overshoots at low rates: -r 100 on 100 connections sends about 21k/s), so both do the same
# work; `max` runs tcpkali unpaced.
#
# tcpkali is not in Debian and not part of this project: build it yourself from its public
# repository (satori-com/tcpkali) and give its path in TCPKALI=.
#
#   TCPKALI=/path/to/tcpkali bench/loadgen-vs-tcpkali.sh [RATE...]   (default: 10k 100k 1M max)
#   DURATION=10 CONNECTIONS=100 TCPKALI=... bench/loadgen-vs-tcpkali.sh
#
# wsbench runs three times per rate: on its own event loop (the default for ws://), on Asio's
# reactor (WSBENCH_LOADGEN_IO=asio, the loadgen before issue 19), and on its own loop with
# --coalesce (COALESCE=, default 1ms: each send pass also sends what is due within it, early),
# which wakes about as seldom as tcpkali does.
set -euo pipefail
cd "$(dirname "$0")/.."

tcpkali="${TCPKALI:-}"
if [[ -z "$tcpkali" || ! -x "$tcpkali" ]]; then
    echo "loadgen-vs-tcpkali.sh: set TCPKALI= to a tcpkali binary (not in Debian: build it from" \
         "github.com/satori-com/tcpkali outside this project)" >&2
    exit 2
fi
duration="${DURATION:-10}"
conns="${CONNECTIONS:-100}"
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(10k 100k 1M max)
if [[ $(nproc) -lt 2 ]]; then echo "loadgen-vs-tcpkali.sh: needs two cores" >&2; exit 3; fi
[[ -x /usr/bin/time ]] || { echo "loadgen-vs-tcpkali.sh: needs /usr/bin/time (package time)" >&2; exit 3; }

cmake -S . -B build >/dev/null
cmake --build build --target wsbench-echo-server wsbench-loadgen -j "$(nproc)" >/dev/null
bin=build/bin
out=build/reports/loadgen-vs-tcpkali
mkdir -p "$out"

log="$out/server.log"
taskset -c 0 "$bin/wsbench-echo-server" --engine fast --threads 1 --host 127.0.0.1 --port 0 \
    >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
url=""
for _ in $(seq 100); do
    url=$(grep -o 'ws://[0-9.:]*' "$log" | head -n 1 || true)
    [[ -n "$url" ]] && break
    sleep 0.1
done
[[ -n "$url" ]] || { echo "loadgen-vs-tcpkali.sh: the server did not start: $(cat "$log")" >&2; exit 3; }
hostport=${url#ws://}

to_number() {  # 10k -> 10000, 1M -> 1000000
    python3 -c "import sys; s=sys.argv[1]; m={'k':1e3,'M':1e6}; print(int(float(s[:-1])*m[s[-1]]) if s[-1] in m else int(float(s)))" "$1"
}
cpu_of() { awk '{ printf "%.2f", $1 + $2 }' "$1"; }

msg=$(printf 'x%.0s' $(seq 32))
printf '| asked | generator | sent/s | delivered msg/s | CPU s | msg per CPU-s | lost | p99 corrected |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---:|\n'
for rate in "${rates[@]}"; do
    # tcpkali: -r is per connection; its counts come from the bytes it moved (client frames
    # carry 32 + 6 bytes, server frames 32 + 2).
    tk_args=(--ws -w 1 -c "$conns" --connect-rate 100000 -m "$msg" -T "${duration}s")
    if [[ "$rate" != max ]]; then
        total=$(to_number "$rate")
        tk_args+=(-r "$(( total / conns ))")
    fi
    /usr/bin/time -f '%U %S' -o "$out/tcpkali-$rate.time" taskset -c 1 "$tcpkali" "${tk_args[@]}" \
        "$hostport" >"$out/tcpkali-$rate.txt" 2>&1
    sent=$(sed -n 's/^Total data sent:.*(\([0-9]*\) bytes).*/\1/p' "$out/tcpkali-$rate.txt")
    recv=$(sed -n 's/^Total data received:.*(\([0-9]*\) bytes).*/\1/p' "$out/tcpkali-$rate.txt")
    tk_cpu=$(cpu_of "$out/tcpkali-$rate.time")
    read -r tk_rate tk_per tk_lost tk_sent_rate < <(python3 -c "
s,r,cpu,d=int('${sent:-0}'),int('${recv:-0}'),float('$tk_cpu'),float('$duration')
ms,mr=s/38,r/34
print(round((ms+mr)/d), round((ms+mr)/cpu) if cpu else 0, max(0,round(ms-mr)), round(ms/d))")
    printf '| %s | tcpkali | %s | %s | %s | %s | %s | - |\n' "$rate" "$tk_sent_rate" "$tk_rate" "$tk_cpu" "$tk_per" "$tk_lost"

    ws_rate="$tk_sent_rate"
    # wsbench on its own loop, then on Asio's reactor (the loadgen before issue 19).
    for io in direct asio coalesce; do
        report="$out/wsbench-$io-$rate.json"
        extra=()
        loop=$io
        if [[ $io == coalesce ]]; then
            extra=(--coalesce "${COALESCE:-1ms}")
            loop=direct
        fi
        WSBENCH_LOADGEN_IO=$loop /usr/bin/time -f '%U %S' -o "$out/wsbench-$io-$rate.time" \
            taskset -c 1 "$bin/wsbench-loadgen" "$url/" -c "$conns" -t 1 -R "$ws_rate" -m 32 \
            -d "${duration}s" -q --json "$report" "${extra[@]}" >/dev/null \
            2>"$out/wsbench-$io-$rate.err" || true
        ws_cpu=$(cpu_of "$out/wsbench-$io-$rate.time")
        read -r ws_msgs ws_per ws_lost ws_p99 < <(python3 -c "
import json
r=json.load(open('$report')); s=r['summary']; m=s['messages']; d=s['duration_s'] or 1
cpu=float('$ws_cpu'); n=m['sent']+m['received']
print(round(n/d), round(n/cpu) if cpu else 0, m['sent']-m['received'], r['latency_us']['p99'])")
        ratio=$(python3 -c "print(f'{$ws_per/$tk_per:.2f}' if $tk_per else '-')")
        name="wsbench-loadgen"
        [[ $io == asio ]] && name="wsbench-loadgen on Asio's reactor"
        [[ $io == coalesce ]] && name="wsbench-loadgen --coalesce ${COALESCE:-1ms}"
        printf '| %s | %s (**%sx** tcpkali) | %s | %s | %s | %s | %s | %s us |\n' "$rate" "$name" \
            "$ratio" "$ws_rate" "$ws_msgs" "$ws_cpu" "$ws_per" "$ws_lost" "$ws_p99"
    done
done
echo "reports and raw outputs: $out" >&2
