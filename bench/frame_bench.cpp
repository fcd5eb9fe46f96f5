// Micro benchmarks of the frame codec: parse, encode and masking, with websocketpp's own
// masking functions measured side by side in the same binary.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>
#include <websocketpp/frame.hpp>

#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"

namespace {

using wsb::FrameEvent;
using wsb::FrameHeader;
using wsb::FrameParser;
using wsb::Opcode;

constexpr std::array<std::uint8_t, 4> kKey{0x37, 0xfa, 0x21, 0x3d};

std::vector<std::uint8_t> payload(std::size_t size) {
    std::vector<std::uint8_t> p(size);
    for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<std::uint8_t>('a' + i % 26);
    return p;
}

/// A stream of `count` masked client frames of `size` bytes each.
std::vector<std::uint8_t> masked_stream(std::size_t size, std::size_t count) {
    FrameHeader h;
    h.opcode = Opcode::binary;
    h.masked = true;
    h.mask_key = kKey;
    const auto p = payload(size);
    std::vector<std::uint8_t> out((wsb::kMaxFrameHeaderSize + size) * count);
    std::size_t pos = 0;
    for (std::size_t i = 0; i < count; ++i) {
        pos += wsb::encode_frame(h, p.data(), p.size(), out.data() + pos, out.size() - pos);
    }
    out.resize(pos);
    return out;
}

// Server side parse of masked frames, unmasking in place. The stream is re-masked between
// iterations would cost as much as the parse, so the parser runs with unmask on a buffer that
// simply flips between masked and unmasked states: the work per byte is the same.
void BM_ParseMaskedFrames(benchmark::State& state) {
    const std::size_t size = static_cast<std::size_t>(state.range(0));
    const std::size_t count = size <= 1024 ? 1024 : 4;
    auto stream = masked_stream(size, count);
    wsb::ParserOptions options;
    options.role = wsb::Role::server;
    FrameParser parser(options);
    std::size_t frames = 0;
    for (auto _ : state) {
        FrameEvent ev;
        for (std::size_t pos = 0; pos < stream.size();) {
            pos += parser.parse(stream.data() + pos, stream.size() - pos, ev);
            frames += ev.frame_end;
            benchmark::DoNotOptimize(ev.data);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(frames));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_ParseMaskedFrames)->Arg(16)->Arg(125)->Arg(64 * 1024);

void BM_ParseUnmaskedFrames(benchmark::State& state) {
    const std::size_t size = static_cast<std::size_t>(state.range(0));
    FrameHeader h;
    h.opcode = Opcode::binary;
    const auto p = payload(size);
    std::vector<std::uint8_t> stream((wsb::kMaxFrameHeaderSize + size) * 1024);
    std::size_t len = 0;
    for (int i = 0; i < 1024; ++i) {
        len += wsb::encode_frame(h, p.data(), p.size(), stream.data() + len, stream.size() - len);
    }
    wsb::ParserOptions options;
    options.role = wsb::Role::client;
    FrameParser parser(options);
    for (auto _ : state) {
        FrameEvent ev;
        for (std::size_t pos = 0; pos < len;) {
            pos += parser.parse(stream.data() + pos, len - pos, ev);
            benchmark::DoNotOptimize(ev.data);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1024));
}
BENCHMARK(BM_ParseUnmaskedFrames)->Arg(16);

void BM_EncodeMaskedFrame(benchmark::State& state) {
    const std::size_t size = static_cast<std::size_t>(state.range(0));
    const auto p = payload(size);
    std::vector<std::uint8_t> out(wsb::kMaxFrameHeaderSize + size);
    FrameHeader h;
    h.opcode = Opcode::text;
    h.masked = true;
    h.mask_key = kKey;
    for (auto _ : state) {
        benchmark::DoNotOptimize(wsb::encode_frame(h, p.data(), p.size(), out.data(), out.size()));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}
BENCHMARK(BM_EncodeMaskedFrame)->Arg(16)->Arg(64 * 1024);

void BM_EncodeHeader(benchmark::State& state) {
    std::uint8_t out[wsb::kMaxFrameHeaderSize];
    FrameHeader h;
    h.opcode = Opcode::binary;
    h.masked = true;
    h.mask_key = kKey;
    h.payload_length = 300;
    for (auto _ : state) {
        benchmark::DoNotOptimize(wsb::encode_header(h, out, sizeof out));
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_EncodeHeader);

// Masking 64 KiB in place: ours, then websocketpp's three functions. websocketpp's
// receive path (hybi13 process_payload_bytes) uses byte_mask_circ and its send path
// (masked_copy) uses byte_mask; word_mask_exact is its fastest but unused by the processor.
constexpr std::int64_t kMaskSize = 64 * 1024;

void BM_MaskWsbench(benchmark::State& state) {
    auto data = payload(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        wsb::apply_mask(data.data(), data.size(), kKey, 1);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MaskWsbench)->Arg(kMaskSize)->Arg(16);

websocketpp::frame::masking_key_type wspp_key() {
    websocketpp::frame::masking_key_type key;
    for (int i = 0; i < 4; ++i) key.c[i] = static_cast<char>(kKey[static_cast<std::size_t>(i)]);
    return key;
}

void BM_MaskWebsocketppByteMaskCirc(benchmark::State& state) {
    auto data = payload(static_cast<std::size_t>(state.range(0)));
    const std::size_t prepared = websocketpp::frame::prepare_masking_key(wspp_key());
    for (auto _ : state) {
        benchmark::DoNotOptimize(
            websocketpp::frame::byte_mask_circ(data.data(), data.size(), prepared));
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MaskWebsocketppByteMaskCirc)->Arg(kMaskSize)->Arg(16);

void BM_MaskWebsocketppByteMask(benchmark::State& state) {
    auto data = payload(static_cast<std::size_t>(state.range(0)));
    const auto key = wspp_key();
    for (auto _ : state) {
        websocketpp::frame::byte_mask(data.begin(), data.end(), key);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MaskWebsocketppByteMask)->Arg(kMaskSize);

void BM_MaskWebsocketppWordMaskExact(benchmark::State& state) {
    auto data = payload(static_cast<std::size_t>(state.range(0)));
    const auto key = wspp_key();
    for (auto _ : state) {
        websocketpp::frame::word_mask_exact(data.data(), data.size(), key);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MaskWebsocketppWordMaskExact)->Arg(kMaskSize);

}  // namespace
