// wsbench-loadgen --deflate as a real process: compressed echo against wsbench-echo-server
// --deflate (both engines) with exact counts and byte figures, a server that declines, a server
// whose answer must be refused, a decompression bomb (1009) and scenario-file sessions.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_server.hpp"
#include "schema_check.hpp"
#include "scratch_dir.hpp"
#include "tool_process.hpp"
#include "wsbench/deflate.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"

namespace wsb::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::uint64_t kMarker = 24;  // the timing marker before each line

// JSON-like lines that compress well, as a chat or a ticker would send.
std::vector<std::string> chat_lines() {
    std::vector<std::string> lines;
    for (int i = 0; i < 20; ++i) {
        lines.push_back(R"({"type":"message","room":"general","user":"user)" + std::to_string(i) +
                        R"(","text":"hello everyone, this is a chat message number )" +
                        std::to_string(i) + R"(","tags":["chat","general","demo"]})");
    }
    return lines;
}

struct LoadgenRun {
    std::optional<int> exit_code;
    json report;
    std::string out;
    std::string err;
    SchemaCheck schema;
};

LoadgenRun run_loadgen(const ScratchDir& dir, const std::vector<std::string>& args) {
    const std::string report = (dir / "report.json").string();
    std::vector<std::string> argv = {"wsbench-loadgen", "--json", report, "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ToolRun t = run_tool(argv, 60s);
    LoadgenRun r{t.exit_code, json(), t.out, t.err, {}};
    std::ifstream in(report);
    if (in) {
        r.report = json::parse(in, nullptr, false);
        r.schema = check_schema_files("loadgen.schema.json", {report});
    }
    return r;
}

std::string write_lines(const ScratchDir& dir, const std::vector<std::string>& lines) {
    const std::string path = (dir / "lines.txt").string();
    std::ofstream out(path);
    for (const std::string& l : lines) out << l << "\n";
    return path;
}

// What -c conns -n n sends with --payload-file in order: connection c's message s is line
// (c + s) % lines, after the marker.
std::uint64_t payload_bytes(const std::vector<std::string>& lines, int conns, int n) {
    std::uint64_t total = 0;
    for (int c = 0; c < conns; ++c) {
        for (int s = 0; s < n; ++s) total += kMarker + lines[(c + s) % lines.size()].size();
    }
    return total;
}

class LoadgenDeflate : public ::testing::TestWithParam<const char*> {};

TEST_P(LoadgenDeflate, CompressedEchoOfAPayloadFileCountsEveryMessageAndByte) {
    ScratchDir dir("loadgen-deflate");
    const std::vector<std::string> lines = chat_lines();
    const std::string file = write_lines(dir, lines);
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1", "--engine",
                        GetParam(), "--deflate"});
    ASSERT_TRUE(server.wait_listening());
    const LoadgenRun r = run_loadgen(dir, {server.url(), "--deflate", "--payload-file", file, "-c",
                                           "4", "-n", "300", "-t", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    const json& sum = r.report["summary"];
    EXPECT_EQ(sum["messages"]["sent"], 1200);
    EXPECT_EQ(sum["messages"]["received"], 1200);
    EXPECT_EQ(r.report["errors"]["protocol"], 0);
    const std::uint64_t bytes = payload_bytes(lines, 4, 300);
    EXPECT_EQ(sum["bytes"]["sent"], bytes);
    EXPECT_EQ(sum["bytes"]["received"], bytes) << "the echo, inflated, is what was sent";

    const json& d = r.report["deflate"];
    EXPECT_EQ(d["connections"], 4);
    EXPECT_EQ(d["parameters"]["client_no_context_takeover"], false);
    EXPECT_EQ(d["parameters"]["server_no_context_takeover"], false);
    EXPECT_EQ(d["sent"]["bytes"], bytes);
    EXPECT_EQ(d["received"]["bytes"], bytes);
    // Context takeover: each line repeats what came before, so the wire carries a fraction.
    EXPECT_LT(d["sent"]["wire_bytes"].get<double>(), 0.5 * static_cast<double>(bytes));
    EXPECT_LT(d["received"]["wire_bytes"].get<double>(), 0.5 * static_cast<double>(bytes));
    EXPECT_GT(d["sent"]["wire_bytes"], 0);
    EXPECT_NEAR(d["sent"]["ratio"].get<double>(),
                d["sent"]["wire_bytes"].get<double>() / static_cast<double>(bytes), 1e-9);
    EXPECT_GT(d["cpu_us_per_message"].get<double>(), 0);
    EXPECT_EQ(r.report["config"]["deflate"]["offer"], "permessage-deflate; client_max_window_bits");
    EXPECT_EQ(r.report["config"]["payload_file"], file);
    EXPECT_NE(r.out.find("Deflate      4 of 4 connections, sent "), std::string::npos) << r.out;
}

TEST_P(LoadgenDeflate, NoContextTakeoverIsAgreedAndStillExact) {
    ScratchDir dir("loadgen-deflate");
    const std::vector<std::string> lines = chat_lines();
    const std::string file = write_lines(dir, lines);
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1", "--engine",
                        GetParam(), "--deflate"});
    ASSERT_TRUE(server.wait_listening());
    const LoadgenRun r =
        run_loadgen(dir, {server.url(), "--deflate", "--deflate-client-no-context-takeover",
                          "--deflate-client-max-window-bits", "12", "--payload-file", file, "-c",
                          "3", "-n", "100", "--message-type", "text"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 300);
    const json& d = r.report["deflate"];
    EXPECT_EQ(d["connections"], 3);
    EXPECT_EQ(d["parameters"]["client_no_context_takeover"], true);
    EXPECT_EQ(d["parameters"]["client_max_window_bits"], 12);
    const std::uint64_t bytes = payload_bytes(lines, 3, 100);
    EXPECT_EQ(d["sent"]["bytes"], bytes);
    EXPECT_LT(d["sent"]["wire_bytes"], bytes) << "each message compressed on its own still shrinks";
}

TEST_P(LoadgenDeflate, NoContextTakeoverOnBothSidesSharesCodecsAndStaysExact) {
    ScratchDir dir("loadgen-deflate");
    const std::vector<std::string> lines = chat_lines();
    const std::string file = write_lines(dir, lines);
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1", "--engine",
                        GetParam(), "--deflate"});
    ASSERT_TRUE(server.wait_listening());
    // One thread: its 8 connections share one codec, their messages interleaved.
    const LoadgenRun r =
        run_loadgen(dir, {server.url(), "--deflate", "--deflate-client-no-context-takeover",
                          "--deflate-server-no-context-takeover", "--payload-file", file, "-c", "8",
                          "-n", "100", "--pipeline", "4", "-t", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 800);
    EXPECT_EQ(r.report["errors"]["unmatched"], 0);
    EXPECT_EQ(r.report["errors"]["protocol"], 0);
    const json& d = r.report["deflate"];
    EXPECT_EQ(d["connections"], 8);
    EXPECT_EQ(d["parameters"]["client_no_context_takeover"], true);
    EXPECT_EQ(d["parameters"]["server_no_context_takeover"], true);
    const std::uint64_t bytes = payload_bytes(lines, 8, 100);
    EXPECT_EQ(d["sent"]["bytes"], bytes);
    EXPECT_EQ(d["received"]["bytes"], bytes);
    EXPECT_LT(d["received"]["wire_bytes"], bytes);
}

INSTANTIATE_TEST_SUITE_P(Engines, LoadgenDeflate, ::testing::Values("websocketpp", "fast"));

TEST(LoadgenDeflateDeclined, ServerWithoutDeflateRunsUncompressed) {
    ScratchDir dir("loadgen-deflate");
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1"});
    ASSERT_TRUE(server.wait_listening());
    const LoadgenRun r = run_loadgen(dir, {server.url(), "--deflate", "-c", "2", "-n", "50"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 100);
    const json& d = r.report["deflate"];
    EXPECT_EQ(d["connections"], 0);
    EXPECT_FALSE(d.contains("parameters"));
    EXPECT_EQ(d["sent"]["bytes"], 100 * 64);
    EXPECT_EQ(d["sent"]["wire_bytes"], 100 * 64);
    EXPECT_EQ(d["received"]["wire_bytes"], 100 * 64);
    EXPECT_NE(r.out.find("Deflate      0 of 2 connections"), std::string::npos) << r.out;
}

// The 101 response to `head` with `extensions` as its Sec-WebSocket-Extensions.
std::string answer_with(const std::string& head, const std::string& extensions) {
    std::string response = accept_handshake(head);
    response.insert(response.size() - 2, "Sec-WebSocket-Extensions: " + extensions + "\r\n");
    return response;
}

TEST(LoadgenDeflateRefused, AnAnswerTheClientMustRefuseFailsTheConnectionByName) {
    ScratchDir dir("loadgen-deflate");
    // server_max_window_bits=16: no such window (8-15), an answer the client must refuse
    // (RFC 7692 §7.1.2.1).
    FakeServer server([](FakeConnection& c) {
        c.send(answer_with(c.read_head(), "permessage-deflate; server_max_window_bits=16"));
        c.read_some();
    });
    const LoadgenRun r = run_loadgen(dir, {server.url(), "--deflate", "-c", "2", "-n", "5"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["errors"]["handshake"], 2);
    EXPECT_EQ(r.report["deflate"]["connections"], 0);
    const std::string fatal = r.report["fatal"];
    EXPECT_NE(fatal.find("the server's permessage-deflate answer "
                         "'permessage-deflate; server_max_window_bits=16' was refused: "),
              std::string::npos)
        << fatal;
}

// Reads the client's frames (its message, then its close) until its close; the code, or 0.
int read_close_code(FakeConnection& c) {
    ParserOptions o;
    o.allow_rsv1 = true;
    FrameParser parser(o);
    for (std::string in = c.read_some(); !in.empty(); in = c.read_some()) {
        auto* p = reinterpret_cast<std::uint8_t*>(in.data());
        for (std::size_t pos = 0; pos < in.size();) {
            FrameEvent ev;
            pos += parser.parse(p + pos, in.size() - pos, ev);
            if (ev.kind != FrameEvent::Kind::payload) break;
            if (ev.header.opcode == Opcode::close && ev.size >= 2) {
                return ev.data[0] << 8 | ev.data[1];
            }
        }
    }
    return 0;
}

// One unmasked frame, binary unless a continuation, RSV1 and FIN as given.
std::string server_frame(const std::vector<std::uint8_t>& payload, bool rsv1,
                         Opcode opcode = Opcode::binary, bool fin = true) {
    FrameHeader h;
    h.opcode = opcode;
    h.rsv1 = rsv1;
    h.fin = fin;
    std::string frame(kMaxFrameHeaderSize + payload.size(), '\0');
    const std::size_t n = encode_frame(h, payload.data(), payload.size(),
                                       reinterpret_cast<std::uint8_t*>(frame.data()), frame.size());
    frame.resize(n);
    return frame;
}

// The payload of the client's first data message (unmasked, as sent: compressed).
std::vector<std::uint8_t> read_message(FakeConnection& c) {
    ParserOptions o;
    o.allow_rsv1 = true;
    FrameParser parser(o);
    std::vector<std::uint8_t> message;
    for (std::string in = c.read_some(); !in.empty(); in = c.read_some()) {
        auto* p = reinterpret_cast<std::uint8_t*>(in.data());
        for (std::size_t pos = 0; pos < in.size();) {
            FrameEvent ev;
            pos += parser.parse(p + pos, in.size() - pos, ev);
            if (ev.kind != FrameEvent::Kind::payload) break;
            if (ev.is_control()) continue;
            message.insert(message.end(), ev.data, ev.data + ev.size);
            if (ev.message_end) return message;
        }
    }
    return message;
}

TEST(LoadgenDeflateFragments, ACompressedReplyInThreeFragmentsIsAssembledAndMatched) {
    ScratchDir dir("loadgen-deflate");
    std::atomic<int> close_code{0};
    std::atomic<std::size_t> wire{0};
    FakeServer server([&](FakeConnection& c) {
        c.send(answer_with(c.read_head(), "permessage-deflate"));
        DeflateCodec codec(DeflateParams{}, DeflateRole::server);
        const std::vector<std::uint8_t> z = read_message(c);
        if (codec.inflate(z.data(), z.size(), 1 << 20) != DeflateCodec::Result::ok) return;
        const std::vector<std::uint8_t> plain = codec.inflated();
        // The echo, compressed, in three fragments written apart: RSV1 on the first only.
        const std::vector<std::uint8_t> echo = codec.compress(plain.data(), plain.size());
        wire = echo.size();
        const std::size_t third = echo.size() / 3;
        const auto piece = [&](std::size_t from, std::size_t to) {
            return std::vector<std::uint8_t>(echo.begin() + from, echo.begin() + to);
        };
        c.send(server_frame(piece(0, third), true, Opcode::binary, false));
        c.send(server_frame(piece(third, 2 * third), false, Opcode::continuation, false));
        c.send(server_frame(piece(2 * third, echo.size()), false, Opcode::continuation, true));
        close_code = read_close_code(c);
    });
    const LoadgenRun r = run_loadgen(
        dir, {server.url(), "--deflate", "-c", "1", "-n", "1", "-m", "1KiB", "-d", "5s"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["summary"]["messages"]["received"], 1);
    EXPECT_EQ(r.report["summary"]["bytes"]["received"], 1024);
    EXPECT_EQ(r.report["deflate"]["received"]["bytes"], 1024);
    EXPECT_EQ(r.report["deflate"]["received"]["wire_bytes"], wire.load());
    for (const auto& [kind, n] : r.report["errors"].items()) EXPECT_EQ(n, 0) << kind;
    EXPECT_EQ(close_code, 1000);
}

TEST(LoadgenDeflateRsv1, RsvOneWithoutNegotiationIsAProtocolError1002) {
    ScratchDir dir("loadgen-deflate");
    std::atomic<int> close_code{0};
    FakeServer server([&close_code](FakeConnection& c) {
        c.send(accept_handshake(c.read_head()));  // declines: no Sec-WebSocket-Extensions
        c.send(server_frame(std::vector<std::uint8_t>(30, 'x'), true));
        close_code = read_close_code(c);
    });
    const LoadgenRun r =
        run_loadgen(dir, {server.url(), "--deflate", "-c", "1", "-n", "1", "-d", "2s"});
    ASSERT_TRUE(r.exit_code.has_value()) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["errors"]["protocol"], 1) << r.report["errors"];
    EXPECT_EQ(r.report["deflate"]["connections"], 0);
    EXPECT_EQ(close_code, 1002);
}

TEST(LoadgenDeflateBomb, AMessageInflatingPast64MiBFailsWith1009) {
    ScratchDir dir("loadgen-deflate");
    std::atomic<int> close_code{0};
    FakeServer server([&close_code](FakeConnection& c) {
        c.send(answer_with(c.read_head(), "permessage-deflate"));
        // 65 MiB of zeros compress to about 64 KiB: one frame with RSV1.
        DeflateCodec codec(DeflateParams{}, DeflateRole::server);
        const std::vector<std::uint8_t> zeros(65u << 20, 0);
        c.send(server_frame(codec.compress(zeros.data(), zeros.size()), true));
        close_code = read_close_code(c);
    });
    const LoadgenRun r =
        run_loadgen(dir, {server.url(), "--deflate", "-c", "1", "-n", "1", "-d", "2s"});
    ASSERT_TRUE(r.exit_code.has_value()) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["errors"]["protocol"], 1) << r.report["errors"];
    EXPECT_EQ(r.report["deflate"]["connections"], 1);
    EXPECT_EQ(close_code, 1009);
}

TEST(LoadgenDeflateScenario, SessionsSendAndMatchCompressedMessages) {
    ScratchDir dir("loadgen-deflate");
    const std::string file = (dir / "echo.yaml").string();
    std::ofstream(file) << R"(
phases: [ { duration: 1s, arrival_rate: 6 } ]
session:
  - loop:
      count: 5
      steps:
        - send: { name: rpc, json: { id: "{{seq}}", user: "{{session.id}}", note: "the same words again and again" } }
        - expect: { name: rpc, json: { id: "{{seq}}", user: "{{session.id}}" }, timeout: 2s }
)";
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--deflate"});
    ASSERT_TRUE(server.wait_listening());
    const LoadgenRun r = run_loadgen(dir, {server.url(), "--deflate", "--scenario", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.schema.status, 0) << r.schema.output;
    EXPECT_EQ(r.report["sessions"]["completed"], 6);
    EXPECT_EQ(r.report["steps"]["rpc"]["count"], 30);
    EXPECT_EQ(r.report["steps"]["rpc"]["timeouts"], 0);
    const json& d = r.report["deflate"];
    EXPECT_EQ(d["connections"], 6);
    EXPECT_EQ(d["sent"]["bytes"], r.report["summary"]["bytes"]["sent"]);
    EXPECT_EQ(d["received"]["bytes"], d["sent"]["bytes"]) << "the echo, inflated";
    EXPECT_LT(d["sent"]["wire_bytes"], d["sent"]["bytes"]);
}

}  // namespace
}  // namespace wsb::test
