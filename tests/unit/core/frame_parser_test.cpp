// Tests of FrameParser: every stream is replayed whole, split at every byte boundary and
// byte by byte, and must yield the same frames.
#include "wsbench/frame_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace wsb {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// What the parser reported, frame by frame, with payload pieces joined.
struct Frame {
    Opcode opcode;
    Opcode message_opcode;
    bool fin;
    bool message_end;
    std::string payload;
    int events;  // payload events the frame took

    bool operator==(const Frame& o) const {
        return opcode == o.opcode && message_opcode == o.message_opcode && fin == o.fin &&
               message_end == o.message_end && payload == o.payload;
    }
};

std::ostream& operator<<(std::ostream& os, const Frame& f) {
    return os << "{op " << int(f.opcode) << " msg " << int(f.message_opcode) << " fin " << f.fin
              << " end " << f.message_end << " '" << f.payload.substr(0, 40) << "' ("
              << f.payload.size() << ")}";
}

struct Outcome {
    std::vector<Frame> frames;
    Errc error = Errc::ok;
    std::size_t consumed = 0;  // total bytes consumed, including the failing header
};

/// Feeds `stream` to a fresh parser in the chunks given by `cuts` (offsets where a new
/// read starts) and checks the invariants every event must keep.
Outcome run(const ParserOptions& options, Bytes stream, const std::vector<std::size_t>& cuts) {
    FrameParser parser(options);
    Outcome out;
    bool in_frame = false;
    std::uint64_t expect_offset = 0;
    std::size_t begin = 0;
    for (std::size_t c = 0; c <= cuts.size(); ++c) {
        const std::size_t end = c < cuts.size() ? cuts[c] : stream.size();
        std::size_t pos = begin;
        while (pos < end) {
            FrameEvent ev;
            const std::size_t n = parser.parse(stream.data() + pos, end - pos, ev);
            EXPECT_LE(n, end - pos);
            pos += n;
            out.consumed += n;
            if (ev.kind == FrameEvent::Kind::error) {
                out.error = ev.error;
                EXPECT_EQ(parser.parse(stream.data() + pos, end - pos, ev), 0u)
                    << "error is sticky";
                EXPECT_EQ(ev.kind, FrameEvent::Kind::error);
                return out;
            }
            if (ev.kind == FrameEvent::Kind::need_more) {
                EXPECT_EQ(pos, end) << "need_more only when the input is used up";
                continue;
            }
            if (!in_frame) {
                out.frames.push_back(
                    Frame{ev.header.opcode, ev.message_opcode, ev.header.fin, false, "", 0});
                in_frame = true;
                expect_offset = 0;
            }
            Frame& f = out.frames.back();
            EXPECT_EQ(ev.frame_offset, expect_offset);
            expect_offset += ev.size;
            f.payload.append(reinterpret_cast<const char*>(ev.data), ev.size);
            ++f.events;
            if (ev.is_control() && ev.header.payload_length <= 125) {
                EXPECT_TRUE(ev.frame_end) << "control payloads come whole";
            }
            if (ev.frame_end) {
                EXPECT_EQ(f.payload.size(), ev.header.payload_length);
                f.message_end = ev.message_end;
                in_frame = false;
            }
        }
        begin = end;
    }
    EXPECT_FALSE(in_frame) << "stream ended inside a frame";
    EXPECT_TRUE(parser.at_frame_boundary());
    return out;
}

/// Replays `stream` whole, cut in two at every position, cut in three at every pair of
/// positions (when short) and byte by byte; all must give the same outcome as the whole.
Outcome replay_everywhere(const ParserOptions& options, const Bytes& stream) {
    const Outcome whole = run(options, stream, {});
    for (std::size_t i = 1; i < stream.size(); ++i) {
        const Outcome split = run(options, stream, {i});
        EXPECT_EQ(split.frames, whole.frames) << "split at " << i;
        EXPECT_EQ(split.error, whole.error) << "split at " << i;
        EXPECT_EQ(split.consumed, whole.consumed) << "split at " << i;
        if (stream.size() <= 64) {
            for (std::size_t j = i + 1; j < stream.size(); ++j) {
                const Outcome three = run(options, stream, {i, j});
                EXPECT_EQ(three.frames, whole.frames) << "split at " << i << "," << j;
                EXPECT_EQ(three.error, whole.error);
            }
        }
    }
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    const Outcome bytewise = run(options, stream, every);
    EXPECT_EQ(bytewise.frames, whole.frames) << "byte by byte";
    EXPECT_EQ(bytewise.error, whole.error) << "byte by byte";
    return whole;
}

void append(Bytes& stream, FrameHeader h, const std::string& payload,
            LengthEncoding enc = LengthEncoding::minimal) {
    Bytes frame(kMaxFrameHeaderSize + payload.size());
    frame.resize(encode_frame(h, payload.data(), payload.size(), frame.data(), frame.size(), enc));
    stream.insert(stream.end(), frame.begin(), frame.end());
}

FrameHeader hdr(Opcode op, bool fin = true, bool mask = false) {
    FrameHeader h;
    h.opcode = op;
    h.fin = fin;
    h.masked = mask;
    h.mask_key = {0x9a, 0x01, 0x7e, 0xc3};
    return h;
}

ParserOptions client() {
    ParserOptions o;
    o.role = Role::client;
    return o;
}

ParserOptions server() {
    ParserOptions o;
    o.role = Role::server;
    return o;
}

TEST(FrameParser, DecodesRfcExamplesAtEveryByteBoundary) {
    // RFC 6455 §5.7: unmasked "Hello", fragmented "Hel"+"lo", unmasked ping "Hello".
    const Bytes stream{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x03, 0x48, 0x65, 0x6c,
                       0x80, 0x02, 0x6c, 0x6f, 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    const Outcome out = replay_everywhere(client(), stream);
    ASSERT_EQ(out.error, Errc::ok);
    const std::vector<Frame> expected{
        {Opcode::text, Opcode::text, true, true, "Hello", 1},
        {Opcode::text, Opcode::text, false, false, "Hel", 1},
        {Opcode::continuation, Opcode::text, true, true, "lo", 1},
        {Opcode::ping, Opcode::ping, true, false, "Hello", 1},
    };
    EXPECT_EQ(out.frames, expected);
}

TEST(FrameParser, UnmasksClientFramesInPlace) {
    // RFC 6455 §5.7: masked "Hello".
    const Bytes stream{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    const Outcome out = replay_everywhere(server(), stream);
    ASSERT_EQ(out.frames.size(), 1u);
    EXPECT_EQ(out.frames[0].payload, "Hello");
}

TEST(FrameParser, KeepsPayloadMaskedWhenAskedTo) {
    ParserOptions o = server();
    o.unmask = false;
    const Bytes stream{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    const Outcome out = run(o, stream, {});
    ASSERT_EQ(out.frames.size(), 1u);
    EXPECT_EQ(out.frames[0].payload, std::string("\x7f\x9f\x4d\x51\x58"));
}

TEST(FrameParser, IgnoreRsvAcceptsReservedBitsOnEveryFrameAndKeepsTheOtherRules) {
    // The echo server's --misbehave ignore-rsv: reserved bits pass on data and control
    // frames alike, while every other rule (here a reserved opcode) still fails.
    ParserOptions o = client();
    o.ignore_rsv = true;
    FrameHeader text = hdr(Opcode::text);
    text.rsv1 = text.rsv2 = text.rsv3 = true;
    FrameHeader ping = hdr(Opcode::ping);
    ping.rsv1 = ping.rsv2 = true;
    Bytes stream;
    append(stream, text, "abc");
    append(stream, ping, "p");
    append(stream, hdr(static_cast<Opcode>(3)), "");
    const Outcome out = replay_everywhere(o, stream);
    ASSERT_EQ(out.frames.size(), 2u);
    EXPECT_EQ(out.frames[0].payload, "abc");
    EXPECT_EQ(out.frames[1].opcode, Opcode::ping);
    EXPECT_EQ(out.error, Errc::reserved_opcode);
}

TEST(FrameParser, ReassemblesFragmentedMessageWithInterleavedControlFrames) {
    Bytes stream;
    append(stream, hdr(Opcode::binary, false, true), "frag1-");
    append(stream, hdr(Opcode::ping, true, true), "are you there");
    append(stream, hdr(Opcode::continuation, false, true), "");
    append(stream, hdr(Opcode::pong, true, true), "");
    append(stream, hdr(Opcode::continuation, true, true), "-frag3");
    append(stream, hdr(Opcode::close, true, true), std::string("\x03\xe8", 2) + "bye");
    const Outcome out = replay_everywhere(server(), stream);
    ASSERT_EQ(out.error, Errc::ok);
    const std::vector<Frame> expected{
        {Opcode::binary, Opcode::binary, false, false, "frag1-", 1},
        {Opcode::ping, Opcode::ping, true, false, "are you there", 1},
        {Opcode::continuation, Opcode::binary, false, false, "", 1},
        {Opcode::pong, Opcode::pong, true, false, "", 1},
        {Opcode::continuation, Opcode::binary, true, true, "-frag3", 1},
        {Opcode::close, Opcode::close, true, false, std::string("\x03\xe8", 2) + "bye", 1},
    };
    EXPECT_EQ(out.frames, expected);
}

TEST(FrameParser, ReportsMessageOffsetsAcrossFragments) {
    Bytes stream;
    append(stream, hdr(Opcode::text, false), "abc");
    append(stream, hdr(Opcode::ping), "x");
    append(stream, hdr(Opcode::continuation, true), "defg");
    FrameParser parser(client());
    std::vector<std::uint64_t> offsets;
    for (std::size_t pos = 0; pos < stream.size();) {
        FrameEvent ev;
        pos += parser.parse(stream.data() + pos, 1, ev);  // byte by byte
        if (ev.kind == FrameEvent::Kind::payload && !ev.is_control()) {
            offsets.push_back(ev.message_offset);
        }
    }
    EXPECT_EQ(offsets, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6}));
}

TEST(FrameParser, DeliversEmptyFramesAsOneEvent) {
    Bytes stream;
    append(stream, hdr(Opcode::text), "");
    append(stream, hdr(Opcode::close), "");
    const Outcome out = replay_everywhere(client(), stream);
    ASSERT_EQ(out.frames.size(), 2u);
    EXPECT_EQ(out.frames[0].events, 1);
    EXPECT_TRUE(out.frames[0].message_end);
    EXPECT_EQ(out.frames[1].opcode, Opcode::close);
}

TEST(FrameParser, DecodesEveryLengthEncodingAtItsBoundaries) {
    for (std::size_t len : {125u, 126u, 65535u, 65536u, 70000u}) {
        Bytes stream;
        std::string payload(len, '\0');
        for (std::size_t i = 0; i < len; ++i) payload[i] = static_cast<char>('a' + i % 26);
        append(stream, hdr(Opcode::binary, true, true), payload);
        // Every cut inside the header and the first and last payload bytes, plus a stride.
        for (std::size_t cut = 1; cut < stream.size();
             cut += (cut < 40 || cut > stream.size() - 40) ? 1 : 997) {
            const Outcome out = run(server(), stream, {cut});
            ASSERT_EQ(out.frames.size(), 1u) << len << " cut " << cut;
            ASSERT_EQ(out.frames[0].payload, payload) << len << " cut " << cut;
        }
    }
}

TEST(FrameParser, StreamsLargeDataFramesInPiecesWithoutBuffering) {
    Bytes stream;
    append(stream, hdr(Opcode::binary), std::string(1000, 'z'));
    const Outcome out = run(client(), stream, {100, 500, 900});
    ASSERT_EQ(out.frames.size(), 1u);
    EXPECT_EQ(out.frames[0].events, 4) << "one view per read, no internal copy";
}

TEST(FrameParser, HandsOutSplitControlPayloadWhole) {
    Bytes stream;
    append(stream, hdr(Opcode::ping, true, true), std::string(125, 'p'));
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    const Outcome out = run(server(), stream, every);
    ASSERT_EQ(out.frames.size(), 1u);
    EXPECT_EQ(out.frames[0].events, 1);
    EXPECT_EQ(out.frames[0].payload, std::string(125, 'p'));
}

struct ErrorCase {
    const char* name;
    Bytes stream;
    ParserOptions options;
    Errc expected;
    std::size_t consumed;  // bytes consumed up to and including the failing header
};

class FrameParserErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(FrameParserErrors, FailsAtTheHeaderWithTheRightError) {
    const ErrorCase& c = GetParam();
    const Outcome out = replay_everywhere(c.options, c.stream);
    EXPECT_EQ(out.error, c.expected) << to_string(out.error);
    EXPECT_EQ(out.consumed, c.consumed);
}

Bytes frames(std::initializer_list<std::pair<FrameHeader, std::string>> list,
             LengthEncoding enc = LengthEncoding::minimal) {
    Bytes stream;
    for (const auto& [h, payload] : list) append(stream, h, payload, enc);
    return stream;
}

FrameHeader rsv(FrameHeader h, int bit) {
    if (bit == 1) h.rsv1 = true;
    if (bit == 2) h.rsv2 = true;
    if (bit == 3) h.rsv3 = true;
    return h;
}

ParserOptions limited(std::uint64_t frame, std::uint64_t message) {
    ParserOptions o = client();
    o.max_frame_size = frame;
    o.max_message_size = message;
    return o;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, FrameParserErrors,
    ::testing::Values(
        // The payload after a bad header is never consumed: the connection fails at once.
        ErrorCase{"rsv1", frames({{rsv(hdr(Opcode::text), 1), "abc"}}), client(),
                  Errc::reserved_bits_set, 2},
        ErrorCase{"rsv3_after_good",
                  frames({{hdr(Opcode::text), "ok"}, {rsv(hdr(Opcode::text), 3), "x"}}), client(),
                  Errc::reserved_bits_set, 6},
        ErrorCase{"opcode5", frames({{hdr(static_cast<Opcode>(5)), ""}}), client(),
                  Errc::reserved_opcode, 2},
        ErrorCase{"opcode0xC", frames({{hdr(static_cast<Opcode>(0xC)), "abc"}}), client(),
                  Errc::reserved_opcode, 2},
        ErrorCase{"unmasked_to_server", frames({{hdr(Opcode::text), "abc"}}), server(),
                  Errc::unmasked_client_frame, 2},
        ErrorCase{"masked_to_client", frames({{hdr(Opcode::text, true, true), "abc"}}), client(),
                  Errc::masked_server_frame, 6},
        ErrorCase{"ping_126", frames({{hdr(Opcode::ping), std::string(126, 'x')}}), client(),
                  Errc::control_frame_too_long, 4},
        ErrorCase{"fragmented_ping", frames({{hdr(Opcode::ping, false), "x"}}), client(),
                  Errc::fragmented_control_frame, 2},
        ErrorCase{"lone_continuation", frames({{hdr(Opcode::continuation), "x"}}), client(),
                  Errc::unexpected_continuation, 2},
        ErrorCase{"text_inside_message",
                  frames({{hdr(Opcode::text, false), "a"}, {hdr(Opcode::text), "b"}}), client(),
                  Errc::expected_continuation, 5},
        ErrorCase{"non_minimal_16", frames({{hdr(Opcode::text), "ab"}}, LengthEncoding::bits16),
                  client(), Errc::non_minimal_length, 4},
        ErrorCase{"non_minimal_64", frames({{hdr(Opcode::text), "ab"}}, LengthEncoding::bits64),
                  client(), Errc::non_minimal_length, 10},
        ErrorCase{"length_top_bit", Bytes{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0x01}, client(),
                  Errc::invalid_payload_length, 10},
        ErrorCase{"frame_too_large", frames({{hdr(Opcode::binary), std::string(11, 'x')}}),
                  limited(10, 100), Errc::frame_too_large, 2},
        ErrorCase{"message_too_large",
                  frames({{hdr(Opcode::binary, false), std::string(8, 'x')},
                          {hdr(Opcode::ping), "p"},
                          {hdr(Opcode::continuation), std::string(8, 'x')}}),
                  limited(10, 15), Errc::message_too_large, 10 + 3 + 2}),
    [](const ::testing::TestParamInfo<ErrorCase>& case_info) {
        return std::string(case_info.param.name);
    });

TEST(FrameParser, AcceptsMessageExactlyAtTheLimit) {
    const Bytes stream = frames({{hdr(Opcode::binary, false), std::string(8, 'x')},
                                 {hdr(Opcode::continuation), std::string(7, 'x')}});
    const Outcome out = run(limited(10, 15), stream, {});
    EXPECT_EQ(out.error, Errc::ok);
    ASSERT_EQ(out.frames.size(), 2u);
    EXPECT_TRUE(out.frames[1].message_end);
}

TEST(FrameParser, DecodesAnythingWhenChecksAreOff) {
    ParserOptions o = server();
    o.check = false;
    Bytes stream = frames({{rsv(hdr(static_cast<Opcode>(0xB), false), 2), "odd"},
                           {hdr(Opcode::continuation), "x"},
                           {hdr(Opcode::ping), std::string(200, 'p')}});
    const Outcome out = run(o, stream, {5, 13});
    ASSERT_EQ(out.error, Errc::ok);
    ASSERT_EQ(out.frames.size(), 3u);
    EXPECT_EQ(out.frames[0].opcode, static_cast<Opcode>(0xB));
    EXPECT_EQ(out.frames[2].payload.size(), 200u) << "an oversized ping streams like data";
}

// Found by frame_parser_fuzz: with checks off, a continuation frame after a finished message
// carried on that message: message_offset counted its bytes, message_opcode was its opcode,
// and max_message_size added its size (here 10 + 8 > 15: message_too_large for two messages
// both under the limit). A stray continuation now starts a message of its own.
TEST(FrameParser, StrayContinuationStartsItsOwnMessageWhenChecksAreOff) {
    ParserOptions o = limited(10, 15);
    o.check = false;
    Bytes stream = frames({{hdr(Opcode::text), std::string(10, 't')},
                           {hdr(Opcode::continuation), std::string(8, 'c')}});
    FrameParser parser(o);
    FrameEvent ev;
    std::size_t pos = parser.parse(stream.data(), stream.size(), ev);
    ASSERT_EQ(ev.kind, FrameEvent::Kind::payload);
    EXPECT_TRUE(ev.message_end);
    parser.parse(stream.data() + pos, stream.size() - pos, ev);
    ASSERT_EQ(ev.kind, FrameEvent::Kind::payload) << "error " << static_cast<int>(ev.error);
    EXPECT_EQ(ev.message_offset, 0u);
    EXPECT_EQ(ev.message_opcode, Opcode::continuation);
    EXPECT_EQ(ev.size, 8u);
    EXPECT_TRUE(ev.message_end);
}

TEST(FrameParser, ResetStartsAFreshStream) {
    FrameParser parser(client());
    Bytes bad{0x80, 0x00};  // continuation without a message
    FrameEvent ev;
    parser.parse(bad.data(), bad.size(), ev);
    ASSERT_EQ(ev.kind, FrameEvent::Kind::error);
    EXPECT_EQ(close_code_for(ev.error), 1002);
    parser.reset();
    EXPECT_EQ(parser.error(), Errc::ok);
    Bytes good{0x81, 0x01, 'a'};
    parser.parse(good.data(), good.size(), ev);
    EXPECT_EQ(ev.kind, FrameEvent::Kind::payload);
    EXPECT_TRUE(ev.message_end);
}

// Found by frame_parser_fuzz (an empty input): an empty read with a null pointer, as an
// empty std::vector's data() gives, reached memcpy(dst, nullptr, 0), which is undefined
// behaviour (UBSan: "null pointer passed as argument 2"). It must be a no-op in every state.
TEST(FrameParser, AcceptsEmptyReadsWithANullPointerInEveryState) {
    FrameParser parser(server());
    FrameEvent ev;
    EXPECT_EQ(parser.parse(nullptr, 0, ev), 0u) << "at a frame boundary";
    EXPECT_EQ(ev.kind, FrameEvent::Kind::need_more);

    Bytes stream;
    append(stream, hdr(Opcode::ping, true, true), "ping!");
    append(stream, hdr(Opcode::binary, true, true), "data");
    EXPECT_EQ(parser.parse(stream.data(), 1, ev), 1u);
    EXPECT_EQ(parser.parse(nullptr, 0, ev), 0u) << "inside a header";
    EXPECT_EQ(ev.kind, FrameEvent::Kind::need_more);
    EXPECT_EQ(parser.parse(stream.data() + 1, 7, ev), 7u);  // header and 2 payload bytes
    EXPECT_EQ(parser.parse(nullptr, 0, ev), 0u) << "inside a split control payload";
    EXPECT_EQ(ev.kind, FrameEvent::Kind::need_more);
    EXPECT_EQ(parser.parse(stream.data() + 8, 3, ev), 3u);
    ASSERT_EQ(ev.kind, FrameEvent::Kind::payload);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(ev.data), ev.size), "ping!");

    EXPECT_EQ(parser.parse(stream.data() + 11, 8, ev), 8u);  // header and 2 payload bytes
    EXPECT_EQ(parser.parse(nullptr, 0, ev), 0u) << "inside a data payload";
    EXPECT_EQ(ev.kind, FrameEvent::Kind::payload);
    EXPECT_EQ(ev.size, 0u);
    EXPECT_FALSE(ev.frame_end);
    EXPECT_EQ(parser.parse(stream.data() + 19, 2, ev), 2u);
    EXPECT_TRUE(ev.message_end);
    EXPECT_EQ(parser.error(), Errc::ok);
}

}  // namespace
}  // namespace wsb
