#!/usr/bin/env bash
# Runs the micro benchmarks (ours and websocketpp's side by side, one binary, one run),
# pinned to one core when taskset is available, and prints the ratio table that
# docs/benchmarks.md records. JSON goes to build/reports/microbench.json.
#
#   scripts/bench.sh [extra Google Benchmark flags]
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build --target wsbench-microbench -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
mkdir -p build/reports

pin=()
if command -v taskset >/dev/null 2>&1 && [[ $(nproc) -gt 1 ]]; then
    pin=(taskset -c 1)
fi
"${pin[@]}" ./build/bin/wsbench-microbench --benchmark_repetitions=5 \
    --benchmark_report_aggregates_only=true --benchmark_min_time=0.2 \
    --benchmark_out=build/reports/microbench.json --benchmark_out_format=json "$@" >&2
python3 bench/ratios.py build/reports/microbench.json
