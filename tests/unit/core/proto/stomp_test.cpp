// Tests of the STOMP 1.2 codec: frames from the specification, escaping both ways, every stream
// replayed whole, split at every byte and byte by byte, heart-beats, malformed frames, and the
// heart-beat negotiation table of §"Heart-beating".
#include "wsbench/proto/stomp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wsb::stomp {
namespace {

using namespace std::string_literals;

/// One frame as a line: "COMMAND|name=value|...|body", or "HB" for a heart-beat.
std::string describe(const Frame& f) {
    std::string s(f.command_text);
    for (std::size_t i = 0; i < f.header_count; ++i) {
        s += "|" + std::string(f.headers[i].name) + "=" + std::string(f.headers[i].value);
    }
    return s + "|" + std::string(f.body);
}

struct Outcome {
    std::vector<std::string> events;
    Errc error = Errc::ok;
    std::uint64_t error_offset = 0;
    std::string error_text;
};

/// Feeds `stream` in the chunks that start at `cuts`, each from a buffer that is overwritten
/// after it was drained (the decoder must have kept what it still needs), and drains it.
Outcome run(const std::string& stream, const std::vector<std::size_t>& cuts,
            const DecoderOptions& options = {}) {
    Decoder d(options);
    Outcome out;
    std::string chunk;
    std::size_t begin = 0;
    for (std::size_t c = 0; c <= cuts.size(); ++c) {
        const std::size_t end = c < cuts.size() ? cuts[c] : stream.size();
        chunk.assign(stream, begin, end - begin);
        d.feed(chunk);
        for (;;) {
            Frame f;
            const Decoder::Event ev = d.next(f);
            if (ev == Decoder::Event::need_more) break;
            if (ev == Decoder::Event::heartbeat) out.events.push_back("HB");
            if (ev == Decoder::Event::frame) out.events.push_back(describe(f));
            if (ev == Decoder::Event::error) {
                out.error = d.error();
                out.error_offset = d.error_offset();
                out.error_text = d.error_text();
                EXPECT_EQ(d.next(f), Decoder::Event::error) << "errors are sticky";
                return out;
            }
        }
        chunk.assign(chunk.size(), 'X');
        begin = end;
    }
    return out;
}

/// Runs `stream` whole, byte by byte and split once at every position; all must agree.
Outcome run_all_splits(const std::string& stream, const DecoderOptions& options = {}) {
    const Outcome whole = run(stream, {}, options);
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < stream.size(); ++i) bytes.push_back(i);
    const Outcome bytewise = run(stream, bytes, options);
    EXPECT_EQ(bytewise.events, whole.events) << "byte by byte";
    EXPECT_EQ(bytewise.error, whole.error) << "byte by byte";
    EXPECT_EQ(bytewise.error_offset, whole.error_offset) << "byte by byte";
    for (std::size_t i = 0; i <= stream.size(); ++i) {
        const Outcome split = run(stream, {i}, options);
        EXPECT_EQ(split.events, whole.events) << "split at " << i;
        EXPECT_EQ(split.error, whole.error) << "split at " << i;
        EXPECT_EQ(split.error_offset, whole.error_offset) << "split at " << i;
    }
    return whole;
}

TEST(StompEncoder, ConnectFrameFromTheSpecification) {
    std::string out = "kept";
    encode_frame(out, "CONNECT", {{"accept-version", "1.2"}, {"host", "stomp.github.org"}});
    EXPECT_EQ(out, "keptCONNECT\naccept-version:1.2\nhost:stomp.github.org\n\n\0"s);
}

TEST(StompEncoder, SendAddsContentLengthForABody) {
    std::string out;
    encode_frame(out, "SEND", {{"destination", "/queue/a"}, {"content-type", "text/plain"}},
                 "hello queue a");
    EXPECT_EQ(out,
              "SEND\ndestination:/queue/a\ncontent-type:text/plain\ncontent-length:13\n\n"
              "hello queue a\0"s);
}

TEST(StompEncoder, ContentLengthAlwaysAndNever) {
    std::string out;
    encode_frame(out, "SEND", {{"destination", "/q"}}, {}, ContentLength::always);
    EXPECT_EQ(out, "SEND\ndestination:/q\ncontent-length:0\n\n\0"s);
    out.clear();
    encode_frame(out, "SEND", {{"destination", "/q"}}, "abc", ContentLength::never);
    EXPECT_EQ(out, "SEND\ndestination:/q\n\nabc\0"s);
}

TEST(StompEncoder, EscapesNamesAndValues) {
    std::string out;
    encode_frame(out, "SEND", {{"a:b", "x\\y\nz:w\rv"}});
    EXPECT_EQ(out, "SEND\na\\cb:x\\\\y\\nz\\cw\\rv\n\n\0"s);
}

TEST(StompEncoder, ConnectAndConnectedAreNotEscaped) {
    std::string out;
    encode_frame(out, "CONNECT", {{"passcode", "a:b\\c"}});
    EXPECT_EQ(out, "CONNECT\npasscode:a:b\\c\n\n\0"s);
    out.clear();
    encode_frame(out, "CONNECTED", {{"server", "x:1"}});
    EXPECT_EQ(out, "CONNECTED\nserver:x:1\n\n\0"s);
}

TEST(StompEncoder, Heartbeat) {
    std::string out;
    encode_heartbeat(out);
    EXPECT_EQ(out, "\n");
}

TEST(StompCommand, NamesRoundTrip) {
    for (int i = 1; i <= static_cast<int>(Command::error); ++i) {
        const auto c = static_cast<Command>(i);
        EXPECT_EQ(command_from(to_string(c)), c) << to_string(c);
    }
    EXPECT_EQ(command_from("send"), Command::unknown);
    EXPECT_EQ(command_from("FOO"), Command::unknown);
}

TEST(StompDecoder, FramesFromTheSpecification) {
    const std::string stream =
        "CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:RabbitMQ/3.10.8\n\n\0"s
        "MESSAGE\nsubscription:0\nmessage-id:007\ndestination:/queue/a\n"
        "content-type:text/plain\n\nhello queue a\0"s
        "RECEIPT\nreceipt-id:message-12345\n\n\0"s
        "ERROR\nreceipt-id:message-12345\ncontent-type:text/plain\ncontent-length:5\n"
        "message:malformed frame received\n\na\0b\0c\0"s;
    const Outcome o = run_all_splits(stream);
    EXPECT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events,
              (std::vector<std::string>{
                  "CONNECTED|version=1.2|heart-beat=0,0|server=RabbitMQ/3.10.8|",
                  "MESSAGE|subscription=0|message-id=007|destination=/queue/a|"
                  "content-type=text/plain|hello queue a",
                  "RECEIPT|receipt-id=message-12345|",
                  "ERROR|receipt-id=message-12345|content-type=text/plain|content-length=5|"
                  "message=malformed frame received|a\0b\0c"s}));
}

TEST(StompDecoder, FrameFieldsAndFirstRepeatedHeaderWins) {
    const std::string stream = "MESSAGE\nfoo:World\nfoo:Hello\n\nbody\0"s;
    Decoder d;
    d.feed(stream);
    Frame f;
    ASSERT_EQ(d.next(f), Decoder::Event::frame);
    EXPECT_EQ(f.command, Command::message);
    EXPECT_EQ(f.header_count, 2u);
    EXPECT_EQ(f.header("foo"), "World");
    EXPECT_EQ(f.find("bar"), nullptr);
    EXPECT_EQ(f.header("bar"), "");
    EXPECT_EQ(f.body, "body");
    EXPECT_EQ(d.next(f), Decoder::Event::need_more);
    EXPECT_EQ(d.pending(), 0u);
}

TEST(StompDecoder, UnescapesNamesAndValues) {
    const Outcome o = run_all_splits("MESSAGE\na\\cb:x\\\\y\\nz\\cw\\rv\nplain:v\n\n\0"s);
    ASSERT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events, (std::vector<std::string>{"MESSAGE|a:b=x\\y\nz:w\rv|plain=v|"}));
}

TEST(StompDecoder, ConnectedValuesAreTakenLiterally) {
    const Outcome o = run_all_splits("CONNECTED\nserver:a\\cb:c\n\n\0"s);
    ASSERT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events, (std::vector<std::string>{"CONNECTED|server=a\\cb:c|"}));
}

TEST(StompDecoder, EncodedFramesRoundTrip) {
    std::string stream;
    encode_frame(stream, "SEND", {{"destination", "/topic/x:y"}, {"k\\", "v\r\n"}}, "a\0b"s);
    encode_heartbeat(stream);
    encode_frame(stream, "SUBSCRIBE", {{"id", "0"}, {"destination", "/queue/q"}});
    const Outcome o = run_all_splits(stream);
    ASSERT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events, (std::vector<std::string>{
                            "SEND|destination=/topic/x:y|k\\=v\r\n|content-length=3|a\0b"s, "HB",
                            "SUBSCRIBE|id=0|destination=/queue/q|"}));
}

TEST(StompDecoder, CrLfLineEnds) {
    const Outcome o = run_all_splits("MESSAGE\r\ndestination:/q\r\ncontent-length:2\r\n\r\nhi\0"s);
    ASSERT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events, (std::vector<std::string>{"MESSAGE|destination=/q|content-length=2|hi"}));
}

TEST(StompDecoder, HeartbeatsBetweenFramesAreReported) {
    const Outcome o =
        run_all_splits("\n\r\nRECEIPT\nreceipt-id:1\n\n\0\n\nRECEIPT\nreceipt-id:2\n\n\0\r\n"s);
    ASSERT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events, (std::vector<std::string>{"HB", "HB", "RECEIPT|receipt-id=1|", "HB", "HB",
                                                  "RECEIPT|receipt-id=2|", "HB"}));
}

TEST(StompDecoder, FrameWithoutHeadersAndEmptyBody) {
    const Outcome o = run_all_splits("DISCONNECT\n\n\0FOO\n\n\0"s);
    ASSERT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events, (std::vector<std::string>{"DISCONNECT|", "FOO|"}));
}

TEST(StompDecoder, FrameSplitOverSeveralFeedsSurvivesTheCallersBufferChanging) {
    // Three feeds, each from a buffer the caller overwrites after draining it.
    const std::string stream = "MESSAGE\nfoo:a\\cb\ncontent-length:5\n\nab\0cd\0RECEIPT\n\n\0"s;
    const Outcome o = run(stream, {10, 30});
    ASSERT_EQ(o.error, Errc::ok) << o.error_text;
    EXPECT_EQ(o.events,
              (std::vector<std::string>{"MESSAGE|foo=a:b|content-length=5|ab\0cd"s, "RECEIPT|"}));
}

TEST(StompDecoder, ViewsStayValidUntilTheNextFeed) {
    Decoder d;
    const std::string a = "MESSAGE\nx:1\n\none\0MESSAGE\nx:"s;
    d.feed(a);
    Frame f;
    ASSERT_EQ(d.next(f), Decoder::Event::frame);
    EXPECT_EQ(f.body, "one");
    EXPECT_EQ(d.next(f), Decoder::Event::need_more);
    EXPECT_EQ(d.pending(), 10u);
    const std::string b = "2\n\ntwo\0"s;
    d.feed(b);
    ASSERT_EQ(d.next(f), Decoder::Event::frame);
    EXPECT_EQ(f.header("x"), "2");
    EXPECT_EQ(f.body, "two");
}

TEST(StompDecoder, FeedTwiceBeforeDrainingKeepsBoth) {
    Decoder d;
    std::string a = "RECEIPT\nreceipt-id:1\n\n\0RECE"s;
    std::string b = "IPT\nreceipt-id:2\n\n\0"s;
    d.feed(a);
    d.feed(b);  // the first bytes were not used yet: they are copied before `a` changes
    a.assign(a.size(), 'X');
    Frame f;
    ASSERT_EQ(d.next(f), Decoder::Event::frame);
    EXPECT_EQ(f.header("receipt-id"), "1");
    ASSERT_EQ(d.next(f), Decoder::Event::frame);
    EXPECT_EQ(f.header("receipt-id"), "2");
    EXPECT_EQ(d.next(f), Decoder::Event::need_more);
}

TEST(StompDecoder, ResetStartsANewStream) {
    Decoder d;
    const std::string bad = "MESSAGE\nbad\n\n\0"s;
    d.feed(bad);
    Frame f;
    ASSERT_EQ(d.next(f), Decoder::Event::error);
    d.reset();
    const std::string good = "RECEIPT\n\n\0"s;
    d.feed(good);
    EXPECT_EQ(d.next(f), Decoder::Event::frame);
    EXPECT_EQ(d.error(), Errc::ok);
}

struct BadFrame {
    const char* name;
    std::string stream;
    Errc error;
    std::uint64_t offset;
    std::size_t max_frame_size;
};

class StompMalformed : public ::testing::TestWithParam<BadFrame> {};

TEST_P(StompMalformed, IsNamedWithItsOffset) {
    DecoderOptions options;
    options.max_frame_size = GetParam().max_frame_size;
    const Outcome o = run_all_splits(GetParam().stream, options);
    EXPECT_EQ(o.error, GetParam().error) << o.error_text;
    EXPECT_EQ(o.error_offset, GetParam().offset) << o.error_text;
    EXPECT_NE(o.error_text.find(std::string(to_string(GetParam().error)) + ": "), std::string::npos)
        << o.error_text;
    EXPECT_NE(o.error_text.find("at byte " + std::to_string(GetParam().offset)), std::string::npos)
        << o.error_text;
}

INSTANTIATE_TEST_SUITE_P(
    Frames, StompMalformed,
    ::testing::Values(
        BadFrame{"NoNulWithinMax", "RECEIPT\n\n\0SEND\n\n0123456789abcdef"s, Errc::frame_too_large,
                 10 + 16, 16},
        BadFrame{"HeadersLongerThanMax", "SEND\ndestination:/queue/very-long"s,
                 Errc::frame_too_large, 16, 16},
        BadFrame{"ContentLengthOverMax", "SEND\ncontent-length:100\n\n"s, Errc::frame_too_large, 20,
                 64},
        BadFrame{"BadEscapeTab", "RECEIPT\n\n\0MESSAGE\nfoo:a\\tb\n\n\0"s, Errc::bad_escape,
                 10 + 13, 1024},
        BadFrame{"EscapeAtEndOfValue", "MESSAGE\nfoo:a\\\n\n\0"s, Errc::bad_escape, 13, 1024},
        BadFrame{"ContentLengthNotANumber", "SEND\ncontent-length:abc\n\nxyz\0"s,
                 Errc::bad_content_length, 20, 1024},
        BadFrame{"ContentLengthNegative", "SEND\ncontent-length:-1\n\n\0"s,
                 Errc::bad_content_length, 20, 1024},
        BadFrame{"ContentLengthOverflows", "SEND\ncontent-length:99999999999999999999999\n\n\0"s,
                 Errc::bad_content_length, 20, 1024},
        BadFrame{"ContentLengthBodyNotFollowedByNul", "SEND\ncontent-length:2\n\nabc\0"s,
                 Errc::missing_nul, 25, 1024},
        BadFrame{"HeaderWithoutColon", "MESSAGE\ndestination\n\n\0"s, Errc::bad_header, 8, 1024},
        BadFrame{"HeaderWithEmptyName", "MESSAGE\n:x\n\n\0"s, Errc::bad_header, 8, 1024},
        BadFrame{"LoneCrInHeader", "MESSAGE\nfoo:a\rb\n\n\0"s, Errc::bad_eol, 13, 1024},
        BadFrame{"LoneCrBetweenFrames", "\rX"s, Errc::bad_eol, 0, 1024},
        BadFrame{"NulBeforeTheBlankLine", "SEND\ndestination:/q\0"s, Errc::nul_in_headers, 19,
                 1024},
        BadFrame{"NulInCommandLine", "SE\0ND\n\n\0"s, Errc::nul_in_headers, 2, 1024}),
    [](const ::testing::TestParamInfo<BadFrame>& param) { return std::string(param.param.name); });

TEST(StompDecoder, ErrorTextNamesTheEscapeAndTheHeader) {
    Decoder d;
    const std::string stream = "MESSAGE\nfoo:a\\tb\n\n\0"s;  // alive until the next feed
    d.feed(stream);
    Frame f;
    ASSERT_EQ(d.next(f), Decoder::Event::error);
    EXPECT_NE(d.error_text().find("'\\t' in header 'foo'"), std::string::npos) << d.error_text();
    EXPECT_NE(d.error_text().find("frame that starts at byte 0"), std::string::npos)
        << d.error_text();
}

TEST(StompDecoder, FrameOfExactlyMaxSizeIsAccepted) {
    DecoderOptions options;
    options.max_frame_size = 12;  // "SEND\n\n" + 5 + NUL
    EXPECT_EQ(run_all_splits("SEND\n\nabcde\0"s, options).error, Errc::ok);
    options.max_frame_size = 25;  // "SEND\ncontent-length:1\n\na\0"
    EXPECT_EQ(run_all_splits("SEND\ncontent-length:1\n\na\0"s, options).error, Errc::ok);
    options.max_frame_size = 24;
    EXPECT_EQ(run_all_splits("SEND\ncontent-length:1\n\na\0"s, options).error,
              Errc::frame_too_large);
}

struct Negotiation {
    std::uint32_t cx;
    std::uint32_t cy;
    const char* server;
    bool ok;
    std::uint32_t send_ms;
    std::uint32_t receive_ms;
};

class StompHeartBeat : public ::testing::TestWithParam<Negotiation> {};

// §"Heart-beating": the sender's interval is max(cx, sy) unless cx or sy is 0; the receiver
// expects max(sx, cy) unless sx or cy is 0.
TEST_P(StompHeartBeat, NegotiatesPerTheSpecification) {
    const Negotiation& n = GetParam();
    HeartBeat hb{7, 7};
    EXPECT_EQ(negotiate_heart_beat(n.cx, n.cy, n.server, hb), n.ok) << n.server;
    EXPECT_EQ(hb.send_ms, n.send_ms) << n.server;
    EXPECT_EQ(hb.receive_ms, n.receive_ms) << n.server;
}

INSTANTIATE_TEST_SUITE_P(
    Table, StompHeartBeat,
    ::testing::Values(
        Negotiation{0, 0, "10000,10000", true, 0, 0}, Negotiation{1000, 1000, "", true, 0, 0},
        Negotiation{1000, 1000, "0,0", true, 0, 0},
        Negotiation{1000, 2000, "5000,500", true, 1000, 5000},
        Negotiation{1000, 0, "0,3000", true, 3000, 0},
        Negotiation{0, 4000, "2000,3000", true, 0, 4000},
        Negotiation{10000, 10000, "4000,4000", true, 10000, 10000},
        Negotiation{100, 100, "4294967295,1", true, 100, 4294967295u},
        Negotiation{100, 100, "4294967296,1", false, 0, 0},
        Negotiation{100, 100, "abc", false, 0, 0}, Negotiation{100, 100, "1,", false, 0, 0},
        Negotiation{100, 100, ",1", false, 0, 0}, Negotiation{100, 100, "1;2", false, 0, 0},
        Negotiation{100, 100, " 1,2", false, 0, 0}));

TEST(StompHeartBeat, ParsesTheHeaderValue) {
    std::uint32_t x = 1;
    std::uint32_t y = 1;
    EXPECT_TRUE(parse_heart_beat("0,10000", x, y));
    EXPECT_EQ(x, 0u);
    EXPECT_EQ(y, 10000u);
    EXPECT_FALSE(parse_heart_beat("5", x, y));
    EXPECT_EQ(x, 0u) << "unchanged when malformed";
}

}  // namespace
}  // namespace wsb::stomp
