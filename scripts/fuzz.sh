#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-DWSBENCH_FUZZ=ON, in build-fuzz/: the targets and
# the libraries they link, nothing else) and runs every target for SECONDS each (default 60)
# from its seed corpus, with its dictionary. Installs what is missing first. Exit 0 when no
# target crashed, 1 when one did (its input is kept under build-fuzz/fuzz/artifacts/), 3 when
# the build failed.
#
#   scripts/fuzz.sh                      every target, 60 s each
#   scripts/fuzz.sh 30                   every target, 30 s each
#   scripts/fuzz.sh 300 frame_parser_fuzz utf8_fuzz    only these
#   JOBS=1 scripts/fuzz.sh               build with one job (default: one per core)
#   FUZZ_JOBS=1 scripts/fuzz.sh          run one target at a time (default: one per core)
#
# New inputs that reach new code go to build-fuzz/fuzz/corpus/<target>/ (kept between runs,
# never to the seed corpus in tests/fuzz/corpus/); logs to build-fuzz/fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
for arg in "$@"; do
    case "$arg" in
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *_fuzz) targets+=("$arg") ;;
        *[!0-9]*|"")
            echo "fuzz.sh: '$arg' is neither seconds nor a *_fuzz target (see --help)" >&2
            exit 2 ;;
        *) seconds="$arg" ;;
    esac
done

./scripts/setup.sh

build_dir=build-fuzz
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
if ! CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DWSBENCH_FUZZ=ON -DWSBENCH_BUILD_BENCH=OFF \
       >/dev/null ||
   ! cmake --build "$build_dir" -j "$jobs" --target wsbench-fuzzers; then
    echo "fuzz.sh: build failed" >&2
    exit 3
fi

if [[ ${#targets[@]} -eq 0 ]]; then
    for src in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

out="$build_dir/fuzz"
mkdir -p "$out/logs"
# ASan/UBSan settings for the targets: stop at the first report, leaks included.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

for t in "${targets[@]}"; do
    if [[ ! -x "$build_dir/bin/$t" ]]; then
        echo "fuzz.sh: no target $t ($build_dir/bin/$t)" >&2
        exit 2
    fi
done

# Runs target $1 for $seconds; its exit status goes to $out/logs/$1.rc.
fuzz_one() {
    local t="$1" rc=0
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
    local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=64
                -print_funcs=0 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/")
    # A target's own dictionary, else the one of its family (handshake_request_fuzz ->
    # handshake.dict).
    local dict
    for dict in "tests/fuzz/$t.dict" "tests/fuzz/${t%%_*}.dict"; do
        if [[ -f "$dict" ]]; then args+=(-dict="$dict"); break; fi
    done
    local seeds=()
    [[ -d "tests/fuzz/corpus/$t" ]] && seeds=("tests/fuzz/corpus/$t")
    "$build_dir/bin/$t" "${args[@]}" "$out/corpus/$t" "${seeds[@]}" >"$out/logs/$t.log" 2>&1 ||
        rc=$?
    echo "$rc" >"$out/logs/$t.rc"
}

# The targets run FUZZ_JOBS at a time (default: one per core); each still gets its SECONDS.
fuzz_jobs="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"
echo "fuzz.sh: ${#targets[@]} targets, $seconds s each, $fuzz_jobs at a time" >&2
running=0
for t in "${targets[@]}"; do
    rm -f "$out/logs/$t.rc"
    if [[ $running -ge $fuzz_jobs ]]; then
        wait -n || true
        running=$((running - 1))
    fi
    fuzz_one "$t" &
    running=$((running + 1))
done
wait

crashed=()
printf '%-26s %6s %11s %9s %7s %7s %7s  %s\n' target seconds execs exec/s cov features corpus result
for t in "${targets[@]}"; do
    log="$out/logs/$t.log"
    rc=$(cat "$out/logs/$t.rc" 2>/dev/null || echo "?")
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    if [[ $rc == 0 ]]; then
        result=ok
    else
        result="CRASH (exit $rc)"
        crashed+=("$t")
    fi
    printf '%-26s %6s %11s %9s %7s %7s %7s  %s\n' "$t" "$seconds" "${execs:--}" "${rate:--}" \
        "${cov:--}" "${ft:--}" "${corp:--}" "$result"
done

if [[ ${#crashed[@]} -gt 0 ]]; then
    for t in "${crashed[@]}"; do
        log="$out/logs/$t.log"
        echo >&2
        echo "fuzz.sh: $t crashed; full log: $log" >&2
        grep -E 'invariant broken|ERROR: |runtime error|SUMMARY: |terminate called|  what\(\):' \
            "$log" | head -n 6 >&2 || true
        # The top of our own frames (CI keeps only this output, not the log).
        grep -E '^ +#[0-9]+ .* (/|\.\./)[^ ]*(tools|libwsbench|tests)/' "$log" | head -n 6 |
            sed -E 's/^ +(#[0-9]+) 0x[0-9a-f]+ in /  \1 /' | cut -c1-220 >&2 || true
        input=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -n 1)
        if [[ -n "$input" ]]; then
            echo "  input: $input" >&2
            echo "  input (base64, first 3000 bytes):" >&2
            head -c 3000 "$input" | base64 -w 100 | sed 's/^/    /' >&2
            echo "  reproduce: $build_dir/bin/$t $input" >&2
        fi
    done
    exit 1
fi
