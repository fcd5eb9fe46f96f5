// libFuzzer target for the STOMP 1.2 decoder: any byte stream, a random frame size limit, fed
// whole, byte by byte and in random chunks from buffers that are overwritten once drained.
// Checks that every split yields the same frames, heart-beats, error and error offset, that
// frames keep the limit, and that every frame re-encoded by the encoder decodes to itself.
//
// Input: [max frame size selector][split seed: 2 bytes][stream...]
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/proto/stomp.hpp"

namespace {

using wsb::stomp::Decoder;
using wsb::stomp::Frame;

/// A frame as values (the decoder's views die at the next feed).
struct Copy {
    std::string command;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool heartbeat = false;
    bool operator==(const Copy& o) const {
        return command == o.command && headers == o.headers && body == o.body &&
               heartbeat == o.heartbeat;
    }
};

Copy copy_of(const Frame& f) {
    Copy c;
    c.command = std::string(f.command_text);
    for (std::size_t i = 0; i < f.header_count; ++i) {
        c.headers.emplace_back(std::string(f.headers[i].name), std::string(f.headers[i].value));
    }
    c.body = std::string(f.body);
    return c;
}

struct Outcome {
    std::vector<Copy> events;
    wsb::stomp::Errc error = wsb::stomp::Errc::ok;
    std::uint64_t error_offset = 0;
};

/// Checks what every frame must be, whatever the input.
void check_frame(const Frame& f, std::size_t max_frame_size) {
    FUZZ_CHECK(!f.command_text.empty());
    FUZZ_CHECK(f.command_text.find('\n') == std::string_view::npos);
    FUZZ_CHECK(f.command_text.find('\0') == std::string_view::npos);
    FUZZ_CHECK(f.command == wsb::stomp::command_from(f.command_text));
    std::size_t size = f.command_text.size() + 2 + f.body.size() + 1;
    for (std::size_t i = 0; i < f.header_count; ++i) {
        FUZZ_CHECK(!f.headers[i].name.empty());
        size += f.headers[i].name.size() + f.headers[i].value.size() + 2;
    }
    FUZZ_CHECK(size <= max_frame_size);  // unescaping only shrinks, LF-only lines too
    if (f.header_count > 0) FUZZ_CHECK(f.find(f.headers[0].name) == &f.headers[0]);
}

Outcome run(const std::string& wire, const std::vector<std::size_t>& sizes,
            const wsb::stomp::DecoderOptions& options) {
    Decoder d(options);
    Outcome out;
    std::string chunk;
    std::size_t begin = 0;
    for (const std::size_t n : sizes) {
        chunk.assign(wire, begin, n);
        d.feed(chunk.data(), chunk.size());
        for (;;) {
            Frame f;
            const Decoder::Event ev = d.next(f);
            if (ev == Decoder::Event::need_more) break;
            if (ev == Decoder::Event::error) {
                FUZZ_CHECK(d.error() != wsb::stomp::Errc::ok);
                FUZZ_CHECK(!d.error_text().empty());
                FUZZ_CHECK(d.error_offset() <= wire.size() + options.max_frame_size);
                out.error = d.error();
                out.error_offset = d.error_offset();
                FUZZ_CHECK(d.next(f) == Decoder::Event::error);
                return out;
            }
            if (ev == Decoder::Event::heartbeat) {
                Copy hb;
                hb.heartbeat = true;
                out.events.push_back(hb);
                continue;
            }
            check_frame(f, options.max_frame_size);
            out.events.push_back(copy_of(f));
        }
        FUZZ_CHECK(d.pending() <= options.max_frame_size);
        chunk.assign(chunk.size(), '\xAA');  // the decoder must not look at it again
        begin += n;
    }
    FUZZ_CHECK(begin == wire.size());
    return out;
}

/// Re-encodes a decoded frame (its content-length header, if any, is among its headers) and
/// checks that it decodes to the same frame.
void check_round_trip(const Copy& c) {
    std::vector<wsb::stomp::Header> headers;
    for (const auto& [name, value] : c.headers) headers.push_back({name, value});
    std::string wire;
    wsb::stomp::encode_frame(wire, c.command, headers.data(), headers.size(), c.body,
                             wsb::stomp::ContentLength::never);
    Decoder d;
    d.feed(wire);
    Frame f;
    FUZZ_CHECK(d.next(f) == Decoder::Event::frame);
    FUZZ_CHECK(copy_of(f) == c);
    FUZZ_CHECK(d.next(f) == Decoder::Event::need_more);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsb::fuzz::OptionBytes in(data, size);
    const std::uint8_t sel = in.u8();
    wsb::stomp::DecoderOptions options;
    options.max_frame_size = sel == 0 ? std::size_t{1} << 20 : sel;
    std::uint16_t seed = in.u16();
    if (seed < 2) seed = static_cast<std::uint16_t>(seed + 2);
    const std::string wire(reinterpret_cast<const char*>(in.rest()), in.rest_size());

    const Outcome whole = run(wire, wsb::fuzz::chunk_sizes(wire.size(), 0), options);
    const Outcome bytewise = run(wire, wsb::fuzz::chunk_sizes(wire.size(), 1), options);
    const Outcome chunked = run(wire, wsb::fuzz::chunk_sizes(wire.size(), seed), options);
    for (const Outcome* o : {&bytewise, &chunked}) {
        FUZZ_CHECK(o->error == whole.error);
        FUZZ_CHECK(o->error_offset == whole.error_offset);
        FUZZ_CHECK(o->events == whole.events);
    }
    for (const Copy& c : whole.events) {
        if (!c.heartbeat) check_round_trip(c);
    }
    return 0;
}
