#!/usr/bin/env bash
# Installs what is missing, configures, builds and runs every test with ctest.
#
#   scripts/test.sh                          default build in build/, all tests
#   scripts/test.sh --sanitize address,undefined   build in build-asan-ubsan/ with sanitizers
#   scripts/test.sh --sanitize thread        build in build-tsan/
#   scripts/test.sh --build-dir DIR          another build directory
#   scripts/test.sh --target T               build only target T (repeatable), e.g.
#                                            wsbench-integration with -- -L integration
#   scripts/test.sh -- -L unit               anything after -- goes to ctest
# Sanitizer builds leave out the micro benchmarks (bench/), which no test runs.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=""
build_dir=""
targets=()
ctest_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --sanitize) sanitize="${2:?--sanitize needs a list, e.g. address,undefined}"; shift 2 ;;
        --sanitize=*) sanitize="${1#*=}"; shift ;;
        --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift 2 ;;
        --build-dir=*) build_dir="${1#*=}"; shift ;;
        --target) targets+=(--target "${2:?--target needs a target, e.g. wsbench-integration}"); shift 2 ;;
        --target=*) targets+=(--target "${1#*=}"); shift ;;
        --) shift; ctest_args=("$@"); break ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

if [[ -z "$build_dir" ]]; then
    case "$sanitize" in
        "") build_dir=build ;;
        thread) build_dir=build-tsan ;;
        *) build_dir="build-$(echo "$sanitize" | sed 's/address/asan/; s/undefined/ubsan/; s/,/-/g')" ;;
    esac
fi

./scripts/setup.sh

jobs=$(nproc 2>/dev/null || echo 2)
bench=ON
[[ -n "$sanitize" ]] && bench=OFF
cmake -S . -B "$build_dir" -DWSBENCH_SANITIZE="$sanitize" -DWSBENCH_BUILD_BENCH="$bench" >/dev/null
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:suppressions=$(pwd)/tests/tsan.supp}"
cd "$build_dir"
ctest --output-on-failure -j "$jobs" "${ctest_args[@]}"
