// libFuzzer target for FrameParser: any byte stream, client or server role, random size limits
// and options, fed whole, byte by byte and in random chunks. Checks the invariants of every
// event, that payload bytes are the wire bytes unmasked, and that every split of the same
// input yields the same frames, the same error and the same consumed byte count.
//
// Input: [flags][max frame][max message][split seed: 2 bytes][stream...]
//   flags bit 0 client role, bits 1-3 allow RSV1-3, bit 4 no unmasking, bit 5 no checks.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "wsbench/frame_parser.hpp"

namespace {

using wsb::FrameEvent;
using wsb::FrameHeader;
using wsb::Opcode;
using wsb::ParserOptions;

/// A size limit from one option byte: none, 0-199 bytes, or a power of two up to 2^62.
std::uint64_t limit_from(std::uint8_t sel) {
    if (sel == 0) return ParserOptions::kNoLimit;
    if (sel <= 200) return sel - 1u;
    return std::uint64_t{1} << (sel - 201 + 8);
}

/// One frame as reported, payload pieces joined.
struct Frame {
    FrameHeader header;
    Opcode message_opcode = Opcode::continuation;
    std::uint64_t message_offset = 0;
    std::string payload;
    bool frame_end = false;
    bool message_end = false;

    bool operator==(const Frame& o) const {
        const FrameHeader& a = header;
        const FrameHeader& b = o.header;
        return a.fin == b.fin && a.rsv1 == b.rsv1 && a.rsv2 == b.rsv2 && a.rsv3 == b.rsv3 &&
               a.opcode == b.opcode && a.masked == b.masked && a.mask_key == b.mask_key &&
               a.payload_length == b.payload_length && message_opcode == o.message_opcode &&
               message_offset == o.message_offset && payload == o.payload &&
               frame_end == o.frame_end && message_end == o.message_end;
    }
};

struct Outcome {
    std::vector<Frame> frames;
    wsb::Errc error = wsb::Errc::ok;
    std::size_t consumed = 0;
};

/// Feeds `wire` to a fresh parser in the chunks `sizes`, checking every event.
Outcome run(const ParserOptions& options, const std::vector<std::uint8_t>& wire,
            const std::vector<std::size_t>& sizes) {
    std::vector<std::uint8_t> buf = wire;  // the parser unmasks in place
    wsb::FrameParser parser(options);
    Outcome out;
    bool in_frame = false;    // a frame's payload events have begun
    bool in_message = false;  // our own view of message_in_progress()
    Opcode message_opcode = Opcode::continuation;
    std::uint64_t message_bytes = 0;  // payload of the open message before the current frame
    std::size_t since_frame_end = 0;  // bytes consumed since the last frame ended

    std::size_t begin = 0;
    for (const std::size_t chunk : sizes) {
        // An empty read passes a null pointer, as an empty std::vector's data() would.
        std::uint8_t* data = chunk == 0 ? nullptr : buf.data() + begin;
        std::size_t pos = 0;
        do {
            FrameEvent ev;
            const std::size_t left = chunk - pos;
            const std::size_t n = parser.parse(data + pos, left, ev);
            FUZZ_CHECK(n <= left);
            pos += n;
            out.consumed += n;
            since_frame_end += n;
            if (ev.kind == FrameEvent::Kind::error) {
                FUZZ_CHECK(ev.error != wsb::Errc::ok);
                FUZZ_CHECK(parser.error() == ev.error);
                out.error = ev.error;
                // Sticky: every later call reports it again and consumes nothing.
                FrameEvent again;
                FUZZ_CHECK(parser.parse(data + pos, chunk - pos, again) == 0);
                FUZZ_CHECK(again.kind == FrameEvent::Kind::error && again.error == ev.error);
                FUZZ_CHECK(parser.parse(nullptr, 0, again) == 0);
                FUZZ_CHECK(again.kind == FrameEvent::Kind::error && again.error == ev.error);
                return out;
            }
            FUZZ_CHECK(parser.error() == wsb::Errc::ok);
            if (ev.kind == FrameEvent::Kind::need_more) {
                FUZZ_CHECK(n == left);  // need_more only when the input is used up
            } else {
                FUZZ_CHECK(ev.kind == FrameEvent::Kind::payload);
                FUZZ_CHECK(n > 0 || left == 0);  // progress whenever there are bytes
                const FrameHeader& h = ev.header;
                const bool control = wsb::is_control(h.opcode);
                if (!in_frame) {
                    // First event of a frame: the header passed the checks and the limits.
                    FUZZ_CHECK(ev.frame_offset == 0);
                    if (options.check) {
                        wsb::ValidateContext ctx;
                        ctx.receiver = options.role;
                        ctx.message_in_progress = in_message;
                        ctx.allow_rsv1 = options.allow_rsv1;
                        ctx.allow_rsv2 = options.allow_rsv2;
                        ctx.allow_rsv3 = options.allow_rsv3;
                        FUZZ_CHECK(wsb::validate(h, ctx) == wsb::Errc::ok);
                    }
                    FUZZ_CHECK(h.payload_length <= options.max_frame_size);
                    if (!control) {
                        if (h.opcode != Opcode::continuation || !in_message) {
                            message_opcode = h.opcode;
                            message_bytes = 0;
                        }
                        FUZZ_CHECK(message_bytes + h.payload_length >= message_bytes);
                        FUZZ_CHECK(message_bytes + h.payload_length <= options.max_message_size);
                        in_message = !h.fin;
                    }
                    Frame f;
                    f.header = h;
                    f.message_opcode = ev.message_opcode;
                    f.message_offset = ev.message_offset;
                    out.frames.push_back(f);
                    in_frame = true;
                }
                Frame& f = out.frames.back();
                FUZZ_CHECK(ev.frame_offset == f.payload.size());
                FUZZ_CHECK(ev.message_opcode == (control ? h.opcode : message_opcode));
                FUZZ_CHECK(ev.message_offset == (control ? 0 : message_bytes) + ev.frame_offset);
                FUZZ_CHECK(ev.size <= h.payload_length - ev.frame_offset);
                FUZZ_CHECK(ev.size == 0 || ev.data != nullptr);
                const bool end = ev.frame_offset + ev.size == h.payload_length;
                FUZZ_CHECK(ev.frame_end == end);
                FUZZ_CHECK(ev.message_end == (end && !control && h.fin));
                if (control && h.payload_length <= 125) {
                    FUZZ_CHECK(ev.frame_offset == 0 && ev.frame_end);  // handed out whole
                }
                // Pieces in the caller's buffer must be the wire bytes, unmasked when asked.
                if (ev.size > 0 && ev.data >= buf.data() && ev.data < buf.data() + buf.size()) {
                    const std::size_t at = static_cast<std::size_t>(ev.data - buf.data());
                    const bool unmask = options.unmask && h.masked;
                    for (std::size_t i = 0; i < ev.size; ++i) {
                        const std::uint8_t key =
                            unmask ? h.mask_key[(ev.frame_offset + i) % 4] : std::uint8_t{0};
                        FUZZ_CHECK(ev.data[i] == (wire[at + i] ^ key));
                    }
                }
                f.payload.append(reinterpret_cast<const char*>(ev.data), ev.size);
                if (ev.frame_end) {
                    f.frame_end = true;
                    f.message_end = ev.message_end;
                    FUZZ_CHECK(f.payload.size() == h.payload_length);  // every byte delivered
                    in_frame = false;
                    since_frame_end = 0;
                    if (!control)
                        message_bytes = ev.message_end ? 0 : message_bytes + h.payload_length;
                }
                // The parser opens and closes messages at the header, before any event.
                FUZZ_CHECK(parser.message_in_progress() == in_message);
            }
            FUZZ_CHECK(parser.at_frame_boundary() == (since_frame_end == 0 && !in_frame));
        } while (pos < chunk);
        begin += chunk;
    }
    FUZZ_CHECK(out.consumed == wire.size());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsb::fuzz::OptionBytes in(data, size);
    const std::uint8_t flags = in.u8();
    ParserOptions options;
    options.role = (flags & 1) ? wsb::Role::client : wsb::Role::server;
    options.allow_rsv1 = (flags & 2) != 0;
    options.allow_rsv2 = (flags & 4) != 0;
    options.allow_rsv3 = (flags & 8) != 0;
    options.unmask = (flags & 16) == 0;
    options.check = (flags & 32) == 0;
    options.max_frame_size = limit_from(in.u8());
    options.max_message_size = limit_from(in.u8());
    std::uint16_t seed = in.u16();
    if (seed < 2) seed = static_cast<std::uint16_t>(seed + 2);  // 0 and 1 are run anyway
    const std::vector<std::uint8_t> wire(in.rest(), in.rest() + in.rest_size());

    const Outcome whole = run(options, wire, wsb::fuzz::chunk_sizes(wire.size(), 0));
    const Outcome bytewise = run(options, wire, wsb::fuzz::chunk_sizes(wire.size(), 1));
    const Outcome chunked = run(options, wire, wsb::fuzz::chunk_sizes(wire.size(), seed));
    for (const Outcome* o : {&bytewise, &chunked}) {
        FUZZ_CHECK(o->error == whole.error);
        FUZZ_CHECK(o->consumed == whole.consumed);
        FUZZ_CHECK(o->frames == whole.frames);
    }

    // reset() starts a new stream: the same input gives the same result again.
    wsb::FrameParser parser(options);
    std::vector<std::uint8_t> buf = wire;
    FrameEvent ev;
    parser.parse(buf.data(), buf.size(), ev);
    parser.reset();
    FUZZ_CHECK(parser.error() == wsb::Errc::ok && parser.at_frame_boundary() &&
               !parser.message_in_progress());
    return 0;
}
