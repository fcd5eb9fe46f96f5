#!/usr/bin/env bash
# The main job end to end on this machine: installs what is missing, builds, and runs what
# wsbench has so far. Today that is the codec micro benchmarks (ours against websocketpp's,
# side by side); the echo server, load generator and conformance runner join as they land.
# Reports are written under build/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build >/dev/null
cmake --build build -j "$jobs" >/dev/null
mkdir -p build/reports

echo "== codec micro benchmarks (bench/): ours vs websocketpp, one run" >&2
./build/bin/wsbench-microbench --benchmark_min_time=0.1 \
    --benchmark_out=build/reports/microbench.json --benchmark_out_format=json

echo >&2
echo "reports: $(pwd)/build/reports/microbench.json" >&2
