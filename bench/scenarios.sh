#!/usr/bin/env bash
# Generator cost of scenario files (issue 14, "Speed"), side by side in one run against one
# server: (a) the request/reply scenario bench/scenarios/rpc.yaml (100 sessions, a JSON
# request with a {{seq}} id at a fixed rate, an expect by id) against the built-in echo
# scenario at the same total message rate; (b) the same scenario for Artillery 2's ws engine
# (bench/scenarios/rpc-artillery.yml; npm artillery@2, installed under build/bench-peers/).
#
# wsbench-echo-server (fast engine, one thread) runs pinned to core 0 and echoes every JSON
# request back, so the expect by id matches the echo of its own request. Each generator runs
# pinned to core 1 (wsbench-loadgen with -t 1). The figure is messages per generator
# CPU-second: the messages the server counted in and out during the run (its /stats) divided
# by the generator process's user + system CPU (/usr/bin/time, every thread); the report's
# own counts and threads' cpu_s are printed beside it as a cross-check. Every measurement runs
# --runs times (interleaved) and the median is quoted with the range. Beyond the --rates, the
# highest rate the scenario sustains (every send made, no timeout) is found by doubling, then
# bisecting to within 10 %, and measured too. Artillery has no open-loop rate inside a session:
# each user sends, waits for the reply, thinks; its start-up CPU, measured with one message
# per user, is also shown subtracted. Prints Markdown tables (docs/benchmarks.md records
# them); reports land in build/reports/scenarios/. Exit 1 when part (a) fails; Artillery
# missing or failing skips part (b) with a loud message.
#
#   bench/scenarios.sh [--duration 10] [--runs 2] [--rates '10000 50000 100000'] [--no-search]
#                      [--max-rate 1600000] [--no-artillery]
set -euo pipefail
cd "$(dirname "$0")/.."

secs=10
runs=2
rates="10000 50000 100000"
search=1
max_rate=1600000
artillery=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) secs=${2%s}; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --rates) rates=$2; shift 2 ;;
        --no-search) search=0; shift ;;
        --max-rate) max_rate=$2; shift 2 ;;
        --no-artillery) artillery=0; shift ;;
        *) echo "scenarios.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for r in $rates; do
    if ! [[ $r =~ ^[0-9]+$ ]] || ((r < 100 || r % 100 != 0)); then
        echo "scenarios.sh: --rates: $r is not a multiple of 100 messages/s (100 sessions)" >&2; exit 2
    fi
done
[[ $secs =~ ^[0-9]+$ && $secs -ge 2 ]] || { echo "scenarios.sh: --duration: whole seconds, at least 2" >&2; exit 2; }

./scripts/setup.sh
if [[ $(nproc) -lt 2 ]]; then echo "scenarios.sh: needs two cores (server and load apart)" >&2; exit 3; fi
cmake -S . -B build >/dev/null
cmake --build build --target wsbench-echo-server wsbench-loadgen -j "$(nproc)" >/dev/null
out=build/reports/scenarios
mkdir -p "$out"
loadgen=./build/bin/wsbench-loadgen

exec 3< <(exec taskset -c 0 ./build/bin/wsbench-echo-server --engine fast --port 0 --threads 1 2>/dev/null)
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
read -r -t 10 line <&3 || { echo "scenarios.sh: the echo server did not start" >&2; exit 3; }
url=${line#listening on }
hostport=${url#ws://}
hostport=${hostport%%/*}
echo "== wsbench-echo-server (fast engine, 1 thread, core 0) at $url; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Messages the server has read and written so far.
server_messages() {
    python3 -c "import json, urllib.request; s = json.load(urllib.request.urlopen('http://$hostport/stats', timeout=5)); print(s['in']['messages'] + s['out']['messages'])"
}

# timed NAME CMD...: runs CMD on core 1 under /usr/bin/time; leaves $out/NAME.time
# ("user sys wall") and $out/NAME.msgs (server messages during the run); returns CMD's status.
timed() {
    local name=$1 before after rc=0
    shift
    before=$(server_messages)
    /usr/bin/time -f '%U %S %e' -o "$out/$name.time" taskset -c 1 "$@" >"$out/$name.log" 2>&1 || rc=$?
    after=$(server_messages)
    echo $((after - before)) >"$out/$name.msgs"
    return $rc
}

# scenario_file RATE: a copy of rpc.yaml at RATE messages/s in all (RATE / 100 per session).
scenario_file() {
    local f=$out/rpc-$1.yaml
    sed -e "s|rate: 100/s|rate: $(($1 / 100))/s|" -e "s|duration: 10s|duration: ${secs}s|" \
        -e "s|duration: 11s|duration: $((secs + 1))s|" \
        bench/scenarios/rpc.yaml >"$f"
    echo "$f"
}

# run_wsbench echo|rpc RATE RUN -> prints "msgs cpu_s report_msgs report_cpu_s timeouts sent expected status"
run_wsbench() {
    local kind=$1 rate=$2 run=$3 name=$1-$2-$3 rc=0
    if [[ $kind == echo ]]; then
        timed "$name" "$loadgen" "$url" -c 100 -R "$rate" -d "$((secs + 1))s" -m 72 --message-type text -t 1 -q \
            --json "$out/$name.json" || rc=$?
    else
        timed "$name" "$loadgen" "$url" --scenario "$(scenario_file "$rate")" -t 1 -q \
            --json "$out/$name.json" || rc=$?
    fi
    python3 - "$out/$name" "$rc" "$rate" "$((secs + 1))" <<'PY'
import json, sys
base, rc, rate, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
user, sys_, _ = (float(x) for x in open(base + ".time").read().split()[-3:])
msgs = int(open(base + ".msgs").read())
try:
    r = json.load(open(base + ".json"))
except (OSError, ValueError):
    print(msgs, f"{user + sys_:.3f}", 0, 0, 0, 0, rate * secs, "no-report")
    sys.exit()
m = r["summary"]["messages"]
timeouts = sum(s.get("timeouts", 0) for s in r.get("steps", {}).values())
cut = r.get("sessions", {}).get("cut", 0)
status = "ok"
if rc != 0:
    status = f"exit-{rc}"
elif timeouts or cut or m["sent"] < 0.99 * rate * secs or m["received"] < m["sent"]:
    status = "short"
print(msgs, f"{user + sys_:.3f}", m["sent"] + m["received"], f"{r['generator']['cpu_s']:.3f}", timeouts,
      m["sent"], rate * secs, status)
PY
}

# Part (a): the highest rate the scenario sustains, by doubling then bisecting.
top=0
if [[ $search -eq 1 ]]; then
    # The highest of --rates is the lower bound (measured below like the others).
    fail=0
    rate=0
    for r in $rates; do ((r > rate)) && rate=$r; done
    pass=$rate
    rate=$((rate * 2))
    while :; do
        read -r msgs cpu _ _ timeouts sent expected st < <(run_wsbench rpc "$rate" probe)
        echo "   probe rpc at $rate/s: $st ($sent of $expected sent, $timeouts timeouts, $msgs messages, ${cpu} s CPU)" >&2
        if [[ $st == ok ]]; then
            pass=$rate
            ((rate >= max_rate)) && break
            rate=$((rate * 2))
        else
            fail=$rate; break
        fi
    done
    while [[ $fail -gt 0 && $pass -gt 0 && $((fail - pass)) -gt $((pass / 10)) ]]; do
        rate=$(((pass + fail) / 2 / 100 * 100))  # a multiple of 100 (per-session rates are whole)
        read -r msgs cpu _ _ timeouts sent expected st < <(run_wsbench rpc "$rate" probe)
        echo "   probe rpc at $rate/s: $st ($sent of $expected sent, $timeouts timeouts, $msgs messages, ${cpu} s CPU)" >&2
        if [[ $st == ok ]]; then pass=$rate; else fail=$rate; fi
    done
    top=$pass
    [[ " $rates " == *" $top "* ]] && top=0  # no probe above --rates passed
    [[ $top -gt 0 ]] && rates="$rates $top"
fi

# per_cpu[KIND-RATE]: messages per CPU-second of each run, space-separated; ok_cpu: of the
# runs that kept up (every send made, nothing timed out); the rest per rate.
declare -A per_cpu ok_cpu report_per_cpu status_of timeouts_of
failed_a=0
for rate in $rates; do
    for run in $(seq 1 "$runs"); do
        for kind in echo rpc; do
            read -r msgs cpu rmsgs rcpu timeouts sent expected st < <(run_wsbench "$kind" "$rate" "$run")
            echo "   $kind at $rate/s, run $run: $st ($sent of $expected sent, $timeouts timeouts; server counted $msgs messages, generator ${cpu} s CPU; report $rmsgs messages, threads ${rcpu} s)" >&2
            per_cpu[$kind-$rate]+=" $(python3 -c "print(round($msgs / max($cpu, 0.001)))")"
            report_per_cpu[$kind-$rate]+=" $(python3 -c "print(round($rmsgs / max($rcpu, 0.001)))")"
            [[ $st == ok ]] && ok_cpu[$kind-$rate]+=" ${per_cpu[$kind-$rate]##* }"
            timeouts_of[$kind-$rate]=$((${timeouts_of[$kind-$rate]:-0} + timeouts))
            [[ $st == ok ]] || status_of[$kind-$rate]+=" run$run:$st"
            [[ $st == no-report || $st == exit-* ]] && failed_a=1
        done
    done
done

# median "a b c" -> the median, rounded; spread "a b c" -> "min-max"
median() { python3 -c "import statistics, sys; print(round(statistics.median(float(x) for x in sys.argv[1].split())))" "$1"; }
spread() { python3 -c "import sys; v = [float(x) for x in sys.argv[1].split()]; print(f'{min(v):,.0f}-{max(v):,.0f}')" "$1"; }

table_a() {
    echo
    echo "Part (a): 100 sessions sending for $((secs + 1)) s at the same total rate; server wsbench-echo-server (fast, 1 thread, core 0),"
    echo "generator wsbench-loadgen -t 1 on core 1. Messages per CPU-second = server-counted messages in + out"
    echo "/ generator process CPU (user + sys): the median of the runs that kept up, of all $runs where none"
    echo "did, and the range of all; the report's own figure (summary.messages / generator.cpu_s) beside it."
    echo "A run that fell behind (short) costs far more per message. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| rate | built-in echo (-m 72 text): msgs/CPU-s | rpc.yaml scenario: msgs/CPU-s | scenario / echo (goal >= 0.5) | report's figure, echo / scenario | scenario timeouts | not sustained |"
    echo "|---:|---:|---:|---:|---:|---:|---|"
    local rate e s ratio note
    for rate in $rates; do
        e=$(median "${ok_cpu[echo-$rate]:-${per_cpu[echo-$rate]}}")
        s=$(median "${ok_cpu[rpc-$rate]:-${per_cpu[rpc-$rate]}}")
        ratio=$(python3 -c "print(f'{$s / max($e, 1):.2f}x')")
        note=""
        [[ $rate -eq $top ]] && note="highest a probe run sustained"
        [[ -n ${status_of[echo-$rate]:-} ]] && note+="${note:+; }echo${status_of[echo-$rate]}"
        [[ -n ${status_of[rpc-$rate]:-} ]] && note+="${note:+; }rpc${status_of[rpc-$rate]}"
        printf '| %s/s | %s (%s) | %s (%s) | **%s** | %s / %s | %s | %s |\n' "$rate" \
            "$(printf "%'d" "$e")" "$(spread "${per_cpu[echo-$rate]}")" \
            "$(printf "%'d" "$s")" "$(spread "${per_cpu[rpc-$rate]}")" "$ratio" \
            "$(median "${report_per_cpu[echo-$rate]}")" "$(median "${report_per_cpu[rpc-$rate]}")" \
            "${timeouts_of[rpc-$rate]}" "$note"
    done
}
table_a
# The scenario's best figure among the rates where every run was sustained.
best_rpc=0; best_rpc_rate=0
for rate in $rates; do
    [[ -z ${status_of[rpc-$rate]:-} && -z ${status_of[echo-$rate]:-} ]] || continue
    v=$(median "${ok_cpu[rpc-$rate]}")
    ((v > best_rpc)) && { best_rpc=$v; best_rpc_rate=$rate; }
done

# Part (b): Artillery 2.
artillery_bin=build/bench-peers/artillery/node_modules/.bin/artillery
if [[ $artillery -eq 1 && ! -x $artillery_bin ]]; then
    echo "scenarios.sh: installing artillery@2 under build/bench-peers/artillery (npm)" >&2
    mkdir -p build/bench-peers/artillery
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix build/bench-peers/artillery --no-audit --no-fund \
        --loglevel=error artillery@2 >"$out/npm-install.log" 2>&1 || true
fi
if [[ $artillery -eq 0 ]]; then
    echo; echo "Part (b) skipped (--no-artillery)."; exit "$failed_a"
fi
if [[ ! -x $artillery_bin ]] || ! node "$artillery_bin" --version >/dev/null 2>&1; then
    echo
    echo "**PART (B) SKIPPED: Artillery 2 could not be installed or does not run here** (see $out/npm-install.log)."
    echo "!!! scenarios.sh: PART (B) SKIPPED: artillery@2 is not available" >&2
    exit "$failed_a"
fi

# artillery_file THINK_MS COUNT: a copy of rpc-artillery.yml with this think time and loop count.
artillery_file() {
    local f=$out/rpc-artillery-$1ms-$2.yml
    sed -e "s|think: 50ms|think: $1ms|" -e "s|count: 200|count: $2|" bench/scenarios/rpc-artillery.yml >"$f"
    echo "$f"
}

# run_artillery THINK_MS COUNT RUN -> prints "msgs cpu_s report_msgs rate errors status"
run_artillery() {
    local name=artillery-$1ms-$2-$3 rc=0
    timed "$name" env ARTILLERY_DISABLE_TELEMETRY=true DO_NOT_TRACK=1 node "$artillery_bin" run --target "$url" \
        -o "$out/$name.json" "$(artillery_file "$1" "$2")" || rc=$?
    python3 - "$out/$name" "$rc" <<'PY'
import json, sys
base, rc = sys.argv[1], int(sys.argv[2])
user, sys_, _ = (float(x) for x in open(base + ".time").read().split()[-3:])
msgs = int(open(base + ".msgs").read())
try:
    a = json.load(open(base + ".json"))["aggregate"]
except (OSError, ValueError, KeyError):
    print(msgs, f"{user + sys_:.3f}", 0, 0, 0, "no-report"); sys.exit()
c = a["counters"]
sent = c.get("websocket.messages_sent", 0)
errors = sum(v for k, v in c.items() if k.startswith("errors.")) + c.get("vusers.failed", 0)
length_s = a.get("summaries", {}).get("vusers.session_length", {}).get("median", 0) / 1000
rate = sent / length_s if length_s > 0 else 0
print(msgs, f"{user + sys_:.3f}", sent + c.get("websocket.messages_received", 0), round(rate), errors,
      "ok" if rc == 0 and errors == 0 else f"exit-{rc}-errors-{errors}")
PY
}

declare -A art_cpu art_msgs art_rate art_status
art_ok=1
thinks="50 10 0"
for run in $(seq 1 "$runs"); do
    for think in base $thinks; do
        case $think in
            base) t=50; count=1 ;;            # start-up and shutdown: one message per user
            50) t=50; count=$((secs * 20)) ;; # about 20/s per user at best: 10 s or more
            10) t=10; count=$((secs * 50)) ;;
            *) t=$think; count=$((secs * 60)) ;;
        esac
        read -r msgs cpu rmsgs arate _ st < <(run_artillery "$t" "$count" "$run")
        echo "   artillery think $t ms x $count, run $run: $st (server counted $msgs messages, report $rmsgs; about $arate/s; ${cpu} s CPU)" >&2
        [[ $st == ok ]] || { art_ok=0; art_status[$think]+=" run$run:$st"; }
        art_cpu[$think]+=" $cpu"; art_msgs[$think]+=" $msgs"; art_rate[$think]+=" $arate"
    done
done
if [[ $art_ok -eq 0 ]]; then
    echo "!!! scenarios.sh: some Artillery runs failed:${art_status[*]} (logs in $out/artillery-*.log)" >&2
fi

# The scenario at Artillery's own rates, for a like-for-like figure, and at 100/s in all
# (1/s per session) for its own fixed cost over the same duration (connecting, the worker's
# 10 ms tick, the report).
declare -A same_rate w_cpu w_msgs w_status
for think in base $thinks; do
    if [[ $think == base ]]; then
        r=100
    else
        r=$(median "${art_rate[$think]}")
        r=$(((r + 50) / 100 * 100)); ((r >= 100)) || r=100
    fi
    same_rate[$think]=$r
    for run in $(seq 1 "$runs"); do
        read -r msgs cpu _ _ timeouts sent expected st < <(run_wsbench rpc "$r" "same-$run")
        echo "   rpc at $r/s (beside Artillery's think $think), run $run: $st ($sent of $expected sent, $timeouts timeouts, $msgs messages, ${cpu} s CPU)" >&2
        w_cpu[$think]+=" $cpu"; w_msgs[$think]+=" $msgs"
        [[ $st == ok ]] || w_status[$think]+=" run$run:$st"
    done
done

# whole_marginal BASE_CPUS BASE_MSGS CPUS MSGS -> "whole marginal": medians over the runs of
# messages / CPU-s, and of (messages - base) / (CPU-s - base) with the bases' medians.
whole_marginal() {
    python3 - "$@" <<'PY'
import statistics, sys
base_cpu = statistics.median(float(x) for x in sys.argv[1].split())
base_msgs = statistics.median(float(x) for x in sys.argv[2].split())
cpu = [float(x) for x in sys.argv[3].split()]
msgs = [float(x) for x in sys.argv[4].split()]
whole = statistics.median(m / c for m, c in zip(msgs, cpu))
marginal = statistics.median((m - base_msgs) / max(c - base_cpu, 0.001) for m, c in zip(msgs, cpu))
print(round(whole), round(marginal))
PY
}
cpu_median() { python3 -c "import statistics, sys; print(f'{statistics.median(float(x) for x in sys.argv[1].split()):.2f}')" "$1"; }

echo
echo "Part (b): Artillery $(node "$artillery_bin" --version 2>/dev/null | sed -n 's/.*Artillery: *//p' | head -1) (ws engine, node $(node --version)), 100 users each looping"
echo "send + wait for the reply (match by id) + think, on core 1; against it rpc.yaml at the same total"
echo "rate (rounded to 100/s). Messages counted by the server; CPU of the whole generator process (user"
echo "+ sys, all threads). 'Marginal' subtracts each generator's fixed cost: Artillery's run with one"
echo "message per user ($(cpu_median "${art_cpu[base]}") s CPU: start-up and shutdown), rpc.yaml's run at 100/s for $((secs + 1)) s"
echo "($(cpu_median "${w_cpu[base]}") s CPU). Medians of $runs runs."
echo
echo "| Artillery think | rate | Artillery msgs/CPU-s, whole / marginal | rpc.yaml, same rate: msgs/CPU-s, whole / marginal | ratio whole (goal >= 20) | ratio marginal | notes |"
echo "|---:|---:|---:|---:|---:|---:|---|"
best_art=0; best_art_think=-
for think in $thinks; do
    read -r aw am < <(whole_marginal "${art_cpu[base]}" "${art_msgs[base]}" "${art_cpu[$think]}" "${art_msgs[$think]}")
    read -r ww wm < <(whole_marginal "${w_cpu[base]}" "${w_msgs[base]}" "${w_cpu[$think]}" "${w_msgs[$think]}")
    ((am > best_art)) && { best_art=$am; best_art_think=$think; }
    note="${art_status[$think]:+artillery${art_status[$think]}}${w_status[$think]:+ rpc${w_status[$think]}}"
    printf '| %s ms | %s/s (rpc.yaml at %s/s) | %s / %s | %s / %s | **%s** | **%s** | %s |\n' "$think" \
        "$(median "${art_rate[$think]}")" "${same_rate[$think]}" \
        "$(printf "%'d" "$aw")" "$(printf "%'d" "$am")" "$(printf "%'d" "$ww")" "$(printf "%'d" "$wm")" \
        "$(python3 -c "print(f'{$ww / max($aw, 1):.1f}x')")" "$(python3 -c "print(f'{$wm / max($am, 1):.1f}x')")" "${note# }"
done
echo
if [[ $best_rpc -gt 0 ]]; then
    echo "Each at its most efficient: rpc.yaml $(printf "%'d" "$best_rpc") msgs/CPU-s (whole process, at $best_rpc_rate/s, part a)"
    echo "against Artillery's $(printf "%'d" "$best_art") (marginal, think $best_art_think ms): **$(python3 -c "print(f'{$best_rpc / max($best_art, 1):.1f}x')")**."
fi
exit "$failed_a"
