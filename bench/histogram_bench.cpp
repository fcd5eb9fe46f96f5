// Micro benchmarks of wsb::Histogram: recording (the per-message hot path), percentile queries,
// merging, and the V2 compressed base64 codec.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "wsbench/histogram.hpp"

namespace {

using wsb::Histogram;

/// Latency-like values in microseconds: log-uniform from 1 µs to about 10 s, pre-generated so
/// the benchmark measures recording and not the random number generator.
std::vector<std::uint64_t> latency_values(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> exponent(0.0, std::log2(10'000'000.0));
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) {
        v = static_cast<std::uint64_t>(std::exp2(exponent(rng)));
    }
    return values;
}

/// A histogram holding `n` latency values.
Histogram filled_histogram(std::size_t n) {
    Histogram h;
    for (std::uint64_t v : latency_values(n, 42)) {
        h.record(v);
    }
    return h;
}

void BM_HistogramRecord(benchmark::State& state) {
    const auto values = latency_values(1 << 16, 1);  // 512 KiB: L2-resident, power of two
    Histogram h;
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.record(values[i++ & (values.size() - 1)]));
    }
    benchmark::DoNotOptimize(h.total_count());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramRecordCorrected(benchmark::State& state) {
    // 1 ms expected interval: values above it also record their missing samples.
    const auto values = latency_values(1 << 16, 2);
    Histogram h;
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.record_corrected(values[i++ & (values.size() - 1)], 1000));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecordCorrected);

void BM_HistogramValueAtPercentile(benchmark::State& state) {
    const Histogram h = filled_histogram(1'000'000);
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.value_at_percentile(99.9));
    }
}
BENCHMARK(BM_HistogramValueAtPercentile);

void BM_HistogramMeanStddev(benchmark::State& state) {
    const Histogram h = filled_histogram(1'000'000);
    for (auto _ : state) {
        benchmark::DoNotOptimize(h.stddev());  // includes one mean()
    }
}
BENCHMARK(BM_HistogramMeanStddev);

void BM_HistogramAdd(benchmark::State& state) {
    const Histogram part = filled_histogram(100'000);
    Histogram total;
    for (auto _ : state) {
        benchmark::DoNotOptimize(total.add(part));
    }
}
BENCHMARK(BM_HistogramAdd);

void BM_HistogramEncodeBase64(benchmark::State& state) {
    const Histogram h = filled_histogram(static_cast<std::size_t>(state.range(0)));
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::string text = h.encode_base64();
        bytes = text.size();
        benchmark::DoNotOptimize(text.data());
    }
    state.counters["base64_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_HistogramEncodeBase64)->Arg(1'000)->Arg(1'000'000);

void BM_HistogramDecodeBase64(benchmark::State& state) {
    const std::string text =
        filled_histogram(static_cast<std::size_t>(state.range(0))).encode_base64();
    Histogram out;
    for (auto _ : state) {
        benchmark::DoNotOptimize(Histogram::decode_base64(text, out));
    }
}
BENCHMARK(BM_HistogramDecodeBase64)->Arg(1'000)->Arg(1'000'000);

}  // namespace
