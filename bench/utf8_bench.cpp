// UTF-8 validation throughput: wsb::Utf8Validator against websocketpp's validator, on 64 KiB of
// ASCII and of mixed-script text (run with --benchmark_filter=Utf8).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <websocketpp/utf8_validator.hpp>

#include "wsbench/utf8.hpp"

namespace {

constexpr std::size_t kTextSize = 64 * 1024;

enum class Text { ascii, mostly_ascii, multilingual };

/// Repeats `samples` until `kTextSize` bytes, cutting the last one on a code point boundary.
std::string fill(const char* const* samples, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; out.size() < kTextSize; i = (i + 1) % count) out += samples[i];
    std::size_t end = kTextSize;
    while ((static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    out.resize(end);
    return out;
}

const std::string& text(Text which) {
    static const char* const ascii[] = {
        "The quick brown fox jumps over the lazy dog. ",
        "{\"seq\":12345,\"ts\":1700000000123,\"type\":\"tick\",\"symbol\":\"ABC\"} ",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n",
    };
    // English and JSON with the odd accented word, dash or currency sign (2.5% of characters,
    // 5% of bytes non-ASCII).
    static const char* const mostly[] = {
        "A na\xC3\xAFve caf\xC3\xA9 serves cr\xC3\xA8me br\xC3\xBBl\xC3\xA9\x65 all day. ",
        "{\"seq\":12345,\"ts\":1700000000123,\"type\":\"tick\",\"symbol\":\"ABC\"} ",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n",
        "Price: 12\xE2\x82\xAC \xE2\x80\x94 shipping included, returns within 30 days.\n",
        "The quick brown fox jumps over the lazy dog. ",
    };
    // Latin with diacritics, Cyrillic, Greek, CJK, Japanese, Korean, emoji, each with the
    // ASCII spaces and punctuation real text has.
    static const char* const mixed[] = {
        "Fran\xC3\xA7ois m\xC3\xA4ht das Gr\xC3\xBCn, se\xC3\xB1or. ",
        "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80! ",
        "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5 ",
        "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C\xE3\x80\x82",
        "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF ",
        "\xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94 ",
        "\xF0\x9F\x98\x80\xF0\x9F\x9A\x80\xF0\x9F\x8E\x89 ok ",
    };
    static const std::string a = fill(ascii, sizeof ascii / sizeof ascii[0]);
    static const std::string m = fill(mixed, sizeof mixed / sizeof mixed[0]);
    static const std::string o = fill(mostly, sizeof mostly / sizeof mostly[0]);
    const std::string& s = which == Text::ascii ? a : which == Text::mostly_ascii ? o : m;
    if (!wsb::is_valid_utf8(s) || !websocketpp::utf8_validator::validate(s)) {
        std::cerr << "utf8_bench: sample text is not valid UTF-8\n";
        std::abort();
    }
    return s;
}

void Utf8_Wsbench(benchmark::State& state, Text which) {
    const std::string& s = text(which);
    for (auto _ : state) {
        wsb::Utf8Validator v;
        benchmark::DoNotOptimize(v.feed(s));
        benchmark::DoNotOptimize(v.complete());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}

// The same 64 KiB arriving as 1 KiB reads: the cost of resuming mid-sequence.
void Utf8_WsbenchChunked1KiB(benchmark::State& state, Text which) {
    const std::string& s = text(which);
    const auto* data = reinterpret_cast<const std::uint8_t*>(s.data());
    for (auto _ : state) {
        wsb::Utf8Validator v;
        for (std::size_t i = 0; i < s.size(); i += 1024) {
            benchmark::DoNotOptimize(v.feed(data + i, std::min<std::size_t>(1024, s.size() - i)));
        }
        benchmark::DoNotOptimize(v.complete());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}

void Utf8_Websocketpp(benchmark::State& state, Text which) {
    const std::string& s = text(which);
    for (auto _ : state) {
        benchmark::DoNotOptimize(websocketpp::utf8_validator::validate(s));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}

// websocketpp's incremental validator, as its connection uses it on each read.
void Utf8_WebsocketppIncremental(benchmark::State& state, Text which) {
    const std::string& s = text(which);
    for (auto _ : state) {
        websocketpp::utf8_validator::validator v;
        benchmark::DoNotOptimize(v.decode(s.begin(), s.end()));
        benchmark::DoNotOptimize(v.complete());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}

}  // namespace

BENCHMARK_CAPTURE(Utf8_Wsbench, ascii_64KiB, Text::ascii);
BENCHMARK_CAPTURE(Utf8_WsbenchChunked1KiB, ascii_64KiB, Text::ascii);
BENCHMARK_CAPTURE(Utf8_Websocketpp, ascii_64KiB, Text::ascii);
BENCHMARK_CAPTURE(Utf8_WebsocketppIncremental, ascii_64KiB, Text::ascii);
BENCHMARK_CAPTURE(Utf8_Wsbench, mostly_ascii_64KiB, Text::mostly_ascii);
BENCHMARK_CAPTURE(Utf8_WsbenchChunked1KiB, mostly_ascii_64KiB, Text::mostly_ascii);
BENCHMARK_CAPTURE(Utf8_Websocketpp, mostly_ascii_64KiB, Text::mostly_ascii);
BENCHMARK_CAPTURE(Utf8_WebsocketppIncremental, mostly_ascii_64KiB, Text::mostly_ascii);
BENCHMARK_CAPTURE(Utf8_Wsbench, multilingual_64KiB, Text::multilingual);
BENCHMARK_CAPTURE(Utf8_WsbenchChunked1KiB, multilingual_64KiB, Text::multilingual);
BENCHMARK_CAPTURE(Utf8_Websocketpp, multilingual_64KiB, Text::multilingual);
BENCHMARK_CAPTURE(Utf8_WebsocketppIncremental, multilingual_64KiB, Text::multilingual);
